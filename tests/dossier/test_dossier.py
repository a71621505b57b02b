"""The park dossier: park record, figures, 附件1-1/1-2/1-3, export (real files)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gisapp.cli import main
from network.analysis import network_statistics
from network.graph import build_network
from network.io.project import open_project, save_project
from network.state import build_checked_network
from surveys.dossier.build import load_dossier
from surveys.dossier.codes import (
    DossierError,
    credit_check_char,
    validate_credit_code,
    validate_zone_code,
)
from surveys.dossier.export import export_dossier
from surveys.dossier.pack import load_pack
from surveys.dossier.park import ParkStore, read_park
from surveys.dossier.tables import ANNEX11_COLUMNS, ANNEX13_COLUMNS, ANNEX13_GROUPS

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_19bd22d4f64fa25b.txt"

PARK = {
    "地市": "益阳市",
    "区县市": "资阳区",
    "区县具体地址": "益阳市资阳区长春经济开发区益泉路88号",
    "片区名称": "益泉化工片区",
    "产权单位统一社会信用代码": "91350100M000100Y43",
    "环评批复文号": "湘环评〔2018〕45号",
    "应急预案编制及演练情况": "已编制突发环境事件应急预案并备案，2024年5月开展演练",
    "监测数据": "COD 38 mg/L，氨氮 1.2 mg/L（2024年6月）",
    "排污受纳地表水体质量": "资江下游断面 III 类",
    "填报单位": "益泉精细化工产业园管委会",
    "填报日期": "2024年6月30日",
}


def _seed_annex13() -> tuple[list[str], list[str]]:
    """Group titles and column titles of 附件1-3 as the seed lays them out."""
    if not SEED.exists():
        pytest.skip("the seed document is not present")
    text = SEED.read_text(encoding="utf-8")
    tail = text[text.rindex("附件1-3：") :]
    lines = tail.splitlines()[2:]  # the label line and the table's title
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if line.startswith("\t"):
            blocks[-1].append(line.strip())
        else:  # a title broken over two lines
            blocks[-1][-1] += "\n" + line.strip()
    return blocks[0], blocks[1]


def _park(path: Path, extra: dict[str, str] | None = None) -> Path:
    with ParkStore(path) as store:
        store.set_values({**PARK, **(extra or {})})
    return path


# --- 附件1-3 layout ----------------------------------------------------------------------------
def test_annex13_titles_and_groups_match_the_seed():
    groups, titles = _seed_annex13()
    assert [g for g, _, _ in ANNEX13_GROUPS] == groups
    assert [t for t, _ in ANNEX13_COLUMNS] == titles
    assert len(titles) == 28  # 序号 + the 27 columns


def test_annex13_excel_has_grouped_header_and_one_row_per_park(tmp_path, demo_project):
    groups, titles = _seed_annex13()
    a = _park(demo_project)
    b = tmp_path / "b" / "second.gpkg"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    _park(b, {"园区名称": "益阳高新区东部片区", "园区级别": "G432128", "区县市": "赫山区"})
    out, lst = tmp_path / "附件1-3.xlsx", tmp_path / "附件1-1.xlsx"
    argv = ["dossier", "table", str(a), str(b), "--xlsx", str(out), "--xlsx-list", str(lst)]
    assert main(argv) == 0
    ws = load_workbook(out).active
    assert ws.cell(1, 1).value == "全市2个省级及以上工业园区（集聚区）基本情况调度表"
    assert [ws.cell(3, c).value for c in range(1, 29)] == titles
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:N2", "O2:P2", "Q2:Y2", "Z2:AB2", "AC2:AC3"} <= merged
    assert [ws.cell(2, c).value for c in (1, 15, 17, 26, 29)] == groups
    assert [ws.cell(r, 1).value for r in (4, 5)] == [1, 2]
    assert [ws.cell(r, 4).value for r in (4, 5)] == ["益泉精细化工产业园", "益阳高新区东部片区"]
    assert ws.cell(5, 6).value == "G432128"
    assert ws.cell(4, 7).value == "91350100M000100Y43"
    assert ws.cell(4, 8).value == pytest.approx(3.326)
    assert ws.cell(5, 4).comment.text == "图算值：益泉精细化工产业园"
    assert ws.cell(6, 1).value is None
    ws1 = load_workbook(lst).active
    assert [ws1.cell(2, c).value for c in range(1, 6)] == list(ANNEX11_COLUMNS)
    assert ws1.cell(1, 1).value == "益阳市省级及以上工业园区（集聚区）清单"
    assert [ws1.cell(4, c).value for c in range(1, 5)] == [
        2,
        "赫山区",
        "益阳高新区东部片区",
        "G432128",
    ]


def test_table_text_is_never_a_formula(tmp_path, demo_project):
    _park(demo_project, {"备注": "=HYPERLINK(1)"})
    out = tmp_path / "t.xlsx"
    assert main(["dossier", "table", str(demo_project), "--xlsx", str(out)]) == 0
    cell = load_workbook(out).active.cell(4, 29)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


# --- codes -----------------------------------------------------------------------------------
def test_credit_code_valid_ones_pass():
    assert credit_check_char("91350100M000100Y4") == "3"
    for code in ("91350100M000100Y43", "914309021117584205", "9143090011648617X6"):
        assert validate_credit_code(code) == code
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "match"),
    [
        ("91350100M000100Y44", r"character 18 \(the check character\) is '4'; it should be '3'"),
        ("91350100M00O100Y43", r"character 12 is 'O'"),
        ("9135010", "has 7 characters"),
    ],
)
def test_credit_code_invalid_ones_name_the_character(code, match):
    with pytest.raises(DossierError, match=match):
        validate_credit_code(code)


def test_zone_code():
    assert validate_zone_code("s437047") == "S437047"
    assert validate_zone_code("※") == "※"
    with pytest.raises(DossierError, match="G \\(national\\) or S"):
        validate_zone_code("Z437047")


def test_pack_has_20_items_in_6_groups_and_5_enterprise_items():
    pack = load_pack()
    assert [len(pack.items_of(g.code)) for g in pack.groups] == [5, 5, 2, 4, 3, 1]
    assert [i.no for i in pack.items] == list(range(1, 21))
    assert {i.code: i.produced for i in pack.items if i.produced} == {
        "Y03": "overlap_report",
        "Y04": "enterprise_list",
        "Y11": "ledger",
        "Y12": "flow_map",
        "Y16": "ledger",
    }
    assert [i.park_item for i in pack.enterprise_items] == ["Y06", "Y07", "Y08", "Y09", "Y10"]
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else ""
    for it in pack.items:
        assert not text or it.title_zh in text


# --- figures -----------------------------------------------------------------------------------
def test_figures_equal_stats_and_register(demo_project, capsys):
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    d = load_dossier(demo_project, project=project, checked=checked)
    capsys.readouterr()
    assert main(["stats", str(demo_project), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats == network_statistics(
        build_network(project.layers, project.settings, project.crs)
    )
    main_km, branch_km = re.findall(r"[\d.]+", d.values["network_km"].text)
    assert float(main_km) == pytest.approx(stats["main_length_km"], abs=5e-4)
    assert float(branch_km) == pytest.approx(stats["branch_length_km"], abs=5e-4)
    assert d.values["n_connected"].value == checked.register.park["n_connected"] == 34
    assert d.values["n_enterprises"].value == 40
    flow = float(project.layers["enterprises"]["flow_tpd"].sum())
    assert d.values["wastewater"].value == pytest.approx(flow / 1e4)
    assert d.values["area_km2"].value == pytest.approx(3.326, abs=1e-3)
    assert d.values["location"].text.startswith("东经112.")
    assert d.values["plant_capacity"].text == "2、10"
    assert [r.connected for r in d.enterprises] == [
        r.status == "plant" for r in checked.register.rows
    ]


def test_ledger_figures(demo_project):
    from surveys.records import Problem
    from surveys.store import SurveyStore

    with SurveyStore(demo_project) as store:
        before = len(store.records("problem"))
        store.add(Problem(description="雨污混接", source="misconnection", deadline="2025-06-30"))
        store.add(Problem(description="管道破裂", status="done", deadline="2025-03-31"))
    d = load_dossier(demo_project)
    assert d.values["problems"].text.startswith(f"排查发现问题{before + 2}个")
    assert d.values["deadline"].text >= "2025-06-30"
    assert "已完成" in d.values["progress"].text


def test_override_survives_save_and_reopen(demo_project):
    with ParkStore(demo_project) as store:
        store.set_values({"面积": "3.5", "园区级别": "S437051"})
    project = open_project(demo_project)
    save_project(project)
    reopened = read_park(demo_project)
    assert reopened.value("area_km2") == "3.5"
    d = load_dossier(demo_project)
    v = d.values["area_km2"]
    assert (v.value, v.overridden) == (3.5, True)
    assert v.computed == pytest.approx(3.326, abs=1e-3)
    assert not d.values["zone_code"].overridden  # same as the boundary's code
    with ParkStore(demo_project) as store:
        store.set_values({"area_km2": ""})
    assert load_dossier(demo_project).values["area_km2"].overridden is False


def test_dossier_tables_are_geopackage_attribute_tables(demo_project):
    import sqlite3

    _park(demo_project)
    con = sqlite3.connect(demo_project)
    rows = dict(
        con.execute(
            "SELECT table_name, data_type FROM gpkg_contents WHERE table_name LIKE 'pa_%'"
        ).fetchall()
    )
    pk = [r for r in con.execute("PRAGMA table_info(pa_park)") if r[5]]
    con.close()
    assert rows["pa_park"] == rows["pa_dossier_items"] == rows["pa_dossier_files"] == "attributes"
    assert pk[0][1] == "fid" and pk[0][2] == "INTEGER"


# --- checklist, attachments, export ------------------------------------------------------------
def test_missing_attachment_is_reported_and_marked(tmp_path, demo_project):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "批复.pdf").write_bytes(b"%PDF-1.4 approval")
    (docs / "运行报告.pdf").write_bytes(b"%PDF-1.4 report")
    (docs / "执照.pdf").write_bytes(b"%PDF-1.4 licence")
    with ParkStore(demo_project) as store:
        store.set_values(PARK)
        a = store.attach("1", docs / "批复.pdf", title="园区设立批复")
        store.attach("13", docs / "运行报告.pdf", title="污水处理厂运行报告")
        store.attach("Q2", docs / "执照.pdf", ent_id="E01", title="营业执照")
        store.review("13", "齐全", reviewer="李工", note="运行报告齐全")
        store.review("1", "齐全")
    assert a.path == "docs/批复.pdf"  # relative to the project
    (docs / "运行报告.pdf").unlink()
    d = load_dossier(demo_project)
    st13 = next(s for s in d.items if s.item == "Y13")
    assert st13.status == "missing" and st13.missing_files[0].path == "docs/运行报告.pdf"
    assert next(s for s in d.items if s.item == "Y01").status == "complete"
    assert next(s for s in d.items if s.item == "Y07").status == "partial"  # E01 has a file
    res = export_dossier(d, tmp_path / "out", zip_folder=True)
    assert [(st.item, x.path) for st, x in res.missing] == [("Y13", "docs/运行报告.pdf")]
    root = tmp_path / "out" / "一园一档"
    assert (
        (root / "1 一、园区审批及规划" / "01-1 园区设立批复.pdf").read_bytes().startswith(b"%PDF")
    )
    assert (root / "1 一、园区审批及规划" / "04-1 园区企业情况总表.xlsx").exists()
    ent = root / "2 二、企业情况（一企一档资料）" / "一企一档" / "E01 三湘化工科技有限公司"
    assert (ent / "Q2-1 营业执照.pdf").exists()
    ws = load_workbook(root / "目录.xlsx").active
    notes = [ws.cell(r, 8).value or "" for r in range(3, ws.max_row + 1)]
    assert any("文件缺失：docs/运行报告.pdf" in n for n in notes)
    with zipfile.ZipFile(res.zip) as zf:
        assert "一园一档/目录.xlsx" in zf.namelist()
    assert res.docx is not None and res.docx.exists()


def test_enterprise_list_from_the_register(tmp_path, demo_project):
    with ParkStore(demo_project) as store:
        store.set_enterprise("E01", scale="年产精细化学品2万吨", operation="正常生产")
    d = load_dossier(demo_project)
    from surveys.dossier.tables import write_enterprise_list

    out = write_enterprise_list(d.enterprises, tmp_path / "e.xlsx", park_name=d.park_name)
    ws = load_workbook(out).active
    assert [ws.cell(2, c).value for c in range(1, 7)] == [
        "序号", "企业名称", "生产规模", "运行情况", "废水排放量（吨/日）", "是否纳入管网",
    ]  # fmt: skip
    assert [ws.cell(3, c).value for c in range(2, 7)] == [
        "三湘化工科技有限公司", "年产精细化学品2万吨", "正常生产", 770, "是",
    ]  # fmt: skip
    n_yes = sum(ws.cell(r, 6).value == "是" for r in range(3, 3 + len(d.enterprises)))
    assert n_yes == d.register.park["n_connected"]


def test_cli_export_writes_word_with_chinese_fonts(tmp_path, demo_project):
    _park(demo_project)
    out = tmp_path / "out"
    assert main(["dossier", "export", str(demo_project), "--out", str(out)]) == 0
    docx = out / "益泉精细化工产业园一园一档.docx"
    with zipfile.ZipFile(docx) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
        body = zf.read("word/document.xml").decode("utf-8")
        assert any(n.startswith("word/media/") for n in zf.namelist())  # the flow map
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    assert "益阳市资阳区长春经济开发区益泉路88号" in body
    assert "管网图及污水流向图" in body
    assert (out / "一园一档" / "3 三、雨污水管网" / "12-1 管网图及污水流向图.pdf").exists()
    assert (out / "附件1-3 益泉精细化工产业园.xlsx").exists()
    assert not list(out.glob(".*.png"))


# --- CLI ----------------------------------------------------------------------------------------
def test_cli_park_set_and_show(demo_project, capsys):
    assert main(["park", "set", str(demo_project), "地市=益阳市", "zone_code=s437051"]) == 0
    capsys.readouterr()
    assert main(["park", "show", str(demo_project), "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)["fields"]
    assert fields["city"]["value"] == "益阳市"
    assert fields["zone_code"]["value"] == "S437051"
    assert fields["n_connected"]["computed"] == 34


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["park", "set", "P", "颜色=红"], "颜色"),
        (["park", "set", "P", "园区级别=X1"], "园区级别（代码）"),
        (["park", "set", "P", "信用代码=91350100M000100Y44"], "should be '3'"),
        (["park", "set", "P", "填报日期=2024-02-30"], "填报日期"),
        (["park", "set", "P", "地市"], "FIELD=VALUE"),
        (["dossier", "attach", "P", "99", "P"], "Unknown dossier item"),
        (["dossier", "attach", "P", "1", "nope.pdf"], "nope.pdf"),
        (["dossier", "review", "P", "1", "完成"], "缺失、部分、齐全"),
        (["dossier", "table", "P"], "--xlsx"),
    ],
)
def test_cli_bad_input_exits_2_naming_the_field(demo_project, capsys, argv, needle):
    argv = [str(demo_project) if a == "P" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_cli_show_json(demo_project, capsys):
    assert main(["dossier", "show", str(demo_project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["items"]) == 20 and data["park"] == "益泉精细化工产业园"
    assert main(["dossier", "show", str(demo_project), "--enterprise", "E01", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["items"]) == 5
