"""Inspect and find on the map: pan, identify, select, attribute tables, search, measure.

An extension module (``install(window) -> InspectController``). It also owns the
:class:`MapToolHub`, the small object that the map-tool extensions of one window share: the
exclusive group of map-tool actions (one tool at a time), the single Esc shortcut (two
QShortcuts on the same key would be ambiguous and neither would fire) and the feature
selection (per layer, drawn with canvas group ``"selection"``). Other modules get it with
``MapToolHub.of(window)``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QCoreApplication, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.field_labels import field_label, value_label
from gisapp.qt.map_canvas import CanvasMode, MapCanvas
from gisapp.qt.map_layer import LineGeometry, MapLayer, PointGeometry
from network import schema
from network.graph import crs_unit_m

log = logging.getLogger(__name__)

IDENTIFY_TOLERANCE_PX = 5.0
SEARCH_KINDS = (
    schema.ENTERPRISES,
    schema.OUTFALLS,
    schema.PLANTS,
    schema.MANHOLES,
    schema.PIPES,
    schema.ZONES,
)
POINT_MIN_SCALE = 0.5  # map units per pixel when zooming onto a single point
FEATURE_ROLE = Qt.ItemDataRole.UserRole + 1


# --------------------------------------------------------------------------------------------
# feature look-ups on map layers (shared by the tools of the other map extensions)
# --------------------------------------------------------------------------------------------
def feature_ids(layer: MapLayer) -> np.ndarray:
    """Object array of the id of every row of ``layer`` (its kind's id column, else the index),
    as ``str`` (None when missing) — the ids the canvas highlights with (the layer's one
    id→row index, built once per data version)."""
    return layer.feature_ids()


def feature_positions(layer: MapLayer, ids: Iterable[Any]) -> np.ndarray:
    """Row positions of the features of ``layer`` with these ids."""
    return layer.rows_of(ids)


def features_bounds(canvas: MapCanvas, layer_name: str, ids: Iterable[Any]):
    """(minx, miny, maxx, maxy) of features by id, or None when none is on the map."""
    layer = canvas.layer(layer_name)
    if layer is None:
        return None
    pos = feature_positions(layer, ids)
    if len(pos) == 0:
        return None
    if getattr(layer, "geometry_read_apart", False):  # map read, attributes not yet: arrays
        geom = layer.prepared_geometry()
        boxes = geom.bounds[pos] if hasattr(geom, "bounds") else np.hstack([geom.xy[pos]] * 2)
        boxes = boxes[np.isfinite(boxes).all(axis=1)]
        if not len(boxes):
            return None
        b = np.array([*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0)])
    else:
        b = layer.data.iloc[pos].total_bounds
    return tuple(float(v) for v in b) if np.isfinite(b).all() else None


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def features_at(layer: MapLayer, x: float, y: float, tolerance: float) -> np.ndarray:
    """Row positions of features of ``layer`` within ``tolerance`` (map units) of (x, y),
    nearest first."""
    data = layer.data
    if data is None or len(data) == 0:
        return np.empty(0, dtype=np.int64)
    geom = layer.prepared_geometry()
    pt = shapely.Point(x, y)
    if isinstance(geom, PointGeometry):
        d = np.hypot(geom.xy[:, 0] - x, geom.xy[:, 1] - y)
        idx = np.flatnonzero(d <= tolerance)
        return idx[np.argsort(d[idx], kind="stable")]
    geoms = geom.geoms
    idx = np.asarray(geom.tree().query(pt, predicate="dwithin", distance=tolerance))
    if len(idx) == 0:
        return np.empty(0, dtype=np.int64)
    d = shapely.distance(geoms[idx], pt)
    return idx[np.argsort(d, kind="stable")].astype(np.int64)


def features_in_rect(layer: MapLayer, rect: Sequence[float]) -> np.ndarray:
    """Row positions of features of ``layer`` in a map rectangle (lines and points that touch
    it; polygons that lie wholly inside it)."""
    data = layer.data
    if data is None or len(data) == 0:
        return np.empty(0, dtype=np.int64)
    minx, miny, maxx, maxy = rect
    geom = layer.prepared_geometry()
    if isinstance(geom, PointGeometry):
        xy = geom.xy
        return np.flatnonzero(
            (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)
        )
    box = shapely.box(minx, miny, maxx, maxy)
    if isinstance(geom, LineGeometry):
        return np.sort(np.asarray(geom.tree().query(box, predicate="intersects")))
    return np.sort(np.asarray(geom.tree().query(box, predicate="contains")))


def map_layers(canvas: MapCanvas, visible_only: bool = True) -> list[MapLayer]:
    """The user's layers on the canvas, top first (no internal ``_`` layers)."""
    return [
        lay
        for lay in reversed(canvas.layers)
        if not lay.name.startswith("_") and (lay.visible or not visible_only)
    ]


def show_dock(
    window: Any, dock: QDockWidget, area: Qt.DockWidgetArea, size: int | None = None
) -> None:
    """Show and raise ``dock``; the first time, as a tab of a visible dock in the same area
    (rather than squeezing both), else at ``size`` pixels across."""
    if not dock.isVisible() and not dock.isFloating():
        others = [
            d
            for d in window.findChildren(QDockWidget)
            if d is not dock
            and d.isVisible()
            and not d.isFloating()
            and window.dockWidgetArea(d) == area
            and d.parent() is window
        ]
        if window.dockWidgetArea(dock) != area:
            window.addDockWidget(area, dock)
        if others:
            window.tabifyDockWidget(others[-1], dock)
        elif size is not None:
            orient = (
                Qt.Orientation.Horizontal
                if area
                in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
                else Qt.Orientation.Vertical
            )
            dock.show()
            window.resizeDocks([dock], [size], orient)
    dock.show()
    dock.raise_()


def use_chinese(window: Any) -> bool:
    """Whether the user reads Chinese (the app language, else the system locale)."""
    lang = getattr(getattr(window, "settings", None), "language", "") or QLocale().name()
    return str(lang).lower().startswith("zh")


def format_value(v: Any) -> str:
    """A cell value as text: missing -> "", whole floats without decimals."""
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return ""
        if float(v).is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{float(v):.4f}".rstrip("0").rstrip(".")
    if v is pd.NaT:
        return ""
    return str(v)


def escape_shortcut(window: Any) -> QShortcut:
    """The window's one Esc shortcut (found by key and context, else made here), shared by
    every extension: two QShortcuts on one key are ambiguous and neither fires."""
    key = QKeySequence(Qt.Key.Key_Escape)
    for sc in window.findChildren(QShortcut):
        if sc.key() == key and sc.context() == Qt.ShortcutContext.WindowShortcut:
            return sc
    sc = QShortcut(key, window)
    sc.setObjectName("escape_shortcut")
    sc.setContext(Qt.ShortcutContext.WindowShortcut)
    return sc


# --------------------------------------------------------------------------------------------
# the shared hub
# --------------------------------------------------------------------------------------------
class MapToolHub(QObject):
    """What the map-tool extensions of one window share (see the module docstring)."""

    escape_pressed = Signal()
    selection_changed = Signal(str)  # layer name

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("map_tool_hub")
        self._window = window
        self.canvas: MapCanvas = window.canvas
        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self._selection: dict[str, frozenset[str]] = {}
        self.escape_shortcut = escape_shortcut(window)
        self.escape_shortcut.activated.connect(self.escape_pressed)
        self.escape_shortcut.activatedAmbiguously.connect(self.escape_pressed)
        self.canvas.mode_changed.connect(self._on_canvas_mode_changed)
        if hasattr(window, "project_opened"):
            window.project_opened.connect(lambda _p: self.clear_selection())

    @classmethod
    def of(cls, window: Any) -> MapToolHub:
        """The window's hub (made on first use)."""
        hub = window.findChild(MapToolHub, "map_tool_hub")
        return hub if hub is not None else cls(window)

    # tools
    def add_tool(self, action: QAction, mode: CanvasMode) -> None:
        """Make ``action`` an exclusive map tool that puts the canvas in ``mode``."""
        action.setCheckable(True)
        action.setData(str(mode))
        self.tool_group.addAction(action)
        action.toggled.connect(lambda on, m=mode: self.canvas.set_mode(m) if on else None)

    def active_tool(self) -> QAction | None:
        return self.tool_group.checkedAction()

    def _on_canvas_mode_changed(self, mode: str) -> None:
        act = self.tool_group.checkedAction()
        if act is not None and act.data() != mode:
            act.setChecked(False)  # another module's tool took the canvas
        if mode == str(CanvasMode.PAN) and self.tool_group.checkedAction() is None:
            pan = next(
                (a for a in self.tool_group.actions() if a.objectName() == "pan_action"), None
            )
            if pan is not None:
                pan.setChecked(True)

    # selection
    def selected_ids(self, layer_name: str) -> frozenset[str]:
        return self._selection.get(layer_name, frozenset())

    def selection(self) -> dict[str, frozenset[str]]:
        """Non-empty selections by layer name."""
        return {k: v for k, v in self._selection.items() if v}

    def set_selection(self, layer_name: str, ids: Iterable[Any], add: bool = False) -> None:
        """Select features of a layer by id (``add``: keep what is selected)."""
        ids = frozenset(str(i) for i in ids if not _missing(i))
        if add:
            ids = ids | self.selected_ids(layer_name)
        if ids == self.selected_ids(layer_name):
            return
        self._selection[layer_name] = ids
        if self.canvas.layer(layer_name) is not None:
            self.canvas.set_highlight(layer_name, ids, group="selection")
        self.selection_changed.emit(layer_name)

    def clear_selection(self, layer_name: str | None = None) -> None:
        names = [layer_name] if layer_name else list(self._selection)
        for name in names:
            self.set_selection(name, ())


# --------------------------------------------------------------------------------------------
# identify
# --------------------------------------------------------------------------------------------
class IdentifyDock(QDockWidget):
    """All attributes of the features under the cursor, grouped by layer and feature."""

    feature_activated = Signal(str, str)  # layer name, feature id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Identify results"), parent)
        self.setObjectName("identify_dock")
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 2, 2, 2)
        self.tree = QTreeWidget(body, objectName="identify_tree")
        self.tree.setHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.tree.setColumnWidth(0, 160)
        self.tree.header().setStretchLastSection(True)  # the value column takes the width
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        lay.addWidget(self.tree)
        self.setWidget(body)

    def show_features(self, hits: list[tuple[MapLayer, int]]) -> None:
        """Fill the tree with ``(layer, row position)`` pairs (top layer first)."""
        self.tree.clear()
        chinese = use_chinese(self.parentWidget())
        for layer, pos in hits:
            row = layer.data.iloc[pos]
            fid = feature_ids(layer)[pos]
            top = QTreeWidgetItem([f"{layer.title}", fid or ""])
            top.setData(0, FEATURE_ROLE, (layer.name, fid))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFont(1, font)
            geom_name = layer.data.geometry.name
            for col, value in row.items():
                if col == geom_name:
                    continue
                text = value_label(str(col), format_value(value), chinese)
                label = field_label(layer.kind, str(col), chinese, row.index)
                child = QTreeWidgetItem([label, text])
                child.setToolTip(0, str(col))
                child.setToolTip(1, text)
                top.addChild(child)
            g = row[geom_name]
            if g is not None and not g.is_empty:
                top.addChild(QTreeWidgetItem([self.tr("(geometry)"), self._geometry_text(g)]))
            self.tree.addTopLevelItem(top)
        if self.tree.topLevelItemCount():
            self.tree.topLevelItem(0).setExpanded(True)
        if self.tree.topLevelItemCount() == 1:
            self.tree.expandAll()

    def _geometry_text(self, g: Any) -> str:
        kind = g.geom_type
        if kind in ("LineString", "MultiLineString"):
            return self.tr("line, %1 long").replace("%1", f"{g.length:,.2f}")
        if kind in ("Polygon", "MultiPolygon"):
            return self.tr("area, %1").replace("%1", f"{g.area:,.1f}")
        if kind == "Point":
            return self.tr("point, %1").replace("%1", f"{g.x:,.3f}, {g.y:,.3f}")
        return kind

    def field_values(self) -> dict[str, dict[str, str]]:
        """For tests and copy: {"layer:id": {field: value}} of what is shown."""
        out: dict[str, dict[str, str]] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            name, fid = top.data(0, FEATURE_ROLE)
            out[f"{name}:{fid}"] = {
                top.child(k).text(0): top.child(k).text(1) for k in range(top.childCount())
            }
        return out

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        while item.parent() is not None:
            item = item.parent()
        data = item.data(0, FEATURE_ROLE)
        if data and data[1]:
            self.feature_activated.emit(data[0], data[1])


# --------------------------------------------------------------------------------------------
# the controller
# --------------------------------------------------------------------------------------------
class InspectController(QObject):
    """Pan / identify / select / measure tools, attribute tables and the search box."""

    identified = Signal(object)  # list of (layer name, feature id)
    measured = Signal(float)  # metres or square metres
    search_finished = Signal(str, object)  # layer name ("" when nothing found), ids

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas: MapCanvas = window.canvas
        self.hub = MapToolHub.of(window)
        self.tables: dict[str, Any] = {}  # layer name -> AttributeTableDock
        self._measure_pts: list[tuple[float, float]] = []
        self._measure_done = False
        self.measure_value: float | None = None
        self.measure_text = ""

        # the measurement on the map itself (top left of the canvas), not only in the status bar
        self.measure_box = QLabel(self.canvas)
        self.measure_box.setObjectName("measure_box")
        self.measure_box.setStyleSheet(
            "QLabel { background: rgba(255, 255, 255, 230); color: #004d4d;"
            " border: 1px solid #008b8b; border-radius: 3px; padding: 4px 8px; }"
        )
        self.measure_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.measure_box.move(8, 8)
        self.measure_box.hide()
        self.identify_dock = IdentifyDock(window)
        self.identify_dock.feature_activated.connect(self.flash_feature)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.identify_dock)
        self.identify_dock.hide()
        self._build_actions()
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.rectangle_selected.connect(self._on_canvas_rectangle_selected)
        self.canvas.double_clicked.connect(self._on_canvas_double_clicked)
        self.canvas.mouse_moved.connect(self._on_canvas_mouse_moved)
        self.hub.escape_pressed.connect(self._on_hub_escape_pressed)
        window.project_opened.connect(self._on_window_project_opened)
        if hasattr(window, "layer_updated"):
            window.layer_updated.connect(self._on_window_layer_updated)

    # --- building -------------------------------------------------------------------------
    def _make_action(self, text: str, name: str, tip: str = "", shortcut: str = "") -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        return act

    def _build_actions(self) -> None:
        w, tb = self.window, self.window.map_toolbar
        self.pan_action = self._make_action(
            self.tr("Pan"), "pan_action", self.tr("Drag to move the map")
        )
        self.identify_action = self._make_action(
            self.tr("Identify"),
            "identify_action",
            self.tr("Click a feature to list all its attributes"),
            "Ctrl+I",
        )
        self.select_action = self._make_action(
            self.tr("Select"),
            "select_action",
            self.tr("Click or drag a rectangle to select features; Shift adds"),
        )
        self.measure_distance_action = self._make_action(
            self.tr("Measure distance"),
            "measure_distance_action",
            self.tr("Click points; double-click finishes; Esc ends"),
        )
        self.measure_area_action = self._make_action(
            self.tr("Measure area"),
            "measure_area_action",
            self.tr("Click corners; double-click finishes; Esc ends"),
        )
        modes = (
            (self.pan_action, CanvasMode.PAN),
            (self.identify_action, CanvasMode.IDENTIFY),
            (self.select_action, CanvasMode.SELECT),
            (self.measure_distance_action, CanvasMode.MEASURE),
            (self.measure_area_action, CanvasMode.MEASURE),
        )
        for act, mode in modes:
            self.hub.add_tool(act, mode)
            tb.addAction(act)
            w.tools_menu.addAction(act)
        self.measure_distance_action.toggled.connect(self._on_measure_action_toggled)
        self.measure_area_action.toggled.connect(self._on_measure_action_toggled)
        self.pan_action.setChecked(True)

        self.table_action = self._make_action(
            self.tr("Attribute table"),
            "attribute_table_action",
            self.tr("Open the attribute table of the current layer"),
            "F6",
        )
        self.table_action.triggered.connect(self._on_table_action_triggered)
        tb.addAction(self.table_action)
        self.table_menu = QMenu(self.tr("Attribute table"), w)
        self.table_menu.setObjectName("attribute_table_menu")
        self.table_menu.aboutToShow.connect(self._fill_table_menu)
        w.view_menu.addSeparator()
        w.view_menu.addMenu(self.table_menu)
        w.view_menu.addAction(self.identify_dock.toggleViewAction())
        self.clear_selection_action = self._make_action(
            self.tr("Clear selection"), "clear_selection_action"
        )
        self.clear_selection_action.triggered.connect(lambda: self.hub.clear_selection())
        w.edit_menu.addAction(self.clear_selection_action)

        tb.addSeparator()
        self.search_edit = QLineEdit(w, objectName="search_edit")
        self.search_edit.setPlaceholderText(self.tr("Find id or enterprise name…"))
        self.search_edit.setToolTip(
            self.tr("Id of a pipe, manhole, outfall, plant or enterprise, or part of a name")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(260)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._completer = QCompleter([], self.search_edit)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.search_edit.setCompleter(self._completer)
        tb.addWidget(self.search_edit)
        find = self._make_action(self.tr("Find…"), "find_action", shortcut="Ctrl+F")
        find.triggered.connect(lambda: (self.search_edit.setFocus(), self.search_edit.selectAll()))
        w.edit_menu.addAction(find)

    # --- canvas events ----------------------------------------------------------------------
    def _on_canvas_clicked(self, x: float, y: float, modifiers: Any) -> None:
        act = self.hub.active_tool()
        if act is self.identify_action:
            self.identify(x, y)
        elif act is self.select_action:
            add = bool(
                _flags(modifiers)
                & (
                    _flag(Qt.KeyboardModifier.ShiftModifier)
                    | _flag(Qt.KeyboardModifier.ControlModifier)
                )
            )
            self.select_at(x, y, add=add)
        elif act in (self.measure_distance_action, self.measure_area_action):
            if self._measure_done:
                self._measure_pts = []
                self._measure_done = False
            self._measure_pts.append((x, y))
            self._update_measure(None)

    def _on_canvas_rectangle_selected(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.hub.active_tool() is not self.select_action:
            return
        mods = _flags(QCoreApplication.instance().keyboardModifiers())  # type: ignore[union-attr]
        add = bool(mods & _flag(Qt.KeyboardModifier.ShiftModifier))
        self.select_rect((x0, y0, x1, y1), add=add)

    def _on_canvas_double_clicked(self, _x: float, _y: float) -> None:
        if self._measuring() and self._measure_pts:
            self._measure_done = True
            self._update_measure(None)

    def _on_canvas_mouse_moved(self, x: float, y: float) -> None:
        if self._measuring() and self._measure_pts and not self._measure_done:
            self._update_measure((x, y))

    def _on_hub_escape_pressed(self) -> None:
        if self._measure_pts:
            self.end_measure()
        self.hub.clear_selection()

    def _on_window_project_opened(self, _project: Any) -> None:
        """A new project: no search text, and open tables start over (no filter)."""
        self.search_edit.clear()
        self._refresh_completer()
        for name, dock in list(self.tables.items()):
            layer = self.canvas.layer(name)
            if layer is None:
                dock.close()
            else:
                dock.start_over(layer)

    def _on_window_layer_updated(self, kind: str) -> None:
        if kind in (schema.ENTERPRISES, schema.OUTFALLS, schema.PLANTS):
            self._refresh_completer()
        for name, dock in list(self.tables.items()):
            layer = self.canvas.layer(name)
            if layer is None:
                dock.close()
            else:
                dock.set_layer(layer)

    # --- identify ---------------------------------------------------------------------------
    def identify(self, x: float, y: float, tolerance_px: float = IDENTIFY_TOLERANCE_PX) -> list:
        """List every feature of every visible layer within a few pixels of (x, y)."""
        tol = self.canvas.pixels_to_map_units(tolerance_px)
        hits = []
        for layer in map_layers(self.canvas):
            for pos in features_at(layer, x, y, tol).tolist():
                hits.append((layer, pos))
        self.identify_dock.show_features(hits)
        show_dock(self.window, self.identify_dock, Qt.DockWidgetArea.RightDockWidgetArea, 380)
        out = [(layer.name, feature_ids(layer)[pos]) for layer, pos in hits]
        if hits:
            self.window.statusBar().showMessage(
                self.tr("%n feature(s) identified", "", len(hits)), 4000
            )
        else:
            self.window.statusBar().showMessage(self.tr("No feature here"), 3000)
        self.identified.emit(out)
        return out

    # --- select -----------------------------------------------------------------------------
    def select_at(self, x: float, y: float, add: bool = False) -> tuple[str, str] | None:
        """Select the topmost feature under (x, y); ``add`` keeps the old selection (Shift)."""
        tol = self.canvas.pixels_to_map_units(IDENTIFY_TOLERANCE_PX)
        found = None
        for layer in map_layers(self.canvas):
            pos = features_at(layer, x, y, tol)
            if len(pos):
                found = (layer.name, feature_ids(layer)[int(pos[0])])
                break
        if not add:
            for name in list(self.hub.selection()):
                if found is None or name != found[0]:
                    self.hub.clear_selection(name)
        if found is not None:
            self.hub.set_selection(found[0], [found[1]], add=add)
        self._report_selection()
        return found

    def select_rect(self, rect: Sequence[float], add: bool = False) -> dict[str, frozenset[str]]:
        """Select features of every visible layer in a map rectangle."""
        chosen: dict[str, frozenset[str]] = {}
        for layer in map_layers(self.canvas):
            pos = features_in_rect(layer, rect)
            if len(pos):
                chosen[layer.name] = frozenset(x for x in feature_ids(layer)[pos] if x)
        names = set(chosen) | (set() if add else set(self.hub.selection()))
        for name in names:
            self.hub.set_selection(name, chosen.get(name, ()), add=add)
        self._report_selection()
        return chosen

    def _report_selection(self) -> None:
        n = sum(len(v) for v in self.hub.selection().values())
        self.window.statusBar().showMessage(self.tr("%n feature(s) selected", "", n), 4000)

    def flash_feature(self, layer_name: str, fid: str, zoom: bool = False) -> None:
        if self.canvas.layer(layer_name) is None:
            return
        if zoom:
            zoom_to(self.canvas, layer_name, [fid])
        self.canvas.flash(layer_name, [fid])

    # --- attribute tables -------------------------------------------------------------------
    def open_table(self, layer_name: str) -> Any:
        """Open (or raise) the attribute table dock of a layer."""
        from gisapp.qt.attribute_table import AttributeTableDock

        dock = self.tables.get(layer_name)
        layer = self.canvas.layer(layer_name)
        if layer is None:
            return None
        if dock is None:
            dock = AttributeTableDock(layer, self.hub, self.window)
            dock.destroyed.connect(lambda _=None, n=layer_name: self.tables.pop(n, None))
            self.tables[layer_name] = dock
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.hide()
        show_dock(self.window, dock, Qt.DockWidgetArea.BottomDockWidgetArea, 260)
        return dock

    def _on_table_action_triggered(self) -> None:
        panel = getattr(self.window, "layer_panel", None)
        name = panel.current_layer_name() if panel is not None else None
        if name is None:
            layers = map_layers(self.canvas, visible_only=False)
            pipes = self.canvas.layer(schema.PIPES)
            name = pipes.name if pipes is not None else (layers[0].name if layers else None)
        if name is not None:
            self.open_table(name)

    def _fill_table_menu(self) -> None:
        self.table_menu.clear()
        for layer in map_layers(self.canvas, visible_only=False):
            act = self.table_menu.addAction(f"{layer.title} ({len(layer.data)})")
            act.triggered.connect(lambda _=False, n=layer.name: self.open_table(n))
        if not self.table_menu.actions():
            self.table_menu.addAction(self.tr("(no layers)")).setEnabled(False)

    # --- search -----------------------------------------------------------------------------
    def _refresh_completer(self) -> None:
        words: list[str] = []
        for kind in (schema.ENTERPRISES, schema.OUTFALLS, schema.PLANTS):
            layer = self.canvas.layer(kind)
            if layer is None:
                continue
            words += [i for i in feature_ids(layer) if i]
            if "name" in layer.data.columns:
                words += [str(v) for v in layer.data["name"].dropna()]
        self._completer.model().setStringList(sorted(set(words)))  # type: ignore[attr-defined]

    def _on_search_edit_return_pressed(self) -> None:
        self.search(self.search_edit.text())

    def search(self, text: str) -> tuple[str, list[str]] | None:
        """Find an id (any layer) or part of an enterprise (or plant/outfall/zone) name;
        zoom to it, flash and select it."""
        text = text.strip()
        if not text:
            return None
        found = self.find(text)
        if found is None:
            self.window.statusBar().showMessage(
                self.tr("Nothing found for “%1”").replace("%1", text), 5000
            )
            self.search_finished.emit("", [])
            return None
        name, ids = found
        self.hub.clear_selection()
        self.hub.set_selection(name, ids)
        zoom_to(self.canvas, name, ids)
        self.canvas.flash(name, ids)
        self.window.statusBar().showMessage(
            self.tr("Found %1 in %2")
            .replace("%1", ", ".join(ids[:5]))
            .replace("%2", self.canvas.layer(name).title),
            5000,
        )
        self.search_finished.emit(name, ids)
        return found

    def find(self, text: str) -> tuple[str, list[str]] | None:
        """(layer name, ids) for an id (exact, any case) or a name part; None if nothing."""
        key = text.strip().lower()
        layers = [lay for kind in SEARCH_KINDS if (lay := self.canvas.layer(kind)) is not None]
        layers += [lay for lay in map_layers(self.canvas, visible_only=False) if lay not in layers]
        for layer in layers:
            ids = feature_ids(layer)
            hit = [i for i in ids if i is not None and i.lower() == key]
            if hit:
                return layer.name, list(dict.fromkeys(hit))
        for layer in layers:
            for col in ("name", "企业名称", "名称"):
                if col in layer.data.columns:
                    names = layer.data[col].astype(object).fillna("").astype(str)
                    mask = names.str.lower().str.contains(key, regex=False).to_numpy()
                    if mask.any():
                        ids = [i for i in feature_ids(layer)[mask] if i]
                        if ids:
                            return layer.name, list(dict.fromkeys(ids))
        return None

    # --- measure ----------------------------------------------------------------------------
    def _measuring(self) -> bool:
        return self.hub.active_tool() in (self.measure_distance_action, self.measure_area_action)

    def _on_measure_action_toggled(self, _on: bool) -> None:
        self.end_measure()

    def end_measure(self) -> None:
        """Forget the measured points and remove the rubber band (Esc)."""
        self._measure_pts = []
        self._measure_done = False
        self.canvas.clear_rubber_band()
        self.measure_box.hide()

    def _unit_m(self) -> float:
        project = getattr(self.window, "project", None)
        return crs_unit_m(project.crs) if project is not None else 1.0

    def _update_measure(self, floating: tuple[float, float] | None) -> None:
        pts = list(self._measure_pts) + ([floating] if floating is not None else [])
        area = self.hub.active_tool() is self.measure_area_action
        self.canvas.set_rubber_band(pts, closed=area)
        u = self._unit_m()
        xy = np.asarray(pts, dtype=float).reshape(-1, 2)
        seg = np.hypot(*np.diff(xy, axis=0).T) * u if len(xy) > 1 else np.zeros(0)
        if area:
            value = abs(shapely.Polygon(xy).area) * u * u if len(xy) >= 3 else 0.0
            perim = float(seg.sum()) + (
                float(np.hypot(*(xy[-1] - xy[0]))) * u if len(xy) >= 3 else 0.0
            )
            text = self.tr("Area: %1 m² (%2 ha), perimeter %3 m")
            text = (
                text.replace("%1", f"{value:,.1f}")
                .replace("%2", f"{value / 10_000:,.3f}")
                .replace("%3", f"{perim:,.2f}")
            )
        else:
            value = float(seg.sum())
            text = self.tr("Distance: %1 m").replace("%1", f"{value:,.2f}")
            if len(seg) > 1:
                text += self.tr(" (last segment %1 m)").replace("%1", f"{seg[-1]:,.2f}")
        if self._measure_done:
            text += self.tr(" — finished; click to start again, Esc to clear")
        self.measure_value = value
        self.measure_text = text
        self.window.statusBar().showMessage(text)
        self.measure_box.setText(text)
        self.measure_box.adjustSize()
        self.measure_box.show()
        self.measure_box.raise_()
        self.measured.emit(value)


def zoom_to(canvas: MapCanvas, layer_name: str, ids: Iterable[str]) -> None:
    """Zoom to features; a single point gets a readable scale rather than the closest zoom."""
    layer = canvas.layer(layer_name)
    if layer is None:
        return
    min_scale = POINT_MIN_SCALE if layer.geometry == "point" else 0.1
    canvas.zoom_to_features(layer_name, ids, min_scale=min_scale)


def _flag(f: Any) -> int:
    return int(getattr(f, "value", f))


def _flags(mods: Any) -> int:
    try:
        return _flag(mods)
    except (TypeError, ValueError):
        return 0


def install(window: Any) -> InspectController:
    return InspectController(window)
