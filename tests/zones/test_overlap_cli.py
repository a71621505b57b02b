"""``python main.py overlap``: exit codes 0 / 1 / 2, JSON, reports, ledger."""

import json

import geopandas as gpd
import pytest
from shapely import LineString, box

from gisapp.cli import main

X, Y = 37_600_000.0, 3_160_000.0
CRS = "EPSG:4525"


def make_project(tmp_path, name, pipe_y):
    from network.io.project import create_project

    src = tmp_path / f"{name}_src.gpkg"
    gpd.GeoDataFrame(
        {"编号": ["P1", "P2"], "起点编号": ["J1", "J2"], "终点编号": ["J2", "J3"]},
        geometry=[
            LineString([(X + 50, Y + pipe_y), (X + 150, Y + pipe_y)]),
            LineString([(X + 150, Y + pipe_y), (X + 250, Y + pipe_y)]),
        ],
        crs=CRS,
    ).to_file(src, layer="pipes", driver="GPKG")
    gpd.GeoDataFrame(
        {"编号": ["HX-1"], "名称": ["红线"], "类别": ["生态保护红线"]},
        geometry=[box(X, Y, X + 100, Y + 100)],
        crs=CRS,
    ).to_file(src, layer="redline", driver="GPKG")
    path = tmp_path / f"{name}.gpkg"
    create_project(path, {"pipes": [f"{src}:pipes"], "zones": [f"{src}:redline"]})
    return path


@pytest.fixture
def conflict_project(tmp_path):
    return make_project(tmp_path, "bad", 50)


@pytest.fixture
def clean_project(tmp_path):
    return make_project(tmp_path, "ok", 500)


def test_cli_overlap_exit_1_with_conflicts_and_json(conflict_project, capsys):
    assert main(["overlap", str(conflict_project), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["conflict"] == 1
    (row,) = out["rows"]
    assert (row["feature_id"], row["zone_id"], row["overlap_length_m"]) == ("P1", "HX-1", 50.0)
    assert row["x"] == X + 75.0


def test_cli_overlap_exit_0_without_conflicts(clean_project, capsys):
    assert main(["overlap", str(clean_project)]) == 0
    assert "0 conflict(s)" in capsys.readouterr().out


def test_cli_overlap_exit_2_on_bad_input(tmp_path, conflict_project, capsys):
    assert main(["overlap", str(tmp_path / "missing.gpkg")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad_rules = tmp_path / "rules.json"
    bad_rules.write_text('{"rules": [{"zone_class": "moon", "feature_type": "pipes"}]}')
    assert main(["overlap", str(conflict_project), "--rules", str(bad_rules)]) == 2
    assert "moon" in capsys.readouterr().err
    not_project = tmp_path / "x.gpkg"
    not_project.write_text("hello")
    assert main(["overlap", str(not_project)]) == 2


def test_cli_overlap_rules_file_and_fail_on(conflict_project, tmp_path, capsys):
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "zone_class": "redline",
                        "feature_type": "pipes",
                        "buffer_m": 0,
                        "severity": "warning",
                    }
                ]
            }
        )
    )
    assert main(["overlap", str(conflict_project), "--rules", str(rules)]) == 0
    assert (
        main(
            [
                "overlap",
                str(conflict_project),
                "--rules",
                str(rules),
                "--fail-on",
                "warning",
                "--save-rules",
            ]
        )
        == 1
    )
    from surveys.zones.rules import load_rules

    assert load_rules(conflict_project).lookup("redline", None, "pipes").severity == "warning"
    capsys.readouterr()


def test_cli_overlap_writes_identical_reports(conflict_project, tmp_path):
    for i in (1, 2):
        assert (
            main(
                [
                    "overlap",
                    str(conflict_project),
                    "--xlsx",
                    str(tmp_path / f"{i}.xlsx"),
                    "--pdf",
                    str(tmp_path / f"{i}.pdf"),
                    "--date",
                    "2024-06-30",
                ]
            )
            == 1
        )
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()


def test_cli_overlap_zone_file_with_field_mapping(clean_project, tmp_path, capsys):
    zones = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"CODE": ["W1"], "KIND": ["水源地"], "LVL": ["一级"]},
        geometry=[box(X + 100, Y + 400, X + 200, Y + 600)],
        crs="EPSG:4525",
    ).to_crs("EPSG:4490").to_file(zones, driver="GPKG")
    assert (
        main(
            [
                "overlap",
                str(clean_project),
                "--zones",
                str(zones),
                "--class-field",
                "KIND",
                "--level-field",
                "LVL",
                "--id-field",
                "CODE",
                "--json",
            ]
        )
        == 1
    )
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {(r["feature_id"], r["zone_id"], r["zone_class"], r["zone_level"]) for r in rows} == {
        ("P1", "W1", "water_source", "level1"),
        ("P2", "W1", "water_source", "level1"),
    }
    assert sum(r["overlap_length_m"] for r in rows) == pytest.approx(100.0, abs=1e-3)


def test_cli_overlap_raises_conflicts_in_ledger_once(conflict_project, capsys):
    assert main(["overlap", str(conflict_project), "--raise-problems"]) == 1
    assert "1 problem(s) raised" in capsys.readouterr().err
    assert main(["overlap", str(conflict_project), "--raise-problems"]) == 1
    assert "0 problem(s) raised, 1 already there" in capsys.readouterr().err
    from surveys.store import SurveyStore

    store = SurveyStore(conflict_project)
    try:
        (problem,) = store.records("problem")
    finally:
        store.close()
    assert problem.source == "protected_area"
    assert problem.feature_ids == ["P1"]
    assert "P1" in problem.description
