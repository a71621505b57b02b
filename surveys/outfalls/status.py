"""The decision status of each outfall, for the map (no Qt).

One code per outfall from its stored decision (``pa_outfall_decisions``): ``sealed``
(取缔封堵), ``merge`` (合并至 X), ``keep`` (保留并规范) or ``undecided``. The screen
(the Outfalls dock) and the paper map (``gisapp.cartography.export``) both read it here and
draw it with the symbols of ``gisapp.cartography.symbology``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from surveys.outfalls.store import Decision, OutfallData, OutfallStore, read_outfall_data

SEALED, MERGE, KEEP, UNDECIDED = "sealed", "merge", "keep", "undecided"
#: The status codes, most consequential first (the legend's order).
STATUS_CODES = (SEALED, MERGE, KEEP, UNDECIDED)
#: Decision code (``Decision.decision``) → status code.
STATUS_OF_DECISION = {"seal": SEALED, "merge": MERGE, "keep": KEEP}


def decisions_of(source: Any) -> Mapping[str, Decision]:
    """The stored decisions by outfall id.

    Parameters
    ----------
    source : str, Path, OutfallStore, OutfallData or Mapping[str, Decision]
        A project file (read without writing), an open store, its data, or the decisions.

    Raises
    ------
    ProjectError
        ``source`` is a path that is not a readable PipeAtlas project.
    """
    if isinstance(source, (str, Path)):
        return read_outfall_data(source).decisions
    if isinstance(source, OutfallStore):
        return source.data().decisions
    if isinstance(source, OutfallData):
        return source.decisions
    return source


def outfall_status(source: Any, outfall_ids: Iterable[Any]) -> np.ndarray:
    """The status code of each outfall (object array, one per id, in order).

    Parameters
    ----------
    source : str, Path, OutfallStore, OutfallData or Mapping[str, Decision]
        Where the decisions are (see :func:`decisions_of`).
    outfall_ids : iterable
        Outfall ids (e.g. the outfalls layer's ``outfall_id`` column); missing ids (None,
        NaN) and outfalls without a decision are ``undecided``.

    Returns
    -------
    numpy.ndarray
        ``sealed`` / ``merge`` / ``keep`` / ``undecided`` per id.

    Examples
    --------
    >>> from surveys.outfalls.store import Decision
    >>> outfall_status({"PK07": Decision("PK07", "seal")}, ["PK01", "PK07", None]).tolist()
    ['undecided', 'sealed', 'undecided']
    """
    decisions = decisions_of(source)
    out = []
    for oid in outfall_ids:
        d = decisions.get(_key(oid)) if _key(oid) is not None else None
        out.append(STATUS_OF_DECISION.get(d.decision, UNDECIDED) if d is not None else UNDECIDED)
    return np.array(out, dtype=object)


def _key(oid: Any) -> str | None:
    if oid is None or (isinstance(oid, float) and oid != oid):
        return None
    return str(oid)


__all__ = [
    "KEEP",
    "MERGE",
    "SEALED",
    "STATUS_CODES",
    "STATUS_OF_DECISION",
    "UNDECIDED",
    "decisions_of",
    "outfall_status",
]
