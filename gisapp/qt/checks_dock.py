"""The check items of the network in a dock (extension: ``install(window) -> ChecksDock``).

Items come from ``window.network_ctl.state.checks`` and are refreshed on every
``window.network_updated`` (which follows every edit, undo and redo). They are grouped by
category with counts; each item shows its severity (icon and colour) and its message in the
UI language (the other language in the tooltip). Clicking an item zooms to it and
highlights its features.

One-click fixes, only where the fix is obvious (:func:`fix_for`):

- ``near_miss`` to a manhole or a pipe end: snap the end onto it;
- ``duplicate_pipe``: delete the second copy;
- ``zero_length``: delete the pipe;
- ``dead_end_sink`` where exactly one of several inflowing pipes has its direction only from
  the digitising order: reverse that pipe.

Everything else (against the slope, direction fields in conflict, misconnections …) needs a
person: *Edit* zooms to the item and selects its features for the edit tools.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gisapp.qt.errors import handle_error
from gisapp.qt.findings_view import (
    GROUP_ROLE,
    ISSUE_ROLE,
    SEVERITY_COLORS,
    SEVERITY_ORDER,
    DensityOverlay,
    FindingsTreeModel,
    kind_label,
)
from gisapp.qt.inspect_tools import MapToolHub, use_chinese
from gisapp.qt.undo import WindowStore, push
from network import schema as S
from network.checks import CATEGORY_LABELS_ZH, SEVERITY_LABELS_ZH
from network.commands import DeleteFeatures, LayerStore, ReversePipe, SnapEnd, find_rows
from network.findings import FindingGroup
from network.graph import DIR_DIGITISED
from network.issues import ERROR, INFO, WARNING, Issue

log = logging.getLogger(__name__)

__all__ = ["GROUP_ROLE", "ISSUE_ROLE", "SEVERITY_COLORS", "SEVERITY_ORDER", "ChecksDock"]
CAUSE_LABELS_ZH = {
    "no_direction": "未记录流向",
    "no_outlets": "项目无污水厂或排放口",
    "ends_off_manholes": "检查井不在管线端点上",
}
EXPAND_ALL_MAX = 60  # open every group when there are at most this many findings
ZOOM_BOX_M = 100.0  # the view around an item with many features


# --------------------------------------------------------------------------------------------
# fixes (no Qt: planned from the issue, the layers and the network the issue came from)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fix:
    """An obvious fix: the command to push and what it does, in both languages."""

    command: Any
    text_zh: str
    text_en: str


def fix_for(
    issue: Issue, store: LayerStore, network: Any, field_map: dict[str, str | None] | None = None
) -> Fix | None:
    """The obvious fix of ``issue`` or None (manual). ``network`` is the one it came from."""
    try:
        if issue.kind == "near_miss":
            return _fix_near_miss(issue, store, network, field_map)
        if issue.kind == "duplicate_pipe":
            return _fix_duplicate(issue, store, network)
        if issue.kind == "zero_length":
            return _fix_zero_length(issue, store, network)
        if issue.kind == "dead_end_sink":
            return _fix_digitised_sink(issue, store, network, field_map)
    except (KeyError, IndexError, ValueError) as exc:  # data changed under the issue
        log.debug("no fix for %s: %s", issue.id, exc)
    return None


def _fix_near_miss(issue: Issue, store: LayerStore, net: Any, fm: Any) -> Fix | None:
    d = issue.data
    target, kind = d.get("target"), d.get("target_kind")
    if kind not in ("manhole", "pipe end") or target is None or issue.x is None:
        return None
    pid = issue.feature_ids[0]
    pipes = store.get(S.PIPES)
    rows = find_rows(pipes, S.PIPES, pid)
    if len(rows) != 1:
        return None
    if kind == "manhole":
        mh = store.get(S.MANHOLES)
        mrows = find_rows(mh, S.MANHOLES, target)
        if not len(mrows):
            return None
        pt = mh.geometry.iloc[int(mrows[0])]
        x, y, node = float(pt.x), float(pt.y), target
    else:
        n = net.node_index[target]
        x, y = (float(v) for v in net.node_xy[n])
        node = None  # a junction of pipe ends: keep the from/to field as it is
    cmd = SnapEnd(
        store, pid, x, y, node_id=node, near=(issue.x, issue.y), row=int(rows[0]), field_map=fm
    )
    what_zh = "检查井" if kind == "manhole" else "管线端点"
    return Fix(
        cmd,
        f"将 {pid} 的端点捕捉到{what_zh} {target}",
        f"Snap the end of {pid} to {kind} {target}",
    )


def _fix_duplicate(issue: Issue, store: LayerStore, net: Any) -> Fix | None:
    pieces = issue.data.get("pieces") or []
    if len(pieces) != 2:
        return None
    q = int(pieces[1])
    row = int(net.piece_row[q])
    pid = str(net.piece_pipe_id[q])
    pipes = store.get(S.PIPES)
    if row >= len(pipes) or str(pipes[S.PIPE_ID].iloc[row]) != pid:
        return None
    if int(np.sum(net.piece_row == row)) != 1:
        return None  # a part of a multi-part pipe
    cmd = DeleteFeatures(store, S.PIPES, [pid], rows=[row])
    return Fix(cmd, f"删除重复的管线 {pid}", f"Delete the duplicate pipe {pid}")


def _fix_zero_length(issue: Issue, store: LayerStore, net: Any) -> Fix | None:
    pid = issue.feature_ids[0]
    pipes = store.get(S.PIPES)
    rows = find_rows(pipes, S.PIPES, pid)
    if not len(rows):
        return None
    lengths = shapely.length(np.asarray(pipes.geometry.array[rows], dtype=object))
    short = rows[
        lengths * (net.unit_m if net is not None else 1.0)
        < (net.snap_tolerance_m if net is not None else 0.05)
    ]
    if len(short) != 1 or len(rows) != 1:
        return None  # a part of a multi-part pipe, or an id shared by real pipes: by hand
    cmd = DeleteFeatures(store, S.PIPES, [pid], rows=[int(short[0])])
    return Fix(cmd, f"删除零长度管线 {pid}", f"Delete the zero-length pipe {pid}")


def _fix_digitised_sink(issue: Issue, store: LayerStore, net: Any, fm: Any) -> Fix | None:
    node = issue.data.get("node")
    if node is None or net is None:
        return None
    n = net.node_index[node]
    ip, order = net.in_csr
    edges = order[ip[n] : ip[n + 1]]
    if len(edges) < 2:
        return None
    src = net.piece_dir_source[net.edge_piece[edges]]
    digitised = edges[src == DIR_DIGITISED]
    if len(digitised) != 1:
        return None
    pid = str(net.edge_pipe_id[digitised[0]])
    rows = find_rows(store.get(S.PIPES), S.PIPES, pid)
    if len(rows) != 1:
        return None
    cmd = ReversePipe(store, pid, row=int(rows[0]), field_map=fm)
    return Fix(
        cmd,
        f"反转管线 {pid} 的流向（其方向仅来自数字化顺序）",
        f"Reverse pipe {pid} (its direction comes only from the digitising order)",
    )


# --------------------------------------------------------------------------------------------
# the dock
# --------------------------------------------------------------------------------------------
_ICONS: dict[str, QIcon] = {}


def severity_icon(severity: str, size: int = 12) -> QIcon:
    key = f"{severity}:{size}"
    if key in _ICONS:
        return _ICONS[key]
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(SEVERITY_COLORS.get(severity, "#777777")))
    r = size / 2 - 1
    p.drawEllipse(QPointF(size / 2, size / 2), r, r)
    p.end()
    _ICONS[key] = QIcon(pix)
    return _ICONS[key]


class ChecksDock(QDockWidget):
    """The findings, grouped per kind (the few that matter first), each group expandable to
    its findings; the group's density on the map; Fix / Edit buttons and a context menu."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("checks_dock")
        self.window = window
        self.canvas = window.canvas
        self.hub = MapToolHub.of(window)
        self.store = WindowStore(window)
        self.chinese = use_chinese(window)
        self.issues: list[Issue] = []
        self._network: Any = None
        self._current = False
        self.setWindowTitle(self.tr("Checks"))

        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary_label = QLabel(objectName="checks_summary_label")
        self.summary_label.setWordWrap(True)
        lay.addWidget(self.summary_label)
        self.model = FindingsTreeModel(self, self)
        self.tree = QTreeView(objectName="checks_tree")
        self.tree.setModel(self.model)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().resizeSection(1, 100)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu_requested)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.tree.clicked.connect(self._on_tree_clicked)
        self.tree.doubleClicked.connect(self.edit_item)
        lay.addWidget(self.tree, 1)
        self.detail_label = QLabel(objectName="checks_detail_label")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setMinimumHeight(48)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail_label.setStyleSheet("QLabel { background: palette(base); padding: 4px; }")
        lay.addWidget(self.detail_label)
        row = QHBoxLayout()
        self.fix_button = QPushButton(self.tr("Fix"), objectName="fix_button")
        self.fix_button.clicked.connect(lambda: self.fix_item(self.tree.currentIndex()))
        self.edit_button = QPushButton(self.tr("Edit"), objectName="edit_button")
        self.edit_button.setToolTip(self.tr("Zoom to the item and select its features"))
        self.edit_button.clicked.connect(lambda: self.edit_item(self.tree.currentIndex()))
        row.addWidget(self.fix_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        lay.addLayout(row)
        body.setMinimumWidth(320)
        self.setWidget(body)
        self.density = DensityOverlay(self.canvas)

        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        window.view_menu.addAction(self.toggleViewAction())
        window.network_updated.connect(self._on_window_network_updated)
        if hasattr(window, "layer_updated"):
            window.layer_updated.connect(self._on_window_layer_updated)
        window.project_opened.connect(self._on_window_project_opened)
        state = window.network_ctl.state
        if state is not None:
            self._on_window_network_updated(state)
        else:
            self._update_buttons()

    # --- texts (also the words of the tree model) --------------------------------------------
    def category_label(self, cat: str) -> str:
        if self.chinese:
            return CATEGORY_LABELS_ZH.get(cat, cat)
        return {
            "hygiene": self.tr("Data hygiene"),
            "geometry": self.tr("Geometry"),
            "connectivity": self.tr("Connectivity"),
            "direction": self.tr("Flow direction"),
            "semantics": self.tr("Semantics"),
            "attach": self.tr("Attachment"),
        }.get(cat, cat)

    def severity_label(self, sev: str) -> str:
        if self.chinese:
            return SEVERITY_LABELS_ZH.get(sev, sev)
        return {ERROR: self.tr("error"), WARNING: self.tr("warning"), INFO: self.tr("info")}.get(
            sev, sev
        )

    def kind_label(self, kind: str) -> str:
        return kind_label(kind, self.chinese)

    def cause_label(self, cause: str) -> str:
        if self.chinese:
            return CAUSE_LABELS_ZH.get(cause, cause)
        return {
            "no_direction": self.tr("no flow direction recorded"),
            "no_outlets": self.tr("no plant or outfall in the project"),
            "ends_off_manholes": self.tr("manholes off the pipe ends"),
        }.get(cause, cause)

    def explanation(self, group: FindingGroup) -> str:
        return group.explanation_zh if self.chinese else group.explanation_en

    def icon(self, severity: str) -> QIcon:
        return severity_icon(severity)

    def message(self, issue: Issue) -> str:
        return issue.message_zh if self.chinese else issue.message_en

    def other_message(self, issue: Issue) -> str:
        return issue.message_en if self.chinese else issue.message_zh

    # --- filling -----------------------------------------------------------------------------
    def _on_window_project_opened(self, _project: Any) -> None:
        self.issues = []
        self._current = False
        self._network = None
        self.model.set_findings([])
        self.density.clear()
        self.summary_label.setText(self.tr("Building the network…"))
        self._update_buttons()

    def _on_window_layer_updated(self, kind: str) -> None:
        if kind in (S.PIPES, S.MANHOLES, S.ENTERPRISES, S.PLANTS, S.OUTFALLS):
            self._current = False  # a rebuild is coming; fixes wait for it
            self.summary_label.setText(self.tr("Updating the checks…"))
            self._update_buttons()

    def _on_window_network_updated(self, state: Any) -> None:
        self._network = state.network
        self._current = True
        self.set_issues(list(state.checks))

    def set_issues(self, issues: list[Issue]) -> None:
        """Show ``issues`` grouped per kind, keeping the current row and the open groups."""
        cur = self.tree.currentIndex()
        cur_issue = self.model.issue(cur)
        cur_group = self.model.group(cur)
        expanded = {
            g.kind
            for k, g in enumerate(self.model.groups)
            if self.tree.isExpanded(self.model.group_index(k))
        }
        first_fill = not self.model.groups
        self.issues = issues
        self.model.set_findings(issues, self._network)
        groups = self.model.groups
        for k, g in enumerate(groups):
            self.tree.setFirstColumnSpanned(k, QModelIndex(), True)
            if g.kind in expanded or (first_fill and len(issues) <= EXPAND_ALL_MAX):
                self.tree.expand(self.model.group_index(k))
        select = QModelIndex()
        if cur_issue is not None:
            select = self.model.find(lambda i: i.id == cur_issue.id, cur_issue.kind)
        elif cur_group is not None and (row := self.model.group_row(cur_group.kind)) is not None:
            select = self.model.group_index(row)
        n_err = sum(1 for i in issues if i.severity == ERROR)
        n_warn = sum(1 for i in issues if i.severity == WARNING)
        if issues:
            text = (
                self.tr("%1 items in %4 kinds: %2 errors, %3 warnings")
                .replace("%1", f"{len(issues):,}")
                .replace("%2", f"{n_err:,}")
                .replace("%3", f"{n_warn:,}")
                .replace("%4", str(len(groups)))
            )
            causes = [g for g in groups if g.cause is not None]
            if causes:
                text += "\n" + self.explanation(causes[0])
        else:
            text = self.tr("No check items.")
        self.summary_label.setText(text)
        if select.isValid():
            self.tree.setCurrentIndex(select)
        elif cur_group is not None:
            self.density.clear()
            self.canvas.clear_highlight("checks")
        self._update_buttons()

    # --- lookups -----------------------------------------------------------------------------
    def groups(self) -> list[FindingGroup]:
        """The groups shown, in their order (the few that matter first)."""
        return list(self.model.groups)

    def group_for(self, kind: str) -> QModelIndex | None:
        row = self.model.group_row(kind)
        return None if row is None else self.model.group_index(row)

    def item_for(self, kind: str, feature_id: str | None = None) -> QModelIndex | None:
        """The row of the first finding of ``kind`` (about ``feature_id``), or None."""
        index = self.model.find(
            lambda i: feature_id is None or feature_id in i.feature_ids, kind=kind
        )
        return index if index.isValid() else None

    def issue_at(self, index: QModelIndex | None) -> Issue | None:
        return self.model.issue(index) if index is not None else None

    def fix(self, issue: Issue | None) -> Fix | None:
        if issue is None or not self._current or self.window.project is None:
            return None
        maps = self.window.project.mapping.get(S.PIPES)
        return fix_for(issue, self.store, self._network, dict(maps[0]) if maps else None)

    def _update_buttons(self) -> None:
        index = self.tree.currentIndex()
        issue = self.model.issue(index)
        group = self.model.group(index)
        fix = self.fix(issue)
        self.fix_button.setEnabled(fix is not None)
        self.fix_button.setToolTip(
            (fix.text_zh if self.chinese else fix.text_en)
            if fix is not None
            else self.tr("This item needs manual editing")
            if issue is not None
            else ""
        )
        self.edit_button.setEnabled(issue is not None)
        if group is not None:
            self.detail_label.setText(self._group_text(group))
            return
        if issue is None:
            self.detail_label.setText("")
            return
        text = (
            f"{self.severity_label(issue.severity)}：{self.message(issue)}"
            if self.chinese
            else f"{self.severity_label(issue.severity)}: {self.message(issue)}"
        )
        if fix is not None:
            text += "\n" + self.tr("Fix: %1").replace(
                "%1", fix.text_zh if self.chinese else fix.text_en
            )
        self.detail_label.setText(text)

    def _group_text(self, g: FindingGroup) -> str:
        sep = "：" if self.chinese else ": "
        text = f"{self.severity_label(g.severity)}{sep}{self.kind_label(g.kind)} ({g.count:,})"
        if g.cause is not None:
            text += "\n" + self.explanation(g)
        cells = g.density.get("cells") or []
        if cells:
            size = g.density["cell_size"] * (
                self._network.unit_m if self._network is not None else 1.0
            )
            text += "\n" + (
                self.tr("On the map: the busiest %1 cells of %2 m; the busiest holds %3.")
                .replace("%1", str(len(cells)))
                .replace("%2", f"{size:g}")
                .replace("%3", f"{cells[0][2]:,}")
            )
        return text

    # --- actions -----------------------------------------------------------------------------
    def _on_tree_current_changed(self, cur: QModelIndex, _prev: Any) -> None:
        group = self.model.group(cur)
        if group is not None:
            self.show_group(group, zoom=False)
        else:
            self.density.clear()
        self._update_buttons()

    def _on_tree_clicked(self, index: QModelIndex) -> None:
        group = self.model.group(index)
        if group is not None:
            self.show_group(group)
        else:
            self.show_item(index)

    def show_group(self, group: FindingGroup, zoom: bool = True) -> None:
        """Draw the group's density on the map, highlight its sample features and (``zoom``)
        show the busiest cells."""
        self.density.set_density(group.density, group.severity)
        row = self.model.group_row(group.kind)
        members = self.model.group_issues(row) if row is not None else []
        layer = members[0].layer if members else ""
        self.canvas.clear_highlight("checks")
        if self.canvas.layer(layer) is not None and group.sample_ids:
            self.canvas.set_highlight(layer, group.sample_ids, group="checks")
        bounds = self.density.bounds()
        if zoom and bounds is not None:
            self.canvas.zoom_to_extent(*bounds)

    def show_item(self, index: QModelIndex | None) -> None:
        """Zoom to the item and highlight its features."""
        issue = self.issue_at(index)
        if issue is None:
            return
        self.density.clear()
        layer = issue.layer
        ids = list(issue.feature_ids)
        if self.canvas.layer(layer) is not None and ids:
            self.canvas.set_highlight(layer, ids, group="checks")
        close_up = len(ids) > 20 or issue.kind in ("near_miss", "zero_length")
        if issue.x is not None and issue.y is not None and close_up:
            half = ZOOM_BOX_M / 2 / (self._network.unit_m if self._network is not None else 1)
            self.canvas.zoom_to_extent(
                issue.x - half, issue.y - half, issue.x + half, issue.y + half, margin=0.0
            )
        elif self.canvas.layer(layer) is not None and ids:
            self.canvas.zoom_to_features(layer, ids, min_scale=0.05)
        elif issue.x is not None and issue.y is not None:
            self.canvas.set_center(issue.x, issue.y)
        if self.canvas.layer(layer) is not None and ids:
            self.canvas.flash(layer, ids)

    def fix_item(self, index: QModelIndex | None) -> bool:
        fix = self.fix(self.issue_at(index))
        if fix is None:
            return False
        fix.command.label = fix.text_zh if self.chinese else fix.text_en
        try:
            push(self.window, fix.command)
        except Exception as exc:  # noqa: BLE001 - GUI boundary
            handle_error(self.window, exc)
            return False
        self.canvas.clear_highlight("checks")
        self.window.statusBar().showMessage(fix.command.label, 5000)
        return True

    def edit_item(self, index: QModelIndex | None) -> None:
        """Manual editing: zoom to the item and select its features for the edit tools."""
        issue = self.issue_at(index)
        if issue is None:
            return
        self.show_item(index)
        if self.canvas.layer(issue.layer) is not None:
            self.hub.clear_selection()
            self.hub.set_selection(issue.layer, issue.feature_ids)
        self.window.statusBar().showMessage(
            self.tr("Selected %1; edit it with the Edit tools").replace(
                "%1", ", ".join(issue.feature_ids[:5])
            ),
            8000,
        )

    def _on_tree_context_menu_requested(self, pos: Any) -> None:
        index = self.tree.indexAt(pos)
        issue = self.model.issue(index)
        if issue is None:
            return
        index = index.siblingAtColumn(0)
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        zoom = menu.addAction(self.tr("Zoom to"))
        zoom.triggered.connect(lambda: self.show_item(index))
        fix = self.fix(issue)
        act: QAction = menu.addAction(
            self.tr("Fix: %1").replace("%1", fix.text_zh if self.chinese else fix.text_en)
            if fix is not None
            else self.tr("Fix (manual)")
        )
        act.setEnabled(fix is not None)
        act.triggered.connect(lambda: self.fix_item(index))
        menu.addAction(self.tr("Edit"), lambda: self.edit_item(index))
        menu.addSeparator()
        menu.addAction(
            self.tr("Copy message"),
            lambda: QApplication.clipboard().setText(self.message(issue)),
        )
        self._menu = menu
        menu.popup(self.tree.viewport().mapToGlobal(pos))


def install(window: Any) -> ChecksDock:
    return ChecksDock(window)
