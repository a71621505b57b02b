"""Read vector layers (Shapefile, GeoPackage, GeoJSON) into the canonical schema.

pyogrio (Arrow path where it works) reads first; fiona is the fallback where pyogrio fails,
and the result says which engine read the file. Text encoding comes from
:mod:`network.io.encoding`, field roles from :mod:`network.io.fields`, geometry hygiene from
:mod:`network.io.hygiene`; every layer is reprojected to the project CRS with pyproj.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import struct
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from network.errors import CRSError, InputFileError, SchemaError
from network.io import crs as crsmod
from network.io.encoding import EncodingChoice, detect_encoding
from network.io.fields import Mapping, apply_mapping, guess_mapping, normalise_column
from network.io.hygiene import clean_geometries
from network.issues import INFO, Issue
from network.schema import (
    GEOMETRY_KIND,
    ID_COLUMN,
    LAYER_KINDS,
    LENGTH_M,
    MANHOLES,
    NODE_TYPE,
    PIPES,
    SRC_FID,
    SYSTEM,
)

log = logging.getLogger(__name__)

_GPKG_LAYER = re.compile(r"^(?P<path>.+\.(?:gpkg|sqlite|gdb))[:|](?P<layer>[^:\\/]+)$", re.I)
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass
class LayerSource:
    """Where a project layer came from and how it was read (saved with the project)."""

    kind: str
    path: str
    layer: str | None
    engine: str
    encoding: str
    encoding_source: str
    encoding_reason: str
    source_crs: str
    sha256: str
    feature_count: int
    mapping: Mapping = field(default_factory=dict)
    offset_datum: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class LoadedLayer:
    """A layer read into the canonical schema, in the target CRS, with its findings."""

    kind: str
    gdf: gpd.GeoDataFrame
    source: LayerSource
    issues: list[Issue]


def split_layer_spec(spec: str | Path) -> tuple[Path, str | None]:
    """Split ``park.gpkg:pipes`` into the path and the layer name (Windows drive-safe).

    Examples
    --------
    >>> split_layer_spec("C:/data/park.gpkg:管线")
    (PosixPath('C:/data/park.gpkg'), '管线')
    """
    s = str(spec)
    m = _GPKG_LAYER.match(s)
    if m and not Path(s).exists():
        return Path(m["path"]), m["layer"]
    return Path(s), None


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a shapefile's whole file set (.shp .shx .dbf .prj .cpg)."""
    h = hashlib.sha256()
    files = [path]
    if path.suffix.lower() == ".shp":
        files = [p for p in (_sibling(path, e) for e in SHAPEFILE_PARTS) if p is not None]
    for p in files:
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                h.update(chunk)
    return h.hexdigest()


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def _check_shapefile(path: Path) -> None:
    """Catch the usual broken shapefiles with a message that says what to do."""
    for ext, what in ((".shx", "index"), (".dbf", "attribute table")):
        if _sibling(path, ext) is None:
            raise InputFileError(
                f"{path.name}: its {ext} file ({what}) is missing; a shapefile needs "
                f"{path.stem}.shp, {path.stem}.shx and {path.stem}.dbf side by side. "
                f"Copy {path.stem}{ext} from the source next to it.",
                file=str(path),
            )
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or struct.unpack(">i", head[0:4])[0] != 9994:
        raise InputFileError(
            f"{path.name} is not a valid shapefile (bad header, {size} bytes).", file=str(path)
        )
    declared = struct.unpack(">i", head[24:28])[0] * 2
    if declared > size:
        raise InputFileError(
            f"{path.name} is truncated: its header says {declared:,} bytes but the file has "
            f"{size:,}. The copy was probably interrupted; copy the file again.",
            file=str(path),
        )


def _repair_dbf_field_names(shp: Path, folder: Path, codec: str) -> Path:
    """Copy a shapefile into ``folder`` with DBF field names trimmed to whole characters.

    The source files are never modified: the .shp/.shx/.prj are linked, the .dbf copied.
    """
    out = folder / shp.name
    for ext in (".shp", ".shx", ".prj"):
        src = _sibling(shp, ext)
        if src is not None:
            try:
                (folder / (shp.stem + ext)).symlink_to(src.resolve())
            except OSError:
                shutil.copyfile(src, folder / (shp.stem + ext))
    dbf = _sibling(shp, ".dbf")
    assert dbf is not None
    with dbf.open("rb") as fh:
        head = bytearray(fh.read(32))
        header_len = struct.unpack("<H", head[8:10])[0]
        desc = bytearray(fh.read(header_len - 32))
        for i in range(0, len(desc) - 31, 32):
            if desc[i] == 0x0D:
                break
            raw = bytes(desc[i : i + 11]).split(b"\0", 1)[0]
            for cut in range(4):
                try:
                    name = raw[: len(raw) - cut]
                    name.decode(codec)
                    break
                except UnicodeDecodeError:
                    continue
            desc[i : i + 11] = name.ljust(11, b"\0")
        with (folder / (shp.stem + ".dbf")).open("wb") as dst:
            dst.write(head)
            dst.write(desc)
            shutil.copyfileobj(fh, dst, 1 << 22)
    return out


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers in a vector file.

    Raises
    ------
    InputFileError
        The file does not exist or cannot be opened.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist.", file=str(path))
    try:
        return [str(n) for n, _t in pyogrio.list_layers(path)]
    except Exception as exc:
        raise InputFileError(f"Cannot open {path.name}: {exc}", file=str(path)) from exc


def read_vector(
    path: str | Path,
    layer: str | None = None,
    encoding: str | None = "auto",
    max_features: int | None = None,
) -> tuple[gpd.GeoDataFrame, str, EncodingChoice]:
    """Read a vector file as it is (no renaming, no reprojection).

    Returns the frame, the engine that read it (``pyogrio``, ``pyogrio (no arrow)`` or
    ``fiona``) and the encoding choice.

    Raises
    ------
    InputFileError
        The file is missing, broken or unreadable by both pyogrio and fiona.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist.", file=str(path))
    is_shp = path.suffix.lower() == ".shp"
    if is_shp:
        _check_shapefile(path)
    enc = detect_encoding(path, encoding)
    open_opts = {"ENCODING": enc.gdal_name} if is_shp else {}
    errors = []
    for use_arrow in (True, False):
        try:
            gdf = pyogrio.read_dataframe(
                path, layer=layer, use_arrow=use_arrow, max_features=max_features, **open_opts
            )
            return gdf, "pyogrio" if use_arrow else "pyogrio (no arrow)", enc
        except UnicodeDecodeError as exc:
            errors.append(f"pyogrio: {exc}")
            if not is_shp:
                break
            # field names cut at 10 bytes inside a multibyte character: read a repaired copy
            with tempfile.TemporaryDirectory(prefix="pipeatlas-") as tmp:
                fixed = _repair_dbf_field_names(path, Path(tmp), enc.codec)
                gdf = pyogrio.read_dataframe(
                    fixed, use_arrow=use_arrow, max_features=max_features, **open_opts
                )
            return gdf, "pyogrio (field names cut mid-character repaired)", enc
        except Exception as exc:
            errors.append(f"pyogrio: {exc}")
            if "layer" in str(exc).lower() and layer is not None and "not found" in str(exc):
                raise InputFileError(
                    f"{path.name} has no layer {layer!r}; its layers are "
                    f"{', '.join(list_layers(path))}.",
                    file=str(path),
                    layer=layer,
                ) from exc
    try:
        import fiona

        with fiona.open(path, layer=layer, encoding=enc.codec if is_shp else None) as src:
            feats = (
                list(src)
                if max_features is None
                else [f for _, f in zip(range(max_features), src, strict=False)]
            )
            gdf = gpd.GeoDataFrame.from_features(feats, crs=src.crs)
        log.warning("pyogrio could not read %s (%s); read with fiona", path, errors[-1])
        return gdf, "fiona", enc
    except Exception as exc:  # noqa: BLE001 - fiona raises various error types
        errors.append(f"fiona: {exc}")
    raise InputFileError(
        f"Cannot read {path.name}{f' layer {layer}' if layer else ''}: neither pyogrio nor "
        "fiona could open it. Check that the file is complete and is a Shapefile, "
        "GeoPackage or GeoJSON.",
        details="\n".join(errors),
        file=str(path),
        layer=layer,
    )


def load_layer(
    spec: str | Path,
    kind: str,
    *,
    target_crs: CRS | str | None = None,
    source_crs: CRS | str | None = None,
    encoding: str | None = "auto",
    mapping: Mapping | None = None,
    offset_datum: str | None = None,
) -> LoadedLayer:
    """Read one layer into the canonical schema of ``kind``, in ``target_crs``.

    Parameters
    ----------
    spec : path, or ``file.gpkg:layer``
    kind : one of ``network.schema.LAYER_KINDS``
    target_crs : the project CRS (default: the layer's own CRS if projected in metres,
        else the CGCS2000 3° GK CRS of its longitude)
    source_crs : the CRS to assume when the file declares none
    encoding : ``auto`` or an encoding name
    mapping : ``{canonical: source column}`` overrides; unlisted roles are guessed
    offset_datum : ``gcj02`` or ``bd09`` for phone-app longitude/latitude points

    Raises
    ------
    InputFileError, SchemaError, CRSError, EncodingError

    Examples
    --------
    >>> ll = load_layer("resources/demo/src/pipes_sewage.shp", "pipes")  # doctest: +SKIP
    >>> ll.source.encoding, ll.gdf.crs.to_epsg()  # doctest: +SKIP
    ('gbk', 4525)
    """
    if kind not in LAYER_KINDS:
        raise SchemaError(f"Unknown layer kind {kind!r}; expected one of {LAYER_KINDS}.")
    path, layer = split_layer_spec(spec)
    raw, engine, enc = read_vector(path, layer, encoding)
    label = f"{path.name}{f':{layer}' if layer else ''}"
    issues: list[Issue] = []
    if engine == "fiona":
        issues.append(
            Issue(
                id=f"hygiene.engine:{kind}",
                category="hygiene",
                kind="read_with_fiona",
                severity=INFO,
                feature_ids=(),
                layer=kind,
                x=None,
                y=None,
                message_zh=f"{label} 无法用 pyogrio 读取，已改用 fiona 读取",
                message_en=f"{label} could not be read with pyogrio; read with fiona",
            )
        )
    if raw.geometry.name not in raw.columns or len(raw.columns) == 0:
        raise SchemaError(f"{label} has no geometry column.", file=str(path), layer=layer)

    # --- CRS ---------------------------------------------------------------------------------
    declared = raw.crs
    if declared is None:
        if source_crs is None:
            b = raw.geometry.bounds
            hints, why = crsmod.guess_crs(b["minx"].to_numpy(), b["miny"].to_numpy())
            hint = f" Hint: {why}; e.g. --crs EPSG:{hints[0]}." if hints else f" ({why})"
            raise CRSError(
                f"{label} has no CRS (no .prj file or no CRS in the file). Choose the CRS the "
                f"coordinates are in.{hint}",
                file=str(path),
                layer=layer,
                details=why,
            )
        declared = crsmod.parse_crs(source_crs)
        raw = raw.set_crs(declared, allow_override=True)
    if offset_datum:
        if not declared.is_geographic:
            raise CRSError(
                f"{label}: a {offset_datum.upper()} offset applies to longitude/latitude "
                f"points, but this layer is in {crsmod.crs_label(declared)}.",
                file=str(path),
                layer=layer,
            )
        g = raw.geometry.to_numpy()
        coords = shapely.get_coordinates(g)
        lon, lat = crsmod.remove_offset(coords[:, 0], coords[:, 1], offset_datum)
        raw = raw.set_geometry(
            gpd.GeoSeries(
                shapely.set_coordinates(g.copy(), np.column_stack([lon, lat])),
                index=raw.index,
                crs=CRS.from_epsg(crsmod.CGCS2000),
            )
        )

    # --- fields ------------------------------------------------------------------------------
    raw = raw.reset_index(drop=True)
    raw[SRC_FID] = np.arange(len(raw), dtype=np.int64)
    columns = [c for c in raw.columns if c not in (raw.geometry.name, SRC_FID)]
    full_mapping = guess_mapping(kind, columns)
    if mapping:
        full_mapping.update(mapping)
    id_col = ID_COLUMN[kind]
    gdf, value_issues = apply_mapping(raw, kind, full_mapping, file=label, id_col=id_col)
    issues += value_issues
    node_type_col = full_mapping.get(NODE_TYPE)
    if kind == MANHOLES and gdf[SYSTEM].isna().all() and node_type_col:
        # 类型 = 污水井 / 雨水井: the manhole's system comes from its type
        gdf[SYSTEM], _ = normalise_column(raw[node_type_col], "system", node_type_col)
    if full_mapping.get(id_col) is None or gdf[id_col].isna().all():
        prefix = {
            "pipes": "P",
            "manholes": "N",
            "outfalls": "O",
            "enterprises": "E",
            "plants": "T",
            "zones": "Z",
            "boundary": "B",
        }[kind]
        gdf[id_col] = [f"{prefix}{i + 1}" for i in range(len(gdf))]
        if len(gdf):
            issues.append(
                Issue(
                    id=f"hygiene.generated_ids:{kind}",
                    category="hygiene",
                    kind="generated_ids",
                    severity=INFO,
                    feature_ids=(),
                    layer=kind,
                    x=None,
                    y=None,
                    message_zh=f"{label} 没有编号字段，已按顺序生成编号（{prefix}1…）",
                    message_en=f"{label} has no id field; ids {prefix}1… were generated",
                )
            )
    else:
        missing = gdf[id_col].isna().to_numpy()
        if missing.any():
            gdf.loc[missing, id_col] = [f"{label}#{int(i)}" for i in np.flatnonzero(missing)]
    gdf = gpd.GeoDataFrame(gdf, geometry=raw.geometry.name, crs=raw.crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")

    # --- geometry ----------------------------------------------------------------------------
    gdf, geom_issues = clean_geometries(gdf, kind, file=label, id_col=id_col)
    issues += geom_issues
    dups = gdf[id_col].duplicated(keep=False) & gdf[id_col].notna()
    if dups.any() and GEOMETRY_KIND[kind] != "polygon":
        for ident, grp in gdf[dups].groupby(id_col, sort=True):
            fids = ", ".join(str(int(f)) for f in grp[SRC_FID])
            issues.append(
                Issue(
                    id=f"hygiene.duplicate_id:{kind}:{ident}",
                    category="hygiene",
                    kind="duplicate_id",
                    severity="warning",
                    feature_ids=(str(ident),),
                    layer=kind,
                    x=None,
                    y=None,
                    message_zh=f"{label} 编号“{ident}”重复（第 {fids} 个要素）",
                    message_en=f"{label}: id {ident!r} is used by features {fids}",
                    data={"src_fids": [int(f) for f in grp[SRC_FID]]},
                )
            )

    # --- reprojection ------------------------------------------------------------------------
    if target_crs is None:
        c = shapely.centroid(
            shapely.envelope(
                shapely.union_all(shapely.envelope(gdf.geometry.dropna().to_numpy()[:1000]))
            )
        )
        lon, lat = (
            crsmod.transformer(gdf.crs, CRS.from_epsg(4490)).transform(
                shapely.get_x(c), shapely.get_y(c)
            )
            if not shapely.is_empty(c)
            else (112.0, 28.0)
        )
        target = crsmod.choose_project_crs(gdf.crs, float(lon), float(lat))
    else:
        target = crsmod.parse_crs(target_crs)
    if not gdf.crs.equals(target):
        gdf = gdf.to_crs(target)  # geopandas transforms with always_xy: no axis swap
    if kind == PIPES:
        gdf[LENGTH_M] = gdf.geometry.length.to_numpy() * crsmod.metres_per_unit(target)

    src_crs = declared.to_epsg()
    source = LayerSource(
        kind=kind,
        path=str(path),
        layer=layer,
        engine=engine,
        encoding=enc.codec,
        encoding_source=enc.source,
        encoding_reason=enc.reason,
        source_crs=f"EPSG:{src_crs}" if src_crs else declared.to_wkt(),
        sha256=file_sha256(path),
        feature_count=len(raw),
        mapping=full_mapping,
        offset_datum=offset_datum,
    )
    return LoadedLayer(kind=kind, gdf=gdf, source=source, issues=issues)


def empty_layer(kind: str, crs: CRS | None) -> gpd.GeoDataFrame:
    """An empty frame with the canonical columns of ``kind``."""
    from network.schema import ROLE_ALIASES, SRC_PART

    cols = {SRC_FID: pd.Series([], dtype="int64"), SRC_PART: pd.Series([], dtype="int64")}
    for role in ROLE_ALIASES[kind]:
        cols[role] = pd.Series([], dtype=object)
    if kind == PIPES:
        cols[LENGTH_M] = pd.Series([], dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
