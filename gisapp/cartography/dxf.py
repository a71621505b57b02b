"""The pipe network as DXF for a design institute (ezdxf, no Qt).

One CAD layer per system and object kind (污水管线, 雨水管线, 检查井, 排放口, 企业 …), labels on
文字 layers in a CJK text style, flow arrows as insertions of one block (``FLOW_ARROW``) rotated
along the flow, and coordinates in the project CRS (metres, the zone prefix kept), so the
drawing overlays the design institute's own survey drawings.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from network import schema
from network.errors import NetworkError

#: CAD layer of each pipe system, and its AutoCAD colour index.
PIPE_LAYERS = {
    schema.SEWAGE: ("污水管线", 30),
    schema.RAIN: ("雨水管线", 5),
    schema.COMBINED: ("合流管线", 6),
    schema.INDUSTRIAL: ("工业废水管线", 1),
}
UNKNOWN_PIPE_LAYER = ("其他管线", 8)
POINT_LAYERS = {
    schema.MANHOLES: ("检查井", 7),
    schema.OUTFALLS: ("排放口", 1),
    schema.ENTERPRISES: ("企业", 3),
    schema.PLANTS: ("污水处理厂", 4),
}
AREA_LAYERS = {schema.BOUNDARY: ("园区范围", 7), schema.ZONES: ("保护区", 1)}
TEXT_LAYERS = {"text": ("文字", 7), "pipe_text": ("管线标注", 8)}
ARROW_LAYER = ("流向", 30)
TEXT_STYLE = "PA_CJK"
ARROW_BLOCK = "FLOW_ARROW"
POINT_BLOCKS = {
    schema.MANHOLES: "MANHOLE",
    schema.OUTFALLS: "OUTFALL",
    schema.ENTERPRISES: "ENTERPRISE",
    schema.PLANTS: "PLANT",
}


class DxfExportError(NetworkError):
    """The DXF cannot be written."""


def export_dxf(
    layers: dict[str, Any],
    crs: Any,
    out: str | Path,
    *,
    flow_forward: np.ndarray | None = None,
    scale: int = 1000,
    title: str = "",
) -> Path:
    """Write the project's layers to a DXF drawing (R2013) at ``out``.

    Parameters
    ----------
    layers : canonical layers by kind
    crs : the project CRS (written to the header as a comment; coordinates are unchanged)
    out : ``*.dxf``
    flow_forward : per pipe row, flow in digitised order (the arrows)
    scale : 1:n the drawing is meant for; text and symbol sizes follow it (2.5 mm text)

    Returns
    -------
    Path

    Raises
    ------
    DxfExportError
        Not a ``.dxf`` name, or ezdxf is not installed.
    """
    try:
        import ezdxf
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DxfExportError("DXF export needs the ezdxf package (pip install ezdxf).") from exc
    out = Path(out)
    if out.suffix.lower() != ".dxf":
        raise DxfExportError(f"Write a DXF drawing to a .dxf file; got {out.name}.")
    unit = scale / 1000.0  # map units per paper mm
    doc = ezdxf.new("R2013", setup=True)
    doc.units = 6  # metres
    doc.header["$INSUNITS"] = 6
    doc.styles.add(TEXT_STYLE, font="simsun.ttc")  # the CJK face every Chinese CAD box has
    for name, color in (
        *PIPE_LAYERS.values(),
        UNKNOWN_PIPE_LAYER,
        *POINT_LAYERS.values(),
        *AREA_LAYERS.values(),
        *TEXT_LAYERS.values(),
        ARROW_LAYER,
    ):
        if name not in doc.layers:
            doc.layers.add(name, color=color)
    _blocks(doc, unit)
    msp = doc.modelspace()
    text_h = 2.5 * unit

    for kind in (schema.ZONES, schema.BOUNDARY):
        gdf = layers.get(kind)
        if gdf is None:
            continue
        layer = AREA_LAYERS[kind][0]
        for g in gdf.geometry:
            for ring in _rings(g):
                msp.add_lwpolyline(ring, close=True, dxfattribs={"layer": layer})

    pipes = layers.get(schema.PIPES)
    if pipes is not None and len(pipes):
        systems = (
            pipes[schema.SYSTEM].to_numpy()
            if schema.SYSTEM in pipes
            else np.full(len(pipes), None, dtype=object)
        )
        for g, system in zip(pipes.geometry, systems, strict=True):
            layer = PIPE_LAYERS.get(system, UNKNOWN_PIPE_LAYER)[0]
            for line in _lines(g):
                msp.add_lwpolyline(line, dxfattribs={"layer": layer})
        _pipe_texts(msp, pipes, text_h)
        _arrows(msp, pipes, flow_forward, unit)

    for kind, (layer, _) in POINT_LAYERS.items():
        gdf = layers.get(kind)
        if gdf is None or not len(gdf):
            continue
        col = schema.OUTFALL_ID if kind == schema.OUTFALLS else schema.NAME
        if kind == schema.MANHOLES:
            col = schema.NODE_ID
        texts = gdf[col].to_numpy() if col in gdf else [None] * len(gdf)
        for g, text in zip(gdf.geometry, texts, strict=True):
            if g is None or g.is_empty or g.geom_type != "Point":
                continue
            msp.add_blockref(POINT_BLOCKS[kind], (g.x, g.y), dxfattribs={"layer": layer})
            if text is None or text != text or (kind == schema.MANHOLES and scale > 1000):
                continue
            msp.add_text(
                str(text),
                height=text_h * (0.8 if kind == schema.MANHOLES else 1.0),
                dxfattribs={"layer": TEXT_LAYERS["text"][0], "style": TEXT_STYLE},
            ).set_placement((g.x + 1.5 * unit, g.y + 1.0 * unit))
    if title:
        x0, _y0, _x1, y1 = _bounds(layers)
        msp.add_text(
            title,
            height=6 * unit,
            dxfattribs={"layer": TEXT_LAYERS["text"][0], "style": TEXT_STYLE},
        ).set_placement((x0, y1 + 8 * unit))
    doc.header["$PROJECTNAME"] = title[:255] if title else ""
    crs_text = crs.to_string() if crs is not None else "unknown"
    doc.set_modelspace_vport(height=max(_bounds(layers)[3] - _bounds(layers)[1], 1.0))
    msp.add_text(
        f"CRS: {crs_text}",
        height=2.0 * unit,
        dxfattribs={"layer": TEXT_LAYERS["text"][0], "style": TEXT_STYLE},
    ).set_placement((_bounds(layers)[0], _bounds(layers)[1] - 6 * unit))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    doc.saveas(tmp, encoding="utf-8")
    tmp.replace(out)
    return out


def _blocks(doc: Any, unit: float) -> None:
    arrow = doc.blocks.new(ARROW_BLOCK)  # pointing along +x, 3 mm long at the drawing scale
    s = 3.0 * unit
    arrow.add_solid([(s / 2, 0), (-s / 2, s * 0.35), (-s / 2, -s * 0.35)])
    mh = doc.blocks.new(POINT_BLOCKS[schema.MANHOLES])
    mh.add_circle((0, 0), 0.6 * unit)
    out = doc.blocks.new(POINT_BLOCKS[schema.OUTFALLS])
    r = 1.5 * unit
    out.add_lwpolyline([(0, -r), (r, r), (-r, r)], close=True)
    ent = doc.blocks.new(POINT_BLOCKS[schema.ENTERPRISES])
    ent.add_lwpolyline([(-r, -r), (r, -r), (r, r), (-r, r)], close=True)
    plant = doc.blocks.new(POINT_BLOCKS[schema.PLANTS])
    r2 = 2.5 * unit
    plant.add_lwpolyline(
        [(r2 * math.cos(a), r2 * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 7)[:-1]],
        close=True,
    )


def _lines(g: Any) -> list[list[tuple[float, float]]]:
    if g is None or g.is_empty:
        return []
    parts = [g] if g.geom_type == "LineString" else list(getattr(g, "geoms", []))
    return [[(float(x), float(y)) for x, y, *_ in p.coords] for p in parts if len(p.coords) > 1]


def _rings(g: Any) -> list[list[tuple[float, float]]]:
    if g is None or g.is_empty:
        return []
    polys = [g] if g.geom_type == "Polygon" else list(getattr(g, "geoms", []))
    rings = []
    for p in polys:
        if p.geom_type != "Polygon":
            continue
        for r in (p.exterior, *p.interiors):
            rings.append([(float(x), float(y)) for x, y, *_ in r.coords[:-1]])
    return rings


def _bounds(layers: dict[str, Any]) -> tuple[float, float, float, float]:
    b = [
        np.asarray(gdf.total_bounds, dtype=float)
        for kind, gdf in layers.items()
        if kind in (schema.PIPES, schema.BOUNDARY, schema.PLANTS) and gdf is not None and len(gdf)
    ]
    if not b:
        return 0.0, 0.0, 1.0, 1.0
    a = np.vstack(b)
    return a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max()


def _pipe_texts(msp: Any, pipes: Any, text_h: float) -> None:
    """ "DN600 钢筋混凝土" along each pipe long enough to carry it."""
    if schema.DIAMETER_MM not in pipes:
        return
    mats = pipes[schema.MATERIAL].to_numpy() if schema.MATERIAL in pipes else [None] * len(pipes)
    for g, dn, mat in zip(pipes.geometry, pipes[schema.DIAMETER_MM], mats, strict=True):
        if g is None or g.is_empty or dn != dn or dn is None or g.geom_type != "LineString":
            continue
        text = f"DN{dn:.0f}" + (f" {mat}" if mat is not None and mat == mat and mat else "")
        if g.length < len(text) * text_h * 0.9:
            continue
        a = g.interpolate(0.45, normalized=True)
        b = g.interpolate(0.55, normalized=True)
        ang = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if ang > 90:
            ang -= 180
        elif ang <= -90:
            ang += 180
        mid = g.interpolate(0.5, normalized=True)
        off = 0.6 * text_h
        r = math.radians(ang)
        pos = (mid.x - math.sin(r) * off, mid.y + math.cos(r) * off)
        msp.add_text(
            text,
            height=text_h * 0.8,
            rotation=ang,
            dxfattribs={"layer": TEXT_LAYERS["pipe_text"][0], "style": TEXT_STYLE},
        ).set_placement(pos, align=_center())


def _center() -> Any:
    from ezdxf.enums import TextEntityAlignment

    return TextEntityAlignment.BOTTOM_CENTER


def _arrows(msp: Any, pipes: Any, flow_forward: np.ndarray | None, unit: float) -> None:
    """A FLOW_ARROW block at the middle of every non-rain pipe, turned along the flow."""
    geoms = pipes.geometry.to_numpy()
    fwd = (
        np.asarray(flow_forward, dtype=bool)
        if flow_forward is not None and len(flow_forward) == len(pipes)
        else np.ones(len(pipes), dtype=bool)
    )
    systems = pipes[schema.SYSTEM].to_numpy() if schema.SYSTEM in pipes else [None] * len(pipes)
    for g, f, system in zip(geoms, fwd, systems, strict=True):
        if g is None or g.is_empty or system == schema.RAIN or g.geom_type != "LineString":
            continue
        if g.length < 8 * unit:
            continue
        a = g.interpolate(0.45, normalized=True)
        b = g.interpolate(0.55, normalized=True)
        ang = math.degrees(math.atan2(b.y - a.y, b.x - a.x)) + (0 if f else 180)
        mid = shapely.line_interpolate_point(g, 0.5, normalized=True)
        msp.add_blockref(
            ARROW_BLOCK, (mid.x, mid.y), dxfattribs={"layer": ARROW_LAYER[0], "rotation": ang}
        )
