"""Zero-direct-discharge acceptance commands, 污水零直排区 (no Qt).

``acceptance survey PROJECT [--json | --xlsx 调查表.xlsx]``,
``acceptance score PROJECT [--pack FILE] [--date D] [--json | --xlsx 评分表.xlsx] [--no-save]``,
``acceptance report PROJECT [--pack FILE] [--date D] [--json | --docx 总结报告.docx]``,
``acceptance answer PROJECT SUBJECT FIELD=VALUE … [--note N] [--evidence FILE]``
(SUBJECT ``ent:E01``, ``plant:P01`` or ``park``),
``acceptance manual PROJECT ITEM SCORE [--reason R] [--assessor A] [--evidence FILE] [--pack F]``,
``acceptance history PROJECT [--pack FILE] [--json]``.

``score`` keeps the assessment under its date and raises a ledger problem per item that lost
points (``--no-save`` writes nothing). Exit 0 on success, 2 on bad input (one line naming the
pack, item, subject or field).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gisapp.cli import project_path

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _pack(args: argparse.Namespace) -> Any:
    from surveys.acceptance.pack import load_pack

    return load_pack(getattr(args, "pack", None))


# --- survey ------------------------------------------------------------------------------------
def _cmd_survey(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.acceptance.export import write_survey_xlsx
    from surveys.acceptance.facts import FACT_LIST, PARTS, fact_text
    from surveys.acceptance.survey import load_survey

    s = load_survey(project_path(args.project))
    if args.json:
        print_json(
            {
                "project": str(s.path),
                "park": s.park_name,
                "facts": s.facts,
                "enterprises": [_row_json(r) for r in s.enterprises],
                "plants": [_row_json(r) for r in s.plants],
                "outfalls": [o.__dict__ for o in s.outfalls],
            }
        )
        return EXIT_OK
    if args.xlsx:
        write_survey_xlsx(s, args.xlsx)
        _out(f"wrote {args.xlsx}")
        return EXIT_OK
    _out(f"{s.park_name}：“源、网、厂”调查")
    print_table(
        [
            [PARTS[f.part], f.title_zh, fact_text(f.name, s.facts.get(f.name)), f.name]
            for f in FACT_LIST
        ],
        ["部分", "指标", "数值", "代码"],
    )
    return EXIT_OK


def _row_json(r: Any) -> dict[str, Any]:
    return {
        "subject": r.subject,
        "id": r.ident,
        "name": r.name,
        "answers": {
            k: {"value": c.value, "auto": c.auto, "source": c.source, "evidence": c.evidence}
            for k, c in r.cells.items()
        },
    }


# --- score -------------------------------------------------------------------------------------
def _cmd_score(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.acceptance.assess import assess
    from surveys.acceptance.export import write_checklist_xlsx
    from surveys.acceptance.score import METHOD_ZH, STATUS_ZH
    from surveys.acceptance.store import read_acceptance

    p = project_path(args.project)
    pack = _pack(args)
    res = assess(
        p, pack=pack, date=args.date, save=not args.no_save, raise_problems=not args.no_save
    )
    a = res.assessment
    data = read_acceptance(p)
    if args.json:
        out = a.to_dict()
        out["saved"] = res.saved
        if res.ledger is not None:
            out["ledger"] = {
                "added": len(res.ledger.added),
                "already": res.ledger.skipped,
                "closed": len(res.ledger.closed),
            }
        print_json(out)
        return EXIT_OK
    if args.xlsx:
        write_checklist_xlsx(
            a,
            args.xlsx,
            history=data.history(pack.id),
            evidence=data.evidence,
            project_path=p,
        )
        _out(f"wrote {args.xlsx}")
    else:
        print_table(
            [
                [
                    s.code,
                    s.title_zh,
                    f"{s.score:g}/{s.points:g}",
                    METHOD_ZH.get(s.method, s.method),
                    STATUS_ZH.get(s.status, s.status),
                    s.reason,
                ]
                for s in a.items
            ],
            ["编号", "评分项目", "得分", "方式", "状态", "理由"],
        )
        for k, (s, pts) in a.subtotals().items():
            _out(f"{pack.group(k).title_zh}：{s:g}/{pts:g}")
    verdict = "通过" if a.passed else "未通过"
    _out(f"总分 {a.total:g}/{a.max_total:g}（{a.date}，通过线 {pack.pass_score:g}）：{verdict}")
    if res.ledger is not None and (res.ledger.added or res.ledger.closed):
        _out(f"问题台账：新增 {len(res.ledger.added)} 个，销号 {len(res.ledger.closed)} 个")
    if not pack.official:
        _out(
            "注：PipeAtlas默认评分表（依据政策文件要求编制），非官方评分细则；"
            "--pack 可加载省市评分包。"
        )
    return EXIT_OK


# --- report ------------------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.acceptance.export import before_after, write_report_docx
    from surveys.acceptance.score import score_checklist
    from surveys.acceptance.store import parse_date, read_acceptance
    from surveys.acceptance.survey import load_survey

    p = project_path(args.project)
    pack = _pack(args)
    s = load_survey(p)
    data = read_acceptance(p)
    a = score_checklist(s.facts, pack, data, date=parse_date(args.date))
    history = data.history(pack.id)
    date0, _, _, rows = before_after(a, history)
    if args.json:
        print_json(
            {
                "park": s.park_name,
                "before": date0,
                "after": a.date,
                "figures": [{"title": r[0], "before": r[1], "after": r[2]} for r in rows],
                "passed": a.passed,
            }
        )
        return EXIT_OK
    if args.docx:
        write_report_docx(s, a, args.docx, history=history)
        _out(f"wrote {args.docx}")
        return EXIT_OK
    print_table(rows, ["指标", f"建设前（{date0}）", f"当前（{a.date}）"])
    return EXIT_OK


# --- answers and manual scores -------------------------------------------------------------------
def _cmd_answer(args: argparse.Namespace) -> int:
    from surveys.acceptance.rules import AcceptanceError
    from surveys.acceptance.store import AcceptanceStore, question

    values: dict[str, str] = {}
    for pair in args.values:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise AcceptanceError(
                f"{pair!r} is not FIELD=VALUE (e.g. 雨污分流=是; FIELD= clears).", field=pair
            )
        values[name.strip()] = value
    p = project_path(args.project)
    with AcceptanceStore(p) as store:
        done = store.set_answers(args.subject, values, note=args.note)
        for f in args.evidence or ():
            for code in done or [question(args.subject, "note").code]:
                store.attach(f"answer:{args.subject}:{code}", f)
    for code, value in done.items():
        _out(f"{args.subject} {question(args.subject, code).title_zh} = {value or '（清除）'}")
    return EXIT_OK


def _cmd_manual(args: argparse.Namespace) -> int:
    from surveys.acceptance.store import AcceptanceStore

    pack = _pack(args)
    p = project_path(args.project)
    with AcceptanceStore(p) as store:
        if args.clear:
            store.clear_manual_score(pack, args.item)
            _out(f"{args.item}: manual score cleared")
            return EXIT_OK
        ms = store.set_manual_score(
            pack, args.item, args.score, args.reason or "", assessor=args.assessor or ""
        )
        for f in args.evidence or ():
            store.attach(f"item:{ms.item}", f)
    it = pack.item(ms.item)
    _out(f"{it.code} {it.title_zh}: {ms.score:g}/{it.points:g} {ms.reason}".rstrip())
    return EXIT_OK


def _cmd_history(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from surveys.acceptance.store import read_acceptance

    pack = _pack(args)
    hist = read_acceptance(project_path(args.project)).history(pack.id)
    if args.json:
        print_json([{"date": h.assessed, "total": h.total, "passed": h.passed} for h in hist])
        return EXIT_OK
    print_table(
        [
            [h.assessed, f"{h.total:g}/{h.max_total:g}", "通过" if h.passed else "未通过"]
            for h in hist
        ],
        ["评分日期", "总分", "结论"],
    )
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the ``acceptance`` command and its sub-commands."""
    top = sub.add_parser(
        "acceptance",
        help="zero-direct-discharge acceptance 污水零直排区: survey, score, report",
        description="The 源·网·厂 survey and the scored acceptance checklist (≥ 90 passes in "
        "the default pack). Exit 0 ok, 2 bad input.",
    )
    asub = top.add_subparsers(dest="acceptance_command", metavar="SUBCOMMAND", required=True)

    def pack_date(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--pack", metavar="FILE", help="a checklist pack (.json; default: PipeAtlas's)"
        )
        q.add_argument("--date", metavar="D", help="assessment date (default today)")

    p = asub.add_parser("survey", help="the 源·网·厂 survey filled from the project")
    p.add_argument("project")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--xlsx", metavar="FILE", help="write the survey workbook")
    p.set_defaults(func=_cmd_survey)

    p = asub.add_parser(
        "score", help="score the checklist, keep it under its date, raise problems"
    )
    p.add_argument("project")
    pack_date(p)
    p.add_argument("--no-save", action="store_true", help="write nothing to the project")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--xlsx", metavar="FILE", help="write the scored checklist workbook")
    p.set_defaults(func=_cmd_score)

    p = asub.add_parser("report", help="the summary report (建设总结报告) skeleton")
    p.add_argument("project")
    pack_date(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print JSON")
    g.add_argument("--docx", metavar="FILE", help="write the Word report skeleton")
    p.set_defaults(func=_cmd_report)

    p = asub.add_parser("answer", help="enter survey answers (雨污分流=是 …)")
    p.add_argument("project")
    p.add_argument("subject", help="ent:E01, plant:P01 or park")
    p.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    p.add_argument("--note")
    p.add_argument("--evidence", action="append", metavar="FILE", help="attach an evidence file")
    p.set_defaults(func=_cmd_answer)

    p = asub.add_parser("manual", help="score an item by hand, with the reason and evidence")
    p.add_argument("project")
    p.add_argument("item", help="item code, e.g. M3")
    p.add_argument("score", nargs="?", default="", help="the score (0 … the item's points)")
    p.add_argument("--reason", help="扣分理由 (needed below full points)")
    p.add_argument("--assessor")
    p.add_argument("--evidence", action="append", metavar="FILE", help="attach an evidence file")
    p.add_argument("--clear", action="store_true", help="remove the manual score")
    p.add_argument("--pack", metavar="FILE", help="a checklist pack (.json)")
    p.set_defaults(func=_cmd_manual)

    p = asub.add_parser("history", help="the kept assessments, oldest first")
    p.add_argument("project")
    p.add_argument("--pack", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_history)
