"""What the survey-store docks (records, ledger) share: a table model of rows, a table that
selects one whole row, a refresh after every store change, and undoable commands.

A change made in such a dock is a command from :mod:`surveys.record_commands`: it is done at
once (a refusal is shown in the dock's message line) and pushed on the window's undo stack;
without a stack, ``command_done(command)`` is emitted instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDockWidget, QHeaderView, QLabel, QTableView, QWidget

from gisapp.qt.undo import push_applied
from surveys.errors import SurveyError
from surveys.store import StoreEvent, SurveyStore


class RowTableModel(QAbstractTableModel):
    """A read-only table of ``rows()`` under the horizontal ``headers``, one column each."""

    def __init__(self, headers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = headers

    def rows(self) -> list[Any]:
        raise NotImplementedError

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows())

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


class StoreDock(QDockWidget):
    """A dock over the survey store (see the module docstring).

    Subclasses give ``refresh()``, ``_on_store_changed(event)`` and the two table slots
    ``_on_table_row_changed(current, previous)`` and ``_on_table_double_clicked(index)``.
    """

    command_done = Signal(object)

    def __init__(
        self,
        title: str,
        name: str,
        store: SurveyStore,
        undo_stack: QUndoStack | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName(name)
        self.store = store
        self.undo_stack = undo_stack
        self.message_label = MessageLabel("")
        self.message_label.setObjectName("message_label")

    def _row_table(
        self, name: str, model: QAbstractTableModel, text_columns: tuple[int, ...] = ()
    ) -> QTableView:
        """A table of ``model`` that selects one whole row, wired to the table slots. Its
        ``text_columns`` (else the last column) stretch to fill the width; rows are compact
        so that a dock shows many of them."""
        from gisapp.qt.window_layout import stretch_columns

        table = QTableView()
        table.setObjectName(name)
        table.setModel(model)
        stretch_columns(table, text_columns)
        vh = table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        table.doubleClicked.connect(self._on_table_double_clicked)
        return table

    def _follow_store(self) -> None:
        """Refresh now and after every change of the store, until the dock is destroyed."""
        self._unsubscribe = self.store.subscribe(self._on_store_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    def _on_store_changed(self, event: StoreEvent) -> None:
        self.refresh()

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        pass

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        pass

    def _run(self, cmd: Any) -> bool:
        """Do ``cmd``; push it on the undo stack (or emit ``command_done``). False: refused."""
        self.message_label.setText("")
        try:
            cmd.do()
        except SurveyError as exc:
            self.message_label.setText(exc.message)
            return False
        if self.undo_stack is not None:
            push_applied(self.undo_stack, cmd, self, saves_immediately=True)
        else:
            self.command_done.emit(cmd)
        return True


class MessageLabel(QLabel):
    """A message line that takes no room while it is empty (``auto_hide``): the table above
    it gets the height."""

    auto_hide = False

    def setText(self, text: str) -> None:
        super().setText(text)
        if self.auto_hide:
            self.setVisible(bool(text))
