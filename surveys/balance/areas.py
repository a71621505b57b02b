"""Plant service areas (收集范围) as polygons: computed from the network, edited by people.

The network that drains to a plant (:func:`network.analysis.service_areas`) is drawn as a
buffer of its pipes (and of the enterprises connected to it). A user may replace that outline
with an edited polygon, stored in the project (table ``pa_balance_areas``); an edited polygon
wins over the computed one and is marked as edited. Areas are made disjoint (edited areas
first, then in plant order) so that nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from network.io import gpkg
from surveys.balance.coefficients import BalanceError
from surveys.record_commands import ProjectEdit

META_TABLE = "pa_balance_meta"
AREAS_TABLE = "pa_balance_areas"
SCHEMA_VERSION = 1
DEFAULT_BUFFER_M = 100.0


@dataclass(frozen=True)
class ServiceArea:
    """One plant's service area.

    ``geometry`` is the disjoint polygon used for the account (a shapely geometry, project
    CRS; None when the plant drains nothing and has no edited area); ``edited`` says a
    person drew it; ``pipes``/``enterprises`` are the network draining to the plant.
    """

    plant_id: str
    geometry: Any
    edited: bool
    pipes: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    length_m: float = 0.0
    note: str = ""

    @property
    def area_km2(self) -> float:
        """Area in km² (CRS in metres)."""
        return 0.0 if self.geometry is None else float(self.geometry.area) / 1e6


@dataclass(frozen=True)
class AreaData:
    """The edited areas stored in a project: plant id -> (WKT, note, modified)."""

    areas: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    schema_version: int = 0


_DDL = {
    META_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT",
    AREAS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, plant_id TEXT NOT NULL UNIQUE, "
    "wkt TEXT NOT NULL, note TEXT, modified TEXT",
}
_DESC = {
    META_TABLE: "PipeAtlas balance tables (schema version)",
    AREAS_TABLE: "PipeAtlas edited plant service areas 污水处理厂收集范围（人工修改）",
}


BALANCE_SCHEMA = gpkg.register_subject_schema(
    "balance",
    "pollutant-balance tables",
    _DDL,
    _DESC,
    version=SCHEMA_VERSION,
    version_table=META_TABLE,
)


def _read(con: sqlite3.Connection) -> AreaData:
    tables = gpkg.table_names(con)
    if META_TABLE not in tables:
        return AreaData()
    version = gpkg.stored_version(con, BALANCE_SCHEMA)
    areas = {
        r[0]: (r[1], r[2] or "", r[3] or "")
        for r in con.execute(f"SELECT plant_id, wkt, note, modified FROM {AREAS_TABLE}")
    }
    return AreaData(areas, version)


def read_edited_areas(path: str | Path) -> dict[str, Any]:
    """The edited service areas of a project: plant id -> shapely polygon (none: ``{}``).

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    import shapely

    data = gpkg.read_subject(path, BALANCE_SCHEMA, _read)
    return {pid: shapely.from_wkt(w) for pid, (w, _n, _m) in data.areas.items()}


def _valid_polygon(geom: Any, plant_id: str) -> Any:
    import shapely

    if isinstance(geom, str):
        try:
            geom = shapely.from_wkt(geom)
        except shapely.errors.GEOSException as exc:
            raise BalanceError(
                f"The service area of plant {plant_id} is not valid WKT: {exc}",
                record=plant_id,
                field="geometry",
            ) from exc
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        found = "nothing" if geom is None else geom.geom_type
        raise BalanceError(
            f"The service area of plant {plant_id} must be a polygon; found {found}.",
            record=plant_id,
            field="geometry",
        )
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type.endswith("Polygon")]
        geom = shapely.union_all(polys) if polys else None
        if geom is None or geom.is_empty:
            raise BalanceError(
                f"The service area of plant {plant_id} has no area once repaired.",
                record=plant_id,
                field="geometry",
            )
    return geom


class AreaStore(gpkg.SubjectStore):
    """Writes the edited service areas of one project (each write one transaction).

    Examples
    --------
    >>> with AreaStore("park.gpkg") as store:  # doctest: +SKIP
    ...     store.set_area("P01", "POLYGON ((0 0, 1000 0, 1000 1000, 0 0))", note="规划范围")
    """

    SCHEMA = BALANCE_SCHEMA

    def data(self) -> AreaData:
        """Everything stored now."""
        with self._db.reading() as con:
            return _read(con)

    def set_area(self, plant_id: str, geometry: Any, note: str = "") -> None:
        """Store an edited area (a shapely polygon or WKT) for *plant_id*; it wins over the
        computed one.

        Raises
        ------
        BalanceError
            The geometry is not a polygon with an area.
        """
        geom = _valid_polygon(geometry, plant_id)
        with self._db.transaction() as con:
            con.execute(
                f"INSERT INTO {AREAS_TABLE} (plant_id, wkt, note, modified) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(plant_id) DO UPDATE SET wkt = excluded.wkt, note = excluded.note, "
                "modified = excluded.modified",
                (plant_id, geom.wkt, note, dt.datetime.now().isoformat(timespec="seconds")),
            )

    def clear_area(self, plant_id: str) -> bool:
        """Drop the edited area of *plant_id* (the computed one applies again)."""
        with self._db.transaction() as con:
            cur = con.execute(f"DELETE FROM {AREAS_TABLE} WHERE plant_id = ?", (plant_id,))
            return cur.rowcount > 0


def service_area_polygons(
    net: Any,
    edited: Mapping[str, Any] | None = None,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> list[ServiceArea]:
    """One disjoint service-area polygon per plant of *net*.

    Computed outline: the pipes draining to the plant and the enterprises connected to it,
    buffered by *buffer_m* metres. An *edited* polygon (plant id -> polygon) replaces it.
    Overlaps go to the edited area first, then to the plants in their layer order.

    Parameters
    ----------
    net : network.graph.Network
    edited : mapping of str to shapely polygon, optional
    buffer_m : float
        Half-width of the band around the pipes (metres; the CRS must be metric).

    Returns
    -------
    list of ServiceArea
        In plant order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"], "from_node": ["A"], "to_node": ["B"]},
    ...                          geometry=[LineString([(0, 0), (100, 0)])], crs="EPSG:4547")
    >>> plants = gpd.GeoDataFrame({"plant_id": ["W"], "node_id": ["B"]},
    ...                           geometry=[Point(100, 0)], crs="EPSG:4547")
    >>> a = service_area_polygons(build_network({"pipes": pipes, "plants": plants}),
    ...                           buffer_m=10)
    >>> a[0].plant_id, round(a[0].geometry.bounds[0]), a[0].edited
    ('W', -10, False)
    """
    import shapely

    from network import schema as S
    from network.analysis import service_areas

    edited = {k: _valid_polygon(v, k) for k, v in (edited or {}).items()}
    sa = service_areas(net)
    pipe_codes, pipe_ids, pipe_shapes = _pipe_rows(net)
    ents = net.layers.get(S.ENTERPRISES)
    ent_geom: dict[str, Any] = {}
    if ents is not None and S.ENT_ID in ents.columns:
        for eid, g in zip(ents[S.ENT_ID].tolist(), ents.geometry.to_numpy(), strict=True):
            if g is not None and eid is not None:
                ent_geom[str(eid)] = g
    raw: dict[str, Any] = {}
    for a in sa:
        pid = a["plant_id"]
        if pid in edited:
            raw[pid] = edited[pid]
            continue
        # the rows of its pipes (a multipart pipe split into pieces: every piece)
        want = pipe_ids.get_indexer([str(p) for p in a["pipes"]])
        lines = pipe_shapes(np.flatnonzero(np.isin(pipe_codes, want[want >= 0])))
        lines = lines[~shapely.is_missing(lines)]
        points = [ent_geom[e] for e in a["enterprises"] if e in ent_geom]
        if not len(lines) and not points:
            raw[pid] = None
            continue
        raw[pid] = shapely.union_all(
            shapely.buffer([*_chains(lines), *points], buffer_m, quad_segs=4)
        )
    order = [a["plant_id"] for a in sa if a["plant_id"] in edited]
    order += [a["plant_id"] for a in sa if a["plant_id"] not in edited]
    taken = None
    final: dict[str, Any] = {}
    for pid in order:
        g = raw[pid]
        if g is not None and taken is not None:
            g = g.difference(taken)
        if g is not None and g.is_empty:
            g = None
        final[pid] = g
        if g is not None:
            taken = g if taken is None else shapely.union(taken, g)
    return [
        ServiceArea(
            plant_id=a["plant_id"],
            geometry=final[a["plant_id"]],
            edited=a["plant_id"] in edited,
            pipes=tuple(a["pipes"]),
            enterprises=tuple(a["enterprises"]),
            length_m=float(a["length_m"]),
        )
        for a in sa
    ]


def _pipe_rows(net: Any) -> tuple[np.ndarray, Any, Callable[[np.ndarray], np.ndarray]]:
    """The pipes layer's id of each row (codes into a ``pd.Index`` of the ids; -1 for none)
    and a function giving the shapes of some rows. A stored network's pipes are read as
    ids and WKB only, and shapely lines are made for the rows asked (a plant at a time):
    at a million pipes the whole layer with its attributes would double the memory."""
    import pandas as pd
    import shapely

    from network import schema as S

    layers = net.layers
    wkb_columns = getattr(layers, "wkb_columns", None)
    read = wkb_columns(S.PIPES, [S.PIPE_ID]) if wkb_columns is not None else None
    if read is not None:
        attrs, wkb = read
        ids = attrs[S.PIPE_ID] if S.PIPE_ID in attrs.columns else None

        def shapes(rows: np.ndarray) -> np.ndarray:
            taken = wkb.take(rows).to_numpy(zero_copy_only=False)
            return shapely.from_wkb(taken)

    else:
        pipes = layers.get(S.PIPES)
        if pipes is None:
            return np.empty(0, dtype=np.intp), pd.Index([]), lambda rows: np.empty(0, object)
        ids = pipes[S.PIPE_ID] if S.PIPE_ID in pipes.columns else None
        geometry = pipes.geometry.to_numpy()

        def shapes(rows: np.ndarray) -> np.ndarray:
            return geometry[rows]

    if ids is None:
        return np.empty(0, dtype=np.intp), pd.Index([]), shapes
    if pd.api.types.infer_dtype(ids, skipna=True) not in ("string", "empty"):
        ids = ids.map(lambda v: None if v is None or v != v else str(v))
    codes, uniques = pd.factorize(ids)
    return codes, pd.Index(uniques), shapes


def _chains(lines: Any) -> list[Any]:
    """The pipes joined into chains where they meet end to end (no noding): the band
    around them is the same, and unioning the buffers of a few thousand chains instead of a
    million pipes takes seconds instead of most of a minute."""
    import shapely

    if len(lines) < 2:
        return lines
    parts = np.asarray(lines, dtype=object)
    if (shapely.get_type_id(parts) != 1).any():  # multipart pipes: their parts
        parts = shapely.get_parts(parts)
    simple = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
    merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(parts[simple])))
    return [*merged, *parts[~simple]]


def polygon_from_file(path: str | Path, crs: Any = None) -> Any:
    """The union of the polygons of a layer file (GeoJSON, shapefile, GeoPackage …), in
    *crs* (the project CRS) when the file declares its own.

    Raises
    ------
    BalanceError
        The file does not exist, cannot be read or holds no polygon.
    """
    import geopandas as gpd
    import shapely

    p = Path(path)
    if not p.exists():
        raise BalanceError(f"{p} does not exist: give a polygon layer file.", file=str(p))
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:
        raise BalanceError(f"Cannot read {p.name}: {exc}", file=str(p)) from exc
    if gdf.crs is not None and crs is not None:
        gdf = gdf.to_crs(crs)
    geoms = [g for g in gdf.geometry.to_numpy() if g is not None and not g.is_empty]
    polys = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        raise BalanceError(
            f"{p.name} holds no polygon ({len(geoms)} other feature(s)); draw the service "
            "area as a polygon.",
            file=str(p),
        )
    return shapely.union_all(polys)


class SetArea(ProjectEdit):
    """Store (a polygon) or clear (None) the edited service area of a plant; undo brings
    back what was stored before (STYLE §6: ids and values, no widgets).

    Examples
    --------
    >>> cmd = SetArea("park.gpkg", "P02", "POLYGON ((0 0, 9 0, 9 9, 0 0))")  # doctest: +SKIP
    >>> cmd.do(); cmd.undo()  # doctest: +SKIP
    """

    def __init__(
        self,
        path: str | Path,
        plant_id: str,
        geometry: Any,
        note: str = "",
        after: Callable[[], None] | None = None,
        label: str = "Edit service area",
    ) -> None:
        super().__init__(path, after)
        self.plant_id = str(plant_id)
        self.new = None if geometry is None else _valid_polygon(geometry, self.plant_id).wkt
        self.note = note
        self.label = label
        self.old: tuple[str, str] | None = None
        self._have_old = False

    def _do(self) -> None:
        with AreaStore(self.path) as store:
            if not self._have_old:
                row = store.data().areas.get(self.plant_id)
                self.old = (row[0], row[1]) if row else None
                self._have_old = True
            if self.new is None:
                store.clear_area(self.plant_id)
            else:
                store.set_area(self.plant_id, self.new, self.note)

    def _undo(self) -> None:
        with AreaStore(self.path) as store:
            if self.old is None:
                store.clear_area(self.plant_id)
            else:
                store.set_area(self.plant_id, self.old[0], self.old[1])
