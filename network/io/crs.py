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

import math

import numpy as np
from pyproj import CRS, Transformer

from network.errors import CRSError

CGCS2000 = 4490
WGS84 = 4326
_GK3_PREFIX_FIRST, _GK3_PREFIX_ZONE0 = 4513, 25  # 4513..4533: 3° zones 25..45, easting prefixed
_GK3_CM_FIRST, _GK3_CM0 = 4534, 75  # 4534..4554: 3° zones by central meridian 75..135 E
_GK6_PREFIX_FIRST, _GK6_PREFIX_ZONE0 = 4491, 13  # 4491..4501: 6° zones 13..23, prefixed
OFFSET_DATUMS = ("gcj02", "bd09")


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
    except Exception as exc:
        raise CRSError(
            f"{text!r} is not a coordinate reference system; give e.g. EPSG:4525 "
            "(CGCS2000 3-degree Gauss-Kruger zone 37).",
            details=str(exc),
        ) from exc


def crs_label(crs: CRS | None) -> str:
    """Short label such as ``EPSG:4525 CGCS2000 / 3-degree Gauss-Kruger zone 37``."""
    if crs is None:
        return "unknown CRS"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


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


def gk3_cm_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3° GK CRS (no zone prefix) whose central meridian is nearest."""
    cm = round(lon / 3.0) * 3
    cm = min(max(cm, 75), 135)
    return _GK3_CM_FIRST + (cm - _GK3_CM0) // 3


def guess_crs(xs: np.ndarray, ys: np.ndarray) -> tuple[list[int], str]:
    """Suggest CRSs for coordinates that came with no CRS.

    Returns candidate EPSG codes (best first) and a sentence explaining the hint: an 8-digit
    easting names its CGCS2000 zone (37 626 000 → 3° zone 37 → EPSG:4525).

    Examples
    --------
    >>> guess_crs(np.array([37626000.0]), np.array([3166000.0]))[0]
    [4525]
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    if xs.size == 0:
        return [], "the layer has no coordinates to judge from"
    x, y = float(np.median(xs)), float(np.median(ys))
    if -180 <= x <= 180 and -90 <= y <= 90:
        return [CGCS2000, WGS84], (
            f"coordinates look like longitude/latitude ({x:.4f}, {y:.4f}): CGCS2000 "
            "(EPSG:4490) or WGS-84 (EPSG:4326); phone-app points may be GCJ-02/BD-09"
        )
    if x >= 1e7:
        zone = int(x // 1e6)
        if 25 <= zone <= 45:
            epsg = gk3_zone_epsg(zone)
            return [epsg], (
                f"the 8-digit easting {x:,.0f} starts with {zone}: CGCS2000 3-degree "
                f"Gauss-Kruger zone {zone}, EPSG:{epsg}"
            )
        if 13 <= zone <= 23:
            epsg = _GK6_PREFIX_FIRST + zone - _GK6_PREFIX_ZONE0
            return [epsg], (
                f"the 8-digit easting {x:,.0f} starts with {zone}: CGCS2000 6-degree "
                f"Gauss-Kruger zone {zone}, EPSG:{epsg}"
            )
    if 1e5 <= x <= 9e5 and 1e6 <= y <= 6.5e6:
        return list(range(_GK3_CM_FIRST, _GK3_CM_FIRST + 21)), (
            f"a 6-digit easting ({x:,.0f}) is a Gauss-Kruger coordinate without zone prefix: "
            "pick the CGCS2000 3-degree CRS of your central meridian (EPSG:4534-4554)"
        )
    return [], f"no CRS can be guessed from coordinates like ({x:,.1f}, {y:,.1f})"


def transformer(src: CRS, dst: CRS) -> Transformer:
    """An x=east, y=north transformer between two CRSs (never axis-swapped)."""
    return Transformer.from_crs(src, dst, always_xy=True)


def choose_project_crs(crs: CRS, lon: float, lat: float = 30.0) -> CRS:
    """Return ``crs`` if projected in metres, else a metric CRS for the data's place.

    In China that is the CGCS2000 3° GK CRS of the longitude; elsewhere the WGS 84 UTM zone.
    """
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    if 72.0 <= lon <= 136.0 and 0.0 <= lat <= 56.0:
        return CRS.from_epsg(gk3_cm_epsg(lon))
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


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
