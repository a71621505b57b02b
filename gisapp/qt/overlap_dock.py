"""Dock of the protected-area check: results table synced with the map.

The check itself runs off the GUI thread on the application's one job runner
(:mod:`gisapp.qt.workers`: progress, Cancel, results delivered in the GUI thread); the job is
the pure generator ``surveys.zones.overlap.check_project`` / ``check_overlaps``.
Selecting a row asks the map to zoom to it (``zoom_requested``) and to draw the overlapping
part of the feature in a warning style (``highlight_requested``); the overlap extension
wires both to the map canvas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from typing import Any

import geopandas as gpd
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.workers import Cancelled, JobWorker, run_in_thread
from network.schema import LAYER_LABELS_ZH, ZONE_CLASS_LABELS_ZH, ZONE_LEVEL_LABELS_ZH
from surveys.zones.overlap import RELATION_LABELS_ZH, OverlapResult, check_overlaps, check_project
from surveys.zones.rules import SEVERITY_LABELS_ZH, RuleTable

_SEVERITY_COLOURS = {"conflict": "#f8cbad", "warning": "#ffe699"}
_INDEX = (QModelIndex, QPersistentModelIndex)


class OverlapTableModel(QAbstractTableModel):
    """Rows of an :class:`OverlapResult` (one per feature-zone finding)."""

    COLUMNS = (
        "severity",
        "feature_type",
        "feature_id",
        "zone_id",
        "zone_name",
        "zone_class",
        "zone_level",
        "relation",
        "overlap",
        "distance_m",
        "rule_id",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._result: OverlapResult | None = None
        self._records: list[dict[str, Any]] = []
        self._headers = {
            "severity": self.tr("Severity"),
            "feature_type": self.tr("Feature type"),
            "feature_id": self.tr("Feature"),
            "zone_id": self.tr("Zone"),
            "zone_name": self.tr("Zone name"),
            "zone_class": self.tr("Zone class"),
            "zone_level": self.tr("Level"),
            "relation": self.tr("Relation"),
            "overlap": self.tr("Inside (m / m²)"),
            "distance_m": self.tr("To edge (m)"),
            "rule_id": self.tr("Rule"),
        }

    def set_result(self, result: OverlapResult | None) -> None:
        self.beginResetModel()
        self._result = result
        self._records = (
            []
            if result is None
            else result.rows.drop(columns=result.rows.geometry.name).to_dict("records")
        )
        self.endResetModel()

    @property
    def result(self) -> OverlapResult | None:
        return self._result

    def record(self, row: int) -> dict[str, Any]:
        return self._records[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[self.COLUMNS[section]]
        return str(section + 1)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        rec = self._records[index.row()]
        key = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rec, key)
        if role == Qt.ItemDataRole.BackgroundRole and key == "severity":
            colour = _SEVERITY_COLOURS.get(rec["severity"])
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("overlap", "distance_m"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return rec.get("note") or None
        if role == Qt.ItemDataRole.UserRole:
            return rec.get(key)
        return None

    @staticmethod
    def _display(rec: Mapping[str, Any], key: str) -> str:
        def num(v: Any, fmt: str) -> str:
            return "" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

        v = rec.get(key)
        if key == "severity":
            return SEVERITY_LABELS_ZH.get(v, str(v))
        if key == "feature_type":
            return LAYER_LABELS_ZH.get(v, str(v))
        if key == "zone_class":
            return ZONE_CLASS_LABELS_ZH.get(v, str(v))
        if key == "zone_level":
            return ZONE_LEVEL_LABELS_ZH.get(v, "") if isinstance(v, str) else ""
        if key == "relation":
            return RELATION_LABELS_ZH.get(v, str(v))
        if key == "overlap":
            length = num(rec.get("overlap_length_m"), "{:,.2f} m")
            area = rec.get("overlap_area_m2")
            if length:
                return length
            if area is not None and not math.isnan(area):
                return f"{area:,.1f} m² ({rec.get('overlap_share', 0):.1%})"
            return ""
        if key == "distance_m":
            return num(v, "{:,.2f}")
        return "" if v is None else str(v)


class OverlapDock(QDockWidget):
    """Protected-area check: Run button, results table, export, ledger."""

    zoom_requested = Signal(float, float, float, float)
    highlight_requested = Signal(object)  # list of shapely geometries in the project CRS
    check_started = Signal()
    check_finished = Signal(object)  # OverlapResult
    check_failed = Signal(object)  # the exception (user error or bug)
    progress_changed = Signal(float, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlap_dock")
        self.setWindowTitle(self.tr("Protected-area check"))
        self._job: Callable[[], Generator[tuple[float, str], None, OverlapResult]] | None = None
        self._project: Any = None
        self._worker: JobWorker | None = None
        self._thread: QThread | None = None
        self._raise_in_ledger: Callable[[OverlapResult], Any] | None = None

        body = QWidget(self)
        layout = QVBoxLayout(body)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Run check"), body)
        self.run_button.setObjectName("run_button")
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.xlsx_button = QPushButton(self.tr("Excel report…"), body)
        self.xlsx_button.setObjectName("xlsx_button")
        self.xlsx_button.clicked.connect(self._on_xlsx_button_clicked)
        self.pdf_button = QPushButton(self.tr("PDF report…"), body)
        self.pdf_button.setObjectName("pdf_button")
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self.ledger_button = QPushButton(self.tr("Raise conflicts as problems"), body)
        self.ledger_button.setObjectName("ledger_button")
        self.ledger_button.clicked.connect(self._on_ledger_button_clicked)
        for b in (self.run_button, self.xlsx_button, self.pdf_button, self.ledger_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status_label = QLabel(self.tr("Not run yet"), body)
        self.status_label.setObjectName("status_label")
        layout.addWidget(self.status_label)
        self.model = OverlapTableModel(self)
        self.table = QTableView(body)
        self.table.setObjectName("results_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        layout.addWidget(self.table)
        self.setWidget(body)
        self._update_buttons()

    # --- inputs ------------------------------------------------------------------------------
    def set_project(self, project: Any, rules: RuleTable | None = None) -> None:
        """Check ``project`` (a ``network.io.project.Project``) with ``rules`` (default: saved)."""
        self._project = project
        self._job = None if project is None else (lambda: check_project(project, rules))
        self.model.set_result(None)
        self.status_label.setText(self.tr("Not run yet"))
        self._update_buttons()

    def set_inputs(
        self,
        layers: Mapping[str, gpd.GeoDataFrame],
        zones: Any,
        rules: RuleTable | None = None,
        **kw: Any,
    ) -> None:
        """Check GeoDataFrames directly (no project file; the ledger button stays off)."""
        self._project = None
        self._job = lambda: check_overlaps(dict(layers), zones, rules, **kw)
        self.model.set_result(None)
        self._update_buttons()

    @property
    def result(self) -> OverlapResult | None:
        return self.model.result

    def is_running(self) -> bool:
        return self._worker is not None

    # --- running -----------------------------------------------------------------------------
    def run_check(self) -> None:
        """Start the check on a worker thread (no-op while one runs or without inputs)."""
        if self._job is None or self._worker is not None:
            return
        worker = JobWorker(self._job)
        worker.progress.connect(self._on_worker_progress)
        self._worker = worker
        self._update_buttons()
        self.status_label.setText(self.tr("Checking…"))
        self.check_started.emit()
        self._thread = run_in_thread(
            self, worker, self._on_worker_finished, self._on_worker_failed
        )

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_run_button_clicked(self) -> None:
        self.run_check()

    def _on_worker_progress(self, fraction: float, message: str) -> None:
        self.progress_changed.emit(fraction, message)

    def _job_ended(self) -> None:
        self._worker = None
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()  # the worker has emitted its last signal: ends at once

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        if self._thread is not None:
            self._thread.wait()
        super().closeEvent(event)

    def _on_worker_finished(self, result: OverlapResult) -> None:
        self._job_ended()
        self.model.set_result(result)
        counts = {s: int((result.rows["severity"] == s).sum()) for s in SEVERITY_LABELS_ZH}
        self.status_label.setText(
            self.tr("{0} conflicts, {1} warnings, {2} notes").format(
                counts["conflict"], counts["warning"], counts["info"]
            )
        )
        self._update_buttons()
        self.check_finished.emit(result)

    def _on_worker_failed(self, exc: BaseException) -> None:
        self._job_ended()
        self._update_buttons()
        if isinstance(exc, Cancelled):
            self.status_label.setText(self.tr("Cancelled"))
            return
        self.status_label.setText(
            self.tr("Check failed: {0}").format(getattr(exc, "message", str(exc)))
        )
        self.check_failed.emit(exc)

    def _update_buttons(self) -> None:
        running = self._worker is not None
        has_result = self.model.result is not None
        self.run_button.setEnabled(self._job is not None and not running)
        self.xlsx_button.setEnabled(has_result and not running)
        self.pdf_button.setEnabled(has_result and not running)
        self.ledger_button.setEnabled(
            has_result
            and not running
            and self._project is not None
            and self.model.result is not None
            and self.model.result.has_conflicts
        )

    # --- map sync ----------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _on_table_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        rows = sorted({i.row() for i in selected.indexes()})
        result = self.model.result
        if not rows or result is None:
            return
        i = rows[0]
        part = result.rows.geometry.iloc[i]
        whole = result.feature_geometry(i)
        geoms = [g for g in (whole, part) if g is not None and not g.is_empty]
        if not geoms:
            return
        minx = min(g.bounds[0] for g in geoms)
        miny = min(g.bounds[1] for g in geoms)
        maxx = max(g.bounds[2] for g in geoms)
        maxy = max(g.bounds[3] for g in geoms)
        margin = max(maxx - minx, maxy - miny, 40.0) * 0.5
        self.zoom_requested.emit(minx - margin, miny - margin, maxx + margin, maxy + margin)
        self.highlight_requested.emit([part] if part is not None and not part.is_empty else [])

    # --- reports and ledger ------------------------------------------------------------------
    def export_xlsx(self, path: str) -> None:
        from surveys.zones.report import write_xlsx

        if self.model.result is not None:
            write_xlsx(self.model.result, path)

    def export_pdf(self, path: str) -> None:
        from surveys.zones.report import write_pdf

        if self.model.result is not None:
            write_pdf(self.model.result, path)

    def _ask_path(self, title: str, pattern: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, "", pattern)
        return path

    def _on_xlsx_button_clicked(self) -> None:
        path = self._ask_path(self.tr("Save Excel report"), self.tr("Excel (*.xlsx)"))
        if path:
            self._guarded(self.export_xlsx, path)

    def _on_pdf_button_clicked(self) -> None:
        path = self._ask_path(self.tr("Save PDF report"), self.tr("PDF (*.pdf)"))
        if path:
            self._guarded(self.export_pdf, path)

    def set_ledger(self, raise_in_ledger: Callable[[OverlapResult], Any] | None) -> None:
        """Who raises the conflicts in the ledger: ``raise_in_ledger(result)`` returns the
        ``surveys.ledger.RaiseResult`` (None: refused, nothing raised). The window gives the
        Ledger dock's undoable command; without one the dock writes to the project directly."""
        self._raise_in_ledger = raise_in_ledger

    def raise_problems(self) -> int:
        """Raise the conflicts in the project's ledger; returns how many were added."""
        if self._project is None or self.model.result is None:
            return 0
        raise_in_ledger = self._raise_in_ledger or self._raise_directly
        raised = raise_in_ledger(self.model.result)
        if raised is None:
            return 0
        self.status_label.setText(
            self.tr("{0} problems raised, {1} already in the ledger").format(
                len(raised.added), raised.skipped
            )
        )
        return len(raised.added)

    def _raise_directly(self, result: OverlapResult) -> Any:
        from surveys.zones.overlap import raise_conflicts

        return raise_conflicts(self._project.path, result)

    def _on_ledger_button_clicked(self) -> None:
        self._guarded(self.raise_problems)

    def _guarded(self, func: Callable[..., Any], *args: Any) -> None:
        from gisapp.qt.errors import USER_ERRORS, show_user_error

        try:
            func(*args)
        except USER_ERRORS as exc:
            show_user_error(self, exc)
