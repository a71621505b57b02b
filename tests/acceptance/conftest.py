"""A small hand-worked park for the acceptance tests (real GeoJSON layers → a real project).

Sewage: A → B → C (plant W1 at C, 1000 t/d, load 600 t/d, influent COD 300 mg/L, online).
Rain: D → E → G (rain outfall O1 at G). Sewage pipe S3 F → E joins the rain manhole E:
one rain/sewage misconnection, and O1 receives sewage (an illegal outfall).
Enterprises: E1 at A and E2 at B are connected (100 + 200 t/d); E3 at F drains to O1; E4 has
no manhole and no pipe near it. E1–E3 hold permits, E4 none.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

X0, Y0 = 500000.0, 3000000.0
CRS = "EPSG:4547"


def _p(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def _l(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def write_small_park(folder: Path) -> dict[str, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    layers = {
        "pipes": gpd.GeoDataFrame(
            {
                "pipe_id": ["S1", "S2", "S3", "R1", "R2"],
                "from_node": ["A", "B", "F", "D", "E"],
                "to_node": ["B", "C", "E", "E", "G"],
                "system": ["污水", "污水", "污水", "雨水", "雨水"],
                "diameter_mm": [300, 300, 300, 400, 400],
            },
            geometry=[
                _l((0, 0), (100, 0)),
                _l((100, 0), (200, 0)),
                _l((100, 100), (100, 50)),
                _l((0, 50), (100, 50)),
                _l((100, 50), (200, 50)),
            ],
            crs=CRS,
        ),
        "manholes": gpd.GeoDataFrame(
            {"node_id": list("ABCDEFG")},
            geometry=[
                _p(0, 0),
                _p(100, 0),
                _p(200, 0),
                _p(0, 50),
                _p(100, 50),
                _p(100, 100),
                _p(200, 50),
            ],
            crs=CRS,
        ),
        "enterprises": gpd.GeoDataFrame(
            {
                "ent_id": ["E1", "E2", "E3", "E4"],
                "name": ["甲化工有限公司", "乙制药有限公司", "丙电镀有限公司", "丁食品有限公司"],
                "permit_no": ["91430900MA4L000001001V", "91430900MA4L000002001V", "P-3", None],
                "flow_tpd": [100.0, 200.0, 50.0, 30.0],
                "cod_mgl": [400.0, 300.0, 500.0, 200.0],
                "connect_node": ["A", "B", "F", None],
            },
            geometry=[_p(0, -10), _p(100, -10), _p(110, 100), _p(5000, 5000)],
            crs=CRS,
        ),
        "plants": gpd.GeoDataFrame(
            {
                "plant_id": ["W1"],
                "name": ["园区污水处理厂"],
                "capacity_tpd": [1000.0],
                "load_tpd": [600.0],
                "cod_in_mgl": [300.0],
                "standard": ["一级A"],
                "online_monitoring": ["是"],
                "node_id": ["C"],
            },
            geometry=[_p(200, 0)],
            crs=CRS,
        ),
        "outfalls": gpd.GeoDataFrame(
            {
                "outfall_id": ["O1"],
                "name": ["1号雨水排口"],
                "outfall_class": ["雨水排口"],
                "node_id": ["G"],
            },
            geometry=[_p(200, 50)],
            crs=CRS,
        ),
    }
    out = {}
    for kind, gdf in layers.items():
        path = folder / f"{kind}.geojson"
        gdf.to_file(path, driver="GeoJSON")
        out[kind] = [path]
    return out


@pytest.fixture
def small_park(tmp_path: Path) -> Path:
    """A fresh project of the small hand-worked park."""
    from network.io.project import create_project

    inputs = write_small_park(tmp_path / "src")
    path = tmp_path / "park" / "small_park.gpkg"
    path.parent.mkdir()
    create_project(path, inputs, crs=CRS)
    return path


@pytest.fixture
def park_sources(tmp_path: Path) -> dict[str, list[Path]]:
    """The small park's layers as GeoJSON files (kind → [path])."""
    return write_small_park(tmp_path / "src")
