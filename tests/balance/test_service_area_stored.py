"""A plant's service area from the stored network (its pipes read as ids and WKB, shapes made
a plant at a time) is the area a fresh build from the whole layers gives: on the demo park
and on a park with multipart pipes, a pipe without id and an edited area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import LineString, MultiLineString, Point

from network.io import topology
from network.io.project import create_project, open_project
from network.state import build_checked_network
from surveys.balance.areas import service_area_polygons

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 3_300_000.0  # inside the CRS's zone


def _at(x: float, y: float) -> Point:
    return Point(x + X0, y + Y0)


def _areas_both_ways(path: Path, edited=None):
    stored = topology.load_checked_network(path)
    assert stored is not None, "the project holds its network"
    ids, wkb = stored.network.layers.wkb_columns("pipes", ["pipe_id"])  # the path under test
    assert len(ids) == len(wkb) > 0
    project = open_project(path)
    fresh = build_checked_network(project.layers, project.settings, project.crs)
    areas = service_area_polygons(stored.network, edited, buffer_m=50)
    assert "pipes" not in stored.network.layers._frames, "no whole pipes layer was read"
    return (
        areas,
        service_area_polygons(fresh.network, edited, buffer_m=50),
    )


def _same(a, b):
    assert [x.plant_id for x in a] == [x.plant_id for x in b]
    for x, y in zip(a, b, strict=True):
        assert x.pipes == y.pipes and x.enterprises == y.enterprises and x.edited == y.edited
        if y.geometry is None:
            assert x.geometry is None
            continue
        assert x.geometry.symmetric_difference(y.geometry).area <= 1e-6 * y.geometry.area


def test_demo_park_areas_from_the_stored_network(demo_project):
    stored, fresh = _areas_both_ways(demo_project)
    assert any(a.geometry is not None and a.area_km2 > 0 for a in stored)
    _same(stored, fresh)


def _park(folder: Path) -> Path:
    pipes = gpd.GeoDataFrame(
        {
            "编号": ["P1", "P2", "P3", None, "P5"],
            "起点": ["A", "B", "C", "X", "F"],
            "终点": ["B", "C", "W", "Y", "G"],
        },
        geometry=[
            LineString([(0, 0), (300, 0)]),
            # a multipart pipe: both parts are in the band
            MultiLineString([[(300, 0), (300, 400)], [(300, 400), (600, 400)]]),
            LineString([(600, 400), (900, 400)]),
            LineString([(5000, 5000), (5100, 5000)]),  # no id, drains nowhere
            LineString([(9000, 0), (9300, 0)]),  # drains to the second plant
        ],
        crs=CRS,
    )
    plants = gpd.GeoDataFrame(
        {"编号": ["W1", "W2"], "名称": ["一厂", "二厂"], "接入井": ["W", "G"]},
        geometry=[Point(900, 400), Point(9300, 0)],
        crs=CRS,
    )
    ents = gpd.GeoDataFrame(
        {"企业编号": ["E1"], "企业名称": ["甲公司"], "接入井": ["A"]},
        geometry=[Point(-40, 10)],
        crs=CRS,
    )
    files = {}
    for name, gdf in (("pipes", pipes), ("plants", plants), ("enterprises", ents)):
        files[name] = folder / f"{name}.shp"
        gdf = gdf.set_geometry(gdf.translate(X0, Y0))
        pyogrio.write_dataframe(gdf, files[name], encoding="GBK")
    out = folder / "park.gpkg"
    create_project(out, {k: [v] for k, v in files.items()})
    return out


def test_multipart_and_unnamed_pipes_from_the_stored_network(tmp_path):
    stored, fresh = _areas_both_ways(_park(tmp_path))
    _same(stored, fresh)
    w1 = next(a for a in stored if a.plant_id == "W1")
    assert set(w1.pipes) == {"P1", "P2#1", "P2#2", "P3"} and w1.enterprises == ("E1",)
    # the multipart pipe came in as two pieces; its second part and the enterprise are in
    # the band
    assert w1.geometry.contains(_at(450, 420)) and w1.geometry.contains(_at(-40, 10))
    assert not w1.geometry.contains(_at(5050, 5000))
    w2 = next(a for a in stored if a.plant_id == "W2")
    assert w2.geometry.contains(_at(9150, 30))


def test_an_edited_area_wins_over_the_stored_pipes(tmp_path):
    edited = {"W1": shapely.box(X0 - 100, Y0 - 100, X0 + 50, Y0 + 50)}
    stored, fresh = _areas_both_ways(_park(tmp_path), edited)
    _same(stored, fresh)
    w1 = next(a for a in stored if a.plant_id == "W1")
    assert w1.edited and w1.geometry.equals(edited["W1"])
