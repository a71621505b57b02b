"""The built network kept in the project: store a :class:`CheckedNetwork`, load it back.

Building the network of a million pipes, checking it and tracing every enterprise takes
tens of seconds; every command and every opening of the window needs the same result. Save
therefore writes it into the project GeoPackage, and opening loads it instead of rebuilding.

Format
------
One GeoPackage ``attributes`` table, ``pa_topology`` (``fid INTEGER PRIMARY KEY``, ``name``,
``data`` BLOB), holds:

``meta``
    JSON: ``format`` (:data:`TOPOLOGY_FORMAT`), ``engine`` (a hash of the network code that
    built it), ``settings`` and ``crs`` as ``pa_project`` held them, ``layers`` (one key
    per layer, see :func:`layer_keys`) and the array sizes.
``nodes``, ``pieces``, ``edges``, ``enterprises``, ``plants``, ``outfalls``, ``sides``,
``pipes``, ``register``
    Arrow IPC streams of plain columns (numbers, strings, categorical codes; no pickles,
    no geometry: piece geometry is read from the ``pipes`` layer only when asked for).
``contacts``, ``build_issues``, ``checks``, ``aliases``, ``register_totals``
    JSON.

Staleness
---------
The cache is used only when every one of these still holds, else it is ignored and the
network rebuilt: the format number and the engine hash equal this PipeAtlas's; the settings
and the CRS equal the project's; and each layer's key is unchanged. A layer's key joins its
row count, largest ``fid``, ``gpkg_contents.last_change`` (GDAL, and so QGIS, stamps it on
every edit) and the counter in ``pa_layer_edits``, which SQLite triggers on the layer
(:func:`install_edit_triggers`) bump on any insert, update or delete, whatever program
makes it; a layer whose triggers are gone (the table was replaced) never matches. A table
that cannot be decoded, or whose arrays do not fit together, is ignored with a warning.

Examples
--------
>>> TOPOLOGY_FORMAT >= 1
True
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from network import schema as S
from network.errors import ProjectError
from network.io import gpkg
from network.issues import Issue
from network.lazy import lazy_module

pd = lazy_module("pandas", globals())
pa = lazy_module("pyarrow", globals())

log = logging.getLogger(__name__)

#: Version of the stored topology; bump when its layout or the meaning of a field changes.
TOPOLOGY_FORMAT = 1
TOPOLOGY_TABLE = "pa_topology"
EDITS_TABLE = "pa_layer_edits"
NETWORK_LAYERS = (S.PIPES, S.MANHOLES, S.ENTERPRISES, S.PLANTS, S.OUTFALLS)
_ENGINE_MODULES = ("graph", "packed", "checks", "analysis", "trace", "findings", "state", "issues")


def engine_hash() -> str:
    """A hash of the source of the modules that build, check and trace the network."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for name in _ENGINE_MODULES:
        try:
            h.update((root / f"{name}.py").read_bytes())
        except OSError:  # pragma: no cover - a frozen install: fall back to the format
            h.update(name.encode())
    return h.hexdigest()[:16]


# --- layer keys and edit triggers ----------------------------------------------------------
def install_edit_triggers(con: sqlite3.Connection, kinds: Iterator[str] | list[str]) -> None:
    """Create ``pa_layer_edits`` and, on each layer of *kinds*, triggers counting its edits.

    Runs inside the caller's transaction. The triggers fire for every program that writes
    the table through SQLite (QGIS, GDAL, the sqlite3 shell), so a change made outside
    PipeAtlas makes the stored topology stale.
    """
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {EDITS_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
        "layer TEXT UNIQUE NOT NULL, edits INTEGER NOT NULL DEFAULT 0)"
    )
    gpkg.register_attributes(con, EDITS_TABLE, "PipeAtlas edit counters of the layers")
    tables = gpkg.table_names(con)
    for kind in kinds:
        if kind not in tables:
            continue
        con.execute(f"INSERT OR IGNORE INTO {EDITS_TABLE} (layer, edits) VALUES (?, 0)", (kind,))
        for op in ("INSERT", "UPDATE", "DELETE"):
            con.execute(
                f'CREATE TRIGGER IF NOT EXISTS "pa_edits_{kind}_{op.lower()}" AFTER {op} '
                f'ON "{kind}" BEGIN UPDATE {EDITS_TABLE} SET edits = edits + 1 '
                f"WHERE layer = '{kind}'; END"
            )


def layer_keys(con: sqlite3.Connection) -> dict[str, str]:
    """One key per network layer present: rows, largest fid, last change, edit counter,
    triggers present (see the module notes)."""
    tables = gpkg.table_names(con)
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    edits = (
        dict(con.execute(f"SELECT layer, edits FROM {EDITS_TABLE}").fetchall())
        if EDITS_TABLE in tables
        else {}
    )
    changed = dict(con.execute("SELECT table_name, last_change FROM gpkg_contents").fetchall())
    counts = feature_counts(con)
    out = {}
    for kind in NETWORK_LAYERS:
        if kind not in tables:
            continue
        n = counts.get(kind)
        if n is None:
            n = con.execute(f'SELECT count(*) FROM "{kind}"').fetchone()[0]
        top = con.execute(f'SELECT max(fid) FROM "{kind}"').fetchone()[0]
        armed = all(f"pa_edits_{kind}_{op}" in triggers for op in ("insert", "update", "delete"))
        out[kind] = f"{n}|{top}|{changed.get(kind)}|{edits.get(kind)}|{int(armed)}"
    return out


def feature_counts(con: sqlite3.Connection) -> dict[str, int]:
    """Feature count per layer as GDAL keeps it (``gpkg_ogr_contents``; empty if absent)."""
    if "gpkg_ogr_contents" not in gpkg.table_names(con):
        return {}
    return {
        str(t): int(n)
        for t, n in con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents")
        if n is not None
    }


# --- encoding ------------------------------------------------------------------------------
def _ipc(columns: Mapping[str, Any]) -> bytearray:
    """*columns* as an Arrow IPC stream, written once into a buffer of its exact size (a
    growing buffer, then copied out, held up to three times the 40 MB of a million edges)."""
    table = pa.table({k: _arrow(v) for k, v in columns.items()})
    size = pa.MockOutputStream()
    with pa.ipc.new_stream(size, table.schema) as writer:
        writer.write_table(table)
    out = bytearray(size.size())
    with pa.ipc.new_stream(pa.FixedSizeBufferWriter(pa.py_buffer(out)), table.schema) as writer:
        writer.write_table(table)
    return out


def _arrow(v: Any) -> pa.Array:
    if isinstance(v, pa.Array):
        return v
    a = np.asarray(v)
    if a.dtype == object:
        try:  # all text (None or NaN for missing): Arrow converts without Python's loop
            return pa.array(a, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([None if x is None or x != x else str(x) for x in a], type=pa.string())
    return pa.array(a)


def _codes(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Categorical codes (int8/int32) and the categories of an object array (None kept)."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        codes, uniques = _codes_missing_as_one(values)
    else:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    dt = np.int8 if len(uniques) < 127 else np.int32
    cats = [None if u is None or (isinstance(u, float) and u != u) else u for u in uniques]
    return codes.astype(dt), cats


def _codes_missing_as_one(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """``pd.factorize(values, use_na_sentinel=False)`` of an object array, without its
    pass that first replaces every missing value by NaN (a second per million values here).

    Factorised with the sentinel, the missing values are then given the category where the
    first of them stands: codes are numbered in order of first appearance, so the codes
    before it are ``0 … k-1`` and the missing values become ``k``, the rest move up one.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = list(uniques)
    missing = codes < 0
    if missing.any():
        first = int(np.argmax(missing))
        k = int(codes[:first].max()) + 1 if first else 0
        codes = np.where(missing, k, codes + (codes >= k))
        uniques.insert(k, None)
    return codes, uniques


def _table(blob: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.BufferReader(blob)).read_all()


def _col(t: pa.Table, name: str, dtype: Any = None) -> np.ndarray:
    c = t.column(name)
    if pa.types.is_string(c.type) or pa.types.is_large_string(c.type):
        # to_pylist, not to_numpy: Arrow converts text through pandas (half a second to load)
        out = np.empty(len(c), dtype=object)
        out[:] = c.to_pylist()
        return out
    a = _numpy(c)
    return a.astype(dtype) if dtype is not None else a


_FLOAT_NAMES = {"double": "float64", "float": "float32", "halffloat": "float16"}


def _numpy(c: Any) -> np.ndarray:
    """A numeric or boolean Arrow column as numpy, read from its buffers (Arrow's own
    ``to_numpy`` loads pandas, half a second a command)."""
    a = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
    if a.null_count or not (
        pa.types.is_integer(a.type) or pa.types.is_floating(a.type) or pa.types.is_boolean(a.type)
    ):
        return a.to_numpy(zero_copy_only=False)
    n, off, buf = len(a), a.offset, a.buffers()[1]
    if pa.types.is_boolean(a.type):
        if buf is None:
            return np.zeros(0, dtype=bool)
        bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), bitorder="little")
        return bits[off : off + n].astype(bool)
    dt = np.dtype(_FLOAT_NAMES.get(str(a.type), str(a.type)))
    if buf is None:
        return np.zeros(0, dtype=dt)
    return np.frombuffer(buf, dtype=dt, count=n, offset=off * dt.itemsize).copy()


def _decode(codes: np.ndarray, cats: list[Any]) -> np.ndarray:
    return np.asarray([*cats, None], dtype=object)[codes.astype(np.int64)]


def encode(checked: Any) -> dict[str, bytes | bytearray]:
    """The rows of ``pa_topology`` (name -> data) for a :class:`CheckedNetwork`."""
    return dict(iter_encode(checked))


def iter_encode(checked: Any) -> Iterator[tuple[str, bytes | bytearray]]:
    """The rows of :func:`encode`, each made when the one before has been taken (so that a
    writer need hold one table at a time beside the network: at a million pipes they are
    165 MB in all)."""
    net = checked.network
    cats: dict[str, list[Any]] = {}

    def coded(name: str, values: np.ndarray) -> np.ndarray:
        c, cats[name] = _codes(values)
        return c

    pe = net.pipe_edges
    yield (
        "nodes",
        _ipc(
            {
                "id": net.node_ids,
                "x": net.node_xy[:, 0],
                "y": net.node_xy[:, 1],
                "kind": coded("node_kind", net.node_kind),
                "manhole_row": net.node_manhole_row.astype(np.int32),
                "barrier": net.node_barrier,
            }
        ),
    )
    yield (
        "pieces",
        _ipc(
            {
                "pipe": _piece_pipe_codes(net),
                "row": net.piece_row.astype(np.int32),
                "length_m": net.piece_length_m,
                "start": net.piece_start_node.astype(np.int32),
                "end": net.piece_end_node.astype(np.int32),
                "reversed": net.piece_reversed,
                "dir_source": coded("dir_source", net.piece_dir_source),
                "system": coded("system", net.piece_system),
                "diameter_mm": net.piece_diameter_mm,
                "status": coded("status", net.piece_status),
                "up_invert": net.piece_up_invert,
                "down_invert": net.piece_down_invert,
                "slope_conflict": net.piece_slope_conflict,
                "fields_mismatch": net.piece_fields_mismatch,
                "flowdir_conflict": net.piece_flowdir_conflict,
                "multipart": net.piece_multipart,
                "feature": net.piece_feature.astype(np.int32),
            }
        ),
    )
    yield "pipes", _ipc({"id": pe.uniques})
    yield (
        "edges",
        _ipc(
            {
                "u": net.edge_u.astype(np.int32),
                "v": net.edge_v.astype(np.int32),
                "piece": net.edge_piece.astype(np.int32),
                "part": net.edge_part.astype(np.int32),
                "length_m": net.edge_length_m,
                "frac0": net.edge_frac0,
                "frac1": net.edge_frac1,
                "open": net.edge_open,
                "pipe": pe.codes.astype(np.int32),
            }
        ),
    )
    yield (
        "enterprises",
        _ipc(
            {
                "id": net.ent_ids,
                "x": net.ent_xy[:, 0] if len(net.ent_xy) else np.empty(0),
                "y": net.ent_xy[:, 1] if len(net.ent_xy) else np.empty(0),
                "node": net.ent_node.astype(np.int32),
                "edge": net.ent_edge.astype(np.int32),
                "method": net.ent_method,
                "distance_m": net.ent_distance_m.astype(float),
                "flow_tpd": net.ent_flow_tpd.astype(float),
                "cod_mgl": net.ent_cod_mgl.astype(float),
            }
        ),
    )
    yield "plants", _ipc({"id": net.plant_ids, "node": net.plant_node.astype(np.int32)})
    yield (
        "outfalls",
        _ipc(
            {
                "id": net.outfall_ids,
                "node": net.outfall_node.astype(np.int32),
                "class": net.outfall_class,
            }
        ),
    )
    yield (
        "sides",
        _ipc(
            {
                "node": np.array([s[0] for s in net.side_connections], dtype=np.int32),
                "piece": np.array([s[1] for s in net.side_connections], dtype=np.int32),
                "at_m": np.array([s[2] for s in net.side_connections], dtype=float),
            }
        ),
    )
    yield "register", _register_blob(checked.register, pe.uniques)
    texts = {
        "categories": cats,
        "contacts": [asdict(c) for c in net.contacts],
        "build_issues": [i.to_dict() for i in net.build_issues],
        "checks": [i.to_dict() for i in checked.checks],
        "aliases": net.pipe_alias,
        "register_totals": {
            "plants": list(checked.register.plants),
            "park": checked.register.park,
        },
        "network": {
            "settings": net.settings,
            "unit_m": net.unit_m,
            "snap_tolerance_m": net.snap_tolerance_m,
            "attach_distance_m": net.attach_distance_m,
        },
    }
    for name, value in texts.items():
        yield name, json.dumps(value, ensure_ascii=False, default=_json_default).encode()


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def _register_blob(register: Any, pipe_ids: np.ndarray) -> bytearray:
    """The register's rows; each row's pipes as codes into *pipe_ids* (the unique ids)."""
    rows = register.rows
    sizes = np.array([len(r.pipes) for r in rows], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    known = getattr(register, "pipe_codes", None)  # the codes the register was traced with
    if (
        known is not None
        and known.uniques is pipe_ids
        and np.array_equal(known.offsets, offsets)
        and known.flat.dtype == np.int32
    ):
        flat = known.flat
    else:
        flat = _pipe_codes(list(itertools.chain.from_iterable(r.pipes for r in rows)), pipe_ids)
    o_sizes = np.array([len(r.outfalls) for r in rows], dtype=np.int64)
    o_off = np.concatenate([[0], np.cumsum(o_sizes)]).astype(np.int32)
    o_flat = pa.array([o for r in rows for o in r.outfalls], type=pa.string())

    def col(name: str) -> list[Any]:
        return [getattr(r, name) for r in rows]

    return _ipc(
        {
            "ent_id": pa.array(col("ent_id"), type=pa.string()),
            "name": pa.array(col("name"), type=pa.string()),
            "credit_code": pa.array(col("credit_code"), type=pa.string()),
            "flow_tpd": pa.array(col("flow_tpd"), type=pa.float64()),
            "cod_mgl": pa.array(col("cod_mgl"), type=pa.float64()),
            "cod_kgd": pa.array(col("cod_kgd"), type=pa.float64()),
            "node": pa.array(col("node"), type=pa.string()),
            "method": pa.array(col("method"), type=pa.string()),
            "status": pa.array(col("status"), type=pa.string()),
            "plant_id": pa.array(col("plant_id"), type=pa.string()),
            "outfalls": pa.ListArray.from_arrays(pa.array(o_off), o_flat),
            "path_length_m": pa.array(col("path_length_m"), type=pa.float64()),
            "pipes": pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat)),
        }
    )


def _piece_pipe_codes(net: Any) -> np.ndarray:
    """The position of each piece's pipe id in ``net.pipe_edges.uniques``, as
    ``_pipe_codes(net.piece_pipe_id, uniques)`` gives it.

    Every edge knows its pipe's code and its piece: when every piece has an edge, a piece's
    code is that of its edges, checked against the piece's id (one comparison per piece,
    mostly of the very same string objects) instead of a million ids hashed again.
    """
    pe = net.pipe_edges
    n = len(net.piece_pipe_id)
    codes = np.full(n, -1, dtype=np.int64)
    codes[net.edge_piece] = pe.codes
    if n and (codes >= 0).all() and (pe.uniques[codes] == net.piece_pipe_id).all():
        return codes.astype(np.int32)
    return _pipe_codes(net.piece_pipe_id, pe.uniques)


def _pipe_codes(pipes: list[str] | np.ndarray, pipe_ids: np.ndarray) -> np.ndarray:
    """The position of each of *pipes* in *pipe_ids* (millions of ids hashed by Arrow, not
    looked up one by one); a pipe not in *pipe_ids* is a bug (KeyError)."""
    import pyarrow.compute as pc

    try:
        pos = pc.index_in(
            pa.array(pipes, type=pa.string()), value_set=pa.array(pipe_ids, type=pa.string())
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids that are not all text
        look = dict(zip(pipe_ids.tolist(), range(len(pipe_ids)), strict=True))
        return np.fromiter(map(look.__getitem__, list(pipes)), dtype=np.int32, count=len(pipes))
    if pos.null_count:
        missing = pc.filter(pa.array(pipes, type=pa.string()), pos.is_null())
        raise KeyError(missing[0].as_py())
    return _numpy(pos).astype(np.int32)


# --- writing -------------------------------------------------------------------------------
def write_topology(
    con: sqlite3.Connection,
    checked: Any,
    *,
    settings_text: str,
    crs_wkt: str,
    encoded: Mapping[str, bytes | bytearray] | None = None,
) -> None:
    """Replace the stored topology with the :class:`CheckedNetwork` *checked* (inside the
    caller's transaction), each table encoded as it is written: one is held at a time
    beside the network. *encoded*: its tables encoded already (:func:`encode`), by a caller
    that had the time to spare and the memory.

    *settings_text* and *crs_wkt* are the values ``pa_project`` holds (``settings``,
    ``crs``); the edit triggers are installed and the layer keys taken here, after the
    layers were written.
    """
    install_edit_triggers(con, list(NETWORK_LAYERS))
    net = checked.network
    sizes = {"nodes": net.n_nodes, "edges": net.n_edges, "pieces": len(net.piece_row)}
    meta = {
        "format": TOPOLOGY_FORMAT,
        "engine": engine_hash(),
        "settings": settings_text,
        "crs": hashlib.sha256(crs_wkt.encode()).hexdigest()[:16],
        "layers": layer_keys(con),
        "sizes": sizes,
    }
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TOPOLOGY_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
        "name TEXT UNIQUE NOT NULL, data BLOB)"
    )
    gpkg.register_attributes(con, TOPOLOGY_TABLE, "PipeAtlas built network (cache)")
    con.execute(f"DELETE FROM {TOPOLOGY_TABLE}")
    _insert_blob(con, "meta", json.dumps(meta).encode())
    for name, data in iter_encode(checked) if encoded is None else encoded.items():
        _insert_blob(con, name, data)
        del data  # not held while the next table is made


#: Bytes of a stored blob written at a time (see :func:`_insert_blob`).
_BLOB_CHUNK = 1 << 20


def _insert_blob(con: sqlite3.Connection, name: str, data: bytes | bytearray) -> None:
    """One row of ``pa_topology``: its blob written through SQLite's incremental blob I/O,
    by the megabyte (bound as a parameter, SQLite copies a blob whole, twice: 90 MB more for
    the 44 MB of a million edges)."""
    cur = con.execute(
        f"INSERT INTO {TOPOLOGY_TABLE} (name, data) VALUES (?, zeroblob(?))", (name, len(data))
    )
    if not data:
        return
    with con.blobopen(TOPOLOGY_TABLE, "data", cur.lastrowid) as blob:
        view = memoryview(data)
        for at in range(0, len(view), _BLOB_CHUNK):
            blob.write(view[at : at + _BLOB_CHUNK])


def drop_topology(con: sqlite3.Connection) -> None:
    """Remove the stored topology (inside the caller's transaction)."""
    con.execute(f"DROP TABLE IF EXISTS {TOPOLOGY_TABLE}")
    if "gpkg_contents" in gpkg.table_names(con):
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (TOPOLOGY_TABLE,))


def store_checked_network(path: str | Path, checked: Any) -> bool:
    """Write *checked* into the project at *path* in place (one transaction).

    Returns False (with a log note) when the file cannot be written (read-only, locked).
    """
    path = Path(path)
    try:
        con = gpkg.connect(path, write=True, timeout_s=2.0)
    except ProjectError as exc:
        log.info("cannot store the network in %s: %s", path.name, exc)
        return False
    try:
        meta = dict(con.execute("SELECT key, value FROM pa_project").fetchall())
        with gpkg.transaction(con, path):
            write_topology(
                con, checked, settings_text=meta.get("settings") or "", crs_wkt=meta.get("crs", "")
            )
        return True
    except (ProjectError, sqlite3.Error) as exc:
        log.info("cannot store the network in %s: %s", path.name, exc)
        return False
    finally:
        con.close()


# --- reading -------------------------------------------------------------------------------
class StaleTopology(Exception):
    """The stored topology does not belong to the layers and settings of the file."""


def topology_status(path: str | Path) -> str:
    """``fresh``, ``absent``, ``stale: why`` or ``garbled: why`` for the project at *path*."""
    try:
        _read(Path(path), decode=False)
    except StaleTopology as exc:
        return str(exc)
    return "fresh"


def load_checked_network(
    path: str | Path, layers: Mapping[str, Any] | None = None, *, version: int = 0
) -> Any:
    """The :class:`network.state.CheckedNetwork` stored in the project, or None.

    None when there is none, when it is stale (a layer, the settings, the CRS or the
    network code changed since it was stored) or when it cannot be decoded (then a warning
    is logged): the caller builds the network instead.

    Parameters
    ----------
    path : the project file
    layers : the layers already read (``project.layers``); the network refers to them.
        Default: each layer is read from the file when first asked for.
    version : stored in :attr:`CheckedNetwork.version`

    Raises
    ------
    ProjectError
        The file is not a readable project.
    """
    try:
        return _read(Path(path), decode=True, layers=layers, version=version)
    except StaleTopology as exc:
        (log.warning if str(exc).startswith("garbled") else log.info)(
            "%s: stored network not used (%s); building it", Path(path).name, exc
        )
        return None


def _read(path: Path, *, decode: bool, layers: Any = None, version: int = 0) -> Any:
    con = gpkg.connect(path)
    try:
        tables = gpkg.table_names(con)
        if TOPOLOGY_TABLE not in tables:
            raise StaleTopology("absent")
        try:
            meta_row = con.execute(
                f"SELECT data FROM {TOPOLOGY_TABLE} WHERE name = 'meta'"
            ).fetchone()
            meta = json.loads(bytes(meta_row[0])) if meta_row else None
            project = dict(con.execute("SELECT key, value FROM pa_project").fetchall())
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise StaleTopology(f"garbled: {exc}") from exc
        if not isinstance(meta, dict):
            raise StaleTopology("garbled: no meta row")
        if meta.get("format") != TOPOLOGY_FORMAT:
            raise StaleTopology(f"stale: format {meta.get('format')} (reads {TOPOLOGY_FORMAT})")
        if meta.get("engine") != engine_hash():
            raise StaleTopology("stale: built by another version of the network code")
        if meta.get("settings") != (project.get("settings") or ""):
            raise StaleTopology("stale: the settings changed")
        crs = hashlib.sha256(project.get("crs", "").encode()).hexdigest()[:16]
        if meta.get("crs") != crs:
            raise StaleTopology("stale: the CRS changed")
        keys = layer_keys(con)
        if meta.get("layers") != keys:
            changed = sorted(
                k
                for k in set(keys) | set(meta.get("layers") or {})
                if keys.get(k) != (meta.get("layers") or {}).get(k)
            )
            raise StaleTopology(f"stale: layer(s) {', '.join(changed)} changed")
        if not decode:
            return None
        blobs = {
            name: bytes(data)
            for name, data in con.execute(f"SELECT name, data FROM {TOPOLOGY_TABLE}")
        }
    finally:
        con.close()
    try:
        return _decode_checked(path, project, blobs, meta, layers, version)
    except (pa.ArrowException, KeyError, ValueError, TypeError, IndexError) as exc:
        raise StaleTopology(f"garbled: {type(exc).__name__}: {exc}") from exc


def _json(blobs: Mapping[str, bytes], name: str) -> Any:
    return json.loads(blobs[name].decode())


def _decode_checked(
    path: Path,
    project: Mapping[str, str],
    blobs: Mapping[str, bytes],
    meta: Mapping[str, Any],
    layers: Any,
    version: int,
) -> Any:
    from pyproj import CRS

    from network.analysis import ConnectionRegister, ConnectionRow
    from network.graph import Contact, IdIndex, Network, PipeEdges
    from network.state import CheckedNetwork

    cats = _json(blobs, "categories")
    nodes = _table(blobs["nodes"])
    pieces = _table(blobs["pieces"])
    edges = _table(blobs["edges"])
    ents = _table(blobs["enterprises"])
    plants = _table(blobs["plants"])
    outfalls = _table(blobs["outfalls"])
    sides = _table(blobs["sides"])
    uniques = _col(_table(blobs["pipes"]), "id")
    n_nodes, n_pieces, n_edges = nodes.num_rows, pieces.num_rows, edges.num_rows
    sizes = meta.get("sizes", {})
    if (n_nodes, n_edges, n_pieces) != (
        sizes.get("nodes"),
        sizes.get("edges"),
        sizes.get("pieces"),
    ):
        raise ValueError("array sizes differ from the meta row")
    for name, arr, bound in (
        ("edge u", _col(edges, "u"), n_nodes),
        ("edge v", _col(edges, "v"), n_nodes),
        ("edge piece", _col(edges, "piece"), n_pieces),
        ("edge pipe", _col(edges, "pipe"), len(uniques)),
        ("piece pipe", _col(pieces, "pipe"), len(uniques)),
        ("piece start", _col(pieces, "start"), n_nodes),
        ("piece end", _col(pieces, "end"), n_nodes),
    ):
        if len(arr) and (arr.min() < 0 or arr.max() >= bound):
            raise ValueError(f"{name} index out of range")
    for name, t in (("enterprises", ents), ("plants", plants), ("outfalls", outfalls)):
        node = _col(t, "node")
        if len(node) and (node.min() < -1 or node.max() >= n_nodes):
            raise ValueError(f"{name} node index out of range")
    info = _json(blobs, "network")
    crs = CRS.from_wkt(project["crs"])
    if project.get("crs_epsg"):
        with contextlib.suppress(Exception):  # keep the WKT, as open_project does
            crs = CRS.from_epsg(int(project["crs_epsg"]))
    node_ids = _col(nodes, "id")
    pipe_codes = _col(edges, "pipe", np.int64)
    net = Network(
        layers=LazyLayers(path, crs, layers),
        settings=info["settings"],
        crs=crs,
        unit_m=float(info["unit_m"]),
        snap_tolerance_m=float(info["snap_tolerance_m"]),
        attach_distance_m=float(info["attach_distance_m"]),
        node_ids=node_ids,
        node_xy=np.column_stack([_col(nodes, "x"), _col(nodes, "y")]),
        node_kind=_decode(_col(nodes, "kind"), cats["node_kind"]),
        node_manhole_row=_col(nodes, "manhole_row", np.int64),
        node_barrier=_col(nodes, "barrier", bool),
        node_index=IdIndex(node_ids),
        piece_pipe_id=uniques[_col(pieces, "pipe", np.int64)],
        piece_row=_col(pieces, "row", np.int64),
        piece_geom=LazyGeometry(path, _col(pieces, "row", np.int64)),  # type: ignore[arg-type]
        piece_length_m=_col(pieces, "length_m", float),
        piece_start_node=_col(pieces, "start", np.int64),
        piece_end_node=_col(pieces, "end", np.int64),
        piece_reversed=_col(pieces, "reversed", bool),
        piece_dir_source=_decode(_col(pieces, "dir_source"), cats["dir_source"]),
        piece_system=_decode(_col(pieces, "system"), cats["system"]),
        piece_diameter_mm=_col(pieces, "diameter_mm", float),
        piece_status=_decode(_col(pieces, "status"), cats["status"]),
        piece_up_invert=_col(pieces, "up_invert", float),
        piece_down_invert=_col(pieces, "down_invert", float),
        piece_slope_conflict=_col(pieces, "slope_conflict", bool),
        piece_fields_mismatch=_col(pieces, "fields_mismatch", bool),
        piece_flowdir_conflict=_col(pieces, "flowdir_conflict", bool),
        piece_multipart=_col(pieces, "multipart", bool),
        piece_feature=_col(pieces, "feature", np.int64),
        edge_u=_col(edges, "u", np.int64),
        edge_v=_col(edges, "v", np.int64),
        edge_piece=_col(edges, "piece", np.int64),
        edge_part=_col(edges, "part", np.int64),
        edge_length_m=_col(edges, "length_m", float),
        edge_frac0=_col(edges, "frac0", float),
        edge_frac1=_col(edges, "frac1", float),
        edge_open=_col(edges, "open", bool),
        side_connections=list(
            zip(
                _col(sides, "node", np.int64).tolist(),
                _col(sides, "piece", np.int64).tolist(),
                _col(sides, "at_m", float).tolist(),
                strict=True,
            )
        ),
        contacts=[
            Contact(
                **{
                    **c,
                    "xy": tuple(c["xy"]),
                    "systems": tuple(c["systems"]),
                    "inverts": tuple(c["inverts"]),
                }
            )
            for c in _json(blobs, "contacts")
        ],
        ent_ids=_col(ents, "id"),
        ent_xy=np.column_stack([_col(ents, "x", float), _col(ents, "y", float)]),
        ent_node=_col(ents, "node", np.int64),
        ent_edge=_col(ents, "edge", np.int64),
        ent_method=_col(ents, "method"),
        ent_distance_m=_col(ents, "distance_m", float),
        ent_flow_tpd=_col(ents, "flow_tpd", float),
        ent_cod_mgl=_col(ents, "cod_mgl", float),
        plant_ids=_col(plants, "id"),
        plant_node=_col(plants, "node", np.int64),
        outfall_ids=_col(outfalls, "id"),
        outfall_node=_col(outfalls, "node", np.int64),
        outfall_class=_col(outfalls, "class"),
        build_issues=[Issue.from_dict(d) for d in _json(blobs, "build_issues")],
        pipe_edges=PipeEdges.from_codes(pipe_codes, uniques),
        pipe_alias={k: tuple(v) for k, v in _json(blobs, "aliases").items()},
    )
    net.ent_index = IdIndex(net.ent_ids)
    net.plant_index = IdIndex(net.plant_ids, first=True)
    net.outfall_index = IdIndex(net.outfall_ids, first=True)
    register = LazyRegister(
        lambda: _decode_register(blobs, uniques, ConnectionRow, ConnectionRegister)
    )
    checks = tuple(Issue.from_dict(d) for d in _json(blobs, "checks"))
    return CheckedNetwork(net, checks, register, version)


def _decode_register(
    blobs: Mapping[str, bytes], uniques: np.ndarray, row_type: Any, reg_type: Any
) -> Any:
    t = _table(blobs["register"])
    totals = _json(blobs, "register_totals")
    pipes_col = t.column("pipes").combine_chunks()
    outs_col = t.column("outfalls").combine_chunks()
    p_off = pipes_col.offsets.to_numpy()
    p_flat = uniques[pipes_col.values.to_numpy().astype(np.int64)].tolist()
    o_off = outs_col.offsets.to_numpy()
    o_flat = outs_col.values.to_pylist()
    cols = {
        name: t.column(name).to_pylist()
        for name in (
            "ent_id",
            "name",
            "credit_code",
            "flow_tpd",
            "cod_mgl",
            "cod_kgd",
            "node",
            "method",
            "status",
            "plant_id",
            "path_length_m",
        )
    }
    rows = tuple(
        row_type(
            cols["ent_id"][i],
            cols["name"][i],
            cols["credit_code"][i],
            cols["flow_tpd"][i],
            cols["cod_mgl"][i],
            cols["cod_kgd"][i],
            cols["node"][i],
            cols["method"][i],
            cols["status"][i],
            cols["plant_id"][i],
            tuple(o_flat[o_off[i] : o_off[i + 1]]),
            cols["path_length_m"][i],
            tuple(p_flat[p_off[i] : p_off[i + 1]]),
        )
        for i in range(t.num_rows)
    )
    return reg_type(rows, tuple(totals["plants"]), totals["park"])


# --- what the loaded network reads only when asked ------------------------------------------
class LazyLayers(Mapping):
    """The project's layers, each read from the file on first use (or the frames given)."""

    def __init__(self, path: Path, crs: Any, given: Mapping[str, Any] | None) -> None:
        self._path = path
        self._crs = crs
        self._frames: dict[str, Any] = dict(given) if given is not None else {}
        self._complete = given is not None
        self._present: list[str] | None = None

    def _kinds(self) -> list[str]:
        if self._complete:
            return list(self._frames)
        if self._present is None:
            import pyogrio

            names = {str(n) for n, _ in pyogrio.list_layers(self._path)}
            self._present = [k for k in S.LAYER_KINDS if k in names]
        return self._present

    def __getitem__(self, kind: str) -> Any:
        if kind not in self._frames:
            if self._complete or kind not in self._kinds():
                raise KeyError(kind)
            from network.io.project import open_project

            self._frames[kind] = open_project(self._path, kinds=[kind]).layers[kind]
        return self._frames[kind]

    def __contains__(self, kind: object) -> bool:
        # Mapping's would read the layer to answer
        return kind in self._frames or (not self._complete and kind in self._kinds())

    def columns(self, kind: str, names: list[str]) -> Any:
        """Only the columns *names* of layer *kind* (those it has), no geometry: from the
        frame when it was read, else from the file alone (a statistic needs no geometry).

        Raises
        ------
        KeyError
            The project has no layer *kind*.
        """
        if kind in self._frames or self._complete or kind not in self._kinds():
            frame = self[kind]
            return frame[[c for c in names if c in frame.columns]]
        from network.io.project import read_layer_columns

        return read_layer_columns(self._path, kind, names)

    def wkb_columns(self, kind: str, names: list[str]) -> tuple[Any, Any] | None:
        """Only the columns *names* of layer *kind* (those it has) and its geometry as WKB
        (an Arrow binary array, row for row), read from the file alone: a million shapes
        cost no shapely object until some are asked for. None when the frame is read
        already (use its geometry), or the project has no layer *kind*.

        Raises
        ------
        ProjectError
            The layer cannot be read.
        """
        if kind in self._frames or self._complete or kind not in self._kinds():
            return None
        import pyogrio
        import pyogrio.errors

        from network.errors import ProjectError
        from network.io.project import conform_columns

        try:
            fields = set(pyogrio.read_info(self._path, layer=kind)["fields"].tolist())
            meta, table = pyogrio.read_arrow(
                self._path, layer=kind, columns=[c for c in names if c in fields]
            )
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
            raise ProjectError(
                f"{self._path.name}: cannot read layer {kind}: {exc}",
                file=str(self._path),
                layer=kind,
            ) from exc
        geom = meta["geometry_name"] or "wkb_geometry"
        attrs = conform_columns(table.drop_columns([geom]).to_pandas(), kind)
        return attrs, table.column(geom)

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds())

    def __len__(self) -> int:
        return len(self._kinds())


class LazyRegister:
    """The stored :class:`network.analysis.ConnectionRegister`, decoded on first use (a
    trace never needs its millions of path pipe ids)."""

    def __init__(self, decode: Any) -> None:
        self._decode = decode
        self._register: Any = None

    def _get(self) -> Any:
        if self._register is None:
            self._register = self._decode()
            self._decode = None
        return self._register

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._get(), name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRegister):
            other = other._get()
        return self._get() == other

    __hash__ = None  # type: ignore[assignment]


class LazyGeometry:
    """Piece geometries (``piece_geom``), read from the ``pipes`` layer on first use."""

    def __init__(self, path: Path, piece_row: np.ndarray) -> None:
        self._path = path
        self._rows = piece_row
        self._geoms: np.ndarray | None = None

    def _load(self) -> np.ndarray:
        if self._geoms is None:
            import pyogrio
            import shapely

            df = pyogrio.read_dataframe(self._path, layer=S.PIPES, columns=[], use_arrow=True)
            geoms = np.asarray(df.geometry.array, dtype=object)[self._rows]
            # a multi-part row owns several pieces: the k-th piece of a row is its k-th line
            multi = shapely.get_type_id(geoms) == 5
            if multi.any():
                rows = self._rows
                first = np.r_[True, rows[1:] != rows[:-1]]
                part = np.arange(len(rows)) - np.maximum.accumulate(
                    np.where(first, np.arange(len(rows)), 0)
                )
                idx = np.flatnonzero(multi)
                geoms[idx] = shapely.get_geometry(geoms[idx], part[idx])
            self._geoms = geoms
        return self._geoms

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        g = self._load()
        return g if dtype is None else g.astype(dtype)

    def __getitem__(self, key: Any) -> Any:
        return self._load()[key]

    def __len__(self) -> int:
        return len(self._rows)
