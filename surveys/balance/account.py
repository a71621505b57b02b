"""The pollutant balance per plant service area (区域水污染物平衡核算).

The Lianyungang opinion (连水治办〔2021〕8号) makes a treatment plant's collection area the
unit of account: the COD produced there by industry, households and livestock against the COD
the plant collects and removes.

* produced (产生量): enterprises (flow × COD, declared or measured) assigned by their
  connection; population (people × per-person COD) and farms (head × per-head COD) assigned
  by location — a population polygon split by the share of its area inside each service area;
* collected (集中收集量) = plant inflow × influent COD; removed (削减量) = inflow ×
  (influent − effluent COD), from the plant's attributes or its inlet monitoring records;
* 集中收集率 = collected / produced; 集中收集削减率 = removed / produced;
* capacity gap = produced wastewater − design capacity;
* flags: below the 80 % (2025) / 95 % (2030) targets, influent COD < 260 mg/L (一厂一策),
  ≥ 500 t/d without online monitoring, capacity short, collected above produced.

What lies in no area is *unserved* (未纳入); areas + unserved add up to the total. Bad data
(a negative population, COD without flow, a plant with no inflow) is listed as a
:class:`Problem` naming layer, feature and field; the account still runs and marks what it
could not compute (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveys.balance.areas import DEFAULT_BUFFER_M, ServiceArea, service_area_polygons
from surveys.balance.coefficients import Coefficients, load_coefficients

INDUSTRY, DOMESTIC, LIVESTOCK = "industry", "domestic", "livestock"
SOURCE_LABELS_ZH = {INDUSTRY: "工业", DOMESTIC: "生活", LIVESTOCK: "畜禽养殖"}
UNSERVED = None  # the area key of what lies in no service area

FLAG_LABELS_ZH = {
    "below_2025_target": "集中收集率低于80%（2025年目标）",
    "below_2030_target": "集中收集率低于95%（2030年目标）",
    "collected_exceeds_produced": "收集量大于产生量（范围内有未登记来源或外水）",
    "low_influent_cod": "进水COD低于260 mg/L（一厂一策）",
    "online_monitoring_required": "≥500 t/d 未装在线监测",
    "capacity_short": "处理能力小于污水产生量",
    "no_inflow": "缺进水量，无法核算收集量",
    "no_influent_cod": "缺进水COD，无法核算收集量",
    "no_effluent_cod": "缺出水COD，无法核算削减量",
    "nothing_produced": "范围内无污染源",
}
FLAG_LABELS_EN = {
    "below_2025_target": "collection rate below 80 % (2025 target)",
    "below_2030_target": "collection rate below 95 % (2030 target)",
    "collected_exceeds_produced": "collected above produced (unregistered sources or "
    "extraneous water in the area)",
    "low_influent_cod": "influent COD below 260 mg/L (network review, 一厂一策)",
    "online_monitoring_required": "≥ 500 t/d without online monitors",
    "capacity_short": "design capacity below the wastewater produced",
    "no_inflow": "no inflow figure: collected not computed",
    "no_influent_cod": "no influent COD: collected not computed",
    "no_effluent_cod": "no effluent COD: removed not computed",
    "nothing_produced": "no sources in the area",
}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "y", "是", "有", "已安装", "在线")
    f = _num(v)
    return bool(f) if f is not None else bool(v) if isinstance(v, bool) else False


@dataclass(frozen=True)
class Problem:
    """A datum the account could not use: layer, feature id, field and why."""

    layer: str
    feature: str
    field: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "layer": self.layer,
            "feature": self.feature,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class Source:
    """One source's share in one area (a population polygon split over areas gives several).

    ``quantity`` is t/d (industry), persons (domestic) or head (livestock); ``basis`` says
    where the COD comes from (``declared``, ``measured`` or the coefficient code);
    ``cod_kgd``/``flow_tpd`` are None when they could not be computed.
    """

    kind: str
    source_id: str
    name: str
    plant_id: str | None
    quantity: float | None
    unit: str
    share: float
    cod_kgd: float | None
    flow_tpd: float | None
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "kind": self.kind,
            "source_id": self.source_id,
            "name": self.name,
            "plant_id": self.plant_id,
            "quantity": _r(self.quantity),
            "unit": self.unit,
            "share": _r(self.share, 4),
            "cod_kgd": _r(self.cod_kgd),
            "flow_tpd": _r(self.flow_tpd),
            "basis": self.basis,
        }


@dataclass(frozen=True)
class AreaAccount:
    """The account of one service area (or of the unserved rest when ``plant_id`` is None).

    COD in kg/d (``*_kgd``) and t/a (``*_ta``, × days per year / 1000); flows in t/d.
    """

    plant_id: str | None
    name: str
    edited: bool
    area_km2: float
    n_enterprises: int
    people: float
    heads: float
    industrial_cod_kgd: float
    domestic_cod_kgd: float
    livestock_cod_kgd: float
    produced_flow_tpd: float
    inflow_tpd: float | None = None
    inflow_basis: str = ""
    cod_in_mgl: float | None = None
    cod_out_mgl: float | None = None
    capacity_tpd: float | None = None
    online_monitoring: bool = False
    collected_cod_kgd: float | None = None
    removed_cod_kgd: float | None = None
    days_per_year: float = 365.0
    flags: tuple[str, ...] = ()
    messages_zh: tuple[str, ...] = ()
    messages_en: tuple[str, ...] = ()

    @property
    def produced_cod_kgd(self) -> float:
        """Industrial + domestic + livestock COD, kg/d."""
        return self.industrial_cod_kgd + self.domestic_cod_kgd + self.livestock_cod_kgd

    def annual(self, kgd: float | None) -> float | None:
        """kg/d → t/a."""
        return None if kgd is None else kgd * self.days_per_year / 1000.0

    @property
    def collection_rate(self) -> float | None:
        """集中收集率 = collected / produced (None when either is unknown or zero produced)."""
        p = self.produced_cod_kgd
        return None if self.collected_cod_kgd is None or p <= 0 else self.collected_cod_kgd / p

    @property
    def reduction_rate(self) -> float | None:
        """集中收集削减率 = removed / produced."""
        p = self.produced_cod_kgd
        return None if self.removed_cod_kgd is None or p <= 0 else self.removed_cod_kgd / p

    @property
    def capacity_gap_tpd(self) -> float | None:
        """Produced wastewater − design capacity (t/d; > 0: capacity short)."""
        if self.capacity_tpd is None or self.plant_id is None:
            return None
        return self.produced_flow_tpd - self.capacity_tpd

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "plant_id": self.plant_id,
            "name": self.name,
            "edited_area": self.edited,
            "area_km2": _r(self.area_km2, 4),
            "n_enterprises": self.n_enterprises,
            "people": _r(self.people, 1),
            "heads": _r(self.heads, 1),
            "industrial_cod_kgd": _r(self.industrial_cod_kgd),
            "domestic_cod_kgd": _r(self.domestic_cod_kgd),
            "livestock_cod_kgd": _r(self.livestock_cod_kgd),
            "produced_cod_kgd": _r(self.produced_cod_kgd),
            "produced_cod_ta": _r(self.annual(self.produced_cod_kgd)),
            "produced_flow_tpd": _r(self.produced_flow_tpd),
            "inflow_tpd": _r(self.inflow_tpd),
            "inflow_basis": self.inflow_basis,
            "cod_in_mgl": _r(self.cod_in_mgl),
            "cod_out_mgl": _r(self.cod_out_mgl),
            "collected_cod_kgd": _r(self.collected_cod_kgd),
            "collected_cod_ta": _r(self.annual(self.collected_cod_kgd)),
            "removed_cod_kgd": _r(self.removed_cod_kgd),
            "removed_cod_ta": _r(self.annual(self.removed_cod_kgd)),
            "collection_rate": _r(self.collection_rate, 4),
            "reduction_rate": _r(self.reduction_rate, 4),
            "capacity_tpd": _r(self.capacity_tpd),
            "capacity_gap_tpd": _r(self.capacity_gap_tpd),
            "online_monitoring": self.online_monitoring,
            "flags": list(self.flags),
            "messages_zh": list(self.messages_zh),
            "messages_en": list(self.messages_en),
        }


@dataclass(frozen=True)
class BalanceAccount:
    """The account of one year: one row per service area, the unserved rest and the total."""

    year: int | None
    areas: tuple[AreaAccount, ...]
    unserved: AreaAccount
    sources: tuple[Source, ...]
    problems: tuple[Problem, ...]
    coefficients: Coefficients
    service_areas: tuple[ServiceArea, ...] = field(default=())
    plant_points: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> dict[str, Any]:
        """Areas + unserved: produced, collected, removed and the park's rates.

        ``collected``/``removed`` sum the areas that could be computed; ``incomplete`` lists
        the plants whose collected COD is unknown.
        """
        rows = (*self.areas, self.unserved)
        produced = sum(a.produced_cod_kgd for a in rows)
        coll = [a.collected_cod_kgd for a in self.areas if a.collected_cod_kgd is not None]
        rem = [a.removed_cod_kgd for a in self.areas if a.removed_cod_kgd is not None]
        collected = sum(coll) if coll else None
        removed = sum(rem) if rem else None
        days = self.coefficients.days_per_year
        return {
            "industrial_cod_kgd": sum(a.industrial_cod_kgd for a in rows),
            "domestic_cod_kgd": sum(a.domestic_cod_kgd for a in rows),
            "livestock_cod_kgd": sum(a.livestock_cod_kgd for a in rows),
            "produced_cod_kgd": produced,
            "produced_cod_ta": produced * days / 1000.0,
            "produced_flow_tpd": sum(a.produced_flow_tpd for a in rows),
            "collected_cod_kgd": collected,
            "collected_cod_ta": None if collected is None else collected * days / 1000.0,
            "removed_cod_kgd": removed,
            "removed_cod_ta": None if removed is None else removed * days / 1000.0,
            "collection_rate": collected / produced
            if collected is not None and produced
            else None,
            "reduction_rate": removed / produced if removed is not None and produced else None,
            "capacity_tpd": sum(a.capacity_tpd or 0.0 for a in self.areas),
            "people": sum(a.people for a in rows),
            "heads": sum(a.heads for a in rows),
            "n_enterprises": sum(a.n_enterprises for a in rows),
            "incomplete": [a.plant_id for a in self.areas if a.collected_cod_kgd is None],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        t = self.total
        total: dict[str, Any] = {}
        for k, v in t.items():
            if isinstance(v, float):
                total[k] = _r(v, 4) if k.endswith("rate") else _r(v)
            else:
                total[k] = v
        return {
            "year": self.year,
            "areas": [a.to_dict() for a in self.areas],
            "unserved": self.unserved.to_dict(),
            "total": total,
            "sources": [s.to_dict() for s in self.sources],
            "problems": [p.to_dict() for p in self.problems],
            "coefficients": self.coefficients.to_dict(),
        }


# --------------------------------------------------------------------------------------------
def records_of_year(records: Iterable[Any], year: int | None) -> dict[str, list[Any]]:
    """Monitoring records by point id (outfall, plant or enterprise id), of *year* only."""
    out: dict[str, list[Any]] = {}
    for r in records:
        if year is not None and not str(r.sampled).startswith(f"{year:04d}"):
            continue
        out.setdefault(str(r.outfall_id), []).append(r)
    return out


def _column(layer: Any, col: str) -> list[Any]:
    if layer is None:
        return []
    if col not in layer.columns:
        return [None] * len(layer)
    return layer[col].tolist()


def _ids(layer: Any, col: str, prefix: str) -> list[str]:
    from network import schema as S

    ids = _column(layer, col)
    fids = _column(layer, S.SRC_FID)
    return [
        str(i) if i is not None and str(i).strip() else f"{prefix}#{f if f is not None else k}"
        for k, (i, f) in enumerate(zip(ids, fids, strict=True))
    ]


def _industry(
    net: Any, register: Any, measured: Mapping[str, list[Any]], problems: list[Problem]
) -> list[Source]:
    from network import schema as S
    from network.analysis import CONNECTED
    from surveys.outfalls.monitoring import monitored_load

    layer = net.layers.get(S.ENTERPRISES)
    if layer is None or not len(layer):
        return []
    plant_of = {r.ent_id: (r.plant_id if r.status == CONNECTED else None) for r in register.rows}
    ids = _ids(layer, S.ENT_ID, "enterprise")
    names = _column(layer, S.NAME)
    flows = _column(layer, S.FLOW_TPD)
    cods = _column(layer, S.COD_MGL)
    out = []
    for eid, name, fv, cv in zip(ids, names, flows, cods, strict=True):
        flow, cod, basis = _num(fv), _num(cv), "declared"
        m = monitored_load(measured.get(eid, ()))
        if m["n"]:
            flow, cod, basis = m["flow_m3d"], m["cod_mgl"], "measured"
        load = None
        if flow is not None and flow < 0:
            problems.append(
                Problem(
                    "enterprises",
                    eid,
                    "flow_tpd",
                    f"企业 {eid} 废水量为负（{flow:g} t/d），未计入。",
                    f"Enterprise {eid}: negative wastewater flow ({flow:g} t/d); not counted.",
                )
            )
            flow = None
        if flow is None and cod is not None:
            problems.append(
                Problem(
                    "enterprises",
                    eid,
                    "flow_tpd",
                    f"企业 {eid} 有 COD（{cod:g} mg/L）但无废水量，COD 产生量未计算。",
                    f"Enterprise {eid} has COD ({cod:g} mg/L) but no wastewater flow; its COD "
                    "load is not computed.",
                )
            )
        elif flow is not None and flow > 0 and cod is None:
            problems.append(
                Problem(
                    "enterprises",
                    eid,
                    "cod_mgl",
                    f"企业 {eid} 有废水量（{flow:g} t/d）但无 COD，COD 产生量未计算。",
                    f"Enterprise {eid} has a flow ({flow:g} t/d) but no COD; its COD load is "
                    "not computed.",
                )
            )
        elif flow is not None and cod is not None:
            load = flow * cod / 1000.0
        out.append(
            Source(
                INDUSTRY,
                eid,
                str(name or ""),
                plant_of.get(eid),
                flow,
                "t/d",
                1.0,
                load,
                flow,
                basis,
            )
        )
    return out


def _shares(geom: Any, areas: list[ServiceArea]) -> list[tuple[str | None, float]]:
    """(plant id, share) of *geom* in each area; the rest unserved. Points: all or nothing."""
    if geom is None or geom.is_empty:
        return [(UNSERVED, 1.0)]
    if geom.geom_type in ("Point", "MultiPoint"):
        p = geom if geom.geom_type == "Point" else geom.geoms[0]
        for a in areas:
            if a.geometry is not None and a.geometry.covers(p):
                return [(a.plant_id, 1.0)]
        return [(UNSERVED, 1.0)]
    total = geom.area
    if total <= 0:
        return _shares(geom.representative_point(), areas)
    out: list[tuple[str | None, float]] = []
    used = 0.0
    for a in areas:
        if a.geometry is None or not a.geometry.intersects(geom):
            continue
        s = a.geometry.intersection(geom).area / total
        if s > 1e-12:
            out.append((a.plant_id, s))
            used += s
    if 1.0 - used > 1e-9:
        out.append((UNSERVED, 1.0 - used))
    return out


def _domestic(
    net: Any, areas: list[ServiceArea], coef: Coefficients, problems: list[Problem]
) -> list[Source]:
    from network import schema as S

    layer = net.layers.get(S.POPULATION)
    if layer is None or not len(layer):
        return []
    c = coef.domestic
    out = []
    ids = _ids(layer, S.POP_ID, "population")
    for pid, name, pv, g in zip(
        ids,
        _column(layer, S.NAME),
        _column(layer, S.PEOPLE),
        layer.geometry.to_numpy(),
        strict=True,
    ):
        people = _num(pv)
        if people is None or people < 0:
            what = "缺人口数" if people is None else f"人口为负（{people:g}）"
            found = "no head count" if people is None else f"a negative head count ({people:g})"
            problems.append(
                Problem(
                    "population",
                    pid,
                    "people",
                    f"人口图层 {pid}：{what}，未计入。",
                    f"Population {pid}: {found}; not counted.",
                )
            )
            people = None
        for plant, share in _shares(g, areas):
            n = None if people is None else people * share
            out.append(
                Source(
                    DOMESTIC,
                    pid,
                    str(name or ""),
                    plant,
                    n,
                    "人",
                    share,
                    None if n is None else n * c.cod_g_per_day / 1000.0,
                    None if n is None or c.flow_t_per_day is None else n * c.flow_t_per_day,
                    c.code,
                )
            )
    return out


def _livestock(
    net: Any, areas: list[ServiceArea], coef: Coefficients, problems: list[Problem]
) -> list[Source]:
    from network import schema as S

    layer = net.layers.get(S.FARMS)
    if layer is None or not len(layer):
        return []
    out = []
    ids = _ids(layer, S.FARM_ID, "farm")
    for fid, name, kind, hv, g in zip(
        ids,
        _column(layer, S.NAME),
        _column(layer, S.LIVESTOCK),
        _column(layer, S.HEAD_COUNT),
        layer.geometry.to_numpy(),
        strict=True,
    ):
        heads = _num(hv)
        c = coef.livestock_for(kind)
        if heads is None or heads < 0:
            what = "缺存栏量" if heads is None else f"存栏量为负（{heads:g}）"
            found = "no head count" if heads is None else f"a negative head count ({heads:g})"
            problems.append(
                Problem(
                    "farms",
                    fid,
                    "head_count",
                    f"养殖场 {fid}：{what}，未计入。",
                    f"Farm {fid}: {found}; not counted.",
                )
            )
            heads = None
        if c is None:
            known = "、".join(x.label_zh for x in coef.livestock)
            problems.append(
                Problem(
                    "farms",
                    fid,
                    "livestock",
                    f"养殖场 {fid}：畜种“{kind or ''}”不在系数表中（{known}），COD 未计算。",
                    f"Farm {fid}: livestock kind {kind!r} is not in the coefficient table "
                    f"({', '.join(x.code for x in coef.livestock)}); COD not computed.",
                )
            )
        (plant, share), *_ = _shares(g, areas)
        cod = flow = None
        if heads is not None and c is not None:
            cod = heads * c.cod_g_per_day / 1000.0
            flow = None if c.flow_t_per_day is None else heads * c.flow_t_per_day
        out.append(
            Source(
                LIVESTOCK,
                fid,
                str(name or ""),
                plant,
                heads,
                "头/只",
                share,
                cod,
                flow,
                c.code if c is not None else "",
            )
        )
    return out


def _sum(sources: Iterable[Source], attr: str) -> float:
    return float(sum(getattr(s, attr) or 0.0 for s in sources))


def _area_account(
    plant_id: str | None,
    name: str,
    sa: ServiceArea | None,
    sources: list[Source],
    coef: Coefficients,
) -> AreaAccount:
    by = {k: [s for s in sources if s.kind == k] for k in (INDUSTRY, DOMESTIC, LIVESTOCK)}
    return AreaAccount(
        plant_id=plant_id,
        name=name,
        edited=bool(sa and sa.edited),
        area_km2=sa.area_km2 if sa else 0.0,
        n_enterprises=len(by[INDUSTRY]),
        people=_sum(by[DOMESTIC], "quantity"),
        heads=_sum(by[LIVESTOCK], "quantity"),
        industrial_cod_kgd=_sum(by[INDUSTRY], "cod_kgd"),
        domestic_cod_kgd=_sum(by[DOMESTIC], "cod_kgd"),
        livestock_cod_kgd=_sum(by[LIVESTOCK], "cod_kgd"),
        produced_flow_tpd=_sum(sources, "flow_tpd"),
        days_per_year=coef.days_per_year,
    )


def _plant_figures(
    acc: AreaAccount, row: Mapping[str, Any], measured: list[Any], coef: Coefficients
) -> tuple[AreaAccount, list[Problem]]:
    """Inflow, influent/effluent COD, collected, removed and the flags of one plant."""
    import dataclasses

    from network import schema as S
    from surveys.outfalls.monitoring import monitored_load

    pid = acc.plant_id or ""
    problems: list[Problem] = []
    inflow, cod_in = _num(row.get(S.LOAD_TPD)), _num(row.get(S.COD_IN_MGL))
    basis = "attribute" if inflow is not None else ""
    m = monitored_load(measured)
    if m["n"]:
        inflow, cod_in, basis = m["flow_m3d"], m["cod_mgl"], "monitoring"
    cod_out = _num(row.get(S.COD_OUT_MGL))
    cap = _num(row.get(S.CAPACITY_TPD))
    online = _truthy(row.get(S.ONLINE_MONITORING))
    flags: list[str] = []
    zh: list[str] = []
    en: list[str] = []
    collected = removed = None
    if inflow is None or inflow < 0:
        flags.append("no_inflow")
        problems.append(
            Problem(
                "plants",
                pid,
                "load_tpd",
                f"污水处理厂 {pid} 缺实际处理量（进水量），收集量与削减量无法核算。",
                f"Plant {pid} has no inflow figure (actual load); collected and removed COD "
                "are not computed.",
            )
        )
        inflow = None
    elif cod_in is None:
        flags.append("no_influent_cod")
        problems.append(
            Problem(
                "plants",
                pid,
                "cod_in_mgl",
                f"污水处理厂 {pid} 缺进水COD，收集量无法核算。",
                f"Plant {pid} has no influent COD; collected COD is not computed.",
            )
        )
    else:
        collected = inflow * cod_in / 1000.0
        if cod_out is None:
            flags.append("no_effluent_cod")
            problems.append(
                Problem(
                    "plants",
                    pid,
                    "cod_out_mgl",
                    f"污水处理厂 {pid} 缺出水COD，削减量无法核算。",
                    f"Plant {pid} has no effluent COD; removed COD is not computed.",
                )
            )
        else:
            removed = inflow * (cod_in - cod_out) / 1000.0
    acc = dataclasses.replace(
        acc,
        inflow_tpd=inflow,
        inflow_basis=basis,
        cod_in_mgl=cod_in,
        cod_out_mgl=cod_out,
        capacity_tpd=cap,
        online_monitoring=online,
        collected_cod_kgd=collected,
        removed_cod_kgd=removed,
    )
    rate = acc.collection_rate
    if acc.produced_cod_kgd <= 0:
        flags.append("nothing_produced")
    elif rate is not None:
        if rate > 1.0:
            flags.append("collected_exceeds_produced")
            zh.append(
                f"收集量 {collected:.1f} kg/d 大于产生量 {acc.produced_cod_kgd:.1f} kg/d："
                "收集范围内有未登记的污染源或外水，请核对范围与人口、企业图层。"
            )
            en.append(
                f"Collected {collected:.1f} kg/d exceeds produced "
                f"{acc.produced_cod_kgd:.1f} kg/d: unregistered sources or extraneous water "
                "in the area; check the area and the population and enterprise layers."
            )
        elif rate < coef.rate_2025:
            flags.append("below_2025_target")
            zh.append(
                f"集中收集率 {rate:.1%} 低于 2025 年目标 {coef.rate_2025:.0%}"
                f"（2030 年目标 {coef.rate_2030:.0%}）。"
            )
            en.append(
                f"Collection rate {rate:.1%} is below the 2025 target {coef.rate_2025:.0%} "
                f"(2030: {coef.rate_2030:.0%})."
            )
        elif rate < coef.rate_2030:
            flags.append("below_2030_target")
            zh.append(f"集中收集率 {rate:.1%} 达到 2025 年目标，低于 2030 年目标 95%。")
            en.append(f"Collection rate {rate:.1%} meets 2025 but is below the 2030 target.")
    if cod_in is not None and cod_in < coef.low_influent_cod_mgl:
        flags.append("low_influent_cod")
        zh.append(
            f"进水COD {cod_in:.0f} mg/L 低于 {coef.low_influent_cod_mgl:.0f} mg/L："
            "围绕服务片区管网开展“一厂一策”系统化整治。"
        )
        en.append(
            f"Influent COD {cod_in:.0f} mg/L is below {coef.low_influent_cod_mgl:.0f} mg/L: "
            "systematic review of the area's network (一厂一策)."
        )
    scale = max(x for x in (cap, inflow, 0.0) if x is not None)
    if scale >= coef.online_monitoring_tpd and not online:
        flags.append("online_monitoring_required")
        zh.append(
            f"规模 {scale:.0f} t/d ≥ {coef.online_monitoring_tpd:.0f} t/d，"
            "进、出水须安装流量和水质在线监测。"
        )
        en.append(
            f"{scale:.0f} t/d ≥ {coef.online_monitoring_tpd:.0f} t/d: online flow and quality "
            "monitors are required at inlet and outlet."
        )
    gap = acc.capacity_gap_tpd
    if gap is not None and gap > 0:
        flags.append("capacity_short")
        zh.append(
            f"污水产生量 {acc.produced_flow_tpd:.0f} t/d 超过设计规模 {cap:.0f} t/d，"
            f"缺口 {gap:.0f} t/d。"
        )
        en.append(
            f"Wastewater produced {acc.produced_flow_tpd:.0f} t/d exceeds the design capacity "
            f"{cap:.0f} t/d by {gap:.0f} t/d."
        )
    for f in flags:
        if f in ("no_inflow", "no_influent_cod", "no_effluent_cod", "nothing_produced"):
            zh.append(FLAG_LABELS_ZH[f] + "。")
            en.append(FLAG_LABELS_EN[f][0].upper() + FLAG_LABELS_EN[f][1:] + ".")
    acc = dataclasses.replace(
        acc, flags=tuple(flags), messages_zh=tuple(zh), messages_en=tuple(en)
    )
    return acc, problems


def build_account(
    net: Any,
    *,
    year: int | None = None,
    register: Any = None,
    coefficients: Coefficients | None = None,
    monitoring: Iterable[Any] = (),
    edited_areas: Mapping[str, Any] | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> BalanceAccount:
    """The pollutant balance of *net* for *year*.

    Parameters
    ----------
    net : network.graph.Network
        The built network; its layers ``enterprises``, ``plants``, ``population`` and
        ``farms`` are read (each optional).
    year : int, optional
        The year of account: only monitoring records sampled in it are used.
    register : network.analysis.ConnectionRegister, optional
        Reuse the connection register (made here when not given).
    coefficients : Coefficients, optional
        The coefficient table (the shipped one by default).
    monitoring : iterable of MonitoringRecord
        Samples keyed by point id: an enterprise's id gives its measured flow and COD (used
        instead of the declared figures), a plant's id its measured inflow and influent COD.
    edited_areas : mapping of str to polygon, optional
        Plant id -> edited service area (wins over the computed one).
    buffer_m : float
        Half-width of the computed area around the pipes, metres.

    Returns
    -------
    BalanceAccount

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> crs = "EPSG:4547"
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"], "from_node": ["A"], "to_node": ["B"]},
    ...                          geometry=[LineString([(0, 0), (100, 0)])], crs=crs)
    >>> plants = gpd.GeoDataFrame({"plant_id": ["W"], "node_id": ["B"], "load_tpd": [100.0],
    ...                            "cod_in_mgl": [300.0], "cod_out_mgl": [50.0]},
    ...                           geometry=[Point(100, 0)], crs=crs)
    >>> ents = gpd.GeoDataFrame({"ent_id": ["E"], "flow_tpd": [100.0], "cod_mgl": [400.0],
    ...                          "connect_node": ["A"]}, geometry=[Point(0, 5)], crs=crs)
    >>> acc = build_account(build_network({"pipes": pipes, "plants": plants,
    ...                                    "enterprises": ents}))
    >>> a = acc.areas[0]
    >>> a.produced_cod_kgd, a.collected_cod_kgd, a.removed_cod_kgd, a.collection_rate
    (40.0, 30.0, 25.0, 0.75)
    """
    from network import schema as S
    from network.analysis import connection_register

    coef = coefficients or load_coefficients()
    if register is None:
        register = connection_register(net)
    measured = records_of_year(monitoring, year)
    areas = service_area_polygons(net, edited_areas, buffer_m=buffer_m)
    problems: list[Problem] = []
    sources = _industry(net, register, measured, problems)
    sources += _domestic(net, areas, coef, problems)
    sources += _livestock(net, areas, coef, problems)
    plants = net.layers.get(S.PLANTS)
    rows: dict[str, dict[str, Any]] = {}
    points: dict[str, Any] = {}
    if plants is not None and S.PLANT_ID in plants.columns:
        for pid, g in zip(plants[S.PLANT_ID].tolist(), plants.geometry.to_numpy(), strict=True):
            if g is not None and not g.is_empty:
                points.setdefault(str(pid), g)
        for rec in plants.drop(columns=plants.geometry.name).to_dict("records"):
            rows.setdefault(str(rec.get(S.PLANT_ID)), rec)
    accounts = []
    for sa in areas:
        row = rows.get(sa.plant_id, {})
        acc = _area_account(
            sa.plant_id,
            str(row.get(S.NAME) or ""),
            sa,
            [s for s in sources if s.plant_id == sa.plant_id],
            coef,
        )
        acc, probs = _plant_figures(acc, row, measured.get(sa.plant_id, []), coef)
        problems += probs
        accounts.append(acc)
    known = {a.plant_id for a in areas}
    rest = [s for s in sources if s.plant_id is UNSERVED or s.plant_id not in known]
    unserved = _area_account(UNSERVED, "未纳入", None, rest, coef)
    return BalanceAccount(
        year=year,
        areas=tuple(accounts),
        unserved=unserved,
        sources=tuple(sources),
        problems=tuple(problems),
        coefficients=coef,
        service_areas=tuple(areas),
        plant_points=points,
    )


def load_account(
    path: str | Path,
    *,
    year: int | None = None,
    coefficients: Coefficients | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
    checked: Any = None,
) -> BalanceAccount:
    """The account of a project file: its network (the stored build when fresh), its
    monitoring records and its edited service areas.

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    from network.io import topology
    from network.io.project import open_project
    from network.state import build_checked_network
    from surveys.balance.areas import read_edited_areas
    from surveys.outfalls.store import read_outfall_data

    p = Path(path)
    if checked is None:
        checked = topology.load_checked_network(p)
    if checked is None:
        project = open_project(p)
        checked = build_checked_network(project.layers, project.settings, project.crs)
    return build_account(
        checked.network,
        year=year,
        register=checked.register,
        coefficients=coefficients,
        monitoring=read_outfall_data(p).monitoring,
        edited_areas=read_edited_areas(p),
        buffer_m=buffer_m,
    )
