"""What the overlap check found: :class:`OverlapResult`, its row columns and relations.

One row per feature-zone finding (:data:`ROW_COLUMNS`), the relation of the feature to the
zone (:data:`RELATIONS`), the summary per zone class, severity and feature type, and the
JSON-ready records (rounded by :data:`ROUNDING`) used by the CLI and the reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from network.io.crs import crs_label
from network.issues import Issue
from network.schema import ZONE_CLASSES, ZONE_LEVELS
from surveys.zones.prepare import _geom_array
from surveys.zones.rules import FEATURE_TYPES, SEVERITIES, RuleTable

# relations of a feature to a zone
INSIDE, CROSSES, EDGE, NEAR = "inside", "crosses", "edge", "near"
RELATIONS = (INSIDE, CROSSES, EDGE, NEAR)
RELATION_LABELS_ZH = {
    INSIDE: "位于区内",
    CROSSES: "穿越边界",
    EDGE: "接触边界",
    NEAR: "缓冲距离内",
}

ROW_COLUMNS = (
    "feature_id",
    "feature_type",
    "zone_id",
    "zone_name",
    "zone_class",
    "zone_level",
    "relation",
    "overlap_length_m",
    "overlap_area_m2",
    "overlap_share",
    "distance_m",
    "rule_id",
    "buffer_m",
    "severity",
    "note",
    "zone_repaired",
    "feature_index",
    "zone_index",
)
#: Columns looked up from the zone of a row (the rest come from the feature-zone pairs).
_ZONE_COLUMNS = ("zone_id", "zone_name", "zone_class", "zone_level", "zone_repaired")
_CHUNK_COLUMNS = tuple(c for c in ROW_COLUMNS if c not in _ZONE_COLUMNS)


# --- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverlapResult:
    """What the check found.

    Attributes
    ----------
    rows : GeoDataFrame
        One row per feature-zone finding (columns :data:`ROW_COLUMNS`), sorted by severity,
        zone class, zone and feature; the geometry is the overlapping part of the feature
        (the whole feature for ``near`` rows) in the project CRS. Lengths in metres, areas
        in m², ``overlap_share`` the fraction of the feature (of the park for the boundary)
        inside, ``distance_m`` the distance to the zone edge (0 when crossing or touching).
    zones : GeoDataFrame
        The zones as checked (repaired, in the project CRS).
    issues : tuple of Issue
        Repaired or dropped zones and features, unknown classes, the measuring CRS.
    rules : RuleTable
        The rules applied.
    crs, metric_crs : CRS
        Project CRS and the CRS lengths were measured in.
    provenance : dict
        Inputs (file names, SHA-256), CRSs, software versions: the reproducibility block.
    feature_counts : dict
        Number of features checked per feature type, plus ``zones``.
    layers : dict
        The feature layers as checked (project CRS); ``feature_index`` indexes into them.
    """

    rows: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    issues: tuple[Issue, ...]
    rules: RuleTable
    crs: CRS | None
    metric_crs: CRS
    provenance: dict[str, Any] = field(default_factory=dict)
    feature_counts: dict[str, int] = field(default_factory=dict)
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    def feature_geometry(self, i: int) -> Any:
        """The whole feature of row ``i`` (project CRS), or the row geometry if unknown."""
        r = self.rows.iloc[i]
        gdf = self.layers.get(r.feature_type)
        if gdf is None:
            return self.rows.geometry.iloc[i]
        return gdf.geometry.iloc[int(r.feature_index)]

    def findings(self, *severities: str) -> gpd.GeoDataFrame:
        """Rows of the given severities (all rows if none given)."""
        if not severities:
            return self.rows
        return self.rows[self.rows["severity"].isin(severities)]

    @property
    def conflicts(self) -> gpd.GeoDataFrame:
        """Rows of severity ``conflict``."""
        return self.findings("conflict")

    @property
    def has_conflicts(self) -> bool:
        """True when at least one row is a conflict."""
        return bool((self.rows["severity"] == "conflict").any())

    def summary(self) -> pd.DataFrame:
        """Findings per zone class, severity and feature type: count, length, area.

        Sorted in the order of ``ZONE_CLASSES``, ``SEVERITIES`` and ``FEATURE_TYPES``.
        """
        r = self.rows
        cols = [
            "zone_class",
            "severity",
            "feature_type",
            "findings",
            "features",
            "overlap_length_m",
            "overlap_area_m2",
        ]
        if r.empty:
            return pd.DataFrame(columns=cols)
        g = r.groupby(["zone_class", "severity", "feature_type"], sort=False)
        out = pd.DataFrame(
            {
                "findings": g.size(),
                "features": g["feature_index"].nunique(),
                "overlap_length_m": g["overlap_length_m"].sum(min_count=1),
                "overlap_area_m2": g["overlap_area_m2"].sum(min_count=1),
            }
        ).reset_index()
        out = out.iloc[
            np.lexsort(
                (
                    out["feature_type"].map(_TYPE_RANK).to_numpy(),
                    out["severity"].map(_SEV_RANK).to_numpy(),
                    out["zone_class"].map(_CLASS_RANK).to_numpy(),
                )
            )
        ].reset_index(drop=True)
        return out[cols]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (numbers rounded: lengths mm, areas cm², shares 1e-6)."""
        return {
            "crs": crs_label(self.crs),
            "metric_crs": crs_label(self.metric_crs),
            "feature_counts": dict(self.feature_counts),
            "counts": {s: int((self.rows["severity"] == s).sum()) for s in SEVERITIES},
            "summary": [_clean_record(r) for r in self.summary().to_dict("records")],
            "rows": rows_as_records(self.rows),
            "issues": [i.to_dict() for i in self.issues],
            "rules": self.rules.to_records(),
            "provenance": self.provenance,
        }


_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_CLASS_RANK = {c: i for i, c in enumerate(ZONE_CLASSES)}
_LEVEL_RANK = {lv: i + 1 for i, lv in enumerate(ZONE_LEVELS)}
_TYPE_RANK = {t: i for i, t in enumerate(FEATURE_TYPES)}
ROUNDING = {
    "overlap_length_m": 3,
    "overlap_area_m2": 2,
    "overlap_share": 6,
    "distance_m": 3,
    "buffer_m": 3,
    "x": 3,
    "y": 3,
}


def _clean_value(key: str, v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            return None
        nd = ROUNDING.get(key)
        return round(float(v), nd) if nd is not None else float(v)
    return v


def _clean_record(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _clean_value(k, v) for k, v in rec.items()}


def row_locations(rows: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A representative point of each row's geometry (mid-length of a pipe part)."""
    geoms = _geom_array(rows)
    pts = np.empty(len(geoms), dtype=object)
    dims = shapely.get_dimensions(geoms)
    lines = dims == 1
    if lines.any():
        merged = shapely.line_merge(geoms[lines])
        simple = shapely.get_type_id(merged) == 1
        mids = shapely.point_on_surface(merged)
        mids[simple] = shapely.line_interpolate_point(merged[simple], 0.5, normalized=True)
        pts[lines] = mids
    if (~lines).any():
        pts[~lines] = shapely.point_on_surface(geoms[~lines])
    return shapely.get_x(pts), shapely.get_y(pts)


def rows_as_records(rows: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts with a location ``x``, ``y`` (rounded, no geometry)."""
    if rows.empty:
        return []
    x, y = row_locations(rows)
    df = pd.DataFrame(rows.drop(columns=rows.geometry.name))
    df["x"], df["y"] = x, y
    return [_clean_record(r) for r in df.to_dict("records")]
