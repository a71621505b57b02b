"""Source columns named like what a GeoPackage reserves (``fid``, ``geom``, ``geometry``, any
case) are kept under a safe name, recorded with the layer's sources, and the import succeeds
(issue 10, item 1); source paths are stored relative to the project (item 16)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import LineString

from gisapp.cli import main
from network.io import gpkg
from network.io import project as project_module
from network.io.project import open_project, safe_columns, save_project
from network.io.read import file_sha256

ROOT = Path(__file__).resolve().parents[2]
E0, N0 = 37_600_000.0, 3_160_000.0  # EPSG:4525 (CGCS2000 GK zone 37, with zone prefix)


def pipes_frame(**extra) -> gpd.GeoDataFrame:
    lines = [
        LineString([(E0, N0), (E0 + 40, N0)]),
        LineString([(E0 + 40, N0), (E0 + 80, N0)]),
        LineString([(E0 + 80, N0), (E0 + 80, N0 + 40)]),
    ]
    data = {"ID": ["WS1", "WS2", "WS3"], "FROM": ["J1", "J2", "J3"], "TO": ["J2", "J3", "J4"]}
    return gpd.GeoDataFrame({**data, **extra}, geometry=lines, crs="EPSG:4525")


def county_export(tmp_path: Path) -> Path:
    """A shapefile as QGIS/ogr2ogr export it from a GeoPackage: an ordinary float ``fid``."""
    path = tmp_path / "county" / "sewer_lines.shp"
    path.parent.mkdir()
    pyogrio.write_dataframe(pipes_frame(fid=[101.0, 102.5, 103.0]), path, encoding="UTF-8")
    assert pyogrio.read_info(path)["fields"].tolist()[-1] == "fid"
    assert pyogrio.read_info(path)["dtypes"].tolist()[-1] == "float64"
    return path


def geometry_text_export(tmp_path: Path) -> Path:
    """A shapefile with text columns ``GEOMETRY`` and ``geom`` and an upper-case ``FID``."""
    path = tmp_path / "geomtext.shp"
    frame = pipes_frame(GEOMETRY=["LINE", "LINE", "ARC"], geom=["a", "b", "c"], FID=[7.0, 8, 9])
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    assert {"GEOMETRY", "geom", "FID"} <= set(pyogrio.read_info(path)["fields"])
    return path


def stored_sources(project: Path) -> list[dict]:
    con = sqlite3.connect(project)
    try:
        rows = con.execute("SELECT source FROM pa_layers ORDER BY kind, seq").fetchall()
    finally:
        con.close()
    return [json.loads(r[0]) for r in rows]


def test_new_keeps_a_float_fid_column_as_fid_1(tmp_path, capsys):
    src = county_export(tmp_path)
    project = tmp_path / "park.gpkg"
    assert main(["new", str(project), "--pipes", str(src), "-q"]) == 0
    assert capsys.readouterr().err == ""
    info = pyogrio.read_info(project, layer="pipes")
    assert info["fid_column"] == "fid" and info["geometry_name"] == "geom"
    stored = pyogrio.read_dataframe(project, layer="pipes")
    assert stored["fid_1"].tolist() == [101.0, 102.5, 103.0]
    assert stored["pipe_id"].tolist() == ["WS1", "WS2", "WS3"]
    (source,) = stored_sources(project)
    assert source["renamed"] == {"fid": "fid_1"}
    assert source["mapping"]["pipe_id"] == "ID"  # the mapping still names source columns
    reopened = open_project(project)
    assert reopened.renamed == {"pipes": {"fid": "fid_1"}}
    assert reopened.layers["pipes"]["fid_1"].tolist() == [101.0, 102.5, 103.0]
    assert reopened.summary()["layers"]["pipes"]["renamed"] == {"fid": "fid_1"}
    for argv in (["info", str(project), "--json"], ["check", str(project), "--json"]):
        assert main(argv) == 0, capsys.readouterr().err
    info_json = json.loads(main_output(["info", str(project), "--json"], capsys))
    assert info_json["layers"]["pipes"]["renamed"] == {"fid": "fid_1"}


def main_output(argv: list[str], capsys) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out


def test_new_through_main_py_with_geometry_named_text_columns(tmp_path):
    src = geometry_text_export(tmp_path)
    project = tmp_path / "park.gpkg"
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "new", str(project), "--pipes", str(src), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    stored = pyogrio.read_dataframe(project, layer="pipes")
    assert stored["GEOMETRY_1"].tolist() == ["LINE", "LINE", "ARC"]
    assert stored["geom_1"].tolist() == ["a", "b", "c"]
    assert stored["FID_1"].tolist() == [7.0, 8.0, 9.0]
    assert stored.geometry.geom_type.tolist() == ["LineString"] * 3
    renamed = {"GEOMETRY": "GEOMETRY_1", "geom": "geom_1", "FID": "FID_1"}
    assert stored_sources(project)[0]["renamed"] == renamed
    again = open_project(project)
    assert again.renamed["pipes"] == renamed
    assert again.layers["pipes"].geometry.name == "geometry"


def test_source_geopackage_with_its_own_fid_and_geometry_names(tmp_path, capsys):
    """A GeoPackage layer whose FID column is OBJECTID and geometry column Shape, holding
    ordinary attributes named fid and geom."""
    src = tmp_path / "county.gpkg"
    frame = pipes_frame(fid=[1.5, 2.5, 3.5], geom=["x", "y", "z"])
    pyogrio.write_dataframe(
        frame, src, layer="lines", layer_options={"FID": "OBJECTID", "GEOMETRY_NAME": "Shape"}
    )
    info = pyogrio.read_info(src, layer="lines")
    assert info["fid_column"] == "OBJECTID" and info["geometry_name"] == "Shape"
    project = tmp_path / "park.gpkg"
    assert main(["new", str(project), "--pipes", f"{src}:lines", "-q"]) == 0
    stored = pyogrio.read_dataframe(project, layer="pipes")
    assert stored["fid_1"].tolist() == [1.5, 2.5, 3.5]
    assert stored["geom_1"].tolist() == ["x", "y", "z"]
    assert open_project(project).renamed == {"pipes": {"fid": "fid_1", "geom": "geom_1"}}


def test_mapping_naming_the_fid_column_and_save_round_trip(tmp_path):
    src = county_export(tmp_path)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"pipes": {"pipe_id": "fid"}}), encoding="utf-8")
    project = tmp_path / "park.gpkg"
    assert main(["new", str(project), "--pipes", str(src), "--mapping", str(mapping), "-q"]) == 0
    p = open_project(project)
    assert p.layers["pipes"]["pipe_id"].tolist() == ["101", "102.5", "103"]
    assert p.sources["pipes"][0].mapping["pipe_id"] == "fid"  # the source's name
    assert p.mapping["pipes"][0]["pipe_id"] == "fid_1"  # the column the layer holds
    save_project(p)
    again = open_project(project)
    assert again.renamed == {"pipes": {"fid": "fid_1"}}
    assert list(again.layers["pipes"].columns) == list(p.layers["pipes"].columns)
    assert "fid" not in again.layers["pipes"].columns


def test_safe_columns_renames_case_duplicates_and_keeps_pipeatlas_columns():
    frame = pipes_frame(STATUS=["a", "b", "c"], status=["open"] * 3, Name=[1, 2, 3])
    frame["name"] = ["x", "y", "z"]
    out, renames = safe_columns(frame, "pipes")
    assert renames == {"STATUS": "STATUS_1", "name": "name_1"}
    assert out["status"].tolist() == ["open"] * 3 and out["Name"].tolist() == [1, 2, 3]
    unchanged, none = safe_columns(pipes_frame(), "pipes")
    assert none == {} and unchanged.columns.tolist() == pipes_frame().columns.tolist()


# --- source paths relative to the project -------------------------------------------------------
def test_source_paths_are_stored_relative_and_resolved_on_open(tmp_path):
    src = county_export(tmp_path)  # tmp/county/sewer_lines.shp
    (tmp_path / "proj").mkdir()
    project = tmp_path / "proj" / "park.gpkg"
    assert main(["new", str(project), "--pipes", str(src), "-q"]) == 0
    assert stored_sources(project)[0]["path"] == "../county/sewer_lines.shp"
    assert Path(open_project(project).sources["pipes"][0].path) == src
    # the whole folder moved elsewhere: the sources are found beside it again
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "proj", moved / "proj")
    shutil.copytree(tmp_path / "county", moved / "county")
    shown = Path(open_project(moved / "proj" / "park.gpkg").sources["pipes"][0].path)
    assert shown == moved / "county" / "sewer_lines.shp" and shown.exists()


def test_version_1_project_with_absolute_paths_opens_and_migrates(tmp_path):
    src = county_export(tmp_path)
    path = tmp_path / "park.gpkg"
    assert main(["new", str(path), "--pipes", str(src), "-q"]) == 0
    # as version 1 wrote it: an absolute path, no "renamed", schema_version 1
    con = sqlite3.connect(path)
    (fid, text), *_ = con.execute("SELECT fid, source FROM pa_layers").fetchall()
    old = {k: v for k, v in json.loads(text).items() if k != "renamed"}
    old["path"] = str(src)
    con.execute("UPDATE pa_layers SET source = ? WHERE fid = ?", (json.dumps(old), fid))
    con.execute("UPDATE pa_project SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    opened = open_project(path)
    assert opened.schema_version == 1 and Path(opened.sources["pipes"][0].path) == src
    con = gpkg.connect(path, write=True)
    try:
        assert gpkg.migrate(con, "project", path) == (1, project_module.SCHEMA_VERSION)
    finally:
        con.close()
    assert stored_sources(path)[0]["path"] == "county/sewer_lines.shp"
    assert stored_sources(path)[0]["renamed"] == {}
    # Save writes the current layout too
    save_project(opened)
    assert opened.schema_version == project_module.SCHEMA_VERSION
    assert stored_sources(path)[0]["path"] == "county/sewer_lines.shp"


def test_shipped_demo_records_no_absolute_paths():
    demo = ROOT / "resources" / "demo" / "demo_park.gpkg"
    sources = stored_sources(demo)
    assert len(sources) == 12
    for s in sources:
        assert not Path(s["path"]).is_absolute() and "\\" not in s["path"], s["path"]
        assert s["path"].startswith("src/")
    project = open_project(demo)
    for srcs in project.sources.values():
        for s in srcs:
            assert Path(s.path).is_file(), s.path
            assert file_sha256(Path(s.path)) == s.sha256


def test_reserved_rename_keeps_values_and_dtypes(tmp_path):
    src = county_export(tmp_path)
    project = tmp_path / "park.gpkg"
    assert main(["new", str(project), "--pipes", str(src), "-q"]) == 0
    p = open_project(project)
    assert p.layers["pipes"]["fid_1"].dtype == np.float64
    assert p.layers["pipes"]["src_fid"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("name", ["fid", "Fid", "GEOM", "Geometry"])
def test_each_reserved_name_is_renamed(name):
    frame = pipes_frame(**{name: [1.0, 2.0, 3.0]})
    out, renames = safe_columns(frame, "pipes")
    assert renames == {name: f"{name}_1"}
    assert out.geometry.name == "geometry"


def test_two_sources_one_with_fid_and_src_file_columns(tmp_path):
    a = tmp_path / "a.shp"
    pyogrio.write_dataframe(
        pipes_frame(fid=[1.0, 2.0, 3.0], src_file=["x.dwg"] * 3), a, encoding="UTF-8"
    )
    b = tmp_path / "b.shp"
    frame = pipes_frame()
    frame["ID"] = ["RS1", "RS2", "RS3"]
    pyogrio.write_dataframe(frame, b, encoding="UTF-8")
    project = tmp_path / "park.gpkg"
    assert main(["new", str(project), "--pipes", str(a), str(b), "-q"]) == 0
    p = open_project(project)
    assert p.renamed == {"pipes": {"fid": "fid_1", "src_file": "src_file_1"}}
    pipes = p.layers["pipes"]
    assert pipes["src_file"].tolist() == ["a.shp"] * 3 + ["b.shp"] * 3
    assert pipes["src_file_1"].tolist()[:3] == ["x.dwg"] * 3
    assert pipes["fid_1"].tolist()[:3] == [1.0, 2.0, 3.0]
    assert [s["renamed"] for s in stored_sources(project)] == [p.renamed["pipes"]] * 2
