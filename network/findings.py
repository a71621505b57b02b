"""Findings at the scale of real data: grouped per kind, the few that matter first.

A field-digitised network of 20,000 pipes easily yields 60,000 findings; a list that long says
nothing. :func:`summarise_findings` groups them per kind with a count, a few sample ids and a
map density (counts per grid cell), puts the kinds that matter first (rain/sewage
misconnections, sewage reaching a river, enterprises reaching no plant …) and, where a whole
class follows from one cause, says so once ("this network records no flow direction: 15,593
sinks follow from the digitising order — set a direction source").

Examples
--------
>>> from network.issues import Issue
>>> found = [Issue.make("direction", "dead_end_sink", "error", [f"P{k}"], "pipes", (k, 0))
...          for k in range(3)]
>>> [(g.kind, g.count, g.sample_ids) for g in summarise_findings(found)]
[('dead_end_sink', 3, ('P0', 'P1', 'P2'))]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from network.issues import ERROR, INFO, WARNING, Issue

SAMPLE_IDS = 10
GRID_CELLS = 10  # the density grid has about this many cells along its longer side
TOP_CELLS = 20

# the kinds that matter most, in order (anything else follows, by severity, then count)
PRIORITY = (
    "misconnection",
    "sewage_to_rain_outfall",
    "sewage_to_river",
    "enterprise_no_plant",
    "plant_unattached",
    "enterprise_unattached",
    "connects_to_rain",
    "suspected_misconnection",
    "cycle",
    "near_miss",
    "duplicate_pipe",
    "contact_not_connected",
    "unknown_node",
    "fields_mismatch",
    "large_to_small",
    "against_slope",
)
_SEV_RANK = {ERROR: 0, WARNING: 1, INFO: 2}

# one line per kind: what the class means (zh, en)
KIND_TEXT = {
    "misconnection": ("雨污混接：雨水与污水系统相连", "rain and sewage systems joined"),
    "suspected_misconnection": (
        "仅图形相接的雨污管线（疑似混接，未确认前不计流向）",
        "rain and sewage touching in plan only (suspected; no flow until confirmed)",
    ),
    "contact_not_connected": (
        "图形相接而起止井号表明不相连（建议现场核查）",
        "geometric contacts the ids deny (candidates for a field check)",
    ),
    "contact_ruled_out": ("管底高程排除的图形相接", "contacts in plan the inverts rule out"),
    "sewage_to_rain_outfall": ("污水进入雨水排口", "sewage reaching a rain outfall"),
    "sewage_to_river": ("污水未经处理排入水体", "sewage reaching an outfall untreated"),
    "enterprise_no_plant": ("企业废水到不了污水处理厂", "enterprises reaching no plant"),
    "enterprise_unattached": ("企业无法接入管网", "enterprises not attached"),
    "connects_to_rain": ("企业接入雨水系统", "enterprises connected to the rain system"),
    "dead_end_sink": ("只进不出的节点", "sinks that are neither plant nor outfall"),
    "dangling_end": ("悬挂端点", "pipe ends joining nothing"),
    "near_miss": ("端点差几厘米未接上", "pipe ends missing a node by centimetres"),
    "isolated_subnetwork": ("孤立管网", "sub-networks reaching no plant or outfall"),
    "cycle": ("流向成环", "flow loops"),
    "against_slope": ("逆坡", "pipes flowing against their invert slope"),
    "large_to_small": ("大管接小管", "large pipes draining into smaller ones"),
    "fields_mismatch": ("起止井号与图形不符", "from/to ids disagreeing with the drawing"),
    "unknown_node": ("起止井号指向不存在的检查井", "from/to ids naming no manhole"),
    "side_connection": ("支管暗接（AJ）", "side connections without a manhole (AJ)"),
    "pipe_through_manhole": ("管线穿井未断开", "pipes running through a manhole"),
    "orphan_manhole": ("未连接管线的检查井", "manholes without pipes"),
    "zero_length": ("零长度管线", "zero-length pipes"),
    "duplicate_pipe": ("重复管线", "duplicate pipes"),
    "duplicate_id": ("编号重复", "duplicate ids"),
    "attached_by_distance": ("按距离接入的企业", "enterprises attached by distance"),
    "multipart": ("多部件线（已拆分）", "multi-part lines (split)"),
    "self_intersecting": ("自相交管线", "self-intersecting pipes"),
    "outfall_without_network": ("不接管网的排放口", "outfalls outside the pipe network"),
    "outfall_unattached": ("无法接入管网的排放口", "outfalls not attached"),
    "direction_conflict": ("流向字段与起止井号相反", "flow-direction fields against from/to"),
    "missing_id": ("缺少编号", "features without an id"),
    "empty": ("几何为空", "empty geometries"),
    "not_a_line": ("不是线要素", "pipes that are not lines"),
    "unknown_connect_node": ("接入井不存在", "connection manholes that do not exist"),
}


@dataclass(frozen=True)
class FindingGroup:
    """All findings of one kind.

    Attributes
    ----------
    category, kind, severity : str
        As in :class:`network.issues.Issue` (the group's severity is its worst).
    count : int
        How many findings.
    explanation_zh, explanation_en : str
        What the class means, or the one cause the whole class follows from.
    sample_ids : tuple of str
        Feature ids of the first findings (at most ``SAMPLE_IDS``).
    density : dict
        Counts per grid cell: ``cell_size`` (CRS units), ``origin`` (x, y of the grid's
        lower-left corner) and ``cells`` (``[column, row, count]``, the busiest first, at most
        ``TOP_CELLS``); empty when no finding has a location.
    cause : str or None
        ``no_direction``, ``no_outlets``, ``ends_off_manholes`` when one cause explains the
        whole class.
    finding_ids : tuple of str
        The ids of all the findings in the group.
    """

    category: str
    kind: str
    severity: str
    count: int
    explanation_zh: str
    explanation_en: str
    sample_ids: tuple[str, ...]
    density: dict[str, Any] = field(default_factory=dict)
    cause: str | None = None
    finding_ids: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (without the full id list)."""
        return {
            "category": self.category,
            "kind": self.kind,
            "severity": self.severity,
            "count": self.count,
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "sample_ids": list(self.sample_ids),
            "density": self.density,
            "cause": self.cause,
        }


def _density(issues: Sequence[Issue], extent: tuple[float, float, float, float] | None) -> dict:
    xy = np.array([(i.x, i.y) for i in issues if i.x is not None and i.y is not None], float)
    xy = xy[np.isfinite(xy).all(axis=1)] if len(xy) else xy
    if not len(xy):
        return {}
    x0, y0, x1, y1 = extent or (xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
    span = max(x1 - x0, y1 - y0)
    size = _nice(span / GRID_CELLS) if span > 0 else 1.0
    ox, oy = math.floor(x0 / size) * size, math.floor(y0 / size) * size
    col = np.floor((xy[:, 0] - ox) / size).astype(np.int64)
    row = np.floor((xy[:, 1] - oy) / size).astype(np.int64)
    cells, counts = np.unique(np.column_stack([col, row]), axis=0, return_counts=True)
    order = np.lexsort((cells[:, 1], cells[:, 0], -counts))[:TOP_CELLS]
    return {
        "cell_size": size,
        "origin": [float(ox), float(oy)],
        "cells": [[int(cells[k, 0]), int(cells[k, 1]), int(counts[k])] for k in order],
    }


def _nice(x: float) -> float:
    """Round up to 1, 2 or 5 times a power of ten (a readable cell size)."""
    p = 10 ** math.floor(math.log10(x))
    return float(next(m * p for m in (1, 2, 5, 10) if m * p >= x))


def _causes(by_kind: dict[str, list[Issue]], net: Any) -> dict[str, tuple[str, str, str]]:
    """kind -> (cause, zh, en) where one cause explains the whole class."""
    out: dict[str, tuple[str, str, str]] = {}
    if net is None:
        return out
    n_pipes = max(len(net.pipe_edges), 1)
    from network.graph import DIR_DIGITISED

    src = net.piece_dir_source
    if len(src) and bool((src == DIR_DIGITISED).all()):
        for kind, zh_what, en_what in (
            ("dead_end_sink", "处只进不出", "sinks"),
            ("cycle", "处流向成环", "flow loops"),
        ):
            n = len(by_kind.get(kind, ()))
            if n:
                out[kind] = (
                    "no_direction",
                    f"此管网未记录流向（无起止井号、流向字段或管底高程）：{n:,} {zh_what}"
                    f"由数字化方向造成——请设置流向来源。",
                    f"this network records no flow direction (no from/to ids, flow-direction "
                    f"field or inverts): {n:,} {en_what} follow from the digitising order — "
                    f"set a direction source.",
                )
    if not len(net.plant_ids) and not len(net.outfall_ids) and by_kind.get("isolated_subnetwork"):
        n = len(by_kind["isolated_subnetwork"])
        out["isolated_subnetwork"] = (
            "no_outlets",
            f"项目没有污水处理厂或排放口：{n:,} 个子管网都算作孤立——请导入排放口/污水厂图层"
            f"（或按属性标出排放口）。",
            f"the project has no plant or outfall: all {n:,} sub-networks count as isolated "
            f"— import the outfalls/plants (or mark outfalls by an attribute).",
        )
    dangling = len(by_kind.get("dangling_end", ()))
    if dangling > 0.2 * n_pipes:
        tol = net.snap_tolerance_m
        out["dangling_end"] = (
            "ends_off_manholes",
            f"{dangling:,} 个管线端点（约 {dangling / n_pipes:.0%} 的管线）不在任何检查井"
            f" {tol:g} m 内：检查井图层与管线端点不重合——核对检查井图层或捕捉容差。",
            f"{dangling:,} pipe ends (about {dangling / n_pipes:.0%} of the pipes) lie more than "
            f"{tol:g} m from any manhole: the manhole layer does not sit on the pipe ends — "
            f"check the manhole layer or the snap tolerance.",
        )
        iso = by_kind.get("isolated_subnetwork")
        if iso and "isolated_subnetwork" not in out:
            out["isolated_subnetwork"] = (
                "ends_off_manholes",
                f"{len(iso):,} 个孤立子管网多由上述 {dangling:,} 个悬挂端点造成。",
                f"{len(iso):,} isolated sub-networks follow mostly from the {dangling:,} "
                f"dangling ends.",
            )
    return out


def summarise_findings(
    checks: Sequence[Issue], net: Any = None, *, extent: Any = None
) -> list[FindingGroup]:
    """Group findings per kind: counts, sample ids, a map density, the ones that matter first.

    Parameters
    ----------
    checks : sequence of Issue
        The findings (e.g. ``CheckedNetwork.checks``).
    net : Network, optional
        The network they are about; with it, classes that follow from one cause (no flow
        direction recorded, no outlet at all, a manhole layer off the pipe ends) say so.
    extent : (xmin, ymin, xmax, ymax), optional
        The area the density grid covers (default: the findings' own extent).

    Returns
    -------
    list of FindingGroup
        The priority kinds first (misconnections, sewage reaching rivers, enterprises
        reaching no plant …), then the classes one cause explains (with that cause), then
        the rest by severity and count.
    """
    by_kind: dict[str, list[Issue]] = {}
    for i in checks:
        by_kind.setdefault(i.kind, []).append(i)
    causes = _causes(by_kind, net)
    groups = []
    for kind, items in by_kind.items():
        sev = min((i.severity for i in items), key=lambda s: _SEV_RANK.get(s, 9))
        cause = causes.get(kind)
        zh, en = KIND_TEXT.get(kind, (kind, kind.replace("_", " ")))
        if cause is None:
            zh, en = f"{zh}。", f"{en[0].upper()}{en[1:]}."
        else:
            zh, en = cause[1], cause[2]
        ids = list(dict.fromkeys(f for i in items for f in i.feature_ids[:1]))
        groups.append(
            FindingGroup(
                category=items[0].category,
                kind=kind,
                severity=sev,
                count=len(items),
                explanation_zh=zh,
                explanation_en=en,
                sample_ids=tuple(ids[:SAMPLE_IDS]),
                density=_density(items, extent),
                cause=None if cause is None else cause[0],
                finding_ids=tuple(i.id for i in items),
            )
        )
    prio = {k: n for n, k in enumerate(PRIORITY)}
    groups.sort(
        key=lambda g: (
            0 if g.kind in prio and g.cause is None else 1 if g.cause is not None else 2,
            prio.get(g.kind, len(PRIORITY)),
            _SEV_RANK.get(g.severity, 9),
            -g.count,
            g.kind,
        )
    )
    return groups
