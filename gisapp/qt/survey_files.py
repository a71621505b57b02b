"""Survey files in and out: the inspection-table import, the grade report, the ledger workbook.

Each flow takes the :class:`~gisapp.qt.surveys_ext.SurveysController` (its store, docks and
window); the ``ask_*`` functions are the menu entries (a file dialog first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from gisapp.qt.errors import USER_ERRORS, handle_error
from gisapp.qt.survey_import_dialogs import ImportMappingDialog, ImportReportDialog
from network.progress import drain
from surveys.store import SurveyStore


def tr(text: str) -> str:
    return QCoreApplication.translate("SurveyFiles", text)


# --- inspection table ---------------------------------------------------------------------------
def ask_import_table(ctl: Any) -> None:
    """Surveys → Import inspection table: choose the file, then :func:`import_table`."""
    if ctl.store is None:
        return
    path, _ = QFileDialog.getOpenFileName(
        ctl.window,
        tr("Import inspection table"),
        str(ctl.store.project_dir),
        tr("Inspection tables (*.xlsx *.csv *.txt *.tsv)"),
    )
    if path:
        import_table(ctl, path)


def import_table(ctl: Any, path: str | Path, *, ask: Any = None, report: Any = None) -> Any:
    """Read ``path``, ask for the column mapping, import, show the rows not read.

    ``ask(dialog) -> bool`` and ``report(dialog)`` replace the modal ``exec`` calls
    (tests). Returns the ``ImportResult`` (None when cancelled or failed)."""
    from surveys.importer import import_observations, read_table

    if ctl.store is None:
        return None
    path = Path(path)
    try:
        table, header_row = read_table(path)
    except USER_ERRORS as exc:
        handle_error(ctl.window, exc)
        return None
    dlg = ImportMappingDialog(path, table, header_row, ctl.window)
    ok = ask(dlg) if ask is not None else dlg.exec() == QDialog.DialogCode.Accepted
    options = dlg.options()
    dlg.deleteLater()
    if not ok:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = import_observations(ctl.store, path, **options)
    except USER_ERRORS as exc:
        QApplication.restoreOverrideCursor()
        handle_error(ctl.window, exc)
        return None
    QApplication.restoreOverrideCursor()
    _show_observations(ctl)
    rep = ImportReportDialog(result, ctl.window)
    if report is not None:
        report(rep)
    else:
        rep.exec()
    rep.deleteLater()
    return result


def _show_observations(ctl: Any) -> None:
    if ctl.records_dock is not None:
        combo = ctl.records_dock.kind_combo
        combo.setCurrentIndex(combo.findData("observation"))
        ctl._show_dock(ctl.records_dock)


# --- grade report -------------------------------------------------------------------------------
def ask_grade_report(ctl: Any) -> None:
    """Surveys → Grade report: choose the file, then write it off the GUI thread."""
    if ctl.store is None:
        return
    path, chosen = QFileDialog.getSaveFileName(
        ctl.window,
        tr("Grade report"),
        str(ctl.store.path.with_name(f"{ctl.store.path.stem}_管段评估.xlsx")),
        tr("Excel workbook (*.xlsx);;PDF (*.pdf)"),
    )
    if not path:
        return
    if not Path(path).suffix:
        path += ".pdf" if "pdf" in chosen.lower() else ".xlsx"
    ctl.window.run_job(
        tr("Writing grade report"),
        grade_report_job,
        ctl.store,
        path,
        on_done=lambda out: ctl.window.statusBar().showMessage(
            tr("Report written: %1").replace("%1", str(out)), 8000
        ),
    )


def write_grade_report(store: SurveyStore, path: str | Path) -> Path:
    """Write the segment assessment and inspection results tables (.xlsx or .pdf) now."""
    return drain(grade_report_job(store, path))


def grade_report_job(store: SurveyStore, path: str | Path):
    """Progress generator writing the grade report (Excel or PDF by the suffix)."""
    from surveys.reports import write_report_pdf, write_report_xlsx

    path = Path(path)
    yield 0.1, tr("Grading segments and writing %1").replace("%1", path.name)
    if path.suffix.lower() == ".pdf":
        return write_report_pdf(store, path)
    return write_report_xlsx(store, path)


# --- ledger workbook ----------------------------------------------------------------------------
def ask_export_ledger(ctl: Any) -> None:
    """Surveys → Export ledger: choose the workbook, write it, show the ledger."""
    if ctl.store is None:
        return
    path, _ = QFileDialog.getSaveFileName(
        ctl.window,
        tr("Export ledger"),
        str(ctl.store.path.with_suffix(".台账.xlsx")),
        tr("Excel workbook (*.xlsx)"),
    )
    if path:
        ctl.export_ledger(path)
        ctl.show_ledger()


def ask_import_ledger(ctl: Any) -> None:
    """Surveys → Import ledger: choose the workbook, then :func:`import_ledger`."""
    if ctl.store is None:
        return
    path, _ = QFileDialog.getOpenFileName(
        ctl.window,
        tr("Import ledger"),
        str(ctl.store.project_dir),
        tr("Excel workbook (*.xlsx)"),
    )
    if path:
        import_ledger(ctl, path)


def import_ledger(ctl: Any, path: str | Path, confirm: Any = None) -> Any:
    """Plan the import of an edited ledger workbook, show the changes and conflicts in
    :class:`~gisapp.qt.ledger_dock.LedgerImportDialog`, apply when confirmed.

    ``confirm(dialog) -> bool`` replaces the modal ``exec`` (tests)."""
    from gisapp.qt.ledger_dock import LedgerImportDialog

    if ctl.ledger_dock is None:
        return None
    plan = ctl.ledger_dock.plan_import(path)
    if plan is None:
        ctl.show_ledger()
        return None
    dlg = LedgerImportDialog(plan, ctl.window)
    ok = confirm(dlg) if confirm is not None else (dlg.exec() == QDialog.DialogCode.Accepted)
    dlg.deleteLater()
    ctl.show_ledger()
    return ctl.ledger_dock.apply_import(plan) if ok else None
