"""Text columns hold one ``str`` object per distinct value, with the values unchanged.

At a million pipes a column of three materials held a million separate ``str`` objects
(60 MB); now rows of one value share its object. Real files are written with GDAL (a GBK
shapefile without .cpg, a GeoPackage), read through ``load_layer``, ``create_project`` and
``open_project``, and every value is compared with a plain per-row conversion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from network.io import dbf as dbfmod
from network.io.project import conform_layer, create_project, open_project
from network.io.read import load_layer

#: above the dbf fast reader's threshold and above the rows the conversions sample
N = 24_000
X0, Y0 = 500_000.0, 3_400_000.0  # inside EPSG:4547
MATERIALS = ["钢筋混凝土", "HDPE", "球墨铸铁", "", None]
OWNERS = ["市政", "园区管委会", " 企业 "]


def _plain(v: Any) -> str | None:
    """The per-row conversion the shared objects must equal."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip() or None


def _assert_one_object_per_value(values: list[Any]) -> None:
    present = [v for v in values if v is not None]
    assert all(type(v) is str for v in present)
    assert len({id(v) for v in present}) == len(set(present))


def _write_park(folder: Path, n: int = N) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    x = X0 + np.arange(n + 1, dtype=float) * 10.0
    pipes = gpd.GeoDataFrame(
        {
            "编号": [f"WS{i:05d}" for i in range(n)],
            "起点编号": [str(1000 + i) for i in range(n)],
            "终点编号": [str(1001 + i) for i in range(n)],
            "类型": ["污水"] * n,
            "材质": rng.choice(np.array(MATERIALS, dtype=object), n),
            "权属": rng.choice(OWNERS, n),
            "管径": rng.integers(200, 1600, n).astype(np.int32),
        },
        geometry=shapely.linestrings(
            np.stack([np.c_[x[:-1], np.full(n, Y0)], np.c_[x[1:], np.full(n, Y0)]], axis=1)
        ),
        crs="EPSG:4547",
    )
    manholes = gpd.GeoDataFrame(
        {
            "编号": np.arange(1000, 1001 + n, dtype=np.int64),
            "类型": rng.choice(["检查井", "跌水井", "沉泥井"], n + 1),
        },
        geometry=shapely.points(np.c_[x, np.full(n + 1, Y0)]),
        crs="EPSG:4547",
    )
    paths = folder / "管线.shp", folder / "检查井.shp"
    for gdf, shp in zip((pipes, manholes), paths, strict=True):
        pyogrio.write_dataframe(gdf, shp, encoding="GBK")
        shp.with_suffix(".cpg").unlink(missing_ok=True)  # GBK as surveyors' files come
    return paths


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _write_park(tmp_path_factory.mktemp("park"))


def test_load_layer_keeps_values_and_shares_objects_of_gbk_shapefile(park):
    pipes_shp, manholes_shp = park
    assert N >= dbfmod.MIN_RECORDS  # the fast DBF reader and the sampled columns are covered
    raw = pyogrio.read_dataframe(pipes_shp, encoding="GBK")
    pipes = load_layer(pipes_shp, "pipes").gdf
    for role, source in [
        ("pipe_id", "编号"),
        ("from_node", "起点编号"),
        ("to_node", "终点编号"),
        ("material", "材质"),
        ("owner", "权属"),
    ]:
        assert pipes[role].dtype == object
        assert pipes[role].tolist() == [_plain(v) for v in raw[source]], role
    material = pipes["material"].tolist()
    _assert_one_object_per_value(material)
    _assert_one_object_per_value(pipes["owner"].tolist())
    _assert_one_object_per_value(pipes["system"].tolist())
    first_hdpe, *other_hdpe = [v for v in material if v == "HDPE"]
    assert other_hdpe and all(v is first_hdpe for v in other_hdpe)
    assert set(pipes["owner"]) == {"市政", "园区管委会", "企业"}
    assert set(pipes["system"]) == {"sewage"}

    raw = pyogrio.read_dataframe(manholes_shp, encoding="GBK")
    manholes = load_layer(manholes_shp, "manholes").gdf
    assert manholes["node_id"].tolist() == [str(v) for v in raw["编号"]]  # int64 field
    assert manholes["node_type"].tolist() == raw["类型"].tolist()
    _assert_one_object_per_value(manholes["node_type"].tolist())


def test_blank_and_missing_text_become_none(park):
    pipes_shp, _ = park
    raw = pyogrio.read_dataframe(pipes_shp, encoding="GBK")
    blank = raw["材质"].isna().to_numpy() | (raw["材质"] == "").to_numpy()
    assert blank.any() and not blank.all()
    material = load_layer(pipes_shp, "pipes").gdf["material"]
    assert all(v is None for v in material[blank])
    assert material[~blank].notna().all()


def test_new_and_open_keep_values_and_share_objects(park, tmp_path):
    made = create_project(tmp_path / "park.gpkg", {"pipes": [park[0]], "manholes": [park[1]]})
    opened = open_project(made.path)
    for kind, columns in [
        ("pipes", ["pipe_id", "from_node", "to_node", "system", "material", "owner"]),
        ("manholes", ["node_id", "node_type"]),
    ]:
        for col in columns:
            new, reopened = made.layers[kind][col], opened.layers[kind][col]
            assert new.dtype == reopened.dtype == object
            assert reopened.tolist() == new.tolist(), (kind, col)
    for project in (made, opened):
        pipes = project.layers["pipes"]
        for col in ("system", "material", "owner"):
            _assert_one_object_per_value(pipes[col].tolist())
        _assert_one_object_per_value(project.layers["manholes"]["node_type"].tolist())
        assert pipes["material"].isna().any()
        assert set(pipes["material"].dropna()) == {"钢筋混凝土", "HDPE", "球墨铸铁"}


def test_geopackage_text_stripped_per_value_and_spellings_share_one_object(tmp_path):
    spellings = [" PVC", "PVC  ", "\u3000PVC", "PVC", "HDPE", "", "  ", None]
    n = len(spellings) * 9
    gpkg = tmp_path / "pipes.gpkg"
    gpd.GeoDataFrame(
        {
            "pipe_id": [f" P{i} " for i in range(n)],
            "material": (spellings * 9)[:n],
        },
        geometry=[shapely.LineString([(X0 + i, Y0), (X0 + i + 1, Y0)]) for i in range(n)],
        crs="EPSG:4547",
    ).to_file(gpkg, layer="pipes", engine="pyogrio")
    raw = pyogrio.read_dataframe(gpkg)
    pipes = load_layer(gpkg, "pipes").gdf
    assert pipes["pipe_id"].tolist() == [_plain(v) for v in raw["pipe_id"]]
    material = pipes["material"].tolist()
    assert material == [_plain(v) for v in raw["material"]]
    pvc = [v for v in material if v == "PVC"]
    assert len(pvc) == 4 * 9 and all(v is pvc[0] for v in pvc)
    assert material.count(None) == 3 * 9


def test_conform_layer_casts_each_repeated_number_once(tmp_path):
    gpkg = tmp_path / "manholes.gpkg"
    codes = [1, 2, 3, None] * 5
    gpd.GeoDataFrame(
        {"node_id": np.arange(20, dtype=np.int64), "node_type": codes},
        geometry=[Point(X0 + i, Y0) for i in range(20)],
        crs="EPSG:4547",
    ).to_file(gpkg, layer="manholes", engine="pyogrio")
    raw = pyogrio.read_dataframe(gpkg, use_arrow=True)
    assert raw["node_type"].dtype == np.float64  # integers with a null read as floats
    out = conform_layer(raw, "manholes")
    assert out["node_id"].tolist() == [str(i) for i in range(20)]
    assert out["node_type"].tolist() == ["1", "2", "3", None] * 5
    _assert_one_object_per_value(out["node_type"].tolist())


def test_conform_layer_casts_mixed_object_values_one_by_one():
    # 1, 1.0 and True are equal as Python values: one shared text would turn True into "1"
    g = gpd.GeoDataFrame(
        {"node_type": np.array([1, True, 1.0, None, "x"], dtype=object)},
        geometry=[Point(i, 0) for i in range(5)],
    )
    assert conform_layer(g, "manholes")["node_type"].tolist() == ["1", "True", "1", None, "x"]


@pytest.mark.parametrize(
    ("values", "want_text", "want_number"),
    [
        ([None] * 4, [None] * 4, [None] * 4),  # a role no column fills: passed over
        ([None, float("nan"), None, None], [None] * 4, [None] * 4),  # NaN where None is meant
        ([float("nan"), None, "2", " 3 "], [None, None, "2", " 3 "], [None, None, 2.0, 3.0]),
    ],
    ids=["all None", "None and NaN", "NaN first"],
)
def test_conform_layer_gives_none_for_missing_text_and_nan_for_missing_numbers(
    values, want_text, want_number
):
    g = gpd.GeoDataFrame(
        {"owner": np.array(values, dtype=object), "year": np.array(values, dtype=object)},
        geometry=[Point(i, 0) for i in range(4)],
    )
    out = conform_layer(g, "pipes")
    assert out["owner"].dtype == object and out["owner"].tolist() == want_text
    assert out["year"].dtype == np.float64
    assert [None if np.isnan(v) else v for v in out["year"]] == want_number
