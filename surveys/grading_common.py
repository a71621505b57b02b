"""What both grading engines share: the tables' columns, the observation and result types,
the pack's rules read once, the wording of the notes and the RI/MI formula.

The conventions are set out in :mod:`surveys.grading`; the engines are
:func:`surveys.grading_segment.assess_segment` (one segment, the readable reference) and
:func:`surveys.grading_batch.grade_segments` (many segments, vectorised).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from network.schema import LENGTH_M
from surveys.standards import FUNCTIONAL, STRUCTURAL, StandardPack

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
