"""A map layer and its prepared arrays (no Qt: the renderer and the tools read them).

A :class:`MapLayer` holds a GeoDataFrame in the project CRS, how to draw it, and what is
prepared from it, each rebuilt only when what it depends on changes:

* the **geometry** (segments / points / rings as numpy arrays, and the layer's one spatial
  index, an ``STRtree`` built on first use) — rebuilt when the geometry changes, not when
  only attributes or derived columns do;
* the **id→row index** (the kind's id column as ``str``, and a lookup from id to row
  positions) — rebuilt when the data change;
* the **style** (class codes, or sorted line batches) — rebuilt when the data, the derived
  columns or the style change.

*Derived columns* (flow direction, connection status: :mod:`network.overlays`) are arrays
given with :meth:`MapLayer.set_derived`, one value per row; the style, the legend and the
attribute table read them like columns, but the frame is never copied to hold them. They
belong to one frame: :meth:`MapLayer.set_data` drops them unless new ones come with it.
"""

from __future__ import annotations

import functools
import math
import operator
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gisapp.cartography import symbology
from gisapp.cartography.symbology import Style, Symbol
from network import schema

SMALL_LOOKUP = 2_000  # fewer ids than this: look them up one by one, else vectorised


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for each start and count, vectorised."""
    counts = counts.astype(np.int64, copy=False)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(counts)
    offsets = np.repeat(starts.astype(np.int64) - (ends - counts), counts)
    return offsets + np.arange(total, dtype=np.int64)


def _point_bounds(xy: np.ndarray) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) over points (NaN rows skipped), NaNs when there is none."""
    ok = np.isfinite(xy).all(axis=1)
    if not ok.any():
        return (math.nan,) * 4
    return (
        float(xy[ok, 0].min()),
        float(xy[ok, 1].min()),
        float(xy[ok, 0].max()),
        float(xy[ok, 1].max()),
    )


def _total_bounds(bounds: np.ndarray, n: int) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) over per-feature bounds, NaNs when there is nothing."""
    if not n or not np.isfinite(bounds).any():
        return (math.nan,) * 4
    return (
        float(np.nanmin(bounds[:, 0])),
        float(np.nanmin(bounds[:, 1])),
        float(np.nanmax(bounds[:, 2])),
        float(np.nanmax(bounds[:, 3])),
    )


# --- prepared geometry ------------------------------------------------------------------------
class _Geoms:
    """The shapely geometries of a prepared geometry, for its spatial index and the tools:
    given (``source`` an array) or made on first use (``source`` a callable, e.g. from the
    geometry as read when the map was drawn from arrays alone)."""

    source: Any
    _making: threading.Lock  # held while the geometries are made (not the arrays' lock)

    @property
    def geoms(self) -> np.ndarray | None:
        source = self.source
        if not callable(source):
            return source
        with self._making:
            if callable(self.source):
                self.source = self.source()
            return self.source

    def geoms_if_made(self) -> np.ndarray | None:
        """The geometries when they exist already (never makes them)."""
        source = self.source
        return None if callable(source) else source


@dataclass
class LineGeometry(_Geoms):
    """Segments of a line layer in feature order, and per-feature offsets."""

    segs: np.ndarray  # (S, 4) float64
    feat_start: np.ndarray  # (N + 1,) int64 offsets into segs
    bounds: np.ndarray  # (N, 4)
    total_bounds: tuple[float, float, float, float]
    source: Any  # shapely geometries (for the tree), or a callable making them
    _tree: shapely.STRtree | None = None
    _anchors: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _making: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, geoms: np.ndarray) -> LineGeometry:
        n = len(geoms)
        types = shapely.get_type_id(geoms)
        if (types == 1).all() or n == 0:  # all LineString: no parts to split
            parts, part_feat = geoms, np.arange(n)
        else:
            parts, part_feat = shapely.get_parts(geoms, return_index=True)
        coords, idx = shapely.get_coordinates(parts, return_index=True)
        same = idx[1:] == idx[:-1]
        segs = np.empty((int(same.sum()), 4), dtype=np.float64)
        segs[:, :2] = coords[:-1][same]
        segs[:, 2:] = coords[1:][same]
        seg_feat = part_feat[idx[:-1][same]]
        counts = np.bincount(seg_feat, minlength=n) if n else np.zeros(0, dtype=np.int64)
        feat_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=feat_start[1:])
        bounds = shapely.bounds(geoms)
        tb = _total_bounds(bounds, n)
        return cls(segs=segs, feat_start=feat_start, bounds=bounds, total_bounds=tb, source=geoms)

    @property
    def n_features(self) -> int:
        return len(self.feat_start) - 1

    def tree(self) -> shapely.STRtree:
        """The layer's one spatial index (built on first use, any thread)."""
        with self._lock:
            if self._tree is None:
                self._tree = shapely.STRtree(self.geoms)
            return self._tree

    def tree_is_built(self) -> bool:
        return self._tree is not None

    def subset(self, rows: np.ndarray) -> LineGeometry:
        """The features at ``rows`` (in that order), from the prepared arrays."""
        rows = np.asarray(rows, dtype=np.int64)
        counts = np.diff(self.feat_start)[rows]
        segs = self.segs[_ranges(self.feat_start[:-1][rows], counts)]
        feat_start = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=feat_start[1:])
        bounds = self.bounds[rows]
        source = self.source
        return LineGeometry(
            segs=segs,
            feat_start=feat_start,
            bounds=bounds,
            total_bounds=_total_bounds(bounds, len(rows)),
            source=(lambda: self.geoms[rows]) if callable(source) else source[rows],
        )

    def lengths(self, rows: np.ndarray) -> np.ndarray:
        """The length of the features at ``rows`` (their segments added up)."""
        sub = self.subset(rows)
        d = sub.segs[:, 2:] - sub.segs[:, :2]
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(d[:, 0], d[:, 1]))])
        return cum[sub.feat_start[1:]] - cum[sub.feat_start[:-1]]

    def anchors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per feature: the point halfway along it, the unit direction there, its length."""
        with self._lock:
            if self._anchors is None:
                self._anchors = self._compute_anchors()
            return self._anchors

    def _compute_anchors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.n_features
        segs = self.segs
        d = segs[:, 2:] - segs[:, :2]
        seglen = np.hypot(d[:, 0], d[:, 1])
        cum = np.concatenate([[0.0], np.cumsum(seglen)])
        start, end = self.feat_start[:-1], self.feat_start[1:]
        has = end > start
        length = cum[end] - cum[start]
        target = cum[start] + length / 2
        k = np.searchsorted(cum, target, side="left") - 1
        k = np.clip(k, start, np.maximum(end - 1, start))
        k = np.where(has, k, 0)
        mid = np.full((n, 2), np.nan)
        direc = np.zeros((n, 2))
        if len(segs):
            sl = seglen[k]
            t = np.where(sl > 0, (target - cum[k]) / np.where(sl > 0, sl, 1), 0.5)
            t = np.clip(t, 0, 1)
            mid = segs[k, :2] + d[k] * t[:, None]
            direc = d[k] / np.where(sl > 0, sl, 1)[:, None]
            mid[~has] = np.nan
        return mid, direc, length


@dataclass
class PointGeometry(_Geoms):
    """One point per feature (a point on the feature for multipoints and others)."""

    xy: np.ndarray  # (N, 2), NaN for empty
    total_bounds: tuple[float, float, float, float]
    source: Any = None  # shapely geometries (for the tree), a callable making them, or None
    _tree: shapely.STRtree | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _making: threading.Lock = field(default_factory=threading.Lock)

    def tree(self) -> shapely.STRtree:
        """The layer's one spatial index (built on first use, any thread)."""
        with self._lock:
            if self._tree is None:
                # points: the tree of the points themselves (the geometries are not needed)
                geoms = self.geoms_if_made()
                self._tree = shapely.STRtree(
                    geoms if geoms is not None else shapely.points(self.xy)
                )
            return self._tree

    @classmethod
    def build(cls, geoms: np.ndarray) -> PointGeometry:
        n = len(geoms)
        xy = np.full((n, 2), np.nan)
        if n:
            pts = geoms
            non_point = shapely.get_type_id(geoms) != 0
            if non_point.any():  # multipoints, or anything else: a point on it
                pts = geoms.copy()
                pts[non_point] = shapely.point_on_surface(geoms[non_point])
            xy[:, 0] = shapely.get_x(pts)
            xy[:, 1] = shapely.get_y(pts)
        return cls(xy=xy, total_bounds=_point_bounds(xy), source=geoms)


@dataclass
class PolygonGeometry(_Geoms):
    coords: np.ndarray  # (C, 2)
    ring_start: np.ndarray  # (R + 1,)
    feat_ring_start: np.ndarray  # (N + 1,) offsets into rings
    bounds: np.ndarray  # (N, 4)
    total_bounds: tuple[float, float, float, float]
    source: Any  # shapely geometries
    _anchors: np.ndarray | None = None
    _tree: shapely.STRtree | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _making: threading.Lock = field(default_factory=threading.Lock)

    def tree(self) -> shapely.STRtree:
        """The layer's one spatial index (built on first use, any thread)."""
        with self._lock:
            if self._tree is None:
                self._tree = shapely.STRtree(self.geoms)
            return self._tree

    @classmethod
    def build(cls, geoms: np.ndarray) -> PolygonGeometry:
        n = len(geoms)
        parts, part_feat = shapely.get_parts(geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        ring_feat = part_feat[ring_part]
        coords, cidx = shapely.get_coordinates(rings, return_index=True)
        ring_counts = np.bincount(cidx, minlength=len(rings))
        ring_start = np.zeros(len(rings) + 1, dtype=np.int64)
        np.cumsum(ring_counts, out=ring_start[1:])
        feat_counts = np.bincount(ring_feat, minlength=n) if n else np.zeros(0, dtype=np.int64)
        feat_ring_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(feat_counts, out=feat_ring_start[1:])
        bounds = shapely.bounds(geoms)
        tb = _total_bounds(bounds, n)
        return cls(
            coords=coords,
            ring_start=ring_start,
            feat_ring_start=feat_ring_start,
            bounds=bounds,
            total_bounds=tb,
            source=geoms,
        )

    def anchors(self) -> np.ndarray:
        with self._lock:
            if self._anchors is None:
                pts = shapely.point_on_surface(self.geoms)
                self._anchors = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
            return self._anchors


# --- geometry read as WKB, straight into the prepared arrays -----------------------------------
WKB_POINT, WKB_LINESTRING = 1, 2  # 2-D ISO WKB type codes
WKB_CHUNK = 32_768  # geometries made from WKB per call (the GIL is let go between calls)


def _wkb_chunks(column) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Per Arrow chunk of a WKB column: (start offsets (N + 1,), bytes); None when a value
    is missing (null geometries go the shapely way)."""
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = []
    for chunk in chunks:
        arr = chunk.storage if isinstance(chunk, pa.ExtensionArray) else chunk
        if len(arr) == 0:
            continue
        if arr.null_count:
            return None
        if pa.types.is_binary(arr.type):
            off_type = np.dtype(np.int32)
        elif pa.types.is_large_binary(arr.type):
            off_type = np.dtype(np.int64)
        else:
            return None
        _valid, offsets, data = arr.buffers()
        starts = np.frombuffer(
            offsets, dtype=off_type, count=len(arr) + 1, offset=arr.offset * off_type.itemsize
        )
        data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
        out.append((starts.astype(np.int64), data))
    return out


def _wkb_uint32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Little-endian uint32 at byte positions ``at`` (any alignment)."""
    b = data[at[:, None] + np.arange(4)]
    return np.ascontiguousarray(b).view("<u4").ravel()


def _wkb_doubles(data: np.ndarray, at: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``counts[i]`` little-endian doubles from byte ``at[i]`` on, concatenated in order."""
    total = int(counts.sum())
    out = np.empty(total, dtype=np.float64)
    if total == 0:
        return out
    out_start = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=out_start[1:])
    align = at % 8
    uniform = int(counts[0]) if (counts == counts[0]).all() else None
    for a in np.unique(align).tolist():  # a view of the bytes as doubles per alignment
        sel = np.flatnonzero(align == a)
        n_words = (len(data) - a) // 8
        words = np.frombuffer(data, dtype="<f8", count=n_words, offset=a)
        first = (at[sel] - a) // 8
        if uniform is not None:  # e.g. every line of two vertices: a 2-D gather
            step = np.arange(uniform)
            out.reshape(-1, uniform)[sel] = words[first[:, None] + step]
        else:
            out[_ranges(out_start[sel], counts[sel])] = words[_ranges(first, counts[sel])]
    return out


def _wkb_simple(column, type_code: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Coordinates ``(V, 2)`` and vertices per feature of a WKB column holding only 2-D
    little-endian points (``type_code`` 1) or linestrings (2); None for anything else
    (multi-part, Z/M, big-endian, missing, a one-vertex line: read with shapely then)."""
    chunks = _wkb_chunks(column)
    if chunks is None:
        return None
    all_coords, all_counts = [], []
    for offsets, data in chunks:
        start, lengths = offsets[:-1], np.diff(offsets)
        if len(start) == 0:
            continue
        head = 5 if type_code == WKB_POINT else 9
        if (lengths < head).any() or (data[start] != 1).any():
            return None
        if (_wkb_uint32(data, start + 1) != type_code).any():
            return None
        if type_code == WKB_POINT:
            if (lengths != 21).any():
                return None
            counts = np.ones(len(start), dtype=np.int64)
        else:
            counts = _wkb_uint32(data, start + 5).astype(np.int64)
            if (lengths != 9 + 16 * counts).any() or (counts == 1).any():
                return None
        coords = _wkb_doubles(data, start + head, 2 * counts)
        all_coords.append(coords.reshape(-1, 2))
        all_counts.append(counts)
    if not all_counts:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    return np.concatenate(all_coords), np.concatenate(all_counts)


def _wkb_geometries(column) -> np.ndarray:
    """The shapely geometries of a WKB column (as pyogrio's reader makes them), made chunk
    by chunk: other threads (the GUI's) get the interpreter between chunks, not after the
    second or more a million geometries take."""
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = np.empty(len(column), dtype=object)
    at = 0
    for chunk in chunks:
        for start in range(0, len(chunk), WKB_CHUNK):
            part = chunk.slice(start, WKB_CHUNK)
            values = np.asarray(part.to_numpy(zero_copy_only=False), dtype=object)
            out[at : at + len(part)] = shapely.from_wkb(values)
            at += len(part)
    return out


def line_geometry_from_wkb(column) -> LineGeometry | None:
    """A :class:`LineGeometry` straight from a WKB column of 2-D linestrings (no shapely
    objects: they are made from the WKB when first asked for); None when the column holds
    anything else (build it from shapely geometries then)."""
    simple = _wkb_simple(column, WKB_LINESTRING)
    if simple is None:
        return None
    coords, counts = simple
    n = len(counts)
    feat_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.maximum(counts - 1, 0), out=feat_start[1:])
    if n and counts[0] > 1 and (counts == counts[0]).all():  # k vertices each: reshaped
        k = int(counts[0])
        per = coords.reshape(n, k, 2)
        segs = np.empty((n, k - 1, 4), dtype=np.float64)
        segs[:, :, :2] = per[:, :-1]
        segs[:, :, 2:] = per[:, 1:]
        lo, hi = per.min(axis=1), per.max(axis=1)
        return LineGeometry(
            segs=segs.reshape(-1, 4),
            feat_start=feat_start,
            bounds=np.column_stack([lo, hi]),
            total_bounds=_total_bounds(np.column_stack([lo, hi]), n),
            source=functools.partial(_wkb_geometries, column),
        )
    vfeat = np.repeat(np.arange(n, dtype=np.int64), counts)
    same = vfeat[1:] == vfeat[:-1]
    segs = np.empty((int(same.sum()), 4), dtype=np.float64)
    segs[:, :2] = coords[:-1][same]
    segs[:, 2:] = coords[1:][same]
    bounds = np.full((n, 4), np.nan)
    has = np.flatnonzero(counts > 0)
    if len(has):
        vstart = np.zeros(n, dtype=np.int64)
        np.cumsum(counts[:-1], out=vstart[1:])
        at = vstart[has]
        for j, (ufunc, axis) in enumerate(
            ((np.minimum, 0), (np.minimum, 1), (np.maximum, 0), (np.maximum, 1))
        ):
            bounds[has, j] = ufunc.reduceat(coords[:, axis], at)
    return LineGeometry(
        segs=segs,
        feat_start=feat_start,
        bounds=bounds,
        total_bounds=_total_bounds(bounds, n),
        source=functools.partial(_wkb_geometries, column),
    )


def point_geometry_from_wkb(column) -> PointGeometry | None:
    """A :class:`PointGeometry` straight from a WKB column of 2-D points (see
    :func:`line_geometry_from_wkb`); None when it holds anything else."""
    simple = _wkb_simple(column, WKB_POINT)
    if simple is None:
        return None
    xy = np.ascontiguousarray(simple[0])
    return PointGeometry(
        xy=xy, total_bounds=_point_bounds(xy), source=functools.partial(_wkb_geometries, column)
    )


@dataclass
class LineBatches:
    """A line layer's segments sorted into style batches (one contiguous slice per batch)."""

    keys: np.ndarray  # (N,) batch key per feature, -1 hidden
    sorted_segs: np.ndarray  # (S', 4)
    feat_sorted_start: np.ndarray  # (N,) start in sorted_segs
    batch_keys: np.ndarray  # (B,)
    batch_start: np.ndarray  # (B + 1,)
    forward: np.ndarray  # (N,) bool flow in digitised order

    @classmethod
    def build(cls, geom: LineGeometry, keys: np.ndarray, forward: np.ndarray) -> LineBatches:
        counts = np.diff(geom.feat_start)
        order = np.argsort(keys, kind="stable")
        order = order[keys[order] >= 0]
        oc = counts[order]
        idx = _ranges(geom.feat_start[:-1][order], oc)
        sorted_segs = geom.segs[idx]
        feat_sorted_start = np.full(len(keys), -1, dtype=np.int64)
        starts = np.zeros(len(order), dtype=np.int64)
        if len(order):
            np.cumsum(oc[:-1], out=starts[1:])
        feat_sorted_start[order] = starts
        seg_keys = np.repeat(keys[order], oc)
        bkeys, bstart = np.unique(seg_keys, return_index=True)
        batch_start = np.append(bstart, len(seg_keys)).astype(np.int64)
        return cls(
            keys=keys,
            sorted_segs=sorted_segs,
            feat_sorted_start=feat_sorted_start,
            batch_keys=bkeys,
            batch_start=batch_start,
            forward=forward,
        )


@dataclass(frozen=True)
class LayerSnapshot:
    """What a render job needs from a layer, captured on the GUI thread."""

    layer: MapLayer
    data: pd.DataFrame
    version: int
    style: Style
    visible: bool
    opacity: float
    label_field: str | None
    geometry_version: int = 0
    derived: Mapping[str, np.ndarray] = field(default_factory=dict)
    derived_version: int = 0

    def column(self, name: str) -> np.ndarray | None:
        """A derived column, else a column of the data, else None."""
        if name in self.derived:
            return self.derived[name]
        if name in self.data.columns:
            return self.data[name].to_numpy()
        return None

    def style_frame(self) -> pd.DataFrame:
        """The columns the style reads (derived ones included), without the geometry."""
        style = self.style
        names = [style.field, style.width_rule.field if style.width_rule else None]
        return _frame(self, [n for n in names if n])


def _frame(source: LayerSnapshot | MapLayer, names: Iterable[str]) -> pd.DataFrame:
    data = source.data
    out = {}
    for name in dict.fromkeys(names):
        col = source.column(name)
        if col is not None:
            out[name] = col
    return pd.DataFrame(out, index=data.index if data is not None else None)


@dataclass(frozen=True)
class IdIndex:
    """A layer's ids (``str``, None when missing) and a lookup id → row positions."""

    ids: np.ndarray  # object, one per row
    codes: np.ndarray  # int64 per row, -1 for no id
    uniques: pd.Index  # code -> id
    order: np.ndarray  # rows sorted by code
    start: np.ndarray  # (U + 1,) offsets into order per code

    @classmethod
    def build(cls, values: Iterable) -> IdIndex:
        return cls.from_ids(as_ids(values))

    @classmethod
    def from_ids(cls, ids: np.ndarray) -> IdIndex:
        """The index of ids already spelt as :func:`as_ids` spells them."""
        codes, uniques = pd.factorize(ids, use_na_sentinel=True)
        codes = codes.astype(np.int64)
        ok = codes >= 0
        order = np.flatnonzero(ok)[np.argsort(codes[ok], kind="stable")]
        counts = np.bincount(codes[ok], minlength=len(uniques))
        start = np.zeros(len(uniques) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        return cls(ids, codes, pd.Index(uniques, dtype=object), order, start)

    def rows(self, ids: Iterable) -> np.ndarray:
        """Row positions (ascending) of the features with these ids."""
        wanted = [str(i) for i in ids] if not isinstance(ids, str) else [ids]
        if not wanted or len(self.uniques) == 0:
            return np.empty(0, dtype=np.int64)
        found = self.uniques.get_indexer(wanted)
        found = np.unique(found[found >= 0])
        if len(found) < SMALL_LOOKUP:
            parts = [self.order[self.start[c] : self.start[c + 1]] for c in found.tolist()]
            return np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.codes, found))

    def first_row(self, fid: str) -> int | None:
        """The first row with id ``fid`` (None: no such feature)."""
        c = self.uniques.get_indexer([str(fid)])[0]
        if c < 0:
            return None
        return int(self.order[self.start[c] : self.start[c + 1]].min())


def as_ids(values: Iterable) -> np.ndarray:
    """Feature ids as a layer spells them: ``str`` per row, None where missing."""
    if isinstance(getattr(values, "dtype", None), pd.StringDtype):  # text by its type
        return np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)
    arr = np.asarray(values, dtype=object)
    ids = _text_ids(arr)
    if ids is None:
        listed = arr.tolist()
        ids = np.array([None if _missing(v) else str(v) for v in listed], dtype=object)
    return ids


def _text_ids(arr: np.ndarray) -> np.ndarray | None:
    """*arr* (object) as ids when every value is ``str`` or missing (None, NaN): a copy with
    None for the missing ones, checked in C (a million ids in milliseconds, where a Python
    loop takes a second); None when some value is not text (converted one by one)."""
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        return None
    ids = arr.copy()
    missing = pd.isna(ids)
    if missing.any():
        odd = [v for v in ids[missing].tolist() if v is not None and type(v) is not float]
        if odd:  # pd.NA and the like: spelt as before, one by one
            return None
        ids[missing] = None
    return ids


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def same_geometry(a, b) -> bool:
    """Whether two frames hold the very same geometry objects, row for row (an attribute
    edit copies the frame but keeps its shapely objects)."""
    if a is None or b is None or len(a) != len(b):
        return False
    if a is b:
        return True
    return same_objects(
        np.asarray(a.geometry.values, dtype=object), np.asarray(b.geometry.values, dtype=object)
    )


def same_objects(ga: np.ndarray, gb: np.ndarray) -> bool:
    """Whether two object arrays hold the very same objects, position for position."""
    if len(ga) != len(gb):
        return False
    ia, ib = ga.__array_interface__, gb.__array_interface__
    if (ia["data"], ia["strides"]) == (ib["data"], ib["strides"]):
        return True  # one array of objects (a frame completed around another's geometry)
    return all(map(operator.is_, ga.tolist(), gb.tolist()))  # no Python frame per row


# --- the layer ---------------------------------------------------------------------------------
class MapLayer:
    """One map layer: a GeoDataFrame in the project CRS plus how to draw it.

    Parameters
    ----------
    kind
        A layer kind from ``network.schema`` ("pipes", "manholes", ...) or any other name.
    data
        The GeoDataFrame (project CRS). Replace it with :meth:`set_data`, never in place.
    name
        Unique id on the canvas (default: ``kind``). ``title`` is the display name.
    geometry
        "line", "point" or "polygon" (default from the kind, else from the first geometry).
    derived
        Derived columns (name → array, one value per row), see the module docstring.

    Preparation (segments, index, batches) is lazy and thread-safe: the render worker does it.
    """

    def __init__(
        self,
        kind: str,
        data,
        name: str | None = None,
        title: str | None = None,
        style: Style | None = None,
        visible: bool = True,
        opacity: float = 1.0,
        label_field: str | None = None,
        geometry: str | None = None,
        language: str = "zh",
        derived: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.kind = kind
        self.name = name or kind
        self.title = title or schema.LAYER_LABELS_ZH.get(kind, self.name)
        self.geometry = geometry or schema.GEOMETRY_KIND.get(kind) or _guess_geometry(data)
        self.style = style or symbology.default_style(kind, language)
        self.visible = visible
        self.opacity = opacity
        self.label_field = label_field
        self._data = data
        self._version = 0
        self._geom_version = 0
        self._derived: dict[str, np.ndarray] = {}
        self._derived_version = 0
        self._lock = threading.RLock()
        self._geom: tuple[int, object] | None = None
        self._styled: tuple[tuple, object] | None = None
        self._ids: tuple[int, IdIndex] | None = None
        self._ids_building = threading.Lock()  # one build at a time: a second caller waits
        self._fids: tuple[int, np.ndarray] | None = None  # the ids alone, before an index
        # the frame's geometry column is empty: the geometry is the prepared one, read as
        # arrays (see :meth:`use_read_geometry`)
        self._geometry_read_apart = False
        self.read_from = None  # the project file the geometry was read apart from
        if derived:
            self.set_derived(derived)

    # data
    @property
    def data(self):
        return self._data

    def set_data(self, data, derived: Mapping[str, np.ndarray] | None = None) -> None:
        """Replace the GeoDataFrame (after an edit) and its derived columns (the old ones
        belong to the old rows). The geometry is prepared again only if it changed."""
        with self._lock:
            completed = False  # the frame completed around the geometry read apart
            if self._geometry_read_apart:
                completed = self._same_as_read_geometry(data)
                if not completed:
                    self._geom_version += 1
                self._geometry_read_apart = False
            elif not same_geometry(self._data, data):
                self._geom_version += 1
            old_ids = self._current_ids()
            self._data = data
            self._version += 1
            self._derived = self._checked(derived or {})
            self._derived_version += 1
            if completed and old_ids is not None:
                self._keep_ids(old_ids)

    def _current_ids(self) -> IdIndex | np.ndarray | None:
        """The id→row index (else the ids alone) of the current data, when made."""
        if self._ids is not None and self._ids[0] == self._version:
            return self._ids[1]
        if self._fids is not None and self._fids[0] == self._version:
            return self._fids[1]
        return None

    def _keep_ids(self, old: IdIndex | np.ndarray) -> None:
        """The frame completed around the map's frame has the same ids (the same rows of
        the same file): the ids and the index made for the map's frame (a trace while the
        attributes were read) stay, checked value by value, instead of being made again."""
        col = self.ids_column()
        ids = as_ids(self._data[col] if col is not None else self._data.index)
        old_ids = old.ids if isinstance(old, IdIndex) else old
        if len(ids) != len(old_ids) or not (ids == old_ids).all():
            return
        self._fids = (self._version, ids)
        if isinstance(old, IdIndex):
            self._ids = (self._version, IdIndex(ids, old.codes, old.uniques, old.order, old.start))

    def _same_as_read_geometry(self, data) -> bool:
        """Whether ``data`` holds the very geometry objects made from the geometry read as
        arrays (the frame completed around it: :meth:`geometry_objects`)."""
        geom = self._geom[1] if self._geom is not None else None
        made = geom.geoms_if_made() if geom is not None else None
        if made is None or data is None or len(data) != len(made):
            return False
        return same_objects(made, np.asarray(data.geometry.values, dtype=object))

    def use_read_geometry(self, geom) -> None:
        """The frame's geometry column is left empty (None): ``geom``, prepared straight from
        the file (e.g. :func:`line_geometry_from_wkb`), is the layer's geometry. Its shapely
        objects are made when first asked for (:meth:`geometry_objects`); a frame holding
        those very objects given to :meth:`set_data` keeps the prepared geometry."""
        with self._lock:
            self._geom = (self._geom_version, geom)
            self._geometry_read_apart = True

    @property
    def geometry_read_apart(self) -> bool:
        """The geometry is the prepared one alone (the frame's geometry column is empty)."""
        return self._geometry_read_apart

    def geometry_objects(self) -> np.ndarray:
        """The shapely geometry of every row: the frame's own, or (geometry read apart)
        those made from the geometry as read, once (any thread)."""
        with self._lock:
            apart, data = self._geometry_read_apart, self._data
            geom = self._geom[1] if self._geom is not None else None
        if apart and geom is not None:
            return geom.geoms
        return np.asarray(data.geometry.values, dtype=object)

    def set_derived(self, columns: Mapping[str, np.ndarray]) -> None:
        """Replace the derived columns (after a network build); the geometry stays prepared."""
        with self._lock:
            self._derived = self._checked(columns)
            self._derived_version += 1

    def _checked(self, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = 0 if self._data is None else len(self._data)
        out = {}
        for name, values in columns.items():
            arr = np.asarray(values)
            if len(arr) != n:
                raise ValueError(
                    f"Derived column {name!r} of layer {self.name!r} has {len(arr)} values "
                    f"for {n} rows; compute it from the layer's current frame."
                )
            out[name] = arr
        return out

    @property
    def derived(self) -> Mapping[str, np.ndarray]:
        """The derived columns (name → array)."""
        return dict(self._derived)

    @property
    def version(self) -> int:
        """Bumped by every :meth:`set_data` (ids, attributes)."""
        return self._version

    @property
    def derived_version(self) -> int:
        """Bumped whenever the derived columns are replaced."""
        return self._derived_version

    @property
    def geometry_version(self) -> int:
        """Bumped when the geometry changes (prepared arrays and spatial index)."""
        return self._geom_version

    def column(self, name: str) -> np.ndarray | None:
        """A derived column, else a column of the data, else None."""
        if name in self._derived:
            return self._derived[name]
        if self._data is not None and name in self._data.columns:
            return self._data[name].to_numpy()
        return None

    def field_names(self) -> list[str]:
        """Attribute columns (not the geometry), then the derived columns."""
        data = self._data
        geom = data.geometry.name if hasattr(data, "geometry") else None
        names = [c for c in data.columns if c != geom]
        return names + [c for c in self._derived if c not in names]

    def attributes(self, names: Iterable[str] | None = None) -> pd.DataFrame:
        """The named columns (default: all fields) as a frame without the geometry."""
        return _frame(self, self.field_names() if names is None else names)

    def snapshot(self) -> LayerSnapshot:
        with self._lock:
            return LayerSnapshot(
                self,
                self._data,
                self._version,
                self.style,
                self.visible,
                float(self.opacity),
                self.label_field,
                self._geom_version,
                self._derived,
                self._derived_version,
            )

    def extent(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the data (NaNs when empty)."""
        data = self._data
        if data is None or len(data) == 0:
            return (math.nan,) * 4
        if self._geometry_read_apart:
            return tuple(float(v) for v in self.prepared_geometry().total_bounds)
        return tuple(float(v) for v in data.total_bounds)

    def ids_column(self) -> str | None:
        col = schema.ID_COLUMN.get(self.kind)
        return col if col is not None and col in self._data.columns else None

    # the id -> row index
    def id_index(self) -> IdIndex:
        """The layer's one id→row index (built once per data version)."""
        with self._lock:
            version, data = self._version, self._data
            if self._ids is not None and self._ids[0] == version:
                return self._ids[1]
        with self._ids_building:  # a warm-up thread may be making this very index
            with self._lock:
                version, data = self._version, self._data
                if self._ids is not None and self._ids[0] == version:
                    return self._ids[1]
            fids = self._fids
            if fids is not None and fids[0] == version:
                index = IdIndex.from_ids(fids[1])
            else:
                col = self.ids_column()
                index = IdIndex.build(data[col] if col is not None else data.index)
            with self._lock:
                if version == self._version:
                    self._ids = (version, index)
        return index

    def feature_ids(self) -> np.ndarray:
        """The id of every row (the kind's id column, else the index) as ``str`` or None.

        Made without the id→row index when that is not built yet (a tenth of its cost at a
        million rows): highlighting rows needs the ids, not the look-up."""
        with self._lock:
            version, data = self._version, self._data
            if self._ids is not None and self._ids[0] == version:
                return self._ids[1].ids
            if self._fids is not None and self._fids[0] == version:
                return self._fids[1]
        col = self.ids_column()
        ids = as_ids(data[col] if col is not None else data.index)
        with self._lock:
            if version == self._version:
                self._fids = (version, ids)
        return ids

    def rows_of(self, ids: Iterable) -> np.ndarray:
        """Row positions (ascending) of the features with these ids."""
        return self.id_index().rows(ids)

    # preparation (any thread)
    def prepared_geometry(self, snap: LayerSnapshot | None = None):
        """Segments / points / rings and the spatial index, once per geometry change."""
        snap = snap or self.snapshot()
        with self._lock:
            if self._geom is not None and self._geom[0] == snap.geometry_version:
                return self._geom[1]
        geoms = np.asarray(snap.data.geometry.values, dtype=object)
        if self.geometry == "line":
            geom = LineGeometry.build(geoms)
        elif self.geometry == "polygon":
            geom = PolygonGeometry.build(geoms)
        else:
            geom = PointGeometry.build(geoms)
        with self._lock:
            if snap.geometry_version == self._geom_version:
                self._geom = (snap.geometry_version, geom)
        return geom

    def use_prepared_geometry(self, geom) -> None:
        """Adopt geometry already prepared for the current data (e.g. a subset of another
        layer's arrays), instead of preparing it from the frame."""
        with self._lock:
            self._geom = (self._geom_version, geom)

    def spatial_index(self) -> shapely.STRtree:
        """The layer's one spatial index (positions are rows of :attr:`data`)."""
        return self.prepared_geometry().tree()

    def prepared_style(self, snap: LayerSnapshot | None = None):
        """Class codes per feature (points/polygons) or :class:`LineBatches` (lines)."""
        snap = snap or self.snapshot()
        key = (snap.version, snap.derived_version, snap.geometry_version, snap.style)
        with self._lock:
            if self._styled is not None and self._styled[0] == key:
                return self._styled[1]
        geom = self.prepared_geometry(snap)
        style = snap.style
        frame = _categorised(style, snap.style_frame())
        codes = symbology.classify(style, frame)
        hidden = np.array([style.symbol(c) is None for c in range(style.n_symbols)])
        if self.geometry == "line":
            keys = line_batch_keys(style, codes, symbology.width_classes(style, frame))
            keys[hidden[codes]] = -1
            styled = LineBatches.build(geom, keys, _flow_forward(snap))
        else:
            codes = codes.astype(np.int64)
            codes[hidden[codes]] = -1
            styled = codes
        with self._lock:
            if key[:3] == (self._version, self._derived_version, self._geom_version):
                self._styled = (key, styled)
        return styled

    def prepare(self) -> None:
        """Build all caches now (e.g. in a worker before the first render)."""
        self.prepared_style()

    def memory_bytes(self) -> int:
        """Bytes held by the prepared arrays (not the GeoDataFrame)."""
        total = 0
        for obj in (
            self._geom[1] if self._geom else None,
            self._styled[1] if self._styled else None,
        ):
            if obj is None:
                continue
            if isinstance(obj, np.ndarray):
                total += obj.nbytes
                continue
            for value in vars(obj).values():
                if isinstance(value, np.ndarray) and value.dtype != object:
                    total += value.nbytes
                elif isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
                    total += sum(v.nbytes for v in value)
        return total

    def __repr__(self) -> str:
        return f"MapLayer({self.kind!r}, name={self.name!r}, n={len(self._data)})"


def line_batch_keys(style: Style, codes: np.ndarray, wcodes: np.ndarray) -> np.ndarray:
    """Batch key per line feature, ordered so that thin lines are drawn first (missing
    widths first of all) and wide ones (trunks) on top; then by class."""
    worder = np.where(wcodes >= style.n_widths, 0, wcodes + 1).astype(np.int64)
    return worder * style.n_symbols + codes.astype(np.int64)


def line_batch_symbol(style: Style, key: int) -> Symbol | None:
    """The symbol of a batch key from :func:`line_batch_keys`."""
    worder, code = divmod(int(key), style.n_symbols)
    return style.symbol(code, style.n_widths if worder == 0 else worder - 1)


def _categorised(style: Style, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the class column of a categorised style as categories: classifying
    then looks each distinct value up once (a tenth of the time at a million rows), with
    the same codes."""
    if style.kind != symbology.CATEGORIZED or style.field not in frame.columns:
        return frame
    col = frame[style.field]
    if col.dtype != object and not isinstance(col.dtype, pd.StringDtype):
        return frame
    return frame.assign(**{style.field: col.astype("category")})


def _guess_geometry(data) -> str:
    if data is None or len(data) == 0:
        return "line"
    t = data.geometry.iloc[0].geom_type
    return {
        "Point": "point",
        "MultiPoint": "point",
        "Polygon": "polygon",
        "MultiPolygon": "polygon",
    }.get(t, "line")


def _flow_forward(snap: LayerSnapshot) -> np.ndarray:
    """Per feature: does the flow run in digitised order (the arrows' direction)?"""
    col = snap.column(symbology.FLOW_FORWARD)
    if col is not None:
        col = pd.Series(col)
        return ~(col.notna() & (col.astype(object) == False)).to_numpy(dtype=bool)  # noqa: E712
    col = snap.column(schema.FLOW_DIR)
    if col is not None:
        return (pd.Series(col).astype(object) != "reverse").to_numpy(dtype=bool)
    return np.ones(len(snap.data), dtype=bool)


def layers_from_project(layers: dict, language: str = "zh") -> list[MapLayer]:
    """Map layers with default styles for a ``Project.layers`` dict, in drawing order
    (bottom first: zones, boundary, pipes, manholes, plants, enterprises, outfalls)."""
    order = [k for k in symbology.DRAW_ORDER if k in layers]
    order += [k for k in layers if k not in order]
    return [MapLayer(kind, layers[kind], language=language) for kind in order]


# --- reading a project for the map first -------------------------------------------------------
def draw_columns(kind: str) -> list[str]:
    """The columns drawing ``kind`` reads besides the geometry: its id (picking, highlights),
    the default style's class and width fields, and the pipes' ``flow_dir`` (arrows until the
    network is ready)."""
    style = symbology.default_style(kind)
    names = [
        schema.ID_COLUMN.get(kind),
        style.field,
        style.width_rule.field if style.width_rule else None,
        schema.FLOW_DIR if kind == schema.PIPES else None,
    ]
    return [n for n in dict.fromkeys(names) if n]


def read_draw_frame(path, kind: str, crs):
    """Layer ``kind`` of the project at ``path`` with only the geometry and
    :func:`draw_columns` (what the map needs), typed as :func:`open_project` types it."""
    import pyogrio

    from network.io.project import conform_layer

    fields = set(pyogrio.read_info(path, layer=kind)["fields"].tolist())
    cols = [c for c in draw_columns(kind) if c in fields]
    gdf = pyogrio.read_dataframe(path, layer=kind, columns=cols, use_arrow=True)
    return conform_layer(gdf.set_crs(crs, allow_override=True), kind)


def read_draw_layer(path, kind: str, crs) -> MapLayer:
    """A map layer of layer ``kind`` of the project at ``path`` with only what drawing it
    needs: :func:`draw_columns`, typed as :func:`open_project` types them, and the geometry.

    Points and lines come straight from their WKB into the prepared arrays, with no shapely
    object (the frame's geometry column stays empty: :meth:`MapLayer.use_read_geometry`;
    the objects are made from the WKB later, for the whole frame); other geometry (polygons,
    multi-part, 3-D, missing) is read into shapely objects as the project reader does."""
    import geopandas as gpd
    import pyogrio

    kind_geometry = schema.GEOMETRY_KIND.get(kind)
    if kind_geometry not in ("line", "point"):
        return MapLayer(kind, read_draw_frame(path, kind, crs))
    fields = set(pyogrio.read_info(path, layer=kind)["fields"].tolist())
    cols = [c for c in draw_columns(kind) if c in fields]
    meta, table = pyogrio.read_arrow(path, layer=kind, columns=cols)
    name = meta["geometry_name"] or "wkb_geometry"
    wkb = table.column(name)
    read = line_geometry_from_wkb if kind_geometry == "line" else point_geometry_from_wkb
    geom = read(wkb)
    attrs = table.drop_columns([name]).to_pandas()
    del table
    empty = np.full(len(attrs), None, dtype=object)
    gdf = gpd.GeoDataFrame(
        attrs, geometry=_wkb_geometries(wkb) if geom is None else empty, crs=crs
    )
    layer = MapLayer(kind, _conform_for_drawing(gdf, kind))
    if geom is not None:
        layer.use_read_geometry(geom)
        layer.read_from = path
    return layer


def _conform_for_drawing(gdf, kind: str):
    """:func:`network.io.project.conform_layer`, except that text columns read as Arrow
    strings stay so: the map reads the same values from them, where making a million Python
    ``str`` takes a second (the whole frame, conformed, comes with the attributes)."""
    from network.io.project import conform_layer

    roles = schema.ROLE_ALIASES.get(kind, {})
    geom = gdf.geometry.name
    keep = [
        c
        for c in gdf.columns
        if c != geom
        and isinstance(gdf[c].dtype, pd.StringDtype)
        and roles.get(c, ("text",))[0] not in ("float", "capacity", "bool")
    ]
    if not keep:
        return conform_layer(gdf, kind)
    out = conform_layer(gdf.drop(columns=keep), kind)
    order = [c for c in gdf.columns if c != geom] + [geom]
    return out.assign(**{c: gdf[c] for c in keep})[order]


def complete_frame(path, kind: str, draw_frame, geometry=None):
    """The whole layer (every attribute, as :func:`network.io.project.open_project` reads
    it) around the geometry objects of ``draw_frame`` (or ``geometry``, one object per row:
    :meth:`MapLayer.geometry_objects`), so the prepared geometry stays valid."""
    import geopandas as gpd
    import pyogrio

    from network.io.project import conform_layer

    attrs = pyogrio.read_dataframe(path, layer=kind, read_geometry=False, use_arrow=True)
    if len(attrs) != len(draw_frame):
        raise ValueError(f"layer {kind} changed while it was read ({path})")
    geoms = draw_frame.geometry.array if geometry is None else geometry
    gdf = gpd.GeoDataFrame(attrs, geometry=geoms, crs=draw_frame.crs)
    return conform_layer(gdf, kind)
