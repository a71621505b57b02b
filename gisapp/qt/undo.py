"""The Qt side of undo: one ``QUndoCommand`` around any pure command object.

A pure command has ``do()``, ``undo()`` and a ``label`` (``network.commands`` edits of the
layers, ``surveys.record_commands`` edits of the survey records and the problem ledger).
``push(window, command)`` runs ``command.do()`` *before* pushing, so an exception reaches the
caller (PySide swallows exceptions raised inside ``QUndoStack.push`` -> ``redo``); the pushed
wrapper skips its first ``redo()`` because the command is already applied.

Later redo/undo calls come from the stack's actions (Ctrl+Z / Ctrl+Y). An exception there is
never swallowed: it is shown with :func:`gisapp.qt.errors.handle_error` (and logged), and the
command is made obsolete, so the stack drops it instead of offering an undo or redo that
cannot work. The data are as the failed call left them (pure commands change nothing when
they refuse).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from gisapp.qt.errors import handle_error
from network.commands import LayerStore

log = logging.getLogger(__name__)


class QtCommand(QUndoCommand):
    """Wrap a pure command (``do()``, ``undo()``, ``label``) for a ``QUndoStack``.

    Parameters
    ----------
    command
        The pure command.
    applied
        ``command.do()`` has already run: the first ``redo()`` (from ``QUndoStack.push``) is
        skipped.
    parent_widget
        Where an error of a later undo/redo is shown.
    saves_immediately
        The command writes to the project file at once (survey records, the ledger): undoing
        or redoing it leaves nothing unsaved, so it does not mark the window modified.
    """

    def __init__(
        self,
        command: Any,
        applied: bool = False,
        parent_widget: Any = None,
        *,
        saves_immediately: bool = False,
    ) -> None:
        super().__init__(str(getattr(command, "label", "Edit")))
        self.command = command
        self.saves_immediately = saves_immediately
        self._skip_redo = applied
        self._widget = parent_widget
        self.failure: BaseException | None = None

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._guard(self.command.do)

    def undo(self) -> None:
        self._guard(self.command.undo)

    def _guard(self, step: Any) -> None:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - Qt would swallow it: show it
            log.warning("%s of %r failed: %s", step.__name__, self.text(), exc)
            self.failure = exc
            self.setObsolete(True)  # the stack drops it: no undo/redo that cannot work
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


def push(
    window: Any,
    command: Any,
    stack: QUndoStack | None = None,
    *,
    saves_immediately: bool = False,
) -> QtCommand:
    """Do ``command`` now (exceptions propagate) and push it on the window's undo stack."""
    command.do()
    return push_applied(
        stack or window.undo_stack, command, window, saves_immediately=saves_immediately
    )


def push_applied(
    stack: QUndoStack, command: Any, parent_widget: Any = None, *, saves_immediately: bool = False
) -> QtCommand:
    """Push a command whose ``do()`` has already run (a form ran it to show its refusal)."""
    wrapper = QtCommand(
        command, applied=True, parent_widget=parent_widget, saves_immediately=saves_immediately
    )
    stack.push(wrapper)
    return wrapper


__all__ = ["QtCommand", "WindowStore", "push", "push_applied"]
