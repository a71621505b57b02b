"""The paper map a design institute signs (issue 17 item 1): labels that never overlap, halos,
pipe labels along the pipe, flow arrows spaced on paper, sewage above rain, the margins, the
neat line and the title block, the whole park (town plant P02 included) on the page."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from shapely.geometry import LineString

from gisapp.cartography import flowmap, labels
from gisapp.cartography.export import export_project_map
from network.io.project import open_project

FONT = {"fontfamily": flowmap.cjk_font()}
DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo_park.gpkg"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The default whole-park A4 page of the demo park with the trace of E01 (built once)."""
    tmp = tmp_path_factory.mktemp("page")
    copy = tmp / "demo_park.gpkg"
    shutil.copyfile(DEMO, copy)
    project = open_project(copy)
    figures = []
    make = flowmap.flow_map_figure
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            flowmap,
            "flow_map_figure",
            lambda *a, **k: figures.append(make(*a, **k)) or figures[-1],
        )
        export_project_map(project, tmp / "map.pdf", trace_from="E01")
    return project, figures[-1]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# --- labels -------------------------------------------------------------------------------------
def test_paper_map_labels_never_overlap(page):
    _, fig = page
    boxes = [p.box for p in fig.placed_labels]
    assert len(boxes) > 40
    for a, b in itertools.combinations(boxes, 2):
        assert not a.intersects(b)


def test_paper_map_label_boxes_hold_the_drawn_text(page):
    _, fig = page
    renderer = fig.canvas.get_renderer()
    for p in fig.placed_labels:
        if p.request.angle is None:
            bb = p.artist.get_window_extent(renderer)
            drawn = shapely.box(bb.x0, bb.y0, bb.x1, bb.y1)
            assert p.box.buffer(1.0).contains(drawn), p.request.text


def test_paper_map_names_plants_outfalls_and_enterprises(page):
    project, fig = page
    shown = {p.request.text for p in fig.placed_labels}
    # the two outfalls at the park plant that used to print over each other
    assert {"PK01", "PK08"} <= shown
    assert {"益泉精细化工产业园污水处理厂", "资阳区城镇污水处理厂"} <= shown
    names = set(project.layers["enterprises"]["name"])
    assert len(names & shown) >= 30  # most of the 40 enterprises named on an A4 page
    assert any(t.startswith("DN") for t in shown)  # pipe labels along the pipes


def test_paper_map_all_map_text_has_a_white_halo(page):
    _, fig = page
    for t in fig.axes[0].texts:
        effects = t.get_path_effects()
        assert effects and isinstance(effects[0], withStroke), t.get_text()
        assert effects[0]._gc["foreground"] == "white"


def test_place_labels_keeps_the_higher_priorities():
    # six labels of the same size on one point, no leader lines: the four diagonal places
    # take four labels; right/left/above/below each overlap two diagonal boxes (the label is
    # taller than twice the gap), so the two pipe labels are dropped.
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    reqs = [
        labels.LabelRequest("管一", 50, 50, labels.PIPE, 8, leader=False),
        labels.LabelRequest("管二", 50, 50, labels.PIPE, 8, leader=False),
        labels.LabelRequest("井井", 50, 50, labels.MANHOLE, 8, leader=False),
        labels.LabelRequest("企企", 50, 50, labels.ENTERPRISE, 8, leader=False),
        labels.LabelRequest("口口", 50, 50, labels.OUTFALL, 8, leader=False),
        labels.LabelRequest("厂厂", 50, 50, labels.PLANT, 8, leader=False),
    ]
    placed = labels.place_labels(ax, reqs, font=FONT)
    assert [p.request.text for p in placed] == ["厂厂", "口口", "企企", "井井"]
    quadrants = set()
    for p in placed:
        c = p.box.centroid
        px, py = ax.transData.transform((50, 50))
        quadrants.add((c.x > px, c.y > py))
    assert len(quadrants) == 4


def test_place_labels_uses_a_leader_line_when_the_ring_is_full():
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    reqs = [labels.LabelRequest(f"企业{i}", 50, 50, labels.ENTERPRISE, 8) for i in range(6)]
    placed = labels.place_labels(ax, reqs, font=FONT)
    assert len(placed) == 6
    assert sum(p.leader is not None for p in placed) == 2
    for a, b in itertools.combinations([p.box for p in placed], 2):
        assert not a.intersects(b)


# --- pipes --------------------------------------------------------------------------------------
def _pipes(rows):
    return gpd.GeoDataFrame(
        rows, geometry=[LineString(r.pop("coords")) for r in rows], crs="EPSG:4525"
    )


def test_pipe_labels_run_along_the_pipe_once_per_run():
    pipes = _pipes(
        [
            {
                "system": "sewage",
                "diameter_mm": 600.0,
                "material": "钢筋混凝土",
                "coords": [(0, 0), (100, 0)],
            },
            {
                "system": "sewage",
                "diameter_mm": 600.0,
                "material": "钢筋混凝土",
                "coords": [(100, 0), (200, 0)],
            },
            {
                "system": "rain",
                "diameter_mm": 300.0,
                "material": "HDPE",
                "coords": [(0, 100), (0, 20)],
            },
        ]
    )
    reqs = flowmap.pipe_label_requests(pipes, f=1.0, mm=1.0)  # 1:1000, metres
    by_text = {r.text: r for r in reqs}
    assert set(by_text) == {"DN600 钢筋混凝土", "DN300 HDPE"}
    run = by_text["DN600 钢筋混凝土"]
    assert (run.x, run.y, run.angle, run.span) == (100.0, 0.0, 0.0, 200.0)  # the whole run
    # drawn downwards, read bottom to top: the angle is turned upright
    assert by_text["DN300 HDPE"].angle == pytest.approx(90.0)
    assert (by_text["DN300 HDPE"].x, by_text["DN300 HDPE"].y) == (0.0, 60.0)


def test_flow_arrows_are_spaced_by_paper_distance_against_the_digitising():
    # a 1000 m run of ten pipes digitised west→east, flowing east→west; at 1:1000 a 300 mm
    # spacing on paper is 300 m: three arrows at 1000/3·(i + ½) from the upstream end
    pipes = _pipes(
        [{"system": "sewage", "coords": [(100 * i, 0), (100 * (i + 1), 0)]} for i in range(10)]
    )
    arrows = flowmap.flow_arrow_positions(pipes, np.zeros(10, bool), spacing=300.0, min_length=8)
    xs = sorted(a[0] for a in arrows)
    assert xs == pytest.approx([1000 - 1000 / 3 * 2.5, 1000 - 1000 / 3 * 1.5, 1000 - 1000 / 6])
    assert all(a[2] == pytest.approx(-1.0) and a[3] == pytest.approx(0.0) for a in arrows)
    assert {a[4] for a in arrows} == {"sewage"}


def test_flow_arrow_on_a_short_run_sits_in_its_middle():
    pipes = _pipes([{"system": "sewage", "coords": [(0, 0), (0, 50)]}])
    (arrow,) = flowmap.flow_arrow_positions(pipes, None, spacing=300.0, min_length=8)
    assert arrow[:4] == pytest.approx((0.0, 25.0, 0.0, 1.0))
    assert flowmap.flow_arrow_positions(pipes, None, spacing=300.0, min_length=60) == []


def test_paper_map_draws_sewage_above_a_faded_rain_system(page):
    _, fig = page
    ax = fig.axes[0]
    rain = flowmap._mpl_color(flowmap._fade(flowmap.sym.SYSTEM_COLORS["rain"]))
    sewage = flowmap._mpl_color(flowmap.sym.SYSTEM_COLORS["sewage"])
    z_rain = [
        c.get_zorder()
        for c in ax.collections
        if isinstance(c, LineCollection) and np.allclose(c.get_colors()[0], rain)
    ]
    z_sewage = [
        c.get_zorder()
        for c in ax.collections
        if isinstance(c, LineCollection) and np.allclose(c.get_colors()[0], sewage)
    ]
    assert z_rain and z_sewage
    assert max(z_rain) < min(z_sewage)


# --- the page -----------------------------------------------------------------------------------
def test_paper_map_default_extent_holds_both_plants(page):
    project, fig = page
    x0, y0, x1, y1 = fig.map_extent
    for g in project.layers["plants"].geometry:  # P02, the town plant, lies east of the park
        assert x0 < g.x < x1 and y0 < g.y < y1


def test_paper_map_is_at_a_standard_scale_with_coordinate_ticks(page):
    _, fig = page
    assert fig.map_scale in flowmap.STANDARD_SCALES
    ax = fig.axes[0]
    xt = ax.get_xticks()
    assert len(xt) >= 3
    step = np.diff(xt)
    assert np.allclose(step, step[0]) and step[0] % 100 == 0  # round CGCS2000 metres
    assert next(t.get_text() for t in ax.get_xticklabels()) == f"{xt[0]:.0f}"


def test_paper_map_margins_hold_the_scale_bar_north_arrow_and_title_block(page):
    _, fig = page
    renderer = fig.canvas.get_renderer()
    map_box = fig.axes[0].get_window_extent(renderer)
    for ax in fig.axes[2:]:  # legend, scale bar + north arrow, title block
        bb = ax.get_window_extent(renderer)
        assert bb.x0 >= map_box.x1 - 0.5  # right of the neat line: nothing sits on the map
    texts = [t for ax in fig.axes for t in _texts(ax)]
    for label in (
        "图名",
        "比例尺",
        "坐标系",
        "高程系",
        "制图单位",
        "制图日期",
        "图号",
        "北",
        "图例",
    ):
        assert label in texts
    assert "CGCS2000 3度带 第37带（EPSG:4525）" in texts
    assert f"1:{fig.map_scale}" in texts  # under the scale bar


def test_paper_map_legend_is_chinese_and_lists_the_trace(page):
    _, fig = page
    legend = _texts(fig.axes[2])
    assert "E01 下游路径" in legend
    assert {"污水", "雨水", "流向", "已接管"} <= set(legend)
    assert "人口" not in legend and "畜禽养殖场" not in legend  # COD-balance layers stay off
    for t in legend:  # codes and numbers only in ASCII (DN classes, ids)
        if t.isascii():
            assert t.startswith(("DN", "E0")), t


def test_crs_label_zh_names_the_zone():
    from pyproj import CRS

    assert flowmap.crs_label_zh(CRS.from_epsg(4525)) == "CGCS2000 3度带 第37带（EPSG:4525）"
    assert flowmap.crs_label_zh(CRS.from_epsg(4547)).startswith("CGCS2000 3度带 中央经线114°")
