"""``python main.py overlap PROJECT``: the protected-area conflict check (no Qt).

Exit status: 0 no conflicts, 1 conflicts found (``--fail-on warning`` also counts warnings),
2 bad input (one line on stderr naming the file, layer, feature or field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from network.schema import (
    LAYER_LABELS_ZH,
    ZONE_CLASS_LABELS_ZH,
    ZONE_CLASSES,
    ZONE_LEVEL_LABELS_ZH,
)

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
_FAIL_ON = {
    "conflict": ("conflict",),
    "warning": ("conflict", "warning"),
    "info": ("conflict", "warning", "info"),
}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the ``overlap`` command."""
    p = sub.add_parser(
        "overlap",
        help="check pipes, manholes, outfalls, plants, enterprises and the park boundary "
        "against protected areas (红线/保护区/水源地)",
        description="Protected-area conflict check. Exit 0: no conflicts; 1: conflicts; "
        "2: bad input.",
    )
    p.add_argument("project", help="the project GeoPackage")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--xlsx", metavar="FILE", help="write the Excel report")
    p.add_argument("--pdf", metavar="FILE", help="write the PDF report")
    p.add_argument(
        "--rules",
        metavar="JSON",
        help="rule table file (default: the rules saved with the project)",
    )
    p.add_argument(
        "--save-rules", action="store_true", help="save the --rules table into the project"
    )
    p.add_argument(
        "--zones",
        metavar="FILE",
        help="use this polygon layer as zones (file or FILE.gpkg:LAYER) instead of "
        "the project's zone layer",
    )
    p.add_argument("--class-field", help="zone class column of --zones (类别)")
    p.add_argument("--level-field", help="zone level column of --zones (分区/级别)")
    p.add_argument("--id-field", help="zone id column of --zones (编号)")
    p.add_argument("--name-field", help="zone name column of --zones (名称)")
    p.add_argument(
        "--zone-class",
        choices=ZONE_CLASSES,
        help="class of zones whose class field is empty or missing",
    )
    p.add_argument(
        "--fail-on",
        choices=tuple(_FAIL_ON),
        default="conflict",
        help="lowest severity that makes the exit status 1 (default conflict)",
    )
    p.add_argument(
        "--raise-problems",
        action="store_true",
        help="raise each conflict as a problem in the project's ledger (once)",
    )
    p.add_argument(
        "--date", help="report date YYYY-MM-DD (default today; fix it for byte-identical reports)"
    )
    p.set_defaults(func=cmd_overlap)


def _zones_arg(args: argparse.Namespace, project_crs: object) -> object:
    from network.io.read import read_vector, split_layer_spec
    from surveys.zones.overlap import prepare_zones

    path, layer = split_layer_spec(args.zones)
    gdf, _engine, _enc = read_vector(path, layer)
    fields = {
        "zone_class": args.class_field,
        "zone_level": args.level_field,
        "zone_id": args.id_field,
        "name": args.name_field,
    }
    mapping = None
    if any(fields.values()):
        mapping = dict(fields)
    return prepare_zones(
        gdf, mapping, crs=project_crs, default_class=args.zone_class, file=path.name
    )


def cmd_overlap(args: argparse.Namespace) -> int:
    """Run the check; print, write reports; return the exit status."""
    import datetime as dt

    from gisapp.cli import report_user_error, user_errors
    from network.io.project import open_project
    from network.progress import drain
    from surveys.zones.overlap import check_project, raise_conflicts
    from surveys.zones.rules import read_rules_file, save_rules

    try:
        when = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"error: --date {args.date!r} is not a date like 2024-06-30", file=sys.stderr)  # noqa: T201
        return EXIT_BAD_INPUT
    try:
        project = open_project(args.project)
        rules = read_rules_file(args.rules) if args.rules else None
        if rules is not None and args.save_rules:
            save_rules(project.path, rules)
        zones = _zones_arg(args, project.crs) if args.zones else None
        result = drain(check_project(project, rules, zones=zones))
        if args.xlsx:
            from surveys.zones.report import write_xlsx

            write_xlsx(result, args.xlsx, generated_at=when)
        if args.pdf:
            from surveys.zones.report import write_pdf

            write_pdf(result, args.pdf, generated_at=when)
        if args.raise_problems:
            raised = raise_conflicts(project.path, result)
            sys.stderr.write(
                f"ledger: {len(raised.added)} problem(s) raised, {raised.skipped} already there\n"
            )
    except user_errors() as exc:
        return report_user_error(exc)
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_text(result, args)
    failing = _FAIL_ON[args.fail_on]
    return EXIT_FINDINGS if result.rows["severity"].isin(failing).any() else EXIT_OK


def _print_text(result: object, args: argparse.Namespace) -> None:
    from surveys.zones.overlap import RELATION_LABELS_ZH
    from surveys.zones.rules import SEVERITY_LABELS_ZH

    rows = result.rows  # type: ignore[attr-defined]
    out = sys.stdout
    counts = {s: int((rows["severity"] == s).sum()) for s in SEVERITY_LABELS_ZH}
    out.write(
        f"{Path(args.project).name}: {counts['conflict']} conflict(s) 冲突, "
        f"{counts['warning']} warning(s) 警告, {counts['info']} info 提示 "
        f"(measured in {result.provenance['metric_crs']})\n"  # type: ignore[attr-defined]
    )
    for r in rows.itertuples():
        amount = ""
        if r.overlap_length_m == r.overlap_length_m:
            amount = f" {r.overlap_length_m:.2f} m inside"
        elif r.overlap_area_m2 == r.overlap_area_m2:
            amount = f" {r.overlap_area_m2:.1f} m² inside ({r.overlap_share:.2%})"
        level = ZONE_LEVEL_LABELS_ZH.get(r.zone_level, "") if isinstance(r.zone_level, str) else ""
        out.write(
            f"  [{r.severity}] {LAYER_LABELS_ZH.get(r.feature_type, r.feature_type)} "
            f"{r.feature_id} {RELATION_LABELS_ZH[r.relation]} {r.zone_id} {r.zone_name or ''} "
            f"({ZONE_CLASS_LABELS_ZH.get(r.zone_class, r.zone_class)}{level}){amount}, "
            f"{r.distance_m:.2f} m from the edge, rule {r.rule_id or '-'}\n"
        )
    for issue in result.issues:  # type: ignore[attr-defined]
        out.write(f"  note: {issue.message_en}\n")
    if args.xlsx:
        out.write(f"wrote {args.xlsx}\n")
    if args.pdf:
        out.write(f"wrote {args.pdf}\n")
