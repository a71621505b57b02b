"""Survey records (inspections, observations, misconnections, leaks, siltation, problems).

Records are plain dataclasses. Each has the same bookkeeping fields (``uuid``, ``author``,
``created``, ``modified``, ``modified_by``, ``revision``, ``deleted``) that the store fills
in, and content fields described by :class:`FieldSpec` metadata (type, Chinese and English
labels, allowed values), so forms, importers and reports share one description.

Validation is pure: :func:`validate_record` returns a list of
:class:`~surveys.store_errors.FieldProblem`; :func:`check_record` raises
:class:`~surveys.store_errors.RecordValidationError` when the list is not empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from surveys.store_errors import FieldProblem, RecordValidationError

# --- value codes ---------------------------------------------------------------------------
METHODS = ("cctv", "qv", "sonar", "manual", "dye", "smoke")
METHOD_LABELS_ZH = {
    "cctv": "CCTV检测",
    "qv": "QV管道潜望镜检测",
    "sonar": "声呐检测",
    "manual": "人工检查",
    "dye": "染色试验",
    "smoke": "烟雾试验",
}
METHOD_LABELS_EN = {
    "cctv": "CCTV",
    "qv": "QV periscope",
    "sonar": "Sonar",
    "manual": "Manual",
    "dye": "Dye test",
    "smoke": "Smoke test",
}
DIRECTIONS = ("sewage_to_rain", "rain_to_sewage")
DIRECTION_LABELS_ZH = {"sewage_to_rain": "污水混入雨水", "rain_to_sewage": "雨水混入污水"}
DIRECTION_LABELS_EN = {"sewage_to_rain": "Sewage → rain", "rain_to_sewage": "Rain → sewage"}
LEAK_EVENTS = ("leak", "overflow")
LEAK_EVENT_LABELS_ZH = {"leak": "渗漏", "overflow": "溢流"}
LEAK_EVENT_LABELS_EN = {"leak": "Leak", "overflow": "Overflow"}
AT_KINDS = ("manhole", "outfall", "pipe")
AT_KIND_LABELS_ZH = {"manhole": "检查井", "outfall": "排放口", "pipe": "管段"}
AT_KIND_LABELS_EN = {"manhole": "Manhole", "outfall": "Outfall", "pipe": "Pipe"}
STATUSES = ("open", "in_progress", "done", "verified")
STATUS_LABELS_ZH = {
    "open": "未整改",
    "in_progress": "整改中",
    "done": "已完成",
    "verified": "已验收",
}
STATUS_LABELS_EN = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "verified": "Verified",
}
CLOSED_STATUSES = frozenset({"done", "verified"})
SOURCES = (
    "manual",
    "network_check",
    "defect",
    "misconnection",
    "protected_area",
    "outfall",
    "acceptance",
    "import",
)
SOURCE_LABELS_ZH = {
    "manual": "人工录入",
    "network_check": "管网检查",
    "defect": "管道缺陷",
    "misconnection": "雨污混接",
    "protected_area": "保护区冲突",
    "outfall": "排污口整治",
    "acceptance": "零直排验收",
    "import": "台账导入",
}

META_FIELDS = ("uuid", "author", "created", "modified", "modified_by", "revision", "deleted")


@dataclass(frozen=True)
class FieldSpec:
    """How a content field is stored, labelled and checked.

    ``kind`` is one of ``text``, ``real``, ``int``, ``bool``, ``date``, ``json`` (lists).
    """

    name: str
    kind: str
    label_en: str
    label_zh: str
    required: bool = False
    choices: tuple[str, ...] = ()


def _f(
    default: Any,
    kind: str,
    label_en: str,
    label_zh: str,
    *,
    required: bool = False,
    choices: tuple[str, ...] = (),
) -> Any:
    meta = {
        "kind": kind,
        "label_en": label_en,
        "label_zh": label_zh,
        "required": required,
        "choices": choices,
    }
    if isinstance(default, list):
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


@dataclass(kw_only=True)
class Record:
    """Bookkeeping fields shared by every record (filled in by the store)."""

    KIND: ClassVar[str] = ""
    TABLE: ClassVar[str] = ""
    LABEL_EN: ClassVar[str] = ""
    LABEL_ZH: ClassVar[str] = ""

    uuid: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""
    modified_by: str = ""
    revision: int = 0
    deleted: bool = False

    @classmethod
    def specs(cls) -> tuple[FieldSpec, ...]:
        """Return the :class:`FieldSpec` of every content field, in declaration order."""
        cached = _SPECS.get(cls)
        if cached is not None:
            return cached
        out = []
        for f in dataclasses.fields(cls):
            if f.name in META_FIELDS:
                continue
            m = f.metadata
            out.append(
                FieldSpec(
                    f.name, m["kind"], m["label_en"], m["label_zh"], m["required"], m["choices"]
                )
            )
        _SPECS[cls] = tuple(out)
        return _SPECS[cls]

    @classmethod
    def spec(cls, name: str) -> FieldSpec:
        """Return the :class:`FieldSpec` of one content field."""
        for s in cls.specs():
            if s.name == name:
                return s
        raise KeyError(name)

    def content(self) -> dict[str, Any]:
        """Return the content fields as a dict (lists copied)."""
        return {s.name: _copy(getattr(self, s.name)) for s in self.specs()}

    def graded_pipes(self) -> tuple[str, ...]:
        """Pipes whose grades depend on this record (observations only)."""
        return ()


def _copy(v: Any) -> Any:
    if isinstance(v, list):
        return [dict(x) if isinstance(x, dict) else x for x in v]
    return v


@dataclass(kw_only=True)
class Inspection(Record):
    """A survey campaign (检测任务): date, method, contractor, crew, weather."""

    KIND: ClassVar[str] = "inspection"
    TABLE: ClassVar[str] = "sv_inspections"
    LABEL_EN: ClassVar[str] = "Inspection"
    LABEL_ZH: ClassVar[str] = "检测任务"

    date: str = _f("", "date", "Date", "检测日期", required=True)
    method: str = _f("cctv", "text", "Method", "检测方法", required=True, choices=METHODS)
    contractor: str = _f("", "text", "Contractor", "检测单位")
    crew: str = _f("", "text", "Crew", "检测人员")
    weather: str = _f("", "text", "Weather", "天气")
    remarks: str = _f("", "text", "Remarks", "备注")


@dataclass(kw_only=True)
class Observation(Record):
    """A coded defect observed in a pipe (管道缺陷).

    The pipe is given by ``pipe_id``, or by free-text ``start_node``/``end_node`` that
    :func:`surveys.store.SurveyStore.resolve_pending` matches against the pipes' ``from_node``
    and ``to_node`` later. ``distance_m`` is measured from the start manhole of the
    inspection; ``reverse`` is true when the inspection ran from the pipe's ``to_node``.
    """

    KIND: ClassVar[str] = "observation"
    TABLE: ClassVar[str] = "sv_observations"
    LABEL_EN: ClassVar[str] = "Observation"
    LABEL_ZH: ClassVar[str] = "管道缺陷"

    inspection_id: str = _f("", "text", "Inspection", "检测任务")
    pipe_id: str = _f("", "text", "Pipe", "管段编号")
    start_node: str = _f("", "text", "Start manhole", "起始井号")
    end_node: str = _f("", "text", "End manhole", "终止井号")
    reverse: bool = _f(False, "bool", "Against digitised direction", "逆向检测")
    distance_m: float | None = _f(None, "real", "Distance (m)", "距离(m)", required=True)
    clock_from: int | None = _f(None, "int", "Clock from", "时钟起")
    clock_to: int | None = _f(None, "int", "Clock to", "时钟止")
    length_m: float | None = _f(None, "real", "Length (m)", "缺陷长度(m)")
    code: str = _f("", "text", "Defect code", "缺陷代码", required=True)
    grade: int | None = _f(None, "int", "Grade", "缺陷等级")
    photos: list[str] = _f([], "json", "Photos", "照片")  # noqa: RUF009 - field(default_factory=list)
    video_time: str = _f("", "text", "Video time", "视频时间")
    remarks: str = _f("", "text", "Remarks", "备注")

    def graded_pipes(self) -> tuple[str, ...]:
        """The observed pipe, if resolved."""
        return (self.pipe_id,) if self.pipe_id else ()

    def clock_text(self) -> str:
        """Clock positions as the standard writes them (``0210`` = from 2 to 10 o'clock)."""
        if self.clock_from is None:
            return ""
        if self.clock_to is None or self.clock_to == self.clock_from:
            return f"{self.clock_from:02d}"
        return f"{self.clock_from:02d}{self.clock_to:02d}"


@dataclass(kw_only=True)
class Misconnection(Record):
    """A rain/sewage misconnection (雨污混接) with its evidence."""

    KIND: ClassVar[str] = "misconnection"
    TABLE: ClassVar[str] = "sv_misconnections"
    LABEL_EN: ClassVar[str] = "Misconnection"
    LABEL_ZH: ClassVar[str] = "雨污混接"

    inspection_id: str = _f("", "text", "Inspection", "检测任务")
    date: str = _f("", "date", "Date", "发现日期", required=True)
    x: float | None = _f(None, "real", "X", "X坐标")
    y: float | None = _f(None, "real", "Y", "Y坐标")
    direction: str = _f(
        "sewage_to_rain", "text", "Direction", "混接方向", required=True, choices=DIRECTIONS
    )
    pipe_ids: list[str] = _f([], "json", "Pipes", "涉及管段")  # noqa: RUF009 - field(default_factory=list)
    node_id: str = _f("", "text", "Manhole", "检查井")
    cod_mgl: float | None = _f(None, "real", "COD (mg/L)", "COD(mg/L)")
    nh3n_mgl: float | None = _f(None, "real", "NH3-N (mg/L)", "氨氮(mg/L)")
    conductivity_us_cm: float | None = _f(None, "real", "Conductivity (µS/cm)", "电导率(µS/cm)")
    flow_observed: bool = _f(False, "bool", "Flow observed", "旱天有流水")
    smell: str = _f("", "text", "Smell", "气味")
    enterprise_id: str = _f("", "text", "Enterprise", "来源企业")
    photos: list[str] = _f([], "json", "Photos", "照片")  # noqa: RUF009 - field(default_factory=list)
    remarks: str = _f("", "text", "Remarks", "备注")


@dataclass(kw_only=True)
class Leak(Record):
    """A leak or overflow (渗漏/溢流) at a manhole, an outfall or a pipe."""

    KIND: ClassVar[str] = "leak"
    TABLE: ClassVar[str] = "sv_leaks"
    LABEL_EN: ClassVar[str] = "Leak / overflow"
    LABEL_ZH: ClassVar[str] = "渗漏溢流"

    inspection_id: str = _f("", "text", "Inspection", "检测任务")
    date: str = _f("", "date", "Date", "发现日期", required=True)
    event: str = _f("leak", "text", "Event", "类型", required=True, choices=LEAK_EVENTS)
    at_kind: str = _f("manhole", "text", "At", "位置类型", required=True, choices=AT_KINDS)
    at_id: str = _f("", "text", "Feature id", "设施编号")
    x: float | None = _f(None, "real", "X", "X坐标")
    y: float | None = _f(None, "real", "Y", "Y坐标")
    volume_m3: float | None = _f(None, "real", "Volume (m³)", "估计水量(m³)")
    photos: list[str] = _f([], "json", "Photos", "照片")  # noqa: RUF009 - field(default_factory=list)
    remarks: str = _f("", "text", "Remarks", "备注")


@dataclass(kw_only=True)
class Siltation(Record):
    """A siltation depth measured in a manhole or a pipe (淤积深度)."""

    KIND: ClassVar[str] = "siltation"
    TABLE: ClassVar[str] = "sv_siltation"
    LABEL_EN: ClassVar[str] = "Siltation"
    LABEL_ZH: ClassVar[str] = "淤积"

    inspection_id: str = _f("", "text", "Inspection", "检测任务")
    date: str = _f("", "date", "Date", "测量日期", required=True)
    at_kind: str = _f("pipe", "text", "At", "位置类型", required=True, choices=("manhole", "pipe"))
    at_id: str = _f("", "text", "Feature id", "设施编号", required=True)
    distance_m: float | None = _f(None, "real", "Distance (m)", "距离(m)")
    depth_mm: float | None = _f(None, "real", "Depth (mm)", "淤积深度(mm)", required=True)
    photos: list[str] = _f([], "json", "Photos", "照片")  # noqa: RUF009 - field(default_factory=list)
    remarks: str = _f("", "text", "Remarks", "备注")


@dataclass(kw_only=True)
class Problem(Record):
    """A problem of the rectification ledger (台账).

    ``notes`` is a list of ``{"date": "YYYY-MM-DD", "text": …, "author": …}`` progress notes.
    ``source``/``source_ref`` say where the problem was raised from, so raising twice does
    not duplicate it.
    """

    KIND: ClassVar[str] = "problem"
    TABLE: ClassVar[str] = "sv_problems"
    LABEL_EN: ClassVar[str] = "Problem"
    LABEL_ZH: ClassVar[str] = "问题"

    description: str = _f("", "text", "Problem", "问题", required=True)
    location: str = _f("", "text", "Location", "位置")
    x: float | None = _f(None, "real", "X", "X坐标")
    y: float | None = _f(None, "real", "Y", "Y坐标")
    measure: str = _f("", "text", "Measure", "整改措施")
    responsible_body: str = _f("", "text", "Responsible body", "责任单位")
    responsible_person: str = _f("", "text", "Responsible person", "责任人")
    deadline: str = _f("", "date", "Deadline", "整改时限")
    status: str = _f("open", "text", "Status", "整改状态", required=True, choices=STATUSES)
    notes: list[dict] = _f([], "json", "Progress", "整改进展")  # noqa: RUF009 - field(default_factory=list)
    photos: list[str] = _f([], "json", "Evidence photos", "佐证照片")  # noqa: RUF009 - field(default_factory=list)
    source: str = _f("manual", "text", "Source", "问题来源", choices=SOURCES)
    source_ref: str = _f("", "text", "Source reference", "来源编号")
    layer: str = _f("", "text", "Layer", "图层")
    feature_ids: list[str] = _f([], "json", "Features", "涉及设施")  # noqa: RUF009 - field(default_factory=list)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Whether the deadline has passed and the problem is not done or verified."""
        if self.status in CLOSED_STATUSES or not self.deadline:
            return False
        try:
            deadline = dt.date.fromisoformat(self.deadline)
        except ValueError:
            return False
        return deadline < (today or dt.date.today())


RECORD_TYPES: dict[str, type[Record]] = {
    cls.KIND: cls for cls in (Inspection, Observation, Misconnection, Leak, Siltation, Problem)
}


def record_type(kind: str) -> type[Record]:
    """Return the record class of a kind name (``observation`` …).

    Raises
    ------
    KeyError
        The kind is unknown.
    """
    try:
        return RECORD_TYPES[kind]
    except KeyError:
        raise KeyError(
            f"Unknown record kind {kind!r}; expected one of {sorted(RECORD_TYPES)}."
        ) from None


# --- validation ------------------------------------------------------------------------------
@dataclass
class ValidationContext:
    """What validation may check against.

    Parameters
    ----------
    pack : StandardPack or None
        The standard pack; codes and grades are checked when given.
    pipe_lengths : mapping of pipe id to length (m), or None
        Pipe lengths; unknown pipes and distances beyond the length are checked when given.
    today : datetime.date or None
        The date that counts as today (defaults to :func:`datetime.date.today`).
    """

    pack: Any = None
    pipe_lengths: Mapping[str, float] | None = None
    today: dt.date | None = None


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _problem(
    field_: str, kind: str, en: str, zh: str, found: Any = None, expected: Any = None
) -> FieldProblem:
    return FieldProblem(field_, kind, en, zh, found, expected)


def _negative(name: str, v: float, en: str, zh: str, unit: str = "") -> FieldProblem:
    """The problem "``en`` ``v`` ``unit`` is negative" for field ``name``."""
    u = f" {unit}" if unit else ""
    return _problem(
        name, "negative", f"{en} {v:g}{u} is negative.", f"{zh} {v:g}{u} 为负数。", v, ">= 0"
    )


def _not_negative(rec: Record, name: str, en: str, zh: str, unit: str = "") -> list[FieldProblem]:
    """One problem when the number in field ``name`` is below 0; none when not or empty."""
    v = _num(getattr(rec, name))
    return [_negative(name, v, en, zh, unit)] if v is not None and v < 0 else []


def parse_date(value: Any) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` (also ``YYYY/MM/DD``, ``YYYY.MM.DD``, dates and datetimes).

    Returns None for an empty value; raises ValueError for an unreadable one.

    Examples
    --------
    >>> parse_date("2024/5/3")
    datetime.date(2024, 5, 3)
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for ch in "/.年月":
        text = text.replace(ch, "-")
    text = text.rstrip("日").strip()
    text = text.split("T")[0].split(" ")[0]
    parts = text.split("-")
    if len(parts) != 3:
        raise ValueError(f"not a date: {value!r}")
    y, m, d = (int(p) for p in parts)
    return dt.date(y, m, d)


def _check_dates_and_choices(rec: Record, today: dt.date) -> list[FieldProblem]:
    out: list[FieldProblem] = []
    for s in rec.specs():
        v = getattr(rec, s.name)
        empty = v is None or v == "" or (isinstance(v, float) and math.isnan(v))
        if s.required and empty and s.kind != "real":
            out.append(
                _problem(s.name, "required", f"{s.label_en} is required.", f"请填写{s.label_zh}。")
            )
            continue
        if empty:
            continue
        if s.kind == "date":
            try:
                d = parse_date(v)
            except ValueError:
                out.append(
                    _problem(
                        s.name,
                        "bad_date",
                        f"{s.label_en} {v!r} is not a date; write it as YYYY-MM-DD.",
                        f"{s.label_zh}“{v}”不是日期，请按 YYYY-MM-DD 填写。",
                        v,
                        "YYYY-MM-DD",
                    )
                )
                continue
            if d is not None and d > today and s.name != "deadline":
                out.append(
                    _problem(
                        s.name,
                        "future_date",
                        f"{s.label_en} {d.isoformat()} is in the future "
                        f"(today is {today.isoformat()}).",
                        f"{s.label_zh} {d.isoformat()} 晚于今天（{today.isoformat()}）。",
                        d.isoformat(),
                        f"<= {today.isoformat()}",
                    )
                )
        if s.choices and v not in s.choices:
            out.append(
                _problem(
                    s.name,
                    "bad_choice",
                    f"{s.label_en} {v!r} is not allowed; use one of {', '.join(s.choices)}.",
                    f"{s.label_zh}“{v}”无效，可选：{'、'.join(s.choices)}。",
                    v,
                    s.choices,
                )
            )
    return out


def _check_observation(rec: Observation, ctx: ValidationContext) -> list[FieldProblem]:
    out: list[FieldProblem] = []
    if not rec.pipe_id and not (rec.start_node and rec.end_node):
        out.append(
            _problem(
                "pipe_id",
                "required",
                "Give the pipe id, or both the start and the end manhole.",
                "请填写管段编号，或同时填写起始井号和终止井号。",
            )
        )
    dist = _num(rec.distance_m)
    length = None
    if ctx.pipe_lengths is not None and rec.pipe_id:
        if rec.pipe_id not in ctx.pipe_lengths:
            out.append(
                _problem(
                    "pipe_id",
                    "unknown_pipe",
                    f"Pipe {rec.pipe_id!r} is not in the project's pipes layer; "
                    "check the id or give the start and end manholes instead.",
                    f"管段“{rec.pipe_id}”不在项目的管线图层中，请核对编号。",
                    rec.pipe_id,
                )
            )
        else:
            length = _num(ctx.pipe_lengths[rec.pipe_id])
    out += _check_distance(rec, dist, length)
    out += _check_defect_length(rec, dist, length)
    out += _check_clock(rec)
    if not rec.code:
        out.append(_problem("code", "required", "Defect code is required.", "请选择缺陷代码。"))
    elif ctx.pack is not None:
        out.extend(code_grade_problems(ctx.pack, rec.code, rec.grade))
    return out


def _check_distance(
    rec: Observation, dist: float | None, length: float | None
) -> list[FieldProblem]:
    """The distance from the start manhole: given, not negative, within the pipe."""
    out: list[FieldProblem] = []
    if dist is None:
        out.append(
            _problem(
                "distance_m",
                "required",
                "Distance from the start manhole is required (metres).",
                "请填写距起始井的距离（米）。",
            )
        )
    elif dist < 0:
        out.append(
            _problem(
                "distance_m",
                "negative",
                f"Distance {dist:g} m is negative; measure it from the start manhole (0 or more).",
                f"距离 {dist:g} m 为负数，应从起始井量起（不小于 0）。",
                dist,
                ">= 0",
            )
        )
    elif length is not None and dist > length + 0.01:
        out.append(
            _problem(
                "distance_m",
                "beyond_length",
                f"Distance {dist:g} m is beyond the length of pipe "
                f"{rec.pipe_id} ({length:.2f} m).",
                f"距离 {dist:g} m 超出管段 {rec.pipe_id} 的长度（{length:.2f} m）。",
                dist,
                f"<= {length:.2f}",
            )
        )
    return out


def _check_defect_length(
    rec: Observation, dist: float | None, length: float | None
) -> list[FieldProblem]:
    """The defect length: not negative, the defect ends within the pipe."""
    out: list[FieldProblem] = []
    seg = _num(rec.length_m)
    if seg is not None:
        if seg < 0:
            out.append(_negative("length_m", seg, "Defect length", "缺陷长度", "m"))
        elif length is not None and dist is not None and dist >= 0 and dist + seg > length + 0.01:
            out.append(
                _problem(
                    "length_m",
                    "beyond_length",
                    f"The defect runs from {dist:g} m to {dist + seg:g} m, beyond "
                    f"the end of pipe {rec.pipe_id} ({length:.2f} m).",
                    f"缺陷从 {dist:g} m 延伸至 {dist + seg:g} m，超出管段"
                    f" {rec.pipe_id} 的长度（{length:.2f} m）。",
                    dist + seg,
                    f"<= {length:.2f}",
                )
            )
    return out


def _check_clock(rec: Observation) -> list[FieldProblem]:
    """Clock positions are 1–12."""
    out: list[FieldProblem] = []
    for name in ("clock_from", "clock_to"):
        v = getattr(rec, name)
        if v is not None and not (1 <= int(v) <= 12):
            out.append(
                _problem(
                    name,
                    "out_of_range",
                    f"Clock position {v} is not between 1 and 12.",
                    f"时钟位置 {v} 不在 1–12 之间。",
                    v,
                    "1..12",
                )
            )
    return out


def code_grade_problems(pack: Any, code: str, grade: int | None) -> list[FieldProblem]:
    """Check a defect code and grade against a standard pack.

    Parameters
    ----------
    pack : StandardPack
        The loaded standard pack.
    code : str
        The defect code, e.g. ``"PL"``.
    grade : int or None
        The defect grade (1–4).

    Returns
    -------
    list of FieldProblem
        Empty when the code exists and has this grade.

    Examples
    --------
    >>> from surveys.standards import load_pack
    >>> [p.kind for p in code_grade_problems(load_pack(), "FS", 4)]
    ['bad_grade']
    """
    from surveys.errors import CodeNotFoundError, GradeError

    try:
        pack.code(code)
    except CodeNotFoundError as exc:
        return [
            _problem(
                "code",
                "unknown_code",
                exc.message,
                f"缺陷代码“{code}”不在标准 {pack.standard} 中。",
                code,
                list(pack.code_table),
            )
        ]
    if grade is None:
        return [
            _problem(
                "grade",
                "required",
                f"Grade is required for defect {code}.",
                f"请填写缺陷 {code} 的等级。",
            )
        ]
    try:
        pack.validate_observation(code, grade)
    except GradeError as exc:
        grades = list(pack.grades_of(code))
        return [
            _problem(
                "grade",
                "bad_grade",
                exc.message,
                f"缺陷 {code} 没有 {grade} 级，可选等级：{'、'.join(str(g) for g in grades)}。",
                grade,
                grades,
            )
        ]
    return []


def validate_record(rec: Record, ctx: ValidationContext | None = None) -> list[FieldProblem]:
    """Check a record's fields; return one :class:`FieldProblem` per invalid field.

    Parameters
    ----------
    rec : Record
        The record to check.
    ctx : ValidationContext, optional
        Pack, pipe lengths and today's date to check against.

    Returns
    -------
    list of FieldProblem
        Empty when the record is valid.

    Examples
    --------
    >>> [p.kind for p in validate_record(Observation(pipe_id="P1", distance_m=-1, code="X"))]
    ['negative']
    """
    ctx = ctx or ValidationContext()
    today = ctx.today or dt.date.today()
    out = _check_dates_and_choices(rec, today)
    if isinstance(rec, Observation):
        seen = {p.field for p in out}
        out += [p for p in _check_observation(rec, ctx) if p.field not in seen]
    elif isinstance(rec, Siltation):
        out += _check_siltation(rec)
    elif isinstance(rec, Misconnection):
        out += _check_misconnection(rec)
    elif isinstance(rec, Leak):
        out += _check_leak(rec)
    elif isinstance(rec, Problem):
        out += _check_problem(rec, today)
    return out


def _check_siltation(rec: Siltation) -> list[FieldProblem]:
    """Depth required and not negative; distance not negative."""
    out: list[FieldProblem] = []
    if _num(rec.depth_mm) is None:
        out.append(
            _problem(
                "depth_mm",
                "required",
                "Siltation depth is required (mm).",
                "请填写淤积深度（毫米）。",
            )
        )
    out += _not_negative(rec, "depth_mm", "Depth", "淤积深度", "mm")
    out += _not_negative(rec, "distance_m", "Distance", "距离", "m")
    return out


def _check_misconnection(rec: Misconnection) -> list[FieldProblem]:
    """Measured concentrations are not negative."""
    out: list[FieldProblem] = []
    for name in ("cod_mgl", "nh3n_mgl", "conductivity_us_cm"):
        spec = rec.spec(name)
        out += _not_negative(rec, name, spec.label_en, spec.label_zh)
    return out


def _check_leak(rec: Leak) -> list[FieldProblem]:
    """The volume is not negative."""
    return _not_negative(rec, "volume_m3", "Volume", "水量", "m³")


def _check_problem(rec: Problem, today: dt.date) -> list[FieldProblem]:
    """Every progress note has a valid date, not in the future."""
    out: list[FieldProblem] = []
    for i, note in enumerate(rec.notes):
        try:
            d = parse_date(note.get("date"))
        except ValueError:
            d = None
            out.append(
                _problem(
                    "notes",
                    "bad_date",
                    f"Progress note {i + 1} has no valid date ({note.get('date')!r}).",
                    f"第 {i + 1} 条整改进展的日期无效。",
                    note.get("date"),
                )
            )
        if d is not None and d > today:
            out.append(
                _problem(
                    "notes",
                    "future_date",
                    f"Progress note {i + 1} is dated {d.isoformat()}, in the future.",
                    f"第 {i + 1} 条整改进展的日期 {d.isoformat()} 晚于今天。",
                    d.isoformat(),
                )
            )
    return out


def check_record(rec: Record, ctx: ValidationContext | None = None) -> None:
    """Raise :class:`RecordValidationError` if :func:`validate_record` finds problems.

    Raises
    ------
    RecordValidationError
        With one :class:`FieldProblem` per invalid field.
    """
    problems = validate_record(rec, ctx)
    if problems:
        raise RecordValidationError(problems, record=rec.uuid or None)


def suggest_siltation_grade(depth_mm: float, diameter_mm: float) -> int | None:
    """Suggest the CJ (沉积) grade from a siltation depth and the pipe diameter.

    Depth as a share of the diameter: 20–30 % grade 1, 30–40 % grade 2, 40–50 % grade 3,
    over 50 % grade 4; below 20 % no grade (None).

    Examples
    --------
    >>> suggest_siltation_grade(150, 400)
    2
    """
    if not diameter_mm or diameter_mm <= 0 or depth_mm is None:
        return None
    share = depth_mm / diameter_mm
    if share > 0.5:
        return 4
    if share > 0.4:
        return 3
    if share > 0.3:
        return 2
    if share >= 0.2:
        return 1
    return None
