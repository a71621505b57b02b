"""Main-window extension: the Outfalls dock, the 查、测、溯、治 register in the window.

``install(window)`` adds *Surveys → Outfall register* and *Surveys → Add outfall from map*
and returns the :class:`OutfallsDock` (docked right, hidden until asked for).

* **The register table**: code, name, class, receiving water, status, 共用, exceedances and
  decision of every outfall (the layer's and those added in the field), filtered by class
  and by status. Selecting a row zooms to the outfall, flashes it and highlights its
  upstream trace (pipes and enterprises; Esc clears).
* **The detail** of the selected outfall (:mod:`gisapp.qt.outfalls_forms`): its facts (an
  editable form), its trace with the dischargers, their shares and the COD mass balance, and
  "what if sealed"; its monitoring records (add a sample in a form, import an Excel sheet
  with a report of the rejected rows); its decision (保留并规范 / 合并至 X / 取缔封堵), which
  raises ledger problems as ``outfalls decide`` does.
* **Add outfall from map**: a map tool; a click gives the position, a dialog the facts.

Every write goes through :class:`surveys.outfalls.store.OutfallStore` as an undoable step on
``window.undo_stack`` (:mod:`gisapp.qt.outfalls_edits`; saved at once, so it never marks the
project modified). The dock reads the register again on ``project_opened``, after every
network rebuild and after every step.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gisapp.cartography import symbology
from gisapp.qt.docking import SubjectDock, install_subject_dock
from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import MapToolHub
from gisapp.qt.map_canvas import CanvasMode
from gisapp.qt.outfalls_edits import AddOutfall, AddSamples, DeleteSamples, SetDecision, SetFacts
from gisapp.qt.outfalls_forms import AddOutfallDialog, DecisionForm, FactsEditor, SampleForm
from gisapp.qt.undo import push_applied
from network.schema import OUTFALL_CLASS, OUTFALL_ID, OUTFALLS
from surveys.outfalls.codes import OutfallError, load_classes
from surveys.outfalls.monitoring import weather_label
from surveys.outfalls.register import OutfallRegister, RegisterRow, build_register, seal_effect
from surveys.outfalls.status import decisions_of, outfall_status
from surveys.outfalls.store import DECISIONS, OutfallData, read_outfall_data

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.outfalls_dock"
DOCK_WIDTH_PX = 620
TABLE_MIN_HEIGHT_PX = 200
TRACE_GROUP = "outfall_trace"
FIELD_OUTFALL_ZOOM_M = 60.0
FLAG_BRUSH = QBrush(QColor("#fde2e1"))
FLAG_COLOR = "#b3261e"
COLUMNS = ("code", "name", "class", "water", "status", "shared", "exceed", "decision")


def _num(v: float | None, fmt: str = "{:g}") -> str:
    return "—" if v is None else fmt.format(v)


def _item(text: Any, data: Any = None) -> QTableWidgetItem:
    it = QTableWidgetItem("" if text is None else str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        it.setData(Qt.ItemDataRole.UserRole, data)
    return it


def _table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers), objectName=name)
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().hide()
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def lonlat_of(crs: Any, x: float, y: float) -> tuple[float | None, float | None]:
    """CGCS2000 (EPSG:4490) longitude/latitude of a project-CRS point ((None, None) if none)."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError, ProjError

    if crs is None:
        return None, None
    try:
        tr = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4490), always_xy=True)
        lon, lat = tr.transform(x, y)
    except (CRSError, ProjError):
        return None, None
    return float(lon), float(lat)


def status_text(row: RegisterRow) -> str:
    """登记 / 公示 status of a register row (``已登记、未公示``)."""
    return "、".join(v for v in (row.value("registration"), row.value("publication")) if v)


def matches_status(row: RegisterRow, status: str) -> bool:
    """Whether a register row passes the status filter ``status`` ("" passes all)."""
    d = row.decision.decision if row.decision else ""
    return {
        "": True,
        "problems": bool(row.findings),
        "exceedance": row.n_exceedances > 0,
        "shared": row.trace.shared,
        "unreachable": not row.trace.reachable,
        "field": row.origin == "field",
        "unregistered": row.value("registration") != "已登记",
        "registered": row.value("registration") == "已登记",
        "undecided": row.decision is None,
        "keep": d == "keep",
        "merge": d == "merge",
        "seal": d == "seal",
    }.get(status, True)


class OutfallsDock(SubjectDock):
    """The Outfalls dock (see the module docstring)."""

    DOCK_WIDTH_PX = DOCK_WIDTH_PX

    refreshed = Signal()
    outfall_selected = Signal(str)
    add_dialog_shown = Signal(object)  # AddOutfallDialog

    def __init__(self, window: Any) -> None:
        super().__init__(self.tr("Outfalls"), window)
        self.setObjectName("outfalls_dock")
        self.window_ = window
        self.hub = MapToolHub.of(window)
        self.register: OutfallRegister | None = None
        self.data = OutfallData()
        self.seal: Any = None
        self._shown_id = ""
        self.add_dialog: AddOutfallDialog | None = None
        self.last_ledger: Any = None  # surveys.ledger.RaiseResult of the last decision

        body = QWidget()
        box = QVBoxLayout(body)
        box.addLayout(self._build_filter_row())
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = _table(
            "outfalls_table",
            [
                self.tr("Outfall no."),
                self.tr("Name"),
                self.tr("Class"),
                self.tr("Receiving water"),
                self.tr("Status"),
                self.tr("Shared"),
                self.tr("Exceedances"),
                self.tr("Decision"),
            ],
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT_PX)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        split.addWidget(self.table)
        self.tabs = QTabWidget(objectName="outfall_tabs")
        self.tabs.addTab(self._build_facts_page(), self.tr("Facts"))
        self.tabs.addTab(self._build_trace_page(), self.tr("Trace and balance"))
        self.tabs.addTab(self._build_monitoring_page(), self.tr("Monitoring"))
        self.tabs.addTab(self._build_decision_page(), self.tr("Decision"))
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 480])
        box.addWidget(split, 1)
        self.setWidget(body)
        self.setMinimumWidth(440)

        self.add_action = QAction(self.tr("Add outfall from map"), window)
        self.add_action.setObjectName("add_outfall_action")
        tip = self.tr("Click the map where an outfall was found, then enter its facts.")
        self.add_action.setToolTip(tip)
        self.add_action.setStatusTip(tip)
        self.hub.add_tool(self.add_action, CanvasMode.DRAW)
        self.add_action.toggled.connect(self._on_add_action_toggled)
        self.add_button.setDefaultAction(self.add_action)

        window.project_opened.connect(self._on_window_project_opened)
        window.network_updated.connect(self._on_window_network_updated)
        window.canvas.clicked.connect(self._on_canvas_clicked)
        self.hub.escape_pressed.connect(self.clear_map)

    # --- building -----------------------------------------------------------------------------
    def _build_filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.class_combo = QComboBox(objectName="class_filter_combo")
        self.class_combo.addItem(self.tr("All classes"), "")
        for c in load_classes().classes:
            self.class_combo.addItem(c.label_zh, c.code)
        self.status_combo = QComboBox(objectName="status_filter_combo")
        for text, key in (
            (self.tr("All statuses"), ""),
            (self.tr("With problems"), "problems"),
            (self.tr("Exceedances"), "exceedance"),
            (self.tr("Shared (共用)"), "shared"),
            (self.tr("Not reached by the network"), "unreachable"),
            (self.tr("Added in the field"), "field"),
            (self.tr("Not registered"), "unregistered"),
            (self.tr("Registered"), "registered"),
            (self.tr("No decision"), "undecided"),
            *((t, c) for c, t in DECISIONS.items()),
        ):
            self.status_combo.addItem(text, key)
        self.class_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.count_label = QLabel(objectName="outfall_count_label")
        self.add_button = QToolButton(objectName="add_outfall_button")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.export_button = QPushButton(self.tr("Register (Excel)…"), objectName="export_button")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        row.addWidget(self.class_combo, 1)
        row.addWidget(self.status_combo, 1)
        row.addWidget(self.count_label)
        row.addWidget(self.add_button)
        row.addWidget(self.export_button)
        return row

    def _build_facts_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.header_label = QLabel(objectName="outfall_header_label")
        self.header_label.setWordWrap(True)
        self.header_label.setStyleSheet("font-weight: bold;")
        self.findings_label = QLabel(objectName="findings_label")
        self.findings_label.setWordWrap(True)
        self.findings_label.setStyleSheet(f"color: {FLAG_COLOR};")
        box.addWidget(self.header_label)
        box.addWidget(self.findings_label)
        self.facts = FactsEditor()
        box.addWidget(self.facts)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_facts_button = QPushButton(self.tr("Save facts"), objectName="save_facts")
        self.save_facts_button.clicked.connect(self._on_save_facts_clicked)
        row.addWidget(self.save_facts_button)
        box.addLayout(row)
        box.addStretch(1)
        return page

    def _build_trace_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.trace_label = QLabel(objectName="trace_label")
        self.trace_label.setWordWrap(True)
        box.addWidget(self.trace_label)
        self.dischargers_table = _table(
            "dischargers_table",
            [
                self.tr("Discharger"),
                self.tr("Name"),
                self.tr("Flow (t/d)"),
                self.tr("COD (mg/L)"),
                self.tr("COD load (kg/d)"),
                self.tr("Share of COD"),
            ],
        )
        box.addWidget(self.dischargers_table, 1)
        self.balance_label = QLabel(objectName="balance_label")
        self.balance_label.setWordWrap(True)
        box.addWidget(self.balance_label)
        row = QHBoxLayout()
        self.seal_button = QPushButton(self.tr("What if sealed?"), objectName="seal_button")
        self.seal_button.setToolTip(
            self.tr("Where would the enterprises upstream go if this outfall were sealed?")
        )
        self.seal_button.clicked.connect(self._on_seal_button_clicked)
        self.seal_label = QLabel(objectName="seal_label")
        self.seal_label.setWordWrap(True)
        row.addWidget(self.seal_button)
        row.addWidget(self.seal_label, 1)
        box.addLayout(row)
        self.seal_table = _table(
            "seal_table", [self.tr("Enterprise"), self.tr("Name"), self.tr("After sealing")]
        )
        box.addWidget(self.seal_table, 1)
        return page

    def _build_monitoring_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.records_table = _table(
            "records_table",
            [
                self.tr("Sampled"),
                self.tr("Weather"),
                "流量 m³/d",
                "COD",
                "氨氮",
                "总磷",
                "pH",
                self.tr("Sampler"),
                self.tr("Exceedances and anomalies"),
            ],
        )
        box.addWidget(self.records_table, 1)
        row = QHBoxLayout()
        self.records_label = QLabel(objectName="records_label")
        row.addWidget(self.records_label, 1)
        self.delete_sample_button = QPushButton(
            self.tr("Delete sample"), objectName="delete_sample_button"
        )
        self.delete_sample_button.clicked.connect(self._on_delete_sample_clicked)
        self.import_button = QPushButton(
            self.tr("Import from Excel…"), objectName="import_samples_button"
        )
        self.import_button.clicked.connect(self._on_import_button_clicked)
        row.addWidget(self.delete_sample_button)
        row.addWidget(self.import_button)
        box.addLayout(row)
        self.import_label = QLabel(objectName="import_report_label")
        self.import_label.setWordWrap(True)
        self.import_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_label.hide()
        box.addWidget(self.import_label)
        self.sample_form = SampleForm()
        self.sample_form.add_requested.connect(lambda _r: self.add_sample())
        box.addWidget(self.sample_form)
        return page

    def _build_decision_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.decision_form = DecisionForm()
        self.decision_form.save_requested.connect(self.save_decision)
        self.decision_form.clear_requested.connect(self.clear_decision)
        box.addWidget(self.decision_form)
        self.decision_label = QLabel(objectName="decision_result_label")
        self.decision_label.setWordWrap(True)
        box.addWidget(self.decision_label)
        box.addStretch(1)
        return page

    # --- reading ------------------------------------------------------------------------------
    @property
    def project_path(self) -> Path | None:
        project = self.window_.project
        return Path(project.path) if project is not None else None

    def _network(self) -> Any:
        state = self.window_.network_ctl.state
        return state.network if state is not None else None

    def refresh(self) -> None:
        """Read the register again and show it (later, when the dock is hidden); the map's
        outfall symbols follow the decisions at once (:meth:`update_map_status`)."""
        project = self.window_.project
        if project is None:
            self.register = None
            self._show_register()
            return
        self.update_map_status()
        if self.defer_while_hidden():
            return
        state = self.window_.network_ctl.state
        try:
            self.data = read_outfall_data(project.path)
            self.register = build_register(
                project.layers,
                state.network if state is not None else None,
                self.data,
                crs=project.crs,
                findings=state.issue_index if state is not None else (),
            )
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            self.register = None
        self._show_register()
        self.refreshed.emit()

    def update_map_status(self) -> bool:
        """Draw the outfalls on the map by class × decision status, as the paper map does:
        the derived ``outfall_status`` / ``outfall_symbol`` columns of the outfalls layer
        (:func:`surveys.outfalls.status.outfall_status`) and
        :func:`~gisapp.cartography.symbology.outfall_status_style`. Without any decision the
        layer goes back to its class style. A style the user chose is left alone (the
        columns are still set). Returns whether the layer was updated."""
        project, canvas = self.window_.project, self.window_.canvas
        layer = canvas.layer(OUTFALLS)
        if project is None or layer is None:
            return False
        try:
            decisions = decisions_of(project.path)
        except Exception:
            log.exception("outfall decisions of %s", project.path)
            return False
        ids = layer.column(OUTFALL_ID)
        classes = layer.column(OUTFALL_CLASS)
        n = len(layer.data)
        ids = ids if ids is not None else [None] * n
        classes = classes if classes is not None else [None] * n
        status = outfall_status(decisions, ids)
        derived = {
            **layer.derived,
            symbology.OUTFALL_STATUS: status,
            symbology.OUTFALL_SYMBOL: symbology.outfall_symbol_keys(classes, status),
        }
        style = layer.style
        for language in ("zh", "en"):
            plain = symbology.default_style(OUTFALLS, language)
            by_status = symbology.outfall_status_style(language)
            if style in (plain, by_status):  # ours: follow the decisions
                layer.style = by_status if decisions else plain
                break
        canvas.set_layer_derived(layer.name, derived)
        panel = getattr(self.window_, "layer_panel", None)
        if panel is not None:
            panel.sync()  # the legend lists the statuses
        return True

    def row(self, outfall_id: str) -> RegisterRow | None:
        """The register row of an outfall (None when not in the register)."""
        if self.register is None:
            return None
        return next((r for r in self.register.rows if r.outfall_id == outfall_id), None)

    def visible_ids(self) -> list[str]:
        """The outfall ids in the table, in order (after the filters)."""
        return [
            str(self.table.item(i, 0).data(Qt.ItemDataRole.UserRole))
            for i in range(self.table.rowCount())
        ]

    def current_id(self) -> str:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else ""

    def _show_register(self) -> None:
        keep = self.current_id() or self._shown_id
        cls = str(self.class_combo.currentData() or "")
        status = str(self.status_combo.currentData() or "")
        rows = list(self.register.rows) if self.register is not None else []
        shown = [r for r in rows if (not cls or r.class_code == cls) and matches_status(r, status)]
        self.table.blockSignals(True)
        self.table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            cells = (
                r.outfall_id,
                r.name,
                r.class_label,
                r.value("receiving_water"),
                status_text(r),
                "共用" if r.trace.shared else "",
                str(r.n_exceedances) if r.n_records else "",
                r.decision.label_zh if r.decision else "",
            )
            for j, text in enumerate(cells):
                it = _item(text, r.outfall_id)
                if j == 5 and r.trace.shared:
                    it.setToolTip("、".join(r.trace.enterprises))
                if j == 6 and r.n_exceedances:
                    it.setBackground(FLAG_BRUSH)
                if j == 0 and r.findings:
                    it.setToolTip("\n".join(t for _, t in r.findings))
                    it.setForeground(QBrush(QColor(FLAG_COLOR)))
                self.table.setItem(i, j, it)
        ids = [r.outfall_id for r in shown]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        self.table.blockSignals(False)
        self.count_label.setText(
            self.tr("%1 of %2").replace("%1", str(len(shown))).replace("%2", str(len(rows)))
        )
        self.export_button.setEnabled(self.register is not None)
        self._show_detail(keep if keep in ids else "", move_map=False)

    def _on_filter_changed(self, _index: int) -> None:
        self._show_register()

    def set_filters(self, class_code: str = "", status: str = "") -> None:
        """Filter the table by class code and status key (see :func:`matches_status`)."""
        self.class_combo.setCurrentIndex(max(self.class_combo.findData(class_code), 0))
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))

    def select_outfall(self, outfall_id: str) -> bool:
        """Select an outfall in the table (the filters are cleared when they hide it)."""
        if outfall_id not in self.visible_ids():
            self.set_filters()
        ids = self.visible_ids()
        if outfall_id not in ids:
            return False
        self.table.selectRow(ids.index(outfall_id))
        self.table.scrollToItem(self.table.item(ids.index(outfall_id), 0))
        return True

    def _on_table_selection_changed(self) -> None:
        self._show_detail(self.current_id(), move_map=True)

    # --- the detail -------------------------------------------------------------------------
    def _show_detail(self, outfall_id: str, *, move_map: bool) -> None:
        row = self.row(outfall_id) if outfall_id else None
        changed = outfall_id != self._shown_id
        self._shown_id = row.outfall_id if row is not None else ""
        self.tabs.setEnabled(row is not None)
        if changed:
            self.seal = None
            self.import_label.hide()
            self.decision_label.clear()
        if row is None:
            self.header_label.setText(self.tr("Select an outfall in the table."))
            self.findings_label.clear()
            for t in (self.dischargers_table, self.records_table, self.seal_table):
                t.setRowCount(0)
            self.trace_label.clear()
            self.balance_label.clear()
            self.seal_label.clear()
            if changed:
                self.clear_map()
            return
        self._show_facts(row)
        self._show_trace(row)
        self._show_records(row)
        others = [(r.outfall_id, r.name) for r in self.register.rows if r is not row]
        self.decision_form.show_decision(row.decision, others)
        if row.decision is not None and row.decision.decision == "seal" and self.seal is None:
            self.what_if_sealed()
        self._show_seal()
        if move_map:
            self.show_on_map(row)
        if changed:
            self.outfall_selected.emit(row.outfall_id)

    def _show_facts(self, row: RegisterRow) -> None:
        where = ""
        if row.lon is not None and row.lat is not None:
            where = f"CGCS2000 {row.lon:.6f}, {row.lat:.6f}"
        origin = (
            self.tr("in the layer") if row.origin == "layer" else self.tr("added in the field")
        )
        parts = [f"{row.outfall_id} {row.name}", row.class_label, where, origin]
        if row.class_source:
            parts.append(self.tr("data: %1").replace("%1", row.class_source))
        self.header_label.setText(" · ".join(p for p in parts if p))
        notes = [t for _, t in row.findings]
        if row.zones:
            notes.append(self.tr("In protected zones: %1").replace("%1", "、".join(row.zones)))
        self.findings_label.setText("\n".join(f"• {t}" for t in notes))
        self.facts.show_values(self._form_values(row))

    def _form_values(self, row: RegisterRow) -> dict[str, str]:
        values = dict(row.values)
        values["name"] = row.name
        values["class"] = row.class_code
        return values

    def _show_trace(self, row: RegisterRow) -> None:
        t = row.trace
        if not t.reachable:
            self.trace_label.setText(
                self.tr("Not reached by the network: %1").replace("%1", t.reason)
            )
        else:
            text = (
                self.tr("Upstream: %1 pipes, %2 m, %3 discharger(s)")
                .replace("%1", str(len(t.pipes)))
                .replace("%2", f"{t.length_m:.0f}")
                .replace("%3", str(len(t.dischargers)))
            )
            if t.shared:
                text += " — " + self.tr("shared (共用): %1").replace(
                    "%1", "、".join(d.id for d in t.dischargers)
                )
            self.trace_label.setText(text)
        self.dischargers_table.setRowCount(len(t.dischargers))
        for i, d in enumerate(t.dischargers):
            cells = (
                d.id,
                d.name,
                _num(d.flow_tpd),
                _num(d.cod_mgl),
                _num(d.cod_kgd, "{:.1f}"),
                _num(d.share_cod, "{:.1%}"),
            )
            for j, text in enumerate(cells):
                self.dischargers_table.setItem(i, j, _item(text, d.id))
        mon = t.monitored.get("cod_kgd")
        if t.declared_cod_kgd is None and mon is None:
            self.balance_label.setText(self.tr("COD balance: no declared or monitored load."))
            return
        text = (
            self.tr("COD balance: declared %1 kg/d, monitored %2 kg/d")
            .replace("%1", _num(t.declared_cod_kgd, "{:.1f}"))
            .replace("%2", _num(mon, "{:.1f}"))
        )
        if t.gap_kgd is not None:
            text += self.tr(", gap %1 kg/d").replace("%1", f"{t.gap_kgd:+.1f}")
        if t.gap_ratio is not None:
            text += f" ({t.gap_ratio:+.1%})"
        if mon is None:
            text += " — " + self.tr("no sample with flow and COD yet")
        self.balance_label.setText(text)

    def _show_records(self, row: RegisterRow) -> None:
        recs = self.data.records_of(row.outfall_id)
        flagged: dict[str, list[str]] = {}
        for f in row.flags:
            flagged.setdefault(f.record_uuid, []).append(f.message_zh)
        self.records_table.setRowCount(len(recs))
        for i, m in enumerate(recs):
            flags = "；".join(flagged.get(m.uuid, []))
            cells = (
                m.sampled.replace("T", " "),
                weather_label(m.weather),
                _num(m.flow_m3d),
                _num(m.cod_mgl),
                _num(m.nh3n_mgl),
                _num(m.tp_mgl),
                _num(m.ph),
                m.sampler,
                flags,
            )
            for j, text in enumerate(cells):
                it = _item(text, m.uuid)
                if flags:
                    it.setBackground(FLAG_BRUSH)
                self.records_table.setItem(i, j, it)
        self.records_label.setText(
            self.tr("%1 record(s), %2 with exceedances; standard %3")
            .replace("%1", str(row.n_records))
            .replace("%2", str(row.n_exceedances))
            .replace("%3", row.standard or "—")
        )

    def _show_seal(self) -> None:
        e = self.seal
        if e is None:
            self.seal_table.setRowCount(0)
            self.seal_label.clear()
            return
        self.seal_table.setRowCount(len(e.enterprises))
        for i, s in enumerate(e.enterprises):
            for j, text in enumerate((s.ent_id, s.name, s.change_zh)):
                it = _item(text, s.ent_id)
                if s.stranded:
                    it.setForeground(QBrush(QColor(FLAG_COLOR)))
                self.seal_table.setItem(i, j, it)
        if not e.enterprises:
            self.seal_label.setText(self.tr("No enterprise upstream: sealing changes nothing."))
        else:
            self.seal_label.setText(
                self.tr("%1 enterprise(s) drain here; %2 would have nowhere to go.")
                .replace("%1", str(len(e.enterprises)))
                .replace("%2", str(len(e.stranded)))
            )

    def what_if_sealed(self) -> Any:
        """What sealing the selected outfall would change (shown on the trace tab)."""
        row = self.row(self._shown_id)
        net = self._network()
        if row is None:
            return None
        if net is None or not row.trace.reachable:
            self.seal = None
            self._show_seal()
            self.seal_label.setText(
                self.tr("The network does not reach this outfall: sealing changes no route.")
            )
            return None
        try:
            self.seal = seal_effect(net, [row.outfall_id])
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return None
        self._show_seal()
        return self.seal

    def _on_seal_button_clicked(self) -> None:
        self.what_if_sealed()

    # --- the map ------------------------------------------------------------------------------
    def show_on_map(self, row: RegisterRow) -> None:
        """Zoom to an outfall, flash it and highlight its upstream trace."""
        canvas = self.window_.canvas
        canvas.clear_rubber_band()
        canvas.set_highlight("pipes", row.trace.pipes, group=TRACE_GROUP)
        canvas.set_highlight("enterprises", row.trace.enterprises, group=TRACE_GROUP)
        if row.origin == "layer":
            canvas.set_highlight("outfalls", [row.outfall_id], group=TRACE_GROUP)
            if row.trace.pipes:
                canvas.zoom_to_highlight(TRACE_GROUP)
            else:
                canvas.zoom_to_features("outfalls", [row.outfall_id])
            canvas.flash("outfalls", [row.outfall_id])
        elif row.x is not None and row.y is not None:
            canvas.set_highlight("outfalls", (), group=TRACE_GROUP)
            d = FIELD_OUTFALL_ZOOM_M
            canvas.set_rubber_band([(row.x, row.y)])
            canvas.zoom_to_extent(row.x - d, row.y - d, row.x + d, row.y + d)

    def clear_map(self) -> None:
        """Clear the trace highlight of the selected outfall (Esc)."""
        canvas = self.window_.canvas
        canvas.clear_highlight(TRACE_GROUP)
        if self._shown_id and (r := self.row(self._shown_id)) is not None and r.origin == "field":
            canvas.clear_rubber_band()

    # --- writing ------------------------------------------------------------------------------
    def _push(self, command: Any) -> bool:
        try:
            command.do()
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return False
        push_applied(self.window_.undo_stack, command, self.window_, saves_immediately=True)
        return True

    def save_facts(self, values: dict[str, str] | None = None) -> bool:
        """Store the facts form (or ``values`` by field code) of the selected outfall."""
        row, path = self.row(self._shown_id), self.project_path
        if row is None or path is None:
            return False
        shown = self._form_values(row)
        new = values if values is not None else self.facts.values()
        changed = {k: v for k, v in new.items() if v != shown.get(k, "")}
        if not changed:
            return False
        entry = self.data.entries.get(row.outfall_id)
        old = {k: entry.value(k) if entry else "" for k in changed}
        label = self.tr("Set facts of outfall %1").replace("%1", row.outfall_id)
        return self._push(SetFacts(path, row.outfall_id, changed, old, label, self.refresh))

    def _on_save_facts_clicked(self) -> None:
        self.save_facts()

    def add_sample(self) -> bool:
        """Add the sample in the form to the selected outfall."""
        row, path = self.row(self._shown_id), self.project_path
        if row is None or path is None:
            return False
        try:
            rec = self.sample_form.record(row.outfall_id)
        except OutfallError as exc:
            handle_error(self.window_, exc)
            return False
        label = self.tr("Add a sample of outfall %1").replace("%1", row.outfall_id)
        if not self._push(AddSamples(path, [rec], label, self.refresh)):
            return False
        self.sample_form.clear_values()
        return True

    def delete_samples(self) -> bool:
        """Delete the selected monitoring records (undoable)."""
        path = self.project_path
        uuids = {
            self.records_table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole)
            for i in self.records_table.selectionModel().selectedRows()
        }
        recs = [m for m in self.data.monitoring if m.uuid in uuids]
        if not recs or path is None:
            return False
        label = self.tr("Delete %1 sample(s)").replace("%1", str(len(recs)))
        return self._push(DeleteSamples(path, recs, label, self.refresh))

    def _on_delete_sample_clicked(self) -> None:
        self.delete_samples()

    def import_samples(self, sheet: str | Path, mapping: Any = None) -> Any:
        """Import samples from an Excel sheet (good rows stored, bad rows reported)."""
        from surveys.outfalls.monitoring import attach_reports, read_monitoring_xlsx

        path = self.project_path
        if path is None or self.register is None:
            return None
        known = {r.outfall_id for r in self.register.rows}
        try:
            imp = read_monitoring_xlsx(sheet, mapping, known_outfalls=known)
            records, no_report = attach_reports(imp.records, sheet, path)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return None
        if records:
            label = self.tr("Import %1 sample(s)").replace("%1", str(len(records)))
            if not self._push(AddSamples(path, records, label, self.refresh)):
                return None
        lines = [
            self.tr("%1: %2 row(s), %3 imported, %4 rejected.")
            .replace("%1", Path(imp.file).name)
            .replace("%2", str(imp.n_rows))
            .replace("%3", str(len(records)))
            .replace("%4", str(len(imp.rejected_rows)))
        ]
        for r in imp.rejected:
            lines.append(
                self.tr("Row %1, column %2: %3 (value %4)")
                .replace("%1", str(r.row))
                .replace("%2", str(r.column))
                .replace("%3", r.reason)
                .replace("%4", repr(r.to_dict()["value"]))
            )
        for r in no_report:
            lines.append(
                self.tr("%1: lab report %2 not found (record kept)")
                .replace("%1", r.source)
                .replace("%2", r.report_path)
            )
        self.import_label.setText("\n".join(lines))
        self.import_label.setStyleSheet(f"color: {FLAG_COLOR};" if imp.rejected else "")
        self.import_label.show()
        self.tabs.setCurrentIndex(2)
        return imp

    def _on_import_button_clicked(self) -> None:
        start = str(self.project_path.parent) if self.project_path else ""
        sheet, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import monitoring samples"), start, self.tr("Excel (*.xlsx)")
        )
        if sheet:
            self.import_samples(sheet)

    def save_decision(self) -> bool:
        """Store the decision in the form and (when ticked) raise its ledger problems."""
        row, path = self.row(self._shown_id), self.project_path
        if row is None or path is None:
            return False
        oid = row.outfall_id
        old = row.decision
        new = self.decision_form.decision(oid, old.decided if old else "")
        label = self.tr("Decide outfall %1").replace("%1", oid)
        if not self._push(SetDecision(path, oid, new, old, label, self.refresh)):
            return False
        self.seal = None
        text = self.tr("Decision saved.")
        if self.decision_form.ledger_check.isChecked() and self.register is not None:
            from surveys.outfalls.decisions import raise_decision

            try:
                res = raise_decision(path, self.register, oid, net=self._network())
            except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
                handle_error(self.window_, exc)
                return True
            text += " " + (
                self.tr("Ledger: %1 problem(s) added, %2 already there.")
                .replace("%1", str(len(res.added)))
                .replace("%2", str(res.skipped))
            )
            self.last_ledger = res
            ctl = self.window_.extensions.get("gisapp.qt.surveys_ext")
            if ctl is not None and hasattr(ctl, "refresh_ledger"):
                ctl.refresh_ledger()
        self._show_detail(oid, move_map=False)
        self.decision_label.setText(text)
        return True

    def clear_decision(self) -> bool:
        """Remove the decision of the selected outfall (ledger problems stay)."""
        row, path = self.row(self._shown_id), self.project_path
        if row is None or path is None or row.decision is None:
            return False
        label = self.tr("Clear the decision of outfall %1").replace("%1", row.outfall_id)
        cmd = SetDecision(path, row.outfall_id, None, row.decision, label, self.refresh)
        if not self._push(cmd):
            return False
        self.seal = None
        self._show_seal()
        self.decision_label.setText(self.tr("Decision cleared; its ledger problems stay."))
        return True

    # --- adding from the map ------------------------------------------------------------------
    def _on_add_action_toggled(self, on: bool) -> None:
        if on:
            self.show_dock()
            self.window_.statusBar().showMessage(self.add_action.statusTip(), 8000)

    def _on_canvas_clicked(self, x: float, y: float, _modifiers: Any) -> None:
        if self.hub.active_tool() is not self.add_action:
            return
        self.ask_new_outfall(x, y)

    def ask_new_outfall(self, x: float, y: float) -> AddOutfallDialog | None:
        """Open the facts dialog of an outfall found at x/y (not modal; ``add_dialog``)."""
        project = self.window_.project
        if project is None:
            return None
        lonlat = lonlat_of(project.crs, x, y)
        if self.add_dialog is not None:
            self.add_dialog.close()
        dlg = AddOutfallDialog(x, y, lonlat, self.window_)
        dlg.accept_check = self._on_add_dialog_accept
        self.add_dialog = dlg
        self.window_.canvas.set_rubber_band([(x, y)])
        dlg.open()
        self.add_dialog_shown.emit(dlg)
        return dlg

    def _on_add_dialog_accept(self, dlg: AddOutfallDialog) -> bool:
        ok = self.add_outfall(dlg.outfall_id(), dlg.x, dlg.y, dlg.values())
        if ok:
            self.add_action.setChecked(False)
            self.window_.canvas.set_mode(CanvasMode.PAN)
        return ok

    def add_outfall(self, outfall_id: str, x: float, y: float, values: dict[str, str]) -> bool:
        """Add an outfall found in the field at x/y (project CRS), undoably; select it."""
        path = self.project_path
        if path is None:
            return False
        oid = outfall_id.strip()
        known = {r.outfall_id for r in self.register.rows} if self.register else set()
        if not oid or oid in known:
            why = (
                self.tr("Give the new outfall a code (e.g. PK11).")
                if not oid
                else self.tr("Outfall %1 is already in the register: choose another code.")
            )
            handle_error(
                self.window_, OutfallError(why.replace("%1", oid), field="outfall_id", found=oid)
            )
            return False
        label = self.tr("Add outfall %1").replace("%1", oid)
        if not self._push(AddOutfall(path, oid, x, y, values, label, self.refresh)):
            return False
        self.select_outfall(oid)
        return True

    # --- exporting ----------------------------------------------------------------------------
    def write_register(self, path: str | Path) -> Path | None:
        """Write the register (登记表, 一口一策, 整治任务表) as Excel."""
        from surveys.outfalls.export import write_register_xlsx

        if self.register is None:
            return None
        try:
            out = write_register_xlsx(self.register, path)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            return None
        self.window_.statusBar().showMessage(self.tr("Wrote %1").replace("%1", str(out)), 5000)
        return out

    def _on_export_button_clicked(self) -> None:
        p = self.project_path
        start = str(p.parent / "排污口登记表.xlsx") if p else ""
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the outfall register"), start, self.tr("Excel (*.xlsx)")
        )
        if path:
            self.write_register(path)

    # --- showing ------------------------------------------------------------------------------
    def _on_window_project_opened(self, _project: Any) -> None:
        self._shown_id = ""
        self.seal = None
        self.table.clearSelection()
        self.import_label.hide()
        self._stale = True
        self.refresh()

    def _on_window_network_updated(self, _state: Any) -> None:
        self.seal = None
        self.refresh()


def install(window: Any) -> OutfallsDock:
    """Add the Outfalls dock (right, hidden), *Surveys → Outfall register* and the
    *Add outfall from map* tool."""
    dock = OutfallsDock(window)
    install_subject_dock(
        window,
        dock,
        window.surveys_menu,
        dock.tr("Outfall register…"),
        "outfall_register_action",
        separator=True,
    )
    window.surveys_menu.addAction(dock.add_action)
    return dock
