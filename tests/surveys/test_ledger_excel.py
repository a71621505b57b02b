"""Issue 10 item 15/13: the ledger workbook is safe to open and safe to re-import.

Text that looks like a formula is written as text and reads back exactly; a column deleted
in Excel means "not given" (never "blank"); one bad row is refused by row and column while
the rest is applied.
"""

import dataclasses
import datetime as dt
import zipfile

import pytest
from openpyxl import load_workbook
from synthetic_surveys import make_pipes_gpkg

from gisapp.cli import main
from network.io.xlsx import set_cell
from surveys import ledger
from surveys.records import Problem
from surveys.store import SurveyStore

TODAY = dt.date(2024, 6, 1)
NASTY = ('=HYPERLINK("http://evil.example/","点此")', "+cmd|' /C calc'!A0", "-x", "@x", "=1+1")


def sheet_formulas(path):
    """Every ``<f>`` (formula) element in the workbook's sheet XML."""
    with zipfile.ZipFile(path) as z:
        return {
            name: z.read(name).count(b"<f>") + z.read(name).count(b"<f ")
            for name in z.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


@pytest.fixture
def project(tmp_path):
    return make_pipes_gpkg(tmp_path / "park.gpkg", 3)


@pytest.fixture
def store(project):
    s = SurveyStore(project, author="alice", today=lambda: TODAY)
    yield s
    s.close()


def _nasty_problems(store):
    return [
        store.add(
            Problem(
                description=NASTY[0],
                measure=NASTY[1],
                responsible_body=NASTY[2],
                responsible_person=NASTY[3],
                location=NASTY[4],
                deadline="2024-07-01",
                notes=[{"date": "2024-05-02", "text": "=2+2", "author": "alice"}],
            )
        ),
        store.add(Problem(description="=1+1", responsible_body="=企业A")),
    ]


def test_ledger_export_writes_formula_like_text_as_text(store, tmp_path):
    _nasty_problems(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    assert set(sheet_formulas(path).values()) == {0}
    ws = load_workbook(path)[ledger.LEDGER_SHEET]
    assert [ws.cell(3, j).value for j in range(2, 6)] == list(NASTY[:4])
    assert ws["I3"].value == "=1+1" and ws["B3"].data_type == "s"
    assert ws["B4"].value == "=1+1" and ws["D4"].value == "=企业A"
    summary = load_workbook(path)[ledger.SUMMARY_SHEET]
    assert "=企业A" in [c.value for c in summary["A"]]


def test_ledger_round_trip_keeps_formula_like_text_exactly(store, tmp_path):
    a, b = _nasty_problems(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    plan = ledger.plan_ledger_import(store, path)
    assert plan.empty and plan.unchanged == 2 and not plan.errors
    wb = load_workbook(path)
    ws = wb[ledger.LEDGER_SHEET]
    ws["E4"] = "张三"  # edit another field of b
    set_cell(ws["B4"], "=3+3")  # as Excel keeps '=3+3 typed with the quote prefix
    row = ws.max_row + 1
    set_cell(ws.cell(row, 2), "-新问题")
    set_cell(ws.cell(row, 8), "未整改")
    wb.save(path)
    plan = ledger.plan_ledger_import(store, path)
    assert [c.uuid for c in plan.changes] == [b.uuid] and not plan.errors
    ledger.apply_ledger_import(store, plan)
    got_a, got_b = store.get("problem", a.uuid), store.get("problem", b.uuid)
    assert (got_a.description, got_a.measure, got_a.location) == (NASTY[0], NASTY[1], NASTY[4])
    assert got_a.notes[0]["text"] == "=2+2"
    assert (got_b.description, got_b.responsible_person) == ("=3+3", "张三")
    assert [p.description for p in store.records("problem") if p.source == "import"] == ["-新问题"]


def test_ledger_export_is_for_people(store, tmp_path):
    store.add(Problem(description="问题" * 40, status="done", source="misconnection"))
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    ws = load_workbook(path)[ledger.LEDGER_SHEET]
    assert ws["H3"].value == "已完成" and ws["J3"].value == "雨污混接"  # no internal codes
    assert ws.column_dimensions["B"].width == ledger.WRAP_WIDTH + 2  # long text: capped
    assert 8 <= ws.column_dimensions["H"].width < 20  # fitted to 整改状态
    assert ws.freeze_panes == "C3"


# --- deleted columns, bad rows ---------------------------------------------------------------
def _many(project, n=20):
    with SurveyStore(project, author="alice") as s:
        probs = [
            s.add(
                Problem(
                    description=f"问题{i}",
                    measure="修复",
                    responsible_body="管委会",
                    deadline=f"2030-0{1 + i % 9}-01",
                    status="verified" if i % 2 else "done",
                )
            )
            for i in range(n)
        ]
    return probs


def _export(project, tmp_path):
    xlsx = tmp_path / "l.xlsx"
    assert main(["ledger", "export", str(project), "--xlsx", str(xlsx)]) == 0
    return xlsx


def _column(ws, header):
    return next(c.column for c in ws[2] if c.value == header)


@pytest.mark.parametrize("deleted", ["整改时限", "整改状态", "整改进展", "问题"])
def test_deleting_a_column_leaves_that_field_alone(project, tmp_path, capsys, deleted):
    probs = _many(project)
    xlsx = _export(project, tmp_path)
    wb = load_workbook(xlsx)
    ws = wb[ledger.LEDGER_SHEET]
    ws.delete_cols(_column(ws, deleted))
    ws.cell(3, _column(ws, "责任人"), "李四")  # one real edit in the same workbook
    wb.save(xlsx)
    capsys.readouterr()
    assert main(["ledger", "import", str(project), str(xlsx), "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"column(s) absent from the workbook: {deleted}" in out
    assert "applied: 1 updated" in out
    with SurveyStore(project) as s:
        for p in probs:
            got = s.get("problem", p.uuid)
            assert (got.deadline, got.status, got.description, got.notes) == (
                p.deadline,
                p.status,
                p.description,
                p.notes,
            )
        assert s.get("problem", probs[0].uuid).responsible_person == "李四"


def test_one_bad_row_is_refused_by_row_and_column_the_rest_applied(project, tmp_path, capsys):
    probs = _many(project, 5)
    xlsx = _export(project, tmp_path)
    wb = load_workbook(xlsx)
    ws = wb[ledger.LEDGER_SHEET]
    deadline, person = _column(ws, "整改时限"), _column(ws, "责任人")
    ws.cell(4, deadline, "下个月")  # row 4: unreadable date
    ws.cell(4, person, "王五")
    ws.cell(5, _column(ws, "整改状态"), "")  # row 5: status cleared
    ws.cell(6, person, "赵六")  # row 6: a good edit
    wb.save(xlsx)
    capsys.readouterr()
    assert main(["ledger", "import", str(project), str(xlsx)]) == 0  # dry run (no tty)
    out = capsys.readouterr().out
    assert "row 4 REFUSED: column 整改时限 (F): '下个月' is not a date" in out
    assert "row 5 REFUSED: column 整改状态 (H) is empty" in out
    assert "2 row(s) above (REFUSED / CONFLICT) will not be applied" in out
    assert "dry run" in out
    with SurveyStore(project) as s:
        assert s.get("problem", probs[3].uuid).responsible_person == ""
    assert main(["ledger", "import", str(project), str(xlsx), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "applied: 1 updated" in out and "2 row(s) refused" in out
    with SurveyStore(project) as s:
        assert s.get("problem", probs[3].uuid).responsible_person == "赵六"
        assert s.get("problem", probs[1].uuid).responsible_person == ""  # refused row
        assert s.get("problem", probs[1].uuid).deadline == probs[1].deadline
        assert s.get("problem", probs[2].uuid).status == probs[2].status


def test_plan_reports_missing_columns_and_row_errors(store, tmp_path):
    a = store.add(Problem(description="a", deadline="2024-07-01", status="done"))
    b = store.add(Problem(description="b", deadline="2024-08-01"))
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    wb = load_workbook(path)
    ws = wb[ledger.LEDGER_SHEET]
    ws.delete_cols(_column(ws, "整改状态"))
    ws.cell(4, _column(ws, "整改时限"), "2024-13-45")
    wb.save(path)
    plan = ledger.plan_ledger_import(store, path)
    assert plan.missing_columns == ["整改状态"]
    assert plan.errors == [(4, "column 整改时限 (F): '2024-13-45' is not a date (YYYY-MM-DD)")]
    assert plan.unchanged == 1 and plan.empty
    ledger.apply_ledger_import(store, plan)
    assert store.get("problem", a.uuid).status == "done"
    assert store.get("problem", b.uuid).deadline == "2024-08-01"
    assert dataclasses.asdict(store.get("problem", a.uuid))["deadline"] == "2024-07-01"


def test_deleting_the_hidden_id_columns_is_refused_with_one_message(project, tmp_path, capsys):
    _many(project, 2)
    xlsx = _export(project, tmp_path)
    wb = load_workbook(xlsx)
    ws = wb[ledger.LEDGER_SHEET]
    ws.delete_cols(_column(ws, "版本"))
    wb.save(xlsx)
    capsys.readouterr()
    assert main(["ledger", "import", str(project), str(xlsx), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "版本" in err and "l.xlsx" in err and "Traceback" not in err
