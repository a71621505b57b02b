"""Undoable edits of the network layers: plain command objects with ``do()`` and ``undo()``.

Every command works on a :class:`LayerStore` (``get(kind)`` / ``set(kind, gdf)``) and never
mutates a GeoDataFrame in place: it builds a new frame and hands it to ``set``. A command
keeps ids, positions and values only (never widgets and never whole frames): the first
``do()`` plans a :class:`LayerDelta` per touched layer (cells changed, rows removed, rows
appended) and applies it; ``undo()`` reverts the deltas exactly (same values, dtypes, column
order and index), and a later ``do()`` re-applies them. The Qt adapter is
``gisapp.qt.undo.QtCommand``.

Identity of features: commands take the feature id (``pipe_id``, ``node_id`` …) and an
optional ``row`` (position in the layer) for the rare layers where an id is used twice
(a duplicated pipe). Ids of new features are generated from the series already in use
(``WS-0724`` after ``WS-0723``; see :func:`next_feature_id`).

Splitting a pipe (:class:`SplitPipeAtManhole`): the part from the pipe's digitised start to
the manhole keeps the original row and id (so survey records and ledger entries that name the
pipe still find it); the other part is a new row with the next free id of the same series.
Both parts carry the original attributes, the split manhole as their shared end node, and
inverts interpolated linearly by length; ``edit_note`` says where each part came from.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> mh = gpd.GeoDataFrame({"node_id": ["WJ-0001"], "system": ["sewage"]},
...                       geometry=[Point(0, 0)], crs="EPSG:4525")
>>> store = DictStore({"manholes": mh})
>>> cmd = AddManhole(store, 10.0, 0.0, system="sewage")
>>> cmd.do()
>>> store.get("manholes")["node_id"].tolist()
['WJ-0001', 'WJ-0002']
>>> cmd.undo()
>>> store.get("manholes")["node_id"].tolist()
['WJ-0001']
"""

from __future__ import annotations

import contextlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point

from network import schema as S
from network.errors import NetworkError, UnknownIdError
from network.graph import crs_unit_m

EDIT_NOTE = "edit_note"  # a short record of what an edit did to a feature
DRAWN_SRC_FID = -1  # src_fid of features drawn in PipeAtlas (they come from no source file)
PIPE_ID_PREFIXES = {S.SEWAGE: "WS", S.RAIN: "YS", S.COMBINED: "HS", S.INDUSTRIAL: "GS"}
NODE_ID_PREFIXES = {S.SEWAGE: "WJ", S.RAIN: "YJ", S.COMBINED: "HJ", S.INDUSTRIAL: "GJ"}
START, END = "start", "end"  # the digitised ends of a line
_ID_RE = re.compile(r"^(.*?)(\d+)$")


class EditError(NetworkError):
    """An edit cannot be made (unknown feature, manhole not on the pipe …)."""


class LayerStore(Protocol):
    """Where commands read and write layers. ``set`` replaces; frames are never mutated."""

    def get(self, kind: str) -> gpd.GeoDataFrame:
        """Return the layer of ``kind``."""
        ...

    def set(self, kind: str, gdf: gpd.GeoDataFrame) -> None:
        """Replace the layer of ``kind``."""
        ...


class DictStore:
    """A :class:`LayerStore` over a plain dict of layers (tests, notebooks, the CLI).

    Parameters
    ----------
    layers : dict
        Layer kind -> GeoDataFrame; the dict itself is updated by ``set``.
    crs : optional
        CRS for layers that do not exist yet (default: that of any existing layer).
    """

    def __init__(self, layers: dict[str, gpd.GeoDataFrame], crs: Any = None) -> None:
        self.layers = layers
        self.crs = crs

    def get(self, kind: str) -> gpd.GeoDataFrame:
        """Return the layer of ``kind`` (an empty canonical frame when absent)."""
        if kind in self.layers:
            return self.layers[kind]
        from network.io.read import empty_layer

        crs = self.crs or next((g.crs for g in self.layers.values() if g.crs), None)
        return empty_layer(kind, crs)

    def set(self, kind: str, gdf: gpd.GeoDataFrame) -> None:
        """Replace the layer of ``kind``."""
        self.layers[kind] = gdf


# --------------------------------------------------------------------------------------------
# the reversible change of one layer
# --------------------------------------------------------------------------------------------
@dataclass
class LayerDelta:
    """Cells changed, rows removed and rows appended in one layer, reversible exactly.

    Positions are row positions in the frame *before* the change. Plan it against the frame
    it will be applied to; :meth:`apply` then :meth:`revert` gives back an equal frame.
    """

    kind: str
    updates: dict[str, tuple[np.ndarray, list, list]] = field(default_factory=dict)
    delete: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    append: gpd.GeoDataFrame | None = None
    _removed: gpd.GeoDataFrame | None = field(default=None, repr=False)
    _columns: list | None = field(default=None, repr=False)
    _dtypes: dict | None = field(default=None, repr=False)
    _index: pd.Index | None = field(default=None, repr=False)

    def set_cells(
        self, frame: pd.DataFrame, positions: Sequence[int], column: str, values: Sequence[Any]
    ) -> None:
        """Plan ``frame[column].iloc[positions] = values`` (old values read from ``frame``)."""
        pos = np.asarray(positions, dtype=np.int64)
        if column in self.updates:  # merge with an earlier plan for the same column
            old_pos, old_old, old_new = self.updates[column]
            merged = dict(zip(old_pos.tolist(), old_new, strict=True))
            merged.update(zip(pos.tolist(), values, strict=True))
            olds = dict(zip(old_pos.tolist(), old_old, strict=True))
            keys = sorted(merged)
            before = (
                frame[column].iloc[[k for k in keys if k not in olds]].tolist()
                if column in frame.columns
                else [None] * len(keys)
            )
            it = iter(before)
            old = [olds[k] if k in olds else next(it) for k in keys]
            self.updates[column] = (np.asarray(keys, np.int64), old, [merged[k] for k in keys])
            return
        old = frame[column].iloc[pos].tolist() if column in frame.columns else [None] * len(pos)
        self.updates[column] = (pos, old, list(values))

    def apply(self, before: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the changed copy of ``before``."""
        self._columns = list(before.columns)
        self._dtypes = before.dtypes.to_dict()
        self._index = before.index
        f = before.copy()
        for col, (pos, _old, new) in self.updates.items():
            _set_cells(f, pos, col, new)
        if len(self.delete):
            self._removed = f.iloc[self.delete]
            f = f.iloc[np.setdiff1d(np.arange(len(f)), self.delete)]
        if self.append is not None and len(self.append):
            f = _append_rows(f, self.append)
        if isinstance(before.index, pd.RangeIndex):
            f = f.reset_index(drop=True)
        return f

    def revert(self, after: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the frame :meth:`apply` was given, from what it returned."""
        assert self._columns is not None and self._index is not None and self._dtypes
        n_app = len(self.append) if self.append is not None else 0
        f = after.iloc[: len(after) - n_app]
        if len(self.delete):
            n_before = len(f) + len(self.delete)
            kept = np.setdiff1d(np.arange(n_before), self.delete)
            f.index = pd.RangeIndex(len(f))
            removed = self._removed.copy()
            removed.index = pd.RangeIndex(len(f), n_before)
            combined = pd.concat([f, removed])
            f = combined.iloc[np.argsort(np.concatenate([kept, self.delete]), kind="stable")]
        f = f.copy()
        for col, (pos, old, _new) in self.updates.items():
            if col in self._columns:
                _set_cells(f, pos, col, old)
        f = f[self._columns]
        geom = f.geometry.name
        for col, dtype in self._dtypes.items():
            if col != geom and f[col].dtype != dtype:
                f[col] = f[col].astype(dtype)
        f.index = self._index
        return f


def _coerce(value: Any, dtype: Any) -> Any:
    """``value`` in a form a column of ``dtype`` accepts (raises if it cannot)."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        if missing:
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if pd.api.types.is_bool_dtype(dtype):
        if missing:
            raise TypeError("missing value in a bool column")
        return bool(value)
    if pd.api.types.is_integer_dtype(dtype):
        if missing:
            if isinstance(dtype, pd.api.extensions.ExtensionDtype):
                return pd.NA
            raise TypeError("missing value in an integer column")
        v = float(value)
        if not v.is_integer():
            raise TypeError(f"{value!r} is not an integer")
        return int(v)
    if pd.api.types.is_float_dtype(dtype):
        return np.nan if missing else float(value)
    return None if missing and not isinstance(value, float) else value


def _set_cells(f: pd.DataFrame, pos: np.ndarray, column: str, values: Sequence[Any]) -> None:
    """Set cells of a private frame, keeping the column's dtype where the values allow."""
    if column not in f.columns:
        numeric = all(
            v is None or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
            for v in values
        ) and any(v is not None for v in values)
        f[column] = (
            np.full(len(f), np.nan)
            if numeric
            else pd.Series([None] * len(f), index=f.index, dtype=object)
        )
    if isinstance(f, gpd.GeoDataFrame) and column == f.geometry.name:
        arr = f.geometry.array.copy()
        arr[pos] = list(values)
        f[column] = gpd.GeoSeries(arr, index=f.index, crs=f.crs)
        return
    s = f[column]
    try:
        coerced: Any = [_coerce(v, s.dtype) for v in values]
        if isinstance(s.dtype, np.dtype) and s.dtype != object:
            coerced = np.asarray(coerced, dtype=s.dtype)
        arr = s.array.copy()
        arr[pos] = coerced
        f[column] = pd.Series(arr, index=f.index, name=column)
    except (TypeError, ValueError):
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            try:
                out = s.to_numpy(dtype=float, na_value=np.nan, copy=True)
                out[pos] = [np.nan if v is None else float(v) for v in values]
                f[column] = pd.Series(out, index=f.index, name=column)
                return
            except (TypeError, ValueError):
                pass
        obj = s.astype(object).to_numpy(copy=True)
        obj[pos] = list(values)
        f[column] = pd.Series(obj, index=f.index, name=column, dtype=object)


def _append_rows(f: gpd.GeoDataFrame, rows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = rows.copy()
    geom = f.geometry.name
    if rows.geometry.name != geom:
        rows = rows.rename_geometry(geom)
    for col in f.columns:
        if col == geom:
            continue
        if col not in rows.columns:
            rows[col] = np.nan if pd.api.types.is_numeric_dtype(f[col].dtype) else None
        # else the column widens (e.g. an int column gets a missing value)
        with contextlib.suppress(TypeError, ValueError):
            rows[col] = pd.Series(
                [_coerce(v, f[col].dtype) for v in rows[col].tolist()],
                index=rows.index,
                dtype=f[col].dtype,
            )
    extra = [c for c in rows.columns if c not in f.columns]
    rows = rows[[*f.columns, *extra]]
    if rows.crs is None and f.crs is not None:
        rows = rows.set_crs(f.crs)
    if isinstance(f.index, pd.RangeIndex) or not len(f):
        return pd.concat([f, rows], ignore_index=True)
    try:
        start = int(np.nanmax(np.asarray(f.index, dtype=float))) + 1
        rows.index = pd.RangeIndex(start, start + len(rows))
        return pd.concat([f, rows])
    except (TypeError, ValueError):
        return pd.concat([f, rows], ignore_index=True)


# --------------------------------------------------------------------------------------------
# small helpers on frames
# --------------------------------------------------------------------------------------------
def find_rows(gdf: gpd.GeoDataFrame, kind: str, feature_id: str) -> np.ndarray:
    """Row positions whose id column equals ``feature_id``."""
    col = S.ID_COLUMN[kind]
    if col not in gdf.columns or not len(gdf):
        return np.empty(0, np.int64)
    ids = np.asarray(gdf[col].astype(object).where(gdf[col].notna(), None), dtype=object)
    return np.flatnonzero(ids == str(feature_id))


def feature_row(gdf: gpd.GeoDataFrame, kind: str, feature_id: str, row: int | None = None) -> int:
    """The position of one feature; ``row`` picks among features sharing an id.

    Raises
    ------
    UnknownIdError
        No feature has that id (or ``row`` is not one of them).
    """
    rows = find_rows(gdf, kind, feature_id)
    if row is not None:
        if row in rows.tolist():
            return int(row)
        raise UnknownIdError(
            f"Row {row} of layer {kind} is not {feature_id!r} (that id is at rows "
            f"{rows.tolist()}).",
            layer=kind,
            feature=str(feature_id),
        )
    if not len(rows):
        raise UnknownIdError(
            f"Layer {kind} has no feature {feature_id!r}.", layer=kind, feature=str(feature_id)
        )
    return int(rows[0])


def _value(gdf: pd.DataFrame, column: str, pos: int) -> Any:
    if column not in gdf.columns:
        return None
    v = gdf[column].iloc[pos]
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v.item() if isinstance(v, np.generic) else v


def _id_str(v: Any) -> str | None:
    return None if v is None else str(v).strip() or None


def next_feature_id(
    existing: Iterable[Any], like: Iterable[Any] = (), default_prefix: str = "WS-", width: int = 4
) -> str:
    """The next free id in the series of ``like`` (else ``default_prefix``).

    Parameters
    ----------
    existing : all ids in use (the new id avoids them)
    like : ids whose pattern the new id follows (e.g. the pipes of the same system)
    default_prefix, width : the pattern when ``like`` has no numbered ids

    Examples
    --------
    >>> next_feature_id(["WS-0001", "WS-0009", "YS-0100"], ["WS-0001", "WS-0009"])
    'WS-0010'
    >>> next_feature_id([], [], "YJ-")
    'YJ-0001'
    """
    existing = {str(v) for v in existing if v is not None and str(v) != "nan"}
    pats = Counter()
    for v in like:
        if v is None:
            continue
        m = _ID_RE.match(str(v))
        if m:
            pats[(m.group(1), len(m.group(2)))] += 1
    prefix, width = pats.most_common(1)[0][0] if pats else (default_prefix, width)
    top = 0
    for v in existing:
        if v.startswith(prefix):
            rest = v[len(prefix) :]
            if rest.isdigit():
                top = max(top, int(rest))
    n = top + 1
    while f"{prefix}{n:0{width}d}" in existing:
        n += 1
    return f"{prefix}{n:0{width}d}"


def new_pipe_id(pipes: gpd.GeoDataFrame, system: str | None) -> str:
    """The next pipe id of the series used by pipes of ``system`` (``WS-…`` for sewage)."""
    ids = pipes[S.PIPE_ID].tolist() if S.PIPE_ID in pipes.columns else []
    like = ids
    if system and S.SYSTEM in pipes.columns:
        like = pipes.loc[pipes[S.SYSTEM].astype(object) == system, S.PIPE_ID].tolist()
    prefix = PIPE_ID_PREFIXES.get(system or "", "GX") + "-"
    return next_feature_id(ids, like, prefix)


def new_node_id(manholes: gpd.GeoDataFrame, system: str | None, taken: Iterable[str] = ()) -> str:
    """The next manhole id of the series used by manholes of ``system`` (``WJ-…``).

    ``taken`` adds ids to avoid (ids handed out for manholes not added yet).
    """
    ids = manholes[S.NODE_ID].tolist() if S.NODE_ID in manholes.columns else []
    ids = [*ids, *taken]
    like = ids
    if system and S.SYSTEM in manholes.columns:
        like = manholes.loc[manholes[S.SYSTEM].astype(object) == system, S.NODE_ID].tolist()
    prefix = NODE_ID_PREFIXES.get(system or "", "J") + "-"
    return next_feature_id(ids, like, prefix)


def mirror_values(
    values: Mapping[str, Any], field_map: Mapping[str, str | None] | None
) -> dict[str, Any]:
    """Canonical values plus the same values under the source's original column names.

    ``field_map`` maps canonical -> original column (``Project.mapping[kind][0]``); systems
    are written with their Chinese label (``sewage`` -> ``污水``).
    """
    out = dict(values)
    for canon, v in values.items():
        orig = (field_map or {}).get(canon)
        if orig and orig not in values:
            out[orig] = S.SYSTEM_LABELS_ZH.get(v, v) if canon == S.SYSTEM else v
    return out


def _manhole_xy(manholes: gpd.GeoDataFrame, node_id: str) -> tuple[float, float] | None:
    rows = find_rows(manholes, S.MANHOLES, node_id)
    if not len(rows):
        return None
    g = manholes.geometry.iloc[int(rows[0])]
    if g is None or g.is_empty:
        return None
    c = g if g.geom_type == "Point" else g.centroid
    return (float(c.x), float(c.y))


def fields_reversed(pipes: gpd.GeoDataFrame, pos: int, manholes: gpd.GeoDataFrame | None) -> bool:
    """True when the pipe's from/to fields name its digitised end/start (drawn backwards).

    Decided from where the named manholes lie; False when that cannot be told.
    """
    line = pipes.geometry.iloc[pos]
    if manholes is None or line is None or line.is_empty or line.geom_type != "LineString":
        return False
    a, b = line.coords[0], line.coords[-1]
    f, t = _id_str(_value(pipes, S.FROM_NODE, pos)), _id_str(_value(pipes, S.TO_NODE, pos))
    fwd = rev = 0.0
    known = False
    for nid, same, other in ((f, a, b), (t, b, a)):
        xy = _manhole_xy(manholes, nid) if nid else None
        if xy is None:
            continue
        known = True
        fwd += math.dist(xy, same)
        rev += math.dist(xy, other)
    return known and rev < fwd


def _end_field(
    pipes: gpd.GeoDataFrame, pos: int, end: str, manholes: gpd.GeoDataFrame | None
) -> tuple[str, str]:
    """(node field, invert field) of a digitised end."""
    start_is_from = not fields_reversed(pipes, pos, manholes)
    if (end == START) == start_is_from:
        return S.FROM_NODE, S.FROM_INVERT_M
    return S.TO_NODE, S.TO_INVERT_M


def _length_m(geom: Any, crs: Any) -> float:
    return float(shapely.length(geom)) * crs_unit_m(crs)


def _maybe(store: LayerStore, kind: str) -> gpd.GeoDataFrame | None:
    try:
        gdf = store.get(kind)
    except KeyError:
        return None
    return gdf if gdf is not None and len(gdf) else None


# --------------------------------------------------------------------------------------------
# snapping (what a drawing tool snaps to)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SnapTarget:
    """A point a new vertex snaps to: a manhole or a pipe end."""

    kind: str  # "manhole" or "pipe_end"
    feature_id: str  # the manhole id, or the pipe id
    x: float
    y: float
    node_id: str | None  # the node there (a manhole id, or the pipe's from/to field)
    end: str | None = None  # for a pipe end: "start" or "end"
    distance: float = 0.0


class SnapIndex:
    """Manholes and pipe ends in KD-trees, for snapping while drawing.

    Build it again when a layer changes (it is cheap: one pass over the ends).
    """

    def __init__(self, pipes: gpd.GeoDataFrame | None, manholes: gpd.GeoDataFrame | None) -> None:
        self._mh_ids: list[Any] = []
        self._mh_tree = None
        if manholes is not None and len(manholes):
            geoms = np.asarray(manholes.geometry.array, dtype=object)
            ok = ~(pd.isna(geoms) | shapely.is_empty(geoms))
            xy = shapely.get_coordinates(shapely.centroid(geoms[ok]))[:, :2]
            ids = (
                manholes[S.NODE_ID].astype(object).to_numpy()[ok]
                if S.NODE_ID in manholes.columns
                else np.arange(len(manholes))[ok]
            )
            self._mh_xy, self._mh_ids = xy, ids.tolist()
            self._mh_tree = cKDTree(xy) if len(xy) else None
        self._end_tree = None
        if pipes is not None and len(pipes):
            geoms = np.asarray(pipes.geometry.array, dtype=object)
            ok = ~(pd.isna(geoms) | shapely.is_empty(geoms))
            ok &= np.isin(shapely.get_type_id(geoms), (1, 2))
            rows = np.flatnonzero(ok)
            g = geoms[rows]
            n = shapely.get_num_coordinates(g)
            coords = shapely.get_coordinates(g)
            last = np.cumsum(n) - 1
            first = last - n + 1
            self._end_xy = np.vstack([coords[first], coords[last]])
            self._end_row = np.concatenate([rows, rows])
            self._end_side = np.array([START] * len(rows) + [END] * len(rows), dtype=object)
            self._pipes = pipes
            self._end_tree = cKDTree(self._end_xy) if len(self._end_xy) else None

    def snap(
        self, x: float, y: float, radius: float, exclude_pipe_rows: Iterable[int] = ()
    ) -> SnapTarget | None:
        """The nearest manhole within ``radius``, else the nearest pipe end, else None."""
        if self._mh_tree is not None:
            d, i = self._mh_tree.query((x, y), distance_upper_bound=radius)
            if np.isfinite(d):
                mx, my = self._mh_xy[i]
                nid = _id_str(self._mh_ids[i])
                return SnapTarget(
                    "manhole", str(nid), float(mx), float(my), nid, distance=float(d)
                )
        if self._end_tree is not None:
            excl = set(exclude_pipe_rows)
            for j in self._end_tree.query_ball_point((x, y), radius, return_sorted=True):
                row = int(self._end_row[j])
                if row in excl:
                    continue
                side = str(self._end_side[j])
                ex, ey = self._end_xy[j]
                field_ = S.FROM_NODE if side == START else S.TO_NODE
                return SnapTarget(
                    "pipe_end",
                    str(_id_str(_value(self._pipes, S.PIPE_ID, row))),
                    float(ex),
                    float(ey),
                    _id_str(_value(self._pipes, field_, row)),
                    end=side,
                    distance=float(math.hypot(ex - x, ey - y)),
                )
        return None


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------
@dataclass
class LayerCommand:
    """Base of the edit commands: plan deltas on the first ``do()``, then apply/revert them."""

    store: LayerStore
    label: str = field(default="Edit", init=False)
    _deltas: list[LayerDelta] | None = field(default=None, init=False, repr=False)

    def plan(self) -> list[LayerDelta]:  # pragma: no cover - abstract
        """Return the deltas of this edit, planned against the store's current layers."""
        raise NotImplementedError

    def do(self) -> None:
        """Apply the edit (plans it the first time; raises before changing anything)."""
        if self._deltas is None:
            self._deltas = self.plan()
        for d in self._deltas:
            self.store.set(d.kind, d.apply(self.store.get(d.kind)))

    def undo(self) -> None:
        """Revert the edit exactly."""
        for d in reversed(self._deltas or []):
            self.store.set(d.kind, d.revert(self.store.get(d.kind)))

    @property
    def kinds(self) -> tuple[str, ...]:
        """Layer kinds this edit touches (after the first ``do()``)."""
        return tuple(d.kind for d in self._deltas or ())


@dataclass
class AddPipe(LayerCommand):
    """Add a pipe drawn through ``coords``; canonical columns are filled.

    ``pipe_id`` is generated when None (next id of the system's series); ``from_node`` /
    ``to_node`` name the manholes the ends snapped to (digitised order = flow direction);
    ``length_m`` is computed; ``attributes`` adds other columns; ``field_map``
    (canonical -> original column) mirrors the values into the source's original columns.
    """

    coords: Sequence[tuple[float, float]] = ()
    system: str | None = S.SEWAGE
    diameter_mm: float | None = None
    from_node: str | None = None
    to_node: str | None = None
    pipe_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    field_map: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        self.label = "Add pipe"

    def plan(self) -> list[LayerDelta]:
        """Plan the new row."""
        coords = [(float(x), float(y)) for x, y in self.coords]
        if len(coords) < 2 or LineString(coords).length == 0:
            raise EditError(
                f"A pipe needs at least two different points; got {len(coords)} point(s).",
                layer=S.PIPES,
            )
        pipes = self.store.get(S.PIPES)
        if self.system is not None and self.system not in S.SYSTEM_VALUES:
            raise EditError(
                f"Unknown system {self.system!r}; expected one of {list(S.SYSTEM_VALUES)}.",
                layer=S.PIPES,
                field=S.SYSTEM,
            )
        pid = self.pipe_id or new_pipe_id(pipes, self.system)
        self.pipe_id = pid
        geom = LineString(coords)
        values = {
            S.PIPE_ID: pid,
            S.FROM_NODE: self.from_node,
            S.TO_NODE: self.to_node,
            S.SYSTEM: self.system,
            S.DIAMETER_MM: None if self.diameter_mm is None else float(self.diameter_mm),
            S.LENGTH_M: round(_length_m(geom, pipes.crs), 3),
        }
        values = mirror_values(values, self.field_map)
        values.update({S.SRC_FID: DRAWN_SRC_FID, S.SRC_PART: 0})
        values.update(self.attributes)
        row = gpd.GeoDataFrame({k: [v] for k, v in values.items()}, geometry=[geom], crs=pipes.crs)
        return [LayerDelta(S.PIPES, append=row)]


@dataclass
class AddManhole(LayerCommand):
    """Add a manhole at (x, y); ``node_id`` is generated when None (``WJ-…`` for sewage)."""

    x: float = 0.0
    y: float = 0.0
    system: str | None = S.SEWAGE
    node_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    field_map: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        self.label = "Add manhole"

    def plan(self) -> list[LayerDelta]:
        """Plan the new row."""
        mh = self.store.get(S.MANHOLES)
        nid = self.node_id or new_node_id(mh, self.system)
        if len(find_rows(mh, S.MANHOLES, nid)):
            raise EditError(
                f"Manhole id {nid!r} is already used; choose another id.",
                layer=S.MANHOLES,
                feature=nid,
                field=S.NODE_ID,
            )
        self.node_id = nid
        values = mirror_values({S.NODE_ID: nid, S.SYSTEM: self.system}, self.field_map)
        values.update({S.SRC_FID: DRAWN_SRC_FID, S.SRC_PART: 0})
        values.update(self.attributes)
        row = gpd.GeoDataFrame(
            {k: [v] for k, v in values.items()},
            geometry=[Point(float(self.x), float(self.y))],
            crs=mh.crs,
        )
        return [LayerDelta(S.MANHOLES, append=row)]


def _plan_pipe_geometry(
    delta: LayerDelta, pipes: gpd.GeoDataFrame, pos: int, geom: LineString
) -> None:
    delta.set_cells(pipes, [pos], pipes.geometry.name, [geom])
    if S.LENGTH_M in pipes.columns:
        delta.set_cells(pipes, [pos], S.LENGTH_M, [round(_length_m(geom, pipes.crs), 3)])


def _note(pipes: pd.DataFrame, pos: int, text: str) -> str:
    old = _value(pipes, EDIT_NOTE, pos)
    return f"{old}; {text}" if old else text


@dataclass
class MoveVertex(LayerCommand):
    """Move a vertex of a pipe (``vertex`` index, negative from the end) or a point feature.

    Moving a manhole also moves the pipe ends lying on it (within ``tolerance`` map units,
    default the project's 0.05 m snap tolerance).
    """

    kind: str = S.PIPES
    feature_id: str = ""
    vertex: int = 0
    x: float = 0.0
    y: float = 0.0
    row: int | None = None
    tolerance: float | None = None

    def __post_init__(self) -> None:
        self.label = "Move vertex" if self.kind == S.PIPES else "Move feature"

    def plan(self) -> list[LayerDelta]:
        """Plan the moved coordinates."""
        gdf = self.store.get(self.kind)
        pos = feature_row(gdf, self.kind, self.feature_id, self.row)
        geom = gdf.geometry.iloc[pos]
        new_xy = (float(self.x), float(self.y))
        if geom is None or geom.is_empty:
            raise EditError(
                f"{self.feature_id} has no geometry to move.",
                layer=self.kind,
                feature=self.feature_id,
            )
        if geom.geom_type == "Point":
            delta = LayerDelta(self.kind)
            delta.set_cells(gdf, [pos], gdf.geometry.name, [Point(new_xy)])
            deltas = [delta]
            if self.kind == S.MANHOLES:
                pipes = _maybe(self.store, S.PIPES)
                if pipes is not None:
                    tol = self.tolerance
                    if tol is None:
                        tol = 0.05 / crs_unit_m(pipes.crs)
                    d = _move_ends_at(pipes, (geom.x, geom.y), new_xy, tol)
                    if d.updates:
                        deltas.append(d)
            return deltas
        if geom.geom_type != "LineString":
            raise EditError(
                f"{self.feature_id} is a {geom.geom_type}; only lines and points "
                f"can be edited vertex by vertex.",
                layer=self.kind,
                feature=self.feature_id,
            )
        coords = [tuple(c[:2]) for c in geom.coords]
        if not -len(coords) <= self.vertex < len(coords):
            raise EditError(
                f"{self.feature_id} has {len(coords)} vertices; there is no vertex {self.vertex}.",
                layer=self.kind,
                feature=self.feature_id,
            )
        coords[self.vertex] = new_xy
        delta = LayerDelta(self.kind)
        _plan_pipe_geometry(delta, gdf, pos, LineString(coords))
        return [delta]


def _move_ends_at(
    pipes: gpd.GeoDataFrame, old: tuple[float, float], new: tuple[float, float], tol: float
) -> LayerDelta:
    delta = LayerDelta(S.PIPES)
    geoms = np.asarray(pipes.geometry.array, dtype=object)
    box = shapely.box(old[0] - tol, old[1] - tol, old[0] + tol, old[1] + tol)
    tree = shapely.STRtree(geoms)
    for pos in tree.query(box).tolist():
        g = geoms[pos]
        if g is None or g.geom_type != "LineString":
            continue
        coords = [tuple(c[:2]) for c in g.coords]
        changed = False
        for k in (0, len(coords) - 1):
            if math.dist(coords[k], old) <= tol:
                coords[k] = new
                changed = True
        if changed:
            _plan_pipe_geometry(delta, pipes, pos, LineString(coords))
    return delta


@dataclass
class DeleteFeatures(LayerCommand):
    """Delete features of one layer by id (every row with that id) or by ``rows``."""

    kind: str = S.PIPES
    ids: Sequence[str] = ()
    rows: Sequence[int] | None = None

    def __post_init__(self) -> None:
        n = len(self.rows) if self.rows is not None else len(self.ids)
        self.label = f"Delete {n} feature{'s' if n != 1 else ''}"

    def plan(self) -> list[LayerDelta]:
        """Plan the removed rows."""
        gdf = self.store.get(self.kind)
        if self.rows is not None:
            pos = np.asarray(sorted({int(r) for r in self.rows}), dtype=np.int64)
            if len(pos) and (pos.min() < 0 or pos.max() >= len(gdf)):
                raise EditError(
                    f"Layer {self.kind} has {len(gdf)} rows; cannot delete rows {pos.tolist()}.",
                    layer=self.kind,
                )
            if self.ids:
                col = S.ID_COLUMN[self.kind]
                have = {str(v) for v in gdf[col].iloc[pos].tolist()}
                if not have <= {str(i) for i in self.ids}:
                    raise EditError(
                        f"Rows {pos.tolist()} of {self.kind} are {sorted(have)}, "
                        f"not {list(self.ids)}: the layer changed.",
                        layer=self.kind,
                    )
        else:
            parts = [find_rows(gdf, self.kind, i) for i in self.ids]
            missing = [i for i, p in zip(self.ids, parts, strict=True) if not len(p)]
            if missing:
                raise UnknownIdError(
                    f"Layer {self.kind} has no feature(s) {missing}.",
                    layer=self.kind,
                    feature=str(missing[0]),
                )
            pos = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        return [LayerDelta(self.kind, delete=pos)]


@dataclass
class ReversePipe(LayerCommand):
    """Reverse a pipe's flow: reverse the line, swap from/to nodes and inverts.

    The inverts stay with their manholes (the invert at a manhole does not change when the
    pipe is turned round), so the slope is honest afterwards; ``flow_dir`` is relative to
    the digitised order and is kept, so it reverses with the line. ``edit_note`` records it.
    """

    pipe_id: str = ""
    row: int | None = None
    field_map: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        self.label = f"Reverse flow of {self.pipe_id}"

    def plan(self) -> list[LayerDelta]:
        """Plan the swapped values."""
        pipes = self.store.get(S.PIPES)
        pos = feature_row(pipes, S.PIPES, self.pipe_id, self.row)
        geom = pipes.geometry.iloc[pos]
        if geom is None or geom.geom_type != "LineString":
            raise EditError(
                f"Pipe {self.pipe_id} is not a simple line; reverse its parts one by one.",
                layer=S.PIPES,
                feature=self.pipe_id,
            )
        delta = LayerDelta(S.PIPES)
        delta.set_cells(pipes, [pos], pipes.geometry.name, [geom.reverse()])
        pairs = [(S.FROM_NODE, S.TO_NODE), (S.FROM_INVERT_M, S.TO_INVERT_M)]
        fm = self.field_map or {}
        pairs += [(fm[a], fm[b]) for a, b in list(pairs) if fm.get(a) and fm.get(b)]
        for a, b in pairs:
            if a in pipes.columns and b in pipes.columns:
                va, vb = pipes[a].iloc[pos], pipes[b].iloc[pos]
                delta.set_cells(pipes, [pos], a, [vb])
                delta.set_cells(pipes, [pos], b, [va])
        f, t = _value(pipes, S.FROM_NODE, pos), _value(pipes, S.TO_NODE, pos)
        delta.set_cells(
            pipes,
            [pos],
            EDIT_NOTE,
            [_note(pipes, pos, f"flow reversed (was {f or '?'} -> {t or '?'})")],
        )
        return [delta]


@dataclass
class SnapEnd(LayerCommand):
    """Move a pipe end onto a node (the near-miss fix) and name the node in its field.

    ``end`` is ``"start"``/``"end"`` (digitised), or None to take the end nearer (x, y) — the
    issue's location. ``node_id`` None keeps the from/to field.
    """

    pipe_id: str = ""
    x: float = 0.0
    y: float = 0.0
    node_id: str | None = None
    end: str | None = None
    near: tuple[float, float] | None = None
    row: int | None = None
    field_map: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        self.label = f"Snap {self.pipe_id} to {self.node_id or 'node'}"

    def plan(self) -> list[LayerDelta]:
        """Plan the moved end and the node field."""
        pipes = self.store.get(S.PIPES)
        pos = feature_row(pipes, S.PIPES, self.pipe_id, self.row)
        geom = pipes.geometry.iloc[pos]
        if geom is None or geom.geom_type != "LineString":
            raise EditError(
                f"Pipe {self.pipe_id} is not a simple line.", layer=S.PIPES, feature=self.pipe_id
            )
        coords = [tuple(c[:2]) for c in geom.coords]
        end = self.end
        if end is None:
            ref = self.near or (self.x, self.y)
            end = START if math.dist(coords[0], ref) <= math.dist(coords[-1], ref) else END
        if end not in (START, END):
            raise EditError(f"end must be 'start' or 'end'; got {end!r}.", layer=S.PIPES)
        self.end = end
        coords[0 if end == START else -1] = (float(self.x), float(self.y))
        delta = LayerDelta(S.PIPES)
        _plan_pipe_geometry(delta, pipes, pos, LineString(coords))
        if self.node_id is not None:
            node_field, _ = _end_field(pipes, pos, end, _maybe(self.store, S.MANHOLES))
            for col, v in mirror_values({node_field: self.node_id}, self.field_map).items():
                delta.set_cells(pipes, [pos], col, [v])
        delta.set_cells(
            pipes,
            [pos],
            EDIT_NOTE,
            [_note(pipes, pos, f"{end} snapped to {self.node_id or 'node'}")],
        )
        return [delta]


@dataclass
class SplitPipeAtManhole(LayerCommand):
    """Split a pipe that runs through (or within ``max_distance`` of) a manhole.

    The part from the digitised start keeps the row and id; the rest becomes a new pipe with
    ``new_id`` (default: the next free id of the series). Attributes are copied, the manhole
    becomes the shared end node, inverts are interpolated by length.
    """

    pipe_id: str = ""
    node_id: str = ""
    row: int | None = None
    new_id: str | None = None
    max_distance: float | None = None  # map units; default 1 m
    field_map: dict[str, str | None] | None = None

    def __post_init__(self) -> None:
        self.label = f"Split {self.pipe_id} at {self.node_id}"

    def plan(self) -> list[LayerDelta]:
        """Plan the shortened row and the appended part."""
        pipes = self.store.get(S.PIPES)
        manholes = self.store.get(S.MANHOLES)
        pos = feature_row(pipes, S.PIPES, self.pipe_id, self.row)
        xy = _manhole_xy(manholes, self.node_id)
        if xy is None:
            raise UnknownIdError(
                f"Layer manholes has no manhole {self.node_id!r}.",
                layer=S.MANHOLES,
                feature=self.node_id,
            )
        line = pipes.geometry.iloc[pos]
        if line is None or line.geom_type != "LineString":
            raise EditError(
                f"Pipe {self.pipe_id} is not a simple line.", layer=S.PIPES, feature=self.pipe_id
            )
        unit = crs_unit_m(pipes.crs)
        max_d = self.max_distance if self.max_distance is not None else 1.0 / unit
        pt = Point(xy)
        if line.distance(pt) > max_d:
            raise EditError(
                f"Manhole {self.node_id} is {line.distance(pt) * unit:.2f} m from "
                f"pipe {self.pipe_id}; it must lie on the pipe (within "
                f"{max_d * unit:g} m) to split it there.",
                layer=S.PIPES,
                feature=self.pipe_id,
            )
        at = line.project(pt)
        tol = 0.05 / unit
        if at <= tol or at >= line.length - tol:
            raise EditError(
                f"Manhole {self.node_id} is at an end of pipe {self.pipe_id}; "
                f"there is nothing to split.",
                layer=S.PIPES,
                feature=self.pipe_id,
            )
        first, second = _split_line(line, at, xy)
        frac = at / line.length
        rev = fields_reversed(pipes, pos, manholes)
        start_field, start_inv = (
            (S.TO_NODE, S.TO_INVERT_M) if rev else (S.FROM_NODE, S.FROM_INVERT_M)
        )
        end_field, end_inv = (S.FROM_NODE, S.FROM_INVERT_M) if rev else (S.TO_NODE, S.TO_INVERT_M)
        i0, i1 = _value(pipes, start_inv, pos), _value(pipes, end_inv, pos)
        mid_inv = (
            round(float(i0) + (float(i1) - float(i0)) * frac, 3)
            if i0 is not None and i1 is not None
            else None
        )
        new_id = self.new_id or new_pipe_id(pipes, _value(pipes, S.SYSTEM, pos))
        if len(find_rows(pipes, S.PIPES, new_id)):
            raise EditError(f"Pipe id {new_id!r} is already used.", layer=S.PIPES, feature=new_id)
        self.new_id = new_id
        delta = LayerDelta(S.PIPES)
        _plan_pipe_geometry(delta, pipes, pos, first)
        for col, v in mirror_values(
            {end_field: self.node_id, end_inv: mid_inv}, self.field_map
        ).items():
            delta.set_cells(pipes, [pos], col, [v])
        delta.set_cells(
            pipes,
            [pos],
            EDIT_NOTE,
            [_note(pipes, pos, f"split at {self.node_id}; rest is {new_id}")],
        )
        # the second part: a copy of the row with its own id, geometry and start values
        rest = pipes.iloc[[pos]].copy()
        rest[pipes.geometry.name] = gpd.GeoSeries([second], index=rest.index, crs=pipes.crs)
        vals = {S.PIPE_ID: new_id, start_field: self.node_id, start_inv: mid_inv}
        if S.LENGTH_M in pipes.columns:
            vals[S.LENGTH_M] = round(_length_m(second, pipes.crs), 3)
        vals[S.SRC_FID] = DRAWN_SRC_FID if S.SRC_FID in pipes.columns else None
        for col, v in mirror_values(vals, self.field_map).items():
            if v is None and col not in pipes.columns:
                continue
            rest[col] = [v]
        rest[EDIT_NOTE] = [f"split from {self.pipe_id} at {self.node_id}"]
        rest.index = pd.RangeIndex(1)
        delta.append = rest
        return [delta]


def _split_line(
    line: LineString, at: float, xy: tuple[float, float]
) -> tuple[LineString, LineString]:
    coords = [tuple(c[:2]) for c in line.coords]
    dist = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(coords), axis=0).T))])
    k = int(np.searchsorted(dist, at, side="right"))  # vertices [0, k) are before the point
    before = [c for c, d in zip(coords[:k], dist[:k], strict=True) if d < at]
    after = [c for c, d in zip(coords[k:], dist[k:], strict=True) if d > at]
    return LineString([*before, xy]), LineString([xy, *after])


@dataclass
class SetAttributes(LayerCommand):
    """Set attribute values (canonical or original columns) of one feature."""

    kind: str = S.PIPES
    feature_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    def __post_init__(self) -> None:
        self.label = f"Edit attributes of {self.feature_id}"

    def plan(self) -> list[LayerDelta]:
        """Plan the changed cells."""
        gdf = self.store.get(self.kind)
        pos = feature_row(gdf, self.kind, self.feature_id, self.row)
        if gdf.geometry.name in self.values:
            raise EditError("Use the geometry commands to change a geometry.", layer=self.kind)
        delta = LayerDelta(self.kind)
        for col, v in self.values.items():
            delta.set_cells(gdf, [pos], col, [v])
        return [delta]


@dataclass
class Macro:
    """Several commands as one undo step; if one fails, the done ones are undone."""

    label: str
    commands: list[Any] = field(default_factory=list)

    def do(self) -> None:
        """Do every command in order."""
        done = []
        try:
            for c in self.commands:
                c.do()
                done.append(c)
        except BaseException:
            for c in reversed(done):
                c.undo()
            raise

    def undo(self) -> None:
        """Undo every command in reverse order."""
        for c in reversed(self.commands):
            c.undo()

    @property
    def kinds(self) -> tuple[str, ...]:
        """Layer kinds the commands touch."""
        return tuple(dict.fromkeys(k for c in self.commands for k in getattr(c, "kinds", ())))


__all__ = [
    "EDIT_NOTE",
    "AddManhole",
    "AddPipe",
    "DeleteFeatures",
    "DictStore",
    "EditError",
    "LayerDelta",
    "LayerStore",
    "Macro",
    "MoveVertex",
    "ReversePipe",
    "SetAttributes",
    "SnapEnd",
    "SnapIndex",
    "SnapTarget",
    "SplitPipeAtManhole",
    "feature_row",
    "fields_reversed",
    "find_rows",
    "mirror_values",
    "new_node_id",
    "new_pipe_id",
    "next_feature_id",
]
