"""The acceptance tables inside the project GeoPackage (no Qt).

Registered with the project file's owner (:mod:`network.io.gpkg`) as the ``acceptance``
schema group; each is a GeoPackage ``attributes`` table with an ``INTEGER PRIMARY KEY``:

``pa_acceptance_meta``
    Key/value: ``schema_version``.
``pa_acceptance_answers``
    The survey answers typed in the form, one per subject (``park``, ``ent:E01``,
    ``plant:P01``) and question (``rs_separation`` …), with a note.
``pa_acceptance_evidence``
    Evidence files (path relative to the project + SHA-256) attached to an answer
    (``answer:ent:E01:rs_separation``) or a checklist item (``item:M3``).
``pa_acceptance_manual``
    The current manual score of an item per pack: score, reason, assessor.
``pa_acceptance_assessments`` and ``pa_acceptance_scores``
    One assessment per date and pack (total, pass, the facts it was scored on) and its item
    scores, so a park sees its score rise as problems close.

Writes go through :class:`AcceptanceStore` (one transaction each); :func:`read_acceptance`
reads without writing.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.io import gpkg
from network.io.project import stored_source_path
from surveys.acceptance.rules import AcceptanceError
from surveys.outfalls.store import file_check, sha256_file

META_TABLE = "pa_acceptance_meta"
ANSWERS_TABLE = "pa_acceptance_answers"
EVIDENCE_TABLE = "pa_acceptance_evidence"
MANUAL_TABLE = "pa_acceptance_manual"
ASSESSMENTS_TABLE = "pa_acceptance_assessments"
SCORES_TABLE = "pa_acceptance_scores"
SCHEMA_VERSION = 1

YES, NO = "是", "否"
_YES = ("是", "有", "yes", "y", "true", "1", "√", "✓", "已", "已完成")
_NO = ("否", "无", "没有", "no", "n", "false", "0", "×", "✗", "未")


@dataclass(frozen=True)
class Question:
    """A survey question answered in the form (``yesno`` or ``text``)."""

    code: str
    title_zh: str
    kind: str = "yesno"
    title_en: str = ""


#: The questions per kind of subject (``ent`` enterprise, ``plant``, ``park``).
QUESTIONS: dict[str, tuple[Question, ...]] = {
    "ent": (
        Question("rs_separation", "雨污分流", "yesno", "Rain/sewage separated"),
        Question("quality_separation", "分质分类收集", "yesno", "Wastewater separated by kind"),
        Question("pretreatment", "预处理设施", "yesno", "Pretreatment"),
        Question("online_monitoring", "在线监测", "yesno", "Online monitoring"),
        Question("permit_no", "排污许可证编号", "text", "Discharge permit no."),
        Question("note", "备注", "text", "Note"),
    ),
    "plant": (
        Question("stable_compliance", "稳定达标", "yesno", "Stable compliance"),
        Question("online_monitoring", "在线监测", "yesno", "Online monitoring"),
        Question("note", "备注", "text", "Note"),
    ),
    "park": (Question("note", "备注", "text", "Note"),),
}


def subject_kind(subject: str) -> str:
    """``ent``, ``plant`` or ``park`` of a subject id (``ent:E01`` → ``ent``).

    Raises
    ------
    AcceptanceError
        The subject is not ``park``, ``ent:ID`` or ``plant:ID``.
    """
    kind, sep, ident = str(subject).partition(":")
    if kind == "park" and not sep:
        return "park"
    if kind in ("ent", "plant") and sep and ident.strip():
        return kind
    raise AcceptanceError(
        f"Survey subject {subject!r} is not park, ent:<enterprise id> or plant:<plant id>.",
        record=str(subject),
    )


def question(subject: str, name: str) -> Question:
    """The question a name means for a subject (code, Chinese title or English title).

    Raises
    ------
    AcceptanceError
        The subject has no such question.
    """
    qs = QUESTIONS[subject_kind(subject)]
    k = str(name).strip().lower()
    for q in qs:
        if k in (q.code, q.title_zh.lower(), q.title_en.lower()):
            return q
    raise AcceptanceError(
        f"{subject}: no survey question {name!r}; the questions are "
        f"{'、'.join(f'{q.title_zh} ({q.code})' for q in qs)}.",
        record=subject,
        field=str(name),
    )


def parse_answer(q: Question, value: Any, subject: str = "") -> str:
    """An answer as stored: ``是``/``否`` for yes/no questions; "" clears.

    Raises
    ------
    AcceptanceError
        A yes/no question given something else.

    Examples
    --------
    >>> q = Question("rs_separation", "雨污分流")
    >>> parse_answer(q, "yes"), parse_answer(q, "无"), parse_answer(q, True), parse_answer(q, "")
    ('是', '否', '是', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = str(value).strip()
    if not text or q.kind != "yesno":
        return text
    if text.lower() in _YES:
        return YES
    if text.lower() in _NO:
        return NO
    raise AcceptanceError(
        f"{subject} {q.title_zh}: {text!r} is not an answer; write 是 or 否 (yes/no).",
        record=subject or None,
        field=q.title_zh,
        found=text,
    )


@dataclass(frozen=True)
class Evidence:
    """An evidence file attached to an answer or an item."""

    fid: int
    target: str
    path: str
    sha256: str
    title: str = ""
    added: str = ""

    def check(self, project_path: str | Path) -> str:
        """``ok``, ``missing`` or ``changed``."""
        return file_check(self.path, self.sha256, project_path)


@dataclass(frozen=True)
class ManualScore:
    """A manual score of an item (score, reason, assessor)."""

    item: str
    score: float
    reason: str = ""
    assessor: str = ""
    modified: str = ""


@dataclass(frozen=True)
class StoredAssessment:
    """One saved assessment: date, pack, total, pass, the facts and item scores."""

    assessed: str
    pack_id: str
    total: float
    max_total: float
    passed: bool
    facts: dict[str, Any] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class AcceptanceData:
    """Everything the acceptance tables of a project hold."""

    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    manual: dict[str, dict[str, ManualScore]] = field(default_factory=dict)
    assessments: tuple[StoredAssessment, ...] = ()
    schema_version: int = 0

    def answer(self, subject: str, code: str) -> str:
        """A stored answer ("" when none)."""
        return self.answers.get(subject, {}).get(code, "")

    def evidence_of(self, target: str) -> list[Evidence]:
        """The evidence files of a target (``item:M3``, ``answer:ent:E01:rs_separation``)."""
        return [e for e in self.evidence if e.target == target]

    def manual_scores(self, pack_id: str) -> dict[str, ManualScore]:
        """The manual scores of a pack's items."""
        return self.manual.get(pack_id, {})

    def history(self, pack_id: str) -> list[StoredAssessment]:
        """The saved assessments of a pack, oldest first."""
        return sorted(
            (a for a in self.assessments if a.pack_id == pack_id), key=lambda a: a.assessed
        )


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# --- schema -------------------------------------------------------------------------------------
_DDL = {
    META_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT",
    ANSWERS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, "
    "question TEXT NOT NULL, value TEXT, note TEXT, modified TEXT, UNIQUE (subject, question)",
    EVIDENCE_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, "
    "path TEXT NOT NULL, sha256 TEXT, title TEXT, added TEXT",
    MANUAL_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, pack_id TEXT NOT NULL, "
    "item TEXT NOT NULL, score REAL NOT NULL, reason TEXT, assessor TEXT, modified TEXT, "
    "UNIQUE (pack_id, item)",
    ASSESSMENTS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, assessed TEXT NOT NULL, "
    "pack_id TEXT NOT NULL, total REAL, max_total REAL, passed INTEGER, facts TEXT, "
    "saved TEXT, UNIQUE (assessed, pack_id)",
    SCORES_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, assessed TEXT NOT NULL, "
    "pack_id TEXT NOT NULL, item TEXT NOT NULL, grp TEXT, points REAL, score REAL, "
    "method TEXT, status TEXT, reason TEXT, UNIQUE (assessed, pack_id, item)",
}
_DESC = {
    META_TABLE: "PipeAtlas acceptance tables (schema version)",
    ANSWERS_TABLE: "PipeAtlas 源网厂 survey answers 污水零直排区调查表",
    EVIDENCE_TABLE: "PipeAtlas acceptance evidence 佐证材料",
    MANUAL_TABLE: "PipeAtlas acceptance manual scores 人工评分",
    ASSESSMENTS_TABLE: "PipeAtlas acceptance assessments 验收评分",
    SCORES_TABLE: "PipeAtlas acceptance item scores 评分明细",
}


ACCEPTANCE_SCHEMA = gpkg.register_subject_schema(
    "acceptance",
    "acceptance tables",
    _DDL,
    _DESC,
    version=SCHEMA_VERSION,
    version_table=META_TABLE,
)


def _read(con: sqlite3.Connection) -> AcceptanceData:
    if META_TABLE not in gpkg.table_names(con):
        return AcceptanceData()
    version = gpkg.stored_version(con, ACCEPTANCE_SCHEMA)
    answers: dict[str, dict[str, str]] = {}
    notes: dict[tuple[str, str], str] = {}
    for subject, q, value, note in con.execute(
        f"SELECT subject, question, value, note FROM {ANSWERS_TABLE} ORDER BY fid"
    ):
        if value:
            answers.setdefault(subject, {})[q] = value
        if note:
            notes[(subject, q)] = note
    evidence = tuple(
        Evidence(int(r[0]), r[1], r[2], r[3] or "", r[4] or "", r[5] or "")
        for r in con.execute(
            f"SELECT fid, target, path, sha256, title, added FROM {EVIDENCE_TABLE} ORDER BY fid"
        )
    )
    manual: dict[str, dict[str, ManualScore]] = {}
    for pack_id, item, score, reason, assessor, modified in con.execute(
        f"SELECT pack_id, item, score, reason, assessor, modified FROM {MANUAL_TABLE}"
    ):
        manual.setdefault(pack_id, {})[item] = ManualScore(
            item, float(score), reason or "", assessor or "", modified or ""
        )
    items: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for r in con.execute(
        f"SELECT assessed, pack_id, item, grp, points, score, method, status, reason "
        f"FROM {SCORES_TABLE} ORDER BY fid"
    ):
        items.setdefault((r[0], r[1]), {})[r[2]] = {
            "group": r[3],
            "points": r[4],
            "score": r[5],
            "method": r[6],
            "status": r[7],
            "reason": r[8] or "",
        }
    assessments = tuple(
        StoredAssessment(
            r[0],
            r[1],
            float(r[2] or 0.0),
            float(r[3] or 0.0),
            bool(r[4]),
            json.loads(r[5] or "{}"),
            items.get((r[0], r[1]), {}),
        )
        for r in con.execute(
            f"SELECT assessed, pack_id, total, max_total, passed, facts FROM {ASSESSMENTS_TABLE} "
            "ORDER BY assessed"
        )
    )
    return AcceptanceData(answers, notes, evidence, manual, assessments, version)


def read_acceptance(path: str | Path) -> AcceptanceData:
    """Read the acceptance tables of a project without writing (empty when none yet).

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    return gpkg.read_subject(path, ACCEPTANCE_SCHEMA, _read)


def parse_date(value: Any, *, today: dt.date | None = None) -> str:
    """An assessment date as ``YYYY-MM-DD`` (today when empty).

    Raises
    ------
    AcceptanceError
        The value is no date.

    Examples
    --------
    >>> parse_date("2025-03-01"), parse_date("2025/3/1"), parse_date("", today=dt.date(2025, 1, 2))
    ('2025-03-01', '2025-03-01', '2025-01-02')
    """
    if value is None or str(value).strip() == "":
        return (today or dt.date.today()).isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for t in (text, text.replace("年", "-").replace("月", "-").rstrip("日")):
        try:
            y, m, d = (int(x) for x in t.split("-"))
            return dt.date(y, m, d).isoformat()
        except ValueError:
            continue
    raise AcceptanceError(
        f"Assessment date {value!r} is not a date; write 2025-06-30.", field="date", found=value
    )


class AcceptanceStore(gpkg.SubjectStore):
    """Writes to the acceptance tables of one project (each write one transaction).

    Examples
    --------
    >>> with AcceptanceStore("park.gpkg") as store:  # doctest: +SKIP
    ...     store.set_answers("ent:E01", {"雨污分流": "是", "预处理设施": "是"})
    """

    SCHEMA = ACCEPTANCE_SCHEMA

    def data(self) -> AcceptanceData:
        """Everything stored now."""
        with self._db.reading() as con:
            return _read(con)

    # -- answers -----------------------------------------------------------------------------
    def set_answers(
        self, subject: str, values: Mapping[str, Any], *, note: str | None = None
    ) -> dict[str, str]:
        """Set survey answers of a subject (names: code or title; "" clears).

        Returns the stored answers by question code.

        Raises
        ------
        AcceptanceError
            An unknown subject or question, or an answer not allowed (nothing is written).
        """
        clean = {}
        for name, value in values.items():
            q = question(subject, name)
            clean[q.code] = parse_answer(q, value, subject)
        with self._db.transaction() as con:
            for code, value in clean.items():
                con.execute(
                    f"INSERT INTO {ANSWERS_TABLE} (subject, question, value, modified) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (subject, question) DO UPDATE SET "
                    "value = excluded.value, modified = excluded.modified",
                    (subject, code, value or None, _now()),
                )
                if note is not None:
                    con.execute(
                        f"UPDATE {ANSWERS_TABLE} SET note = ? WHERE subject = ? AND question = ?",
                        (note or None, subject, code),
                    )
        return clean

    # -- evidence ----------------------------------------------------------------------------
    def attach(self, target: str, file: str | Path, *, title: str = "") -> Evidence:
        """Attach an evidence file to ``item:<code>`` or ``answer:<subject>:<question>``.

        Raises
        ------
        AcceptanceError
            The file does not exist or the target is malformed.
        """
        target = _check_target(target)
        p = Path(file)
        if not p.is_file():
            raise AcceptanceError(f"Evidence file {p} does not exist.", file=str(p), record=target)
        stored = stored_source_path(str(p.resolve()), self.path)
        digest = sha256_file(p)
        with self._db.transaction() as con:
            cur = con.execute(
                f"INSERT INTO {EVIDENCE_TABLE} (target, path, sha256, title, added) "
                "VALUES (?, ?, ?, ?, ?)",
                (target, stored, digest, title or p.name, _now()),
            )
            fid = int(cur.lastrowid or 0)
        return Evidence(fid, target, stored, digest, title or p.name, _now())

    def detach(self, fid: int) -> bool:
        """Remove one evidence reference (the file itself is kept); False when none."""
        with self._db.transaction() as con:
            cur = con.execute(f"DELETE FROM {EVIDENCE_TABLE} WHERE fid = ?", (int(fid),))
        return cur.rowcount > 0

    # -- manual scores -----------------------------------------------------------------------
    def set_manual_score(
        self,
        pack: Any,
        item: str,
        score: Any,
        reason: str = "",
        *,
        assessor: str = "",
    ) -> ManualScore:
        """Store the manual score of an item of ``pack`` (0 … its points, with a reason).

        Raises
        ------
        AcceptanceError
            An unknown item, a score that is not a number within 0 … points, or a score
            below full points without a reason.
        """
        it = pack.item(item)
        try:
            value = float(score)
        except (TypeError, ValueError):
            value = float("nan")
        if not 0 <= value <= it.points:
            raise AcceptanceError(
                f"Item {it.code} ({it.title_zh}): score {score!r} must be a number from 0 to "
                f"{it.points:g}.",
                record=it.code,
                field="score",
                found=score,
            )
        if value < it.points and not str(reason).strip():
            raise AcceptanceError(
                f"Item {it.code} ({it.title_zh}): give the reason for the {it.points - value:g} "
                "points lost (扣分理由).",
                record=it.code,
                field="reason",
            )
        ms = ManualScore(it.code, value, str(reason).strip(), assessor, _now())
        with self._db.transaction() as con:
            con.execute(
                f"INSERT INTO {MANUAL_TABLE} (pack_id, item, score, reason, assessor, modified) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pack_id, item) DO UPDATE SET "
                "score = excluded.score, reason = excluded.reason, "
                "assessor = excluded.assessor, modified = excluded.modified",
                (pack.id, it.code, value, ms.reason, assessor, ms.modified),
            )
        return ms

    def clear_manual_score(self, pack: Any, item: str) -> bool:
        """Remove the manual score of an item; False when there was none."""
        with self._db.transaction() as con:
            cur = con.execute(
                f"DELETE FROM {MANUAL_TABLE} WHERE pack_id = ? AND item = ?", (pack.id, item)
            )
        return cur.rowcount > 0

    # -- assessments -------------------------------------------------------------------------
    def save_assessment(self, assessment: Any) -> None:
        """Keep an assessment (replacing the same date and pack)."""
        a = assessment
        with self._db.transaction() as con:
            con.execute(
                f"DELETE FROM {SCORES_TABLE} WHERE assessed = ? AND pack_id = ?",
                (a.date, a.pack.id),
            )
            con.execute(
                f"INSERT OR REPLACE INTO {ASSESSMENTS_TABLE} "
                "(assessed, pack_id, total, max_total, passed, facts, saved) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    a.date,
                    a.pack.id,
                    a.total,
                    a.max_total,
                    int(a.passed),
                    json.dumps(a.facts, ensure_ascii=False, default=str),
                    _now(),
                ),
            )
            con.executemany(
                f"INSERT INTO {SCORES_TABLE} (assessed, pack_id, item, grp, points, score, "
                "method, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.date,
                        a.pack.id,
                        s.code,
                        s.group,
                        s.points,
                        s.score,
                        s.method,
                        s.status,
                        s.reason,
                    )
                    for s in a.items
                ],
            )


def _check_target(target: str) -> str:
    t = str(target).strip()
    kind, _, rest = t.partition(":")
    if kind == "item" and rest.strip():
        return t
    if kind == "answer":
        subject, _, q = rest.rpartition(":")
        if subject and q:
            question(subject, q)
            return t
    raise AcceptanceError(
        f"Evidence target {target!r} is not item:<code> or answer:<subject>:<question> "
        "(e.g. item:M3, answer:ent:E01:rs_separation).",
        record=t,
    )
