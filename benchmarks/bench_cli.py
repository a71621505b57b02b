"""Whole commands as a user runs them: one process per command on a generated network.

Generates (or reuses, with ``--keep DIR``) a dendritic network as GBK shapefiles without a
``.cpg`` (default 1,000,000 pipes, one manhole per node, 6 plants, 5 outfalls, 20,000
enterprises), then runs ``new``, ``info``, ``trace --up``/``--down``, ``check``,
``connections``, ``balance`` and ``stats`` each as its own process and prints wall seconds and
peak RSS (``ru_maxrss`` of the child) beside the bare ``pyogrio.read_dataframe(use_arrow=True)``
of the pipes (the issue's floor for ``new``) and of all five input files (what ``new`` must
read at the least), plus the machine. ``new`` is given as a ratio to both; with the pipes'
bare read it takes turns, and the ratio is the median of the run-by-run ratios.

    python benchmarks/bench_cli.py                       # 1,000,000 pipes in a temp folder
    python benchmarks/bench_cli.py --pipes 100000 --keep /tmp/pa-cli-100k --repeat 3
    python benchmarks/bench_cli.py --keep DIR --only info trace-up --repeat 5

The project is made by the ``new`` step; with ``--skip-new`` an existing ``DIR/park.gpkg`` is
used (the timings of later commands then include nothing of the import).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

TARGETS = {  # seconds; None = ratio target or no target
    "info": 1.0,
    "trace-up": 3.0,
    "trace-down": 3.0,
    "check": 10.0,
    "connections": 10.0,
}
PEAK_TARGET_MB = 1536
OFFSET = np.array([500_000.0, 3_300_000.0])  # the generator draws around (0, 0)


def make_shapefiles(folder: Path | str, n_pipes: int | str, n_enterprises: int | str) -> None:
    """Write pipes, manholes, plants, outfalls and enterprises as GBK shapefiles (no .cpg).

    The network of ``bench_network.generate`` is cut into six trees at five trunk pipes (a
    plant at each cut), five outfalls sit on trunk manholes, and the columns carry the Chinese
    names of a surveyor's table (at most 10 GBK bytes, the DBF limit).
    """
    folder, n_pipes, n_enterprises = Path(folder), int(n_pipes), int(n_enterprises)
    import geopandas as gpd
    import pyogrio
    import shapely
    from bench_network import generate

    layers = generate(n_pipes, n_enterprises)
    pipes, manholes, ents = layers["pipes"], layers["manholes"], layers["enterprises"]
    rng = np.random.default_rng(11)
    # trunk nodes sorted by x; cut the trunk pipe leaving five of them (plants there)
    node_xy = shapely.get_coordinates(manholes.geometry)
    node_row = {nid: i for i, nid in enumerate(manholes["node_id"].tolist())}
    trunk = pipes["pipe_class"].to_numpy() == "main"
    trunk_from = pipes["from_node"].to_numpy()[trunk]
    xs = np.array([node_xy[node_row[n], 0] for n in trunk_from])
    order = np.argsort(xs)
    picks = order[np.linspace(len(order) // 10, len(order) - len(order) // 10, 5).astype(int)]
    cut_nodes = trunk_from[picks]
    keep = ~(trunk & np.isin(pipes["from_node"].to_numpy(), cut_nodes))
    pipes = pipes[keep].reset_index(drop=True)
    plant_nodes = [layers["plants"]["node_id"].iloc[0], *cut_nodes.tolist()]
    plants = gpd.GeoDataFrame(
        {
            "编号": [f"W{i + 1}" for i in range(len(plant_nodes))],
            "名称": [f"第{i + 1}污水处理厂" for i in range(len(plant_nodes))],
            "设计规模": [2e5] * len(plant_nodes),
            "接入井": plant_nodes,
        },
        geometry=shapely.points([node_xy[node_row[n]] for n in plant_nodes]),
        crs=pipes.crs,
    )
    of_nodes = rng.choice(np.setdiff1d(trunk_from, cut_nodes), 5, replace=False)
    outfalls = gpd.GeoDataFrame(
        {
            "编号": [f"O{i + 1}" for i in range(5)],
            "名称": [f"{i + 1}号排口" for i in range(5)],
            "接入井": of_nodes,
        },
        geometry=shapely.points([node_xy[node_row[n]] + 3.0 for n in of_nodes]),
        crs=pipes.crs,
    )
    n = len(pipes)
    out = {
        "pipes": gpd.GeoDataFrame(
            {
                "编号": pipes["pipe_id"],
                "起点编号": pipes["from_node"],
                "终点编号": pipes["to_node"],
                "类型": "污水",
                "管径": pipes["diameter_mm"].astype(int),
                "材质": np.array(["钢筋混凝土", "HDPE", "PVC-U"])[rng.integers(0, 3, n)],
                "起点管底": pipes["from_invert_m"].round(3),
                "终点管底": pipes["to_invert_m"].round(3),
            },
            geometry=pipes.geometry,
            crs=pipes.crs,
        ),
        "manholes": gpd.GeoDataFrame(
            {"井号": manholes["node_id"], "地面高程": manholes["ground_m"].round(3)},
            geometry=manholes.geometry,
            crs=pipes.crs,
        ),
        "enterprises": gpd.GeoDataFrame(
            {
                "企业编号": ents["ent_id"],
                "名称": np.char.add("企业", np.arange(len(ents)).astype(str)),
                "接入井": ents["connect_node"],
                "废水量": ents["flow_tpd"],
                "cod": ents["cod_mgl"],
            },
            geometry=ents.geometry,
            crs=pipes.crs,
        ),
        "plants": plants,
        "outfalls": outfalls,
    }
    for kind, gdf in out.items():
        gdf = gdf.set_geometry(shapely.transform(gdf.geometry.values, lambda xy: xy + OFFSET))
        path = folder / f"{kind}.shp"
        pyogrio.write_dataframe(gdf, path, encoding="GBK")
        path.with_suffix(".cpg").unlink(missing_ok=True)
        with path.with_suffix(".dbf").open("r+b") as fh:  # no language driver byte either
            fh.seek(29)
            fh.write(b"\0")


def run(cmd: list[str], timeout: float) -> tuple[float, float, int]:
    """Run *cmd* as a fresh process; (wall seconds, peak RSS MB, exit status; -9 if killed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return time.perf_counter() - t0, usage.ru_maxrss / 1024, -9
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.stderr.write(f"  ! {' '.join(cmd[2:])} exited {proc.returncode}: {err[-400:]}\n")
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipes", type=int, default=1_000_000)
    ap.add_argument("--enterprises", type=int, default=20_000)
    ap.add_argument("--keep", type=Path, help="folder of the shapefiles (reused when present)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per command (median printed)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds before a kill")
    ap.add_argument("--skip-new", action="store_true", help="reuse DIR/park.gpkg")
    ap.add_argument("--only", nargs="+", help="run only these steps (names as printed)")
    args = ap.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="pa-bench-cli-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "pipes.shp").exists():
        t0 = time.perf_counter()
        # in a child process: Linux keeps a process's peak RSS across fork and exec, so a
        # generator grown to 2 GB here would be charged to every command forked after it
        gen = "from bench_cli import make_shapefiles as m; m(*__import__('sys').argv[1:])"
        gen_args = [str(folder), str(args.pipes), str(args.enterprises)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "benchmarks")])}
        subprocess.run([sys.executable, "-c", gen, *gen_args], check=True, env=env)
        print(f"generated the shapefiles in {time.perf_counter() - t0:.1f} s -> {folder}")
    import pyogrio

    counts = {
        k: pyogrio.read_info(folder / f"{k}.shp", encoding="CP936")["features"]
        for k in ("pipes", "manholes", "plants", "outfalls", "enterprises")
    }
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; "
        f"{platform.processor() or platform.machine()}; Python {platform.python_version()}; "
        f"pyogrio {pyogrio.__version__}; load average {os.getloadavg()[0]:.2f}"
    )
    print("network: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + " (GBK, no .cpg)")
    gpkg = folder / "park.gpkg"
    py, main_py = sys.executable, str(REPO / "main.py")
    cli = [py, main_py]
    shp = {k: str(folder / f"{k}.shp") for k in counts}
    steps: dict[str, list[str]] = {
        "bare read": [
            py,
            "-c",
            "import pyogrio; pyogrio.read_dataframe("
            f"{shp['pipes']!r}, use_arrow=True, encoding='CP936')",
        ],
        "bare read all": [
            py,
            "-c",
            "import pyogrio\n"
            f"for f in {list(shp.values())!r}:\n"
            "    pyogrio.read_dataframe(f, use_arrow=True, encoding='CP936')",
        ],
        "new": [
            *cli,
            "new",
            str(gpkg),
            "--force",
            "-q",
            *("--pipes", shp["pipes"], "--manholes", shp["manholes"]),
            *("--plants", shp["plants"], "--outfalls", shp["outfalls"]),
            *("--enterprises", shp["enterprises"]),
        ],
        "info": [*cli, "info", str(gpkg), "--json"],
        "trace-up": [*cli, "trace", str(gpkg), "--from", "W1", "--up", "--json"],
        "trace-down": [*cli, "trace", str(gpkg), "--from", "E0", "--down", "--json"],
        "check": [*cli, "check", str(gpkg), "--json"],
        "connections": [*cli, "connections", str(gpkg), "--json"],
        "balance": [*cli, "balance", str(gpkg), "--json"],
        "stats": [*cli, "stats", str(gpkg), "--json"],
    }
    if args.skip_new:
        steps.pop("new")
    if args.only:
        steps = {k: v for k, v in steps.items() if k in args.only}
    print(f"\n{'command':<14} {'median s':>9} {'runs s':<26} {'peak MB':>8}  status  target")
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in steps}
    # the bare read of the pipes and ``new`` take turns, so that each ratio compares two runs
    # minutes apart (a shared machine's speed drifts by a fifth over an hour)
    paired = [n for n in ("bare read", "new") if n in steps] == ["bare read", "new"]
    if paired:
        for _ in range(args.repeat):
            for name in ("bare read", "new"):
                runs[name].append(run(steps[name], args.timeout))
    results: dict[str, float] = {}
    for name, cmd in steps.items():
        if not (paired and name in ("bare read", "new")):
            for _ in range(args.repeat):
                runs[name].append(run(cmd, args.timeout))
                if runs[name][-1][2] == -9:
                    break
        times = [t for t, _, _ in runs[name]]
        peaks = [mb for _, mb, _ in runs[name]]
        codes = [c for _, _, c in runs[name]]
        med = statistics.median(times)
        results[name] = med
        target = TARGETS.get(name)
        verdict = []
        if target is not None:
            verdict.append(f"≤ {target:g} s {'OK' if med <= target else 'OVER'}")
        if not name.startswith("bare read"):
            verdict.append(f"≤ 1.5 GB {'OK' if max(peaks) <= PEAK_TARGET_MB else 'OVER'}")
        shown = " ".join(f"{t:.2f}" for t in times)
        status = "killed" if -9 in codes else ",".join(str(c) for c in sorted(set(codes)))
        print(
            f"{name:<14} {med:9.2f} {shown:<26} {max(peaks):8.0f}  {status:<6}  "
            f"{'; '.join(verdict)}",
            flush=True,
        )
    if paired:
        pairs = [n[0] / b[0] for b, n in zip(runs["bare read"], runs["new"], strict=True)]
        ratio = statistics.median(pairs)
        print(
            f"\nnew / bare read of the pipes = {ratio:.2f} (median of {len(pairs)} run-by-run "
            f"ratios: {' '.join(f'{r:.2f}' for r in pairs)}; target ≤ 1.5) "
            f"{'OK' if ratio <= 1.5 else 'OVER'}"
        )
    if "new" in results and "bare read all" in results:
        ratio = results["new"] / results["bare read all"]
        print(f"new / bare read of all five inputs = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
