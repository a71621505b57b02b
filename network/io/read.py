"""Read vector layers (Shapefile, GeoPackage, GeoJSON) into the canonical schema.

pyogrio (Arrow path where it works) reads first; fiona is the fallback where pyogrio fails,
and the result says which engine read the file. Text encoding comes from
:mod:`network.io.encoding`, field roles from :mod:`network.io.fields`, geometry hygiene from
:mod:`network.io.hygiene`; every layer is reprojected to the project CRS with pyproj.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import struct
import tempfile
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network import packed as packedmod
from network.errors import CRSError, EncodingError, InputFileError, SchemaError
from network.io import crs as crsmod
from network.io.encoding import EncodingChoice, detect_encoding
from network.io.fields import (
    Mapping,
    apply_mapping,
    attribute_units,
    convert_units,
    guess_mapping,
    normalise_column,
    select_where,
    split_mapping,
)
from network.io.hygiene import clean_geometries
from network.issues import INFO, WARNING, Issue
from network.lazy import lazy_module
from network.schema import (
    GEOMETRY_KIND,
    ID_COLUMN,
    LAYER_KINDS,
    LENGTH_M,
    MANHOLES,
    NODE_ID,
    NODE_TYPE,
    OUTFALL_CLASS,
    OUTFALLS,
    PIPES,
    RAIN,
    ROLE_ALIASES,
    SRC_FID,
    SYSTEM,
)

if TYPE_CHECKING:
    from pyproj import CRS

gpd = lazy_module("geopandas", globals())
pd = lazy_module("pandas", globals())
pyogrio = lazy_module("pyogrio", globals())
shapely = lazy_module("shapely", globals())
pyproj = lazy_module("pyproj", globals())

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
    #: the unit of each measured attribute as read (``{"from_invert_m": "ftUS", …}``) and
    #: the layer's own unit (``"layer"``, from its CRS); values were converted to m / mm
    units: dict[str, str] = field(default_factory=dict)
    #: features that are also outfalls / plants: ``{"outfalls": {field: [values]}}``
    where: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

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
    #: features of this layer that are also of another kind (``{"outfalls": frame}``, in
    #: that kind's canonical schema and the same CRS), chosen by the mapping's
    #: ``outfalls_where`` / ``plants_where``
    derived: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


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


def _joined(pool: ThreadPoolExecutor, future: Future) -> Any:
    """The value of *future* once *pool*'s thread has ended (a later fork sees no thread)."""
    try:
        return future.result()
    finally:
        pool.shutdown(wait=True)


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def _check_shapefile(path: Path) -> int | None:
    """Catch the usual broken shapefiles with a message that says what to do; returns the
    record count of the .dbf."""
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
    n_records = _check_dbf(_sibling(path, ".dbf"))
    shx = _sibling(path, ".shx")
    assert shx is not None
    n_shapes = (shx.stat().st_size - 100) // 8
    if n_records is not None and n_shapes != n_records:
        raise InputFileError(
            f"{path.name}: its index {shx.name} lists {n_shapes:,} shapes but its attribute "
            f"table {path.stem}.dbf holds {n_records:,} records. One of the files is damaged or "
            "comes from another copy; copy the whole shapefile (.shp, .shx, .dbf) again.",
            file=str(shx),
        )
    return n_records


def _check_dbf(dbf: Path | None) -> int | None:
    """The record count of a .dbf, after checking the file holds every record it declares.

    Raises
    ------
    InputFileError
        The file is shorter than its header says (a cut copy) or has no valid header.
    """
    if dbf is None:
        return None
    size = dbf.stat().st_size
    with dbf.open("rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise InputFileError(
            f"{dbf.name} is not a valid dBASE file (only {size} bytes); copy it again.",
            file=str(dbf),
        )
    n_records = struct.unpack("<I", head[4:8])[0]
    header_len, record_len = struct.unpack("<HH", head[8:12])
    expected = header_len + n_records * record_len
    if header_len < 33 or record_len < 1 or size < expected:
        have = max(size - header_len, 0) // max(record_len, 1)
        raise InputFileError(
            f"{dbf.name} is truncated: its header says {n_records:,} records "
            f"({expected:,} bytes) but the file holds {have:,} ({size:,} bytes). The copy was "
            "probably interrupted; copy the file again.",
            file=str(dbf),
        )
    return n_records


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
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise InputFileError(f"Cannot open {path.name}: {exc}", file=str(path)) from exc


def read_vector(
    path: str | Path,
    layer: str | None = None,
    encoding: str | None = "auto",
    max_features: int | None = None,
    pack_min_features: int | None = None,
) -> tuple[gpd.GeoDataFrame, str, EncodingChoice]:
    """Read a vector file as it is (no renaming, no reprojection).

    Returns the frame, the engine that read it (``pyogrio``, ``pyogrio (no arrow)`` or
    ``fiona``) and the encoding choice. A shapefile of at least *pack_min_features* plain
    points or single lines comes with its geometries packed (:mod:`network.packed`: held as
    coordinates, no shapely object made).

    Raises
    ------
    InputFileError
        The file is missing, broken or unreadable by both pyogrio and fiona.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist.", file=str(path))
    is_shp = path.suffix.lower() == ".shp"
    records = _check_shapefile(path) if is_shp else None
    if layer is not None and not is_shp:
        names = list_layers(path)
        if layer not in names:
            raise InputFileError(
                f"{path.name} has no layer {layer!r}; its layers are {', '.join(names)}. "
                f"Name one as {path.name}:LAYER.",
                file=str(path),
                layer=layer,
            )
    enc = detect_encoding(path, encoding)
    open_opts = {"ENCODING": enc.gdal_name} if is_shp else {}
    from network.io.dbf import MIN_RECORDS

    if records is not None and records >= MIN_RECORDS and max_features is None:
        pack = pack_min_features is not None and records >= pack_min_features
        fast = _read_shapefile_fast(path, enc, open_opts, records, pack=pack)
        if fast is not None:
            return fast, "pyogrio", enc
    errors = []
    for use_arrow in (True, False):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                gdf = pyogrio.read_dataframe(
                    path, layer=layer, use_arrow=use_arrow, max_features=max_features, **open_opts
                )
            _keep_warnings(gdf, caught, path)
            return gdf, "pyogrio" if use_arrow else "pyogrio (no arrow)", enc
        except UnicodeDecodeError as exc:
            errors.append(f"pyogrio: {exc}")
            if not is_shp:
                break
            # field names cut at 10 bytes inside a multibyte character: read a repaired copy
            with tempfile.TemporaryDirectory(prefix="pipeatlas-") as tmp:
                fixed = _repair_dbf_field_names(path, Path(tmp), enc.codec)
                try:
                    gdf = pyogrio.read_dataframe(
                        fixed, use_arrow=use_arrow, max_features=max_features, **open_opts
                    )
                except UnicodeDecodeError as again:  # not cut: another encoding altogether
                    raise _undecodable(path, enc.codec, "its field names", again) from again
            return gdf, "pyogrio (field names cut mid-character repaired)", enc
        except (RuntimeError, ValueError, OSError) as exc:  # pyogrio, GDAL and arrow errors
            errors.append(f"pyogrio: {exc}")
            if "layer" in str(exc).lower() and layer is not None and "not found" in str(exc):
                raise InputFileError(
                    f"{path.name} has no layer {layer!r}; its layers are "
                    f"{', '.join(list_layers(path))}.",
                    file=str(path),
                    layer=layer,
                ) from exc
    gdf = _read_with_fiona(path, layer, enc.codec if is_shp else None, max_features, errors)
    if gdf is not None:
        log.warning("pyogrio could not read %s (%s); read with fiona", path, errors[-1])
        return gdf, "fiona", enc
    raise InputFileError(
        f"Cannot read {path.name}{f' layer {layer}' if layer else ''}: neither pyogrio nor "
        "fiona could open it. Check that the file is complete and is a Shapefile, "
        "GeoPackage or GeoJSON.",
        details="\n".join(errors),
        file=str(path),
        layer=layer,
    )


def _read_shapefile_fast(
    path: Path, enc: EncodingChoice, open_opts: dict[str, str], records: int, *, pack: bool
) -> gpd.GeoDataFrame | None:
    """A large plain shapefile: numpy reads the shapes (:mod:`network.io.shp`; GDAL when they
    are not plain points or lines) in a thread while it reads the attribute table
    (:mod:`network.io.dbf`): the same frame as ``pyogrio.read_dataframe``, three times sooner
    at 1M features, its geometries packed where *pack* asks and they can be. None when the
    table is not plain: read it with GDAL."""

    from network.io import dbf as dbfmod

    table_file = _sibling(path, ".dbf")
    index_file = _sibling(path, ".shx")
    assert table_file is not None and index_file is not None  # _check_shapefile made sure

    def shapes() -> tuple[Any, Any]:
        from network.io import shp as shpmod

        geoms = shpmod.read_shp_geometry(path, index_file, records, pack=pack)
        if packedmod.packed(geoms) is not None:
            return geoms, info["crs"]
        if geoms is not None:
            return gpd.array.from_shapely(geoms), info["crs"]
        read = pyogrio.read_dataframe(path, columns=[], use_arrow=True, **open_opts)
        return read.geometry.values, read.crs

    try:
        info = pyogrio.read_info(path, **open_opts)
        names = [str(n) for n in info["fields"]]
        # the shapes are read in a thread (numpy and GDAL let go of the GIL) beside the table
        with warnings.catch_warnings(record=True) as caught, ThreadPoolExecutor(1) as pool:
            warnings.simplefilter("always")
            future = pool.submit(shapes)
            try:
                table = dbfmod.read_dbf_table(table_file, enc.codec, names, list(info["dtypes"]))
            finally:
                geometry, crs = future.result()
        if table is None:
            return None
    except (RuntimeError, ValueError, OSError, UnicodeDecodeError) as exc:
        log.info("%s: fast read declined (%s); read with GDAL", path.name, exc)
        return None
    if len(geometry) != table.num_rows:
        return None
    gdf = gpd.GeoDataFrame(table.to_pandas(), geometry=geometry, crs=crs)
    _keep_warnings(gdf, caught, path)
    return gdf


def _keep_warnings(gdf: gpd.GeoDataFrame, caught: list, path: Path) -> None:
    """GDAL's remarks go to the log (not to the user's terminal) and onto the frame."""
    for w in caught:
        log.info("%s: %s", path.name, w.message)
    gdf.attrs["read_warnings"] = [str(w.message) for w in caught]


def _read_with_fiona(
    path: Path, layer: str | None, codec: str | None, max_features: int | None, errors: list
) -> gpd.GeoDataFrame | None:
    """The second reader: the frame, or ``None`` with the reason appended to ``errors``."""
    try:
        import fiona
        import fiona.errors
    except ImportError as exc:
        errors.append(f"fiona: {exc}")
        return None
    try:
        with fiona.open(path, layer=layer, encoding=codec) as src:
            feats = (
                list(src)
                if max_features is None
                else [f for _, f in zip(range(max_features), src, strict=False)]
            )
            return gpd.GeoDataFrame.from_features(feats, crs=src.crs)
    except (fiona.errors.FionaError, OSError, ValueError, KeyError) as exc:
        errors.append(f"fiona: {exc}")
        return None


def load_layer(
    spec: str | Path,
    kind: str,
    *,
    target_crs: CRS | str | None = None,
    source_crs: CRS | str | None = None,
    encoding: str | None = "auto",
    mapping: dict[str, Any] | None = None,
    offset_datum: str | None = None,
    pack_min_features: int | None = None,
) -> LoadedLayer:
    """Read one layer into the canonical schema of ``kind``, in ``target_crs``.

    Parameters
    ----------
    spec : path, or ``file.gpkg:layer`` (``file.gpkg|layer`` also works); a GeoPackage with
        several layers and none named gives the one layer of the kind's geometry, else an
        error listing its layers
    kind : one of ``network.schema.LAYER_KINDS``
    target_crs : the project CRS (default: the layer's own CRS if projected in metres,
        else the CGCS2000 3° GK CRS of its longitude)
    source_crs : the CRS to assume when the file declares none
    encoding : ``auto`` or an encoding name
    mapping : ``{canonical: source column}`` overrides; unlisted roles are guessed. It may
        also hold ``"units": {role: unit}`` (measured attributes: ``m``, ``ft``, ``ftUS``,
        ``mm``, ``cm``, ``in``; ``"*"`` for all) and, for manholes, ``"outfalls_where"`` /
        ``"plants_where"``: ``{field: [values]}`` selecting features that are outfalls or
        plants too (returned in :attr:`LoadedLayer.derived`)
    offset_datum : ``gcj02`` or ``bd09`` for phone-app longitude/latitude points
    pack_min_features : a shapefile of this many plain points or single lines or more is
        read into packed geometries (:mod:`network.packed`) and stays packed through the
        checks below (``main.py new`` at scale): no shapely object is made for it

    Measured attributes (inverts, ground levels, depths, diameters) are converted to the
    canonical metres / millimetres: levels and depths are taken in the layer's unit (from
    its CRS: metres, feet or US survey feet), diameters in millimetres in a metre layer and
    in inches in a foot layer (SWMM's ``Geom1`` in the layer's unit), unless the column
    name (``管径(mm)``, ``DIAM_IN``) or the mapping's ``units`` says otherwise.

    Features without an id get ``<file stem>#<feature number>`` (``pipes#3``; in a
    GeoPackage ``<file stem>:<layer>#3``), unique across the files of a project.

    Raises
    ------
    InputFileError, SchemaError, CRSError, EncodingError
        The file is damaged (truncated .shp/.shx/.dbf, no geometry at all), names no such
        layer, or its coordinates cannot be in its CRS; the message names the file.

    Examples
    --------
    >>> ll = load_layer("resources/demo/src/pipes_sewage.shp", "pipes")  # doctest: +SKIP
    >>> ll.source.encoding, ll.gdf.crs.to_epsg()  # doctest: +SKIP
    ('gbk', 4525)
    """
    if kind not in LAYER_KINDS:
        raise SchemaError(f"Unknown layer kind {kind!r}; expected one of {LAYER_KINDS}.")
    from network.io import cad

    path, layer = split_layer_spec(spec)
    issues: list[Issue] = []
    if cad.is_cad_spec(spec):  # survey DXF: "管线.dxf:WS=污水,YS=雨水" (CAD layer=value)
        path = cad.split_cad_spec(spec)[0]
        raw, engine, enc = cad.load_cad_layer(spec, kind)
    else:
        if layer is None:
            layer, choice_issues = _choose_layer(path, kind)
            issues += choice_issues
        raw, engine, enc = read_vector(path, layer, encoding, pack_min_features=pack_min_features)
    # the file's digest is taken beside the field mapping and hygiene below (hashlib lets go
    # of the GIL): half a second at a million pipes, off the import's path
    hashing = ThreadPoolExecutor(1)
    digest = hashing.submit(file_sha256, path)
    label = f"{path.name}{f':{layer}' if layer else ''}"
    id_label = f"{path.stem}{f':{layer}' if layer else ''}"
    if engine == "fiona":
        issues.append(
            Issue.make(
                "hygiene",
                "read_with_fiona",
                INFO,
                layer=kind,
                zh=f"{label} 无法用 pyogrio 读取，已改用 fiona 读取",
                en=f"{label} could not be read with pyogrio; read with fiona",
                id=f"hygiene.engine:{kind}",
            )
        )
    geometry_column = getattr(raw, "_geometry_column_name", None)  # None: a plain table
    if geometry_column is None or geometry_column not in raw.columns:
        raise SchemaError(
            f"{label} has no geometry column: it is a table, not a layer of features.",
            file=str(path),
            layer=layer,
        )
    _check_text(raw, path, getattr(enc, "codec", None) or "UTF-8")
    _nested_as_text(raw)
    if any("Measured (M)" in w for w in raw.attrs.get("read_warnings", [])):
        issues.append(
            Issue.make(
                "hygiene",
                "m_dropped",
                INFO,
                layer=kind,
                zh=f"{label}：几何图形的 M 值已去除",
                en=f"{label}: M (measure) values of the geometries were dropped",
                id=f"hygiene.m_dropped:{kind}",
            )
        )
    roles, units_given, where = split_mapping(mapping)
    raw, declared, crs_from = _declare_crs(raw, label, path, layer, source_crs, offset_datum)
    layer_unit = crsmod.linear_unit(declared)
    gdf, full_mapping, field_issues = _apply_fields(raw, kind, label, roles, id_label)
    issues += field_issues
    units = attribute_units(kind, full_mapping, layer_unit, units_given)
    issues += convert_units(gdf, kind, units, file=label)
    gdf, geom_issues = clean_geometries(gdf, kind, file=label, id_col=ID_COLUMN[kind])
    issues += geom_issues
    _check_geometries(gdf, label, path, layer, crs_from)
    issues += _duplicate_id_issues(gdf, kind, label)
    target = _project_crs(gdf) if target_crs is None else crsmod.parse_crs(target_crs)
    if not gdf.crs.equals(target):
        gdf = gdf.to_crs(target)  # geopandas transforms with always_xy: no axis swap
    if kind == PIPES:
        gdf[LENGTH_M] = packedmod.lengths(gdf.geometry) * crsmod.metres_per_unit(target)
    derived, derived_issues = _derived_layers(gdf, kind, where, label)
    issues += derived_issues

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
        sha256=_joined(hashing, digest),
        feature_count=len(raw),
        mapping=dict(full_mapping),
        offset_datum=offset_datum,
        units={"layer": layer_unit, **units} if units else {},
        where=where,
    )
    return LoadedLayer(kind=kind, gdf=gdf, source=source, issues=issues, derived=derived)


_GEOMETRY_FAMILY = {"line": "line", "point": "point", "polygon": "polygon"}


def _geometry_family(geometry_type: Any) -> str | None:
    """``line`` / ``point`` / ``polygon`` of a GDAL geometry type name (None: no geometry)."""
    name = str(geometry_type or "").lower()
    for word, family in (("line", "line"), ("polygon", "polygon"), ("point", "point")):
        if word in name:
            return family
    return None


def _choose_layer(path: Path, kind: str) -> tuple[str | None, list[Issue]]:
    """The layer of a multi-layer file (GeoPackage …) to read when the user named none.

    One layer: read it. Several: the only one with the kind's geometry (with a note);
    otherwise an error listing the layers and how to name one.
    """
    if path.suffix.lower() == ".shp" or not path.exists():
        return None, []
    try:
        infos = [(str(n), t) for n, t in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError):
        return None, []  # read_vector says what is wrong with the file
    if len(infos) <= 1:
        return None, []
    want = GEOMETRY_KIND[kind]
    fits = [n for n, t in infos if _geometry_family(t) == want]
    listing = ", ".join(f"{n} ({t or 'no geometry'})" for n, t in infos)
    if len(fits) == 1:
        note = Issue.make(
            "hygiene",
            "layer_chosen",
            INFO,
            layer=kind,
            zh=f"{path.name} 有 {len(infos)} 个图层，已读取唯一的{want}图层“{fits[0]}”",
            en=f"{path.name} holds {len(infos)} layers; read {fits[0]!r}, its only {want} layer",
            id=f"hygiene.layer_chosen:{kind}:{path.name}",
            layers=[n for n, _t in infos],
        )
        return fits[0], [note]
    example = fits[0] if fits else infos[0][0]
    raise InputFileError(
        f"{path.name} holds {len(infos)} layers ({listing}) and no layer was named"
        f"{f', {len(fits)} of them {want}s' if fits else f', none of them {want}s'}; name the "
        f"one to read as {path.name}:LAYER, e.g. {path.name}:{example}.",
        file=str(path),
    )


def _declare_crs(
    raw: gpd.GeoDataFrame,
    label: str,
    path: Path,
    layer: str | None,
    source_crs: CRS | str | None,
    offset_datum: str | None,
) -> tuple[gpd.GeoDataFrame, CRS, str]:
    """Step 1 of :func:`load_layer`: the CRS the file is in, phone-app offsets removed.

    Returns the frame, the CRS and where it came from (``file`` or ``source_crs``).
    """
    declared = raw.crs
    crs_from = "file"
    # a local (engineering) CRS, as CAD exports write it, says the unit but not the place
    local = declared is not None and declared.is_engineering
    if declared is None or local:
        if source_crs is None:
            what = (
                (f"declares only a local coordinate system ({declared.name}), not where it lies",
                 f"只声明了局部坐标系（{declared.name}），未说明其地理位置")
                if local
                else ("has no CRS (no .prj file or no CRS in the file)",
                      "没有坐标系（缺少 .prj 文件或文件中没有坐标系）")
            )  # fmt: skip
            raise _crs_error(
                packedmod.geometries(raw.geometry),
                f"{label} {what[0]}. Choose the CRS the coordinates are in",
                f"{label} {what[1]}。请选择坐标所用的坐标系",
                path,
                layer,
            )
        declared = crsmod.parse_crs(source_crs)
        raw = raw.set_crs(declared, allow_override=True)
        crs_from = "source_crs"
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
                crs=pyproj.CRS.from_epsg(crsmod.CGCS2000),
            )
        )
    return raw, declared, crs_from


def _crs_error(
    geoms: np.ndarray,
    en: str,
    zh: str,
    path: Path,
    layer: str | None,
    *,
    remedy_en: str = "",
    remedy_zh: str = "",
    feature: str | None = None,
) -> CRSError:
    """A CRS error with the hint the coordinates give (a zone from an 8-digit easting …).

    The error carries structured fields for the GUI: ``message_zh`` (the same in Chinese),
    ``hint`` (:func:`network.io.crs.crs_hint`: ``epsg``, ``en``, ``zh``, ``flag``).
    """
    b = packedmod.bounds(geoms)
    ok = np.isfinite(b).all(axis=1)
    hint = crsmod.crs_hint(b[ok, 0], b[ok, 1])
    if hint["epsg"]:
        tail_en = f" Hint: {hint['en']}; e.g. {hint['flag']}."
        tail_zh = f"提示：{hint['zh']}；例如 {hint['flag']}。"
    else:
        tail_en, tail_zh = f" ({hint['en']}).", f"（{hint['zh']}）。"
    err = CRSError(
        f"{en}.{remedy_en}{tail_en}",
        file=str(path),
        layer=layer,
        feature=feature,
        details=str(hint["en"]),
    )
    err.message_zh = f"{zh}。{remedy_zh}{tail_zh}"  # type: ignore[attr-defined]
    err.hint = hint  # type: ignore[attr-defined]
    return err


def _check_geometries(
    gdf: gpd.GeoDataFrame, label: str, path: Path, layer: str | None, crs_from: str
) -> None:
    """Refuse a layer with no geometry at all, or with coordinates its CRS cannot hold."""
    g = packedmod.geometries(gdf.geometry)  # packed geometries stay coordinates
    if len(g) and packedmod.missing_or_empty(g).all():
        raise SchemaError(
            f"{label}: none of its {len(g):,} features has a usable geometry (all empty, "
            "unreadable or with NaN coordinates). The file is damaged or holds no shapes; "
            "export the layer again.",
            file=str(path),
            layer=layer,
        )
    bad, reason = crsmod.implausible_features(g, gdf.crs)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    fid = int(gdf[SRC_FID].iloc[i])
    c = shapely.get_coordinates(g[i])[0]
    where = "its .prj" if path.suffix.lower() == ".shp" else "the file"
    where_zh = ".prj 文件" if path.suffix.lower() == ".shp" else "文件"
    if crs_from == "source_crs":
        where, where_zh = "--source-crs", "--source-crs"
    prj = crs_from == "file" and path.suffix.lower() == ".shp"
    if bad.sum() < len(g):
        remedy_en = f" Correct or delete these features (feature {fid} first) in the source."
        remedy_zh = f"请在源数据中改正或删除这些要素（先看第 {fid} 个）。"
    elif prj:
        remedy_en = (
            " The declared CRS is probably wrong: remove or correct the .prj, then give the "
            "right one with --source-crs."
        )
        remedy_zh = (
            "声明的坐标系可能有误：请删除或改正 .prj 文件，再用 --source-crs 指定正确的坐标系。"
        )
    else:
        remedy_en = " Give the CRS the coordinates are really in."
        remedy_zh = "请指定坐标实际所用的坐标系。"
    crs_name = crsmod.crs_label(gdf.crs)
    raise _crs_error(
        g,
        f"{label}: coordinates impossible in {crs_name}, the CRS {where} declares: "
        f"{int(bad.sum()):,} of {len(g):,} features lie {reason} (feature {fid} at "
        f"{c[0]:,.1f}, {c[1]:,.1f})",
        f"{label}：坐标不可能属于{where_zh}声明的坐标系 {crs_name}：{len(g):,} 个要素中有 "
        f"{int(bad.sum()):,} 个超出其范围（第 {fid} 个要素位于 {c[0]:,.1f}, {c[1]:,.1f}）",
        path,
        layer,
        remedy_en=remedy_en,
        remedy_zh=remedy_zh,
        feature=str(fid),
    )


def _undecodable(path: Path, codec: str, what: str, exc: Exception) -> EncodingError:
    return EncodingError(
        f"{path.name}: {what} are not text in {codec} ({exc}). Give the encoding the "
        "file was written in with --encoding (e.g. gbk), or leave it at auto.",
        file=str(path),
    )


def _check_text(raw: gpd.GeoDataFrame, path: Path, codec: str) -> None:
    """Refuse text columns that are not valid UTF-8 (GDAL passes the bytes of an encoding
    given wrongly through as they are); Arrow checks a million values in milliseconds."""
    import pyarrow as pa

    for col in raw.columns:
        dtype = raw[col].dtype
        if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
            continue
        try:
            pa.array(raw[col].array).validate(full=True)
        except pa.ArrowInvalid as exc:
            raise _undecodable(path, codec, f"the values of field {col}", exc) from exc


def _nested_as_text(raw: gpd.GeoDataFrame) -> None:
    """List and object values (GeoJSON properties such as ``["a", "b"]``) as their JSON
    text, in place: a field holds text or numbers, and the values stay readable."""
    for col in raw.columns:
        if raw[col].dtype != object or col == raw.geometry.name:
            continue
        values = raw[col].to_numpy()
        nested = [i for i, v in enumerate(values) if isinstance(v, list | dict | np.ndarray)]
        if not nested:
            continue
        out = values.copy()
        for i in nested:
            out[i] = json.dumps(values[i], ensure_ascii=False, default=_json_plain)
        raw[col] = out


def _json_plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else str(value)


def _apply_fields(
    raw: gpd.GeoDataFrame, kind: str, label: str, mapping: Mapping | None, id_label: str
) -> tuple[gpd.GeoDataFrame, Mapping, list[Issue]]:
    """Step 2 of :func:`load_layer`: canonical columns, values and ids (raw keeps its CRS)."""
    raw = raw.reset_index(drop=True)
    raw[SRC_FID] = np.arange(len(raw), dtype=np.int64)
    columns = [c for c in raw.columns if c not in (raw.geometry.name, SRC_FID)]
    full_mapping = guess_mapping(kind, columns, raw)
    if mapping:
        full_mapping.update(mapping)
    id_col = ID_COLUMN[kind]
    gdf, issues = apply_mapping(raw, kind, full_mapping, file=label, id_col=id_col)
    node_type_col = full_mapping.get(NODE_TYPE)
    if kind == MANHOLES and gdf[SYSTEM].isna().all() and node_type_col:
        # 类型 = 污水井 / 雨水井: the manhole's system comes from its type
        gdf[SYSTEM], _ = normalise_column(raw[node_type_col], "system", node_type_col)
    if full_mapping.get(id_col) is None or gdf[id_col].isna().all():
        issues += _generate_ids(gdf, kind, label, id_label)
    else:
        missing = gdf[id_col].isna().to_numpy()
        if missing.any():
            gdf.loc[missing, id_col] = [f"{id_label}#{int(i)}" for i in np.flatnonzero(missing)]
    gdf = gpd.GeoDataFrame(gdf, geometry=raw.geometry.name, crs=raw.crs)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    return gdf, full_mapping, issues


def _generate_ids(gdf: pd.DataFrame, kind: str, label: str, id_label: str) -> list[Issue]:
    """Name the features of a layer without an id field ``<file stem>#<feature>``, in place.

    The feature number is the 0-based one every message uses, so the ids are unique across
    the files of a project and say where each feature came from.
    """
    gdf[ID_COLUMN[kind]] = np.char.add(f"{id_label}#", np.arange(len(gdf)).astype(str)).astype(
        object
    )
    if not len(gdf):
        return []
    return [
        Issue.make(
            "hygiene",
            "generated_ids",
            INFO,
            layer=kind,
            zh=f"{label} 没有编号字段，已按要素序号生成编号（{id_label}#0…）",
            en=f"{label} has no id field; ids {id_label}#0… (file and feature number) were "
            "generated",
            id=f"hygiene.generated_ids:{kind}:{id_label}",
        )
    ]


def _derived_layers(
    gdf: gpd.GeoDataFrame, kind: str, where: dict[str, dict[str, list[Any]]], label: str
) -> tuple[dict[str, gpd.GeoDataFrame], list[Issue]]:
    """Features that are outfalls / plants too (the mapping's ``outfalls_where`` …).

    Each becomes a feature of that kind whose id and node are the feature's id (so the
    network attaches it to that very node); an outfall of a rain manhole is a rain outfall.
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    issues: list[Issue] = []
    if not where:
        return out, issues
    if kind != MANHOLES:
        raise SchemaError(
            f"{label}: outfalls_where / plants_where select features of a manhole layer; "
            f"this is a {kind} layer.",
            layer=kind,
        )
    own = set(ROLE_ALIASES[kind])
    for dkind, rule in where.items():
        sel = select_where(gdf, rule, file=label)
        sub = gdf.loc[sel]
        rule_text = " and ".join(f"{f} in {vals}" for f, vals in rule.items())
        if not len(sub):
            issues.append(
                Issue.make(
                    "hygiene",
                    "where_matched_nothing",
                    WARNING,
                    layer=kind,
                    zh=f"{label}：没有要素满足 {rule_text}，未生成{dkind}",
                    en=f"{label}: no feature has {rule_text}; no {dkind} came from this layer",
                    id=f"hygiene.where:{kind}:{dkind}",
                )
            )
            continue
        keep = [c for c in sub.columns if c not in own]
        frame = sub[keep].reset_index(drop=True)
        ids = sub[ID_COLUMN[kind]].to_numpy(dtype=object)
        roles = ROLE_ALIASES[dkind]
        for role in roles:
            frame[role] = pd.Series([None] * len(frame), dtype=object)
        frame[ID_COLUMN[dkind]] = ids
        frame[NODE_ID] = ids
        if dkind == OUTFALLS:
            system = sub[SYSTEM].to_numpy(dtype=object)
            frame[OUTFALL_CLASS] = np.where(system == RAIN, "rain", None).astype(object)
        out[dkind] = gpd.GeoDataFrame(frame, geometry="geometry", crs=gdf.crs)
        issues.append(
            Issue.make(
                "hygiene",
                "features_as_" + dkind,
                INFO,
                [str(v) for v in ids[:50]],
                kind,
                zh=f"{label}：{len(sub)} 个满足 {rule_text} 的要素同时作为{dkind}"
                "（仍保留为检查井）",
                en=f"{label}: {len(sub)} feature(s) with {rule_text} are {dkind} too (and stay "
                "manholes)",
                id=f"hygiene.where:{kind}:{dkind}",
                count=len(sub),
            )
        )
    return out, issues


def _duplicate_id_issues(gdf: gpd.GeoDataFrame, kind: str, label: str) -> list[Issue]:
    """Step 3 of :func:`load_layer`: one finding per id used by several point/line features."""
    id_col = ID_COLUMN[kind]
    if GEOMETRY_KIND[kind] == "polygon" or _all_distinct(gdf[id_col]):
        return []
    dups = gdf[id_col].duplicated(keep=False) & gdf[id_col].notna()
    if not dups.any():
        return []
    issues = []
    for ident, grp in gdf[dups].groupby(id_col, sort=True):
        fids = ", ".join(str(int(f)) for f in grp[SRC_FID])
        issues.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                WARNING,
                [ident],
                kind,
                zh=f"{label} 编号“{ident}”重复（第 {fids} 个要素）",
                en=f"{label}: id {ident!r} is used by features {fids}",
                id=f"hygiene.duplicate_id:{kind}:{ident}",
                src_fids=[int(f) for f in grp[SRC_FID]],
            )
        )
    return issues


def _all_distinct(ids: pd.Series) -> bool:
    """No id is used twice (missing ones aside): Arrow hashes a million text ids in a
    fraction of pandas' time; False when unsure (ids that are not all text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(ids.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    present = len(values) - values.null_count
    return len(pc.unique(values.drop_null())) == present


def _project_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """Step 4 of :func:`load_layer`: the layer's CRS if metric, else the one of its place
    (the centre of the box around its first thousand shapes)."""
    geoms = packedmod.geometries(gdf.geometry)
    first = geoms[np.flatnonzero(~pd.isna(geoms))[:1000]]
    # no shape at all (a file without features): the place is not known
    x0, y0, x1, y1 = packedmod.total_bounds(first) if len(first) else (np.nan,) * 4
    lon, lat = (
        crsmod.transformer(gdf.crs, pyproj.CRS.from_epsg(4490)).transform(
            (x0 + x1) / 2, (y0 + y1) / 2
        )
        if np.isfinite(x0)
        else (112.0, 28.0)
    )
    return crsmod.choose_project_crs(gdf.crs, float(lon), float(lat))


def empty_layer(kind: str, crs: CRS | None) -> gpd.GeoDataFrame:
    """An empty frame with the canonical columns of ``kind``."""
    from network.schema import SRC_PART

    cols = {SRC_FID: pd.Series([], dtype="int64"), SRC_PART: pd.Series([], dtype="int64")}
    for role in ROLE_ALIASES[kind]:
        cols[role] = pd.Series([], dtype=object)
    if kind == PIPES:
        cols[LENGTH_M] = pd.Series([], dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
