"""Undoable edits of the outfall register (no Qt).

Each command has ``do()``, ``undo()`` and a ``label`` (the shape :mod:`gisapp.qt.undo` wraps
for the window's undo stack). Every step writes to the project file at once through
:class:`surveys.outfalls.store.OutfallStore`; ``after()`` runs after each step (the dock
reads the register again).

One step has no ``OutfallStore`` method, so it is written here with the store's own table
name: taking back an outfall added in the field (its row of ``pa_outfalls``). Its monitoring
records and decision are not touched, so a redo brings everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from network.io import gpkg
from surveys.outfalls.store import (
    OUTFALLS_TABLE,
    Decision,
    MonitoringRecord,
    OutfallStore,
)
from surveys.record_commands import ProjectEdit


def remove_field_outfall(path: str | Path, outfall_id: str) -> None:
    """Delete the register row of an outfall added in the field (undo of an addition)."""
    OutfallStore(path).close()  # creates or migrates the outfall tables
    db = gpkg.ProjectConnection(Path(path))
    try:
        with db.transaction() as con:
            con.execute(
                f"DELETE FROM {OUTFALLS_TABLE} WHERE outfall_id = ? AND field_added = 1",
                (str(outfall_id),),
            )
    finally:
        db.close()


class _Edit(ProjectEdit):
    def _store(self) -> OutfallStore:
        return OutfallStore(self.path)


class SetFacts(_Edit):
    """Set register facts of an outfall (field code → value; "" clears)."""

    def __init__(
        self,
        path: str | Path,
        outfall_id: str,
        new: Mapping[str, str],
        old: Mapping[str, str],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.outfall_id = outfall_id
        self.new, self.old, self.label = dict(new), dict(old), label

    def _do(self) -> None:
        with self._store() as s:
            s.set_values(self.outfall_id, self.new)

    def _undo(self) -> None:
        with self._store() as s:
            s.set_values(self.outfall_id, self.old)


class AddOutfall(_Edit):
    """Add an outfall found in the field at x/y (project CRS) with its facts."""

    def __init__(
        self,
        path: str | Path,
        outfall_id: str,
        x: float,
        y: float,
        values: Mapping[str, str],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.outfall_id, self.x, self.y = outfall_id, x, y
        self.values, self.label = dict(values), label

    def _do(self) -> None:
        with self._store() as s:
            s.add_outfall(self.outfall_id, self.x, self.y, self.values)

    def _undo(self) -> None:
        remove_field_outfall(self.path, self.outfall_id)


class AddSamples(_Edit):
    """Add monitoring records (entered in the form or imported); undo deletes them again."""

    def __init__(
        self,
        path: str | Path,
        records: Iterable[MonitoringRecord],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.records, self.label = tuple(records), label

    def _do(self) -> None:
        with self._store() as s:
            s.add_monitoring(self.records)

    def _undo(self) -> None:
        with self._store() as s:
            for r in self.records:
                s.delete_monitoring(r.uuid)


class DeleteSamples(AddSamples):
    """Delete monitoring records; undo puts them back with the same uuid."""

    def _do(self) -> None:
        super()._undo()

    def _undo(self) -> None:
        super()._do()


class SetDecision(_Edit):
    """Store (``new``) or clear (``new`` None) the decision of an outfall; undo restores the
    previous one. Problems raised in the ledger stay there (they are closed in the ledger)."""

    def __init__(
        self,
        path: str | Path,
        outfall_id: str,
        new: Decision | None,
        old: Decision | None,
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.outfall_id, self.new, self.old, self.label = outfall_id, new, old, label
        self.stored: Decision | None = None

    def _put(self, d: Decision | None) -> Any:
        with self._store() as s:
            if d is None:
                s.clear_decision(self.outfall_id)
                return None
            return s.decide(d)

    def _do(self) -> None:
        self.stored = self._put(self.new)
        if self.stored is not None:
            self.new = self.stored  # a redo stores exactly what was stored

    def _undo(self) -> None:
        self._put(self.old)


__all__ = ["AddOutfall", "AddSamples", "DeleteSamples", "SetDecision", "SetFacts"]
