"""Ids over geometry (issue 10, item 2): two systems whose pipes cross in plan.

A generated park: sewage rows flowing east into a trunk flowing south to a plant, rain columns
flowing north, each to its own outfall. Some rain manholes lie 2 cm from a sewage pipe and
some rain pipes pass 3 cm from a sewage manhole. With from/to ids on every pipe the ids
define the network; without ids a contact across systems is a suspected misconnection that
carries no flow. Either way every trace equals the id graph's.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
from shapely.geometry import LineString, Point

from network.checks import run_checks
from network.graph import build_network
from network.state import build_checked_network
from network.trace import trace_upstream

CRS = "EPSG:4547"


def two_systems(rows: int = 4, blocks: int = 3) -> dict[str, gpd.GeoDataFrame]:
    """The generated park and its planted contacts (``layers["contacts"]``: pipe, manhole)."""
    mh: dict[str, tuple[float, float]] = {}
    mh_sys: dict[str, str] = {}
    pipes: list[dict] = []
    contacts: list[tuple[str, str]] = []

    def pipe(pid: str, a: str, b: str, system: str) -> None:
        pipes.append(
            {"pipe_id": pid, "from_node": a, "to_node": b, "system": system, "geom": (a, b)}
        )

    width = 100 * blocks
    # sewage: rows y = 100 r, manholes every 50 m, flowing east into the trunk at x = width+50
    for r in range(rows):
        for c in range(2 * blocks + 1):
            mh[f"WJ-{r}-{c}"] = (50.0 * c, 100.0 * r)
            mh_sys[f"WJ-{r}-{c}"] = "sewage"
            if c:
                pipe(f"WS-{r}-{c}", f"WJ-{r}-{c - 1}", f"WJ-{r}-{c}", "sewage")
        mh[f"WT-{r}"] = (width + 50.0, 100.0 * r)
        mh_sys[f"WT-{r}"] = "sewage"
        pipe(f"WS-{r}-T", f"WJ-{r}-{2 * blocks}", f"WT-{r}", "sewage")
        if r:
            pipe(f"WS-T{r}", f"WT-{r}", f"WT-{r - 1}", "sewage")
    # rain type A: columns at x = 100 k + 25, a manhole 2 cm from each sewage row pipe
    # rain type B: columns at x = 100 k + 50.03, passing 3 cm from sewage manholes
    outfalls = []
    for k in range(blocks):
        for kind, x0 in (("A", 100.0 * k + 25), ("B", 100.0 * k + 50.03)):
            ys = []
            for r in range(rows):
                if kind == "A":
                    ys += [100.0 * r + 0.02, 100.0 * r + 50]
                else:
                    ys += [100.0 * r + 50]
            ys = [-50.0, *ys]
            names = [f"YJ-{kind}{k}-{i}" for i in range(len(ys))]
            for i, (name, y) in enumerate(zip(names, ys, strict=True)):
                mh[name] = (x0, y)
                mh_sys[name] = "rain"
                if i:
                    pipe(f"YS-{kind}{k}-{i}", names[i - 1], name, "rain")
                if kind == "A" and abs(y - round(y / 100) * 100 - 0.02) < 1e-9:
                    r = round(y / 100)
                    contacts.append((f"WS-{r}-{2 * k + 1}", name))
            if kind == "B":
                for r in range(rows):
                    contacts.append((f"YS-{kind}{k}-{r + 1}", f"WJ-{r}-{2 * k + 1}"))
            outfalls.append(
                {"outfall_id": f"PK-{kind}{k}", "node_id": names[-1], "xy": mh[names[-1]]}
            )
    geoms = [LineString([mh[a], mh[b]]) for a, b in (p.pop("geom") for p in pipes)]
    return {
        "pipes": gpd.GeoDataFrame(pipes, geometry=geoms, crs=CRS),
        "manholes": gpd.GeoDataFrame(
            {"node_id": list(mh), "system_of_test": [mh_sys[k] for k in mh]},
            geometry=[Point(v) for v in mh.values()],
            crs=CRS,
        ),
        "plants": gpd.GeoDataFrame(
            {"plant_id": ["W1"], "node_id": ["WT-0"]},
            geometry=[Point(mh["WT-0"])],
            crs=CRS,
        ),
        "outfalls": gpd.GeoDataFrame(
            [{k: v for k, v in o.items() if k != "xy"} for o in outfalls],
            geometry=[Point(o["xy"]) for o in outfalls],
            crs=CRS,
        ),
        "contacts": contacts,
    }


def id_graph_upstream(pipes: gpd.GeoDataFrame, node: str) -> set[str]:
    """Pipes draining to *node* by the from/to columns alone (a plain networkx DiGraph)."""
    g = nx.DiGraph()
    g.add_edges_from(zip(pipes["from_node"], pipes["to_node"], strict=True))
    up = nx.ancestors(g, node) | {node}
    return set(pipes.loc[pipes["to_node"].isin(up), "pipe_id"])


def _sinks(layers) -> list[tuple[str, str]]:
    """(plant or outfall id, its manhole) of every plant and outfall."""
    out = layers["outfalls"]
    return [("W1", "WT-0"), *zip(out["outfall_id"], out["node_id"], strict=True)]


@pytest.fixture(scope="module")
def park():
    return two_systems()


def _layers(park, with_ids=True):
    layers = {k: v for k, v in park.items() if k != "contacts"}
    if not with_ids:
        layers["pipes"] = layers["pipes"].drop(columns=["from_node", "to_node"])
    return layers


def test_generated_park_has_contacts_across_systems(park):
    # the fixture really plants what the issue describes: 2-3 cm contacts across systems
    assert len(park["contacts"]) == 2 * 4 * 3
    pipes = park["pipes"].set_index("pipe_id")
    mhs = park["manholes"].set_index("node_id")
    for pid, node in park["contacts"]:
        d = pipes.geometry[pid].distance(mhs.geometry[node])
        assert 0.01 < d < 0.05
        assert pipes.loc[pid, "system"] != mhs.loc[node, "system_of_test"]


def test_ids_define_connectivity_and_contacts_are_findings(park):
    layers = _layers(park)
    checked = build_checked_network(layers)
    net = checked.network
    assert net.side_connections == []  # nothing is split where the ids deny it
    for fid, node in _sinks(layers):
        res = trace_upstream(net, fid, findings=checked.issue_index)
        assert set(res.pipes) == id_graph_upstream(layers["pipes"], node), fid
    kinds = {i.kind for i in checked.checks}
    assert "misconnection" not in kinds and "suspected_misconnection" not in kinds
    found = {
        (i.data["pipe"], i.data["other"])
        for i in checked.checks
        if i.kind == "contact_not_connected"
    }
    assert found == set(park["contacts"])
    one = next(i for i in checked.checks if i.kind == "contact_not_connected")
    assert "ids say they are not connected" in one.message_en and one.severity == "warning"
    assert one.data["distance_m"] < 0.05


def test_without_ids_contacts_across_systems_are_suspected_and_carry_no_flow(park):
    layers = _layers(park, with_ids=False)
    net = build_network(layers)
    issues = run_checks(net)
    assert net.side_connections == []
    for fid, node in _sinks(layers):
        res = trace_upstream(net, fid)
        assert set(res.pipes) == id_graph_upstream(park["pipes"], node), fid
    sus = {
        (i.data["pipe"], i.data["other"]) for i in issues if i.kind == "suspected_misconnection"
    }
    assert sus == set(park["contacts"])
    assert not [i for i in issues if i.kind == "misconnection"]
    # a user confirms one: it is joined, and now it is a misconnection carrying flow
    pid, node = park["contacts"][0]
    key = next(
        i.data["contact"]
        for i in issues
        if i.kind == "suspected_misconnection" and i.data["pipe"] == pid
    )
    net2 = build_network(layers, {"confirmed_contacts": [key]})
    assert len(net2.side_connections) == 1
    assert any(i.kind == "misconnection" for i in run_checks(net2))


def test_pipe_ids_beat_a_wrong_drawing_and_unknown_ids_are_named():
    mh = gpd.GeoDataFrame(
        {"node_id": ["A", "B", "C"]},
        geometry=[Point(0, 0), Point(100, 0), Point(100, 100)],
        crs=CRS,
    )
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2"], "from_node": ["A", "NOPE-0"], "to_node": ["C", "C"]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(200, 100), (100, 100)])],
        crs=CRS,
    )
    net = build_network({"pipes": pipes, "manholes": mh})
    assert net.graph.has_edge("A", "C", "P1")  # drawn to B, its to_node says C
    issues = run_checks(net)
    mism = [i for i in issues if i.kind == "fields_mismatch"]
    assert [(i.feature_ids, i.data["field"], i.data["node"]) for i in mism] == [
        (("P1",), "to_node", "C")
    ]
    unknown = [i for i in issues if i.kind == "unknown_node"]
    assert [(i.layer, i.feature_ids, i.data["field"]) for i in unknown] == [
        ("pipes", ("P2",), "from_node")
    ]
    assert "NOPE-0 does not exist" in unknown[0].message_en
