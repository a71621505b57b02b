"""Errors of the PostGIS project store: what happened, to which record, what to do."""

from __future__ import annotations

from network.errors import ProjectError


class TeamError(ProjectError):
    """A PostGIS project cannot be reached, read or written (expected, user-fixable)."""


class StaleWriteError(TeamError):
    """A write lost a race: someone changed the record after it was read.

    Carries the table, the record's UUID, the version the writer had read, the version in the
    database and who made it, so the GUI can word it in either language.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str,
        uuid: str,
        base_version: int | None,
        db_version: int | None,
        changed_by: str | None,
        changed_at: str | None = None,
    ) -> None:
        super().__init__(message, layer=table, feature=uuid)
        self.table = table
        self.uuid = uuid
        self.base_version = base_version
        self.db_version = db_version
        self.changed_by = changed_by
        self.changed_at = changed_at


class RoleRefusedError(TeamError):
    """The database refused a write because the logged-in role may not make it."""
