"""The acceptance checklist (评分细则) as a replaceable data pack.

The shipped pack, ``resources/acceptance/zero_direct_discharge.json``, is PipeAtlas's own
default built from the seed documents' requirements — it says so in ``about_zh`` and sets
``"official": false``. Provinces publish their own 评分细则: a pack in the same format with
other items, points, rules and pass mark is loaded with :func:`load_pack` (``--pack FILE`` on
the command line) and used without code changes.

Format (``"format": "pipeatlas-acceptance-pack"``): ``id``, ``title_zh``, ``pass_score``
(default 90), ``groups`` (``code``, ``title_zh``) and ``items``, each with ``code``,
``group``, ``points``, ``title_zh``, ``method`` (``auto`` with a ``rule`` expression over the
survey facts, see :mod:`surveys.acceptance.rules` and :mod:`surveys.acceptance.facts`; or
``manual``), ``explain_zh`` (how it is scored) and ``evidence_zh`` (the evidence it needs).
An automatic rule giving True/False scores full/zero points; a number is the score, clamped to
0 … ``points``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from resources import resource_path
from surveys.acceptance.facts import FACTS
from surveys.acceptance.rules import AcceptanceError, Expression, parse_expression

PACK_FORMAT = "pipeatlas-acceptance-pack"
DEFAULT_PACK = ("acceptance", "zero_direct_discharge.json")
DEFAULT_PASS_SCORE = 90.0
METHODS = ("auto", "manual")


@dataclass(frozen=True)
class Group:
    """A group of items (源 / 网 / 厂 / 管理 in the default pack)."""

    code: str
    title_zh: str
    title_en: str = ""


@dataclass(frozen=True)
class Item:
    """One scored item of the checklist."""

    code: str
    group: str
    title_zh: str
    points: float
    method: str  # auto / manual
    rule: Expression | None = None
    explain_zh: str = ""
    evidence_zh: str = ""
    basis: str = ""
    title_en: str = ""

    @property
    def automatic(self) -> bool:
        """Whether the item is scored from the project's data."""
        return self.method == "auto"

    @property
    def rule_text(self) -> str:
        """The rule as written in the pack (人工评分 for a manual item)."""
        return self.rule.text if self.rule is not None else "人工评分"


@dataclass(frozen=True)
class AcceptancePack:
    """A checklist pack: groups, items and the pass mark."""

    id: str
    title_zh: str
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    pass_score: float = DEFAULT_PASS_SCORE
    about_zh: str = ""
    official: bool = False
    path: str = ""

    @property
    def max_total(self) -> float:
        """The sum of the items' points."""
        return float(sum(i.points for i in self.items))

    def item(self, code: str) -> Item:
        """The item of a code.

        Raises
        ------
        AcceptanceError
            No item has this code.
        """
        for it in self.items:
            if it.code == str(code).strip():
                return it
        raise AcceptanceError(
            f"The checklist {self.id} has no item {code!r}; its items are "
            f"{', '.join(i.code for i in self.items)}.",
            record=str(code),
            file=self.path or None,
        )

    def group(self, code: str) -> Group:
        """The group of a code (a bare group named by the code when unknown)."""
        return next((g for g in self.groups if g.code == code), Group(code, code))

    def items_of(self, group: str) -> list[Item]:
        """The items of one group, in pack order."""
        return [i for i in self.items if i.group == group]


def _need(d: dict[str, Any], key: str, where: str, file: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise AcceptanceError(f"{file}: {where} lacks {key!r}.", file=file, key=f"{where}.{key}")
    return d[key]


def parse_pack(data: Any, *, file: str = "pack") -> AcceptancePack:
    """Build and check a pack from its JSON data.

    Raises
    ------
    AcceptanceError
        Wrong format, a missing key, duplicate codes, an unknown group, points that are not a
        positive number, an unknown method, or a rule outside the language or using an
        unknown fact.

    Examples
    --------
    >>> p = parse_pack({"format": PACK_FORMAT, "id": "t", "title_zh": "测试",
    ...     "groups": [{"code": "g", "title_zh": "组"}],
    ...     "items": [{"code": "A", "group": "g", "points": 50, "title_zh": "纳管",
    ...                "method": "auto", "rule": "points * connection_rate"},
    ...               {"code": "B", "group": "g", "points": 50, "title_zh": "机制",
    ...                "method": "manual"}]})
    >>> p.max_total, p.pass_score, p.item("A").rule.names == {"points", "connection_rate"}
    (100.0, 90.0, True)
    """
    if not isinstance(data, dict) or data.get("format") != PACK_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise AcceptanceError(
            f"{file} is not an acceptance checklist pack: expected "
            f'"format": "{PACK_FORMAT}", found {found!r}.',
            file=file,
            key="format",
        )
    groups = []
    for k, g in enumerate(_need(data, "groups", "the pack", file)):
        where = f"groups[{k}]"
        groups.append(
            Group(
                str(_need(g, "code", where, file)),
                str(_need(g, "title_zh", where, file)),
                str(g.get("title_en", "")),
            )
        )
    group_codes = [g.code for g in groups]
    if len(set(group_codes)) != len(group_codes):
        raise AcceptanceError(f"{file}: group codes repeat ({group_codes}).", file=file)
    items: list[Item] = []
    seen: set[str] = set()
    for k, it in enumerate(_need(data, "items", "the pack", file)):
        where = f"items[{k}]"
        code = str(_need(it, "code", where, file)).strip()
        where = f"item {code} ({where})"
        if code in seen:
            raise AcceptanceError(
                f"{file}: item code {code} appears twice.", file=file, record=code
            )
        seen.add(code)
        group = str(_need(it, "group", where, file))
        if group not in group_codes:
            raise AcceptanceError(
                f"{file}: {where} names group {group!r}; the pack's groups are "
                f"{', '.join(group_codes)}.",
                file=file,
                record=code,
                field="group",
            )
        raw_points = _need(it, "points", where, file)
        try:
            points = float(raw_points)
        except (TypeError, ValueError):
            points = float("nan")
        if not points > 0:
            raise AcceptanceError(
                f"{file}: {where} has points {raw_points!r}; give a positive number.",
                file=file,
                record=code,
                field="points",
            )
        method = str(it.get("method", "auto" if it.get("rule") else "manual"))
        if method not in METHODS:
            raise AcceptanceError(
                f"{file}: {where} has method {method!r}; expected auto or manual.",
                file=file,
                record=code,
                field="method",
            )
        rule = None
        if method == "auto":
            text = _need(it, "rule", where, file)
            try:
                rule = parse_expression(text, known=FACTS, where=f"{file}: {where}")
            except AcceptanceError as exc:
                exc.file, exc.record, exc.field = file, code, "rule"
                raise
        items.append(
            Item(
                code=code,
                group=group,
                title_zh=str(_need(it, "title_zh", where, file)),
                points=points,
                method=method,
                rule=rule,
                explain_zh=str(it.get("explain_zh", "")),
                evidence_zh=str(it.get("evidence_zh", "")),
                basis=str(it.get("basis", "")),
                title_en=str(it.get("title_en", "")),
            )
        )
    if not items:
        raise AcceptanceError(f"{file}: the pack has no items.", file=file, key="items")
    try:
        pass_score = float(data.get("pass_score", DEFAULT_PASS_SCORE))
    except (TypeError, ValueError) as exc:
        raise AcceptanceError(
            f"{file}: pass_score {data.get('pass_score')!r} is not a number.",
            file=file,
            key="pass_score",
        ) from exc
    return AcceptancePack(
        id=str(_need(data, "id", "the pack", file)),
        title_zh=str(_need(data, "title_zh", "the pack", file)),
        groups=tuple(groups),
        items=tuple(items),
        pass_score=pass_score,
        about_zh=str(data.get("about_zh", "")),
        official=bool(data.get("official", False)),
        path=file,
    )


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> AcceptancePack:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise AcceptanceError(
            f"Cannot read the checklist pack {p}: {exc.strerror or exc}.", file=str(p)
        ) from exc
    except json.JSONDecodeError as exc:
        raise AcceptanceError(
            f"The checklist pack {p.name} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}).",
            file=str(p),
        ) from exc
    return parse_pack(data, file=str(p))


def load_pack(path: str | Path | None = None) -> AcceptancePack:
    """Load a checklist pack (default: the shipped PipeAtlas default pack).

    Raises
    ------
    AcceptanceError
        The file is missing, not JSON, or not a valid pack (see :func:`parse_pack`).

    Examples
    --------
    >>> p = load_pack()
    >>> p.max_total, p.pass_score, [g.code for g in p.groups], p.official
    (100.0, 90.0, ['source', 'network', 'plant', 'management'], False)
    """
    p = Path(path) if path is not None else resource_path(*DEFAULT_PACK)
    if not p.is_file():
        raise AcceptanceError(
            f"The checklist pack {p} does not exist; give a .json pack file.", file=str(p)
        )
    return _load(str(p.resolve()), p.stat().st_mtime)
