"""The fast shape reader of large shapefiles gives exactly the geometries GDAL gives.

Real shapefiles are written with GDAL (points, two-point pipes, bent pipes of many vertices,
multipart pipes, null shapes), read both ways shape by shape; files it cannot take exactly
(3-D and measured shapes, polygons, a damaged index, a one-point line) must go to GDAL.
"""

from __future__ import annotations

import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from network import packed as packedmod
from network.io import dbf as dbfmod
from network.io import read
from network.io.shp import read_shp_geometry

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 3_300_000.0


def _write(folder: Path, geoms, name: str = "管线") -> Path:
    gdf = gpd.GeoDataFrame(
        {"编号": [f"G{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=CRS
    )
    shp = folder / f"{name}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="GBK")
    return shp


def _gdal(shp: Path) -> np.ndarray:
    return np.asarray(pyogrio.read_dataframe(shp, columns=[], encoding="GBK").geometry.values)


def _fast(shp: Path) -> np.ndarray | None:
    n = pyogrio.read_info(shp, encoding="GBK")["features"]
    return read_shp_geometry(shp, shp.with_suffix(".shx"), n)


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert len(a) == len(b)
    assert (shapely.is_missing(a) == shapely.is_missing(b)).all()
    shown = ~shapely.is_missing(b)
    assert (shapely.get_type_id(a[shown]) == shapely.get_type_id(b[shown])).all()
    assert shapely.equals_exact(a[shown], b[shown], tolerance=0).all()
    assert (shapely.to_wkb(a[shown]) == shapely.to_wkb(b[shown])).all()


def _lines(rng: np.random.Generator, n: int):
    out = []
    for i in range(n):
        k = int(rng.integers(2, 7)) if i % 3 else 2  # two-point pipes and bent ones
        xy = np.cumsum(rng.uniform(-50, 50, (k, 2)), axis=0) + np.array([X0 + 10 * i, Y0])
        out.append(shapely.LineString(xy))
    return out


def test_points_with_null_shapes(tmp_path):
    rng = np.random.default_rng(1)
    geoms = list(shapely.points(rng.uniform(X0, X0 + 1e4, (500, 2))))
    geoms[3] = geoms[77] = None  # manholes not yet located
    shp = _write(tmp_path, geoms, "检查井")
    fast = _fast(shp)
    assert fast is not None
    _same(fast, _gdal(shp))
    assert fast[3] is None and fast[4].x == geoms[4].x


def test_straight_bent_multipart_and_null_pipes(tmp_path):
    rng = np.random.default_rng(2)
    geoms = _lines(rng, 600)
    shift = np.array([X0, Y0])
    parts5 = [[(0, 0), (5, 0)], [(9, 0), (9, 7)]]
    parts6 = [[(0, 0), (1, 0), (2, 1)], [(3, 0), (4, 0)], [(0, 1), (0, 2)]]
    geoms[5] = shapely.transform(shapely.MultiLineString(parts5), lambda xy: xy + shift)
    geoms[6] = shapely.transform(shapely.MultiLineString(parts6), lambda xy: xy + shift)
    geoms[300] = shapely.transform(shapely.MultiLineString(parts5[::-1]), lambda xy: xy + shift)
    geoms[7] = None
    shp = _write(tmp_path, geoms)
    fast = _fast(shp)
    assert fast is not None
    _same(fast, _gdal(shp))
    assert fast[5].geom_type == "MultiLineString" and len(fast[6].geoms) == 3
    assert fast[300].equals_exact(geoms[300], 0) and fast[299].geom_type == "LineString"


@pytest.mark.parametrize("vertices", [2, 3, 7])
@pytest.mark.parametrize("null", [None, 0, 150, 299], ids=lambda v: f"null at {v}")
@pytest.mark.parametrize("pack", [False, True], ids=["shapely", "packed"])
def test_records_of_one_size_read_as_one_block_equal_gdal(tmp_path, vertices, null, pack):
    """Pipes of one vertex count: records of one size, read as the rows of one block (a null
    shape breaks the run: the others are gathered one by one)."""
    rng = np.random.default_rng(vertices)
    xy = np.cumsum(rng.uniform(-50, 50, (300, vertices, 2)), axis=1) + np.array([X0, Y0])
    geoms = list(shapely.linestrings(xy))
    if null is not None:
        geoms[null] = None
    shp = _write(tmp_path, geoms)
    fast = read_shp_geometry(shp, shp.with_suffix(".shx"), 300, pack=pack)
    packed_read = pack and null is None  # a null shape is never packed
    assert (packedmod.packed(fast) is not None) == packed_read
    _same(np.asarray(fast, dtype=object), _gdal(shp))
    # the same records gathered one by one give the same coordinates
    single = [g for g in geoms if g is not None]
    assert np.array_equal(
        packedmod.coordinates(fast[~pd.isna(np.asarray(fast, dtype=object))]),
        shapely.get_coordinates(single),
    )


@pytest.mark.parametrize("pack", [False, True], ids=["shapely", "packed"])
def test_point_records_read_as_one_block_equal_gdal(tmp_path, pack):
    rng = np.random.default_rng(9)
    shp = _write(tmp_path, list(shapely.points(rng.uniform(X0, X0 + 1e4, (400, 2)))), "检查井")
    fast = read_shp_geometry(shp, shp.with_suffix(".shx"), 400, pack=pack)
    assert (packedmod.packed(fast) is not None) == pack
    _same(np.asarray(fast, dtype=object), _gdal(shp))


@pytest.mark.parametrize(
    ("geoms", "why"),
    [
        ([shapely.LineString([(X0, Y0, 1), (X0 + 1, Y0, 2)])] * 3, "3-D lines"),
        ([shapely.Point(X0, Y0, 5.0)] * 3, "3-D points"),
        ([shapely.box(X0, Y0, X0 + 1, Y0 + 1)] * 3, "polygons"),
        ([shapely.MultiPoint([(X0, Y0), (X0 + 1, Y0)])] * 3, "multipoints"),
    ],
)
def test_shapes_it_does_not_take_go_to_gdal(tmp_path, geoms, why):
    assert _fast(_write(tmp_path, geoms)) is None, why


def _record_offsets(shp: Path) -> list[tuple[int, int]]:
    raw = shp.with_suffix(".shx").read_bytes()[100:]
    return [struct.unpack(">ii", raw[i : i + 8]) for i in range(0, len(raw), 8)]


def test_a_damaged_index_or_short_line_goes_to_gdal(tmp_path):
    rng = np.random.default_rng(3)
    shp = _write(tmp_path, _lines(rng, 50))
    offsets = _record_offsets(shp)
    with shp.with_suffix(".shx").open("r+b") as fh:  # record 10 said to lie past the end
        fh.seek(100 + 8 * 10)
        fh.write(struct.pack(">i", shp.stat().st_size))
    assert _fast(shp) is None
    shp = _write(tmp_path, _lines(rng, 50), "one_point")
    offsets = _record_offsets(shp)
    with shp.open("r+b") as fh:  # record 4 claims one point: GDAL's own reading decides
        fh.seek(offsets[4][0] * 2 + 8 + 40)
        fh.write(struct.pack("<i", 1))
    assert _fast(shp) is None
    gone = shp.with_name("gone.shp")
    assert read_shp_geometry(gone, gone.with_suffix(".shx"), 50) is None  # no such file


def test_large_files_read_fast_equal_gdal_through_read_vector(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    geoms = _lines(rng, 400)
    geoms[9] = None
    shp = _write(tmp_path, geoms)
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    calls = []
    import network.io.shp as shpmod

    real = shpmod.read_shp_geometry

    def spy(*a, **kw):
        out = real(*a, **kw)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(shpmod, "read_shp_geometry", spy)
    fast, engine, _ = read.read_vector(shp)
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 10**12)
    slow, _, _ = read.read_vector(shp)
    assert calls == [True] and engine == "pyogrio"
    assert_geodataframe_equal(fast, slow)
    assert fast.crs.equals(slow.crs) and fast.crs.to_epsg() == 4547


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data folder not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.rglob("*.shp")))
def test_public_shapefiles(name):
    shp = next(SHARED.rglob(name))
    n = pyogrio.read_info(shp)["features"]
    fast = read_shp_geometry(shp, shp.with_suffix(".shx"), n)
    gdal = np.asarray(pyogrio.read_dataframe(shp, columns=[]).geometry.values)
    if fast is None:  # polygons, 3-D: GDAL's
        assert pyogrio.read_info(shp)["geometry_type"] not in ("Point", "LineString")
        return
    _same(fast, gdal)


def test_a_point_with_a_nan_coordinate_is_empty_as_gdals_arrow_reader_gives_it(
    tmp_path, monkeypatch
):
    # a small file is read by GDAL's Arrow reader, a large one by the fast reader: a NaN x or
    # y (or both) must give the same empty point, and the same note, either way
    geoms = list(shapely.points(np.column_stack([np.arange(40.0) + X0, np.full(40, Y0)])))
    shp = _write(tmp_path, geoms, "检查井")
    data = bytearray(shp.read_bytes())
    nan = struct.pack("<d", float("nan"))
    for k, coords in [(3, "x"), (10, "y"), (20, "xy")]:
        at = 100 + k * 28 + 12  # header, then each record: 8-byte header, type, x, y
        if "x" in coords:
            data[at : at + 8] = nan
        if "y" in coords:
            data[at + 8 : at + 16] = nan
    shp.write_bytes(bytes(data))
    arrow = pyogrio.read_dataframe(shp, columns=[], use_arrow=True).geometry.values
    fast = _fast(shp)
    assert [g.wkt for g in fast[[3, 10, 20]]] == ["POINT EMPTY"] * 3
    _same(fast, np.asarray(arrow))
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    big, _, _ = read.read_vector(shp)
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 10**12)
    small, _, _ = read.read_vector(shp)
    assert_geodataframe_equal(big, small)
