"""Exceptions of the surveys library.

Every exception carries a user message plus optional details and the structured place of
the problem (file, record, field, key) so the GUI and the CLI can word it in either
language. The hierarchy is open: add a subclass per new case.
"""

from __future__ import annotations

from typing import Any


class SurveyError(Exception):
    """Base class of expected, user-fixable problems in ``surveys``.

    Parameters
    ----------
    message : str
        What is wrong, what was found, and how to fix it.
    details : str, optional
        Extra text for a "details" box (a traceback line, the offending value …).
    file : str, optional
        The file concerned (a standard pack, a survey table …).
    record : str, optional
        The record concerned (an observation row, a pipe id, a defect code …).
    field : str, optional
        The field or column concerned.
    key : str, optional
        The JSON key path concerned, e.g. ``codes[3].grades[1].score``.
    **data
        Further structured values (``expected``, ``found`` …) kept in :attr:`data`.
    """

    def __init__(
        self,
        message: str,
        details: str = "",
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
        key: str | None = None,
        **data: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.file = file
        self.record = record
        self.field = field
        self.key = key
        self.data = data

    def where(self) -> str:
        """Return 'file …, record …, field …, key …' for the parts that are known."""
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field}")
        if self.key:
            parts.append(f"key {self.key}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.message


class StandardPackError(SurveyError):
    """A standard pack file cannot be read or breaks the pack format."""


class CodeNotFoundError(SurveyError):
    """A defect code is not in the loaded standard pack."""


class GradeError(SurveyError):
    """A defect grade is not one of the grades its code defines."""


class ValidationError(SurveyError):
    """Input values (observations, segments, weights) are missing or out of range."""
