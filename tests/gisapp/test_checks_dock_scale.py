"""The checks dock at the scale of real data: groups first, rows fetched on demand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shapely.geometry import LineString

from gisapp.qt.findings_view import FETCH_CHUNK, GROUP_ROLE, ISSUE_ROLE
from network.checks import run_checks
from network.graph import build_network
from network.issues import Issue

EXTS = ("gisapp.qt.checks_dock",)
KINDS = (
    ("dangling_end", "connectivity", "warning", "pipes"),
    ("dead_end_sink", "direction", "error", "manholes"),
    ("isolated_subnetwork", "connectivity", "warning", "pipes"),
    ("against_slope", "direction", "warning", "pipes"),
    ("misconnection", "semantics", "error", "pipes"),
)


@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1400, 900), wait_network=True, language="zh_CN")


def _dock(window):
    return window.extensions["gisapp.qt.checks_dock"]


def _synthetic(n: int, x0: float, y0: float) -> list[Issue]:
    """``n`` findings of five kinds spread over 2 km × 2 km from (x0, y0); few misconnections."""
    out = []
    for k in range(n):
        kind, cat, sev, layer = KINDS[k % 4] if k % 1000 else KINDS[4]
        x, y = x0 + (k * 37 % 2000), y0 + (k * 91 % 2000)
        out.append(Issue.make(cat, kind, sev, [f"F{k}"], layer, (x, y), f"问题 {k}", f"item {k}"))
    return out


def _widgets(dock) -> int:
    return len(dock.findChildren(QWidget))


def test_dock_with_100k_findings_shows_groups_and_fetches_rows_on_demand(window):
    dock = _dock(window)
    base = _widgets(dock)
    x0, y0, _x1, _y1 = window.canvas.full_extent()
    issues = _synthetic(100_000, x0, y0)
    dock.tree.collapseAll()  # (the demo's few findings open every group)
    dock.set_issues(issues)
    model = dock.model
    want = {}
    for i in issues:
        want[i.kind] = want.get(i.kind, 0) + 1
    groups = dock.groups()
    assert {g.kind: g.count for g in groups} == want
    assert model.rowCount() == len(want) == 5
    assert groups[0].kind == "misconnection"  # the few that matter first
    top = model.index(0, 0)
    assert top.data().startswith("雨污混接") and "100" in top.data()
    assert top.data(GROUP_ROLE).count == 100
    assert "100,000" in dock.summary_label.text()
    # nothing per finding: no child row exists until a group is opened, no widget per finding
    assert all(model.rowCount(model.index(r, 0)) == 0 for r in range(model.rowCount()))
    assert _widgets(dock) == base
    sinks = model.index(model.group_row("dead_end_sink"), 0)
    dock.tree.expand(sinks)
    assert FETCH_CHUNK <= model.rowCount(sinks) <= 5 * FETCH_CHUNK  # enough to fill the view
    assert model.index(3, 0, sinks).data(ISSUE_ROLE).kind == "dead_end_sink"
    # a finding deep in a group: rows are fetched up to it, not beyond the next chunk
    deep = dock.item_for("against_slope", "F74999")
    assert deep.data(ISSUE_ROLE).feature_ids == ("F74999",)
    assert model.rowCount(deep.parent()) < deep.row() + 1 + 2 * FETCH_CHUNK
    assert sum(model.fetched) < 25_000
    assert _widgets(dock) == base
    # selecting a group draws its density on the map
    dock.tree.setCurrentIndex(sinks)
    assert dock.density.isVisible()
    cells = dock.density.cells
    assert len(cells) > 0 and cells[:, 4].sum() <= want["dead_end_sink"]
    assert "只进不出" in dock.detail_label.text()
    dock.tree.setCurrentIndex(deep)
    assert not dock.density.isVisible()
    window.canvas.clear_highlight()


def _undirected_network(n: int):
    """``n`` short pipes scattered without ids, manholes or a direction field."""
    rng = np.random.default_rng(7)
    x, y, a = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n), rng.uniform(0, 6.28, n)
    lines = [
        LineString([(x[k], y[k]), (x[k] + 20 * np.cos(a[k]), y[k] + 20 * np.sin(a[k]))])
        for k in range(n)
    ]
    pipes = gpd.GeoDataFrame(
        {"pipe_id": [f"P{k}" for k in range(n)], "system": "sewage"},
        geometry=lines,
        crs="EPSG:4525",
    )
    return build_network({"pipes": pipes})


def test_dock_explains_a_class_by_its_one_cause_on_an_undirected_network(window):
    dock = _dock(window)
    net = _undirected_network(10_000)
    issues = run_checks(net)
    assert len(issues) >= 20_000
    dock._network = net
    dock.tree.collapseAll()
    dock.set_issues(issues)
    groups = {g.kind: g for g in dock.groups()}
    assert sum(g.count for g in groups.values()) == len(issues)
    sinks = groups["dead_end_sink"]
    assert sinks.cause == "no_direction"
    row = dock.model.group_row("dead_end_sink")
    text = dock.model.index(row, 0).data()
    assert text.startswith(f"只进不出的节点 ({sinks.count:,})") and "未记录流向" in text
    tip = dock.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "数字化方向" in tip
    assert "未记录流向" in dock.summary_label.text()
    assert sum(dock.model.fetched) == 0
    dock._network = window.network_ctl.state.network
