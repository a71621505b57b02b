"""The problem ledger's Excel round trip: export to the park-table workbook and re-import.

:func:`export_ledger_xlsx` writes the park-table column order (序号, 问题, 整改措施, 责任单位,
责任人, 整改时限, 整改进展, …) plus hidden columns with each problem's id and revision, and a
hidden sheet keeps the exported values. :func:`plan_ledger_import` makes a field-level
three-way comparison (exported values, workbook, project): fields edited only in the
workbook become changes (merged onto the current project record, so edits of other fields
in the project are kept), a field edited on both sides to different values makes the row a
conflict (flagged, never overwritten), rows without an id become new problems.
:func:`apply_ledger_import` saves the plan in one transaction.

The ledger itself (raising, tracking, the summary) is :mod:`surveys.ledger`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveys.records import (
    SOURCE_LABELS_ZH,
    STATUS_LABELS_EN,
    STATUS_LABELS_ZH,
    STATUSES,
    Problem,
    parse_date,
)
from surveys.store import SurveyStore
from surveys.store_errors import WorkbookError

if TYPE_CHECKING:
    from surveys.ledger import LedgerSummary

WORKBOOK_FORMAT = "pipeatlas-ledger"
WORKBOOK_VERSION = 1
LEDGER_SHEET = "问题台账"
SUMMARY_SHEET = "汇总"
META_SHEET = "_pipeatlas"

#: Visible columns in the park-table order: (header, field or None for computed).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("序号", None),
    ("问题", "description"),
    ("整改措施", "measure"),
    ("责任单位", "responsible_body"),
    ("责任人", "responsible_person"),
    ("整改时限", "deadline"),
    ("整改进展", "notes"),
    ("整改状态", "status"),
    ("问题位置", "location"),
    ("问题来源", "source"),
    ("是否逾期", None),
)
HIDDEN_COLUMNS = ("记录编号", "版本")
EXPORTED_SHEET = "_exported"
#: Fields a workbook may change.
EDITABLE = (
    "description",
    "measure",
    "responsible_body",
    "responsible_person",
    "deadline",
    "notes",
    "status",
    "location",
)


# --- Excel: value normalisation ---------------------------------------------------------------
_STATUS_FROM_TEXT = {
    **{v: k for k, v in STATUS_LABELS_ZH.items()},
    **{v.lower(): k for k, v in STATUS_LABELS_EN.items()},
    **{k: k for k in STATUSES},
    "未完成": "open",
    "待整改": "open",
    "进行中": "in_progress",
    "正在整改": "in_progress",
    "已整改": "done",
    "完成": "done",
    "已核实": "verified",
    "验收": "verified",
    "in progress": "in_progress",
}
_NOTE_RE = re.compile(r"^\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)\s*[:：]?\s*(.*)$")


def notes_to_text(notes: Sequence[Mapping[str, Any]]) -> str:
    """Progress notes as the 整改进展 cell shows them: one ``YYYY-MM-DD text`` per line."""
    return "\n".join(f"{n.get('date', '')} {n.get('text', '')}".strip() for n in notes)


def text_to_notes(
    text: str, today: dt.date, old: Sequence[Mapping[str, Any]] = (), author: str = ""
) -> list[dict[str, Any]]:
    """Parse a 整改进展 cell back into notes (a line without a date gets ``today``).

    Notes equal to an old note (same date and text) keep their author.
    """
    keep = {(n.get("date"), n.get("text")): n for n in old}
    out = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        m = _NOTE_RE.match(line)
        d: dt.date | None = None
        body = line.strip()
        if m:
            try:
                d = parse_date(m.group(1))
                body = m.group(2).strip()
            except ValueError:
                d = None
        key = ((d or today).isoformat(), body)
        out.append(dict(keep.get(key, {"date": key[0], "text": body, "author": author})))
    return out


def _norm_status(v: Any) -> str | None:
    t = str(v or "").strip()
    return _STATUS_FROM_TEXT.get(t, _STATUS_FROM_TEXT.get(t.lower()))


def _norm_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Editable values as comparable text (dates ISO, notes as cell text)."""
    out = {}
    for f in EDITABLE:
        v = values.get(f)
        if f == "notes":
            v = notes_to_text(v) if isinstance(v, list) else str(v or "")
            v = "\n".join(line.strip() for line in v.splitlines() if line.strip())
        elif f == "deadline":
            try:
                d = parse_date(v)
                v = d.isoformat() if d else ""
            except (ValueError, TypeError):
                v = str(v).strip()
        elif f == "status":
            v = _norm_status(v) or str(v or "").strip()
        else:
            v = "" if v is None else str(v).strip()
        out[f] = v
    return out


# --- Excel: export ----------------------------------------------------------------------------
#: Widest a wrapped text column of the ledger sheet gets (characters).
WRAP_WIDTH = 40


def export_ledger_xlsx(
    store: SurveyStore, path: str | Path, *, title: str = "", today: dt.date | None = None
) -> Path:
    """Write the live problems to an Excel workbook in the park-table column order.

    Sheet ``问题台账`` (title row, header row, one row per problem; overdue rows in red;
    status as a drop-down), sheet ``汇总`` (counts by responsible body and status) and a
    hidden sheet identifying the export. Hidden columns 记录编号/版本 and the hidden sheet of
    exported values let :func:`plan_ledger_import` detect edits and conflicts.

    Every cell goes through :mod:`network.io.xlsx`: a problem, measure or name beginning
    with ``=``, ``+``, ``-`` or ``@`` is written as text (never a formula) and reads back as
    the same string.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    WorkbookError
        The file cannot be written (open in Excel?).
    """
    from openpyxl import Workbook

    from surveys.ledger import summarize

    path = Path(path)
    today = today or store.today()
    problems = store.records("problem")
    wb = Workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    _ledger_sheet(ws, problems, title or f"{store.path.stem} 问题整改台账", today)
    _summary_sheet(wb.create_sheet(SUMMARY_SHEET), summarize(problems, today), today)
    _exported_sheet(wb.create_sheet(EXPORTED_SHEET), problems)
    _meta_sheet(wb.create_sheet(META_SHEET), store.path.name, today)
    try:
        wb.save(path)
    except OSError as exc:
        raise WorkbookError(
            f"Cannot write {path.name}: {exc.strerror}; close it in Excel and try again.",
            details=str(exc),
            file=str(path),
        ) from exc
    return path


def _ledger_row(i: int, p: Problem, overdue: bool) -> dict[str, Any]:
    """One problem as the ledger sheet shows it (header → value)."""
    return {
        "序号": i,
        "问题": p.description,
        "整改措施": p.measure,
        "责任单位": p.responsible_body,
        "责任人": p.responsible_person,
        "整改时限": _as_date(p.deadline),
        "整改进展": notes_to_text(p.notes),
        "整改状态": STATUS_LABELS_ZH.get(p.status, p.status),
        "问题位置": p.location,
        "问题来源": SOURCE_LABELS_ZH.get(p.source, p.source),
        "是否逾期": "是" if overdue else "",
        "记录编号": p.uuid,
        "版本": p.revision,
    }


def _ledger_sheet(ws: Any, problems: Sequence[Problem], title: str, today: dt.date) -> None:
    """The 问题台账 sheet: title, header, one row per problem, then its styles."""
    from openpyxl.styles import Alignment, Font

    from network.io.xlsx import set_cell, write_table

    headers = [h for h, _ in COLUMNS] + list(HIDDEN_COLUMNS)
    overdue = [p.is_overdue(today) for p in problems]
    rows = [
        [_ledger_row(i, p, late)[h] for h in headers]
        for i, (p, late) in enumerate(zip(problems, overdue, strict=True), 1)
    ]
    set_cell(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    write_table(ws, headers, rows, start_row=2, freeze=False)
    _style_ledger_sheet(ws, headers, overdue)


def _style_ledger_sheet(ws: Any, headers: Sequence[str], overdue: Sequence[bool]) -> None:
    """Borders, header fill, red overdue rows, date format, widths, hidden id columns."""
    from openpyxl.styles import Alignment, Border, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = PatternFill("solid", fgColor="DDEBF7")
    red = PatternFill("solid", fgColor="FFC7CE")
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in ws[2]:
        c.fill, c.border = head, border
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    deadline_col = headers.index("整改时限") + 1
    for r, late in enumerate(overdue, 3):
        for j in range(1, len(headers) + 1):
            c = ws.cell(r, j)
            c.border, c.alignment = border, wrap
            if late and j <= len(COLUMNS):
                c.fill = red
        if ws.cell(r, deadline_col).value is not None:
            ws.cell(r, deadline_col).number_format = "yyyy-mm-dd"
    for j in range(1, len(headers) + 1):
        dim = ws.column_dimensions[get_column_letter(j)]
        dim.width = min(dim.width or WRAP_WIDTH, WRAP_WIDTH + 2)
        dim.hidden = j > len(COLUMNS)
    ws.freeze_panes = "C3"
    status_col = get_column_letter(headers.index("整改状态") + 1)
    dv = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_LABELS_ZH.values()) + '"', allow_blank=True
    )
    dv.error = "请选择：" + "、".join(STATUS_LABELS_ZH.values())
    ws.add_data_validation(dv)
    dv.add(f"{status_col}3:{status_col}{max(len(overdue) + 2, 3) + 200}")


def _exported_sheet(ws: Any, problems: Sequence[Problem]) -> None:
    """The hidden sheet of exported values (the base of the three-way comparison)."""
    from network.io.xlsx import write_table

    rows = [
        [p.uuid, p.revision, json.dumps(_norm_values(dataclasses.asdict(p)), ensure_ascii=False)]
        for p in problems
    ]
    write_table(ws, ["uuid", "revision", "values"], rows, freeze=False)
    ws.sheet_state = "hidden"


def _meta_sheet(ws: Any, project: str, today: dt.date) -> None:
    from network.io.xlsx import set_cell

    for r, (k, v) in enumerate(
        (
            ("format", WORKBOOK_FORMAT),
            ("version", WORKBOOK_VERSION),
            ("project", project),
            ("exported", dt.datetime.now().isoformat(timespec="seconds")),
            ("today", today.isoformat()),
        ),
        1,
    ):
        set_cell(ws.cell(r, 1), k)
        set_cell(ws.cell(r, 2), v)
    ws.sheet_state = "hidden"


def _as_date(v: str) -> dt.date | None:
    try:
        return parse_date(v)
    except ValueError:
        return None


def _summary_sheet(ws: Any, s: LedgerSummary, today: dt.date) -> None:
    from openpyxl.styles import Font

    from network.io.xlsx import display_width, fit_columns, set_cell, write_table

    set_cell(ws.cell(1, 1), f"问题台账汇总（截至 {today.isoformat()}）")
    ws["A1"].font = Font(bold=True, size=13)
    by_status = [[STATUS_LABELS_ZH[st], s.by_status[st]] for st in STATUSES]
    by_status += [["逾期", s.overdue], ["合计", s.total]]
    write_table(ws, ["整改状态", "数量"], by_status, start_row=3, freeze=False)
    start = 3 + len(by_status) + 2
    heads = ["责任单位", *[STATUS_LABELS_ZH[x] for x in STATUSES], "逾期", "合计"]
    rows = [
        [body, *[int(row[x]) for x in (*STATUSES, "overdue", "total")]]
        for body, row in s.by_body.iterrows()
    ]
    write_table(ws, heads, rows, start_row=start, freeze=False)
    widths = [max(display_width(c.value) for c in col) for col in ws.iter_cols(min_row=3)]
    fit_columns(ws, widths)


# --- Excel: import ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One field of a problem: project value and workbook value (normalised text)."""

    field: str
    project: str
    workbook: str


@dataclass
class RowChange:
    """A workbook row edited only in the workbook: safe to apply."""

    row: int
    uuid: str
    description: str
    changes: list[FieldChange]
    record: Problem  # the project's problem with the workbook's edits, at its revision


@dataclass
class RowConflict:
    """A row edited both in the workbook and in the project since the export."""

    row: int
    uuid: str
    description: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class LedgerImportPlan:
    """What importing a workbook would do; show it, then :func:`apply_ledger_import`.

    ``errors`` are the rows that will not be applied, as ``(row, message)`` with the message
    naming the column; ``missing_columns`` are the editable columns absent from the workbook
    (their fields are left as they are in the project, never blanked).
    """

    file: str
    changes: list[RowChange] = field(default_factory=list)
    new: list[tuple[int, Problem]] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0
    missing_columns: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to apply."""
        return not self.changes and not self.new

    @property
    def refused(self) -> int:
        """Rows that applying will leave out (unreadable rows and conflicts)."""
        return len(self.errors) + len(self.conflicts)

    def lines(self) -> list[str]:
        """The plan as text lines (for the CLI and a confirmation dialog)."""
        out = [
            f"{self.file}: {len(self.changes)} changed, {len(self.new)} new, "
            f"{len(self.conflicts)} conflict(s), {len(self.errors)} unreadable row(s), "
            f"{self.unchanged} unchanged"
        ]
        if self.missing_columns:
            out.append(
                f"  column(s) absent from the workbook: {'、'.join(self.missing_columns)}; "
                "those fields are not changed (a missing column is not a blank one)"
            )
        for c in self.changes:
            out.append(f"  row {c.row} change {c.description[:30]}")
            out.extend(f"      {f.field}: {f.project!r} -> {f.workbook!r}" for f in c.changes)
        for r, p in self.new:
            out.append(f"  row {r} new: {p.description[:40]}")
        for k in self.conflicts:
            out.append(f"  row {k.row} CONFLICT {k.description[:30]}: {k.reason}")
            out.extend(
                f"      {f.field}: project {f.project!r} / workbook {f.workbook!r}"
                for f in k.changes
            )
        out.extend(f"  row {r} REFUSED: {msg}" for r, msg in self.errors)
        if self.refused:
            out.append(
                f"  {self.refused} row(s) above (REFUSED / CONFLICT) will not be applied; "
                "the other changes will"
            )
        return out


@dataclass
class _LedgerSheet:
    """The ledger sheet of an export: header row, columns present, exported values."""

    ws: Any
    header_row: int
    heads: dict[str, int]  # header → column number
    base: dict[str, dict[str, str]]  # uuid → exported values
    missing: list[str]  # editable column headers absent

    def value(self, r: int, header: str) -> Any:
        col = self.heads.get(header)
        return self.ws.cell(r, col).value if col else None

    def where(self, header: str) -> str:
        """``column 整改时限 (F)`` for messages."""
        from openpyxl.utils import get_column_letter

        col = self.heads.get(header)
        return f"column {header} ({get_column_letter(col)})" if col else f"column {header}"


def _read_workbook(path: Path) -> _LedgerSheet:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, data_only=True)
    except FileNotFoundError as exc:
        raise WorkbookError(f"{path} does not exist.", file=str(path)) from exc
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise WorkbookError(
            f"{path.name} is not an Excel .xlsx workbook ({exc}).",
            details=str(exc),
            file=str(path),
        ) from exc
    if META_SHEET not in wb.sheetnames or LEDGER_SHEET not in wb.sheetnames:
        raise WorkbookError(
            f"{path.name} is not a PipeAtlas ledger export (no sheet {LEDGER_SHEET!r} with the "
            "hidden id columns). Export the ledger first, edit that file, and import it.",
            file=str(path),
        )
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r and r[0]}
    if meta.get("format") != WORKBOOK_FORMAT:
        raise WorkbookError(f"{path.name} is not a PipeAtlas ledger export.", file=str(path))
    base: dict[str, dict[str, str]] = {}
    if EXPORTED_SHEET in wb.sheetnames:
        for row in wb[EXPORTED_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0]:
                try:
                    base[str(row[0])] = json.loads(row[2])
                except (TypeError, ValueError):
                    continue
    ws = wb[LEDGER_SHEET]
    known = {h for h, _ in COLUMNS}
    for r in range(1, 6):
        heads = {str(c.value).strip(): c.column for c in ws[r] if c.value is not None}
        if "记录编号" in heads and known & heads.keys():
            break
    else:
        raise WorkbookError(
            f"{path.name}: sheet {LEDGER_SHEET} has no header row with the hidden column "
            "记录编号; do not delete the header row or the hidden columns 记录编号/版本.",
            file=str(path),
            field="记录编号",
        )
    if "版本" not in heads:
        raise WorkbookError(
            f"{path.name}: sheet {LEDGER_SHEET} has no hidden column 版本 (row {r}); "
            "do not delete the hidden columns 记录编号/版本. Export the ledger again.",
            file=str(path),
            field="版本",
        )
    missing = [h for h, f in COLUMNS if f in EDITABLE and h not in heads]
    return _LedgerSheet(ws, r, heads, base, missing)


def plan_ledger_import(store: SurveyStore, path: str | Path) -> LedgerImportPlan:
    """Compare an edited ledger workbook with the project.

    For each row: unchanged since export → nothing; edited in the workbook while the
    project still has the exported revision → a change; edited in the workbook *and* in
    the project since the export → a conflict (unless both made the same edit); no id →
    a new problem; unreadable → an error with the row number and column (the other rows are
    still planned). A column deleted from the workbook leaves its field as it is: the
    columns absent are listed in ``missing_columns``.

    Raises
    ------
    WorkbookError
        The file is not a PipeAtlas ledger export.
    """
    path = Path(path)
    sheet = _read_workbook(path)
    plan = LedgerImportPlan(path.name, missing_columns=list(sheet.missing))
    current = {p.uuid: p for p in store.records("problem", include_deleted=True)}
    for r in range(sheet.header_row + 1, sheet.ws.max_row + 1):
        raw = {f: sheet.value(r, h) for h, f in COLUMNS if f in EDITABLE and h in sheet.heads}
        uid = str(sheet.value(r, "记录编号") or "").strip()
        if not uid and not any(v not in (None, "") for v in raw.values()):
            continue  # blank row
        try:
            if not uid:
                plan.new.append((r, _new_problem(sheet, r, raw, store)))
            else:
                _plan_row(plan, sheet, r, uid, raw, current.get(uid), store)
        except _RowError as exc:
            plan.errors.append((r, str(exc)))
    return plan


class _RowError(ValueError):
    """One row of the workbook cannot be applied (the message names the column)."""


def _read_status(sheet: _LedgerSheet, r: int, raw: Mapping[str, Any], *, new: bool) -> str:
    v = raw.get("status")
    if v in (None, ""):
        if new:
            return "open"
        raise _RowError(
            f"{sheet.where('整改状态')} is empty; choose one of "
            f"{'、'.join(STATUS_LABELS_ZH.values())}"
        )
    status = _norm_status(v)
    if status is None:
        raise _RowError(
            f"{sheet.where('整改状态')}: {v!r} is not one of "
            f"{'、'.join(STATUS_LABELS_ZH.values())}"
        )
    return status


def _read_deadline(sheet: _LedgerSheet, raw: Mapping[str, Any]) -> str:
    v = raw.get("deadline")
    try:
        d = parse_date(v) if v not in (None, "") else None
    except (ValueError, TypeError):
        raise _RowError(f"{sheet.where('整改时限')}: {v!r} is not a date (YYYY-MM-DD)") from None
    return d.isoformat() if d else ""


def _new_problem(
    sheet: _LedgerSheet, r: int, raw: Mapping[str, Any], store: SurveyStore
) -> Problem:
    """A row without an id: a new problem (missing columns give empty fields)."""
    status = _read_status(sheet, r, raw, new=True)
    deadline = _read_deadline(sheet, raw)
    if not str(raw.get("description") or "").strip():
        raise _RowError(f"{sheet.where('问题')} is empty")

    def text(f: str) -> str:
        return str(raw.get(f) or "").strip()

    return Problem(
        description=text("description"),
        measure=text("measure"),
        responsible_body=text("responsible_body"),
        responsible_person=text("responsible_person"),
        deadline=deadline,
        notes=text_to_notes(raw.get("notes") or "", store.today(), author=store.author),
        status=status,
        location=text("location"),
        source="import",
    )


def _plan_row(
    plan: LedgerImportPlan,
    sheet: _LedgerSheet,
    r: int,
    uid: str,
    raw: Mapping[str, Any],
    proj: Problem | None,
    store: SurveyStore,
) -> None:
    """Plan one exported row: unchanged, a change or a conflict (or raise _RowError)."""
    if proj is None:
        raise _RowError(
            f"column 记录编号: {uid} is not in this project (was the workbook exported from "
            "another project?)"
        )
    given = dict(raw)
    if "status" in given:
        given["status"] = _read_status(sheet, r, raw, new=False)
    if "deadline" in given:
        given["deadline"] = _read_deadline(sheet, raw)
    try:
        exported_rev = int(sheet.value(r, "版本"))
    except (TypeError, ValueError):
        exported_rev = -1
    exported = sheet.base.get(uid)
    if exported is None or exported_rev < 0:
        raise _RowError(
            f"column 记录编号/版本: {uid}: the hidden export data is missing or was changed; "
            "export the ledger again"
        )
    # a column absent from the workbook is "not given": its exported value stands
    wb_vals = {**_norm_values(given), **{f: exported.get(f, "") for f in EDITABLE - given.keys()}}
    wb_edits = [f for f in EDITABLE if wb_vals[f] != exported.get(f, "")]
    if not wb_edits:
        plan.unchanged += 1
        return
    pj_vals = _norm_values(dataclasses.asdict(proj))
    desc = proj.description
    if proj.deleted:
        plan.conflicts.append(
            RowConflict(
                r,
                uid,
                desc,
                "deleted in the project since the export",
                [FieldChange(f, pj_vals[f], wb_vals[f]) for f in wb_edits],
            )
        )
        return
    both = [f for f in wb_edits if pj_vals[f] != exported.get(f, "") and pj_vals[f] != wb_vals[f]]
    if both:
        plan.conflicts.append(
            RowConflict(
                r,
                uid,
                desc,
                f"edited in the project by {proj.modified_by} at {proj.modified} "
                f"(revision {proj.revision}, exported {exported_rev}) and in the workbook",
                [FieldChange(f, pj_vals[f], wb_vals[f]) for f in both],
            )
        )
        return
    diffs = [FieldChange(f, pj_vals[f], wb_vals[f]) for f in wb_edits if pj_vals[f] != wb_vals[f]]
    if not diffs:
        plan.unchanged += 1  # both sides made the same edit
        return
    today = store.today()
    rec = dataclasses.replace(
        proj,
        **{
            f.field: (
                text_to_notes(f.workbook, today, proj.notes, store.author)
                if f.field == "notes"
                else f.workbook
            )
            for f in diffs
        },
    )
    plan.changes.append(RowChange(r, uid, desc, diffs, rec))


@dataclass(frozen=True)
class LedgerImportResult:
    """What :func:`apply_ledger_import` saved; ``conflicts`` were left untouched."""

    updated: list[Problem]
    added: list[Problem]
    conflicts: list[RowConflict]


def apply_ledger_import(store: SurveyStore, plan: LedgerImportPlan) -> LedgerImportResult:
    """Save the plan's changes and new problems in one transaction.

    A change whose problem was edited in the project after planning becomes a conflict
    (the revision check refuses it); nothing is overwritten.
    """
    added, updated, stale = store.save_batch(
        adds=[p for _, p in plan.new], updates=[c.record for c in plan.changes]
    )
    by_uuid = {c.uuid: c for c in plan.changes}
    late = [
        RowConflict(
            by_uuid[rec.uuid].row,
            rec.uuid,
            rec.description,
            f"edited in the project while importing: {exc.message}",
            by_uuid[rec.uuid].changes,
        )
        for rec, exc in stale
    ]
    return LedgerImportResult(updated, added, [*plan.conflicts, *late])
