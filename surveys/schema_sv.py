"""Survey tables inside the project GeoPackage: DDL per schema version and migrations.

The survey records live in ordinary SQLite tables with the prefix ``sv_``, registered in
``gpkg_contents`` as ``attributes`` so QGIS lists them as valid layers (each has an integer
``fid`` primary key as GDAL expects; since version 3 ``sv_meta`` too). ``sv_meta`` holds
``schema_version``. The DDL of each released
version is frozen here and registered with the project file's owner
(:mod:`network.io.gpkg`) as the ``surveys`` schema group; :func:`migrate` walks an older
file up to :data:`SCHEMA_VERSION` there, one transaction per step.

Versions
--------
1
    First layout; an observation's clock positions were one text column ``clock``
    (``"0210"`` = from 2 to 10 o'clock).
2
    ``clock`` split into integer ``clock_from``/``clock_to``; grade cache ``sv_grades``.
3
    ``sv_meta`` (key/value) gets an ``INTEGER PRIMARY KEY`` ``fid`` and is registered in
    ``gpkg_contents`` like every other ``sv_`` table: QGIS showed the version-2 table (a text
    primary key, not registered) as an invalid layer.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from network.io import gpkg
from surveys.store_errors import StoreVersionError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
META_TABLE = "sv_meta"
#: ``sv_meta`` since version 3: a GeoPackage attributes table.
META_DDL_V3 = "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT"

_META_COLUMNS = (
    "fid INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, author TEXT, "
    "created TEXT, modified TEXT, modified_by TEXT, revision INTEGER NOT NULL DEFAULT 1, "
    "deleted INTEGER NOT NULL DEFAULT 0"
)

#: Version 1 tables (frozen: never edit, add a migration instead).
V1_TABLES: dict[str, str] = {
    "sv_inspections": "date TEXT, method TEXT, contractor TEXT, crew TEXT, weather TEXT, "
    "remarks TEXT",
    "sv_observations": "inspection_id TEXT, pipe_id TEXT, start_node TEXT, end_node TEXT, "
    "reverse INTEGER, distance_m REAL, clock TEXT, length_m REAL, code TEXT, grade INTEGER, "
    "photos TEXT, video_time TEXT, remarks TEXT",
    "sv_misconnections": "inspection_id TEXT, date TEXT, x REAL, y REAL, direction TEXT, "
    "pipe_ids TEXT, node_id TEXT, cod_mgl REAL, nh3n_mgl REAL, conductivity_us_cm REAL, "
    "flow_observed INTEGER, smell TEXT, enterprise_id TEXT, photos TEXT, remarks TEXT",
    "sv_leaks": "inspection_id TEXT, date TEXT, event TEXT, at_kind TEXT, at_id TEXT, x REAL, "
    "y REAL, volume_m3 REAL, photos TEXT, remarks TEXT",
    "sv_siltation": "inspection_id TEXT, date TEXT, at_kind TEXT, at_id TEXT, distance_m REAL, "
    "depth_mm REAL, photos TEXT, remarks TEXT",
    "sv_problems": "description TEXT, location TEXT, x REAL, y REAL, measure TEXT, "
    "responsible_body TEXT, responsible_person TEXT, deadline TEXT, status TEXT, notes TEXT, "
    "photos TEXT, source TEXT, source_ref TEXT, layer TEXT, feature_ids TEXT",
}
V1_INDEXES = (
    "CREATE INDEX IF NOT EXISTS sv_observations_pipe ON sv_observations(pipe_id)",
    "CREATE INDEX IF NOT EXISTS sv_problems_source ON sv_problems(source_ref)",
)

GRADES_TABLE = "sv_grades"
#: Typed columns of the grade cache (version 2); written from the grading engine's result.
GRADE_REAL = (
    "s",
    "s_max",
    "f",
    "s_m",
    "k_ri",
    "e",
    "t_ri",
    "ri",
    "y",
    "y_max",
    "g",
    "y_m",
    "k_mi",
    "mi",
)
GRADE_INT = ("n", "n_functional")
GRADE_TEXT = (
    "density_class",
    "structural_grade",
    "repair_grade",
    "functional_density_class",
    "functional_grade",
    "maintenance_grade",
    "notes",
    "unconfirmed",
)
GRADES_DDL = (
    "fid INTEGER PRIMARY KEY AUTOINCREMENT, pipe_id TEXT NOT NULL UNIQUE, computed TEXT, "
    "pack_id TEXT, "
    + ", ".join(
        [f"{c} INTEGER" for c in GRADE_INT]
        + [f"{c} REAL" for c in GRADE_REAL]
        + [f"{c} TEXT" for c in GRADE_TEXT]
    )
)


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    """Whether a table exists in the database."""
    return name in gpkg.table_names(conn)


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """Column names of a table (empty if the table does not exist)."""
    return gpkg.table_columns(conn, table)


def schema_version(conn: sqlite3.Connection) -> int:
    """The survey schema version of a database (0 when it has no survey tables)."""
    return gpkg.stored_version(conn, SURVEY_SCHEMA)


_register = gpkg.register_attributes


def create_v1(conn: sqlite3.Connection) -> None:
    """Create the version-1 survey tables (used for new files and for the v1 fixture)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
    for table, cols in V1_TABLES.items():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({_META_COLUMNS}, {cols})")
        _register(conn, table, "PipeAtlas survey records")
    for sql in V1_INDEXES:
        conn.execute(sql)
    conn.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES ('schema_version', '1')")


_CLOCK_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[-~至到/]?\s*(\d{1,2}))?\s*$")


def split_clock(text: str | None) -> tuple[int | None, int | None]:
    """Split a clock text into (from, to) hours.

    Accepts ``"0210"``, ``"02-10"``, ``"2至10"``, ``"3"``, ``"03"``; anything else gives
    (None, None).

    Examples
    --------
    >>> split_clock("0210")
    (2, 10)
    >>> split_clock("3")
    (3, None)
    """
    if text is None:
        return None, None
    t = str(text).strip()
    if re.fullmatch(r"\d{4}", t):
        a, b = int(t[:2]), int(t[2:])
    elif re.fullmatch(r"\d{3}", t):
        a, b = int(t[:1]), int(t[1:])
    else:
        m = _CLOCK_RE.match(t)
        if not m:
            return None, None
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else None
    if not 1 <= a <= 12 or (b is not None and not 1 <= b <= 12):
        return None, None
    return a, b


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE sv_observations ADD COLUMN clock_from INTEGER")
    conn.execute("ALTER TABLE sv_observations ADD COLUMN clock_to INTEGER")
    rows = conn.execute(
        "SELECT fid, clock FROM sv_observations WHERE clock IS NOT NULL AND clock <> ''"
    ).fetchall()
    unreadable = 0
    for fid, clock in rows:
        a, b = split_clock(clock)
        if a is None:
            unreadable += 1
            conn.execute(
                "UPDATE sv_observations SET remarks = trim(coalesce(remarks, '') || "
                "' [clock: ' || ? || ']') WHERE fid = ?",
                (clock, fid),
            )
        conn.execute(
            "UPDATE sv_observations SET clock_from = ?, clock_to = ? WHERE fid = ?", (a, b, fid)
        )
    if unreadable:
        log.warning(
            "Migration to v2: %d clock value(s) could not be read; kept in remarks.", unreadable
        )
    conn.execute("ALTER TABLE sv_observations DROP COLUMN clock")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {GRADES_TABLE} ({GRADES_DDL})")
    _register(conn, GRADES_TABLE, "PipeAtlas segment grades (CJJ 181), recomputed on change")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE {META_TABLE}_v3 ({META_DDL_V3})")
    conn.execute(
        f"INSERT INTO {META_TABLE}_v3 (key, value) SELECT key, value FROM {META_TABLE} "
        "ORDER BY key"
    )
    conn.execute(f"DROP TABLE {META_TABLE}")
    conn.execute(f"ALTER TABLE {META_TABLE}_v3 RENAME TO {META_TABLE}")
    _register(conn, META_TABLE, "PipeAtlas survey schema version")
    # files made before every table was registered
    for table in V1_TABLES:
        _register(conn, table, "PipeAtlas survey records")
    _register(conn, GRADES_TABLE, "PipeAtlas segment grades (CJJ 181), recomputed on change")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}

SURVEY_SCHEMA = gpkg.register_schema(
    gpkg.SchemaGroup(
        name="surveys",
        label="survey tables",
        tables=(META_TABLE, *V1_TABLES, GRADES_TABLE),
        version=SCHEMA_VERSION,
        version_table=META_TABLE,
        steps={0: create_v1, **MIGRATIONS},
    )
)


def migrate(conn: sqlite3.Connection, path: str | Path = "the project") -> tuple[int, int]:
    """Create or upgrade the survey tables to :data:`SCHEMA_VERSION`.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction, so a crash leaves the file
    at a whole version. ``conn`` must be in autocommit mode (``isolation_level=None``).

    Returns
    -------
    (int, int)
        The version found and the version now.

    Raises
    ------
    StoreVersionError
        The file was written by a newer PipeAtlas.
    network.errors.ProjectError
        The file is locked or damaged.
    """
    try:
        return gpkg.migrate(conn, SURVEY_SCHEMA.name, path)
    except gpkg.ProjectVersionError as exc:
        raise StoreVersionError(
            exc.message, found=exc.found, expected=exc.expected, file=exc.file
        ) from exc
