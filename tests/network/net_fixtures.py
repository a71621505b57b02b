"""Hand-built canonical layers for the network tests (coordinates in metres, EPSG:4547)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point

CRS = "EPSG:4547"


def pipes_gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    """rows: dicts with pipe_id, coords and any canonical columns."""
    recs = []
    geoms = []
    for r in rows:
        r = dict(r)
        geoms.append(LineString(r.pop("coords")))
        recs.append(r)
    return gpd.GeoDataFrame(recs, geometry=geoms, crs=CRS)


def points_gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    recs = []
    geoms = []
    for r in rows:
        r = dict(r)
        geoms.append(Point(r.pop("xy")))
        recs.append(r)
    return gpd.GeoDataFrame(recs, geometry=geoms, crs=CRS)


MANHOLES = {
    "M1": (0, 0),
    "M2": (100, 0),
    "M3": (200, 0),
    "M4": (300, 0),
    "M5": (100, 100),
    "M9": (200, 100),
    "M10": (200, 200),
    "M11": (300, 200),
    "M12": (0, -100),
}


def park_layers() -> dict[str, gpd.GeoDataFrame]:
    """A small sewage park with twin pipes, a side connection, a loop and a barrier.

    M12 -P6(blocked)-> M1 -P1-> M2 =P2a/P2b (twins)=> M3 -P3-> M4 (plant W1)
    M5 -P5-> M2; lateral L1 from (250, 50) joins P3 mid-way at (250, 0) (no manhole)
    loop M9 -P9-> M10 -P10-> M11 -P11-> M9, drained by P12 M9 -> M3
    Enterprises: E1 at M5, E2 at M1, E3 at M12 (behind the blocked pipe), E4 near L1's start.
    """
    m = MANHOLES
    sew = {"system": "sewage"}
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "P1",
                "from_node": "M1",
                "to_node": "M2",
                "coords": [m["M1"], m["M2"]],
                "diameter_mm": 300.0,
                "from_invert_m": 10.0,
                "to_invert_m": 9.5,
                **sew,
            },
            {
                "pipe_id": "P2a",
                "from_node": "M2",
                "to_node": "M3",
                "coords": [m["M2"], m["M3"]],
                "diameter_mm": 400.0,
                "from_invert_m": 9.5,
                "to_invert_m": 9.0,
                **sew,
            },
            {
                "pipe_id": "P2b",
                "from_node": "M2",
                "to_node": "M3",
                "coords": [m["M2"], (150, 3), m["M3"]],
                "diameter_mm": 400.0,
                **sew,
            },
            {
                "pipe_id": "P3",
                "from_node": "M3",
                "to_node": "M4",
                "coords": [m["M3"], m["M4"]],
                "diameter_mm": 500.0,
                "from_invert_m": 9.0,
                "to_invert_m": 8.0,
                **sew,
            },
            {
                "pipe_id": "P5",
                "from_node": "M5",
                "to_node": "M2",
                "coords": [m["M5"], m["M2"]],
                "diameter_mm": 300.0,
                **sew,
            },
            {"pipe_id": "L1", "coords": [(250, 50), (250, 0)], "diameter_mm": 200.0, **sew},
            {
                "pipe_id": "P6",
                "from_node": "M12",
                "to_node": "M1",
                "coords": [m["M12"], m["M1"]],
                "diameter_mm": 300.0,
                "status": "blocked",
                **sew,
            },
            {
                "pipe_id": "P9",
                "from_node": "M9",
                "to_node": "M10",
                "coords": [m["M9"], m["M10"]],
                "diameter_mm": 300.0,
                **sew,
            },
            {
                "pipe_id": "P10",
                "from_node": "M10",
                "to_node": "M11",
                "coords": [m["M10"], m["M11"]],
                "diameter_mm": 300.0,
                **sew,
            },
            {
                "pipe_id": "P11",
                "from_node": "M11",
                "to_node": "M9",
                "coords": [m["M11"], m["M9"]],
                "diameter_mm": 300.0,
                **sew,
            },
            {
                "pipe_id": "P12",
                "from_node": "M9",
                "to_node": "M3",
                "coords": [m["M9"], m["M3"]],
                "diameter_mm": 300.0,
                **sew,
            },
        ]
    )
    manholes = points_gdf([{"node_id": k, "xy": v, "ground_m": 12.0} for k, v in m.items()])
    ents = points_gdf(
        [
            {
                "ent_id": "E1",
                "name": "甲公司",
                "flow_tpd": 100.0,
                "cod_mgl": 400.0,
                "connect_node": "M5",
                "xy": (105, 105),
            },
            {
                "ent_id": "E2",
                "name": "乙公司",
                "flow_tpd": 50.0,
                "cod_mgl": 300.0,
                "connect_node": "M1",
                "xy": (-5, 5),
            },
            {
                "ent_id": "E3",
                "name": "丙公司",
                "flow_tpd": 10.0,
                "cod_mgl": 200.0,
                "connect_node": "M12",
                "xy": (-5, -105),
            },
            {
                "ent_id": "E4",
                "name": "丁公司",
                "flow_tpd": 20.0,
                "cod_mgl": 500.0,
                "connect_node": None,
                "xy": (252, 55),
            },
        ]
    )
    plants = points_gdf(
        [
            {
                "plant_id": "W1",
                "name": "园区污水厂",
                "node_id": "M4",
                "capacity_tpd": 1000.0,
                "load_tpd": 160.0,
                "cod_in_mgl": 350.0,
                "xy": (305, 0),
            }
        ]
    )
    return {"pipes": pipes, "manholes": manholes, "enterprises": ents, "plants": plants}
