"""The longitudinal profile: drawing, the two-manhole tool and the export."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from gisapp.cartography.flowmap import cjk_font
from gisapp.qt.profile_dock import LABELS_ZH, draw_profile
from network.graph import build_network
from network.io.project import open_project
from network.trace import find_flow_path, longitudinal_profile

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel", "gisapp.qt.profile_dock")


@pytest.fixture(scope="module")
def demo_net():
    from pathlib import Path

    p = open_project(Path(__file__).resolve().parents[2] / "resources/demo/demo_park.gpkg")
    return build_network(p.layers, p.settings, p.crs)


def test_draw_profile_draws_every_manhole_and_pipe(demo_net):
    prof = longitudinal_profile(demo_net, "E01")
    fig = Figure(figsize=(8, 3.4))
    drawn = draw_profile(fig, prof, cjk_font())
    assert drawn["manholes"] == [n["node_id"] for n in prof.nodes]
    assert len(drawn["manholes"]) == 32
    assert drawn["pipes"] == len(prof.rows) == 31  # every demo pipe has both inverts
    assert drawn["ground_points"] == 32
    ax = drawn["axes"]
    labels = {t.get_text() for t in ax.texts}
    assert set(drawn["manholes"]) <= labels  # manhole ids written on the drawing
    assert ax.get_xlabel() == LABELS_ZH["chainage"]
    assert ax.get_ylabel() == LABELS_ZH["elevation"]
    if cjk_font():
        assert ax.xaxis.label.get_fontname() == cjk_font()
    # chainage runs from 0 to the path length
    x0, x1 = ax.get_xlim()
    assert x0 <= 0 and x1 >= prof.nodes[-1]["chainage_m"]


def test_draw_profile_tolerates_missing_levels(demo_net):
    prof = longitudinal_profile(demo_net, "E01")
    rows = tuple({**r, "invert_up_m": None} if k == 2 else r for k, r in enumerate(prof.rows))
    nodes = tuple({**n, "ground_m": None} if k == 3 else n for k, n in enumerate(prof.nodes))
    broken = type(prof)(path=prof.path, rows=rows, nodes=nodes)
    drawn = draw_profile(Figure(), broken, None)
    assert drawn["pipes"] == len(rows) - 1
    assert drawn["ground_points"] == len(nodes) - 1
    assert len(drawn["manholes"]) == len(nodes)


@pytest.fixture
def window(make_window):
    return make_window(EXTS, size=(1400, 900), wait_network=True)


def click_manhole(qtbot, window, node_id):
    canvas = window.canvas
    data = canvas.layer("manholes").data
    g = data.loc[data["node_id"] == node_id].geometry.iloc[0]
    canvas.zoom_to_extent(g.x - 60, g.y - 60, g.x + 60, g.y + 60)
    px, py = canvas.to_pixel(g.x, g.y)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(px), round(py)))


def test_profile_tool_between_two_clicked_manholes(qtbot, window):
    ctl = window.extensions["gisapp.qt.profile_dock"]
    ctl.profile_action.trigger()
    click_manhole(qtbot, window, "WJ-0012")
    assert window.canvas.highlighted_ids("manholes", group="profile_pick") == {"WJ-0012"}
    with qtbot.waitSignal(ctl.profile_shown, timeout=5000):
        click_manhole(qtbot, window, "WJ-0031")
    path = find_flow_path(window.network_ctl.state.network, "WJ-0012", "WJ-0031")
    assert ctl.dock.isVisible()
    assert ctl.dock.drawn["manholes"] == list(path.nodes)
    assert window.canvas.highlighted_ids("pipes", group="profile") == set(path.pipes)
    assert f"{len(path.nodes)} manholes" in ctl.dock.info_label.text()
    # clicking the other way round gives the same path (upstream end first)
    click_manhole(qtbot, window, "WJ-0031")
    click_manhole(qtbot, window, "WJ-0012")
    assert ctl.dock.drawn["manholes"] == list(path.nodes)
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.canvas.highlighted_ids("pipes", group="profile") == frozenset()


def test_profile_of_unconnected_points_is_a_user_error(qtbot, window):
    ctl = window.extensions["gisapp.qt.profile_dock"]
    assert ctl.show_profile("node:WJ-0012", "node:YJ-0001") is None
    assert window.findChild(object, "user_error_box") is not None


def test_profile_export_png_and_pdf(qtbot, window, tmp_path):
    ctl = window.extensions["gisapp.qt.profile_dock"]
    assert ctl.show_profile("E01") is not None
    assert not ctl.dock.export_button.isHidden() and ctl.dock.export_button.isEnabled()
    png = ctl.dock.export(tmp_path / "profile.png")
    img = QImage(str(png))
    assert not img.isNull() and img.width() > 800
    colours = {
        img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 17)
    }
    assert len(colours) > 5  # not blank
    pdf = ctl.dock.export(tmp_path / "profile.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert ctl.dock.export(tmp_path / "profile.svg").suffix == ".png"
