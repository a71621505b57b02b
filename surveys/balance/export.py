"""The pollutant balance for people: the Excel account and a map of the service areas.

:func:`write_account_xlsx` writes one sheet per year (areas as rows, the unserved rest and the
total below, units in the column titles), the sources, the data problems and the coefficients
used (with their sources) on sheets of their own, and the map as a picture when asked.
:func:`draw_areas` draws the service areas coloured by collection rate with the plants' flags
on a matplotlib ``Axes``; :func:`areas_png` renders it to PNG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from surveys.balance.account import (
    FLAG_LABELS_ZH,
    SOURCE_LABELS_ZH,
    AreaAccount,
    BalanceAccount,
)

ACCOUNT_HEADERS = [
    "污水处理厂编号",
    "污水处理厂名称",
    "收集范围",
    "范围面积(km²)",
    "企业数(家)",
    "常住人口(人)",
    "畜禽存栏(头/只)",
    "工业COD产生量(t/a)",
    "生活COD产生量(t/a)",
    "畜禽养殖COD产生量(t/a)",
    "COD产生量合计(t/a)",
    "污水产生量(t/d)",
    "进水量(t/d)",
    "进水量来源",
    "进水COD(mg/L)",
    "出水COD(mg/L)",
    "COD集中收集量(t/a)",
    "COD削减量(t/a)",
    "集中收集率",
    "集中收集削减率",
    "设计规模(t/d)",
    "处理能力缺口(t/d)",
    "在线监测",
    "提示",
]
PERCENT = {"集中收集率", "集中收集削减率"}
SOURCE_HEADERS = [
    "类别",
    "编号",
    "名称",
    "所属收集范围",
    "数量",
    "单位",
    "落在范围内比例",
    "COD产生量(kg/d)",
    "污水量(t/d)",
    "依据",
]
PROBLEM_HEADERS = ["图层", "要素", "字段", "问题"]
COEF_HEADERS = ["编码", "名称", "COD产生系数(g/(人·d) 或 g/(头·d))", "污水量系数(t/d)", "来源"]
BASIS_ZH = {"attribute": "污水处理厂属性", "monitoring": "监测记录", "": ""}


def _t(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def area_row(a: AreaAccount) -> list[Any]:
    """One row of the account sheet."""
    scope = "未纳入" if a.plant_id is None else ("人工修改" if a.edited else "管网推算")
    return [
        a.plant_id or "—",
        a.name,
        scope,
        _t(a.area_km2, 4) if a.plant_id else None,
        a.n_enterprises,
        _t(a.people, 1),
        _t(a.heads, 1),
        _t(a.annual(a.industrial_cod_kgd)),
        _t(a.annual(a.domestic_cod_kgd)),
        _t(a.annual(a.livestock_cod_kgd)),
        _t(a.annual(a.produced_cod_kgd)),
        _t(a.produced_flow_tpd, 1),
        _t(a.inflow_tpd, 1),
        BASIS_ZH.get(a.inflow_basis, a.inflow_basis),
        _t(a.cod_in_mgl, 1),
        _t(a.cod_out_mgl, 1),
        _t(a.annual(a.collected_cod_kgd)),
        _t(a.annual(a.removed_cod_kgd)),
        _t(a.collection_rate, 4),
        _t(a.reduction_rate, 4),
        _t(a.capacity_tpd, 1),
        _t(a.capacity_gap_tpd, 1),
        ("是" if a.online_monitoring else "否") if a.plant_id else None,
        "；".join(FLAG_LABELS_ZH.get(f, f) for f in a.flags),
    ]


def total_row(acc: BalanceAccount) -> list[Any]:
    """The total row (areas + unserved)."""
    t = acc.total
    row: list[Any] = [None] * len(ACCOUNT_HEADERS)
    row[0] = "合计"
    row[4] = t["n_enterprises"]
    row[5] = _t(t["people"], 1)
    row[6] = _t(t["heads"], 1)
    row[7] = _t(t["industrial_cod_kgd"] * acc.coefficients.days_per_year / 1000.0)
    row[8] = _t(t["domestic_cod_kgd"] * acc.coefficients.days_per_year / 1000.0)
    row[9] = _t(t["livestock_cod_kgd"] * acc.coefficients.days_per_year / 1000.0)
    row[10] = _t(t["produced_cod_ta"])
    row[11] = _t(t["produced_flow_tpd"], 1)
    row[16] = _t(t["collected_cod_ta"])
    row[17] = _t(t["removed_cod_ta"])
    row[18] = _t(t["collection_rate"], 4)
    row[19] = _t(t["reduction_rate"], 4)
    row[20] = _t(t["capacity_tpd"], 1)
    if t["incomplete"]:
        row[23] = "收集量未计入：" + "、".join(str(p) for p in t["incomplete"])
    return row


def _sheet_title(year: int | None) -> str:
    return f"{year}年核算" if year is not None else "核算"


def write_account_xlsx(
    accounts: BalanceAccount | Sequence[BalanceAccount], path: str | Path, *, with_map: bool = True
) -> Path:
    """Write the Excel account: a sheet per year, then 污染源, 数据问题, 核算系数, 收集范围图.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    import openpyxl

    from network.io.xlsx import write_table

    accs = [accounts] if isinstance(accounts, BalanceAccount) else list(accounts)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for acc in accs:
        ws = wb.create_sheet(_sheet_title(acc.year))
        rows = [area_row(a) for a in acc.areas] + [area_row(acc.unserved), total_row(acc)]
        write_table(ws, ACCOUNT_HEADERS, rows, percent=PERCENT)
        n = len(rows) + 3
        ws.cell(row=n, column=1, value="说明：集中收集率 = COD集中收集量 / COD产生量；")
        ws.cell(
            row=n + 1,
            column=1,
            value="集中收集削减率 = COD削减量 / COD产生量；收集量 = 进水量 × 进水COD，"
            "削减量 = 进水量 × (进水COD − 出水COD)；t/a 按每年 "
            f"{acc.coefficients.days_per_year:g} 天计。",
        )
        ws.cell(row=n + 2, column=1, value="依据：" + acc.coefficients.targets_source)
    last = accs[-1]
    src_rows = []
    for acc in accs:
        for s in acc.sources:
            src_rows.append(
                [
                    SOURCE_LABELS_ZH[s.kind],
                    s.source_id,
                    s.name,
                    s.plant_id or "未纳入",
                    _t(s.quantity),
                    s.unit,
                    _t(s.share, 4),
                    _t(s.cod_kgd),
                    _t(s.flow_tpd),
                    {"declared": "申报", "measured": "监测"}.get(s.basis, s.basis),
                ]
            )
        if len(accs) > 1:
            break  # the sources are the same every year unless measured: the first is shown
    write_table(wb.create_sheet("污染源"), SOURCE_HEADERS, src_rows, percent={"落在范围内比例"})
    write_table(
        wb.create_sheet("数据问题"),
        PROBLEM_HEADERS,
        [[p.layer, p.feature, p.field, p.message_zh] for p in last.problems],
    )
    c = last.coefficients
    coef_rows = [
        [r["code"], r["label_zh"], r["cod_g_per_day"], r["flow_t_per_day"], r["source"]]
        for r in c.rows()
    ]
    coef_rows += [
        ["collection_rate_2025", "2025年集中收集率目标", c.rate_2025, None, c.targets_source],
        ["collection_rate_2030", "2030年集中收集率目标", c.rate_2030, None, c.targets_source],
        ["low_influent_cod_mgl", "进水COD下限(mg/L)", c.low_influent_cod_mgl, None, ""],
        ["online_monitoring_tpd", "须在线监测的规模(t/d)", c.online_monitoring_tpd, None, ""],
        ["days_per_year", "每年核算天数", c.days_per_year, None, c.path],
    ]
    write_table(wb.create_sheet("核算系数"), COEF_HEADERS, coef_rows)
    if with_map and any(a.geometry is not None for a in last.service_areas):
        from openpyxl.drawing.image import Image

        ws = wb.create_sheet("收集范围图")
        img = Image(io.BytesIO(areas_png(last)))
        ws.add_image(img, "A1")
    out = Path(path)
    wb.save(out)
    return out


# --- the map ----------------------------------------------------------------------------------
RATE_CLASSES = (
    (None, "#bdbdbd", "无法核算"),
    (0.0, "#d7301f", "< 80%"),
    (0.80, "#fdae61", "80%–95%"),
    (0.95, "#1a9850", "≥ 95%"),
)


def rate_color(rate: float | None, coef: Any = None) -> str:
    """Fill colour of an area by its collection rate (grey when unknown).

    >>> rate_color(0.5), rate_color(0.9), rate_color(1.2), rate_color(None)
    ('#d7301f', '#fdae61', '#1a9850', '#bdbdbd')
    """
    lo = coef.rate_2025 if coef is not None else 0.80
    hi = coef.rate_2030 if coef is not None else 0.95
    if rate is None:
        return RATE_CLASSES[0][1]
    if rate < lo:
        return RATE_CLASSES[1][1]
    if rate < hi:
        return RATE_CLASSES[2][1]
    return RATE_CLASSES[3][1]


def areas_frame(acc: BalanceAccount) -> Any:
    """The service areas as a GeoDataFrame (plant, rate, colour, flags) for maps and layers."""
    import geopandas as gpd

    by = {a.plant_id: a for a in acc.areas}
    recs, geoms = [], []
    for sa in acc.service_areas:
        if sa.geometry is None:
            continue
        a = by[sa.plant_id]
        recs.append(
            {
                "plant_id": sa.plant_id,
                "name": a.name,
                "edited": sa.edited,
                "collection_rate": a.collection_rate,
                "reduction_rate": a.reduction_rate,
                "color": rate_color(a.collection_rate, acc.coefficients),
                "flags": "；".join(FLAG_LABELS_ZH.get(f, f) for f in a.flags),
            }
        )
        geoms.append(sa.geometry)
    return gpd.GeoDataFrame(recs, geometry=geoms)


def draw_areas(ax: Any, acc: BalanceAccount, plants: Any = None) -> None:
    """Draw the service areas coloured by collection rate, with each plant's rate and flags."""
    from matplotlib.patches import Patch

    from network.io.fonts import cjk_font_properties

    fp = cjk_font_properties(size=7)
    frame = areas_frame(acc)
    if len(frame):
        frame.plot(ax=ax, color=frame["color"].tolist(), alpha=0.55, edgecolor="#333333", lw=0.6)
        edited = frame[frame["edited"]]
        if len(edited):
            edited.boundary.plot(ax=ax, color="#000000", lw=1.4, linestyle="--")
    at: dict[str, Any] = dict(acc.plant_points)
    if plants is not None and len(plants):
        for pid, g in zip(plants["plant_id"].tolist(), plants.geometry.to_numpy(), strict=True):
            if g is not None and not g.is_empty:
                at[str(pid)] = g
    for sa, a in zip(acc.service_areas, acc.areas, strict=True):
        g = at.get(a.plant_id)
        if g is None and sa.geometry is not None:
            g = sa.geometry.representative_point()
        if g is None:
            continue
        ax.plot([g.x], [g.y], marker="s", color="#08306b", ms=6)
        rate = "—" if a.collection_rate is None else f"{a.collection_rate:.0%}"
        flags = [FLAG_LABELS_ZH[f] for f in a.flags if f in FLAG_LABELS_ZH]
        text = f"{a.plant_id} {a.name}\n集中收集率 {rate}" + "".join("\n⚑ " + f for f in flags)
        ax.annotate(
            text,
            (g.x, g.y),
            xytext=(6, 6),
            textcoords="offset points",
            fontproperties=fp,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85, "lw": 0.4},
        )
    handles = [Patch(color=c, alpha=0.6, label=label) for _v, c, label in RATE_CLASSES]
    ax.legend(handles=handles, prop=fp, loc="lower left", title=None, framealpha=0.9)
    title = "污水处理厂收集范围及集中收集率"
    if acc.year is not None:
        title += f"（{acc.year}年）"
    ax.set_title(title, fontproperties=cjk_font_properties(size=10))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def areas_png(acc: BalanceAccount, plants: Any = None, size_in: float = 7.0) -> bytes:
    """PNG bytes of :func:`draw_areas` (no timestamps)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_in, size_in * 0.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.9))
    draw_areas(ax, acc, plants)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()
