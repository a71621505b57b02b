"""Connection register, accumulation and plant balance, service areas, statistics."""

from __future__ import annotations

import openpyxl
import pytest
from net_fixtures import park_layers, pipes_gdf, points_gdf

from network.analysis import (
    accumulate,
    connection_register,
    diameter_class,
    network_statistics,
    plant_balance,
    service_areas,
    write_register_xlsx,
)
from network.graph import build_network


@pytest.fixture(scope="module")
def park():
    return build_network(park_layers())


def test_connection_register_rows_and_rates(park):
    reg = connection_register(park)
    rows = {r.ent_id: (r.status, r.plant_id, r.path_length_m, r.pipes) for r in reg.rows}
    assert rows == {
        "E1": ("plant", "W1", 300.0, ("P5", "P2a", "P3")),
        "E2": ("plant", "W1", 300.0, ("P1", "P2a", "P3")),
        "E3": ("none", None, None, ()),
        "E4": ("plant", "W1", 50.0, ("P3",)),
    }
    assert reg.park == {
        "n_enterprises": 4,
        "n_connected": 3,
        "n_to_outfall": 0,
        "n_nowhere": 1,
        "n_unattached": 0,
        "flow_tpd": 180.0,
        "connected_flow_tpd": 170.0,
        "rate_count": 0.75,
        "rate_volume": 0.9444,
    }
    (plant,) = reg.plants
    assert plant["n_enterprises"] == 3 and plant["cod_kgd"] == 65.0
    d = reg.to_dict()
    assert d["enterprises"][0]["ent_id"] == "E1"


def test_connection_register_outfall_status():
    pipes = pipes_gdf([{"pipe_id": "A", "coords": [(0, 0), (10, 0)]}])
    outs = points_gdf([{"outfall_id": "O", "node_id": "A@end", "xy": (10, 0)}])
    ents = points_gdf(
        [
            {"ent_id": "E", "connect_node": "A@start", "flow_tpd": 5.0, "xy": (0, 1)},
            {"ent_id": "F", "flow_tpd": 1.0, "xy": (900, 900)},
        ]
    )
    reg = connection_register(
        build_network({"pipes": pipes, "outfalls": outs, "enterprises": ents})
    )
    assert [(r.ent_id, r.status, r.outfalls) for r in reg.rows] == [
        ("E", "outfall", ("O",)),
        ("F", "unattached", ()),
    ]
    assert reg.park["rate_count"] == 0.0


def test_write_register_xlsx_has_chinese_headers(park, tmp_path):
    path = write_register_xlsx(connection_register(park), tmp_path / "reg.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["纳管台账", "纳管率"]
    ws = wb["纳管台账"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["企业编号", "企业名称", "统一社会信用代码"]
    assert "纳管状态" in headers and "接入污水处理厂" in headers
    assert ws.cell(2, 1).value == "E1" and ws.max_row == 5
    assert ws.cell(2, headers.index("纳管状态") + 1).value == "已纳管"


def test_accumulate_park_values(park):
    acc = accumulate(park)
    assert acc.method == "walk"  # M9 drains two ways (round the loop and down P12)
    assert acc.at("M4") == (170.0, 65.0)
    assert acc.at("M2") == (150.0, 55.0)
    assert acc.at("M12") == (10.0, 2.0)
    assert acc.at("M1") == (50.0, 15.0)  # E3 is held back by the blocked pipe


def test_accumulate_forest_and_walk_agree():
    pipes = pipes_gdf(
        [
            {"pipe_id": "A", "coords": [(0, 0), (10, 0)]},
            {"pipe_id": "B", "coords": [(10, 0), (20, 0)]},
            {"pipe_id": "C", "coords": [(10, 10), (10, 0)]},
        ]
    )
    ents = points_gdf(
        [
            {
                "ent_id": "E1",
                "connect_node": "A@start",
                "flow_tpd": 3.0,
                "cod_mgl": 1000.0,
                "xy": (0, 1),
            },
            {
                "ent_id": "E2",
                "connect_node": "C@start",
                "flow_tpd": 4.0,
                "cod_mgl": 500.0,
                "xy": (10, 11),
            },
        ]
    )
    forest = accumulate(build_network({"pipes": pipes, "enterprises": ents}))
    assert forest.method == "forest"
    assert forest.at("B@end") == (7.0, 5.0)
    twin = pipes_gdf([{"pipe_id": "B2", "coords": [(10, 0), (15, 3), (20, 0)]}])
    import pandas as pd

    both = build_network(
        {"pipes": pd.concat([pipes, twin], ignore_index=True), "enterprises": ents}
    )
    acc = accumulate(both)
    assert acc.at("B@end") == (7.0, 5.0)  # twin pipes do not double the flow


def test_plant_balance_flags():
    layers = park_layers()
    layers["plants"] = points_gdf(
        [
            {
                "plant_id": "W1",
                "node_id": "M4",
                "capacity_tpd": 150.0,
                "load_tpd": 100.0,
                "cod_in_mgl": 200.0,
                "online_monitoring": "否",
                "xy": (300, 0),
            }
        ]
    )
    bal = plant_balance(build_network(layers))
    (p,) = bal.plants
    assert p.connected_flow_tpd == 170.0 and p.n_enterprises == 3
    assert p.utilisation == pytest.approx(170 / 150)
    assert set(p.flags) == {"over_capacity", "load_below_connected", "low_influent_cod"}
    assert p.estimated_cod_in_mgl == pytest.approx(65_000 / 170)
    assert len(p.messages_zh) == len(p.flags)
    d = bal.to_dict(with_nodes=True)
    assert d["nodes"]["M4"] == {"flow_tpd": 170.0, "cod_kgd": 65.0}


def test_service_areas(park):
    (area,) = service_areas(park)
    assert area["plant_id"] == "W1"
    assert set(area["enterprises"]) == {"E1", "E2", "E4"}
    assert area["flow_tpd"] == 170.0
    assert area["length_m"] == pytest.approx(991.60, abs=0.01)


def test_network_statistics():
    pipes = pipes_gdf(
        [
            {
                "pipe_id": "A",
                "system": "sewage",
                "pipe_class": "main",
                "diameter_mm": 800.0,
                "coords": [(0, 0), (1000, 0)],
            },
            {
                "pipe_id": "B",
                "system": "sewage",
                "pipe_class": "branch",
                "diameter_mm": 300.0,
                "coords": [(0, 10), (500, 10)],
            },
            {
                "pipe_id": "C",
                "system": "rain",
                "diameter_mm": 1200.0,
                "coords": [(0, 20), (250, 20)],
            },
        ]
    )
    outs = points_gdf([{"outfall_id": "O", "outfall_class": "rain", "xy": (250, 20)}])
    st = network_statistics(build_network({"pipes": pipes, "outfalls": outs}))
    assert st["main_length_km"] == 1.0 and st["branch_length_km"] == 0.5
    assert st["by_system"]["sewage"] == {"main": 1.0, "branch": 0.5, "unknown": 0.0}
    assert st["by_system"]["rain"]["unknown"] == 0.25
    assert st["by_diameter"] == {"DN600–1000": 1.0, "DN300–600": 0.5, "≥DN1000": 0.25}
    assert st["n_outfalls"] == 1 and st["outfalls_by_class"] == {"rain": 1}
    assert diameter_class(float("nan")) == "unknown"
