"""The problem ledger (问题清单/台账): raise problems, track them, export and re-import Excel.

Problems are :class:`~surveys.records.Problem` records in the store. They are raised from

* network checks — :func:`problems_from_issues` (``network.issues.Issue`` objects),
* defects of grade III–IV — :func:`problems_from_defects`,
* misconnection records — :func:`problems_from_misconnections`,
* protected-area conflicts — :func:`problems_from_conflicts` (the dicts of
  ``surveys.zones.conflicts.conflicts_to_problems``),
* or by hand (a :class:`Problem` added to the store).

:func:`raise_problems` adds them once: a problem whose ``source_ref`` is already in the
ledger (even soft-deleted, i.e. dismissed) is skipped.

The Excel round trip lives in :mod:`surveys.ledger_excel` (its names are importable from
here too): :func:`export_ledger_xlsx` writes the park-table workbook, :func:`plan_ledger_import`
compares a returned workbook field by field with the export and the project (edits become
changes, edits on both sides become flagged conflicts, never overwritten) and
:func:`apply_ledger_import` saves the plan in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from surveys.errors import CodeNotFoundError
from surveys.ledger_excel import (
    COLUMNS,
    EDITABLE,
    EXPORTED_SHEET,
    HIDDEN_COLUMNS,
    LEDGER_SHEET,
    META_SHEET,
    SUMMARY_SHEET,
    WORKBOOK_FORMAT,
    WORKBOOK_VERSION,
    WRAP_WIDTH,
    FieldChange,
    LedgerImportPlan,
    LedgerImportResult,
    RowChange,
    RowConflict,
    apply_ledger_import,
    export_ledger_xlsx,
    notes_to_text,
    plan_ledger_import,
    text_to_notes,
)
from surveys.records import (
    DIRECTION_LABELS_ZH,
    STATUSES,
    Misconnection,
    Observation,
    Problem,
    parse_date,
)
from surveys.store import SurveyStore

DEFAULT_MEASURES = {
    "network_check": "现场核实，按检查结论整改",
    "defect": "按CJJ 181评估结果安排修复",
    "misconnection": "封堵错接点，实施雨污分流改造",
    "protected_area": "核实位置，依法迁出或办理相关手续",
}


# --- raising -----------------------------------------------------------------------------------
def problems_from_issues(
    issues: Iterable[Any], *, severities: Sequence[str] = ("error", "warning")
) -> list[Problem]:
    """One problem per network check finding (``network.issues.Issue``) of the severities.

    Examples
    --------
    >>> from network.issues import Issue
    >>> i = Issue.make("connectivity", "dangling_end", "warning", ["P1"], "pipes", (1.0, 2.0),
    ...                "管段P1末端悬空", "Pipe P1 dangles", id="connectivity.dangling:P1")
    >>> problems_from_issues([i])[0].source_ref
    'issue:connectivity.dangling:P1'
    """
    out = []
    for iss in issues:
        if iss.severity not in severities:
            continue
        out.append(
            Problem(
                description=iss.message_zh or iss.message_en,
                location=_features_text(iss.layer, iss.feature_ids),
                x=iss.x,
                y=iss.y,
                measure=DEFAULT_MEASURES["network_check"],
                source="network_check",
                source_ref=f"issue:{iss.id}",
                layer=iss.layer,
                feature_ids=list(iss.feature_ids),
            )
        )
    return out


def _features_text(layer: str, ids: Iterable[str]) -> str:
    from network.schema import LAYER_LABELS_ZH

    ids = list(ids)
    label = LAYER_LABELS_ZH.get(layer, layer or "")
    shown = "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")
    return f"{label} {shown}".strip()


def problems_from_defects(
    observations: Iterable[Observation], pack: Any, *, min_grade: int = 3
) -> list[Problem]:
    """One problem per live observation of grade ``min_grade`` (III) or more.

    Unscored codes (FZ) are skipped.
    """
    out = []
    for ob in observations:
        if ob.deleted or ob.grade is None or int(ob.grade) < min_grade:
            continue
        try:
            dc = pack.code(ob.code)
        except CodeNotFoundError:  # a code of another pack: still a serious defect
            dc = None
        if dc is not None and not dc.scored:
            continue
        label = f"{dc.label_zh}（{dc.code}）" if dc else ob.code
        pipe = ob.pipe_id or f"{ob.start_node}→{ob.end_node}"
        roman = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}.get(int(ob.grade), str(ob.grade))
        at = f"距起始井 {ob.distance_m:g} m" if ob.distance_m is not None else ""
        out.append(
            Problem(
                description=f"管段 {pipe} {at}处{roman}级{label}缺陷",
                location=f"管段 {pipe}" + (f"，{at}" if at else ""),
                measure=DEFAULT_MEASURES["defect"],
                source="defect",
                source_ref=f"observation:{ob.uuid}",
                layer="pipes",
                feature_ids=[ob.pipe_id] if ob.pipe_id else [],
            )
        )
    return out


def problems_from_misconnections(records: Iterable[Misconnection]) -> list[Problem]:
    """One problem per live misconnection record."""
    out = []
    for m in records:
        if m.deleted:
            continue
        where = (
            "、".join(m.pipe_ids)
            or m.node_id
            or (f"({m.x:.1f}, {m.y:.1f})" if m.x is not None and m.y is not None else "")
        )
        ev = []
        if m.cod_mgl is not None:
            ev.append(f"COD {m.cod_mgl:g} mg/L")
        if m.nh3n_mgl is not None:
            ev.append(f"氨氮 {m.nh3n_mgl:g} mg/L")
        if m.conductivity_us_cm is not None:
            ev.append(f"电导率 {m.conductivity_us_cm:g} µS/cm")
        if m.flow_observed:
            ev.append("旱天有流水")
        if m.smell:
            ev.append(f"气味：{m.smell}")
        src = f"，疑似来源企业 {m.enterprise_id}" if m.enterprise_id else ""
        desc = f"雨污混接（{DIRECTION_LABELS_ZH.get(m.direction, m.direction)}）：{where}{src}"
        if ev:
            desc += f"；证据：{'，'.join(ev)}"
        out.append(
            Problem(
                description=desc,
                location=where,
                x=m.x,
                y=m.y,
                measure=DEFAULT_MEASURES["misconnection"],
                source="misconnection",
                source_ref=f"misconnection:{m.uuid}",
                layer="pipes" if m.pipe_ids else "manholes",
                feature_ids=list(m.pipe_ids) or ([m.node_id] if m.node_id else []),
            )
        )
    return out


def problems_from_conflicts(conflicts: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """Problems from protected-area conflicts (``surveys.zones.conflicts.conflicts_to_problems``).

    Reads ``description``, ``location`` (``{"x", "y"}`` or text), ``feature``
    (``{"type", "id"}``) and ``source`` (the stable reference); a ``measure`` given as text
    is kept, a dict of measurements is ignored (the default measure is used).
    """
    out = []
    for c in conflicts:
        loc = c.get("location")
        x = y = None
        if isinstance(loc, Mapping):
            x, y = loc.get("x"), loc.get("y")
        feat = c.get("feature") or {}
        layer, fid = str(feat.get("type", "")), feat.get("id")
        location = loc if isinstance(loc, str) else _features_text(layer, [fid] if fid else [])
        zone = c.get("zone") or {}
        if zone.get("name") or zone.get("id"):
            location = f"{location}（{zone.get('name') or zone.get('id')}）"
        measure = c.get("measure")
        out.append(
            Problem(
                description=str(c.get("description") or c.get("description_en") or ""),
                location=location,
                x=x,
                y=y,
                measure=measure
                if isinstance(measure, str)
                else DEFAULT_MEASURES["protected_area"],
                source="protected_area",
                source_ref=str(c.get("source") or c.get("id") or ""),
                layer=layer,
                feature_ids=[str(fid)] if fid else [],
            )
        )
    return out


@dataclass(frozen=True)
class RaiseResult:
    """What :func:`raise_problems` did."""

    added: list[Problem]
    skipped: int


def raise_problems(store: SurveyStore, problems: Iterable[Problem]) -> RaiseResult:
    """Add problems not yet in the ledger (by ``source_ref``), in one transaction.

    A ``source_ref`` already present, even on a deleted (dismissed) problem, is skipped,
    so raising again after a new check does not duplicate or resurrect problems.
    """
    have = {p.source_ref for p in store.records("problem", include_deleted=True) if p.source_ref}
    new, skipped, seen = [], 0, set()
    for p in problems:
        if p.source_ref and (p.source_ref in have or p.source_ref in seen):
            skipped += 1
            continue
        seen.add(p.source_ref)
        new.append(p)
    added, _, _ = store.save_batch(adds=new) if new else ([], [], [])
    return RaiseResult(added, skipped)


def add_progress_note(
    problem: Problem,
    text: str,
    *,
    date: dt.date | str | None = None,
    author: str = "",
    status: str | None = None,
) -> Problem:
    """Return a copy of ``problem`` with one more progress note (and a new status).

    Save it with ``store.update`` or an ``EditRecord`` command.
    """
    d = parse_date(date) if date else dt.date.today()
    notes = [*problem.notes, {"date": d.isoformat(), "text": text, "author": author}]
    return dataclasses.replace(problem, notes=notes, status=status or problem.status)


# --- tracking ---------------------------------------------------------------------------------
def overdue_problems(problems: Iterable[Problem], today: dt.date | None = None) -> list[Problem]:
    """The problems past their deadline and not done or verified."""
    return [p for p in problems if not p.deleted and p.is_overdue(today)]


@dataclass(frozen=True)
class LedgerSummary:
    """Counts by status and by responsible body (``by_body``: one row per body)."""

    total: int
    overdue: int
    by_status: dict[str, int]
    by_body: pd.DataFrame


def summarize(problems: Iterable[Problem], today: dt.date | None = None) -> LedgerSummary:
    """Summarise the live problems by status and by responsible body.

    Examples
    --------
    >>> s = summarize([Problem(description="a", responsible_body="园区管委会")])
    >>> s.by_status["open"], int(s.by_body.loc["园区管委会", "total"])
    (1, 1)
    """
    live = [p for p in problems if not p.deleted]
    by_status = {s: sum(p.status == s for p in live) for s in STATUSES}
    rows: dict[str, dict[str, int]] = {}
    for p in live:
        body = p.responsible_body or "（未指定）"
        r = rows.setdefault(body, dict.fromkeys((*STATUSES, "overdue", "total"), 0))
        r[p.status] = r.get(p.status, 0) + 1
        r["total"] += 1
        r["overdue"] += int(p.is_overdue(today))
    by_body = pd.DataFrame.from_dict(
        rows, orient="index", columns=[*STATUSES, "overdue", "total"]
    ).fillna(0)
    by_body.index.name = "responsible_body"
    return LedgerSummary(
        len(live), sum(p.is_overdue(today) for p in live), by_status, by_body.astype(int)
    )


#: The public names of the ledger, including the workbook side (:mod:`surveys.ledger_excel`).
__all__ = [
    "COLUMNS",
    "DEFAULT_MEASURES",
    "EDITABLE",
    "EXPORTED_SHEET",
    "HIDDEN_COLUMNS",
    "LEDGER_SHEET",
    "META_SHEET",
    "SUMMARY_SHEET",
    "WORKBOOK_FORMAT",
    "WORKBOOK_VERSION",
    "WRAP_WIDTH",
    "FieldChange",
    "LedgerImportPlan",
    "LedgerImportResult",
    "LedgerSummary",
    "RaiseResult",
    "RowChange",
    "RowConflict",
    "add_progress_note",
    "apply_ledger_import",
    "export_ledger_xlsx",
    "notes_to_text",
    "overdue_problems",
    "plan_ledger_import",
    "problems_from_conflicts",
    "problems_from_defects",
    "problems_from_issues",
    "problems_from_misconnections",
    "raise_problems",
    "summarize",
    "text_to_notes",
]
