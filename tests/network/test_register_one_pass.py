"""The connection register in one pass: the same answers as one downstream walk per node."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from network.analysis import _drain_target, _multi_sink_reach, connection_register, drain_targets
from network.graph import build_network
from network.io.project import open_project


def random_network(seed: int, n_side: int = 9) -> dict[str, gpd.GeoDataFrame]:
    """A grid with random pipes (loops, twins, closed pipes, blocked manholes, zero lengths)."""
    rng = np.random.default_rng(seed)
    n = n_side * n_side
    ids = [f"N{i}" for i in range(n)]
    xy = np.column_stack([np.arange(n) % n_side * 10.0, np.arange(n) // n_side * 10.0])
    pairs = []
    for i in range(n):
        for j in (i + 1, i + n_side):
            if j < n and (j != i + 1 or (i + 1) % n_side) and rng.random() < 0.7:
                a, b = (i, j) if rng.random() < 0.6 else (j, i)
                pairs.append((a, b))
                if rng.random() < 0.05:  # a twin pipe
                    pairs.append((a, b))
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": [f"P{k}" for k in range(len(pairs))],
            "from_node": [ids[i] for i in a],
            "to_node": [ids[i] for i in b],
            "status": np.where(rng.random(len(pairs)) < 0.05, "closed", "open").astype(object),
            "length_m": np.where(
                rng.random(len(pairs)) < 0.05, 0.0, rng.integers(1, 4, len(pairs)) * 10.0
            ),
        },
        geometry=shapely.linestrings(np.stack([xy[a], xy[b]], axis=1)),
    )
    manholes = gpd.GeoDataFrame(
        {
            "node_id": ids,
            "status": np.where(rng.random(n) < 0.05, "blocked", None).astype(object),
        },
        geometry=shapely.points(xy),
    )
    sinks = rng.choice(n, 6, replace=False)
    plants = gpd.GeoDataFrame(
        {"plant_id": ["W1", "W2", "W3"], "node_id": [ids[i] for i in sinks[:3]]},
        geometry=shapely.points(xy[sinks[:3]]),
    )
    outfalls = gpd.GeoDataFrame(
        {"outfall_id": ["O1", "O2", "O3"], "node_id": [ids[i] for i in sinks[2:5]]},
        geometry=shapely.points(xy[sinks[2:5]]),
    )
    ent_nodes = rng.choice(n, 20)
    ents = gpd.GeoDataFrame(
        {
            "ent_id": [f"E{k}" for k in range(20)],
            "connect_node": [ids[i] for i in ent_nodes],
            "flow_tpd": rng.uniform(1, 10, 20),
        },
        geometry=shapely.points(xy[ent_nodes] + 1),
    )
    return {
        "pipes": pipes,
        "manholes": manholes,
        "plants": plants,
        "outfalls": outfalls,
        "enterprises": ents,
    }


@pytest.mark.parametrize("seed", range(12))
def test_multi_sink_search_equals_one_walk_per_node(seed):
    net = build_network(random_network(seed))
    every = np.arange(net.n_nodes)
    one_pass = _multi_sink_reach(net, every)
    assert {x: _drain_target(net, x) for x in every.tolist()} == one_pass


def test_register_of_demo_park_equals_one_walk_per_enterprise(demo_project):
    project = open_project(demo_project)
    net = build_network(project.layers, project.settings, project.crs)
    starts = np.unique(net.ent_node[net.ent_node >= 0])
    assert drain_targets(net, starts) == {x: _drain_target(net, x) for x in starts.tolist()}
    reg = connection_register(net)
    assert reg.park["n_enterprises"] == len(net.ent_ids)


def test_forest_and_multi_sink_agree_on_a_tree():
    layers = random_network(3)
    pipes = layers["pipes"]
    # keep one way out per node: a forest
    layers["pipes"] = pipes.drop_duplicates("from_node").reset_index(drop=True)
    net = build_network(layers)
    starts = np.unique(net.ent_node[net.ent_node >= 0])
    fast = drain_targets(net, starts)
    assert fast == _multi_sink_reach(net, starts)
