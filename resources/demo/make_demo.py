"""Generate the PipeAtlas demo park: a fictional chemical park in Hunan with planted faults.

Writes shapefiles into ``resources/demo/src/`` and the fault list into
``resources/demo/answer_key.json``. Deterministic: a fixed numpy seed, no dependence on set or
dict ordering, integer (or 0.01 m) coordinates, fixed DBF header dates. Running it twice gives
byte-identical files.

Usage::

    python resources/demo/make_demo.py [--out DIR] [--key FILE]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiLineString, Point, Polygon

SEED = 20240630
CRS = "EPSG:4525"  # CGCS2000 / 3-degree Gauss-Kruger zone 37 (easting carries the zone 37)
E0, N0 = 37_626_100, 3_164_850  # local (0, 0) = south-west road crossing, ~112.29E 28.60N
DBF_DATE = bytes([124, 6, 30])  # 2024-06-30, written into every DBF header
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "src"
DEFAULT_KEY = HERE / "answer_key.json"

RIVER = "资江支流清溪河"
STREAM = "桃花溪"
PARK_NAME = "益泉精细化工产业园"
PARK_CODE = "S437051"

XS = tuple(range(0, 2001, 250))  # north-south roads
YS = tuple(range(0, 1501, 250))  # east-west roads
MUNICIPAL_X = 1700  # sewage east of this drains to the municipal plant
SEWAGE_OFF, RAIN_OFF = 3, -3  # pipe offset from the road centre line (both axes), metres
RAIN_ROOTS = (250, 750, 1250, 1750)  # rain outfalls below these south-road crossings

# layer -> (encoding, DBF language-driver byte, write .cpg)
ENCODINGS = {
    "park_boundary": ("GBK", 0x4D, False),
    "enterprises": ("GBK", 0x4D, False),
    "pipes_sewage": ("GBK", 0x00, False),
    "pipes_rain": ("GBK", 0x4D, False),
    "manholes": ("GBK", 0x00, False),
    "plants": ("UTF-8", 0x00, True),
    "outfalls": ("GBK", 0x4D, False),
    "redline": ("GBK", 0x00, False),
    "water_source": ("GBK", 0x4D, False),
    "nature_reserve": ("GBK", 0x00, False),
    "population": ("GBK", 0x4D, False),
    "farms": ("GBK", 0x4D, False),
}


# ------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------
def river_y(x: float) -> float:
    """Centre line of the river (local northing) at local easting x."""
    return -165.0 + 15.0 * math.sin(x / 900.0)


def bank_y(x: float) -> int:
    """North bank of the river (integer metres)."""
    return round(river_y(x) + 25.0)


def ground_at(x: float, y: float) -> float:
    """Smooth ground surface falling south (to the river) and east (downstream)."""
    return (
        41.5
        + 0.004 * y
        - 0.0012 * x
        + 0.25 * math.sin(x / 310.0 + 0.7) * math.cos(y / 270.0 + 1.3)
    )


def dbf_name(name: str, encoding: str) -> str:
    """Cut a field name to 10 bytes in ``encoding`` at a character boundary (as DBF does)."""
    out = ""
    for ch in name:
        if len((out + ch).encode(encoding)) > 10:
            break
        out += ch
    return out


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: np.random.Generator, region: str) -> str:
    """A syntactically valid unified social credit code (GB 32100-2015), fictional."""
    body = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
    w = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(d) * k for d, k in zip(body, w, strict=False)) % 11
    org = body + ("X" if c == 10 else "0" if c == 11 else str(c))
    s17 = "91" + region + org
    w18 = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_CHARS.index(ch) * k for ch, k in zip(s17, w18, strict=False))
    return s17 + USCC_CHARS[(31 - total % 31) % 31]


def r2(v: float) -> float:
    return float(round(v, 2))


def r3(v: float) -> float:
    return float(round(v, 3))


# ------------------------------------------------------------------------------------------
# model
# ------------------------------------------------------------------------------------------
@dataclass
class Node:
    key: str
    x: float
    y: float
    fam: str  # "W" sewage family (incl. industrial), "Y" rain
    min_depth: float = 1.5
    ground: float = 0.0
    inv: float = math.nan
    nid: str = ""
    road: bool = False  # an ordinary road manhole of the base network
    fault: bool = False


@dataclass
class Pipe:
    key: str
    u: str | None
    v: str | None
    coords: list[tuple[float, float]]  # in FLOW order (u -> v)
    fam: str  # "W" -> pipes_sewage.shp, "Y" -> pipes_rain.shp
    system: str  # 污水 / 雨水 / 工业废水专管
    dag: bool = True  # takes part in the diameter / invert pass
    dn: int = 0
    dn_fixed: int = 0
    slope: float = 0.0
    from_inv: float = math.nan
    to_inv: float = math.nan
    reversed: bool = False
    parts: int = 1
    material: str = ""
    owner: str = ""
    year: int = 0
    pid: str = ""
    road: bool = False
    fault: bool = False
    zone: str = "P"
    main: bool = False
    dup_of: str | None = None

    @property
    def length(self) -> float:
        return LineString(self.coords).length if self.coords[0] != self.coords[-1] else 0.0


@dataclass
class Park:
    rng: np.random.Generator
    nodes: dict[str, Node] = field(default_factory=dict)
    pipes: list[Pipe] = field(default_factory=list)
    enterprises: list[dict] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    avoid: list[tuple[float, float]] = field(default_factory=list)  # fault anchors

    def add_node(self, key: str, x: float, y: float, fam: str, **kw) -> Node:
        assert key not in self.nodes, key
        n = Node(key, float(x), float(y), fam, **kw)
        self.nodes[key] = n
        return n

    def add_pipe(self, u: str | None, v: str | None, fam: str, system: str, **kw) -> Pipe:
        coords = kw.pop("coords", None)
        if coords is None:
            coords = [(self.nodes[u].x, self.nodes[u].y), (self.nodes[v].x, self.nodes[v].y)]
        p = Pipe(f"p{len(self.pipes):05d}", u, v, coords, fam, system, **kw)
        self.pipes.append(p)
        return p

    def far_from_faults(self, x: float, y: float, dist: float) -> bool:
        return all(math.hypot(x - ax, y - ay) >= dist for ax, ay in self.avoid)


# ------------------------------------------------------------------------------------------
# base networks
# ------------------------------------------------------------------------------------------
def road_graph(rng: np.random.Generator) -> tuple[list[tuple[int, int]], dict]:
    """Road-centre manhole positions and their links (a grid, each block side split 6-7x)."""
    pts: list[tuple[int, int]] = []
    seen: dict[tuple[int, int], int] = {}
    adj: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def add(p: tuple[int, int]) -> None:
        if p not in seen:
            seen[p] = len(pts)
            pts.append(p)
            adj[p] = []

    def link(a: tuple[int, int], b: tuple[int, int]) -> None:
        adj[a].append(b)
        adj[b].append(a)

    segs = []
    for y in YS:
        for x0, x1 in itertools.pairwise(XS):
            segs.append(((x0, y), (x1, y)))
    for x in XS:
        for y0, y1 in itertools.pairwise(YS):
            segs.append(((x, y0), (x, y1)))
    for (ax, ay), (bx, by) in segs:
        k = int(rng.integers(6, 8))
        chain = []
        for i in range(k + 1):
            t = i / k
            chain.append((round(ax + (bx - ax) * t), round(ay + (by - ay) * t)))
        for p in chain:
            add(p)
        for a, b in itertools.pairwise(chain):
            link(a, b)
    for p in pts:
        adj[p].sort()
    return pts, adj


def shortest_tree(
    pts: list[tuple[int, int]], adj: dict, roots: list[tuple[int, int]], members: set
) -> dict[tuple[int, int], tuple[int, int]]:
    """Parent (downstream neighbour) of every member point: a shortest-path forest to roots."""
    dist: dict[tuple[int, int], float] = {}
    heap = [(0.0, r[1], r[0]) for r in roots]
    heapq.heapify(heap)
    while heap:
        d, y, x = heapq.heappop(heap)
        p = (x, y)
        if p in dist:
            continue
        dist[p] = d
        for q in adj[p]:
            if q in members and q not in dist:
                heapq.heappush(heap, (d + math.dist(p, q), q[1], q[0]))
    parent = {}
    for p in pts:
        if p not in members or p in roots:
            continue
        cands = [q for q in adj[p] if q in members]
        # shortest first; ties: prefer going south, then along x
        best = min(cands, key=lambda q: (round(dist[q] + math.dist(p, q), 6), q[1], q[0]))
        parent[p] = best
    return parent


def build_base(park: Park) -> None:
    rng = park.rng
    pts, adj = road_graph(rng)
    for fam, off in (("W", SEWAGE_OFF), ("Y", RAIN_OFF)):
        for x, y in pts:
            md = 1.5 + rng.uniform(0, 0.5) if fam == "W" else 1.2 + rng.uniform(0, 0.4)
            park.add_node(f"{fam}{x}_{y}", x + off, y + off, fam, min_depth=md, road=True)
    # sewage: two trees (park plant, municipal plant), no links across the zone line
    west = {p for p in pts if p[0] < MUNICIPAL_X}
    east = {p for p in pts if p[0] >= MUNICIPAL_X}
    for members, root, zone in ((west, (1000, 0), "P"), (east, (2000, 0), "M")):
        parent = shortest_tree(pts, adj, [root], members)
        for p in pts:
            if p in parent:
                q = parent[p]
                park.add_pipe(
                    f"W{p[0]}_{p[1]}", f"W{q[0]}_{q[1]}", "W", "污水", road=True, zone=zone
                )
    parent = shortest_tree(pts, adj, [(x, 0) for x in RAIN_ROOTS], set(pts))
    for p in pts:
        if p in parent:
            q = parent[p]
            park.add_pipe(f"Y{p[0]}_{p[1]}", f"Y{q[0]}_{q[1]}", "Y", "雨水", road=True)

    # park plant: inlet manhole and effluent to the river
    park.add_node("W_plant_in", 1003, -57, "W", min_depth=2.0)
    park.add_pipe("W1000_0", "W_plant_in", "W", "污水", zone="P", owner="益泉园区污水处理有限公司")
    park.add_node("W_plant_out", 1045, -95, "W", min_depth=1.2)
    park.add_node("W_plant_fall", 1045, bank_y(1045), "W", min_depth=1.0)
    park.add_pipe(
        "W_plant_out", "W_plant_fall", "W", "污水", dn_fixed=600, owner="益泉园区污水处理有限公司"
    )
    # municipal trunk main east along the river road to the town plant
    prev = "W2000_0"
    for i, x in enumerate(range(2053, 3404, 50)):
        key = f"W_trunk{i:02d}"
        park.add_node(key, x, 3, "W", min_depth=2.0)
        park.add_pipe(prev, key, "W", "污水", zone="M", owner="资阳区城市排水有限公司")
        prev = key
    park.add_node("W_muni_in", 3403, -47, "W", min_depth=2.0)
    park.add_pipe(prev, "W_muni_in", "W", "污水", zone="M", owner="资阳区城市排水有限公司")
    park.add_node("W_muni_out", 3455, -95, "W", min_depth=1.2)
    park.add_node("W_muni_fall", 3455, bank_y(3455), "W", min_depth=1.0)
    park.add_pipe(
        "W_muni_out", "W_muni_fall", "W", "污水", dn_fixed=1000, owner="资阳区城市排水有限公司"
    )
    # rain outfall chains from the south road to the river bank
    for x in RAIN_ROOTS:
        prev = f"Y{x}_0"
        xs = x + RAIN_OFF
        y = -47
        yb = bank_y(xs)
        i = 0
        while y > yb + 20:
            key = f"Y_out{x}_{i}"
            park.add_node(key, xs, y, "Y", min_depth=1.2)
            park.add_pipe(prev, key, "Y", "雨水")
            prev, y, i = key, y - 44, i + 1
        key = f"Y_fall{x}"
        park.add_node(key, xs, yb, "Y", min_depth=1.0)
        park.add_pipe(prev, key, "Y", "雨水")


# ------------------------------------------------------------------------------------------
# planted faults and special sub-networks
# ------------------------------------------------------------------------------------------
def in_deg(park: Park) -> dict[str, list[Pipe]]:
    d: dict[str, list[Pipe]] = {k: [] for k in park.nodes}
    for p in park.pipes:
        if p.v is not None and p.dag:
            d[p.v].append(p)
    return d


def out_deg(park: Park) -> dict[str, list[Pipe]]:
    d: dict[str, list[Pipe]] = {k: [] for k in park.nodes}
    for p in park.pipes:
        if p.u is not None and p.dag:
            d[p.u].append(p)
    return d


def pick_pipe(park: Park, target: tuple[float, float], ok, radius: float = 140.0) -> Pipe:
    """The clean road pipe nearest to target that passes ``ok`` and is far from other faults."""
    best, best_d = None, math.inf
    for p in park.pipes:
        if not p.road or p.fault or not ok(p):
            continue
        (x0, y0), (x1, y1) = p.coords[0], p.coords[-1]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        if not park.far_from_faults(mx, my, radius):
            continue
        d = math.hypot(mx - target[0], my - target[1])
        if d < best_d:
            best, best_d = p, d
    assert best is not None, target
    return best


def horizontal(p: Pipe) -> bool:
    return p.coords[0][1] == p.coords[-1][1]


def vertical(p: Pipe) -> bool:
    return p.coords[0][0] == p.coords[-1][0]


def mark(park: Park, *items) -> None:
    for it in items:
        it.fault = True


def anchor(park: Park, x: float, y: float) -> None:
    park.avoid.append((float(x), float(y)))


def fault(park: Park, kind: str, category: str, layer: str, refs: list, **kw) -> dict:
    f = {"kind": kind, "category": category, "layer": layer, "refs": refs, **kw}
    park.faults.append(f)
    return f


def plant_faults(park: Park) -> None:

    # --- dedicated industrial network: three enterprises -> one industrial outfall ---------
    anchor(park, 375, 60)
    k = {
        "K1": (310, 160),
        "K2": (360, 100),
        "K3": (440, 200),
        "C1": (440, 100),
        "C2": (440, 40),
        "C3": (440, -50),
    }
    for name, (x, y) in k.items():
        park.add_node(f"W_ind_{name}", x, y, "W", min_depth=1.3, fault=True)
    park.add_node("W_ind_C4", 440, bank_y(440), "W", min_depth=1.0, fault=True)
    ind = []
    for a, b in (
        ("K1", "K2"),
        ("K2", "C1"),
        ("K3", "C1"),
        ("C1", "C2"),
        ("C2", "C3"),
        ("C3", "C4"),
    ):
        ind.append(
            park.add_pipe(
                f"W_ind_{a}",
                f"W_ind_{b}",
                "W",
                "工业废水专管",
                fault=True,
                owner="益泉园区工业废水专管运营有限公司",
            )
        )
    ents = []
    for name, (dx, dy) in (("K1", (-10, 10)), ("K2", (-10, 10)), ("K3", (10, 10))):
        n = park.nodes[f"W_ind_{name}"]
        ents.append({"key": f"ind_{name}", "x": n.x + dx, "y": n.y + dy, "node": n.key})
    park.enterprises += [dict(e, industry="化学原料和化学制品制造业", fault=True) for e in ents]
    fault(
        park,
        "outfall_shared_by_three",
        "trace",
        "outfalls",
        [("outfall", "PK_ind")],
        ents=[e["key"] for e in ents],
        node="W_ind_C4",
        pipes=[p.key for p in ind],
    )

    # --- a pipe across the ecological red line (stream west of the park) --------------------
    anchor(park, -100, 700)
    park.add_node("W_west_A", -200, 690, "W", min_depth=1.5, fault=True)
    park.add_node("W_west_B", -140, 695, "W", min_depth=1.6, fault=True)
    host = min(
        (n for n in park.nodes.values() if n.road and n.fam == "W" and n.x == 3),
        key=lambda n: (abs(n.y - 700), n.y),
    )
    pa = park.add_pipe("W_west_A", "W_west_B", "W", "污水", fault=True)
    pb = park.add_pipe("W_west_B", host.key, "W", "污水", fault=True)
    park.enterprises.append(
        {
            "key": "west",
            "x": -212.0,
            "y": 700.0,
            "node": "W_west_A",
            "fault": True,
            "industry": "医药制造业",
        }
    )
    fault(park, "pipe_crosses_redline", "zones", "pipes", [("pipe", pb.key)], other=[pa.key])

    # --- outfall inside the level-1 drinking-water zone (upstream, west) --------------------
    fault(park, "outfall_in_water_source", "zones", "outfalls", [("outfall", "PK_rural")])

    # --- enterprise far from every pipe (planned expansion area, no 接入井) -----------------
    anchor(park, 1880, 1790)
    park.enterprises.append(
        {
            "key": "far",
            "x": 1880.0,
            "y": 1790.0,
            "node": None,
            "fault": True,
            "industry": "涂料、油墨、颜料及类似产品制造",
        }
    )
    fault(
        park,
        "enterprise_unconnected",
        "attach",
        "enterprises",
        [("ent", "far")],
        reason="no_connect_node_and_no_pipe_within_200m",
    )

    # --- enterprise on a small sewage sub-network that ends in a dead end ------------------
    bx, by = 1250, 1000
    anchor(park, bx + 100, by + 125)
    sub = []
    for i, x in enumerate((bx + 60, bx + 100, bx + 140)):
        sub.append(park.add_node(f"W_sub{i}", x, by + 125, "W", min_depth=1.4, fault=True))
    sp = [
        park.add_pipe(sub[0].key, sub[1].key, "W", "污水", fault=True, dn_fixed=300),
        park.add_pipe(sub[1].key, sub[2].key, "W", "污水", fault=True, dn_fixed=300),
    ]
    park.enterprises.append(
        {
            "key": "sub",
            "x": bx + 55.0,
            "y": by + 137.0,
            "node": sub[0].key,
            "fault": True,
            "industry": "食品制造业",
        }
    )
    fault(
        park,
        "enterprise_unconnected",
        "semantics",
        "enterprises",
        [("ent", "sub")],
        reason="connect_node_drains_to_dead_end",
        sink=sub[2].key,
        pipes=[p.key for p in sp],
        nodes=[n.key for n in sub],
    )

    # --- enterprise whose 接入井 is a rain manhole -----------------------------------------
    rn = min(
        (
            n
            for n in park.nodes.values()
            if n.road and n.fam == "Y" and n.y == 747 and 1040 < n.x < 1210
        ),
        key=lambda n: (abs(n.x - 1110), n.x),
    )
    rn.fault = True
    anchor(park, rn.x, rn.y)
    park.enterprises.append(
        {
            "key": "rain",
            "x": rn.x + 4,
            "y": rn.y - 20,
            "node": rn.key,
            "fault": True,
            "industry": "金属表面处理及热处理加工",
        }
    )
    fault(
        park,
        "enterprise_unconnected",
        "attach",
        "enterprises",
        [("ent", "rain")],
        reason="connect_node_is_rain_manhole",
        node=rn.key,
    )

    # --- dangling pipe: an isolated stub, both ends join nothing ------------------------------
    anchor(park, 860, 865)
    dp = park.add_pipe(
        None,
        None,
        "W",
        "污水",
        coords=[(860.0, 880.0), (860.0, 850.0)],
        dag=False,
        fault=True,
        dn_fixed=300,
    )
    fault(
        park,
        "dangling_pipe",
        "connectivity",
        "pipes",
        [("pipe", dp.key)],
        ends=["upstream", "downstream"],
    )

    # --- misconnections ---------------------------------------------------------------------
    def road_node(fam: str, y: int, x_target: float, zone_ok=lambda n: True) -> Node:
        ins, outs = in_deg(park), out_deg(park)
        cands = [
            n
            for n in park.nodes.values()
            if n.road
            and not n.fault
            and n.fam == fam
            and n.y == y
            and zone_ok(n)
            and len(outs[n.key]) == 1
            and len(ins[n.key]) == 1
            and (n.x - 3) % 250 > 20
            and (n.x + 3) % 250 > 20
            and (n.x - 3) % 250 < 230
            and (n.x + 3) % 250 < 230
        ]
        return min(cands, key=lambda n: (abs(n.x - x_target), n.x))

    for i, (tx, ty) in enumerate(((1625, 253), (625, 1253))):
        w = road_node("W", ty, tx, lambda n: n.x < MUNICIPAL_X - 20)
        anchor(park, w.x, w.y + 10)
        r = park.add_node(f"Y_mis{i}", w.x, w.y + 18, "Y", min_depth=1.0, fault=True)
        p = park.add_pipe(r.key, w.key, "Y", "雨水", fault=True, dn_fixed=300)
        w.fault = True
        fault(
            park,
            "misconnection_rain_to_sewage",
            "semantics",
            "pipes",
            [("pipe", p.key)],
            direction="rain->sewage",
            from_node=r.key,
            to_node=w.key,
        )
    for i, (tx, ty) in enumerate(((1125, 497), (125, 997))):
        y = road_node("Y", ty, tx)
        anchor(park, y.x, y.y - 10)
        s = park.add_node(f"W_mis{i}", y.x, y.y - 18, "W", min_depth=1.3, fault=True)
        p = park.add_pipe(s.key, y.key, "W", "污水", fault=True, dn_fixed=300)
        y.fault = True
        fault(
            park,
            "misconnection_sewage_to_rain",
            "semantics",
            "pipes",
            [("pipe", p.key)],
            direction="sewage->rain",
            from_node=s.key,
            to_node=y.key,
        )

    # --- side connection: a branch ending on the middle of a sewage pipe --------------------
    hp = pick_pipe(park, (650, 253), lambda p: p.fam == "W" and horizontal(p) and p.length > 30)
    (x0, yh), (x1, _) = hp.coords
    xm = float(int((x0 + x1) / 2))
    anchor(park, xm, yh + 10)
    sb = park.add_node("W_side", xm, yh + 20, "W", min_depth=1.3, fault=True)
    bp = park.add_pipe(
        sb.key,
        None,
        "W",
        "污水",
        coords=[(xm, yh + 20), (xm, yh)],
        dag=False,
        fault=True,
        dn_fixed=300,
    )
    mark(park, hp)
    fault(
        park,
        "side_connection",
        "connectivity",
        "pipes",
        [("pipe", bp.key), ("pipe", hp.key)],
        point=(xm, yh),
        host=hp.key,
    )

    # --- near miss: a leaf pipe whose downstream end stops 5.5 cm short ----------------------
    ins = in_deg(park)
    nm = pick_pipe(
        park,
        (1900, 1000),
        lambda p: p.fam == "W" and not ins[p.u] and len(ins[p.v]) == 1 and p.length > 25,
    )
    (ax, ay), (bx_, by_) = nm.coords
    length = math.hypot(bx_ - ax, by_ - ay)
    nm.coords = [(ax, ay), (bx_ - (bx_ - ax) / length * 0.055, by_ - (by_ - ay) / length * 0.055)]
    mark(park, nm, park.nodes[nm.u], park.nodes[nm.v])
    anchor(park, bx_, by_)
    fault(
        park,
        "near_miss_end",
        "connectivity",
        "pipes",
        [("pipe", nm.key)],
        end="downstream",
        node=nm.v,
        gap_m=0.055,
    )

    # --- cycle: X2 -> N -> H -> X2 at the head of a sewage road branch ----------------------
    ins, _outs = in_deg(park), out_deg(park)
    cp = pick_pipe(
        park,
        (1100, 1003),
        lambda p: (
            p.fam == "W"
            and horizontal(p)
            and not ins[p.u]
            and len(ins[p.v]) == 1
            and park.nodes[p.v].road
        ),
    )
    h, x2 = park.nodes[cp.u], park.nodes[cp.v]
    nn = park.add_node("W_loop", (h.x + x2.x) // 2, h.y + 25, "W", min_depth=1.4, fault=True)
    c1 = park.add_pipe(x2.key, nn.key, "W", "污水", dag=False, fault=True, dn_fixed=300)
    c2 = park.add_pipe(nn.key, h.key, "W", "污水", dag=False, fault=True, dn_fixed=300)
    mark(park, cp, h, x2)
    anchor(park, nn.x, nn.y - 10)
    fault(
        park,
        "cycle",
        "direction",
        "pipes",
        [("pipe", cp.key), ("pipe", c1.key), ("pipe", c2.key)],
        nodes=[h.key, x2.key, nn.key],
        bifurcation=x2.key,
    )

    # --- duplicate pipe --------------------------------------------------------------------
    ins = in_deg(park)
    dup0 = pick_pipe(park, (400, 620), lambda p: p.fam == "W" and len(ins[p.u]) == 1)
    dup = park.add_pipe(
        dup0.u,
        dup0.v,
        "W",
        "污水",
        coords=list(dup0.coords),
        dag=False,
        fault=True,
        dup_of=dup0.key,
    )
    mark(park, dup0)
    anchor(park, *dup0.coords[0])
    fault(
        park,
        "duplicate_pipe",
        "geometry",
        "pipes",
        [("pipe", dup.key), ("pipe", dup0.key)],
        duplicate_of=dup0.key,
    )

    # --- zero-length pipe at a rain manhole ------------------------------------------------
    ins = in_deg(park)
    zn_pipe = pick_pipe(park, (1400, 1247), lambda p: p.fam == "Y" and len(ins[p.u]) == 1)
    zn = park.nodes[zn_pipe.u]
    zp = park.add_pipe(
        zn.key,
        zn.key,
        "Y",
        "雨水",
        coords=[(zn.x, zn.y), (zn.x, zn.y)],
        dag=False,
        fault=True,
        dn_fixed=400,
    )
    zn.fault = True
    anchor(park, zn.x, zn.y)
    fault(park, "zero_length_pipe", "geometry", "pipes", [("pipe", zp.key)], node=zn.key)

    # --- multipart rain pipe ---------------------------------------------------------------
    mp = pick_pipe(park, (150, 250), lambda p: p.fam == "Y" and p.length > 30)
    mp.parts = 2
    mark(park, mp)
    anchor(park, *mp.coords[0])
    fault(park, "multipart_pipe", "geometry", "pipes", [("pipe", mp.key)], parts=2)

    # large_into_small and invert_against_flow need diameters and inverts: finish_faults()


def finish_faults(park: Park) -> None:
    """Faults that need diameters and inverts first."""
    ins, outs = in_deg(park), out_deg(park)
    # DN600 -> DN300 at a straight node of the park trunk
    big = pick_pipe(
        park,
        (600, 3),
        lambda p: (
            p.fam == "W"
            and p.dn == 600
            and p.v is not None
            and len(ins[p.v]) == 1
            and len(outs[p.v]) == 1
            and outs[p.v][0].dn == 600
            and not outs[p.v][0].fault
            and outs[p.v][0].road
        ),
    )
    small = outs[big.v][0]
    small.dn = 300
    small.material = "HDPE"
    mark(park, big, small)
    anchor(park, *big.coords[-1])
    fault(
        park,
        "large_into_small",
        "direction",
        "pipes",
        [("pipe", big.key), ("pipe", small.key)],
        node=big.v,
        upstream_dn=600,
        downstream_dn=300,
    )
    # inverts sloping uphill along the (field) flow direction
    for target, fam, rev in (((1253, 1400), "W", True), ((747, 880), "Y", False)):
        p = pick_pipe(park, target, lambda q, fam=fam: q.fam == fam and q.length > 25)
        p.to_inv = r3(p.from_inv + 0.06)
        p.reversed = rev
        mark(park, p)
        anchor(park, *p.coords[0])
        fault(
            park,
            "invert_against_flow",
            "direction",
            "pipes",
            [("pipe", p.key)],
            digitised_reversed=rev,
        )


# ------------------------------------------------------------------------------------------
# attributes: diameters, inverts, materials
# ------------------------------------------------------------------------------------------
SEWER_DN = ((8, 300), (20, 400), (50, 500), (120, 600), (10**9, 800))
RAIN_DN = ((5, 400), (12, 500), (25, 600), (50, 800), (100, 1000), (200, 1200), (10**9, 1500))


def slope_for(rng: np.random.Generator, dn: int) -> float:
    lo, hi = (
        (0.003, 0.005)
        if dn <= 300
        else (0.0025, 0.004)
        if dn <= 400
        else (0.002, 0.003)
        if dn <= 600
        else (0.0018, 0.0022)
    )
    return float(round(rng.uniform(lo, hi), 4))


def hydraulics(park: Park) -> None:
    rng = park.rng
    for n in park.nodes.values():
        n.ground = r2(ground_at(n.x, n.y) + rng.uniform(-0.05, 0.05))
    dag = [p for p in park.pipes if p.dag]
    g = nx.DiGraph()
    g.add_nodes_from(sorted(park.nodes))
    incoming: dict[str, list[Pipe]] = {k: [] for k in park.nodes}
    outgoing: dict[str, list[Pipe]] = {k: [] for k in park.nodes}
    for p in dag:
        g.add_edge(p.u, p.v)
        incoming[p.v].append(p)
        outgoing[p.u].append(p)
    order = list(nx.lexicographical_topological_sort(g))
    count: dict[str, int] = {}
    for k in order:  # upstream pipe count per pipe
        up = sum(count[q.key] for q in incoming[k])
        for p in outgoing[k]:
            count[p.key] = 1 + up
    for p in dag:
        table = RAIN_DN if p.fam == "Y" else SEWER_DN
        p.dn = p.dn_fixed or next(dn for lim, dn in table if count[p.key] <= lim)
    for p in park.pipes:
        if not p.dag:
            p.dn = p.dn_fixed or 300
    # diameters never shrink downstream (fixed sizes are only on heads or separate pipes)
    for k in order:
        m = max((q.dn for q in incoming[k]), default=0)
        for p in outgoing[k]:
            p.dn = max(p.dn, m) if not p.dn_fixed else p.dn
    for p in park.pipes:
        p.slope = slope_for(rng, p.dn)
    for k in order:
        n = park.nodes[k]
        cands = [r3(n.ground - n.min_depth)] + [q.to_inv for q in incoming[k]]
        n.inv = min(cands)
        for p in outgoing[k]:
            p.from_inv = n.inv
            p.to_inv = r3(n.inv - p.slope * p.length)
    # pipes outside the pass
    for p in park.pipes:
        if p.dag:
            continue
        if p.u is not None and p.u == p.v:  # zero length
            p.from_inv = p.to_inv = park.nodes[p.u].inv
        elif p.u is not None and not math.isnan(park.nodes[p.u].inv):  # duplicate / cycle
            p.from_inv = park.nodes[p.u].inv
            p.to_inv = r3(p.from_inv - p.slope * p.length)
            if p.v == "W_loop":  # the loop manhole sits at the end of the first loop pipe
                park.nodes[p.v].inv = p.to_inv
        else:  # free start
            gx, gy = p.coords[0]
            p.from_inv = r3(ground_at(gx, gy) - 1.6)
            p.to_inv = r3(p.from_inv - p.slope * p.length)
    for n in park.nodes.values():
        if math.isnan(n.inv):
            n.inv = r3(n.ground - n.min_depth)
    for p in park.pipes:
        big = p.dn >= 500 if p.fam == "W" else p.dn >= 800
        if not p.material:
            if p.fam == "W" and p.dn <= 400:
                p.material = str(rng.choice(["HDPE", "PVC-U"], p=[0.6, 0.4]))
            elif p.fam == "W" and p.dn <= 600:
                p.material = str(rng.choice(["钢筋混凝土", "球墨铸铁", "HDPE"], p=[0.5, 0.3, 0.2]))
            elif p.fam == "Y" and p.dn <= 600:
                p.material = str(rng.choice(["HDPE", "钢筋混凝土"], p=[0.7, 0.3]))
            else:
                p.material = "钢筋混凝土"
        p.main = big or p.owner == "资阳区城市排水有限公司" or p.dn_fixed >= 600
        y = p.coords[0][1]
        p.year = int(2009 + min(max(y, 0), 1500) / 1500 * 10 + rng.integers(0, 3))
        if not p.owner:
            p.owner = str(rng.choice(["益泉精细化工产业园管理委员会", "益泉园区建设投资有限公司"]))
    by_key = {p.key: p for p in park.pipes}
    for p in park.pipes:
        if p.u is not None and p.u == p.v:  # zero length: same size as the pipe leaving
            p.dn = outgoing[p.u][0].dn
            p.main = outgoing[p.u][0].main
        if p.dup_of:
            o = by_key[p.dup_of]
            p.dn, p.slope, p.from_inv, p.to_inv = o.dn, o.slope, o.from_inv, o.to_inv
            p.material, p.main, p.year, p.owner = o.material, o.main, o.year, o.owner


def reverse_some(park: Park) -> None:
    draws = park.rng.random(len(park.pipes))
    for p, d in zip(park.pipes, draws, strict=False):
        if not p.fault and p.u is not None and p.v is not None and d < 0.10:
            p.reversed = True


# ------------------------------------------------------------------------------------------
# enterprises
# ------------------------------------------------------------------------------------------
PREFIXES = [
    "湘益",
    "资江",
    "银城",
    "桃溪",
    "沅澧",
    "洞庭",
    "鑫源",
    "华瑞",
    "恒达",
    "宏泰",
    "天成",
    "金禾",
    "绿源",
    "新元",
    "联创",
    "中南",
    "楚天",
    "三湘",
    "龙岭",
    "云峰",
    "瑞丰",
    "博雅",
    "泰和",
    "永安",
    "长兴",
    "德信",
    "凯美",
    "丰源",
    "润邦",
    "汇川",
    "益鑫",
    "兴湘",
    "嘉禾",
    "清泉",
    "明德",
    "正泰",
    "昊天",
    "星辰",
    "锦程",
    "远航",
    "晨光",
    "岳麓",
]
INDUSTRIES = [
    # industry, name suffixes, flow t/d range, COD mg/L range, permit class letter
    (
        "化学原料和化学制品制造业",
        ("精细化工有限公司", "化工科技有限公司", "新材料有限公司"),
        (150, 900),
        (300, 480),
        "V",
    ),
    ("医药制造业", ("制药有限公司", "药业有限公司"), (100, 600), (280, 450), "V"),
    ("农药制造", ("农化有限公司", "生物农药有限公司"), (80, 400), (350, 490), "V"),
    (
        "涂料、油墨、颜料及类似产品制造",
        ("涂料有限公司", "颜料化工有限公司"),
        (30, 200),
        (250, 450),
        "U",
    ),
    ("食品制造业", ("食品有限公司", "生物科技有限公司"), (50, 500), (200, 400), "U"),
    ("金属表面处理及热处理加工", ("表面处理有限公司",), (40, 300), (150, 300), "V"),
    (
        "电子元件及电子专用材料制造",
        ("电子科技有限公司", "电子材料有限公司"),
        (60, 500),
        (120, 280),
        "U",
    ),
]
REGIONS = ["430902", "430903", "430900", "430921", "430981"]


def place_enterprises(park: Park, n_clean: int = 33) -> None:
    rng = park.rng
    sewer_nodes = [n for n in park.nodes.values() if n.road and n.fam == "W" and not n.fault]
    blocks = [(bx, by) for by in range(len(YS) - 1) for bx in range(len(XS) - 1)]
    order = rng.permutation(len(blocks))
    placed = 0
    for idx in order:
        if placed >= n_clean:
            break
        bx, by = blocks[int(idx)]
        x0, y0 = XS[bx], YS[by]
        for _ in range(6):
            along = int(rng.integers(50, 200))
            off = int(rng.integers(15, 29))
            if rng.random() < 0.5:
                x, y = x0 + along, y0 + SEWAGE_OFF + off
            else:
                x, y = x0 + SEWAGE_OFF + off, y0 + along
            if not park.far_from_faults(x, y, 90):
                continue
            if any(math.hypot(x - e["x"], y - e["y"]) < 40 for e in park.enterprises):
                continue
            near = min(sewer_nodes, key=lambda n: (math.hypot(n.x - x, n.y - y), n.key))
            if math.hypot(near.x - x, near.y - y) > 35:
                continue
            park.enterprises.append(
                {
                    "key": f"c{placed:02d}",
                    "x": float(x),
                    "y": float(y),
                    "node": near.key,
                    "fault": False,
                }
            )
            placed += 1
            break
    assert placed == n_clean, placed
    lines = [(LineString(p.coords), p) for p in park.pipes]

    def clear_nearest(e: dict) -> bool:
        d = sorted((ln.distance(Point(e["x"], e["y"])), p.key, p) for ln, p in lines)
        p = d[0][2]
        return p.system == "污水" and not p.fault and p.road and d[1][0] > d[0][0] + 1.0

    clean = [e for e in park.enterprises if not e["fault"] and clear_nearest(e)]
    for i in sorted(int(j) for j in rng.choice(len(clean), 3, replace=False)):
        clean[i]["node"] = None
        clean[i]["attach"] = True
    prefixes = [PREFIXES[int(i)] for i in rng.permutation(len(PREFIXES))]
    for e, pre in zip(park.enterprises, prefixes, strict=False):
        names = [ind for ind in INDUSTRIES if ind[0] == e.get("industry")]
        ind = (
            names[0]
            if names
            else INDUSTRIES[
                int(rng.choice(len(INDUSTRIES), p=[0.35, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1]))
            ]
        )
        e["industry"] = ind[0]
        e["name"] = pre + ind[1][int(rng.integers(0, len(ind[1])))]
        e["flow"] = float(int(rng.integers(*ind[2])) // 5 * 5)
        e["cod"] = float(int(rng.integers(*ind[3])))
        code = credit_code(rng, REGIONS[int(rng.integers(0, len(REGIONS)))])
        e["code"] = code
        e["permit"] = code + "001" + ind[4]


# ------------------------------------------------------------------------------------------
# zones and boundary
# ------------------------------------------------------------------------------------------
def rnd(coords) -> list[tuple[float, float]]:
    return [(round(x, 2), round(y, 2)) for x, y in coords]


def park_boundary() -> Polygon:
    return Polygon(
        [
            (-30, -30),
            (950, -30),
            (950, -120),
            (1100, -120),
            (1100, -30),
            (2030, -30),
            (2030, 1830),
            (1700, 1830),
            (1700, 1530),
            (-30, 1530),
        ]
    )


def redline_polygon() -> Polygon:
    ys = list(range(-140, 1901, 50))

    def cx(y: float) -> float:
        return -62 + 12 * (y + 150) / 2050 + 8 * math.sin(y / 300 + 0.5)

    left = [(cx(y) - 28, y) for y in ys]
    right = [(cx(y) + 28, y) for y in reversed(ys)]
    return Polygon(rnd(left + right))


def river_band(x0: float, x1: float, half: float, step: float = 100) -> list:
    xs = list(np.arange(x0, x1 + 0.1, step))
    north = [(x, river_y(x) + half) for x in xs]
    south = [(x, river_y(x) - half) for x in reversed(xs)]
    return rnd(north + south)


def water_source_polygons() -> tuple[Polygon, Polygon]:
    inner = river_band(-2600, -1600, 125)
    outer = river_band(-3600, -1200, 325)
    return Polygon(inner), Polygon(outer, [inner])


def reserve_polygons() -> tuple[Polygon, Polygon, Polygon]:
    cx, cy = 900.0, 6200.0
    rings = []
    for rad in (400, 750, 1150):
        pts = []
        for i in range(16):
            a = 2 * math.pi * i / 16
            rr = rad * (1 + 0.12 * math.sin(3 * a + 0.4))
            pts.append((cx + rr * math.cos(a), cy + 0.8 * rr * math.sin(a)))
        rings.append(rnd(pts))
    return Polygon(rings[0]), Polygon(rings[1], [rings[0]]), Polygon(rings[2], [rings[1]])


# ------------------------------------------------------------------------------------------
# ids, tables, files
# ------------------------------------------------------------------------------------------
def assign_ids(park: Park) -> None:
    for fam, prefix in (("W", "WJ"), ("Y", "YJ")):
        nodes = sorted(
            (n for n in park.nodes.values() if n.fam == fam),
            key=lambda n: (math.floor(n.y / 125), n.x, n.y, n.key),
        )
        for i, n in enumerate(nodes, 1):
            n.nid = f"{prefix}-{i:04d}"
    for fam, prefix in (("W", "WS"), ("Y", "YS")):
        pipes = [p for p in park.pipes if p.fam == fam]

        def key(p: Pipe) -> tuple:
            mx = (p.coords[0][0] + p.coords[-1][0]) / 2
            my = (p.coords[0][1] + p.coords[-1][1]) / 2
            return (math.floor(my / 125), mx, my, p.key)

        for i, p in enumerate(sorted(pipes, key=key), 1):
            p.pid = f"{prefix}-{i:04d}"
    ents = sorted(park.enterprises, key=lambda e: (math.floor(e["y"] / 250), e["x"], e["key"]))
    for i, e in enumerate(ents, 1):
        e["eid"] = f"E{i:02d}"


def geom(p: Pipe):
    c = [(x + E0, y + N0) for x, y in p.coords]
    if p.parts == 2:
        (ax, ay), (bx, by) = c
        # split at an integer point in the middle
        mx = ax + round((bx - ax) / 2)
        my = ay + round((by - ay) / 2)
        parts = [[(ax, ay), (mx, my)], [(mx, my), (bx, by)]]
        if p.reversed:
            parts = [list(reversed(q)) for q in reversed(parts)]
        return MultiLineString(parts)
    if p.reversed:
        c = list(reversed(c))
    return LineString(c)


def pt(x: float, y: float) -> Point:
    return Point(x + E0, y + N0)


def write_layer(gdf: gpd.GeoDataFrame, out: Path, name: str) -> None:
    enc, ldid, cpg = ENCODINGS[name]
    gdf = gdf.rename(columns={c: dbf_name(c, enc) for c in gdf.columns if c != "geometry"})
    path = out / f"{name}.shp"
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        path.with_suffix(ext).unlink(missing_ok=True)
    pyogrio.write_dataframe(gdf, path, driver="ESRI Shapefile", encoding=enc)
    dbf = path.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[1:4] = DBF_DATE
    raw[29] = ldid
    dbf.write_bytes(bytes(raw))
    cpg_path = path.with_suffix(".cpg")
    if cpg:
        cpg_path.write_bytes(enc.encode("ascii"))
    else:
        cpg_path.unlink(missing_ok=True)


def frames(park: Park) -> dict[str, gpd.GeoDataFrame]:
    nodes = park.nodes
    out: dict[str, gpd.GeoDataFrame] = {}

    def nid(k: str | None) -> str | None:
        return nodes[k].nid if k is not None else None

    for fam, name in (("W", "pipes_sewage"), ("Y", "pipes_rain")):
        rows = sorted((p for p in park.pipes if p.fam == fam), key=lambda p: p.pid)
        out[name] = gpd.GeoDataFrame(
            {
                "编号": [p.pid for p in rows],
                "起点编号": [nid(p.u) for p in rows],
                "终点编号": [nid(p.v) for p in rows],
                "管径": np.array([p.dn for p in rows], dtype="int32"),
                "材质": [p.material for p in rows],
                "起点管底高程": [p.from_inv for p in rows],
                "终点管底高程": [p.to_inv for p in rows],
                "类型": [p.system for p in rows],
                "主管支管": ["主管" if p.main else "支管" for p in rows],
                "权属单位": [p.owner for p in rows],
                "建设年代": np.array([p.year for p in rows], dtype="int32"),
            },
            geometry=[geom(p) for p in rows],
            crs=CRS,
        )
    mh = sorted(park.nodes.values(), key=lambda n: n.nid)
    out["manholes"] = gpd.GeoDataFrame(
        {
            "编号": [n.nid for n in mh],
            "地面高程": [n.ground for n in mh],
            "井深": [r2(n.ground - n.inv) for n in mh],
            "类型": ["污水井" if n.fam == "W" else "雨水井" for n in mh],
        },
        geometry=[pt(n.x, n.y) for n in mh],
        crs=CRS,
    )
    ents = sorted(park.enterprises, key=lambda e: e["eid"])
    out["enterprises"] = gpd.GeoDataFrame(
        {
            "企业编号": [e["eid"] for e in ents],
            "企业名称": [e["name"] for e in ents],
            "统一社会信用代码": [e["code"] for e in ents],
            "排污许可证": [e["permit"] for e in ents],
            "行业": [e["industry"] for e in ents],
            "废水量": [e["flow"] for e in ents],
            "COD": [e["cod"] for e in ents],
            "接入井": [nid(e["node"]) for e in ents],
        },
        geometry=[pt(e["x"], e["y"]) for e in ents],
        crs=CRS,
    )
    out["plants"] = gpd.GeoDataFrame(
        {
            "编号": ["P01", "P02"],
            "名称": ["益泉精细化工产业园污水处理厂", "资阳区城镇污水处理厂"],
            "类型": ["自建", "共用"],
            "处理工艺": ["水解酸化+A2/O+芬顿深度处理", "改良A2/O+深度处理"],
            "设计规模": np.array([20000, 100000], dtype="int32"),
            "实际负荷": np.array([13600, 81500], dtype="int32"),
            "进水COD": [310.0, 235.0],
            "出水COD": [38.0, 31.0],
            "排放标准": ["一级A", "一级A"],
            "在线监测": ["是", "是"],
            "接入井": [nodes["W_plant_in"].nid, nodes["W_muni_in"].nid],
        },
        geometry=[pt(1022, -76), pt(3425, -70)],
        crs=CRS,
    )
    out_rows = [
        (
            "PK_plant",
            "益泉园区污水处理厂排污口",
            "污水处理厂排污口",
            "W_plant_fall",
            nodes["W_plant_fall"],
        ),
        (
            "PK_muni",
            "资阳区城镇污水处理厂排污口",
            "污水处理厂排污口",
            "W_muni_fall",
            nodes["W_muni_fall"],
        ),
    ]
    for i, x in enumerate(RAIN_ROOTS, 1):
        n = nodes[f"Y_fall{x}"]
        out_rows.append((f"PK_rain{i}", f"园区{i}号雨水排口", "雨水排口", n.key, n))
    out_rows.append(
        ("PK_ind", "园区化工企业联合排污口", "工业排污口", "W_ind_C4", nodes["W_ind_C4"])
    )
    extra = [
        ("PK_overflow", "益泉园区污水处理厂事故溢流口", "溢流口", None, (1080, bank_y(1080))),
        ("PK_farm", "清溪河南岸农田退水口", "农田退水口", None, (2600, int(river_y(2600)) - 25)),
        ("PK_rural", "上游村农村生活污水排口", "农村生活污水排口", None, (-2000, bank_y(-2000))),
    ]
    ofs = []
    for key, name, cls, nk, n in out_rows:
        ofs.append((key, name, cls, nodes[nk].nid, (n.x, n.y)))
    for key, name, cls, _, xy in extra:
        ofs.append((key, name, cls, None, xy))
    park.outfall_ids = {}
    for i, o in enumerate(ofs, 1):
        park.outfall_ids[o[0]] = f"PK{i:02d}"
    park.outfall_xy = {o[0]: o[4] for o in ofs}
    out["outfalls"] = gpd.GeoDataFrame(
        {
            "编号": [park.outfall_ids[o[0]] for o in ofs],
            "名称": [o[1] for o in ofs],
            "类别": [o[2] for o in ofs],
            "受纳水体": [RIVER] * len(ofs),
            "状态": ["在用"] * len(ofs),
            "接入井": [o[3] for o in ofs],
        },
        geometry=[pt(*o[4]) for o in ofs],
        crs=CRS,
    )
    b = park_boundary()
    out["park_boundary"] = gpd.GeoDataFrame(
        {"名称": [PARK_NAME], "园区代码": [PARK_CODE], "面积": [round(b.area / 1e6, 3)]},
        geometry=[shapely.affinity.translate(b, E0, N0)],
        crs=CRS,
    )

    def zones(rows):
        return gpd.GeoDataFrame(
            {
                "编号": [r[0] for r in rows],
                "名称": [r[1] for r in rows],
                "类别": [r[2] for r in rows],
                "分区": [r[3] for r in rows],
            },
            geometry=[shapely.affinity.translate(r[4], E0, N0) for r in rows],
            crs=CRS,
        )

    out["redline"] = zones(
        [("HX-01", f"{STREAM}生态保护红线", "生态保护红线", None, redline_polygon())]
    )
    w1, w2 = water_source_polygons()
    out["water_source"] = zones(
        [
            ("SY-01", "清溪河饮用水水源一级保护区", "饮用水水源保护区", "一级保护区", w1),
            ("SY-02", "清溪河饮用水水源二级保护区", "饮用水水源保护区", "二级保护区", w2),
        ]
    )
    c, bf, ex = reserve_polygons()
    out["nature_reserve"] = zones(
        [
            ("ZR-01", "白鹭洲省级自然保护区", "自然保护区", "核心区", c),
            ("ZR-02", "白鹭洲省级自然保护区", "自然保护区", "缓冲区", bf),
            ("ZR-03", "白鹭洲省级自然保护区", "自然保护区", "实验区", ex),
        ]
    )
    out.update(balance_frames())
    return out


# ------------------------------------------------------------------------------------------
# the pollutant balance (区域水污染物平衡核算): residents, farms, P02's edited service area
# ------------------------------------------------------------------------------------------
# (id, name, people, local box x0, y0, x1, y1)
POPULATION = (
    ("RK01", "长春镇集镇", 15000, (20, 760, 480, 1240)),
    ("RK02", "益泉安置小区", 7000, (520, 270, 730, 480)),
    ("RK03", "资阳城区清溪片区", 410000, (2300, 100, 4500, 1500)),
    ("RK04", "清溪村", 1800, (-900, 300, -500, 700)),
)
# (id, name, livestock kind, head count, local x, y)
FARMS = (
    ("YZ01", "清溪村生猪养殖场", "生猪", 3000, (-700, 900)),
    ("YZ02", "城东蛋鸡养殖场", "蛋鸡", 20000, (2500, 1700)),
)
# P02 serves the town east of the park, whose sewers are not in the demo: its service area is
# drawn by hand (it wins over the band around the park's pipes that drain to P02)
P02_AREA = ((1700, -160), (4700, -160), (4700, 1850), (1700, 1850))


def balance_frames() -> dict[str, gpd.GeoDataFrame]:
    pop = gpd.GeoDataFrame(
        {
            "编号": [r[0] for r in POPULATION],
            "名称": [r[1] for r in POPULATION],
            "人口": np.array([r[2] for r in POPULATION], dtype="int32"),
        },
        geometry=[shapely.affinity.translate(shapely.box(*r[3]), E0, N0) for r in POPULATION],
        crs=CRS,
    )
    farms = gpd.GeoDataFrame(
        {
            "编号": [r[0] for r in FARMS],
            "名称": [r[1] for r in FARMS],
            "畜种": [r[2] for r in FARMS],
            "存栏量": np.array([r[3] for r in FARMS], dtype="int32"),
        },
        geometry=[pt(*r[4]) for r in FARMS],
        crs=CRS,
    )
    return {"population": pop, "farms": farms}


def p02_area_wkt() -> str:
    return shapely.affinity.translate(Polygon(P02_AREA), E0, N0).wkt


# ------------------------------------------------------------------------------------------
# checks on the generated data (fail loudly if a scenario leaks into the clean parts)
# ------------------------------------------------------------------------------------------
def field_graph(park: Park) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in park.nodes.values():
        g.add_node(n.nid)
    for p in park.pipes:
        u = park.nodes[p.u].nid if p.u else f"free:{p.pid}:start"
        v = park.nodes[p.v].nid if p.v else f"free:{p.pid}:end"
        g.add_edge(u, v, key=p.pid)
    return g


def validate(park: Park, fr: dict[str, gpd.GeoDataFrame]) -> dict:
    """Self-checks; returns derived facts for the answer key."""
    pipes = pd.concat([fr["pipes_sewage"], fr["pipes_rain"]], ignore_index=True)
    mh = fr["manholes"]
    by_key = {p.pid: p for p in park.pipes}
    # 1. no near misses except the planted one: every pipe end either sits on a manhole
    #    exactly or is > 0.5 m from every manhole
    mh_tree = shapely.STRtree(mh.geometry.values)
    pipe_tree = shapely.STRtree(pipes.geometry.values)
    odd_ends = []
    for pid, gm in zip(pipes["编号"], pipes.geometry, strict=False):
        lines = list(gm.geoms) if gm.geom_type == "MultiLineString" else [gm]
        ends = [Point(lines[0].coords[0]), Point(lines[-1].coords[-1])]
        for e in ends:
            hits = mh_tree.query(e, predicate="dwithin", distance=0.5)
            d = [e.distance(mh.geometry.iloc[i]) for i in hits]
            if d and min(d) > 0:
                odd_ends.append((pid, "near_miss", min(d)))
            # an end lying on another pipe's interior (not its end)
            for j in pipe_tree.query(e, predicate="dwithin", distance=0.5):
                other = pipes.geometry.iloc[j]
                if pipes["编号"].iloc[j] == pid:
                    continue
                olines = list(other.geoms) if other.geom_type == "MultiLineString" else [other]
                oends = [Point(olines[0].coords[0]), Point(olines[-1].coords[-1])]
                if min(e.distance(q) for q in oends) > 0.5:
                    odd_ends.append((pid, "on_pipe", pipes["编号"].iloc[j]))
    # 2. pipe interiors passing close to a manhole they do not end at
    for pid, gm in zip(pipes["编号"], pipes.geometry, strict=False):
        for i in mh_tree.query(gm, predicate="dwithin", distance=0.5):
            m = mh.geometry.iloc[i]
            lines = list(gm.geoms) if gm.geom_type == "MultiLineString" else [gm]
            ends = [Point(lines[0].coords[0]), Point(lines[-1].coords[-1])]
            if min(m.distance(q) for q in ends) > 0.5:
                odd_ends.append((pid, "through_manhole", mh["编号"].iloc[i]))
    # 3. same-system crossings away from shared ends
    fam_of = {p.pid: p.system for p in park.pipes}
    for a, b in zip(*pipe_tree.query(pipes.geometry.values, predicate="intersects"), strict=False):
        if a >= b:
            continue
        pa, pb = pipes["编号"].iloc[a], pipes["编号"].iloc[b]
        if fam_of[pa] != fam_of[pb]:
            continue
        inter = pipes.geometry.iloc[a].intersection(pipes.geometry.iloc[b])
        ga, gb = by_key[pa], by_key[pb]
        shared = {tuple(c) for c in (ga.coords[0], ga.coords[-1])} & {
            tuple(c) for c in (gb.coords[0], gb.coords[-1])
        }
        if inter.geom_type != "Point" or (inter.x - E0, inter.y - N0) not in shared:
            odd_ends.append((pa, "crossing", pb))
    fault_ids = {p.pid for p in park.pipes if p.fault}
    leaks = [o for o in odd_ends if o[0] not in fault_ids and o[2] not in fault_ids]
    assert not leaks, leaks
    # enterprises attached by nearest pipe must find a clean sewage pipe within 30 m
    for e in park.enterprises:
        if e.get("attach"):
            d = pipes.geometry.distance(pt(e["x"], e["y"]))
            i = int(d.values.argmin())
            p = by_key[pipes["编号"].iloc[i]]
            assert d.iloc[i] < 30 and p.system == "污水" and not p.fault, (e, p.pid)
            assert sorted(d.values)[1] > d.iloc[i] + 1.0, e  # no near tie with another pipe
    return {"odd": odd_ends}


# ------------------------------------------------------------------------------------------
# answer key
# ------------------------------------------------------------------------------------------
def build_key(park: Park, fr: dict[str, gpd.GeoDataFrame], facts: dict) -> dict:
    nodes = park.nodes
    pk = {p.key: p for p in park.pipes}
    ek = {e["key"]: e for e in park.enterprises}
    nid = {k: n.nid for k, n in nodes.items()}
    ofid = park.outfall_ids
    g = field_graph(park)
    plant_nodes = {nid["W_plant_in"]: "P01", nid["W_muni_in"]: "P02"}
    outfall_nodes = {r["接入井"]: r["编号"] for _, r in fr["outfalls"].iterrows() if r["接入井"]}

    def sinks_of(start: str) -> list[str]:
        reach = nx.descendants(g, start) | {start}
        return sorted(n for n in reach if g.out_degree(n) == 0)

    def rid(ref):
        kind, k = ref
        return {
            "pipe": lambda: pk[k].pid,
            "ent": lambda: ek[k]["eid"],
            "outfall": lambda: ofid[k],
        }[kind]()

    red = fr["redline"].geometry.iloc[0]
    fr["water_source"].geometry.iloc[0]
    faults = []
    for i, f in enumerate(park.faults, 1):
        kind = f["kind"]
        ids = [rid(r) for r in f["refs"]]
        e: dict = {}
        side: list[dict] = []
        zh = en = ""
        if kind.startswith("misconnection"):
            p = pk[f["refs"][0][1]]
            to_sinks = sinks_of(nid[f["to_node"]])
            e = {
                "pipe_id": p.pid,
                "from_node": nid[f["from_node"]],
                "to_node": nid[f["to_node"]],
                "direction": f["direction"],
                "pipe_system": p.system,
            }
            if f["direction"] == "rain->sewage":
                e["reaches_plant"] = plant_nodes[to_sinks[0]]
                zh = f"雨水管{p.pid}接入污水井{e['to_node']}(雨污混接,雨水进入污水系统)"
                en = f"Rain pipe {p.pid} discharges into sewage manhole {e['to_node']}"
                side.append(
                    {
                        "kind": "rain_reaches_plant",
                        "feature_ids": [p.pid],
                        "note": f"the rain flow of {e['from_node']} ends at plant "
                        f"{e['reaches_plant']}, not at a rain outfall",
                    }
                )
            else:
                e["reaches_outfall"] = outfall_nodes[to_sinks[0]]
                zh = f"污水管{p.pid}接入雨水井{e['to_node']}(雨污混接,污水进入雨水系统)"
                en = f"Sewage pipe {p.pid} discharges into rain manhole {e['to_node']}"
                side.append(
                    {
                        "kind": "sewage_not_reaching_plant",
                        "feature_ids": [e["from_node"], p.pid],
                        "note": f"sewage from {e['from_node']} reaches rain outfall "
                        f"{e['reaches_outfall']} instead of a plant",
                    }
                )
        elif kind == "enterprise_unconnected":
            ent = ek[f["refs"][0][1]]
            e = {"ent_id": ent["eid"], "reason": f["reason"]}
            if f["reason"].startswith("no_connect"):
                pt_ = Point(ent["x"] + E0, ent["y"] + N0)
                allp = pd.concat([fr["pipes_sewage"], fr["pipes_rain"]]).geometry
                e["connect_node"] = None
                e["nearest_pipe_distance_m"] = round(float(allp.distance(pt_).min()), 2)
                zh = f"企业{ent['eid']}无接入井,200 m内无管线,未纳管"
                en = f"Enterprise {ent['eid']} has no connection manhole and no pipe within 200 m"
            elif f["reason"] == "connect_node_drains_to_dead_end":
                e["connect_node"] = nid[ent["node"]]
                e["sink_node"] = nid[f["sink"]]
                e["subnetwork_pipes"] = sorted(pk[k].pid for k in f["pipes"])
                e["subnetwork_nodes"] = sorted(nid[k] for k in f["nodes"])
                zh = (
                    f"企业{ent['eid']}接入井{e['connect_node']}所在小管网止于断头井"
                    f"{e['sink_node']},不通污水厂"
                )
                en = (
                    f"Enterprise {ent['eid']} joins {e['connect_node']}, a small sewer that "
                    f"ends at dead-end manhole {e['sink_node']} (no plant)"
                )
                side.append(
                    {
                        "kind": "sink_not_plant_or_outfall",
                        "feature_ids": [e["sink_node"]],
                        "note": "the dead-end manhole is a sink that is neither a plant "
                        "nor an outfall; its 2 pipes and 3 manholes reach no plant",
                    }
                )
            else:
                e["connect_node"] = nid[ent["node"]]
                e["reaches_outfall"] = outfall_nodes[sinks_of(nid[ent["node"]])[0]]
                zh = f"企业{ent['eid']}接入井{e['connect_node']}为雨水井,废水进入雨水系统"
                en = (
                    f"Enterprise {ent['eid']}'s connection manhole {e['connect_node']} is a "
                    "rain manhole"
                )
        elif kind == "dangling_pipe":
            p = pk[f["refs"][0][1]]
            e = {"pipe_id": p.pid, "dangling_ends": f["ends"], "from_node": None, "to_node": None}
            zh = f"管段{p.pid}两端均未连接任何检查井或管线(孤立管段)"
            en = f"Pipe {p.pid} is isolated: neither end joins a manhole or pipe"
            side.append(
                {
                    "kind": "sink_not_plant_or_outfall",
                    "feature_ids": [p.pid],
                    "note": "its downstream end is a sink that is neither plant nor "
                    "outfall; its upstream end is a source without a manhole; "
                    "it forms its own component",
                }
            )
        elif kind == "invert_against_flow":
            p = pk[f["refs"][0][1]]
            e = {
                "pipe_id": p.pid,
                "from_node": nid[p.u],
                "to_node": nid[p.v],
                "from_invert_m": p.from_inv,
                "to_invert_m": p.to_inv,
                "rise_m": r3(p.to_inv - p.from_inv),
                "digitised_reversed": f["digitised_reversed"],
                "system": p.system,
            }
            zh = f"管段{p.pid}按起终点编号流向,管底高程由{p.from_inv}升至{p.to_inv}(逆坡)" + (
                ",且数字化方向与流向相反" if p.reversed else ""
            )
            en = (
                f"Pipe {p.pid}: invert rises from {p.from_inv} to {p.to_inv} along the "
                "recorded flow direction" + (" (digitised against the flow)" if p.reversed else "")
            )
        elif kind == "pipe_crosses_redline":
            p = pk[f["refs"][0][1]]
            gm = geom(p)
            bnd = fr["park_boundary"].geometry.iloc[0]
            e = {
                "pipe_id": p.pid,
                "zone_id": "HX-01",
                "overlap_length_m": round(gm.intersection(red).length, 2),
                "boundary_overlap_area_m2": round(bnd.intersection(red).area, 1),
            }
            zh = f"管段{p.pid}穿越{STREAM}生态保护红线,穿越长度约{e['overlap_length_m']} m"
            en = f"Pipe {p.pid} crosses red line HX-01 over {e['overlap_length_m']} m"
            side.append(
                {
                    "kind": "boundary_overlaps_redline",
                    "feature_ids": ["HX-01"],
                    "note": "the park boundary polygon overlaps the red line by "
                    f"{e['boundary_overlap_area_m2']} m2 (report as area)",
                }
            )
        elif kind == "outfall_in_water_source":
            oid = ofid["PK_rural"]
            e = {
                "outfall_id": oid,
                "zone_id": "SY-01",
                "zone_level": "level1",
                "outfall_class": "rural_domestic",
            }
            zh = f"排口{oid}位于饮用水水源一级保护区SY-01内"
            en = f"Outfall {oid} lies inside level-1 drinking-water protection zone SY-01"
        elif kind == "outfall_shared_by_three":
            oid = ofid["PK_ind"]
            e = {
                "outfall_id": oid,
                "node_id": nid[f["node"]],
                "enterprise_ids": sorted(ek[k]["eid"] for k in f["ents"]),
                "pipe_ids": sorted(pk[k].pid for k in f["pipes"]),
                "system": "industrial",
            }
            zh = f"工业排污口{oid}上游有3家企业共用: {'、'.join(e['enterprise_ids'])}"
            en = f"Industrial outfall {oid} is shared by 3 enterprises: {e['enterprise_ids']}"
            side.append(
                {
                    "kind": "enterprise_not_reaching_plant",
                    "feature_ids": e["enterprise_ids"],
                    "note": "these 3 enterprises discharge through a dedicated industrial "
                    "line to the river outfall, not to a plant (not 纳管)",
                }
            )
        elif kind == "large_into_small":
            big, small = pk[f["refs"][0][1]], pk[f["refs"][1][1]]
            e = {
                "upstream_pipe": big.pid,
                "upstream_dn": big.dn,
                "downstream_pipe": small.pid,
                "downstream_dn": small.dn,
                "node_id": nid[f["node"]],
            }
            zh = f"DN{big.dn}管{big.pid}在{e['node_id']}接入DN{small.dn}管{small.pid}(大管接小管)"
            en = f"DN{big.dn} pipe {big.pid} drains into DN{small.dn} pipe {small.pid}"
        elif kind == "near_miss_end":
            p = pk[f["refs"][0][1]]
            gap = Point(*[c + o for c, o in zip(p.coords[-1], (E0, N0), strict=False)]).distance(
                pt(nodes[p.v].x, nodes[p.v].y)
            )
            e = {
                "pipe_id": p.pid,
                "end": "downstream",
                "node_id": nid[p.v],
                "gap_m": round(gap, 4),
                "digitised_end": "last" if not p.reversed else "first",
            }
            zh = f"管段{p.pid}下游端距检查井{e['node_id']}约5.5 cm,未连接(超出5 cm容差)"
            en = f"Pipe {p.pid}'s downstream end stops {e['gap_m']} m short of {e['node_id']}"
            side.append(
                {
                    "kind": "dangling_end",
                    "feature_ids": [p.pid, nid[p.u]],
                    "note": "geometrically the pipe's downstream end is a sink that is "
                    f"not a plant; it and its head manhole {nid[p.u]} are cut off "
                    "from the plant (the 终点编号 field still names the manhole)",
                }
            )
        elif kind == "side_connection":
            b, h = pk[f["refs"][0][1]], pk[f["refs"][1][1]]
            x, y = f["point"]
            hg = geom(h)
            e = {
                "branch_pipe": b.pid,
                "host_pipe": h.pid,
                "x": x + E0,
                "y": y + N0,
                "host_from_node": nid[h.u],
                "host_to_node": nid[h.v],
                "distance_from_host_from_node_m": round(
                    math.hypot(x - h.coords[0][0], y - h.coords[0][1]), 2
                ),
                "distance_to_line_m": float(hg.distance(pt(x, y))),
            }
            zh = f"支管{b.pid}下游端搭接在管段{h.pid}中部(支管暗接,无检查井)"
            en = f"Branch {b.pid} ends on the middle of pipe {h.pid} (no manhole)"
            side.append(
                {
                    "kind": "dangling_end",
                    "feature_ids": [b.pid],
                    "note": "unless the host pipe is split at the junction, the branch's "
                    "downstream end is a sink; its start manhole "
                    f"{nid[b.u]} reaches no plant",
                }
            )
        elif kind == "duplicate_pipe":
            d, o = pk[f["refs"][0][1]], pk[f["refs"][1][1]]
            e = {
                "pipe_id": d.pid,
                "duplicate_of": o.pid,
                "from_node": nid[d.u],
                "to_node": nid[d.v],
            }
            zh = f"管段{d.pid}与{o.pid}几何与起终点完全相同(重复管段)"
            en = f"Pipe {d.pid} duplicates {o.pid} (same geometry and end manholes)"
            side.append(
                {
                    "kind": "two_outflows",
                    "feature_ids": [nid[d.u]],
                    "note": "the twin makes its start manhole have two outgoing pipes",
                }
            )
        elif kind == "zero_length_pipe":
            p = pk[f["refs"][0][1]]
            e = {"pipe_id": p.pid, "node_id": nid[p.u], "from_node": nid[p.u], "to_node": nid[p.v]}
            zh = f"管段{p.pid}起点与终点重合(零长度),位于{e['node_id']}"
            en = f"Pipe {p.pid} has zero length (at {e['node_id']})"
            side.append(
                {
                    "kind": "self_loop",
                    "feature_ids": [p.pid, nid[p.u]],
                    "note": "起点编号 = 终点编号: a self-loop if put in the graph; its "
                    "inverts are equal (flat)",
                }
            )
        elif kind == "multipart_pipe":
            p = pk[f["refs"][0][1]]
            e = {"pipe_id": p.pid, "parts": 2, "from_node": nid[p.u], "to_node": nid[p.v]}
            zh = f"管段{p.pid}为两段相接的多部件线"
            en = f"Pipe {p.pid} is a MultiLineString of 2 touching parts"
            side.append(
                {
                    "kind": "pseudo_node",
                    "feature_ids": [p.pid],
                    "note": "exploding it leaves a join point without a manhole between "
                    "part 0 and part 1 (the parts still connect)",
                }
            )
        elif kind == "cycle":
            e = {
                "pipe_ids": sorted(pk[r[1]].pid for r in f["refs"]),
                "node_ids": sorted(nid[k] for k in f["nodes"]),
            }
            zh = f"污水管网存在环路: {'→'.join(nid[k] for k in (f['nodes'][1], f['nodes'][2]))}"
            zh = f"污水管网存在环路{'、'.join(e['pipe_ids'])}(检查井{'、'.join(e['node_ids'])})"
            en = f"Sewer loop through pipes {e['pipe_ids']}"
            side.append(
                {
                    "kind": "two_outflows",
                    "feature_ids": [nid[f["bifurcation"]]],
                    "note": "the loop's exit manhole has two outgoing pipes",
                }
            )
            side.append(
                {
                    "kind": "node_invert_inconsistency",
                    "feature_ids": [nid[f["nodes"][0]]],
                    "note": "inverts cannot fall all round a loop: each pipe falls on its "
                    "own, but the loop pipe into the head manhole ends below the "
                    "invert of the pipe leaving it",
                }
            )
        faults.append(
            {
                "id": f"F{i:02d}",
                "kind": kind,
                "category": f["category"],
                "layer": f["layer"],
                "feature_ids": ids,
                "description_zh": zh,
                "description_en": en,
                "expected": e,
                "side_effects": side,
            }
        )

    # zone intersections: the complete list a correct check must report
    zone_hits = []
    for zname in ("redline", "water_source", "nature_reserve"):
        for _, z in fr[zname].iterrows():
            for lname, col in (
                ("pipes_sewage", "编号"),
                ("pipes_rain", "编号"),
                ("manholes", "编号"),
                ("outfalls", "编号"),
                ("enterprises", "企业编号"),
                ("plants", "编号"),
                ("park_boundary", "名称"),
            ):
                lay = fr[lname]
                hit = lay[lay.intersects(z.geometry)]
                for fid in hit[col]:
                    zone_hits.append({"zone_id": z["编号"], "layer": lname, "feature_id": fid})
    # sinks of the sewage-family field graph
    sinks = []
    for n in g.nodes:
        if g.out_degree(n) == 0 and g.in_degree(n) > 0:
            what = (
                "plant:" + plant_nodes[n]
                if n in plant_nodes
                else "outfall:" + outfall_nodes[n]
                if n in outfall_nodes
                else "none"
            )
            sinks.append({"node": n, "ends_at": what})
    sinks.sort(key=lambda s: s["node"])
    return {
        "about": "Planted faults in the PipeAtlas demo park (resources/demo/src). Generated by "
        "make_demo.py; do not edit by hand.",
        "crs": CRS,
        "seed": SEED,
        "settings_assumed": {
            "snap_tolerance_m": 0.05,
            "attach_distance_m": 50,
            "near_miss_search_m": 0.5,
        },
        "faults": faults,
        "zone_intersections": zone_hits,
        "field_graph_sinks": sinks,
        "notes": [
            "Sewage and rain pipes cross in plan at road crossings (different depths); the "
            "industrial line and the plant inlet pipe cross the south-road pipes too. These are "
            "not faults: no same-system crossings exist.",
            "About 10 % of pipes are digitised against the flow; 起点编号/终点编号 always give "
            "the flow direction.",
            "Enterprises {attach} have no 接入井 and lie within 30 m of a clean sewage pipe: "
            "attach them by nearest pipe.",
            "Outfalls without 接入井 (overflow, farmland return, rural domestic) have no "
            "network: not a fault.",
            "field_graph_sinks lists every sink of the graph built from 起点编号/终点编号 "
            "(free pipe ends as 'free:<pipe>:start|end').",
        ],
        "odd_geometry": facts["odd"],
    }


# ------------------------------------------------------------------------------------------
def generate(out: Path = DEFAULT_OUT, key_path: Path = DEFAULT_KEY) -> dict:
    """Build the demo park and write shapefiles into ``out`` and the key to ``key_path``."""
    park = Park(np.random.default_rng(SEED))
    build_base(park)
    plant_faults(park)
    hydraulics(park)
    finish_faults(park)
    place_enterprises(park)
    reverse_some(park)
    assign_ids(park)
    fr = frames(park)
    facts = validate(park, fr)
    key = build_key(park, fr, facts)
    attach = sorted(e["eid"] for e in park.enterprises if e.get("attach"))
    key["notes"][2] = key["notes"][2].replace("{attach}", ", ".join(attach))
    key["attach_by_nearest_pipe"] = attach
    key["counts"] = {name: len(gdf) for name, gdf in sorted(fr.items())}
    key["balance"] = {
        "about": "The pollutant balance (python main.py balance): population and farms layers, "
        "P02's service area drawn by hand (stored by build_project.py), the flags a reader "
        "expects.",
        "edited_areas": {"P02": p02_area_wkt()},
        "expected_flags": {
            "P01": ["below_2030_target"],
            "P02": ["below_2025_target", "low_influent_cod"],
        },
        "unserved": {"population": ["RK04"], "farms": ["YZ01"]},
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, gdf in fr.items():
        write_layer(gdf, out, name)
    key_path.write_text(json.dumps(key, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return key


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder for *.shp")
    ap.add_argument("--key", type=Path, default=None, help="answer key path")
    a = ap.parse_args(argv)
    key_path = a.key or (DEFAULT_KEY if a.out == DEFAULT_OUT else a.out / "answer_key.json")
    key = generate(a.out, key_path)
    print(f"wrote {a.out} ({key['counts']}) and {key_path} ({len(key['faults'])} faults)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
