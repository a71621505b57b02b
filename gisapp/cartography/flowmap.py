"""The pipe-network and sewage flow-direction map (管网图及污水流向图), drawn with matplotlib.

No Qt here: the same function serves File → Export map and ``python main.py map``. Symbols
come from :mod:`gisapp.cartography.symbology` so the paper map matches the screen.
Chinese text uses a CJK font found with matplotlib's font manager.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from gisapp.cartography import symbology as sym
from network import schema
from network.errors import NetworkError
from network.io.crs import crs_label
from network.io.fonts import cjk_font

PAPER_MM = {  # landscape width, height
    "A4": (297.0, 210.0),
    "A3": (420.0, 297.0),
    "A2": (594.0, 420.0),
    "A1": (841.0, 594.0),
    "A0": (1189.0, 841.0),
}
HIGHLIGHT = "#ff00c8"
#: The scales a drawing is made at (1:n); the whole-park page takes the first one that fits.
STANDARD_SCALES = (500, 1000, 2000, 2500, 5000, 10000, 15000, 20000, 25000, 50000, 100000)
RAIN_MODES = ("faded", "normal", "hidden")
MANHOLE_MAX_SCALE = 5000
#: What a 管网图及污水流向图 shows (other layers of a project, e.g. population or farms for the
#: COD balance, stay off this map).
MAP_KINDS = (
    schema.ZONES,
    schema.BOUNDARY,
    schema.PIPES,
    schema.MANHOLES,
    schema.PLANTS,
    schema.OUTFALLS,
    schema.ENTERPRISES,
)  # manholes are drawn at 1:5000 and larger scales
#: Systems whose flow the 污水流向图 is about (arrows, drawn above rain).
SEWAGE_SYSTEMS = (schema.SEWAGE, schema.COMBINED, schema.INDUSTRIAL)


class MapExportError(NetworkError):
    """The map cannot be made with these options."""


@dataclass
class MapOptions:
    """What to put on the page."""

    size: str = "A4"
    orientation: str = "landscape"
    extent: tuple[float, float, float, float] | None = None  # None = the whole park
    title: str | None = None
    trace_pipes: Sequence[str] = ()
    trace_label: str = ""
    language: str = "zh"
    dpi: int = 200
    arrows: bool = True
    labels: bool = True
    scale: int | None = None  # 1:n; None = the first standard scale that fits the extent
    rain: str = "faded"  # faded / normal / hidden: the rain system on a sewage flow map
    arrow_spacing_mm: float = 30.0  # flow arrows along the sewage pipes, on paper
    sheet: str = ""  # 图号 (drawing / sheet number)
    mapping_unit: str = ""  # 制图单位
    height_datum: str = ""  # 高程系, when known


def page_size_in(size: str, orientation: str) -> tuple[float, float]:
    """Paper size in inches for ``A4``/``A3`` and ``landscape``/``portrait``."""
    if size.upper() not in PAPER_MM:
        raise MapExportError(f"Unknown paper size {size!r}; use one of {', '.join(PAPER_MM)}.")
    if orientation not in ("landscape", "portrait"):
        raise MapExportError(f"Orientation must be landscape or portrait; got {orientation!r}.")
    w, h = PAPER_MM[size.upper()]
    if orientation == "portrait":
        w, h = h, w
    return w / 25.4, h / 25.4


def park_extent(layers: dict[str, Any]) -> tuple[float, float, float, float]:
    """The boundary, the pipes and the treatment plants with a margin: what a park map shows
    (a shared town plant outside the boundary is on the map: it is where the sewage goes)."""
    bounds = []
    for kind in ("boundary", "pipes", "plants"):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):
            b = np.asarray(gdf.total_bounds, dtype=float)
            if np.isfinite(b).all():
                bounds.append(b)
    if not bounds:
        raise MapExportError("The project has no boundary, pipes or plants to map.")
    b = np.vstack(bounds)
    x0, y0 = b[:, 0].min(), b[:, 1].min()
    x1, y1 = b[:, 2].max(), b[:, 3].max()
    m = 0.04 * max(x1 - x0, y1 - y0, 1.0)
    return float(x0 - m), float(y0 - m), float(x1 + m), float(y1 + m)


def choose_scale(width_m: float, height_m: float, paper_w_mm: float, paper_h_mm: float) -> int:
    """The first of :data:`STANDARD_SCALES` at which ``width_m × height_m`` fits the map
    area (else a rounded-up multiple of 10 000).

    >>> choose_scale(3000, 1500, 200, 150)
    15000
    """
    need = max(width_m / paper_w_mm, height_m / paper_h_mm) * 1000.0
    for s in STANDARD_SCALES:
        if s >= need:
            return s
    return int(math.ceil(need / 10000.0) * 10000)


def _fit_extent(
    ext: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """Grow ``ext`` to the axes aspect (width / height) so the map is not distorted."""
    x0, y0, x1, y1 = ext
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        d = (h * aspect - w) / 2
        x0, x1 = x0 - d, x1 + d
    else:
        d = (w / aspect - h) / 2
        y0, y1 = y0 - d, y1 + d
    return x0, y0, x1, y1


def _mpl_color(c: str | None, alpha: float = 1.0) -> Any:
    if c is None:
        return "none"
    c = c.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255, alpha)


def _polygon_path(geom: Any) -> MplPath | None:
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    verts, codes = [], []
    for p in polys:
        if p.is_empty or p.geom_type != "Polygon":
            continue
        for ring in [p.exterior, *p.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _draw_polygons(ax: Any, gdf: Any, style: sym.Style) -> None:
    codes = sym.classify(style, gdf)
    for geom, code in zip(gdf.geometry, codes, strict=True):
        if geom is None or geom.is_empty:
            continue
        s = style.symbol(int(code))
        if s is None:
            continue
        path = _polygon_path(geom)
        if path is None:
            continue
        hatch = sym.MPL_HATCHES.get(s.hatch)
        ax.add_patch(
            PathPatch(
                path,
                facecolor=_mpl_color(s.fill, s.fill_alpha) if s.fill else "none",
                edgecolor=_mpl_color(s.color),
                hatch=hatch,
                linewidth=s.width * 0.6,
                linestyle=sym.MPL_DASHES.get(s.dash, "-"),
                zorder=1,
            )
        )


def _fade(color: str, amount: float = 0.55) -> str:
    """``color`` mixed with white (a de-emphasised system)."""
    r, g, b, _ = _mpl_color(color)
    r, g, b = (v + (1 - v) * amount for v in (r, g, b))
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _dark(color: str, amount: float = 0.25) -> Any:
    r, g, b, _ = _mpl_color(color)
    return (r * (1 - amount), g * (1 - amount), b * (1 - amount), 1.0)


def _line_coords(g: Any) -> list[np.ndarray]:
    if g is None or g.is_empty:
        return []
    if g.geom_type == "LineString":
        return [np.asarray(g.coords)]
    return [np.asarray(p.coords) for p in getattr(g, "geoms", []) if p.geom_type == "LineString"]


def _draw_pipes(
    ax: Any,
    gdf: Any,
    style: sym.Style,
    pen_scale: float,
) -> None:
    """The pipes by class, the sewage systems above the rain system (a 污水流向图 is about
    the sewage)."""
    codes = sym.classify(style, gdf)
    widths = sym.width_classes(style, gdf)
    geoms = gdf.geometry.to_numpy()
    systems = [c.value for c in style.classes]
    for code in np.unique(codes):
        value = systems[code] if code < len(systems) else None
        z = 2.6 if value == schema.RAIN else 3.2
        for wc in np.unique(widths[codes == code]):
            s = style.symbol(int(code), int(wc))
            if s is None:
                continue
            sel = (codes == code) & (widths == wc)
            segs = [c for g in geoms[sel] for c in _line_coords(g)]
            if segs:
                w = s.width * 0.55 * pen_scale * (0.7 if value == schema.RAIN else 1.0)
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=[_mpl_color(s.color)],
                        linewidths=w,
                        zorder=z,
                        capstyle="round",
                    )
                )


def flow_arrow_positions(
    gdf: Any,
    flow_forward: np.ndarray | None,
    spacing: float,
    min_length: float,
) -> list[tuple[float, float, float, float, str]]:
    """Where the flow arrows go: ``(x, y, dx, dy, system)`` along each run of pipes of one
    system (pipes merged head to tail in the flow direction), one every ``spacing`` map
    units, or one in the middle of a run shorter than that but longer than ``min_length``.
    """
    from shapely.geometry import LineString, MultiLineString

    geoms = gdf.geometry.to_numpy()
    fwd = (
        np.asarray(flow_forward, dtype=bool)
        if flow_forward is not None
        else np.ones(len(gdf), dtype=bool)
    )
    system = (
        gdf[schema.SYSTEM].astype(object).to_numpy()
        if schema.SYSTEM in gdf
        else np.full(len(gdf), None, dtype=object)
    )
    out: list[tuple[float, float, float, float, str]] = []
    for value in dict.fromkeys(system.tolist()):
        lines = []
        for g, f in zip(geoms[system == value], fwd[system == value], strict=True):
            for c in _line_coords(g):
                if len(c) >= 2:
                    lines.append(LineString(c if f else c[::-1]))
        if not lines:
            continue
        merged = shapely.line_merge(MultiLineString(lines), directed=True)
        parts = [merged] if merged.geom_type == "LineString" else list(merged.geoms)
        for line in parts:
            length = line.length
            if length < min_length:
                continue
            n = int(length // spacing)
            ds = [length / 2] if n == 0 else [(i + 0.5) * length / n for i in range(n)]
            eps = min(length * 0.01, spacing * 0.02)
            for d in ds:
                a = line.interpolate(max(d - eps, 0.0))
                b = line.interpolate(min(d + eps, length))
                p = line.interpolate(d)
                dx, dy = b.x - a.x, b.y - a.y
                norm = math.hypot(dx, dy)
                if norm > 0:
                    out.append((p.x, p.y, dx / norm, dy / norm, str(value)))
    return out


def _draw_arrows(
    ax: Any,
    arrows: Sequence[tuple[float, float, float, float, str]],
    style: sym.Style,
    size: float,
) -> None:
    """Filled flow arrowheads of ``size`` map units, in the darkened colour of the system."""
    from matplotlib.collections import PolyCollection

    colors = {c.value: c.symbol.color for c in style.classes}
    polys, fills = [], []
    for x, y, dx, dy, value in arrows:
        nx_, ny_ = -dy, dx
        tip = (x + dx * size * 0.6, y + dy * size * 0.6)
        back = (x - dx * size * 0.4, y - dy * size * 0.4)
        left = (back[0] + nx_ * size * 0.33, back[1] + ny_ * size * 0.33)
        right = (back[0] - nx_ * size * 0.33, back[1] - ny_ * size * 0.33)
        notch = (x - dx * size * 0.15, y - dy * size * 0.15)
        polys.append([tip, left, notch, right])
        fills.append(_dark(colors.get(value, "#404040")))
    if polys:
        ax.add_collection(
            PolyCollection(polys, facecolors=fills, edgecolors="white", linewidths=0.3, zorder=4.5)
        )


def _draw_points(ax: Any, gdf: Any, style: sym.Style, zorder: int) -> None:
    codes = sym.classify(style, gdf)
    xs = shapely.get_x(gdf.geometry.to_numpy())
    ys = shapely.get_y(gdf.geometry.to_numpy())
    for code in np.unique(codes):
        s = style.symbol(int(code))
        if s is None:
            continue
        sel = codes == code
        scatter_symbol(ax, xs[sel], ys[sel], s, zorder=zorder)


def scatter_symbol(ax: Any, xs: Any, ys: Any, s: sym.Symbol, zorder: float = 5) -> list[Any]:
    """Draw a marker symbol at the points (its outline width, and an overlay cross over it:
    ``sym.Symbol.overlay``); the map and the legend both draw points here. Returns the
    matplotlib collections (marker, then overlay)."""
    arts = [
        ax.scatter(
            xs,
            ys,
            s=(s.size * 0.55) ** 2,
            marker=sym.MPL_MARKERS.get(s.marker, "o"),
            c=[_mpl_color(s.color)],
            edgecolors=[_mpl_color(s.outline)] if s.outline else "none",
            linewidths=0.5 * max(s.width, 1.0),
            zorder=zorder,
        )
    ]
    if s.overlay == "x":
        arts.append(
            ax.scatter(
                xs,
                ys,
                s=(s.size * 0.75) ** 2,
                marker="x",
                c=[_mpl_color(s.overlay_color)],
                linewidths=1.6,
                zorder=zorder + 0.1,
            )
        )
    return arts


def _nice_length(target: float) -> float:
    exp = 10 ** math.floor(math.log10(target))
    for m in (1, 2, 5, 10):
        if m * exp >= target:
            return m * exp
    return 10 * exp


def _mm_axes(fig: Figure, page: tuple[float, float], x: float, y: float, w: float, h: float):
    """An axes at ``x, y, w, h`` millimetres on the page whose data units are millimetres."""
    pw, ph = page
    ax = fig.add_axes((x / pw, y / ph, w / pw, h / ph))
    ax.set_axis_off()
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    return ax


def _scale_bar(ax: Any, w: float, h: float, scale: int, unit_m: float, font: dict, f: float):
    """A four-part scale bar in a margin axes (millimetre units), centred; returns its
    length in metres."""
    length_m = _nice_length(0.55 * w * scale / 1000.0)
    while length_m / scale * 1000.0 > 0.8 * w:
        length_m /= 2
    length = length_m / scale * 1000.0  # mm on paper
    bx = (w - length) / 2
    by = h * 0.45
    bh = 1.2 * f
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                bh,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.5,
            )
        )
    fs = {**font, "fontsize": 6 * f}
    for i, frac in enumerate((0, 0.5, 1.0)):
        v = length_m * frac
        text = f"{v:g}" if i < 2 else (f"{v / 1000:g} km" if v >= 1000 else f"{v:g} m")
        ax.text(bx + frac * length, by + bh + 0.8 * f, text, ha="center", va="bottom", **fs)
    ax.text(w / 2, by - 1.2 * f, f"1:{scale:,}".replace(",", ""), ha="center", va="top", **fs)
    return length_m


def _north_arrow(
    ax: Any, cx: float, cy: float, size: float, font: dict, f: float, zh: bool = True
) -> None:
    """A split north arrow (half black, half white) of ``size`` mm centred at ``cx, cy``."""
    from matplotlib.patches import Polygon as MplPolygon

    top, bottom, half = cy + size / 2, cy - size / 2, size * 0.28
    ax.add_patch(
        MplPolygon(
            [(cx, top), (cx - half, bottom), (cx, bottom + size * 0.25)],
            closed=True,
            facecolor="black",
            edgecolor="black",
            linewidth=0.5,
        )
    )
    ax.add_patch(
        MplPolygon(
            [(cx, top), (cx + half, bottom), (cx, bottom + size * 0.25)],
            closed=True,
            facecolor="white",
            edgecolor="black",
            linewidth=0.5,
        )
    )
    ax.text(
        cx,
        top + 0.6 * f,
        "北" if zh else "N",
        ha="center",
        va="bottom",
        **{**font, "fontsize": 8 * f, "fontweight": "bold"},
    )


def _legend(
    ax: Any,
    w: float,
    h: float,
    layers: dict[str, Any],
    styles: dict[str, sym.Style],
    language: str,
    font: dict[str, Any],
    extra: Sequence[tuple[str, str]],
    f: float,
) -> None:
    """The legend in a margin axes of ``w × h`` mm: a section per layer, then ``extra``
    line entries (the trace highlight)."""
    sections = []
    for kind in reversed(sym.DRAW_ORDER):
        if kind not in layers:
            continue
        geom = schema.GEOMETRY_KIND[kind]
        entries = sym.legend_entries(styles[kind], geom, language, data=layers[kind])
        sections.append((kind, entries[:1] if kind == "manholes" else entries))
    n_rows = 1.6 + sum(1.2 + len(e) for _, e in sections) + len(extra) + (1.2 if extra else 0)
    step = min(3.8 * f, (h - 2) / n_rows)
    fs = min(6.5 * f, step / 0.50)
    tf = {**font, "fontsize": fs}
    y = h - 1.0
    ax.text(
        1,
        y,
        "图例" if language == "zh" else "Legend",
        va="top",
        **{**font, "fontsize": fs * 1.4, "fontweight": "bold"},
    )
    y -= step * 1.6
    sw, sx, tx = 8 * f, 3 * f, 13 * f
    for kind, entries in sections:
        title = schema.LAYER_LABELS_ZH[kind] if language == "zh" else kind
        ax.text(1, y, title, va="center", **{**tf, "fontweight": "bold"})
        y -= step
        for e in entries:
            s = e.symbol
            if e.geometry == "point":
                scatter_symbol(ax, [sx + sw / 2], [y], replace(s, size=min(s.size, 12.0) * f))
            elif e.geometry == "polygon":
                ax.add_patch(
                    Rectangle(
                        (sx, y - step * 0.3),
                        sw,
                        step * 0.6,
                        facecolor=_mpl_color(s.fill, s.fill_alpha) if s.fill else "none",
                        edgecolor=_mpl_color(s.color),
                        hatch=sym.MPL_HATCHES.get(s.hatch),
                        linestyle=sym.MPL_DASHES.get(s.dash, "-"),
                        linewidth=0.8,
                    )
                )
            elif e.geometry == "arrow":
                ax.plot([sx, sx + sw * 0.6], [y, y], color="#8b4513", linewidth=1.0 * f)
                _draw_arrows(
                    ax, [(sx + sw * 0.7, y, 1.0, 0.0, schema.SEWAGE)], styles["pipes"], 3.2 * f
                )
            else:
                ax.plot(
                    [sx, sx + sw],
                    [y, y],
                    color=_mpl_color(s.color),
                    linewidth=max(s.width * 0.55, 0.5) * f,
                    linestyle=sym.MPL_DASHES.get(s.dash, "-"),
                )
            ax.text(tx, y, e.label, va="center", **tf)
            y -= step
        y -= step * 0.2
    if extra:
        ax.text(
            1,
            y,
            "专题" if language == "zh" else "Overlay",
            va="center",
            **{**tf, "fontweight": "bold"},
        )
        y -= step
    for label, color in extra:
        ax.plot([sx, sx + sw], [y, y], color=color, linewidth=3.0 * f, alpha=0.55)
        ax.text(tx, y, label, va="center", **tf)
        y -= step


def _draw_trace(ax: Any, pipes: Any, trace_pipes: Sequence[str], pen_scale: float) -> None:
    """The traced pipes as a broad translucent band under the pipe symbols."""
    sel = pipes[schema.PIPE_ID].astype(str).isin({str(p) for p in trace_pipes}).to_numpy()
    segs = [c for g in pipes.geometry.to_numpy()[sel] for c in _line_coords(g)]
    ax.add_collection(
        LineCollection(
            segs,
            colors=HIGHLIGHT,
            linewidths=4.5 * pen_scale,
            alpha=0.55,
            zorder=2,
            capstyle="round",
        )
    )


def crs_label_zh(crs: Any) -> str:
    """The CRS as a Chinese drawing names it, e.g. ``CGCS2000 3度带 第37带（EPSG:4525）``."""
    import re

    if crs is None:
        return "未知坐标系"
    name = crs.name or ""
    epsg = crs.to_epsg()
    tail = f"（EPSG:{epsg}）" if epsg else ""
    m = re.search(r"(\d)-degree Gauss-Kruger (?:zone |CM )(\d+)", name)
    if m and "CGCS2000" in name:
        zone = f"第{m.group(2)}带" if "zone" in name else f"中央经线{m.group(2)}°"
        return f"CGCS2000 {m.group(1)}度带 {zone}{tail}"
    if "CGCS2000" in name and crs.is_geographic:
        return f"CGCS2000 地理坐标{tail}"
    if "UTM zone" in name:
        m = re.search(r"UTM zone (\d+)([NS])", name)
        if m:
            return f"WGS84 UTM {m.group(1)}{'北' if m.group(2) == 'N' else '南'}带{tail}"
    return f"{name}{tail}"


def _title_block(
    ax: Any, w: float, h: float, rows: Sequence[tuple[str, str]], font: dict, f: float
) -> None:
    """The title block (标题栏): a two-column table, label | value, framed."""
    n = len(rows)
    rh = h / n
    lw = 15 * f
    ax.add_patch(Rectangle((0, 0), w, h, facecolor="white", edgecolor="black", linewidth=1.0))
    ax.plot([lw, lw], [0, h], color="black", linewidth=0.5)
    fs = 6.0 * f
    for i, (label, value) in enumerate(rows):
        y = h - (i + 0.5) * rh
        if i:
            ax.plot([0, w], [h - i * rh] * 2, color="black", linewidth=0.5)
        ax.text(lw / 2, y, label, ha="center", va="center", **{**font, "fontsize": fs})
        size = fs * (1.15 if i == 0 else 1.0)
        limit = (w - lw - 2 * f) / (size * 0.3528)  # characters of a CJK em that fit
        text = _wrap(value, limit)
        if "\n" in text and size > fs * 0.8:
            size = fs * 0.9
        ax.text(
            lw + 1.5 * f,
            y,
            text,
            ha="left",
            va="center",
            linespacing=1.0,
            **{**font, "fontsize": size, "fontweight": "bold" if i == 0 else "normal"},
        )


def _wrap(text: str, limit: float) -> str:
    """Split ``text`` in two lines when it is longer than ``limit`` ems (CJK = 1, ASCII ~ 0.55)."""

    def ems(t: str) -> float:
        return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in t)

    if ems(text) <= limit:
        return text
    cut = len(text) // 2
    spaces = [i for i, c in enumerate(text) if c in " （("]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut].rstrip() + "\n" + text[cut:].lstrip()


def _coordinate_ticks(ax: Any, extent: tuple, spacing: float, font: dict, f: float) -> None:
    """A neat line with CGCS2000 coordinate ticks every ``spacing`` map units (X northing on
    the left and right, Y easting at the bottom and top) and grid crosses inside."""
    x0, y0, x1, y1 = extent
    xs = np.arange(math.ceil(x0 / spacing) * spacing, x1, spacing)
    ys = np.arange(math.ceil(y0 / spacing) * spacing, y1, spacing)
    ax.set_xticks(xs)
    ax.set_yticks(ys)
    ax.set_xticklabels([f"{v:.0f}" for v in xs], **{**font, "fontsize": 5.2 * f})
    ax.set_yticklabels(
        [f"{v:.0f}" for v in ys], rotation=90, va="center", **{**font, "fontsize": 5.2 * f}
    )
    ax.tick_params(
        direction="out",
        length=2.0 * f,
        width=0.5,
        pad=1.0 * f,
        top=True,
        right=True,
        labeltop=False,
        labelright=False,
    )
    for spine in ax.spines.values():
        spine.set_linewidth(1.2)
    gx, gy = np.meshgrid(xs, ys)
    if gx.size and gx.size < 4000:
        ax.scatter(
            gx.ravel(),
            gy.ravel(),
            marker="+",
            s=(4.0 * f) ** 2,
            c="#909090",
            linewidths=0.4,
            zorder=1.5,
        )


def render_flow_map(
    layers: dict[str, Any],
    crs: Any,
    out: str | Path,
    options: MapOptions | None = None,
    *,
    flow_forward: np.ndarray | None = None,
    stats: dict[str, Any] | None = None,
    park_name: str | None = None,
) -> Path:
    """Draw the map page and save it as PDF or PNG (by the suffix of ``out``).

    Parameters
    ----------
    layers : canonical layers by kind (the enterprises may carry ``connection_status``)
    crs : the project CRS (for the label and the scale bar)
    out : ``*.pdf`` or ``*.png``
    options : page size, orientation, extent, title, trace highlight
    flow_forward : per pipe row, flow in digitised order (arrows)
    stats : network statistics to print (main/branch length)

    Raises
    ------
    MapExportError
        Unknown size/orientation/format, or nothing to map.
    """
    opts = options or MapOptions()
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png"):
        raise MapExportError(f"Export the map as .pdf or .png (got {out.name}).")
    fig = flow_map_figure(
        layers, crs, opts, flow_forward=flow_forward, stats=stats, park_name=park_name
    )
    title = fig.get_label()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    metadata = {"Creator": "PipeAtlas", "Title": title}
    if fmt == "pdf":
        metadata["CreationDate"] = None  # type: ignore[assignment]
    fig.savefig(tmp, format=fmt, dpi=opts.dpi, metadata=metadata)
    tmp.replace(out)
    return out


def page_layout(size: str, orientation: str) -> dict[str, Any]:
    """Where the parts of the page go, in millimetres: ``page``, ``frame``, ``map``,
    ``title``, ``legend``, ``scalebar``, ``titleblock`` (each ``x, y, w, h``) and the text
    scale ``f`` (1 on A4, larger on big sheets)."""
    w_in, h_in = page_size_in(size, orientation)
    pw, ph = w_in * 25.4, h_in * 25.4
    f = (min(pw, ph) / 210.0) ** 0.6
    m = 7.0 * f
    col = 60.0 * f
    tick = 6.0 * f
    title_h = 11.0 * f
    foot_h = 5.0 * f
    tb_h = 44.0 * f
    sb_h = 22.0 * f
    mx0, my0 = m + tick, m + tick + foot_h
    mx1, my1 = pw - m - col - tick, ph - m - title_h
    cx = pw - m - col
    return {
        "page": (pw, ph),
        "f": f,
        "frame": (m, m, pw - 2 * m, ph - 2 * m),
        "map": (mx0, my0, mx1 - mx0, my1 - my0),
        "title": (m, ph - m - title_h, pw - 2 * m, title_h),
        "foot": (mx0, m, mx1 - mx0, foot_h + tick * 0.3),
        "titleblock": (cx, m, col, tb_h),
        "scalebar": (cx, m + tb_h, col, sb_h),
        "legend": (cx, m + tb_h + sb_h, col, my1 - (m + tb_h + sb_h)),
    }


def flow_map_figure(
    layers: dict[str, Any],
    crs: Any,
    options: MapOptions | None = None,
    *,
    flow_forward: np.ndarray | None = None,
    stats: dict[str, Any] | None = None,
    park_name: str | None = None,
) -> Figure:
    """The map page as a matplotlib figure (see :func:`render_flow_map`; the title is the
    figure's label). Outfalls carrying ``symbology.OUTFALL_SYMBOL`` (class × decision status)
    are drawn with :func:`symbology.outfall_status_style`.

    The map is drawn at a standard scale (``options.scale`` or the first that fits), inside a
    neat line with coordinate ticks; legend, north arrow, scale bar and title block sit in
    the right-hand margin, so nothing covers the features. Labels go through the collision
    pass of :mod:`gisapp.cartography.labels` (the placed labels are ``fig.placed_labels``).
    """
    opts = options or MapOptions()
    if opts.rain not in RAIN_MODES:
        raise MapExportError(f"rain must be one of {', '.join(RAIN_MODES)}; got {opts.rain!r}.")
    lay = page_layout(opts.size, opts.orientation)
    pw, ph = lay["page"]
    f = lay["f"]
    zh = opts.language == "zh"
    lang = "zh" if zh else "en"
    family = cjk_font()
    font: dict[str, Any] = {"fontsize": 8}
    if family:
        font["fontfamily"] = family
    unit_m = (
        float(crs.axis_info[0].unit_conversion_factor)
        if crs is not None and crs.axis_info
        else 1.0
    )

    fig = Figure(figsize=(pw / 25.4, ph / 25.4), dpi=opts.dpi)
    mx, my, mw, mh = lay["map"]
    ax = fig.add_axes((mx / pw, my / ph, mw / pw, mh / ph))
    want = opts.extent or park_extent(layers)
    cx, cy = (want[0] + want[2]) / 2, (want[1] + want[3]) / 2
    scale = opts.scale or choose_scale(
        (want[2] - want[0]) * unit_m, (want[3] - want[1]) * unit_m, mw, mh
    )
    half_w = mw / 1000.0 * scale / unit_m / 2
    half_h = mh / 1000.0 * scale / unit_m / 2
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    mm = scale / 1000.0 / unit_m  # map units per paper millimetre
    pen = f if scale <= 2000 else 1.0

    styles = {k: sym.default_style(k, lang) for k in sym.DRAW_ORDER}
    outfalls = layers.get(schema.OUTFALLS)
    if outfalls is not None and sym.OUTFALL_SYMBOL in getattr(outfalls, "columns", ()):
        styles[schema.OUTFALLS] = sym.outfall_status_style(lang)
    styles[schema.PIPES] = _pipe_style_for(styles[schema.PIPES], opts.rain)
    present = {
        k: layers[k]
        for k in sym.DRAW_ORDER
        if k in MAP_KINDS and layers.get(k) is not None and len(layers[k])
    }
    fwd = None if flow_forward is None else np.asarray(flow_forward, dtype=bool)
    if opts.rain == "hidden" and schema.PIPES in present and schema.SYSTEM in present["pipes"]:
        keep = (present["pipes"][schema.SYSTEM] != schema.RAIN).to_numpy()
        present["pipes"] = present["pipes"][keep]
        fwd = fwd[keep] if fwd is not None and len(fwd) == len(keep) else None
    if scale > MANHOLE_MAX_SCALE:  # a bead on every pipe joint hides the network
        present.pop(schema.MANHOLES, None)
    legend_layers = dict(present)  # a sheet's legend is the legend of the whole set
    view = shapely.box(*extent)
    if opts.extent is not None:  # a sheet or a view: draw only what reaches into it
        near = view.buffer(0.05 * max(extent[2] - extent[0], extent[3] - extent[1]))
        for kind, gdf in list(present.items()):
            on = shapely.intersects(gdf.geometry.to_numpy(), near)
            if on.all():
                continue
            if kind == schema.PIPES and fwd is not None and len(fwd) == len(on):
                fwd = fwd[on]
            present[kind] = gdf[on]
        present = {k: v for k, v in present.items() if len(v)}
    obstacles = []
    drawn_arrows: list[tuple[float, float, float, float, str]] = []
    for kind in sym.DRAW_ORDER:
        gdf = present.get(kind)
        if gdf is None:
            continue
        geom = schema.GEOMETRY_KIND[kind]
        if geom == "polygon":
            _draw_polygons(ax, gdf, styles[kind])
        elif geom == "line":
            if len(opts.trace_pipes):
                _draw_trace(ax, gdf, opts.trace_pipes, pen)
            _draw_pipes(ax, gdf, styles[kind], pen)
            if opts.arrows:
                on = shapely.intersects(gdf.geometry.to_numpy(), view)
                arrows = flow_arrow_positions(
                    gdf[on],
                    fwd[on] if fwd is not None and len(fwd) == len(on) else None,
                    opts.arrow_spacing_mm * mm,
                    8.0 * mm,
                )
                keep = [
                    a
                    for a in arrows
                    if a[4] in SEWAGE_SYSTEMS or (opts.rain == "normal" and a[4] == schema.RAIN)
                ]
                _draw_arrows(ax, keep, styles[kind], 3.2 * f * mm)
                drawn_arrows = keep
        else:
            style = styles[kind]
            if kind == "manholes" and scale > 2000:
                style = replace(style, default=replace(style.default, size=3.0, width=0.5))
            _draw_points(ax, gdf, style, zorder=5 + sym.DRAW_ORDER.index(kind))
    _coordinate_ticks(ax, extent, _nice_length(45.0 * mm * unit_m) / unit_m, font, f)

    fig.placed_labels = []
    if opts.labels:
        from gisapp.cartography import labels as lab

        requests = label_requests(present, styles, scale, f, mm)
        for kind in (schema.PLANTS, schema.OUTFALLS, schema.ENTERPRISES):
            gdf = present.get(kind)
            if gdf is None:
                continue
            size = styles[kind].default.size * 0.55
            for g in gdf.geometry:
                if g is not None and not g.is_empty and g.geom_type == "Point":
                    obstacles.append(lab.symbol_box(ax, g.x, g.y, size))
        arrow_pt = 3.2 * f / 25.4 * 72.0  # the arrowheads keep clear of the labels
        obstacles += [lab.symbol_box(ax, a[0], a[1], arrow_pt) for a in drawn_arrows]
        fig.placed_labels = lab.place_labels(ax, requests, font=font, obstacles=obstacles)

    # --- the margins --------------------------------------------------------------------------
    fx, fy, fw, fh = lay["frame"]
    frame = _mm_axes(fig, (pw, ph), 0, 0, pw, ph)
    frame.set_zorder(-1)
    frame.add_patch(Rectangle((fx, fy), fw, fh, fill=False, edgecolor="black", linewidth=1.6))
    frame.add_patch(
        Rectangle(
            (fx - 1.5 * f, fy - 1.5 * f),
            fw + 3 * f,
            fh + 3 * f,
            fill=False,
            edgecolor="black",
            linewidth=0.4,
        )
    )
    name = park_name or _park_name(layers)
    title = opts.title or (
        f"{name}管网图及污水流向图" if zh else f"{name} pipe network and sewage flow-direction map"
    )
    tx, ty, tw, th = lay["title"]
    frame.text(
        tx + tw / 2,
        ty + th / 2,
        title,
        ha="center",
        va="center",
        **{**font, "fontsize": 15 * f, "fontweight": "bold"},
    )
    foot_x, foot_y, _, foot_h = lay["foot"]
    foot = []
    if stats:
        foot.append(stats_text(stats, zh))
    if len(opts.trace_pipes):
        foot.append(opts.trace_label or ("追踪路径" if zh else "traced path"))
    foot.append(("坐标单位：米" if zh else "coordinates in metres") if unit_m == 1.0 else "")
    frame.text(
        foot_x,
        foot_y + foot_h * 0.35,
        "    ".join(t for t in foot if t),
        ha="left",
        va="center",
        **{**font, "fontsize": 6.5 * f},
    )

    lx, ly, lw, lh = lay["legend"]
    legend_ax = _mm_axes(fig, (pw, ph), lx, ly, lw, lh)
    extra = []
    if len(opts.trace_pipes):
        extra.append((opts.trace_label or ("追踪路径" if zh else "traced path"), HIGHLIGHT))
    _legend(legend_ax, lw, lh, legend_layers, styles, lang, font, extra, f)
    sx, sy, sw, sh = lay["scalebar"]
    sb_ax = _mm_axes(fig, (pw, ph), sx, sy, sw, sh)
    sb_ax.add_patch(Rectangle((0, 0), sw, sh, fill=False, edgecolor="black", linewidth=0.5))
    length_m = _scale_bar(sb_ax, sw * 0.62, sh, scale, unit_m, font, f)
    _north_arrow(sb_ax, sw * 0.82, sh * 0.52, sh * 0.55, font, f, zh)
    bx, by, bw, bh = lay["titleblock"]
    tb_ax = _mm_axes(fig, (pw, ph), bx, by, bw, bh)
    today = dt.date.today().isoformat()
    if zh:
        rows = [
            ("图名", title),
            ("比例尺", f"1:{scale}（比例尺长 {length_m:g} m）"),
            ("坐标系", crs_label_zh(crs)),
            ("高程系", opts.height_datum or "—"),
            ("制图单位", opts.mapping_unit or "—"),
            ("制图日期", today),
            ("图号", opts.sheet or "1/1"),
        ]
    else:
        rows = [
            ("Title", title),
            ("Scale", f"1:{scale} (bar {length_m:g} m)"),
            ("CRS", crs_label(crs)),
            ("Heights", opts.height_datum or "—"),
            ("Drawn by", opts.mapping_unit or "—"),
            ("Date", today),
            ("Sheet", opts.sheet or "1/1"),
        ]
    _title_block(tb_ax, bw, bh, rows, font, f)
    fig.map_scale = scale
    fig.map_extent = extent
    fig.set_label(title)
    return fig


def _pipe_style_for(style: sym.Style, rain: str) -> sym.Style:
    """The pipe style of a sewage flow map: the rain system faded (or as is)."""
    if rain != "faded":
        return style
    classes = tuple(
        replace(c, symbol=replace(c.symbol, color=_fade(c.symbol.color)))
        if c.value == schema.RAIN
        else c
        for c in style.classes
    )
    return replace(style, classes=classes)


def label_requests(
    present: dict[str, Any], styles: dict[str, sym.Style], scale: int, f: float, mm: float
) -> list[Any]:
    """What to label, by priority: plant names, outfall ids, enterprise names, manhole ids
    (at 1:2000 and larger), pipe labels along the pipe ("DN600 钢筋混凝土")."""
    from gisapp.cartography import labels as lab

    reqs: list[lab.LabelRequest] = []
    spec = (
        (schema.PLANTS, schema.NAME, lab.PLANT, 7.0, "bold", "#00505a"),
        (schema.OUTFALLS, schema.OUTFALL_ID, lab.OUTFALL, 6.0, "bold", "#202020"),
        (schema.ENTERPRISES, schema.NAME, lab.ENTERPRISE, 5.5, "normal", "#202020"),
    )
    for kind, col, prio, size, weight, color in spec:
        gdf = present.get(kind)
        if gdf is None or col not in gdf:
            continue
        sym_pt = styles[kind].default.size * 0.55
        for g, text in zip(gdf.geometry, gdf[col], strict=True):
            if g is None or g.is_empty or g.geom_type != "Point" or not _has_text(text):
                continue
            reqs.append(
                lab.LabelRequest(
                    str(text),
                    g.x,
                    g.y,
                    prio,
                    size * f,
                    symbol_pt=sym_pt,
                    weight=weight,
                    color=color,
                    kind=kind,
                )
            )
    manholes = present.get(schema.MANHOLES)
    if manholes is not None and scale <= 2000 and schema.NODE_ID in manholes:
        for g, text in zip(manholes.geometry, manholes[schema.NODE_ID], strict=True):
            if g is not None and not g.is_empty and _has_text(text):
                reqs.append(
                    lab.LabelRequest(
                        str(text),
                        g.x,
                        g.y,
                        lab.MANHOLE,
                        4.5 * f,
                        symbol_pt=3.0,
                        leader=False,
                        color="#404040",
                        kind=schema.MANHOLES,
                    )
                )
    pipes = present.get(schema.PIPES)
    if pipes is not None:
        reqs += pipe_label_requests(pipes, f, mm)
    return reqs


def pipe_label_requests(pipes: Any, f: float, mm: float) -> list[Any]:
    """One label "DN600 钢筋混凝土" per run of pipes of one system, diameter and material,
    along its longest straight stretch when that is long enough on paper to carry it."""
    from shapely.geometry import LineString, MultiLineString

    from gisapp.cartography import labels as lab

    if schema.DIAMETER_MM not in pipes:
        return []
    size = 4.8 * f
    cols = [c for c in (schema.SYSTEM, schema.DIAMETER_MM, schema.MATERIAL) if c in pipes]
    reqs = []
    for key, grp in pipes.groupby(cols, dropna=False, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        vals = dict(zip(cols, key, strict=True))
        dn = vals.get(schema.DIAMETER_MM)
        if dn is None or dn != dn or dn <= 0:
            continue
        text = f"DN{dn:.0f}"
        mat = vals.get(schema.MATERIAL)
        if _has_text(mat):
            text += f" {mat}"
        lines = [LineString(c) for g in grp.geometry for c in _line_coords(g) if len(c) >= 2]
        if not lines:
            continue
        merged = shapely.line_merge(MultiLineString(lines))
        parts = [merged] if merged.geom_type == "LineString" else list(merged.geoms)
        need = (sum(1.0 if ord(c) > 0x2E80 else 0.6 for c in text) * size * 0.3528 + 6) * mm
        for line in parts:
            xy = np.asarray(shapely.simplify(line, 0.05 * mm).coords)
            seg = np.hypot(*np.diff(xy, axis=0).T)
            i = int(np.argmax(seg))
            if seg[i] < need:
                continue
            (x0, y0), (x1, y1) = xy[i], xy[i + 1]
            angle = lab.upright(math.degrees(math.atan2(y1 - y0, x1 - x0)))
            reqs.append(
                lab.LabelRequest(
                    text,
                    (x0 + x1) / 2,
                    (y0 + y1) / 2,
                    lab.PIPE,
                    size,
                    angle=angle,
                    span=float(seg[i]),
                    color="#303030",
                    kind=schema.PIPES,
                )
            )
    reqs.sort(key=lambda r: -len(r.text))
    return reqs


def _has_text(v: Any) -> bool:
    return v is not None and v == v and str(v).strip() != ""


def stats_text(stats: dict[str, Any], zh: bool) -> str:
    """'主管 x km，支管 y km' from :func:`network.analysis.network_statistics`."""
    main = float(stats.get("main_length_km", 0.0))
    branch = float(stats.get("branch_length_km", 0.0))
    if zh:
        return f"主管 {main:.2f} km，支管 {branch:.2f} km"
    return f"main {main:.2f} km, branch {branch:.2f} km"


def _park_name(layers: dict[str, Any]) -> str:
    b = layers.get("boundary")
    if b is not None and len(b) and schema.NAME in b and b[schema.NAME].iloc[0]:
        return str(b[schema.NAME].iloc[0])
    return ""
