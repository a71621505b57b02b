import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from gisapp.cartography import symbology
from gisapp.qt.map_layer import LineGeometry, MapLayer, layers_from_project
from gisapp.qt.render import (
    RenderCancelled,
    View,
    format_scale,
    render_map,
    scale_denominator,
)

SIZE = (400, 300)
BOUNDS = (-10.0, -10.0, 120.0, 100.0)


def small_project() -> dict[str, gpd.GeoDataFrame]:
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2", "P3", "P4"],
            "system": ["sewage", "rain", "combined", "industrial"],
            "diameter_mm": [800.0, 800.0, 1200.0, None],
            "flow_forward": [True, False, True, True],
        },
        geometry=[
            LineString([(0, 0), (100, 0)]),
            LineString([(0, 20), (100, 20), (100, 60)]),
            LineString([(0, 40), (100, 40)]),
            LineString([(0, 80), (50, 80)]),
        ],
    )
    enterprises = gpd.GeoDataFrame(
        {
            "ent_id": ["E1", "E2", "E3"],
            "name": ["化工厂甲", "纺织厂乙", "丙公司"],
            "connection_status": ["connected", "not_connected", None],
        },
        geometry=[Point(20, 60), Point(50, 60), Point(80, 60)],
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1"], "zone_class": ["water_source"], "name": ["水源保护区"]},
        geometry=[Polygon([(60, 70), (95, 70), (95, 95), (60, 95)])],
    )
    return {"pipes": pipes, "enterprises": enterprises, "zones": zones}


def pixel_rgb(image, view, x, y):
    px, py = view.to_pixel(x, y)
    c = image.pixelColor(int(px), int(py))
    return c.red(), c.green(), c.blue()


def near(rgb, hex_color, tol=40):
    want = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tol for a, b in zip(rgb, want, strict=True))


@pytest.fixture
def layers(qapp):
    return layers_from_project(small_project())


@pytest.fixture
def view():
    return View.fit(BOUNDS, *SIZE)


def test_render_sewage_pipe_pixel_is_brown(layers, view):
    image = render_map(layers, view)
    assert (image.width(), image.height()) == SIZE
    assert near(pixel_rgb(image, view, 30, 0), symbology.SYSTEM_COLORS["sewage"])
    assert near(pixel_rgb(image, view, 30, 20), symbology.SYSTEM_COLORS["rain"])
    assert near(pixel_rgb(image, view, 30, 40), symbology.SYSTEM_COLORS["combined"])
    assert pixel_rgb(image, view, 30, 10) == (255, 255, 255)


def test_render_enterprises_coloured_by_connection_status(layers, view):
    image = render_map(layers, view)
    assert near(pixel_rgb(image, view, 50, 60), symbology.CONNECTION_COLORS["not_connected"])
    assert near(pixel_rgb(image, view, 20, 60), symbology.CONNECTION_COLORS["connected"])
    assert near(pixel_rgb(image, view, 80, 60), symbology.CONNECTION_COLORS["unknown"])


def test_render_zoomed_view_uses_index_and_keeps_colours(layers):
    view = View(30.0, 0.0, 0.05, *SIZE)  # 20 m wide: the spatial index path
    image = render_map(layers, view)
    assert near(pixel_rgb(image, view, 30, 0), symbology.SYSTEM_COLORS["sewage"])
    assert pixel_rgb(image, view, 30, 5) == (255, 255, 255)


def test_render_extreme_zoom_clips_long_segments(layers):
    view = View(30.0, 0.0, 1e-5, *SIZE)  # pipe ends millions of pixels away
    image = render_map(layers, view)
    assert near(pixel_rgb(image, view, 30, 0), symbology.SYSTEM_COLORS["sewage"])


def test_render_hidden_layer_is_not_drawn(layers, view):
    ents = next(lay for lay in layers if lay.kind == "enterprises")
    ents.visible = False
    image = render_map(layers, view)
    assert pixel_rgb(image, view, 50, 60) == (255, 255, 255)


def test_render_cancelled_raises(layers, view):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderCancelled):
        render_map(layers, view, cancel=cancel)


def test_render_multilinestring_and_empty_layers(qapp, view):
    pipes = gpd.GeoDataFrame(
        {"system": ["rain"], "diameter_mm": [800.0]},
        geometry=[MultiLineString([[(0, 0), (50, 0)], [(60, 30), (90, 30)]])],
    )
    empty = gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([]))
    image = render_map([MapLayer("pipes", pipes), MapLayer("plants", empty)], view)
    assert near(pixel_rgb(image, view, 25, 0), symbology.SYSTEM_COLORS["rain"])
    assert near(pixel_rgb(image, view, 75, 30), symbology.SYSTEM_COLORS["rain"])
    assert pixel_rgb(image, view, 55, 15) == (255, 255, 255)


def test_render_style_change_recolours(layers, view):
    pipes = layers[[lay.kind for lay in layers].index("pipes")]
    pipes.style = symbology.single_style("line", "#00ff00")
    image = render_map(layers, view)
    assert near(pixel_rgb(image, view, 30, 0), "#00ff00")


def test_line_geometry_anchors_halfway_along():
    geoms = np.array([LineString([(0, 20), (100, 20), (100, 60)])], dtype=object)
    mid, direction, length = LineGeometry.build(geoms).anchors()
    assert length[0] == pytest.approx(140.0)
    assert mid[0] == pytest.approx([70.0, 20.0])
    assert direction[0] == pytest.approx([1.0, 0.0])


def test_view_zoomed_keeps_anchor_point():
    v = View(0.0, 0.0, 2.0, 400, 300)
    before = v.to_map(100, 50)
    z = v.zoomed(1.5, 100, 50)
    assert z.scale == pytest.approx(2.0 / 1.5)
    assert z.to_map(100, 50) == pytest.approx(before)


def test_view_panned_moves_content():
    v = View(0.0, 0.0, 2.0, 400, 300)
    p = v.panned(10, 0)
    assert p.to_pixel(*v.to_map(50, 50)) == pytest.approx((60, 50))


def test_classify_categorized_graduated_and_width():
    df = gpd.GeoDataFrame(
        {"system": ["rain", "sewage", None, "odd"], "diameter_mm": [200, 650, None, 1500]},
        geometry=[Point(0, 0)] * 4,
    )
    style = symbology.default_style("pipes")
    codes = symbology.classify(style, df)
    values = [c.value for c in style.classes]
    assert codes.tolist() == [values.index("rain"), values.index("sewage"), 4, 4]
    assert symbology.width_classes(style, df).tolist() == [0, 2, 4, 3]
    grad = symbology.graduated_style(df, "diameter_mm", "line", n_classes=2, method="equal")
    assert symbology.classify(grad, df).tolist() == [0, 0, 2, 1]  # break at 850


def test_legend_entries_match_used_classes():
    data = small_project()["enterprises"]
    style = symbology.default_style("enterprises")
    labels = [e.label for e in symbology.legend_entries(style, "point", data=data)]
    assert labels == ["已接管", "未接管", "未知"]
    pipe_legend = symbology.legend_entries(symbology.default_style("pipes", "en"), "line")
    assert [e.geometry for e in pipe_legend].count("arrow") == 1
    assert "sewage" in [e.label for e in pipe_legend]


def test_format_scale_rounds():
    assert format_scale(12345.6) == "1:12,300"
    assert format_scale(500) == "1:500"
    assert scale_denominator(1.0, 96) == pytest.approx(3779.5, rel=1e-3)
