"""The survey record store: records kept in the project GeoPackage, safely.

:class:`SurveyStore` keeps inspections, observations, misconnections, leaks, siltation and
ledger problems in ``sv_*`` tables of the project GeoPackage (see :mod:`surveys.schema_sv`).

Safety rules
------------
* Every save is one SQLite transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) in the default
  rollback-journal mode (the file stays a plain GeoPackage that QGIS and GDAL open; a
  process killed mid-save leaves a hot journal that the next open rolls back).
* Two windows on one project coordinate through SQLite's file lock (writers wait up to
  ``busy_timeout_s``) and an optimistic revision check: an edit carries the ``revision``
  it was read at, and is refused with :class:`StaleEditError` when the stored record moved
  on. Nothing is overwritten silently.
* Deletes are soft (``deleted = 1``) and can be undone with :meth:`SurveyStore.undelete`.
* Segment grades (``sv_grades``) are recomputed for the affected pipes inside the same
  transaction whenever an observation changes.
* The store never opens the file on its own terms: the connection, the write lock (shared
  with Save), following the file when Save replaces it, the "is this a PipeAtlas project"
  check and the schema versions all belong to :mod:`network.io.gpkg`.
* Pipe attributes (ids, ends, length, diameter) come from the in-memory project, never from
  the saved ``pipes`` table: validation and grading see the current, possibly unsaved pipes
  (see :class:`PipeAttributes`).

Listeners registered with :meth:`SurveyStore.subscribe` receive a :class:`StoreEvent`
after each commit (the Qt side turns these into signals).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import logging
import math
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from network.errors import ProjectError
from network.io import gpkg
from surveys import schema_sv
from surveys.pipe_source import (
    PIPE_COLUMNS,
    PipeAttributes,
    PipeSource,
)
from surveys.records import (
    Observation,
    Record,
    ValidationContext,
    record_type,
    validate_record,
)
from surveys.store_errors import (
    RecordNotFoundError,
    RecordValidationError,
    StaleEditError,
    StoreFileError,
    StoreLockedError,
)

log = logging.getLogger(__name__)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds (``…T08:00:00.123+00:00``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def default_author() -> str:
    """The login name of the current user (``"unknown"`` if it cannot be found)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclass(frozen=True)
class StoreEvent:
    """A committed change.

    ``action`` is ``added``, ``updated``, ``deleted``, ``undeleted``, ``bulk`` (many records,
    ``uuids`` lists them) or ``regraded``. ``pipe_ids`` are the pipes whose grades changed.
    """

    action: str
    kind: str
    uuids: tuple[str, ...]
    pipe_ids: tuple[str, ...] = ()


class SurveyStore:
    """Survey records of one project GeoPackage.

    Parameters
    ----------
    path : str or Path
        The project GeoPackage. It must be a PipeAtlas project (create it first); the
        survey tables are created or migrated on open.
    pipes : PipeSource, optional
        The pipes to validate and grade against: a callable returning the current pipe
        layer (the window passes its own, so unsaved edits count), a ``Project`` or a frame.
        Default: the saved pipes layer of ``path``, read once when first needed.
    author : str, optional
        Name written into ``author``/``modified_by`` (default: the login name).
    pack : StandardPack, optional
        Standard pack for validation and grading (default: the shipped CJJ 181-2012).
    defaults : surveys.grading.GradingDefaults, optional
        K, T and diameter used where a pipe has no ``area_k``/``soil_t``/``diameter_mm``.
    busy_timeout_s : float
        How long a save waits for another window's lock before giving up.
    today : callable, optional
        Returns today's date (tests pass a fixed date).

    Raises
    ------
    StoreFileError
        The file does not exist, is not a PipeAtlas project (a plain GeoPackage or another
        SQLite file is refused, never written into) or is damaged.
    StoreLockedError
        Another program kept the file locked while the tables were checked.
    StoreVersionError
        The survey tables were written by a newer PipeAtlas.

    Examples
    --------
    >>> project = open_project("park.gpkg")                   # doctest: +SKIP
    >>> store = SurveyStore(project.path, pipes=project)       # doctest: +SKIP
    >>> obs = store.add(Observation(pipe_id="P1", distance_m=3.2, code="PL", grade=3))
    ...                                                          # doctest: +SKIP
    """

    def __init__(
        self,
        path: str | Path,
        *,
        pipes: PipeSource | None = None,
        author: str | None = None,
        pack: Any = None,
        defaults: Any = None,
        busy_timeout_s: float = 10.0,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        self.path = Path(path)
        self.author = author or default_author()
        self._pack = pack
        self.defaults = defaults
        self._today = today or dt.date.today
        self._listeners: list[Callable[[StoreEvent], None]] = []
        self._busy_timeout_s = busy_timeout_s
        try:
            self._db = gpkg.ProjectConnection(
                self.path, timeout_s=busy_timeout_s, on_reconnect=self._migrate
            )
        except ProjectError as exc:
            raise self._file_error(exc) from exc
        self._lock = self._db.guard
        self.pipes = PipeAttributes(pipes, self.path)
        try:
            self.migrated_from, self.schema_version = self._migrate(self._db.conn)
        except BaseException:
            self._db.close()
            raise
        log.debug("Opened survey store %s", self.path)

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection to the current project file (followed across Saves)."""
        try:
            return self._db.conn
        except ProjectError as exc:
            raise self._file_error(exc) from exc

    def _migrate(self, conn: sqlite3.Connection) -> tuple[int, int]:
        try:
            return schema_sv.migrate(conn, self.path)
        except ProjectError as exc:
            raise self._file_error(exc) from exc

    def _file_error(self, exc: ProjectError) -> StoreFileError | StoreLockedError:
        """The survey error for a problem of the project file (worded by its owner)."""
        if isinstance(exc, gpkg.ProjectLockedError):
            return self._locked_error(exc)
        return StoreFileError(exc.message, details=exc.details, file=str(self.path))

    def set_pipe_source(self, pipes: PipeSource | None) -> None:
        """Validate and grade against another pipe source from now on."""
        self.pipes.set_source(pipes)

    # --- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> SurveyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def project_dir(self) -> Path:
        """The folder that holds the project file (photos live beside it)."""
        return self.path.parent

    @property
    def pack(self) -> Any:
        """The standard pack used for validation and grading (loaded on first use)."""
        if self._pack is None:
            from surveys.standards import load_pack

            self._pack = load_pack()
        return self._pack

    def today(self) -> dt.date:
        """Today's date as the store sees it."""
        return self._today()

    # --- listeners --------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[StoreEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` after every commit; returns a function that unsubscribes."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _emit(self, event: StoreEvent) -> None:
        for cb in list(self._listeners):
            cb(event)

    # --- transactions -----------------------------------------------------------------------
    def _locked_error(self, exc: Exception) -> StoreLockedError:
        return StoreLockedError(
            f"{self.path.name} is locked by another window or program (waited "
            f"{self._busy_timeout_s:g} s); close the other window's dialog or wait, then save "
            "again.",
            details=str(exc),
            file=str(self.path),
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), rolled back on error.

        The transaction runs on the current project file under its write lock (see
        :meth:`network.io.gpkg.ProjectConnection.transaction`).

        Raises
        ------
        StoreLockedError
            Another connection held the write lock for longer than the busy timeout.
        StoreFileError
            The project file went missing or is damaged.
        """
        try:
            with self._db.transaction() as conn:
                yield conn
        except ProjectError as exc:
            raise self._file_error(exc) from exc

    # --- (de)serialisation ------------------------------------------------------------------
    @staticmethod
    def _to_row(rec: Record) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for s in rec.specs():
            v = getattr(rec, s.name)
            if s.kind == "json":
                v = json.dumps(list(v or []), ensure_ascii=False)
            elif s.kind == "bool":
                v = int(bool(v))
            elif s.kind == "real":
                v = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
            elif s.kind == "int":
                v = None if v is None else int(v)
            elif s.kind == "date" and isinstance(v, dt.date):
                v = v.isoformat()
            elif v is None:
                v = ""
            row[s.name] = v
        return row

    @staticmethod
    def _from_row(cls: type[Record], row: sqlite3.Row) -> Record:
        values: dict[str, Any] = {}
        keys = row.keys()
        for s in cls.specs():
            if s.name not in keys:
                continue
            v = row[s.name]
            if s.kind == "json":
                v = json.loads(v) if v else []
            elif s.kind == "bool":
                v = bool(v)
            elif s.kind in ("text", "date"):
                v = v or ""
            values[s.name] = v
        return cls(
            uuid=row["uuid"],
            author=row["author"] or "",
            created=row["created"] or "",
            modified=row["modified"] or "",
            modified_by=row["modified_by"] or "",
            revision=int(row["revision"]),
            deleted=bool(row["deleted"]),
            **values,
        )

    # --- reading ----------------------------------------------------------------------------
    def get(self, kind: str, uuid: str) -> Record:
        """Return one record (deleted ones too).

        Raises
        ------
        RecordNotFoundError
            No record of this kind has this UUID.
        """
        cls = record_type(kind)
        with self._lock:
            row = self._conn.execute(
                f"SELECT * FROM {cls.TABLE} WHERE uuid = ?", (uuid,)
            ).fetchone()
        if row is None:
            raise RecordNotFoundError(
                f"No {cls.LABEL_EN.lower()} with id {uuid} in {self.path.name}; it may have "
                "been removed by another program.",
                record=uuid,
                file=str(self.path),
            )
        return self._from_row(cls, row)

    def records(self, kind: str, *, include_deleted: bool = False, **equals: Any) -> list[Record]:
        """Return the records of a kind, oldest first, optionally filtered by field values.

        Examples
        --------
        >>> store.records("observation", pipe_id="P1")            # doctest: +SKIP
        """
        cls = record_type(kind)
        where, params = [], []
        if not include_deleted:
            where.append("deleted = 0")
        for k, v in equals.items():
            if k not in {s.name for s in cls.specs()}:
                raise KeyError(f"{cls.__name__} has no field {k!r}")
            where.append(f'"{k}" = ?')
            params.append(v)
        sql = f"SELECT * FROM {cls.TABLE}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY fid", params).fetchall()
        return [self._from_row(cls, r) for r in rows]

    def count(self, kind: str, *, include_deleted: bool = False) -> int:
        """Number of records of a kind."""
        cls = record_type(kind)
        sql = f"SELECT count(*) FROM {cls.TABLE}"
        if not include_deleted:
            sql += " WHERE deleted = 0"
        with self._lock:
            return int(self._conn.execute(sql).fetchone()[0])

    def frame(self, kind: str, *, include_deleted: bool = False) -> pd.DataFrame:
        """Return the records of a kind as a DataFrame (JSON lists left as text)."""
        cls = record_type(kind)
        sql = f"SELECT * FROM {cls.TABLE}"
        if not include_deleted:
            sql += " WHERE deleted = 0"
        with self._lock:
            df = pd.read_sql_query(sql + " ORDER BY fid", self._conn)
        return df.drop(columns=["fid"])

    def has_pipes(self) -> bool:
        """Whether the project has a pipes layer."""
        return self.pipes.frame() is not None

    def pipes_frame(self, pipe_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Pipe attributes for grading: index ``pipe_id``; from/to node, length, diameter.

        Taken from the in-memory pipe layer (see :class:`PipeAttributes`), all pipes or only
        ``pipe_ids``. Missing canonical columns come back as NaN/None; an absent layer gives
        an empty frame.
        """
        table = self.pipes.table()
        if pipe_ids is None:
            return table
        return table[table.index.isin([str(p) for p in pipe_ids])]

    def pipe_info(self, pipe_id: str) -> dict[str, Any] | None:
        """One pipe's canonical attributes, or None when the id is not in the pipes layer."""
        table = self.pipes.table()
        if pipe_id not in table.index:
            return None
        row = table.loc[pipe_id]
        info = {"pipe_id": pipe_id}
        for c in PIPE_COLUMNS[1:]:
            v = row[c]
            info[c] = None if v is None or (isinstance(v, float) and math.isnan(v)) else v
        return info

    def _context(self, rec: Record) -> ValidationContext:
        lengths: dict[str, float] | None = None
        if isinstance(rec, Observation) and rec.pipe_id and self.has_pipes():
            info = self.pipe_info(rec.pipe_id)
            lengths = {} if info is None else {rec.pipe_id: info["length_m"]}
        return ValidationContext(pack=self.pack, pipe_lengths=lengths, today=self.today())

    def validate(self, rec: Record) -> list:
        """Check a record against the pack, the pipes layer and today's date.

        Returns
        -------
        list of FieldProblem
            Empty when the record can be saved.
        """
        return validate_record(rec, self._context(rec))

    def _check(self, rec: Record) -> None:
        problems = self.validate(rec)
        if problems:
            raise RecordValidationError(problems, record=rec.uuid or None)

    # --- writing ----------------------------------------------------------------------------
    def _insert(self, conn: sqlite3.Connection, rec: Record, now: str) -> Record:
        new = dataclasses.replace(
            rec,
            uuid=rec.uuid or str(uuidlib.uuid4()),
            author=rec.author or self.author,
            created=now,
            modified=now,
            modified_by=self.author,
            revision=1,
            deleted=False,
        )
        row = self._to_row(new)
        meta = {
            "uuid": new.uuid,
            "author": new.author,
            "created": now,
            "modified": now,
            "modified_by": self.author,
            "revision": 1,
            "deleted": 0,
        }
        row = {**meta, **row}
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        try:
            conn.execute(f"INSERT INTO {new.TABLE} ({names}) VALUES ({marks})", list(row.values()))
        except sqlite3.IntegrityError as exc:
            raise StaleEditError(
                f"A {new.LABEL_EN.lower()} with id {new.uuid} already exists; reload it.",
                details=str(exc),
                record=new.uuid,
            ) from exc
        return new

    def add(self, rec: Record) -> Record:
        """Validate and insert a new record; return it with uuid, times and revision 1.

        Raises
        ------
        RecordValidationError
            A field is invalid (see ``exc.problems``).
        StoreLockedError
            Another window held the lock too long.
        """
        self._check(rec)
        with self.transaction() as conn:
            new = self._insert(conn, rec, now_iso())
            pipes = self._regrade_in(conn, new.graded_pipes())
        self._emit(StoreEvent("added", new.KIND, (new.uuid,), pipes))
        return new

    def add_many(
        self, recs: Iterable[Record], *, validate: bool = True, regrade: bool = True
    ) -> list[Record]:
        """Insert many records in one transaction (all or nothing).

        Raises
        ------
        RecordValidationError
            A record is invalid; nothing was saved. ``exc.record`` is its position.
        """
        recs = list(recs)
        if validate:
            lengths = None
            if self.has_pipes():
                lengths = self.pipes_frame()["length_m"].to_dict()
            ctx = ValidationContext(pack=self.pack, pipe_lengths=lengths, today=self.today())
            for i, rec in enumerate(recs):
                problems = validate_record(rec, ctx)
                if problems:
                    raise RecordValidationError(problems, record=str(i))
        now = now_iso()
        with self.transaction() as conn:
            out = [self._insert(conn, rec, now) for rec in recs]
            pipes = sorted({p for r in out for p in r.graded_pipes()})
            if regrade and pipes:
                self._regrade_in(conn, pipes)
        if out:
            self._emit(StoreEvent("bulk", out[0].KIND, tuple(r.uuid for r in out), tuple(pipes)))
        return out

    def _current(self, conn: sqlite3.Connection, cls: type[Record], uuid: str) -> sqlite3.Row:
        row = conn.execute(f"SELECT * FROM {cls.TABLE} WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            raise RecordNotFoundError(
                f"No {cls.LABEL_EN.lower()} with id {uuid} in {self.path.name}.",
                record=uuid,
                file=str(self.path),
            )
        return row

    def _stale(self, cls: type[Record], row: sqlite3.Row, expected: int) -> StaleEditError:
        what = cls.LABEL_EN.lower()
        state = "deleted" if row["deleted"] else "changed"
        return StaleEditError(
            f"This {what} was {state} by {row['modified_by'] or 'someone'} at "
            f"{row['modified']} (revision {row['revision']}) after you opened it "
            f"(revision {expected}). Your edit was not saved: reload the record and "
            "apply your change again.",
            record=row["uuid"],
            expected=expected,
            found=int(row["revision"]),
            modified_by=row["modified_by"],
            modified=row["modified"],
        )

    def update(self, rec: Record) -> Record:
        """Save an edited record; ``rec.revision`` must be the revision it was read at.

        Returns
        -------
        Record
            The saved record, with the revision increased by one.

        Raises
        ------
        RecordValidationError
            A field is invalid.
        StaleEditError
            The stored record changed or was deleted since ``rec`` was read.
        RecordNotFoundError
            The record does not exist.
        """
        self._check(rec)
        cls = type(rec)
        now = now_iso()
        with self.transaction() as conn:
            row = self._current(conn, cls, rec.uuid)
            if int(row["revision"]) != rec.revision or row["deleted"]:
                raise self._stale(cls, row, rec.revision)
            old = self._from_row(cls, row)
            values = self._to_row(rec)
            sets = ", ".join(f'"{k}" = ?' for k in values)
            conn.execute(
                f"UPDATE {cls.TABLE} SET {sets}, modified = ?, modified_by = ?, "
                "revision = revision + 1 WHERE uuid = ? AND revision = ?",
                [*values.values(), now, self.author, rec.uuid, rec.revision],
            )
            new = dataclasses.replace(
                rec,
                modified=now,
                modified_by=self.author,
                revision=rec.revision + 1,
                deleted=False,
                author=old.author,
                created=old.created,
            )
            pipes = self._regrade_in(conn, set(old.graded_pipes()) | set(new.graded_pipes()))
        self._emit(StoreEvent("updated", cls.KIND, (rec.uuid,), pipes))
        return new

    def save_batch(
        self,
        adds: Iterable[Record] = (),
        updates: Iterable[Record] = (),
    ) -> tuple[list[Record], list[Record], list[tuple[Record, StaleEditError]]]:
        """Insert ``adds`` and save ``updates`` in one transaction.

        Updates whose stored record moved on (revision check) are skipped and returned
        with their :class:`StaleEditError`; the rest is committed together.

        Returns
        -------
        (added, updated, stale)

        Raises
        ------
        RecordValidationError
            A record is invalid; nothing was saved.
        """
        adds, updates = list(adds), list(updates)
        for rec in [*adds, *updates]:
            self._check(rec)
        now = now_iso()
        added, updated, stale = [], [], []
        pipes: set[str] = set()
        with self.transaction() as conn:
            for rec in adds:
                added.append(self._insert(conn, rec, now))
                pipes.update(added[-1].graded_pipes())
            for rec in updates:
                cls = type(rec)
                row = self._current(conn, cls, rec.uuid)
                if int(row["revision"]) != rec.revision or row["deleted"]:
                    stale.append((rec, self._stale(cls, row, rec.revision)))
                    continue
                old = self._from_row(cls, row)
                values = self._to_row(rec)
                sets = ", ".join(f'"{k}" = ?' for k in values)
                conn.execute(
                    f"UPDATE {cls.TABLE} SET {sets}, modified = ?, modified_by = ?, "
                    "revision = revision + 1 WHERE uuid = ?",
                    [*values.values(), now, self.author, rec.uuid],
                )
                updated.append(
                    dataclasses.replace(
                        rec,
                        modified=now,
                        modified_by=self.author,
                        revision=rec.revision + 1,
                        author=old.author,
                        created=old.created,
                    )
                )
                pipes.update(old.graded_pipes(), rec.graded_pipes())
            grade_ids = self._regrade_in(conn, pipes)
        done = added + updated
        if done:
            self._emit(StoreEvent("bulk", done[0].KIND, tuple(r.uuid for r in done), grade_ids))
        return added, updated, stale

    def _set_deleted(
        self, kind: str, uuid: str, deleted: bool, expected_revision: int | None
    ) -> Record:
        cls = record_type(kind)
        now = now_iso()
        with self.transaction() as conn:
            row = self._current(conn, cls, uuid)
            if expected_revision is not None and int(row["revision"]) != expected_revision:
                raise self._stale(cls, row, expected_revision)
            if bool(row["deleted"]) == deleted:
                return self._from_row(cls, row)
            conn.execute(
                f"UPDATE {cls.TABLE} SET deleted = ?, modified = ?, modified_by = ?, "
                "revision = revision + 1 WHERE uuid = ?",
                (int(deleted), now, self.author, uuid),
            )
            rec = self._from_row(cls, self._current(conn, cls, uuid))
            pipes = self._regrade_in(conn, rec.graded_pipes())
        self._emit(StoreEvent("deleted" if deleted else "undeleted", kind, (uuid,), pipes))
        return rec

    def delete(self, kind: str, uuid: str, *, expected_revision: int | None = None) -> Record:
        """Soft-delete a record (it stays in the file and can be undeleted).

        Raises
        ------
        StaleEditError
            ``expected_revision`` is given and the record changed since.
        RecordNotFoundError
            The record does not exist.
        """
        return self._set_deleted(kind, uuid, True, expected_revision)

    def undelete(self, kind: str, uuid: str, *, expected_revision: int | None = None) -> Record:
        """Bring back a soft-deleted record.

        Raises
        ------
        StaleEditError, RecordNotFoundError
            As for :meth:`delete`.
        """
        return self._set_deleted(kind, uuid, False, expected_revision)

    # --- pipe resolution --------------------------------------------------------------------
    def resolve_pending(self) -> tuple[int, list[str]]:
        """Match observations that have start/end manholes but no pipe to the pipes layer.

        A pipe matches when its ``from_node``/``to_node`` equal the start/end manholes
        (``reverse`` is set when they match the other way round). Ambiguous pairs (twin
        pipes) and unknown pairs are left pending.

        Returns
        -------
        (int, list of str)
            How many were resolved, and one message per observation left pending.
        """
        pipes = self.pipes_frame()
        pairs: dict[tuple[str, str], list[str]] = {}
        for pid, a, b in zip(pipes.index, pipes["from_node"], pipes["to_node"], strict=True):
            pairs.setdefault((str(a), str(b)), []).append(pid)
        pending = [
            r
            for r in self.records("observation", pipe_id="")
            if isinstance(r, Observation) and r.start_node and r.end_node
        ]
        resolved, messages = 0, []
        for rec in pending:
            fwd = pairs.get((rec.start_node, rec.end_node), [])
            rev = pairs.get((rec.end_node, rec.start_node), [])
            hits = [(p, False) for p in fwd] + [(p, True) for p in rev]
            if len(hits) == 1:
                pid, reverse = hits[0]
                try:
                    self.update(dataclasses.replace(rec, pipe_id=pid, reverse=reverse))
                    resolved += 1
                except RecordValidationError as exc:
                    messages.append(
                        f"{rec.start_node}→{rec.end_node} @ {rec.distance_m} m: {exc.message}"
                    )
            elif hits:
                messages.append(
                    f"{rec.start_node}→{rec.end_node}: {len(hits)} pipes join "
                    f"these manholes ({', '.join(p for p, _ in hits)}); pick one."
                )
            else:
                messages.append(f"{rec.start_node}→{rec.end_node}: no pipe joins these manholes.")
        return resolved, messages

    # --- grading ----------------------------------------------------------------------------
    def observations_for_grading(
        self, pipe_ids: Iterable[str] | None = None, conn: sqlite3.Connection | None = None
    ) -> pd.DataFrame:
        """Live, resolved observations as the grading engine wants them.

        Columns: ``uuid``, ``pipe_id``, ``code``, ``grade``, ``distance_m`` (from the pipe's
        ``from_node``: reversed observations are flipped), ``length_m``, ``reverse``.
        """
        conn = conn or self._conn
        sql = (
            "SELECT uuid, pipe_id, code, grade, distance_m, length_m, reverse "
            "FROM sv_observations WHERE deleted = 0 AND pipe_id <> ''"
        )
        params: list[Any] = []
        if pipe_ids is not None:
            ids = list(pipe_ids)
            if not ids:
                return pd.DataFrame(
                    columns=[
                        "uuid",
                        "pipe_id",
                        "code",
                        "grade",
                        "distance_m",
                        "length_m",
                        "reverse",
                    ]
                )
            sql += f" AND pipe_id IN ({', '.join('?' for _ in ids)})"
            params = ids
        with self._lock:
            return pd.read_sql_query(sql, conn, params=params)

    def compute_grades(
        self, pipe_ids: Iterable[str] | None = None, conn: sqlite3.Connection | None = None
    ) -> pd.DataFrame:
        """Grade segments with the pack's engine without saving (all pipes when None).

        Returns
        -------
        DataFrame
            One row per pipe (index ``pipe_id``), the engine's columns.
        """
        from surveys.gradecache import grade_frame

        ids = None if pipe_ids is None else sorted(set(pipe_ids))
        if ids is not None and len(ids) > 2000:  # read all, filter here (SQL IN limits)
            keep = set(ids)
            obs = self.observations_for_grading(None, conn)
            obs = obs[obs["pipe_id"].isin(keep)]
            pipes = self.pipes_frame()
            pipes = pipes.loc[pipes.index.intersection(ids)]
        else:
            obs = self.observations_for_grading(ids, conn)
            pipes = self.pipes_frame(ids)
        return grade_frame(obs, pipes, self.pack, self.defaults)

    def _regrade_in(self, conn: sqlite3.Connection, pipe_ids: Iterable[str]) -> tuple[str, ...]:
        from surveys.gradecache import write_grades

        ids = tuple(sorted({p for p in pipe_ids if p}))
        if not ids:
            return ()
        grades = self.compute_grades(ids, conn)
        write_grades(conn, grades, ids, self.pack, now_iso())
        return ids

    def regrade(self, pipe_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Recompute and save the grades of some pipes (all pipes of the layer when None).

        Returns
        -------
        DataFrame
            The new grades (index ``pipe_id``).
        """
        from surveys.gradecache import write_grades

        ids = None if pipe_ids is None else sorted(set(pipe_ids))
        grades = self.compute_grades(ids)
        with self.transaction() as conn:
            write_grades(conn, grades, ids, self.pack, now_iso())
        self._emit(
            StoreEvent(
                "regraded", "observation", (), tuple(grades.index) if ids is None else tuple(ids)
            )
        )
        return grades

    def grades_frame(self) -> pd.DataFrame:
        """The saved grade cache (``sv_grades``), index ``pipe_id``."""
        with self._lock:
            df = pd.read_sql_query(f"SELECT * FROM {schema_sv.GRADES_TABLE}", self._conn)
        return df.drop(columns=["fid"]).set_index("pipe_id")
