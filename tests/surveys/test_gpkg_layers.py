"""Every table PipeAtlas writes is a layer QGIS accepts (issue 10, item 16): GDAL's GeoPackage
driver lists the layers of ``gpkg_contents``, each opens, and no table is left that QGIS would
show as an invalid layer (QGIS also lists tables missing from ``gpkg_contents``: GDAL's
``LIST_ALL_TABLES=YES``, where a table needs an integer primary key)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pyogrio
import pytest

from network.io.project import create_project, open_project, save_project
from surveys import schema_sv
from surveys.records import Inspection, Observation, Problem
from surveys.store import SurveyStore
from surveys.zones.rules import default_rules, save_rules

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo_park.gpkg"
SEWAGE = ROOT / "resources" / "demo" / "src" / "pipes_sewage.shp"
FIXTURES = Path(__file__).parent / "fixtures"
INTERNAL = ("gpkg_", "rtree_", "sqlite_")


def user_tables(path: Path) -> dict[str, list[tuple]]:
    """Every non-internal table → its ``PRAGMA table_info`` rows."""
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith(INTERNAL)
        ]
        return {n: con.execute(f'PRAGMA table_info("{n}")').fetchall() for n in names}
    finally:
        con.close()


def assert_qgis_happy(path: Path) -> list[str]:
    listed = {str(name): geom for name, geom in pyogrio.list_layers(path)}
    tables = user_tables(path)
    assert set(listed) == set(tables), "every table is a listed layer and vice versa"
    con = sqlite3.connect(path)
    try:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    for name, cols in tables.items():
        pk = [c for c in cols if c[5]]  # (cid, name, type, notnull, default, pk)
        assert len(pk) == 1 and pk[0][2].upper() == "INTEGER", (name, pk)
        assert contents[name] == ("features" if listed[name] else "attributes"), name
        frame = pyogrio.read_dataframe(path, layer=name)
        assert len(frame) == counts[name], name
        info = pyogrio.read_info(path, layer=name, LIST_ALL_TABLES="YES")
        assert info["fid_column"] == pk[0][1], name
    return sorted(listed)


def test_demo_project_lists_only_valid_layers():
    names = assert_qgis_happy(DEMO)
    assert {"pipes", "pa_project", "pa_layers", "sv_meta", "sv_observations"} <= set(names)


@pytest.fixture
def surveyed_project(tmp_path):
    project = create_project(tmp_path / "park.gpkg", {"pipes": [SEWAGE]})
    pipe = str(project.layers["pipes"]["pipe_id"].iloc[0])
    with SurveyStore(project.path, pipes=project, author="t") as store:
        insp = store.add(Inspection(date="2024-05-11", method="cctv", contractor="某检测公司"))
        store.add(
            Observation(inspection_id=insp.uuid, pipe_id=pipe, distance_m=3.0, code="PL", grade=3)
        )
        store.add(Problem(description="=管道破裂", status="open"))
    save_rules(project.path, default_rules())
    return project.path


def test_project_with_survey_records_lists_only_valid_layers(surveyed_project):
    names = assert_qgis_happy(surveyed_project)
    assert {"sv_meta", "sv_grades", "sv_problems", "pa_overlap_rules"} <= set(names)
    frame = pyogrio.read_dataframe(surveyed_project, layer="sv_problems")
    assert frame["description"].tolist() == ["=管道破裂"]
    # Save rewrites the layers and keeps every table valid
    save_project(open_project(surveyed_project))
    assert assert_qgis_happy(surveyed_project) == names


def test_version_2_sv_meta_is_migrated_to_an_attributes_table(tmp_path, surveyed_project):
    """A file written before version 3: ``sv_meta`` with a text primary key, unregistered."""
    con = sqlite3.connect(surveyed_project, isolation_level=None)
    con.execute("BEGIN")
    con.execute("DROP TABLE sv_meta")
    con.execute("DELETE FROM gpkg_contents WHERE table_name IN ('sv_meta', 'sv_grades')")
    con.execute("CREATE TABLE sv_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO sv_meta VALUES ('schema_version', '2')")
    con.execute("COMMIT")
    con.close()
    assert "sv_meta" not in {n for n, _ in pyogrio.list_layers(surveyed_project)}
    with SurveyStore(surveyed_project) as store:
        assert (store.migrated_from, store.schema_version) == (2, schema_sv.SCHEMA_VERSION)
        assert store.count("observation") == 1 and store.count("problem") == 1
    assert_qgis_happy(surveyed_project)


def test_version_1_fixture_migrates_to_valid_layers(tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copyfile(FIXTURES / "survey_v1.gpkg", path)
    with SurveyStore(path) as store:
        assert store.migrated_from == 1
        assert store.count("observation") == 3
    assert_qgis_happy(path)
