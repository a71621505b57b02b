"""Every planted fault of the demo park is found, and nothing else is reported.

The answer key files each fault under the category issue #3 uses (near misses:
connectivity; cycles, large-into-small and against-slope: direction; duplicates: geometry;
an enterprise whose water reaches no plant: semantics), and so does the engine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from network.state import build_checked_network
from network.trace import trace_common_upstream, trace_downstream, trace_upstream

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
KEY = json.loads((DEMO / "answer_key.json").read_text(encoding="utf-8"))
FAULTS = {f["id"]: f for f in KEY["faults"]}

# planted kind -> (category, check kind) in this engine
EXPECTED = {
    "enterprise_unconnected": None,  # per reason, below
    "dangling_pipe": ("connectivity", "dangling_end"),
    "misconnection_rain_to_sewage": ("semantics", "misconnection"),
    "misconnection_sewage_to_rain": ("semantics", "misconnection"),
    "side_connection": ("connectivity", "side_connection"),
    "near_miss_end": ("connectivity", "near_miss"),
    "cycle": ("direction", "cycle"),
    "duplicate_pipe": ("geometry", "duplicate_pipe"),
    "zero_length_pipe": ("geometry", "zero_length"),
    "multipart_pipe": ("geometry", "multipart"),
    "large_into_small": ("direction", "large_to_small"),
    "invert_against_flow": ("direction", "against_slope"),
}
UNCONNECTED = {
    "no_connect_node_and_no_pipe_within_200m": ("attach", "enterprise_unattached"),
    "connect_node_drains_to_dead_end": ("semantics", "enterprise_no_plant"),
    "connect_node_is_rain_manhole": ("attach", "connects_to_rain"),
}
ID_RE = re.compile(r"^(WS|YS|WJ|YJ|PK|E|P)-?\d+")


@pytest.fixture(scope="module")
def checked():
    path = DEMO / "demo_park.gpkg"
    if not path.exists():
        pytest.skip("resources/demo/demo_park.gpkg has not been built")
    from network.io.project import open_project

    project = open_project(path)
    return build_checked_network(project.layers, project.settings, project.crs)


@pytest.fixture(scope="module")
def net(checked):
    return checked.network


def _ids_in(value) -> set[str]:
    if isinstance(value, str):
        return {value} if ID_RE.match(value) else set()
    if isinstance(value, list | tuple):
        return set().union(*(_ids_in(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_ids_in(v) for v in value.values())) if value else set()
    return set()


NETWORK_FAULTS = [f for f in KEY["faults"] if f["category"] not in ("zones", "trace")]


@pytest.mark.parametrize("fault", NETWORK_FAULTS, ids=[f["id"] for f in NETWORK_FAULTS])
def test_demo_planted_fault_is_found(checked, fault):
    if fault["kind"] == "enterprise_unconnected":
        category, kind = UNCONNECTED[fault["expected"]["reason"]]
    else:
        category, kind = EXPECTED[fault["kind"]]
    hits = [
        i
        for i in checked.checks
        if i.kind == kind and set(fault["feature_ids"]) <= set(i.feature_ids)
    ]
    assert hits, f"{fault['id']} {fault['kind']} {fault['feature_ids']} not found"
    assert all(i.category == category for i in hits)
    assert fault["category"] == category  # the key files each fault under the issue's category
    if kind == "misconnection":
        assert hits[0].data["direction"] == fault["expected"]["direction"]
        assert hits[0].data["node"] == fault["expected"]["to_node"]
    if kind == "near_miss":
        assert hits[0].data["target"] == fault["expected"]["node_id"]
        assert hits[0].data["distance_m"] == pytest.approx(fault["expected"]["gap_m"], abs=1e-3)
    if kind == "large_to_small":
        assert hits[0].data["node"] == fault["expected"]["node_id"]


def test_demo_nothing_else_is_reported(checked):
    explained = set(KEY["attach_by_nearest_pipe"])
    for f in KEY["faults"]:
        explained |= set(f["feature_ids"]) | _ids_in(f["expected"])
        for s in f["side_effects"]:
            explained |= set(s["feature_ids"])
    # outfalls without 接入井 (overflow, farmland return, rural domestic): not a fault
    no_net = {"PK08", "PK09", "PK10"}
    stray = []
    for i in checked.checks:
        if i.kind == "outfall_without_network" and set(i.feature_ids) <= no_net:
            continue
        if not set(i.feature_ids) & explained:
            stray.append((i.kind, i.feature_ids))
    assert stray == []
    infos = sorted(i.feature_ids[0] for i in checked.checks if i.kind == "attached_by_distance")
    assert infos == sorted(KEY["attach_by_nearest_pipe"])


def test_demo_shared_outfall_traced_to_its_three_enterprises(checked):
    net = checked.network
    exp = FAULTS["F01"]["expected"]
    res = trace_upstream(net, exp["outfall_id"], findings=checked.issue_index)
    assert sorted(res.enterprises) == exp["enterprise_ids"]
    assert sorted(res.pipes) == exp["pipe_ids"]
    assert {w.kind for w in res.warnings} == {"enterprise_no_plant"}
    common = trace_common_upstream(net, [exp["outfall_id"], exp["node_id"]])
    assert sorted(common.enterprises) == exp["enterprise_ids"]


def test_demo_connection_register_matches_key(checked):
    rows = {r.ent_id: r for r in checked.register.rows}
    assert rows["E40"].status == "unattached"
    assert rows["E33"].status == "none"
    assert rows["E20"].status == "outfall"
    assert rows["E20"].outfalls == (FAULTS["F06"]["expected"]["reaches_outfall"],)
    assert {e for e in ("E03", "E04", "E05") if rows[e].outfalls == ("PK07",)} == {
        "E03",
        "E04",
        "E05",
    }
    for e in KEY["attach_by_nearest_pipe"]:
        assert rows[e].method == "nearest_pipe" and rows[e].status == "plant"


@pytest.mark.parametrize("fid", ["F08", "F09", "F10", "F11"])
def test_demo_misconnected_water_goes_where_the_key_says(net, fid):
    exp = FAULTS[fid]["expected"]
    res = trace_downstream(net, exp["from_node"])
    if "reaches_plant" in exp:
        assert exp["reaches_plant"] in res.plants
    else:
        assert exp["reaches_outfall"] in res.outfalls


def test_demo_side_connection_splits_host(net):
    exp = FAULTS["F12"]["expected"]
    parts = sorted(
        (d["part"], u, v, round(d["length_m"], 3))
        for u, v, d in net.graph.edges(data=True)
        if d["pipe_id"] == exp["host_pipe"]
    )
    assert len(parts) == 2
    assert parts[0][1] == exp["host_from_node"] and parts[1][2] == exp["host_to_node"]
    assert parts[0][3] == pytest.approx(exp["distance_from_host_from_node_m"], abs=0.01)
    down = trace_downstream(net, exp["branch_pipe"])
    assert down.plants  # the branch is no longer cut off
