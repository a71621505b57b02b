"""Geometry hygiene on import: every fault reported per feature, nothing dropped silently.

- null/empty geometries are kept (as empty) and reported;
- multipart lines and points are exploded into parts, each part keeping the feature's
  attributes, with ``src_part`` numbering the parts and the id suffixed ``#k``;
- Z/M values are dropped (reported once per layer with the count);
- zero-length lines are kept and reported;
- invalid polygons are repaired with ``shapely.make_valid`` and reported with the reason.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from network.errors import SchemaError
from network.issues import INFO, WARNING, Issue
from network.schema import GEOMETRY_KIND, SRC_FID, SRC_PART

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
    return Issue(
        id=f"hygiene.{kind}:{layer}:{fid}",
        category="hygiene",
        kind=kind,
        severity=severity,
        feature_ids=tuple(ids),
        layer=layer,
        x=x,
        y=y,
        message_zh=zh,
        message_en=en,
        data={"src_fid": fid, **data},
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
    issues: list[Issue] = []
    geoms = gdf.geometry.to_numpy().copy()
    null = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    type_names = np.array(
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
    present = ~null
    wrong = present & ~np.isin(type_names[np.clip(types, 0, 7)], list(_ACCEPT[gkind]))
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise SchemaError(
            f"{label}: a {kind} layer must hold {gkind}s, but feature {int(gdf[SRC_FID].iloc[i])} "
            f"is a {type_names[types[i]]} ({int(wrong.sum())} such feature(s)). "
            "Choose the right file for this layer.",
            file=file,
            layer=kind,
            feature=str(int(gdf[SRC_FID].iloc[i])),
        )

    def ident(i: int) -> str:
        if id_col and id_col in gdf.columns and gdf[id_col].iloc[i] is not None:
            return str(gdf[id_col].iloc[i])
        return str(int(gdf[SRC_FID].iloc[i]))

    for i in np.flatnonzero(null):
        fid = int(gdf[SRC_FID].iloc[i])
        issues.append(
            _issue(
                "empty_geometry",
                kind,
                fid,
                [ident(i)],
                None,
                f"{label} 第 {fid} 个要素（{ident(i)}）没有几何图形，已保留但无法参与网络分析",
                f"{label}: feature {fid} ({ident(i)}) has no geometry; kept, but it cannot "
                "take part in the network",
                severity=WARNING,
            )
        )

    # Z/M dropped
    has_z = present & shapely.has_z(geoms)
    if has_z.any():
        geoms = geoms.copy()
        geoms[has_z] = shapely.force_2d(geoms[has_z])
        issues.append(
            Issue(
                id=f"hygiene.z_dropped:{kind}",
                category="hygiene",
                kind="z_dropped",
                severity=INFO,
                feature_ids=(),
                layer=kind,
                x=None,
                y=None,
                message_zh=f"{label}：{int(has_z.sum())} 个要素的 Z/M 值已去除"
                "（高程请用属性字段）",
                message_en=f"{label}: Z/M values dropped from {int(has_z.sum())} feature(s) "
                "(elevations come from attribute fields)",
                data={"count": int(has_z.sum())},
            )
        )

    out = gdf.copy()
    out[SRC_PART] = 0
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))

    if gkind == "polygon":
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
                    [ident(i)],
                    fixed,
                    f"{label} 第 {fid} 个要素（{ident(i)}）多边形无效（{reason}），已自动修复",
                    f"{label}: feature {fid} ({ident(i)}) was an invalid polygon ({reason}); "
                    "repaired with make_valid",
                    reason=reason,
                )
            )
            geoms[i] = fixed
        out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
        return out.reset_index(drop=True), issues

    multi = present & np.isin(types, [4, 5])
    single = multi & (shapely.get_num_geometries(geoms) == 1)
    if single.any():  # a one-part "multi" geometry is only a storage type: unwrap it quietly
        geoms[single] = shapely.get_geometry(geoms[single], 0)
        out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
        multi = multi & ~single
    if multi.any():
        for i in np.flatnonzero(multi):
            n = int(shapely.get_num_geometries(geoms[i]))
            fid = int(gdf[SRC_FID].iloc[i])
            issues.append(
                _issue(
                    "multipart_exploded",
                    kind,
                    fid,
                    [ident(i)],
                    geoms[i],
                    f"{label} 第 {fid} 个要素（{ident(i)}）是多部件要素，已拆分为 {n} 段",
                    f"{label}: feature {fid} ({ident(i)}) is multipart; exploded into {n} parts",
                    severity=WARNING,
                    parts=n,
                )
            )
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
        exploded = exploded.set_geometry(gpd.GeoSeries(new_geoms, crs=gdf.crs))
        exploded[SRC_PART] = part_no
        if id_col and id_col in exploded.columns:
            exploded[id_col] = [
                f"{v}#{p}" if p and v is not None else v
                for v, p in zip(exploded[id_col].astype(object), part_no, strict=True)
            ]
        out = exploded
    else:
        out = out.reset_index(drop=True)

    if gkind == "line":
        g = out.geometry.to_numpy()
        lengths = shapely.length(g)
        zero = ~(shapely.is_missing(g) | shapely.is_empty(g)) & (lengths == 0)
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
    return out, issues
