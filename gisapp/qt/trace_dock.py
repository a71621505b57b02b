"""The dock of the Trace tool: a summary, a warnings banner and the result lists in tabs.

The :class:`~gisapp.qt.trace_panel.TraceController` fills it with rows it builds from a
trace result; activating a row emits its payload (zoom to and flash the feature).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def _tree(parent: QWidget, name: str, headers: list[str]) -> QTreeWidget:
    t = QTreeWidget(parent, objectName=name)
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    t.setUniformRowHeights(True)
    t.setSortingEnabled(True)
    t.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    t.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.header().setStretchLastSection(True)
    return t


class _NumItem(QTreeWidgetItem):
    """Sorts numeric columns as numbers."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:  # type: ignore[override]
        col = self.treeWidget().sortColumn() if self.treeWidget() else 0
        a, b = self.data(col, Qt.ItemDataRole.UserRole), other.data(col, Qt.ItemDataRole.UserRole)
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a < b
        return self.text(col) < other.text(col)


class TraceDock(QDockWidget):
    """The result of a trace: summary, warnings banner and lists in tabs."""

    item_activated = Signal(object)  # ("feature", layer kind, ids) or ("point", x, y)
    clear_requested = Signal()
    zoom_requested = Signal()
    profile_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Trace"), parent)
        self.setObjectName("trace_dock")
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary_label = QLabel(body, objectName="summary_label")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_label = QLabel(body, objectName="warning_label")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(
            "QLabel { background: #fde2e1; color: #8a1c14; border: 1px solid #e5a19b;"
            " padding: 4px; }"
        )
        self.warning_label.hide()
        lay.addWidget(self.summary_label)
        lay.addWidget(self.warning_label)
        lay.addWidget(self._build_lists(body), 1)
        lay.addLayout(self._build_buttons(body))
        body.setMinimumWidth(400)  # room for the four tabs
        self.setWidget(body)
        self.zoom_button.clicked.connect(self.zoom_requested)
        self.profile_button.clicked.connect(self.profile_requested)
        self.clear_button.clicked.connect(self.clear_requested)
        self.clear()

    def _build_lists(self, body: QWidget) -> QTabWidget:
        """The four result lists, one tab each."""
        self.tabs = QTabWidget(body, objectName="result_tabs")
        self.sinks_tree = _tree(
            body,
            "sinks_tree",
            [
                self.tr("Reached"),
                self.tr("Id"),
                self.tr("Distance (m)"),
                self.tr("Manhole"),
                self.tr("Name"),
            ],
        )
        self.enterprises_tree = _tree(
            body,
            "enterprises_tree",
            [
                self.tr("Id"),
                self.tr("Name"),
                self.tr("Flow (t/d)"),
                self.tr("COD (mg/L)"),
                self.tr("Connection manhole"),
            ],
        )
        self.pipes_tree = _tree(
            body,
            "pipes_tree",
            [
                self.tr("Pipe"),
                self.tr("Length (m)"),
                self.tr("DN (mm)"),
                self.tr("System"),
                self.tr("From"),
                self.tr("To"),
            ],
        )
        self.warnings_tree = _tree(
            body,
            "warnings_tree",
            [self.tr("Severity"), self.tr("Check"), self.tr("Features"), self.tr("Message")],
        )
        self.trees = (self.sinks_tree, self.enterprises_tree, self.pipes_tree, self.warnings_tree)
        for t in self.trees:
            self.tabs.addTab(t, "")
            t.currentItemChanged.connect(self._on_tree_current_item_changed)
            t.itemClicked.connect(self._on_tree_item_clicked)
        return self.tabs

    def _build_buttons(self, body: QWidget) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.zoom_button = QPushButton(self.tr("Zoom to result"), body, objectName="zoom_button")
        self.profile_button = QPushButton(
            self.tr("Longitudinal profile"), body, objectName="profile_button"
        )
        self.profile_button.setToolTip(
            self.tr("Profile of the first path from the start to the plant or outfall")
        )
        self.clear_button = QPushButton(self.tr("Clear (Esc)"), body, objectName="clear_button")
        for b in (self.zoom_button, self.profile_button, self.clear_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        return buttons

    def clear(self) -> None:
        for t in self.trees:
            t.clear()
        self.summary_label.setText(
            self.tr(
                "Trace tool: click an enterprise, manhole or pipe to follow its water "
                "downstream; click an outfall or plant to see everything upstream; "
                "Ctrl/Shift-click several outfalls for their common upstream."
            )
        )
        self.warning_label.hide()
        self.zoom_button.setEnabled(False)
        self.profile_button.setEnabled(False)
        self._update_tab_titles()

    def _update_tab_titles(self) -> None:
        titles = (
            self.tr("Reached"),
            self.tr("Enterprises"),
            self.tr("Pipes"),
            self.tr("Warnings"),
        )
        for i, (t, title) in enumerate(zip(self.trees, titles, strict=True)):
            self.tabs.setTabText(i, f"{title} ({t.topLevelItemCount()})")

    def fill(
        self, sinks: list, enterprises: list, pipes: list, warnings: list, more: dict[str, int]
    ) -> None:
        """Rows are (texts, numbers-or-None per column, activation payload, colour or None)."""
        for tree, rows, key in (
            (self.sinks_tree, sinks, "sinks"),
            (self.enterprises_tree, enterprises, "enterprises"),
            (self.pipes_tree, pipes, "pipes"),
            (self.warnings_tree, warnings, "warnings"),
        ):
            tree.setSortingEnabled(False)
            tree.clear()
            items = []
            for texts, numbers, payload, colour in rows:
                item = _NumItem([str(t) for t in texts])
                for c, t in enumerate(texts):
                    if len(str(t)) > 12:
                        item.setToolTip(c, str(t))
                for c, num in enumerate(numbers):
                    if num is not None:
                        item.setData(c, Qt.ItemDataRole.UserRole, num)
                        item.setTextAlignment(
                            c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                item.setData(0, ITEM_ROLE, payload)
                if colour:
                    for c in range(len(texts)):
                        item.setForeground(c, QBrush(QColor(colour)))
                items.append(item)
            if more.get(key):
                extra = QTreeWidgetItem(
                    [
                        self.tr("… %1 more (all highlighted on the map)").replace(
                            "%1", f"{more[key]:,}"
                        )
                    ]
                )
                extra.setFlags(Qt.ItemFlag.NoItemFlags)
                items.append(extra)
            tree.addTopLevelItems(items)
            tree.setSortingEnabled(True)
            for c in range(tree.columnCount() - 1):
                tree.resizeColumnToContents(c)
        self._update_tab_titles()
        self.zoom_button.setEnabled(True)

    def _on_tree_current_item_changed(self, item: QTreeWidgetItem | None, _prev: Any) -> None:
        if item is not None:  # keyboard or mouse; a click also lands in itemClicked (harmless)
            self._activate(item)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self._activate(item)  # a second click on the current row zooms again

    def _activate(self, item: QTreeWidgetItem) -> None:
        payload = item.data(0, ITEM_ROLE)
        if payload:
            self.item_activated.emit(payload)
