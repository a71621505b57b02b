"""Where the survey store gets its pipes: the in-memory project, never the saved table.

Validation (is the distance within the pipe?) and grading (length, diameter, K, T) must see
the pipes the user sees, unsaved edits included. :class:`PipeAttributes` asks a
:data:`PipeSource` for the current pipe layer and keeps a small attribute table
(:func:`pipe_table`) that it rebuilds only when the layer is replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

PIPES_LAYER = "pipes"
PIPE_COLUMNS = ("pipe_id", "from_node", "to_node", "length_m", "diameter_mm")
OPTIONAL_PIPE_COLUMNS = ("area_k", "soil_t")

#: Where the store finds the pipes: a callable returning the current pipe frame (or None),
#: an object with a ``layers`` dict (a ``network.io.project.Project``), or a frame.
PipeSource = Callable[[], pd.DataFrame | None] | pd.DataFrame | Any


def pipe_table(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Pipe attributes for grading from a pipe layer: index ``pipe_id`` (text, unique, first
    row wins), ``from_node``/``to_node`` (text or None), ``length_m``/``diameter_mm``
    (float, NaN when missing) and ``area_k``/``soil_t`` where the layer has them.

    Examples
    --------
    >>> pipe_table(pd.DataFrame({"pipe_id": ["P1"], "diameter_mm": [300]}))["diameter_mm"]
    pipe_id
    P1    300.0
    Name: diameter_mm, dtype: float64
    """
    if frame is None or "pipe_id" not in frame.columns:
        return pd.DataFrame(columns=list(PIPE_COLUMNS)).set_index("pipe_id")
    n = len(frame)
    cols = {c: (frame[c].to_numpy() if c in frame.columns else [None] * n) for c in PIPE_COLUMNS}
    cols.update({c: frame[c].to_numpy() for c in OPTIONAL_PIPE_COLUMNS if c in frame.columns})
    df = pd.DataFrame(cols)
    df = df[df["pipe_id"].notna()]
    df["pipe_id"] = df["pipe_id"].astype(str)
    for c in ("from_node", "to_node"):
        df[c] = df[c].map(lambda v: None if v is None or v != v else str(v)).astype(object)
    for c in ("length_m", "diameter_mm"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df.drop_duplicates("pipe_id").set_index("pipe_id")


class PipeAttributes:
    """The pipes a store validates and grades against, taken from the in-memory project.

    ``source`` is a :data:`PipeSource`; a callable is asked on every use, so the window's
    current (possibly unsaved) pipes are seen at once. The attribute table is rebuilt only
    when the source hands out a different frame (edits replace frames, never mutate them).
    ``None`` reads the saved pipes layer once, through :func:`network.io.project.open_project`
    (for scripts that hold no project in memory).
    """

    def __init__(self, source: PipeSource | None, path: Path) -> None:
        self._source = source
        self._path = path
        self._frame: pd.DataFrame | None = None
        self._table: pd.DataFrame | None = None

    def set_source(self, source: PipeSource | None) -> None:
        """Use another source from now on."""
        self._source, self._frame, self._table = source, None, None

    def frame(self) -> pd.DataFrame | None:
        """The current pipe layer (None when the project has none)."""
        src = self._source
        if src is None:
            from network.io.project import open_project

            layer = open_project(self._path, kinds=[PIPES_LAYER]).layers.get(PIPES_LAYER)
            self._source = src = (lambda: None) if layer is None else layer
        if isinstance(src, pd.DataFrame):
            return src
        if hasattr(src, "layers"):
            return src.layers.get(PIPES_LAYER)
        return src()

    def table(self) -> pd.DataFrame:
        """The attribute table (see :func:`pipe_table`) of the current pipe layer."""
        frame = self.frame()
        if self._table is None or frame is not self._frame:
            self._frame, self._table = frame, pipe_table(frame)
        return self._table
