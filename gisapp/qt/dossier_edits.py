"""Undoable edits of the park record and the dossier checklist (no Qt).

Each command has ``do()``, ``undo()`` and a ``label`` (the shape :mod:`gisapp.qt.undo` wraps
for the window's undo stack). Every step writes to the project file at once through
:class:`surveys.dossier.park.ParkStore`; ``after()`` runs after each step (the dock refreshes).

Two steps have no ``ParkStore`` method, so they are written here with the store's own table
names: putting a removed attachment row back exactly as it was (same number, path and
SHA-256, even when the file has gone missing meanwhile) and removing a review so the item's
status is automatic again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple
from pathlib import Path
from typing import Any

from network.io import gpkg
from surveys.dossier.park import FILES_TABLE, ITEMS_TABLE, Attachment, ParkStore, Review
from surveys.record_commands import ProjectEdit


def _write(path: Path, sql: str, params: tuple[Any, ...]) -> None:
    ParkStore(path).close()  # creates or migrates the dossier tables
    db = gpkg.ProjectConnection(path)
    try:
        with db.transaction() as con:
            con.execute(sql, params)
    finally:
        db.close()


def restore_attachment(path: str | Path, a: Attachment) -> None:
    """Put an attachment row back as it was (same number; the file is not checked)."""
    _write(
        Path(path),
        f"INSERT OR REPLACE INTO {FILES_TABLE} "
        "(fid, item, ent_id, path, sha256, size, title, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        astuple(a),
    )


def clear_review(path: str | Path, item: str, ent_id: str = "") -> None:
    """Forget the review of one item (its status follows its evidence again)."""
    _write(Path(path), f"DELETE FROM {ITEMS_TABLE} WHERE item = ? AND ent_id = ?", (item, ent_id))


class SetParkValues(ProjectEdit):
    """Set fields of the park record (or figure overrides); "" clears one."""

    def __init__(
        self,
        path: str | Path,
        new: Mapping[str, str],
        old: Mapping[str, str],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.new, self.old, self.label = dict(new), dict(old), label

    def _do(self) -> None:
        with ParkStore(self.path) as store:
            self.new = store.set_values(self.new)

    def _undo(self) -> None:
        with ParkStore(self.path) as store:
            store.set_values(self.old)


class SetEnterprise(ProjectEdit):
    """Set an enterprise's 生产规模 / 运行情况 for the enterprise list."""

    def __init__(
        self,
        path: str | Path,
        ent_id: str,
        new: Mapping[str, str],
        old: Mapping[str, str],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.ent_id, self.new, self.old, self.label = ent_id, dict(new), dict(old), label

    def _do(self) -> None:
        with ParkStore(self.path) as store:
            store.set_enterprise(self.ent_id, **self.new)

    def _undo(self) -> None:
        with ParkStore(self.path) as store:
            store.set_enterprise(self.ent_id, **self.old)


class AttachFiles(ProjectEdit):
    """Attach files to one item (redo puts the same rows back)."""

    def __init__(
        self,
        path: str | Path,
        item: str,
        ent_id: str,
        files: Iterable[str | Path],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.item, self.ent_id, self.files, self.label = item, ent_id, list(files), label
        self.attached: list[Attachment] = []

    def _do(self) -> None:
        if self.attached:
            for a in self.attached:
                restore_attachment(self.path, a)
            return
        with ParkStore(self.path) as store:
            try:
                for f in self.files:
                    self.attached.append(store.attach(self.item, f, ent_id=self.ent_id))
            except Exception:
                for a in self.attached:  # all or nothing
                    store.detach(a.fid)
                self.attached = []
                raise

    def _undo(self) -> None:
        with ParkStore(self.path) as store:
            for a in self.attached:
                store.detach(a.fid)


class RemoveAttachments(ProjectEdit):
    """Remove attachments (the files stay where they are; undo puts the rows back)."""

    def __init__(
        self,
        path: str | Path,
        attachments: Iterable[Attachment],
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.attachments, self.label = list(attachments), label

    def _do(self) -> None:
        with ParkStore(self.path) as store:
            for a in self.attachments:
                store.detach(a.fid)

    def _undo(self) -> None:
        for a in self.attachments:
            restore_attachment(self.path, a)


class SetReview(ProjectEdit):
    """Record (or, with ``status`` None, forget) the review of one item."""

    def __init__(
        self,
        path: str | Path,
        new: Review,
        old: Review | None,
        label: str,
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.new, self.old, self.label = new, old, label

    @staticmethod
    def _apply(path: Path, item: str, ent_id: str, r: Review | None) -> None:
        if r is None or not r.status:
            clear_review(path, item, ent_id)
            return
        with ParkStore(path) as store:
            store.review(
                item,
                r.status,
                ent_id=ent_id,
                reviewer=r.reviewer,
                note=r.note,
                reviewed=r.reviewed or None,
            )

    def _do(self) -> None:
        self._apply(self.path, self.new.item, self.new.ent_id, self.new)

    def _undo(self) -> None:
        self._apply(self.path, self.new.item, self.new.ent_id, self.old)
