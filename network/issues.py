"""Itemised data-quality findings that travel with a result (never a log line)."""

from __future__ import annotations

from collections.abc import Iterable
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
    def make(
        cls,
        category: str,
        kind: str,
        severity: str,
        ids: Iterable[Any] = (),
        layer: str = "",
        xy: tuple[float, float] | None = None,
        zh: str = "",
        en: str = "",
        *,
        id: str | None = None,
        **data: Any,
    ) -> Issue:
        """Build a finding with the usual defaults.

        Parameters
        ----------
        category, kind, severity : str
            As the fields of the same names.
        ids : iterable
            Feature ids involved; each is turned into a string.
        layer : str
            The layer kind the ids belong to.
        xy : (float, float) or None
            A location in the project CRS; ``None`` leaves ``x``/``y`` empty.
        zh, en : str
            The message in Chinese and English.
        id : str, optional
            The finding's id. By default ``"{category}.{kind}:{ids}"`` with the first four ids
            joined by commas (``…`` when there are more).
        **data
            Extra structured values, stored in :attr:`data`.

        Returns
        -------
        Issue

        Examples
        --------
        >>> i = Issue.make("geometry", "zero_length", ERROR, ["P1"], "pipes", (1, 2), "零", "zero")
        >>> i.id, i.x, i.feature_ids
        ('geometry.zero_length:P1', 1.0, ('P1',))
        >>> Issue.make("hygiene", "z_dropped", INFO, layer="pipes", id="hygiene.z:pipes").data
        {}
        """
        fids = tuple(str(i) for i in ids)
        x, y = (None, None) if xy is None else (float(xy[0]), float(xy[1]))
        if id is None:
            key = ",".join(fids[:4]) + ("…" if len(fids) > 4 else "")
            id = f"{category}.{kind}:{key}"
        return cls(
            id=id,
            category=category,
            kind=kind,
            severity=severity,
            feature_ids=fids,
            layer=layer,
            x=x,
            y=y,
            message_zh=zh,
            message_en=en,
            data=data,
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Issue:
        """Rebuild an issue from :meth:`to_dict` output."""
        d = dict(d)
        d["feature_ids"] = tuple(d.get("feature_ids", ()))
        d.setdefault("data", {})
        return cls(**d)
