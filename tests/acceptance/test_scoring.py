"""Scoring the default checklist on the small hand-worked park, and fixing raises the score.

The park (tests/acceptance/conftest.py): 4 enterprises (E1, E2 connected; E3 drains to the
rain outfall O1; E4 unattached), 1 misconnection (S3 into rain manhole E), 1 illegal outfall
(O1: rain outlet receiving sewage), plant W1 1000 t/d with load 600 t/d, COD 300 mg/L, online.
"""

from __future__ import annotations

import pytest

from network import schema as S
from network.commands import DictStore, SetAttributes
from network.io.project import open_project, save_project
from surveys.acceptance.assess import assess
from surveys.acceptance.pack import load_pack
from surveys.acceptance.rules import AcceptanceError
from surveys.acceptance.store import AcceptanceStore, read_acceptance
from surveys.ledger import problems_from_issues, raise_problems
from surveys.outfalls.store import Decision, OutfallStore
from surveys.store import SurveyStore

# Hand-worked with the default pack (resources/acceptance/zero_direct_discharge.json):
EXPECTED = {
    "S1": 5.0,  # 10 × 2/4 connected
    "S2": 3.0,  # 6 × 2/4 rain/sewage separated (E1, E2 answered 是)
    "S3": 1.0,  # 4 × 1/4 separated by kind (E1)
    "S4": 1.0,  # 4 × 1/4 pretreatment (E1)
    "S5": 2.25,  # 3 × 3/4 with a permit (E4 has none)
    "S6": 0.0,  # 3 × 0/4 online monitoring (E1 answered 否)
    "N1": 6.0,  # 8 − 2 × 1 misconnection
    "N2": 6.0,  # no grade III–IV defects
    "N3": 4.0,  # no other check errors
    "N4": 8.0,  # 10 − 2 × 1 illegal outfall
    "N5": 0.0,  # 4 × 0/1 outfalls in use registered
    "N6": 3.0,  # the network is mapped
    "P1": 6.0,  # 600 ≤ 1000 t/d and 300 t/d connected ≤ 1000
    "P2": 4.0,  # influent COD 300 ≥ 260 mg/L
    "P3": 4.0,  # 1000 t/d ≥ 500 with online monitoring
    "P4": 6.0,  # 6 × 1/1 plants stably compliant (answered 是)
    "M1": 5.0,  # no problems in the ledger: nothing left open
    "M2": 0.0,  # the dossier is empty
    "M3": 2.0,  # manual, 2 of 3 with a reason
    "M4": 0.0,  # manual, not scored yet
}
TOTAL = 66.25


def _answer(path):
    with AcceptanceStore(path) as st:
        st.set_answers(
            "ent:E1",
            {"雨污分流": "是", "分质分类收集": "是", "预处理设施": "是", "在线监测": "否"},
        )
        st.set_answers("ent:E2", {"rs_separation": "yes"})
        st.set_answers("plant:W1", {"稳定达标": "是"})
        st.set_manual_score(load_pack(), "M3", 2, "平台填报不完整")


def test_small_park_scores_the_hand_worked_points(small_park):
    _answer(small_park)
    a = assess(small_park, date="2025-01-10").assessment
    assert {s.code: s.score for s in a.items} == pytest.approx(EXPECTED)
    assert a.total == pytest.approx(TOTAL)
    assert a.subtotals() == {
        "source": (12.25, 30.0),
        "network": (27.0, 35.0),
        "plant": (20.0, 20.0),
        "management": (7.0, 15.0),
    }
    assert not a.passed
    assert a.item("M4").status == "unscored"
    assert a.item("M3").method == "manual" and a.item("M3").reason == "平台填报不完整"
    assert a.item("N1").reason == "未整改雨污混接点 1处"


def test_fixing_in_the_tool_raises_the_automatic_score(small_park):
    _answer(small_park)
    before = assess(small_park, date="2025-01-10", save=True).assessment
    assert before.auto_total == pytest.approx(TOTAL - 2.0)  # M3 is the only manual score

    # seal the illegal outfall (the outfall register's decision): N4 10, N5 no outfall in use
    with OutfallStore(small_park) as st:
        st.decide(Decision("O1", "seal", measure="封堵"))
    sealed = assess(small_park, date="2025-02-01").assessment
    assert sealed.item("N4").score == 10.0
    assert sealed.item("N5").score == 4.0
    assert sealed.total == pytest.approx(TOTAL + 2 + 4)

    # connect E3 to the sewer (the edit command, saved as the window saves)
    project = open_project(small_park)
    cmd = SetAttributes(DictStore(project.layers), S.ENTERPRISES, "E3", {S.CONNECT_NODE: "B"})
    cmd.do()
    save_project(project)
    connected = assess(small_park, date="2025-03-01").assessment
    assert connected.item("S1").score == 7.5  # 10 × 3/4
    assert connected.total == pytest.approx(TOTAL + 6 + 2.5)

    # the checks' findings go to the ledger (3 open problems: M1 drops to 0) …
    from network.state import build_checked_network

    checked = build_checked_network(project.layers, project.settings, project.crs)
    with SurveyStore(small_park) as store:
        added = raise_problems(store, problems_from_issues(checked.checks)).added
    kinds = sorted(p.source_ref.split(":")[1].split(".")[0] for p in added)
    assert len(added) == 3, kinds
    raised = assess(small_park, date="2025-03-02").assessment
    assert raised.item("M1").score == 0.0
    # … and closing the misconnection's problem counts it fixed: N1 8, M1 5 × 1/3
    with SurveyStore(small_park) as store:
        mis = next(p for p in store.records("problem") if "S3" in p.feature_ids)
        store.update(mis.__class__(**{**mis.__dict__, "status": "done"}))
    closed = assess(small_park, date="2025-03-03", save=True).assessment
    assert closed.item("N1").score == 8.0
    assert closed.item("M1").score == pytest.approx(1.67)
    assert closed.total == pytest.approx(raised.total + 2 + 1.67)
    assert closed.facts["n_misconnections_fixed"] == 1

    hist = read_acceptance(small_park).history(load_pack().id)
    assert [(h.assessed, h.total) for h in hist] == [
        ("2025-01-10", TOTAL),
        ("2025-03-03", pytest.approx(closed.total)),
    ]
    assert hist[0].items["N1"]["score"] == 6.0
    assert hist[0].facts["n_misconnections"] == 1


def test_lost_points_become_ledger_problems_once_and_close_when_full(small_park):
    _answer(small_park)
    res = assess(small_park, date="2025-01-10", raise_problems=True)
    lost = {s.code for s in res.assessment.lost_items() if s.status != "unscored"}
    assert lost == {"S1", "S2", "S3", "S4", "S5", "S6", "N1", "N4", "N5", "M2", "M3"}
    refs = {p.source_ref for p in res.ledger.added}
    assert refs == {f"acceptance:{res.assessment.pack.id}:{c}" for c in lost}
    n4 = next(p for p in res.ledger.added if p.source_ref.endswith(":N4"))
    assert "扣2分" in n4.description and "未取缔的违规/异常排口 1个" in n4.description
    # scoring again adds nothing; the acceptance problems are not counted in M1
    again = assess(small_park, date="2025-01-11", raise_problems=True)
    assert again.ledger.added == [] and again.ledger.skipped == len(lost)
    assert again.assessment.item("M1").score == 5.0
    # the outfall sealed: N4 full, its problem closed with a note
    with OutfallStore(small_park) as st:
        st.decide(Decision("O1", "seal"))
    third = assess(small_park, date="2025-02-01", raise_problems=True)
    assert [p.source_ref.rsplit(":", 1)[1] for p in third.ledger.closed] == ["N4", "N5"]
    assert third.ledger.closed[0].status == "done"
    assert "得满分" in third.ledger.closed[0].notes[-1]["text"]


def test_manual_score_needs_a_reason_below_full_points_and_a_valid_range(small_park):
    pack = load_pack()
    with AcceptanceStore(small_park) as st:
        with pytest.raises(AcceptanceError, match="give the reason"):
            st.set_manual_score(pack, "M4", 3)
        with pytest.raises(AcceptanceError, match="from 0 to 4"):
            st.set_manual_score(pack, "M4", 5, "x")
        with pytest.raises(AcceptanceError, match="has no item 'Z9'"):
            st.set_manual_score(pack, "Z9", 1, "x")
        st.set_manual_score(pack, "M4", 4)  # full points need no reason
    assert assess(small_park).assessment.item("M4").score == 4.0


def test_evidence_is_attached_to_answers_and_items(small_park, tmp_path):
    photo = tmp_path / "分流照片.jpg"
    photo.write_bytes(b"jpeg")
    with AcceptanceStore(small_park) as st:
        st.set_answers("ent:E1", {"雨污分流": "是"})
        st.attach("answer:ent:E1:rs_separation", photo)
        st.attach("item:M3", photo, title="平台截图")
        with pytest.raises(AcceptanceError, match="does not exist"):
            st.attach("item:M3", tmp_path / "none.pdf")
        with pytest.raises(AcceptanceError, match="not item:<code>"):
            st.attach("E1", photo)
    res = assess(small_park)
    assert res.survey.subject("ent:E1").cells["rs_separation"].evidence == 1
    assert res.assessment.item("M3").evidence == ("平台截图",)
    data = read_acceptance(small_park)
    assert [e.check(small_park) for e in data.evidence] == ["ok", "ok"]
    photo.write_bytes(b"changed")
    assert read_acceptance(small_park).evidence[0].check(small_park) == "changed"


def test_bad_answers_name_the_subject_and_question(small_park):
    with AcceptanceStore(small_park) as st:
        with pytest.raises(AcceptanceError, match=r"ent:E1 雨污分流: 'maybe' is not an answer"):
            st.set_answers("ent:E1", {"雨污分流": "maybe"})
        with pytest.raises(AcceptanceError, match="no survey question '颜色'"):
            st.set_answers("ent:E1", {"颜色": "红"})
        with pytest.raises(AcceptanceError, match="is not park, ent:"):
            st.set_answers("E1", {"雨污分流": "是"})
    assert read_acceptance(small_park).answers == {}  # nothing written


def test_missing_data_is_named_and_a_manual_score_stands_in(tmp_path, park_sources):
    from network.io.project import create_project

    path = tmp_path / "pipes_only.gpkg"
    create_project(path, {"pipes": park_sources["pipes"]}, crs="EPSG:4547")
    a = assess(path).assessment
    p1 = a.item("P1")
    assert p1.score == 0.0 and p1.method == "auto"
    assert p1.reason == "数据缺失，无法自动评分：设计处理规模、负荷率（可人工评分）"
    assert a.item("N4").reason.startswith("数据缺失")  # no outfall layer: not surveyed
    assert a.item("S1").reason.startswith("数据缺失")
    with AcceptanceStore(path) as st:
        st.set_manual_score(load_pack(), "P1", 4, "依托城镇污水厂，运行报表显示负荷率75%")
    p1 = assess(path).assessment.item("P1")
    assert (p1.score, p1.method) == (4.0, "manual")
    assert "依托城镇污水厂" in p1.reason
