"""Entry forms for survey records (one form per record kind), a thin shell over ``surveys``.

:class:`RecordForm` builds its widgets from the record's field specs
(:meth:`surveys.records.Record.specs`), so every field has a widget named
``<field>_<kind>`` (``distance_m_edit``, ``code_combo``, ``grade_spin``, ``date_date``,
``photos_list`` …). Validation is :meth:`surveys.store.SurveyStore.validate`; its
field-level problems are shown under the field (``<field>_error`` label) and in the
widget's tooltip. Saving runs an undoable command from :mod:`surveys.record_commands`
and, if an undo stack is given, pushes it with :func:`gisapp.qt.undo.push_applied`.

Keyboard: Enter saves. In the observation form, saving starts the next observation on the
same pipe and inspection, with the cursor in the distance field, so a whole CCTV report can
be typed in one sitting.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QDoubleValidator, QIcon, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.undo import push_applied
from surveys.errors import SurveyError
from surveys.ledger import notes_to_text, text_to_notes
from surveys.record_commands import AddRecord, EditRecord
from surveys.records import Record, record_type
from surveys.store import SurveyStore
from surveys.store_errors import FieldProblem, RecordValidationError

#: Fields kept when the observation form moves on to the next observation.
CARRY_OVER = ("inspection_id", "pipe_id", "start_node", "end_node", "reverse")
ERROR_STYLE = "color: #c00000;"
INVALID_STYLE = "background-color: #ffe0e0;"


#: Word domain messages in Chinese (None: follow the locale; the language switch sets it).
USE_CHINESE_MESSAGES: bool | None = None


def chinese_messages() -> bool:
    """Whether field messages are shown in Chinese."""
    if USE_CHINESE_MESSAGES is not None:
        return USE_CHINESE_MESSAGES
    return QLocale().language() == QLocale.Language.Chinese


class _EnterFilter(QObject):
    """Enter/Return in a single-line input saves the form."""

    def __init__(self, form: RecordForm) -> None:
        super().__init__(form)
        self._form = form

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not isinstance(obj, QPlainTextEdit)
        ):
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            self._form.save()
            return True
        return False


class RecordForm(QWidget):
    """Form for one record kind (``inspection``, ``observation``, ``misconnection``,
    ``leak``, ``siltation`` or ``problem``).

    Signals
    -------
    record_saved(kind, uuid)
        A record was added or changed.
    pick_pipe_requested()
        The user wants to pick the pipe on the map; answer with :meth:`set_pipe`.
    pick_location_requested()
        The user wants to click a location; answer with :meth:`set_location`.
    command_done(object)
        The ``surveys`` command just executed (if no undo stack was given).
    """

    record_saved = Signal(str, str)
    pick_pipe_requested = Signal()
    pick_location_requested = Signal()
    command_done = Signal(object)

    def __init__(
        self,
        store: SurveyStore,
        kind: str,
        *,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = kind
        self.cls = record_type(kind)
        self.undo_stack = undo_stack
        self.record: Record | None = None  # the record being edited (None: a new one)
        self.widgets: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.setObjectName(f"{kind}_form")
        self._enter = _EnterFilter(self)
        self._build()
        self.new_record()

    # --- labels (literal self.tr calls so lupdate finds them) --------------------------------
    def _labels(self) -> dict[str, str]:
        return {
            "date": self.tr("Date"),
            "method": self.tr("Method"),
            "contractor": self.tr("Contractor"),
            "crew": self.tr("Crew"),
            "weather": self.tr("Weather"),
            "remarks": self.tr("Remarks"),
            "inspection_id": self.tr("Inspection"),
            "pipe_id": self.tr("Pipe"),
            "start_node": self.tr("Start manhole"),
            "end_node": self.tr("End manhole"),
            "reverse": self.tr("Inspected against digitised direction"),
            "distance_m": self.tr("Distance from start (m)"),
            "clock_from": self.tr("Clock from"),
            "clock_to": self.tr("Clock to"),
            "length_m": self.tr("Defect length (m)"),
            "code": self.tr("Defect code"),
            "grade": self.tr("Grade"),
            "photos": self.tr("Photos"),
            "video_time": self.tr("Video time"),
            "x": self.tr("X"),
            "y": self.tr("Y"),
            "direction": self.tr("Direction"),
            "pipe_ids": self.tr("Pipes"),
            "node_id": self.tr("Manhole"),
            "cod_mgl": self.tr("COD (mg/L)"),
            "nh3n_mgl": self.tr("NH3-N (mg/L)"),
            "conductivity_us_cm": self.tr("Conductivity (µS/cm)"),
            "flow_observed": self.tr("Dry-weather flow observed"),
            "smell": self.tr("Smell"),
            "enterprise_id": self.tr("Source enterprise"),
            "event": self.tr("Event"),
            "at_kind": self.tr("At"),
            "at_id": self.tr("Feature id"),
            "volume_m3": self.tr("Volume (m³)"),
            "depth_mm": self.tr("Siltation depth (mm)"),
            "description": self.tr("Problem"),
            "location": self.tr("Location"),
            "measure": self.tr("Measure"),
            "responsible_body": self.tr("Responsible body"),
            "responsible_person": self.tr("Responsible person"),
            "deadline": self.tr("Deadline"),
            "status": self.tr("Status"),
            "notes": self.tr("Progress notes"),
            "source": self.tr("Source"),
            "source_ref": self.tr("Source reference"),
            "layer": self.tr("Layer"),
            "feature_ids": self.tr("Features"),
        }

    def _choice_labels(self) -> dict[str, str]:
        return {
            "cctv": self.tr("CCTV"),
            "qv": self.tr("QV periscope"),
            "sonar": self.tr("Sonar"),
            "manual": self.tr("Manual"),
            "dye": self.tr("Dye test"),
            "smoke": self.tr("Smoke test"),
            "sewage_to_rain": self.tr("Sewage → rain"),
            "rain_to_sewage": self.tr("Rain → sewage"),
            "leak": self.tr("Leak"),
            "overflow": self.tr("Overflow"),
            "manhole": self.tr("Manhole"),
            "outfall": self.tr("Outfall"),
            "pipe": self.tr("Pipe"),
            "open": self.tr("Open"),
            "in_progress": self.tr("In progress"),
            "done": self.tr("Done"),
            "verified": self.tr("Verified"),
            "network_check": self.tr("Network check"),
            "defect": self.tr("Defect"),
            "misconnection": self.tr("Misconnection"),
            "protected_area": self.tr("Protected-area conflict"),
            "import": self.tr("Import"),
            "acceptance": self.tr("Zero-discharge acceptance"),
        }

    def _title(self) -> str:
        return {
            "inspection": self.tr("Inspection"),
            "observation": self.tr("Pipe defect"),
            "misconnection": self.tr("Misconnection"),
            "leak": self.tr("Leak / overflow"),
            "siltation": self.tr("Siltation"),
            "problem": self.tr("Ledger problem"),
        }[self.kind]

    # --- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title_label = QLabel(f"<b>{self._title()}</b>")
        self.title_label.setObjectName("title_label")
        outer.addWidget(self.title_label)
        self.form_error_label = QLabel("")
        self.form_error_label.setObjectName("form_error_label")
        self.form_error_label.setStyleSheet(ERROR_STYLE)
        self.form_error_label.setWordWrap(True)
        outer.addWidget(self.form_error_label)
        form = QFormLayout()
        outer.addLayout(form)
        labels = self._labels()
        choice = self._choice_labels()
        hidden = {"source_ref", "layer"}
        for spec in self.cls.specs():
            if spec.name in hidden:
                continue
            w = self._make_widget(spec, choice)
            self.widgets[spec.name] = w
            err = QLabel("")
            err.setObjectName(f"{spec.name}_error")
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.hide()
            self.error_labels[spec.name] = err
            box = QVBoxLayout()
            row = QHBoxLayout()
            row.addWidget(w, 1)
            if spec.name == "pipe_id":
                self.pick_pipe_button = QPushButton(self.tr("Pick on map"))
                self.pick_pipe_button.setObjectName("pick_pipe_button")
                self.pick_pipe_button.clicked.connect(self.pick_pipe_requested)
                row.addWidget(self.pick_pipe_button)
            if spec.name == "x":
                self.pick_location_button = QPushButton(self.tr("Pick on map"))
                self.pick_location_button.setObjectName("pick_location_button")
                self.pick_location_button.clicked.connect(self.pick_location_requested)
                row.addWidget(self.pick_location_button)
            if spec.name == "photos":
                self.photos_button = QPushButton(self.tr("Attach photos…"))
                self.photos_button.setObjectName("photos_button")
                self.photos_button.clicked.connect(self._on_photos_button_clicked)
                row.addWidget(self.photos_button)
            box.addLayout(row)
            box.addWidget(err)
            if spec.name == "code":
                self.grade_hint_label = QLabel("")
                self.grade_hint_label.setObjectName("grade_hint_label")
                self.grade_hint_label.setWordWrap(True)
                box.addWidget(self.grade_hint_label)
            form.addRow(labels.get(spec.name, spec.label_en), box)
            if not isinstance(w, QPlainTextEdit | QListWidget):
                w.installEventFilter(self._enter)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton(self.tr("New"))
        self.new_button.setObjectName("new_button")
        self.new_button.clicked.connect(lambda: self.new_record())
        self.status_label = QLabel("")
        self.status_label.setObjectName("status_label")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.status_label, 1)
        outer.addLayout(buttons)
        outer.addStretch(1)
        if "code" in self.widgets:
            self.widgets["code"].currentIndexChanged.connect(self._on_code_changed)
            self.widgets["grade"].valueChanged.connect(self._on_code_changed)
        self._fill_pipe_completer()

    def _make_widget(self, spec: Any, choice: dict[str, str]) -> QWidget:
        name = spec.name
        if name == "code":
            w = QComboBox()
            w.setObjectName("code_combo")
            w.addItem("", "")
            for c in self.store.pack.codes():
                if not c.active:
                    continue
                label = c.label_zh if chinese_messages() else c.label_en
                w.addItem(f"{c.code} {label}", c.code)
                tip = "\n".join(
                    f"{g.grade}: {g.zh} / {g.en}"
                    + (f" ({g.score:g})" if g.score is not None else "")
                    for g in c.grades
                )
                w.setItemData(w.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            return w
        if name == "inspection_id":
            w = QComboBox()
            w.setObjectName("inspection_id_combo")
            self._fill_inspections(w)
            return w
        if spec.choices:
            w = QComboBox()
            w.setObjectName(f"{name}_combo")
            for value in spec.choices:
                w.addItem(choice.get(value, value), value)
            return w
        if spec.kind == "date" and spec.required:
            w = QDateEdit()
            w.setObjectName(f"{name}_date")
            w.setDisplayFormat("yyyy-MM-dd")
            w.setCalendarPopup(True)
            return w
        if spec.kind == "int":
            w = QSpinBox()
            w.setObjectName(f"{name}_spin")
            w.setRange(0, 12 if name.startswith("clock") else 9)
            w.setSpecialValueText("—")
            return w
        if spec.kind == "bool":
            w = QCheckBox()
            w.setObjectName(f"{name}_check")
            return w
        if name == "photos":
            w = QListWidget()
            w.setObjectName("photos_list")
            w.setMaximumHeight(90)
            w.setViewMode(QListWidget.ViewMode.IconMode)
            return w
        if name == "notes":
            w = QPlainTextEdit()
            w.setObjectName("notes_edit")
            w.setPlaceholderText("YYYY-MM-DD …")
            w.setMaximumHeight(100)
            return w
        w = QLineEdit()
        w.setObjectName(f"{name}_edit")
        if spec.kind == "real":
            v = QDoubleValidator()
            v.setNotation(QDoubleValidator.Notation.StandardNotation)
            w.setValidator(v)
        if spec.kind == "date":
            w.setPlaceholderText("YYYY-MM-DD")
        if spec.kind == "json":
            w.setPlaceholderText(self.tr("ids separated by commas"))
        return w

    def _fill_inspections(self, w: QComboBox) -> None:
        current = w.currentData()
        w.clear()
        w.addItem(self.tr("(none)"), "")
        for i in reversed(self.store.records("inspection")):
            w.addItem(f"{i.date} {i.method} {i.contractor}".strip(), i.uuid)
        if current:
            idx = w.findData(current)
            w.setCurrentIndex(max(idx, 0))

    def _fill_pipe_completer(self) -> None:
        w = self.widgets.get("pipe_id")
        if isinstance(w, QLineEdit) and self.store.has_pipes():
            ids = sorted(self.store.pipes_frame().index)
            comp = QCompleter(ids, w)
            comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            w.setCompleter(comp)

    # --- values <-> widgets -------------------------------------------------------------------
    def _set_value(self, name: str, value: Any) -> None:
        w = self.widgets[name]
        spec = self.cls.spec(name)
        if isinstance(w, QComboBox):
            idx = w.findData(value or "")
            w.setCurrentIndex(max(idx, 0))
        elif isinstance(w, QDateEdit):
            d = QDate.fromString(str(value), "yyyy-MM-dd") if value else QDate.currentDate()
            w.setDate(d if d.isValid() else QDate.currentDate())
        elif isinstance(w, QSpinBox):
            w.setValue(int(value) if value is not None else 0)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QListWidget):
            w.clear()
            for rel in value or []:
                self._add_photo_item(rel)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(notes_to_text(value or []))
        elif isinstance(w, QLineEdit):
            if spec.kind == "json":
                w.setText(", ".join(value or []))
            elif spec.kind == "real":
                w.setText("" if value is None else f"{float(value):.12g}")
            else:
                w.setText("" if value is None else str(value))

    def _value(self, name: str) -> Any:
        w = self.widgets[name]
        spec = self.cls.spec(name)
        if isinstance(w, QComboBox):
            return w.currentData() or ""
        if isinstance(w, QDateEdit):
            return w.date().toString("yyyy-MM-dd")
        if isinstance(w, QSpinBox):
            return w.value() or None
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QListWidget):
            return [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())]
        if isinstance(w, QPlainTextEdit):
            old = self.record.notes if self.record is not None else []
            return text_to_notes(w.toPlainText(), self.store.today(), old, self.store.author)
        text = w.text().strip()
        if spec.kind == "json":
            return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
        if spec.kind == "real":
            if not text:
                return None
            try:
                return float(text.replace(",", "."))
            except ValueError:
                return text  # shown as a problem by validation
        return text

    def current_record(self) -> Record:
        """The record as the widgets show it (not saved)."""
        values = {name: self._value(name) for name in self.widgets}
        if self.record is not None:
            return dataclasses.replace(self.record, **values)
        return self.cls(**values)

    def load_record(self, rec: Record) -> None:
        """Show an existing record for editing."""
        self.record = rec
        self._refresh_inspections()
        for name in self.widgets:
            self._set_value(name, getattr(rec, name))
        self.clear_problems()
        self.status_label.setText(self.tr("Editing revision %1").replace("%1", str(rec.revision)))

    def new_record(self, **values: Any) -> None:
        """Start a new record (``values`` pre-fill fields, e.g. ``pipe_id``)."""
        self.record = None
        self._refresh_inspections()
        blank = self.cls(**values)
        for name in self.widgets:
            self._set_value(name, getattr(blank, name))
        for name in ("date",):
            if name in self.widgets and isinstance(self.widgets[name], QDateEdit):
                self.widgets[name].setDate(QDate.currentDate())
        self.clear_problems()

    def _refresh_inspections(self) -> None:
        w = self.widgets.get("inspection_id")
        if isinstance(w, QComboBox):
            self._fill_inspections(w)

    # --- map answers --------------------------------------------------------------------------
    def set_pipe(self, pipe_id: str) -> None:
        """Fill the pipe (answer to :attr:`pick_pipe_requested`)."""
        for name in ("pipe_id", "at_id"):
            if name in self.widgets:
                self._set_value(name, pipe_id)
                break
        if "pipe_ids" in self.widgets:
            ids = self._value("pipe_ids")
            if pipe_id not in ids:
                self._set_value("pipe_ids", [*ids, pipe_id])

    def set_location(self, x: float, y: float) -> None:
        """Fill X/Y (answer to :attr:`pick_location_requested`)."""
        if "x" in self.widgets:
            self._set_value("x", x)
            self._set_value("y", y)

    # --- code hint ----------------------------------------------------------------------------
    def _on_code_changed(self, *_: Any) -> None:
        code = self.widgets["code"].currentData()
        if not code:
            self.grade_hint_label.setText("")
            return
        dc = self.store.pack.code(code)
        grade = self.widgets["grade"].value()
        lines = []
        for g in dc.grades:
            text = f"{g.grade}: {g.zh}"
            lines.append(f"<b>{text}</b>" if g.grade == grade else text)
        if not dc.scored:
            lines.append(self.tr("(recorded, not scored)"))
        self.grade_hint_label.setText("<br>".join(lines))
        self.widgets["grade"].setMaximum(max(dc.grade_numbers) + 1)  # one more: checkable

    # --- photos -------------------------------------------------------------------------------
    def _add_photo_item(self, rel: str) -> None:
        from surveys.photos import resolve_photo, thumbnail_path

        w = self.widgets["photos"]
        item = QListWidgetItem(Path(rel).name)
        item.setData(Qt.ItemDataRole.UserRole, rel)
        try:
            p = resolve_photo(self.store.path, rel)
            thumb = thumbnail_path(p)
            if thumb.exists():
                item.setIcon(QIcon(QPixmap(str(thumb))))
        except SurveyError as exc:
            item.setToolTip(exc.message)
        w.addItem(item)

    def attach_photos(self, paths: list[str | Path]) -> list[str]:
        """Copy photos into the project and list them; returns the error messages."""
        from surveys.photos import attach_photo

        errors = []
        for p in paths:
            try:
                self._add_photo_item(attach_photo(self.store.path, p).relpath)
            except SurveyError as exc:
                errors.append(exc.message)
        if errors:
            self._show_field_problem("photos", "\n".join(errors))
        return errors

    def _on_photos_button_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach photos"),
            "",
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp)"),
        )
        if files:
            self.attach_photos(files)

    # --- validation and saving ----------------------------------------------------------------
    def clear_problems(self) -> None:
        """Hide every field message."""
        self.form_error_label.setText("")
        for name, label in self.error_labels.items():
            label.hide()
            label.setText("")
            self.widgets[name].setStyleSheet("")
            self.widgets[name].setToolTip("")

    def _show_field_problem(self, name: str, text: str) -> None:
        label = self.error_labels.get(name)
        if label is None:
            self.form_error_label.setText(text)
            return
        label.setText(text)
        label.show()
        self.widgets[name].setStyleSheet(INVALID_STYLE)
        self.widgets[name].setToolTip(text)

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Show field-level problems on their fields (Chinese UI: the zh message)."""
        self.clear_problems()
        zh = chinese_messages()
        for p in problems:
            self._show_field_problem(p.field, p.message_zh if zh else p.message_en)

    def check(self) -> list[FieldProblem]:
        """Validate the current input and show the problems; returns them."""
        rec = self.current_record()
        problems = self._type_problems(rec) or self.store.validate(rec)
        self.show_problems(problems)
        return problems

    def _type_problems(self, rec: Record) -> list[FieldProblem]:
        out = []
        for spec in rec.specs():
            v = getattr(rec, spec.name)
            if spec.kind == "real" and isinstance(v, str):
                out.append(
                    FieldProblem(
                        spec.name, "not_number", f"{v!r} is not a number.", f"“{v}”不是数字。", v
                    )
                )
        return out

    def save(self) -> Record | None:
        """Validate and save (add or edit); returns the saved record, or None if refused."""
        problems = self.check()
        if problems:
            if problems[0].field in self.widgets:
                self.widgets[problems[0].field].setFocus()
            return None
        rec = self.current_record()
        cmd: Any
        if self.record is None:
            cmd = AddRecord(self.store, rec, label=self.tr("Add %1").replace("%1", self._title()))
        else:
            cmd = EditRecord(
                self.store, rec, label=self.tr("Edit %1").replace("%1", self._title())
            )
        try:
            cmd.do()
        except RecordValidationError as exc:
            self.show_problems(exc.problems)
            return None
        except SurveyError as exc:
            self.form_error_label.setText(exc.message)
            return None
        if self.undo_stack is not None:
            push_applied(self.undo_stack, cmd, self, saves_immediately=True)
        else:
            self.command_done.emit(cmd)
        saved = cmd.added if isinstance(cmd, AddRecord) else self.store.get(rec.KIND, rec.uuid)
        assert saved is not None
        self.record_saved.emit(self.kind, saved.uuid)
        self.status_label.setText(self.tr("Saved"))
        if self.kind == "observation":
            keep = {k: getattr(saved, k) for k in CARRY_OVER}
            self.new_record(**keep)
            self.widgets["distance_m"].setFocus()
        else:
            self.load_record(saved)
        return saved


def make_form(store: SurveyStore, kind: str, **kw: Any) -> RecordForm:
    """A form for ``kind`` (``observation``, ``inspection``, ``misconnection``, ``leak``,
    ``siltation``, ``problem``)."""
    return RecordForm(store, kind, **kw)
