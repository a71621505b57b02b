"""Code tables of the outfall register: outfall classes and discharge standards (no Qt).

Both are data in ``resources/outfalls/`` (``classes.json``, ``standards.json``) in the TEKSI
value-list shape: a stable code, labels per language, synonyms, an active flag. Codes are
stable, labels may change; an inactive entry still reads old data but is not offered for new
entries.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from resources import resource_path
from surveys.errors import SurveyError

#: The measured parameters with a limit column, in table order: (key, Chinese title, unit).
PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("cod_mgl", "COD", "mg/L"),
    ("nh3n_mgl", "氨氮", "mg/L"),
    ("tp_mgl", "总磷", "mg/L"),
    ("ph", "pH", ""),
)
PARAMETER_LABELS_ZH = {k: t for k, t, _ in PARAMETERS}


class OutfallError(SurveyError):
    """An expected, user-fixable problem with outfall data (a bad value, an unknown id …)."""


def _key(text: Any) -> str:
    """A value as compared: lower case, without spaces, underscores, hyphens and slashes."""
    return re.sub(r"[\s_\-/／·]+", "", str(text)).lower()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


@dataclass(frozen=True)
class OutfallClass:
    """One class of the code table."""

    code: str
    number: int
    label_zh: str
    label_en: str
    synonyms: tuple[str, ...] = ()
    default_standard: str = ""
    rain: bool = False
    active: bool = True


@dataclass(frozen=True)
class ClassTable:
    """The outfall classes, looked up by code, number, label or synonym.

    Examples
    --------
    >>> t = load_classes()
    >>> t.map("农村生活污水排口").code, t.map("4").label_zh, t.map("rain").code
    ('domestic_scattered', '城镇污水处理厂进水管网溢流口', 'rain')
    """

    classes: tuple[OutfallClass, ...]
    _lookup: dict[str, OutfallClass] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, OutfallClass] = {}
        for c in self.classes:  # codes and numbers first: they win over any synonym
            lookup[_key(c.code)] = c
            lookup[str(c.number)] = c
        for c in self.classes:
            for s in (c.label_zh, c.label_en, *c.synonyms):
                lookup.setdefault(_key(s), c)
        object.__setattr__(self, "_lookup", lookup)

    def get(self, code: str) -> OutfallClass:
        """The class of a code.

        Raises
        ------
        OutfallError
            No class has that code.
        """
        k = _key(code)
        for c in self.classes:
            if k in (_key(c.code), str(c.number)):
                return c
        raise OutfallError(
            f"Unknown outfall class {code!r}; expected one of "
            f"{', '.join(x.code for x in self.classes)}.",
            field="class",
            found=code,
        )

    def map(self, value: Any) -> OutfallClass | None:
        """The class a value names (code, number, label or synonym), None if none.

        An exact match (ignoring case, spaces, underscores) wins; otherwise the longest
        synonym the value contains (``园区3号雨水排口`` → 城镇雨水排口).
        """
        if _missing(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        k = _key(value)
        if k in self._lookup:
            return self._lookup[k]
        best: tuple[int, OutfallClass] | None = None
        for s, c in self._lookup.items():
            if len(s) >= 2 and not s.isdigit() and s in k and (best is None or len(s) > best[0]):
                best = (len(s), c)
        return best[1] if best else None

    def choices(self) -> list[OutfallClass]:
        """The active classes, for new entries."""
        return [c for c in self.classes if c.active]


@dataclass(frozen=True)
class Standard:
    """A discharge standard and grade with its limits (mg/L; pH a (low, high) range)."""

    code: str
    standard: str
    grade: str
    label_zh: str
    label_en: str
    limits: Mapping[str, Any]
    synonyms: tuple[str, ...] = ()
    active: bool = True

    def limit(self, parameter: str) -> Any:
        """The limit of a parameter (a number, a (low, high) pair for pH, None if none)."""
        return self.limits.get(parameter)

    def exceeds(self, parameter: str, value: float | None) -> bool:
        """Whether ``value`` breaks the limit of ``parameter`` (pH outside its range).

        Examples
        --------
        >>> s = load_standards().get("GB18918-2002-1A")
        >>> s.exceeds("cod_mgl", 50.0), s.exceeds("cod_mgl", 50.1), s.exceeds("ph", 9.2)
        (False, True, True)
        """
        lim = self.limit(parameter)
        if lim is None or value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if isinstance(lim, list | tuple):
            return not (lim[0] <= value <= lim[1])
        return value > lim

    def limit_text(self, parameter: str) -> str:
        """The limit as printed (``≤50``, ``6–9``, ``—``)."""
        lim = self.limit(parameter)
        if lim is None:
            return "—"
        if isinstance(lim, list | tuple):
            return f"{lim[0]:g}–{lim[1]:g}"
        return f"≤{lim:g}"


@dataclass(frozen=True)
class StandardTable:
    """The discharge standards, looked up by code or synonym (``一级A``)."""

    standards: tuple[Standard, ...]

    def find(self, value: Any) -> Standard | None:
        """The standard a value names, None if none (or empty)."""
        if _missing(value):
            return None
        k = _key(value)
        for s in self.standards:
            if _key(s.code) == k:
                return s
        for s in self.standards:
            if any(_key(x) == k for x in (s.label_zh, s.label_en, *s.synonyms)):
                return s
        return None

    def get(self, value: Any) -> Standard:
        """The standard a value names.

        Raises
        ------
        OutfallError
            Nothing matches.
        """
        s = self.find(value)
        if s is None:
            raise OutfallError(
                f"Unknown discharge standard {value!r}; expected one of "
                f"{', '.join(x.code for x in self.standards)} (or 一级A, 一级B …).",
                field="standard",
                found=value,
            )
        return s


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutfallError(f"Cannot read {path.name}: {exc}", file=str(path)) from exc


@lru_cache(maxsize=8)
def load_classes(path: str | Path | None = None) -> ClassTable:
    """Load the outfall class table (default: the shipped ``resources/outfalls/classes.json``).

    Raises
    ------
    OutfallError
        The file cannot be read or lacks a field.
    """
    p = Path(path) if path else resource_path("outfalls", "classes.json")
    data = _read_json(p)
    try:
        classes = tuple(
            OutfallClass(
                code=str(c["code"]),
                number=int(c["number"]),
                label_zh=str(c["label_zh"]),
                label_en=str(c["label_en"]),
                synonyms=tuple(str(s) for s in c.get("synonyms", ())),
                default_standard=str(c.get("default_standard") or ""),
                rain=bool(c.get("rain", False)),
                active=bool(c.get("active", True)),
            )
            for c in data["classes"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise OutfallError(f"{p.name}: a class lacks {exc}", file=str(p)) from exc
    return ClassTable(classes)


@lru_cache(maxsize=8)
def load_standards(path: str | Path | None = None) -> StandardTable:
    """Load the discharge standards (default: ``resources/outfalls/standards.json``).

    Raises
    ------
    OutfallError
        The file cannot be read or lacks a field.
    """
    p = Path(path) if path else resource_path("outfalls", "standards.json")
    data = _read_json(p)
    try:
        standards = tuple(
            Standard(
                code=str(s["code"]),
                standard=str(s["standard"]),
                grade=str(s["grade"]),
                label_zh=str(s["label_zh"]),
                label_en=str(s["label_en"]),
                limits=dict(s["limits"]),
                synonyms=tuple(str(x) for x in s.get("synonyms", ())),
                active=bool(s.get("active", True)),
            )
            for s in data["standards"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise OutfallError(f"{p.name}: a standard lacks {exc}", file=str(p)) from exc
    return StandardTable(standards)


def class_values(values: Iterable[Any], table: ClassTable | None = None) -> OutfallClass | None:
    """The class named by the first of ``values`` that names one (the layer's columns in order)."""
    t = table or load_classes()
    for v in values:
        c = t.map(v)
        if c is not None:
            return c
    return None
