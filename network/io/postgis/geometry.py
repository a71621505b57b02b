"""GeoPackage geometry blobs ↔ WKB (the header of GeoPackage 1.x, §2.1.3)."""

from __future__ import annotations

import struct

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def gpkg_to_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (None for NULL).

    >>> wkb = bytes.fromhex("0101000000000000000000f03f0000000000000040")
    >>> gpkg_to_wkb(wkb_to_gpkg(wkb, 4525)) == wkb
    True
    """
    if blob is None:
        return None
    b = bytes(blob)
    if b[:2] != b"GP":
        return b  # already plain WKB (some writers)
    flags = b[3]
    env = (flags >> 1) & 0x07
    return b[8 + 8 * _ENVELOPE_DOUBLES.get(env, 0) :]


def wkb_to_gpkg(wkb: bytes | None, srs_id: int) -> bytes | None:
    """A GeoPackage blob as GDAL writes it: little-endian, an XY envelope except for points."""
    if wkb is None:
        return None
    import shapely

    wkb = bytes(wkb)
    geom = shapely.from_wkb(wkb)
    empty = geom.is_empty
    is_point = geom.geom_type == "Point"
    flags = 0x01  # little-endian header
    envelope = b""
    if empty:
        flags |= 0x10
    elif not is_point:
        flags |= 0x02
        minx, miny, maxx, maxy = geom.bounds
        envelope = struct.pack("<4d", minx, maxx, miny, maxy)
    return b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + envelope + wkb


def envelope(wkb: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a WKB geometry, None when NULL or empty (the rtree row)."""
    if wkb is None:
        return None
    import shapely

    g = shapely.from_wkb(bytes(wkb))
    if g.is_empty:
        return None
    minx, miny, maxx, maxy = g.bounds
    return minx, maxx, miny, maxy
