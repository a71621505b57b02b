"""The named facts of the 源·网·厂 survey that automatic checklist rules may use.

Each fact has a stable name (used in pack expressions), a Chinese title, the survey part it
belongs to (``source`` 源, ``network`` 网, ``plant`` 厂, ``management`` 管理), its kind
(``rate`` a fraction 0–1, ``count``, ``number`` with a unit, ``bool``) and where it comes from.
:func:`surveys.acceptance.survey.derive_facts` fills them; a fact the project cannot give is
None, and a rule using it cannot be scored automatically.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """One named survey fact."""

    name: str
    title_zh: str
    part: str
    kind: str = "count"  # rate, count, number, bool
    unit: str = ""
    source_zh: str = ""


_F = Fact
FACT_LIST: tuple[Fact, ...] = (
    # 源
    _F("n_enterprises", "涉水企业数", "source", "count", "家", "企业图层"),
    _F("n_connected", "已纳管企业数", "source", "count", "家", "纳管台账"),
    _F("n_unconnected", "未纳管企业数", "source", "count", "家", "纳管台账"),
    _F("connection_rate", "纳管率（按企业数）", "source", "rate", "", "纳管台账"),
    _F("connection_rate_volume", "纳管率（按废水量）", "source", "rate", "", "纳管台账"),
    _F("permit_rate", "持排污许可证企业比例", "source", "rate", "", "企业图层/调查表"),
    _F("rs_separation_rate", "企业雨污分流比例", "source", "rate", "", "调查表"),
    _F("quality_separation_rate", "企业废水分质分类收集比例", "source", "rate", "", "调查表"),
    _F("pretreatment_rate", "企业预处理设施比例", "source", "rate", "", "调查表"),
    _F("ent_online_rate", "企业在线监测比例", "source", "rate", "", "调查表"),
    # 网
    _F("n_pipes", "管段数", "network", "count", "条", "管网图层"),
    _F("n_misconnections", "未整改雨污混接点", "network", "count", "处", "管网检查/混接调查/台账"),
    _F("n_misconnections_fixed", "已整改雨污混接点", "network", "count", "处", "问题台账"),
    _F("n_defects_open", "未整改Ⅲ、Ⅳ级缺陷", "network", "count", "处", "缺陷评估/台账"),
    _F("n_defects_open_g4", "未整改Ⅳ级缺陷", "network", "count", "处", "缺陷评估/台账"),
    _F("n_network_errors", "未整改管网检查错误", "network", "count", "项", "管网检查/台账"),
    _F("n_outfalls", "排口数", "network", "count", "个", "排口登记"),
    _F("n_outfalls_illegal", "未取缔的违规/异常排口", "network", "count", "个", "排口登记"),
    _F("n_outfalls_sealed", "已取缔封堵排口", "network", "count", "个", "排口整治决定"),
    _F("outfall_registered_rate", "在用排口登记比例", "network", "rate", "", "排口登记"),
    # 厂
    _F("n_plants", "接纳园区废水的污水处理厂数", "plant", "count", "座", "污水处理厂图层"),
    _F("plant_capacity_tpd", "设计处理规模", "plant", "number", "t/d", "污水处理厂图层"),
    _F("plant_load_tpd", "实际处理量", "plant", "number", "t/d", "污水处理厂图层"),
    _F("plant_load_ratio", "负荷率", "plant", "rate", "", "污水处理厂图层"),
    _F("connected_flow_tpd", "纳管废水量", "plant", "number", "t/d", "纳管台账"),
    _F("plant_cod_in_min", "最低进水COD", "plant", "number", "mg/L", "污水处理厂图层"),
    _F("n_plants_low_cod", "进水COD低于260 mg/L的厂", "plant", "count", "座", "污水处理厂图层"),
    _F("n_plants_no_online", "应装未装在线监测的厂", "plant", "count", "座", "污水处理厂图层"),
    _F("plant_stable_rate", "稳定达标的厂比例", "plant", "rate", "", "调查表"),
    # 管理
    _F("n_problems", "问题清单问题数", "management", "count", "个", "问题台账"),
    _F("n_problems_closed", "已整改销号问题数", "management", "count", "个", "问题台账"),
    _F("problem_closure_rate", "问题整改销号率", "management", "rate", "", "问题台账"),
    _F("n_problems_overdue", "逾期未整改问题数", "management", "count", "个", "问题台账"),
    _F("dossier_complete_rate", "一园一档资料齐全率", "management", "rate", "", "园区档案"),
)
FACTS: dict[str, Fact] = {f.name: f for f in FACT_LIST}
#: The survey parts: code → Chinese.
PARTS = {"source": "源", "network": "网", "plant": "厂", "management": "管理"}


def fact_text(name: str, value: object) -> str:
    """A fact's value as people read it (rates as percentages, "—" when unknown).

    Examples
    --------
    >>> fact_text("connection_rate", 0.85), fact_text("n_misconnections", 4)
    ('85.0%', '4处')
    >>> fact_text("plant_capacity_tpd", 20000.0), fact_text("n_plants", None)
    ('20000 t/d', '—')
    """
    if value is None:
        return "—"
    f = FACTS.get(name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if f is not None and f.kind == "rate" and isinstance(value, int | float):
        return f"{100 * float(value):.1f}%"
    if isinstance(value, float):
        shown = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        shown = str(value)
    if f is None or not f.unit:
        return shown
    return f"{shown}{f.unit}" if f.kind == "count" else f"{shown} {f.unit}"
