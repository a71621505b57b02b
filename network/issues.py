"""Itemised data-quality findings that travel with a result (never a log line)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Issue:
    """One finding about the data.

    Parameters
    ----------
    id : str
        Stable id of the finding, e.g. ``"connectivity.dangling:P0123"``.
    category : str
        ``hygiene``, ``geometry``, ``connectivity``, ``direction``, ``semantics``, ``attach`` …
    kind : str
        The specific check, e.g. ``dangling_end``, ``zero_length``.
    severity : str
        ``error``, ``warning`` or ``info``.
    feature_ids : tuple of str
        Ids of the features involved (pipe, node, enterprise … ids).
    layer : str
        The layer kind the ids belong to (``pipes``, ``manholes`` …).
    x, y : float or None
        A location in the project CRS.
    message_zh, message_en : str
        The finding worded for people.
    data : dict
        Extra structured values (e.g. ``{"direction": "rain->sewage"}``).
    """

    id: str
    category: str
    kind: str
    severity: str
    feature_ids: tuple[str, ...]
    layer: str
    x: float | None
    y: float | None
    message_zh: str
    message_en: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["feature_ids"] = list(self.feature_ids)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Issue:
        """Rebuild an issue from :meth:`to_dict` output."""
        d = dict(d)
        d["feature_ids"] = tuple(d.get("feature_ids", ()))
        d.setdefault("data", {})
        return cls(**d)
