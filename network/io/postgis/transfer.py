"""Push a project GeoPackage into a PostGIS schema, pull a schema back into a GeoPackage.

:func:`push` copies every table of the project: layers become PostGIS tables
(``geometry(<type>, <EPSG>)`` + a GIST index, so QGIS opens them as ordinary PostGIS layers),
and the ``pa_*``/``sv_*`` tables (settings, survey records, ledger, dossier, attachments
register) become plain tables. Each gets the team columns and triggers of
:mod:`network.io.postgis.ddl`. What a GeoPackage needs beyond the rows (the original
``CREATE TABLE``, its indexes and triggers, ``gpkg_*`` rows, the file's application id) is kept
in ``pa_team_tables``/``pa_team_gpkg``, so :func:`pull` writes back a GeoPackage identical in
tables, columns, features, attributes, CRS and records.

The files a project refers to (dossier attachments, survey photos) are copied into
``pa_team_files`` (path relative to the project → bytes) and written back beside the pulled file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.io.postgis import geometry as gcodec
from network.io.postgis.ddl import (
    TEAM_COLUMNS,
    functions_sql,
    grant_roles,
    q,
    roles_sql,
    table_triggers_sql,
    team_tables_sql,
)
from network.io.postgis.dsn import ProjectAddress, parse_address
from network.io.postgis.errors import TeamError

SYSTEM_PREFIXES = ("gpkg_", "rtree_", "sqlite_")
PACKAGE_TABLES = ("pa_team_package", "pa_team_rows")
_GEOM_TYPES = {
    "GEOMETRY": "Geometry",
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}


@dataclass
class TableInfo:
    """One data table of a project as the team store keeps it."""

    name: str
    kind: str  # 'features' | 'attributes' | 'table'
    pk: str
    columns: list[tuple[str, str]]  # (name, declared SQLite type), original order
    sqlite_sql: str
    geom_column: str | None = None
    geom_type: str | None = None
    srid: int | None = None
    gpkg_srs_id: int | None = None
    extra_sql: list[str] = field(default_factory=list)

    @property
    def value_columns(self) -> list[str]:
        """Every column but the primary key (what a record *is*, wherever it is stored)."""
        return [c for c, _ in self.columns if c != self.pk]


@dataclass
class PushResult:
    schema: str
    tables: dict[str, int]
    files: int


def pg_type(decl: str) -> str:
    """The PostgreSQL type for an SQLite declared type (SQLite's affinity rules).

    >>> [pg_type(t) for t in ("INTEGER", "MEDIUMINT", "REAL", "TEXT", "BLOB", "DATETIME", "")]
    ['bigint', 'bigint', 'double precision', 'text', 'bytea', 'text', 'text']
    """
    d = decl.upper()
    if "INT" in d:
        return "bigint"
    if any(k in d for k in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if "BLOB" in d:
        return "bytea"
    if any(k in d for k in ("REAL", "FLOA", "DOUB")):
        return "double precision"
    if d in ("BOOLEAN",):
        return "bigint"
    return "text"


# --- reading a GeoPackage ---------------------------------------------------------------------
def _open_sqlite(path: Path, write: bool = False) -> sqlite3.Connection:
    mode = "rw" if write else "ro"
    from network.io.gpkg import sqlite_uri

    con = sqlite3.connect(sqlite_uri(path, mode), uri=True, isolation_level=None, timeout=30)
    return con


def read_tables(con: sqlite3.Connection) -> list[TableInfo]:
    """The data tables of a GeoPackage in creation order (no gpkg_/rtree_/team tables)."""
    geoms = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
        )
    }
    contents = {r[0]: r[1] for r in con.execute("SELECT table_name, data_type FROM gpkg_contents")}
    srs = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys"
        )
    }
    out = []
    for name, sql in con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall():
        if name.startswith(SYSTEM_PREFIXES) or name in PACKAGE_TABLES:
            continue
        info = con.execute(f"PRAGMA table_info({q(name)})").fetchall()
        pks = [r[1] for r in info if r[5]]
        if len(pks) != 1 or "INT" not in (next(r[2] for r in info if r[5]) or "").upper():
            raise TeamError(
                f"Table {name} has no INTEGER PRIMARY KEY, so its records cannot be tracked "
                "in PostGIS.",
                "Every PipeAtlas table has one (fid); save the project with this version of "
                "PipeAtlas first.",
                layer=name,
            )
        extra = [
            r[0]
            for r in con.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')"
                " AND sql IS NOT NULL AND name NOT LIKE 'rtree_%' ORDER BY rowid",
                (name,),
            )
        ]
        t = TableInfo(
            name=name,
            kind=contents.get(name, "table"),
            pk=pks[0],
            columns=[(r[1], r[2] or "") for r in info],
            sqlite_sql=sql,
            extra_sql=extra,
        )
        if name in geoms:
            col, gtype, srs_id = geoms[name]
            org, code = srs.get(srs_id, ("NONE", 0))
            t.geom_column, t.geom_type, t.gpkg_srs_id = col, gtype.upper(), int(srs_id)
            t.srid = int(code) if str(org).upper() == "EPSG" else 0
        out.append(t)
    return out


def _unique_sets(con: sqlite3.Connection, table: str) -> list[list[str]]:
    out = []
    for row in con.execute(f"PRAGMA index_list({q(table)})").fetchall():
        if row[2] and row[3] in ("u", "c"):
            cols = [r[2] for r in con.execute(f"PRAGMA index_info({q(row[1])})")]
            out.append(cols)
    return out


def _system_rows(con: sqlite3.Connection) -> dict[str, Any]:
    """What a GeoPackage needs besides the data tables, as JSON-able values."""
    ddl = [
        [r[0], r[1], r[2], r[3]]
        for r in con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND (name LIKE 'gpkg_%' OR name LIKE 'rtree_%' OR tbl_name LIKE 'gpkg_%') "
            "ORDER BY rowid"
        )
    ]
    rows = {}
    for t in (
        "gpkg_spatial_ref_sys",
        "gpkg_contents",
        "gpkg_ogr_contents",
        "gpkg_geometry_columns",
        "gpkg_extensions",
        "gpkg_tile_matrix_set",
        "gpkg_tile_matrix",
        "gpkg_metadata",
        "gpkg_metadata_reference",
        "gpkg_data_columns",
        "gpkg_data_column_constraints",
    ):
        try:
            cur = con.execute(f"SELECT * FROM {t}")
        except sqlite3.OperationalError:
            continue
        rows[t] = {"columns": [d[0] for d in cur.description], "rows": [list(r) for r in cur]}
    pragmas = {
        "application_id": con.execute("PRAGMA application_id").fetchone()[0],
        "user_version": con.execute("PRAGMA user_version").fetchone()[0],
    }
    return {"ddl": ddl, "rows": rows, "pragmas": pragmas}


def row_hash(values: list[Any]) -> str:
    """A stable digest of a record's values (bytes as hex, floats by repr).

    >>> row_hash([1, 2.5, "管", None, b"\\x01"]) == row_hash([1, 2.5, "管", None, b"\\x01"])
    True
    """
    canon = [{"b": bytes(v).hex()} if isinstance(v, bytes | memoryview) else v for v in values]
    return hashlib.sha256(
        json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()[:32]


# --- push -------------------------------------------------------------------------------------
def push(
    project: str | Path,
    address: str | ProjectAddress,
    *,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PushResult:
    """Copy a project GeoPackage into a new PostGIS schema (one transaction).

    Parameters
    ----------
    project : the ``.gpkg`` project
    address : ``postgresql://…?schema=park`` (see :func:`~network.io.postgis.dsn.parse_address`)
    replace : drop an existing schema of that name first (default: refuse)

    Raises
    ------
    TeamError
        The schema exists (and not *replace*), the database has no PostGIS, a table cannot be
        tracked, or the connecting role may not create schemas.

    Examples
    --------
    >>> push("park.gpkg", "postgresql://localhost/gis?schema=park")  # doctest: +SKIP
    """
    from network.io.gpkg import read_project_meta

    path = Path(project)
    read_project_meta(path)
    addr = parse_address(address) if isinstance(address, str) else address
    say = progress or (lambda _m: None)
    src = _open_sqlite(path)
    try:
        tables = read_tables(src)
        system = _system_rows(src)
        with addr.connect() as con:
            _require_postgis(con, addr)
            exists = con.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (addr.schema,)
            ).fetchone()
            if exists and not replace:
                raise TeamError(
                    f"Schema {addr.schema} already exists in {addr.public()}.",
                    "Give another schema=…, or push --replace to overwrite it.",
                    file=addr.public(),
                )
            if exists:
                con.execute(f"DROP SCHEMA {q(addr.schema)} CASCADE")
            con.execute(f"CREATE SCHEMA {q(addr.schema)}")
            con.execute(roles_sql())
            con.execute(team_tables_sql(addr.schema))
            con.execute(functions_sql(addr.schema))
            counts = {}
            for pos, t in enumerate(tables):
                say(f"{t.name} …")
                counts[t.name] = _push_table(con, src, addr.schema, t, pos)
            files = _push_files(con, addr.schema, path, src)
            con.execute(
                f"INSERT INTO {q(addr.schema)}.pa_team_gpkg (key, value) VALUES (%s, %s)",
                ("system", json.dumps(system, default=_json_default)),
            )
            con.execute(grant_roles(addr.schema, [t.name for t in tables]))
    finally:
        src.close()
    return PushResult(addr.schema, counts, files)


def _json_default(o: Any) -> Any:
    if isinstance(o, bytes | memoryview):
        return {"$b": bytes(o).hex()}
    raise TypeError(type(o))


def _json_restore(o: Any) -> Any:
    if isinstance(o, dict) and set(o) == {"$b"}:
        return bytes.fromhex(o["$b"])
    if isinstance(o, list):
        return [_json_restore(v) for v in o]
    return o


def _require_postgis(con: Any, addr: ProjectAddress) -> None:
    if not con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        try:
            with con.transaction():
                con.execute("CREATE EXTENSION postgis")
        except Exception as exc:
            raise TeamError(
                f"Database {addr.public()} has no PostGIS extension and it could not be added "
                f"({str(exc).strip().splitlines()[0]}).",
                "Run CREATE EXTENSION postgis; as the database owner (tools/postgis.sh does).",
                file=addr.public(),
            ) from exc


def _push_table(con: Any, src: sqlite3.Connection, schema: str, t: TableInfo, pos: int) -> int:
    qt = f"{q(schema)}.{q(t.name)}"
    cols = []
    for name, decl in t.columns:
        if name == t.pk:
            cols.append(f"{q(name)} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        elif name == t.geom_column:
            gtype = _GEOM_TYPES.get(t.geom_type or "", "Geometry")
            cols.append(f"{q(name)} geometry({gtype}, {t.srid or 0})")
        else:
            cols.append(f"{q(name)} {pg_type(decl)}")
    cols += [
        "pa_uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid()",
        "pa_version integer NOT NULL DEFAULT 1",
        "pa_changed_by text NOT NULL DEFAULT current_user",
        "pa_changed_at timestamptz NOT NULL DEFAULT clock_timestamp()",
    ]
    con.execute(f"CREATE TABLE {qt} ({', '.join(cols)})")
    names = [c for c, _ in t.columns]
    has_uuid = "uuid" in names
    n = 0
    copy_cols = ", ".join([*(q(c) for c in names), "pa_uuid"])
    cur = src.execute(
        f"SELECT {', '.join(q(c) for c in names)} FROM {q(t.name)} ORDER BY {q(t.pk)}"
    )
    gi = names.index(t.geom_column) if t.geom_column else -1
    ui = names.index("uuid") if has_uuid else -1
    with con.cursor().copy(f"COPY {qt} ({copy_cols}) FROM STDIN") as cp:
        for row in cur:
            vals = list(row)
            if gi >= 0:
                vals[gi] = _ewkb_hex(gcodec.gpkg_to_wkb(vals[gi]), t.srid or 0)
            vals.append(_record_uuid(vals[ui] if ui >= 0 else None))
            cp.write_row(vals)
            n += 1
    for cols_u in _unique_sets(src, t.name):
        con.execute(f"ALTER TABLE {qt} ADD UNIQUE ({', '.join(q(c) for c in cols_u)})")
    if n:
        con.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT max({q(t.pk)}) FROM {qt}))",
            (qt, t.pk),
        )
    if t.geom_column:
        con.execute(f"CREATE INDEX ON {qt} USING GIST ({q(t.geom_column)})")
    con.execute(table_triggers_sql(schema, t.name, t.pk))
    con.execute(f"ANALYZE {qt}")
    con.execute(
        f"INSERT INTO {q(schema)}.pa_team_tables (position, table_name, kind, pk, geom_column, "
        "geom_type, srid, gpkg_srs_id, columns, sqlite_sql, extra_sql) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            pos,
            t.name,
            t.kind,
            t.pk,
            t.geom_column,
            t.geom_type,
            t.srid,
            t.gpkg_srs_id,
            json.dumps(t.columns, ensure_ascii=False),
            t.sqlite_sql,
            json.dumps(t.extra_sql, ensure_ascii=False),
        ),
    )
    return n


def _ewkb_hex(wkb: bytes | None, srid: int) -> str | None:
    if wkb is None:
        return None
    import shapely

    g = shapely.set_srid(shapely.from_wkb(wkb), srid)
    return shapely.to_wkb(g, hex=True, include_srid=True)


def _record_uuid(value: Any) -> str:
    if value:
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            return str(uuidlib.UUID(str(value)))
    return str(uuidlib.uuid4())


def _push_files(con: Any, schema: str, project: Path, src: sqlite3.Connection) -> int:
    """Copy the attachments a project refers to (dossier files, photos) into the database."""
    con.execute(
        f"CREATE TABLE {q(schema)}.pa_team_files (path text PRIMARY KEY, sha256 text NOT NULL, "
        "content bytea NOT NULL)"
    )
    con.execute(
        f"GRANT SELECT ON {q(schema)}.pa_team_files TO field_engineer, park_staff, auditor"
    )
    base = project.parent
    n = 0
    for rel in sorted(_attachment_paths(src)):
        p = (base / rel).resolve()
        if not p.is_file():
            continue
        data = p.read_bytes()
        con.execute(
            f"INSERT INTO {q(schema)}.pa_team_files (path, sha256, content) VALUES (%s, %s, %s) "
            "ON CONFLICT (path) DO NOTHING",
            (rel, hashlib.sha256(data).hexdigest(), data),
        )
        n += 1
    return n


def _attachment_paths(src: sqlite3.Connection) -> set[str]:
    """Relative file paths named by the dossier attachments and survey/outfall photos."""
    out: set[str] = set()
    names = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "pa_dossier_files" in names:
        out |= {r[0] for r in src.execute("SELECT path FROM pa_dossier_files") if r[0]}
    for t in names:
        if t.startswith(SYSTEM_PREFIXES):
            continue
        cols = [r[1] for r in src.execute(f"PRAGMA table_info({q(t)})")]
        for c in ("photos", "report_path"):
            if c in cols:
                for (v,) in src.execute(f"SELECT {q(c)} FROM {q(t)} WHERE {q(c)} <> ''"):
                    out |= _split_paths(v)
    return {p for p in out if p and not os.path.isabs(p) and ".." not in Path(p).parts}


def _split_paths(value: Any) -> set[str]:
    s = str(value or "").strip()
    if not s:
        return set()
    if s.startswith("["):
        with contextlib.suppress(ValueError):
            return {str(v) for v in json.loads(s)}
    return {p.strip() for p in s.replace(";", "|").split("|") if p.strip()}


# --- pull -------------------------------------------------------------------------------------
def load_tables(con: Any, schema: str) -> list[TableInfo]:
    """The data tables of a pushed schema, in their GeoPackage order."""
    try:
        rows = con.execute(
            "SELECT table_name, kind, pk, columns, sqlite_sql, geom_column, geom_type, srid, "
            f"gpkg_srs_id, extra_sql FROM {q(schema)}.pa_team_tables ORDER BY position"
        ).fetchall()
    except Exception as exc:
        raise TeamError(
            f"Schema {schema} holds no PipeAtlas project ({str(exc).strip().splitlines()[0]}).",
            "Push a project first: python main.py push park.gpkg postgresql://…?schema=" + schema,
        ) from exc
    return [
        TableInfo(
            name=r[0],
            kind=r[1],
            pk=r[2],
            columns=[tuple(c) for c in r[3]],
            sqlite_sql=r[4],
            geom_column=r[5],
            geom_type=r[6],
            srid=r[7],
            gpkg_srs_id=r[8],
            extra_sql=list(r[9]),
        )
        for r in rows
    ]


def pull(
    address: str | ProjectAddress,
    out: str | Path,
    *,
    area_wkt: str | None = None,
    overwrite: bool = False,
    con: Any = None,
) -> dict[str, int]:
    """Write the project in a schema to a new GeoPackage (only the features in *area_wkt*).

    Returns the number of records written per table. *con* reads inside a caller's
    transaction (one snapshot with what the caller read).

    Raises
    ------
    TeamError
        The schema holds no project, or *out* exists (and not *overwrite*).
    """
    addr = parse_address(address) if isinstance(address, str) else address
    out = Path(out)
    if out.exists() and not overwrite:
        raise TeamError(f"{out} exists: give a new file name (or --overwrite).", file=str(out))
    tmp = out.with_name(out.name + f".part{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with contextlib.ExitStack() as stack:
        if con is None:
            con = stack.enter_context(addr.connect())
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        tables = load_tables(con, addr.schema)
        system = con.execute(
            f"SELECT value FROM {q(addr.schema)}.pa_team_gpkg WHERE key = 'system'"
        ).fetchone()[0]
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            dst.execute("BEGIN")
            counts = _write_gpkg(con, addr.schema, tables, system, dst, area_wkt)
            dst.execute("COMMIT")
        except BaseException:
            dst.close()
            tmp.unlink(missing_ok=True)
            raise
        dst.close()
        _pull_files(con, addr.schema, out.parent)
    os.replace(tmp, out)
    return counts


def _write_gpkg(
    con: Any,
    schema: str,
    tables: list[TableInfo],
    system: dict[str, Any],
    dst: sqlite3.Connection,
    area_wkt: str | None,
) -> dict[str, int]:
    prag = system["pragmas"]
    dst.execute(f"PRAGMA application_id = {int(prag['application_id'])}")
    dst.execute(f"PRAGMA user_version = {int(prag['user_version'])}")
    ddl = system["ddl"]
    # 1. the gpkg_* tables and their rows (feature counts are recomputed below)
    for typ, name, _tbl, sql in ddl:
        if typ == "table" and name.startswith("gpkg_"):
            dst.execute(sql)
    for t, data in system["rows"].items():
        marks = ", ".join("?" * len(data["columns"]))
        cols = ", ".join(q(c) for c in data["columns"])
        for row in data["rows"]:
            dst.execute(f"INSERT INTO {q(t)} ({cols}) VALUES ({marks})", _json_restore(row))
    # 2. the data tables, in their original order
    counts = {}
    for t in tables:
        dst.execute(t.sqlite_sql)
        counts[t.name] = _copy_rows(con, schema, t, dst, area_wkt)
        for sql in t.extra_sql:
            dst.execute(sql)
    # 3. the spatial indexes (filled from the rows), then their triggers
    for typ, name, _tbl, sql in ddl:
        if typ == "table" and name.startswith("rtree_") and "VIRTUAL" in sql.upper():
            dst.execute(sql)
    for t in tables:
        rtree = f"rtree_{t.name}_{t.geom_column}"
        if t.geom_column and any(d[1] == rtree for d in ddl):
            rows = dst.execute(f"SELECT {q(t.pk)}, {q(t.geom_column)} FROM {q(t.name)}")
            dst.executemany(
                f"INSERT INTO {q(rtree)} (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)",
                [
                    (fid, *env)
                    for fid, blob in rows
                    if (env := gcodec.envelope(gcodec.gpkg_to_wkb(blob))) is not None
                ],
            )
    for typ, _name, _tbl, sql in ddl:
        if typ == "trigger":
            dst.execute(sql)
    _stamp_last_change(con, schema, dst)
    if "gpkg_ogr_contents" in system["rows"]:
        dst.executemany(
            "UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?",
            [(n, name) for name, n in counts.items()],
        )
    return counts


def _stamp_last_change(con: Any, schema: str, dst: sqlite3.Connection) -> None:
    """``gpkg_contents.last_change`` = the last audited write of each table changed in PostGIS.

    GDAL stamps it on every edit and the stored network (``pa_topology``) keys each layer on
    it, so a layer edited in the database makes the pulled copy's network stale (rebuilt).
    """
    rows = con.execute(
        f"SELECT table_name, max(at) AT TIME ZONE 'UTC' FROM {q(schema)}.pa_audit "
        "GROUP BY table_name"
    ).fetchall()
    dst.executemany(
        "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
        [(at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", name) for name, at in rows],
    )


def iter_db_rows(
    con: Any, schema: str, t: TableInfo, area_wkt: str | None = None, *, team: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Rows of a table as GeoPackage values (geometry → GeoPackage blob), pk order.

    With *team*, the four team columns follow the table's own columns.
    """
    names = [c for c, _ in t.columns]
    sel = [f"ST_AsBinary({q(c)})" if c == t.geom_column else q(c) for c in names]
    if team:
        sel += [f"{c}::text" if c == "pa_uuid" else c for c in TEAM_COLUMNS]
    where, params = "", []
    if area_wkt and t.geom_column:
        where = f" WHERE ST_Intersects({q(t.geom_column)}, ST_GeomFromText(%s, %s))"
        params = [area_wkt, t.srid or 0]
    cur = con.cursor(name=None)
    cur.execute(
        f"SELECT {', '.join(sel)} FROM {q(schema)}.{q(t.name)}{where} ORDER BY {q(t.pk)}",
        params,
    )
    gi = names.index(t.geom_column) if t.geom_column else -1
    for row in cur:
        vals = list(row)
        if gi >= 0 and vals[gi] is not None:
            vals[gi] = gcodec.wkb_to_gpkg(bytes(vals[gi]), t.gpkg_srs_id or 0)
        yield tuple(vals)


def _copy_rows(
    con: Any, schema: str, t: TableInfo, dst: sqlite3.Connection, area_wkt: str | None
) -> int:
    names = [c for c, _ in t.columns]
    marks = ", ".join("?" * len(names))
    sql = f"INSERT INTO {q(t.name)} ({', '.join(q(c) for c in names)}) VALUES ({marks})"
    n = 0
    batch = []
    for row in iter_db_rows(con, schema, t, area_wkt):
        batch.append(row)
        if len(batch) >= 2000:
            dst.executemany(sql, batch)
            n += len(batch)
            batch.clear()
    dst.executemany(sql, batch)
    return n + len(batch)


def _pull_files(con: Any, schema: str, folder: Path) -> int:
    """Write the stored attachments beside the pulled project (never over a different file)."""
    try:
        rows = con.execute(
            f"SELECT path, sha256, content FROM {q(schema)}.pa_team_files"
        ).fetchall()
    except Exception:  # noqa: BLE001 - a schema pushed without files
        return 0
    n = 0
    for rel, sha, content in rows:
        p = folder / rel
        if p.exists() and hashlib.sha256(p.read_bytes()).hexdigest() == sha:
            continue
        if p.exists():
            continue  # a different local file of that name is kept (never overwritten)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(bytes(content))
        n += 1
    return n
