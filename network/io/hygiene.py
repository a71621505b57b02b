"""Geometry hygiene on import: every fault reported per feature, nothing dropped silently.

- null/empty geometries are kept (as empty) and reported;
- multipart lines and points are exploded into parts, each part keeping the feature's
  attributes, with ``src_part`` numbering the parts and the id suffixed ``#k``;
- Z/M values are dropped, M alone too (reported once per layer with the count);
- features with NaN/infinite coordinates lose their geometry (kept, reported one by one);
- zero-length lines are kept and reported;
- invalid polygons are repaired with ``shapely.make_valid`` and reported with the reason.
"""

from __future__ import annotations

import numpy as np

from network import packed as packedmod
from network.errors import SchemaError
from network.issues import INFO, WARNING, Issue
from network.lazy import lazy_module
from network.schema import GEOMETRY_KIND, SRC_FID, SRC_PART

gpd = lazy_module("geopandas", globals())
shapely = lazy_module("shapely", globals())

_ACCEPT = {
    "line": {"LineString", "MultiLineString", "LinearRing"},
    "point": {"Point", "MultiPoint"},
    "polygon": {"Polygon", "MultiPolygon"},
}


def _issue(kind, layer, fid, ids, geom, zh, en, severity=WARNING, **data) -> Issue:
    x = y = None
    if geom is not None and not shapely.is_empty(geom):
        p = shapely.get_point(geom, 0) if shapely.get_type_id(geom) == 1 else None
        c = p if p is not None and not shapely.is_empty(p) else shapely.centroid(geom)
        if not shapely.is_empty(c):
            x, y = float(shapely.get_x(c)), float(shapely.get_y(c))
    xy = None if x is None else (x, y)
    return Issue.make(
        "hygiene",
        kind,
        severity,
        ids,
        layer,
        xy,
        zh,
        en,
        id=f"hygiene.{kind}:{layer}:{fid}",
        **{"src_fid": fid, **data},
    )


def clean_geometries(
    gdf: gpd.GeoDataFrame, kind: str, *, file: str = "", id_col: str | None = None
) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Check and clean the geometries of a layer of ``kind``.

    ``gdf`` must have a ``src_fid`` column. Returns the cleaned frame (a new index) and the
    per-feature issues.

    Raises
    ------
    SchemaError
        The layer holds geometries of the wrong type for its kind (points in a pipe layer …).
    """
    gkind = GEOMETRY_KIND[kind]
    label = file or kind
    if packedmod.packed(gdf.geometry) is not None:
        return _clean_packed(gdf, kind, label, file, id_col)
    geoms = gdf.geometry.to_numpy().copy()
    null = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    ids = _Ids(gdf, id_col)
    issues: list[Issue] = []
    # NaN/infinite coordinates: the geometry is removed (the feature and its attributes stay)
    bad = _nonfinite(geoms, ~null)
    for i in np.flatnonzero(bad):
        fid = int(gdf[SRC_FID].iloc[i])
        issues.append(
            _issue(
                "nonfinite_coordinates",
                kind,
                fid,
                [ids(i)],
                None,
                f"{label} 第 {fid} 个要素（{ids(i)}）的坐标含 NaN 或无穷大，已去掉其几何图形"
                "（要素及属性保留，但无法参与网络分析）",
                f"{label}: feature {fid} ({ids(i)}) has NaN or infinite coordinates; its "
                "geometry was removed (the feature and its attributes are kept, outside the "
                "network)",
                severity=WARNING,
            )
        )
    if bad.any():
        geoms[bad] = None
    present = ~null & ~bad
    types = _check_types(gdf, shapely.get_type_id(geoms), present, kind, label, file)
    for i in np.flatnonzero(null):
        fid = int(gdf[SRC_FID].iloc[i])
        issues.append(
            _issue(
                "empty_geometry",
                kind,
                fid,
                [ids(i)],
                None,
                f"{label} 第 {fid} 个要素（{ids(i)}）没有几何图形，已保留但无法参与网络分析",
                f"{label}: feature {fid} ({ids(i)}) has no geometry; kept, but it cannot "
                "take part in the network",
                severity=WARNING,
            )
        )

    # Z/M dropped (M alone too: a PolyLineM is drawn and measured as a plain line)
    has_z = present & (shapely.has_z(geoms) | shapely.has_m(geoms))
    if has_z.any():
        geoms = geoms.copy()
        geoms[has_z] = shapely.force_2d(geoms[has_z])
        issues.append(
            Issue.make(
                "hygiene",
                "z_dropped",
                INFO,
                layer=kind,
                zh=f"{label}：{int(has_z.sum())} 个要素的 Z/M 值已去除（高程请用属性字段）",
                en=f"{label}: Z/M values dropped from {int(has_z.sum())} feature(s) "
                "(elevations come from attribute fields)",
                id=f"hygiene.z_dropped:{kind}",
                count=int(has_z.sum()),
            )
        )

    out = gdf.copy(deep=False)  # copy-on-write: the new columns never reach gdf
    out[SRC_PART] = 0
    if gkind == "polygon":
        issues += _repair_polygons(geoms, present, gdf, kind, label, ids)
        out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
        return out.reset_index(drop=True), issues
    out, multi_issues = _explode_multiparts(out, geoms, present & np.isin(types, [4, 5]), ids)
    issues += [_multipart_issue(kind, label, f, ident, g) for f, ident, g in multi_issues]
    if gkind == "line":
        issues += _zero_length_issues(out, kind, label, id_col)
    return out, issues


def _clean_packed(
    gdf: gpd.GeoDataFrame, kind: str, label: str, file: str, id_col: str | None
) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """:func:`clean_geometries` of packed geometries (:mod:`network.packed`), which are all
    present, finite, 2-D and single by construction: only their type and zero lengths are
    left to check, from the coordinates."""
    types = packedmod.type_ids(gdf.geometry)
    _check_types(gdf, types, np.ones(len(types), dtype=bool), kind, label, file)
    out = gdf.copy(deep=False)
    out[SRC_PART] = 0
    out = out.reset_index(drop=True)
    issues = []
    if GEOMETRY_KIND[kind] == "line":
        issues += _zero_length_issues(out, kind, label, id_col)
    return out, issues


def _nonfinite(geoms: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Rows whose geometry has a NaN or infinite x or y (vectorised)."""
    out = np.zeros(len(geoms), dtype=bool)
    if not present.any():
        return out
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        out[np.unique(index[~finite])] = True
    return out


_TYPE_NAMES = np.array(
    [
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    ]
)


def _check_types(
    gdf: gpd.GeoDataFrame, types: np.ndarray, present: np.ndarray, kind: str, label: str, file: str
) -> np.ndarray:
    """*types* (shapely's type id per feature) once checked: a feature of the wrong type for
    ``kind`` is an error."""
    gkind = GEOMETRY_KIND[kind]
    accepted = [k for k, name in enumerate(_TYPE_NAMES) if name in _ACCEPT[gkind]]
    wrong = present & ~np.isin(types, accepted)  # type ids, not names: 0.4 s less at 1M
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise SchemaError(
            f"{label}: a {kind} layer must hold {gkind}s, but feature {int(gdf[SRC_FID].iloc[i])} "
            f"is a {_TYPE_NAMES[types[i]]} ({int(wrong.sum())} such feature(s)). "
            "Choose the right file for this layer.",
            file=file,
            layer=kind,
            feature=str(int(gdf[SRC_FID].iloc[i])),
        )
    return types


class _Ids:
    """The id of row ``i`` as findings name it: the id column, else the source feature number."""

    def __init__(self, gdf: gpd.GeoDataFrame, id_col: str | None) -> None:
        self.gdf, self.id_col = gdf, id_col

    def __call__(self, i: int) -> str:
        gdf, id_col = self.gdf, self.id_col
        if id_col and id_col in gdf.columns and gdf[id_col].iloc[i] is not None:
            return str(gdf[id_col].iloc[i])
        return str(int(gdf[SRC_FID].iloc[i]))


def _repair_polygons(
    geoms: np.ndarray, present: np.ndarray, gdf: gpd.GeoDataFrame, kind: str, label: str, ids: _Ids
) -> list[Issue]:
    """Repair invalid polygons in ``geoms`` (in place) with ``make_valid``; one finding each."""
    issues = []
    invalid = present & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        if shapely.get_type_id(fixed) == 7:  # collection: keep the polygonal part
            parts = [g for g in shapely.get_parts(fixed) if shapely.get_type_id(g) in (3, 6)]
            fixed = shapely.union_all(parts) if parts else shapely.Polygon()
        fid = int(gdf[SRC_FID].iloc[i])
        issues.append(
            _issue(
                "invalid_polygon_repaired",
                kind,
                fid,
                [ids(i)],
                fixed,
                f"{label} 第 {fid} 个要素（{ids(i)}）多边形无效（{reason}），已自动修复",
                f"{label}: feature {fid} ({ids(i)}) was an invalid polygon ({reason}); "
                "repaired with make_valid",
                reason=reason,
            )
        )
        geoms[i] = fixed
    return issues


def _explode_multiparts(
    out: gpd.GeoDataFrame, geoms: np.ndarray, multi: np.ndarray, ids: _Ids
) -> tuple[gpd.GeoDataFrame, list[tuple[int, str, shapely.Geometry]]]:
    """One row per part of each multi-part point/line, ids suffixed ``#1``, ``#2`` …

    One-part "multi" geometries are only a storage type and are unwrapped quietly. Returns the
    new frame (a new index) and ``(src_fid, id, geometry)`` of each exploded feature.
    """
    crs, id_col = out.crs, ids.id_col
    single = multi & (shapely.get_num_geometries(geoms) == 1)
    if single.any():
        geoms[single] = shapely.get_geometry(geoms[single], 0)
        multi = multi & ~single
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=crs))
    if not multi.any():
        return out.reset_index(drop=True), []
    found = [(int(ids.gdf[SRC_FID].iloc[i]), ids(i), geoms[i]) for i in np.flatnonzero(multi)]
    # explode by position, keeping rows with no geometry (geopandas would drop them)
    counts = np.where(multi, shapely.get_num_geometries(geoms), 1)
    rows = np.repeat(np.arange(len(out)), counts)
    exploded = out.iloc[rows].reset_index(drop=True)
    part_no = np.concatenate(
        [np.arange(1, c + 1) if m else [0] for c, m in zip(counts, multi, strict=True)]
    )
    new_geoms = np.empty(len(rows), dtype=object)
    single_rows = ~multi[rows]
    new_geoms[single_rows] = geoms[rows[single_rows]]
    new_geoms[~single_rows] = shapely.get_parts(geoms[multi])
    exploded = exploded.set_geometry(gpd.GeoSeries(new_geoms, crs=crs))
    exploded[SRC_PART] = part_no
    if id_col and id_col in exploded.columns:
        exploded[id_col] = [
            f"{v}#{p}" if p and v is not None else v
            for v, p in zip(exploded[id_col].astype(object), part_no, strict=True)
        ]
    return exploded, found


def _multipart_issue(kind: str, label: str, fid: int, ident: str, geom: shapely.Geometry) -> Issue:
    n = int(shapely.get_num_geometries(geom))
    return _issue(
        "multipart_exploded",
        kind,
        fid,
        [ident],
        geom,
        f"{label} 第 {fid} 个要素（{ident}）是多部件要素，已拆分为 {n} 段",
        f"{label}: feature {fid} ({ident}) is multipart; exploded into {n} parts",
        severity=WARNING,
        parts=n,
    )


def _zero_length_issues(
    out: gpd.GeoDataFrame, kind: str, label: str, id_col: str | None
) -> list[Issue]:
    """One finding per line of zero length (kept: the network checks report it too)."""
    issues = []
    g = packedmod.geometries(out.geometry)
    zero = ~packedmod.missing_or_empty(g) & (packedmod.lengths(g) == 0)
    for i in np.flatnonzero(zero):
        fid = int(out[SRC_FID].iloc[i])
        pid = str(out[id_col].iloc[i]) if id_col and id_col in out else str(fid)
        issues.append(
            _issue(
                "zero_length",
                kind,
                fid,
                [pid],
                g[i],
                f"{label} 第 {fid} 个要素（{pid}）长度为零",
                f"{label}: feature {fid} ({pid}) has zero length",
                severity=WARNING,
            )
        )
    return issues
