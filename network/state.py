"""One checked network: the flow network, its check findings and its connection register.

A :class:`CheckedNetwork` is what the window shows, what the command line reports on and what
map export draws: built from the layers by one function (:func:`iter_checked_network`, or
:func:`build_checked_network` to run it to the end) and never changed afterwards. Nothing is
cached on the side: a trace is given the findings it reports (``checked.issue_index``).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> from network.trace import trace_downstream
>>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "system": ["rain", "sewage"],
...     "from_node": ["A", "B"], "to_node": ["B", "C"]},
...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
>>> checked = build_checked_network({"pipes": pipes})
>>> [i.kind for i in checked.checks]
['isolated_subnetwork', 'dead_end_sink', 'misconnection']
>>> res = trace_downstream(checked.network, "P1", findings=checked.issue_index)
>>> sorted({w.kind for w in res.warnings})
['dead_end_sink', 'isolated_subnetwork', 'misconnection']
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from network.analysis import ConnectionRegister, iter_connection_register
from network.checks import iter_checks
from network.graph import Network, _no_gc, iter_build_network
from network.issues import Issue
from network.progress import Progress, drain, scaled
from network.trace import IssueIndex

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True, eq=False)
class CheckedNetwork:
    """One consistent build: the network, all its findings and its connection register.

    Parameters
    ----------
    network : Network
        The flow network (its ``layers`` are the very frames it was built from).
    checks : tuple of Issue
        Every finding: the build's (empty geometry, duplicate ids, attachment failures) first,
        then the checks' (see :func:`network.checks.run_checks`).
    register : ConnectionRegister
        Where each enterprise's wastewater goes (:func:`network.analysis.connection_register`).
    version : int
        The data version the caller built it for (the window's edit counter; 0 elsewhere).
    issue_index : IssueIndex, optional
        *checks* indexed by the features they name, for traces; made here when not given.
    """

    network: Network
    checks: tuple[Issue, ...]
    register: ConnectionRegister
    version: int = 0
    issue_index: IssueIndex = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        # frozen: the two normalised fields are set once, here, the dataclass way
        object.__setattr__(self, "checks", tuple(self.checks))
        if self.issue_index is None:
            object.__setattr__(self, "issue_index", IssueIndex(self.network, self.checks))

    def built_from(self, kind: str, gdf: gpd.GeoDataFrame | None) -> bool:
        """True when the layer *kind* the network was built from is the frame *gdf* itself.

        Per-row columns derived from the network (flow direction by ``piece_row``) are only
        valid for that frame: after an edit replaced the layer they must wait for the next
        build.
        """
        return gdf is not None and self.network.layers.get(kind) is gdf

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The findings of severity ``error``."""
        return tuple(i for i in self.checks if i.severity == "error")


def iter_checked_network(
    layers: Mapping[str, gpd.GeoDataFrame],
    settings: Any = None,
    crs: Any = None,
    *,
    version: int = 0,
) -> Generator[Progress, None, CheckedNetwork]:
    """Build the network, run the checks, trace every enterprise: a progress generator.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by kind, as for :func:`network.graph.build_network`.
    settings : mapping or object, optional
        ``snap_tolerance_m`` and ``attach_distance_m``.
    crs : optional
        The project CRS (defaults to the pipe layer's).
    version : int
        Stored in :attr:`CheckedNetwork.version`.

    Yields
    ------
    (float, str)
        Fraction done and what it is doing.

    Returns
    -------
    CheckedNetwork

    Raises
    ------
    NetworkError
        There is no pipe layer.
    """
    net = yield from scaled(iter_build_network(layers, settings, crs), 0.0, 0.5)
    checks = yield from scaled(iter_checks(net), 0.5, 0.9)
    register = yield from scaled(iter_connection_register(net), 0.9, 0.98)
    yield 0.98, "Indexing findings"
    return CheckedNetwork(net, tuple(checks), register, version)


def build_checked_network(
    layers: Mapping[str, gpd.GeoDataFrame],
    settings: Any = None,
    crs: Any = None,
    *,
    version: int = 0,
    on_step: Callable[[Progress], object] | None = None,
) -> CheckedNetwork:
    """Run :func:`iter_checked_network` to its end (``on_step`` sees each progress step).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 0)])])
    >>> checked = build_checked_network({"pipes": pipes})
    >>> checked.network.n_edges, len(checked.register.rows)
    (1, 0)
    """
    gen = iter_checked_network(layers, settings, crs, version=version)
    with _no_gc():
        return drain(gen, on_step)
