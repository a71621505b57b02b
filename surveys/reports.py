"""Reports: 管段状况评估表 (segment assessment) and 检测成果表 (inspection results).

Both tables come as DataFrames with the Chinese column names the regulations use, and are
written to Excel (openpyxl) and PDF (matplotlib ``Figure`` + ``backend_pdf``; never pyplot),
with defect statistics charts (counts by code and by grade). The pack's unconfirmed rules
are listed in the report and flagged per segment.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from network.io.fonts import cjk_rc
from surveys.errors import CodeNotFoundError
from surveys.records import METHOD_LABELS_ZH
from surveys.store import SurveyStore
from surveys.store_errors import ReportError

ASSESSMENT_SHEET = "管段状况评估表"
RESULTS_SHEET = "检测成果表"
STATS_SHEET = "缺陷统计"
NOTES_SHEET = "说明"
GRADE_LABELS = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
DENSITY_ZH = {"local": "局部缺陷", "partial": "部分或整体缺陷", "whole": "整体缺陷"}


# --- tables -----------------------------------------------------------------------------------
def _r(v: Any, nd: int = 2) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return round(float(v), nd)


def segment_assessment_table(
    store: SurveyStore, *, grades: pd.DataFrame | None = None, inspected_only: bool = True
) -> pd.DataFrame:
    """The 管段状况评估表: one row per pipe with the CJJ 181 figures and grades.

    Parameters
    ----------
    store : SurveyStore
    grades : DataFrame, optional
        Grades from :meth:`SurveyStore.compute_grades` (computed now when None).
    inspected_only : bool
        Only pipes with at least one live observation (default).
    """
    pipes = store.pipes_frame()
    if grades is None:
        grades = store.compute_grades()
    obs = store.observations_for_grading()
    if inspected_only:
        grades = grades.loc[grades.index.isin(obs["pipe_id"])]
    pk = pipes.reindex(grades.index)
    g = grades
    out = pd.DataFrame(
        {
            "序号": np.arange(1, len(g) + 1),
            "管段编号": g.index,
            "起始井号": pk["from_node"].to_numpy(),
            "终止井号": pk["to_node"].to_numpy(),
            "管径(mm)": pk["diameter_mm"].to_numpy(),
            "长度(m)": pk["length_m"].round(2).to_numpy(),
            "结构性缺陷数": g["n"].to_numpy(),
            "S": g["s"].round(2).to_numpy(),
            "Smax": g["s_max"].round(2).to_numpy(),
            "F": g["f"].round(2).to_numpy(),
            "SM": g["s_m"].round(3).to_numpy(),
            "结构性缺陷密度": g["density_class"]
            .map(lambda v: DENSITY_ZH.get(v, v or ""))
            .to_numpy(),
            "结构性缺陷等级": g["structural_grade"]
            .map(lambda v: GRADE_LABELS.get(v, v))
            .to_numpy(),
            "修复指数RI": g["ri"].round(2).to_numpy(),
            "修复等级": g["repair_grade"].map(lambda v: GRADE_LABELS.get(v, v or "")).to_numpy(),
            "功能性缺陷数": g["n_functional"].to_numpy(),
            "Y": g["y"].round(2).to_numpy(),
            "Ymax": g["y_max"].round(2).to_numpy(),
            "G": g["g"].round(2).to_numpy(),
            "YM": g["y_m"].round(3).to_numpy(),
            "功能性缺陷等级": g["functional_grade"]
            .map(lambda v: GRADE_LABELS.get(v, v))
            .to_numpy(),
            "养护指数MI": g["mi"].round(2).to_numpy(),
            "养护等级": g["maintenance_grade"]
            .map(lambda v: GRADE_LABELS.get(v, v or ""))
            .to_numpy(),
            "说明": g["notes"].to_numpy(),
            "未经核实的规则": g["unconfirmed"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def inspection_results_table(store: SurveyStore) -> pd.DataFrame:
    """The 检测成果表: one row per live observation with its pipe, inspection and defect."""
    obs = store.records("observation")
    insp = {i.uuid: i for i in store.records("inspection", include_deleted=True)}
    pipes = store.pipes_frame().to_dict("index")
    pack = store.pack
    rows = []
    for o in obs:
        i = insp.get(o.inspection_id)
        try:
            dc = pack.code(o.code)
            name, kind = dc.label_zh, pack.kinds[dc.kind]["zh"]
            score = dc.score(int(o.grade)) if o.grade is not None and dc.scored else None
        except (CodeNotFoundError, KeyError):  # a code of another pack still gets a row
            name, kind, score = "", "", None
        pinfo = pipes.get(o.pipe_id)
        rows.append(
            {
                "管段编号": o.pipe_id or "（待匹配）",
                "起始井号": o.start_node or (pinfo["from_node"] if pinfo is not None else ""),
                "终止井号": o.end_node or (pinfo["to_node"] if pinfo is not None else ""),
                "管径(mm)": pinfo["diameter_mm"] if pinfo is not None else None,
                "检测方法": METHOD_LABELS_ZH.get(i.method, i.method) if i else "",
                "检测日期": i.date if i else "",
                "距离(m)": _r(o.distance_m),
                "缺陷代码": o.code,
                "缺陷名称": name,
                "缺陷类别": kind,
                "等级": o.grade,
                "分值": score,
                "时钟表示": o.clock_text(),
                "缺陷长度(m)": _r(o.length_m),
                "视频时间": o.video_time,
                "照片": "；".join(o.photos),
                "备注": o.remarks,
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "管段编号",
            "起始井号",
            "终止井号",
            "管径(mm)",
            "检测方法",
            "检测日期",
            "距离(m)",
            "缺陷代码",
            "缺陷名称",
            "缺陷类别",
            "等级",
            "分值",
            "时钟表示",
            "缺陷长度(m)",
            "视频时间",
            "照片",
            "备注",
        ],
    )
    if not df.empty:
        df = df.sort_values(["管段编号", "距离(m)"], kind="stable").reset_index(drop=True)
    df.insert(0, "序号", np.arange(1, len(df) + 1))
    return df


def defect_statistics(results: pd.DataFrame) -> pd.DataFrame:
    """Counts of defects by code (rows, with name) and grade (columns 1–4, 合计)."""
    if results.empty:
        return pd.DataFrame(columns=["缺陷代码", "缺陷名称", 1, 2, 3, 4, "合计"])
    t = pd.crosstab([results["缺陷代码"], results["缺陷名称"]], results["等级"])
    for gcol in (1, 2, 3, 4):
        if gcol not in t.columns:
            t[gcol] = 0
    t = t[[1, 2, 3, 4]]
    t["合计"] = t.sum(axis=1)
    return t.sort_values("合计", ascending=False).reset_index()


def defect_chart(stats: pd.DataFrame, *, title: str = "缺陷统计") -> Figure:
    """Bar charts of defect counts: by code (stacked by grade) and by grade.

    Returns a :class:`matplotlib.figure.Figure` (call inside :func:`cjk_rc` for Chinese).
    """
    fig = Figure(figsize=(11, 4.8), dpi=100)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.2]})
    colors = {1: "#9bd39b", 2: "#f2d16b", 3: "#f29a4a", 4: "#d94040"}
    roman = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
    if stats.empty:
        ax1.text(0.5, 0.5, "无缺陷记录", ha="center", va="center", transform=ax1.transAxes)
    else:
        labels = [f"{c}\n{n}" for c, n in zip(stats["缺陷代码"], stats["缺陷名称"], strict=True)]
        x = np.arange(len(stats))
        bottom = np.zeros(len(stats))
        for gcol in (1, 2, 3, 4):
            vals = stats[gcol].to_numpy(float)
            ax1.bar(x, vals, bottom=bottom, color=colors[gcol], label=roman[gcol])
            bottom += vals
        ax1.set_xticks(x, labels, fontsize=8)
        ax1.legend(fontsize=8)
        totals = stats[[1, 2, 3, 4]].sum().to_numpy(float)
        ax2.bar([roman[g] for g in (1, 2, 3, 4)], totals, color=[colors[g] for g in (1, 2, 3, 4)])
        for i, v in enumerate(totals):
            ax2.text(i, v, f"{int(v)}", ha="center", va="bottom", fontsize=8)
    ax1.set_title("按缺陷代码统计（处）")
    ax1.set_ylabel("数量（处）")
    ax2.set_title("按缺陷等级统计（处）")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _notes_rows(store: SurveyStore) -> list[list[str]]:
    pack = store.pack
    rows = [
        [f"评估标准：{pack.standard} {pack.name_zh}（标准包 {pack.pack_id} {pack.version}）"],
        [pack.source_note_zh],
        [f"生成时间：{dt.datetime.now().isoformat(timespec='seconds')}；项目：{store.path.name}"],
        [],
        ["以下规则或数值未经核实（仅有单一来源或来源不一致），可在标准包中修正："],
    ]
    rows += [[f"{u.id}：{u.zh}"] for u in pack.unconfirmed_rules()]
    return rows


# --- writers ----------------------------------------------------------------------------------
def _report_tables(
    store: SurveyStore, grades: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three tables every report holds: assessment, inspection results, statistics."""
    assess = segment_assessment_table(store, grades=grades)
    results = inspection_results_table(store)
    return assess, results, defect_statistics(results)


def write_report_xlsx(
    store: SurveyStore, path: str | Path, *, grades: pd.DataFrame | None = None
) -> Path:
    """Write both tables, the statistics with a chart, and the notes to an .xlsx file.

    Written in openpyxl's streaming (write-only) mode so 100,000 rows stay fast. Cells follow
    :mod:`network.io.xlsx`: text that looks like a formula (a remark ``=HYPERLINK(…)``) is
    written as text, columns are fitted to their contents.

    Raises
    ------
    ReportError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    assess, results, stats = _report_tables(store, grades)
    wb = Workbook(write_only=True)
    for name, df in ((ASSESSMENT_SHEET, assess), (RESULTS_SHEET, results), (STATS_SHEET, stats)):
        ws = _table_sheet(wb, name, df)
        if name == STATS_SHEET:
            _add_chart(ws, stats)
    _notes_sheet(wb, store)
    try:
        wb.save(path)
    except OSError as exc:
        raise ReportError(
            f"Cannot write {path.name}: {exc.strerror}; close it in Excel and try again.",
            details=str(exc),
            file=str(path),
        ) from exc
    return path


def _header_text(c: Any) -> str:
    return f"{c}级" if isinstance(c, int | np.integer) else str(c)


def _table_sheet(wb: Any, name: str, df: pd.DataFrame) -> Any:
    """A write-only sheet: title row, bold header row, one row per table row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    from network.io.xlsx import display_width, fit_columns, is_formula_like, set_cell

    ws = wb.create_sheet(name)
    heads = [_header_text(c) for c in df.columns]
    widths = [
        max([display_width(h), *(display_width(_xl(v)) for v in df[col].head(500))])
        for h, col in zip(heads, df.columns, strict=True)
    ]
    fit_columns(ws, widths)
    ws.freeze_panes = "C3"
    title = WriteOnlyCell(ws)
    set_cell(title, name)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    fill = PatternFill("solid", fgColor="DDEBF7")
    bold, center = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
    cells = []
    for h in heads:
        cell = WriteOnlyCell(ws)
        set_cell(cell, h)
        cell.font, cell.fill, cell.alignment = bold, fill, center
        cells.append(cell)
    ws.append(cells)

    def text_cell(v: Any) -> Any:  # only formula-like text needs a cell object
        cell = WriteOnlyCell(ws)
        set_cell(cell, v)
        return cell

    for row in df.itertuples(index=False, name=None):
        values = [_xl(v) for v in row]
        ws.append([text_cell(v) if is_formula_like(v) else v for v in values])
    return ws


def _add_chart(ws: Any, stats: pd.DataFrame) -> None:
    from openpyxl.drawing.image import Image as XLImage

    with cjk_rc():
        png = _png(defect_chart(stats))
    img = XLImage(io.BytesIO(png))
    img.anchor = f"A{len(stats) + 5}"
    ws.add_image(img)


def _notes_sheet(wb: Any, store: SurveyStore) -> None:
    from openpyxl.cell import WriteOnlyCell

    from network.io.xlsx import set_cell

    notes = wb.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 120
    for r in _notes_rows(store):
        cells = []
        for v in r:
            cell = WriteOnlyCell(notes)
            set_cell(cell, v)
            cells.append(cell)
        notes.append(cells)


def _xl(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _table_pages(
    df: pd.DataFrame, title: str, rows_per_page: int = 28, columns: list[str] | None = None
) -> Iterator[Figure]:
    cols = columns or list(df.columns)
    sub = df[cols]
    n = max(1, int(np.ceil(len(sub) / rows_per_page)))
    for page in range(n):
        part = sub.iloc[page * rows_per_page : (page + 1) * rows_per_page]
        fig = Figure(figsize=(11.69, 8.27))  # A4 landscape
        ax = fig.add_axes((0.02, 0.03, 0.96, 0.88))
        ax.axis("off")
        fig.text(0.5, 0.95, f"{title}（第 {page + 1}/{n} 页）", ha="center", fontsize=14)
        cells = [
            ["" if _xl(v) is None else str(_xl(v))[:40] for v in r]
            for r in part.itertuples(index=False, name=None)
        ] or [[""] * len(cols)]
        tab = ax.table(
            cellText=cells, colLabels=[str(c) for c in cols], loc="upper center", cellLoc="center"
        )
        tab.auto_set_font_size(False)
        tab.set_fontsize(7)
        tab.scale(1, 1.25)
        for (r, _c), cell in tab.get_celld().items():
            if r == 0:
                cell.set_facecolor("#DDEBF7")
        yield fig


PDF_ASSESSMENT_COLUMNS = [
    "序号",
    "管段编号",
    "起始井号",
    "终止井号",
    "管径(mm)",
    "长度(m)",
    "结构性缺陷数",
    "S",
    "F",
    "SM",
    "结构性缺陷等级",
    "修复指数RI",
    "修复等级",
    "功能性缺陷数",
    "Y",
    "G",
    "YM",
    "功能性缺陷等级",
    "养护指数MI",
    "养护等级",
]
PDF_RESULTS_COLUMNS = [
    "序号",
    "管段编号",
    "起始井号",
    "终止井号",
    "检测日期",
    "距离(m)",
    "缺陷代码",
    "缺陷名称",
    "等级",
    "分值",
    "时钟表示",
    "缺陷长度(m)",
    "视频时间",
    "备注",
]


def write_report_pdf(
    store: SurveyStore, path: str | Path, *, grades: pd.DataFrame | None = None
) -> Path:
    """Write the statistics chart, both tables (paginated, A4 landscape) and notes to PDF.

    Raises
    ------
    ReportError
        The file cannot be written.
    """
    from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages

    path = Path(path)
    assess, results, stats = _report_tables(store, grades)
    try:
        with cjk_rc(), PdfPages(path) as pdf:
            figs = [defect_chart(stats, title=f"{store.path.stem} 缺陷统计")]
            figs += list(_table_pages(assess, ASSESSMENT_SHEET, columns=PDF_ASSESSMENT_COLUMNS))
            figs += list(_table_pages(results, RESULTS_SHEET, columns=PDF_RESULTS_COLUMNS))
            notes = Figure(figsize=(11.69, 8.27))
            text = "\n".join(r[0] if r else "" for r in _notes_rows(store))
            notes.text(0.04, 0.96, text, va="top", fontsize=8, wrap=True)
            figs.append(notes)
            for fig in figs:
                FigureCanvasPdf(fig)
                pdf.savefig(fig)
    except OSError as exc:
        raise ReportError(
            f"Cannot write {path.name}: {exc}", details=str(exc), file=str(path)
        ) from exc
    return path


def grades_records(store: SurveyStore, grades: pd.DataFrame | None = None) -> list[dict]:
    """Grades as JSON-ready dicts (one per pipe), for ``grade --json``."""
    g = store.compute_grades() if grades is None else grades
    out = []
    for pid, row in g.iterrows():
        d = {"pipe_id": str(pid)}
        for k, v in row.items():
            d[str(k)] = _xl(v)
        out.append(d)
    return out
