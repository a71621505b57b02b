"""Labels of the paper map without overlaps: a greedy collision pass with priorities (no Qt).

Every label asks for a place (:class:`LabelRequest`); :func:`place_labels` takes them in order
of priority (plants > outfalls > enterprises > manholes > pipe labels), tries the eight places
around a point symbol, then farther places with a leader line, and drops what does not fit.
Boxes are kept in display pixels as shapely polygons (a pipe label is a rotated box along the
pipe), so "no two labels overlap" is a plain geometric fact a test can check. All text gets a
white halo (:data:`HALO`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from matplotlib import patheffects
from shapely.geometry import Polygon, box

#: Priorities, most important first.
PLANT, OUTFALL, ENTERPRISE, MANHOLE, PIPE = 0, 1, 2, 3, 4


def halo(width: float = 2.2) -> list[Any]:
    """A white halo under text (matplotlib path effects)."""
    return [patheffects.withStroke(linewidth=width, foreground="white")]


HALO = halo()

# the eight places around a point, best first (the cartographers' order: right-above first)
_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))


@dataclass(frozen=True)
class LabelRequest:
    """One label that would like to be on the map.

    ``x, y`` are map coordinates; ``symbol_pt`` is the size of the symbol at the point (the
    label keeps clear of it); ``angle`` (degrees) turns a label *along* a line, centred on the
    point, beside the line (either side), slid along a straight stretch ``span`` map units
    long; ``leader`` allows a farther place joined by a thin line.
    """

    text: str
    x: float
    y: float
    priority: int
    fontsize: float = 6.0
    angle: float | None = None
    symbol_pt: float = 4.0
    color: str = "#000000"
    weight: str = "normal"
    leader: bool = True
    kind: str = ""
    span: float = 0.0


@dataclass
class PlacedLabel:
    """A label on the map: its request, the text artist and its box (display pixels)."""

    request: LabelRequest
    artist: Any
    box: Polygon
    leader: Any = None


@dataclass
class _Grid:
    """Boxes already taken, bucketed by a coarse grid for quick overlap tests."""

    cell: float
    cells: dict[tuple[int, int], list[Polygon]] = field(default_factory=dict)

    def _keys(self, poly: Polygon) -> Iterable[tuple[int, int]]:
        x0, y0, x1, y1 = poly.bounds
        for i in range(int(x0 // self.cell), int(x1 // self.cell) + 1):
            for j in range(int(y0 // self.cell), int(y1 // self.cell) + 1):
                yield i, j

    def hits(self, poly: Polygon) -> bool:
        for k in self._keys(poly):
            for other in self.cells.get(k, ()):
                if poly.intersects(other):
                    return True
        return False

    def add(self, poly: Polygon) -> None:
        for k in self._keys(poly):
            self.cells.setdefault(k, []).append(poly)


def text_size_px(ax: Any, text: str, fontsize: float, font: dict[str, Any], weight: str) -> tuple:
    """Width and height of ``text`` in display pixels (measured by the renderer)."""
    from matplotlib.font_manager import FontProperties

    fig = ax.figure
    renderer = _renderer(fig)
    prop = FontProperties(family=font.get("fontfamily"), size=fontsize, weight=weight)
    w, h, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    return w, max(h, fontsize * fig.dpi / 72.0 * 1.15)


def _family(font: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in font.items() if k == "fontfamily"}


def _renderer(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _rotated_box(cx: float, cy: float, w: float, h: float, angle: float) -> Polygon:
    a = math.radians(angle)
    ca, sa = math.cos(a), math.sin(a)
    pts = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        pts.append((cx + dx * ca - dy * sa, cy + dx * sa + dy * ca))
    return Polygon(pts)


def place_labels(
    ax: Any,
    requests: Sequence[LabelRequest],
    *,
    font: dict[str, Any] | None = None,
    obstacles: Sequence[Polygon] = (),
    zorder: float = 12,
) -> list[PlacedLabel]:
    """Put the labels on ``ax`` where they overlap no other label nor an obstacle.

    Parameters
    ----------
    ax : matplotlib Axes
        Its limits and size are final (the page is laid out).
    requests : sequence of LabelRequest
        Taken by ``priority`` (then in the given order).
    font : dict
        ``fontfamily`` for the text (a CJK face).
    obstacles : sequence of Polygon
        Boxes in display pixels no label may cover (the point symbols, the scale bar).

    Returns
    -------
    list of PlacedLabel
        The labels drawn; a request that fitted nowhere is dropped.
    """
    font = font or {}
    fig = ax.figure
    _renderer(fig)
    ax.apply_aspect()
    frame = ax.get_window_extent()
    inner = box(frame.x0 + 1, frame.y0 + 1, frame.x1 - 1, frame.y1 - 1)
    px_per_pt = fig.dpi / 72.0
    grid = _Grid(cell=40 * px_per_pt)
    for ob in obstacles:
        grid.add(ob)
    to_px = ax.transData.transform
    to_data = ax.transData.inverted().transform
    sizes: dict[tuple[str, float, str], tuple[float, float]] = {}
    placed: list[PlacedLabel] = []
    for req in sorted(requests, key=lambda r: r.priority):
        ax_px, ay_px = to_px((req.x, req.y))
        if not (frame.x0 < ax_px < frame.x1 and frame.y0 < ay_px < frame.y1):
            continue
        key = (req.text, req.fontsize, req.weight)
        if key not in sizes:
            sizes[key] = text_size_px(ax, req.text, req.fontsize, font, req.weight)
        w, h = sizes[key]
        w, h = w + 1.5 * px_per_pt, h + 0.5 * px_per_pt  # room for the halo
        span_px = abs(to_px((req.x + req.span, req.y))[0] - ax_px)
        spot = _find_spot(req, ax_px, ay_px, w, h, px_per_pt, grid, inner, span_px)
        if spot is None:
            continue
        poly, cx, cy, far = spot
        grid.add(poly)
        x, y = to_data((cx, cy))
        t = ax.text(
            x,
            y,
            req.text,
            ha="center",
            va="center",
            rotation=req.angle or 0.0,
            rotation_mode="anchor",
            fontsize=req.fontsize,
            fontweight=req.weight,
            color=req.color,
            zorder=zorder,
            path_effects=HALO,
            **_family(font),
        )
        leader = None
        if far:
            ex, ey = _nearest_on_box(poly, ax_px, ay_px)
            (lx0, ly0), (lx1, ly1) = to_data((ax_px, ay_px)), to_data((ex, ey))
            (leader,) = ax.plot(
                [lx0, lx1], [ly0, ly1], color="#505050", linewidth=0.4, zorder=zorder - 0.5
            )
        placed.append(PlacedLabel(req, t, poly, leader))
    return placed


def _find_spot(
    req: LabelRequest,
    px: float,
    py: float,
    w: float,
    h: float,
    px_per_pt: float,
    grid: _Grid,
    inner: Polygon,
    span_px: float = 0.0,
) -> tuple[Polygon, float, float, bool] | None:
    if req.angle is not None:  # along a line: beside it, somewhere on its straight stretch
        a = math.radians(req.angle)
        ux, uy = math.cos(a), math.sin(a)
        nx, ny = -uy, ux
        off = h / 2 + 0.8 * px_per_pt
        room = max(span_px - w, 0.0) / 2
        for t in (0.0, -0.5, 0.5, -0.9, 0.9):
            for side in (1, -1):
                cx = px + ux * t * room + nx * side * off
                cy = py + uy * t * room + ny * side * off
                poly = _rotated_box(cx, cy, w, h, req.angle)
                if inner.contains(poly) and not grid.hits(poly):
                    return poly, cx, cy, False
        return None
    r = (req.symbol_pt / 2 + 1.0) * px_per_pt
    rings: list[tuple[float, bool]] = [(r, False)]
    if req.leader:
        rings += [(r + 10 * px_per_pt, True), (r + 20 * px_per_pt, True)]
    for dist, far in rings:
        dirs = _DIRECTIONS if not far else (*_DIRECTIONS, *_diagonals16())
        for dx, dy in dirs:
            cx = px + dx * (dist + w / 2)
            cy = py + dy * (dist + h / 2)
            if dx == 0:
                cx = px
            if dy == 0:
                cy = py
            poly = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if inner.contains(poly) and not grid.hits(poly):
                return poly, cx, cy, far
    return None


def _diagonals16() -> tuple[tuple[float, float], ...]:
    out = []
    for k in range(16):
        a = math.radians(22.5 * k + 11.25)
        out.append((math.cos(a), math.sin(a)))
    return tuple(out)


def _nearest_on_box(poly: Polygon, x: float, y: float) -> tuple[float, float]:
    p = poly.exterior.interpolate(poly.exterior.project(shapely.Point(x, y)))
    return p.x, p.y


def symbol_box(ax: Any, x: float, y: float, size_pt: float) -> Polygon:
    """The box (display pixels) a point symbol of ``size_pt`` covers at map point ``x, y``."""
    px, py = ax.transData.transform((x, y))
    half = size_pt / 2 * ax.figure.dpi / 72.0
    return box(px - half, py - half, px + half, py + half)


def upright(angle: float) -> float:
    """An angle (degrees) turned so the text reads left to right (−90° < angle ≤ 90°)."""
    a = (angle + 180.0) % 360.0 - 180.0
    if a > 90.0:
        a -= 180.0
    elif a <= -90.0:
        a += 180.0
    return a
