"""A network that rebuilds itself when its data change (no "refresh topology" button).

:class:`NetworkModel` owns the layers and settings. Edits go through :meth:`set_layer` /
:meth:`set_settings` (or call :meth:`mark_changed` after changing a GeoDataFrame in place);
each bumps :attr:`version`. :attr:`network` rebuilds lazily when the version or the data
fingerprint changed since the last build, so the GUI only ever reads ``model.network``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from network import schema as S
from network.graph import Network, iter_build_network
from network.progress import Progress

NETWORK_KINDS = (S.PIPES, S.MANHOLES, S.ENTERPRISES, S.PLANTS, S.OUTFALLS)
HASH_ROW_LIMIT = 200_000


def layers_fingerprint(
    layers: Mapping[str, gpd.GeoDataFrame],
    settings: Mapping[str, Any],
    row_limit: int = HASH_ROW_LIMIT,
) -> str:
    """A hash of the network-relevant layers and settings.

    Content (attributes and geometry) is hashed for layers up to *row_limit* rows; larger
    layers contribute their identity, shape and columns only (edits to them must go through
    :meth:`NetworkModel.set_layer` or :meth:`NetworkModel.mark_changed`).
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(sorted((k, repr(v)) for k, v in settings.items())).encode())
    for kind in NETWORK_KINDS:
        gdf = layers.get(kind)
        if gdf is None:
            h.update(f"{kind}:none".encode())
            continue
        h.update(f"{kind}:{id(gdf)}:{gdf.shape}:{list(gdf.columns)}".encode())
        if len(gdf) <= row_limit:
            attrs = gdf.drop(columns=gdf.geometry.name)
            try:
                h.update(
                    pd.util.hash_pandas_object(attrs.astype(str), index=True).to_numpy().tobytes()
                )
            except TypeError:
                h.update(repr(attrs.to_dict("list")).encode())
            wkb = shapely.to_wkb(gdf.geometry.to_numpy())
            h.update(b"".join(b or b"" for b in wkb))
    return h.hexdigest()


class NetworkModel:
    """Layers + settings -> a :class:`Network` that is rebuilt when they change.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
    settings : mapping, optional
        ``snap_tolerance_m``, ``attach_distance_m``.
    crs : optional
        The project CRS (defaults to the pipe layer's).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 0)])])
    >>> model = NetworkModel({"pipes": pipes})
    >>> model.network.n_edges
    1
    >>> model.set_layer("pipes", pipes.iloc[0:0])
    >>> model.network.n_edges
    0
    """

    def __init__(
        self,
        layers: Mapping[str, gpd.GeoDataFrame] | None = None,
        settings: Mapping[str, Any] | None = None,
        crs: Any = None,
    ) -> None:
        self._layers: dict[str, gpd.GeoDataFrame] = dict(layers or {})
        self._settings: dict[str, Any] = dict(settings or {})
        self._crs = crs
        self.version = 0
        self._built_key: tuple[int, str] | None = None
        self._network: Network | None = None
        self.builds = 0
        self._listeners: list[Callable[[Network], None]] = []

    @classmethod
    def from_project(cls, project: Any) -> NetworkModel:
        """Model over a ``network.io.project.Project`` (its layers, settings and CRS)."""
        return cls(
            project.layers, getattr(project, "settings", None), getattr(project, "crs", None)
        )

    # ---- data -----------------------------------------------------------------------------
    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The current layers (read-only by convention; use :meth:`set_layer`)."""
        return self._layers

    @property
    def settings(self) -> dict[str, Any]:
        """The current settings."""
        return self._settings

    def set_layer(self, kind: str, gdf: gpd.GeoDataFrame | None) -> None:
        """Replace (or with None remove) one layer."""
        if gdf is None:
            self._layers.pop(kind, None)
        else:
            self._layers[kind] = gdf
        self.mark_changed()

    def set_settings(self, **values: Any) -> None:
        """Change settings (e.g. ``snap_tolerance_m=0.1``)."""
        self._settings.update(values)
        self.mark_changed()

    def mark_changed(self) -> None:
        """Say the data changed (after editing a GeoDataFrame in place)."""
        self.version += 1

    def subscribe(self, callback: Callable[[Network], None]) -> None:
        """Call *callback(network)* after each rebuild (the Qt adapter hooks in here)."""
        self._listeners.append(callback)

    # ---- network --------------------------------------------------------------------------
    def _key(self) -> tuple[int, str]:
        return self.version, layers_fingerprint(self._layers, self._settings)

    @property
    def is_stale(self) -> bool:
        """True when the next access to :attr:`network` will rebuild."""
        return self._network is None or self._built_key != self._key()

    @property
    def network(self) -> Network:
        """The network for the current data (rebuilt here if the data changed)."""
        gen = self.iter_network()
        while True:
            try:
                next(gen)
            except StopIteration as stop:
                return stop.value

    def iter_network(self) -> Generator[Progress, None, Network]:
        """Progress-reporting access to :attr:`network` (yields only when it rebuilds)."""
        key = self._key()
        if self._network is not None and key == self._built_key:
            return self._network
        net = yield from iter_build_network(self._layers, self._settings, self._crs)
        self._network, self._built_key = net, key
        self.builds += 1
        for cb in self._listeners:
            cb(net)
        return net
