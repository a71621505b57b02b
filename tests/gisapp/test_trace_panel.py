"""The Trace tool on the demo park: click → highlight and result lists, rows ↔ map, Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTreeWidget

from network.trace import trace_common_upstream, trace_downstream, trace_upstream

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.profile_dock")


@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1400, 900), wait_network=True)


@pytest.fixture
def ctl(window):
    c = window.extensions["gisapp.qt.trace_panel"]
    c.trace_action.setChecked(True)
    return c


def net_of(window):
    return window.network_ctl.state.network


def point_of(window, kind, fid):
    layer = window.canvas.layer(kind)
    col = {
        "enterprises": "ent_id",
        "outfalls": "outfall_id",
        "plants": "plant_id",
        "manholes": "node_id",
    }[kind]
    g = layer.data.loc[layer.data[col] == fid].geometry.iloc[0]
    return g.x, g.y


def click_feature(qtbot, window, kind, fid, modifier=Qt.KeyboardModifier.NoModifier):
    canvas = window.canvas
    x, y = point_of(window, kind, fid)
    px, py = canvas.to_pixel(x, y)
    if not (0 <= px < canvas.width() and 0 <= py < canvas.height()):
        canvas.set_center(x, y)
        px, py = canvas.to_pixel(x, y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, modifier, QPoint(round(px), round(py)))


def tree_ids(tree: QTreeWidget, column: int = 0) -> list[str]:
    return [tree.topLevelItem(i).text(column) for i in range(tree.topLevelItemCount())]


def test_trace_click_enterprise_highlights_downstream_pipes(qtbot, window, ctl):
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000) as blocker:
        click_feature(qtbot, window, "enterprises", "E01")
    expected = trace_downstream(net_of(window), "E01")
    assert blocker.args[0].start == "E01"
    assert window.canvas.highlighted_ids("pipes", group="trace") == set(expected.pipes)
    assert window.canvas.highlighted_ids("manholes", group="trace") == set(expected.nodes)
    assert window.canvas.highlighted_ids("enterprises", group="trace_start") == {"E01"}
    dock = ctl.dock
    assert dock.isVisible()
    assert tree_ids(dock.pipes_tree) == list(expected.pipes)
    assert tree_ids(dock.sinks_tree, 1) == ["P01"]
    assert "P01" in dock.summary_label.text()
    assert f"{expected.length_m:,.1f}" in dock.summary_label.text()
    assert dock.profile_button.isEnabled()


def test_trace_click_outfall_lists_its_enterprises(qtbot, window, ctl):
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000):
        click_feature(qtbot, window, "outfalls", "PK07")
    assert ctl.result.direction == "upstream"
    assert tree_ids(ctl.dock.enterprises_tree) == ["E03", "E04", "E05"]  # answer key F01
    names = tree_ids(ctl.dock.enterprises_tree, 1)
    assert all(names)  # Chinese names listed
    flows = tree_ids(ctl.dock.enterprises_tree, 2)
    assert flows[0] == "285"
    expected = trace_upstream(net_of(window), "PK07")
    assert window.canvas.highlighted_ids("pipes", group="trace") == set(expected.pipes)
    assert window.canvas.highlighted_ids("enterprises", group="trace") == {"E03", "E04", "E05"}


def test_trace_dirty_area_says_result_not_trustworthy(qtbot, window, ctl):
    ctl.trace_upstream("PK07")
    assert ctl.result.warnings  # the checks flag this area
    assert ctl.dock.warning_label.isVisible()
    assert "not trustworthy" in ctl.dock.warning_label.text()
    assert ctl.dock.warnings_tree.topLevelItemCount() == len(ctl.result.warnings)


def test_trace_shift_click_gives_common_upstream(qtbot, window, ctl):
    net = net_of(window)
    click_feature(qtbot, window, "plants", "P01")
    assert ctl.result.direction == "upstream"
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000):
        click_feature(qtbot, window, "manholes", "WJ-0024", Qt.KeyboardModifier.ShiftModifier)
    expected = trace_common_upstream(net, ["plant:P01", "node:WJ-0024"])
    assert ctl.result.direction == "common_upstream"
    assert expected.enterprises  # E01 drains through WJ-0024 to P01
    assert tree_ids(ctl.dock.enterprises_tree) == list(expected.enterprises)
    assert window.canvas.highlighted_ids("pipes", group="trace") == set(expected.pipes)


def test_trace_two_outfalls_with_nothing_in_common(qtbot, window, ctl):
    click_feature(qtbot, window, "outfalls", "PK07")
    click_feature(qtbot, window, "outfalls", "PK05", Qt.KeyboardModifier.ControlModifier)
    expected = trace_common_upstream(net_of(window), ["PK07", "PK05"])
    assert ctl.result.direction == "common_upstream"
    assert ctl.result.enterprises == expected.enterprises == ()
    assert "No enterprise drains to all of them" in ctl.dock.summary_label.text()
    # Ctrl-click again removes PK05: back to PK07 alone
    click_feature(qtbot, window, "outfalls", "PK05", Qt.KeyboardModifier.ControlModifier)
    assert ctl.result.direction == "upstream"
    assert ctl.result.enterprises == ("E03", "E04", "E05")


def test_trace_click_row_zooms_and_flashes(qtbot, window, ctl):
    ctl.trace_upstream("PK07")
    canvas = window.canvas
    canvas.zoom_to_full_extent()
    before = canvas.view.scale
    tree = ctl.dock.enterprises_tree
    ctl.dock.tabs.setCurrentWidget(tree)
    item = tree.topLevelItem(1)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    x, y = point_of(window, "enterprises", item.text(0))
    x0, y0, x1, y1 = canvas.view.extent
    assert x0 < x < x1 and y0 < y < y1
    assert canvas.view.scale < before / 5  # zoomed in on it
    assert canvas.is_flashing()


def test_trace_pipe_row_zooms_to_the_pipe(qtbot, window, ctl):
    ctl.trace_downstream("E01")
    canvas = window.canvas
    canvas.zoom_to_full_extent()
    tree = ctl.dock.pipes_tree
    ctl.dock.tabs.setCurrentWidget(tree)
    item = tree.topLevelItem(3)
    tree.setCurrentItem(item)  # keyboard navigation does the same
    pipes = canvas.layer("pipes").data
    g = pipes.loc[pipes["pipe_id"] == item.text(0)].geometry.iloc[0]
    x0, y0, x1, y1 = canvas.view.extent
    gx0, gy0, gx1, gy1 = g.bounds
    assert x0 <= gx0 and y0 <= gy0 and gx1 <= x1 and gy1 <= y1
    assert (x1 - x0) < 10 * max(gx1 - gx0, gy1 - gy0, 1.0)


def test_trace_escape_clears_results(qtbot, window, ctl):
    ctl.trace_downstream("E01")
    assert window.canvas.highlighted_ids("pipes", group="trace")
    window.activateWindow()
    qtbot.waitActive(window)
    window.canvas.setFocus()
    with qtbot.waitSignal(ctl.cleared, timeout=2000):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.canvas.highlighted_ids("pipes", group="trace") == frozenset()
    assert window.canvas.highlighted_ids("enterprises", group="trace_start") == frozenset()
    assert ctl.result is None
    assert ctl.dock.pipes_tree.topLevelItemCount() == 0


def test_trace_click_on_nothing_says_so(qtbot, window, ctl):
    canvas = window.canvas
    *_, x1, y1 = window.project.layers["zones"].total_bounds
    canvas.zoom_to_extent(x1 + 5000, y1 + 5000, x1 + 6000, y1 + 6000)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    assert ctl.result is None
    assert "Nothing to trace" in window.statusBar().currentMessage()


def test_trace_waits_for_the_network(qtbot, make_window):
    w = make_window(EXTS, size=(1400, 900))  # waits for project_opened only
    ctl = w.extensions["gisapp.qt.trace_panel"]
    if w.network_ctl.state is None:
        ctl.trace_downstream("E01")
        assert ctl.result is None
        with qtbot.waitSignal(ctl.trace_finished, timeout=60000):
            pass
    else:  # pragma: no cover - the build won the race
        ctl.trace_downstream("E01")
    assert ctl.result.plants == ("P01",)


def test_trace_follows_edits(qtbot, window, ctl):
    ctl.trace_downstream("E01")
    first = ctl.result
    pipes = window.project.layers["pipes"]
    cut = first.pipes[-1]
    with qtbot.waitSignal(ctl.trace_finished, timeout=60000):
        window.update_layer("pipes", pipes[pipes["pipe_id"] != cut].reset_index(drop=True))
    window.setWindowModified(False)  # pytest-qt closes the window before fixture teardown
    assert cut not in ctl.result.pipes
    assert window.canvas.highlighted_ids("pipes", group="trace") == set(ctl.result.pipes)


def test_trace_profile_button_draws_the_path(qtbot, window, ctl):
    ctl.trace_downstream("E01")
    qtbot.mouseClick(ctl.dock.profile_button, Qt.MouseButton.LeftButton)
    prof = window.extensions["gisapp.qt.profile_dock"]
    assert prof.dock.isVisible()
    first_path = ctl.result.sinks[0]["paths"][0]
    assert prof.dock.drawn["manholes"][0] == "WJ-0012"
    assert prof.dock.drawn["manholes"][-1] == first_path["nodes"][-1]


def test_trace_runs_off_the_gui_thread_on_big_networks(qtbot, window, ctl, monkeypatch):
    import gisapp.qt.trace_panel as tp

    monkeypatch.setattr(tp, "BIG_NETWORK_EDGES", 0)
    with qtbot.waitSignal(ctl.trace_finished, timeout=30000):
        ctl.trace_upstream("PK07")
        assert ctl.result is None  # not done synchronously
    assert ctl.result.enterprises == ("E03", "E04", "E05")
    assert window.canvas.highlighted_ids("enterprises", group="trace") == {"E03", "E04", "E05"}


def test_a_failed_big_trace_does_not_block_later_traces(qtbot, window, ctl, monkeypatch):
    import gisapp.qt.errors as errors
    import gisapp.qt.trace_panel as tp

    monkeypatch.setattr(tp, "BIG_NETWORK_EDGES", 0)
    shown = []
    monkeypatch.setattr(errors, "show_bug", lambda _parent, exc: shown.append(exc))
    real = tp.run_trace

    def broken(*_args):
        raise RuntimeError("trace exploded")

    monkeypatch.setattr(tp, "run_trace", broken)
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        ctl.trace_upstream("PK07")
    assert [str(e) for e in shown] == ["trace exploded"]  # shown by the window, once
    assert ctl.result is None
    monkeypatch.setattr(tp, "run_trace", real)
    with qtbot.waitSignal(ctl.trace_finished, timeout=30000):  # before the fix: waited forever
        ctl.trace_upstream("PK07")
    assert ctl.result.enterprises == ("E03", "E04", "E05")


def test_a_cancelled_big_trace_does_not_block_later_traces(qtbot, window, ctl, monkeypatch):
    import gisapp.qt.trace_panel as tp
    from gisapp.qt.workers import Cancelled

    monkeypatch.setattr(tp, "BIG_NETWORK_EDGES", 0)

    def cancelled(*_args):
        raise Cancelled  # what the worker raises when Cancel was pressed

    real = tp.run_trace
    monkeypatch.setattr(tp, "run_trace", cancelled)
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        ctl.trace_downstream("E01")
    monkeypatch.setattr(tp, "run_trace", real)
    with qtbot.waitSignal(ctl.trace_finished, timeout=30000):
        ctl.trace_downstream("E01")
    assert ctl.result.start == "E01"


def test_trace_highlight_is_drawn_from_the_traced_rows(qtbot, window, ctl):
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000) as blocker:
        ctl.trace_downstream("E01")
    result = blocker.args[0]
    net = net_of(window)
    rows = sorted(set(net.piece_row[net.edge_piece[list(result.edges)]].tolist()))
    layer = window.canvas.layer("pipes")
    assert window.canvas.highlighted_ids("pipes", group="trace") == set(result.pipes)
    assert set(layer.feature_ids()[rows].tolist()) == set(result.pipes)
    ov = window.canvas._overlays[("trace", "pipes")]
    assert len(ov.segs) == len(layer.prepared_geometry().subset(rows).segs)
