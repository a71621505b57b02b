"""Protected-area conflicts: every park feature against every protected zone, exactly.

The check answers, for each pipe, manhole, outfall, plant, enterprise and the park boundary,
which ecological red line, nature reserve, drinking-water source zone, scenic area or other
sensitive zone it lies in, crosses, touches or comes within a rule's buffer distance of; how
much of it lies inside (metres of pipe, square metres and share of the park); how far it is
from the zone edge; and which rule of the :class:`~surveys.zones.rules.RuleTable` applies
with what severity.

Lengths, areas and distances are computed in a projected CRS in metres whatever the input: a
projected project CRS is used as it is (feet are converted exactly); a geographic CRS, or a
projection that distorts more than 0.15 % at the data centre (Web Mercator), is replaced by
the CGCS2000 3-degree Gauss-Kruger zone (CGCS2000 data) or the UTM zone of the data centre.

The hot path is vectorised shapely 2: one STRtree of the zones, envelope candidates for all
features at once, prepared-zone predicates (``contains_properly`` settles most pairs with no
overlay), exact ``intersection`` only for pairs that cross an edge, and ``dwithin`` queries
on the zones whose rule has a buffer. Candidate pairs are grouped by zone and split over two
threads (shapely releases the GIL); a prepared zone is only ever used by one thread.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString, box
>>> x, y = 500_000, 3_400_000
>>> zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["红线A"], "zone_class": ["redline"],
...                           "zone_level": [None]}, geometry=[box(x, y, x + 100, y + 100)],
...                          crs="EPSG:4547")
>>> pipe = LineString([(x + 50, y + 50), (x + 150, y + 50)])
>>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"]}, geometry=[pipe], crs="EPSG:4547")
>>> res = run_overlap_check({"pipes": pipes}, zones)
>>> row = res.rows.iloc[0]
>>> row.feature_id, row.relation, float(row.overlap_length_m), row.severity
('P1', 'crosses', 50.0, 'conflict')
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj import CRS, Transformer

from network.io.crs import crs_label, metric_crs_for
from network.io.fields import guess_mapping, value_code
from network.issues import INFO as ISSUE_INFO
from network.issues import WARNING as ISSUE_WARNING
from network.issues import Issue
from network.progress import Progress, drain
from network.schema import (
    BOUNDARY,
    ID_COLUMN,
    NAME,
    SRC_FID,
    ZONE_CLASS,
    ZONE_CLASSES,
    ZONE_ID,
    ZONE_LEVEL,
    ZONE_LEVELS,
    ZONES,
)
from surveys.errors import SurveyError
from surveys.zones.rules import (
    FEATURE_TYPES,
    INFO,
    NO_RULE,
    SEVERITIES,
    RuleTable,
    default_rules,
)

log = logging.getLogger(__name__)


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


class OverlapError(SurveyError):
    """The protected-area check cannot run on these inputs (no CRS, no polygons …)."""


# --- zones ---------------------------------------------------------------------------------------
def zone_class_code(value: Any) -> str | None:
    """The zone class code of a source value, or None when it names no class.

    Examples
    --------
    >>> zone_class_code("饮用水水源一级保护区"), zone_class_code("生态保护红线")
    ('water_source', 'redline')
    >>> zone_class_code("nature_reserve"), zone_class_code("停车场") is None
    ('nature_reserve', True)
    """
    return value_code(value, "zone_class")


def zone_level_code(value: Any) -> str | None:
    """The zone level code of a source value, or None.

    Examples
    --------
    >>> zone_level_code("饮用水水源一级保护区"), zone_level_code("实验区"), zone_level_code("")
    ('level1', 'experimental', None)
    """
    return value_code(value, "zone_level")


@dataclass(frozen=True)
class ZoneLayer:
    """Zones ready for the check: canonical columns, valid polygons, one CRS.

    ``zones`` has ``zone_id``, ``name``, ``zone_class``, ``zone_level``, ``zone_repaired``
    (bool), ``repair_note`` and the geometry; ``issues`` says what was repaired or dropped.
    """

    zones: gpd.GeoDataFrame
    issues: tuple[Issue, ...] = ()


def _as_object_str(values: pd.Series) -> np.ndarray:
    """Values as an object array of stripped ``str`` or None (``3.0`` becomes ``"3"``)."""

    def one(v: Any) -> str | None:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s or None

    out = np.empty(len(values), dtype=object)
    out[:] = [
        v if type(v) is str and v and not v[0].isspace() and not v[-1].isspace() else one(v)
        for v in values.tolist()
    ]
    return out


def _obj(values: pd.Series) -> np.ndarray:
    """An object array with None (not NaN) for missing values."""
    out = values.to_numpy(dtype=object).copy()
    out[pd.isna(out)] = None
    return out


def _geom_array(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(gdf.geometry.array, dtype=object)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (collections from make_valid)."""
    out = geoms.copy()
    tid = shapely.get_type_id(out)
    for i in np.flatnonzero(tid == 7):
        parts = shapely.get_parts(out[i])
        polys = [p for p in parts if shapely.get_dimensions(p) == 2 and not p.is_empty]
        out[i] = shapely.union_all(polys) if polys else shapely.Polygon()
    return out


def _make_valid(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GEOS's reason each geometry is invalid, and its polygonal make_valid repair."""
    reasons = shapely.is_valid_reason(geoms)
    made = _polygonal(shapely.make_valid(geoms, method="structure", keep_collapsed=False))
    return reasons, made


def _where(geom: Any) -> tuple[float | None, float | None]:
    if geom is None or shapely.is_empty(geom):
        return None, None
    p = shapely.point_on_surface(geom)
    return float(shapely.get_x(p)), float(shapely.get_y(p))


def _zone_mapping(
    layer: gpd.GeoDataFrame, mapping: Mapping[str, str | None] | None, label: str, file: str
) -> Mapping[str, str | None]:
    """The columns the zone roles come from: given, canonical, or guessed from the names."""
    if mapping is None:
        canonical = [c for c in (ZONE_ID, NAME, ZONE_CLASS, ZONE_LEVEL) if c in layer.columns]
        if ZONE_CLASS in canonical:
            mapping = {
                c: (c if c in layer.columns else None)
                for c in (ZONE_ID, NAME, ZONE_CLASS, ZONE_LEVEL)
            }
        else:
            guessed = guess_mapping(ZONES, [str(c) for c in layer.columns if c != "geometry"])
            mapping = {c: guessed.get(c) for c in (ZONE_ID, NAME, ZONE_CLASS, ZONE_LEVEL)}
    for role, col in mapping.items():
        if col is not None and col not in layer.columns:
            raise OverlapError(
                f"{label}: the field mapping says {role} comes from column {col!r}, but the "
                f"layer has no such column (columns: "
                f"{', '.join(str(c) for c in layer.columns if c != layer.geometry.name)}).",
                file=file or None,
                field=str(col),
            )
    return mapping


def _zone_classes(
    raw_class: np.ndarray, raw_level: np.ndarray, default_class: str | None, label: str
) -> tuple[np.ndarray, np.ndarray, list[Issue]]:
    """Class and level codes per zone, worked out once per distinct raw value.

    Unknown class values become ``default_class`` (else ``other``), one finding per value.
    """
    n = len(raw_class)
    issues: list[Issue] = []
    classes = np.empty(n, dtype=object)
    levels = np.empty(n, dtype=object)
    unknown: dict[str, int] = {}
    class_cache: dict[Any, str | None] = {}
    level_cache: dict[Any, str | None] = {}
    for i in range(n):
        rc, rl = raw_class[i], raw_level[i]
        if rc not in class_cache:
            class_cache[rc] = zone_class_code(rc)
        code = class_cache[rc]
        if code is None:
            if rc is not None:
                unknown[rc] = unknown.get(rc, 0) + 1
            code = default_class or "other"
        classes[i] = code
        key = (rl, rc)
        if key not in level_cache:
            # the level may be spelt inside the class value ("饮用水水源二级保护区")
            level_cache[key] = zone_level_code(rl) if rl is not None else zone_level_code(rc)
        levels[i] = level_cache[key]
    for value, count in sorted(unknown.items()):
        fallback = default_class or "other"
        issues.append(
            Issue.make(
                "semantics",
                "unknown_zone_class",
                ISSUE_WARNING,
                layer=ZONES,
                zh=f"{label}：保护区类别“{value}”无法识别（{count} 个要素），按“{fallback}”处理",
                en=f"{label}: zone class {value!r} is not understood ({count} "
                f"feature(s)); treated as {fallback!r}. Map it in the field mapping.",
                id=f"overlap.unknown_zone_class:{value}",
                value=value,
                count=count,
                treated_as=fallback,
            )
        )
    return classes, levels, issues


def prepare_zones(
    layer: gpd.GeoDataFrame,
    mapping: Mapping[str, str | None] | None = None,
    *,
    crs: CRS | str | None = None,
    default_class: str | None = None,
    file: str = "",
) -> ZoneLayer:
    """Turn any polygon layer into zones: class and level from a field mapping, valid polygons.

    Parameters
    ----------
    layer : GeoDataFrame
        Polygons (any attribute columns).
    mapping : dict, optional
        ``{"zone_id": col, "name": col, "zone_class": col, "zone_level": col}``; a role
        mapped to None is not read. By default the canonical columns are used when present,
        else the columns are guessed from their names (``类别``, ``分区``, ``名称`` …).
    crs : CRS, optional
        Reproject the zones into this CRS (the project CRS).
    default_class : str, optional
        Class of zones whose class field is missing or empty (e.g. ``redline`` for a layer
        that holds only red-line polygons). Without it such zones are ``other``.
    file : str
        Name of the source, for messages.

    Returns
    -------
    ZoneLayer
        The zones and the findings: unknown class values, repaired polygons (with the GEOS
        reason), dropped empty or non-polygon features.

    Raises
    ------
    OverlapError
        The layer has no CRS, a mapped column is missing, ``default_class`` is unknown, or
        the layer holds no polygons.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> gdf = gpd.GeoDataFrame({"类别": ["生态保护红线"]}, geometry=[bowtie], crs="EPSG:4547")
    >>> zl = prepare_zones(gdf)
    >>> zl.zones.zone_class[0], bool(zl.zones.zone_repaired[0]), float(zl.zones.area[0])
    ('redline', True, 2.0)
    """
    label = file or "zone layer"
    _check_zone_layer(layer, default_class, label, file)
    mapping = _zone_mapping(layer, mapping, label, file)
    gdf = layer
    if crs is not None:
        target = CRS.from_user_input(crs)
        if not gdf.crs.equals(target):
            gdf = gdf.to_crs(target)
    n = len(gdf)
    src_fid = gdf[SRC_FID].to_numpy() if SRC_FID in gdf.columns else np.arange(n)
    ids, names, raw_class, raw_level = _zone_attributes(gdf, mapping, src_fid)
    classes, levels, issues = _zone_classes(raw_class, raw_level, default_class, label)
    geoms = _geom_array(gdf)
    keep = _polygon_zones(geoms, ids, src_fid, label, issues)
    fixed, repaired, notes = _repair_zones(geoms, keep, ids, src_fid, label, issues)
    if not keep.any():
        raise OverlapError(
            f"{label} holds no polygons ({n} feature(s)); a zone layer must be a polygon layer.",
            file=file or None,
        )
    zones = gpd.GeoDataFrame(
        {
            ZONE_ID: pd.Series(ids[keep], dtype=object),
            NAME: pd.Series(names[keep], dtype=object),
            ZONE_CLASS: pd.Series(classes[keep], dtype=object),
            ZONE_LEVEL: pd.Series(levels[keep], dtype=object),
            "zone_repaired": repaired[keep],
            "repair_note": pd.Series(notes[keep], dtype=object),
            SRC_FID: np.asarray(src_fid)[keep],
        },
        geometry=gpd.GeoSeries(fixed[keep], crs=gdf.crs).values,
        crs=gdf.crs,
    )
    return ZoneLayer(zones=zones, issues=tuple(issues))


def _check_zone_layer(
    layer: gpd.GeoDataFrame, default_class: str | None, label: str, file: str
) -> None:
    """Refuse an unknown default class and a layer without a CRS."""
    if default_class is not None and default_class not in ZONE_CLASSES:
        raise OverlapError(
            f"Zone class {default_class!r} is unknown; use one of {', '.join(ZONE_CLASSES)}.",
            field=ZONE_CLASS,
            found=default_class,
        )
    if layer.crs is None:
        raise OverlapError(
            f"{label} has no CRS, so it cannot be compared with the park. Set the CRS of the "
            "source file (e.g. EPSG:4490 for CGCS2000 longitude/latitude) and reload.",
            file=file or None,
        )


def _zone_attributes(
    gdf: gpd.GeoDataFrame, mapping: Mapping[str, str | None], src_fid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Id (``Z<fid + 1>`` when empty), name, raw class and raw level of every zone."""
    n = len(gdf)

    def col_values(role: str) -> np.ndarray:
        col = mapping.get(role)
        if col is None:
            return np.full(n, None, dtype=object)
        return _as_object_str(gdf[col])

    ids = col_values(ZONE_ID)
    for i in range(n):
        if ids[i] is None:
            ids[i] = f"Z{int(src_fid[i]) + 1}"
    return ids, col_values(NAME), col_values(ZONE_CLASS), col_values(ZONE_LEVEL)


def _polygon_zones(
    geoms: np.ndarray, ids: np.ndarray, src_fid: np.ndarray, label: str, issues: list[Issue]
) -> np.ndarray:
    """Which zones have a polygon; a finding for each one left out."""
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    dims = shapely.get_dimensions(geoms)
    not_poly = ~missing & (dims != 2) & (shapely.get_type_id(geoms) != 7)
    for i in np.flatnonzero(missing | not_poly):
        why_zh = "没有几何" if missing[i] else "不是面要素"
        why_en = "has no geometry" if missing[i] else "is not a polygon"
        issues.append(
            Issue.make(
                "geometry",
                "zone_dropped",
                ISSUE_WARNING,
                [ids[i]],
                ZONES,
                zh=f"{label}：保护区 {ids[i]} {why_zh}，未参与检查",
                en=f"{label}: zone {ids[i]} {why_en}; it was left out of the check.",
                id=f"overlap.zone_dropped:{ids[i]}",
                src_fid=int(src_fid[i]),
            )
        )
    return ~(missing | not_poly)


def _repair_zones(
    geoms: np.ndarray,
    keep: np.ndarray,
    ids: np.ndarray,
    src_fid: np.ndarray,
    label: str,
    issues: list[Issue],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repair the invalid zones kept (a finding each; drop those left empty in ``keep``).

    Returns the polygonal geometries, which zones were repaired, and the repair notes.
    """
    n = len(geoms)
    invalid = np.zeros(n, dtype=bool)
    invalid[keep] = ~shapely.is_valid(geoms[keep])
    repaired = np.zeros(n, dtype=bool)
    notes = np.full(n, "", dtype=object)
    fixed = geoms.copy()
    if invalid.any():
        idx = np.flatnonzero(invalid)
        reasons, made = _make_valid(geoms[idx])
        for j, i in enumerate(idx):
            area = float(shapely.area(made[j]))
            x, y = _where(made[j]) if not shapely.is_empty(made[j]) else (None, None)
            repaired[i] = True
            notes[i] = f"repaired: {reasons[j]}"
            fixed[i] = made[j]
            issues.append(
                Issue.make(
                    "geometry",
                    "zone_repaired",
                    ISSUE_WARNING,
                    [ids[i]],
                    ZONES,
                    None if x is None else (x, y),
                    zh=f"{label}：保护区 {ids[i]} 的多边形无效（{reasons[j]}），"
                    "已用 make_valid 自动修复后参与检查，请核对原始数据",
                    en=f"{label}: zone {ids[i]} is an invalid polygon ({reasons[j]}); "
                    "it was repaired with make_valid for the check. Check the source data.",
                    id=f"overlap.zone_repaired:{ids[i]}",
                    src_fid=int(src_fid[i]),
                    reason=reasons[j],
                    area_after=area,
                )
            )
            if shapely.is_empty(made[j]):
                keep[i] = False
    if (shapely.get_type_id(geoms) == 7).any():
        fixed[keep] = _polygonal(fixed[keep])
    return fixed, repaired, notes


# --- metric CRS ------------------------------------------------------------------------------
def _centre_lonlat(crs: CRS, bounds: np.ndarray) -> tuple[float, float]:
    x, y = (bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0
    geod = crs.geodetic_crs or CRS.from_epsg(4326)
    lon, lat = Transformer.from_crs(crs, geod, always_xy=True).transform(x, y)
    return float(lon), float(lat)


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


# --- the check -------------------------------------------------------------------------------
def _feature_ids(gdf: gpd.GeoDataFrame, kind: str, idx: np.ndarray) -> np.ndarray:
    """Ids (str) of the features at positions ``idx``; ``#src_fid`` where the id is missing."""
    col = ID_COLUMN.get(kind)
    idx = np.asarray(idx, dtype=np.int64)
    n = len(idx)
    if col in gdf.columns:
        ids = _as_object_str(gdf[col].iloc[idx])
    else:
        ids = np.full(n, None, dtype=object)
    none = np.flatnonzero(pd.isna(ids))
    if len(none):
        fids = gdf[SRC_FID].to_numpy()[idx] if SRC_FID in gdf.columns else idx
        for i in none:
            if kind == BOUNDARY:
                ids[i] = "园区范围" if len(gdf) == 1 else f"园区范围{int(fids[i]) + 1}"
            else:
                ids[i] = f"#{int(fids[i])}"
    return ids


@dataclass
class _Zones:
    geoms: np.ndarray  # metric CRS, prepared
    boundaries: np.ndarray
    tree: shapely.STRtree
    zone_class: np.ndarray
    zone_level: np.ndarray
    area: np.ndarray


def _rule_arrays(
    zones: _Zones, rules: RuleTable, kind: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per zone: buffer (m, NaN = no rule), severity, rule id, rule note for ``kind``."""
    n = len(zones.geoms)
    buf = np.full(n, np.nan)
    sev = np.full(n, INFO, dtype=object)
    rid = np.full(n, NO_RULE, dtype=object)
    note = np.full(n, "", dtype=object)
    keys = pd.MultiIndex.from_arrays(
        [pd.Series(zones.zone_class, dtype=object), pd.Series(zones.zone_level, dtype=object)]
    )
    codes, uniques = pd.factorize(keys)
    for k, (zc, zl) in enumerate(uniques):
        rule = rules.lookup(zc, None if zl is None or zl != zl else zl, kind)
        if rule is None:
            continue
        m = codes == k
        buf[m] = rule.buffer_m
        sev[m] = rule.severity
        rid[m] = rule.rule_id
        note[m] = rule.note
    return buf, sev, rid, note


def _measure(geoms: np.ndarray, dims: np.ndarray) -> np.ndarray:
    out = np.full(len(geoms), np.nan)
    lines, polys = dims == 1, dims == 2
    out[lines] = shapely.length(geoms[lines])
    out[polys] = shapely.area(geoms[polys])
    return out


def _pairs_for_kind(
    geoms: np.ndarray,
    zones: _Zones,
    buf_units: np.ndarray,
) -> dict[str, np.ndarray]:
    """All feature-zone pairs that intersect, or lie within the zone's buffer (CRS units)."""
    nz = len(zones.geoms)
    f_all, z_all = zones.tree.query(geoms)
    # grouped by zone: each prepared zone is then used for a run of pairs (cache-friendly)
    order = np.argsort(z_all, kind="stable")
    f_all, z_all = f_all[order], z_all[order]
    zg = zones.geoms
    inside = shapely.contains_properly(zg[z_all], geoms[f_all])
    rest = np.flatnonzero(~inside)
    hit = inside.copy()
    if len(rest):
        hit[rest] = shapely.intersects(zg[z_all[rest]], geoms[f_all[rest]])
    f, z, inside = f_all[hit], z_all[hit], inside[hit]
    g = geoms[f]
    dims = shapely.get_dimensions(g)
    full = _measure(g, dims)
    overlap = np.where(inside, full, 0.0)
    parts = g.copy()
    cross = np.flatnonzero(~inside & (dims > 0))
    if len(cross):
        pieces = shapely.intersection(g[cross], zg[z[cross]])
        parts[cross] = pieces
        overlap[cross] = _measure(pieces, dims[cross])
        # a pipe lying along the zone edge is on the edge, not inside: drop collinear parts
        lines = cross[dims[cross] == 1]
        along = lines[shapely.relate_pattern(g[lines], zones.boundaries[z[lines]], "1********")]
        if len(along):
            parts[along] = shapely.difference(parts[along], zones.boundaries[z[along]])
            overlap[along] = shapely.length(parts[along])
    edge_pts = np.flatnonzero(~inside & (dims == 0))
    if len(edge_pts):
        parts[edge_pts] = shapely.intersection(g[edge_pts], zg[z[edge_pts]])
    # distance to the edge: only features strictly inside are away from it
    dist = np.zeros(len(f))
    ins = np.flatnonzero(inside)
    if len(ins):
        dist[ins] = shapely.distance(zones.boundaries[z[ins]], g[ins])
    near_mask = np.zeros(len(f), dtype=bool)
    # buffers: features outside a zone but within its rule's buffer distance
    has_buf = np.flatnonzero(np.nan_to_num(buf_units, nan=0.0) > 0)
    if len(has_buf):
        sub = shapely.STRtree(zg[has_buf])
        bf, bz = sub.query(geoms, predicate="dwithin", distance=float(buf_units[has_buf].max()))
        bz = has_buf[bz]
        seen = np.isin(bf.astype(np.int64) * nz + bz, f.astype(np.int64) * nz + z)
        bf, bz = bf[~seen], bz[~seen]
        if len(bf):
            d = shapely.distance(zg[bz], geoms[bf])
            ok = d <= buf_units[bz] * (1 + 1e-12)
            bf, bz, d = bf[ok], bz[ok], d[ok]
            bg = geoms[bf]
            bdims = shapely.get_dimensions(bg)
            bfull = _measure(bg, bdims)
            f = np.concatenate([f, bf])
            z = np.concatenate([z, bz])
            inside = np.concatenate([inside, np.zeros(len(bf), dtype=bool)])
            full = np.concatenate([full, bfull])
            overlap = np.concatenate([overlap, np.where(np.isnan(bfull), np.nan, 0.0)])
            parts = np.concatenate([parts, bg])
            dist = np.concatenate([dist, d])
            near_mask = np.concatenate([near_mask, np.ones(len(bf), dtype=bool)])
            dims = np.concatenate([dims, bdims])
    return {
        "f": f,
        "z": z,
        "inside": inside,
        "near": near_mask,
        "full": full,
        "overlap": overlap,
        "dist": dist,
        "parts": parts,
        "dims": dims,
    }


def _relations(p: dict[str, np.ndarray]) -> np.ndarray:
    rel = np.full(len(p["f"]), EDGE, dtype=object)
    full, ov, dims = p["full"], p["overlap"], p["dims"]
    with np.errstate(invalid="ignore"):
        whole = (dims > 0) & (ov >= full * (1 - 1e-12)) & (ov > 0)
        partial = (dims > 0) & (ov > 0) & ~whole
    rel[partial] = CROSSES
    rel[whole] = INSIDE
    rel[p["inside"]] = INSIDE
    rel[p["near"]] = NEAR
    return rel


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _source_records(sources: Any) -> list[dict[str, Any]]:
    """Normalise ``{kind: [LayerSource | dict | path]}`` or a list into input records."""
    out: list[dict[str, Any]] = []
    if not sources:
        return out
    items: Iterable[tuple[str, Any]]
    if isinstance(sources, Mapping):
        items = ((k, v) for k, v in sources.items())
    else:
        items = (("", v) for v in sources)
    for kind, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, (str, Path)):
                p = Path(v)
                sha = _sha256(p) if p.is_file() else ""
                out.append({"kind": kind, "file": p.name, "sha256": sha})
                continue
            get = v.get if isinstance(v, Mapping) else (lambda k, d=None, v=v: getattr(v, k, d))
            path = get("path") or get("file") or ""
            layer = get("layer")
            name = Path(str(path)).name + (f":{layer}" if layer else "")
            out.append(
                {
                    "kind": get("kind") or kind,
                    "file": name,
                    "sha256": get("sha256") or "",
                }
            )
    return sorted(out, key=lambda r: (r["kind"], r["file"], r["sha256"]))


def software_versions() -> dict[str, str]:
    """Versions that decide the numbers: PipeAtlas, shapely/GEOS, pyproj/PROJ, geopandas."""
    try:
        app = metadata.version("pipeatlas")
    except metadata.PackageNotFoundError:
        app = "0.1.0"
    return {
        "pipeatlas": app,
        "shapely": shapely.__version__,
        "GEOS": shapely.geos_version_string,
        "pyproj": pyproj.__version__,
        "PROJ": pyproj.proj_version_str,
        "geopandas": gpd.__version__,
        "numpy": np.__version__,
    }


def _to_crs(gdf: gpd.GeoDataFrame, crs: CRS, kind: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise OverlapError(
            f"Layer {kind} has no CRS; set the CRS of its source file and reload.",
            file=None,
            record=kind,
        )
    return gdf if gdf.crs.equals(crs) else gdf.to_crs(crs)


def _data_centre(crs: CRS, frames: list[gpd.GeoDataFrame]) -> tuple[float, float]:
    """Longitude and latitude of the middle of all the data (of the CRS origin if none)."""
    boxes = [g.total_bounds for g in frames if len(g)]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    bounds = (
        np.array(
            [
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            ]
        )
        if boxes
        else np.zeros(4)
    )
    return _centre_lonlat(crs, bounds)


def _metric_crs_issue(project_crs: CRS, metric: CRS) -> Issue:
    return Issue.make(
        "crs",
        "metric_crs",
        ISSUE_INFO,
        zh=f"项目坐标系 {crs_label(project_crs)} 不宜直接量算，长度与面积在 "
        f"{crs_label(metric)} 中计算",
        en=f"The project CRS {crs_label(project_crs)} does not measure in "
        f"metres without distortion; lengths and areas were computed in "
        f"{crs_label(metric)}.",
        id="overlap.metric_crs",
        metric_crs=metric.to_string(),
    )


def _check_kind(
    gdf: gpd.GeoDataFrame,
    kind: str,
    zctx: _Zones,
    rules: RuleTable,
    metric: CRS | None,
    factor: float,
) -> tuple[dict[str, np.ndarray], list[Issue]]:
    """The feature-zone rows of one feature kind (columns ``_CHUNK_COLUMNS`` + geometry).

    ``metric`` is the CRS to measure in when it is not the project CRS.
    """
    gdf_m = gdf.to_crs(metric) if metric is not None else gdf
    geoms = _geom_array(gdf_m)
    geoms, found = _clean_features(geoms, gdf, kind)
    buf_m, sev, rid, note = _rule_arrays(zctx, rules, kind)
    pairs = _pairs_for_kind(geoms, zctx, buf_m / factor)
    f, z, dims = pairs["f"], pairs["z"], pairs["dims"]
    rel = _relations(pairs)
    scale = np.where(dims == 2, factor**2, factor)
    overlap_m = pairs["overlap"] * scale
    full_m = pairs["full"] * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(full_m > 0, overlap_m / full_m, np.where(rel == INSIDE, 1.0, 0.0))
    share[dims == 0] = np.nan
    no_rule = np.isnan(buf_m[z])
    # a pair that matches no rule is reported only when it touches the zone (as info)
    keep = ~(no_rule & (rel == NEAR))
    f, z = f[keep], z[keep]
    return {
        "feature_id": _feature_ids(gdf, kind, f),
        "feature_type": np.full(len(f), kind, dtype=object),
        "relation": rel[keep],
        "overlap_length_m": np.where(dims == 1, overlap_m, np.nan)[keep],
        "overlap_area_m2": np.where(dims == 2, overlap_m, np.nan)[keep],
        "overlap_share": share[keep],
        "distance_m": pairs["dist"][keep] * factor,
        "rule_id": rid[z],
        "buffer_m": np.where(no_rule[keep], 0.0, buf_m[z]),
        "severity": sev[z],
        "note": note[z],
        "feature_index": f.astype(np.int64),
        "zone_index": z.astype(np.int64),
        "geometry": pairs["parts"][keep],
    }, found


def check_overlaps(
    layers: Mapping[str, gpd.GeoDataFrame],
    zones: ZoneLayer | gpd.GeoDataFrame,
    rules: RuleTable | None = None,
    *,
    crs: CRS | str | None = None,
    sources: Any = None,
) -> Generator[Progress, None, OverlapResult]:
    """Check every feature of ``layers`` against every zone (a generator job, STYLE §5).

    Parameters
    ----------
    layers : mapping of layer kind to GeoDataFrame
        Any of ``pipes``, ``manholes``, ``outfalls``, ``plants``, ``enterprises``,
        ``boundary``; other kinds are ignored. Ids come from the canonical id columns.
    zones : ZoneLayer or GeoDataFrame
        Zones from :func:`prepare_zones`, or a layer with canonical zone columns.
    rules : RuleTable, optional
        Defaults to :func:`~surveys.zones.rules.default_rules`.
    crs : CRS, optional
        The project CRS (default: the zones' CRS). Layers in another CRS are reprojected.
    sources : optional
        Input files for the reproducibility block: ``{kind: [LayerSource | dict | path]}``.

    Yields
    ------
    (fraction, message)
        Progress.

    Returns
    -------
    OverlapResult

    Raises
    ------
    OverlapError
        A layer has no CRS, or the zones hold no polygons.
    """
    rules = rules if rules is not None else default_rules()
    yield 0.0, "Preparing zones"
    zl = zones if isinstance(zones, ZoneLayer) else prepare_zones(zones, crs=crs)
    issues: list[Issue] = list(zl.issues)
    project_crs = CRS.from_user_input(crs) if crs is not None else zl.zones.crs
    zgdf = _to_crs(zl.zones, project_crs, ZONES)
    feats = {
        k: _to_crs(layers[k], project_crs, k)
        for k in FEATURE_TYPES
        if k in layers and layers[k] is not None
    }
    lon, lat = _data_centre(project_crs, [zgdf, *feats.values()])
    metric, factor = metric_crs_for(project_crs, lon, lat)
    reproject = not metric.equals(project_crs)
    if reproject:
        issues.append(_metric_crs_issue(project_crs, metric))
    zctx = _zone_context(zgdf.to_crs(metric) if reproject else zgdf, factor)
    counts = {k: len(v) for k, v in feats.items()}
    counts["zones"] = len(zgdf)
    chunks: list[dict[str, np.ndarray]] = []
    kinds = [k for k in FEATURE_TYPES if k in feats]
    for step, kind in enumerate(kinds):
        yield 0.05 + 0.85 * step / max(len(kinds), 1), f"Checking {kind}"
        gdf = feats[kind]
        if gdf.empty:
            continue
        chunk, found = _check_kind(gdf, kind, zctx, rules, metric if reproject else None, factor)
        issues.extend(found)
        chunks.append(chunk)
    yield 0.92, "Sorting results"
    rows = _result_rows(chunks, zgdf, zctx, project_crs, metric)
    provenance = {
        "inputs": _source_records(sources),
        "crs": crs_label(project_crs),
        "metric_crs": crs_label(metric),
        "metres_per_unit": factor,
        "feature_counts": counts,
        "software": software_versions(),
    }
    yield 1.0, "Done"
    return OverlapResult(
        rows=rows,
        zones=zgdf,
        issues=tuple(issues),
        rules=rules,
        crs=project_crs,
        metric_crs=metric,
        provenance=provenance,
        feature_counts=counts,
        layers=feats,
    )


def _zone_context(zgdf_m: gpd.GeoDataFrame, factor: float) -> _Zones:
    """The zones in the metric CRS, prepared and indexed for the pair search."""
    zg = _geom_array(zgdf_m)
    shapely.prepare(zg)
    return _Zones(
        geoms=zg,
        boundaries=shapely.boundary(zg),
        tree=shapely.STRtree(zg),
        zone_class=_obj(zgdf_m[ZONE_CLASS]),
        zone_level=_obj(zgdf_m[ZONE_LEVEL]) if ZONE_LEVEL in zgdf_m else np.full(len(zg), None),
        area=shapely.area(zg) * factor**2,
    )


def _result_rows(
    chunks: list[dict[str, np.ndarray]],
    zgdf: gpd.GeoDataFrame,
    zctx: _Zones,
    project_crs: CRS,
    metric: CRS,
) -> gpd.GeoDataFrame:
    """The rows of every kind joined, given their zone columns, sorted, back in the project CRS."""
    n = len(zgdf)
    zone_ids = _as_object_str(zgdf[ZONE_ID])
    zone_names = _obj(zgdf[NAME]) if NAME in zgdf else np.full(n, None)
    zone_rep = (
        zgdf["zone_repaired"].to_numpy(dtype=bool)
        if "zone_repaired" in zgdf
        else np.zeros(n, dtype=bool)
    )
    cols = {
        k: np.concatenate([c[k] for c in chunks]) if chunks else np.array([], dtype=object)
        for k in (*_CHUNK_COLUMNS, "geometry")
    }
    z = cols["zone_index"].astype(np.int64)
    cols["zone_id"] = zone_ids[z]
    cols["zone_name"] = zone_names[z]
    cols["zone_class"] = zctx.zone_class[z]
    cols["zone_level"] = zctx.zone_level[z]
    cols["zone_repaired"] = zone_rep[z]
    order = _row_order(cols, zone_ids)
    data = {}
    for c in ROW_COLUMNS:
        v = cols[c][order]
        data[c] = pd.Series(v, dtype=object if v.dtype == object else v.dtype)
    parts = gpd.GeoSeries(cols["geometry"][order], crs=metric)
    if not metric.equals(project_crs) and len(parts):
        parts = parts.to_crs(project_crs)
    return gpd.GeoDataFrame(
        data, geometry=parts.set_crs(project_crs, allow_override=True).values, crs=project_crs
    )


def _rank(values: np.ndarray, ranks: Mapping[Any, int], missing: int) -> np.ndarray:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    table = np.array([ranks.get(u, missing) for u in uniques] + [missing], dtype=np.int64)
    return table[codes]


def _row_order(cols: Mapping[str, np.ndarray], zone_ids: np.ndarray) -> np.ndarray:
    """Deterministic row order: severity, zone class, level, zone, feature type, feature."""
    if len(cols["zone_index"]) == 0:
        return np.arange(0)
    z = cols["zone_index"].astype(np.int64)
    zone_rank = np.empty(len(zone_ids), dtype=np.int64)
    zone_rank[np.lexsort((np.arange(len(zone_ids)), zone_ids.astype(str)))] = np.arange(
        len(zone_ids)
    )
    fid_codes, fid_uniques = pd.factorize(pd.Series(cols["feature_id"], dtype=object))
    fid_rank = np.empty(len(fid_uniques), dtype=np.int64)
    fid_rank[np.argsort(np.asarray(fid_uniques, dtype=str), kind="stable")] = np.arange(
        len(fid_uniques)
    )
    keys = (
        _rank(cols["severity"], _SEV_RANK, 9),
        _rank(cols["zone_class"], _CLASS_RANK, 99),
        _rank(cols["zone_level"], _LEVEL_RANK, 0),
        zone_rank[z],
        _rank(cols["feature_type"], _TYPE_RANK, 99),
        fid_rank[fid_codes],
        cols["feature_index"].astype(np.int64),
    )
    return np.lexsort(tuple(reversed(keys)))


def _clean_features(
    geoms: np.ndarray, gdf: gpd.GeoDataFrame, kind: str
) -> tuple[np.ndarray, list[Issue]]:
    """Null out missing geometries and repair invalid polygons, with a finding for each."""
    issues = []
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        idx = np.flatnonzero(bad)
        ids = _feature_ids(gdf, kind, idx)
        sample = ", ".join(str(i) for i in ids[:5])
        issues.append(
            Issue.make(
                "geometry",
                "no_geometry",
                ISSUE_WARNING,
                ids[:20],
                kind,
                zh=f"{len(idx)} 个{kind}要素没有几何，未参与检查（{sample}）",
                en=f"{len(idx)} {kind} feature(s) have no geometry and were not "
                f"checked ({sample}).",
                id=f"overlap.no_geometry:{kind}",
                count=len(idx),
            )
        )
        geoms = np.where(bad, None, geoms)
    dims = shapely.get_dimensions(geoms)
    polys = np.flatnonzero(~bad & (dims == 2))
    if len(polys):
        invalid = polys[~shapely.is_valid(geoms[polys])]
        if len(invalid):
            ids = _feature_ids(gdf, kind, invalid)
            reasons, made = _make_valid(geoms[invalid])
            geoms = geoms.copy()
            geoms[invalid] = made
            issues.append(
                Issue.make(
                    "geometry",
                    "feature_repaired",
                    ISSUE_WARNING,
                    ids[:20],
                    kind,
                    zh=f"{len(invalid)} 个{kind}多边形无效（{reasons[0]}），已自动修复后参与检查",
                    en=f"{len(invalid)} {kind} polygon(s) were invalid "
                    f"({reasons[0]}) and were repaired with make_valid for the check.",
                    id=f"overlap.feature_repaired:{kind}",
                    reasons=sorted(set(reasons.tolist())),
                )
            )
    return geoms, issues


def run_overlap_check(
    layers: Mapping[str, gpd.GeoDataFrame],
    zones: ZoneLayer | gpd.GeoDataFrame,
    rules: RuleTable | None = None,
    **kw: Any,
) -> OverlapResult:
    """:func:`check_overlaps` run to the end (for scripts, tests and the CLI)."""
    return drain(check_overlaps(layers, zones, rules, **kw))


def check_project(
    project: Any,
    rules: RuleTable | None = None,
    *,
    zones: ZoneLayer | gpd.GeoDataFrame | None = None,
) -> Generator[Progress, None, OverlapResult]:
    """Check an open project (``network.io.project.Project``) against its zones.

    ``rules`` default to the rules saved with the project (:func:`load_rules`); ``zones``
    default to the project's ``zones`` layer. The reproducibility block lists the project
    file and every source file with its SHA-256.

    Raises
    ------
    OverlapError
        The project has no zone layer and none was given.
    """
    from surveys.zones.rules import load_rules

    if rules is None:
        rules = load_rules(project.path)
    if zones is None:
        if ZONES not in project.layers or project.layers[ZONES].empty:
            raise OverlapError(
                f"Project {Path(project.path).name} has no protected-area layer (zones). Add "
                "one with the zone import, or give a zone file (--zones FILE).",
                file=str(project.path),
            )
        zones = project.layers[ZONES]
    sources = {
        "project": [
            {"kind": "project", "path": str(project.path), "sha256": _sha256(Path(project.path))}
        ],
        **dict(getattr(project, "sources", {}) or {}),
    }
    return (
        yield from check_overlaps(project.layers, zones, rules, crs=project.crs, sources=sources)
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
