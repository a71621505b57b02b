"""The project file: one ordinary GeoPackage holding layers, field mapping, CRS and settings.

Layers are named by kind (``pipes``, ``manholes`` …) and open in QGIS like any GeoPackage.
PipeAtlas keeps its own tables beside them, registered as GeoPackage attribute tables:
``pa_project`` (key/value: format, schema version, CRS, settings), ``pa_layers`` (where each
layer came from: file, SHA-256, encoding and why, engine, field mapping) and ``pa_issues``
(hygiene notes of the import). Surveys and the ledger add ``sv_*`` tables. Every one of them
is a GeoPackage ``attributes`` table (listed in ``gpkg_contents``, an ``INTEGER PRIMARY KEY``
``fid``), so QGIS and GDAL list them as valid, geometry-less layers.

Source paths in ``pa_layers`` are stored relative to the project file (``src/pipes.shp``;
absolute only where no relative path exists, e.g. another Windows drive) and are resolved
against the project's folder when the project is opened, so a project carries no paths of
the machine that built it.

Source columns keep their names, except where a GeoPackage reserves the name: a column named
``fid``, ``geom`` or ``geometry`` (any case; exports of a GeoPackage by QGIS or ogr2ogr often
carry an ordinary ``fid`` column), PipeAtlas's own ``src_file``, or one differing from another
column only in case is kept as ``NAME_1`` (``NAME_2`` … if taken). Each such rename is recorded
with the layer's sources in ``pa_layers`` (``"renamed": {"fid": "fid_1"}``), shown by
``info --json`` (``layers.KIND.renamed``), and :attr:`Project.mapping` names the kept column.

Creating and saving are atomic: everything is written to a temporary file in the same folder,
flushed, then moved over the target with :func:`os.replace`. An interrupted or failed import
leaves no project file and never touches the source files (a temporary file left by a killed
writer is removed by the next write). SQLite connections, the write lock, the schema versions
of every PipeAtlas table and the "is this a project" check live in :mod:`network.io.gpkg`;
this module is the only other one that writes the file.

New and Open give the same in-memory project: :func:`conform_layer` gives every layer the same
column order and dtypes whichever way it was made (text roles: object holding ``str`` or
``None``; number roles: ``float64``; flags: object holding ``bool`` or ``None``; geometry
last).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network import heap
from network import packed as packedmod
from network.errors import NetworkError, ProjectError, SchemaError
from network.graph import _no_gc
from network.io import arrow_write, forked, gpkg, spatial_index, topology
from network.io import crs as crsmod
from network.io.read import LayerSource, empty_layer, load_layer
from network.issues import Issue
from network.lazy import lazy_module
from network.progress import Progress, drain
from network.schema import (
    ID_COLUMN,
    LAYER_KINDS,
    LENGTH_M,
    MANHOLES,
    PIPES,
    ROLE_ALIASES,
    SRC_FID,
    SRC_PART,
)

if TYPE_CHECKING:
    from pyproj import CRS

# loaded on first use: `info` reads the file's tables only and needs none of them
gpd = lazy_module("geopandas", globals())
pd = lazy_module("pandas", globals())
pyogrio = lazy_module("pyogrio", globals())
pyogrio_errors = lazy_module("pyogrio.errors", globals())
pyproj = lazy_module("pyproj", globals())

log = logging.getLogger(__name__)
PROJECT_FORMAT = gpkg.PROJECT_FORMAT
#: Version of the project tables (``pa_*``). 1: first layout. 2: ``pa_layers`` sources hold
#: paths relative to the project and the ``renamed`` columns (an older PipeAtlas refuses the
#: file instead of misreading it).
SCHEMA_VERSION = 2
APP_VERSION = "0.1.0"
DEFAULT_SETTINGS: dict[str, Any] = {
    "snap_tolerance_m": 0.05,
    "attach_distance_m": 50.0,
}
SRC_FILE = "src_file"
#: The largest snap tolerance a project takes: pipe ends this far apart are not one manhole.
MAX_SNAP_TOLERANCE_M = 100.0


def check_snap_tolerance(value: Any) -> float:
    """*value* as a snap tolerance in metres, from 0 to :data:`MAX_SNAP_TOLERANCE_M`.

    Raises
    ------
    SchemaError
        Not a number in that range (NaN and infinities included).
    """
    try:
        metres = float(value)
    except (TypeError, ValueError):
        metres = float("nan")
    if not 0.0 <= metres <= MAX_SNAP_TOLERANCE_M:
        raise SchemaError(
            f"Snap tolerance {value} m: give a distance from 0 to {MAX_SNAP_TOLERANCE_M:g} m.",
            field="snap_tolerance_m",
        )
    return metres


@dataclass
class Project:
    """An open project: layers in the project CRS plus what the project knows about them."""

    path: Path
    crs: CRS
    layers: dict[str, gpd.GeoDataFrame]
    sources: dict[str, list[LayerSource]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    issues: list[Issue] = field(default_factory=list)
    created: str = ""
    schema_version: int = SCHEMA_VERSION
    #: per kind, source columns kept under another name: ``{"pipes": {"fid": "fid_1"}}``
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)

    def layer(self, kind: str) -> gpd.GeoDataFrame:
        """The layer of ``kind``, or an empty frame with its canonical columns."""
        if kind in self.layers:
            return self.layers[kind]
        return empty_layer(kind, self.crs)

    @property
    def mapping(self) -> dict[str, list[dict[str, str | None]]]:
        """The field mapping of each source of each layer, naming the columns as the layers
        hold them (a reserved source column such as ``fid`` by its kept name ``fid_1``)."""
        out = {}
        for kind, srcs in self.sources.items():
            renamed = self.renamed.get(kind, {})
            out[kind] = [
                {role: renamed.get(col, col) if col else col for role, col in s.mapping.items()}
                for s in srcs
            ]
        return out

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (what ``main.py info --json`` prints)."""
        layers = {}
        for kind in LAYER_KINDS:
            if kind not in self.layers:
                continue
            gdf = self.layers[kind]
            b = packedmod.total_bounds(gdf) if len(gdf) else [None] * 4
            layers[kind] = {
                "count": len(gdf),
                # + 0.0: a -0.0 bound reads 0.0 (packed layers break the tie otherwise)
                "extent": [None if v is None or not np.isfinite(v) else float(v) + 0.0 for v in b],
                "sources": [s.to_dict() for s in self.sources.get(kind, [])],
                "renamed": dict(self.renamed.get(kind, {})),
            }
        return {
            "path": str(self.path),
            "format": PROJECT_FORMAT,
            "schema_version": self.schema_version,
            "crs": crsmod.crs_label(self.crs),
            "epsg": self.crs.to_epsg(),
            "created": self.created,
            "settings": self.settings,
            "layers": layers,
            "extent": [float(v) + 0.0 for v in self.extent()],
            "hygiene": [i.to_dict() for i in self.issues],
        }

    def extent(self) -> tuple[float, float, float, float]:
        """Bounds of all layers together."""
        boxes = [packedmod.total_bounds(g) for g in self.layers.values() if len(g)]
        boxes = [b for b in boxes if np.all(np.isfinite(b))]
        if not boxes:
            return (0.0, 0.0, 1.0, 1.0)
        a = np.array(boxes)
        return (a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max())


# --- create ------------------------------------------------------------------------------------
def create_project_job(
    path: str | Path,
    inputs: AbcMapping[str, Sequence[str | Path]],
    *,
    crs: str | CRS | None = None,
    source_crs: str | CRS | None = None,
    encoding: str = "auto",
    mapping: AbcMapping[str, dict[str, str | None]] | None = None,
    offsets: AbcMapping[str, str] | None = None,
    settings: AbcMapping[str, Any] | None = None,
    overwrite: bool = False,
    discard_surveys: bool = False,
    pack: bool = False,
) -> Generator[Progress, None, Project]:
    """Import layers into a new project GeoPackage (a generator yielding progress).

    Parameters
    ----------
    path : the project file to create (``.gpkg``)
    inputs : ``{kind: [file or file.gpkg:layer, …]}``; several files of a kind are merged
    crs : the project CRS; default: the pipes' CRS if projected in metres
    source_crs : CRS to assume for files that declare none
    encoding : ``auto`` or an encoding applied to every shapefile
    mapping : ``{kind: {canonical: source column}}`` overrides
    offsets : ``{kind: "gcj02" | "bd09"}`` for phone-app points
    settings : project settings (snap tolerance …)
    overwrite : replace an existing file
    discard_surveys : with ``overwrite``, also replace a project that holds survey records
        or ledger problems (they are lost)
    pack : hold the pipes and manholes of a large import (:data:`PACK_MIN_FEATURES`) as
        coordinates once they are read and checked (:mod:`network.packed`): the file and
        the network are the same, the import's peak memory is lower, and the returned
        project makes shapely objects when something asks for them (``main.py new``, which
        only writes the file, packs; the window, which draws them next, does not)

    Raises
    ------
    ProjectError
        The target exists (and ``overwrite`` is false), holds survey records (and
        ``discard_surveys`` is false), is a folder, lies in a missing folder, or cannot be
        written.
    InputFileError, SchemaError, CRSError, EncodingError
        A source file is bad; the message names the file, layer, feature and field.
    """
    path = Path(path)
    _check_target(path, overwrite=overwrite, discard_surveys=discard_surveys)
    _check_inputs(inputs)
    if settings and "snap_tolerance_m" in settings:
        check_snap_tolerance(settings["snap_tolerance_m"])
    target = crsmod.parse_crs(crs) if crs is not None else None
    with _no_gc(), _EarlyPipes(path) as early:
        read = yield from _read_inputs(
            inputs,
            target,
            source_crs=source_crs,
            encoding=encoding,
            mapping=mapping or {},
            offsets=offsets or {},
            on_layer=early.layer_read,
            pack=pack,
        )
        layers, sources, issues, target, renamed = read
        project = Project(
            path=path,
            crs=target,
            layers=layers,  # conformed as read
            sources=sources,
            settings={**DEFAULT_SETTINGS, **(settings or {})},
            issues=issues,
            created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            renamed=renamed,
        )
        yield 1.0 - 1.0 / (sum(len(v) for v in inputs.values()) + 1), "Writing the project"
        try:
            _write_atomically(project, path, base=None, early=early)
        except OSError as exc:
            raise ProjectError(f"Cannot write {path}: {exc}", file=str(path)) from exc
    yield 1.0, "Done"
    return project


def create_project(
    path: str | Path, inputs: AbcMapping[str, Sequence[str | Path]], **kw: Any
) -> Project:
    """Run :func:`create_project_job` to the end and return the project."""
    return drain(create_project_job(path, inputs, **kw))


def _check_target(path: Path, *, overwrite: bool, discard_surveys: bool) -> None:
    """Refuse a target that cannot or must not be written (before any source is read)."""
    if path.is_dir():
        raise ProjectError(
            f"{path} is a folder; give the project file to create, e.g. {path / 'park.gpkg'}.",
            file=str(path),
        )
    if path.suffix.lower() != ".gpkg":
        raise ProjectError(f"A project is a GeoPackage: name it *.gpkg (got {path.name}).")
    if not path.parent.is_dir():
        raise ProjectError(
            f"The folder {path.parent} does not exist; create it first or choose another "
            f"place for {path.name}.",
            file=str(path),
        )
    if not path.exists():
        return
    if not overwrite:
        raise ProjectError(
            f"{path} already exists; choose another name or pass --force to replace it.",
            file=str(path),
        )
    records = _records_in(path)
    if records and not discard_surveys:
        held = ", ".join(f"{n} in {t}" for t, n in records.items())
        raise ProjectError(
            f"{path.name} holds survey records and ledger problems ({held}) that replacing it "
            "would delete. Export the ledger first (python main.py ledger export …) and pass "
            "--discard-surveys together with --force to replace the project anyway.",
            file=str(path),
        )


def _records_in(path: Path) -> dict[str, int]:
    """User records in an existing file; none when it is no readable SQLite file."""
    try:
        return gpkg.count_records(path)
    except gpkg.ProjectLockedError:
        raise
    except ProjectError:
        return {}


def _check_inputs(inputs: AbcMapping[str, Sequence[str | Path]]) -> None:
    unknown = set(inputs) - set(LAYER_KINDS)
    if unknown:
        raise SchemaError(f"Unknown layer kind(s) {sorted(unknown)}; expected {LAYER_KINDS}.")
    if not inputs.get(PIPES):
        raise SchemaError("A project needs a pipe layer (--pipes FILE).")
    for kind, files in inputs.items():
        seen: dict[str, str | Path] = {}
        for f in files:
            p = Path(str(f))
            if not p.exists() and not (":" in str(f) and Path(str(f).rsplit(":", 1)[0]).exists()):
                raise NetworkError(f"{f} does not exist (given as the {kind} layer).", file=str(f))
            # the same file twice would import each of its features twice
            key = str(p.resolve()) if p.exists() else str(f)
            if key in seen:
                raise SchemaError(
                    f"{f} is given twice as the {kind} layer (also as {seen[key]}); give each "
                    "file once.",
                    file=str(f),
                    layer=kind,
                )
            seen[key] = f


if TYPE_CHECKING:  # an annotation only: geopandas loads when a layer is read
    _Read = tuple[
        dict[str, gpd.GeoDataFrame],
        dict[str, list[LayerSource]],
        list[Issue],
        CRS,
        dict[str, dict[str, str]],
    ]


def _read_inputs(
    inputs: AbcMapping[str, Sequence[str | Path]],
    target: CRS | None,
    *,
    source_crs: str | CRS | None,
    encoding: str,
    mapping: AbcMapping[str, dict[str, str | None]],
    offsets: AbcMapping[str, str],
    on_layer: Callable[[str, gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None,
    pack: bool = False,
) -> Generator[Progress, None, _Read]:
    """Read every source file (merging several files of a kind); the CRS of the first file
    read becomes the project CRS when none is given. Each layer is conformed
    (:func:`conform_layer`), and with *pack* a large pipes or manholes layer is packed
    (:func:`network.packed.pack_layer`); ``on_layer(kind, frame)`` sees it once it is whole
    and gives the frame to keep."""
    total = sum(len(inputs[k]) for k in LAYER_KINDS if inputs.get(k))
    done = 0
    layers: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, list[LayerSource]] = {}
    issues: list[Issue] = []
    renamed: dict[str, dict[str, str]] = {}
    # features another layer's mapping marks as this kind ("outfalls_where" on manholes):
    # manholes come before outfalls and plants in LAYER_KINDS, so they are ready in time
    pending: dict[str, list[tuple[gpd.GeoDataFrame, str]]] = {}
    for kind in LAYER_KINDS:
        if not inputs.get(kind) and kind not in pending:
            continue
        parts: list[gpd.GeoDataFrame] = []
        names: list[str] = []
        for f in inputs.get(kind) or ():
            yield done / (total + 1), f"Reading {kind}: {Path(str(f)).name}"
            loaded = load_layer(
                f,
                kind,
                target_crs=target,
                source_crs=source_crs,
                encoding=encoding,
                mapping=mapping.get(kind),
                offset_datum=offsets.get(kind),
                # one large file read packed (several are packed once merged, below)
                pack_min_features=PACK_MIN_FEATURES
                if pack and kind in PACKED_KINDS and len(inputs[kind]) == 1
                else None,
            )
            if target is None:
                target = loaded.gdf.crs
            parts.append(loaded.gdf)
            names.append(Path(loaded.source.path).name)
            sources.setdefault(kind, []).append(loaded.source)
            issues += loaded.issues
            for dkind, dgdf in loaded.derived.items():
                if len(dgdf):
                    pending.setdefault(dkind, []).append((dgdf, names[-1]))
            done += 1
        for dgdf, name in pending.pop(kind, ()):
            parts.append(dgdf.to_crs(target) if dgdf.crs is not None else dgdf)
            names.append(name)
        merged = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        # the sources' own columns named like the file's reserved ones (or our src_file)
        merged, renames = safe_columns(merged, kind, reserved=(SRC_FILE,))
        if renames:
            renamed[kind] = renames
        merged[SRC_FILE] = np.repeat(np.array(names, dtype=object), [len(p) for p in parts])
        # in the types the project holds, once (conforming again still scans every value)
        layers[kind] = conform_layer(
            gpd.GeoDataFrame(merged, geometry="geometry", crs=target), kind
        )
        if len(parts) > 1:
            issues += _duplicate_ids_across_files(kind, layers[kind])
        if pack and kind in PACKED_KINDS and len(layers[kind]) >= PACK_MIN_FEATURES:
            parts = merged = loaded = None  # the shapely objects go with the frames holding them
            layers[kind] = packedmod.pack_layer(layers[kind])
            heap.trim()  # the freed objects' pages go back now, not at the next reuse
        if on_layer is not None:
            layers[kind] = on_layer(kind, layers[kind])
    assert target is not None
    return layers, sources, issues, target, renamed


#: The layers ``create_project_job(pack=True)`` packs, from this many features.
PACKED_KINDS = (PIPES, MANHOLES)
PACK_MIN_FEATURES = 100_000


_TEXT = ("string", "empty")


def _id_text(v: Any) -> str:
    """Text of an id or code (``12.0`` → ``"12"``, as the reader turns numbers into ids)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _as_objects(s: pd.Series, cast: Any) -> pd.Series:
    """``cast(value)`` for the present values, ``None`` for the missing ones (object dtype).

    A typed column that repeats its values casts each distinct value once and its rows share
    the result. An object column is cast row by row: there ``1``, ``1.0`` and ``True`` hash
    alike and would share one text.
    """
    from network.io.fields import repeats_values, shared_objects

    if s.dtype != object and repeats_values(s):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        values = pd.Series(uniques).to_numpy(dtype=object, na_value=None)
        out = shared_objects(codes, [cast(v) for v in values])
        return pd.Series(out, index=s.index, dtype=object, name=s.name, copy=False)
    present = s.notna().to_numpy()
    values = s.to_numpy(dtype=object, na_value=None)
    out = np.empty(len(s), dtype=object)
    out[present] = [cast(v) for v in values[present]]
    return pd.Series(out, index=s.index, dtype=object, name=s.name)


def conform_layer(gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Give a layer the in-memory types every project has, however it was made.

    Canonical columns get their role's type: text roles (ids, codes, names) object holding
    ``str`` or ``None``; numbers ``float64``; flags object holding ``bool`` or ``None``. The
    source's own columns keep the reader's types. The geometry column comes last.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"node_id": [1, None], "depth_m": ["2.5", None]},
    ...                      geometry=[Point(0, 0), Point(1, 1)])
    >>> out = conform_layer(g, "manholes")
    >>> out["node_id"].tolist(), out["depth_m"].dtype.name
    (['1', None], 'float64')
    """
    out = conform_columns(gdf, kind)
    geom = out.geometry.name
    if out.columns[-1] != geom:
        out = out[[c for c in out.columns if c != geom] + [geom]]
    return out


def conform_columns(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The role types of :func:`conform_layer`, on the columns *df* has.

    Text converted here (Arrow strings, numbers read for an id) holds one ``str`` object per
    distinct value where a column repeats its values (a system, a material, a node type):
    at a million pipes that is one object instead of a million for a column of one value.
    """
    from network.io.fields import all_none, text_objects

    roles = ROLE_ALIASES.get(kind, {})
    out = df
    changes: dict[str, pd.Series] = {}
    for col, (vtype, _aliases) in roles.items():
        if col not in out.columns:
            continue
        s = out[col]
        empty = all_none(s)  # a role no source column fills: nothing to look at value by value
        if vtype in ("float", "capacity"):
            if empty:
                changes[col] = pd.Series(np.full(len(s), np.nan), index=s.index, name=col)
            elif s.dtype != np.float64:
                changes[col] = pd.to_numeric(s, errors="coerce").astype(np.float64)
        elif empty:
            continue
        elif vtype == "bool":
            changes[col] = _as_objects(s, bool)
        elif pd.api.types.infer_dtype(s, skipna=True) not in _TEXT:
            changes[col] = _as_objects(s, _id_text)
        elif s.dtype != object:  # arrow strings: one object per distinct value where they repeat
            changes[col] = text_objects(s, strip=False)
        elif s.isna().any():  # NaN where None is meant
            changes[col] = s.astype(object).where(s.notna(), None)
    if changes:
        out = out.assign(**changes)
    return out


def _duplicate_ids_across_files(kind: str, gdf: gpd.GeoDataFrame) -> list[Issue]:
    id_col = ID_COLUMN[kind]
    out = []
    dup = gdf[id_col].duplicated(keep=False) & gdf[id_col].notna()
    if not dup.any():
        return out
    for ident, grp in gdf[dup].groupby(id_col, sort=True):
        files = sorted(set(grp[SRC_FILE]))
        if len(files) < 2:
            continue
        out.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                "warning",
                [ident],
                kind,
                zh=f"编号“{ident}”在多个文件中重复：{'、'.join(files)}",
                en=f"id {ident!r} appears in several files: {', '.join(files)}",
                id=f"hygiene.duplicate_id:{kind}:{ident}",
            )
        )
    return out


# --- column names a GeoPackage layer cannot take -------------------------------------------------
def safe_columns(
    gdf: gpd.GeoDataFrame, kind: str, *, reserved: Sequence[str] = ()
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Rename the columns a GeoPackage layer cannot hold; return the frame and the renames.

    A column named like the layer's FID or geometry column (``fid``, ``geom``, ``geometry``,
    any case, see :data:`network.io.gpkg.RESERVED_COLUMNS`) or one of ``reserved``, or one
    differing from another column only in case (SQLite column names ignore case), is renamed
    to ``NAME_1`` (``NAME_2`` … when taken). PipeAtlas's own columns (the canonical roles of
    ``kind``, ``src_fid``, ``src_part``, ``length_m``, ``src_file`` and the geometry) keep
    their names; of two source columns the later one is renamed.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"fid": [7.0], "GEOM": ["x"], "编号": ["J1"]}, geometry=[Point(0, 0)])
    >>> out, renames = safe_columns(g, "manholes")
    >>> renames
    {'fid': 'fid_1', 'GEOM': 'GEOM_1'}
    >>> list(out.columns)
    ['fid_1', 'GEOM_1', '编号', 'geometry']
    """
    geom = gdf.geometry.name
    extra = {str(r).lower() for r in reserved}
    protected = {geom, *ROLE_ALIASES.get(kind, {}), SRC_FID, SRC_PART, LENGTH_M, SRC_FILE}
    protected = {c for c in protected if c == geom or c.lower() not in extra}
    banned = {c.lower() for c in gpkg.RESERVED_COLUMNS} | extra
    cols = [str(c) for c in gdf.columns]
    taken = {c.lower() for c in cols} | banned
    kept = {c.lower() for c in cols if c in protected}
    renames: dict[str, str] = {}
    for col in cols:
        if col in protected:
            continue
        key = col.lower()
        if key in banned or key in kept:
            new = gpkg.safe_column_name(col, taken)
            taken.add(new.lower())
            renames[col] = new
        else:
            kept.add(key)
    if not renames:
        return gdf, {}
    return gdf.rename(columns=renames), renames


# --- write -------------------------------------------------------------------------------------
def _writable(gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Make a frame safe for GeoPackage: no reserved or case-duplicate column names (see
    :func:`safe_columns`; :func:`_note_renames` records them), plain dtypes."""
    out = safe_columns(gdf, kind)[0]
    out = out.copy(deep=False)  # copy-on-write: the converted columns never reach gdf
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if s.dtype == object:
            inferred = pd.api.types.infer_dtype(s, skipna=True)
            if inferred == "boolean":
                out[col] = s.map(lambda v: None if v is None else int(bool(v))).astype("Int64")
            elif inferred not in ("string", "empty"):
                out[col] = s.map(lambda v: None if v is None or v != v else str(v))
    return out


def _meta_connection(path: Path) -> sqlite3.Connection:
    return gpkg.connect(path, write=True)


_META_DDL = (
    "CREATE TABLE IF NOT EXISTS pa_project (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
    "key TEXT UNIQUE NOT NULL, value TEXT)",
    "CREATE TABLE IF NOT EXISTS pa_layers (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
    "kind TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pa_issues (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
    "issue_id TEXT, layer TEXT, kind TEXT, severity TEXT, message_zh TEXT, message_en TEXT, "
    "issue TEXT NOT NULL)",
)
_META_DESC = {
    "pa_project": "PipeAtlas project settings",
    "pa_layers": "PipeAtlas layer sources and field mapping",
    "pa_issues": "PipeAtlas import notes",
}


def _create_meta_tables(con: sqlite3.Connection) -> None:
    """Version 1 of the project tables (frozen: add a step to the registry instead)."""
    for ddl in _META_DDL:
        con.execute(ddl)
    for table, desc in _META_DESC.items():
        gpkg.register_attributes(con, table, desc)


def _database_file(con: sqlite3.Connection) -> Path:
    row = con.execute("PRAGMA database_list").fetchone()
    return Path(row[2])


def _v1_to_v2(con: sqlite3.Connection) -> None:
    """Source paths relative to the project; an empty ``renamed`` per source."""
    project_path = _database_file(con)
    for fid, text in con.execute("SELECT fid, source FROM pa_layers").fetchall():
        d = json.loads(text)
        d["path"] = stored_source_path(str(d.get("path") or ""), project_path)
        d.setdefault("renamed", {})
        con.execute(
            "UPDATE pa_layers SET source = ? WHERE fid = ?",
            (json.dumps(d, ensure_ascii=False), fid),
        )


PROJECT_SCHEMA = gpkg.register_schema(
    gpkg.SchemaGroup(
        name="project",
        label="project tables",
        tables=tuple(_META_DESC),
        version=SCHEMA_VERSION,
        version_table=gpkg.PROJECT_META_TABLE,
        steps={0: _create_meta_tables, 1: _v1_to_v2},
    )
)


def stored_source_path(source: str, project_path: str | Path) -> str:
    """A source path as ``pa_layers`` stores it: relative to the project's folder, with ``/``.

    Absolute only when no relative path exists (another drive on Windows).

    Examples
    --------
    >>> stored_source_path("/data/park/src/pipes.shp", "/data/park/park.gpkg")
    'src/pipes.shp'
    >>> stored_source_path("/data/survey/pipes.shp", "/data/park/park.gpkg")
    '../survey/pipes.shp'
    """
    if not source:
        return source
    folder = os.path.abspath(Path(project_path).parent)
    try:
        rel = os.path.relpath(os.path.abspath(source), folder)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(source)
    return Path(rel).as_posix()


def shown_source_path(stored: str, project_path: str | Path) -> str:
    """A stored source path as shown: a relative one resolved against the project's folder.

    Examples
    --------
    >>> shown_source_path("src/pipes.shp", "/data/park/park.gpkg")
    '/data/park/src/pipes.shp'
    >>> shown_source_path("/old/pipes.shp", "/data/park/park.gpkg")
    '/old/pipes.shp'
    """
    if not stored or os.path.isabs(stored) or Path(stored).is_absolute():
        return stored
    folder = os.path.abspath(Path(project_path).parent)
    return os.path.normpath(os.path.join(folder, stored))


def _source_row(kind: str, src: LayerSource, project: Project, path: Path) -> str:
    d = src.to_dict()
    d["path"] = stored_source_path(str(d.get("path") or ""), path)
    d["renamed"] = dict(project.renamed.get(kind, {}))
    return json.dumps(d, ensure_ascii=False)


def write_meta(con: sqlite3.Connection, project: Project, path: str | Path | None = None) -> None:
    """Write the project's own tables inside one transaction of ``con``.

    ``path`` is where the project file will be (default ``project.path``): source paths
    are stored relative to its folder.
    """
    target = Path(path) if path is not None else project.path
    _create_meta_tables(con)
    values = {
        "format": PROJECT_FORMAT,
        "schema_version": str(SCHEMA_VERSION),  # the layout written here
        "app_version": APP_VERSION,
        "crs": project.crs.to_wkt(),
        "crs_epsg": str(project.crs.to_epsg() or ""),
        "settings": _settings_text(project),
        "created": project.created,
        "layers": json.dumps(sorted(project.layers), ensure_ascii=False),
    }
    con.executemany(
        "INSERT INTO pa_project (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )
    con.execute("DELETE FROM pa_layers")
    con.executemany(
        "INSERT INTO pa_layers (kind, seq, source) VALUES (?, ?, ?)",
        [
            (kind, i, _source_row(kind, s, project, target))
            for kind, srcs in project.sources.items()
            for i, s in enumerate(srcs)
        ],
    )
    con.execute("DELETE FROM pa_issues")
    con.executemany(
        "INSERT INTO pa_issues (issue_id, layer, kind, severity, message_zh, message_en, issue) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i.id,
                i.layer,
                i.kind,
                i.severity,
                i.message_zh,
                i.message_en,
                json.dumps(i.to_dict(), ensure_ascii=False, default=str),
            )
            for i in project.issues
        ],
    )


def _tmp_path(path: Path) -> Path:
    return gpkg.tmp_path(path)


def _reusable(project: Project, checked: Any) -> bool:
    """*checked* was built from the project's very frames (no build needed to store it)."""
    return checked is not None and all(
        checked.network.layers.get(k) is project.layers.get(k) for k in topology.NETWORK_LAYERS
    )


def _checked_for_store(project: Project, checked: Any) -> Any:
    """The checked network to store with the project: *checked* when it was built from the
    project's very frames, else a fresh build; None without pipes or when the build fails
    (the file is then written without a stored network)."""
    if PIPES not in project.layers:
        return None
    if _reusable(project, checked):
        return checked
    from network.state import build_checked_network

    try:
        return build_checked_network(project.layers, project.settings, project.crs)
    except NetworkError as exc:
        log.info("the network of %s was not stored: %s", project.path.name, exc)
        return None


#: Pipes from which ``new`` writes the layers in a forked child beside the network build.
FORK_MIN_PIPES = 100_000


def _overlap_write(project: Project, checked: Any) -> bool:
    """Write the layers in a child while the network is built (both long, both needed)?"""
    pipes = project.layers.get(PIPES)
    if pipes is None or len(pipes) < FORK_MIN_PIPES or not forked.can_fork():
        return False
    return not _reusable(project, checked)  # a build is due


#: GDAL's SQLite settings in a forked writer: its file is a temporary one, flushed to disk
#: whole before it is renamed into place, so SQLite need not sync each batch it commits; and
#: a page cache of 256 MB instead of GDAL's default (a tenth less time for a million pipes).
WRITER_SQLITE = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_CACHE": "256"}


def _write_in_child(
    layers: AbcMapping[str, Any],
    tmp: Path,
    kinds: Sequence[str] | None,
    *,
    target: Path,
    index: AbcMapping[str, bool | spatial_index.Plan] | None = None,
) -> None:
    """:func:`_write_layers` of a new file, in a forked child (see :data:`WRITER_SQLITE`)."""
    pyogrio.set_gdal_config_options(WRITER_SQLITE)
    _write_layers(layers, tmp, kinds, copied=False, target=target, index=index)


class _EarlyPipes:
    """``new`` at scale: a forked child writes the pipes layer into the temporary file as
    soon as it is read, while this process reads the other layers and builds the network;
    a second child (:meth:`write_rest`) writes the other layers once the first has ended.
    Writing a million pipes and a million manholes takes GDAL about six seconds: begun this
    early, it ends a second or so after the build, and the network is encoded meanwhile.

    The first child writes the pipes' rows alone. The second packs the spatial indexes of
    the pipes and of its own layers (:mod:`network.io.spatial_index`) while it waits for the
    first, then writes the pipes' index and its layers: the packing, half a second a
    layer at a million features, is off the writers' path.

    A context manager: leaving it before :meth:`join` (a later file is bad, the build
    failed) kills the child and removes the temporary file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = _tmp_path(path)
        self.kinds: tuple[str, ...] = ()
        self._child: forked.ForkedCall | None = None
        self._ended_fd: int | None = None  # read end of a pipe the child holds open
        self._joined = False
        # the geometries (and given fids) of the layers written without their index
        self._unindexed: dict[str, tuple[Any, np.ndarray | None]] = {}

    @property
    def started(self) -> bool:
        return self._child is not None

    def layer_read(self, kind: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The hook of :func:`_read_inputs`: the pipes, once whole, go to a writing child."""
        if kind != PIPES or len(gdf) < FORK_MIN_PIPES or not forked.can_fork():
            return gdf
        gpkg.remove_stale_tmp(self.path)
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()
        ended_r, ended_w = os.pipe()  # the child holds ended_w: EOF here once it has ended
        try:
            # the table made ready here: the child starts writing at once (made in the child,
            # beside this process's reads, it took three times as long, and the writers
            # ended after the build)
            ready = {kind: _ready(gdf, kind)}
            later = {k: layer for k, layer in ready.items() if _indexed_here(layer, k)}
            write = functools.partial(
                _write_in_child, target=self.path, index=dict.fromkeys(later, False)
            )
            self._child = forked.ForkedCall(write, ready, self.tmp, (kind,))
            self._unindexed = {
                k: (layer.geometry, arrow_write.index_fids(layer, _LAYER_OPTIONS))
                for k, layer in later.items()
            }
            del ready, later
        except BaseException:
            os.close(ended_r)
            raise
        finally:
            os.close(ended_w)
        self._ended_fd = ended_r
        self.kinds = (kind,)
        return gdf

    def write_rest(self, layers: AbcMapping[str, Any], kinds: Sequence[str]) -> forked.ForkedCall:
        """A second child writing the first child's indexes and *kinds* once the first has
        ended (SQLite takes one writer)."""
        assert self._ended_fd is not None
        unindexed, self._unindexed = self._unindexed, {}
        write = functools.partial(_write_when_ended, unindexed=unindexed, target=self.path)
        return forked.ForkedCall(write, self._ended_fd, layers, self.tmp, kinds)

    def join(self) -> None:
        """Wait for the child; raises its error."""
        assert self._child is not None
        self._joined = True
        self._child.join()

    def __enter__(self) -> _EarlyPipes:
        return self

    def stop(self) -> None:
        """Kill and reap the child if it was not joined (the file is left to the caller)."""
        if self._child is not None and not self._joined:
            self._child.abandon()

    def __exit__(self, *exc: object) -> None:
        if self._child is not None and not self._joined:
            self._child.abandon()
            for leftover in (self.tmp, gpkg.journal_path(self.tmp)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        if self._ended_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._ended_fd)
            self._ended_fd = None


def _indexed_here(layer: Any, kind: str) -> bool:
    """Is *layer* (as :func:`_ready` made it) indexed by :mod:`network.io.spatial_index`?"""
    return isinstance(layer, arrow_write.PreparedLayer) and arrow_write.wants_index(
        layer, _LAYER_OPTIONS, kind
    )


def _write_when_ended(
    ended_fd: int,
    layers: AbcMapping[str, Any],
    tmp: Path,
    kinds: Sequence[str],
    *,
    unindexed: AbcMapping[str, tuple[Any, np.ndarray | None]],
    target: Path,
) -> None:
    """In the last writing child: pack the spatial indexes of the layers the first writer
    wrote without (*unindexed*: their geometries and fids) and of *kinds* (made ready by the
    parent);
    wait until the first writer has ended (EOF on *ended_fd*); write those indexes, then
    *kinds*; then flush the file to disk while the parent still builds (its own flush at the
    end then has only the network left to write)."""
    written: dict[str, spatial_index.Plan] = {}
    for kind, (geometry, fids) in unindexed.items():
        with _writing(target, kind):
            written[kind] = spatial_index.plan(packedmod.bounds(geometry), fids=fids)
    planned: dict[str, bool | spatial_index.Plan] = {}
    for kind, layer in layers.items():
        if kind in kinds and _indexed_here(layer, kind):
            with _writing(target, kind):
                planned[kind] = arrow_write.index_plan(layer, _LAYER_OPTIONS)
    while os.read(ended_fd, 1 << 10):
        pass
    for kind, plan in written.items():
        with _writing(target, kind):
            spatial_index.write(tmp, kind, plan)
    _write_in_child(layers, tmp, kinds, target=target, index=planned)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())


def _note_renames(project: Project, kinds: Sequence[str] | None) -> None:
    """Record the columns :func:`_write_layers` renames (columns added since the import, by
    edits), here in this process: the layers may be written by a child."""
    for kind, gdf in project.layers.items():
        if kinds is None or kind in kinds:
            renames = safe_columns(gdf, kind)[1]
            if renames:
                project.renamed.setdefault(kind, {}).update(renames)


def _settings_text(project: Project) -> str:
    return json.dumps(project.settings, ensure_ascii=False, sort_keys=True)


def _write_atomically(
    project: Project,
    path: Path,
    base: Path | None,
    kinds: Sequence[str] | None = None,
    checked: Any = None,
    early: _EarlyPipes | None = None,
) -> None:
    tmp = _tmp_path(path)
    if early is None or not early.started:
        gpkg.remove_stale_tmp(path)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    try:
        with contextlib.ExitStack() as stack:
            if base is not None:
                # hold the write lock of the original from the copy to the rename, so no survey
                # record committed by another window in between can be lost
                stack.enter_context(gpkg.write_lock(base))
                shutil.copyfile(base, tmp)
            _note_renames(project, kinds)
            encoded = None
            if base is None and early is not None and early.started:
                # the pipes are being written by a child since they were read; another
                # writes the rest after it, while this process builds the network
                wanted = LAYER_KINDS if kinds is None else kinds
                rest = [k for k in LAYER_KINDS if k in wanted and k in project.layers]
                rest = [k for k in rest if k not in early.kinds]
                with contextlib.ExitStack() as writers:
                    # on a failure both children are stopped before the file is removed
                    writers.callback(early.stop)
                    # made ready here, where the objects are: the child would copy every
                    # page of them it touched (and the build has time to spare)
                    ready = {k: _ready(project.layers[k], k) for k in rest}
                    # (with no other layer, it still writes the pipes' index)
                    after = early.write_rest(ready, rest)
                    del ready  # the child has its own
                    writers.enter_context(after)
                    store = _checked_for_store(project, checked)
                    # encoded while the writers finish (at scale they end after the build;
                    # the tables, 165 MB at a million pipes, stay below the build's peak)
                    encoded = topology.encode(store) if store is not None else None
                    early.join()
                    after.join()
            elif base is None and _overlap_write(project, checked):
                # a new file: a forked child writes the layers while this process builds the
                # network (GDAL's writer holds the GIL; at 1M pipes each takes ~10 s)
                write = functools.partial(_write_in_child, target=path)
                with forked.ForkedCall(write, project.layers, tmp, kinds) as writer:
                    store = _checked_for_store(project, checked)
                    writer.join()
            else:
                _write_layers(project.layers, tmp, kinds, copied=base is not None, target=path)
                store = _checked_for_store(project, checked)
            con = _meta_connection(tmp)
            try:
                with gpkg.transaction(con, tmp):
                    write_meta(con, project, path)
                    if store is not None:
                        topology.write_topology(
                            con,
                            store,
                            settings_text=_settings_text(project),
                            crs_wkt=project.crs.to_wkt(),
                            encoded=encoded,
                        )
                        encoded = None
                    else:
                        topology.drop_topology(con)
            finally:
                con.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            project.schema_version = SCHEMA_VERSION
            if base is None:  # a new file (``new``): a command's process frees them at its end
                heap.leave_to_exit(store, encoded)
    except BaseException:
        for leftover in (tmp, gpkg.journal_path(tmp)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    project.path = path


def _write_errors() -> tuple[type[BaseException], ...]:
    e = pyogrio_errors
    return (e.DataSourceError, e.DataLayerError, e.FieldError, e.FeatureError, e.GeometryError)


#: How every layer is written into a project file.
_LAYER_OPTIONS = {
    "OVERWRITE": "YES",
    "SPATIAL_INDEX": "YES",
    "FID": gpkg.FID_COLUMN,
    "GEOMETRY_NAME": gpkg.GEOMETRY_COLUMN,
}


def _ready(layer: gpd.GeoDataFrame | arrow_write.PreparedLayer, kind: str) -> Any:
    """*layer* made writable (:func:`_writable`) and, where it can be, ready for GDAL's
    Arrow writer (:func:`network.io.arrow_write.prepare_layer`)."""
    if isinstance(layer, arrow_write.PreparedLayer):
        return layer
    frame = _writable(layer, kind)
    return arrow_write.prepare_layer(frame) or frame


def _write_layers(
    layers: AbcMapping[str, gpd.GeoDataFrame | arrow_write.PreparedLayer],
    tmp: Path,
    kinds: Sequence[str] | None,
    *,
    copied: bool,
    target: Path,
    index: AbcMapping[str, bool | spatial_index.Plan] | None = None,
) -> None:
    """Write the layers of ``kinds`` (all by default) into ``tmp``; drop removed ones.
    *index* says of a layer that its spatial index is packed already, or left for later
    (see :func:`network.io.arrow_write.write_prepared`).

    Raises
    ------
    ProjectError
        GDAL or SQLite refused a layer (the message names the project file and the layer).
    """
    existing = set(_gpkg_layers(tmp)) if copied else set()
    for kind in LAYER_KINDS:
        if kinds is not None and kind not in kinds:
            continue
        if kind in layers:
            with _writing(target, kind):
                arrow_write.write_layer(
                    _ready(layers[kind], kind),
                    tmp,
                    kind,
                    _LAYER_OPTIONS,
                    index=(index or {}).get(kind, True),
                )
        elif kind in existing:
            _drop_layer(tmp, kind)


@contextlib.contextmanager
def _writing(target: Path, kind: str) -> Iterator[None]:
    """GDAL's or SQLite's refusal to write layer *kind* of *target* as a ProjectError."""
    try:
        yield
    except (*_write_errors(), sqlite3.Error, spatial_index.SpatialIndexError) as exc:
        raise ProjectError(
            f"{target.name}: cannot write layer {kind}: {exc}",
            file=str(target),
            layer=kind,
            details=str(exc),
        ) from exc


def _gpkg_layers(path: Path) -> list[str]:
    try:
        return [str(n) for n, _ in pyogrio.list_layers(path)]
    except (pyogrio_errors.DataSourceError, OSError):  # a new file has no layers
        return []


def _drop_layer(path: Path, kind: str) -> None:
    con = _meta_connection(path)
    try:
        with gpkg.transaction(con, path):
            con.execute(f'DROP TABLE IF EXISTS "{kind}"')
            for t in ("gpkg_contents", "gpkg_geometry_columns"):
                con.execute(f"DELETE FROM {t} WHERE table_name = ?", (kind,))
    finally:
        con.close()


def save_project(
    project: Project,
    path: str | Path | None = None,
    kinds: Sequence[str] | None = None,
    *,
    checked: Any = None,
) -> None:
    """Save the project atomically (to its own path, or ``path`` = Save As).

    The existing file is copied under its write lock, the changed layers (``kinds``, default
    all) and the project tables are rewritten in the copy, and the copy replaces the file in
    one rename, so survey tables in the file are kept and a crash leaves the old file intact.
    The built network is stored with it (:mod:`network.io.topology`): ``checked`` when it
    was built from the project's current frames (the window has one), else a fresh build.

    Raises
    ------
    ProjectError
        The file cannot be written (locked by another program, folder missing …).
    """
    target = Path(path) if path is not None else project.path
    base = project.path if project.path.exists() else None
    if target.is_dir() or not target.parent.is_dir():
        why = "it is a folder" if target.is_dir() else f"the folder {target.parent} is missing"
        raise ProjectError(f"Cannot save the project to {target}: {why}.", file=str(target))
    try:
        _write_atomically(project, target, base, kinds, checked)
    except OSError as exc:
        raise ProjectError(
            f"Cannot save the project to {target}: {exc}", file=str(target)
        ) from exc


# --- open --------------------------------------------------------------------------------------
def read_meta(path: str | Path) -> dict[str, str]:
    """The key/value table of a project (see :func:`network.io.gpkg.read_project_meta`).

    Raises
    ------
    ProjectError
        The file is missing, not SQLite/GeoPackage, not a PipeAtlas project, damaged,
        locked, or written by a newer PipeAtlas.
    """
    return gpkg.read_project_meta(path)


def is_project(path: str | Path) -> bool:
    """True when ``path`` is a PipeAtlas project file."""
    try:
        read_meta(path)
    except ProjectError:
        return False
    return True


def open_project(path: str | Path, kinds: Sequence[str] | None = None) -> Project:
    """Open a project file.

    Parameters
    ----------
    path : the ``.gpkg`` project
    kinds : read only these layer kinds (default all)

    Raises
    ------
    ProjectError
        The file is not a PipeAtlas project or is damaged.
    """
    path = Path(path)
    meta = read_meta(path)
    crs = pyproj.CRS.from_wkt(meta["crs"])
    if meta.get("crs_epsg"):
        with contextlib.suppress(Exception):
            crs = pyproj.CRS.from_epsg(int(meta["crs_epsg"]))
    present = set(_gpkg_layers(path))
    layers = {}
    for kind in LAYER_KINDS:
        if kind not in present or (kinds is not None and kind not in kinds):
            continue
        try:
            gdf = pyogrio.read_dataframe(path, layer=kind, use_arrow=True)
        except (pyogrio_errors.DataSourceError, pyogrio_errors.DataLayerError, OSError) as exc:
            raise ProjectError(
                f"{path.name}: cannot read layer {kind}: {exc}", file=str(path), layer=kind
            ) from exc
        layers[kind] = conform_layer(gdf.set_crs(crs, allow_override=True), kind)
    sources, issues, renamed = _read_notes(path)
    return Project(
        path=path,
        crs=crs,
        layers=layers,
        sources=sources,
        settings={**DEFAULT_SETTINGS, **json.loads(meta.get("settings") or "{}")},
        issues=issues,
        created=meta.get("created", ""),
        schema_version=int(meta.get("schema_version", SCHEMA_VERSION)),
        renamed=renamed,
    )


def read_layer_columns(path: str | Path, kind: str, columns: Sequence[str]) -> pd.DataFrame:
    """Only *columns* of the layer *kind* (those it has), typed as :func:`open_project`
    types them, without geometry: a statistic over a million pipes reads what it counts.

    Raises
    ------
    ProjectError
        The layer cannot be read.
    """
    path = Path(path)
    try:
        info = pyogrio.read_info(path, layer=kind, force_feature_count=True)
        names = set(info["fields"].tolist())
        wanted = [c for c in columns if c in names]
        if not wanted:  # none of them: as many rows, no columns
            return pd.DataFrame(index=pd.RangeIndex(int(info["features"])))
        df = pyogrio.read_dataframe(
            path, layer=kind, columns=wanted, read_geometry=False, use_arrow=True
        )
    except (pyogrio_errors.DataSourceError, pyogrio_errors.DataLayerError, OSError) as exc:
        raise ProjectError(
            f"{path.name}: cannot read layer {kind}: {exc}", file=str(path), layer=kind
        ) from exc
    return conform_columns(pd.DataFrame(df[wanted]), kind)


def describe_project(path: str | Path) -> dict[str, Any]:
    """What :meth:`Project.summary` says, read from the file's tables alone (no feature).

    Counts come from GDAL's ``gpkg_ogr_contents`` (else ``count(*)``), extents from
    ``gpkg_contents``; sources, mapping, renames and hygiene notes from ``pa_*``.

    Raises
    ------
    ProjectError
        The file is not a readable PipeAtlas project.
    """
    path = Path(path)
    meta = read_meta(path)
    crs = pyproj.CRS.from_wkt(meta["crs"])
    if meta.get("crs_epsg"):
        with contextlib.suppress(Exception):
            crs = pyproj.CRS.from_epsg(int(meta["crs_epsg"]))
    con = gpkg.connect(path)
    try:
        rows = con.execute(
            "SELECT table_name, min_x, min_y, max_x, max_y FROM gpkg_contents "
            "WHERE data_type = 'features'"
        ).fetchall()
        present = {r[0]: r[1:] for r in rows}
        counts = topology.feature_counts(con)
        for kind in LAYER_KINDS:
            if kind in present and kind not in counts:
                counts[kind] = int(con.execute(f'SELECT count(*) FROM "{kind}"').fetchone()[0])
    except sqlite3.Error as exc:
        raise gpkg.sqlite_error(exc, path) from exc
    finally:
        con.close()
    sources, issues, renamed = _read_notes(path)
    layers = {}
    boxes = []
    for kind in LAYER_KINDS:
        if kind not in present:
            continue
        n = counts.get(kind, 0)
        box = [None if v is None or not np.isfinite(v) else float(v) for v in present[kind]]
        if not n:
            box = [None] * 4
        elif None not in box:
            boxes.append(box)
        layers[kind] = {
            "count": n,
            "extent": box,
            "sources": [s.to_dict() for s in sources.get(kind, [])],
            "renamed": dict(renamed.get(kind, {})),
        }
    if boxes:
        a = np.array(boxes)
        extent = [a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max()]
    else:
        extent = [0.0, 0.0, 1.0, 1.0]
    return {
        "path": str(path),
        "format": PROJECT_FORMAT,
        "schema_version": int(meta.get("schema_version", SCHEMA_VERSION)),
        "crs": crsmod.crs_label(crs),
        "epsg": crs.to_epsg(),
        "created": meta.get("created", ""),
        "settings": {**DEFAULT_SETTINGS, **json.loads(meta.get("settings") or "{}")},
        "layers": layers,
        "extent": [float(v) for v in extent],
        "hygiene": [i.to_dict() for i in issues],
    }


_SOURCE_FIELDS = frozenset(f.name for f in dataclasses.fields(LayerSource))


def _read_notes(
    path: Path,
) -> tuple[dict[str, list[LayerSource]], list[Issue], dict[str, dict[str, str]]]:
    """The layer sources and column renames (``pa_layers``) and import notes (``pa_issues``)
    of a project; relative source paths resolved against the project's folder."""
    con = gpkg.connect(path)
    try:
        srows = con.execute("SELECT kind, source FROM pa_layers ORDER BY kind, seq").fetchall()
        irows = con.execute("SELECT issue FROM pa_issues ORDER BY fid").fetchall()
    except sqlite3.Error as exc:
        raise gpkg.sqlite_error(exc, path) from exc
    finally:
        con.close()
    sources: dict[str, list[LayerSource]] = {}
    renamed: dict[str, dict[str, str]] = {}
    for kind, src in srows:
        d = json.loads(src)
        if d.get("renamed"):
            renamed.setdefault(kind, {}).update(d["renamed"])
        d["path"] = shown_source_path(str(d.get("path") or ""), path)
        sources.setdefault(kind, []).append(
            LayerSource(**{k: v for k, v in d.items() if k in _SOURCE_FIELDS})
        )
    return sources, [Issue.from_dict(json.loads(r[0])) for r in irows], renamed
