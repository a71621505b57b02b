"""The Qt side of undo: a ``QUndoCommand`` around a pure command (``network.commands``).

``push(window, command)`` runs ``command.do()`` *before* pushing, so an exception reaches the
caller (PySide swallows exceptions raised inside ``QUndoStack.push`` -> ``redo``); the pushed
wrapper skips its first ``redo()`` because the command is already applied. Later redo/undo
calls come from the stack's actions (Ctrl+Z / Ctrl+Y); an exception there is shown with
:func:`gisapp.qt.errors.handle_error` and the stack is left as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from gisapp.qt.errors import handle_error
from network.commands import LayerStore

log = logging.getLogger(__name__)


class QtCommand(QUndoCommand):
    """Wrap a pure command (``do()``, ``undo()``, ``label``) for a ``QUndoStack``."""

    def __init__(self, command: Any, applied: bool = False, parent_widget: Any = None) -> None:
        super().__init__(str(getattr(command, "label", "Edit")))
        self.command = command
        self._skip_redo = applied
        self._widget = parent_widget

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        try:
            self.command.do()
        except Exception as exc:  # noqa: BLE001 - Qt would swallow it: show it
            self.setObsolete(True)
            handle_error(self._widget, exc)

    def undo(self) -> None:
        try:
            self.command.undo()
        except Exception as exc:  # noqa: BLE001 - Qt would swallow it: show it
            self.setObsolete(True)
            handle_error(self._widget, exc)


class WindowStore(LayerStore):
    """The window's project as a :class:`network.commands.LayerStore`.

    ``set`` goes through ``window.update_layer`` (project, map and network rebuild).
    """

    def __init__(self, window: Any) -> None:
        self._window = window

    def get(self, kind: str):
        project = self._window.project
        if project is None:
            raise RuntimeError("No project is open.")
        return project.layer(kind)

    def set(self, kind: str, gdf) -> None:
        self._window.update_layer(kind, gdf)


def push(window: Any, command: Any, stack: QUndoStack | None = None) -> QtCommand:
    """Do ``command`` now (exceptions propagate) and push it on the window's undo stack."""
    command.do()
    wrapper = QtCommand(command, applied=True, parent_widget=window)
    (stack or window.undo_stack).push(wrapper)
    return wrapper


__all__ = ["QtCommand", "WindowStore", "push"]
