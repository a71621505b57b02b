"""Zone layer preparation: any polygon layer turned into zones the overlap check can use.

Class and level codes come from a field mapping (given, canonical or guessed from the column
names; source values such as ``饮用水水源一级保护区`` are understood), invalid polygons are
repaired with ``make_valid`` (a finding each, with the GEOS reason), features without a
polygon are dropped (a finding each). :func:`prepare_zones` returns a :class:`ZoneLayer`;
the check itself is :mod:`surveys.zones.overlap`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from network.io.fields import guess_mapping, value_code
from network.issues import WARNING as ISSUE_WARNING
from network.issues import Issue
from network.schema import (
    NAME,
    SRC_FID,
    ZONE_CLASS,
    ZONE_CLASSES,
    ZONE_ID,
    ZONE_LEVEL,
    ZONES,
)
from surveys.errors import SurveyError


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
