"""A shapefile's shapes (``.shp`` through its ``.shx``) read straight into shapely arrays.

GDAL turns every shape into an OGR geometry, then WKB, then a shapely object: at a million
pipes that is three seconds, longer than the attribute table (:mod:`network.io.dbf`). The
records of a point or polyline file are fixed binary layouts the ``.shx`` indexes, so numpy
gathers the coordinates of all of them at once and shapely makes the geometries in one call.

Only plain 2-D files take this path: null, point and polyline shapes (``Point``,
``PolyLine``), every record where the ``.shx`` says and of the size its counts give, every
part with at least two points. Anything else (Z and M types, multipoints, polygons, a record
that does not add up) gives None and the caller reads the shapes with GDAL as before. The
result is GDAL's: a null shape is None, a one-part polyline a LineString, a polyline of
several parts a MultiLineString; ``tests/network/test_shp_fast.py`` compares the two readers
shape by shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from network import packed as packedmod
from network.lazy import lazy_module

shapely = lazy_module("shapely", globals())

_NULL, _POINT, _POLYLINE = 0, 1, 3
_HEADER = 100


def read_shp_geometry(
    shp: Path, shx: Path, n_records: int, *, pack: bool = False
) -> np.ndarray | None:
    """The shapes of ``shp`` as an object array of shapely geometries (None for a null
    shape), one per record in ``.shx`` order, or None when the file is not a plain point or
    polyline file of ``n_records`` records (then read it with GDAL).

    With *pack*, shapes that :mod:`network.packed` can hold (no null shape, every polyline
    of one part, every coordinate finite) come as a ``PackedGeometry`` made from the
    coordinates, without a shapely object."""
    try:
        index = np.fromfile(shx, dtype=np.uint8)
        data = np.memmap(shp, dtype=np.uint8, mode="r")
    except (OSError, ValueError):
        return None
    if len(index) < _HEADER or len(data) < _HEADER:
        return None
    file_type = int(index[32:36].view("<i4")[0])
    if file_type not in (_POINT, _POLYLINE) or int(data[32:36].view("<i4")[0]) != file_type:
        return None
    entries = index[_HEADER:]
    if len(entries) != 8 * n_records:
        return None
    pairs = entries.view(">i4").reshape(-1, 2).astype(np.int64)
    start = pairs[:, 0] * 2 + 8  # the record's content, past its 8-byte header
    size = pairs[:, 1] * 2
    if n_records and (start.min() < _HEADER + 8 or (start + size).max() > len(data)):
        return None
    if n_records and (size < 4).any():
        return None
    records = _Records(data, start, size)
    kind = records.field(0, "<i4")
    null = kind == _NULL
    if not np.isin(kind, (_NULL, file_type)).all() or (size[null] != 4).any():
        return None
    out = np.full(n_records, None, dtype=object)
    shown = np.flatnonzero(~null)
    pack = pack and len(shown) == n_records > 0
    if len(shown) < n_records:
        records = _Records(data, start[shown], size[shown])
    if file_type == _POINT:
        geoms = _points(records, pack)
    else:
        geoms = _polylines(records, pack)
    if geoms is None or not isinstance(geoms, np.ndarray):
        return geoms  # not plain, or packed
    out[shown] = geoms
    return out


class _Records:
    """The contents of the records at byte offsets *start* of *data* (*size* bytes each).

    Where they are all of one size and follow each other (every point file; a file of
    two-point pipes) they are read as the rows of one ``(n, size)`` block, a value of each
    as a column of it; else each value is gathered from its offset (:func:`_gather`).
    """

    def __init__(self, data: np.ndarray, start: np.ndarray, size: np.ndarray) -> None:
        self.data, self.start, self.size = data, start, size
        self.block: np.ndarray | None = None
        n = len(start)
        if n and (size == size[0]).all() and (np.diff(start) == size[0] + 8).all():
            step = int(size[0]) + 8  # a record's 8-byte header and its content
            first = int(start[0]) - 8
            self.block = data[first : first + n * step].reshape(n, step)[:, 8:]

    def __len__(self) -> int:
        return len(self.start)

    def field(self, at: int, dtype: str) -> np.ndarray:
        """The value of *dtype* at byte *at* of every record's content."""
        if self.block is None:
            return _gather(self.data, self.start + at, dtype)
        width = np.dtype(dtype).itemsize
        return np.ascontiguousarray(self.block[:, at : at + width]).view(dtype).ravel()

    def points(self, at: np.ndarray, n_points: np.ndarray) -> np.ndarray:
        """The ``(x, y)`` of every point, record after record: ``n_points`` of them from
        byte ``at`` of each record's content."""
        k = int(n_points[0]) if len(n_points) else 0
        if self.block is not None and (at == at[0]).all() and (n_points == k).all():
            start = int(at[0])
            xy = np.ascontiguousarray(self.block[:, start : start + 16 * k])
            return xy.view("<f8").reshape(-1, 2)
        return _coordinates(self.data, self.start + at, n_points)


def _points(records: _Records, pack: bool) -> Any:
    if (records.size != 20).any():  # type, x, y
        return None
    xy = records.points(np.full(len(records), 4), np.ones(len(records), np.int64))
    if pack:
        made = packedmod.from_coordinates(xy)
        if made is not None:
            return made
    out = shapely.points(xy)
    # a point with a NaN coordinate is empty where GDAL hands it over as WKB (the Arrow
    # reader, which reads the files below this reader's size): the same notes either way
    nan = np.isnan(xy).any(axis=1)
    if nan.any():
        out[nan] = shapely.Point()
    return out


def _polylines(records: _Records, pack: bool) -> Any:
    """Each record: type, box (4 doubles), part count, point count, part starts, points."""
    data, start, size = records.data, records.start, records.size
    n_parts = records.field(36, "<i4").astype(np.int64)
    n_points = records.field(40, "<i4").astype(np.int64)
    if (n_parts < 1).any() or (n_points < 2).any():
        return None
    if (size != 44 + 4 * n_parts + 16 * n_points).any():
        return None
    single = n_parts == 1
    if single.all():  # single lines (most files): one part, starting at the first point
        if (records.field(44, "<i4") != 0).any():
            return None
        coords = records.points(np.full(len(records), 48), n_points)
        offsets = np.zeros(len(start) + 1, np.int64)
        np.cumsum(n_points, out=offsets[1:])
        made = packedmod.from_coordinates(coords, offsets) if pack else None
        if made is not None:
            return made
        return shapely.linestrings(coords, indices=np.repeat(np.arange(len(start)), n_points))
    # the first point of each part, within its record; parts in order, each >= 2 points
    first_part = np.cumsum(n_parts) - n_parts
    part_record = np.repeat(np.arange(len(start)), n_parts)
    part_k = np.arange(len(part_record)) - first_part[part_record]
    part_first = _gather(data, start[part_record] + 44 + 4 * part_k, "<i4").astype(np.int64)
    part_end = np.empty_like(part_first)
    part_end[:-1] = part_first[1:]
    last_part = first_part + n_parts - 1
    part_end[last_part] = n_points
    if (part_first[first_part] != 0).any() or (part_end - part_first < 2).any():
        return None
    coords = _coordinates(data, start + 44 + 4 * n_parts, n_points)
    part_of_point = np.repeat(np.arange(len(part_record)), part_end - part_first)
    lines = shapely.linestrings(coords, indices=part_of_point)
    out = np.empty(len(start), dtype=object)
    out[single] = lines[first_part[single]]
    multi = np.flatnonzero(~single)
    in_multi = np.isin(part_record, multi)
    which = np.searchsorted(multi, part_record[in_multi])  # 0, 1, … over the multipart
    out[multi] = shapely.multilinestrings(lines[in_multi], indices=which)
    return out


def _gather(data: np.ndarray, at: np.ndarray, dtype: str) -> np.ndarray:
    """The value of *dtype* at each byte offset *at* of *data*: one typed view of the file
    per offset remainder (at most 8), each gathered in one step."""
    width = np.dtype(dtype).itemsize
    out = np.empty(len(at), dtype=dtype)
    rem = at % width
    for shift in np.unique(rem).tolist():
        view = np.ndarray(
            shape=((len(data) - shift) // width,), dtype=dtype, buffer=data, offset=shift
        )
        sel = rem == shift
        out[sel] = view[(at[sel] - shift) // width]
    return out


def _coordinates(data: np.ndarray, first: np.ndarray, n_points: np.ndarray) -> np.ndarray:
    """The ``(x, y)`` of every point of every record, record after record (``first``: the
    byte offset of a record's first point)."""
    k = np.arange(int(n_points.sum())) - np.repeat(np.cumsum(n_points) - n_points, n_points)
    at = np.repeat(first, n_points) + 16 * k
    return np.column_stack([_gather(data, at, "<f8"), _gather(data, at + 8, "<f8")])
