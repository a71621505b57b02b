"""Where a subject's dock appears: a page of its own beside the other right-hand docks."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
