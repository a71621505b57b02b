"""The survey records dock: a filtered table of records, synced with the map by signals.

Filters: record kind, defect code, grade, date range, inspection and status (live, deleted,
pipe not yet matched, all). The dock listens to the store and refreshes after every commit.

Signals: ``record_selected(pipe_id)`` when a row on a pipe is selected (the map highlights
it), ``location_selected(x, y)`` for records with coordinates, ``record_activated(kind,
uuid)`` on double-click (open the form), ``command_done(object)`` after delete/undelete
when no undo stack is given.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.store_dock import RowTableModel, StoreDock
from surveys.record_commands import DeleteRecord
from surveys.records import Record, parse_date
from surveys.store import SurveyStore

#: Columns shown per kind: (field, header).
KIND_COLUMNS: dict[str, list[str]] = {
    "observation": [
        "pipe_id",
        "start_node",
        "end_node",
        "distance_m",
        "code",
        "grade",
        "clock",
        "length_m",
        "date",
        "remarks",
    ],
    "inspection": ["date", "method", "contractor", "crew", "weather", "remarks"],
    "misconnection": [
        "date",
        "direction",
        "pipe_ids",
        "node_id",
        "cod_mgl",
        "nh3n_mgl",
        "enterprise_id",
        "remarks",
    ],
    "leak": ["date", "event", "at_kind", "at_id", "volume_m3", "remarks"],
    "siltation": ["date", "at_kind", "at_id", "distance_m", "depth_mm", "remarks"],
}
STATUS_FILTERS = ("live", "deleted", "pending", "all")


class RecordTableModel(RowTableModel):
    """Rows = records of one kind; deleted rows in grey."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([], parent)
        self.records: list[Record] = []
        self.columns: list[str] = []
        self.dates: dict[str, str] = {}  # inspection uuid -> date

    def set_records(
        self, records: list[Record], columns: list[str], headers: list[str], dates: dict[str, str]
    ) -> None:
        self.beginResetModel()
        self.records, self.columns, self.headers, self.dates = records, columns, headers, dates
        self.endResetModel()

    def rows(self) -> list[Record]:
        return self.records

    def value(self, rec: Record, col: str) -> Any:
        if col == "clock":
            return rec.clock_text()  # type: ignore[attr-defined]
        if col == "date" and not hasattr(rec, "date"):
            return self.dates.get(getattr(rec, "inspection_id", ""), "")
        v = getattr(rec, col, "")
        if isinstance(v, list):
            return ", ".join(map(str, v))
        if isinstance(v, float):
            return f"{v:g}"
        return "" if v is None else v

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        rec = self.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self.value(rec, self.columns[index.column()]))
        if role == Qt.ItemDataRole.ForegroundRole and rec.deleted:
            return QBrush(QColor("#999999"))
        if role == Qt.ItemDataRole.UserRole:
            return rec.uuid
        return None


class RecordsDock(StoreDock):
    """Dock listing survey records with filters."""

    record_selected = Signal(str)
    location_selected = Signal(float, float)
    record_activated = Signal(str, str)

    def __init__(
        self,
        store: SurveyStore,
        *,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Survey records"), "records_dock", store, undo_stack, parent)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addLayout(self._build_filters())
        self.model = RecordTableModel(self)
        self.table = self._row_table("records_table", self.model)
        lay.addWidget(self.table, 1)  # the rows take the height
        lay.addLayout(self._build_buttons())
        self.setWidget(body)
        self._follow_store()

    def _build_filters(self) -> QHBoxLayout:
        """The row of filters: kind, code, grade, inspection, status, date range."""
        row = QHBoxLayout()
        self.kind_combo = self._combo(
            "kind_combo",
            [
                ("observation", self.tr("Pipe defects")),
                ("inspection", self.tr("Inspections")),
                ("misconnection", self.tr("Misconnections")),
                ("leak", self.tr("Leaks / overflows")),
                ("siltation", self.tr("Siltation")),
            ],
        )
        self.code_filter_combo = self._combo(
            "code_filter_combo",
            [("", self.tr("All codes"))]
            + [(c.code, f"{c.code} {c.label_zh}") for c in self.store.pack.codes()],
        )
        self.grade_filter_combo = self._combo(
            "grade_filter_combo",
            [
                ("", self.tr("All grades")),
                ("1", "Ⅰ"),
                ("2", "Ⅱ"),
                ("3", "Ⅲ"),
                ("4", "Ⅳ"),
                ("3+", self.tr("Ⅲ–Ⅳ")),
            ],
        )
        self.inspection_filter_combo = self._combo("inspection_filter_combo", [])
        self.status_filter_combo = self._combo(
            "status_filter_combo",
            [
                ("live", self.tr("Live")),
                ("deleted", self.tr("Deleted")),
                ("pending", self.tr("Pipe not matched")),
                ("all", self.tr("All")),
            ],
        )
        self.date_from_edit = QLineEdit()
        self.date_from_edit.setObjectName("date_from_edit")
        self.date_from_edit.setPlaceholderText(self.tr("from YYYY-MM-DD"))
        self.date_to_edit = QLineEdit()
        self.date_to_edit.setObjectName("date_to_edit")
        self.date_to_edit.setPlaceholderText(self.tr("to YYYY-MM-DD"))
        for w in (
            self.kind_combo,
            self.code_filter_combo,
            self.grade_filter_combo,
            self.inspection_filter_combo,
            self.status_filter_combo,
        ):
            row.addWidget(w)
            w.currentIndexChanged.connect(self.refresh)
        for w in (self.date_from_edit, self.date_to_edit):
            row.addWidget(w)
            w.editingFinished.connect(self.refresh)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        """Delete, Undelete, the record count and the message line."""
        bottom = QHBoxLayout()
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setObjectName("delete_button")
        self.delete_button.clicked.connect(self.delete_selected)
        self.undelete_button = QPushButton(self.tr("Undelete"))
        self.undelete_button.setObjectName("undelete_button")
        self.undelete_button.clicked.connect(self.undelete_selected)
        self.count_label = QLabel("")
        self.count_label.setObjectName("count_label")
        self.message_label.setStyleSheet("color: #c00000;")
        for w in (self.delete_button, self.undelete_button, self.count_label):
            bottom.addWidget(w)
        bottom.addWidget(self.message_label, 1)
        return bottom

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        w = QComboBox()
        w.setObjectName(name)
        for data, text in items:
            w.addItem(text, data)
        return w

    def _headers(self) -> dict[str, str]:
        return {
            "pipe_id": self.tr("Pipe"),
            "start_node": self.tr("Start"),
            "end_node": self.tr("End"),
            "distance_m": self.tr("Distance (m)"),
            "code": self.tr("Code"),
            "grade": self.tr("Grade"),
            "clock": self.tr("Clock"),
            "length_m": self.tr("Length (m)"),
            "date": self.tr("Date"),
            "remarks": self.tr("Remarks"),
            "method": self.tr("Method"),
            "contractor": self.tr("Contractor"),
            "crew": self.tr("Crew"),
            "weather": self.tr("Weather"),
            "direction": self.tr("Direction"),
            "pipe_ids": self.tr("Pipes"),
            "node_id": self.tr("Manhole"),
            "cod_mgl": self.tr("COD"),
            "nh3n_mgl": self.tr("NH3-N"),
            "enterprise_id": self.tr("Enterprise"),
            "event": self.tr("Event"),
            "at_kind": self.tr("At"),
            "at_id": self.tr("Feature"),
            "volume_m3": self.tr("Volume (m³)"),
            "depth_mm": self.tr("Depth (mm)"),
        }

    # --- data -------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def refresh(self) -> None:
        """Reload the records from the store and apply the filters."""
        inspections = self.store.records("inspection", include_deleted=True)
        dates = {i.uuid: i.date for i in inspections}
        cur = self.inspection_filter_combo.currentData()
        self.inspection_filter_combo.blockSignals(True)
        self.inspection_filter_combo.clear()
        self.inspection_filter_combo.addItem(self.tr("All inspections"), "")
        for i in inspections:
            if not i.deleted:
                self.inspection_filter_combo.addItem(f"{i.date} {i.method} {i.contractor}", i.uuid)
        self.inspection_filter_combo.setCurrentIndex(
            max(self.inspection_filter_combo.findData(cur or ""), 0)
        )
        self.inspection_filter_combo.blockSignals(False)
        kind = self.kind
        is_obs = kind == "observation"
        self.code_filter_combo.setEnabled(is_obs)
        self.grade_filter_combo.setEnabled(is_obs)
        records = [
            r for r in self.store.records(kind, include_deleted=True) if self._keep(r, dates)
        ]
        cols = KIND_COLUMNS[kind]
        names = self._headers()
        self.model.set_records(records, cols, [names.get(c, c) for c in cols], dates)
        self.count_label.setText(self.tr("%1 record(s)").replace("%1", str(len(records))))

    def _keep(self, rec: Record, dates: dict[str, str]) -> bool:
        status = self.status_filter_combo.currentData()
        if status == "live" and rec.deleted:
            return False
        if status == "deleted" and not rec.deleted:
            return False
        if status == "pending" and (rec.deleted or getattr(rec, "pipe_id", "x")):
            return False
        code = self.code_filter_combo.currentData() if self.code_filter_combo.isEnabled() else ""
        if code and getattr(rec, "code", None) != code:
            return False
        grade = (
            self.grade_filter_combo.currentData() if self.grade_filter_combo.isEnabled() else ""
        )
        g = getattr(rec, "grade", None)
        if grade == "3+" and not (g is not None and g >= 3):
            return False
        if grade and grade != "3+" and str(g) != grade:
            return False
        insp = self.inspection_filter_combo.currentData()
        if insp and getattr(rec, "inspection_id", rec.uuid) != insp:
            return False
        lo, hi = self.date_from_edit.text().strip(), self.date_to_edit.text().strip()
        if lo or hi:
            d = getattr(rec, "date", None) or dates.get(getattr(rec, "inspection_id", ""), "")
            try:
                day = parse_date(d)
                if day is None:
                    return False
                if lo and day < parse_date(lo):
                    return False
                if hi and day > parse_date(hi):
                    return False
            except ValueError:
                return True  # an unreadable filter date filters nothing
        return True

    def selected_record(self) -> Record | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return self.model.records[idx.row()]

    def select_uuid(self, uuid: str) -> None:
        """Select the row of a record (e.g. after a click on its symbol on the map)."""
        for i, r in enumerate(self.model.records):
            if r.uuid == uuid:
                self.table.selectRow(i)
                return

    # --- slots ------------------------------------------------------------------------------
    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        rec = self.model.records[current.row()]
        pipe = getattr(rec, "pipe_id", "") or (
            getattr(rec, "at_id", "") if getattr(rec, "at_kind", "") == "pipe" else ""
        )
        if pipe:
            self.record_selected.emit(pipe)
        x, y = getattr(rec, "x", None), getattr(rec, "y", None)
        if x is not None and y is not None:
            self.location_selected.emit(float(x), float(y))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        rec = self.model.records[index.row()]
        self.record_activated.emit(rec.KIND, rec.uuid)

    def delete_selected(self) -> None:
        rec = self.selected_record()
        if rec is not None and not rec.deleted:
            self._run(
                DeleteRecord(
                    self.store, rec.KIND, rec.uuid, rec.revision, label=self.tr("Delete record")
                )
            )

    def undelete_selected(self) -> None:
        rec = self.selected_record()
        if rec is not None and rec.deleted:
            cmd = DeleteRecord(self.store, rec.KIND, rec.uuid, label=self.tr("Undelete record"))
            # an undelete is a delete command run backwards
            self._run(_Reversed(cmd))


class _Reversed:
    def __init__(self, cmd: Any) -> None:
        self._cmd = cmd
        self.label = cmd.label

    def do(self) -> None:
        self._cmd.undo()

    def undo(self) -> None:
        self._cmd.do()
