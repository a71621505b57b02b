"""Reversing a pipe: :class:`ReversePipe` (geometry, from/to nodes and inverts swapped
together).
"""

from __future__ import annotations

from dataclasses import dataclass

from network import schema as S
from network.edits.base import EditError, LayerCommand
from network.edits.delta import LayerDelta
from network.edits.features import (
    EDIT_NOTE,
    _note,
    _value,
    feature_row,
)


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
