"""Longitudinal profile (纵断面图) of a flow path, drawn with matplotlib in a dock.

An extension module (``install(window) -> ProfileController``). A profile comes from
:func:`network.trace.longitudinal_profile`: from a start down to its nearest sink (the Trace
dock's "Longitudinal profile" button) or between two manholes clicked with the Profile tool.
The figure shows pipe inverts at both ends, pipe crowns from the diameter, the ground line,
manhole shafts with their ids and the chainage; figure text is Chinese (the drawing goes into
reports), in a CJK font. Export to PNG or PDF.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gisapp.cartography.flowmap import cjk_font
from gisapp.qt.canvas_overlays import PROFILE_PATH_COLOR
from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import MapToolHub, feature_ids, features_at, show_dock
from gisapp.qt.map_canvas import CanvasMode, HighlightStyle
from network import schema
from network.errors import NetworkError
from network.trace import ProfileResult, longitudinal_profile

log = logging.getLogger(__name__)

# figure text (Chinese: the drawing goes into reports, like the exported tables)
LABELS_ZH = {
    "title": "纵断面图",
    "chainage": "里程 (m)",
    "elevation": "高程 (m)",
    "ground": "地面线",
    "invert": "管内底",
    "crown": "管顶",
    "manhole": "检查井",
    "length": "长度",
}
MAX_LABELLED_MANHOLES = 80  # more manholes than this: label every k-th
PICK_TOLERANCE_PX = 8.0
PATH_STYLE = HighlightStyle(color=PROFILE_PATH_COLOR, width=6.0, size=12.0, halo="#ffffff")
PICK_STYLE = HighlightStyle(color="#ff3030", width=4.0, size=20.0, halo="#ffffff")
PATH_GROUP, PICK_GROUP = "profile", "profile_pick"


def _finite(v: Any) -> bool:
    return v is not None and isinstance(v, int | float) and math.isfinite(v)


def draw_profile(fig: Figure, profile: ProfileResult, font_family: str | None = None) -> dict:
    """Draw ``profile`` on ``fig`` (cleared first). Returns what was drawn: ``manholes``
    (node ids, in chainage order), ``pipes`` (drawn pipe parts), ``ground_points``."""
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    fk: dict[str, Any] = {"fontfamily": font_family} if font_family else {}
    nodes = profile.nodes
    inv_y, n_pipes, bottom_at = _draw_pipes(ax, profile.rows, fk)
    gx = [n["chainage_m"] for n in nodes if _finite(n["ground_m"])]
    gy = [n["ground_m"] for n in nodes if _finite(n["ground_m"])]
    ax.plot(gx, gy, color="#2f7d32", linewidth=1.6, marker="", zorder=4, label=LABELS_ZH["ground"])
    finite_y = [v for v in (*gy, *(y for y in inv_y if _finite(y))) if _finite(v)]
    top = max(finite_y) if finite_y else 1.0
    low = min(finite_y) if finite_y else 0.0
    span = max(top - low, 1.0)
    _draw_manholes(ax, nodes, bottom_at, low, top, fk)
    ids = [n["node_id"] for n in nodes]
    ax.set_ylim(low - 0.08 * span, top + 0.32 * span)
    length = nodes[-1]["chainage_m"] if nodes else 0.0
    ax.set_xlim(-0.01 * max(length, 1.0), length * 1.01 + 1e-9)
    ax.set_xlabel(LABELS_ZH["chainage"], **fk)
    ax.set_ylabel(LABELS_ZH["elevation"], **fk)
    start, end = (ids[0], ids[-1]) if ids else ("", "")
    ax.set_title(
        f"{LABELS_ZH['title']}  {start} → {end}    {LABELS_ZH['length']} {length:,.1f} m",
        fontsize=10,
        **fk,
    )
    ax.grid(True, color="#dddddd", linewidth=0.6, zorder=0)
    legend_font = FontProperties(family=font_family, size=7) if font_family else None
    ax.legend(prop=legend_font or {"size": 7}, loc="lower left", framealpha=0.85)
    return {"manholes": ids, "pipes": n_pipes, "ground_points": len(gx), "axes": ax}


def _draw_pipes(
    ax: Any, rows: list[dict], fk: dict[str, Any]
) -> tuple[list[float], int, dict[int, float]]:
    """Invert and crown lines, the pipe body filled between them and its DN.

    Returns the invert heights drawn, the number of pipes drawn and, per node position, the
    lowest invert there (a pipe without both inverts is not drawn)."""
    inv_x: list[float] = []
    inv_y: list[float] = []
    crown_x: list[float] = []
    crown_y: list[float] = []
    n_pipes = 0
    bottom_at: dict[int, float] = {}  # node position in ``nodes`` -> lowest invert there
    for k, r in enumerate(rows):
        c0, c1 = r["chainage_start_m"], r["chainage_end_m"]
        i0, i1 = r["invert_up_m"], r["invert_down_m"]
        if _finite(i0):
            bottom_at[k] = min(bottom_at.get(k, math.inf), i0)
        if _finite(i1):
            bottom_at[k + 1] = min(bottom_at.get(k + 1, math.inf), i1)
        if not (_finite(i0) and _finite(i1)):
            continue
        n_pipes += 1
        inv_x += [c0, c1, math.nan]
        inv_y += [i0, i1, math.nan]
        dn = r["diameter_mm"]
        if _finite(dn) and dn > 0:
            d = dn / 1000.0
            crown_x += [c0, c1, math.nan]
            crown_y += [i0 + d, i1 + d, math.nan]
            _draw_pipe_body(ax, c0, c1, i0, i1, dn, fk)
    ax.plot(inv_x, inv_y, color="#7a4b1e", linewidth=1.6, zorder=4, label=LABELS_ZH["invert"])
    if crown_x:
        ax.plot(
            crown_x, crown_y, color="#b07a47", linewidth=1.0, zorder=4, label=LABELS_ZH["crown"]
        )
    return inv_y, n_pipes, bottom_at


def _draw_pipe_body(
    ax: Any, c0: float, c1: float, i0: float, i1: float, dn: float, fk: dict[str, Any]
) -> None:
    """The pipe between invert and crown, filled, with its DN above it."""
    d = dn / 1000.0
    ax.fill_between(
        [c0, c1],
        [i0, i1],
        [i0 + d, i1 + d],
        color="#d9b38c",
        alpha=0.55,
        linewidth=0,
        zorder=2,
    )
    if c1 - c0 > 0:
        ax.text(
            (c0 + c1) / 2,
            (i0 + i1) / 2 + d + 0.05,
            f"DN{dn:g}",
            fontsize=6,
            ha="center",
            va="bottom",
            color="#7a4b1e",
            zorder=5,
            clip_on=True,
            **fk,
        )


def _draw_manholes(
    ax: Any,
    nodes: list[dict],
    bottom_at: dict[int, float],
    low: float,
    top: float,
    fk: dict[str, Any],
) -> None:
    """Manhole shafts from the lowest invert to the ground, ids above (every k-th if many)."""
    span = max(top - low, 1.0)
    step = max(1, math.ceil(len(nodes) / MAX_LABELLED_MANHOLES))
    for k, n in enumerate(nodes):
        x = n["chainage_m"]
        g = n["ground_m"]
        b = bottom_at.get(k)
        y0 = b if b is not None and math.isfinite(b) else (g - 1.0 if _finite(g) else low)
        y1 = g if _finite(g) else top
        ax.plot(
            [x, x],
            [y0, y1],
            color="#555555",
            linewidth=2.2,
            solid_capstyle="butt",
            zorder=3,
            label=LABELS_ZH["manhole"] if k == 0 else None,
        )
        if k % step == 0 or k == len(nodes) - 1:
            ax.text(
                x,
                top + 0.04 * span,
                n["node_id"],
                rotation=90,
                fontsize=6.5,
                ha="center",
                va="bottom",
                zorder=6,
                **fk,
            )


class ProfileDock(QDockWidget):
    """The profile figure with an export button."""

    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Longitudinal profile"), parent)
        self.setObjectName("profile_dock")
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 2, 2, 2)
        self.figure = Figure(figsize=(8.0, 3.4), dpi=100, layout="constrained")
        self.figure_canvas = FigureCanvasQTAgg(self.figure)
        self.figure_canvas.setObjectName("profile_canvas")
        self.figure_canvas.setMinimumHeight(220)
        lay.addWidget(self.figure_canvas, 1)
        row = QHBoxLayout()
        self.info_label = QLabel(body, objectName="info_label")
        self.info_label.setWordWrap(True)
        self.export_button = QPushButton(
            self.tr("Export PNG/PDF…"), body, objectName="export_button"
        )
        self.export_button.setEnabled(False)
        row.addWidget(self.info_label, 1)
        row.addWidget(self.export_button)
        lay.addLayout(row)
        self.setWidget(body)
        self.export_button.clicked.connect(self.export_requested)
        self.profile: ProfileResult | None = None
        self.drawn: dict[str, Any] = {}
        self.clear()

    def clear(self) -> None:
        """No profile (a new project): an empty figure and the how-to text."""
        self.profile = None
        self.drawn = {}
        self.figure.clear()
        self.figure_canvas.draw_idle()
        self.export_button.setEnabled(False)
        self.info_label.setText(
            self.tr(
                "Trace downstream and press “Longitudinal profile”, or use the Profile tool and "
                "click two manholes."
            )
        )

    def set_profile(self, profile: ProfileResult) -> None:
        self.profile = profile
        self.drawn = draw_profile(self.figure, profile, cjk_font())
        self.figure_canvas.draw_idle()
        self.export_button.setEnabled(True)
        missing = sum(
            1
            for r in profile.rows
            if not (_finite(r["invert_up_m"]) and _finite(r["invert_down_m"]))
        )
        text = (
            self.tr("%1 manholes, %2 pipes, %3 m.")
            .replace("%1", str(len(profile.nodes)))
            .replace("%2", str(len(profile.rows)))
            .replace("%3", f"{profile.nodes[-1]['chainage_m']:,.1f}" if profile.nodes else "0")
        )
        if missing:
            text += " " + self.tr("%1 pipe(s) without inverts are not drawn.").replace(
                "%1", str(missing)
            )
        adverse = [r["pipe_id"] for r in profile.rows if _finite(r["slope"]) and r["slope"] < 0]
        if adverse:
            text += " " + self.tr("Invert rises along the flow in: %1.").replace(
                "%1", ", ".join(dict.fromkeys(adverse))
            )
        self.info_label.setText(text)

    def export(self, path: str | Path, dpi: int = 200) -> Path:
        """Save the figure; the format follows the suffix (.png or .pdf)."""
        path = Path(path)
        if path.suffix.lower() not in (".png", ".pdf"):
            path = path.with_suffix(".png")
        self.figure.savefig(path, dpi=dpi)
        return path


class ProfileController(QObject):
    """The Profile tool (two manholes), the dock and the path highlight."""

    profile_shown = Signal(object)  # ProfileResult

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.hub = MapToolHub.of(window)
        self._picks: list[str] = []
        self.dock = ProfileDock(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.export_requested.connect(self._on_dock_export_requested)
        self.profile_action = QAction(self.tr("Profile"), window)
        self.profile_action.setObjectName("profile_action")
        tip = self.tr("Click two manholes to draw the longitudinal profile between them")
        self.profile_action.setToolTip(tip)
        self.profile_action.setStatusTip(tip)
        self.hub.add_tool(self.profile_action, CanvasMode.MEASURE)
        self.profile_action.toggled.connect(self._on_profile_action_toggled)
        window.map_toolbar.addAction(self.profile_action)
        window.analysis_menu.addAction(self.profile_action)
        window.view_menu.addAction(self.dock.toggleViewAction())
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.hub.escape_pressed.connect(self.clear_map)
        window.project_opened.connect(self._on_window_project_opened)

    def _network(self) -> Any:
        state = getattr(self.window.network_ctl, "state", None)
        return state.network if state is not None else None

    def _on_profile_action_toggled(self, on: bool) -> None:
        self._picks = []
        self.canvas.clear_highlight(PICK_GROUP)
        if on:
            self.window.statusBar().showMessage(self.tr("Profile: click the first manhole"))

    def _on_canvas_clicked(self, x: float, y: float, _modifiers: Any) -> None:
        if self.hub.active_tool() is not self.profile_action:
            return
        layer = self.canvas.layer(schema.MANHOLES)
        if layer is None:
            return
        pos = features_at(layer, x, y, self.canvas.pixels_to_map_units(PICK_TOLERANCE_PX))
        ids = [i for i in feature_ids(layer)[pos] if i] if len(pos) else []
        if not ids:
            self.window.statusBar().showMessage(self.tr("Profile: click on a manhole"), 4000)
            return
        self._picks = [*self._picks[-1:], ids[0]] if len(self._picks) < 2 else [ids[0]]
        self.canvas.set_highlight(schema.MANHOLES, self._picks, PICK_STYLE, group=PICK_GROUP)
        if len(self._picks) == 1:
            self.window.statusBar().showMessage(
                self.tr("Profile: %1 picked; click the second manhole").replace(
                    "%1", self._picks[0]
                )
            )
        else:
            self.show_profile("node:" + self._picks[0], "node:" + self._picks[1])
            self._picks = []

    def show_profile(self, a: str, b: str | None = None) -> ProfileResult | None:
        """Profile from ``a`` down to its nearest sink, or between ``a`` and ``b``."""
        net = self._network()
        if net is None:
            self.window.statusBar().showMessage(
                self.tr("The network is still being built; try again in a moment."), 5000
            )
            return None
        try:
            profile = longitudinal_profile(net, a, b)
        except NetworkError as exc:
            handle_error(self.window, exc)
            return None
        self.dock.set_profile(profile)
        show_dock(self.window, self.dock, Qt.DockWidgetArea.BottomDockWidgetArea, 300)
        self.canvas.set_highlight(schema.PIPES, profile.path.pipes, PATH_STYLE, group=PATH_GROUP)
        self.profile_shown.emit(profile)
        return profile

    def _on_window_project_opened(self, _project: Any) -> None:
        """The previous project's profile does not belong to the new one."""
        self.clear_map()
        self.dock.clear()

    def clear_map(self) -> None:
        """Esc: forget picks and remove the path highlight (the figure stays)."""
        self._picks = []
        self.canvas.clear_highlight(PICK_GROUP)
        self.canvas.clear_highlight(PATH_GROUP)

    def _on_dock_export_requested(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export profile"),
            "profile.png",
            self.tr("PNG image (*.png);;PDF document (*.pdf)"),
        )
        if path:
            try:
                out = self.dock.export(path)
            except OSError as exc:
                handle_error(self.window, exc)
                return
            self.window.statusBar().showMessage(
                self.tr("Profile saved to %1").replace("%1", str(out)), 5000
            )


def install(window: Any) -> ProfileController:
    return ProfileController(window)
