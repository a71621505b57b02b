"""The condition map of the surveys: graded pipes coloured by grade, defects along their pipes.

Two map layers follow the survey store: ``condition`` (graded pipes coloured by structural or
functional grade I–IV, drawn just above the pipes) and ``condition_defects`` (the observed
defects as symbols along their pipe, placed from the pipe's ``from_node``). The frames and
styles are built by pure helpers here; :class:`ConditionMap` puts them on the canvas.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QCoreApplication

from gisapp.cartography.symbology import CATEGORIZED, Style, StyleClass, Symbol
from gisapp.qt.map_layer import MapLayer
from network import schema

CONDITION_LAYER = "condition"
DEFECTS_LAYER = "condition_defects"
STRUCTURAL, FUNCTIONAL = "structural_grade", "functional_grade"
GRADES = ("I", "II", "III", "IV")
ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
GRADE_COLORS = {"I": "#1a9641", "II": "#e6c700", "III": "#f07f0c", "IV": "#d7191c"}
DEFECT_MARKERS = {"structural": "diamond", "functional": "triangle"}


def tr(text: str) -> str:
    return QCoreApplication.translate("ConditionMap", text)


# --- pure helpers (no widgets) ------------------------------------------------------------------
def condition_frame(
    pipes: gpd.GeoDataFrame, grades: pd.DataFrame, observed: set[str] | None = None
) -> gpd.GeoDataFrame:
    """The graded pipes: ``pipe_id``, ``structural_grade``, ``functional_grade`` (I–IV),
    ``ri``, ``mi``, geometry. Pipes without a grade are left out, and so are pipes not in
    ``observed`` when it is given (the cache keeps a grade I row for a pipe whose last
    observation was deleted)."""
    if pipes is None or "pipe_id" not in pipes:
        return gpd.GeoDataFrame(
            {"pipe_id": [], STRUCTURAL: [], FUNCTIONAL: []}, geometry=gpd.GeoSeries([])
        )
    geom = pipes.geometry.name
    left = pd.DataFrame(
        {"pipe_id": pipes["pipe_id"].astype(str).to_numpy(), geom: pipes.geometry.to_numpy()}
    )
    g = grades.reindex(columns=[STRUCTURAL, FUNCTIONAL, "ri", "mi"])
    g.index = g.index.astype(str)
    if observed is not None:
        g = g[g.index.isin(list(observed))]
    out = left.merge(g, left_on="pipe_id", right_index=True, how="inner")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geom, crs=pipes.crs)


def from_node_at_start(pipes: gpd.GeoDataFrame, manholes: gpd.GeoDataFrame | None) -> np.ndarray:
    """Per pipe: True when the geometry starts at its ``from_node`` (the usual case), False
    when it was digitised from the ``to_node``. Unknown nodes count as True."""
    n = len(pipes)
    out = np.ones(n, dtype=bool)
    if (
        manholes is None
        or manholes.empty
        or "node_id" not in manholes
        or "from_node" not in pipes
        or "to_node" not in pipes
        or n == 0
    ):
        return out
    mh = manholes[manholes["node_id"].notna()]
    nodes = pd.Series(mh.geometry.to_numpy(), index=mh["node_id"].astype(str).to_numpy())
    nodes = nodes[~nodes.index.duplicated()]

    def at(col: str) -> np.ndarray:
        v = nodes.reindex(pipes[col].astype(str).to_numpy()).to_numpy(dtype=object)
        return np.where(pd.isna(v), None, v)

    start = shapely.get_point(
        shapely.line_merge(np.asarray(pipes.geometry.values, dtype=object)), 0
    )
    d_from = shapely.distance(start, at("from_node"))
    d_to = shapely.distance(start, at("to_node"))
    known = np.isfinite(d_from) & np.isfinite(d_to)
    out[known] = d_from[known] <= d_to[known]
    return out


def defect_points(
    pipes: gpd.GeoDataFrame,
    manholes: gpd.GeoDataFrame | None,
    observations: pd.DataFrame,
    pack: Any,
) -> gpd.GeoDataFrame:
    """The observations as points along their pipes.

    ``observations`` are :meth:`SurveyStore.observations_for_grading` rows (distance from the
    inspection's start manhole, ``reverse`` set when it ran from the ``to_node``). The point
    is placed at that distance from the right end of the geometry (the middle of a
    continuous defect), scaled to the drawn line. Columns: ``uuid``, ``pipe_id``, ``code``,
    ``grade``, ``defect_kind`` (structural/functional), ``symbol`` (``<kind>:<grade>``).
    """
    from surveys.gradecache import engine_observations

    cols = ["uuid", "pipe_id", "code", "grade", "defect_kind", "symbol"]
    empty = gpd.GeoDataFrame(
        {c: pd.Series([], dtype=object) for c in cols},
        geometry=gpd.GeoSeries([], crs=pipes.crs if pipes is not None else None),
    )
    if (
        pipes is None
        or pipes.empty
        or observations is None
        or observations.empty
        or "pipe_id" not in pipes
    ):
        return empty
    ids = pipes["pipe_id"].astype(str)
    keep = ~ids.duplicated().to_numpy()
    p = pipes[keep]
    ids = ids[keep]
    geoms = np.asarray(p.geometry.values, dtype=object)
    geom_len = shapely.length(geoms)
    attr_len = (
        pd.to_numeric(p["length_m"], errors="coerce").to_numpy(float)
        if "length_m" in p
        else np.full(len(p), np.nan)
    )
    seg_len = np.where(np.isfinite(attr_len) & (attr_len > 0), attr_len, geom_len)
    frame = pd.DataFrame({"length_m": seg_len}, index=pd.Index(ids.to_numpy(), name="pipe_id"))
    eng = engine_observations(observations, frame)
    if eng.empty:
        return empty
    pos = pd.Index(ids.to_numpy()).get_indexer(eng["pipe_id"].to_numpy())
    dist = eng["distance_m"].to_numpy(float)
    olen = eng["length_m"].to_numpy(float)
    dist = dist + np.where(np.isfinite(olen), olen / 2.0, 0.0)
    frac = np.clip(np.nan_to_num(dist / seg_len[pos], nan=0.0), 0.0, 1.0)
    forward = from_node_at_start(p, manholes)[pos]
    frac = np.where(forward, frac, 1.0 - frac)
    lines = shapely.line_merge(geoms[pos])
    pts = shapely.line_interpolate_point(lines, frac, normalized=True)
    kinds = []
    for code in eng["code"]:
        try:
            kinds.append(pack.code(code).kind)
        except Exception:  # noqa: BLE001 - a code of another pack: draw it as structural
            kinds.append("structural")
    grade = pd.to_numeric(eng["grade"], errors="coerce")
    gtext = [GRADES[int(g) - 1] if np.isfinite(g) and 1 <= g <= 4 else "" for g in grade]
    out = gpd.GeoDataFrame(
        {
            "uuid": eng.index.astype(str).to_numpy(),
            "pipe_id": eng["pipe_id"].to_numpy(),
            "code": eng["code"].to_numpy(),
            "grade": gtext,
            "defect_kind": kinds,
            "symbol": [f"{k}:{g}" for k, g in zip(kinds, gtext, strict=True)],
        },
        geometry=pts,
        crs=pipes.crs,
    )
    return out[~out.geometry.is_empty & out.geometry.notna()].reset_index(drop=True)


def condition_style(field: str) -> Style:
    """Categorized line style of a grade field: I green, II yellow, III orange, IV red;
    ungraded pipes are not drawn."""
    what = tr("Structural") if field == STRUCTURAL else tr("Functional")
    classes = tuple(
        StyleClass(
            label=f"{what} {ROMAN[g]}", value=g, symbol=Symbol(color=GRADE_COLORS[g], width=4.0)
        )
        for g in GRADES
    )
    return Style(kind=CATEGORIZED, field=field, classes=classes, default=None)


def defects_style() -> Style:
    """Point style of the defects: colour by grade, diamond = structural, triangle =
    functional."""
    classes = []
    names = {"structural": tr("Structural defect"), "functional": tr("Functional defect")}
    for kind, marker in DEFECT_MARKERS.items():
        for g in GRADES:
            classes.append(
                StyleClass(
                    label=f"{names[kind]} {ROMAN[g]}",
                    value=f"{kind}:{g}",
                    symbol=Symbol(
                        color=GRADE_COLORS[g], size=11.0, marker=marker, outline="#202020"
                    ),
                )
            )
    return Style(
        kind=CATEGORIZED,
        field="symbol",
        classes=tuple(classes),
        default=Symbol(color="#8c8c8c", size=9.0, marker="circle", outline="#202020"),
        default_label=tr("Defect (no grade)"),
    )


def nearest_feature_index(
    layer: MapLayer, x: float, y: float, rect: tuple[float, float, float, float]
) -> int | None:
    """Row position (in ``layer.data``) of the feature nearest (x, y) within ``rect``."""
    data = layer.data
    if data is None or len(data) == 0:
        return None
    geoms = np.asarray(data.geometry.values, dtype=object)
    box = shapely.box(*rect)
    idx = np.asarray(layer.spatial_index().query(box), dtype=np.int64)  # the layer's one index
    if layer.geometry != "line":  # lines: their boxes are near enough
        idx = idx[shapely.intersects(geoms[idx], box)]
    if len(idx) == 0:
        return None
    d = shapely.distance(geoms[idx], shapely.Point(x, y))
    if not np.isfinite(d).any():
        return None
    return int(idx[int(np.nanargmin(d))])


# --- on the canvas ------------------------------------------------------------------------------
class ConditionMap:
    """The two condition layers on a map canvas, coloured by ``field``."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.field = STRUCTURAL

    def title(self) -> str:
        return (
            tr("Condition: structural grade")
            if self.field == STRUCTURAL
            else tr("Condition: functional grade")
        )

    def set_field(self, field: str) -> None:
        """Colour by ``structural_grade`` or ``functional_grade`` (the layer, if drawn, too)."""
        if field not in (STRUCTURAL, FUNCTIONAL):
            raise ValueError(f"field must be {STRUCTURAL!r} or {FUNCTIONAL!r}; got {field!r}")
        self.field = field
        layer = self.canvas.layer_by_name(CONDITION_LAYER)
        if layer is not None:
            layer.title = self.title()
            self.canvas.set_layer_style(CONDITION_LAYER, condition_style(field))

    def refresh(self, project: Any, store: Any) -> None:
        """(Re)build the layers from the store's grade cache and observations (removed when
        there is no project, store or pipe layer)."""
        if project is None or store is None or schema.PIPES not in project.layers:
            self.remove()
            return
        pipes = project.layers[schema.PIPES]
        obs = store.observations_for_grading()
        cond = condition_frame(pipes, store.grades_frame(), set(obs["pipe_id"].astype(str)))
        defects = defect_points(pipes, project.layers.get(schema.MANHOLES), obs, store.pack)
        self._put_layer(
            CONDITION_LAYER, cond, "line", condition_style(self.field), self.title(), offset=1
        )
        self._put_layer(DEFECTS_LAYER, defects, "point", defects_style(), tr("Defects"), offset=2)

    def remove(self) -> None:
        for name in (CONDITION_LAYER, DEFECTS_LAYER):
            if self.canvas.layer_by_name(name) is not None:
                self.canvas.remove_layer(name)

    def _put_layer(
        self,
        name: str,
        data: gpd.GeoDataFrame,
        geometry: str,
        style: Style,
        title: str,
        offset: int,
    ) -> None:
        layer = self.canvas.layer_by_name(name)
        if layer is not None:
            layer.title = title
            self.canvas.set_layer_data(name, data)
            self.canvas.set_layer_style(name, style)  # also updates the legend
            return
        names = [lay.name for lay in self.canvas.layers]
        index = names.index(schema.PIPES) + offset if schema.PIPES in names else None
        if index is not None:
            index = min(index, len(names))
        self.canvas.add_layer(
            MapLayer(name, data, name=name, title=title, style=style, geometry=geometry), index
        )
