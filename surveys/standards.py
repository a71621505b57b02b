"""Defect standard packs: codes, grades, scores, weights and thresholds as data.

A *standard pack* is a versioned JSON file holding everything the grading engine
(:mod:`surveys.grading`) needs: the structural and functional defect codes with their
labels (zh + en), per-grade descriptions and scores, the aggregation rules, the weights
tables K, E and T, the α/β factors, the grade thresholds and the density classes. The
shipped pack is CJJ 181-2012 (``resources/standards/cjj181-2012.json``); a user can load
another one (a provincial variant, a corrected figure) with :func:`load_pack`.

Figures the sources could not confirm carry ``"unconfirmed": true`` in the pack and are
listed by :meth:`StandardPack.unconfirmed_rules`, so the UI and reports can say so.

Pack format (``format_version`` 1), top-level keys:

``pack_id``, ``version``, ``standard``, ``name_zh``, ``name_en``, ``source_note_zh``,
``source_note_en``
    Identity and provenance.
``kinds``
    ``{"structural": {...}, "functional": {...}}`` with ``zh``/``en`` labels.
``codes``
    List of ``{code, kind, label_zh, label_en, scored, active, unconfirmed, grades}``;
    ``grades`` is a list of ``{grade, score, zh, en}`` (``score`` is null when the code
    is not scored, e.g. FZ).
``rules``
    ``{rule_id: {value, unconfirmed, zh, en}}`` for the ids in :data:`RULE_IDS`.
``tables``
    ``K`` and ``T`` (rows ``{key, value, zh, en}``), ``E`` (rows ``{key, value, above_mm,
    above_inclusive}`` tried in order), and the class tables ``defect_grades`` (F, G),
    ``index_grades`` (RI, MI) and ``density_classes`` (S_M, Y_M) with rows ``{key,
    label, upper, upper_inclusive}`` in ascending order, the last with ``upper`` null.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from surveys.errors import CodeNotFoundError, GradeError, StandardPackError, ValidationError

PACK_FORMAT = "pipeatlas-standard-pack"
PACK_FORMAT_VERSION = 1
STRUCTURAL, FUNCTIONAL = "structural", "functional"
KINDS = (STRUCTURAL, FUNCTIONAL)

#: Rules every pack must define, with the JSON type(s) their ``value`` may take.
RULE_IDS: dict[str, tuple[str, ...]] = {
    "merge_spacing_below_m": ("number",),
    "near_spacing_max_m": ("number",),
    "factor_at_merge_limit": ("bool",),
    "local_min_length_m": ("number",),
    "continuous_real_length": ("bool",),
    "alpha": ("number",),
    "beta": ("number",),
    "ri_weights": ("weights",),
    "mi_weights": ("weights",),
    "k_zero_below_f": ("number", "null"),
    "k_zero_below_g": ("number", "null"),
    "t_zero_when_f_zero": ("bool",),
}
_WEIGHT_KEYS = {"ri_weights": ("F", "K", "E", "T"), "mi_weights": ("G", "K", "E")}
WEIGHT_TABLES = ("K", "E", "T")
CLASS_TABLES = ("defect_grades", "index_grades", "density_classes")


@dataclass(frozen=True)
class GradeInfo:
    """One grade of a defect code: its number, score and description."""

    grade: int
    score: float | None
    zh: str
    en: str


@dataclass(frozen=True)
class DefectCode:
    """A defect code of a standard pack (e.g. ``PL`` 破裂 fracture).

    ``scored`` is False for codes that are recorded but not scored (FZ); their
    :meth:`score` is 0.
    """

    code: str
    kind: str
    label_zh: str
    label_en: str
    scored: bool
    active: bool
    unconfirmed: bool
    grades: tuple[GradeInfo, ...]
    note_zh: str = ""
    note_en: str = ""

    @property
    def grade_numbers(self) -> tuple[int, ...]:
        """The grade numbers this code defines, ascending."""
        return tuple(g.grade for g in self.grades)

    def score(self, grade: int) -> float:
        """Return the score of ``grade`` (0.0 for an unscored code); no validation."""
        for g in self.grades:
            if g.grade == grade:
                return float(g.score) if self.scored and g.score is not None else 0.0
        raise KeyError(grade)


@dataclass(frozen=True)
class Rule:
    """One aggregation or index rule (a value plus its provenance)."""

    id: str
    value: Any
    unconfirmed: bool
    zh: str
    en: str


@dataclass(frozen=True)
class TableRow:
    """A row of a weights table (K, E, T) or of a class table (grades, density).

    Weights rows use ``value`` (and, in E, ``above_mm``/``above_inclusive``); class rows
    use ``label`` and ``upper``/``upper_inclusive``.
    """

    key: str
    zh: str
    en: str
    unconfirmed: bool = False
    value: float | None = None
    label: str = ""
    above_mm: float | None = None
    above_inclusive: bool = False
    upper: float | None = None
    upper_inclusive: bool = True


@dataclass(frozen=True)
class Table:
    """A weights or class table of a pack."""

    id: str
    rows: tuple[TableRow, ...]
    unconfirmed: bool
    zh: str
    en: str

    def row(self, key: str) -> TableRow:
        """Return the row with ``key``."""
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)


@dataclass(frozen=True)
class UnconfirmedRule:
    """A figure or rule that the sources could not confirm.

    ``id`` is ``kind:<kind>``, ``code:<code>``, ``rule:<rule id>``, ``table:<table id>``
    or ``table:<table id>/<row key>``.
    """

    id: str
    zh: str
    en: str


@dataclass(frozen=True)
class StandardPack:
    """A loaded, validated standard pack. Build it with :func:`load_pack`.

    Examples
    --------
    >>> pack = load_pack()
    >>> pack.score("PL", 3)
    5.0
    >>> pack.grades_of("FS")
    (1, 2, 3)
    >>> pack.code("FZ").scored
    False
    """

    pack_id: str
    version: str
    standard: str
    name_zh: str
    name_en: str
    source_note_zh: str
    source_note_en: str
    kinds: Mapping[str, Mapping[str, Any]]
    code_table: Mapping[str, DefectCode]
    rules: Mapping[str, Rule]
    tables: Mapping[str, Table]
    path: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # --- codes ------------------------------------------------------------------------------
    def code(self, code: str) -> DefectCode:
        """Return the defect code ``code`` (case and surrounding blanks are ignored).

        Raises
        ------
        CodeNotFoundError
            The pack has no such code.
        """
        key = str(code).strip().upper()
        try:
            return self.code_table[key]
        except KeyError:
            known = ", ".join(self.code_table)
            raise CodeNotFoundError(
                f"Defect code {code!r} is not in standard pack {self.pack_id} "
                f"{self.version}; known codes: {known}.",
                record=str(code),
                file=self.path,
                expected=list(self.code_table),
                found=code,
            ) from None

    def codes(self, kind: str | None = None) -> tuple[DefectCode, ...]:
        """Return the codes of ``kind`` (``"structural"`` or ``"functional"``), or all.

        Raises
        ------
        ValidationError
            ``kind`` is not one of the kinds.
        """
        if kind is None:
            return tuple(self.code_table.values())
        if kind not in KINDS:
            raise ValidationError(
                f"Defect kind must be one of {list(KINDS)}; got {kind!r}.",
                expected=list(KINDS),
                found=kind,
            )
        return tuple(c for c in self.code_table.values() if c.kind == kind)

    def grades_of(self, code: str) -> tuple[int, ...]:
        """Return the grade numbers defined for ``code``.

        Raises
        ------
        CodeNotFoundError
            The pack has no such code.
        """
        return self.code(code).grade_numbers

    def validate_observation(self, code: str, grade: Any) -> DefectCode:
        """Check that ``code`` exists and ``grade`` is one of its grades.

        Returns
        -------
        DefectCode

        Raises
        ------
        CodeNotFoundError
            The pack has no such code.
        GradeError
            The grade is not an integer grade of the code ("FS has grades 1–3; got 4").

        Examples
        --------
        >>> load_pack().validate_observation("FS", 4)
        Traceback (most recent call last):
        ...
        surveys.errors.GradeError: FS has grades 1–3; got 4.
        """
        dc = self.code(code)
        g = _as_grade(grade)
        if g is None or g not in dc.grade_numbers:
            nums = dc.grade_numbers
            span = f"{nums[0]}–{nums[-1]}" if len(nums) > 1 else str(nums[0])
            raise GradeError(
                f"{dc.code} has grades {span}; got {grade}.",
                record=dc.code,
                field="grade",
                expected=list(nums),
                found=grade,
            )
        return dc

    def score(self, code: str, grade: Any) -> float:
        """Return the score of ``code`` at ``grade`` (0.0 for a code that is not scored).

        Raises
        ------
        CodeNotFoundError, GradeError
            See :meth:`validate_observation`.
        """
        dc = self.validate_observation(code, grade)
        return dc.score(_as_grade(grade))  # type: ignore[arg-type]

    # --- rules and tables -------------------------------------------------------------------
    def rule(self, rule_id: str) -> Any:
        """Return the value of rule ``rule_id`` (see :data:`RULE_IDS`)."""
        return self.rules[rule_id].value

    def unconfirmed_rules(self) -> tuple[UnconfirmedRule, ...]:
        """List every kind, code, rule, table and table row flagged unconfirmed."""
        out: list[UnconfirmedRule] = []
        for kind, meta in self.kinds.items():
            if meta.get("unconfirmed"):
                out.append(
                    UnconfirmedRule(
                        f"kind:{kind}",
                        str(meta.get("note_zh", meta["zh"])),
                        str(meta.get("note_en", meta["en"])),
                    )
                )
        for c in self.code_table.values():
            if c.unconfirmed:
                out.append(
                    UnconfirmedRule(
                        f"code:{c.code}", c.note_zh or c.label_zh, c.note_en or c.label_en
                    )
                )
        for r in self.rules.values():
            if r.unconfirmed:
                out.append(UnconfirmedRule(f"rule:{r.id}", r.zh, r.en))
        for t in self.tables.values():
            if t.unconfirmed:
                out.append(UnconfirmedRule(f"table:{t.id}", t.zh, t.en))
            out.extend(
                UnconfirmedRule(f"table:{t.id}/{row.key}", row.zh, row.en)
                for row in t.rows
                if row.unconfirmed
            )
        return tuple(out)

    def is_unconfirmed(self, item_id: str) -> bool:
        """Return True when ``item_id`` (as in :class:`UnconfirmedRule`) is flagged."""
        return any(u.id == item_id for u in self.unconfirmed_rules())

    def weight_value(self, table: str, value: Any) -> float:
        """Return the K or T weight for ``value``: a row key (``"central"``) or a number.

        Raises
        ------
        ValidationError
            ``value`` is neither a row key nor one of the table's values.
        """
        tab = self.tables[table]
        if isinstance(value, str):
            for r in tab.rows:
                if r.key == value.strip():
                    return float(r.value)  # type: ignore[arg-type]
            try:
                value = float(value)
            except ValueError:
                value = None
        allowed = [float(r.value) for r in tab.rows]  # type: ignore[arg-type]
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(value) in allowed
        ):
            return float(value)
        raise ValidationError(
            f"{table} must be one of {allowed} or a key of {[r.key for r in tab.rows]} "
            f"(standard pack {self.pack_id}); got {value!r}.",
            field=table,
            expected=allowed,
            found=value,
        )

    def e_values(self, diameter_mm: Any) -> np.ndarray:
        """Return E (pipe importance) for each diameter in mm; NaN where unknown."""
        d = np.asarray(diameter_mm, dtype=float)
        out = np.full(d.shape, np.nan)
        undecided = ~np.isnan(d)
        for r in self.tables["E"].rows:
            if r.above_mm is None:
                hit = undecided
            elif r.above_inclusive:
                hit = undecided & (d >= r.above_mm)
            else:
                hit = undecided & (d > r.above_mm)
            out[hit] = r.value
            undecided &= ~hit
        return out

    def e_value(self, diameter_mm: float | None) -> float:
        """Return E for one diameter (NaN when ``diameter_mm`` is None or NaN)."""
        d = np.nan if diameter_mm is None else float(diameter_mm)
        return float(self.e_values(np.array([d]))[0])

    def e_boundaries_unconfirmed(self) -> tuple[float, ...]:
        """Return the diameters (mm) that sit on an unconfirmed E boundary."""
        return tuple(
            float(r.above_mm)
            for r in self.tables["E"].rows
            if r.unconfirmed and r.above_mm is not None
        )

    def classify(self, table: str, values: Any) -> np.ndarray:
        """Return the class key (``"I"``…, ``"local"``…) of each value; None where NaN.

        Values are rounded to 9 decimals first, so 3.0000000000000004 counts as 3.

        Examples
        --------
        >>> list(load_pack().classify("defect_grades", [0, 1, 1.01, 3, 6, 6.5]))
        ['I', 'I', 'II', 'II', 'III', 'IV']
        """
        tab = self.tables[table]
        x = np.round(np.asarray(values, dtype=float), 9)
        idx = np.zeros(x.shape, dtype=np.int64)
        for r in tab.rows:
            if r.upper is None:
                break
            idx += (x > r.upper) if r.upper_inclusive else (x >= r.upper)
        keys = np.array([r.key for r in tab.rows] + [None], dtype=object)
        return np.where(np.isnan(x), None, keys[idx])

    def classify_one(self, table: str, value: float) -> str | None:
        """Return the class key of one value (None when it is NaN)."""
        return self.classify(table, np.array([value]))[0]

    def label(self, table: str, key: str | None) -> str:
        """Return the display label of a class key (``"II"`` -> ``"Ⅱ"``); '' for None."""
        return "" if key is None else self.tables[table].row(key).label


def _as_grade(grade: Any) -> int | None:
    """Return ``grade`` as an int when it is a whole number, else None."""
    if isinstance(grade, bool):
        return None
    if isinstance(grade, int | np.integer):
        return int(grade)
    if isinstance(grade, float | np.floating) and math.isfinite(grade) and grade == int(grade):
        return int(grade)
    if isinstance(grade, str) and grade.strip().isdigit():
        return int(grade.strip())
    return None


# --- loading and validation -------------------------------------------------------------------
def default_pack_path() -> Path:
    """Return the path of the shipped CJJ 181-2012 pack."""
    from resources import resource_path

    return resource_path("standards", "cjj181-2012.json")


def load_pack(path: str | Path | None = None) -> StandardPack:
    """Load and validate a standard pack.

    Parameters
    ----------
    path : str or Path, optional
        A pack JSON file. None loads the shipped CJJ 181-2012 pack.

    Returns
    -------
    StandardPack

    Raises
    ------
    StandardPackError
        The file cannot be read, is not JSON, or breaks the pack format; the message
        names the file and the JSON key (e.g. ``codes[2].grades[0].score``).

    Examples
    --------
    >>> pack = load_pack()
    >>> pack.pack_id, pack.rule("alpha")
    ('cjj181-2012', 1.1)
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> StandardPack:
    return _load(default_pack_path())


def _load(path: Path) -> StandardPack:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StandardPackError(
            f"Cannot read standard pack {name}: {exc.strerror}.", details=str(exc), file=str(path)
        ) from exc
    except UnicodeDecodeError as exc:
        raise StandardPackError(
            f"Standard pack {name} is not UTF-8 text; save it as UTF-8.",
            details=str(exc),
            file=str(path),
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StandardPackError(
            f"Standard pack {name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}).",
            details=str(exc),
            file=str(path),
        ) from exc
    return _Parser(data, str(path)).pack()


class _Parser:
    """Walk a pack dict, building the dataclasses and raising on the first bad key."""

    def __init__(self, data: Any, file: str) -> None:
        self.data = data
        self.file = file
        self.name = Path(file).name

    def fail(self, key: str, problem: str, found: Any = None) -> StandardPackError:
        return StandardPackError(
            f"Standard pack {self.name}: key '{key}' {problem}",
            file=self.file,
            key=key,
            found=found,
        )

    def get(
        self,
        obj: Any,
        key: str,
        path: str,
        kind: str,
        *,
        optional: bool = False,
        default: Any = None,
    ) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(path or "(top level)", "must be a JSON object.")
        full = f"{path}.{key}" if path else key
        if key not in obj:
            if optional:
                return default
            raise self.fail(full, f"is missing; add it ({_KIND_WORDS[kind]}).")
        return self.check(obj[key], full, kind)

    def check(self, value: Any, full: str, kind: str) -> Any:
        ok = {
            "str": isinstance(value, str) and value != "",
            "text": isinstance(value, str),
            "bool": isinstance(value, bool),
            "number": isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "list": isinstance(value, list) and len(value) > 0,
            "object": isinstance(value, dict),
            "null": value is None,
        }[kind]
        if not ok:
            raise self.fail(full, f"must be {_KIND_WORDS[kind]}; found {value!r}.", value)
        return value

    def pack(self) -> StandardPack:
        d = self.data
        if not isinstance(d, dict):
            raise self.fail("(top level)", "must be a JSON object.")
        fmt = self.get(d, "format", "", "str")
        if fmt != PACK_FORMAT:
            raise self.fail("format", f"must be {PACK_FORMAT!r}; found {fmt!r}.", fmt)
        ver = self.get(d, "format_version", "", "int")
        if ver != PACK_FORMAT_VERSION:
            raise self.fail(
                "format_version",
                f"must be {PACK_FORMAT_VERSION} (this PipeAtlas "
                f"reads format version {PACK_FORMAT_VERSION}); found {ver}.",
                ver,
            )
        kinds = self.get(d, "kinds", "", "object")
        for k in KINDS:
            meta = self.get(kinds, k, "kinds", "object")
            self.get(meta, "zh", f"kinds.{k}", "str")
            self.get(meta, "en", f"kinds.{k}", "str")
            self.get(meta, "unconfirmed", f"kinds.{k}", "bool", optional=True)
        return StandardPack(
            pack_id=self.get(d, "pack_id", "", "str"),
            version=self.get(d, "version", "", "str"),
            standard=self.get(d, "standard", "", "str"),
            name_zh=self.get(d, "name_zh", "", "str"),
            name_en=self.get(d, "name_en", "", "str"),
            source_note_zh=self.get(d, "source_note_zh", "", "text", optional=True, default=""),
            source_note_en=self.get(d, "source_note_en", "", "text", optional=True, default=""),
            kinds=kinds,
            code_table=self.codes(self.get(d, "codes", "", "list")),
            rules=self.rules(self.get(d, "rules", "", "object")),
            tables=self.tables(self.get(d, "tables", "", "object")),
            path=self.file,
            raw=d,
        )

    def codes(self, items: list[Any]) -> dict[str, DefectCode]:
        out: dict[str, DefectCode] = {}
        for i, c in enumerate(items):
            p = f"codes[{i}]"
            code = self.get(c, "code", p, "str").strip().upper()
            if code in out:
                raise self.fail(f"{p}.code", f"repeats code {code!r}; codes must be unique.", code)
            kind = self.get(c, "kind", p, "str")
            if kind not in KINDS:
                raise self.fail(
                    f"{p}.kind", f"must be one of {list(KINDS)}; found {kind!r}.", kind
                )
            scored = self.get(c, "scored", p, "bool", optional=True, default=True)
            grades = []
            for j, g in enumerate(self.get(c, "grades", p, "list")):
                gp = f"{p}.grades[{j}]"
                num = self.get(g, "grade", gp, "int")
                if num < 1 or (grades and num <= grades[-1].grade):
                    raise self.fail(
                        f"{gp}.grade",
                        f"must be a whole number ≥ 1, ascending within the code; found {num}.",
                        num,
                    )
                if scored:
                    score = float(self.get(g, "score", gp, "number"))
                    if score < 0:
                        raise self.fail(f"{gp}.score", f"must be ≥ 0; found {score}.", score)
                else:
                    score = g.get("score") if isinstance(g, dict) else None
                    if score is not None:
                        self.check(score, f"{gp}.score", "number")
                grades.append(
                    GradeInfo(
                        num, score, self.get(g, "zh", gp, "text"), self.get(g, "en", gp, "text")
                    )
                )
            out[code] = DefectCode(
                code=code,
                kind=kind,
                label_zh=self.get(c, "label_zh", p, "str"),
                label_en=self.get(c, "label_en", p, "str"),
                scored=scored,
                active=self.get(c, "active", p, "bool", optional=True, default=True),
                unconfirmed=self.get(c, "unconfirmed", p, "bool", optional=True, default=False),
                grades=tuple(grades),
                note_zh=self.get(c, "note_zh", p, "text", optional=True, default=""),
                note_en=self.get(c, "note_en", p, "text", optional=True, default=""),
            )
        return out

    def rules(self, obj: dict[str, Any]) -> dict[str, Rule]:
        out: dict[str, Rule] = {}
        for rid, kinds in RULE_IDS.items():
            r = self.get(obj, rid, "rules", "object")
            p = f"rules.{rid}"
            if "value" not in r:
                raise self.fail(
                    f"{p}.value",
                    f"is missing; add it ({' or '.join(_KIND_WORDS[k] for k in kinds)}).",
                )
            value = r["value"]
            if kinds == ("weights",):
                value = self.check(value, f"{p}.value", "object")
                for wk in _WEIGHT_KEYS[rid]:
                    self.get(value, wk, f"{p}.value", "number")
                for wk, wv in value.items():
                    self.check(wv, f"{p}.value.{wk}", "number")
                value = {k: float(v) for k, v in value.items()}
            else:
                for k in kinds:
                    try:
                        self.check(value, f"{p}.value", k)
                        break
                    except StandardPackError:
                        continue
                else:
                    raise self.fail(
                        f"{p}.value",
                        f"must be {' or '.join(_KIND_WORDS[k] for k in kinds)}; found {value!r}.",
                        value,
                    )
                if "number" in kinds and value is not None and value < 0:
                    raise self.fail(f"{p}.value", f"must be ≥ 0; found {value}.", value)
            out[rid] = Rule(
                rid,
                value,
                self.get(r, "unconfirmed", p, "bool", optional=True, default=False),
                self.get(r, "zh", p, "text", optional=True, default=""),
                self.get(r, "en", p, "text", optional=True, default=""),
            )
        merge = out["merge_spacing_below_m"].value
        near = out["near_spacing_max_m"].value
        if near < merge:
            raise self.fail(
                "rules.near_spacing_max_m.value",
                f"must be ≥ rules.merge_spacing_below_m.value ({merge}); found {near}.",
                near,
            )
        return out

    def tables(self, obj: dict[str, Any]) -> dict[str, Table]:
        out: dict[str, Table] = {}
        for tid in WEIGHT_TABLES + CLASS_TABLES:
            t = self.get(obj, tid, "tables", "object")
            p = f"tables.{tid}"
            rows = []
            keys: set[str] = set()
            for i, r in enumerate(self.get(t, "rows", p, "list")):
                rp = f"{p}.rows[{i}]"
                key = self.get(r, "key", rp, "str")
                if key in keys:
                    raise self.fail(f"{rp}.key", f"repeats key {key!r}.", key)
                keys.add(key)
                common = {
                    "key": key,
                    "zh": self.get(r, "zh", rp, "text", optional=True, default=""),
                    "en": self.get(r, "en", rp, "text", optional=True, default=""),
                    "unconfirmed": self.get(
                        r, "unconfirmed", rp, "bool", optional=True, default=False
                    ),
                }
                if tid in WEIGHT_TABLES:
                    row = TableRow(value=float(self.get(r, "value", rp, "number")), **common)
                    if tid == "E":
                        above = r.get("above_mm") if isinstance(r, dict) else None
                        if above is not None:
                            self.check(above, f"{rp}.above_mm", "number")
                        row = TableRow(
                            value=row.value,
                            above_mm=above,
                            above_inclusive=self.get(
                                r, "above_inclusive", rp, "bool", optional=True, default=False
                            ),
                            **common,
                        )
                else:
                    upper = r.get("upper") if isinstance(r, dict) else None
                    if upper is not None:
                        self.check(upper, f"{rp}.upper", "number")
                    row = TableRow(
                        label=self.get(r, "label", rp, "str", optional=True, default=key),
                        upper=upper,
                        upper_inclusive=self.get(
                            r, "upper_inclusive", rp, "bool", optional=True, default=True
                        ),
                        **common,
                    )
                rows.append(row)
            self._check_order(tid, p, rows)
            out[tid] = Table(
                tid,
                tuple(rows),
                self.get(t, "unconfirmed", p, "bool", optional=True, default=False),
                self.get(t, "zh", p, "text", optional=True, default=""),
                self.get(t, "en", p, "text", optional=True, default=""),
            )
        return out

    def _check_order(self, tid: str, p: str, rows: list[TableRow]) -> None:
        if tid == "E":
            bounds = [r.above_mm for r in rows]
            if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
                raise self.fail(
                    f"{p}.rows[{len(rows) - 1}].above_mm",
                    "must be null on the "
                    "last row only (the catch-all for the smallest diameters).",
                )
            if any(a <= b for a, b in itertools.pairwise(bounds[:-1])):
                raise self.fail(f"{p}.rows", "must list above_mm in descending order.")
        elif tid in CLASS_TABLES:
            uppers = [r.upper for r in rows]
            if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
                raise self.fail(
                    f"{p}.rows[{len(rows) - 1}].upper",
                    "must be null on the last row only (the open top class).",
                )
            if any(a >= b for a, b in itertools.pairwise(uppers[:-1])):
                raise self.fail(f"{p}.rows", "must list upper in ascending order.")


_KIND_WORDS = {
    "str": "a non-empty string",
    "text": "a string",
    "bool": "true or false",
    "number": "a number",
    "int": "a whole number",
    "list": "a non-empty list",
    "object": "a JSON object",
    "null": "null",
    "weights": "an object of weights",
}
