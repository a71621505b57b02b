"""What the map canvas draws on top of the map on the GUI thread: highlights, a flash, a
rubber band.

An :class:`Overlay` is cut once, when it is set, from the layer's prepared arrays (segments,
points, polygon rings: no geometry goes back through shapely); painting it only transforms
those arrays to pixels. A big line highlight is instead handed to the render worker as two
map layers (halo, line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from gisapp.cartography.symbology import SINGLE, Style, Symbol
from gisapp.qt.map_layer import LineGeometry, MapLayer, PolygonGeometry
from gisapp.qt.render import (
    View,
    draw_lines_array,
    draw_points_array,
    polygon_path,
    polygonf_from_array,
    simplify_pixel_lines,
)


@dataclass(frozen=True)
class HighlightStyle:
    """Overlay look: line ``color``/``width`` px, marker ``size`` px, polygon fill alpha."""

    color: str = "#00d5ff"
    width: float = 4.0
    size: float = 14.0
    fill_alpha: float = 0.25
    halo: str | None = "#003040"


HIGHLIGHT_STYLE = HighlightStyle()
SELECTION_STYLE = HighlightStyle(color="#ffd400", width=3.5, size=13.0, halo="#604000")
FLASH_STYLE = HighlightStyle(color="#ff2bd6", width=6.0, size=20.0, halo=None)
# one meaning per colour on the map: orange is grade III of the condition map and nothing else
PROFILE_PATH_COLOR = "#7b2cbf"  # violet: the path of the profile
OVERLAP_COLOR = "#d81b60"  # crimson: parts inside a protected area
MEASURE_COLOR = "#008b8b"  # teal: the measure line / area
RUBBER_STYLE = HighlightStyle(
    color=MEASURE_COLOR, width=2.5, size=7.0, fill_alpha=0.15, halo="#ffffff"
)


@dataclass
class Overlay:
    layer_kind: str
    ids: frozenset
    style: HighlightStyle
    segs: np.ndarray  # (S, 4) map coords
    points: np.ndarray  # (P, 2)
    polygons: PolygonGeometry | None
    bounds: tuple[float, float, float, float]
    layers: tuple[MapLayer, ...] = ()  # big line highlights: drawn by the worker (halo, line)


# --- making -------------------------------------------------------------------------------------
def make_overlay(
    layer: MapLayer | None,
    layer_kind: str,
    ids: frozenset,
    style: HighlightStyle,
    rows: np.ndarray | None = None,
    worker_min_features: int | None = None,
) -> Overlay:
    """An overlay of the features of ``layer`` at ``rows`` (default: the rows of ``ids``).

    Line highlights of ``worker_min_features`` features or more become map layers for the
    render worker (None: never)."""
    segs, points, polys = np.empty((0, 4)), np.empty((0, 2)), None
    bounds = (math.nan,) * 4
    layers: tuple[MapLayer, ...] = ()
    if layer is not None:
        rows = layer.rows_of(ids) if rows is None else rows
    if layer is not None and len(rows) and len(layer.data):
        geom = layer.prepared_geometry()
        if isinstance(geom, LineGeometry):
            sub = geom.subset(rows)
            bounds = sub.total_bounds
            if worker_min_features is not None and len(rows) >= worker_min_features:
                layers = highlight_layers(layer.data.iloc[rows], sub, style)
            else:
                segs = sub.segs
        elif isinstance(geom, PolygonGeometry):
            geoms = geom.geoms[rows]
            polys = PolygonGeometry.build(geoms[~shapely.is_missing(geoms)])
            bounds = polys.total_bounds
        else:
            points = geom.xy[rows]
            ok = points[np.isfinite(points).all(axis=1)]
            if len(ok):
                bounds = (*ok.min(axis=0).tolist(), *ok.max(axis=0).tolist())
    return Overlay(layer_kind, frozenset(ids), style, segs, points, polys, bounds, layers)


def highlight_layers(data, geom: LineGeometry, style: HighlightStyle) -> tuple[MapLayer, ...]:
    """A big line highlight as two map layers (halo, then line) for the render worker; their
    geometry is the highlighted part of the layer's prepared arrays."""
    out = []
    passes = [(style.halo, style.width + 2)] if style.halo else []
    for i, (color, width) in enumerate([*passes, (style.color, style.width)]):
        sym = Symbol(color=color, width=width)
        layer = MapLayer(
            "_highlight",
            data,
            name=f"_highlight_{id(data)}_{i}",
            style=Style(kind=SINGLE, default=sym),
            geometry="line",
        )
        layer.use_prepared_geometry(geom)
        out.append(layer)
    return tuple(out)


# --- painting -----------------------------------------------------------------------------------
def paint_overlay(p: QPainter, ov: Overlay, view: View) -> None:
    """Draw ``ov``: its segments (clipped to the view, with a halo), a ring around each point,
    its polygons filled."""
    if len(ov.segs):
        _paint_segments(p, ov.segs, ov.style, view)
    if len(ov.points):
        _paint_point_rings(p, ov.points, ov.style, view)
    if ov.polygons is not None:
        _paint_polygons(p, ov.polygons, ov.style, view)


def _paint_segments(p: QPainter, segs: np.ndarray, style: HighlightStyle, view: View) -> None:
    minx, miny, maxx, maxy = view.extent
    pad = (style.size + style.width) * view.scale
    keep = (
        (np.maximum(segs[:, 0], segs[:, 2]) >= minx - pad)
        & (np.minimum(segs[:, 0], segs[:, 2]) <= maxx + pad)
        & (np.maximum(segs[:, 1], segs[:, 3]) >= miny - pad)
        & (np.minimum(segs[:, 1], segs[:, 3]) <= maxy + pad)
    )
    s = segs[keep]
    if not len(s):
        return
    px1, py1 = view.to_pixel(s[:, 0], s[:, 1])
    px2, py2 = view.to_pixel(s[:, 2], s[:, 3])
    pix = np.column_stack([px1, py1, px2, py2])
    lines, pts = simplify_pixel_lines(pix, view.width, view.height)
    few = len(lines) < 5_000  # round caps and antialiasing cost 5-10x (measured)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, few)
    passes = [(QColor(style.halo), style.width + 2)] if style.halo else []
    passes.append((QColor(style.color), style.width))
    for c, width in passes:
        pen = QPen(c, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap if few else Qt.PenCapStyle.SquareCap)
        p.setPen(pen)
        draw_lines_array(p, lines)
        if len(pts):
            draw_points_array(p, pts)


def _paint_point_rings(p: QPainter, points: np.ndarray, style: HighlightStyle, view: View) -> None:
    color = QColor(style.color)
    xy = points[np.isfinite(points).all(axis=1)]
    px, py = view.to_pixel(xy[:, 0], xy[:, 1])
    pix = np.column_stack([px, py])
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(Qt.BrushStyle.NoBrush)
    r = style.size / 2 + 1
    rings = [(QColor(style.halo), 5.0), (color, 3.0)] if style.halo else [(color, 3.0)]
    for c, width in rings:  # a ring around the symbol, which stays visible
        p.setPen(QPen(c, width))
        for x, y in pix.tolist():
            p.drawEllipse(QPointF(x, y), r, r)


def _paint_polygons(
    p: QPainter, polygons: PolygonGeometry, style: HighlightStyle, view: View
) -> None:
    color = QColor(style.color)
    fill = QColor(color)
    fill.setAlphaF(style.fill_alpha)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(color, style.width))
    p.setBrush(QBrush(fill))
    for f in range(len(polygons.bounds)):
        path = polygon_path(polygons, f, view)
        if path is not None:
            p.drawPath(path)


def paint_rubber_band(
    p: QPainter, xy: np.ndarray, closed: bool, style: HighlightStyle, view: View
) -> None:
    """A measure/draw tool's temporary geometry: a polyline (``closed``: a filled polygon)
    with its vertices marked."""
    if len(xy) == 0:
        return
    px, py = view.to_pixel(xy[:, 0], xy[:, 1])
    pix = np.column_stack([px, py])
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    color = QColor(style.color)
    p.setPen(QPen(color, style.width))
    if closed and len(pix) >= 3:
        fill = QColor(color)
        fill.setAlphaF(style.fill_alpha)
        p.setBrush(fill)
        p.drawPolygon(polygonf_from_array(pix))
    elif len(pix) >= 2:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline(polygonf_from_array(pix))
    pen = QPen(color, style.size)
    pen.setCapStyle(Qt.PenCapStyle.SquareCap)
    p.setPen(pen)
    draw_points_array(p, pix)
