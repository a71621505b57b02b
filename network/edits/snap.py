"""Snapping: what a drawing tool snaps to (:class:`SnapIndex`, :class:`SnapTarget`) and the
edit that moves a pipe end onto a manhole or another pipe's end (:class:`SnapEnd`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    EDIT_NOTE,
    END,
    START,
    _end_field,
    _id_str,
    _maybe,
    _note,
    _plan_pipe_geometry,
    _value,
    feature_row,
    mirror_values,
)


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
