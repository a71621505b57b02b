import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from shapely.geometry import LineString, Point

from gisapp.cartography import symbology
from gisapp.qt.map_canvas import (
    HIGHLIGHT_STYLE,
    RENDER_DELAY_MS,
    WHEEL_ZOOM_STEP,
    CanvasMode,
    MapCanvas,
)
from gisapp.qt.map_layer import layers_from_project
from gisapp.qt.render import View

W, H = 400, 300


def project() -> dict[str, gpd.GeoDataFrame]:
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2", "P3"],
            "system": ["sewage", "rain", "combined"],
            "diameter_mm": [800.0, 800.0, 1200.0],
        },
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(0, 20), (100, 20)]),
            LineString([(0, 40), (100, 40)]),
        ],
    )
    enterprises = gpd.GeoDataFrame(
        {
            "ent_id": ["E1", "E2"],
            "name": ["甲厂", "乙厂"],
            "connection_status": ["connected", "not_connected"],
        },
        geometry=[Point(20, 60), Point(50, 60)],
    )
    return {"pipes": pipes, "enterprises": enterprises}


@pytest.fixture
def canvas(qtbot):
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(W, H)
    c.show()
    qtbot.waitExposed(c)
    with qtbot.waitSignal(c.render_finished, timeout=10_000):
        c.set_layers(layers_from_project(project()))
    yield c
    c.shutdown()


def wheel(canvas, x, y, notches=1):
    pos = QPointF(x, y)
    ev = QWheelEvent(
        pos,
        canvas.mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, ev)


def screen_rgb(canvas, x, y):
    px, py = canvas.to_pixel(x, y)
    c = canvas.grab().toImage().pixelColor(int(px), int(py))
    return c.red(), c.green(), c.blue()


def near(rgb, hex_color, tol=45):
    want = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tol for a, b in zip(rgb, want, strict=True))


def test_canvas_starts_at_full_extent(canvas):
    minx, miny, maxx, maxy = canvas.view.extent
    assert minx <= 0 and miny <= 0 and maxx >= 100 and maxy >= 60
    assert near(screen_rgb(canvas, 30, 0), symbology.SYSTEM_COLORS["sewage"])
    assert near(screen_rgb(canvas, 50, 60), symbology.CONNECTION_COLORS["not_connected"])


def test_canvas_wheel_zoom_keeps_point_under_cursor(canvas):
    before = canvas.to_map(120, 90)
    scale = canvas.view.scale
    wheel(canvas, 120, 90)
    assert canvas.view.scale == pytest.approx(scale / WHEEL_ZOOM_STEP)
    assert canvas.to_map(120, 90) == pytest.approx(before)


def test_canvas_preview_shown_immediately_after_wheel(canvas, qtbot):
    assert not canvas.is_preview_shown()
    wheel(canvas, 200, 150)
    # no event processing yet: the old image is already placed for the new view
    assert canvas.is_preview_shown()
    rect = canvas.preview_rect()
    assert rect.width() == pytest.approx(W * WHEEL_ZOOM_STEP)
    canvas.repaint()  # the preview paints without waiting for the worker
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        pass
    assert not canvas.is_preview_shown()
    assert canvas.image_view().same_as(canvas.view)


def test_canvas_worker_image_equals_sync_render(canvas):
    image = canvas.current_image()
    assert image is not None
    assert image == canvas.render_image(canvas.image_view())


def test_canvas_new_view_cancels_stale_render(canvas, qtbot):
    for _ in range(5):
        canvas.zoom_by(1.2)
        canvas.refresh()
    final = canvas.view
    qtbot.waitUntil(
        lambda: (
            canvas.image_view() is not None
            and canvas.image_view().same_as(final)
            and not canvas.is_rendering()
        ),
        timeout=10_000,
    )


def test_canvas_drag_pans_view(canvas, qtbot):
    start = canvas.view
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(canvas, QPoint(130, 110))
    qtbot.mouseMove(canvas, QPoint(150, 120))
    assert canvas.is_preview_shown()
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(150, 120))
    assert canvas.view.center_x == pytest.approx(start.center_x - 50 * start.scale)
    assert canvas.view.center_y == pytest.approx(start.center_y + 20 * start.scale)


def test_canvas_click_emits_map_coordinates(canvas, qtbot):
    with qtbot.waitSignal(canvas.clicked) as blocker:
        qtbot.mouseClick(
            canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, QPoint(80, 60)
        )
    x, y, mods = blocker.args
    assert (x, y) == pytest.approx(canvas.to_map(80, 60))
    assert mods & Qt.KeyboardModifier.ShiftModifier


def test_canvas_select_mode_emits_rectangle(canvas, qtbot):
    canvas.set_mode(CanvasMode.SELECT)
    a, b = canvas.to_map(50, 200), canvas.to_map(150, 100)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(50, 200))
    qtbot.mouseMove(canvas, QPoint(100, 150))
    qtbot.mouseMove(canvas, QPoint(150, 100))
    with qtbot.waitSignal(canvas.rectangle_selected) as blocker:
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(150, 100))
    assert blocker.args == pytest.approx([a[0], a[1], b[0], b[1]])


def test_canvas_keys_pan_and_zoom(canvas, qtbot):
    start = canvas.view
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert canvas.view.center_x == pytest.approx(start.center_x + W * 0.25 * start.scale)
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.view.scale == pytest.approx(start.scale / 2)
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.view.scale == pytest.approx(start.scale)


def test_canvas_previous_and_next_view(canvas):
    first = canvas.view
    canvas.zoom_to_extent(0, 0, 10, 10)
    zoomed = canvas.view
    assert canvas.can_go_previous()
    canvas.previous_view()
    assert canvas.view.same_as(first)
    assert canvas.can_go_next()
    canvas.next_view()
    assert canvas.view.same_as(zoomed)
    assert not canvas.can_go_next()


def test_canvas_zoom_to_features_and_full_extent(canvas):
    canvas.zoom_to_features("enterprises", ["E2"])
    assert canvas.view.center_x == pytest.approx(50)
    assert canvas.view.center_y == pytest.approx(60)
    canvas.zoom_to_full_extent()
    minx, _miny, maxx, _maxy = canvas.view.extent
    assert minx <= 0 and maxx >= 100


def test_canvas_highlight_drawn_on_top(canvas):
    canvas.set_highlight("pipes", ["P1"])
    assert canvas.highlighted_pipe_ids == {"P1"}
    assert near(screen_rgb(canvas, 30, 0), HIGHLIGHT_STYLE.color)
    assert near(screen_rgb(canvas, 30, 20), symbology.SYSTEM_COLORS["rain"])
    canvas.clear_highlight()
    assert canvas.highlighted_pipe_ids == frozenset()
    assert near(screen_rgb(canvas, 30, 0), symbology.SYSTEM_COLORS["sewage"])


def test_canvas_flash_blinks_then_clears(canvas, qtbot):
    canvas.flash("enterprises", ["E1"], times=1)
    assert canvas.is_flashing()
    qtbot.waitUntil(lambda: not canvas.is_flashing(), timeout=5_000)


def test_canvas_rubber_band_and_tolerance(canvas):
    canvas.set_rubber_band([(0, 0), (50, 50)])
    assert canvas.rubber_band().shape == (2, 2)
    canvas.grab()
    canvas.clear_rubber_band()
    assert canvas.rubber_band() is None
    assert canvas.pixels_to_map_units(5) == pytest.approx(5 * canvas.view.scale)
    assert canvas.scale_text().startswith("1:")


def test_canvas_layer_visibility_changes_render(canvas, qtbot):
    with qtbot.waitSignal(canvas.render_finished, timeout=10_000):
        canvas.set_layer_visible("enterprises", False)
    assert screen_rgb(canvas, 50, 60) == (255, 255, 255)


def test_canvas_mouse_moved_reports_map_coordinates(canvas, qtbot):
    with qtbot.waitSignal(canvas.mouse_moved) as blocker:
        qtbot.mouseMove(canvas, QPoint(33, 44))
    assert blocker.args == pytest.approx(list(canvas.to_map(33, 44)))


def test_canvas_resize_keeps_center_and_scale(canvas, qtbot):
    v = canvas.view
    canvas.resize(500, 350)
    assert canvas.view.center_x == pytest.approx(v.center_x)
    assert canvas.view.scale == pytest.approx(v.scale)
    assert (canvas.view.width, canvas.view.height) == (500, 350)
    assert RENDER_DELAY_MS > 0


def test_view_fit_of_a_point_has_a_sane_scale():
    v = View.fit((5, 5, 5, 5), 100, 100)
    assert v.scale == pytest.approx(1.0)


def test_canvas_big_highlight_is_drawn_by_the_worker(qtbot, monkeypatch):
    import gisapp.qt.map_canvas as mc

    monkeypatch.setattr(mc, "WORKER_HIGHLIGHT_MIN_FEATURES", 2)
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(W, H)
    c.show()
    with qtbot.waitSignal(c.render_finished, timeout=10_000):
        c.set_layers(layers_from_project(project()))
    with qtbot.waitSignal(c.render_finished, timeout=10_000):
        c.set_highlight("pipes", ["P1", "P2"])
    assert c.highlighted_pipe_ids == {"P1", "P2"}
    assert near(screen_rgb(c, 30, 0), HIGHLIGHT_STYLE.color)
    assert near(screen_rgb(c, 30, 20), HIGHLIGHT_STYLE.color)
    assert c.current_image() == c.render_image(c.image_view())
    with qtbot.waitSignal(c.render_finished, timeout=10_000):
        c.clear_highlight()
    assert near(screen_rgb(c, 30, 0), symbology.SYSTEM_COLORS["sewage"])
    c.shutdown()
