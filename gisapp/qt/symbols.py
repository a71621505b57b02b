"""Map symbols drawn with Qt: marker shapes, pre-rendered marker stamps, polygon brushes.

Shared by the render worker (:mod:`gisapp.qt.render`), the legend icons and the overlays.
"""

from __future__ import annotations

import math
import threading

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from gisapp.cartography.symbology import Symbol


def qcolor(hex_color: str, alpha: float = 1.0) -> QColor:
    """A QColor of ``hex_color`` with ``alpha`` (0–1)."""
    c = QColor(hex_color)
    if alpha < 1.0:
        c.setAlphaF(max(0.0, min(1.0, alpha)))
    return c


_STAMPS: dict[tuple[Symbol, float], QImage] = {}
_STAMPS_LOCK = threading.Lock()


def marker_path(marker: str, size: float) -> QPainterPath:
    """A marker outline centred on (0, 0), ``size`` px across."""
    r = size / 2
    path = QPainterPath()
    if marker == "circle":
        path.addEllipse(QPointF(0, 0), r, r)
    elif marker == "square":
        path.addRect(QRectF(-r * 0.85, -r * 0.85, 1.7 * r, 1.7 * r))
    elif marker == "cross":
        t = r * 0.32
        pts = [
            (-t, -r),
            (t, -r),
            (t, -t),
            (r, -t),
            (r, t),
            (t, t),
            (t, r),
            (-t, r),
            (-t, t),
            (-r, t),
            (-r, -t),
            (-t, -t),
        ]
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
        path.closeSubpath()
    else:
        if marker == "star":
            pts = [
                (
                    r * (1.0 if i % 2 == 0 else 0.45) * math.sin(i * math.pi / 5),
                    -r * (1.0 if i % 2 == 0 else 0.45) * math.cos(i * math.pi / 5),
                )
                for i in range(10)
            ]
        else:
            n, rot = {
                "triangle": (3, 0.0),
                "triangle_down": (3, math.pi),
                "diamond": (4, 0.0),
                "pentagon": (5, 0.0),
                "hexagon": (6, math.pi / 6),
            }.get(marker, (4, 0.0))
            angles = [rot + 2 * math.pi * i / n for i in range(n)]
            pts = [(r * math.sin(a), -r * math.cos(a)) for a in angles]
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in pts]))
        path.closeSubpath()
    return path


def paint_marker(painter: QPainter, sym: Symbol, x: float, y: float, dpr: float = 1.0) -> None:
    """Draw one marker symbol centred on (x, y) (any painter: legend icons, overlays)."""
    path = marker_path(sym.marker, sym.size * dpr).translated(x, y)
    painter.setBrush(QBrush(qcolor(sym.color)))
    if sym.outline:
        painter.setPen(QPen(qcolor(sym.outline), max(1.0, sym.width) * dpr))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPath(path)
    if sym.overlay == "x":  # crossed out (e.g. a sealed outfall)
        d = sym.size * dpr * 0.5
        painter.setPen(QPen(qcolor(sym.overlay_color), 2.2 * dpr))
        painter.drawLine(QPointF(x - d, y - d), QPointF(x + d, y + d))
        painter.drawLine(QPointF(x - d, y + d), QPointF(x + d, y - d))


def marker_stamp(sym: Symbol, dpr: float = 1.0) -> QImage:
    """A small pre-rendered image of a marker (drawn once, stamped per feature)."""
    key = (sym, dpr)
    with _STAMPS_LOCK:
        img = _STAMPS.get(key)
    if img is not None:
        return img
    side = math.ceil((sym.size + 2 * max(1.0, sym.width) + 2) * dpr)
    img = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    paint_marker(p, sym, side / 2, side / 2, dpr)
    p.end()
    with _STAMPS_LOCK:
        _STAMPS[key] = img
    return img


_HATCH_STYLES = {
    "bdiag": Qt.BrushStyle.BDiagPattern,
    "fdiag": Qt.BrushStyle.FDiagPattern,
    "cross": Qt.BrushStyle.CrossPattern,
    "diagcross": Qt.BrushStyle.DiagCrossPattern,
    "horizontal": Qt.BrushStyle.HorPattern,
    "vertical": Qt.BrushStyle.VerPattern,
}


def polygon_brushes(sym: Symbol) -> list[QBrush]:
    """Fill brushes of a polygon symbol: translucent fill, then hatch."""
    brushes = []
    if sym.fill:
        brushes.append(QBrush(qcolor(sym.fill, sym.fill_alpha)))
    if sym.hatch and sym.hatch != "none":
        brushes.append(
            QBrush(qcolor(sym.color), _HATCH_STYLES.get(sym.hatch, Qt.BrushStyle.BDiagPattern))
        )
    return brushes


__all__ = ["marker_path", "marker_stamp", "paint_marker", "polygon_brushes", "qcolor"]
