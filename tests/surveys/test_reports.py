"""Reports: 管段状况评估表 and 检测成果表 as Excel and PDF, with charts."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from pdf_fonts import pdf_font_names
from synthetic_surveys import make_pipes_gpkg

from network.io.fonts import cjk_font
from surveys import reports
from surveys.records import Inspection, Observation
from surveys.store import SurveyStore

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def store(tmp_path):
    s = SurveyStore(make_pipes_gpkg(tmp_path / "park.gpkg", 3), today=lambda: TODAY)
    insp = s.add(Inspection(date="2024-05-10", method="cctv", contractor="某公司"))
    for pipe, d, code, grade in (
        ("P1", 2.0, "PL", 2),
        ("P1", 3.2, "CK", 3),
        ("P2", 5, "CJ", 4),
        ("P2", 9, "FZ", 1),
    ):
        s.add(
            Observation(
                inspection_id=insp.uuid,
                pipe_id=pipe,
                distance_m=d,
                code=code,
                grade=grade,
                clock_from=2,
                clock_to=10,
            )
        )
    yield s
    s.close()


def test_cjk_font_is_found():
    assert cjk_font() in ("Noto Sans CJK SC", "WenQuanYi Micro Hei")


def test_segment_assessment_table(store):
    t = reports.segment_assessment_table(store)
    assert list(t["管段编号"]) == ["P1", "P2"]
    p1 = t.iloc[0]
    assert (p1["结构性缺陷数"], p1["F"], p1["结构性缺陷等级"]) == (2, 5.0, "Ⅲ")
    assert p1["S"] == pytest.approx(3.85)
    p2 = t.iloc[1]
    assert (p2["功能性缺陷数"], p2["G"], p2["功能性缺陷等级"]) == (1, 10.0, "Ⅳ")
    assert "FZ recorded, not scored" in p2["说明"]
    assert "kind:functional" in p2["未经核实的规则"]


def test_inspection_results_table(store):
    t = reports.inspection_results_table(store)
    assert list(t.columns[:4]) == ["序号", "管段编号", "起始井号", "终止井号"]
    row = t.iloc[0]
    assert (
        row["管段编号"],
        row["起始井号"],
        row["缺陷名称"],
        row["分值"],
        row["时钟表示"],
        row["检测方法"],
        row["检测日期"],
    ) == ("P1", "J1", "破裂", 2.0, "0210", "CCTV检测", "2024-05-10")
    assert t[t["缺陷代码"] == "FZ"]["分值"].isna().all()
    stats = reports.defect_statistics(t)
    assert stats.set_index("缺陷代码").loc["CJ", 4] == 1 and stats["合计"].sum() == 4


def test_report_excel_has_tables_chart_and_unconfirmed_notes(store, tmp_path):
    path = reports.write_report_xlsx(store, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["管段状况评估表", "检测成果表", "缺陷统计", "说明"]
    assert wb["管段状况评估表"]["B2"].value == "管段编号"
    assert wb["管段状况评估表"]["B3"].value == "P1"
    assert len(wb["缺陷统计"]._images) == 1
    notes = "\n".join(str(c.value) for c in wb["说明"]["A"] if c.value)
    assert "未经核实" in notes and "rule:beta" in notes and "CJJ 181-2012" in notes


def test_report_pdf_is_written(store, tmp_path):
    path = reports.write_report_pdf(store, tmp_path / "r.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 4
    if (cjk_font() or "").startswith("Noto Sans CJK"):  # the Simplified-Chinese face, not JP
        names = pdf_font_names(path)
        assert "NotoSansCJKsc" in names and "CJKjp" not in names


def test_chart_counts_by_code_and_grade(store):
    stats = reports.defect_statistics(reports.inspection_results_table(store))
    with reports.cjk_rc():
        fig = reports.defect_chart(stats)
    by_code, by_grade = fig.axes[:2]
    heights = [p.get_height() for p in by_grade.patches]
    assert heights == [1, 1, 1, 1]
    assert len(by_code.patches) == 4 * len(stats)


def test_grades_records_are_json_ready(store):
    import json

    recs = reports.grades_records(store)
    assert json.dumps(recs) and recs[0]["pipe_id"] == "P1"


def test_grade_xlsx_writes_remarks_as_text_and_fits_columns(tmp_path, capsys):
    import zipfile

    from gisapp.cli import main

    project = make_pipes_gpkg(tmp_path / "park.gpkg", 3)
    remarks = ('=HYPERLINK("http://evil.example/","x")', "+cmd", "-x", "@x")
    with SurveyStore(project) as s:
        insp = s.add(Inspection(date="2024-05-10", method="cctv", contractor="=公司"))
        for i, r in enumerate(remarks):
            s.add(
                Observation(
                    inspection_id=insp.uuid,
                    pipe_id="P1",
                    distance_m=1.0 + i,
                    code="PL",
                    grade=2,
                    remarks=r,
                    video_time="=0:01",
                )
            )
    out = tmp_path / "grade.xlsx"
    assert main(["grade", str(project), "--xlsx", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>" not in xml and b"<f " not in xml
    ws = load_workbook(out)[reports.RESULTS_SHEET]
    head = [c.value for c in ws[2]]
    got = [r[head.index("备注")] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert got == list(remarks)
    assert {r[head.index("视频时间")] for r in ws.iter_rows(min_row=3, values_only=True)} == {
        "=0:01"
    }
    assert ws.column_dimensions["A"].width >= 6
    col = chr(ord("A") + head.index("备注"))
    assert ws.column_dimensions[col].width >= len(remarks[0])
    assert "CCTV检测" in [
        r[head.index("检测方法")] for r in ws.iter_rows(min_row=3, values_only=True)
    ]
