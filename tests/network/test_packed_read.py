"""Large shapefiles read straight into packed geometries (``network.packed.from_coordinates``
through ``network.io.shp.read_shp_geometry(pack=True)``): ``new`` makes no shapely object
for a plain pipes or manholes layer, and the project, its notes and its errors are the very
ones the plain reading gives."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from test_loading import write_gbk_shapefile
from test_new_forked_write import _digest
from test_random_parks import CRS, random_park

from network import packed
from network.errors import NetworkError
from network.io import dbf as dbfmod
from network.io import project as projmod
from network.io import shp as shpmod
from network.io.project import create_project
from network.io.read import load_layer

#: where EPSG:4547 is used (its coordinates would be refused around 0, 0)
PLACE = np.array([5.0e5, 3.3e6])


def _random_lines(rng: np.random.Generator, n: int, most: int, scale: float) -> tuple:
    counts = rng.integers(2, most + 1, n)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    coords = rng.normal(size=(int(offsets[-1]), 2)) * scale
    coords += np.array([38_500_000.0, 3_300_000.0]) * (scale > 1)  # GK, zone in the easting
    return coords, offsets


@pytest.mark.parametrize(("most", "scale"), [(2, 1.0), (2, 1e6), (3, 1e-3), (12, 40.0), (40, 3e7)])
def test_lengths_from_coordinates_are_shapelys_to_the_bit(most, scale):
    rng = np.random.default_rng(most)
    coords, offsets = _random_lines(rng, 20_000, most, scale)
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(20_000), np.diff(offsets)))
    ours = packed.line_lengths(coords, offsets)
    assert np.array_equal(ours.view(np.int64), shapely.length(lines).view(np.int64))


def test_a_packed_array_from_coordinates_is_the_packed_shapely_one():
    rng = np.random.default_rng(3)
    coords, offsets = _random_lines(rng, 500, 6, 100.0)
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(500), np.diff(offsets)))
    made = packed.from_coordinates(coords, offsets, crs=CRS)
    assert not made.is_made and made.crs.to_epsg() == 4547
    assert shapely.equals_exact(np.asarray(made), lines, 0).all()
    assert packed.lengths(made).tolist() == packed.lengths(packed.pack_geometry(lines)).tolist()
    points = packed.from_coordinates(coords)
    assert len(points) == len(coords) and packed.type_ids(points).tolist() == [0] * len(coords)


@pytest.mark.parametrize(
    ("coords", "offsets"),
    [
        ([[0.0, 0.0], [np.nan, 1.0]], None),  # a point without a place
        ([[0.0, 0.0], [1.0, np.inf]], [0, 2]),
        ([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [0, 1, 3]),  # a line of one point
        ([[0.0, 0.0], [1.0, 1.0]], [0, 3]),  # offsets beyond the coordinates
        ([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], None),  # 3-D
        (np.empty((0, 2)), None),
    ],
)
def test_coordinates_a_packed_array_cannot_hold_are_refused(coords, offsets):
    assert packed.from_coordinates(np.asarray(coords, dtype=float), offsets) is None


def _shp(tmp_path, geoms, name="管线"):
    gdf = gpd.GeoDataFrame({"编号": [f"G{i}" for i in range(len(geoms))]}, geometry=geoms, crs=CRS)
    return write_gbk_shapefile(tmp_path / f"{name}.shp", gdf)


@pytest.mark.parametrize("what", ["lines", "points"])
def test_a_plain_shapefile_is_read_packed_and_equals_its_shapes(tmp_path, what):
    rng = np.random.default_rng(8)
    if what == "lines":
        coords, offsets = _random_lines(rng, 300, 5, 500.0)
        geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(300), np.diff(offsets)))
    else:
        geoms = shapely.points(rng.uniform(0, 5e5, (300, 2)) + PLACE)
    shp = _shp(tmp_path, list(geoms))
    got = shpmod.read_shp_geometry(shp, shp.with_suffix(".shx"), 300, pack=True)
    assert packed.packed(got) is not None
    plain = shpmod.read_shp_geometry(shp, shp.with_suffix(".shx"), 300)
    assert shapely.equals_exact(np.asarray(got), plain, 0).all()
    assert packed.lengths(got).tolist() == shapely.length(plain).tolist()


@pytest.mark.parametrize("odd", ["a null shape", "a two-part line"])
def test_a_shapefile_packing_cannot_hold_is_read_as_shapely_objects(tmp_path, odd):
    geoms = list(shapely.linestrings(np.random.default_rng(1).uniform(0, 99, (40, 2, 2))))
    geoms[7] = None if odd == "a null shape" else shapely.MultiLineString([[(0, 0), (1, 1)]] * 2)
    shp = _shp(tmp_path, geoms)
    got = shpmod.read_shp_geometry(shp, shp.with_suffix(".shx"), 40, pack=True)
    assert isinstance(got, np.ndarray) and got.dtype == object
    plain = shpmod.read_shp_geometry(shp, shp.with_suffix(".shx"), 40)
    assert (shapely.equals_exact(got, plain, 0) | (pd_isna(got) & pd_isna(plain))).all()


def pd_isna(a):
    return np.array([g is None for g in a])


def _park_files(tmp_path, seed: int, *, plain: bool) -> tuple[dict, dict, bool]:
    """Random park *seed* as real GBK shapefiles (no .cpg), one file per layer, its settings
    and whether every pipe is one plain line."""
    layers, settings = random_park(seed)
    layers = {k: v.set_geometry(v.geometry.translate(*PLACE)) for k, v in layers.items()}
    pipes = layers["pipes"]
    keep = ((shapely.get_type_id(pipes.geometry.array) == 1) & ~pipes.geometry.is_empty).to_numpy()
    if plain:  # multi-lines and empty lines are never packed
        layers["pipes"] = pipes[keep].reset_index(drop=True)
    inputs = {}
    for kind, gdf in layers.items():
        inputs[kind] = [write_gbk_shapefile(tmp_path / f"{kind}.shp", gdf)]
    return inputs, settings, plain or bool(keep.all())


@pytest.mark.parametrize("seed", [1, 2, 4, 7, 8, 11, 13, 16])
@pytest.mark.parametrize("plain", [True, False], ids=["plain lines", "with multi-lines"])
def test_new_reading_packed_makes_the_same_project(tmp_path, monkeypatch, seed, plain):
    monkeypatch.setenv("PIPEATLAS_NO_FORK", "1")
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)  # the fast reader takes these small files
    monkeypatch.setattr(projmod, "PACK_MIN_FEATURES", 0)
    inputs, settings, all_plain = _park_files(tmp_path, seed, plain=plain)
    read_packed: dict[str, bool] = {}
    packed_after_reading: list[int] = []
    real_load, real_pack = projmod.load_layer, packed.pack_geometry

    def spy_load(spec, kind, **kw):
        loaded = real_load(spec, kind, **kw)
        read_packed[kind] = packed.packed(loaded.gdf.geometry) is not None
        return loaded

    def spy_pack(values, crs=None):
        packed_after_reading.append(len(values))
        return real_pack(values, crs)

    monkeypatch.setattr(projmod, "load_layer", spy_load)
    monkeypatch.setattr(packed, "pack_geometry", spy_pack)
    one = create_project(tmp_path / "packed.gpkg", inputs, pack=True, settings=settings)
    summary = one.summary()
    as_read = dict(read_packed)  # by the packed import (the plain one reads them again)
    two = create_project(tmp_path / "plain.gpkg", inputs, settings=settings)
    a, b = _digest(one.path), _digest(two.path)
    assert a.keys() == b.keys() and "pa_topology" in a
    assert {k for k in a if a[k] != b[k]} == set()
    assert [i.to_dict() for i in one.issues] == [i.to_dict() for i in two.issues]
    other = two.summary()
    assert {k: v for k, v in summary.items() if k not in ("path", "created")} == {
        k: v for k, v in other.items() if k not in ("path", "created")
    }
    if "manholes" in inputs:  # points: always plain
        assert as_read["manholes"]
        assert packed.packed(one.layers["manholes"].geometry) is not None
    assert as_read["pipes"] == all_plain
    if all_plain:  # read packed, never made as shapely objects to be packed
        assert packed_after_reading == []
        assert one.layers["pipes"]["length_m"].tolist() == two.layers["pipes"]["length_m"].tolist()


def _load_error(shp, kind: str, pack: bool) -> NetworkError:
    with pytest.raises(NetworkError) as caught:
        load_layer(shp, kind, pack_min_features=0 if pack else None)
    return caught.value


@pytest.mark.parametrize("case", ["points as pipes", "outside the CRS", "no CRS"])
def test_a_file_refused_read_packed_is_refused_alike(tmp_path, monkeypatch, case):
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 5e4, (30, 2)) + PLACE
    if case == "points as pipes":
        shp, kind = _shp(tmp_path, list(shapely.points(xy)), "井"), "pipes"
    else:
        lines = shapely.linestrings(np.stack([xy, xy + 10], axis=1))
        if case == "outside the CRS":
            lines = shapely.transform(lines, lambda c: c + np.array([0.0, 6.0e7]))
        shp, kind = _shp(tmp_path, list(lines)), "pipes"
        if case == "no CRS":
            shp.with_suffix(".prj").unlink()
    errors = [_load_error(shp, kind, pack) for pack in (True, False)]
    assert type(errors[0]) is type(errors[1])
    assert str(errors[0]) == str(errors[1])
    assert getattr(errors[0], "message_zh", None) == getattr(errors[1], "message_zh", None)


def test_zero_length_pipes_read_packed_are_noted_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    xy = np.random.default_rng(2).uniform(0, 5e4, (25, 2)) + PLACE
    ends = xy + 12.0
    ends[[3, 17]] = xy[[3, 17]]  # two pipes of no length
    shp = _shp(tmp_path, list(shapely.linestrings(np.stack([xy, ends], axis=1))))
    read = [load_layer(shp, "pipes", pack_min_features=n) for n in (0, None)]
    assert packed.packed(read[0].gdf.geometry) is not None
    assert packed.packed(read[1].gdf.geometry) is None
    notes = [[i.to_dict() for i in r.issues] for r in read]
    assert notes[0] == notes[1]
    assert [n["data"]["src_fid"] for n in notes[0] if n["kind"] == "zero_length"] == [3, 17]
    assert read[0].gdf["length_m"].tolist() == read[1].gdf["length_m"].tolist()
