"""The acceptance files for people: the survey and the scored checklist as Excel, the summary
report skeleton as Word (no Qt).

* :func:`write_survey_xlsx` — 《“源、网、厂”调查表》: sheets 源 (one row per enterprise), 网
  (figures and the outfalls), 厂 (one row per plant), 汇总 (every fact) and 佐证材料; every
  answer marked 自动 (derived by PipeAtlas) or 人工 (entered in the form).
* :func:`write_checklist_xlsx` — 评分表 (items with points, score, rule, reason, evidence needed
  and attached), 小计, 问题清单 (the items that lost points), 佐证清单 and 得分历史.
* :func:`write_report_docx` — 建设总结报告 skeleton: the park's figures before/after (first
  kept assessment → now: connection rate, misconnections fixed, outfalls sealed, score) and
  headed sections 典型做法 / 建设亮点 / 突出成效 left for the park to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from network.io.xlsx import write_table
from surveys.acceptance.facts import FACT_LIST, FACTS, PARTS, fact_text
from surveys.acceptance.rules import AcceptanceError
from surveys.acceptance.score import METHOD_ZH, STATUS_ZH, Assessment
from surveys.acceptance.store import StoredAssessment
from surveys.acceptance.survey import ENTERPRISE_COLUMNS, PLANT_COLUMNS, Survey

#: The figures the summary report compares before/after: (fact, title).
REPORT_FIGURES = (
    ("connection_rate", "企业纳管率"),
    ("n_connected", "已纳管企业数"),
    ("n_misconnections", "未整改雨污混接点"),
    ("n_misconnections_fixed", "已整改雨污混接点"),
    ("n_outfalls_illegal", "未取缔的违规/异常排口"),
    ("n_outfalls_sealed", "已取缔封堵排口"),
    ("problem_closure_rate", "问题整改销号率"),
)


def _save(doc: Any, path: Path, program: str = "Excel") -> Path:
    """Save a workbook (or, with *program* ``Word``, a document) to *path*."""
    try:
        doc.save(path)
    except OSError as exc:
        raise AcceptanceError(
            f"Cannot write {path}: {exc.strerror or exc}. Close it if {program} has it open.",
            file=str(path),
        ) from exc
    return path


def _excel_value(text: str) -> Any:
    """A survey answer as Excel holds it: plain figures as numbers (sums and filters work),
    everything else as the text shown.

    >>> _excel_value("1000"), _excel_value("12.5"), _excel_value("60.0%"), _excel_value("是")
    (1000, 12.5, '60.0%', '是')
    """
    t = text.strip().replace(",", "")
    try:
        number = float(t)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text
    return int(number) if number.is_integer() and "." not in t else number


def _cell_rows(rows: Sequence[Any], columns: Sequence[tuple[str, str, bool]]) -> list[list[Any]]:
    out = []
    for k, r in enumerate(rows, start=1):
        line: list[Any] = [k, r.ident, r.name]
        for code, _, _ in columns:
            c = r.cells.get(code)
            line += [_excel_value(c.value) if c else "", c.mark if c else ""]
        out.append(line)
    return out


def _cell_headers(first: Sequence[str], columns: Sequence[tuple[str, str, bool]]) -> list[str]:
    heads = list(first)
    for _, title, _ in columns:
        heads += [title, f"{title}来源"]
    return heads


def write_survey_xlsx(survey: Survey, path: str | Path) -> Path:
    """Write the 源·网·厂 survey workbook.

    Raises
    ------
    AcceptanceError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "源"
    write_table(
        ws,
        _cell_headers(["序号", "企业编号", "企业名称"], ENTERPRISE_COLUMNS),
        _cell_rows(survey.enterprises, ENTERPRISE_COLUMNS),
    )
    ws = wb.create_sheet("网")
    net = [f for f in FACT_LIST if f.part == "network"]
    write_table(
        ws,
        ["项目", "数值", "来源", "数据依据"],
        [
            [f.title_zh, fact_text(f.name, survey.facts.get(f.name)), "自动", f.source_zh]
            for f in net
        ],
    )
    start = len(net) + 3
    write_table(
        ws,
        ["排口编号", "排口名称", "类别", "整治决定", "违规/异常", "已登记", "发现的问题"],
        [
            [
                o.outfall_id,
                o.name,
                o.class_label,
                o.decision,
                "是" if o.illegal else "否",
                "是" if o.registered else "否",
                "；".join(o.findings),
            ]
            for o in survey.outfalls
        ],
        start_row=start,
        freeze=False,
    )
    ws = wb.create_sheet("厂")
    write_table(
        ws,
        _cell_headers(["序号", "污水处理厂编号", "名称"], PLANT_COLUMNS),
        _cell_rows(survey.plants, PLANT_COLUMNS),
    )
    ws = wb.create_sheet("汇总")
    write_table(
        ws,
        ["部分", "指标", "代码", "数值", "来源", "数据依据"],
        [
            [
                PARTS[f.part],
                f.title_zh,
                f.name,
                fact_text(f.name, survey.facts.get(f.name)),
                "自动" if f.source_zh != "调查表" else "人工（调查表）",
                f.source_zh,
            ]
            for f in FACT_LIST
        ],
    )
    ws = wb.create_sheet("佐证材料")
    write_table(
        ws,
        ["编号", "对象", "文件", "SHA-256", "状态"],
        [[e.fid, e.target, e.path, e.sha256, e.check(survey.path)] for e in survey.data.evidence],
    )
    return _save(wb, path)


def write_checklist_xlsx(
    a: Assessment,
    path: str | Path,
    *,
    history: Sequence[StoredAssessment] = (),
    evidence: Sequence[Any] = (),
    project_path: str | Path | None = None,
) -> Path:
    """Write the scored checklist workbook (评分表, 小计, 问题清单, 佐证清单, 得分历史).

    Raises
    ------
    AcceptanceError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    pack = a.pack
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    rows = []
    for s in a.items:
        rows.append(
            [
                pack.group(s.group).title_zh,
                s.code,
                s.title_zh,
                s.points,
                s.score,
                METHOD_ZH.get(s.method, s.method),
                STATUS_ZH.get(s.status, s.status),
                s.rule,
                s.reason,
                s.evidence_needed,
                "；".join(s.evidence),
            ]
        )
    rows.append(["合计", "", "", a.max_total, a.total, "", "通过" if a.passed else "未通过"])
    write_table(
        ws,
        [
            "类别",
            "编号",
            "评分项目",
            "分值",
            "得分",
            "评分方式",
            "状态",
            "评分规则",
            "得分/扣分理由",
            "所需佐证材料",
            "已附佐证材料",
        ],
        rows,
    )
    ws = wb.create_sheet("小计")
    sub = [
        [pack.group(k).title_zh, p, s, s / p if p else None] for k, (s, p) in a.subtotals().items()
    ]
    sub.append(["合计", a.max_total, a.total, a.total / a.max_total if a.max_total else None])
    sub.append([f"评分日期 {a.date}", "通过线", pack.pass_score, "通过" if a.passed else "未通过"])
    write_table(ws, ["类别", "分值", "得分", "得分率"], sub, percent={"得分率"})
    ws = wb.create_sheet("问题清单")
    write_table(
        ws,
        ["序号", "编号", "评分项目", "扣分", "问题", "整改所需佐证材料"],
        [
            [k, s.code, s.title_zh, s.lost, s.reason, s.evidence_needed]
            for k, s in enumerate(a.lost_items(), start=1)
        ],
    )
    ws = wb.create_sheet("佐证清单")
    write_table(
        ws,
        ["编号", "对象", "名称", "文件", "SHA-256", "状态"],
        [
            [
                e.fid,
                e.target,
                e.title,
                e.path,
                e.sha256,
                e.check(project_path) if project_path is not None else "",
            ]
            for e in evidence
        ],
    )
    ws = wb.create_sheet("得分历史")
    write_table(
        ws,
        ["评分日期", "总分", "满分", "是否通过"],
        [[h.assessed, h.total, h.max_total, "通过" if h.passed else "未通过"] for h in history],
    )
    ws = wb.create_sheet("说明")
    write_table(
        ws,
        ["项目", "内容"],
        [
            ["评分表", pack.title_zh],
            ["评分包编号", pack.id],
            ["是否官方评分细则", "是" if pack.official else "否（PipeAtlas默认评分表）"],
            ["说明", pack.about_zh],
            ["通过线", f"{pack.pass_score:g}分"],
        ],
    )
    return _save(wb, path)


# --- Word ---------------------------------------------------------------------------------------
#: The report's heading sizes (pt); body and headings as the park dossier's document.
_HEADING_SIZES = (("Title", 22), ("Heading 1", 16), ("Heading 2", 13))


def before_after(
    a: Assessment, history: Sequence[StoredAssessment]
) -> tuple[str, dict[str, Any], float, list[list[str]]]:
    """The report's comparison: (first date, first facts, first total, table rows).

    The first kept assessment of the pack before ``a.date`` is "before"; with none, "before"
    is the current survey (the report then says so).
    """
    older = [h for h in history if h.pack_id == a.pack.id and h.assessed < a.date]
    first = older[0] if older else None
    facts0 = first.facts if first else a.facts
    total0 = first.total if first else a.total
    date0 = first.assessed if first else a.date
    rows = [
        [title, fact_text(name, facts0.get(name)), fact_text(name, a.facts.get(name))]
        for name, title in REPORT_FIGURES
        if name in FACTS
    ]
    rows.append(["验收评分", f"{total0:g}分", f"{a.total:g}分"])
    return date0, facts0, total0, rows


def write_report_docx(
    survey: Survey,
    a: Assessment,
    path: str | Path,
    *,
    history: Sequence[StoredAssessment] = (),
) -> Path:
    """Write the 建设总结报告 skeleton, pre-filled with the park's figures before/after.

    Raises
    ------
    AcceptanceError
        The file cannot be written.
    """
    from docx import Document

    from surveys.dossier.document import setup_styles, word_table

    path = Path(path)
    doc = Document()
    setup_styles(doc, _HEADING_SIZES, table_styles=())
    doc.add_heading(f"{survey.park_name}“污水零直排区”建设总结报告", level=0)
    doc.add_paragraph(f"评分日期：{a.date}    评分表：{a.pack.title_zh}")
    if not a.pack.official:
        doc.add_paragraph(
            "注：本报告按PipeAtlas默认评分表评分，该评分表依据政策文件要求编制，并非官方《评分细则》；"
            "正式验收请按所在省市发布的评分细则评分。"
        )
    date0, _, total0, rows = before_after(a, history)
    doc.add_heading("一、园区基本情况", level=1)
    f = a.facts
    doc.add_paragraph(
        f"园区共有涉水企业{fact_text('n_enterprises', f.get('n_enterprises'))}，"
        f"已纳管{fact_text('n_connected', f.get('n_connected'))}，纳管率"
        f"{fact_text('connection_rate', f.get('connection_rate'))}；接纳园区废水的污水处理厂"
        f"{fact_text('n_plants', f.get('n_plants'))}，设计规模"
        f"{fact_text('plant_capacity_tpd', f.get('plant_capacity_tpd'))}，负荷率"
        f"{fact_text('plant_load_ratio', f.get('plant_load_ratio'))}；排口"
        f"{fact_text('n_outfalls', f.get('n_outfalls'))}。"
    )
    doc.add_paragraph("（请补充：园区位置、规模、主导产业、建设范围等。）")
    doc.add_heading("二、建设前后对比", level=1)
    if date0 == a.date:
        doc.add_paragraph("尚无更早的评分记录，下表“建设前”与“当前”相同（首次评估）。")
    word_table(doc, ["指标", f"建设前（{date0}）", f"当前（{a.date}）"], rows)
    change = "提高到" if a.total > total0 else ("降低到" if a.total < total0 else "保持为")
    doc.add_paragraph(
        f"验收评分由{total0:g}分{change}{a.total:g}分（通过线{a.pack.pass_score:g}分），"
        f"{'已达到' if a.passed else '尚未达到'}验收要求。"
    )
    doc.add_heading("三、评分情况", level=1)
    word_table(
        doc,
        ["类别", "分值", "得分"],
        [[a.pack.group(k).title_zh, f"{p:g}", f"{s:g}"] for k, (s, p) in a.subtotals().items()]
        + [["合计", f"{a.max_total:g}", f"{a.total:g}"]],
    )
    lost = a.lost_items()
    if lost:
        doc.add_paragraph("扣分项目：")
        for s in lost:
            doc.add_paragraph(
                f"{s.code} {s.title_zh}：扣{s.lost:g}分（{s.reason}）", style="List Bullet"
            )
    for title in ("四、典型做法", "五、建设亮点", "六、突出成效"):
        doc.add_heading(title, level=1)
        doc.add_paragraph("（请园区补充。）")
    return _save(doc, path, "Word")
