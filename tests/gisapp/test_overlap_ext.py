"""The protected-area extension in the main window, on a copy of the demo park."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from shapely import LineString, Point, box

from gisapp.qt.canvas_overlays import OVERLAP_COLOR
from gisapp.qt.overlap_ext import split_by_kind


@pytest.fixture
def window(make_window, project_copy):
    return make_window(("gisapp.qt.surveys_ext", "gisapp.qt.overlap_ext"), project_copy)


def run_check(qtbot, ctl):
    with qtbot.waitSignal(ctl.dock.check_finished, timeout=60000) as blocker:
        ctl.dock.run_check()
    return blocker.args[0]


def test_split_by_kind_sorts_parts():
    parts = split_by_kind(
        [
            LineString([(0, 0), (1, 0)]),
            box(0, 0, 1, 1),
            Point(0, 0),
            None,
            Point(1, 1).buffer(0.1).boundary,
        ]
    )
    assert [len(parts[k]) for k in ("line", "polygon", "point")] == [2, 1, 1]


def test_overlap_ext_finds_demo_conflicts_and_draws_the_overlapping_part(
    qtbot, window, project_copy
):
    ctl = window.extensions["gisapp.qt.overlap_ext"]
    assert not ctl.dock.isVisible()
    window.findChild(QAction, "overlap_check_action").trigger()
    assert ctl.dock.isVisible()
    assert window.dockWidgetArea(ctl.dock) == Qt.DockWidgetArea.RightDockWidgetArea
    result = run_check(qtbot, ctl)
    rows = result.rows
    assert len(rows) == 3
    found = {(r.feature_type, r.feature_id, r.zone_id, r.severity) for r in rows.itertuples()}
    assert found == {
        ("pipes", "WS-0333", "HX-01", "conflict"),
        ("boundary", "益泉精细化工产业园", "HX-01", "conflict"),
        ("outfalls", "PK10", "SY-01", "conflict"),
    }
    i = int((rows["feature_id"] == "WS-0333").to_numpy().nonzero()[0][0])
    assert rows["overlap_length_m"].iloc[i] == pytest.approx(56.23, abs=0.01)

    ctl.dock.select_row(i)
    layer = ctl.part_layer("line")
    assert layer is not None and window.canvas.layers[-1] is layer  # on top
    assert layer.data.geometry.length.sum() == pytest.approx(56.23, abs=0.01)
    assert layer.style.default.color == OVERLAP_COLOR and layer.style.default.width >= 5
    x0, y0, x1, y1 = window.canvas.view.extent
    px0, py0, px1, py1 = layer.data.total_bounds
    assert x0 <= px0 and y0 <= py0 and x1 >= px1 and y1 >= py1
    assert x1 - x0 < 1000  # zoomed in on the pipe, not the whole park

    j = int((rows["feature_type"] == "outfalls").to_numpy().nonzero()[0][0])
    ctl.dock.select_row(j)
    assert ctl.part_layer("line") is None
    assert ctl.part_layer("point") is not None
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert ctl.part_layer("point") is None


def test_overlap_ext_raise_refreshes_ledger_dock(qtbot, window):
    ctl = window.extensions["gisapp.qt.overlap_ext"]
    surveys = window.extensions["gisapp.qt.surveys_ext"]
    ctl.show_dock()
    run_check(qtbot, ctl)
    assert ctl.dock.ledger_button.isEnabled()
    qtbot.mouseClick(ctl.dock.ledger_button, Qt.MouseButton.LeftButton)
    assert "3" in ctl.dock.status_label.text(), ctl.dock.status_label.text()
    problems = surveys.ledger_dock.model.problems
    assert len(problems) == 3
    assert {p.source for p in problems} == {"protected_area"}
    assert surveys.ledger_dock.isVisible()


def test_overlap_ext_new_project_resets_dock(qtbot, window, project_copy):
    ctl = window.extensions["gisapp.qt.overlap_ext"]
    run_check(qtbot, ctl)
    ctl.dock.select_row(0)
    with qtbot.waitSignal(window.project_opened, timeout=30000):
        window.open_project(project_copy)
    assert ctl.dock.result is None
    assert all(ctl.part_layer(k) is None for k in ("line", "polygon", "point"))


def test_overlap_ext_raised_conflicts_are_one_undo_step(qtbot, window):
    ctl = window.extensions["gisapp.qt.overlap_ext"]
    surveys = window.extensions["gisapp.qt.surveys_ext"]
    ctl.show_dock()
    run_check(qtbot, ctl)
    qtbot.mouseClick(ctl.dock.ledger_button, Qt.MouseButton.LeftButton)
    store = surveys.store
    raised = [p for p in store.records("problem") if p.source == "protected_area"]
    assert len(raised) == 3
    assert window.undo_stack.canUndo()
    assert not window.isWindowModified()  # written to the project at once: nothing unsaved

    window.undo_stack.undo()
    assert [p for p in store.records("problem") if p.source == "protected_area"] == []
    gone = store.records("problem", include_deleted=True)
    assert {p.uuid for p in raised} <= {p.uuid for p in gone if p.deleted}  # soft-deleted
    assert len(surveys.ledger_dock.model.problems) == 0

    window.undo_stack.redo()
    back = [p for p in store.records("problem") if p.source == "protected_area"]
    assert {p.uuid for p in back} == {p.uuid for p in raised}  # the same problems again
    assert len(surveys.ledger_dock.model.problems) == 3
