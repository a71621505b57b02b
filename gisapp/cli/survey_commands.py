"""Survey, grading and ledger commands (no Qt).

``survey import PROJECT FILE [--mapping M]``, ``survey list PROJECT [--json]``,
``grade PROJECT [--json | --xlsx FILE | --pdf FILE]``, ``ledger export PROJECT --xlsx FILE``,
``ledger import PROJECT FILE [--yes]``. Exit 0 on success, 2 on bad input (one line on
stderr naming the file, row and field).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _store(args: argparse.Namespace, *, with_pipes: bool = False):
    """The survey store of ``args.project`` (refused unless it is a PipeAtlas project).

    ``with_pipes``: open the project's pipes first and grade/validate against them (the
    store reads them itself, once, when a command that skips this needs them after all).
    """
    from surveys.store import SurveyStore

    pipes = None
    if with_pipes:
        from network.io.project import open_project

        pipes = open_project(args.project, kinds=["pipes"])
    return SurveyStore(args.project, pipes=pipes, author=getattr(args, "author", None))


# --- survey ------------------------------------------------------------------------------------
def _cmd_survey_import(args: argparse.Namespace) -> int:
    from surveys.importer import import_observations

    with _store(args, with_pipes=True) as store:
        res = import_observations(
            store,
            args.file,
            args.mapping,
            method=args.method,
            contractor=args.contractor or "",
            photo_folder=args.photos,
        )
        resolved = 0
        if res.pending:
            resolved, _ = store.resolve_pending()
    name = Path(args.file).name
    insp = ", ".join(f"{i.uuid} {i.date}" for i in res.inspections)
    label = "inspections" if len(res.inspections) > 1 else "inspection"
    _out(
        f"imported {len(res.imported)} observation(s) from {name} into "
        f"{Path(args.project).name} ({label} {insp}"
        f"); {len(res.rejected)} row(s) rejected; {res.pending - resolved} pending pipe match"
    )
    _out("mapping: " + ", ".join(f"{k}←{v}" for k, v in res.mapping.items()))
    for p in res.rejected:
        _out(f"  rejected: {name} {p}")
    for p in res.warnings:
        _out(f"  warning: {name} {p}")
    return EXIT_OK


def _cmd_survey_list(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table

    with _store(args) as store:
        obs = store.records("observation", include_deleted=args.deleted)
        insp = {i.uuid: i for i in store.records("inspection", include_deleted=True)}
        counts = {
            k: store.count(k)
            for k in ("inspection", "observation", "misconnection", "leak", "siltation", "problem")
        }
    if args.json:
        import dataclasses

        print_json({"counts": counts, "observations": [dataclasses.asdict(o) for o in obs]})
        return EXIT_OK
    rows = [
        [
            o.pipe_id or f"{o.start_node}→{o.end_node}",
            f"{o.distance_m:g}" if o.distance_m is not None else "",
            o.code,
            o.grade,
            o.clock_text(),
            insp[o.inspection_id].date if o.inspection_id in insp else "",
            o.author,
            "deleted" if o.deleted else "",
            o.uuid[:8],
        ]
        for o in obs
    ]
    print_table(
        rows, ["pipe", "distance_m", "code", "grade", "clock", "date", "author", "state", "id"]
    )
    _out(" ".join(f"{k}={v}" for k, v in counts.items()))
    return EXIT_OK


# --- grade -------------------------------------------------------------------------------------
def _cmd_grade(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.reports import grades_records, write_report_pdf, write_report_xlsx

    with _store(args, with_pipes=True) as store:
        grades = store.regrade()
        if args.xlsx:
            write_report_xlsx(store, args.xlsx, grades=grades)
            _out(f"wrote {args.xlsx} (管段状况评估表, 检测成果表, 缺陷统计)")
        if args.pdf:
            write_report_pdf(store, args.pdf, grades=grades)
            _out(f"wrote {args.pdf}")
        if args.json:
            print_json(grades_records(store, grades))
            return EXIT_OK
        if args.xlsx or args.pdf:
            return EXIT_OK
        inspected = set(store.observations_for_grading()["pipe_id"])
    g = grades.loc[grades.index.isin(inspected)]
    rows = [
        [
            pid,
            r.n,
            f"{r.f:.2f}",
            r.structural_grade,
            f"{r.ri:.2f}",
            r.repair_grade or "",
            r.n_functional,
            f"{r.g:.2f}",
            r.functional_grade,
            f"{r.mi:.2f}",
            r.maintenance_grade or "",
        ]
        for pid, r in g.iterrows()
    ]
    print_table(
        rows, ["pipe", "n", "F", "struct", "RI", "repair", "n_func", "G", "func", "MI", "maint"]
    )
    _out(f"{len(g)} inspected pipe(s) of {len(grades)}")
    return EXIT_OK


# --- ledger ------------------------------------------------------------------------------------
def _cmd_ledger_export(args: argparse.Namespace) -> int:
    from surveys.ledger import export_ledger_xlsx

    with _store(args) as store:
        path = export_ledger_xlsx(store, args.xlsx)
        n = store.count("problem")
    _out(f"wrote {path} ({n} problem(s))")
    return EXIT_OK


def _cmd_ledger_import(args: argparse.Namespace) -> int:
    from surveys.ledger import apply_ledger_import, plan_ledger_import

    with _store(args) as store:
        plan = plan_ledger_import(store, args.file)
        for line in plan.lines():
            _out(line)
        if plan.empty:
            _out("nothing to apply")
            return EXIT_OK
        if not args.yes:
            if not sys.stdin.isatty():
                _out("dry run: rerun with --yes to apply the changes above")
                return EXIT_OK
            answer = input("apply these changes? [y/N] ").strip().lower()
            if answer not in ("y", "yes", "是"):
                _out("nothing applied")
                return EXIT_OK
        res = apply_ledger_import(store, plan)
    refused = f"; {len(plan.errors)} row(s) refused (listed above)" if plan.errors else ""
    _out(
        f"applied: {len(res.updated)} updated, {len(res.added)} added; "
        f"{len(res.conflicts)} conflict(s) left for review{refused}"
    )
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``survey``, ``grade`` and ``ledger`` commands."""
    p = sub.add_parser("survey", help="defect survey records (import, list)")
    ss = p.add_subparsers(dest="survey_command", metavar="ACTION")
    q = ss.add_parser("import", help="import an inspection table (CSV/Excel) as observations")
    q.add_argument("project")
    q.add_argument("file", help="contractor table .csv or .xlsx")
    q.add_argument(
        "--mapping",
        help="column mapping: JSON file or field=column,field=column "
        "(fields: pipe_id start_node end_node distance_m code code_name grade clock "
        "length_m video_time photos remarks date)",
    )
    q.add_argument(
        "--method", default="cctv", help="cctv (default), qv, sonar, manual, dye, smoke"
    )
    q.add_argument("--contractor", help="inspection contractor")
    q.add_argument("--photos", help="folder holding the photo files named in the table")
    q.add_argument("--author", help="name recorded as author (default: login name)")
    q.set_defaults(func=_cmd_survey_import)
    q = ss.add_parser("list", help="list the observations of a project")
    q.add_argument("project")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--deleted", action="store_true", help="include deleted records")
    q.set_defaults(func=_cmd_survey_list)

    p = sub.add_parser("grade", help="CJJ 181 segment assessment of every inspected pipe")
    p.add_argument("project")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON (every pipe)")
    g.add_argument("--xlsx", metavar="FILE", help="write 管段状况评估表 and 检测成果表 to Excel")
    p.add_argument("--pdf", metavar="FILE", help="also write the report as PDF")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("ledger", help="problem ledger 台账 (Excel export/import)")
    ls = p.add_subparsers(dest="ledger_command", metavar="ACTION")
    q = ls.add_parser("export", help="export the ledger to Excel")
    q.add_argument("project")
    q.add_argument("--xlsx", metavar="FILE", required=True)
    q.set_defaults(func=_cmd_ledger_export)
    q = ls.add_parser("import", help="import an edited ledger workbook (shows the changes)")
    q.add_argument("project")
    q.add_argument("file")
    q.add_argument("--yes", action="store_true", help="apply without asking")
    q.add_argument("--author", help="name recorded as modifier (default: login name)")
    q.set_defaults(func=_cmd_ledger_import)
