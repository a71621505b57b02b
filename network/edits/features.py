"""Small helpers on feature frames shared by the edits: finding a feature by id (and row),
new ids in the series already in use (:func:`next_feature_id`), values mirrored into the
source's own fields (:func:`mirror_values`), which end of a pipe its from/to fields name
(:func:`fields_reversed`), and planning a new pipe geometry with its length.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from network import schema as S
from network.edits.base import LayerStore
from network.edits.delta import LayerDelta
from network.errors import UnknownIdError
from network.graph import crs_unit_m

EDIT_NOTE = "edit_note"  # a short record of what an edit did to a feature
DRAWN_SRC_FID = -1  # src_fid of features drawn in PipeAtlas (they come from no source file)
PIPE_ID_PREFIXES = {S.SEWAGE: "WS", S.RAIN: "YS", S.COMBINED: "HS", S.INDUSTRIAL: "GS"}
NODE_ID_PREFIXES = {S.SEWAGE: "WJ", S.RAIN: "YJ", S.COMBINED: "HJ", S.INDUSTRIAL: "GJ"}
START, END = "start", "end"  # the digitised ends of a line
_ID_RE = re.compile(r"^(.*?)(\d+)$")


def find_rows(gdf: gpd.GeoDataFrame, kind: str, feature_id: str) -> np.ndarray:
    """Row positions whose id column equals ``feature_id``."""
    col = S.ID_COLUMN[kind]
    if col not in gdf.columns or not len(gdf):
        return np.empty(0, np.int64)
    ids = np.asarray(gdf[col].astype(object).where(gdf[col].notna(), None), dtype=object)
    return np.flatnonzero(ids == str(feature_id))


def feature_row(gdf: gpd.GeoDataFrame, kind: str, feature_id: str, row: int | None = None) -> int:
    """The position of one feature; ``row`` picks among features sharing an id.

    Raises
    ------
    UnknownIdError
        No feature has that id (or ``row`` is not one of them).
    """
    rows = find_rows(gdf, kind, feature_id)
    if row is not None:
        if row in rows.tolist():
            return int(row)
        raise UnknownIdError(
            f"Row {row} of layer {kind} is not {feature_id!r} (that id is at rows "
            f"{rows.tolist()}).",
            layer=kind,
            feature=str(feature_id),
        )
    if not len(rows):
        raise UnknownIdError(
            f"Layer {kind} has no feature {feature_id!r}.", layer=kind, feature=str(feature_id)
        )
    return int(rows[0])


def _value(gdf: pd.DataFrame, column: str, pos: int) -> Any:
    if column not in gdf.columns:
        return None
    v = gdf[column].iloc[pos]
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v.item() if isinstance(v, np.generic) else v


def _id_str(v: Any) -> str | None:
    return None if v is None else str(v).strip() or None


def next_feature_id(
    existing: Iterable[Any], like: Iterable[Any] = (), default_prefix: str = "WS-", width: int = 4
) -> str:
    """The next free id in the series of ``like`` (else ``default_prefix``).

    Parameters
    ----------
    existing : all ids in use (the new id avoids them)
    like : ids whose pattern the new id follows (e.g. the pipes of the same system)
    default_prefix, width : the pattern when ``like`` has no numbered ids

    Examples
    --------
    >>> next_feature_id(["WS-0001", "WS-0009", "YS-0100"], ["WS-0001", "WS-0009"])
    'WS-0010'
    >>> next_feature_id([], [], "YJ-")
    'YJ-0001'
    """
    existing = {str(v) for v in existing if v is not None and str(v) != "nan"}
    pats = Counter()
    for v in like:
        if v is None:
            continue
        m = _ID_RE.match(str(v))
        if m:
            pats[(m.group(1), len(m.group(2)))] += 1
    prefix, width = pats.most_common(1)[0][0] if pats else (default_prefix, width)
    top = 0
    for v in existing:
        if v.startswith(prefix):
            rest = v[len(prefix) :]
            if rest.isdigit():
                top = max(top, int(rest))
    n = top + 1
    while f"{prefix}{n:0{width}d}" in existing:
        n += 1
    return f"{prefix}{n:0{width}d}"


def drawn_source(layer: gpd.GeoDataFrame | None) -> dict[str, int]:
    """``src_fid``/``src_part`` of a feature drawn in PipeAtlas; none for a layer that
    records no source rows (made in code): its rows would get NaN for a column added."""
    if layer is not None and len(layer) and S.SRC_FID not in layer.columns:
        return {}
    return {S.SRC_FID: DRAWN_SRC_FID, S.SRC_PART: 0}


def new_pipe_id(pipes: gpd.GeoDataFrame, system: str | None) -> str:
    """The next pipe id of the series used by pipes of ``system`` (``WS-…`` for sewage)."""
    ids = pipes[S.PIPE_ID].tolist() if S.PIPE_ID in pipes.columns else []
    like = ids
    if system and S.SYSTEM in pipes.columns and S.PIPE_ID in pipes.columns:
        like = pipes.loc[pipes[S.SYSTEM].astype(object) == system, S.PIPE_ID].tolist()
    prefix = PIPE_ID_PREFIXES.get(system or "", "GX") + "-"
    return next_feature_id(ids, like, prefix)


def new_node_id(manholes: gpd.GeoDataFrame, system: str | None, taken: Iterable[str] = ()) -> str:
    """The next manhole id of the series used by manholes of ``system`` (``WJ-…``).

    ``taken`` adds ids to avoid (ids handed out for manholes not added yet).
    """
    ids = manholes[S.NODE_ID].tolist() if S.NODE_ID in manholes.columns else []
    ids = [*ids, *taken]
    like = ids
    if system and S.SYSTEM in manholes.columns:
        like = manholes.loc[manholes[S.SYSTEM].astype(object) == system, S.NODE_ID].tolist()
    prefix = NODE_ID_PREFIXES.get(system or "", "J") + "-"
    return next_feature_id(ids, like, prefix)


def mirror_values(
    values: Mapping[str, Any], field_map: Mapping[str, str | None] | None
) -> dict[str, Any]:
    """Canonical values plus the same values under the source's original column names.

    ``field_map`` maps canonical -> original column (``Project.mapping[kind][0]``); systems
    are written with their Chinese label (``sewage`` -> ``污水``).
    """
    out = dict(values)
    for canon, v in values.items():
        orig = (field_map or {}).get(canon)
        if orig and orig not in values:
            out[orig] = S.SYSTEM_LABELS_ZH.get(v, v) if canon == S.SYSTEM else v
    return out


def _manhole_xy(manholes: gpd.GeoDataFrame, node_id: str) -> tuple[float, float] | None:
    rows = find_rows(manholes, S.MANHOLES, node_id)
    if not len(rows):
        return None
    g = manholes.geometry.iloc[int(rows[0])]
    if g is None or g.is_empty:
        return None
    c = g if g.geom_type == "Point" else g.centroid
    return (float(c.x), float(c.y))


def fields_reversed(pipes: gpd.GeoDataFrame, pos: int, manholes: gpd.GeoDataFrame | None) -> bool:
    """True when the pipe's from/to fields name its digitised end/start (drawn backwards).

    Decided from where the named manholes lie; False when that cannot be told.
    """
    line = pipes.geometry.iloc[pos]
    if manholes is None or line is None or line.is_empty or line.geom_type != "LineString":
        return False
    a, b = line.coords[0], line.coords[-1]
    f, t = _id_str(_value(pipes, S.FROM_NODE, pos)), _id_str(_value(pipes, S.TO_NODE, pos))
    fwd = rev = 0.0
    known = False
    for nid, same, other in ((f, a, b), (t, b, a)):
        xy = _manhole_xy(manholes, nid) if nid else None
        if xy is None:
            continue
        known = True
        fwd += math.dist(xy, same)
        rev += math.dist(xy, other)
    return known and rev < fwd


def _end_field(
    pipes: gpd.GeoDataFrame, pos: int, end: str, manholes: gpd.GeoDataFrame | None
) -> tuple[str, str]:
    """(node field, invert field) of a digitised end."""
    start_is_from = not fields_reversed(pipes, pos, manholes)
    if (end == START) == start_is_from:
        return S.FROM_NODE, S.FROM_INVERT_M
    return S.TO_NODE, S.TO_INVERT_M


def _length_m(geom: Any, crs: Any) -> float:
    return float(shapely.length(geom)) * crs_unit_m(crs)


def _maybe(store: LayerStore, kind: str) -> gpd.GeoDataFrame | None:
    try:
        gdf = store.get(kind)
    except KeyError:
        return None
    return gdf if gdf is not None and len(gdf) else None


def _plan_pipe_geometry(
    delta: LayerDelta, pipes: gpd.GeoDataFrame, pos: int, geom: LineString
) -> None:
    delta.set_cells(pipes, [pos], pipes.geometry.name, [geom])
    if S.LENGTH_M in pipes.columns:
        delta.set_cells(pipes, [pos], S.LENGTH_M, [round(_length_m(geom, pipes.crs), 3)])


def _note(pipes: pd.DataFrame, pos: int, text: str) -> str:
    old = _value(pipes, EDIT_NOTE, pos)
    return f"{old}; {text}" if old else text
