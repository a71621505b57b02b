"""SWMM models in and out (issue #18): import, export, run, round trip.

Expected figures are worked by hand from the model files (feet → metres at 0.3048; Manning's
full-bore flow Q = (1/n)·A·R^(2/3)·√S), never taken from the code's own output.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from gisapp.cli import main
from network.io.project import open_project
from network.io.swmm.run import read_results, with_capacity

HERE = Path(__file__).parent
REPO = HERE.parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_DIR = REPO / "resources" / "demo"
FT = 0.3048
CRS = "EPSG:4525"
X0, Y0 = 37_500_000.0, 3_100_000.0


def _section(text: str, name: str) -> list[list[str]]:
    """The data lines of an .inp section, split on blanks (an independent parser)."""
    out, inside = [], False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("["):
            inside = s.upper() == f"[{name}]"
            continue
        if inside and s and not s.startswith(";"):
            out.append(s.split())
    return out


# --- import -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def brambleton(tmp_path_factory):
    inp = SHARED_DATA / "norfolk_brambleton" / "brambleton.inp"
    if not inp.exists():
        pytest.skip("../shared/data/norfolk_brambleton is not present")
    out = tmp_path_factory.mktemp("bram") / "brambleton.gpkg"
    assert main(["new", str(out), "--swmm", str(inp), "--crs", "EPSG:2284", "-q"]) == 0
    return inp, out


def test_brambleton_import_has_the_models_conduits_ids_and_lengths_in_metres(brambleton):
    inp, project = brambleton
    text = inp.read_text()
    conduits = _section(text, "CONDUITS")
    nodes = {
        r[0]: float(r[1]) for k in ("JUNCTIONS", "OUTFALLS", "STORAGE") for r in _section(text, k)
    }
    pipes = open_project(project).layers["pipes"].set_index("pipe_id")
    assert len(pipes) == len(conduits) == 374
    for name, a, b, length, _n, in_off, out_off, *_ in conduits:
        row = pipes.loc[name]
        assert (row["from_node"], row["to_node"]) == (a, b)
        assert row["link_type"] == "conduit"
        assert row["model_length_m"] == pytest.approx(float(length) * FT, abs=1e-6)
        # LINK_OFFSETS DEPTH: invert = node elevation + offset, in feet
        assert row["from_invert_m"] == pytest.approx((nodes[a] + float(in_off)) * FT, abs=1e-6)
        assert row["to_invert_m"] == pytest.approx((nodes[b] + float(out_off)) * FT, abs=1e-6)
    xs = {r[0]: r for r in _section(text, "XSECTIONS")}
    circ = [n for n, r in xs.items() if r[1] == "CIRCULAR"]
    assert pipes.loc[circ, "diameter_mm"].tolist() == pytest.approx(
        [float(xs[n][2]) * FT * 1000 for n in circ]
    )
    manholes = open_project(project).layers["manholes"]
    assert len(manholes) == len(nodes)


def test_brambleton_traces_follow_the_models_links(brambleton):
    from network.state import build_checked_network
    from network.trace import trace_upstream

    _, path = brambleton
    project = open_project(path)
    net = build_checked_network(project.layers, project.settings, project.crs).network
    # the model drains to its one outfall F15531: every conduit lies upstream of it
    up = trace_upstream(net, "F15531")
    assert len(up.pipes) == 374


SMALL = HERE / "small_model.inp"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small") / "small.gpkg"
    assert main(["new", str(out), "--swmm", str(SMALL), "--crs", "EPSG:2284", "-q"]) == 0
    return out


def test_us_units_and_elevation_offsets_become_metres(small):
    pipes = open_project(small).layers["pipes"].set_index("pipe_id")
    c1 = pipes.loc["C1"]
    assert c1["model_length_m"] == pytest.approx(121.92)  # 400 ft
    assert c1["diameter_mm"] == pytest.approx(457.2)  # 1.5 ft
    assert c1["from_invert_m"] == pytest.approx(30.7848)  # offset given as elevation 101 ft
    assert c1["to_invert_m"] == pytest.approx(27.432)  # "*": at J2's invert, 90 ft
    assert c1["in_offset_m"] == pytest.approx(0.3048)  # 1 ft above J1's invert of 100 ft
    # the vertex: J1 (…1000, …2000) → (…1000, …2400) → J2 (…1300, …2400): 400 + 300 ft drawn
    assert c1["length_m"] == pytest.approx(700 * 1200 / 3937, abs=1e-3)
    c2 = pipes.loc["C2"]
    assert c2["xs_shape"] == "RECT_CLOSED"
    assert (c2["xs_height_m"], c2["xs_width_m"]) == pytest.approx((0.6096, 0.9144))  # 2 × 3 ft
    assert math.isnan(c2["diameter_mm"])
    assert pipes.loc["P1", "link_type"] == "pump"
    assert pipes.loc["W1", "link_type"] == "weir"
    mh = open_project(small).layers["manholes"].set_index("node_id")
    assert mh.loc["J1", "ground_m"] == pytest.approx(33.528)  # 100 + 10 ft
    assert mh.loc["S1", "node_type"] == "storage"
    outfalls = open_project(small).layers["outfalls"]
    assert outfalls["outfall_id"].tolist() == ["O1"]


def test_traces_go_through_pumps_and_weirs(small):
    from network.state import build_checked_network
    from network.trace import trace_downstream

    project = open_project(small)
    net = build_checked_network(project.layers, project.settings, project.crs).network
    down = trace_downstream(net, "J1")
    assert {"C1", "P1", "C2", "W1"} <= set(down.pipes)
    assert "O1" in down.outfalls or "O1" in down.nodes


def test_import_lists_what_it_cannot_map_and_writes_subcatchments(tmp_path, capsys):
    out = tmp_path / "s.gpkg"
    assert main(["new", str(out), "--swmm", str(SMALL), "--crs", "EPSG:2284", "-q"]) == 0
    text = capsys.readouterr().out
    assert "RECT_CLOSED" in text
    for section in ("[SUBAREAS]", "[INFILTRATION]", "[RAINGAGES]", "[TIMESERIES]"):
        assert section in text
    subs = gpd.read_file(tmp_path / "s.subcatchments.gpkg")
    assert subs["subcatch_id"].tolist() == ["SC1"]
    assert subs["area_ha"].iloc[0] == pytest.approx(10 * 0.40468564224)  # 10 acres
    assert subs["outlet"].iloc[0] == "J1"


def test_a_file_that_is_no_swmm_model_is_refused_by_name(tmp_path, capsys):
    bad = tmp_path / "notes.inp"
    bad.write_text("just some text\n")
    assert main(["new", str(tmp_path / "x.gpkg"), "--swmm", str(bad), "--crs", CRS]) == 2
    err = capsys.readouterr().err
    assert "notes.inp is no SWMM model" in err
    assert not (tmp_path / "x.gpkg").exists()


def test_a_model_without_a_crs_asks_for_one(tmp_path, capsys):
    assert main(["new", str(tmp_path / "x.gpkg"), "--swmm", str(SMALL)]) == 2
    assert "--crs" in capsys.readouterr().err


# --- export and run ---------------------------------------------------------------------------
def _line_project(tmp_path: Path, *, p2_inverts: bool = True) -> Path:
    """M1 → M2 → M3: P1 DN300 then P2 DN600, both 100 m at 0.5 %; 8640 t/d enters at M1."""
    src = tmp_path / "src"
    src.mkdir()
    xy = {"M1": (X0, Y0), "M2": (X0 + 100, Y0), "M3": (X0 + 200, Y0)}
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2"],
            "from_node": ["M1", "M2"],
            "to_node": ["M2", "M3"],
            "diameter_mm": [300.0, 600.0],
            "material": ["钢筋混凝土", "钢筋混凝土"],
            "from_invert_m": [10.0, 9.5 if p2_inverts else None],
            "to_invert_m": [9.5, 9.0 if p2_inverts else None],
            "system": ["sewage", "sewage"],
        },
        geometry=[LineString([xy["M1"], xy["M2"]]), LineString([xy["M2"], xy["M3"]])],
        crs=CRS,
    )
    manholes = gpd.GeoDataFrame(
        {"node_id": ["M1", "M2", "M3"], "ground_m": [15.0, 14.5, 14.0], "depth_m": [5.0] * 3},
        geometry=[Point(xy[k]) for k in ("M1", "M2", "M3")],
        crs=CRS,
    )
    ents = gpd.GeoDataFrame(
        {"ent_id": ["E1"], "name": ["甲化工"], "flow_tpd": [8640.0], "connect_node": ["M1"]},
        geometry=[Point(X0 - 10, Y0)],
        crs=CRS,
    )
    outfalls = gpd.GeoDataFrame(
        {"outfall_id": ["PK1"], "node_id": ["M3"]}, geometry=[Point(xy["M3"])], crs=CRS
    )
    for name, gdf in (("pipes", pipes), ("manholes", manholes), ("ents", ents), ("of", outfalls)):
        gdf.to_file(src / f"{name}.geojson", driver="GeoJSON")
    project = tmp_path / "line.gpkg"
    args = ["new", str(project), "--pipes", str(src / "pipes.geojson")]
    args += ["--manholes", str(src / "manholes.geojson")]
    args += ["--enterprises", str(src / "ents.geojson"), "--outfalls", str(src / "of.geojson")]
    assert main([*args, "-q"]) == 0
    return project


def _q_full(d: float, n: float = 0.013, s: float = 0.005) -> float:
    return math.pi * d * d / 4 * (d / 4) ** (2 / 3) * math.sqrt(s) / n


def test_an_overloaded_pipe_is_a_finding_and_its_capacity_use_is_stored(tmp_path, capsys):
    project = _line_project(tmp_path)
    capsys.readouterr()
    out = tmp_path / "line.inp"
    args = ["swmm", str(project), "--out", str(out), "--run", "--hours", "2", "--json"]
    assert main(args) == 1  # a surcharged pipe is a finding
    data = json.loads(capsys.readouterr().out)
    assert abs(data["run"]["routing_continuity_error_pct"]) < 1.0
    # 8640 t/d = 0.1 m³/s; DN300 at 0.5 %, n 0.013 carries 0.06837 m³/s full, DN600 0.4341
    assert _q_full(0.3) == pytest.approx(0.06837, abs=1e-5)
    stored = read_results(project).pipes
    p1, p2 = stored["P1"], stored["P2"]
    assert p1.full_flow_m3s == pytest.approx(0.06837, abs=1e-5)
    assert p1.max_flow_m3s == pytest.approx(0.1, rel=0.02)
    assert p1.capacity_use == pytest.approx(0.1 / 0.06837, rel=0.02)  # 1.46
    assert p1.surcharged
    assert p2.full_flow_m3s == pytest.approx(0.4341, abs=1e-3)
    assert p2.capacity_use == pytest.approx(0.1 / 0.4341, rel=0.02)  # 0.23
    assert not p2.surcharged
    # the map styles the pipe layer by these columns
    styled = with_capacity(open_project(project).layers["pipes"], read_results(project))
    assert styled.set_index("pipe_id")["swmm_surcharged"].to_dict() == {"P1": True, "P2": False}
    assert styled.set_index("pipe_id").loc["P1", "swmm_capacity_use"] == pytest.approx(
        1.46, abs=0.03
    )
    assert [f["feature_ids"] for f in data["findings"]] == [["P1"]]
    assert "P1" in data["findings"][0]["message_zh"]
    text = out.read_text()
    assert re.search(r"^M1\s+FLOW\s+0\.1\b", text, re.M)  # [DWF] at the connection manhole


def test_pipes_without_inverts_are_reported_or_interpolated(tmp_path, capsys):
    project = _line_project(tmp_path, p2_inverts=False)
    capsys.readouterr()
    out = tmp_path / "gap.inp"
    assert main(["swmm", str(project), "--out", str(out), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)["export"]
    assert data["missing_inverts"] == ["P2"]
    assert {"pipe_id": "P2", "reason": "no inverts"} in data["left_out"]
    assert not re.search(r"^P2\s", out.read_text(), re.M)

    assert main(["swmm", str(project), "--out", str(out), "--interpolate-inverts"]) == 0
    capsys.readouterr()
    text = out.read_text()
    # P2 from M2's floor (14.5 − 5 = 9.5) to M3's (14 − 5 = 9.0): junctions at those inverts,
    # both offsets 0
    conduits = {r[0]: r for r in _section(text, "CONDUITS")}
    junctions = {r[0]: r for r in _section(text, "JUNCTIONS")}
    outfalls = {r[0]: r for r in _section(text, "OUTFALLS")}
    assert conduits["P2"][1:3] == ["M2", "M3"]
    assert float(junctions["M2"][1]) + float(conduits["P2"][5]) == pytest.approx(9.5)
    assert float(outfalls["M3"][1]) + float(conduits["P2"][6]) == pytest.approx(9.0)


def _demo_faults(kind: str) -> list[dict]:
    """The demo park's deliberate faults of a kind (resources/demo/answer_key.json)."""
    key = json.loads((DEMO_DIR / "answer_key.json").read_text(encoding="utf-8"))
    return [f for f in key["faults"] if f["kind"] == kind]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    project = d / "demo_park.gpkg"
    shutil.copyfile(DEMO_DIR / "demo_park.gpkg", project)
    out = d / "demo.inp"
    args = ["swmm", str(project), "--out", str(out), "--run", "--hours", "6", "--json"]
    return project, out, main(args)


def test_demo_park_runs_in_swmm_with_small_continuity_error(demo_run, capsys):
    project, out, status = demo_run
    assert status == 0  # no pipe of the demo is overloaded in dry weather
    meta = read_results(project).meta
    assert abs(float(meta["routing_continuity_error_pct"])) < 1.0
    stored = read_results(project).pipes
    pipes = open_project(project).layers["pipes"]
    # every pipe but the zero-length one (fault F16) has a result; the split host pipe one row
    zero = {f["expected"]["pipe_id"] for f in _demo_faults("zero_length_pipe")}
    assert zero == {"YS-0564"}
    assert set(stored) == set(pipes["pipe_id"]) - zero
    assert not [p for p, r in stored.items() if r.surcharged]
    assert max(r.capacity_use for r in stored.values()) < 1.0
    styled = with_capacity(pipes, read_results(project))
    assert styled["swmm_capacity_use"].notna().sum() == len(pipes) - 1
    assert not styled["swmm_surcharged"].fillna(False).any()
    # the declared flows (t/d = m³/d), less those of enterprises without a connection (fault
    # F04 E40, no pipe within reach), enter as [DWF] in m³/s
    ents = open_project(project).layers["enterprises"].set_index("ent_id")
    dwf = sum(float(r[2]) for r in _section(out.read_text(), "DWF"))
    cut = {
        f["expected"]["ent_id"]
        for f in _demo_faults("enterprise_unconnected")
        if f["expected"]["reason"] == "no_connect_node_and_no_pipe_within_200m"
    }
    assert cut == {"E40"}
    expected = (ents["flow_tpd"].sum() - ents.loc[sorted(cut), "flow_tpd"].sum()) / 86400
    assert dwf == pytest.approx(expected, rel=1e-4)


def test_demo_round_trip_keeps_ids_ends_lengths_and_inverts(demo_run, tmp_path):
    project, out, _ = demo_run
    back = tmp_path / "back.gpkg"
    assert main(["new", str(back), "--swmm", str(out), "--crs", CRS, "-q"]) == 0
    a = open_project(project).layers["pipes"].set_index("pipe_id")
    b = open_project(back).layers["pipes"].set_index("pipe_id")
    # known differences: the zero-length pipe (fault F16) is not exported; the host pipe a
    # side pipe joins mid-way (fault F12, WS-0180 into WS-0179) becomes two conduits
    zero = {f["expected"]["pipe_id"] for f in _demo_faults("zero_length_pipe")}
    hosts = {f["expected"]["host_pipe"] for f in _demo_faults("side_connection")}
    assert "WS-0179" in hosts
    assert set(a.index) - set(b.index) == hosts | zero
    parts = {f"{h}~{k}" for h in hosts for k in (1, 2)}
    assert set(b.index) - set(a.index) == parts
    for h in hosts:
        assert b.loc[[f"{h}~1", f"{h}~2"], "model_length_m"].sum() == pytest.approx(
            a.loc[h, "length_m"], abs=0.002
        )
    same = [p for p in a.index if p in b.index]
    full = a.loc[same].dropna(subset=["from_node", "to_node"])
    full = full[~full.index.str.contains("#")]  # parts of a multipart pipe meet at a junction
    assert len(full) >= 1400
    assert (full["from_node"] == b.loc[full.index, "from_node"]).all()
    assert (full["to_node"] == b.loc[full.index, "to_node"]).all()
    for col, other in (
        ("length_m", "model_length_m"),
        ("from_invert_m", "from_invert_m"),
        ("to_invert_m", "to_invert_m"),
        ("diameter_mm", "diameter_mm"),
    ):
        diff = (a.loc[same, col] - b.loc[same, other]).abs().max()
        assert diff < 0.001, col


def test_a_wrong_crs_is_reported_on_the_model_not_a_temporary_file(tmp_path, capsys):
    assert main(["new", str(tmp_path / "x.gpkg"), "--swmm", str(SMALL), "--crs", CRS]) == 2
    err = capsys.readouterr().err
    assert "small_model.inp [CONDUITS]" in err and "coordinates impossible" in err
    assert "pipeatlas-swmm-" not in err


def test_a_network_end_with_two_inflows_drains_through_one_outfall_link(tmp_path, capsys):
    """SWMM allows an outfall one link only (its ERROR 141): A → O ← B needs a junction O."""
    src = tmp_path / "src"
    src.mkdir()
    xy = {"A": (X0, Y0 + 50), "B": (X0, Y0 - 50), "O": (X0 + 100, Y0)}
    gpd.GeoDataFrame(
        {
            "pipe_id": ["PA", "PB"],
            "from_node": ["A", "B"],
            "to_node": ["O", "O"],
            "diameter_mm": [300.0, 300.0],
            "from_invert_m": [10.0, 10.0],
            "to_invert_m": [9.5, 9.5],
        },
        geometry=[LineString([xy["A"], xy["O"]]), LineString([xy["B"], xy["O"]])],
        crs=CRS,
    ).to_file(src / "pipes.geojson", driver="GeoJSON")
    gpd.GeoDataFrame(
        {"ent_id": ["E1", "E2"], "flow_tpd": [864.0, 1728.0], "connect_node": ["A", "B"]},
        geometry=[Point(xy["A"]), Point(xy["B"])],
        crs=CRS,
    ).to_file(src / "ents.geojson", driver="GeoJSON")
    project = tmp_path / "y.gpkg"
    args = ["new", str(project), "--pipes", str(src / "pipes.geojson")]
    assert main([*args, "--enterprises", str(src / "ents.geojson"), "-q"]) == 0
    out = tmp_path / "y.inp"
    capsys.readouterr()
    assert main(["swmm", str(project), "--out", str(out), "--run", "--hours", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    text = out.read_text()
    assert {r[0] for r in _section(text, "OUTFALLS")} == {"O_OF"}
    assert "O" in {r[0] for r in _section(text, "JUNCTIONS")}
    assert abs(data["run"]["routing_continuity_error_pct"]) < 1.0
    stored = read_results(project).pipes
    assert set(stored) == {"PA", "PB"}  # the added link is no pipe of the project
    # 864 t/d = 0.01 m³/s and 1728 t/d = 0.02 m³/s
    assert stored["PA"].max_flow_m3s == pytest.approx(0.01, rel=0.02)
    assert stored["PB"].max_flow_m3s == pytest.approx(0.02, rel=0.02)


def test_swmm_refusing_a_model_is_a_clear_error(tmp_path):
    from network.io.swmm import SwmmError
    from network.io.swmm.run import run_swmm

    inp = tmp_path / "two_in.inp"
    inp.write_text(
        "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 01/01/2024\n"
        "END_DATE 01/01/2024\nEND_TIME 01:00:00\n"
        "[JUNCTIONS]\nA 10 3\nB 10 3\n[OUTFALLS]\nO 9 FREE\n"
        "[CONDUITS]\nC1 A O 100 0.013 0 0\nC2 B O 100 0.013 0 0\n"
        "[XSECTIONS]\nC1 CIRCULAR 0.3 0 0 0 1\nC2 CIRCULAR 0.3 0 0 0 1\n"
    )
    with pytest.raises(SwmmError, match="ERROR 141: Outfall O has more than 1 inlet link"):
        run_swmm(inp)
