"""Traces on hand-built networks with exact expected results, and property tests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from net_fixtures import park_layers, pipes_gdf, points_gdf

from network.checks import run_checks
from network.errors import NetworkError, UnknownIdError
from network.graph import build_network
from network.trace import (
    NoPathError,
    find_flow_path,
    find_loops,
    longitudinal_profile,
    trace_common_upstream,
    trace_downstream,
    trace_upstream,
)


@pytest.fixture(scope="module")
def park():
    return build_network(park_layers())


def test_trace_upstream_from_plant_collects_everything_but_the_barrier(park):
    res = trace_upstream(park, "W1", findings=run_checks(park))
    assert set(res.pipes) == {"P1", "P2a", "P2b", "P3", "P5", "L1", "P9", "P10", "P11", "P12"}
    assert set(res.nodes) == {
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "M9",
        "M10",
        "M11",
        "L1@start",
        "L1@end",
    }
    assert set(res.enterprises) == {"E1", "E2", "E4"}
    assert res.barriers == ("P6",)
    assert res.sinks == ({"kind": "plant", "id": "W1", "node": "M4"},)
    # twin pipes and the loop are all counted: 100+100+100.18+100+100+50+100*3+141.42
    assert res.length_m == pytest.approx(991.60, abs=0.01)
    kinds = sorted(w.kind for w in res.warnings)
    assert kinds == ["cycle", "dangling_end", "side_connection"]


def test_trace_upstream_from_pipe_includes_side_branch_and_itself(park):
    res = trace_upstream(park, "P3")
    assert set(res.pipes) == {"P1", "P2a", "P2b", "P3", "P5", "L1", "P9", "P10", "P11", "P12"}
    assert "M4" not in res.nodes
    res = trace_upstream(park, "P2b")
    assert set(res.pipes) == {"P1", "P2b", "P5"}
    assert set(res.enterprises) == {"E1", "E2"}


def test_trace_upstream_user_barrier(park):
    res = trace_upstream(park, "W1", barriers=["P2a", "M9"])
    assert set(res.pipes) == {"P1", "P2b", "P3", "P5", "L1"}
    assert set(res.barriers) == {"P2a", "P6", "M9"}
    with pytest.raises(NetworkError, match="barriers must be pipes or manholes"):
        trace_upstream(park, "W1", barriers=["E1"])


def test_trace_downstream_every_path_through_twin_pipes(park):
    res = trace_downstream(park, "E1", findings=run_checks(park))
    assert res.pipes == ("P5", "P2a", "P2b", "P3")
    assert res.plants == ("W1",)
    (sink,) = res.sinks
    assert (sink["kind"], sink["id"], sink["node"]) == ("plant", "W1", "M4")
    assert sink["length_m"] == pytest.approx(300.0)
    assert sink["n_paths"] == 2
    assert [p["pipes"] for p in sink["paths"]] == [["P5", "P2a", "P3"], ["P5", "P2b", "P3"]]
    assert sink["paths"][0]["nodes"] == ["M5", "M2", "M3", "L1@end", "M4"]
    assert [w.kind for w in res.warnings] == ["side_connection"]
    d = res.to_dict()
    for key in (
        "start",
        "direction",
        "pipes",
        "nodes",
        "enterprises",
        "sinks",
        "length_m",
        "warnings",
    ):
        assert key in d
    assert d["direction"] == "downstream" and d["start"] == "E1"


def test_trace_downstream_from_pipe_and_through_loop(park):
    res = trace_downstream(park, "P10")
    assert res.pipes == ("P10", "P11", "P9", "P12", "P3")
    assert res.plants == ("W1",)
    assert res.sinks[0]["paths"][0]["pipes"] == ["P10", "P11", "P12", "P3"]


def test_trace_downstream_stops_at_barrier(park):
    res = trace_downstream(park, "E3")
    assert res.pipes == () and res.sinks == () and res.barriers == ("P6",)
    res = trace_downstream(park, "M1", barriers=["P1"])
    assert res.barriers == ("P1",)


def test_trace_downstream_dead_end_sink():
    pipes = pipes_gdf([{"pipe_id": "A", "coords": [(0, 0), (10, 0)]}])
    res = trace_downstream(build_network({"pipes": pipes}), "A@start")
    assert res.sinks[0]["kind"] == "dead_end" and res.sinks[0]["node"] == "A@end"


def test_trace_common_upstream_finds_shared_dischargers():
    pts = {
        "A": (0, 100),
        "B": (0, -100),
        "C": (50, 0),
        "D": (100, 0),
        "O1": (100, 100),
        "O2": (100, -100),
    }
    pipes = pipes_gdf(
        [
            {"pipe_id": "a", "coords": [pts["A"], pts["C"]]},
            {"pipe_id": "b", "coords": [pts["B"], pts["C"]]},
            {"pipe_id": "c", "coords": [pts["C"], pts["D"]]},
            {"pipe_id": "d1", "coords": [pts["D"], pts["O1"]]},
            {"pipe_id": "d2", "coords": [pts["D"], pts["O2"]]},
            {"pipe_id": "e", "coords": [(200, 100), pts["O1"]]},
        ]
    )
    mh = points_gdf([{"node_id": k, "xy": v} for k, v in pts.items()])
    ents = points_gdf(
        [
            {"ent_id": "EA", "connect_node": "A", "xy": (0, 101)},
            {"ent_id": "EB", "connect_node": "B", "xy": (0, -101)},
            {"ent_id": "EX", "connect_node": "e@start", "xy": (200, 101)},
        ]
    )
    outs = points_gdf(
        [
            {"outfall_id": "PK1", "node_id": "O1", "xy": pts["O1"]},
            {"outfall_id": "PK2", "node_id": "O2", "xy": pts["O2"]},
        ]
    )
    net = build_network({"pipes": pipes, "manholes": mh, "enterprises": ents, "outfalls": outs})
    res = trace_common_upstream(net, ["PK1", "PK2"])
    assert set(res.enterprises) == {"EA", "EB"}
    assert set(res.pipes) == {"a", "b", "c"}
    assert res.to_dict()["start"] == ["PK1", "PK2"]
    assert set(trace_upstream(net, "PK1").enterprises) == {"EA", "EB", "EX"}


def test_find_flow_path_either_way_and_profile(park):
    res = find_flow_path(park, "M4", "M1")
    assert res.start == ("M1", "M4")
    assert res.pipes == ("P1", "P2a", "P3")
    assert res.nodes == ("M1", "M2", "M3", "L1@end", "M4")
    assert res.length_m == pytest.approx(300.0)
    prof = longitudinal_profile(park, "M1", "M4")
    rows = [
        (
            r["pipe_id"],
            r["part"],
            r["chainage_start_m"],
            r["chainage_end_m"],
            r["invert_up_m"],
            r["invert_down_m"],
            r["diameter_mm"],
        )
        for r in prof.rows
    ]
    assert rows == [
        ("P1", 0, 0.0, 100.0, 10.0, 9.5, 300.0),
        ("P2a", 0, 100.0, 200.0, 9.5, 9.0, 400.0),
        ("P3", 0, 200.0, 250.0, 9.0, 8.5, 500.0),
        ("P3", 1, 250.0, 300.0, 8.5, 8.0, 500.0),
    ]
    assert [n["ground_m"] for n in prof.nodes] == [12.0, 12.0, 12.0, None, 12.0]
    assert prof.rows[0]["slope"] == pytest.approx(0.005)
    assert longitudinal_profile(park, "M5").rows[-1]["to_node"] == "M4"
    with pytest.raises(NoPathError):
        find_flow_path(park, "M5", "M1")


def test_find_loops_lists_the_cycle(park):
    loops = find_loops(park)
    assert [(sorted(lp["pipes"]), sorted(lp["nodes"])) for lp in loops] == [
        (["P10", "P11", "P9"], ["M10", "M11", "M9"])
    ]


def test_trace_unknown_id_raises(park):
    with pytest.raises(UnknownIdError, match="no manhole, pipe, enterprise, outfall or plant"):
        trace_downstream(park, "NOPE")
    with pytest.raises(UnknownIdError):
        trace_common_upstream(park, ["W1", "NOPE"])


def test_trace_downstream_from_unattached_enterprise_raises():
    layers = park_layers()
    layers["enterprises"] = points_gdf([{"ent_id": "EX", "xy": (5000, 5000)}])
    with pytest.raises(NetworkError, match="not attached"):
        trace_downstream(build_network(layers), "EX")


# --- property tests on random trees ------------------------------------------------------------
def tree_layers(parents: list[int], flows: dict[int, float]):
    """Node i sits at (10 i, i²) on a convex curve (no pipe passes another node); pipe i
    drains node i into node parents[i - 1]; node 0 is the plant."""
    xy = [(10.0 * i, float(i * i)) for i in range(len(parents) + 1)]
    pipes = pipes_gdf(
        [
            {
                "pipe_id": f"P{i}",
                "from_node": f"N{i}",
                "to_node": f"N{p}",
                "coords": [xy[i], xy[p]],
                "system": "sewage",
            }
            for i, p in enumerate(parents, start=1)
        ]
    )
    mh = points_gdf([{"node_id": f"N{i}", "xy": xy[i]} for i in range(len(xy))])
    ents = points_gdf(
        [
            {
                "ent_id": f"E{i}",
                "connect_node": f"N{i}",
                "flow_tpd": f,
                "cod_mgl": 100.0,
                "xy": (xy[i][0] + 1, xy[i][1]),
            }
            for i, f in flows.items()
        ]
    )
    plants = points_gdf([{"plant_id": "W", "node_id": "N0", "xy": xy[0]}])
    return {"pipes": pipes, "manholes": mh, "enterprises": ents, "plants": plants}


@st.composite
def random_trees(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    parents = [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, n + 1)]
    flows = draw(
        st.dictionaries(
            st.integers(min_value=0, max_value=n),
            st.floats(min_value=0.1, max_value=1000),
            max_size=n + 1,
        )
    )
    return parents, flows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_trees())
def test_property_upstream_and_downstream_are_converse(tree):
    parents, flows = tree
    net = build_network(tree_layers(parents, flows))
    ids = [f"N{i}" for i in range(len(parents) + 1)]
    down = {a: set(trace_downstream(net, a, with_warnings=False).nodes) for a in ids}
    for b in ids:
        up = set(trace_upstream(net, b, with_warnings=False).nodes)
        assert up == {a for a in ids if b in down[a]}
    # every node reaches the plant along exactly one path
    for a in ids:
        res = trace_downstream(net, a, with_warnings=False)
        assert res.plants == ("W",) and res.sinks[0]["n_paths"] == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_trees())
def test_property_accumulation_at_root_is_sum_of_sources(tree):
    from network.analysis import accumulate

    parents, flows = tree
    net = build_network(tree_layers(parents, flows))
    acc = accumulate(net)
    assert acc.method == "forest"
    assert acc.at("N0")[0] == pytest.approx(sum(flows.values()))
    assert acc.at("N0")[1] == pytest.approx(sum(flows.values()) * 100.0 / 1000.0)
    for i in range(len(parents) + 1):
        up = trace_upstream(net, f"N{i}", with_warnings=False)
        expected = sum(flows.get(int(e[1:]), 0.0) for e in up.enterprises)
        assert acc.at(f"N{i}")[0] == pytest.approx(expected)
