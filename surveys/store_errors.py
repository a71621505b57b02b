"""Exceptions of the survey record store, ledger, importer, reports and photos.

All subclass :class:`surveys.errors.SurveyError`, so ``gisapp`` catches them at its single
user-error boundary. Each carries structured fields (``file``, ``record``, ``field`` and
``data``) so the GUI and the CLI can word the message in either language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.errors import SurveyError, ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One field-level finding of record validation.

    Parameters
    ----------
    field : str
        The record field (also the form widget prefix, e.g. ``distance`` → ``distance_spin``).
    kind : str
        A stable key: ``required``, ``negative``, ``beyond_length``, ``unknown_code``,
        ``bad_grade``, ``future_date``, ``bad_date``, ``bad_choice``, ``out_of_range``,
        ``unknown_pipe``.
    message_en, message_zh : str
        The finding worded for people (what is wrong, what was found, how to fix it).
    found : Any
        The offending value.
    expected : Any
        What would have been accepted.
    """

    field: str
    kind: str
    message_en: str
    message_zh: str
    found: Any = None
    expected: Any = None

    @property
    def message(self) -> str:
        """The English message (the GUI picks the language it needs)."""
        return self.message_en


class RecordValidationError(ValidationError):
    """A record cannot be saved: one or more fields are invalid.

    The list of :class:`FieldProblem` is in :attr:`problems`; :attr:`field` names the first.
    """

    def __init__(self, problems: list[FieldProblem], *, record: str | None = None) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{first.message_en}{more}",
            "\n".join(f"{p.field}: {p.message_en}" for p in problems),
            record=record,
            field=first.field,
            problems=problems,
        )
        self.problems = problems


class RecordNotFoundError(SurveyError):
    """No record of this kind has this UUID in the project."""


class StaleEditError(SurveyError):
    """The record was changed (or deleted) elsewhere since it was read; the edit is refused."""


class StoreLockedError(SurveyError):
    """The project file stayed locked by another window or program for too long."""


class StoreVersionError(SurveyError):
    """The survey tables were written by a newer PipeAtlas, or are damaged."""


class StoreFileError(SurveyError):
    """The project file cannot be opened or written as a GeoPackage."""


class PhotoError(SurveyError):
    """A photo is missing, too large, not an image, or outside the project folder."""


class TableImportError(SurveyError):
    """An inspection table cannot be read at all (no row could be imported)."""


class MappingError(SurveyError):
    """A column mapping names a field or a column that does not exist."""


class WorkbookError(SurveyError):
    """A ledger workbook cannot be read or is not a PipeAtlas ledger export."""


class ReportError(SurveyError):
    """A report cannot be written (no CJK font, output not writable …)."""
