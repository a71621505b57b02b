"""The dispatch tables as Excel: 附件1-3 (one row per park), 附件1-1 (park list), 企业情况总表.

附件1-3 is laid out as the Yiyang plan lays it out: a title row, the grouped header
(基本情况 / 管网建设情况 / 污水集中处理设施建设情况 / 排查整治情况 / 备注, merged over their
columns; 备注 spans both header rows) and the 27 column titles after 序号 in the plan's order
and wording, units in the titles. Every cell goes through :func:`network.io.xlsx.set_cell`,
so text is never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network.io.xlsx import display_width, fit_columns, set_cell
from surveys.dossier.codes import DossierError
from surveys.dossier.figures import ParkValue, format_value
from surveys.dossier.park import ParkRecord, enterprise_key

#: (column title as the plan writes it, field code); ``\n`` where the plan breaks a title.
ANNEX13_COLUMNS: tuple[tuple[str, str], ...] = (
    ("序号", "_index"),
    ("地市", "city"),
    ("区县具体地址", "address"),
    ("园区名称", "park_name"),
    ("片区名称", "area_name"),
    ("园区级别（代码）", "zone_code"),
    ("产权单位统一社会信用代码", "credit_code"),
    ("园区规划及建设规模（占地面积/平方公里）", "area_km2"),
    ("区划位置（坐标点位）", "location"),
    ("环评批复文号", "eia_approval"),
    ("应急预案编制及演练情况", "emergency"),
    ("主导行业", "industries"),
    ("园区工业企业个数", "n_enterprises"),
    ("园区废水排放总量（万吨/日）", "wastewater"),
    ("主、支管网规模（千米）", "network_km"),
    ("企业纳管情况（企业纳管个数）", "n_connected"),
    ("污水集中处理设施性质(自行建设或依托处理)", "plant_nature"),
    ("污水集中处理设施名称", "plant_name"),
    ("污水处理主体工艺", "plant_process"),
    ("处理规模\n（万吨/日）", "plant_capacity"),
    ("实际处理量\n（万吨/日）", "plant_load"),
    ("执行标准", "standard"),
    ("在线监控装置运行情况", "online_monitoring"),
    ("监测数据（填最新特征污染物排放数据）", "monitoring_data"),
    ("排污受纳地表水体质量（设施排污口下游水质常规监测数据）", "receiving_water"),
    ("排查存在问题", "problems"),
    ("整改时限（对照方案整改期限限时治理）", "deadline"),
    ("整改进度", "progress"),
)
#: (group title, first column, last column), 1-based over ANNEX13_COLUMNS + 备注.
ANNEX13_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("基本情况", 1, 14),
    ("管网建设情况", 15, 16),
    ("污水集中处理设施建设情况", 17, 25),
    ("排查整治情况", 26, 28),
    ("备注", 29, 29),
)
ANNEX13_REMARKS = ("备注", "remarks")
ANNEX13_TITLE = "全市{n}个省级及以上工业园区（集聚区）基本情况调度表"
ANNEX11_COLUMNS = ("序号", "区县市", "工业集聚区名称", "对应《目录》开发区代码", "备注")
ANNEX11_TITLE = "{city}省级及以上工业园区（集聚区）清单"
ENTERPRISE_COLUMNS = (
    "序号",
    "企业名称",
    "生产规模",
    "运行情况",
    "废水排放量（吨/日）",
    "是否纳入管网",
    "纳管去向",
)
ENTERPRISE_TITLE = "{park}园区企业情况总表"
SCALE_COLUMNS = ("生产规模", "规模", "产能", "设计产能")
OPERATION_COLUMNS = ("运行情况", "运行状态", "生产状态", "生产情况")
STATUS_ZH = {
    "plant": "纳入污水处理厂",
    "outfall": "排往排放口",
    "none": "无去向",
    "unattached": "未接入管网",
}
FONT_NAME = "宋体"


def annex13_headers() -> list[str]:
    """The column titles of 附件1-3 as the header row shows them (序号 … 整改进度, 备注)."""
    return [t for t, _ in ANNEX13_COLUMNS] + [ANNEX13_REMARKS[0]]


def annex13_row(index: int, values: Mapping[str, ParkValue]) -> list[Any]:
    """One park's row of 附件1-3 (numbers stay numbers, overrides win)."""
    row: list[Any] = []
    for _title, code in (*ANNEX13_COLUMNS, (ANNEX13_REMARKS[0], ANNEX13_REMARKS[1])):
        if code == "_index":
            row.append(index)
            continue
        v = values.get(code)
        value = None if v is None else v.value
        row.append(value if isinstance(value, int | float) else format_value(value) or None)
    return row


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="000000")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "title": Font(name="黑体", size=16, bold=False),
        "head": Font(name="黑体", size=10),
        "body": Font(name=FONT_NAME, size=10),
    }


def _cell(ws: Any, r: int, c: int, value: Any, st: dict[str, Any], *, head: bool = False) -> Any:
    cell = ws.cell(row=r, column=c)
    set_cell(cell, value)
    cell.border = st["border"]
    cell.font = st["head"] if head else st["body"]
    cell.alignment = st["center"] if head or not isinstance(value, str) else st["left"]
    return cell


def _save(wb: Any, path: Path) -> Path:
    try:
        wb.save(path)
    except OSError as exc:
        raise DossierError(
            f"Cannot write {path.name}: {exc.strerror or exc}; close it in Excel and check the "
            "folder exists.",
            file=str(path),
            details=str(exc),
        ) from exc
    return path


def _widths(rows: Sequence[Sequence[Any]], headers: Sequence[str], cap: int = 30) -> list[int]:
    widths = [min(cap, max(4, display_width(h))) for h in headers]
    for row in rows:
        for j, v in enumerate(row):
            w = 8 if isinstance(v, float) else display_width(v)
            widths[j] = min(cap, max(widths[j], w))
    return widths


def write_annex13(parks: Sequence[Mapping[str, ParkValue]], path: str | Path) -> Path:
    """Write 附件1-3 for one or several parks (one row each, numbered 序号 1, 2 …).

    An overridden figure shows the override; the computed value is in the cell's comment.

    Raises
    ------
    DossierError
        The file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    path = Path(path)
    st = _styles()
    wb = Workbook()
    ws = wb.active
    ws.title = "附件1-3"
    headers = annex13_headers()
    n_cols = len(headers)
    set_cell(ws.cell(row=1, column=1), ANNEX13_TITLE.format(n=len(parks)))
    ws.cell(row=1, column=1).font = st["title"]
    ws.cell(row=1, column=1).alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws.row_dimensions[1].height = 32
    for title, first, last in ANNEX13_GROUPS:
        for c in range(first, last + 1):
            _cell(ws, 2, c, title if c == first else None, st, head=True)
            _cell(ws, 3, c, None, st, head=True)
        if title == ANNEX13_REMARKS[0]:
            ws.merge_cells(start_row=2, start_column=first, end_row=3, end_column=last)
        elif last > first:
            ws.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
    for c, title in enumerate(headers[:-1], start=1):
        _cell(ws, 3, c, title, st, head=True)
    rows = []
    for i, values in enumerate(parks, start=1):
        row = annex13_row(i, values)
        rows.append(row)
        for c, value in enumerate(row, start=1):
            cell = _cell(ws, 3 + i, c, value, st)
            code = ANNEX13_COLUMNS[c - 1][1] if c <= len(ANNEX13_COLUMNS) else "remarks"
            v = values.get(code)
            if v is not None and v.overridden:
                cell.comment = Comment(f"图算值：{format_value(v.computed)}", "PipeAtlas")
    widths = _widths(rows, [h.split("\n")[0] for h in headers], cap=24)
    fit_columns(ws, widths)
    ws.row_dimensions[3].height = 72
    ws.freeze_panes = "B4"
    ws.print_title_rows = "2:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{get_column_letter(n_cols)}{3 + len(parks)}"
    return _save(wb, path)


def write_annex11(parks: Sequence[Mapping[str, ParkValue]], path: str | Path) -> Path:
    """Write 附件1-1, the park list (序号, 区县市, 工业集聚区名称, 对应《目录》开发区代码, 备注).

    Raises
    ------
    DossierError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    st = _styles()
    wb = Workbook()
    ws = wb.active
    ws.title = "附件1-1"
    cities = [p["city"].text for p in parks if p.get("city") and p["city"].text]
    city = cities[0] if cities and len(set(cities)) == 1 else "全市"
    set_cell(ws.cell(row=1, column=1), ANNEX11_TITLE.format(city=city))
    ws.cell(row=1, column=1).font = st["title"]
    ws.cell(row=1, column=1).alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ANNEX11_COLUMNS))
    ws.row_dimensions[1].height = 32
    for c, title in enumerate(ANNEX11_COLUMNS, start=1):
        _cell(ws, 2, c, title, st, head=True)
    rows = []
    for i, p in enumerate(parks, start=1):
        row = [
            i,
            p["county"].text or None,
            p["park_name"].text or None,
            p["zone_code"].text or None,
            p["remarks"].text or None,
        ]
        rows.append(row)
        for c, value in enumerate(row, start=1):
            _cell(ws, 2 + i, c, value, st)
            if c in (1, 4):
                ws.cell(row=2 + i, column=c).alignment = st["center"]
    fit_columns(ws, _widths(rows, ANNEX11_COLUMNS, cap=40))
    ws.freeze_panes = "A3"
    return _save(wb, path)


@dataclass(frozen=True)
class EnterpriseRow:
    """One row of the park's enterprise list (the 总表 of item 4)."""

    ent_id: str
    name: str
    scale: str
    operation: str
    flow_tpd: float | None
    connected: bool
    status: str
    plant: str

    def cells(self, index: int) -> list[Any]:
        """The row as written (序号 first)."""
        return [
            index,
            self.name,
            self.scale or None,
            self.operation or None,
            self.flow_tpd,
            "是" if self.connected else "否",
            self.plant if self.connected else STATUS_ZH.get(self.status, self.status),
        ]


def _first_text(row: Any, columns: Sequence[str]) -> str:
    for c in columns:
        if c in row.index:
            v = row[c]
            if isinstance(v, str) and v.strip():
                return v.strip()
            if isinstance(v, int | float) and v == v:
                return format_value(v)
    return ""


def enterprise_rows(
    enterprises: Any, register: Any, record: ParkRecord, plants: Any = None
) -> list[EnterpriseRow]:
    """The enterprise list: 是否纳入管网 from the connection register, never typed.

    生产规模 and 运行情况 come from the park record (``ParkStore.set_enterprise``), else from a
    source column of the enterprise layer named like them (生产规模/规模/产能, 运行情况/运行状态).
    """
    if enterprises is None or len(enterprises) == 0:
        return []
    by_id = {r.ent_id: r for r in getattr(register, "rows", ())}
    plant_names: dict[str, str] = {}
    if plants is not None and len(plants) and "plant_id" in plants:
        plant_names = {
            str(i): str(n)
            for i, n in zip(
                plants["plant_id"], plants.get("name", plants["plant_id"]), strict=False
            )
        }
    out = []
    for _, row in enterprises.iterrows():
        eid = str(row.get("ent_id") or "")
        reg = by_id.get(eid)
        status = reg.status if reg is not None else "unattached"
        flow = row.get("flow_tpd")
        flow = float(flow) if isinstance(flow, int | float) and flow == flow else None
        plant = ""
        if reg is not None and reg.plant_id:
            plant = "纳入" + plant_names.get(reg.plant_id, reg.plant_id)
        out.append(
            EnterpriseRow(
                eid,
                str(row.get("name") or eid),
                record.value(enterprise_key(eid, "scale")) or _first_text(row, SCALE_COLUMNS),
                record.value(enterprise_key(eid, "operation"))
                or _first_text(row, OPERATION_COLUMNS),
                flow,
                status == "plant",
                status,
                plant,
            )
        )
    return out


def write_enterprise_list(
    rows: Sequence[EnterpriseRow], path: str | Path, *, park_name: str = ""
) -> Path:
    """Write the park's enterprise list (企业名称, 生产规模, 运行情况, 废水排放量, 是否纳入管网).

    Raises
    ------
    DossierError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    st = _styles()
    wb = Workbook()
    ws = wb.active
    ws.title = "园区企业情况总表"
    n = len(ENTERPRISE_COLUMNS)
    set_cell(ws.cell(row=1, column=1), ENTERPRISE_TITLE.format(park=park_name))
    ws.cell(row=1, column=1).font = st["title"]
    ws.cell(row=1, column=1).alignment = st["center"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 32
    for c, title in enumerate(ENTERPRISE_COLUMNS, start=1):
        _cell(ws, 2, c, title, st, head=True)
    cells = [r.cells(i) for i, r in enumerate(rows, start=1)]
    for i, row in enumerate(cells, start=1):
        for c, value in enumerate(row, start=1):
            cell = _cell(ws, 2 + i, c, value, st)
            if c in (1, 5, 6):
                cell.alignment = st["center"]
            if c == 5 and value is not None:
                cell.number_format = "0.##"
    total = sum(r.flow_tpd or 0.0 for r in rows)
    r = 3 + len(cells)
    _cell(ws, r, 1, "合计", st, head=True)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
    _cell(ws, r, 5, round(total, 2), st)
    n_in = sum(x.connected for x in rows)
    _cell(ws, r, 6, f"纳管{n_in}家", st)
    _cell(ws, r, 7, f"共{len(rows)}家", st)
    fit_columns(ws, _widths(cells, ENTERPRISE_COLUMNS, cap=36))
    ws.freeze_panes = "A3"
    return _save(wb, path)
