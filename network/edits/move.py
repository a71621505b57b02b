"""Moving a vertex: :class:`MoveVertex` (a manhole, or a pipe vertex; moving a manhole
drags the pipe ends that sat on it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    _maybe,
    _plan_pipe_geometry,
    feature_row,
)
from network.graph import crs_unit_m


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
