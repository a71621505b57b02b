"""The window keeps its shape: default dock proportions, and the layout, window size, layer
styles and labels remembered between sessions.

Default layout of a 1400×900 window (the map gets at least 60 % of the width and of the
height): the layer panel on the left (200 px), the subject docks (checks, trace, identify,
forms, …) tabbed in one column on the right (340 px), wide tables and plots (survey records,
problem ledger, profile) tabbed under the map only (264 px: the side docks keep the corners).

What is remembered, per user (QSettings through :class:`~gisapp.qt.settings.AppSettings`):
the window geometry and the dock state (``QMainWindow.saveState``); per project (keyed by
the project file): each layer's style (default / single / categorized / graduated, field,
classes), label field, visibility and opacity.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QAbstractItemView, QDockWidget, QHeaderView, QMainWindow

LEFT_DOCK_PX = 200
RIGHT_DOCK_PX = 340
BOTTOM_DOCK_PX = 264
LEFT_DOCKS = ("layers_dock",)
# wide tables and plots go under the map; attribute tables are named "table_<layer>"
BOTTOM_DOCKS = ("records_dock", "ledger_dock", "profile_dock")
PLACED = "pipeatlas_placed"  # dynamic property of a dock already in its place
SHOWN = "pipeatlas_shown"  # ... and whether it was shown when first placed
STATE_VERSION = 2  # bump when the default arrangement changes: old saved states are ignored


def dock_area_for(dock: QDockWidget) -> Qt.DockWidgetArea:
    """Where ``dock`` goes by default."""
    name = dock.objectName()
    if name in LEFT_DOCKS:
        return Qt.DockWidgetArea.LeftDockWidgetArea
    if name in BOTTOM_DOCKS or name.startswith("table_"):
        return Qt.DockWidgetArea.BottomDockWidgetArea
    return Qt.DockWidgetArea.RightDockWidgetArea


class WindowLayout:
    """Arranges ``window``'s docks and saves/restores the arrangement."""

    def __init__(self, window: QMainWindow, settings: Any) -> None:
        self.window = window
        self.settings = settings
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        window.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        window.setTabPosition(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea,
            window.tabPosition(Qt.DockWidgetArea.RightDockWidgetArea),
        )

    def docks(self) -> list[QDockWidget]:
        return [d for d in self.window.findChildren(QDockWidget) if d.parent() is self.window]

    # --- default arrangement -----------------------------------------------------------------
    def arrange(
        self,
        docks: list[QDockWidget] | None = None,
        shown_now: dict[QDockWidget, bool] | None = None,
    ) -> None:
        """Put ``docks`` (default: all) in their default places: tabbed where they compete,
        each area at its default size. A dock keeps its shown/hidden state; the first dock of
        each tab group stays in front."""
        w = self.window
        todo = self.docks() if docks is None else docks
        groups: dict[Qt.DockWidgetArea, list[QDockWidget]] = {}
        for dock in todo:
            if dock.isFloating():
                continue
            area = dock_area_for(dock)
            shown = shown_now[dock] if shown_now is not None else not dock.isHidden()
            if w.dockWidgetArea(dock) != area:
                w.addDockWidget(area, dock)
            dock.setVisible(shown)
            groups.setdefault(area, []).append(dock)
            if not dock.property(PLACED):
                dock.setProperty(SHOWN, shown)
            dock.setProperty(PLACED, True)
        for area, members in groups.items():
            if area == Qt.DockWidgetArea.LeftDockWidgetArea:
                continue
            existing = [
                d
                for d in self.docks()
                if d not in members and not d.isFloating() and w.dockWidgetArea(d) == area
            ]
            # a shown dock anchors the group: tabbing onto a hidden one lays the others side by
            # side for a moment, and their minimum widths would widen the window
            front = next((d for d in [*existing, *members] if not d.isHidden()), None)
            anchor = front or (existing or members)[0]
            for dock in members:
                if dock is not anchor and anchor not in w.tabifiedDockWidgets(dock):
                    w.tabifyDockWidget(anchor, dock)
            if front is not None:
                front.raise_()
        self.resize_areas()

    def reset(self) -> None:
        """View → Reset window layout: every dock back in its default place, the layer panel
        shown, each area at its default size (undoes a layout that went wrong)."""
        docks = self.docks()
        shown = {d: d.objectName() in LEFT_DOCKS or d.property(SHOWN) is True for d in docks}
        for dock in docks:
            if dock.isFloating():
                dock.setFloating(False)
            self.window.removeDockWidget(dock)
        self.arrange(docks, shown)

    def resize_areas(self) -> None:
        """The default sizes of the left, right and bottom dock areas."""
        w = self.window
        shown = [d for d in self.docks() if not d.isHidden() and not d.isFloating()]
        for area, size, orient in (
            (Qt.DockWidgetArea.LeftDockWidgetArea, LEFT_DOCK_PX, Qt.Orientation.Horizontal),
            (Qt.DockWidgetArea.RightDockWidgetArea, RIGHT_DOCK_PX, Qt.Orientation.Horizontal),
            (Qt.DockWidgetArea.BottomDockWidgetArea, BOTTOM_DOCK_PX, Qt.Orientation.Vertical),
        ):
            in_area = [d for d in shown if w.dockWidgetArea(d) == area]
            if in_area:
                w.resizeDocks(in_area[:1], [size], orient)

    def place_new_docks(self) -> None:
        """Docks made since the last call (a new project's survey docks, a table): restored
        from the saved state when it knows them, else put in their default places."""
        new = [d for d in self.docks() if not d.property(PLACED)]
        if not new:
            return
        fresh = []
        for dock in new:
            dock.setProperty(PLACED, True)
            if not (self._saved_state_loaded and self.window.restoreDockWidget(dock)):
                fresh.append(dock)
        if fresh:
            self.arrange(fresh)

    # --- remembering ---------------------------------------------------------------------------
    _saved_state_loaded = False

    def save(self) -> None:
        """Window geometry and dock state into the user's settings."""
        w = self.window
        self.settings.set_window_state(
            bytes(w.saveGeometry().data()),
            bytes(w.saveState(STATE_VERSION).data()),
            size=(w.width(), w.height()),
        )

    def restore(self) -> bool:
        """Window geometry and dock state from the user's settings (True when there were
        some); docks not in them get their default places."""
        geometry, state = self.settings.window_state()
        size = self.settings.window_size()
        restored = False
        if geometry:
            restored = self.window.restoreGeometry(QByteArray(geometry)) or restored
        if size and not (self.window.isMaximized() or self.window.isFullScreen()):
            # restoreGeometry shrinks a window to the screen it would open on; the size the
            # user left is the one wanted (the window system keeps it on a smaller screen)
            self.window.resize(*size)
            restored = True
        if state and self.window.restoreState(QByteArray(state), STATE_VERSION):
            self._saved_state_loaded = True
            restored = True
            for dock in self.docks():
                dock.setProperty(PLACED, True)
        return restored


def stretch_columns(view: QAbstractItemView, text_columns: tuple[int, ...] = ()) -> None:
    """A table whose columns fill its width: ``text_columns`` stretch and the others fit
    their contents (header included, so no title is cut); without ``text_columns`` the
    columns stay user-resizable and the last one stretches."""
    header = getattr(view, "horizontalHeader", None)
    header = header() if header is not None else view.header()  # type: ignore[attr-defined]
    header.setStretchLastSection(not text_columns)
    if not text_columns:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for col in text_columns:
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
