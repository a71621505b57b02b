"""The ledger dock: overdue highlighting, summary, raising, Excel round trip."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from synthetic_surveys import make_pipes_gpkg

from gisapp.qt.ledger_dock import OVERDUE_COLOR, LedgerDock, LedgerImportDialog
from gisapp.qt.survey_forms import RecordForm
from network.issues import Issue
from surveys import ledger
from surveys.records import Observation, Problem
from surveys.store import SurveyStore

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def store(tmp_path):
    s = SurveyStore(
        make_pipes_gpkg(tmp_path / "park.gpkg", 3), author="alice", today=lambda: TODAY
    )
    yield s
    s.close()


def test_ledger_dock_highlights_overdue_and_summarises(qtbot, store):
    store.add(
        Problem(
            description="逾期问题",
            responsible_body="管委会",
            deadline="2024-05-01",
            x=1.0,
            y=2.0,
            layer="pipes",
            feature_ids=["P1"],
        )
    )
    store.add(Problem(description="未到期", responsible_body="企业A", deadline="2024-09-01"))
    store.add(
        Problem(
            description="已完成", responsible_body="管委会", deadline="2024-05-01", status="done"
        )
    )
    dock = LedgerDock(store)
    qtbot.addWidget(dock)
    m = dock.model
    assert m.rowCount() == 3
    bg = m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert bg is not None and bg.color() == OVERDUE_COLOR
    assert m.data(m.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert m.data(m.index(2, 0), Qt.ItemDataRole.BackgroundRole) is None  # done: not overdue
    assert "3 problem(s), 1 overdue" in dock.summary_label.text()
    assert "管委会: 2（逾期 1）" in dock.summary_label.text()
    dock.overdue_check.setChecked(True)
    assert m.rowCount() == 1
    dock.overdue_check.setChecked(False)
    dock.body_filter_combo.setCurrentIndex(dock.body_filter_combo.findData("企业A"))
    assert m.rowCount() == 1
    dock.body_filter_combo.setCurrentIndex(0)
    with qtbot.waitSignals(
        [dock.problem_selected, dock.location_requested, dock.features_requested]
    ):
        dock.table.selectRow(0)


def test_ledger_dock_raises_problems(qtbot, store):
    store.add(Observation(pipe_id="P1", distance_m=1, code="PL", grade=4))
    dock = LedgerDock(store)
    qtbot.addWidget(dock)
    res = dock.raise_from_records()
    assert len(res.added) == 1 and dock.model.rowCount() == 1
    assert dock.raise_from_records().skipped == 1
    issue = Issue(
        "c:1",
        "connectivity",
        "dangling_end",
        "error",
        ("P2",),
        "pipes",
        None,
        None,
        "悬空",
        "dangling",
    )
    dock.raise_from_issues([issue])
    dock.raise_from_conflicts(
        [
            {
                "description": "排放口位于保护区",
                "source": "overlap:a",
                "location": {"x": 1, "y": 2},
                "feature": {"type": "outfalls", "id": "PK1"},
            }
        ]
    )
    assert dock.model.rowCount() == 3
    assert "1 problem(s) added" in dock.message_label.text()


def test_ledger_dock_excel_round_trip_with_confirmation(qtbot, store, tmp_path):
    p = store.add(Problem(description="雨污混接", responsible_body="企业A"))
    dock = LedgerDock(store)
    qtbot.addWidget(dock)
    path = dock.export_to(tmp_path / "l.xlsx")
    wb = load_workbook(path)
    wb[ledger.LEDGER_SHEET]["C3"] = "封堵"
    wb.save(path)
    plan = dock.plan_import(path)
    dlg = LedgerImportDialog(plan)
    qtbot.addWidget(dlg)
    assert "1 change(s)" in dlg.findChild(type(dock.summary_label), "summary_label").text()
    assert "封堵" in dlg.details_edit.toPlainText()
    res = dock.apply_import(plan)
    assert len(res.updated) == 1 and store.get("problem", p.uuid).measure == "封堵"
    assert dock.model.data(dock.model.index(0, 1)) == "封堵"
    assert dock.plan_import(tmp_path / "missing.xlsx") is None
    assert "does not exist" in dock.message_label.text()


def test_problem_form_saves_notes_and_reopens(qtbot, store):
    form = RecordForm(store, "problem")
    qtbot.addWidget(form)
    form.widgets["description"].setText("井盖缺失")
    form.widgets["deadline"].setText("2024-07-01")
    form.widgets["status"].setCurrentIndex(form.widgets["status"].findData("in_progress"))
    form.widgets["notes"].setPlainText("2024-05-02 已通知\n2024-07-09 future")
    assert form.save() is None
    assert "in the future" in form.error_labels["notes"].text()
    form.widgets["notes"].setPlainText("2024-05-02 已通知")
    saved = form.save()
    assert saved.notes == [{"date": "2024-05-02", "text": "已通知", "author": "alice"}]
    form2 = RecordForm(store, "problem")
    qtbot.addWidget(form2)
    form2.load_record(store.get("problem", saved.uuid))
    assert form2.widgets["notes"].toPlainText() == "2024-05-02 已通知"
    assert form2.widgets["status"].currentData() == "in_progress"


def _stacked_dock(qtbot, store):
    from PySide6.QtGui import QUndoStack

    stack = QUndoStack()
    dock = LedgerDock(store, undo_stack=stack)
    qtbot.addWidget(dock)
    return dock, stack


def test_ledger_status_change_is_undoable(qtbot, store):
    p = store.add(Problem(description="井盖缺失", responsible_body="管委会"))
    dock, stack = _stacked_dock(qtbot, store)
    dock.table.selectRow(0)
    combo = dock.set_status_combo
    combo.activated.emit(combo.findData("done"))  # what a user's pick in the combo does
    assert store.get("problem", p.uuid).status == "done"
    assert dock.model.data(dock.model.index(0, 6)) == "已完成"
    assert combo.currentIndex() == 0  # back to "Set status…"
    assert stack.count() == 1 and stack.command(0).saves_immediately
    stack.undo()
    assert store.get("problem", p.uuid).status == "open"
    assert dock.model.data(dock.model.index(0, 6)) == "未整改"
    stack.redo()
    assert store.get("problem", p.uuid).status == "done"


def test_ledger_raising_and_import_are_undoable(qtbot, store, tmp_path):
    store.add(Observation(pipe_id="P1", distance_m=1, code="PL", grade=4))
    p = store.add(Problem(description="雨污混接", responsible_body="企业A"))
    dock, stack = _stacked_dock(qtbot, store)
    assert len(dock.raise_from_records().added) == 1
    assert dock.model.rowCount() == 2
    stack.undo()
    assert dock.model.rowCount() == 1
    stack.redo()
    assert dock.model.rowCount() == 2
    path = dock.export_to(tmp_path / "l.xlsx")
    wb = load_workbook(path)
    sheet = wb[ledger.LEDGER_SHEET]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value == "雨污混接")
    sheet.cell(row, 3).value = "封堵"
    wb.save(path)
    dock.apply_import(dock.plan_import(path))
    assert store.get("problem", p.uuid).measure == "封堵"
    stack.undo()
    assert store.get("problem", p.uuid).measure == ""
    stack.redo()
    assert store.get("problem", p.uuid).measure == "封堵"


def test_a_failing_undo_is_shown_and_dropped_from_the_stack(qtbot, monkeypatch):
    from PySide6.QtGui import QUndoStack

    import gisapp.qt.undo as undo

    shown = []
    monkeypatch.setattr(undo, "handle_error", lambda _w, exc: shown.append(exc))

    class Refused:
        label = "Edit"

        def do(self):
            pass

        def undo(self):
            raise RuntimeError("the record moved on")

    stack = QUndoStack()
    wrapper = undo.push_applied(stack, Refused())
    stack.undo()
    assert [str(e) for e in shown] == ["the record moved on"]  # shown, not swallowed
    assert wrapper.failure is shown[0]
    assert stack.count() == 0  # obsolete: no undo or redo offered that cannot work
