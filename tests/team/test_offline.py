"""Offline packages: checkout, work without a network, checkin by UUID with exact conflicts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from network.io.postgis.dsn import with_user as as_user
from network.io.postgis.errors import TeamError
from network.io.postgis.offline import checkin, checkout, list_conflicts, resolve_conflict
from network.io.postgis.records import read_record, update_record


def _gpkg_functions(con: sqlite3.Connection) -> None:
    """The SQL functions GDAL gives a GeoPackage's rtree triggers (an offline editor has them)."""
    from network.io.postgis.geometry import envelope, gpkg_to_wkb

    def env(blob: bytes | None, i: int) -> float | None:
        e = envelope(gpkg_to_wkb(blob))
        return None if e is None else e[i]

    con.create_function("ST_IsEmpty", 1, lambda b: int(envelope(gpkg_to_wkb(b)) is None))
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, lambda b, i=i: env(b, i))


def _edit(pkg: Path, sql: str, params: tuple = ()) -> None:
    con = sqlite3.connect(pkg)
    _gpkg_functions(con)
    con.execute(sql, params)
    con.commit()
    con.close()


def _uuid_of(pkg: Path, table: str, fid: int) -> str:
    con = sqlite3.connect(pkg)
    row = con.execute(
        "SELECT pa_uuid FROM pa_team_rows WHERE table_name = ? AND row_fid = ?", (table, fid)
    ).fetchone()
    con.close()
    return row[0]


def _db(pushed: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(pushed.split("?")[0]) as con:
        return con.execute(sql, params).fetchall()


def test_two_packages_conflict_exactly_on_the_overlap(pushed: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "a.gpkg", tmp_path / "b" / "b.gpkg"
    a.parent.mkdir(), b.parent.mkdir()
    checkout(pushed, a)
    checkout(pushed, b)
    # A edits pipes 1-10, B edits pipes 8-15: pipes 8, 9, 10 are edited in both
    _edit(a, "UPDATE pipes SET material = '测试材质甲' WHERE fid BETWEEN 1 AND 10")
    _edit(b, "UPDATE pipes SET material = '测试材质乙' WHERE fid BETWEEN 8 AND 15")
    # B also adds a manhole and deletes pipe 20 offline
    _edit(
        b,
        "INSERT INTO manholes (geom, 编号, node_id) SELECT geom, 'XJ-新增', 'XJ-NEW' "
        "FROM manholes WHERE fid = 1",
    )
    _edit(b, "DELETE FROM pipes WHERE fid = 20")
    ra = checkin(a)
    assert [t for t, _ in ra.updated] == ["pipes"] * 10
    assert not ra.conflicts and not ra.added
    rb = checkin(b)
    overlap = {_uuid_of(b, "pipes", f) for f in (8, 9, 10)}
    assert {c["uuid"] for c in rb.conflicts} == overlap
    assert [t for t, _ in rb.updated] == ["pipes"] * 5  # pipes 11-15
    assert [t for t, _ in rb.added] == ["manholes"]
    assert rb.deleted == [("pipes", _uuid_of(b, "pipes", 20))]
    # the database keeps A's version of 8-10; B's is kept in pa_conflicts until decided
    mats = dict(_db(pushed, "SELECT fid, material FROM park.pipes WHERE fid BETWEEN 7 AND 12"))
    assert mats == {
        7: "测试材质甲",
        8: "测试材质甲",
        9: "测试材质甲",
        10: "测试材质甲",
        11: "测试材质乙",
        12: "测试材质乙",
    }
    listed = list_conflicts(pushed)
    assert {c["pa_uuid"] for c in listed} == overlap
    assert all(
        c["db_changed_by"] == "postgres" and c["kind"] == "changed on both sides" for c in listed
    )
    assert {c["package_row"]["material"] for c in listed} == {"测试材质乙"}
    assert _db(pushed, "SELECT count(*) FROM park.manholes WHERE node_id = 'XJ-NEW'") == [(1,)]
    assert _db(pushed, "SELECT count(*) FROM park.pipes") == [(1410,)]


def test_checking_in_twice_changes_nothing(pushed: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    checkout(pushed, a)
    checkout(pushed, b)
    _edit(a, "UPDATE pipes SET owner = '园区管委会' WHERE fid IN (1, 2)")
    _edit(b, "UPDATE pipes SET owner = '某企业' WHERE fid IN (2, 3)")
    _edit(
        b, "INSERT INTO sv_inspections (uuid, date, method) VALUES ('i-1', '2026-11-30', 'cctv')"
    )
    checkin(a)
    first = checkin(b)
    assert len(first.conflicts) == 1 and len(first.added) == 1
    audit = _db(pushed, "SELECT count(*) FROM park.pa_audit")
    second = checkin(b)
    assert not second.changed_anything
    assert _db(pushed, "SELECT count(*) FROM park.pa_audit") == audit
    assert _db(pushed, "SELECT count(*) FROM park.sv_inspections") == [(1,)]
    assert len(list_conflicts(pushed)) == 1


def test_a_conflict_is_decided_by_a_person(pushed: str, tmp_path: Path) -> None:
    pkg = tmp_path / "p.gpkg"
    checkout(pushed, pkg)
    _edit(pkg, "UPDATE pipes SET status = '待修复' WHERE fid = 3")
    uid = _uuid_of(pkg, "pipes", 3)
    with psycopg.connect(as_user(pushed.split("?")[0], "alice"), autocommit=True) as con:
        update_record(con, "park", "pipes", uid, 1, {"status": "正常"})
    (c,) = checkin(pkg).conflicts
    assert c["changed_by"] == "alice"
    resolve_conflict(pushed, c["id"], "package")
    assert _db(pushed, "SELECT status FROM park.pipes WHERE fid = 3") == [("待修复",)]
    assert list_conflicts(pushed) == []
    with pytest.raises(TeamError, match="no open conflict"):
        resolve_conflict(pushed, c["id"], "database")


def test_an_area_checkout_holds_the_features_inside_it(pushed: str, tmp_path: Path) -> None:
    from network.io.project import open_project

    # a square 400 m × 400 m around the park's south-west corner (EPSG:4525 metres)
    area = (
        "POLYGON((37626000 3164700, 37626400 3164700, 37626400 3165100, 37626000 3165100, "
        "37626000 3164700))"
    )
    pkg = tmp_path / "sw.gpkg"
    counts = checkout(pushed, pkg, area=area)
    expected = _db(
        pushed,
        "SELECT count(*) FROM park.pipes WHERE ST_Intersects(geom, ST_GeomFromText(%s, 4525))",
        (area,),
    )[0][0]
    assert 0 < counts["pipes"] == expected < 1411
    assert counts["sv_meta"] == 1  # non-spatial tables come whole
    project = open_project(pkg)  # an ordinary project for every command
    assert len(project.layer("pipes")) == expected


def test_checkin_of_a_plain_project_is_refused(demo_project: Path, pushed: str) -> None:
    with pytest.raises(TeamError, match="not an offline package"):
        checkin(demo_project, pushed)


def test_role_refusals_are_listed_not_lost(pushed: str, tmp_path: Path) -> None:
    """An auditor's offline edit of a pipe is refused by the database and reported."""
    dave = as_user(pushed.split("?")[0], "dave") + "?schema=park"
    pkg = tmp_path / "d.gpkg"
    checkout(dave, pkg)
    _edit(pkg, "UPDATE pipes SET material = 'PE' WHERE fid = 1")
    res = checkin(pkg, dave)
    assert not res.updated
    assert res.refused and res.refused[0]["table"] == "pipes"
    with psycopg.connect(pushed.split("?")[0]) as con:
        rec = read_record(con, "park", "pipes", _uuid_of(pkg, "pipes", 1))
    assert rec["material"] != "PE"


def test_a_password_in_the_address_is_never_stored(pushed: str, tmp_path: Path) -> None:
    with_pw = pushed.replace("postgres@", "postgres:s3cret-pw@", 1)
    pkg = tmp_path / "pw.gpkg"
    checkout(with_pw, pkg)
    assert b"s3cret-pw" not in pkg.read_bytes()
    con = sqlite3.connect(pkg)
    stored = dict(con.execute("SELECT key, value FROM pa_team_package").fetchall())["address"]
    con.close()
    assert stored == pushed  # the same address, without the password


def test_recomputed_grades_replace_the_database_ones_without_conflict(pushed, tmp_path):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    checkout(pushed, a)
    checkout(pushed, b)
    _edit(a, "INSERT INTO sv_grades (pipe_id, structural_grade) VALUES ('WS-0001', 'II')")
    _edit(b, "INSERT INTO sv_grades (pipe_id, structural_grade) VALUES ('WS-0001', 'III')")
    assert [t for t, _ in checkin(a).updated] == ["sv_grades"]
    rb = checkin(b)  # the later computation wins: a cache, never a conflict
    assert not rb.conflicts and [t for t, _ in rb.updated] == ["sv_grades"]
    assert _db(pushed, "SELECT pipe_id, structural_grade FROM park.sv_grades") == [
        ("WS-0001", "III")
    ]
    assert not checkin(b).changed_anything


def test_a_key_added_in_two_packages_is_a_conflict(pushed: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    checkout(pushed, a)
    checkout(pushed, b)
    _edit(a, "INSERT INTO pa_project (key, value) VALUES ('team_note', '甲')")
    _edit(b, "INSERT INTO pa_project (key, value) VALUES ('team_note', '乙')")
    assert [t for t, _ in checkin(a).added] == ["pa_project"]
    rb = checkin(b)
    assert [(c["table"], c["kind"]) for c in rb.conflicts] == [
        ("pa_project", "added offline, its key is already in the database")
    ]
    assert _db(pushed, "SELECT value FROM park.pa_project WHERE key = 'team_note'") == [("甲",)]
    assert not checkin(b).changed_anything
    assert len(list_conflicts(pushed)) == 1
