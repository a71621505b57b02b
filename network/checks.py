"""Data-quality checks on a built network: an itemised list of :class:`Issue`, not a log.

Categories and kinds
--------------------
hygiene
    ``missing_id``, ``duplicate_id``.
geometry
    ``empty``, ``not_a_line``, ``zero_length``, ``multipart``, ``self_intersecting``,
    ``duplicate_pipe``, ``duplicate_manhole``.
connectivity
    ``near_miss`` (an end misses a manhole, pipe end or pipe by less than 10× the snap
    tolerance), ``dangling_end`` (an end at no manhole, when a manhole layer exists),
    ``isolated_subnetwork`` (drains to no plant or outfall), ``orphan_manhole`` (no pipe),
    ``side_connection`` (CJJ 181 AJ 支管暗接: a pipe joins another mid-way),
    ``pipe_through_manhole``, ``fields_mismatch`` (from/to fields disagree with geometry),
    ``unknown_node`` (a from/to id names no manhole), ``contact_not_connected`` (a pipe passes
    within the tolerance of a manhole or pipe end the ids say it does not meet: a candidate
    for a field check), ``contact_ruled_out`` (a geometric contact the inverts rule out).
direction
    ``cycle``, ``against_slope``, ``direction_conflict`` (from/to vs flow-direction field),
    ``dead_end_sink`` (a sink that is neither plant nor outfall), ``large_to_small``.
semantics
    ``misconnection`` (雨污混接; ``data["direction"]`` is ``rain->sewage`` or
    ``sewage->rain``), ``suspected_misconnection`` (rain and sewage touch by geometry only,
    with no ids to say so: carries no flow until listed in the ``confirmed_contacts``
    setting), ``sewage_to_rain_outfall``, ``sewage_to_river``, ``enterprise_no_plant``.
attach
    ``unknown_connect_node``, ``enterprise_unattached``, ``unknown_plant_node``,
    ``plant_unattached``, ``unknown_outfall_node``, ``outfall_unattached``,
    ``attached_by_distance`` (info).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from network import packed as packedmod
from network import schema as S
from network.graph import (
    CONTACT_IDS,
    CONTACT_INVERTS,
    DIR_SOURCE_LABELS_ZH,
    FOUL_SYSTEMS,
    NEAR_MISS_FACTOR,
    NODE_JUNCTION,
    NODE_MANHOLE,
    Network,
    multipart_base_id,
)
from network.issues import ERROR, INFO, WARNING, Issue
from network.lazy import lazy_module
from network.progress import Progress, drain
from network.trace import find_loops, reach_upstream

pd = lazy_module("pandas", globals())
shapely = lazy_module("shapely", globals())
sparse = lazy_module("scipy.sparse", globals())
csgraph = lazy_module("scipy.sparse.csgraph", globals())
spatial = lazy_module("scipy.spatial", globals())

CATEGORIES = ("hygiene", "geometry", "connectivity", "direction", "semantics", "attach")
CATEGORY_LABELS_ZH = {
    "hygiene": "数据规范",
    "geometry": "几何",
    "connectivity": "连通性",
    "direction": "流向",
    "semantics": "语义",
    "attach": "挂接",
}
SEVERITY_LABELS_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
_FEW = 20


def _fmt_ids(ids: list[str], sep: str = ", ") -> str:
    return sep.join(ids[:_FEW]) + (f"{sep}… ({len(ids)})" if len(ids) > _FEW else "")


def _node_degree(net: Network) -> tuple[np.ndarray, np.ndarray]:
    n = net.n_nodes
    return (np.bincount(net.edge_v, minlength=n), np.bincount(net.edge_u, minlength=n))


# --------------------------------------------------------------------------------------------
# geometry
# --------------------------------------------------------------------------------------------
def check_geometry(net: Network) -> list[Issue]:
    """Zero-length, multi-part, self-intersecting and duplicate pipes; duplicate pipe ids."""
    out: list[Issue] = []
    geoms = net.piece_geom
    geom_len_m = net.piece_geom_length_m
    pid = net.piece_pipe_id
    zero = geom_len_m < net.snap_tolerance_m
    for p in np.flatnonzero(zero).tolist():
        out.append(
            Issue.make(
                "geometry",
                "zero_length",
                ERROR,
                [pid[p]],
                S.PIPES,
                net.piece_xy(p),
                f"管线 {pid[p]} 长度为零（{geom_len_m[p]:.3f} m）。",
                f"Pipe {pid[p]} has zero length ({geom_len_m[p]:.3f} m).",
                length_m=float(geom_len_m[p]),
            )
        )
    groups: dict[int, list[int]] = {}
    for p in np.flatnonzero(net.piece_multipart).tolist():
        groups.setdefault(int(net.piece_feature[p]), []).append(p)
    for pieces in groups.values():
        part_ids = list(dict.fromkeys(pid[pieces].tolist()))
        base = multipart_base_id(part_ids) or part_ids[0]
        ids = part_ids if base in part_ids else [base, *part_ids]
        n_parts = len(pieces)
        out.append(
            Issue.make(
                "geometry",
                "multipart",
                WARNING,
                ids,
                S.PIPES,
                net.piece_xy(pieces[0]),
                f"管线 {base} 为多部件线（{n_parts} 段：{'、'.join(part_ids)}），已拆分处理。",
                f"Pipe {base} is a multi-part line ({n_parts} parts: {', '.join(part_ids)}); "
                f"its parts were split.",
                parts=n_parts,
                base_id=base,
            )
        )
    simple = _is_simple(geoms)
    for p in np.flatnonzero(~simple & ~zero).tolist():
        out.append(
            Issue.make(
                "geometry",
                "self_intersecting",
                WARNING,
                [pid[p]],
                S.PIPES,
                net.piece_xy(p),
                f"管线 {pid[p]} 自相交。",
                f"Pipe {pid[p]} intersects itself.",
            )
        )
    out.extend(_duplicate_pipes(net, geom_len_m, zero))
    # duplicate pipe ids that are not parts of one multi-part feature
    if len(net.pipe_edges) == len(pid):  # every piece its own pipe id: none repeated
        return out
    shared = pd.Series(pid, dtype=object).duplicated(keep=False).to_numpy()
    rows = pd.DataFrame({"pid": pid[shared], "row": net.piece_row[shared]})
    per_id = rows.drop_duplicates().groupby("pid")["row"].nunique()
    for d in per_id[per_id > 1].index.tolist():
        p = int(np.flatnonzero(pid == d)[0])
        out.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                WARNING,
                [d],
                S.PIPES,
                net.piece_xy(p),
                f"管线编号 {d} 被 {int(per_id[d])} 条不同管线使用。",
                f"Pipe id {d} is used by {int(per_id[d])} different pipes.",
                count=int(per_id[d]),
            )
        )
    return out


def _is_simple(geoms: np.ndarray) -> np.ndarray:
    """``shapely.is_simple``, asked only of the lines with more than two points: a straight
    two-point line is simple unless its points coincide (a zero-length pipe, which the
    caller reports as such and never as self-intersecting)."""
    simple = np.ones(len(geoms), dtype=bool)
    if not len(geoms):
        return simple
    ask = (packedmod.num_coordinates(geoms) != 2) | (packedmod.type_ids(geoms) != 1)
    if not ask.all():
        c = packedmod.coordinates(geoms[~ask]).reshape(-1, 4)
        same = ((c[:, 0] == c[:, 2]) & (c[:, 1] == c[:, 3])) | ~np.isfinite(c).all(axis=1)
        ask[np.flatnonzero(~ask)[same]] = True
    if ask.any():
        simple[ask] = shapely.is_simple(np.asarray(geoms[ask], dtype=object))
    return simple


def _duplicate_pipes(net: Network, geom_len_m: np.ndarray, zero: np.ndarray) -> list[Issue]:
    a = np.minimum(net.piece_start_node, net.piece_end_node)
    b = np.maximum(net.piece_start_node, net.piece_end_node)
    df = pd.DataFrame({"a": a, "b": b, "p": np.arange(len(a))})[~zero]
    grp = df[df.duplicated(["a", "b"], keep=False)]
    if grp.empty:
        return []
    out = []
    tol = net.tolerance_units
    # only pipes sharing both ends with another are compared: normalise those alone (all of
    # them made a second million geometries at 1M pipes for a handful of twins)
    cand = grp["p"].to_numpy()
    geoms = dict(zip(cand.tolist(), shapely.normalize(net.piece_geom[cand]), strict=True))
    for _, g in grp.groupby(["a", "b"]):
        ps = g["p"].tolist()
        for i, p in enumerate(ps):
            for q in ps[i + 1 :]:
                if shapely.hausdorff_distance(geoms[p], geoms[q]) > tol:
                    continue  # twin pipes drawn apart
                same_id = net.piece_pipe_id[p] == net.piece_pipe_id[q]
                same_attr = (net.piece_system[p] == net.piece_system[q]) and (
                    net.piece_diameter_mm[p] == net.piece_diameter_mm[q]
                    or (np.isnan(net.piece_diameter_mm[p]) and np.isnan(net.piece_diameter_mm[q]))
                )
                if not (same_id or same_attr):
                    continue  # twin pipes of different size/system drawn on top
                ip, iq = net.piece_pipe_id[p], net.piece_pipe_id[q]
                ids = [ip] if same_id else [ip, iq]
                out.append(
                    Issue.make(
                        "geometry",
                        "duplicate_pipe",
                        ERROR if same_id else WARNING,
                        ids,
                        S.PIPES,
                        net.piece_xy(p),
                        f"管线 {ip} 与 {iq} 几何完全重合"
                        f"{'（编号相同）' if same_id else '且属性相同'}，疑似重复录入。",
                        f"Pipes {ip} and {iq} have the same geometry"
                        f"{' and id' if same_id else ' and attributes'}: duplicate?",
                        pieces=[int(p), int(q)],
                    )
                )
    return out


# --------------------------------------------------------------------------------------------
# connectivity
# --------------------------------------------------------------------------------------------
def check_connectivity(net: Network) -> list[Issue]:
    """Near misses, dangling ends, isolated sub-networks, orphan manholes, side connections."""
    out, near_miss_pipes = _loose_ends(net)
    out += _orphan_manholes(net)
    out += _isolated_subnetworks(net)
    out += _side_connections(net)
    out += _fields_mismatches(net, near_miss_pipes)
    out += _contacts(net)
    return out


def _contact_nodes(net: Network) -> set[int]:
    """Nodes of pipe ends left unjoined at a contact (their finding explains them)."""
    out = {c.node for c in net.contacts if c.where == "end"}
    return out | {c.other_node for c in net.contacts if c.other_node >= 0}


_LAYER_ZH = {S.MANHOLES: "检查井", S.PIPES: "管线"}
_LAYER_EN = {S.MANHOLES: "manhole", S.PIPES: "pipe"}


def _sys_zh(system: str | None) -> str:
    return S.SYSTEM_LABELS_ZH.get(system, "") if system else ""


def _contacts(net: Network) -> list[Issue]:
    """One finding per geometric contact the build did not join (see ``Network.contacts``)."""
    out: list[Issue] = []
    for c in net.contacts:
        o_zh = f"{_sys_zh(c.systems[1])}{_LAYER_ZH[c.other_layer]} {c.other}"
        o_en = f"{_LAYER_EN[c.other_layer]} {c.other}" + (
            f" of the {c.systems[1]} system" if c.systems[1] else ""
        )
        p_zh = f"{_sys_zh(c.systems[0])}管 {c.pipe}"
        p_en = (f"{c.systems[0]} " if c.systems[0] else "") + f"pipe {c.pipe}"
        d_cm = c.distance_m * 100
        part_zh = "端点" if c.where == "end" else ""
        part_en = "an end of " if c.where == "end" else ""
        data = {
            "contact": c.key,
            "reason": c.reason,
            "where": c.where,
            "pipe": c.pipe,
            "other": c.other,
            "other_layer": c.other_layer,
            "node": net.node_ids[c.node],
            "distance_m": round(c.distance_m, 4),
            "systems": list(c.systems),
            "inverts": [None if not np.isfinite(v) else round(v, 3) for v in c.inverts],
        }
        ids = [c.pipe, c.other] if c.other_layer == S.PIPES else [c.pipe]
        if c.other_layer == S.MANHOLES:
            data["manhole"] = c.other
        if c.reason == CONTACT_IDS:
            out.append(
                Issue.make(
                    "connectivity",
                    "contact_not_connected",
                    WARNING,
                    ids,
                    S.PIPES,
                    c.xy,
                    f"{p_zh} 在 {d_cm:.0f} cm 内经过{o_zh}，但起止井号表明二者不相连"
                    f"（未连接；建议现场核查）。",
                    f"{p_en[0].upper()}{p_en[1:]} passes within {d_cm:.0f} cm of {o_en}; the "
                    f"ids say they are not connected (not joined; a candidate for a field "
                    f"check).",
                    **data,
                )
            )
        elif c.reason == CONTACT_INVERTS:
            dz = abs(c.inverts[0] - c.inverts[1])
            who = part_en + p_en
            out.append(
                Issue.make(
                    "connectivity",
                    "contact_ruled_out",
                    INFO,
                    ids,
                    S.PIPES,
                    c.xy,
                    f"{p_zh} {part_zh}与{o_zh}平面上相接（{d_cm:.0f} cm），但管底高程相差 "
                    f"{dz:.2f} m，判定不相连。",
                    f"{who[0].upper()}{who[1:]} touches {o_en} in plan ({d_cm:.0f} cm) but their "
                    f"inverts differ by {dz:.2f} m: not connected.",
                    **data,
                )
            )
        else:
            arrow = {"rain->sewage": "雨水接入污水", "sewage->rain": "污水接入雨水"}
            how_zh = f"（{arrow[c.direction]}）" if c.direction in arrow else ""
            how_en = f" ({c.direction})" if c.direction else ""
            out.append(
                Issue.make(
                    "semantics",
                    "suspected_misconnection",
                    WARNING,
                    ids,
                    S.PIPES,
                    c.xy,
                    f"疑似雨污混接{how_zh}：{p_zh} {part_zh}与{o_zh}仅在图形上相接"
                    f"（{d_cm:.0f} cm），无起止井号佐证；未确认前不计入流向。确认后将 "
                    f"“{c.key}” 加入项目设置 confirmed_contacts。",
                    f"Suspected rain/sewage misconnection{how_en}: {part_en}{p_en} touches "
                    f"{o_en} in plan only ({d_cm:.0f} cm), with no from/to ids to say so; it "
                    f"carries no flow until confirmed. To confirm, add {c.key!r} to the "
                    f"project setting confirmed_contacts.",
                    direction=c.direction,
                    **data,
                )
            )
    return out


def _loose_ends(net: Network) -> tuple[list[Issue], set[str]]:
    """Pipe ends alone at a junction: near misses (errors) or dangling ends; also the pipes
    with a near miss (a near miss explains their from/to mismatch)."""
    out: list[Issue] = []
    ids = net.node_ids
    deg_in, deg_out = _node_degree(net)
    deg = deg_in + deg_out
    tol_m = net.snap_tolerance_m
    tol = net.tolerance_units
    has_manholes = bool((net.node_kind == NODE_MANHOLE).any())
    side_nodes = {n for n, _, _ in net.side_connections} | _contact_nodes(net)
    attached = net.node_is_plant | net.node_is_outfall
    has_ent = np.zeros(net.n_nodes, dtype=bool)
    has_ent[net.ent_node[(net.ent_node >= 0) & (net.ent_edge < 0)]] = True

    near_miss_pipes: set[str] = set()
    # pipe ends alone at a junction (an enterprise's own outlet is not dangling)
    lonely = np.flatnonzero((net.node_kind == NODE_JUNCTION) & (deg == 1) & ~attached & ~has_ent)
    lonely = np.array([n for n in lonely.tolist() if n not in side_nodes], dtype=np.int64)
    if len(lonely):
        near = _near_misses(net, lonely, tol * NEAR_MISS_FACTOR)
        for n in lonely.tolist():
            e = _first_edge(net, n)
            if n in near:
                near_miss_pipes.add(net.edge_pipe_id[e])
            pipe = net.edge_pipe_id[e]
            up = int(net.edge_u[e]) == n
            end_zh, end_en = ("上游", "upstream") if up else ("下游", "downstream")
            hit = near.get(n)
            if hit is not None:
                what, target, d = hit
                out.append(
                    Issue.make(
                        "connectivity",
                        "near_miss",
                        ERROR,
                        [pipe],
                        S.PIPES,
                        net.node_xy_of(n),
                        f"管线 {pipe} 的{end_zh}端点距{_WHAT_ZH[what]} {target} 仅 {d:.3f} m，"
                        f"未连接（捕捉容差 {tol_m:g} m）。",
                        f"The {end_en} end of pipe {pipe} misses {what} {target} by {d:.3f} m "
                        f"(snap tolerance {tol_m:g} m).",
                        node=ids[n],
                        end=end_en,
                        target=target,
                        target_kind=what,
                        distance_m=round(d, 4),
                    )
                )
            elif has_manholes:
                out.append(
                    Issue.make(
                        "connectivity",
                        "dangling_end",
                        WARNING,
                        [pipe],
                        S.PIPES,
                        net.node_xy_of(n),
                        f"管线 {pipe} 的{end_zh}端点未接检查井或其他管线（悬挂端点）。",
                        f"The {end_en} end of pipe {pipe} joins no manhole or other pipe "
                        f"(dangling end).",
                        node=ids[n],
                        end=end_en,
                    )
                )

    return out, near_miss_pipes


def _orphan_manholes(net: Network) -> list[Issue]:
    out: list[Issue] = []
    ids = net.node_ids
    deg_in, deg_out = _node_degree(net)
    deg = deg_in + deg_out
    # manholes without pipes
    orphan = np.flatnonzero((net.node_kind == NODE_MANHOLE) & (deg == 0))
    for n in orphan.tolist():
        out.append(
            Issue.make(
                "connectivity",
                "orphan_manhole",
                WARNING,
                [ids[n]],
                S.MANHOLES,
                net.node_xy_of(n),
                f"检查井 {ids[n]} 没有连接任何管线。",
                f"Manhole {ids[n]} has no pipe.",
            )
        )
    return out


def _isolated_subnetworks(net: Network) -> list[Issue]:
    out: list[Issue] = []
    attached = net.node_is_plant | net.node_is_outfall
    # isolated sub-networks: weak components reaching no plant and no outfall
    if net.n_edges:
        n = net.n_nodes
        adj = sparse.coo_matrix(
            (np.ones(net.n_edges, np.int8), (net.edge_u, net.edge_v)), shape=(n, n)
        )
        n_comp, labels = csgraph.connected_components(adj, directed=False)
        good = np.zeros(n_comp, dtype=bool)
        good[labels[attached]] = True
        has_edge = np.zeros(n_comp, dtype=bool)
        has_edge[labels[net.edge_u]] = True
        bad = np.flatnonzero(~good & has_edge)
        if len(bad):
            edge_comp = labels[net.edge_u]
            order = np.argsort(edge_comp, kind="stable")
            bounds = np.searchsorted(edge_comp[order], bad)
            ends = np.searchsorted(edge_comp[order], bad, side="right")
            for _c, lo, hi in zip(bad.tolist(), bounds.tolist(), ends.tolist(), strict=True):
                edges = order[lo:hi]
                pipes = list(dict.fromkeys(net.edge_pipe_id[edges].tolist()))
                length = float(net.edge_length_m[edges].sum())
                out.append(
                    Issue.make(
                        "connectivity",
                        "isolated_subnetwork",
                        WARNING,
                        pipes,
                        S.PIPES,
                        net.edge_xy(int(edges[0])),
                        f"孤立管网：{len(pipes)} 条管线（{length:.1f} m）不通往任何污水处理厂"
                        f"或排放口：{_fmt_ids(pipes, '、')}。",
                        f"Isolated sub-network: {len(pipes)} pipe(s) ({length:.1f} m) reach no "
                        f"plant or outfall: {_fmt_ids(pipes)}.",
                        length_m=round(length, 3),
                        n_pipes=len(pipes),
                    )
                )
    return out


def _side_connections(net: Network) -> list[Issue]:
    out: list[Issue] = []
    ids = net.node_ids
    # side connections / pipes through manholes
    by_node: dict[int, list[int]] = {}
    for node, piece, _ in net.side_connections:
        by_node.setdefault(node, []).append(piece)
    for node, hosts in by_node.items():
        host_ids = list(dict.fromkeys(net.piece_pipe_id[hosts].tolist()))
        laterals = [
            net.piece_pipe_id[p]
            for p in np.flatnonzero(
                (net.piece_start_node == node) | (net.piece_end_node == node)
            ).tolist()
        ]
        laterals = [x for x in dict.fromkeys(laterals) if x not in host_ids]
        if net.node_kind[node] == NODE_MANHOLE:
            out.append(
                Issue.make(
                    "connectivity",
                    "pipe_through_manhole",
                    INFO,
                    host_ids,
                    S.PIPES,
                    net.node_xy_of(node),
                    f"管线 {'、'.join(host_ids)} 穿过检查井 {ids[node]} 未断开，已在井处拆分。",
                    f"Pipe {', '.join(host_ids)} runs through manhole {ids[node]} without a "
                    f"break; split there.",
                    node=ids[node],
                    host=host_ids,
                )
            )
        else:
            out.append(
                Issue.make(
                    "connectivity",
                    "side_connection",
                    WARNING,
                    laterals + host_ids,
                    S.PIPES,
                    net.node_xy_of(node),
                    f"支管暗接（AJ）：管线 {'、'.join(laterals)} 在管段中部接入"
                    f" {'、'.join(host_ids)}，无检查井。",
                    f"Side connection (AJ, branch joined without manhole): pipe "
                    f"{', '.join(laterals)} joins {', '.join(host_ids)} mid-way.",
                    code="AJ",
                    node=ids[node],
                    host=host_ids,
                    laterals=laterals,
                )
            )
    return out


def _fields_mismatches(net: Network, near_miss_pipes: set[str]) -> list[Issue]:
    out: list[Issue] = []
    ids = net.node_ids
    # from/to fields that disagree with the geometry
    mism = np.flatnonzero(net.piece_fields_mismatch)
    for p in mism.tolist():
        pid = net.piece_pipe_id[p]
        if pid in near_miss_pipes:
            continue  # the near miss explains it
        out.append(
            Issue.make(
                "connectivity",
                "fields_mismatch",
                WARNING,
                [pid],
                S.PIPES,
                net.piece_xy(p),
                f"管线 {pid} 的起止井号与图形不符（图形连接 {ids[net.piece_start_node[p]]} → "
                f"{ids[net.piece_end_node[p]]}）。",
                f"Pipe {pid}: its from/to manhole fields disagree with the geometry (drawn from "
                f"{ids[net.piece_start_node[p]]} to {ids[net.piece_end_node[p]]}).",
                start_node=ids[net.piece_start_node[p]],
                end_node=ids[net.piece_end_node[p]],
            )
        )
    return out


_WHAT_ZH = {"manhole": "检查井", "pipe end": "管线端点", "pipe": "管线"}


def _first_edge(net: Network, n: int) -> int:
    hit = np.flatnonzero((net.edge_u == n) | (net.edge_v == n)) if net.n_edges < 50_000 else None
    if hit is not None:
        return int(hit[0])
    ip, order = net.out_csr
    if ip[n + 1] > ip[n]:
        return int(order[ip[n]])
    ip, order = net.in_csr
    return int(order[ip[n]])


def _near_misses(
    net: Network, nodes: np.ndarray, radius: float
) -> dict[int, tuple[str, str, float]]:
    """Nearest manhole / other node / pipe within *radius* of each lonely node."""
    xy = net.node_xy[nodes]
    best: dict[int, tuple[str, str, float]] = {}
    unit = net.unit_m
    tree = spatial.cKDTree(net.node_xy)
    lst = tree.query_ball_point(xy, radius)
    for n, cands in zip(nodes.tolist(), lst, strict=True):
        for c in cands:
            if c == n:
                continue
            d = float(np.hypot(*(net.node_xy[c] - net.node_xy[n]))) * unit
            what = "manhole" if net.node_kind[c] == NODE_MANHOLE else "pipe end"
            if n not in best or d < best[n][2]:
                best[n] = (what, net.node_ids[c], d)
    pts = shapely.points(xy)
    pi, gi = net.pipe_tree.query(pts, predicate="dwithin", distance=radius)
    if len(pi):
        own = (net.piece_start_node[gi] == nodes[pi]) | (net.piece_end_node[gi] == nodes[pi])
        pi, gi = pi[~own], gi[~own]
        d = shapely.distance(pts[pi], net.piece_geom[gi]) * unit
        for k, g, dist in zip(pi.tolist(), gi.tolist(), d.tolist(), strict=True):
            n = int(nodes[k])
            # prefer a manhole/end hit unless the pipe is clearly closer
            if n not in best or dist < best[n][2] - 1e-9:
                best[n] = ("pipe", net.piece_pipe_id[g], dist)
    return best


# --------------------------------------------------------------------------------------------
# direction
# --------------------------------------------------------------------------------------------
def check_direction(net: Network) -> list[Issue]:
    """Cycles, flow against the invert slope, conflicting direction fields, dead-end sinks,
    large pipes draining into smaller ones."""
    out = _cycles(net)
    ids = net.node_ids
    for p in np.flatnonzero(net.piece_slope_conflict).tolist():
        pid = net.piece_pipe_id[p]
        up, dn = float(net.piece_up_invert[p]), float(net.piece_down_invert[p])
        src = net.piece_dir_source[p]
        out.append(
            Issue.make(
                "direction",
                "against_slope",
                WARNING,
                [pid],
                S.PIPES,
                net.piece_xy(p),
                f"管线 {pid} 按{DIR_SOURCE_LABELS_ZH[src]}的流向为逆坡：上游管底 {up:.3f}，"
                f"下游管底 {dn:.3f}（未改向）。",
                f"Pipe {pid} flows against its invert slope by its {src.replace('_', '/')} "
                f"direction: upstream invert {up:.3f}, downstream {dn:.3f} (not reversed).",
                up_invert=up,
                down_invert=dn,
                source=src,
            )
        )
    for p in np.flatnonzero(net.piece_flowdir_conflict).tolist():
        pid = net.piece_pipe_id[p]
        out.append(
            Issue.make(
                "direction",
                "direction_conflict",
                WARNING,
                [pid],
                S.PIPES,
                net.piece_xy(p),
                f"管线 {pid} 的流向字段与起止井号方向相反，按起止井号处理。",
                f"Pipe {pid}: its flow-direction field contradicts its from/to manholes; the "
                f"from/to manholes were kept.",
            )
        )
    deg_in, deg_out = _node_degree(net)
    sinks = np.flatnonzero(
        (deg_in > 0) & (deg_out == 0) & ~net.node_is_plant & ~net.node_is_outfall
    )
    explained = _contact_nodes(net)  # an unconfirmed contact: its finding says why
    sinks = np.array([n for n in sinks.tolist() if n not in explained], dtype=np.int64)
    if len(sinks):
        ip, order = net.in_csr
        for n in sinks.tolist():
            pipes = list(dict.fromkeys(net.edge_pipe_id[order[ip[n] : ip[n + 1]]].tolist()))
            layer = S.MANHOLES if net.node_kind[n] == NODE_MANHOLE else S.PIPES
            fids = [ids[n]] if layer == S.MANHOLES else pipes
            out.append(
                Issue.make(
                    "direction",
                    "dead_end_sink",
                    ERROR,
                    fids,
                    layer,
                    net.node_xy_of(n),
                    f"{ids[n]} 只进不出：管线 {'、'.join(pipes)} 流入后无去向，"
                    f"且不是污水处理厂或排放口。",
                    f"{ids[n]} is a sink that is neither a plant nor an outfall: pipe(s) "
                    f"{', '.join(pipes)} flow in and nothing flows out.",
                    node=ids[n],
                    pipes=pipes,
                )
            )
    out.extend(_large_to_small(net))
    return out


def _cycles(net: Network) -> list[Issue]:
    """Closed flow loops (a zero-length self-loop is reported as zero length instead)."""
    out: list[Issue] = []
    geom_len_m = net.piece_geom_length_m
    for loop in find_loops(net):
        if loop["self_loop"]:
            e = loop["edges"][0]
            if geom_len_m[net.edge_piece[e]] < net.snap_tolerance_m:
                continue  # reported as zero length
        pipes = loop["pipes"]
        out.append(
            Issue.make(
                "direction",
                "cycle",
                ERROR,
                pipes,
                S.PIPES,
                net.edge_xy(loop["edges"][0]),
                f"流向成环：管线 {_fmt_ids(pipes, '、')} 构成闭合回路。",
                f"Flow cycle: pipes {_fmt_ids(pipes)} form a closed loop.",
                nodes=loop["nodes"][:200],
            )
        )
    return out


def _large_to_small(net: Network) -> list[Issue]:
    d = net.edge_diameter_mm
    # only where some pipe leaving a node is smaller than some pipe entering it (pipes by
    # their integer codes; the ids are looked up for the findings alone)
    n = net.n_nodes
    ok = np.isfinite(d)
    max_in = np.full(n, -np.inf)
    np.maximum.at(max_in, net.edge_v[ok], d[ok])
    min_out = np.full(n, np.inf)
    np.minimum.at(min_out, net.edge_u[ok], d[ok])
    maybe = min_out < max_in
    e_i = np.flatnonzero(maybe[net.edge_v])
    e_o = np.flatnonzero(maybe[net.edge_u])
    codes = net.pipe_edges.codes
    e_in = pd.DataFrame(
        {"node": net.edge_v[e_i], "e_in": e_i, "d_in": d[e_i], "pid_in": codes[e_i]}
    )
    e_out = pd.DataFrame({"node": net.edge_u[e_o], "d_out": d[e_o], "pid_out": codes[e_o]})
    e_in = e_in[np.isfinite(e_in["d_in"].to_numpy())]
    e_out = e_out[np.isfinite(e_out["d_out"].to_numpy())]
    stop = net.node_is_plant | net.node_is_outfall
    e_in = e_in[~stop[e_in["node"].to_numpy()]]
    if e_in.empty or e_out.empty:
        return []
    m = e_in.merge(e_out, on="node")
    m = m[m["pid_in"].to_numpy() != m["pid_out"].to_numpy()]
    if m.empty:
        return []
    idx = m.groupby("e_in")["d_out"].idxmax()
    top = m.loc[idx.to_numpy()]
    bad = top[top["d_out"].to_numpy() < top["d_in"].to_numpy()]
    uniques = net.pipe_edges.uniques
    bad = bad.assign(
        pid_in=uniques[bad["pid_in"].to_numpy()], pid_out=uniques[bad["pid_out"].to_numpy()]
    )
    out = []
    for r in bad.itertuples(index=False):
        n = int(r.node)
        out.append(
            Issue.make(
                "direction",
                "large_to_small",
                WARNING,
                [r.pid_in, r.pid_out],
                S.PIPES,
                net.node_xy_of(n),
                f"大管接小管：DN{r.d_in:g} 的 {r.pid_in} 在 {net.node_ids[n]} 流入 "
                f"DN{r.d_out:g} 的 {r.pid_out}。",
                f"Large pipe into smaller: {r.pid_in} (DN{r.d_in:g}) drains at "
                f"{net.node_ids[n]} into {r.pid_out} (DN{r.d_out:g}).",
                node=net.node_ids[n],
                d_in=float(r.d_in),
                d_out=float(r.d_out),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# semantics
# --------------------------------------------------------------------------------------------
def _system_class(system: np.ndarray) -> np.ndarray:
    """'rain', 'foul' or '' per value."""
    s = system.astype(str)
    out = np.full(len(s), "", dtype=object)
    out[s == S.RAIN] = "rain"
    out[np.isin(s, FOUL_SYSTEMS)] = "foul"
    return out


def _system_code(system: np.ndarray) -> np.ndarray:
    """:func:`_system_class` as int8 (1 rain, 2 foul, 0 neither), via the few distinct values."""
    codes, uniques = pd.factorize(pd.Series(system, dtype=object))
    return _system_code_of(codes, np.asarray(uniques, dtype=object))


def _edge_system_code(net: Network) -> np.ndarray:
    """:func:`_system_code` of ``net.edge_system``, from the network's one factorisation."""
    return _system_code_of(*net.edge_system_factors)


def _system_code_of(codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    cls = _system_class(uniques)
    lut = np.array([{"rain": 1, "foul": 2}.get(c, 0) for c in cls] + [0], dtype=np.int8)
    return lut[codes]


def check_semantics(net: Network) -> list[Issue]:
    """Rain/sewage misconnections, sewage reaching rain outfalls or rivers, enterprises
    reaching no plant."""
    return _misconnections(net) + _sewage_to_outfalls(net) + _enterprises_without_plant(net)


def _misconnections(net: Network) -> list[Issue]:
    out: list[Issue] = []
    code = _edge_system_code(net)
    # misconnections at nodes: an inflowing pipe of one class, an outflowing pipe of the other;
    # only the edges at nodes where rain meets foul water are looked at row by row
    n = net.n_nodes
    rain, foul = code == 1, code == 2
    in_rain = np.bincount(net.edge_v[rain], minlength=n) > 0
    in_foul = np.bincount(net.edge_v[foul], minlength=n) > 0
    out_rain = np.bincount(net.edge_u[rain], minlength=n) > 0
    out_foul = np.bincount(net.edge_u[foul], minlength=n) > 0
    mixed = (in_rain & out_foul) | (in_foul & out_rain)
    e_i = np.flatnonzero(mixed[net.edge_v] & (code > 0))
    e_o = np.flatnonzero(mixed[net.edge_u] & (code > 0))
    system = net.edge_system
    e_in = pd.DataFrame(
        {
            "node": net.edge_v[e_i],
            "pid_in": net.edge_pipe_id[e_i],
            "c_in": _system_class(system[e_i]),
            "s_in": system[e_i].astype(str),
        }
    )
    e_out = pd.DataFrame(
        {
            "node": net.edge_u[e_o],
            "pid_out": net.edge_pipe_id[e_o],
            "c_out": _system_class(system[e_o]),
            "s_out": system[e_o].astype(str),
        }
    )
    e_in = e_in[e_in["c_in"] != ""]
    e_out = e_out[e_out["c_out"] != ""]
    m = e_in.merge(e_out, on="node")
    m = m[(m["c_in"] != m["c_out"]) & (m["pid_in"] != m["pid_out"])]
    # rain into combined is by design; foul into rain and rain into sewage/industrial are not
    m = m[~((m["c_in"] == "rain") & (m["s_out"] == S.COMBINED))]
    for (pid_in, node), g in m.groupby(["pid_in", "node"], sort=False):
        direction = "rain->sewage" if g["c_in"].iloc[0] == "rain" else "sewage->rain"
        outs = list(dict.fromkeys(g["pid_out"].tolist()))
        s_in = S.SYSTEM_LABELS_ZH.get(g["s_in"].iloc[0], g["s_in"].iloc[0])
        s_out = S.SYSTEM_LABELS_ZH.get(g["s_out"].iloc[0], g["s_out"].iloc[0])
        n = int(node)
        out.append(
            Issue.make(
                "semantics",
                "misconnection",
                ERROR,
                [pid_in, *outs],
                S.PIPES,
                net.node_xy_of(n),
                f"雨污混接（{'雨水接入污水' if direction == 'rain->sewage' else '污水接入雨水'}"
                f"）：{s_in}管 {pid_in} 在 {net.node_ids[n]} 流入{s_out}管 {'、'.join(outs)}。",
                f"Rain/sewage misconnection ({direction}): {g['s_in'].iloc[0]} pipe {pid_in} "
                f"drains at {net.node_ids[n]} into {g['s_out'].iloc[0]} pipe(s) "
                f"{', '.join(outs)}.",
                direction=direction,
                node=net.node_ids[n],
                into=outs,
            )
        )
    return out


def _sewage_to_outfalls(net: Network) -> list[Issue]:
    out: list[Issue] = []
    # sewage reaching an outfall (not through a plant); decided per distinct system value
    codes, uniques = net.edge_system_factors
    lut = np.array([u in (S.SEWAGE, S.INDUSTRIAL) for u in uniques] + [False], dtype=bool)
    foul_edge = lut[codes]
    ok_classes = ("municipal_plant", "plant_overflow", "industrial")
    for i, oid in enumerate(net.outfall_ids.tolist()):
        n = int(net.outfall_node[i])
        if n < 0:
            continue
        ocls = net.outfall_class[i] if len(net.outfall_class) > i else None
        if ocls in ok_classes:
            continue
        visited, edges, _ = reach_upstream(net, [n])
        foul = edges[foul_edge[edges]]
        ents = (
            np.flatnonzero((net.ent_node >= 0) & visited[np.maximum(net.ent_node, 0)])
            if len(net.ent_ids)
            else np.empty(0, np.int64)
        )
        if len(foul) == 0 and len(ents) == 0:
            continue
        pipes = list(dict.fromkeys(net.edge_pipe_id[foul].tolist()))
        ent_ids = net.ent_ids[ents].tolist()
        rain = ocls == "rain"
        kind = "sewage_to_rain_outfall" if rain else "sewage_to_river"
        what_zh = []
        if pipes:
            what_zh.append(f"污水管 {_fmt_ids(pipes, '、')}")
        if ent_ids:
            what_zh.append(f"企业 {_fmt_ids(ent_ids, '、')}")
        what_en = []
        if pipes:
            what_en.append(f"sewage pipe(s) {_fmt_ids(pipes)}")
        if ent_ids:
            what_en.append(f"enterprise(s) {_fmt_ids(ent_ids)}")
        out.append(
            Issue.make(
                "semantics",
                kind,
                ERROR if rain else WARNING,
                [oid],
                S.OUTFALLS,
                net.node_xy_of(n),
                f"污水进入{'雨水排口' if rain else '排放口'} {oid}：{'，'.join(what_zh)} "
                f"的水未经污水处理厂排往{'雨水排口' if rain else '水体'}。",
                f"Sewage reaches {'rain outfall' if rain else 'outfall'} {oid} without passing a "
                f"plant: {'; '.join(what_en)}.",
                pipes=pipes[:500],
                enterprises=ent_ids,
                outfall_class=ocls,
            )
        )
    return out


def _enterprises_without_plant(net: Network) -> list[Issue]:
    out: list[Issue] = []
    # enterprises reaching no plant
    if len(net.ent_ids):
        plant_nodes = np.flatnonzero(net.node_is_plant)
        reach_plant = (
            reach_upstream(net, plant_nodes)[0]
            if len(plant_nodes)
            else np.zeros(net.n_nodes, dtype=bool)
        )
        outfall_nodes = np.flatnonzero(net.node_is_outfall)
        att = net.ent_node >= 0
        no_plant = att.copy()
        no_plant[att] = ~reach_plant[net.ent_node[att]]
        reach_out = None
        for i in np.flatnonzero(no_plant).tolist():
            if reach_out is None:
                reach_out = _outfall_reach(net, outfall_nodes)
            eid = net.ent_ids[i]
            outs = reach_out.get(int(net.ent_node[i]), []) if reach_out else []
            xy = tuple(net.ent_xy[i]) if np.isfinite(net.ent_xy[i]).all() else None
            where_zh = f"流向排放口 {'、'.join(outs)}" if outs else "无去向"
            where_en = (
                f"it drains to outfall(s) {', '.join(outs)}" if outs else "it drains nowhere"
            )
            out.append(
                Issue.make(
                    "semantics",
                    "enterprise_no_plant",
                    ERROR,
                    [eid],
                    S.ENTERPRISES,
                    xy,
                    f"企业 {eid} 的废水到达不了任何污水处理厂（{where_zh}）。",
                    f"Wastewater of enterprise {eid} reaches no treatment plant ({where_en}).",
                    outfalls=outs,
                    node=net.node_ids[net.ent_node[i]],
                )
            )
    return out


def _outfall_reach(net: Network, outfall_nodes: np.ndarray) -> dict[int, list[str]]:
    """Node -> outfall ids its water reaches (only computed when some enterprise needs it)."""
    res: dict[int, list[str]] = {}
    for n in outfall_nodes.tolist():
        visited = reach_upstream(net, [n])[0]
        names = [net.outfall_ids[i] for i in net.node_outfalls.get(n, [])]
        for m in np.flatnonzero(visited[np.maximum(net.ent_node, 0)] & (net.ent_node >= 0)):
            res.setdefault(int(net.ent_node[m]), []).extend(names)
    return res


def check_attachments(net: Network) -> list[Issue]:
    """Enterprises attached by distance, or to a node where only rain pipes run."""
    out = []
    code = _edge_system_code(net)  # _system_class by the distinct systems: 1 rain, 2 foul
    foul, rain = code == 2, code == 1
    foul_node = np.zeros(net.n_nodes, dtype=bool)
    rain_node = np.zeros(net.n_nodes, dtype=bool)
    foul_node[net.edge_u[foul]] = True
    foul_node[net.edge_v[foul]] = True
    rain_node[net.edge_u[rain]] = True
    rain_node[net.edge_v[rain]] = True
    for i in np.flatnonzero(net.ent_node >= 0).tolist():
        n = int(net.ent_node[i])
        if not rain_node[n] or foul_node[n]:
            continue
        eid = net.ent_ids[i]
        out.append(
            Issue.make(
                "attach",
                "connects_to_rain",
                ERROR,
                [eid],
                S.ENTERPRISES,
                tuple(net.ent_xy[i]) if np.isfinite(net.ent_xy[i]).all() else None,
                f"企业 {eid} 接入雨水井 {net.node_ids[n]}：废水进入雨水系统。",
                f"Enterprise {eid} is connected to rain manhole {net.node_ids[n]}: its "
                f"wastewater enters the rain system.",
                node=net.node_ids[n],
                method=net.ent_method[i],
            )
        )
    for i in np.flatnonzero(net.ent_method.astype(str) != "field").tolist():
        how = net.ent_method[i]
        if how is None:
            continue
        eid = net.ent_ids[i]
        n = int(net.ent_node[i])
        d = float(net.ent_distance_m[i])
        via = (
            f"管线 {net.edge_pipe_id[net.ent_edge[i]]}"
            if net.ent_edge[i] >= 0
            else f"检查井 {net.node_ids[n]}"
        )
        via_en = (
            f"pipe {net.edge_pipe_id[net.ent_edge[i]]}"
            if net.ent_edge[i] >= 0
            else f"node {net.node_ids[n]}"
        )
        out.append(
            Issue.make(
                "attach",
                "attached_by_distance",
                INFO,
                [eid],
                S.ENTERPRISES,
                tuple(net.ent_xy[i]),
                f"企业 {eid} 未填接入井，按距离接入最近的{via}（{d:.1f} m）。",
                f"Enterprise {eid} has no connection manhole; attached to the nearest {via_en} "
                f"({d:.1f} m).",
                node=net.node_ids[n],
                distance_m=round(d, 3),
                method=how,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# all checks
# --------------------------------------------------------------------------------------------
CHECKS = (
    ("Geometry", check_geometry),
    ("Connectivity", check_connectivity),
    ("Direction", check_direction),
    ("Semantics", check_semantics),
    ("Attachments", check_attachments),
)


def iter_checks(net: Network) -> Generator[Progress, None, list[Issue]]:
    """Run every check, yielding ``(fraction, message)``; return the list of issues.

    The build findings (empty geometry, duplicate ids, attachment failures) come first.
    """
    issues: list[Issue] = list(net.build_issues)
    for k, (label, fn) in enumerate(CHECKS):
        yield k / len(CHECKS), f"Checking {label.lower()}"
        issues.extend(fn(net))
    yield 1.0, "Checks done"
    return _unique_ids(issues)


def run_checks(net: Network) -> list[Issue]:
    """Run every check and return the itemised findings.

    Parameters
    ----------
    net : Network

    Returns
    -------
    list of Issue
        Sorted by category (``CATEGORIES`` order), then severity, then id.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "system": ["rain", "sewage"],
    ...     "from_node": ["A", "B"], "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> [i.kind for i in run_checks(build_network({"pipes": pipes}))]
    ['isolated_subnetwork', 'dead_end_sink', 'misconnection']
    """
    gen = iter_checks(net)
    return drain(gen)


_SEV_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


def _unique_ids(issues: list[Issue]) -> list[Issue]:
    from dataclasses import replace

    seen: dict[str, int] = {}
    out = []
    for i in issues:
        k = seen.get(i.id, 0)
        seen[i.id] = k + 1
        out.append(i if k == 0 else replace(i, id=f"{i.id}#{k + 1}"))
    cat = {c: k for k, c in enumerate(CATEGORIES)}
    out.sort(key=lambda i: (cat.get(i.category, 99), _SEV_ORDER.get(i.severity, 9)))
    return out


def summarize(issues: list[Issue]) -> dict[str, Any]:
    """Counts by category, kind and severity."""
    by: dict[str, Any] = {
        "total": len(issues),
        "by_severity": {},
        "by_category": {},
        "by_kind": {},
    }
    for i in issues:
        by["by_severity"][i.severity] = by["by_severity"].get(i.severity, 0) + 1
        by["by_category"][i.category] = by["by_category"].get(i.category, 0) + 1
        k = f"{i.category}.{i.kind}"
        by["by_kind"][k] = by["by_kind"].get(k, 0) + 1
    return by
