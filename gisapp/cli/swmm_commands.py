"""SWMM commands (no Qt).

``python main.py swmm PROJECT --out park.inp [--run] [--interpolate-inverts] [--hours H]
[--json]`` writes a runnable dry-weather EPA SWMM model of the project (and with ``--run``
runs it with pyswmm, stores each pipe's peak flow and capacity use q/Q_full in the project
and lists the surcharged pipes). ``python main.py new park.gpkg --swmm model.inp --crs EPSG:…``
(in :mod:`gisapp.cli`) imports a model's network through :func:`prepare_swmm_import`.

Exit 0 on success; 1 when pipes were left out for lack of inverts or a run found surcharged
pipes (the findings); 2 on bad input.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


# --- new --swmm ---------------------------------------------------------------------------------
@dataclass
class SwmmImport:
    """A model converted to a temporary GeoPackage for the ordinary project creation."""

    model: Any
    tmp: tempfile.TemporaryDirectory
    inputs: dict[str, list[str]] = field(default_factory=dict)

    def mapping(self, user: dict[str, Any] | None) -> dict[str, Any]:
        """The field mapping for the model's layers (the user's own entries win)."""
        from network.io.swmm.read import IMPORT_MAPPING

        out = {k: dict(v) for k, v in IMPORT_MAPPING.items()}
        for kind, m in (user or {}).items():
            out[kind] = {**out.get(kind, {}), **m}
        return out

    def reworded(self, exc: Any) -> Any:
        """The project creation's error on a temporary layer, naming the model's sections."""
        from network.errors import NetworkError

        sections = {
            "pipes": "[CONDUITS]/[PUMPS]/[ORIFICES]/[WEIRS]/[OUTLETS]",
            "manholes": "[JUNCTIONS]/[STORAGE]/[OUTFALLS]",
            "outfalls": "[OUTFALLS]",
        }
        name = self.model.path.name
        msg = exc.message
        for kind, spec in self.inputs.items():
            tmp = Path(spec[0].rsplit(":", 1)[0])
            msg = msg.replace(f"{tmp.name}:{kind}", f"{name} {sections.get(kind, kind)}")
            msg = msg.replace(str(tmp), name)
        try:
            return type(exc)(
                msg,
                exc.details,
                file=str(self.model.path),
                layer=exc.layer,
                feature=exc.feature,
                field=exc.field,
            )
        except TypeError:
            return NetworkError(msg, exc.details, file=str(self.model.path), layer=exc.layer)

    def close(self) -> None:
        """Remove the temporary GeoPackage."""
        self.tmp.cleanup()

    def write_subcatchments(self, project: Path) -> Path | None:
        """Write the subcatchment polygons beside the project (``NAME.subcatchments.gpkg``)."""
        from network.io.swmm.read import SUBCATCHMENTS

        gdf = self.model.layers.get(SUBCATCHMENTS)
        if gdf is None or not len(gdf):
            return None
        import pyogrio

        dest = project.with_name(project.stem + ".subcatchments.gpkg")
        pyogrio.write_dataframe(gdf, dest, layer=SUBCATCHMENTS, driver="GPKG")
        return dest

    def report(self, project: Any) -> None:
        """Print what the model gave and what could not be mapped."""
        counts = self.model.counts()
        kinds = ", ".join(
            f"{counts[k]} {k}"
            for k in ("conduits", "pumps", "orifices", "weirs", "outlets")
            if counts.get(k)
        )
        _out(
            f"SWMM model {self.model.path.name} ({self.model.flow_units}: lengths and levels in "
            f"{'feet' if self.model.length_unit == 'ft' else 'metres'}, converted to metres; "
            f"LINK_OFFSETS {self.model.link_offsets}): {kinds}"
        )
        sub = self.write_subcatchments(Path(project.path))
        if sub is not None:
            _out(f"subcatchment polygons: {sub}")
        if self.model.not_mapped:
            _out(f"not mapped ({len(self.model.not_mapped)}):")
            for line in self.model.not_mapped:
                _out(f"  - {line}")


def prepare_swmm_import(args: argparse.Namespace, inputs: dict[str, list[str]]) -> SwmmImport:
    """Read ``args.swmm`` and add its layers (a temporary GeoPackage) to ``inputs``.

    The model's coordinates are taken in ``--source-crs``, else ``--crs``.

    Raises
    ------
    SwmmError
        No CRS given, or the model cannot be read.
    """
    from network.io.crs import parse_crs
    from network.io.swmm.common import SwmmError
    from network.io.swmm.read import read_swmm, write_import_gpkg

    crs_text = args.source_crs or args.crs
    if not crs_text:
        raise SwmmError(
            f"A SWMM model declares no coordinate system: give the CRS of {args.swmm}'s "
            "coordinates with --crs EPSG:… (or --source-crs EPSG:… to reproject into --crs).",
            file=str(args.swmm),
        )
    model = read_swmm(args.swmm, parse_crs(crs_text))
    tmp = tempfile.TemporaryDirectory(prefix="pipeatlas-swmm-")
    try:
        gpkg_path = Path(tmp.name) / (Path(args.swmm).stem + ".gpkg")
        specs = write_import_gpkg(model, gpkg_path)
    except BaseException:
        tmp.cleanup()
        raise
    imp = SwmmImport(model, tmp)
    for kind, spec in specs.items():
        inputs[kind] = [spec, *inputs.get(kind, [])]
        imp.inputs[kind] = [spec]
    return imp


# --- swmm ---------------------------------------------------------------------------------------
def _network(path: str) -> tuple[Any, Any]:
    from gisapp.cli import project_path
    from network.errors import NetworkError
    from network.io import topology
    from network.io.project import open_project
    from network.state import build_checked_network

    p = project_path(path)
    project = open_project(p)
    if not len(project.layer("pipes")):
        raise NetworkError(f"{p.name} has no pipes: nothing to export.", file=path, layer="pipes")
    checked = topology.load_checked_network(p, project.layers)
    if checked is None:
        checked = build_checked_network(project.layers, project.settings, project.crs)
    return project, checked


def _cmd_swmm(args: argparse.Namespace) -> int:
    from gisapp.cli import print_json, print_table
    from network.errors import NetworkError
    from network.io.swmm.run import SwmmResultStore, run_swmm, surcharge_findings
    from network.io.swmm.write import export_swmm

    if Path(args.out).suffix.lower() != ".inp":
        raise NetworkError(f"--out names the SWMM model to write: *.inp (got {args.out}).")
    if not args.hours > 0:
        raise NetworkError(f"--hours must be positive (got {args.hours:g}).", field="--hours")
    _, checked = _network(args.project)
    net = checked.network
    rep = export_swmm(
        net,
        args.out,
        interpolate_inverts=args.interpolate_inverts,
        hours=args.hours,
        title=f"PipeAtlas {Path(args.project).stem}: dry-weather model",
    )
    missing = [] if args.interpolate_inverts else rep.missing_inverts
    status = EXIT_FINDINGS if missing else EXIT_OK
    data: dict[str, Any] = {"export": rep.to_dict()}
    run = None
    if args.run:
        run = run_swmm(rep.path, rep.pipe_of_link, rep.full_flow_m3s, rep.height_m)
        with SwmmResultStore(args.project) as store:
            store.replace(run)
        findings = surcharge_findings(run, net)
        data["run"] = run.to_dict()
        data["findings"] = [f.to_dict() for f in findings]
        if findings:
            status = EXIT_FINDINGS
    if args.json:
        print_json(data)
        return status
    _out(
        f"wrote {rep.path}: {rep.conduits} conduits, {rep.pumps} pumps, {rep.junctions} "
        f"junctions, {rep.outfalls} outfalls; dry-weather inflow {rep.dwf_total_m3s * 1000:.1f} "
        f"L/s at {rep.dwf_nodes} nodes; {rep.hours:g} h steady run (CMS, dynamic wave)"
    )
    if missing:
        _out(
            f"{len(missing)} pipe(s) without inverts were left out (pass --interpolate-inverts "
            f"to estimate them): {', '.join(missing[:20])}" + (" …" if len(missing) > 20 else "")
        )
    if rep.interpolated:
        _out(
            f"inverts interpolated for {len(rep.interpolated)} pipe(s): "
            + ", ".join(rep.interpolated[:20])
        )
    other = [(p, r) for p, r in rep.left_out if r != "no inverts"]
    if other:
        _out(f"left out ({len(other)}): " + "; ".join(f"{p} ({r})" for p, r in other[:20]))
    for note in rep.notes:
        _out(f"note: {note}")
    if run is None:
        return status
    err = run.routing_continuity_pct
    _out(
        f"\nSWMM run: flow-routing continuity error {err:.3f} %"
        + ("" if math.isfinite(err) and abs(err) < 1.0 else "  (≥ 1 %: check the report)")
        + f"; report {run.rpt}"
    )
    top = sorted(
        (r for r in run.results if math.isfinite(r.capacity_use)),
        key=lambda r: -r.capacity_use,
    )[:10]
    _out(f"capacity use q/Q_full stored for {len(run.results)} pipes (table pa_swmm_results)")
    print_table(
        [
            [
                r.pipe_id,
                f"{r.max_flow_m3s * 1000:.2f}",
                f"{r.full_flow_m3s * 1000:.2f}" if math.isfinite(r.full_flow_m3s) else "",
                f"{r.capacity_use:.2f}",
                "超载" if r.surcharged else "",
            ]
            for r in top
        ],
        ["管段", "最大流量 L/s", "满管流量 L/s", "q/Q_full", ""],
    )
    bad = run.surcharged
    if bad:
        _out(
            f"\n{len(bad)} surcharged pipe(s) (findings): "
            + ", ".join(r.pipe_id for r in bad[:30])
        )
    else:
        _out("\nno pipe is surcharged in dry weather")
    return status


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the ``swmm`` command."""
    p = sub.add_parser(
        "swmm",
        help="export a runnable dry-weather EPA SWMM model (--run: run it, store q/Q_full)",
        description="Write the project's network as an EPA SWMM model: pipes → conduits, "
        "manholes → junctions, network ends (plants, outfalls) → outfalls, enterprises' "
        "declared flow → dry-weather inflow. --run runs it with pyswmm and stores each pipe's "
        "peak flow and capacity use (q/Q_full) in the project. Exit 0 ok, 1 pipes left out "
        "for lack of inverts or surcharged pipes found, 2 bad input.",
    )
    p.add_argument("project", help="the project (*.gpkg)")
    p.add_argument("--out", required=True, metavar="FILE.inp", help="the SWMM model to write")
    p.add_argument("--run", action="store_true", help="run the model with pyswmm")
    p.add_argument(
        "--interpolate-inverts",
        action="store_true",
        help="estimate missing pipe inverts (manhole floor, neighbouring pipes, 0.3 %% fall) "
        "instead of leaving those pipes out",
    )
    p.add_argument(
        "--hours", type=float, default=12.0, help="simulated dry-weather hours (default 12)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_swmm)
