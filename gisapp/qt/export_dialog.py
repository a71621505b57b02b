"""File → Export map: the pipe-network and flow-direction map to PDF or PNG.

The page is drawn by :mod:`gisapp.cartography.flowmap` (matplotlib, no Qt), the same code as
``python main.py map``; this module only collects the options and runs it off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gisapp.qt.outfalls_dock import TRACE_GROUP as OUTFALL_TRACE_GROUP
from gisapp.qt.trace_panel import TRACE_GROUP
from network import schema

#: The highlight groups a trace is drawn in, first found wins (File → Export map prints it).
TRACE_GROUPS = (TRACE_GROUP, OUTFALL_TRACE_GROUP)


class ExportMapDialog(QDialog):
    def __init__(
        self, parent: QWidget | None = None, *, has_trace: bool = False, default_path: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export map"))
        self.path_edit = QLineEdit(default_path, objectName="path_edit")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit)
        row.addWidget(browse)
        self.size_combo = QComboBox(objectName="size_combo")
        self.size_combo.addItems(["A4", "A3", "A2", "A1", "A0"])
        self.scale_combo = QComboBox(objectName="scale_combo")
        self.scale_combo.addItem(self.tr("Fit the page (one sheet)"), None)
        for n in (500, 1000, 2000):
            self.scale_combo.addItem(f"1:{n}", n)
        self.scale_combo.setToolTip(
            self.tr(
                "At a fixed scale a park larger than the paper is cut into numbered sheets, "
                "after an index map (PDF only)."
            )
        )
        self.rain_check = QCheckBox(self.tr("Fade the rain system"), objectName="rain_check")
        self.rain_check.setChecked(True)
        self.orientation_combo = QComboBox(objectName="orientation_combo")
        self.orientation_combo.addItem(self.tr("Landscape"), "landscape")
        self.orientation_combo.addItem(self.tr("Portrait"), "portrait")
        self.extent_combo = QComboBox(objectName="extent_combo")
        self.extent_combo.addItem(self.tr("Whole park"), "park")
        self.extent_combo.addItem(self.tr("Current view"), "view")
        self.title_edit = QLineEdit(objectName="title_edit")
        self.title_edit.setPlaceholderText(self.tr("default: <park> pipe network and flow map"))
        self.trace_check = QCheckBox(
            self.tr("Highlight the current trace"), objectName="trace_check"
        )
        self.trace_check.setChecked(has_trace)
        self.trace_check.setEnabled(has_trace)
        self.language_combo = QComboBox(objectName="language_combo")
        self.language_combo.addItem("中文", "zh")
        self.language_combo.addItem("English", "en")
        self.error_label = QLabel(objectName="error_label")
        self.error_label.setStyleSheet("color: #b00020")
        form = QFormLayout(self)
        form.addRow(self.tr("File (.pdf, .png or .dxf)"), row)
        form.addRow(self.tr("Paper"), self.size_combo)
        form.addRow(self.tr("Scale"), self.scale_combo)
        form.addRow(self.tr("Orientation"), self.orientation_combo)
        form.addRow(self.tr("Extent"), self.extent_combo)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Language of the page"), self.language_combo)
        form.addRow(self.rain_check)
        form.addRow(self.trace_check)
        form.addRow(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export map"),
            self.path_edit.text(),
            "PDF (*.pdf);;PNG (*.png);;DXF (*.dxf)",
        )
        if path:
            self.path_edit.setText(path)

    def _on_ok(self) -> None:
        suffix = Path(self.path_edit.text().strip()).suffix.lower()
        if suffix not in (".pdf", ".png", ".dxf"):
            self.error_label.setText(
                self.tr("Choose a file name ending in .pdf or .png (map) or .dxf (CAD drawing).")
            )
            return
        self.accept()

    def options(self) -> dict[str, Any]:
        return {
            "out": Path(self.path_edit.text().strip()),
            "size": self.size_combo.currentText(),
            "orientation": self.orientation_combo.currentData(),
            "extent": self.extent_combo.currentData(),
            "title": self.title_edit.text().strip() or None,
            "trace": self.trace_check.isChecked(),
            "language": self.language_combo.currentData(),
            "scale": self.scale_combo.currentData(),
            "rain": "faded" if self.rain_check.isChecked() else "normal",
        }


class MapExporter:
    """Adds File → Export map… to the window."""

    def __init__(self, window: Any) -> None:
        from PySide6.QtGui import QAction

        self.window = window
        self.action = QAction(QCoreApplication.translate("MapExporter", "Export &map…"), window)
        self.action.setObjectName("export_map_action")
        self.action.setShortcut("Ctrl+P")
        self.action.triggered.connect(self.open_dialog)
        window.file_menu.insertAction(window.export_anchor, self.action)
        self.last_path: Path | None = None

    def current_trace_pipes(self) -> tuple[str, ...]:
        """The pipes of the trace on the map: the Trace tool's group, else the outfall
        register's trace (the groups those modules highlight in)."""
        canvas = self.window.canvas
        for group in TRACE_GROUPS:
            ids = canvas.highlighted_ids(schema.PIPES, group)
            if ids:
                return tuple(sorted(str(i) for i in ids))
        return ()

    def open_dialog(self) -> ExportMapDialog | None:
        w = self.window
        if w.project is None:
            return None
        default = str(w.project.path.with_name(w.project.path.stem + "_管网图.pdf"))
        dlg = ExportMapDialog(w, has_trace=bool(self.current_trace_pipes()), default_path=default)
        dlg.setObjectName("export_map_dialog")
        dlg.accepted.connect(lambda: self.export(**dlg.options()))
        dlg.open()
        self.dialog = dlg
        return dlg

    def export(
        self,
        out: Path,
        size: str = "A4",
        orientation: str = "landscape",
        extent: str = "park",
        title: str | None = None,
        trace: bool = False,
        language: str = "zh",
        scale: int | None = None,
        rain: str = "faded",
    ) -> None:
        from gisapp.cartography.export import export_project_map

        w = self.window
        ext: Any = "park" if extent == "park" else tuple(w.canvas.view.extent)
        pipes = self.current_trace_pipes() if trace else ()
        checked = w.network_ctl.current_state()  # None: the export builds its own

        def job() -> Path:
            return export_project_map(
                w.project,
                out,
                size=size,
                orientation=orientation,
                extent=ext,
                title=title,
                language=language,
                checked=checked,
                trace_pipes=pipes,
                scale=scale,
                rain=rain,
            )

        def done(path: Path) -> None:
            self.last_path = path
            w.statusBar().showMessage(
                QCoreApplication.translate("MapExporter", "Map written to %1").replace(
                    "%1", str(path)
                ),
                8000,
            )

        w.run_job(QCoreApplication.translate("MapExporter", "Exporting map"), job, on_done=done)


def install(window: Any) -> MapExporter:
    return MapExporter(window)
