"""Findings at the scale of real data, for the checks dock: a lazy tree model and a density map.

:class:`FindingsTreeModel` shows :func:`network.findings.summarise_findings` groups as top-level
rows (the few that matter first, each with its count and, where one cause explains the whole
class, that cause) and the findings of a group as its children. Children are fetched on demand
(``canFetchMore``/``fetchMore``, :data:`FETCH_CHUNK` rows at a time) and their text is made in
``data()``: a network with 100,000 findings opens with a few dozen rows and no per-finding
object besides the findings themselves.

:class:`DensityOverlay` draws a group's density grid (the busiest cells with their counts) on
top of the map canvas, following the canvas view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from network.findings import KIND_TEXT, FindingGroup, summarise_findings
from network.issues import ERROR, INFO, WARNING, Issue

ISSUE_ROLE = Qt.ItemDataRole.UserRole + 1
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2
FETCH_CHUNK = 200
_ROOT = QModelIndex()
SEVERITY_COLORS = {ERROR: "#c01c28", WARNING: "#c88800", INFO: "#1c71d8"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


class _Node:
    """The internal pointer of an index: the group its row belongs to (None: a group row).

    One node per group (and one for the top level) is kept by the model, so the pointers
    Qt holds stay valid while the model lives."""

    __slots__ = ("group",)

    def __init__(self, group: int | None) -> None:
        self.group = group


class FindingsTreeModel(QAbstractItemModel):
    """Groups of findings (top level) and their findings (children, fetched on demand).

    ``texts`` gives the words the view needs: ``message(issue)``, ``other_message(issue)``,
    ``severity_label(sev)``, ``kind_label(kind)``, ``cause_label(cause)`` and ``icon(sev)``.
    """

    def __init__(self, texts: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        self.groups: list[FindingGroup] = []
        self.members: list[list[Issue]] = []
        self.fetched: list[int] = []
        self._top = _Node(None)
        self._nodes: list[_Node] = []

    # --- content ---------------------------------------------------------------------------
    def set_findings(self, issues: Sequence[Issue], net: Any = None) -> None:
        """Replace the findings (grouped with :func:`summarise_findings`)."""
        groups = summarise_findings(issues, net) if issues else []
        by_kind: dict[str, list[Issue]] = {}
        for i in issues:
            by_kind.setdefault(i.kind, []).append(i)
        self.beginResetModel()
        self.groups = groups
        self.members = [
            sorted(by_kind[g.kind], key=lambda i: SEVERITY_ORDER.get(i.severity, 9))
            for g in groups
        ]
        self.fetched = [0] * len(groups)
        self._nodes = [_Node(k) for k in range(len(groups))]
        self.endResetModel()

    def group_row(self, kind: str) -> int | None:
        return next((k for k, g in enumerate(self.groups) if g.kind == kind), None)

    def group_index(self, row: int) -> QModelIndex:
        return self.index(row, 0)

    def issue_index(self, group: int, pos: int) -> QModelIndex:
        """The index of the ``pos``-th finding of group ``group``, fetching rows up to it."""
        parent = self.group_index(group)
        while self.fetched[group] <= pos and self.canFetchMore(parent):
            self.fetchMore(parent, max(FETCH_CHUNK, pos + 1 - self.fetched[group]))
        return self.index(pos, 0, parent)

    def find(self, pred: Callable[[Issue], bool], kind: str | None = None) -> QModelIndex:
        """The first finding (of ``kind``) for which ``pred`` holds (invalid: none)."""
        for g, items in enumerate(self.members):
            if kind is not None and self.groups[g].kind != kind:
                continue
            for pos, issue in enumerate(items):
                if pred(issue):
                    return self.issue_index(g, pos)
        return QModelIndex()

    def issue(self, index: QModelIndex) -> Issue | None:
        node = index.internalPointer() if index.isValid() else None
        if node is None or node.group is None:
            return None
        return self.members[node.group][index.row()]

    def group(self, index: QModelIndex) -> FindingGroup | None:
        node = index.internalPointer() if index.isValid() else None
        if node is None or node.group is not None:
            return None
        return self.groups[index.row()]

    def group_issues(self, row: int) -> list[Issue]:
        return self.members[row]

    # --- tree structure --------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = _ROOT) -> QModelIndex:
        if column < 0 or column > 1 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self.groups):
                return QModelIndex()
            return self.createIndex(row, column, self._top)
        node = parent.internalPointer()
        if node.group is not None or row >= self.fetched[parent.row()]:
            return QModelIndex()
        return self.createIndex(row, column, self._nodes[parent.row()])

    def parent(self, *args: Any) -> Any:  # parent(index) of the model; parent() of QObject
        if not args:
            return super().parent()
        index = args[0]
        node = index.internalPointer() if index.isValid() else None
        if node is None or node.group is None:
            return QModelIndex()
        return self.createIndex(node.group, 0, self._top)

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        if not parent.isValid():
            return len(self.groups)
        node = parent.internalPointer()
        if node.group is None and parent.column() == 0:
            return self.fetched[parent.row()]
        return 0

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return 2

    def hasChildren(self, parent: QModelIndex = _ROOT) -> bool:
        if not parent.isValid():
            return bool(self.groups)
        node = parent.internalPointer()
        return node.group is None and parent.column() == 0 and bool(self.members[parent.row()])

    def canFetchMore(self, parent: QModelIndex) -> bool:
        if not parent.isValid() or parent.internalPointer().group is not None:
            return False
        return self.fetched[parent.row()] < len(self.members[parent.row()])

    def fetchMore(self, parent: QModelIndex, n: int = FETCH_CHUNK) -> None:
        if not self.canFetchMore(parent):
            return
        g = parent.row()
        first = self.fetched[g]
        last = min(first + n, len(self.members[g])) - 1
        self.beginInsertRows(parent, first, last)
        self.fetched[g] = last + 1
        self.endInsertRows()

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Check item"), self.tr("Features"))[section]
        return None

    # --- data ------------------------------------------------------------------------------
    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        if node.group is None:
            return self._group_data(self.groups[index.row()], index.column(), role)
        return self._issue_data(self.members[node.group][index.row()], index.column(), role)

    def _group_data(self, g: FindingGroup, column: int, role: int) -> Any:
        t = self.texts
        if role == GROUP_ROLE:
            return g
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return ""
            text = f"{t.kind_label(g.kind)} ({g.count:,})"
            if g.cause is not None:
                text += f" — {t.cause_label(g.cause)}"
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{t.severity_label(g.severity)} · {g.kind}\n{t.explanation(g)}"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return t.icon(g.severity)
        if role == Qt.ItemDataRole.FontRole and column == 0:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ForegroundRole and g.cause is not None and column == 0:
            return QBrush(QColor("#5e5c64"))
        return None

    def _issue_data(self, issue: Issue, column: int, role: int) -> Any:
        t = self.texts
        if role == ISSUE_ROLE:
            return issue
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return t.message(issue)
            ids = issue.feature_ids
            return ", ".join(ids[:3]) + ("…" if len(ids) > 3 else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return ", ".join(issue.feature_ids[:50])
            return f"{t.severity_label(issue.severity)} · {issue.kind}\n{t.other_message(issue)}"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return t.icon(issue.severity)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and issue.severity == ERROR:
            return QBrush(QColor(SEVERITY_COLORS[ERROR]))
        return None


def kind_label(kind: str, chinese: bool) -> str:
    """The short name of a kind of finding in the UI language."""
    zh, en = KIND_TEXT.get(kind, (kind, kind.replace("_", " ")))
    return zh if chinese else en[:1].upper() + en[1:]


# --------------------------------------------------------------------------------------------
# the density of a group on the map
# --------------------------------------------------------------------------------------------
def density_cells(density: dict) -> np.ndarray:
    """``(N, 5)`` array of cells ``xmin, ymin, xmax, ymax, count`` from a group's density."""
    cells = density.get("cells") or []
    if not cells:
        return np.empty((0, 5))
    size = float(density["cell_size"])
    ox, oy = (float(v) for v in density["origin"])
    c = np.asarray(cells, dtype=float)
    x0, y0 = ox + c[:, 0] * size, oy + c[:, 1] * size
    return np.column_stack([x0, y0, x0 + size, y0 + size, c[:, 2]])


class DensityOverlay(QWidget):
    """The density grid of a group of findings, drawn over the map canvas: each of the busiest
    cells filled by its share of the busiest one, with its count. Mouse events go through."""

    def __init__(self, canvas: QWidget) -> None:
        super().__init__(canvas)
        self.setObjectName("findings_density_overlay")
        self.canvas = canvas
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cells = np.empty((0, 5))
        self.color = QColor(SEVERITY_COLORS[WARNING])
        self.setGeometry(canvas.rect())
        canvas.installEventFilter(self)
        canvas.view_changed.connect(self._on_canvas_view_changed)
        self.hide()

    def set_density(self, density: dict, severity: str = WARNING) -> None:
        self.cells = density_cells(density)
        self.color = QColor(SEVERITY_COLORS.get(severity, "#777777"))
        self.setGeometry(self.canvas.rect())
        self.setVisible(bool(len(self.cells)))
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.cells = np.empty((0, 5))
        self.hide()

    def bounds(self) -> tuple[float, float, float, float] | None:
        if not len(self.cells):
            return None
        c = self.cells
        return (
            float(c[:, 0].min()),
            float(c[:, 1].min()),
            float(c[:, 2].max()),
            float(c[:, 3].max()),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.canvas.rect())
        return False

    def _on_canvas_view_changed(self, _view: Any) -> None:
        if self.isVisible():
            self.update()

    def paintEvent(self, _event: Any) -> None:
        if not len(self.cells):
            return
        view = self.canvas.view
        c = self.cells
        px0, py0 = view.to_pixel(c[:, 0], c[:, 3])
        px1, py1 = view.to_pixel(c[:, 2], c[:, 1])
        top = max(float(c[:, 4].max()), 1.0)
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            font = p.font()
            font.setBold(True)
            p.setFont(font)
            fm = p.fontMetrics()
            for k in range(len(c)):
                rect = QRectF(px0[k], py0[k], px1[k] - px0[k], py1[k] - py0[k])
                if not rect.intersects(QRectF(self.rect())):
                    continue
                fill = QColor(self.color)
                fill.setAlpha(int(40 + 120 * c[k, 4] / top))
                p.setBrush(fill)
                p.setPen(QPen(self.color.darker(130), 1.5))
                p.drawRect(rect)
                text = f"{int(c[k, 4]):,}"
                if rect.width() >= fm.horizontalAdvance(text) + 4 and rect.height() >= 14:
                    halo = rect.translated(1, 1)
                    p.setPen(QColor("#000000"))
                    p.drawText(halo, Qt.AlignmentFlag.AlignCenter, text)
                    p.setPen(QColor("#ffffff"))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        finally:
            p.end()
