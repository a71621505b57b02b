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
from matplotlib.patches import FancyArrow, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from gisapp.cartography import symbology as sym
from network import schema
from network.errors import NetworkError
from network.io.crs import crs_label
from network.io.fonts import cjk_font

PAPER_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape width, height
HIGHLIGHT = "#ff00c8"


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


def page_size_in(size: str, orientation: str) -> tuple[float, float]:
    """Paper size in inches for ``A4``/``A3`` and ``landscape``/``portrait``."""
    if size.upper() not in PAPER_MM:
        raise MapExportError(f"Unknown paper size {size!r}; use A4 or A3.")
    if orientation not in ("landscape", "portrait"):
        raise MapExportError(f"Orientation must be landscape or portrait; got {orientation!r}.")
    w, h = PAPER_MM[size.upper()]
    if orientation == "portrait":
        w, h = h, w
    return w / 25.4, h / 25.4


def park_extent(layers: dict[str, Any]) -> tuple[float, float, float, float]:
    """The boundary (else the pipes) with a margin: what a park map shows."""
    for kind in ("boundary", "pipes"):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):
            x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
            m = 0.06 * max(x1 - x0, y1 - y0, 1.0)
            return x0 - m, y0 - m, x1 + m, y1 + m
    raise MapExportError("The project has no boundary and no pipes to map.")


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


def _draw_lines(
    ax: Any,
    gdf: Any,
    style: sym.Style,
    flow_forward: np.ndarray | None,
    arrows: bool,
    extent: tuple[float, float, float, float],
    scale_mpp: float,
) -> None:
    codes = sym.classify(style, gdf)
    widths = sym.width_classes(style, gdf)
    geoms = gdf.geometry.to_numpy()
    for code in np.unique(codes):
        for wc in np.unique(widths[codes == code]):
            s = style.symbol(int(code), int(wc))
            if s is None:
                continue
            sel = (codes == code) & (widths == wc)
            segs = [
                np.asarray(g.coords)
                for g in geoms[sel]
                if g is not None and not g.is_empty and g.geom_type == "LineString"
            ]
            if segs:
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=[_mpl_color(s.color)],
                        linewidths=s.width * 0.55,
                        zorder=3,
                        capstyle="round",
                    )
                )
    if not arrows:
        return
    # one arrow at the middle of each pipe long enough to carry it at this scale
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    lengths = np.where(ok, shapely.length(geoms), 0.0)
    min_len = 9.0 * scale_mpp
    idx = np.flatnonzero(lengths > min_len)
    if not len(idx):
        return
    g = geoms[idx]
    mid = shapely.line_interpolate_point(g, 0.5, normalized=True)
    a = shapely.line_interpolate_point(g, 0.45, normalized=True)
    b = shapely.line_interpolate_point(g, 0.55, normalized=True)
    ax_, ay_ = shapely.get_x(a), shapely.get_y(a)
    bx_, by_ = shapely.get_x(b), shapely.get_y(b)
    fwd = flow_forward[idx] if flow_forward is not None else np.ones(len(idx), dtype=bool)
    dx = np.where(fwd, bx_ - ax_, ax_ - bx_)
    dy = np.where(fwd, by_ - ay_, ay_ - by_)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1.0
    mx, my = shapely.get_x(mid), shapely.get_y(mid)
    inside = (mx > extent[0]) & (mx < extent[2]) & (my > extent[1]) & (my < extent[3])
    colors = []
    code_of = sym.classify(style, gdf)[idx]
    for c in code_of:
        s = style.symbol(int(c))
        colors.append(_mpl_color(s.color if s else "#404040"))
    colors = np.array(colors)
    ax.quiver(
        mx[inside],
        my[inside],
        (dx / norm)[inside],
        (dy / norm)[inside],
        color=colors[inside],
        angles="xy",
        pivot="mid",
        scale_units="inches",
        scale=15.0,
        width=0.0011,
        headwidth=4.5,
        headlength=5,
        headaxislength=4.5,
        zorder=4,
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


def _scale_bar(
    ax: Any, extent: tuple[float, float, float, float], unit_m: float, font: dict[str, Any]
) -> float:
    x0, y0, x1, y1 = extent
    length_m = _nice_length((x1 - x0) * unit_m / 8)
    length = length_m / unit_m
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    ax.add_patch(
        Rectangle(
            (bx - 0.02 * (x1 - x0), by - 1.5 * h),
            length + 0.06 * (x1 - x0),
            6.5 * h,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=9,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                h,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=10,
            )
        )
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    ax.text(bx, by + 2.2 * h, "0", ha="center", va="bottom", zorder=10, **font)
    ax.text(bx + length, by + 2.2 * h, label, ha="center", va="bottom", zorder=10, **font)
    return length_m


def _north_arrow(ax: Any, extent: tuple[float, float, float, float], font: dict[str, Any]) -> None:
    x0, y0, x1, y1 = extent
    cx, top = x1 - 0.05 * (x1 - x0), y1 - 0.05 * (y1 - y0)
    h = 0.08 * (y1 - y0)
    ax.add_patch(
        FancyArrow(
            cx,
            top - h,
            0,
            h * 0.85,
            width=0.012 * (x1 - x0),
            head_width=0.035 * (x1 - x0),
            head_length=0.35 * h,
            length_includes_head=True,
            color="black",
            zorder=10,
        )
    )
    ax.text(
        cx,
        top - h * 1.15,
        "N",
        ha="center",
        va="top",
        zorder=10,
        **{**font, "fontsize": 11, "fontweight": "bold"},
    )


def _legend(
    fig: Figure,
    rect: Sequence[float],
    layers: dict[str, Any],
    styles: dict[str, sym.Style],
    language: str,
    font: dict[str, Any],
    extra: Sequence[tuple[str, str]],
) -> None:
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    sections = []
    for kind in reversed(sym.DRAW_ORDER):
        if kind not in layers:
            continue
        geom = schema.GEOMETRY_KIND[kind]
        entries = sym.legend_entries(styles[kind], geom, language, data=layers[kind])
        sections.append((kind, entries[:1] if kind == "manholes" else entries))
    n_rows = 1.5 + sum(1.3 + len(e) for _, e in sections) + len(extra)
    y = 0.97
    step = min(0.032, 0.94 / n_rows)  # a long legend (e.g. outfall statuses) is set tighter
    ax.text(
        0.02,
        y,
        "图例" if language == "zh" else "Legend",
        va="top",
        **{**font, "fontsize": 11, "fontweight": "bold"},
    )
    y -= step * 1.5
    for kind, entries in sections:
        title = schema.LAYER_LABELS_ZH[kind] if language == "zh" else kind
        ax.text(0.02, y, title, va="center", **{**font, "fontweight": "bold"})
        y -= step
        for e in entries:
            if y < 0.02:
                return
            s = e.symbol
            if e.geometry == "point":
                scatter_symbol(ax, [0.1], [y], s)
            elif e.geometry == "polygon":
                ax.add_patch(
                    Rectangle(
                        (0.04, y - 0.009),
                        0.12,
                        0.018,
                        facecolor=_mpl_color(s.fill, s.fill_alpha) if s.fill else "none",
                        edgecolor=_mpl_color(s.color),
                        hatch=sym.MPL_HATCHES.get(s.hatch),
                        linestyle=sym.MPL_DASHES.get(s.dash, "-"),
                        linewidth=0.8,
                    )
                )
            elif e.geometry == "arrow":
                ax.annotate(
                    "",
                    xy=(0.16, y),
                    xytext=(0.04, y),
                    arrowprops={"arrowstyle": "-|>", "color": "#404040", "lw": 1.0},
                )
            else:
                ax.plot(
                    [0.04, 0.16],
                    [y, y],
                    color=_mpl_color(s.color),
                    linewidth=max(s.width * 0.6, 0.5),
                    linestyle=sym.MPL_DASHES.get(s.dash, "-"),
                )
            ax.text(0.2, y, e.label, va="center", **font)
            y -= step
        y -= step * 0.3
    for label, color in extra:
        if y < 0.02:
            return
        ax.plot([0.04, 0.16], [y, y], color=color, linewidth=3.0)
        ax.text(0.2, y, label, va="center", **font)
        y -= step


def _draw_trace(ax: Any, pipes: Any, trace_pipes: Sequence[str]) -> None:
    """The traced pipes as a broad translucent band under the pipe symbols."""
    sel = pipes[schema.PIPE_ID].astype(str).isin({str(p) for p in trace_pipes})
    segs = [
        np.asarray(g.coords)
        for g in pipes.geometry[sel]
        if g is not None and not g.is_empty and g.geom_type == "LineString"
    ]
    ax.add_collection(
        LineCollection(
            segs,
            colors=HIGHLIGHT,
            linewidths=4.0,
            alpha=0.55,
            zorder=2,
            capstyle="round",
        )
    )


def _draw_labels(
    ax: Any,
    present: dict[str, Any],
    extent: tuple[float, float, float, float],
    font: dict[str, Any],
) -> None:
    """Names of the plants and ids of the outfalls inside the map extent."""
    for kind, col in (("plants", schema.NAME), ("outfalls", schema.OUTFALL_ID)):
        gdf = present.get(kind)
        if gdf is None or col not in gdf:
            continue
        for g, text in zip(gdf.geometry, gdf[col], strict=True):
            if g is None or g.is_empty or text is None or text != text:
                continue
            if extent[0] < g.x < extent[2] and extent[1] < g.y < extent[3]:
                ax.annotate(
                    str(text),
                    (g.x, g.y),
                    xytext=(4, 4),
                    textcoords="offset points",
                    zorder=12,
                    **{**font, "fontsize": 6.5},
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
    are drawn with :func:`symbology.outfall_status_style`."""
    opts = options or MapOptions()
    w_in, h_in = page_size_in(opts.size, opts.orientation)
    zh = opts.language == "zh"
    family = cjk_font()
    font: dict[str, Any] = {"fontsize": 8}
    if family:
        font["fontfamily"] = family
    unit_m = (
        float(crs.axis_info[0].unit_conversion_factor)
        if crs is not None and crs.axis_info
        else 1.0
    )

    fig = Figure(figsize=(w_in, h_in), dpi=opts.dpi)
    margin = 0.35 / w_in, 0.35 / h_in
    legend_w = 2.3 / w_in
    title_h = 0.65 / h_in
    foot_h = 0.45 / h_in
    map_rect = (
        margin[0],
        margin[1] + foot_h,
        1 - 2 * margin[0] - legend_w - 0.1 / w_in,
        1 - 2 * margin[1] - title_h - foot_h,
    )
    ax = fig.add_axes(map_rect)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(1.0)
    aspect = (map_rect[2] * w_in) / (map_rect[3] * h_in)
    extent = _fit_extent(opts.extent or park_extent(layers), aspect)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    scale_mpp = (extent[2] - extent[0]) / (map_rect[2] * w_in)  # map units per inch

    styles = {k: sym.default_style(k, "zh" if zh else "en") for k in sym.DRAW_ORDER}
    outfalls = layers.get(schema.OUTFALLS)
    if outfalls is not None and sym.OUTFALL_SYMBOL in getattr(outfalls, "columns", ()):
        styles[schema.OUTFALLS] = sym.outfall_status_style("zh" if zh else "en")
    present = {k: v for k, v in layers.items() if k in sym.DRAW_ORDER and v is not None and len(v)}
    for kind in sym.DRAW_ORDER:
        gdf = present.get(kind)
        if gdf is None:
            continue
        geom = schema.GEOMETRY_KIND[kind]
        if geom == "polygon":
            _draw_polygons(ax, gdf, styles[kind])
        elif geom == "line":
            if len(opts.trace_pipes):
                _draw_trace(ax, gdf, opts.trace_pipes)
            # an arrow on every pipe at least 2.5 mm long on paper
            _draw_lines(
                ax, gdf, styles[kind], flow_forward, opts.arrows, extent, scale_mpp * 0.1 / 9.0
            )
        else:
            style = styles[kind]
            if kind == "manholes" and scale_mpp * unit_m > 127:  # smaller than 1:5,000
                style = replace(style, default=replace(style.default, size=3.0, width=0.5))
            _draw_points(ax, gdf, style, zorder=5 + sym.DRAW_ORDER.index(kind))
    if opts.labels:
        _draw_labels(ax, present, extent, font)

    length_m = _scale_bar(ax, extent, unit_m, font)
    _north_arrow(ax, extent, font)

    name = park_name or _park_name(layers)
    title = opts.title or (
        f"{name}管网图及污水流向图" if zh else f"{name} pipe network and sewage flow-direction map"
    )
    fig.text(
        0.5,
        1 - margin[1] - title_h * 0.45,
        title,
        ha="center",
        va="center",
        **{**font, "fontsize": 15, "fontweight": "bold"},
    )
    today = dt.date.today().isoformat()
    foot = [
        f"{'坐标系' if zh else 'CRS'}: {crs_label(crs)}",
        f"{'比例尺' if zh else 'Scale'} 1:{scale_mpp * unit_m / 0.0254:,.0f}"
        f" ({'比例尺长' if zh else 'bar'} {length_m:g} m)",
        f"{'制图日期' if zh else 'Date'}: {today}",
        "PipeAtlas",
    ]
    if stats:
        foot.insert(1, stats_text(stats, zh))
    fig.text(
        margin[0], margin[1] + foot_h * 0.35, "    ".join(foot), ha="left", va="center", **font
    )
    extra = []
    if len(opts.trace_pipes):
        extra.append((opts.trace_label or ("追踪路径" if zh else "traced path"), HIGHLIGHT))
    _legend(
        fig,
        (1 - margin[0] - legend_w, margin[1] + foot_h, legend_w, map_rect[3]),
        present,
        styles,
        "zh" if zh else "en",
        font,
        extra,
    )
    fig.set_label(title)
    return fig


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
