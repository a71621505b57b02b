"""The outfall register 查测溯治: classes, traces, mass balance, sealing, monitoring, CLI."""

import json
import sqlite3

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import LineString, Point

from gisapp.cli import main
from network.graph import build_network
from network.io.project import open_project
from network.state import build_checked_network
from network.trace import trace_downstream
from surveys.outfalls.codes import OutfallError, load_classes, load_standards
from surveys.outfalls.monitoring import read_monitoring_xlsx
from surveys.outfalls.register import build_register, load_register, seal_effect, trace_outfall
from surveys.outfalls.store import (
    Decision,
    MonitoringRecord,
    OutfallData,
    OutfallStore,
    parse_deadline,
    read_outfall_data,
)
from surveys.store import SurveyStore

ANSWER_KEY = "resources/demo/answer_key.json"


# --- small networks built in code ------------------------------------------------------------
def _net(n_ents: int, *, flows=None, cods=None, extra_outfall=False):
    """A line A→B→C→K (outfall K1 at K); enterprise i joins node A, B or C.

    With ``extra_outfall`` node B also drains to K2 (B→M→K2), so sealing K1 reroutes.
    """
    coords = {"A": (0, 0), "B": (10, 0), "C": (20, 0), "K": (30, 0), "M": (10, -10)}
    edges = [("P1", "A", "B"), ("P2", "B", "C"), ("P3", "C", "K")]
    if extra_outfall:
        coords["K2"] = (10, -20)
        edges += [("P4", "B", "M"), ("P5", "M", "K2")]
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": [e[0] for e in edges],
            "from_node": [e[1] for e in edges],
            "to_node": [e[2] for e in edges],
            "system": ["industrial"] * len(edges),
        },
        geometry=[LineString([coords[u], coords[v]]) for _, u, v in edges],
        crs="EPSG:4525",
    )
    nodes = ["A", "B", "C"][:n_ents]
    ents = gpd.GeoDataFrame(
        {
            "ent_id": [f"E{i + 1}" for i in range(n_ents)],
            "name": [f"企业{i + 1}" for i in range(n_ents)],
            "flow_tpd": flows or [100.0] * n_ents,
            "cod_mgl": cods or [300.0] * n_ents,
            "connect_node": nodes,
        },
        geometry=[Point(coords[n][0], 1) for n in nodes],
        crs="EPSG:4525",
    )
    oids, onodes = ["K1"], ["K"]
    if extra_outfall:
        oids.append("K2")
        onodes.append("K2")
    outs = gpd.GeoDataFrame(
        {"outfall_id": oids, "node_id": onodes, "outfall_class": ["industrial"] * len(oids)},
        geometry=[Point(coords[n]) for n in onodes],
        crs="EPSG:4525",
    )
    layers = {"pipes": pipes, "enterprises": ents, "outfalls": outs}
    return layers, build_network(layers)


# --- 查: classes ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("工业排污口", "industrial"),
        ("工业企业排污口", "industrial"),
        ("污水处理厂排污口", "municipal_plant"),
        ("城镇污水处理厂进水管网溢流口", "plant_overflow"),
        ("溢流口", "plant_overflow"),
        ("工业企业雨水排口", "industrial_rain"),
        ("雨水排口", "rain"),
        ("园区3号雨水排口", "rain"),
        ("农田退水口", "farmland_return"),
        ("农村生活污水排口", "domestic_scattered"),
        ("城镇生活污水散乱排口", "domestic_scattered"),
        ("多单位共用排污口", "shared"),
        ("其他", "other"),
        # codes, numbers and the importer's normalised values
        ("plant_overflow", "plant_overflow"),
        ("rural_domestic", "domestic_scattered"),
        ("Farmland_Return", "farmland_return"),
        ("4", "plant_overflow"),
        (8, "shared"),
        (1.0, "industrial"),
    ],
)
def test_class_table_maps_chinese_values_and_codes(value, code):
    assert load_classes().map(value).code == code


def test_class_table_has_the_nine_classes_of_the_seed():
    t = load_classes()
    assert [c.number for c in t.classes] == list(range(1, 10))
    assert {c.label_zh for c in t.classes} >= {
        "工业企业排污口",
        "城镇污水处理厂排污口",
        "工业企业雨水排口",
        "城镇污水处理厂进水管网溢流口",
        "城镇雨水排口",
        "农田灌溉退水口",
        "多单位共用排污口",
    }
    assert all(c.active for c in t.choices())
    assert t.map("不知道") is None
    assert t.map(None) is None
    with pytest.raises(OutfallError, match="Unknown outfall class"):
        t.get("nope")


def test_standards_carry_the_published_limits():
    s = load_standards()
    a, b = s.get("一级A"), s.get("GB18918-2002-1B")
    assert (a.limit("cod_mgl"), a.limit("nh3n_mgl"), a.limit("tp_mgl")) == (50, 5, 0.5)
    assert (b.limit("cod_mgl"), b.limit("nh3n_mgl"), b.limit("tp_mgl")) == (60, 8, 1)
    g1, g3 = s.get("GB8978-1996-1"), s.get("GB8978-1996-3")
    assert (g1.limit("cod_mgl"), g1.limit("nh3n_mgl")) == (100, 15)
    assert g3.limit("cod_mgl") == 500 and g3.limit("nh3n_mgl") is None
    assert a.exceeds("ph", 5.9) and not a.exceeds("ph", 6.0)
    with pytest.raises(OutfallError, match="Unknown discharge standard"):
        s.get("四级")


# --- 溯: shared, mass balance -------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3])
def test_trace_outfall_marks_shared_from_two_dischargers(n):
    _, net = _net(n)
    t = trace_outfall(net, "K1")
    assert t.enterprises == tuple(f"E{i + 1}" for i in range(n))
    assert t.shared is (n > 1)
    assert t.pipes and t.reachable


def test_trace_outfall_shares_and_mass_balance_by_hand():
    # E1: 100 t/d × 300 mg/L = 30 kg/d; E2: 200 × 150 = 30; E3: 100 × 400 = 40 → 100 kg/d
    _, net = _net(3, flows=[100.0, 200.0, 100.0], cods=[300.0, 150.0, 400.0])
    recs = [
        # dry-weather samples: 400 m³/d × 300 mg/L = 120 kg/d and 400 × 350 = 140 → mean 130
        MonitoringRecord("K1", "2024-05-01T09:00", "dry", 400.0, 300.0),
        MonitoringRecord("K1", "2024-05-02T09:00", "dry", 400.0, 350.0),
        # a rain sample is left out of the balance while dry ones exist
        MonitoringRecord("K1", "2024-05-03T09:00", "rain", 2000.0, 80.0),
    ]
    t = trace_outfall(net, "K1", records=recs)
    assert t.declared_flow_tpd == pytest.approx(400.0)
    assert t.declared_cod_kgd == pytest.approx(100.0)
    assert [d.share_flow for d in t.dischargers] == pytest.approx([0.25, 0.5, 0.25])
    assert [d.share_cod for d in t.dischargers] == pytest.approx([0.3, 0.3, 0.4])
    assert t.monitored["n"] == 2 and t.monitored["cod_kgd"] == pytest.approx(130.0)
    assert t.monitored["cod_mgl"] == pytest.approx(325.0)
    assert t.gap_kgd == pytest.approx(30.0)
    assert t.gap_ratio == pytest.approx(0.3)


def test_trace_outfall_says_when_no_pipe_reaches_it():
    layers, net = _net(1)
    outs = gpd.GeoDataFrame(
        {"outfall_id": ["K1", "K9"], "node_id": ["K", None]},
        geometry=[Point(30, 0), Point(500, 500)],
        crs="EPSG:4525",
    )
    net = build_network({**layers, "outfalls": outs})
    t = trace_outfall(net, "K9")
    assert not t.reachable and "no pipe reaches it" in t.reason
    t = trace_outfall(net, "NEW1")  # added in the field, not in the layer
    assert not t.reachable and "not in the network" in t.reason


# --- 治: sealing → barrier → trace ---------------------------------------------------------------
def test_sealing_makes_the_outfall_node_a_barrier_of_the_trace():
    _, net = _net(3, extra_outfall=True)
    before = trace_downstream(net, "E1")
    assert {s["id"] for s in before.sinks} == {"K1", "K2"}
    effect = seal_effect(net, ["K1"])
    assert effect.barriers == ("K",)
    by_id = {e.ent_id: e for e in effect.enterprises}
    # E1 (at A) and E2 (at B) still reach K2 through B→M→K2; E3 (at C) has nowhere to go
    assert by_id["E1"].after_outfalls == ("K2",) and not by_id["E1"].stranded
    assert by_id["E2"].after_outfalls == ("K2",)
    assert by_id["E3"].stranded and by_id["E3"].before_outfalls == ("K1",)
    assert effect.stranded == ("E3",) and effect.rerouted == ("E1", "E2")
    # sealing both outfalls strands everyone
    assert set(seal_effect(net, ["K1", "K2"]).stranded) == {"E1", "E2", "E3"}


def test_register_of_sealed_outfall_lists_the_stranded_enterprises():
    layers, net = _net(2)
    data = OutfallData(decisions={"K1": Decision("K1", "seal")})
    reg = build_register(layers, net, data, crs="EPSG:4525")
    assert reg.sealed is not None and reg.sealed.stranded == ("E1", "E2")
    row = reg.row("K1")
    assert row.decision.label_zh == "取缔封堵"
    assert "shared" in row.finding_kinds


# --- the demo park ---------------------------------------------------------------------------
@pytest.fixture
def demo_register(demo_project):
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    return demo_project, project, checked


def test_demo_register_shows_every_planted_outfall_fault(demo_register, repo_root):
    path, project, checked = demo_register
    key = json.loads((repo_root / ANSWER_KEY).read_text(encoding="utf-8"))
    faults = {f["id"]: f for f in key["faults"]}
    reg = load_register(path, checked=checked, project=project)
    rows = {r.outfall_id: r for r in reg.rows}
    assert len(rows) == key["counts"]["outfalls"]
    # F01: the shared outfall lists its dischargers
    f01 = faults["F01"]["expected"]
    pk07 = rows[f01["outfall_id"]]
    assert pk07.trace.enterprises == tuple(f01["enterprise_ids"])
    assert pk07.trace.shared and "shared" in pk07.finding_kinds
    assert set(f01["pipe_ids"]) <= set(pk07.trace.pipes)
    # the overflow outlet is classed as such; outfalls without a network say so
    assert rows["PK08"].class_code == "plant_overflow"
    assert rows["PK08"].class_label == "城镇污水处理厂进水管网溢流口"
    for oid in ("PK08", "PK09", "PK10"):
        assert not rows[oid].trace.reachable
        assert "no_network" in rows[oid].finding_kinds
    # F03: outfall inside the level-1 water-source zone, class rural domestic
    f03 = faults["F03"]["expected"]
    assert rows["PK10"].class_code == "domestic_scattered"
    assert any(f03["zone_id"] in z for z in rows["PK10"].zones)
    assert "in_protected_area" in rows["PK10"].finding_kinds
    # F06: E20's wastewater reaches rain outlet PK05; F10/F11 sewage pipes reach PK05/PK03
    assert "E20" in rows[faults["F06"]["expected"]["reaches_outfall"]].trace.enterprises
    assert "enterprise_to_rain" in rows["PK05"].finding_kinds
    for fid in ("F10", "F11"):
        e = faults[fid]["expected"]
        assert e["pipe_id"] in rows[e["reaches_outfall"]].trace.waste_pipes
        assert "sewage_to_rain" in rows[e["reaches_outfall"]].finding_kinds
    # clean outfalls stay clean
    assert rows["PK04"].findings == ()
    # CGCS2000 position shown
    assert 112 < rows["PK07"].lon < 113 and 28 < rows["PK07"].lat < 29


def test_demo_sealing_changes_the_connection_register(demo_register):
    path, project, checked = demo_register
    before = {r.ent_id: r for r in checked.register.rows}
    assert {e: before[e].outfalls for e in ("E03", "E04", "E05")} == dict.fromkeys(
        ("E03", "E04", "E05"), ("PK07",)
    )
    with OutfallStore(path) as store:
        store.decide(
            Decision("PK07", "取缔封堵", deadline="2025年6月底", responsible_unit="生态环境局")
        )
    reg = load_register(path, checked=checked, project=project)
    assert reg.sealed.outfalls == ("PK07",)
    assert reg.sealed.stranded == ("E03", "E04", "E05")
    # enterprises not draining to PK07 are not concerned
    assert {e.ent_id for e in reg.sealed.enterprises} == {"E03", "E04", "E05"}
    # sealing a rain outlet reroutes nothing and strands E20 (its only way out)
    effect = seal_effect(checked.network, ["PK05"])
    assert effect.stranded == ("E20",)


def test_demo_decision_raises_ledger_problems_once(demo_project):
    path = demo_project
    assert (
        main(
            [
                "outfalls",
                "decide",
                str(path),
                "PK07",
                "取缔封堵",
                "--deadline",
                "2025-06-30",
                "--unit",
                "市生态环境局",
                "--measure",
                "封堵并截污纳管",
            ]
        )
        == 0
    )
    with SurveyStore(path) as store:
        refs = sorted(p.source_ref for p in store.records("problem") if p.source_ref)
    assert refs == [
        "outfall:PK07:seal",
        "outfall:PK07:seal:E03",
        "outfall:PK07:seal:E04",
        "outfall:PK07:seal:E05",
        "outfall:PK07:shared",
    ]
    with SurveyStore(path) as store:
        p = next(p for p in store.records("problem") if p.source_ref == "outfall:PK07:seal")
    assert p.source == "outfall"  # the ledger says where the problem came from: 排污口整治
    assert (p.deadline, p.responsible_body, p.measure) == (
        "2025-06-30",
        "市生态环境局",
        "封堵并截污纳管",
    )
    # deciding again raises nothing twice
    assert (
        main(["outfalls", "decide", str(path), "PK07", "取缔封堵", "--deadline", "2025-06-30"])
        == 0
    )
    with SurveyStore(path) as store:
        assert (
            len([p for p in store.records("problem") if p.source_ref.startswith("outfall:")]) == 5
        )


def test_merge_needs_a_target_and_deadline_must_be_a_date(demo_project):
    with OutfallStore(demo_project) as store:
        with pytest.raises(OutfallError, match="merged into"):
            store.decide(Decision("PK03", "合并"))
        with pytest.raises(OutfallError, match="not a date"):
            store.decide(Decision("PK03", "keep", deadline="明年"))
        d = store.decide(Decision("PK03", "合并至", merge_into="PK04", deadline="2020-07"))
    assert (d.decision, d.label_zh, d.deadline) == ("merge", "合并至PK04", "2020-07-31")
    assert parse_deadline("2020年7月底") == "2020-07-31"


# --- 测: monitoring ---------------------------------------------------------------------------
def _sheet(path, headers, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


HEADERS = [
    "排污口编号",
    "采样时间",
    "天气",
    "流量(m3/d)",
    "COD(mg/L)",
    "氨氮(mg/L)",
    "总磷(mg/L)",
    "pH",
    "采样人",
    "SS(mg/L)",
]


def test_demo_monitoring_import_flags_the_right_exceedances(demo_project, tmp_path, capsys):
    sheet = _sheet(
        tmp_path / "监测.xlsx",
        HEADERS,
        [
            # PK01 plant outfall, 一级A: COD 62 > 50, NH3-N 4 ok, TP 0.6 > 0.5
            ["PK01", "2024-05-03 09:30", "旱天", 12000, 62, 4, 0.6, 7.2, "张三", 8],
            # PK02, 一级A: all within
            ["PK02", "2024-05-03 10:00", "旱天", 80000, 31, 2.1, 0.3, 7.0, "张三", 6],
            # PK07 industrial, GB 8978 一级: COD 90 ok, NH3-N 20 > 15, pH 9.5 out of 6–9
            ["PK07", "2024/5/3 11:00", "旱天", 1400, 90, 20, 0.4, 9.5, "李四", 30],
            # PK03 rain outlet flowing in dry weather: suspected sewage connection
            ["PK03", "2024年5月3日", "旱天", 35, 180, 12, 1.2, 7.4, "李四", None],
            # PK04 rain outlet in rain: no flag
            ["PK04", "2024-05-04 15:00", "雨天", 5000, 40, 1, 0.2, 7.1, "李四", None],
        ],
        title="2024年5月排污口监测",
    )
    assert main(["outfalls", "monitoring", "import", str(demo_project), str(sheet)]) == 0
    assert "imported 5, rejected 0" in capsys.readouterr().out
    reg = load_register(demo_project)
    flags = {(f.outfall_id, f.kind, f.parameter) for r in reg.rows for f in r.flags}
    assert flags == {
        ("PK01", "exceedance", "cod_mgl"),
        ("PK01", "exceedance", "tp_mgl"),
        ("PK07", "exceedance", "nh3n_mgl"),
        ("PK07", "exceedance", "ph"),
        ("PK03", "dry_weather_flow", "flow_m3d"),
    }
    rows = {r.outfall_id: r for r in reg.rows}
    assert rows["PK01"].n_exceedances == 1 and "exceedance" in rows["PK01"].finding_kinds
    assert "dry_weather_flow" in rows["PK03"].finding_kinds
    # the free parameter is kept
    rec = next(m for m in read_outfall_data(demo_project).monitoring if m.outfall_id == "PK07")
    assert rec.params == {"SS(mg/L)": 30} and rec.sampler == "李四"
    # PK07 mass balance: 1400 × 90 / 1000 = 126 kg/d monitored vs 548.0 declared
    t = rows["PK07"].trace
    assert t.monitored["cod_kgd"] == pytest.approx(126.0)
    assert t.gap_kgd == pytest.approx(126.0 - t.declared_cod_kgd)
    # a picked standard wins over the class default: 三级 has no NH3-N limit
    with OutfallStore(demo_project) as store:
        store.set_values("PK07", {"执行标准": "GB8978-1996-3"})
    reg = load_register(demo_project)
    assert {f.parameter for f in reg.row("PK07").flags} == {"ph"}


def test_monitoring_round_trip_with_bad_rows(demo_project, tmp_path, capsys):
    sheet = _sheet(
        tmp_path / "in.xlsx",
        HEADERS,
        [
            ["PK01", "2024-05-03 09:30", "旱天", 12000, 62, 4, 0.6, 7.2, "张三", 8],  # row 2 ok
            ["PK99", "2024-05-03 09:30", "旱天", 10, 10, 1, 0.1, 7, "张三", None],  # row 3
            ["PK02", "昨天", "旱天", 10, 10, 1, 0.1, 7, "张三", None],  # row 4 bad date
            ["PK02", "2024-05-03", "阴转雨?", 10, "十", 1, 0.1, 15, "张三", None],  # row 5 ×3
            ["PK07", "2024-05-04 08:00", "雨天", 1500, "<10", None, None, 7.5, "", "高"],  # ok
            [None, None, None, None, None, None, None, None, None, None],  # blank: skipped
            ["", "2024-05-04", "旱天", 1, 1, 1, 1, 7, "", None],  # row 8 no id
        ],
    )
    rc = main(
        [
            "outfalls",
            "monitoring",
            "import",
            str(demo_project),
            str(sheet),
            "--rejected",
            str(tmp_path / "rejected.xlsx"),
        ]
    )
    assert rc == 1
    out = capsys.readouterr().out
    assert "6 rows, imported 2, rejected 4" in out
    assert "row 4, column 采样时间" in out
    data = read_outfall_data(demo_project)
    assert len(data.monitoring) == 2
    imp = read_monitoring_xlsx(sheet, known_outfalls={"PK01", "PK02", "PK07"})
    cells = {(r.row, r.column) for r in imp.rejected}
    assert cells == {
        (3, "排污口编号"),
        (4, "采样时间"),
        (5, "天气"),
        (5, "COD(mg/L)"),
        (5, "pH"),
        (8, "排污口编号"),
    }
    # nothing lost: every non-blank row is a record or a rejected row
    assert len(imp.records) + len(imp.rejected_rows) == imp.n_rows == 6
    rej = openpyxl.load_workbook(tmp_path / "rejected.xlsx").active
    assert [c.value for c in rej[1]] == ["行号", "列", "字段", "原因", "原值"]
    assert rej.max_row == 1 + 6
    # export and import again: the same values
    assert (
        main(
            [
                "outfalls",
                "monitoring",
                "list",
                str(demo_project),
                "--xlsx",
                str(tmp_path / "out.xlsx"),
            ]
        )
        == 0
    )
    again = read_monitoring_xlsx(tmp_path / "out.xlsx")
    assert again.rejected == ()

    def key(m):
        return (
            m.outfall_id,
            m.sampled,
            m.weather,
            m.flow_m3d,
            m.cod_mgl,
            m.nh3n_mgl,
            m.tp_mgl,
            m.ph,
            m.sampler,
            m.params,
        )

    assert sorted(map(key, again.records)) == sorted(map(key, data.monitoring))


def test_monitoring_import_with_a_column_mapping_and_units(demo_project, tmp_path):
    sheet = _sheet(
        tmp_path / "lab.xlsx",
        ["点位", "日期", "时刻", "Q (m3/h)", "化学需氧量", "NH3-N", "TP", "pH值"],
        [["PK02", "2024-06-01", "14:20", 100, 20, 1, 0.2, 7]],
    )
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "outfall_id": "点位",
                    "sampled": "日期",
                    "time": "时刻",
                    "flow_m3d": "Q (m3/h)",
                }
            }
        ),
        encoding="utf-8",
    )
    assert (
        main(
            [
                "outfalls",
                "monitoring",
                "import",
                str(demo_project),
                str(sheet),
                "--mapping",
                str(mapping),
            ]
        )
        == 0
    )
    (m,) = read_outfall_data(demo_project).monitoring
    assert (m.sampled, m.flow_m3d, m.cod_mgl, m.nh3n_mgl, m.tp_mgl, m.ph) == (
        "2024-06-01T14:20",
        2400.0,
        20.0,
        1.0,
        0.2,
        7.0,
    )


def test_monitoring_import_bad_input_exits_2_naming_file_and_column(
    demo_project, tmp_path, capsys
):
    sheet = _sheet(tmp_path / "x.xlsx", ["排污口编号", "COD"], [["PK01", 10]])
    assert main(["outfalls", "monitoring", "import", str(demo_project), str(sheet)]) == 2
    err = capsys.readouterr().err
    assert "x.xlsx" in err and "采样时间" in err and err.count("\n") == 1
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"cod_mgl": "化学需氧量"}}), encoding="utf-8")
    sheet = _sheet(tmp_path / "y.xlsx", ["排污口编号", "采样时间"], [["PK01", "2024-01-01"]])
    assert (
        main(
            [
                "outfalls",
                "monitoring",
                "import",
                str(demo_project),
                str(sheet),
                "--mapping",
                str(mapping),
            ]
        )
        == 2
    )
    assert "化学需氧量" in capsys.readouterr().err
    assert (
        main(["outfalls", "monitoring", "import", str(demo_project), str(tmp_path / "none.xlsx")])
        == 2
    )


# --- register facts, field-added outfalls, tables, Excel ----------------------------------------
def test_set_facts_and_add_an_outfall_found_in_the_field(demo_project, tmp_path, capsys):
    photo = tmp_path / "pk11.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    assert (
        main(
            [
                "outfalls",
                "set",
                str(demo_project),
                "PK07",
                "受纳水体=清溪河",
                "所在河段=清溪河园区段",
                "排放方式=管道",
                "登记状态=已登记",
                "排污许可证编号=91430900923218251G001V",
                "类别=多单位共用排污口",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "outfalls",
                "set",
                str(demo_project),
                "PK11",
                "名称=新发现暗管",
                "类别=其他",
                "--lon",
                "112.295",
                "--lat",
                "28.5915",
                "--photo",
                str(photo),
            ]
        )
        == 0
    )
    assert main(["outfalls", "set", str(demo_project), "PK07", "排放方式=飞机"]) == 2
    assert "排放方式" in capsys.readouterr().err
    assert main(["outfalls", "set", str(demo_project), "PK12", "名称=x"]) == 2
    reg = load_register(demo_project)
    pk07, pk11 = reg.row("PK07"), reg.row("PK11")
    assert (pk07.class_code, pk07.class_source, pk07.value("section")) == (
        "shared",
        "登记表",
        "清溪河园区段",
    )
    assert "no_permit" not in pk07.finding_kinds and "class_shared" not in pk07.finding_kinds
    assert pk11.origin == "field" and pk11.photos == 1
    assert pk11.lon == pytest.approx(112.295) and pk11.lat == pytest.approx(28.5915)
    assert not pk11.trace.reachable
    (ph,) = read_outfall_data(demo_project).entries["PK11"].photos
    assert ph.path == "pk11.jpg" and ph.check(demo_project) == "ok"


def test_outfall_tables_are_geopackage_attribute_tables(demo_project):
    with OutfallStore(demo_project) as store:
        store.set_values("PK01", {"责任单位": "益泉园区管委会"})
    con = sqlite3.connect(demo_project)
    try:
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        for t in (
            "pa_outfalls",
            "pa_outfall_monitoring",
            "pa_outfall_decisions",
            "pa_outfall_meta",
        ):
            assert kinds[t] == "attributes"
            pk = [r for r in con.execute(f"PRAGMA table_info({t})") if r[5]]
            assert [(r[1], r[2]) for r in pk] == [("fid", "INTEGER")]
    finally:
        con.close()


def test_register_workbook_has_the_seed_tables(demo_project, tmp_path):
    with OutfallStore(demo_project) as store:
        store.decide(
            Decision("PK07", "seal", deadline="2025-06-30", responsible_unit="生态环境局")
        )
        store.decide(
            Decision(
                "PK10",
                "合并",
                merge_into="PK02",
                deadline="2025年12月底",
                responsible_unit="区农业农村局",
                measure="截污纳管",
            )
        )
        store.decide(Decision("PK03", "保留", responsible_unit="区住建局"))
    out = tmp_path / "登记表.xlsx"
    assert main(["outfalls", "list", str(demo_project), "--xlsx", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["排污口登记表", "一口一策", "整治任务表", "监测超标", "封堵影响"]
    reg = wb["排污口登记表"]
    head = [c.value for c in reg[1]]
    assert head[:4] == ["序号", "排污口编号", "排污口名称", "排污口类别"]
    pk07 = next(r for r in reg.iter_rows(min_row=2, values_only=True) if r[1] == "PK07")
    assert pk07[head.index("上游排污单位")] == "E03、E04、E05"
    assert pk07[head.index("是否共用")] == "是"
    pk08 = next(r for r in reg.iter_rows(min_row=2, values_only=True) if r[1] == "PK08")
    assert pk08[head.index("排污口类别")] == "城镇污水处理厂进水管网溢流口"
    tasks = wb["整治任务表"]
    assert [c.value for c in tasks[1]] == ["主要任务", "任务内容", "完成时限", "责任单位"]
    body = list(tasks.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in body] == [
        "取缔一批：坚决封堵非法排污口",
        "合并一批：多口合一、截污纳管",
        "规范一批：建档立标、规范管理",
    ]
    assert body[0][2] == "2025年6月30日" and body[1][2] == "2025年12月31日"
    seal = list(wb["封堵影响"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in seal} == {"E03", "E04", "E05"} and {r[5] for r in seal} == {"是"}
    plan = wb["一口一策"]
    ph = [c.value for c in plan[1]]
    pk10 = next(r for r in plan.iter_rows(min_row=2, values_only=True) if r[1] == "PK10")
    assert pk10[ph.index("整治类型")] == "合并至PK02"


def test_cli_json_outputs(demo_project, capsys):
    assert main(["outfalls", "list", str(demo_project), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {o["outfall_id"]: o["class"] for o in d["outfalls"]}["PK08"] == "plant_overflow"
    assert main(["outfalls", "trace", str(demo_project), "PK07", "--seal", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["shared"] and d["enterprises"] == ["E03", "E04", "E05"]
    assert d["seal"]["stranded"] == ["E03", "E04", "E05"]
    assert main(["outfalls", "show", str(demo_project), "PK99"]) == 2
    assert "PK99" in capsys.readouterr().err
    assert main(["outfalls", "list", str(demo_project), "--class", "雨水排口"]) == 0
    assert "PK07" not in capsys.readouterr().out


def test_lab_report_is_referenced_by_path_and_sha256(demo_project, tmp_path, capsys):
    import hashlib

    (tmp_path / "reports").mkdir()
    report = tmp_path / "reports" / "PK01-0503.pdf"
    report.write_bytes(b"%PDF-1.4 lab report")
    sheet = _sheet(
        tmp_path / "r.xlsx",
        ["排污口编号", "采样时间", "COD", "检测报告"],
        [["PK01", "2024-05-03", 30, "reports/PK01-0503.pdf"], ["PK02", "2024-05-03", 30, "x.pdf"]],
    )
    assert main(["outfalls", "monitoring", "import", str(demo_project), str(sheet)]) == 0
    assert "lab report x.pdf not found (record kept)" in capsys.readouterr().out
    recs = {m.outfall_id: m for m in read_outfall_data(demo_project).monitoring}
    assert recs["PK01"].report_path == "reports/PK01-0503.pdf"
    assert recs["PK01"].report_sha256 == hashlib.sha256(report.read_bytes()).hexdigest()
    assert (recs["PK02"].report_path, recs["PK02"].report_sha256) == ("x.pdf", "")


def test_decide_refuses_a_missing_decision_and_an_unknown_merge_target(demo_project, capsys):
    assert main(["outfalls", "decide", str(demo_project), "PK07"]) == 2
    assert "保留并规范" in capsys.readouterr().err
    assert main(["outfalls", "decide", str(demo_project), "PK07", "合并", "--into", "PK99"]) == 2
    assert "PK99" in capsys.readouterr().err
    assert read_outfall_data(demo_project).decisions == {}
