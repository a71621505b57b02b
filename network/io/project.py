"""The project file: one ordinary GeoPackage holding layers, field mapping, CRS and settings.

Layers are named by kind (``pipes``, ``manholes`` …) and open in QGIS like any GeoPackage.
PipeAtlas keeps its own tables beside them, registered as GeoPackage attribute tables:
``pa_project`` (key/value: format, schema version, CRS, settings), ``pa_layers`` (where each
layer came from: file, SHA-256, encoding and why, engine, field mapping) and ``pa_issues``
(hygiene notes of the import). Surveys and the ledger add ``sv_*`` tables.

Creating and saving are atomic: everything is written to a temporary file in the same folder,
flushed, then moved over the target with :func:`os.replace`. An interrupted or failed import
leaves no project file and never touches the source files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
from collections.abc import Generator, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from network.errors import NetworkError, ProjectError, SchemaError
from network.io import crs as crsmod
from network.io.read import LayerSource, empty_layer, load_layer
from network.issues import Issue
from network.progress import Progress, drain
from network.schema import ID_COLUMN, LAYER_KINDS, PIPES, ROLE_ALIASES

PROJECT_FORMAT = "pipeatlas-project"
SCHEMA_VERSION = 1
APP_VERSION = "0.1.0"
DEFAULT_SETTINGS: dict[str, Any] = {
    "snap_tolerance_m": 0.05,
    "attach_distance_m": 50.0,
}
SRC_FILE = "src_file"


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

    def layer(self, kind: str) -> gpd.GeoDataFrame:
        """The layer of ``kind``, or an empty frame with its canonical columns."""
        if kind in self.layers:
            return self.layers[kind]
        return empty_layer(kind, self.crs)

    @property
    def mapping(self) -> dict[str, list[dict[str, str | None]]]:
        """The field mapping used for each source of each layer."""
        return {k: [s.mapping for s in v] for k, v in self.sources.items()}

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (what ``main.py info --json`` prints)."""
        layers = {}
        for kind in LAYER_KINDS:
            if kind not in self.layers:
                continue
            gdf = self.layers[kind]
            b = gdf.total_bounds if len(gdf) else [None] * 4
            layers[kind] = {
                "count": len(gdf),
                "extent": [None if v is None or not np.isfinite(v) else float(v) for v in b],
                "sources": [s.to_dict() for s in self.sources.get(kind, [])],
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
            "extent": [float(v) for v in self.extent()],
            "hygiene": [i.to_dict() for i in self.issues],
        }

    def extent(self) -> tuple[float, float, float, float]:
        """Bounds of all layers together."""
        boxes = [g.total_bounds for g in self.layers.values() if len(g)]
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

    Raises
    ------
    ProjectError
        The target exists (and ``overwrite`` is false) or cannot be written.
    InputFileError, SchemaError, CRSError, EncodingError
        A source file is bad; the message names the file, layer, feature and field.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ProjectError(f"A project is a GeoPackage: name it *.gpkg (got {path.name}).")
    if path.exists() and not overwrite:
        raise ProjectError(
            f"{path} already exists; choose another name or pass --force to replace it.",
            file=str(path),
        )
    unknown = set(inputs) - set(LAYER_KINDS)
    if unknown:
        raise SchemaError(f"Unknown layer kind(s) {sorted(unknown)}; expected {LAYER_KINDS}.")
    if not inputs.get(PIPES):
        raise SchemaError("A project needs a pipe layer (--pipes FILE).")
    for kind, files in inputs.items():
        for f in files:
            p = Path(str(f))
            if not p.exists() and not (":" in str(f) and Path(str(f).rsplit(":", 1)[0]).exists()):
                raise NetworkError(f"{f} does not exist (given as the {kind} layer).", file=str(f))

    mapping = mapping or {}
    offsets = offsets or {}
    target = crsmod.parse_crs(crs) if crs is not None else None
    order = [k for k in LAYER_KINDS if inputs.get(k)]
    total = sum(len(inputs[k]) for k in order)
    done = 0
    layers: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, list[LayerSource]] = {}
    issues: list[Issue] = []
    for kind in order:
        parts = []
        for f in inputs[kind]:
            yield done / (total + 1), f"Reading {kind}: {Path(str(f)).name}"
            loaded = load_layer(
                f,
                kind,
                target_crs=target,
                source_crs=source_crs,
                encoding=encoding,
                mapping=mapping.get(kind),
                offset_datum=offsets.get(kind),
            )
            if target is None:
                target = loaded.gdf.crs
            gdf = loaded.gdf
            gdf[SRC_FILE] = Path(loaded.source.path).name
            parts.append(gdf)
            sources.setdefault(kind, []).append(loaded.source)
            issues += loaded.issues
            done += 1
        merged = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        layers[kind] = gpd.GeoDataFrame(merged, geometry="geometry", crs=target)
        if len(parts) > 1:
            issues += _duplicate_ids_across_files(kind, layers[kind])

    assert target is not None
    project = Project(
        path=path,
        crs=target,
        layers=layers,
        sources=sources,
        settings={**DEFAULT_SETTINGS, **(settings or {})},
        issues=issues,
        created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    yield total / (total + 1), "Writing the project"
    _write_atomically(project, path, base=None)
    yield 1.0, "Done"
    return project


def create_project(
    path: str | Path, inputs: AbcMapping[str, Sequence[str | Path]], **kw: Any
) -> Project:
    """Run :func:`create_project_job` to the end and return the project."""
    return drain(create_project_job(path, inputs, **kw))


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
            Issue(
                id=f"hygiene.duplicate_id:{kind}:{ident}",
                category="hygiene",
                kind="duplicate_id",
                severity="warning",
                feature_ids=(str(ident),),
                layer=kind,
                x=None,
                y=None,
                message_zh=f"编号“{ident}”在多个文件中重复：{'、'.join(files)}",
                message_en=f"id {ident!r} appears in several files: {', '.join(files)}",
            )
        )
    return out


# --- write -------------------------------------------------------------------------------------
def _writable(gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Make a frame safe for GeoPackage: unique column names ignoring case, plain dtypes."""
    out = gdf.copy()
    canonical = set(ROLE_ALIASES.get(kind, {}))
    seen: dict[str, str] = {}
    renames = {}
    for col in out.columns:
        key = str(col).lower()
        if key in seen:
            victim = col if col not in canonical else seen[key]
            renames[victim] = f"{victim}_src"
        seen[key] = col
    if renames:
        out = out.rename(columns=renames)
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
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 30000")
    return con


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


def _register_attributes(con: sqlite3.Connection, table: str, description: str) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES (?, 'attributes', ?, ?, ?)",
        (table, table, description, now),
    )


def write_meta(con: sqlite3.Connection, project: Project) -> None:
    """Write the project's own tables inside one transaction of ``con``."""
    for ddl in _META_DDL:
        con.execute(ddl)
    for table, desc in _META_DESC.items():
        _register_attributes(con, table, desc)
    values = {
        "format": PROJECT_FORMAT,
        "schema_version": str(project.schema_version),
        "app_version": APP_VERSION,
        "crs": project.crs.to_wkt(),
        "crs_epsg": str(project.crs.to_epsg() or ""),
        "settings": json.dumps(project.settings, ensure_ascii=False, sort_keys=True),
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
            (kind, i, json.dumps(s.to_dict(), ensure_ascii=False))
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
    return path.with_name(f".{path.stem}.tmp-{os.getpid()}.gpkg")


def _write_atomically(
    project: Project, path: Path, base: Path | None, kinds: Sequence[str] | None = None
) -> None:
    tmp = _tmp_path(path)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    lock = None
    try:
        if base is not None:
            # hold the write lock of the original from the copy to the rename, so no survey
            # record committed by another window in between can be lost
            lock = _meta_connection(base)
            lock.execute("BEGIN IMMEDIATE")
            shutil.copyfile(base, tmp)
        existing = set(_gpkg_layers(tmp)) if base is not None else set()
        for kind in LAYER_KINDS:
            if kinds is not None and kind not in kinds:
                continue
            if kind in project.layers:
                gdf = _writable(project.layers[kind], kind)
                pyogrio.write_dataframe(
                    gdf,
                    tmp,
                    layer=kind,
                    driver="GPKG",
                    layer_options={"OVERWRITE": "YES", "SPATIAL_INDEX": "YES"},
                    use_arrow=True,
                )
            elif kind in existing:
                _drop_layer(tmp, kind)
        con = _meta_connection(tmp)
        try:
            con.execute("BEGIN IMMEDIATE")
            write_meta(con, project)
            con.execute("COMMIT")
        finally:
            con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    finally:
        if lock is not None:
            lock.execute("ROLLBACK")
            lock.close()
    project.path = path


def _gpkg_layers(path: Path) -> list[str]:
    try:
        return [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - a new file has no layers
        return []


def _drop_layer(path: Path, kind: str) -> None:
    con = _meta_connection(path)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute(f'DROP TABLE IF EXISTS "{kind}"')
        for t in ("gpkg_contents", "gpkg_geometry_columns"):
            con.execute(f"DELETE FROM {t} WHERE table_name = ?", (kind,))
        con.execute("COMMIT")
    finally:
        con.close()


def save_project(
    project: Project, path: str | Path | None = None, kinds: Sequence[str] | None = None
) -> None:
    """Save the project atomically (to its own path, or ``path`` = Save As).

    The existing file is copied, the changed layers (``kinds``, default all) and the project
    tables are rewritten in the copy, and the copy replaces the file in one rename, so survey
    tables in the file are kept and a crash leaves the old file intact.

    Raises
    ------
    ProjectError
        The file cannot be written.
    """
    target = Path(path) if path is not None else project.path
    base = project.path if project.path.exists() else None
    try:
        _write_atomically(project, target, base, kinds)
    except OSError as exc:
        raise ProjectError(
            f"Cannot save the project to {target}: {exc}", file=str(target)
        ) from exc


# --- open --------------------------------------------------------------------------------------
def read_meta(path: str | Path) -> dict[str, str]:
    """The key/value table of a project.

    Raises
    ------
    ProjectError
        The file is missing, not SQLite/GeoPackage, or not a PipeAtlas project.
    """
    path = Path(path)
    if not path.exists():
        raise ProjectError(f"{path} does not exist.", file=str(path))
    with path.open("rb") as fh:
        magic = fh.read(16)
    if magic != b"SQLite format 3\x00":
        raise ProjectError(
            f"{path.name} is not a PipeAtlas project (not a GeoPackage file). "
            "Create one with: python main.py new PROJECT.gpkg --pipes FILE",
            file=str(path),
        )
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute("SELECT key, value FROM pa_project").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{path.name} is a GeoPackage but not a PipeAtlas project (no pa_project table). "
            "Create a project from its layers with: python main.py new PROJECT.gpkg --pipes "
            f"{path.name}:LAYER",
            file=str(path),
        ) from exc
    finally:
        con.close()
    meta = dict(rows)
    if meta.get("format") != PROJECT_FORMAT:
        raise ProjectError(f"{path.name} is not a PipeAtlas project.", file=str(path))
    version = int(meta.get("schema_version", "0") or 0)
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path.name} was written by a newer PipeAtlas (project schema {version}; this "
            f"version reads up to {SCHEMA_VERSION}). Update PipeAtlas.",
            file=str(path),
        )
    return meta


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
    crs = CRS.from_wkt(meta["crs"])
    if meta.get("crs_epsg"):
        with contextlib.suppress(Exception):
            crs = CRS.from_epsg(int(meta["crs_epsg"]))
    present = set(_gpkg_layers(path))
    layers = {}
    for kind in LAYER_KINDS:
        if kind not in present or (kinds is not None and kind not in kinds):
            continue
        try:
            gdf = pyogrio.read_dataframe(path, layer=kind, use_arrow=True)
        except Exception as exc:
            raise ProjectError(
                f"{path.name}: cannot read layer {kind}: {exc}", file=str(path), layer=kind
            ) from exc
        id_col = ID_COLUMN[kind]
        if id_col in gdf.columns:
            gdf[id_col] = gdf[id_col].astype(object).where(gdf[id_col].notna(), None)
        layers[kind] = gdf.set_crs(crs, allow_override=True)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        srows = con.execute("SELECT kind, source FROM pa_layers ORDER BY kind, seq").fetchall()
        irows = con.execute("SELECT issue FROM pa_issues ORDER BY fid").fetchall()
    finally:
        con.close()
    sources: dict[str, list[LayerSource]] = {}
    for kind, src in srows:
        sources.setdefault(kind, []).append(LayerSource(**json.loads(src)))
    return Project(
        path=path,
        crs=crs,
        layers=layers,
        sources=sources,
        settings={**DEFAULT_SETTINGS, **json.loads(meta.get("settings") or "{}")},
        issues=[Issue.from_dict(json.loads(r[0])) for r in irows],
        created=meta.get("created", ""),
        schema_version=int(meta.get("schema_version", SCHEMA_VERSION)),
    )
