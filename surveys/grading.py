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

The engines live beside this module: :mod:`surveys.grading_segment` (one segment, the
readable reference), :mod:`surveys.grading_batch` (many segments, vectorised) and
:mod:`surveys.grading_common` (types, columns, pack rules and notes both share). Import
from here.
"""

from surveys.grading_batch import grade_segments
from surveys.grading_common import (
    AREA_K,
    CODE,
    DISTANCE_M,
    GRADE,
    OBS_LENGTH_M,
    RESULT_COLUMNS,
    SIDE_COLUMNS,
    SOIL_T,
    GradingDefaults,
    Observation,
    SegmentAssessment,
)
from surveys.grading_segment import assess_segment

__all__ = [
    "AREA_K",
    "CODE",
    "DISTANCE_M",
    "GRADE",
    "OBS_LENGTH_M",
    "RESULT_COLUMNS",
    "SIDE_COLUMNS",
    "SOIL_T",
    "GradingDefaults",
    "Observation",
    "SegmentAssessment",
    "assess_segment",
    "grade_segments",
]
