"""Protected-area conflicts raised as problems in the project's ledger.

:func:`conflicts_to_problems` words the findings of an :class:`OverlapResult` as ledger
problem dicts (Chinese and English text, location, feature, zone, measures and a stable
``source`` key); :func:`raise_conflicts` adds them to the project's ledger once each.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from network.io.crs import crs_label
from network.schema import BOUNDARY
from surveys.zones.result import (
    CROSSES,
    INSIDE,
    NEAR,
    RELATION_LABELS_ZH,
    OverlapResult,
    _clean_record,
    row_locations,
)


def raise_conflicts(
    project_path: str | Path, result: OverlapResult, severities: Iterable[str] = ("conflict",)
) -> Any:
    """Raise the findings of ``severities`` as problems in the project's ledger, once each.

    Returns ``surveys.ledger.RaiseResult`` (``added`` problems, ``skipped`` count: findings
    already raised before, even if dismissed, are skipped).
    """
    from surveys.ledger import problems_from_conflicts, raise_problems
    from surveys.store import SurveyStore

    store = SurveyStore(project_path)
    try:
        return raise_problems(
            store, problems_from_conflicts(conflicts_to_problems(result, severities))
        )
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def conflicts_to_problems(
    result: OverlapResult, severities: Iterable[str] = ("conflict",)
) -> list[dict[str, Any]]:
    """Findings worded as ledger problems (one dict per row of the given severities).

    Each dict has ``category`` (``protected_area``), ``kind`` (``overlap_<zone_class>``),
    ``severity``, ``description`` (Chinese), ``description_en``, ``location``
    (``{"x", "y", "crs"}`` in the project CRS), ``feature`` (``{"type", "id"}``), ``zone``
    (``{"id", "name", "class", "level"}``), ``measure`` (overlap, distance, rule) and
    ``source`` (``overlap:<rule>:<feature>:<zone>``, stable across runs, to avoid raising
    the same problem twice).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> z = gpd.GeoDataFrame({"zone_id": ["W1"], "name": ["一级区"],
    ...     "zone_class": ["water_source"], "zone_level": ["level1"]},
    ...     geometry=[box(500_000, 3_400_000, 500_100, 3_400_100)], crs="EPSG:4547")
    >>> o = gpd.GeoDataFrame({"outfall_id": ["PK1"]}, geometry=[Point(500_050, 3_400_050)],
    ...                      crs="EPSG:4547")
    >>> from surveys.zones.overlap import run_overlap_check
    >>> p = conflicts_to_problems(run_overlap_check({"outfalls": o}, z))[0]
    >>> p["feature"], p["location"]["x"]
    ({'type': 'outfalls', 'id': 'PK1'}, 500050.0)
    """
    wanted = set(severities)
    rows = result.rows[result.rows["severity"].isin(wanted)]
    if rows.empty:
        return []
    xs, ys = row_locations(rows)
    crs_text = crs_label(result.crs)
    return [
        _conflict_problem(r, x, y, crs_text)
        for (_, r), x, y in zip(rows.iterrows(), xs, ys, strict=True)
    ]


def _amount_text(r: Any) -> tuple[str, str]:
    """How much of the feature is concerned, in Chinese and English (or empty)."""
    if r.feature_type == "pipes" and r.relation in (INSIDE, CROSSES):
        return f"，区内长度 {r.overlap_length_m:.2f} m", f", {r.overlap_length_m:.2f} m inside"
    if r.feature_type == BOUNDARY and r.relation in (INSIDE, CROSSES):
        return (
            f"，重叠面积 {r.overlap_area_m2:.0f} m²（占园区 {r.overlap_share:.1%}）",
            f", {r.overlap_area_m2:.0f} m² overlap ({r.overlap_share:.1%} of park)",
        )
    if r.relation == NEAR:
        return (
            f"，距边界 {r.distance_m:.1f} m（缓冲 {r.buffer_m:.0f} m）",
            f", {r.distance_m:.1f} m from the edge (buffer {r.buffer_m:.0f} m)",
        )
    return "", ""


def _conflict_problem(r: Any, x: float, y: float, crs_text: str) -> dict[str, Any]:
    """One finding (a row of ``OverlapResult.rows``) as a ledger problem dict."""
    from network.schema import (
        LAYER_LABELS_ZH,
        ZONE_CLASS_LABELS_ZH,
        ZONE_LEVEL_LABELS_ZH,
    )

    zc = ZONE_CLASS_LABELS_ZH.get(r.zone_class, r.zone_class)
    zl = ZONE_LEVEL_LABELS_ZH.get(r.zone_level, "") if isinstance(r.zone_level, str) else ""
    what = LAYER_LABELS_ZH.get(r.feature_type, r.feature_type)
    zname = r.zone_name or r.zone_id
    amount_zh, amount_en = _amount_text(r)
    rel_zh = RELATION_LABELS_ZH[r.relation]
    return {
        "category": "protected_area",
        "kind": f"overlap_{r.zone_class}",
        "severity": r.severity,
        "description": f"{what} {r.feature_id} {rel_zh}：{zname}（{zc}{zl}）{amount_zh}",
        "description_en": f"{r.feature_type} {r.feature_id} {r.relation} zone "
        f"{zname} ({r.zone_class}{'/' + r.zone_level if zl else ''}){amount_en}",
        "location": {"x": round(float(x), 3), "y": round(float(y), 3), "crs": crs_text},
        "feature": {"type": r.feature_type, "id": str(r.feature_id)},
        "zone": {
            "id": str(r.zone_id),
            "name": r.zone_name,
            "class": r.zone_class,
            "level": r.zone_level if isinstance(r.zone_level, str) else None,
        },
        "measure": _clean_record(
            {
                "overlap_length_m": r.overlap_length_m,
                "overlap_area_m2": r.overlap_area_m2,
                "overlap_share": r.overlap_share,
                "distance_m": r.distance_m,
                "buffer_m": r.buffer_m,
                "rule_id": r.rule_id,
            }
        ),
        "source": f"overlap:{r.rule_id or 'none'}:{r.feature_type}:{r.feature_id}:{r.zone_id}",
    }
