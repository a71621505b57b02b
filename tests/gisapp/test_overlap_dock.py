"""The protected-area dock: runs off the GUI thread, fills the table, syncs the map."""

import geopandas as gpd
import pytest
from PySide6.QtCore import Qt
from shapely import LineString, box

from gisapp.qt.overlap_dock import OverlapDock
from surveys.zones.rules import OverlapRule, RuleTable

X, Y = 500_000.0, 3_400_000.0
CRS = "EPSG:4547"


@pytest.fixture
def dock(qtbot):
    d = OverlapDock()
    qtbot.addWidget(d)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["HX-1"], "name": ["红线"], "zone_class": ["redline"], "zone_level": [None]},
        geometry=[box(X, Y, X + 100, Y + 100)],
        crs=CRS,
    )
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2"]},
        geometry=[
            LineString([(X + 50, Y + 50), (X + 150, Y + 50)]),
            LineString([(X + 500, Y), (X + 600, Y)]),
        ],
        crs=CRS,
    )
    rules = RuleTable((OverlapRule("redline", None, "pipes", 0, "conflict"),))
    d.set_inputs({"pipes": pipes}, zones, rules)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_overlap_dock_run_button_fills_table(qtbot, dock):
    assert dock.run_button.isEnabled()
    assert not dock.xlsx_button.isEnabled()
    with qtbot.waitSignal(dock.check_finished, timeout=20000) as blocker:
        qtbot.mouseClick(dock.run_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.has_conflicts
    model = dock.model
    assert model.rowCount() == 1
    assert model.columnCount() == len(model.COLUMNS)
    col = model.COLUMNS.index("feature_id")
    assert model.data(model.index(0, col)) == "P1"
    assert model.data(model.index(0, model.COLUMNS.index("overlap"))) == "50.00 m"
    assert model.data(model.index(0, model.COLUMNS.index("severity"))) == "冲突"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Severity"
    assert dock.xlsx_button.isEnabled()
    assert not dock.ledger_button.isEnabled()  # no project file to raise problems into
    assert "1" in dock.status_label.text()


def test_overlap_dock_row_click_zooms_and_highlights_overlap_part(qtbot, dock):
    with qtbot.waitSignal(dock.check_finished, timeout=20000):
        dock.run_check()
    zooms, highlights = [], []
    dock.zoom_requested.connect(lambda *a: zooms.append(a))
    dock.highlight_requested.connect(highlights.append)
    with qtbot.waitSignals([dock.zoom_requested, dock.highlight_requested], timeout=5000):
        dock.select_row(0)
    ((minx, miny, maxx, maxy),) = zooms
    assert minx < X + 50 and maxx > X + 150 and miny < Y + 50 < maxy
    ((part,),) = highlights
    assert part.equals(LineString([(X + 50, Y + 50), (X + 100, Y + 50)]))


def test_overlap_dock_reports_failure(qtbot):
    d = OverlapDock()
    qtbot.addWidget(d)
    pipes = gpd.GeoDataFrame({"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 1)])])
    zones = gpd.GeoDataFrame({"zone_class": ["redline"]}, geometry=[box(0, 0, 1, 1)], crs=CRS)
    d.set_inputs({"pipes": pipes}, zones)
    failures = []
    d.check_failed.connect(failures.append)
    d.run_check()
    qtbot.waitUntil(lambda: bool(failures), timeout=20000)
    assert "has no CRS" in failures[0].message
    assert d.run_button.isEnabled()
    assert d.model.rowCount() == 0


def test_overlap_dock_exports_reports(qtbot, dock, tmp_path):
    with qtbot.waitSignal(dock.check_finished, timeout=20000):
        dock.run_check()
    dock.export_xlsx(str(tmp_path / "r.xlsx"))
    dock.export_pdf(str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_overlap_dock_cancel_stops_the_job(qtbot, dock):
    import threading

    release = threading.Event()

    def slow_check():
        yield 0.1, "zones"
        release.wait(20)
        yield 0.5, "pipes"
        raise AssertionError("a cancelled job is not driven on")

    dock._job = slow_check
    with qtbot.waitSignal(dock.progress_changed, timeout=20000):
        dock.run_check()
    assert dock.is_running() and not dock.run_button.isEnabled()
    dock.cancel()
    release.set()
    qtbot.waitUntil(lambda: not dock.is_running(), timeout=20000)
    assert dock.status_label.text() == "Cancelled"
    assert dock.run_button.isEnabled()
