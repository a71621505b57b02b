"""Monitoring records of outfalls (测): Excel import with a column mapping, limits, flags.

:func:`read_monitoring_xlsx` reads a sheet of samples into
:class:`~surveys.outfalls.store.MonitoringRecord` objects; every row either becomes a record
or is listed in :attr:`MonitoringImport.rejected` with its Excel row number, the column and
the reason (nothing is lost). :func:`evaluate_record` flags exceedances of the discharge
standard picked for the outfall and flow at a rain outlet in dry weather (a suspected
sewage connection).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.outfalls.codes import (
    PARAMETER_LABELS_ZH,
    PARAMETERS,
    OutfallClass,
    OutfallError,
    Standard,
)
from surveys.outfalls.store import WEATHER, WEATHER_SYNONYMS, MonitoringRecord, parse_code

#: Record field -> usual column titles (compared without spaces, case and units in brackets).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "outfall_id": ("排污口编号", "排口编号", "排污口", "排口", "编号", "outfall_id", "outfall"),
    "sampled": (
        "采样时间",
        "监测时间",
        "采样日期",
        "监测日期",
        "日期",
        "时间",
        "sampled",
        "date",
        "datetime",
    ),
    "time": ("采样时刻", "时刻", "time"),
    "weather": ("天气", "天气状况", "旱雨天", "旱天/雨天", "weather"),
    "flow_m3d": ("流量", "排放量", "水量", "废水量", "flow", "flow_m3d"),
    "cod_mgl": ("COD", "CODcr", "化学需氧量", "cod_mgl"),
    "nh3n_mgl": ("氨氮", "NH3-N", "NH3N", "nh3n_mgl"),
    "tp_mgl": ("总磷", "TP", "tp_mgl"),
    "ph": ("pH", "pH值", "ph"),
    "sampler": ("采样人", "采样单位", "监测单位", "sampler"),
    "report_path": ("检测报告", "监测报告", "报告", "report", "report_path"),
}
REQUIRED = ("outfall_id", "sampled")
#: Flow units recognised at the end of a flow column's title -> factor to m³/d.
FLOW_UNITS = {"m3/d": 1.0, "m³/d": 1.0, "t/d": 1.0, "m3/h": 24.0, "m³/h": 24.0, "l/s": 86.4}


@dataclass(frozen=True)
class RejectedRow:
    """A row not imported: its Excel row number, the column and why."""

    row: int
    column: str
    field: str
    reason: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        v = self.value
        if isinstance(v, dt.datetime | dt.date):
            v = v.isoformat()
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "reason": self.reason,
            "value": v,
        }


@dataclass(frozen=True)
class MonitoringImport:
    """What a sheet gave: the good records, the rejected rows, the column mapping used."""

    file: str
    sheet: str
    records: tuple[MonitoringRecord, ...]
    rejected: tuple[RejectedRow, ...]
    columns: dict[str, str]
    n_rows: int
    params: tuple[str, ...] = ()

    @property
    def rejected_rows(self) -> list[int]:
        """The Excel row numbers of the rejected rows (each once)."""
        return sorted({r.row for r in self.rejected})


def _norm(title: Any) -> str:
    text = re.sub(r"[（(].*?[)）]", "", str(title or ""))
    return re.sub(r"[\s_\-/]+", "", text).lower()


def _unit_factor(title: str) -> float:
    m = re.search(r"[（(]([^)）]*)[)）]", title)
    if not m:
        return 1.0
    unit = m.group(1).strip().lower().replace(" ", "")
    return FLOW_UNITS.get(unit, 1.0)


def _load_mapping(mapping: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if mapping is None:
        return {}
    if isinstance(mapping, str | Path):
        p = Path(mapping)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutfallError(
                f"Cannot read the column mapping {p.name}: {exc}", file=str(p)
            ) from exc
        if not isinstance(data, dict):
            raise OutfallError(
                f"{p.name} must hold a JSON object such as "
                '{"columns": {"outfall_id": "排口编号", "cod_mgl": "化学需氧量"}}.',
                file=str(p),
            )
        return data
    return dict(mapping)


def _find_columns(
    headers: list[Any], given: Mapping[str, str], file: str
) -> tuple[dict[str, int], dict[str, str]]:
    """Field -> column index, and field -> header title."""
    by_norm: dict[str, int] = {}
    for j, h in enumerate(headers):
        if h not in (None, ""):
            by_norm.setdefault(_norm(h), j)
    exact = {str(h).strip(): j for j, h in enumerate(headers) if h not in (None, "")}
    idx: dict[str, int] = {}
    for fld, title in given.items():
        if fld not in COLUMN_ALIASES:
            raise OutfallError(
                f"The column mapping names an unknown field {fld!r}; fields are "
                f"{', '.join(COLUMN_ALIASES)}.",
                file=file,
                field=fld,
            )
        j = exact.get(str(title).strip(), by_norm.get(_norm(title)))
        if j is None:
            raise OutfallError(
                f"{Path(file).name}: the mapping's column {title!r} (for {fld}) is not in the "
                f"sheet; its columns are {', '.join(str(h) for h in headers if h)}.",
                file=file,
                field=str(title),
            )
        idx[fld] = j
    for fld, aliases in COLUMN_ALIASES.items():
        if fld in idx:
            continue
        for a in aliases:
            j = by_norm.get(_norm(a))
            if j is not None and j not in idx.values():
                idx[fld] = j
                break
    return idx, {f: str(headers[j]) for f, j in idx.items()}


def _number(v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int | float):
        x = float(v)
    else:
        text = str(v).strip().replace(",", "")
        if text.startswith("<") or text.startswith("＜"):
            # below the detection limit: half the limit is the usual convention; keep the
            # limit itself (conservative for exceedance: it never flags)
            text = text[1:]
        x = float(text)
    if not math.isfinite(x):
        raise ValueError
    return x


def parse_sampled(value: Any, time_value: Any = None) -> str:
    """A sample's date and time as ``YYYY-MM-DDTHH:MM`` (``T00:00`` when no time is given).

    Raises
    ------
    ValueError
        Not a date.

    Examples
    --------
    >>> parse_sampled("2024/5/3 9:30"), parse_sampled("2024年5月3日")
    ('2024-05-03T09:30', '2024-05-03T00:00')
    """
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        m = re.fullmatch(
            r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"
            r"(?:[\sT]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?\s*秒?)?",
            text,
        )
        if not m:
            raise ValueError(f"not a date: {value!r}")
        d = dt.datetime(
            int(m.group(1)),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4) or 0),
            int(m.group(5) or 0),
        )
    if time_value not in (None, ""):
        if isinstance(time_value, dt.time):
            t = time_value
        elif isinstance(time_value, dt.datetime):
            t = time_value.time()
        else:
            m = re.fullmatch(
                r"(\d{1,2})[:：时](\d{1,2})(?:[:：分]\d{1,2})?", str(time_value).strip()
            )
            if not m:
                raise ValueError(f"not a time: {time_value!r}")
            t = dt.time(int(m.group(1)), int(m.group(2)))
        d = d.replace(hour=t.hour, minute=t.minute)
    return d.strftime("%Y-%m-%dT%H:%M")


def read_monitoring_xlsx(
    path: str | Path,
    mapping: Mapping[str, Any] | str | Path | None = None,
    *,
    known_outfalls: Collection[str] | None = None,
    sheet: str | None = None,
) -> MonitoringImport:
    """Read monitoring samples from an Excel sheet.

    Parameters
    ----------
    path : the ``.xlsx`` file
    mapping : ``{"columns": {field: column title}, "sheet": name, "params": [titles]}`` (or
        a JSON file of it; a flat ``{field: title}`` works too). Fields: ``outfall_id``,
        ``sampled`` (date or date-time), ``time``, ``weather`` (旱天/雨天), ``flow_m3d``,
        ``cod_mgl``, ``nh3n_mgl``, ``tp_mgl``, ``ph``, ``sampler``, ``report_path``. Columns
        not mapped are found by their usual titles (排口编号, 采样时间, 化学需氧量, 氨氮 …); a
        flow title ending in ``(m3/h)`` or ``(L/s)`` is converted to m³/d. Other columns
        with a title become free parameters (``params``), or only those listed in
        ``params``.
    known_outfalls : the outfall ids a record may name (None: any)
    sheet : the sheet to read (default: the mapping's, else the first)

    Returns
    -------
    MonitoringImport
        A row with any bad cell is rejected as a whole and listed once per bad cell (Excel
        row number, column title, reason); every other row is a record.

    Raises
    ------
    OutfallError
        The file cannot be read, the sheet or a mapped column is missing, or the sheet has no
        outfall or date column.

    Examples
    --------
    >>> imp = read_monitoring_xlsx("监测.xlsx", {"columns": {"cod_mgl": "化学需氧量"}})
    ... # doctest: +SKIP
    """
    import openpyxl

    p = Path(path)
    m = _load_mapping(mapping)
    given = m.get("columns", {k: v for k, v in m.items() if k in COLUMN_ALIASES})
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise OutfallError(f"{p} does not exist.", file=str(p)) from exc
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise OutfallError(
            f"Cannot read {p.name} as an Excel workbook (.xlsx): {exc}", file=str(p)
        ) from exc
    try:
        name = sheet or m.get("sheet")
        if name and name not in wb.sheetnames:
            raise OutfallError(
                f"{p.name} has no sheet {name!r}; its sheets are {', '.join(wb.sheetnames)}.",
                file=str(p),
                field=str(name),
            )
        ws = wb[name] if name else wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        sheet_name = ws.title
    finally:
        wb.close()
    header_row = None
    for i, r in enumerate(rows[:20]):
        idx, _ = _find_columns(r, {}, str(p))
        if all(f in idx for f in REQUIRED) or (given and sum(h not in (None, "") for h in r) > 1):
            header_row = i
            break
    if header_row is None:
        raise OutfallError(
            f"{p.name} (sheet {sheet_name}): no header row with an outfall column (排污口编号) "
            "and a date column (采样时间) in the first 20 rows; name them in the mapping "
            '({"columns": {"outfall_id": "…", "sampled": "…"}}).',
            file=str(p),
            field="outfall_id/sampled",
        )
    headers = rows[header_row]
    idx, titles = _find_columns(headers, given, str(p))
    for f in REQUIRED:
        if f not in idx:
            raise OutfallError(
                f"{p.name} (sheet {sheet_name}): no column for {f} "
                f"({COLUMN_ALIASES[f][0]}); name it in the mapping.",
                file=str(p),
                field=f,
            )
    wanted_params = m.get("params")
    param_cols = {
        str(h).strip(): j
        for j, h in enumerate(headers)
        if h not in (None, "")
        and j not in idx.values()
        and (wanted_params is None or str(h).strip() in wanted_params)
    }
    flow_factor = _unit_factor(titles["flow_m3d"]) if "flow_m3d" in titles else 1.0
    known = set(known_outfalls) if known_outfalls is not None else None
    records: list[MonitoringRecord] = []
    rejected: list[RejectedRow] = []
    n_rows = 0
    for i in range(header_row + 1, len(rows)):
        r = rows[i]
        if all(v in (None, "") for v in r):
            continue
        n_rows += 1
        excel_row = i + 1
        bad: list[RejectedRow] = []

        def cell(f: str, r: list[Any] = r) -> Any:
            j = idx.get(f)
            return r[j] if j is not None and j < len(r) else None

        def reject(
            f: str, reason: str, value: Any, excel_row: int = excel_row, bad: list = bad
        ) -> None:
            bad.append(RejectedRow(excel_row, titles.get(f, f), f, reason, value))

        oid = cell("outfall_id")
        oid_text = "" if oid is None else str(oid).strip()
        if isinstance(oid, float) and oid.is_integer():
            oid_text = str(int(oid))
        if not oid_text:
            reject("outfall_id", "排污口编号为空 (no outfall id)", oid)
        elif known is not None and oid_text not in known:
            reject("outfall_id", f"排污口 {oid_text} 不在登记表中 (unknown outfall)", oid)
        sampled = ""
        try:
            raw = cell("sampled")
            if raw in (None, ""):
                raise ValueError("empty")
            sampled = parse_sampled(raw, cell("time"))
        except ValueError:
            reject(
                "sampled", "采样时间无法识别 (not a date, e.g. 2024-05-03 09:30)", cell("sampled")
            )
        weather = ""
        w = cell("weather")
        if w not in (None, ""):
            try:
                weather = parse_code(w, WEATHER_SYNONYMS, "weather")
            except OutfallError:
                reject("weather", "天气应为旱天或雨天 (weather must be 旱天/雨天)", w)
        values: dict[str, float | None] = {}
        for f in ("flow_m3d", "cod_mgl", "nh3n_mgl", "tp_mgl", "ph"):
            v = cell(f)
            if v in (None, "", "-", "—", "/"):
                values[f] = None
                continue
            try:
                x = _number(v)
            except ValueError:
                reject(f, "不是数值 (not a number)", v)
                continue
            if x < 0:
                reject(f, "不能为负 (negative)", v)
                continue
            if f == "ph" and x > 14:
                reject(f, "pH 应在 0–14 之间 (pH out of 0–14)", v)
                continue
            values[f] = x * flow_factor if f == "flow_m3d" else x
        params: dict[str, Any] = {}
        for title, j in param_cols.items():
            v = r[j] if j < len(r) else None
            if v in (None, ""):
                continue
            try:
                params[title] = _number(v)
            except ValueError:
                params[title] = v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v)
        if bad:
            rejected.extend(bad)
            continue
        sampler = cell("sampler")
        report = cell("report_path")
        records.append(
            MonitoringRecord(
                outfall_id=oid_text,
                sampled=sampled,
                weather=weather,
                params=params,
                sampler="" if sampler is None else str(sampler).strip(),
                report_path="" if report is None else str(report).strip(),
                source=f"{p.name}:{sheet_name}:{excel_row}",
                **values,
            )
        )
    return MonitoringImport(
        file=str(p),
        sheet=sheet_name,
        records=tuple(records),
        rejected=tuple(rejected),
        columns=titles,
        n_rows=n_rows,
        params=tuple(param_cols),
    )


def write_rejected_xlsx(imp: MonitoringImport, path: str | Path) -> Path:
    """Write the rejected rows (行号, 列, 字段, 原因, 原值) to an Excel file for people."""
    import openpyxl

    from network.io.xlsx import write_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "未导入行"
    write_table(
        ws,
        ["行号", "列", "字段", "原因", "原值"],
        ([r.row, r.column, r.field, r.reason, r.to_dict()["value"]] for r in imp.rejected),
    )
    out = Path(path)
    wb.save(out)
    return out


# --- evaluation ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flag:
    """One finding on a monitoring record."""

    outfall_id: str
    sampled: str
    kind: str  # exceedance / dry_weather_flow
    parameter: str
    value: float
    limit: str = ""
    ratio: float | None = None  # value / limit for an exceedance
    message_zh: str = ""
    record_uuid: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "outfall_id": self.outfall_id,
            "sampled": self.sampled,
            "kind": self.kind,
            "parameter": self.parameter,
            "value": self.value,
            "limit": self.limit,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "message_zh": self.message_zh,
            "record": self.record_uuid,
        }


def evaluate_record(
    rec: MonitoringRecord, standard: Standard | None, outfall_class: OutfallClass | None
) -> list[Flag]:
    """The flags of one record: each parameter above its limit; dry-weather flow at a rain outlet.

    Examples
    --------
    >>> from surveys.outfalls.codes import load_classes, load_standards
    >>> r = MonitoringRecord("PK03", "2024-05-03T09:00", weather="dry", flow_m3d=40.0,
    ...                      cod_mgl=120.0)
    >>> [f.kind for f in evaluate_record(r, load_standards().get("一级A"),
    ...                                  load_classes().get("rain"))]
    ['exceedance', 'dry_weather_flow']
    """
    flags = []
    if standard is not None:
        for p, _, unit in PARAMETERS:
            v = rec.value(p)
            if v is not None and standard.exceeds(p, v):
                lim = standard.limit(p)
                ratio = v / lim if isinstance(lim, int | float) and lim else None
                flags.append(
                    Flag(
                        rec.outfall_id,
                        rec.sampled,
                        "exceedance",
                        p,
                        v,
                        standard.limit_text(p),
                        ratio,
                        f"{PARAMETER_LABELS_ZH[p]} {v:g}{unit} 超过{standard.grade}限值 "
                        f"{standard.limit_text(p)}"
                        + (f"（超标{ratio - 1:.0%}）" if ratio else ""),
                        rec.uuid,
                    )
                )
    if (
        outfall_class is not None
        and outfall_class.rain
        and rec.weather == "dry"
        and rec.flow_m3d is not None
        and rec.flow_m3d > 0
    ):
        flags.append(
            Flag(
                rec.outfall_id,
                rec.sampled,
                "dry_weather_flow",
                "flow_m3d",
                rec.flow_m3d,
                "0",
                None,
                f"雨水排口旱天出流 {rec.flow_m3d:g} m³/d，疑似污水混接",
                rec.uuid,
            )
        )
    return flags


def weather_label(code: str) -> str:
    """旱天 / 雨天 / ""."""
    return WEATHER.get(code, code)


def monitored_load(records: Iterable[MonitoringRecord]) -> dict[str, Any]:
    """The monitored flow, COD and COD load of an outfall from its samples.

    Dry-weather samples with both flow and COD are used when there are any (a mass balance
    compares dry-weather discharge with declared wastewater), else every sample with both.
    Means: flow in m³/d, COD load in kg/d (mean of flow × COD), COD the load-weighted mean.

    Examples
    --------
    >>> rs = [MonitoringRecord("A", "2024-01-01T00:00", "dry", 100.0, 300.0),
    ...       MonitoringRecord("A", "2024-01-02T00:00", "dry", 300.0, 100.0)]
    >>> monitored_load(rs)["cod_kgd"], monitored_load(rs)["cod_mgl"]
    (30.0, 150.0)
    """
    both = [r for r in records if r.flow_m3d is not None and r.cod_mgl is not None]
    dry = [r for r in both if r.weather == "dry"]
    use = dry or both
    if not use:
        return {"n": 0, "weather": "", "flow_m3d": None, "cod_mgl": None, "cod_kgd": None}
    flow = sum(r.flow_m3d for r in use) / len(use)  # type: ignore[misc]
    load = sum(r.cod_load_kgd for r in use) / len(use)  # type: ignore[misc]
    return {
        "n": len(use),
        "weather": "dry" if dry else "all",
        "flow_m3d": flow,
        "cod_mgl": load * 1000.0 / flow if flow else None,
        "cod_kgd": load,
    }


__all__ = [
    "COLUMN_ALIASES",
    "Flag",
    "MonitoringImport",
    "RejectedRow",
    "evaluate_record",
    "monitored_load",
    "parse_sampled",
    "read_monitoring_xlsx",
    "weather_label",
    "write_rejected_xlsx",
]


def attach_reports(
    records: Iterable[MonitoringRecord], sheet_path: str | Path, project_path: str | Path
) -> tuple[list[MonitoringRecord], list[MonitoringRecord]]:
    """Reference each record's lab report by path (relative to the project) and SHA-256.

    A report path is read relative to the sheet's folder unless absolute. Returns the
    records (those with a found report now carry ``report_path`` as the project stores it
    and ``report_sha256``) and the records whose report file was not found (kept, with the
    path as written: the record itself is good).
    """
    import dataclasses

    from network.io.project import stored_source_path
    from surveys.outfalls.store import sha256_file

    base = Path(sheet_path).resolve().parent
    out, missing = [], []
    for r in records:
        if not r.report_path:
            out.append(r)
            continue
        p = Path(r.report_path)
        p = p if p.is_absolute() else base / p
        if not p.is_file():
            missing.append(r)
            out.append(r)
            continue
        out.append(
            dataclasses.replace(
                r,
                report_path=stored_source_path(str(p.resolve()), project_path),
                report_sha256=sha256_file(p),
            )
        )
    return out, missing
