"""Loading real files: encodings, CRSs, field roles, hygiene, broken files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from network.errors import CRSError, InputFileError, SchemaError
from network.io import crs as crsmod
from network.io.encoding import detect_encoding
from network.io.project import create_project, open_project
from network.io.read import load_layer, read_vector

REPO = Path(__file__).resolve().parents[2]
E0, N0 = 37_626_000.0, 3_166_000.0  # CGCS2000 GK zone 37, near 112.3E 28.6N


def _pipes_gdf(n: int = 4, crs: int | None = 4525) -> gpd.GeoDataFrame:
    geoms = [shapely.LineString([(E0 + 50 * i, N0), (E0 + 50 * (i + 1), N0)]) for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "编号": [f"WS-{i:03d}" for i in range(n)],
            "起点编号": [f"WJ-{i:03d}" for i in range(n)],
            "终点编号": [f"WJ-{i + 1:03d}" for i in range(n)],
            "管径": [300 + 100 * (i % 2) for i in range(n)],
            "类型": ["污水", "雨水", "合流", "WS"][:n] + ["污水"] * max(0, n - 4),
            "材质": ["钢筋混凝土"] * n,
        },
        geometry=geoms,
        crs=crs,
    )


def write_gbk_shapefile(
    path: Path, gdf: gpd.GeoDataFrame, *, cpg: str | None = None, ldid: int = 0, prj: bool = True
) -> Path:
    """A real GBK shapefile; by default without .cpg and with language-driver byte 0."""
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    cpg_path = path.with_suffix(".cpg")
    cpg_path.unlink(missing_ok=True)
    if cpg is not None:
        cpg_path.write_text(cpg)
    dbf = path.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[29] = ldid
    dbf.write_bytes(bytes(raw))
    if not prj:
        path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def test_gbk_shapefile_without_cpg_is_detected(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    # what the bare libraries do with such a file: mojibake or failure
    raw = pyogrio.read_dataframe(shp)
    assert "编号" not in raw.columns
    loaded = load_layer(shp, "pipes")
    assert loaded.source.encoding == "gbk"
    assert loaded.source.encoding_source == "detected"
    assert "UTF-8" in loaded.source.encoding_reason
    assert list(loaded.gdf["编号"]) == ["WS-000", "WS-001", "WS-002", "WS-003"]
    assert list(loaded.gdf["材质"].unique()) == ["钢筋混凝土"]
    assert list(loaded.gdf["system"]) == ["sewage", "rain", "combined", "sewage"]


def test_gbk_shapefile_with_cpg_uses_it(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf(), cpg="GBK")
    choice = detect_encoding(shp)
    assert (choice.codec, choice.source) == ("gbk", "cpg")
    assert load_layer(shp, "pipes").gdf["材质"].iloc[0] == "钢筋混凝土"


def test_wrong_cpg_is_rejected_with_reason(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf(), cpg="UTF-8")
    loaded = load_layer(shp, "pipes")
    assert loaded.source.encoding == "gbk"
    assert (
        "pipes.cpg says 'UTF-8' but the text is not valid UTF-8" in loaded.source.encoding_reason
    )
    assert loaded.gdf["材质"].iloc[0] == "钢筋混凝土"


def test_language_driver_byte_is_used(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf(), ldid=0x4D)
    choice = detect_encoding(shp)
    assert (choice.codec, choice.source) == ("gbk", "ldid")
    assert "0x4D" in choice.reason


def test_user_encoding_override(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    loaded = load_layer(shp, "pipes", encoding="gb18030")
    assert loaded.source.encoding_source == "user"
    assert loaded.gdf["材质"].iloc[0] == "钢筋混凝土"


def test_utf8_shapefile_with_cpg(tmp_path):
    shp = tmp_path / "p.shp"
    pyogrio.write_dataframe(_pipes_gdf(), shp, encoding="UTF-8")
    loaded = load_layer(shp, "pipes")
    assert loaded.source.encoding == "utf-8"
    assert loaded.gdf["类型"].iloc[0] == "污水"


def test_missing_prj_gives_zone_hint(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf(crs=None), prj=False)
    with pytest.raises(CRSError, match=r"pipes.shp has no CRS.*zone 37, EPSG:4525"):
        load_layer(shp, "pipes")
    loaded = load_layer(shp, "pipes", source_crs="EPSG:4525")
    assert loaded.gdf.crs.to_epsg() == 4525


def test_zone_prefixed_layer_reprojects_without_axis_swap(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    ll = load_layer(shp, "pipes", target_crs="EPSG:4490")
    x, y = ll.gdf.geometry.iloc[0].coords[0]
    assert 112.0 < x < 112.6 and 28.4 < y < 28.8  # lon first, lat second
    back = load_layer(shp, "pipes")
    assert back.gdf.crs.to_epsg() == 4525
    assert back.gdf.geometry.iloc[0].coords[0] == pytest.approx((E0, N0))
    assert back.gdf["length_m"].iloc[0] == pytest.approx(50.0)


def test_gcj02_points_are_converted(tmp_path):
    # WGS-84 / GCJ-02 pairs from the published test data of the eviltransform project
    pairs = [
        (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
        (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
        (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    ]
    gdf = gpd.GeoDataFrame(
        {"名称": ["上海", "深圳", "北京"]},
        geometry=[shapely.Point(g_lon, g_lat) for _, _, g_lon, g_lat in pairs],
        crs=4326,
    )
    path = tmp_path / "ent.geojson"
    gdf.to_file(path)
    ll = load_layer(path, "enterprises", target_crs="EPSG:4326", offset_datum="gcj02")
    for (w_lon, w_lat, _, _), p in zip(pairs, ll.gdf.geometry, strict=True):
        assert abs(p.x - w_lon) < 5e-6 and abs(p.y - w_lat) < 5e-6  # < 0.5 m


def test_bd09_matches_reference_pair():
    # bd09togcj02(116.404, 39.915) from the wandergis/coordtransform tests
    lon, lat = crsmod.bd09_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.39762729119315, 39.90865673957631))
    lon2, lat2 = crsmod.gcj02_to_bd09(lon, lat)
    assert (float(lon2), float(lat2)) == pytest.approx((116.404, 39.915), abs=1e-6)


def test_offset_refuses_projected_layer(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    with pytest.raises(CRSError, match="longitude/latitude"):
        load_layer(shp, "pipes", offset_datum="gcj02")


def test_aliased_and_truncated_field_names(tmp_path):
    gdf = _pipes_gdf()
    gdf = gdf.rename(columns={"编号": "GXBH", "起点编号": "起点井号", "终点编号": "终点井号"})
    gdf["起点管底高程"] = [10.0, 9.8, 9.6, 9.4]
    gdf["终点管底高程"] = [9.8, 9.6, 9.4, 9.2]
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", gdf)
    # DBF cuts the names to 10 bytes: 起点管底高程 (12 bytes in GBK) -> 起点管底高
    assert "起点管底高" in pyogrio.read_info(shp, encoding="GBK")["fields"]
    ll = load_layer(shp, "pipes")
    m = ll.source.mapping
    assert (m["pipe_id"], m["from_node"], m["to_node"]) == ("GXBH", "起点井号", "终点井号")
    assert (m["from_invert_m"], m["to_invert_m"]) == ("起点管底高", "终点管底高")
    assert list(ll.gdf["from_invert_m"]) == [10.0, 9.8, 9.6, 9.4]
    assert "GXBH" in ll.gdf.columns  # originals kept


def test_mapping_override_and_bad_values_reported(tmp_path):
    gdf = _pipes_gdf()
    gdf["DN"] = ["300", "四百", "500", ""]
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", gdf)
    ll = load_layer(shp, "pipes", mapping={"diameter_mm": "DN"})
    assert ll.gdf["diameter_mm"].iloc[0] == 300.0
    assert np.isnan(ll.gdf["diameter_mm"].iloc[1])
    bad = [i for i in ll.issues if i.kind == "bad_value"]
    assert len(bad) == 1 and "'四百'" in bad[0].message_en and "feature 1" in bad[0].message_en


def test_truncated_shp_is_reported(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    data = shp.read_bytes()
    shp.write_bytes(data[: len(data) - 40])
    with pytest.raises(InputFileError, match=r"pipes.shp is truncated"):
        load_layer(shp, "pipes")


def test_missing_dbf_is_reported(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(InputFileError, match=r"its \.dbf file \(attribute table\) is missing"):
        load_layer(shp, "pipes")


def test_wrong_geometry_type_names_feature(tmp_path):
    pts = gpd.GeoDataFrame({"编号": ["a"]}, geometry=[shapely.Point(E0, N0)], crs=4525)
    path = tmp_path / "pts.gpkg"
    pts.to_file(path, layer="井")
    with pytest.raises(SchemaError, match=r"pipes layer must hold lines.*feature 0"):
        load_layer(f"{path}:井", "pipes")


def test_geometry_hygiene_is_reported_per_feature(tmp_path):
    geoms = [
        shapely.LineString([(E0, N0), (E0 + 10, N0)]),
        shapely.MultiLineString(
            [[(E0, N0 + 5), (E0 + 5, N0 + 5)], [(E0 + 5, N0 + 5), (E0 + 9, N0 + 5)]]
        ),
        shapely.LineString([(E0, N0 + 9), (E0, N0 + 9)]),
        None,
        shapely.LineString([(E0, N0 + 20, 5.0), (E0 + 10, N0 + 20, 4.0)]),
    ]
    gdf = gpd.GeoDataFrame({"编号": ["A", "B", "C", "D", "E"]}, geometry=geoms, crs=4525)
    path = tmp_path / "p.gpkg"
    gdf.to_file(path, layer="pipes")
    ll = load_layer(path, "pipes")
    kinds = {(i.kind, i.feature_ids) for i in ll.issues}
    assert ("multipart_exploded", ("B",)) in kinds
    assert ("zero_length", ("C",)) in kinds
    assert ("empty_geometry", ("D",)) in kinds
    assert any(k == "z_dropped" for k, _ in kinds)
    assert list(ll.gdf["pipe_id"]) == ["A", "B#1", "B#2", "C", "D", "E"]  # nothing dropped
    assert not ll.gdf.geometry.has_z.any()


def test_invalid_polygon_repaired_with_note(tmp_path):
    bowtie = shapely.Polygon([(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100)])
    gdf = gpd.GeoDataFrame(
        {"名称": ["红线"], "类别": ["生态保护红线"]}, geometry=[bowtie], crs=4525
    )
    path = tmp_path / "z.gpkg"
    gdf.to_file(path, layer="zones")
    ll = load_layer(path, "zones")
    assert ll.gdf.geometry.is_valid.all()
    assert ll.gdf.geometry.area.iloc[0] == pytest.approx(5000.0)
    note = next(i for i in ll.issues if i.kind == "invalid_polygon_repaired")
    assert "Self-intersection" in note.message_en
    assert ll.gdf["zone_class"].iloc[0] == "redline"


def test_norfolk_conduits_import(shared_data, tmp_path):
    shp = shared_data / "norfolk_brambleton" / "brambleton_conduits_gis.shp"
    proj = create_project(tmp_path / "nf.gpkg", {"pipes": [shp]})
    pipes = proj.layers["pipes"]
    assert len(pipes) == 374
    assert CRS.from_user_input(proj.sources["pipes"][0].source_crs).to_epsg() == 2284
    assert pipes["from_node"].notna().all() and pipes["to_node"].notna().all()
    # US feet were turned into metres: the longest conduit is a few hundred metres
    assert 50 < pipes["length_m"].max() < 500


def test_norfolk_subbasins_and_johnson_import(shared_data, tmp_path):
    zones = shared_data / "norfolk_brambleton" / "norfolk_stormwater_subbasins.shp"
    ll = load_layer(zones, "zones")
    assert len(ll.gdf) == 1694
    assert sum(i.kind == "invalid_polygon_repaired" for i in ll.issues) == 1
    lines = load_layer(shared_data / "johnson_vt" / "storm_lines.shp", "pipes")
    pts = load_layer(shared_data / "johnson_vt" / "storm_pts.shp", "manholes")
    assert (len(lines.gdf), len(pts.gdf)) == (35, 29)
    assert lines.gdf.crs.to_epsg() == 32145


def test_project_roundtrip_and_atomic_failure(tmp_path):
    good = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proj = create_project(tmp_path / "park.gpkg", {"pipes": [good]})
    again = open_project(proj.path)
    assert list(again.layers["pipes"]["pipe_id"]) == list(proj.layers["pipes"]["pipe_id"])
    assert again.crs.to_epsg() == 4525
    assert again.sources["pipes"][0].encoding == "gbk"
    # QGIS sees an ordinary GeoPackage with the layers
    assert {n for n, _ in pyogrio.list_layers(proj.path)} >= {"pipes"}
    # a failed import (second file broken) leaves no project and no temp file
    broken = tmp_path / "broken.shp"
    shutil.copy(good, broken)
    with pytest.raises(InputFileError):
        create_project(tmp_path / "new.gpkg", {"pipes": [good], "manholes": [broken]})
    assert not (tmp_path / "new.gpkg").exists()
    assert not list(tmp_path.glob(".*tmp*"))
    for name, data in before.items():
        assert (tmp_path / name).read_bytes() == data  # sources untouched


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


def test_cli_new_and_info_json(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    r = _cli("new", str(tmp_path / "p.gpkg"), "--pipes", str(shp), "-q")
    assert r.returncode == 0, r.stderr
    r = _cli("info", str(tmp_path / "p.gpkg"), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["epsg"] == 4525
    assert info["layers"]["pipes"]["count"] == 4
    src = info["layers"]["pipes"]["sources"][0]
    assert src["encoding"] == "gbk" and src["mapping"]["pipe_id"] == "编号"


def test_cli_bad_input_exit_2_names_file(tmp_path):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf(crs=None), prj=False)
    r = _cli("new", str(tmp_path / "p.gpkg"), "--pipes", str(shp), "-q")
    assert r.returncode == 2
    assert "pipes.shp has no CRS" in r.stderr and "EPSG:4525" in r.stderr
    assert not (tmp_path / "p.gpkg").exists()
    r = _cli("info", str(shp))
    assert r.returncode == 2 and "not a PipeAtlas project" in r.stderr
    r = _cli("new", str(tmp_path / "q.gpkg"), "--pipes", str(tmp_path / "nope.shp"))
    assert r.returncode == 2 and "nope.shp does not exist" in r.stderr


def test_read_vector_fiona_fallback_is_named(tmp_path, monkeypatch):
    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())

    def boom(*a, **k):
        raise pyogrio.errors.DataSourceError("simulated failure")

    monkeypatch.setattr(pyogrio, "read_dataframe", boom)
    gdf, engine, enc = read_vector(shp)
    assert engine == "fiona" and enc.codec == "gbk"
    assert gdf["材质"].iloc[0] == "钢筋混凝土"


def test_zone_class_values_prefer_the_specific_class(tmp_path):
    poly = shapely.box(E0, N0, E0 + 10, N0 + 10)
    gdf = gpd.GeoDataFrame(
        {
            "类别": ["饮用水水源一级保护区", "自然保护区", "生态保护红线"],
            "分区": ["一级保护区", "核心区", ""],
        },
        geometry=[poly] * 3,
        crs=4525,
    )
    path = tmp_path / "z.gpkg"
    gdf.to_file(path, layer="zones")
    ll = load_layer(path, "zones")
    assert list(ll.gdf["zone_class"]) == ["water_source", "nature_reserve", "redline"]
    assert list(ll.gdf["zone_level"])[:2] == ["level1", "core"]


def test_save_keeps_other_tables_and_locks_out_writers(tmp_path, monkeypatch):
    import sqlite3

    import network.io.project as proj_mod
    from network.io.project import save_project

    shp = write_gbk_shapefile(tmp_path / "pipes.shp", _pipes_gdf())
    proj = create_project(tmp_path / "park.gpkg", {"pipes": [shp]})
    con = sqlite3.connect(proj.path)
    con.execute("CREATE TABLE sv_demo (v TEXT)")
    con.execute("INSERT INTO sv_demo VALUES ('kept')")
    con.commit()
    con.close()
    seen = {}
    real_copy = proj_mod.shutil.copyfile

    def copy_while_another_window_writes(src, dst):
        other = sqlite3.connect(src, timeout=0)
        try:
            other.execute("INSERT INTO sv_demo VALUES ('lost?')")
            other.commit()
            seen["write"] = "went through"
        except sqlite3.OperationalError as exc:
            seen["write"] = str(exc)
        finally:
            other.close()
        return real_copy(src, dst)

    monkeypatch.setattr(proj_mod.shutil, "copyfile", copy_while_another_window_writes)
    proj.layers["pipes"] = proj.layers["pipes"].iloc[:2]
    save_project(proj)
    assert seen["write"] == "database is locked"
    rows = sqlite3.connect(proj.path).execute("SELECT v FROM sv_demo").fetchall()
    assert rows == [("kept",)]
    assert len(open_project(proj.path).layers["pipes"]) == 2


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["WS-1", "WS-2", "WS-3", "WS-4", "WS-5"], {}),
        (["WS-1", None, "WS-3", None, ""], {}),  # missing ids are numbered, not duplicates
        (["WS-1", "WS-2", "WS-1", "WS-4", "WS-2"], {"WS-1": [0, 2], "WS-2": [1, 4]}),
        ([7, 8, 7, 9, 10], {"7": [0, 2]}),  # a numeric id field: its ids as text
    ],
)
def test_an_id_used_twice_is_one_finding_naming_its_features(tmp_path, ids, expected):
    gdf = _pipes_gdf(5)
    gdf["编号"] = pd.Series(ids, dtype=object if any(isinstance(i, str) for i in ids) else None)
    shp = write_gbk_shapefile(tmp_path / "管线.shp", gdf)
    loaded = load_layer(shp, "pipes")
    found = {
        i.feature_ids[0]: i.data["src_fids"]
        for i in loaded.issues
        if i.id.startswith("hygiene.duplicate_id")
    }
    assert found == expected
