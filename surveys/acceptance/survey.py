"""The 源·网·厂 survey, filled from the project first (no Qt).

:func:`load_survey` opens a project and gathers what PipeAtlas already knows — the connection
register and the network checks (:mod:`network.state`), the problem ledger, the defect grades
and misconnection records (:mod:`surveys.store`), the outfall register and its decisions
(:mod:`surveys.outfalls`), the park dossier (:mod:`surveys.dossier`) — and lays the answers
typed in the survey form (:mod:`surveys.acceptance.store`) over it. Every cell says whether it
was derived (自动) or entered (人工). :func:`derive_facts` turns it into the named facts of
:mod:`surveys.acceptance.facts` that the checklist's automatic rules evaluate.

A finding counts as fixed when it is gone from the data, or when its ledger problem is closed
(整改完成 / 已验收) or dismissed: the park closes the problem with its evidence before the
survey company redraws the map.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network import schema as S
from surveys.acceptance.store import QUESTIONS, YES, AcceptanceData, read_acceptance

#: Ledger ``source_ref`` prefix of the problems the scoring raises (never counted as facts).
LEDGER_PREFIX = "acceptance:"
#: Outfall register findings that make an outfall illegal or abnormal until it is sealed.
ILLEGAL_FINDINGS = (
    "enterprise_to_rain",
    "sewage_to_rain",
    "in_protected_area",
    "dry_weather_flow",
    "exceedance",
)
#: Outfall classes that may legally receive wastewater from the network (treated effluent).
TREATED_CLASSES = ("municipal_plant", "plant_overflow")
#: Check kinds counted elsewhere than in ``n_network_errors``.
NOT_NETWORK_ERRORS = frozenset(
    {
        "misconnection",
        "enterprise_no_plant",
        "enterprise_unattached",
        "connects_to_rain",
        "sewage_to_rain_outfall",
    }
)
CLOSED = frozenset({"done", "verified"})
LOW_INFLUENT_COD_MGL = 260.0
ONLINE_MONITORING_TPD = 500.0
ROUTE_ZH = {
    "plant": "纳管至污水处理厂",
    "outfall": "排往排放口",
    "none": "无去向",
    "unattached": "未接入管网",
}


@dataclass(frozen=True)
class Cell:
    """One answer of the survey: its text, whether PipeAtlas derived it, where from."""

    value: str
    auto: bool
    source: str = ""
    evidence: int = 0

    @property
    def mark(self) -> str:
        """自动 / 人工 / "" (unanswered)."""
        if not self.value:
            return ""
        return "自动" if self.auto else "人工"


@dataclass(frozen=True)
class SubjectRow:
    """One enterprise or plant of the survey with its answers by question code."""

    subject: str  # ent:E01 / plant:P01
    ident: str
    name: str
    cells: dict[str, Cell]

    def value(self, code: str) -> str:
        """An answer's text ("" when none)."""
        c = self.cells.get(code)
        return c.value if c is not None else ""


@dataclass(frozen=True)
class OutfallRow:
    """One outfall of the 网 part: class, decision, findings, whether it is illegal."""

    outfall_id: str
    name: str
    class_label: str
    decision: str
    findings: tuple[str, ...]
    illegal: bool
    sealed: bool
    registered: bool


#: Columns of the 源 table: (code, title, auto?) — auto columns come from the project.
ENTERPRISE_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("rs_separation", "雨污分流", False),
    ("quality_separation", "分质分类收集", False),
    ("pretreatment", "预处理设施", False),
    ("route", "排放去向", True),
    ("connected", "纳管状态", True),
    ("online_monitoring", "在线监测", False),
    ("permit_no", "排污许可证编号", True),
    ("dossier_q4", "一企一档雨污分流及纳管佐证", True),
    ("note", "备注", False),
)
PLANT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("capacity_tpd", "设计规模(t/d)", True),
    ("load_tpd", "实际处理量(t/d)", True),
    ("load_ratio", "负荷率", True),
    ("cod_in", "进水COD(mg/L)", True),
    ("standard", "排放标准", True),
    ("online_monitoring", "在线监测", True),
    ("stable_compliance", "稳定达标", False),
    ("note", "备注", False),
)


@dataclass
class Survey:
    """The filled survey of one park and the facts derived from it."""

    path: Path
    park_name: str
    enterprises: list[SubjectRow]
    plants: list[SubjectRow]
    outfalls: list[OutfallRow]
    facts: dict[str, Any]
    data: AcceptanceData
    today: dt.date
    problems: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def subject(self, subject: str) -> SubjectRow:
        """The row of ``ent:E01`` / ``plant:P01``.

        Raises
        ------
        KeyError
            No such subject.
        """
        for r in (*self.enterprises, *self.plants):
            if r.subject == subject:
                return r
        raise KeyError(subject)


# --- small helpers -----------------------------------------------------------------------------
def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x else None


def _bool(v: Any) -> bool | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("是", "有", "yes", "y", "true", "1", "已安装"):
            return True
        if t in ("否", "无", "no", "n", "false", "0", "未安装"):
            return False
        return None
    return bool(v)


def _rate(n: int, total: int) -> float | None:
    return round(n / total, 4) if total else None


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.2f}".rstrip("0").rstrip(".")


# --- the ledger side --------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerState:
    """The problems (dismissed ones too), observations and misconnection records."""

    problems: tuple[Any, ...] = ()
    observations: tuple[Any, ...] = ()
    misconnections: tuple[Any, ...] = ()

    def closed_refs(self) -> set[str]:
        """``source_ref`` of the problems closed (done, verified) or dismissed (deleted)."""
        return {
            p.source_ref
            for p in self.problems
            if p.source_ref and (p.deleted or p.status in CLOSED)
        }

    def live(self) -> list[Any]:
        """The problems not dismissed."""
        return [p for p in self.problems if not p.deleted]


def read_ledger(path: str | Path) -> LedgerState:
    """The ledger of a project (empty when it has no survey tables yet; nothing is created)."""
    from network.io import gpkg

    con = gpkg.connect(path)
    try:
        has = "sv_problems" in gpkg.table_names(con)
    finally:
        con.close()
    if not has:
        return LedgerState()
    from surveys.store import SurveyStore

    with SurveyStore(path) as store:
        return LedgerState(
            tuple(store.records("problem", include_deleted=True)),
            tuple(store.records("observation")),
            tuple(store.records("misconnection")),
        )


# --- building ---------------------------------------------------------------------------------
def enterprise_rows(
    enterprises: Any,
    register: Any,
    data: AcceptanceData,
    *,
    dossier_status: Mapping[str, str] | None = None,
) -> list[SubjectRow]:
    """The 源 rows: one per enterprise, derived cells first, the form's answers over them."""
    if enterprises is None or len(enterprises) == 0:
        return []
    by_id = {r.ent_id: r for r in getattr(register, "rows", ())}
    out = []
    for _, row in enterprises.iterrows():
        eid = _text(row.get(S.ENT_ID))
        if not eid:
            continue
        subject = f"ent:{eid}"
        answers = data.answers.get(subject, {})
        cells: dict[str, Cell] = {}
        for q in QUESTIONS["ent"]:
            if q.code in answers:
                n = len(data.evidence_of(f"answer:{subject}:{q.code}"))
                cells[q.code] = Cell(answers[q.code], False, "调查表", n)
        reg = by_id.get(eid)
        if reg is not None:
            where = ROUTE_ZH.get(reg.status, reg.status)
            if reg.plant_id:
                where += f"（{reg.plant_id}）"
            elif reg.outfalls:
                where += f"（{'、'.join(reg.outfalls)}）"
            cells["route"] = Cell(where, True, "纳管台账")
            cells["connected"] = Cell(
                "已纳管" if reg.status == "plant" else "未纳管", True, "纳管台账"
            )
        permit = _text(row.get("permit_no"))
        if "permit_no" not in cells and permit:
            cells["permit_no"] = Cell(permit, True, "企业图层")
        if dossier_status and eid in dossier_status:
            cells["dossier_q4"] = Cell(dossier_status[eid], True, "一企一档")
        out.append(SubjectRow(subject, eid, _text(row.get(S.NAME)) or eid, cells))
    return out


def plant_rows(plants: Any, register: Any, data: AcceptanceData) -> list[SubjectRow]:
    """The 厂 rows: the plants that receive the park's wastewater (all when none does)."""
    if plants is None or len(plants) == 0 or S.PLANT_ID not in plants:
        return []
    used = {p["plant_id"] for p in getattr(register, "plants", ()) if p.get("n_enterprises")}
    ids = plants[S.PLANT_ID].astype(str)
    if used and ids.isin(used).any():
        plants = plants[ids.isin(used).to_numpy()]
    out = []
    for _, row in plants.iterrows():
        pid = _text(row.get(S.PLANT_ID))
        subject = f"plant:{pid}"
        cells: dict[str, Cell] = {}
        cap, load = _num(row.get(S.CAPACITY_TPD)), _num(row.get(S.LOAD_TPD))
        if cap is not None:
            cells["capacity_tpd"] = Cell(_fmt(cap), True, "污水处理厂图层")
        if load is not None:
            cells["load_tpd"] = Cell(_fmt(load), True, "污水处理厂图层")
        if cap and load is not None:
            cells["load_ratio"] = Cell(f"{100 * load / cap:.1f}%", True, "污水处理厂图层")
        cod = _num(row.get(S.COD_IN_MGL))
        if cod is not None:
            cells["cod_in"] = Cell(_fmt(cod), True, "污水处理厂图层")
        std = _text(row.get(S.STANDARD))
        if std:
            cells["standard"] = Cell(std, True, "污水处理厂图层")
        on = _bool(row.get(S.ONLINE_MONITORING))
        if on is not None:
            cells["online_monitoring"] = Cell(YES if on else "否", True, "污水处理厂图层")
        for code, value in data.answers.get(subject, {}).items():
            n = len(data.evidence_of(f"answer:{subject}:{code}"))
            cells[code] = Cell(value, False, "调查表", n)
        out.append(SubjectRow(subject, pid, _text(row.get(S.NAME)) or pid, cells))
    return out


def outfall_rows(register: Any) -> list[OutfallRow]:
    """The outfalls of the 网 part from the outfall register (None → none)."""
    if register is None:
        return []
    out = []
    for r in register.rows:
        kinds = set(r.finding_kinds)
        direct = bool(r.trace.enterprises) and r.class_code not in TREATED_CLASSES
        texts = [t for _, t in r.findings]
        if direct and not (kinds & {"enterprise_to_rain"}):
            texts.insert(0, f"企业废水直排：{'、'.join(r.trace.enterprises)}")
        sealed = r.decision is not None and r.decision.decision == "seal"
        illegal = (direct or bool(kinds & set(ILLEGAL_FINDINGS))) and not sealed
        registered = r.value("registration") == "已登记"
        out.append(
            OutfallRow(
                r.outfall_id,
                r.name,
                r.class_label,
                r.decision.label_zh if r.decision is not None else "未决定",
                tuple(texts),
                illegal,
                sealed,
                registered,
            )
        )
    return out


def derive_facts(
    *,
    register: Any,
    checks: Sequence[Any],
    enterprises: Sequence[SubjectRow],
    plants: Sequence[SubjectRow],
    plant_layer: Any,
    outfalls: Sequence[OutfallRow] | None,
    ledger: LedgerState,
    n_pipes: int,
    dossier_complete_rate: float | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The named facts (:data:`surveys.acceptance.facts.FACTS`) of a survey.

    Examples
    --------
    >>> f = derive_facts(register=None, checks=(), enterprises=[], plants=[], plant_layer=None,
    ...                  outfalls=[], ledger=LedgerState(), n_pipes=0)
    >>> f["n_enterprises"], f["connection_rate"], f["problem_closure_rate"], f["n_plants"]
    (0, None, 1.0, 0)
    >>> f["n_plants_no_online"], f["n_outfalls_illegal"]  # no plant, an empty outfall layer
    (None, 0)
    """
    today = today or dt.date.today()
    park = dict(getattr(register, "park", {}) or {})
    closed = ledger.closed_refs()
    f: dict[str, Any] = {}
    # 源
    n_ent = len(enterprises) if enterprises else int(park.get("n_enterprises", 0) or 0)
    n_conn = sum(r.value("connected") == "已纳管" for r in enterprises)
    f["n_enterprises"] = n_ent
    f["n_connected"] = n_conn
    f["n_unconnected"] = n_ent - n_conn
    f["connection_rate"] = _rate(n_conn, n_ent)
    f["connection_rate_volume"] = park.get("rate_volume")
    f["permit_rate"] = _rate(sum(bool(r.value("permit_no")) for r in enterprises), n_ent)
    for fact, q in (
        ("rs_separation_rate", "rs_separation"),
        ("quality_separation_rate", "quality_separation"),
        ("pretreatment_rate", "pretreatment"),
        ("ent_online_rate", "online_monitoring"),
    ):
        f[fact] = _rate(sum(r.value(q) == YES for r in enterprises), n_ent)
    # 网
    mis_refs = [f"issue:{i.id}" for i in checks if i.kind == "misconnection"]
    mis_refs += [f"misconnection:{m.uuid}" for m in ledger.misconnections if not m.deleted]
    f["n_pipes"] = int(n_pipes)
    f["n_misconnections"] = sum(r not in closed for r in mis_refs)
    f["n_misconnections_fixed"] = sum(
        p.source_ref in closed
        for p in ledger.problems
        if p.source == "misconnection" or p.source_ref in set(mis_refs)
    )
    open_defects = [
        o
        for o in ledger.observations
        if not o.deleted
        and o.grade is not None
        and int(o.grade) >= 3
        and f"observation:{o.uuid}" not in closed
    ]
    f["n_defects_open"] = len(open_defects)
    f["n_defects_open_g4"] = sum(int(o.grade) >= 4 for o in open_defects)
    f["n_network_errors"] = sum(
        i.severity == "error"
        and i.kind not in NOT_NETWORK_ERRORS
        and f"issue:{i.id}" not in closed
        for i in checks
    )
    if outfalls is None:  # no outfall layer: the outfalls are not surveyed
        f.update(
            dict.fromkeys(
                (
                    "n_outfalls",
                    "n_outfalls_illegal",
                    "n_outfalls_sealed",
                    "outfall_registered_rate",
                )
            )
        )
    else:
        f["n_outfalls"] = len(outfalls)
        f["n_outfalls_illegal"] = sum(o.illegal for o in outfalls)
        f["n_outfalls_sealed"] = sum(o.sealed for o in outfalls)
        in_use = [o for o in outfalls if not o.sealed]
        f["outfall_registered_rate"] = (
            _rate(sum(o.registered for o in in_use), len(in_use)) if in_use else 1.0
        )
    # 厂
    f.update(_plant_facts(plants, park))
    # 管理
    live = [p for p in ledger.live() if not str(p.source_ref).startswith(LEDGER_PREFIX)]
    n_closed = sum(p.status in CLOSED for p in live)
    f["n_problems"] = len(live)
    f["n_problems_closed"] = n_closed
    f["problem_closure_rate"] = _rate(n_closed, len(live)) if live else 1.0
    f["n_problems_overdue"] = sum(bool(p.is_overdue(today)) for p in live)
    f["dossier_complete_rate"] = dossier_complete_rate
    return f


def _plant_facts(plants: Sequence[SubjectRow], park: Mapping[str, Any]) -> dict[str, Any]:
    f: dict[str, Any] = {"n_plants": len(plants)}
    caps = [_num(p.value("capacity_tpd")) for p in plants]
    loads = [_num(p.value("load_tpd")) for p in plants]
    cods = [_num(p.value("cod_in")) for p in plants]
    known_caps = [c for c in caps if c is not None]
    known_loads = [x for x in loads if x is not None]
    f["plant_capacity_tpd"] = (
        sum(known_caps) if known_caps and len(known_caps) == len(caps) else None
    )
    f["plant_load_tpd"] = (
        sum(known_loads) if known_loads and len(known_loads) == len(loads) else None
    )
    cap, load = f["plant_capacity_tpd"], f["plant_load_tpd"]
    f["plant_load_ratio"] = round(load / cap, 4) if cap and load is not None else None
    f["connected_flow_tpd"] = park.get("connected_flow_tpd")
    known_cods = [c for c in cods if c is not None]
    f["plant_cod_in_min"] = min(known_cods) if known_cods else None
    f["n_plants_low_cod"] = (
        sum(c < LOW_INFLUENT_COD_MGL for c in known_cods) if known_cods else None
    )
    need = [
        p for p, c in zip(plants, caps, strict=True) if c is None or c >= ONLINE_MONITORING_TPD
    ]
    f["n_plants_no_online"] = (
        sum(p.value("online_monitoring") != YES for p in need) if plants else None
    )
    f["plant_stable_rate"] = _rate(
        sum(p.value("stable_compliance") == YES for p in plants), len(plants)
    )
    return f


def _dossier(path: Path, ent_ids: Iterable[str]) -> tuple[float | None, dict[str, str]]:
    """一园一档 park items complete / all, and each enterprise's Q4 status (雨污分流及纳管佐证)."""
    from surveys.dossier.pack import load_pack as load_dossier_pack
    from surveys.dossier.park import checklist, item_status, read_park

    record = read_park(path)
    dpack = load_dossier_pack()
    ents = list(ent_ids)
    items = checklist(record, path, pack=dpack, enterprise_ids=ents)
    rate = _rate(sum(i.status == "complete" for i in items), len(items))
    q4 = {e: item_status(record, path, "Q4", e, pack=dpack).status_zh for e in ents}
    return rate, q4


def build_survey(
    project: Any,
    checked: Any,
    *,
    outfall_register: Any = None,
    ledger: LedgerState | None = None,
    data: AcceptanceData | None = None,
    dossier: bool = True,
    today: dt.date | None = None,
) -> Survey:
    """The survey of an open project and its checked network (reads the project's tables).

    Parameters
    ----------
    project : network.io.project.Project
    checked : network.state.CheckedNetwork of the project's layers
    outfall_register : surveys.outfalls.register.OutfallRegister (built here when None)
    ledger, data : the ledger and the acceptance tables (read here when None)
    dossier : also read the park dossier's completeness and 一企一档 Q4 statuses
    today : for overdue problems

    Raises
    ------
    ProjectError
        The project's tables cannot be read.
    """
    from surveys.outfalls.register import build_register
    from surveys.outfalls.store import read_outfall_data

    path = Path(project.path)
    today = today or dt.date.today()
    data = data if data is not None else read_acceptance(path)
    ledger = ledger if ledger is not None else read_ledger(path)
    layers = project.layers
    register = checked.register if checked is not None else None
    if outfall_register is None and layers.get(S.OUTFALLS) is not None:
        outfall_register = build_register(
            layers,
            checked.network if checked is not None else None,
            read_outfall_data(path),
            crs=project.crs,
            findings=checked.issue_index if checked is not None else (),
        )
    ents = layers.get(S.ENTERPRISES)
    ent_ids = [] if ents is None or S.ENT_ID not in ents else [_text(v) for v in ents[S.ENT_ID]]
    rate, q4 = _dossier(path, [e for e in ent_ids if e]) if dossier else (None, {})
    erows = enterprise_rows(ents, register, data, dossier_status=q4)
    prows = plant_rows(layers.get(S.PLANTS), register, data)
    orows = outfall_rows(outfall_register) if outfall_register is not None else None
    pipes = layers.get(S.PIPES)
    facts = derive_facts(
        register=register,
        checks=checked.checks if checked is not None else (),
        enterprises=erows,
        plants=prows,
        plant_layer=layers.get(S.PLANTS),
        outfalls=orows,
        ledger=ledger,
        n_pipes=0 if pipes is None else len(pipes),
        dossier_complete_rate=rate,
        today=today,
    )
    boundary = layers.get(S.BOUNDARY)
    names = [] if boundary is None else [_text(v) for v in boundary.get(S.NAME, [])]
    park_name = next((n for n in names if n), path.stem)
    return Survey(path, park_name, erows, prows, orows or [], facts, data, today, ledger.live())


def load_survey(
    path: str | Path,
    *,
    project: Any = None,
    checked: Any = None,
    today: dt.date | None = None,
) -> Survey:
    """Open a project and fill its survey (read only: nothing is written).

    Raises
    ------
    NetworkError
        The project cannot be read.
    SurveyError
        A survey table cannot be read.
    """
    from network.io import topology
    from network.io.project import open_project
    from network.state import build_checked_network

    p = Path(path)
    project = project or open_project(p)
    if checked is None:
        checked = topology.load_checked_network(p, project.layers)
    if checked is None and len(project.layer(S.PIPES)):
        checked = build_checked_network(project.layers, project.settings, project.crs)
    return build_survey(project, checked, today=today)
