"""The outfall tables inside the project GeoPackage (no Qt).

Four tables, registered with the project file's owner (:mod:`network.io.gpkg`) as the
``outfalls`` schema group, each a GeoPackage ``attributes`` table with an ``INTEGER PRIMARY
KEY`` ``fid`` (so QGIS lists them):

``pa_outfall_meta``
    Key/value: ``schema_version``.
``pa_outfalls``
    The register's own facts per outfall id (查): name and class as registered, receiving
    water and section, discharge way, responsible unit and person, permit number,
    registration and publication status, the discharge standard picked, photos (path
    relative to the project + SHA-256). An outfall the layer lacks (found in the field) is a
    row with ``x``/``y`` in the project CRS and ``field_added`` set.
``pa_outfall_monitoring``
    Monitoring records (测): one row per sample, keyed by a uuid.
``pa_outfall_decisions``
    The decision per outfall (治): 保留并规范 / 合并至 X / 取缔封堵 with measure, target,
    deadline and responsible unit.

Writes go through :class:`OutfallStore` (one transaction each, under the project's write
lock); :func:`read_outfall_data` reads without writing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import sqlite3
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.io import gpkg
from network.io.project import shown_source_path, stored_source_path
from surveys.outfalls.codes import OutfallError, load_classes, load_standards

META_TABLE = "pa_outfall_meta"
OUTFALLS_TABLE = "pa_outfalls"
MONITORING_TABLE = "pa_outfall_monitoring"
DECISIONS_TABLE = "pa_outfall_decisions"
SCHEMA_VERSION = 1

#: Decisions (治): code -> Chinese label.
DECISIONS = {"keep": "保留并规范", "merge": "合并至", "seal": "取缔封堵"}
DECISION_SYNONYMS = {
    "keep": ("keep", "保留", "规范", "保留并规范", "规范一批"),
    "merge": ("merge", "合并", "合并至", "合并一批"),
    "seal": ("seal", "取缔", "封堵", "取缔封堵", "取缔一批", "ban"),
}
WEATHER = {"dry": "旱天", "rain": "雨天"}
WEATHER_SYNONYMS = {
    "dry": ("dry", "旱天", "晴", "晴天", "旱季", "非雨天", "阴"),
    "rain": ("rain", "雨天", "雨", "降雨", "小雨", "中雨", "大雨", "暴雨", "雨季", "wet"),
}
DISCHARGE_WAYS = ("管道", "明渠", "暗渠", "涵闸", "箱涵", "泵站", "其他")
REGISTRATION = ("未登记", "已登记")
PUBLICATION = ("未公示", "已公示")


@dataclass(frozen=True)
class EntryField:
    """One register field: code (column), Chinese title, other names, kind of value."""

    code: str
    title: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, class, standard, choice
    choices: tuple[str, ...] = ()


ENTRY_FIELDS: tuple[EntryField, ...] = (
    EntryField("name", "排污口名称", ("名称", "name")),
    EntryField("class", "排污口类别", ("类别", "类型", "class"), "class"),
    EntryField("receiving_water", "受纳水体", ("receiving_water", "水体")),
    EntryField("section", "所在河段", ("河段", "断面", "section")),
    EntryField("discharge_way", "排放方式", ("方式", "discharge_way"), "choice", DISCHARGE_WAYS),
    EntryField("responsible_unit", "责任单位", ("责任主体", "responsible_unit", "unit")),
    EntryField("responsible_person", "责任人", ("responsible_person", "person")),
    EntryField("permit_no", "排污许可证编号", ("排污许可证", "许可证编号", "permit_no", "permit")),
    EntryField("registration", "登记状态", ("登记", "registration"), "choice", REGISTRATION),
    EntryField("publication", "公示状态", ("公示", "publication"), "choice", PUBLICATION),
    EntryField("standard", "执行标准", ("排放标准", "标准", "standard"), "standard"),
    EntryField("note", "备注", ("note",)),
)
FIELDS_BY_CODE = {f.code: f for f in ENTRY_FIELDS}


def resolve_field(name: str) -> EntryField:
    """The register field a name means (code, Chinese title or alias).

    Raises
    ------
    OutfallError
        No field has that name.
    """
    k = str(name).strip().lower()
    for f in ENTRY_FIELDS:
        if k in (f.code, f.title.lower(), *(a.lower() for a in f.aliases)):
            return f
    raise OutfallError(
        f"Unknown outfall field {name!r}; expected one of "
        f"{'、'.join(f.title for f in ENTRY_FIELDS)} (or {', '.join(FIELDS_BY_CODE)}).",
        field=str(name),
    )


def validate_entry_value(f: EntryField, value: Any) -> str:
    """A field's value as stored (class and standard as codes); "" clears it.

    Raises
    ------
    OutfallError
        The value is not allowed (unknown class or standard, not one of the choices).
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if f.kind == "class":
        c = load_classes().map(text)
        if c is None:
            raise OutfallError(
                f"{f.title} {text!r} names no outfall class; expected one of "
                f"{'、'.join(c.label_zh for c in load_classes().choices())}.",
                field=f.title,
                found=text,
            )
        return c.code
    if f.kind == "standard":
        return load_standards().get(text).code
    if f.kind == "choice" and text not in f.choices:
        raise OutfallError(
            f"{f.title} {text!r} is not one of {'、'.join(f.choices)}.", field=f.title, found=text
        )
    return text


def parse_code(value: Any, synonyms: Mapping[str, tuple[str, ...]], what: str) -> str:
    """The code a value names in a synonym table (``旱天`` → ``dry``).

    Raises
    ------
    OutfallError
        Nothing matches.
    """
    k = str(value).strip().lower()
    for code, names in synonyms.items():
        if k in (n.lower() for n in names):
            return code
    raise OutfallError(
        f"{what} {value!r} is not one of "
        f"{'、'.join(n for names in synonyms.values() for n in names[:2])}.",
        field=what,
        found=value,
    )


# --- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Photo:
    """A photo referenced by path (relative to the project's folder) and SHA-256."""

    path: str
    sha256: str

    def check(self, project_path: str | Path) -> str:
        """``ok``, ``missing`` or ``changed``."""
        return file_check(self.path, self.sha256, project_path)


@dataclass(frozen=True)
class OutfallEntry:
    """The register's stored facts of one outfall (empty strings where none)."""

    outfall_id: str
    values: dict[str, str] = field(default_factory=dict)
    x: float | None = None
    y: float | None = None
    field_added: bool = False
    photos: tuple[Photo, ...] = ()
    modified: str = ""

    def value(self, code: str) -> str:
        """A stored value, "" when none."""
        return self.values.get(code, "")


@dataclass(frozen=True)
class MonitoringRecord:
    """One sample at an outfall (测).

    ``flow_m3d`` in m³/d, concentrations in mg/L; ``params`` holds further parameters
    (``{"SS": 12.0}``); ``source`` says where the record came from (``sheet.xlsx:row 5``).
    """

    outfall_id: str
    sampled: str  # ISO date-time, YYYY-MM-DDTHH:MM
    weather: str = ""  # dry / rain / ""
    flow_m3d: float | None = None
    cod_mgl: float | None = None
    nh3n_mgl: float | None = None
    tp_mgl: float | None = None
    ph: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    sampler: str = ""
    report_path: str = ""
    report_sha256: str = ""
    source: str = ""
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))

    def value(self, parameter: str) -> float | None:
        """A parameter's value (a column or one of ``params``)."""
        if parameter in ("flow_m3d", "cod_mgl", "nh3n_mgl", "tp_mgl", "ph"):
            return getattr(self, parameter)
        v = self.params.get(parameter)
        return float(v) if isinstance(v, int | float) else None

    @property
    def cod_load_kgd(self) -> float | None:
        """Flow × COD in kg/d (None without both)."""
        if self.flow_m3d is None or self.cod_mgl is None:
            return None
        return self.flow_m3d * self.cod_mgl / 1000.0


@dataclass(frozen=True)
class Decision:
    """The decision for one outfall (治)."""

    outfall_id: str
    decision: str  # keep / merge / seal
    merge_into: str = ""
    measure: str = ""
    target: str = ""
    deadline: str = ""  # YYYY-MM-DD
    responsible_unit: str = ""
    responsible_person: str = ""
    note: str = ""
    decided: str = ""

    @property
    def label_zh(self) -> str:
        """``保留并规范``, ``合并至 PK01``, ``取缔封堵``."""
        if self.decision == "merge":
            return f"合并至{self.merge_into}"
        return DECISIONS.get(self.decision, self.decision)


@dataclass(frozen=True)
class OutfallData:
    """Everything the outfall tables of a project hold."""

    entries: dict[str, OutfallEntry] = field(default_factory=dict)
    monitoring: tuple[MonitoringRecord, ...] = ()
    decisions: dict[str, Decision] = field(default_factory=dict)
    schema_version: int = 0

    def records_of(self, outfall_id: str) -> list[MonitoringRecord]:
        """The monitoring records of one outfall, oldest first."""
        return sorted(
            (r for r in self.monitoring if r.outfall_id == outfall_id), key=lambda r: r.sampled
        )


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def file_check(stored: str, sha256: str, project_path: str | Path) -> str:
    """A referenced file (*stored* path, relative to the project's folder) against its SHA-256:
    ``ok``, ``missing`` or ``changed``."""
    p = Path(shown_source_path(stored, project_path))
    if not p.is_file():
        return "missing"
    return "ok" if sha256_file(p) == sha256 else "changed"


# --- schema ------------------------------------------------------------------------------------
_VALUE_COLUMNS = tuple(f.code for f in ENTRY_FIELDS)
_MON_COLUMNS = (
    "uuid",
    "outfall_id",
    "sampled",
    "weather",
    "flow_m3d",
    "cod_mgl",
    "nh3n_mgl",
    "tp_mgl",
    "ph",
    "params",
    "sampler",
    "report_path",
    "report_sha256",
    "source",
)
_DEC_COLUMNS = tuple(f.name for f in dataclasses.fields(Decision))
_DDL = {
    META_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT",
    OUTFALLS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, outfall_id TEXT NOT NULL UNIQUE, "
    + ", ".join(f'"{c}" TEXT' for c in _VALUE_COLUMNS)
    + ", x REAL, y REAL, field_added INTEGER NOT NULL DEFAULT 0, photos TEXT, modified TEXT",
    MONITORING_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "outfall_id TEXT NOT NULL, sampled TEXT NOT NULL, weather TEXT, flow_m3d REAL, "
    "cod_mgl REAL, nh3n_mgl REAL, tp_mgl REAL, ph REAL, params TEXT, sampler TEXT, "
    "report_path TEXT, report_sha256 TEXT, source TEXT, created TEXT",
    DECISIONS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, outfall_id TEXT NOT NULL UNIQUE, "
    "decision TEXT NOT NULL, merge_into TEXT, measure TEXT, target TEXT, deadline TEXT, "
    "responsible_unit TEXT, responsible_person TEXT, note TEXT, decided TEXT, modified TEXT",
}
_DESC = {
    META_TABLE: "PipeAtlas outfall tables (schema version)",
    OUTFALLS_TABLE: "PipeAtlas outfall register 排污口登记 (查)",
    MONITORING_TABLE: "PipeAtlas outfall monitoring records 排污口监测 (测)",
    DECISIONS_TABLE: "PipeAtlas outfall decisions 一口一策 (治)",
}


def _create_v1(con: sqlite3.Connection) -> None:
    """Version 1 of the outfall tables (frozen: add a migration step instead)."""
    gpkg.create_tables(con, _DDL, _DESC)
    con.execute(
        f"CREATE INDEX IF NOT EXISTS {MONITORING_TABLE}_outfall "
        f"ON {MONITORING_TABLE} (outfall_id, sampled)"
    )


OUTFALL_SCHEMA = gpkg.register_schema(
    gpkg.SchemaGroup(
        name="outfalls",
        label="outfall register tables",
        tables=tuple(_DDL),
        version=SCHEMA_VERSION,
        version_table=META_TABLE,
        steps={0: _create_v1},
    )
)


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _read(con: sqlite3.Connection) -> OutfallData:
    tables = gpkg.table_names(con)
    if META_TABLE not in tables:
        return OutfallData()
    version = gpkg.stored_version(con, OUTFALL_SCHEMA)
    cols = ", ".join(f'"{c}"' for c in _VALUE_COLUMNS)
    entries: dict[str, OutfallEntry] = {}
    for r in con.execute(
        f"SELECT outfall_id, {cols}, x, y, field_added, photos, modified FROM {OUTFALLS_TABLE} "
        "ORDER BY fid"
    ):
        n = len(_VALUE_COLUMNS)
        values = {c: v for c, v in zip(_VALUE_COLUMNS, r[1 : n + 1], strict=True) if v}
        photos = tuple(Photo(p["path"], p.get("sha256", "")) for p in json.loads(r[n + 4] or "[]"))
        entries[r[0]] = OutfallEntry(
            r[0], values, _num(r[n + 1]), _num(r[n + 2]), bool(r[n + 3]), photos, r[n + 5] or ""
        )
    mon = []
    for r in con.execute(
        f"SELECT {', '.join(_MON_COLUMNS)} FROM {MONITORING_TABLE} ORDER BY sampled, fid"
    ):
        d = dict(zip(_MON_COLUMNS, r, strict=True))
        d["params"] = json.loads(d["params"] or "{}")
        for k in ("weather", "sampler", "report_path", "report_sha256", "source"):
            d[k] = d[k] or ""
        mon.append(MonitoringRecord(**d))
    decisions = {}
    for r in con.execute(f"SELECT {', '.join(_DEC_COLUMNS)} FROM {DECISIONS_TABLE}"):
        d = {k: (v or "") for k, v in zip(_DEC_COLUMNS, r, strict=True)}
        decisions[d["outfall_id"]] = Decision(**d)
    return OutfallData(entries, tuple(mon), decisions, version)


def read_outfall_data(path: str | Path) -> OutfallData:
    """Read the outfall tables of a project without writing anything (empty when none yet).

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    return gpkg.read_subject(path, OUTFALL_SCHEMA, _read)


class OutfallStore(gpkg.SubjectStore):
    """Writes to the outfall tables of one project (each write one transaction).

    Parameters
    ----------
    path : the project GeoPackage
    today : returns today's date (tests pass a fixed one)

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.

    Examples
    --------
    >>> with OutfallStore("park.gpkg") as store:  # doctest: +SKIP
    ...     store.set_values("PK07", {"受纳水体": "清溪河", "登记状态": "已登记"})
    """

    SCHEMA = OUTFALL_SCHEMA

    def data(self) -> OutfallData:
        """Everything stored now."""
        with self._db.reading() as con:
            return _read(con)

    # -- register ---------------------------------------------------------------------------
    def _ensure_row(self, con: sqlite3.Connection, outfall_id: str) -> None:
        con.execute(
            f"INSERT OR IGNORE INTO {OUTFALLS_TABLE} (outfall_id, modified) VALUES (?, ?)",
            (outfall_id, _now()),
        )

    def set_values(self, outfall_id: str, values: Mapping[str, Any]) -> dict[str, str]:
        """Set register fields of an outfall (names: code, Chinese title or alias; "" clears).

        Returns the stored values by field code.

        Raises
        ------
        OutfallError
            An unknown field or a value not allowed (nothing is written then).
        """
        oid = _check_id(outfall_id)
        clean = {}
        for name, value in values.items():
            f = resolve_field(name)
            clean[f.code] = validate_entry_value(f, value)
        if not clean:
            return {}
        sets = ", ".join(f'"{c}" = ?' for c in clean)
        with self._db.transaction() as con:
            self._ensure_row(con, oid)
            con.execute(
                f"UPDATE {OUTFALLS_TABLE} SET {sets}, modified = ? WHERE outfall_id = ?",
                (*(v or None for v in clean.values()), _now(), oid),
            )
        return clean

    def add_outfall(
        self, outfall_id: str, x: float, y: float, values: Mapping[str, Any] | None = None
    ) -> None:
        """Add an outfall found in the field (not in the layer) at ``x``/``y`` (project CRS).

        Raises
        ------
        OutfallError
            A bad id, position or value.
        """
        oid = _check_id(outfall_id)
        try:
            fx, fy = float(x), float(y)
        except (TypeError, ValueError):
            fx = fy = math.nan
        if not (math.isfinite(fx) and math.isfinite(fy)):
            raise OutfallError(
                f"Outfall {oid}: position {x!r}, {y!r} is not a pair of numbers.",
                record=oid,
                field="x/y",
            )
        clean = {
            resolve_field(k).code: validate_entry_value(resolve_field(k), v)
            for k, v in (values or {}).items()
        }
        with self._db.transaction() as con:
            self._ensure_row(con, oid)
            con.execute(
                f"UPDATE {OUTFALLS_TABLE} SET x = ?, y = ?, field_added = 1, modified = ? "
                "WHERE outfall_id = ?",
                (fx, fy, _now(), oid),
            )
            for c, v in clean.items():
                con.execute(
                    f'UPDATE {OUTFALLS_TABLE} SET "{c}" = ? WHERE outfall_id = ?', (v or None, oid)
                )

    def add_photo(self, outfall_id: str, photo: str | Path) -> Photo:
        """Reference a photo of an outfall by path (relative to the project) and SHA-256.

        Raises
        ------
        OutfallError
            The file does not exist.
        """
        oid = _check_id(outfall_id)
        p = Path(photo)
        if not p.is_file():
            raise OutfallError(f"Photo {p} does not exist.", file=str(p), record=oid)
        ph = Photo(stored_source_path(str(p.resolve()), self.path), sha256_file(p))
        with self._db.transaction() as con:
            self._ensure_row(con, oid)
            row = con.execute(
                f"SELECT photos FROM {OUTFALLS_TABLE} WHERE outfall_id = ?", (oid,)
            ).fetchone()
            photos = [x for x in json.loads(row[0] or "[]") if x.get("path") != ph.path]
            photos.append({"path": ph.path, "sha256": ph.sha256})
            con.execute(
                f"UPDATE {OUTFALLS_TABLE} SET photos = ?, modified = ? WHERE outfall_id = ?",
                (json.dumps(photos, ensure_ascii=False), _now(), oid),
            )
        return ph

    # -- monitoring -------------------------------------------------------------------------
    def add_monitoring(self, records: Iterable[MonitoringRecord]) -> int:
        """Add monitoring records in one transaction (a uuid already stored is replaced).

        Returns the number written.
        """
        rows = []
        for r in records:
            d = dataclasses.asdict(r)
            d["params"] = json.dumps(d["params"], ensure_ascii=False)
            rows.append((*(d[c] for c in _MON_COLUMNS), _now()))
        if not rows:
            return 0
        cols = ", ".join((*_MON_COLUMNS, "created"))
        marks = ", ".join("?" * (len(_MON_COLUMNS) + 1))
        with self._db.transaction() as con:
            con.executemany(
                f"INSERT OR REPLACE INTO {MONITORING_TABLE} ({cols}) VALUES ({marks})", rows
            )
        return len(rows)

    def delete_monitoring(self, uuid: str) -> bool:
        """Delete one monitoring record; False when there was none."""
        with self._db.transaction() as con:
            cur = con.execute(f"DELETE FROM {MONITORING_TABLE} WHERE uuid = ?", (uuid,))
        return cur.rowcount > 0

    # -- decisions --------------------------------------------------------------------------
    def decide(self, decision: Decision) -> Decision:
        """Store (or replace) the decision of an outfall; returns it as stored.

        Raises
        ------
        OutfallError
            An unknown decision, a merge without a target, a bad deadline.
        """
        d = validate_decision(decision, today=self._today())
        values = dataclasses.asdict(d)
        cols = ", ".join((*_DEC_COLUMNS, "modified"))
        marks = ", ".join("?" * (len(_DEC_COLUMNS) + 1))
        with self._db.transaction() as con:
            con.execute(
                f"INSERT OR REPLACE INTO {DECISIONS_TABLE} ({cols}) VALUES ({marks})",
                (*(values[c] for c in _DEC_COLUMNS), _now()),
            )
        return d

    def clear_decision(self, outfall_id: str) -> bool:
        """Remove the decision of an outfall; False when there was none."""
        with self._db.transaction() as con:
            cur = con.execute(
                f"DELETE FROM {DECISIONS_TABLE} WHERE outfall_id = ?", (str(outfall_id),)
            )
        return cur.rowcount > 0


def _check_id(outfall_id: Any) -> str:
    oid = "" if outfall_id is None else str(outfall_id).strip()
    if not oid:
        raise OutfallError("An outfall id is needed (e.g. PK11).", field="outfall_id")
    return oid


def parse_deadline(value: Any) -> str:
    """A deadline as ``YYYY-MM-DD`` (also 2020年7月底, 2020-07, 2020/7/31); "" when empty.

    A month alone means its last day (``2020年7月底`` → ``2020-07-31``).

    Raises
    ------
    OutfallError
        The value is no date.

    Examples
    --------
    >>> parse_deadline("2020年7月底"), parse_deadline("2024/5/3")
    ('2020-07-31', '2024-05-03')
    """
    import calendar
    import re

    if value is None or str(value).strip() == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*月?\s*(?:底|末)?", text)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return dt.date(y, mo, calendar.monthrange(y, mo)[1]).isoformat()
    m = re.fullmatch(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            pass
    raise OutfallError(
        f"Deadline {text!r} is not a date; write 2025-06-30, 2025/6/30 or 2025年6月底.",
        field="完成时限",
        found=text,
    )


def validate_decision(d: Decision, *, today: dt.date | None = None) -> Decision:
    """The decision with its code and deadline normalised.

    Raises
    ------
    OutfallError
        An unknown decision, a merge without a target, a bad deadline.
    """
    code = parse_code(d.decision, DECISION_SYNONYMS, "整治措施类型")
    into = str(d.merge_into or "").strip()
    if code == "merge" and not into:
        raise OutfallError(
            f"Outfall {d.outfall_id}: 合并 needs the outfall it is merged into (--into PK01).",
            record=d.outfall_id,
            field="merge_into",
        )
    if code == "merge" and into == d.outfall_id:
        raise OutfallError(
            f"Outfall {d.outfall_id} cannot be merged into itself.",
            record=d.outfall_id,
            field="merge_into",
        )
    return dataclasses.replace(
        d,
        outfall_id=_check_id(d.outfall_id),
        decision=code,
        merge_into=into if code == "merge" else "",
        deadline=parse_deadline(d.deadline),
        decided=d.decided or (today or dt.date.today()).isoformat(),
    )
