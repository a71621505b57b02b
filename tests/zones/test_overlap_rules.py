"""Rule table: validation, precedence, JSON and storage in the project GeoPackage."""

import sqlite3

import geopandas as gpd
import pytest
from shapely import box

from surveys.zones.rules import (
    RULES_TABLE,
    OverlapRule,
    RuleError,
    RuleTable,
    default_rules,
    load_rules,
    save_rules,
)


@pytest.fixture
def gpkg(tmp_path):
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4547").to_file(
        path, layer="zones", driver="GPKG"
    )
    return path


def test_default_rules_cover_every_class_and_feature_type():
    t = default_rules()
    for zc in ("redline", "nature_reserve", "water_source", "scenic", "other"):
        for ft in ("pipes", "manholes", "outfalls", "plants", "enterprises", "boundary"):
            assert t.lookup(zc, None, ft) is not None, (zc, ft)
    assert t.lookup("nature_reserve", "experimental", "pipes").severity == "warning"
    assert t.lookup("nature_reserve", "core", "pipes").severity == "conflict"
    assert t.lookup("water_source", "level1", "outfalls").buffer_m > 0


def test_rule_table_level_rule_wins_over_class_rule():
    t = RuleTable(
        (
            OverlapRule("scenic", None, "pipes", 0, "info"),
            OverlapRule("nature_reserve", "core", "pipes", 5, "conflict"),
        )
    )
    assert t.lookup("nature_reserve", "buffer", "pipes") is None
    assert t.lookup("nature_reserve", "core", "pipes").buffer_m == 5.0
    assert t.lookup("scenic", "core", "pipes").severity == "info"
    t2 = t.with_rule(OverlapRule("scenic", None, "pipes", 10, "warning"))
    assert t2.lookup("scenic", None, "pipes").severity == "warning"
    assert len(t2.rules) == 2
    assert t2.without("scenic", None, "pipes").lookup("scenic", None, "pipes") is None


@pytest.mark.parametrize(
    ("record", "match"),
    [
        ({"zone_class": "moon", "feature_type": "pipes"}, "zone class 'moon'"),
        ({"zone_class": "redline", "zone_level": "x", "feature_type": "pipes"}, "zone level"),
        ({"zone_class": "redline", "feature_type": "roads"}, "feature type"),
        ({"zone_class": "redline", "feature_type": "pipes", "severity": "bad"}, "severity"),
        ({"zone_class": "redline", "feature_type": "pipes", "buffer_m": -1}, "buffer"),
        ({"zone_class": "redline", "feature_type": "pipes", "buffer_m": "x"}, "buffer"),
        ({"feature_type": "pipes"}, "lacks 'zone_class'"),
    ],
)
def test_rule_table_rejects_bad_rule(record, match):
    with pytest.raises(RuleError, match=match):
        RuleTable.from_records([record])


def test_rule_table_rejects_duplicate_key():
    with pytest.raises(RuleError, match="second rule"):
        RuleTable.from_records([{"zone_class": "redline", "feature_type": "pipes"}] * 2)


def test_rule_table_json_round_trip():
    t = default_rules()
    assert RuleTable.from_json(t.to_json()) == t
    with pytest.raises(RuleError, match="not valid JSON"):
        RuleTable.from_json("{", file="r.json")


def test_load_rules_defaults_when_project_has_none(gpkg):
    assert load_rules(gpkg) == default_rules()


def test_save_rules_round_trip_in_project_gpkg(gpkg):
    t = RuleTable((OverlapRule("redline", None, "pipes", 12.5, "warning", "说明"),))
    save_rules(gpkg, t)
    assert load_rules(gpkg) == t
    save_rules(gpkg, default_rules())  # replaces, not appends
    assert load_rules(gpkg) == default_rules()
    con = sqlite3.connect(gpkg)
    try:
        kind = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name=?", (RULES_TABLE,)
        ).fetchone()
    finally:
        con.close()
    assert kind == ("attributes",)
    # the GeoPackage is still readable by GDAL, with the rules as an attribute table
    import pyogrio

    assert RULES_TABLE in [name for name, _ in pyogrio.list_layers(gpkg)]
    assert len(gpd.read_file(gpkg, layer="zones")) == 1


def test_load_rules_rejects_missing_or_broken_file(tmp_path):
    with pytest.raises(RuleError, match="does not exist"):
        load_rules(tmp_path / "none.gpkg")
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(RuleError, match="not a GeoPackage"):
        save_rules(bad, default_rules())
