"""Spreadsheets for people: formula-like text stays text, exactly, after a real save/load."""

import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from network.io.xlsx import write_table

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx", "\rx"]


def _roundtrip(tmp_path, rows, **kw):
    wb = Workbook()
    write_table(wb.active, ["名称", "纳管率"], rows, **kw)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path, load_workbook(path).active


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_written_as_text_and_reads_back_exactly(tmp_path, text):
    path, ws = _roundtrip(tmp_path, [[text, 0.5]])
    assert ws["A2"].value == text
    assert ws["A2"].data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no live formula anywhere in the file


def test_percent_columns_keep_the_number_and_show_a_percent(tmp_path):
    _, ws = _roundtrip(tmp_path, [["甲", 0.7], ["乙", None]], percent={"纳管率"})
    assert ws["B2"].value == pytest.approx(0.7)
    assert ws["B2"].number_format == "0.0%"
    assert ws["B3"].value is None


def test_columns_fit_chinese_text_and_header_is_frozen(tmp_path):
    _, ws = _roundtrip(tmp_path, [["某某化工有限公司第二分公司", 1.0]])
    assert ws.column_dimensions["A"].width >= 26  # 13 wide characters
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
