"""Decisions per outfall (治): ledger problems, the 一口一策 plan and the task table (no Qt).

A decision (保留并规范 / 合并至 X / 取缔封堵, :class:`surveys.outfalls.store.Decision`)
raises problems in the one ledger (:func:`surveys.ledger.raise_problems`, once each by a
stable ``source_ref``): the decision itself with its measure, deadline and responsible unit;
for a shared outfall the task of tracing its dischargers (厘清责任主体); for a sealing, one
problem per enterprise that would then have nowhere to go (from
:func:`surveys.outfalls.register.seal_effect`); for a merge into an outfall that does not
exist, a problem saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from surveys.outfalls.register import OutfallRegister, RegisterRow, SealEffect
from surveys.outfalls.store import DECISIONS, Decision

#: Default measures per decision (the seeds' wording).
DEFAULT_MEASURES = {
    "keep": "建档立标、责任到人、规范管理，做到达标排放",
    "merge": "截污纳管，并入保留的排污口后封堵原排口",
    "seal": "依法取缔，实施封堵",
}
#: Ledger ``source`` of outfall problems (``source_ref`` ``outfall:<id>:<kind>[:<ent>]``).
LEDGER_SOURCE = "outfall"
#: Main tasks of the task table, per decision (Lianyungang's 取缔一批、合并一批、规范一批).
MAIN_TASKS = {
    "seal": "取缔一批：坚决封堵非法排污口",
    "merge": "合并一批：多口合一、截污纳管",
    "keep": "规范一批：建档立标、规范管理",
}


def deadline_text(iso: str) -> str:
    """``2025-06-30`` → ``2025年6月30日`` (the tables' way); "" stays "".

    Examples
    --------
    >>> deadline_text("2020-07-31")
    '2020年7月31日'
    """
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def decision_problems(
    row: RegisterRow,
    decision: Decision,
    *,
    effect: SealEffect | None = None,
    known_outfalls: Iterable[str] = (),
) -> list[Any]:
    """The ledger problems a decision raises (``surveys.records.Problem`` objects).

    Parameters
    ----------
    row : the outfall's register row
    decision : its decision
    effect : for a sealing, :func:`~surveys.outfalls.register.seal_effect` of this outfall
    known_outfalls : the register's outfall ids (a merge target must be one)
    """
    from surveys.records import Problem

    oid = row.outfall_id
    what = f"排污口{oid}（{row.name or row.class_label}，{row.class_label}）"
    common = {
        "deadline": decision.deadline,
        "responsible_body": decision.responsible_unit,
        "responsible_person": decision.responsible_person,
        "source": LEDGER_SOURCE,
        "x": row.x,
        "y": row.y,
    }
    target = f"；目标：{decision.target}" if decision.target else ""
    out = [
        Problem(
            description=f"{what}：{decision.label_zh}{target}",
            location=f"排放口 {oid}",
            measure=decision.measure or DEFAULT_MEASURES[decision.decision],
            source_ref=f"outfall:{oid}:{decision.decision}",
            layer="outfalls",
            feature_ids=[oid],
            **common,
        )
    ]
    if row.trace.shared:
        ids = "、".join(d.id for d in row.trace.dischargers)
        out.append(
            Problem(
                description=f"{what}为{len(row.trace.dischargers)}个排污单位共用：{ids}",
                location=f"排放口 {oid}",
                measure="组织溯源，厘清责任主体；按各单位排水量分担整治责任",
                source_ref=f"outfall:{oid}:shared",
                layer="outfalls",
                feature_ids=[oid],
                **common,
            )
        )
    if decision.decision == "merge":
        known = set(known_outfalls)
        if known and decision.merge_into not in known:
            out.append(
                Problem(
                    description=f"{what}拟合并至{decision.merge_into}，但登记表中无此排口",
                    location=f"排放口 {oid}",
                    measure="核实合并目标排口并登记",
                    source_ref=f"outfall:{oid}:merge_target:{decision.merge_into}",
                    layer="outfalls",
                    feature_ids=[oid],
                    **common,
                )
            )
    if decision.decision == "seal" and effect is not None:
        for e in effect.enterprises:
            if not e.stranded:
                continue
            out.append(
                Problem(
                    description=f"封堵排污口{oid}后，企业{e.ent_id}（{e.name}）废水无去向",
                    location=f"企业 {e.ent_id}",
                    measure="封堵前完成该企业截污纳管，接入污水处理厂",
                    source_ref=f"outfall:{oid}:seal:{e.ent_id}",
                    layer="enterprises",
                    feature_ids=[e.ent_id],
                    **{**common, "x": None, "y": None},
                )
            )
    return out


def raise_decision(
    project_path: str | Path, register: OutfallRegister, outfall_id: str, net: Any = None
) -> Any:
    """Raise the problems of an outfall's stored decision in the project's ledger, once each.

    ``net`` (the flow network) gives a sealing's stranded enterprises; without it the
    register's own sealing analysis (of every 封堵 outfall) is used.

    Returns ``surveys.ledger.RaiseResult`` (``added``, ``skipped``).

    Raises
    ------
    OutfallError
        The outfall has no decision or is not in the register.
    """
    from surveys.ledger import raise_problems
    from surveys.outfalls.codes import OutfallError
    from surveys.outfalls.register import seal_effect
    from surveys.store import SurveyStore

    row = register.row(outfall_id)
    if row.decision is None:
        raise OutfallError(
            f"Outfall {outfall_id} has no decision yet; decide first "
            "(保留并规范 / 合并至 X / 取缔封堵).",
            record=str(outfall_id),
        )
    effect = None
    if row.decision.decision == "seal":
        if net is not None and row.trace.reachable:
            effect = seal_effect(net, [row.outfall_id])
        elif register.sealed is not None and row.outfall_id in register.sealed.outfalls:
            effect = register.sealed
    problems = decision_problems(
        row, row.decision, effect=effect, known_outfalls=[r.outfall_id for r in register.rows]
    )
    with SurveyStore(project_path) as store:
        return raise_problems(store, problems)


# --- tables ---------------------------------------------------------------------------------
PLAN_HEADERS = (
    "序号",
    "排污口编号",
    "排污口名称",
    "排污口类别",
    "受纳水体",
    "上游排污单位",
    "存在问题",
    "整治类型",
    "整治措施",
    "整治目标",
    "完成时限",
    "责任单位",
    "责任人",
    "封堵影响",
)
TASK_HEADERS = ("主要任务", "任务内容", "完成时限", "责任单位")


def plan_rows(register: OutfallRegister) -> list[list[Any]]:
    """The 一口一策 table: one row per outfall (undecided ones with 整治类型 待定)."""
    rows = []
    sealed = register.sealed
    for i, r in enumerate(register.rows, start=1):
        d = r.decision
        effect = ""
        if d is not None and d.decision == "seal" and sealed is not None:
            ups = set(r.trace.enterprises)
            effect = "；".join(
                f"{e.ent_id}{e.change_zh}" for e in sealed.enterprises if e.ent_id in ups
            )
        rows.append(
            [
                i,
                r.outfall_id,
                r.name,
                r.class_label,
                r.value("receiving_water"),
                "、".join(x.id for x in r.trace.dischargers),
                "；".join(t for _, t in r.findings),
                d.label_zh if d else "待定",
                (d.measure or DEFAULT_MEASURES[d.decision]) if d else "",
                d.target if d else "",
                deadline_text(d.deadline) if d else "",
                d.responsible_unit if d else "",
                d.responsible_person if d else "",
                effect,
            ]
        )
    return rows


def task_rows(register: OutfallRegister) -> list[list[Any]]:
    """The task table in the seed's form (主要任务, 任务内容, 完成时限, 责任单位).

    One row per decided outfall, grouped 取缔 → 合并 → 规范, the main task written on the
    first row of its group (as the seed's table does).
    """
    out: list[list[Any]] = []
    for code in ("seal", "merge", "keep"):
        group = [r for r in register.rows if r.decision and r.decision.decision == code]
        for n, r in enumerate(group):
            d = r.decision
            assert d is not None
            text = (
                f"{n + 1}. {r.outfall_id} {r.name}（{r.class_label}）：{d.label_zh}。"
                f"{d.measure or DEFAULT_MEASURES[code]}"
                + (f"；目标：{d.target}" if d.target else "")
                + "。"
            )
            out.append(
                [
                    MAIN_TASKS[code] if n == 0 else "",
                    text,
                    deadline_text(d.deadline),
                    d.responsible_unit,
                ]
            )
    return out


__all__ = [
    "DECISIONS",
    "DEFAULT_MEASURES",
    "PLAN_HEADERS",
    "TASK_HEADERS",
    "deadline_text",
    "decision_problems",
    "plan_rows",
    "raise_decision",
    "task_rows",
]
