"""Norfolk Brambleton storm network (SWMM conduits, EPSG:2284 in US feet)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from network.checks import run_checks
from network.graph import DIR_FROMTO, build_network
from network.trace import trace_upstream

FT = 0.3048006096


@pytest.fixture(scope="module")
def norfolk(request):
    shared_data = Path(__file__).resolve().parents[3] / "shared" / "data"
    shp = shared_data / "norfolk_brambleton" / "brambleton_conduits_gis.shp"
    if not shp.exists():
        pytest.skip("../shared/data/norfolk_brambleton is not present")
    df = pyogrio.read_dataframe(shp)
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": df["Name"].astype(str),
            "from_node": df["InletNode"],
            "to_node": df["OutletNode"],
            "from_invert_m": df["InletNodeI"] * FT,
            "to_invert_m": df["OutletNo_1"] * FT,
            "diameter_mm": df["Geom1"] * FT * 1000,
            "system": "rain",
        },
        geometry=df.geometry,
        crs=df.crs,
    )
    # the outfall node of brambleton.inp ([OUTFALLS] F15531), at the end of its conduit
    last = df.geometry[df["OutletNode"] == "F15531"].iloc[0]
    outfalls = gpd.GeoDataFrame(
        {"outfall_id": ["F15531"], "node_id": ["F15531"], "outfall_class": ["rain"]},
        geometry=[shapely.get_point(last, -1)],
        crs=df.crs,
    )
    return df, build_network({"pipes": pipes, "outfalls": outfalls})


def test_norfolk_crs_is_feet_and_nodes_join(norfolk):
    df, net = norfolk
    assert net.unit_m == pytest.approx(FT)
    # 374 conduits between 375 SWMM nodes: every end joined its node at the default 5 cm
    assert net.n_edges == len(df) == 374
    assert net.n_nodes == 375
    assert set(net.node_ids) == set(df["InletNode"]) | set(df["OutletNode"])
    assert set(net.piece_dir_source) == {DIR_FROMTO}


def test_norfolk_trace_up_from_outfall_reaches_every_conduit(norfolk):
    df, net = norfolk
    res = trace_upstream(net, "F15531")
    assert set(res.pipes) == set(df["Name"].astype(str))
    assert len(res.nodes) == 375
    assert res.length_m == pytest.approx(df.geometry.length.sum() * FT)


def test_norfolk_uphill_conduits_reported_not_reversed(norfolk):
    df, net = norfolk
    uphill = set(df.loc[df["InletNodeI"] < df["OutletNo_1"], "Name"].astype(str))
    assert len(uphill) == 47
    issues = run_checks(net)
    slope = [i for i in issues if i.kind == "against_slope"]
    assert {i.feature_ids[0] for i in slope} == uphill
    assert all(i.category == "direction" for i in slope)
    # kept in their from/to direction
    g = net.graph
    for _, row in df[df["Name"].astype(str).isin(uphill)].iterrows():
        assert g.has_edge(row["InletNode"], row["OutletNode"], str(row["Name"]))
    # nothing wrong with the topology
    assert not [i for i in issues if i.category in ("connectivity", "geometry")]
