"""What every edit works on and with: the :class:`LayerStore` it reads and writes, the
:class:`LayerCommand` base (plan deltas on the first ``do()``, then apply/revert them), the
:class:`Macro` that runs several commands as one undo step, and :class:`EditError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd

from network.edits.delta import LayerDelta
from network.errors import NetworkError


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
