"""A layer written through the prepared Arrow table is the very layer pyogrio's
``write_dataframe`` writes (``network.io.arrow_write``), and what the table cannot carry goes
to ``write_dataframe`` itself."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from network.io import arrow_write
from network.io import project as projmod

OPTIONS = projmod._LAYER_OPTIONS  # as the project writes every layer
CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E


def _tables(path: Path, layer: str) -> dict[str, object]:
    """The layer's schema, rows, spatial index and GeoPackage entries (no write times)."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, object] = {
            "schema": con.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", (layer,)
            ).fetchone()
        }
        queries = {
            "rows": f'SELECT * FROM "{layer}" ORDER BY 1',
            "rtree": f'SELECT * FROM "rtree_{layer}_geom" ORDER BY 1',
            "columns": "SELECT * FROM gpkg_geometry_columns",
            "srs": "SELECT * FROM gpkg_spatial_ref_sys ORDER BY 1",
            "extensions": "SELECT * FROM gpkg_extensions ORDER BY 1, 2, 3",
            "contents": "SELECT table_name, data_type, min_x, min_y, max_x, max_y, srs_id "
            "FROM gpkg_contents",
        }
        for name, sql in queries.items():
            h = hashlib.sha256()
            for row in con.execute(sql):
                h.update(repr(row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        con.close()


def _both(tmp_path: Path, frame: gpd.GeoDataFrame) -> tuple[dict, dict]:
    ready = arrow_write.prepare_layer(frame)
    assert ready is not None, "the frame is one the Arrow path takes"
    assert len(ready) == len(frame)
    arrow_write.write_prepared(ready, tmp_path / "arrow.gpkg", "pipes", OPTIONS)
    pyogrio.write_dataframe(
        frame, tmp_path / "pyogrio.gpkg", layer="pipes", driver="GPKG",
        layer_options=OPTIONS, use_arrow=True,
    )  # fmt: skip
    return _tables(tmp_path / "arrow.gpkg", "pipes"), _tables(tmp_path / "pyogrio.gpkg", "pipes")


def _pipes(n: int = 50) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    xs = 500_000 + rng.random(n) * 1000
    ys = 3_300_000 + rng.random(n) * 1000
    geoms = [LineString([(x, y), (x + 5, y + 7), (x + 9, y)]) for x, y in zip(xs, ys, strict=True)]
    geoms[3] = None  # a feature without a shape
    return gpd.GeoDataFrame(
        {
            "编号": pd.Series([f"WS{i:04d}" for i in range(n)], dtype="str"),  # Arrow strings
            "材质": pd.Series(["混凝土", None] * (n // 2), dtype="str"),
            "pipe_id": np.array([f"P{i}" for i in range(n)], dtype=object),
            "system": np.array(["sewage" if i % 3 else None for i in range(n)], dtype=object),
            "owner": np.array([None] * n, dtype=object),  # nothing known: text
            "diameter_mm": np.where(np.arange(n) % 7 == 0, np.nan, 300.0),
            "src_fid": np.arange(n, dtype=np.int64),
            "year": pd.array([2001 if i % 2 else None for i in range(n)], dtype="Int64"),
            "checked": np.arange(n) % 2 == 0,
            "laid": pd.to_datetime(["2020-05-01"] * n),
        },
        geometry=geoms,
        crs=CRS,
    )


def test_the_prepared_table_writes_the_same_layer(tmp_path):
    arrow, plain = _both(tmp_path, _pipes())
    assert arrow == plain


@pytest.mark.parametrize(
    "geoms",
    [
        [Point(1, 2), Point(3, 4), None],
        [MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 2)]])] * 3,
        [None, None, None],
    ],
    ids=["points", "multilines", "no shapes"],
)
def test_each_single_geometry_type_writes_the_same_layer(tmp_path, geoms):
    frame = gpd.GeoDataFrame({"pipe_id": ["A", "B", None]}, geometry=geoms, crs=CRS)
    arrow, plain = _both(tmp_path, frame)
    assert arrow == plain


def test_a_crs_without_an_epsg_code_writes_the_same_layer(tmp_path):
    custom = "+proj=tmerc +lat_0=0 +lon_0=114.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
    frame = gpd.GeoDataFrame({"pipe_id": ["A"]}, geometry=[Point(1, 2)], crs=custom)
    arrow, plain = _both(tmp_path, frame)
    assert arrow == plain


@pytest.mark.parametrize(
    "frame",
    [
        gpd.GeoDataFrame(  # single and multi lines: pyogrio makes them all multi
            {"pipe_id": ["A", "B"]},
            geometry=[LineString([(0, 0), (1, 1)]), MultiLineString([[(0, 0), (1, 1)]])],
        ),
        gpd.GeoDataFrame({"pipe_id": ["A"]}, geometry=[Point(1, 2, 3)]),  # 3-D
        gpd.GeoDataFrame(
            {"seen": pd.to_datetime(["2024-01-01"]).tz_localize("Asia/Shanghai")},
            geometry=[Point(1, 2)],
        ),
        gpd.GeoDataFrame({"raw": [b"\x00\x01"]}, geometry=[Point(1, 2)]),  # bytes
        gpd.GeoDataFrame({"kind": pd.Categorical(["a"])}, geometry=[Point(1, 2)]),
    ],
    ids=["single and multi", "3-D", "time zone", "bytes", "categorical"],
)
def test_what_the_table_cannot_carry_is_left_to_pyogrio(frame):
    assert arrow_write.prepare_layer(frame) is None


def test_a_project_writes_its_layers_through_the_arrow_table(tmp_path, monkeypatch):
    # the project's own writer takes the prepared path, and what it cannot prepare (a
    # layer of mixed single and multi lines) still reaches the file through pyogrio
    pipes = _pipes()
    pipes.loc[5, "geometry"] = MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])
    plants = gpd.GeoDataFrame({"plant_id": ["W1"]}, geometry=[Point(500_100, 3_300_100)], crs=CRS)
    written = []
    real = arrow_write.write_prepared
    monkeypatch.setattr(
        arrow_write,
        "write_prepared",
        lambda r, p, layer, o, **kw: written.append(layer) or real(r, p, layer, o, **kw),
    )
    path = tmp_path / "p.gpkg"
    projmod._write_layers(
        {"pipes": pipes, "plants": plants}, path, None, copied=False, target=path
    )
    assert written == ["plants"], "the mixed layer went to pyogrio, the other to the table"
    back = pyogrio.read_dataframe(path, layer="pipes")
    assert len(back) == len(pipes)
    assert back.geom_type.dropna().unique().tolist() == ["MultiLineString"]
    assert pyogrio.read_dataframe(path, layer="plants")["plant_id"].tolist() == ["W1"]


def _every_table(path: Path) -> dict[str, str]:
    """Every table of the file, hashed (the write time of gpkg_contents left out), and the
    file's schema (tables, triggers, indexes). An R-tree is compared by what it holds (the
    virtual table's rows): its node tables are the tree's layout, which
    :mod:`network.io.spatial_index` packs in one pass where GDAL inserts box by box; each tree
    must pass SQLite's own check."""
    con = sqlite3.connect(path)
    try:
        out = {}
        schema = con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        out["sqlite_master"] = hashlib.sha256(repr(schema).encode()).hexdigest()
        rtrees = [name for typ, name, _t, sql in schema if "USING rtree" in (sql or "")]
        shadows = {f"{r}_{part}" for r in rtrees for part in ("node", "parent", "rowid")}
        for name in rtrees:
            assert con.execute("SELECT rtreecheck(?)", (name,)).fetchone() == ("ok",), name
        for typ, name, _t, _sql in schema:
            if typ != "table" or name in shadows:
                continue
            h = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                h.update(repr(row[:4] + row[5:] if name == "gpkg_contents" else row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        con.close()


def test_every_layer_of_the_demo_park_is_written_the_same_either_way(tmp_path, demo_project):
    project = projmod.open_project(demo_project)
    taken = []
    for kind, gdf in project.layers.items():
        frame = projmod._writable(gdf, kind)
        ready = arrow_write.prepare_layer(frame)
        if ready is None:
            continue
        taken.append(kind)
        arrow_write.write_prepared(ready, tmp_path / "arrow.gpkg", kind, OPTIONS)
        pyogrio.write_dataframe(
            frame, tmp_path / "pyogrio.gpkg", layer=kind, driver="GPKG",
            layer_options=OPTIONS, use_arrow=True,
        )  # fmt: skip
    assert {"pipes", "manholes", "enterprises", "zones"} <= set(taken)
    assert _every_table(tmp_path / "arrow.gpkg") == _every_table(tmp_path / "pyogrio.gpkg")
