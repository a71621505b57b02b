"""The project GeoPackage at the SQLite level: the one place that opens, locks and versions it.

Everything that touches a project file with SQLite goes through this module:

* :func:`connect` opens a connection (``file:`` URI, so ``#``, ``?`` and ``%`` in a path work;
  busy timeout; autocommit so transactions are explicit). A file left with a *hot journal*
  (a writer killed mid-commit) is opened read-write, so SQLite rolls the journal back
  instead of refusing the file.
* :func:`write_lock` is the write lock (``BEGIN IMMEDIATE``) that Save holds from copying the
  file to renaming the copy over it, and :class:`ProjectConnection` is the long-lived
  connection of the survey store: its :meth:`~ProjectConnection.transaction` takes the same
  lock and follows the file when a Save replaced it on disk.
* :func:`read_project_meta` is the "is this really a PipeAtlas project" check: a missing
  file, a folder, a text file, a plain GeoPackage, any other SQLite file, a damaged file and a
  file written by a newer PipeAtlas are each refused with their own clear message.
* The schema registry (:func:`register_schema`, :func:`migrate`): every group of PipeAtlas
  tables (``pa_*`` of the project, ``sv_*`` of the surveys) declares its tables, its version
  and one migration step per version; :func:`migrate` walks a file up, one transaction per
  step. ``network`` never imports ``surveys``: the surveys register their group themselves.

* What a GeoPackage reserves and how PipeAtlas tables appear in it: every layer is written
  with FID column :data:`FID_COLUMN` and geometry column :data:`GEOMETRY_COLUMN`; a source
  column named like one of :data:`RESERVED_COLUMNS` is kept as ``NAME_1``
  (:func:`safe_column_name`); every ``pa_*``/``sv_*`` table has an ``INTEGER PRIMARY KEY``
  and is registered as an ``attributes`` table (:func:`register_attributes`), so GDAL and
  QGIS list exactly the valid layers.

SQLite errors are worded for what they are (:func:`sqlite_error`): *locked* by another
program, *damaged*, or not a project.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self, TypeVar

from network.errors import ProjectError

log = logging.getLogger(__name__)
T = TypeVar("T")

PROJECT_FORMAT = "pipeatlas-project"
PROJECT_META_TABLE = "pa_project"
SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_TIMEOUT_S = 30.0
VERSION_KEY = "schema_version"


class ProjectLockedError(ProjectError):
    """The project file stayed locked by another program or window for too long."""


class ProjectDamagedError(ProjectError):
    """The project file is an SQLite file whose content SQLite cannot read (damaged)."""


class NotAProjectError(ProjectError):
    """The file is readable but is not a PipeAtlas project (plain GeoPackage, other file)."""


class ProjectVersionError(ProjectError):
    """Tables of the project were written by a newer PipeAtlas."""

    def __init__(self, message: str, *, found: int, expected: int, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.found = found
        self.expected = expected


#: The FID and geometry columns of every layer PipeAtlas writes into a project.
FID_COLUMN = "fid"
GEOMETRY_COLUMN = "geom"
#: Column names a layer's attributes must not take (compared ignoring case): GDAL's GeoPackage
#: driver treats a column named like the FID column as the FID (and refuses a float one), and
#: the geometry column names of the file and of GeoPandas cannot hold an attribute.
RESERVED_COLUMNS = frozenset({FID_COLUMN, GEOMETRY_COLUMN, "geometry"})


def safe_column_name(name: str, taken: set[str]) -> str:
    """The first of ``NAME_1``, ``NAME_2`` … not in ``taken`` (lower-case names).

    A source column whose name a GeoPackage reserves (``fid``, ``geom``, ``geometry``, in any
    case) or that differs from another column only in case is kept under this name.

    Examples
    --------
    >>> safe_column_name("fid", {"fid", "geom", "geometry"})
    'fid_1'
    >>> safe_column_name("FID", {"fid", "fid_1"})
    'FID_2'
    """
    i = 1
    while f"{name}_{i}".lower() in taken:
        i += 1
    return f"{name}_{i}"


# --- connecting --------------------------------------------------------------------------------
def sqlite_uri(path: str | Path, mode: str = "ro") -> str:
    """The ``file:`` URI of ``path`` for :func:`sqlite3.connect` (``uri=True``).

    Examples
    --------
    >>> sqlite_uri("/data/park#2?.gpkg", "rw")  # doctest: +SKIP
    'file:///data/park%232%3F.gpkg?mode=rw'
    """
    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def journal_path(path: str | Path) -> Path:
    """The rollback journal SQLite keeps beside ``path`` during a write."""
    return Path(f"{path}-journal")


def has_hot_journal(path: str | Path) -> bool:
    """Whether a non-empty rollback journal lies beside the file (a write may be unfinished)."""
    try:
        return journal_path(path).stat().st_size > 0
    except OSError:
        return False


def sqlite_error(exc: BaseException, path: str | Path, doing: str = "reading") -> ProjectError:
    """Word an SQLite error for what it is (locked, damaged, cannot open, read-only).

    Returns the :class:`~network.errors.ProjectError` (a subclass where one fits) to raise.
    """
    name = Path(path).name
    text = str(exc).lower()
    where = {"file": str(path), "details": str(exc)}
    if "locked" in text or "busy" in text:
        return ProjectLockedError(
            f"{name} is locked by another program or window (SQLite: {exc}); close the other "
            "program's editing session or wait for it to finish, then try again.",
            **where,
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return ProjectDamagedError(
            f"{name} is damaged: SQLite cannot read it ({exc}). Restore the file from a backup; "
            "PipeAtlas will not write into it.",
            **where,
        )
    if "readonly" in text or "read-only" in text:
        return ProjectError(
            f"{name} is read-only ({exc}); copy it to a folder you can write to.", **where
        )
    if "unable to open" in text:
        return ProjectError(
            f"Cannot open {name} ({exc}); check that the folder exists and you may read it.",
            **where,
        )
    return ProjectError(f"{name}: SQLite error while {doing}: {exc}", **where)


def connect(
    path: str | Path,
    *,
    write: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    """Open an SQLite connection to an existing project file.

    Parameters
    ----------
    path : the ``.gpkg`` file (it is never created here)
    write : open read-write (default read-only; a file with a hot journal is always opened
        read-write so that SQLite rolls the unfinished write back)
    timeout_s : how long a statement waits for another connection's lock
    check_same_thread : as for :func:`sqlite3.connect`

    Raises
    ------
    ProjectError
        The file cannot be opened (the subclass says locked or damaged).
    """
    mode = "rw" if write or has_hot_journal(path) else "ro"
    try:
        con = sqlite3.connect(
            sqlite_uri(path, mode),
            uri=True,
            timeout=timeout_s,
            isolation_level=None,
            check_same_thread=check_same_thread,
        )
        con.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path, "opening") from exc
    return con


@contextlib.contextmanager
def transaction(con: sqlite3.Connection, path: str | Path) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on ``con`` (autocommit mode), rolled back on error.

    Raises
    ------
    ProjectError
        SQLite refused (locked past the busy timeout, damaged …); nothing was written.
    """
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path, "starting a write") from exc
    try:
        yield con
        con.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(con)
        problem = _file_problem(exc, path)
        if problem is exc:
            raise
        raise problem from exc
    except BaseException:
        _rollback(con)
        raise


def _file_problem(exc: sqlite3.OperationalError, path: str | Path) -> BaseException:
    """A lock or damage error worded for people; any other SQLite error stays as it is
    (a wrong statement is a bug, not the user's file)."""
    err = sqlite_error(exc, path, "writing")
    return err if isinstance(err, ProjectLockedError | ProjectDamagedError) else exc


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        con.execute("ROLLBACK")


@contextlib.contextmanager
def write_lock(
    path: str | Path, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> Iterator[sqlite3.Connection]:
    """Hold the project's write lock (no other window or program can commit) for a block.

    Save holds it from copying the file to renaming the new copy over it, so a survey record
    committed meanwhile can never be lost. Nothing is written through it: it is rolled back.

    Raises
    ------
    ProjectLockedError
        Another writer kept the lock past ``timeout_s``.
    """
    con = connect(path, write=True, timeout_s=timeout_s)
    try:
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise sqlite_error(exc, path, "locking the file") from exc
        yield con
    finally:
        _rollback(con)
        con.close()


def register_attributes(con: sqlite3.Connection, table: str, description: str) -> None:
    """Register ``table`` in ``gpkg_contents`` as a GeoPackage ``attributes`` table.

    GDAL, and so QGIS, list exactly the tables of ``gpkg_contents`` as layers; an attributes
    table must have an ``INTEGER PRIMARY KEY`` (GDAL's FID). Does nothing in a file without
    ``gpkg_contents`` (not a GeoPackage) or for a table already registered.
    """
    if "gpkg_contents" not in table_names(con):
        return
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES (?, 'attributes', ?, ?, ?)",
        (table, table, description, now),
    )


def create_tables(
    con: sqlite3.Connection, ddl: Mapping[str, str], descriptions: Mapping[str, str]
) -> None:
    """Create each table of *ddl* (name → column definitions) unless it exists, and register
    it as an attributes table described by *descriptions* (a subject's version-1 step)."""
    for table, columns in ddl.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        register_attributes(con, table, descriptions[table])


def table_names(con: sqlite3.Connection) -> set[str]:
    """Names of the tables in the database."""
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def table_columns(con: sqlite3.Connection, table: str) -> list[str]:
    """Column names of a table (empty if the table does not exist)."""
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


# --- the schema registry ---------------------------------------------------------------------
Step = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class SchemaGroup:
    """A group of PipeAtlas tables versioned together.

    Parameters
    ----------
    name : ``project``, ``surveys`` …
    label : how messages name the group ("survey tables")
    tables : the tables whose layout the version describes
    version : the version this PipeAtlas writes
    version_table : key/value table (``key``, ``value``) holding ``schema_version``
    steps : ``steps[v]`` upgrades a file from version ``v`` to ``v + 1`` inside one
        transaction; ``steps[0]`` creates the tables
    """

    name: str
    label: str
    tables: tuple[str, ...]
    version: int
    version_table: str
    steps: Mapping[int, Step] = field(default_factory=dict)


SCHEMAS: dict[str, SchemaGroup] = {}


def register_schema(group: SchemaGroup) -> SchemaGroup:
    """Add (or replace) a group in the registry and return it."""
    missing = [v for v in range(group.version) if v not in group.steps]
    if missing:
        raise ValueError(f"schema {group.name}: no step from version(s) {missing}")
    SCHEMAS[group.name] = group
    return group


def register_subject_schema(
    name: str,
    label: str,
    ddl: Mapping[str, str],
    descriptions: Mapping[str, str],
    *,
    version: int,
    version_table: str,
    later_steps: Mapping[int, Step] | None = None,
) -> SchemaGroup:
    """Register a subject's group of tables whose first step creates the tables of *ddl*
    (name → column definitions, described by *descriptions*; see :func:`create_tables`).

    That first step is frozen with version 1: change a table through a step of
    *later_steps* (``{1: upgrade_to_2, …}``) and a higher *version*.
    """

    def create_v1(con: sqlite3.Connection) -> None:
        create_tables(con, ddl, descriptions)

    return register_schema(
        SchemaGroup(
            name=name,
            label=label,
            tables=tuple(ddl),
            version=version,
            version_table=version_table,
            steps={0: create_v1, **(later_steps or {})},
        )
    )


def table_versions() -> dict[str, tuple[str, int]]:
    """Every registered table → (its group, the version this PipeAtlas writes)."""
    return {t: (g.name, g.version) for g in SCHEMAS.values() for t in g.tables}


def stored_version(con: sqlite3.Connection, group: SchemaGroup) -> int:
    """The version of ``group`` recorded in the file (0 when its tables are absent)."""
    if group.version_table not in table_names(con):
        return 0
    row = con.execute(
        f"SELECT value FROM {group.version_table} WHERE key = ?", (VERSION_KEY,)
    ).fetchone()
    return int(row[0]) if row and row[0] not in (None, "") else 0


def set_version(con: sqlite3.Connection, group: SchemaGroup, version: int) -> None:
    """Record ``version`` of ``group`` (inside the caller's transaction)."""
    con.execute(
        f"INSERT INTO {group.version_table} (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (VERSION_KEY, str(version)),
    )


def check_version(found: int, group: SchemaGroup, path: str | Path) -> None:
    """Refuse a file whose ``group`` tables are newer than this PipeAtlas reads.

    Raises
    ------
    ProjectVersionError
        ``found`` is above the registered version.
    """
    if found > group.version:
        raise ProjectVersionError(
            f"The {group.label} of {Path(path).name} are schema version {found}, written by a "
            f"newer PipeAtlas; this one reads up to version {group.version}. Update PipeAtlas.",
            found=found,
            expected=group.version,
            file=str(path),
        )


def migrate(con: sqlite3.Connection, name: str, path: str | Path) -> tuple[int, int]:
    """Create or upgrade the tables of group ``name`` to their registered version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction, so a crash leaves the file at a
    whole version; a step another window already made is skipped.

    Returns
    -------
    (int, int)
        The version found and the version now.

    Raises
    ------
    ProjectVersionError
        The file was written by a newer PipeAtlas.
    ProjectError
        The file is locked or damaged.
    """
    group = SCHEMAS[name]
    try:
        found = stored_version(con, group)
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path) from exc
    check_version(found, group, path)
    version = found
    while version < group.version:
        with transaction(con, path):
            if stored_version(con, group) == version:  # another window may have migrated
                group.steps[version](con)
                set_version(con, group, version + 1)
        version = stored_version(con, group)
        if found:
            log.info("%s of %s migrated to version %d", group.label, Path(path).name, version)
    return found, version


# --- is this a PipeAtlas project? -------------------------------------------------------------
def _refuse_unreadable(path: Path) -> None:
    if not path.exists():
        raise ProjectError(f"{path} does not exist.", file=str(path))
    if path.is_dir():
        raise ProjectError(
            f"{path} is a folder, not a project file; give the path of a .gpkg project.",
            file=str(path),
        )
    try:
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise ProjectError(f"Cannot read {path.name}: {exc}", file=str(path)) from exc
    if magic != SQLITE_MAGIC:
        what = "an empty file" if not magic else "not a GeoPackage (SQLite) file"
        raise NotAProjectError(
            f"{path.name} is not a PipeAtlas project ({what}). "
            "Create one with: python main.py new PROJECT.gpkg --pipes FILE",
            file=str(path),
        )


def read_project_meta(path: str | Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, str]:
    """The key/value table ``pa_project`` of a project, after checking it is one.

    A file with a hot journal is opened read-write first, so SQLite rolls back the unfinished
    write before anything (GDAL included) reads the file.

    Raises
    ------
    ProjectError
        Missing file or a folder.
    NotAProjectError
        Not SQLite, or an SQLite/GeoPackage file without PipeAtlas tables.
    ProjectDamagedError, ProjectLockedError
        SQLite cannot read the file, or it stayed locked.
    ProjectVersionError
        The project tables were written by a newer PipeAtlas.
    """
    path = Path(path)
    _refuse_unreadable(path)
    con = connect(path, timeout_s=timeout_s)
    try:
        tables = table_names(con)
        if PROJECT_META_TABLE not in tables:
            raise _not_a_project(path, "gpkg_contents" in tables)
        rows = con.execute(f"SELECT key, value FROM {PROJECT_META_TABLE}").fetchall()
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path) from exc
    finally:
        con.close()
    meta = {str(k): v for k, v in rows}
    if meta.get("format") != PROJECT_FORMAT:
        raise NotAProjectError(f"{path.name} is not a PipeAtlas project.", file=str(path))
    if "project" in SCHEMAS:
        check_version(int(meta.get(VERSION_KEY) or 0), SCHEMAS["project"], path)
    return meta


def _not_a_project(path: Path, geopackage: bool) -> NotAProjectError:
    if geopackage:
        return NotAProjectError(
            f"{path.name} is a GeoPackage but not a PipeAtlas project (no pa_project table); "
            "PipeAtlas does not add its tables to other files. Create a project from its "
            f"layers with: python main.py new PROJECT.gpkg --pipes {path.name}:LAYER",
            file=str(path),
        )
    return NotAProjectError(
        f"{path.name} is an SQLite database but not a PipeAtlas project (no GeoPackage or "
        "PipeAtlas tables). Create one with: python main.py new PROJECT.gpkg --pipes FILE",
        file=str(path),
    )


def count_records(path: str | Path) -> dict[str, int]:
    """Live user records per table in a project (tables with a ``uuid`` column: surveys,
    ledger problems …); derived tables (grade caches, versions) are not counted.

    Raises
    ------
    ProjectError
        The file cannot be read.
    """
    con = connect(path)
    try:
        out = {}
        for table in sorted(table_names(con)):
            cols = table_columns(con, table)
            if "uuid" not in cols or table.startswith(("gpkg_", "rtree_", "sqlite_")):
                continue
            where = " WHERE deleted = 0" if "deleted" in cols else ""
            n = int(con.execute(f'SELECT count(*) FROM "{table}"{where}').fetchone()[0])
            if n:
                out[table] = n
        return out
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path) from exc
    finally:
        con.close()


# --- the long-lived connection of the survey store ------------------------------------------
class ProjectConnection:
    """A read-write connection to a project that follows the file when a Save replaces it.

    Save writes a copy and renames it over the project (:func:`write_lock` held meanwhile);
    a connection opened before would keep writing into the old, unlinked file. Every
    :meth:`reading` and :meth:`transaction` first checks the file's identity (device, inode)
    and reconnects when it changed; ``on_reconnect(con)`` then runs (e.g. migrations).

    Raises
    ------
    ProjectError
        On open: not a project, damaged, locked (see :func:`read_project_meta`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        on_reconnect: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.on_reconnect = on_reconnect
        self.guard = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] = (0, 0)
        self._open()

    def _stat_identity(self) -> tuple[int, int]:
        try:
            st = self.path.stat()
        except OSError as exc:
            raise ProjectError(
                f"Project file {self.path.name} has gone missing ({exc}).", file=str(self.path)
            ) from exc
        return (st.st_dev, st.st_ino)

    def _open(self) -> None:
        read_project_meta(self.path, timeout_s=self.timeout_s)
        self._identity = self._stat_identity()
        con = connect(self.path, write=True, timeout_s=self.timeout_s, check_same_thread=False)
        con.row_factory = sqlite3.Row
        self._conn = con

    def _follow(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ProjectError(f"{self.path.name} is closed.", file=str(self.path))
        if self._stat_identity() != self._identity:
            log.info("%s was replaced on disk; reconnecting", self.path.name)
            self._conn.close()
            self._open()
            assert self._conn is not None
            if self.on_reconnect is not None:
                self.on_reconnect(self._conn)
        return self._conn

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection to the current file (reconnected if the file was replaced)."""
        with self.guard:
            return self._follow()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The current connection, with this object's thread lock held."""
        with self.guard:
            yield self._follow()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the current file, under the project's write lock.

        Raises
        ------
        ProjectLockedError
            Another writer (a Save, another window) held the lock past the busy timeout.
        """
        with self.guard:
            for _attempt in range(3):
                con = self._follow()
                try:
                    con.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:
                    raise sqlite_error(exc, self.path, "starting a write") from exc
                # a Save may have replaced the file while we waited for the lock: never
                # write into the old, unlinked file
                if self._stat_identity() == self._identity:
                    break
                _rollback(con)
            else:  # pragma: no cover - three Saves in a row during one wait
                raise ProjectLockedError(
                    f"{self.path.name} keeps being replaced; try again.", file=str(self.path)
                )
            try:
                yield con
                con.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                _rollback(con)
                problem = _file_problem(exc, self.path)
                if problem is exc:
                    raise
                raise problem from exc
            except BaseException:
                _rollback(con)
                raise

    def close(self) -> None:
        """Close the connection (later use raises :class:`ProjectError`)."""
        with self.guard:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# --- temporary files of interrupted writes ------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (never signals it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tmp_path(path: Path, pid: int | None = None) -> Path:
    """The temporary file a write of ``path`` goes through (``.NAME.tmp-PID.gpkg``)."""
    return path.with_name(f".{path.stem}.tmp-{os.getpid() if pid is None else pid}.gpkg")


def remove_stale_tmp(path: Path) -> list[Path]:
    """Delete temporary files left beside ``path`` by writers that died (pid not alive).

    Returns the removed files.
    """
    removed = []
    prefix = f".{path.stem}.tmp-"
    with contextlib.suppress(OSError):
        for p in path.parent.iterdir():
            name = p.name
            if not name.startswith(prefix):
                continue
            pid_text = name[len(prefix) :].split(".", 1)[0]
            if not pid_text.isdigit() or pid_alive(int(pid_text)):
                continue
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    if removed:
        log.info("removed %d stale temporary file(s) beside %s", len(removed), path.name)
    return removed


def read_subject(
    path: str | Path, group: SchemaGroup, read: Callable[[sqlite3.Connection], T]
) -> T:
    """Read a subject's tables with *read* without writing anything (no migration).

    *read* returns an object with a ``schema_version``, checked against *group* after reading.

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    read_project_meta(path)
    con = connect(path)
    try:
        data = read(con)
    except sqlite3.Error as exc:
        raise sqlite_error(exc, path) from exc
    finally:
        con.close()
    check_version(data.schema_version, group, path)  # type: ignore[attr-defined]
    return data


class SubjectStore:
    """Base of a subject's store inside a project (the dossier, the outfall register …).

    Opens the project through :class:`ProjectConnection` (which follows a Save that replaced
    the file), brings the subject's tables to the current version of its registered schema
    group (at open and on every reconnect) and closes on ``with`` exit. Subclasses set
    :attr:`SCHEMA` to their :class:`SchemaGroup` and add their reads and writes on ``self._db``.
    """

    SCHEMA: SchemaGroup

    def __init__(self, path: str | Path, *, today: Any = None) -> None:
        self.path = Path(path)
        self._today = today or dt.date.today
        self._db = ProjectConnection(self.path, on_reconnect=self._migrate)
        try:
            self._migrate(self._db.conn)
        except BaseException:
            self._db.close()
            raise

    def _migrate(self, con: sqlite3.Connection) -> None:
        migrate(con, self.SCHEMA.name, self.path)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()
