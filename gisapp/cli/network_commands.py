"""Network commands of ``python main.py``: check, trace, connections, stats (``balance`` lives
in :mod:`gisapp.cli.balance_commands`).

No Qt here: everything runs on ``network``. JSON for machines (``--json``), aligned tables for
people. Bad ids and files that are not PipeAtlas projects raise ``NetworkError`` subclasses,
which ``gisapp.cli`` turns into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gisapp.cli import fmt_figure, project_path
from network import schema as S
from network.errors import NetworkError
from network.issues import ERROR

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SYSTEM_ZH = S.SYSTEM_LABELS_ZH
OUTFALL_CLASS_ZH = S.OUTFALL_CLASS_LABELS_ZH


def _out() -> Any:
    return sys.stdout


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    from gisapp.cli import print_table

    print_table(rows, headers)


def _json(data: Any) -> None:
    from gisapp.cli import print_json

    print_json(data)


def _open(path: str) -> Any:
    """Open a project (raises NetworkError on bad input)."""
    from network.io.project import open_project

    p = project_path(path)
    return open_project(p)


def _load(path: str) -> Any:
    """The project's :class:`network.state.CheckedNetwork` (network, findings, connection
    register): the one stored in the project when it is still fresh, else built from the
    layers as the window does (and stored again when the project keeps a stale one)."""
    from network.io import topology
    from network.state import build_checked_network

    p = _open_check(path)
    checked = topology.load_checked_network(p)
    if checked is not None:
        return checked
    project = _open(path)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    if topology.topology_status(p).startswith(("stale", "garbled")):
        topology.store_checked_network(p, checked)
    return checked


def _load_network(path: str) -> Any:
    """The project's network (for commands that need no findings)."""
    return _load(path).network


def _open_check(path: str) -> Path:
    """*path* as a Path, after the checks of :func:`_open` (raises NetworkError)."""
    from network.io.project import read_meta

    p = project_path(path)
    read_meta(p)
    return p


def _ids(ids: Sequence[str], n: int = 6) -> str:
    ids = list(ids)
    return ", ".join(ids[:n]) + (f" … (+{len(ids) - n})" if len(ids) > n else "")


# --- check -------------------------------------------------------------------------------------
def _cmd_check(args: argparse.Namespace) -> int:
    from network.checks import summarize
    from network.findings import summarise_findings

    checked = _load(args.project)
    issues = list(checked.checks)
    groups = summarise_findings(issues, checked.network)
    if args.json:
        _json(
            {
                "project": args.project,
                "summary": summarize(issues),
                "groups": [g.to_dict() for g in groups],
                "issues": [i.to_dict() for i in issues],
            }
        )
    else:
        zh = args.lang == "zh"
        _print_groups(groups, zh)
        limit = None if args.all else max(args.limit, 0)
        shown = issues if limit is None else issues[:limit]
        rows = [
            [
                i.severity if not zh else SEVERITY_ZH.get(i.severity, i.severity),
                f"{i.category}.{i.kind}",
                _ids(i.feature_ids, 3),
                i.message_zh if zh else i.message_en,
            ]
            for i in shown
        ]
        if rows:
            _out().write("\n")
            _table(
                rows,
                [
                    "级别" if zh else "severity",
                    "类别" if zh else "check",
                    "要素" if zh else "features",
                    "说明" if zh else "message",
                ],
            )
        if len(shown) < len(issues):
            more = len(issues) - len(shown)
            _out().write(
                f"… 另有 {more:,} 项未列出（--all 列出全部，--limit N 改变条数）\n"
                if zh
                else f"… {more:,} more not listed (--all lists every finding, --limit N sets "
                f"how many)\n"
            )
        s = summarize(issues)["by_severity"]
        _out().write(
            f"\n{len(issues)} findings: {s.get('error', 0)} errors, "
            f"{s.get('warning', 0)} warnings, {s.get('info', 0)} info\n"
        )
    if args.fail_on_errors and any(i.severity == ERROR for i in issues):
        return EXIT_FINDINGS
    return EXIT_OK


def _print_groups(groups: Sequence[Any], zh: bool) -> None:
    """The grouped summary: one row per kind, the ones that matter first."""
    if not groups:
        _out().write("未发现问题。\n" if zh else "No findings.\n")
        return
    rows = []
    for g in groups:
        cell = ""
        if g.count >= 10 and g.density.get("cells"):
            c, r, n = g.density["cells"][0]
            size = g.density["cell_size"]
            ox, oy = g.density["origin"]
            cell = (
                f"{n} @ ({ox + (c + 0.5) * size:.0f}, {oy + (r + 0.5) * size:.0f}) ±{size / 2:g}"
            )
        rows.append(
            [
                SEVERITY_ZH.get(g.severity, g.severity) if zh else g.severity,
                f"{g.category}.{g.kind}",
                f"{g.count:,}",
                g.explanation_zh if zh else g.explanation_en,
                _ids(list(g.sample_ids), 3),
                cell,
            ]
        )
    _out().write(
        "按类汇总（重要的在前）：\n" if zh else "Findings by kind (what matters first):\n"
    )
    _table(
        rows,
        ["级别", "类别", "数量", "说明", "示例", "最密集处"]
        if zh
        else ["severity", "check", "count", "explanation", "e.g.", "densest cell"],
    )


# --- trace -------------------------------------------------------------------------------------
def _print_trace(res: Any, lang: str) -> None:
    out = _out()
    start = ", ".join(res.start) if isinstance(res.start, tuple) else res.start
    out.write(f"trace     {res.direction} from {start}\n")
    out.write(f"pipes     {len(res.pipes)} ({res.length_m:,.1f} m): {_ids(res.pipes, 12)}\n")
    out.write(f"manholes  {len(res.nodes)}: {_ids(res.nodes, 12)}\n")
    out.write(f"enterprises {len(res.enterprises)}: {_ids(res.enterprises, 20)}\n")
    if res.barriers:
        out.write(f"barriers  {_ids(res.barriers, 12)}\n")
    if res.sinks:
        out.write("\n")
        rows = [
            [s["kind"], s["id"], s["node"], fmt_figure(s.get("length_m")), s.get("n_paths", "")]
            for s in res.sinks
        ]
        _table(rows, ["sink", "id", "node", "shortest m", "paths"])
    if res.warnings:
        out.write(
            f"\n{len(res.warnings)} unresolved finding(s) inside the traced area "
            f"(the result is not trustworthy there):\n"
        )
        for w in res.warnings:
            out.write(f"  [{w.severity}] {w.message_zh if lang == 'zh' else w.message_en}\n")


def _cmd_trace(args: argparse.Namespace) -> int:
    from network.trace import (
        find_flow_path,
        longitudinal_profile,
        trace_common_upstream,
        trace_downstream,
        trace_upstream,
    )

    checked = _load(args.project)
    net, findings = checked.network, checked.issue_index
    barriers = [b for spec in args.barrier or [] for b in spec.split(",") if b.strip()]
    if args.common_upstream:
        ids = [s.strip() for s in args.common_upstream.split(",") if s.strip()]
        res = trace_common_upstream(net, ids, barriers=barriers, findings=findings)
    elif args.to:
        if args.profile:
            prof = longitudinal_profile(
                net, args.start, args.to, barriers=barriers, findings=findings
            )
            if args.json:
                _json(prof.to_dict())
            else:
                _print_trace(prof.path, args.lang)
                _out().write("\n")
                _table(
                    [
                        [
                            r["pipe_id"],
                            r["part"],
                            r["from_node"],
                            r["to_node"],
                            fmt_figure(r["chainage_start_m"]),
                            fmt_figure(r["chainage_end_m"]),
                            fmt_figure(r["invert_up_m"], 3),
                            fmt_figure(r["invert_down_m"], 3),
                            fmt_figure(r["ground_up_m"], 2),
                            fmt_figure(r["ground_down_m"], 2),
                            fmt_figure(r["diameter_mm"], 0),
                        ]
                        for r in prof.rows
                    ],
                    [
                        "pipe",
                        "part",
                        "from",
                        "to",
                        "ch0 m",
                        "ch1 m",
                        "inv up",
                        "inv down",
                        "ground up",
                        "ground down",
                        "DN",
                    ],
                )
            return EXIT_OK
        res = find_flow_path(net, args.start, args.to, barriers=barriers, findings=findings)
    elif args.up:
        res = trace_upstream(net, args.start, barriers=barriers, findings=findings)
    else:
        res = trace_downstream(net, args.start, barriers=barriers, findings=findings)
    why = None
    if args.common_upstream:
        from network.trace import explain_common_upstream

        why = explain_common_upstream(net, ids, res, barriers=barriers)
    if args.json:
        data = res.to_dict()
        if why is not None:
            data["explanation_zh"], data["explanation_en"] = why
        _json(data)
    else:
        _print_trace(res, args.lang)
        if why is not None:
            _out().write(f"\n{why[0] if args.lang == 'zh' else why[1]}\n")
    return EXIT_OK


# --- connections -------------------------------------------------------------------------------
def _cmd_connections(args: argparse.Namespace) -> int:
    from network.analysis import STATUS_LABELS_ZH, write_register_xlsx

    reg = _load(args.project).register
    if args.xlsx:
        path = write_register_xlsx(reg, args.xlsx)
        _out().write(f"wrote {path} ({len(reg.rows)} enterprises)\n")
        return EXIT_OK
    if args.json:
        _json(reg.to_dict())
        return EXIT_OK
    rows = [
        [
            r.ent_id,
            r.name or "",
            STATUS_LABELS_ZH[r.status],
            r.plant_id or "",
            ", ".join(r.outfalls),
            fmt_figure(r.flow_tpd),
            fmt_figure(r.path_length_m),
            len(r.pipes),
            r.node or "",
            r.method or "",
        ]
        for r in reg.rows
    ]
    _table(
        rows,
        [
            "企业",
            "名称",
            "纳管状态",
            "污水处理厂",
            "排放口",
            "废水量 t/d",
            "路径 m",
            "管段数",
            "接入井",
            "接入方式",
        ],
    )
    _out().write("\n")
    _table(
        [
            [
                p["plant_id"],
                p["name"] or "",
                p["n_enterprises"],
                fmt_figure(p["flow_tpd"]),
                fmt_figure(p["cod_kgd"]),
                _pct(p["share_count"]),
                _pct(p["share_volume"]),
            ]
            for p in reg.plants
        ],
        ["污水处理厂", "名称", "企业数", "废水量 t/d", "COD kg/d", "企业占比", "水量占比"],
    )
    pk = reg.park
    _out().write(
        f"\n园区纳管率 connection rate: {pk['n_connected']}/{pk['n_enterprises']} "
        f"enterprises = {_pct(pk['rate_count'])} by count, "
        f"{_pct(pk['rate_volume'])} by volume ({fmt_figure(pk['connected_flow_tpd'])} of "
        f"{fmt_figure(pk['flow_tpd'])} t/d); to outfalls {pk['n_to_outfall']}, nowhere "
        f"{pk['n_nowhere']}, unattached {pk['n_unattached']}\n"
    )
    return EXIT_OK


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


# --- stats -------------------------------------------------------------------------------------
def _cmd_stats(args: argparse.Namespace) -> int:
    from network.analysis import network_statistics

    net = _load_network(args.project)
    st = network_statistics(net)
    if args.json:
        _json(st)
        return EXIT_OK
    sys_zh = {**SYSTEM_ZH, "unknown": "未注明"}
    _table(
        [
            ["管网总长", f"{st['total_length_km']:.3f}", "km"],
            ["  主管", f"{st['main_length_km']:.3f}", "km"],
            ["  支管", f"{st['branch_length_km']:.3f}", "km"],
            ["  未分主支", f"{st['unclassified_length_km']:.3f}", "km"],
            ["管线", f"{st['n_pipes']:,}", "条"],
            ["检查井", f"{st['n_manholes']:,}", "座"],
            ["管线连接点（无井）", f"{st.get('n_junctions', 0):,}", "处"],
            ["排放口", f"{st['n_outfalls']:,}", "个"],
            ["企业", f"{st['n_enterprises']:,}", "家"],
            ["污水处理厂", f"{st['n_plants']:,}", "座"],
        ],
        ["项目", "数值", "单位"],
    )
    out = _out()
    if st["by_system"]:
        out.write("\n按管线类型（km）：\n")
        _table(
            [
                [
                    sys_zh.get(sy, sy),
                    f"{v['main']:.3f}",
                    f"{v['branch']:.3f}",
                    f"{v['unknown']:.3f}",
                    f"{v['main'] + v['branch'] + v['unknown']:.3f}",
                ]
                for sy, v in st["by_system"].items()
            ],
            ["管线类型", "主管 km", "支管 km", "未分 km", "合计 km"],
        )
    if st["by_diameter"]:
        out.write("\n按管径（km）：\n")
        _table(
            [
                [k if k != "unknown" else "未注明", f"{v:.3f}"]
                for k, v in st["by_diameter"].items()
            ],
            ["管径", "长度 km"],
        )
    if st["outfalls_by_class"]:
        out.write("\n排放口按类别（个）：\n")
        _table(
            [
                [OUTFALL_CLASS_ZH.get(k, k) if k != "unknown" else "未注明", n]
                for k, n in st["outfalls_by_class"].items()
            ],
            ["类别", "数量"],
        )
    return EXIT_OK


# --- registration ------------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``check``, ``trace``, ``connections`` and ``stats``."""
    p = sub.add_parser(
        "check",
        help="check the network: geometry, connectivity, direction, semantics (itemised findings)",
    )
    p.add_argument("project", help="project file (*.gpkg)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="message language")
    p.add_argument(
        "--fail-on-errors",
        action="store_true",
        help="exit with status 1 when error findings exist",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=200,
        metavar="N",
        help="list at most N findings after the summary by kind (default 200)",
    )
    p.add_argument("--all", action="store_true", help="list every finding")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("trace", help="trace up- or downstream, common upstream, or a path")
    p.add_argument("project", help="project file (*.gpkg)")
    p.add_argument(
        "--from",
        dest="start",
        metavar="ID",
        help="start: any manhole, pipe, enterprise, outfall or plant id",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--up", action="store_true", help="trace upstream")
    g.add_argument("--down", action="store_true", help="trace downstream")
    g.add_argument("--to", metavar="ID", help="flow path from --from to this id")
    p.add_argument(
        "--common-upstream",
        metavar="ID,ID,…",
        help="what lies upstream of all these ids (溯源 of a shared outfall)",
    )
    p.add_argument(
        "--barrier",
        action="append",
        metavar="ID[,ID…]",
        help="pipes or manholes the trace must not cross (repeatable)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="with --to: longitudinal-profile data along the path",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="message language")
    p.set_defaults(func=_cmd_trace_checked, _parser=p)

    p = sub.add_parser("connections", help="connection register 纳管台账: each enterprise → plant")
    p.add_argument("project", help="project file (*.gpkg)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook (Chinese headers)")
    p.set_defaults(func=_cmd_connections)

    p = sub.add_parser("stats", help="network statistics for the park table (lengths, counts)")
    p.add_argument("project", help="project file (*.gpkg)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_stats)


def _cmd_trace_checked(args: argparse.Namespace) -> int:
    if args.common_upstream:
        if args.start or args.up or args.down or args.to:
            return _usage("use --common-upstream ID,ID,… alone, without --from/--up/--down/--to")
        return _cmd_trace(args)
    if not args.start:
        return _usage(
            "trace needs --from ID with --up, --down or --to ID, or --common-upstream ID,ID,…"
        )
    if not (args.up or args.down or args.to):
        return _usage("say which way: --up, --down or --to ID")
    if args.profile and not args.to:
        return _usage("--profile needs --to ID")
    return _cmd_trace(args)


def _usage(msg: str) -> int:
    sys.stderr.write(f"error: {msg}\n")
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run one network command without the rest of the CLI (used by tests)."""
    from gisapp.cli import report_user_error

    parser = argparse.ArgumentParser(prog="cli_network")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except NetworkError as exc:
        return report_user_error(exc)
