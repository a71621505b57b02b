"""Import a contractor's inspection table (CSV or Excel) as observations.

The table is read as text (CSV in UTF-8 or GBK/GB18030, any of ``,;\\t``; Excel .xlsx
with title rows above the header allowed). A *column mapping* ``{field: column header}``
says which column holds which :class:`~surveys.records.Observation` field; missing entries
are guessed from the usual Chinese headers (管段编号, 起始井号, 终止井号, 距离, 缺陷代码, 等级,
时钟表示 …). Every row is checked on its own: rows that cannot be read are listed with the
row number (as Excel shows it), the field and the reason, and the rest are imported in one
transaction.

Dates: a CCTV inspection (检测任务) is one day's work, so the rows are filed under one new
:class:`~surveys.records.Inspection` per inspection date (检测日期 column): every observation
keeps its own row's date. A row without a date takes the date of the rows above it of the same
pipe (merged cells), else the date given to the import, else the earliest date of the table,
else today. Rows of one pipe dated differently, unreadable dates and rows whose date had to be
assumed are reported as warnings.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import re
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import pandas as pd

from surveys.records import (
    METHODS,
    Inspection,
    Observation,
    ValidationContext,
    parse_date,
    validate_record,
)
from surveys.schema_sv import split_clock
from surveys.store import SurveyStore
from surveys.store_errors import MappingError, PhotoError, TableImportError

#: Fields a table can fill, with the headers they are guessed from (normalised).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "pipe_id": ("管段编号", "管段", "管道编号", "管线编号", "管段号", "pipe_id", "pipe", "pipeid"),
    "start_node": (
        "起始井号",
        "起点井号",
        "起始井",
        "起点井",
        "起点",
        "起始检查井",
        "上游井号",
        "start_node",
        "from_node",
        "start",
    ),
    "end_node": (
        "终止井号",
        "终点井号",
        "终止井",
        "终点井",
        "终点",
        "终止检查井",
        "下游井号",
        "end_node",
        "to_node",
        "end",
    ),
    "distance_m": (
        "距离",
        "距离(m)",
        "缺陷距离",
        "纵向距离",
        "纵向距离(m)",
        "距离起始井(m)",
        "缺陷位置(m)",
        "位置(m)",
        "distance",
        "distance_m",
    ),
    "code": ("缺陷代码", "代码", "缺陷代码及名称", "defect_code", "code"),
    "code_name": ("缺陷名称", "缺陷类型", "名称", "defect", "defect_name"),
    "grade": ("等级", "缺陷等级", "级别", "grade"),
    "clock": ("时钟表示", "时钟位置", "环向位置", "时钟", "clock"),
    "length_m": ("长度", "缺陷长度", "缺陷长度(m)", "长度(m)", "length", "length_m"),
    "video_time": ("视频时间", "时间", "录像时间", "video_time"),
    "photos": ("照片", "照片编号", "图片", "照片文件", "photos", "photo"),
    "remarks": ("备注", "说明", "缺陷描述", "remarks", "remark"),
    "date": ("检测日期", "日期", "date"),
}
_ROMAN = {
    "Ⅰ": 1,
    "Ⅱ": 2,
    "Ⅲ": 3,
    "Ⅳ": 4,
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
}


def normalise_header(text: Any) -> str:
    """Lower-case, no blanks, ASCII parentheses: ``"距离（m）"`` → ``"距离(m)"``."""
    t = str(text or "").strip().lower()
    t = t.replace("（", "(").replace("）", ")").replace("：", ":")
    return re.sub(r"\s+", "", t)


def guess_mapping(columns: list[Any]) -> dict[str, str]:
    """Guess ``{field: column}`` from the headers (exact alias first, then prefix).

    Examples
    --------
    >>> guess_mapping(["序号", "管段编号", "距离（m）", "缺陷代码", "等级", "时钟表示"])
    {'pipe_id': '管段编号', 'distance_m': '距离（m）', 'code': '缺陷代码', 'grade': '等级', \
'clock': '时钟表示'}
    """
    norm = {normalise_header(c): str(c) for c in columns if str(c or "").strip()}
    out: dict[str, str] = {}
    used: set[str] = set()
    for strict in (True, False):
        for f, aliases in FIELD_ALIASES.items():
            if f in out:
                continue
            for a in aliases:
                a = normalise_header(a)
                hit = [
                    n
                    for n in norm
                    if n not in used and (n == a if strict else (len(a) > 1 and n.startswith(a)))
                ]
                if hit:
                    out[f] = norm[hit[0]]
                    used.add(hit[0])
                    break
    return {f: out[f] for f in FIELD_ALIASES if f in out}


def load_mapping(spec: str | Path | Mapping[str, str] | None) -> dict[str, str]:
    """A mapping from a dict, a JSON file, or ``"field=column,field=column"`` text.

    Raises
    ------
    MappingError
        The JSON file is unreadable or the text is malformed.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k): str(v) for k, v in spec.items()}
    text = str(spec)
    p = Path(text)
    if p.suffix.lower() == ".json" or p.is_file():
        try:
            data = json.loads(p.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise MappingError(f"Cannot read mapping file {p.name}: {exc}", file=str(p)) from exc
        if not isinstance(data, dict):
            raise MappingError(
                f'Mapping file {p.name} must hold a JSON object {{"field": "column", …}}.',
                file=str(p),
            )
        return {str(k): str(v) for k, v in data.items()}
    out = {}
    for part in re.split(r"[,;，]", text):
        if not part.strip():
            continue
        if "=" not in part:
            raise MappingError(
                f"Mapping entry {part!r} must be field=column, e.g. pipe_id=管段编号.", record=part
            )
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


# --- reading ----------------------------------------------------------------------------------
def _decode(raw: bytes, name: str) -> tuple[str, str]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise TableImportError(
        f"{name} is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV or as .xlsx.",
        file=name,
    )


def read_table(path: str | Path, *, sheet: str | None = None) -> tuple[pd.DataFrame, int]:
    """Read a CSV or Excel table as text cells.

    Returns
    -------
    (DataFrame, int)
        The data rows (columns = header texts, index = the row numbers as the user sees
        them, 1-based) and the header row number.

    Raises
    ------
    TableImportError
        The file is missing, not CSV/Excel, empty, or has no recognisable header row.
    """
    path = Path(path)
    if not path.is_file():
        raise TableImportError(f"{path} does not exist.", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            grid = pd.read_excel(
                path, sheet_name=sheet or 0, header=None, dtype=object, engine="openpyxl"
            )
        except (ValueError, OSError, KeyError, BadZipFile) as exc:
            raise TableImportError(
                f"Cannot read {path.name} as an Excel workbook: {exc}",
                details=str(exc),
                file=str(path),
            ) from exc
    elif suffix in (".csv", ".txt", ".tsv"):
        text, _enc = _decode(path.read_bytes(), path.name)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            delim = dialect.delimiter
        except csv.Error:
            delim = ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    elif suffix == ".xls":
        raise TableImportError(
            f"{path.name} is an old .xls workbook; open it in Excel or WPS and save it as .xlsx.",
            file=str(path),
        )
    else:
        raise TableImportError(
            f"{path.name}: expected a .csv or .xlsx file, got {suffix or 'no extension'}.",
            file=str(path),
        )
    grid = grid.map(_clean_cell)
    if grid.empty:
        raise TableImportError(f"{path.name} is empty.", file=str(path))
    best, best_hits = 0, -1
    for i in range(min(10, len(grid))):
        hits = len(guess_mapping(list(grid.iloc[i])))
        if hits > best_hits:
            best, best_hits = i, hits
    header = [
        str(c) if c is not None else f"column {j + 1}" for j, c in enumerate(grid.iloc[best])
    ]
    data = grid.iloc[best + 1 :].copy()
    data.columns = _unique(header)
    data.index = pd.RangeIndex(best + 2, best + 2 + len(data))
    data = data[~data.isna().all(axis=1)]
    return data, best + 1


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}.{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


def _clean_cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


# --- parsing cells ----------------------------------------------------------------------------
class _CellError(ValueError):
    def __init__(self, field_: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_
        self.reason = reason


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _number(v: Any, field_: str) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, int | float):
        return float(v)
    t = str(v).strip().lower().replace("，", ".").rstrip("m").rstrip("米").strip()
    try:
        return float(t)
    except ValueError:
        raise _CellError(field_, f"{v!r} is not a number") from None


def _grade(v: Any) -> int | None:
    if v is None or v == "":
        return None
    if isinstance(v, int | float):
        if float(v).is_integer():
            return int(v)
        raise _CellError("grade", f"grade {v!r} is not a whole number")
    t = str(v).strip().upper().replace("级", "").replace("等", "").strip()
    if t.isdigit():
        return int(t)
    if t in _ROMAN:
        return _ROMAN[t]
    raise _CellError("grade", f"grade {v!r} is not 1–4 (or Ⅰ–Ⅳ)")


def _code_and_grade(code_v: Any, name_v: Any, grade_v: Any, pack: Any) -> tuple[str, int | None]:
    grade = _grade(grade_v)
    code = _text(code_v).upper()
    m = re.fullmatch(r"([A-Z]{2})\s*[\(\（]?\s*([1-4])?\s*[\)\）]?.*", code)
    if m:
        code = m.group(1)
        if grade is None and m.group(2):
            grade = int(m.group(2))
    elif code and pack is not None:
        by_label = {c.label_zh: c.code for c in pack.code_table.values()}
        code = by_label.get(_text(code_v), code)
    if not code and name_v and pack is not None:
        by_label = {c.label_zh: c.code for c in pack.code_table.values()}
        name = _text(name_v)
        code = by_label.get(name, "")
        if not code:
            hits = [c for label, c in by_label.items() if label in name]
            code = hits[0] if len(hits) == 1 else ""
        if not code:
            raise _CellError("code", f"defect name {name!r} matches no code of the pack")
    return code, grade


def _clock(v: Any) -> tuple[int | None, int | None]:
    if v is None or v == "":
        return None, None
    t = _text(v)
    if isinstance(v, int | float) and len(t) in (3, 4) and not t.startswith("0"):
        t = t.zfill(4)  # 210 read as a number from "0210"
    a, b = split_clock(t)
    if a is None:
        raise _CellError("clock", f"clock {v!r} is not like 0210 (from 2 to 10 o'clock) or 03")
    return a, b


# --- import -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowProblem:
    """Why one row of the table was not imported (or was imported with a warning)."""

    row: int
    field: str
    column: str
    reason: str

    def __str__(self) -> str:
        col = f" (column {self.column})" if self.column else ""
        return f"row {self.row}, field {self.field}{col}: {self.reason}"


@dataclass
class ImportResult:
    """What :func:`import_observations` did."""

    file: str
    mapping: dict[str, str]
    inspection: Inspection | None = None  # the first (earliest) of ``inspections``
    inspections: list[Inspection] = field(default_factory=list)  # one per inspection date
    imported: list[Observation] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def pending(self) -> int:
        """Imported observations whose pipe is not resolved yet (start/end manholes only)."""
        return sum(1 for o in self.imported if not o.pipe_id)


def _pipe_pairs(pipes: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    pairs: dict[tuple[str, str], list[str]] = {}
    for pid, a, b in zip(pipes.index, pipes["from_node"], pipes["to_node"], strict=True):
        pairs.setdefault((str(a), str(b)), []).append(str(pid))
    return pairs


def parse_rows(
    table: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    pack: Any = None,
    pipes: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> tuple[list[tuple[int, Observation, dict[str, Any]]], list[RowProblem]]:
    """Turn table rows into observations; bad rows become :class:`RowProblem`.

    Returns
    -------
    (list of (row, Observation, extras), list of RowProblem)
        ``extras`` holds ``date`` and ``photos`` cell values for the caller.
    """
    ctx = ValidationContext(
        pack=pack, today=today, pipe_lengths=None if pipes is None else pipes["length_m"].to_dict()
    )
    pairs = _pipe_pairs(pipes) if pipes is not None else {}
    good, bad = [], []
    for rownum, row in table.iterrows():

        def cell(f: str, row: pd.Series = row) -> Any:
            col = mapping.get(f)
            return _clean_cell(row.get(col)) if col else None

        try:
            code, grade = _code_and_grade(cell("code"), cell("code_name"), cell("grade"), pack)
            c_from, c_to = _clock(cell("clock"))
            rec = Observation(
                pipe_id=_text(cell("pipe_id")),
                start_node=_text(cell("start_node")),
                end_node=_text(cell("end_node")),
                distance_m=_number(cell("distance_m"), "distance_m"),
                length_m=_number(cell("length_m"), "length_m"),
                code=code,
                grade=grade,
                clock_from=c_from,
                clock_to=c_to,
                video_time=_text(cell("video_time")),
                remarks=_text(cell("remarks")),
            )
        except _CellError as exc:
            bad.append(RowProblem(int(rownum), exc.field, mapping.get(exc.field, ""), exc.reason))
            continue
        if pipes is not None:
            rec = _resolve(rec, pipes, pairs)
        problems = validate_record(rec, ctx)
        if problems:
            p = problems[0]
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            bad.append(
                RowProblem(int(rownum), p.field, mapping.get(p.field, ""), p.message_en + more)
            )
            continue
        good.append((int(rownum), rec, {"date": cell("date"), "photos": cell("photos")}))
    return good, bad


def _resolve(
    rec: Observation, pipes: pd.DataFrame, pairs: dict[tuple[str, str], list[str]]
) -> Observation:
    if rec.pipe_id and rec.pipe_id in pipes.index:
        if rec.start_node and rec.end_node:
            row = pipes.loc[rec.pipe_id]
            if (str(row["from_node"]), str(row["to_node"])) == (rec.end_node, rec.start_node):
                return dataclasses.replace(rec, reverse=True)
        return rec
    if rec.start_node and rec.end_node:
        fwd = pairs.get((rec.start_node, rec.end_node), [])
        rev = pairs.get((rec.end_node, rec.start_node), [])
        hits = [(p, False) for p in fwd] + [(p, True) for p in rev]
        if rec.pipe_id:
            hits = [h for h in hits if h[0] == rec.pipe_id] or hits
        if len(hits) == 1:
            return dataclasses.replace(rec, pipe_id=hits[0][0], reverse=hits[0][1])
        if not rec.pipe_id:
            return rec  # pending: resolved later by SurveyStore.resolve_pending
    return rec


def _full_mapping(
    path: Path, table: pd.DataFrame, given: dict[str, str], guess: bool
) -> dict[str, str]:
    """The mapping to import with: checked against the table, completed by guessing.

    Raises
    ------
    MappingError, TableImportError
        An unknown field, a column not in the table, no code or no pipe column.
    """
    unknown = [f for f in given if f not in FIELD_ALIASES]
    if unknown:
        raise MappingError(
            f"Mapping field(s) {unknown} unknown; fields are {', '.join(FIELD_ALIASES)}.",
            file=str(path),
            field=unknown[0],
        )
    missing = [c for c in given.values() if c not in table.columns]
    if missing:
        raise MappingError(
            f"{path.name} has no column {missing[0]!r}; its columns are "
            f"{', '.join(map(str, table.columns))}.",
            file=str(path),
            field=missing[0],
        )
    full = {**guess_mapping(list(table.columns)), **given} if guess else dict(given)
    if "code" not in full and "code_name" not in full:
        raise TableImportError(
            f"{path.name}: no column for the defect code (e.g. 缺陷代码); columns are "
            f"{', '.join(map(str, table.columns))}. Pass a mapping such as code=<column>.",
            file=str(path),
            field="code",
        )
    if "pipe_id" not in full and not ("start_node" in full and "end_node" in full):
        raise TableImportError(
            f"{path.name}: no pipe column (管段编号) and no start/end manhole columns "
            "(起始井号/终止井号); pass a mapping such as pipe_id=<column>.",
            file=str(path),
            field="pipe_id",
        )
    return full


def import_observations(
    store: SurveyStore,
    path: str | Path,
    mapping: Mapping[str, str] | str | Path | None = None,
    *,
    sheet: str | None = None,
    method: str = "cctv",
    contractor: str = "",
    inspection_date: str | dt.date | None = None,
    photo_folder: str | Path | None = None,
    guess: bool = True,
) -> ImportResult:
    """Import an inspection table into the project (one inspection per date, one transaction).

    With ``guess`` (the default) fields missing from ``mapping`` are guessed from the headers;
    with ``guess=False`` the mapping is taken as complete (a field left out is not read), as
    the column-mapping dialog does.

    Parameters
    ----------
    store : SurveyStore
        The project's record store.
    path : str or Path
        A ``.csv`` or ``.xlsx`` file.
    mapping : dict, JSON file or ``"field=column,…"``, optional
        ``{field: column header}``; fields not given are guessed from the headers. Fields:
        see :data:`FIELD_ALIASES`.
    method, contractor : str
        Recorded on the new inspection.
    inspection_date : str or date, optional
        The date of rows without one; default: the earliest date of the table's 检测日期
        column, else today. A row's own date always wins: one inspection per date.
    photo_folder : str or Path, optional
        Where the photo files named in the 照片 column are; they are copied into the
        project. Missing or bad photos are warnings, the row is still imported.

    Returns
    -------
    ImportResult
        Imported observations, rejected rows (row number, field, reason) and warnings.

    Raises
    ------
    TableImportError
        The file cannot be read, or no row at all could be imported.
    MappingError
        The mapping names an unknown field or a column that is not in the table.

    Examples
    --------
    >>> res = import_observations(store, "cctv.xlsx")        # doctest: +SKIP
    >>> [str(p) for p in res.rejected]                        # doctest: +SKIP
    ['row 7, field grade (column 等级): FS has grades 1–3; got 4.']
    """
    path = Path(path)
    table, _hrow = read_table(path, sheet=sheet)
    full = _full_mapping(path, table, load_mapping(mapping), guess)
    if method not in METHODS:
        raise MappingError(
            f"Method {method!r} unknown; use one of {', '.join(METHODS)}.", field="method"
        )
    pipes = store.pipes_frame() if store.has_pipes() else None
    good, bad = parse_rows(table, full, pack=store.pack, pipes=pipes, today=store.today())
    result = ImportResult(path.name, full, rejected=bad)
    if not good:
        first = bad[0] if bad else None
        where = f" First problem: {first}." if first else ""
        raise TableImportError(
            f"No row of {path.name} could be imported.{where}",
            file=str(path),
            record=str(first.row) if first else None,
            field=first.field if first else None,
        )
    default = parse_date(inspection_date) if inspection_date is not None else None
    row_dates = _row_dates(good, full.get("date", ""), default, store.today(), result.warnings)
    inspections = {
        d: Inspection(
            uuid=str(uuidlib.uuid4()),
            date=d.isoformat(),
            method=method,
            contractor=contractor,
            remarks=f"导入自 {path.name}",
        )
        for d in sorted(set(row_dates.values()))
    }
    obs = []
    for rownum, rec, extra in good:
        photos = _attach_photos(
            store, extra["photos"], photo_folder, rownum, full.get("photos", ""), result.warnings
        )
        insp_id = inspections[row_dates[rownum]].uuid
        obs.append(dataclasses.replace(rec, photos=photos, inspection_id=insp_id))
    added, _, _ = store.save_batch(adds=[*inspections.values(), *obs])  # one transaction
    result.inspections = [r for r in added if isinstance(r, Inspection)]
    result.inspection = result.inspections[0]
    result.imported = [o for o in added if isinstance(o, Observation)]
    return result


def _pipe_key(rec: Observation) -> str:
    return rec.pipe_id or f"{rec.start_node}→{rec.end_node}"


def _row_dates(
    good: list[tuple[int, Observation, dict[str, Any]]],
    column: str,
    given: dt.date | None,
    today: dt.date,
    warnings: list[RowProblem],
) -> dict[int, dt.date]:
    """The inspection date of every good row (its own date, see the module notes).

    Appends a warning for an unreadable date, for a row whose date had to be assumed
    while the table has dates, and for each pipe whose rows carry different dates.
    """
    own: dict[int, dt.date | None] = {}
    for rownum, _, extra in good:
        own[rownum] = None
        if extra["date"] is None:
            continue
        try:
            own[rownum] = parse_date(extra["date"])
        except (ValueError, TypeError):
            warnings.append(
                RowProblem(rownum, "date", column, f"date {extra['date']!r} unreadable")
            )
    known = [d for d in own.values() if d is not None]
    fallback = given or min(known, default=None) or today
    first_of_pipe: dict[str, dt.date] = {}
    for rownum, rec, _ in good:
        d = own[rownum]
        if d is not None:
            first_of_pipe.setdefault(_pipe_key(rec), d)
    out: dict[int, dt.date] = {}
    last_of_pipe: dict[str, dt.date] = {}
    dates_of_pipe: dict[str, dict[dt.date, int]] = {}
    for rownum, rec, _ in good:
        key = _pipe_key(rec)
        d = own[rownum] or last_of_pipe.get(key) or first_of_pipe.get(key)
        if d is None:
            d = fallback
            if known:  # the table has dates, this row none (or an unreadable one)
                warnings.append(
                    RowProblem(
                        rownum,
                        "date",
                        column,
                        f"no inspection date; filed under {d.isoformat()}",
                    )
                )
        out[rownum] = last_of_pipe[key] = d
        dates_of_pipe.setdefault(key, {}).setdefault(d, rownum)
    for key, dates in dates_of_pipe.items():
        if len(dates) > 1:
            shown = ", ".join(f"{d.isoformat()} (row {r})" for d, r in sorted(dates.items()))
            first_row = min(dates.values())
            warnings.append(
                RowProblem(
                    first_row,
                    "date",
                    column,
                    f"pipe {key} has rows of different dates: {shown}; each observation "
                    "keeps its own row's date (one inspection per date)",
                )
            )
    return out


def _attach_photos(
    store: SurveyStore,
    cell: Any,
    folder: str | Path | None,
    row: int,
    column: str,
    warnings: list[RowProblem],
) -> list[str]:
    from surveys.photos import attach_photo

    names = [n.strip() for n in re.split(r"[;,，；、\n]", _text(cell)) if n.strip()]
    if not names:
        return []
    if folder is None:
        warnings.append(
            RowProblem(
                row, "photos", column, "photo names given but no photo folder; photos not attached"
            )
        )
        return []
    out = []
    for n in names:
        try:
            out.append(attach_photo(store.path, Path(folder) / n).relpath)
        except PhotoError as exc:
            warnings.append(RowProblem(row, "photos", column, exc.message))
    return out
