"""The rule table of the protected-area check: buffer distance and severity per zone and feature.

A rule says, for one zone class (optionally one zone level) and one feature type, how far
around the zone a feature still counts (``buffer_m``, metres) and how serious a finding is
(``conflict``, ``warning`` or ``info``). A rule that names the zone level wins over the rule
of the whole class. Pairs that overlap but match no rule are reported as ``info``.

The default table is ``resources/standards/overlap_rules.json``. A project keeps its own
table in the GeoPackage table ``pa_overlap_rules`` (see :func:`load_rules`, :func:`save_rules`).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from network.schema import (
    BOUNDARY,
    ENTERPRISES,
    MANHOLES,
    OUTFALLS,
    PIPES,
    PLANTS,
    ZONE_CLASSES,
    ZONE_LEVELS,
)
from resources import resource_path
from surveys.errors import SurveyError

CONFLICT, WARNING, INFO = "conflict", "warning", "info"
SEVERITIES = (CONFLICT, WARNING, INFO)
SEVERITY_LABELS_ZH = {CONFLICT: "冲突", WARNING: "警告", INFO: "提示"}
FEATURE_TYPES = (PIPES, MANHOLES, OUTFALLS, PLANTS, ENTERPRISES, BOUNDARY)
RULES_TABLE = "pa_overlap_rules"
DEFAULT_RULES_FILE = ("standards", "overlap_rules.json")
NO_RULE = ""  # rule id of an overlap that matches no rule (reported as info)


class RuleError(SurveyError):
    """A rule table is malformed (unknown class, level, feature type or severity; bad buffer)."""


@dataclass(frozen=True)
class OverlapRule:
    """One rule of the protected-area check.

    Parameters
    ----------
    zone_class : str
        One of ``network.schema.ZONE_CLASSES``.
    zone_level : str or None
        One of ``network.schema.ZONE_LEVELS``; None applies to every level of the class.
    feature_type : str
        One of :data:`FEATURE_TYPES` (layer kinds).
    buffer_m : float
        Features closer than this to the zone (metres) are findings too; 0 means touching
        or overlapping only.
    severity : str
        ``conflict``, ``warning`` or ``info``.
    note : str
        Why the rule exists (shown in reports).
    """

    zone_class: str
    zone_level: str | None
    feature_type: str
    buffer_m: float = 0.0
    severity: str = CONFLICT
    note: str = ""

    @property
    def rule_id(self) -> str:
        """Stable id ``class/level/feature_type`` (``*`` for any level)."""
        return f"{self.zone_class}/{self.zone_level or '*'}/{self.feature_type}"

    @property
    def key(self) -> tuple[str, str | None, str]:
        """The (zone_class, zone_level, feature_type) the rule applies to."""
        return (self.zone_class, self.zone_level, self.feature_type)


def _validate(rule: OverlapRule, where: str) -> OverlapRule:
    def bad(msg: str, fld: str, found: Any) -> RuleError:
        return RuleError(f"{where}: {msg}", field=fld, key=where, found=found)

    if rule.zone_class not in ZONE_CLASSES:
        raise bad(
            f"zone class {rule.zone_class!r} is unknown; use one of {', '.join(ZONE_CLASSES)}.",
            "zone_class",
            rule.zone_class,
        )
    if rule.zone_level is not None and rule.zone_level not in ZONE_LEVELS:
        raise bad(
            f"zone level {rule.zone_level!r} is unknown; use one of {', '.join(ZONE_LEVELS)} "
            "or leave it empty for every level.",
            "zone_level",
            rule.zone_level,
        )
    if rule.feature_type not in FEATURE_TYPES:
        raise bad(
            f"feature type {rule.feature_type!r} is unknown; use one of "
            f"{', '.join(FEATURE_TYPES)}.",
            "feature_type",
            rule.feature_type,
        )
    if rule.severity not in SEVERITIES:
        raise bad(
            f"severity {rule.severity!r} is unknown; use one of {', '.join(SEVERITIES)}.",
            "severity",
            rule.severity,
        )
    try:
        buf = float(rule.buffer_m)
    except (TypeError, ValueError):
        buf = math.nan
    if not math.isfinite(buf) or buf < 0:
        raise bad(
            f"buffer distance {rule.buffer_m!r} is not a number of metres >= 0.",
            "buffer_m",
            rule.buffer_m,
        )
    return replace(rule, buffer_m=buf, note=str(rule.note or ""))


@dataclass(frozen=True)
class RuleTable:
    """An immutable, validated set of :class:`OverlapRule` (one per key).

    Examples
    --------
    >>> t = RuleTable.from_records([
    ...     {"zone_class": "water_source", "zone_level": None, "feature_type": "outfalls",
    ...      "buffer_m": 0, "severity": "warning"},
    ...     {"zone_class": "water_source", "zone_level": "level1", "feature_type": "outfalls",
    ...      "buffer_m": 200, "severity": "conflict"}])
    >>> t.lookup("water_source", "level1", "outfalls").buffer_m
    200.0
    >>> t.lookup("water_source", "level2", "outfalls").severity
    'warning'
    >>> t.lookup("redline", None, "pipes") is None
    True
    """

    rules: tuple[OverlapRule, ...] = ()
    _index: dict[tuple[str, str | None, str], OverlapRule] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[str, str | None, str], OverlapRule] = {}
        checked = []
        for i, rule in enumerate(self.rules):
            r = _validate(rule, f"rules[{i}]")
            if r.key in index:
                raise RuleError(
                    f"rules[{i}]: a second rule for {r.rule_id}; keep one rule per zone class, "
                    "level and feature type.",
                    key=f"rules[{i}]",
                    found=r.rule_id,
                )
            index[r.key] = r
            checked.append(r)
        object.__setattr__(self, "rules", tuple(sorted(checked, key=_sort_key)))
        object.__setattr__(self, "_index", index)

    def lookup(
        self, zone_class: str, zone_level: str | None, feature_type: str
    ) -> OverlapRule | None:
        """The rule for a zone class/level and feature type (level rule first), or None."""
        if zone_level is not None:
            rule = self._index.get((zone_class, zone_level, feature_type))
            if rule is not None:
                return rule
        return self._index.get((zone_class, None, feature_type))

    def with_rule(self, rule: OverlapRule) -> RuleTable:
        """A new table with ``rule`` added or replacing the rule of the same key."""
        return RuleTable((*(r for r in self.rules if r.key != rule.key), rule))

    def without(self, zone_class: str, zone_level: str | None, feature_type: str) -> RuleTable:
        """A new table without the rule of that key."""
        key = (zone_class, zone_level, feature_type)
        return RuleTable(tuple(r for r in self.rules if r.key != key))

    def to_records(self) -> list[dict[str, Any]]:
        """Rules as a list of plain dicts (JSON-ready, stable order)."""
        return [asdict(r) for r in self.rules]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> RuleTable:
        """Build a table from dicts with the :class:`OverlapRule` fields.

        Raises
        ------
        RuleError
            A record misses a field or holds a bad value.
        """
        rules = []
        for i, rec in enumerate(records):
            try:
                level = rec.get("zone_level")
                rules.append(
                    OverlapRule(
                        zone_class=str(rec["zone_class"]),
                        zone_level=None if level in (None, "", "*") else str(level),
                        feature_type=str(rec["feature_type"]),
                        buffer_m=rec.get("buffer_m", 0.0),
                        severity=str(rec.get("severity", CONFLICT)),
                        note=rec.get("note") or "",
                    )
                )
            except KeyError as exc:
                raise RuleError(
                    f"rules[{i}] lacks {exc.args[0]!r}; a rule needs zone_class, "
                    "feature_type, buffer_m and severity.",
                    key=f"rules[{i}]",
                ) from exc
        return cls(tuple(rules))

    def to_json(self) -> str:
        """The table as the JSON text of the rule file format."""
        doc = {"format": "pipeatlas.overlap_rules", "version": 1, "rules": self.to_records()}
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, file: str = "") -> RuleTable:
        """Read the rule file format (``{"rules": [...]}`` or a bare list).

        Raises
        ------
        RuleError
            The text is not JSON or a rule is malformed.
        """
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleError(
                f"{file or 'rule file'} is not valid JSON (line {exc.lineno}).",
                details=str(exc),
                file=file or None,
            ) from exc
        records = doc.get("rules") if isinstance(doc, dict) else doc
        if not isinstance(records, list):
            raise RuleError(f"{file or 'rule file'} holds no 'rules' list.", file=file or None)
        try:
            return cls.from_records(records)
        except RuleError as exc:
            exc.file = file or None
            raise


_CLASS_ORDER = {c: i for i, c in enumerate(ZONE_CLASSES)}
_LEVEL_ORDER = {lv: i + 1 for i, lv in enumerate(ZONE_LEVELS)}
_TYPE_ORDER = {t: i for i, t in enumerate(FEATURE_TYPES)}


def _sort_key(r: OverlapRule) -> tuple[int, int, int]:
    return (
        _CLASS_ORDER.get(r.zone_class, 99),
        _LEVEL_ORDER.get(r.zone_level, 0) if r.zone_level else 0,
        _TYPE_ORDER.get(r.feature_type, 99),
    )


def read_rules_file(path: str | Path) -> RuleTable:
    """Read a rule table from a JSON file.

    Raises
    ------
    RuleError
        The file cannot be read or is malformed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"Cannot read rule file {p.name}.", details=str(exc), file=str(p)) from exc
    return RuleTable.from_json(text, file=p.name)


def default_rules() -> RuleTable:
    """The shipped default rule table (``resources/standards/overlap_rules.json``).

    Examples
    --------
    >>> default_rules().lookup("redline", None, "pipes").severity
    'conflict'
    """
    return read_rules_file(resource_path(*DEFAULT_RULES_FILE))


# --- storage in the project GeoPackage ---------------------------------------------------------
_COLUMNS = ("zone_class", "zone_level", "feature_type", "buffer_m", "severity", "note")


def _connect(project_path: str | Path) -> sqlite3.Connection:
    p = Path(project_path)
    if not p.is_file():
        raise RuleError(
            f"Project {p.name} does not exist; open or create the project first.", file=str(p)
        )
    try:
        con = sqlite3.connect(str(p), isolation_level=None)
        con.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise RuleError(
            f"{p.name} is not a GeoPackage project (SQLite could not read it).",
            details=str(exc),
            file=str(p),
        ) from exc
    return con


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    row = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
    ).fetchone()
    return row is not None


def load_rules(project_path: str | Path) -> RuleTable:
    """The rule table saved with a project, or the default table if none was saved.

    Raises
    ------
    RuleError
        The project cannot be read or its saved rules are malformed.
    """
    con = _connect(project_path)
    try:
        if not _has_table(con, RULES_TABLE):
            return default_rules()
        rows = con.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM {RULES_TABLE} ORDER BY fid"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise RuleError(
            f"Cannot read the rule table {RULES_TABLE} of {Path(project_path).name}.",
            details=str(exc),
            file=str(project_path),
        ) from exc
    finally:
        con.close()
    try:
        return RuleTable.from_records(dict(zip(_COLUMNS, row, strict=True)) for row in rows)
    except RuleError as exc:
        exc.file = str(project_path)
        raise


def save_rules(project_path: str | Path, rules: RuleTable) -> None:
    """Write ``rules`` into the project GeoPackage (table ``pa_overlap_rules``), atomically.

    The table is registered in ``gpkg_contents`` as an attribute table so GIS software
    lists it. Existing rules are replaced in the same transaction.

    Raises
    ------
    RuleError
        The project cannot be written.
    """
    con = _connect(project_path)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {RULES_TABLE} ("
            "fid INTEGER PRIMARY KEY AUTOINCREMENT, zone_class TEXT NOT NULL, zone_level TEXT, "
            "feature_type TEXT NOT NULL, buffer_m REAL NOT NULL, severity TEXT NOT NULL, "
            "note TEXT)"
        )
        con.execute(f"DELETE FROM {RULES_TABLE}")
        con.executemany(
            f"INSERT INTO {RULES_TABLE} ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r.zone_class, r.zone_level, r.feature_type, r.buffer_m, r.severity, r.note)
                for r in rules.rules
            ],
        )
        if _has_table(con, "gpkg_contents"):
            con.execute(
                "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
                "description) VALUES (?, 'attributes', ?, ?)",
                (RULES_TABLE, RULES_TABLE, "PipeAtlas protected-area overlap rules"),
            )
        con.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise RuleError(
            f"Cannot save the overlap rules into {Path(project_path).name}.",
            details=str(exc),
            file=str(project_path),
        ) from exc
    finally:
        con.close()
