"""Offline packages: check a park (or an area of it) out to a GeoPackage, merge it back.

:func:`checkout` writes an ordinary project GeoPackage (every command and the window open it)
plus two tables: ``pa_team_package`` (package id, database address without password, who,
when) and ``pa_team_rows`` (for every record: local fid → ``pa_uuid``, the version checked
out, and a digest of its values). Layers are cut to the area (features intersecting the
polygon); survey records, the ledger and the other tables come whole.

:func:`checkin` merges a package back by UUID, one record at a time:

* a record added offline is inserted (a fresh UUID, version 1);
* a record changed offline is written when nobody changed it in the database since the
  checkout (same version); otherwise it is a **conflict**: the database keeps its version,
  the package's version is kept in ``pa_conflicts`` until a person decides
  (:func:`resolve_conflict`, keep ``database`` or ``package``);
* a record deleted offline is deleted when untouched in the database, else a conflict;
* what a checkin applied is remembered per package (``pa_checkin_rows``), so checking the
  same package in twice changes nothing, and a conflict is listed once.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.io.postgis import geometry as gcodec
from network.io.postgis.ddl import STALE_SQLSTATE, q
from network.io.postgis.dsn import ProjectAddress, parse_address
from network.io.postgis.errors import TeamError
from network.io.postgis.records import _from_db_error
from network.io.postgis.transfer import (
    TableInfo,
    _open_sqlite,
    load_tables,
    pull,
    row_hash,
)

#: Tables each copy derives on its own (edit counters, the stored network): never merged.
DERIVED_TABLES = frozenset({"pa_layer_edits", "pa_topology"})
#: Caches recomputed from records, merged by their key: the latest computation wins, never a
#: conflict (segment grades are recomputed from the observations of the pipe).
CACHE_TABLES = {"sv_grades": "pipe_id"}
PACKAGE_META = "pa_team_package"
PACKAGE_ROWS = "pa_team_rows"
DELETED = "deleted"


@dataclass
class CheckinResult:
    """What a checkin did, per record: added, updated, deleted, conflicts, refused."""

    package_id: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (table, uuid)
    updated: list[tuple[str, str]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # new ones only
    refused: list[dict[str, Any]] = field(default_factory=list)  # the role may not write
    unchanged: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.conflicts)


def _area_wkt(area: Any) -> str | None:
    if area is None:
        return None
    if isinstance(area, str):
        import shapely

        try:
            geom = shapely.from_wkt(area)
        except Exception as exc:
            raise TeamError(
                f"--area is not a WKT polygon: {area[:60]!r}.",
                "Give POLYGON((x y, …)) in the project's CRS, or a vector file.",
                field="area",
            ) from exc
    else:
        geom = area
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise TeamError(
            f"The checkout area must be a polygon, got a {geom.geom_type}.", field="area"
        )
    return geom.wkt


def checkout(
    address: str | ProjectAddress,
    out: str | Path,
    *,
    area: Any = None,
    overwrite: bool = False,
) -> dict[str, int]:
    """Write an offline package of the park (or of the features in polygon *area*).

    Returns the number of records per table.

    Raises
    ------
    TeamError
        The schema holds no project, the area is not a polygon, or *out* exists.
    """
    addr = parse_address(address) if isinstance(address, str) else address
    area_wkt = _area_wkt(area)
    package_id = str(uuidlib.uuid4())
    bases: list[tuple[str, int, str, int]] = []

    with addr.connect() as con:
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        tables = load_tables(con, addr.schema)
        for t in tables:
            where, params = "", []
            if area_wkt and t.geom_column:
                where = f" WHERE ST_Intersects({q(t.geom_column)}, ST_GeomFromText(%s, %s))"
                params = [area_wkt, t.srid or 0]
            bases += [
                (t.name, int(r[0]), str(r[1]), int(r[2]))
                for r in con.execute(
                    f"SELECT {q(t.pk)}, pa_uuid, pa_version FROM {q(addr.schema)}.{q(t.name)}"
                    + where,
                    params,
                )
            ]
        user = con.execute("SELECT current_user").fetchone()[0]
        # the same snapshot as the base versions: nothing changes in between
        counts = pull(addr, out, area_wkt=area_wkt, overwrite=overwrite, con=con)
    _write_package_tables(Path(out), addr, package_id, user, area_wkt, bases, tables)
    return counts


def _write_package_tables(
    path: Path,
    addr: ProjectAddress,
    package_id: str,
    user: str,
    area_wkt: str | None,
    bases: list[tuple[str, int, str, int]],
    tables: list[TableInfo],
) -> None:
    from network.io.gpkg import register_attributes

    con = _open_sqlite(path, write=True)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            f"CREATE TABLE {PACKAGE_META} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
            "key TEXT NOT NULL UNIQUE, value TEXT)"
        )
        con.execute(
            f"CREATE TABLE {PACKAGE_ROWS} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
            "table_name TEXT NOT NULL, row_fid INTEGER NOT NULL, pa_uuid TEXT NOT NULL, "
            "base_version INTEGER NOT NULL, base_hash TEXT NOT NULL, "
            "UNIQUE (table_name, row_fid))"
        )
        meta = {
            "package_id": package_id,
            "address": addr.public(),
            "schema": addr.schema,
            "checked_out_by": user,
            "checked_out_on": getpass.getuser(),
            "checked_out_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "area": area_wkt or "",
        }
        con.executemany(f"INSERT INTO {PACKAGE_META} (key, value) VALUES (?, ?)", meta.items())
        hashes = {}
        for t in tables:
            for fid, h in _package_hashes(con, t).items():
                hashes[(t.name, fid)] = h
        con.executemany(
            f"INSERT INTO {PACKAGE_ROWS} (table_name, row_fid, pa_uuid, base_version, base_hash)"
            " VALUES (?, ?, ?, ?, ?)",
            [(t, fid, u, v, hashes[(t, fid)]) for t, fid, u, v in bases],
        )
        register_attributes(con, PACKAGE_META, "PipeAtlas offline package (PostGIS checkout)")
        register_attributes(con, PACKAGE_ROWS, "PipeAtlas offline package base versions")
        con.execute("COMMIT")
    finally:
        con.close()


def _package_hashes(con: sqlite3.Connection, t: TableInfo) -> dict[int, str]:
    return {fid: row_hash(vals) for fid, vals in _package_rows(con, t).items()}


def _package_rows(con: sqlite3.Connection, t: TableInfo) -> dict[int, list[Any]]:
    cols = t.value_columns
    cur = con.execute(f"SELECT {q(t.pk)}, {', '.join(q(c) for c in cols)} FROM {q(t.name)}")
    return {int(r[0]): list(r[1:]) for r in cur}


def read_package(path: str | Path) -> tuple[dict[str, str], dict[tuple[str, int], tuple]]:
    """(package meta, {(table, local fid): (uuid, base version, base hash)}).

    Raises
    ------
    TeamError
        The file is not an offline package (no ``pa_team_package``).
    """
    p = Path(path)
    if not p.is_file():
        raise TeamError(f"{p} does not exist: give the .gpkg written by checkout.", file=str(p))
    con = _open_sqlite(p)
    try:
        try:
            meta = dict(con.execute(f"SELECT key, value FROM {PACKAGE_META}").fetchall())
            rows = {
                (r[0], int(r[1])): (r[2], int(r[3]), r[4])
                for r in con.execute(
                    f"SELECT table_name, row_fid, pa_uuid, base_version, base_hash "
                    f"FROM {PACKAGE_ROWS}"
                )
            }
        except sqlite3.Error as exc:
            raise TeamError(
                f"{p.name} is not an offline package (no {PACKAGE_META} table).",
                "Check in a file written by `python main.py checkout`.",
                file=str(p),
            ) from exc
    finally:
        con.close()
    return meta, rows


def checkin(path: str | Path, address: str | ProjectAddress | None = None) -> CheckinResult:
    """Merge an offline package back into its PostGIS project (see the module notes).

    *address* defaults to the one recorded in the package (without password: ``~/.pgpass``).

    Raises
    ------
    TeamError
        Not a package, or the database is not reachable; nothing is half-applied (one
        transaction).
    """
    meta, base_rows = read_package(path)
    addr = (
        parse_address(address or meta["address"])
        if not isinstance(address, ProjectAddress)
        else address
    )
    if addr.schema != meta.get("schema"):
        raise TeamError(
            f"{Path(path).name} was checked out of schema {meta.get('schema')}, not "
            f"{addr.schema}.",
            file=str(path),
        )
    pkg_id = meta["package_id"]
    result = CheckinResult(pkg_id)
    import psycopg

    src = _open_sqlite(Path(path))
    try:
        with addr.connect() as con:
            tables = load_tables(con, addr.schema)
            prior = {
                (r[0], int(r[1])): (str(r[2]), r[3], r[4])
                for r in con.execute(
                    f"SELECT table_name, local_fid, pa_uuid, applied_hash, applied_version "
                    f"FROM {q(addr.schema)}.pa_checkin_rows WHERE package_id = %s",
                    (pkg_id,),
                )
            }
            for t in tables:
                if t.name in DERIVED_TABLES:
                    continue
                _checkin_table(con, addr.schema, t, src, base_rows, prior, result)
    except psycopg.Error as exc:
        raise TeamError(
            f"Checking in {Path(path).name} failed, nothing was merged: "
            f"{str(exc).strip().splitlines()[0]}",
            "Try again; if it persists, keep the package and tell the database owner.",
            file=str(path),
        ) from exc
    finally:
        src.close()
    return result


def _checkin_table(
    con: Any,
    schema: str,
    t: TableInfo,
    src: sqlite3.Connection,
    base_rows: dict[tuple[str, int], tuple],
    prior: dict[tuple[str, int], tuple],
    result: CheckinResult,
) -> None:
    local = _package_rows(src, t)
    mine = {fid: v for (tn, fid), v in base_rows.items() if tn == t.name}
    uuids = {v[0] for v in mine.values()} | {v[0] for (tn, _f), v in prior.items() if tn == t.name}
    db = {
        str(r[0]): (int(r[1]), r[2], r[3])
        for r in con.execute(
            f"SELECT pa_uuid, pa_version, pa_changed_by, pa_changed_at "
            f"FROM {q(schema)}.{q(t.name)} WHERE pa_uuid = ANY(%s::uuid[])",
            (list(uuids),),
        )
    }
    cols = t.value_columns
    for fid, vals in local.items():
        h = row_hash(vals)
        key = (t.name, fid)
        if t.name in CACHE_TABLES:
            cached = prior[key][1] if key in prior else mine[fid][2] if fid in mine else None
            if cached == h:
                result.unchanged += 1
            else:
                _replace_cached(con, schema, t, fid, cols, vals, h, result)
            continue
        if key in prior:
            uid, base_hash, base_version = prior[key]
        elif fid in mine:
            uid, base_version, base_hash = mine[fid]
        else:
            _add(con, schema, t, fid, cols, vals, h, result)
            continue
        if h == base_hash:
            result.unchanged += 1
            continue
        cur = db.get(uid)
        if cur is None:
            _conflict(
                con,
                schema,
                t,
                uid,
                "changed offline, deleted in the database",
                base_version,
                None,
                vals,
                h,
                result,
            )
        elif cur[0] != base_version:
            _conflict(
                con, schema, t, uid, "changed on both sides", base_version, cur, vals, h, result
            )
        else:
            _update(con, schema, t, fid, uid, base_version, cols, vals, h, result)
    if t.name in CACHE_TABLES:
        return  # a cache row gone offline keeps the database's computation
    for fid, (uid, base_version, _bh) in mine.items():
        if fid in local:
            continue
        key = (t.name, fid)
        if key in prior and prior[key][1] == DELETED:
            continue
        cur = db.get(uid)
        if cur is None:
            _remember(con, schema, result.package_id, t.name, fid, uid, DELETED, None)
        elif cur[0] != base_version:
            _conflict(
                con,
                schema,
                t,
                uid,
                "deleted offline, changed in the database",
                base_version,
                cur,
                None,
                DELETED,
                result,
            )
        else:
            try:
                with con.transaction():
                    con.execute(
                        f"DELETE FROM {q(schema)}.{q(t.name)} WHERE pa_uuid = %s "
                        "AND pa_version = %s",
                        (uid, base_version),
                    )
                    _remember(con, schema, result.package_id, t.name, fid, uid, DELETED, None)
                result.deleted.append((t.name, uid))
            except Exception as exc:  # noqa: BLE001 - sorted by _refused
                _refused(exc, t, uid, result)


def _replace_cached(con, schema, t, fid, cols, vals, h, result) -> None:
    """A recomputed cache row replaces the database's row of the same key."""
    keycol = CACHE_TABLES[t.name]
    uid = str(uuidlib.uuid4())
    exprs, params = _values_sql(t, cols, vals)
    try:
        with con.transaction():
            con.execute(
                f"DELETE FROM {q(schema)}.{q(t.name)} WHERE {q(keycol)} = %s",
                (vals[cols.index(keycol)],),
            )
            con.execute(
                f"INSERT INTO {q(schema)}.{q(t.name)} ({', '.join(q(c) for c in cols)}, pa_uuid)"
                f" VALUES ({', '.join(exprs)}, %s)",
                [*params, uid],
            )
            _remember(con, schema, result.package_id, t.name, fid, uid, h, 1)
        result.updated.append((t.name, uid))
    except Exception as exc:  # noqa: BLE001 - sorted by _refused
        _refused(exc, t, uid, result)


def _values_sql(t: TableInfo, cols: list[str], vals: list[Any]) -> tuple[list[str], list[Any]]:
    exprs, params = [], []
    for c, v in zip(cols, vals, strict=True):
        if c == t.geom_column and v is not None:
            exprs.append("ST_SetSRID(ST_GeomFromWKB(%s), %s)")
            params += [gcodec.gpkg_to_wkb(v), t.srid or 0]
        else:
            exprs.append("%s")
            params.append(v)
    return exprs, params


def _add(con, schema, t, fid, cols, vals, h, result) -> None:
    # the same new record of the same package always gets the same UUID (idempotent checkin)
    uid = str(uuidlib.uuid5(uuidlib.UUID(result.package_id), f"{t.name}:{fid}"))
    exprs, params = _values_sql(t, cols, vals)
    try:
        with con.transaction():
            con.execute(
                f"INSERT INTO {q(schema)}.{q(t.name)} ({', '.join(q(c) for c in cols)}, pa_uuid)"
                f" VALUES ({', '.join(exprs)}, %s)",
                [*params, uid],
            )
            _remember(con, schema, result.package_id, t.name, fid, uid, h, 1)
        result.added.append((t.name, uid))
    except Exception as exc:  # noqa: BLE001 - a duplicate key is a conflict, else _refused
        import psycopg

        if isinstance(exc, psycopg.errors.UniqueViolation):
            _conflict(
                con,
                schema,
                t,
                uid,
                "added offline, its key is already in the database",
                None,
                None,
                vals,
                h,
                result,
            )
        else:
            _refused(exc, t, f"new record (local fid {fid})", result)


def _update(con, schema, t, fid, uid, base_version, cols, vals, h, result) -> None:
    exprs, params = _values_sql(t, cols, vals)
    sets = [f"{q(c)} = {e}" for c, e in zip(cols, exprs, strict=True)]
    try:
        with con.transaction():
            row = con.execute(
                f"UPDATE {q(schema)}.{q(t.name)} SET {', '.join(sets)}, pa_version = %s "
                "WHERE pa_uuid = %s RETURNING pa_version",
                [*params, base_version, uid],
            ).fetchone()
            _remember(con, schema, result.package_id, t.name, fid, uid, h, row[0])
        result.updated.append((t.name, uid))
    except Exception as exc:  # noqa: BLE001 - a lost race becomes a conflict
        if getattr(exc, "sqlstate", None) == STALE_SQLSTATE:
            cur = con.execute(
                f"SELECT pa_version, pa_changed_by, pa_changed_at FROM {q(schema)}.{q(t.name)} "
                "WHERE pa_uuid = %s",
                (uid,),
            ).fetchone()
            _conflict(
                con, schema, t, uid, "changed on both sides", base_version, cur, vals, h, result
            )
        else:
            _refused(exc, t, uid, result)


def _refused(exc: Exception, t: TableInfo, what: str, result: CheckinResult) -> None:
    err = _from_db_error(exc, t.name, what, None)
    if err is exc:
        raise exc
    result.refused.append({"table": t.name, "record": what, "message": str(err)})


def _remember(con, schema, pkg, table, fid, uid, h, version) -> None:
    con.execute(
        f"INSERT INTO {q(schema)}.pa_checkin_rows (package_id, table_name, local_fid, pa_uuid, "
        "applied_hash, applied_version) VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (package_id, table_name, local_fid) DO UPDATE SET pa_uuid = "
        "EXCLUDED.pa_uuid, applied_hash = EXCLUDED.applied_hash, "
        "applied_version = EXCLUDED.applied_version",
        (pkg, table, fid, uid, h, version),
    )


def _row_json(t: TableInfo, vals: list[Any] | None) -> str | None:
    if vals is None:
        return None
    out = {}
    for c, v in zip(t.value_columns, vals, strict=True):
        if isinstance(v, bytes | memoryview):
            v = (
                {"wkb": gcodec.gpkg_to_wkb(bytes(v)).hex()}
                if c == t.geom_column
                else {"bytes": bytes(v).hex()}
            )
        out[c] = v
    return json.dumps(out, ensure_ascii=False)


def _conflict(con, schema, t, uid, kind, base_version, cur, vals, h, result) -> None:
    try:
        with con.transaction():
            _add_conflict(con, schema, t, uid, kind, base_version, cur, vals, h, result)
    except Exception as exc:  # noqa: BLE001 - a role that may not record conflicts: refused
        _refused(exc, t, uid, result)


def _add_conflict(con, schema, t, uid, kind, base_version, cur, vals, h, result) -> None:
    row = con.execute(
        f"INSERT INTO {q(schema)}.pa_conflicts (package_id, table_name, pa_uuid, kind, "
        "base_version, db_version, db_changed_by, db_changed_at, package_row, package_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (package_id, table_name, pa_uuid, package_hash) DO NOTHING RETURNING id",
        (
            result.package_id,
            t.name,
            uid,
            kind,
            base_version,
            cur[0] if cur else None,
            cur[1] if cur else None,
            cur[2] if cur else None,
            _row_json(t, vals),
            h,
        ),
    ).fetchone()
    if row is not None:
        result.conflicts.append(
            {
                "id": row[0],
                "table": t.name,
                "uuid": uid,
                "kind": kind,
                "base_version": base_version,
                "db_version": cur[0] if cur else None,
                "changed_by": cur[1] if cur else None,
            }
        )


# --- conflicts --------------------------------------------------------------------------------
def list_conflicts(address: str | ProjectAddress, *, all_: bool = False) -> list[dict[str, Any]]:
    """The conflicts waiting for a person (all of them, resolved too, with *all_*)."""
    addr = parse_address(address) if isinstance(address, str) else address
    with addr.connect() as con:
        cur = con.execute(
            "SELECT id, table_name, pa_uuid::text, kind, base_version, db_version, "
            "db_changed_by, db_changed_at, found_by, found_at, package_id::text, resolution, "
            f"resolved_by, package_row FROM {q(addr.schema)}.pa_conflicts "
            + ("" if all_ else "WHERE resolution IS NULL ")
            + "ORDER BY id"
        )
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]


def resolve_conflict(address: str | ProjectAddress, conflict_id: int, keep: str) -> str:
    """Decide a conflict: keep the ``database`` version or write the ``package`` version.

    Returns a one-line summary.

    Raises
    ------
    TeamError
        No such open conflict, or *keep* is neither ``database`` nor ``package``.
    StaleWriteError
        Keeping the package version lost a race with another writer (decide again).
    """
    if keep not in ("database", "package"):
        raise TeamError(f"keep must be database or package, not {keep!r}.", field="keep")
    addr = parse_address(address) if isinstance(address, str) else address
    with addr.connect() as con:
        s = q(addr.schema)
        row = con.execute(
            f"SELECT table_name, pa_uuid::text, package_row FROM {s}.pa_conflicts "
            "WHERE id = %s AND resolution IS NULL FOR UPDATE",
            (int(conflict_id),),
        ).fetchone()
        if row is None:
            raise TeamError(
                f"There is no open conflict {conflict_id}: see `python main.py conflicts list`.",
                feature=str(conflict_id),
            )
        table, uid, prow = row
        if keep == "package":
            t = next(x for x in load_tables(con, addr.schema) if x.name == table)
            _apply_package_row(con, addr.schema, t, uid, prow)
        con.execute(
            f"UPDATE {s}.pa_conflicts SET resolution = %s, resolved_by = current_user, "
            "resolved_at = clock_timestamp() WHERE id = %s",
            (keep, int(conflict_id)),
        )
    return f"conflict {conflict_id} ({table} {uid}): kept the {keep} version"


def _apply_package_row(con: Any, schema: str, t: TableInfo, uid: str, prow: Any) -> None:
    from network.io.postgis.records import delete_record, insert_record, update_record

    cur = con.execute(
        f"SELECT pa_version FROM {q(schema)}.{q(t.name)} WHERE pa_uuid = %s", (uid,)
    ).fetchone()
    if prow is None:  # deleted offline
        if cur is not None:
            delete_record(con, schema, t.name, uid, cur[0])
        return
    values = {}
    for c, v in prow.items():
        if isinstance(v, dict) and "wkb" in v:
            v = bytes.fromhex(v["wkb"])
        elif isinstance(v, dict) and "bytes" in v:
            v = bytes.fromhex(v["bytes"])
        values[c] = v
    if cur is None:
        insert_record(con, schema, t.name, values, uuid=uid)
    else:
        update_record(con, schema, t.name, uid, cur[0], values)
