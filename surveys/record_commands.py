"""Undoable commands on survey records (STYLE §6): plain objects with ``do``/``undo``.

``gisapp`` wraps them for ``QUndoStack``. Each command holds ids and values, never
widgets. Edits keep the optimistic revision check: undoing an edit that someone else has
changed since is refused with :class:`~surveys.store_errors.StaleEditError`, never forced.

Examples
--------
>>> cmd = AddRecord(store, Observation(pipe_id="P1", distance_m=2, code="PL", grade=2))
... # doctest: +SKIP
>>> cmd.do(); cmd.undo(); cmd.do()                            # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveys.records import Record
from surveys.store import SurveyStore


@dataclass
class AddRecord:
    """Add a record; undo soft-deletes it, redo brings the same record (same UUID) back."""

    store: SurveyStore
    record: Record
    label: str = "Add record"
    added: Record | None = None

    def do(self) -> None:
        """Insert the record (first time) or undelete it (redo)."""
        if self.added is None:
            self.added = self.store.add(self.record)
        else:
            self.added = self.store.undelete(self.added.KIND, self.added.uuid)

    def undo(self) -> None:
        """Soft-delete the added record."""
        assert self.added is not None
        self.added = self.store.delete(self.added.KIND, self.added.uuid)


@dataclass
class EditRecord:
    """Save an edited record (``new.revision`` = the revision it was read at)."""

    store: SurveyStore
    new: Record
    label: str = "Edit record"
    old: Record | None = None
    revision: int | None = None  # the revision the stored record has after our last step

    def do(self) -> None:
        """Save ``new`` (refused if the stored record moved on)."""
        if self.revision is None:
            old = self.store.get(self.new.KIND, self.new.uuid)
            saved = self.store.update(self.new)
            self.old = old
        else:  # redo
            saved = self.store.update(dataclasses.replace(self.new, revision=self.revision))
        self.revision = saved.revision

    def undo(self) -> None:
        """Restore the old content (refused if someone edited the record since)."""
        assert self.old is not None and self.revision is not None
        saved = self.store.update(dataclasses.replace(self.old, revision=self.revision))
        self.revision = saved.revision


@dataclass
class DeleteRecord:
    """Soft-delete a record; undo brings it back."""

    store: SurveyStore
    kind: str
    uuid: str
    expected_revision: int | None = None
    label: str = "Delete record"

    def do(self) -> None:
        """Soft-delete (refused if ``expected_revision`` no longer matches)."""
        rec = self.store.delete(self.kind, self.uuid, expected_revision=self.expected_revision)
        self.expected_revision = rec.revision

    def undo(self) -> None:
        """Undelete."""
        rec = self.store.undelete(self.kind, self.uuid, expected_revision=self.expected_revision)
        self.expected_revision = rec.revision


@dataclass
class MacroCommand:
    """Several commands done in order and undone in reverse (one undo step)."""

    commands: list[Any] = field(default_factory=list)
    label: str = "Edit records"

    def do(self) -> None:
        """Do every command."""
        for c in self.commands:
            c.do()

    def undo(self) -> None:
        """Undo every command, last first."""
        for c in reversed(self.commands):
            c.undo()


# --- the problem ledger ------------------------------------------------------------------------
@dataclass
class RaiseProblems:
    """Raise problems into the ledger (``surveys.ledger.raise_problems``); undo removes them.

    Problems already in the ledger (same ``source_ref``) are skipped, as when raising
    directly. Undo soft-deletes the problems this command added; redo brings the same
    problems (same UUIDs) back.
    """

    store: SurveyStore
    problems: list[Any]
    label: str = "Raise problems"
    result: Any = None  # the first run's ``ledger.RaiseResult``
    _added: list[AddRecord] = field(default_factory=list)

    def do(self) -> None:
        """Raise (first time) or undelete the raised problems (redo)."""
        from surveys.ledger import raise_problems

        if self.result is None:
            self.result = raise_problems(self.store, self.problems)
            self._added = [AddRecord(self.store, p, added=p) for p in self.result.added]
            return
        for cmd in self._added:
            cmd.do()

    def undo(self) -> None:
        """Soft-delete the problems this command added, last first."""
        for cmd in reversed(self._added):
            cmd.undo()


@dataclass
class ApplyLedgerImport:
    """Apply a ledger workbook import (``surveys.ledger.apply_ledger_import``) as one step.

    Undo restores the updated problems' old content and removes the added ones (both
    refused, never forced, if the records changed since); redo applies them again.
    """

    store: SurveyStore
    plan: Any  # ledger.LedgerImportPlan
    label: str = "Import ledger workbook"
    result: Any = None  # the first run's ``ledger.LedgerImportResult``
    _steps: MacroCommand | None = None

    def do(self) -> None:
        """Apply the plan (first time) or redo its saved changes."""
        from surveys.ledger import apply_ledger_import

        if self._steps is not None:
            self._steps.do()
            return
        before = {c.uuid: self.store.get("problem", c.uuid) for c in self.plan.changes}
        self.result = apply_ledger_import(self.store, self.plan)
        steps: list[Any] = [
            EditRecord(self.store, rec, old=before[rec.uuid], revision=rec.revision)
            for rec in self.result.updated
        ]
        steps += [AddRecord(self.store, rec, added=rec) for rec in self.result.added]
        self._steps = MacroCommand(steps, label=self.label)

    def undo(self) -> None:
        """Put the updated problems back and remove the added ones."""
        assert self._steps is not None
        self._steps.undo()


def _nothing() -> None:
    return None


class ProjectEdit:
    """An undoable write to a subject's tables of one project (dossier, outfall register …).

    Subclasses implement ``_do``/``_undo`` (each opening the subject's store on
    :attr:`path`); ``after`` runs once either has finished, failed or not, so a view can
    re-read what is stored.
    """

    label = "Edit"

    def __init__(self, path: str | Path, after: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        self.after = after or _nothing

    def do(self) -> None:
        """Apply the edit, then call ``after``."""
        try:
            self._do()
        finally:
            self.after()

    def undo(self) -> None:
        """Take the edit back, then call ``after``."""
        try:
            self._undo()
        finally:
            self.after()

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError
