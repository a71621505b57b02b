"""Where a subject's dock appears: a page of its own beside the other right-hand docks.

:class:`SubjectDock` is the common behaviour of the subject docks (balance, dossier, outfalls,
acceptance): they recompute only while shown and open beside the right-hand docks;
:func:`install_subject_dock` adds one to the window with its menu action.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow


def show_beside_right_docks(window: QMainWindow, dock: QDockWidget, width_px: int) -> None:
    """Show *dock* on the right, tabbed with the docks already open there (a form needs the
    whole height), at *width_px*; a dock already shown or floating is only raised."""
    if not dock.isVisible() and not dock.isFloating():
        right = Qt.DockWidgetArea.RightDockWidgetArea
        others = [
            d
            for d in window.findChildren(QDockWidget)
            if d is not dock
            and d.isVisible()
            and not d.isFloating()
            and window.dockWidgetArea(d) == right
        ]
        if others:
            window.tabifyDockWidget(others[0], dock)
        dock.show()
        window.resizeDocks([dock], [width_px], Qt.Orientation.Horizontal)
    dock.show()
    dock.raise_()


class SubjectDock(QDockWidget):
    """A subject's dock that recomputes only while it is shown.

    Subclasses set :attr:`window_` and :attr:`DOCK_WIDTH_PX` and implement ``refresh()``, which
    starts with ``if self.defer_while_hidden(): return``; showing a stale dock refreshes it.
    """

    DOCK_WIDTH_PX = 600
    window_: Any

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._stale = True
        self.visibilityChanged.connect(self._on_visibility_changed)

    def refresh(self) -> None:  # pragma: no cover - every subject dock has its own
        raise NotImplementedError

    def defer_while_hidden(self) -> bool:
        """True while the dock is hidden (it is marked stale and refreshed when shown)."""
        if not self.isVisible():
            self._stale = True
            return True
        self._stale = False
        return False

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible and self._stale:
            self.refresh()

    def show_dock(self) -> None:
        """Show the dock beside the right-hand docks, brought up to date."""
        show_beside_right_docks(self.window_, self, self.DOCK_WIDTH_PX)
        if self._stale:
            self.refresh()


def install_subject_dock(
    window: Any, dock: SubjectDock, menu: Any, text: str, object_name: str, *, separator: bool
) -> QAction:
    """Add *dock* (right, hidden) to *window* and an action *text* that shows it to *menu*
    (after a separator when asked); the action is also ``dock.action``."""
    dock.hide()
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.action = QAction(text, window)
    dock.action.setObjectName(object_name)
    dock.action.triggered.connect(dock.show_dock)
    if separator:
        menu.addSeparator()
    menu.addAction(dock.action)
    return dock.action
