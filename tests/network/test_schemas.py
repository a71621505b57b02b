"""English/ESRI/SWMM schemas, units of attributes, outfalls by attribute, generated ids.

Real files only: the Norfolk SWMM conduits (US feet), the Johnson VT storm points and lines,
and shapefiles written with pyogrio in ``tmp_path``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from gisapp.cli import main
from network.errors import SchemaError
from network.graph import build_network
from network.io.fields import (
    MappingGuess,
    attribute_units,
    guess_mapping,
    load_mapping_file,
)
from network.io.project import create_project, open_project
from network.io.read import load_layer

FT_US = 1200.0 / 3937.0  # 0.3048006096 m


@pytest.fixture
def norfolk(shared_data) -> Path:
    return shared_data / "norfolk_brambleton" / "brambleton_conduits_gis.shp"


@pytest.fixture
def johnson(shared_data) -> Path:
    return shared_data / "johnson_vt"


# --- item 3: English and ESRI schemas ------------------------------------------------------
def _esri_pipes(tmp_path: Path) -> Path:
    """A US county's gravity mains: ESRI field names, a text depth beside numeric inverts."""
    n = 4
    e0, n0 = 484_700.0, 237_300.0  # Johnson VT, EPSG:32145 (metres)
    gdf = gpd.GeoDataFrame(
        {
            "FACILITYID": [f"GM-{i}" for i in range(n)],
            "USSTRUCTID": [f"MH-{i}" for i in range(n)],
            "DSSTRUCTID": [f"MH-{i + 1}" for i in range(n)],
            "UP_INVERT": ["4.5 ft deep"] * n,  # a depth, in text
            "INVERT_IN": [100.0 - i for i in range(n)],
            "INVERT_OUT": [99.5 - i for i in range(n)],
            "WATERTYPE": ["Storm", "Sanitary", "Combined", "SS"],
            "YEAR_INSTA": [1975, 1980, 1990, 2001],
            "SPAN": [300.0] * n,
            "RISE": [300.0] * n,
            "MATERIAL": ["RCP"] * n,
        },
        geometry=[
            shapely.LineString([(e0 + 40 * i, n0), (e0 + 40 * (i + 1), n0)]) for i in range(n)
        ],
        crs=32145,
    )
    pyogrio.write_dataframe(gdf, tmp_path / "gravity_mains.shp")
    return tmp_path / "gravity_mains.shp"


def test_esri_county_schema_is_recognised_and_numeric_wins(tmp_path):
    ll = load_layer(_esri_pipes(tmp_path), "pipes")
    m = ll.source.mapping
    assert m["pipe_id"] == "FACILITYID"
    assert (m["from_node"], m["to_node"]) == ("USSTRUCTID", "DSSTRUCTID")
    assert (m["from_invert_m"], m["to_invert_m"]) == ("INVERT_IN", "INVERT_OUT")
    assert m["system"] == "WATERTYPE" and m["year"] == "YEAR_INSTA"
    assert m["diameter_mm"] in ("SPAN", "RISE") and m["material"] == "MATERIAL"
    gdf = ll.gdf
    assert list(gdf["system"]) == ["rain", "sewage", "combined", "sewage"]
    assert list(gdf["from_invert_m"]) == [100.0, 99.0, 98.0, 97.0]
    assert not [i for i in ll.issues if i.kind == "bad_value"]


def test_guess_confidence_levels():
    cols = ["UPSTREAM", "Downstream_Node", "Diameter_inches", "WATERTYPE", "DSSTRUCTID"]
    g = guess_mapping("pipes", cols)
    assert isinstance(g, MappingGuess) and isinstance(g, dict)
    assert g.confidence("to_node") == "exact"  # DSSTRUCTID, a known name
    assert g["from_node"] == "UPSTREAM" and g.confidence("from_node") == "exact"
    assert g.confidence("diameter_mm") == "partial"
    assert g.guesses["diameter_mm"].label("en").startswith("the column name starts with")
    # by values: a coded column nobody named, holding Storm/Sanitary
    frame = pd.DataFrame({"Remark": ["Storm", "Sanitary", "Storm"], "ID": [1, 2, 3]})
    g = guess_mapping("pipes", list(frame.columns), frame)
    assert g["system"] == "Remark" and g.confidence("system") == "by_type"
    g["system"] = None
    assert g.confidence("system") is None
    # a fractional float column is never an id, even when its name says so
    frame = pd.DataFrame({"Downstream": [3.02, 5.65], "OutletNode": ["F1", "F2"]})
    g = guess_mapping("pipes", ["Downstream"], frame[["Downstream"]])
    assert g["to_node"] is None and g["to_invert_m"] == "Downstream"


def test_swmm_link_and_node_ids(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"link_id": ["C1", "C2"], "InletNode": ["J1", "J2"], "OutletNode": ["J2", "O1"]},
        geometry=[shapely.LineString([(0, 0), (10, 0)]), shapely.LineString([(10, 0), (20, 0)])],
        crs=32145,
    )
    pyogrio.write_dataframe(gdf, tmp_path / "links.shp")
    m = load_layer(tmp_path / "links.shp", "pipes").source.mapping
    assert (m["pipe_id"], m["from_node"], m["to_node"]) == ("link_id", "InletNode", "OutletNode")
    pts = gpd.GeoDataFrame(
        {"node_id": ["J1", "J2"]}, geometry=[shapely.Point(0, 0), shapely.Point(10, 0)], crs=32145
    )
    pyogrio.write_dataframe(pts, tmp_path / "nodes.shp")
    assert load_layer(tmp_path / "nodes.shp", "manholes").source.mapping["node_id"] == "node_id"


def test_johnson_lines_and_points_roles(johnson):
    lines = load_layer(johnson / "storm_lines.shp", "pipes")
    assert lines.source.mapping["system"] == "SystemType"  # not the numeric Type codes
    assert set(lines.gdf["system"]) == {"rain"}
    pts = load_layer(johnson / "storm_pts.shp", "manholes")
    assert pts.source.mapping["node_type"] == "Type"
    assert pts.source.mapping["system"] == "SystemType"


# --- item 4: units of attributes ---------------------------------------------------------------
def test_norfolk_attributes_are_converted_from_feet(norfolk, tmp_path):
    raw = pyogrio.read_dataframe(norfolk)
    project = create_project(tmp_path / "nf.gpkg", {"pipes": [norfolk]})
    pipes = project.layers["pipes"].set_index("pipe_id")
    src = project.sources["pipes"][0]
    assert src.units["layer"] == "ftUS"
    assert src.units["from_invert_m"] == src.units["to_invert_m"] == "ftUS"
    raw = raw.set_index(raw["Name"].astype(str))
    np.testing.assert_allclose(
        pipes.loc[raw.index, "from_invert_m"], raw["UpstreamIn"] * 0.3048006, rtol=1e-6
    )
    np.testing.assert_allclose(
        pipes.loc[raw.index, "to_invert_m"], raw["Downstream"] * 0.3048006, rtol=1e-6
    )
    # SWMM's Geom1 is the diameter in feet: 1.25 ft = 381 mm
    np.testing.assert_allclose(
        pipes.loc[raw.index, "diameter_mm"], raw["Geom1"] * FT_US * 1000, rtol=1e-9
    )
    assert pipes["from_invert_m"].max() < 0.3048007 * raw["UpstreamIn"].max() + 1e-9
    assert not [i for i in project.issues if i.kind == "unit_suspect"]


def test_unit_rules_and_overrides(tmp_path):
    assert attribute_units("pipes", {"diameter_mm": "DIAMETER"}, "ft") == {"diameter_mm": "in"}
    assert attribute_units("pipes", {"diameter_mm": "Geom1"}, "m") == {"diameter_mm": "m"}
    assert attribute_units("pipes", {"diameter_mm": "管径(mm)"}, "ftUS") == {"diameter_mm": "mm"}
    assert attribute_units("pipes", {"from_invert_m": "INVERT_IN"}, "ft") == {
        "from_invert_m": "ft"
    }
    assert attribute_units("manholes", {"depth_m": "DEPTH_FT"}, "m") == {"depth_m": "ft"}
    given = {"*": "ft", "diameter_mm": "mm"}
    assert attribute_units("pipes", {"diameter_mm": "D", "to_invert_m": "T"}, "m", given) == {
        "diameter_mm": "mm",
        "to_invert_m": "ft",
    }
    # a metre layer whose levels are in feet, said in the mapping; inch diameters
    gdf = gpd.GeoDataFrame(
        {"FACILITYID": ["A"], "INVERT_IN": [100.0], "DIAMETER": [12.0]},
        geometry=[shapely.LineString([(484_700.0, 237_300.0), (484_750.0, 237_300.0)])],
        crs=32145,
    )
    pyogrio.write_dataframe(gdf, tmp_path / "p.shp")
    ll = load_layer(
        tmp_path / "p.shp",
        "pipes",
        mapping={"units": {"from_invert_m": "ft", "diameter_mm": "in"}},
    )
    assert ll.gdf["from_invert_m"].iloc[0] == pytest.approx(30.48)
    assert ll.gdf["diameter_mm"].iloc[0] == pytest.approx(304.8)
    # no unit given: 12 "mm" is implausible and says how to fix it
    ll = load_layer(tmp_path / "p.shp", "pipes")
    note = next(i for i in ll.issues if i.kind == "unit_suspect")
    assert '"units"' in note.message_en


# --- item 5: outfalls by attribute ------------------------------------------------------------
def test_johnson_outfalls_from_the_structure_layer(johnson, tmp_path):
    raw = pyogrio.read_dataframe(johnson / "storm_pts.shp")
    expected = set(raw.loc[raw["Type"] == 5, "OBJECTID"].astype(str))
    assert len(expected) == 3
    ll = load_layer(
        johnson / "storm_pts.shp", "manholes", mapping={"outfalls_where": {"Type": [5]}}
    )
    outfalls = ll.derived["outfalls"]
    assert set(outfalls["outfall_id"]) == expected == set(outfalls["node_id"])
    assert set(outfalls["outfall_class"]) == {"rain"}
    assert expected <= set(ll.gdf["node_id"])  # kept as nodes too
    assert ll.source.where == {"outfalls": {"Type": [5]}}
    lines = load_layer(johnson / "storm_lines.shp", "pipes")
    net = build_network({"pipes": lines.gdf, "manholes": ll.gdf, "outfalls": outfalls})
    assert expected <= set(net.node_ids)


def test_outfalls_where_in_a_mapping_file(johnson, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"manholes": {"outfalls_where": {"Type": [5]}, "units": {"depth_m": "ft"}}},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    loaded = load_mapping_file(mapping)
    assert loaded["manholes"]["outfalls_where"] == {"Type": [5]}
    code = main(
        [
            "new",
            str(tmp_path / "j.gpkg"),
            "--pipes",
            str(johnson / "storm_lines.shp"),
            "--manholes",
            str(johnson / "storm_pts.shp"),
            "--mapping",
            str(mapping),
            "-q",
        ]
    )
    assert code == 0
    # the marked structures are the project's outfalls (and stay manholes), traced to
    project = open_project(tmp_path / "j.gpkg")
    raw = pyogrio.read_dataframe(johnson / "storm_pts.shp")
    expected = set(raw.loc[raw["Type"] == 5, "OBJECTID"].astype(str))
    assert set(project.layers["outfalls"]["outfall_id"]) == expected
    assert expected <= set(project.layers["manholes"]["node_id"])
    assert set(project.layers["outfalls"]["src_file"]) == {"storm_pts.shp"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pipes": {"outfalls_where": {"Type": [5]}}}), encoding="utf-8")
    with pytest.raises(SchemaError, match="belongs to the manholes entry"):
        load_mapping_file(bad)
    bad.write_text(json.dumps({"pipes": {"units": {"diameter_mm": "furlong"}}}))
    with pytest.raises(SchemaError, match="Unknown unit 'furlong'"):
        load_mapping_file(bad)


def test_chinese_outfall_type_value(tmp_path):
    e0, n0 = 37_626_000.0, 3_166_000.0
    gdf = gpd.GeoDataFrame(
        {"编号": ["YJ-1", "YJ-2", "PK-1"], "类型": ["雨水井", "雨水井", "排放口"]},
        geometry=[shapely.Point(e0 + 10 * i, n0) for i in range(3)],
        crs=4525,
    )
    pyogrio.write_dataframe(gdf, tmp_path / "井.shp", encoding="GBK")
    ll = load_layer(
        tmp_path / "井.shp", "manholes", mapping={"outfalls_where": {"类型": "排放口"}}
    )
    assert list(ll.derived["outfalls"]["outfall_id"]) == ["PK-1"]
    # 排放口 names no system, so the class stays open (not guessed)
    assert list(ll.derived["outfalls"]["outfall_class"]) == [None]


# --- item 6: generated ids are unique across the project -----------------------------------------
def test_generated_ids_are_unique_across_files(johnson, tmp_path):
    raw = pyogrio.read_dataframe(johnson / "storm_pts.shp")
    raw = raw.drop(columns=["OBJECTID", "OutfallID", "GEOIDTXT"])
    septic = raw[raw["Type"] == 2]
    steel = raw[raw["Type"] != 2]
    pyogrio.write_dataframe(septic, tmp_path / "septic_tanks.shp")
    pyogrio.write_dataframe(steel, tmp_path / "steel_tanks.shp")
    project = create_project(
        tmp_path / "p.gpkg",
        {
            "pipes": [johnson / "storm_lines.shp"],
            "manholes": [tmp_path / "septic_tanks.shp", tmp_path / "steel_tanks.shp"],
        },
    )
    ids = project.layers["manholes"]["node_id"]
    assert ids.is_unique and len(ids) == 29
    assert ids.iloc[0] == "septic_tanks#0"
    assert ids.str.startswith("steel_tanks#").sum() == len(steel)
    assert not [i for i in project.issues if i.kind == "duplicate_id"]
