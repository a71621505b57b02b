"""One segment graded after CJJ 181: :func:`assess_segment`, the readable reference.

It follows the conventions of :mod:`surveys.grading` step by step with plain Python loops;
:func:`surveys.grading_batch.grade_segments` must give the same results for many segments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from surveys.errors import ValidationError
from surveys.grading_common import (
    _K_RULE,
    _N_K,
    _N_MERGE,
    _N_T,
    _N_UNKNOWN,
    _N_UNSCORED,
    _ROUND,
    _SIDES,
    CODE,
    DISTANCE_M,
    GRADE,
    OBS_LENGTH_M,
    Observation,
    SegmentAssessment,
    _index,
    _k_note,
    _merge_note,
    _Rules,
    _side_columns,
    _weight,
)
from surveys.standards import FUNCTIONAL, STRUCTURAL, StandardPack, load_pack


# --- one segment (the readable reference) -----------------------------------------------------
def assess_segment(
    observations: Iterable[Observation | Sequence[Any] | Mapping[str, Any]],
    length_m: float | None,
    diameter_mm: float | None = None,
    *,
    area_k: float | str = 0.0,
    soil_t: float | str = 0.0,
    pack: StandardPack | None = None,
) -> SegmentAssessment:
    """Assess one segment after CJJ 181 (see :mod:`surveys.grading` for the conventions).

    Parameters
    ----------
    observations : iterable of Observation, tuple or mapping
        ``(code, grade, distance_m, length_m)``; ``length_m`` None for a local defect.
    length_m : float or None
        Segment length L, m.
    diameter_mm : float or None
        Diameter D, mm (gives E); None if unknown.
    area_k, soil_t : float or str
        Area importance K and soil factor T: a value of table K / T or a row key.
    pack : StandardPack, optional
        The standard pack; the shipped CJJ 181-2012 pack by default.

    Returns
    -------
    SegmentAssessment

    Raises
    ------
    CodeNotFoundError
        An observation's code is not in the pack.
    GradeError
        An observation's grade is not a grade of its code.
    ValidationError
        A distance or length is missing or negative, or K/T is not in its table.

    Examples
    --------
    >>> a = assess_segment([("PL", 3, 2.0, None)], length_m=10.0, diameter_mm=400)
    >>> a.n, a.s, a.f, a.s_m, a.structural_grade, a.ri, a.repair_grade
    (1, 5.0, 5.0, 0.1, 'III', 3.5, 'II')
    """
    pack = pack or load_pack()
    rules = _Rules.of(pack)
    k = _weight(pack, "K", area_k, 0.0)
    t = _weight(pack, "T", soil_t, 0.0)
    e = pack.e_value(diameter_mm)
    seg_len = np.nan if length_m is None else float(length_m)

    notes: list[tuple[int, str]] = []
    applied: set[str] = set()
    items, unscored = _side_items(observations, pack, applied)
    code_order = list(pack.code_table)
    notes.extend(
        (_N_UNSCORED, f"{c} recorded, not scored") for c in sorted(unscored, key=code_order.index)
    )
    out: dict[str, Any] = {"e": e}
    for side in _SIDES:
        figures = _side_scalar(
            sorted(items[side], key=_extent), seg_len, rules, side, notes, applied
        )
        out.update(_side_grades_one(side, figures, k, t, e, rules, pack, notes, applied))
    n_any = out["n"] + out["n_functional"]
    if n_any and math.isnan(e):
        notes.append((_N_UNKNOWN, "diameter unknown: E and the RI/MI indices not computed"))
    if n_any and not seg_len > 0:
        notes.append((_N_UNKNOWN, "segment length unknown: S_M and Y_M not computed"))
    if n_any and diameter_mm is not None and float(diameter_mm) in pack.e_boundaries_unconfirmed():
        applied.add("table:E")
    return SegmentAssessment(
        **out,
        notes=tuple(n for _, n in sorted(notes, key=lambda x: x[0])),
        unconfirmed=rules.keep(applied),
    )


_Item = tuple[float, float, str, float, bool]  # start, end, code, score, local


def _side_items(
    observations: Iterable[Any], pack: StandardPack, applied: set[str]
) -> tuple[dict[str, list[_Item]], list[str]]:
    """Check each observation and file the scored ones by side; list the unscored codes."""
    items: dict[str, list[_Item]] = {s: [] for s in _SIDES}
    unscored: list[str] = []
    for i, ob in enumerate(observations):
        code, grade, dist, olen = _unpack_observation(ob, i)
        dc = pack.validate_observation(code, grade)
        dist = _check_distance(dist, i, code)
        olen = _check_length(olen, i, code)
        if not dc.scored:
            if dc.code not in unscored:
                unscored.append(dc.code)
            continue
        local = olen is None
        end = dist if local else dist + olen
        items[dc.kind].append((dist, end, dc.code, pack.score(dc.code, grade), local))
        if dc.kind == FUNCTIONAL:
            applied.update({f"code:{dc.code}", "kind:functional"})
    return items, unscored


def _side_grades_one(
    side: str,
    figures: tuple[int, float, float, float, float],
    k: float,
    t: float,
    e: float,
    rules: _Rules,
    pack: StandardPack,
    notes: list[tuple[int, str]],
    applied: set[str],
) -> dict[str, Any]:
    """The columns of one side of one segment: its figures, the weights used, index and grades."""
    n, s, s_max, p, s_m = figures
    below = rules.k_zero_below[side]
    k_used = 0.0 if below is not None and p < below else k
    t_used = 0.0 if rules.t_zero and p == 0 else t
    if n == 0:
        index = 0.0
    else:
        index = _index(rules, side, p, k_used, e, t_used)
        if k_used != k:
            notes.append((_N_K, _k_note(k, rules.pkey[side], p, below)))
            applied.add(_K_RULE[side])
        if t_used != t and side == STRUCTURAL:
            notes.append((_N_T, f"T = {t:g} taken as 0 because F = 0"))
        if side == FUNCTIONAL:
            applied.add("rule:mi_weights")
    dens = pack.classify_one("density_classes", s_m) if n else None
    if dens is not None:
        applied.add("table:density_classes")
    grade = pack.classify_one("defect_grades", p)
    index_grade = pack.classify_one("index_grades", index)
    values = (n, s, s_max, p, s_m, dens, grade, k_used, index, index_grade)
    return _side_columns(side, values, t_used)


def _side_scalar(
    items: list[tuple[float, float, str, float, bool]],
    seg_len: float,
    rules: _Rules,
    side: str,
    notes: list[tuple[int, str]],
    applied: set[str],
) -> tuple[int, float, float, float, float]:
    """Merge, weight and sum one side of one segment; items sorted by (start, end)."""
    if not items:
        return 0, 0.0, 0.0, 0.0, 0.0
    clusters: list[dict[str, Any]] = []
    run_end = -math.inf
    for start, end, code, score, local in items:
        gap = float(np.round(start - run_end, _ROUND)) if clusters else math.inf
        if clusters and gap < rules.merge:
            c = clusters[-1]
            c["members"].append((code, start, end))
            c["end"] = max(c["end"], end)
            c["local"] = c["local"] or local
            if score > c["score"]:
                c["score"], c["kept"] = score, code
        else:
            clusters.append(
                {
                    "members": [(code, start, end)],
                    "start": start,
                    "end": end,
                    "score": score,
                    "kept": code,
                    "local": local,
                    "gap_prev": gap,
                }
            )
        run_end = max(run_end, end)
    total_w = total_wl = 0.0
    for i, c in enumerate(clusters):
        gap_next = clusters[i + 1]["gap_prev"] if i + 1 < len(clusters) else math.inf
        spacing = min(c["gap_prev"], gap_next)
        near = spacing <= rules.near and (rules.at_limit or spacing > rules.merge)
        if spacing == rules.merge:
            applied.add("rule:factor_at_merge_limit")
        if near and side == FUNCTIONAL:
            applied.add("rule:beta")
        w = rules.factor[side] if near else 1.0
        span = c["end"] - c["start"]
        if c["local"] or not rules.continuous_real:
            counted = max(span, rules.local_min)
            applied.add("rule:local_min_length_m")
        else:
            counted = span
            applied.add("rule:continuous_real_length")
        total_w += c["score"] * w
        total_wl += c["score"] * w * counted
        if len(c["members"]) > 1:
            applied.add("rule:merge_spacing_below_m")
            notes.append(
                (
                    _N_MERGE,
                    _merge_note(side, c["members"], c["kept"], c["score"], c["start"], c["end"]),
                )
            )
    n = len(clusters)
    s = total_w / n
    s_max = max(c["score"] for c in clusters)
    s_m = total_wl / (s * seg_len) if s > 0 and seg_len > 0 else math.nan
    return n, s, s_max, max(s_max, s), s_m


def _extent(item: tuple[float, float, str, float, bool]) -> tuple[float, float]:
    return item[0], item[1]  # ties keep the input order, as the lexsort does


def _unpack_observation(ob: Any, i: int) -> tuple[str, Any, Any, Any]:
    if isinstance(ob, Observation):
        return ob.code, ob.grade, ob.distance_m, ob.length_m
    if isinstance(ob, Mapping):
        try:
            return ob[CODE], ob[GRADE], ob[DISTANCE_M], ob.get(OBS_LENGTH_M)
        except KeyError as exc:
            raise ValidationError(
                f"Observation {i} lacks {exc.args[0]!r}; an observation "
                "needs code, grade, distance_m (and length_m for a "
                "continuous defect).",
                record=str(i),
                field=str(exc.args[0]),
            ) from None
    ob = tuple(ob)
    if len(ob) not in (3, 4):
        raise ValidationError(
            f"Observation {i} has {len(ob)} values; expected (code, grade, "
            "distance_m[, length_m]).",
            record=str(i),
            found=ob,
        )
    return ob[0], ob[1], ob[2], ob[3] if len(ob) == 4 else None


def _check_distance(dist: Any, i: int, code: str) -> float:
    try:
        d = float(dist)
    except (TypeError, ValueError):
        d = math.nan
    if not d >= 0 or math.isinf(d):
        raise ValidationError(
            f"Observation {i} ({code}): distance_m must be a number ≥ 0 "
            f"(metres from the segment start); got {dist!r}.",
            record=str(i),
            field=DISTANCE_M,
            found=dist,
        )
    return d


def _check_length(olen: Any, i: int, code: str) -> float | None:
    if olen is None:
        return None
    try:
        x = float(olen)
    except (TypeError, ValueError):
        x = -1.0
    if math.isnan(x):
        return None
    if not x >= 0 or math.isinf(x):
        raise ValidationError(
            f"Observation {i} ({code}): length_m must be ≥ 0 for a "
            f"continuous defect or empty for a local one; got {olen!r}.",
            record=str(i),
            field=OBS_LENGTH_M,
            found=olen,
        )
    return x
