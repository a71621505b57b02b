"""Benchmark of the network engine on a generated dendritic network (default 1,000,000 pipes).

Prints, per step, wall seconds and the peak resident memory during the step: the checked
network in one call (build + checks + register, what ``new`` and every rebuild run), build (arrays;
the networkx graph is built only when asked for, and the run checks that no step asked), all
checks, a full upstream trace from the plant, 1,000 downstream traces from random enterprises
(median per trace), the connection register; and the same traversals with plain networkx and
scipy.sparse.csgraph for comparison. The engine and csgraph traversals are timed in
alternation (``--repeat`` rounds, medians) and their ratio printed per trace kind (target:
engine within 1.5x of csgraph).

    python benchmarks/bench_network.py               # 1,000,000 pipes
    python benchmarks/bench_network.py --pipes 100000

The network is a jittered 30 m grid around the plant: a trunk along y = 0 and a branch up and
down every column (like a city's sewers, every pipe one grid step long), one manhole per node,
from/to fields and falling inverts on every pipe, enterprises on random manholes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network.analysis import connection_register
from network.checks import run_checks
from network.graph import build_network
from network.state import build_checked_network
from network.trace import IssueIndex, trace_downstream, trace_upstream

CRS = "EPSG:4547"
SPACING = 30.0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Step:
    """Context manager timing a step and its peak RSS."""

    rows: ClassVar[list[tuple[str, float, float, float]]] = []

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> Step:
        _reset_peak()
        self.rss0 = _rss_mb()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        peak = _peak_mb()
        Step.rows.append((self.name, self.seconds, peak, peak - self.rss0))
        print(
            f"  {self.name:<52} {self.seconds:9.3f} s   peak RSS {peak:8.0f} MB "
            f"(+{peak - self.rss0:.0f})",
            flush=True,
        )


def generate(n_pipes: int, n_enterprises: int, seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """A dendritic network of about *n_pipes* pipes draining to one plant at (0, 0)."""
    rng = np.random.default_rng(seed)
    n_nodes = n_pipes + 1
    h = max(1, round(float(np.sqrt(n_nodes)) / 2))  # rows above and below the trunk
    w = max(1, n_nodes // (2 * h + 1))  # columns
    cols = np.arange(w) - w // 2
    rows = np.arange(-h, h + 1)
    cx, ry = np.meshgrid(cols, rows, indexing="ij")
    cx, ry = cx.ravel(), ry.ravel()
    keep = np.arange(len(cx)) < n_nodes
    cx, ry = cx[keep], ry[keep]
    n = len(cx)
    idx = {
        (int(a), int(b)): i for i, (a, b) in enumerate(zip(cx.tolist(), ry.tolist(), strict=True))
    }
    # parent: towards the trunk along the column, then along the trunk towards x = 0
    px = np.where(ry == 0, cx - np.sign(cx), cx)
    py = np.where(ry == 0, 0, ry - np.sign(ry))
    root = idx[(0, 0)]
    parent = np.array(
        [idx.get((int(a), int(b)), -1) for a, b in zip(px.tolist(), py.tolist(), strict=True)]
    )
    parent[root] = -1
    child = np.flatnonzero(parent >= 0)
    x = cx * SPACING + rng.uniform(-1, 1, n)
    y = ry * SPACING + rng.uniform(-1, 1, n)
    depth_m = np.abs(cx) + np.abs(ry)  # hops to the plant
    invert = 10.0 + depth_m * 0.05
    node_ids = np.char.add("J", np.arange(n).astype(str)).astype(object)
    p = parent[child]
    coords = np.empty((len(child), 2, 2))
    coords[:, 0, 0], coords[:, 0, 1] = x[child], y[child]
    coords[:, 1, 0], coords[:, 1, 1] = x[p], y[p]
    # a tenth of the pipes are digitised against the flow
    flip = rng.random(len(child)) < 0.1
    coords[flip] = coords[flip][:, ::-1]
    lines = shapely.linestrings(coords)
    main = ry[child] == 0
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": np.char.add("P", np.arange(len(child)).astype(str)).astype(object),
            "from_node": node_ids[child],
            "to_node": node_ids[p],
            "system": "sewage",
            "diameter_mm": np.where(main, 1000.0, 400.0),
            "from_invert_m": invert[child],
            "to_invert_m": invert[p],
            "pipe_class": np.where(main, "main", "branch").astype(object),
            "status": "open",
        },
        geometry=lines,
        crs=CRS,
    )
    manholes = gpd.GeoDataFrame(
        {"node_id": node_ids, "ground_m": invert + 2.0}, geometry=shapely.points(x, y), crs=CRS
    )
    ent_nodes = rng.choice(child, size=n_enterprises, replace=False)
    ents = gpd.GeoDataFrame(
        {
            "ent_id": np.char.add("E", np.arange(n_enterprises).astype(str)).astype(object),
            "connect_node": node_ids[ent_nodes],
            "flow_tpd": rng.uniform(5, 500, n_enterprises).round(1),
            "cod_mgl": rng.uniform(100, 2000, n_enterprises).round(0),
        },
        geometry=shapely.points(x[ent_nodes] + 5, y[ent_nodes] + 5),
        crs=CRS,
    )
    plants = gpd.GeoDataFrame(
        {
            "plant_id": ["W1"],
            "node_id": [node_ids[root]],
            "capacity_tpd": [1e6],
            "load_tpd": [8e5],
        },
        geometry=shapely.points([x[root]], [y[root]]),
        crs=CRS,
    )
    return {"pipes": pipes, "manholes": manholes, "enterprises": ents, "plants": plants}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipes", type=int, default=1_000_000)
    ap.add_argument("--enterprises", type=int, default=20_000)
    ap.add_argument("--traces", type=int, default=1000)
    ap.add_argument("--nx-traces", type=int, default=100, help="downstream traces with networkx")
    ap.add_argument("--repeat", type=int, default=5, help="alternating upstream rounds")
    args = ap.parse_args(argv)

    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; "
        f"{platform.processor() or platform.machine()}; Python {platform.python_version()}; "
        f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, networkx "
        f"{nx.__version__}, shapely {shapely.__version__}"
    )
    t = time.perf_counter()
    layers = generate(args.pipes, args.enterprises)
    print(
        f"generated {len(layers['pipes']):,} pipes, {len(layers['manholes']):,} manholes, "
        f"{len(layers['enterprises']):,} enterprises in {time.perf_counter() - t:.1f} s; "
        f"RSS {_rss_mb():.0f} MB\n"
    )

    print("step                                                       seconds        memory")
    # what `new`, every rebuild in the window and a stale stored network run: one call
    with Step("checked network: build + checks + register") as s_chk_net:
        checked = build_checked_network(
            layers, {"snap_tolerance_m": 0.05, "attach_distance_m": 50}
        )
    print(
        f"    ({len(checked.checks)} findings, {len(checked.register.rows):,} register rows; "
        f"{s_chk_net.seconds:.2f} s)"
    )
    del checked
    with Step("build: arrays (snap, split, direction, attach)") as s_arr:
        net = build_network(layers, {"snap_tolerance_m": 0.05, "attach_distance_m": 50})
    build_total = s_arr.seconds
    print(
        f"  {'= build total':<52} {build_total:9.3f} s   ({net.n_nodes:,} nodes, "
        f"{net.n_edges:,} edges)"
    )
    with Step("all checks") as s_chk:
        issues = run_checks(net)
    print(f"    ({len(issues)} findings)")
    with Step("index the findings by feature (once, for every trace)"):
        findings = IssueIndex(net, issues)
    plant = "W1"
    with Step("upstream trace from the plant (CSR, with warnings)") as s_up:
        up = trace_upstream(net, plant, findings=findings)
    print(
        f"    ({len(up.pipes):,} pipes, {len(up.enterprises):,} enterprises, "
        f"{up.length_m / 1000:,.1f} km)"
    )
    root = net.node_index[layers["plants"]["node_id"][0]]
    with Step("upstream, scipy csgraph breadth_first_order"):
        from scipy.sparse.csgraph import breadth_first_order

        order = breadth_first_order(
            net.adjacency.T.tocsr(), root, directed=True, return_predecessors=False
        )
    assert len(order) == len(up.nodes)
    # engine and csgraph in alternation (the machine is shared: noise hits both alike)
    from scipy.sparse.csgraph import breadth_first_order

    rev, _ = net.reverse_open_csr
    t_up, t_cs, t_bfs = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        trace_upstream(net, plant, findings=findings)
        t_up.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        breadth_first_order(
            net.adjacency.T.tocsr(), root, directed=True, return_predecessors=False
        )
        t_cs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        breadth_first_order(rev, root, directed=True, return_predecessors=False)
        t_bfs.append(time.perf_counter() - t0)
    up_med, cs_med, bfs_med = (statistics.median(x) for x in (t_up, t_cs, t_bfs))
    print(
        f"    {args.repeat} alternating rounds, medians: engine trace {up_med * 1000:.1f} ms, "
        f"csgraph (reverse + BFS) {cs_med * 1000:.1f} ms, BFS alone on a prepared matrix "
        f"{bfs_med * 1000:.1f} ms"
    )

    rng = np.random.default_rng(7)
    starts = rng.choice(net.ent_ids, size=min(args.traces, len(net.ent_ids)), replace=False)
    times = []
    n_pipes_seen = []
    with Step(f"{len(starts)} downstream traces from enterprises (all)"):
        for e in starts:
            t0 = time.perf_counter()
            res = trace_downstream(net, e, findings=findings)
            times.append(time.perf_counter() - t0)
            assert res.plants == ("W1",)
            n_pipes_seen.append(len(res.pipes))
    med = statistics.median(times)
    print(
        f"    median {med * 1000:.2f} ms, p90 {np.percentile(times, 90) * 1000:.2f} ms, "
        f"max {max(times) * 1000:.2f} ms per trace (mean "
        f"{np.mean(n_pipes_seen):.0f} pipes to the plant)"
    )
    cs_times = []
    with Step(f"{args.nx_traces} downstream traces, scipy csgraph"):
        from scipy.sparse.csgraph import dijkstra

        adj = net.adjacency.astype(float)
        for e in starts[: args.nx_traces]:
            n = int(net.ent_node[net.ent_index[e]])
            t0 = time.perf_counter()
            dijkstra(adj, indices=n, limit=np.inf)
            cs_times.append(time.perf_counter() - t0)
    # the engine again on the same starts, right after csgraph (same load)
    times2 = []
    for e in starts[: args.nx_traces]:
        t0 = time.perf_counter()
        trace_downstream(net, e, findings=findings)
        times2.append(time.perf_counter() - t0)
    with Step("connection register (all enterprises)") as s_reg:
        reg = connection_register(net)
    print(f"    (rate by count {reg.park['rate_count']}, by volume {reg.park['rate_volume']})")
    lazy_nx = "graph" not in net.__dict__
    print(f"  networkx graph left unbuilt by build, checks, traces, register: {lazy_nx}")
    with Step("networkx MultiDiGraph (on demand: net.graph)") as s_nx:
        g = net.graph
    with Step("upstream, plain networkx (nx.ancestors)") as s_nxup:
        anc = nx.ancestors(g, net.node_ids[root])
    assert len(anc) + 1 == len(up.nodes)
    nx_times = []
    with Step(f"{args.nx_traces} downstream traces, plain networkx"):
        for e in starts[: args.nx_traces]:
            n = net.node_ids[net.ent_node[net.ent_index[e]]]
            t0 = time.perf_counter()
            desc = nx.descendants(g, n)
            nx.shortest_path_length(g, n, net.node_ids[root], weight="length_m")
            nx_times.append(time.perf_counter() - t0)
            assert net.node_ids[root] in desc

    print("\nsummary (targets on a 2-core machine)")
    rows = [
        ("build", build_total, 30.0),
        ("all checks", s_chk.seconds, 60.0),
        ("full upstream trace", s_up.seconds, 0.5),
        ("one downstream trace (median)", med, 0.005),
        ("connection register", s_reg.seconds, None),
    ]
    for name, sec, target in rows:
        ok = "" if target is None else ("  OK" if sec <= target else "  OVER")
        tgt = "" if target is None else f"(target ≤ {target:g} s)"
        print(f"  {name:<32} {sec:10.4f} s  {tgt}{ok}")
    print("\nratios (same run)")
    down_med, down_cs = statistics.median(times2), statistics.median(cs_times)
    for kind, eng, cs in (("upstream", up_med, cs_med), ("downstream", down_med, down_cs)):
        r = eng / cs
        print(
            f"  {kind:<10} engine / csgraph = {r:4.2f}x  (engine {eng * 1000:.2f} ms, csgraph "
            f"{cs * 1000:.2f} ms; target <= 1.5x){'  OK' if r <= 1.5 else '  OVER'}"
        )
    print(
        f"  upstream: engine / BFS alone on a prepared matrix = {up_med / bfs_med:.2f}x; "
        f"networkx / engine = {s_nxup.seconds / up_med:.1f}x"
    )
    print(
        f"  downstream median: networkx {statistics.median(nx_times) * 1000:.2f} ms -> "
        f"networkx / engine = {statistics.median(nx_times) / down_med:.1f}x"
    )
    print(
        f"  build: arrays {s_arr.seconds:.2f} s; networkx graph on demand {s_nx.seconds:.2f} s "
        f"(not built by any step above: {lazy_nx})"
    )
    _ = pd  # pandas is used through geopandas
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
