"""Opening a project reads its stored network from the moment Open is chosen, beside the map;
it is traced on once the new map is drawn (never on the old project's map), and the window
then adopts it for the attributes without a rebuild."""

from __future__ import annotations

import pytest
import shapely

import gisapp.qt.network_controller as nc
from gisapp.qt.network_controller import NetworkController
from network.io.project import open_project

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel")


def test_a_held_preload_is_announced_only_when_released(qtbot, stored_demo):
    ctl = NetworkController()
    announced = []
    ctl.early_state.connect(announced.append)
    ctl.preload(stored_demo, hold=True)
    qtbot.waitUntil(lambda: ctl._preload["state"] is not nc._PENDING, timeout=30000)
    assert announced == [] and ctl.preloaded_state() is None  # read, but held
    with qtbot.waitSignal(ctl.early_state, timeout=5000) as early:
        ctl.release_preload()
    assert ctl.preloaded_state() is early.args[0]
    proj = open_project(stored_demo)
    with qtbot.waitSignal(ctl.state_changed, timeout=30000) as bound:
        ctl.set_data(proj.layers, proj.settings, proj.crs, stored=stored_demo)
    assert bound.args[0].network is early.args[0].network  # adopted, not rebuilt
    assert bound.args[0].built_from("pipes", proj.layers["pipes"])
    ctl.wait_idle()


def test_a_dropped_preload_is_never_traced_on(qtbot, stored_demo):
    ctl = NetworkController()
    ctl.preload(stored_demo, hold=True)
    ctl.drop_preload(stored_demo)
    ctl.release_preload()
    ctl.wait_idle()
    qtbot.wait(50)
    assert ctl.preloaded_state() is None


def test_the_adopted_network_has_its_register_decoded_off_the_gui_thread(qtbot, stored_demo):
    ctl = NetworkController()
    ctl.preload(stored_demo)
    proj = open_project(stored_demo)
    ctl.set_data(proj.layers, proj.settings, proj.crs, stored=stored_demo)  # before it is read
    with qtbot.waitSignal(ctl.state_changed, timeout=30000) as adopted:
        pass
    register = adopted.args[0].register
    assert getattr(register, "_register", register) is not None  # decoded already
    assert len(register.rows) == len(proj.layers["enterprises"])
    ctl.wait_idle()


def test_open_traces_on_the_stored_network_after_the_map_is_drawn(
    qtbot, make_window, stored_demo, monkeypatch
):
    w = make_window(EXTS, wait_network=True)  # the demo park open first
    builds = []
    real = nc.iter_checked_network

    def counting(*a, **k):
        builds.append(1)
        return real(*a, **k)

    monkeypatch.setattr(nc, "iter_checked_network", counting)
    old_network = w.network_ctl.state.network
    seen = []
    w.canvas.render_finished.connect(
        lambda _s: seen.append(("drawn", w.canvas.layers and w.canvas.layers[0].data is not None))
    )
    w.project_opened.connect(lambda _p: seen.append(("opened",)))
    tracer = w.extensions["gisapp.qt.trace_panel"]
    early_traces = []

    def on_early(state):
        # the new map is on the canvas; the old project's network is gone
        assert w.project is None and w.network_ctl.state is None
        assert state.network is not old_network
        seen.append(("early",))
        tracer.trace_downstream("E01")
        early_traces.append(tracer.result)
        # highlighted by the stored network's row maps (the map's rows are the file's)
        assert tracer._rows is not None
        pipes = w.canvas.layer("pipes")
        assert set(pipes.feature_ids()[tracer._rows]) == set(tracer.result.pipes)
        assert w.canvas.highlighted_ids("pipes", "trace") == frozenset(tracer.result.pipes)

    w.network_ctl.early_state.connect(on_early)
    with qtbot.waitSignal(w.network_updated, timeout=60000):
        w.open_project(stored_demo)
    assert [s[0] for s in seen].index("drawn") < [s[0] for s in seen].index("early")
    assert [s[0] for s in seen].index("early") < [s[0] for s in seen].index("opened")
    assert builds == []  # the stored network was adopted, not rebuilt
    res = early_traces[0]
    assert res is not None and res.plants == ("P01",)
    # the trace list's pipe lengths came from the map's arrays, as shapely measures them
    pipes = w.project.layers["pipes"]
    info = tracer._pipe_info(list(res.pipes)[:5])
    for pid, (length_m, *_rest) in info.items():
        geoms = pipes.geometry[pipes["pipe_id"] == pid]
        assert length_m == pytest.approx(float(shapely.length(geoms.values).sum()))
    # the frames came in around the arrays read for the map: nothing prepared twice
    for lay in w.canvas.layers:
        assert lay.data is w.project.layers[lay.kind]
        assert not lay.geometry_read_apart
