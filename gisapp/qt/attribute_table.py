"""The attribute table of a map layer: a fast table model over its GeoDataFrame and a dock.

The model keeps the frame as it is and an ``order`` array of row positions (the filtered and
sorted rows); cells are formatted only when the view asks for them, so 100,000 rows open at
once. Sorting and filtering are vectorised with pandas. Selection goes both ways through the
window's :class:`~gisapp.qt.inspect_tools.MapToolHub` (ids per layer).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.field_labels import VALUE_LABELS_ZH, field_label, value_label
from gisapp.qt.inspect_tools import MapToolHub, feature_ids, format_value, use_chinese, zoom_to
from gisapp.qt.map_layer import MapLayer

log = logging.getLogger(__name__)

_INDEX = (QModelIndex, QPersistentModelIndex)
_FILTER_RE = re.compile(r"^\s*(.+?)\s*(==|!=|>=|<=|=|>|<|~)\s*(.*?)\s*$")
FILTER_DELAY_MS = 250


class FilterError(ValueError):
    """A filter expression names no column (shown under the filter box)."""


def _text_column(raw: pd.Series) -> pd.Series:
    """Lower-case text of a column as shown in the table (vectorised where it can be)."""
    dtype = raw.dtype
    if pd.api.types.is_float_dtype(dtype):
        vals = raw.to_numpy(dtype=float)
        finite = np.isfinite(vals)
        if np.all(np.mod(vals[finite], 1) == 0) and np.all(np.abs(vals[finite]) < 1e15):
            text = np.where(finite, np.nan_to_num(vals).astype(np.int64).astype(str), "")
            return pd.Series(text, dtype=object)
    elif pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        out = raw.astype(object).where(raw.notna(), "").astype(str).str.lower()
        return out.reset_index(drop=True)
    return pd.Series([format_value(v) for v in raw.tolist()], dtype=object).str.lower()


class FeatureTableModel(QAbstractTableModel):
    """Rows of a GeoDataFrame (all columns but the geometry), filtered and sorted."""

    def __init__(self, layer: MapLayer, parent: Any = None, chinese: bool = False) -> None:
        super().__init__(parent)
        self.chinese = chinese  # PipeAtlas's own columns and codes under Chinese names
        self._layer = layer
        self._data = layer.data
        self._columns: list[str] = []
        self._ids = np.empty(0, dtype=object)
        self._order = np.empty(0, dtype=np.int64)
        self._arrays: dict[int, np.ndarray] = {}
        self._text: dict[int, pd.Series] = {}
        self._filter = ""
        self._mask: np.ndarray | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._numeric: dict[int, bool] = {}
        self._derived: dict[str, np.ndarray] = {}
        self._load()

    # --- data ---------------------------------------------------------------------------------
    def _load(self) -> None:
        data = self._layer.data
        self._data = data
        geom = data.geometry.name if hasattr(data, "geometry") else None
        self._columns = [str(c) for c in data.columns if c != geom]
        self._col_pos = [data.columns.get_loc(c) for c in data.columns if c != geom]
        # derived columns (connection status, flow direction) come after the layer's own
        self._derived = {
            str(k): v for k, v in self._layer.derived.items() if str(k) not in self._columns
        }
        self._columns += list(self._derived)
        self._ids = feature_ids(self._layer)
        self._arrays.clear()
        self._text.clear()
        self._numeric.clear()
        self._order = np.arange(len(data), dtype=np.int64)

    def set_layer(self, layer: MapLayer) -> None:
        """Show a new frame (after an edit); filter and sort are kept."""
        self.beginResetModel()
        self._layer = layer
        self._load()
        self._mask = None
        self._apply()
        self.endResetModel()

    @property
    def layer(self) -> MapLayer:
        return self._layer

    @property
    def frame(self) -> Any:
        """The GeoDataFrame shown (the layer's data when it was loaded)."""
        return self._data

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def order(self) -> np.ndarray:
        """Row positions in the frame of the shown rows, in view order."""
        return self._order

    def _series(self, c: int) -> pd.Series:
        if c >= len(self._col_pos):
            return pd.Series(self._derived[self._columns[c]], index=self._data.index)
        return self._data.iloc[:, self._col_pos[c]]

    def _array(self, c: int) -> np.ndarray:
        arr = self._arrays.get(c)
        if arr is None:
            arr = self._series(c).to_numpy(dtype=object)
            self._arrays[c] = arr
        return arr

    def _is_numeric(self, c: int) -> bool:
        v = self._numeric.get(c)
        if v is None:
            v = bool(pd.api.types.is_numeric_dtype(self._series(c).dtype)) and not bool(
                pd.api.types.is_bool_dtype(self._series(c).dtype)
            )
            self._numeric[c] = v
        return v

    def _as_text(self, c: int) -> pd.Series:
        s = self._text.get(c)
        if s is None:
            s = _text_column(self._series(c))
            codes = VALUE_LABELS_ZH.get(self._columns[c]) if self.chinese else None
            if codes:  # a filter word matches what the user reads (污水), and the code
                s = s + " " + s.map(lambda t: codes.get(t, "")).fillna("")
            self._text[c] = s
        return s

    # --- Qt model -----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = format_value(self._array(index.column())[self._order[index.row()]])
            return value_label(self._columns[index.column()], text, self.chinese)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._is_numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            v = self._array(index.column())[self._order[index.row()]]
            if format_value(v) == "":
                return QBrush(QColor("#999999"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self._columns[section] if 0 <= section < len(self._columns) else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            return field_label(
                self._layer.kind, self._columns[section], self.chinese, self._columns
            )
        if 0 <= section < len(self._order):
            return str(int(self._order[section]) + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            self._sort = None
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_pos = [(int(self._order[i.row()]), i.column()) for i in old]
        self._sort = (column, order)
        self._order = self._sorted(self._order)
        if old:
            where = {int(p): r for r, p in enumerate(self._order.tolist())}
            self.changePersistentIndexList(
                old,
                [self.index(where[p], c) if p in where else QModelIndex() for p, c in old_pos],
            )
        self.layoutChanged.emit()

    def _sorted(self, rows: np.ndarray) -> np.ndarray:
        if self._sort is None or len(rows) == 0:
            return rows
        column, order = self._sort
        s = self._series(column).iloc[rows].reset_index(drop=True)
        asc = order == Qt.SortOrder.AscendingOrder
        try:
            k = s.sort_values(ascending=asc, kind="stable", na_position="last").index
        except TypeError:  # mixed types: compare as text
            k = self._as_text(column).iloc[rows].reset_index(drop=True)
            k = k.sort_values(ascending=asc, kind="stable").index
        return rows[k.to_numpy()]

    # --- filter -------------------------------------------------------------------------------
    def set_filter(self, text: str, mask: np.ndarray | None = None) -> int:
        """Show rows matching ``text`` (and ``mask``, a bool per frame row); the row count.

        ``text`` is either words contained in any field (any case) or ``field OP value``
        with OP one of ``= != > < >= <= ~`` (``~`` contains). Raises :class:`FilterError`
        when the field is not a column.
        """
        keep = self._filter_mask(text)
        self.beginResetModel()
        self._filter = text
        self._mask = mask
        self._apply(keep)
        self.endResetModel()
        return len(self._order)

    def _apply(self, keep: np.ndarray | None = None) -> None:
        if keep is None:
            try:
                keep = self._filter_mask(self._filter)
            except FilterError:
                keep = np.ones(len(self._data), dtype=bool)
        if self._mask is not None and len(self._mask) == len(keep):
            keep = keep & self._mask
        self._order = self._sorted(np.flatnonzero(keep).astype(np.int64))

    def _column_index(self, name: str) -> int | None:
        name = name.strip().strip('"').strip("'")
        for i, c in enumerate(self._columns):
            if c == name:
                return i
        for i, c in enumerate(self._columns):  # the name shown in the header (管径(mm))
            if field_label(self._layer.kind, c, self.chinese, self._columns) == name:
                return i
        low = name.lower()
        return next((i for i, c in enumerate(self._columns) if c.lower() == low), None)

    def _filter_mask(self, text: str) -> np.ndarray:
        n = len(self._data)
        text = text.strip()
        if not text:
            return np.ones(n, dtype=bool)
        m = _FILTER_RE.match(text)
        if m is not None:
            c = self._column_index(m.group(1))
            if c is not None:
                return self._compare(c, m.group(2), m.group(3).strip('"').strip("'"))
            if m.group(2) != "~" and not re.search(r"\s", m.group(1)):
                raise FilterError(m.group(1))
        keep = np.ones(n, dtype=bool)
        for word in text.lower().split():
            hit = np.zeros(n, dtype=bool)
            for c in range(len(self._columns)):
                hit |= self._as_text(c).str.contains(word, regex=False).to_numpy()
            keep &= hit
        return keep

    def _compare(self, c: int, op: str, value: str) -> np.ndarray:
        if op == "~":
            return self._as_text(c).str.contains(value.lower(), regex=False).to_numpy()
        if self._is_numeric(c):
            try:
                num = float(value)
            except ValueError:
                num = None
            if num is not None:
                s = pd.to_numeric(self._series(c), errors="coerce").to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    out = {
                        "=": s == num,
                        "==": s == num,
                        "!=": s != num,
                        ">": s > num,
                        "<": s < num,
                        ">=": s >= num,
                        "<=": s <= num,
                    }[op]
                return np.asarray(out, dtype=bool) & ~np.isnan(s)  # missing never matches
        text = self._as_text(c)
        v = value.lower()
        if op in ("=", "=="):
            return (text == v).to_numpy()
        if op == "!=":
            return ((text != v) & (text != "")).to_numpy()
        ops = {">": text > v, "<": text < v, ">=": text >= v, "<=": text <= v}
        return ops[op].to_numpy()

    # --- ids ----------------------------------------------------------------------------------
    def ids_of_rows(self, rows: Any) -> list[str]:
        """Feature ids of view rows."""
        pos = self._order[np.asarray(list(rows), dtype=np.int64)]
        return [i for i in self._ids[pos].tolist() if i is not None]

    def rows_of_ids(self, ids: Any) -> np.ndarray:
        """View rows (ascending) of the features with these ids."""
        if not ids or len(self._order) == 0:
            return np.empty(0, dtype=np.int64)
        shown = pd.Index(self._ids[self._order], dtype=object)
        return np.flatnonzero(shown.isin(list(ids)))


class AttributeTableDock(QDockWidget):
    """A layer's attribute table: filter box, sortable table, selection in step with the map."""

    def __init__(self, layer: MapLayer, hub: MapToolHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"table_{layer.name}")  # one per layer: the window layout keeps it
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.hub = hub
        self.canvas = hub.canvas
        self.layer_name = layer.name
        self._syncing = False

        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.filter_edit = QLineEdit(body, objectName="filter_edit")
        self.filter_edit.setPlaceholderText(
            self.tr("Filter: words, or field=value (also != > < >= <= ~)")
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.selected_only_check = QCheckBox(
            self.tr("Selected only"), body, objectName="selected_only_check"
        )
        self.zoom_button = QPushButton(self.tr("Zoom to selected"), body, objectName="zoom_button")
        self.clear_button = QPushButton(
            self.tr("Clear selection"), body, objectName="clear_button"
        )
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.selected_only_check)
        row.addWidget(self.zoom_button)
        row.addWidget(self.clear_button)
        lay.addLayout(row)

        self.model = FeatureTableModel(layer, self, chinese=use_chinese(parent))
        self.table = QTableView(body, objectName="attribute_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setResizeContentsPrecision(100)
        hh.setDefaultSectionSize(110)
        self.table.resizeColumnsToContents()
        hh.setStretchLastSection(True)  # no empty band right of the last column
        lay.addWidget(self.table, 1)
        self.count_label = QLabel(body, objectName="count_label")
        lay.addWidget(self.count_label)
        self.setWidget(body)

        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.selected_only_check.toggled.connect(lambda _on: self.apply_filter())
        self.zoom_button.clicked.connect(self.zoom_to_selected)
        self.clear_button.clicked.connect(lambda: self.hub.clear_selection(self.layer_name))
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.hub.selection_changed.connect(self._on_hub_selection_changed)
        self._update_title()
        self._select_rows_of(self.hub.selected_ids(self.layer_name))

    # --- public -------------------------------------------------------------------------------
    def set_layer(self, layer: MapLayer) -> None:
        """The layer's data changed (an edit): reload, keep filter, sort and selection."""
        if layer.data is self.model.frame:
            return
        self._syncing = True
        try:
            self.model.set_layer(layer)
        finally:
            self._syncing = False
        self._select_rows_of(self.hub.selected_ids(self.layer_name))
        self._update_title()

    def start_over(self, layer: MapLayer) -> None:
        """Another project's layer: no filter, no "selected only", no sort; then reload."""
        self._filter_timer.stop()
        for w in (self.filter_edit, self.selected_only_check):
            w.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.setStyleSheet("")
        self.filter_edit.setToolTip("")
        self.selected_only_check.setChecked(False)
        for w in (self.filter_edit, self.selected_only_check):
            w.blockSignals(False)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._syncing = True
        try:
            self.model.set_layer(layer)
        finally:
            self._syncing = False
        self.apply_filter()

    def apply_filter(self) -> int:
        """Apply the filter box (and "selected only"); returns the number of rows shown."""
        self._filter_timer.stop()
        mask = None
        if self.selected_only_check.isChecked():
            sel = self.hub.selected_ids(self.layer_name)
            mask = pd.Index(feature_ids(self.model.layer), dtype=object).isin(list(sel))
            mask = np.asarray(mask)
        self._syncing = True
        try:
            self.model.set_filter(self.filter_edit.text(), mask)
            self.filter_edit.setStyleSheet("")
            self.filter_edit.setToolTip("")
        except FilterError as exc:
            self.filter_edit.setStyleSheet("QLineEdit { background: #ffe0e0; }")
            self.filter_edit.setToolTip(
                self.tr("No field named “%1”. Fields: %2")
                .replace("%1", str(exc))
                .replace("%2", ", ".join(self.model.columns))
            )
        finally:
            self._syncing = False
        self._select_rows_of(self.hub.selected_ids(self.layer_name))
        self._update_title()
        return self.model.rowCount()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.ids_of_rows(rows)

    def zoom_to_selected(self) -> None:
        ids = self.hub.selected_ids(self.layer_name)
        if ids:
            zoom_to(self.canvas, self.layer_name, ids)
            self.canvas.flash(self.layer_name, ids)

    # --- sync ---------------------------------------------------------------------------------
    def _on_table_selection_changed(self, *_args: Any) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.hub.set_selection(self.layer_name, self.selected_ids())
        finally:
            self._syncing = False
        self._update_title()

    def _on_hub_selection_changed(self, layer_name: str) -> None:
        if layer_name != self.layer_name or self._syncing:
            return
        if self.selected_only_check.isChecked():
            self.apply_filter()
        else:
            self._select_rows_of(self.hub.selected_ids(layer_name))
        self._update_title()

    def _select_rows_of(self, ids: frozenset[str]) -> None:
        rows = self.model.rows_of_ids(ids)
        sel = QItemSelection()
        last = self.model.columnCount() - 1
        if len(rows) and last >= 0:
            breaks = np.flatnonzero(np.diff(rows) != 1) + 1
            for run in np.split(rows, breaks):
                sel.select(self.model.index(int(run[0]), 0), self.model.index(int(run[-1]), last))
        self._syncing = True
        try:
            self.table.selectionModel().select(
                sel,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            if len(rows):
                self.table.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._syncing = False

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        ids = self.model.ids_of_rows([index.row()])
        if ids:
            zoom_to(self.canvas, self.layer_name, ids)
            self.canvas.flash(self.layer_name, ids)

    def _update_title(self) -> None:
        layer = self.model.layer
        n_sel = len(self.hub.selected_ids(self.layer_name))
        self.setWindowTitle(self.tr("Attributes: %1").replace("%1", layer.title))
        self.count_label.setText(
            self.tr("%1 of %2 rows shown, %3 selected")
            .replace("%1", f"{self.model.rowCount():,}")
            .replace("%2", f"{len(layer.data):,}")
            .replace("%3", f"{n_sel:,}")
        )


__all__ = ["AttributeTableDock", "FeatureTableModel", "FilterError"]
