"""Deleting features: :class:`DeleteFeatures` (by id, or by row for duplicated ids)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    find_rows,
)
from network.errors import UnknownIdError


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
