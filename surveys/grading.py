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
    items: dict[str, list[tuple[float, float, str, float, bool]]] = {s: [] for s in _SIDES}
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
    code_order = list(pack.code_table)
    notes.extend(
        (_N_UNSCORED, f"{c} recorded, not scored") for c in sorted(unscored, key=code_order.index)
    )

    side_out = {}
    for side in _SIDES:
        side_out[side] = _side_scalar(
            sorted(items[side], key=_extent), seg_len, rules, side, notes, applied
        )

    out: dict[str, Any] = {"e": e}
    for side, (pk, kcol, icol, gcol, dcol) in {
        STRUCTURAL: ("f", "k_ri", "ri", "repair_grade", "density_class"),
        FUNCTIONAL: ("g", "k_mi", "mi", "maintenance_grade", "functional_density_class"),
    }.items():
        n, s, s_max, p, s_m = side_out[side]
        below = rules.k_zero_below[side]
        k_used = 0.0 if below is not None and p < below else k
        t_used = 0.0 if rules.t_zero and p == 0 else t
        w = rules.weights[side]
        if n == 0:
            index = 0.0
        else:
            index = (
                w[rules.pkey[side]] * p + w["K"] * k_used + w["E"] * e + w.get("T", 0.0) * t_used
            )
            if k_used != k:
                notes.append((_N_K, _k_note(k, rules.pkey[side], p, below)))
                applied.add("rule:k_zero_below_f" if side == STRUCTURAL else "rule:k_zero_below_g")
            if t_used != t and side == STRUCTURAL:
                notes.append((_N_T, f"T = {t:g} taken as 0 because F = 0"))
            if side == FUNCTIONAL:
                applied.add("rule:mi_weights")
        dens = pack.classify_one("density_classes", s_m) if n else None
        if dens is not None:
            applied.add("table:density_classes")
        out.update(
            {
                ("n" if side == STRUCTURAL else "n_functional"): n,
                ("s" if side == STRUCTURAL else "y"): s,
                ("s_max" if side == STRUCTURAL else "y_max"): s_max,
                pk: p,
                ("s_m" if side == STRUCTURAL else "y_m"): s_m,
                dcol: dens,
                (
                    "structural_grade" if side == STRUCTURAL else "functional_grade"
                ): pack.classify_one("defect_grades", p),
                kcol: k_used,
                icol: index,
                gcol: pack.classify_one("index_grades", index),
            }
        )
        if side == STRUCTURAL:
            out["t_ri"] = t_used
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
    applied: dict[str, np.ndarray] = {}

    def flag(item: str, mask: np.ndarray) -> None:
        if item in rules.unconfirmed:
            applied[item] = applied.get(item, np.zeros(nseg, bool)) | mask

    obs = _observation_arrays(observations, pack, seg_ids, errors, notes)
    seg_i, code_i, score, start, end, local, side_i, scored = obs
    codes = np.array(list(pack.code_table), dtype=object)

    # unscored codes: a note per (segment, code)
    if (~scored).any():
        pairs = np.unique(np.stack([seg_i[~scored], code_i[~scored]]), axis=1)
        notes.extend(
            (int(si), _N_UNSCORED, float(ci), f"{codes[ci]} recorded, not scored")
            for si, ci in pairs.T
        )
    keep = scored
    seg_i, code_i, score = seg_i[keep], code_i[keep], score[keep]
    start, end, local, side_i = start[keep], end[keep], local[keep], side_i[keep]
    for ci in np.unique(code_i[side_i == 1]):
        flag(
            f"code:{codes[ci]}",
            np.bincount(seg_i[(side_i == 1) & (code_i == ci)], minlength=nseg) > 0,
        )
    flag("kind:functional", np.bincount(seg_i[side_i == 1], minlength=nseg) > 0)

    # sort by (segment, side, start, end); group = one side of one segment
    order = np.lexsort((end, start, side_i, seg_i))
    seg_i, code_i, score = seg_i[order], code_i[order], score[order]
    start, end, local, side_i = start[order], end[order], local[order], side_i[order]
    grp = seg_i * 2 + side_i
    m = len(grp)
    new_grp = np.ones(m, bool)
    new_grp[1:] = grp[1:] != grp[:-1]
    run_end = pd.Series(end).groupby(grp).cummax().to_numpy()
    prev_run_end = np.zeros(m)
    prev_run_end[1:] = run_end[:-1]
    gap = np.where(new_grp, np.inf, np.round(start - prev_run_end, _ROUND)) if m else start
    new_cl = new_grp | (gap >= rules.merge)
    first = np.flatnonzero(new_cl)  # first row of each cluster
    ncl = len(first)
    cl_grp = grp[first]
    cl_seg, cl_side = seg_i[first], side_i[first]
    cl_start = start[first]
    if ncl:
        cl_end = np.maximum.reduceat(end, first)
        cl_score = np.maximum.reduceat(score, first)
        cl_local = np.logical_or.reduceat(local, first)
    else:
        cl_end = cl_score = np.empty(0)
        cl_local = np.empty(0, bool)
    cl_size = np.diff(np.append(first, m))
    gap_prev = gap[first] if ncl else np.empty(0)
    gap_next = np.full(ncl, np.inf)
    same_next = cl_grp[1:] == cl_grp[:-1]
    gap_next[:-1] = np.where(same_next, gap_prev[1:], np.inf)
    spacing = np.minimum(gap_prev, gap_next)
    near = spacing <= rules.near
    if not rules.at_limit:
        near &= spacing > rules.merge
    factor = np.where(cl_side == 0, rules.factor[STRUCTURAL], rules.factor[FUNCTIONAL])
    w = np.where(near, factor, 1.0)
    span = cl_end - cl_start
    use_min = cl_local | (not rules.continuous_real)
    counted = np.where(use_min, np.maximum(span, rules.local_min), span)

    def seg_any(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cl_seg[mask], minlength=nseg) > 0

    flag("rule:factor_at_merge_limit", seg_any(spacing == rules.merge))
    flag("rule:beta", seg_any(near & (cl_side == 1)))
    flag("rule:local_min_length_m", seg_any(use_min))
    flag("rule:continuous_real_length", seg_any(~use_min))
    flag("rule:merge_spacing_below_m", seg_any(cl_size > 1))
    _merge_notes(
        np.flatnonzero(cl_size > 1),
        first,
        cl_size,
        cl_seg,
        cl_side,
        cl_score,
        cl_start,
        cl_end,
        code_i,
        score,
        start,
        end,
        codes,
        notes,
    )

    size = 2 * nseg
    n2 = np.bincount(cl_grp, minlength=size).reshape(nseg, 2)
    sum_w = np.bincount(cl_grp, cl_score * w, minlength=size).reshape(nseg, 2)
    sum_wl = np.bincount(cl_grp, cl_score * w * counted, minlength=size).reshape(nseg, 2)
    smax = np.zeros(size)
    if ncl:
        gfirst = np.flatnonzero(np.r_[True, cl_grp[1:] != cl_grp[:-1]])
        smax[cl_grp[gfirst]] = np.maximum.reduceat(cl_score, gfirst)
    smax = smax.reshape(nseg, 2)

    e = pack.e_values(diam)
    res: dict[str, Any] = {"e": e}
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(n2 > 0, sum_w / np.maximum(n2, 1), 0.0)
        p = np.maximum(smax, s)
        dens_ok = (s > 0) & (seg_len[:, None] > 0)
        s_m = np.where(n2 == 0, 0.0, np.where(dens_ok, sum_wl / (s * seg_len[:, None]), np.nan))
    for j, side in enumerate(_SIDES):
        n_j, p_j = n2[:, j], p[:, j]
        below = rules.k_zero_below[side]
        forced_k = (p_j < below) if below is not None else np.zeros(nseg, bool)
        k_used = np.where(forced_k, 0.0, k)
        forced_t = (p_j == 0) if rules.t_zero else np.zeros(nseg, bool)
        t_used = np.where(forced_t, 0.0, t)
        wt = rules.weights[side]
        index = np.where(
            n_j == 0,
            0.0,
            wt[rules.pkey[side]] * p_j
            + wt["K"] * k_used
            + wt["E"] * e
            + wt.get("T", 0.0) * t_used,
        )
        has = n_j > 0
        kn = np.flatnonzero(has & forced_k & (k != 0))
        notes.extend(
            (int(i), _N_K, float(j), _k_note(k[i], rules.pkey[side], p_j[i], below)) for i in kn
        )
        flag(
            "rule:k_zero_below_f" if side == STRUCTURAL else "rule:k_zero_below_g",
            has & forced_k & (k != 0),
        )
        if side == STRUCTURAL:
            tn = np.flatnonzero(has & forced_t & (t != 0))
            notes.extend((int(i), _N_T, 0.0, f"T = {t[i]:g} taken as 0 because F = 0") for i in tn)
        else:
            flag("rule:mi_weights", has)
        dens = np.where(has, pack.classify("density_classes", s_m[:, j]), None)
        flag("table:density_classes", pd.notna(dens))
        names = SIDE_COLUMNS[side]
        values = (
            n_j,
            s[:, j],
            smax[:, j],
            p_j,
            s_m[:, j],
            dens,
            pack.classify("defect_grades", p_j),
            k_used,
            index,
            pack.classify("index_grades", index),
        )
        res.update(dict(zip(names, values, strict=True)))
        if side == STRUCTURAL:
            res["t_ri"] = t_used
    n_any = n2.sum(axis=1) > 0
    notes.extend(
        (int(i), _N_UNKNOWN, 0.0, "diameter unknown: E and the RI/MI indices not computed")
        for i in np.flatnonzero(n_any & np.isnan(e))
    )
    notes.extend(
        (int(i), _N_UNKNOWN, 1.0, "segment length unknown: S_M and Y_M not computed")
        for i in np.flatnonzero(n_any & ~(seg_len > 0))
    )
    bounds = pack.e_boundaries_unconfirmed()
    flag("table:E", n_any & np.isin(diam, bounds))

    res["notes"] = _join_notes(notes, nseg)
    res["unconfirmed"] = _join_flags(applied, rules.order, nseg)
    out = pd.DataFrame(res, index=pd.Index(seg_ids, name=PIPE_ID))
    return out[list(RESULT_COLUMNS)]


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
) -> tuple:
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
    code_list = list(pack.code_table)
    codes_norm = observations[CODE].astype(str).str.strip().str.upper()
    code_i = pd.Index(code_list).get_indexer(codes_norm).astype(np.int64)
    grade = pd.to_numeric(observations[GRADE], errors="coerce").to_numpy(float)
    gmax = max(max(c.grade_numbers) for c in pack.code_table.values())
    score_tab = np.full((len(code_list), gmax + 1), np.nan)
    kind_of = np.array([c.kind == FUNCTIONAL for c in pack.code_table.values()], dtype=np.int64)
    scored_of = np.array([c.scored for c in pack.code_table.values()])
    for ci, c in enumerate(pack.code_table.values()):
        for gi in c.grade_numbers:
            score_tab[ci, gi] = c.score(gi)
    g_ok = (~np.isnan(grade)) & (grade == np.floor(grade)) & (grade >= 0) & (grade <= gmax)
    gi = np.where(g_ok, grade, 0).astype(np.int64)
    score = np.where((code_i >= 0) & g_ok, score_tab[np.maximum(code_i, 0), gi], np.nan)
    dist = pd.to_numeric(observations[DISTANCE_M], errors="coerce").to_numpy(float)
    if OBS_LENGTH_M in observations.columns:
        olen = pd.to_numeric(observations[OBS_LENGTH_M], errors="coerce").to_numpy(float)
        olen_raw = observations[OBS_LENGTH_M]
        bad_len_text = olen_raw.notna().to_numpy() & np.isnan(olen)
    else:
        olen = np.full(len(pid), np.nan)
        bad_len_text = np.zeros(len(pid), bool)
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
            first, i = msgs[0], rows[0]
            more = f" ({len(rows) - 1} more row(s) with problems.)" if len(rows) > 1 else ""
            raise type(first)(
                f"Observation row {labels[i]} (pipe {pid[i]}): {first.message}{more}",
                first.details,
                file=first.file,
                record=str(labels[i]),
                field=first.field or CODE,
                **first.data,
            )
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
    start = dist
    end = np.where(local, dist, dist + np.where(local, 0.0, olen))
    ci = np.maximum(code_i, 0)
    return (
        seg_i[ok],
        code_i[ok],
        score[ok],
        start[ok],
        end[ok],
        local[ok],
        kind_of[ci][ok],
        scored_of[ci][ok],
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


def _merge_notes(
    merged: np.ndarray,
    first: np.ndarray,
    cl_size: np.ndarray,
    cl_seg: np.ndarray,
    cl_side: np.ndarray,
    cl_score: np.ndarray,
    cl_start: np.ndarray,
    cl_end: np.ndarray,
    code_i: np.ndarray,
    score: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    codes: np.ndarray,
    notes: list[tuple[int, int, float, str]],
) -> None:
    for c in merged:
        a, b = first[c], first[c] + cl_size[c]
        kept = codes[code_i[a + int(np.argmax(score[a:b]))]]
        members = [(codes[code_i[r]], float(start[r]), float(end[r])) for r in range(a, b)]
        side = _SIDES[cl_side[c]]
        notes.append(
            (
                int(cl_seg[c]),
                _N_MERGE,
                cl_side[c] * 1e12 + float(cl_start[c]),
                _merge_note(
                    side, members, kept, float(cl_score[c]), float(cl_start[c]), float(cl_end[c])
                ),
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
