"""Several writers, nothing lost: row versions, refused lost races, the audit log."""

from __future__ import annotations

import psycopg
import pytest

from network.io.postgis import loadtest
from network.io.postgis.dsn import with_user as as_user
from network.io.postgis.errors import StaleWriteError
from network.io.postgis.records import (
    changes_since,
    delete_record,
    insert_record,
    read_record,
    update_record,
)


def _problem(pushed: str) -> str:
    base = pushed.split("?")[0]
    with psycopg.connect(as_user(base, "carol"), autocommit=True) as con:
        return insert_record(
            con, "park", "sv_problems", {"uuid": "q1", "description": "检查井盖破损"}
        )


def test_a_write_that_lost_the_race_is_refused_naming_who(pushed: str) -> None:
    base = pushed.split("?")[0]
    uid = _problem(pushed)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute("GRANT park_staff TO bob")
    alice_base = as_user(base, "carol")
    with (
        psycopg.connect(alice_base, autocommit=True) as carol,
        psycopg.connect(as_user(base, "bob"), autocommit=True) as bob,
    ):
        v_carol = read_record(carol, "park", "sv_problems", uid)["pa_version"]
        v_bob = read_record(bob, "park", "sv_problems", uid)["pa_version"]
        assert v_carol == v_bob == 1
        assert update_record(carol, "park", "sv_problems", uid, v_carol, {"status": "整改中"}) == 2
        with pytest.raises(StaleWriteError) as err:
            update_record(bob, "park", "sv_problems", uid, v_bob, {"status": "已完成"})
        e = err.value
        assert e.changed_by == "carol"
        assert (e.base_version, e.db_version) == (1, 2)
        assert uid in e.message and "carol" in e.message and "sv_problems" in e.message
        # carol's value is kept, never silently overwritten
        assert read_record(bob, "park", "sv_problems", uid)["status"] == "整改中"
        # a delete with a stale version is refused the same way
        with pytest.raises(StaleWriteError, match="carol"):
            delete_record(bob, "park", "sv_problems", uid, 1)


def test_a_stale_direct_sql_update_is_refused_by_the_database(pushed: str) -> None:
    """Whoever writes (QGIS, psql): setting an old pa_version is refused by the trigger."""
    base = pushed.split("?")[0]
    with psycopg.connect(as_user(base, "alice"), autocommit=True) as con:
        con.execute("UPDATE park.pipes SET material = 'PE' WHERE fid = 5")  # no version: ok
        with pytest.raises(psycopg.DatabaseError, match="changed by alice") as err:
            con.execute("UPDATE park.pipes SET material = 'PVC', pa_version = 1 WHERE fid = 5")
        assert err.value.sqlstate == "PA409"
        assert con.execute(
            "SELECT material, pa_version FROM park.pipes WHERE fid = 5"
        ).fetchone() == ("PE", 2)


def test_every_change_is_audited_who_when_what(pushed: str) -> None:
    base = pushed.split("?")[0]
    with psycopg.connect(base) as con:
        start = con.execute("SELECT max(id) FROM park.pa_audit").fetchone()[0] or 0
    uid = _problem(pushed)
    with psycopg.connect(as_user(base, "carol"), autocommit=True) as con:
        update_record(con, "park", "sv_problems", uid, 1, {"measure": "更换井盖"})
        log = changes_since(con, "park", start)
    assert [(c["who"], c["action"], c["table_name"], c["pa_uuid"], c["version"]) for c in log] == [
        ("carol", "INSERT", "sv_problems", uid, 1),
        ("carol", "UPDATE", "sv_problems", uid, 2),
    ]
    assert log[1]["what"] == {"measure": [None, "更换井盖"]}
    with (
        psycopg.connect(as_user(base, "dave")) as con,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        con.execute("UPDATE park.pa_audit SET who = 'nobody'")


def test_others_changes_are_announced(pushed: str) -> None:
    base = pushed.split("?")[0]
    with psycopg.connect(base, autocommit=True) as listener:
        listener.execute("LISTEN pipeatlas")
        uid = _problem(pushed)
        got = next(listener.notifies(timeout=5, stop_after=1))
    assert '"table" : "sv_problems"' in got.payload
    assert uid in got.payload and '"who" : "carol"' in got.payload


def test_concurrent_writers_lose_nothing_and_conflict_exactly_where_shared(pushed: str):
    base = pushed.split("?")[0]
    writers, per = 4, 60  # 4 writers × 60: 6 contested ledger rows per writer
    uuids = loadtest.prepare(base, "park", writers, per)
    res = loadtest.run(lambda role: as_user(base, role), "park", uuids, writers, per)
    v = loadtest.verify(base, "park", res, per)
    assert v["errors"] == []
    assert v["survey_records"] == v["survey_distinct"] == writers * per  # none lost, no dupes
    assert v["survey_lost"] == 0
    # 4 × 6 contested rows: one winner and one conflict each; 4 × 54 rows one writer only
    assert v["conflicts"] == 24
    assert v["conflict_rows_exact"]
    assert v["ledger_updated"] == writers * per - 24
    assert v["ledger_rows_version2"] == writers * per - 24
    assert v["ledger_rows_over2"] == 0
    assert v["ledger_untouched_changed"] == 0
    assert v["audited_updates"] == writers * per - 24
    # every conflict names the other writer of that row
    for w, r in enumerate(res.writers):
        for row, who in r.conflicts:
            owners = {
                loadtest.writer_name(x)
                for x in range(writers)
                if row in loadtest.rows_of(x, writers, per)
            }
            assert who in owners - {loadtest.writer_name(w)}


def test_a_window_sees_others_changes(pushed: str) -> None:
    import threading

    from network.io.postgis.dsn import parse_address
    from network.io.postgis.records import watch_changes

    got: list = []
    ready = threading.Event()
    t = threading.Thread(
        target=lambda: got.extend(
            watch_changes(parse_address(pushed), timeout_s=10, stop_after=1, listening=ready.set)
        )
    )
    t.start()
    assert ready.wait(10)
    uid = _problem(pushed)
    t.join()
    assert [(g["table"], g["op"], g["uuid"], g["who"]) for g in got] == [
        ("sv_problems", "INSERT", uid, "carol")
    ]
