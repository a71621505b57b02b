"""Main-window extension for defect surveys: record store, forms, docks, ledger, condition map.

``install(window)`` returns a :class:`SurveysController`. On every ``project_opened`` it opens
one :class:`~surveys.store.SurveyStore` for the project (closing the previous one) and
rebuilds the Records and Ledger docks (tabified at the bottom) and the forms dock (right).

Map sync:

* a form's *Pick on map* starts a one-shot pick: the next canvas click picks the nearest pipe
  (or the clicked location); Esc cancels;
* selecting a record or a problem zooms to its pipe / features / location and flashes it;
* the *condition map* adds the layers ``condition`` (graded pipes coloured by structural or
  functional grade I–IV, drawn just above the pipes) and ``condition_defects`` (the observed
  defects as symbols along their pipe, placed from the pipe's ``from_node``); both follow
  every commit of the store (saves, deletes, undo/redo).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gisapp.cartography.symbology import CATEGORIZED, Style, StyleClass, Symbol
from gisapp.qt.errors import USER_ERRORS, handle_error
from gisapp.qt.inspect_tools import escape_shortcut
from gisapp.qt.records_dock import RecordsDock
from gisapp.qt.render import MapLayer
from gisapp.qt.survey_forms import RecordForm
from network import schema
from network.progress import drain
from surveys.store import StoreEvent, SurveyStore, default_author

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.surveys_ext"
CONDITION_LAYER = "condition"
DEFECTS_LAYER = "condition_defects"
MARKER_LAYER = "_survey_marker"  # lives on the canvas only while a marker is being set up
STRUCTURAL, FUNCTIONAL = "structural_grade", "functional_grade"
GRADES = ("I", "II", "III", "IV")
ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
GRADE_COLORS = {"I": "#1a9641", "II": "#e6c700", "III": "#f07f0c", "IV": "#d7191c"}
DEFECT_MARKERS = {"structural": "diamond", "functional": "triangle"}
PICK_TOLERANCE_PX = 8.0
LOCATION_ZOOM_M = 40.0  # half-width of the view around a record's location
HIGHLIGHT_GROUP = "survey"
BOTTOM_DOCK_HEIGHT_PX = 240
FORM_DOCK_MIN_WIDTH_PX = 420
RECORD_KINDS = ("inspection", "observation", "misconnection", "leak", "siltation", "problem")


def tr(text: str) -> str:
    return QCoreApplication.translate("SurveysController", text)


# --- pure helpers (no widgets) ------------------------------------------------------------------
def condition_frame(
    pipes: gpd.GeoDataFrame, grades: pd.DataFrame, observed: set[str] | None = None
) -> gpd.GeoDataFrame:
    """The graded pipes: ``pipe_id``, ``structural_grade``, ``functional_grade`` (I–IV),
    ``ri``, ``mi``, geometry. Pipes without a grade are left out, and so are pipes not in
    ``observed`` when it is given (the cache keeps a grade I row for a pipe whose last
    observation was deleted)."""
    if pipes is None or "pipe_id" not in pipes:
        return gpd.GeoDataFrame(
            {"pipe_id": [], STRUCTURAL: [], FUNCTIONAL: []}, geometry=gpd.GeoSeries([])
        )
    geom = pipes.geometry.name
    left = pd.DataFrame(
        {"pipe_id": pipes["pipe_id"].astype(str).to_numpy(), geom: pipes.geometry.to_numpy()}
    )
    g = grades.reindex(columns=[STRUCTURAL, FUNCTIONAL, "ri", "mi"])
    g.index = g.index.astype(str)
    if observed is not None:
        g = g[g.index.isin(list(observed))]
    out = left.merge(g, left_on="pipe_id", right_index=True, how="inner")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geom, crs=pipes.crs)


def from_node_at_start(pipes: gpd.GeoDataFrame, manholes: gpd.GeoDataFrame | None) -> np.ndarray:
    """Per pipe: True when the geometry starts at its ``from_node`` (the usual case), False
    when it was digitised from the ``to_node``. Unknown nodes count as True."""
    n = len(pipes)
    out = np.ones(n, dtype=bool)
    if (
        manholes is None
        or manholes.empty
        or "node_id" not in manholes
        or "from_node" not in pipes
        or "to_node" not in pipes
        or n == 0
    ):
        return out
    mh = manholes[manholes["node_id"].notna()]
    nodes = pd.Series(mh.geometry.to_numpy(), index=mh["node_id"].astype(str).to_numpy())
    nodes = nodes[~nodes.index.duplicated()]

    def at(col: str) -> np.ndarray:
        v = nodes.reindex(pipes[col].astype(str).to_numpy()).to_numpy(dtype=object)
        return np.where(pd.isna(v), None, v)

    start = shapely.get_point(
        shapely.line_merge(np.asarray(pipes.geometry.values, dtype=object)), 0
    )
    d_from = shapely.distance(start, at("from_node"))
    d_to = shapely.distance(start, at("to_node"))
    known = np.isfinite(d_from) & np.isfinite(d_to)
    out[known] = d_from[known] <= d_to[known]
    return out


def defect_points(
    pipes: gpd.GeoDataFrame,
    manholes: gpd.GeoDataFrame | None,
    observations: pd.DataFrame,
    pack: Any,
) -> gpd.GeoDataFrame:
    """The observations as points along their pipes.

    ``observations`` are :meth:`SurveyStore.observations_for_grading` rows (distance from the
    inspection's start manhole, ``reverse`` set when it ran from the ``to_node``). The point
    is placed at that distance from the right end of the geometry (the middle of a
    continuous defect), scaled to the drawn line. Columns: ``uuid``, ``pipe_id``, ``code``,
    ``grade``, ``defect_kind`` (structural/functional), ``symbol`` (``<kind>:<grade>``).
    """
    from surveys.gradecache import engine_observations

    cols = ["uuid", "pipe_id", "code", "grade", "defect_kind", "symbol"]
    empty = gpd.GeoDataFrame(
        {c: pd.Series([], dtype=object) for c in cols},
        geometry=gpd.GeoSeries([], crs=pipes.crs if pipes is not None else None),
    )
    if (
        pipes is None
        or pipes.empty
        or observations is None
        or observations.empty
        or "pipe_id" not in pipes
    ):
        return empty
    ids = pipes["pipe_id"].astype(str)
    keep = ~ids.duplicated().to_numpy()
    p = pipes[keep]
    ids = ids[keep]
    geoms = np.asarray(p.geometry.values, dtype=object)
    geom_len = shapely.length(geoms)
    attr_len = (
        pd.to_numeric(p["length_m"], errors="coerce").to_numpy(float)
        if "length_m" in p
        else np.full(len(p), np.nan)
    )
    seg_len = np.where(np.isfinite(attr_len) & (attr_len > 0), attr_len, geom_len)
    frame = pd.DataFrame({"length_m": seg_len}, index=pd.Index(ids.to_numpy(), name="pipe_id"))
    eng = engine_observations(observations, frame)
    if eng.empty:
        return empty
    pos = pd.Index(ids.to_numpy()).get_indexer(eng["pipe_id"].to_numpy())
    dist = eng["distance_m"].to_numpy(float)
    olen = eng["length_m"].to_numpy(float)
    dist = dist + np.where(np.isfinite(olen), olen / 2.0, 0.0)
    frac = np.clip(np.nan_to_num(dist / seg_len[pos], nan=0.0), 0.0, 1.0)
    forward = from_node_at_start(p, manholes)[pos]
    frac = np.where(forward, frac, 1.0 - frac)
    lines = shapely.line_merge(geoms[pos])
    pts = shapely.line_interpolate_point(lines, frac, normalized=True)
    kinds = []
    for code in eng["code"]:
        try:
            kinds.append(pack.code(code).kind)
        except Exception:  # noqa: BLE001 - a code of another pack: draw it as structural
            kinds.append("structural")
    grade = pd.to_numeric(eng["grade"], errors="coerce")
    gtext = [GRADES[int(g) - 1] if np.isfinite(g) and 1 <= g <= 4 else "" for g in grade]
    out = gpd.GeoDataFrame(
        {
            "uuid": eng.index.astype(str).to_numpy(),
            "pipe_id": eng["pipe_id"].to_numpy(),
            "code": eng["code"].to_numpy(),
            "grade": gtext,
            "defect_kind": kinds,
            "symbol": [f"{k}:{g}" for k, g in zip(kinds, gtext, strict=True)],
        },
        geometry=pts,
        crs=pipes.crs,
    )
    return out[~out.geometry.is_empty & out.geometry.notna()].reset_index(drop=True)


def condition_style(field: str) -> Style:
    """Categorized line style of a grade field: I green, II yellow, III orange, IV red;
    ungraded pipes are not drawn."""
    what = tr("Structural") if field == STRUCTURAL else tr("Functional")
    classes = tuple(
        StyleClass(
            label=f"{what} {ROMAN[g]}", value=g, symbol=Symbol(color=GRADE_COLORS[g], width=4.0)
        )
        for g in GRADES
    )
    return Style(kind=CATEGORIZED, field=field, classes=classes, default=None)


def defects_style() -> Style:
    """Point style of the defects: colour by grade, diamond = structural, triangle =
    functional."""
    classes = []
    names = {"structural": tr("Structural defect"), "functional": tr("Functional defect")}
    for kind, marker in DEFECT_MARKERS.items():
        for g in GRADES:
            classes.append(
                StyleClass(
                    label=f"{names[kind]} {ROMAN[g]}",
                    value=f"{kind}:{g}",
                    symbol=Symbol(
                        color=GRADE_COLORS[g], size=11.0, marker=marker, outline="#202020"
                    ),
                )
            )
    return Style(
        kind=CATEGORIZED,
        field="symbol",
        classes=tuple(classes),
        default=Symbol(color="#8c8c8c", size=9.0, marker="circle", outline="#202020"),
        default_label=tr("Defect (no grade)"),
    )


def nearest_feature_index(
    layer: MapLayer, x: float, y: float, rect: tuple[float, float, float, float]
) -> int | None:
    """Row position (in ``layer.data``) of the feature nearest (x, y) within ``rect``."""
    data = layer.data
    if data is None or len(data) == 0:
        return None
    geoms = np.asarray(data.geometry.values, dtype=object)
    try:
        tree = layer.prepared_geometry().tree()  # cached by the renderer
        idx = np.asarray(tree.query(shapely.box(*rect)), dtype=np.int64)
    except AttributeError:  # point/polygon layers: no prepared tree
        idx = np.flatnonzero(shapely.intersects(geoms, shapely.box(*rect)))
    if len(idx) == 0:
        return None
    d = shapely.distance(geoms[idx], shapely.Point(x, y))
    if not np.isfinite(d).any():
        return None
    return int(idx[int(np.nanargmin(d))])


# --- dialogs ------------------------------------------------------------------------------------
class ImportMappingDialog(QDialog):
    """Which table column holds which observation field (pre-filled by ``guess_mapping``)."""

    def __init__(
        self, path: Path, table: pd.DataFrame, header_row: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from surveys.importer import FIELD_ALIASES, guess_mapping
        from surveys.records import METHODS

        self.setObjectName("import_mapping_dialog")
        self.setWindowTitle(self.tr("Import inspection table — columns"))
        self.columns = [str(c) for c in table.columns]
        guessed = guess_mapping(self.columns)
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
        labels = self._field_labels()
        self.fields = list(FIELD_ALIASES)
        self.mapping_table = QTableWidget(len(self.fields), 3)
        self.mapping_table.setObjectName("mapping_table")
        self.mapping_table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Column"), self.tr("First value")]
        )
        self.mapping_table.verticalHeader().hide()
        self.combos: dict[str, QComboBox] = {}
        first = table.iloc[0] if len(table) else None
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
        self._first = first
        for i in range(len(self.fields)):
            self._show_sample(i)
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        lay.addWidget(self.mapping_table, 1)
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
        lay.addLayout(form)
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


# --- the controller -----------------------------------------------------------------------------
class _StoreHolder:
    """Keeps the open store so the window's ``destroyed`` can close it."""

    def __init__(self) -> None:
        self.store: SurveyStore | None = None

    def close(self, *_: Any) -> None:
        store, self.store = self.store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # closing an already broken connection
                log.debug("closing the survey store failed", exc_info=True)


class SurveysController(QObject):
    """What ``install`` returns: the store of the open project and its docks and forms."""

    store_opened = Signal(object)  # SurveyStore
    condition_map_changed = Signal(bool)
    pick_finished = Signal(str, object)  # "pipe" + pipe id, or "location" + (x, y)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self._holder = _StoreHolder()
        self.records_dock: RecordsDock | None = None
        self.ledger_dock: Any = None
        self.form_dock: QDockWidget | None = None
        self.form_tabs: QTabWidget | None = None
        self.forms: dict[str, RecordForm] = {}
        self._form_pages: dict[str, QScrollArea] = {}
        self._pick: tuple[str, RecordForm] | None = None
        self._saved_cursor: QCursor | None = None
        self._unsubscribe = None
        self.condition_field = STRUCTURAL
        self._docks_placed = False
        self._build_actions()
        window.project_opened.connect(self._on_window_project_opened)
        if hasattr(window, "layer_updated"):
            window.layer_updated.connect(self._on_window_layer_updated)
        self.canvas.clicked.connect(self._on_canvas_clicked)
        window.destroyed.connect(self._holder.close)
        escape_shortcut(window).activated.connect(self.clear_transient)
        self._set_enabled(False)

    # --- properties ---------------------------------------------------------------------------
    @property
    def store(self) -> SurveyStore | None:
        return self._holder.store

    @property
    def condition_map_enabled(self) -> bool:
        return self.condition_action.isChecked()

    # --- menus --------------------------------------------------------------------------------
    def _add(self, menu: Any, text: str, slot: Any, name: str) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_actions(self) -> None:
        m = self.window.surveys_menu
        self._actions: list[QAction] = []
        titles = {
            "inspection": self.tr("New inspection…"),
            "observation": self.tr("New observation…"),
            "misconnection": self.tr("New misconnection record…"),
            "leak": self.tr("New leak/overflow record…"),
            "siltation": self.tr("New siltation record…"),
            "problem": self.tr("New problem…"),
        }
        for kind in RECORD_KINDS:
            if kind == "problem":
                m.addSeparator()
            self._actions.append(
                self._add(
                    m,
                    titles[kind],
                    lambda _=False, k=kind: self.open_form(k),
                    f"new_{kind}_action",
                )
            )
        m.addSeparator()
        self._actions.append(
            self._add(
                m,
                self.tr("Import inspection table (CSV/Excel)…"),
                self._on_import_action_triggered,
                "import_table_action",
            )
        )
        self._actions.append(
            self._add(
                m,
                self.tr("Grade report (Excel/PDF)…"),
                self._on_report_action_triggered,
                "grade_report_action",
            )
        )
        m.addSeparator()
        self._actions.append(
            self._add(
                m,
                self.tr("Export ledger (Excel)…"),
                self._on_export_ledger_action_triggered,
                "export_ledger_action",
            )
        )
        self._actions.append(
            self._add(
                m,
                self.tr("Import ledger (Excel)…"),
                self._on_import_ledger_action_triggered,
                "import_ledger_action",
            )
        )
        self._actions.append(
            self._add(
                m,
                self.tr("Raise problems from network checks"),
                self.raise_from_network_checks,
                "raise_checks_action",
            )
        )
        self._actions.append(
            self._add(
                m,
                self.tr("Raise problems from defects Ⅲ–Ⅳ and misconnections"),
                self.raise_from_records,
                "raise_records_action",
            )
        )
        m.addSeparator()
        self.condition_action = QAction(self.tr("Condition map"), self.window)
        self.condition_action.setObjectName("condition_map_action")
        self.condition_action.setCheckable(True)
        self.condition_action.toggled.connect(self._on_condition_action_toggled)
        m.addAction(self.condition_action)
        self._actions.append(self.condition_action)
        sub = m.addMenu(self.tr("Condition map shows"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.structural_action = QAction(
            self.tr("Structural grade"), self.window, checkable=True, checked=True
        )
        self.structural_action.setObjectName("condition_structural_action")
        self.functional_action = QAction(self.tr("Functional grade"), self.window, checkable=True)
        self.functional_action.setObjectName("condition_functional_action")
        for a, f in ((self.structural_action, STRUCTURAL), (self.functional_action, FUNCTIONAL)):
            group.addAction(a)
            sub.addAction(a)
            a.triggered.connect(lambda _=False, f=f: self.set_condition_field(f))
        m.addSeparator()
        self._actions.append(
            self._add(
                m,
                self.tr("Show survey records"),
                lambda: self._show_dock(self.records_dock),
                "show_records_action",
            )
        )
        self._actions.append(
            self._add(
                m,
                self.tr("Show problem ledger"),
                lambda: self._show_dock(self.ledger_dock),
                "show_ledger_action",
            )
        )

    def _set_enabled(self, enabled: bool) -> None:
        for a in self._actions:
            a.setEnabled(enabled)

    def action(self, name: str) -> QAction:
        """A menu action by object name (``new_observation_action`` …)."""
        act = self.window.findChild(QAction, name)
        assert act is not None, name
        return act

    # --- project ------------------------------------------------------------------------------
    def _on_window_project_opened(self, project: Any) -> None:
        self.cancel_pick()
        # keep the user's choice: docks closed in the last project stay closed
        shown = [
            d is None or d.toggleViewAction().isChecked()
            for d in (self.records_dock, self.ledger_dock)
        ]
        self._teardown()
        try:
            store = SurveyStore(project.path, author=self._author())
        except USER_ERRORS as exc:
            handle_error(self.window, exc)
            self._set_enabled(False)
            return
        self._holder.store = store
        self._unsubscribe = store.subscribe(self._on_store_changed)
        self._build_docks(store)
        for dock, show in zip((self.records_dock, self.ledger_dock), shown, strict=True):
            dock.setVisible(show)
        self.records_dock.raise_()
        if not self._docks_placed and any(shown):
            # the docks take room from the map: show the whole park again once laid out
            self._docks_placed = True
            QTimer.singleShot(0, self._rezoom_to_park)
        self._set_enabled(True)
        self.store_opened.emit(store)
        if self.condition_map_enabled:
            self.refresh_condition_map()

    def _rezoom_to_park(self) -> None:
        if self.window.project is not None and hasattr(self.window, "zoom_to_park"):
            self.window.zoom_to_park()

    def _author(self) -> str:
        name = getattr(self.window.settings, "survey_author", "") or ""
        return str(name) or default_author()

    def _teardown(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for dock in (self.records_dock, self.ledger_dock, self.form_dock):
            if dock is not None:
                self.window.removeDockWidget(dock)
                dock.hide()
                dock.deleteLater()
        self.records_dock = self.ledger_dock = self.form_dock = self.form_tabs = None
        self.forms.clear()
        self._form_pages.clear()
        self._holder.close()
        self._remove_condition_layers()

    def _build_docks(self, store: SurveyStore) -> None:
        from gisapp.qt.ledger_dock import LedgerDock

        w = self.window
        rd = RecordsDock(store, undo_stack=w.undo_stack, parent=w)
        rd.record_selected.connect(self._on_records_dock_record_selected)
        rd.location_selected.connect(self._on_records_dock_location_selected)
        rd.record_activated.connect(self._on_records_dock_record_activated)
        ld = LedgerDock(store, undo_stack=w.undo_stack, parent=w)
        ld.problem_selected.connect(self._on_ledger_dock_problem_selected)
        ld.location_requested.connect(self._on_ledger_dock_location_requested)
        ld.features_requested.connect(self._on_ledger_dock_features_requested)
        ld.problem_form_requested.connect(self._on_ledger_dock_problem_form_requested)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, rd)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, ld)
        w.tabifyDockWidget(rd, ld)
        w.resizeDocks([rd, ld], [BOTTOM_DOCK_HEIGHT_PX] * 2, Qt.Orientation.Vertical)
        self.records_dock, self.ledger_dock = rd, ld
        fd = QDockWidget(self.tr("Survey form"), w)
        fd.setObjectName("survey_form_dock")
        tabs = QTabWidget(fd)
        tabs.setObjectName("survey_form_tabs")
        fd.setWidget(tabs)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, fd)
        fd.hide()
        self.form_dock, self.form_tabs = fd, tabs

    def _show_dock(self, dock: QDockWidget | None) -> None:
        if dock is not None:
            dock.show()
            dock.raise_()

    def show_ledger(self) -> None:
        self._show_dock(self.ledger_dock)

    def refresh_ledger(self) -> None:
        """Reload the ledger dock (after another connection wrote problems)."""
        if self.ledger_dock is not None:
            self.ledger_dock.refresh()

    def _on_store_changed(self, event: StoreEvent) -> None:
        if event.kind == "observation" and self.condition_map_enabled:
            self.refresh_condition_map()

    def _on_window_layer_updated(self, kind: str) -> None:
        if kind in (schema.PIPES, schema.MANHOLES) and self.condition_map_enabled:
            self.refresh_condition_map()

    # --- forms --------------------------------------------------------------------------------
    def open_form(self, kind: str, uuid: str | None = None, **values: Any) -> RecordForm | None:
        """Show the form of ``kind`` with a new record (``values`` pre-filled) or ``uuid``."""
        if self.store is None or self.form_tabs is None:
            return None
        form = self.forms.get(kind)
        if form is None:
            form = RecordForm(self.store, kind, undo_stack=self.window.undo_stack)
            form.pick_pipe_requested.connect(lambda f=form: self.start_pick("pipe", f))
            form.pick_location_requested.connect(lambda f=form: self.start_pick("location", f))
            form.record_saved.connect(self._on_form_record_saved)
            scroll = QScrollArea()
            scroll.setObjectName(f"{kind}_form_scroll")
            scroll.setWidgetResizable(True)
            scroll.setWidget(form)
            self.form_tabs.addTab(scroll, self._form_titles()[kind])
            self.forms[kind] = form
            self._form_pages[kind] = scroll
        if uuid:
            try:
                form.load_record(self.store.get(kind, uuid))
            except USER_ERRORS as exc:
                handle_error(self.window, exc)
                return None
        else:
            form.new_record(**values)
        self.form_tabs.setCurrentWidget(self._form_pages[kind])
        was_shown = self.form_dock.isVisible()
        self._show_dock(self.form_dock)
        if not was_shown:  # wide enough for the form without a horizontal scroll bar
            width = (
                form.sizeHint().width()
                + self._form_pages[kind].verticalScrollBar().sizeHint().width()
                + 24
            )
            self.window.resizeDocks(
                [self.form_dock], [max(width, FORM_DOCK_MIN_WIDTH_PX)], Qt.Orientation.Horizontal
            )
        return form

    def _form_titles(self) -> dict[str, str]:
        return {
            "inspection": self.tr("Inspection"),
            "observation": self.tr("Pipe defect"),
            "misconnection": self.tr("Misconnection"),
            "leak": self.tr("Leak / overflow"),
            "siltation": self.tr("Siltation"),
            "problem": self.tr("Problem"),
        }

    def _on_form_record_saved(self, kind: str, uuid: str) -> None:
        self.window.statusBar().showMessage(self.tr("Record saved"), 3000)
        if self.records_dock is not None and kind in (
            "observation",
            "inspection",
            "misconnection",
            "leak",
            "siltation",
        ):
            combo = self.records_dock.kind_combo
            if combo.currentData() != kind:
                combo.setCurrentIndex(combo.findData(kind))
            self.records_dock.select_uuid(uuid)

    # --- one-shot map pick ----------------------------------------------------------------------
    def start_pick(self, what: str, form: RecordForm) -> None:
        """The next canvas click answers ``form`` (``what`` is "pipe" or "location")."""
        self.cancel_pick()
        self._pick = (what, form)
        self._saved_cursor = self.canvas.cursor()
        self.canvas.setCursor(Qt.CursorShape.CrossCursor)
        self.window.statusBar().showMessage(
            self.tr("Click the pipe on the map (Esc cancels)")
            if what == "pipe"
            else self.tr("Click the location on the map (Esc cancels)")
        )

    def cancel_pick(self) -> None:
        if self._pick is None:
            return
        self._pick = None
        if self._saved_cursor is not None:
            self.canvas.setCursor(self._saved_cursor)
        self._saved_cursor = None
        self.window.statusBar().clearMessage()

    @property
    def picking(self) -> str:
        """ "pipe", "location" or "" (no pick pending)."""
        return self._pick[0] if self._pick else ""

    def _on_canvas_clicked(self, x: float, y: float, _modifiers: object) -> None:
        if self._pick is not None:
            self._answer_pick(x, y)
        elif self.condition_map_enabled:
            self._select_defect_at(x, y)

    def _answer_pick(self, x: float, y: float) -> None:
        assert self._pick is not None
        what, form = self._pick
        if what == "location":
            self.cancel_pick()
            form.set_location(x, y)
            self.mark_location(x, y)
            self.pick_finished.emit("location", (x, y))
            self._show_dock(self.form_dock)
            return
        pid = self.pipe_at(x, y)
        if pid is None:
            self.window.statusBar().showMessage(
                self.tr("No pipe there; click closer to a pipe (Esc cancels)")
            )
            return
        self.cancel_pick()
        form.set_pipe(pid)
        self.canvas.set_highlight(schema.PIPES, [pid], group=HIGHLIGHT_GROUP)
        self.canvas.flash(schema.PIPES, [pid])
        self.window.statusBar().showMessage(self.tr("Pipe %1 picked").replace("%1", pid), 4000)
        self.pick_finished.emit("pipe", pid)
        self._show_dock(self.form_dock)

    def pipe_at(self, x: float, y: float) -> str | None:
        """The id of the pipe nearest (x, y) within a few pixels, or None."""
        layer = self.canvas.layer(schema.PIPES)
        if layer is None or "pipe_id" not in layer.data:
            return None
        i = nearest_feature_index(layer, x, y, self.canvas.search_rect(x, y, PICK_TOLERANCE_PX))
        return None if i is None else str(layer.data["pipe_id"].iloc[i])

    def _select_defect_at(self, x: float, y: float) -> None:
        layer = self.canvas.layer_by_name(DEFECTS_LAYER)
        if layer is None or not layer.visible or self.records_dock is None:
            return
        i = nearest_feature_index(layer, x, y, self.canvas.search_rect(x, y, PICK_TOLERANCE_PX))
        if i is None:
            return
        combo = self.records_dock.kind_combo
        if combo.currentData() != "observation":
            combo.setCurrentIndex(combo.findData("observation"))
        self.records_dock.select_uuid(str(layer.data["uuid"].iloc[i]))
        self._show_dock(self.records_dock)

    # --- map sync -------------------------------------------------------------------------------
    def show_pipe(self, pipe_id: str) -> None:
        """Highlight, zoom to and flash a pipe."""
        if self.canvas.layer(schema.PIPES) is None:
            return
        self.canvas.clear_highlight(HIGHLIGHT_GROUP)
        self.canvas.set_highlight(schema.PIPES, [pipe_id], group=HIGHLIGHT_GROUP)
        self.canvas.zoom_to_features(schema.PIPES, [pipe_id], min_scale=0.1)
        self.canvas.flash(schema.PIPES, [pipe_id])

    def show_location(self, x: float, y: float) -> None:
        """Zoom to a point and flash a marker there."""
        r = LOCATION_ZOOM_M
        self.canvas.zoom_to_extent(x - r, y - r, x + r, y + r)
        self.mark_location(x, y)

    def mark_location(self, x: float, y: float) -> None:
        """A ring at (x, y) (highlight group ``survey``) that flashes a few times.

        The canvas highlights features of layers only, so a one-point layer is added just
        long enough for the highlight and the flash to copy its coordinates.
        """
        pt = gpd.GeoDataFrame(
            {"marker_id": ["1"]},
            geometry=[shapely.Point(x, y)],
            crs=getattr(self.window.project, "crs", None),
        )
        pt.index = pd.Index(["1"])
        if self.canvas.layer_by_name(MARKER_LAYER) is not None:
            self.canvas.remove_layer(MARKER_LAYER)
        layer = MapLayer(
            MARKER_LAYER,
            pt,
            name=MARKER_LAYER,
            geometry="point",
            style=Style(default=None),
            visible=False,
        )
        self.canvas.add_layer(layer)
        try:
            self.canvas.set_highlight(MARKER_LAYER, ["1"], group=HIGHLIGHT_GROUP)
            self.canvas.flash(MARKER_LAYER, ["1"])
        finally:
            self.canvas.remove_layer(MARKER_LAYER)

    def show_features(self, layer: str, ids: list[str]) -> None:
        """Highlight, zoom to and flash features of a map layer."""
        if not layer or self.canvas.layer(layer) is None or not ids:
            return
        self.canvas.set_highlight(layer, ids, group=HIGHLIGHT_GROUP)
        self.canvas.zoom_to_features(layer, ids, min_scale=0.1)
        self.canvas.flash(layer, ids)

    def clear_transient(self) -> None:
        """Esc: cancel a pending pick and clear the survey highlights."""
        self.cancel_pick()
        self.canvas.clear_highlight(HIGHLIGHT_GROUP)

    def _on_records_dock_record_selected(self, pipe_id: str) -> None:
        self.show_pipe(pipe_id)

    def _on_records_dock_location_selected(self, x: float, y: float) -> None:
        self.show_location(x, y)

    def _on_records_dock_record_activated(self, kind: str, uuid: str) -> None:
        self.open_form(kind, uuid)

    def _on_ledger_dock_problem_selected(self, _uuid: str) -> None:
        self.canvas.clear_highlight(HIGHLIGHT_GROUP)

    def _on_ledger_dock_location_requested(self, x: float, y: float) -> None:
        self.show_location(x, y)

    def _on_ledger_dock_features_requested(self, layer: str, ids: list) -> None:
        self.show_features(layer, [str(i) for i in ids])

    def _on_ledger_dock_problem_form_requested(self, uuid: str) -> None:
        self.open_form("problem", uuid or None)

    # --- condition map ------------------------------------------------------------------------
    def _on_condition_action_toggled(self, checked: bool) -> None:
        if checked:
            self.refresh_condition_map()
        else:
            self._remove_condition_layers()
        self.condition_map_changed.emit(checked)

    def set_condition_map(self, enabled: bool) -> None:
        self.condition_action.setChecked(enabled)

    def set_condition_field(self, field: str) -> None:
        """Colour the condition map by ``structural_grade`` or ``functional_grade``."""
        if field not in (STRUCTURAL, FUNCTIONAL):
            raise ValueError(f"field must be {STRUCTURAL!r} or {FUNCTIONAL!r}; got {field!r}")
        self.condition_field = field
        (self.structural_action if field == STRUCTURAL else self.functional_action).setChecked(
            True
        )
        layer = self.canvas.layer_by_name(CONDITION_LAYER)
        if layer is not None:
            layer.title = self._condition_title()
            self.canvas.set_layer_style(CONDITION_LAYER, condition_style(field))

    def _condition_title(self) -> str:
        return (
            self.tr("Condition: structural grade")
            if self.condition_field == STRUCTURAL
            else self.tr("Condition: functional grade")
        )

    def refresh_condition_map(self) -> None:
        """(Re)build the condition layers from the grade cache and the observations."""
        project, store = self.window.project, self.store
        if project is None or store is None or schema.PIPES not in project.layers:
            self._remove_condition_layers()
            return
        pipes = project.layers[schema.PIPES]
        obs = store.observations_for_grading()
        cond = condition_frame(pipes, store.grades_frame(), set(obs["pipe_id"].astype(str)))
        defects = defect_points(pipes, project.layers.get(schema.MANHOLES), obs, store.pack)
        self._put_layer(
            CONDITION_LAYER,
            cond,
            "line",
            condition_style(self.condition_field),
            self._condition_title(),
            offset=1,
        )
        self._put_layer(
            DEFECTS_LAYER, defects, "point", defects_style(), self.tr("Defects"), offset=2
        )

    def _put_layer(
        self,
        name: str,
        data: gpd.GeoDataFrame,
        geometry: str,
        style: Style,
        title: str,
        offset: int,
    ) -> None:
        layer = self.canvas.layer_by_name(name)
        if layer is not None:
            layer.title = title
            self.canvas.set_layer_data(name, data)
            self.canvas.set_layer_style(name, style)  # also updates the legend
            return
        names = [lay.name for lay in self.canvas.layers]
        index = names.index(schema.PIPES) + offset if schema.PIPES in names else None
        if index is not None:
            index = min(index, len(names))
        self.canvas.add_layer(
            MapLayer(name, data, name=name, title=title, style=style, geometry=geometry), index
        )

    def _remove_condition_layers(self) -> None:
        for name in (CONDITION_LAYER, DEFECTS_LAYER):
            if self.canvas.layer_by_name(name) is not None:
                self.canvas.remove_layer(name)

    # --- ledger -------------------------------------------------------------------------------
    def raise_from_network_checks(self) -> Any:
        """Raise the network check findings (errors and warnings) in the ledger."""
        if self.ledger_dock is None:
            return None
        state = self.window.network_ctl.state
        if state is None:
            self.window.statusBar().showMessage(
                self.tr(
                    "The network is still being built; try again when the status bar "
                    "shows the check count."
                ),
                8000,
            )
            return None
        res = self.ledger_dock.raise_from_issues(list(state.checks))
        self._report_raised(res)
        return res

    def raise_from_records(self) -> Any:
        """Raise grade Ⅲ–Ⅳ defects and misconnection records in the ledger."""
        if self.ledger_dock is None:
            return None
        res = self.ledger_dock.raise_from_records()
        self._report_raised(res)
        return res

    def _report_raised(self, res: Any) -> None:
        self.show_ledger()
        if res is not None:
            self.window.statusBar().showMessage(
                self.tr("%1 problem(s) added to the ledger, %2 already there")
                .replace("%1", str(len(res.added)))
                .replace("%2", str(res.skipped)),
                8000,
            )

    def export_ledger(self, path: str | Path) -> Path | None:
        if self.ledger_dock is None:
            return None
        return self.ledger_dock.export_to(path)

    def import_ledger(self, path: str | Path, confirm: Any = None) -> Any:
        """Plan the import of an edited ledger workbook, show the changes and conflicts in
        :class:`~gisapp.qt.ledger_dock.LedgerImportDialog`, apply when confirmed.

        ``confirm(dialog) -> bool`` replaces the modal ``exec`` (tests)."""
        from gisapp.qt.ledger_dock import LedgerImportDialog

        if self.ledger_dock is None:
            return None
        plan = self.ledger_dock.plan_import(path)
        if plan is None:
            self.show_ledger()
            return None
        dlg = LedgerImportDialog(plan, self.window)
        ok = confirm(dlg) if confirm is not None else (dlg.exec() == QDialog.DialogCode.Accepted)
        dlg.deleteLater()
        self.show_ledger()
        return self.ledger_dock.apply_import(plan) if ok else None

    def _on_export_ledger_action_triggered(self) -> None:
        if self.store is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export ledger"),
            str(self.store.path.with_suffix(".台账.xlsx")),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.export_ledger(path)
            self.show_ledger()

    def _on_import_ledger_action_triggered(self) -> None:
        if self.store is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import ledger"),
            str(self.store.project_dir),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            self.import_ledger(path)

    # --- import and reports -----------------------------------------------------------------
    def _on_import_action_triggered(self) -> None:
        if self.store is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import inspection table"),
            str(self.store.project_dir),
            self.tr("Inspection tables (*.xlsx *.csv *.txt *.tsv)"),
        )
        if path:
            self.import_table(path)

    def import_table(self, path: str | Path, *, ask: Any = None, report: Any = None) -> Any:
        """Read ``path``, ask for the column mapping, import, show the rows not read.

        ``ask(dialog) -> bool`` and ``report(dialog)`` replace the modal ``exec`` calls
        (tests). Returns the ``ImportResult`` (None when cancelled or failed)."""
        from surveys.importer import import_observations, read_table

        if self.store is None:
            return None
        path = Path(path)
        try:
            table, header_row = read_table(path)
        except USER_ERRORS as exc:
            handle_error(self.window, exc)
            return None
        dlg = ImportMappingDialog(path, table, header_row, self.window)
        ok = ask(dlg) if ask is not None else dlg.exec() == QDialog.DialogCode.Accepted
        options = dlg.options()
        dlg.deleteLater()
        if not ok:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = import_observations(self.store, path, **options)
        except USER_ERRORS as exc:
            QApplication.restoreOverrideCursor()
            handle_error(self.window, exc)
            return None
        QApplication.restoreOverrideCursor()
        if self.records_dock is not None:
            self.records_dock.kind_combo.setCurrentIndex(
                self.records_dock.kind_combo.findData("observation")
            )
            self._show_dock(self.records_dock)
        rep = ImportReportDialog(result, self.window)
        if report is not None:
            report(rep)
        else:
            rep.exec()
        rep.deleteLater()
        return result

    def _on_report_action_triggered(self) -> None:
        if self.store is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Grade report"),
            str(self.store.path.with_name(f"{self.store.path.stem}_管段评估.xlsx")),
            self.tr("Excel workbook (*.xlsx);;PDF (*.pdf)"),
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".pdf" if "pdf" in chosen.lower() else ".xlsx"
        self.window.run_job(
            self.tr("Writing grade report"),
            _report_job,
            self.store,
            path,
            on_done=lambda out: self.window.statusBar().showMessage(
                self.tr("Report written: %1").replace("%1", str(out)), 8000
            ),
        )

    def write_grade_report(self, path: str | Path) -> Path:
        """Write the segment assessment and inspection results tables (.xlsx or .pdf)."""
        assert self.store is not None
        gen = _report_job(self.store, path)
        return drain(gen)


def _report_job(store: SurveyStore, path: str | Path):
    """Progress generator writing the grade report (Excel or PDF by the suffix)."""
    from surveys.reports import write_report_pdf, write_report_xlsx

    path = Path(path)
    yield 0.1, tr("Grading segments and writing %1").replace("%1", path.name)
    if path.suffix.lower() == ".pdf":
        return write_report_pdf(store, path)
    return write_report_xlsx(store, path)


def install(window: Any) -> SurveysController:
    """Add the surveys menus, docks and condition map to ``window``."""
    return SurveysController(window)
