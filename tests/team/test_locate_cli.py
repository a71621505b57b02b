"""Every command opens postgresql://…: the resolver, and the team commands of the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from gisapp.cli import main
from network.io.postgis.dsn import with_user as as_user
from network.io.postgis.locate import resolve_project
from network.io.topology import topology_status


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPEATLAS_CACHE_DIR", str(tmp_path / "cache"))


def test_resolver_materialises_and_refreshes_on_change(pushed: str, demo_project: Path) -> None:
    assert resolve_project(demo_project) == demo_project  # a file stays a file
    first = resolve_project(pushed)
    assert first.suffix == ".gpkg" and first.parent.name == "cache"
    assert topology_status(first) == topology_status(demo_project)
    stamp = first.stat().st_mtime_ns
    assert resolve_project(pushed).stat().st_mtime_ns == stamp  # unchanged: not pulled again
    with psycopg.connect(as_user(pushed.split("?")[0], "alice"), autocommit=True) as con:
        con.execute("UPDATE park.pipes SET diameter_mm = 800 WHERE fid = 7")
    again = resolve_project(pushed)
    con = sqlite3.connect(again)
    assert con.execute("SELECT diameter_mm FROM pipes WHERE fid = 7").fetchone() == (800.0,)
    con.close()
    # the stored network of the copy no longer matches the edited layer: rebuilt, not reused
    assert topology_status(again).startswith("stale")


def test_a_reading_command_runs_on_an_address(pushed: str, capsys) -> None:
    assert main(["info", str(resolve_project(pushed))]) == 0
    assert "EPSG:4525" in capsys.readouterr().out


def test_cli_push_checkout_checkin_conflicts(demo_project: Path, pg_db: str, tmp_path, capsys):
    addr = pg_db + "?schema=cli"
    assert main(["push", str(demo_project), addr]) == 0
    assert "pipes" in capsys.readouterr().out
    assert main(["push", str(demo_project), addr]) == 2
    assert "already exists" in capsys.readouterr().err
    pkg = tmp_path / "pkg.gpkg"
    assert main(["checkout", addr, str(pkg)]) == 0
    con = sqlite3.connect(pkg)
    con.execute("UPDATE sv_meta SET value = value || '-offline'")
    con.commit()
    con.close()
    with psycopg.connect(pg_db, autocommit=True) as c:
        c.execute("UPDATE cli.sv_meta SET value = value || '-online'")
    capsys.readouterr()
    assert main(["checkin", str(pkg)]) == 1  # one conflict left for a person
    out = capsys.readouterr().out
    assert "new conflicts 1" in out and "sv_meta" in out
    assert main(["conflicts", "list", addr]) == 0
    assert "changed on both sides" in capsys.readouterr().out
    assert main(["checkin", str(pkg)]) == 0  # the second time changes nothing
    assert "new conflicts 0" in capsys.readouterr().out


def test_cli_refuses_a_file_where_an_address_is_needed(demo_project: Path, capsys) -> None:
    assert main(["pull", str(demo_project), "x.gpkg"]) == 2
    assert "is not a PostgreSQL address" in capsys.readouterr().err


def test_an_unreachable_database_is_one_clear_line_without_password(tmp_path, capsys) -> None:
    code = main(
        ["pull", "postgresql://ann:geheim@127.0.0.1:1/gis?schema=park", str(tmp_path / "x.gpkg")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Cannot connect to PostgreSQL" in err and "geheim" not in err


def test_a_command_that_writes_is_merged_back_by_uuid(pushed: str) -> None:
    from network.io.postgis.locate import project_session
    from surveys.records import Problem
    from surveys.store import SurveyStore

    with project_session(pushed) as s, SurveyStore(s.path, author="现场") as store:
        store.add(Problem(description="井盖缺失", location="西区二路"))
    assert s.merged is not None
    assert [t for t, _ in s.merged.added] == ["sv_problems"]
    assert _rows(pushed, "SELECT description FROM park.sv_problems") == [("井盖缺失",)]
    # a reading command afterwards sees the database, merged record included
    with project_session(pushed) as s2:
        con = sqlite3.connect(s2.path)
        assert con.execute("SELECT description FROM sv_problems").fetchall() == [("井盖缺失",)]
        con.close()
    assert s2.merged is None


def test_a_command_write_that_lost_a_race_becomes_a_conflict(pushed: str) -> None:
    from network.io.postgis.locate import project_session

    with project_session(pushed) as s:
        # while the command runs on its copy, alice changes pipe 4 in the database
        with psycopg.connect(as_user(pushed.split("?")[0], "alice"), autocommit=True) as con:
            con.execute("UPDATE park.pipes SET material = '钢' WHERE fid = 4")
        c = sqlite3.connect(s.path)
        c.create_function("ST_IsEmpty", 1, lambda b: 0)
        for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            c.create_function(f, 1, lambda b: 0.0)
        c.execute("UPDATE pipes SET material = '铸铁' WHERE fid = 4")
        c.commit()
        c.close()
    (conflict,) = s.merged.conflicts
    assert conflict["changed_by"] == "alice"
    assert _rows(pushed, "SELECT material FROM park.pipes WHERE fid = 4") == [("钢",)]


def _rows(pushed: str, sql: str) -> list[tuple]:
    with psycopg.connect(pushed.split("?")[0]) as con:
        return con.execute(sql).fetchall()
