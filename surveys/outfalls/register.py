"""The outfall register (查), its traces (溯) and the "what if sealed" analysis (治) — no Qt.

:func:`build_register` joins the outfall layer, the outfalls added in the field
(``pa_outfalls`` rows with a position), the register's stored facts, the monitoring records
and decisions, and the network: one :class:`RegisterRow` per outfall with its class (mapped
from what the data says through ``resources/outfalls/classes.json``), CGCS2000 longitude and
latitude, upstream dischargers, monitoring flags and the faults found (共用, enterprise
wastewater or sewage pipes reaching a rain outlet, inside a protected area, not reached by
the network, exceedances, dry-weather flow at a rain outlet).

:func:`trace_outfall` lists what drains to an outfall (the network's upstream trace) with
each enterprise's declared flow and COD load, their sum against the monitored load (the mass
balance and its gap) and each discharger's share. :func:`seal_effect` passes the sealed
outfalls' nodes as barriers to :func:`network.trace.trace_downstream` and says, per
enterprise that drained there, where its wastewater goes then — or that it has nowhere to go.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from network.errors import NetworkError
from network.schema import (
    ZONE_CLASS_LABELS_ZH,
    ZONE_LEVEL_LABELS_ZH,
)
from network.trace import trace_downstream, trace_upstream
from surveys.outfalls.codes import (
    ClassTable,
    OutfallClass,
    OutfallError,
    StandardTable,
    class_values,
    load_classes,
    load_standards,
)
from surveys.outfalls.monitoring import Flag, evaluate_record, monitored_load
from surveys.outfalls.store import (
    FIELDS_BY_CODE,
    Decision,
    MonitoringRecord,
    OutfallData,
    OutfallEntry,
)

#: Raw columns of an outfall layer that may hold its class, tried after ``outfall_class``.
CLASS_COLUMNS = (
    "类别",
    "排口类别",
    "排口类型",
    "排污口类别",
    "排污口类型",
    "类型",
    "class",
    "type",
)
#: Pipe systems that carry wastewater (a rain outlet reached by one is misconnected).
WASTE_SYSTEMS = ("sewage", "industrial", "combined")


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


# --- trace and mass balance -------------------------------------------------------------------
@dataclass(frozen=True)
class Discharger:
    """An enterprise (or plant) upstream of an outfall, with its declared wastewater."""

    kind: str  # enterprise / plant
    id: str
    name: str
    flow_tpd: float | None
    cod_mgl: float | None
    cod_kgd: float | None
    share_flow: float | None = None
    share_cod: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        for k in ("flow_tpd", "cod_mgl", "cod_kgd", "share_flow", "share_cod"):
            d[k] = _r(d[k], 4)
        return d


@dataclass(frozen=True)
class OutfallTrace:
    """What drains to one outfall, and the mass balance against its monitoring.

    ``reachable`` is False when no pipe reaches the outfall (``reason`` says why: not
    attached to the network, no pipe upstream, not in the network at all). ``shared`` is
    True with two or more dischargers upstream. ``gap_kgd`` = monitored − declared COD load
    (kg/d), ``gap_ratio`` = gap / declared.
    """

    outfall_id: str
    node: str | None
    reachable: bool
    reason: str
    dischargers: tuple[Discharger, ...] = ()
    pipes: tuple[str, ...] = ()
    waste_pipes: tuple[str, ...] = ()
    length_m: float = 0.0
    barriers: tuple[str, ...] = ()
    declared_flow_tpd: float | None = None
    declared_cod_kgd: float | None = None
    monitored: dict[str, Any] = field(default_factory=dict)
    gap_kgd: float | None = None
    gap_ratio: float | None = None

    @property
    def enterprises(self) -> tuple[str, ...]:
        """Ids of the enterprises upstream."""
        return tuple(d.id for d in self.dischargers if d.kind == "enterprise")

    @property
    def plants(self) -> tuple[str, ...]:
        """Ids of the plants upstream."""
        return tuple(d.id for d in self.dischargers if d.kind == "plant")

    @property
    def shared(self) -> bool:
        """More than one discharger upstream (共用)."""
        return len(self.dischargers) > 1

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "outfall_id": self.outfall_id,
            "node": self.node,
            "reachable": self.reachable,
            "reason": self.reason,
            "shared": self.shared,
            "enterprises": list(self.enterprises),
            "plants": list(self.plants),
            "dischargers": [d.to_dict() for d in self.dischargers],
            "pipes": list(self.pipes),
            "waste_pipes": list(self.waste_pipes),
            "length_m": round(self.length_m, 3),
            "barriers": list(self.barriers),
            "declared_flow_tpd": _r(self.declared_flow_tpd),
            "declared_cod_kgd": _r(self.declared_cod_kgd),
            "monitored": {
                k: (_r(v) if isinstance(v, float) else v) for k, v in self.monitored.items()
            },
            "gap_kgd": _r(self.gap_kgd),
            "gap_ratio": _r(self.gap_ratio, 4),
        }


def _frame(net: Any, kind: str, id_col: str) -> pd.DataFrame:
    layers = getattr(net, "layers", {}) or {}
    df = layers.get(kind)
    if df is None or len(df) == 0 or id_col not in df.columns:
        return pd.DataFrame()
    df = df[df[id_col].notna()]
    return (
        pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
        .drop_duplicates(id_col)
        .set_index(id_col)
    )


def _dischargers(net: Any, ent_ids: Sequence[str], plant_ids: Sequence[str]) -> list[Discharger]:
    ents = _frame(net, "enterprises", "ent_id")
    plants = _frame(net, "plants", "plant_id")
    out: list[Discharger] = []
    for e in ent_ids:
        row = ents.loc[e] if e in ents.index else {}
        flow, cod = _num(row.get("flow_tpd")), _num(row.get("cod_mgl"))
        out.append(
            Discharger(
                "enterprise",
                e,
                _text(row.get("name")),
                flow,
                cod,
                flow * cod / 1000.0 if flow is not None and cod is not None else None,
            )
        )
    for p in plant_ids:
        row = plants.loc[p] if p in plants.index else {}
        flow = _num(row.get("load_tpd"))
        cod = _num(row.get("cod_out_mgl"))
        out.append(
            Discharger(
                "plant",
                p,
                _text(row.get("name")),
                flow,
                cod,
                flow * cod / 1000.0 if flow is not None and cod is not None else None,
            )
        )
    return _with_shares(out)


def _with_shares(ds: list[Discharger]) -> list[Discharger]:
    """Each discharger's share of the declared flow and COD load (None where unknown)."""
    flows = [d.flow_tpd for d in ds]
    loads = [d.cod_kgd for d in ds]
    tf = sum(f for f in flows if f is not None)
    tl = sum(x for x in loads if x is not None)
    out = []
    for d in ds:
        out.append(
            Discharger(
                d.kind,
                d.id,
                d.name,
                d.flow_tpd,
                d.cod_mgl,
                d.cod_kgd,
                d.flow_tpd / tf if d.flow_tpd is not None and tf > 0 else None,
                d.cod_kgd / tl if d.cod_kgd is not None and tl > 0 else None,
            )
        )
    return out


def _waste_pipes(net: Any, pipe_ids: Iterable[str]) -> tuple[str, ...]:
    pipes = _frame(net, "pipes", "pipe_id")
    if pipes.empty or "system" not in pipes.columns:
        return ()
    ids = [p for p in pipe_ids if p in pipes.index]
    sys_ = pipes.loc[ids, "system"] if ids else pd.Series(dtype=object)
    return tuple(sorted(p for p, s in sys_.items() if s in WASTE_SYSTEMS))


def trace_outfall(
    net: Any,
    outfall_id: str,
    *,
    records: Iterable[MonitoringRecord] = (),
    barriers: Iterable[str] | None = None,
    findings: Any = (),
) -> OutfallTrace:
    """Trace an outfall upstream: dischargers, pipes, shares and the COD mass balance.

    Parameters
    ----------
    net : network.graph.Network or None
        The flow network (None: the outfall cannot be reached).
    outfall_id : str
    records : the outfall's monitoring records (for the monitored load)
    barriers : pipe or manhole ids the trace must not cross (e.g. sealed outfalls' nodes)
    findings : passed to :func:`network.trace.trace_upstream`

    Returns
    -------
    OutfallTrace

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"], "from_node": ["A", "B"],
    ...     "to_node": ["B", "C"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> ents = gpd.GeoDataFrame({"ent_id": ["E1", "E2"], "flow_tpd": [100.0, 300.0],
    ...     "cod_mgl": [200.0, 100.0], "connect_node": ["A", "B"]},
    ...     geometry=[Point(0, 1), Point(10, 1)])
    >>> outs = gpd.GeoDataFrame({"outfall_id": ["K1"], "node_id": ["C"]},
    ...     geometry=[Point(20, 0)])
    >>> t = trace_outfall(build_network({"pipes": pipes, "enterprises": ents,
    ...     "outfalls": outs}), "K1")
    >>> t.shared, t.declared_cod_kgd, [d.share_cod for d in t.dischargers]
    (True, 50.0, [0.4, 0.6])
    """
    records = list(records)
    mon = monitored_load(records)
    oid = str(outfall_id)
    if net is None:
        return OutfallTrace(oid, None, False, "没有管网 (no network)", monitored=mon)
    try:
        t = net.resolve(oid)
    except NetworkError:
        return OutfallTrace(
            oid,
            None,
            False,
            "管网中无此排口（未在图层中，现场新增） (not in the network)",
            monitored=mon,
        )
    if not t.nodes:
        return OutfallTrace(
            oid,
            None,
            False,
            "排口未接入管网，无管道可达 (not attached to the network: no pipe reaches it)",
            monitored=mon,
        )
    node = str(net.node_ids[t.nodes[0]])
    res = trace_upstream(net, oid, barriers=barriers, findings=findings)
    ds = _dischargers(net, res.enterprises, list(res.plants))
    declared_flow = (
        sum(d.flow_tpd for d in ds if d.flow_tpd is not None)
        if any(d.flow_tpd is not None for d in ds)
        else None
    )
    declared = (
        sum(d.cod_kgd for d in ds if d.cod_kgd is not None)
        if any(d.cod_kgd is not None for d in ds)
        else None
    )
    gap = ratio = None
    if mon.get("cod_kgd") is not None and declared is not None:
        gap = mon["cod_kgd"] - declared
        ratio = gap / declared if declared else None
    reachable = bool(res.pipes) or bool(ds)
    return OutfallTrace(
        oid,
        node,
        reachable,
        "" if reachable else "无管道接入此排口 (no pipe reaches this outfall)",
        tuple(ds),
        tuple(res.pipes),
        _waste_pipes(net, res.pipes),
        float(res.length_m),
        tuple(res.barriers),
        declared_flow,
        declared,
        mon,
        gap,
        ratio,
    )


# --- sealing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SealedEnterprise:
    """Where one enterprise's wastewater goes before and after the sealing."""

    ent_id: str
    name: str
    flow_tpd: float | None
    before_plants: tuple[str, ...]
    before_outfalls: tuple[str, ...]
    after_plants: tuple[str, ...]
    after_outfalls: tuple[str, ...]
    after_dead_ends: tuple[str, ...]

    @property
    def stranded(self) -> bool:
        """Nowhere to go after the sealing (no plant, no open outfall)."""
        return not self.after_plants and not self.after_outfalls

    @property
    def change_zh(self) -> str:
        """The change in words."""
        before = "、".join((*self.before_plants, *self.before_outfalls)) or "无"
        if self.stranded:
            return f"原排入{before}；封堵后无去向，须先接入污水管网"
        return f"原排入{before}；封堵后改排{'、'.join((*self.after_plants, *self.after_outfalls))}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        d["flow_tpd"] = _r(self.flow_tpd)
        d["stranded"] = self.stranded
        d["change_zh"] = self.change_zh
        return d


@dataclass(frozen=True)
class SealEffect:
    """What sealing outfalls changes: the enterprises that drained to them, before and after."""

    outfalls: tuple[str, ...]
    barriers: tuple[str, ...]
    enterprises: tuple[SealedEnterprise, ...]
    not_in_network: tuple[str, ...] = ()

    @property
    def stranded(self) -> tuple[str, ...]:
        """Enterprises with nowhere to go once the outfalls are sealed."""
        return tuple(e.ent_id for e in self.enterprises if e.stranded)

    @property
    def rerouted(self) -> tuple[str, ...]:
        """Enterprises whose wastewater then goes elsewhere."""
        return tuple(e.ent_id for e in self.enterprises if not e.stranded)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "outfalls": list(self.outfalls),
            "barriers": list(self.barriers),
            "not_in_network": list(self.not_in_network),
            "stranded": list(self.stranded),
            "rerouted": list(self.rerouted),
            "enterprises": [e.to_dict() for e in self.enterprises],
        }


def outfall_nodes(net: Any, outfall_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """The manhole ids of outfalls (barriers for a sealing), and the outfalls without one."""
    nodes, missing = [], []
    for oid in outfall_ids:
        try:
            t = net.resolve(str(oid)) if net is not None else None
        except NetworkError:
            t = None
        if t is None or not t.nodes:
            missing.append(str(oid))
            continue
        nodes.extend(str(net.node_ids[n]) for n in t.nodes)
    return list(dict.fromkeys(nodes)), missing


def _sinks(res: Any, sealed: set[str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    plants = tuple(dict.fromkeys(s["id"] for s in res.sinks if s["kind"] == "plant"))
    outs = tuple(
        dict.fromkeys(
            s["id"] for s in res.sinks if s["kind"] == "outfall" and s["id"] not in sealed
        )
    )
    dead = tuple(dict.fromkeys(s["id"] for s in res.sinks if s["kind"] == "dead_end"))
    return plants, outs, dead


def seal_effect(
    net: Any, outfall_ids: Iterable[str], *, barriers: Iterable[str] | None = None
) -> SealEffect:
    """What if these outfalls were sealed: each enterprise upstream, before and after.

    The sealed outfalls' manholes become barriers of :func:`network.trace.trace_downstream`
    (with any ``barriers`` given); an enterprise that then reaches no plant and no open
    outfall has nowhere to go.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> from network.graph import build_network
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1"], "from_node": ["A"], "to_node": ["B"]},
    ...     geometry=[LineString([(0, 0), (10, 0)])])
    >>> ents = gpd.GeoDataFrame({"ent_id": ["E1"], "connect_node": ["A"]},
    ...     geometry=[Point(0, 1)])
    >>> outs = gpd.GeoDataFrame({"outfall_id": ["K1"], "node_id": ["B"]},
    ...     geometry=[Point(10, 0)])
    >>> seal_effect(build_network({"pipes": pipes, "enterprises": ents,
    ...     "outfalls": outs}), ["K1"]).stranded
    ('E1',)
    """
    ids = [str(o) for o in outfall_ids]
    sealed = set(ids)
    nodes, missing = outfall_nodes(net, ids)
    bars = list(dict.fromkeys([*nodes, *(barriers or ())]))
    base_bars = list(barriers or ())
    ent_ids: list[str] = []
    for oid in ids:
        if oid in missing:
            continue
        ent_ids.extend(
            trace_upstream(net, oid, barriers=base_bars, with_warnings=False).enterprises
        )
    ents = _frame(net, "enterprises", "ent_id")
    rows = []
    for e in dict.fromkeys(ent_ids):
        before = trace_downstream(net, e, barriers=base_bars, with_warnings=False, max_paths=1)
        after = trace_downstream(net, e, barriers=bars, with_warnings=False, max_paths=1)
        bp, bo, _ = _sinks(before, set())
        ap, ao, ad = _sinks(after, sealed)
        row = ents.loc[e] if e in ents.index else {}
        rows.append(
            SealedEnterprise(
                e, _text(row.get("name")), _num(row.get("flow_tpd")), bp, bo, ap, ao, ad
            )
        )
    return SealEffect(tuple(ids), tuple(nodes), tuple(rows), tuple(missing))


# --- the register -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterRow:
    """One outfall of the register (登记表)."""

    outfall_id: str
    name: str
    class_code: str
    class_label: str
    class_source: str  # what the data said
    values: dict[str, str]
    x: float | None
    y: float | None
    lon: float | None
    lat: float | None
    origin: str  # layer / field
    trace: OutfallTrace
    zones: tuple[str, ...] = ()
    standard: str = ""
    n_records: int = 0
    flags: tuple[Flag, ...] = ()
    last_sampled: str = ""
    decision: Decision | None = None
    findings: tuple[tuple[str, str], ...] = ()  # (kind, Chinese text)
    photos: int = 0

    @property
    def n_exceedances(self) -> int:
        """Records with at least one exceedance."""
        return len({f.record_uuid for f in self.flags if f.kind == "exceedance"})

    @property
    def finding_kinds(self) -> tuple[str, ...]:
        """The kinds of the faults found."""
        return tuple(k for k, _ in self.findings)

    def value(self, code: str) -> str:
        """A register fact ("" when none)."""
        return self.values.get(code, "")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "outfall_id": self.outfall_id,
            "name": self.name,
            "class": self.class_code,
            "class_zh": self.class_label,
            "class_source": self.class_source,
            **{c: self.values.get(c, "") for c in FIELDS_BY_CODE if c not in ("name", "class")},
            "standard": self.standard,
            "x": _r(self.x),
            "y": _r(self.y),
            "lon": _r(self.lon, 7),
            "lat": _r(self.lat, 7),
            "origin": self.origin,
            "zones": list(self.zones),
            "shared": self.trace.shared,
            "dischargers": [d.to_dict() for d in self.trace.dischargers],
            "reachable": self.trace.reachable,
            "n_records": self.n_records,
            "n_exceedances": self.n_exceedances,
            "last_sampled": self.last_sampled,
            "flags": [f.to_dict() for f in self.flags],
            "decision": None if self.decision is None else asdict(self.decision),
            "findings": [{"kind": k, "text": t} for k, t in self.findings],
            "photos": self.photos,
        }


@dataclass(frozen=True)
class OutfallRegister:
    """The register: one row per outfall, and what sealing the 封堵 outfalls changes."""

    rows: tuple[RegisterRow, ...]
    sealed: SealEffect | None = None
    crs: str = ""

    def row(self, outfall_id: str) -> RegisterRow:
        """The row of an outfall.

        Raises
        ------
        OutfallError
            No such outfall.
        """
        for r in self.rows:
            if r.outfall_id == str(outfall_id):
                return r
        raise OutfallError(
            f"No outfall {outfall_id!r} in the register; outfalls are "
            f"{', '.join(r.outfall_id for r in self.rows) or 'none'}.",
            record=str(outfall_id),
            field="outfall_id",
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "crs": self.crs,
            "outfalls": [r.to_dict() for r in self.rows],
            "sealed": None if self.sealed is None else self.sealed.to_dict(),
        }


def _lonlat(crs: Any, xs: Sequence[float | None], ys: Sequence[float | None]) -> list[tuple]:
    """CGCS2000 (EPSG:4490) longitude/latitude of project-CRS points."""
    if crs is None:
        return [(None, None)] * len(xs)
    from pyproj import CRS, Transformer

    try:
        src = CRS.from_user_input(crs)
    except Exception:  # noqa: BLE001 - pyproj raises CRSError and others on odd input
        return [(None, None)] * len(xs)
    if src.is_geographic:
        return [(x, y) for x, y in zip(xs, ys, strict=True)]
    tr = Transformer.from_crs(src, CRS.from_epsg(4490), always_xy=True)
    out = []
    for x, y in zip(xs, ys, strict=True):
        if x is None or y is None:
            out.append((None, None))
        else:
            lon, lat = tr.transform(x, y)
            out.append((lon, lat) if math.isfinite(lon) and math.isfinite(lat) else (None, None))
    return out


def _zones_at(zones: Any, x: float | None, y: float | None) -> tuple[str, ...]:
    if zones is None or len(zones) == 0 or x is None or y is None:
        return ()
    from shapely.geometry import Point

    pt = Point(x, y)
    hits = []
    for _, z in zones.iterrows():
        g = z.geometry
        if g is None or g.is_empty or not g.covers(pt):
            continue
        zc = ZONE_CLASS_LABELS_ZH.get(_text(z.get("zone_class")), _text(z.get("zone_class")))
        zl = ZONE_LEVEL_LABELS_ZH.get(_text(z.get("zone_level")), "")
        name = _text(z.get("name")) or _text(z.get("zone_id"))
        hits.append(f"{_text(z.get('zone_id'))} {name}（{zc}{zl}）".strip())
    return tuple(hits)


def _layer_class(row: Mapping[str, Any], table: ClassTable) -> tuple[OutfallClass | None, str]:
    """The class the layer says, and the value it was read from."""
    vals = [row.get("outfall_class"), *(row.get(c) for c in CLASS_COLUMNS)]
    raw = next((_text(v) for v in vals[1:] if _text(v)), _text(vals[0]))
    return class_values(vals, table), raw


def build_register(
    layers: Mapping[str, Any],
    net: Any,
    data: OutfallData,
    *,
    crs: Any = None,
    classes: ClassTable | None = None,
    standards: StandardTable | None = None,
    findings: Any = (),
) -> OutfallRegister:
    """Build the outfall register.

    Parameters
    ----------
    layers : the project's layers by kind (``outfalls``, ``zones`` are used)
    net : the flow network (``checked.network``), or None
    data : the outfall tables (:func:`surveys.outfalls.store.read_outfall_data`)
    crs : the project CRS (for CGCS2000 longitude/latitude)
    classes, standards : code tables (default: the shipped ones)
    findings : passed to the traces

    Returns
    -------
    OutfallRegister
        One row per outfall of the layer, then the outfalls added in the field; ``sealed``
        is the effect of sealing every outfall decided 取缔封堵 (None when none is).
    """
    table = classes or load_classes()
    stds = standards or load_standards()
    outfalls = layers.get("outfalls")
    items: list[tuple[str, dict[str, Any], float | None, float | None, str]] = []
    if outfalls is not None and len(outfalls):
        for _, r in outfalls.iterrows():
            oid = _text(r.get("outfall_id"))
            if not oid:
                continue
            g = r.geometry
            x = y = None
            if g is not None and not g.is_empty:
                c = g if g.geom_type == "Point" else g.representative_point()
                x, y = float(c.x), float(c.y)
            items.append((oid, dict(r), x, y, "layer"))
    in_layer = {i[0] for i in items}
    for oid, e in data.entries.items():
        if oid not in in_layer and e.x is not None and e.y is not None:
            items.append((oid, {}, e.x, e.y, "field"))
    lonlat = _lonlat(crs, [i[2] for i in items], [i[3] for i in items])
    zones = layers.get("zones")
    sealed_ids = [o for o, d in data.decisions.items() if d.decision == "seal"]
    rows = []
    for (oid, raw, x, y, origin), (lon, lat) in zip(items, lonlat, strict=True):
        entry = data.entries.get(oid, OutfallEntry(oid))
        layer_cls, said = _layer_class(raw, table)
        cls = table.get(entry.value("class")) if entry.value("class") else layer_cls
        if cls is None:
            cls = table.get("other")
        name = entry.value("name") or _text(raw.get("name")) or _text(raw.get("名称"))
        values = dict(entry.values)
        if not values.get("receiving_water"):
            values["receiving_water"] = _text(raw.get("receiving_water"))
        std = stds.find(entry.value("standard") or cls.default_standard)
        recs = data.records_of(oid)
        flags = tuple(f for rec in recs for f in evaluate_record(rec, std, cls))
        trace = trace_outfall(net, oid, records=recs, findings=findings)
        row = RegisterRow(
            outfall_id=oid,
            name=name,
            class_code=cls.code,
            class_label=cls.label_zh,
            class_source=said if entry.value("class") == "" else "登记表",
            values=values,
            x=x,
            y=y,
            lon=lon,
            lat=lat,
            origin=origin,
            trace=trace,
            zones=_zones_at(zones, x, y),
            standard=std.code if std else "",
            n_records=len(recs),
            flags=flags,
            last_sampled=recs[-1].sampled if recs else "",
            decision=data.decisions.get(oid),
            photos=len(entry.photos),
        )
        rows.append(_with_findings(row, cls))
    sealed = seal_effect(net, sealed_ids) if sealed_ids and net is not None else None
    return OutfallRegister(tuple(rows), sealed, str(crs) if crs is not None else "")


def _with_findings(row: RegisterRow, cls: OutfallClass) -> RegisterRow:
    """The row with the faults the register shows, each (kind, Chinese text)."""
    t = row.trace
    out: list[tuple[str, str]] = []
    ents = t.enterprises
    if t.shared:
        names = "、".join(d.id for d in t.dischargers)
        out.append(
            ("shared", f"多单位共用（{len(t.dischargers)}家）：{names}，须溯源厘清责任主体")
        )
    if cls.rain and ents:
        out.append(("enterprise_to_rain", f"雨水排口接纳企业废水：{'、'.join(ents)}"))
    if cls.rain and t.waste_pipes:
        out.append(
            ("sewage_to_rain", f"雨水排口上游有污水管（雨污混接）：{'、'.join(t.waste_pipes)}")
        )
    if not t.reachable and cls.code not in (
        "farmland_return",
        "domestic_scattered",
        "plant_overflow",
    ):
        out.append(("unreachable", f"管网不可达：{t.reason}"))
    elif not t.reachable:
        out.append(
            ("no_network", f"管网不可达此排口（无管道接入；{cls.label_zh}通常不经园区管网）")
        )
    for z in row.zones:
        out.append(("in_protected_area", f"位于敏感区内：{z}"))
    if row.n_exceedances:
        out.append(("exceedance", f"监测超标 {row.n_exceedances} 次（{row.standard}）"))
    dry = [f for f in row.flags if f.kind == "dry_weather_flow"]
    if dry:
        out.append(("dry_weather_flow", f"旱天出流 {len(dry)} 次，疑似污水混接"))
    if t.gap_ratio is not None and abs(t.gap_ratio) > 0.2:
        out.append(
            (
                "mass_balance_gap",
                f"监测COD负荷与申报差 {t.gap_kgd:+.1f} kg/d（{t.gap_ratio:+.0%}）",
            )
        )
    if cls.code in ("industrial", "municipal_plant", "shared") and not row.value("permit_no"):
        out.append(("no_permit", "未填排污许可证编号"))
    if t.shared and cls.code not in ("shared",) and not cls.rain:
        out.append(("class_shared", "实为多单位共用排污口（建议类别：多单位共用排污口）"))
    return RegisterRow(**{**row.__dict__, "findings": tuple(out)})


def load_register(path: str | Path, checked: Any = None, project: Any = None) -> OutfallRegister:
    """The register of a project file (the stored network when fresh, else built).

    Raises
    ------
    ProjectError
        The file is not a readable PipeAtlas project.
    """
    from network.io import topology
    from network.io.project import open_project
    from network.state import build_checked_network
    from surveys.outfalls.store import read_outfall_data

    p = Path(path)
    data = read_outfall_data(p)
    project = project or open_project(p)
    if checked is None:
        checked = topology.load_checked_network(p, project.layers)
    if checked is None and len(project.layer("pipes")):
        checked = build_checked_network(project.layers, project.settings, project.crs)
    net = checked.network if checked is not None else None
    findings = checked.issue_index if checked is not None else ()
    return build_register(project.layers, net, data, crs=project.crs, findings=findings)


def project_xy(crs: Any, lon: float, lat: float) -> tuple[float, float]:
    """Project-CRS x/y of a CGCS2000 (EPSG:4490) longitude/latitude.

    Raises
    ------
    OutfallError
        The position is not a longitude/latitude pair or the project has no CRS.

    Examples
    --------
    >>> x, y = project_xy("EPSG:4525", 112.3, 28.59)
    >>> round(x), round(y)
    (37627173, 3164519)
    """
    from pyproj import CRS, Transformer

    try:
        lo, la = float(lon), float(lat)
    except (TypeError, ValueError):
        lo = la = math.nan
    if not (-180 <= lo <= 180 and -90 <= la <= 90):
        raise OutfallError(
            f"Position {lon!r}, {lat!r} is not a longitude/latitude pair (e.g. 112.30 28.59).",
            field="lon/lat",
            found=f"{lon} {lat}",
        )
    if crs is None:
        raise OutfallError("The project has no CRS; give --x/--y instead.", field="lon/lat")
    tr = Transformer.from_crs(CRS.from_epsg(4490), CRS.from_user_input(crs), always_xy=True)
    x, y = tr.transform(lo, la)
    return float(x), float(y)
