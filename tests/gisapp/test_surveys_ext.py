"""The surveys extension in the main window, on a copy of the demo park."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from gisapp.cartography import symbology
from gisapp.qt.surveys_ext import (
    CONDITION_LAYER,
    DEFECTS_LAYER,
    FUNCTIONAL,
    GRADE_COLORS,
    from_node_at_start,
)
from surveys import ledger
from surveys.records import Observation

EXT = "gisapp.qt.surveys_ext"


@pytest.fixture
def window(make_window, project_copy):
    return make_window(("gisapp.qt.surveys_ext", "gisapp.qt.overlap_ext"), project_copy)


@pytest.fixture
def ctl(window):
    return window.extensions[EXT]


def pipe_geometry(window, pid):
    pipes = window.project.layers["pipes"]
    return pipes.geometry[pipes["pipe_id"] == pid].iloc[0]


def reversed_pipe(window) -> str:
    """A pipe digitised from its to_node (the defect must be placed from the other end)."""
    pipes = window.project.layers["pipes"]
    fwd = from_node_at_start(pipes, window.project.layers["manholes"])
    lengths = pipes["length_m"].to_numpy(float)
    i = int(np.flatnonzero(~fwd & (lengths > 40))[0])
    return str(pipes["pipe_id"].iloc[i])


def click_map(qtbot, canvas, x, y):
    px, py = canvas.to_pixel(x, y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))


def test_surveys_ext_observation_picked_on_map_saved_and_reopened(
    qtbot, window, ctl, project_copy
):
    assert ctl.store is not None and ctl.store.path == project_copy
    ctl.action("new_observation_action").trigger()
    form = ctl.forms["observation"]
    assert ctl.form_dock.isVisible() and form.isVisible()
    QApplication.processEvents()  # let the dock take its room before computing pixels
    pid = reversed_pipe(window)
    window.canvas.zoom_to_features("pipes", [pid])
    qtbot.mouseClick(form.pick_pipe_button, Qt.MouseButton.LeftButton)
    assert ctl.picking == "pipe"
    mid = shapely.line_interpolate_point(pipe_geometry(window, pid), 0.5, normalized=True)
    with qtbot.waitSignal(ctl.pick_finished, timeout=5000) as blocker:
        click_map(qtbot, window.canvas, mid.x + 0.3, mid.y + 0.3)
    assert blocker.args == ["pipe", pid]
    assert ctl.picking == ""
    assert form.widgets["pipe_id"].text() == pid
    assert window.canvas.highlighted_ids("pipes", "survey") == {pid}

    form.widgets["distance_m"].setText("12.5")
    combo = form.widgets["code"]
    combo.setCurrentIndex(combo.findData("PL"))
    form.widgets["grade"].setValue(4)
    with qtbot.waitSignal(form.record_saved, timeout=5000):
        qtbot.keyClick(form.widgets["distance_m"], Qt.Key.Key_Return)  # Enter saves
    assert ctl.store.count("observation") == 1
    assert window.undo_stack.count() == 1
    rows = ctl.records_dock.model.records
    assert [(r.pipe_id, r.code, r.grade) for r in rows] == [(pid, "PL", 4)]

    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)
    assert ctl.forms == {}  # forms of the old store are gone
    rd = ctl.records_dock
    assert rd.isVisible()
    assert ctl.ledger_dock.toggleViewAction().isChecked()  # the other tab
    (rec,) = rd.model.records
    assert (rec.pipe_id, rec.code, rec.grade, rec.distance_m) == (pid, "PL", 4, 12.5)
    rd.select_uuid(rec.uuid)  # selecting the row zooms the map to the pipe
    assert window.canvas.highlighted_ids("pipes", "survey") == {pid}
    x0, y0, x1, y1 = window.canvas.view.extent
    bx0, by0, bx1, by1 = pipe_geometry(window, pid).bounds
    assert x0 <= bx0 and y0 <= by0 and x1 >= bx1 and y1 >= by1
    assert (x1 - x0) < 10 * max(bx1 - bx0, by1 - by0, 10)


def test_surveys_ext_pick_location_and_escape_cancels(qtbot, window, ctl):
    ctl.action("new_misconnection_action").trigger()
    form = ctl.forms["misconnection"]
    qtbot.mouseClick(form.pick_location_button, Qt.MouseButton.LeftButton)
    assert ctl.picking == "location"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert ctl.picking == ""
    qtbot.mouseClick(form.pick_location_button, Qt.MouseButton.LeftButton)
    x, y = window.canvas.view.center_x, window.canvas.view.center_y
    with qtbot.waitSignal(ctl.pick_finished, timeout=5000):
        click_map(qtbot, window.canvas, x, y)
    assert float(form.widgets["x"].text()) == pytest.approx(x, abs=window.canvas.view.scale)
    assert window.canvas.layer_by_name("_survey_marker") is None  # marker layer not left behind
    assert window.canvas.highlighted_ids("_survey_marker", "survey") == {"1"}


def test_surveys_ext_grade_iv_defect_raised_in_ledger_dock(qtbot, window, ctl):
    store = ctl.store
    store.add(Observation(pipe_id="WS-0001", distance_m=5.0, code="PL", grade=4))
    store.add(Observation(pipe_id="WS-0002", distance_m=5.0, code="PL", grade=1))
    ctl.action("raise_records_action").trigger()
    dock = ctl.ledger_dock
    assert dock.isVisible()
    (p,) = dock.model.problems
    assert p.source == "defect" and p.feature_ids == ["WS-0001"] and "Ⅳ" in p.description
    assert "1 problem(s) added" in window.statusBar().currentMessage()
    dock.table.selectRow(0)  # the problem's pipe on the map
    assert window.canvas.highlighted_ids("pipes", "survey") == {"WS-0001"}
    ctl.raise_from_records()  # raising again adds nothing
    assert len(dock.model.problems) == 1


def test_surveys_ext_raises_network_check_findings(qtbot, window, ctl):
    if not window.network_ctl.is_current:
        with qtbot.waitSignal(window.network_updated, timeout=60000):
            pass
    checks = window.network_ctl.state.checks
    wanted = {f"issue:{i.id}" for i in checks if i.severity in ("error", "warning")}
    assert wanted
    res = ctl.raise_from_network_checks()
    assert {p.source_ref for p in res.added} == wanted
    assert len(ctl.ledger_dock.model.problems) == len(wanted)
    assert {p.source for p in ctl.ledger_dock.model.problems} == {"network_check"}


def test_surveys_ext_condition_map_colours_and_places_defects(qtbot, window, ctl):
    pid = reversed_pipe(window)
    ctl.set_condition_map(True)
    names = [lay.name for lay in window.canvas.layers]
    assert names.index(CONDITION_LAYER) == names.index("pipes") + 1
    assert names.index(DEFECTS_LAYER) == names.index("pipes") + 2
    assert len(window.canvas.layer_by_name(CONDITION_LAYER).data) == 0

    form = ctl.open_form("observation", pipe_id=pid)
    form.widgets["distance_m"].setText("10")
    form.widgets["code"].setCurrentIndex(form.widgets["code"].findData("PL"))
    form.widgets["grade"].setValue(4)
    assert form.save() is not None
    cond = window.canvas.layer_by_name(CONDITION_LAYER)
    assert list(cond.data["pipe_id"]) == [pid]
    assert cond.data["structural_grade"].iloc[0] == "IV"
    code = symbology.classify(cond.style, cond.data)[0]
    assert cond.style.classes[code].symbol.color == GRADE_COLORS["IV"]  # red

    defects = window.canvas.layer_by_name(DEFECTS_LAYER).data
    (pt,) = defects.geometry
    assert defects["symbol"].iloc[0] == "structural:IV"
    line = pipe_geometry(window, pid)
    assert line.distance(pt) < 1e-6
    from_node = window.project.layers["pipes"].set_index("pipe_id").loc[pid, "from_node"]
    mh = window.project.layers["manholes"]
    node = mh.geometry[mh["node_id"] == from_node].iloc[0]
    # 10 m from the from_node, which is the END of this pipe's geometry
    assert line.project(pt) == pytest.approx(line.length - 10.0, abs=0.01)
    assert node.distance(pt) == pytest.approx(10.0, abs=0.5)

    ctl.set_condition_field(FUNCTIONAL)
    cond = window.canvas.layer_by_name(CONDITION_LAYER)
    assert cond.style.field == FUNCTIONAL
    code = symbology.classify(cond.style, cond.data)[0]
    assert cond.style.classes[code].symbol.color == GRADE_COLORS["I"]  # no functional defect

    window.undo_stack.undo()  # the condition map follows undo
    assert len(window.canvas.layer_by_name(CONDITION_LAYER).data) == 0
    assert len(window.canvas.layer_by_name(DEFECTS_LAYER).data) == 0
    ctl.set_condition_map(False)
    assert window.canvas.layer_by_name(CONDITION_LAYER) is None


def test_surveys_ext_imports_table_with_mapping_and_lists_bad_rows(qtbot, window, ctl, tmp_path):
    csv = tmp_path / "cctv.csv"
    csv.write_text(
        "序号,管段,距离（m）,代码,等级\n1,WS-0001,3.5,PL,3\n2,WS-0001,-2,PL,2\n3,WS-0002,7,CJ,2\n",
        encoding="utf-8",
    )
    seen = {}

    def ask(dlg):
        seen["guessed_pipe"] = dlg.combos["pipe_id"].currentData()
        dlg.combos["code"].setCurrentIndex(dlg.combos["code"].findData("代码"))
        seen["ok"] = dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()
        return True

    def report(dlg):
        seen["rows"] = dlg.rows_table.rowCount()
        seen["reason"] = dlg.rows_table.item(0, 4).text()
        seen["row"] = dlg.rows_table.item(0, 0).text()

    res = ctl.import_table(csv, ask=ask, report=report)
    assert seen["guessed_pipe"] == "管段" and seen["ok"]
    assert len(res.imported) == 2 and len(res.rejected) == 1
    assert seen["rows"] == 1 and seen["row"] == "3" and "negative" in seen["reason"]
    assert len(ctl.records_dock.model.records) == 2


def test_surveys_ext_ledger_excel_round_trip_and_report(qtbot, window, ctl, tmp_path):
    store = ctl.store
    store.add(Observation(pipe_id="WS-0001", distance_m=5.0, code="PL", grade=4))
    ctl.raise_from_records()
    path = ctl.export_ledger(tmp_path / "ledger.xlsx")
    wb = load_workbook(path)
    wb[ledger.LEDGER_SHEET]["C3"] = "开挖更换管段"
    wb.save(path)
    shown = {}

    def confirm(dlg):
        shown["text"] = dlg.details_edit.toPlainText()
        return True

    res = ctl.import_ledger(path, confirm=confirm)
    assert "开挖更换管段" in shown["text"] and len(res.updated) == 1
    assert ctl.ledger_dock.model.problems[0].measure == "开挖更换管段"

    for name in ("report.xlsx", "report.pdf"):
        out = ctl.write_grade_report(tmp_path / name)
        assert out.stat().st_size > 1000


def test_surveys_ext_closed_dock_stays_closed_in_next_project(qtbot, window, ctl, project_copy):
    ctl.ledger_dock.close()
    old_store = ctl.store
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)
    assert ctl.store is not old_store
    assert not ctl.ledger_dock.toggleViewAction().isChecked()
    assert ctl.records_dock.toggleViewAction().isChecked()
    ctl.action("show_ledger_action").trigger()
    assert ctl.ledger_dock.isVisible()
