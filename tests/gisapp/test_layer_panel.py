import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from shapely.geometry import LineString, Point

from gisapp.cartography import symbology
from gisapp.qt.layer_panel import LayerPanel, legend_icon
from gisapp.qt.map_canvas import MapCanvas
from gisapp.qt.map_layer import layers_from_project


def project():
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2"],
            "system": ["sewage", "rain"],
            "diameter_mm": [800.0, 300.0],
            "材质": ["PE", "砼"],
        },
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 20), (100, 20)])],
    )
    enterprises = gpd.GeoDataFrame(
        {
            "ent_id": ["E1", "E2"],
            "name": ["甲厂", "乙厂"],
            "flow_tpd": [10.0, 300.0],
            "connection_status": ["connected", "not_connected"],
        },
        geometry=[Point(20, 60), Point(50, 60)],
    )
    return {"pipes": pipes, "enterprises": enterprises}


@pytest.fixture
def panel(qtbot):
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(300, 200)
    canvas.show()
    qtbot.waitExposed(canvas)
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        canvas.set_layers(layers_from_project(project()))
    p = LayerPanel(canvas)
    qtbot.addWidget(p)
    yield p
    canvas.shutdown()


def rgb_at(canvas, x, y):
    px, py = canvas.to_pixel(x, y)
    c = canvas.grab().toImage().pixelColor(int(px), int(py))
    return c.red(), c.green(), c.blue()


def test_layer_panel_lists_layers_top_first_with_legend(panel):
    tree = panel.layer_tree
    assert [
        tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
        for i in range(tree.topLevelItemCount())
    ] == ["enterprises", "pipes"]
    assert panel.legend_labels("enterprises") == ["已接管", "未接管"]
    pipes_legend = panel.legend_labels("pipes")
    assert "污水" in pipes_legend and "雨水" in pipes_legend and "流向" in pipes_legend
    assert not tree.topLevelItem(0).child(0).icon(0).isNull()


def test_layer_panel_unchecking_hides_layer_in_render(panel, qtbot):
    canvas = panel._canvas
    assert rgb_at(canvas, 50, 60)[0] > 200 and rgb_at(canvas, 50, 60)[1] < 80  # red
    item = panel.layer_item("enterprises")
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not canvas.layer("enterprises").visible
    assert rgb_at(canvas, 50, 60) == (255, 255, 255)
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        item.setCheckState(0, Qt.CheckState.Checked)
    assert rgb_at(canvas, 50, 60)[0] > 200


def test_layer_panel_down_button_changes_order(panel, qtbot):
    canvas = panel._canvas
    panel.select_layer("enterprises")
    qtbot.mouseClick(panel.down_button, Qt.MouseButton.LeftButton)
    assert [lay.name for lay in canvas.layers] == ["enterprises", "pipes"]
    qtbot.waitUntil(
        lambda: panel.layer_tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole) == "pipes"
    )
    assert panel.current_layer_name() == "enterprises"


def test_layer_panel_graduated_style_from_controls(panel, qtbot):
    canvas = panel._canvas
    panel.select_layer("enterprises")
    panel.field_combo.setCurrentIndex(panel.field_combo.findData("flow_tpd"))
    panel.style_combo.setCurrentIndex(panel.style_combo.findData(symbology.GRADUATED))
    panel.classes_spin.setValue(2)
    panel._apply_style()
    style = canvas.layer("enterprises").style
    assert style.kind == symbology.GRADUATED and style.field == "flow_tpd"
    assert len(style.classes) == 2
    qtbot.waitUntil(lambda: len(panel.legend_labels("enterprises")) == 2)


def test_layer_panel_categorized_on_chinese_field(panel, qtbot):
    panel.select_layer("pipes")
    panel.field_combo.setCurrentIndex(panel.field_combo.findData("材质"))
    panel.style_combo.setCurrentIndex(panel.style_combo.findData(symbology.CATEGORIZED))
    panel._apply_style()
    qtbot.waitUntil(lambda: panel.legend_labels("pipes")[:2] == ["PE", "砼"])


def test_layer_panel_graduated_on_text_field_explains(panel):
    panel.select_layer("enterprises")
    panel.field_combo.setCurrentIndex(panel.field_combo.findData("name"))
    panel.style_combo.setCurrentIndex(panel.style_combo.findData(symbology.GRADUATED))
    panel._apply_style()
    assert "name" in panel.message_label.text()
    assert panel._canvas.layer("enterprises").style.kind == symbology.CATEGORIZED


def test_layer_panel_opacity_and_labels(panel):
    canvas = panel._canvas
    panel.select_layer("enterprises")
    panel.opacity_slider.setValue(40)
    assert canvas.layer("enterprises").opacity == pytest.approx(0.4)
    panel.label_combo.setCurrentIndex(panel.label_combo.findData("name"))
    panel._on_label_combo_activated(panel.label_combo.currentIndex())
    assert canvas.layer("enterprises").label_field == "name"


def test_legend_icon_paints_every_geometry(qapp):
    for entry in (
        symbology.legend_entries(symbology.default_style("zones"), "polygon")
        + symbology.legend_entries(symbology.default_style("outfalls"), "point")
        + symbology.legend_entries(symbology.default_style("pipes"), "line")
    ):
        assert not legend_icon(entry).toImage().isNull()
