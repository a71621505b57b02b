"""Survey forms and the records dock: fill, validate, save, reopen the project."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QUndoStack
from synthetic_surveys import make_pipes_gpkg

from gisapp.qt.records_dock import RecordsDock
from gisapp.qt.survey_forms import RecordForm
from surveys.records import Inspection, Observation
from surveys.store import SurveyStore

TODAY = dt.date.today()


@pytest.fixture
def project(tmp_path):
    return make_pipes_gpkg(tmp_path / "park.gpkg", 3)


@pytest.fixture
def store(project):
    s = SurveyStore(project, author="alice")
    yield s
    s.close()


def pick_code(form, code):
    combo = form.findChild(type(form.widgets["code"]), "code_combo")
    combo.setCurrentIndex(combo.findData(code))


def test_observation_form_validates_on_fields_and_saves(qtbot, store, project):
    stack = QUndoStack()
    form = RecordForm(store, "observation", undo_stack=stack)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.widgets["pipe_id"], "P1")
    qtbot.keyClicks(form.widgets["distance_m"], "-2")
    pick_code(form, "FS")
    form.widgets["grade"].setValue(4)
    assert "FS" in form.grade_hint_label.text() or "腐蚀" in form.grade_hint_label.text()
    assert form.save() is None
    assert form.error_labels["distance_m"].isVisible()
    assert "negative" in form.error_labels["distance_m"].text()
    assert "FS has grades 1–3" in form.error_labels["grade"].text()
    assert form.widgets["grade"].toolTip() == form.error_labels["grade"].text()
    assert store.count("observation") == 0

    form.widgets["distance_m"].setText("55")
    assert form.save() is None
    assert "beyond the length of pipe P1" in form.error_labels["distance_m"].text()

    form.widgets["distance_m"].setText("2.5")
    form.widgets["grade"].setValue(3)
    form.widgets["clock_from"].setValue(2)
    form.widgets["clock_to"].setValue(10)
    with qtbot.waitSignal(form.record_saved) as blocker:
        saved = form.save()
    assert blocker.args[0] == "observation" and saved is not None
    assert not form.error_labels["distance_m"].isVisible()
    assert stack.count() == 1
    store.close()

    reopened = SurveyStore(project)
    rec = reopened.records("observation")[0]
    assert (rec.pipe_id, rec.distance_m, rec.code, rec.grade, rec.clock_text()) == (
        "P1",
        2.5,
        "FS",
        3,
        "0210",
    )
    assert rec.author == "alice"
    assert reopened.grades_frame().loc["P1", "n"] == 1
    reopened.close()


def test_enter_saves_and_starts_next_observation_on_same_pipe(qtbot, store):
    insp = store.add(Inspection(date="2024-05-01"))
    form = RecordForm(store, "observation")
    qtbot.addWidget(form)
    form.show()
    form.widgets["inspection_id"].setCurrentIndex(
        form.widgets["inspection_id"].findData(insp.uuid)
    )
    qtbot.keyClicks(form.widgets["pipe_id"], "P2")
    for dist, code, grade in (("1.5", "PL", 2), ("7", "CK", 1), ("12", "CJ", 3)):
        form.widgets["distance_m"].setFocus()
        qtbot.keyClicks(form.widgets["distance_m"], dist)
        pick_code(form, code)
        form.widgets["grade"].setValue(grade)
        with qtbot.waitSignal(form.record_saved):
            qtbot.keyClick(form.widgets["distance_m"], Qt.Key.Key_Return)
        assert form.widgets["pipe_id"].text() == "P2"
        assert form.widgets["distance_m"].text() == ""
        assert form.widgets["code"].currentData() == ""
    recs = store.records("observation")
    assert [(r.pipe_id, r.distance_m, r.code, r.inspection_id) for r in recs] == [
        ("P2", 1.5, "PL", insp.uuid),
        ("P2", 7.0, "CK", insp.uuid),
        ("P2", 12.0, "CJ", insp.uuid),
    ]


def test_future_date_shown_on_field(qtbot, store):
    form = RecordForm(store, "inspection")
    qtbot.addWidget(form)
    form.widgets["date"].setDate(QDate.currentDate().addDays(3))
    assert form.save() is None
    assert "in the future" in form.error_labels["date"].text()
    form.widgets["date"].setDate(QDate.currentDate())
    form.widgets["method"].setCurrentIndex(form.widgets["method"].findData("qv"))
    form.widgets["contractor"].setText("某检测公司")  # keyClicks is ASCII only
    assert form.save().method == "qv"


def test_edit_form_refuses_stale_edit_with_message(qtbot, store):
    rec = store.add(Observation(pipe_id="P1", distance_m=1, code="PL", grade=1))
    form = RecordForm(store, "observation")
    qtbot.addWidget(form)
    form.load_record(rec)
    other = SurveyStore(store.path, author="bob")
    other.update(
        other.get("observation", rec.uuid).__class__(
            **{**other.get("observation", rec.uuid).__dict__, "remarks": "bob was here"}
        )
    )
    form.widgets["grade"].setValue(2)
    assert form.save() is None
    assert "changed by bob" in form.form_error_label.text()
    assert store.get("observation", rec.uuid).grade == 1
    other.close()


def test_pick_signals_and_answers(qtbot, store):
    form = RecordForm(store, "misconnection")
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.pick_location_requested):
        qtbot.mouseClick(form.pick_location_button, Qt.MouseButton.LeftButton)
    form.set_location(500010.5, 3300020.25)
    form.set_pipe("P1")
    form.set_pipe("P2")
    rec = form.current_record()
    assert (rec.x, rec.y, rec.pipe_ids) == (500010.5, 3300020.25, ["P1", "P2"])
    obs_form = RecordForm(store, "observation")
    qtbot.addWidget(obs_form)
    with qtbot.waitSignal(obs_form.pick_pipe_requested):
        qtbot.mouseClick(obs_form.pick_pipe_button, Qt.MouseButton.LeftButton)
    obs_form.set_pipe("P3")
    assert obs_form.widgets["pipe_id"].text() == "P3"


def test_photos_attached_with_thumbnail_and_errors(qtbot, store, tmp_path):
    from PIL import Image

    img = tmp_path / "a.png"
    Image.new("RGB", (300, 200), "green").save(img)
    bad = tmp_path / "b.jpg"
    bad.write_text("x")
    form = RecordForm(store, "leak")
    qtbot.addWidget(form)
    form.show()
    errors = form.attach_photos([img, bad])
    assert len(errors) == 1 and "not an image" in errors[0]
    assert form.error_labels["photos"].isVisible()
    assert form.widgets["photos"].count() == 1
    assert not form.widgets["photos"].item(0).icon().isNull()


def test_records_dock_filters_and_signals(qtbot, store):
    insp = store.add(Inspection(date="2024-05-01"))
    store.add(Observation(inspection_id=insp.uuid, pipe_id="P1", distance_m=1, code="PL", grade=3))
    store.add(Observation(pipe_id="P2", distance_m=1, code="CK", grade=1))
    store.add(Observation(start_node="X1", end_node="X2", distance_m=1, code="CK", grade=4))
    stack = QUndoStack()
    dock = RecordsDock(store, undo_stack=stack)
    qtbot.addWidget(dock)
    assert dock.model.rowCount() == 3
    dock.code_filter_combo.setCurrentIndex(dock.code_filter_combo.findData("CK"))
    assert dock.model.rowCount() == 2
    dock.grade_filter_combo.setCurrentIndex(dock.grade_filter_combo.findData("3+"))
    assert dock.model.rowCount() == 1
    dock.code_filter_combo.setCurrentIndex(0)
    dock.grade_filter_combo.setCurrentIndex(0)
    dock.inspection_filter_combo.setCurrentIndex(dock.inspection_filter_combo.findData(insp.uuid))
    assert dock.model.rowCount() == 1
    dock.inspection_filter_combo.setCurrentIndex(0)
    dock.date_from_edit.setText("2024-04-01")
    dock.refresh()
    assert dock.model.rowCount() == 1
    dock.date_from_edit.setText("")
    dock.status_filter_combo.setCurrentIndex(dock.status_filter_combo.findData("pending"))
    assert dock.model.rowCount() == 1
    dock.status_filter_combo.setCurrentIndex(0)
    with qtbot.waitSignal(dock.record_selected) as blocker:
        dock.table.selectRow(1)
    assert blocker.args == ["P2"]
    dock.delete_selected()
    assert dock.model.rowCount() == 2 and store.count("observation") == 2
    stack.undo()
    assert dock.model.rowCount() == 3
    store.add(Observation(pipe_id="P3", distance_m=1, code="PL", grade=1))
    assert dock.model.rowCount() == 4  # refreshed by the store event
