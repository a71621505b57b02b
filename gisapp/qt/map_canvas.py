"""The map canvas: a QWidget showing map layers rendered off the GUI thread.

The canvas keeps the last rendered image. Every view change (wheel, drag, keys, resize,
zoom-to) repaints at once with that image moved and scaled (the *preview*) and schedules a
render of the new view in a :class:`~gisapp.qt.render.RenderThread`; a newer view cancels a stale
render; the sharp image replaces the preview when it arrives.

Highlights, a flash, a rubber band and the selection rectangle are drawn on top on the GUI
thread from small arrays prepared when they are set.
"""

from __future__ import annotations

import enum
import functools
import logging
import math
from collections.abc import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QWidget

from gisapp.qt.canvas_overlays import (
    FLASH_STYLE,
    HIGHLIGHT_STYLE,
    RUBBER_STYLE,
    SELECTION_STYLE,
    HighlightStyle,
    Overlay,
    make_overlay,
    paint_overlay,
    paint_rubber_band,
)
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.render import (
    RenderJob,
    RenderThread,
    View,
    format_scale,
    render_map,
    scale_denominator,
)
from network import schema

log = logging.getLogger(__name__)

WHEEL_ZOOM_STEP = 1.5  # zoom factor per wheel notch (120 units)
KEY_ZOOM_STEP = 2.0
KEY_PAN_FRACTION = 0.25
RENDER_DELAY_MS = 60  # wait this long after the last wheel/key event before rendering
DRAG_THRESHOLD_PX = 4
HISTORY_MAX = 100
WORKER_HIGHLIGHT_MIN_FEATURES = 5_000  # bigger line highlights are drawn by the render worker


class CanvasMode(enum.StrEnum):
    """What a left-button drag and click do (set by the active map tool)."""

    PAN = "pan"  # drag pans; click -> clicked
    IDENTIFY = "identify"  # drag pans; click -> clicked
    SELECT = "select"  # drag -> rectangle_selected; click -> clicked
    MEASURE = "measure"  # drag pans; click -> clicked; the tool draws with set_rubber_band
    DRAW = "draw"  # same as measure
    EDIT = "edit"  # no panning: press/drag/release -> mouse_pressed/dragged/released


class MapCanvas(QWidget):
    """A fast map view. See the module docstring and the signal comments."""

    view_changed = Signal(object)  # View (logical pixels); also during interaction
    mouse_moved = Signal(float, float)  # map coordinates under the cursor
    clicked = Signal(float, float, object)  # map x, y, Qt.KeyboardModifier flags (left button)
    # a left click while a one-shot pick holds the map (claim_clicks): the map tools never
    # see it (picking a pipe for a form must not also trace, identify or select)
    claimed_click = Signal(float, float, object)
    double_clicked = Signal(float, float)
    right_clicked = Signal(float, float)
    rectangle_selected = Signal(float, float, float, float)  # minx, miny, maxx, maxy
    mouse_pressed = Signal(float, float, object)  # EDIT mode only
    mouse_dragged = Signal(float, float)  # EDIT mode only
    mouse_released = Signal(float, float)  # EDIT mode only
    mode_changed = Signal(str)
    layers_changed = Signal()  # layer list, order, visibility, style, opacity, labels
    render_started = Signal()
    render_finished = Signal(float)  # seconds the worker took
    render_failed = Signal(object)  # exception from the worker (a bug)

    def __init__(self, parent: QWidget | None = None, background: str = "#ffffff") -> None:
        super().__init__(parent)
        self.setObjectName("map_canvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumSize(50, 50)
        self._background = background
        self._layers: list[MapLayer] = []
        self._view: View | None = None
        self._image: QImage | None = None
        self._image_view: View | None = None
        self._history: list[View] = []
        self._history_pos = -1
        self._mode = CanvasMode.PAN
        self._job_id = 0
        self._job_views: dict[int, View] = {}
        self._rendering = False
        self._shut_down = False
        self._overlays: dict[tuple[str, str], Overlay] = {}
        self._rubber: tuple[np.ndarray, bool, HighlightStyle] | None = None
        self._press_pos: QPointF | None = None
        self._press_button = Qt.MouseButton.NoButton
        self._press_view: View | None = None
        self._dragging = False
        self._rect_end: QPointF | None = None
        self._flash_left = 0
        self._flash_on = True
        self._press_map = (0.0, 0.0)
        self._click_claims = 0

        self._thread = RenderThread(self)
        self._thread.rendered.connect(self._on_thread_rendered)
        self._thread.failed.connect(self._on_thread_failed)
        self.destroyed.connect(functools.partial(_stop_thread, self._thread))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._start_render)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(180)
        self._flash_timer.timeout.connect(self._on_flash_timer_timeout)

    # --- layers ---------------------------------------------------------------------------
    @property
    def layers(self) -> list[MapLayer]:
        """The layers, bottom first (a copy of the list)."""
        return list(self._layers)

    def layer(self, name: str) -> MapLayer | None:
        """The layer called ``name`` (or, failing that, the first of kind ``name``)."""
        for layer in self._layers:
            if layer.name == name:
                return layer
        return next((lay for lay in self._layers if lay.kind == name), None)

    def set_layers(self, layers: Sequence[MapLayer], zoom_to_full: bool | None = None) -> None:
        """Replace all layers (bottom first). Zooms to the full extent the first time (or
        when ``zoom_to_full``)."""
        names = [lay.name for lay in layers]
        if len(set(names)) != len(names):
            raise ValueError(f"Layer names must be unique; got {names}.")
        self._layers = list(layers)
        self._overlays.clear()
        if zoom_to_full or (zoom_to_full is None and self._image is None):
            self.zoom_to_full_extent()
        self._layers_changed()

    def add_layer(self, layer: MapLayer, index: int | None = None) -> None:
        """Add a layer on top (or at ``index`` in the bottom-first order)."""
        if self.layer_by_name(layer.name) is not None:
            raise ValueError(f"A layer named {layer.name!r} is already on the map.")
        self._layers.insert(len(self._layers) if index is None else index, layer)
        if self._image is None and len(self._layers) == 1:
            self.zoom_to_full_extent()
        self._layers_changed()

    def layer_by_name(self, name: str) -> MapLayer | None:
        return next((lay for lay in self._layers if lay.name == name), None)

    def remove_layer(self, name: str) -> None:
        self._layers = [lay for lay in self._layers if lay.name != name]
        self._layers_changed()

    def move_layer(self, name: str, index: int) -> None:
        """Move a layer to ``index`` in the bottom-first order."""
        layer = self._require(name)
        self._layers.remove(layer)
        self._layers.insert(max(0, min(index, len(self._layers))), layer)
        self._layers_changed()

    def set_layer_visible(self, name: str, visible: bool) -> None:
        self._require(name).visible = bool(visible)
        self._layers_changed()

    def set_layer_opacity(self, name: str, opacity: float) -> None:
        self._require(name).opacity = max(0.0, min(1.0, float(opacity)))
        self._layers_changed()

    def set_layer_style(self, name: str, style) -> None:
        self._require(name).style = style
        self._layers_changed()

    def set_layer_label_field(self, name: str, field: str | None) -> None:
        self._require(name).label_field = field or None
        self._layers_changed()

    def set_layer_data(self, name: str, data, derived=None) -> None:
        """Replace a layer's GeoDataFrame after an edit (and its derived columns: name →
        array per row); redraws (highlights are refreshed)."""
        layer = self._require(name)
        layer.set_data(data, derived)
        for key, ov in list(self._overlays.items()):
            if ov.layer_kind in (layer.name, layer.kind):
                self._overlays[key] = self._make_overlay(
                    ov.layer_kind, ov.ids, ov.style, allow_worker=key[0] != "_flash"
                )
        self.refresh()

    def set_layer_derived(self, name: str, columns) -> None:
        """Replace a layer's derived columns (name → array per row, e.g. flow direction after
        a network build); redraws. The geometry and the highlights stay as they are."""
        self._require(name).set_derived(columns)
        self.refresh()

    def _require(self, name: str) -> MapLayer:
        layer = self.layer(name)
        if layer is None:
            raise KeyError(
                f"No layer {name!r} on the map; layers: {[lay.name for lay in self._layers]}."
            )
        return layer

    def _layers_changed(self) -> None:
        self.layers_changed.emit()
        self.refresh()

    # --- view --------------------------------------------------------------------------------
    @property
    def view(self) -> View:
        """The current view in logical pixels (the widget's size)."""
        w, h = max(1, self.width()), max(1, self.height())
        if self._view is None:
            self._view = View(0.0, 0.0, 1.0, w, h)
        elif (self._view.width, self._view.height) != (w, h):
            self._view = self._view.resized(w, h)
        return self._view

    def set_view(self, view: View, record: bool = True, delay_ms: int = 0) -> None:
        """Show ``view`` (its size is replaced by the widget's): preview now, render after
        ``delay_ms``. ``record`` adds it to the previous/next history."""
        self._view = view.resized(max(1, self.width()), max(1, self.height()))
        if record:
            self._record_view(self._view)
        self.update()
        self.view_changed.emit(self._view)
        self._schedule_render(delay_ms)

    def _interactive_view(self, view: View, delay_ms: int = RENDER_DELAY_MS) -> None:
        self.set_view(view, record=False, delay_ms=delay_ms)

    def set_center(self, x: float, y: float) -> None:
        v = self.view
        self.set_view(View(x, y, v.scale, v.width, v.height))

    def zoom_by(self, factor: float, px: float | None = None, py: float | None = None) -> None:
        """Zoom in by ``factor`` (<1 zooms out) around widget pixel (px, py) (default centre)."""
        self._interactive_view(self.view.zoomed(factor, px, py))

    def pan_by_pixels(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) pixels."""
        self._interactive_view(self.view.panned(dx, dy))

    def zoom_to_extent(
        self,
        minx: float,
        miny: float,
        maxx: float,
        maxy: float,
        margin: float = 0.05,
        min_scale: float | None = None,
    ) -> None:
        """Show a map rectangle; ``min_scale`` (map units/px) stops zooming onto a point."""
        if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
            return
        v = View.fit((minx, miny, maxx, maxy), max(1, self.width()), max(1, self.height()), margin)
        if min_scale is not None and v.scale < min_scale:
            v = View(v.center_x, v.center_y, min_scale, v.width, v.height)
        self.set_view(v)

    def full_extent(self) -> tuple[float, float, float, float]:
        """Union of the extents of all layers (NaNs when there is no data)."""
        ext = np.array([lay.extent() for lay in self._layers], dtype=float).reshape(-1, 4)
        ext = ext[np.isfinite(ext).all(axis=1)]
        if len(ext) == 0:
            return (math.nan,) * 4
        return (
            float(ext[:, 0].min()),
            float(ext[:, 1].min()),
            float(ext[:, 2].max()),
            float(ext[:, 3].max()),
        )

    def zoom_to_full_extent(self) -> None:
        self.zoom_to_extent(*self.full_extent(), min_scale=0.05)

    def zoom_to_layer(self, name: str) -> None:
        self.zoom_to_extent(*self._require(name).extent(), min_scale=0.05)

    def zoom_to_features(self, layer_kind: str, ids: Iterable, min_scale: float = 0.1) -> None:
        """Zoom to features of a layer by id (the kind's id column, else the index)."""
        data = self._features(layer_kind, ids)
        if data is not None and len(data):
            self.zoom_to_extent(*data.total_bounds, margin=0.15, min_scale=min_scale)

    def zoom_to_highlight(self, group: str = "selection") -> None:
        """Zoom to everything highlighted in ``group`` (e.g. the selection)."""
        b = np.array([ov.bounds for (g, _k), ov in self._overlays.items() if g == group])
        b = b[np.isfinite(b).all(axis=1)] if len(b) else b
        if len(b):
            self.zoom_to_extent(
                b[:, 0].min(),
                b[:, 1].min(),
                b[:, 2].max(),
                b[:, 3].max(),
                margin=0.15,
                min_scale=0.1,
            )

    def zoom_to_selection(self) -> None:
        self.zoom_to_highlight("selection")

    # history
    def _record_view(self, view: View) -> None:
        if self._history_pos >= 0 and view.same_as(self._history[self._history_pos]):
            return
        del self._history[self._history_pos + 1 :]
        self._history.append(view)
        if len(self._history) > HISTORY_MAX:
            del self._history[0]
        self._history_pos = len(self._history) - 1

    def can_go_previous(self) -> bool:
        return self._history_pos > 0

    def can_go_next(self) -> bool:
        return self._history_pos < len(self._history) - 1

    def previous_view(self) -> None:
        if self.can_go_previous():
            self._history_pos -= 1
            self.set_view(self._history[self._history_pos], record=False)

    def next_view(self) -> None:
        if self.can_go_next():
            self._history_pos += 1
            self.set_view(self._history[self._history_pos], record=False)

    # coordinates and scale
    def to_map(self, px: float, py: float) -> tuple[float, float]:
        """Widget pixel -> map coordinates."""
        x, y = self.view.to_map(px, py)
        return float(x), float(y)

    def to_pixel(self, x: float, y: float) -> tuple[float, float]:
        """Map coordinates -> widget pixel."""
        px, py = self.view.to_pixel(x, y)
        return float(px), float(py)

    def map_units_per_pixel(self) -> float:
        return self.view.scale

    def pixels_to_map_units(self, pixels: float) -> float:
        """A tolerance in screen pixels as a distance in map units (for identify/snap)."""
        return pixels * self.view.scale

    def search_rect(self, x: float, y: float, tolerance_px: float = 5.0):
        """(minx, miny, maxx, maxy) around a map point, ``tolerance_px`` pixels each side."""
        d = self.pixels_to_map_units(tolerance_px)
        return (x - d, y - d, x + d, y + d)

    def map_scale(self) -> float:
        """The scale denominator N of 1:N on this screen."""
        return scale_denominator(self.view.scale, float(self.logicalDpiX() or 96))

    def set_map_scale(self, denominator: float) -> None:
        v = self.view
        scale = denominator * 0.0254 / float(self.logicalDpiX() or 96)
        self.set_view(View(v.center_x, v.center_y, scale, v.width, v.height))

    def scale_text(self) -> str:
        """The scale as '1:12,300'."""
        return format_scale(self.map_scale())

    # --- mode ------------------------------------------------------------------------------------
    @property
    def mode(self) -> CanvasMode:
        return self._mode

    def set_mode(self, mode: str | CanvasMode) -> None:
        mode = CanvasMode(mode)
        if mode != self._mode:
            self._mode = mode
            self._rect_end = None
            self._apply_cursor()
            self.mode_changed.emit(str(mode))

    def _apply_cursor(self) -> None:
        self.setCursor(
            {
                CanvasMode.PAN: Qt.CursorShape.OpenHandCursor,
                CanvasMode.IDENTIFY: Qt.CursorShape.WhatsThisCursor,
                CanvasMode.SELECT: Qt.CursorShape.ArrowCursor,
            }.get(self._mode, Qt.CursorShape.CrossCursor)
        )

    # --- rendering -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Render the current view again (after a change to the layers)."""
        self._schedule_render(0)

    def _schedule_render(self, delay_ms: int) -> None:
        if delay_ms <= 0 and not self._render_timer.isActive():
            self._render_timer.start(0)
        else:
            self._render_timer.start(max(0, delay_ms))

    def _start_render(self) -> None:
        if self._shut_down:
            return
        view = self.view
        self._record_view(view)
        dpr = float(self.devicePixelRatioF() or 1.0)
        device_view = View(
            view.center_x,
            view.center_y,
            view.scale / dpr,
            round(view.width * dpr),
            round(view.height * dpr),
        )
        self._job_id += 1
        self._job_views = {self._job_id: view}
        snaps = [lay.snapshot() for lay in self._layers]
        snaps += [lay.snapshot() for ov in self._overlays.values() for lay in ov.layers]
        job = RenderJob(self._job_id, device_view, snaps, dpr=dpr, background=self._background)
        self._rendering = True
        self.render_started.emit()
        self._thread.submit(job)

    def _on_thread_rendered(self, job_id: int, image: QImage, _view, seconds: float) -> None:
        if job_id != self._job_id:
            return
        image.setDevicePixelRatio(float(self.devicePixelRatioF() or 1.0))
        self._image = image
        self._image_view = self._job_views.get(job_id)
        self._rendering = False
        self.update()
        self.render_finished.emit(seconds)

    def _on_thread_failed(self, job_id: int, exc: object) -> None:
        if job_id == self._job_id:
            self._rendering = False
            self.render_failed.emit(exc)

    def is_rendering(self) -> bool:
        return self._rendering

    def current_image(self) -> QImage | None:
        """The last image from the worker (None before the first)."""
        return self._image

    def image_view(self) -> View | None:
        """The view the current image was rendered for."""
        return self._image_view

    def is_preview_shown(self) -> bool:
        """True while the shown image is the old one moved/scaled for a new view."""
        return self._image is not None and not self.view.same_as(self._image_view)

    def preview_rect(self) -> QRectF | None:
        """Where the current image is drawn, in widget pixels."""
        if self._image is None or self._image_view is None:
            return None
        iv, v = self._image_view, self.view
        minx, _miny, _maxx, maxy = iv.extent
        x, y = v.to_pixel(minx, maxy)
        k = iv.scale / v.scale
        return QRectF(x, y, iv.width * k, iv.height * k)

    def render_image(
        self, view: View | None = None, background: str | None = None, dpr: float = 1.0
    ) -> QImage:
        """Render synchronously on this thread (export, tests). Same code and layers as the
        worker (including big highlights)."""
        view = view or self.view
        layers = self._layers + [lay for ov in self._overlays.values() for lay in ov.layers]
        return render_map(layers, view, background=background or self._background, dpr=dpr)

    def shutdown(self) -> None:
        """Stop the render thread (called on close and on application quit)."""
        self._shut_down = True
        self._rendering = False
        self._render_timer.stop()
        self._flash_timer.stop()
        if self._thread.isRunning():
            self._thread.stop()

    # --- overlays -------------------------------------------------------------------------------
    def _features(self, layer_kind: str, ids: Iterable):
        layer = self.layer(layer_kind)
        if layer is None:
            return None
        ids = [ids] if isinstance(ids, (str, bytes)) else ids
        return layer.data.iloc[layer.rows_of(ids)]  # the layer's id→row index

    def _make_overlay(
        self,
        layer_kind: str,
        ids: frozenset,
        style: HighlightStyle,
        allow_worker: bool = True,
        rows: np.ndarray | None = None,
    ) -> Overlay:
        """An overlay of the features at ``rows`` (default: the rows of ``ids``), cut from
        the layer's prepared arrays (no geometry goes back through shapely)."""
        return make_overlay(
            self.layer(layer_kind),
            layer_kind,
            ids,
            style,
            rows,
            worker_min_features=WORKER_HIGHLIGHT_MIN_FEATURES if allow_worker else None,
        )

    def set_highlight_rows(
        self,
        layer_kind: str,
        rows: Iterable[int],
        style: HighlightStyle | None = None,
        group: str = "highlight",
    ) -> None:
        """Like :meth:`set_highlight`, by row positions in the layer's data (e.g. the rows of
        traced edges: ``net.piece_row[net.edge_piece[edges]]``)."""
        layer = self.layer(layer_kind)
        rows = np.asarray(list(rows) if not hasattr(rows, "dtype") else rows)
        if len(rows) > 1 and not bool((np.diff(rows) > 0).all()):  # sorted and unique: as is
            rows = np.unique(rows)
        if layer is None or len(rows) == 0:
            self.set_highlight(layer_kind, (), style, group)
            return
        rows = rows.astype(np.int64)
        ids = frozenset(i for i in layer.feature_ids()[rows].tolist() if i is not None)
        key = (group, layer_kind)
        old = self._overlays.pop(key, None)
        if style is None:
            style = SELECTION_STYLE if group == "selection" else HIGHLIGHT_STYLE
        self._overlays[key] = self._make_overlay(layer_kind, ids, style, rows=rows)
        if (old is not None and old.layers) or self._overlays[key].layers:
            self.refresh()
        self.update()

    def set_highlight(
        self,
        layer_kind: str,
        ids: Iterable,
        style: HighlightStyle | None = None,
        group: str = "highlight",
    ) -> None:
        """Highlight features of a layer (by kind or name) by id, on top of the map.

        One highlight per (group, layer); "selection" is the group for the selection
        (yellow by default). An empty ``ids`` clears that highlight.
        """
        ids = frozenset(str(i) for i in ids)
        key = (group, layer_kind)
        old = self._overlays.pop(key, None)
        if ids:
            if style is None:
                style = SELECTION_STYLE if group == "selection" else HIGHLIGHT_STYLE
            self._overlays[key] = self._make_overlay(layer_kind, ids, style)
        if (old is not None and old.layers) or (ids and self._overlays[key].layers):
            self.refresh()
        self.update()

    def clear_highlight(self, group: str | None = None, layer_kind: str | None = None) -> None:
        """Clear highlights of a group (None: all groups) and layer (None: all layers)."""
        for key in list(self._overlays):
            if key[0].startswith("_"):
                continue
            matches = (group is None or key[0] == group) and (
                layer_kind is None or key[1] == layer_kind
            )
            if matches and self._overlays.pop(key).layers:
                self.refresh()
        self.update()

    def highlighted_ids(self, layer_kind: str, group: str = "highlight") -> frozenset:
        ov = self._overlays.get((group, layer_kind))
        return ov.ids if ov is not None else frozenset()

    @property
    def highlighted_pipe_ids(self) -> frozenset:
        return self.highlighted_ids(schema.PIPES)

    def flash(self, layer_kind: str, ids: Iterable, times: int = 3) -> None:
        """Blink features a few times (after zooming to a result row)."""
        ids = frozenset(str(i) for i in ids)
        self._overlays[("_flash", layer_kind)] = self._make_overlay(
            layer_kind, ids, FLASH_STYLE, allow_worker=False
        )
        self._flash_left = 2 * times
        self._flash_on = True
        self._flash_timer.start()
        self.update()

    def _on_flash_timer_timeout(self) -> None:
        self._flash_left -= 1
        self._flash_on = not self._flash_on
        if self._flash_left <= 0:
            self._flash_timer.stop()
            for key in [k for k in self._overlays if k[0] == "_flash"]:
                del self._overlays[key]
        self.update()

    def is_flashing(self) -> bool:
        return self._flash_timer.isActive()

    def set_rubber_band(
        self,
        coords: Sequence[Sequence[float]],
        closed: bool = False,
        style: HighlightStyle | None = None,
    ) -> None:
        """Temporary geometry of a measure/draw tool: a polyline (``closed``: a polygon) in
        map coordinates, vertices marked."""
        xy = np.asarray(coords, dtype=float).reshape(-1, 2)
        self._rubber = (xy, closed, style or RUBBER_STYLE)
        self.update()

    def clear_rubber_band(self) -> None:
        self._rubber = None
        self.update()

    def rubber_band(self) -> np.ndarray | None:
        return None if self._rubber is None else self._rubber[0].copy()

    # --- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.fillRect(self.rect(), QColor(self._background))
            view = self.view
            if self._image is not None and self._image_view is not None:
                if view.same_as(self._image_view):
                    p.drawImage(QPointF(0, 0), self._image)
                else:
                    p.drawImage(self.preview_rect(), self._image, QRectF(self._image.rect()))
            self._paint_overlays(p, view)
            self._paint_rubber(p, view)
            if self._rect_end is not None and self._press_pos is not None:
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                p.setPen(QPen(QColor("#1a5fb4"), 1, Qt.PenStyle.DashLine))
                p.setBrush(QColor(26, 95, 180, 40))
                p.drawRect(QRectF(self._press_pos, self._rect_end).normalized())
        finally:
            p.end()

    def _paint_overlays(self, p: QPainter, view: View) -> None:
        for key, ov in self._overlays.items():
            if key[0] != "_flash" or self._flash_on:
                paint_overlay(p, ov, view)

    def _paint_rubber(self, p: QPainter, view: View) -> None:
        if self._rubber is not None:
            paint_rubber_band(p, *self._rubber, view)

    # --- events -------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._view is None and self._layers:
            self._view = View.fit(self.full_extent(), max(1, self.width()), max(1, self.height()))
        _ = self.view  # adopt the new size, keeping centre and scale
        self.view_changed.emit(self.view)
        self._schedule_render(RENDER_DELAY_MS if self._image is not None else 0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            event.ignore()
            return
        pos = event.position()
        self.zoom_by(WHEEL_ZOOM_STEP**steps, pos.x(), pos.y())
        event.accept()

    def claim_clicks(self, on: bool) -> None:
        """While claimed, left clicks go to :attr:`claimed_click` instead of :attr:`clicked`
        (a one-shot pick: the active map tool does not also act). Claims nest."""
        self._click_claims = max(0, self._click_claims + (1 if on else -1))

    @property
    def clicks_claimed(self) -> bool:
        return self._click_claims > 0

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position()
        self._press_button = event.button()
        self._press_view = self.view
        self._press_map = self.to_map(event.position().x(), event.position().y())
        self._dragging = False
        if event.button() == Qt.MouseButton.LeftButton and self._mode == CanvasMode.EDIT:
            x, y = self.to_map(event.position().x(), event.position().y())
            self.mouse_pressed.emit(x, y, event.modifiers())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        x, y = self.to_map(pos.x(), pos.y())
        self.mouse_moved.emit(x, y)
        if self._press_pos is None:
            return
        delta = pos - self._press_pos
        if not self._dragging and max(abs(delta.x()), abs(delta.y())) >= DRAG_THRESHOLD_PX:
            self._dragging = True
        if not self._dragging:
            return
        button = self._press_button
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton
            and self._mode not in (CanvasMode.SELECT, CanvasMode.EDIT)
        ):
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.set_view(
                self._press_view.panned(delta.x(), delta.y()), record=False, delay_ms=10_000_000
            )  # rendered on release
            self._render_timer.stop()
        elif button == Qt.MouseButton.LeftButton and self._mode == CanvasMode.SELECT:
            self._rect_end = pos
            self.update()
        elif button == Qt.MouseButton.LeftButton and self._mode == CanvasMode.EDIT:
            self.mouse_dragged.emit(x, y)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        x, y = self.to_map(pos.x(), pos.y())
        button, dragging = self._press_button, self._dragging
        self._press_pos, self._dragging = None, False
        self._press_button = Qt.MouseButton.NoButton
        if event.button() != button:
            return
        if dragging and (
            button == Qt.MouseButton.MiddleButton
            or self._mode not in (CanvasMode.SELECT, CanvasMode.EDIT)
        ):
            self._apply_cursor()
            self._record_view(self.view)
            self._schedule_render(0)
            return
        if button == Qt.MouseButton.LeftButton:
            if self._mode == CanvasMode.EDIT:
                self.mouse_released.emit(x, y)
                if dragging:
                    return
            if dragging and self._mode == CanvasMode.SELECT and self._rect_end is not None:
                ax, ay = self.to_map(self._rect_end.x(), self._rect_end.y())
                sx, sy = self._press_map
                self._rect_end = None
                self.update()
                self.rectangle_selected.emit(min(sx, ax), min(sy, ay), max(sx, ax), max(sy, ay))
                return
            if self._click_claims:
                self.claimed_click.emit(x, y, event.modifiers())
            else:
                self.clicked.emit(x, y, event.modifiers())
        elif button == Qt.MouseButton.RightButton and not dragging:
            self.right_clicked.emit(x, y)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            x, y = self.to_map(event.position().x(), event.position().y())
            self.double_clicked.emit(x, y)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        w, h = self.width() * KEY_PAN_FRACTION, self.height() * KEY_PAN_FRACTION
        pans = {
            Qt.Key.Key_Left: (w, 0),
            Qt.Key.Key_Right: (-w, 0),
            Qt.Key.Key_Up: (0, h),
            Qt.Key.Key_Down: (0, -h),
        }
        if key in pans:
            self.pan_by_pixels(*pans[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_PageUp):
            self.zoom_by(KEY_ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore, Qt.Key.Key_PageDown):
            self.zoom_by(1.0 / KEY_ZOOM_STEP)
        elif key == Qt.Key.Key_Home:
            self.zoom_to_full_extent()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if (
            event.key()
            in (
                Qt.Key.Key_Left,
                Qt.Key.Key_Right,
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
                Qt.Key.Key_Plus,
                Qt.Key.Key_Minus,
                Qt.Key.Key_Equal,
                Qt.Key.Key_PageUp,
                Qt.Key.Key_PageDown,
            )
            and not event.isAutoRepeat()
        ):
            self._record_view(self.view)
        super().keyReleaseEvent(event)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def _stop_thread(thread: RenderThread, *_args) -> None:
    try:
        if thread.isRunning():
            thread.stop()
    except RuntimeError:  # already deleted
        pass
