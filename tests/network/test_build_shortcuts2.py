"""More million-pipe shortcuts of the build, the checks, the register and the encoder.

The register keeps the codes of its rows' pipes, so storing it looks up no pipe ids; a piece's
pipe code is read from its edges; categories are factorised with the missing values placed
afterwards; the manholes' KD-tree is made only when a loose end or a possible close pair (a
grid says) needs it, and the enterprises' only when one is attached by distance; ASCII texts
are scanned a byte a character, or not at all without white space or blanks; the id gaps
reuse the distances measured to choose a pipe's direction, the known ids their NA test; the
checks reuse the lengths the build measured and one factorisation of the systems; unsplit
pieces need no sort into edges. Each shortcut is compared with the plain way on cases that
would show a difference.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import shapely
from net_fixtures import park_layers, pipes_gdf, points_gdf
from scipy.spatial import cKDTree
from test_register_one_pass import random_network

from network import graph as G
from network.analysis import _first_seen, connection_register
from network.graph import build_network
from network.io import topology as T
from network.io.project import open_project
from network.state import build_checked_network

# --- the register's pipe codes ------------------------------------------------------------


def _plain_register_blob(register, pipe_ids):
    """The register blob the plain way: every row's pipe ids looked up by value."""
    return T._register_blob(dataclasses.replace(register, pipe_codes=None), pipe_ids)


def _assert_codes_name_the_pipes(net, reg):
    codes = reg.pipe_codes
    assert codes is not None and codes.uniques is net.pipe_edges.uniques
    assert len(codes.offsets) == len(reg.rows) + 1
    for i, r in enumerate(reg.rows):
        own = codes.flat[codes.offsets[i] : codes.offsets[i + 1]]
        assert tuple(net.pipe_edges.uniques[own].tolist()) == r.pipes


def _multipart_layers():
    """Multi-part pipes (one id, several edges), a pipe split by a lateral, a repeated id,
    an unattached enterprise and one draining to an outfall only."""
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "from_node": "M1", "to_node": "M2", "coords": [(0, 0), (50, 0)]},
            {"pipe_id": "A", "from_node": "M2", "to_node": "M3", "coords": [(50, 0), (100, 0)]},
            {"pipe_id": "B", "from_node": "M3", "to_node": "M4", "coords": [(100, 0), (200, 0)]},
            {"pipe_id": "LAT", "coords": [(150, 40), (150, 0.01)]},
            {"pipe_id": "C", "from_node": "M5", "to_node": "M6", "coords": [(0, 90), (60, 90)]},
        ]
    )
    mh = points_gdf(
        [
            {"node_id": n, "xy": xy}
            for n, xy in {
                "M1": (0, 0),
                "M2": (50, 0),
                "M3": (100, 0),
                "M4": (200, 0),
                "M5": (0, 90),
                "M6": (60, 90),
            }.items()
        ]
    )
    return {
        "pipes": pipes,
        "manholes": mh,
        "plants": points_gdf([{"plant_id": "W1", "node_id": "M4", "xy": (200, 0)}]),
        "outfalls": points_gdf([{"outfall_id": "O1", "node_id": "M6", "xy": (60, 90)}]),
        "enterprises": points_gdf(
            [
                {"ent_id": "E1", "connect_node": "M1", "xy": (0, 1)},
                {"ent_id": "E2", "connect_node": None, "xy": (150, 41)},
                {"ent_id": "E3", "connect_node": "M5", "xy": (0, 91)},
                {"ent_id": "E4", "connect_node": None, "xy": (5000, 5000)},
                {"ent_id": "E5", "connect_node": "M1", "xy": (0, 2)},
            ]
        ),
    }


@pytest.mark.parametrize("seed", range(8))
def test_register_pipe_codes_name_the_rows_pipes_on_random_networks(seed):
    # loops, twins, closed pipes, blocked manholes: the multi-sink search and its ties
    net = build_network(random_network(seed))
    reg = connection_register(net)
    _assert_codes_name_the_pipes(net, reg)
    assert T._register_blob(reg, net.pipe_edges.uniques) == _plain_register_blob(
        reg, net.pipe_edges.uniques
    )


def test_register_pipe_codes_name_the_rows_pipes_on_a_forest_with_multipart_pipes():
    net = build_network(_multipart_layers())
    assert not net.pipe_edges.one_edge_each  # A and the split B have several edges each
    reg = connection_register(net)
    rows = {r.ent_id: r for r in reg.rows}
    assert rows["E1"].pipes == ("A", "B") and rows["E1"].plant_id == "W1"
    assert rows["E3"].pipes == ("C",) and rows["E3"].status == "outfall"
    assert rows["E4"].status == "unattached" and rows["E4"].pipes == ()
    _assert_codes_name_the_pipes(net, reg)
    assert T._register_blob(reg, net.pipe_edges.uniques) == _plain_register_blob(
        reg, net.pipe_edges.uniques
    )


def test_register_blob_looks_pipes_up_when_the_codes_are_of_other_ids():
    net = build_network(_multipart_layers())
    reg = connection_register(net)
    other = net.pipe_edges.uniques.copy()  # equal ids, another array: codes not trusted
    assert T._register_blob(reg, other) == _plain_register_blob(reg, other)
    with pytest.raises(KeyError):  # ids the codes do not name: looked up, and missing
        T._register_blob(reg, np.array(["A", "B", "LAT"], dtype=object))


def test_register_pipe_codes_are_not_compared_and_a_stored_register_reencodes_the_same(
    demo_project,
):
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    reg = checked.register
    assert dataclasses.replace(reg, pipe_codes=None) == reg
    blobs = T.encode(checked)
    assert T.store_checked_network(demo_project, checked)
    loaded = T.load_checked_network(demo_project, open_project(demo_project).layers)
    assert loaded is not None
    assert getattr(loaded.register, "pipe_codes", None) is None  # read back: ids only
    assert T.encode(loaded)["register"] == blobs["register"]


@pytest.mark.parametrize(
    "codes",
    [[], [4], [3, 3], [5, 1, 5, 2, 1, 7, 2], [9, 8, 7, 6], list(range(20)) + list(range(20))],
)
def test_first_seen_keeps_first_occurrences_as_dict_fromkeys(codes):
    arr = np.array(codes, dtype=np.int64)
    assert _first_seen(arr).tolist() == list(dict.fromkeys(codes))


# --- the encoder ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layers",
    [
        _multipart_layers,
        park_layers,
        lambda: random_network(5),
    ],
)
def test_piece_pipe_codes_from_the_edges_equal_the_ids_looked_up(layers):
    net = build_network(layers())
    pe = net.pipe_edges
    assert (
        T._piece_pipe_codes(net).tolist() == T._pipe_codes(net.piece_pipe_id, pe.uniques).tolist()
    )


def test_piece_pipe_codes_fall_back_when_a_piece_has_no_edge_or_the_ids_disagree():
    net = build_network(_multipart_layers())
    plain = T._pipe_codes(net.piece_pipe_id, net.pipe_edges.uniques)
    # a piece without an edge: looked up
    keep = net.edge_piece != 0
    no_edge = dataclasses.replace(
        net,
        edge_piece=net.edge_piece[keep],
        pipe_edges=G.PipeEdges.from_codes(net.pipe_edges.codes[keep], net.pipe_edges.uniques),
    )
    assert T._piece_pipe_codes(no_edge).tolist() == plain.tolist()
    # edges whose codes do not match their pieces' ids: looked up too
    wrong = dataclasses.replace(
        net,
        pipe_edges=G.PipeEdges.from_codes(net.pipe_edges.codes[::-1], net.pipe_edges.uniques),
    )
    assert T._piece_pipe_codes(wrong).tolist() == plain.tolist()


NAN = float("nan")


@pytest.mark.parametrize(
    "values",
    [
        [],
        [None],
        [None, None, None],
        [NAN, None, NAN],
        ["a", "b", "a"],
        [None, "a", "b", None],
        ["a", None, "b", NAN, "a", None],
        ["a", "b", pd.NA, "c", None, "b"],
        ["b", "a", "b", NAN],
        [f"v{i % 200}" for i in range(400)] + [None] + [f"v{i}" for i in range(200, 260)],
        [*(f"v{i}" for i in range(126)), None],
        [None, *(f"v{i}" for i in range(126))],
    ],
)
def test_codes_equal_factorising_with_the_missing_values_as_one_category(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    codes, cats = T._codes(arr)
    want_codes, want_uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=False)
    want_cats = [
        None if u is None or (isinstance(u, float) and u != u) else u for u in want_uniques
    ]
    assert codes.dtype == (np.int8 if len(want_uniques) < 127 else np.int32)
    assert codes.tolist() == want_codes.tolist()
    assert cats == want_cats


def test_encode_of_the_demo_park_is_unchanged_by_the_shortcuts(demo_project, monkeypatch):
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    fast = T.encode(checked)
    monkeypatch.setattr(
        T,
        "_piece_pipe_codes",
        lambda net: T._pipe_codes(net.piece_pipe_id, net.pipe_edges.uniques),
    )

    def plain_codes(values):
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
        return codes, list(uniques)

    monkeypatch.setattr(T, "_codes_missing_as_one", plain_codes)
    plain_reg = dataclasses.replace(checked.register, pipe_codes=None)
    plain = T.encode(dataclasses.replace(checked, register=plain_reg))
    assert fast == plain


# --- the manholes' KD-tree ------------------------------------------------------------------


def _pairs(xy, tol):
    return {tuple(p) for p in cKDTree(xy).query_pairs(tol, output_type="ndarray").tolist()}


@pytest.mark.parametrize("seed", range(10))
def test_close_pair_precheck_never_misses_a_pair_the_tree_finds(seed):
    rng = np.random.default_rng(seed)
    tol = [0.05, 0.5, 1.0, 3.0, 1e-6][seed % 5]
    xy = rng.uniform(-500, 500, (3000, 2)).round(2)
    # pairs at exactly tol, just under and just over, along x, y and the diagonal
    k = rng.integers(0, len(xy), 30)
    d = np.array([tol, tol * (1 - 1e-12), tol * (1 + 1e-9)])[np.arange(30) % 3]
    ang = np.array([0.0, np.pi / 2, np.pi / 4, np.pi / 3])[np.arange(30) % 4]
    close = xy[k] + np.column_stack([np.cos(ang), np.sin(ang)]) * d[:, None]
    for pts in (xy, np.vstack([xy, close]), np.vstack([xy, xy[:1]])):
        found = _pairs(pts, tol)
        if found:
            assert G._may_have_close_pair(pts, tol)
        if not G._may_have_close_pair(pts, tol):
            assert not found


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((0.99, 5.0), (1.01, 5.0)),  # cells side by side
        ((5.0, 0.99), (5.0, 1.01)),  # one above the other
        ((0.99, 0.99), (1.01, 1.01)),  # across a corner, up and right
        ((0.99, 1.01), (1.01, 0.99)),  # across a corner, down and right
        ((1.01, 1.01), (0.99, 0.99)),  # the same pairs listed the other way round
        ((1.01, 0.99), (0.99, 1.01)),
    ],
)
def test_close_pair_precheck_sees_pairs_in_neighbouring_cells(a, b):
    # (-5, -5) and (9, 9) fix the grid: cells one unit wide (tol 0.5), edges at whole numbers
    xy = np.array([(-5.0, -5.0), (9.0, 9.0), a, b])
    assert _pairs(xy, 0.5) == {(2, 3)}
    assert G._may_have_close_pair(xy, 0.5)


def test_close_pair_precheck_on_cell_edges_and_odd_inputs():
    tol = 0.5
    # two points a cell apart across a cell boundary, at exactly tol
    assert G._may_have_close_pair(np.array([[0.0, 0.0], [0.5, 0.0]]), tol)
    assert G._may_have_close_pair(np.array([[0.999999, 0.0], [1.0, 0.0]]), tol)
    assert G._may_have_close_pair(np.array([[0.0, 0.0], [0.3, 0.3]]), tol)  # diagonal
    assert G._may_have_close_pair(np.array([[0.0, 1.0], [0.3, 0.7]]), tol)  # down-right
    assert not G._may_have_close_pair(np.array([[0.0, 0.0], [10.0, 0.0]]), tol)
    assert not G._may_have_close_pair(np.array([[0.0, 0.0]]), tol)
    assert not G._may_have_close_pair(np.empty((0, 2)), tol)
    # no usable grid: ask the tree
    assert G._may_have_close_pair(np.array([[0.0, 0.0], [10.0, 0.0]]), 0.0)
    assert G._may_have_close_pair(np.array([[0.0, 0.0], [np.nan, 0.0]]), tol)
    assert G._may_have_close_pair(np.array([[0.0, 0.0], [1e300, 0.0]]), tol)


def _manhole_layers(dup_at=None):
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 1000, (400, 2))
    if dup_at is not None:
        xy[dup_at] = xy[0] + 0.01  # within the 0.05 m tolerance of the first
    mh = points_gdf([{"node_id": f"M{i}", "xy": tuple(p)} for i, p in enumerate(xy)])
    pipes = pipes_gdf(
        [
            {
                "pipe_id": f"P{i}",
                "from_node": f"M{i}",
                "to_node": f"M{i + 1}",
                "coords": [tuple(xy[i]), tuple(xy[i + 1])],
            }
            for i in range(0, 398, 2)
        ]
    )
    return {"pipes": pipes, "manholes": mh}


@pytest.mark.parametrize("dup_at", [None, 5, 399])
def test_duplicate_manholes_with_and_without_the_precheck_are_the_same(dup_at, monkeypatch):
    layers = _manhole_layers(dup_at)
    fast = build_network(layers)
    monkeypatch.setattr(G, "_may_have_close_pair", lambda xy, tol: True)
    plain = build_network(layers)
    kinds = [i.to_dict() for i in fast.build_issues]
    assert kinds == [i.to_dict() for i in plain.build_issues]
    assert ("duplicate_manhole" in {i.kind for i in fast.build_issues}) == (dup_at is not None)


def test_snapping_nothing_loose_answers_as_the_tree_does_for_no_query():
    d, idx = cKDTree(np.array([[0.0, 0.0], [1.0, 1.0]])).query(
        np.empty((0, 2)), distance_upper_bound=0.05
    )
    assert (d.dtype, d.shape) == (np.empty(0).dtype, (0,))
    assert (idx.dtype, idx.shape) == (np.empty(0, dtype=np.intp).dtype, (0,))


def test_ends_joined_by_ids_and_loose_ends_snap_as_before():
    # P1/P2 joined by ids; P3 has no ids: its ends snap to M2 (within 0.05) and to P4's end
    layers = _manhole_layers()
    extra = pipes_gdf(
        [
            {"pipe_id": "LOOSE", "coords": [(2000.0, 0.0), (2100.0, 0.0)]},
            {"pipe_id": "LOOSE2", "coords": [(2100.03, 0.0), (2200.0, 0.0)]},
        ]
    )
    layers["pipes"] = pd.concat([layers["pipes"], extra], ignore_index=True)
    net = build_network(layers)
    e = net.pipe_edges
    a, b = e["LOOSE"][0], e["LOOSE2"][0]
    assert net.edge_v[a] == net.edge_u[b]  # the two loose ends met in one junction
    assert net.node_kind[net.edge_v[a]] == "junction"


# --- attaching enterprises ------------------------------------------------------------------


def test_enterprises_by_field_need_no_tree_and_by_distance_attach_as_before(monkeypatch):
    made = []
    real = G.spatial.cKDTree

    def counting(xy, *a, **k):
        made.append(len(xy))
        return real(xy, *a, **k)

    monkeypatch.setattr(G.spatial, "cKDTree", counting)
    layers = park_layers()
    ents = layers["enterprises"]
    by_field = ents[ents["connect_node"].notna()].reset_index(drop=True)
    net = build_network(dict(layers, enterprises=by_field))
    assert net.ent_method.tolist() == ["field"] * len(by_field) and len(by_field) == 3
    assert net.n_nodes not in made  # no tree over all nodes
    made.clear()
    net = build_network(layers)
    # E4 names no manhole: attached to the pipe its point is nearest, with the tree made
    assert net.ent_method.tolist() == ["field", "field", "field", "nearest_pipe"]
    assert net.n_nodes in made


# --- texts ----------------------------------------------------------------------------------

ASCII_SPACES = [c for c in map(chr, range(128)) if c.isspace()]


def _plain_to_strip(texts):
    return [i for i, v in enumerate(texts) if not v or v[0].isspace() or v[-1].isspace()]


@pytest.mark.parametrize(
    "texts",
    [
        ["A", "B1", "x y"],
        [""],
        ["", ""],
        ["a", "", "b"],
        ["a\x00b", "c"],  # a NUL inside a value: one by one
        [f"{w}a" for w in ASCII_SPACES] + [f"a{w}" for w in ASCII_SPACES] + ASCII_SPACES,
        ["\x7f", "~", "a\x1f", "\x1ca", "\x01a", "a\x08"],
        ["P1", " P2", "P3 ", "中文", "\u3000X"],  # not ASCII: code points as before
        ["P1", "P2\xa0"],
        # no white space and no empty value anywhere: answered from the joined bytes
        ["P1", "P2", "MH-3"],
        ["ab"],
        ["a b", "c"],  # a space inside a value: looked at value by value, nothing to strip
        ["", "a"],
        ["a", "b", ""],
        ["a", "", "", "b"],
        ["a\x00", "b"],  # NULs next to a separator: not mistaken for an empty value
        ["\x00b", "c"],
        ["a\x00\x00b"],
        ["\x00"],
    ],
)
def test_texts_to_strip_in_ascii_and_otherwise_equals_str_isspace(texts):
    assert G._texts_to_strip(texts).tolist() == _plain_to_strip(texts)


@pytest.mark.parametrize(
    "values",
    [
        ["A", " B", "C "],
        [None, "A", " B"],
        [NAN, "A"],
        [None, None],
        [NAN, NAN],
        [],
        ["A", None, " "],
        ["A", 1, "B"],
        [1, "A"],
        ["A", 1.5],
    ],
)
def test_stripped_object_texts_whatever_the_first_value(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    got = G._stripped_object_texts(arr)
    if any(not isinstance(v, str) and not pd.isna(v) for v in values):
        assert got is None  # a number: str_array's other path
        return
    want = [v.strip() or None if isinstance(v, str) else None for v in values]
    assert got.tolist() == want
    for v, g in zip(values, got.tolist(), strict=True):
        if isinstance(v, str) and v == v.strip() and v:
            assert g is v  # untouched values are the very same objects


# --- id gaps --------------------------------------------------------------------------------


def test_id_gaps_from_the_direction_distances_equal_measuring_again(monkeypatch):
    pipes = pipes_gdf(
        [
            # on its manholes, 0.03 off (within tol), a near miss, a far miss, reversed
            {"pipe_id": "P1", "from_node": "M1", "to_node": "M2", "coords": [(0, 0), (10, 0)]},
            {"pipe_id": "P2", "from_node": "M2", "to_node": "M3", "coords": [(10, 0.03), (20, 0)]},
            {"pipe_id": "P3", "from_node": "M3", "to_node": "M4", "coords": [(20, 0.3), (30, 0)]},
            {"pipe_id": "P4", "from_node": "M4", "to_node": "M5", "coords": [(30, 5), (40, 0)]},
            {"pipe_id": "P5", "from_node": "M6", "to_node": "M5", "coords": [(40, 0.2), (50, 0)]},
            {"pipe_id": "P6", "from_node": "M6", "to_node": "NOPE", "coords": [(50, 0), (60, 1)]},
        ]
    )
    mh = points_gdf([{"node_id": f"M{i + 1}", "xy": (10.0 * i, 0.0)} for i in range(6)])
    layers = {"pipes": pipes, "manholes": mh}
    fast = build_network(layers)
    real = G._id_gaps
    monkeypatch.setattr(G, "_id_gaps", lambda *a: real(*a[:7]))  # measured again
    plain = build_network(layers)
    assert [i.to_dict() for i in fast.build_issues] == [i.to_dict() for i in plain.build_issues]
    kinds = {i.kind for i in fast.build_issues}
    assert {"near_miss", "fields_mismatch"} <= kinds


# --- the grid of side connections -----------------------------------------------------------


def test_grid_finds_nodes_when_many_pieces_share_a_cell():
    # a fan of pieces through one point: many entries with the same cell key (sort ties)
    ang = np.linspace(0, np.pi, 40, endpoint=False)
    a = np.column_stack([np.cos(ang), np.sin(ang)]) * 20
    geoms = shapely.linestrings(np.stack([a, -a], axis=1))
    nodes = np.vstack([a, -a, [[0.0, 0.01]], [[5.0, 5.0]], [[100.0, 100.0]]])
    start, end = np.arange(40), np.arange(40) + 40
    near = G._near_other_pieces(geoms, nodes, np.arange(len(nodes)), start, end, 0.05)
    pi, gi = shapely.STRtree(geoms).query(
        shapely.points(nodes), predicate="dwithin", distance=0.05
    )
    other = (start[gi] != pi) & (end[gi] != pi)
    assert near is not None
    assert set(pi[other].tolist()) <= set(np.flatnonzero(near).tolist())
    assert near[80] and not near[82]


# --- what the build measured, handed to the checks ------------------------------------------


def _mixed_lines_layers(bent: bool):
    rows = [
        {"pipe_id": "S1", "from_node": "M1", "to_node": "M2", "coords": [(0, 0), (10, 0)]},
        {"pipe_id": "S2", "coords": [(10, 0), (10, 0)]},  # zero length: two equal points
        {"pipe_id": "S3", "from_node": "M3", "to_node": "M2", "coords": [(20, 5), (10, 0)]},
    ]
    if bent:
        rows.append({"pipe_id": "B1", "coords": [(0, 0), (5, 5), (5, -5), (0, 3)]})  # crosses
    mh = points_gdf(
        [
            {"node_id": n, "xy": xy}
            for n, xy in {"M1": (0, 0), "M2": (10, 0), "M3": (20, 5)}.items()
        ]
    )
    return {"pipes": pipes_gdf(rows), "manholes": mh}


@pytest.mark.parametrize("bent", [False, True])
def test_handed_over_lengths_and_two_point_lines_equal_measuring_again(bent):
    layers = _mixed_lines_layers(bent)
    pc = G._pipe_pieces(layers["pipes"], 1.0, [])
    again = G._two_point_coords(pc["geom"])
    assert (pc["two_point"] is None) == bent == (again is None)
    if again is not None:
        assert pc["two_point"].tolist() == again.tolist()
    net = build_network(layers)
    assert "piece_geom_length_m" in net.__dict__  # handed over by the build
    assert (
        net.piece_geom_length_m.tolist() == (shapely.length(net.piece_geom) * net.unit_m).tolist()
    )


def test_handed_over_length_is_the_line_not_the_length_field_in_feet():
    pipes = pipes_gdf([{"pipe_id": "P1", "length_m": 99.0, "coords": [(0, 0), (30, 40)]}]).set_crs(
        "EPSG:2284", allow_override=True
    )
    net = build_network({"pipes": pipes})
    assert net.piece_length_m.tolist() == [99.0]
    assert (
        net.piece_geom_length_m.tolist() == (shapely.length(net.piece_geom) * net.unit_m).tolist()
    )
    assert net.piece_geom_length_m[0] == pytest.approx(50 * 0.3048006, rel=1e-6)


def test_edge_system_codes_from_one_factorisation_equal_classing_every_edge():
    from network.checks import _edge_system_code, _system_class

    systems = ["rain", "sewage", "industrial", "combined", None, "unknown", "rain", None]
    rows = [
        {"pipe_id": f"P{i}", "system": s, "coords": [(i * 10.0, 0.0), (i * 10.0 + 10, 0.0)]}
        for i, s in enumerate(systems)
    ]
    net = build_network({"pipes": pipes_gdf(rows)})
    cls = _system_class(net.edge_system)
    want = np.select([cls == "rain", cls == "foul"], [1, 2], 0)
    assert _edge_system_code(net).tolist() == want.tolist()
    codes, uniques = net.edge_system_factors
    assert codes.tolist() == pd.factorize(pd.Series(net.edge_system, dtype=object))[0].tolist()
    assert uniques.tolist() == ["rain", "sewage", "industrial", "combined", "unknown"]


def test_enterprise_at_a_rain_only_node_is_still_reported():
    from network.checks import check_attachments

    pipes = pipes_gdf(
        [
            {
                "pipe_id": "R1",
                "system": "rain",
                "from_node": "A",
                "to_node": "B",
                "coords": [(0, 0), (10, 0)],
            },
            {
                "pipe_id": "S1",
                "system": "sewage",
                "from_node": "C",
                "to_node": "D",
                "coords": [(0, 50), (10, 50)],
            },
        ]
    )
    mh = points_gdf(
        [
            {"node_id": n, "xy": xy}
            for n, xy in {"A": (0, 0), "B": (10, 0), "C": (0, 50), "D": (10, 50)}.items()
        ]
    )
    ents = points_gdf(
        [
            {"ent_id": "E1", "connect_node": "A", "xy": (0, 1)},
            {"ent_id": "E2", "connect_node": "C", "xy": (0, 51)},
        ]
    )
    net = build_network({"pipes": pipes, "manholes": mh, "enterprises": ents})
    found = [(i.kind, i.feature_ids) for i in check_attachments(net)]
    assert found == [("connects_to_rain", ("E1",))]


@pytest.mark.parametrize("swap_drawn", [False, True])
def test_end_arrays_known_ids_equal_asking_pandas(swap_drawn):
    a, b = ((10, 0), (0, 0)) if swap_drawn else ((0, 0), (10, 0))
    pipes = pipes_gdf(
        [
            {"pipe_id": "P1", "from_node": "M1", "to_node": "M2", "coords": [a, b]},
            {"pipe_id": "P2", "from_node": None, "to_node": "M2", "coords": [(20, 0), (10, 0)]},
            {"pipe_id": "P3", "from_node": "M2", "to_node": None, "coords": [(10, 0), (30, 0)]},
            {"pipe_id": "P4", "from_node": "GONE", "to_node": "M1", "coords": [(-9, 0), (0, 0)]},
            {"pipe_id": "P5", "coords": [(40, 0), (50, 0)]},
        ]
    )
    mh = points_gdf([{"node_id": "M1", "xy": (0, 0)}, {"node_id": "M2", "xy": (10, 0)}])
    pc = G._pipe_pieces(pipes, 1.0, [])
    ends = G._end_arrays(pc, G._manholes(mh, []), 0.05, 1.0, [])
    assert ends["id_known"].tolist() == (~pd.isna(ends["id"])).tolist()
    assert ends["has_f"].tolist() == (~pd.isna(pc["from_node"])).tolist()
    assert ends["has_t"].tolist() == (~pd.isna(pc["to_node"])).tolist()
    assert ends["id_known"].tolist()[:2] == [True, True]


def test_a_loose_end_near_an_end_at_a_manhole_joins_that_manhole():
    # P1 names M1 and ends 0.04 from it (within 0.05); LAT has no ids and ends 0.08 from M1
    # (too far) but 0.04 from P1's end: it joins M1 through it
    pipes = pipes_gdf(
        [
            {"pipe_id": "P1", "from_node": "M1", "to_node": "M2", "coords": [(0.04, 0), (50, 0)]},
            {"pipe_id": "LAT", "coords": [(0.08, 30), (0.08, 0)]},
        ]
    )
    mh = points_gdf([{"node_id": "M1", "xy": (0, 0)}, {"node_id": "M2", "xy": (50, 0)}])
    net = build_network({"pipes": pipes, "manholes": mh})
    lat = net.pipe_edges["LAT"][0]
    assert net.node_ids[net.edge_v[lat]] == "M1"
    assert net.node_ids[net.piece_start_node[0]] == "M1"


@pytest.mark.parametrize("layers", [lambda: random_network(2), _multipart_layers, park_layers])
def test_edges_come_in_piece_and_part_order_with_or_without_splits(layers):
    net = build_network(layers())
    order = np.lexsort((net.edge_part, net.edge_piece))
    assert order.tolist() == list(range(net.n_edges))  # what the plain sort would give
    assert (np.bincount(net.edge_piece, minlength=len(net.piece_row)) >= 1).all()


def _plain_positions_in(ids, *queries):
    """The look-up with Arrow's default options, else pandas (the way before the shortcut)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        value_set = pa.array(ids, type=pa.string())
        allq = pa.array(np.concatenate(queries), pa.string())
        pos = pc.index_in(allq, value_set=value_set).fill_null(-1).to_numpy(zero_copy_only=False)
        return np.split(np.asarray(pos, dtype=np.int64), np.cumsum([len(q) for q in queries[:-1]]))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        index = pd.Index(ids, dtype=object)
        return [
            np.where(pd.isna(q), -1, index.get_indexer(pd.Series(q, dtype=object).fillna("")))
            for q in queries
        ]


@pytest.mark.parametrize(
    "ids",
    [
        ["M1", "M2", "井3", "M4"],
        ["M1", None, "M3"],  # a missing id: Arrow's default matches a missing query to it
        [1, "M2", 3.5],  # not all text: pandas' way
    ],
)
@pytest.mark.parametrize("with_nan", [False, True])
def test_positions_in_equal_the_plain_lookup(ids, with_nan):
    ids = np.array(ids, dtype=object)
    f = np.array(["M1", None, "M4", "NOPE", "井3", "x", "M3", ""], dtype=object)
    if with_nan:
        f[5] = NAN
    t = np.array(["M2", "M2", None, "M1", "M3", "x", "M1", "M4"], dtype=object)
    got = [p.tolist() for p in G._positions_in(ids, f, t)]
    assert got == [p.tolist() for p in _plain_positions_in(ids, f, t)]
    if all(isinstance(v, str) for v in ids.tolist()):
        look = {v: i for i, v in enumerate(ids.tolist())}
        assert got == [[look.get(v, -1) for v in q.tolist()] for q in (f, t)]
