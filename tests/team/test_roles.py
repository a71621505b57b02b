"""Roles live in the database: what a role may not do, PostgreSQL refuses (not the app)."""

from __future__ import annotations

import psycopg
import pytest

from network.io.postgis.dsn import parse_address
from network.io.postgis.dsn import with_user as as_user
from network.io.postgis.errors import RoleRefusedError
from network.io.postgis.records import (
    add_comment,
    insert_record,
    my_permissions,
    read_record,
    update_record,
)


def _first_uuid(dsn: str, table: str) -> str:
    with psycopg.connect(dsn) as con:
        return str(
            con.execute(f"SELECT pa_uuid FROM park.{table} ORDER BY fid LIMIT 1").fetchone()[0]
        )


def test_an_auditors_direct_sql_update_fails(pushed: str) -> None:
    dsn = as_user(pushed.split("?")[0], "dave")
    with psycopg.connect(dsn) as con:
        assert con.execute("SELECT count(*) FROM park.pipes").fetchone() == (1411,)  # reads
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE park.pipes SET material = 'PE' WHERE fid = 1")
    with psycopg.connect(dsn) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("DELETE FROM park.pa_audit")
    with psycopg.connect(dsn) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("INSERT INTO park.sv_problems (uuid, description) VALUES ('x', 'y')")


def test_auditor_may_comment_but_only_as_themselves(pushed: str) -> None:
    dave = as_user(pushed.split("?")[0], "dave")
    uid = _first_uuid(pushed.split("?")[0], "pipes")
    with psycopg.connect(dave) as con:
        cid = add_comment(con, "park", "pipes", uid, "管径与竣工图不符，请核实")
        con.commit()
        # row-level security: writing a comment in someone else's name is refused
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("INSERT INTO park.pa_comments (author, body) VALUES ('alice', '假冒')")
    with psycopg.connect(as_user(pushed.split("?")[0], "carol")) as con:
        # carol cannot edit dave's comment: the update matches no row she may touch
        n = con.execute("UPDATE park.pa_comments SET body = '改' WHERE id = %s", (cid,)).rowcount
        assert n == 0
        assert con.execute("SELECT author, body FROM park.pa_comments").fetchall() == [
            ("dave", "管径与竣工图不符，请核实")
        ]


def test_field_engineer_edits_network_but_not_the_ledger(pushed: str) -> None:
    base = pushed.split("?")[0]
    uid = _first_uuid(base, "pipes")
    with psycopg.connect(as_user(base, "alice")) as con:
        rec = read_record(con, "park", "pipes", uid)
        assert (
            update_record(con, "park", "pipes", uid, rec["pa_version"], {"material": "HDPE"}) == 2
        )
        with pytest.raises(RoleRefusedError, match="sv_problems"):
            insert_record(con, "park", "sv_problems", {"uuid": "p1", "description": "堵塞"})
        con.commit()
    with psycopg.connect(as_user(base, "carol")) as con:
        insert_record(con, "park", "sv_problems", {"uuid": "p1", "description": "堵塞"})
        with pytest.raises(RoleRefusedError, match="pipes"):
            update_record(con, "park", "pipes", uid, 2, {"material": "PVC"})


def test_the_app_shows_what_the_logged_in_role_may_do(pushed: str) -> None:
    base = pushed.split("?")[0]
    with parse_address(as_user(base, "dave") + "?schema=park").connect() as con:
        perms = my_permissions(con, "park")
    assert perms["pipes"] == {"read": True, "insert": False, "update": False, "delete": False}
    assert perms["pa_comments"]["insert"] is True
    with parse_address(as_user(base, "carol") + "?schema=park").connect() as con:
        perms = my_permissions(con, "park")
    assert perms["sv_problems"]["update"] is True
    assert perms["pipes"]["update"] is False
