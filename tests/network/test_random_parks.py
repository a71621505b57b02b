"""Random parks: every mix of ids, gaps, systems, multi-parts and laterals builds, checks and
registers; confirmed contacts are joined; the stored network equals the one rebuilt.

Each park is a jittered grid of manholes joined by pipes, some with from/to ids (a few
wrong), some multi-part or bent, twins, laterals ending on the side of a pipe (some of the
other system), a degenerate and an empty line, duplicate manholes, plants, outfalls and
enterprises. A review's fuzzing found two crashes this way (a side contact of the other
system among several; a register with no sink on a branching network).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString
from test_stored_topology import assert_same_checked

from network.io import topology
from network.io.project import Project, save_project
from network.state import build_checked_network

CRS = "EPSG:4547"


def _pipe_rows(rng, xy, mids):
    """Pipes along the grid of *xy* (with their canonical columns) and their geometries."""
    g = int(np.sqrt(len(xy)))
    cols = {k: [] for k in ("pipe_id", "from_node", "to_node", "system", "flow_dir")}
    cols |= {k: [] for k in ("from_invert_m", "to_invert_m", "status", "diameter_mm")}
    geoms = []
    ids_on = rng.random() < 0.7

    def add(geom, a, b):
        k, r = len(geoms), rng.random()
        cols["pipe_id"].append(None if r < 0.1 else f"P{k}" if r > 0.15 else f"P{max(k - 1, 0)}")
        use = ids_on and rng.random() < 0.8
        f = (mids[a] if rng.random() < 0.9 else "ZZ") if use and a is not None else None
        t = (mids[b] if rng.random() < 0.9 else None) if use and b is not None else None
        cols["from_node"].append(f)
        cols["to_node"].append(t)
        system = rng.choice(["sewage", "rain", "combined", None], p=[0.5, 0.25, 0.1, 0.15])
        cols["system"].append(system)
        cols["flow_dir"].append(rng.choice(["forward", "reverse", None], p=[0.1, 0.1, 0.8]))
        fi = float(rng.uniform(5, 10)) if rng.random() < 0.6 else np.nan
        cols["from_invert_m"].append(fi)
        cols["to_invert_m"].append(fi - rng.uniform(-0.5, 1.5) if rng.random() < 0.6 else np.nan)
        status = rng.choice(["open", "closed", "blocked", None], p=[0.6, 0.05, 0.05, 0.3])
        cols["status"].append(status)
        cols["diameter_mm"].append(float(rng.choice([300, 400, np.nan])))
        geoms.append(geom)

    for i in range(len(xy)):
        for j in (i + 1, i + g):
            if j >= len(xy) or (j == i + 1 and not (i + 1) % g) or rng.random() >= 0.65:
                continue
            a, b = (i, j) if rng.random() < 0.6 else (j, i)
            r = rng.random()
            if r < 0.12:  # two parts, touching or not
                m = (xy[a] + xy[b]) / 2
                gap = np.zeros(2) if rng.random() < 0.3 else rng.normal(0, 0.3, 2)
                add(MultiLineString([[xy[a], m], [m + gap, xy[b]]]), a, b)
            elif r < 0.2:  # bent
                add(LineString([xy[a], (xy[a] + xy[b]) / 2 + rng.normal(0, 2, 2), xy[b]]), a, b)
            else:
                add(LineString([xy[a], xy[b]]), a, b)
            if rng.random() < 0.05:  # a twin
                add(LineString([xy[a], xy[b]]), a, b)
    for _ in range(int(rng.integers(0, 6))):  # laterals ending on a pipe's side
        foot = xy[int(rng.integers(0, len(xy)))] + np.array([10.0, 0.0]) + rng.normal(0, 0.05, 2)
        add(LineString([foot + np.array([0.0, 7.0]), foot]), None, None)
    if rng.random() < 0.3:
        add(LineString([xy[0], xy[0]]), 0, 0)
    if rng.random() < 0.2:
        add(LineString(), None, None)
    return cols, geoms


def random_park(seed: int) -> tuple[dict[str, gpd.GeoDataFrame], dict]:
    rng = np.random.default_rng(seed)
    g = int(rng.integers(3, 9))
    n = g * g
    xy = np.column_stack([np.arange(n) % g * 20.0, np.arange(n) // g * 20.0])
    xy += rng.normal(0, 0.02, xy.shape) * (rng.random() < 0.5)
    mids = [f"M{i}" for i in range(n)]
    cols, geoms = _pipe_rows(rng, xy, mids)
    pipes = gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS)
    for dropped in (["pipe_id"], ["from_node", "to_node"]):
        if rng.random() < 0.2:
            pipes = pipes.drop(columns=dropped)
    layers = {"pipes": pipes}
    if seed % 3:
        keep = rng.random(n) < 0.85
        mh = gpd.GeoDataFrame(
            {
                "node_id": np.array(mids, dtype=object)[keep],
                "system": rng.choice(np.array(["sewage", "rain", None], dtype=object), n)[keep],
            },
            geometry=shapely.points(xy[keep]),
            crs=CRS,
        )
        if rng.random() < 0.2:  # two manholes given twice
            mh = gpd.GeoDataFrame(pd.concat([mh, mh.iloc[:2]], ignore_index=True), crs=CRS)
        layers["manholes"] = mh
    at = rng.choice(n, 5, replace=False)
    if seed % 5:  # else no plant and no outfall: every enterprise drains nowhere
        layers["plants"] = gpd.GeoDataFrame(
            {"plant_id": ["W1", "W2"], "node_id": [mids[k] for k in at[:2]]},
            geometry=shapely.points(xy[at[:2]]),
            crs=CRS,
        )
        layers["outfalls"] = gpd.GeoDataFrame(
            {"outfall_id": ["O1", "O2", "O3"], "node_id": [mids[k] for k in at[2:]]},
            geometry=shapely.points(xy[at[2:]]),
            crs=CRS,
        )
    ent = rng.choice(n, 15)
    layers["enterprises"] = gpd.GeoDataFrame(
        {
            "ent_id": [f"E{k}" for k in range(len(ent))],
            "connect_node": [mids[i] if rng.random() < 0.5 else None for i in ent],
            "flow_tpd": rng.uniform(1, 10, len(ent)),
        },
        geometry=shapely.points(xy[ent] + rng.uniform(-3, 3, (len(ent), 2))),
        crs=CRS,
    )
    settings = {
        "snap_tolerance_m": float(rng.choice([0.05, 0.5, 2.0])),
        "attach_distance_m": 15.0,
        "contact_max_drop_m": float(rng.choice([0.2, 3.0])),
    }
    return layers, settings


@pytest.mark.parametrize("seed", range(60))
def test_a_random_park_builds_and_confirmed_contacts_are_joined(seed):
    layers, settings = random_park(seed)
    checked = build_checked_network(layers, settings, CRS)
    net = checked.network
    assert [r.ent_id for r in checked.register.rows] == net.ent_ids.tolist()
    assert all(c.pipe in set(net.piece_pipe_id.tolist()) for c in net.contacts)
    # the same park built twice is stored alike, byte for byte
    again = build_checked_network(layers, settings, CRS)
    assert topology.encode(again) == topology.encode(checked)
    # every contact the build refused, confirmed by the user, is joined the next time
    refused = {c.key for c in net.contacts}
    confirmed = build_checked_network(
        layers, {**settings, "confirmed_contacts": sorted(refused)}, CRS
    )
    assert not refused & {c.key for c in confirmed.network.contacts}


@pytest.mark.parametrize("seed", [1, 2, 4, 5, 7, 10])
def test_a_random_park_stored_in_its_project_equals_the_one_rebuilt(seed, tmp_path):
    layers, settings = random_park(seed)
    path = tmp_path / "park.gpkg"
    project = Project(path=path, crs=layers["pipes"].crs, layers=layers, settings=settings)
    save_project(project)
    stored = topology.load_checked_network(path)
    assert stored is not None
    assert_same_checked(stored, build_checked_network(project.layers, project.settings, CRS))
