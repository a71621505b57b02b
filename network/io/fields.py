"""Field roles: find which source column plays each canonical role, and normalise its values.

The mapping is a plain dict ``{canonical_column: source_column}`` per layer kind, shown to the
user, editable, and saved with the project. Original columns are never changed: normalised
values go into new canonical columns beside them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.errors import SchemaError
from network.issues import WARNING, Issue
from network.schema import ROLE_ALIASES, VALUE_SYNONYMS

Mapping = dict[str, str | None]

_STRIP = re.compile(r"[\s_\-()（）/]+")


def _norm(name: str) -> str:
    return _STRIP.sub("", str(name)).lower()


def _truncations(alias: str) -> set[str]:
    """The alias as DBF would cut it at 10 bytes in GBK or UTF-8."""
    out = {_norm(alias)}
    for enc in ("gbk", "utf-8"):
        try:
            raw = alias.encode(enc)
        except UnicodeEncodeError:
            continue
        if len(raw) > 10:
            out.add(_norm(raw[:10].decode(enc, errors="ignore")))
    return out


def guess_mapping(kind: str, columns: list[str]) -> Mapping:
    """Guess the source column of each canonical role of a layer kind.

    Each source column is used for at most one role; roles are taken in the order of
    ``network.schema.ROLE_ALIASES`` and aliases in their listed order.

    Examples
    --------
    >>> m = guess_mapping("pipes", ["编号", "起点编号", "终点编号", "管径", "起点管底高"])
    >>> m["pipe_id"], m["from_node"], m["diameter_mm"], m["from_invert_m"]
    ('编号', '起点编号', '管径', '起点管底高')
    """
    roles = ROLE_ALIASES.get(kind, {})
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    used: set[str] = set()
    mapping: Mapping = {}
    for role, (_vtype, aliases) in roles.items():
        mapping[role] = None
        # exact role name first (a file written by PipeAtlas itself)
        for alias in (role, *aliases):
            hit = next(
                (
                    by_norm[t]
                    for t in sorted(_truncations(alias))
                    if t in by_norm and by_norm[t] not in used
                ),
                None,
            )
            if hit is not None:
                mapping[role] = hit
                used.add(hit)
                break
    return mapping


def load_mapping_file(path: str | Path) -> dict[str, Mapping]:
    """Read a mapping file ``{"pipes": {"pipe_id": "GXBH", …}, …}``.

    Raises
    ------
    SchemaError
        The file is not JSON of that shape, or names an unknown kind or role.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(
            f"Cannot read the field mapping {path.name}: {exc}", file=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise SchemaError(
            f"{path.name} must hold a JSON object {{kind: {{role: column}}}}.", file=str(path)
        )
    for kind, roles in data.items():
        if kind not in ROLE_ALIASES:
            raise SchemaError(
                f"{path.name} names an unknown layer kind {kind!r}; "
                f"expected one of {sorted(ROLE_ALIASES)}.",
                file=str(path),
            )
        if not isinstance(roles, dict):
            raise SchemaError(f"{path.name}: the entry for {kind!r} must be an object.")
        for role in roles:
            if role not in ROLE_ALIASES[kind]:
                raise SchemaError(
                    f"{path.name}: {kind} has no role {role!r}; "
                    f"roles are {sorted(ROLE_ALIASES[kind])}.",
                    file=str(path),
                    layer=kind,
                    field=role,
                )
    return data


def _lookup_table(vtype: str) -> dict[str, str]:
    table = {}
    for code, words in VALUE_SYNONYMS[vtype].items():
        table[code] = code
        for w in words:
            table[_norm(w)] = code
    return table


_TABLES = {vtype: _lookup_table(vtype) for vtype in VALUE_SYNONYMS}
_TRUE = {"是", "有", "yes", "y", "true", "t", "1", "1.0", "已安装", "在线"}
_FALSE = {"否", "无", "no", "n", "false", "f", "0", "0.0", "未安装"}


def _as_str(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v).strip()
    return s or None


def _to_str(values: pd.Series) -> pd.Series:
    """Ids and text as stripped ``str`` (``12.0`` → ``"12"``), missing as None; vectorised."""
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        num = values.astype(float)
        whole = np.isfinite(num) & (num == np.round(num))
        text = num.astype(str)
        text = text.where(~whole, num.where(whole, 0).astype(np.int64).astype(str))
        out = text.astype(object).where(num.notna(), None)
        return pd.Series(out, index=values.index, dtype=object)
    if pd.api.types.is_string_dtype(values) and pd.api.types.infer_dtype(values, skipna=True) in (
        "string",
        "empty",
    ):
        stripped = values.str.strip()
        out = stripped.astype(object).where(stripped.notna() & (stripped != ""), None)
        return pd.Series(out, index=values.index, dtype=object)
    return _by_uniques(values, _as_str)


_KEYWORDS = {
    vtype: [
        (c, [_norm(w) for w in words if len(_norm(w)) >= 2 and not _norm(w).isascii()])
        for c, words in table.items()
    ]
    for vtype, table in VALUE_SYNONYMS.items()
}


def value_code(value: Any, vtype: str) -> str | None:
    """The code of one source value for a coded role (``system``, ``zone_class`` …), or None.

    An exact synonym wins; else a known word inside the value ("污水管", "DN300雨水",
    "饮用水水源一级保护区"), trying codes in the order of the synonym table (most specific first).

    Examples
    --------
    >>> value_code("饮用水水源一级保护区", "zone_class"), value_code("WS", "system")
    ('water_source', 'sewage')
    >>> value_code("停车场", "zone_class") is None
    True
    """
    s = _as_str(value)
    if s is None:
        return None
    k = _norm(s)
    table = _TABLES[vtype]
    if k in table:
        return table[k]
    for c, words in _KEYWORDS[vtype]:
        if any(w in k for w in words):
            return c
    return None


def _by_uniques(values: pd.Series, func) -> pd.Series:
    """Apply ``func`` once per distinct value (fast on a million rows of few values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def normalise_column(
    values: pd.Series, vtype: str, source_col: str
) -> tuple[pd.Series, np.ndarray]:
    """Normalise one source column to a canonical value type.

    Returns the new series and a boolean mask of values that could not be understood
    (non-empty values that became missing).
    """
    if vtype == "str":
        return _to_str(values), np.zeros(len(values), dtype=bool)
    present = values.notna().to_numpy() & (values.astype(str).str.strip() != "").to_numpy()
    if vtype in ("float", "capacity"):
        if pd.api.types.is_numeric_dtype(values):
            out = values.astype(float)
        else:
            cleaned = values.astype(str).str.replace(r"[^\d.eE+\-]", "", regex=True)
            out = pd.to_numeric(cleaned.where(values.notna()), errors="coerce")
        if vtype == "capacity" and "万" in source_col:
            out = out * 10_000.0
        bad = present & out.isna().to_numpy()
        return out.astype(float), bad
    if vtype == "bool":
        key = values.map(lambda v: _norm(v) if v is not None and v == v else None)
        out = key.map(lambda k: True if k in _TRUE else (False if k in _FALSE else None))
        bad = present & out.isna().to_numpy()
        return out.astype(object), bad
    out = _by_uniques(values, lambda v: value_code(v, vtype))
    bad = present & out.isna().to_numpy()
    return out.astype(object), bad


def apply_mapping(
    df: pd.DataFrame, kind: str, mapping: Mapping, *, file: str = "", id_col: str | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add canonical columns to ``df`` from the mapped source columns.

    Source columns stay untouched. A canonical column whose name equals its source column is
    replaced in place only when the source already holds that role (a PipeAtlas export).
    Values that cannot be understood become missing and are reported one issue per column
    (with the first few feature numbers), never dropped silently.

    Raises
    ------
    SchemaError
        The mapping names a column that is not in the layer.
    """
    roles = ROLE_ALIASES[kind]
    out = df.copy()
    issues: list[Issue] = []
    for role, (vtype, _aliases) in roles.items():
        src = mapping.get(role)
        if src is None:
            if role not in out.columns:
                out[role] = pd.Series([None] * len(out), index=out.index, dtype=object)
            continue
        if src not in df.columns:
            raise SchemaError(
                f"{file or kind}: the field mapping says {role} comes from column {src!r}, "
                f"but the layer has no such column (columns: {', '.join(map(str, df.columns))}).",
                file=file,
                layer=kind,
                field=src,
            )
        values, bad = normalise_column(df[src], vtype, src)
        out[role] = values.to_numpy() if vtype in ("float", "capacity") else values
        if bad.any():
            idx = np.flatnonzero(bad)
            sample = ", ".join(f"feature {int(i)} ({df[src].iloc[int(i)]!r})" for i in idx[:5])
            issues.append(
                Issue(
                    id=f"hygiene.bad_value:{kind}:{role}",
                    category="hygiene",
                    kind="bad_value",
                    severity=WARNING,
                    feature_ids=tuple(
                        str(out[id_col].iloc[int(i)]) if id_col and id_col in out else str(int(i))
                        for i in idx[:50]
                    ),
                    layer=kind,
                    x=None,
                    y=None,
                    message_zh=f"{file} 字段“{src}”有 {len(idx)} 个值无法识别为{role}：{sample}",
                    message_en=(
                        f"{file}: {len(idx)} value(s) of field {src!r} are not a valid {role} "
                        f"and were left empty: {sample}"
                    ),
                    data={"field": src, "role": role, "count": len(idx)},
                )
            )
    return out, issues
