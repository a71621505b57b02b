"""Undoable edits of the acceptance tables (no Qt).

Each command has ``do()``, ``undo()`` and a ``label`` (the shape :mod:`gisapp.qt.undo` wraps for
the window's undo stack); every step writes to the project file at once through
:class:`surveys.acceptance.store.AcceptanceStore`, and ``after()`` runs after each step (the dock
re-reads).

Examples
--------
>>> cmd = SetAnswers("park.gpkg", "ent:E01", {"雨污分流": "是"})  # doctest: +SKIP
>>> cmd.do(); cmd.undo()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from surveys.acceptance.store import AcceptanceStore, ManualScore, question
from surveys.record_commands import ProjectEdit


class SetAnswers(ProjectEdit):
    """Set survey answers of one subject (undo puts the previous answers back)."""

    def __init__(
        self,
        path: str | Path,
        subject: str,
        values: Mapping[str, Any],
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.subject = subject
        self.values = dict(values)
        self.old: dict[str, str] = {}
        self.label = f"Survey answers of {subject}"

    def _do(self) -> None:
        with AcceptanceStore(self.path) as st:
            before = st.data()
            codes = [question(self.subject, k).code for k in self.values]
            self.old = {c: before.answer(self.subject, c) for c in codes}
            st.set_answers(self.subject, self.values)

    def _undo(self) -> None:
        with AcceptanceStore(self.path) as st:
            st.set_answers(self.subject, self.old)


class SetManualScore(ProjectEdit):
    """Score an item by hand (undo restores the previous manual score, or none)."""

    def __init__(
        self,
        path: str | Path,
        pack: Any,
        item: str,
        score: float,
        reason: str = "",
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.pack, self.item, self.score, self.reason = pack, item, score, reason
        self.old: ManualScore | None = None
        self.label = f"Manual score of {item}"

    def _do(self) -> None:
        with AcceptanceStore(self.path) as st:
            self.old = st.data().manual_scores(self.pack.id).get(self.item)
            st.set_manual_score(self.pack, self.item, self.score, self.reason)

    def _undo(self) -> None:
        with AcceptanceStore(self.path) as st:
            if self.old is None:
                st.clear_manual_score(self.pack, self.item)
            else:
                st.set_manual_score(
                    self.pack,
                    self.item,
                    self.old.score,
                    self.old.reason,
                    assessor=self.old.assessor,
                )


class AttachEvidence(ProjectEdit):
    """Attach evidence files to a target (undo removes the references; files are kept)."""

    def __init__(
        self,
        path: str | Path,
        target: str,
        files: list[str | Path],
        after: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(path, after)
        self.target, self.files = target, list(files)
        self.fids: list[int] = []
        self.label = f"Evidence for {target}"

    def _do(self) -> None:
        with AcceptanceStore(self.path) as st:
            self.fids = [st.attach(self.target, f).fid for f in self.files]

    def _undo(self) -> None:
        with AcceptanceStore(self.path) as st:
            for fid in self.fids:
                st.detach(fid)
