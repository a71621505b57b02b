"""Figures of the park from the map and the ledger, never typed twice.

:func:`compute_figures` turns an open project, its network statistics
(:func:`network.analysis.network_statistics`, the numbers of ``python main.py stats``), its
connection register (:func:`network.analysis.connection_register`) and the ledger's problems
into the computed columns of 附件1-3. :func:`park_values` lays the park record over them: a
figure the user overrode keeps the override, and the computed value is kept beside it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from network import schema as S
from surveys.dossier.park import FIELDS_BY_CODE, PARK_FIELDS, ParkRecord
from surveys.records import SOURCE_LABELS_ZH

TPD_PER_10K = 10_000.0
PLANT_NATURE_ZH = {"own": "自行建设", "shared": "依托处理"}
PROBLEM_STATUS_ZH = {
    "open": "未整改",
    "in_progress": "整改中",
    "done": "已完成",
    "verified": "已验收",
}


@dataclass(frozen=True)
class ParkValue:
    """One column of the park's 附件1-3 row.

    ``value`` is what the table shows (the override when there is one), ``computed`` what the
    map or ledger gives (None for facts no layer holds), ``overridden`` whether the user's
    value replaced the computed one.
    """

    code: str
    title: str
    value: Any
    computed: Any = None
    overridden: bool = False

    @property
    def text(self) -> str:
        """The value as text ("" when empty)."""
        return format_value(self.value)


def format_value(v: Any) -> str:
    """A value as the tables write it (numbers without trailing zeros).

    >>> format_value(1.2400), format_value(34), format_value(None)
    ('1.24', '34', '')
    """
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:
            return ""
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def _wan(tpd: float) -> float:
    return round(float(tpd) / TPD_PER_10K, 4)


def _texts(values: Iterable[Any]) -> list[str]:
    return [str(v).strip() for v in values if isinstance(v, str) and str(v).strip()]


def boundary_figures(boundary: Any, crs: Any) -> dict[str, Any]:
    """Area (km²) and a representative point (CGCS2000 lon/lat) of the park boundary.

    The area is measured in the project CRS when it is projected (metres), else in the local
    Gauss–Krüger zone of the boundary.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame(geometry=[box(500000, 3000000, 502000, 3001000)], crs=4547)
    >>> f = boundary_figures(b, b.crs)
    >>> f["area_km2"], f["location"].startswith("东经114.")
    (2.0, True)
    """
    from pyproj import CRS, Transformer

    if boundary is None or len(boundary) == 0:
        return {}
    geoms = boundary.geometry[~boundary.geometry.is_empty & boundary.geometry.notna()]
    if geoms.empty:
        return {}
    shape = geoms.union_all()
    crs = CRS.from_user_input(crs or boundary.crs)
    point = shape.representative_point()
    to_ll = Transformer.from_crs(crs, CRS.from_epsg(4490), always_xy=True)
    lon, lat = to_ll.transform(point.x, point.y)
    if crs.is_projected:
        area_m2 = shape.area
    else:
        from network.io.crs import local_metric_crs

        metric = local_metric_crs(lon, lat)
        tr = Transformer.from_crs(crs, metric, always_xy=True)
        from shapely.ops import transform

        area_m2 = transform(tr.transform, shape).area
    return {
        "area_km2": round(area_m2 / 1e6, 3),
        "location": f"东经{lon:.6f}°，北纬{lat:.6f}°",
        "lonlat": (round(lon, 7), round(lat, 7)),
    }


def serving_plants(plants: Any, register: Any) -> Any:
    """The plants the park's connected enterprises drain to (all plants when none do)."""
    if plants is None or len(plants) == 0:
        return plants
    used = {p["plant_id"] for p in getattr(register, "plants", ()) if p.get("n_enterprises")}
    ids = plants[S.PLANT_ID].astype(str) if S.PLANT_ID in plants else None
    if used and ids is not None and ids.isin(used).any():
        return plants[ids.isin(used).to_numpy()]
    return plants


def _plant_number(values: Sequence[float]) -> Any:
    vals = [v for v in values if v == v]
    if not vals:
        return None
    if len(vals) == 1:
        return _wan(vals[0])
    return "、".join(format_value(_wan(v)) for v in vals)


def plant_figures(plants: Any, register: Any) -> dict[str, Any]:
    """Name, nature, process, capacity, load, standard and online monitoring of the plants.

    Several plants are listed in the same order in every column, separated by ``、``.
    """
    p = serving_plants(plants, register)
    if p is None or len(p) == 0:
        return {}
    col = p.get
    natures = [PLANT_NATURE_ZH.get(v, "") for v in col(S.PLANT_TYPE, [None] * len(p))]
    natures = [n for n in dict.fromkeys(natures) if n]
    out: dict[str, Any] = {
        "plant_name": "、".join(_texts(col(S.NAME, []))) or None,
        "plant_process": "；".join(_texts(col(S.PROCESS, []))) or None,
        "plant_capacity": _plant_number(
            [float(v) for v in col(S.CAPACITY_TPD, [np.nan] * len(p))]
        ),
        "plant_load": _plant_number([float(v) for v in col(S.LOAD_TPD, [np.nan] * len(p))]),
        "standard": "、".join(dict.fromkeys(_texts(col(S.STANDARD, [])))) or None,
    }
    if natures:
        out["plant_nature"] = "及".join(natures) if len(natures) > 1 else natures[0]
    if S.ONLINE_MONITORING in p:
        parts = []
        for name, on in zip(col(S.NAME, [""] * len(p)), p[S.ONLINE_MONITORING], strict=False):
            if on is None or on != on:
                continue
            parts.append(f"{name}：{'已安装在线监控' if bool(on) else '未安装在线监控'}")
        if parts:
            out["online_monitoring"] = "；".join(parts)
    return {k: v for k, v in out.items() if v not in (None, "")}


def enterprise_figures(enterprises: Any) -> dict[str, Any]:
    """Number of enterprises, total wastewater (万吨/日) and the leading industries."""
    if enterprises is None:
        return {}
    out: dict[str, Any] = {"n_enterprises": len(enterprises)}
    if S.FLOW_TPD in enterprises:
        flow = enterprises[S.FLOW_TPD].astype(float)
        out["wastewater"] = _wan(float(np.nansum(flow.to_numpy())))
    if S.INDUSTRY in enterprises:
        counts = Counter(_texts(enterprises[S.INDUSTRY]))
        if counts:
            out["industries"] = "、".join(k for k, _ in counts.most_common(3))
    return out


def ledger_figures(problems: Iterable[Any], today: dt.date | None = None) -> dict[str, Any]:
    """Problems found, the latest deadline and the progress, from the ledger's problems."""
    live = [p for p in problems if not getattr(p, "deleted", False)]
    if not live:
        return {}
    today = today or dt.date.today()
    by_source = Counter(SOURCE_LABELS_ZH.get(p.source, p.source) for p in live)
    found = (
        f"排查发现问题{len(live)}个（"
        + "、".join(f"{k}{n}个" for k, n in by_source.most_common())
        + "）"
    )
    by_status = Counter(p.status for p in live)
    overdue = sum(bool(p.is_overdue(today)) for p in live)
    closed = by_status["done"] + by_status["verified"]
    progress = f"已完成{closed}个，整改中{by_status['in_progress']}个，未整改{by_status['open']}个"
    if overdue:
        progress += f"，逾期{overdue}个"
    out: dict[str, Any] = {"problems": found, "progress": progress}
    deadlines = []
    for p in live:
        try:
            deadlines.append(dt.date.fromisoformat(p.deadline))
        except (TypeError, ValueError):
            continue
    if deadlines:
        out["deadline"] = max(deadlines).isoformat()
    return out


def compute_figures(
    project: Any,
    *,
    stats: Mapping[str, Any] | None = None,
    register: Any = None,
    problems: Iterable[Any] = (),
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Every computed column of the park's 附件1-3 row (field code → value).

    Parameters
    ----------
    project : network.io.project.Project
        Its layers (boundary, enterprises, plants) and CRS.
    stats : dict, optional
        :func:`network.analysis.network_statistics` of the project's network.
    register : ConnectionRegister, optional
        :func:`network.analysis.connection_register` of the same network.
    problems : iterable of surveys.records.Problem
        The ledger's problems.
    today : date, optional
        For overdue counts.

    Returns
    -------
    dict
        Only the figures the project can give (a park without plants has no plant figures).
    """
    layers = project.layers
    out: dict[str, Any] = {}
    boundary = layers.get(S.BOUNDARY)
    if boundary is not None and len(boundary):
        names = _texts(boundary.get(S.NAME, []))
        if names:
            out["park_name"] = names[0]
        codes = _texts(boundary.get(S.PARK_CODE, []))
        if codes:
            out["zone_code"] = codes[0].upper()
        bf = boundary_figures(boundary, project.crs)
        out.update({k: bf[k] for k in ("area_km2", "location") if k in bf})
    out.update(enterprise_figures(layers.get(S.ENTERPRISES)))
    if stats is not None:
        out["network_km"] = (
            f"主管{format_value(round(float(stats['main_length_km']), 3))}，"
            f"支管{format_value(round(float(stats['branch_length_km']), 3))}"
        )
    if register is not None:
        out["n_connected"] = int(register.park.get("n_connected", 0))
    out.update(plant_figures(layers.get(S.PLANTS), register))
    out.update(ledger_figures(problems, today))
    return out


def park_values(record: ParkRecord, computed: Mapping[str, Any]) -> dict[str, ParkValue]:
    """The park's values: stored facts, and computed figures unless overridden."""
    out = {}
    for f in PARK_FIELDS:
        stored = record.value(f.code)
        calc = computed.get(f.code) if f.computed else None
        if stored:
            value: Any = stored
            if f.kind in ("number",) and calc is not None:
                try:
                    value = float(stored)
                except ValueError:
                    value = stored
            elif f.kind == "int":
                value = int(stored)
            overridden = f.computed and calc is not None and format_value(calc) != stored
            out[f.code] = ParkValue(f.code, f.title, value, calc, overridden)
        else:
            out[f.code] = ParkValue(f.code, f.title, calc, calc, False)
    return out


def value_text(v: ParkValue) -> str:
    """A value for people: the override with the computed value beside it.

    >>> value_text(ParkValue("area_km2", "面积", 3.4, 3.326, True))
    '3.4（图算 3.326）'
    """
    if v.overridden:
        return f"{v.text}（图算 {format_value(v.computed)}）"
    return v.text


def title_of(code: str) -> str:
    """The 附件1-3 title of a field code."""
    return FIELDS_BY_CODE[code].title
