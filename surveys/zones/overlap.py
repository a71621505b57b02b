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
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
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
    ZONE_ID,
    ZONE_LEVEL,
    ZONES,
)
from surveys.zones.conflicts import conflicts_to_problems, raise_conflicts
from surveys.zones.prepare import (
    OverlapError,
    ZoneLayer,
    _as_object_str,
    _geom_array,
    _make_valid,
    _obj,
    prepare_zones,
    zone_class_code,
    zone_level_code,
)
from surveys.zones.result import (
    _CHUNK_COLUMNS,
    _CLASS_RANK,
    _LEVEL_RANK,
    _SEV_RANK,
    _TYPE_RANK,
    CROSSES,
    EDGE,
    INSIDE,
    NEAR,
    RELATION_LABELS_ZH,
    RELATIONS,
    ROUNDING,
    ROW_COLUMNS,
    OverlapResult,
    row_locations,
    rows_as_records,
)
from surveys.zones.rules import (
    FEATURE_TYPES,
    INFO,
    NO_RULE,
    RuleTable,
    default_rules,
)

log = logging.getLogger(__name__)

#: The public names of the check, including those that live in its sibling modules
#: (``prepare``: the zone layer, ``result``: the rows, ``conflicts``: the ledger problems).
__all__ = [
    "CROSSES",
    "EDGE",
    "INSIDE",
    "NEAR",
    "RELATIONS",
    "RELATION_LABELS_ZH",
    "ROUNDING",
    "ROW_COLUMNS",
    "OverlapError",
    "OverlapResult",
    "ZoneLayer",
    "check_overlaps",
    "check_project",
    "conflicts_to_problems",
    "prepare_zones",
    "raise_conflicts",
    "row_locations",
    "rows_as_records",
    "run_overlap_check",
    "software_versions",
    "zone_class_code",
    "zone_level_code",
]


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
    sev = np.empty(n, dtype=object)  # one shared str (np.full makes one per element)
    sev.fill(INFO)
    rid = np.empty(n, dtype=object)
    rid.fill(NO_RULE)
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


# --- metric CRS ------------------------------------------------------------------------------
def _centre_lonlat(crs: CRS, bounds: np.ndarray) -> tuple[float, float]:
    x, y = (bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0
    geod = crs.geodetic_crs or CRS.from_epsg(4326)
    lon, lat = Transformer.from_crs(crs, geod, always_xy=True).transform(x, y)
    return float(lon), float(lat)
