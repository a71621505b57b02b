"""Coordinate reference systems: CGCS2000 Gauss–Krüger zones, hints, phone-app offsets.

All reprojection goes through pyproj with ``always_xy=True`` so that northing-first CRSs
(CGCS2000 GK zones declare north/east axis order, EPSG:4490 declares lat/lon) never swap
coordinates: in PipeAtlas x is always easting/longitude and y northing/latitude.

GCJ-02 ("Mars" coordinates of Amap, Tencent and WeChat) and BD-09 (Baidu) are deliberate
obfuscations that PROJ does not model. :func:`gcj02_to_wgs84` inverts the published GCJ-02
formula iteratively: the result reproduces the forward formula to better than 1 mm, and agrees
with reference pairs to better than 0.5 m; what remains is the unknown error of the official
implementation (metre level). WGS-84 and CGCS2000 differ by a few centimetres at most and are
treated as the same here.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pyproj
import pyproj.exceptions
from pyproj import CRS, Transformer

from network import packed as packedmod
from network.errors import CRSError

CGCS2000 = 4490
WGS84 = 4326
_GK3_PREFIX_FIRST, _GK3_PREFIX_ZONE0 = 4513, 25  # 4513..4533: 3° zones 25..45, easting prefixed
_GK3_CM_FIRST, _GK3_CM0 = 4534, 75  # 4534..4554: 3° zones by central meridian 75..135 E
_GK6_PREFIX_FIRST, _GK6_PREFIX_ZONE0 = 4491, 13  # 4491..4501: 6° zones 13..23, prefixed
OFFSET_DATUMS = ("gcj02", "bd09")
MAX_SCALE_ERROR = 0.0015  # scale error above which a projected CRS is replaced for measuring


def parse_crs(text: str | int | CRS) -> CRS:
    """Return a CRS from ``EPSG:4525``, ``4525``, WKT or a PROJ string.

    Raises
    ------
    CRSError
        The text names no CRS.

    Examples
    --------
    >>> parse_crs("EPSG:4525").to_epsg()
    4525
    """
    if isinstance(text, CRS):
        return text
    s = str(text).strip()
    if s.isdigit():
        s = f"EPSG:{s}"
    try:
        return CRS.from_user_input(s)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(
            f"{text!r} is not a coordinate reference system; give e.g. EPSG:4525 "
            "(CGCS2000 3-degree Gauss-Kruger zone 37).",
            details=str(exc),
        ) from exc


def crs_label(crs: CRS | None, chinese: bool = False) -> str:
    """Short label such as ``EPSG:4525 CGCS2000 / 3-degree Gauss-Kruger zone 37``
    (``chinese``: ``EPSG:4525 CGCS2000 3度带 第37带``, see :func:`crs_name_zh`).

    Examples
    --------
    >>> crs_label(CRS.from_epsg(4525), chinese=True)
    'EPSG:4525 CGCS2000 3度带 第37带'
    """
    if crs is None:
        return "坐标系未知" if chinese else "unknown CRS"
    name = crs_name_zh(crs.name) if chinese else crs.name
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} {name}" if epsg else name


_DATUM_ZH = (  # longest first
    ("China Geodetic Coordinate System 2000", "CGCS2000"),
    ("New Beijing", "新北京54"),
    ("Beijing 1954", "北京54"),
    ("Xian 1980", "西安80"),
    ("CGCS2000", "CGCS2000"),
    ("WGS 84", "WGS 84"),
)
_GK_RE = re.compile(
    r"^(?P<datum>.+?) / (?:(?P<deg>[36])-degree )?Gauss-Kruger "
    r"(?:zone (?P<zone>\d+)|CM (?P<cm>\d+)E)$"
)
_UTM_RE = re.compile(r"^(?P<datum>.+?) / UTM zone (?P<zone>\d+)(?P<hemi>[NS])$")


def crs_name_zh(name: str) -> str:
    """The Chinese name of a CRS as surveyors write it; a name it does not know stays.

    Examples
    --------
    >>> crs_name_zh("CGCS2000 / 3-degree Gauss-Kruger zone 37")
    'CGCS2000 3度带 第37带'
    >>> crs_name_zh("CGCS2000 / 3-degree Gauss-Kruger CM 114E")
    'CGCS2000 3度带 中央经线114°E'
    >>> crs_name_zh("Xian 1980 / Gauss-Kruger zone 19")
    '西安80 6度带 第19带'
    >>> crs_name_zh("China Geodetic Coordinate System 2000")
    'CGCS2000 地理坐标系'
    >>> crs_name_zh("WGS 84 / UTM zone 49N")
    'WGS 84 UTM 第49带（北半球）'
    """
    name = str(name).strip()

    def datum(text: str) -> str:
        for en, zh in _DATUM_ZH:
            if text == en:
                return zh
        return text

    m = _GK_RE.match(name)
    if m:
        width = "3度带" if m["deg"] == "3" else "6度带"
        where = f"第{m['zone']}带" if m["zone"] else f"中央经线{m['cm']}°E"
        return f"{datum(m['datum'])} {width} {where}"
    m = _UTM_RE.match(name)
    if m:
        hemi = "北半球" if m["hemi"] == "N" else "南半球"
        return f"{datum(m['datum'])} UTM 第{m['zone']}带（{hemi}）"
    for en, zh in _DATUM_ZH:
        if name == en:
            return f"{zh} 地理坐标系"
    return name


def gk3_zone_epsg(zone: int) -> int:
    """EPSG code of the zone-prefixed CGCS2000 3° GK zone ``zone`` (25..45).

    Examples
    --------
    >>> gk3_zone_epsg(37)
    4525
    """
    if not 25 <= zone <= 45:
        raise CRSError(f"CGCS2000 3-degree zones run from 25 to 45; got {zone}.")
    return _GK3_PREFIX_FIRST + zone - _GK3_PREFIX_ZONE0


def gk3_cm_zone(lon: float) -> int:
    """Number of the 3° Gauss–Krüger zone that holds longitude ``lon`` (central meridian 3·zone).

    A 3° zone reaches 1.5° either side of its central meridian; a longitude exactly on the
    edge belongs to the zone east of it (the Chinese surveying convention).

    Raises
    ------
    CRSError
        ``lon`` is not a finite number.

    Examples
    --------
    >>> gk3_cm_zone(114.0), gk3_cm_zone(112.4999), gk3_cm_zone(112.5), gk3_cm_zone(115.5)
    (38, 37, 38, 39)
    """
    _check_lonlat(lon, 0.0)
    return math.floor(lon / 3.0 + 0.5)


def gk3_cm_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3° GK CRS (no zone prefix) whose zone holds ``lon``.

    The codes run from EPSG:4534 (central meridian 75° E) to EPSG:4554 (135° E); longitudes
    beyond China get the nearest of them.

    Raises
    ------
    CRSError
        ``lon`` is not a finite number.

    Examples
    --------
    >>> gk3_cm_epsg(114.0), gk3_cm_epsg(111.2), gk3_cm_epsg(112.5), gk3_cm_epsg(70.0)
    (4547, 4546, 4547, 4534)
    """
    cm = min(max(gk3_cm_zone(lon) * 3, _GK3_CM0), _GK3_CM0 + 60)
    return _GK3_CM_FIRST + (cm - _GK3_CM0) // 3


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone at ``lon``, ``lat`` (326xx north, 327xx south).

    Raises
    ------
    CRSError
        ``lon`` or ``lat`` is not a finite number.

    Examples
    --------
    >>> utm_epsg(-76.3, 36.8), utm_epsg(112.3, 28.5), utm_epsg(180.0, -10.0)
    (32618, 32649, 32701)
    """
    _check_lonlat(lon, lat)
    zone = int(((lon + 180.0) % 360.0) // 6.0) + 1
    return (32600 if lat >= 0 else 32700) + zone


def _check_lonlat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CRSError(
            f"Cannot choose a metric CRS: the data centre ({lon}, {lat}) is not a valid "
            "longitude/latitude. Check that the layer has coordinates and the right CRS."
        )


def in_china(lon: float, lat: float) -> bool:
    """Whether ``lon``, ``lat`` lies in the box where CGCS2000 Gauss–Krüger zones are used.

    Examples
    --------
    >>> in_china(114.0, 30.5), in_china(-76.3, 36.8)
    (True, False)
    """
    return 73.0 <= lon <= 136.0 and 0.0 <= lat <= 56.0


def local_metric_crs(lon: float, lat: float, *, gauss_kruger: bool = True) -> CRS:
    """The metric CRS for a place: this is where PipeAtlas picks a CRS to measure in.

    In China (and ``gauss_kruger``) the CGCS2000 3° Gauss–Krüger CRS of the zone that holds
    ``lon`` (EPSG:4534–4554, no zone prefix); elsewhere the WGS 84 UTM zone.

    Parameters
    ----------
    lon, lat : float
        The data centre in degrees.
    gauss_kruger : bool
        Use the CGCS2000 zones in China; ``False`` always gives UTM.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        ``lon`` or ``lat`` is NaN or infinite.

    Examples
    --------
    >>> local_metric_crs(111.2, 30.5).to_epsg(), local_metric_crs(-76.3, 36.8).to_epsg()
    (4546, 32618)
    >>> local_metric_crs(float("nan"), 30.0)
    Traceback (most recent call last):
    ...
    network.errors.CRSError: Cannot choose a metric CRS: the data centre (nan, 30.0) is not a ...
    """
    _check_lonlat(lon, lat)
    if gauss_kruger and in_china(lon, lat):
        return CRS.from_epsg(gk3_cm_epsg(lon))
    return CRS.from_epsg(utm_epsg(lon, lat))


def guess_crs(xs: np.ndarray, ys: np.ndarray) -> tuple[list[int], str]:
    """Suggest CRSs for coordinates that came with no CRS.

    Returns candidate EPSG codes (best first) and a sentence explaining the hint: an 8-digit
    easting names its CGCS2000 zone (37 626 000 → 3° zone 37 → EPSG:4525).

    Examples
    --------
    >>> guess_crs(np.array([37626000.0]), np.array([3166000.0]))[0]
    [4525]
    """
    codes, case, values = _guess(xs, ys)
    return codes, _GUESS_EN[case].format(**values)


def guess_crs_zh(xs: np.ndarray, ys: np.ndarray) -> tuple[list[int], str]:
    """:func:`guess_crs` with the explaining sentence in Chinese (for the dialog).

    Examples
    --------
    >>> guess_crs_zh(np.array([37626000.0]), np.array([3166000.0]))
    ([4525], '8 位横坐标 37,626,000 以 37 开头：CGCS2000 3 度带高斯-克吕格第 37 带，EPSG:4525')
    """
    codes, case, values = _guess(xs, ys)
    return codes, _GUESS_ZH[case].format(**values)


#: The sentences of :func:`guess_crs` (English) and :func:`guess_crs_zh`, per case of _guess.
_GUESS_EN = {
    "empty": "the layer has no coordinates to judge from",
    "lonlat": "coordinates look like longitude/latitude ({x:.4f}, {y:.4f}): CGCS2000 "
    "(EPSG:4490) or WGS-84 (EPSG:4326); phone-app points may be GCJ-02/BD-09",
    "zone": "the 8-digit easting {x:,.0f} starts with {zone}: CGCS2000 {width}-degree "
    "Gauss-Kruger zone {zone}, EPSG:{epsg}",
    "no_zone": "a 6-digit easting ({x:,.0f}) is a Gauss-Kruger coordinate without zone prefix: "
    "pick the CGCS2000 3-degree CRS of your central meridian (EPSG:4534-4554)",
    "unknown": "no CRS can be guessed from coordinates like ({x:,.1f}, {y:,.1f})",
}
_GUESS_ZH = {
    "empty": "图层没有可判断的坐标",
    "lonlat": "坐标像经纬度（{x:.4f}, {y:.4f}）：CGCS2000（EPSG:4490）或 WGS-84（EPSG:4326）；"
    "手机应用采集的点可能是 GCJ-02/BD-09",
    "zone": "8 位横坐标 {x:,.0f} 以 {zone} 开头：CGCS2000 {width} 度带高斯-克吕格第 {zone} 带，"
    "EPSG:{epsg}",
    "no_zone": "6 位横坐标（{x:,.0f}）是不带带号的高斯-克吕格坐标：请按中央子午线选择 "
    "CGCS2000 3 度带坐标系（EPSG:4534-4554）",
    "unknown": "无法从（{x:,.1f}, {y:,.1f}）这样的坐标推断坐标系",
}


def _guess(xs: np.ndarray, ys: np.ndarray) -> tuple[list[int], str, dict[str, float]]:
    """Candidate EPSG codes, which case of :data:`_GUESS_EN` it is, and the figures it names."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    if xs.size == 0:
        return [], "empty", {}
    x, y = float(np.median(xs)), float(np.median(ys))
    if -180 <= x <= 180 and -90 <= y <= 90:
        return [CGCS2000, WGS84], "lonlat", {"x": x, "y": y}
    if x >= 1e7:
        zone = int(x // 1e6)
        for width, first, zone0, lo, hi in (
            (3, _GK3_PREFIX_FIRST, _GK3_PREFIX_ZONE0, 25, 45),
            (6, _GK6_PREFIX_FIRST, _GK6_PREFIX_ZONE0, 13, 23),
        ):
            if lo <= zone <= hi:
                epsg = first + zone - zone0
                return [epsg], "zone", {"x": x, "zone": zone, "width": width, "epsg": epsg}
    if 1e5 <= x <= 9e5 and 1e6 <= y <= 6.5e6:
        return list(range(_GK3_CM_FIRST, _GK3_CM_FIRST + 21)), "no_zone", {"x": x}
    return [], "unknown", {"x": x, "y": y}


def crs_hint(xs: np.ndarray, ys: np.ndarray) -> dict[str, object]:
    """The CRS hint for coordinates without a usable CRS, as structured fields.

    ``{"epsg": [codes], "en": sentence, "zh": sentence, "flag": "--source-crs EPSG:…"}``;
    ``flag`` is empty when no CRS can be guessed.
    """
    codes, case, values = _guess(xs, ys)
    return {
        "epsg": codes,
        "en": _GUESS_EN[case].format(**values),
        "zh": _GUESS_ZH[case].format(**values),
        "flag": f"--source-crs EPSG:{codes[0]}" if codes else "",
    }


#: projected coordinates beyond this many metres from the origin exist on no map of the Earth
_MAX_PROJECTED_M = 1e8


def implausible_features(geoms: np.ndarray, crs: CRS) -> tuple[np.ndarray, str]:
    """Features whose coordinates cannot be in ``crs``: ``(row mask, reason)``.

    Longitude/latitude beyond ±180/±90 in a geographic CRS; projected coordinates beyond
    100,000 km, or outside the CRS's area of use widened by half its size (at least 5°) on
    every side. Empty and missing geometries are never implausible.

    Examples
    --------
    >>> import shapely
    >>> g = np.array([shapely.Point(37627103.0, 3166000.0), shapely.Point(112.3, 28.6)])
    >>> implausible_features(g, CRS.from_epsg(4326))[0].tolist()
    [True, False]
    """
    bad = np.zeros(len(geoms), dtype=bool)
    b = packedmod.bounds(geoms)  # NaN rows for empty/missing geometries
    present = np.isfinite(b).all(axis=1)
    if not present.any():
        return bad, ""
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    if crs.is_geographic:
        out = present & ((x0 < -180.5) | (x1 > 360.0) | (y0 < -90.5) | (y1 > 90.5))
        return out, "beyond ±180° longitude or ±90° latitude"
    scale = metres_per_unit(crs)
    lim = _MAX_PROJECTED_M / scale
    out = present & ((np.abs(b) > lim).any(axis=1))
    if out.any():
        return out, "beyond 100,000 km from the origin, farther than any map of the Earth reaches"
    area = crs.area_of_use
    if area is None:
        return bad, ""
    w, s, e, n = area.west, area.south, area.east, area.north
    if e < w:  # crosses the antimeridian: do not judge
        return bad, ""
    mx, my = max((e - w) / 2.0, 5.0), max((n - s) / 2.0, 5.0)
    box = (max(w - mx, -180.0), max(s - my, -89.0), min(e + mx, 180.0), min(n + my, 89.0))
    projected = _projected_box(crs, box)
    if projected is None:
        return bad, ""
    bx0, by0, bx1, by1 = projected
    out = present & ((x1 < bx0) | (x0 > bx1) | (y1 < by0) | (y0 > by1))
    reason = (
        f"outside the area where {crs.name} is used ({w:g}° to {e:g}° E, {s:g}° to {n:g}° N, "
        f"x {bx0:,.0f} to {bx1:,.0f}, y {by0:,.0f} to {by1:,.0f} with a margin)"
    )
    return out, reason


@functools.lru_cache(maxsize=32)
def _projected_box(
    crs: CRS, box: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """*box* (longitude/latitude) in *crs*, None when it cannot be. Kept per CRS: making the
    transformer takes PROJ about 0.1 s, and every layer of a project asks."""
    try:
        t = Transformer.from_crs(CRS.from_epsg(WGS84), crs, always_xy=True)
        out = t.transform_bounds(*box, densify_pts=41)
    except (pyproj.exceptions.ProjError, ValueError):
        return None
    return out if all(math.isfinite(v) for v in out) else None


def linear_unit(crs: CRS | None) -> str:
    """The unit code of a CRS's horizontal axis: ``m``, ``ft`` or ``ftUS``.

    Geographic CRSs and CRSs in other units give ``m`` (attributes of such layers are
    taken as metric unless the mapping says otherwise).

    Examples
    --------
    >>> linear_unit(CRS.from_epsg(2284)), linear_unit(CRS.from_epsg(2263 - 1)), linear_unit(None)
    ('ftUS', 'ftUS', 'm')
    """
    if crs is None or not crs.is_projected:
        return "m"
    f = metres_per_unit(crs)
    for code, size in (("ft", 0.3048), ("ftUS", 1200.0 / 3937.0)):
        if abs(f - size) / size < 2e-6:
            return code
    if abs(f - 0.3048) < 1e-4:  # Clarke's, Indian … feet: close enough for attributes
        return "ft"
    return "m"


def transformer(src: CRS, dst: CRS) -> Transformer:
    """An x=east, y=north transformer between two CRSs (never axis-swapped)."""
    return Transformer.from_crs(src, dst, always_xy=True)


def is_metric(crs: CRS) -> bool:
    """Whether ``crs`` is projected with its horizontal unit the metre."""
    return bool(
        crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter")
    )


def choose_project_crs(crs: CRS, lon: float, lat: float = 30.0) -> CRS:
    """Return ``crs`` if projected in metres, else :func:`local_metric_crs` of the data's place.

    Raises
    ------
    CRSError
        A new CRS is needed and ``lon``/``lat`` are not finite.

    Examples
    --------
    >>> choose_project_crs(CRS.from_epsg(4490), 114.2, 30.6).to_epsg()
    4547
    >>> choose_project_crs(CRS.from_epsg(2284), -76.3, 36.8).to_epsg()  # US feet -> UTM
    32618
    """
    if is_metric(crs):
        return crs
    return local_metric_crs(lon, lat)


def is_cgcs2000(crs: CRS) -> bool:
    """Whether ``crs`` is based on the China Geodetic Coordinate System 2000."""
    geod = crs.geodetic_crs or crs
    name = f"{geod.name} {geod.datum.name if geod.datum else ''}".lower()
    return ("2000" in name and "china" in name) or "cgcs2000" in name


def scale_error(crs: CRS, lon: float, lat: float) -> float:
    """Largest scale error of the projected ``crs`` at ``lon``, ``lat`` (0.01 = 1 %).

    Returns 0 when PROJ cannot give scale factors for the projection, ``inf`` outside its
    domain.
    """
    try:
        f = pyproj.Proj(crs).get_factors(lon, lat)
    except pyproj.exceptions.ProjError:  # not every projection has factors
        return 0.0
    return max(abs(f.meridional_scale - 1.0), abs(f.parallel_scale - 1.0))


def metric_crs_for(
    crs: CRS, lon: float, lat: float, max_scale_error: float = MAX_SCALE_ERROR
) -> tuple[CRS, float]:
    """The CRS to measure in and its metres per unit, for data centred on ``lon``, ``lat``.

    A projected CRS is kept (its unit converted to metres, so US-foot CRSs are fine) unless
    its scale error at the data centre exceeds ``max_scale_error``; otherwise
    :func:`local_metric_crs` — the CGCS2000 Gauss–Krüger zone for CGCS2000 data in China,
    else the WGS 84 UTM zone.

    Parameters
    ----------
    crs : pyproj.CRS
        The CRS the data are in.
    lon, lat : float
        The data centre in degrees.
    max_scale_error : float
        Scale error above which a projected CRS is replaced for measuring.

    Returns
    -------
    (pyproj.CRS, float)
        The CRS and the length of one of its units in metres.

    Raises
    ------
    CRSError
        ``lon`` or ``lat`` is NaN or infinite.

    Examples
    --------
    >>> c, f = metric_crs_for(CRS.from_epsg(4490), 111.2, 30.5)
    >>> c.to_epsg(), f
    (4546, 1.0)
    >>> metric_crs_for(CRS.from_epsg(4326), -76.3, 36.8)[0].to_epsg()
    32618
    >>> metric_crs_for(CRS.from_epsg(2284), -76.3, 36.8)[1]
    0.30480060960121924
    """
    _check_lonlat(lon, lat)
    if crs.is_projected:
        err = scale_error(crs, lon, lat)
        if math.isfinite(err) and err <= max_scale_error:
            return crs, metres_per_unit(crs)
    return local_metric_crs(lon, lat, gauss_kruger=is_cgcs2000(crs)), 1.0


def metres_per_unit(crs: CRS) -> float:
    """Length of one horizontal CRS unit in metres (1 for metres, 0.3048006 for US feet)."""
    if crs.is_geographic:
        return 111_320.0
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return float(factor or 1.0)


# --- GCJ-02 / BD-09 ----------------------------------------------------------------------------
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = ~_out_of_china(lon, lat)
    return dlon * inside, dlat * inside


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Apply the published GCJ-02 offset (points outside China are returned unchanged).

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.531542, 31.175304)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tol_deg: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Invert GCJ-02 by fixed-point iteration (converges to < 1e-9° in a few steps)."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tol_deg) and np.all(np.abs(elat) < tol_deg):
            break
    return wlon, wlat


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Remove Baidu's BD-09 offset, giving GCJ-02."""
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Apply Baidu's BD-09 offset to GCJ-02 coordinates."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02 → WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def remove_offset(lon, lat, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert ``gcj02`` or ``bd09`` longitude/latitude to WGS-84/CGCS2000.

    Raises
    ------
    CRSError
        ``datum`` is neither ``gcj02`` nor ``bd09``.
    """
    d = datum.lower().replace("-", "").replace("_", "")
    if d == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if d == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise CRSError(f"Unknown coordinate offset {datum!r}; use 'gcj02' (Amap/Tencent) or 'bd09'.")
