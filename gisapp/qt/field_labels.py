"""PipeAtlas's own columns and code values under their Chinese names (attribute table,
identify, style and label pickers).

A layer keeps its source columns (often Chinese already: 编号, 管径 …) and gains canonical
columns (``pipe_id``, ``diameter_mm`` …). In the Chinese interface the canonical columns
are shown under the names the regulations and survey tables use, with the unit, and their
code values (``sewage``, ``main``, ``industrial`` …) in Chinese; the data keeps the codes.
"""

from __future__ import annotations

from typing import Any

from gisapp.cartography.symbology import OUTFALL_STATUS, OUTFALL_STATUS_LABELS, OUTFALL_SYMBOL
from network import schema as S
from network.analysis import STATUS_LABELS_ZH as CONNECTION_LABELS_ZH
from network.overlays import CONNECTION_STATUS, FLOW_FORWARD

# canonical column -> Chinese name (units in brackets as on Chinese survey tables)
FIELD_LABELS_ZH: dict[str, str] = {
    S.SRC_FID: "源要素序号",
    S.SRC_PART: "源要素部件号",
    "src_file": "源文件",
    S.PIPE_ID: "管线编号",
    S.FROM_NODE: "起点井号",
    S.TO_NODE: "终点井号",
    S.SYSTEM: "管网类别",
    S.DIAMETER_MM: "管径(mm)",
    S.MATERIAL: "管材",
    S.FROM_INVERT_M: "起点管底高程(m)",
    S.TO_INVERT_M: "终点管底高程(m)",
    S.FLOW_DIR: "流向",
    S.PIPE_CLASS: "主管/支管",
    S.STATUS: "状态",
    S.OWNER: "权属单位",
    S.YEAR: "建设年代",
    S.LENGTH_M: "长度(m)",
    S.NODE_ID: "井号",
    S.GROUND_M: "地面高程(m)",
    S.DEPTH_M: "井深(m)",
    S.NODE_TYPE: "井类型",
    S.OUTFALL_ID: "排放口编号",
    S.NAME: "名称",
    S.OUTFALL_CLASS: "排放口类别",
    S.RECEIVING_WATER: "受纳水体",
    S.ENT_ID: "企业编号",
    S.CREDIT_CODE: "统一社会信用代码",
    S.PERMIT_NO: "排污许可证编号",
    S.INDUSTRY: "行业",
    S.FLOW_TPD: "废水量(t/d)",
    S.COD_MGL: "COD(mg/L)",
    S.CONNECT_NODE: "接入井",
    S.PLANT_ID: "污水处理厂编号",
    S.PLANT_TYPE: "建设类型",
    S.PROCESS: "处理工艺",
    S.CAPACITY_TPD: "设计规模(t/d)",
    S.LOAD_TPD: "实际负荷(t/d)",
    S.COD_IN_MGL: "进水COD(mg/L)",
    S.COD_OUT_MGL: "出水COD(mg/L)",
    S.STANDARD: "排放标准",
    S.ONLINE_MONITORING: "在线监测",
    S.ZONE_ID: "保护区编号",
    S.ZONE_CLASS: "保护区类别",
    S.ZONE_LEVEL: "保护区分区",
    S.PARK_CODE: "园区代码",
    S.AREA_KM2: "面积(km²)",
    CONNECTION_STATUS: "接管状态",
    OUTFALL_STATUS: "整治状态",
    OUTFALL_SYMBOL: "图例类别",
    FLOW_FORWARD: "顺数字化方向",
    "pop_id": "人口分区编号",
    "people": "人口(人)",
    "farm_id": "养殖场编号",
    "livestock": "畜禽种类",
    "head_count": "存栏量(头/只)",
}
# where a name differs by layer
_BY_KIND_ZH: dict[tuple[str, str], str] = {
    (S.OUTFALLS, S.NODE_ID): "接入井",
    (S.PLANTS, S.NODE_ID): "接入井",
    (S.OUTFALLS, S.STATUS): "状态",
    (S.MANHOLES, S.SYSTEM): "管网类别",
}

# code values of canonical columns -> Chinese
VALUE_LABELS_ZH: dict[str, dict[str, str]] = {
    S.SYSTEM: dict(S.SYSTEM_LABELS_ZH),
    S.OUTFALL_CLASS: dict(S.OUTFALL_CLASS_LABELS_ZH),
    S.ZONE_CLASS: dict(S.ZONE_CLASS_LABELS_ZH),
    S.ZONE_LEVEL: dict(S.ZONE_LEVEL_LABELS_ZH),
    S.FLOW_DIR: {"forward": "正向", "reverse": "反向"},
    S.PIPE_CLASS: {"main": "主管", "branch": "支管"},
    S.STATUS: {"open": "正常", "blocked": "堵塞", "closed": "关闭"},
    S.PLANT_TYPE: {"own": "园区自建", "shared": "依托城镇"},
    CONNECTION_STATUS: dict(CONNECTION_LABELS_ZH),
    S.ONLINE_MONITORING: {"True": "是", "False": "否", "1": "是", "0": "否"},
    FLOW_FORWARD: {"True": "是", "False": "否", "1": "是", "0": "否"},
    OUTFALL_STATUS: dict(OUTFALL_STATUS_LABELS["zh"]),
}
# "<class>|<status>" keys of the outfall decision map
VALUE_LABELS_ZH[OUTFALL_SYMBOL] = {
    f"{c}|{s}": f"{c_zh}｜{s_zh}"
    for c, c_zh in S.OUTFALL_CLASS_LABELS_ZH.items()
    for s, s_zh in OUTFALL_STATUS_LABELS["zh"].items()
}


def field_label(kind: str, column: str, chinese: bool, columns: Any = ()) -> str:
    """The name a user reads for ``column`` of layer ``kind``; when a source column of the
    layer (``columns``) already has that name, the standard one is marked （标准）.

    Examples
    --------
    >>> field_label("pipes", "diameter_mm", True), field_label("pipes", "管径", True)
    ('管径(mm)', '管径')
    >>> field_label("pipes", "diameter_mm", False)
    'diameter_mm'
    >>> field_label("outfalls", "name", True, ["名称", "name"])
    '名称（标准）'
    """
    if not chinese:
        return str(column)
    text = (
        _BY_KIND_ZH.get((kind, column))
        or FIELD_LABELS_ZH.get(column)
        or _first_chinese_alias(kind, column)
        or str(column)
    )
    if text != str(column) and text in columns:
        text += "（标准）"
    return text


def _first_chinese_alias(kind: str, column: str) -> str | None:
    """The first Chinese source name the schema knows for a canonical column (a column
    added to the schema after this table was written)."""
    aliases = S.ROLE_ALIASES.get(kind, {}).get(column)
    if not aliases:
        return None
    return next((a for a in aliases[1] if any("\u4e00" <= ch <= "\u9fff" for ch in a)), None)


def value_label(column: str, text: str, chinese: bool) -> str:
    """A cell's text as shown: code values of canonical columns in Chinese.

    Examples
    --------
    >>> value_label("system", "sewage", True), value_label("system", "sewage", False)
    ('污水', 'sewage')
    """
    if not chinese or not text:
        return text
    codes = VALUE_LABELS_ZH.get(column)
    return codes.get(text, text) if codes else text


def translates_values(column: Any) -> bool:
    return column in VALUE_LABELS_ZH
