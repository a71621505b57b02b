"""Benchmark of the protected-area check: 1,000,000 pipes against 10,000 zone polygons.

Prints seconds and peak memory for
  1. the whole check (pipes, a manhole per pipe, outfalls, plants, enterprises, park boundary
     against every zone, default rules, sorted result rows),
  2. its pipes-against-zones part alone (``run_overlap_check`` with the pipes only),
  3. the plain approach on the same data: ``geopandas.sjoin`` + ``intersection`` + ``length``,
and the machine. Each measurement runs in a forked child so its peak RSS is its own; the
input data are built once in the parent (shared copy-on-write) and the peak is given both
as the child's peak RSS and as the increase over the RSS at the child's start.

Usage: ``python benchmarks/bench_overlap.py [--pipes N] [--zones N] [--repeat K]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys.zones.overlap import prepare_zones, run_overlap_check
from surveys.zones.rules import default_rules

CRS = "EPSG:4547"  # CGCS2000 3-degree GK, central meridian 114 E
X0, Y0 = 400_000.0, 3_350_000.0
CLASSES = [
    ("redline", None),
    ("nature_reserve", "core"),
    ("nature_reserve", "experimental"),
    ("water_source", "level1"),
    ("water_source", "level2"),
    ("water_source", "quasi"),
    ("scenic", None),
    ("other", None),
]


def make_data(n_pipes: int, n_zones: int, seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """Random 20-80 m pipes over 100 km x 100 km; zones of 48-vertex blobs, 10 % with holes."""
    rng = np.random.default_rng(seed)
    size = 100_000.0
    x0 = X0 + rng.uniform(0, size, n_pipes)
    y0 = Y0 + rng.uniform(0, size, n_pipes)
    ang = rng.uniform(0, 2 * np.pi, n_pipes)
    ln = rng.uniform(20, 80, n_pipes)
    coords = np.empty((n_pipes, 2, 2))
    coords[:, 0, 0], coords[:, 0, 1] = x0, y0
    coords[:, 1, 0], coords[:, 1, 1] = x0 + ln * np.cos(ang), y0 + ln * np.sin(ang)
    pipes = gpd.GeoDataFrame(
        {"pipe_id": [f"P{i}" for i in range(n_pipes)]},
        geometry=shapely.linestrings(coords),
        crs=CRS,
    )
    manholes = gpd.GeoDataFrame(
        {"node_id": [f"J{i}" for i in range(n_pipes)]},
        geometry=shapely.points(x0, y0),
        crs=CRS,
    )
    nv = 48
    cx = X0 + rng.uniform(0, size, n_zones)
    cy = Y0 + rng.uniform(0, size, n_zones)
    r = rng.uniform(100, 500, n_zones)
    t = np.linspace(0, 2 * np.pi, nv, endpoint=False)
    noise = rng.uniform(0.7, 1.0, (n_zones, nv))
    ring = np.empty((n_zones, nv + 1, 2))
    ring[:, :nv, 0] = cx[:, None] + r[:, None] * noise * np.cos(t)
    ring[:, :nv, 1] = cy[:, None] + r[:, None] * noise * np.sin(t)
    ring[:, nv] = ring[:, 0]
    zg = shapely.polygons(ring)
    h = rng.random(n_zones) < 0.1
    zg[h] = shapely.difference(zg[h], shapely.buffer(shapely.points(cx[h], cy[h]), r[h] * 0.3))
    cls = rng.integers(0, len(CLASSES), n_zones)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": [f"Z{i}" for i in range(n_zones)],
            "name": [f"保护区{i}" for i in range(n_zones)],
            "zone_class": [CLASSES[c][0] for c in cls],
            "zone_level": [CLASSES[c][1] for c in cls],
        },
        geometry=zg,
        crs=CRS,
    )

    def points(prefix: str, col: str, n: int) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {col: [f"{prefix}{i}" for i in range(n)]},
            geometry=shapely.points(X0 + rng.uniform(0, size, n), Y0 + rng.uniform(0, size, n)),
            crs=CRS,
        )

    park = shapely.Polygon(
        [
            (X0 + 5_000, Y0 + 5_000),
            (X0 + 95_000, Y0 + 8_000),
            (X0 + 90_000, Y0 + 96_000),
            (X0 + 8_000, Y0 + 90_000),
        ]
    )
    return {
        "pipes": pipes,
        "manholes": manholes,
        "outfalls": points("PK", "outfall_id", 500),
        "plants": points("WWTP", "plant_id", 10),
        "enterprises": points("E", "ent_id", 5_000),
        "boundary": gpd.GeoDataFrame({"name": ["园区"]}, geometry=[park], crs=CRS),
        "zones": zones,
    }


DATA: dict[str, gpd.GeoDataFrame] = {}


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _whole() -> str:
    layers = {k: v for k, v in DATA.items() if k != "zones"}
    res = run_overlap_check(layers, prepare_zones(DATA["zones"]), default_rules())
    return f"{len(res.rows):,} rows, {int(res.has_conflicts)} has-conflicts"


def _pipes_only() -> str:
    res = run_overlap_check(
        {"pipes": DATA["pipes"]}, prepare_zones(DATA["zones"]), default_rules()
    )
    return f"{len(res.rows):,} rows, {res.rows['overlap_length_m'].sum() / 1000:,.3f} km inside"


def _plain() -> str:
    pipes, zones = DATA["pipes"], DATA["zones"]
    j = gpd.sjoin(pipes, zones, how="inner", predicate="intersects")
    inter = shapely.intersection(
        j.geometry.array, zones.geometry.array[j["index_right"].to_numpy()]
    )
    length = shapely.length(inter)
    return f"{len(j):,} pairs, {length.sum() / 1000:,.3f} km inside"


def _child(name: str, conn) -> None:
    base = _rss_mb()
    t = time.perf_counter()
    info = {"_whole": _whole, "_pipes_only": _pipes_only, "_plain": _plain}[name]()
    sec = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    conn.send((sec, peak, peak - base, info))
    conn.close()


def measure(name: str) -> tuple[float, float, float, str]:
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(name, b))
    p.start()
    out = a.recv()
    p.join()
    return out


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.platform()} | {cpu} | {cores} usable cores | {mem:.0f} GiB | "
        f"Python {platform.python_version()} | shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}) | geopandas {gpd.__version__} | "
        f"pandas {pd.__version__} | numpy {np.__version__}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipes", type=int, default=1_000_000)
    ap.add_argument("--zones", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print("machine:", machine())
    t = time.perf_counter()
    DATA.update(make_data(args.pipes, args.zones))
    print(
        f"data: {args.pipes:,} pipes, {args.pipes:,} manholes, 500 outfalls, 10 plants, "
        f"5,000 enterprises, 1 park boundary vs {args.zones:,} zones "
        f"(built in {time.perf_counter() - t:.1f} s; parent RSS {_rss_mb():,.0f} MB)"
    )
    results = {}
    for name, label in (
        ("_plain", "plain sjoin + intersection (pipes only)"),
        ("_pipes_only", "overlap check, pipes against zones"),
        ("_whole", "overlap check, whole (all layers)"),
    ):
        runs = [measure(name) for _ in range(args.repeat)]
        sec = float(np.median([r[0] for r in runs]))
        peak = max(r[1] for r in runs)
        inc = max(r[2] for r in runs)
        results[name] = sec
        print(
            f"{label:45s} {sec:7.2f} s   peak RSS {peak:7,.0f} MB (+{inc:,.0f} MB)   {runs[-1][3]}"
        )
    ratio = results["_pipes_only"] / results["_plain"]
    print(
        f"pipes-vs-zones / plain = {ratio:.2f}x (target <= 1.5x); whole check "
        f"{results['_whole']:.2f} s (target <= 10 s)"
    )


if __name__ == "__main__":
    main()
