"""The park facts form of the Park dossier dock: every field of the park record.

Fields are grouped as 附件1-3 groups its columns (基本情况, 管网建设情况, 污水集中处理设施建设情况,
排查整治情况, 备注) plus who filled it in. Each value is checked while it is typed
(:func:`surveys.dossier.park.validate_value`); a wrong value shows its message under the field
and is never saved. A figure the map gives shows the computed value beside the field; what is
typed is an override, and *Clear override* brings the computed value back.

The form only asks: :attr:`ParkFactsForm.value_committed` (code, value) goes to the dock,
which writes it through :class:`~surveys.dossier.park.ParkStore` as an undoable step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from surveys.dossier.codes import DossierError
from surveys.dossier.figures import ParkValue, format_value
from surveys.dossier.park import PARK_FIELDS, ParkField, validate_value
from surveys.dossier.tables import ANNEX13_COLUMNS, ANNEX13_GROUPS, ANNEX13_REMARKS

ERROR_STYLE = "color: #b00020;"
INVALID_EDIT_STYLE = "QLineEdit { border: 1px solid #b00020; background: #fff0f0; }"
HINT_STYLE = "color: #555;"
TITLE_WIDTH_PX = 150


def field_groups() -> list[tuple[str, list[ParkField]]]:
    """The park fields under the 附件1-3 group titles, in the table's order; fields the table
    lacks (区县市 joins 基本情况, 填报单位/填报日期 come last under an empty title)."""
    columns = [code for _t, code in ANNEX13_COLUMNS] + [ANNEX13_REMARKS[1]]
    group_of: dict[str, str] = {}
    for title, first, last in ANNEX13_GROUPS:
        for code in columns[first : last + 1]:
            group_of[code] = title
    group_of.setdefault("county", ANNEX13_GROUPS[0][0])
    out: dict[str, list[ParkField]] = {title: [] for title, _a, _b in ANNEX13_GROUPS}
    out[""] = []
    for f in PARK_FIELDS:
        out[group_of.get(f.code, "")].append(f)
    return [(title, fields) for title, fields in out.items() if fields]


class FieldEditor(QWidget):
    """One field: the editor, the computed value and *Clear override* beside it, the message."""

    committed = Signal(str, str)  # code, value ("" clears)

    def __init__(self, field: ParkField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.stored = ""
        self.computed_text = ""
        self._committing = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        if field.kind == "choice":
            self.combo: QComboBox | None = QComboBox(objectName=f"field_{field.code}")
            self.combo.addItem("")
            self.combo.addItems(list(field.choices))
            self.combo.activated.connect(self._on_combo_activated)
            self.edit: QLineEdit | None = None
            row.addWidget(self.combo, 1)
        else:
            self.combo = None
            self.edit = QLineEdit(objectName=f"field_{field.code}")
            self.edit.setClearButtonEnabled(True)
            if field.kind == "date":
                self.edit.setPlaceholderText("2024-06-30")
            self.edit.textEdited.connect(self._on_edit_text_edited)
            self.edit.editingFinished.connect(self._on_edit_editing_finished)
            row.addWidget(self.edit, 1)
        self.clear_button = QToolButton(objectName=f"clear_{field.code}")
        self.clear_button.setText(self.tr("Clear override"))
        self.clear_button.setToolTip(self.tr("Use the value computed from the map again"))
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.clear_button.setVisible(field.computed)
        row.addWidget(self.clear_button)
        box.addLayout(row)
        self.computed_label = QLabel(objectName=f"computed_{field.code}")
        self.computed_label.setStyleSheet(HINT_STYLE)
        self.computed_label.setWordWrap(True)
        self.computed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.computed_label.hide()
        box.addWidget(self.computed_label)
        self.error_label = QLabel(objectName=f"error_{field.code}")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        box.addWidget(self.error_label)

    # --- showing ------------------------------------------------------------------------------
    def text(self) -> str:
        if self.combo is not None:
            return self.combo.currentText()
        assert self.edit is not None
        return self.edit.text()

    def set_value(self, stored: str, value: ParkValue | None) -> None:
        """Show the stored value (an override for a computed figure) and the computed one."""
        before, self.stored = self.stored, stored
        computed = value.computed if value is not None and self.field.computed else None
        self.computed_text = format_value(computed)
        if self.combo is not None:
            i = self.combo.findText(stored)
            self.combo.setCurrentIndex(max(i, 0))
        else:
            assert self.edit is not None
            self.edit.setPlaceholderText(
                self.computed_text or ("2024-06-30" if self.field.kind == "date" else "")
            )
            typing = self.edit.hasFocus() and self.edit.text() != before
            pending = typing or self.error_label.isVisibleTo(self)
            if pending and not self._committing and self.edit.text() != stored:
                self._show_computed()  # keep what is being typed (or refused) in this field
                return
            self.edit.setText(stored)
            self.edit.setCursorPosition(0)
        self._show_error("")
        self._show_computed()

    def _show_computed(self) -> None:
        if not self.field.computed:
            return
        self.clear_button.setEnabled(bool(self.stored))
        if not self.computed_text:
            self.computed_label.setText(self.tr("Not computed: the map gives no value."))
        elif self.stored:
            self.computed_label.setText(
                self.tr("Overridden; computed from the map: %1").replace("%1", self.computed_text)
            )
        else:
            self.computed_label.setText(self.tr("Computed from the map"))
        self.computed_label.show()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if self.edit is not None:
            self.edit.setStyleSheet(INVALID_EDIT_STYLE if message else "")

    # --- checking -----------------------------------------------------------------------------
    def check(self, text: str) -> tuple[str | None, str]:
        """(the value as it would be stored, or None; the message when it is wrong)."""
        try:
            return validate_value(self.field, text), ""
        except DossierError as exc:
            return None, self.describe(exc, text)

    def describe(self, exc: DossierError, text: str) -> str:
        """The message of a refused value, in the interface language."""
        kind, data = self.field.kind, exc.data
        if kind == "credit_code":
            code = str(data.get("found") or text.strip().upper())
            pos = data.get("position")
            if pos is None:
                return self.tr(
                    "%1 characters: a unified social credit code has 18 (GB 32100-2015)."
                ).replace("%1", str(len(code)))
            shown = f"{code[: pos - 1]}[{code[pos - 1]}]{code[pos:]}"
            if "expected" in data:
                return (
                    self.tr("Character %1 (the check character) is “%2”; it should be “%3”: %4")
                    .replace("%1", str(pos))
                    .replace("%2", code[pos - 1])
                    .replace("%3", str(data["expected"]))
                    .replace("%4", shown)
                )
            return (
                self.tr("Character %1 “%2” never occurs in a credit code (no I, O, S, V, Z): %3")
                .replace("%1", str(pos))
                .replace("%2", code[pos - 1])
                .replace("%3", shown)
            )
        if kind == "zone_code":
            return self.tr(
                "Not a development-zone code: G (national) or S (provincial) and six digits, "
                "e.g. S437047, or ※ for a zone not in the catalogue."
            )
        if kind == "date":
            return self.tr("Not a date: write it as 2024-06-30.")
        if kind == "number":
            return self.tr("Not a number ≥ 0.")
        if kind == "int":
            return self.tr("Not a whole number ≥ 0.")
        return exc.message

    def _on_edit_text_edited(self, text: str) -> None:
        self._show_error(self.check(text)[1])

    def _on_edit_editing_finished(self) -> None:
        self._commit(self.text())

    def _on_combo_activated(self, _index: int) -> None:
        self._commit(self.text())

    def _on_clear_button_clicked(self) -> None:
        if self.edit is not None:
            self.edit.clear()
        elif self.combo is not None:
            self.combo.setCurrentIndex(0)
        self._commit("")

    def _commit(self, text: str) -> None:
        value, message = self.check(text)
        self._show_error(message)
        if value is None or value == self.stored:
            return  # invalid input is never saved; an unchanged one needs no step
        self._committing = True
        try:
            self.committed.emit(self.field.code, value)
        finally:
            self._committing = False


class ParkFactsForm(QScrollArea):
    """Every field of the park record, grouped, in a scrollable page."""

    value_committed = Signal(str, str)  # code, value ("" clears)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("park_facts_form")
        self.setWidgetResizable(True)
        page = QWidget()
        outer = QVBoxLayout(page)
        self.editors: dict[str, FieldEditor] = {}
        for title, fields in field_groups():
            box = QGroupBox(title or self.tr("Filled in by"))
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            grid.setVerticalSpacing(6)
            for r, f in enumerate(fields):
                label = QLabel(f.title)  # the regulation's wording: data, not translated
                label.setWordWrap(True)
                label.setFixedWidth(TITLE_WIDTH_PX)
                label.setToolTip(f.title)
                ed = FieldEditor(f, box)
                ed.committed.connect(self.value_committed)
                label.setBuddy(ed.edit or ed.combo)
                grid.addWidget(label, r, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(ed, r, 1)
                self.editors[f.code] = ed
            outer.addWidget(box)
        outer.addStretch(1)
        self.setWidget(page)

    def show_values(self, stored: dict[str, str], values: dict[str, Any]) -> None:
        """Show the record's stored values and the computed figures."""
        for code, ed in self.editors.items():
            ed.set_value(stored.get(code, ""), values.get(code))
