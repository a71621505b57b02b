"""The window keeps its shape: default proportions, tabbed docks, tables that fill their
width, and a restart that brings back the layout, the window size and the layer choices."""

from __future__ import annotations

import colorsys
import itertools

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QApplication, QDockWidget, QHeaderView

from gisapp.cartography import symbology
from gisapp.qt.canvas_overlays import MEASURE_COLOR, OVERLAP_COLOR, PROFILE_PATH_COLOR
from gisapp.qt.condition_map import GRADE_COLORS
from gisapp.qt.main_window import lonlat_text


def dock(w, name) -> QDockWidget:
    d = w.findChild(QDockWidget, name)
    assert d is not None, name
    return d


def test_default_layout_gives_the_map_most_of_the_window(make_window):
    w = make_window(size=(1400, 900), wait_network=True)
    QApplication.processEvents()
    # the map: at least 60 % of the width and of the height (it had 600×480 px before)
    assert w.canvas.width() >= 0.6 * 1400, w.canvas.size()
    assert w.canvas.height() >= 0.6 * 900, w.canvas.size()
    # the right-hand docks share one column as tabs instead of squeezing each other
    checks = dock(w, "checks_dock")
    assert w.dockWidgetArea(checks) == Qt.DockWidgetArea.RightDockWidgetArea
    dock(w, "trace_dock").show()
    dock(w, "identify_dock").show()
    QApplication.processEvents()
    tabbed = {d.objectName() for d in w.tabifiedDockWidgets(checks)}
    assert {"trace_dock", "identify_dock"} <= tabbed
    # records and ledger: tabbed under the map; the ledger table shows at least five rows
    ledger, records = dock(w, "ledger_dock"), dock(w, "records_dock")
    assert w.dockWidgetArea(ledger) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert records in w.tabifiedDockWidgets(ledger)
    ledger.raise_()
    QApplication.processEvents()
    table = ledger.table
    rows = table.viewport().height() / table.verticalHeader().defaultSectionSize()
    assert rows >= 5, rows
    # its text columns stretch: the table has no empty band at the right
    hh = table.horizontalHeader()
    assert hh.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    assert hh.length() >= table.viewport().width() - 1


def test_default_view_holds_the_town_plant_outside_the_park(make_window):
    w = make_window(size=(1400, 900))
    x0, y0, x1, y1 = w.canvas.view.extent
    plants = w.project.layers["plants"]
    assert {"P01", "P02"} <= set(plants["plant_id"])
    for g in plants.geometry:
        assert x0 < g.x < x1 and y0 < g.y < y1, (g.x, g.y)


def test_a_restart_restores_window_docks_styles_and_labels(qtbot, make_window, project_copy):
    w = make_window(project=project_copy, size=(1300, 860))
    checks = dock(w, "checks_dock")
    w.resizeDocks([checks], [430], Qt.Orientation.Horizontal)
    dock(w, "layers_dock").hide()
    panel = w.layer_panel
    # the user's choices in the layer panel: pipes graduated by diameter in 3 classes,
    # labelled by their id; the zones hidden
    panel.select_layer("pipes")
    panel.style_combo.setCurrentIndex(panel.style_combo.findData(symbology.GRADUATED))
    panel.field_combo.setCurrentIndex(panel.field_combo.findData("diameter_mm"))
    panel.classes_spin.setValue(3)  # applies the graduated style
    panel.label_combo.setCurrentIndex(panel.label_combo.findData("pipe_id"))
    panel.label_combo.activated.emit(panel.label_combo.currentIndex())
    zones = panel.layer_item("zones")
    zones.setCheckState(0, Qt.CheckState.Unchecked)
    QApplication.processEvents()
    assert w.canvas.layer("pipes").style.kind == symbology.GRADUATED
    width = checks.width()
    w.close()

    w2 = make_window(project=project_copy)  # same settings file: a restart
    QApplication.processEvents()
    assert (w2.width(), w2.height()) == (1300, 860)
    assert abs(dock(w2, "checks_dock").width() - width) <= 8
    assert dock(w2, "layers_dock").isHidden()
    pipes = w2.canvas.layer("pipes")
    assert pipes.style.kind == symbology.GRADUATED and pipes.style.field == "diameter_mm"
    assert len(pipes.style.classes) == 3
    assert pipes.label_field == "pipe_id"
    assert not w2.canvas.layer("zones").visible
    assert w2.canvas.layer("boundary").visible


def test_graduated_on_a_text_field_leaves_the_field_box_usable(make_window):
    w = make_window()
    panel = w.layer_panel
    panel.select_layer("pipes")
    panel.field_combo.setCurrentIndex(panel.field_combo.findData("编号"))  # text ids
    i = panel.style_combo.findData(symbology.GRADUATED)
    panel.style_combo.setCurrentIndex(i)
    panel.style_combo.activated.emit(i)
    assert panel.message_label.text()  # "field 编号 has no numbers…"
    assert panel.field_combo.isEnabled() and panel.classes_spin.isEnabled()
    j = panel.field_combo.findData("diameter_mm")
    panel.field_combo.setCurrentIndex(j)
    panel.field_combo.activated.emit(j)
    style = w.canvas.layer("pipes").style
    assert style.kind == symbology.GRADUATED and style.field == "diameter_mm"


def test_picking_a_pipe_for_a_form_does_not_trace(qtbot, make_window, project_copy):
    w = make_window(project=project_copy, size=(1400, 900), wait_network=True)
    trace = w.extensions["gisapp.qt.trace_panel"]
    surveys = w.extensions["gisapp.qt.surveys_ext"]
    trace.trace_action.trigger()  # the trace tool is the active map tool
    form = surveys.open_form("observation")
    QApplication.processEvents()
    pipes = w.project.layers["pipes"]
    pid = str(pipes["pipe_id"].iloc[10])
    mid = pipes.geometry.iloc[10].interpolate(0.5, normalized=True)
    w.canvas.zoom_to_features("pipes", [pid])
    QApplication.processEvents()
    view = w.canvas.view
    surveys.start_pick("pipe", form)
    px, py = w.canvas.to_pixel(mid.x, mid.y)
    with qtbot.waitSignal(surveys.pick_finished, timeout=5000) as picked:
        qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))
    assert picked.args == ["pipe", pid]
    assert form.widgets["pipe_id"].text() == pid
    qtbot.wait(300)
    assert trace.result is None  # no trace ran
    assert w.canvas.view == view  # and the map did not jump
    # the next click is the trace tool's again
    qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))
    qtbot.waitUntil(lambda: trace.result is not None, timeout=10000)


def _hue(hex_colour: str) -> float:
    c = QColor(hex_colour)
    return colorsys.rgb_to_hsv(c.redF(), c.greenF(), c.blueF())[0] * 360


def test_orange_means_grade_three_only():
    # orange: hues 15°-50°. Grade III keeps it; the profile path, the parts inside protected
    # areas and the measure line each have their own colour
    assert 15 <= _hue(GRADE_COLORS["III"]) <= 50
    others = {"profile": PROFILE_PATH_COLOR, "overlap": OVERLAP_COLOR, "measure": MEASURE_COLOR}
    for name, colour in others.items():
        assert not 15 <= _hue(colour) <= 50, (name, colour)
    hues = sorted(_hue(c) for c in others.values())
    assert min(b - a for a, b in itertools.pairwise(hues)) >= 40  # told apart


def test_measurement_is_shown_on_the_map(qtbot, make_window):
    w = make_window(size=(1400, 900))
    inspect = w.extensions["gisapp.qt.inspect_tools"]
    inspect.measure_distance_action.trigger()
    x0, y0, x1, y1 = w.canvas.view.extent
    a = ((x0 + x1) / 2, (y0 + y1) / 2)
    b = (a[0] + 60.0, a[1] + 80.0)  # 60-80-100: a hundred metres away
    for x, y in (a, b):
        px, py = w.canvas.to_pixel(x, y)
        qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))
    box = inspect.measure_box
    assert box.isVisible() and box.parent() is w.canvas
    # clicks land on whole pixels: the distance is 100 m give or take a pixel's size
    value = inspect.measure_value
    assert value == pytest.approx(100.0, abs=2 * w.canvas.pixels_to_map_units(1.0))
    assert f"{value:,.2f}" in box.text()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not box.isVisible()


def test_longitudes_west_of_greenwich_read_west():
    assert lonlat_text(-83.9, 36.8) == "83.900000°W  36.800000°N"
    assert lonlat_text(114.05, 22.5) == "114.050000°E  22.500000°N"
    assert lonlat_text(-58.38, -34.6) == "58.380000°W  34.600000°S"


def test_reset_window_layout_brings_the_default_back(make_window):
    w = make_window(size=(1400, 900))
    layers = dock(w, "layers_dock")
    layers.hide()
    checks = dock(w, "checks_dock")
    checks.setFloating(True)
    w.findChild(QAction, "reset_layout_action").trigger()
    QApplication.processEvents()
    assert not layers.isHidden() and not checks.isFloating()
    assert w.dockWidgetArea(checks) == Qt.DockWidgetArea.RightDockWidgetArea
    assert w.canvas.width() >= 0.6 * 1400 and w.canvas.height() >= 0.6 * 900
