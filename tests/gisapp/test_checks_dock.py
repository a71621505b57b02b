"""The checks dock on the demo park: grouping, zoom, one-click fixes that clear their item."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gisapp.qt.checks_dock import ISSUE_ROLE, fix_for
from network.commands import DeleteFeatures, DictStore, ReversePipe, SnapEnd
from network.graph import build_network
from network.issues import Issue

EXTS = ("gisapp.qt.edit_tools", "gisapp.qt.checks_dock")


@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1500, 900), wait_network=True, language="zh_CN")


def _dock(window):
    return window.extensions["gisapp.qt.checks_dock"]


def _fix_and_wait(qtbot, window, dock, item):
    dock.tree.setCurrentIndex(item)
    assert dock.fix_button.isEnabled()
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        dock.fix_button.click()


def test_dock_groups_items_by_kind_in_chinese(window):
    dock = _dock(window)
    checks = window.network_ctl.state.checks
    model = dock.model
    tops = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any(t.startswith("端点差几厘米未接上 (") for t in tops)
    counts = {g.kind: g.count for g in dock.groups()}
    assert sum(counts.values()) == len(checks)
    assert counts["near_miss"] == sum(1 for i in checks if i.kind == "near_miss")
    item = dock.item_for("near_miss", "WS-0532")
    assert "WJ-0530" in item.data() and "检查井" in item.data()
    assert "misses manhole WJ-0530" in item.data(Qt.ItemDataRole.ToolTipRole)  # English too


def test_click_zooms_and_highlights(window):
    dock = _dock(window)
    item = dock.item_for("near_miss", "WS-0532")
    dock.tree.setCurrentIndex(item)
    dock.show_item(item)
    issue = item.data(ISSUE_ROLE)
    x0, y0, x1, y1 = window.canvas.view.extent
    assert x0 < issue.x < x1 and y0 < issue.y < y1 and (x1 - x0) < 200
    assert window.canvas.highlighted_ids("pipes", "checks") == {"WS-0532"}


def test_near_miss_fix_clears_its_item(qtbot, window):
    dock = _dock(window)
    item = dock.item_for("near_miss", "WS-0532")
    _fix_and_wait(qtbot, window, dock, item)
    assert dock.item_for("near_miss", "WS-0532") is None
    assert dock.item_for("dead_end_sink", "WS-0532") is None  # its side effect too
    g = window.network_ctl.state.network.graph
    assert any(d["pipe_id"] == "WS-0532" for _, _, d in g.in_edges("WJ-0530", data=True))
    assert window.isWindowModified()
    window.undo_stack.undo()
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        pass
    assert dock.item_for("near_miss", "WS-0532") is not None
    assert not window.isWindowModified()


def test_duplicate_and_zero_length_fixes(qtbot, window):
    dock = _dock(window)
    n_pipes = len(window.project.layers["pipes"])
    _fix_and_wait(qtbot, window, dock, dock.item_for("duplicate_pipe", "WS-0280"))
    assert dock.item_for("duplicate_pipe", "WS-0280") is None
    ids = set(window.project.layers["pipes"]["pipe_id"])
    assert "WS-0279" in ids and "WS-0280" not in ids
    _fix_and_wait(qtbot, window, dock, dock.item_for("zero_length", "YS-0564"))
    assert dock.item_for("zero_length", "YS-0564") is None
    assert len(window.project.layers["pipes"]) == n_pipes - 2
    assert window.undo_stack.count() == 2


def test_manual_items_have_no_fix_but_edit_selects(window):
    dock = _dock(window)
    item = dock.item_for("against_slope", "WS-0664")
    dock.tree.setCurrentIndex(item)
    assert not dock.fix_button.isEnabled()
    assert dock.edit_button.isEnabled()
    dock.edit_item(item)
    assert dock.hub.selected_ids("pipes") == {"WS-0664"}


def test_screenshot_of_the_window_with_the_checks_dock(qtbot, window):
    dock = _dock(window)
    item = dock.item_for("near_miss", "WS-0532")
    dock.tree.setCurrentIndex(item)
    dock.show_item(item)
    qtbot.waitUntil(lambda: not window.canvas.is_rendering(), timeout=20000)
    assert window.grab().save("/tmp/checks.png")


def test_fix_for_pure_cases(demo_project):
    from network.io.project import open_project

    proj = open_project(demo_project)
    store = DictStore(proj.layers)
    net = build_network(proj.layers, proj.settings, proj.crs)
    near = Issue(
        "i",
        "connectivity",
        "near_miss",
        "error",
        ("WS-0532",),
        "pipes",
        37627923.945,
        3165853.0,
        "",
        "",
        {"target": "WJ-0530", "target_kind": "manhole"},
    )
    fix = fix_for(near, store, net)
    assert isinstance(fix.command, SnapEnd) and fix.command.node_id == "WJ-0530"
    to_pipe = Issue(
        "i",
        "connectivity",
        "near_miss",
        "error",
        ("WS-0532",),
        "pipes",
        37627923.945,
        3165853.0,
        "",
        "",
        {"target": "WS-1", "target_kind": "pipe"},
    )
    assert fix_for(to_pipe, store, net) is None
    dup = Issue(
        "d",
        "geometry",
        "duplicate_pipe",
        "warning",
        ("WS-0279", "WS-0280"),
        "pipes",
        0,
        0,
        "",
        "",
        {"pieces": [278, 279]},
    )
    fix = fix_for(dup, store, net)
    assert isinstance(fix.command, DeleteFeatures) and list(fix.command.ids) == ["WS-0280"]
    slope = Issue(
        "s", "direction", "against_slope", "warning", ("WS-0664",), "pipes", 0, 0, "", "", {}
    )
    assert fix_for(slope, store, net) is None


def test_fix_for_reverses_the_only_digitised_pipe_into_a_sink():
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    mh = gpd.GeoDataFrame(
        {"node_id": ["A", "B", "C"]},
        geometry=[Point(0, 0), Point(10, 0), Point(20, 0)],
        crs="EPSG:4525",
    )
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2"],
            "from_node": ["A", None],
            "to_node": ["B", None],
            "system": ["sewage", "sewage"],
        },
        geometry=[LineString([(0, 0), (10, 0)]), LineString([(20, 0), (10, 0)])],
        crs="EPSG:4525",
    )
    layers = {"pipes": pipes, "manholes": mh}
    net = build_network(layers)
    sink = Issue(
        "k",
        "direction",
        "dead_end_sink",
        "error",
        ("B",),
        "manholes",
        10,
        0,
        "",
        "",
        {"node": "B", "pipes": ["P1", "P2"]},
    )
    fix = fix_for(sink, DictStore(layers), net)
    assert isinstance(fix.command, ReversePipe) and fix.command.pipe_id == "P2"
