"""The park dossier as a Word document (python-docx): the form bureaus exchange.

Cover, contents, the park's facts (overrides with the computed value beside them), the 20
items of 附件1-2 with status and file list, the flow-path map, the park's row of 附件1-3, the
enterprise list and the 一企一档 overview. The styles carry Chinese fonts (宋体 body, 黑体
headings) as East-Asian font attributes (``w:eastAsia``), so Word shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveys.dossier.codes import DossierError
from surveys.dossier.figures import format_value, value_text
from surveys.dossier.park import FIELDS_BY_CODE
from surveys.dossier.tables import ANNEX13_COLUMNS, ANNEX13_GROUPS, ENTERPRISE_COLUMNS

if TYPE_CHECKING:
    from surveys.dossier.build import Dossier
    from surveys.dossier.export import ExportResult

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
SECTIONS = (
    "一、园区基本情况",
    "二、一园一档资料清单（附件1-2）",
    "三、管网及污水流径线路图",
    "四、园区基本情况调度表（附件1-3）",
    "五、园区企业情况总表",
    "六、一企一档资料情况",
)
FACT_CODES = (
    "city",
    "county",
    "address",
    "park_name",
    "area_name",
    "zone_code",
    "credit_code",
    "area_km2",
    "location",
    "eia_approval",
    "emergency",
    "industries",
    "n_enterprises",
    "wastewater",
    "network_km",
    "n_connected",
    "plant_nature",
    "plant_name",
    "plant_process",
    "plant_capacity",
    "plant_load",
    "standard",
    "online_monitoring",
    "problems",
    "deadline",
    "progress",
)


def set_east_asian_font(style_or_run: Any, name: str) -> None:
    """Set the font of a style or run, East-Asian attribute included (``w:eastAsia``)."""
    from docx.oxml.ns import qn

    style_or_run.font.name = name
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def setup_styles(
    doc: Any,
    heading_sizes: Sequence[tuple[str, float]] = (
        ("Title", 26),
        ("Heading 1", 16),
        ("Heading 2", 14),
        ("Heading 3", 12),
    ),
    *,
    table_styles: Sequence[str] = ("Table Grid", "Caption"),
) -> None:
    """A Chinese Word document's styles: body 宋体 10.5 pt, headings 黑体 (black, not bold)
    at *heading_sizes* (style, pt), and 宋体 for the *table_styles* present."""
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    set_east_asian_font(normal, BODY_FONT)
    normal.font.size = Pt(10.5)
    for name, size in heading_sizes:
        st = doc.styles[name]
        set_east_asian_font(st, HEADING_FONT)
        st.font.size = Pt(size)
        st.font.bold = False
        st.font.color.rgb = RGBColor(0, 0, 0)
    for name in table_styles:
        if name in [s.name for s in doc.styles]:
            set_east_asian_font(doc.styles[name], BODY_FONT)


def _cell_text(cell: Any, text: str, *, bold: bool = False, size: float = 9) -> None:
    from docx.shared import Pt

    cell.text = ""
    par = cell.paragraphs[0]
    run = par.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def word_table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths_cm: Sequence[float] = (),
) -> Any:
    """A gridded table at the end of *doc*: bold headers, values as :func:`format_value`
    writes them, 9 pt; fixed column widths when *widths_cm* are given (else Word fits them)."""
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for c, h in enumerate(headers):
        _cell_text(table.rows[0].cells[c], h, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for c, v in enumerate(row):
            _cell_text(cells[c], format_value(v))
    if not widths_cm:
        return table
    table.autofit = False
    for c, w in enumerate(widths_cm):
        table.columns[c].width = Cm(w)
    for row in table.rows:
        for c, w in enumerate(widths_cm):
            row.cells[c].width = Cm(w)
    return table


def write_docx(d: Dossier, path: str | Path, result: ExportResult | None = None) -> Path:
    """Write the dossier of ``d`` as a Word document.

    ``result`` (of :func:`surveys.dossier.export.export_dossier`) supplies the exported file
    names, the products and the flow-path map image; without it the file lists show the
    attachments as stored.

    Raises
    ------
    DossierError
        The file cannot be written.
    """
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    path = Path(path)
    doc = Document()
    setup_styles(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.2))
    v = d.values
    done, total = d.completeness()

    # --- cover ---
    for _ in range(5):
        doc.add_paragraph()
    t = doc.add_paragraph(d.park_name, style="Title")
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t = doc.add_paragraph("一园一档", style="Title")
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph("省级及以上工业园区水环境规范化整治资料")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.size = Pt(16)
    for _ in range(8):
        doc.add_paragraph()
    cover = [
        ("园区级别（代码）", v["zone_code"].text),
        ("所在地", "".join(x for x in (v["city"].text, v["county"].text) if x)),
        ("填报单位", v["preparer"].text),
        ("填报日期", v["report_date"].text or d.today.isoformat()),
        ("资料齐全情况", f"{done}/{total} 项齐全"),
    ]
    for label, text in cover:
        if not text:
            continue
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(f"{label}：{text}")
        r.font.size = Pt(14)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- contents ---
    doc.add_heading("目  录", level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for s in SECTIONS:
        doc.add_paragraph(s).paragraph_format.left_indent = Cm(1)
        if s.startswith("二"):
            for g in d.pack.groups:
                doc.add_paragraph(f"（{g.no}）{g.title_zh}").paragraph_format.left_indent = Cm(2)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- 一 park facts ---
    doc.add_heading(SECTIONS[0], level=1)
    rows = [(FIELDS_BY_CODE[c].title, value_text(v[c]) or "—") for c in FACT_CODES]
    word_table(doc, ["项目", "内容"], rows, [6.0, 10.6])
    doc.add_paragraph(
        "注：园区面积、坐标、企业个数、废水排放总量、管网长度、纳管个数、污水处理设施和整改情况"
        "由 PipeAtlas 根据园区图层、管网和问题台账计算；人工修改的数值后注明图算值。"
    ).runs[0].font.size = Pt(9)

    # --- 二 checklist ---
    doc.add_heading(SECTIONS[1], level=1)
    doc.add_paragraph(
        f"资料按 {total} 项收集、{len(d.pack.groups)} 个方面归类、按序夹装；"
        f"齐全 {done} 项，部分 {sum(i.status == 'partial' for i in d.items)} 项，"
        f"缺失 {sum(i.status == 'missing' for i in d.items)} 项。"
    )
    for g in d.pack.groups:
        doc.add_heading(f"（{g.no}）{g.title_zh}", level=2)
        rows = []
        for st in (s for s in d.items if d.pack.item(s.item).group == g.code):
            it = d.pack.item(st.item)
            files = _file_list(d, st, result)
            review = ""
            if st.review is not None:
                review = "；".join(
                    x for x in (st.review.note, st.review.reviewer, st.review.reviewed) if x
                )
            rows.append(
                [
                    it.no,
                    it.title_zh,
                    st.status_zh,
                    files,
                    "；".join(x for x in (st.detail, review) if x),
                ]
            )
        word_table(
            doc, ["序号", "资料名称", "状态", "文件", "审核意见"], rows, [1.1, 6.2, 1.3, 5.0, 3.0]
        )

    # --- 三 map ---
    doc.add_heading(SECTIONS[2], level=1)
    png = result.map_png if result is not None else None
    if png is not None and Path(png).is_file():
        doc.add_picture(str(png), width=Cm(16.5))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        doc.add_paragraph("（本次导出未生成管网图，请用“导出地图”生成后附入。）")
    cap = doc.add_paragraph(
        f"图 1  {d.park_name}管网图及污水流向图（主管 {d.stats['main_length_km']:.3f} 千米，"
        f"支管 {d.stats['branch_length_km']:.3f} 千米）"
    )
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # --- 四 附件1-3 row ---
    doc.add_heading(SECTIONS[3], level=1)
    titles = [*ANNEX13_COLUMNS[1:], ("备注", "remarks")]
    rows = []
    for col, (title, code) in enumerate(titles, start=2):
        group = next(g for g, a, b in ANNEX13_GROUPS if a <= col <= b)
        rows.append([group, title.replace("\n", ""), v[code].text or "—"])
    word_table(doc, ["分类", "项目", "内容"], rows, [3.2, 6.0, 7.4])

    # --- 五 enterprise list ---
    doc.add_heading(SECTIONS[4], level=1)
    erows = [r.cells(i) for i, r in enumerate(d.enterprises, start=1)]
    word_table(doc, list(ENTERPRISE_COLUMNS), erows, [1.0, 4.2, 2.2, 2.0, 2.0, 1.6, 3.6])
    n_in = sum(r.connected for r in d.enterprises)
    doc.add_paragraph(
        f"共 {len(d.enterprises)} 家企业，纳入管网 {n_in} 家；是否纳入管网由管网追踪（纳管台账）"
        "得出。"
    )

    # --- 六 一企一档 ---
    doc.add_heading(SECTIONS[5], level=1)
    heads = ["企业", *(i.short_zh for i in d.pack.enterprise_items)]
    rows = []
    for r in d.enterprises:
        sts = d.enterprise_items(r.ent_id)
        rows.append([f"{r.ent_id} {r.name}", *(s.status_zh for s in sts)])
    word_table(doc, heads, rows, [4.6, 2.4, 2.4, 2.4, 2.4, 2.4])
    try:
        doc.save(str(path))
    except OSError as exc:
        raise DossierError(
            f"Cannot write {path.name}: {exc.strerror or exc}; close it in Word and check the "
            "folder exists.",
            file=str(path),
        ) from exc
    return path


def _file_list(d: Dossier, st: Any, result: ExportResult | None) -> str:
    lines = []
    if result is not None:
        for f in result.files:
            if f.item == st.item and not f.ent_id:
                lines.append(f.path.name)
        for mst, a in result.missing:
            if mst.item == st.item and not mst.ent_id:
                lines.append(f"【文件缺失】{a.path}")
    else:
        for a, check in st.files:
            lines.append(("【文件缺失】" if check == "missing" else "") + Path(a.path).name)
        if st.produced:
            lines.append(f"{d.pack.item(st.item).produced_zh}（导出时生成）")
    return "\n".join(lines) or "—"
