"""Drawing new features: :class:`AddPipe` and :class:`AddManhole` (ids generated from the
series already in use, values mirrored into the source's fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from shapely.geometry import LineString, Point

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    _length_m,
    drawn_source,
    find_rows,
    mirror_values,
    new_node_id,
    new_pipe_id,
)


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
        values.update(drawn_source(pipes))
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
        values.update(drawn_source(mh))
        values.update(self.attributes)
        row = gpd.GeoDataFrame(
            {k: [v] for k, v in values.items()},
            geometry=[Point(float(self.x), float(self.y))],
            crs=mh.crs,
        )
        return [LayerDelta(S.MANHOLES, append=row)]
