"""The network stored in a project is usable for traces before its attributes are read."""

from __future__ import annotations

from gisapp.qt.network_controller import NetworkController
from network.io.project import open_project
from network.trace import trace_downstream

EXTS = ("gisapp.qt.inspect_tools", "gisapp.qt.trace_panel")


def test_the_stored_network_is_announced_before_the_frames(qtbot, stored_demo):
    ctl = NetworkController()
    assert ctl.preloaded_state() is None
    with qtbot.waitSignal(ctl.early_state, timeout=30000) as early:
        ctl.preload(stored_demo)
    state = early.args[0]
    assert ctl.preloaded_state() is state and ctl.state is None
    assert trace_downstream(state.network, "E01").plants == ("P01",)
    # the frames arrive: the same network is adopted, bound to them, and no longer "early"
    proj = open_project(stored_demo)
    with qtbot.waitSignal(ctl.state_changed, timeout=30000) as bound:
        ctl.set_data(proj.layers, proj.settings, proj.crs, stored=stored_demo)
    assert bound.args[0].network is state.network
    assert ctl.preloaded_state() is None
    ctl.wait_idle()


def test_a_click_traces_on_the_stored_network_while_attributes_are_read(
    qtbot, make_window, stored_demo, monkeypatch
):
    w = make_window(EXTS, stored_demo, size=(1400, 900), wait_network=True)
    ctl = w.extensions["gisapp.qt.trace_panel"]
    state = w.network_ctl.state
    expected = trace_downstream(state.network, "E01")
    # as between reading the stored network and the attributes: no state, a preloaded one
    monkeypatch.setattr(w.network_ctl, "state", None)
    monkeypatch.setattr(w.network_ctl, "preloaded_state", lambda: state)
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000) as done:
        ctl.trace_downstream("E01")
    res = done.args[0]
    assert res.pipes == expected.pipes and res.plants == ("P01",)
    assert w.canvas.highlighted_ids("pipes", "trace") == frozenset(expected.pipes)
    # the attributes arrive (the project is announced): the trace is kept and traced again
    monkeypatch.setattr(w.network_ctl, "state", state)
    monkeypatch.setattr(w.network_ctl, "preloaded_state", lambda: None)
    ctl._on_project_opened(w.project)
    assert ctl.result is None and ctl._pending is None  # another network: cleared
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000):
        ctl.trace_downstream("E01")
    monkeypatch.setattr(w.network_ctl, "preloaded_state", lambda: state)
    ctl._early_network = state.network
    ctl._on_project_opened(w.project)
    assert ctl._pending is not None and ctl._pending.starts == (("enterprises", "E01"),)
    with qtbot.waitSignal(ctl.trace_finished, timeout=5000) as again:
        w.network_updated.emit(state)
    assert again.args[0].pipes == expected.pipes
