"""Packed layers (``network.packed``): points and lines held as coordinates give what their
shapely objects give, in every function the engine asks, in the file written and in the
network built; and ``new`` (which packs) makes the very same project as before."""

from __future__ import annotations

import pickle
import sys

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from test_new_forked_write import INPUTS, _digest
from test_random_parks import CRS, random_park

from network import packed
from network.io import forked, topology
from network.io import project as projmod
from network.io.arrow_write import prepare_layer
from network.io.project import Project, create_project, save_project
from network.state import build_checked_network


def _lines(rng: np.random.Generator, n: int, *, two_point: bool = False) -> np.ndarray:
    if two_point:
        return shapely.linestrings(rng.uniform(0, 5e5, (n, 2, 2)))
    return np.array(
        [shapely.LineString(rng.uniform(0, 5e5, (k, 2))) for k in rng.integers(2, 7, n)],
        dtype=object,
    )


@pytest.mark.parametrize("what", ["lines", "two-point lines", "points"])
def test_packed_geometry_answers_as_its_shapely_objects(what):
    rng = np.random.default_rng(5)
    if what == "points":
        geoms = shapely.points(rng.uniform(0, 5e5, (400, 2)))
    else:
        geoms = _lines(rng, 400, two_point=what == "two-point lines")
    p = packed.pack_geometry(geoms, CRS)
    assert p is not None and len(p) == 400 and not p.is_made
    assert (packed.type_ids(p) == shapely.get_type_id(geoms)).all()
    assert (packed.num_coordinates(p) == shapely.get_num_coordinates(geoms)).all()
    assert (packed.coordinates(p) == shapely.get_coordinates(geoms)).all()
    assert (packed.bounds(p) == shapely.bounds(geoms)).all()
    assert (packed.lengths(p) == shapely.length(geoms)).all()
    assert not packed.missing_or_empty(p).any()
    # the file gets the WKB shapely writes, byte for byte
    assert packed.wkb_array(p).to_pylist() == list(shapely.to_wkb(geoms))
    # subsets stay packed; an element is its shapely object
    pick = rng.integers(0, 400, 50)
    for sub, want in [
        (p[pick], geoms[pick]),
        (p[10:30:3], geoms[10:30:3]),
        (p[np.arange(400) % 7 == 0], geoms[::7]),
        (p.take(pick), geoms[pick]),
    ]:
        assert packed.packed(sub) is sub
        assert (packed.bounds(sub) == shapely.bounds(want)).all()
        assert shapely.equals_exact(np.asarray(sub, dtype=object), want, 0).all()
    assert p[-1].equals_exact(geoms[-1], 0) and p[3].equals_exact(geoms[3], 0)
    with pytest.raises(IndexError):
        p[400]
    assert not p.is_made, "no question above made the whole array"
    # made when asked for whole: the same objects' worth
    assert shapely.equals_exact(np.asarray(p), geoms, 0).all() and p.is_made
    assert packed.packed(p) is None, "once made, the shapely objects hold"


def test_an_edit_of_a_packed_layer_lands_in_its_geometry():
    rng = np.random.default_rng(1)
    geoms = _lines(rng, 20)
    gdf = gpd.GeoDataFrame({"pipe_id": [f"P{i}" for i in range(20)]}, geometry=geoms, crs=CRS)
    lay = packed.pack_layer(gdf)
    assert packed.packed(lay.geometry) is not None
    moved = shapely.LineString([(0, 0), (1, 1)])
    lay.loc[3, "geometry"] = moved
    assert lay.geometry.iloc[3].equals(moved)
    assert packed.packed(lay.geometry) is None  # the coordinates no longer say it
    assert (packed.bounds(lay.geometry)[3] == [0, 0, 1, 1]).all()
    assert gdf.geometry.iloc[3].equals(geoms[3]), "the frame packed from is untouched"


@pytest.mark.parametrize(
    "geoms",
    [
        [shapely.Point(0, 0), None],
        [shapely.Point(0, 0), shapely.Point()],
        [shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])],
        [shapely.Point(0, 0, 1)],
        [shapely.Point(np.nan, 0)],
        [shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])],
        [shapely.Polygon([(0, 0), (1, 0), (1, 1)])],
    ],
    ids=["missing", "empty", "mixed", "3-D", "NaN", "multi-line", "polygon"],
)
def test_only_plain_points_and_lines_are_packed(geoms):
    gdf = gpd.GeoDataFrame({"a": range(len(geoms))}, geometry=geoms, crs=CRS)
    assert packed.pack_geometry(gdf.geometry.array) is None
    assert packed.pack_layer(gdf) is gdf


def test_a_packed_layer_pickles_as_its_geometries():
    rng = np.random.default_rng(4)
    gdf = gpd.GeoDataFrame({"a": range(30)}, geometry=_lines(rng, 30), crs=CRS)
    back = pickle.loads(pickle.dumps(packed.pack_layer(gdf)))
    assert back.crs == gdf.crs
    assert shapely.equals_exact(back.geometry.array, gdf.geometry.array, 0).all()
    assert back.total_bounds.tolist() == gdf.total_bounds.tolist()


def test_a_packed_layer_keeps_its_packing_through_frame_operations():
    rng = np.random.default_rng(2)
    gdf = gpd.GeoDataFrame({"a": range(50)}, geometry=_lines(rng, 50), crs=CRS)
    lay = packed.pack_layer(gdf)
    for out in (
        lay.copy(deep=False),
        lay[["a", "geometry"]],
        lay.rename(columns={"a": "b"}),
        lay[lay["a"] > 10],
        lay.iloc[5:9],
        lay.assign(c=1),
    ):
        assert packed.packed(out.geometry) is not None
    assert (packed.total_bounds(lay) == gdf.total_bounds).all()
    assert packed.packed(lay.geometry) is not None, "its bounds did not make the objects"
    prepared = prepare_layer(lay)
    assert prepared is not None and prepared.geometry_type == "LineString"
    assert prepared.table.equals(prepare_layer(gdf).table)


@pytest.mark.parametrize("seed", range(12))
def test_a_network_built_from_packed_layers_is_the_same(seed):
    layers, settings = random_park(seed)
    pipes = layers["pipes"]
    plain = (shapely.get_type_id(pipes.geometry.array) == 1) & ~pipes.geometry.is_empty
    layers["pipes"] = pipes[plain.to_numpy()].reset_index(drop=True)  # multi-lines never pack
    fresh = build_checked_network(layers, settings, CRS)
    packed_layers = {k: packed.pack_layer(v) for k, v in layers.items()}
    assert packed.packed(packed_layers["pipes"].geometry) is not None
    built = build_checked_network(packed_layers, settings, CRS)
    assert topology.encode(built) == topology.encode(fresh)
    assert built.checks == fresh.checks and built.register == fresh.register
    for kind in ("pipes", "manholes"):
        if kind in packed_layers:
            assert not packed_layers[kind].geometry.array.is_made, kind


@pytest.fixture
def pack_all(monkeypatch):
    monkeypatch.setattr(projmod, "PACK_MIN_FEATURES", 0)


def test_the_stored_network_is_written_one_table_at_a_time(tmp_path, monkeypatch):
    """Each table of the network is encoded once the one before is in the file: a writer
    holds one beside the network, not all of them (165 MB at a million pipes)."""
    layers, settings = random_park(3)
    checked = build_checked_network(layers, settings, CRS)
    events = []
    real_ipc, real_insert = topology._ipc, topology._insert_blob
    monkeypatch.setattr(topology, "_ipc", lambda cols: events.append("make") or real_ipc(cols))

    def insert(con, name, data):
        events.append("write")
        real_insert(con, name, data)

    monkeypatch.setattr(topology, "_insert_blob", insert)
    path = tmp_path / "park.gpkg"
    save_project(Project(path=path, crs=layers["pipes"].crs, layers=layers, settings=settings))
    made = [i for i, e in enumerate(events) if e == "make"]
    assert len(made) >= 9
    assert all(events[i + 1] == "write" for i in made), "each table written before the next"
    stored = topology.load_checked_network(path)
    assert topology.encode(stored) == topology.encode(checked)


@pytest.mark.parametrize("fork", [True, False], ids=["forked writers", "written in turn"])
def test_new_with_packed_layers_makes_the_same_project(tmp_path, monkeypatch, pack_all, fork):
    if fork:
        if not sys.platform.startswith("linux"):
            pytest.skip("fork is Linux")
        monkeypatch.setattr(projmod, "FORK_MIN_PIPES", 0)
        monkeypatch.setattr(forked, "can_fork", lambda: True)
    else:
        monkeypatch.setenv("PIPEATLAS_NO_FORK", "1")
    one = create_project(tmp_path / "packed.gpkg", INPUTS, pack=True)
    for kind in ("pipes", "manholes"):
        arr = one.layers[kind].geometry.array
        assert packed.packed(arr) is not None, f"{kind} were packed"
    summary = one.summary()
    assert not one.layers["pipes"].geometry.array.is_made, "nor made to describe the project"
    two = create_project(tmp_path / "plain.gpkg", INPUTS)
    assert packed.packed(two.layers["pipes"].geometry) is None
    a, b = _digest(one.path), _digest(two.path)
    assert a.keys() == b.keys() and "pa_topology" in a
    assert {k for k in a if a[k] != b[k]} == set()
    assert summary["layers"] == two.summary()["layers"]
    # the packed project still gives shapely objects to whoever asks
    back = pyogrio.read_dataframe(one.path, layer="pipes")
    assert shapely.equals_exact(
        np.asarray(one.layers["pipes"].geometry.array), back.geometry.array, 0
    ).all()


def test_the_command_line_packs(monkeypatch, tmp_path):
    seen = []
    real = projmod.create_project_job

    def spy(*a, **kw):
        seen.append(kw.get("pack", False))
        return real(*a, **kw)

    monkeypatch.setattr(projmod, "create_project_job", spy)
    from gisapp.cli import main

    args = ["new", str(tmp_path / "p.gpkg"), "-q"]
    for kind, files in INPUTS.items():
        for f in files:
            args += [f"--{kind}", str(f)]
    assert main(args) == 0
    assert seen == [True]


@pytest.mark.parametrize("kind", ["pipes", "manholes"])
def test_a_packed_layer_emptied_by_an_edit_saves_as_the_plain_one(tmp_path, monkeypatch, kind):
    """Found by fuzzing: every row of a packed layer deleted, the save failed (WKB of none)."""
    monkeypatch.setenv("PIPEATLAS_NO_FORK", "1")
    monkeypatch.setattr(projmod, "PACK_MIN_FEATURES", 0)
    digests = []
    for pack in (True, False):
        project = create_project(tmp_path / f"{pack}.gpkg", INPUTS, pack=pack)
        project.layers[kind] = project.layers[kind].iloc[0:0]
        save_project(project)
        digests.append(_digest(project.path))
        assert len(pyogrio.read_dataframe(project.path, layer=kind)) == 0
    assert digests[0].keys() == digests[1].keys()
    assert {k for k in digests[0] if digests[0][k] != digests[1][k]} == set()


def test_a_bound_at_minus_zero_reads_as_zero(tmp_path):
    """Found by fuzzing: packed and plain layers break a tie of 0.0 and -0.0 differently."""
    gdf = gpd.GeoDataFrame(
        {"pipe_id": ["P1"]}, geometry=[shapely.LineString([(0.0, 0.0), (-0.0, 10.0)])], crs=CRS
    )
    for layer in (gdf, packed.pack_layer(gdf)):
        summary = Project(path=tmp_path / "p.gpkg", crs=gdf.crs, layers={"pipes": layer}).summary()
        assert [str(v) for v in summary["layers"]["pipes"]["extent"]] == [
            "0.0",
            "0.0",
            "0.0",
            "10.0",
        ]
        assert [str(v) for v in summary["extent"]] == ["0.0", "0.0", "0.0", "10.0"]


def test_the_boxes_of_two_point_lines_keep_geos_signed_zeros():
    coords = [[(0.0, -0.0), (-0.0, 0.0)], [(-0.0, 0.0), (0.0, -0.0)], [(3.0, 1.0), (-2.0, 5.0)]]
    geoms = np.array([shapely.LineString(c) for c in coords], dtype=object)
    got, want = packed.bounds(packed.pack_geometry(geoms, CRS)), shapely.bounds(geoms)
    assert (got == want).all() and (np.signbit(got) == np.signbit(want)).all()
