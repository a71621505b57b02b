"""Opening draws points and lines straight from the file's WKB into the map's arrays (no
shapely object until the attributes come); the arrays, the shapely objects made later and
the frames completed around them equal what the project reader and the shapely path give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
import shapely

from gisapp.cartography import symbology
from gisapp.qt.map_layer import (
    LineGeometry,
    MapLayer,
    PointGeometry,
    line_geometry_from_wkb,
    point_geometry_from_wkb,
    read_draw_layer,
)
from gisapp.qt.render import short_line_pixels
from network.io.project import open_project


def _wkb(geoms) -> pa.ChunkedArray:
    """A WKB column as pyogrio's Arrow reader gives it (here in two chunks)."""
    values = [None if g is None else shapely.to_wkb(g) for g in geoms]
    half = len(values) // 2
    return pa.chunked_array(
        [pa.array(values[:half], pa.binary()), pa.array(values[half:], pa.binary())]
    )


def _same_lines(a: LineGeometry, b: LineGeometry) -> None:
    assert np.array_equal(a.segs, b.segs)
    assert np.array_equal(a.feat_start, b.feat_start)
    assert np.array_equal(a.bounds, b.bounds, equal_nan=True)
    assert a.total_bounds == b.total_bounds


@pytest.mark.parametrize(
    "wkts",
    [
        ["LINESTRING (0 0, 1 1)", "LINESTRING (5 5, 6 4)", "LINESTRING (2.5 3, 2 1)"],  # 2 each
        ["LINESTRING (0 0, 1 1, 3 1)", "LINESTRING EMPTY", "LINESTRING (5 5, 6 4)"],  # mixed
        ["LINESTRING (0 0, 1 1, 2 0, 3 1)", "LINESTRING (1 2, 3 4)", "LINESTRING (7 7, 8 8)"],
    ],
)
def test_line_arrays_from_wkb_equal_the_shapely_path(wkts):
    geoms = shapely.from_wkt(wkts)
    col = _wkb(geoms)
    got = line_geometry_from_wkb(col)
    _same_lines(got, LineGeometry.build(geoms))
    assert got.geoms_if_made() is None  # no shapely object yet
    assert shapely.equals_exact(got.geoms, geoms, 0).all()  # made from the WKB when asked


def test_point_arrays_from_wkb_equal_the_shapely_path():
    geoms = shapely.from_wkt(["POINT (1 2)", "POINT (3.25 -4)", "POINT (0 0)", "POINT EMPTY"])
    got = point_geometry_from_wkb(_wkb(geoms))
    ref = PointGeometry.build(geoms[:3])
    assert np.array_equal(got.xy[:3], ref.xy)
    assert np.isnan(got.xy[3]).all()  # an empty point is drawn nowhere
    assert got.total_bounds == ref.total_bounds


@pytest.mark.parametrize(
    "wkt",
    [
        "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",  # multi-part
        "LINESTRING Z (0 0 1, 1 1 2)",  # 3-D
        "POINT (1 1)",  # not a line
        None,  # missing
    ],
)
def test_line_arrays_from_wkb_leave_odd_geometry_to_shapely(wkt):
    line = shapely.from_wkt("LINESTRING (0 0, 1 1)")
    geoms = [line, None if wkt is None else shapely.from_wkt(wkt)]
    assert line_geometry_from_wkb(_wkb(geoms)) is None


def test_point_arrays_from_wkb_leave_multipoints_to_shapely():
    geoms = shapely.from_wkt(["POINT (1 1)", "MULTIPOINT ((0 0), (1 1))"])
    assert point_geometry_from_wkb(_wkb(geoms)) is None


def test_draw_layers_of_the_demo_equal_the_project(demo_project):
    project = open_project(demo_project)
    for kind, gdf in project.layers.items():
        layer = read_draw_layer(demo_project, kind, project.crs)
        expected = MapLayer(kind, gdf)
        apart = kind not in ("zones", "boundary", "population")  # polygons: shapely
        assert layer.geometry_read_apart == apart
        got, ref = layer.prepared_geometry(), expected.prepared_geometry()
        if isinstance(ref, LineGeometry):
            _same_lines(got, ref)
        elif isinstance(ref, PointGeometry):
            assert np.array_equal(got.xy, ref.xy, equal_nan=True)
        assert layer.extent() == pytest.approx(expected.extent())
        assert list(layer.feature_ids()) == list(expected.feature_ids())
        # the style classes (a categorised column looked up once per value) are the same
        if layer.geometry == "line":
            assert np.array_equal(layer.prepared_style().keys, expected.prepared_style().keys)
        else:
            assert np.array_equal(layer.prepared_style(), expected.prepared_style())
        objects = layer.geometry_objects()
        assert shapely.equals_exact(objects, np.asarray(gdf.geometry.values), 0).all()


def test_categorised_style_codes_do_not_depend_on_the_column_type():
    style = symbology.default_style("pipes")
    values = np.array(["sewage", "rain", None, "odd", "combined", np.nan] * 50, dtype=object)
    plain = symbology.classify(style, pd.DataFrame({style.field: values}))
    layer = MapLayer(
        "pipes",
        pd.DataFrame({style.field: pd.array(values, dtype="str")}),
        geometry="line",
    )
    from gisapp.qt.map_layer import _categorised

    frame = _categorised(style, layer.snapshot().style_frame())
    assert isinstance(frame[style.field].dtype, pd.CategoricalDtype)
    assert np.array_equal(symbology.classify(style, frame), plain)


def _short_line_pixels_reference(short, w, h, width):
    """The sampling as first written (before it was made faster)."""
    sp = short.astype(np.float32)
    x1, y1 = sp[:, 0], sp[:, 1]
    dx, dy = sp[:, 2] - x1, sp[:, 3] - y1
    out = []
    for t in np.linspace(0.0, 1.0, 4, dtype=np.float32):
        ix = (x1 + dx * t).astype(np.int32)
        iy = (y1 + dy * t).astype(np.int32)
        ok = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out.append(iy[ok].astype(np.int64) * w + ix[ok])
    idx = np.concatenate(out)
    if width >= 1.5:
        x = idx % w
        right = np.where(x + 1 < w, idx + 1, idx)
        idx = np.concatenate(
            [idx, right, np.minimum(idx + w, w * h - 1), np.minimum(right + w, w * h - 1)]
        )
    return idx


@pytest.mark.parametrize("width", [1.0, 2.0])
def test_short_line_pixels_cover_the_same_pixels(width):
    rng = np.random.default_rng(7)
    a = rng.uniform(-10, 110, (500, 2))
    segs = np.column_stack([a, a + rng.uniform(-2.9, 2.9, (500, 2))])
    got = short_line_pixels(segs, 100, 60, width)
    assert np.array_equal(got, _short_line_pixels_reference(segs, 100, 60, width))


def test_line_lengths_from_the_arrays_equal_shapely():
    geoms = shapely.from_wkt(
        ["LINESTRING (0 0, 3 4)", "LINESTRING EMPTY", "LINESTRING (0 0, 1 0, 1 1, 0 1)"]
    )
    geom = LineGeometry.build(geoms)
    rows = np.array([2, 0, 1])
    assert geom.lengths(rows) == pytest.approx(shapely.length(geoms[rows]))


def test_draw_read_of_the_1m_pipes_shape(tmp_path):
    """A layer whose every line has two vertices (as generated) comes out the same way."""
    import geopandas as gpd

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, (300, 4))
    geoms = shapely.linestrings(xy.reshape(-1, 2, 2))
    gdf = gpd.GeoDataFrame(
        {"pipe_id": [f"P{i}" for i in range(300)], "system": ["sewage", "rain", None] * 100},
        geometry=geoms,
        crs=4547,
    )
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="pipes")
    layer = read_draw_layer(path, "pipes", gdf.crs)
    assert layer.geometry_read_apart
    _same_lines(layer.prepared_geometry(), LineGeometry.build(geoms))
    assert list(layer.feature_ids()) == list(gdf["pipe_id"])


def test_ids_indexed_on_the_map_frame_are_kept_for_the_completed_frame(demo_project):
    """A trace while the attributes are read indexes the map frame's ids; the completed frame
    (same rows of the same file) keeps that index instead of building it again."""
    from gisapp.qt.main_window import read_attributes_job, read_map_job
    from gisapp.qt.map_layer import IdIndex

    def run(gen):
        try:
            while True:
                next(gen)
        except StopIteration as stop:
            return stop.value

    project, frames, layers = run(read_map_job(demo_project))
    pipes = next(lay for lay in layers if lay.kind == "pipes")
    early = pipes.id_index()
    full = run(read_attributes_job(project, frames, layers)).layers
    pipes.set_data(full["pipes"])
    kept = pipes.id_index()
    assert kept.codes is early.codes  # not built again
    fresh = IdIndex.build(full["pipes"]["pipe_id"])
    some = list(full["pipes"]["pipe_id"].iloc[[0, 5, 40]])
    assert list(pipes.rows_of(some)) == list(fresh.rows(some))
    assert list(kept.ids) == list(fresh.ids)


def test_zoom_to_features_before_the_attributes_arrive(demo_project):
    """The trace list's "zoom to" works on a map read as arrays (no geometry in the frame
    yet) and gives the same box as on the completed frame."""
    from gisapp.qt.inspect_tools import features_bounds

    project = open_project(demo_project)

    class Canvas:  # features_bounds asks the canvas for the layer by name only
        def __init__(self, layer):
            self._layer = layer

        def layer(self, name):
            return self._layer

    for kind in ("pipes", "manholes"):
        gdf = project.layers[kind]
        ids = list(MapLayer(kind, gdf).feature_ids())[3:9]
        early = read_draw_layer(demo_project, kind, project.crs)
        assert early.geometry_read_apart
        box = features_bounds(Canvas(early), kind, ids)
        full = features_bounds(Canvas(MapLayer(kind, gdf)), kind, ids)
        assert box is not None and box == pytest.approx(full)
        if kind == "manholes":
            assert box[0] < box[2] and box[1] < box[3]  # six points span a box, not a point
