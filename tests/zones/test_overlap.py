"""Protected-area check: exact geometry cases, CRS handling, rules, demo park, real data."""

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, Polygon, box

from network.io.crs import metric_crs_for
from surveys.zones.overlap import (
    OverlapError,
    conflicts_to_problems,
    prepare_zones,
    run_overlap_check,
    zone_class_code,
    zone_level_code,
)
from surveys.zones.rules import OverlapRule, RuleTable

DEMO_DIR = Path(__file__).resolve().parents[2] / "resources" / "demo"
GK = "EPSG:4547"  # CGCS2000 3-degree GK, CM 114 E (no zone prefix)
X, Y = 500_000.0, 3_400_000.0


def zones_gdf(geoms, classes=("redline",), levels=(None,), crs=GK, ids=None):
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "zone_id": ids or [f"Z{i + 1}" for i in range(n)],
            "name": [f"zone {i + 1}" for i in range(n)],
            "zone_class": list(classes) * (n // len(classes)),
            "zone_level": list(levels) * (n // len(levels)),
        },
        geometry=list(geoms),
        crs=crs,
    )


def pipes_gdf(lines, crs=GK):
    return gpd.GeoDataFrame(
        {"pipe_id": [f"P{i + 1}" for i in range(len(lines))]}, geometry=list(lines), crs=crs
    )


def rules(**kw):
    recs = [
        {
            "zone_class": c,
            "zone_level": None,
            "feature_type": t,
            "buffer_m": 0,
            "severity": "conflict",
        }
        for c in ("redline", "other", "water_source")
        for t in ("pipes", "manholes", "outfalls", "plants", "enterprises", "boundary")
    ]
    for r in recs:
        r.update(kw)
    return RuleTable.from_records(recs)


def sq(x0, y0, size):
    return box(X + x0, Y + y0, X + x0 + size, Y + y0 + size)


def seg(x0, y0, x1, y1):
    return LineString([(X + x0, Y + y0), (X + x1, Y + y1)])


# --- exact cases ------------------------------------------------------------------------------
def test_check_pipe_crossing_zone_measures_inside_length():
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(50, 50, 150, 50)])}, zones_gdf([sq(0, 0, 100)]), rules()
    )
    (row,) = res.rows.itertuples()
    assert row.relation == "crosses"
    assert row.overlap_length_m == pytest.approx(50.0, abs=1e-9)
    assert row.overlap_share == pytest.approx(0.5)
    assert row.distance_m == 0.0
    assert row.severity == "conflict"
    assert row.rule_id == "redline/*/pipes"
    assert res.rows.geometry.iloc[0].equals(seg(50, 50, 100, 50))


def test_check_pipe_touching_zone_edge_has_no_overlap_and_zero_distance():
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(100, 20, 160, 20), seg(100, 0, 100, 100)])},
        zones_gdf([sq(0, 0, 100)]),
        rules(),
    )
    assert list(res.rows.relation) == ["edge", "edge"]
    assert list(res.rows.overlap_length_m) == [0.0, 0.0]
    assert list(res.rows.distance_m) == [0.0, 0.0]


def test_check_pipe_inside_a_hole_is_not_inside_the_zone():
    ring = Polygon(sq(0, 0, 300).exterior.coords, [sq(100, 100, 100).exterior.coords])
    pipes = pipes_gdf([seg(120, 150, 180, 150), seg(50, 150, 150, 150)])
    res = run_overlap_check({"pipes": pipes}, zones_gdf([ring]), rules())
    assert set(res.rows.feature_id) == {"P2"}  # P1 sits in the hole: no finding
    assert res.rows.overlap_length_m.iloc[0] == pytest.approx(50.0)
    near = run_overlap_check({"pipes": pipes}, zones_gdf([ring]), rules(buffer_m=30))
    p1 = near.rows[near.rows.feature_id == "P1"].iloc[0]
    assert p1.relation == "near"
    assert p1.overlap_length_m == 0.0
    assert p1.distance_m == pytest.approx(20.0)


def test_check_pipe_strictly_inside_reports_distance_to_edge():
    ring = Polygon(sq(0, 0, 300).exterior.coords, [sq(100, 100, 100).exterior.coords])
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(20, 30, 60, 30)])}, zones_gdf([ring]), rules()
    )
    row = res.rows.iloc[0]
    assert row.relation == "inside"
    assert row.overlap_length_m == pytest.approx(40.0)
    assert row.distance_m == pytest.approx(20.0)


def test_check_multipolygon_zone_counts_every_part():
    zone = shapely.MultiPolygon([sq(0, 0, 100), sq(200, 0, 100)])
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(-50, 50, 350, 50)])}, zones_gdf([zone]), rules()
    )
    assert res.rows.overlap_length_m.iloc[0] == pytest.approx(200.0)


def test_prepare_zones_repairs_bowtie_with_a_note():
    bowtie = Polygon([(X, Y), (X + 100, Y + 100), (X + 100, Y), (X, Y + 100)])
    zl = prepare_zones(zones_gdf([bowtie]))
    assert bool(zl.zones.zone_repaired.iloc[0])
    assert zl.zones.geometry.iloc[0].is_valid
    assert zl.zones.geometry.iloc[0].area == pytest.approx(5000.0)
    (issue,) = zl.issues
    assert issue.kind == "zone_repaired"
    assert "Self-intersection" in issue.message_en
    line = seg(0, 25, 100, 25)  # through both triangles
    res = run_overlap_check({"pipes": pipes_gdf([line])}, zl, rules())
    direct = shapely.intersection(line, shapely.make_valid(bowtie)).length
    assert res.rows.overlap_length_m.sum() == pytest.approx(direct, abs=1e-6)
    assert direct == pytest.approx(50.0)
    assert bool(res.rows.zone_repaired.iloc[0])


def test_check_zones_in_lonlat_against_gk_project_within_a_millimetre():
    # project in EPSG:4525 (CGCS2000 GK zone 37, easting prefixed), zones in EPSG:4490
    x0, y0 = 37_600_000.0, 3_160_000.0
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["A", "B", "C"]},
        geometry=[
            LineString([(x0 - 300, y0 + 50), (x0 + 900, y0 + 170)]),
            LineString([(x0 + 100, y0 - 200), (x0 + 130, y0 + 900), (x0 + 600, y0 + 950)]),
            LineString([(x0 + 5000, y0), (x0 + 5100, y0)]),
        ],
        crs="EPSG:4525",
    )
    zone_gk = Polygon(
        [(x0, y0), (x0 + 700, y0 - 20), (x0 + 750, y0 + 600), (x0 - 30, y0 + 650)],
        [[(x0 + 300, y0 + 300), (x0 + 400, y0 + 300), (x0 + 400, y0 + 400)]],
    )
    zones_ll = zones_gdf([zone_gk], crs="EPSG:4525").to_crs("EPSG:4490")
    res = run_overlap_check({"pipes": pipes}, zones_ll, rules(), crs="EPSG:4525")
    assert res.metric_crs.to_epsg() == 4525
    direct_zone = zones_ll.to_crs("EPSG:4525").geometry.iloc[0]
    got = dict(zip(res.rows.feature_id, res.rows.overlap_length_m, strict=True))
    assert set(got) == {"A", "B"}
    for pid in ("A", "B"):
        want = shapely.intersection(pipes.set_index("pipe_id").geometry[pid], direct_zone).length
        assert abs(got[pid] - want) < 1e-3


def test_check_geographic_project_measures_in_gauss_kruger():
    lon, lat = 112.35, 28.55
    zone_ll = box(lon, lat, lon + 0.01, lat + 0.01)
    pipe_ll = LineString([(lon - 0.005, lat + 0.005), (lon + 0.005, lat + 0.005)])
    pipes = pipes_gdf([pipe_ll], crs="EPSG:4490")
    res = run_overlap_check({"pipes": pipes}, zones_gdf([zone_ll], crs="EPSG:4490"), rules())
    assert res.metric_crs.to_epsg() == 4546  # CGCS2000 3-degree GK, CM 111 E (nearest)
    gk = gpd.GeoSeries([pipe_ll, zone_ll], crs="EPSG:4490").to_crs(res.metric_crs)
    want = shapely.intersection(gk.iloc[0], gk.iloc[1]).length
    assert res.rows.overlap_length_m.iloc[0] == pytest.approx(want, abs=1e-3)
    assert 480 < want < 500
    assert res.rows.geometry.iloc[0].bounds[0] == pytest.approx(lon, abs=1e-7)  # project CRS
    assert any(i.kind == "metric_crs" for i in res.issues)


def test_metric_crs_for_keeps_projected_metres_and_replaces_web_mercator():
    assert metric_crs_for(gpd.GeoSeries(crs=GK).crs, 114.0, 30.7)[0].to_epsg() == 4547
    crs, factor = metric_crs_for(gpd.GeoSeries(crs="EPSG:3857").crs, 112.3, 28.5)
    assert crs.to_epsg() == 32649  # WGS 84 data: UTM; 15 % scale error of Mercator avoided
    assert factor == 1.0


def test_check_outfall_within_buffer_of_level1_zone_is_near_conflict():
    z = zones_gdf(
        [sq(0, 0, 100), sq(0, 1000, 100)],
        classes=("water_source",),
        levels=("level1", "level2"),
        ids=["SY1", "SY2"],
    )
    outfalls = gpd.GeoDataFrame(
        {"outfall_id": ["O1", "O2", "O3"]},
        geometry=[Point(X + 150, Y + 50), Point(X + 250, Y + 50), Point(X + 150, Y + 1050)],
        crs=GK,
    )
    rt = RuleTable(
        (
            OverlapRule("water_source", "level1", "outfalls", 100.0, "conflict"),
            OverlapRule("water_source", None, "outfalls", 0.0, "warning"),
        )
    )
    res = run_overlap_check({"outfalls": outfalls}, z, rt)
    (row,) = res.rows.itertuples()
    assert (row.feature_id, row.zone_id, row.relation, row.severity) == (
        "O1",
        "SY1",
        "near",
        "conflict",
    )
    assert row.distance_m == pytest.approx(50.0)
    assert row.buffer_m == 100.0


def test_check_boundary_reports_area_and_share():
    park = gpd.GeoDataFrame({"name": ["园区"]}, geometry=[sq(50, 0, 100)], crs=GK)
    res = run_overlap_check({"boundary": park}, zones_gdf([sq(0, 0, 100)]), rules())
    row = res.rows.iloc[0]
    assert row.feature_id == "园区"
    assert row.overlap_area_m2 == pytest.approx(5000.0)
    assert row.overlap_share == pytest.approx(0.5)
    assert np.isnan(row.overlap_length_m)


def test_check_overlap_without_rule_is_info_and_near_without_rule_is_dropped():
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(10, 10, 20, 10)])},
        zones_gdf([sq(0, 0, 100)], classes=("scenic",)),
        RuleTable(),
    )
    assert list(res.rows.severity) == ["info"]
    assert list(res.rows.rule_id) == [""]
    assert not res.has_conflicts


def test_check_rows_are_sorted_by_severity_then_zone():
    z = zones_gdf([sq(0, 0, 100), sq(200, 0, 100)], classes=("other", "redline"), ids=["B", "A"])
    rt = RuleTable(
        (
            OverlapRule("redline", None, "pipes", 0, "conflict"),
            OverlapRule("other", None, "pipes", 0, "warning"),
        )
    )
    pipes = pipes_gdf([seg(10, 10, 20, 10), seg(210, 10, 220, 10), seg(30, 10, 40, 10)])
    res = run_overlap_check({"pipes": pipes}, z, rt)
    assert list(res.rows.feature_id) == ["P2", "P1", "P3"]
    assert list(res.rows.severity) == ["conflict", "warning", "warning"]


def test_check_rejects_layer_without_crs():
    pipes = pipes_gdf([seg(0, 0, 1, 1)]).set_crs(None, allow_override=True)
    with pytest.raises(OverlapError, match="has no CRS"):
        run_overlap_check({"pipes": pipes}, zones_gdf([sq(0, 0, 100)]), rules())


def test_prepare_zones_rejects_points_and_missing_crs():
    pts = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=GK)
    with pytest.raises(OverlapError, match="holds no polygons"):
        prepare_zones(pts)
    with pytest.raises(OverlapError, match="has no CRS"):
        prepare_zones(gpd.GeoDataFrame({"a": [1]}, geometry=[sq(0, 0, 1)]))


def test_prepare_zones_maps_chinese_fields_and_values():
    gdf = gpd.GeoDataFrame(
        {
            "编号": ["A", "B", "C"],
            "名称": ["x", "y", "z"],
            "类别": ["饮用水水源一级保护区", "自然保护区", "停车场"],
            "分区": [None, "实验区", None],
        },
        geometry=[sq(0, 0, 10), sq(20, 0, 10), sq(40, 0, 10)],
        crs=GK,
    )
    zl = prepare_zones(gdf)
    z = zl.zones
    assert list(z.zone_id) == ["A", "B", "C"]
    assert list(z.zone_class) == ["water_source", "nature_reserve", "other"]
    assert list(z.zone_level) == ["level1", "experimental", None]
    assert [i.kind for i in zl.issues] == ["unknown_zone_class"]


def test_zone_codes():
    assert zone_class_code("生态红线") == "redline"
    assert zone_class_code("饮用水水源二级保护区") == "water_source"
    assert zone_level_code("二级保护区") == "level2"
    assert zone_level_code("准保护区") == "quasi"


def test_conflicts_to_problems_gives_description_location_feature():
    res = run_overlap_check(
        {"pipes": pipes_gdf([seg(50, 50, 150, 50)])}, zones_gdf([sq(0, 0, 100)]), rules()
    )
    (p,) = conflicts_to_problems(res)
    assert p["feature"] == {"type": "pipes", "id": "P1"}
    assert p["location"]["x"] == pytest.approx(X + 75.0)
    assert "50.00 m" in p["description"]
    assert p["source"] == "overlap:redline/*/pipes:pipes:P1:Z1"
    json.dumps(p, ensure_ascii=False)


# --- real data -----------------------------------------------------------------------------------
def test_check_norfolk_conduits_against_subbasins(shared_data):
    d = shared_data / "norfolk_brambleton"
    pipes = gpd.read_file(d / "brambleton_conduits_gis.shp")
    pipes["pipe_id"] = pipes["Name"].astype(str)
    basins = gpd.read_file(d / "norfolk_stormwater_subbasins.shp")
    zl = prepare_zones(
        basins,
        {"zone_id": "Sub_Basin_", "name": None, "zone_class": None, "zone_level": None},
        default_class="other",
        file="subbasins",
    )
    repaired = [i for i in zl.issues if i.kind == "zone_repaired"]
    assert len(repaired) == 1
    assert "Self-intersection" in repaired[0].message_en
    assert int(zl.zones.zone_repaired.sum()) == 1
    res = run_overlap_check({"pipes": pipes}, zl, rules(severity="warning"))
    rows = res.rows
    assert rows.feature_index.nunique() == len(pipes) == 374  # every pipe meets a sub-basin
    per_pipe = rows[rows.overlap_length_m > 0].groupby("feature_index").size()
    assert (per_pipe > 1).sum() == 219  # cross a sub-basin boundary
    # lengths are metres although the data are in US survey feet
    assert res.provenance["metres_per_unit"] == pytest.approx(1200 / 3937)
    i = int(rows.index[rows.relation == "inside"][0])
    whole = pipes.geometry.iloc[int(rows.feature_index[i])]
    assert rows.overlap_length_m[i] == pytest.approx(whole.length * 1200 / 3937, rel=1e-12)


# --- demo park -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo_park.gpkg"
    built = DEMO_DIR / "demo_park.gpkg"
    if built.exists():
        shutil.copyfile(built, out)
        return out
    src = DEMO_DIR / "src"
    if not (src / "redline.shp").exists():
        pytest.skip("demo park sources are not present")
    from network.io.project import create_project

    create_project(
        out,
        {
            "pipes": [src / "pipes_sewage.shp", src / "pipes_rain.shp"],
            "manholes": [src / "manholes.shp"],
            "outfalls": [src / "outfalls.shp"],
            "enterprises": [src / "enterprises.shp"],
            "plants": [src / "plants.shp"],
            "zones": [src / "redline.shp", src / "water_source.shp", src / "nature_reserve.shp"],
            "boundary": [src / "park_boundary.shp"],
        },
    )
    return out


def test_demo_park_planted_conflicts_found_and_nothing_else(demo_path):
    from network.io.project import open_project
    from network.progress import drain
    from surveys.zones.overlap import check_project

    key = json.loads((DEMO_DIR / "answer_key.json").read_text(encoding="utf-8"))
    faults = {f["kind"]: f for f in key["faults"]}
    res = drain(check_project(open_project(demo_path)))
    findings = res.findings("conflict", "warning")
    got = {(r.feature_type, r.feature_id, r.zone_id) for r in findings.itertuples()}
    pipe = faults["pipe_crosses_redline"]["expected"]
    outfall = faults["outfall_in_water_source"]["expected"]
    boundary_ids = {r.feature_id for r in findings.itertuples() if r.feature_type == "boundary"}
    assert got == {
        ("pipes", pipe["pipe_id"], pipe["zone_id"]),
        ("outfalls", outfall["outfall_id"], outfall["zone_id"]),
        ("boundary", *boundary_ids, pipe["zone_id"]),
    }
    by = findings.set_index("feature_type")
    assert by.loc["pipes", "zone_class"] == "redline"
    assert by.loc["pipes", "overlap_length_m"] == pytest.approx(
        pipe["overlap_length_m"], abs=0.005
    )
    assert by.loc["boundary", "overlap_area_m2"] == pytest.approx(
        pipe["boundary_overlap_area_m2"], abs=0.05
    )
    assert (by.loc["outfalls", "zone_class"], by.loc["outfalls", "zone_level"]) == (
        "water_source",
        outfall["zone_level"],
    )
    assert set(findings.severity) == {"conflict"}
    assert len(res.rows) == 3  # no info rows either: nothing else touches a zone
    inputs = {r["file"] for r in res.provenance["inputs"]}
    assert {"redline.shp", "pipes_sewage.shp", demo_path.name} <= inputs
