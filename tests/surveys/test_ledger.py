"""The problem ledger: raising, tracking, Excel export and re-import with conflicts."""

import dataclasses
import datetime as dt

import pytest
from openpyxl import load_workbook
from synthetic_surveys import make_pipes_gpkg

from network.issues import Issue
from surveys import ledger
from surveys.records import Misconnection, Observation, Problem
from surveys.store import SurveyStore
from surveys.store_errors import WorkbookError

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def store(tmp_path):
    s = SurveyStore(
        make_pipes_gpkg(tmp_path / "park.gpkg", 3), author="alice", today=lambda: TODAY
    )
    yield s
    s.close()


def issue(i="connectivity.dangling:P1", severity="warning"):
    return Issue(
        i,
        "connectivity",
        "dangling_end",
        severity,
        ("P1",),
        "pipes",
        10.0,
        20.0,
        "管段P1末端悬空",
        "Pipe P1 has a dangling end",
    )


CONFLICT = {  # the shape surveys.zones.overlap.conflicts_to_problems returns
    "category": "protected_area",
    "kind": "overlap_water_source",
    "severity": "conflict",
    "description": "排放口 PK1 位于：一级区（饮用水水源保护区一级保护区）",
    "description_en": "outfalls PK1 inside zone 一级区 (water_source/level1)",
    "location": {"x": 500050.0, "y": 3400050.0, "crs": "EPSG:4547"},
    "feature": {"type": "outfalls", "id": "PK1"},
    "zone": {"id": "W1", "name": "一级区", "class": "water_source", "level": "level1"},
    "measure": {"distance_m": 0.0, "rule_id": "ws-1"},
    "source": "overlap:ws-1:outfalls:PK1:W1",
}


# --- raising ---------------------------------------------------------------------------------
def test_problems_from_each_source(store):
    o3 = store.add(Observation(pipe_id="P1", distance_m=3, code="PL", grade=3))
    store.add(Observation(pipe_id="P1", distance_m=9, code="PL", grade=2))
    store.add(Observation(pipe_id="P2", distance_m=9, code="FZ", grade=3))  # not scored
    m = store.add(
        Misconnection(
            date="2024-05-01",
            pipe_ids=["P3"],
            cod_mgl=180.0,
            direction="sewage_to_rain",
            flow_observed=True,
        )
    )
    defects = ledger.problems_from_defects(store.records("observation"), store.pack)
    assert [p.source_ref for p in defects] == [f"observation:{o3.uuid}"]
    assert "Ⅲ级破裂（PL）" in defects[0].description
    mis = ledger.problems_from_misconnections(store.records("misconnection"))
    assert mis[0].source_ref == f"misconnection:{m.uuid}"
    assert "COD 180 mg/L" in mis[0].description and "污水混入雨水" in mis[0].description
    iss = ledger.problems_from_issues([issue(), issue("x", severity="info")])
    assert [(p.source, p.x, p.feature_ids) for p in iss] == [("network_check", 10.0, ["P1"])]
    conf = ledger.problems_from_conflicts([CONFLICT])[0]
    assert (conf.source, conf.source_ref, conf.x) == (
        "protected_area",
        "overlap:ws-1:outfalls:PK1:W1",
        500050.0,
    )
    assert conf.measure == ledger.DEFAULT_MEASURES["protected_area"]
    assert conf.layer == "outfalls" and conf.feature_ids == ["PK1"]


def test_raise_problems_is_idempotent_even_after_dismissal(store):
    first = ledger.raise_problems(store, ledger.problems_from_issues([issue()]))
    assert len(first.added) == 1
    store.delete("problem", first.added[0].uuid)  # dismissed by the user
    again = ledger.raise_problems(
        store,
        ledger.problems_from_issues([issue()])
        + ledger.problems_from_conflicts([CONFLICT, CONFLICT]),
    )
    assert (len(again.added), again.skipped) == (1, 2)


def test_overdue_and_summary(store):
    store.add(Problem(description="a", responsible_body="管委会", deadline="2024-05-01"))
    store.add(
        Problem(description="b", responsible_body="管委会", deadline="2024-05-01", status="done")
    )
    store.add(
        Problem(
            description="c", responsible_body="企业A", deadline="2024-07-01", status="in_progress"
        )
    )
    probs = store.records("problem")
    assert [p.description for p in ledger.overdue_problems(probs, TODAY)] == ["a"]
    s = ledger.summarize(probs, TODAY)
    assert (s.total, s.overdue) == (3, 1)
    assert s.by_status == {"open": 1, "in_progress": 1, "done": 1, "verified": 0}
    assert s.by_body.loc["管委会", "overdue"] == 1 and s.by_body.loc["管委会", "total"] == 2
    assert s.by_body.loc["企业A", "in_progress"] == 1


def test_add_progress_note():
    p = ledger.add_progress_note(
        Problem(description="a"), "进场施工", date="2024-05-03", author="bob", status="in_progress"
    )
    assert p.notes == [{"date": "2024-05-03", "text": "进场施工", "author": "bob"}]
    assert p.status == "in_progress"


# --- Excel -----------------------------------------------------------------------------------
def _ledger(store):
    a = store.add(
        Problem(
            description="管段P1破裂",
            measure="修复",
            responsible_body="管委会",
            responsible_person="张三",
            deadline="2024-05-01",
        )
    )
    b = store.add(
        Problem(
            description="雨污混接",
            measure="封堵",
            responsible_body="企业A",
            deadline="2024-08-01",
            notes=[{"date": "2024-05-02", "text": "已通知", "author": "alice"}],
        )
    )
    c = store.add(Problem(description="井盖缺失"))
    return a, b, c


def test_export_uses_park_table_columns_and_marks_overdue(store, tmp_path):
    _ledger(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    wb = load_workbook(path)
    ws = wb[ledger.LEDGER_SHEET]
    headers = [c.value for c in ws[2]]
    assert headers[:7] == [
        "序号",
        "问题",
        "整改措施",
        "责任单位",
        "责任人",
        "整改时限",
        "整改进展",
    ]
    assert headers[-2:] == ["记录编号", "版本"]
    assert ws.column_dimensions["L"].hidden
    assert ws["B3"].value == "管段P1破裂" and ws["F3"].value.date() == dt.date(2024, 5, 1)
    assert ws["K3"].value == "是" and ws["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["G4"].value == "2024-05-02 已通知"
    assert wb[ledger.META_SHEET].sheet_state == "hidden"
    assert ledger.SUMMARY_SHEET in wb.sheetnames


def test_import_round_trip_changes_new_rows_and_conflicts(store, tmp_path):
    a, b, c = _ledger(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    wb = load_workbook(path)
    ws = wb[ledger.LEDGER_SHEET]
    ws["C3"] = "更换管段"  # a: workbook only -> change
    ws["H3"] = "整改中"
    ws["G3"] = "2024-05-20 已进场\n完成开挖"
    ws["C4"] = "封堵并监测"  # b: both sides edit measure -> conflict
    ws["E5"] = "李四"  # c: workbook edits person, project edits
    ws.append(
        [None, "新增：检查井破损", "更换井盖", "市政公司", "王五", "2024-09-01", None, "未整改"]
    )
    ws.append([None, "bad status", "", "", "", "", None, "搁置"])
    ws.append([None, "bad date", "", "", "", "明年", None, "未整改"])
    wb.save(path)
    store.update(dataclasses.replace(b, measure="改由园区封堵"))
    store.update(dataclasses.replace(c, location="二号路"))  # different field: merge

    plan = ledger.plan_ledger_import(store, path)
    assert [ch.uuid for ch in plan.changes] == [a.uuid, c.uuid]
    fields = {f.field: f.workbook for f in plan.changes[0].changes}
    assert fields == {
        "measure": "更换管段",
        "status": "in_progress",
        "notes": "2024-05-20 已进场\n完成开挖",
    }
    assert [k.uuid for k in plan.conflicts] == [b.uuid]
    assert plan.conflicts[0].changes[0].project == "改由园区封堵"
    assert [p.description for _, p in plan.new] == ["新增：检查井破损"]
    assert [r for r, _ in plan.errors] == [7, 8]
    assert "CONFLICT" in "\n".join(plan.lines())

    res = ledger.apply_ledger_import(store, plan)
    assert len(res.updated) == 2 and len(res.added) == 1 and len(res.conflicts) == 1
    got_a = store.get("problem", a.uuid)
    assert (got_a.measure, got_a.status) == ("更换管段", "in_progress")
    assert got_a.notes == [
        {"date": "2024-05-20", "text": "已进场", "author": "alice"},
        {"date": "2024-06-01", "text": "完成开挖", "author": "alice"},
    ]
    assert store.get("problem", b.uuid).measure == "改由园区封堵"  # not overwritten
    got_c = store.get("problem", c.uuid)
    assert (got_c.responsible_person, got_c.location) == ("李四", "二号路")
    new = [p for p in store.records("problem") if p.source == "import"]
    assert new[0].deadline == "2024-09-01" and new[0].responsible_body == "市政公司"


def test_import_of_unchanged_export_changes_nothing(store, tmp_path):
    _ledger(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    plan = ledger.plan_ledger_import(store, path)
    assert plan.empty and plan.unchanged == 3 and not plan.conflicts


def test_change_made_after_planning_becomes_conflict(store, tmp_path):
    a, _, _ = _ledger(store)
    path = ledger.export_ledger_xlsx(store, tmp_path / "l.xlsx")
    wb = load_workbook(path)
    wb[ledger.LEDGER_SHEET]["C3"] = "更换管段"
    wb.save(path)
    plan = ledger.plan_ledger_import(store, path)
    store.update(dataclasses.replace(store.get("problem", a.uuid), measure="x"))
    res = ledger.apply_ledger_import(store, plan)
    assert res.updated == [] and len(res.conflicts) == 1
    assert store.get("problem", a.uuid).measure == "x"


def test_import_rejects_other_workbooks(store, tmp_path):
    from openpyxl import Workbook

    p = tmp_path / "other.xlsx"
    Workbook().save(p)
    with pytest.raises(WorkbookError, match="not a PipeAtlas ledger export"):
        ledger.plan_ledger_import(store, p)
    q = tmp_path / "text.xlsx"
    q.write_text("nope")
    with pytest.raises(WorkbookError, match="not an Excel"):
        ledger.plan_ledger_import(store, q)
