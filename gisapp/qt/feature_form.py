"""A form for one feature's attributes: canonical fields, then the source's original fields.

Coded fields (system, flow direction, class …) are combo boxes; numbers are checked as you
type and a wrong value is explained under its field. Saving pushes one
:class:`network.commands.SetAttributes` with the changed values on the undo stack.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.errors import handle_error
from gisapp.qt.undo import push
from network import schema as S
from network.commands import EDIT_NOTE, SetAttributes, feature_row, find_rows

HIDDEN = {S.SRC_FID, S.SRC_PART, "src_file", EDIT_NOTE, "connection_status", "flow_forward"}
CODES: dict[str, tuple[str, ...]] = {
    "system": S.SYSTEM_VALUES,
    "flow_dir": ("forward", "reverse"),
    "pipe_class": ("main", "branch"),
    "status": ("open", "blocked", "closed"),
    "outfall_class": S.OUTFALL_CLASSES,
    "zone_class": S.ZONE_CLASSES,
    "zone_level": S.ZONE_LEVELS,
    "plant_type": ("own", "shared"),
    "bool": ("true", "false"),
}
NUMBER_TYPES = ("float", "capacity", "int")
# sensible ranges: (min, max) for canonical numbers
RANGES = {
    S.DIAMETER_MM: (1.0, 10_000.0),
    S.YEAR: (1900.0, 2100.0),
    S.FLOW_TPD: (0.0, 1e7),
    S.CAPACITY_TPD: (0.0, 1e8),
    S.LOAD_TPD: (0.0, 1e8),
    S.COD_MGL: (0.0, 1e6),
    S.DEPTH_M: (0.0, 100.0),
}


def _text(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


class FeatureForm(QDialog):
    """Edit the attributes of feature ``feature_id`` of layer ``kind``."""

    def __init__(
        self, window: Any, store: Any, kind: str, feature_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent or window)
        self.window = window
        self.store = store
        self.kind = kind
        self.feature_id = str(feature_id)
        gdf = store.get(kind)
        self.row = feature_row(gdf, kind, self.feature_id)
        self._gdf = gdf
        self.widgets: dict[str, QLineEdit | QComboBox] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.types: dict[str, str] = {}
        self.setWindowTitle(self.tr("Attributes of %1").replace("%1", self.feature_id))
        self.resize(460, 620)

        inner = QWidget()
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        roles = S.ROLE_ALIASES.get(kind, {})
        head = QLabel(self.tr("Standard fields"))
        head.setStyleSheet("font-weight: bold")
        form.addRow(head)
        for col, (vtype, _aliases) in roles.items():
            self._add_field(form, col, self.field_label(col), vtype)
        if kind == S.PIPES and S.LENGTH_M in gdf.columns:
            self._add_field(form, S.LENGTH_M, self.field_label(S.LENGTH_M), "float")
        originals = [
            c
            for c in gdf.columns
            if c not in roles and c not in HIDDEN and c != gdf.geometry.name and c != S.LENGTH_M
        ]
        if originals:
            head = QLabel(self.tr("Fields of the source data"))
            head.setStyleSheet("font-weight: bold")
            form.addRow(head)
            for col in originals:
                dtype = gdf[col].dtype
                vtype = (
                    "int"
                    if pd.api.types.is_integer_dtype(dtype)
                    else "float"
                    if pd.api.types.is_float_dtype(dtype)
                    else "str"
                )
                self._add_field(form, col, str(col), vtype)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll)
        lay.addWidget(self.buttons)

    def field_label(self, col: str) -> str:
        labels = {
            S.PIPE_ID: self.tr("Pipe id"),
            S.FROM_NODE: self.tr("From manhole"),
            S.TO_NODE: self.tr("To manhole"),
            S.SYSTEM: self.tr("System"),
            S.DIAMETER_MM: self.tr("Diameter (mm)"),
            S.MATERIAL: self.tr("Material"),
            S.FROM_INVERT_M: self.tr("From invert (m)"),
            S.TO_INVERT_M: self.tr("To invert (m)"),
            S.FLOW_DIR: self.tr("Flow direction"),
            S.PIPE_CLASS: self.tr("Main/branch"),
            S.STATUS: self.tr("Status"),
            S.OWNER: self.tr("Owner"),
            S.YEAR: self.tr("Year built"),
            S.LENGTH_M: self.tr("Length (m)"),
            S.NODE_ID: self.tr("Manhole id"),
            S.GROUND_M: self.tr("Ground level (m)"),
            S.DEPTH_M: self.tr("Depth (m)"),
            S.NODE_TYPE: self.tr("Manhole type"),
            S.OUTFALL_ID: self.tr("Outfall id"),
            S.NAME: self.tr("Name"),
            S.OUTFALL_CLASS: self.tr("Outfall class"),
            S.RECEIVING_WATER: self.tr("Receiving water"),
            S.ENT_ID: self.tr("Enterprise id"),
            S.CREDIT_CODE: self.tr("Unified social credit code"),
            S.PERMIT_NO: self.tr("Discharge permit no."),
            S.INDUSTRY: self.tr("Industry"),
            S.FLOW_TPD: self.tr("Wastewater (t/d)"),
            S.COD_MGL: self.tr("COD (mg/L)"),
            S.CONNECT_NODE: self.tr("Connection manhole"),
            S.PLANT_ID: self.tr("Plant id"),
            S.PLANT_TYPE: self.tr("Plant type"),
            S.PROCESS: self.tr("Process"),
            S.CAPACITY_TPD: self.tr("Design capacity (t/d)"),
            S.LOAD_TPD: self.tr("Actual load (t/d)"),
            S.COD_IN_MGL: self.tr("Inflow COD (mg/L)"),
            S.COD_OUT_MGL: self.tr("Outflow COD (mg/L)"),
            S.STANDARD: self.tr("Standard"),
            S.ONLINE_MONITORING: self.tr("Online monitoring"),
            S.ZONE_ID: self.tr("Zone id"),
            S.ZONE_CLASS: self.tr("Zone class"),
            S.ZONE_LEVEL: self.tr("Zone level"),
            S.PARK_CODE: self.tr("Park code"),
            S.AREA_KM2: self.tr("Area (km²)"),
        }
        return labels.get(col, col)

    def code_label(self, code: str) -> str:
        labels = {
            "sewage": self.tr("Sewage"),
            "rain": self.tr("Rain"),
            "combined": self.tr("Combined"),
            "industrial": self.tr("Industrial wastewater"),
            "forward": self.tr("As digitised"),
            "reverse": self.tr("Against digitising"),
            "main": self.tr("Main"),
            "branch": self.tr("Branch"),
            "open": self.tr("Open"),
            "blocked": self.tr("Blocked"),
            "closed": self.tr("Closed"),
            "true": self.tr("Yes"),
            "false": self.tr("No"),
        }
        return labels.get(code, code)

    def _add_field(self, form: QFormLayout, col: str, label: str, vtype: str) -> None:
        value = self._gdf[col].iloc[self.row] if col in self._gdf.columns else None
        self.types[col] = vtype
        widget: QLineEdit | QComboBox
        if vtype in CODES:
            widget = QComboBox()
            widget.setObjectName(f"{col}_combo")
            widget.addItem("", None)
            for code in CODES[vtype]:
                widget.addItem(self.code_label(code), code)
            text = _text(value).lower() if vtype == "bool" else _text(value)
            k = widget.findData(text)
            if k < 0 and text:  # a value outside the code list: keep it selectable
                widget.addItem(text, text)
                k = widget.count() - 1
            widget.setCurrentIndex(max(k, 0))
        else:
            widget = QLineEdit(_text(value))
            widget.setObjectName(f"{col}_edit")
            if col == S.LENGTH_M:
                widget.setReadOnly(True)
                widget.setToolTip(self.tr("Computed from the geometry"))
            widget.textChanged.connect(lambda _t, c=col: self._check(c))
        error = QLabel()
        error.setObjectName(f"{col}_error")
        error.setStyleSheet("color: #c01c28")
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        v.addWidget(error)
        form.addRow(label, box)
        self.widgets[col] = widget
        self.error_labels[col] = error

    # --- values ------------------------------------------------------------------------------
    def raw(self, col: str) -> Any:
        w = self.widgets[col]
        if isinstance(w, QComboBox):
            return w.currentData()
        return w.text().strip()

    def parsed(self, col: str) -> tuple[Any, str]:
        """(value, error message) of a field."""
        raw = self.raw(col)
        vtype = self.types[col]
        if raw in ("", None):
            if col == S.ID_COLUMN.get(self.kind):
                return None, self.tr("An id is required.")
            return None, ""
        if vtype == "bool":
            return raw == "true", ""
        if vtype in NUMBER_TYPES:
            try:
                v = float(str(raw).replace(",", ""))
            except ValueError:
                return None, self.tr("Enter a number, e.g. 300 or 41.25.")
            if not math.isfinite(v):
                return None, self.tr("Enter a finite number.")
            if vtype == "int" and not v.is_integer():
                return None, self.tr("Enter a whole number.")
            lo, hi = RANGES.get(col, (-math.inf, math.inf))
            if not lo <= v <= hi:
                return None, (
                    self.tr("Expected a value between %1 and %2.")
                    .replace("%1", f"{lo:g}")
                    .replace("%2", f"{hi:g}")
                )
            return (int(v) if vtype == "int" else v), ""
        if col == S.ID_COLUMN.get(self.kind):
            rows = find_rows(self._gdf, self.kind, raw)
            if len([r for r in rows.tolist() if r != self.row]):
                return raw, self.tr("This id is already used by another feature.")
        return raw, ""

    def _check(self, col: str) -> bool:
        _v, msg = self.parsed(col)
        label = self.error_labels[col]
        label.setText(msg)
        label.setVisible(bool(msg))
        return not msg

    def validate(self) -> bool:
        ok = True
        for col in self.widgets:
            ok = self._check(col) and ok
        return ok

    def changed_values(self) -> dict[str, Any]:
        out = {}
        for col in self.widgets:
            if col == S.LENGTH_M:
                continue
            new, _ = self.parsed(col)
            old = self._gdf[col].iloc[self.row] if col in self._gdf.columns else None
            if _text(new) != _text(old) and not (
                isinstance(new, bool) and _text(old).lower() == str(new).lower()
            ):
                out[col] = new
        return out

    def save(self) -> bool:
        if not self.validate():
            return False
        values = self.changed_values()
        if values:
            cmd = SetAttributes(self.store, self.kind, self.feature_id, values, row=self.row)
            cmd.label = self.tr("Edit attributes of %1").replace("%1", self.feature_id)
            try:
                push(self.window, cmd)
            except Exception as exc:  # noqa: BLE001 - GUI boundary
                handle_error(self, exc)
                return False
        self.accept()
        return True


__all__ = ["FeatureForm"]
