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
    p.add_argument(
        "--out",
        required=True,
        help="output file: *.pdf or *.png (the map), *.dxf (CAD drawing for a design institute)",
    )
    p.add_argument("--size", default="A4", choices=["A4", "A3", "A2", "A1", "A0"], help="paper")
    p.add_argument(
        "--scale",
        type=_scale,
        metavar="1:N",
        help="draw at this scale (1:500, 1:1000, 1:2000 …); a park larger than one page "
        "becomes numbered sheets after an index map (PDF). Default: the whole park on one page",
    )
    p.add_argument(
        "--rain",
        default="faded",
        choices=["faded", "normal", "hidden"],
        help="the rain system on the sewage flow map (default faded)",
    )
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
    p.add_argument("--unit", metavar="NAME", help="制图单位 in the title block")
    p.add_argument(
        "--height-datum", metavar="NAME", help="高程系 in the title block, e.g. 1985国家高程基准"
    )
    p.add_argument("--lang", default="zh", choices=["zh", "en"], help="language of the page")
    p.add_argument("--dpi", type=int, default=200)
    p.set_defaults(func=_cmd_map)


def _scale(text: str) -> int:
    """``1:1000``, ``1000`` or ``1：1000`` → 1000."""
    t = text.replace("：", ":").replace(",", "").strip()
    t = t.split(":", 1)[1] if ":" in t else t
    try:
        n = int(float(t))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a scale is 1:N, e.g. 1:1000; got {text!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"a scale is 1:N with N > 0; got {text!r}")
    return n


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
        scale=args.scale,
        rain=args.rain,
        mapping_unit=args.unit,
        height_datum=args.height_datum,
    )
    sys.stdout.write(f"wrote {out}\n")
    return 0
