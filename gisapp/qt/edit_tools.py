"""Draw and edit the network on the map (extension: ``install(window) -> EditController``).

Tools (Edit menu and map toolbar): draw pipe, draw manhole, move vertex; actions on the
selection: delete, reverse flow direction, split pipe at manhole, edit attributes.

Drawing a pipe: click the vertices; double-click or Enter ends, Backspace removes the last
vertex, Esc cancels. Every click snaps to the nearest manhole, else pipe end, within
``SNAP_PX`` screen pixels (a magenta ring shows the target before you click). The first and
last vertices' manholes become ``from_node``/``to_node`` (digitised order = flow direction).
With *New manholes at free ends* checked, an end that snapped to nothing gets a new manhole.

Every edit is a pure command from :mod:`network.commands` pushed with
:func:`gisapp.qt.undo.push` on ``window.undo_stack``; layers change through
``window.update_layer`` (the map redraws, the network and checks rebuild by themselves).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent
from PySide6.QtWidgets import QMenu, QToolBar

from gisapp.qt.errors import handle_error
from gisapp.qt.inspect_tools import MapToolHub
from gisapp.qt.map_canvas import CanvasMode, HighlightStyle
from gisapp.qt.undo import WindowStore, push
from network import schema as S
from network.commands import (
    AddManhole,
    AddPipe,
    DeleteFeatures,
    Macro,
    MoveVertex,
    ReversePipe,
    SnapEnd,
    SnapIndex,
    SnapTarget,
    SplitPipeAtManhole,
    feature_row,
    new_node_id,
)
from network.errors import NetworkError
from network.graph import crs_unit_m

log = logging.getLogger(__name__)

SNAP_PX = 10.0  # snapping radius in screen pixels
VERTEX_PX = 8.0  # how near a vertex must be to grab it
SPLIT_DISTANCE_M = 1.0  # a manhole this near a pipe splits it
SNAP_STYLE = HighlightStyle(color="#ff00ff", width=3.0, size=18.0, halo="#ffffff")
DRAW_STYLE = HighlightStyle(color="#e01b24", width=2.5, size=7.0, fill_alpha=0.0, halo=None)
AUTO = "auto"
EDITABLE_KINDS = (S.PIPES, S.MANHOLES, S.OUTFALLS, S.ENTERPRISES, S.PLANTS)


class EditController(QObject):
    """The edit tools of one window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("edit_controller")
        self.window = window
        self.canvas = window.canvas
        self.hub = MapToolHub.of(window)
        self.store = WindowStore(window)
        self.vertices: list[tuple[float, float]] = []
        self.targets: list[SnapTarget | None] = []
        self.snap_target: SnapTarget | None = None
        self._snap_cache: tuple[int, int, SnapIndex] | None = None
        self._grab: dict[str, Any] | None = None
        self._build_actions()
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.double_clicked.connect(self._on_canvas_double_clicked)
        self.canvas.mouse_moved.connect(self._on_canvas_mouse_moved)
        self.canvas.mouse_pressed.connect(self._on_canvas_mouse_pressed)
        self.canvas.mouse_dragged.connect(self._on_canvas_mouse_dragged)
        self.canvas.mouse_released.connect(self._on_canvas_mouse_released)
        self.canvas.mode_changed.connect(self._on_canvas_mode_changed)
        self.canvas.installEventFilter(self)
        self.hub.escape_pressed.connect(self.cancel)
        self.hub.selection_changed.connect(self._update_actions)
        window.project_opened.connect(lambda _p: self.cancel())
        self._update_actions()

    # --- building -----------------------------------------------------------------------------
    def _action(self, text: str, name: str, tip: str, slot=None, shortcut: str = "") -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        if shortcut:
            act.setShortcut(shortcut)
        if slot is not None:
            act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        menu, tb = self.window.edit_menu, self.window.map_toolbar
        menu.addSeparator()
        self._build_tools(menu, tb)
        self._build_selection_actions(menu, tb)
        self._build_new_pipe_options(menu)

    def _build_tools(self, menu: QMenu, tb: QToolBar) -> None:
        """The map tools (draw pipe, draw manhole, move vertex), checkable, one at a time."""
        self.draw_pipe_action = self._action(
            self.tr("Draw pipe"),
            "draw_pipe_action",
            self.tr(
                "Click vertices; ends snap to manholes and pipe ends; double-click or "
                "Enter finishes, Esc cancels"
            ),
            shortcut="Ctrl+Shift+P",
        )
        self.draw_manhole_action = self._action(
            self.tr("Draw manhole"),
            "draw_manhole_action",
            self.tr("Click to place a manhole"),
            shortcut="Ctrl+Shift+M",
        )
        self.move_vertex_action = self._action(
            self.tr("Move vertex"),
            "move_vertex_action",
            self.tr("Drag a pipe vertex or a manhole; pipe ends follow their manhole"),
        )
        tb.addSeparator()
        for act, mode in (
            (self.draw_pipe_action, CanvasMode.DRAW),
            (self.draw_manhole_action, CanvasMode.DRAW),
            (self.move_vertex_action, CanvasMode.EDIT),
        ):
            self.hub.add_tool(act, mode)
            act.toggled.connect(self._on_tool_toggled)
            menu.addAction(act)
            tb.addAction(act)

    def _build_selection_actions(self, menu: QMenu, tb: QToolBar) -> None:
        """What can be done to the selection: delete, reverse, split, edit attributes."""
        self.delete_action = self._action(
            self.tr("Delete selected"),
            "delete_selected_action",
            self.tr("Delete the selected features"),
            self.delete_selected,
            "Del",
        )
        self.reverse_action = self._action(
            self.tr("Reverse flow direction"),
            "reverse_flow_action",
            self.tr("Turn the selected pipes round: line, from/to manholes and inverts"),
            self.reverse_selected,
        )
        self.split_action = self._action(
            self.tr("Split pipe at manhole"),
            "split_pipe_action",
            self.tr("Split the pipes running through the selected manholes"),
            self.split_selected,
        )
        self.attributes_action = self._action(
            self.tr("Edit attributes…"),
            "edit_attributes_action",
            self.tr("Edit the attributes of the selected feature"),
            self.edit_attributes,
            "Ctrl+E",
        )
        for act in (
            self.delete_action,
            self.reverse_action,
            self.split_action,
            self.attributes_action,
        ):
            menu.addAction(act)
        tb.addAction(self.attributes_action)

    def _build_new_pipe_options(self, menu: QMenu) -> None:
        """The option "new manholes at free pipe ends" and the system a new pipe gets."""
        self.new_manholes_action = QAction(self.tr("New manholes at free pipe ends"), self.window)
        self.new_manholes_action.setObjectName("new_manholes_action")
        self.new_manholes_action.setCheckable(True)
        menu.addAction(self.new_manholes_action)
        self.system_menu = menu.addMenu(self.tr("System of new pipes"))
        self.system_menu.setObjectName("new_pipe_system_menu")
        self.system_group = QActionGroup(self)
        labels = {
            AUTO: self.tr("As the manhole it starts at"),
            S.SEWAGE: self.tr("Sewage"),
            S.RAIN: self.tr("Rain"),
            S.COMBINED: self.tr("Combined"),
            S.INDUSTRIAL: self.tr("Industrial wastewater"),
        }
        for code, text in labels.items():
            act = self.system_menu.addAction(text)
            act.setCheckable(True)
            act.setData(code)
            act.setChecked(code == AUTO)
            self.system_group.addAction(act)

    # --- state --------------------------------------------------------------------------------
    @property
    def new_pipe_system(self) -> str:
        act = self.system_group.checkedAction()
        return act.data() if act is not None else AUTO

    def set_new_pipe_system(self, code: str) -> None:
        for act in self.system_group.actions():
            act.setChecked(act.data() == code)

    def _update_actions(self, *_args: Any) -> None:
        sel = self.hub.selection()
        has_project = self.window.project is not None
        self.delete_action.setEnabled(has_project and any(k in EDITABLE_KINDS for k in sel))
        self.reverse_action.setEnabled(has_project and S.PIPES in sel)
        self.split_action.setEnabled(has_project and S.MANHOLES in sel)
        n = sum(len(v) for v in sel.values())
        self.attributes_action.setEnabled(has_project and n == 1)

    def _layer(self, kind: str):
        p = self.window.project
        return p.layers.get(kind) if p is not None else None

    def _field_map(self, kind: str) -> dict[str, str | None] | None:
        p = self.window.project
        maps = p.mapping.get(kind) if p is not None else None
        return dict(maps[0]) if maps else None

    def _push(self, command: Any) -> bool:
        try:
            push(self.window, command)
        except Exception as exc:  # noqa: BLE001 - GUI boundary
            handle_error(self.window, exc)
            return False
        return True

    # --- snapping -----------------------------------------------------------------------------
    def snap_index(self) -> SnapIndex:
        pipes, mh = self._layer(S.PIPES), self._layer(S.MANHOLES)
        key = (id(pipes), id(mh))
        if self._snap_cache is None or self._snap_cache[:2] != key:
            self._snap_cache = (*key, SnapIndex(pipes, mh))
        return self._snap_cache[2]

    def snap(self, x: float, y: float) -> SnapTarget | None:
        return self.snap_index().snap(x, y, self.canvas.pixels_to_map_units(SNAP_PX))

    def _show_snap(self, target: SnapTarget | None) -> None:
        if target == self.snap_target:
            return
        self.snap_target = target
        self.canvas.clear_highlight("snap")
        if target is None:
            return
        kind = S.MANHOLES if target.kind == "manhole" else S.PIPES
        if self.canvas.layer(kind) is not None:
            self.canvas.set_highlight(kind, [target.feature_id], SNAP_STYLE, group="snap")

    # --- tools --------------------------------------------------------------------------------
    def _on_tool_toggled(self, on: bool) -> None:
        if not on:
            self.cancel()

    def _on_canvas_mode_changed(self, _mode: str) -> None:
        if not (self.draw_pipe_action.isChecked() or self.move_vertex_action.isChecked()):
            self._reset()

    def _reset(self) -> None:
        self.vertices, self.targets, self._grab = [], [], None
        self.canvas.clear_rubber_band()
        self._show_snap(None)

    def cancel(self) -> None:
        """Esc: drop the pipe being drawn (or the vertex being dragged)."""
        if self.vertices or self._grab is not None or self.snap_target is not None:
            self._reset()

    def _on_canvas_clicked(self, x: float, y: float, _mods: Any) -> None:
        if self.window.project is None:
            return
        if self.draw_pipe_action.isChecked():
            self.add_vertex(x, y)
        elif self.draw_manhole_action.isChecked():
            self.add_manhole(x, y)

    def _on_canvas_double_clicked(self, _x: float, _y: float) -> None:
        if self.draw_pipe_action.isChecked() and self.vertices:
            self.finish_pipe()

    def _on_canvas_mouse_moved(self, x: float, y: float) -> None:
        drawing = self.draw_pipe_action.isChecked() or self.draw_manhole_action.isChecked()
        if self.window.project is None or not (drawing or self.move_vertex_action.isChecked()):
            return
        if self._grab is not None:
            return
        target = self.snap(x, y) if drawing else None
        self._show_snap(target)
        if self.draw_pipe_action.isChecked() and self.vertices:
            fx, fy = (target.x, target.y) if target else (x, y)
            self.canvas.set_rubber_band([*self.vertices, (fx, fy)], style=DRAW_STYLE)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.canvas and event.type() == QEvent.Type.KeyPress and self.vertices:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.finish_pipe()
                return True
            if key == Qt.Key.Key_Backspace:
                self.vertices.pop()
                self.targets.pop()
                self.canvas.set_rubber_band(self.vertices, style=DRAW_STYLE)
                return True
        return super().eventFilter(obj, event)

    # draw pipe
    def add_vertex(self, x: float, y: float) -> tuple[float, float]:
        """Add a vertex of the pipe being drawn (snapped); returns where it went."""
        target = self.snap(x, y)
        xy = (target.x, target.y) if target else (float(x), float(y))
        if self.vertices and math.dist(self.vertices[-1], xy) == 0:
            return xy  # the second click of a double-click
        self.vertices.append(xy)
        self.targets.append(target)
        self.canvas.set_rubber_band(self.vertices, style=DRAW_STYLE)
        return xy

    def finish_pipe(self) -> bool:
        """End the pipe being drawn: push Add pipe (and new manholes) as one undo step."""
        verts, targets = list(self.vertices), list(self.targets)
        self._reset()
        if len(verts) < 2:
            self.window.statusBar().showMessage(self.tr("A pipe needs two points."), 4000)
            return False
        start, end = targets[0], targets[-1]
        system = self.new_pipe_system
        if system == AUTO:
            system = self._system_at(start) or self._system_at(end) or S.SEWAGE
        commands: list[Any] = []
        nodes: list[str | None] = []
        taken: list[str] = []
        for t, xy in ((start, verts[0]), (end, verts[-1])):
            node = t.node_id if t is not None else None
            if t is None and self.new_manholes_action.isChecked():
                node = new_node_id(self.store.get(S.MANHOLES), system, taken)
                taken.append(node)
                commands.append(
                    AddManhole(
                        self.store,
                        xy[0],
                        xy[1],
                        system=system,
                        node_id=node,
                        field_map=self._field_map(S.MANHOLES),
                    )
                )
            nodes.append(node)
        pipe = AddPipe(
            self.store,
            verts,
            system=system,
            from_node=nodes[0],
            to_node=nodes[1],
            field_map=self._field_map(S.PIPES),
        )
        cmd = Macro(self.tr("Draw pipe"), [*commands, pipe]) if commands else pipe
        if isinstance(cmd, AddPipe):
            cmd.label = self.tr("Draw pipe")
        if not self._push(cmd):
            return False
        self.last_pipe_id = pipe.pipe_id
        self.window.statusBar().showMessage(
            self.tr("Pipe %1 added").replace("%1", str(pipe.pipe_id)), 5000
        )
        return True

    def _system_at(self, target: SnapTarget | None) -> str | None:
        if target is None:
            return None
        kind = S.MANHOLES if target.kind == "manhole" else S.PIPES
        gdf = self._layer(kind)
        if gdf is None or S.SYSTEM not in gdf.columns:
            return None
        try:
            pos = feature_row(gdf, kind, target.feature_id)
        except NetworkError:
            return None
        v = gdf[S.SYSTEM].iloc[pos]
        return v if isinstance(v, str) and v in S.SYSTEM_VALUES else None

    # draw manhole
    def add_manhole(self, x: float, y: float) -> bool:
        target = self.snap(x, y)
        if target is not None and target.kind == "manhole":
            self.window.statusBar().showMessage(self.tr("There is a manhole here already."), 4000)
            return False
        if target is not None:
            x, y = target.x, target.y
        system = self.new_pipe_system
        if system == AUTO:
            system = self._system_at(target) or S.SEWAGE
        cmd = AddManhole(
            self.store, float(x), float(y), system=system, field_map=self._field_map(S.MANHOLES)
        )
        cmd.label = self.tr("Draw manhole")
        return self._push(cmd)

    # move vertex
    def _grab_at(self, x: float, y: float) -> dict[str, Any] | None:
        tol = self.canvas.pixels_to_map_units(VERTEX_PX)
        mh = self._layer(S.MANHOLES)
        idx = self.snap_index()
        t = idx.snap(x, y, tol)
        if t is not None and t.kind == "manhole" and mh is not None:
            return {
                "kind": S.MANHOLES,
                "id": t.feature_id,
                "vertex": 0,
                "row": None,
                "xy": (t.x, t.y),
                "neighbours": [],
            }
        pipes = self._layer(S.PIPES)
        if pipes is None or not len(pipes):
            return None
        geoms = np.asarray(pipes.geometry.array, dtype=object)
        cand = _pipe_tree(self.canvas, pipes).query(
            shapely.box(x - tol, y - tol, x + tol, y + tol)
        )
        best = None
        for pos in cand.tolist():
            g = geoms[pos]
            if g is None or g.geom_type != "LineString":
                continue
            c = np.asarray(g.coords)[:, :2]
            d = np.hypot(c[:, 0] - x, c[:, 1] - y)
            k = int(np.argmin(d))
            if d[k] <= tol and (best is None or d[k] < best[0]):
                best = (float(d[k]), pos, k, c)
        if best is None:
            return None
        _, pos, k, c = best
        nb = [tuple(c[k - 1])] if k > 0 else []
        nb += [tuple(c[k + 1])] if k < len(c) - 1 else []
        pid = pipes[S.PIPE_ID].iloc[pos]
        return {
            "kind": S.PIPES,
            "id": str(pid),
            "vertex": k,
            "row": int(pos),
            "xy": tuple(c[k]),
            "neighbours": nb,
            "is_end": k in (0, len(c) - 1),
            "n": len(c),
        }

    def _on_canvas_mouse_pressed(self, x: float, y: float, _mods: Any) -> None:
        if not self.move_vertex_action.isChecked() or self.window.project is None:
            return
        self._grab = self._grab_at(x, y)

    def _on_canvas_mouse_dragged(self, x: float, y: float) -> None:
        g = self._grab
        if g is None:
            return
        target = self._release_target(x, y)
        self._show_snap(target)
        xy = (target.x, target.y) if target else (x, y)
        pts = [g["neighbours"][0], xy, *g["neighbours"][1:]] if g["neighbours"] else [xy]
        if g["kind"] == S.PIPES and g["vertex"] == 0:
            pts = [xy, *g["neighbours"]]
        self.canvas.set_rubber_band(pts, style=DRAW_STYLE)

    def _release_target(self, x: float, y: float) -> SnapTarget | None:
        g = self._grab
        if g is None or g["kind"] != S.PIPES:
            return None
        t = self.snap_index().snap(
            x, y, self.canvas.pixels_to_map_units(SNAP_PX), exclude_pipe_rows=[g["row"]]
        )
        return t

    def _on_canvas_mouse_released(self, x: float, y: float) -> None:
        g, self._grab = self._grab, None
        self.canvas.clear_rubber_band()
        self._show_snap(None)
        if g is None or math.dist(g["xy"], (x, y)) == 0:
            return
        self.move_vertex(g, x, y)

    def move_vertex(self, grab: dict[str, Any], x: float, y: float) -> bool:
        target = self._release_target(x, y)
        if grab["kind"] == S.PIPES and grab.get("is_end") and target is not None:
            end = "start" if grab["vertex"] == 0 else "end"
            cmd: Any = SnapEnd(
                self.store,
                grab["id"],
                target.x,
                target.y,
                node_id=target.node_id if target.kind == "manhole" else None,
                end=end,
                row=grab["row"],
                field_map=self._field_map(S.PIPES),
            )
        else:
            if target is not None:
                x, y = target.x, target.y
            cmd = MoveVertex(
                self.store, grab["kind"], grab["id"], grab["vertex"], x, y, row=grab["row"]
            )
        return self._push(cmd)

    # --- actions on the selection ----------------------------------------------------------------
    def delete_selected(self) -> bool:
        sel = {k: v for k, v in self.hub.selection().items() if k in EDITABLE_KINDS}
        if not sel:
            return False
        cmds = [DeleteFeatures(self.store, kind, sorted(ids)) for kind, ids in sel.items()]
        n = sum(len(v) for v in sel.values())
        cmd = (
            cmds[0]
            if len(cmds) == 1
            else Macro(self.tr("Delete %1 features").replace("%1", str(n)), cmds)
        )
        if self._push(cmd):
            self.hub.clear_selection()
            return True
        return False

    def reverse_selected(self) -> bool:
        ids = sorted(self.hub.selected_ids(S.PIPES))
        if not ids:
            return False
        fm = self._field_map(S.PIPES)
        cmds = [ReversePipe(self.store, pid, field_map=fm) for pid in ids]
        return self._push(
            cmds[0]
            if len(cmds) == 1
            else Macro(self.tr("Reverse %1 pipes").replace("%1", str(len(ids))), cmds)
        )

    def split_selected(self) -> bool:
        nodes = sorted(self.hub.selected_ids(S.MANHOLES))
        only = self.hub.selected_ids(S.PIPES)
        pipes, mh = self._layer(S.PIPES), self._layer(S.MANHOLES)
        if not nodes or pipes is None or mh is None:
            return False
        unit = crs_unit_m(pipes.crs)
        tol = SPLIT_DISTANCE_M / unit
        fm = self._field_map(S.PIPES)
        cmds = []
        for nid in nodes:
            pt = mh.geometry.iloc[feature_row(mh, S.MANHOLES, nid)]
            for pos in (
                _pipe_tree(self.canvas, pipes)
                .query(pt, predicate="dwithin", distance=tol)
                .tolist()
            ):
                line = pipes.geometry.iloc[pos]
                pid = str(pipes[S.PIPE_ID].iloc[pos])
                if only and pid not in only:
                    continue
                if line is None or line.geom_type != "LineString":
                    continue
                at = line.project(pt)
                if 0.05 / unit < at < line.length - 0.05 / unit:
                    cmds.append(
                        SplitPipeAtManhole(self.store, pid, nid, row=int(pos), field_map=fm)
                    )
        if not cmds:
            self.window.statusBar().showMessage(
                self.tr("No pipe runs through the selected manhole(s)."), 5000
            )
            return False
        # later splits of the same layer: rows shift only by appends, so plan rows stay valid
        return self._push(cmds[0] if len(cmds) == 1 else Macro(self.tr("Split pipes"), cmds))

    def edit_attributes(self) -> Any:
        from gisapp.qt.feature_form import FeatureForm

        sel = self.hub.selection()
        items = [(k, i) for k, ids in sel.items() for i in ids]
        if len(items) != 1:
            return None
        kind, fid = items[0]
        gdf = self._layer(kind)
        if gdf is None:
            return None
        form = FeatureForm(self.window, self.store, kind, fid)
        form.setObjectName("feature_form")
        form.open()
        self.form = form
        return form


def _pipe_tree(canvas: Any, pipes) -> shapely.STRtree:
    """The spatial index of the pipe frame: the map layer's own when it draws this frame (one
    index per layer), else a fresh one (a frame not on the map)."""
    layer = canvas.layer(S.PIPES)
    if layer is not None and layer.data is pipes:
        return layer.spatial_index()
    return shapely.STRtree(np.asarray(pipes.geometry.array, dtype=object))


def install(window: Any) -> EditController:
    return EditController(window)
