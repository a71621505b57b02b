"""The forms of the Outfalls dock: register facts, a monitoring sample, the decision, and the
dialog that adds an outfall found in the field (its position from a map click).

The forms only collect values; the dock writes them (undoably) and shows refusals. Field
titles, classes, standards, weather and decisions are data of the code tables (Chinese).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from surveys.outfalls.codes import OutfallError, load_classes, load_standards
from surveys.outfalls.decisions import DEFAULT_MEASURES
from surveys.outfalls.store import DECISIONS, ENTRY_FIELDS, WEATHER, Decision, MonitoringRecord

SAMPLE_NUMBERS = (
    ("flow_m3d", "流量 (m³/d)"),
    ("cod_mgl", "COD (mg/L)"),
    ("nh3n_mgl", "氨氮 (mg/L)"),
    ("tp_mgl", "总磷 (mg/L)"),
    ("ph", "pH"),
)


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox(objectName=name)
    for text, data in items:
        box.addItem(text, data)
    return box


def _set_combo(box: QComboBox, data: str) -> None:
    i = box.findData(data)
    box.setCurrentIndex(max(i, 0))


class FactsEditor(QWidget):
    """One editor per register field (``ENTRY_FIELDS``); ``values()`` by field code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QWidget] = {}
        for f in ENTRY_FIELDS:
            if f.kind == "class":
                items = [(c.label_zh, c.code) for c in load_classes().choices()]
                w: QWidget = _combo(f"{f.code}_combo", items)
            elif f.kind == "standard":
                items = [(self.tr("(class default)"), "")]
                items += [(s.label_zh, s.code) for s in load_standards().standards if s.active]
                w = _combo(f"{f.code}_combo", items)
            elif f.kind == "choice":
                w = _combo(f"{f.code}_combo", [("", ""), *((c, c) for c in f.choices)])
            else:
                w = QLineEdit(objectName=f"{f.code}_edit")
            self.editors[f.code] = w
            self.form.addRow(f.title, w)

    def show_values(self, values: dict[str, str]) -> None:
        for code, w in self.editors.items():
            v = values.get(code, "")
            if isinstance(w, QComboBox):
                _set_combo(w, v)
            else:
                w.setText(v)

    def values(self) -> dict[str, str]:
        out = {}
        for code, w in self.editors.items():
            if isinstance(w, QComboBox):
                out[code] = str(w.currentData() or "")
            else:
                out[code] = w.text().strip()
        return out

    def set_value(self, code: str, value: str) -> None:
        w = self.editors[code]
        if isinstance(w, QComboBox):
            i = w.findData(value)
            if i < 0:
                i = w.findText(value)
            w.setCurrentIndex(max(i, 0))
        else:
            w.setText(value)


class SampleForm(QWidget):
    """A monitoring sample: date-time, weather, flow, COD, NH₃-N, TP, pH, sampler."""

    add_requested = Signal(object)  # MonitoringRecord without outfall id → filled by the dock

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.sampled_edit = QDateTimeEdit(objectName="sampled_edit")
        self.sampled_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.sampled_edit.setCalendarPopup(True)
        self.sampled_edit.setDateTime(QDateTime.currentDateTime())
        form.addRow(self.tr("Sampled"), self.sampled_edit)
        self.weather_combo = _combo(
            "weather_combo", [("", ""), *((t, c) for c, t in WEATHER.items())]
        )
        form.addRow(self.tr("Weather"), self.weather_combo)
        self.number_edits: dict[str, QLineEdit] = {}
        row = QHBoxLayout()
        for code, title in SAMPLE_NUMBERS:
            e = QLineEdit(objectName=f"{code}_edit")
            e.setPlaceholderText(title)
            e.setToolTip(title)
            self.number_edits[code] = e
            row.addWidget(e)
        form.addRow(self.tr("Values"), row)
        self.sampler_edit = QLineEdit(objectName="sampler_edit")
        form.addRow(self.tr("Sampler"), self.sampler_edit)
        box.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.add_button = QPushButton(self.tr("Add sample"), objectName="add_sample_button")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        buttons.addWidget(self.add_button)
        box.addLayout(buttons)

    def record(self, outfall_id: str) -> MonitoringRecord:
        """The sample as a record of ``outfall_id``.

        Raises
        ------
        OutfallError
            A value is not a number.
        """
        nums: dict[str, float | None] = {}
        for code, title in SAMPLE_NUMBERS:
            text = self.number_edits[code].text().strip().replace(",", ".")
            if not text:
                nums[code] = None
                continue
            try:
                nums[code] = float(text)
            except ValueError:
                raise OutfallError(
                    f"{title}: {text!r} is not a number.", field=title, found=text
                ) from None
        if all(v is None for v in nums.values()):
            raise OutfallError("Enter at least one measured value.", field="value")
        when = self.sampled_edit.dateTime().toPython()
        assert isinstance(when, dt.datetime)
        return MonitoringRecord(
            outfall_id=outfall_id,
            sampled=when.strftime("%Y-%m-%dT%H:%M"),
            weather=str(self.weather_combo.currentData() or ""),
            sampler=self.sampler_edit.text().strip(),
            source="form",
            **nums,
        )

    def clear_values(self) -> None:
        for e in self.number_edits.values():
            e.clear()

    def _on_add_button_clicked(self) -> None:
        self.add_requested.emit(None)


class DecisionForm(QWidget):
    """The decision of an outfall: 保留并规范 / 合并至 X / 取缔封堵 with measure, target,
    deadline, responsible unit and person."""

    save_requested = Signal()
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.decision_combo = _combo(
            "decision_combo", [("", ""), *((t, c) for c, t in DECISIONS.items())]
        )
        self.decision_combo.currentIndexChanged.connect(self._on_decision_combo_changed)
        form.addRow(self.tr("Decision"), self.decision_combo)
        self.merge_combo = QComboBox(objectName="merge_into_combo")
        form.addRow(self.tr("Merge into"), self.merge_combo)
        self.measure_edit = QLineEdit(objectName="measure_edit")
        self.target_edit = QLineEdit(objectName="target_edit")
        self.deadline_edit = QLineEdit(objectName="deadline_edit")
        self.deadline_edit.setPlaceholderText("2025-06-30 / 2025年6月底")
        self.unit_edit = QLineEdit(objectName="unit_edit")
        self.person_edit = QLineEdit(objectName="person_edit")
        self.note_edit = QLineEdit(objectName="note_edit")
        form.addRow(self.tr("Measure"), self.measure_edit)
        form.addRow(self.tr("Target"), self.target_edit)
        form.addRow(self.tr("Deadline"), self.deadline_edit)
        form.addRow(self.tr("Responsible unit"), self.unit_edit)
        form.addRow(self.tr("Responsible person"), self.person_edit)
        form.addRow(self.tr("Remarks"), self.note_edit)
        box.addLayout(form)
        self.ledger_check = QCheckBox(
            self.tr("Raise ledger problems"), objectName="raise_ledger_check"
        )
        self.ledger_check.setChecked(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ledger_check)
        buttons.addStretch(1)
        self.clear_button = QPushButton(self.tr("Clear decision"), objectName="clear_decision")
        self.save_button = QPushButton(self.tr("Save decision"), objectName="save_decision")
        self.clear_button.clicked.connect(self.clear_requested)
        self.save_button.clicked.connect(self.save_requested)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        box.addLayout(buttons)
        self._on_decision_combo_changed(0)

    def show_decision(self, d: Decision | None, others: list[tuple[str, str]]) -> None:
        self.merge_combo.clear()
        self.merge_combo.addItem("", "")
        for oid, name in others:
            self.merge_combo.addItem(f"{oid}  {name}", oid)
        _set_combo(self.decision_combo, d.decision if d else "")
        _set_combo(self.merge_combo, d.merge_into if d else "")
        self.measure_edit.setText(d.measure if d else "")
        self.target_edit.setText(d.target if d else "")
        self.deadline_edit.setText(d.deadline if d else "")
        self.unit_edit.setText(d.responsible_unit if d else "")
        self.person_edit.setText(d.responsible_person if d else "")
        self.note_edit.setText(d.note if d else "")
        self.clear_button.setEnabled(d is not None)
        self._on_decision_combo_changed(0)

    def set_decision(self, code: str, merge_into: str = "") -> None:
        _set_combo(self.decision_combo, code)
        _set_combo(self.merge_combo, merge_into)

    def decision(self, outfall_id: str, decided: str = "") -> Decision:
        """The decision in the form (not yet validated: the store does that)."""
        return Decision(
            outfall_id=outfall_id,
            decision=str(self.decision_combo.currentData() or ""),
            merge_into=str(self.merge_combo.currentData() or ""),
            measure=self.measure_edit.text().strip(),
            target=self.target_edit.text().strip(),
            deadline=self.deadline_edit.text().strip(),
            responsible_unit=self.unit_edit.text().strip(),
            responsible_person=self.person_edit.text().strip(),
            note=self.note_edit.text().strip(),
            decided=decided,
        )

    def _on_decision_combo_changed(self, _index: int) -> None:
        code = str(self.decision_combo.currentData() or "")
        self.merge_combo.setEnabled(code == "merge")
        self.measure_edit.setPlaceholderText(DEFAULT_MEASURES.get(code, ""))
        self.save_button.setEnabled(bool(code))


class AddOutfallDialog(QDialog):
    """The facts of an outfall found in the field, at a position clicked on the map."""

    def __init__(self, x: float, y: float, lonlat: tuple[Any, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_outfall_dialog")
        self.setWindowTitle(self.tr("Add outfall found in the field"))
        self.x, self.y = x, y
        self.accept_check: Any = None  # (dialog) -> bool: stored? else the dialog stays open
        box = QVBoxLayout(self)
        lon, lat = lonlat
        where = f"x {x:.2f}, y {y:.2f}"
        if lon is not None and lat is not None:
            where += f"  (CGCS2000 {lon:.6f}, {lat:.6f})"
        self.position_label = QLabel(where, objectName="position_label")
        box.addWidget(self.position_label)
        form = QFormLayout()
        self.id_edit = QLineEdit(objectName="outfall_id_edit")
        self.id_edit.setPlaceholderText("PK11")
        form.addRow(self.tr("Outfall code"), self.id_edit)
        box.addLayout(form)
        self.facts = FactsEditor()
        box.addWidget(self.facts)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)

    def accept(self) -> None:
        if self.accept_check is not None and not self.accept_check(self):
            return
        super().accept()

    def outfall_id(self) -> str:
        return self.id_edit.text().strip()

    def values(self) -> dict[str, str]:
        return {k: v for k, v in self.facts.values().items() if v}


__all__ = ["AddOutfallDialog", "DecisionForm", "FactsEditor", "SampleForm"]
