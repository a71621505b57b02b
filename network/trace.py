"""Traces on a :class:`network.graph.Network`: downstream, upstream, common upstream, paths,
loops and longitudinal profiles.

Every trace accepts any manhole, pipe, enterprise, outfall or plant id (see
:meth:`Network.resolve`), honours barriers (pipes with status ``blocked``/``closed``, manholes
with such a status, plus ids given by the caller) and reports in ``warnings`` the unresolved
check findings (errors and warnings) inside the traced area, so a result is never trusted
blindly where the data are dirty.

Downstream traces walk Python lists (they touch few nodes); upstream traces run a
level-synchronous breadth-first search on the CSR arrays (they may touch the whole network).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse.csgraph import connected_components

from network.errors import NetworkError
from network.graph import Network, Target
from network.issues import ERROR, WARNING, Issue

UPSTREAM, DOWNSTREAM, COMMON_UPSTREAM, PATH = "upstream", "downstream", "common_upstream", "path"
MAX_PATHS = 50


class NoPathError(NetworkError):
    """No flow path joins the two given points."""


@dataclass(frozen=True)
class TraceResult:
    """The outcome of a trace.

    Attributes
    ----------
    start : str or tuple of str
        The id(s) the trace started from.
    direction : str
        ``upstream``, ``downstream``, ``common_upstream`` or ``path``.
    pipes, nodes, enterprises : tuple of str
        Ids inside the traced area (pipes once each, even when split into parts).
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
    edges : tuple of int
        Edge indices of the traced area (for the GUI; not in :meth:`to_dict`).
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


def issue_index(net: Network) -> dict[str, dict[int, list[int]]]:
    """Map edges, nodes and enterprises to the error/warning findings naming them (cached)."""
    cached = net.__dict__.get("_issue_index")
    if cached is not None:
        return cached
    idx: dict[str, dict[int, list[int]]] = {"edge": {}, "node": {}, "ent": {}}
    for k, issue in enumerate(net.issues):
        if issue.severity not in (ERROR, WARNING):
            continue
        for fid in issue.feature_ids:
            if issue.layer == "pipes":
                for e in net.pipe_edges.get(fid, ()):
                    idx["edge"].setdefault(e, []).append(k)
            elif issue.layer == "manholes":
                n = net.node_index.get(fid)
                if n is not None:
                    idx["node"].setdefault(n, []).append(k)
            elif issue.layer == "enterprises":
                i = net.ent_index.get(fid)
                if i is not None:
                    idx["ent"].setdefault(i, []).append(k)
            elif issue.layer in ("outfalls", "plants"):
                t = (net.outfall_index if issue.layer == "outfalls" else net.plant_index).get(fid)
                if t is not None:
                    n = int((net.outfall_node if issue.layer == "outfalls" else net.plant_node)[t])
                    if n >= 0:
                        idx["node"].setdefault(n, []).append(k)
    net.__dict__["_issue_index"] = idx
    return idx


def _warnings(
    net: Network, edges: Iterable[int], nodes: Iterable[int], ents: Iterable[int]
) -> tuple[Issue, ...]:
    idx = issue_index(net)
    found: set[int] = set()
    for key, items in (("edge", edges), ("node", nodes), ("ent", ents)):
        m = idx[key]
        if not m:
            continue
        if len(m) < 64:
            for el in set(m).intersection(items):
                found.update(m[el])
        else:
            for el in items:
                hit = m.get(el)
                if hit:
                    found.update(hit)
    issues = net.issues
    return tuple(issues[k] for k in sorted(found))


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
    plants = net.__dict__.get("_plant_nodes")
    if plants is None:
        plants = set(np.flatnonzero(net.node_is_plant).tolist())
        net.__dict__["_plant_nodes"] = plants
        net.__dict__["_static_bar_nodes"] = set(np.flatnonzero(net.node_barrier).tolist())
    static_bn: set[int] = net.__dict__["_static_bar_nodes"]
    seed_set = set(seeds)
    dist: dict[int, float] = dict.fromkeys(seeds, 0.0)
    pred: dict[int, int] = {}
    heap = [(0.0, s) for s in seeds]
    done: set[int] = set()
    edges: list[int] = []
    hits: set[int] = set()
    while heap:
        d, n = heapq.heappop(heap)
        if n in done:
            continue
        done.add(n)
        if n == target:
            break
        if n in plants and n not in seed_set:
            continue
        for k in range(indptr[n], indptr[n + 1]):
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
                heapq.heappush(heap, (nd, v))
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
    for e in dict.fromkeys(edges):
        out.setdefault(int(net.edge_u[e]), []).append(e)
    ev = net.edge_v
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
            v = int(ev[e])
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


def trace_downstream(
    net: Network,
    start: str,
    *,
    barriers: Iterable[str] | None = None,
    max_paths: int = MAX_PATHS,
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
    with_warnings : bool
        Look up unresolved findings in the traced area (runs the checks once per network).

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
    >>> trace_downstream(build_network({"pipes": pipes}), "A", with_warnings=False).pipes
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
    first_edges = list(t.edges)
    indptr = net.out_lists[0]
    sinks: dict[int, list[tuple[str, str]]] = {}
    for n in dist:
        has_out = indptr[n + 1] > indptr[n]
        kinds = _sink_kind(net, n, has_out)
        if kinds:
            sinks[n] = kinds
    paths, truncated = _enumerate_paths(net, seeds, edges, set(sinks), max_paths)
    lead = sum(float(net.edge_length_m[e]) for e in first_edges)
    sink_rows = []
    for n in sorted(sinks, key=lambda k: (dist[k], k)):
        plist = []
        for p in paths.get(n, []):
            all_e = first_edges + p
            plist.append(
                {
                    "pipes": list(_pipe_ids(net, all_e)),
                    "nodes": [net.node_ids[int(net.edge_u[p[0]])]]
                    + [net.node_ids[int(net.edge_v[e])] for e in p]
                    if p
                    else [net.node_ids[n]],
                    "length_m": round(lead + float(net.edge_length_m[p].sum()) if p else lead, 3),
                }
            )
        for kind, sid in sinks[n]:
            sink_rows.append(
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
    all_edges = list(dict.fromkeys(first_edges + edges))
    node_list = list(dist)
    ents = _ents_in(net, node_list, all_edges)
    warnings = _warnings(net, all_edges, node_list, ents) if with_warnings else ()
    return TraceResult(
        start=t.id,
        direction=DOWNSTREAM,
        pipes=_pipe_ids(net, all_edges),
        nodes=_ids(net.node_ids, node_list),
        enterprises=_ids(net.ent_ids, ents),
        sinks=tuple(sink_rows),
        length_m=float(net.edge_length_m[all_edges].sum()),
        warnings=warnings,
        barriers=_hits_ids(net, hits),
        plants=tuple(dict.fromkeys(r["id"] for r in sink_rows if r["kind"] == "plant")),
        outfalls=tuple(dict.fromkeys(r["id"] for r in sink_rows if r["kind"] == "outfall")),
        edges=tuple(all_edges),
    )


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
    """Single-seed upstream search with scipy's compiled BFS on a cached reverse CSR matrix
    (static barriers baked in). None when another plant lies upstream (it must stop there)."""
    from scipy import sparse
    from scipy.sparse.csgraph import breadth_first_order

    cache = net.__dict__.get("_reverse_csr")
    if cache is None:
        good = net.edge_open & ~net.node_barrier[net.edge_u]
        e = np.flatnonzero(good)
        n = net.n_nodes
        mat = sparse.csr_matrix(
            (np.ones(len(e), dtype=np.int8), (net.edge_v[e], net.edge_u[e])), shape=(n, n)
        )
        cache = (mat, good)
        net.__dict__["_reverse_csr"] = cache
    mat, good = cache
    order = breadth_first_order(mat, seed, directed=True, return_predecessors=False)
    visited = np.zeros(net.n_nodes, dtype=bool)
    visited[order] = True
    stop = net.node_is_plant
    if stop[order].sum() - int(stop[seed]) > 0:
        return None
    into = visited[net.edge_v]
    edges = np.flatnonzero(into & good)
    bad = np.flatnonzero(into & ~good)
    hits = np.where(net.edge_open[bad], -1 - net.edge_u[bad], bad)
    return visited, edges, hits


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
    if len(seeds) == 1 and not bar_edges and not bar_nodes:
        fast = _reach_upstream_csgraph(net, int(seeds[0]))
        if fast is not None:
            return fast
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
    return visited, edges, bl


def _upstream_parts(
    net: Network, t: Target, bar_e: set[int], bar_n: set[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if not t.up_nodes and not t.edges:
        raise NetworkError(
            f"{t.kind.capitalize()} {t.id} is not attached to the network; "
            f"nothing can be traced upstream of it.",
            feature=t.id,
        )
    seeds = list(t.up_nodes)
    visited, edges, bl = reach_upstream(net, seeds, bar_e, bar_n)
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
    return visited, edges, bl, ent_mask


def _area_result(
    net: Network,
    start: str | tuple[str, ...],
    direction: str,
    visited: np.ndarray,
    edges: np.ndarray,
    bl: np.ndarray,
    ent_mask: np.ndarray,
    with_warnings: bool,
) -> TraceResult:
    if len(edges):
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
    hits: set[int] = set()
    hits.update(bl.tolist())
    warnings = (
        _warnings(net, edges.tolist(), nodes.tolist(), ents.tolist()) if with_warnings else ()
    )
    return TraceResult(
        start=start,
        direction=direction,
        pipes=_pipe_ids(net, edges, ordered=False),
        nodes=tuple(net.node_ids[nodes].tolist()),
        enterprises=tuple(net.ent_ids[ents].tolist()),
        sinks=sinks,
        length_m=float(net.edge_length_m[edges].sum()),
        warnings=warnings,
        barriers=_hits_ids(net, hits),
        plants=plants,
        outfalls=outfalls,
        edges=tuple(edges.tolist()),
    )


def trace_upstream(
    net: Network, start: str, *, barriers: Iterable[str] | None = None, with_warnings: bool = True
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
    with_warnings : bool
        Look up unresolved findings in the traced area.

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
    >>> trace_upstream(build_network({"pipes": pipes}), "C", with_warnings=False).nodes
    ('A', 'B', 'C')
    """
    t = net.resolve(start)
    bar_e, bar_n = _barrier_sets(net, barriers)
    visited, edges, bl, ent_mask = _upstream_parts(net, t, bar_e, bar_n)
    return _area_result(net, t.id, UPSTREAM, visited, edges, bl, ent_mask, with_warnings)


def trace_common_upstream(
    net: Network,
    starts: Sequence[str],
    *,
    barriers: Iterable[str] | None = None,
    with_warnings: bool = True,
) -> TraceResult:
    """What lies upstream of *every* one of *starts* (溯源 for a shared outfall).

    Parameters
    ----------
    net : Network
    starts : sequence of str
        Two or more outfall, manhole, pipe or plant ids (e.g. sampling points).
    barriers : iterable of str, optional
    with_warnings : bool

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
    >>> trace_common_upstream(build_network({"pipes": pipes}), ["B", "C"],
    ...                       with_warnings=False).nodes
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
        v, e, bl, em = _upstream_parts(net, t, bar_e, bar_n)
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
        with_warnings,
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
    with_warnings: bool = True,
) -> TraceResult:
    """The shortest flow path between two points (from *a* down to *b*, or *b* down to *a*).

    Parameters
    ----------
    net : Network
    a, b : str
        Manhole (or other) ids.
    barriers : iterable of str, optional
    with_warnings : bool

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
    warnings = _warnings(net, edges, nodes, ents) if with_warnings else ()
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
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
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
    net: Network, a: str, b: str | None = None, *, barriers: Iterable[str] | None = None
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
    path = find_flow_path(net, a, b, barriers=barriers)
    ground = np.full(net.n_nodes, np.nan)
    mh = net.layers.get("manholes")
    if mh is not None and "ground_m" in mh.columns:
        from network.graph import float_array

        g = float_array(mh, "ground_m")
        rows_mh = net.node_manhole_row
        has = rows_mh >= 0
        ground[has] = g[rows_mh[has]]
    rows = []
    nodes_out = []
    ch = 0.0
    for k, e in enumerate(path.edges):
        p = int(net.edge_piece[e])
        f0, f1 = float(net.edge_frac0[e]), float(net.edge_frac1[e])
        if net.piece_reversed[p]:
            t0, t1 = 1 - f1, 1 - f0
        else:
            t0, t1 = f0, f1
        up, dn = net.piece_up_invert[p], net.piece_down_invert[p]
        inv_u = up + (dn - up) * t0
        inv_d = up + (dn - up) * t1
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        length = float(net.edge_length_m[e])
        if k == 0:
            nodes_out.append(
                {
                    "node_id": net.node_ids[u],
                    "chainage_m": 0.0,
                    "ground_m": _nan_to_none(ground[u]),
                }
            )
        rows.append(
            {
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
        )
        ch += length
        nodes_out.append(
            {
                "node_id": net.node_ids[v],
                "chainage_m": round(ch, 3),
                "ground_m": _nan_to_none(ground[v]),
            }
        )
    return ProfileResult(path=path, rows=tuple(rows), nodes=tuple(nodes_out))
