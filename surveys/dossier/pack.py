"""The 附件1-2 checklist as data: the 20 items of 一园一档 in 6 groups and the 一企一档 items.

The shipped pack is ``resources/dossier/yiyuan_yidang.json`` (the Yiyang plan of 2019). Each
item has a stable ``code`` (``Y01`` … ``Y20``; ``Q1`` … ``Q5`` for an enterprise's file), its
number, group, the wording of the plan (``title_zh``), a short name for folders and files
(``short_zh``) and, for the items PipeAtlas makes itself, ``produced`` naming the product
(``overlap_report``, ``enterprise_list``, ``ledger``, ``flow_map``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resources import resource_path
from surveys.dossier.codes import DossierError

PACK_FORMAT = "pipeatlas-dossier-pack"
DEFAULT_PACK = ("dossier", "yiyuan_yidang.json")
#: Checklist statuses: code → the word the plan's reviewers use.
STATUS_ZH = {"missing": "缺失", "partial": "部分", "complete": "齐全"}
STATUS_FROM_ZH = {v: k for k, v in STATUS_ZH.items()}


@dataclass(frozen=True)
class Group:
    """One of the six groups (方面) of 附件1-2."""

    code: str
    no: str
    title_zh: str

    @property
    def label(self) -> str:
        """``一、园区审批及规划``."""
        return f"{self.no}、{self.title_zh}"


@dataclass(frozen=True)
class Item:
    """One item of a checklist (park item ``Y01``… or enterprise item ``Q1``…)."""

    code: str
    no: int
    title_zh: str
    short_zh: str
    group: str = ""
    produced: str = ""
    produced_zh: str = ""
    enterprise_item: str = ""
    park_item: str = ""

    @property
    def label(self) -> str:
        """``12、厘清现有管网系统布局走向……``."""
        return f"{self.no}、{self.title_zh}"


@dataclass(frozen=True)
class DossierPack:
    """The checklist: groups, park items and enterprise items, in the plan's order."""

    pack_id: str
    name_zh: str
    source_note_zh: str
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    enterprise_items: tuple[Item, ...]

    def item(self, code: str) -> Item:
        """The park or enterprise item of ``code`` (``Y12``, ``12``, ``Q3``).

        Raises
        ------
        DossierError
            No such item.
        """
        key = str(code).strip().upper()
        if key.isdigit():
            key = f"Y{int(key):02d}"
        for it in (*self.items, *self.enterprise_items):
            if it.code == key:
                return it
        raise DossierError(
            f"Unknown dossier item {code!r}; the park items are Y01–Y20 (or 1–20), an "
            "enterprise's items Q1–Q5.",
            field="item",
            found=str(code),
        )

    def group(self, code: str) -> Group:
        """The group of ``code`` (``G1`` … ``G6``)."""
        return next(g for g in self.groups if g.code == code)

    def items_of(self, group: str) -> tuple[Item, ...]:
        """The park items of one group, in order."""
        return tuple(i for i in self.items if i.group == group)


def load_pack(path: str | Path | None = None) -> DossierPack:
    """Read a dossier pack (default: the shipped Yiyang 附件1-2 pack).

    Raises
    ------
    DossierError
        The file cannot be read or is not a dossier pack.

    Examples
    --------
    >>> pack = load_pack()
    >>> len(pack.items), len(pack.groups), pack.item("12").produced
    (20, 6, 'flow_map')
    """
    if path is None:
        return _default_pack()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _default_pack() -> DossierPack:
    return _read(resource_path(*DEFAULT_PACK))


def _read(path: Path) -> DossierPack:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DossierError(f"Cannot read dossier pack {path.name}: {exc}", file=str(path)) from exc
    if data.get("format") != PACK_FORMAT:
        raise DossierError(f"{path.name} is not a dossier pack.", file=str(path))
    try:
        groups = tuple(Group(g["code"], g["no"], g["title_zh"]) for g in data["groups"])
        items = tuple(Item(**i) for i in data["items"])
        ent = tuple(Item(**i) for i in data["enterprise_items"])
    except (KeyError, TypeError) as exc:
        raise DossierError(f"{path.name}: bad item ({exc}).", file=str(path)) from exc
    return DossierPack(
        data.get("pack_id", path.stem),
        data.get("name_zh", ""),
        data.get("source_note_zh", ""),
        groups,
        items,
        ent,
    )
