"""The million-pipe shortcuts of the build and the checks give the answers of the plain way.

Text columns are stripped as ``str.strip`` strips them, found without a Python loop; nodes on
a pipe's interior are looked for only where a grid says a piece passes; node ids are hashed
once; the register's walks group their steps without a sort and tell a flow cycle by pointer
doubling; the checks look row by row only where a finding is possible. Each case is worked by
hand or against the plain way on the same data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from net_fixtures import pipes_gdf, points_gdf
from shapely.geometry import LineString, MultiLineString

from network import graph as G
from network.analysis import connection_register, functional_successor
from network.checks import run_checks
from network.graph import build_network, str_array
from network.state import build_checked_network

SPACES = [
    " ",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1f",
    "\x85",
    "\xa0",
    "\u3000",
    "\u2028",
]
NOT_SPACES = ["\u200b", "\ufeff", "\x00", "\ud800"]  # zero-width, BOM, NUL, a lone surrogate


def _plain_strip(values):
    out = []
    for v in values:
        t = v.strip() if isinstance(v, str) else None
        out.append(t or None)
    return out


def test_py_space_lists_every_character_str_strip_removes():
    every = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert every == G.PY_SPACE


@pytest.mark.parametrize("dtype", [object, "str"])
def test_str_array_strips_every_kind_of_white_space_and_nothing_else(dtype):
    values = ["A", "", "中文", " ", "x y", "a\x00b", "\x00", "井1"]
    values += [f"{w}a" for w in SPACES + NOT_SPACES] + [f"a{w}" for w in SPACES + NOT_SPACES]
    values += [*SPACES, None]
    if dtype == "str":  # Arrow text cannot hold a lone surrogate
        values = [v for v in values if v is None or "\ud800" not in v]
    df = pd.DataFrame({"c": pd.Series(values, dtype=dtype)})
    got = str_array(df, "c").tolist()
    if dtype is object:
        assert got == _plain_strip(values)
    else:  # as pandas strips Arrow text
        want = df["c"].str.strip()
        assert got == [None if pd.isna(v) or v == "" else v for v in want.tolist()]


def test_str_array_finds_the_few_values_to_strip_among_many_clean_ids():
    ids = np.array([f"P{i}" for i in range(5000)], dtype=object)
    ids[[3, 700, 4999]] = [" P3", "P700\u3000", ""]
    ids[10] = None
    out = str_array(pd.DataFrame({"pipe_id": pd.Series(ids, dtype=object)}), "pipe_id")
    assert out[3] == "P3" and out[700] == "P700" and out[4999] is None and out[10] is None
    assert out[11] is ids[11]  # untouched ids are the very same objects


def _segments(rng, n, tol):
    """n random pipes (two-point, some three-point), plus nodes dropped near their middles."""
    a = rng.uniform(0, 200, (n, 2))
    ang = rng.uniform(0, 2 * np.pi, n)
    b = a + np.column_stack([np.cos(ang), np.sin(ang)]) * rng.uniform(1, 40, n)[:, None]
    b[: n // 4, 1] = a[: n // 4, 1]  # some level (a thin box)
    geoms = shapely.linestrings(np.stack([a, b], axis=1))
    bent = np.arange(n // 10)
    mid = (a[bent] + b[bent]) / 2 + 3.0
    geoms[bent] = shapely.linestrings(np.stack([a[bent], mid, b[bent]], axis=1))
    k = rng.integers(0, n, n // 2)
    on = shapely.line_interpolate_point(geoms[k], rng.uniform(0, 1, len(k)), normalized=True)
    near = shapely.get_coordinates(on) + rng.normal(0, tol, (len(k), 2))
    nodes = np.vstack([a, b, near, rng.uniform(0, 200, (50, 2))])
    return geoms, nodes, np.arange(n), np.arange(n) + n


@pytest.mark.parametrize("seed", range(6))
def test_grid_shortcut_finds_every_node_the_spatial_tree_finds_on_a_pipe(seed):
    rng = np.random.default_rng(seed)
    tol = 0.05 if seed % 2 else 0.5
    geoms, nodes, start, end = _segments(rng, 400, tol)
    cand = np.arange(len(nodes))
    near = G._near_other_pieces(geoms, nodes, cand, start, end, tol)
    pi, gi = shapely.STRtree(geoms).query(shapely.points(nodes), predicate="dwithin", distance=tol)
    other = (start[gi] != pi) & (end[gi] != pi)
    assert near is not None
    assert set(pi[other].tolist()) <= set(np.flatnonzero(near).tolist())


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_nodes_asked_by_the_chunk_find_what_all_at_once_find(chunk, monkeypatch):
    # a million nodes are asked about in chunks (bounded memory): any chunk size, same nodes
    geoms, nodes, start, end = _segments(np.random.default_rng(3), 400, 0.5)
    cand = np.arange(len(nodes))
    whole = G._near_other_pieces(geoms, nodes, cand, start, end, 0.5)
    monkeypatch.setattr(G, "_NODES_PER_CHUNK", chunk)
    chunked = G._near_other_pieces(geoms, nodes, cand, start, end, 0.5)
    assert whole is not None and whole.sum() > 50
    np.testing.assert_array_equal(chunked, whole)


@pytest.mark.parametrize("seed", range(4))
def test_side_connections_with_and_without_the_grid_are_the_same(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    geoms, nodes, start, end = _segments(rng, 300, 0.5)
    tree = shapely.STRtree(geoms)
    fast = G._side_connections(tree, geoms, nodes, start, end, 0.5)
    monkeypatch.setattr(G, "_near_other_pieces", lambda *a: None)
    plain = G._side_connections(tree, geoms, nodes, start, end, 0.5)
    assert fast == plain
    assert len(fast[0]) > 10


def test_a_lateral_joining_mid_pipe_splits_it_at_its_foot():
    pipes = pipes_gdf(
        [
            {"pipe_id": "MAIN", "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "LAT", "coords": [(40, 30), (40, 0.02)]},
        ]
    )
    net = build_network({"pipes": pipes})
    assert [(p, round(a, 2)) for _, p, a in net.side_connections] == [(0, 40.0)]
    assert sorted(net.edge_pipe_id.tolist()) == ["LAT", "MAIN", "MAIN"]


def _chain(n, loop=False):
    coords = [(i * 10.0, 0.0) for i in range(n + 1)]
    rows = [
        {
            "pipe_id": f"P{i}",
            "from_node": f"N{i}",
            "to_node": f"N{i + 1}",
            "system": "sewage",
            "coords": [coords[i], coords[i + 1]],
        }
        for i in range(n)
    ]
    if loop:  # the last pipe drains back into the third manhole
        rows[-1] = dict(rows[-1], to_node="N2", coords=[coords[n - 1], coords[2]])
    mh = points_gdf([{"node_id": f"N{i}", "xy": coords[i]} for i in range(n + 1)])
    return {"pipes": pipes_gdf(rows), "manholes": mh}


def test_functional_successor_follows_a_long_chain_and_refuses_a_flow_cycle():
    net = build_network(_chain(600))
    succ = functional_successor(net)
    assert succ is not None and (succ[:-1] >= 0).all()  # a way out of every manhole
    assert functional_successor(build_network(_chain(600, loop=True))) is None


def test_register_walks_a_long_chain_to_its_plant_in_order():
    layers = _chain(300)
    layers["plants"] = points_gdf([{"plant_id": "W1", "node_id": "N300", "xy": (3000.0, 0.0)}])
    layers["enterprises"] = points_gdf(
        [
            {"ent_id": "E1", "connect_node": "N0", "xy": (0.0, 5.0)},
            {"ent_id": "E2", "connect_node": "N297", "xy": (2970.0, 5.0)},
        ]
    )
    rows = {r.ent_id: r for r in connection_register(build_network(layers)).rows}
    assert rows["E1"].plant_id == "W1"
    assert rows["E1"].pipes == tuple(f"P{i}" for i in range(300))
    assert rows["E2"].pipes == ("P297", "P298", "P299")
    assert rows["E2"].path_length_m == pytest.approx(30.0)


def test_enterprise_and_plant_node_fields_are_looked_up_among_all_nodes():
    layers = _chain(4)
    layers["plants"] = points_gdf(
        [
            {"plant_id": "W1", "node_id": "N4", "xy": (999.0, 999.0)},
            {"plant_id": "W2", "node_id": "NOPE", "xy": (40.0, 3.0)},
        ]
    )
    layers["enterprises"] = points_gdf(
        [
            {"ent_id": "E1", "connect_node": "N1", "xy": (500.0, 500.0)},
            {"ent_id": "E2", "connect_node": "GONE", "xy": (20.0, 1.0)},
            {"ent_id": "E3", "connect_node": None, "xy": (30.0, 1.0)},
        ]
    )
    net = build_network(layers)
    # W1 joins N4 by its field, far as it is drawn; W2 names no node and the only sink is
    # taken by W1's field, so it stays unattached
    assert net.plant_node.tolist() == [net.node_index["N4"], -1]
    assert net.ent_method.tolist() == ["field", "nearest_pipe", "nearest_pipe"]
    assert net.node_ids[net.ent_node].tolist() == ["N1", "N2", "N3"]
    kinds = sorted(i.kind for i in net.build_issues)
    assert kinds == ["plant_unattached", "unknown_connect_node", "unknown_plant_node"]


def test_checks_find_large_into_small_and_misconnections_only_where_they_are():
    rows = [
        # A -> B: DN500 rain into DN300 sewage (both a misconnection and large into small)
        {
            "pipe_id": "IN",
            "from_node": "A",
            "to_node": "B",
            "system": "rain",
            "diameter_mm": 500.0,
            "coords": [(0, 0), (10, 0)],
        },
        {
            "pipe_id": "OUT",
            "from_node": "B",
            "to_node": "C",
            "system": "sewage",
            "diameter_mm": 300.0,
            "coords": [(10, 0), (20, 0)],
        },
        # D -> E -> F and E -> G: DN400 into DN300 and DN600: the larger way out is fine
        {
            "pipe_id": "D1",
            "from_node": "D",
            "to_node": "E",
            "system": "sewage",
            "diameter_mm": 400.0,
            "coords": [(0, 50), (10, 50)],
        },
        {
            "pipe_id": "E1",
            "from_node": "E",
            "to_node": "F",
            "system": "sewage",
            "diameter_mm": 300.0,
            "coords": [(10, 50), (20, 50)],
        },
        {
            "pipe_id": "E2",
            "from_node": "E",
            "to_node": "G",
            "system": "sewage",
            "diameter_mm": 600.0,
            "coords": [(10, 50), (10, 60)],
        },
    ]
    issues = run_checks(build_network({"pipes": pipes_gdf(rows)}))
    kinds = sorted(
        (i.kind, i.feature_ids) for i in issues if i.kind in ("large_to_small", "misconnection")
    )
    assert kinds == [("large_to_small", ("IN", "OUT")), ("misconnection", ("IN", "OUT"))]


def test_geometry_checks_ask_only_bent_lines_whether_they_cross_themselves():
    rows = [
        {"pipe_id": "STRAIGHT", "coords": [(0, 0), (10, 0)]},
        {"pipe_id": "ZERO", "coords": [(50, 50), (50, 50)]},
        {"pipe_id": "KNOT", "coords": [(0, 20), (10, 30), (10, 20), (0, 30)]},
        {"pipe_id": "TWICE", "coords": [(100, 0), (110, 0)]},
        {"pipe_id": "TWICE", "coords": [(100, 50), (110, 50)]},
    ]
    issues = run_checks(build_network({"pipes": pipes_gdf(rows)}))
    kinds = sorted(
        (i.kind, i.feature_ids) for i in issues if i.category in ("geometry", "hygiene")
    )
    assert kinds == [
        ("duplicate_id", ("TWICE",)),
        ("self_intersecting", ("KNOT",)),
        ("zero_length", ("ZERO",)),
    ]


def test_laterals_of_the_other_system_among_many_are_each_reported_with_their_system():
    # sewage laterals join the sewage main; two rain laterals touching it between them are
    # refused (a suspected misconnection), each reported with its own system
    rows = [{"pipe_id": "MAIN", "system": "sewage", "coords": [(0, 0), (200, 0)]}]
    for i, x in enumerate((20, 40, 60, 80, 140, 160, 180)):
        rows.append({"pipe_id": f"S{i}", "system": "sewage", "coords": [(x, 30), (x, 0.02)]})
    rows.append({"pipe_id": "R1", "system": "rain", "coords": [(100, -30), (100, -0.02)]})
    rows.append({"pipe_id": "R2", "system": "rain", "coords": [(120, 30), (120, 0.02)]})
    net = build_network({"pipes": pipes_gdf(rows)})
    refused = {c.other: c for c in net.contacts if c.where == "side"}
    assert sorted(refused) == ["R1", "R2"]
    for c in refused.values():
        assert (c.pipe, c.systems) == ("MAIN", ("sewage", "rain"))
    assert len(net.side_connections) == 7  # the main is split at every sewage lateral


def test_a_register_without_plants_or_outfalls_on_a_branching_network_finds_nowhere():
    # water leaving a manhole by two pipes (no forest) and nowhere to go: every enterprise
    # is registered as draining nowhere, not a crash of the whole build
    coords = {"A": (0, 0), "B": (10, 0), "C": (20, 5), "D": (20, -5)}
    rows = [
        {"pipe_id": p, "from_node": a, "to_node": b, "coords": [coords[a], coords[b]]}
        for p, a, b in (("P1", "A", "B"), ("P2", "B", "C"), ("P3", "B", "D"))
    ]
    layers = {
        "pipes": pipes_gdf(rows),
        "manholes": points_gdf([{"node_id": k, "xy": xy} for k, xy in coords.items()]),
        "enterprises": points_gdf([{"ent_id": "E1", "connect_node": "A", "xy": (0, 1)}]),
    }
    checked = build_checked_network(layers)
    assert functional_successor(checked.network) is None  # the walk-all-at-once path is out
    (row,) = checked.register.rows
    assert (row.ent_id, row.status, row.pipes) == ("E1", "none", ())


def test_building_leaves_a_multi_line_of_the_layer_whole():
    # the build explodes a multi-line into pieces of its own; the layer keeps both parts
    two_parts = MultiLineString([[(0, 0), (10, 0)], [(20, 0), (30, 0)]])
    pipes = gpd.GeoDataFrame({"pipe_id": ["P1"]}, geometry=[two_parts], crs="EPSG:4547")
    first = build_network({"pipes": pipes})
    assert pipes.geometry.iloc[0].equals(two_parts)
    assert build_network({"pipes": pipes}).piece_pipe_id.tolist() == (first.piece_pipe_id.tolist())
    assert len(first.piece_pipe_id) == 2


def test_a_zero_length_pipe_stored_as_a_multi_line_builds():
    # a GeoPackage of multi-lines gives every pipe back as one; a zero-length one merges to
    # nothing, and is kept as the zero-length line it is
    lines = [LineString([(0, 0), (10, 0)]), LineString([(5, 5), (5, 5)])]
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2"]},
        geometry=[MultiLineString([g]) for g in lines],
        crs="EPSG:4547",
    )
    checked = build_checked_network({"pipes": pipes})
    assert sorted(checked.network.piece_pipe_id.tolist()) == ["P1", "P2"]
    found = [(f.kind, f.feature_ids) for f in checked.checks]
    assert ("zero_length", ("P2",)) in found  # reported, not dropped
    plain = build_checked_network({"pipes": pipes.set_geometry(lines, crs=pipes.crs)})
    assert found == [(f.kind, f.feature_ids) for f in plain.checks]
