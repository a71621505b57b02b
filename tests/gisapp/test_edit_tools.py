"""Draw and edit on the demo park: snapping, undo/redo through the window's stack, save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from gisapp.qt.undo import QtCommand, WindowStore, push
from network import schema as S
from network.commands import AddManhole, DeleteFeatures, EditError
from network.io.project import open_project

EDIT_EXTENSIONS = ("gisapp.qt.edit_tools", "gisapp.qt.checks_dock")


@pytest.fixture
def window(make_window, project_copy):
    return make_window(EDIT_EXTENSIONS, project_copy, wait_network=True)


def _edit(window):
    return window.extensions["gisapp.qt.edit_tools"]


def _xy(window, node_id):
    mh = window.project.layers["manholes"]
    pt = mh.loc[mh["node_id"] == node_id].geometry.iloc[0]
    return float(pt.x), float(pt.y)


def _click(qtbot, canvas, x, y, dx=0, dy=0):
    px, py = canvas.to_pixel(x, y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px) + dx, round(py) + dy))


def _edges(state, a, b):
    g = state.network.graph
    return {d["pipe_id"] for _u, v, d in g.out_edges(a, data=True) if v == b}


def test_draw_pipe_snaps_and_undo_redo(qtbot, window):
    ctl = _edit(window)
    canvas = window.canvas
    a, b = _xy(window, "WJ-0004"), _xy(window, "WJ-0028")
    canvas.zoom_to_extent(a[0] - 80, a[1] - 80, a[0] + 80, a[1] + 120)
    ctl.draw_pipe_action.trigger()
    assert canvas.mode == "draw"
    n_before = len(window.project.layers["pipes"])
    _click(qtbot, canvas, *a, dx=3, dy=-2)  # near, not on, the manholes
    assert ctl.vertices == [a]  # snapped exactly
    _click(qtbot, canvas, *b, dx=-2, dy=3)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        qtbot.keyClick(canvas, Qt.Key.Key_Return)
    pipes = window.project.layers["pipes"]
    assert len(pipes) == n_before + 1
    new = pipes.iloc[-1]
    pid = new["pipe_id"]
    assert pid == "WS-0724" and new["system"] == "sewage"
    assert (new["from_node"], new["to_node"]) == ("WJ-0004", "WJ-0028")
    assert list(new.geometry.coords) == [a, b]
    assert new["length_m"] == pytest.approx(53.6, abs=0.01)
    assert new["编号"] == pid  # mirrored into the source's own columns
    assert _edges(window.network_ctl.state, "WJ-0004", "WJ-0028") == {pid}
    assert window.isWindowModified()
    assert canvas.rubber_band() is None

    with qtbot.waitSignal(window.network_updated, timeout=60000):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.project.layers["pipes"]) == n_before
    assert not _edges(window.network_ctl.state, "WJ-0004", "WJ-0028")
    assert not window.isWindowModified()  # back to the clean state

    with qtbot.waitSignal(window.network_updated, timeout=60000):
        _redo(qtbot, window)
    assert _edges(window.network_ctl.state, "WJ-0004", "WJ-0028") == {pid}
    assert window.isWindowModified()


def _redo(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_y_redoes(qtbot, window):
    redo = window.findChild(QAction, "redo_action")
    assert [k.toString() for k in redo.shortcuts()] == ["Ctrl+Y", "Ctrl+Shift+Z"]
    push(window, AddManhole(WindowStore(window), 0.0, 0.0, node_id="WJ-Y"))
    window.undo_stack.undo()
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert "WJ-Y" in set(window.project.layers["manholes"]["node_id"])


def test_double_click_ends_and_escape_cancels(qtbot, window):
    ctl = _edit(window)
    a = _xy(window, "WJ-0004")
    window.canvas.zoom_to_extent(a[0] - 80, a[1] - 80, a[0] + 80, a[1] + 80)
    ctl.draw_pipe_action.trigger()
    ctl.add_vertex(a[0] + 10, a[1] + 30)
    assert len(window.canvas.rubber_band()) == 1
    ctl.hub.escape_pressed.emit()
    assert ctl.vertices == [] and window.canvas.rubber_band() is None
    # a free end gets a new manhole when asked; double-click ends
    ctl.new_manholes_action.setChecked(True)
    n_mh = len(window.project.layers["manholes"])
    ctl.add_vertex(*a)
    ctl.add_vertex(a[0] + 20, a[1] - 40)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.canvas.double_clicked.emit(a[0] + 20, a[1] - 40)
    mh = window.project.layers["manholes"]
    assert len(mh) == n_mh + 1
    new_node = mh["node_id"].iloc[-1]
    assert window.project.layers["pipes"]["to_node"].iloc[-1] == new_node
    assert window.undo_stack.count() == 1  # one step for the manhole and the pipe
    window.undo_stack.undo()
    assert len(window.project.layers["manholes"]) == n_mh


def test_move_manhole_drags_pipe_ends(qtbot, window):
    ctl = _edit(window)
    a = _xy(window, "WJ-0004")
    canvas = window.canvas
    canvas.zoom_to_extent(a[0] - 40, a[1] - 40, a[0] + 40, a[1] + 40)
    ctl.move_vertex_action.trigger()
    assert canvas.mode == "edit"
    px, py = canvas.to_pixel(*a)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))
    canvas.mouse_dragged.emit(a[0] + 5, a[1] + 5)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        canvas.mouse_released.emit(a[0] + 5.0, a[1] + 5.0)
    assert _xy(window, "WJ-0004") == (a[0] + 5.0, a[1] + 5.0)
    pipes = window.project.layers["pipes"]
    ends = [g.coords[0] for g in pipes.geometry] + [g.coords[-1] for g in pipes.geometry]
    assert (a[0] + 5.0, a[1] + 5.0) in ends and a not in ends
    window.undo_stack.undo()
    assert _xy(window, "WJ-0004") == a


def test_selection_actions_reverse_split_delete(qtbot, window):
    ctl = _edit(window)
    hub = ctl.hub
    assert not ctl.reverse_action.isEnabled()
    hub.set_selection("pipes", ["WS-0001"])
    assert ctl.reverse_action.isEnabled() and ctl.delete_action.isEnabled()
    before = window.project.layers["pipes"].set_index("pipe_id").loc["WS-0001"]
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        ctl.reverse_action.trigger()
    after = window.project.layers["pipes"].set_index("pipe_id").loc["WS-0001"]
    assert (after["from_node"], after["to_node"]) == (before["to_node"], before["from_node"])
    assert after["起点编号"] == before["终点编号"]
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        ctl.delete_action.trigger()
    assert "WS-0001" not in set(window.project.layers["pipes"]["pipe_id"])
    assert window.undo_stack.count() == 2
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.undo_stack.isClean()


def test_split_selected_manhole(qtbot, window):
    ctl = _edit(window)
    pipes = window.project.layers["pipes"]
    row = pipes.loc[pipes["pipe_id"] == "WS-0001"].iloc[0]
    line = row.geometry
    mid = line.interpolate(0.5, normalized=True)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        push(window, AddManhole(WindowStore(window), mid.x, mid.y, node_id="WJ-9001"))
    ctl.hub.set_selection("manholes", ["WJ-9001"])
    assert ctl.split_action.isEnabled()
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        assert ctl.split_selected()
    p = window.project.layers["pipes"]
    a = p.loc[p["pipe_id"] == "WS-0001"].iloc[0]
    b = p.iloc[-1]
    assert a["to_node"] == "WJ-9001" and b["from_node"] == "WJ-9001"
    assert b["to_node"] == row["to_node"]
    g = window.network_ctl.state.network.graph
    assert g.has_node("WJ-9001") and g.degree("WJ-9001") == 2


def test_feature_form_validates_and_saves(qtbot, window):
    ctl = _edit(window)
    ctl.hub.set_selection("pipes", ["WS-0002"])
    old_system = window.project.layers["pipes"].set_index("pipe_id").loc["WS-0002", "system"]
    form = ctl.edit_attributes()
    qtbot.addWidget(form)
    edit = form.findChild(type(form.widgets["diameter_mm"]), "diameter_mm_edit")
    edit.setText("abc")
    assert not form.save()
    assert form.error_labels["diameter_mm"].isVisibleTo(form)
    edit.setText("-5")
    assert not form.save()
    edit.setText("600")
    combo = form.widgets["system"]
    combo.setCurrentIndex(combo.findData("rain"))
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        assert form.save()
    row = window.project.layers["pipes"].set_index("pipe_id").loc["WS-0002"]
    assert (row["diameter_mm"], row["system"]) == (600.0, "rain")
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    row = window.project.layers["pipes"].set_index("pipe_id").loc["WS-0002"]
    assert row["system"] == old_system


def test_push_raises_and_leaves_the_stack_alone(window):
    with pytest.raises(EditError):
        push(window, DeleteFeatures(WindowStore(window), S.PIPES, ["WS-0001"], rows=[99999]))
    assert window.undo_stack.count() == 0


def test_qt_command_redo_runs_the_pure_command(window):
    cmd = AddManhole(WindowStore(window), 0.0, 0.0, node_id="WJ-X")
    window.undo_stack.push(QtCommand(cmd, parent_widget=window))  # redo() does it
    assert "WJ-X" in set(window.project.layers["manholes"]["node_id"])
    window.undo_stack.undo()
    assert "WJ-X" not in set(window.project.layers["manholes"]["node_id"])


def test_save_after_edit_and_reopen(qtbot, window, project_copy):
    ctl = _edit(window)
    a, b = _xy(window, "WJ-0004"), _xy(window, "WJ-0028")
    ctl.draw_pipe_action.trigger()
    ctl.add_vertex(*a)
    ctl.add_vertex(*b)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        assert ctl.finish_pipe()
    pid = ctl.last_pipe_id
    assert window.save()
    assert not window.isWindowModified() and window.undo_stack.isClean()
    proj = open_project(project_copy)
    pipes = proj.layers["pipes"]
    new = pipes.loc[pipes["pipe_id"] == pid].iloc[0]
    assert (new["from_node"], new["to_node"]) == ("WJ-0004", "WJ-0028")
    assert list(new.geometry.coords) == [a, b]
    # undo after saving makes the window modified again
    window.undo_stack.undo()
    assert window.isWindowModified()
