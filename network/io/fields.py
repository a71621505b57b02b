"""Field roles: find which source column plays each canonical role, and normalise its values.

The mapping is a plain dict ``{canonical_column: source_column}`` per layer kind, shown to the
user, editable, and saved with the project. Original columns are never changed: normalised
values go into new canonical columns beside them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from network.errors import SchemaError
from network.issues import WARNING, Issue
from network.lazy import lazy_module
from network.schema import ROLE_ALIASES, VALUE_SYNONYMS

pd = lazy_module("pandas", globals())

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


#: how sure a guess is, best first (shown beside each role in the New-project dialog)
CONFIDENCE_LEVELS = ("exact", "normalised", "partial", "by_type")
CONFIDENCE_LABELS = {
    "exact": ("字段名与常用名完全一致", "the column name is a known name of this role"),
    "normalised": (
        "字段名与常用名一致（忽略大小写、下划线或 DBF 截断）",
        "the column name matches a known name ignoring case, spaces, underscores or the "
        "10-byte DBF cut",
    ),
    "partial": ("字段名部分相符，请核对", "the column name starts with a known name: check it"),
    "by_type": ("按字段内容推断，请核对", "guessed from the column's values: check it"),
}
_NUMERIC_TEXT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_ID_ROLES = frozenset(
    {"pipe_id", "from_node", "to_node", "node_id", "outfall_id", "ent_id", "plant_id", "zone_id"}
    | {"connect_node"}
)
_BY_VALUE_VTYPES = ("system", "outfall_class", "zone_class")
_SAMPLE_ROWS = 2000


@dataclass(frozen=True)
class FieldGuess:
    """How one role's column was found: the column, how sure, and by which known name.

    ``confidence`` is one of :data:`CONFIDENCE_LEVELS` (``None`` when no column was found);
    ``note`` says in English why a candidate was passed over (e.g. a text column for a
    numeric role).
    """

    role: str
    column: str | None
    confidence: str | None
    alias: str | None = None
    note: str = ""

    def label(self, lang: str = "zh") -> str:
        """The confidence in words (``zh`` or ``en``), empty when nothing was guessed."""
        if self.confidence is None:
            return ""
        zh, en = CONFIDENCE_LABELS[self.confidence]
        return zh if lang == "zh" else en


class MappingGuess(dict):
    """``{role: column}`` as every caller uses it, plus :class:`FieldGuess` per role.

    It is a plain ``dict`` (update it, save it, pass it on); ``guesses`` keeps how each
    role was found, and :meth:`confidence` tells whether a role still holds the guessed
    column (``"user"`` once it was changed).

    Examples
    --------
    >>> g = guess_mapping("pipes", ["US_STRUCT_ID", "DS STRUCT ID", "Diameter_inches"])
    >>> g["from_node"], g.confidence("from_node"), g.confidence("diameter_mm")
    ('US_STRUCT_ID', 'exact', 'partial')
    >>> g.confidence("to_node")
    'normalised'
    >>> g["from_node"] = "DS STRUCT ID"; g.confidence("from_node")
    'user'
    """

    def __init__(self, *args: Any, guesses: dict[str, FieldGuess] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.guesses: dict[str, FieldGuess] = dict(guesses or {})

    def confidence(self, role: str) -> str | None:
        """How the role's current column was found, ``"user"`` if set by hand, else None."""
        col = self.get(role)
        if col is None:
            return None
        g = self.guesses.get(role)
        return g.confidence if g is not None and g.column == col else "user"


class _Profile:
    """What the first rows of a frame say about its columns (for type-aware guesses)."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self.frame = None if frame is None else frame.head(_SAMPLE_ROWS)
        self.labels = {} if frame is None else {str(c): c for c in frame.columns}
        self._cache: dict[tuple[str, str], Any] = {}

    def _values(self, col: str) -> pd.Series | None:
        if self.frame is None or col not in self.labels:
            return None
        v = self.frame[self.labels[col]]
        return v if isinstance(v, pd.Series) else None

    def numeric_rank(self, col: str) -> int:
        """0: a numeric column; 1: text holding numbers; 2: text that is not numbers."""
        key = ("num", col)
        if key not in self._cache:
            v = self._values(col)
            if v is None or pd.api.types.is_numeric_dtype(v) or pd.api.types.is_bool_dtype(v):
                rank = 0
            else:
                text = v.dropna().astype(str).str.strip()
                text = text[text != ""]
                ok = text.str.match(_NUMERIC_TEXT).mean() if len(text) else 1.0
                rank = 1 if ok >= 0.9 else 2
            self._cache[key] = rank
        return self._cache[key]

    def fractional(self, col: str) -> bool:
        """Whether a numeric column holds non-whole numbers (so it cannot hold ids)."""
        v = self._values(col)
        if v is None or not pd.api.types.is_float_dtype(v):
            return False
        x = v.to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        return bool(len(x)) and bool((x != np.round(x)).any())

    def code_share(self, col: str, vtype: str) -> float:
        """Share of the distinct values that are exact synonyms of a code of ``vtype``."""
        key = (vtype, col)
        if key not in self._cache:
            v = self._values(col)
            share = 1.0
            if v is not None:
                vals = [_as_str(u) for u in pd.unique(v.dropna())]
                vals = [u for u in vals if u is not None]
                table = _TABLES[vtype]
                share = sum(_norm(u) in table for u in vals) / len(vals) if vals else 0.0
            self._cache[key] = share
        return self._cache[key]


def _rank(profile: _Profile, role: str, vtype: str, col: str) -> int | None:
    """How well a column's values suit a role (0 best); None: it cannot hold the role."""
    if profile.frame is None:
        return 0
    if vtype in ("float", "capacity"):
        return profile.numeric_rank(col)
    if role in _ID_ROLES and profile.fractional(col):
        return None  # 3.25 is an invert or a length, never an id
    if vtype in VALUE_SYNONYMS:
        return 0 if profile.code_share(col, vtype) > 0 else 1
    return 0


def _alias_norms(alias: str) -> set[str]:
    return _truncations(alias)


def guess_mapping(
    kind: str, columns: list[str], frame: pd.DataFrame | None = None
) -> MappingGuess:
    """Guess the source column of each canonical role of a layer kind.

    Each source column is used for at most one role; roles are taken in the order of
    ``network.schema.ROLE_ALIASES`` and aliases in their listed order. A column found by its
    exact name (any case) is an ``exact`` guess; ignoring spaces, underscores, brackets and
    the 10-byte DBF cut a ``normalised`` one; a column whose name starts with a known name
    (``Diameter_in``) a ``partial`` one; a coded role (system …) found from the values of an
    unnamed column (``Storm``/``Sanitary``) a ``by_type`` one.

    With ``frame`` (the layer's rows; the first 2,000 are looked at) the values count too: a
    numeric column beats a text column for a numeric role (inverts, depths, diameters), a
    column of fractional numbers is never an id, and a coded column whose values are codes
    beats one whose values are not.

    Returns a :class:`MappingGuess`: a plain ``{role: column}`` dict with
    ``.guesses[role]`` (:class:`FieldGuess`) and ``.confidence(role)``.

    Examples
    --------
    >>> m = guess_mapping("pipes", ["编号", "起点编号", "终点编号", "管径", "起点管底高"])
    >>> m["pipe_id"], m["from_node"], m["diameter_mm"], m["from_invert_m"]
    ('编号', '起点编号', '管径', '起点管底高')
    >>> m.guesses["from_invert_m"].confidence
    'normalised'
    """
    roles = ROLE_ALIASES.get(kind, {})
    names = [str(c) for c in columns]
    by_lower: dict[str, str] = {}
    by_norm: dict[str, str] = {}
    for col in names:
        by_lower.setdefault(col.lower(), col)
        by_norm.setdefault(_norm(col), col)
    profile = _Profile(frame)
    partial_role = _partial_roles(roles, names)
    used: set[str] = set()
    mapping = MappingGuess()
    for role, (vtype, aliases) in roles.items():
        mapping[role] = None
        guess = FieldGuess(role, None, None)
        cands: list[tuple[int, int, str, str, str]] = []  # (type rank, order, col, conf, alias)
        # exact role name first (a file written by PipeAtlas itself)
        for order, alias in enumerate((role, *aliases)):
            col, conf = by_lower.get(alias.lower()), "exact"
            if col is None or col in used:
                conf = "normalised"
                col = next(
                    (
                        by_norm[t]
                        for t in sorted(_alias_norms(alias))
                        if t in by_norm and by_norm[t] not in used
                    ),
                    None,
                )
            if col is None:
                continue
            seen = next((k for k, c in enumerate(cands) if c[2] == col), None)
            if seen is not None:
                if conf == "exact":  # the same column is also an exact name further on
                    cands[seen] = (*cands[seen][:3], conf, alias)
                continue
            rank = _rank(profile, role, vtype, col)
            if rank is not None:
                cands.append((rank, order, col, conf, alias))
        if not cands:
            for order, col in enumerate(names):
                hit = partial_role.get(col)
                if hit and hit[0] == role and col not in used:
                    rank = _rank(profile, role, vtype, col)
                    if rank is not None:
                        cands.append((rank, order, col, "partial", hit[1]))
        if not cands and vtype in _BY_VALUE_VTYPES and profile.frame is not None:
            for order, col in enumerate(names):
                if col not in used and profile.numeric_rank(col) == 2:
                    share = profile.code_share(col, vtype)
                    if share >= 0.9:
                        cands.append((0, order, col, "by_type", ""))
        if cands:
            best = min(cands, key=lambda c: (c[0], c[1]))
            first = min(cands, key=lambda c: c[1])
            note = ""
            if first is not best:
                note = (
                    f"{best[2]!r} chosen over {first[2]!r}: its values suit {role} better "
                    "(numbers for a measured role, codes for a coded one)"
                )
            guess = FieldGuess(role, best[2], best[3], best[4] or None, note)
            mapping[role] = best[2]
            used.add(best[2])
        mapping.guesses[role] = guess
    return mapping


def _partial_roles(
    roles: dict[str, tuple[str, tuple[str, ...]]], columns: list[str]
) -> dict[str, tuple[str, str]]:
    """``{column: (role, alias)}`` for columns whose name starts with a known name.

    Only names of 5+ letters (2+ Chinese characters) count, the longest one wins (so
    ``UPSTREAM_INVERT`` is an invert, not the upstream node), and a column that is itself
    a known name of some role is never a partial match of another.
    """
    known: dict[str, str] = {}
    exact: set[str] = set()
    for role, (_vtype, aliases) in roles.items():
        for alias in (role, *aliases):
            a = _norm(alias)
            exact.add(a)
            if len(a) >= (5 if a.isascii() else 2):
                known.setdefault(a, role)
    out: dict[str, tuple[str, str]] = {}
    for col in columns:
        n = _norm(col)
        if n in exact:
            continue
        hits = [a for a in known if n.startswith(a) and len(n) > len(a)]
        if hits:
            a = max(hits, key=len)
            out[col] = (known[a], a)
    return out


def load_mapping_file(path: str | Path) -> dict[str, Mapping]:
    """Read a mapping file ``{"pipes": {"pipe_id": "GXBH", …}, …}``.

    Beside ``role: column`` pairs a kind's entry may hold (see :data:`MAPPING_KEYS`):
    ``"units": {role: unit}`` (``m``, ``ft``, ``ftUS``, ``mm``, ``cm``, ``in``; ``"*"`` for
    every measured role) and, on a manhole layer, ``"outfalls_where": {field: [values]}`` /
    ``"plants_where": {…}``: the features whose field holds one of the values (all listed
    fields must match) become outfalls / plants too.

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
        for key in MAPPING_KEYS:
            if key in roles:
                _check_extra_key(path.name, kind, key, roles[key])
        for role in roles:
            if role in MAPPING_KEYS:
                continue
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
    """Ids and text as stripped ``str`` (``12.0`` → ``"12"``), missing as None; vectorised.

    A column that repeats its values (codes, a pipe system, a material) holds one ``str``
    object per distinct value, shared by its rows (see :func:`text_objects`).
    """
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        num = values.astype(float)
        if repeats_values(num):
            codes, uniques = pd.factorize(num, use_na_sentinel=True)
            texts = _numbers_text(pd.Series(uniques, dtype=np.float64)).to_numpy()
            out = shared_objects(codes, texts)
            return pd.Series(out, index=values.index, dtype=object, copy=False)
        out = _numbers_text(num)
        return pd.Series(out, index=values.index, dtype=object)
    if pd.api.types.is_string_dtype(values) and pd.api.types.infer_dtype(values, skipna=True) in (
        "string",
        "empty",
    ):
        return text_objects(values, strip=True)
    return _by_uniques(values, _as_str)


def _numbers_text(num: pd.Series) -> pd.Series:
    """``float64`` values as text, whole numbers without ``.0``, NaN as None (object dtype)."""
    whole = np.isfinite(num) & (num == np.round(num))
    text = num.astype(str)
    text = text.where(~whole, num.where(whole, 0).astype(np.int64).astype(str))
    return text.astype(object).where(num.notna(), None)


#: Rows of a column sampled by :func:`repeats_values`.
_SAMPLE_ROWS = 5_000
#: :func:`repeats_values` holds a column repetitive below one distinct value per this many
#: rows.
_ROWS_PER_VALUE = 10


def repeats_values(values: pd.Series) -> bool:
    """Whether *values* holds well fewer distinct values than rows, judged on a sample.

    Sharing one object per distinct value needs a hash of every row: at a million rows of
    few values that is three times quicker than making a million objects, at a million
    distinct ids three to five times slower. So a column shares its objects when it has
    under one distinct value per ``_ROWS_PER_VALUE`` present rows, estimated from a fixed
    random sample of ``_SAMPLE_ROWS`` rows: ``D`` evenly used values show
    ``D * (1 - exp(-k / D))`` distinct values in ``k`` sampled rows. Small columns always
    share (the hash is cheap); the answer changes speed and memory only, never values.
    """
    n = len(values)
    if n <= _SAMPLE_ROWS:
        return True
    rows = np.random.default_rng(0).choice(n, _SAMPLE_ROWS, replace=False)
    sample = values.take(rows)
    k = int(sample.notna().sum())
    if k == 0:
        return True
    limit = n * k / _SAMPLE_ROWS / _ROWS_PER_VALUE
    return bool(sample.nunique(dropna=True) < limit * -np.expm1(-k / limit))


def shared_objects(codes: np.ndarray, objects: Any) -> np.ndarray:
    """``objects[codes]``, code -1 as None: rows of a value share its one object."""
    table = np.empty(len(objects) + 1, dtype=object)  # the last slot stays None
    table[:-1] = objects
    return table[codes]


def all_none(s: Any) -> bool:
    """Whether every value of the object column *s* is None (a role no source column fills;
    the first value decides at once for most columns)."""
    if s.dtype != object or not len(s):
        return False
    values = s.to_numpy()
    return values[0] is None and values.tolist().count(None) == len(values)


def text_objects(values: pd.Series, *, strip: bool) -> pd.Series:
    """A text column (``str``/Arrow or object of ``str``) as object dtype, missing as None.

    With *strip*, values are stripped as ``values.str.strip()`` strips them (Arrow's rule on
    an Arrow column, Python's on an object column) and blank ones become None. A column
    that :func:`repeats_values` gets one ``str`` object per distinct value, shared by its
    rows.
    """
    if not repeats_values(values):
        if strip:
            values = values.str.strip()
            present = values.notna() & (values != "")
        else:
            present = values.notna()
        out = values.astype(object).where(present, None)
        return pd.Series(out, index=values.index, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pd.Series(uniques, dtype=values.dtype)
    if strip:
        texts = texts.str.strip()
        inner, stripped = pd.factorize(texts)  # " a" and "a" strip to one value
        codes = np.append(inner, -1)[codes]
        texts = pd.Series(stripped, dtype=values.dtype)
    objects = texts.to_numpy(dtype=object, copy=True)
    if strip:
        objects[(texts == "").to_numpy(dtype=bool)] = None
    out = shared_objects(codes, objects)
    return pd.Series(out, index=values.index, dtype=object, name=values.name, copy=False)


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
    if pd.api.types.is_numeric_dtype(values):  # no number prints blank: skip the text
        present = values.notna().to_numpy()
    else:
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
    out = df.copy(deep=False)  # copy-on-write: the new columns never reach df
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
                Issue.make(
                    "hygiene",
                    "bad_value",
                    WARNING,
                    [
                        out[id_col].iloc[int(i)] if id_col and id_col in out else int(i)
                        for i in idx[:50]
                    ],
                    kind,
                    zh=f"{file} 字段“{src}”有 {len(idx)} 个值无法识别为{role}：{sample}",
                    en=f"{file}: {len(idx)} value(s) of field {src!r} are not a valid {role} "
                    f"and were left empty: {sample}",
                    id=f"hygiene.bad_value:{kind}:{role}",
                    field=src,
                    role=role,
                    count=len(idx),
                )
            )
    return out, issues


# --- units of measured attributes ---------------------------------------------------------------
#: metres per unit of the units a mapping may name
UNITS_TO_M = {
    "m": 1.0,
    "cm": 0.01,
    "mm": 0.001,
    "ft": 0.3048,
    "ftUS": 1200.0 / 3937.0,
    "in": 0.0254,
}
#: measured roles per kind and the unit of their canonical column
MEASURED_ROLES = {
    "pipes": {"diameter_mm": "mm", "from_invert_m": "m", "to_invert_m": "m"},
    "manholes": {"ground_m": "m", "depth_m": "m"},
}
#: the non-role keys a kind's mapping may hold
MAPPING_KEYS = ("units", "outfalls_where", "plants_where")
WHERE_KINDS = {"outfalls_where": "outfalls", "plants_where": "plants"}
_UNIT_WORDS = {
    "m": "m",
    "metre": "m",
    "metres": "m",
    "meter": "m",
    "meters": "m",
    "米": "m",
    "cm": "cm",
    "厘米": "cm",
    "mm": "mm",
    "millimetre": "mm",
    "millimetres": "mm",
    "millimeter": "mm",
    "毫米": "mm",
    "ft": "ft",
    "foot": "ft",
    "feet": "ft",
    "ftus": "ftUS",
    "usft": "ftUS",
    "us_ft": "ftUS",
    "usfoot": "ftUS",
    "ussurveyfoot": "ftUS",
    "in": "in",
    "inch": "in",
    "inches": "in",
    "英寸": "in",
}
# a unit written at the end of a column name: 管径(mm), DIAM_IN, DEPTH_FT, GROUND_M
_NAME_UNIT = re.compile(r"(?:^|[^a-z])(mm|cm|inches|inch|in|ft|feet|m|毫米|厘米|英寸|米)\)?$")
# SWMM geometry/depth columns hold the model's length unit (m, or ft in US units)
_MODEL_LENGTH = {"geom1", "geom2", "maxdepth"}


def unit_code(text: Any) -> str:
    """The unit code (``m``, ``cm``, ``mm``, ``ft``, ``ftUS``, ``in``) of a unit name.

    Raises
    ------
    SchemaError
        The text names no unit PipeAtlas knows.

    Examples
    --------
    >>> unit_code("feet"), unit_code("US survey foot"), unit_code("毫米")
    ('ft', 'ftUS', 'mm')
    """
    key = re.sub(r"[\s\-]+", "", str(text)).lower()
    if key in _UNIT_WORDS:
        return _UNIT_WORDS[key]
    raise SchemaError(
        f"Unknown unit {text!r}; use one of {', '.join(UNITS_TO_M)} "
        "(m, ft = international foot, ftUS = US survey foot, mm, cm, in)."
    )


def _name_unit(column: str, role: str) -> str | None:
    """The unit a column name states (``管径(mm)`` → mm); levels only take m/ft."""
    m = _NAME_UNIT.search(str(column).lower().strip())
    if not m:
        return None
    unit = _UNIT_WORDS.get(m.group(1), m.group(1))
    if role != "diameter_mm" and unit not in ("m", "ft"):
        return None  # INVERT_IN is the inlet invert, not inches
    return unit


def attribute_units(
    kind: str, mapping: Mapping, layer_unit: str, given: dict[str, str] | None = None
) -> dict[str, str]:
    """The unit of each mapped measured attribute of a layer.

    In order: ``given`` (the mapping's ``units``, by role or ``"*"``); the unit a column
    name states (``管径(mm)``, ``DIAM_IN``, ``DEPTH_FT``); else the layer's unit (from its
    CRS: ``m``, ``ft`` or ``ftUS``) for levels and depths, and for diameters millimetres
    in a metre layer and inches in a foot layer — except SWMM's ``Geom1``, which holds the
    model's length unit (metres, or feet in a US model).

    Examples
    --------
    >>> attribute_units("pipes", {"diameter_mm": "Geom1", "from_invert_m": "UpstreamIn"}, "ftUS")
    {'diameter_mm': 'ftUS', 'from_invert_m': 'ftUS'}
    >>> attribute_units("pipes", {"diameter_mm": "DIAMETER"}, "ft")
    {'diameter_mm': 'in'}
    >>> attribute_units("pipes", {"diameter_mm": "管径"}, "m")
    {'diameter_mm': 'mm'}
    """
    given = dict(given or {})
    out = {}
    for role in MEASURED_ROLES.get(kind, {}):
        col = mapping.get(role)
        if not col:
            continue
        unit = given.get(role) or given.get(str(col)) or given.get("*")
        if unit is None:
            unit = _name_unit(col, role)
        if unit is None:
            if role != "diameter_mm" or _norm(col) in _MODEL_LENGTH:
                unit = layer_unit
            else:
                unit = "mm" if layer_unit == "m" else "in"
        out[role] = unit_code(unit)
    return out


def convert_units(
    df: pd.DataFrame, kind: str, units: dict[str, str], *, file: str = ""
) -> list[Issue]:
    """Convert the measured canonical columns of ``df`` in place from ``units`` to m / mm.

    Returns a note per layer when a diameter looks implausible after conversion (a median
    below 25 mm or above 8 m), naming the field and the unit assumed, with how to fix it.
    """
    issues: list[Issue] = []
    for role, unit in units.items():
        canonical = MEASURED_ROLES[kind][role]
        factor = UNITS_TO_M[unit] / UNITS_TO_M[canonical]
        if role not in df.columns:
            continue
        if factor != 1.0:
            df[role] = pd.to_numeric(df[role], errors="coerce").astype(float) * factor
        if role == "diameter_mm":
            x = pd.to_numeric(df[role], errors="coerce").to_numpy(dtype=float)
            x = x[np.isfinite(x) & (x > 0)]
            med = float(np.median(x)) if len(x) else None
            if med is not None and not 25.0 <= med <= 8000.0:
                issues.append(
                    Issue.make(
                        "hygiene",
                        "unit_suspect",
                        WARNING,
                        layer=kind,
                        zh=f"{file}：按{unit}换算后管径中位数为 {med:g} mm，单位可能不对；"
                        f'请在字段映射中指定，如 "units": {{"diameter_mm": "mm"}}',
                        en=f"{file}: read as {unit}, the diameters have a median of "
                        f"{med:g} mm, which is implausible; give the unit in the mapping, "
                        f'e.g. "units": {{"diameter_mm": "mm"}}',
                        id=f"hygiene.unit_suspect:{kind}:{role}",
                        role=role,
                        unit=unit,
                        median_mm=med,
                    )
                )
    return issues


# --- features of one layer that are also outfalls or plants -------------------------------------
def _check_extra_key(name: str, kind: str, key: str, value: Any) -> None:
    """Validate ``units`` / ``outfalls_where`` / ``plants_where`` of a mapping file."""
    if key == "units":
        if not isinstance(value, dict):
            raise SchemaError(f'{name}: "units" of {kind} must be an object {{role: unit}}.')
        measured = MEASURED_ROLES.get(kind, {})
        for role, unit in value.items():
            if role != "*" and role not in measured:
                raise SchemaError(
                    f'{name}: "units" of {kind} names {role!r}, which is not a measured role '
                    f"({', '.join(measured) or 'this kind has none'}).",
                    file=name,
                    layer=kind,
                    field=role,
                )
            unit_code(unit)
        return
    if kind != "manholes":
        raise SchemaError(
            f'{name}: "{key}" belongs to the manholes entry (features of the manhole layer '
            f"that are {WHERE_KINDS[key]} too); {kind} cannot hold it.",
            file=name,
            layer=kind,
        )
    if not isinstance(value, dict) or not value:
        raise SchemaError(
            f'{name}: "{key}" must be an object {{field: [values]}}, e.g. '
            f'{{"Type": [5]}} or {{"类型": ["排放口"]}}.',
            file=name,
            layer=kind,
        )


def split_mapping(
    mapping: dict[str, Any] | None,
) -> tuple[Mapping, dict[str, str], dict[str, dict[str, list[Any]]]]:
    """Split a kind's mapping into ``{role: column}``, ``units`` and the where-rules.

    Examples
    --------
    >>> split_mapping({"node_id": "FID_", "units": {"*": "ft"}, "outfalls_where": {"T": 5}})
    ({'node_id': 'FID_'}, {'*': 'ft'}, {'outfalls': {'T': [5]}})
    """
    roles: Mapping = {}
    units: dict[str, str] = {}
    where: dict[str, dict[str, list[Any]]] = {}
    for key, value in (mapping or {}).items():
        if key == "units":
            units = {str(k): unit_code(v) for k, v in dict(value or {}).items()}
        elif key in WHERE_KINDS:
            where[WHERE_KINDS[key]] = {
                str(f): list(v) if isinstance(v, list | tuple | set) else [v]
                for f, v in dict(value or {}).items()
            }
        else:
            roles[key] = value
    return roles, units, where


def select_where(df: pd.DataFrame, rule: dict[str, list[Any]], *, file: str = "") -> np.ndarray:
    """Rows whose fields hold one of the rule's values (every listed field must match).

    Values compare as trimmed text, case-insensitively, numbers by value (``5`` matches
    ``5.0`` and ``"5"``).

    Raises
    ------
    SchemaError
        A field of the rule is not a column of the layer.

    Examples
    --------
    >>> df = pd.DataFrame({"Type": [2.0, 5.0, 5.0], "类型": ["雨水井", "排放口", "检查井"]})
    >>> select_where(df, {"Type": [5]}).tolist(), select_where(df, {"类型": ["排放口"]}).tolist()
    ([False, True, True], [False, True, False])
    """
    keep = np.ones(len(df), dtype=bool)
    for fld, values in rule.items():
        if fld not in df.columns:
            raise SchemaError(
                f"{file}: the mapping selects features by field {fld!r}, but the layer has "
                f"no such column (columns: {', '.join(map(str, df.columns))}).",
                file=file,
                field=fld,
            )
        text = _to_str(df[fld]).map(lambda v: v.lower() if isinstance(v, str) else v)
        wanted = {s.lower() for s in (_as_str(v) for v in values) if s is not None}
        keep &= text.isin(wanted).to_numpy()
    return keep
