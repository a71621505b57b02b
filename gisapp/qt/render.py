"""A thread-safe renderer of map layers into a QImage, and the view it renders.

No widgets here: ``render_map`` paints on a ``QImage`` (safe off the GUI thread) and
``RenderThread`` runs it in a ``QThread``, dropping stale jobs. The layers and their prepared
arrays are :mod:`gisapp.qt.map_layer`.

How the lines are drawn (measured, see benchmarks/bench_render.py):

* Each layer is prepared once: line segments as one contiguous ``float64`` array
  ``(x1, y1, x2, y2)`` in feature order, per-feature segment offsets, and a
  ``shapely.STRtree`` over the feature geometries (built lazily on the first zoomed view).
* Per style the segments are sorted into batches (class x width class), so each batch is a
  contiguous slice.
* A view transforms its batch with numpy into pixel coordinates, turns segments shorter than a
  pixel into de-duplicated pixel points, and draws the rest with ``QPainter.drawLines(QLineF*,
  int)``: ``shiboken6.wrapInstance(array.ctypes.data, QLineF)`` hands Qt a pointer to the numpy
  buffer (``QLineF`` is four doubles), so nothing is copied or converted per line.
  ``drawLines(QPolygonF)`` or a list of ``QLineF`` would go through PySide's sequence
  conversion (8x slower). Points use ``drawPoints(QPointF*, int)`` the same way; polygon rings
  are ``memmove``-d into a ``QPolygonF``'s buffer.
* PySide keeps the GIL while Qt draws, so lines go out in chunks of ``CHUNK_LINES``: the GUI
  thread gets the GIL between chunks (a few ms) and a stale job is cancelled between chunks.
"""

from __future__ import annotations

import ctypes
import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QThread, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)

from gisapp.cartography.symbology import Style, Symbol
from gisapp.qt.map_layer import (
    LayerSnapshot,
    LineBatches,
    LineGeometry,
    MapLayer,
    PointGeometry,
    PolygonGeometry,
    _ranges,
    line_batch_symbol,
)
from gisapp.qt.symbols import marker_stamp, polygon_brushes, qcolor
from resources.fonts import CJK_FAMILIES

log = logging.getLogger(__name__)

SHORT_LINE_PX = 3.0  # segments shorter than this are drawn as pixel points
CHUNK_LINES = 40_000  # lines per drawLines call (GIL hand-over and cancel points)
ANTIALIAS_MAX_LINES = 60_000  # more lines than this in view: no antialiasing (speed)
ARROW_MAX = 20_000  # more readable arrows than this: none drawn
LABEL_MAX_CANDIDATES = 4_000  # more labelled features in view than this: no labels
STAMP_MAX_POINTS = 30_000  # more markers of a class than this: drawn as plain dots
FULL_VIEW_FRACTION = 0.6  # view covering this much of a layer: skip the spatial index
LABEL_FONT_FAMILIES = [*CJK_FAMILIES, "Sans Serif"]  # the one CJK list, then any font


class RenderCancelled(Exception):
    """A newer view made this render stale; not an error."""


# --- view -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """What a map image shows: centre (map units), scale (map units per pixel), size (px).

    Pixel (0, 0) is the top-left corner of the image; map y grows upwards.
    """

    center_x: float
    center_y: float
    scale: float
    width: int
    height: int

    @classmethod
    def fit(cls, bounds: Sequence[float], width: int, height: int, margin: float = 0.05) -> View:
        """The view showing ``bounds`` (minx, miny, maxx, maxy) with a relative margin."""
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
            return cls(0.0, 0.0, 1.0, width, height)
        w, h = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        scale = max(w / max(width, 1), h / max(height, 1)) * (1.0 + 2.0 * margin)
        if maxx - minx < 1e-6 and maxy - miny < 1e-6:
            scale = 1.0  # a single point: 1 map unit per pixel
        return cls((minx + maxx) / 2, (miny + maxy) / 2, scale, width, height)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in map units."""
        hw, hh = self.width * self.scale / 2, self.height * self.scale / 2
        return (self.center_x - hw, self.center_y - hh, self.center_x + hw, self.center_y + hh)

    def to_pixel(self, x, y):
        """Map coordinates (scalars or arrays) to pixel coordinates."""
        left = self.center_x - self.width * self.scale / 2
        top = self.center_y + self.height * self.scale / 2
        return (x - left) / self.scale, (top - y) / self.scale

    def to_map(self, px, py):
        """Pixel coordinates (scalars or arrays) to map coordinates."""
        left = self.center_x - self.width * self.scale / 2
        top = self.center_y + self.height * self.scale / 2
        return left + px * self.scale, top - py * self.scale

    def zoomed(self, factor: float, px: float | None = None, py: float | None = None) -> View:
        """Zoom in by ``factor`` (>1 in, <1 out) keeping the map point under pixel (px, py)
        (default: the centre) where it is."""
        if px is None or py is None:
            px, py = self.width / 2, self.height / 2
        mx, my = self.to_map(px, py)
        scale = self.scale / factor
        cx = mx - (px - self.width / 2) * scale
        cy = my + (py - self.height / 2) * scale
        return replace(self, center_x=cx, center_y=cy, scale=scale)

    def panned(self, dx_px: float, dy_px: float) -> View:
        """Move the content by (dx, dy) pixels (drag right: dx > 0)."""
        return replace(
            self,
            center_x=self.center_x - dx_px * self.scale,
            center_y=self.center_y + dy_px * self.scale,
        )

    def resized(self, width: int, height: int) -> View:
        return replace(self, width=int(width), height=int(height))

    def same_as(self, other: View | None, tol: float = 1e-9) -> bool:
        if other is None:
            return False
        return (
            self.width == other.width
            and self.height == other.height
            and abs(self.scale - other.scale) <= tol * self.scale
            and abs(self.center_x - other.center_x) <= 1e-6 * self.scale
            and abs(self.center_y - other.center_y) <= 1e-6 * self.scale
        )


def scale_denominator(map_units_per_px: float, dpi: float = 96.0) -> float:
    """The 1:N scale of ``map_units_per_px`` metres per pixel on a screen of ``dpi``."""
    return map_units_per_px / (0.0254 / dpi)


def format_scale(denominator: float) -> str:
    """'1:12,345' (rounded to 3 significant figures above 1,000)."""
    if not math.isfinite(denominator) or denominator <= 0:
        return "1:?"
    if denominator >= 1000:
        digits = math.floor(math.log10(denominator)) - 2
        denominator = round(denominator, -digits)
    return f"1:{denominator:,.0f}"


# --- helpers ---------------------------------------------------------------------------------
def draw_lines_array(
    painter: QPainter, lines: np.ndarray, cancel: threading.Event | None = None
) -> None:
    """Draw an ``(n, 4)`` C-contiguous float64 array of pixel segments, zero-copy."""
    lines = np.ascontiguousarray(lines, dtype=np.float64)
    n = len(lines)
    for start in range(0, n, CHUNK_LINES):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled
        chunk = lines[start : start + CHUNK_LINES]
        painter.drawLines(shiboken6.wrapInstance(chunk.ctypes.data, QLineF), len(chunk))


def draw_points_array(
    painter: QPainter, points: np.ndarray, cancel: threading.Event | None = None
) -> None:
    """Draw an ``(n, 2)`` float64 array of pixel points with the current pen, zero-copy."""
    points = np.ascontiguousarray(points, dtype=np.float64)
    n = len(points)
    for start in range(0, n, CHUNK_LINES * 2):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled
        chunk = points[start : start + CHUNK_LINES * 2]
        painter.drawPoints(shiboken6.wrapInstance(chunk.ctypes.data, QPointF), len(chunk))


def polygonf_from_array(xy: np.ndarray) -> QPolygonF:
    """A QPolygonF holding a copy of an ``(n, 2)`` float64 array (one memmove)."""
    xy = np.ascontiguousarray(xy, dtype=np.float64)
    poly = QPolygonF()
    if len(xy):
        poly.resize(len(xy))
        address = shiboken6.getCppPointer(poly.data())[0]
        ctypes.memmove(address, xy.ctypes.data, xy.nbytes)
    return poly


def _clip_lines(pix: np.ndarray, w: float, h: float, pad: float = 64.0) -> np.ndarray:
    """Clip pixel segments with far-away ends to the padded image (Liang-Barsky, vectorised):
    Qt's rasteriser works in fixed point and must not see coordinates of millions of px."""
    lim = 1e5
    far = (np.abs(pix) > lim).any(axis=1)
    if not far.any():
        return pix
    seg = pix[far]
    x1, y1, x2, y2 = seg.T
    dx, dy = x2 - x1, y2 - y1
    t0 = np.zeros(len(seg))
    t1 = np.ones(len(seg))
    keep = np.ones(len(seg), dtype=bool)
    for p, q in ((-dx, x1 + pad), (dx, w + pad - x1), (-dy, y1 + pad), (dy, h + pad - y1)):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = q / p
        neg, pos = (p < 0) & ~parallel, (p > 0) & ~parallel
        t0 = np.where(neg, np.maximum(t0, r), t0)
        t1 = np.where(pos, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    clipped = np.column_stack([x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy])[keep]
    return np.concatenate([pix[~far], clipped])


def split_short_lines(pix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(long, short): segments spanning at least / less than ``SHORT_LINE_PX`` pixels."""
    d = np.maximum(np.abs(pix[:, 2] - pix[:, 0]), np.abs(pix[:, 3] - pix[:, 1]))
    short = d < SHORT_LINE_PX
    if not short.any():
        return pix, pix[:0]
    return pix[~short], pix[short]


def short_line_pixels(short: np.ndarray, w: int, h: int, width: float) -> np.ndarray:
    """Linear indices (y * w + x) of the pixels covered by short segments, sampled about
    every pixel; a width of 1.5 px or more covers 2 x 2 pixels per sample."""
    if len(short) == 0:
        return np.empty(0, dtype=np.int64)
    sp = short.astype(np.float32)
    x1, y1 = sp[:, 0], sp[:, 1]
    dx, dy = sp[:, 2] - x1, sp[:, 3] - y1
    wide = w * h >= 2**31  # else the indices fit int32 (half the memory traffic)
    fx, fy = np.empty_like(x1), np.empty_like(y1)
    out = []
    for t in np.linspace(0.0, 1.0, int(SHORT_LINE_PX) + 1, dtype=np.float32):
        np.multiply(dx, t, out=fx)
        fx += x1
        np.multiply(dy, t, out=fy)
        fy += y1
        ix = fx.astype(np.int32)  # truncation == floor for x >= 0
        iy = fy.astype(np.int32)
        ok = ix.view(np.uint32) < w  # 0 <= ix < w: negatives wrap to huge
        ok &= iy.view(np.uint32) < h
        idx = iy.astype(np.int64) if wide else iy
        idx *= w
        idx += ix
        out.append(idx[ok])
    idx = np.concatenate(out).astype(np.int64)
    if width >= 1.5:
        x = idx % w
        right = np.where(x + 1 < w, idx + 1, idx)
        idx = np.concatenate(
            [idx, right, np.minimum(idx + w, w * h - 1), np.minimum(right + w, w * h - 1)]
        )
    return idx


def simplify_pixel_lines(pix: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Long segments, and the de-duplicated pixel centres of the short ones (as points)."""
    lines, short = split_short_lines(pix)
    if len(short) == 0:
        return lines, np.empty((0, 2))
    mask = np.zeros(w * h, dtype=bool)
    mask[short_line_pixels(short, w, h, 1.0)] = True
    flat = np.flatnonzero(mask)
    pts = np.empty((len(flat), 2))
    pts[:, 0] = flat % w + 0.5
    pts[:, 1] = flat // w + 0.5
    return lines, pts


def _premultiplied_argb(hex_color: str) -> int:
    c = QColor(hex_color)
    return (0xFF << 24) | (c.red() << 16) | (c.green() << 8) | c.blue()


# --- rendering ----------------------------------------------------------------------------------
@dataclass
class _Label:
    text: str
    x: float
    y: float
    priority: int


def render_map(
    layers: Sequence[MapLayer | LayerSnapshot],
    view: View,
    *,
    background: str | None = "#ffffff",
    dpr: float = 1.0,
    cancel: threading.Event | None = None,
) -> QImage:
    """Render layers (bottom first) for a view into a new ARGB32 image of the view's size.

    Safe on any thread. ``dpr`` scales symbol sizes (the view is in device pixels).

    Raises
    ------
    RenderCancelled
        ``cancel`` was set before the image was finished.
    """
    snaps = [s if isinstance(s, LayerSnapshot) else s.snapshot() for s in layers]
    image = QImage(
        max(1, view.width), max(1, view.height), QImage.Format.Format_ARGB32_Premultiplied
    )
    image.fill(QColor(background) if background else QColor(0, 0, 0, 0))
    painter = QPainter(image)
    try:
        labels: list[_Label] = []
        for snap in snaps:
            if cancel is not None and cancel.is_set():
                raise RenderCancelled
            if not snap.visible or snap.opacity <= 0 or len(snap.data) == 0:
                continue
            if snap.style.max_mpp is not None and view.scale > snap.style.max_mpp:
                continue
            painter.save()
            try:
                painter.setOpacity(snap.opacity)
                if snap.layer.geometry == "line":
                    _render_lines(painter, snap, view, dpr, cancel, labels)
                elif snap.layer.geometry == "polygon":
                    _render_polygons(painter, snap, view, dpr, cancel, labels)
                else:
                    _render_points(painter, snap, view, dpr, cancel, labels)
            finally:
                painter.restore()
        if labels:
            _render_labels(painter, labels, view, dpr, cancel)
    finally:
        painter.end()
    return image


def _line_pen(sym: Symbol, dpr: float, antialias: bool) -> QPen:
    width = sym.width * dpr
    pen = QPen(qcolor(sym.color), width)
    # round caps cost 5-10x square caps in Qt's raster engine (measured); square caps hide
    # the gaps at polyline joints when antialiased, flat caps are the cheapest otherwise
    pen.setCapStyle(Qt.PenCapStyle.SquareCap if antialias else Qt.PenCapStyle.FlatCap)
    if sym.dash != "solid":
        pen.setStyle(
            {
                "dash": Qt.PenStyle.DashLine,
                "dot": Qt.PenStyle.DotLine,
                "dashdot": Qt.PenStyle.DashDotLine,
            }.get(sym.dash, Qt.PenStyle.SolidLine)
        )
    return pen


def _visible_features(
    geom_bounds: np.ndarray, total_bounds, view: View, pad: float, tree_fn=None
) -> np.ndarray | None:
    """Indices of features whose bbox meets the view (None: all of them)."""
    minx, miny, maxx, maxy = view.extent
    tminx, tminy, tmaxx, tmaxy = total_bounds
    if not all(map(math.isfinite, total_bounds)):
        return np.empty(0, dtype=np.int64)
    ix = max(0.0, min(maxx, tmaxx) - max(minx, tminx))
    iy = max(0.0, min(maxy, tmaxy) - max(miny, tminy))
    tarea = max((tmaxx - tminx) * (tmaxy - tminy), 1e-12)
    if minx <= tminx and miny <= tminy and maxx >= tmaxx and maxy >= tmaxy:
        return None
    if ix * iy / tarea >= FULL_VIEW_FRACTION:
        return None
    if maxx < tminx - pad or minx > tmaxx + pad or maxy < tminy - pad or miny > tmaxy + pad:
        return np.empty(0, dtype=np.int64)
    if tree_fn is not None:
        box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
        return np.sort(tree_fn().query(box)).astype(np.int64)
    b = geom_bounds
    mask = (
        (b[:, 2] >= minx - pad)
        & (b[:, 0] <= maxx + pad)
        & (b[:, 3] >= miny - pad)
        & (b[:, 1] <= maxy + pad)
    )
    return np.flatnonzero(mask)


def _render_lines(
    painter: QPainter, snap: LayerSnapshot, view: View, dpr: float, cancel, labels: list[_Label]
) -> None:
    layer = snap.layer
    geom: LineGeometry = layer.prepared_geometry(snap)
    batches: LineBatches = layer.prepared_style(snap)
    style = snap.style
    pad = 4 * view.scale
    # the spatial index when it is built; else the boxes (milliseconds at a million lines,
    # where building the index takes a second or more: not in a render)
    tree_fn = geom.tree if geom.tree_is_built() else None
    feats = _visible_features(geom.bounds, geom.total_bounds, view, pad, tree_fn)
    left = view.center_x - view.width * view.scale / 2
    top = view.center_y + view.height * view.scale / 2
    inv = 1.0 / view.scale
    mul = np.array([inv, -inv, inv, -inv])
    add = np.array([-left * inv, top * inv, -left * inv, top * inv])

    # pick the visible segments of each batch
    if feats is None:
        slices = [
            (int(k), batches.sorted_segs[batches.batch_start[i] : batches.batch_start[i + 1]])
            for i, k in enumerate(batches.batch_keys)
        ]
        vis_feats = np.flatnonzero(batches.keys >= 0)
    else:
        vis_feats = feats[batches.keys[feats] >= 0]
        counts = np.diff(geom.feat_start)[vis_feats]
        pos = np.sort(_ranges(batches.feat_sorted_start[vis_feats], counts))
        cut = np.searchsorted(pos, batches.batch_start)
        slices = [
            (int(k), batches.sorted_segs[pos[cut[i] : cut[i + 1]]])
            for i, k in enumerate(batches.batch_keys)
            if cut[i + 1] > cut[i]
        ]
    # short segments are written straight into a pixel buffer (one colour per batch, in
    # batch order) and composited once; long ones are stroked with zero-copy drawLines
    prepared = []
    buf: np.ndarray | None = None
    for key, segs in slices:
        if cancel is not None and cancel.is_set():
            raise RenderCancelled
        sym = line_batch_symbol(style, key)
        if sym is None or len(segs) == 0:
            continue
        pix = _clip_lines(segs * mul + add, view.width, view.height)
        lines, short = split_short_lines(pix)
        if len(short):
            if buf is None:
                buf = np.zeros(view.width * view.height, dtype=np.uint32)
            buf[short_line_pixels(short, view.width, view.height, sym.width * dpr)] = (
                _premultiplied_argb(sym.color)
            )
        prepared.append((key, sym, lines))
    if buf is not None:
        raster = QImage(
            buf.data,
            view.width,
            view.height,
            view.width * 4,
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        painter.drawImage(QPointF(0, 0), raster)
        del raster
    antialias = sum(len(lines) for _k, _s, lines in prepared) <= ANTIALIAS_MAX_LINES
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
    pens: dict[int, QPen] = {}
    for key, sym, lines in prepared:
        pen = _line_pen(sym, dpr, antialias)
        pens[key] = pen
        if len(lines):
            painter.setPen(pen)
            draw_lines_array(painter, lines, cancel)

    if style.arrows and len(vis_feats):
        _render_arrows(painter, geom, batches, vis_feats, view, dpr, style, pens, cancel)
    if snap.label_field and snap.column(snap.label_field) is not None and len(vis_feats):
        mid, _d, length = geom.anchors()
        ok = vis_feats[length[vis_feats] / view.scale >= 20]
        _collect_labels(labels, snap, ok, mid, view, priority=1, dy=-9 * dpr)  # off the arrow


def _render_arrows(
    painter,
    geom: LineGeometry,
    batches: LineBatches,
    feats: np.ndarray,
    view: View,
    dpr: float,
    style: Style,
    pens: dict,
    cancel,
) -> None:
    min_len = style.arrow_min_px * dpr
    # a line is at least as long as the longer side of its box: more such lines than
    # ARROW_MAX means no arrows, known without the anchors (a second at a million lines)
    b = geom.bounds[feats]
    shortest_px = np.fmax(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / view.scale
    if np.count_nonzero(shortest_px >= min_len) > ARROW_MAX:
        return
    mid, direc, length = geom.anchors()
    f = feats[length[feats] / view.scale >= min_len]
    if len(f) == 0 or len(f) > ARROW_MAX:
        return
    px, py = view.to_pixel(mid[f, 0], mid[f, 1])
    inside = (px >= -10) & (px <= view.width + 10) & (py >= -10) & (py <= view.height + 10)
    f, px, py = f[inside], px[inside], py[inside]
    if len(f) == 0:
        return
    d = direc[f] * np.where(batches.forward[f], 1.0, -1.0)[:, None]
    dx, dy = d[:, 0], -d[:, 1]  # pixel y points down
    keys = batches.keys[f]
    for key in np.unique(keys):
        sel = keys == key
        sym = line_batch_symbol(style, key)
        if sym is None:
            continue
        a = (4.0 + 1.6 * sym.width) * dpr
        hx, hy = px[sel] + dx[sel] * a * 0.5, py[sel] + dy[sel] * a * 0.5
        bx, by = hx - dx[sel] * a, hy - dy[sel] * a
        nx, ny = -dy[sel] * a * 0.6, dx[sel] * a * 0.6
        chev = np.empty((2 * int(sel.sum()), 4))
        chev[0::2] = np.column_stack([bx + nx, by + ny, hx, hy])
        chev[1::2] = np.column_stack([bx - nx, by - ny, hx, hy])
        pen = QPen(qcolor(sym.color), max(1.2, sym.width * 0.8) * dpr)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        draw_lines_array(painter, chev, cancel)


def _render_points(
    painter: QPainter, snap: LayerSnapshot, view: View, dpr: float, cancel, labels: list[_Label]
) -> None:
    layer = snap.layer
    geom: PointGeometry = layer.prepared_geometry(snap)
    codes: np.ndarray = layer.prepared_style(snap)
    style = snap.style
    xy = geom.xy
    minx, miny, maxx, maxy = view.extent
    pad = 20 * dpr * view.scale
    mask = (
        (xy[:, 0] >= minx - pad)
        & (xy[:, 0] <= maxx + pad)
        & (xy[:, 1] >= miny - pad)
        & (xy[:, 1] <= maxy + pad)
        & (codes >= 0)
    )
    feats = np.flatnonzero(mask)
    if len(feats) == 0:
        return
    px, py = view.to_pixel(xy[feats, 0], xy[feats, 1])
    pix = np.column_stack([px, py])
    fc = codes[feats]
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for code in np.unique(fc):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled
        sym = style.symbol(int(code))
        if sym is None:
            continue
        sel = pix[fc == code]
        if sym.marker == "circle" or len(sel) > STAMP_MAX_POINTS:
            _draw_dots(painter, sel, sym, dpr, cancel)
        else:
            stamp = marker_stamp(sym, dpr)
            half = stamp.width() / stamp.devicePixelRatio() / 2
            for x, y in sel.tolist():
                painter.drawImage(QPointF(x - half, y - half), stamp)
    if snap.label_field and snap.column(snap.label_field) is not None:
        _collect_labels(labels, snap, feats, xy, view, priority=2, dx=8 * dpr)


def _draw_dots(painter: QPainter, pix: np.ndarray, sym: Symbol, dpr: float, cancel) -> None:
    size = sym.size * dpr
    if sym.outline:
        pen = QPen(qcolor(sym.outline), size)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        draw_points_array(painter, pix, cancel)
        size -= 2 * max(1.0, sym.width) * dpr
    if size > 0:
        pen = QPen(qcolor(sym.color), size)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        draw_points_array(painter, pix, cancel)


def _render_polygons(
    painter: QPainter, snap: LayerSnapshot, view: View, dpr: float, cancel, labels: list[_Label]
) -> None:
    layer = snap.layer
    geom: PolygonGeometry = layer.prepared_geometry(snap)
    codes: np.ndarray = layer.prepared_style(snap)
    style = snap.style
    feats = _visible_features(geom.bounds, geom.total_bounds, view, 0.0)
    if feats is None:
        feats = np.arange(len(codes))
    feats = feats[codes[feats] >= 0]
    if len(feats) == 0:
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    fc = codes[feats]
    for code in np.unique(fc):
        sym = style.symbol(int(code))
        if sym is None:
            continue
        brushes = polygon_brushes(sym)
        pen = _line_pen(sym, dpr, True)
        for f in feats[fc == code].tolist():
            if cancel is not None and cancel.is_set():
                raise RenderCancelled
            path = polygon_path(geom, f, view)
            if path is None:
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            for brush in brushes:
                painter.setBrush(brush)
                painter.drawPath(path)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(pen)
            painter.drawPath(path)
    if snap.label_field and snap.column(snap.label_field) is not None:
        _collect_labels(labels, snap, feats, geom.anchors(), view, priority=0)


def polygon_path(geom: PolygonGeometry, f: int, view: View) -> QPainterPath | None:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    r0, r1 = geom.feat_ring_start[f], geom.feat_ring_start[f + 1]
    for r in range(r0, r1):
        xy = geom.coords[geom.ring_start[r] : geom.ring_start[r + 1]]
        px, py = view.to_pixel(xy[:, 0], xy[:, 1])
        pix = np.column_stack([px, py])
        if len(pix) > 8:  # drop vertices within half a pixel of the previous kept one
            q = np.round(pix * 2)
            keep = np.ones(len(q), dtype=bool)
            keep[1:] = (q[1:] != q[:-1]).any(axis=1)
            pix = pix[keep]
        pix = np.clip(pix, -1e5, 1e5)
        if len(pix) >= 3:
            path.addPolygon(polygonf_from_array(pix))
            path.closeSubpath()
    return None if path.isEmpty() else path


# --- labels -------------------------------------------------------------------------------------
def label_font(dpr: float = 1.0, point_size: float = 9.0) -> QFont:
    font = QFont()
    font.setFamilies(LABEL_FONT_FAMILIES)
    font.setPointSizeF(point_size * dpr)
    return font


def _collect_labels(
    labels: list[_Label],
    snap: LayerSnapshot,
    feats: np.ndarray,
    anchors: np.ndarray,
    view: View,
    priority: int,
    dx: float = 0.0,
    dy: float = 0.0,
) -> None:
    feats = feats[np.isfinite(anchors[feats]).all(axis=1)]
    if len(feats) == 0 or len(feats) > LABEL_MAX_CANDIDATES:
        return
    values = np.asarray(snap.column(snap.label_field), dtype=object)[feats]
    px, py = view.to_pixel(anchors[feats, 0], anchors[feats, 1])
    for v, x, y in zip(values.tolist(), px.tolist(), py.tolist(), strict=True):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        text = str(v).strip()
        if text and -50 <= x <= view.width + 50 and -20 <= y <= view.height + 20:
            labels.append(_Label(text, x + dx, y + dy, priority))


def _render_labels(
    painter: QPainter, labels: list[_Label], view: View, dpr: float, cancel
) -> None:
    font = label_font(dpr)
    metrics = QFontMetricsF(font)
    cell = 64.0
    grid: dict[tuple[int, int], list[QRectF]] = {}
    placed: list[tuple[QPainterPath, QRectF]] = []
    for lab in sorted(labels, key=lambda lb: -lb.priority):
        rect = metrics.boundingRect(lab.text)
        w, h = rect.width(), rect.height()
        x = lab.x if lab.priority == 2 else lab.x - w / 2
        box = QRectF(x - 2, lab.y - h / 2 - 2, w + 4, h + 4)
        if (
            box.right() < 0
            or box.left() > view.width
            or box.bottom() < 0
            or box.top() > view.height
        ):
            continue
        cells = [
            (i, j)
            for i in range(int(box.left() // cell), int(box.right() // cell) + 1)
            for j in range(int(box.top() // cell), int(box.bottom() // cell) + 1)
        ]
        if any(box.intersects(o) for c in cells for o in grid.get(c, ())):
            continue
        for c in cells:
            grid.setdefault(c, []).append(box)
        path = QPainterPath()
        path.addText(QPointF(x, lab.y + metrics.ascent() - h / 2), font, lab.text)
        placed.append((path, box))
    if not placed:
        return
    if cancel is not None and cancel.is_set():
        raise RenderCancelled
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    stroker = QPainterPathStroker()
    stroker.setWidth(3.0 * dpr)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(Qt.PenStyle.NoPen)
    for path, _box in placed:
        painter.setBrush(QColor(255, 255, 255, 220))
        painter.drawPath(stroker.createStroke(path))
        painter.setBrush(QColor("#202020"))
        painter.drawPath(path)


# --- the worker thread ------------------------------------------------------------------
@dataclass
class RenderJob:
    job_id: int
    view: View
    layers: list[LayerSnapshot]
    dpr: float = 1.0
    background: str | None = "#ffffff"
    cancel: threading.Event = field(default_factory=threading.Event)


class RenderThread(QThread):
    """Renders the newest submitted job; a new job cancels the running one.

    ``rendered(job_id, image, view, seconds)`` is emitted (queued to the receiver's thread)
    for each finished job; ``failed(job_id, exception)`` for a bug in a render.
    """

    rendered = Signal(int, QImage, object, float)
    failed = Signal(int, object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: RenderJob | None = None
        self._running: RenderJob | None = None
        self._stop = False

    def submit(self, job: RenderJob) -> None:
        with self._cond:
            if self._running is not None:
                self._running.cancel.set()
            if self._pending is not None:
                self._pending.cancel.set()
            self._pending = job
            self._cond.notify()
        if not self.isRunning():
            self.start()

    def cancel_all(self) -> None:
        with self._cond:
            for job in (self._running, self._pending):
                if job is not None:
                    job.cancel.set()
            self._pending = None

    def stop(self) -> None:
        """Cancel everything and end the thread (waits for it)."""
        with self._cond:
            self._stop = True
            for job in (self._running, self._pending):
                if job is not None:
                    job.cancel.set()
            self._pending = None
            self._cond.notify()
        self.wait()

    def is_busy(self) -> bool:
        with self._cond:
            return self._running is not None or self._pending is not None

    def run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                job, self._pending = self._pending, None
                self._running = job
            t0 = time.perf_counter()
            try:
                image = render_map(
                    job.layers, job.view, background=job.background, dpr=job.dpr, cancel=job.cancel
                )
            except RenderCancelled:
                image = None
            except Exception as exc:
                log.exception("render failed")
                image = None
                self.failed.emit(job.job_id, exc)
            finally:
                with self._cond:
                    self._running = None
            if image is not None and not job.cancel.is_set():
                self.rendered.emit(job.job_id, image, job.view, time.perf_counter() - t0)
