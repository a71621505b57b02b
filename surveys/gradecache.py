"""Glue between the record store and the grading engine: inputs and the ``sv_grades`` cache.

The engine (:func:`surveys.grading.grade_segments`) wants observations positioned from the
pipe's ``from_node``; observations inspected against the digitised direction (``reverse``)
are flipped here. Grades are a cache: they can always be recomputed from the records.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from surveys import schema_sv
from surveys.grading import RESULT_COLUMNS, GradingDefaults, grade_segments

#: Segment attribute columns the engine reads besides length and diameter.
SEGMENT_WEIGHT_COLUMNS = ("area_k", "soil_t")


def engine_observations(obs: pd.DataFrame, pipes: pd.DataFrame) -> pd.DataFrame:
    """Turn store observations into the engine's table (flip reversed ones, drop orphans).

    Parameters
    ----------
    obs : DataFrame
        ``uuid``, ``pipe_id``, ``code``, ``grade``, ``distance_m``, ``length_m``, ``reverse``.
    pipes : DataFrame
        Index ``pipe_id`` with ``length_m``.

    Returns
    -------
    DataFrame
        ``pipe_id``, ``code``, ``grade``, ``distance_m``, ``length_m`` (NaN = local), index
        the observation uuid. Observations on pipes no longer in the layer are dropped.

    Examples
    --------
    >>> obs = pd.DataFrame({"uuid": ["a"], "pipe_id": ["P1"], "code": ["PL"], "grade": [2],
    ...                     "distance_m": [2.0], "length_m": [1.0], "reverse": [1]})
    >>> pipes = pd.DataFrame({"length_m": [10.0]}, index=pd.Index(["P1"], name="pipe_id"))
    >>> engine_observations(obs, pipes)["distance_m"].tolist()
    [7.0]
    """
    df = obs[obs["pipe_id"].isin(pipes.index)].copy()
    olen = pd.to_numeric(df["length_m"], errors="coerce").astype(float)
    olen = olen.where(olen > 0)
    dist = pd.to_numeric(df["distance_m"], errors="coerce").astype(float)
    seg_len = pipes["length_m"].reindex(df["pipe_id"]).to_numpy(float)
    rev = df["reverse"].fillna(0).astype(bool).to_numpy() & ~np.isnan(seg_len)
    flipped = np.maximum(seg_len - dist.to_numpy() - olen.fillna(0).to_numpy(), 0.0)
    dist = np.where(rev, flipped, dist.to_numpy())
    out = pd.DataFrame(
        {
            "pipe_id": df["pipe_id"].astype(str).to_numpy(),
            "code": df["code"].to_numpy(),
            "grade": pd.to_numeric(df["grade"], errors="coerce").to_numpy(),
            "distance_m": dist,
            "length_m": olen.to_numpy(),
        },
        index=pd.Index(df["uuid"].to_numpy(), name="uuid"),
    )
    return out


def engine_defaults(defaults: Any) -> GradingDefaults:
    """Accept the engine's :class:`~surveys.grading.GradingDefaults`, a dict or None."""
    if defaults is None:
        return GradingDefaults()
    if isinstance(defaults, GradingDefaults):
        return defaults
    return GradingDefaults(**dict(defaults))


def grade_frame(
    obs: pd.DataFrame, pipes: pd.DataFrame, pack: Any, defaults: Any = None
) -> pd.DataFrame:
    """Grade the pipes of ``pipes`` from the store's observations.

    Returns
    -------
    DataFrame
        Index ``pipe_id``, columns :data:`surveys.grading.RESULT_COLUMNS`. Observations
        the engine cannot use (a code of another pack) are skipped with a note.
    """
    segs = pipes.reset_index()
    keep = [
        "pipe_id",
        "length_m",
        "diameter_mm",
        *[c for c in SEGMENT_WEIGHT_COLUMNS if c in segs.columns],
    ]
    segs = segs[keep]
    eng = engine_observations(obs, pipes)
    return grade_segments(eng, segs, pack, engine_defaults(defaults), errors="skip")


def _sql_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        return None if math.isnan(float(v)) else float(v)
    return v


def write_grades(
    conn: sqlite3.Connection,
    grades: pd.DataFrame,
    pipe_ids: Sequence[str] | None,
    pack: Any,
    computed: str,
) -> None:
    """Replace the cached grades of ``pipe_ids`` (all when None) inside the caller's txn.

    Pipes in ``pipe_ids`` that are missing from ``grades`` (no longer in the layer) lose
    their cached row.
    """
    table = schema_sv.GRADES_TABLE
    if pipe_ids is None:
        conn.execute(f"DELETE FROM {table}")
    else:
        conn.executemany(f"DELETE FROM {table} WHERE pipe_id = ?", [(p,) for p in pipe_ids])
    cols = [
        c
        for c in RESULT_COLUMNS
        if c in schema_sv.GRADE_REAL + schema_sv.GRADE_INT + schema_sv.GRADE_TEXT
    ]
    names = ["pipe_id", "computed", "pack_id", *cols]
    data = grades[cols]
    pack_id = f"{pack.pack_id} {pack.version}"
    rows = (
        [str(pid), computed, pack_id, *(_sql_value(v) for v in vals)]
        for pid, vals in zip(data.index, data.itertuples(index=False, name=None), strict=True)
    )
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})", rows
    )
