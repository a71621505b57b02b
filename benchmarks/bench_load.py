"""Import speed: a 1,000,000-pipe GBK shapefile (no .cpg) into a project GeoPackage.

Prints seconds and peak memory (max RSS of a fresh process per step) of the PipeAtlas import
beside a bare ``pyogrio.read_dataframe`` of the same file, and the machine it ran on.

    python benchmarks/bench_load.py [--pipes 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def make_shapefile(path: Path, n: int, seed: int = 7) -> None:
    """A dendritic-looking network of n two-point pipes with Chinese GBK attributes."""
    import geopandas as gpd
    import pyogrio
    import shapely

    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x0 = 37_600_000.0 + (i % side) * 30.0
    y0 = 3_100_000.0 + (i // side) * 30.0
    horizontal = (i // side) % 2 == 0
    x1 = np.where(horizontal, x0 + 30.0, x0)
    y1 = np.where(horizontal, y0, y0 + 30.0)
    coords = np.stack([x0, y0, x1, y1], axis=1).reshape(-1, 2)
    geoms = shapely.linestrings(coords, indices=np.repeat(i, 2))
    systems = np.array(["污水", "雨水", "合流"])[rng.integers(0, 3, n)]
    materials = np.array(["钢筋混凝土", "HDPE", "PVC-U", "球墨铸铁"])[rng.integers(0, 4, n)]
    gdf = gpd.GeoDataFrame(
        {
            "编号": np.char.add("WS-", i.astype(str)),
            "起点编号": np.char.add("J", i.astype(str)),
            "终点编号": np.char.add("J", (i + 1).astype(str)),
            "管径": rng.choice([300, 400, 500, 600, 800], n),
            "材质": materials,
            "类型": systems,
            "起点管底高程": np.round(20 - rng.random(n), 3),
            "终点管底高程": np.round(19 - rng.random(n), 3),
        },
        geometry=geoms,
        crs=4525,
    )
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    with dbf.open("r+b") as fh:  # language driver byte 0: the loader has to find GBK itself
        fh.seek(29)
        fh.write(b"\0")


def run_step(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (seconds, peak RSS in MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"step failed: {code}")
    return seconds, usage.ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipes", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pa-bench-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "pipes.shp"
    if not shp.exists():
        t0 = time.perf_counter()
        make_shapefile(shp, args.pipes)
        print(f"generated {args.pipes:,} pipes in {time.perf_counter() - t0:.1f} s -> {shp}")
    size = sum(p.stat().st_size for p in folder.glob("pipes.*")) / 1e6
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; shapefile {size:.0f} MB"
    )
    base = "import pyogrio; "
    steps = {
        "bare pyogrio.read_dataframe(encoding='GBK')": base
        + f"pyogrio.read_dataframe({str(shp)!r}, encoding='GBK')",
        "bare pyogrio.read_dataframe(arrow, ENCODING=CP936)": base
        + f"pyogrio.read_dataframe({str(shp)!r}, use_arrow=True, ENCODING='CP936')",
        "PipeAtlas import (detect, map, clean, write project)": (
            "from network.io.project import create_project; "
        )
        + f"create_project({str(folder / 'p.gpkg')!r}, {{'pipes': [{str(shp)!r}]}}, "
        "overwrite=True)",
        "PipeAtlas open project": "from network.io.project import open_project; "
        f"open_project({str(folder / 'p.gpkg')!r})",
    }
    results = {}
    for name, code in steps.items():
        s, mb = run_step(code)
        results[name] = s
        print(f"{name:55s} {s:7.1f} s   peak RSS {mb:7.0f} MB")
    bare = results["bare pyogrio.read_dataframe(encoding='GBK')"]
    imp = results["PipeAtlas import (detect, map, clean, write project)"]
    print(f"import / bare read = {imp / bare:.2f} (target <= 3.0)")
    _ = resource  # keep the import: documents where the figures come from (ru_maxrss)


if __name__ == "__main__":
    main()
