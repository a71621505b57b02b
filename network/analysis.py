"""Analyses on a built network: connection register (纳管台账), flow/COD accumulation and plant
balance, service areas, network statistics for the park table.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from network import schema as S
from network.graph import Network, float_array, str_array
from network.lazy import lazy_module
from network.progress import Progress, drain
from network.trace import _walk_down, trace_upstream

pd = lazy_module("pandas", globals())
sparse = lazy_module("scipy.sparse", globals())

# connection status of an enterprise
CONNECTED, TO_OUTFALL, NOWHERE, UNATTACHED = "plant", "outfall", "none", "unattached"
STATUS_LABELS_ZH = {
    CONNECTED: "已纳管",
    TO_OUTFALL: "排往排放口",
    NOWHERE: "无去向",
    UNATTACHED: "未接入管网",
}
METHOD_LABELS_ZH = {
    "field": "接入井字段",
    "nearest_node": "就近检查井",
    "nearest_pipe": "就近管线",
    None: "",
}
# the plant-balance flags as people read them
FLAG_LABELS_ZH = {
    "over_capacity": "纳管水量超设计规模",
    "load_over_capacity": "实际负荷超设计规模",
    "load_below_connected": "实际负荷偏低（疑漏损或错接）",
    "load_above_connected": "实际负荷偏高（疑外水或未登记来源）",
    "low_influent_cod": "进水COD偏低（需一厂一策排查）",
    "online_monitoring_required": "须安装在线监测",
}
LOW_INFLUENT_COD_MGL = 260.0
ONLINE_MONITORING_TPD = 500.0


def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


# --------------------------------------------------------------------------------------------
# connection register
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConnectionRow:
    """One enterprise in the connection register."""

    ent_id: str
    name: str | None
    credit_code: str | None
    flow_tpd: float
    cod_mgl: float | None
    cod_kgd: float | None
    node: str | None
    method: str | None
    status: str
    plant_id: str | None
    outfalls: tuple[str, ...]
    path_length_m: float | None
    pipes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        # no asdict: it deep-copies every path's pipe ids (millions at the scale of a park)
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["outfalls"] = list(self.outfalls)
        d["pipes"] = list(self.pipes)
        for k in ("flow_tpd", "cod_mgl", "cod_kgd", "path_length_m"):
            d[k] = _r(d[k])
        return d


@dataclass(frozen=True, eq=False)
class RegisterPipeCodes:
    """The pipes of every register row as codes into a network's unique pipe ids.

    Row *i*'s pipes are ``uniques[flat[offsets[i]:offsets[i + 1]]]``: what the register
    step knew as numbers, kept so that storing the register needs no look-up of millions of
    pipe ids (:func:`network.io.topology.encode`).
    """

    offsets: np.ndarray
    flat: np.ndarray
    uniques: np.ndarray


@dataclass(frozen=True)
class ConnectionRegister:
    """The connection register with its rates.

    ``plants`` has one dict per plant (``plant_id``, ``name``, ``n_enterprises``,
    ``flow_tpd``, ``cod_kgd``, ``share_count``, ``share_volume``); ``park`` holds the totals
    and the connection rates by count (``rate_count``) and by wastewater volume
    (``rate_volume``). ``pipe_codes`` (not compared) is the rows' pipes as numbers when the
    register was traced on a network (None when it was read back from a file).
    """

    rows: tuple[ConnectionRow, ...]
    plants: tuple[dict[str, Any], ...]
    park: dict[str, Any]
    pipe_codes: RegisterPipeCodes | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "enterprises": [r.to_dict() for r in self.rows],
            "plants": [dict(p) for p in self.plants],
            "park": dict(self.park),
        }

    def to_frame(self) -> pd.DataFrame:
        """Rows as a DataFrame with Chinese column names (as exported)."""
        return pd.DataFrame(
            [
                {
                    "企业编号": r.ent_id,
                    "企业名称": r.name,
                    "统一社会信用代码": r.credit_code,
                    "废水量(t/d)": _r(r.flow_tpd),
                    "COD(mg/L)": _r(r.cod_mgl),
                    "COD负荷(kg/d)": _r(r.cod_kgd),
                    "接入井": r.node,
                    "接入方式": METHOD_LABELS_ZH.get(r.method, r.method or ""),
                    "纳管状态": STATUS_LABELS_ZH[r.status],
                    "接入污水处理厂": r.plant_id,
                    "到达排放口": "、".join(r.outfalls),
                    "路径长度(m)": _r(r.path_length_m, 1),
                    "途经管线": "、".join(r.pipes),
                }
                for r in self.rows
            ]
        )


_Target = tuple[str, str | None, tuple[str, ...], float | None, tuple[str, ...]]
"""Where water entering a node goes: status, plant id, outfall ids, length, pipe ids."""


def _drain_target(net: Network, node: int) -> _Target:
    """Walk down from *node*: the nearest plant (connected), else the nearest outfall, else
    nowhere; with the outfalls reached, the path length and the pipes on the way."""
    return _drain_target_coded(net, node)[0]


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """*codes* without repeats, each where it first occurs (``dict.fromkeys`` on numbers)."""
    if len(codes) < 2:
        return codes
    _, first = np.unique(codes, return_index=True)
    return codes[np.sort(first)]


def _drain_target_coded(net: Network, node: int) -> tuple[_Target, np.ndarray]:
    """:func:`_drain_target` and its pipes as codes into ``net.pipe_edges.uniques``."""
    plant_at, outfall_at = net.node_plants, net.node_outfalls
    dist, pred, _, _ = _walk_down(net, [node], set(), set())
    plants = [(d, m) for m, d in dist.items() if m in plant_at]
    outs = [(d, m) for m, d in dist.items() if m in outfall_at]
    out_ids = tuple(net.outfall_ids[k] for _, m in sorted(outs) for k in outfall_at[m])
    if plants:
        d, m = min(plants)
        status, pid = CONNECTED, net.plant_ids[plant_at[m][0]]
    elif outs:
        d, m = min(outs)
        status, pid = TO_OUTFALL, None
    else:
        d, m, status, pid = None, None, NOWHERE, None
    pipes: tuple[str, ...] = ()
    codes = _NO_CODES
    if m is not None:
        path = []
        k = m
        while k != node:
            e = pred[k]
            path.append(e)
            k = int(net.edge_u[e])
        pipes = tuple(dict.fromkeys(net.edge_pipe_id[path[::-1]].tolist()))
        pe = net.pipe_edges
        codes = _first_seen(pe.codes[np.asarray(path[::-1], dtype=np.int64)]).astype(np.int32)
    return (status, pid, out_ids, d, pipes), codes


_NO_CODES = np.empty(0, dtype=np.int32)  # the stored register's width


def drain_targets(net: Network, starts: np.ndarray) -> dict[int, _Target]:
    """Where water entering each node of *starts* goes, for all of them in one pass.

    The same answer as one downstream Dijkstra per node (:func:`_drain_target`): a
    vectorised walk along the unique way out of every node when the network is a forest,
    else one reverse multi-source search per sink on the whole graph
    (:func:`_multi_sink_reach`).

    Parameters
    ----------
    net : Network
    starts : ndarray of int
        Node indices (unique).

    Returns
    -------
    dict
        Node index -> (status, plant id, outfall ids, path length, pipe ids).
    """
    return _drain_targets(net, starts, None)


def _drain_targets(
    net: Network, starts: np.ndarray, codes: dict[int, np.ndarray] | None
) -> dict[int, _Target]:
    """:func:`drain_targets`; fills *codes* (when given) with each node's pipes as codes
    into ``net.pipe_edges.uniques``."""
    starts = np.unique(np.asarray(starts, dtype=np.int64))
    if not len(starts):
        return {}
    fast = _forest_reach(net, starts, codes)
    if fast is not None:
        return fast
    return _multi_sink_reach(net, starts, codes)


def iter_connection_register(net: Network) -> Generator[Progress, None, ConnectionRegister]:
    """Generator version of :func:`connection_register`."""
    ents = net.layers.get(S.ENTERPRISES)
    n = len(net.ent_ids)
    names = str_array(ents, S.NAME) if ents is not None else np.full(n, None, dtype=object)
    codes = str_array(ents, S.CREDIT_CODE) if ents is not None else names
    cache: dict[int, _Target] = {}
    coded: dict[int, np.ndarray] = {}
    yield 0.0, "Finding where each enterprise drains"
    cache.update(_drain_targets(net, net.ent_node[net.ent_node >= 0], coded))
    rows = []
    row_codes: list[np.ndarray] = []
    step = max(1, n // 50)
    # Python lists: the same values and objects as indexing the arrays, without a numpy
    # scalar per enterprise and field
    ent_ids, ent_nodes, methods = (
        net.ent_ids.tolist(),
        net.ent_node.tolist(),
        net.ent_method.tolist(),
    )
    flows, cods = net.ent_flow_tpd.tolist(), net.ent_cod_mgl.tolist()
    for i in range(n):
        if i % step == 0:
            yield i / max(n, 1), f"Tracing enterprise {i + 1} of {n}"
        node = int(ent_nodes[i])
        flow = float(flows[i])
        cod = float(cods[i]) if math.isfinite(cods[i]) else None
        cod_kgd = flow * cod / 1000.0 if cod is not None else None
        if node < 0:
            rows.append(
                ConnectionRow(
                    ent_ids[i],
                    names[i],
                    codes[i],
                    flow,
                    cod,
                    cod_kgd,
                    None,
                    None,
                    UNATTACHED,
                    None,
                    (),
                    None,
                    (),
                )
            )
            row_codes.append(_NO_CODES)
            continue
        res = cache.get(node)
        if res is None:
            res, coded[node] = _drain_target_coded(net, node)
            cache[node] = res
        row_codes.append(coded[node])
        status, pid, out_ids, d, pipes = res
        rows.append(
            ConnectionRow(
                ent_ids[i],
                names[i],
                codes[i],
                flow,
                cod,
                cod_kgd,
                net.node_ids[node],
                methods[i],
                status,
                pid,
                out_ids,
                d,
                pipes,
            )
        )
    yield 1.0, "Summing up"
    sizes = np.fromiter(map(len, row_codes), dtype=np.int64, count=len(row_codes))
    offsets = np.zeros(len(row_codes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.concatenate(row_codes) if row_codes else _NO_CODES
    # int32: the stored register's width (a million pipes need no more)
    flat = flat.astype(np.int32, copy=False)
    pipe_codes = RegisterPipeCodes(offsets, flat, net.pipe_edges.uniques)
    return _register_totals(net, rows, pipe_codes)


def functional_successor(net: Network) -> np.ndarray | None:
    """Per node the one edge its water leaves by (-1 at sinks, plants and barriers), or None
    when some node drains to two different nodes or the flow has a cycle.

    Twin pipes to the same node count as one way out (the shorter is taken).
    """
    n = net.n_nodes
    ok = net.edge_open & ~net.node_barrier[net.edge_v] & ~net.node_is_plant[net.edge_u]
    e = np.flatnonzero(ok)
    if not len(e):
        return np.full(n, -1, dtype=np.int64)
    u, v = net.edge_u[e], net.edge_v[e]
    succ = np.full(n, -1, dtype=np.int64)
    if np.bincount(u, minlength=n).max() <= 1:  # one way out of every node: nothing to pick
        succ[u] = e
    else:
        order = np.lexsort((net.edge_length_m[e], u))
        e, u, v = e[order], u[order], v[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = u[1:] != u[:-1]
        starts = np.flatnonzero(first)
        # distinct successors per node
        vmin = np.minimum.reduceat(v, starts)
        vmax = np.maximum.reduceat(v, starts)
        if (vmin != vmax).any():
            return None
        succ[u[starts]] = e[starts]
    # acyclic? every node's way out ends (at -1, here node n) within n steps: jump 1, 2, 4 …
    # steps at a time (pointer doubling), log2(n) passes instead of one per level
    nxt = np.empty(n + 1, dtype=np.int64)
    nxt[:n] = np.where(succ >= 0, net.edge_v[np.maximum(succ, 0)], n)
    nxt[n] = n
    reach = 1
    while not (done := bool((nxt[:n] == n).all())) and reach < n:
        nxt = nxt[nxt]
        reach *= 2
    return succ if done else None


def _forest_reach(
    net: Network, starts: np.ndarray, coded: dict[int, np.ndarray] | None = None
) -> dict[int, tuple] | None:
    """Register entries for *starts* walked all at once along the unique downstream edges
    (and in *coded*, when given, each one's pipes as codes into ``net.pipe_edges.uniques``)."""
    succ = functional_successor(net)
    if succ is None or not len(starts):
        return None
    is_plant = net.node_is_plant
    is_out = net.node_is_outfall
    edge_v, edge_len = net.edge_v, net.edge_length_m
    cur = starts.copy()
    k = np.arange(len(starts))
    # each level's walks and edges (int32: a walk of millions of steps in all at 1M pipes)
    rec_k, rec_e, out_k, out_n = [], [], [], []
    counts = np.zeros(len(starts), dtype=np.int64)
    dist = np.zeros(len(starts))
    active = np.ones(len(starts), dtype=bool)
    while True:
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        c = cur[idx]
        o = is_out[c]
        if o.any():
            out_k.append(k[idx[o]])
            out_n.append(c[o])
        stop = is_plant[c] & (c != starts[idx])
        e = succ[c]
        go = (e >= 0) & ~stop
        active[idx[~go]] = False
        idx, e = idx[go], e[go]
        rec_k.append(idx.astype(np.int32))
        rec_e.append(e.astype(np.int32))
        counts[idx] += 1
        dist[idx] += edge_len[e]  # in walk order, as a sum along each walk adds
        cur[idx] = edge_v[e]
    # group the steps by start, in walk order, without a sort: a walk steps at levels
    # 0, 1, … until it stops, so its step at level L is the L-th of its group
    bounds = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    pe = net.pipe_edges
    pipe_code = pe.codes.astype(np.int32)  # the stored register's width
    re_ = np.empty(int(bounds[-1]), dtype=np.int32)
    codes = np.empty(len(re_), dtype=np.int32)
    while rec_k:  # the deepest level first, each freed once placed
        ks, es = rec_k.pop(), rec_e.pop()
        at = bounds[ks] + len(rec_k)
        re_[at] = es
        codes[at] = pipe_code[es]
    del pipe_code
    outs: dict[int, list[int]] = {}
    if out_k:
        for kk, nn in zip(
            np.concatenate(out_k).tolist(), np.concatenate(out_n).tolist(), strict=True
        ):
            outs.setdefault(kk, []).append(nn)
    # a walk never repeats an edge (the flow is acyclic here): with one edge per pipe it
    # never repeats a pipe either, and its pipes need no de-duplication
    distinct = pe.one_edge_each
    uniques = pe.uniques
    bounds_l = bounds.tolist()
    ends_l, dist_l, at_plant = cur.tolist(), dist.tolist(), is_plant[cur].tolist()
    node_plants = net.node_plants
    res: dict[int, tuple] = {}
    for j, node in enumerate(starts.tolist()):
        end = ends_l[j]
        b0, b1 = bounds_l[j], bounds_l[j + 1]
        own = codes[b0:b1] if distinct else _first_seen(codes[b0:b1])
        pipes = tuple(uniques[own].tolist())
        out_ids = (
            tuple(net.outfall_ids[i] for m in outs[j] for i in net.node_outfalls[m])
            if j in outs
            else ()
        )
        if at_plant[j]:
            status, pid, d = CONNECTED, net.plant_ids[node_plants[end][0]], dist_l[j]
        elif out_ids:
            status, pid = TO_OUTFALL, None
            # length and pipes to the first outfall reached
            walked = re_[b0:b1]
            upto = np.flatnonzero(net.edge_v[walked] == outs[j][0])
            d = float(net.edge_length_m[walked[: upto[0] + 1]].sum()) if len(upto) else 0.0
            # the start itself is the outfall: no way, no pipes (as the per-node walk says)
            own = _first_seen(codes[b0 : b0 + upto[0] + 1]) if len(upto) else _NO_CODES
            pipes = tuple(pe.uniques[own].tolist())
        else:
            status, pid, d, pipes = NOWHERE, None, None, ()
            own = _NO_CODES
        res[node] = (status, pid, out_ids, d, pipes)
        if coded is not None:
            coded[node] = own
    return res


SINK_CHUNK = 8  # sinks searched together (memory: chunk x nodes float64 per search)


def _reverse_sink_graph(
    net: Network, sink_nodes: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The graph against the flow, with one virtual node per sink node.

    Water may leave a node unless it is a barrier manhole or a plant (a walk stops there),
    so the reversed edge ``v -> u`` of an open edge ``u -> v`` exists when ``v`` may be
    passed; virtual node ``n + k`` leads to sink node ``m = sink_nodes[k]`` (length 0) and,
    when ``m`` is a plant, to the nodes draining into it. Parallel edges keep the shortest
    (then the first).

    Returns
    -------
    (matrix, pair_keys, pair_edge)
        The CSR matrix (``n + len(sink_nodes)`` square) and, sorted, the keys ``u * n + v``
        of the forward node pairs with the edge each one takes.
    """
    n = net.n_nodes
    k = len(sink_nodes)
    passable = ~net.node_barrier & ~net.node_is_plant
    e = np.flatnonzero(net.edge_open)
    u, v, w = net.edge_u[e], net.edge_v[e], net.edge_length_m[e]
    order = np.lexsort((e, w, v, u))
    e, u, v, w = e[order], u[order], v[order], w[order]
    first = np.ones(len(e), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    e, u, v, w = e[first], u[first], v[first], w[first]
    keys = u.astype(np.int64) * n + v
    inner = passable[v]
    rows = [v[inner], n + np.arange(k)]
    cols = [u[inner], sink_nodes]
    vals = [w[inner], np.zeros(k)]
    plant_sink = net.node_is_plant[sink_nodes] & ~net.node_barrier[sink_nodes]
    if plant_sink.any():
        virt = np.full(n, -1, dtype=np.int64)
        virt[sink_nodes[plant_sink]] = n + np.flatnonzero(plant_sink)
        into = virt[v] >= 0
        rows.append(virt[v[into]])
        cols.append(u[into])
        vals.append(w[into])
    mat = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n + k, n + k),
    )
    return mat, keys, e


def _tol(d: np.ndarray) -> np.ndarray:
    """How close two path lengths may be to count as a tie (float sums in another order)."""
    return 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(d, posinf=0.0)))


def _multi_sink_reach(
    net: Network, starts: np.ndarray, coded: dict[int, np.ndarray] | None = None
) -> dict[int, _Target]:
    """:func:`drain_targets` on any graph: a reverse Dijkstra from every sink (compiled,
    ``scipy.sparse.csgraph``), the nearest plant (else outfall) per start chosen by
    ``(length, node)`` as the per-node walk does, then every path walked at once along the
    predecessors and summed in flow order."""
    from scipy.sparse.csgraph import dijkstra

    n = net.n_nodes
    plant_at, outfall_at = net.node_plants, net.node_outfalls
    sink_nodes = np.array(sorted(set(plant_at) | set(outfall_at)), dtype=np.int64)
    res: dict[int, _Target] = {}
    if not len(sink_nodes):
        if coded is not None:
            coded.update(dict.fromkeys(starts.tolist(), _NO_CODES))
        return {int(x): (NOWHERE, None, (), None, ()) for x in starts.tolist()}
    mat, pair_keys, pair_edge = _reverse_sink_graph(net, sink_nodes)
    chunks = [
        np.arange(i, min(i + SINK_CHUNK, len(sink_nodes)))
        for i in range(0, len(sink_nodes), SINK_CHUNK)
    ]
    dist = np.empty((len(sink_nodes), len(starts)))
    for ch in chunks:
        dist[ch] = dijkstra(mat, directed=True, indices=n + ch)[:, starts]
    is_plant = net.node_is_plant[sink_nodes]
    is_out = net.node_is_outfall[sink_nodes]
    target = np.full(len(starts), -1, dtype=np.int64)
    status: list[str] = []
    plant_ids: list[str | None] = []
    outs: list[tuple[str, ...]] = []
    for j in range(len(starts)):
        col = dist[:, j]
        reach = np.isfinite(col)
        # sinks are sorted by node: lexsort by (length, node)
        o_k = np.flatnonzero(reach & is_out)
        o_k = o_k[np.argsort(col[o_k], kind="stable")]
        outs.append(
            tuple(net.outfall_ids[i] for kk in o_k.tolist() for i in outfall_at[sink_nodes[kk]])
        )
        p_k = np.flatnonzero(reach & is_plant)
        if len(p_k):
            best = int(p_k[np.argsort(col[p_k], kind="stable")[0]])
            target[j] = best
            status.append(CONNECTED)
            plant_ids.append(net.plant_ids[plant_at[int(sink_nodes[best])][0]])
        elif len(o_k):
            target[j] = int(o_k[0])
            status.append(TO_OUTFALL)
            plant_ids.append(None)
        else:
            status.append(NOWHERE)
            plant_ids.append(None)
    # equal lengths: a near tie between sinks, or a node on the way with two shortest ways
    # on, is left to the per-node walk (its tie-breaking is the reference)
    ambiguous = np.zeros(len(starts), dtype=bool)
    for j in range(len(starts)):
        col = dist[:, j]
        fin = np.sort(col[np.isfinite(col)])
        if len(fin) > 1 and (np.diff(fin) <= _tol(fin[1:])).any():
            ambiguous[j] = True
    paths: list[list[int]] = [[] for _ in range(len(starts))]
    dsum = np.zeros(len(starts))
    coo = mat.tocoo()
    r_row, r_col, r_w = coo.row, coo.col, coo.data
    for ch in chunks:
        mine = np.flatnonzero(np.isin(target, ch) & ~ambiguous)
        if not len(mine):
            continue
        dch, pred = dijkstra(mat, directed=True, indices=n + ch, return_predecessors=True)
        multi = np.zeros(dch.shape, dtype=bool)
        for r in range(len(ch)):
            d = dch[r]
            with np.errstate(invalid="ignore"):
                tight = np.abs(d[r_row] + r_w - d[r_col]) <= _tol(d[r_col])
            multi[r] = np.bincount(r_col[tight], minlength=d.shape[0]) > 1
        row = target[mine] - ch[0]
        cur = starts[mine].copy()
        sink = sink_nodes[target[mine]]
        steps_j: list[np.ndarray] = []
        steps_e: list[np.ndarray] = []
        active = np.arange(len(mine))
        while len(active):
            c = cur[active]
            ambiguous[mine[active[multi[row[active], c]]]] = True
            nxt = pred[row[active], c].astype(np.int64)
            virt = nxt >= n
            nxt = np.where(virt, sink[active], nxt)
            go = nxt != c
            a, c, nxt = active[go], c[go], nxt[go]
            edge = pair_edge[np.searchsorted(pair_keys, c * n + nxt)]
            steps_j.append(a)
            steps_e.append(edge)
            dsum[mine[a]] += net.edge_length_m[edge]
            cur[a] = nxt
            active = a[~virt[go]]
        if steps_j:
            sj = np.concatenate(steps_j)
            se = np.concatenate(steps_e)
            order = np.argsort(sj, kind="stable")
            sj, se = sj[order], se[order]
            bounds = np.searchsorted(sj, np.arange(len(mine) + 1))
            for t, j in enumerate(mine.tolist()):
                paths[j] = se[bounds[t] : bounds[t + 1]].tolist()
    pe = net.pipe_edges
    coded = {} if coded is None else coded
    for j, x in enumerate(starts.tolist()):
        if ambiguous[j]:
            res[x], coded[x] = _drain_target_coded(net, x)
            continue
        if target[j] < 0:
            res[x] = (NOWHERE, None, outs[j], None, ())
            coded[x] = _NO_CODES
            continue
        p = paths[j]
        own = (
            _first_seen(pe.codes[np.asarray(p, dtype=np.int64)]).astype(np.int32)
            if p
            else _NO_CODES
        )
        pipes = tuple(pe.uniques[own].tolist())
        res[x] = (status[j], plant_ids[j], outs[j], float(dsum[j]), pipes)
        coded[x] = own
    return res


def _register_totals(
    net: Network, rows: list[ConnectionRow], pipe_codes: RegisterPipeCodes | None = None
) -> ConnectionRegister:
    total_n = len(rows)
    total_flow = float(sum(r.flow_tpd for r in rows))
    plants_layer = net.layers.get(S.PLANTS)
    pnames = str_array(plants_layer, S.NAME) if plants_layer is not None else []
    per_plant = []
    for k, pid in enumerate(net.plant_ids.tolist()):
        mine = [r for r in rows if r.plant_id == pid]
        flow = float(sum(r.flow_tpd for r in mine))
        cod = float(sum(r.cod_kgd or 0.0 for r in mine))
        per_plant.append(
            {
                "plant_id": pid,
                "name": pnames[k] if len(pnames) > k else None,
                "n_enterprises": len(mine),
                "flow_tpd": _r(flow),
                "cod_kgd": _r(cod),
                "share_count": _r(len(mine) / total_n, 4) if total_n else None,
                "share_volume": _r(flow / total_flow, 4) if total_flow else None,
            }
        )
    by = {s: [r for r in rows if r.status == s] for s in STATUS_LABELS_ZH}
    conn_flow = float(sum(r.flow_tpd for r in by[CONNECTED]))
    park = {
        "n_enterprises": total_n,
        "n_connected": len(by[CONNECTED]),
        "n_to_outfall": len(by[TO_OUTFALL]),
        "n_nowhere": len(by[NOWHERE]),
        "n_unattached": len(by[UNATTACHED]),
        "flow_tpd": _r(total_flow),
        "connected_flow_tpd": _r(conn_flow),
        "rate_count": _r(len(by[CONNECTED]) / total_n, 4) if total_n else None,
        "rate_volume": _r(conn_flow / total_flow, 4) if total_flow else None,
    }
    return ConnectionRegister(tuple(rows), tuple(per_plant), park, pipe_codes)


def connection_register(net: Network) -> ConnectionRegister:
    """Each enterprise -> the plant it reaches (or the outfall, or none), with path and rates.

    Parameters
    ----------
    net : Network

    Returns
    -------
    ConnectionRegister

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"], "from_node": ["A"], "to_node": ["B"]},
    ...     geometry=[LineString([(0, 0), (10, 0)])])
    >>> ents = gpd.GeoDataFrame({"ent_id": ["E1"], "flow_tpd": [10.0], "connect_node": ["A"]},
    ...     geometry=[Point(0, 1)])
    >>> plants = gpd.GeoDataFrame({"plant_id": ["W"], "node_id": ["B"]}, geometry=[Point(10, 0)])
    >>> reg = connection_register(build_network({"pipes": pipes, "enterprises": ents,
    ...                                          "plants": plants}))
    >>> reg.rows[0].plant_id, reg.park["rate_count"]
    ('W', 1.0)
    """
    return drain(iter_connection_register(net))


def write_register_xlsx(register: ConnectionRegister, path: str | Path) -> Path:
    """Write the register (sheet 纳管台账) and the rates (sheet 纳管率) to an .xlsx file.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    _register_sheet(wb, register)
    _rates_sheet(wb, register)
    wb.save(path)
    return path


REGISTER_HEADERS = (
    "企业编号",
    "企业名称",
    "统一社会信用代码",
    "废水量(t/d)",
    "COD(mg/L)",
    "COD负荷(kg/d)",
    "接入井",
    "接入方式",
    "纳管状态",
    "接入污水处理厂",
    "到达排放口",
    "路径长度(m)",
    "途经管线",
)
RATE_HEADERS = (
    "污水处理厂编号",
    "名称",
    "纳管企业数",
    "废水量(t/d)",
    "COD负荷(kg/d)",
    "企业数占比",
    "水量占比",
)
COUNT_HEADERS = ("企业总数", "已纳管", "排往排放口", "无去向", "未接入管网")


def _register_sheet(wb: Any, register: ConnectionRegister) -> None:
    """Sheet 纳管台账: one row per enterprise, in people's words (已纳管, 就近管线 …)."""
    from network.io.xlsx import write_table

    ws = wb.active
    ws.title = "纳管台账"
    df = register.to_frame()
    headers = list(df.columns) if len(df.columns) else list(REGISTER_HEADERS)
    write_table(ws, headers, df.itertuples(index=False))


def _rates_sheet(wb: Any, register: ConnectionRegister) -> None:
    """Sheet 纳管率: per plant and the park total (shares as percentages), then the counts."""
    from network.io.xlsx import write_table

    ws = wb.create_sheet("纳管率")
    pk = register.park
    rows: list[list[Any]] = [
        [
            p["plant_id"],
            p["name"],
            p["n_enterprises"],
            p["flow_tpd"],
            p["cod_kgd"],
            p["share_count"],
            p["share_volume"],
        ]
        for p in register.plants
    ]
    rows.append(
        [
            "园区合计",
            None,
            pk["n_connected"],
            pk["connected_flow_tpd"],
            None,
            pk["rate_count"],
            pk["rate_volume"],
        ]
    )
    write_table(ws, RATE_HEADERS, rows, percent=("企业数占比", "水量占比"))
    counts = [
        pk["n_enterprises"],
        pk["n_connected"],
        pk["n_to_outfall"],
        pk["n_nowhere"],
        pk["n_unattached"],
    ]
    write_table(ws, COUNT_HEADERS, [counts], start_row=len(rows) + 3, freeze=False)
    # the first table's widths win where the two share columns
    from network.io.xlsx import display_width, fit_columns

    widths = [
        max(
            [display_width(h) for h in (RATE_HEADERS[j : j + 1] + COUNT_HEADERS[j : j + 1])]
            + [display_width(r[j]) if not isinstance(r[j], float) else 10 for r in rows]
        )
        for j in range(len(RATE_HEADERS))
    ]
    fit_columns(ws, widths)


# --------------------------------------------------------------------------------------------
# accumulation and plant balance
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accumulation:
    """Enterprise wastewater and COD load summed to every node.

    Each enterprise counts once at every node its water can reach (no splitting where flow
    divides), so the value at a node is the total of its whole upstream area.
    """

    node_ids: np.ndarray
    flow_tpd: np.ndarray
    cod_kgd: np.ndarray
    method: str

    def at(self, node_id: str) -> tuple[float, float]:
        """(flow t/d, COD kg/d) arriving at *node_id*."""
        i = int(np.flatnonzero(self.node_ids == node_id)[0])
        return float(self.flow_tpd[i]), float(self.cod_kgd[i])


def accumulate(net: Network) -> Accumulation:
    """Sum enterprise wastewater (t/d) and COD load (kg/d) to every node.

    Uses a vectorised topological sweep when every node drains to at most one other node (a
    dendritic network), otherwise one walk per source node. Flow stops at plants, barriers
    (blocked or closed pipes and manholes) and dead ends.

    Parameters
    ----------
    net : Network

    Returns
    -------
    Accumulation

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> ents = gpd.GeoDataFrame({"ent_id": ["E1", "E2"], "flow_tpd": [10.0, 5.0],
    ...     "cod_mgl": [400.0, 200.0], "connect_node": ["A", "B"]},
    ...     geometry=[Point(0, 1), Point(10, 1)])
    >>> acc = accumulate(build_network({"pipes": pipes, "enterprises": ents}))
    >>> acc.at("C")
    (15.0, 5.0)
    """
    n = net.n_nodes
    src_flow = np.zeros(n)
    src_cod = np.zeros(n)
    att = net.ent_node >= 0
    if att.any():
        cod = np.nan_to_num(net.ent_cod_mgl[att], nan=0.0)
        np.add.at(src_flow, net.ent_node[att], net.ent_flow_tpd[att])
        np.add.at(src_cod, net.ent_node[att], net.ent_flow_tpd[att] * cod / 1000.0)
    ok = net.edge_open & ~net.node_barrier[net.edge_v] & ~net.node_is_plant[net.edge_u]
    u, v = net.edge_u[ok], net.edge_v[ok]
    pairs = np.unique(np.column_stack([u, v]), axis=0) if len(u) else np.empty((0, 2), int)
    succ_count = np.bincount(pairs[:, 0], minlength=n) if len(pairs) else np.zeros(n, int)
    if not len(pairs) or succ_count.max() <= 1:
        res = _sweep_forest(n, pairs, src_flow, src_cod)
        if res is not None:
            return Accumulation(net.node_ids, res[0], res[1], "forest")
    flow = np.zeros(n)
    codv = np.zeros(n)
    for s in np.flatnonzero((src_flow > 0) | (src_cod > 0)).tolist():
        dist = _walk_down(net, [s], set(), set())[0]
        idx = np.fromiter(dist, dtype=np.int64)
        flow[idx] += src_flow[s]
        codv[idx] += src_cod[s]
    return Accumulation(net.node_ids, flow, codv, "walk")


def _sweep_forest(
    n: int, pairs: np.ndarray, f: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    succ = np.full(n, -1, dtype=np.int64)
    if len(pairs):
        succ[pairs[:, 0]] = pairs[:, 1]
    indeg = np.bincount(succ[succ >= 0], minlength=n)
    flow, cod = f.copy(), c.copy()
    frontier = np.flatnonzero(indeg == 0)
    done = 0
    while frontier.size:
        done += frontier.size
        s = succ[frontier]
        m = s >= 0
        fr, s = frontier[m], s[m]
        if not len(s):
            break
        np.add.at(flow, s, flow[fr])
        np.add.at(cod, s, cod[fr])
        dec = np.bincount(s, minlength=n)
        indeg -= dec
        cand = np.unique(s)
        frontier = cand[indeg[cand] == 0]
    if done < n:
        return None  # a cycle: fall back to walks
    return flow, cod


@dataclass(frozen=True)
class PlantBalance:
    """One plant: connected flow and COD against design capacity and actual load."""

    plant_id: str
    name: str | None
    node: str | None
    connected_flow_tpd: float
    connected_cod_kgd: float
    n_enterprises: int
    capacity_tpd: float | None
    load_tpd: float | None
    utilisation: float | None
    load_ratio: float | None
    estimated_cod_in_mgl: float | None
    cod_in_mgl: float | None
    flags: tuple[str, ...]
    messages_zh: tuple[str, ...]
    messages_en: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        for k in ("flags", "messages_zh", "messages_en"):
            d[k] = list(d[k])
        for k, v in d.items():
            if isinstance(v, float):
                d[k] = _r(v)
        return d


@dataclass(frozen=True)
class Balance:
    """Plant balances plus the accumulation behind them."""

    plants: tuple[PlantBalance, ...]
    accumulation: Accumulation
    park: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, with_nodes: bool = False) -> dict[str, Any]:
        """Return a JSON-ready dict (``nodes``: per-node flow and COD when asked)."""
        d: dict[str, Any] = {"plants": [p.to_dict() for p in self.plants], "park": self.park}
        if with_nodes:
            d["nodes"] = dict(self.node_items())
        return d

    def node_items(self) -> Generator[tuple[str, dict[str, float | None]], None, None]:
        """``(node id, {"flow_tpd", "cod_kgd"})`` for every node water reaches, one at a
        time (the ``nodes`` of :meth:`to_dict`; a million of them need not sit in memory)."""
        a = self.accumulation
        nz = np.flatnonzero(a.flow_tpd > 0)
        flow, cod = a.flow_tpd[nz], a.cod_kgd[nz]
        # _r per value, its finiteness test done for all at once
        f_ok, c_ok = np.isfinite(flow).tolist(), np.isfinite(cod).tolist()
        rows = zip(a.node_ids[nz].tolist(), flow.tolist(), f_ok, cod.tolist(), c_ok, strict=True)
        for k, f, fo, c, co in rows:
            yield (
                k,
                {"flow_tpd": round(f, 3) if fo else None, "cod_kgd": round(c, 3) if co else None},
            )


def plant_balance(net: Network, accumulation: Accumulation | None = None) -> Balance:
    """Compare, per plant, the wastewater and COD of the enterprises reaching it with its
    design capacity, actual load and influent COD.

    Flags: ``over_capacity`` (connected flow above design capacity), ``load_over_capacity``,
    ``load_below_connected`` (actual load < 80 % of connected flow: losses or
    misconnections), ``load_above_connected`` (actual load > 150 %: infiltration or
    unregistered sources), ``low_influent_cod`` (< 260 mg/L), ``online_monitoring_required``
    (≥ 500 t/d without online monitoring).

    Parameters
    ----------
    net : Network
    accumulation : Accumulation, optional
        Reuse an earlier :func:`accumulate` result.

    Returns
    -------
    Balance
    """
    acc = accumulation or accumulate(net)
    layer = net.layers.get(S.PLANTS)
    n = len(net.plant_ids)
    if layer is None or n == 0:
        return Balance((), acc, {"flow_tpd": 0.0})
    names = str_array(layer, S.NAME)
    cap = float_array(layer, S.CAPACITY_TPD)
    load = float_array(layer, S.LOAD_TPD)
    cod_in = float_array(layer, S.COD_IN_MGL)
    online = (
        layer[S.ONLINE_MONITORING].to_numpy()
        if S.ONLINE_MONITORING in layer.columns
        else np.full(n, None, dtype=object)
    )
    ent_count: dict[int, int] = {}
    if len(net.ent_ids):
        reg_nodes = _plant_of_enterprises(net)
        for p in reg_nodes:
            if p >= 0:
                ent_count[p] = ent_count.get(p, 0) + 1
    out = []
    for k in range(n):
        node = int(net.plant_node[k])
        flow = float(acc.flow_tpd[node]) if node >= 0 else 0.0
        cod = float(acc.cod_kgd[node]) if node >= 0 else 0.0
        c = cap[k] if np.isfinite(cap[k]) else None
        ld = load[k] if np.isfinite(load[k]) else None
        ci = cod_in[k] if np.isfinite(cod_in[k]) else None
        est = cod * 1000.0 / flow if flow > 0 else None
        pid = net.plant_ids[k]
        flags, zh, en = _balance_flags(flow, c, ld, ci, _truthy(online[k]))
        out.append(
            PlantBalance(
                plant_id=pid,
                name=names[k],
                node=net.node_ids[node] if node >= 0 else None,
                connected_flow_tpd=flow,
                connected_cod_kgd=cod,
                n_enterprises=ent_count.get(k, 0),
                capacity_tpd=c,
                load_tpd=ld,
                utilisation=flow / c if c else None,
                load_ratio=ld / flow if ld and flow else None,
                estimated_cod_in_mgl=est,
                cod_in_mgl=ci,
                flags=tuple(flags),
                messages_zh=tuple(zh),
                messages_en=tuple(en),
            )
        )
    total_flow = float(net.ent_flow_tpd.sum()) if len(net.ent_ids) else 0.0
    to_plants = float(sum(p.connected_flow_tpd for p in out))
    park = {
        "flow_tpd": _r(total_flow),
        "flow_to_plants_tpd": _r(to_plants),
        "capacity_tpd": _r(float(np.nansum(cap))) if n else None,
        "load_tpd": _r(float(np.nansum(load))) if n else None,
    }
    return Balance(tuple(out), acc, park)


def _balance_flags(
    flow: float, c: float | None, ld: float | None, ci: float | None, online: bool
) -> tuple[list[str], list[str], list[str]]:
    """Flags of one plant (connected *flow*, capacity *c*, load *ld*, influent COD *ci*) and
    their messages in Chinese and English."""
    flags, zh, en = [], [], []
    if c and flow > c:
        flags.append("over_capacity")
        zh.append(f"纳管企业废水量 {flow:.0f} t/d 超过设计规模 {c:.0f} t/d。")
        en.append(f"Connected flow {flow:.0f} t/d exceeds design capacity {c:.0f} t/d.")
    if c and ld and ld > c:
        flags.append("load_over_capacity")
        zh.append(f"实际负荷 {ld:.0f} t/d 超过设计规模 {c:.0f} t/d。")
        en.append(f"Actual load {ld:.0f} t/d exceeds design capacity {c:.0f} t/d.")
    if ld is not None and flow > 0 and ld < 0.8 * flow:
        flags.append("load_below_connected")
        zh.append(
            f"实际负荷 {ld:.0f} t/d 低于纳管企业废水量 {flow:.0f} t/d 的 80%，疑有漏损或错接。"
        )
        en.append(
            f"Actual load {ld:.0f} t/d is below 80 % of the connected flow "
            f"{flow:.0f} t/d: losses or misconnections?"
        )
    if ld is not None and flow > 0 and ld > 1.5 * flow:
        flags.append("load_above_connected")
        zh.append(
            f"实际负荷 {ld:.0f} t/d 高于纳管企业废水量 {flow:.0f} t/d 的 150%，"
            f"疑有外水或未登记来源。"
        )
        en.append(
            f"Actual load {ld:.0f} t/d is above 150 % of the connected flow "
            f"{flow:.0f} t/d: infiltration or unregistered sources?"
        )
    if ci is not None and ci < LOW_INFLUENT_COD_MGL:
        flags.append("low_influent_cod")
        zh.append(f"进水 COD {ci:.0f} mg/L 低于 260 mg/L，需开展管网系统排查（一厂一策）。")
        en.append(f"Influent COD {ci:.0f} mg/L is below 260 mg/L: review the network.")
    scale = max(x for x in (c, ld, flow, 0.0) if x is not None)
    if scale >= ONLINE_MONITORING_TPD and not online:
        flags.append("online_monitoring_required")
        zh.append("规模 ≥ 500 t/d，应安装在线监测。")
        en.append("500 t/d or more: online monitoring is required.")
    return flags, zh, en


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "y", "是", "有", "已安装", "在线")
    try:
        return bool(v) and not (isinstance(v, float) and np.isnan(v))
    except (TypeError, ValueError):
        return False


def _plant_of_enterprises(net: Network) -> list[int]:
    """Index of the nearest plant each enterprise reaches (-1 if none)."""
    reach = drain_targets(net, net.ent_node[net.ent_node >= 0])
    cache = {
        node: net.plant_index[pid] if status == CONNECTED else -1
        for node, (status, pid, *_rest) in reach.items()
    }
    return [cache[node] if node >= 0 else -1 for node in net.ent_node.tolist()]


# --------------------------------------------------------------------------------------------
# service areas and statistics
# --------------------------------------------------------------------------------------------
def service_areas(net: Network) -> list[dict[str, Any]]:
    """Per plant: the pipes, manholes and enterprises that drain to it, and their length.

    Returns
    -------
    list of dict
        ``plant_id``, ``pipes``, ``nodes``, ``enterprises``, ``length_m``, ``flow_tpd``.
    """
    out = []
    for k, pid in enumerate(net.plant_ids.tolist()):
        if net.plant_node[k] < 0:
            out.append(
                {
                    "plant_id": pid,
                    "pipes": [],
                    "nodes": [],
                    "enterprises": [],
                    "length_m": 0.0,
                    "flow_tpd": 0.0,
                }
            )
            continue
        t = trace_upstream(net, "plant:" + pid, with_warnings=False)
        flow = float(sum(net.ent_flow_tpd[net.ent_index[e]] for e in t.enterprises))
        out.append(
            {
                "plant_id": pid,
                "pipes": list(t.pipes),
                "nodes": list(t.nodes),
                "enterprises": list(t.enterprises),
                "length_m": round(t.length_m, 3),
                "flow_tpd": round(flow, 3),
            }
        )
    return out


DIAMETER_CLASSES = (
    (0, 300, "<DN300"),
    (300, 600, "DN300–600"),
    (600, 1000, "DN600–1000"),
    (1000, np.inf, "≥DN1000"),
)


def diameter_class(d: float) -> str:
    """Label of the diameter class of *d* mm (``unknown`` for NaN)."""
    if not np.isfinite(d):
        return "unknown"
    for lo, hi, label in DIAMETER_CLASSES:
        if lo <= d < hi:
            return label
    return "unknown"


def network_statistics(net: Network) -> dict[str, Any]:
    """Lengths and counts for the park table (附件1-3).

    Returns
    -------
    dict
        ``main_length_km``, ``branch_length_km``, ``total_length_km``, lengths in km by
        ``by_system`` → {main, branch, unknown}, ``by_diameter`` → km, counts of pipes,
        manholes, outfalls (and by class), enterprises and plants.
    """
    layers = net.layers
    if hasattr(layers, "columns") and S.PIPES in layers:  # a stored network: one column read
        pipes = layers.columns(S.PIPES, [S.PIPE_CLASS])
    else:
        pipes = layers.get(S.PIPES)
    cls = str_array(pipes, S.PIPE_CLASS)[net.piece_row]
    cls = np.array([c if c in ("main", "branch") else "unknown" for c in cls], dtype=object)
    system = np.array(
        [s if isinstance(s, str) else "unknown" for s in net.piece_system], dtype=object
    )
    length_km = net.piece_length_m / 1000.0
    df = pd.DataFrame(
        {
            "cls": cls,
            "system": system,
            "km": length_km,
            "dia": [diameter_class(d) for d in net.piece_diameter_mm],
        }
    )
    by_system: dict[str, dict[str, float]] = {}
    for (sy, c), km in df.groupby(["system", "cls"])["km"].sum().items():
        by_system.setdefault(sy, {"main": 0.0, "branch": 0.0, "unknown": 0.0})[c] = round(km, 4)
    by_dia = {k: round(v, 4) for k, v in df.groupby("dia")["km"].sum().items()}
    outfall_classes: dict[str, int] = {}
    for c in net.outfall_class.tolist() if len(net.outfall_class) else []:
        key = c or "unknown"
        outfall_classes[key] = outfall_classes.get(key, 0) + 1
    manholes = int((net.node_kind == "manhole").sum())
    return {
        "total_length_km": round(float(length_km.sum()), 4),
        "main_length_km": round(float(length_km[cls == "main"].sum()), 4),
        "branch_length_km": round(float(length_km[cls == "branch"].sum()), 4),
        "unclassified_length_km": round(float(length_km[cls == "unknown"].sum()), 4),
        "by_system": by_system,
        "by_diameter": by_dia,
        "n_pipes": len(net.pipe_edges),
        "n_manholes": manholes,
        "n_junctions": int(net.n_nodes - manholes),
        "n_outfalls": len(net.outfall_ids),
        "outfalls_by_class": outfall_classes,
        "n_enterprises": len(net.ent_ids),
        "n_plants": len(net.plant_ids),
    }
