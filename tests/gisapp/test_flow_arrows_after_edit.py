"""Flow arrows come from the network built from the very frame on screen: after a delete the
old network's row map must not be applied to the new frame (arrows on the wrong pipes)."""

from __future__ import annotations

import numpy as np

from gisapp.cartography.symbology import FLOW_FORWARD
from network.overlays import pipe_flow_forward


def drawn_flow(window) -> np.ndarray | None:
    """The flow direction the pipe layer is drawn with (a derived array, or a frame column)."""
    layer = window.canvas.layer("pipes")
    derived = dict(getattr(layer, "derived", None) or {})
    if FLOW_FORWARD in derived:
        return np.asarray(derived[FLOW_FORWARD])
    data = layer.data
    return data[FLOW_FORWARD].to_numpy() if FLOW_FORWARD in data.columns else None


def test_flow_arrows_wait_for_the_rebuild_after_a_delete(qtbot, make_window):
    window = make_window(wait_network=True)
    net = window.network_ctl.state.network
    pipes = window.project.layers["pipes"]
    assert (drawn_flow(window) == pipe_flow_forward(net, len(pipes))).all()
    assert net.piece_reversed.any()  # the demo has pipes drawn against the flow

    # delete the first row: every later row moves up by one, the old map would be off by one
    new = pipes.iloc[1:].reset_index(drop=True)
    with qtbot.waitSignal(window.network_updated, timeout=60000):
        window.update_layer("pipes", new)
        assert not window.network_ctl.state.built_from("pipes", new)
        assert drawn_flow(window) is None

    state = window.network_ctl.state
    assert state.built_from("pipes", new)
    forward = drawn_flow(window)
    assert (forward == pipe_flow_forward(state.network, len(new))).all()
    # pipe by pipe, the arrows agree with the directions of the new network
    rows = state.network.piece_row
    assert np.array_equal(forward[rows], ~state.network.piece_reversed)
    window.undo_stack.setClean()
    window.setWindowModified(False)
