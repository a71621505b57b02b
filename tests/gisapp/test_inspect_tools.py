"""Identify, select, search and measure on the demo park."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from gisapp.qt.inspect_tools import MapToolHub, features_at, format_value
from gisapp.qt.map_canvas import CanvasMode

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.profile_dock")


@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1400, 900))


@pytest.fixture
def ctl(window):
    return window.extensions["gisapp.qt.inspect_tools"]


def point_of(window, kind, col, fid):
    data = window.canvas.layer(kind).data
    g = data.loc[data[col] == fid].geometry.iloc[0]
    return g.x, g.y


def pixel(window, x, y) -> QPoint:
    canvas = window.canvas
    px, py = canvas.to_pixel(x, y)
    if not (0 <= px < canvas.width() and 0 <= py < canvas.height()):
        canvas.set_center(x, y)
        px, py = canvas.to_pixel(x, y)
    return QPoint(round(px), round(py))


def test_format_value_shows_numbers_plainly():
    assert format_value(600.0) == "600"
    assert format_value(40.55) == "40.55"
    assert format_value(float("nan")) == ""
    assert format_value(None) == ""
    assert format_value("钢筋混凝土") == "钢筋混凝土"


def test_tools_are_exclusive_and_set_the_canvas_mode(window, ctl):
    assert ctl.pan_action.isChecked()
    ctl.identify_action.trigger()
    assert ctl.identify_action.isChecked() and not ctl.pan_action.isChecked()
    assert window.canvas.mode == CanvasMode.IDENTIFY
    ctl.select_action.trigger()
    assert window.canvas.mode == CanvasMode.SELECT and not ctl.identify_action.isChecked()
    trace = window.findChild(QAction, "trace_action")
    trace.trigger()
    assert not ctl.select_action.isChecked()
    window.canvas.set_mode(CanvasMode.EDIT)  # another module's tool takes the canvas
    assert MapToolHub.of(window).active_tool() is None
    window.canvas.set_mode(CanvasMode.PAN)
    assert ctl.pan_action.isChecked()
    assert window.findChild(QAction, "attribute_table_action") in window.map_toolbar.actions()


def test_identify_lists_chinese_attributes_of_all_features_there(qtbot, window, ctl):
    ctl.identify_action.trigger()
    x, y = point_of(window, "manholes", "node_id", "WJ-0012")
    window.canvas.zoom_to_extent(x - 100, y - 100, x + 100, y + 100)
    with qtbot.waitSignal(ctl.identified, timeout=2000) as blocker:
        qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=pixel(window, x, y))
    found = blocker.args[0]
    assert ("manholes", "WJ-0012") in found
    assert {name for name, _ in found} >= {"manholes", "pipes"}  # pipes end at the manhole
    values = ctl.identify_dock.field_values()
    mh = values["manholes:WJ-0012"]
    assert mh["编号"] == "WJ-0012"  # Chinese source field names as they are
    assert mh["地面高程"] == format_value(
        window.canvas.layer("manholes").data.set_index("node_id").loc["WJ-0012", "地面高程"]
    )
    assert "ground_m" in mh and "node_id" in mh  # canonical columns too
    assert "geometry" not in mh
    assert ctl.identify_dock.isVisible()
    pipe_key = next(k for k in values if k.startswith("pipes:"))
    assert values[pipe_key]["材质"]  # e.g. 钢筋混凝土


def test_identify_on_empty_map_says_so(window, ctl):
    ctl.identify_action.trigger()
    *_, x1, y1 = window.canvas.full_extent()
    assert ctl.identify(x1 + 10_000, y1 + 10_000) == []
    assert ctl.identify_dock.tree.topLevelItemCount() == 0


def test_select_by_click_and_shift_adds(qtbot, window, ctl):
    ctl.select_action.trigger()
    canvas = window.canvas
    e1 = point_of(window, "enterprises", "ent_id", "E01")
    e2 = point_of(window, "enterprises", "ent_id", "E02")
    canvas.zoom_to_extent(
        min(e1[0], e2[0]) - 200,
        min(e1[1], e2[1]) - 200,
        max(e1[0], e2[0]) + 200,
        max(e1[1], e2[1]) + 200,
    )
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pixel(window, *e1))
    assert canvas.highlighted_ids("enterprises", group="selection") == {"E01"}
    qtbot.mouseClick(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pixel(window, *e2)
    )
    assert canvas.highlighted_ids("enterprises", group="selection") == {"E01", "E02"}
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pixel(window, *e2))
    assert canvas.highlighted_ids("enterprises", group="selection") == {"E02"}


def test_select_by_rectangle_and_escape_clears(qtbot, window, ctl):
    ctl.select_action.trigger()
    canvas = window.canvas
    x, y = point_of(window, "manholes", "node_id", "WJ-0012")
    canvas.zoom_to_extent(x - 300, y - 300, x + 300, y + 300)
    a, b = pixel(window, x - 30, y + 30), pixel(window, x + 30, y - 30)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, QPoint(a.x() + 10, a.y() + 10))
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)
    manholes = window.canvas.layer("manholes").data
    (ax, ay), (bx, by) = canvas.to_map(a.x(), a.y()), canvas.to_map(b.x(), b.y())
    inside = manholes.cx[ax:bx, by:ay]["node_id"]
    sel = canvas.highlighted_ids("manholes", group="selection")
    assert "WJ-0012" in sel
    assert sel == set(inside)
    assert canvas.highlighted_ids("pipes", group="selection")  # pipes touching the box
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.highlighted_ids("manholes", group="selection") == frozenset()
    assert MapToolHub.of(window).selection() == {}


def test_search_e01_zooms_flashes_and_selects(qtbot, window, ctl):
    canvas = window.canvas
    canvas.zoom_to_full_extent()
    before = canvas.view.scale
    ctl.search_edit.setText("e01")
    with qtbot.waitSignal(ctl.search_finished, timeout=2000) as blocker:
        qtbot.keyClick(ctl.search_edit, Qt.Key.Key_Return)
    assert blocker.args == ["enterprises", ["E01"]]
    x, y = point_of(window, "enterprises", "ent_id", "E01")
    assert abs(canvas.view.center_x - x) < 1 and abs(canvas.view.center_y - y) < 1
    assert canvas.view.scale < before / 10
    assert canvas.is_flashing()
    assert canvas.highlighted_ids("enterprises", group="selection") == {"E01"}


@pytest.mark.parametrize(
    ("text", "layer", "ids"),
    [
        ("WS-0001", "pipes", ["WS-0001"]),
        ("wj-0012", "manholes", ["WJ-0012"]),
        ("PK07", "outfalls", ["PK07"]),
        ("P01", "plants", ["P01"]),
        ("三湘化工", "enterprises", ["E01"]),
    ],
)
def test_search_finds_ids_and_name_parts(window, ctl, text, layer, ids):
    assert ctl.search(text) == (layer, ids)
    assert window.canvas.highlighted_ids(layer, group="selection") == set(ids)


def test_search_unknown_reports_nothing_found(window, ctl):
    assert ctl.search("no-such-thing") is None
    assert "Nothing found" in window.statusBar().currentMessage()


def test_measure_distance_by_clicks(qtbot, window, ctl):
    ctl.measure_distance_action.trigger()
    canvas = window.canvas
    x0, y0 = point_of(window, "manholes", "node_id", "WJ-0012")
    canvas.zoom_to_extent(x0 - 50, y0 - 400, x0 + 550, y0 + 200)
    p0, p1 = pixel(window, x0, y0), pixel(window, x0 + 300, y0 - 400)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(canvas, p1)
    assert len(canvas.rubber_band()) == 2  # the floating end follows the cursor
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=p1)
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=p1)
    (ax, ay), (bx, by) = canvas.to_map(p0.x(), p0.y()), canvas.to_map(p1.x(), p1.y())
    expected = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    assert ctl.measure_value == pytest.approx(expected, rel=1e-9)
    assert ctl.measure_value == pytest.approx(500.0, abs=2 * canvas.view.scale)
    assert f"{expected:,.2f} m" in window.statusBar().currentMessage()
    assert "finished" in window.statusBar().currentMessage()
    qtbot.mouseMove(canvas, p0)
    assert len(canvas.rubber_band()) == 2  # finished: no more floating point


def test_measure_area_of_a_square_and_escape_ends(qtbot, window, ctl):
    ctl.measure_area_action.trigger()
    canvas = window.canvas
    for x, y in [(0, 0), (100, 0), (100, 100), (0, 100)]:
        canvas.clicked.emit(37_626_000.0 + x, 3_165_000.0 + y, Qt.KeyboardModifier.NoModifier)
    canvas.double_clicked.emit(37_626_000.0, 3_165_100.0)
    assert ctl.measure_value == pytest.approx(10_000.0)
    assert "10,000.0 m²" in ctl.measure_text
    assert "perimeter 400.00 m" in ctl.measure_text
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.rubber_band() is None


def test_features_at_orders_nearest_first(window):
    layer = window.canvas.layer("manholes")
    x, y = point_of(window, "manholes", "node_id", "WJ-0012")
    pos = features_at(layer, x + 1, y, 1000)
    assert layer.data.iloc[pos[0]]["node_id"] == "WJ-0012"
    assert len(pos) > 5


def test_attribute_table_menu_opens_a_table_per_layer(window, ctl):
    ctl._fill_table_menu()
    titles = [a.text() for a in ctl.table_menu.actions()]
    assert any(t.startswith("管线") for t in titles) or len(titles) == 7
    ctl.table_menu.actions()[0].trigger()
    assert len(ctl.tables) == 1
    dock = next(iter(ctl.tables.values()))
    assert dock.isVisible()
