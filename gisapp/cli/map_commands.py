"""``python main.py map``: the pipe-network and flow-direction map as PDF/PNG (no Qt)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "map",
        help="export the pipe-network and sewage flow-direction map (PDF or PNG)",
        description="Draw the park's pipe-network and sewage flow-direction map "
        "(管网图及污水流向图) with title, legend, scale bar, north arrow, CRS and date.",
    )
    p.add_argument("project")
    p.add_argument("--out", required=True, help="output file, *.pdf or *.png")
    p.add_argument("--size", default="A4", choices=["A4", "A3"], help="paper size")
    p.add_argument("--orientation", default="landscape", choices=["landscape", "portrait"])
    p.add_argument(
        "--trace-from",
        metavar="ID",
        help="highlight the downstream path of an enterprise, manhole or pipe",
    )
    p.add_argument(
        "--extent",
        default="park",
        help="park (default), full, or minx,miny,maxx,maxy in the project CRS",
    )
    p.add_argument("--title", help="map title (default: <park> 管网图及污水流向图)")
    p.add_argument("--lang", default="zh", choices=["zh", "en"], help="language of the page")
    p.add_argument("--dpi", type=int, default=200)
    p.set_defaults(func=_cmd_map)


def _cmd_map(args: argparse.Namespace) -> int:
    from gisapp.cartography.export import export_project_map
    from network.io.project import open_project
    from network.state import build_checked_network

    project = open_project(args.project)
    checked = build_checked_network(project.layers, project.settings, project.crs)
    out = export_project_map(
        project,
        Path(args.out),
        size=args.size,
        orientation=args.orientation,
        trace_from=args.trace_from,
        extent=args.extent,
        title=args.title,
        language=args.lang,
        dpi=args.dpi,
        checked=checked,
    )
    sys.stdout.write(f"wrote {out}\n")
    return 0
