"""Per-feature columns derived from the network, for drawing (flow direction, connection).

Pure functions: the map canvas and the map export both call them.
"""

from __future__ import annotations

import numpy as np

from network.analysis import CONNECTED, ConnectionRegister
from network.graph import Network
from network.lazy import lazy_module

pd = lazy_module("pandas", globals())

FLOW_FORWARD = "flow_forward"
CONNECTION_STATUS = "connection_status"


def pipe_flow_forward(net: Network, n_rows: int) -> np.ndarray:
    """For each row of the pipe layer: does the flow run in digitised order?

    Rows the network could not use (empty geometry …) count as forward. The rows are those
    of the frame the network was built from (``net.layers["pipes"]``): after an edit replaced
    that frame, wait for the new network (``CheckedNetwork.built_from`` says which frame a
    state belongs to) rather than mapping the old one onto the new rows.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"], "from_node": ["B"], "to_node": ["A"]},
    ...     geometry=[LineString([(0, 0), (10, 0)])])
    >>> manholes = gpd.GeoDataFrame({"node_id": ["A", "B"]},
    ...     geometry=gpd.points_from_xy([0, 10], [0, 0]))
    >>> net = build_network({"pipes": pipes, "manholes": manholes})
    >>> pipe_flow_forward(net, 1).tolist()
    [False]
    """
    out = np.ones(n_rows, dtype=bool)
    rows = np.asarray(net.piece_row, dtype=np.int64)
    ok = (rows >= 0) & (rows < n_rows)
    out[rows[ok]] = ~np.asarray(net.piece_reversed, dtype=bool)[ok]
    return out


def enterprise_status(register: ConnectionRegister | None, ent_ids: pd.Series) -> np.ndarray:
    """``connected`` (reaches a plant), ``not_connected`` or ``unknown`` per enterprise id."""
    if register is None:
        return np.full(len(ent_ids), "unknown", dtype=object)
    status = {
        r.ent_id: ("connected" if r.status == CONNECTED else "not_connected")
        for r in register.rows
    }
    return np.array([status.get(str(e), "unknown") for e in ent_ids], dtype=object)
