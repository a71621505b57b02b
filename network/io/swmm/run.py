"""Run a SWMM model with pyswmm and bring back, per pipe, its maximum flow and capacity use.

Capacity use is ``q/Q_full``: the run's peak flow over the pipe's full-bore flow by Manning
(for a circular pipe computed from the exported diameter, roughness and invert slope — the
formula SWMM itself uses; otherwise SWMM's reported Max/Full Flow). A pipe is *surcharged*
when its peak flow exceeds the full-bore flow or SWMM reports it full or surcharged for any
time; each surcharged pipe is a finding.

The results are stored in the project (GeoPackage attribute table ``pa_swmm_results``, one
row per pipe id, joined to the ``pipes`` layer by ``pipe_id``, so the map can style by
``capacity_use``); each run replaces the previous one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network import schema as S
from network.io import gpkg
from network.io.swmm.common import SwmmError
from network.issues import WARNING, Issue

META_TABLE = "pa_swmm_meta"
RESULTS_TABLE = "pa_swmm_results"
SCHEMA_VERSION = 1
RESULT_COLUMNS = (
    "pipe_id",
    "links",
    "max_flow_m3s",
    "full_flow_m3s",
    "capacity_use",
    "max_depth_ratio",
    "surcharge_h",
    "surcharged",
)


@dataclass(frozen=True)
class PipeResult:
    """One pipe's result (the worst of its conduits when a side connection split it)."""

    pipe_id: str
    links: str
    max_flow_m3s: float
    full_flow_m3s: float
    capacity_use: float
    max_depth_ratio: float
    surcharge_h: float
    surcharged: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN → None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in self.__dict__.items()
        }


@dataclass
class SwmmRun:
    """What a run gave: continuity errors, per-pipe results, SWMM's warnings."""

    inp: Path
    rpt: Path
    routing_continuity_pct: float
    runoff_continuity_pct: float | None
    results: list[PipeResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ran: str = ""
    schema_version: int = SCHEMA_VERSION

    @property
    def surcharged(self) -> list[PipeResult]:
        """The surcharged pipes, worst first."""
        bad = [r for r in self.results if r.surcharged]
        return sorted(bad, key=lambda r: -(r.capacity_use if math.isfinite(r.capacity_use) else 0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with every pipe's result."""
        return {
            "inp": str(self.inp),
            "rpt": str(self.rpt),
            "ran": self.ran,
            "routing_continuity_error_pct": self.routing_continuity_pct,
            "runoff_continuity_error_pct": self.runoff_continuity_pct,
            "surcharged": [r.pipe_id for r in self.surcharged],
            "warnings": self.warnings,
            "pipes": [r.to_dict() for r in self.results],
        }


def run_swmm(
    inp: str | Path,
    pipe_of_link: dict[str, str] | None = None,
    full_flow_m3s: dict[str, float] | None = None,
    heights_m: dict[str, float] | None = None,
) -> SwmmRun:
    """Run ``inp`` with pyswmm and collect every conduit's peak flow and capacity use.

    Parameters
    ----------
    inp : the model (the report ``.rpt`` and output ``.out`` are written beside it)
    pipe_of_link : conduit name → pipe id (default: the conduit name)
    full_flow_m3s : conduit name → full-bore flow; where missing, SWMM's Max/Full Flow is used
    heights_m : conduit name → section height, for the depth ratio (default: SWMM's Max/Full
        Depth)

    Raises
    ------
    SwmmError
        SWMM refused the model or failed during the run; the message quotes SWMM's errors.

    Examples
    --------
    >>> run = run_swmm("park.inp")  # doctest: +SKIP
    >>> abs(run.routing_continuity_pct) < 1  # doctest: +SKIP
    True
    """
    from pyswmm import Links, Simulation
    from swmm_api import read_rpt_file

    inp = Path(inp)
    if not inp.is_file():
        raise SwmmError(f"{inp} does not exist.", file=str(inp))
    rpt, out = inp.with_suffix(".rpt"), inp.with_suffix(".out")
    stats: dict[str, dict[str, float]] = {}
    try:
        with Simulation(str(inp), str(rpt), str(out)) as sim:
            sim.step_advance(3600)
            for _ in sim:
                pass
            for link in Links(sim):
                if link.is_conduit():
                    s = link.conduit_statistics
                    stats[link.linkid] = {
                        k: float(s[k])
                        for k in ("peak_flow", "peak_depth", "time_surcharged", "time_full_flow")
                    }
    except Exception as exc:
        errors = _rpt_errors(rpt)
        raise SwmmError(
            f"SWMM could not run {inp.name}: {errors or exc}",
            details=repr(exc),
            file=str(inp),
        ) from exc
    with warnings.catch_warnings():  # swmm-api's pandas deprecation notes
        warnings.simplefilter("ignore")
        rep = read_rpt_file(str(rpt))
        routing = rep.flow_routing_continuity or {}
        runoff = rep.runoff_quantity_continuity or {}
        summary = rep.link_flow_summary
        notes = _rpt_warnings(rpt)
    pipe_of_link = pipe_of_link or {}
    full_flow_m3s = full_flow_m3s or {}
    heights_m = heights_m or {}
    per_pipe: dict[str, list[tuple]] = {}
    for name, s in stats.items():
        pid = pipe_of_link.get(name)
        if pid is None and pipe_of_link:
            continue  # a dummy link the export added
        pid = pid or name
        q = abs(s["peak_flow"])
        q_full = full_flow_m3s.get(name, math.nan)
        ratio_rpt = _summary(summary, name, "Max/_Full_Flow")
        depth_rpt = _summary(summary, name, "Max/_Full_Depth")
        if not (isinstance(q_full, float) and q_full > 0) and ratio_rpt > 0:
            q_full = q / ratio_rpt
        use = q / q_full if q_full > 0 else math.nan
        h = heights_m.get(name, math.nan)
        depth_ratio = s["peak_depth"] / h if h > 0 else depth_rpt
        hours = max(s["time_surcharged"], s["time_full_flow"]) / 3600.0
        per_pipe.setdefault(pid, []).append((name, q, q_full, use, depth_ratio, hours))
    results = []
    for pid, rows in per_pipe.items():
        worst = max(rows, key=lambda r: r[3] if math.isfinite(r[3]) else -1.0)
        hours = max(r[5] for r in rows)
        surcharged = (math.isfinite(worst[3]) and worst[3] > 1.0) or hours > 0
        results.append(
            PipeResult(
                pid,
                ",".join(r[0] for r in rows),
                worst[1],
                worst[2],
                worst[3],
                max((r[4] for r in rows), default=math.nan),
                hours,
                bool(surcharged),
            )
        )
    return SwmmRun(
        inp,
        rpt,
        float(routing.get("Continuity Error (%)", math.nan)),
        _opt(runoff.get("Continuity Error (%)")),
        results,
        notes,
        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )


def _opt(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _summary(df: Any, name: str, col: str) -> float:
    try:
        return float(df.at[name, col])
    except (KeyError, TypeError, ValueError, AttributeError):
        return math.nan


def _rpt_warnings(rpt: Path) -> list[str]:
    """SWMM's WARNING lines of a report."""
    try:
        lines = rpt.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip().startswith("WARNING")]


def _rpt_errors(rpt: Path) -> str:
    try:
        lines = rpt.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    errs = [ln.strip() for ln in lines if ln.strip().startswith("ERROR")]
    return "; ".join(errs[:5]) + (f" (and {len(errs) - 5} more)" if len(errs) > 5 else "")


def surcharge_findings(run: SwmmRun, net: Any = None) -> list[Issue]:
    """One finding per surcharged pipe (at the pipe's midpoint when ``net`` is given)."""
    out = []
    for r in run.surcharged:
        xy = _midpoint(net, r.pipe_id)
        use = f"{r.capacity_use:.2f}" if math.isfinite(r.capacity_use) else "?"
        out.append(
            Issue.make(
                "hydraulics",
                "surcharged",
                WARNING,
                [r.pipe_id],
                S.PIPES,
                xy,
                f"管段 {r.pipe_id} 旱季满管超载：最大流量 {r.max_flow_m3s:.4f} m³/s，"
                f"为满管流量的 {use} 倍（SWMM 模拟）。",
                f"Pipe {r.pipe_id} is surcharged in dry weather: peak flow "
                f"{r.max_flow_m3s:.4f} m³/s is {use} × its full-bore flow (SWMM run).",
                capacity_use=r.capacity_use if math.isfinite(r.capacity_use) else None,
                max_flow_m3s=r.max_flow_m3s,
            )
        )
    return out


def _midpoint(net: Any, pipe_id: str) -> tuple[float, float] | None:
    if net is None:
        return None
    try:
        edges = net.pipe_edges.get(pipe_id)
        if not edges:
            return None
        g = net.piece_geom[int(net.edge_piece[int(edges[0])])]
        p = g.interpolate(0.5, normalized=True)
        return (float(p.x), float(p.y))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


# --- the results in the project -----------------------------------------------------------------
_DDL = {
    META_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value TEXT",
    RESULTS_TABLE: "fid INTEGER PRIMARY KEY AUTOINCREMENT, pipe_id TEXT NOT NULL UNIQUE, "
    "links TEXT, max_flow_m3s REAL, full_flow_m3s REAL, capacity_use REAL, "
    "max_depth_ratio REAL, surcharge_h REAL, surcharged INTEGER NOT NULL DEFAULT 0",
}
_DESC = {
    META_TABLE: "PipeAtlas SWMM run (schema version, when, continuity)",
    RESULTS_TABLE: "PipeAtlas SWMM dry-weather results per pipe 管段负荷 (q/Q_full)",
}


SWMM_SCHEMA = gpkg.register_subject_schema(
    "swmm",
    "SWMM result tables",
    _DDL,
    _DESC,
    version=SCHEMA_VERSION,
    version_table=META_TABLE,
)


def _none(v: float) -> float | None:
    return None if isinstance(v, float) and math.isnan(v) else v


class SwmmResultStore(gpkg.SubjectStore):
    """Writes the SWMM results of one project (each write one transaction).

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """

    SCHEMA = SWMM_SCHEMA

    def replace(self, run: SwmmRun) -> None:
        """Replace the stored results with those of ``run``."""
        meta = {
            "ran": run.ran,
            "inp": str(run.inp),
            "routing_continuity_error_pct": json.dumps(_none(run.routing_continuity_pct)),
            "runoff_continuity_error_pct": json.dumps(run.runoff_continuity_pct),
        }
        with self._db.transaction() as con:
            con.execute(f"DELETE FROM {RESULTS_TABLE}")
            con.executemany(
                f"INSERT INTO {RESULTS_TABLE} ({', '.join(RESULT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(RESULT_COLUMNS))})",
                [
                    (
                        r.pipe_id,
                        r.links,
                        _none(r.max_flow_m3s),
                        _none(r.full_flow_m3s),
                        _none(r.capacity_use),
                        _none(r.max_depth_ratio),
                        r.surcharge_h,
                        int(r.surcharged),
                    )
                    for r in run.results
                ],
            )
            con.executemany(
                f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(meta.items()),
            )


@dataclass
class StoredResults:
    """The stored SWMM results of a project: ``{pipe_id: PipeResult}`` and the run's facts."""

    pipes: dict[str, PipeResult] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    schema_version: int = 0


def _read(con: sqlite3.Connection) -> StoredResults:
    if META_TABLE not in gpkg.table_names(con):
        return StoredResults()
    meta = dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    version = int(meta.pop(gpkg.VERSION_KEY, 0) or 0)
    pipes = {}
    for row in con.execute(f"SELECT {', '.join(RESULT_COLUMNS)} FROM {RESULTS_TABLE}"):
        vals = [math.nan if v is None else v for v in row]
        vals[-1] = bool(row[-1])
        pipes[row[0]] = PipeResult(*vals)
    return StoredResults(pipes, meta, version)


def read_results(path: str | Path) -> StoredResults:
    """The SWMM results stored in a project (empty when it was never run); writes nothing.

    Raises
    ------
    ProjectError
        Not a PipeAtlas project, damaged, locked, or written by a newer PipeAtlas.
    """
    return gpkg.read_subject(path, SWMM_SCHEMA, _read)


#: the columns :func:`with_capacity` adds to a pipe layer (what the map styles by)
CAPACITY_COLUMNS = (
    "swmm_max_flow_m3s",
    "swmm_full_flow_m3s",
    "swmm_capacity_use",
    "swmm_surcharged",
)


def with_capacity(pipes: Any, stored: StoredResults) -> Any:
    """A copy of the pipe layer with the stored SWMM results as columns (NaN/None where a
    pipe has none): ``swmm_max_flow_m3s``, ``swmm_full_flow_m3s``, ``swmm_capacity_use``
    (q/Q_full) and ``swmm_surcharged``.

    Examples
    --------
    >>> styled = with_capacity(project.layer("pipes"), read_results("park.gpkg"))  # doctest: +SKIP
    >>> styled.loc[styled["swmm_surcharged"] == True, "pipe_id"].tolist()  # doctest: +SKIP
    ['WS-0003']
    """
    ids = pipes[S.PIPE_ID].to_numpy(dtype=object)
    res = [stored.pipes.get(str(i)) if i is not None else None for i in ids]
    out = pipes.copy()
    out["swmm_max_flow_m3s"] = [r.max_flow_m3s if r else math.nan for r in res]
    out["swmm_full_flow_m3s"] = [r.full_flow_m3s if r else math.nan for r in res]
    out["swmm_capacity_use"] = [r.capacity_use if r else math.nan for r in res]
    out["swmm_surcharged"] = [r.surcharged if r else None for r in res]
    geom = out.geometry.name
    return out[[c for c in out.columns if c != geom] + [geom]]
