"""The layer panel: visibility, order, opacity, style, labels and the legend of each layer.

It drives a :class:`~gisapp.qt.map_canvas.MapCanvas` through its public layer methods and
follows ``MapCanvas.layers_changed``. The tree lists layers top first (as drawn); each
layer's legend entries are its children, with icons painted from the same symbols the
renderer uses.
"""

from __future__ import annotations

import logging

import pandas as pd
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.cartography import symbology
from gisapp.cartography.symbology import LegendEntry
from gisapp.qt.field_labels import field_label
from gisapp.qt.map_canvas import MapCanvas
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.symbols import paint_marker, polygon_brushes

log = logging.getLogger(__name__)

NAME_ROLE = Qt.ItemDataRole.UserRole
ICON_SIZE = QSize(30, 16)
STYLE_DEFAULT = "default"
STYLE_CHOICES = (STYLE_DEFAULT, symbology.SINGLE, symbology.CATEGORIZED, symbology.GRADUATED)


def legend_icon(entry: LegendEntry, size: QSize = ICON_SIZE) -> QPixmap:
    """A small picture of a legend entry's symbol."""
    pix = QPixmap(size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    sym = entry.symbol
    w, h = size.width(), size.height()
    if entry.geometry in ("line", "arrow"):
        pen = QPen(QColor(sym.color), max(1.0, sym.width))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if sym.dash != "solid":
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(2, h / 2), QPointF(w - 2, h / 2))
        if entry.geometry == "arrow":
            p.drawLine(QPointF(w / 2 - 3, h / 2 - 4), QPointF(w / 2 + 3, h / 2))
            p.drawLine(QPointF(w / 2 - 3, h / 2 + 4), QPointF(w / 2 + 3, h / 2))
    elif entry.geometry == "polygon":
        rect = pix.rect().adjusted(2, 2, -2, -2)
        p.setPen(Qt.PenStyle.NoPen)
        for brush in polygon_brushes(sym):
            p.setBrush(brush)
            p.drawRect(rect)
        pen = QPen(QColor(sym.color), min(2.0, sym.width))
        if sym.dash != "solid":
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        p.drawRect(rect)
    else:
        paint_marker(
            p, symbology.Symbol(**{**sym.__dict__, "size": min(sym.size, h - 2)}), w / 2, h / 2
        )
    p.end()
    return pix


class LayerPanel(QWidget):
    """Layer list with legend, and the controls of the current layer.

    Widgets (object names): ``layer_tree``, ``up_button``, ``down_button``, ``zoom_button``,
    ``opacity_slider``, ``style_combo``, ``field_combo``, ``classes_spin``, ``label_combo``,
    ``message_label``.
    """

    layer_selected = Signal(str)  # layer name
    zoom_to_layer_requested = Signal(str)  # also acted on by the panel itself
    choices_changed = Signal()  # the user changed a style, label, visibility or opacity

    def __init__(
        self,
        canvas: MapCanvas,
        parent: QWidget | None = None,
        language: str = "zh",
        chinese_names: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("layer_panel")
        self._canvas = canvas
        self._language = language  # of the styles and legends
        # PipeAtlas's own columns under their Chinese names in the field and label pickers
        self._chinese_names = language == "zh" if chinese_names is None else chinese_names
        self._updating = False
        self._legend_keys: dict[str, object] = {}
        self._build_widgets()
        self._lay_out()
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.timeout.connect(self.sync)
        self._connect_signals()
        self.sync()

    def _build_widgets(self) -> None:
        """The layer tree, the order and zoom buttons, the style controls, the message line."""
        self.layer_tree = QTreeWidget(self)
        self.layer_tree.setObjectName("layer_tree")
        self.layer_tree.setHeaderHidden(True)
        self.layer_tree.setIconSize(ICON_SIZE)
        self.layer_tree.setRootIsDecorated(True)
        self.up_button = self._tool_button("up_button", Qt.ArrowType.UpArrow, self.tr("Raise"))
        self.down_button = self._tool_button(
            "down_button", Qt.ArrowType.DownArrow, self.tr("Lower")
        )
        self.zoom_button = QToolButton(self)
        self.zoom_button.setObjectName("zoom_button")
        self.zoom_button.setText(self.tr("Zoom to layer"))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity_slider.setObjectName("opacity_slider")
        self.opacity_slider.setRange(0, 100)
        self.style_combo = QComboBox(self)
        self.style_combo.setObjectName("style_combo")
        for kind, text in zip(
            STYLE_CHOICES,
            (
                self.tr("Default"),
                self.tr("Single symbol"),
                self.tr("By category"),
                self.tr("Graduated"),
            ),
            strict=True,
        ):
            self.style_combo.addItem(text, kind)
        self.field_combo = QComboBox(self)
        self.field_combo.setObjectName("field_combo")
        self.classes_spin = QSpinBox(self)
        self.classes_spin.setObjectName("classes_spin")
        self.classes_spin.setRange(2, 12)
        self.classes_spin.setValue(5)
        self.label_combo = QComboBox(self)
        self.label_combo.setObjectName("label_combo")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("message_label")
        self.message_label.setWordWrap(True)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        buttons.addWidget(self.zoom_button)
        form = QFormLayout()
        form.addRow(self.tr("Opacity"), self.opacity_slider)
        form.addRow(self.tr("Style"), self.style_combo)
        form.addRow(self.tr("Field"), self.field_combo)
        form.addRow(self.tr("Classes"), self.classes_spin)
        form.addRow(self.tr("Labels"), self.label_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.layer_tree, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.message_label)

    def _connect_signals(self) -> None:
        self._canvas.layers_changed.connect(self._on_canvas_layers_changed)
        self.layer_tree.itemChanged.connect(self._on_layer_tree_item_changed)
        self.layer_tree.currentItemChanged.connect(self._on_layer_tree_current_item_changed)
        self.up_button.clicked.connect(lambda: self._move_current(+1))
        self.down_button.clicked.connect(lambda: self._move_current(-1))
        self.zoom_button.clicked.connect(self._on_zoom_button_clicked)
        self.opacity_slider.valueChanged.connect(self._on_opacity_slider_value_changed)
        self.style_combo.activated.connect(self._apply_style)
        self.field_combo.activated.connect(self._apply_style)
        self.classes_spin.valueChanged.connect(self._on_classes_spin_value_changed)
        self.label_combo.activated.connect(self._on_label_combo_activated)

    def _tool_button(self, name: str, arrow: Qt.ArrowType, tip: str) -> QToolButton:
        b = QToolButton(self)
        b.setObjectName(name)
        b.setArrowType(arrow)
        b.setToolTip(tip)
        return b

    # --- state -------------------------------------------------------------------------------
    def current_layer_name(self) -> str | None:
        item = self.layer_tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return None if item is None else item.data(0, NAME_ROLE)

    def current_layer(self) -> MapLayer | None:
        name = self.current_layer_name()
        return None if name is None else self._canvas.layer_by_name(name)

    def select_layer(self, name: str) -> None:
        for i in range(self.layer_tree.topLevelItemCount()):
            item = self.layer_tree.topLevelItem(i)
            if item.data(0, NAME_ROLE) == name:
                self.layer_tree.setCurrentItem(item)
                return

    def layer_item(self, name: str) -> QTreeWidgetItem | None:
        for i in range(self.layer_tree.topLevelItemCount()):
            item = self.layer_tree.topLevelItem(i)
            if item.data(0, NAME_ROLE) == name:
                return item
        return None

    def legend_labels(self, name: str) -> list[str]:
        """The legend rows shown under a layer (for tests and the export)."""
        item = self.layer_item(name)
        if item is None:
            return []
        return [item.child(i).text(0) for i in range(item.childCount())]

    # --- syncing with the canvas ---------------------------------------------------------------
    def _on_canvas_layers_changed(self) -> None:
        self._sync_timer.start(0)

    def sync(self) -> None:
        """Bring the tree and controls up to date with the canvas layers."""
        current = self.current_layer_name()
        layers = list(reversed(self._canvas.layers))  # top first
        names = [lay.name for lay in layers]
        existing = [
            self.layer_tree.topLevelItem(i).data(0, NAME_ROLE)
            for i in range(self.layer_tree.topLevelItemCount())
        ]
        self._updating = True
        try:
            if names != existing:
                expanded = {n for n in existing if self.layer_item(n).isExpanded()}
                self.layer_tree.clear()
                self._legend_keys.clear()
                for lay in layers:
                    item = QTreeWidgetItem([lay.title])
                    item.setData(0, NAME_ROLE, lay.name)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    self.layer_tree.addTopLevelItem(item)
                    item.setExpanded(lay.name in expanded or not existing)
            for lay in layers:
                item = self.layer_item(lay.name)
                item.setText(0, lay.title)
                item.setCheckState(
                    0, Qt.CheckState.Checked if lay.visible else Qt.CheckState.Unchecked
                )
                key = (lay.style, lay.version, lay.derived_version)
                if self._legend_keys.get(lay.name) != key:
                    self._legend_keys[lay.name] = key
                    self._fill_legend(item, lay)
            if current is None and layers:
                current = layers[0].name
            if current is not None:
                self.select_layer(current)
        finally:
            self._updating = False
        self._update_controls()

    def _fill_legend(self, item: QTreeWidgetItem, layer: MapLayer) -> None:
        item.takeChildren()
        # the style's columns, derived ones included (classify cost: not on huge layers)
        data = layer.snapshot().style_frame() if len(layer.data) <= 200_000 else None
        for entry in symbology.legend_entries(
            layer.style, layer.geometry, self._language, data=data
        ):
            child = QTreeWidgetItem([entry.label])
            child.setIcon(0, QIcon(legend_icon(entry)))
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.addChild(child)

    def _update_controls(self) -> None:
        layer = self.current_layer()
        enabled = layer is not None
        for w in (
            self.up_button,
            self.down_button,
            self.zoom_button,
            self.opacity_slider,
            self.style_combo,
            self.field_combo,
            self.classes_spin,
            self.label_combo,
        ):
            w.setEnabled(enabled)
        if layer is None:
            return
        self._updating = True
        try:
            self.opacity_slider.setValue(round(layer.opacity * 100))
            fields = layer.field_names()
            self.field_combo.clear()
            for c in fields:
                self.field_combo.addItem(self._field_text(layer, c), c)
                self.field_combo.setItemData(
                    self.field_combo.count() - 1, str(c), Qt.ItemDataRole.ToolTipRole
                )
            kind = (
                STYLE_DEFAULT
                if layer.style == symbology.default_style(layer.kind, self._language)
                else layer.style.kind
            )
            self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(kind)))
            if layer.style.field is not None:
                i = self.field_combo.findData(layer.style.field)
                if i >= 0:
                    self.field_combo.setCurrentIndex(i)
            self._enable_style_fields(kind)
            self.label_combo.clear()
            self.label_combo.addItem(self.tr("(none)"), None)
            for c in fields:
                self.label_combo.addItem(self._field_text(layer, c), c)
                self.label_combo.setItemData(
                    self.label_combo.count() - 1, str(c), Qt.ItemDataRole.ToolTipRole
                )
            i = self.label_combo.findData(layer.label_field) if layer.label_field else 0
            self.label_combo.setCurrentIndex(max(0, i))
            idx = self._canvas.layers.index(layer)
            self.up_button.setEnabled(idx < len(self._canvas.layers) - 1)
            self.down_button.setEnabled(idx > 0)
        finally:
            self._updating = False

    def _field_text(self, layer: MapLayer, column: object) -> str:
        """A column as the pickers show it: PipeAtlas's own columns by their Chinese names in
        the Chinese interface (the source's own names as they are)."""
        return field_label(layer.kind, str(column), self._chinese_names, layer.field_names())

    def _enable_style_fields(self, kind: str) -> None:
        """The field box serves categorized and graduated styles, the classes box graduated:
        enabled from the style chosen in the box (also when that style could not be made
        yet, so that another field can be chosen)."""
        self.field_combo.setEnabled(kind in (symbology.CATEGORIZED, symbology.GRADUATED))
        self.classes_spin.setEnabled(kind == symbology.GRADUATED)

    # --- remembered choices -------------------------------------------------------------------
    def choices(self) -> dict[str, dict]:
        """Per layer: style kind, field, classes, label field, visibility, opacity."""
        out: dict[str, dict] = {}
        for layer in self._canvas.layers:
            style = layer.style
            default = style == symbology.default_style(layer.kind, self._language)
            out[layer.name] = {
                "style": STYLE_DEFAULT if default else style.kind,
                "field": None if default else style.field,
                "classes": len(style.classes) if style.kind == symbology.GRADUATED else None,
                "label": layer.label_field,
                "visible": bool(layer.visible),
                "opacity": round(float(layer.opacity), 3),
            }
        return out

    def apply_choices(self, choices: dict[str, dict]) -> None:
        """Give the layers the :meth:`choices` of a former session; a choice that no longer
        fits the data (a field gone) is left out."""
        for name, c in choices.items():
            layer = self._canvas.layer_by_name(name)
            if layer is None or not isinstance(c, dict):
                continue
            fields = layer.field_names()
            kind = c.get("style", STYLE_DEFAULT)
            if kind in STYLE_CHOICES and kind != STYLE_DEFAULT:
                field = c.get("field")
                try:
                    style = self.build_style(
                        layer,
                        kind,
                        field if field in fields else None,
                        int(c.get("classes") or 5),
                    )
                except (ValueError, TypeError) as exc:
                    log.info("layer %s: remembered style left out (%s)", name, exc)
                else:
                    self._canvas.set_layer_style(name, style)
            label = c.get("label")
            if label is None or label in fields:
                self._canvas.set_layer_label_field(name, label)
            if "visible" in c:
                self._canvas.set_layer_visible(name, bool(c["visible"]))
            if isinstance(c.get("opacity"), int | float):
                self._canvas.set_layer_opacity(name, min(1.0, max(0.0, float(c["opacity"]))))
        self.sync()

    # --- user actions ------------------------------------------------------------------------
    def _on_layer_tree_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._updating or item.parent() is not None:
            return
        name = item.data(0, NAME_ROLE)
        visible = item.checkState(0) == Qt.CheckState.Checked
        layer = self._canvas.layer_by_name(name)
        if layer is not None and layer.visible != visible:
            self._canvas.set_layer_visible(name, visible)
            self.choices_changed.emit()

    def _on_layer_tree_current_item_changed(self, *_args) -> None:
        if self._updating:
            return
        self._update_controls()
        name = self.current_layer_name()
        if name is not None:
            self.layer_selected.emit(name)

    def _move_current(self, step: int) -> None:
        layer = self.current_layer()
        if layer is None:
            return
        idx = self._canvas.layers.index(layer)
        self._canvas.move_layer(layer.name, idx + step)

    def _on_zoom_button_clicked(self) -> None:
        name = self.current_layer_name()
        if name is not None:
            self.zoom_to_layer_requested.emit(name)
            self._canvas.zoom_to_layer(name)

    def _on_opacity_slider_value_changed(self, value: int) -> None:
        if self._updating:
            return
        name = self.current_layer_name()
        if name is not None:
            self._canvas.set_layer_opacity(name, value / 100.0)
            self.choices_changed.emit()

    def _on_classes_spin_value_changed(self, _value: int) -> None:
        if not self._updating and self.style_combo.currentData() == symbology.GRADUATED:
            self._apply_style()

    def _on_label_combo_activated(self, _index: int) -> None:
        name = self.current_layer_name()
        if name is not None and not self._updating:
            self._canvas.set_layer_label_field(name, self.label_combo.currentData())
            self.choices_changed.emit()

    def _apply_style(self, *_args) -> None:
        if self._updating:
            return
        layer = self.current_layer()
        if layer is None:
            return
        kind = self.style_combo.currentData()
        self._enable_style_fields(kind)
        field = self.field_combo.currentData()
        self.message_label.clear()
        try:
            style = self.build_style(layer, kind, field, self.classes_spin.value())
        except ValueError as exc:
            self.message_label.setText(str(exc))
            return
        self._canvas.set_layer_style(layer.name, style)
        self.choices_changed.emit()

    def build_style(
        self, layer: MapLayer, kind: str, field: str | None, n_classes: int = 5
    ) -> symbology.Style:
        """The style the controls describe (raises ValueError for an unusable field)."""
        if kind == STYLE_DEFAULT:
            return symbology.default_style(layer.kind, self._language)
        if kind == symbology.SINGLE:
            color = _first_color(layer.style)
            return symbology.single_style(layer.geometry, color)
        if field is None:
            raise ValueError(self.tr("Choose a field to classify by."))
        values = layer.attributes([field] if field in layer.field_names() else None)
        if kind == symbology.CATEGORIZED:
            return symbology.categorized_style(
                values, field, layer.geometry, language=self._language
            )
        if not pd.api.types.is_numeric_dtype(values[field]):
            numeric = pd.to_numeric(values[field], errors="coerce")
            if numeric.notna().sum() == 0:
                raise ValueError(
                    self.tr(
                        "Field {0} has no numbers: choose a numeric field for a graduated style."
                    ).format(field)
                )
        return symbology.graduated_style(values, field, layer.geometry, n_classes)


def _first_color(style: symbology.Style) -> str:
    if style.kind == symbology.SINGLE and style.default is not None:
        return style.default.color
    if style.classes:
        return style.classes[0].symbol.color
    return "#3c78b4"
