"""Excel outputs of the outfall register (no Qt): 登记表, 一口一策, task table, monitoring.

Every sheet is written with :func:`network.io.xlsx.write_table` (text never a formula,
fitted columns). The monitoring sheet uses the titles :func:`read_monitoring_xlsx` reads, so
an exported sheet imports again unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from network.io.xlsx import write_table
from surveys.outfalls.codes import load_standards
from surveys.outfalls.decisions import PLAN_HEADERS, TASK_HEADERS, plan_rows, task_rows
from surveys.outfalls.monitoring import Flag, weather_label
from surveys.outfalls.register import OutfallRegister
from surveys.outfalls.store import MonitoringRecord

REGISTER_HEADERS = (
    "序号",
    "排污口编号",
    "排污口名称",
    "排污口类别",
    "数据中的类别",
    "受纳水体",
    "所在河段",
    "经度(CGCS2000)",
    "纬度(CGCS2000)",
    "排放方式",
    "责任单位",
    "责任人",
    "排污许可证编号",
    "登记状态",
    "公示状态",
    "执行标准",
    "上游排污单位",
    "是否共用",
    "监测次数",
    "超标次数",
    "最近监测",
    "存在问题",
    "整治决定",
    "照片",
    "来源",
)
MONITORING_HEADERS = (
    "排污口编号",
    "采样时间",
    "天气",
    "流量(m3/d)",
    "COD(mg/L)",
    "氨氮(mg/L)",
    "总磷(mg/L)",
    "pH",
    "采样人",
    "检测报告",
)
FLAG_HEADERS = ("排污口编号", "采样时间", "类型", "指标", "监测值", "限值", "说明")
SEAL_HEADERS = (
    "企业编号",
    "企业名称",
    "废水量(t/d)",
    "原去向",
    "封堵后去向",
    "是否无去向",
    "说明",
)


def register_rows(register: OutfallRegister) -> list[list[Any]]:
    """The 登记表 rows, in :data:`REGISTER_HEADERS` order."""
    stds = load_standards()
    rows = []
    for i, r in enumerate(register.rows, start=1):
        std = stds.find(r.standard)
        rows.append(
            [
                i,
                r.outfall_id,
                r.name,
                r.class_label,
                r.class_source,
                r.value("receiving_water"),
                r.value("section"),
                None if r.lon is None else round(r.lon, 6),
                None if r.lat is None else round(r.lat, 6),
                r.value("discharge_way"),
                r.value("responsible_unit"),
                r.value("responsible_person"),
                r.value("permit_no"),
                r.value("registration") or "未登记",
                r.value("publication") or "未公示",
                std.label_zh if std else "",
                "、".join(d.id for d in r.trace.dischargers),
                "是" if r.trace.shared else "否",
                r.n_records,
                r.n_exceedances,
                r.last_sampled.replace("T", " "),
                "；".join(t for _, t in r.findings),
                r.decision.label_zh if r.decision else "",
                r.photos,
                "图层" if r.origin == "layer" else "现场新增",
            ]
        )
    return rows


def _flag_rows(flags: Sequence[Flag]) -> list[list[Any]]:
    kinds = {"exceedance": "超标", "dry_weather_flow": "旱天出流"}
    return [
        [
            f.outfall_id,
            f.sampled.replace("T", " "),
            kinds.get(f.kind, f.kind),
            f.parameter,
            f.value,
            f.limit,
            f.message_zh,
        ]
        for f in flags
    ]


def write_register_xlsx(register: OutfallRegister, path: str | Path) -> Path:
    """Write the register workbook: 排污口登记表, 一口一策, 整治任务表, 监测超标, 封堵影响.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "排污口登记表"
    write_table(ws, REGISTER_HEADERS, register_rows(register))
    write_table(wb.create_sheet("一口一策"), PLAN_HEADERS, plan_rows(register))
    write_table(wb.create_sheet("整治任务表"), TASK_HEADERS, task_rows(register))
    write_table(
        wb.create_sheet("监测超标"),
        FLAG_HEADERS,
        _flag_rows([f for r in register.rows for f in r.flags]),
    )
    seal_rows = []
    if register.sealed is not None:
        for e in register.sealed.enterprises:
            seal_rows.append(
                [
                    e.ent_id,
                    e.name,
                    e.flow_tpd,
                    "、".join((*e.before_plants, *e.before_outfalls)),
                    "、".join((*e.after_plants, *e.after_outfalls)) or "无",
                    "是" if e.stranded else "否",
                    e.change_zh,
                ]
            )
    write_table(wb.create_sheet("封堵影响"), SEAL_HEADERS, seal_rows)
    out = Path(path)
    wb.save(out)
    return out


def write_monitoring_xlsx(
    records: Sequence[MonitoringRecord], path: str | Path, flags: Sequence[Flag] = ()
) -> Path:
    """Write monitoring records (sheet 监测记录, importable again) and their flags (监测超标).

    Free parameters get a column each after the fixed ones.
    """
    import openpyxl

    params: list[str] = []
    for r in records:
        for k in r.params:
            if k not in params:
                params.append(k)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监测记录"
    rows = [
        [
            r.outfall_id,
            r.sampled.replace("T", " "),
            weather_label(r.weather),
            r.flow_m3d,
            r.cod_mgl,
            r.nh3n_mgl,
            r.tp_mgl,
            r.ph,
            r.sampler,
            r.report_path,
            *(r.params.get(k) for k in params),
        ]
        for r in records
    ]
    write_table(ws, [*MONITORING_HEADERS, *params], rows)
    if flags:
        write_table(wb.create_sheet("监测超标"), FLAG_HEADERS, _flag_rows(flags))
    out = Path(path)
    wb.save(out)
    return out
