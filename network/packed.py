"""A layer's points or lines held as coordinate arrays, not one shapely object per feature.

A million pipes as shapely lines take 250 MB and a million manholes as points 210 MB, for
48 MB of coordinates. ``new`` on a large network reads a plain shapefile's shapes straight
into coordinates (:func:`from_coordinates`, from :mod:`network.io.shp`) and checks them
there; a layer read otherwise (a GeoPackage, several files) is read as shapely objects and
packed once checked (:func:`pack_layer`). The layers are then written (WKB made from the
coordinates, :func:`wkb_array`) and the network built from the coordinates: at a million
pipes and manholes the import makes no shapely object for either, and its peak memory
drops by that much.

:class:`PackedGeometry` is a geopandas ``GeometryArray``: anything that asks for the
geometries gets shapely objects, made on demand (a subset for an index; all of them, kept,
for the whole array), so code unaware of the packing stays correct. The engine's hot paths
ask the functions below (:func:`type_ids`, :func:`coordinates`, :func:`bounds` …), which
answer from the coordinates when they can and from shapely otherwise.

Only a layer of plain 2-D points or plain single lines with finite coordinates, none missing
or empty, is packed; any other layer stays as it is.

Examples
--------
>>> import shapely
>>> lines = shapely.linestrings([[(0, 0), (3, 4)], [(1, 1), (1, 2)]])
>>> p = pack_geometry(lines)
>>> len(p), type_ids(p).tolist(), lengths(p).tolist()
(2, [1, 1], [5.0, 1.0])
>>> p[1].wkt, p.is_made
('LINESTRING (1 1, 1 2)', False)
"""

from __future__ import annotations

import logging
import numbers
from typing import Any

import numpy as np

from network.lazy import lazy_module

gpd = lazy_module("geopandas", globals())
pa = lazy_module("pyarrow", globals())
pd = lazy_module("pandas", globals())
shapely = lazy_module("shapely", globals())

log = logging.getLogger(__name__)

_POINT, _LINE = 0, 1
#: Geometries per step when WKB of lines of unequal vertex counts is made through shapely.
_WKB_STEP = 1 << 16


def _geometry_array_class() -> type:
    from geopandas.array import GeometryArray

    return GeometryArray


def _cls() -> type:
    """:class:`PackedGeometry`. It subclasses geopandas' GeometryArray, so it is defined on
    first use: importing this module (the engine does) does not import geopandas."""
    cls = globals().get("PackedGeometry")
    if cls is None:
        cls = globals()["PackedGeometry"] = _define()
    return cls


def __getattr__(name: str) -> Any:
    if name == "PackedGeometry":
        return _cls()
    raise AttributeError(name)


def _define() -> type:
    base = _geometry_array_class()

    class PackedGeometry(base):  # type: ignore[misc, valid-type]
        """Points (``offsets`` None) or single lines (``offsets``: each line's first
        coordinate, and the total at the end) as an ``(n, 2)`` float64 coordinate array.

        ``lengths`` (lines): each line's length as shapely measured it before packing.
        """

        # what an unpickled array (made: geopandas pickles the shapely objects) holds
        _made: np.ndarray | None = None
        _coords: np.ndarray | None = None
        _offsets: np.ndarray | None = None
        _lengths: np.ndarray | None = None

        def __init__(
            self,
            data: Any = None,
            crs: Any = None,
            *,
            coords: np.ndarray | None = None,
            offsets: np.ndarray | None = None,
            lengths: np.ndarray | None = None,
        ) -> None:
            self._made: np.ndarray | None = None
            self._coords = coords
            self._offsets = offsets
            self._lengths = lengths
            self._crs = None
            self.crs = crs
            self._sindex = None
            if data is not None:  # as a GeometryArray (geopandas makes arrays of its class)
                if isinstance(data, base):
                    data = data._data
                self._made = data

        # -- state --------------------------------------------------------------------
        @property
        def is_made(self) -> bool:
            """True once the shapely objects exist (then they, not the coordinates, hold)."""
            return self._made is not None

        @property
        def _data(self) -> np.ndarray:
            if self._made is None:
                log.debug("%d packed geometries made as shapely objects", len(self))
                self._made = self._shapely(None)
            return self._made

        @_data.setter
        def _data(self, value: np.ndarray) -> None:
            self._made = value

        def _shapely(self, idx: np.ndarray | None) -> np.ndarray:
            """shapely objects of the features *idx* (all when None)."""
            if self._offsets is None:
                xy = self._coords if idx is None else self._coords[idx]
                return shapely.points(xy)
            if idx is None:
                counts = np.diff(self._offsets)
                return shapely.linestrings(
                    self._coords, indices=np.repeat(np.arange(len(counts)), counts)
                )
            sub = self._subset(idx)
            return sub._shapely(None)

        def _subset(self, idx: np.ndarray) -> PackedGeometry:
            n = len(self)
            whole = len(idx) == n and n and idx[0] == 0 and idx[-1] == n - 1
            if whole and (np.diff(idx) > 0).all():  # every feature in order: the same arrays
                return self.copy()
            if self._offsets is None:
                return PackedGeometry(crs=self._crs, coords=self._coords[idx])
            first = self._offsets[:-1][idx]
            counts = self._offsets[1:][idx] - first
            offsets = np.zeros(len(counts) + 1, np.int64)
            np.cumsum(counts, out=offsets[1:])
            if len(counts) and (counts == counts[0]).all():
                k = int(counts[0])
                at = (first[:, None] + np.arange(k)).ravel()
            else:
                at = np.repeat(first - offsets[:-1], counts) + np.arange(int(offsets[-1]))
            lengths = None if self._lengths is None else self._lengths[idx]
            return PackedGeometry(
                crs=self._crs, coords=self._coords[at], offsets=offsets, lengths=lengths
            )

        # -- what pandas and geopandas ask without needing the objects -----------------
        def __len__(self) -> int:
            if self._made is not None:
                return len(self._made)
            return len(self._coords) if self._offsets is None else len(self._offsets) - 1

        @property
        def size(self) -> int:
            return len(self)

        @property
        def shape(self) -> tuple[int]:
            return (len(self),)

        @property
        def nbytes(self) -> int:
            if self._made is not None:
                return super().nbytes
            return sum(a.nbytes for a in (self._coords, self._offsets) if a is not None)

        def isna(self) -> np.ndarray:
            if self._made is not None:
                return super().isna()
            return np.zeros(len(self), dtype=bool)  # packed only when none is missing

        def copy(self, *args: Any, **kwargs: Any) -> Any:
            if self._made is not None:
                return super().copy(*args, **kwargs)
            return PackedGeometry(
                crs=self._crs, coords=self._coords, offsets=self._offsets, lengths=self._lengths
            )

        def __getitem__(self, idx: Any) -> Any:
            if self._made is not None:
                return super().__getitem__(idx)
            if isinstance(idx, numbers.Integral):
                i = int(idx)
                n = len(self)
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for {n} geometries")
                return self._shapely(np.array([i % n]))[0]
            if isinstance(idx, slice):
                start, stop, step = idx.indices(len(self))
                if step == 1 and stop - start == len(self):
                    return self.copy()  # all of it (pandas views a column this way)
                return self._subset(np.arange(len(self))[idx])
            idx = pd.api.indexers.check_array_indexer(self, idx)
            if isinstance(idx, np.ndarray) and idx.dtype == bool:
                idx = np.flatnonzero(idx)
            return self._subset(np.asarray(idx, dtype=np.int64))

        def take(self, indices: Any, allow_fill: bool = False, fill_value: Any = None) -> Any:
            idx = np.asarray(indices, dtype=np.int64)
            if self._made is not None or (allow_fill and (idx < 0).any()):
                return super().take(indices, allow_fill=allow_fill, fill_value=fill_value)
            n = len(self)
            if len(idx) and (idx.max() >= n or idx.min() < -n):
                raise IndexError("take: an index is out of bounds")
            return self._subset(idx % n if n else idx)

        def __setitem__(self, key: Any, value: Any) -> None:
            self._data  # noqa: B018 - made first: the edit lands in the shapely objects
            super().__setitem__(key, value)

        @property
        def total_bounds(self) -> np.ndarray:
            if self._made is not None:
                return super().total_bounds
            if not len(self._coords):
                return np.array([np.nan] * 4)
            lo, hi = self._coords.min(axis=0), self._coords.max(axis=0)
            return np.array([lo[0], lo[1], hi[0], hi[1]])

    # pickled by name, as network.packed.PackedGeometry (the module makes it on demand)
    PackedGeometry.__qualname__ = "PackedGeometry"
    PackedGeometry.__module__ = __name__
    return PackedGeometry


def pack_geometry(values: Any, crs: Any = None) -> Any:
    """*values* (shapely objects) as a :class:`PackedGeometry`, or None when they are not
    all plain 2-D points or all plain single lines with finite coordinates."""
    geoms = np.asarray(values, dtype=object)
    if not len(geoms):
        return None
    tid = shapely.get_type_id(geoms)
    kind = int(tid[0])
    if kind not in (_POINT, _LINE) or (tid != kind).any():
        return None  # missing (-1), mixed or other types
    if shapely.is_empty(geoms).any() or shapely.has_z(geoms).any():
        return None
    coords = shapely.get_coordinates(geoms)
    if not np.isfinite(coords).all():
        return None
    cls = _cls()
    if kind == _POINT:
        return cls(crs=crs, coords=coords)
    offsets = np.zeros(len(geoms) + 1, np.int64)
    np.cumsum(shapely.get_num_coordinates(geoms), out=offsets[1:])
    return cls(crs=crs, coords=coords, offsets=offsets, lengths=shapely.length(geoms))


def from_coordinates(
    coords: np.ndarray, offsets: np.ndarray | None = None, crs: Any = None
) -> Any:
    """A :class:`PackedGeometry` of points (*offsets* None) or single lines (*offsets*: each
    line's first coordinate, and the total at the end) straight from their coordinates, as
    a reader that has them makes it without a shapely object in between; None when they
    break what a packed array holds (a non-finite coordinate, a line of fewer than two
    points). The lengths are measured as shapely measures them (:func:`line_lengths`)."""
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] != 2 or not np.isfinite(coords).all():
        return None
    cls = _cls()
    if offsets is None:
        return cls(crs=crs, coords=coords) if len(coords) else None
    offsets = np.asarray(offsets, dtype=np.int64)
    if len(offsets) < 2 or offsets[0] != 0 or offsets[-1] != len(coords):
        return None
    if (np.diff(offsets) < 2).any():
        return None
    return cls(crs=crs, coords=coords, offsets=offsets, lengths=line_lengths(coords, offsets))


def line_lengths(coords: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The length of each line (coordinates ``offsets[i]:offsets[i + 1]``) as GEOS measures
    it: ``sqrt(dx * dx + dy * dy)`` per segment, added from the first segment on, so every
    float equals ``shapely.length`` (``tests/network/test_packed.py`` compares them bit by
    bit). One vectorised step per vertex position: a step for each segment of the longest
    line, over the lines that long."""
    counts = np.diff(offsets)
    out = np.zeros(len(counts))
    if not len(counts):
        return out
    d = np.diff(coords, axis=0)
    seg = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])  # segment i: coordinates i, i + 1
    del d
    first = offsets[:-1]
    for k in range(int(counts.max()) - 1):
        if k == 0:
            out += seg[first]  # every line has a first segment
            continue
        live = np.flatnonzero(counts > k + 1)
        out[live] += seg[first[live] + k]
    return out


def pack_layer(gdf: Any) -> Any:
    """*gdf* with its geometry packed (:func:`pack_geometry`), or *gdf* itself when it
    cannot be. The frame's other columns are shared, not copied."""
    col = gdf.geometry.name
    if packed(gdf.geometry) is not None:
        return gdf  # packed as it was read
    made = pack_geometry(gdf.geometry.array, gdf.crs)
    if made is None:
        return gdf
    out = gdf.copy(deep=False)
    out[col] = gpd.GeoSeries(made, index=gdf.index, name=col, crs=gdf.crs)
    return out


def packed(values: Any) -> Any:
    """The :class:`PackedGeometry` behind *values* (a GeoSeries, an array) while its
    coordinates still hold, else None."""
    arr = getattr(values, "array", values)
    cls = globals().get("PackedGeometry")  # never defined: nothing was packed
    if cls is not None and isinstance(arr, cls) and not arr.is_made:
        return arr
    return None


def geometries(values: Any) -> Any:
    """The geometries of *values* (a GeoSeries, an array) as the engine reads them: the
    :class:`PackedGeometry` while its coordinates hold, else an object array of shapely
    objects."""
    p = packed(values)
    return p if p is not None else np.asarray(getattr(values, "array", values), dtype=object)


# -- shapely's vectorised functions, answered from the coordinates where packed -------------
def type_ids(values: Any) -> np.ndarray:
    p = packed(values)
    if p is None:
        return shapely.get_type_id(np.asarray(values, dtype=object))
    return np.full(len(p), _POINT if p._offsets is None else _LINE, dtype=np.int32)


def num_coordinates(values: Any) -> np.ndarray:
    p = packed(values)
    if p is None:
        return shapely.get_num_coordinates(np.asarray(values, dtype=object))
    if p._offsets is None:
        return np.ones(len(p), dtype=np.int32)
    return np.diff(p._offsets).astype(np.int32)


def coordinates(values: Any) -> np.ndarray:
    """``shapely.get_coordinates`` (2-D)."""
    p = packed(values)
    if p is None:
        return shapely.get_coordinates(np.asarray(values, dtype=object))
    return p._coords


def lengths(values: Any) -> np.ndarray:
    p = packed(values)
    if p is None:
        return shapely.length(np.asarray(values, dtype=object))
    if p._offsets is None:
        return np.zeros(len(p))
    return p._lengths


def total_bounds(values: Any) -> np.ndarray:
    """``shapely.total_bounds`` of a frame's geometries, a GeoSeries or an array (geopandas'
    own makes every shapely object of a packed layer); NaN where none has coordinates."""
    values = getattr(values, "geometry", values)
    p = packed(values)
    if p is not None:
        return p.total_bounds
    return shapely.total_bounds(np.asarray(getattr(values, "array", values), dtype=object))


def missing_or_empty(values: Any) -> np.ndarray:
    """Per feature: no geometry, or an empty one."""
    p = packed(values)
    if p is None:
        g = np.asarray(values, dtype=object)
        return pd.isna(g) | shapely.is_empty(g)
    return np.zeros(len(p), dtype=bool)


def bounds(values: Any) -> np.ndarray:
    """``shapely.bounds``: ``(n, 4)`` x0, y0, x1, y1 (worked out each time: kept, the
    boxes of a million pipes and a million manholes raised ``new``'s peak by 64 MB)."""
    p = packed(values)
    if p is None:
        return shapely.bounds(np.asarray(values, dtype=object))
    return _packed_bounds(p._coords, p._offsets)


def _packed_bounds(c: np.ndarray, offsets: np.ndarray | None) -> np.ndarray:
    if offsets is None:
        return np.concatenate([c, c], axis=1)
    n = len(offsets) - 1
    out = np.empty((n, 4))
    if not n:
        return out
    if offsets[-1] == 2 * n and (np.diff(offsets) == 2).all():  # two-point lines: pairs
        a, b = c[0::2], c[1::2]  # GEOS keeps the first of equal values (0.0 before -0.0)
        out[:, :2] = np.where(b < a, b, a)
        out[:, 2:] = np.where(b > a, b, a)
        return out
    start = offsets[:-1]
    out[:, :2] = np.minimum.reduceat(c, start, axis=0)
    out[:, 2:] = np.maximum.reduceat(c, start, axis=0)
    return out


def wkb_array(p: Any) -> Any:
    """The WKB of the packed geometries as an Arrow binary array (or chunked array), as
    ``shapely.to_wkb`` writes them: little-endian, 2-D."""
    n = len(p)
    if not n:
        return pa.array([], type=pa.binary())
    if p._offsets is None:
        counts = None
        size = 21
    else:
        counts = np.diff(p._offsets)
        size = 9 + 16 * int(counts[0])
    if counts is None or (counts == counts[0]).all():
        # records of one size: a block of rows (byte order, type, [count], coordinates)
        rec = np.empty((n, size), dtype=np.uint8)
        rec[:, 0] = 1
        rec[:, 1:5] = np.array([_POINT + 1 if counts is None else _LINE + 1], "<u4").view(np.uint8)
        head = 5
        if counts is not None:
            rec[:, 5:9] = counts.astype("<u4").view(np.uint8).reshape(n, 4)
            head = 9
        rec[:, head:] = np.ascontiguousarray(p._coords, dtype="<f8").view(np.uint8).reshape(n, -1)
        offsets = np.arange(0, (n + 1) * size, size, dtype=np.int64)
        if offsets[-1] < 2**31:
            return pa.Array.from_buffers(
                pa.binary(), n, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(rec)]
            )
        return pa.Array.from_buffers(
            pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(rec)]
        )
    chunks = []
    for at in range(0, n, _WKB_STEP):
        sub = p._subset(np.arange(at, min(at + _WKB_STEP, n)))
        chunks.append(pa.array(shapely.to_wkb(sub._shapely(None)), type=pa.binary()))
    return pa.chunked_array(chunks, type=pa.binary())
