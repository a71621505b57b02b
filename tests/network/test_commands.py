"""Edit commands: every do() is undone exactly; the edits mean what they say."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point

from network import schema as S
from network.commands import (
    EDIT_NOTE,
    AddManhole,
    AddPipe,
    DeleteFeatures,
    DictStore,
    EditError,
    Macro,
    MoveVertex,
    ReversePipe,
    SetAttributes,
    SnapEnd,
    SnapIndex,
    SplitPipeAtManhole,
    fields_reversed,
    next_feature_id,
)
from network.errors import UnknownIdError
from network.graph import build_network
from network.state import build_checked_network

CRS = "EPSG:4525"
FIELD_MAP = {
    "pipe_id": "编号",
    "from_node": "起点编号",
    "to_node": "终点编号",
    "system": "类型",
    "diameter_mm": "管径",
    "from_invert_m": "起点管底高",
    "to_invert_m": "终点管底高",
}


def _layers() -> dict[str, gpd.GeoDataFrame]:
    """Three manholes in a row, two pipes (P2 digitised against its from/to fields), one pipe
    running through M3 to M4, typed like a real project (int32, str, object ids)."""
    mh = gpd.GeoDataFrame(
        {
            "编号": pd.Series(["WJ-0001", "WJ-0002", "WJ-0003", "WJ-0004"], dtype="str"),
            "src_fid": np.arange(4, dtype=np.int64),
            "node_id": pd.Series(["WJ-0001", "WJ-0002", "WJ-0003", "WJ-0004"], dtype=object),
            "system": pd.Series(["sewage"] * 4, dtype="str"),
            "ground_m": [12.0, 11.5, 11.0, 10.5],
        },
        geometry=[Point(0, 0), Point(100, 0), Point(200, 0), Point(200, 80)],
        crs=CRS,
    )
    pipes = gpd.GeoDataFrame(
        {
            "编号": pd.Series(["WS-0001", "WS-0002", "WS-0003"], dtype="str"),
            "起点编号": pd.Series(["WJ-0001", "WJ-0002", "WJ-0002"], dtype="str"),
            "终点编号": pd.Series(["WJ-0002", "WJ-0003", "WJ-0004"], dtype="str"),
            "管径": pd.array([300, 400, 400], dtype="int32"),
            "类型": pd.Series(["污水"] * 3, dtype="str"),
            "src_fid": np.arange(3, dtype=np.int64),
            "pipe_id": pd.Series(["WS-0001", "WS-0002", "WS-0003"], dtype=object),
            "from_node": pd.Series(["WJ-0001", "WJ-0002", "WJ-0002"], dtype="str"),
            "to_node": pd.Series(["WJ-0002", "WJ-0003", "WJ-0004"], dtype="str"),
            "system": pd.Series(["sewage"] * 3, dtype="str"),
            "diameter_mm": [300.0, 400.0, 400.0],
            "from_invert_m": [10.0, 9.5, 9.5],
            "to_invert_m": [9.5, 9.0, 8.0],
            "length_m": [100.0, 100.0, 180.0],
        },
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(200, 0), (150, 0), (100, 0)]),  # drawn from WJ-0003 to WJ-0002
            LineString([(100, 0), (200, 0), (200, 80)]),  # runs through WJ-0003
        ],
        crs=CRS,
    )
    return {"pipes": pipes, "manholes": mh}


@pytest.fixture
def store() -> DictStore:
    return DictStore(_layers())


def _roundtrip(store: DictStore, cmd) -> dict[str, gpd.GeoDataFrame]:
    """do, undo (exactly the start), redo (exactly the first result); return the result."""
    before = dict(store.layers)
    cmd.do()
    after = dict(store.layers)
    cmd.undo()
    for kind, gdf in before.items():
        assert_geodataframe_equal(store.layers[kind], gdf)
    assert set(store.layers) == set(before)
    cmd.do()
    for kind, gdf in after.items():
        assert_geodataframe_equal(store.layers[kind], gdf)
    return after


def test_add_pipe_fills_canonical_columns_and_undoes_exactly(store):
    cmd = AddPipe(
        store,
        [(0, 0), (0, 50)],
        system="sewage",
        diameter_mm=300,
        from_node="WJ-0001",
        to_node=None,
        field_map=FIELD_MAP,
    )
    after = _roundtrip(store, cmd)
    new = after["pipes"].iloc[-1]
    assert cmd.pipe_id == "WS-0004"
    assert (new["pipe_id"], new["from_node"], new["system"]) == ("WS-0004", "WJ-0001", "sewage")
    assert new["length_m"] == pytest.approx(50.0)
    assert new["diameter_mm"] == 300.0
    assert (new["编号"], new["类型"], new["管径"]) == ("WS-0004", "污水", 300)
    assert after["pipes"]["管径"].dtype == np.int32  # original types kept
    assert pd.isna(new["to_node"])
    assert isinstance(after["pipes"].index, pd.RangeIndex)


def test_add_pipe_ids_follow_the_system_series(store):
    cmd = AddPipe(store, [(0, 0), (0, 50)], system="rain")
    cmd.do()
    assert cmd.pipe_id == "YS-0001"


def test_add_pipe_rejects_a_single_point(store):
    with pytest.raises(EditError, match="two different points"):
        AddPipe(store, [(0, 0), (0, 0)]).do()
    assert len(store.layers["pipes"]) == 3


def test_add_pipe_makes_a_new_edge_in_the_network(store):
    AddPipe(store, [(100, 0), (200, 80)], from_node="WJ-0002", to_node="WJ-0004").do()
    g = build_network(store.layers).graph
    assert any(d["pipe_id"] == "WS-0004" for _, _, d in g.edges("WJ-0002", data=True))


def test_add_manhole_generates_id_and_undoes(store):
    cmd = AddManhole(store, 50.0, 50.0, system="sewage")
    after = _roundtrip(store, cmd)
    assert cmd.node_id == "WJ-0005"
    assert after["manholes"].geometry.iloc[-1].equals(Point(50, 50))


def test_add_manhole_refuses_a_used_id(store):
    with pytest.raises(EditError, match="already used"):
        AddManhole(store, 1.0, 1.0, node_id="WJ-0001").do()


def test_move_pipe_vertex_updates_length(store):
    after = _roundtrip(store, MoveVertex(store, S.PIPES, "WS-0001", 1, 100.0, 30.0))
    assert list(after["pipes"].geometry.iloc[0].coords) == [(0, 0), (100, 30)]
    assert after["pipes"]["length_m"].iloc[0] == pytest.approx(np.hypot(100, 30), abs=1e-3)


def test_move_manhole_drags_the_pipe_ends(store):
    after = _roundtrip(store, MoveVertex(store, S.MANHOLES, "WJ-0002", 0, 100.0, 10.0))
    g = after["pipes"].geometry
    assert g.iloc[0].coords[-1] == (100, 10)
    assert g.iloc[1].coords[-1] == (100, 10)
    assert g.iloc[2].coords[0] == (100, 10)
    assert after["manholes"].geometry.iloc[1].equals(Point(100, 10))


def test_move_vertex_out_of_range_raises(store):
    with pytest.raises(EditError, match="no vertex 5"):
        MoveVertex(store, S.PIPES, "WS-0001", 5, 0, 0).do()


def test_delete_by_id_and_undo(store):
    after = _roundtrip(store, DeleteFeatures(store, S.PIPES, ["WS-0002"]))
    assert after["pipes"]["pipe_id"].tolist() == ["WS-0001", "WS-0003"]


def test_delete_one_of_two_rows_sharing_an_id(store):
    pipes = store.layers["pipes"]
    store.layers["pipes"] = pd.concat([pipes, pipes.iloc[[0]]], ignore_index=True)
    after = _roundtrip(store, DeleteFeatures(store, S.PIPES, ["WS-0001"], rows=[3]))
    assert after["pipes"]["pipe_id"].tolist() == ["WS-0001", "WS-0002", "WS-0003"]


def test_delete_unknown_id_raises(store):
    with pytest.raises(UnknownIdError):
        DeleteFeatures(store, S.PIPES, ["nope"]).do()


def test_delete_first_row_of_a_non_range_index_undoes(store):
    store.layers["pipes"] = store.layers["pipes"].set_index(pd.Index([10, 20, 30]))
    _roundtrip(store, DeleteFeatures(store, S.PIPES, ["WS-0001"]))


def test_reverse_pipe_swaps_line_nodes_and_inverts(store):
    after = _roundtrip(store, ReversePipe(store, "WS-0001", field_map=FIELD_MAP))
    r = after["pipes"].iloc[0]
    assert list(r.geometry.coords) == [(100, 0), (0, 0)]
    assert (r["from_node"], r["to_node"]) == ("WJ-0002", "WJ-0001")
    assert (r["起点编号"], r["终点编号"]) == ("WJ-0002", "WJ-0001")
    assert (r["from_invert_m"], r["to_invert_m"]) == (9.5, 10.0)
    assert "reversed" in r[EDIT_NOTE]
    net = build_network(after)
    assert net.graph.has_edge("WJ-0002", "WJ-0001")


def test_snap_end_closes_a_near_miss(store):
    pipes = store.layers["pipes"]
    g = pipes.geometry.copy()
    g.iloc[0] = LineString([(0, 0), (99.945, 0)])  # 5.5 cm short of WJ-0002
    store.layers["pipes"] = pipes.set_geometry(g)
    # the to_node id joins it (ids over geometry, issue 10); the gap is a near-miss finding
    before = build_network(store.layers)
    assert before.graph.has_edge("WJ-0001", "WJ-0002")
    gap = [i for i in before.build_issues if i.kind == "near_miss"]
    assert [(i.feature_ids, i.data["target"], i.data["joined_by"]) for i in gap] == [
        (("WS-0001",), "WJ-0002", "ids")
    ]
    cmd = SnapEnd(store, "WS-0001", 100.0, 0.0, node_id="WJ-0002", near=(99.945, 0.0))
    after = _roundtrip(store, cmd)
    assert cmd.end == "end"
    assert after["pipes"].geometry.iloc[0].coords[-1] == (100, 0)
    assert after["pipes"]["to_node"].iloc[0] == "WJ-0002"
    assert build_network(after).graph.has_edge("WJ-0001", "WJ-0002")
    assert not [i for i in build_network(after).build_issues if i.kind == "near_miss"]


def test_fields_reversed_reads_the_manhole_positions(store):
    pipes, mh = store.layers["pipes"], store.layers["manholes"]
    assert not fields_reversed(pipes, 0, mh)
    assert fields_reversed(pipes, 1, mh)


def test_snap_end_sets_the_field_of_a_reversed_pipe(store):
    # WS-0002 is drawn from WJ-0003 to WJ-0002: its digitised start is its to_node end
    cmd = SnapEnd(store, "WS-0002", 200.0, 0.0, node_id="WJ-0004", end="start")
    after = _roundtrip(store, cmd)
    assert after["pipes"]["to_node"].iloc[1] == "WJ-0004"
    assert after["pipes"]["from_node"].iloc[1] == "WJ-0002"


def test_split_pipe_at_manhole(store):
    cmd = SplitPipeAtManhole(store, "WS-0003", "WJ-0003", field_map=FIELD_MAP)
    after = _roundtrip(store, cmd)
    p = after["pipes"]
    assert cmd.new_id == "WS-0004"
    a, b = p.iloc[2], p.iloc[3]
    assert (a["pipe_id"], a["from_node"], a["to_node"]) == ("WS-0003", "WJ-0002", "WJ-0003")
    assert (b["pipe_id"], b["from_node"], b["to_node"]) == ("WS-0004", "WJ-0003", "WJ-0004")
    assert (a["终点编号"], b["起点编号"], b["编号"]) == ("WJ-0003", "WJ-0003", "WS-0004")
    assert list(a.geometry.coords) == [(100, 0), (200, 0)]
    assert list(b.geometry.coords) == [(200, 0), (200, 80)]
    # invert interpolated by length: 9.5 -> 8.0 over 180 m, the manhole at 100 m
    assert a["to_invert_m"] == pytest.approx(9.5 - 1.5 * 100 / 180, abs=1e-3)
    assert b["from_invert_m"] == a["to_invert_m"]
    assert (a["length_m"], b["length_m"]) == (pytest.approx(100.0), pytest.approx(80.0))
    assert b["diameter_mm"] == 400.0 and b["管径"] == 400
    g = build_network(after).graph
    assert g.has_edge("WJ-0003", "WJ-0004")


def test_split_refuses_a_far_manhole_and_an_end(store):
    with pytest.raises(EditError, match="must lie on the pipe"):
        SplitPipeAtManhole(store, "WS-0001", "WJ-0004").do()
    with pytest.raises(EditError, match="at an end"):
        SplitPipeAtManhole(store, "WS-0001", "WJ-0002").do()


def test_set_attributes_keeps_types_and_undoes(store):
    after = _roundtrip(
        store,
        SetAttributes(store, S.PIPES, "WS-0002", {"diameter_mm": 500, "管径": 500, "备注": "新"}),
    )
    r = after["pipes"].iloc[1]
    assert (r["diameter_mm"], r["管径"], r["备注"]) == (500.0, 500, "新")
    assert after["pipes"]["管径"].dtype == np.int32


def test_set_attributes_widens_a_column_for_a_missing_value(store):
    after = _roundtrip(store, SetAttributes(store, S.PIPES, "WS-0002", {"管径": None}))
    assert pd.isna(after["pipes"]["管径"].iloc[1])


def test_macro_is_one_step_and_rolls_back_on_failure(store):
    mh = AddManhole(store, 0.0, 50.0)
    macro = Macro(
        "Draw", [mh, AddPipe(store, [(0, 0), (0, 50)], from_node="WJ-0001", to_node="WJ-0005")]
    )
    after = _roundtrip(store, macro)
    assert after["pipes"]["to_node"].iloc[-1] == "WJ-0005"
    before = dict(store.layers)
    bad = Macro("Bad", [AddManhole(store, 1.0, 1.0), DeleteFeatures(store, S.PIPES, ["x"])])
    with pytest.raises(UnknownIdError):
        bad.do()
    for kind, gdf in before.items():
        assert_geodataframe_equal(store.layers[kind], gdf)


def test_commands_work_on_an_absent_layer():
    pipes = _layers()["pipes"]
    store = DictStore({"pipes": pipes})
    cmd = AddManhole(store, 5.0, 5.0, system="rain")
    cmd.do()
    assert store.layers["manholes"]["node_id"].tolist() == ["YJ-0001"]
    assert store.layers["manholes"].crs == pipes.crs
    cmd.undo()
    assert len(store.layers["manholes"]) == 0  # an empty layer stays (a store cannot unset)


def test_snap_index_prefers_manholes_then_pipe_ends(store):
    idx = SnapIndex(store.layers["pipes"], store.layers["manholes"])
    t = idx.snap(99.0, 1.0, 3.0)
    assert (t.kind, t.node_id, t.x, t.y) == ("manhole", "WJ-0002", 100.0, 0.0)
    pipes = store.layers["pipes"]
    g = pipes.geometry.copy()
    g.iloc[0] = LineString([(0, 0), (50, 50)])
    idx = SnapIndex(pipes.set_geometry(g), store.layers["manholes"])
    t = idx.snap(51.0, 49.0, 3.0)
    assert (t.kind, t.feature_id, t.end, t.node_id) == ("pipe_end", "WS-0001", "end", "WJ-0002")
    assert idx.snap(30.0, 30.0, 3.0) is None


def test_next_feature_id_keeps_pattern_and_avoids_used():
    assert next_feature_id(["P7", "P8"], ["P7", "P8"]) == "P9"
    assert next_feature_id(["WS-0001", "WS-0002"], [], "WS-") == "WS-0003"


def test_demo_near_miss_snap_and_duplicate_delete(demo_project):
    from network.checks import run_checks
    from network.io.project import open_project

    proj = open_project(demo_project)
    store = DictStore(proj.layers)
    mh = proj.layers["manholes"]
    xy = mh.loc[mh["node_id"] == "WJ-0530"].geometry.iloc[0]
    SnapEnd(store, "WS-0532", xy.x, xy.y, node_id="WJ-0530", near=None, end="end").do()
    DeleteFeatures(store, S.PIPES, ["WS-0280"]).do()
    DeleteFeatures(store, S.PIPES, ["YS-0564"]).do()
    issues = run_checks(build_network(store.layers, proj.settings, proj.crs))
    kinds = {(i.kind, fid) for i in issues for fid in i.feature_ids}
    assert ("near_miss", "WS-0532") not in kinds
    assert ("duplicate_pipe", "WS-0280") not in kinds
    assert ("zero_length", "YS-0564") not in kinds


def test_undoing_an_attribute_edit_gives_missing_text_back_as_none():
    # a project's text columns hold str or None; an edit and its undo leave them so
    pipes = gpd.GeoDataFrame(
        {"pipe_id": ["P1", "P2"], "from_node": pd.Series([None, None], dtype=object)},
        geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])],
        crs="EPSG:4547",
    )
    store = DictStore({"pipes": pipes.copy()})
    cmd = SetAttributes(store, "pipes", "P1", {"from_node": "M1"})
    cmd.do()
    assert store.layers["pipes"]["from_node"].dtype == object
    assert store.layers["pipes"]["from_node"].tolist() == ["M1", None]
    cmd.undo()
    assert_geodataframe_equal(store.layers["pipes"], pipes)
    assert store.layers["pipes"]["from_node"].tolist() == [None, None]


def test_a_pipe_drawn_on_a_layer_made_in_code_adds_no_source_columns():
    # a layer without pipe ids or source rows (made in code, not imported): a drawn pipe
    # gets an id, the existing rows no NaN source row, and the network still builds
    pipes = gpd.GeoDataFrame(
        {"system": ["sewage", "sewage"]},
        geometry=[LineString([(0, 0), (10, 0)]), LineString()],
        crs="EPSG:4547",
    )
    store = DictStore({"pipes": pipes})
    AddPipe(store, [(10, 0), (20, 0)], system="sewage").do()
    drawn = store.layers["pipes"]
    assert S.SRC_FID not in drawn.columns
    assert drawn[S.PIPE_ID].iloc[-1].startswith("WS-")
    net = build_checked_network(store.layers).network
    assert drawn[S.PIPE_ID].iloc[-1] in net.piece_pipe_id.tolist()
