"""The reversible change of one layer: :class:`LayerDelta`.

Cells changed, rows removed and rows appended, planned against the frame they apply to;
``apply`` then ``revert`` gives back an equal frame (same values, dtypes, column order and
index). Every edit command plans its change as one delta per touched layer.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd


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
        # in the column's own dtype: pandas would infer ``str`` for an object column of
        # text, whose missing values come back NaN where the project holds None
        f[column] = pd.Series(arr, index=f.index, name=column, dtype=s.dtype)
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
