"""A map set: the park at a working scale (1:500, 1:1000, 1:2000) on numbered sheets (no Qt).

:func:`sheet_grid` cuts the park into sheets of one paper size at one scale (a regular grid
anchored on round coordinates; sheets with nothing on them are left out) and numbers them
from the north-west, row by row. :func:`render_sheets` writes one multi-page PDF: first the
index map (分幅索引图: the whole park with the sheet outlines and numbers), then the sheets,
each a full map page (:func:`gisapp.cartography.flowmap.flow_map_figure`) with its 图号.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from matplotlib.patches import Rectangle

from gisapp.cartography.flowmap import (
    MapExportError,
    MapOptions,
    flow_map_figure,
    page_layout,
    park_extent,
)
from gisapp.cartography.labels import HALO
from network import schema

#: Scales a sheet set is drawn at (1:n).
SHEET_SCALES = (500, 1000, 2000)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a set: its number (1-based), grid row and column, map extent."""

    number: int
    row: int
    col: int
    extent: tuple[float, float, float, float]


def sheet_ground_size(
    size: str, orientation: str, scale: int, unit_m: float = 1.0
) -> tuple[float, float]:
    """Width and height in map units that one sheet's map area covers at 1:``scale``."""
    _, _, w_mm, h_mm = page_layout(size, orientation)["map"]
    return w_mm * scale / 1000.0 / unit_m, h_mm * scale / 1000.0 / unit_m


def sheet_grid(
    layers: dict[str, Any],
    size: str,
    orientation: str,
    scale: int,
    unit_m: float = 1.0,
) -> list[Sheet]:
    """The sheets that cover the park (boundary, pipes, plants) at 1:``scale``.

    The grid starts at a multiple of 10 m west and south of the park; a sheet is kept when a
    pipe, the boundary or a plant reaches into it. Sheets are numbered from the north-west,
    west to east, then north to south.

    Raises
    ------
    MapExportError
        The park would need more than 400 sheets (choose a smaller scale or a bigger paper).
    """
    if scale <= 0:
        raise MapExportError(f"The scale must be 1:n with n > 0; got 1:{scale}.")
    sw, sh = sheet_ground_size(size, orientation, scale, unit_m)
    x0, y0, x1, y1 = park_extent(layers)
    ox = math.floor(x0 / 10.0) * 10.0
    oy = math.floor(y0 / 10.0) * 10.0
    ncol = max(1, math.ceil((x1 - ox) / sw))
    nrow = max(1, math.ceil((y1 - oy) / sh))
    if ncol * nrow > 400:
        raise MapExportError(
            f"At 1:{scale} on {size} the park needs {ncol * nrow} sheets (more than 400); "
            "choose 1:1000 or 1:2000, or a bigger paper."
        )
    content = _content(layers)
    tree = shapely.STRtree(content) if len(content) else None
    sheets = []
    for r in range(nrow):  # north first
        for c in range(ncol):
            ext = (ox + c * sw, oy + (nrow - 1 - r) * sh, ox + (c + 1) * sw, oy + (nrow - r) * sh)
            if tree is not None and not len(tree.query(shapely.box(*ext), "intersects")):
                continue
            sheets.append(Sheet(len(sheets) + 1, r, c, ext))
    return sheets


def _content(layers: dict[str, Any]) -> np.ndarray:
    parts = []
    for kind in (schema.PIPES, schema.BOUNDARY, schema.PLANTS):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):
            g = gdf.geometry.to_numpy()
            parts.append(g[~(shapely.is_missing(g) | shapely.is_empty(g))])
    return np.concatenate(parts) if parts else np.array([], dtype=object)


def needs_sheets(layers: dict[str, Any], size: str, orientation: str, scale: int, unit_m=1.0):
    """True when the park does not fit one page at 1:``scale``."""
    sw, sh = sheet_ground_size(size, orientation, scale, unit_m)
    x0, y0, x1, y1 = park_extent(layers)
    return (x1 - x0) > sw or (y1 - y0) > sh


def index_figure(
    layers: dict[str, Any],
    crs: Any,
    sheets: list[Sheet],
    options: MapOptions,
    *,
    flow_forward: Any = None,
    stats: Any = None,
) -> Any:
    """The index map (分幅索引图): the whole park on one page of the set's paper, the sheet
    outlines and their numbers on top."""
    zh = options.language == "zh"
    name = _park_name(layers)
    base = options.title or (f"{name}管网图及污水流向图" if zh else f"{name} pipe network map")
    title = f"{base} 分幅索引图" if zh else f"{base}: sheet index"
    opts = replace(
        options,
        extent=_union(sheets),
        scale=None,
        labels=False,
        title=title,
        sheet="索引" if zh else "index",
    )
    fig = flow_map_figure(layers, crs, opts, flow_forward=flow_forward, stats=stats)
    ax = fig.axes[0]
    f = page_layout(options.size, options.orientation)["f"]
    for s in sheets:
        x0, y0, x1, y1 = s.extent
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                fill=False,
                edgecolor="#d00000",
                linewidth=1.0,
                zorder=20,
            )
        )
        ax.text(
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            str(s.number),
            ha="center",
            va="center",
            color="#d00000",
            fontsize=16 * f,
            fontweight="bold",
            zorder=21,
            path_effects=HALO,
        )
    return fig


def _union(sheets: list[Sheet]) -> tuple[float, float, float, float]:
    e = np.array([s.extent for s in sheets])
    return float(e[:, 0].min()), float(e[:, 1].min()), float(e[:, 2].max()), float(e[:, 3].max())


def _park_name(layers: dict[str, Any]) -> str:
    b = layers.get(schema.BOUNDARY)
    if b is not None and len(b) and schema.NAME in b and b[schema.NAME].iloc[0]:
        return str(b[schema.NAME].iloc[0])
    return ""


def render_sheets(
    layers: dict[str, Any],
    crs: Any,
    out: str | Path,
    options: MapOptions,
    *,
    flow_forward: Any = None,
    stats: Any = None,
) -> Path:
    """Write the index map and every sheet of the set to one PDF (atomically).

    Raises
    ------
    MapExportError
        Not a ``.pdf`` name, no scale, or too many sheets.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise MapExportError(f"A set of sheets is written as one PDF; got {out.name}.")
    if not options.scale:
        raise MapExportError("A set of sheets needs a scale (1:500, 1:1000 or 1:2000).")
    unit_m = (
        float(crs.axis_info[0].unit_conversion_factor)
        if crs is not None and crs.axis_info
        else 1.0
    )
    sheets = sheet_grid(layers, options.size, options.orientation, options.scale, unit_m)
    zh = options.language == "zh"
    name = _park_name(layers)
    base = options.title or (f"{name}管网图及污水流向图" if zh else f"{name} pipe network map")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    meta = {"Creator": "PipeAtlas", "Title": base, "CreationDate": None}
    with PdfPages(tmp, metadata=meta) as pdf:
        fig = index_figure(layers, crs, sheets, options, flow_forward=flow_forward, stats=stats)
        pdf.savefig(fig)
        n = len(sheets)
        for s in sheets:
            title = (
                f"{base}（第{s.number}幅，共{n}幅）" if zh else f"{base} (sheet {s.number}/{n})"
            )
            opts = replace(options, extent=s.extent, title=title, sheet=f"{s.number}/{n}")
            fig = flow_map_figure(layers, crs, opts, flow_forward=flow_forward, stats=stats)
            pdf.savefig(fig)
    tmp.replace(out)
    return out
