"""A layer's spatial index packed in one pass (``network.io.spatial_index``) is an index
SQLite, GDAL and QGIS can trust: SQLite's own check passes, it holds the very boxes GDAL's
index holds, a window query finds what a scan of every feature finds, and GDAL keeps it up
to date when features are added later."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point

from network.errors import ProjectError
from network.io import project as projmod
from network.io import spatial_index
from network.io.project import create_project

CRS = "EPSG:4547"
OPTIONS = {"FID": "fid", "GEOMETRY_NAME": "geom"}
SRC = Path(__file__).resolve().parents[2] / "resources" / "demo" / "src"


def _layer(n: int, seed: int, *, kind: str = "lines", gaps: bool = True) -> gpd.GeoDataFrame:
    """*n* random pipes (or manholes) in a Gauss–Krüger park, some without a shape."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(480_000, 520_000, n)
    y = rng.uniform(3_290_000, 3_310_000, n)
    if kind == "points":
        geoms = list(shapely.points(x, y))
    else:
        dx, dy = rng.normal(0, 40, n), rng.normal(0, 40, n)
        geoms = [
            LineString([(a, b), (a + c, b + d)]) for a, b, c, d in zip(x, y, dx, dy, strict=True)
        ]
    if gaps and n > 10:
        for k in rng.choice(n, size=max(1, n // 50), replace=False):
            geoms[k] = None if k % 2 else (LineString() if kind == "lines" else Point())
    return gpd.GeoDataFrame({"k": np.arange(n)}, geometry=geoms, crs=CRS)


def _write(frame: gpd.GeoDataFrame, path: Path, *, index: str) -> None:
    pyogrio.write_dataframe(
        frame, path, layer="pipes", driver="GPKG",
        layer_options={**OPTIONS, "SPATIAL_INDEX": index},
    )  # fmt: skip


def _bounds(frame: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.bounds(np.asarray(frame.geometry.array, dtype=object))


def _ours(frame: gpd.GeoDataFrame, path: Path) -> None:
    _write(frame, path, index="NO")
    spatial_index.create(path, "pipes", _bounds(frame))


def _held(path: Path, rtree: str = "rtree_pipes_geom") -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT rtreecheck(?)", (rtree,)).fetchone() == ("ok",)
        quoted = rtree.replace('"', '""')
        return con.execute(f'SELECT * FROM "{quoted}" ORDER BY id').fetchall()
    finally:
        con.close()


def _depth(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        (blob,) = con.execute("SELECT data FROM rtree_pipes_geom_node WHERE nodeno = 1").fetchone()
        return int.from_bytes(blob[:2], "big")
    finally:
        con.close()


# the sizes around a full root (51 cells), a full second level (51 * 51) and a third level
@pytest.mark.parametrize(
    ("n", "depth"), [(0, 0), (1, 0), (51, 0), (52, 1), (2601, 1), (2602, 2), (20_000, 2)]
)
@pytest.mark.parametrize("kind", ["lines", "points"])
def test_the_index_holds_the_boxes_gdals_own_index_holds(tmp_path, n, depth, kind):
    frame = _layer(n, seed=n, kind=kind, gaps=False)
    _ours(frame, tmp_path / "ours.gpkg")
    _write(frame, tmp_path / "gdal.gpkg", index="YES")
    ours, gdals = _held(tmp_path / "ours.gpkg"), _held(tmp_path / "gdal.gpkg")
    assert len(ours) == n
    assert ours == gdals  # the same fids, each with the same float box
    assert _depth(tmp_path / "ours.gpkg") == depth


def _leaf_boxes(path: Path) -> np.ndarray:
    """The box of each leaf node, from the node blobs (a cell: 8-byte id, 4 floats)."""
    con = sqlite3.connect(path)
    try:
        leaves = {r[0] for r in con.execute("SELECT DISTINCT nodeno FROM rtree_pipes_geom_rowid")}
        out = []
        for nodeno, blob in con.execute("SELECT nodeno, data FROM rtree_pipes_geom_node"):
            if nodeno not in leaves:
                continue
            count = int.from_bytes(blob[2:4], "big")
            cells = np.frombuffer(blob[4 : 4 + 24 * count], dtype=spatial_index._CELL)
            box = cells["box"].astype(np.float64)
            out.append([box[:, 0].min(), box[:, 1].max(), box[:, 2].min(), box[:, 3].max()])
        return np.array(out)
    finally:
        con.close()


def test_the_leaves_are_tiles_a_small_window_meets_few_of(tmp_path):
    # Sort-Tile-Recursive: leaves near square, not strips across the park; a map drawn at a
    # street's scale reads a few leaves
    frame = _layer(20_000, seed=12, kind="points", gaps=False)
    path = tmp_path / "ours.gpkg"
    _ours(frame, path)
    boxes = _leaf_boxes(path)
    assert len(boxes) == -(-20_000 // 51)
    half_perimeters = (boxes[:, 1] - boxes[:, 0]) + (boxes[:, 3] - boxes[:, 2])
    side = np.sqrt(40_000 * 20_000 / len(boxes))  # of square tiles covering the park
    assert half_perimeters.sum() < 1.5 * len(boxes) * 2 * side


def test_rows_without_a_shape_are_left_out_as_the_standards_triggers_leave_them(tmp_path):
    frame = _layer(5000, seed=7)
    missing = frame.geometry.isna() | frame.geometry.is_empty
    assert 0 < missing.sum() < len(frame)
    _ours(frame, tmp_path / "ours.gpkg")
    _write(frame, tmp_path / "gdal.gpkg", index="YES")
    ours = _held(tmp_path / "ours.gpkg")
    assert ours == _held(tmp_path / "gdal.gpkg")
    assert {r[0] for r in ours} == set((np.flatnonzero(~missing.to_numpy()) + 1).tolist())


def test_a_window_finds_what_a_scan_of_every_feature_finds(tmp_path):
    frame = _layer(30_000, seed=11)
    path = tmp_path / "ours.gpkg"
    _ours(frame, path)
    rng = np.random.default_rng(5)
    for _ in range(20):
        x0, y0 = rng.uniform(480_000, 520_000), rng.uniform(3_290_000, 3_310_000)
        w = rng.uniform(10, 3000)
        box = (x0, y0, x0 + w, y0 + w / 2)
        got = pyogrio.read_dataframe(path, bbox=box, fid_as_index=True)
        want = frame.index[frame.geometry.intersects(shapely.box(*box))] + 1  # fids
        assert sorted(got.index) == sorted(want), box


def test_sqlite_rounds_each_box_outwards_the_same_way(tmp_path):
    # the float box of every double: what SQLite's own module stores when it is given them
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(-1e7, 1e7, 3000), [0.0, -0.0, 1e-40, -1e-40, 3e38, -3e38]])
    y = rng.permutation(x)
    bounds = np.stack([x, y, x + np.abs(rng.normal(0, 50, len(x))), y + 1e-3], axis=1)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING rtree(id, minx, maxx, miny, maxy)")
    rows = zip(range(len(x)), bounds[:, 0], bounds[:, 2], bounds[:, 1], bounds[:, 3], strict=True)
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [tuple(map(float, r)) for r in rows])
    sqlites = np.array(con.execute("SELECT minx, maxx, miny, maxy FROM t ORDER BY id").fetchall())
    ours = spatial_index.float_boxes(bounds).astype(np.float64)
    np.testing.assert_array_equal(ours, sqlites)
    # and each float box holds its double box (SQLite's rounding: in a float's normal range)
    normal = (np.abs(bounds) >= np.finfo(np.float32).tiny).all(axis=1)
    assert normal.sum() > 2990
    inner = np.stack([bounds[:, 0], bounds[:, 2], bounds[:, 1], bounds[:, 3]], axis=1)[normal]
    assert (ours[normal][:, [0, 2]] <= inner[:, [0, 2]]).all()
    assert (ours[normal][:, [1, 3]] >= inner[:, [1, 3]]).all()


def test_gdal_keeps_the_index_up_to_date_when_features_are_added(tmp_path):
    frame = _layer(3000, seed=3)
    path = tmp_path / "ours.gpkg"
    _ours(frame, path)
    more = _layer(200, seed=4, gaps=False)
    pyogrio.write_dataframe(more, path, layer="pipes", driver="GPKG", append=True)
    held = _held(path)
    assert len(held) == (~(frame.geometry.isna() | frame.geometry.is_empty)).sum() + 200
    assert {r[0] for r in held} >= set(range(3001, 3201))
    box = (495_000, 3_295_000, 505_000, 3_305_000)
    both = gpd.GeoDataFrame(
        {"k": np.arange(3200)},
        geometry=list(frame.geometry) + list(more.geometry),
        crs=CRS,
    )
    got = pyogrio.read_dataframe(path, bbox=box, fid_as_index=True)
    assert sorted(got.index) == sorted(both.index[both.geometry.intersects(shapely.box(*box))] + 1)


def test_the_triggers_and_the_extension_are_gdals(tmp_path):
    frame = _layer(100, seed=1)
    _ours(frame, tmp_path / "ours.gpkg")
    _write(frame, tmp_path / "gdal.gpkg", index="YES")

    def schema(path):
        con = sqlite3.connect(path)
        try:
            return (
                con.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'rtree%' "
                    "ORDER BY name"
                ).fetchall(),
                con.execute("SELECT * FROM gpkg_extensions ORDER BY 1, 2, 3").fetchall(),
            )
        finally:
            con.close()

    assert schema(tmp_path / "ours.gpkg") == schema(tmp_path / "gdal.gpkg")
    info = pyogrio.read_info(tmp_path / "ours.gpkg", layer="pipes")
    assert info["capabilities"]["fast_spatial_filter"]
    has = pyogrio.read_dataframe(
        tmp_path / "ours.gpkg",
        sql="SELECT HasSpatialIndex('pipes', 'geom') AS indexed",
        read_geometry=False,
    )
    assert has.iloc[:, 0].tolist() == [1], "GDAL takes it for its own"


def test_fids_other_than_one_to_n_are_indexed_by_their_own_values(tmp_path):
    frame = _layer(500, seed=8)
    frame["fid"] = np.arange(500) * 3 + 1000  # GDAL writes these as the fids
    path = tmp_path / "ours.gpkg"
    _ours(frame, path)
    held = _held(path)
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    assert [r[0] for r in held] == frame["fid"][present].tolist()
    boxes = spatial_index.float_boxes(_bounds(frame)[present]).astype(np.float64)
    np.testing.assert_array_equal(np.array([r[1:] for r in held]), boxes)


def test_a_file_of_another_page_size_gets_nodes_of_its_size(tmp_path):
    frame = _layer(3000, seed=9, gaps=False)
    path = tmp_path / "small_pages.gpkg"
    pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": "page_size=1024"})
    try:
        _write(frame, path, index="NO")
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": None})
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA page_size").fetchone() == (1024,)
    con.close()
    spatial_index.create(path, "pipes", _bounds(frame))  # planned for 4096, packed again
    assert len(_held(path)) == 3000
    con = sqlite3.connect(path)
    sizes = {r[0] for r in con.execute("SELECT length(data) FROM rtree_pipes_geom_node")}
    con.close()
    assert sizes == {1024 - 64}


def test_a_table_that_is_not_the_one_described_is_refused_and_left_as_it_was(tmp_path):
    frame = _layer(100, seed=1)
    path = tmp_path / "ours.gpkg"
    _write(frame, path, index="NO")
    with pytest.raises(spatial_index.SpatialIndexError, match="pipes holds 100 rows, not the 99"):
        spatial_index.create(path, "pipes", _bounds(frame)[:99])
    with pytest.raises(spatial_index.SpatialIndexError, match="gpkg_contents is not"):
        spatial_index.create(path, "gpkg_contents", _bounds(frame))
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    assert not any(n.startswith("rtree_") for n in names), "nothing was written"


@pytest.mark.parametrize("seed", range(4))
def test_json_of_the_leaves(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(-1, 10 ** rng.integers(1, 12), size=rng.integers(0, 300))
    text = spatial_index._json_array(values)
    assert json.loads(text) == [None if v < 0 else int(v) for v in values]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux")
@pytest.mark.parametrize(
    "inputs",
    [
        {"pipes": [SRC / "pipes_sewage.shp", SRC / "pipes_rain.shp"]},
        {
            "pipes": [SRC / "pipes_sewage.shp", SRC / "pipes_rain.shp"],
            "manholes": [SRC / "manholes.shp"],
            "enterprises": [SRC / "enterprises.shp"],
        },
    ],
    ids=["pipes alone", "with other layers"],
)
def test_new_indexes_every_layer_also_when_the_pipes_are_written_early(
    tmp_path, monkeypatch, inputs
):
    # the first writing child leaves the pipes' index to the second, which packs it while it
    # waits: with no other layer to write, the second still writes it
    monkeypatch.setattr(projmod, "FORK_MIN_PIPES", 0)
    monkeypatch.delenv("PIPEATLAS_NO_FORK", raising=False)
    out = tmp_path / "p.gpkg"
    project = create_project(out, inputs)
    for kind, frame in project.layers.items():
        if not len(frame):
            continue
        held = _held(out, f"rtree_{kind}_geom")
        present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
        assert len(held) == present.sum(), kind
    con = sqlite3.connect(out)
    try:
        indexed = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions")}
    finally:
        con.close()
    assert indexed >= {"pipes", *inputs}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is Linux")
def test_an_index_sqlite_refuses_is_an_error_naming_the_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(projmod, "FORK_MIN_PIPES", 0)
    monkeypatch.delenv("PIPEATLAS_NO_FORK", raising=False)

    def full(path, table, planned, **kw):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(spatial_index, "write", full)
    out = tmp_path / "p.gpkg"
    inputs = {"pipes": [SRC / "pipes_sewage.shp"], "manholes": [SRC / "manholes.shp"]}
    with pytest.raises(ProjectError, match="cannot write layer pipes: database or disk is full"):
        create_project(out, inputs)
    assert list(tmp_path.iterdir()) == [], "no file, no temporary one"


def test_a_full_disk_is_reported_as_such_and_the_file_kept(tmp_path, monkeypatch):
    # SQLite ends the transaction itself when the disk fills: the error says so (not "cannot
    # rollback"), and the layer's rows are still there, without a half index
    frame = _layer(30_000, seed=13, kind="points", gaps=False)
    path = tmp_path / "full.gpkg"
    _write(frame, path, index="NO")
    con = sqlite3.connect(path)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    real = sqlite3.connect

    def filling(*a, **kw):  # a disk with room for 20 more pages
        con = real(*a, **kw)
        con.execute(f"PRAGMA max_page_count = {pages + 20}")
        return con

    monkeypatch.setattr(spatial_index.sqlite3, "connect", filling)
    with pytest.raises(sqlite3.Error, match="full"):
        spatial_index.create(path, "pipes", _bounds(frame))
    monkeypatch.undo()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM pipes").fetchone() == (30_000,)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert not any(n.startswith("rtree_") for n in names)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()


@pytest.mark.parametrize("order", ["descending", "shuffled"])
def test_rows_that_carry_their_fids_are_indexed_by_them_in_any_order(tmp_path, order):
    from network.io import arrow_write

    frame = _layer(400, seed=14)
    fids = np.arange(400) * 2 + 7
    frame["fid"] = (
        fids[::-1] if order == "descending" else np.random.default_rng(1).permutation(fids)
    )
    path = tmp_path / "fids.gpkg"
    arrow_write.write_prepared(
        arrow_write.prepare_layer(frame), path, "pipes", projmod._LAYER_OPTIONS
    )
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    boxes = spatial_index.float_boxes(_bounds(frame)).astype(np.float64)
    want = sorted(
        (int(f), *map(float, b)) for f, b, p in zip(frame["fid"], boxes, present, strict=True) if p
    )
    assert _held(path) == want
    got = pyogrio.read_dataframe(path, bbox=(490_000, 3_295_000, 500_000, 3_305_000))
    inside = frame.geometry.intersects(shapely.box(490_000, 3_295_000, 500_000, 3_305_000))
    assert sorted(got["k"]) == sorted(frame["k"][inside])


def test_a_layer_name_with_a_double_quote_keeps_gdals_index(tmp_path):
    from network.io import arrow_write

    frame = _layer(60, seed=15, gaps=False)
    path = tmp_path / "quote.gpkg"
    arrow_write.write_prepared(
        arrow_write.prepare_layer(frame), path, 'pi"pes', projmod._LAYER_OPTIONS
    )
    assert len(_held(path, 'rtree_pi"pes_geom')) == 60
    with pytest.raises(spatial_index.SpatialIndexError, match="double quote"):
        spatial_index.create(path, 'pi"pes', _bounds(frame))
