"""Trace on the map: click a feature, see where its water goes (or where it comes from).

An extension module (``install(window) -> TraceController``). The Trace tool:

- click an enterprise, manhole or pipe: everything downstream is highlighted; the dock lists the
  plants/outfalls reached, the path length, the pipes and the data problems in the area;
- click an outfall or plant: everything upstream is highlighted, the enterprises are listed;
- Ctrl/Shift-click several outfalls (plants, manholes): their common upstream — the
  enterprises whose water can reach all of them.

Rows of the result lists zoom to and flash their feature. Esc clears the results. The traces
are the pure functions of :mod:`network.trace`; they take milliseconds on a park, so they run
on the GUI thread unless the network is big (then ``window.run_job``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction

from gisapp.qt.errors import handle_error
from gisapp.qt.field_labels import value_label
from gisapp.qt.findings_view import kind_label
from gisapp.qt.inspect_tools import (
    MapToolHub,
    feature_ids,
    features_at,
    features_bounds,
    format_value,
    show_dock,
    use_chinese,
)
from gisapp.qt.map_canvas import CanvasMode, HighlightStyle
from gisapp.qt.trace_dock import TraceDock
from gisapp.qt.workers import Cancelled
from network import schema
from network.errors import NetworkError
from network.issues import ERROR, INFO, WARNING
from network.trace import (
    COMMON_UPSTREAM,
    DOWNSTREAM,
    UPSTREAM,
    TraceResult,
    trace_common_upstream,
    trace_downstream,
    trace_upstream,
)

log = logging.getLogger(__name__)

BIG_NETWORK_EDGES = 200_000  # above this, traces run off the GUI thread
MAX_LIST_ROWS = 5_000  # longer lists are cut (the map still shows everything)
MAX_NODE_HIGHLIGHT = 5_000  # more traced manholes than this: only the pipes are highlighted
PICK_TOLERANCE_PX = 7.0
PICK_ORDER = (
    schema.ENTERPRISES,
    schema.OUTFALLS,
    schema.PLANTS,
    schema.MANHOLES,
    schema.PIPES,
)
ID_PREFIX = {
    schema.ENTERPRISES: "enterprise",
    schema.OUTFALLS: "outfall",
    schema.PLANTS: "plant",
    schema.MANHOLES: "node",
    schema.PIPES: "pipe",
}
SINK_LAYER = {"plant": schema.PLANTS, "outfall": schema.OUTFALLS, "dead_end": schema.MANHOLES}
TRACE_STYLES = {
    DOWNSTREAM: HighlightStyle(color="#00c8ff", width=5.0, size=11.0, halo="#00304a"),
    UPSTREAM: HighlightStyle(color="#34d058", width=5.0, size=11.0, halo="#0b3d12"),
    COMMON_UPSTREAM: HighlightStyle(color="#b06cff", width=5.0, size=11.0, halo="#2e1065"),
}
START_STYLE = HighlightStyle(color="#ff3030", width=7.0, size=24.0, halo="#ffffff")
TRACE_GROUP, START_GROUP = "trace", "trace_start"


@dataclass(frozen=True)
class TraceRequest:
    """What to trace: a direction and the start features as (layer kind, id) pairs."""

    direction: str
    starts: tuple[tuple[str, str], ...]

    def network_ids(self) -> list[str]:
        return [f"{ID_PREFIX.get(kind, kind)}:{fid}" for kind, fid in self.starts]


def run_trace(net: Any, request: TraceRequest, findings: Any = ()) -> TraceResult:
    """Run a request on a network (any thread); ``findings`` (the state's ``issue_index``)
    are the check findings the result warns about."""
    ids = request.network_ids()
    if request.direction == DOWNSTREAM:
        return trace_downstream(net, ids[0], findings=findings)
    if request.direction == UPSTREAM:
        return trace_upstream(net, ids[0], findings=findings)
    return trace_common_upstream(net, ids, findings=findings)


def trace_job(net: Any, request: TraceRequest, findings: Any = ()):  # -> Generator[Progress, ...]
    """Progress generator for ``window.run_job`` (big networks)."""
    yield 0.0, QCoreApplication.translate("TraceController", "Tracing")
    return run_trace(net, request, findings)


WARM_NETWORK = (
    "out_csr",
    "out_lists",
    "node_enterprises",
    "node_has_enterprise",
    "node_is_plant",
    "node_is_outfall",
    "node_plants",
    "node_outfalls",
    "plant_nodes",
    "barrier_nodes",
    "reverse_open_csr",
)


def warm_up(net: Any, layers: list[Any]) -> None:
    """Make, off the GUI thread, what the first trace and its highlight would otherwise make
    on the click: the network's walk lists and lookups, and the layers' id→row indexes (a
    second or more at a million pipes). Everything here is computed once and shared."""
    try:
        for name in WARM_NETWORK:
            getattr(net, name, None)
        pe = getattr(net, "pipe_edges", None)
        if pe is not None and hasattr(pe, "one_edge_each"):
            _ = pe.one_edge_each
        for layer in layers:
            layer.feature_ids()
    except Exception:  # a warm-up is only a head start: the click computes what is missing
        log.debug("trace warm-up failed", exc_info=True)


class TraceController(QObject):
    """The Trace tool, its result dock and the map highlights."""

    trace_finished = Signal(object)  # TraceResult
    cleared = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.hub = MapToolHub.of(window)
        self.result: TraceResult | None = None
        self.request: TraceRequest | None = None
        self._pending: TraceRequest | None = None
        self._multi: list[tuple[str, str]] = []
        self._running = False
        self._rows: np.ndarray | None = None  # pipe-layer rows of the shown result
        # the network whose caches a warm-up thread made, held weakly: once another project
        # is opened, the old network and its layers must be free to go
        self._warmed: weakref.ref[Any] | None = None
        self._early_network: Any = None  # the stored network the shown trace ran on

        self.dock = TraceDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.item_activated.connect(self._on_dock_item_activated)
        self.dock.clear_requested.connect(self.clear)
        self.dock.zoom_requested.connect(self.zoom_to_result)
        self.dock.profile_requested.connect(self.show_profile)

        self.trace_action = QAction(self.tr("Trace"), window)
        self.trace_action.setObjectName("trace_action")
        tip = self.tr(
            "Click an enterprise, manhole or pipe: downstream. Click an outfall or plant: "
            "upstream. Ctrl/Shift-click several outfalls: common upstream. Esc clears."
        )
        self.trace_action.setToolTip(tip)
        self.trace_action.setStatusTip(tip)
        self.trace_action.setShortcut("Ctrl+T")
        self.hub.add_tool(self.trace_action, CanvasMode.MEASURE)
        self.trace_action.toggled.connect(self._on_trace_action_toggled)
        window.map_toolbar.addAction(self.trace_action)
        window.analysis_menu.addAction(self.trace_action)
        self.clear_action = QAction(self.tr("Clear trace results"), window)
        self.clear_action.setObjectName("clear_trace_action")
        self.clear_action.triggered.connect(self.clear)
        window.analysis_menu.addAction(self.clear_action)
        window.view_menu.addAction(self.dock.toggleViewAction())

        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.hub.escape_pressed.connect(self.clear)
        window.network_updated.connect(self._on_window_network_updated)
        early = getattr(getattr(window, "network_ctl", None), "early_state", None)
        if early is not None:  # the stored network, before the attributes are read
            early.connect(self._on_window_network_updated)
        window.project_opened.connect(self._on_project_opened)

    # --- tool ---------------------------------------------------------------------------------
    def _on_trace_action_toggled(self, on: bool) -> None:
        if on:
            self._show_dock()
            if self._network() is None:
                self._status(
                    self.tr("The network is being built; clicks are traced when it is ready.")
                )

    def _on_canvas_clicked(self, x: float, y: float, modifiers: Any) -> None:
        if self.hub.active_tool() is not self.trace_action:
            return
        hit = self.pick(x, y)
        if hit is None:
            self._status(
                self.tr(
                    "Nothing to trace here: click an enterprise, manhole, pipe, outfall or plant."
                )
            )
            return
        kind = hit[0]
        mods = int(getattr(modifiers, "value", modifiers) or 0)
        multi = bool(
            mods
            & (Qt.KeyboardModifier.ShiftModifier.value | Qt.KeyboardModifier.ControlModifier.value)
        )
        if multi and kind in (schema.OUTFALLS, schema.PLANTS, schema.MANHOLES):
            if hit in self._multi:
                self._multi.remove(hit)
            else:
                self._multi.append(hit)
            if not self._multi:
                self.clear()
            elif len(self._multi) == 1:
                self.trace(TraceRequest(UPSTREAM, tuple(self._multi)))
            else:
                self.trace(TraceRequest(COMMON_UPSTREAM, tuple(self._multi)))
            return
        if kind in (schema.OUTFALLS, schema.PLANTS):
            self._multi = [hit]
            self.trace(TraceRequest(UPSTREAM, (hit,)))
        else:
            self._multi = [hit] if kind == schema.MANHOLES else []
            self.trace(TraceRequest(DOWNSTREAM, (hit,)))

    def pick(self, x: float, y: float) -> tuple[str, str] | None:
        """The traceable feature under (x, y): (layer kind, id), enterprises first."""
        tol = self.canvas.pixels_to_map_units(PICK_TOLERANCE_PX)
        for kind in PICK_ORDER:
            layer = self.canvas.layer(kind)
            if layer is None or not layer.visible:
                continue
            pos = features_at(layer, x, y, tol)
            ids = feature_ids(layer)
            for p in pos.tolist():
                if ids[p]:
                    return kind, ids[p]
        return None

    # --- public API ---------------------------------------------------------------------------
    def trace_downstream(self, fid: str, kind: str = schema.ENTERPRISES) -> None:
        self.trace(TraceRequest(DOWNSTREAM, ((kind, fid),)))

    def trace_upstream(self, fid: str, kind: str = schema.OUTFALLS) -> None:
        self.trace(TraceRequest(UPSTREAM, ((kind, fid),)))

    def trace_common_upstream(self, starts: list[tuple[str, str]]) -> None:
        self._multi = list(starts)
        self.trace(TraceRequest(COMMON_UPSTREAM, tuple(starts)))

    def trace(self, request: TraceRequest, quiet: bool = False) -> None:
        """Run a trace now (or when the network is ready) and show it; ``quiet``: a failure
        clears the results instead of showing a message (re-tracing after an edit)."""
        net = self._network()
        if net is None:
            self._pending = request
            self._status(self.tr("The network is being built; the trace runs when it is ready."))
            return
        self._pending = None
        self.request = request
        ctl = self.window.network_ctl
        self._early_network = net if getattr(ctl, "state", None) is None else None
        # on the stored network, while the attributes are read (the window's job), the trace
        # runs here: milliseconds on the arrays, and the reading job keeps the progress bar
        if net.n_edges > BIG_NETWORK_EDGES and self._early_network is None:
            if self._running:
                self._pending = request
                return
            self._running = True
            self.window.run_job(
                self.tr("Tracing"),
                trace_job,
                net,
                request,
                self._findings(),
                on_done=lambda res, r=request: self._on_job_done(r, res),
                on_failed=self._on_job_failed,
            )
            return
        try:
            result = run_trace(net, request, self._findings())
        except NetworkError as exc:
            if quiet:
                self.clear()
                return
            self._status(getattr(exc, "message", str(exc)))
            handle_error(self.window, exc)
            return
        self.show_result(request, result)

    def _on_job_done(self, request: TraceRequest, result: TraceResult) -> None:
        self._running = False
        if not self._run_pending():
            self.show_result(request, result)

    def _on_job_failed(self, exc: BaseException) -> None:
        """A big trace failed (the window has shown why) or was cancelled: later traces run."""
        self._running = False
        if not self._run_pending():
            self._status(
                self.tr("Trace cancelled")
                if isinstance(exc, Cancelled)
                else getattr(exc, "message", str(exc))
            )

    def _run_pending(self) -> bool:
        """Run the newest request clicked while a big trace ran; False: there was none."""
        if self._pending is None:
            return False
        pending, self._pending = self._pending, None
        self.trace(pending)
        return True

    def clear(self) -> None:
        """Remove the trace highlights and results (Esc)."""
        self.result = None
        self.request = None
        self._rows = None
        self._pending = None
        self._multi = []
        self.canvas.clear_highlight(TRACE_GROUP)
        self.canvas.clear_highlight(START_GROUP)
        self.dock.clear()
        self.window.statusBar().clearMessage()
        self.cleared.emit()

    def zoom_to_result(self) -> None:
        if self.result is None:
            return
        kinds = [(schema.PIPES, self.result.pipes)]
        if not self.result.pipes:
            kinds = [(k, [f]) for k, f in self.request.starts] if self.request else []
        boxes = []
        for kind, ids in kinds:
            b = self._pipes_bounds() if kind == schema.PIPES else None
            b = b if b is not None else features_bounds(self.canvas, kind, ids)
            if b is not None:
                boxes.append(b)
        if boxes:
            b = np.array(boxes)
            self.canvas.zoom_to_extent(
                b[:, 0].min(),
                b[:, 1].min(),
                b[:, 2].max(),
                b[:, 3].max(),
                margin=0.1,
                min_scale=0.1,
            )

    def reveal_result(self) -> None:
        """Zoom out just enough to show the whole result (the start stays in view)."""
        if self.result is None:
            return
        boxes = [self._pipes_bounds()]
        if boxes[0] is None:
            boxes = [features_bounds(self.canvas, schema.PIPES, self.result.pipes)]
        boxes += [features_bounds(self.canvas, k, [f]) for k, f in self.request.starts]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            return
        b = np.array(boxes)
        rx0, ry0, rx1, ry1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        vx0, vy0, vx1, vy1 = self.canvas.view.extent
        if rx0 >= vx0 and ry0 >= vy0 and rx1 <= vx1 and ry1 <= vy1:
            return
        self.canvas.zoom_to_extent(
            min(rx0, vx0), min(ry0, vy0), max(rx1, vx1), max(ry1, vy1), margin=0.05
        )

    def _show_dock(self) -> None:
        show_dock(self.window, self.dock, Qt.DockWidgetArea.RightDockWidgetArea, 430)

    def show_profile(self) -> None:
        """Longitudinal profile of the first path of a downstream trace (profile dock)."""
        ctl = self.window.extensions.get("gisapp.qt.profile_dock")
        if ctl is None or self.request is None or self.request.direction != DOWNSTREAM:
            return
        ctl.show_profile(self.request.network_ids()[0])

    # --- showing ------------------------------------------------------------------------------
    def show_result(self, request: TraceRequest, result: TraceResult) -> None:
        self.request = request
        self.result = result
        style = TRACE_STYLES[result.direction]
        node_style = HighlightStyle(color=style.color, width=3.0, size=2.0, halo=None)
        rows = self._pipe_rows(result)
        self._rows = rows
        if rows is not None:  # edge → piece → row: no ids go back and forth
            self.canvas.set_highlight_rows(schema.PIPES, rows, style, group=TRACE_GROUP)
        else:
            self.canvas.set_highlight(schema.PIPES, result.pipes, style, group=TRACE_GROUP)
        nodes = result.nodes if len(result.nodes) <= MAX_NODE_HIGHLIGHT else ()
        node_rows = self._node_rows(result) if nodes else None
        if node_rows is not None:  # node → manhole row, as for the pipes
            self.canvas.set_highlight_rows(
                schema.MANHOLES, node_rows, node_style, group=TRACE_GROUP
            )
        elif self.canvas.layer(schema.MANHOLES) is not None:
            self.canvas.set_highlight(schema.MANHOLES, nodes, node_style, group=TRACE_GROUP)
        if self.canvas.layer(schema.ENTERPRISES) is not None:
            ent_style = HighlightStyle(color=style.color, width=3.0, size=16.0, halo=style.halo)
            self.canvas.set_highlight(
                schema.ENTERPRISES, result.enterprises, ent_style, group=TRACE_GROUP
            )
        sink_kinds: dict[str, list[str]] = {}
        for s in result.sinks:
            sink_kinds.setdefault(SINK_LAYER.get(s["kind"], ""), []).append(s["id"])
        for kind in (schema.PLANTS, schema.OUTFALLS):
            if self.canvas.layer(kind) is not None:
                sink_style = HighlightStyle(
                    color=style.color, width=3.0, size=20.0, halo=style.halo
                )
                self.canvas.set_highlight(
                    kind, sink_kinds.get(kind, ()), sink_style, group=TRACE_GROUP
                )
        self.canvas.clear_highlight(START_GROUP)
        starts: dict[str, list[str]] = {}
        for kind, fid in request.starts:
            starts.setdefault(kind, []).append(fid)
        for kind, ids in starts.items():
            if self.canvas.layer(kind) is not None:
                self.canvas.set_highlight(kind, ids, START_STYLE, group=START_GROUP)
        self._fill_dock(request, result)
        self._show_dock()
        self.reveal_result()
        self._status(self.dock.summary_label.text().split("\n")[0])
        self.trace_finished.emit(result)

    def _fill_dock(self, request: TraceRequest, result: TraceResult) -> None:
        self.dock.summary_label.setText(self._summary_text(request, result))
        self._show_warning_banner(result)
        sinks_rows = self._sink_rows(result)
        ent_rows = self._enterprise_rows(result)
        pipe_rows = self._pipe_list_rows(result)
        warn_rows = self._warning_rows(result)
        more = {
            "enterprises": max(0, len(result.enterprises) - MAX_LIST_ROWS),
            "pipes": max(0, len(result.pipes) - MAX_LIST_ROWS),
            "warnings": max(0, len(result.warnings) - MAX_LIST_ROWS),
        }
        self.dock.fill(sinks_rows, ent_rows, pipe_rows, warn_rows, more)
        self.dock.profile_button.setEnabled(
            result.direction == DOWNSTREAM
            and any(s["kind"] in ("plant", "outfall", "dead_end") for s in result.sinks)
            and "gisapp.qt.profile_dock" in getattr(self.window, "extensions", {})
        )
        tab = 1 if result.direction != DOWNSTREAM else 0
        self.dock.tabs.setCurrentIndex(tab)

    def _summary_text(self, request: TraceRequest, result: TraceResult) -> str:
        """What the trace found, in a sentence or two (the dock's summary)."""
        names = ", ".join(fid for _k, fid in request.starts)
        n_pipes, length = len(result.pipes), result.length_m
        if result.direction == DOWNSTREAM:
            reached = [s for s in result.sinks if s["kind"] in ("plant", "outfall")]
            dead = [s for s in result.sinks if s["kind"] == "dead_end"]
            if reached:
                first = min(reached, key=lambda s: s["length_m"])
                where = (
                    self.tr("reaches %1 (%2 m along the shortest path)")
                    .replace(
                        "%1", ", ".join(f"{self._sink_word(s['kind'])} {s['id']}" for s in reached)
                    )
                    .replace("%2", f"{first['length_m']:,.1f}")
                )
            else:
                where = self.tr("reaches no plant or outfall")
            text = self.tr("Downstream of %1: %2.").replace("%1", names).replace("%2", where)
            if dead:
                text += " " + self.tr("%1 dead end(s): %2.").replace("%1", str(len(dead))).replace(
                    "%2", ", ".join(s["id"] for s in dead[:10])
                )
            text += "\n" + self.tr("%1 pipes, %2 m in the traced area.").replace(
                "%1", f"{n_pipes:,}"
            ).replace("%2", f"{length:,.1f}")
        else:
            head = (
                self.tr("Upstream of %1")
                if result.direction == UPSTREAM
                else self.tr("Common upstream of %1")
            )
            text = (
                head.replace("%1", names)
                + ": "
                + self.tr("%1 enterprise(s), %2 pipes, %3 m.")
                .replace("%1", str(len(result.enterprises)))
                .replace("%2", f"{n_pipes:,}")
                .replace("%3", f"{length:,.1f}")
            )
            if result.direction == COMMON_UPSTREAM and not result.enterprises:
                text += " " + self.tr("No enterprise drains to all of them.")
        if result.barriers:
            text += " " + self.tr("Stopped at %1 closed/blocked pipe(s) or manhole(s).").replace(
                "%1", str(len(result.barriers))
            )
        return text

    def _show_warning_banner(self, result: TraceResult) -> None:
        if result.warnings:
            n_err = sum(1 for w in result.warnings if w.severity == ERROR)
            self.dock.warning_label.setText(
                self.tr(
                    "%1 data problem(s) in the traced area (%2 errors): the result is not "
                    "trustworthy there. See the Warnings tab."
                )
                .replace("%1", str(len(result.warnings)))
                .replace("%2", str(n_err))
            )
            self.dock.warning_label.show()
        else:
            self.dock.warning_label.hide()

    def _sink_rows(self, result: TraceResult) -> list:
        sinks_rows = []
        for s in result.sinks:
            layer_kind = SINK_LAYER.get(s["kind"], schema.MANHOLES)
            name = self._attr(layer_kind, s["id"], "name")
            dist = s.get("length_m")
            sinks_rows.append(
                (
                    [
                        self._sink_word(s["kind"]),
                        s["id"],
                        "" if dist is None else f"{dist:,.1f}",
                        s.get("node", ""),
                        name,
                    ],
                    [None, None, dist, None, None],
                    self._payload(layer_kind, [s["id"]], s.get("node")),
                    None,
                )
            )
        return sinks_rows

    def _enterprise_rows(self, result: TraceResult) -> list:
        ent_rows = []
        ids = list(result.enterprises[:MAX_LIST_ROWS])
        rows = self._first_rows(schema.ENTERPRISES, ids)
        flows = self._nums(schema.ENTERPRISES, rows, "flow_tpd")
        cods = self._nums(schema.ENTERPRISES, rows, "cod_mgl")
        names = self._attrs(schema.ENTERPRISES, rows, "name")
        nodes = self._attrs(schema.ENTERPRISES, rows, "connect_node")
        for eid, flow, cod, name, node in zip(ids, flows, cods, names, nodes, strict=True):
            ent_rows.append(
                (
                    [
                        eid,
                        name,
                        format_value(flow),
                        format_value(cod),
                        node,
                    ],
                    [None, None, flow, cod, None],
                    ("feature", schema.ENTERPRISES, [eid]),
                    None,
                )
            )
        return ent_rows

    def _pipe_list_rows(self, result: TraceResult) -> list:
        pipe_rows = []
        zh = use_chinese(self.window)
        listed = result.pipes[:MAX_LIST_ROWS]
        ids = list(listed)
        info = self._pipe_info(ids, self._listed_pipe_rows(listed))
        for pid in ids:
            length_m, dn, system, a, b = info.get(pid, (None, None, "", "", ""))
            pipe_rows.append(
                (
                    [
                        pid,
                        format_value(None if length_m is None else round(length_m, 2)),
                        format_value(dn),
                        value_label(schema.SYSTEM, system or "", zh),
                        a or "",
                        b or "",
                    ],
                    [None, length_m, dn, None, None, None],
                    ("feature", schema.PIPES, [pid]),
                    None,
                )
            )
        return pipe_rows

    def _warning_rows(self, result: TraceResult) -> list:
        zh = use_chinese(self.window)
        warn_rows = []
        for w in result.warnings[:MAX_LIST_ROWS]:
            msg = w.message_zh if zh and w.message_zh else (w.message_en or w.message_zh)
            colour = "#b42318" if w.severity == ERROR else "#9a6700"
            payload: Any
            if w.feature_ids and self.canvas.layer(w.layer) is not None:
                payload = ("feature", w.layer, list(w.feature_ids), w.x, w.y)
            elif w.x is not None and w.y is not None:
                payload = ("point", w.x, w.y)
            else:
                payload = None
            warn_rows.append(
                (
                    [
                        self._severity_word(w.severity),
                        kind_label(w.kind, zh),
                        ", ".join(w.feature_ids[:4]),
                        msg,
                    ],
                    [None] * 4,
                    payload,
                    colour,
                )
            )
        return warn_rows

    def _severity_word(self, severity: str) -> str:
        return {
            ERROR: self.tr("error"),
            WARNING: self.tr("warning"),
            INFO: self.tr("info"),
        }.get(severity, severity)

    def _sink_word(self, kind: str) -> str:
        return {
            "plant": self.tr("Plant"),
            "outfall": self.tr("Outfall"),
            "dead_end": self.tr("Dead end"),
        }.get(kind, kind)

    def _payload(self, layer_kind: str, ids: list[str], node: str | None) -> tuple:
        if features_bounds(self.canvas, layer_kind, ids) is not None:
            return ("feature", layer_kind, ids)
        net = self._network()
        if net is not None and node is not None and node in net.node_index:
            x, y = net.node_xy_of(net.node_index[node])
            return ("point", x, y)
        return ("feature", layer_kind, ids)

    def _row_state(self, kind: str) -> tuple[Any, Any]:
        """``(state, layer)``: the network whose row maps (piece → pipe row, node → manhole
        row) refer to the rows of layer ``kind`` on the map, and that layer; state None when
        there is none (the ids are used then). It is the current network when built from
        the map's frame; while the attributes are read, the network stored in the file the
        map was read from (its rows, in the file's order, are the map's)."""
        ctl = self.window.network_ctl
        layer = self.canvas.layer(kind)
        if layer is None:
            return None, None
        state = ctl.current_state() if hasattr(ctl, "current_state") else None
        if state is not None:
            return (state if state.built_from(kind, layer.data) else None), layer
        pre = ctl.preloaded_state() if hasattr(ctl, "preloaded_state") else None
        if (
            pre is not None
            and getattr(ctl, "state", None) is None
            and getattr(layer, "geometry_read_apart", False)
            and layer.read_from is not None
            and layer.read_from == ctl.preloaded_path()
        ):
            return pre, layer
        return None, layer

    def _pipe_rows(self, result: TraceResult) -> np.ndarray | None:
        """Rows of the pipe layer of the traced edges, when the network's rows are the
        map's (:meth:`_row_state`; else None: the ids are used)."""
        state, layer = self._row_state(schema.PIPES)
        edges = np.asarray(getattr(result, "edges", ()), dtype=np.int64)
        if state is None or (len(edges) == 0 and result.pipes):
            return None
        net = state.network
        rows = np.asarray(net.piece_row, dtype=np.int64)[np.asarray(net.edge_piece)[edges]]
        n = len(layer.data)
        mask = np.zeros(n, dtype=bool)
        mask[rows[(rows >= 0) & (rows < n)]] = True
        return np.flatnonzero(mask)

    def _node_rows(self, result: TraceResult) -> np.ndarray | None:
        """Rows of the manhole layer of the traced nodes, when the result holds node
        positions and the network's rows are the map's (:meth:`_row_state`; else None)."""
        pos = getattr(result.nodes, "positions", None)
        state, layer = self._row_state(schema.MANHOLES)
        if pos is None or state is None:
            return None
        rows = np.asarray(state.network.node_manhole_row, dtype=np.int64)[pos]
        return np.unique(rows[(rows >= 0) & (rows < len(layer.data))])

    def _value(self, kind: str, fid: str, column: str) -> Any:
        """The value of ``column`` for feature ``fid`` (its first row), via the layer's
        id→row index: one look-up, no scan of the layer."""
        layer = self.canvas.layer(kind)
        if layer is None or column not in layer.data.columns:
            return None
        row = layer.id_index().first_row(fid)
        return None if row is None else layer.data[column].iat[row]

    def _first_rows(self, kind: str, ids: list[str]) -> list[int | None]:
        """The first row of each of ``ids`` in layer ``kind`` (None: not there), in one
        look-up for all of them (a trace lists thousands)."""
        layer = self.canvas.layer(kind)
        if layer is None or not ids:
            return [None] * len(ids)
        index = layer.id_index()
        codes = index.uniques.get_indexer([str(i) for i in ids])
        ok = codes >= 0
        first = np.full(len(ids), -1, dtype=np.int64)
        # rows are sorted by code, stably: a code's first slot is its first row
        first[ok] = index.order[index.start[codes[ok]]]
        return [None if r < 0 else r for r in first.tolist()]

    def _column_at(self, kind: str, rows: list[int | None], column: str) -> list:
        """Values of ``column`` at ``rows`` (None where the row or the column is missing)."""
        layer = self.canvas.layer(kind)
        if layer is None or column not in layer.data.columns:
            return [None] * len(rows)
        take = [r for r in rows if r is not None]
        values = iter(layer.data[column].iloc[take].tolist()) if take else iter(())
        return [None if r is None else next(values) for r in rows]

    def _attrs(self, kind: str, rows: list[int | None], column: str) -> list[str]:
        return ["" if v is None else format_value(v) for v in self._column_at(kind, rows, column)]

    def _nums(self, kind: str, rows: list[int | None], column: str) -> list[float | None]:
        out: list[float | None] = []
        for v in self._column_at(kind, rows, column):
            try:
                f = float(v)
            except (TypeError, ValueError):
                out.append(None)
                continue
            out.append(None if np.isnan(f) else f)
        return out

    def _attr(self, kind: str, fid: str, column: str) -> str:
        value = self._value(kind, fid, column)
        return "" if value is None else format_value(value)

    def _num(self, kind: str, fid: str, column: str) -> float | None:
        try:
            v = float(self._value(kind, fid, column))
        except (TypeError, ValueError):
            return None
        return None if np.isnan(v) else v

    def _listed_pipe_rows(self, listed: Any) -> np.ndarray | None:
        """Rows of the pipe layer of the pipes *listed* (a slice of a result's pipes), from
        the network (pipe → edges → pieces → rows) when it was built from the frame on the
        map and the result holds pipe positions; else None."""
        pos = getattr(listed, "positions", None)
        state, layer = self._row_state(schema.PIPES)
        if pos is None or state is None:
            return None
        net = state.network
        pe = net.pipe_edges
        if getattr(pe, "one_edge_each", False):
            edges = pos
        else:
            parts = [pe.edges_of(k) for k in pos.tolist()]
            edges = np.asarray([e for p in parts for e in p], dtype=np.int64)
        rows = np.asarray(net.piece_row, dtype=np.int64)[np.asarray(net.edge_piece)[edges]]
        return np.unique(rows[(rows >= 0) & (rows < len(layer.data))])

    def _pipe_info(self, ids: list[str], rows: np.ndarray | None = None) -> dict[str, tuple]:
        """``(length_m, diameter, system, from, to)`` of each of ``ids`` from the pipe layer's
        rows (lengths of a pipe's rows added up), reading only those rows: a trace lists at
        most :data:`MAX_LIST_ROWS` pipes of a layer of a million."""
        layer = self.canvas.layer(schema.PIPES)
        if layer is None or not ids:
            return {}
        # every row of these ids, by one hashed pass over the layer's ids (no id index)
        fids = layer.feature_ids()
        if rows is None:
            rows = np.flatnonzero(
                pd.Index(list(dict.fromkeys(ids)), dtype=object).get_indexer(fids) >= 0
            )
        if not len(rows):
            return {}
        d = layer.data

        def col(name: str) -> list:
            return d[name].iloc[rows].tolist() if name in d.columns else [None] * len(rows)

        if "length_m" in d.columns:
            lengths = col("length_m")
        elif getattr(layer, "geometry_read_apart", False):  # the map's arrays, not shapely
            lengths = layer.prepared_geometry().lengths(rows).tolist()
        else:
            lengths = d.geometry.iloc[rows].length.tolist()
        info: dict[str, tuple] = {}
        for pid, length_m, dn, system, a, b in zip(
            fids[rows].tolist(),
            lengths,
            col("diameter_mm"),
            col("system"),
            col("from_node"),
            col("to_node"),
            strict=True,
        ):
            old = info.get(pid)
            if old is not None:  # a multipart pipe: add up the parts
                length_m = (old[0] or 0.0) + (length_m or 0.0)
            info[pid] = (length_m, dn, system, a, b)
        return info

    def _pipes_bounds(self) -> tuple[float, float, float, float] | None:
        """Bounds of the traced pipes from the map's prepared per-feature boxes (None: the
        result's rows are unknown, or none is on the map)."""
        rows = getattr(self, "_rows", None)
        layer = self.canvas.layer(schema.PIPES)
        if rows is None or layer is None or not len(rows):
            return None
        geom = layer.prepared_geometry()
        b = getattr(geom, "bounds", None)
        if b is None or len(b) != len(layer.data) or rows.max() >= len(b):
            return None
        sub = b[rows]
        ok = np.isfinite(sub).all(axis=1)
        if not ok.any():
            return None
        sub = sub[ok]
        return (
            float(sub[:, 0].min()),
            float(sub[:, 1].min()),
            float(sub[:, 2].max()),
            float(sub[:, 3].max()),
        )

    def _on_dock_item_activated(self, payload: tuple) -> None:
        if payload[0] == "feature":
            kind, ids = payload[1], payload[2]
            if features_bounds(self.canvas, kind, ids) is not None:
                layer = self.canvas.layer(kind)
                min_scale = 0.5 if layer is not None and layer.geometry == "point" else 0.1
                self.canvas.zoom_to_features(kind, ids, min_scale=min_scale)
                self.canvas.flash(kind, ids)
                return
            if len(payload) >= 5 and payload[3] is not None:
                payload = ("point", payload[3], payload[4])
            else:
                return
        if payload[0] == "point":
            x, y = float(payload[1]), float(payload[2])
            d = 60.0
            self.canvas.zoom_to_extent(x - d, y - d, x + d, y + d, margin=0.0)

    # --- network ------------------------------------------------------------------------------
    def _state(self) -> Any:
        """The window's network; while a project's attributes are still being read, the
        network stored in it (read first: a click traces before the attributes arrive)."""
        ctl = self.window.network_ctl
        state = getattr(ctl, "state", None)
        if state is None and hasattr(ctl, "preloaded_state"):
            state = ctl.preloaded_state()
        return state

    def _network(self) -> Any:
        state = self._state()
        return state.network if state is not None else None

    def _findings(self) -> Any:
        """The check findings of the shown network, indexed for traces."""
        state = self._state()
        return state.issue_index if state is not None else ()

    def _on_project_opened(self, _project: Any) -> None:
        """A new project clears the results; the attributes of the project whose stored
        network was traced arriving keep the trace (it is traced again on that network)."""
        early = self.request is not None and self._early_network is not None
        request = self.request
        self.clear()
        if early and self._early_network is self._network_after_open():
            self._pending = request

    def _network_after_open(self) -> Any:
        pre = getattr(self.window.network_ctl, "preloaded_state", None)
        state = pre() if pre is not None else None
        return state.network if state is not None else None

    def _on_window_network_updated(self, _state: Any) -> None:
        net = self._network()
        warmed = self._warmed() if self._warmed is not None else None
        if net is not None and net.n_edges > BIG_NETWORK_EDGES and net is not warmed:
            self._warmed = weakref.ref(net)
            layers = [self.canvas.layer(k) for k in (schema.PIPES, schema.MANHOLES)]
            layers += [self.canvas.layer(schema.ENTERPRISES)]
            threading.Thread(
                target=warm_up,
                args=(net, [lay for lay in layers if lay is not None]),
                name="trace-warm-up",
                daemon=True,
            ).start()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.trace(pending)
        elif self.request is not None:  # keep the shown result in step with edits
            self.trace(self.request, quiet=True)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)


def install(window: Any) -> TraceController:
    return TraceController(window)
