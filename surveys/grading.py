"""Segment (管段) grading after CJJ 181-2012, driven entirely by a standard pack.

Every figure (scores, α/β, spacing limits, weights K/E/T, thresholds, density classes)
comes from a :class:`surveys.standards.StandardPack`; nothing is hard-coded here.

Conventions (the standard's text leaves these open; they are decided here once):

Observation
    ``code``, ``grade``, ``distance_m`` (from the start of the segment, m) and
    ``length_m``: None/NaN for a *local* defect, the real length for a *continuous* one.
    A local defect occupies the point ``[d, d]`` along the pipe; a continuous one
    ``[d, d + length]``.
Spacing
    The *clear* longitudinal distance between the end of one defect and the start of the
    next, both on the same side (structural or functional). A defect's spacing is the
    smaller of the clear distances to its previous and next neighbours; a lone defect has
    infinite spacing. Overlapping defects have negative spacing.
Merge (rule ``merge_spacing_below_m``, unconfirmed)
    Defects closer than 1 m merge into one, chaining along the pipe (a, b, c each < 1 m
    from the previous merged extent become one). The merged defect keeps the higher score
    (and the code that carries it) and spans both: from the smallest start to the largest
    end. Structural and functional defects never merge with each other.
Counted length L_i (rules ``local_min_length_m``, ``continuous_real_length``, unconfirmed)
    A defect (merged or not) that contains a local defect counts as
    ``max(extent, 1 m)``; a purely continuous one counts its real extent.
Factor α (β)
    Applies to a defect whose spacing is > 1.0 m and ≤ 1.5 m (``near_spacing_max_m``).
    A spacing of exactly 1.0 m is not merged and gets the factor too
    (``factor_at_merge_limit``, unconfirmed). Spacings are compared after rounding to
    1 µm, so 4.2 − 3.0 counts as 1.2.
Formulas
    ``S = (ΣP_i1 + α·ΣP_i2) / n``, ``S_max = max P``, ``F = max(S_max, S)``,
    ``S_M = (ΣP_i1·L_i1 + α·ΣP_i2·L_i2) / (S·L)``, ``RI = 0.7F + 0.1K + 0.05E + 0.15T``;
    the functional side mirrors it with β, Y, Y_max, G, Y_M and ``MI = 0.8G + 0.15K +
    0.05E``. K is taken as 0 when F < ``k_zero_below_f`` (4; unconfirmed, a null value
    switches it off) and when G < ``k_zero_below_g`` (null, i.e. off, by default); T is 0
    when F = 0. E comes from the diameter through table E.
Segments without defects
    A side with no scored defect has n = 0, all figures 0, its index (RI or MI) 0 and
    grade I (the formula's 0.05·E term is not added to a clean pipe). Its density class
    is None. FZ (and any code whose ``scored`` is false) is recorded in the notes only.
Unknown values
    An unknown segment length leaves S_M/Y_M and the density class NaN/None; an unknown
    diameter (and no default) leaves E, RI/MI and their grades NaN/None. Both add a note.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from network.schema import DIAMETER_MM, LENGTH_M, PIPE_ID
from surveys.errors import CodeNotFoundError, GradeError, ValidationError
from surveys.standards import FUNCTIONAL, STRUCTURAL, StandardPack, load_pack

# observation table columns
CODE, GRADE, DISTANCE_M = "code", "grade", "distance_m"
OBS_LENGTH_M = LENGTH_M  # defect length (None/NaN for a local defect)
# segment table columns besides pipe_id, length_m, diameter_mm
AREA_K, SOIL_T = "area_k", "soil_t"

#: The per-side columns of :func:`grade_segments`: count, score, maximum, F/G, S_M/Y_M,
#: density class, defect grade, K, RI/MI index, repair/maintenance grade.
SIDE_COLUMNS = {
    STRUCTURAL: (
        "n",
        "s",
        "s_max",
        "f",
        "s_m",
        "density_class",
        "structural_grade",
        "k_ri",
        "ri",
        "repair_grade",
    ),
    FUNCTIONAL: (
        "n_functional",
        "y",
        "y_max",
        "g",
        "y_m",
        "functional_density_class",
        "functional_grade",
        "k_mi",
        "mi",
        "maintenance_grade",
    ),
}
#: Columns of :func:`grade_segments`' result (index: ``pipe_id``), in order: the structural
#: side with E and T after K, the functional side, then notes and unconfirmed rules.
RESULT_COLUMNS = (
    *SIDE_COLUMNS[STRUCTURAL][:8],
    "e",
    "t_ri",
    *SIDE_COLUMNS[STRUCTURAL][8:],
    *SIDE_COLUMNS[FUNCTIONAL],
    "notes",
    "unconfirmed",
)

_ROUND = 6  # spacings are compared after rounding to 1 µm
_SIDES = (STRUCTURAL, FUNCTIONAL)
# note order inside a segment
_N_SKIP, _N_UNSCORED, _N_MERGE, _N_K, _N_T, _N_UNKNOWN = range(6)


@dataclass(frozen=True)
class Observation:
    """One defect observation on a segment.

    Parameters
    ----------
    code : str
        Defect code of the pack (``"PL"``, ``"CJ"`` …).
    grade : int
        Grade 1–4 (the grades the code defines).
    distance_m : float
        Distance of the defect's start from the start of the segment, m.
    length_m : float or None
        Length of a continuous defect, m; None for a local defect.
    """

    code: str
    grade: int
    distance_m: float
    length_m: float | None = None


@dataclass(frozen=True)
class GradingDefaults:
    """Values used where a segment gives none.

    ``area_k`` and ``soil_t`` are a value of table K / T or one of its keys (``"central"``,
    ``"medium"`` …); ``diameter_mm`` None means "unknown" (E, RI and MI stay NaN).
    """

    area_k: float | str = 0.0
    soil_t: float | str = 0.0
    diameter_mm: float | None = None


@dataclass(frozen=True)
class SegmentAssessment:
    """The CJJ 181 assessment of one segment.

    Structural side: ``n`` defects (after merging), ``s``, ``s_max``, ``f``, ``s_m``,
    ``density_class``, ``structural_grade`` (from F), ``k_ri``/``e``/``t_ri`` (the weights
    used), ``ri`` and ``repair_grade`` (from RI). Functional side: ``n_functional``, ``y``,
    ``y_max``, ``g``, ``y_m``, ``functional_density_class``, ``functional_grade`` (from G),
    ``k_mi``, ``mi``, ``maintenance_grade`` (from MI). Grades are the pack's class keys
    (``"I"``…``"IV"``). ``notes`` explain merges, unscored codes and forced weights;
    ``unconfirmed`` lists the ids of the unconfirmed pack items that the result rests on.
    """

    n: int
    s: float
    s_max: float
    f: float
    s_m: float
    density_class: str | None
    structural_grade: str
    k_ri: float
    e: float
    t_ri: float
    ri: float
    repair_grade: str | None
    n_functional: int
    y: float
    y_max: float
    g: float
    y_m: float
    functional_density_class: str | None
    functional_grade: str
    k_mi: float
    mi: float
    maintenance_grade: str | None
    notes: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()


# --- shared helpers ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rules:
    merge: float
    near: float
    at_limit: bool
    local_min: float
    continuous_real: bool
    factor: dict[str, float]
    weights: dict[str, dict[str, float]]
    pkey: dict[str, str]
    k_zero_below: dict[str, float | None]
    t_zero: bool
    unconfirmed: frozenset[str]
    order: tuple[str, ...]

    @classmethod
    def of(cls, pack: StandardPack) -> _Rules:
        ids = tuple(u.id for u in pack.unconfirmed_rules())
        return cls(
            merge=float(pack.rule("merge_spacing_below_m")),
            near=float(pack.rule("near_spacing_max_m")),
            at_limit=bool(pack.rule("factor_at_merge_limit")),
            local_min=float(pack.rule("local_min_length_m")),
            continuous_real=bool(pack.rule("continuous_real_length")),
            factor={STRUCTURAL: float(pack.rule("alpha")), FUNCTIONAL: float(pack.rule("beta"))},
            weights={
                STRUCTURAL: dict(pack.rule("ri_weights")),
                FUNCTIONAL: dict(pack.rule("mi_weights")),
            },
            pkey={STRUCTURAL: "F", FUNCTIONAL: "G"},
            k_zero_below={
                STRUCTURAL: pack.rule("k_zero_below_f"),
                FUNCTIONAL: pack.rule("k_zero_below_g"),
            },
            t_zero=bool(pack.rule("t_zero_when_f_zero")),
            unconfirmed=frozenset(ids),
            order=ids,
        )

    def keep(self, applied: Iterable[str]) -> tuple[str, ...]:
        """Return the applied ids that the pack flags unconfirmed, in pack order."""
        got = set(applied)
        return tuple(i for i in self.order if i in got)


def _m(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _at(code: str, start: float, end: float) -> str:
    return f"{code} at {_m(start)} m" if end <= start else f"{code} at {_m(start)}–{_m(end)} m"


def _merge_note(
    side: str,
    members: Sequence[tuple[str, float, float]],
    kept: str,
    score: float,
    start: float,
    end: float,
) -> str:
    parts = [_at(c, s, e) for c, s, e in members]
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    where = f"at {_m(start)} m" if end <= start else f"spans {_m(start)}–{_m(end)} m"
    return f"merged {side} defects {listed} into one (kept {kept}, score {score:g}; {where})"


def _k_note(k: float, pkey: str, p: float, below: float) -> str:
    return f"K = {k:g} taken as 0 because {pkey} = {p:.3g} < {below:g} (unconfirmed rule)"


def _weight(pack: StandardPack, table: str, value: Any, default: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = default
    return pack.weight_value(table, value)


_K_RULE = {STRUCTURAL: "rule:k_zero_below_f", FUNCTIONAL: "rule:k_zero_below_g"}


def _index(rules: _Rules, side: str, p: Any, k: Any, e: Any, t: Any) -> Any:
    """RI (structural) or MI (functional) from F/G, K, E and T: scalars or arrays."""
    w = rules.weights[side]
    return w[rules.pkey[side]] * p + w["K"] * k + w["E"] * e + w.get("T", 0.0) * t


def _side_columns(side: str, values: tuple, t_used: Any) -> dict[str, Any]:
    """Name one side's values by :data:`SIDE_COLUMNS`; the structural side adds ``t_ri``."""
    out = dict(zip(SIDE_COLUMNS[side], values, strict=True))
    if side == STRUCTURAL:
        out["t_ri"] = t_used
    return out


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
    """Assess one segment after CJJ 181 (see the module docstring for the conventions).

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
