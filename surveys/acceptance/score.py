"""Scoring the checklist, keeping the score per assessment date, and the lost points as
ledger problems (no Qt).

:func:`score_checklist` scores each item of a pack: an automatic item evaluates its rule over
the survey's facts (True/False → full/zero points, a number → the score clamped to 0 … points);
a manual item takes the stored manual score (score, reason, evidence); an automatic item whose
facts are missing falls back to a manual score when one is stored, else scores 0 with the
missing facts named. The total, the per-group subtotals and pass (total ≥ the pack's
``pass_score``, 90 in the default pack) follow.

:func:`raise_lost_points` raises one ledger problem per item that lost points, through the
one ledger (:func:`surveys.ledger.raise_problems`, ``source_ref`` ``acceptance:<pack>:<item>``,
so scoring again never duplicates), and closes a problem raised that way when its item
regains full points automatically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.acceptance.facts import FACTS, fact_text
from surveys.acceptance.pack import AcceptancePack, Item
from surveys.acceptance.store import AcceptanceData, ManualScore, StoredAssessment
from surveys.acceptance.survey import LEDGER_PREFIX

#: Item statuses: full points, some lost, none, not scored (manual item without a score).
STATUS_ZH = {"full": "满分", "partial": "扣分", "zero": "不得分", "unscored": "未评分"}
METHOD_ZH = {"auto": "自动", "manual": "人工"}


@dataclass(frozen=True)
class ItemScore:
    """The score of one item and why."""

    code: str
    group: str
    title_zh: str
    points: float
    score: float
    method: str  # auto / manual (manual also for an auto item scored by hand)
    status: str  # full / partial / zero / unscored
    reason: str
    rule: str = ""
    evidence_needed: str = ""
    evidence: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> float:
        """Points lost."""
        return round(self.points - self.score, 4)


@dataclass(frozen=True)
class Assessment:
    """A scored checklist on one date."""

    pack: AcceptancePack
    date: str
    items: tuple[ItemScore, ...]
    facts: dict[str, Any]

    @property
    def total(self) -> float:
        """The total score."""
        return round(sum(s.score for s in self.items), 2)

    @property
    def max_total(self) -> float:
        """The points of all items."""
        return self.pack.max_total

    @property
    def passed(self) -> bool:
        """Whether the total reaches the pack's pass mark (≥ 90 in the default pack)."""
        return self.total >= self.pack.pass_score

    def subtotals(self) -> dict[str, tuple[float, float]]:
        """Per group: (score, points), in the pack's group order."""
        return {
            g.code: (
                round(sum(s.score for s in self.items if s.group == g.code), 2),
                round(sum(s.points for s in self.items if s.group == g.code), 2),
            )
            for g in self.pack.groups
        }

    @property
    def auto_total(self) -> float:
        """The score of the automatic items."""
        return round(sum(s.score for s in self.items if s.method == "auto"), 2)

    def item(self, code: str) -> ItemScore:
        """The score of one item.

        Raises
        ------
        KeyError
            No such item.
        """
        for s in self.items:
            if s.code == code:
                return s
        raise KeyError(code)

    def lost_items(self) -> list[ItemScore]:
        """The items that lost points."""
        return [s for s in self.items if s.lost > 0]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "pack": self.pack.id,
            "pack_title": self.pack.title_zh,
            "official": self.pack.official,
            "date": self.date,
            "total": self.total,
            "max_total": self.max_total,
            "pass_score": self.pack.pass_score,
            "passed": self.passed,
            "subtotals": {
                k: {"score": s, "points": p, "title": self.pack.group(k).title_zh}
                for k, (s, p) in self.subtotals().items()
            },
            "items": [
                {
                    "code": s.code,
                    "group": s.group,
                    "title": s.title_zh,
                    "points": s.points,
                    "score": s.score,
                    "method": s.method,
                    "status": s.status,
                    "reason": s.reason,
                    "rule": s.rule,
                    "evidence_needed": s.evidence_needed,
                    "evidence": list(s.evidence),
                    "facts": s.facts,
                }
                for s in self.items
            ],
            "facts": self.facts,
        }


def _status(score: float, points: float) -> str:
    if score >= points:
        return "full"
    return "partial" if score > 0 else "zero"


def _facts_text(names: Any, facts: Mapping[str, Any]) -> str:
    return "，".join(
        f"{FACTS[n].title_zh} {fact_text(n, facts.get(n))}" for n in sorted(names) if n in FACTS
    )


def score_item(
    item: Item,
    facts: Mapping[str, Any],
    manual: ManualScore | None = None,
    evidence: tuple[str, ...] = (),
) -> ItemScore:
    """Score one item (see the module's description).

    Examples
    --------
    >>> from surveys.acceptance.rules import parse_expression
    >>> rule = parse_expression("points * connection_rate")
    >>> it = Item("S1", "source", "应纳尽纳", 10.0, "auto", rule)
    >>> s = score_item(it, {"connection_rate": 0.85})
    >>> s.score, s.status, s.reason
    (8.5, 'partial', '纳管率（按企业数） 85.0%')
    """
    base = {
        "code": item.code,
        "group": item.group,
        "title_zh": item.title_zh,
        "points": item.points,
        "rule": item.rule_text,
        "evidence_needed": item.evidence_zh,
        "evidence": evidence,
    }
    if item.rule is not None:
        names = item.rule.names - {"points"}
        used = {n: facts.get(n) for n in sorted(names)}
        value = item.rule.evaluate({**used, "points": item.points})
        if value is not None:
            if isinstance(value, bool):
                score = item.points if value else 0.0
            else:
                score = min(item.points, max(0.0, float(value)))
            score = round(score, 2)
            return ItemScore(
                **base,
                score=score,
                method="auto",
                status=_status(score, item.points),
                reason=_facts_text(names, facts),
                facts=used,
            )
        missing = "、".join(FACTS[n].title_zh for n in sorted(names) if used.get(n) is None)
        if manual is None:
            return ItemScore(
                **base,
                score=0.0,
                method="auto",
                status="zero",
                reason=f"数据缺失，无法自动评分：{missing}（可人工评分）",
                facts=used,
            )
        return ItemScore(
            **base,
            score=round(manual.score, 2),
            method="manual",
            status=_status(manual.score, item.points),
            reason=f"人工评分（数据缺失：{missing}）：{manual.reason}".rstrip("："),
            facts=used,
        )
    if manual is None:
        return ItemScore(
            **base, score=0.0, method="manual", status="unscored", reason="未评分（人工评分项）"
        )
    return ItemScore(
        **base,
        score=round(manual.score, 2),
        method="manual",
        status=_status(manual.score, item.points),
        reason=manual.reason or ("满分" if manual.score >= item.points else ""),
    )


def score_checklist(
    facts: Mapping[str, Any],
    pack: AcceptancePack,
    data: AcceptanceData | None = None,
    *,
    date: str | None = None,
) -> Assessment:
    """Score every item of ``pack`` from the survey's ``facts`` and the stored manual scores.

    Parameters
    ----------
    facts : the survey's facts (``Survey.facts``)
    pack : the checklist
    data : the acceptance tables (manual scores and evidence); none when None
    date : the assessment date (``YYYY-MM-DD``, default today)
    """
    data = data or AcceptanceData()
    manual = data.manual_scores(pack.id)
    items = []
    for it in pack.items:
        ev = tuple(e.title or e.path for e in data.evidence_of(f"item:{it.code}"))
        items.append(score_item(it, facts, manual.get(it.code), ev))
    return Assessment(pack, date or dt.date.today().isoformat(), tuple(items), dict(facts))


def previous(history: list[StoredAssessment], date: str) -> StoredAssessment | None:
    """The last saved assessment before ``date`` (None when none)."""
    older = [a for a in history if a.assessed < date]
    return older[-1] if older else None


# --- ledger -------------------------------------------------------------------------------------
def ledger_source() -> str:
    """The ledger ``source`` of acceptance problems (``acceptance`` once the ledger knows it)."""
    from surveys.records import SOURCES

    return "acceptance" if "acceptance" in SOURCES else "manual"


def problem_ref(pack: AcceptancePack, code: str) -> str:
    """``acceptance:<pack id>:<item>``: the stable reference of an item's problem."""
    return f"{LEDGER_PREFIX}{pack.id}:{code}"


def lost_point_problems(assessment: Assessment) -> list[Any]:
    """One ledger problem per item that lost points (not for unscored manual items)."""
    from surveys.records import Problem

    out = []
    for s in assessment.lost_items():
        if s.status == "unscored":
            continue
        group = assessment.pack.group(s.group).title_zh
        out.append(
            Problem(
                description=(
                    f"零直排验收扣分：{s.code} {s.title_zh}（{group}）扣{s.lost:g}分"
                    f"（得{s.score:g}/{s.points:g}分）；{s.reason}"
                ),
                location=assessment.pack.title_zh,
                measure=f"按评分要求整改；佐证材料：{s.evidence_needed}"
                if s.evidence_needed
                else "按评分要求整改",
                source=ledger_source(),
                source_ref=problem_ref(assessment.pack, s.code),
            )
        )
    return out


@dataclass(frozen=True)
class LedgerResult:
    """What :func:`raise_lost_points` did: problems added, already there, closed."""

    added: list[Any]
    skipped: int
    closed: list[Any]


def raise_lost_points(store: Any, assessment: Assessment) -> LedgerResult:
    """Raise a ledger problem per item that lost points; close those whose item now scores full.

    Parameters
    ----------
    store : surveys.store.SurveyStore of the project
    assessment : the scored checklist

    Only problems of automatic items are closed here (a manual item's problem is closed by the
    park in the ledger, with its evidence).
    """
    from surveys.ledger import add_progress_note, raise_problems

    res = raise_problems(store, lost_point_problems(assessment))
    full = {
        problem_ref(assessment.pack, s.code)
        for s in assessment.items
        if s.method == "auto" and s.status == "full"
    }
    closed = []
    for p in store.records("problem"):
        if p.source_ref in full and p.status not in ("done", "verified"):
            q = add_progress_note(
                p,
                f"{assessment.date} 复评：{p.source_ref.rsplit(':', 1)[-1]} 得满分，自动销号",
                date=assessment.date,
                author="PipeAtlas",
                status="done",
            )
            closed.append(store.update(q))
    return LedgerResult(list(res.added), res.skipped, closed)


def with_date(assessment: Assessment, date: str) -> Assessment:
    """The same assessment on another date."""
    return dataclasses.replace(assessment, date=date)
