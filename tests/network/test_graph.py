"""Building the network: snapping, side connections, twin pipes, directions, attachments."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from net_fixtures import CRS, park_layers, pipes_gdf, points_gdf
from shapely.geometry import LineString, MultiLineString

from network.errors import NetworkError, UnknownIdError
from network.graph import (
    DIR_DIGITISED,
    DIR_FLOWDIR,
    DIR_FROMTO,
    DIR_INVERT,
    build_network,
    crs_unit_m,
    iter_build_network,
)


def edges_of(net):
    return sorted((u, v, k) for u, v, k in net.graph.edges(keys=True))


def test_build_network_twin_pipes_stay_two_edges():
    net = build_network(park_layers())
    keys = sorted(k for _, _, k in net.graph.edges("M2", keys=True))
    assert keys == ["P2a", "P2b"]
    assert net.graph.number_of_edges("M2", "M3") == 2


def test_build_network_side_connection_splits_host_keeping_its_id():
    net = build_network(park_layers())
    parts = sorted(
        (d["part"], u, v, d["length_m"])
        for u, v, d in net.graph.edges(data=True)
        if d["pipe_id"] == "P3"
    )
    assert parts == [(0, "M3", "L1@end", 50.0), (1, "L1@end", "M4", 50.0)]
    assert ("L1@start", "L1@end", "L1") in edges_of(net)
    assert len(net.side_connections) == 1


def test_build_network_graph_matches_arrays():
    net = build_network(park_layers())
    g = net.graph
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_edges() == net.n_edges == 12
    assert g.number_of_nodes() == net.n_nodes == 11
    assert g.nodes["M5"]["enterprises"] == ("E1",)
    assert g.nodes["M4"]["plants"] == ("W1",)
    d = g.edges["M1", "M2", "P1"]
    assert d["dir_source"] == DIR_FROMTO
    assert d["length_m"] == pytest.approx(100.0)
    assert net.edge_diameter_mm[d["edge"]] == 300.0


def test_build_network_snaps_within_tolerance_only():
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "coords": [(0, 0), (10, 0)]},
            {"pipe_id": "B", "coords": [(10.04, 0), (20, 0)]},  # 4 cm: joins
            {"pipe_id": "C", "coords": [(20.06, 0), (30, 0)]},  # 6 cm: does not
        ]
    )
    net = build_network({"pipes": pipes}, {"snap_tolerance_m": 0.05})
    assert edges_of(net) == [
        ("A@end", "B@end", "B"),
        ("A@start", "A@end", "A"),
        ("C@start", "C@end", "C"),
    ]
    wider = build_network({"pipes": pipes}, {"snap_tolerance_m": 0.1})
    assert nx.is_weakly_connected(wider.graph)


def test_build_network_tolerance_is_in_metres_in_a_feet_crs():
    assert crs_unit_m("EPSG:2284") == pytest.approx(0.3048006)
    ft = 1 / 0.3048006
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "B", "coords": [(100 + 0.04 * ft, 0), (200, 0)]},  # 4 cm
            {"pipe_id": "C", "coords": [(200 + 0.06 * ft, 0), (300, 0)]},  # 6 cm
        ]
    ).set_crs("EPSG:2284", allow_override=True)
    net = build_network({"pipes": pipes})
    assert net.graph.number_of_nodes() == 5
    assert net.edge_length_m[0] == pytest.approx(100 * 0.3048006)


def test_build_network_snaps_ends_to_manholes_and_names_nodes():
    pipes = pipes_gdf([{"pipe_id": "A", "coords": [(0.03, 0), (9.98, 0.01)]}])
    mh = points_gdf([{"node_id": "MA", "xy": (0, 0)}, {"node_id": "MB", "xy": (10, 0)}])
    net = build_network({"pipes": pipes, "manholes": mh})
    assert edges_of(net) == [("MA", "MB", "A")]


def test_build_network_names_junctions_after_from_to_fields():
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "from_node": "J1", "to_node": "J2", "coords": [(0, 0), (10, 0)]},
            {"pipe_id": "B", "from_node": "J3", "to_node": "J2", "coords": [(10, 10), (10, 0)]},
            {"pipe_id": "C", "from_node": "J2", "to_node": "J4", "coords": [(20, 0), (10, 0)]},
        ]
    )
    net = build_network({"pipes": pipes})
    assert edges_of(net) == [("J1", "J2", "A"), ("J2", "J4", "C"), ("J3", "J2", "B")]


@pytest.mark.parametrize(
    ("extra", "source", "reversed_"),
    [
        ({"from_node": "MB", "to_node": "MA"}, DIR_FROMTO, True),
        ({"flow_dir": "reverse"}, DIR_FLOWDIR, True),
        ({"from_invert_m": 1.0, "to_invert_m": 2.0}, DIR_INVERT, True),
        ({"from_invert_m": 2.0, "to_invert_m": 1.0}, DIR_INVERT, False),
        ({}, DIR_DIGITISED, False),
    ],
)
def test_build_network_direction_source_order(extra, source, reversed_):
    pipes = pipes_gdf([{"pipe_id": "A", "coords": [(0, 0), (10, 0)], **extra}])
    mh = points_gdf([{"node_id": "MA", "xy": (0, 0)}, {"node_id": "MB", "xy": (10, 0)}])
    net = build_network({"pipes": pipes, "manholes": mh})
    assert net.piece_dir_source[0] == source
    assert bool(net.piece_reversed[0]) is reversed_
    assert edges_of(net) == [("MB", "MA", "A") if reversed_ else ("MA", "MB", "A")]


def test_build_network_keeps_from_to_against_inverts_and_flags_conflict():
    # from/to say MA -> MB; inverts rise along that way: keep from/to, flag the slope
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "A",
                "from_node": "MA",
                "to_node": "MB",
                "flow_dir": "reverse",
                "from_invert_m": 1.0,
                "to_invert_m": 1.2,
                "coords": [(0, 0), (10, 0)],
            }
        ]
    )
    mh = points_gdf([{"node_id": "MA", "xy": (0, 0)}, {"node_id": "MB", "xy": (10, 0)}])
    net = build_network({"pipes": pipes, "manholes": mh})
    assert edges_of(net) == [("MA", "MB", "A")]
    assert net.piece_slope_conflict[0]
    assert net.piece_flowdir_conflict[0]
    assert net.piece_up_invert[0] == 1.0


def test_build_network_inverts_follow_from_to_when_digitised_backwards():
    # drawn MB -> MA, fields MA -> MB; 起点 invert 2.0 at MA: falls along the flow, no conflict
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "A",
                "from_node": "MA",
                "to_node": "MB",
                "from_invert_m": 2.0,
                "to_invert_m": 1.0,
                "coords": [(10, 0), (0, 0)],
            }
        ]
    )
    mh = points_gdf([{"node_id": "MA", "xy": (0, 0)}, {"node_id": "MB", "xy": (10, 0)}])
    net = build_network({"pipes": pipes, "manholes": mh})
    assert edges_of(net) == [("MA", "MB", "A")]
    assert not net.piece_slope_conflict[0]


def test_build_network_multipart_feature_is_split_into_parts():
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["A"]},
        geometry=[MultiLineString([[(0, 0), (5, 0)], [(5, 0), (5, 5)], [(50, 50), (60, 60)]])],
        crs=CRS,
    )
    net = build_network({"pipes": pipes})
    assert sorted(net.edge_part.tolist()) == [0, 1]  # the touching parts were merged
    assert net.piece_multipart.all()
    assert net.resolve("A").kind == "pipe"


def test_build_network_attaches_enterprises_plants_outfalls():
    layers = park_layers()
    net = build_network(layers)
    att = {
        e: (net.node_ids[n], m)
        for e, n, m in zip(net.ent_ids, net.ent_node, net.ent_method, strict=True)
    }
    assert att == {
        "E1": ("M5", "field"),
        "E2": ("M1", "field"),
        "E3": ("M12", "field"),
        "E4": ("L1@end", "nearest_pipe"),
    }
    assert net.node_ids[net.plant_node[0]] == "M4"


def test_build_network_reports_enterprise_out_of_reach():
    layers = park_layers()
    layers["enterprises"] = points_gdf(
        [{"ent_id": "EX", "connect_node": "NOPE", "xy": (5000, 5000)}]
    )
    net = build_network(layers)
    kinds = {i.kind for i in net.build_issues}
    assert {"unknown_connect_node", "enterprise_unattached"} <= kinds
    assert net.ent_node[0] == -1


def test_build_network_outfall_attaches_to_nearest_free_sink():
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "coords": [(0, 0), (10, 0)]},
            {"pipe_id": "B", "coords": [(10, 0), (20, 0)]},
        ]
    )
    outfalls = points_gdf(
        [
            {"outfall_id": "O1", "outfall_class": "rain", "xy": (21, 1)},
            {"outfall_id": "O2", "outfall_class": "farmland_return", "xy": (900, 900)},
        ]
    )
    net = build_network({"pipes": pipes, "outfalls": outfalls})
    assert net.node_ids[net.outfall_node[0]] == "B@end"
    assert net.outfall_node[1] == -1
    assert [i.kind for i in net.build_issues] == ["outfall_without_network"]


def test_build_network_without_pipes_layer_raises():
    with pytest.raises(NetworkError, match="no pipe layer"):
        build_network({})


def test_iter_build_network_reports_progress():
    steps = []
    gen = iter_build_network(park_layers())
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            net = stop.value
            break
    fracs = [f for f, _ in steps]
    assert fracs == sorted(fracs) and fracs[0] == 0.0 and fracs[-1] == 1.0
    assert net.n_edges == 12


def test_resolve_accepts_every_kind_and_prefixes():
    net = build_network(park_layers())
    assert net.resolve("M1").kind == "node"
    assert net.resolve("P3").kind == "pipe"
    assert net.resolve("E1").kind == "enterprise"
    assert net.resolve("W1").kind == "plant"
    assert net.resolve("pipe:P1").id == "P1"
    with pytest.raises(UnknownIdError, match="'ZZ'"):
        net.resolve("ZZ")
    with pytest.raises(UnknownIdError):
        net.resolve("pipe:M1")


def test_derived_arrays_are_lazy_properties_not_cache_writes():
    net = build_network(park_layers())
    assert not hasattr(net, "issues")  # findings live in network.state.CheckedNetwork
    before = set(vars(net))
    assert net.plant_nodes == {net.node_index["M4"]}
    assert net.barrier_nodes == frozenset()
    mat, passable = net.reverse_open_csr
    assert mat.shape == (net.n_nodes, net.n_nodes) and passable.sum() == mat.sum()  # twins: 2
    # only the cached properties themselves were filled, under their own names
    assert set(vars(net)) - before == {
        "node_is_plant",
        "plant_nodes",
        "barrier_nodes",
        "reverse_open_csr",
    }


def test_duplicate_plant_and_outfall_ids_are_findings():
    layers = park_layers()
    layers["plants"] = points_gdf(
        [{"plant_id": "W1", "xy": (300, 0)}, {"plant_id": "W1", "xy": (310, 5)}]
    )
    layers["outfalls"] = points_gdf(
        [
            {"outfall_id": "O1", "xy": (5000, 0)},
            {"outfall_id": "O2", "xy": (5100, 0)},
            {"outfall_id": "O1", "xy": (5200, 0)},
            {"outfall_id": "O1", "xy": (5300, 0)},
        ]
    )
    net = build_network(layers)
    dups = [i for i in net.build_issues if i.kind == "duplicate_id"]
    assert [(i.layer, i.severity, i.feature_ids) for i in dups] == [
        ("plants", "error", ("W1", "W1~2")),
        ("outfalls", "error", ("O1", "O1~2")),
        ("outfalls", "error", ("O1", "O1~3")),
    ]
    assert dups[0].data["rows"] == [0, 1] and dups[2].data["rows"] == [0, 3]
    assert (dups[0].x, dups[0].y) == (310.0, 5.0)
    assert "W1" in dups[0].message_en and "W1~2" in dups[0].message_zh
    # both features stay in the network under their (renamed) ids
    assert net.plant_ids.tolist() == ["W1", "W1~2"]
    assert net.resolve("plant:W1~2").kind == "plant"


def test_network_arrays_are_consistent_with_csr():
    net = build_network(park_layers())
    indptr, order = net.out_csr
    for n in range(net.n_nodes):
        assert set(order[indptr[n] : indptr[n + 1]].tolist()) == set(
            np.flatnonzero(net.edge_u == n).tolist()
        )
    assert net.adjacency.shape == (net.n_nodes, net.n_nodes)


def test_build_network_line_geometry_required():
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["A", "B"]}, geometry=[LineString([(0, 0), (1, 0)]), None], crs=CRS
    )
    net = build_network({"pipes": pipes})
    assert net.n_edges == 1
    assert [(i.kind, i.feature_ids) for i in net.build_issues] == [("empty", ("B",))]
