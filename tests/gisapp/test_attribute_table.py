"""The attribute table: a fast model (filter, sort, ids) and the dock in step with the map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from shapely import points
from shapely.geometry import Point

from gisapp.qt.attribute_table import FeatureTableModel, FilterError
from gisapp.qt.inspect_tools import MapToolHub
from gisapp.qt.map_layer import MapLayer

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.profile_dock")


def tiny_layer() -> MapLayer:
    gdf = gpd.GeoDataFrame(
        {
            "编号": ["E1", "E2", "E3", "E4"],
            "企业名称": ["三湘化工", "远航化工", "湘益新材料", None],
            "ent_id": ["E1", "E2", "E3", "E4"],
            "flow_tpd": [770.0, 285.0, np.nan, 12.5],
        },
        geometry=[Point(0, 0), Point(1, 0), Point(2, 0), Point(3, 0)],
    )
    return MapLayer("enterprises", gdf)


def shown(model: FeatureTableModel, column: str) -> list[str]:
    c = model.columns.index(column)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


def test_model_shows_all_columns_but_geometry():
    m = FeatureTableModel(tiny_layer())
    assert m.columns == ["编号", "企业名称", "ent_id", "flow_tpd"]
    assert m.rowCount() == 4
    assert shown(m, "flow_tpd") == ["770", "285", "", "12.5"]
    assert m.headerData(1, Qt.Orientation.Horizontal) == "企业名称"
    assert m.data(m.index(0, 3), Qt.ItemDataRole.TextAlignmentRole) is not None


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("化工", ["E1", "E2"]),
        ("湘 化工", ["E1"]),  # every word somewhere in the row
        ("企业名称=远航化工", ["E2"]),
        ("ENT_ID = e3", ["E3"]),
        ("flow_tpd > 100", ["E1", "E2"]),
        ("flow_tpd<=12.5", ["E4"]),
        ("flow_tpd != 285", ["E1", "E4"]),
        ("企业名称~新材", ["E3"]),
        ("", ["E1", "E2", "E3", "E4"]),
    ],
)
def test_model_filter(text, ids):
    m = FeatureTableModel(tiny_layer())
    assert m.set_filter(text) == len(ids)
    assert m.ids_of_rows(range(m.rowCount())) == ids


def test_model_filter_unknown_field_raises():
    m = FeatureTableModel(tiny_layer())
    with pytest.raises(FilterError):
        m.set_filter("nosuch=1")
    assert m.rowCount() == 4


def test_model_sorts_numbers_with_missing_last_and_keeps_filter():
    m = FeatureTableModel(tiny_layer())
    c = m.columns.index("flow_tpd")
    m.sort(c, Qt.SortOrder.AscendingOrder)
    assert shown(m, "ent_id") == ["E4", "E2", "E1", "E3"]
    m.sort(c, Qt.SortOrder.DescendingOrder)
    assert shown(m, "ent_id") == ["E1", "E2", "E4", "E3"]
    m.set_filter("化工")
    assert shown(m, "ent_id") == ["E1", "E2"]
    assert m.rows_of_ids({"E2"}).tolist() == [1]
    assert m.headerData(0, Qt.Orientation.Vertical) == "1"  # the source row number


def test_model_handles_100k_rows_lazily():
    n = 100_000
    rng = np.random.default_rng(1)
    gdf = gpd.GeoDataFrame(
        {
            "pipe_id": [f"P{i:06d}" for i in range(n)],
            "diameter_mm": rng.integers(2, 12, n) * 100.0,
            "材质": rng.choice(["钢筋混凝土", "HDPE"], n),
        },
        geometry=points(rng.random((n, 2)) * 1000),
    )
    m = FeatureTableModel(MapLayer("pipes", gdf, geometry="point"))
    assert m.rowCount() == n
    assert m.data(m.index(n - 1, 0)) == "P099999"
    assert not m._text  # nothing converted to text until a filter needs it
    k = m.set_filter("diameter_mm >= 1000")
    assert k == int((gdf["diameter_mm"] >= 1000).sum())
    m.sort(0, Qt.SortOrder.DescendingOrder)
    assert m.data(m.index(0, 0)) > m.data(m.index(1, 0))
    assert len(m.rows_of_ids({"P000123", "P099999"})) <= 2


# --- the dock in the window ----------------------------------------------------------------------
@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1400, 900))


@pytest.fixture
def dock(window):
    return window.extensions["gisapp.qt.inspect_tools"].open_table("pipes")


def test_table_dock_filters_the_demo_pipes(qtbot, window, dock):
    pipes = window.canvas.layer("pipes").data
    assert dock.model.rowCount() == len(pipes)
    assert "起点编号" in dock.model.columns and "pipe_id" in dock.model.columns
    dock.filter_edit.setText("system=industrial")
    qtbot.keyClick(dock.filter_edit, Qt.Key.Key_Return)
    assert dock.model.rowCount() == int((pipes["system"] == "industrial").sum()) > 0
    assert f"{dock.model.rowCount():,} of {len(pipes):,}" in dock.count_label.text()
    dock.filter_edit.setText("钢筋混凝土")  # applied after a short pause, or at once here
    assert dock.apply_filter() == int(pipes["材质"].astype(str).str.contains("钢筋混凝土").sum())
    dock.filter_edit.setText("nosuch=1")
    dock.apply_filter()
    assert "nosuch" in dock.filter_edit.toolTip()


def test_table_selection_goes_to_the_map_and_back(qtbot, window, dock):
    hub = MapToolHub.of(window)
    canvas = window.canvas
    dock.filter_edit.setText("pipe_id~WS-000")
    dock.apply_filter()
    sm = dock.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    sm.select(dock.model.index(0, 0), flags)
    sm.select(dock.model.index(2, 0), flags)
    ids = set(dock.model.ids_of_rows([0, 2]))
    assert hub.selected_ids("pipes") == ids
    assert canvas.highlighted_ids("pipes", group="selection") == ids
    # map -> table: a click with the Select tool
    ctl = window.extensions["gisapp.qt.inspect_tools"]
    ctl.select_action.trigger()
    g = window.canvas.layer("pipes").data.set_index("pipe_id").geometry["WS-0005"]
    mid = g.interpolate(0.5, normalized=True)
    canvas.zoom_to_extent(mid.x - 20, mid.y - 20, mid.x + 20, mid.y + 20)
    ctl.select_at(mid.x, mid.y)
    assert hub.selected_ids("pipes") == {"WS-0005"}
    assert dock.selected_ids() == ["WS-0005"]
    rows = {i.row() for i in sm.selectedRows()}
    assert rows == set(dock.model.rows_of_ids({"WS-0005"}).tolist())
    # sorting keeps the selection
    dock.table.sortByColumn(dock.model.columns.index("pipe_id"), Qt.SortOrder.DescendingOrder)
    assert dock.selected_ids() == ["WS-0005"]
    # selected only
    dock.selected_only_check.setChecked(True)
    assert dock.model.rowCount() == 1
    dock.selected_only_check.setChecked(False)
    # zoom to selected
    canvas.zoom_to_full_extent()
    qtbot.mouseClick(dock.zoom_button, Qt.MouseButton.LeftButton)
    x0, y0, x1, y1 = canvas.view.extent
    assert x0 <= mid.x <= x1 and y0 <= mid.y <= y1 and (x1 - x0) < 1000
    assert canvas.is_flashing()
    # clearing on the map empties the table selection
    hub.clear_selection()
    assert dock.selected_ids() == []


def test_table_follows_edits_of_the_layer(qtbot, window, dock):
    pipes = window.project.layers["pipes"]
    with qtbot.waitSignal(window.layer_updated, timeout=5000):
        window.update_layer("pipes", pipes.iloc[:100].reset_index(drop=True))
    window.setWindowModified(False)
    assert dock.model.rowCount() == 100


def test_table_double_click_zooms_to_the_row(qtbot, window, dock):
    canvas = window.canvas
    canvas.zoom_to_full_extent()
    before = canvas.view.scale
    dock.table.doubleClicked.emit(dock.model.index(3, 0))
    assert canvas.view.scale < before
    assert canvas.is_flashing()
