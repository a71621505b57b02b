"""The ledger dock (台账): problems with overdue highlighting, a summary, raise/export/import.

Signals: ``problem_selected(uuid)``, ``location_requested(x, y)`` (zoom the map to a
problem), ``features_requested(layer, ids)`` (highlight the features of a problem),
``problem_form_requested(uuid)`` (open the problem form; empty uuid = new problem),
``command_done(object)``.

Every change of the ledger made here (raising problems, setting a problem's status,
applying an imported workbook) is an undoable command from :mod:`surveys.record_commands`,
pushed on the window's undo stack like the records dock's (without a stack it is done and
``command_done`` is emitted). The survey extension connects ``raise_from_issues(issues)`` to
the network checks and ``raise_from_conflicts(dicts)`` to the overlap check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.store_dock import RowTableModel, StoreDock
from surveys import ledger
from surveys.errors import SurveyError
from surveys.record_commands import ApplyLedgerImport, EditRecord, RaiseProblems
from surveys.records import SOURCE_LABELS_ZH, STATUS_LABELS_ZH, STATUSES, Problem
from surveys.store import StoreEvent, SurveyStore

OVERDUE_COLOR = QColor("#ffc7ce")
COLUMNS = (
    "description",
    "measure",
    "responsible_body",
    "responsible_person",
    "deadline",
    "progress",
    "status",
    "location",
    "source",
)


class ProblemTableModel(RowTableModel):
    """Rows = problems; overdue rows red, done/verified grey."""

    def __init__(self, headers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(headers, parent)
        self.problems: list[Problem] = []
        self.today = dt.date.today()

    def set_problems(self, problems: list[Problem], today: dt.date) -> None:
        self.beginResetModel()
        self.problems, self.today = problems, today
        self.endResetModel()

    def rows(self) -> list[Problem]:
        return self.problems

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def is_overdue(self, row: int) -> bool:
        return self.problems[row].is_overdue(self.today)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self.problems[index.row()]
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "progress":
                return p.notes[-1]["text"] if p.notes else ""
            if col == "status":
                return STATUS_LABELS_ZH.get(p.status, p.status)
            if col == "source":
                return SOURCE_LABELS_ZH.get(p.source, p.source)
            return str(getattr(p, col))
        if role == Qt.ItemDataRole.ToolTipRole and col == "progress":
            return ledger.notes_to_text(p.notes)
        if role == Qt.ItemDataRole.BackgroundRole and p.is_overdue(self.today):
            return QBrush(OVERDUE_COLOR)
        if role == Qt.ItemDataRole.ForegroundRole and p.status in ("done", "verified"):
            return QBrush(QColor("#808080"))
        if role == Qt.ItemDataRole.UserRole:
            return p.uuid
        return None


class LedgerImportDialog(QDialog):
    """Shows what importing a workbook would change; Apply or Cancel."""

    def __init__(self, plan: ledger.LedgerImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ledger_import_dialog")
        self.setWindowTitle(self.tr("Import ledger workbook"))
        lay = QVBoxLayout(self)
        summary = QLabel(
            self.tr(
                "%1 change(s), %2 new problem(s), %3 conflict(s) (not "
                "applied), %4 unreadable row(s)"
            )
            .replace("%1", str(len(plan.changes)))
            .replace("%2", str(len(plan.new)))
            .replace("%3", str(len(plan.conflicts)))
            .replace("%4", str(len(plan.errors)))
        )
        summary.setObjectName("summary_label")
        lay.addWidget(summary)
        self.details_edit = QPlainTextEdit("\n".join(plan.lines()))
        self.details_edit.setObjectName("details_edit")
        self.details_edit.setReadOnly(True)
        lay.addWidget(self.details_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.setObjectName("buttons")
        apply = buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply.setObjectName("apply_button")
        apply.setEnabled(not plan.empty)
        apply.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(700, 420)


class LedgerDock(StoreDock):
    """Dock with the problem ledger."""

    problem_selected = Signal(str)
    location_requested = Signal(float, float)
    features_requested = Signal(str, list)
    problem_form_requested = Signal(str)

    def __init__(
        self,
        store: SurveyStore,
        *,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Problem ledger"), "ledger_dock", store, undo_stack, parent)
        self._status_labels = {
            "open": self.tr("Open"),
            "in_progress": self.tr("In progress"),
            "done": self.tr("Done"),
            "verified": self.tr("Verified"),
        }
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        filters = self._build_filters()
        lay.addLayout(filters)
        headers = [
            self.tr("Problem"),
            self.tr("Measure"),
            self.tr("Responsible body"),
            self.tr("Responsible person"),
            self.tr("Deadline"),
            self.tr("Progress"),
            self.tr("Status"),
            self.tr("Location"),
            self.tr("Source"),
        ]
        self.model = ProblemTableModel(headers, self)
        self.table = self._row_table("ledger_table", self.model, text_columns=(0, 1))
        lay.addWidget(self.table, 1)  # the rows take the height, not the labels
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("summary_label")
        filters.addWidget(self.summary_label)  # beside the filters: the rows get the height
        self.message_label.setWordWrap(True)
        self.message_label.auto_hide = True  # shown when it has something to say
        self.message_label.hide()
        lay.addWidget(self.message_label)
        lay.addLayout(self._build_buttons())
        self.setWidget(body)
        self._follow_store()

    def _build_filters(self) -> QHBoxLayout:
        """Status, responsible body and "overdue only"."""
        filters = QHBoxLayout()
        self.status_filter_combo = QComboBox()
        self.status_filter_combo.setObjectName("status_filter_combo")
        self.status_filter_combo.addItem(self.tr("All statuses"), "")
        for s in STATUSES:
            self.status_filter_combo.addItem(self._status_labels[s], s)
        self.body_filter_combo = QComboBox()
        self.body_filter_combo.setObjectName("body_filter_combo")
        self.overdue_check = QCheckBox(self.tr("Overdue only"))
        self.overdue_check.setObjectName("overdue_check")
        for w in (self.status_filter_combo, self.body_filter_combo):
            w.currentIndexChanged.connect(self.refresh)
            filters.addWidget(w)
        self.overdue_check.toggled.connect(self.refresh)
        filters.addWidget(self.overdue_check)
        filters.addStretch(1)
        return filters

    def _build_buttons(self) -> QHBoxLayout:
        """New, raise, export, import and the set-status list."""
        buttons = QHBoxLayout()
        for name, text, slot in (
            ("add_button", self.tr("New problem"), self._on_add_button_clicked),
            (
                "raise_button",
                self.tr("Raise from defects Ⅲ–Ⅳ and misconnections"),
                self.raise_from_records,
            ),
            ("export_button", self.tr("Export Excel…"), self._on_export_button_clicked),
            ("import_button", self.tr("Import Excel…"), self._on_import_button_clicked),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            setattr(self, name, b)
            buttons.addWidget(b)
        self.set_status_combo = QComboBox()
        self.set_status_combo.setObjectName("set_status_combo")
        self.set_status_combo.setToolTip(self.tr("Set the status of the selected problem"))
        self.set_status_combo.addItem(self.tr("Set status…"), "")
        for s in STATUSES:
            self.set_status_combo.addItem(self._status_labels[s], s)
        self.set_status_combo.activated.connect(self._on_set_status_combo_activated)
        buttons.addWidget(self.set_status_combo)
        return buttons

    # --- data -------------------------------------------------------------------------------
    def _on_store_changed(self, event: StoreEvent) -> None:
        if event.kind in ("problem", "observation", "misconnection"):
            self.refresh()

    def refresh(self) -> None:
        """Reload problems, apply filters, update the summary."""
        today = self.store.today()
        problems = self.store.records("problem")
        bodies = sorted({p.responsible_body for p in problems if p.responsible_body})
        cur = self.body_filter_combo.currentData()
        self.body_filter_combo.blockSignals(True)
        self.body_filter_combo.clear()
        self.body_filter_combo.addItem(self.tr("All bodies"), "")
        for b in bodies:
            self.body_filter_combo.addItem(b, b)
        self.body_filter_combo.setCurrentIndex(max(self.body_filter_combo.findData(cur or ""), 0))
        self.body_filter_combo.blockSignals(False)
        status = self.status_filter_combo.currentData()
        body = self.body_filter_combo.currentData()
        shown = [
            p
            for p in problems
            if (not status or p.status == status)
            and (not body or p.responsible_body == body)
            and (not self.overdue_check.isChecked() or p.is_overdue(today))
        ]
        self.model.set_problems(shown, today)
        s = ledger.summarize(problems, today)
        parts = [f"{STATUS_LABELS_ZH[k]} {v}" for k, v in s.by_status.items()]
        by_body = "；".join(
            f"{b}: {int(r['total'])}" + (f"（逾期 {int(r['overdue'])}）" if r["overdue"] else "")
            for b, r in s.by_body.iterrows()
        )
        self.summary_label.setText(
            self.tr("%1 problem(s), %2 overdue")
            .replace("%1", str(s.total))
            .replace("%2", str(s.overdue))
            + " — "
            + "，".join(parts)
            + (f"；{by_body}" if by_body else "")
        )

    def selected_problem(self) -> Problem | None:
        idx = self.table.currentIndex()
        return self.model.problems[idx.row()] if idx.isValid() else None

    # --- raising ----------------------------------------------------------------------------
    def _report_raised(self, res: ledger.RaiseResult) -> ledger.RaiseResult:
        self.message_label.setText(
            self.tr("%1 problem(s) added, %2 already in the ledger")
            .replace("%1", str(len(res.added)))
            .replace("%2", str(res.skipped))
        )
        return res

    def raise_from_records(self) -> ledger.RaiseResult | None:
        """Raise problems from grade Ⅲ–Ⅳ defects and misconnection records."""
        probs = ledger.problems_from_defects(self.store.records("observation"), self.store.pack)
        probs += ledger.problems_from_misconnections(self.store.records("misconnection"))
        return self._raise(probs)

    def raise_from_issues(self, issues: list[Any]) -> ledger.RaiseResult | None:
        """Raise problems from network check findings (``network.issues.Issue``)."""
        return self._raise(ledger.problems_from_issues(issues))

    def raise_from_conflicts(self, conflicts: list[dict]) -> ledger.RaiseResult | None:
        """Raise problems from protected-area conflicts (``conflicts_to_problems`` dicts)."""
        return self._raise(ledger.problems_from_conflicts(conflicts))

    def _raise(self, problems: list[Problem]) -> ledger.RaiseResult | None:
        cmd = RaiseProblems(self.store, problems, label=self.tr("Raise problems"))
        if not self._run(cmd):
            return None
        return self._report_raised(cmd.result)

    # --- editing ----------------------------------------------------------------------------
    def set_status(self, status: str, problem: Problem | None = None) -> bool:
        """Set the status of ``problem`` (default: the selected one) as one undoable step."""
        problem = problem or self.selected_problem()
        if problem is None or status not in STATUSES or problem.status == status:
            return False
        new = dataclasses.replace(problem, status=status)
        label = self.tr("Set status: %1").replace("%1", self._status_labels[status])
        return self._run(EditRecord(self.store, new, label=label))

    def _on_set_status_combo_activated(self, index: int) -> None:
        status = self.set_status_combo.itemData(index)
        self.set_status_combo.setCurrentIndex(0)
        if status:
            self.set_status(status)

    # --- Excel ------------------------------------------------------------------------------
    def export_to(self, path: str | Path) -> Path | None:
        try:
            out = ledger.export_ledger_xlsx(self.store, path)
        except SurveyError as exc:
            self.message_label.setText(exc.message)
            return None
        self.message_label.setText(self.tr("Exported to %1").replace("%1", str(out)))
        return out

    def plan_import(self, path: str | Path) -> ledger.LedgerImportPlan | None:
        try:
            return ledger.plan_ledger_import(self.store, path)
        except SurveyError as exc:
            self.message_label.setText(exc.message)
            return None

    def apply_import(self, plan: ledger.LedgerImportPlan) -> ledger.LedgerImportResult | None:
        cmd = ApplyLedgerImport(self.store, plan, label=self.tr("Import ledger workbook"))
        if not self._run(cmd):
            return None
        res = cmd.result
        self.message_label.setText(
            self.tr("%1 updated, %2 added, %3 conflict(s) left for review")
            .replace("%1", str(len(res.updated)))
            .replace("%2", str(len(res.added)))
            .replace("%3", str(len(res.conflicts)))
        )
        return res

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export ledger"),
            str(self.store.path.with_suffix(".台账.xlsx")),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.export_to(path)

    def _on_import_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import ledger"),
            str(self.store.project_dir),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if not path:
            return
        plan = self.plan_import(path)
        if plan is None:
            return
        dlg = LedgerImportDialog(plan, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.apply_import(plan)

    # --- slots ------------------------------------------------------------------------------
    def _on_add_button_clicked(self) -> None:
        self.problem_form_requested.emit("")

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        p = self.model.problems[current.row()]
        self.problem_selected.emit(p.uuid)
        if p.x is not None and p.y is not None:
            self.location_requested.emit(float(p.x), float(p.y))
        if p.feature_ids:
            self.features_requested.emit(p.layer, list(p.feature_ids))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.problem_form_requested.emit(self.model.problems[index.row()].uuid)
