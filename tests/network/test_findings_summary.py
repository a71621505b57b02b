"""Findings at the scale of real data, people's tables and honest empty results (issue 10:
items 7, 10 and 13)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import openpyxl
import pyogrio
import pytest
from net_fixtures import park_layers
from shapely.geometry import LineString

from gisapp.cli import network_commands as cli_network
from network.analysis import connection_register, write_register_xlsx
from network.findings import summarise_findings
from network.graph import build_network
from network.state import build_checked_network

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo_park.gpkg"
JOHNSON = ROOT.parent / "shared" / "data" / "johnson_vt"


def undirected_grid(n: int = 40) -> dict[str, gpd.GeoDataFrame]:
    """A comb of n branches of 10 pipes each, no ids, no direction, no outlet: every branch
    digitised away from the spine, so each branch end is a sink."""
    lines, ids = [], []
    for k in range(n):
        lines.append(LineString([(k * 10.0, 0), ((k + 1) * 10.0, 0)]))
        ids.append(f"S{k}")
        for j in range(10):
            lines.append(LineString([(k * 10.0, j * 10.0), (k * 10.0, (j + 1) * 10.0)]))
            ids.append(f"B{k}-{j}")
    return {"pipes": gpd.GeoDataFrame({"pipe_id": ids}, geometry=lines, crs="EPSG:4547")}


def test_summary_groups_per_kind_and_names_the_one_cause():
    checked = build_checked_network(undirected_grid())
    groups = summarise_findings(checked.checks, checked.network)
    by = {g.kind: g for g in groups}
    assert sum(g.count for g in groups) == len(checked.checks)
    sinks = by["dead_end_sink"]
    assert sinks.count >= 40 and sinks.cause == "no_direction"
    assert "records no flow direction" in sinks.explanation_en
    assert f"{sinks.count:,} sinks follow from the digitising order" in sinks.explanation_en
    assert "设置流向来源" in sinks.explanation_zh
    assert len(sinks.sample_ids) <= 10
    assert sum(c[2] for c in sinks.density["cells"]) <= sinks.count
    assert sinks.density["cell_size"] > 0
    assert by["isolated_subnetwork"].cause == "no_outlets"


def test_summary_puts_what_matters_first():
    checked = build_checked_network(park_layers())
    kinds = [g.kind for g in summarise_findings(checked.checks, checked.network)]
    assert kinds.index("enterprise_no_plant") < kinds.index("dangling_end")
    assert kinds[-1] == "attached_by_distance"  # info last


@pytest.mark.skipif(not (JOHNSON / "storm_lines.shp").exists(), reason="no Johnson VT data")
def test_summary_on_the_johnson_vt_storm_lines():
    df = pyogrio.read_dataframe(JOHNSON / "storm_lines.shp")
    pipes = gpd.GeoDataFrame(
        {"pipe_id": [f"L{i}" for i in range(len(df))]}, geometry=df.geometry.values, crs=df.crs
    )
    pipes = pipes[pipes.geometry.notna()].explode(index_parts=False).reset_index(drop=True)
    pipes["pipe_id"] = [f"{p}#{k}" for k, p in enumerate(pipes["pipe_id"])]
    pts = pyogrio.read_dataframe(JOHNSON / "storm_pts.shp")
    mh = gpd.GeoDataFrame(
        {"node_id": [f"S{i}" for i in range(len(pts))]}, geometry=pts.geometry.values, crs=pts.crs
    )
    checked = build_checked_network({"pipes": pipes, "manholes": mh})
    groups = summarise_findings(checked.checks, checked.network)
    by = {g.kind: g for g in groups}
    assert by["dead_end_sink"].cause == "no_direction"
    assert by["dangling_end"].cause == "ends_off_manholes"
    assert sum(g.count for g in groups) == len(checked.checks)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A private copy of the demo: a command stores a rebuilt network into a stale project,
    and must never write into the committed file."""
    if not DEMO.exists():
        pytest.skip("resources/demo/demo_park.gpkg has not been built")
    copy = tmp_path_factory.mktemp("demo") / DEMO.name
    shutil.copyfile(DEMO, copy)
    return str(copy)


def run(capsys, *argv):
    code = cli_network.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_prints_groups_first_then_a_limited_list(capsys, project):
    code, out, _ = run(capsys, "check", project, "--lang", "en", "--limit", "2")
    assert code == 0
    assert out.index("Findings by kind") < out.index("severity  check    ")
    assert out.index("semantics.misconnection") < out.index("attach.attached_by_distance")
    assert "more not listed (--all" in out
    code, out_all, _ = run(capsys, "check", project, "--lang", "en", "--all")
    assert "more not listed" not in out_all
    code, out, _ = run(capsys, "check", project, "--json")
    data = json.loads(out)
    assert {"project", "summary", "issues", "groups"} <= set(data)
    assert data["summary"]["total"] == len(data["issues"])  # the old summary key is kept
    assert sum(g["count"] for g in data["groups"]) == len(data["issues"])


def test_cli_common_upstream_says_why_it_is_empty(capsys, project):
    code, out, _ = run(capsys, "trace", project, "--common-upstream", "PK07,PK03", "--lang", "en")
    assert code == 0
    assert "PK07 and PK03 share no upstream pipe: their catchments are disjoint." in out
    code, out, _ = run(capsys, "trace", project, "--common-upstream", "PK07,PK03", "--json")
    assert "汇水范围互不相交" in json.loads(out)["explanation_zh"]
    # a start with nothing upstream is named
    code, out, _ = run(
        capsys, "trace", project, "--common-upstream", "PK07,WJ-0529", "--lang", "en"
    )
    assert code == 0 and "WJ-0529 has nothing upstream" in out


def test_cli_stats_is_a_table_in_chinese_with_units(capsys, project):
    code, out, _ = run(capsys, "stats", project)
    assert code == 0
    assert "{" not in out
    assert "管网总长" in out and "km" in out and "检查井" in out and "座" in out
    assert "雨水" in out and "污水" in out
    code, out, _ = run(capsys, "stats", project, "--json")
    assert json.loads(out)["n_pipes"] > 0


def test_register_xlsx_formula_text_percent_and_people_words(tmp_path):
    layers = park_layers()
    ents = layers["enterprises"].copy()
    ents.loc[0, "name"] = "=1+1"
    layers["enterprises"] = ents
    reg = connection_register(build_network(layers))
    path = write_register_xlsx(reg, tmp_path / "reg.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["纳管台账"]
    headers = [c.value for c in ws[1]]
    names = [r[headers.index("企业名称")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "=1+1" in names
    cell = ws.cell(row=2 + names.index("=1+1"), column=headers.index("企业名称") + 1)
    assert cell.data_type == "s" and cell.quotePrefix
    status = {r[headers.index("纳管状态")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert status <= {"已纳管", "排往排放口", "无去向", "未接入管网"} and "已纳管" in status
    assert ws.column_dimensions["B"].width > 8
    rates = wb["纳管率"]
    rh = [c.value for c in rates[1]]
    share = rates.cell(row=2, column=rh.index("企业数占比") + 1)
    assert isinstance(share.value, float) and share.number_format == "0.0%"
    total = [r for r in rates.iter_rows(values_only=True) if r[0] == "园区合计"]
    assert total and 0 < total[0][rh.index("水量占比")] <= 1
