"""Changing attribute values: :class:`SetAttributes` (the feature form's edit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    feature_row,
)


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
