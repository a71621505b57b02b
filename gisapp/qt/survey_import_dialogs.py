"""Dialogs of the inspection-table import: the column mapping, and the report of what was read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ImportMappingDialog(QDialog):
    """Which table column holds which observation field (pre-filled by ``guess_mapping``)."""

    def __init__(
        self, path: Path, table: pd.DataFrame, header_row: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_mapping_dialog")
        self.setWindowTitle(self.tr("Import inspection table — columns"))
        self.columns = [str(c) for c in table.columns]
        lay = QVBoxLayout(self)
        info = QLabel(
            self.tr(
                "%1: %2 data row(s), header on row %3. Choose the column of "
                "each field; fields left empty are not read."
            )
            .replace("%1", path.name)
            .replace("%2", str(len(table)))
            .replace("%3", str(header_row))
        )
        info.setWordWrap(True)
        info.setObjectName("info_label")
        lay.addWidget(info)
        lay.addWidget(self._build_mapping_table(table), 1)
        lay.addLayout(self._build_options_form())
        self.hint_label = QLabel("")
        self.hint_label.setObjectName("hint_label")
        self.hint_label.setStyleSheet("color: #c00000;")
        self.hint_label.setWordWrap(True)
        lay.addWidget(self.hint_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttons")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(640, 560)
        self._update_state()

    def _build_mapping_table(self, table: pd.DataFrame) -> QTableWidget:
        """One row per observation field: its label, the column combo, the first value."""
        from surveys.importer import FIELD_ALIASES, guess_mapping

        guessed = guess_mapping(self.columns)
        labels = self._field_labels()
        self.fields = list(FIELD_ALIASES)
        self.mapping_table = QTableWidget(len(self.fields), 3)
        self.mapping_table.setObjectName("mapping_table")
        self.mapping_table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Column"), self.tr("First value")]
        )
        self.mapping_table.verticalHeader().hide()
        self.combos: dict[str, QComboBox] = {}
        self._first = table.iloc[0] if len(table) else None
        for i, f in enumerate(self.fields):
            item = QTableWidgetItem(labels.get(f, f))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(f)
            self.mapping_table.setItem(i, 0, item)
            combo = QComboBox()
            combo.setObjectName(f"{f}_column_combo")
            combo.addItem(self.tr("(not in the table)"), "")
            for c in self.columns:
                combo.addItem(c, c)
            combo.setCurrentIndex(max(combo.findData(guessed.get(f, "")), 0))
            combo.currentIndexChanged.connect(self._update_state)
            combo.currentIndexChanged.connect(lambda _i, row=i: self._show_sample(row))
            self.combos[f] = combo
            self.mapping_table.setCellWidget(i, 1, combo)
            self.mapping_table.setItem(i, 2, QTableWidgetItem(""))
        for i in range(len(self.fields)):
            self._show_sample(i)
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        return self.mapping_table

    def _build_options_form(self) -> QFormLayout:
        """Method, contractor and photo folder of the imported inspections."""
        from surveys.records import METHODS

        form = QFormLayout()
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("method_combo")
        method_labels = {
            "cctv": self.tr("CCTV"),
            "qv": self.tr("QV periscope"),
            "sonar": self.tr("Sonar"),
            "manual": self.tr("Manual"),
            "dye": self.tr("Dye test"),
            "smoke": self.tr("Smoke test"),
        }
        for m in METHODS:
            self.method_combo.addItem(method_labels.get(m, m), m)
        self.contractor_edit = QLineEdit()
        self.contractor_edit.setObjectName("contractor_edit")
        photo_row = QHBoxLayout()
        self.photo_folder_edit = QLineEdit()
        self.photo_folder_edit.setObjectName("photo_folder_edit")
        self.photo_folder_edit.setPlaceholderText(self.tr("folder of the photo files (optional)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setObjectName("photo_folder_button")
        browse.clicked.connect(self._on_photo_folder_button_clicked)
        photo_row.addWidget(self.photo_folder_edit, 1)
        photo_row.addWidget(browse)
        form.addRow(self.tr("Method"), self.method_combo)
        form.addRow(self.tr("Contractor"), self.contractor_edit)
        form.addRow(self.tr("Photos"), photo_row)
        return form

    def _field_labels(self) -> dict[str, str]:
        return {
            "pipe_id": self.tr("Pipe id"),
            "start_node": self.tr("Start manhole"),
            "end_node": self.tr("End manhole"),
            "distance_m": self.tr("Distance (m)"),
            "code": self.tr("Defect code"),
            "code_name": self.tr("Defect name"),
            "grade": self.tr("Grade"),
            "clock": self.tr("Clock position"),
            "length_m": self.tr("Defect length (m)"),
            "video_time": self.tr("Video time"),
            "photos": self.tr("Photos"),
            "remarks": self.tr("Remarks"),
            "date": self.tr("Inspection date"),
        }

    def _show_sample(self, row: int) -> None:
        col = self.combos[self.fields[row]].currentData()
        text = ""
        if col and self._first is not None:
            v = self._first.get(col)
            text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        self.mapping_table.item(row, 2).setText(text)

    def _update_state(self, *_: Any) -> None:
        m = self.mapping()
        problems = []
        if "code" not in m and "code_name" not in m:
            problems.append(self.tr("Choose the column of the defect code (or name)."))
        if "pipe_id" not in m and not ("start_node" in m and "end_node" in m):
            problems.append(self.tr("Choose the pipe column, or both manhole columns."))
        used = list(m.values())
        if len(used) != len(set(used)):
            problems.append(self.tr("A column is chosen for two fields."))
        self.hint_label.setText("\n".join(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)

    def _on_photo_folder_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Photo folder"))
        if folder:
            self.photo_folder_edit.setText(folder)

    def mapping(self) -> dict[str, str]:
        """``{field: column}`` of the fields given a column."""
        return {f: c.currentData() for f, c in self.combos.items() if c.currentData()}

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``surveys.importer.import_observations``."""
        folder = self.photo_folder_edit.text().strip()
        return {
            "mapping": self.mapping(),
            "method": self.method_combo.currentData(),
            "contractor": self.contractor_edit.text().strip(),
            "photo_folder": folder or None,
            "guess": False,
        }  # the dialog shows the whole mapping: a cleared field stays out


class ImportReportDialog(QDialog):
    """What an import did: counts, and every row not read (or read with a warning)."""

    def __init__(self, result: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_report_dialog")
        self.setWindowTitle(self.tr("Inspection table imported"))
        lay = QVBoxLayout(self)
        summary = QLabel(
            self.tr(
                "%1 observation(s) imported from %2; %3 row(s) could not be "
                "read; %4 warning(s); %5 observation(s) wait for their pipe "
                "to be matched."
            )
            .replace("%1", str(len(result.imported)))
            .replace("%2", result.file)
            .replace("%3", str(len(result.rejected)))
            .replace("%4", str(len(result.warnings)))
            .replace("%5", str(result.pending))
        )
        summary.setWordWrap(True)
        summary.setObjectName("summary_label")
        lay.addWidget(summary)
        rows = [(self.tr("not read"), p) for p in result.rejected]
        rows += [(self.tr("warning"), p) for p in result.warnings]
        self.rows_table = QTableWidget(len(rows), 5)
        self.rows_table.setObjectName("rows_table")
        self.rows_table.setHorizontalHeaderLabels(
            [
                self.tr("Row"),
                self.tr("What"),
                self.tr("Field"),
                self.tr("Column"),
                self.tr("Reason"),
            ]
        )
        self.rows_table.verticalHeader().hide()
        for i, (what, p) in enumerate(rows):
            for j, v in enumerate((str(p.row), what, p.field, p.column, p.reason)):
                item = QTableWidgetItem(v)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.rows_table.setItem(i, j, item)
        self.rows_table.horizontalHeader().setStretchLastSection(True)
        self.rows_table.setVisible(bool(rows))
        lay.addWidget(self.rows_table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.resize(760, 420 if rows else 160)
