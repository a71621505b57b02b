"""Undoable edits of the network layers: plain command objects with ``do()`` and ``undo()``.

Every command works on a :class:`LayerStore` (``get(kind)`` / ``set(kind, gdf)``) and never
mutates a GeoDataFrame in place: it builds a new frame and hands it to ``set``. A command
keeps ids, positions and values only (never widgets and never whole frames): the first
``do()`` plans a :class:`LayerDelta` per touched layer (cells changed, rows removed, rows
appended) and applies it; ``undo()`` reverts the deltas exactly (same values, dtypes, column
order and index), and a later ``do()`` re-applies them. The Qt adapter is
``gisapp.qt.undo.QtCommand``.

The commands live in :mod:`network.edits`, one module per kind of edit (``add``, ``move``,
``delete``, ``reverse``, ``snap``, ``split``, ``attributes``) beside the reversible
``delta``, the ``base`` (store, command base, macro) and the ``features`` helpers; import
them from here.

Identity of features: commands take the feature id (``pipe_id``, ``node_id`` …) and an
optional ``row`` (position in the layer) for the rare layers where an id is used twice
(a duplicated pipe). Ids of new features are generated from the series already in use
(``WS-0724`` after ``WS-0723``; see :func:`next_feature_id`).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> mh = gpd.GeoDataFrame({"node_id": ["WJ-0001"], "system": ["sewage"]},
...                       geometry=[Point(0, 0)], crs="EPSG:4525")
>>> store = DictStore({"manholes": mh})
>>> cmd = AddManhole(store, 10.0, 0.0, system="sewage")
>>> cmd.do()
>>> store.get("manholes")["node_id"].tolist()
['WJ-0001', 'WJ-0002']
>>> cmd.undo()
>>> store.get("manholes")["node_id"].tolist()
['WJ-0001']
"""

from network.edits.add import AddManhole, AddPipe
from network.edits.attributes import SetAttributes
from network.edits.base import DictStore, EditError, LayerCommand, LayerStore, Macro
from network.edits.delete import DeleteFeatures
from network.edits.delta import LayerDelta
from network.edits.features import (
    DRAWN_SRC_FID,
    EDIT_NOTE,
    END,
    NODE_ID_PREFIXES,
    PIPE_ID_PREFIXES,
    START,
    feature_row,
    fields_reversed,
    find_rows,
    mirror_values,
    new_node_id,
    new_pipe_id,
    next_feature_id,
)
from network.edits.move import MoveVertex
from network.edits.reverse import ReversePipe
from network.edits.snap import SnapEnd, SnapIndex, SnapTarget
from network.edits.split import SplitPipeAtManhole

__all__ = [
    "DRAWN_SRC_FID",
    "EDIT_NOTE",
    "END",
    "NODE_ID_PREFIXES",
    "PIPE_ID_PREFIXES",
    "START",
    "AddManhole",
    "AddPipe",
    "DeleteFeatures",
    "DictStore",
    "EditError",
    "LayerCommand",
    "LayerDelta",
    "LayerStore",
    "Macro",
    "MoveVertex",
    "ReversePipe",
    "SetAttributes",
    "SnapEnd",
    "SnapIndex",
    "SnapTarget",
    "SplitPipeAtManhole",
    "feature_row",
    "fields_reversed",
    "find_rows",
    "mirror_values",
    "new_node_id",
    "new_pipe_id",
    "next_feature_id",
]
