"""Main-window extension for defect surveys: record store, forms, docks, ledger, condition map.

``install(window)`` returns a :class:`SurveysController`. On every ``project_opened`` it opens
one :class:`~surveys.store.SurveyStore` for the project (closing the previous one) and
rebuilds the Records and Ledger docks (tabified at the bottom) and the forms dock (right).

Map sync:

* a form's *Pick on map* starts a one-shot pick: the next canvas click picks the nearest pipe
  (or the clicked location); Esc cancels;
* selecting a record or a problem zooms to its pipe / features / location and flashes it;
* the *condition map* (:mod:`gisapp.qt.condition_map`) follows every commit of the store
  (saves, deletes, undo/redo).

The Surveys menu is built in :mod:`gisapp.qt.surveys_menu`; the file flows (inspection-table
import, grade report, ledger workbook) are in :mod:`gisapp.qt.survey_files`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabWidget

from gisapp.cartography.symbology import Style
from gisapp.qt import survey_files
from gisapp.qt.condition_map import (
    CONDITION_LAYER,
    DEFECT_MARKERS,
    DEFECTS_LAYER,
    FUNCTIONAL,
    GRADE_COLORS,
    GRADES,
    ROMAN,
    STRUCTURAL,
    ConditionMap,
    condition_frame,
    condition_style,
    defect_points,
    defects_style,
    from_node_at_start,
    nearest_feature_index,
)
from gisapp.qt.errors import USER_ERRORS, handle_error
from gisapp.qt.inspect_tools import escape_shortcut
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.records_dock import RecordsDock
from gisapp.qt.survey_forms import RecordForm
from gisapp.qt.survey_import_dialogs import ImportMappingDialog, ImportReportDialog
from gisapp.qt.surveys_menu import RECORD_KINDS, build_surveys_menu
from network import schema
from surveys.store import StoreEvent, SurveyStore, default_author

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.surveys_ext"
MARKER_LAYER = "_survey_marker"  # lives on the canvas only while a marker is being set up
PICK_TOLERANCE_PX = 8.0
LOCATION_ZOOM_M = 40.0  # half-width of the view around a record's location
HIGHLIGHT_GROUP = "survey"
BOTTOM_DOCK_HEIGHT_PX = 264
FORM_DOCK_MIN_WIDTH_PX = 420


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
        self.condition = ConditionMap(self.canvas)
        self._docks_placed = False
        self._build_actions()
        window.project_opened.connect(self._on_window_project_opened)
        if hasattr(window, "layer_updated"):
            window.layer_updated.connect(self._on_window_layer_updated)
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.claimed_click.connect(self._on_canvas_claimed_click)
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

    @property
    def condition_field(self) -> str:
        """The grade field the condition map is coloured by."""
        return self.condition.field

    # --- menus --------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        menu = build_surveys_menu(self)
        self._actions: list[QAction] = menu.enabled
        self.condition_action = menu.condition
        self.structural_action = menu.structural
        self.functional_action = menu.functional

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
            # the window's current pipes (unsaved edits included): window.update_layer
            # replaces project.layers["pipes"], and the store asks for it on every use
            store = SurveyStore(
                project.path,
                author=self._author(),
                pipes=lambda w=self.window: (
                    None if w.project is None else w.project.layers.get("pipes")
                ),
            )
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
            QTimer.singleShot(0, self, self._rezoom_to_park)  # not once the window is gone
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
        # hidden while they are placed: side by side for a moment, the two tables' minimum
        # widths would widen the window
        rd.hide()
        ld.hide()
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, rd)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, ld)
        w.tabifyDockWidget(rd, ld)
        rd.show()
        ld.show()
        rd.raise_()
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
        self.canvas.claim_clicks(True)  # the active map tool (trace, identify…) stays still
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
        self.canvas.claim_clicks(False)
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

    def _on_canvas_claimed_click(self, x: float, y: float, _modifiers: object) -> None:
        if self._pick is not None:
            self._answer_pick(x, y)

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
        self.condition.set_field(field)
        (self.structural_action if field == STRUCTURAL else self.functional_action).setChecked(
            True
        )

    def refresh_condition_map(self) -> None:
        """(Re)build the condition layers from the grade cache and the observations."""
        self.condition.refresh(self.window.project, self.store)

    def _remove_condition_layers(self) -> None:
        self.condition.remove()

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
        """See :func:`gisapp.qt.survey_files.import_ledger`."""
        return survey_files.import_ledger(self, path, confirm)

    def _on_export_ledger_action_triggered(self) -> None:
        survey_files.ask_export_ledger(self)

    def _on_import_ledger_action_triggered(self) -> None:
        survey_files.ask_import_ledger(self)

    # --- import and reports -----------------------------------------------------------------
    def _on_import_action_triggered(self) -> None:
        survey_files.ask_import_table(self)

    def import_table(self, path: str | Path, *, ask: Any = None, report: Any = None) -> Any:
        """See :func:`gisapp.qt.survey_files.import_table`."""
        return survey_files.import_table(self, path, ask=ask, report=report)

    def _on_report_action_triggered(self) -> None:
        survey_files.ask_grade_report(self)

    def write_grade_report(self, path: str | Path) -> Path:
        """Write the segment assessment and inspection results tables (.xlsx or .pdf)."""
        assert self.store is not None
        return survey_files.write_grade_report(self.store, path)


def install(window: Any) -> SurveysController:
    """Add the surveys menus, docks and condition map to ``window``."""
    return SurveysController(window)


__all__ = [
    "CONDITION_LAYER",
    "DEFECTS_LAYER",
    "DEFECT_MARKERS",
    "FUNCTIONAL",
    "GRADES",
    "GRADE_COLORS",
    "RECORD_KINDS",
    "ROMAN",
    "STRUCTURAL",
    "ImportMappingDialog",
    "ImportReportDialog",
    "SurveysController",
    "condition_frame",
    "condition_style",
    "defect_points",
    "defects_style",
    "from_node_at_start",
    "install",
    "nearest_feature_index",
]
