"""Survey-company CAD drawings (DXF) as layers: lines and points selected by CAD layer name.

Survey companies deliver the pipe survey as a DXF with one CAD layer per system and object
(``WS`` 污水管线, ``YS`` 雨水管线, ``JCJ`` 检查井 …; every company names them differently).
:func:`read_cad` reads the drawing with GDAL (pyogrio), keeps the entities of the CAD layers
the user maps, and returns a GeoDataFrame the layer reader takes like any other file: the CAD
layer in ``cad_layer``, the mapped value (e.g. ``污水``) in a column the reader's synonyms
understand (``类型`` by default), any text of the entity in ``text``. A DXF carries no CRS:
the caller names it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from network.errors import InputFileError, SchemaError

log = logging.getLogger(__name__)

CAD_LAYER = "cad_layer"
CAD_TEXT = "text"
CAD_ENTITY = "cad_entity"
GEOMETRIES = ("line", "point", "polygon")
#: The column the mapped CAD-layer value goes to, per layer kind (a name the field guesser
#: maps: 类型 → system of a pipe, 类别 → class of an outfall or zone).
VALUE_COLUMN = {"outfalls": "类别", "zones": "类别"}


def _read_entities(path: Path) -> gpd.GeoDataFrame:
    """Every entity of the drawing; block insertions stay points (not exploded)."""
    if not path.exists():
        raise InputFileError(f"{path} does not exist.", file=str(path))
    options = {"DXF_INLINE_BLOCKS": "FALSE"}
    encoding = dxf_encoding(path)
    if encoding:
        options["DXF_ENCODING"] = encoding
    old = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        gdf = pyogrio.read_dataframe(path, layer="entities")
    except Exception as exc:
        raise InputFileError(
            f"Cannot read {path.name} as a DXF drawing: {exc}. Save it from CAD as DXF "
            "(AutoCAD 2000 or later) and try again.",
            details=str(exc),
            file=str(path),
        ) from exc
    finally:
        pyogrio.set_gdal_config_options(old)
    for col in ("Layer", "Text"):  # CAD writes characters outside the code page as \U+XXXX
        if col in gdf:
            gdf[col] = gdf[col].map(_unescape)
    return gdf


_ESCAPE = re.compile(r"\\U\+([0-9A-Fa-f]{4})")


def _unescape(value: Any) -> Any:
    if not isinstance(value, str) or "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def dxf_encoding(path: Path) -> str | None:
    """The text encoding of a DXF from its header: UTF-8 from AutoCAD 2007 (AC1021) on,
    else the code page (``ANSI_936`` → CP936, the usual one of Chinese drawings); None when
    the header says neither (GDAL then decides)."""
    with open(path, "rb") as fh:
        head = fh.read(200_000).decode("latin-1")
    lines = [line.strip() for line in head.splitlines()]

    def value(name: str) -> str | None:
        try:
            i = lines.index(name)
        except ValueError:
            return None
        return lines[i + 2] if i + 2 < len(lines) else None

    version = value("$ACADVER") or ""
    if version.startswith("AC") and version[2:].isdigit() and int(version[2:]) >= 1021:
        return "UTF-8"
    page = (value("$DWGCODEPAGE") or "").upper()
    if page in ("", "ANSI_1252") and _looks_gbk(path):  # Chinese text under a Western label
        return "GB18030"
    if page.startswith("ANSI_"):
        return "CP" + page[5:]
    return None


def _looks_gbk(path: Path) -> bool:
    """True when the drawing's non-ASCII bytes read as Chinese in GB18030 (and not UTF-8)."""
    with open(path, "rb") as fh:
        data = fh.read(4_000_000)
    runs = re.findall(rb"[\x80-\xff]+", data)
    if not runs:
        return False
    blob = b"".join(runs)
    try:
        blob.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    try:
        text = blob.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return sum("\u4e00" <= c <= "\u9fff" for c in text) >= 0.8 * len(text)


def cad_layers(path: str | Path) -> dict[str, dict[str, int]]:
    """The CAD layers of a drawing and how many lines and points each holds, for choosing
    the mapping.

    Returns
    -------
    dict
        ``{cad layer: {"line": n, "point": n}}``.

    Raises
    ------
    InputFileError
        The file is missing or not a DXF GDAL can read.
    """
    gdf = _read_entities(Path(path))
    kinds = _kinds(gdf)
    out: dict[str, dict[str, int]] = {}
    for name, kind in zip(gdf["Layer"].astype(str), kinds, strict=True):
        if kind is not None:
            counts = out.setdefault(name, {"line": 0, "point": 0})
            counts[kind] += 1
    return out


def _kinds(gdf: gpd.GeoDataFrame) -> list[str | None]:
    """``line`` or ``point`` per entity (a small closed circle is a point: a manhole drawn
    as a CIRCLE), None for anything else (hatches, text without a point …)."""
    geoms = gdf.geometry.to_numpy()
    sub = gdf["SubClasses"].astype(str).to_numpy() if "SubClasses" in gdf else [""] * len(gdf)
    out: list[str | None] = []
    for g, s in zip(geoms, sub, strict=True):
        if g is None or g.is_empty:
            out.append(None)
        elif "AcDbCircle" in s and "AcDbArc" not in s:
            out.append("point")
        elif g.geom_type in ("LineString", "MultiLineString"):
            out.append("line")
        elif g.geom_type in ("Point", "MultiPoint"):
            out.append("point")
        else:
            out.append(None)
    return out


def read_cad(
    path: str | Path,
    layers: Mapping[str, Any] | Sequence[str] | None = None,
    *,
    geometry: str = "line",
    crs: Any = None,
    value_column: str = "类型",
) -> gpd.GeoDataFrame:
    """The lines (or points) of the named CAD layers of a DXF drawing.

    Parameters
    ----------
    path : a ``.dxf`` file
    layers : ``{CAD layer: value}`` (e.g. ``{"WS": "污水", "YS": "雨水"}``: the value goes to
        ``value_column``), or a list of CAD layer names, or None for every layer holding
        that geometry. CAD layer names match without regard to case or outer spaces.
    geometry : ``line`` (pipes) or ``point`` (manholes, outfalls, enterprises: POINT and
        block INSERT entities, and circles by their centre)
    crs : the CRS of the drawing's coordinates (a DXF declares none)
    value_column : the column the mapped values go to

    Returns
    -------
    GeoDataFrame
        Columns ``cad_layer``, ``value_column`` (with a mapping), ``text`` (the entity's
        text, when it has one), ``cad_entity`` (the DXF handle, for messages), geometry in
        2D.

    Raises
    ------
    InputFileError
        The file is missing or unreadable, or a mapped CAD layer is not in it (the message
        lists the layers it has).
    SchemaError
        None of the selected layers holds a feature of that geometry.

    Examples
    --------
    >>> pipes = read_cad("管线.dxf", {"WS": "污水", "YS": "雨水"}, crs=4545)  # doctest: +SKIP
    >>> pipes["类型"].value_counts()  # doctest: +SKIP
    """
    if geometry not in GEOMETRIES:
        raise SchemaError(f"geometry must be 'line', 'point' or 'polygon'; got {geometry!r}.")
    path = Path(path)
    gdf = _read_entities(path)
    names = gdf["Layer"].astype(str).str.strip()
    folded = names.str.casefold()
    found = sorted(set(names))
    mapping: dict[str, Any] | None = None
    if layers is not None:
        mapping = (
            {str(k).strip().casefold(): v for k, v in layers.items()}
            if isinstance(layers, Mapping)
            else {str(k).strip().casefold(): None for k in layers}
        )
        missing = [k for k in mapping if k not in set(folded)]
        if missing:
            raise InputFileError(
                f"{path.name} has no CAD layer {', '.join(repr(m) for m in missing)}; "
                f"its layers are {', '.join(found) or '(none)'}. Map the CAD layers that "
                "hold the pipes (e.g. WS=污水).",
                file=str(path),
                layer=missing[0],
            )
    kinds = np.array(_kinds(gdf), dtype=object)
    if geometry == "polygon":  # closed polylines (a boundary, a protected zone)
        closed = np.array(
            [
                k == "line" and g.geom_type == "LineString" and g.is_ring
                for k, g in zip(kinds, gdf.geometry, strict=True)
            ],
            dtype=bool,
        )
        kinds = np.where(closed, "polygon", kinds)
    keep = kinds == geometry
    if mapping is not None:
        keep &= folded.isin(list(mapping)).to_numpy()
    sel = gdf[keep]
    if not len(sel):
        which = ", ".join(str(k) for k in (layers or [])) if layers is not None else "any layer"
        raise SchemaError(
            f"{path.name}: {which} holds no {geometry}s (its layers are {', '.join(found)}). "
            f"Choose the CAD layers that hold the {geometry}s.",
            file=str(path),
        )
    geoms = shapely.force_2d(sel.geometry.to_numpy())
    if geometry == "polygon":
        geoms = np.array([shapely.Polygon(g.coords) for g in geoms], dtype=object)
    if geometry == "point":
        geoms = np.where(
            shapely.get_type_id(geoms) == 0, geoms, shapely.centroid(geoms)
        )  # circles → their centre
    out = gpd.GeoDataFrame(
        {
            CAD_LAYER: names[keep].to_numpy(),
            CAD_ENTITY: sel["EntityHandle"].astype(str).to_numpy()
            if "EntityHandle" in sel
            else [""] * len(sel),
        },
        geometry=geoms,
        crs=crs,
    )
    if mapping is not None and isinstance(layers, Mapping):
        out[value_column] = [mapping[n.casefold()] for n in out[CAD_LAYER]]
    if "Text" in sel:
        text = sel["Text"].to_numpy()
        if any(t is not None and t == t and str(t) for t in text):
            out[CAD_TEXT] = text
    log.info(
        "%s: %d %ss from CAD layers %s", path.name, len(out), geometry, sorted(set(out[CAD_LAYER]))
    )
    return out.reset_index(drop=True)


def parse_layer_mapping(text: str) -> dict[str, str]:
    """``"WS=污水,YS=雨水"`` → ``{"WS": "污水", "YS": "雨水"}`` (a bare name maps to itself).

    >>> parse_layer_mapping("WS=污水, YS=雨水")
    {'WS': '污水', 'YS': '雨水'}
    """
    out = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        out[key.strip()] = value.strip() or key.strip()
    return out


def split_cad_spec(spec: str | Path) -> tuple[Path, dict[str, str] | list[str] | None]:
    """``管线.dxf:WS=污水,YS=雨水`` → the path and the CAD-layer mapping; ``管线.dxf:WS,YS`` →
    the path and the layer names; a bare path → every layer.

    >>> split_cad_spec("d/管线.dxf:WS=污水,YS=雨水")
    (PosixPath('d/管线.dxf'), {'WS': '污水', 'YS': '雨水'})
    >>> split_cad_spec("管线.dxf:WS,YS")
    (PosixPath('管线.dxf'), ['WS', 'YS'])
    """
    text = str(spec)
    low = text.lower()
    i = low.rfind(".dxf:")
    if i < 0 or Path(text).exists():
        return Path(text), None
    path, rest = Path(text[: i + 4]), text[i + 5 :]
    if "=" in rest:
        return path, parse_layer_mapping(rest)
    return path, [p.strip() for p in rest.replace("，", ",").split(",") if p.strip()]


def is_cad_spec(spec: str | Path) -> bool:
    """True for ``x.dxf`` and ``x.dxf:…`` (what :func:`load_cad_layer` reads)."""
    return split_cad_spec(spec)[0].suffix.lower() == ".dxf"


def load_cad_layer(spec: str | Path, kind: str) -> tuple[gpd.GeoDataFrame, str, Any]:
    """Read a DXF for the layer reader: ``(frame, engine, encoding choice)`` as
    :func:`network.io.read.read_vector` returns them, the features of ``kind``'s geometry
    taken from the CAD layers named in ``spec`` (see :func:`split_cad_spec`). The frame has
    no CRS: the reader declares the one the user gives (``--crs``).

    Raises
    ------
    InputFileError, SchemaError
        As :func:`read_cad`.
    """
    from network.io.encoding import EncodingChoice
    from network.schema import GEOMETRY_KIND

    path, layers = split_cad_spec(spec)
    gdf = read_cad(
        path, layers, geometry=GEOMETRY_KIND[kind], value_column=VALUE_COLUMN.get(kind, "类型")
    )
    enc = dxf_encoding(path) or "UTF-8"
    choice = EncodingChoice(enc.lower(), "format", f"DXF header ({enc})")
    return gdf, "pyogrio (DXF)", choice
