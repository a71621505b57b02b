"""Many segments graded at once after CJJ 181: :func:`grade_segments`, vectorised.

Observations become parallel arrays sorted by segment, side and position; merging, the
α/β factor and the sums run over whole arrays (no Python loop per defect). The results
equal :func:`surveys.grading_segment.assess_segment` segment by segment; the conventions
are set out in :mod:`surveys.grading`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from network.schema import DIAMETER_MM, LENGTH_M, PIPE_ID
from surveys.errors import CodeNotFoundError, GradeError, ValidationError
from surveys.grading_common import (
    _K_RULE,
    _N_K,
    _N_MERGE,
    _N_SKIP,
    _N_T,
    _N_UNKNOWN,
    _N_UNSCORED,
    _ROUND,
    _SIDES,
    AREA_K,
    CODE,
    DISTANCE_M,
    GRADE,
    OBS_LENGTH_M,
    RESULT_COLUMNS,
    SOIL_T,
    GradingDefaults,
    _index,
    _k_note,
    _merge_note,
    _Rules,
    _side_columns,
)
from surveys.standards import FUNCTIONAL, STRUCTURAL, StandardPack, load_pack


# --- many segments (vectorised) ---------------------------------------------------------------
def grade_segments(
    observations: pd.DataFrame,
    segments: pd.DataFrame,
    pack: StandardPack | None = None,
    defaults: GradingDefaults | None = None,
    *,
    errors: str = "raise",
) -> pd.DataFrame:
    """Grade many segments at once (same results as :func:`assess_segment`).

    Parameters
    ----------
    observations : DataFrame
        Columns ``pipe_id``, ``code``, ``grade``, ``distance_m`` and optionally
        ``length_m`` (NaN for a local defect).
    segments : DataFrame
        ``pipe_id`` (column, else the index), ``length_m`` and optionally
        ``diameter_mm``, ``area_k``, ``soil_t`` (NaN: the default).
    pack : StandardPack, optional
        The shipped CJJ 181-2012 pack by default.
    defaults : GradingDefaults, optional
        K, T and diameter used where a segment has none.
    errors : {"raise", "skip"}
        On an unknown code, a wrong grade or a bad distance/length: raise, or skip the
        observation and say so in the segment's notes. Observations on a ``pipe_id``
        that is not in ``segments`` always raise.

    Returns
    -------
    DataFrame
        Index ``pipe_id`` (every segment, in the order given), columns
        :data:`RESULT_COLUMNS`; ``notes`` are joined with "; " and ``unconfirmed`` ids
        with ", ".

    Raises
    ------
    CodeNotFoundError, GradeError, ValidationError
        Bad observations (with ``errors="raise"``), unknown pipe ids, duplicate segment
        ids, a missing column, or K/T values not in their tables.

    Examples
    --------
    >>> obs = pd.DataFrame({"pipe_id": ["P1", "P1"], "code": ["PL", "CK"],
    ...                     "grade": [2, 3], "distance_m": [2.0, 3.2]})
    >>> segs = pd.DataFrame({"pipe_id": ["P1", "P2"], "length_m": [10.0, 20.0]})
    >>> r = grade_segments(obs, segs)
    >>> int(r.at["P1", "n"]), float(r.at["P1", "s"]), r.at["P1", "structural_grade"]
    (2, 3.85, 'III')
    >>> r.loc["P2", "structural_grade"]
    'I'
    """
    if errors not in ("raise", "skip"):
        raise ValidationError(
            f"errors must be 'raise' or 'skip'; got {errors!r}.", field="errors", found=errors
        )
    pack = pack or load_pack()
    defaults = defaults or GradingDefaults()
    rules = _Rules.of(pack)

    seg_ids, seg_len, diam, k, t = _segment_arrays(segments, pack, defaults)
    nseg = len(seg_ids)
    notes: list[tuple[int, int, float, str]] = []  # (segment, order, position, text)
    applied = _Applied(rules, nseg)
    codes = np.array(list(pack.code_table), dtype=object)

    defects, scored = _observation_arrays(observations, pack, seg_ids, errors, notes)
    defects = _drop_unscored(defects, scored, codes, notes, applied)
    # sort by (segment, side, start, end); group = one side of one segment
    defects = defects.take(np.lexsort((defects.end, defects.start, defects.side, defects.seg)))
    clusters = _clusters(defects, rules.merge)
    w, counted = _weigh_clusters(clusters, rules, applied)
    _note_merges(clusters, defects, codes, notes, applied)
    n2, s, smax, p, s_m = _side_figures(clusters, w, counted, seg_len)

    e = pack.e_values(diam)
    res: dict[str, Any] = {"e": e}
    for j, side in enumerate(_SIDES):
        figures = (n2[:, j], s[:, j], smax[:, j], p[:, j], s_m[:, j])
        res.update(_side_grades(side, figures, k, t, e, rules, pack, notes, applied))
    n_any = n2.sum(axis=1) > 0
    notes.extend(
        (int(i), _N_UNKNOWN, 0.0, "diameter unknown: E and the RI/MI indices not computed")
        for i in np.flatnonzero(n_any & np.isnan(e))
    )
    notes.extend(
        (int(i), _N_UNKNOWN, 1.0, "segment length unknown: S_M and Y_M not computed")
        for i in np.flatnonzero(n_any & ~(seg_len > 0))
    )
    applied.flag("table:E", n_any & np.isin(diam, pack.e_boundaries_unconfirmed()))

    res["notes"] = _join_notes(notes, nseg)
    res["unconfirmed"] = applied.joined()
    out = pd.DataFrame(res, index=pd.Index(seg_ids, name=PIPE_ID))
    return out[list(RESULT_COLUMNS)]


@dataclass(frozen=True)
class _Defects:
    """Observations as parallel arrays, one row per defect.

    ``seg`` is the segment's row, ``code`` the code's position in the pack, ``side`` 0 for
    structural and 1 for functional; a local defect has ``start == end``.
    """

    seg: np.ndarray
    code: np.ndarray
    score: np.ndarray
    start: np.ndarray
    end: np.ndarray
    local: np.ndarray
    side: np.ndarray

    def take(self, rows: np.ndarray) -> _Defects:
        """The defects at ``rows`` (a boolean mask or an index array)."""
        return _Defects(
            self.seg[rows],
            self.code[rows],
            self.score[rows],
            self.start[rows],
            self.end[rows],
            self.local[rows],
            self.side[rows],
        )


@dataclass(frozen=True)
class _Clusters:
    """Merged defects over sorted :class:`_Defects`: cluster c holds rows ``first[c]`` to
    ``first[c] + size[c] - 1``; ``grp`` is 2 × segment + side; ``gap_prev`` is the clear
    distance to the previous cluster of the same group (inf for the first)."""

    first: np.ndarray
    size: np.ndarray
    grp: np.ndarray
    seg: np.ndarray
    side: np.ndarray
    start: np.ndarray
    end: np.ndarray
    score: np.ndarray
    local: np.ndarray
    gap_prev: np.ndarray


class _Applied:
    """For each unconfirmed pack item, which segments' results rest on it."""

    def __init__(self, rules: _Rules, nseg: int) -> None:
        self.rules = rules
        self.nseg = nseg
        self.masks: dict[str, np.ndarray] = {}

    def on(self, seg: np.ndarray) -> np.ndarray:
        """A mask of the segments that occur in ``seg``."""
        return np.bincount(seg, minlength=self.nseg) > 0

    def flag(self, item: str, mask: np.ndarray) -> None:
        if item in self.rules.unconfirmed:
            self.masks[item] = self.masks.get(item, np.zeros(self.nseg, bool)) | mask

    def joined(self) -> np.ndarray:
        """Per segment, the flagged ids in pack order joined with ", "."""
        return _join_flags(self.masks, self.rules.order, self.nseg)


def _drop_unscored(
    defects: _Defects,
    scored: np.ndarray,
    codes: np.ndarray,
    notes: list[tuple[int, int, float, str]],
    applied: _Applied,
) -> _Defects:
    """Note each unscored code once per segment, keep the scored defects, flag functional codes."""
    if (~scored).any():
        pairs = np.unique(np.stack([defects.seg[~scored], defects.code[~scored]]), axis=1)
        notes.extend(
            (int(si), _N_UNSCORED, float(ci), f"{codes[ci]} recorded, not scored")
            for si, ci in pairs.T
        )
    d = defects.take(scored)
    functional = d.side == 1
    for ci in np.unique(d.code[functional]):
        applied.flag(f"code:{codes[ci]}", applied.on(d.seg[functional & (d.code == ci)]))
    applied.flag("kind:functional", applied.on(d.seg[functional]))
    return d


def _clusters(d: _Defects, merge: float) -> _Clusters:
    """Chain sorted defects closer than ``merge`` (clear distance) into clusters."""
    grp = d.seg * 2 + d.side
    m = len(grp)
    new_grp = np.ones(m, bool)
    new_grp[1:] = grp[1:] != grp[:-1]
    run_end = pd.Series(d.end).groupby(grp).cummax().to_numpy()
    prev_run_end = np.zeros(m)
    prev_run_end[1:] = run_end[:-1]
    gap = np.where(new_grp, np.inf, np.round(d.start - prev_run_end, _ROUND)) if m else d.start
    first = np.flatnonzero(new_grp | (gap >= merge))  # first row of each cluster
    if len(first):
        end = np.maximum.reduceat(d.end, first)
        score = np.maximum.reduceat(d.score, first)
        local = np.logical_or.reduceat(d.local, first)
        gap_prev = gap[first]
    else:
        end = score = gap_prev = np.empty(0)
        local = np.empty(0, bool)
    return _Clusters(
        first=first,
        size=np.diff(np.append(first, m)),
        grp=grp[first],
        seg=d.seg[first],
        side=d.side[first],
        start=d.start[first],
        end=end,
        score=score,
        local=local,
        gap_prev=gap_prev,
    )


def _weigh_clusters(
    cl: _Clusters, rules: _Rules, applied: _Applied
) -> tuple[np.ndarray, np.ndarray]:
    """Each cluster's factor (α/β when near its neighbour, else 1) and counted length L_i."""
    gap_next = np.full(len(cl.first), np.inf)
    gap_next[:-1] = np.where(cl.grp[1:] == cl.grp[:-1], cl.gap_prev[1:], np.inf)
    spacing = np.minimum(cl.gap_prev, gap_next)
    near = spacing <= rules.near
    if not rules.at_limit:
        near &= spacing > rules.merge
    factor = np.where(cl.side == 0, rules.factor[STRUCTURAL], rules.factor[FUNCTIONAL])
    w = np.where(near, factor, 1.0)
    span = cl.end - cl.start
    use_min = cl.local | (not rules.continuous_real)
    counted = np.where(use_min, np.maximum(span, rules.local_min), span)
    applied.flag("rule:factor_at_merge_limit", applied.on(cl.seg[spacing == rules.merge]))
    applied.flag("rule:beta", applied.on(cl.seg[near & (cl.side == 1)]))
    applied.flag("rule:local_min_length_m", applied.on(cl.seg[use_min]))
    applied.flag("rule:continuous_real_length", applied.on(cl.seg[~use_min]))
    return w, counted


def _side_figures(
    cl: _Clusters, w: np.ndarray, counted: np.ndarray, seg_len: np.ndarray
) -> tuple[np.ndarray, ...]:
    """n, S, S_max, F and S_M per segment (rows) and side (columns: structural, functional)."""
    nseg = len(seg_len)
    size = 2 * nseg
    n2 = np.bincount(cl.grp, minlength=size).reshape(nseg, 2)
    sum_w = np.bincount(cl.grp, cl.score * w, minlength=size).reshape(nseg, 2)
    sum_wl = np.bincount(cl.grp, cl.score * w * counted, minlength=size).reshape(nseg, 2)
    smax = np.zeros(size)
    if len(cl.grp):
        gfirst = np.flatnonzero(np.r_[True, cl.grp[1:] != cl.grp[:-1]])
        smax[cl.grp[gfirst]] = np.maximum.reduceat(cl.score, gfirst)
    smax = smax.reshape(nseg, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(n2 > 0, sum_w / np.maximum(n2, 1), 0.0)
        p = np.maximum(smax, s)
        dens_ok = (s > 0) & (seg_len[:, None] > 0)
        s_m = np.where(n2 == 0, 0.0, np.where(dens_ok, sum_wl / (s * seg_len[:, None]), np.nan))
    return n2, s, smax, p, s_m


def _side_grades(
    side: str,
    figures: tuple[np.ndarray, ...],
    k: np.ndarray,
    t: np.ndarray,
    e: np.ndarray,
    rules: _Rules,
    pack: StandardPack,
    notes: list[tuple[int, int, float, str]],
    applied: _Applied,
) -> dict[str, np.ndarray]:
    """The columns of one side for every segment: figures, weights used, index and grades."""
    n_j, s_j, smax_j, p_j, s_m_j = figures
    j = _SIDES.index(side)
    nseg = len(n_j)
    below = rules.k_zero_below[side]
    forced_k = (p_j < below) if below is not None else np.zeros(nseg, bool)
    k_used = np.where(forced_k, 0.0, k)
    forced_t = (p_j == 0) if rules.t_zero else np.zeros(nseg, bool)
    t_used = np.where(forced_t, 0.0, t)
    index = np.where(n_j == 0, 0.0, _index(rules, side, p_j, k_used, e, t_used))
    has = n_j > 0
    k_noted = has & forced_k & (k != 0)
    notes.extend(
        (int(i), _N_K, float(j), _k_note(k[i], rules.pkey[side], p_j[i], below))
        for i in np.flatnonzero(k_noted)
    )
    applied.flag(_K_RULE[side], k_noted)
    if side == STRUCTURAL:
        tn = np.flatnonzero(has & forced_t & (t != 0))
        notes.extend((int(i), _N_T, 0.0, f"T = {t[i]:g} taken as 0 because F = 0") for i in tn)
    else:
        applied.flag("rule:mi_weights", has)
    dens = np.where(has, pack.classify("density_classes", s_m_j), None)
    applied.flag("table:density_classes", pd.notna(dens))
    grade = pack.classify("defect_grades", p_j)
    index_grade = pack.classify("index_grades", index)
    values = (n_j, s_j, smax_j, p_j, s_m_j, dens, grade, k_used, index, index_grade)
    return _side_columns(side, values, t_used)


def _segment_arrays(
    segments: pd.DataFrame,
    pack: StandardPack,
    defaults: GradingDefaults,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if PIPE_ID in segments.columns:
        ids = segments[PIPE_ID]
    else:
        ids = segments.index.to_series()
    ids = ids.astype(str).to_numpy()
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise ValidationError(
            f"Segment id {ids[dup][0]!r} appears more than once; each "
            "segment must be listed once.",
            record=str(ids[dup][0]),
            field=PIPE_ID,
        )
    if LENGTH_M not in segments.columns:
        raise ValidationError(
            f"The segment table lacks column {LENGTH_M!r} (segment length in metres).",
            field=LENGTH_M,
        )
    seg_len = pd.to_numeric(segments[LENGTH_M], errors="coerce").to_numpy(float)
    if DIAMETER_MM in segments.columns:
        diam = pd.to_numeric(segments[DIAMETER_MM], errors="coerce").to_numpy(float)
    else:
        diam = np.full(len(ids), np.nan)
    if defaults.diameter_mm is not None:
        diam = np.where(np.isnan(diam), float(defaults.diameter_mm), diam)
    k = _weight_column(segments, AREA_K, "K", pack, defaults.area_k, ids)
    t = _weight_column(segments, SOIL_T, "T", pack, defaults.soil_t, ids)
    return ids, seg_len, diam, k, t


def _weight_column(
    segments: pd.DataFrame, col: str, table: str, pack: StandardPack, default: Any, ids: np.ndarray
) -> np.ndarray:
    dflt = pack.weight_value(table, default)
    if col not in segments.columns:
        return np.full(len(ids), dflt)
    raw = segments[col]
    by_key = {r.key: float(r.value) for r in pack.tables[table].rows}  # type: ignore[arg-type]
    if pd.api.types.is_numeric_dtype(raw):
        as_key = pd.Series(np.nan, index=raw.index)
    else:
        as_key = raw.astype(object).map(lambda v: by_key.get(str(v).strip(), np.nan))
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    vals = np.where(np.isnan(vals), as_key.to_numpy(float), vals)
    blank = raw.isna().to_numpy()
    vals = np.where(blank, dflt, vals)
    bad = ~np.isin(vals, list(by_key.values()))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        try:
            pack.weight_value(table, raw.iloc[i])
        except ValidationError as exc:
            raise ValidationError(
                f"Segment {ids[i]}: column {col!r}: {exc.message}",
                record=str(ids[i]),
                field=col,
                found=raw.iloc[i],
            ) from None
    return vals


def _observation_arrays(
    observations: pd.DataFrame,
    pack: StandardPack,
    seg_ids: np.ndarray,
    errors: str,
    notes: list[tuple[int, int, float, str]],
) -> tuple[_Defects, np.ndarray]:
    """Check the observation table; return its good rows as defects, and which are scored."""
    missing = [c for c in (PIPE_ID, CODE, GRADE, DISTANCE_M) if c not in observations.columns]
    if missing:
        raise ValidationError(
            f"The observation table lacks column(s) {missing}; it needs "
            f"{[PIPE_ID, CODE, GRADE, DISTANCE_M]} and optionally "
            f"{OBS_LENGTH_M!r}.",
            field=missing[0],
        )
    labels = observations.index.to_numpy()
    pid = observations[PIPE_ID].astype(str).to_numpy()
    seg_i = _segment_rows(pid, seg_ids, labels)
    code_i, score = _code_scores(observations, pack)
    dist, olen, bad_len_text = _extent_columns(observations)
    bad_code = code_i < 0
    bad_grade = ~bad_code & np.isnan(score)
    bad_dist = ~(dist >= 0) | np.isinf(dist)
    bad_len = (olen < 0) | np.isinf(olen) | bad_len_text
    bad = bad_code | bad_grade | bad_dist | bad_len
    if bad.any():
        rows = np.flatnonzero(bad)
        msgs = [
            _row_problem(observations, pack, int(i), bad_code[i], bad_grade[i], bad_dist[i])
            for i in (rows if errors == "skip" else rows[:1])
        ]
        if errors == "raise":
            _raise_row_problem(msgs[0], rows, labels, pid)
        notes.extend(
            (
                int(seg_i[i]),
                _N_SKIP,
                float(n),
                f"skipped observation row {labels[i]}: {msg.message}",
            )
            for n, (i, msg) in enumerate(zip(rows, msgs, strict=True))
        )
    ok = ~bad
    local = np.isnan(olen)
    end = np.where(local, dist, dist + np.where(local, 0.0, olen))
    ci = np.maximum(code_i, 0)
    kind_of = np.array([c.kind == FUNCTIONAL for c in pack.code_table.values()], dtype=np.int64)
    scored_of = np.array([c.scored for c in pack.code_table.values()])
    defects = _Defects(
        seg=seg_i[ok],
        code=code_i[ok],
        score=score[ok],
        start=dist[ok],
        end=end[ok],
        local=local[ok],
        side=kind_of[ci][ok],
    )
    return defects, scored_of[ci][ok]


def _segment_rows(pid: np.ndarray, seg_ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The segment row of each observation's pipe id; raises on an unknown pipe."""
    seg_i = pd.Index(seg_ids).get_indexer(pid)
    if (seg_i < 0).any():
        i = int(np.flatnonzero(seg_i < 0)[0])
        raise ValidationError(
            f"Observation row {labels[i]} is on pipe {pid[i]!r}, which is "
            f"not in the segment table ({(seg_i < 0).sum()} observation(s) "
            "on unknown pipes).",
            record=str(labels[i]),
            field=PIPE_ID,
            found=pid[i],
        )
    return seg_i


def _code_scores(observations: pd.DataFrame, pack: StandardPack) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code position in the pack (-1: unknown) and score (NaN: no such grade)."""
    code_list = list(pack.code_table)
    codes_norm = observations[CODE].astype(str).str.strip().str.upper()
    code_i = pd.Index(code_list).get_indexer(codes_norm).astype(np.int64)
    grade = pd.to_numeric(observations[GRADE], errors="coerce").to_numpy(float)
    gmax = max(max(c.grade_numbers) for c in pack.code_table.values())
    score_tab = np.full((len(code_list), gmax + 1), np.nan)
    for ci, c in enumerate(pack.code_table.values()):
        for gi in c.grade_numbers:
            score_tab[ci, gi] = c.score(gi)
    g_ok = (~np.isnan(grade)) & (grade == np.floor(grade)) & (grade >= 0) & (grade <= gmax)
    gi = np.where(g_ok, grade, 0).astype(np.int64)
    score = np.where((code_i >= 0) & g_ok, score_tab[np.maximum(code_i, 0), gi], np.nan)
    return code_i, score


def _extent_columns(observations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """distance_m, length_m (NaN: local) and where length_m holds text that is no number."""
    dist = pd.to_numeric(observations[DISTANCE_M], errors="coerce").to_numpy(float)
    if OBS_LENGTH_M in observations.columns:
        olen = pd.to_numeric(observations[OBS_LENGTH_M], errors="coerce").to_numpy(float)
        bad_len_text = observations[OBS_LENGTH_M].notna().to_numpy() & np.isnan(olen)
    else:
        olen = np.full(len(dist), np.nan)
        bad_len_text = np.zeros(len(dist), bool)
    return dist, olen, bad_len_text


def _raise_row_problem(first: Any, rows: np.ndarray, labels: np.ndarray, pid: np.ndarray) -> None:
    """Raise the first bad row's error, naming the row and pipe and counting the others."""
    i = rows[0]
    more = f" ({len(rows) - 1} more row(s) with problems.)" if len(rows) > 1 else ""
    raise type(first)(
        f"Observation row {labels[i]} (pipe {pid[i]}): {first.message}{more}",
        first.details,
        file=first.file,
        record=str(labels[i]),
        field=first.field or CODE,
        **first.data,
    )


def _row_problem(
    observations: pd.DataFrame,
    pack: StandardPack,
    i: int,
    bad_code: bool,
    bad_grade: bool,
    bad_dist: bool,
) -> Any:
    row = observations.iloc[i]
    if bad_code:
        try:
            pack.code(row[CODE])
        except CodeNotFoundError as exc:
            return exc
    if bad_grade:
        try:
            pack.validate_observation(row[CODE], row[GRADE])
        except GradeError as exc:
            return exc
    if bad_dist:
        return ValidationError(
            f"distance_m must be a number ≥ 0 (metres from the segment "
            f"start); got {row[DISTANCE_M]!r}.",
            field=DISTANCE_M,
            found=row[DISTANCE_M],
        )
    return ValidationError(
        f"length_m must be ≥ 0 for a continuous defect or empty for a "
        f"local one; got {row[OBS_LENGTH_M]!r}.",
        field=OBS_LENGTH_M,
        found=row[OBS_LENGTH_M],
    )


def _note_merges(
    cl: _Clusters,
    d: _Defects,
    codes: np.ndarray,
    notes: list[tuple[int, int, float, str]],
    applied: _Applied,
) -> None:
    """A note for every cluster of more than one defect: its members and the code kept."""
    merged = cl.size > 1
    applied.flag("rule:merge_spacing_below_m", applied.on(cl.seg[merged]))
    for c in np.flatnonzero(merged):
        a, b = cl.first[c], cl.first[c] + cl.size[c]
        kept = codes[d.code[a + int(np.argmax(d.score[a:b]))]]
        members = [(codes[d.code[r]], float(d.start[r]), float(d.end[r])) for r in range(a, b)]
        side = _SIDES[cl.side[c]]
        start, end = float(cl.start[c]), float(cl.end[c])
        notes.append(
            (
                int(cl.seg[c]),
                _N_MERGE,
                cl.side[c] * 1e12 + start,
                _merge_note(side, members, kept, float(cl.score[c]), start, end),
            )
        )


def _join_notes(notes: list[tuple[int, int, float, str]], nseg: int) -> np.ndarray:
    out = np.full(nseg, "", dtype=object)
    if not notes:
        return out
    notes.sort(key=lambda x: (x[0], x[1], x[2]))
    df = pd.DataFrame(notes, columns=["seg", "order", "pos", "text"])
    joined = df.groupby("seg", sort=False)["text"].agg("; ".join)
    out[joined.index.to_numpy()] = joined.to_numpy()
    return out


def _join_flags(applied: dict[str, np.ndarray], order: Sequence[str], nseg: int) -> np.ndarray:
    out = np.full(nseg, "", dtype=object)
    for item in order:
        mask = applied.get(item)
        if mask is None or not mask.any():
            continue
        empty = out == ""
        out = np.where(mask & empty, item, np.where(mask, out + ", " + item, out))
    return out
