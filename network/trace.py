"""Traces on a :class:`network.graph.Network`: downstream, upstream, common upstream, paths,
loops and longitudinal profiles.

Every trace accepts any manhole, pipe, enterprise, outfall or plant id (see
:meth:`Network.resolve`), honours barriers (pipes with status ``blocked``/``closed``, manholes
with such a status, plus ids given by the caller) and reports in ``warnings`` the unresolved
check findings (errors and warnings) inside the traced area, so a result is never trusted
blindly where the data are dirty. The findings are an argument (``findings=``, best an
:class:`IssueIndex` built once, as :class:`network.state.CheckedNetwork` holds it): a trace
depends on nothing but its arguments.

Downstream traces walk Python lists (they touch few nodes); upstream traces run a
level-synchronous breadth-first search on the CSR arrays (they may touch the whole network).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from network.errors import NetworkError
from network.graph import Network, Target, float_array
from network.issues import ERROR, WARNING, Issue
from network.lazy import lazy_module

csgraph = lazy_module("scipy.sparse.csgraph", globals())

UPSTREAM, DOWNSTREAM, COMMON_UPSTREAM, PATH = "upstream", "downstream", "common_upstream", "path"
MAX_PATHS = 50


class NoPathError(NetworkError):
    """No flow path joins the two given points."""


class IdView(Sequence):
    """Ids of a trace result, held as positions into an id table and turned into ``str`` only
    when read.

    An upstream trace from a plant covers a whole network: a million pipe and manhole ids as
    Python strings cost several times the search itself. A view keeps the positions (a numpy
    index array) and behaves as the tuple it stands for: ``len``, indexing, slicing (a view),
    iteration, ``in``, ``==`` with a tuple, ``+``, ``repr`` and ``np.asarray`` (the id array,
    without Python strings).

    Examples
    --------
    >>> v = IdView(np.array(["A", "B", "C"], dtype=object), np.array([2, 0]))
    >>> v, len(v), v[0], "A" in v, "B" in v, v == ("C", "A"), list(v[1:])
    (('C', 'A'), 2, 'C', True, False, True, ['A'])
    """

    __slots__ = ("_index", "_set", "_table", "_tuple")

    def __init__(self, table: np.ndarray, index: np.ndarray) -> None:
        self._table = table
        self._index = np.asarray(index, dtype=np.int64)
        self._tuple: tuple[str, ...] | None = None
        self._set: frozenset[str] | None = None

    @property
    def positions(self) -> np.ndarray:
        """Positions of the ids in the id table (read-only use)."""
        return self._index

    def as_tuple(self) -> tuple[str, ...]:
        """The ids as a tuple of ``str`` (made once)."""
        if self._tuple is None:
            self._tuple = tuple(self._table[self._index].tolist()) if len(self._index) else ()
        return self._tuple

    def __len__(self) -> int:
        return len(self._index)

    def __bool__(self) -> bool:
        return len(self._index) > 0

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return IdView(self._table, self._index[i])
        return self._table[self._index[i]]

    def __iter__(self) -> Any:
        return iter(self.as_tuple())

    def __contains__(self, x: object) -> bool:
        if self._set is None:
            self._set = frozenset(self.as_tuple())
        return x in self._set

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdView):
            return self.as_tuple() == other.as_tuple()
        if isinstance(other, tuple):
            return self.as_tuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __add__(self, other: Any) -> tuple[str, ...]:
        return self.as_tuple() + tuple(other)

    def __radd__(self, other: Any) -> tuple[str, ...]:
        return tuple(other) + self.as_tuple()

    def __repr__(self) -> str:
        return repr(self.as_tuple())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self._table[self._index]
        return out if dtype is None else out.astype(dtype)

    def __reduce__(self) -> tuple[Any, ...]:
        return (IdView, (self._table[self._index], np.arange(len(self._index))))


class EdgeView(Sequence):
    """Edge indices of a trace result over a numpy array: a sequence of ``int`` that
    ``np.asarray`` takes without a copy (a tuple of a million ints costs a list's worth)."""

    __slots__ = ("_a",)

    def __init__(self, a: np.ndarray) -> None:
        self._a = np.asarray(a, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._a)

    def __bool__(self) -> bool:
        return len(self._a) > 0

    def __getitem__(self, i: Any) -> Any:
        return EdgeView(self._a[i]) if isinstance(i, slice) else int(self._a[i])

    def __iter__(self) -> Any:
        return iter(self._a.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EdgeView | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._a if dtype is None else self._a.astype(dtype)


@dataclass(frozen=True)
class TraceResult:
    """The outcome of a trace.

    Attributes
    ----------
    start : str or tuple of str
        The id(s) the trace started from.
    direction : str
        ``upstream``, ``downstream``, ``common_upstream`` or ``path``.
    pipes, nodes, enterprises : tuple of str, or IdView
        Ids inside the traced area (pipes once each, even when split into parts).
        Downstream, upstream and common-upstream traces give :class:`IdView` sequences
        (ids made when read; ``positions`` holds the indices into the network's arrays).
    sinks : tuple of dict
        Downstream: each sink reached (``kind`` plant/outfall/dead_end, ``id``, ``node``,
        ``length_m`` of the shortest path, ``paths`` with their pipes, nodes and lengths).
        Upstream: the plants and outfalls inside the area.
    length_m : float
        Total length of the traced pipes.
    warnings : tuple of Issue
        Unresolved check errors and warnings on the traced pipes, nodes and enterprises.
    barriers : tuple of str
        Barrier pipes and manholes the trace stopped at.
    edges : sequence of int
        Edge indices of the traced area (for the GUI; not in :meth:`to_dict`; an
        :class:`EdgeView` over a numpy array for area traces).
    """

    start: str | tuple[str, ...]
    direction: str
    pipes: tuple[str, ...]
    nodes: tuple[str, ...]
    enterprises: tuple[str, ...]
    sinks: tuple[dict[str, Any], ...]
    length_m: float
    warnings: tuple[Issue, ...] = ()
    barriers: tuple[str, ...] = ()
    plants: tuple[str, ...] = ()
    outfalls: tuple[str, ...] = ()
    edges: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "start": list(self.start) if isinstance(self.start, tuple) else self.start,
            "direction": self.direction,
            "pipes": list(self.pipes),
            "nodes": list(self.nodes),
            "enterprises": list(self.enterprises),
            "plants": list(self.plants),
            "outfalls": list(self.outfalls),
            "sinks": [dict(s) for s in self.sinks],
            "length_m": round(float(self.length_m), 3),
            "barriers": list(self.barriers),
            "warnings": [w.to_dict() for w in self.warnings],
        }


# --------------------------------------------------------------------------------------------
# barriers and dirty areas
# --------------------------------------------------------------------------------------------
def _barrier_sets(net: Network, barriers: Iterable[str] | None) -> tuple[set[int], set[int]]:
    """User barrier ids -> (edge indices, node indices)."""
    be: set[int] = set()
    bn: set[int] = set()
    for b in barriers or ():
        t = net.resolve(b)
        if t.kind == "pipe":
            be.update(t.edges)
        elif t.kind == "node":
            bn.update(t.nodes)
        else:
            raise NetworkError(
                f"Barrier {b!r} is a {t.kind}; barriers must be pipes or manholes.", feature=str(b)
            )
    return be, bn


class IssueIndex:
    """Check findings indexed by the edges, nodes and enterprises they name.

    Traces report the unresolved errors and warnings inside the traced area; this index
    makes that a few dictionary look-ups. Build it once per network and set of findings
    (:class:`network.state.CheckedNetwork` holds one) and pass it to every trace.

    Parameters
    ----------
    net : Network
        The network the findings are about.
    findings : sequence of Issue
        All findings (e.g. ``run_checks(net)``); info findings are ignored.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.checks import run_checks
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "system": ["rain", "sewage"],
    ...     "from_node": ["A", "B"], "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> net = build_network({"pipes": pipes})
    >>> index = IssueIndex(net, run_checks(net))
    >>> [w.kind for w in index.lookup(net.pipe_edges["P1"], (), ())]
    ['isolated_subnetwork', 'misconnection']
    """

    def __init__(self, net: Network, findings: Sequence[Issue]) -> None:
        self.findings = tuple(findings)
        self.edge: dict[int, list[int]] = {}
        self.node: dict[int, list[int]] = {}
        self.ent: dict[int, list[int]] = {}
        named = [
            (k, issue)
            for k, issue in enumerate(self.findings)
            if issue.severity in (ERROR, WARNING)
        ]
        # the ids of each layer resolved together: one pass over a million ids, not one each
        ids: dict[str, set[str]] = {}
        for _, issue in named:
            ids.setdefault(issue.layer, set()).update(issue.feature_ids)
        pipes = net.pipe_edges.edges_of_ids(ids.get("pipes", ()))
        nodes = _positions(net.node_index, ids.get("manholes", ()))
        ents = _positions(net.ent_index, ids.get("enterprises", ()))
        for k, issue in named:
            self._add(net, k, issue, pipes, nodes, ents)

    def _add(
        self,
        net: Network,
        k: int,
        issue: Issue,
        pipes: dict[str, list[int]],
        nodes: dict[str, int],
        ents: dict[str, int],
    ) -> None:
        for fid in issue.feature_ids:
            if issue.layer == "pipes":
                for e in pipes.get(fid, ()):
                    self.edge.setdefault(e, []).append(k)
            elif issue.layer == "manholes":
                n = nodes.get(fid)
                if n is not None:
                    self.node.setdefault(n, []).append(k)
            elif issue.layer == "enterprises":
                i = ents.get(fid)
                if i is not None:
                    self.ent.setdefault(i, []).append(k)
            elif issue.layer in ("outfalls", "plants"):
                outfall = issue.layer == "outfalls"
                t = (net.outfall_index if outfall else net.plant_index).get(fid)
                if t is not None:
                    n = int((net.outfall_node if outfall else net.plant_node)[t])
                    if n >= 0:
                        self.node.setdefault(n, []).append(k)

    @classmethod
    def of(cls, net: Network, findings: Sequence[Issue] | IssueIndex) -> IssueIndex:
        """*findings* itself when it is an index already, else a new index over them."""
        return findings if isinstance(findings, IssueIndex) else cls(net, findings)

    def lookup(
        self, edges: Iterable[int], nodes: Iterable[int], ents: Iterable[int]
    ) -> tuple[Issue, ...]:
        """The error and warning findings naming any of *edges*, *nodes* or *ents*, in
        findings order."""
        found: set[int] = set()
        for m, items in ((self.edge, edges), (self.node, nodes), (self.ent, ents)):
            if not m:
                continue
            if isinstance(items, np.ndarray) and len(items) > 256:
                # a whole area: the named elements inside it, by a mask over the keys' range
                keys = np.fromiter(m, dtype=np.int64, count=len(m))
                top = int(keys.max()) + 1
                inside = np.zeros(top, dtype=bool)
                items = items[(items >= 0) & (items < top)]
                inside[items] = True
                for el in keys[inside[keys]].tolist():
                    found.update(m[el])
                continue
            if len(m) < 64:
                for el in set(m).intersection(items):
                    found.update(m[el])
            else:
                for el in items:
                    hit = m.get(el)
                    if hit:
                        found.update(hit)
        return tuple(self.findings[k] for k in sorted(found))


def _positions(index: Any, keys: Iterable[str]) -> dict[str, int]:
    """Positions of *keys* in an id index (an :class:`IdIndex` in one pass, or a dict)."""
    if hasattr(index, "positions"):
        return index.positions(keys)
    return {k: index[k] for k in keys if k in index}


Findings = Sequence[Issue] | IssueIndex
"""What a trace looks its warnings up in: the findings, or an :class:`IssueIndex` of them."""


def _warnings(
    net: Network,
    findings: Findings,
    edges: Iterable[int],
    nodes: Iterable[int],
    ents: Iterable[int],
) -> tuple[Issue, ...]:
    if not findings:
        return ()
    return IssueIndex.of(net, findings).lookup(edges, nodes, ents)


def _ids(arr: np.ndarray, indices: Iterable[int]) -> tuple[str, ...]:
    idx = np.fromiter(indices, dtype=np.int64)
    return tuple(arr[idx].tolist()) if len(idx) else ()


def _pipe_ids(
    net: Network, edges: Sequence[int] | np.ndarray, ordered: bool = True
) -> tuple[str, ...]:
    """Pipe ids of *edges*, once each, in order of first appearance (else layer order)."""
    e = np.asarray(edges, dtype=np.int64)
    if len(e) == 0:
        return ()
    pe = net.pipe_edges
    codes = pe.codes[e]
    if not ordered:
        mask = np.zeros(len(pe.uniques), dtype=bool)
        mask[codes] = True
        return tuple(pe.uniques[mask].tolist())
    _, first = np.unique(codes, return_index=True)
    return tuple(pe.uniques[codes[np.sort(first)]].tolist())


def _pipe_codes_in_order(net: Network, edges: Sequence[int]) -> np.ndarray:
    """Pipe codes of *edges*, once each, in order of first appearance."""
    if len(edges) == 0:
        return np.empty(0, np.int64)
    codes = net.pipe_edges.codes[np.asarray(edges, dtype=np.int64)]
    _, first = np.unique(codes, return_index=True)
    return codes[np.sort(first)]


def _pipe_codes(net: Network, edges: np.ndarray) -> np.ndarray:
    """Pipe codes (positions in ``net.pipe_edges.uniques``) of *edges* (sorted, once each),
    once each, in layer order."""
    pe = net.pipe_edges
    if len(edges) == 0:
        return np.empty(0, np.int64)
    if pe.one_edge_each:
        return edges
    mask = np.zeros(len(pe.uniques), dtype=bool)
    mask[pe.codes[edges]] = True
    return np.flatnonzero(mask)


def _start_label(target: Target) -> str:
    return target.id


# --------------------------------------------------------------------------------------------
# downstream
# --------------------------------------------------------------------------------------------
def _walk_down(
    net: Network,
    seeds: Sequence[int],
    bar_edges: set[int],
    bar_nodes: set[int],
    target: int | None = None,
) -> tuple[dict[int, float], dict[int, int], list[int], set[int]]:
    """Dijkstra downstream from *seeds*; returns (dist, pred edge, edges, barrier hits)."""
    indptr, order, ev, eopen, elen = net.out_lists
    plants = net.plant_nodes
    static_bn = net.barrier_nodes
    seed_set = set(seeds)
    dist: dict[int, float] = dict.fromkeys(seeds, 0.0)
    pred: dict[int, int] = {}
    heap = [(0.0, s) for s in seeds]
    done: set[int] = set()
    edges: list[int] = []
    hits: set[int] = set()
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, n = pop(heap)
        if n in done:
            continue
        while True:
            done.add(n)
            if n == target:
                return dist, pred, edges, hits
            if n in plants and n not in seed_set:
                break
            lo, hi = indptr[n], indptr[n + 1]
            if hi - lo == 1 and not heap:
                # one way on and nothing else queued: the next node is the next popped, so
                # step to it without the heap (a sewer is mostly such chains)
                e = order[lo]
                if not eopen[e] or e in bar_edges:
                    hits.add(e)
                    break
                v = ev[e]
                if (v in bar_nodes or v in static_bn) and v not in seed_set:
                    hits.add(-1 - v)
                    break
                edges.append(e)
                nd = d + elen[e]
                old = dist.get(v)
                if old is None or nd < old:
                    dist[v] = nd
                    pred[v] = e
                    d, n = nd, v
                    continue
                break
            for k in range(lo, hi):
                e = order[k]
                if not eopen[e] or e in bar_edges:
                    hits.add(e)
                    continue
                v = ev[e]
                if (v in bar_nodes or v in static_bn) and v not in seed_set:
                    hits.add(-1 - v)
                    continue
                edges.append(e)
                nd = d + elen[e]
                old = dist.get(v)
                if old is None or nd < old:
                    dist[v] = nd
                    pred[v] = e
                    push(heap, (nd, v))
            break
    return dist, pred, edges, hits


def _hits_ids(net: Network, hits: set[int]) -> tuple[str, ...]:
    out = []
    for h in sorted(hits):
        out.append(net.node_ids[-1 - h] if h < 0 else net.edge_pipe_id[h])
    return tuple(dict.fromkeys(out))


def _sink_kind(net: Network, n: int, has_out: bool) -> list[tuple[str, str]]:
    kinds = [("plant", net.plant_ids[i]) for i in net.node_plants.get(n, ())]
    kinds += [("outfall", net.outfall_ids[i]) for i in net.node_outfalls.get(n, ())]
    if not kinds and not has_out:
        kinds.append(("dead_end", net.node_ids[n]))
    return kinds


def _enumerate_paths(
    net: Network, seeds: Sequence[int], edges: list[int], sinks: set[int], max_paths: int
) -> tuple[dict[int, list[list[int]]], bool]:
    """All simple paths (as edge lists) from the seeds to each sink over *edges* (capped)."""
    out: dict[int, list[int]] = {}
    uniq = list(dict.fromkeys(edges))
    ev = net.out_lists[2]
    if uniq and len(uniq) < 50_000:
        us = net.edge_u[uniq]
        if len(seeds) == 1 and us[0] == seeds[0] and (net.edge_v[uniq[:-1]] == us[1:]).all():
            # the walk went down one chain, edge after edge: *uniq* is that one path
            return _chain_paths(ev, {}, seeds, sinks, max_paths, chain=uniq)
        for e, u in zip(uniq, us.tolist(), strict=True):
            out.setdefault(u, []).append(e)
        if len(out) == len(uniq):  # one way out of every node: a chain per seed, no search
            return _chain_paths(ev, out, seeds, sinks, max_paths)
    paths: dict[int, list[list[int]]] = {}
    count = 0
    truncated = False
    budget = 200_000
    for s in seeds:
        if s in sinks:
            paths.setdefault(s, []).append([])
            count += 1
        stack: list[tuple[int, int]] = [(s, 0)]
        path: list[int] = []
        on_path = {s}
        while stack:
            budget -= 1
            if budget <= 0 or count >= max_paths:
                truncated = True
                break
            n, i = stack[-1]
            nxt = out.get(n, ())
            if i >= len(nxt):
                stack.pop()
                on_path.discard(n)
                if path:
                    path.pop()
                continue
            stack[-1] = (n, i + 1)
            e = nxt[i]
            v = ev[e]
            if v in on_path:
                continue
            path.append(e)
            if v in sinks:
                paths.setdefault(v, []).append(list(path))
                count += 1
            on_path.add(v)
            stack.append((v, 0))
        if truncated:
            break
    return paths, truncated


def _chain_paths(
    ev: list[int],
    out: dict[int, list[int]],
    seeds: Sequence[int],
    sinks: set[int],
    max_paths: int,
    chain: list[int] | None = None,
) -> tuple[dict[int, list[list[int]]], bool]:
    """:func:`_enumerate_paths` where every node has one way out (*out*, or the one *chain*
    of edges from the one seed): the one path from each seed is followed and the sinks on it
    recorded as the search would, in the same order; truncated once *max_paths* are found."""
    paths: dict[int, list[list[int]]] = {}
    count = 0
    for s in seeds:
        if count >= max_paths:
            return paths, True
        if s in sinks:
            paths.setdefault(s, []).append([])
            count += 1
            if count >= max_paths:
                return paths, True
        on_path = {s}
        if chain is not None:
            steps = chain
        else:
            steps = []
            n = s
            while (nxt := out.get(n)) and (v := ev[nxt[0]]) not in on_path:
                steps.append(nxt[0])
                on_path.add(v)
                n = v
            on_path = {s}
        for i, e in enumerate(steps):
            v = ev[e]
            if v in on_path:
                break
            on_path.add(v)
            if v in sinks:
                paths.setdefault(v, []).append(steps[: i + 1])
                count += 1
                if count >= max_paths:
                    return paths, True
    return paths, False


def trace_downstream(
    net: Network,
    start: str,
    *,
    barriers: Iterable[str] | None = None,
    max_paths: int = MAX_PATHS,
    findings: Findings = (),
    with_warnings: bool = True,
) -> TraceResult:
    """Everything downstream of *start*: the sinks it reaches and every path to them.

    Parameters
    ----------
    net : Network
    start : str
        A manhole, pipe, enterprise, outfall or plant id.
    barriers : iterable of str, optional
        Extra pipe or manhole ids the trace must not cross.
    max_paths : int
        Stop enumerating paths after this many (``truncated`` is then set on the sinks).
    findings : sequence of Issue or IssueIndex, optional
        The check findings to report in ``warnings`` (the errors and warnings naming the
        traced pipes, manholes and enterprises). Pass ``checked.issue_index`` of a
        :class:`network.state.CheckedNetwork` (indexed once) or any list of findings; none
        given, no warnings.
    with_warnings : bool
        False skips the look-up in *findings*.

    Returns
    -------
    TraceResult

    Raises
    ------
    UnknownIdError
        *start* names nothing in the network.
    NetworkError
        *start* is an enterprise, outfall or plant that is not attached to the network.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> trace_downstream(build_network({"pipes": pipes}), "A").pipes
    ('P1', 'P2')
    """
    t = net.resolve(start)
    if not t.nodes:
        raise NetworkError(
            f"{t.kind.capitalize()} {t.id} is not attached to the network; "
            f"set its connection manhole or move it closer to a pipe.",
            feature=t.id,
        )
    bar_e, bar_n = _barrier_sets(net, barriers)
    seeds = list(t.nodes)
    dist, _, edges, hits = _walk_down(net, seeds, bar_e, bar_n)
    reached = np.fromiter(dist, dtype=np.int64, count=len(dist))
    sinks = _sinks_reached(net, dist, reached)
    paths, truncated = _enumerate_paths(net, seeds, edges, set(sinks), max_paths)
    first_edges = list(t.edges)
    sink_rows = _sink_rows(net, sinks, dist, paths, first_edges, truncated)
    all_edges = list(dict.fromkeys(first_edges + edges))
    node_list = list(dist)
    at = net.node_enterprises
    ents = [i for n in reached[net.node_has_enterprise[reached]].tolist() for i in at[n]]
    return TraceResult(
        start=t.id,
        direction=DOWNSTREAM,
        pipes=IdView(net.pipe_edges.uniques, _pipe_codes_in_order(net, all_edges)),
        nodes=IdView(net.node_ids, reached),
        enterprises=IdView(net.ent_ids, np.asarray(ents, dtype=np.int64)),
        sinks=tuple(sink_rows),
        length_m=float(net.edge_length_m[all_edges].sum()),
        warnings=_warnings(net, findings, all_edges, node_list, ents) if with_warnings else (),
        barriers=_hits_ids(net, hits),
        plants=tuple(dict.fromkeys(r["id"] for r in sink_rows if r["kind"] == "plant")),
        outfalls=tuple(dict.fromkeys(r["id"] for r in sink_rows if r["kind"] == "outfall")),
        edges=tuple(all_edges),
    )


def _sinks_reached(
    net: Network, dist: dict[int, float], nodes: np.ndarray
) -> dict[int, list[tuple[str, str]]]:
    """Reached node -> its sinks as ``(kind, id)``: plants, outfalls, else a dead end
    (*nodes*: the keys of *dist* as an array)."""
    indptr = net.out_csr[0]
    has_out = indptr[nodes + 1] > indptr[nodes]
    maybe = ~has_out | net.node_is_plant[nodes] | net.node_is_outfall[nodes]
    sinks: dict[int, list[tuple[str, str]]] = {}
    for n, out in zip(nodes[maybe].tolist(), has_out[maybe].tolist(), strict=True):
        kinds = _sink_kind(net, n, out)
        if kinds:
            sinks[n] = kinds
    return sinks


def _sink_rows(
    net: Network,
    sinks: dict[int, list[tuple[str, str]]],
    dist: dict[int, float],
    paths: dict[int, list[list[int]]],
    first_edges: list[int],
    truncated: bool,
) -> list[dict[str, Any]]:
    """One row per sink, nearest first, with every enumerated path to it.

    *first_edges* (the start pipe's own parts) lead every path and count in its length.
    """
    lead = sum(float(net.edge_length_m[e]) for e in first_edges)
    rows = []
    for n in sorted(sinks, key=lambda k: (dist[k], k)):
        plist = []
        for p in paths.get(n, []):
            plist.append(
                {
                    "pipes": list(_pipe_ids(net, first_edges + p)),
                    "nodes": net.node_ids[
                        np.concatenate([net.edge_u[p[:1]], net.edge_v[p]])
                    ].tolist()
                    if p
                    else [net.node_ids[n]],
                    "length_m": round(lead + float(net.edge_length_m[p].sum()) if p else lead, 3),
                }
            )
        for kind, sid in sinks[n]:
            rows.append(
                {
                    "kind": kind,
                    "id": sid,
                    "node": net.node_ids[n],
                    "length_m": round(dist[n] + lead, 3),
                    "n_paths": len(plist),
                    "truncated": truncated,
                    "paths": plist,
                }
            )
    return rows


def _ents_in(net: Network, nodes: Iterable[int], edges: Iterable[int]) -> list[int]:
    """Enterprises attached to *nodes* (their water enters there)."""
    at = net.node_enterprises
    out: list[int] = []
    for n in nodes:
        out.extend(at.get(n, ()))
    return out


# --------------------------------------------------------------------------------------------
# upstream
# --------------------------------------------------------------------------------------------
def _reach_upstream_csgraph(
    net: Network, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Single-seed upstream search with scipy's compiled BFS on the network's reverse CSR
    matrix (static barriers baked in). None when another plant lies upstream (it must stop
    there)."""
    from scipy.sparse.csgraph import breadth_first_order

    mat, good = net.reverse_open_csr
    order = breadth_first_order(mat, seed, directed=True, return_predecessors=False)
    visited = np.zeros(net.n_nodes, dtype=bool)
    visited[order] = True
    plants = net.plant_node[net.plant_node >= 0]
    if (visited[plants] & (plants != seed)).any():
        return None
    into = visited[net.edge_v]
    bad_mask = into & ~good
    if bad_mask.any():
        bad = np.flatnonzero(bad_mask)
        into &= good
        hits = np.where(net.edge_open[bad], -1 - net.edge_u[bad], bad)
    else:
        hits = np.empty(0, np.int64)
    return visited, np.flatnonzero(into), hits


def reach_upstream(
    net: Network,
    seeds: Sequence[int],
    bar_edges: set[int] | None = None,
    bar_nodes: set[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first search against the flow on the CSR arrays.

    Returns
    -------
    visited : ndarray of bool
        Per node: drains to one of the seeds.
    edges : ndarray of int
        Traversed edge indices (twin pipes and loop edges included).
    barrier_hits : ndarray of int
        Barriers met: an edge index for a barrier pipe, ``-1 - node`` for a barrier manhole.
    """
    return _reach(net, seeds, bar_edges, bar_nodes)[:3]


def _reach(
    net: Network,
    seeds: Sequence[int],
    bar_edges: set[int] | None = None,
    bar_nodes: set[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """:func:`reach_upstream`, and whether its edges come sorted and once each (scipy's
    search) or in the order the level-by-level search met them."""
    if len(seeds) == 1 and not bar_edges and not bar_nodes:
        fast = _reach_upstream_csgraph(net, int(seeds[0]))
        if fast is not None:
            return (*fast, True)
    indptr, order = net.in_csr
    ok = net.edge_open.copy()
    if bar_edges:
        ok[list(bar_edges)] = False
    nbar = net.node_barrier.copy()
    if bar_nodes:
        nbar[list(bar_nodes)] = True
    stop = net.node_is_plant
    seeds_a = np.unique(np.asarray(seeds, dtype=np.int64))
    nbar[seeds_a] = False
    visited = np.zeros(net.n_nodes, dtype=bool)
    visited[seeds_a] = True
    owner = np.zeros(net.n_nodes, dtype=np.int64)
    frontier = seeds_a
    taken: list[np.ndarray] = []
    blocked: list[np.ndarray] = []
    eu = net.edge_u
    while frontier.size:
        lo = indptr[frontier]
        cnt = indptr[frontier + 1] - lo
        tot = int(cnt.sum())
        if tot == 0:
            break
        offs = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(tot)
        e = order[offs]
        u = eu[e]
        good = ok[e] & ~nbar[u]
        if not good.all():
            bad = e[~good]
            # pipes that are barriers as themselves, else the barrier manhole upstream
            blocked.append(np.where(ok[bad], -1 - u[~good], bad))
            e, u = e[good], u[good]
        taken.append(e)
        new = u[~visited[u]]
        if new.size:
            # drop repeats (twin pipes) without sorting: keep each node's first slot
            owner[new] = np.arange(len(new))
            new = new[owner[new] == np.arange(len(new))]
            visited[new] = True
            frontier = new[~stop[new]]
        else:
            frontier = new
    edges = np.concatenate(taken) if taken else np.empty(0, np.int64)
    bl = np.concatenate(blocked) if blocked else np.empty(0, np.int64)
    return visited, edges, bl, False


def _upstream_parts(
    net: Network, t: Target, bar_e: set[int], bar_n: set[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """(visited nodes, edges, barrier hits, enterprise mask, edges sorted once each)."""
    if not t.up_nodes and not t.edges:
        raise NetworkError(
            f"{t.kind.capitalize()} {t.id} is not attached to the network; "
            f"nothing can be traced upstream of it.",
            feature=t.id,
        )
    seeds = list(t.up_nodes)
    visited, edges, bl, edges_sorted = _reach(net, seeds, bar_e, bar_n)
    if t.kind == "pipe":
        # the pipe itself belongs to its upstream area, its outflow node does not
        edges = np.concatenate([np.asarray(t.edges, np.int64), edges])
    elif t.kind == "enterprise":
        visited[:] = False
        edges = np.empty(0, np.int64)
    ent_mask = np.zeros(len(net.ent_ids), dtype=bool)
    if len(net.ent_ids):
        att = net.ent_node >= 0
        ent_mask[att] = visited[net.ent_node[att]]
        if t.kind == "pipe":
            ent_mask |= np.isin(net.ent_edge, np.asarray(t.edges))
        if t.kind == "enterprise":
            ent_mask[net.ent_index[t.id]] = True
    return visited, edges, bl, ent_mask, edges_sorted and t.kind != "pipe"


def _area_result(
    net: Network,
    start: str | tuple[str, ...],
    direction: str,
    visited: np.ndarray,
    edges: np.ndarray,
    bl: np.ndarray,
    ent_mask: np.ndarray,
    findings: Findings,
    edges_sorted: bool = False,
) -> TraceResult:
    if len(edges) > 1 and not edges_sorted:
        emask = np.zeros(net.n_edges, dtype=bool)
        emask[edges] = True
        edges = np.flatnonzero(emask)
    nodes = np.flatnonzero(visited)
    ents = np.flatnonzero(ent_mask)
    plants = tuple(
        net.plant_ids[i]
        for i in np.flatnonzero((net.plant_node >= 0) & visited[np.maximum(net.plant_node, 0)])
    )
    outfalls = tuple(
        net.outfall_ids[i]
        for i in np.flatnonzero((net.outfall_node >= 0) & visited[np.maximum(net.outfall_node, 0)])
    )
    sinks = tuple(
        [
            {"kind": "plant", "id": p, "node": net.node_ids[net.plant_node[net.plant_index[p]]]}
            for p in plants
        ]
        + [
            {
                "kind": "outfall",
                "id": o,
                "node": net.node_ids[net.outfall_node[net.outfall_index[o]]],
            }
            for o in outfalls
        ]
    )
    hits: set[int] = set(bl.tolist())
    warnings = _warnings(net, findings, edges, nodes, ents)
    pe = net.pipe_edges
    return TraceResult(
        start=start,
        direction=direction,
        pipes=IdView(pe.uniques, _pipe_codes(net, edges)),
        nodes=IdView(net.node_ids, nodes),
        enterprises=IdView(net.ent_ids, ents),
        sinks=sinks,
        length_m=float(net.edge_length_m[edges].sum()),
        warnings=warnings,
        barriers=_hits_ids(net, hits),
        plants=plants,
        outfalls=outfalls,
        edges=EdgeView(edges),
    )


def trace_upstream(
    net: Network,
    start: str,
    *,
    barriers: Iterable[str] | None = None,
    findings: Findings = (),
    with_warnings: bool = True,
) -> TraceResult:
    """Everything that drains to *start*: all pipes, manholes and enterprises.

    Not a shortest-path tree: twin pipes and loop edges are all included. The trace does not
    pass through other treatment plants or barriers.

    Parameters
    ----------
    net : Network
    start : str
        A manhole, pipe, outfall, plant (or enterprise) id.
    barriers : iterable of str, optional
        Extra pipe or manhole ids the trace must not cross.
    findings : sequence of Issue or IssueIndex, optional
        The check findings to report in ``warnings``, as for :func:`trace_downstream`.
    with_warnings : bool
        False skips the look-up in *findings*.

    Returns
    -------
    TraceResult

    Raises
    ------
    UnknownIdError
        *start* names nothing in the network.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> trace_upstream(build_network({"pipes": pipes}), "C").nodes
    ('A', 'B', 'C')
    """
    t = net.resolve(start)
    bar_e, bar_n = _barrier_sets(net, barriers)
    visited, edges, bl, ent_mask, edges_sorted = _upstream_parts(net, t, bar_e, bar_n)
    return _area_result(
        net,
        t.id,
        UPSTREAM,
        visited,
        edges,
        bl,
        ent_mask,
        findings if with_warnings else (),
        edges_sorted=edges_sorted,
    )


def trace_common_upstream(
    net: Network,
    starts: Sequence[str],
    *,
    barriers: Iterable[str] | None = None,
    findings: Findings = (),
    with_warnings: bool = True,
) -> TraceResult:
    """What lies upstream of *every* one of *starts* (溯源 for a shared outfall).

    Parameters
    ----------
    net : Network
    starts : sequence of str
        Two or more outfall, manhole, pipe or plant ids (e.g. sampling points).
    barriers : iterable of str, optional
    findings : sequence of Issue or IssueIndex, optional
        The check findings to report in ``warnings``, as for :func:`trace_downstream`.
    with_warnings : bool
        False skips the look-up in *findings*.

    Returns
    -------
    TraceResult
        ``enterprises`` are those that can reach all of *starts*.

    Raises
    ------
    UnknownIdError
        One of *starts* names nothing in the network.
    NetworkError
        *starts* is empty.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> trace_common_upstream(build_network({"pipes": pipes}), ["B", "C"]).nodes
    ('A', 'B')
    """
    if not starts:
        raise NetworkError("Give at least one id for a common-upstream trace.")
    bar_e, bar_n = _barrier_sets(net, barriers)
    visited = edge_mask = ent_mask = None
    bl_all = []
    ids = []
    for s in starts:
        t = net.resolve(s)
        ids.append(t.id)
        v, e, bl, em, _ = _upstream_parts(net, t, bar_e, bar_n)
        emask = np.zeros(net.n_edges, dtype=bool)
        emask[e] = True
        visited = v if visited is None else visited & v
        edge_mask = emask if edge_mask is None else edge_mask & emask
        ent_mask = em if ent_mask is None else ent_mask & em
        bl_all.append(bl)
    return _area_result(
        net,
        tuple(ids),
        COMMON_UPSTREAM,
        visited,
        np.flatnonzero(edge_mask),
        np.concatenate(bl_all),
        ent_mask,
        findings if with_warnings else (),
        edges_sorted=True,
    )


def explain_common_upstream(
    net: Network,
    starts: Sequence[str],
    result: TraceResult,
    *,
    barriers: Iterable[str] | None = None,
) -> tuple[str, str] | None:
    """Why a common-upstream trace found nothing: ``(zh, en)``, or None when it found pipes.

    Either some of *starts* have nothing upstream at all, or their catchments are disjoint.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "C"],
    ...     "to_node": ["B", "D"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(0, 5), (10, 5)])])
    >>> net = build_network({"pipes": pipes})
    >>> res = trace_common_upstream(net, ["B", "D"])
    >>> explain_common_upstream(net, ["B", "D"], res)[1]
    'B and D share no upstream pipe: their catchments are disjoint.'
    """
    if result.pipes:
        return None
    ids = [net.resolve(s).id for s in starts]
    empty = [
        i for i in ids if not trace_upstream(net, i, barriers=barriers, with_warnings=False).pipes
    ]
    names = " and ".join([", ".join(ids[:-1]), ids[-1]]) if len(ids) > 1 else ids[0]
    names_zh = "、".join(ids)
    if empty:
        return (
            f"{'、'.join(empty)} 上游没有任何管线，因此 {names_zh} 没有共同上游。",
            f"{', '.join(empty)} {'has' if len(empty) == 1 else 'have'} nothing upstream, so "
            f"{names} share no upstream pipe.",
        )
    return (
        f"{names_zh} 没有共同的上游管线：它们的汇水范围互不相交。",
        f"{names} share no upstream pipe: their catchments are disjoint.",
    )


# --------------------------------------------------------------------------------------------
# paths, loops, profiles
# --------------------------------------------------------------------------------------------
def _path_edges(
    net: Network, a: int, b: int, bar_e: set[int], bar_n: set[int]
) -> list[int] | None:
    dist, pred, _, _ = _walk_down(net, [a], bar_e, bar_n, target=b)
    if b not in dist:
        return None
    out = []
    n = b
    while n != a:
        e = pred[n]
        out.append(e)
        n = int(net.edge_u[e])
    return out[::-1]


def find_flow_path(
    net: Network,
    a: str,
    b: str,
    *,
    barriers: Iterable[str] | None = None,
    findings: Findings = (),
    with_warnings: bool = True,
) -> TraceResult:
    """The shortest flow path between two points (from *a* down to *b*, or *b* down to *a*).

    Parameters
    ----------
    net : Network
    a, b : str
        Manhole (or other) ids.
    barriers : iterable of str, optional
    findings : sequence of Issue or IssueIndex, optional
        The check findings to report in ``warnings``, as for :func:`trace_downstream`.
    with_warnings : bool
        False skips the look-up in *findings*.

    Returns
    -------
    TraceResult
        ``direction`` is ``path``; ``start`` is ``(upstream id, downstream id)``; ``pipes`` and
        ``nodes`` are in flow order.

    Raises
    ------
    NoPathError
        Water from neither point reaches the other.
    UnknownIdError
        An id names nothing in the network.
    """
    ta, tb = net.resolve(a), net.resolve(b)
    bar_e, bar_n = _barrier_sets(net, barriers)
    best: tuple[float, list[int], Target, Target] | None = None
    for x, y in ((ta, tb), (tb, ta)):
        for s in x.nodes:
            for g in y.up_nodes or y.nodes:
                p = _path_edges(net, s, g, bar_e, bar_n)
                if p is None:
                    continue
                lead = [e for e in x.edges if e not in p] if x.kind == "pipe" else []
                tail = [e for e in y.edges if e not in p] if y.kind == "pipe" else []
                edges = lead + p + tail
                length = float(net.edge_length_m[edges].sum()) if edges else 0.0
                if best is None or length < best[0]:
                    best = (length, edges, x, y)
        if best is not None:
            break
    if best is None:
        raise NoPathError(
            f"No flow path joins {ta.id} and {tb.id}: water from neither "
            f"reaches the other (check flow directions and barriers).",
            feature=ta.id,
        )
    length, edges, x, y = best
    nodes = (
        [int(net.edge_u[edges[0]])] + [int(net.edge_v[e]) for e in edges]
        if edges
        else list(x.nodes)
    )
    ents = _ents_in(net, nodes, edges)
    warnings = _warnings(net, findings, edges, nodes, ents) if with_warnings else ()
    return TraceResult(
        start=(x.id, y.id),
        direction=PATH,
        pipes=_pipe_ids(net, edges),
        nodes=tuple(net.node_ids[nodes].tolist()),
        enterprises=_ids(net.ent_ids, ents),
        sinks=(),
        length_m=length,
        warnings=warnings,
        edges=tuple(edges),
    )


def find_loops(net: Network) -> list[dict[str, Any]]:
    """Closed flow loops (cycles), one entry per strongly connected group.

    Returns
    -------
    list of dict
        ``nodes`` and ``pipes`` (ids) of each loop, ``self_loop`` for a pipe whose two ends
        are the same node.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "A"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (0, 1e-6)])])
    >>> [sorted(loop["pipes"]) for loop in find_loops(build_network({"pipes": pipes}))]
    [['P1', 'P2']]
    """
    import scipy.sparse as sp

    n = net.n_nodes
    if n == 0:
        return []
    adj = sp.csr_matrix((np.ones(net.n_edges, np.int8), (net.edge_u, net.edge_v)), shape=(n, n))
    n_comp, labels = csgraph.connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n_comp)
    loops = []
    in_loop = sizes[labels] > 1
    same = labels[net.edge_u] == labels[net.edge_v]
    loop_edges = np.flatnonzero(same & in_loop[net.edge_u])
    by_comp: dict[int, list[int]] = {}
    for e in loop_edges.tolist():
        by_comp.setdefault(int(labels[net.edge_u[e]]), []).append(e)
    for comp, edges in sorted(by_comp.items(), key=lambda kv: min(kv[1])):
        nodes = np.flatnonzero(labels == comp)
        loops.append(
            {
                "nodes": net.node_ids[nodes].tolist(),
                "pipes": list(_pipe_ids(net, edges)),
                "edges": edges,
                "self_loop": False,
            }
        )
    for e in np.flatnonzero(net.edge_u == net.edge_v).tolist():
        loops.append(
            {
                "nodes": [net.node_ids[net.edge_u[e]]],
                "pipes": [net.edge_pipe_id[e]],
                "edges": [e],
                "self_loop": True,
            }
        )
    return loops


@dataclass(frozen=True)
class ProfileResult:
    """Longitudinal-profile data along a flow path.

    ``rows`` has one dict per pipe part in flow order: ``pipe_id``, ``part``, ``from_node``,
    ``to_node``, ``chainage_start_m``, ``chainage_end_m``, ``length_m``, ``invert_up_m``,
    ``invert_down_m``, ``ground_up_m``, ``ground_down_m``, ``diameter_mm``, ``slope``
    (fall per metre, positive downhill). ``nodes`` has ``node_id``, ``chainage_m``,
    ``ground_m`` per node.
    """

    path: TraceResult
    rows: tuple[dict[str, Any], ...]
    nodes: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "path": self.path.to_dict(),
            "rows": [dict(r) for r in self.rows],
            "nodes": [dict(n) for n in self.nodes],
        }


def _nan_to_none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def longitudinal_profile(
    net: Network,
    a: str,
    b: str | None = None,
    *,
    barriers: Iterable[str] | None = None,
    findings: Findings = (),
) -> ProfileResult:
    """Profile data (chainage, inverts, ground levels, diameters) along a flow path.

    Parameters
    ----------
    net : Network
    a : str
        Start (upstream or downstream end).
    b : str, optional
        Other end; when omitted, the shortest path from *a* to its nearest sink.
    barriers : iterable of str, optional
    findings : sequence of Issue or IssueIndex, optional
        Check findings to report in the path's ``warnings`` (see :func:`trace_downstream`).

    Returns
    -------
    ProfileResult

    Raises
    ------
    NoPathError
        The two points are not joined by a flow path, or *a* drains nowhere.
    """
    if b is None:
        down = trace_downstream(net, a, barriers=barriers, max_paths=1, with_warnings=False)
        if not down.sinks:
            raise NoPathError(f"Nothing downstream of {a}: no profile to draw.", feature=a)
        b = "node:" + down.sinks[0]["node"]
    path = find_flow_path(net, a, b, barriers=barriers, findings=findings)
    ground = _ground_levels(net)
    rows = []
    nodes_out = []
    ch = 0.0
    for k, e in enumerate(path.edges):
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        if k == 0:
            nodes_out.append(_profile_node(net, u, 0.0, ground))
        row = _profile_row(net, e, ch, ground)
        rows.append(row)
        ch += float(net.edge_length_m[e])
        nodes_out.append(_profile_node(net, v, round(ch, 3), ground))
    return ProfileResult(path=path, rows=tuple(rows), nodes=tuple(nodes_out))


def _ground_levels(net: Network) -> np.ndarray:
    """Ground level per node from the manholes' ``ground_m`` (NaN for junctions, unknown)."""
    ground = np.full(net.n_nodes, np.nan)
    mh = net.layers.get("manholes")
    if mh is not None and "ground_m" in mh.columns:
        g = float_array(mh, "ground_m")
        rows_mh = net.node_manhole_row
        has = rows_mh >= 0
        ground[has] = g[rows_mh[has]]
    return ground


def _profile_node(net: Network, n: int, chainage: float, ground: np.ndarray) -> dict[str, Any]:
    return {
        "node_id": net.node_ids[n],
        "chainage_m": chainage,
        "ground_m": _nan_to_none(ground[n]),
    }


def _profile_row(net: Network, e: int, ch: float, ground: np.ndarray) -> dict[str, Any]:
    """One pipe part of a profile: inverts interpolated along the piece, starting at *ch*."""
    p = int(net.edge_piece[e])
    f0, f1 = float(net.edge_frac0[e]), float(net.edge_frac1[e])
    t0, t1 = (1 - f1, 1 - f0) if net.piece_reversed[p] else (f0, f1)
    up, dn = net.piece_up_invert[p], net.piece_down_invert[p]
    inv_u = up + (dn - up) * t0
    inv_d = up + (dn - up) * t1
    u, v = int(net.edge_u[e]), int(net.edge_v[e])
    length = float(net.edge_length_m[e])
    return {
        "pipe_id": net.piece_pipe_id[p],
        "part": int(net.edge_part[e]),
        "from_node": net.node_ids[u],
        "to_node": net.node_ids[v],
        "chainage_start_m": round(ch, 3),
        "chainage_end_m": round(ch + length, 3),
        "length_m": round(length, 3),
        "invert_up_m": _nan_to_none(inv_u),
        "invert_down_m": _nan_to_none(inv_d),
        "ground_up_m": _nan_to_none(ground[u]),
        "ground_down_m": _nan_to_none(ground[v]),
        "diameter_mm": _nan_to_none(net.piece_diameter_mm[p]),
        "slope": _nan_to_none((inv_u - inv_d) / length) if length > 0 else None,
    }
