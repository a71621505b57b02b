"""Pollutant-balance commands of ``python main.py`` (no Qt).

``balance PROJECT [--year 2024 …] [--json] [--xlsx FILE] [--coefficients FILE] [--buffer M]
[--lang zh|en]``: the flow/capacity balance of every plant (as before) and the account per
plant service area (区域水污染物平衡核算): COD produced, collected and removed, 集中收集率,
削减率, capacity gap and flags. ``balance-area PROJECT PLANT (--wkt WKT | --from FILE |
--clear) [--note N]``: store (or drop) an edited service area, which wins over the computed
one. Exit 0 on success, 2 on bad input (one line naming the file, feature or field).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from gisapp.cli import fmt_figure

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def _years(args: argparse.Namespace) -> list[int]:
    """The years asked for; the previous year by default (accounts are made for it)."""
    return list(dict.fromkeys(args.year)) if args.year else [dt.date.today().year - 1]


def _cmd_balance(args: argparse.Namespace) -> int:
    from gisapp.cli import print_table
    from gisapp.cli.network_commands import _load
    from network.analysis import FLAG_LABELS_ZH, plant_balance
    from surveys.balance.account import FLAG_LABELS_EN, load_account
    from surveys.balance.account import FLAG_LABELS_ZH as ACC_FLAGS_ZH
    from surveys.balance.coefficients import load_coefficients

    checked = _load(args.project)
    net = checked.network
    bal = plant_balance(net)
    coef = load_coefficients(args.coefficients)
    accounts = [
        load_account(
            args.project, year=y, coefficients=coef, buffer_m=args.buffer, checked=checked
        )
        for y in _years(args)
    ]
    if args.xlsx:
        from surveys.balance.export import write_account_xlsx

        out = write_account_xlsx(accounts, args.xlsx)
        sys.stderr.write(f"wrote {out}\n")
    if args.json:
        from gisapp.cli import JsonItems, print_json

        extra: dict[str, Any] = {"account": accounts[-1].to_dict()}
        if len(accounts) > 1:
            extra["accounts"] = [a.to_dict() for a in accounts]
        # the per-node totals are printed as they are made (a million nodes at park scale)
        print_json({**bal.to_dict(), **extra, "nodes": JsonItems(bal.node_items())})
        return EXIT_OK
    zh = args.lang == "zh"
    rows = [
        [
            p.plant_id,
            p.name or "",
            p.n_enterprises,
            fmt_figure(p.connected_flow_tpd),
            fmt_figure(p.connected_cod_kgd),
            fmt_figure(p.capacity_tpd, 0),
            fmt_figure(p.load_tpd, 0),
            _pct(p.utilisation),
            fmt_figure(p.estimated_cod_in_mgl, 0),
            fmt_figure(p.cod_in_mgl, 0),
            ("；" if zh else ", ").join(FLAG_LABELS_ZH.get(f, f) if zh else f for f in p.flags),
        ]
        for p in bal.plants
    ]
    print_table(
        rows,
        [
            "污水处理厂",
            "名称",
            "企业数",
            "纳管水量 t/d",
            "COD kg/d",
            "设计规模 t/d",
            "实际负荷 t/d",
            "规模占用",
            "估算进水COD",
            "进水COD",
            "提示",
        ],
    )
    for p in bal.plants:
        for m_zh, m_en in zip(p.messages_zh, p.messages_en, strict=True):
            _out(f"  {p.plant_id}: {m_zh if zh else m_en}")
    labels = ACC_FLAGS_ZH if zh else FLAG_LABELS_EN
    for acc in accounts:
        _out()
        _out(
            f"{acc.year} 年区域水污染物平衡核算（COD，t/a）："
            if zh
            else f"Pollutant balance {acc.year} (COD, t/a):"
        )
        t = acc.total
        arows = []
        for a in (*acc.areas, acc.unserved):
            arows.append(
                [
                    a.plant_id or ("未纳入" if zh else "unserved"),
                    fmt_figure(a.annual(a.industrial_cod_kgd)),
                    fmt_figure(a.annual(a.domestic_cod_kgd)),
                    fmt_figure(a.annual(a.livestock_cod_kgd)),
                    fmt_figure(a.annual(a.produced_cod_kgd)),
                    fmt_figure(a.annual(a.collected_cod_kgd)),
                    fmt_figure(a.annual(a.removed_cod_kgd)),
                    _pct(a.collection_rate),
                    _pct(a.reduction_rate),
                    fmt_figure(a.capacity_gap_tpd, 0),
                    ("；" if zh else ", ").join(labels.get(f, f) for f in a.flags),
                ]
            )
        arows.append(
            [
                "合计" if zh else "total",
                fmt_figure(t["industrial_cod_kgd"] * coef.days_per_year / 1000.0),
                fmt_figure(t["domestic_cod_kgd"] * coef.days_per_year / 1000.0),
                fmt_figure(t["livestock_cod_kgd"] * coef.days_per_year / 1000.0),
                fmt_figure(t["produced_cod_ta"]),
                fmt_figure(t["collected_cod_ta"]),
                fmt_figure(t["removed_cod_ta"]),
                _pct(t["collection_rate"]),
                _pct(t["reduction_rate"]),
                "",
                "",
            ]
        )
        print_table(
            arows,
            [
                "收集范围",
                "工业",
                "生活",
                "畜禽",
                "产生量",
                "收集量",
                "削减量",
                "集中收集率",
                "削减率",
                "能力缺口 t/d",
                "提示",
            ],
        )
        for a in acc.areas:
            for m_zh, m_en in zip(a.messages_zh, a.messages_en, strict=True):
                _out(f"  {a.plant_id}: {m_zh if zh else m_en}")
    last = accounts[-1]
    if last.problems:
        _out()
        _out("数据问题（未计入或未算出）：" if zh else "Data problems (not counted or computed):")
        for p in last.problems:
            _out(f"  {p.layer} {p.feature} [{p.field}]: {p.message_zh if zh else p.message_en}")
    _out()
    _out("核算系数：" if zh else "Coefficients used:")
    for r in coef.rows():
        flow = "" if r["flow_t_per_day"] is None else f", {r['flow_t_per_day']:g} t/d"
        _out(f"  {r['label_zh']} {r['cod_g_per_day']:g} g/d{flow} — {r['source']}")
    return EXIT_OK


def _cmd_balance_area(args: argparse.Namespace) -> int:
    from surveys.balance.areas import AreaStore

    given = [x for x in (args.wkt, args.from_file) if x] + (["clear"] if args.clear else [])
    if len(given) != 1:
        sys.stderr.write("error: give exactly one of --wkt, --from or --clear\n")
        return EXIT_BAD_INPUT
    if args.from_file:
        from network.io.project import read_meta
        from surveys.balance.areas import polygon_from_file

        geom = polygon_from_file(args.from_file, read_meta(Path(args.project)).get("crs"))
    else:
        geom = args.wkt
    with AreaStore(args.project) as store:
        if args.clear:
            done = store.clear_area(args.plant)
            _out(f"{args.plant}: " + ("已恢复为管网推算范围" if done else "没有人工修改的范围"))
            return EXIT_OK
        store.set_area(args.plant, geom, note=args.note or "")
    _out(f"{args.plant}: 已保存人工修改的收集范围")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``balance`` and ``balance-area``."""
    p = sub.add_parser(
        "balance",
        help="plant flow/capacity balance and COD account per service area 区域水污染物平衡核算",
    )
    p.add_argument("project", help="project file (*.gpkg)")
    p.add_argument(
        "--year",
        type=int,
        action="append",
        metavar="YYYY",
        help="year of account (repeat for several; default: last year); monitoring records "
        "of that year are used",
    )
    p.add_argument("--json", action="store_true", help="print JSON (with per-node totals)")
    p.add_argument("--xlsx", metavar="FILE", help="write the Excel account (one sheet per year)")
    p.add_argument(
        "--coefficients", metavar="FILE", help="coefficient table (default: the shipped one)"
    )
    p.add_argument(
        "--buffer",
        type=float,
        default=100.0,
        metavar="M",
        help="half-width of a computed service area around its pipes, metres (default 100)",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="message language")
    p.set_defaults(func=_cmd_balance)

    p = sub.add_parser(
        "balance-area", help="store or clear an edited plant service area 收集范围（人工修改）"
    )
    p.add_argument("project", help="project file (*.gpkg)")
    p.add_argument("plant", help="plant id")
    p.add_argument("--wkt", help="the polygon as WKT, in the project CRS")
    p.add_argument("--from", dest="from_file", metavar="FILE", help="a polygon layer file")
    p.add_argument("--clear", action="store_true", help="drop the edited area")
    p.add_argument("--note", help="why the area was edited")
    p.set_defaults(func=_cmd_balance_area)
