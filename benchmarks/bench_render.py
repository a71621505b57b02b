"""Render benchmark: a generated 1,000,000-pipe network drawn at 1920x1080.

Prints: full-extent render, a zoomed view with about 1 % of the pipes, the time from a wheel
event to the moved preview on screen (idle, and while the worker renders the full extent),
memory of the prepared network, and the naive way (one QGraphicsItem per pipe, 100,000
pipes) in the same run, plus the machine.

    python benchmarks/bench_render.py [--pipes 1000000] [--naive-pipes 100000] [--runs 3]
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd
import numpy as np
import PySide6
import shapely
from PySide6.QtCore import QEventLoop, QPoint, QPointF, QRectF, Qt, QTimer, qVersion
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsPathItem,
    QGraphicsScene,
)

from gisapp.qt.map_canvas import MapCanvas
from gisapp.qt.map_layer import MapLayer
from gisapp.qt.render import View, render_map

W, H = 1920, 1080
SPACING_M = 30.0


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024**2:.0f} GB"
    except OSError:
        pass
    return (
        f"{platform.platform()} | {cpu} | {os.cpu_count()} logical cores "
        f"(affinity {len(os.sched_getaffinity(0))}) | {mem} RAM | Python "
        f"{platform.python_version()} | PySide6 {PySide6.__version__} / Qt {qVersion()} | "
        f"numpy {np.__version__} | shapely {shapely.__version__}"
    )


def make_network(n_pipes: int, seed: int = 0) -> gpd.GeoDataFrame:
    """A dendritic 'comb' network on a jittered square grid: every node drains west along its
    row into a north-south trunk at column 0; 12 % of pipes have a middle vertex."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_pipes + 1)))
    rows, cols = np.divmod(np.arange(side * side), side)
    x = cols * SPACING_M + rng.normal(0, 4, side * side)
    y = rows * SPACING_M + rng.normal(0, 4, side * side)
    node = np.arange(side * side)
    downstream = np.where(cols > 0, node - 1, node - side)  # west, or south on the trunk
    valid = downstream >= 0
    up, down = node[valid][:n_pipes], downstream[valid][:n_pipes]
    n = len(up)
    bend = rng.random(n) < 0.12
    n_coords = np.where(bend, 3, 2)
    starts = np.concatenate([[0], np.cumsum(n_coords)[:-1]])
    coords = np.empty((int(n_coords.sum()), 2))
    coords[starts] = np.column_stack([x[up], y[up]])
    ends = starts + n_coords - 1
    coords[ends] = np.column_stack([x[down], y[down]])
    mids = starts[bend] + 1
    coords[mids] = (coords[starts[bend]] + coords[ends[bend]]) / 2 + rng.normal(
        0, 3, (len(mids), 2)
    )
    geoms = shapely.linestrings(coords, indices=np.repeat(np.arange(n), n_coords))
    trunk = cols[up] == 0
    diameter = np.where(
        trunk,
        1200.0,
        rng.choice([200.0, 300.0, 400.0, 600.0, 800.0], n, p=[0.45, 0.3, 0.12, 0.08, 0.05]),
    )
    system = rng.choice(["sewage", "rain", "combined", "industrial"], n, p=[0.55, 0.3, 0.1, 0.05])
    return gpd.GeoDataFrame(
        {
            "pipe_id": [f"P{i}" for i in range(n)],
            "system": system,
            "diameter_mm": diameter,
            "flow_forward": np.ones(n, dtype=bool),
        },
        geometry=geoms,
        crs="EPSG:4547",
    )


def timed(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def wait_ms(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(pred, timeout_s: float = 60.0) -> None:
    t_end = time.perf_counter() + timeout_s
    while not pred() and time.perf_counter() < t_end:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def send_wheel(canvas: MapCanvas, x: float, y: float, notches: int = 1) -> None:
    pos = QPointF(x, y)
    ev = QWheelEvent(
        pos,
        canvas.mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, ev)


def bench_preview(layer: MapLayer, runs: int) -> dict[str, list[float]]:
    canvas = MapCanvas()
    canvas.resize(W, H)
    canvas.show()
    canvas.set_layers([layer])
    wait_for(lambda: canvas.current_image() is not None and not canvas.is_rendering())
    idle, busy = [], []
    rng = np.random.default_rng(1)
    for i in range(runs * 3):
        canvas.zoom_to_full_extent()
        canvas._start_render()  # full-extent job now in the worker
        wait_for(lambda: not canvas.is_rendering())
        if i % 2:  # while the worker is busy with a full-extent render
            canvas._start_render()
            wait_ms(30)
            bucket = busy
        else:
            bucket = idle
        x, y = rng.uniform(200, W - 200), rng.uniform(200, H - 200)
        t0 = time.perf_counter()
        send_wheel(canvas, x, y)
        canvas.repaint()  # the paint event that shows the moved/scaled image
        dt = time.perf_counter() - t0
        assert canvas.is_preview_shown()
        bucket.append(dt)
        wait_for(lambda: not canvas.is_rendering())
    canvas.close()
    return {"idle": idle, "busy": busy}


def bench_naive(gdf: gpd.GeoDataFrame, runs: int) -> dict[str, float]:
    gc.collect()
    m0 = rss_mb()
    t0 = time.perf_counter()
    scene = QGraphicsScene()
    pens = {
        s: QPen(QColor(c), 1.4)
        for s, c in (
            ("sewage", "#8b4513"),
            ("rain", "#1f6fd1"),
            ("combined", "#8e44ad"),
            ("industrial", "#8b0000"),
        )
    }
    for pen in pens.values():
        pen.setCosmetic(True)
    coords, idx = shapely.get_coordinates(gdf.geometry.values, return_index=True)
    bounds = np.searchsorted(idx, np.arange(len(gdf) + 1))
    for i, system in enumerate(gdf["system"].tolist()):
        c = coords[bounds[i] : bounds[i + 1]]
        path = QPainterPath(QPointF(c[0, 0], -c[0, 1]))
        for x, y in c[1:].tolist():
            path.lineTo(x, -y)
        item = QGraphicsPathItem(path)
        item.setPen(pens[system])
        scene.addItem(item)
    build = time.perf_counter() - t0
    minx, miny, maxx, maxy = gdf.total_bounds
    v = View.fit((minx, miny, maxx, maxy), W, H)
    ex = v.extent
    source = QRectF(ex[0], -ex[3], ex[2] - ex[0], ex[3] - ex[1])

    def draw() -> None:
        img = QImage(W, H, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        scene.render(p, QRectF(0, 0, W, H), source)
        p.end()

    t0 = time.perf_counter()
    draw()
    first = time.perf_counter() - t0
    repeat, _ = timed(draw, runs)
    mem = rss_mb() - m0
    scene.clear()
    return {"build": build, "first": first, "repeat": repeat, "mem": mem}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipes", type=int, default=1_000_000)
    ap.add_argument("--naive-pipes", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    print("machine:", machine())
    print(f"frame {W}x{H}, medians of {args.runs} runs unless said otherwise\n")

    gc.collect()
    m_start = rss_mb()
    t0 = time.perf_counter()
    gdf = make_network(args.pipes)
    t_gen = time.perf_counter() - t0
    m_gdf = rss_mb()
    layer = MapLayer("pipes", gdf)
    t0 = time.perf_counter()
    geom = layer.prepared_geometry()
    t_geom = time.perf_counter() - t0
    t0 = time.perf_counter()
    layer.prepared_style()
    t_style = time.perf_counter() - t0
    t0 = time.perf_counter()
    geom.tree()
    t_tree = time.perf_counter() - t0
    t0 = time.perf_counter()
    geom.anchors()
    t_anchor = time.perf_counter() - t0
    m_prep = rss_mb()
    print(f"network: {len(gdf):,} pipes, {len(geom.segs):,} segments (generated in {t_gen:.1f} s)")
    print(
        f"prepare: segments {t_geom:.2f} s, style batches {t_style:.2f} s, STRtree "
        f"{t_tree:.2f} s, arrow anchors {t_anchor:.2f} s"
    )
    print(
        f"memory: GeoDataFrame {m_gdf - m_start:,.0f} MB; prepared arrays + index "
        f"+{m_prep - m_gdf:,.0f} MB (arrays alone {layer.memory_bytes() / 2**20:,.0f} MB); "
        f"process RSS {m_prep:,.0f} MB"
    )

    full = View.fit(gdf.total_bounds, W, H)
    t_full, all_full = timed(lambda: render_map([layer], full), args.runs)
    print(
        f"\nfull extent: {t_full * 1000:,.0f} ms  (runs: "
        f"{', '.join(f'{t * 1000:.0f}' for t in all_full)} ms)  [target <= 1000 ms]"
    )
    render_map([layer], full).save("/tmp/bench_full.png")

    minx, miny, maxx, maxy = gdf.total_bounds
    scale = np.sqrt(0.01 * (maxx - minx) * (maxy - miny) / (W * H))
    rng = np.random.default_rng(2)
    zoom_times, fractions = [], []
    for _ in range(max(5, args.runs * 3)):
        cx = rng.uniform(minx + W * scale / 2, maxx - W * scale / 2)
        cy = rng.uniform(miny + H * scale / 2, maxy - H * scale / 2)
        v = View(cx, cy, scale, W, H)
        t0 = time.perf_counter()
        render_map([layer], v)
        zoom_times.append(time.perf_counter() - t0)
        ex = v.extent
        fractions.append(len(geom.tree().query(shapely.box(*ex))) / len(gdf))
    render_map([layer], v).save("/tmp/bench_zoom.png")
    print(
        f"zoomed view ({statistics.mean(fractions) * 100:.2f} % of pipes, "
        f"{scale:.2f} m/px): median {statistics.median(zoom_times) * 1000:.1f} ms, "
        f"max {max(zoom_times) * 1000:.1f} ms  [target <= 60 ms]"
    )

    prev = bench_preview(layer, args.runs)
    print(
        f"wheel event -> moved preview painted: idle median "
        f"{statistics.median(prev['idle']) * 1000:.1f} ms (max "
        f"{max(prev['idle']) * 1000:.1f}); while the worker renders the full extent median "
        f"{statistics.median(prev['busy']) * 1000:.1f} ms (max "
        f"{max(prev['busy']) * 1000:.1f})  [target <= 30 ms]"
    )

    small = gdf.iloc[: args.naive_pipes].copy()
    small_layer = MapLayer("pipes", small)
    small_layer.prepare()
    sv = View.fit(small.total_bounds, W, H)
    t_small, _ = timed(lambda: render_map([small_layer], sv), args.runs)
    naive = bench_naive(small, args.runs)
    print(
        f"\n{len(small):,} pipes, full extent: this renderer {t_small * 1000:,.0f} ms; naive "
        f"QGraphicsScene (one QGraphicsPathItem per pipe): build {naive['build']:.2f} s, "
        f"first render {naive['first'] * 1000:,.0f} ms, repeat {naive['repeat'] * 1000:,.0f} "
        f"ms, +{naive['mem']:,.0f} MB"
    )
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
