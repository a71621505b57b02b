"""The project file's one owner (network.io.gpkg + project): paths, refusals, locks, hot
journals, stale temporary files, `new --force` over surveys, and New == Open in memory."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from gisapp.cli import main
from network.errors import ProjectError
from network.io import gpkg, project
from network.io.project import create_project, open_project, save_project

ROOT = Path(__file__).resolve().parents[2]
DEMO_SRC = ROOT / "resources" / "demo" / "src"
DEMO_INPUTS = {
    "pipes": ["pipes_sewage.shp", "pipes_rain.shp"],
    "manholes": ["manholes.shp"],
    "outfalls": ["outfalls.shp"],
    "enterprises": ["enterprises.shp"],
    "plants": ["plants.shp"],
    "zones": ["redline.shp", "water_source.shp", "nature_reserve.shp"],
    "boundary": ["park_boundary.shp"],
}
SEWAGE = str(DEMO_SRC / "pipes_sewage.shp")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_project(tmp_path):
    return create_project(tmp_path / "park.gpkg", {"pipes": [SEWAGE]}).path


def plain_geopackage(path: Path) -> Path:
    gpd.GeoDataFrame(
        {"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:4547"
    ).to_file(path, layer="pipes", engine="pyogrio")
    return path


# --- New and Open give the same in-memory project -------------------------------------------
def test_new_and_open_give_same_columns_and_dtypes_for_every_layer(tmp_path):
    made = create_project(
        tmp_path / "demo.gpkg", {k: [DEMO_SRC / f for f in v] for k, v in DEMO_INPUTS.items()}
    )
    opened = open_project(made.path)
    assert type(made) is type(opened)
    assert set(made.layers) == set(opened.layers) == set(DEMO_INPUTS)
    for kind, new in made.layers.items():
        back = opened.layers[kind]
        assert list(new.columns) == list(back.columns), kind
        assert new.dtypes.astype(str).to_dict() == back.dtypes.astype(str).to_dict(), kind
        assert new.geometry.name == back.geometry.name == new.columns[-1]
    pipes = opened.layers["pipes"]
    assert pipes["diameter_mm"].dtype == "float64"
    assert pipes["pipe_id"].dtype == object and isinstance(pipes["pipe_id"].iloc[0], str)
    assert pipes["flow_dir"].map(lambda v: v is None or isinstance(v, str)).all()
    flags = opened.layers["plants"]["online_monitoring"]
    assert flags.map(lambda v: v is None or isinstance(v, bool)).all()


# --- paths with URI characters -----------------------------------------------------------------
def test_project_in_path_with_hash_question_mark_and_percent(tmp_path):
    folder = tmp_path / "a#b?c%d 园区"
    folder.mkdir()
    path = folder / "park#1?%.gpkg"
    create_project(path, {"pipes": [SEWAGE]})
    project = open_project(path)
    assert len(project.layers["pipes"]) > 10
    assert gpkg.read_project_meta(path)["format"] == gpkg.PROJECT_FORMAT
    save_project(project)
    assert open_project(path).layers["pipes"]["pipe_id"].tolist() == (
        project.layers["pipes"]["pipe_id"].tolist()
    )
    assert gpkg.sqlite_uri(path).count("#") == 0


# --- "is this really a PipeAtlas project" ----------------------------------------------
def test_plain_geopackage_and_other_sqlite_are_refused_untouched(tmp_path):
    plain = plain_geopackage(tmp_path / "plain.gpkg")
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    before = {p: sha(p) for p in (plain, other)}
    with pytest.raises(gpkg.NotAProjectError, match="GeoPackage but not a PipeAtlas project"):
        open_project(plain)
    with pytest.raises(gpkg.NotAProjectError, match="SQLite database but not a PipeAtlas"):
        open_project(other)
    assert {p: sha(p) for p in (plain, other)} == before


def test_damaged_file_is_called_damaged(tmp_path, small_project):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(small_project.read_bytes()[:100] + os.urandom(8000))
    with pytest.raises(gpkg.ProjectDamagedError, match="is damaged") as info:
        open_project(bad)
    assert "create one" not in info.value.message.lower()
    text = tmp_path / "text.gpkg"
    text.write_text("hello")
    with pytest.raises(gpkg.NotAProjectError, match="not a GeoPackage"):
        open_project(text)


def test_locked_file_is_called_locked(small_project):
    blocker = sqlite3.connect(small_project, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(gpkg.ProjectLockedError, match="locked by another program"):
            gpkg.read_project_meta(small_project, timeout_s=0.05)
        with (
            pytest.raises(gpkg.ProjectLockedError),
            gpkg.write_lock(small_project, timeout_s=0.05),
        ):
            pass
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert gpkg.read_project_meta(small_project)["format"] == gpkg.PROJECT_FORMAT


KILLED_WRITER = r"""
import os, signal, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA cache_size = 1")  # spill changed pages into the file before the commit
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE pa_project SET value = 'half-written' WHERE key = 'created'")
con.execute("CREATE TABLE filler (x)")
con.executemany("INSERT INTO filler VALUES (?)", [(os.urandom(500),) for _ in range(2000)])
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics")
def test_hot_journal_of_killed_writer_is_rolled_back_on_open(small_project):
    created = gpkg.read_project_meta(small_project)["created"]
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(small_project)], check=False)
    assert proc.returncode == -9
    assert gpkg.has_hot_journal(small_project)
    project = open_project(small_project)  # read-write open: SQLite rolls the journal back
    assert project.created == created
    assert not gpkg.has_hot_journal(small_project)
    con = sqlite3.connect(small_project)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert "filler" not in gpkg.table_names(con)
    con.close()


# --- new: folders, stale temporary files, --force over surveys --------------------------------
@pytest.mark.parametrize(
    ("target", "match"), [("missing/park.gpkg", "does not exist"), ("folder", "is a folder")]
)
def test_cli_new_bad_target_exits_2_with_one_line(tmp_path, capsys, target, match):
    (tmp_path / "folder").mkdir()
    assert main(["new", str(tmp_path / target), "--pipes", SEWAGE, "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and match in err[0]


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_new_removes_temporary_files_of_killed_runs_only(tmp_path):
    path = tmp_path / "park.gpkg"
    dead = dead_pid()
    stale = [gpkg.tmp_path(path, dead), Path(f"{gpkg.tmp_path(path, dead)}-journal")]
    alive = gpkg.tmp_path(path, os.getppid())  # a running process may still be writing it
    for p in [*stale, alive]:
        p.write_bytes(b"half")
    create_project(path, {"pipes": [SEWAGE]})
    assert not any(p.exists() for p in stale)
    assert alive.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, alive.name])


def test_new_force_refuses_to_drop_survey_records_unless_told(tmp_path, capsys):
    path = create_project(tmp_path / "park.gpkg", {"pipes": [SEWAGE]}).path
    assert main(["new", str(path), "--pipes", SEWAGE, "-q", "--force"]) == 0  # no records
    con = gpkg.connect(path, write=True)
    with gpkg.transaction(con, path):
        con.execute("CREATE TABLE sv_problems (fid INTEGER PRIMARY KEY, uuid TEXT, deleted INT)")
        con.executemany("INSERT INTO sv_problems (uuid, deleted) VALUES (?, ?)",
                        [("a", 0), ("b", 0), ("c", 1)])  # fmt: skip
    con.close()
    before = sha(path)
    capsys.readouterr()
    assert main(["new", str(path), "--pipes", SEWAGE, "-q", "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 in sv_problems" in err[0] and "--discard-surveys" in err[0]
    assert sha(path) == before
    assert main(["new", str(path), "--pipes", SEWAGE, "-q", "--force", "--discard-surveys"]) == 0
    assert gpkg.count_records(path) == {}


# --- one registry of schema versions ------------------------------------------------------------
def test_registry_knows_every_pipeatlas_table():
    import surveys.schema_sv  # registers the survey tables

    versions = gpkg.table_versions()
    for table in ("pa_project", "pa_layers", "pa_issues"):
        assert versions[table] == ("project", project.SCHEMA_VERSION)
    for table in ("sv_meta", "sv_observations", "sv_problems", "sv_grades"):
        assert versions[table] == ("surveys", surveys.schema_sv.SCHEMA_VERSION)


def test_project_written_by_newer_pipeatlas_is_refused(small_project):
    con = gpkg.connect(small_project, write=True)
    with gpkg.transaction(con, small_project):
        con.execute("UPDATE pa_project SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(gpkg.ProjectVersionError, match="newer PipeAtlas"):
        open_project(small_project)


def test_save_to_missing_folder_is_a_clear_error(tmp_path, small_project):
    project = open_project(small_project)
    with pytest.raises(ProjectError, match="is missing"):
        save_project(project, tmp_path / "nope" / "x.gpkg")
