"""Read an EPA SWMM model (``.inp``) into the project's layer frames.

The frames use the canonical column names of :mod:`network.schema` (``pipe_id``,
``from_node``, ``to_node``, ``diameter_mm``, ``from_invert_m`` …) plus the SWMM columns of
:mod:`network.io.swmm.common` (``link_type``, ``xs_shape``, ``roughness``, offsets, the model
length), so that :func:`write_import_gpkg` can hand them to the ordinary project creation as
``FILE.gpkg:LAYER`` inputs (with its hygiene checks).

Units follow the model's FLOW_UNITS: CFS/GPM/MGD models are in feet, CMS/LPS/MLD models in
metres; every length, level and size is converted to metres (diameters to millimetres).
Offsets in ``DEPTH`` mode are heights above the node invert, in ``ELEVATION`` mode levels
(``*`` = the node invert); both give the pipe's end inverts.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network import schema as S
from network.io.swmm.common import (
    BARRELS,
    IN_OFFSET_M,
    INVERT_M,
    LINK_TYPE,
    MODEL_LENGTH_M,
    OUT_OFFSET_M,
    ROUGHNESS,
    SWMM_PARAMS,
    XS_HEIGHT_M,
    XS_SHAPE,
    XS_WIDTH_M,
    SwmmError,
    flow_unit_length,
)
from network.lazy import lazy_module

gpd = lazy_module("geopandas", globals())
pd = lazy_module("pandas", globals())
shapely_geometry = lazy_module("shapely.geometry", globals())

SUBCATCHMENTS = "subcatchments"
CIRCULAR_SHAPES = ("CIRCULAR", "FORCE_MAIN", "FILLED_CIRCULAR")
#: sections the importer maps (everything else that holds entries is listed as not mapped)
MAPPED_SECTIONS = frozenset(
    {
        "TITLE",
        "OPTIONS",
        "JUNCTIONS",
        "OUTFALLS",
        "STORAGE",
        "DIVIDERS",
        "CONDUITS",
        "PUMPS",
        "ORIFICES",
        "WEIRS",
        "OUTLETS",
        "XSECTIONS",
        "COORDINATES",
        "VERTICES",
        "POLYGONS",
        "SUBCATCHMENTS",
        "MAP",
    }
)
_WHY = {
    "SUBAREAS": "runoff parameters of subcatchments",
    "INFILTRATION": "infiltration parameters",
    "RAINGAGES": "rain gauges",
    "TIMESERIES": "time series",
    "EVAPORATION": "evaporation",
    "CURVES": "pump, storage and rating curves (kept with their links as swmm_params)",
    "DWF": "dry-weather inflows",
    "INFLOWS": "external inflows",
    "PATTERNS": "time patterns",
    "REPORT": "report options",
    "TAGS": "tags",
    "SYMBOLS": "rain gauge symbols",
    "PROFILES": "saved profiles",
    "LABELS": "map labels",
    "LOSSES": "conduit losses",
    "TRANSECTS": "irregular cross-sections",
    "POLLUTANTS": "pollutants",
    "LANDUSES": "land uses",
}


@dataclass
class SwmmModel:
    """A SWMM model as project layer frames (in the model's coordinate CRS).

    ``layers`` holds ``pipes``, ``manholes``, ``outfalls`` and, when the model draws
    subcatchment polygons, ``subcatchments``; ``not_mapped`` lists, one line each, what the
    importer could not carry over.
    """

    path: Path
    flow_units: str
    length_unit: str
    link_offsets: str
    layers: dict[str, Any]
    not_mapped: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Features per layer, and links per link type."""
        out = {k: len(v) for k, v in self.layers.items()}
        pipes = self.layers.get(S.PIPES)
        if pipes is not None and len(pipes):
            for t, n in pipes[LINK_TYPE].value_counts().items():
                out[f"{t}s"] = int(n)
        return out


def _num(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, bool | int | float | str) or v is None:
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return str(v)


def read_swmm(path: str | Path, crs: Any) -> SwmmModel:
    """Read a SWMM ``.inp`` file into pipes, manholes, outfalls (and subcatchments).

    Parameters
    ----------
    path : the model file
    crs : the CRS of the model's coordinates (SWMM files declare none)

    Raises
    ------
    SwmmError
        The file is missing or is no readable SWMM model, or it holds no link.

    Examples
    --------
    >>> m = read_swmm("brambleton.inp", "EPSG:2284")  # doctest: +SKIP
    >>> m.length_unit, len(m.layers["pipes"])  # doctest: +SKIP
    ('ft', 375)
    """
    with warnings.catch_warnings():  # swmm-api's notes on sections it keeps as text
        warnings.simplefilter("ignore")
        return _read_swmm(Path(path), crs)


def _read_swmm(path: Path, crs: Any) -> SwmmModel:
    if not path.is_file():
        raise SwmmError(f"{path} does not exist: give a SWMM model file (*.inp).", file=str(path))
    inp = _parse(path)
    options = inp["OPTIONS"] if "OPTIONS" in inp else {}  # noqa: SIM401 - get() is raw text
    flow_units = str(options.get("FLOW_UNITS", "CFS")).upper()
    try:
        unit, f = flow_unit_length(flow_units)
    except SwmmError as exc:
        raise SwmmError(exc.message, file=str(path), field="FLOW_UNITS") from exc
    offsets_mode = str(options.get("LINK_OFFSETS", "DEPTH")).upper()
    notes: list[str] = []
    coords = {k: (_num(c.x), _num(c.y)) for k, c in _section(inp, "COORDINATES").items()}
    nodes = _nodes(inp, f, coords, notes)
    node_invert = {r[S.NODE_ID]: r[INVERT_M] for r in nodes}
    pipes = _links(inp, f, offsets_mode, coords, node_invert, notes)
    if not pipes:
        raise SwmmError(
            f"{path.name} holds no conduit, pump, orifice, weir or outlet: nothing to import.",
            file=str(path),
        )
    layers: dict[str, Any] = {
        S.PIPES: gpd.GeoDataFrame(pipes, geometry="geometry", crs=crs),
        S.MANHOLES: gpd.GeoDataFrame(nodes, geometry="geometry", crs=crs),
    }
    outfalls = [
        {
            S.OUTFALL_ID: r[S.NODE_ID],
            S.NODE_ID: r[S.NODE_ID],
            S.NAME: r[S.NODE_ID],
            "swmm_outfall_type": r.get("swmm_outfall_type"),
            "geometry": r["geometry"],
        }
        for r in nodes
        if r[S.NODE_TYPE] == "outfall"
    ]
    if outfalls:
        layers[S.OUTFALLS] = gpd.GeoDataFrame(outfalls, geometry="geometry", crs=crs)
    subs = _subcatchments(inp, f, unit, notes)
    if subs:
        layers[SUBCATCHMENTS] = gpd.GeoDataFrame(subs, geometry="geometry", crs=crs)
    for name in inp:
        if name in MAPPED_SECTIONS:
            continue
        try:
            n = len(inp[name])
        except (TypeError, KeyError, ValueError):
            n = 0
        if n:
            why = _WHY.get(name, "no PipeAtlas counterpart")
            notes.append(f"[{name}] {n} entr{'y' if n == 1 else 'ies'} not imported ({why}).")
    return SwmmModel(path, flow_units, unit, offsets_mode, layers, notes)


def _parse(path: Path) -> Any:
    from swmm_api import read_inp_file

    try:
        text = path.read_bytes()
    except OSError as exc:
        raise SwmmError(f"Cannot read {path}: {exc.strerror or exc}.", file=str(path)) from exc
    if b"\x00" in text[:4096] or not any(
        s in text for s in (b"[CONDUITS]", b"[PUMPS]", b"[JUNCTIONS]", b"[OUTFALLS]")
    ):
        raise SwmmError(
            f"{path.name} is no SWMM model: it has no [JUNCTIONS], [OUTFALLS], [CONDUITS] or "
            "[PUMPS] section. Export the model from SWMM (File → Export → Input File).",
            file=str(path),
        )
    try:
        return read_inp_file(str(path), encoding=_encoding(text))
    except Exception as exc:
        raise SwmmError(
            f"{path.name} cannot be read as a SWMM model: {exc}. Open it in EPA SWMM, fix the "
            "line named, and save it again.",
            details=repr(exc),
            file=str(path),
        ) from exc


def _encoding(data: bytes) -> str:
    """UTF-8 if the bytes decode as such, else GB18030 (Chinese SWMM files are often GBK)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _section(inp: Any, name: str) -> Any:
    return inp[name] if name in inp else {}  # noqa: SIM401 - get() is raw text


def _point(xy: tuple[float, float] | None) -> Any:
    if xy is None or not all(math.isfinite(v) for v in xy):
        return None
    return shapely_geometry.Point(xy)


def _nodes(
    inp: Any, f: float, coords: dict[str, tuple[float, float]], notes: list[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    kinds = (("JUNCTIONS", "junction"), ("STORAGE", "storage"), ("DIVIDERS", "divider"))
    for section, kind in kinds:
        for name, n in _section(inp, section).items():
            invert = _num(n.elevation) * f
            depth = _num(getattr(n, "depth_max", math.nan)) * f
            has_depth = math.isfinite(depth) and depth > 0
            rows.append(
                {
                    S.NODE_ID: str(name),
                    S.NODE_TYPE: kind,
                    INVERT_M: invert,
                    S.GROUND_M: invert + depth if has_depth else None,
                    S.DEPTH_M: depth if has_depth else None,
                    "geometry": _point(coords.get(name)),
                }
            )
    for name, n in _section(inp, "OUTFALLS").items():
        rows.append(
            {
                S.NODE_ID: str(name),
                S.NODE_TYPE: "outfall",
                INVERT_M: _num(n.elevation) * f,
                S.GROUND_M: None,
                S.DEPTH_M: None,
                "swmm_outfall_type": str(n.kind),
                "geometry": _point(coords.get(name)),
            }
        )
    missing = [r[S.NODE_ID] for r in rows if r["geometry"] is None]
    if missing:
        notes.append(
            f"{len(missing)} node(s) without [COORDINATES] imported without a location "
            f"(left out of the map and the network): {', '.join(missing[:20])}"
            + (" …" if len(missing) > 20 else "")
        )
    undepthed = [
        r[S.NODE_ID] for r in rows if r[S.NODE_TYPE] != "outfall" and r[S.DEPTH_M] is None
    ]
    if undepthed:
        notes.append(
            f"{len(undepthed)} node(s) with MaxDepth 0 (SWMM: up to the highest pipe crown) "
            "have no ground level: "
            + ", ".join(undepthed[:20])
            + (" …" if len(undepthed) > 20 else "")
        )
    return rows


def _end_invert(offset: Any, node_inv: float, mode: str, f: float) -> tuple[float, float]:
    """(invert in m, offset above the node invert in m) of a link end."""
    if mode == "ELEVATION":
        level = _num(offset)
        if not math.isfinite(level):  # "*": at the node invert
            return node_inv, 0.0
        inv = level * f
        return inv, inv - node_inv
    off = _num(offset)
    off = 0.0 if not math.isfinite(off) else off * f
    return node_inv + off, off


def _links(
    inp: Any,
    f: float,
    mode: str,
    coords: dict[str, tuple[float, float]],
    node_invert: dict[str, float],
    notes: list[str],
) -> list[dict[str, Any]]:
    xs = _section(inp, "XSECTIONS")
    vertices = {k: list(v.vertices) for k, v in _section(inp, "VERTICES").items()}
    rows: list[dict[str, Any]] = []
    odd_shapes: dict[str, int] = {}
    unknown_nodes: list[str] = []
    no_geometry: list[str] = []
    for section, kind in (
        ("CONDUITS", "conduit"),
        ("PUMPS", "pump"),
        ("ORIFICES", "orifice"),
        ("WEIRS", "weir"),
        ("OUTLETS", "outlet"),
    ):
        for name, link in _section(inp, section).items():
            name = str(name)
            a, b = str(link.from_node), str(link.to_node)
            for n in (a, b):
                if n not in node_invert:
                    unknown_nodes.append(f"{name}→{n}")
            row: dict[str, Any] = {
                S.PIPE_ID: name,
                S.FROM_NODE: a,
                S.TO_NODE: b,
                LINK_TYPE: kind,
                S.DIAMETER_MM: None,
                XS_SHAPE: None,
                XS_HEIGHT_M: None,
                XS_WIDTH_M: None,
                BARRELS: None,
                ROUGHNESS: None,
                IN_OFFSET_M: None,
                OUT_OFFSET_M: None,
                S.FROM_INVERT_M: None,
                S.TO_INVERT_M: None,
                MODEL_LENGTH_M: None,
                SWMM_PARAMS: None,
            }
            if kind == "conduit":
                inv_a, off_a = _end_invert(
                    link.offset_upstream, node_invert.get(a, math.nan), mode, f
                )
                inv_b, off_b = _end_invert(
                    link.offset_downstream, node_invert.get(b, math.nan), mode, f
                )
                row.update(
                    {
                        MODEL_LENGTH_M: _num(link.length) * f,
                        ROUGHNESS: _num(link.roughness),
                        S.FROM_INVERT_M: inv_a if math.isfinite(inv_a) else None,
                        S.TO_INVERT_M: inv_b if math.isfinite(inv_b) else None,
                        IN_OFFSET_M: off_a if math.isfinite(off_a) else None,
                        OUT_OFFSET_M: off_b if math.isfinite(off_b) else None,
                    }
                )
            else:
                params = {
                    k: _jsonable(v)
                    for k, v in vars(link).items()
                    if k not in ("name", "from_node", "to_node")
                }
                row[SWMM_PARAMS] = json.dumps(params, ensure_ascii=False)
            x = xs.get(name) if hasattr(xs, "get") else None
            if x is not None:
                shape = str(x.shape).upper()
                h = _num(x.height) * f
                w = _num(getattr(x, "parameter_2", 0)) * f
                row.update(
                    {
                        XS_SHAPE: shape,
                        XS_HEIGHT_M: h if math.isfinite(h) else None,
                        XS_WIDTH_M: w if math.isfinite(w) else None,
                        BARRELS: int(_num(x.n_barrels)) if math.isfinite(_num(x.n_barrels)) else 1,
                    }
                )
                if shape in CIRCULAR_SHAPES and math.isfinite(h):
                    row[S.DIAMETER_MM] = round(h * 1000.0, 3)
                elif kind == "conduit":
                    odd_shapes[shape] = odd_shapes.get(shape, 0) + 1
            pts = [coords.get(a), *[tuple(v) for v in vertices.get(name, ())], coords.get(b)]
            if pts[0] is None or pts[-1] is None:
                no_geometry.append(name)
                row["geometry"] = None
            else:
                pts = [(_num(p[0]), _num(p[1])) for p in pts]
                row["geometry"] = shapely_geometry.LineString(pts)
            rows.append(row)
    if odd_shapes:
        shapes = ", ".join(f"{s} {n}" for s, n in sorted(odd_shapes.items()))
        notes.append(
            f"{sum(odd_shapes.values())} conduit(s) with a non-circular cross-section ({shapes}) "
            f"have no diameter; the section is kept in {XS_SHAPE}/{XS_HEIGHT_M}/{XS_WIDTH_M}."
        )
    if unknown_nodes:
        notes.append(
            f"{len(unknown_nodes)} link end(s) name a node the model does not define: "
            + ", ".join(unknown_nodes[:20])
            + (" …" if len(unknown_nodes) > 20 else "")
        )
    if no_geometry:
        notes.append(
            f"{len(no_geometry)} link(s) without coordinates at an end have no geometry: "
            + ", ".join(no_geometry[:20])
            + (" …" if len(no_geometry) > 20 else "")
        )
    return rows


def _subcatchments(inp: Any, f: float, unit: str, notes: list[str]) -> list[dict[str, Any]]:
    subs = _section(inp, "SUBCATCHMENTS")
    if not len(subs):
        return []
    polys = {k: list(v.polygon) for k, v in _section(inp, "POLYGONS").items()}
    area_ha = 0.40468564224 if unit == "ft" else 1.0  # acres or hectares
    rows = []
    for name, s in subs.items():
        ring = polys.get(name) or []
        if len(ring) < 3:
            continue
        rows.append(
            {
                "subcatch_id": str(name),
                "outlet": str(s.outlet),
                "rain_gage": str(s.rain_gage),
                "area_ha": _num(s.area) * area_ha,
                "imperv_pct": _num(s.imperviousness),
                "width_m": _num(s.width) * f,
                "slope_pct": _num(s.slope),
                "geometry": shapely_geometry.Polygon([(_num(x), _num(y)) for x, y in ring]),
            }
        )
    if len(rows) < len(subs):
        notes.append(
            f"{len(subs) - len(rows)} of {len(subs)} subcatchment(s) have no [POLYGONS] "
            "outline and are not imported."
        )
    return rows


def write_import_gpkg(model: SwmmModel, path: str | Path) -> dict[str, str]:
    """Write the model's layers into a GeoPackage, one layer per kind.

    Returns ``{kind: "FILE.gpkg:LAYER"}`` for the kinds the project knows (pipes, manholes,
    outfalls), ready as inputs of :func:`network.io.project.create_project_job`.
    Subcatchments are written too (layer ``subcatchments``) but not returned.
    """
    import pyogrio

    path = Path(path)
    specs: dict[str, str] = {}
    for kind, gdf in model.layers.items():
        if not len(gdf):
            continue
        out = gdf[gdf.geometry.notna()] if kind == SUBCATCHMENTS else gdf
        pyogrio.write_dataframe(out, path, layer=kind, driver="GPKG", append=path.exists())
        if kind != SUBCATCHMENTS:
            specs[kind] = f"{path}:{kind}"
    return specs


#: unit overrides for the project creation: the frames hold metres and millimetres already
IMPORT_MAPPING: dict[str, dict[str, Any]] = {
    S.PIPES: {
        S.PIPE_ID: S.PIPE_ID,
        S.FROM_NODE: S.FROM_NODE,
        S.TO_NODE: S.TO_NODE,
        S.DIAMETER_MM: S.DIAMETER_MM,
        S.FROM_INVERT_M: S.FROM_INVERT_M,
        S.TO_INVERT_M: S.TO_INVERT_M,
        "units": {S.DIAMETER_MM: "mm", S.FROM_INVERT_M: "m", S.TO_INVERT_M: "m"},
    },
    S.MANHOLES: {
        S.NODE_ID: S.NODE_ID,
        S.GROUND_M: S.GROUND_M,
        S.DEPTH_M: S.DEPTH_M,
        S.NODE_TYPE: S.NODE_TYPE,
        "units": {S.GROUND_M: "m", S.DEPTH_M: "m"},
    },
    S.OUTFALLS: {S.OUTFALL_ID: S.OUTFALL_ID, S.NODE_ID: S.NODE_ID, S.NAME: S.NAME},
}
