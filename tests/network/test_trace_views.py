"""Trace results that hold index arrays (ids made when read) and the downstream walk's chain
shortcuts: the same answers as tuples of ids, on hand-built networks with worked figures."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from net_fixtures import park_layers, pipes_gdf, points_gdf

from network.checks import run_checks
from network.graph import build_network
from network.trace import (
    EdgeView,
    IdView,
    IssueIndex,
    trace_common_upstream,
    trace_downstream,
    trace_upstream,
)


@pytest.fixture(scope="module")
def park():
    return build_network(park_layers())


def test_upstream_views_behave_as_the_tuples_of_ids(park):
    res = trace_upstream(park, "W1")
    assert isinstance(res.pipes, IdView)
    # P1 P2a P2b P3 P5 L1 P9 P10 P11 P12: everything but the blocked P6 (layer order)
    assert res.pipes == ("P1", "P2a", "P2b", "P3", "P5", "L1", "P9", "P10", "P11", "P12")
    assert len(res.pipes) == 10 and "P3" in res.pipes and "P6" not in res.pipes
    assert sorted(res.pipes)[:3] == ["L1", "P1", "P10"]
    assert res.pipes[0] == "P1" and res.pipes[-1] == "P12"
    assert list(res.pipes[1:3]) == ["P2a", "P2b"] and isinstance(res.pipes[1:3], IdView)
    assert res.pipes[:2] + ("X",) == ("P1", "P2a", "X")  # noqa: RUF005 (a view's +)
    assert repr(res.pipes[:2]) == "('P1', 'P2a')"
    assert np.asarray(res.pipes).tolist() == list(res.pipes)
    assert set(res.enterprises) == {"E1", "E2", "E4"}
    assert "M12" not in res.nodes and "M4" in res.nodes and len(res.nodes) == 10
    assert hash(res.nodes) == hash(tuple(res.nodes))
    assert pickle.loads(pickle.dumps(res.pipes)) == res.pipes
    # the edges the GUI highlights: a sequence of ints, and an array without a copy
    assert isinstance(res.edges, EdgeView) and all(type(e) is int for e in res.edges)
    assert len(res.edges) == len(np.asarray(res.edges)) >= 10
    # JSON as before: lists of str
    d = json.loads(json.dumps(res.to_dict()))
    assert d["pipes"][:3] == ["P1", "P2a", "P2b"] and len(d["nodes"]) == 10


def test_empty_views_are_falsy_and_equal_to_the_empty_tuple(park):
    res = trace_common_upstream(park, ["M5", "M1"])  # M5 and M1 share no upstream pipe
    assert not res.pipes and res.pipes == () and list(res.nodes) == []
    assert len(res.edges) == 0 and not res.edges


def test_traces_and_checks_leave_the_networkx_graph_unbuilt(park):
    net = build_network(park_layers())
    trace_upstream(net, "W1", findings=run_checks(net))
    trace_downstream(net, "E1")
    assert "graph" not in net.__dict__  # the public model is built only when asked for
    assert net.graph.number_of_edges() == net.n_edges


def test_upstream_warnings_looked_up_over_arrays_as_over_ids(park):
    findings = run_checks(park)
    res = trace_upstream(park, "W1", findings=IssueIndex(park, findings))
    assert sorted(w.kind for w in res.warnings) == ["cycle", "dangling_end", "side_connection"]


def _chain_layers(with_branch: bool) -> dict:
    """A -P1-> B -P2-> C -P3-> W (plant W1); outfall PK1 on B; with_branch: B -P4-> D too."""
    xy = {"A": (0, 0), "B": (10, 0), "C": (20, 0), "W": (30, 0), "D": (10, -10)}
    rows = [
        {"pipe_id": "P1", "from_node": "A", "to_node": "B", "coords": [xy["A"], xy["B"]]},
        {"pipe_id": "P2", "from_node": "B", "to_node": "C", "coords": [xy["B"], xy["C"]]},
        {"pipe_id": "P3", "from_node": "C", "to_node": "W", "coords": [xy["C"], xy["W"]]},
    ]
    if with_branch:
        rows.append(
            {"pipe_id": "P4", "from_node": "B", "to_node": "D", "coords": [xy["B"], xy["D"]]}
        )
    names = list(xy) if with_branch else [k for k in xy if k != "D"]
    return {
        "pipes": pipes_gdf([{**r, "system": "sewage"} for r in rows]),
        "manholes": points_gdf([{"node_id": k, "xy": xy[k]} for k in names]),
        "plants": points_gdf([{"plant_id": "W1", "node_id": "W", "xy": (31, 0)}]),
        "outfalls": points_gdf([{"outfall_id": "PK1", "node_id": "B", "xy": (10, 1)}]),
    }


def test_downstream_chain_records_every_sink_on_the_way_with_its_path():
    net = build_network(_chain_layers(with_branch=False))
    res = trace_downstream(net, "A")
    assert res.pipes == ("P1", "P2", "P3") and res.nodes == ("A", "B", "C", "W")
    rows = {r["id"]: r for r in res.sinks}
    # PK1 on B is 10 m down, W1 30 m down, each by one path
    assert [r["id"] for r in res.sinks] == ["PK1", "W1"]
    assert rows["PK1"]["length_m"] == pytest.approx(10.0)
    assert rows["W1"]["length_m"] == pytest.approx(30.0)
    assert rows["PK1"]["paths"] == [{"pipes": ["P1"], "nodes": ["A", "B"], "length_m": 10.0}]
    assert rows["W1"]["paths"] == [
        {"pipes": ["P1", "P2", "P3"], "nodes": ["A", "B", "C", "W"], "length_m": 30.0}
    ]
    assert not rows["W1"]["truncated"]
    # one path allowed: the nearer sink keeps it, the result says it was cut
    one = trace_downstream(net, "A", max_paths=1)
    rows = {r["id"]: r for r in one.sinks}
    assert rows["PK1"]["n_paths"] == 1 and rows["W1"]["n_paths"] == 0
    assert rows["W1"]["truncated"] and rows["W1"]["length_m"] == pytest.approx(30.0)


def test_downstream_branch_gives_one_path_per_sink():
    net = build_network(_chain_layers(with_branch=True))
    res = trace_downstream(net, "A")
    rows = {r["id"]: r for r in res.sinks}
    # D is a dead end 10 + 10 m down; W1 30 m down; PK1 on the fork at B
    assert rows["D"]["kind"] == "dead_end" and rows["D"]["length_m"] == pytest.approx(20.0)
    assert rows["D"]["paths"][0]["pipes"] == ["P1", "P4"]
    assert rows["W1"]["paths"][0]["nodes"] == ["A", "B", "C", "W"]
    assert set(res.pipes) == {"P1", "P2", "P3", "P4"}
    assert res.length_m == pytest.approx(40.0)


def test_downstream_from_a_sink_with_nowhere_to_go():
    net = build_network(_chain_layers(with_branch=False))
    res = trace_downstream(net, "W")
    assert res.plants == ("W1",) and res.pipes == ()
    assert res.sinks[0]["paths"] == [{"pipes": [], "nodes": ["W"], "length_m": 0.0}]
