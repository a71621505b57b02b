"""The million-pipe shortcuts of the build give the answers of the plain way.

Ids are matched by hashing (Arrow) with a fallback for ids that are not text, nodes on a
pipe's interior are found straight from the spatial tree, and text columns are stripped
without copying every id. Each case is worked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from net_fixtures import pipes_gdf, points_gdf

from network.graph import build_network, str_array
from network.io.fields import normalise_column


def edges_of(net):
    return sorted(
        (net.node_ids[u], net.node_ids[v], net.edge_pipe_id[e])
        for e, (u, v) in enumerate(zip(net.edge_u, net.edge_v, strict=True))
    )


def _two_pipes(from_ids, to_ids):
    # M1 (0,0) -> M2 (100,0) -> M3 (200,0); the pipes are digitised against the flow
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "P1",
                "from_node": from_ids[0],
                "to_node": to_ids[0],
                "coords": [(100, 0), (0, 0)],
            },
            {
                "pipe_id": "P2",
                "from_node": from_ids[1],
                "to_node": to_ids[1],
                "coords": [(200, 0), (100, 0)],
            },
        ]
    )
    mh = points_gdf(
        [
            {"node_id": "1", "xy": (0, 0)},
            {"node_id": "2", "xy": (100, 0)},
            {"node_id": "3", "xy": (200, 0)},
        ]
    )
    return {"pipes": pipes, "manholes": mh}


def test_from_to_ids_given_as_text_join_the_named_manholes():
    net = build_network(_two_pipes(["1", "2"], ["2", "3"]))
    # the ids, not the digitising order, say where each pipe starts
    assert edges_of(net) == [("1", "2", "P1"), ("2", "3", "P2")]
    assert not [i for i in net.build_issues if i.kind == "unknown_node"]


def test_from_to_ids_given_as_numbers_join_the_same_manholes():
    # an object column holding ints (a frame not conformed by the importer): "1" == 1
    net = build_network(_two_pipes(pd.array([1, 2], dtype=object), [2, 3]))
    assert edges_of(net) == [("1", "2", "P1"), ("2", "3", "P2")]


def test_an_id_naming_no_manhole_is_one_finding_and_the_pipe_joins_by_geometry():
    net = build_network(_two_pipes(["1", "2"], ["2", "X9"]))
    unknown = [i for i in net.build_issues if i.kind == "unknown_node"]
    assert [(i.feature_ids, i.data["field"], i.data["node"]) for i in unknown] == [
        (("P2",), "to_node", "X9")
    ]
    # P2 keeps its from id (M2) and its other end lands on manhole 3 by geometry
    assert ("2", "3", "P2") in edges_of(net)


@pytest.mark.parametrize(
    ("offset", "splits"),
    [(0.03, True), (0.08, False)],  # 3 cm from the line joins at a 5 cm tolerance; 8 cm not
)
def test_a_pipe_end_on_another_pipes_interior_splits_it_within_tolerance(offset, splits):
    # host H runs 0 -> 100 along y = 0; lateral L ends 40 m along it, `offset` to the side
    pipes = pipes_gdf(
        [
            {"pipe_id": "H", "coords": [(0, 0), (100, 0)]},
            {"pipe_id": "L", "coords": [(40, 30), (40, offset)]},
        ]
    )
    net = build_network({"pipes": pipes}, {"snap_tolerance_m": 0.05})
    host = sorted(
        round(float(net.edge_length_m[e]), 3)
        for e in range(net.n_edges)
        if net.edge_pipe_id[e] == "H"
    )
    if splits:
        assert host == [40.0, 60.0]  # the foot of the lateral: 40 m along, 60 m to go
        assert len(net.side_connections) == 1
    else:
        assert host == [100.0]
        assert net.side_connections == []


def test_str_array_strips_text_and_keeps_numbers_as_written():
    df = pd.DataFrame(
        {
            "text": pd.Series([" J1 ", None, "", "J2", "   "], dtype=object),
            "mixed": pd.Series([12, None, 2.5, "A ", True], dtype=object),
            "floats": [12.0, np.nan, 2.5, 3.0, 0.0],
        }
    )
    assert str_array(df, "text").tolist() == ["J1", None, None, "J2", None]
    assert str_array(df, "mixed").tolist() == ["12", None, "2.5", "A", "True"]
    assert str_array(df, "floats").tolist() == ["12", None, "2.5", "3", "0"]


def test_str_array_keeps_the_very_id_objects_it_is_given():
    ids = np.array([f"P{i}" for i in range(1000)], dtype=object)
    out = str_array(pd.DataFrame({"pipe_id": pd.Series(ids, dtype=object)}), "pipe_id")
    assert all(a is b for a, b in zip(out, ids, strict=True))  # no million copies at 1M


def test_numeric_column_counts_every_number_as_present():
    values = pd.Series([0.0, np.nan, -1.5, 300.0])
    out, bad = normalise_column(values, "float", "管径")
    assert out.tolist()[0] == 0.0 and np.isnan(out.tolist()[1])
    assert bad.tolist() == [False, False, False, False]
    text = pd.Series(["DN300", "abc", " ", None])
    out, bad = normalise_column(text, "float", "管径")
    assert out.tolist()[0] == 300.0
    assert bad.tolist() == [False, True, False, False]  # only "abc" is a value not understood
