"""Park record and dossier commands (no Qt).

``park show PROJECT [--json]``, ``park set PROJECT FIELD=VALUE …``,
``dossier show PROJECT [--json] [--enterprise ID]``, ``dossier attach PROJECT ITEM FILE
[--enterprise ID] [--title T]``, ``dossier detach PROJECT NUMBER``, ``dossier review PROJECT
ITEM STATUS [--enterprise ID] [--note N] [--reviewer R] [--date D]``, ``dossier enterprise
PROJECT ID [--scale S] [--operation O]``, ``dossier export PROJECT --out DIR [--zip]
[--no-map]``, ``dossier table A.gpkg B.gpkg … [--xlsx 附件1-3.xlsx] [--xlsx-list 附件1-1.xlsx]
[--json]``. Exit 0 on success, 2 on bad input (one line naming the field).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _values_json(d: Any) -> dict[str, Any]:
    from surveys.dossier.figures import format_value

    return {
        code: {
            "title": v.title,
            "value": v.value,
            "computed": v.computed,
            "overridden": v.overridden,
            "text": format_value(v.value),
        }
        for code, v in d.values.items()
    }


# --- park --------------------------------------------------------------------------------------
def _cmd_park_show(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.dossier.build import load_dossier
    from surveys.dossier.figures import value_text
    from surveys.dossier.park import FIELDS_BY_CODE

    d = load_dossier(args.project)
    if args.json:
        print_json({"project": str(d.path), "fields": _values_json(d)})
        return EXIT_OK
    rows = []
    for code, v in d.values.items():
        f = FIELDS_BY_CODE[code]
        src = "图算" if f.computed and not v.overridden and v.computed is not None else ""
        if v.overridden:
            src = "人工修改"
        rows.append([f.title, value_text(v), src, code])
    print_table(rows, ["项目", "内容", "来源", "字段"])
    return EXIT_OK


def _parse_assignments(pairs: list[str]) -> dict[str, str]:
    from surveys.dossier.codes import DossierError

    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise DossierError(
                f"{pair!r} is not FIELD=VALUE (e.g. 地市=益阳市; FIELD= clears a field).",
                field=pair,
            )
        out[name.strip()] = value
    return out


def _cmd_park_set(args: argparse.Namespace) -> int:
    from surveys.dossier.park import FIELDS_BY_CODE, ParkStore

    values = _parse_assignments(args.assignments)
    with ParkStore(args.project) as store:
        done = store.set_values(values)
    for code, value in done.items():
        _out(f"{FIELDS_BY_CODE[code].title} = {value}" if value else f"{code} cleared")
    return EXIT_OK


# --- dossier -----------------------------------------------------------------------------------
def _cmd_show(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.dossier.build import load_dossier

    d = load_dossier(args.project)
    if args.enterprise:
        items = d.enterprise_items(args.enterprise)
    else:
        items = d.items
    data = []
    for st in items:
        it = d.pack.item(st.item)
        data.append(
            {
                "item": it.code,
                "no": it.no,
                "title": it.title_zh,
                "status": st.status,
                "status_zh": st.status_zh,
                "reviewed": st.reviewed,
                "note": st.review.note if st.review else "",
                "produced": st.produced,
                "detail": st.detail,
                "files": [
                    {"number": a.fid, "path": a.path, "sha256": a.sha256, "check": c}
                    for a, c in st.files
                ],
            }
        )
    done, total = d.completeness()
    if args.json:
        print_json(
            {
                "project": str(d.path),
                "park": d.park_name,
                "complete": done,
                "items_total": total,
                "enterprise": args.enterprise or None,
                "items": data,
            }
        )
        return EXIT_OK
    rows = []
    for x in data:
        files = "、".join(
            f"#{f['number']} {Path(f['path']).name}"
            + ("（缺失）" if f["check"] == "missing" else "")
            for f in x["files"]
        )
        if x["produced"]:
            files = (files + "、" if files else "") + "导出时生成"
        rows.append([x["item"], x["title"][:24], x["status_zh"], files, x["detail"] or x["note"]])
    print_table(rows, ["项", "资料", "状态", "文件", "说明"])
    if not args.enterprise:
        _out(f"{d.park_name}: {done}/{total} 齐全")
    return EXIT_OK


def _cmd_attach(args: argparse.Namespace) -> int:
    from surveys.dossier.park import ParkStore

    with ParkStore(args.project) as store:
        a = store.attach(args.item, args.file, ent_id=args.enterprise or "", title=args.title)
    _out(f"attached #{a.fid} {a.path} to {a.item} (SHA-256 {a.sha256[:12]}…)")
    return EXIT_OK


def _cmd_detach(args: argparse.Namespace) -> int:
    from surveys.dossier.park import ParkStore

    with ParkStore(args.project) as store:
        store.detach(args.number)
    _out(f"removed attachment #{args.number}")
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from surveys.dossier.pack import STATUS_ZH
    from surveys.dossier.park import ParkStore

    with ParkStore(args.project) as store:
        r = store.review(
            args.item,
            args.status,
            ent_id=args.enterprise or "",
            reviewer=args.reviewer or "",
            note=args.note or "",
            reviewed=args.date,
        )
    _out(f"{r.item}{' ' + r.ent_id if r.ent_id else ''}: {STATUS_ZH[r.status or 'missing']}")
    return EXIT_OK


def _cmd_enterprise(args: argparse.Namespace) -> int:
    from network.io.project import open_project
    from surveys.dossier.codes import DossierError
    from surveys.dossier.park import ParkStore

    ents = open_project(args.project, kinds=["enterprises"]).layer("enterprises")
    if args.ent_id not in {str(x) for x in ents.get("ent_id", [])}:
        raise DossierError(
            f"{Path(args.project).name} has no enterprise {args.ent_id!r} (企业编号).",
            field="enterprise",
            found=args.ent_id,
        )
    with ParkStore(args.project) as store:
        store.set_enterprise(args.ent_id, scale=args.scale, operation=args.operation)
    _out(f"{args.ent_id}: recorded")
    return EXIT_OK


def map_producer(d: Any, dpi: int = 150) -> Any:
    """The flow-path map of item 12, drawn by the cartography package (PDF or PNG by suffix)."""
    from gisapp.cartography.export import export_project_map

    def produce(path: Path) -> Path:
        return export_project_map(
            d.project,
            Path(path),
            size="A3" if path.suffix.lower() == ".pdf" else "A4",
            checked=d.checked,
            title=f"{d.park_name}管网图及污水流向图",
            dpi=dpi,
        )

    return produce


def _cmd_export(args: argparse.Namespace) -> int:
    from surveys.dossier.build import load_dossier
    from surveys.dossier.export import export_dossier

    d = load_dossier(args.project)
    producers = {} if args.no_map else {"flow_map": map_producer(d)}
    res = export_dossier(d, args.out, producers=producers, zip_folder=args.zip)
    done, total = d.completeness()
    _out(f"wrote {res.docx}")
    _out(f"wrote {res.folder}/ ({len(res.files)} file(s); contents {res.contents.name})")
    for p in (res.annex13, res.annex11, res.enterprise_list, res.zip):
        if p is not None:
            _out(f"wrote {p}")
    _out(f"{d.park_name}: {done}/{total} 齐全")
    for st, a in res.missing:
        who = f" ({st.ent_id})" if st.ent_id else ""
        _out(f"  missing file: item {st.item}{who}: {a.path} (marked in 目录.xlsx)")
    for w in res.warnings:
        _out(f"  warning: {w}")
    return EXIT_OK


def _cmd_table(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json
    from surveys.dossier.build import load_dossier
    from surveys.dossier.tables import annex13_headers, annex13_row, write_annex11, write_annex13

    if not (args.xlsx or args.xlsx_list or args.json):
        sys.stderr.write(
            "error: give --xlsx FILE (附件1-3), --xlsx-list FILE (附件1-1) or --json\n"
        )
        return EXIT_BAD_INPUT
    parks = [load_dossier(p).values for p in args.projects]
    if args.xlsx:
        write_annex13(parks, args.xlsx)
        _out(f"wrote {args.xlsx} (附件1-3, {len(parks)} park(s))")
    if args.xlsx_list:
        write_annex11(parks, args.xlsx_list)
        _out(f"wrote {args.xlsx_list} (附件1-1, {len(parks)} park(s))")
    if args.json:
        heads = [h.replace("\n", "") for h in annex13_headers()]
        print_json(
            [dict(zip(heads, annex13_row(i, p), strict=True)) for i, p in enumerate(parks, 1)]
        )
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the ``park`` and ``dossier`` commands."""
    p = sub.add_parser("park", help="the park record of 附件1-3 (一园一档 facts)")
    ps = p.add_subparsers(dest="park_command", metavar="ACTION")
    q = ps.add_parser("show", help="the park's facts and computed figures")
    q.add_argument("project")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_cmd_park_show)
    q = ps.add_parser(
        "set",
        help="set facts or override figures: FIELD=VALUE … (FIELD= clears)",
        description="Fields by their 附件1-3 title, a short Chinese name or English code: "
        "地市 区县市 区县具体地址 园区名称 片区名称 园区级别（代码） 产权单位统一社会信用代码 "
        "环评批复文号 应急预案编制及演练情况 主导行业 污水集中处理设施性质 执行标准 监测数据 "
        "排污受纳地表水体质量 备注 填报单位 填报日期, and the computed figures (an override).",
    )
    q.add_argument("project")
    q.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    q.set_defaults(func=_cmd_park_set)

    p = sub.add_parser("dossier", help="一园一档 / 一企一档: checklist, attachments, export")
    ds = p.add_subparsers(dest="dossier_command", metavar="ACTION")
    q = ds.add_parser("show", help="the 20 items (or an enterprise's 5) with status and files")
    q.add_argument("project")
    q.add_argument("--enterprise", metavar="ID", help="an enterprise's 一企一档 items")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_cmd_show)
    q = ds.add_parser("attach", help="attach a file (PDF, image, Word, Excel) to an item")
    q.add_argument("project")
    q.add_argument("item", help="Y01–Y20 or 1–20; Q1–Q5 with --enterprise")
    q.add_argument("file")
    q.add_argument("--enterprise", metavar="ID")
    q.add_argument("--title", default="", help="title in the dossier (default: file name)")
    q.set_defaults(func=_cmd_attach)
    q = ds.add_parser("detach", help="remove an attachment by its number (dossier show)")
    q.add_argument("project")
    q.add_argument("number", type=int)
    q.set_defaults(func=_cmd_detach)
    q = ds.add_parser("review", help="record an item's status 缺失/部分/齐全 with a note")
    q.add_argument("project")
    q.add_argument("item")
    q.add_argument("status", help="缺失, 部分 or 齐全 (missing, partial, complete)")
    q.add_argument("--enterprise", metavar="ID")
    q.add_argument("--note", default="")
    q.add_argument("--reviewer", default="")
    q.add_argument("--date", help="review date (default today)")
    q.set_defaults(func=_cmd_review)
    q = ds.add_parser("enterprise", help="record an enterprise's 生产规模 / 运行情况")
    q.add_argument("project")
    q.add_argument("ent_id", metavar="ID")
    q.add_argument("--scale", help="生产规模")
    q.add_argument("--operation", help="运行情况")
    q.set_defaults(func=_cmd_enterprise)
    q = ds.add_parser("export", help="Word file, folder 按序夹装 with 目录.xlsx, 附件1-1/1-3")
    q.add_argument("project")
    q.add_argument("--out", required=True, metavar="DIR", help="output folder")
    q.add_argument("--zip", action="store_true", help="also zip the folder")
    q.add_argument("--no-map", action="store_true", help="skip drawing the flow-path map")
    q.set_defaults(func=_cmd_export)
    q = ds.add_parser("table", help="附件1-3 (and 附件1-1) of several parks")
    q.add_argument("projects", nargs="+", metavar="PROJECT")
    q.add_argument("--xlsx", metavar="FILE", help="write 附件1-3 (one row per park)")
    q.add_argument("--xlsx-list", metavar="FILE", help="write 附件1-1 (the park list)")
    q.add_argument("--json", action="store_true", help="print the rows as JSON")
    q.set_defaults(func=_cmd_table)
