"""Benchmark: grade 100,000 CJJ 181 observations on 20,000 pipes.

Run ``python benchmarks/bench_grading.py``; prints the seconds, the peak memory and the
machine. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys.grading import grade_segments
from surveys.standards import load_pack


def make_data(n_obs: int, n_pipes: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (observations, segments) with realistic spacing, merges and continuous defects."""
    rng = np.random.default_rng(seed)
    pack = load_pack()
    codes = list(pack.codes())
    pipe_ids = np.array([f"P{i:06d}" for i in range(n_pipes)])
    seg_len = rng.uniform(5.0, 120.0, n_pipes).round(2)
    segments = pd.DataFrame(
        {
            "pipe_id": pipe_ids,
            "length_m": seg_len,
            "diameter_mm": rng.choice([300, 400, 500, 600, 800, 1000, 1200, 1600], n_pipes),
            "area_k": rng.choice([0, 3, 6, 10], n_pipes),
            "soil_t": rng.choice([0, 6, 8, 10], n_pipes),
        }
    )
    on = rng.integers(0, n_pipes, n_obs)
    ci = rng.integers(0, len(codes), n_obs)
    gmax = np.array([codes[c].grade_numbers[-1] for c in ci])
    grade = (rng.random(n_obs) * gmax).astype(int) + 1
    dist = (rng.random(n_obs) * seg_len[on]).round(1)
    continuous = rng.random(n_obs) < 0.2
    length = np.where(continuous, rng.uniform(0.5, 10.0, n_obs).round(1), np.nan)
    observations = pd.DataFrame(
        {
            "pipe_id": pipe_ids[on],
            "code": [codes[c].code for c in ci],
            "grade": grade,
            "distance_m": dist,
            "length_m": length,
        }
    )
    return observations, segments


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--observations", type=int, default=100_000)
    ap.add_argument("--pipes", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    pack = load_pack()
    obs, segs = make_data(args.observations, args.pipes)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = grade_segments(obs, segs, pack)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    grade_segments(obs, segs, pack)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"grade_segments: {args.observations:,} observations on {args.pipes:,} pipes")
    print(
        f"  time: median {np.median(times):.3f} s, min {min(times):.3f} s over {args.repeat} runs"
    )
    print(f"  peak traced Python memory during one run: {peak / 2**20:.1f} MiB")
    print(f"  process max RSS: {rss_kb / 1024:.0f} MiB")
    print(
        f"  merged clusters noted: {result['notes'].str.contains('merged').sum():,} segments; "
        f"structural grades {result['structural_grade'].value_counts().to_dict()}"
    )
    print(
        f"  machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
