"""The park record and the dossier checklist inside the project GeoPackage.

Three tables, registered with the project file's owner (:mod:`network.io.gpkg`) as the
``dossier`` schema group, each a GeoPackage ``attributes`` table with an ``INTEGER PRIMARY
KEY`` ``fid`` (so QGIS lists them as valid layers):

``pa_park``
    Key/value: the facts of 附件1-3 that no layer holds (地市, 区县具体地址 …), the user's
    overrides of figures computed from the map (same key as the figure; an empty value clears
    the override) and ``schema_version``.
``pa_dossier_items``
    One row per checklist item and subject (``ent_id`` empty for the park, an enterprise id
    for 一企一档): reviewed status (``missing``/``partial``/``complete``), reviewer, note, date.
``pa_dossier_files``
    The evidence: one row per attached file, **referenced by path** relative to the project's
    folder (as ``pa_layers`` stores source paths; absolute only on another drive) with its
    SHA-256 and size when attached. The files stay where the user keeps them (scans are large,
    and Save rewrites the project); a moved or deleted file is reported as missing, an edited
    one as changed, and the dossier export still completes.

Save (:func:`network.io.project.save_project`) copies the file before rewriting its layers, so
these tables survive a save.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.io import gpkg
from network.io.project import shown_source_path, stored_source_path
from surveys.dossier.codes import (
    DossierError,
    parse_date,
    validate_credit_code,
    validate_zone_code,
)
from surveys.dossier.pack import STATUS_FROM_ZH, STATUS_ZH, DossierPack, load_pack

PARK_TABLE = "pa_park"
ITEMS_TABLE = "pa_dossier_items"
FILES_TABLE = "pa_dossier_files"
SCHEMA_VERSION = 1

PLANT_NATURES = ("自行建设", "依托处理", "自行建设及依托处理")


@dataclass(frozen=True)
class ParkField:
    """One fact of the park record.

    ``title`` is the column title of 附件1-3 (or the cover's wording), ``computed`` says the
    value comes from the map or the ledger (a stored value is then an override), ``kind``
    how it is validated: ``text``, ``zone_code``, ``credit_code``, ``date``, ``number``,
    ``int`` or ``choice`` (one of ``choices``).
    """

    code: str
    title: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"
    computed: bool = False
    choices: tuple[str, ...] = ()


PARK_FIELDS: tuple[ParkField, ...] = (
    ParkField("city", "地市", ("市", "城市")),
    ParkField("county", "区县市", ("区县", "县市区")),
    ParkField("address", "区县具体地址", ("地址", "具体地址")),
    ParkField("park_name", "园区名称", ("名称",), computed=True),
    ParkField("area_name", "片区名称", ("片区",)),
    ParkField(
        "zone_code",
        "园区级别（代码）",
        ("园区级别", "园区代码", "开发区代码", "代码"),
        "zone_code",
        computed=True,
    ),
    ParkField(
        "credit_code", "产权单位统一社会信用代码", ("统一社会信用代码", "信用代码"), "credit_code"
    ),
    ParkField(
        "area_km2",
        "园区规划及建设规模（占地面积/平方公里）",
        ("占地面积", "面积", "规模"),
        "number",
        computed=True,
    ),
    ParkField(
        "location", "区划位置（坐标点位）", ("区划位置", "坐标", "坐标点位", "位置"), computed=True
    ),
    ParkField("eia_approval", "环评批复文号", ("环评批复", "批复文号")),
    ParkField("emergency", "应急预案编制及演练情况", ("应急预案",)),
    ParkField("industries", "主导行业", ("行业",), computed=True),
    ParkField("n_enterprises", "园区工业企业个数", ("企业个数", "工业企业个数"), "int", True),
    ParkField(
        "wastewater", "园区废水排放总量（万吨/日）", ("废水排放总量", "废水总量"), "number", True
    ),
    ParkField("network_km", "主、支管网规模（千米）", ("管网规模", "主支管网规模"), computed=True),
    ParkField(
        "n_connected", "企业纳管情况（企业纳管个数）", ("企业纳管个数", "纳管个数"), "int", True
    ),
    ParkField(
        "plant_nature",
        "污水集中处理设施性质(自行建设或依托处理)",
        ("设施性质", "性质"),
        "choice",
        True,
        PLANT_NATURES,
    ),
    ParkField("plant_name", "污水集中处理设施名称", ("设施名称", "污水处理厂"), computed=True),
    ParkField("plant_process", "污水处理主体工艺", ("主体工艺", "工艺"), computed=True),
    ParkField("plant_capacity", "处理规模（万吨/日）", ("处理规模",), "number", True),
    ParkField("plant_load", "实际处理量（万吨/日）", ("实际处理量", "处理量"), "number", True),
    ParkField("standard", "执行标准", ("排放标准",), computed=True),
    ParkField("online_monitoring", "在线监控装置运行情况", ("在线监控",), computed=True),
    ParkField("monitoring_data", "监测数据（填最新特征污染物排放数据）", ("监测数据",)),
    ParkField(
        "receiving_water",
        "排污受纳地表水体质量（设施排污口下游水质常规监测数据）",
        ("受纳水体", "受纳水体质量", "排污受纳地表水体质量"),
    ),
    ParkField("problems", "排查存在问题", ("存在问题", "问题"), computed=True),
    ParkField(
        "deadline", "整改时限（对照方案整改期限限时治理）", ("整改时限", "时限"), "date", True
    ),
    ParkField("progress", "整改进度", ("进度",), computed=True),
    ParkField("remarks", "备注", ()),
    ParkField("preparer", "填报单位", ("编制单位",)),
    ParkField("report_date", "填报日期", ("编制日期", "日期"), "date"),
)
FIELDS_BY_CODE = {f.code: f for f in PARK_FIELDS}


def _norm(name: str) -> str:
    t = str(name).strip().lower().translate(str.maketrans("（）", "()"))
    return re.sub(r"\s+", "", t)


_FIELD_NAMES: dict[str, str] = {}
for _f in PARK_FIELDS:
    for _name in (_f.code, _f.title, *_f.aliases):
        _FIELD_NAMES.setdefault(_norm(_name), _f.code)


def resolve_field(name: str) -> ParkField:
    """The field named ``name``: its code, its 附件1-3 title or a short Chinese alias.

    Raises
    ------
    DossierError
        No field has that name (the message lists them).

    Examples
    --------
    >>> resolve_field("园区级别").code, resolve_field("Area_km2").title
    ('zone_code', '园区规划及建设规模（占地面积/平方公里）')
    """
    code = _FIELD_NAMES.get(_norm(name))
    if code is None:
        names = "、".join(f.title.split("（")[0].split("(")[0] for f in PARK_FIELDS)
        raise DossierError(
            f"Unknown park field {name!r}. The fields are: {names} "
            "(or their English codes: " + ", ".join(f.code for f in PARK_FIELDS) + ").",
            field=str(name),
        )
    return FIELDS_BY_CODE[code]


def validate_value(f: ParkField, value: str) -> str:
    """Check ``value`` for field ``f`` and return it as stored ("" clears it).

    Raises
    ------
    DossierError
        The value is not acceptable for the field (the message names it).

    Examples
    --------
    >>> validate_value(FIELDS_BY_CODE["deadline"], "2025年6月30日")
    '2025-06-30'
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if f.kind == "zone_code":
        return validate_zone_code(text, f.title)
    if f.kind == "credit_code":
        return validate_credit_code(text, f.title)
    if f.kind == "date":
        return parse_date(text, f.title).isoformat()
    if f.kind in ("number", "int"):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            number = None
        if number is None or number != number or number < 0:
            raise DossierError(
                f"{f.title} {text!r} is not a number ≥ 0.", field=f.title, found=text
            )
        if f.kind == "int":
            if number != int(number):
                raise DossierError(
                    f"{f.title} {text!r} is not a whole number.", field=f.title, found=text
                )
            return str(int(number))
        return f"{number:g}"
    if f.kind == "choice" and text not in f.choices:
        raise DossierError(
            f"{f.title} {text!r} is not one of {'、'.join(f.choices)}.", field=f.title, found=text
        )
    return text


# --- schema --------------------------------------------------------------------------------------
_DDL = {
    PARK_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT",
    ITEMS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL, "
    "ent_id TEXT NOT NULL DEFAULT '', status TEXT, reviewer TEXT, note TEXT, reviewed TEXT, "
    "modified TEXT, UNIQUE (item, ent_id)",
    FILES_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL, "
    "ent_id TEXT NOT NULL DEFAULT '', path TEXT NOT NULL, sha256 TEXT, size INTEGER, "
    "title TEXT, added TEXT",
}
_DESC = {
    PARK_TABLE: "PipeAtlas park record (附件1-3 facts, figure overrides)",
    ITEMS_TABLE: "PipeAtlas dossier checklist (附件1-2, 一企一档)",
    FILES_TABLE: "PipeAtlas dossier attachments (path relative to the project, SHA-256)",
}


DOSSIER_SCHEMA = gpkg.register_subject_schema(
    "dossier",
    "park dossier tables",
    _DDL,
    _DESC,
    version=SCHEMA_VERSION,
    version_table=PARK_TABLE,
)


# --- state ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attachment:
    """A file attached to an item (stored path relative to the project, SHA-256 when attached)."""

    fid: int
    item: str
    ent_id: str
    path: str
    sha256: str
    size: int
    title: str
    added: str

    def resolved(self, project_path: str | Path) -> Path:
        """The file on this machine (a relative path resolved against the project's folder)."""
        return Path(shown_source_path(self.path, project_path))

    def check(self, project_path: str | Path) -> str:
        """``ok``, ``missing`` (no such file) or ``changed`` (SHA-256 differs)."""
        p = self.resolved(project_path)
        if not p.is_file():
            return "missing"
        if self.sha256 and sha256_file(p) != self.sha256:
            return "changed"
        return "ok"


@dataclass(frozen=True)
class Review:
    """The reviewed state of one item for one subject (park: ``ent_id`` empty)."""

    item: str
    ent_id: str = ""
    status: str | None = None
    reviewer: str = ""
    note: str = ""
    reviewed: str = ""


@dataclass(frozen=True)
class ParkRecord:
    """Everything the dossier tables of a project hold."""

    values: dict[str, str] = field(default_factory=dict)
    reviews: dict[tuple[str, str], Review] = field(default_factory=dict)
    files: tuple[Attachment, ...] = ()
    schema_version: int = 0

    def value(self, code: str) -> str:
        """The stored value (or override) of a field, "" when none."""
        return self.values.get(code, "")

    def files_of(self, item: str, ent_id: str = "") -> list[Attachment]:
        """The attachments of one item and subject, in the order attached."""
        return [a for a in self.files if a.item == item and a.ent_id == ent_id]


def enterprise_key(ent_id: str, what: str) -> str:
    """The ``pa_park`` key of an enterprise fact (``ent:E01:scale``)."""
    return f"ent:{str(ent_id).strip()}:{what}"


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read(con: sqlite3.Connection) -> ParkRecord:
    tables = gpkg.table_names(con)
    if PARK_TABLE not in tables:
        return ParkRecord()
    values = {str(k): v or "" for k, v in con.execute(f"SELECT key, value FROM {PARK_TABLE}")}
    version = int(values.pop(gpkg.VERSION_KEY, 0) or 0)
    reviews = {}
    if ITEMS_TABLE in tables:
        for row in con.execute(
            f"SELECT item, ent_id, status, reviewer, note, reviewed FROM {ITEMS_TABLE}"
        ):
            r = Review(row[0], row[1] or "", row[2], row[3] or "", row[4] or "", row[5] or "")
            reviews[(r.item, r.ent_id)] = r
    files: list[Attachment] = []
    if FILES_TABLE in tables:
        for row in con.execute(
            f"SELECT fid, item, ent_id, path, sha256, size, title, added FROM {FILES_TABLE} "
            "ORDER BY fid"
        ):
            files.append(
                Attachment(
                    row[0],
                    row[1],
                    row[2] or "",
                    row[3],
                    row[4] or "",
                    row[5] or 0,
                    row[6] or "",
                    row[7] or "",
                )
            )
    return ParkRecord(values, reviews, tuple(files), version)


def read_park(path: str | Path) -> ParkRecord:
    """Read the park record of a project without writing anything (empty when none yet).

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    return gpkg.read_subject(path, DOSSIER_SCHEMA, _read)


class ParkStore(gpkg.SubjectStore):
    """Writes to the park record and the dossier checklist of one project.

    Opens the project through :class:`network.io.gpkg.ProjectConnection` (which follows the
    file across a Save) and creates or migrates the dossier tables. Every write is one
    transaction under the project's write lock.

    Parameters
    ----------
    path : the project GeoPackage
    pack : the checklist (default: the shipped 附件1-2 pack)
    today : returns today's date (tests pass a fixed one)

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.

    Examples
    --------
    >>> with ParkStore("park.gpkg") as store:  # doctest: +SKIP
    ...     store.set_values({"地市": "益阳市", "园区级别": "S437051"})
    """

    SCHEMA = DOSSIER_SCHEMA

    def __init__(
        self,
        path: str | Path,
        *,
        pack: DossierPack | None = None,
        today: Any = None,
    ) -> None:
        self.pack = pack or load_pack()
        super().__init__(path, today=today)

    def record(self) -> ParkRecord:
        """The current record."""
        with self._db.reading() as con:
            return _read(con)

    # --- park facts ---------------------------------------------------------------------------
    def set_values(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Set fields (or override figures) by name; an empty value clears one.

        All values are checked before anything is written.

        Returns
        -------
        dict
            field code → the value stored ("" = cleared).

        Raises
        ------
        DossierError
            An unknown field or a value the field does not accept (nothing written).
        """
        clean: dict[str, str] = {}
        for name, value in values.items():
            f = resolve_field(name)
            clean[f.code] = validate_value(f, value)
        with self._db.transaction() as con:
            for code, value in clean.items():
                if value:
                    con.execute(
                        f"INSERT INTO {PARK_TABLE} (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (code, value),
                    )
                else:
                    con.execute(f"DELETE FROM {PARK_TABLE} WHERE key = ?", (code,))
        return clean

    def set_enterprise(
        self, ent_id: str, *, scale: str | None = None, operation: str | None = None
    ) -> None:
        """Record an enterprise's 生产规模 and 运行情况 for the enterprise list ("" clears).

        Stored in ``pa_park`` under ``ent:<id>:scale`` / ``ent:<id>:operation``.
        """
        if not str(ent_id).strip():
            raise DossierError("Give the enterprise id (企业编号).", field="enterprise")
        pairs = {"scale": scale, "operation": operation}
        with self._db.transaction() as con:
            for what, value in pairs.items():
                if value is None:
                    continue
                key = enterprise_key(ent_id, what)
                if str(value).strip():
                    con.execute(
                        f"INSERT INTO {PARK_TABLE} (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, str(value).strip()),
                    )
                else:
                    con.execute(f"DELETE FROM {PARK_TABLE} WHERE key = ?", (key,))

    # --- checklist ----------------------------------------------------------------------------
    def _item_code(self, item: str, ent_id: str) -> str:
        it = self.pack.item(item)
        if ent_id and not it.code.startswith("Q"):
            if it.enterprise_item:
                return it.enterprise_item
            raise DossierError(
                f"Item {it.code} is a park item; an enterprise's file has items Q1–Q5 "
                "(环保批复, 营业执照及运营, 用水产排佐证, 雨污分流及纳管佐证, 环保监管).",
                field="item",
                found=item,
            )
        if not ent_id and it.code.startswith("Q"):
            raise DossierError(
                f"Item {it.code} belongs to an enterprise's file: give the enterprise id.",
                field="enterprise",
                found=item,
            )
        return it.code

    def attach(
        self, item: str, file: str | Path, *, ent_id: str = "", title: str = ""
    ) -> Attachment:
        """Attach an existing file to an item (stored by path relative to the project).

        Raises
        ------
        DossierError
            The item is unknown or the file does not exist.
        """
        code = self._item_code(item, ent_id)
        p = Path(file)
        if not p.is_file():
            raise DossierError(f"Cannot attach {p}: no such file.", file=str(p), field="file")
        stored = stored_source_path(str(p), self.path)
        now = dt.datetime.now().isoformat(timespec="seconds")
        with self._db.transaction() as con:
            cur = con.execute(
                f"INSERT INTO {FILES_TABLE} (item, ent_id, path, sha256, size, title, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, ent_id, stored, sha256_file(p), p.stat().st_size, title or p.stem, now),
            )
            fid = int(cur.lastrowid or 0)
        return next(a for a in self.record().files if a.fid == fid)

    def detach(self, fid: int) -> None:
        """Remove one attachment (the file itself is left alone).

        Raises
        ------
        DossierError
            No attachment has that number.
        """
        with self._db.transaction() as con:
            n = con.execute(f"DELETE FROM {FILES_TABLE} WHERE fid = ?", (int(fid),)).rowcount
        if not n:
            raise DossierError(f"No attachment number {fid}.", field="attachment", found=fid)

    def review(
        self,
        item: str,
        status: str,
        *,
        ent_id: str = "",
        reviewer: str = "",
        note: str = "",
        reviewed: str | dt.date | None = None,
    ) -> Review:
        """Record the reviewed status of an item (缺失 / 部分 / 齐全), with note and date.

        Raises
        ------
        DossierError
            Unknown item or status, or a date that is not one.
        """
        code = self._item_code(item, ent_id)
        st = STATUS_FROM_ZH.get(str(status).strip(), str(status).strip().lower())
        if st not in STATUS_ZH:
            raise DossierError(
                f"Status {status!r} is not one of 缺失、部分、齐全 (missing, partial, complete).",
                field="status",
                found=str(status),
            )
        if isinstance(reviewed, dt.date):
            day = reviewed.isoformat()
        elif reviewed:
            day = parse_date(str(reviewed), "审核日期").isoformat()
        else:
            day = self._today().isoformat()
        with self._db.transaction() as con:
            con.execute(
                f"INSERT INTO {ITEMS_TABLE} (item, ent_id, status, reviewer, note, reviewed, "
                "modified) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(item, ent_id) DO UPDATE SET "
                "status = excluded.status, reviewer = excluded.reviewer, note = excluded.note, "
                "reviewed = excluded.reviewed, modified = excluded.modified",
                (
                    code,
                    ent_id,
                    st,
                    reviewer,
                    note,
                    day,
                    dt.datetime.now().isoformat("T", "seconds"),
                ),
            )
        return Review(code, ent_id, st, reviewer, note, day)


# --- checklist status ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemStatus:
    """How complete one item is for one subject.

    ``status`` is the reviewed status, lowered when an attached file is missing (an item
    cannot be 齐全 with evidence gone): ``missing`` → 缺失, ``partial`` → 部分,
    ``complete`` → 齐全. ``files`` pairs each attachment with its check (``ok``, ``missing``,
    ``changed``); ``produced`` names what PipeAtlas makes for the item at export.
    """

    item: str
    ent_id: str
    status: str
    reviewed: bool
    review: Review | None
    files: tuple[tuple[Attachment, str], ...]
    produced: str = ""
    detail: str = ""

    @property
    def status_zh(self) -> str:
        """缺失 / 部分 / 齐全."""
        return STATUS_ZH[self.status]

    @property
    def missing_files(self) -> list[Attachment]:
        """Attachments whose file is gone."""
        return [a for a, c in self.files if c == "missing"]


def item_status(
    record: ParkRecord,
    project_path: str | Path,
    item: str,
    ent_id: str = "",
    *,
    pack: DossierPack | None = None,
    produced: bool = True,
    enterprise_ids: Iterable[str] = (),
) -> ItemStatus:
    """The status of one item (see :class:`ItemStatus`).

    Without a review: no evidence → 缺失, evidence (a file, or a product of PipeAtlas when
    ``produced``) → 部分. A park item of group 二 (Y06–Y10) without files or review follows
    the enterprises' files (``enterprise_ids``): all 齐全 → 齐全, none with evidence → 缺失,
    else 部分.
    """
    pack = pack or load_pack()
    it = pack.item(item)
    review = record.reviews.get((it.code, ent_id))
    checked = tuple((a, a.check(project_path)) for a in record.files_of(it.code, ent_id))
    n_ok = sum(c != "missing" for _, c in checked)
    n_missing = len(checked) - n_ok
    product = it.produced if produced and not ent_id else ""
    detail = ""
    if review is not None and review.status:
        status = review.status
    elif it.enterprise_item and not checked and enterprise_ids:
        subs = [
            item_status(record, project_path, it.enterprise_item, e, pack=pack)
            for e in enterprise_ids
        ]
        done = sum(s.status == "complete" for s in subs)
        some = sum(s.status != "missing" for s in subs)
        status = "complete" if done == len(subs) else ("partial" if some else "missing")
        detail = f"一企一档：{done}/{len(subs)} 家齐全"
    else:
        status = "partial" if (n_ok or product) else "missing"
    if n_missing and status == "complete":
        status = "partial" if (n_ok or product) else "missing"
    elif n_missing and not (n_ok or product):
        status = "missing"
    return ItemStatus(
        it.code, ent_id, status, review is not None, review, checked, product, detail
    )


def checklist(
    record: ParkRecord,
    project_path: str | Path,
    *,
    pack: DossierPack | None = None,
    enterprise_ids: Iterable[str] = (),
    produced: bool = True,
) -> list[ItemStatus]:
    """The 20 park items with their status, in the plan's order."""
    pack = pack or load_pack()
    ents = list(enterprise_ids)
    return [
        item_status(
            record, project_path, it.code, pack=pack, enterprise_ids=ents, produced=produced
        )
        for it in pack.items
    ]


def enterprise_checklist(
    record: ParkRecord, project_path: str | Path, ent_id: str, *, pack: DossierPack | None = None
) -> list[ItemStatus]:
    """The five 一企一档 items of one enterprise."""
    pack = pack or load_pack()
    return [
        item_status(record, project_path, it.code, ent_id, pack=pack)
        for it in pack.enterprise_items
    ]
