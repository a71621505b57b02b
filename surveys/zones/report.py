"""Report of the protected-area check: Excel workbook and PDF an auditor can sign.

Both reports hold a summary by zone class and severity, one row per finding (conflicts and
warnings get a small map extract: the zone, the whole feature in grey, the overlapping part
in red, neighbouring pipes), the rules with their buffer distances, the data findings, and a
reproducibility block (input files with SHA-256, CRS, measuring CRS, software versions,
date). Column names are the Chinese terms of the park dossiers.

Re-running on the same inputs gives the same bytes: rows are sorted, numbers written with
fixed rounding, the workbook's created/modified properties and zip entry times are set to
the report date, PNG and PDF metadata carry no timestamps. Pass ``generated_at`` to fix the
date; then the whole file is identical, otherwise only the date cells differ.

Drawing uses ``matplotlib.figure.Figure`` with the Agg and PDF backends (never pyplot). The
CJK font (the Simplified-Chinese face of Noto Sans CJK, WenQuanYi …) comes from
:mod:`network.io.fonts`; when none is installed the text falls back to the default font and a
log warning says so.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from network.io.fonts import cjk_font_properties
from network.schema import (
    LAYER_LABELS_ZH,
    PIPES,
    ZONE_CLASS_LABELS_ZH,
    ZONE_LEVEL_LABELS_ZH,
)
from surveys.errors import SurveyError
from surveys.zones.overlap import RELATION_LABELS_ZH, OverlapResult
from surveys.zones.rules import SEVERITY_LABELS_ZH

MAX_MAPS = 200  # map extracts per report (the first conflicts and warnings in row order)
MAP_SEVERITIES = ("conflict", "warning")
TITLE = "保护区冲突检查报告"

#: Detail columns: (header, row column, number format or None).
DETAIL_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("序号", "#", None),
    ("严重程度", "severity", None),
    ("要素类型", "feature_type", None),
    ("要素编号", "feature_id", None),
    ("保护区编号", "zone_id", None),
    ("保护区名称", "zone_name", None),
    ("保护区类别", "zone_class", None),
    ("功能分区/级别", "zone_level", None),
    ("位置关系", "relation", None),
    ("区内长度(m)", "overlap_length_m", "0.000"),
    ("重叠面积(m²)", "overlap_area_m2", "0.00"),
    ("重叠比例", "overlap_share", "0.00%"),
    ("距保护区边界(m)", "distance_m", "0.000"),
    ("缓冲距离(m)", "buffer_m", "0.0"),
    ("适用规则", "rule_id", None),
    ("规则说明", "note", None),
    ("保护区多边形已修复", "zone_repaired", None),
)
SUMMARY_COLUMNS = (
    ("保护区类别", "zone_class"),
    ("严重程度", "severity"),
    ("要素类型", "feature_type"),
    ("问题数", "findings"),
    ("涉及要素数", "features"),
    ("区内长度(m)", "overlap_length_m"),
    ("重叠面积(m²)", "overlap_area_m2"),
)
ROUND = {
    "overlap_length_m": 3,
    "overlap_area_m2": 2,
    "overlap_share": 6,
    "distance_m": 3,
    "buffer_m": 3,
}
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReportError(SurveyError):
    """A report cannot be written (folder missing, file open in another program …)."""


# --- values ----------------------------------------------------------------------------------
def _label(col: str, v: Any) -> Any:
    """Chinese label of a code value, rounded numbers, '' for missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if col == "severity":
        return SEVERITY_LABELS_ZH.get(v, v)
    if col == "feature_type":
        return LAYER_LABELS_ZH.get(v, v)
    if col == "zone_class":
        return ZONE_CLASS_LABELS_ZH.get(v, v)
    if col == "zone_level":
        return ZONE_LEVEL_LABELS_ZH.get(v, v)
    if col == "relation":
        return RELATION_LABELS_ZH.get(v, v)
    if col == "zone_repaired":
        return "是" if bool(v) else ""
    if col == "rule_id":
        return v or "（无规则）"
    if isinstance(v, (float, np.floating)):
        return round(float(v), ROUND.get(col, 6))
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def _fmt(col: str, v: Any) -> str:
    """Fixed text formatting (PDF)."""
    x = _label(col, v)
    if isinstance(x, float):
        if col == "overlap_share":
            return f"{x:.2%}"
        nd = {"overlap_area_m2": 1, "buffer_m": 0}.get(col, 2)
        return f"{x:,.{nd}f}"
    return str(x)


def _report_date(generated_at: dt.datetime | dt.date | None) -> dt.datetime:
    if generated_at is None:
        return dt.datetime.now().replace(microsecond=0)
    if isinstance(generated_at, dt.datetime):
        return generated_at.replace(microsecond=0, tzinfo=None)
    return dt.datetime.combine(generated_at, dt.time())


def reproducibility(result: OverlapResult, generated_at: dt.datetime) -> list[tuple[str, str]]:
    """The reproducibility block as (label, value) lines."""
    prov = result.provenance
    lines: list[tuple[str, str]] = [
        ("报告日期", generated_at.isoformat(sep=" ")),
        ("项目坐标系", str(prov.get("crs", ""))),
        (
            "量算坐标系",
            f"{prov.get('metric_crs', '')}（每单位 {prov.get('metres_per_unit', 1)} m）",
        ),
    ]
    for rec in prov.get("inputs", []):
        kind = LAYER_LABELS_ZH.get(rec["kind"], rec["kind"])
        lines.append((f"输入文件（{kind}）", f"{rec['file']}  SHA-256 {rec['sha256']}"))
    counts = prov.get("feature_counts", {})
    lines.append(
        ("检查要素数", "，".join(f"{LAYER_LABELS_ZH.get(k, k)} {v}" for k, v in counts.items()))
    )
    for name, version in prov.get("software", {}).items():
        lines.append((f"软件版本 {name}", str(version)))
    return lines


# --- fonts and map extracts ------------------------------------------------------------------
def _font(size: float = 8, weight: str = "normal") -> font_manager.FontProperties:
    return cjk_font_properties(size, weight)


def _polygon_path(geom: Any) -> MplPath | None:
    verts, codes = [], []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            verts.append(xy)
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _lines(geom: Any) -> list[np.ndarray]:
    out = []
    for part in shapely.get_parts(
        shapely.boundary(geom) if shapely.get_dimensions(geom) == 2 else geom
    ):
        if shapely.get_type_id(part) in (1, 2):
            out.append(np.asarray(part.coords)[:, :2])
    return out


def draw_extract(ax: Any, result: OverlapResult, i: int) -> None:
    """Draw the map extract of row ``i`` on a matplotlib Axes."""
    row = result.rows.iloc[i]
    part = result.rows.geometry.iloc[i]
    whole = result.feature_geometry(i)
    zone = result.zones.geometry.iloc[int(row.zone_index)]
    focus = shapely.union_all([g for g in (whole, part) if g is not None and not g.is_empty])
    minx, miny, maxx, maxy = focus.bounds
    span = max(maxx - minx, maxy - miny, 2.0 * float(row.distance_m or 0), 60.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = span * 0.75
    box = (cx - half, cy - half, cx + half, cy + half)
    window = shapely.box(*box)
    zones = result.zones
    near = zones.sindex.query(window)
    for k in sorted(near.tolist()):
        path = _polygon_path(shapely.intersection(zones.geometry.iloc[k], window.buffer(half)))
        if path is None:
            continue
        here = k == int(row.zone_index)
        ax.add_patch(
            PathPatch(
                path,
                facecolor="#7fbf7f" if here else "#dddddd",
                edgecolor="#2e7d32" if here else "#999999",
                alpha=0.5,
                lw=0.8 if here else 0.4,
            )
        )
    pipes = result.layers.get(PIPES)
    if pipes is not None and len(pipes):
        idx = np.sort(pipes.sindex.query(window))
        segs = [xy for g in pipes.geometry.iloc[idx] for xy in _lines(g)]
        if segs:
            ax.add_collection(LineCollection(segs, colors="#b0b0b0", linewidths=0.5))
    dims = shapely.get_dimensions(whole)
    if dims == 0:
        pts = shapely.get_coordinates(whole)
        ax.plot(pts[:, 0], pts[:, 1], "o", ms=5, mfc="#d32f2f", mec="black", mew=0.5)
    else:
        segs = _lines(whole)
        if segs:
            ax.add_collection(LineCollection(segs, colors="#505050", linewidths=1.2))
        if part is not None and not part.is_empty and row.relation in ("inside", "crosses"):
            if shapely.get_dimensions(part) == 2:
                path = _polygon_path(part)
                if path is not None:
                    ax.add_patch(PathPatch(path, facecolor="#d32f2f", alpha=0.45, lw=0))
            else:
                segs = _lines(part)
                if segs:
                    ax.add_collection(LineCollection(segs, colors="#d32f2f", linewidths=2.4))
    del zone
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    bar = 10 ** math.floor(math.log10(span / 2))
    ax.plot(
        [box[0] + half * 0.1, box[0] + half * 0.1 + bar],
        [box[1] + half * 0.1] * 2,
        color="black",
        lw=1.5,
    )
    ax.text(box[0] + half * 0.1, box[1] + half * 0.14, f"{bar:g} m", fontsize=5)


def extract_png(result: OverlapResult, i: int, size_px: int = 160) -> bytes:
    """PNG bytes of the map extract of row ``i`` (no timestamps: same bytes every run)."""
    dpi = 100
    fig = Figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    draw_extract(ax, result, i)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _map_rows(result: OverlapResult, max_maps: int) -> list[int]:
    sev = result.rows["severity"].to_numpy()
    idx = np.flatnonzero(np.isin(sev, MAP_SEVERITIES))
    return idx[:max_maps].tolist()


# --- Excel ---------------------------------------------------------------------------------------
def _normalise_zip(path: Path, when: dt.datetime) -> None:
    """Rewrite the xlsx zip with fixed entry times and order (byte-identical re-runs)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    # openpyxl stamps dcterms:modified with the save time: set it to the report date
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries = [
        (
            name,
            re.sub(
                rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                rb"\g<1>" + iso + rb"\g<2>",
                data,
            )
            if name == "docProps/core.xml"
            else data,
        )
        for name, data in entries
    ]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)


#: Chinese words for the data findings of the check (``network.issues.Issue``).
ISSUE_SEVERITY_LABELS_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
ISSUE_KIND_LABELS_ZH = {
    "unknown_zone_class": "保护区类别无法识别",
    "zone_dropped": "保护区未参与检查",
    "zone_repaired": "保护区多边形已修复",
    "metric_crs": "量算坐标系",
    "no_geometry": "要素无几何",
    "feature_repaired": "要素几何已修复",
}


def write_xlsx(
    result: OverlapResult,
    path: str | Path,
    *,
    generated_at: dt.datetime | dt.date | None = None,
    max_maps: int = MAX_MAPS,
    title: str = TITLE,
) -> Path:
    """Write the Excel report: 汇总, 问题明细 (with map extracts), 规则, 数据问题, 可复现信息.

    Every sheet goes through :func:`network.io.xlsx.write_table`: a zone or feature name
    beginning with ``=`` is text, never a formula; 重叠比例 is a percentage; columns fit.

    Raises
    ------
    ReportError
        The file cannot be written.

    Examples
    --------
    >>> write_xlsx(result, "overlap.xlsx", generated_at=dt.date(2024, 6, 30))  # doctest: +SKIP
    """
    from openpyxl import Workbook

    when = _report_date(generated_at)
    path = Path(path)
    wb = Workbook()
    wb.properties.creator = "PipeAtlas"
    wb.properties.lastModifiedBy = "PipeAtlas"
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.title = title
    ws = wb.active
    ws.title = "汇总"
    _xlsx_summary(ws, result, title)
    _xlsx_details(wb.create_sheet("问题明细"), result, max_maps)
    _xlsx_rules(wb.create_sheet("规则"), result)
    _xlsx_issues(wb.create_sheet("数据问题"), result)
    _xlsx_table(wb.create_sheet("可复现信息"), ["项目", "内容"], reproducibility(result, when))
    try:
        wb.save(path)
        _normalise_zip(path, when)
    except OSError as exc:
        raise ReportError(
            f"Cannot write {path.name}: {exc.strerror or exc}. Close it if it is open in Excel "
            "and check the folder exists.",
            details=str(exc),
            file=str(path),
        ) from exc
    return path


def _xlsx_table(
    ws: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    start_row: int = 1,
    percent: Sequence[str] = (),
) -> None:
    """A header (bold, filled, frozen) and rows, written as :mod:`network.io.xlsx` does."""
    from openpyxl.styles import PatternFill

    from network.io.xlsx import write_table

    write_table(ws, headers, rows, start_row=start_row, percent=percent)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in ws[start_row]:
        c.fill = fill


def _xlsx_summary(ws: Any, result: OverlapResult, title: str) -> None:
    from openpyxl.styles import Font

    from network.io.xlsx import set_cell

    set_cell(ws["A1"], title)
    ws["A1"].font = Font(bold=True, size=14)
    counts = {s: int((result.rows["severity"] == s).sum()) for s in SEVERITY_LABELS_ZH}
    line = ["冲突", counts["conflict"], "警告", counts["warning"], "提示", counts["info"]]
    for j, v in enumerate(line, start=1):
        set_cell(ws.cell(row=2, column=j), v)
    rows = [
        [_label(c, rec[c]) for _, c in SUMMARY_COLUMNS]
        for rec in result.summary().to_dict("records")
    ]
    _xlsx_table(ws, [h for h, _ in SUMMARY_COLUMNS], rows, start_row=4)


def _xlsx_details(ws: Any, result: OverlapResult, max_maps: int) -> None:
    """One row per finding, number formats, severity colours, map extracts."""
    from openpyxl.drawing.image import Image as XlImage
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    sev_fill = {
        "conflict": PatternFill("solid", fgColor="F8CBAD"),
        "warning": PatternFill("solid", fgColor="FFE699"),
    }
    records = result.rows.drop(columns=result.rows.geometry.name).to_dict("records")
    rows = [
        [i + 1 if c == "#" else _label(c, rec[c]) for _, c, _ in DETAIL_COLUMNS]
        for i, rec in enumerate(records)
    ]
    headers = [h for h, _, _ in DETAIL_COLUMNS] + ["位置示意图"]
    _xlsx_table(ws, headers, rows, percent=["重叠比例"])
    maps = set(_map_rows(result, max_maps))
    img_col = get_column_letter(len(DETAIL_COLUMNS) + 1)
    ws.column_dimensions[img_col].width = 18
    top = Alignment(vertical="top", wrap_text=True)
    for i, rec in enumerate(records):
        r = i + 2
        for j, (_, _c, fmt) in enumerate(DETAIL_COLUMNS, start=1):
            if fmt is not None:
                ws.cell(row=r, column=j).number_format = fmt
        fill = sev_fill.get(rec["severity"])
        if fill is not None:
            ws.cell(row=r, column=2).fill = fill
        if i in maps:
            img = XlImage(io.BytesIO(extract_png(result, i)))
            img.width = img.height = 120
            ws.add_image(img, f"{img_col}{r}")
            ws.row_dimensions[r].height = 92
            for j in range(1, len(DETAIL_COLUMNS) + 1):
                ws.cell(row=r, column=j).alignment = top
    if len(records) > len(maps) and maps:
        ws.append([])
        ws.append([f"示意图仅绘制前 {len(maps)} 条冲突/警告。"])


def _xlsx_rules(ws: Any, result: OverlapResult) -> None:
    headers = ["保护区类别", "功能分区/级别", "要素类型", "缓冲距离(m)", "严重程度", "规则编号"]
    rows = [
        [
            _label("zone_class", rule.zone_class),
            _label("zone_level", rule.zone_level) or "（全部）",
            _label("feature_type", rule.feature_type),
            rule.buffer_m,
            _label("severity", rule.severity),
            rule.rule_id,
            rule.note,
        ]
        for rule in result.rules.rules
    ]
    _xlsx_table(ws, [*headers, "说明"], rows)


def _xlsx_issues(ws: Any, result: OverlapResult) -> None:
    rows = [
        [
            ISSUE_SEVERITY_LABELS_ZH.get(issue.severity, issue.severity),
            ISSUE_KIND_LABELS_ZH.get(issue.kind, issue.kind),
            LAYER_LABELS_ZH.get(issue.layer, issue.layer),
            ", ".join(issue.feature_ids),
            issue.message_zh,
        ]
        for issue in result.issues
    ]
    _xlsx_table(ws, ["级别", "类型", "图层", "要素", "说明"], rows)


# --- PDF -----------------------------------------------------------------------------------------
A4 = (8.27, 11.69)
PAGE_W_PT, PAGE_H_PT = A4[0] * 72, A4[1] * 72
LEFT, RIGHT = 0.06, 0.94  # text margins (figure fractions)
_PDF_COLUMNS = (
    ("#", "序号", 0.00),
    ("severity", "程度", 0.04),
    ("feature_type", "要素类型", 0.09),
    ("feature_id", "要素编号", 0.18),
    ("zone", "保护区", 0.33),
    ("relation", "位置关系", 0.62),
    ("measure", "区内长度/面积", 0.71),
    ("distance_m", "距边界(m)", 0.87),
)
CELL_GAP_PT = 4.0  # blank space between a cell's text and the next column
LINE_STEP_PT = 9.5  # the line step of 7-pt table text
MAX_CELL_LINES = 4  # a longer cell is cut with "…"
ROW_GAP = 0.004  # between table rows (figure fraction)
_RENDERER: Any = None


@dataclass(frozen=True)
class LineBox:
    """One line of text on a PDF page, in figure fractions: left ``x``, baseline ``y``, the
    ``width`` it measures and the line ``height`` (from ``y - 0.25 h`` to ``y + 0.75 h``)."""

    column: str
    text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the box the line occupies."""
        return (
            self.x,
            self.y - 0.25 * self.height,
            self.x + self.width,
            self.y + 0.75 * self.height,
        )

    def intersects(self, other: LineBox) -> bool:
        a, b = self.bounds, other.bounds
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_width_pt(text: str, prop: font_manager.FontProperties) -> float:
    """The width of ``text`` in points, as matplotlib lays it out in ``prop``."""
    global _RENDERER
    if not text:
        return 0.0
    if _RENDERER is None:
        from matplotlib.backends.backend_agg import RendererAgg

        _RENDERER = RendererAgg(8, 8, 72)  # 72 dpi: one pixel is one point
    w, _h, _d = _RENDERER.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


def wrap_text(
    text: str, width_pt: float, prop: font_manager.FontProperties, max_lines: int = MAX_CELL_LINES
) -> list[str]:
    """Break ``text`` into lines no wider than ``width_pt``: anywhere in Chinese, at a space
    in Latin words where one is near; beyond ``max_lines`` the last line ends in "…".

    Examples
    --------
    >>> from network.io.fonts import cjk_font_properties
    >>> lines = wrap_text("保护区" * 10, 60, cjk_font_properties(7))
    >>> len(lines) > 1 and "".join(lines) == "保护区" * 10
    True
    """
    text = " ".join(str(text).split())
    if text_width_pt(text, prop) <= width_pt:
        return [text]
    lines: list[str] = []
    rest = text
    while rest:
        lo, hi = 1, len(rest)
        while lo < hi:  # the longest prefix that fits (at least one character)
            mid = (lo + hi + 1) // 2
            if text_width_pt(rest[:mid], prop) <= width_pt:
                lo = mid
            else:
                hi = mid - 1
        n = lo
        if n < len(rest) and rest[n] != " ":
            space = rest.rfind(" ", 0, n)
            if space > n // 2:
                n = space
        line, rest = rest[:n].rstrip(), rest[n:].lstrip()
        if len(lines) == max_lines - 1 and rest:
            while line and text_width_pt(line + "…", prop) > width_pt:
                line = line[:-1]
            lines.append(line + "…")
            break
        lines.append(line)
    return lines


def _column_spans() -> list[tuple[str, float, float]]:
    """(key, left, width in points) of each detail column."""
    lefts = [LEFT + x * (RIGHT - LEFT) for _k, _h, x in _PDF_COLUMNS]
    rights = [*lefts[1:], RIGHT]
    return [
        (key, left, (right - left) * PAGE_W_PT - CELL_GAP_PT)
        for (key, _h, _x), left, right in zip(_PDF_COLUMNS, lefts, rights, strict=True)
    ]


def layout_lines(
    texts: Sequence[tuple[str, str, float, float]],
    top: float,
    prop: font_manager.FontProperties,
    max_lines: int = MAX_CELL_LINES,
) -> tuple[list[LineBox], float]:
    """Lay out cells side by side below ``top``: ``texts`` are (column, text, left, width in
    points); each cell wraps within its width. Returns the line boxes and the height used
    (figure fractions)."""
    step = LINE_STEP_PT / PAGE_H_PT
    boxes: list[LineBox] = []
    n_lines = 1
    for key, text, left, width_pt in texts:
        lines = wrap_text(text, width_pt, prop, max_lines)
        n_lines = max(n_lines, len(lines))
        for j, line in enumerate(lines):
            w = text_width_pt(line, prop) / PAGE_W_PT
            boxes.append(LineBox(key, line, left, top - (j + 0.75) * step, w, step))
    return boxes, n_lines * step


def layout_row(
    cells: dict[str, str], top: float, prop: font_manager.FontProperties
) -> tuple[list[LineBox], float]:
    """The line boxes of one row of the findings table whose top is at ``top`` (figure
    fraction), each cell wrapped to its column (a long zone name grows the row instead of
    running over the next column), and the row's height.

    Examples
    --------
    >>> from network.io.fonts import cjk_font_properties
    >>> cells = {k: "" for k, _h, _x in _PDF_COLUMNS} | {"zone": "长" * 40, "relation": "穿越"}
    >>> boxes, h = layout_row(cells, 0.9, cjk_font_properties(7))
    >>> len([b for b in boxes if b.column == "zone"]) > 1
    True
    """
    return layout_lines(
        [(key, cells.get(key, ""), left, width) for key, left, width in _column_spans()],
        top,
        prop,
    )


def _measure_text(rec: dict[str, Any]) -> str:
    if rec["overlap_length_m"] == rec["overlap_length_m"] and rec["overlap_length_m"] is not None:
        return f"{rec['overlap_length_m']:,.2f} m"
    if rec["overlap_area_m2"] == rec["overlap_area_m2"] and rec["overlap_area_m2"] is not None:
        share = rec["overlap_share"]
        return f"{rec['overlap_area_m2']:,.1f} m² ({share:.2%})"
    return "—"


def _row_cells(i: int, rec: dict[str, Any]) -> dict[str, str]:
    level = _label("zone_level", rec["zone_level"])
    zone = f"{rec['zone_id']} {rec['zone_name'] or ''}".strip()
    return {
        "#": str(i + 1),
        "severity": _label("severity", rec["severity"]),
        "feature_type": _label("feature_type", rec["feature_type"]),
        "feature_id": str(rec["feature_id"]),
        "zone": f"{zone}（{_label('zone_class', rec['zone_class'])}{level}）",
        "relation": _label("relation", rec["relation"]),
        "measure": _measure_text(rec),
        "distance_m": _fmt("distance_m", rec["distance_m"]),
    }


def _new_page(pdf: PdfPages, pages: list[Figure], title: str, when: dt.datetime) -> Figure:
    if pages:
        pdf.savefig(pages[-1])
        pages.clear()
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, title, fontproperties=_font(12, "bold"))
    fig.text(0.94, 0.965, when.date().isoformat(), ha="right", fontproperties=_font(8))
    pages.append(fig)
    return fig


def write_pdf(
    result: OverlapResult,
    path: str | Path,
    *,
    generated_at: dt.datetime | dt.date | None = None,
    max_maps: int = MAX_MAPS,
    title: str = TITLE,
) -> Path:
    """Write the PDF report: summary, reproducibility, findings with map extracts, rules.

    Raises
    ------
    ReportError
        The file cannot be written.
    """
    when = _report_date(generated_at)
    path = Path(path)
    meta = {"Title": title, "Creator": "PipeAtlas", "CreationDate": None, "ModDate": None}
    try:
        with PdfPages(path, metadata=meta) as pdf:
            doc = _PdfDoc(pdf, title, when)
            _pdf_summary(doc, result)
            _pdf_findings(doc, result, max_maps)
            _pdf_rules(doc, result)
            pdf.savefig(doc.pages[-1])
    except OSError as exc:
        raise ReportError(
            f"Cannot write {path.name}: {exc.strerror or exc}. Close it if it is open and "
            "check the folder exists.",
            details=str(exc),
            file=str(path),
        ) from exc
    return path


class _PdfDoc:
    """The pages being written: the current page, its fonts, and a new page on demand."""

    def __init__(self, pdf: PdfPages, title: str, when: dt.datetime) -> None:
        self.pdf, self.title, self.when = pdf, title, when
        self.pages: list[Figure] = []
        self.f8, self.f7, self.f10 = _font(8), _font(7), _font(10, "bold")

    def new_page(self, subtitle: str = "") -> Figure:
        title = f"{self.title}：{subtitle}" if subtitle else self.title
        return _new_page(self.pdf, self.pages, title, self.when)


def _pdf_summary(doc: _PdfDoc, result: OverlapResult) -> None:
    """First page: counts, the summary by zone class and severity, reproducibility."""
    f8, f7, f10 = doc.f8, doc.f7, doc.f10
    fig = doc.new_page()
    y = 0.93
    counts = {s: int((result.rows["severity"] == s).sum()) for s in SEVERITY_LABELS_ZH}
    fig.text(
        0.06,
        y,
        f"冲突 {counts['conflict']} 条，警告 {counts['warning']} 条，提示 {counts['info']} 条",
        fontproperties=f10,
    )
    y -= 0.03
    fig.text(0.06, y, "按保护区类别与严重程度汇总", fontproperties=f10)
    y -= 0.022
    xs = (0.06, 0.24, 0.33, 0.45, 0.54, 0.66, 0.80)
    for x, (h, _) in zip(xs, SUMMARY_COLUMNS, strict=True):
        fig.text(x, y, h, fontproperties=f8, weight="bold")
    for rec in result.summary().to_dict("records"):
        y -= 0.016
        if y < 0.5:
            break
        for x, (_, c) in zip(xs, SUMMARY_COLUMNS, strict=True):
            fig.text(x, y, _fmt(c, rec[c]), fontproperties=f8)
    y -= 0.035
    fig.text(0.06, y, "可复现信息", fontproperties=f10)
    for label, value in reproducibility(result, doc.when):
        y -= 0.016
        if y < 0.04:
            fig = doc.new_page()
            y = 0.92
        fig.text(0.06, y, label, fontproperties=f7)
        fig.text(0.26, y, value, fontproperties=f7)


def _pdf_findings(doc: _PdfDoc, result: OverlapResult, max_maps: int) -> None:
    """One row per finding, long cells wrapped to their column; conflicts and warnings with
    their map extract and rule."""
    f8, f7 = doc.f8, doc.f7
    records = result.rows.drop(columns=result.rows.geometry.name).to_dict("records")
    maps = set(_map_rows(result, max_maps))

    def header_line(fig: Figure, y: float) -> None:
        for _key, head, x in _PDF_COLUMNS:
            fig.text(LEFT + x * (RIGHT - LEFT), y, head, fontproperties=f8, weight="bold")

    fig = doc.new_page("问题明细")
    y = 0.93
    header_line(fig, y)
    y -= 0.006
    for i, rec in enumerate(records):
        boxes, height = layout_row(_row_cells(i, rec), y, f7)
        extract = EXTRACT_HEIGHT if i in maps else 0.0
        if y - height - extract < 0.04:
            fig = doc.new_page("问题明细")
            y = 0.93
            header_line(fig, y)
            y -= 0.006
            boxes, height = layout_row(_row_cells(i, rec), y, f7)
        for b in boxes:
            fig.text(b.x, b.y, b.text, fontproperties=f7)
        y -= height
        if i in maps:
            _pdf_extract(fig, result, i, rec, y, f7)
            y -= extract
        y -= ROW_GAP
    if len(records) > len(maps) and maps:
        y -= 0.02
        fig.text(
            LEFT, max(y, 0.03), f"示意图仅绘制前 {len(maps)} 条冲突/警告。", fontproperties=f7
        )


EXTRACT_HEIGHT = 0.115  # a map extract and its rule text below a finding (figure fraction)


def _pdf_extract(
    fig: Figure, result: OverlapResult, i: int, rec: dict[str, Any], top: float, font: Any
) -> list[LineBox]:
    """The map extract of finding ``i`` below ``top`` (the bottom of its row), with its rule
    and notes wrapped beside it; returns the line boxes of the text."""
    ax = fig.add_axes((0.10, top - 0.107, 0.105 * A4[1] / A4[0] * 0.7, 0.105))
    draw_extract(ax, result, i)
    rule = rec["rule_id"] or "（无规则）"
    width = (RIGHT - 0.30) * PAGE_W_PT
    texts = [f"规则 {rule}，缓冲 {rec['buffer_m']:g} m", str(rec["note"] or "")]
    if rec["zone_repaired"]:
        texts.append("注：该保护区多边形无效，已自动修复")
    boxes: list[LineBox] = []
    y = top - 0.008
    for text in texts:
        lines, h = layout_lines([("note", text, 0.30, width)], y, font, max_lines=3)
        boxes += lines
        y -= h + 0.003
    for b in boxes:
        fig.text(b.x, b.y, b.text, fontproperties=font)
    return boxes


def _pdf_rules(doc: _PdfDoc, result: OverlapResult) -> None:
    """The rules with their buffer distances, then the data findings."""
    f8, f7, f10 = doc.f8, doc.f7, doc.f10
    xs = (0.06, 0.22, 0.34, 0.44, 0.54, 0.62)
    fig = doc.new_page("规则与缓冲距离")
    y = 0.93
    heads = ("保护区类别", "分区/级别", "要素类型", "缓冲(m)", "程度", "说明")
    for x, h in zip(xs, heads, strict=True):
        fig.text(x, y, h, fontproperties=f8, weight="bold")
    widths = [(b - a) * PAGE_W_PT - CELL_GAP_PT for a, b in zip(xs, [*xs[1:], RIGHT], strict=True)]
    y -= 0.006
    for rule in result.rules.rules:
        vals = (
            _label("zone_class", rule.zone_class),
            _label("zone_level", rule.zone_level) or "（全部）",
            _label("feature_type", rule.feature_type),
            f"{rule.buffer_m:g}",
            _label("severity", rule.severity),
            rule.note,
        )
        cells = [(h, v, x, w) for h, v, x, w in zip(heads, vals, xs, widths, strict=True)]
        boxes, height = layout_lines(cells, y, f7)
        if y - height < 0.04:
            fig = doc.new_page("规则与缓冲距离")
            y = 0.92
            boxes, height = layout_lines(cells, y, f7)
        for b in boxes:
            fig.text(b.x, b.y, b.text, fontproperties=f7)
        y -= height + ROW_GAP
    if result.issues:
        y -= 0.025
        fig.text(LEFT, y, "数据问题", fontproperties=f10)
        y -= 0.006
        for issue in result.issues:
            cells = [("message", issue.message_zh, LEFT, (RIGHT - LEFT) * PAGE_W_PT)]
            boxes, height = layout_lines(cells, y, f7)
            if y - height < 0.04:
                fig = doc.new_page("数据问题")
                y = 0.92
                boxes, height = layout_lines(cells, y, f7)
            for b in boxes:
                fig.text(b.x, b.y, b.text, fontproperties=f7)
            y -= height + ROW_GAP
