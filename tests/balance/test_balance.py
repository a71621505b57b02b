"""The pollutant balance per plant service area (区域水污染物平衡核算), on real project files.

The small park (metres, EPSG:4547):

    A(0,0) -P1-> B(100,0) = plant W1      C(1000,0) -P2-> D(1100,0) = plant W2

* E1 at A: 100 t/d × 400 mg/L = 40 kg/d -> W1;  E2 at C: 50 t/d × 200 mg/L = 10 kg/d -> W2;
  E3 far away, no pipe within reach: 20 t/d × 500 mg/L = 10 kg/d, unserved.
* W1: inflow 200 t/d, COD 300 -> 50 mg/L: collected 60 kg/d, removed 50 kg/d; capacity 600 t/d.
  W2: inflow 80 t/d, COD 250 -> 30 mg/L: collected 20 kg/d, removed 17.6 kg/d; capacity 400 t/d;
  no online monitors.
* Population polygon R1, 1000 people, the box x -10..10, y -15..15: within 20 m of P1 (the
  W1 area is a 20 m band around it), so all in -> 1000 × 60 g = 60 kg/d, 1000 × 0.12 = 120 t/d.
  Population polygon R2, 400 people, x 1040..1060, y 10..30: W2's band ends at y = 20 -> half
  in (200 people, 12 kg/d, 24 t/d), half unserved (200 people, 12 kg/d).
* Farm F1, 100 pigs at (1050, 10) in W2's area: 100 × 133.7 g = 13.37 kg/d.
  Farm F2, 1000 poultry at (500, 500), in no area: 1000 × 5.4 g = 5.4 kg/d, unserved.

Hand-worked account (kg/d):
  W1: produced 40 + 60 = 100; collected 60 -> 60 %; removed 50 -> 50 %;
      flow 100 + 120 = 220 t/d vs 600 -> gap -380; flags: below 2025 target.
  W2: produced 10 + 12 + 13.37 = 35.37; collected 20 -> 56.55 %; removed 17.6;
      flow 50 + 24 = 74 t/d; influent 250 < 260 -> 一厂一策; 400 t/d < 500: no monitor flag.
  unserved: 10 + 12 + 5.4 = 27.4.   total produced 162.77, collected 80 -> 49.15 %.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.affinity import translate
from shapely.geometry import LineString, Point, box

from gisapp.cli import main
from network.io.project import create_project, open_project
from network.state import build_checked_network
from surveys.balance import (
    AreaStore,
    BalanceError,
    build_account,
    load_coefficients,
    read_edited_areas,
)
from surveys.balance.account import load_account
from surveys.balance.export import write_account_xlsx
from surveys.outfalls.store import MonitoringRecord, OutfallStore

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 3_400_000.0  # local (0, 0) of the drawings above, in EPSG:4547
ROOT = Path(__file__).resolve().parents[2]


def _write(gdf: gpd.GeoDataFrame, folder: Path, name: str) -> Path:
    path = folder / f"{name}.gpkg"
    gdf.to_file(path, driver="GPKG")
    return path


def _layers(people_r1=1000, w2_load=80.0, e2_flow=50.0) -> dict[str, gpd.GeoDataFrame]:
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2"],
            "from_node": ["A", "C"],
            "to_node": ["B", "D"],
            "system": ["sewage", "sewage"],
        },
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(1000, 0), (1100, 0)])],
        crs=CRS,
    )
    manholes = gpd.GeoDataFrame(
        {"node_id": ["A", "B", "C", "D"]},
        geometry=[Point(0, 0), Point(100, 0), Point(1000, 0), Point(1100, 0)],
        crs=CRS,
    )
    plants = gpd.GeoDataFrame(
        {
            "plant_id": ["W1", "W2"],
            "name": ["一厂", "二厂"],
            "node_id": ["B", "D"],
            "capacity_tpd": [600.0, 400.0],
            "load_tpd": [200.0, w2_load],
            "cod_in_mgl": [300.0, 250.0],
            "cod_out_mgl": [50.0, 30.0],
            "online_monitoring": ["是", "否"],
        },
        geometry=[Point(100, 0), Point(1100, 0)],
        crs=CRS,
    )
    ents = gpd.GeoDataFrame(
        {
            "ent_id": ["E1", "E2", "E3"],
            "name": ["甲厂", "乙厂", "丙厂"],
            "flow_tpd": [100.0, e2_flow, 20.0],
            "cod_mgl": [400.0, 200.0, 500.0],
            "connect_node": ["A", "C", None],
        },
        geometry=[Point(0, 5), Point(1000, 5), Point(5000, 5000)],
        crs=CRS,
    )
    pop = gpd.GeoDataFrame(
        {"pop_id": ["R1", "R2"], "name": ["东村", "西村"], "people": [people_r1, 400]},
        geometry=[box(-10, -15, 10, 15), box(1040, 10, 1060, 30)],
        crs=CRS,
    )
    farms = gpd.GeoDataFrame(
        {
            "farm_id": ["F1", "F2"],
            "name": ["猪场", "鸡场"],
            "livestock": ["生猪", "蛋鸡"],
            "head_count": [100, 1000],
        },
        geometry=[Point(1050, 10), Point(500, 500)],
        crs=CRS,
    )
    layers = {
        "pipes": pipes,
        "manholes": manholes,
        "plants": plants,
        "enterprises": ents,
        "population": pop,
        "farms": farms,
    }
    for gdf in layers.values():
        gdf.geometry = gdf.geometry.translate(X0, Y0)
    return layers


def _wkt(x0: float, y0: float, x1: float, y1: float) -> str:
    """A box in local coordinates, as WKT in the project CRS."""
    return translate(box(x0, y0, x1, y1), X0, Y0).wkt


@pytest.fixture(scope="module")
def _park_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small park as a real project: each layer a GeoPackage file, imported by `new`."""
    src = tmp_path_factory.mktemp("src")
    inputs = {kind: [_write(gdf, src, kind)] for kind, gdf in _layers().items()}
    out = tmp_path_factory.mktemp("built") / "park.gpkg"
    create_project(out, inputs)
    return out


@pytest.fixture
def park(_park_once: Path, tmp_path: Path) -> Path:
    """A private copy of the small park."""
    out = tmp_path / "park.gpkg"
    shutil.copy(_park_once, out)
    return out


def _account(path: Path, **kw):
    return load_account(path, year=2024, buffer_m=20.0, **kw)


def test_population_and_farm_layers_are_imported(park):
    project = open_project(park)
    assert project.layers["population"]["people"].tolist() == [1000.0, 400.0]
    assert project.layers["farms"]["livestock"].tolist() == ["生猪", "蛋鸡"]
    assert project.layers["farms"]["head_count"].tolist() == [100.0, 1000.0]


def test_hand_worked_account(park):
    acc = _account(park)
    w1, w2 = acc.areas
    assert (w1.plant_id, w2.plant_id) == ("W1", "W2")
    assert w1.industrial_cod_kgd == pytest.approx(40.0)
    assert w1.domestic_cod_kgd == pytest.approx(60.0)
    assert w1.produced_cod_kgd == pytest.approx(100.0)
    assert w1.collected_cod_kgd == pytest.approx(60.0)
    assert w1.removed_cod_kgd == pytest.approx(50.0)
    assert w1.collection_rate == pytest.approx(0.60)
    assert w1.reduction_rate == pytest.approx(0.50)
    assert w1.produced_flow_tpd == pytest.approx(220.0)
    assert w1.capacity_gap_tpd == pytest.approx(-380.0)
    assert w1.flags == ("below_2025_target",)

    assert w2.people == pytest.approx(200.0)
    assert w2.domestic_cod_kgd == pytest.approx(12.0)
    assert w2.livestock_cod_kgd == pytest.approx(13.37)
    assert w2.produced_cod_kgd == pytest.approx(35.37)
    assert w2.collected_cod_kgd == pytest.approx(20.0)
    assert w2.removed_cod_kgd == pytest.approx(17.6)
    assert w2.collection_rate == pytest.approx(20.0 / 35.37)
    assert w2.produced_flow_tpd == pytest.approx(74.0)
    assert set(w2.flags) == {"below_2025_target", "low_influent_cod"}  # 400 t/d: no monitor

    un = acc.unserved
    assert un.n_enterprises == 1 and un.industrial_cod_kgd == pytest.approx(10.0)
    assert un.people == pytest.approx(200.0) and un.domestic_cod_kgd == pytest.approx(12.0)
    assert un.livestock_cod_kgd == pytest.approx(5.4)
    assert un.collected_cod_kgd is None


def test_areas_and_unserved_add_up_to_the_total(park):
    acc = _account(park)
    t = acc.total
    assert t["produced_cod_kgd"] == pytest.approx(162.77)
    parts = sum(a.produced_cod_kgd for a in acc.areas) + acc.unserved.produced_cod_kgd
    assert parts == pytest.approx(t["produced_cod_kgd"])
    assert t["people"] == pytest.approx(1400.0) and t["heads"] == pytest.approx(1100.0)
    assert t["n_enterprises"] == 3
    assert t["collected_cod_kgd"] == pytest.approx(80.0)
    assert t["collection_rate"] == pytest.approx(80.0 / 162.77)
    assert t["produced_cod_ta"] == pytest.approx(162.77 * 365 / 1000)


def test_online_monitoring_flag_at_500_tpd(tmp_path):
    layers = _layers(w2_load=500.0)
    net = build_checked_network(layers).network
    w2 = build_account(net, buffer_m=20.0).areas[1]
    assert "online_monitoring_required" in w2.flags  # 500 t/d inflow, "否"
    w1 = build_account(net, buffer_m=20.0).areas[0]
    assert "online_monitoring_required" not in w1.flags  # 600 t/d but "是"


def test_edited_area_wins_and_is_marked(park):
    # W2's area drawn by hand to take in all of R2 and the poultry farm too
    with AreaStore(park) as store:
        store.set_area("W2", _wkt(400, -100, 1200, 600))
    assert set(read_edited_areas(park)) == {"W2"}
    acc = _account(park)
    w2 = acc.areas[1]
    assert w2.edited and not acc.areas[0].edited
    assert w2.area_km2 == pytest.approx(0.8 * 0.7)
    assert w2.people == pytest.approx(400.0)
    assert w2.heads == pytest.approx(1100.0)
    assert w2.produced_cod_kgd == pytest.approx(10 + 24 + 13.37 + 5.4)
    assert acc.unserved.people == 0 and acc.unserved.heads == 0
    with AreaStore(park) as store:
        assert store.clear_area("W2")
    assert not _account(park).areas[1].edited


def test_edited_area_must_be_a_polygon(park):
    with AreaStore(park) as store, pytest.raises(BalanceError, match=r"W2.*polygon"):
        store.set_area("W2", "LINESTRING (500000 3400000, 500001 3400001)")


def test_measured_figures_replace_declared_ones(park):
    with OutfallStore(park) as store:
        store.add_monitoring(
            [
                # E1 measured: 120 t/d × 500 mg/L = 60 kg/d (instead of 40)
                MonitoringRecord("E1", "2024-05-01T10:00", "dry", 120.0, 500.0),
                # W1 inlet measured: 250 t/d × 280 mg/L = 70 kg/d collected
                MonitoringRecord("W1", "2024-05-01T10:00", "dry", 250.0, 280.0),
                # a sample of another year is not used
                MonitoringRecord("E2", "2023-05-01T10:00", "dry", 999.0, 999.0),
            ]
        )
    acc = _account(park)
    w1, w2 = acc.areas
    assert w1.industrial_cod_kgd == pytest.approx(60.0)
    assert w1.collected_cod_kgd == pytest.approx(70.0)
    assert w1.inflow_basis == "monitoring"
    assert w1.removed_cod_kgd == pytest.approx(250 * (280 - 50) / 1000)
    assert w2.industrial_cod_kgd == pytest.approx(10.0)
    basis = {s.source_id: s.basis for s in acc.sources if s.kind == "industry"}
    assert basis == {"E1": "measured", "E2": "declared", "E3": "declared"}


def test_bad_data_is_reported_by_feature_and_field(tmp_path):
    layers = _layers(people_r1=-5)
    layers["enterprises"].loc[1, "flow_tpd"] = None  # E2: COD without flow
    layers["plants"].loc[1, "load_tpd"] = None  # W2: no inflow figure
    layers["farms"].loc[0, "livestock"] = "鸵鸟"
    net = build_checked_network(layers).network
    acc = build_account(net, buffer_m=20.0)
    probs = {(p.layer, p.feature, p.field) for p in acc.problems}
    assert ("population", "R1", "people") in probs
    assert ("enterprises", "E2", "flow_tpd") in probs
    assert ("plants", "W2", "load_tpd") in probs
    assert ("farms", "F1", "livestock") in probs
    msg = next(p for p in acc.problems if p.feature == "E2")
    assert "E2" in msg.message_en and "flow" in msg.message_en and "废水量" in msg.message_zh
    w1, w2 = acc.areas
    # the account still runs: W1 without R1's people, W2 marked as not computed
    assert w1.produced_cod_kgd == pytest.approx(40.0)
    assert w2.collected_cod_kgd is None and w2.collection_rate is None
    assert "no_inflow" in w2.flags
    assert acc.total["incomplete"] == ["W2"]
    assert acc.total["collected_cod_kgd"] == pytest.approx(60.0)


def test_coefficient_table_is_data_with_sources(tmp_path):
    c = load_coefficients()
    assert c.domestic.cod_g_per_day == 60.0 and "污染源普查" in c.domestic.source
    assert all(x.source for x in c.livestock)
    assert c.livestock_for("生猪养殖").code == "pig"
    bad = tmp_path / "coef.json"
    data = json.loads(Path(c.path).read_text(encoding="utf-8"))
    data["domestic"]["cod_g_per_day"] = -1
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BalanceError, match="cod_g_per_day"):
        load_coefficients(bad)
    # a user's table changes the figures: 80 g per person
    data["domestic"]["cod_g_per_day"] = 80
    bad.write_text(json.dumps(data), encoding="utf-8")
    net = build_checked_network(_layers()).network
    acc = build_account(net, buffer_m=20.0, coefficients=load_coefficients(bad))
    assert acc.areas[0].domestic_cod_kgd == pytest.approx(80.0)


def test_excel_account(park, tmp_path):
    out = write_account_xlsx([_account(park)], tmp_path / "balance.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[:4] == ["2024年核算", "污染源", "数据问题", "核算系数"]
    assert "收集范围图" in wb.sheetnames
    ws = wb["2024年核算"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r, strict=False)) for r in ws.iter_rows(2, 5, values_only=True)}
    assert rows["W1"]["COD产生量合计(t/a)"] == pytest.approx(100 * 0.365)
    assert rows["W1"]["集中收集率"] == pytest.approx(0.6)
    assert rows["—"]["收集范围"] == "未纳入"
    assert rows["合计"]["COD产生量合计(t/a)"] == pytest.approx(162.77 * 0.365)
    coef = [r[0] for r in wb["核算系数"].iter_rows(2, values_only=True)]
    assert "resident" in coef and "pig" in coef


def test_cli_balance_json_keeps_keys_and_adds_the_account(park, capsys, tmp_path):
    xlsx = tmp_path / "b.xlsx"
    code = main(["balance", str(park), "--year", "2024", "--json", "--xlsx", str(xlsx)])
    out = capsys.readouterr().out
    d = json.loads(out)
    assert code == 0
    assert {"plants", "park", "nodes"} <= set(d)  # the keys `balance --json` always had
    assert d["plants"][0]["plant_id"] == "W1"
    assert d["account"]["year"] == 2024
    assert [a["plant_id"] for a in d["account"]["areas"]] == ["W1", "W2"]
    assert d["account"]["unserved"]["n_enterprises"] == 1
    assert xlsx.exists()


def test_cli_balance_text_and_area(park, capsys):
    code = main(["balance", str(park), "--year", "2024", "--buffer", "20"])
    out = capsys.readouterr().out
    assert code == 0 and "集中收集率" in out and "60.0%" in out and "核算系数" in out
    code = main(["balance-area", str(park), "W2", "--wkt", "POINT (0 0)"])
    err = capsys.readouterr().err
    assert code == 2 and "W2" in err and "polygon" in err


def test_cli_balance_area_from_a_file_and_clear(park, capsys, tmp_path):
    # the hand-drawn area given as a layer file in lon/lat: reprojected into the project CRS
    area = gpd.GeoDataFrame(
        {"name": ["二厂范围"]}, geometry=[translate(box(400, -100, 1200, 600), X0, Y0)], crs=CRS
    ).to_crs("EPSG:4490")
    src = tmp_path / "area.geojson"
    area.to_file(src, driver="GeoJSON")
    assert main(["balance-area", str(park), "W2", "--from", str(src), "--note", "规划"]) == 0
    got = read_edited_areas(park)["W2"]
    assert got.area == pytest.approx(800 * 700, rel=1e-4)
    assert _account(park).areas[1].people == pytest.approx(400.0)
    assert main(["balance-area", str(park), "W2", "--clear"]) == 0
    assert read_edited_areas(park) == {}
    capsys.readouterr()


def test_project_without_balance_tables_reads_empty(park):
    with sqlite3.connect(park) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert "pa_balance_areas" not in names
    assert read_edited_areas(park) == {}


def test_demo_park_account(demo_project):
    import json as _json

    key = _json.loads((ROOT / "resources/demo/answer_key.json").read_text(encoding="utf-8"))
    acc = load_account(demo_project, year=2024)
    flags = {a.plant_id: list(a.flags) for a in acc.areas}
    assert flags == key["balance"]["expected_flags"]
    assert acc.areas[1].edited  # P02's town area was drawn by hand
    unserved = {s.source_id for s in acc.sources if s.plant_id is None and s.share == 1.0}
    assert set(key["balance"]["unserved"]["population"]) <= unserved
    assert set(key["balance"]["unserved"]["farms"]) <= unserved
    assert not acc.problems


def test_set_area_command_undo_restores_the_previous_area(park):
    from surveys.balance.areas import SetArea

    first = SetArea(park, "W2", _wkt(400, -100, 1200, 600), note="一")
    first.do()
    second = SetArea(park, "W2", None)  # back to the computed band
    second.do()
    assert read_edited_areas(park) == {}
    second.undo()
    assert read_edited_areas(park)["W2"].area == pytest.approx(800 * 700)
    first.undo()
    assert read_edited_areas(park) == {}
