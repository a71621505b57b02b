"""Opening a project in the window: the network stored in the file is used when current (no
rebuild), rebuilt when stale; Save stores the window's own network (no rebuild)."""

from __future__ import annotations

import sqlite3

import pytest

import gisapp.qt.network_controller as nc
import network.state
from network.io.project import open_project, save_project
from network.io.topology import topology_status


@pytest.fixture
def builds(monkeypatch):
    """Counts the network builds the window starts (and those a save would run)."""
    calls = {"window": 0, "save": 0}
    real_iter, real_build = nc.iter_checked_network, network.state.build_checked_network

    def counting_iter(*a, **k):
        calls["window"] += 1
        return real_iter(*a, **k)

    def counting_build(*a, **k):
        calls["save"] += 1
        return real_build(*a, **k)

    monkeypatch.setattr(nc, "iter_checked_network", counting_iter)
    monkeypatch.setattr(network.state, "build_checked_network", counting_build)
    return calls


@pytest.fixture
def stored_project(project_copy):
    """The demo park with its network stored (as after ``new`` or a save)."""
    save_project(open_project(project_copy))
    assert topology_status(project_copy) == "fresh"
    return project_copy


def test_open_with_current_stored_network_does_not_rebuild(make_window, stored_project, builds):
    w = make_window(project=stored_project, wait_network=True)
    assert builds["window"] == 0
    state = w.network_ctl.state
    assert w.network_ctl.is_current
    assert state.network.n_edges > 1000
    assert state.built_from("pipes", w.project.layers["pipes"])  # refers to the window's frames
    # the derived columns come from it: flow arrows and connection status are drawn
    ents = w.canvas.layer("enterprises")
    status = dict(zip(ents.data["ent_id"], ents.column("connection_status"), strict=True))
    assert status["E01"] == "connected"
    assert "flow_forward" in w.canvas.layer("pipes").derived


def test_stored_network_traces_like_a_fresh_build(qtbot, make_window, stored_project):
    w = make_window(project=stored_project, wait_network=True)
    tracer = w.extensions["gisapp.qt.trace_panel"]
    with qtbot.waitSignal(tracer.trace_finished, timeout=30000) as loaded:
        tracer.trace_downstream("E21")
    rebuilt = make_window(project=stored_project, wait_network=False)
    with qtbot.waitSignal(rebuilt.network_updated, timeout=60000):
        rebuilt.network_ctl.set_data(
            rebuilt.project.layers, rebuilt.project.settings, rebuilt.project.crs
        )
    tracer2 = rebuilt.extensions["gisapp.qt.trace_panel"]
    with qtbot.waitSignal(tracer2.trace_finished, timeout=30000) as built:
        tracer2.trace_downstream("E21")
    a, b = loaded.args[0], built.args[0]
    assert (sorted(a.pipes), sorted(a.nodes), a.sinks) == (
        sorted(b.pipes),
        sorted(b.nodes),
        b.sinks,
    )


def test_open_with_stale_stored_network_rebuilds(make_window, stored_project, builds):
    con = sqlite3.connect(stored_project)  # changed outside PipeAtlas (e.g. in QGIS)
    with con:
        con.execute("DELETE FROM pipes WHERE fid = 1")
    con.close()
    assert topology_status(stored_project).startswith("stale")
    w = make_window(project=stored_project, wait_network=True)
    assert builds["window"] == 1
    assert w.network_ctl.is_current


def test_edit_after_loading_rebuilds(qtbot, make_window, stored_project, builds):
    w = make_window(project=stored_project, wait_network=True)
    edited = w.project.layers["pipes"].copy()
    edited["diameter_mm"] = edited["diameter_mm"] * 1.0
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.update_layer("pipes", edited)
    assert builds["window"] == 1
    assert w.network_ctl.state.built_from("pipes", edited)


def test_save_stores_the_windows_network_without_rebuilding(
    qtbot, make_window, project_copy, builds, monkeypatch
):
    con = sqlite3.connect(project_copy)  # the demo copy without its stored network
    with con:
        con.execute("DELETE FROM pa_topology")
    con.close()
    w = make_window(project=project_copy, wait_network=True)
    assert builds["window"] == 1
    edited = w.project.layers["pipes"].copy()
    edited["diameter_mm"] = edited["diameter_mm"] * 1.0
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.update_layer("pipes", edited)
    import network.io.project as project_io

    passed = []
    real_save = project_io.save_project
    monkeypatch.setattr(
        project_io,
        "save_project",
        lambda p, *a, **k: (passed.append(k.get("checked")), real_save(p, *a, **k))[1],
    )
    assert w.save()
    assert passed == [w.network_ctl.state]
    assert builds["save"] == 0  # the save reused it
    assert topology_status(project_copy) == "fresh"


def _run(gen):
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def test_map_frames_completed_equal_open_project(demo_project):
    from geopandas.testing import assert_geodataframe_equal

    from gisapp.qt.main_window import read_attributes_job, read_map_job

    project, frames, layers = _run(read_map_job(demo_project))
    assert project.layers == {}
    assert [lay.kind for lay in layers] == [  # the demo has residents and farms too
        "zones",
        "boundary",
        "population",
        "pipes",
        "manholes",
        "plants",
        "outfalls",
        "enterprises",
        "farms",
    ]
    assert set(frames["pipes"].columns) == {
        "pipe_id",
        "system",
        "diameter_mm",
        "flow_dir",
        "geometry",
    }
    # points and lines were read straight into the drawn arrays, polygons as shapely objects
    apart = {lay.kind for lay in layers if lay.geometry_read_apart}
    assert apart == {"pipes", "manholes", "plants", "outfalls", "enterprises", "farms"}
    prepared = {lay.kind: (lay.prepared_geometry(), lay.geometry_version) for lay in layers}
    full = _run(read_attributes_job(project, frames, layers)).layers
    expected = open_project(demo_project).layers
    assert list(full) == list(expected)
    for kind, gdf in expected.items():
        assert_geodataframe_equal(full[kind], gdf)
    for lay in layers:  # the completed frames keep the prepared geometry
        lay.set_data(full[lay.kind])
        assert lay.prepared_geometry() is prepared[lay.kind][0]
        assert lay.geometry_version == prepared[lay.kind][1]
        assert not lay.geometry_read_apart


def test_map_is_shown_before_the_attributes_are_read(qtbot, make_window, project_copy):
    w = make_window()
    seen = []
    w.canvas.render_finished.connect(
        lambda _s: seen.append(("drawn", w.project is None, len(w.canvas.layers)))
    )
    w.project_opened.connect(lambda _p: seen.append(("opened",)))
    prepared = {}
    with qtbot.waitSignal(w.project_opened, timeout=30000):
        w.open_project(project_copy)
        qtbot.waitUntil(lambda: len(w.canvas.layers) == 9 and w.project is None, timeout=30000)
        prepared = {lay.kind: lay.prepared_geometry() for lay in w.canvas.layers}
    # the new project's map was drawn while its attributes were still being read
    assert seen.index(("drawn", True, 9)) < seen.index(("opened",))
    assert w.project.path == project_copy
    for lay in w.canvas.layers:  # the frames came in around the prepared geometry
        assert lay.data is w.project.layers[lay.kind]
        assert lay.prepared_geometry() is prepared[lay.kind]


def test_opening_another_project_lets_the_previous_one_go(
    qtbot, make_window, project_copy, monkeypatch
):
    # a big network's caches are warmed in a thread once it is bound; the trace panel kept
    # that network (and through it every layer of the project) after the user opened another
    # project: at 1M pipes, 1.8 GB held until the window closed
    import gc
    import threading
    import weakref

    import gisapp.qt.trace_panel as tp

    monkeypatch.setattr(tp, "BIG_NETWORK_EDGES", 0)  # the demo counts as big here
    w = make_window(wait_network=True)
    first_net = weakref.ref(w.network_ctl.state.network)
    first_pipes = weakref.ref(w.project.layers["pipes"])
    monkeypatch.setattr(tp, "BIG_NETWORK_EDGES", 10**9)  # the next one is small: not warmed
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.open_project(project_copy)
    qtbot.waitUntil(
        lambda: not any(t.name == "trace-warm-up" for t in threading.enumerate()), timeout=30000
    )
    assert w.network_ctl.state.network is not first_net()
    # the previous network goes once the events in flight are handled (on a loaded machine
    # a queued one may still hold it when the new network is announced); the first
    # opening's fallback timer (attributes read even when no render comes) holds its
    # project for up to two seconds; after that nothing may hold either
    qtbot.waitUntil(lambda: gc.collect() >= 0 and first_net() is None, timeout=5000)
    qtbot.waitUntil(lambda: gc.collect() >= 0 and first_pipes() is None, timeout=5000)
