"""Write a runnable dry-weather EPA SWMM model of a project's network.

What goes where:

* every open pipe of the built network → a conduit (circular by its diameter; a pipe imported
  from SWMM with another cross-section keeps it), from its upstream to its downstream node
  in flow direction, length = the pipe's length in metres, end inverts → offsets above the
  node inverts (``LINK_OFFSETS DEPTH``). A pipe that other pipes join mid-way (a side
  connection) is one conduit per part (``ID~1``, ``ID~2`` …);
* manholes and pipe junctions → junctions: invert = the lowest of the manhole's floor
  (ground − depth) and the pipe inverts there, maximum depth up to the ground level (at
  least up to the highest pipe crown);
* the network's ends (nodes that only receive water: where the plants and outfalls sit) →
  free outfalls;
* each enterprise's declared wastewater (t/d ≈ m³/d) → a constant dry-weather inflow
  (``[DWF]``) at its connection manhole (接入井, else the node it was attached to);
* options for a steady dry-weather run in CMS (m³/s) with dynamic-wave routing.

Pipes without inverts are left out and listed, unless ``interpolate_inverts`` asks for their
inverts to be estimated (from the manhole floor, else from the other pipes at that manhole,
else from the pipe's other end at a 0.3 % fall).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from network import schema as S
from network.io.swmm.common import (
    LINK_TYPE,
    ROUGHNESS,
    XS_HEIGHT_M,
    XS_SHAPE,
    XS_WIDTH_M,
    SwmmError,
)
from network.lazy import lazy_module

pd = lazy_module("pandas", globals())
shapely = lazy_module("shapely", globals())
shapely_ops = lazy_module("shapely.ops", globals())

DEFAULT_HOURS = 12.0
#: fall assumed from a pipe's known end to its unknown end when interpolating inverts
INTERPOLATION_SLOPE = 0.003
DEFAULT_ROUGHNESS = 0.013
#: Manning's n by pipe material (GB 50014 表 5.2.3: plastic 0.009–0.011, concrete 0.013–0.014)
MATERIAL_ROUGHNESS = (
    (("hdpe", "pvc", "upvc", "pe", "pp", "塑料", "聚乙烯", "聚氯乙烯", "波纹", "玻璃钢"), 0.011),
    (("铸铁", "cast iron", "ductile", "di", "ci"), 0.013),
    (("钢", "steel"), 0.012),
    (("混凝土", "砼", "concrete", "rc", "rcp"), 0.013),
)


@dataclass
class SwmmExport:
    """What :func:`export_swmm` wrote and what it could not carry over."""

    path: Path
    conduits: int = 0
    junctions: int = 0
    outfalls: int = 0
    pumps: int = 0
    dwf_nodes: int = 0
    dwf_total_m3s: float = 0.0
    hours: float = DEFAULT_HOURS
    #: conduit name → pipe id (a split pipe has several conduits)
    pipe_of_link: dict[str, str] = field(default_factory=dict)
    #: conduit name → full-flow capacity by Manning (m³/s), NaN where unknown
    full_flow_m3s: dict[str, float] = field(default_factory=dict)
    #: conduit name → section height (m)
    height_m: dict[str, float] = field(default_factory=dict)
    missing_inverts: list[str] = field(default_factory=list)
    interpolated: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "path": str(self.path),
            "conduits": self.conduits,
            "pumps": self.pumps,
            "junctions": self.junctions,
            "outfalls": self.outfalls,
            "dwf_nodes": self.dwf_nodes,
            "dwf_total_m3s": self.dwf_total_m3s,
            "hours": self.hours,
            "missing_inverts": self.missing_inverts,
            "interpolated_inverts": self.interpolated,
            "left_out": [{"pipe_id": p, "reason": r} for p, r in self.left_out],
            "notes": self.notes,
        }


_BAD_ID = re.compile(r"[\s;\[\]\"]")


def swmm_name(text: str) -> str:
    """A SWMM object name for an id: blanks, ``;``, brackets and quotes become ``_``.

    >>> swmm_name("WJ 01;a"), swmm_name("WS-0001")
    ('WJ_01_a', 'WS-0001')
    """
    return _BAD_ID.sub("_", str(text)) or "_"


def material_roughness(material: Any) -> float:
    """Manning's n of a pipe material (0.013 when unknown).

    >>> material_roughness("HDPE"), material_roughness("钢筋混凝土"), material_roughness(None)
    (0.011, 0.013, 0.013)
    """
    if not isinstance(material, str) or not material.strip():
        return DEFAULT_ROUGHNESS
    m = material.strip().lower()
    for words, n in MATERIAL_ROUGHNESS:
        if any(m == w or (len(w) > 2 and w in m) for w in words):
            return n
    return DEFAULT_ROUGHNESS


def full_flow_circular(d_m: float, n: float, slope: float) -> float:
    """Manning's full-bore flow (m³/s) of a circular pipe: ``(1/n)·A·R^(2/3)·√S``.

    >>> round(full_flow_circular(0.3, 0.013, 0.005), 4)
    0.0684
    """
    if not (d_m > 0 and n > 0 and slope > 0):
        return math.nan
    area = math.pi * d_m**2 / 4.0
    return area * (d_m / 4.0) ** (2.0 / 3.0) * math.sqrt(slope) / n


def _f(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def export_swmm(
    net: Any,
    out: str | Path,
    *,
    interpolate_inverts: bool = False,
    hours: float = DEFAULT_HOURS,
    title: str = "",
) -> SwmmExport:
    """Write ``net`` (a built :class:`network.graph.Network`) as a SWMM model at ``out``.

    Parameters
    ----------
    net : the project's built network (its layers give diameters, materials, enterprises)
    out : the ``.inp`` file to write
    interpolate_inverts : estimate missing pipe inverts instead of leaving the pipes out
    hours : length of the simulated dry-weather period
    title : the model's title

    Raises
    ------
    SwmmError
        No pipe can be exported (none has inverts and a diameter), or the file cannot be
        written.

    Examples
    --------
    >>> report = export_swmm(checked.network, "park.inp")  # doctest: +SKIP
    >>> report.conduits, report.outfalls  # doctest: +SKIP
    (1411, 11)
    """
    out = Path(out)
    rep = SwmmExport(path=out, hours=hours)
    pipes = net.layers.get(S.PIPES)
    links = _links(net, pipes, rep, interpolate_inverts)
    if not links:
        raise SwmmError(
            "No pipe can be exported to SWMM: every pipe lacks inverts or a diameter "
            f"({len(rep.left_out)} left out). Fill 起点/终点管底高程 and 管径, or pass "
            "--interpolate-inverts.",
            layer=S.PIPES,
        )
    nodes = _nodes(net, links, rep)
    dwf = _dwf(net, nodes, rep)
    text = _model(net, links, nodes, dwf, rep, title)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SwmmError(f"Cannot write {out}: {exc.strerror or exc}.", file=str(out)) from exc
    return rep


# --- links ------------------------------------------------------------------------------------
def _pipe_value(pipes: Any, col: str, row: int) -> Any:
    if pipes is None or col not in pipes.columns or row < 0:
        return None
    v = pipes[col].iat[row]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _links(net: Any, pipes: Any, rep: SwmmExport, interpolate: bool) -> list[dict[str, Any]]:
    n_edges = net.n_edges
    piece_edges = np.bincount(net.edge_piece, minlength=len(net.piece_pipe_id))
    pid_count = pd.Series(net.piece_pipe_id[net.edge_piece]).value_counts().to_dict()
    up = np.asarray(net.piece_up_invert, dtype=float).copy()
    down = np.asarray(net.piece_down_invert, dtype=float).copy()
    conduit = np.ones(len(up), dtype=bool)
    if pipes is not None and LINK_TYPE in pipes.columns:
        kinds = pipes[LINK_TYPE].to_numpy(dtype=object)[np.asarray(net.piece_row, dtype=np.int64)]
        conduit = pd.isna(kinds) | (kinds == "conduit")
    missing = conduit & ~(np.isfinite(up) & np.isfinite(down))
    if missing.any():
        ids = sorted({str(net.piece_pipe_id[p]) for p in np.flatnonzero(missing)})
        rep.missing_inverts = ids
        if interpolate:
            _interpolate(net, up, down)
            done = missing & np.isfinite(up) & np.isfinite(down)
            rep.interpolated = sorted({str(net.piece_pipe_id[p]) for p in np.flatnonzero(done)})
    links: list[dict[str, Any]] = []
    taken: set[str] = set()
    for e in range(n_edges):
        p = int(net.edge_piece[e])
        pid = str(net.piece_pipe_id[p])
        row = int(net.piece_row[p])
        if not net.edge_open[e]:
            rep.left_out.append((pid, "closed or blocked (status)"))
            continue
        link_type = _pipe_value(pipes, LINK_TYPE, row) or "conduit"
        name = swmm_name(
            pid if pid_count.get(pid, 1) == 1 else f"{pid}~{int(net.edge_part[e]) + 1}"
        )
        while name in taken:
            name += "_"
        taken.add(name)
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        rev = bool(net.piece_reversed[p])
        f0, f1 = float(net.edge_frac0[e]), float(net.edge_frac1[e])
        geom = net.piece_geom[p]
        verts = _vertices(geom, f0, f1, rev, piece_edges[p] > 1)
        base = {"name": name, "pipe_id": pid, "u": u, "v": v, "vertices": verts}
        if link_type == "pump":
            links.append({**base, "type": "pump"})
            continue
        if link_type != "conduit":
            rep.left_out.append((pid, f"a SWMM {link_type} (only conduits and pumps are written)"))
            continue
        if not (np.isfinite(up[p]) and np.isfinite(down[p])):
            rep.left_out.append((pid, "no inverts"))
            continue

        def inv_at(t: float, p: int = p, rev: bool = rev) -> float:
            a, b = (down[p], up[p]) if rev else (up[p], down[p])
            return a + (b - a) * t

        inv_u, inv_v = (inv_at(f1), inv_at(f0)) if rev else (inv_at(f0), inv_at(f1))
        length = float(net.edge_length_m[e])
        if not length > 0:
            rep.left_out.append((pid, "zero length"))
            continue
        d_mm = _f(net.piece_diameter_mm[p])
        shape, h, w = "CIRCULAR", d_mm / 1000.0, 0.0
        if not d_mm > 0:
            shape = str(_pipe_value(pipes, XS_SHAPE, row) or "")
            h, w = (
                _f(_pipe_value(pipes, XS_HEIGHT_M, row)),
                _f(_pipe_value(pipes, XS_WIDTH_M, row)),
            )
            if not shape or not h > 0:
                rep.left_out.append((pid, "no diameter"))
                continue
        n = _f(_pipe_value(pipes, ROUGHNESS, row))
        if not n > 0:
            n = material_roughness(_pipe_value(pipes, S.MATERIAL, row))
        slope = abs(inv_u - inv_v) / length
        q_full = full_flow_circular(h, n, slope) if shape == "CIRCULAR" else math.nan
        links.append(
            {
                **base,
                "type": "conduit",
                "inv_u": inv_u,
                "inv_v": inv_v,
                "length": length,
                "shape": shape,
                "h": h,
                "w": 0.0 if not math.isfinite(w) else w,
                "n": n,
            }
        )
        rep.pipe_of_link[name] = pid
        rep.full_flow_m3s[name] = q_full
        rep.height_m[name] = h
    for lk in links:
        rep.pipe_of_link.setdefault(lk["name"], lk["pipe_id"])
    return links


def _vertices(geom: Any, f0: float, f1: float, rev: bool, split: bool) -> list[tuple]:
    """Interior points of an edge's line, in flow direction."""
    if geom is None or shapely.is_empty(geom):
        return []
    if split:
        geom = shapely_ops.substring(geom, f0, f1, normalized=True)
        if geom.geom_type != "LineString":
            return []
    xy = [tuple(c[:2]) for c in geom.coords]
    if rev:
        xy.reverse()
    return xy[1:-1]


def _interpolate(net: Any, up: np.ndarray, down: np.ndarray) -> None:
    """Fill missing piece inverts in place (manhole floor, other pipes there, other end)."""
    floor = _manhole_floor(net)
    pu = np.full(len(up), -1, dtype=np.int64)  # upstream / downstream node of each piece
    pd_ = np.full(len(up), -1, dtype=np.int64)
    for e in range(net.n_edges):
        p = int(net.edge_piece[e])
        if pu[p] < 0 or net.edge_frac0[e] == 0.0 or net.edge_frac1[e] == 1.0:
            if (not net.piece_reversed[p] and net.edge_frac0[e] == 0.0) or (
                net.piece_reversed[p] and net.edge_frac1[e] == 1.0
            ):
                pu[p] = net.edge_u[e]
            if (not net.piece_reversed[p] and net.edge_frac1[e] == 1.0) or (
                net.piece_reversed[p] and net.edge_frac0[e] == 0.0
            ):
                pd_[p] = net.edge_v[e]
    for _ in range(min(len(up), 200) + 1):  # one step along a chain of gaps per pass
        changed = False
        at_node: dict[int, float] = {}
        for p in range(len(up)):
            for node, inv in ((pu[p], up[p]), (pd_[p], down[p])):
                if node >= 0 and np.isfinite(inv):
                    at_node[int(node)] = min(at_node.get(int(node), math.inf), float(inv))
        for p in np.flatnonzero(~(np.isfinite(up) & np.isfinite(down))):
            length = float(net.piece_length_m[p])
            for arr, node in ((up, pu[p]), (down, pd_[p])):
                if not np.isfinite(arr[p]) and node >= 0:
                    if np.isfinite(floor[node]):
                        arr[p] = floor[node]
                        changed = True
                    elif int(node) in at_node:
                        arr[p] = at_node[int(node)]
                        changed = True
            if np.isfinite(up[p]) != np.isfinite(down[p]):
                if np.isfinite(up[p]):
                    down[p] = up[p] - INTERPOLATION_SLOPE * length
                else:
                    up[p] = down[p] + INTERPOLATION_SLOPE * length
                changed = True
        if not changed:
            return


def _manhole_floor(net: Any) -> np.ndarray:
    """Ground − depth of each node's manhole (NaN where unknown)."""
    out = np.full(net.n_nodes, math.nan)
    ground = _ground(net)
    mh = net.layers.get(S.MANHOLES)
    if mh is None or S.DEPTH_M not in mh.columns:
        return out
    depth = pd.to_numeric(mh[S.DEPTH_M], errors="coerce").to_numpy(dtype=float)
    rows = np.asarray(net.node_manhole_row)
    ok = rows >= 0
    out[ok] = ground[ok] - depth[rows[ok]]
    return out


def _ground(net: Any) -> np.ndarray:
    out = np.full(net.n_nodes, math.nan)
    mh = net.layers.get(S.MANHOLES)
    if mh is None or S.GROUND_M not in mh.columns:
        return out
    g = pd.to_numeric(mh[S.GROUND_M], errors="coerce").to_numpy(dtype=float)
    rows = np.asarray(net.node_manhole_row)
    ok = rows >= 0
    out[ok] = g[rows[ok]]
    return out


# --- nodes ------------------------------------------------------------------------------------
def _nodes(net: Any, links: list[dict[str, Any]], rep: SwmmExport) -> dict[int, dict[str, Any]]:
    floor = _manhole_floor(net)
    ground = _ground(net)
    nodes: dict[int, dict[str, Any]] = {}
    for lk in links:
        for end, key in ((lk["u"], "inv_u"), (lk["v"], "inv_v")):
            nd = nodes.setdefault(end, {"invs": [], "crowns": [], "n_in": 0, "n_out": 0})
            if lk["type"] == "conduit":
                nd["invs"].append(lk[key])
                nd["crowns"].append(lk[key] + lk["h"])
        nodes[lk["v"]]["n_in"] += 1
        nodes[lk["u"]]["n_out"] += 1
    lowered = []
    taken: set[str] = set()
    for j, nd in nodes.items():
        name = swmm_name(net.node_ids[j])
        while name in taken:
            name += "_"
        taken.add(name)
        nd["name"] = name
        cand = [*nd["invs"]] + ([floor[j]] if np.isfinite(floor[j]) else [])
        inv = min(cand) if cand else (ground[j] if np.isfinite(ground[j]) else 0.0)
        if np.isfinite(floor[j]) and nd["invs"] and min(nd["invs"]) < floor[j] - 0.02:
            lowered.append(net.node_ids[j])
        top = max(nd["crowns"]) if nd["crowns"] else inv
        if np.isfinite(ground[j]):
            top = max(top, ground[j])
        nd["invert"] = inv
        nd["max_depth"] = max(top - inv, 0.0)
        nd["outfall"] = nd["n_out"] == 0 and nd["n_in"] > 0
        nd["xy"] = tuple(float(c) for c in net.node_xy[j])
    if lowered:
        rep.notes.append(
            f"{len(lowered)} junction(s) set below the manhole floor to the lowest pipe invert: "
            + ", ".join(map(str, lowered[:10]))
            + (" …" if len(lowered) > 10 else "")
        )
    ends = [j for j, nd in nodes.items() if nd["outfall"]]
    sinks = {}
    for ids, node_arr, label in (
        (net.plant_ids, net.plant_node, "plant"),
        (net.outfall_ids, net.outfall_node, "outfall"),
    ):
        for fid, j in zip(ids.tolist(), np.asarray(node_arr).tolist(), strict=True):
            if j >= 0:
                sinks.setdefault(int(j), []).append(f"{label} {fid}")
    plain_ends = [str(net.node_ids[j]) for j in ends if j not in sinks]
    if plain_ends:
        rep.notes.append(
            f"{len(plain_ends)} network end(s) without a plant or outfall also made free "
            "outfalls: " + ", ".join(plain_ends[:10]) + (" …" if len(plain_ends) > 10 else "")
        )
    inner = [
        f"{'、'.join(v)} at {net.node_ids[j]}"
        for j, v in sinks.items()
        if j in nodes and not nodes[j]["outfall"]
    ]
    if inner:
        rep.notes.append(
            "Plants/outfalls inside the network (water flows on, kept as junctions): "
            + "; ".join(inner[:10])
        )
    # SWMM allows an outfall a single link: several inflows meet at a junction first
    for j in ends:
        nd = nodes[j]
        if nd["n_in"] > 1:
            nd["outfall"] = False
            nd["extra_outfall"] = nd["name"] + "_OF"
    return nodes


# --- dry-weather flow ---------------------------------------------------------------------------
def _dwf(net: Any, nodes: dict[int, dict[str, Any]], rep: SwmmExport) -> dict[int, float]:
    ents = net.layers.get(S.ENTERPRISES)
    out: dict[int, float] = {}
    if ents is None or not len(ents):
        rep.notes.append("The project has no enterprises: the model has no dry-weather inflow.")
        return out
    flow = pd.to_numeric(ents.get(S.FLOW_TPD), errors="coerce").to_numpy(dtype=float)
    ids = ents[S.ENT_ID].astype(object).to_numpy() if S.ENT_ID in ents else np.arange(len(ents))
    conn = ents[S.CONNECT_NODE].to_numpy(dtype=object) if S.CONNECT_NODE in ents else None
    ent_pos = {str(k): i for i, k in enumerate(net.ent_ids.tolist())}
    no_flow, no_node = [], []
    for i in range(len(ents)):
        q = flow[i]
        if not (np.isfinite(q) and q > 0):
            no_flow.append(str(ids[i]))
            continue
        j = None
        if conn is not None and isinstance(conn[i], str):
            j = net.node_index.get(conn[i])
        if j is None or j not in nodes:
            k = ent_pos.get(str(ids[i]))
            j = int(net.ent_node[k]) if k is not None and net.ent_node[k] >= 0 else None
        if j is None or j not in nodes:
            no_node.append(str(ids[i]))
            continue
        out[j] = out.get(j, 0.0) + q / 86400.0
    rep.dwf_nodes = len(out)
    rep.dwf_total_m3s = float(sum(out.values()))
    if no_flow:
        rep.notes.append(
            f"{len(no_flow)} enterprise(s) without a declared wastewater flow add no inflow: "
            + ", ".join(no_flow[:10])
            + (" …" if len(no_flow) > 10 else "")
        )
    if no_node:
        rep.notes.append(
            f"{len(no_node)} enterprise(s) reach no exported node; their flow is left out: "
            + ", ".join(no_node[:10])
            + (" …" if len(no_node) > 10 else "")
        )
    return out


# --- the file ---------------------------------------------------------------------------------
def _num(x: float, nd: int = 3) -> str:
    return f"{x:.{nd}f}"


def _model(
    net: Any,
    links: list[dict[str, Any]],
    nodes: dict[int, dict[str, Any]],
    dwf: dict[int, float],
    rep: SwmmExport,
    title: str,
) -> str:
    from swmm_api import SwmmInput
    from swmm_api.input_file import sections as sec

    inp = SwmmInput()
    start = dt.datetime(2024, 1, 1)
    end = start + dt.timedelta(hours=rep.hours)
    inp["TITLE"] = sec.TitleSection(
        title or "PipeAtlas dry-weather model (steady enterprise inflows)"
    )
    opts = {
        "FLOW_UNITS": "CMS",
        "INFILTRATION": "HORTON",
        "FLOW_ROUTING": "DYNWAVE",
        "LINK_OFFSETS": "DEPTH",
        "MIN_SLOPE": 0,
        "ALLOW_PONDING": "NO",
        "SKIP_STEADY_STATE": "NO",
        "START_DATE": start.strftime("%m/%d/%Y"),
        "START_TIME": start.strftime("%H:%M:%S"),
        "REPORT_START_DATE": start.strftime("%m/%d/%Y"),
        "REPORT_START_TIME": start.strftime("%H:%M:%S"),
        "END_DATE": end.strftime("%m/%d/%Y"),
        "END_TIME": end.strftime("%H:%M:%S"),
        "REPORT_STEP": "00:15:00",
        "WET_STEP": "00:05:00",
        "DRY_STEP": "01:00:00",
        "ROUTING_STEP": "0:00:05",
        "INERTIAL_DAMPING": "PARTIAL",
        "NORMAL_FLOW_LIMITED": "BOTH",
        "FORCE_MAIN_EQUATION": "H-W",
        "VARIABLE_STEP": 0.75,
        "LENGTHENING_STEP": 0,
        "MIN_SURFAREA": 1.167,
        "MAX_TRIALS": 8,
        "HEAD_TOLERANCE": 0.0015,
        "SYS_FLOW_TOL": 5,
        "LAT_FLOW_TOL": 5,
        "MINIMUM_STEP": 0.5,
        "THREADS": 1,
    }
    inp["OPTIONS"] = sec.OptionSection(opts)
    inp["REPORT"] = sec.ReportSection(
        {
            "INPUT": "NO",
            "CONTROLS": "NO",
            "SUBCATCHMENTS": "NONE",
            "NODES": "NONE",
            "LINKS": "NONE",
        }
    )
    objs: list[Any] = []
    for j, nd in nodes.items():
        name = nd["name"]
        inv = round(nd["invert"], 3)
        if nd["outfall"]:
            objs.append(sec.Outfall(name, inv, "FREE"))
            rep.outfalls += 1
        else:
            objs.append(sec.Junction(name, inv, depth_max=round(nd["max_depth"], 3)))
            rep.junctions += 1
        objs.append(sec.Coordinate(name, round(nd["xy"][0], 3), round(nd["xy"][1], 3)))
        if "extra_outfall" in nd:
            of = nd["extra_outfall"]
            objs.append(sec.Outfall(of, inv, "FREE"))
            objs.append(sec.Coordinate(of, round(nd["xy"][0], 3), round(nd["xy"][1] - 1.0, 3)))
            objs.append(sec.Conduit(of, name, of, 1.0, DEFAULT_ROUGHNESS))
            objs.append(sec.CrossSection(of, "DUMMY"))
            rep.outfalls += 1
            rep.notes.append(
                f"{net.node_ids[j]} receives {nd['n_in']} pipes: it drains through a dummy "
                f"link {of} to the outfall {of}."
            )
    for lk in links:
        a, b = nodes[lk["u"]]["name"], nodes[lk["v"]]["name"]
        if lk["type"] == "pump":
            objs.append(sec.Pump(lk["name"], a, b, "*", "ON", 0, 0))
            rep.pumps += 1
        else:
            off_u = max(lk["inv_u"] - nodes[lk["u"]]["invert"], 0.0)
            off_v = max(lk["inv_v"] - nodes[lk["v"]]["invert"], 0.0)
            objs.append(
                sec.Conduit(
                    lk["name"],
                    a,
                    b,
                    round(lk["length"], 3),
                    lk["n"],
                    round(off_u, 3),
                    round(off_v, 3),
                )
            )
            objs.append(
                sec.CrossSection(lk["name"], lk["shape"], round(lk["h"], 4), round(lk["w"], 4))
            )
            rep.conduits += 1
        if lk["vertices"]:
            objs.append(
                sec.Vertices(lk["name"], [(round(x, 3), round(y, 3)) for x, y in lk["vertices"]])
            )
    for j, q in dwf.items():
        objs.append(sec.DryWeatherFlow(nodes[j]["name"], "FLOW", round(q, 6)))
    inp.add_multiple(*objs)
    return inp.to_string()
