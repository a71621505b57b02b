"""File → New project from layers: pick files per layer kind, check encoding, CRS and roles.

For the selected file the dialog shows the detected encoding and why, the CRS (or a clear
"no CRS" with the guessed zone), and the field roles with a preview of decoded values; all of
them are editable before the import runs (off the GUI thread, with progress and cancel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.errors import USER_ERRORS
from gisapp.qt.field_labels import field_label
from gisapp.qt.workers import Cancelled
from network.io import crs as crsmod
from network.io.encoding import detect_encoding
from network.io.fields import guess_mapping, normalise_column
from network.io.read import read_vector, split_layer_spec
from network.schema import LAYER_KINDS, LAYER_LABELS_ZH, ROLE_ALIASES

ENCODINGS = ["auto", "gbk", "gb18030", "utf-8", "big5", "latin-1"]
FILE_FILTER = "Vector layers (*.shp *.gpkg *.geojson *.json);;All files (*)"


class NewProjectDialog(QDialog):
    """Collects the inputs of :func:`network.io.project.create_project_job`."""

    inputs_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New project from layers"))
        self.resize(1000, 640)
        self._files: dict[str, list[str]] = {k: [] for k in LAYER_KINDS}
        self._mapping: dict[str, dict[str, dict[str, str | None]]] = {}  # file -> kind -> map
        self._encoding: dict[str, str] = {}
        self._source_crs: dict[str, str] = {}
        self._current: tuple[str, str] | None = None
        top = self._build_target()
        split = QSplitter()
        split.addWidget(self._build_files())
        split.addWidget(self._build_detail())
        split.setStretchFactor(1, 3)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        self.error_label = QLabel(objectName="error_label")
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.error_label)
        lay.addWidget(buttons)

        self.kind_list.currentItemChanged.connect(self._on_kind_changed)
        self.file_list.currentItemChanged.connect(self._on_file_changed)
        self.kind_list.setCurrentRow(0)

    def _build_target(self) -> QFormLayout:
        """The project file and the project CRS."""
        self.project_edit = QLineEdit(objectName="project_edit")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._on_browse_clicked)
        self.crs_edit = QLineEdit(objectName="crs_edit")
        self.crs_edit.setPlaceholderText(self.tr("default: the CRS of the pipes, e.g. EPSG:4525"))
        top = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.project_edit)
        row.addWidget(browse)
        top.addRow(self.tr("Project file (.gpkg)"), row)
        top.addRow(self.tr("Project CRS"), self.crs_edit)
        return top

    def _build_files(self) -> QWidget:
        """The layer kinds and, for the one selected, its files with Add and Remove."""
        self.kind_list = QListWidget(objectName="kind_list")
        for kind in LAYER_KINDS:
            it = QListWidgetItem(f"{LAYER_LABELS_ZH[kind]} {kind}")
            it.setData(Qt.ItemDataRole.UserRole, kind)
            self.kind_list.addItem(it)
        self.file_list = QListWidget(objectName="file_list")
        add = QPushButton(self.tr("Add file…"))
        add.clicked.connect(self._on_add_clicked)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._on_remove_clicked)
        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Layer kind")))
        left.addWidget(self.kind_list)
        left.addWidget(QLabel(self.tr("Files")))
        left.addWidget(self.file_list)
        b = QHBoxLayout()
        b.addWidget(add)
        b.addWidget(remove)
        left.addLayout(b)
        left_w = QWidget()
        left_w.setLayout(left)
        return left_w

    def _build_detail(self) -> QGroupBox:
        """The selected file: encoding, CRS and the field roles with a preview."""
        self.encoding_combo = QComboBox(objectName="encoding_combo")
        for enc in ENCODINGS:  # the codes are shown as they are, "auto" in words
            self.encoding_combo.addItem(self.tr("auto-detect") if enc == "auto" else enc, enc)
        self.encoding_combo.currentIndexChanged.connect(
            lambda _i: self._on_encoding_changed(self.encoding_combo.currentData())
        )
        self.encoding_label = QLabel(objectName="encoding_label")
        self.encoding_label.setWordWrap(True)
        self.source_crs_edit = QLineEdit(objectName="source_crs_edit")
        self.source_crs_edit.editingFinished.connect(self._on_source_crs_edited)
        self.crs_label = QLabel(objectName="crs_label")
        self.crs_label.setWordWrap(True)
        self.roles_table = QTableWidget(0, 4, objectName="roles_table")
        self.roles_table.setHorizontalHeaderLabels(
            [
                self.tr("Role"),
                self.tr("Source field"),
                self.tr("How sure"),
                self.tr("Preview (decoded)"),
            ]
        )
        self.roles_table.horizontalHeader().setStretchLastSection(True)
        detail = QGroupBox(self.tr("Selected file"))
        form = QFormLayout(detail)
        form.addRow(self.tr("Encoding"), self.encoding_combo)
        form.addRow("", self.encoding_label)
        form.addRow(self.tr("CRS if the file has none"), self.source_crs_edit)
        form.addRow(self.tr("CRS"), self.crs_label)
        form.addRow(self.roles_table)
        return detail

    # --- public -------------------------------------------------------------------------------
    def add_file(self, kind: str, path: str) -> None:
        self._files[kind].append(path)
        self.kind_list.setCurrentRow(LAYER_KINDS.index(kind))
        self._refresh_files()
        self.file_list.setCurrentRow(self.file_list.count() - 1)
        self.inputs_changed.emit()

    def job_arguments(self) -> tuple[str, dict[str, list[str]], dict[str, Any]]:
        inputs = {k: v for k, v in self._files.items() if v}
        mapping: dict[str, dict[str, str | None]] = {}
        for f, kinds in self._mapping.items():
            for kind, m in kinds.items():
                if f in self._files.get(kind, []):
                    mapping.setdefault(kind, {}).update(m)
        encs = {self._encoding.get(f, "auto") for fs in inputs.values() for f in fs}
        encs.discard("auto")
        crss = {
            self._source_crs[f] for fs in inputs.values() for f in fs if self._source_crs.get(f)
        }
        kw: dict[str, Any] = {
            "crs": self.crs_edit.text().strip() or None,
            "encoding": encs.pop() if len(encs) == 1 else "auto",
            "mapping": mapping or None,
            "source_crs": crss.pop() if len(crss) == 1 else None,
        }
        return self.project_edit.text().strip(), inputs, kw

    def import_failed(self, exc: BaseException) -> None:
        """The import of these inputs failed (or was cancelled): say so above the buttons.

        Everything the user set stays (files, mappings, encodings, CRS): the window shows
        this same dialog again to fix one thing and retry."""
        if isinstance(exc, Cancelled):
            self.error_label.setText(self.tr("The import was cancelled."))
            return
        message = getattr(exc, "message", None) or str(exc)
        where = exc.where() if hasattr(exc, "where") else ""
        self.error_label.setText(
            self.tr("The import failed: %1").replace("%1", message)
            + (f" ({where})" if where else "")
        )

    # --- slots --------------------------------------------------------------------------------
    def _kind(self) -> str:
        it = self.kind_list.currentItem()
        return it.data(Qt.ItemDataRole.UserRole) if it else LAYER_KINDS[0]

    def _refresh_files(self) -> None:
        self.file_list.clear()
        for f in self._files[self._kind()]:
            self.file_list.addItem(f)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Project file"), "", "GeoPackage (*.gpkg)"
        )
        if path:
            self.project_edit.setText(path if path.endswith(".gpkg") else path + ".gpkg")

    def _on_add_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add layer files"), "", FILE_FILTER)
        for p in paths:
            self.add_file(self._kind(), p)

    def _on_remove_clicked(self) -> None:
        row = self.file_list.currentRow()
        if row >= 0:
            del self._files[self._kind()][row]
            self._refresh_files()
            self.inputs_changed.emit()

    def _on_kind_changed(self, *_: object) -> None:
        self._refresh_files()
        if self.file_list.count():
            self.file_list.setCurrentRow(0)
        else:
            self._show_file(None)

    def _on_file_changed(self, item: QListWidgetItem | None, *_: object) -> None:
        self._show_file(item.text() if item else None)

    def _on_encoding_changed(self, text: str) -> None:
        if self._current:
            self._encoding[self._current[1]] = text
            self._show_file(self._current[1])

    def _on_source_crs_edited(self) -> None:
        if self._current:
            self._source_crs[self._current[1]] = self.source_crs_edit.text().strip()
            self._show_file(self._current[1])

    def _on_role_changed(self, role: str, combo: QComboBox) -> None:
        if not self._current:
            return
        kind, f = self._current
        value = combo.currentData()
        self._mapping.setdefault(f, {}).setdefault(kind, {})[role] = value
        self._show_file(f)

    # --- preview ------------------------------------------------------------------------------
    def _encoding_text(self, enc: Any, engine: str) -> str:
        """Which encoding and why: the library's sentence in English, the kind of reason in
        the interface language otherwise (the sentence stays the tooltip)."""
        if not _chinese():
            return f"{enc.codec.upper()}: {enc.reason} ({engine})"
        why = {
            "user": self.tr("chosen by you"),
            "format": self.tr("the format is UTF-8"),
            "cpg": self.tr("declared in the .cpg file"),
            "ldid": self.tr("the DBF language driver byte"),
            "detected": self.tr("detected from the text"),
        }.get(enc.source, enc.reason)
        return f"{enc.codec.upper()}：{why}（{engine}）"

    def _show_file(self, f: str | None) -> None:
        kind = self._kind()
        self._current = (kind, f) if f else None
        self.roles_table.setRowCount(0)
        self.error_label.clear()
        if not f:
            self.encoding_label.clear()
            self.crs_label.clear()
            return
        enc_choice = self._encoding.get(f, "auto")
        self.encoding_combo.blockSignals(True)
        self.encoding_combo.setCurrentIndex(max(0, self.encoding_combo.findData(enc_choice)))
        self.encoding_combo.blockSignals(False)
        self.source_crs_edit.setText(self._source_crs.get(f, ""))
        path, layer = split_layer_spec(f)
        try:
            enc = detect_encoding(path, enc_choice)
            gdf, engine, _ = read_vector(path, layer, enc_choice, max_features=20)
        except USER_ERRORS as exc:
            self.error_label.setText(getattr(exc, "message", str(exc)))
            return
        self.encoding_label.setText(self._encoding_text(enc, engine))
        self.encoding_label.setToolTip(enc.reason)
        if gdf.crs is None:
            b = gdf.geometry.bounds
            guess = crsmod.guess_crs_zh if _chinese() else crsmod.guess_crs
            _, why = guess(b["minx"].to_numpy(), b["miny"].to_numpy())
            self.crs_label.setText(self.tr("No CRS in the file. Hint: ") + why)
            self.crs_label.setStyleSheet("color: #b00020")
        else:
            self.crs_label.setText(crsmod.crs_label(gdf.crs, _chinese()))
            self.crs_label.setStyleSheet("")
        columns = [c for c in gdf.columns if c != gdf.geometry.name]
        mapping = guess_mapping(kind, columns, frame=gdf)
        mapping.update(self._mapping.get(f, {}).get(kind, {}))
        lang = "zh" if _chinese() else "en"
        roles = ROLE_ALIASES[kind]
        self.roles_table.setRowCount(len(roles))
        for r, (role, (vtype, _aliases)) in enumerate(roles.items()):
            role_item = QTableWidgetItem(field_label(kind, role, lang == "zh"))
            role_item.setToolTip(role)
            self.roles_table.setItem(r, 0, role_item)
            combo = QComboBox()
            combo.setObjectName(f"{role}_combo")
            combo.addItem(self.tr("(none)"), None)
            for c in columns:
                combo.addItem(str(c), str(c))
            src = mapping.get(role)
            combo.setCurrentIndex(combo.findData(src) if src else 0)
            combo.currentIndexChanged.connect(
                lambda _i, role=role, combo=combo: self._on_role_changed(role, combo)
            )
            self.roles_table.setCellWidget(r, 1, combo)
            self.roles_table.setItem(r, 2, self._confidence_item(mapping, role, lang))
            preview = ""
            if src:
                vals, _bad = normalise_column(gdf[src], vtype, src)
                raw = [str(v) for v in gdf[src].head(4)]
                norm = ["" if v is None or v != v else str(v) for v in list(vals.head(4))]
                preview = "; ".join(
                    f"{a} → {b}" if a != b else a for a, b in zip(raw, norm, strict=True)
                )
            self.roles_table.setItem(r, 3, QTableWidgetItem(preview))

    def _confidence_item(self, mapping: Any, role: str, lang: str) -> QTableWidgetItem:
        """How the column of *role* was found: a known name, a partial match, its values, or
        by the user; the reason a candidate was passed over goes in the tooltip."""
        confidence = mapping.confidence(role) if hasattr(mapping, "confidence") else None
        guess = getattr(mapping, "guesses", {}).get(role)
        if confidence == "user":
            item = QTableWidgetItem(self.tr("set by you"))
        elif guess is not None and confidence is not None:
            item = QTableWidgetItem(guess.label(lang))
            if confidence in ("partial", "by_type"):
                item.setForeground(QColor("#b06000"))
        else:
            item = QTableWidgetItem("")
        if guess is not None and guess.note:
            item.setToolTip(guess.note)
        return item

    def _on_ok(self) -> None:
        path, inputs, _ = self.job_arguments()
        if not path:
            self.error_label.setText(self.tr("Choose where to save the project (.gpkg)."))
            return
        if Path(path).suffix.lower() != ".gpkg":
            self.error_label.setText(self.tr("The project file must end in .gpkg."))
            return
        if not inputs.get("pipes"):
            self.error_label.setText(self.tr("Add at least one pipe layer."))
            return
        self.accept()


def _chinese() -> bool:
    """Whether the interface speaks Chinese (the default locale follows the UI language)."""
    return QLocale().language() == QLocale.Language.Chinese
