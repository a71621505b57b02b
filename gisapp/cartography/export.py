"""The park map as a file: enterprises coloured by connection, trace highlight, page (no Qt).

The one place that turns a project (and its :class:`network.state.CheckedNetwork`, when the
caller has it) into the pipe-network and sewage flow-direction map; ``python main.py map`` and
File → Export map call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def export_project_map(
    project: Any,
    out: Path,
    *,
    size: str = "A4",
    orientation: str = "landscape",
    trace_from: str | None = None,
    extent: Any = "park",
    title: str | None = None,
    language: str = "zh",
    dpi: int = 200,
    network: Any = None,
    trace_pipes: Sequence[str] = (),
    checked: Any = None,
    scale: int | None = None,
    rain: str = "faded",
    mapping_unit: str | None = None,
    height_datum: str | None = None,
) -> Path:
    """Draw the park map of *project* to *out*: enterprises coloured by connection, flow arrows,
    and, once the project has outfall decisions (``pa_outfall_decisions``), the outfalls by
    class × decision status (sealed ones crossed out; :func:`outfall_status_column`).

    Parameters
    ----------
    project : Project
        Its layers, settings, CRS and extent.
    out : Path
        ``*.pdf`` or ``*.png``; ``*.dxf`` writes the CAD drawing
        (:func:`gisapp.cartography.dxf.export_dxf`).
    size, orientation, extent, title, language, dpi
        The page (see :class:`gisapp.cartography.flowmap.MapOptions`).
    trace_from : str, optional
        Highlight the downstream path of this id.
    network : Network, optional
        A network already built from *project* (its connection register is computed here).
    trace_pipes : sequence of str
        Pipe ids to highlight (a trace the caller has).
    checked : CheckedNetwork, optional
        The network with its connection register, as the window holds it: nothing is
        rebuilt or recomputed. Without it (and without *network*) the network is built here.
    scale : int, optional
        1:n. When the park does not fit one page at this scale, a PDF is a set of numbered
        sheets after an index map (:mod:`gisapp.cartography.sheets`). None: the whole park on
        one page at the first standard scale that fits.
    rain : str
        ``faded`` (default: a sewage flow map), ``normal`` or ``hidden``.
    mapping_unit, height_datum : str, optional
        制图单位 and 高程系 of the title block (default: the project settings
        ``mapping_unit`` / ``height_datum``; "—" when neither is known).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MapExportError
        A bad extent or file type.
    """
    from gisapp.cartography import symbology as sym
    from gisapp.cartography.flowmap import MapExportError, MapOptions, render_flow_map
    from network.analysis import connection_register, network_statistics
    from network.graph import build_network
    from network.overlays import CONNECTION_STATUS, enterprise_status, pipe_flow_forward
    from network.trace import trace_downstream

    if checked is not None:
        net, register = checked.network, checked.register
    else:
        net = network or build_network(project.layers, project.settings, project.crs)
        register = connection_register(net)
    layers = dict(project.layers)
    if "enterprises" in layers:
        ents = layers["enterprises"].copy()
        ents[CONNECTION_STATUS] = enterprise_status(register, ents["ent_id"])
        layers["enterprises"] = ents
    if "outfalls" in layers:
        status = outfall_status_column(project, layers["outfalls"])
        if status is not None:
            outs = layers["outfalls"].copy()
            outs[sym.OUTFALL_STATUS] = status
            outs[sym.OUTFALL_SYMBOL] = sym.outfall_symbol_keys(
                outs.get("outfall_class", [None] * len(outs)), status
            )
            layers["outfalls"] = outs
    trace_pipes = tuple(trace_pipes)
    label = ("追踪结果" if language == "zh" else "trace result") if trace_pipes else ""
    if trace_from:
        result = trace_downstream(net, trace_from)
        trace_pipes = tuple(result.pipes)
        label = f"{trace_from} 下游路径" if language == "zh" else f"downstream of {trace_from}"
    if isinstance(extent, str):
        if extent == "park":
            ext = None
        elif extent == "full":
            ext = tuple(float(v) for v in project.extent())
        else:
            try:
                ext = tuple(float(v) for v in extent.split(","))
            except ValueError:
                ext = ()
            if len(ext) != 4 or ext[0] >= ext[2] or ext[1] >= ext[3]:
                raise MapExportError(
                    f"--extent takes park, full or minx,miny,maxx,maxy; got {extent!r}."
                )
    else:
        ext = extent
    settings = getattr(project, "settings", None) or {}
    opts = MapOptions(
        size=size,
        orientation=orientation,
        extent=ext,
        title=title,
        trace_pipes=trace_pipes,
        trace_label=label,
        language=language,
        dpi=dpi,
        scale=scale,
        rain=rain,
        mapping_unit=mapping_unit or str(settings.get("mapping_unit") or ""),
        height_datum=height_datum or str(settings.get("height_datum") or ""),
    )
    n_rows = len(project.layers["pipes"]) if "pipes" in project.layers else 0
    flow_forward = pipe_flow_forward(net, n_rows)
    out = Path(out)
    if out.suffix.lower() == ".dxf":
        from gisapp.cartography.dxf import export_dxf
        from gisapp.cartography.flowmap import _park_name

        name = _park_name(layers)
        return export_dxf(
            layers,
            project.crs,
            out,
            flow_forward=flow_forward,
            scale=scale or 1000,
            title=title or (f"{name}管网图及污水流向图" if language == "zh" else name),
        )
    if scale:
        from gisapp.cartography import sheets

        unit_m = (
            float(project.crs.axis_info[0].unit_conversion_factor)
            if project.crs is not None and project.crs.axis_info
            else 1.0
        )
        if (
            ext is None
            and out.suffix.lower() == ".pdf"
            and sheets.needs_sheets(layers, size, orientation, scale, unit_m)
        ):
            return sheets.render_sheets(
                layers,
                project.crs,
                out,
                opts,
                flow_forward=flow_forward,
                stats=network_statistics(net),
            )
    return render_flow_map(
        layers,
        project.crs,
        out,
        opts,
        flow_forward=flow_forward,
        stats=network_statistics(net),
    )


def outfall_status_column(project: Any, outfalls: Any) -> Any:
    """The decision status of each row of *outfalls* (``surveys.outfalls.status``), or None
    when the project has no outfall decision (the map then shows the classes only) or no
    file to read them from."""
    from surveys.outfalls.status import decisions_of, outfall_status

    path = getattr(project, "path", None)
    if path is None or not Path(path).exists() or "outfall_id" not in outfalls.columns:
        return None
    decisions = decisions_of(path)
    if not decisions:
        return None
    return outfall_status(decisions, outfalls["outfall_id"])
