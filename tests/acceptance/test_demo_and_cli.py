"""The demo park scores below 90 with its planted faults; fixing them in the tool raises the
automatic score. The command line writes the survey, the scored checklist and the report."""

from __future__ import annotations

import hashlib
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from gisapp.cli import main
from network import schema as S
from network.commands import DictStore, SetAttributes
from network.io.project import open_project, save_project
from network.state import build_checked_network
from surveys.acceptance.assess import assess
from surveys.acceptance.store import AcceptanceStore
from surveys.ledger import problems_from_issues, raise_problems
from surveys.outfalls.store import Decision, OutfallStore
from surveys.store import SurveyStore


def _nearest_connected_node(project, checked, ent_id):
    ents = project.layers[S.ENTERPRISES].set_index(S.ENT_ID)
    here = ents.geometry[ent_id]
    ok = [r for r in checked.register.rows if r.status == "plant" and r.node]
    best = min(ok, key=lambda r: ents.geometry[r.ent_id].distance(here))
    return best.node


def test_demo_park_scores_below_90_and_fixes_raise_the_automatic_score(demo_project):
    base = assess(demo_project, date="2025-01-10").assessment
    # the planted faults (resources/demo/README.md): 34 of 40 enterprises reach a plant
    # (E40, E33, E20 unconnected, E03–E05 to PK07) → S1 = 10 × 34/40; four misconnections
    # (F08–F11) → N1 = max(0, 8 − 8); PK03, PK05 (sewage at rain outlets), PK07 (enterprise
    # wastewater straight to the river) and PK10 (in the water-source zone) → N4 = 10 − 8
    assert base.item("S1").score == 8.5
    assert base.item("N1").score == 0.0
    assert base.facts["n_misconnections"] == 4
    assert base.item("N4").score == 2.0
    assert base.total < 90 and not base.passed
    score = base.auto_total

    # 1. the checks' findings go to the ledger; closing the four misconnections' problems
    project = open_project(demo_project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    with SurveyStore(demo_project) as store:
        raise_problems(store, problems_from_issues(checked.checks))
        opened = assess(demo_project).assessment.auto_total
        for p in store.records("problem"):
            if "雨污混接" in p.description:
                store.update(p.__class__(**{**p.__dict__, "status": "verified"}))
    closed = assess(demo_project).assessment
    assert closed.item("N1").score == 8.0
    assert closed.auto_total > opened

    # 2. connecting E20 (its 接入井 is a rain manhole) to the sewer, saved as the window saves
    node = _nearest_connected_node(project, checked, "E20")
    SetAttributes(DictStore(project.layers), S.ENTERPRISES, "E20", {S.CONNECT_NODE: node}).do()
    save_project(project)
    connected = assess(demo_project).assessment
    assert connected.item("S1").score == 8.75  # 35 of 40
    assert connected.auto_total > closed.auto_total

    # 3. sealing the illegal outfall PK07 (E03–E05 discharge straight to the river)
    with OutfallStore(demo_project) as st:
        st.decide(Decision("PK07", "seal", measure="取缔封堵，企业改接园区污水管"))
    sealed = assess(demo_project).assessment
    assert sealed.item("N4").score == 4.0
    assert sealed.auto_total > connected.auto_total > score


def test_cli_survey_score_report(small_park, tmp_path, capsys):
    p = str(small_park)
    with AcceptanceStore(small_park) as st:
        st.set_answers("ent:E1", {"雨污分流": "是"})
    before = hashlib.sha256(small_park.read_bytes()).hexdigest()
    assert main(["acceptance", "survey", p, "--json"]) == 0
    assert main(["acceptance", "score", p, "--no-save", "--json"]) == 0
    assert hashlib.sha256(small_park.read_bytes()).hexdigest() == before  # read only
    capsys.readouterr()
    assert main(["acceptance", "survey", p, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["facts"]["connection_rate"] == 0.5
    e1 = next(r for r in data["enterprises"] if r["id"] == "E1")
    assert e1["answers"]["rs_separation"] == {
        "value": "是",
        "auto": False,
        "source": "调查表",
        "evidence": 0,
    }
    assert e1["answers"]["connected"]["auto"] is True

    xlsx = tmp_path / "out" / "调查表.xlsx"
    assert main(["acceptance", "survey", p, "--xlsx", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["源", "网", "厂", "汇总", "佐证材料"]
    rows = list(wb["源"].iter_rows(values_only=True))
    head = rows[0]
    e1row = next(r for r in rows if r[1] == "E1")
    assert e1row[head.index("雨污分流")] == "是" and e1row[head.index("雨污分流来源")] == "人工"
    assert (
        e1row[head.index("纳管状态")] == "已纳管" and e1row[head.index("纳管状态来源")] == "自动"
    )
    e3row = next(r for r in rows if r[1] == "E3")
    assert e3row[head.index("排放去向")] == "排往排放口（O1）"
    plants = list(wb["厂"].iter_rows(values_only=True))
    w1 = next(r for r in plants if r[1] == "W1")  # figures are numbers Excel can sum
    assert w1[plants[0].index("设计规模(t/d)")] == 1000
    assert w1[plants[0].index("实际处理量(t/d)")] == 600
    assert w1[plants[0].index("进水COD(mg/L)")] == 300

    capsys.readouterr()
    assert main(["acceptance", "score", p, "--date", "2025-01-10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] is False and out["saved"] is True and out["ledger"]["added"] > 0
    assert out["subtotals"]["plant"]["score"] == 14.0  # W1 not yet answered stably compliant

    score_xlsx = tmp_path / "评分表.xlsx"
    assert main(["acceptance", "score", p, "--date", "2025-02-01", "--xlsx", str(score_xlsx)]) == 0
    wb = load_workbook(score_xlsx)
    assert wb.sheetnames == ["评分表", "小计", "问题清单", "佐证清单", "得分历史", "说明"]
    items = list(wb["评分表"].iter_rows(values_only=True))
    n1 = next(r for r in items if r[1] == "N1")
    assert n1[3:7] == (8, 6, "自动", "扣分")
    assert items[-1][0] == "合计" and items[-1][6] == "未通过"
    hist = list(wb["得分历史"].iter_rows(values_only=True))
    assert [r[0] for r in hist[1:]] == ["2025-01-10", "2025-02-01"]
    problems = [r[1] for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert "N1" in problems and "N6" not in problems

    capsys.readouterr()
    assert main(["acceptance", "score", p, "--pack", str(tmp_path / "none.json")]) == 2
    assert "none.json does not exist" in capsys.readouterr().err


def test_report_docx_compares_before_and_after(small_park, tmp_path):
    p = str(small_park)
    assert main(["acceptance", "score", p, "--date", "2025-01-10"]) == 0
    with OutfallStore(small_park) as st:
        st.decide(Decision("O1", "seal"))
    docx = tmp_path / "总结报告.docx"
    assert main(["acceptance", "report", p, "--date", "2025-06-30", "--docx", str(docx)]) == 0
    doc = Document(str(docx))
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "“污水零直排区”建设总结报告" in text
    assert "提高到" in text and "尚未达到验收要求" in text
    for heading in ("典型做法", "建设亮点", "突出成效"):
        assert heading in text
    table = doc.tables[0]
    cells = {r.cells[0].text: (r.cells[1].text, r.cells[2].text) for r in table.rows}
    assert cells["企业纳管率"] == ("50.0%", "50.0%")
    assert cells["已取缔封堵排口"] == ("0个", "1个")
    assert cells["未取缔的违规/异常排口"] == ("1个", "0个")
    before, after = cells["验收评分"]
    assert float(before.rstrip("分")) + 6 == pytest.approx(float(after.rstrip("分")))


def test_cli_answer_and_manual(small_park, tmp_path, capsys):
    p = str(small_park)
    ev = tmp_path / "平台截图.png"
    ev.write_bytes(b"png")
    assert main(["acceptance", "answer", p, "ent:E2", "雨污分流=是", "--evidence", str(ev)]) == 0
    assert (
        main(
            ["acceptance", "manual", p, "M3", "1", "--reason", "仅部分上线", "--evidence", str(ev)]
        )
        == 0
    )
    assert main(["acceptance", "manual", p, "M3", "1"]) == 2
    err = capsys.readouterr().err
    assert "M3" in err and "扣分理由" in err
    assert main(["acceptance", "answer", p, "ent:E2", "雨污分流=也许"]) == 2
    assert "ent:E2 雨污分流" in capsys.readouterr().err
    a = assess(small_park).assessment
    assert a.item("M3").score == 1.0 and a.item("M3").evidence == ("平台截图.png",)
    assert a.item("S2").score == 1.5  # 6 × 1/4
