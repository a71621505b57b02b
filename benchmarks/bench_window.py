"""The window from Open to usable: one offscreen process per run, as a user opens a project.

Opens a project (default: the 1M park of ``bench_cli.py --keep DIR``) in a shown
``MainWindow`` (1920x1080, ``QT_QPA_PLATFORM=offscreen``) and prints, counted from the call
to ``open_project``:

* **map shown**: the first finished render with every layer of the project on the map;
* **project read**: ``project_opened`` (every layer's attributes in the project);
* **network usable**: the network stored in the project read ahead of the attributes
  (``network_ctl.early_state``, sent once the map is drawn: a click traces on it), where
  the window has that signal;
* **network ready**: ``network_updated`` (the network bound to the attributes);
* **trace by click**: one downstream trace from an enterprise, clicked as soon as the network
  is usable (or ready), shown on the map;

plus the peak RSS of the process and the machine. Each run is its own process.

    python benchmarks/bench_window.py                       # /tmp/pa-cli-1m/park.gpkg
    python benchmarks/bench_window.py resources/demo/demo_park.gpkg --runs 3
    python benchmarks/bench_window.py P --shot /tmp/after.png   # and save window.grab()
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path("/tmp/pa-cli-1m/park.gpkg")
W, H = 1920, 1080


def machine() -> str:
    import numpy
    import pyogrio

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.platform()}; {cpu}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; numpy {numpy.__version__}; pyogrio "
        f"{pyogrio.__version__}; load average {load:.2f}"
    )


def child(path: Path, timeout_s: float, shot: str | None) -> dict:
    """One run in this process: the timings in seconds from the call to ``open_project``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    import pyogrio
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gisapp.qt.main_window import MainWindow
    from gisapp.qt.settings import AppSettings
    from network.schema import LAYER_KINDS

    app = QApplication.instance() or QApplication([])
    ini = Path(os.environ.get("TMPDIR", "/tmp")) / f"pa-bench-window-{os.getpid()}.ini"
    win = MainWindow(settings=AppSettings(QSettings(str(ini), QSettings.Format.IniFormat)))
    win.resize(W, H)
    win.show()
    app.processEvents()
    kinds = {str(n) for n, _ in pyogrio.list_layers(path)} & set(LAYER_KINDS)
    times: dict[str, float] = {}
    loop = QEventLoop()
    t0 = 0.0

    def mark(name: str) -> None:
        if name not in times:
            times[name] = time.perf_counter() - t0

    def on_render(_s: float) -> None:
        on_map = {lay.kind for lay in win.canvas.layers}
        if kinds <= on_map and win.canvas.current_image() is not None:
            mark("map_shown")

    def on_network(state: object, name: str = "network_ready") -> None:
        mark(name)
        if "trace_start" in times:
            if "trace_shown" in times and "network_ready" in times:
                loop.quit()
            return
        ctl = win.extensions["gisapp.qt.trace_panel"]
        ent_ids = state.network.ent_ids
        if not len(ent_ids):
            loop.quit()
            return
        mark("trace_start")

        def shown(_r: object) -> None:
            mark("trace_shown")
            if "network_ready" in times:
                loop.quit()

        ctl.trace_finished.connect(shown)
        ctl.trace_downstream(str(ent_ids[len(ent_ids) // 2]))

    win.canvas.render_finished.connect(on_render)
    win.project_opened.connect(lambda _p: mark("project_read"))
    win.network_updated.connect(on_network)
    early = getattr(win.network_ctl, "early_state", None)
    if early is not None:
        early.connect(lambda state: on_network(state, "network_usable"))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    t0 = time.perf_counter()
    win.open_project(path)
    loop.exec()
    if shot:
        # let the window settle before the grab: the last render (trace highlights, the
        # enterprises' status), and jobs such as the trace again on the bound network
        def busy() -> bool:
            timer = getattr(win.canvas, "_render_timer", None)
            return (
                win.canvas.is_rendering()
                or "map_shown" not in times
                or win.cancel_button.isVisible()
                or (timer is not None and timer.isActive())
            )

        end, quiet_since = time.perf_counter() + 30, None
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if busy():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.perf_counter()
            elif time.perf_counter() - quiet_since > 1.0:
                break
        win.grab().save(shot)
    ini.unlink(missing_ok=True)
    times["timeout_s"] = timeout_s
    return times


def run_child(path: Path, timeout_s: float, shot: str | None) -> tuple[dict, float]:
    cmd = [sys.executable, __file__, str(path), "--child", "--timeout", str(timeout_s)]
    if shot:
        cmd += ["--shot", shot]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout_s + 120)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    times = json.loads(out.stdout.strip().splitlines()[-1])
    if peak <= before:  # ru_maxrss of children is the largest so far: an earlier run's
        times["peak_note"] = "not above an earlier run"
    return times, peak / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    ap.add_argument("--shot", help="save window.grab() of the (last) run to this PNG")
    ap.add_argument(
        "--refresh",
        action="store_true",
        help="store the network in the project first when the stored one is stale",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        times = child(args.project, args.timeout, args.shot)
        sys.stdout.write(json.dumps(times) + "\n")
        sys.stdout.flush()
        os._exit(0)  # no teardown of a million-feature window in the figures
    if not args.project.exists():
        raise SystemExit(
            f"{args.project} does not exist; make it with "
            "`python benchmarks/bench_cli.py --keep /tmp/pa-cli-1m` or name a project."
        )
    from network.io.topology import topology_status

    if args.refresh and topology_status(args.project) != "fresh":
        from network.io.project import open_project
        from network.io.topology import store_checked_network
        from network.state import build_checked_network

        t = time.perf_counter()
        proj = open_project(args.project)
        checked = build_checked_network(proj.layers, proj.settings, proj.crs)
        store_checked_network(args.project, checked)
        del proj, checked
        print(f"stored the network first ({time.perf_counter() - t:.0f} s)")
    print(f"machine: {machine()}")
    print(
        f"project: {args.project} ({args.project.stat().st_size / 1e6:,.0f} MB); "
        f"stored network: {topology_status(args.project)}"
    )
    rows: dict[str, list[float]] = {}
    peaks = []
    for i in range(args.runs):
        shot = args.shot if i == args.runs - 1 else None
        times, peak = run_child(args.project, args.timeout, shot)
        peaks.append(peak)
        for name in (
            "map_shown",
            "network_usable",
            "project_read",
            "network_ready",
            "trace_shown",
        ):
            rows.setdefault(name, []).append(times.get(name, float("inf")))
    labels = {
        "map_shown": "open → full map shown",
        "network_usable": "open → network usable (stored)",
        "project_read": "open → project read (attributes)",
        "network_ready": "open → network ready",
        "trace_shown": "open → first click traced",
    }
    print(f"\n{'step':36s} {'median s':>9s}  runs s")
    for name, values in rows.items():
        runs = " ".join("—" if v == float("inf") else f"{v:.2f}" for v in values)
        med = statistics.median(values)
        shown = f">{args.timeout:.0f}" if med == float("inf") else f"{med:.2f}"
        if name == "network_usable" and med == float("inf"):
            shown = "—"  # the stored network came after the attributes: "ready" is the time
        print(f"{labels[name]:36s} {shown:>9s}  {runs}")
    print(f"{'peak RSS (max of runs)':36s} {max(peaks):>9,.0f} MB")
    if args.shot:
        print(f"screenshot: {args.shot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
