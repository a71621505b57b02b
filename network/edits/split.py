"""Splitting a pipe at a manhole: :class:`SplitPipeAtManhole`.

The part from the pipe's digitised start to the manhole keeps the original row and id (so
survey records and ledger entries that name the pipe still find it); the other part is a new
row with the next free id of the same series. Both parts carry the original attributes, the
split manhole as their shared end node, and inverts interpolated linearly by length;
``edit_note`` says where each part came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    DRAWN_SRC_FID,
    EDIT_NOTE,
    _length_m,
    _manhole_xy,
    _note,
    _plan_pipe_geometry,
    _value,
    feature_row,
    fields_reversed,
    find_rows,
    mirror_values,
    new_pipe_id,
)
from network.errors import UnknownIdError
from network.graph import crs_unit_m


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
