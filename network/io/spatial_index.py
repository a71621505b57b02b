"""A layer's GeoPackage spatial index (the ``gpkg_rtree_index`` extension), built in one pass.

GDAL builds a new layer's R-tree by inserting every feature's box into a tree in memory,
then writes the tree's nodes into SQLite's tables: about a second of processor time for a
million pipes or manholes, and ``new`` writes both. Here the boxes, which the project
already holds as arrays, are packed into a tree by Sort-Tile-Recursive (Leutenegger et
al., 1997: sort by x, cut into slabs, sort each slab by y, fill the nodes in turn, repeat one
level up) and the nodes are written as SQLite's R-tree module stores them. The tree is
what SQLite itself would read back: ``rtreecheck()`` passes, and a spatial query finds the
same features as a scan of every box (``tests/network/test_spatial_index.py``).

SQLite's R-tree (``ext/rtree/rtree.c``) keeps three tables beside the virtual one:

- ``<name>_node(nodeno, data)``: one blob per node of ``node_size`` bytes: the tree's depth
  as a big-endian 16-bit number (in the root, node 1; zero elsewhere), the number of cells
  (16 bits), then the cells: a 64-bit id (a feature's fid in a leaf, a node's number above)
  and the box as four big-endian 32-bit floats, min-x, max-x, min-y, max-y, each rounded
  outwards from the double.
- ``<name>_rowid(rowid, nodeno)``: the leaf of every feature.
- ``<name>_parent(nodeno, parentnode)``: the parent of every node but the root.

The triggers that keep the index up to date when a feature is added, moved or deleted,
and the extension's row, are those GDAL writes (GeoPackage 1.4, Annex F.3); a test
compares them with GDAL's own.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Cells a node holds at most (``RTREE_MAXCELLS``), and the bytes of one cell of a 2-D tree.
MAX_CELLS = 51
CELL_BYTES = 8 + 4 * 4


class SpatialIndexError(ValueError):
    """The layer cannot take the index: not a feature table, other rows than described."""


_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])

#: The triggers of GeoPackage 1.4's R-tree extension as GDAL writes them, for table ``{t}``,
#: geometry ``{g}``, primary key ``{i}`` and index ``{r}`` (GDAL 3.12, ``ogr/ogrsf_frmts/
#: gpkg/ogrgeopackagetablelayer.cpp``, ``CreateSpatialIndex``).
_TRIGGERS = {
    "insert": 'CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN (new."{g}" NOT NULL AND '
    'NOT ST_IsEmpty(NEW."{g}")) BEGIN INSERT OR REPLACE INTO "{r}" VALUES (NEW."{i}",'
    'ST_MinX(NEW."{g}"), ST_MaxX(NEW."{g}"),ST_MinY(NEW."{g}"), ST_MaxY(NEW."{g}")); END',
    "update6": 'CREATE TRIGGER "{r}_update6" AFTER UPDATE OF "{g}" ON "{t}" WHEN OLD."{i}" = '
    'NEW."{i}" AND (NEW."{g}" NOTNULL AND NOT ST_IsEmpty(NEW."{g}")) AND (OLD."{g}" NOTNULL '
    'AND NOT ST_IsEmpty(OLD."{g}")) BEGIN UPDATE "{r}" SET minx = ST_MinX(NEW."{g}"), maxx = '
    'ST_MaxX(NEW."{g}"),miny = ST_MinY(NEW."{g}"), maxy = ST_MaxY(NEW."{g}") WHERE id = '
    'NEW."{i}";END',
    "update7": 'CREATE TRIGGER "{r}_update7" AFTER UPDATE OF "{g}" ON "{t}" WHEN OLD."{i}" = '
    'NEW."{i}" AND (NEW."{g}" NOTNULL AND NOT ST_IsEmpty(NEW."{g}")) AND (OLD."{g}" ISNULL '
    'OR ST_IsEmpty(OLD."{g}")) BEGIN INSERT INTO "{r}" VALUES (NEW."{i}",ST_MinX(NEW."{g}"), '
    'ST_MaxX(NEW."{g}"),ST_MinY(NEW."{g}"), ST_MaxY(NEW."{g}")); END',
    "update2": 'CREATE TRIGGER "{r}_update2" AFTER UPDATE OF "{g}" ON "{t}" WHEN OLD."{i}" = '
    'NEW."{i}" AND (NEW."{g}" ISNULL OR ST_IsEmpty(NEW."{g}")) BEGIN DELETE FROM "{r}" WHERE '
    'id = OLD."{i}"; END',
    "update5": 'CREATE TRIGGER "{r}_update5" AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" '
    'AND (NEW."{g}" NOTNULL AND NOT ST_IsEmpty(NEW."{g}")) BEGIN DELETE FROM "{r}" WHERE id = '
    'OLD."{i}"; INSERT OR REPLACE INTO "{r}" VALUES (NEW."{i}",ST_MinX(NEW."{g}"), '
    'ST_MaxX(NEW."{g}"),ST_MinY(NEW."{g}"), ST_MaxY(NEW."{g}")); END',
    "update4": 'CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" '
    'AND (NEW."{g}" ISNULL OR ST_IsEmpty(NEW."{g}")) BEGIN DELETE FROM "{r}" WHERE id IN '
    '(OLD."{i}", NEW."{i}"); END',
    "delete": 'CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN old."{g}" NOT NULL BEGIN '
    'DELETE FROM "{r}" WHERE id = OLD."{i}"; END',
}

_EXTENSIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
    "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
)
_RTREE_DEFINITION = "http://www.geopackage.org/spec120/#extension_rtree"


def index_name(table: str, geometry: str) -> str:
    """The R-tree's table name the GeoPackage standard gives *table*'s *geometry*."""
    return f"rtree_{table}_{geometry}"


def node_size(page_size: int) -> int:
    """The bytes of a node blob in a file of *page_size* (as ``rtree.c`` chooses it)."""
    return min(page_size - 64, 4 + CELL_BYTES * MAX_CELLS)


#: ``rtree.c``'s factors for rounding a double to a float outwards (``RNDTOWARDS``,
#: ``RNDAWAY``): one part in 2**23 towards or away from zero.
_TOWARDS = 1.0 - 1.0 / 8388608.0
_AWAY = 1.0 + 1.0 / 8388608.0


def _down(d: np.ndarray) -> np.ndarray:
    """``rtreeValueDown``: the nearest float, or one a little below where that is above."""
    f = d.astype(np.float32)
    lower = (d * np.where(d < 0, _AWAY, _TOWARDS)).astype(np.float32)
    return np.where(f > d, lower, f)


def _up(d: np.ndarray) -> np.ndarray:
    """``rtreeValueUp``: the nearest float, or one a little above where that is below."""
    f = d.astype(np.float32)
    higher = (d * np.where(d < 0, _TOWARDS, _AWAY)).astype(np.float32)
    return np.where(f < d, higher, f)


def float_boxes(bounds: np.ndarray) -> np.ndarray:
    """``(n, 4)`` x0, y0, x1, y1 doubles as the R-tree's ``(n, 4)`` float32 min-x, max-x,
    min-y, max-y, rounded outwards as SQLite rounds a box it is given (so the boxes are the
    ones GDAL's index holds)."""
    bounds = np.asarray(bounds, dtype=np.float64)
    with np.errstate(over="ignore"):  # beyond a float's range: ±inf, as SQLite stores it
        return np.stack(
            [_down(bounds[:, 0]), _up(bounds[:, 2]), _down(bounds[:, 1]), _up(bounds[:, 3])],
            axis=1,
        )


def _level_sizes(n: int, cells: int) -> list[int]:
    """The number of nodes of each level below the root, leaves first."""
    sizes = []
    while n > cells:
        n = -(-n // cells)
        sizes.append(n)
    return sizes


def _str_order(boxes: np.ndarray, cells: int) -> np.ndarray:
    """Sort-Tile-Recursive order of *boxes* for nodes of *cells*: slabs of whole nodes by
    the centres' x, each slab by y."""
    n = len(boxes)
    nodes = -(-n // cells)
    per_slab = math.ceil(math.sqrt(nodes)) * cells
    cx = boxes[:, 0].astype(np.float64) + boxes[:, 1]
    cy = boxes[:, 2].astype(np.float64) + boxes[:, 3]
    by_x = np.argsort(cx, kind="stable")
    slab = np.empty(n, dtype=np.int64)
    slab[by_x] = np.arange(n) // per_slab
    return np.lexsort((cy, slab))


def _group_boxes(boxes: np.ndarray, cells: int) -> np.ndarray:
    """The box of each run of *cells* consecutive boxes."""
    starts = np.arange(0, len(boxes), cells)
    return np.stack(
        [
            np.minimum.reduceat(boxes[:, 0], starts),
            np.maximum.reduceat(boxes[:, 1], starts),
            np.minimum.reduceat(boxes[:, 2], starts),
            np.maximum.reduceat(boxes[:, 3], starts),
        ],
        axis=1,
    )


def _blobs(ids: np.ndarray, boxes: np.ndarray, cells: int, size: int, depth: int) -> np.ndarray:
    """Nodes of runs of *cells* consecutive cells as ``(nodes, size)`` bytes."""
    n = len(ids)
    nodes = max(1, -(-n // cells))
    cell = np.zeros(nodes * cells, dtype=_CELL)
    cell["id"][:n] = ids
    cell["box"][:n] = boxes
    out = np.zeros((nodes, size), dtype=np.uint8)
    counts = np.full(nodes, cells, dtype=">u2")
    counts[-1] = n - (nodes - 1) * cells
    out[:, 0:2] = np.frombuffer(np.array(depth, dtype=">u2").tobytes(), np.uint8)
    out[:, 2:4] = counts.view(np.uint8).reshape(nodes, 2)
    out[:, 4 : 4 + cells * CELL_BYTES] = cell.view(np.uint8).reshape(nodes, cells * CELL_BYTES)
    return out


class PackedTree:
    """The nodes of an R-tree packed from boxes, as SQLite's shadow tables hold them."""

    def __init__(self, fids: np.ndarray, boxes: np.ndarray, size: int) -> None:
        cells = (size - 4) // CELL_BYTES
        sizes = _level_sizes(len(fids), cells)
        self.depth = len(sizes)
        # nodes numbered from the root (1) down, level by level
        first = {}
        number = 2
        for level in reversed(range(self.depth)):
            first[level] = number
            number += sizes[level]
        self._node_parts: list[tuple[int, np.ndarray]] = []
        self._parents: list[tuple[np.ndarray, np.ndarray]] = []
        ids = np.asarray(fids, dtype=np.int64)
        for level in range(self.depth + 1):
            if level == self.depth:  # the root holds what is left
                parent = np.ones(len(ids), dtype=np.int64)
                self._node_parts.append((1, _blobs(ids, boxes, cells, size, self.depth)))
            else:
                order = _str_order(boxes, cells)
                ids, boxes = ids[order], boxes[order]
                parent = first[level] + np.arange(len(ids)) // cells
                self._node_parts.append((first[level], _blobs(ids, boxes, cells, size, 0)))
            if level == 0:
                self.rowids = (ids, parent)
            else:
                self._parents.append((ids, parent))
            if level < self.depth:
                ids = first[level] + np.arange(sizes[level], dtype=np.int64)
                boxes = _group_boxes(boxes, cells)

    def node_rows(self) -> Iterator[tuple[int, bytes]]:
        for first, blobs in self._node_parts:
            for k, row in enumerate(blobs):
                yield first + k, row.tobytes()

    def parent_rows(self) -> Iterator[tuple[int, int]]:
        for ids, parent in self._parents:
            yield from zip(ids.tolist(), parent.tolist(), strict=True)

    def leaves(self) -> tuple[np.ndarray, np.ndarray]:
        """The fids the tree holds, ascending, and the leaf of each."""
        ids, leaf = self.rowids
        order = np.argsort(ids, kind="stable")
        return ids[order], leaf[order]


def _written_fids(con: sqlite3.Connection, table: str, fid: str, n: int) -> np.ndarray | None:
    """The fids of *table*'s *n* rows in the order they were written; None for 1 … n (a
    table GDAL has just made, where its feature count, ``gpkg_ogr_contents``, says *n*).

    Raises
    ------
    SpatialIndexError
        The table does not hold *n* rows.
    """
    # two queries: SQLite reads one end of the key for a lone min() or max(), not both
    (low,) = con.execute(f'SELECT min("{fid}") FROM "{table}"').fetchone()
    (high,) = con.execute(f'SELECT max("{fid}") FROM "{table}"').fetchone()
    counted = con.execute(
        "SELECT feature_count FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)",
        (table,),
    ).fetchone()
    if ((n and (low, high) == (1, n)) or (not n and low is None)) and counted == (n,):
        return None
    rows = con.execute(f'SELECT "{fid}" FROM "{table}" ORDER BY "{fid}"').fetchall()
    if len(rows) != n:
        raise SpatialIndexError(f"{table} holds {len(rows)} rows, not the {n} to index")
    return np.array([r[0] for r in rows], dtype=np.int64)


def _json_array(values: np.ndarray) -> str:
    """Integers as a JSON array, negative ones as ``null``; each right-aligned in one width
    (JSON allows the spaces): ten times quicker than formatting each number."""
    v = np.asarray(values, dtype=np.int64)
    if not len(v):
        return "[]"
    null = v < 0
    v = np.where(null, 0, v)
    width = max(len(str(int(v.max()))), 4 if null.any() else 1)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    text = np.empty((len(v), width + 1), dtype=np.uint8)
    text[:, :width] = 48 + (v[:, None] // powers) % 10  # "0" + each digit
    text[:, : width - 1][v[:, None] < powers[:-1]] = 32  # leading zeros as spaces
    if null.any():
        text[null, width - 4 : width] = np.frombuffer(b"null", np.uint8)
    text[:, width] = 44  # ","
    return "[" + text.tobytes()[:-1].decode("ascii") + "]"


#: SQLite's page size (GDAL keeps it): a node of 51 cells, 1,228 bytes.
PAGE_SIZE = 4096


@dataclass(frozen=True)
class Plan:
    """A layer's index packed before its rows are written (``new`` packs it while a writer
    is busy), for rows whose fids will be *fids*, in the order of the rows (None: 1 … n, as
    GDAL numbers the rows of a new table), in a file of *page_size*. :func:`write` packs it
    again where the file turns out otherwise."""

    bounds: np.ndarray
    page_size: int
    fids: np.ndarray | None
    tree: PackedTree
    leaf_of_row: str | None  # JSON: the leaf of row k at k, null for a row left out


def plan(
    bounds: np.ndarray, *, page_size: int = PAGE_SIZE, fids: np.ndarray | None = None
) -> Plan:
    """Pack the index of rows with these *bounds* (``(n, 4)`` x0, y0, x1, y1; NaN for a
    missing or empty geometry, which the index leaves out as the standard's triggers do)."""
    bounds = np.asarray(bounds, dtype=np.float64).reshape(-1, 4)
    n = len(bounds)
    if fids is not None:
        fids = np.asarray(fids, dtype=np.int64)
        if len(fids) != n:
            raise SpatialIndexError(f"{len(fids)} fids for {n} rows")
        if n and fids[0] == 1 and fids[-1] == n and (np.diff(fids) == 1).all():
            fids = None  # 1 … n: the quick path
    keep = ~np.isnan(bounds).any(axis=1)
    ids = np.arange(1, n + 1, dtype=np.int64) if fids is None else np.asarray(fids, np.int64)
    tree = PackedTree(ids[keep], float_boxes(bounds[keep]), node_size(page_size))
    leaf_of_row = None
    if fids is None:
        held, leaf = tree.leaves()
        of_row = np.full(n, -1, dtype=np.int64)
        of_row[held - 1] = leaf
        leaf_of_row = _json_array(of_row)
    return Plan(bounds, page_size, fids, tree, leaf_of_row)


def _columns(con: sqlite3.Connection, table: str) -> tuple[str, str]:
    """*table*'s geometry column (``gpkg_geometry_columns``) and integer primary key.

    Raises
    ------
    SpatialIndexError
        The table is not a GeoPackage feature table with an integer primary key.
    """
    row = con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
        (table,),
    ).fetchone()
    keys = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[5] == 1]
    if row is None or len(keys) != 1:
        raise SpatialIndexError(f"{table} is not a GeoPackage feature table with a single key")
    return str(row[0]), str(keys[0])


def create(path: str | Path, table: str, bounds: np.ndarray, *, synchronous: bool = False) -> None:
    """Give the GeoPackage layer *table* (just written, without an index) its R-tree index:
    :func:`write` of :func:`plan`."""
    write(path, table, plan(bounds), synchronous=synchronous)


def write(path: str | Path, table: str, planned: Plan, *, synchronous: bool = False) -> None:
    """Write the index *planned* for the GeoPackage layer *table* (just written, without an
    index, its rows the ones the plan describes in the order written).

    Parameters
    ----------
    path : the GeoPackage
    table : the layer
    planned : from :func:`plan`
    synchronous : sync the file at the commit (not for a temporary file synced whole later)

    Raises
    ------
    SpatialIndexError
        The table is not a feature table, holds another number of rows, or has a name
        with a double quote.
    """
    if '"' in table:
        raise SpatialIndexError(f"cannot index {table!r}: a double quote in the name")
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        if not synchronous:
            con.execute("PRAGMA synchronous = OFF")
        (page_size,) = con.execute("PRAGMA page_size").fetchone()
        con.execute("BEGIN IMMEDIATE")
        try:
            geometry, fid = _columns(con, table)
            for name in (geometry, fid):
                if '"' in name:
                    raise SpatialIndexError(f"cannot index {name!r}: a double quote in the name")
            rtree = index_name(table, geometry)
            n = len(planned.bounds)
            held = _written_fids(con, table, fid, n)  # ascending; None for 1 … n
            if planned.fids is None:  # GDAL numbered the rows upwards in the order written
                fids = held
            else:  # the rows carried their fids
                present = np.arange(1, n + 1) if held is None else held
                if not np.array_equal(np.sort(planned.fids), present):
                    raise SpatialIndexError(f"{table} holds other fids than the rows written")
                fids = planned.fids
            if page_size != planned.page_size or not _same(fids, planned.fids):
                planned = plan(planned.bounds, page_size=page_size, fids=fids)
            con.execute(f'CREATE VIRTUAL TABLE "{rtree}" USING rtree(id, minx, maxx, miny, maxy)')
            con.execute(f'DELETE FROM "{rtree}_node"')  # the empty root made with the table
            con.executemany(f'INSERT INTO "{rtree}_node" VALUES (?, ?)', planned.tree.node_rows())
            con.executemany(
                f'INSERT INTO "{rtree}_parent" VALUES (?, ?)', planned.tree.parent_rows()
            )
            if planned.leaf_of_row is not None:  # rows 1 … n: one JSON array SQLite unpacks
                con.execute(
                    f'INSERT INTO "{rtree}_rowid" SELECT key + 1, value '
                    "FROM json_each(?) WHERE value IS NOT NULL",
                    (planned.leaf_of_row,),
                )
            else:  # a quarter of the speed
                held, leaf = planned.tree.leaves()
                rows = zip(held.tolist(), leaf.tolist(), strict=True)
                con.executemany(f'INSERT INTO "{rtree}_rowid" VALUES (?, ?)', rows)
            for sql in _TRIGGERS.values():
                con.execute(sql.format(t=table, g=geometry, i=fid, r=rtree))
            con.execute(_EXTENSIONS_TABLE)
            con.execute(
                "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', ?, 'write-only')",
                (table, geometry, _RTREE_DEFINITION),
            )
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))
