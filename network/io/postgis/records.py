"""Writes to a PostGIS project that never silently overwrite another person's change.

Every record has a ``pa_uuid`` and a ``pa_version``. A writer reads a record (with its
version), and writes it back *with the version it read*: the database's ``pa_row_version``
trigger refuses the write when the stored version moved on, and :class:`StaleWriteError`
names the record, who changed it and when. Inserts get a fresh version 1; deletes are
checked the same way. Use an ``autocommit=True`` connection: each call is then its own
transaction (inside an open transaction the calls are savepoints, committed by the caller).

Examples
--------
>>> con = address.connect()  # doctest: +SKIP
>>> rec = read_record(con, "park", "sv_problems", uid)  # doctest: +SKIP
>>> update_record(con, "park", "sv_problems", uid, rec["pa_version"], {"status": "整改中"})
... # doctest: +SKIP
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any

from network.io.postgis.ddl import STALE_SQLSTATE, q
from network.io.postgis.errors import RoleRefusedError, StaleWriteError, TeamError

_UNSET = object()


def read_record(con: Any, schema: str, table: str, uuid: str) -> dict[str, Any] | None:
    """One record as a dict (geometry as WKB bytes), None when there is no such record."""
    cur = con.execute(f"SELECT * FROM {q(schema)}.{q(table)} WHERE pa_uuid = %s", (str(uuid),))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d.name for d in cur.description], row, strict=True))


def last_change(con: Any, schema: str, table: str, uuid: str) -> tuple[str | None, Any]:
    """(who, when) of the last audited change of a record (also after a delete)."""
    row = con.execute(
        f"SELECT who, at FROM {q(schema)}.pa_audit WHERE table_name = %s AND pa_uuid = %s "
        "ORDER BY id DESC LIMIT 1",
        (table, str(uuid)),
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _stale(con: Any, schema: str, table: str, uuid: str, base: int | None) -> StaleWriteError:
    row = con.execute(
        f"SELECT pa_version, pa_changed_by, pa_changed_at FROM {q(schema)}.{q(table)} "
        "WHERE pa_uuid = %s",
        (str(uuid),),
    ).fetchone()
    if row is None:
        who, at = last_change(con, schema, table, uuid)
        when = f"{at:%Y-%m-%d %H:%M:%S}" if at else "an unknown time"
        return StaleWriteError(
            f"{table} record {uuid} was deleted by {who or 'someone'} at {when}; "
            "nothing was written.",
            table=table,
            uuid=str(uuid),
            base_version=base,
            db_version=None,
            changed_by=who,
            changed_at=str(at) if at else None,
        )
    version, who, at = row
    return StaleWriteError(
        f"{table} record {uuid} was changed by {who} at {at:%Y-%m-%d %H:%M:%S} "
        f"(now version {version}; this write was based on version {base}). Nothing was "
        "overwritten: reload the record and apply the change again.",
        table=table,
        uuid=str(uuid),
        base_version=base,
        db_version=version,
        changed_by=who,
        changed_at=str(at),
    )


def _from_db_error(exc: Exception, table: str, uuid: str | None, base: int | None) -> Exception:
    """A database refusal worded for the user (lost race, role), else the error itself."""
    import psycopg

    state = getattr(exc, "sqlstate", None)
    if state == STALE_SQLSTATE:
        diag = getattr(exc, "diag", None)
        detail = {}
        if diag is not None and diag.message_detail:
            try:
                detail = json.loads(diag.message_detail)
            except ValueError:
                detail = {}
        primary = diag.message_primary if diag is not None else str(exc)
        return StaleWriteError(
            primary or str(exc),
            table=table,
            uuid=str(uuid or detail.get("uuid")),
            base_version=base,
            db_version=detail.get("db_version"),
            changed_by=detail.get("changed_by"),
            changed_at=detail.get("changed_at"),
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return RoleRefusedError(
            f"The database refused to write {table}: the logged-in role may not "
            f"({str(exc).strip().splitlines()[0]}).",
            "Field engineers write surveys and network layers, park staff the ledger and "
            "dossier, auditors only comments; ask the database owner for the right role.",
            layer=table,
            feature=str(uuid) if uuid else None,
        )
    return exc


def _vals(values: Mapping[str, Any], geom: Mapping[str, int]) -> tuple[list[str], list[Any]]:
    """SQL value expressions and parameters (geometry given as WKB bytes or shapely)."""
    exprs, params = [], []
    for k, v in values.items():
        if k in geom and v is not None:
            if not isinstance(v, bytes | bytearray | memoryview):
                import shapely

                v = shapely.to_wkb(v)
            exprs.append("ST_SetSRID(ST_GeomFromWKB(%s), %s)")
            params += [bytes(v), geom[k]]
        else:
            exprs.append("%s")
            params.append(v)
    return exprs, params


_GEOM_CACHE: dict[tuple, dict[str, int]] = {}


def geometry_columns(con: Any, schema: str, table: str) -> dict[str, int]:
    """{geometry column: SRID} of a table (cached per database: layers keep their type)."""
    info = con.info
    key = (info.host, info.port, info.dbname, schema, table)
    if key not in _GEOM_CACHE:
        _GEOM_CACHE[key] = _geometry_columns(con, schema, table)
    return _GEOM_CACHE[key]


def _geometry_columns(con: Any, schema: str, table: str) -> dict[str, int]:
    return {
        r[0]: int(r[1])
        for r in con.execute(
            "SELECT f_geometry_column, srid FROM geometry_columns "
            "WHERE f_table_schema = %s AND f_table_name = %s",
            (schema, table),
        )
    }


def insert_record(
    con: Any, schema: str, table: str, values: Mapping[str, Any], *, uuid: str | None = None
) -> str:
    """Add a record (version 1); return its UUID.

    Raises
    ------
    RoleRefusedError
        The logged-in role may not write this table.
    """
    uid = str(uuid or uuidlib.uuid4())
    geom = geometry_columns(con, schema, table)
    exprs, params = _vals(values, geom)
    cols = [*(q(k) for k in values), "pa_uuid"]
    try:
        with con.transaction():
            con.execute(
                f"INSERT INTO {q(schema)}.{q(table)} ({', '.join(cols)}) "
                f"VALUES ({', '.join([*exprs, '%s'])})",
                [*params, uid],
            )
    except Exception as exc:
        raise _from_db_error(exc, table, uid, None) from exc
    return uid


def update_record(
    con: Any,
    schema: str,
    table: str,
    uuid: str,
    base_version: int,
    changes: Mapping[str, Any],
) -> int:
    """Write *changes* to a record read at *base_version*; return the new version.

    Raises
    ------
    StaleWriteError
        Someone changed (or deleted) the record since it was read: nothing was written; the
        message names the record, who changed it and when.
    RoleRefusedError
        The logged-in role may not write this table.
    """
    if not changes:
        raise TeamError(f"No change given for {table} record {uuid}.", layer=table)
    geom = geometry_columns(con, schema, table)
    exprs, params = _vals(changes, geom)
    sets = [f"{q(k)} = {e}" for k, e in zip(changes, exprs, strict=True)]
    sets.append("pa_version = %s")
    try:
        with con.transaction():
            row = con.execute(
                f"UPDATE {q(schema)}.{q(table)} SET {', '.join(sets)} "
                "WHERE pa_uuid = %s RETURNING pa_version",
                [*params, int(base_version), str(uuid)],
            ).fetchone()
    except Exception as exc:
        raise _from_db_error(exc, table, uuid, base_version) from exc
    if row is None:
        raise _stale(con, schema, table, uuid, base_version)
    return int(row[0])


def delete_record(con: Any, schema: str, table: str, uuid: str, base_version: int) -> None:
    """Delete a record read at *base_version* (refused like :func:`update_record`)."""
    try:
        with con.transaction():
            row = con.execute(
                f"DELETE FROM {q(schema)}.{q(table)} WHERE pa_uuid = %s AND pa_version = %s "
                "RETURNING pa_version",
                (str(uuid), int(base_version)),
            ).fetchone()
    except Exception as exc:
        raise _from_db_error(exc, table, uuid, base_version) from exc
    if row is None:
        raise _stale(con, schema, table, uuid, base_version)


def add_comment(con: Any, schema: str, table: str | None, uuid: str | None, body: str) -> int:
    """A comment on a record (every role, auditors included, may comment)."""
    try:
        with con.transaction():
            row = con.execute(
                f"INSERT INTO {q(schema)}.pa_comments (table_name, pa_uuid, body) "
                "VALUES (%s, %s, %s) RETURNING id",
                (table, uuid, body),
            ).fetchone()
    except Exception as exc:
        raise _from_db_error(exc, "pa_comments", uuid, None) from exc
    return int(row[0])


def changes_since(con: Any, schema: str, audit_id: int = 0) -> list[dict[str, Any]]:
    """The audited changes after *audit_id* (what a window applies on refresh)."""
    cur = con.execute(
        f"SELECT id, at, who, action, table_name, pa_uuid::text, fid, version, what "
        f"FROM {q(schema)}.pa_audit WHERE id > %s ORDER BY id",
        (int(audit_id),),
    )
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def my_permissions(con: Any, schema: str) -> dict[str, dict[str, bool]]:
    """What the logged-in role may do per table (what the window shows; the DB enforces it)."""
    rows = con.execute(
        "SELECT c.relname, has_table_privilege(c.oid, 'SELECT'), "
        "has_table_privilege(c.oid, 'INSERT'), has_table_privilege(c.oid, 'UPDATE'), "
        "has_table_privilege(c.oid, 'DELETE') FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1",
        (schema,),
    ).fetchall()
    return {r[0]: {"read": r[1], "insert": r[2], "update": r[3], "delete": r[4]} for r in rows}


def watch_changes(
    address: Any,
    *,
    timeout_s: float = 5.0,
    stop_after: int | None = None,
    listening: Any = None,
) -> list[dict[str, Any]]:
    """Wait up to *timeout_s* for changes announced by the database (``NOTIFY pipeatlas``).

    Returns the announcements of this project's schema (``table``, ``op``, ``uuid``, ``who``).
    A window runs this in its job runner and refreshes when the list is not empty;
    *listening* (a callable) is called once the database listens for this connection.
    """
    from network.io.postgis.ddl import NOTIFY_CHANNEL

    out: list[dict[str, Any]] = []
    with address.connect(autocommit=True) as con:
        con.execute(f"LISTEN {NOTIFY_CHANNEL}")
        if listening is not None:
            listening()
        for n in con.notifies(timeout=timeout_s, stop_after=stop_after):
            try:
                payload = json.loads(n.payload)
            except ValueError:
                continue
            if payload.get("schema") == address.schema:
                out.append(payload)
    return out
