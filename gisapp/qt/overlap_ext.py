"""Main-window extension for the protected-area check (OverlapDock on the map).

``install(window)`` returns an :class:`OverlapController`: *Analysis → Protected-area check*
shows the dock (docked right); each opened project is handed to it; selecting a result zooms
the map there and draws the overlapping part of the feature in a warning style on temporary
map layers (``overlap_parts`` for lines, ``overlap_parts_area`` for polygons,
``overlap_parts_points`` for points, drawn on top). Esc or a new project removes them.
Raising conflicts in the ledger goes through the Ledger dock of the surveys extension (one
undoable step on the window's undo stack) and shows that dock.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction

from gisapp.cartography.symbology import SINGLE, Style, Symbol
from gisapp.qt.canvas_overlays import OVERLAP_COLOR
from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import escape_shortcut
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.overlap_dock import OverlapDock

log = logging.getLogger(__name__)

EXTENSION_NAME = "gisapp.qt.overlap_ext"
SURVEYS_EXTENSION = "gisapp.qt.surveys_ext"
WARNING_COLOR = OVERLAP_COLOR  # its own colour (orange is grade III)
PART_LAYERS = {  # geometry kind -> (layer name, style)
    "line": ("overlap_parts", Style(kind=SINGLE, default=Symbol(color=WARNING_COLOR, width=6.0))),
    "polygon": (
        "overlap_parts_area",
        Style(
            kind=SINGLE,
            default=Symbol(
                color=WARNING_COLOR,
                width=3.0,
                fill=WARNING_COLOR,
                fill_alpha=0.45,
                hatch="diagcross",
            ),
        ),
    ),
    "point": (
        "overlap_parts_points",
        Style(
            kind=SINGLE,
            default=Symbol(color=WARNING_COLOR, size=18.0, marker="star", outline="#202020"),
        ),
    ),
}
_KIND_OF_TYPE = {
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "Point": "point",
    "MultiPoint": "point",
}


def split_by_kind(geoms: list[Any]) -> dict[str, list[Any]]:
    """Line, polygon and point parts of ``geoms`` (collections are split up)."""
    out: dict[str, list[Any]] = {"line": [], "polygon": [], "point": []}
    for g in geoms:
        if g is None or g.is_empty:
            continue
        if g.geom_type == "GeometryCollection":
            for part, kids in split_by_kind(list(shapely.get_parts(g))).items():
                out[part].extend(kids)
            continue
        kind = _KIND_OF_TYPE.get(g.geom_type)
        if kind is not None:
            out[kind].append(g)
    return out


class OverlapController(QObject):
    """What ``install`` returns: the dock and the map layers of the overlapping parts."""

    parts_drawn = Signal(list)  # names of the layers drawn

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        dock = OverlapDock(window)
        dock.hide()
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.dock = dock
        self.action = QAction(self.tr("Protected-area check"), window)
        self.action.setObjectName("overlap_check_action")
        self.action.triggered.connect(self.show_dock)
        window.analysis_menu.addAction(self.action)
        dock.zoom_requested.connect(self._on_dock_zoom_requested)
        dock.highlight_requested.connect(self._on_dock_highlight_requested)
        dock.check_started.connect(self.clear_parts)
        dock.check_failed.connect(self._on_dock_check_failed)
        dock.progress_changed.connect(self._on_dock_progress_changed)
        dock.check_finished.connect(self._on_dock_check_finished)
        # the conflicts go into the ledger as one undoable step of the Ledger dock; the
        # button's second handler (after the dock's own) shows the ledger
        dock.set_ledger(self.raise_in_ledger)
        dock.ledger_button.clicked.connect(self._on_dock_ledger_button_clicked)
        window.project_opened.connect(self._on_window_project_opened)
        escape_shortcut(window).activated.connect(self.clear_parts)
        if getattr(window, "project", None) is not None:
            dock.set_project(window.project)

    # --- dock -----------------------------------------------------------------------------------
    def show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def _on_window_project_opened(self, project: Any) -> None:
        self.clear_parts()
        self.dock.set_project(project)

    def _on_dock_zoom_requested(self, minx: float, miny: float, maxx: float, maxy: float) -> None:
        self.canvas.zoom_to_extent(minx, miny, maxx, maxy, margin=0.0)

    def _on_dock_highlight_requested(self, geoms: list) -> None:
        self.draw_parts(list(geoms))

    def _on_dock_check_failed(self, exc: BaseException) -> None:
        handle_error(self.window, exc)

    def _on_dock_progress_changed(self, fraction: float, message: str) -> None:
        self.window.statusBar().showMessage(f"{message} ({fraction:.0%})")

    def _on_dock_check_finished(self, _result: Any) -> None:
        self.window.statusBar().showMessage(self.dock.status_label.text(), 8000)

    def _surveys(self) -> Any:
        return getattr(self.window, "extensions", {}).get(SURVEYS_EXTENSION)

    def raise_in_ledger(self, result: Any) -> Any:
        """Raise the conflicts of ``result`` through the Ledger dock of the surveys extension
        (one undoable step on the window's stack: Ctrl+Z removes them again). Without that
        extension they are written to the project directly."""
        from surveys.zones.overlap import conflicts_to_problems, raise_conflicts

        ledger_dock = getattr(self._surveys(), "ledger_dock", None)
        if ledger_dock is None:
            return raise_conflicts(self.window.project.path, result)
        return ledger_dock.raise_from_conflicts(conflicts_to_problems(result))

    def _on_dock_ledger_button_clicked(self) -> None:
        ctl = self._surveys()
        if ctl is not None and hasattr(ctl, "refresh_ledger"):
            ctl.refresh_ledger()
            if hasattr(ctl, "show_ledger"):
                ctl.show_ledger()

    # --- overlapping parts on the map ------------------------------------------------------------
    def draw_parts(self, geoms: list[Any]) -> list[str]:
        """Draw ``geoms`` (project CRS) in the warning style on top of the map; returns the
        names of the layers drawn. An empty list clears them."""
        by_kind = split_by_kind(geoms)
        crs = getattr(self.window.project, "crs", None)
        drawn = []
        for kind, (name, style) in PART_LAYERS.items():
            parts = by_kind[kind]
            if not parts:
                if self.canvas.layer_by_name(name) is not None:
                    self.canvas.remove_layer(name)
                continue
            data = gpd.GeoDataFrame(
                {"part": np.arange(len(parts)).astype(str)}, geometry=parts, crs=crs
            )
            layer = self.canvas.layer_by_name(name)
            if layer is None:
                self.canvas.add_layer(
                    MapLayer(
                        name, data, name=name, title=self._title(kind), style=style, geometry=kind
                    )
                )
            else:
                self.canvas.set_layer_data(name, data)
                if self.canvas.layers[-1] is not layer:  # keep the parts on top
                    self.canvas.move_layer(name, len(self.canvas.layers))
            drawn.append(name)
        self.parts_drawn.emit(drawn)
        return drawn

    def _title(self, kind: str) -> str:
        return {
            "line": self.tr("Overlap (pipe inside zone)"),
            "polygon": self.tr("Overlap (area inside zone)"),
            "point": self.tr("Overlap (feature in zone)"),
        }[kind]

    def clear_parts(self) -> None:
        """Remove the overlap layers (Esc, a new check, a new project)."""
        for name, _style in PART_LAYERS.values():
            if self.canvas.layer_by_name(name) is not None:
                self.canvas.remove_layer(name)

    def part_layer(self, kind: str = "line") -> MapLayer | None:
        return self.canvas.layer_by_name(PART_LAYERS[kind][0])


def install(window: Any) -> OverlapController:
    """Add the protected-area check to ``window`` (Analysis menu, dock, map sync)."""
    return OverlapController(window)
