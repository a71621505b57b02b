"""Checks: one small network per finding, plus the exact list on the park fixture."""

from __future__ import annotations

import pytest
from net_fixtures import park_layers, pipes_gdf, points_gdf

from network.checks import run_checks, summarize
from network.graph import build_network
from network.issues import Issue


def found(layers, settings=None):
    issues = run_checks(build_network(layers, settings))
    return {(i.kind, i.feature_ids) for i in issues}, issues


def mh(**pts):
    return points_gdf([{"node_id": k, "xy": v} for k, v in pts.items()])


def plant_at(node, xy):
    return points_gdf([{"plant_id": "W", "node_id": node, "xy": xy}])


def test_run_checks_park_fixture_exact():
    kinds, issues = found(park_layers())
    assert kinds == {
        ("dangling_end", ("L1",)),
        ("side_connection", ("L1", "P3")),
        ("cycle", ("P9", "P10", "P11")),
        ("enterprise_no_plant", ("E3",)),
        ("attached_by_distance", ("E4",)),
    }
    for i in issues:
        assert isinstance(i, Issue)
        assert i.message_zh and i.message_en and i.x is not None and i.y is not None
        assert Issue.from_dict(i.to_dict()) == i
    assert len({i.id for i in issues}) == len(issues)
    side = next(i for i in issues if i.kind == "side_connection")
    assert side.data["code"] == "AJ" and side.category == "connectivity"
    assert (side.x, side.y) == (250.0, 0.0)


def test_check_geometry_zero_length_multipart_selfintersecting():
    pipes = pipes_gdf(
        [
            {"pipe_id": "Z", "coords": [(0, 0), (0, 0.001)]},
            {"pipe_id": "S", "coords": [(10, 0), (20, 0), (15, 5), (15, -5)]},
            {"pipe_id": "M#1", "coords": [(30, 0), (40, 0)], "src_fid": 7, "src_part": 1},
            {"pipe_id": "M#2", "coords": [(40, 0), (50, 0)], "src_fid": 7, "src_part": 2},
        ]
    )
    kinds, _ = found({"pipes": pipes})
    assert ("zero_length", ("Z",)) in kinds
    assert ("self_intersecting", ("S",)) in kinds
    assert ("multipart", ("M", "M#1", "M#2")) in kinds
    assert not any(k == "cycle" for k, _ in kinds)  # the zero-length self-loop is not a cycle


def test_check_geometry_duplicate_pipe_but_not_twin_pipes():
    m = mh(A=(0, 0), B=(100, 0))
    pipes = pipes_gdf(
        [
            {"pipe_id": "D1", "coords": [(0, 0), (100, 0)], "diameter_mm": 300.0},
            {"pipe_id": "D2", "coords": [(100, 0), (0, 0)], "diameter_mm": 300.0},
            {"pipe_id": "T1", "coords": [(0, 0), (50, 2), (100, 0)], "diameter_mm": 300.0},
            {"pipe_id": "T2", "coords": [(0, 0), (100, 0)], "diameter_mm": 500.0},
        ]
    )
    kinds, _ = found({"pipes": pipes, "manholes": m})
    dups = {ids for k, ids in kinds if k == "duplicate_pipe"}
    assert dups == {("D1", "D2")}


def test_check_connectivity_near_miss_dangling_orphan_isolated():
    m = mh(A=(0, 0), B=(100, 0), C=(200, 0), LONE=(500, 500))
    pipes = pipes_gdf(
        [
            {"pipe_id": "P1", "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "P2", "coords": [(100, 0), (199.7, 0)]},  # 30 cm short of C: near miss
            {"pipe_id": "P3", "coords": [(300, 0), (350, 0)]},  # far from everything
        ]
    )
    kinds, issues = found({"pipes": pipes, "manholes": m, "plants": plant_at("C", (200, 0))})
    assert ("near_miss", ("P2",)) in kinds
    near = next(i for i in issues if i.kind == "near_miss")
    assert near.data["target"] == "C" and near.data["distance_m"] == pytest.approx(0.3)
    assert near.data["end"] == "downstream" and near.severity == "error"
    assert ("dangling_end", ("P3",)) in kinds
    assert ("orphan_manhole", ("LONE",)) in kinds
    assert ("isolated_subnetwork", ("P1", "P2")) in kinds
    assert ("isolated_subnetwork", ("P3",)) in kinds


def test_check_connectivity_no_near_miss_beyond_ten_times_tolerance():
    m = mh(A=(0, 0), C=(100, 0))
    pipes = pipes_gdf([{"pipe_id": "P1", "coords": [(0, 0), (99.4, 0)]}])  # 60 cm > 50 cm
    kinds, _ = found({"pipes": pipes, "manholes": m})
    assert ("dangling_end", ("P1",)) in kinds
    assert not any(k == "near_miss" for k, _ in kinds)


def test_check_connectivity_fields_mismatch():
    m = mh(A=(0, 0), B=(100, 0), X=(0, 100))
    pipes = pipes_gdf(
        [{"pipe_id": "P1", "from_node": "X", "to_node": "Y", "coords": [(0, 0), (100, 0)]}]
    )
    kinds, _ = found({"pipes": pipes, "manholes": m, "plants": plant_at("B", (100, 0))})
    assert ("fields_mismatch", ("P1",)) in kinds


def test_check_direction_against_slope_cycle_dead_end_large_to_small():
    m = mh(A=(0, 0), B=(100, 0), C=(200, 0), D=(300, 0))
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "P1",
                "from_node": "A",
                "to_node": "B",
                "from_invert_m": 5.0,
                "to_invert_m": 5.2,
                "diameter_mm": 600.0,
                "coords": [(0, 0), (100, 0)],
            },
            {
                "pipe_id": "P2",
                "from_node": "B",
                "to_node": "C",
                "diameter_mm": 300.0,
                "coords": [(100, 0), (200, 0)],
            },
            {
                "pipe_id": "P3",
                "from_node": "C",
                "to_node": "D",
                "diameter_mm": 300.0,
                "coords": [(200, 0), (300, 0)],
            },
        ]
    )
    kinds, issues = found({"pipes": pipes, "manholes": m})
    assert ("against_slope", ("P1",)) in kinds
    assert ("large_to_small", ("P1", "P2")) in kinds
    assert ("dead_end_sink", ("D",)) in kinds
    slope = next(i for i in issues if i.kind == "against_slope")
    assert slope.category == "direction" and slope.data["source"] == "from_to"
    loop = pipes_gdf(
        [
            {"pipe_id": "L1", "from_node": "A", "to_node": "B", "coords": [(0, 0), (100, 0)]},
            {
                "pipe_id": "L2",
                "from_node": "B",
                "to_node": "A",
                "coords": [(100, 0), (50, 50), (0, 0)],
            },
        ]
    )
    kinds, _ = found({"pipes": loop, "manholes": mh(A=(0, 0), B=(100, 0))})
    assert ("cycle", ("L1", "L2")) in kinds


@pytest.mark.parametrize(
    ("sys_in", "sys_out", "direction"),
    [
        ("rain", "sewage", "rain->sewage"),
        ("sewage", "rain", "sewage->rain"),
        ("industrial", "rain", "sewage->rain"),
        ("combined", "rain", "sewage->rain"),
        ("rain", "combined", None),
        ("sewage", "industrial", None),
    ],
)
def test_check_semantics_misconnection_with_direction(sys_in, sys_out, direction):
    # the from/to ids say IN drains into OUT at B: a misconnection, wherever it runs
    m = mh(A=(0, 0), B=(100, 0), C=(200, 0))
    ids = {"IN": ("A", "B"), "OUT": ("B", "C")}
    pipes = pipes_gdf(
        [
            {"pipe_id": "IN", "system": sys_in, "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "OUT", "system": sys_out, "coords": [(100, 0), (200, 0)]},
        ]
    )
    pipes["from_node"] = [ids[p][0] for p in pipes["pipe_id"]]
    pipes["to_node"] = [ids[p][1] for p in pipes["pipe_id"]]
    _, issues = found({"pipes": pipes, "manholes": m, "plants": plant_at("C", (200, 0))})
    mis = [i for i in issues if i.kind == "misconnection"]
    if direction is None:
        assert mis == []
    else:
        assert [(i.feature_ids, i.data["direction"], i.category) for i in mis] == [
            (("IN", "OUT"), direction, "semantics")
        ]


@pytest.mark.parametrize(
    ("sys_in", "sys_out", "direction"),
    [
        ("rain", "sewage", "rain->sewage"),
        ("sewage", "rain", "sewage->rain"),
        ("industrial", "rain", "sewage->rain"),
    ],
)
def test_geometric_contact_across_systems_is_suspected_until_confirmed(sys_in, sys_out, direction):
    # no ids: rain meeting sewage by geometry alone is a suspected misconnection carrying no
    # flow (the rule changed with issue 10: it used to be joined and reported as a
    # misconnection); a confirmed contact is joined, and then it is a misconnection
    m = mh(A=(0, 0), B=(100, 0), C=(200, 0))
    pipes = pipes_gdf(
        [
            {"pipe_id": "IN", "system": sys_in, "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "OUT", "system": sys_out, "coords": [(100, 0), (200, 0)]},
        ]
    )
    layers = {"pipes": pipes, "manholes": m, "plants": plant_at("C", (200, 0))}
    net = build_network(layers)
    assert len(net.graph.edges("B")) + len(net.graph.in_edges("B")) == 1
    issues = run_checks(net)
    assert not [i for i in issues if i.kind == "misconnection"]
    sus = [i for i in issues if i.kind == "suspected_misconnection"]
    assert len(sus) == 1 and sus[0].category == "semantics" and sus[0].severity == "warning"
    # manhole B has no system of its own: one pipe of each makes it a sewage manhole (a tie
    # goes to sewage), so the rain pipe is the one left unjoined
    rain = "IN" if sys_in == "rain" else "OUT"
    assert sus[0].data["direction"] == direction and sus[0].feature_ids == (rain,)
    assert sus[0].data["manhole"] == "B" and sus[0].data["contact"] == f"B|{rain}"
    # the unjoined end is explained by the suspicion: no near miss, dangling end or sink there
    assert not [i for i in issues if i.kind in ("near_miss", "dangling_end", "dead_end_sink")]
    confirmed = {"confirmed_contacts": [sus[0].data["contact"]]}
    _, issues = found(layers, confirmed)
    assert not [i for i in issues if i.kind == "suspected_misconnection"]
    mis = [i for i in issues if i.kind == "misconnection"]
    assert [(i.feature_ids, i.data["direction"]) for i in mis] == [(("IN", "OUT"), direction)]


def test_contact_ruled_out_by_inverts():
    # a sewage pipe 12 m below a manhole it passes under does not drain into it
    m = points_gdf(
        [
            {"node_id": "A", "xy": (0, 0)},
            {"node_id": "B", "xy": (100, 0)},
            {"node_id": "R", "xy": (50, 0.02), "ground_m": 20.0, "depth_m": 2.0},
        ]
    )
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "S1",
                "system": "sewage",
                "from_invert_m": 6.5,
                "to_invert_m": 5.5,
                "coords": [(0, 0), (100, 0)],
            },
            {"pipe_id": "R1", "system": "sewage", "coords": [(50, 50), (50, 0.02)]},
        ]
    )
    net = build_network({"pipes": pipes, "manholes": m}, {"contact_max_drop_m": 3.0})
    assert net.side_connections == []
    issues = run_checks(net)
    out = [i for i in issues if i.kind == "contact_ruled_out"]
    assert [(i.feature_ids, i.data["manhole"]) for i in out] == [(("S1",), "R")]
    assert out[0].data["inverts"] == [6.0, 18.0] and out[0].severity == "info"
    # a generous drop setting lets the same contact join (same system, no ids)
    net = build_network({"pipes": pipes, "manholes": m}, {"contact_max_drop_m": 20.0})
    assert len(net.side_connections) == 1


def test_check_semantics_sewage_to_rain_outfall_and_enterprise_without_plant():
    m = mh(A=(0, 0), B=(100, 0), C=(200, 0))
    ids = {"from_node": "A", "to_node": "B"}
    pipes = pipes_gdf(
        [
            {"pipe_id": "S1", "system": "sewage", **ids, "coords": [(0, 0), (100, 0)]},
            {
                "pipe_id": "R1",
                "system": "rain",
                "from_node": "B",
                "to_node": "C",
                "coords": [(100, 0), (200, 0)],
            },
        ]
    )
    outfalls = points_gdf(
        [{"outfall_id": "O1", "outfall_class": "rain", "node_id": "C", "xy": (200, 0)}]
    )
    ents = points_gdf([{"ent_id": "E1", "connect_node": "A", "flow_tpd": 10.0, "xy": (0, 5)}])
    kinds, issues = found(
        {"pipes": pipes, "manholes": m, "outfalls": outfalls, "enterprises": ents}
    )
    assert ("sewage_to_rain_outfall", ("O1",)) in kinds
    assert ("enterprise_no_plant", ("E1",)) in kinds
    out = next(i for i in issues if i.kind == "sewage_to_rain_outfall")
    assert out.data["pipes"] == ["S1"] and out.data["enterprises"] == ["E1"]
    ent = next(i for i in issues if i.kind == "enterprise_no_plant")
    assert ent.data["outfalls"] == ["O1"]


def test_check_attach_enterprise_on_rain_manhole():
    m = mh(A=(0, 0), B=(100, 0))
    pipes = pipes_gdf([{"pipe_id": "R1", "system": "rain", "coords": [(0, 0), (100, 0)]}])
    ents = points_gdf([{"ent_id": "E1", "connect_node": "A", "xy": (0, 5)}])
    kinds, _ = found({"pipes": pipes, "manholes": m, "enterprises": ents})
    assert ("connects_to_rain", ("E1",)) in kinds


def test_summarize_counts():
    _, issues = found(park_layers())
    s = summarize(issues)
    assert s["total"] == 5
    assert s["by_severity"] == {"warning": 2, "error": 2, "info": 1}
    assert s["by_kind"]["direction.cycle"] == 1


def test_duplicate_pipes_normalise_only_the_pipes_that_share_both_ends(monkeypatch):
    # a large network with a few twins: only those are compared (normalising every pipe
    # made a second million geometries at 1M pipes)
    import shapely

    import network.checks as checks

    rows = [{"pipe_id": f"R{i}", "coords": [(i * 10, 0), (i * 10 + 10, 0)]} for i in range(50)]
    rows += [
        {"pipe_id": "D1", "coords": [(0, 50), (100, 50)], "diameter_mm": 300.0},
        {"pipe_id": "D2", "coords": [(100, 50), (0, 50)], "diameter_mm": 300.0},
    ]
    seen = []
    real = shapely.normalize
    monkeypatch.setattr(checks.shapely, "normalize", lambda g: seen.append(len(g)) or real(g))
    kinds, _ = found({"pipes": pipes_gdf(rows)})
    assert {ids for k, ids in kinds if k == "duplicate_pipe"} == {("D1", "D2")}
    assert seen == [2], "only the two pipes sharing both ends are normalised"
