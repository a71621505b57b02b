"""gpkg → PostGIS → gpkg: identical features, Chinese attributes, CRS and records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from network.io.postgis.errors import TeamError
from network.io.postgis.transfer import pull, push


def _table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table except SQLite's own and the rtree internals (node layout)."""
    con = sqlite3.connect(path)
    names = [
        r[0]
        for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not r[0].startswith("sqlite_") and not r[0].endswith(("_node", "_parent", "_rowid"))
    ]
    out = {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    con.close()
    return out


def _schema(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    con.close()
    return rows


def test_round_trip_is_identical(demo_with_records: Path, pg_db: str, tmp_path: Path) -> None:
    demo_project = demo_with_records
    addr = pg_db + "?schema=park"
    result = push(demo_project, addr)
    # the demo park: 1,411 pipes, 1,416 manholes; 2 inspections and 1 problem added above
    assert result.tables["pipes"] == 1411
    assert result.tables["manholes"] == 1416
    assert result.tables["sv_inspections"] == 2
    assert result.tables["sv_problems"] == 1
    assert result.files == 1

    out = tmp_path / "back" / "pulled.gpkg"
    out.parent.mkdir()
    pull(addr, out)
    assert _schema(out) == _schema(demo_project)
    before, after = _table_rows(demo_project), _table_rows(out)
    assert before.keys() == after.keys()
    for name in before:
        assert after[name] == before[name], name
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA application_id").fetchone() == (0x47504B47,)  # 'GPKG'
    assert con.execute(
        "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys s "
        "JOIN gpkg_geometry_columns g ON g.srs_id = s.srs_id WHERE g.table_name = 'pipes'"
    ).fetchone() == ("EPSG", 4525)
    assert con.execute("SELECT description, responsible_body FROM sv_problems").fetchone() == (
        "污水管接入雨水井（雨污混接）",
        "园区管委会",
    )
    con.close()
    photo = (demo_project.parent / "photos" / "井01.jpg").read_bytes()
    assert (out.parent / "photos" / "井01.jpg").read_bytes() == photo


def test_pulled_project_opens_like_the_original(demo_project: Path, pg_db: str, tmp_path):
    from network.io.project import open_project

    addr = pg_db + "?schema=park"
    push(demo_project, addr)
    out = tmp_path / "pulled.gpkg"
    pull(addr, out)
    a, b = open_project(demo_project), open_project(out)
    assert b.crs == a.crs
    pa, pb = a.layer("pipes"), b.layer("pipes")
    assert len(pb) == len(pa) == 1411
    assert pb.geometry.geom_equals_exact(pa.geometry, 0).all()
    assert list(pb["编号"]) == list(pa["编号"])


def test_layers_are_ordinary_postgis_tables(pushed: str) -> None:
    """What QGIS needs: geometry_columns with type and SRID, a primary key, a GIST index."""
    dsn = pushed.split("?")[0]
    with psycopg.connect(dsn) as con:
        rows = con.execute(
            "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = 'park' "
            "ORDER BY 1"
        ).fetchall()
        assert ("pipes", "LINESTRING", 4525) in rows
        assert ("manholes", "POINT", 4525) in rows
        assert ("zones", "POLYGON", 4525) in rows
        idx = con.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'park' AND tablename = 'pipes'"
        ).fetchall()
        assert any("USING gist (geom)" in r[0] for r in idx)
        assert con.execute(
            'SELECT count(*) FROM park.pipes WHERE "编号" IS NOT NULL'
        ).fetchone() == (1411,)
        # a pipe's length in the CRS's metres equals its stored length_m
        bad = con.execute(
            "SELECT count(*) FROM park.pipes WHERE abs(ST_Length(geom) - length_m) > 0.01"
        ).fetchone()[0]
        assert bad == 0


def test_push_refuses_an_existing_schema(pushed: str, demo_project: Path) -> None:
    with pytest.raises(TeamError, match="already exists"):
        push(demo_project, pushed)


def test_pull_of_an_empty_schema_says_push_first(pg_db: str, tmp_path: Path) -> None:
    with pytest.raises(TeamError, match="holds no PipeAtlas project"):
        pull(pg_db + "?schema=nothing", tmp_path / "x.gpkg")
    assert not (tmp_path / "x.gpkg").exists()


def test_a_table_that_cannot_be_tracked_is_named(demo_project: Path, pg_db: str) -> None:
    con = sqlite3.connect(demo_project)
    con.execute("CREATE TABLE field_notes (note TEXT)")  # no INTEGER PRIMARY KEY
    con.commit()
    con.close()
    with pytest.raises(TeamError, match="field_notes has no INTEGER PRIMARY KEY") as err:
        push(demo_project, pg_db + "?schema=park")
    assert err.value.layer == "field_notes"
    with psycopg.connect(pg_db) as c:  # nothing half-written: one transaction
        assert c.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'park'").fetchone() is None
