"""Main-window extension: the Balance dock, the pollutant balance per plant service area.

``install(window)`` adds *Analysis → Pollutant balance* and returns the :class:`BalanceDock`
(docked right, hidden until asked for).

* **The account table**: one row per plant service area, then the unserved rest and the
  total: COD produced, collected and removed (t/a), 集中收集率, 削减率, capacity gap and the
  flags (rows with a flag are tinted). The year picks the monitoring records used.
* **The data problems** the account met (feature and field named) below the table.
* **The map layer** ``balance_areas``: the service areas coloured by collection rate
  (< 80 %, 80–95 %, ≥ 95 %, unknown), with the plants' flags in its attributes.
* **Draw on the map** replaces the selected plant's area by a polygon clicked on the map
  (click the corners, double-click or right-click to finish, Esc to cancel); while drawing,
  the map's clicks belong to the drawing, so no map tool (trace, identify…) fires.
* **Service area from file…** replaces the selected plant's computed area by a polygon
  drawn by hand (any polygon layer file, reprojected); **Back to the computed area** drops it.
  Both are one undo step each, written to the project at once
  (:class:`surveys.balance.areas.SetArea`).
* **Export Excel…** writes the account as ``python main.py balance --xlsx`` does.

The account itself is :func:`surveys.balance.account.build_account`, on the window's current
network; the dock only shows it.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisapp.cartography.symbology import (
    CATEGORIZED,
    Style,
    StyleClass,
    Symbol,
)
from gisapp.qt.docking import SubjectDock, install_subject_dock
from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import use_chinese
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.undo import push
from network import schema
from surveys.balance.account import FLAG_LABELS_EN, FLAG_LABELS_ZH, BalanceAccount
from surveys.balance.account import load_account as _load_account_file
from surveys.balance.areas import SetArea, polygon_from_file
from surveys.balance.export import RATE_CLASSES, areas_frame, write_account_xlsx

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.balance_dock"
LAYER_NAME = "balance_areas"
DOCK_WIDTH_PX = 720
FLAG_BRUSH = QBrush(QColor("#fde2e1"))
TOTAL_BRUSH = QBrush(QColor("#eef2f7"))
RATE_CLASS_FIELD = "rate_class"


def _t(x: float | None, nd: int = 1) -> str:
    return "—" if x is None else f"{x:,.{nd}f}"


def _p(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def rate_class(rate: float | None, lo: float = 0.80, hi: float = 0.95) -> str:
    """``unknown`` / ``low`` / ``mid`` / ``high`` for a collection rate."""
    if rate is None:
        return "unknown"
    return "low" if rate < lo else "mid" if rate < hi else "high"


def areas_style(language: str = "zh") -> Style:
    """Service areas filled by collection-rate class (the legend of the paper map)."""
    codes = ("unknown", "low", "mid", "high")
    en = ("rate unknown", "< 80 %", "80–95 %", "≥ 95 %")
    classes = tuple(
        StyleClass(
            label=(zh if language == "zh" else e),
            value=code,
            symbol=Symbol(color="#333333", width=1.2, fill=color, fill_alpha=0.45),
        )
        for code, (_v, color, zh), e in zip(codes, RATE_CLASSES, en, strict=True)
    )
    return Style(
        kind=CATEGORIZED,
        field=RATE_CLASS_FIELD,
        classes=classes,
        default=Symbol(color="#333333", fill="#bdbdbd", fill_alpha=0.45),
    )


class BalanceDock(SubjectDock):
    """The pollutant balance of the open project (see the module docstring)."""

    DOCK_WIDTH_PX = DOCK_WIDTH_PX

    computed = Signal(object)  # BalanceAccount

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("balance_dock")
        self.setWindowTitle(self.tr("Pollutant balance"))
        self.account: BalanceAccount | None = None
        self.action: QAction | None = None

        body = QWidget(self)
        lay = QVBoxLayout(body)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Year")))
        self.year_box = QSpinBox(body)
        self.year_box.setRange(1990, 2100)
        self.year_box.setValue(dt.date.today().year - 1)
        self.year_box.setObjectName("balance_year")
        top.addWidget(self.year_box)
        self.compute_button = QPushButton(self.tr("Compute"), body)
        self.compute_button.clicked.connect(self.refresh)
        top.addWidget(self.compute_button)
        self.export_button = QPushButton(self.tr("Export Excel…"), body)
        self.export_button.clicked.connect(self._ask_export)
        top.addWidget(self.export_button)
        top.addStretch(1)
        lay.addLayout(top)

        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)

        self.headers = [
            self.tr("Plant"),
            self.tr("Name"),
            self.tr("Produced COD (t/a)"),
            self.tr("Collected COD (t/a)"),
            self.tr("Removed COD (t/a)"),
            self.tr("Collection rate"),
            self.tr("Reduction rate"),
            self.tr("Capacity gap (t/d)"),
            self.tr("Flags"),
        ]
        self.table = QTableWidget(0, len(self.headers), body)
        self.table.setHorizontalHeaderLabels(self.headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        lay.addWidget(self.table, 3)

        edit = QHBoxLayout()
        self.draw_button = QPushButton(self.tr("Draw on the map"), body)
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip(
            self.tr(
                "Click the corners of the selected plant's service area on the map; "
                "double-click or right-click to finish, Esc to cancel"
            )
        )
        self.draw_button.toggled.connect(self._on_draw_toggled)
        edit.addWidget(self.draw_button)
        self._draw_pts: list[tuple[float, float]] = []
        self._draw_plant: str | None = None
        self.area_file_button = QPushButton(self.tr("Service area from file…"), body)
        self.area_file_button.setToolTip(
            self.tr(
                "Replace the selected plant's computed service area by a polygon drawn by hand"
            )
        )
        self.area_file_button.clicked.connect(self._ask_area_file)
        edit.addWidget(self.area_file_button)
        self.area_reset_button = QPushButton(self.tr("Back to the computed area"), body)
        self.area_reset_button.clicked.connect(self._reset_area)
        edit.addWidget(self.area_reset_button)
        edit.addStretch(1)
        lay.addLayout(edit)

        self.messages = QLabel(body)
        self.messages.setWordWrap(True)
        lay.addWidget(self.messages)
        lay.addWidget(QLabel(self.tr("Data problems (not counted or not computed)")))
        self.problems = QListWidget(body)
        lay.addWidget(self.problems, 1)
        self.setWidget(body)

        window.project_opened.connect(self._on_project_opened)
        window.network_updated.connect(self._on_network_updated)

    # --- computing ----------------------------------------------------------------------------
    @property
    def zh(self) -> bool:
        return use_chinese(self.window_)

    def refresh(self) -> None:
        """Make the account of the open project for the chosen year and show it (later,
        when the dock is hidden)."""
        project = self.window_.project
        if project is None:
            self.account = None
            self._show()
            return
        if self.defer_while_hidden():
            return
        state = self.window_.network_ctl.state
        try:
            self.account = _load_account_file(
                project.path, year=self.year_box.value(), checked=state
            )
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)
            self.account = None
        self._show()
        self.show_on_map()
        if self.account is not None:
            self.computed.emit(self.account)

    # --- showing ------------------------------------------------------------------------------
    def _flag_text(self, flags: tuple[str, ...]) -> str:
        labels = FLAG_LABELS_ZH if self.zh else FLAG_LABELS_EN
        return ("；" if self.zh else "; ").join(labels.get(f, f) for f in flags)

    def _row(self, cells: list[str], brush: QBrush | None, data: Any) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            if c >= 2 and c < 8:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if brush is not None:
                item.setBackground(brush)
            self.table.setItem(r, c, item)

    def _show(self) -> None:
        self.table.setRowCount(0)
        self.problems.clear()
        acc = self.account
        if acc is None:
            self.summary.setText(self.tr("Open a project to make its pollutant balance."))
            self.messages.clear()
            return
        for a in (*acc.areas, acc.unserved):
            self._row(
                [
                    a.plant_id or self.tr("Unserved"),
                    a.name if a.plant_id else self.tr("in no service area"),
                    _t(a.annual(a.produced_cod_kgd)),
                    _t(a.annual(a.collected_cod_kgd)),
                    _t(a.annual(a.removed_cod_kgd)),
                    _p(a.collection_rate),
                    _p(a.reduction_rate),
                    _t(a.capacity_gap_tpd, 0),
                    self._flag_text(a.flags),
                ],
                FLAG_BRUSH if set(a.flags) - {"nothing_produced"} else None,
                a.plant_id,
            )
        t = acc.total
        self._row(
            [
                self.tr("Total"),
                "",
                _t(t["produced_cod_ta"]),
                _t(t["collected_cod_ta"]),
                _t(t["removed_cod_ta"]),
                _p(t["collection_rate"]),
                _p(t["reduction_rate"]),
                "",
                "",
            ],
            TOTAL_BRUSH,
            None,
        )
        self.summary.setText(
            self.tr(
                "{year}: collection rate {rate} (targets 80 % by 2025, 95 % by 2030); "
                "{n} service areas, {edited} drawn by hand."
            ).format(
                year=acc.year,
                rate=_p(t["collection_rate"]),
                n=len(acc.areas),
                edited=sum(a.edited for a in acc.areas),
            )
        )
        for p in acc.problems:
            self.problems.addItem(
                f"{schema.LAYER_LABELS_ZH.get(p.layer, p.layer) if self.zh else p.layer} "
                f"{p.feature} [{p.field}]: {p.message_zh if self.zh else p.message_en}"
            )
        self._show_messages(None)

    def _show_messages(self, plant_id: str | None) -> None:
        acc = self.account
        if acc is None:
            self.messages.clear()
            return
        lines = []
        for a in acc.areas:
            if plant_id is not None and a.plant_id != plant_id:
                continue
            for m in a.messages_zh if self.zh else a.messages_en:
                lines.append(f"{a.plant_id}: {m}")
        self.messages.setText("\n".join(lines))

    def _on_selection(self) -> None:
        items = self.table.selectedItems()
        self._show_messages(items[0].data(Qt.ItemDataRole.UserRole) if items else None)

    def row_texts(self) -> list[list[str]]:
        """The table as shown (tests, copy)."""
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]

    # --- map layer ------------------------------------------------------------------------------
    def show_on_map(self) -> None:
        """Put (or refresh) the service-area layer on the map, below the pipes."""
        canvas = self.window_.canvas
        acc = self.account
        if acc is None:
            if canvas.layer_by_name(LAYER_NAME) is not None:
                canvas.remove_layer(LAYER_NAME)
            return
        frame = areas_frame(acc)
        lo, hi = acc.coefficients.rate_2025, acc.coefficients.rate_2030
        frame[RATE_CLASS_FIELD] = [rate_class(r, lo, hi) for r in frame["collection_rate"]]
        frame = gpd.GeoDataFrame(
            frame.drop(columns=["color"]), geometry="geometry", crs=self.window_.project.crs
        )
        style = areas_style("zh" if self.zh else "en")
        layer = canvas.layer_by_name(LAYER_NAME)
        if layer is not None:
            canvas.set_layer_data(LAYER_NAME, frame)
            canvas.set_layer_style(LAYER_NAME, style)
            return
        names = [lay.name for lay in canvas.layers]
        index = names.index(schema.PIPES) if schema.PIPES in names else None
        canvas.add_layer(
            MapLayer(
                LAYER_NAME,
                frame,
                name=LAYER_NAME,
                title=self.tr("Service areas (collection rate)"),
                style=style,
                geometry="polygon",
            ),
            index,
        )

    # --- edited service areas (undoable, saved at once) ------------------------------------------
    def selected_plant(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def set_area(self, plant_id: str, geometry: Any, note: str = "") -> None:
        """Store *geometry* (None: clear) as the plant's edited area, as one undo step."""
        project = self.window_.project
        if project is None:
            return
        label = (
            self.tr("Edit service area of {plant}")
            if geometry is not None
            else self.tr("Reset service area of {plant}")
        ).format(plant=plant_id)
        push(
            self.window_,
            SetArea(project.path, plant_id, geometry, note, after=self._after_area, label=label),
            saves_immediately=True,
        )

    # --- drawing an area on the map -----------------------------------------------------------
    def _on_draw_toggled(self, on: bool) -> None:
        canvas = self.window_.canvas
        if on:
            plant = self.selected_plant()
            if plant is None or self.window_.project is None:
                self.messages.setText(self.tr("Select a plant's row first."))
                self.draw_button.setChecked(False)
                return
            self._draw_plant, self._draw_pts = plant, []
            canvas.claim_clicks(True)  # the active map tool stays still while drawing
            canvas.claimed_click.connect(self._on_draw_click)
            canvas.double_clicked.connect(self._on_draw_finish)
            canvas.right_clicked.connect(self._on_draw_finish)
            canvas.mouse_moved.connect(self._on_draw_move)
            self._escape().connect(self.cancel_drawing)
            self.messages.setText(
                self.tr(
                    "Drawing the service area of {plant}: click the corners, double-click or "
                    "right-click to finish, Esc to cancel."
                ).format(plant=plant)
            )
            return
        if self._draw_plant is None:
            return
        self._draw_plant = None
        canvas.claim_clicks(False)
        for signal, slot in (
            (canvas.claimed_click, self._on_draw_click),
            (canvas.double_clicked, self._on_draw_finish),
            (canvas.right_clicked, self._on_draw_finish),
            (canvas.mouse_moved, self._on_draw_move),
            (self._escape(), self.cancel_drawing),
        ):
            signal.disconnect(slot)
        canvas.clear_rubber_band()

    def _escape(self) -> Any:
        """The window's one Esc signal (shared by every map tool)."""
        from gisapp.qt.inspect_tools import MapToolHub

        return MapToolHub.of(self.window_).escape_pressed

    def _on_draw_click(self, x: float, y: float, _modifiers: object = None) -> None:
        if not self._draw_pts or self._draw_pts[-1] != (x, y):
            self._draw_pts.append((x, y))
        self.window_.canvas.set_rubber_band(self._draw_pts, closed=True)

    def _on_draw_move(self, x: float, y: float) -> None:
        if self._draw_pts:
            self.window_.canvas.set_rubber_band([*self._draw_pts, (x, y)], closed=True)

    def _on_draw_finish(self, *_xy: float) -> None:
        plant, pts = self._draw_plant, list(self._draw_pts)
        polygon = shapely.Polygon(pts) if len(pts) >= 3 else None
        if polygon is not None and not polygon.is_valid:
            polygon = shapely.make_valid(polygon)
        if polygon is None or polygon.is_empty or polygon.area <= 0:
            self.messages.setText(
                self.tr("A service area needs at least three corners that enclose an area.")
            )
            return  # keep drawing
        self.draw_button.setChecked(False)
        try:
            self.set_area(plant, polygon, note=self.tr("drawn on the map"))
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)

    def cancel_drawing(self) -> None:
        """Esc: drop the corners clicked so far; the stored area is unchanged."""
        if self.draw_button.isChecked():
            self.draw_button.setChecked(False)
            self.messages.setText(self.tr("Drawing cancelled."))

    def _after_area(self) -> None:
        self._stale = True
        self.refresh()

    def _ask_area_file(self) -> None:
        plant = self.selected_plant()
        if plant is None:
            self.messages.setText(self.tr("Select a plant's row first."))
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Service area of {plant}").format(plant=plant),
            "",
            self.tr("Polygon layers (*.geojson *.json *.shp *.gpkg *.kml)"),
        )
        if not path:
            return
        try:
            geom = polygon_from_file(path, self.window_.project.crs)
            self.set_area(plant, geom, note=Path(path).name)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)

    def _reset_area(self) -> None:
        plant = self.selected_plant()
        if plant is None:
            self.messages.setText(self.tr("Select a plant's row first."))
            return
        try:
            self.set_area(plant, None)
        except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
            handle_error(self.window_, exc)

    # --- export ---------------------------------------------------------------------------------
    def export_xlsx(self, path: str) -> None:
        if self.account is None:
            self.refresh()
        if self.account is not None:
            write_account_xlsx(self.account, path)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the pollutant balance"),
            f"区域水污染物平衡核算_{self.year_box.value()}.xlsx",
            self.tr("Excel workbook (*.xlsx)"),
        )
        if path:
            try:
                self.export_xlsx(path)
            except Exception as exc:  # noqa: BLE001 - shown at the GUI boundary
                handle_error(self.window_, exc)

    # --- window signals -------------------------------------------------------------------------
    def _on_project_opened(self, _project: Any) -> None:
        self.account = None
        self._stale = True
        if self.window_.canvas.layer_by_name(LAYER_NAME) is not None:
            self.window_.canvas.remove_layer(LAYER_NAME)
        self._show()

    def _on_network_updated(self, _state: Any) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()


def install(window: Any) -> BalanceDock:
    """Add the Balance dock (right, hidden) and *Analysis → Pollutant balance*."""
    dock = BalanceDock(window)
    install_subject_dock(
        window,
        dock,
        window.analysis_menu,
        dock.tr("Pollutant balance…"),
        "pollutant_balance_action",
        separator=True,
    )
    return dock
