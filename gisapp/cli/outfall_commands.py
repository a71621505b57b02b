"""Outfall register commands, 查测溯治 (no Qt).

``outfalls list PROJECT [--class C] [--json | --xlsx 登记表.xlsx]``,
``outfalls show PROJECT ID [--json]``,
``outfalls set PROJECT ID FIELD=VALUE … [--x X --y Y | --lon LON --lat LAT] [--photo F]``,
``outfalls trace PROJECT ID [--seal] [--barrier ID …] [--json]``,
``outfalls decide PROJECT ID 保留并规范|合并|取缔封堵 [--into X] [--measure M] [--target T]
[--deadline D] [--unit U] [--person P] [--no-ledger] [--json]``,
``outfalls monitoring import PROJECT SHEET.xlsx [--mapping M.json] [--rejected R.xlsx]
[--dry-run] [--json]``, ``outfalls monitoring list PROJECT [--outfall ID] [--json | --xlsx F]``.

Exit 0 on success; 1 where rows of a monitoring sheet were rejected (the good rows are
imported, the bad ones listed by row and column); 2 on bad input (one line naming the
file, row, column or field).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gisapp.cli import project_path

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _checked(p: Path, project: Any) -> Any:
    """The stored network when fresh, else built (as the other commands do)."""
    from network.io import topology
    from network.state import build_checked_network

    checked = topology.load_checked_network(p, project.layers)
    if checked is None and len(project.layer("pipes")):
        checked = build_checked_network(project.layers, project.settings, project.crs)
    return checked


def _load(path: str) -> tuple[Path, Any, Any, Any]:
    """(path, project, checked network or None, register)."""
    from network.io.project import open_project
    from surveys.outfalls.register import load_register

    p = project_path(path)
    project = open_project(p)
    checked = _checked(p, project)
    return p, project, checked, load_register(p, checked=checked, project=project)


# --- list / show --------------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from gisapp.cli import check_output_paths, print_json, print_table
    from surveys.outfalls.codes import load_classes

    check_output_paths(args)
    _, _, _, reg = _load(args.project)
    rows = reg.rows
    if args.cls:
        c = load_classes().map(args.cls)
        if c is None:
            from surveys.outfalls.codes import OutfallError

            raise OutfallError(
                f"--class {args.cls!r} names no outfall class.", field="--class", found=args.cls
            )
        rows = tuple(r for r in rows if r.class_code == c.code)
    if args.xlsx:
        from surveys.outfalls.export import write_register_xlsx
        from surveys.outfalls.register import OutfallRegister

        out = write_register_xlsx(OutfallRegister(rows, reg.sealed, reg.crs), args.xlsx)
        _out(f"wrote {out} ({len(rows)} outfalls: 排污口登记表, 一口一策, 整治任务表)")
        return EXIT_OK
    if args.json:
        print_json(
            {
                "crs": reg.crs,
                "outfalls": [r.to_dict() for r in rows],
                "sealed": None if reg.sealed is None else reg.sealed.to_dict(),
            }
        )
        return EXIT_OK
    print_table(
        [
            [
                r.outfall_id,
                r.name,
                r.class_label,
                "、".join(d.id for d in r.trace.dischargers),
                f"{r.n_records}/{r.n_exceedances}",
                r.decision.label_zh if r.decision else "",
                "；".join(t for _, t in r.findings),
            ]
            for r in rows
        ],
        ["编号", "名称", "类别", "上游排污单位", "监测/超标", "整治", "存在问题"],
    )
    if reg.sealed is not None and reg.sealed.stranded:
        _out(
            f"\n封堵 {'、'.join(reg.sealed.outfalls)} 后无去向的企业: "
            f"{'、'.join(reg.sealed.stranded)}"
        )
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json

    _, _, _, reg = _load(args.project)
    r = reg.row(args.outfall)
    if args.json:
        print_json(r.to_dict())
        return EXIT_OK
    from surveys.outfalls.store import ENTRY_FIELDS

    _out(f"{r.outfall_id} {r.name}（{r.class_label}；数据: {r.class_source or '—'}）")
    if r.lon is not None:
        _out(
            f"  位置 CGCS2000 {r.lon:.6f}, {r.lat:.6f}  "
            f"({'图层' if r.origin == 'layer' else '现场新增'})"
        )
    for f in ENTRY_FIELDS:
        if f.code in ("name", "class"):
            continue
        v = r.standard if f.code == "standard" else r.value(f.code)
        _out(f"  {f.title}: {v}")
    _print_trace(r.trace)
    _out(f"  监测 {r.n_records} 次，超标 {r.n_exceedances} 次，最近 {r.last_sampled or '—'}")
    for fl in r.flags:
        _out(f"    {fl.sampled.replace('T', ' ')} {fl.message_zh}")
    if r.decision:
        d = r.decision
        _out(
            f"  整治: {d.label_zh}；{d.measure}；目标 {d.target}；时限 {d.deadline}；"
            f"{d.responsible_unit}"
        )
    for _, t in r.findings:
        _out(f"  ! {t}")
    return EXIT_OK


def _print_trace(t: Any) -> None:
    if not t.reachable:
        _out(f"  溯源: {t.reason}")
        return
    _out(
        f"  溯源: 上游管道 {len(t.pipes)} 段 {t.length_m:.0f} m，排污单位 {len(t.dischargers)} 家"
        + ("（共用）" if t.shared else "")
    )
    for d in t.dischargers:
        share = "" if d.share_cod is None else f"，COD负荷占 {d.share_cod:.1%}"
        flow = "—" if d.flow_tpd is None else f"{d.flow_tpd:g}"
        load = "—" if d.cod_kgd is None else f"{d.cod_kgd:.1f}"
        _out(f"    {d.id} {d.name}: {flow} t/d, COD负荷 {load} kg/d{share}")
    if t.declared_cod_kgd is not None or t.monitored.get("cod_kgd") is not None:
        mon = t.monitored.get("cod_kgd")
        dec = t.declared_cod_kgd
        _out(
            "    物料平衡: 申报 "
            + ("—" if dec is None else f"{dec:.1f}")
            + " kg/d，监测 "
            + ("—" if mon is None else f"{mon:.1f}")
            + " kg/d"
            + ("" if t.gap_kgd is None else f"，差 {t.gap_kgd:+.1f} kg/d")
            + ("" if t.gap_ratio is None else f"（{t.gap_ratio:+.1%}）")
        )


# --- set ----------------------------------------------------------------------------------------
def _cmd_set(args: argparse.Namespace) -> int:
    from gisapp.cli.dossier_commands import _parse_assignments
    from network.io.project import open_project
    from surveys.outfalls.codes import OutfallError
    from surveys.outfalls.register import project_xy
    from surveys.outfalls.store import OutfallStore

    p = project_path(args.project)
    values = _parse_assignments(args.values or [])
    position = None
    if args.lon is not None or args.lat is not None:
        position = project_xy(open_project(p).crs, args.lon, args.lat)
    elif args.x is not None or args.y is not None:
        position = (args.x, args.y)
    ids = set(open_project(p).layer("outfalls").get("outfall_id", []))
    with OutfallStore(p) as store:
        known = args.outfall in ids or args.outfall in store.data().entries
        if position is not None:
            if args.outfall in ids:
                raise OutfallError(
                    f"Outfall {args.outfall} is in the outfall layer; move it there, not here.",
                    record=args.outfall,
                    field="x/y",
                )
            store.add_outfall(args.outfall, position[0], position[1], values)
        elif not known:
            raise OutfallError(
                f"Outfall {args.outfall} is not in the outfall layer; add it with its position "
                "(--lon/--lat or --x/--y).",
                record=args.outfall,
                field="outfall_id",
            )
        else:
            store.set_values(args.outfall, values)
        for photo in args.photo or []:
            store.add_photo(args.outfall, photo)
    _out(f"{args.outfall}: saved {len(values)} field(s), {len(args.photo or [])} photo(s)")
    return EXIT_OK


# --- trace --------------------------------------------------------------------------------------
def _cmd_trace(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json
    from surveys.outfalls.register import seal_effect, trace_outfall
    from surveys.outfalls.store import read_outfall_data

    p, _, checked, reg = _load(args.project)
    row = reg.row(args.outfall)
    net = checked.network if checked is not None else None
    data = read_outfall_data(p)
    t = trace_outfall(
        net, row.outfall_id, records=data.records_of(row.outfall_id), barriers=args.barrier or None
    )
    effect = (
        seal_effect(net, [row.outfall_id], barriers=args.barrier)
        if (args.seal and net is not None and t.reachable)
        else None
    )
    if args.json:
        d = t.to_dict()
        if args.seal:
            d["seal"] = None if effect is None else effect.to_dict()
        print_json(d)
        return EXIT_OK
    _out(f"{row.outfall_id} {row.name}（{row.class_label}）")
    _print_trace(t)
    if args.seal:
        if effect is None:
            _out("  封堵: 管网不可达此排口，封堵不改变任何企业的去向")
        else:
            _out(f"  若封堵 {row.outfall_id}（节点 {'、'.join(effect.barriers)} 设为阻断）:")
            for e in effect.enterprises:
                _out(f"    {e.ent_id} {e.name}: {e.change_zh}")
            if not effect.enterprises:
                _out("    上游无企业，去向不变")
    return EXIT_OK


# --- decide -------------------------------------------------------------------------------------
def _cmd_decide(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json
    from surveys.outfalls.decisions import raise_decision
    from surveys.outfalls.register import load_register
    from surveys.outfalls.store import Decision, OutfallStore

    p, project, checked, reg = _load(args.project)
    reg.row(args.outfall)  # refuses an unknown outfall
    if args.into:
        reg.row(args.into)  # a merge goes into an outfall of the register
    if not args.decision and not args.clear:
        from surveys.outfalls.codes import OutfallError

        raise OutfallError(
            "Give the decision: 保留并规范, 合并 (with --into ID) or 取缔封堵 (keep/merge/seal).",
            field="decision",
        )
    with OutfallStore(p) as store:
        if args.clear:
            store.clear_decision(args.outfall)
            _out(f"{args.outfall}: decision cleared (ledger problems stay; close them there)")
            return EXIT_OK
        d = store.decide(
            Decision(
                outfall_id=args.outfall,
                decision=args.decision,
                merge_into=args.into or "",
                measure=args.measure or "",
                target=args.target or "",
                deadline=args.deadline or "",
                responsible_unit=args.unit or "",
                responsible_person=args.person or "",
                note=args.note or "",
            )
        )
    reg = load_register(p, checked=checked, project=project)
    added: list[Any] = []
    skipped = 0
    if not args.no_ledger:
        net = checked.network if checked is not None else None
        res = raise_decision(p, reg, args.outfall, net=net)
        added, skipped = list(res.added), res.skipped
    if args.json:
        print_json(
            {
                "decision": d.__dict__,
                "ledger_added": [x.description for x in added],
                "ledger_skipped": skipped,
                "sealed": None if reg.sealed is None else reg.sealed.to_dict(),
            }
        )
        return EXIT_OK
    _out(f"{args.outfall}: {d.label_zh}，时限 {d.deadline or '—'}，{d.responsible_unit or '—'}")
    for x in added:
        _out(f"  台账 + {x.description}")
    if skipped:
        _out(f"  台账中已有 {skipped} 条，未重复登记")
    return EXIT_OK


# --- monitoring ---------------------------------------------------------------------------------
def _cmd_mon_import(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json
    from network.io.project import open_project
    from surveys.outfalls.monitoring import (
        attach_reports,
        read_monitoring_xlsx,
        write_rejected_xlsx,
    )
    from surveys.outfalls.store import OutfallStore, read_outfall_data

    p = project_path(args.project)
    layer = open_project(p).layer("outfalls")
    known = {str(x) for x in layer.get("outfall_id", []) if x is not None}
    known |= set(read_outfall_data(p).entries)
    imp = read_monitoring_xlsx(args.sheet, args.mapping, known_outfalls=known)
    records, no_report = attach_reports(imp.records, args.sheet, p)
    n = 0
    if not args.dry_run and records:
        with OutfallStore(p) as store:
            n = store.add_monitoring(records)
    if args.rejected and imp.rejected:
        write_rejected_xlsx(imp, args.rejected)
    if args.json:
        print_json(
            {
                "file": imp.file,
                "sheet": imp.sheet,
                "rows": imp.n_rows,
                "imported": n,
                "columns": imp.columns,
                "params": list(imp.params),
                "rejected": [r.to_dict() for r in imp.rejected],
                "reports_not_found": [f"{r.source}: {r.report_path}" for r in no_report],
            }
        )
    else:
        _out(
            f"{Path(imp.file).name} ({imp.sheet}): {imp.n_rows} rows, "
            f"{'would import' if args.dry_run else 'imported'} "
            f"{len(imp.records) if args.dry_run else n}, rejected {len(imp.rejected_rows)}"
        )
        for r in imp.rejected:
            _out(f"  row {r.row}, column {r.column}: {r.reason} (value {r.to_dict()['value']!r})")
        for r in no_report:
            _out(f"  note: {r.source}: lab report {r.report_path} not found (record kept)")
    return EXIT_FINDINGS if imp.rejected else EXIT_OK


def _cmd_mon_list(args: argparse.Namespace) -> int:
    from gisapp.cli import check_output_paths, print_json, print_table
    from surveys.outfalls.monitoring import weather_label

    check_output_paths(args)
    _, _, _, reg = _load(args.project)
    rows = [r for r in reg.rows if not args.outfall or r.outfall_id == args.outfall]
    if args.outfall and not rows:
        reg.row(args.outfall)
    from surveys.outfalls.store import read_outfall_data

    data = read_outfall_data(Path(args.project))
    ids = {r.outfall_id for r in rows}
    recs = [m for m in data.monitoring if m.outfall_id in ids]
    flags = [f for r in rows for f in r.flags]
    if args.xlsx:
        from surveys.outfalls.export import write_monitoring_xlsx

        _out(f"wrote {write_monitoring_xlsx(recs, args.xlsx, flags)} ({len(recs)} records)")
        return EXIT_OK
    if args.json:
        print_json(
            {
                "records": [m.__dict__ for m in recs],
                "flags": [f.to_dict() for f in flags],
            }
        )
        return EXIT_OK
    flagged: dict[str, list[str]] = {}
    for f in flags:
        flagged.setdefault(f.record_uuid, []).append(f.message_zh)
    print_table(
        [
            [
                m.outfall_id,
                m.sampled.replace("T", " "),
                weather_label(m.weather),
                m.flow_m3d,
                m.cod_mgl,
                m.nh3n_mgl,
                m.tp_mgl,
                m.ph,
                "；".join(flagged.get(m.uuid, [])),
            ]
            for m in recs
        ],
        ["排口", "采样时间", "天气", "流量m3/d", "COD", "氨氮", "总磷", "pH", "超标/异常"],
    )
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the ``outfalls`` command and its sub-commands."""
    top = sub.add_parser(
        "outfalls",
        help="outfall register 查测溯治: list, show, set, trace, decide, monitoring",
        description="The outfall register (排污口 查、测、溯、治). Exit 0 ok, 1 monitoring rows "
        "rejected (the others imported), 2 bad input.",
    )
    osub = top.add_subparsers(dest="outfalls_command", metavar="SUBCOMMAND", required=True)

    p = osub.add_parser("list", help="the register (登记表) with the faults found")
    p.add_argument("project")
    p.add_argument("--class", dest="cls", metavar="C", help="only this class (code or 名称)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--xlsx", metavar="FILE", help="write 登记表 + 一口一策 + 整治任务表")
    p.set_defaults(func=_cmd_list)

    p = osub.add_parser("show", help="one outfall: facts, trace, balance, records, decision")
    p.add_argument("project")
    p.add_argument("outfall", help="outfall id, e.g. PK07")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_show)

    p = osub.add_parser(
        "set",
        help="set register facts (受纳水体=… 责任单位=…); add an outfall found in the field "
        "with --lon/--lat (CGCS2000) or --x/--y (project CRS)",
    )
    p.add_argument("project")
    p.add_argument("outfall")
    p.add_argument("values", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--lon", type=float)
    p.add_argument("--lat", type=float)
    p.add_argument("--x", type=float)
    p.add_argument("--y", type=float)
    p.add_argument("--photo", action="append", metavar="FILE", help="reference a photo")
    p.set_defaults(func=_cmd_set)

    p = osub.add_parser("trace", help="what drains to an outfall: dischargers, shares, balance")
    p.add_argument("project")
    p.add_argument("outfall")
    p.add_argument("--seal", action="store_true", help="also: what if this outfall were sealed")
    p.add_argument("--barrier", nargs="+", metavar="ID", help="extra barrier pipes/manholes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_trace)

    p = osub.add_parser(
        "decide", help="decide an outfall (保留并规范 / 合并 / 取缔封堵) and raise ledger problems"
    )
    p.add_argument("project")
    p.add_argument("outfall")
    p.add_argument(
        "decision", nargs="?", default="", help="保留并规范 | 合并 | 取缔封堵 (keep/merge/seal)"
    )
    p.add_argument("--into", metavar="ID", help="the outfall it is merged into")
    p.add_argument("--measure", help="整治措施")
    p.add_argument("--target", help="整治目标")
    p.add_argument("--deadline", help="完成时限 (2025-06-30, 2025年6月底)")
    p.add_argument("--unit", help="责任单位")
    p.add_argument("--person", help="责任人")
    p.add_argument("--note")
    p.add_argument("--no-ledger", action="store_true", help="do not raise ledger problems")
    p.add_argument("--clear", action="store_true", help="remove the decision")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_decide)

    p = osub.add_parser("monitoring", help="monitoring records: import from Excel, list")
    msub = p.add_subparsers(dest="monitoring_command", metavar="ACTION", required=True)
    q = msub.add_parser("import", help="import samples from an Excel sheet")
    q.add_argument("project")
    q.add_argument("sheet", help="the .xlsx file")
    q.add_argument("--mapping", metavar="JSON", help='{"columns": {"cod_mgl": "化学需氧量"}}')
    q.add_argument("--rejected", metavar="FILE", help="write the rejected rows to this .xlsx")
    q.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_mon_import)
    q = msub.add_parser("list", help="the records with their exceedances")
    q.add_argument("project")
    q.add_argument("--outfall", metavar="ID")
    g = q.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--xlsx", metavar="FILE", help="write the records (importable again)")
    q.set_defaults(func=_cmd_mon_list)
