"""A layer written by GDAL's Arrow writer from a table made ready for it.

``pyogrio.write_dataframe`` infers each column's type and each feature's geometry type
before it hands GDAL an Arrow table: a second of work for a million pipes, and in ``new``'s
forked writers (see :class:`network.io.project._EarlyPipes`) it walks, and so copies, pages
of the parent's Python objects. :func:`prepare_layer` makes the same table straight from
the frames a project holds: numbers, text (object columns of ``str``/``None`` as
:func:`network.io.project._writable` leaves them, or Arrow strings), nullable integers,
dates, and one 2-D geometry type. For anything else (3-D, mixed single and multi types,
time zones …) it returns None and :func:`write_layer` hands the frame to
``pyogrio.write_dataframe``. The file is the same either way
(``tests/network/test_arrow_write.py`` compares them table by table).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network.io import spatial_index
from network.lazy import lazy_module

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow

pa = lazy_module("pyarrow", globals())
pd = lazy_module("pandas", globals())
pyogrio = lazy_module("pyogrio", globals())
shapely = lazy_module("shapely", globals())

#: shapely's type ids of the types a layer may hold alone (GeoPackage geometry type names).
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


@dataclass(frozen=True)
class PreparedLayer:
    """What ``pyogrio.write_arrow`` takes for one layer: the table (geometry as WKB in
    ``geometry_name``), the layer's geometry type and its CRS; and the geometries (packed
    or shapely objects), whose boxes :func:`write_prepared` packs into the spatial index
    where it writes them (in ``new``, a writing child: not the parent's time or memory)."""

    table: pyarrow.Table
    geometry_name: str
    geometry_type: str
    crs: str | None
    geometry: Any = None

    def boxes(self) -> np.ndarray:
        """``(n, 4)`` x0, y0, x1, y1 of each row's geometry, NaN for none."""
        from network import packed as packedmod

        return packedmod.bounds(self.geometry)

    def __len__(self) -> int:
        return self.table.num_rows


def prepare_layer(frame: gpd.GeoDataFrame) -> PreparedLayer | None:
    """The Arrow table ``pyogrio.write_dataframe`` would write for *frame*, or None when the
    frame holds something only that function's general path handles."""
    from network import packed as packedmod

    geom_name = frame.geometry.name
    packed = packedmod.packed(frame.geometry)  # plain points or lines as coordinates
    if packed is not None:
        ids = packedmod.type_ids(packed)
        geometry_type = _TYPE_NAMES[int(ids[0])] if len(ids) else "Unknown"
    else:
        geoms = np.asarray(frame.geometry.array, dtype=object)
        geometry_type = _geometry_type(geoms)
    if geometry_type is None:
        return None
    columns: dict[str, Any] = {}
    for col in frame.columns:
        if col == geom_name:
            continue
        try:
            arr = _column(frame[col])
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            arr = None  # pyogrio's own conversion says what is wrong
        if arr is None:
            return None
        columns[str(col)] = arr
    if packed is not None:
        columns[geom_name] = packedmod.wkb_array(packed)
        geometry = packed
    else:
        columns[geom_name] = pa.array(shapely.to_wkb(geoms), type=pa.binary())
        geometry = geoms
    crs = None
    if frame.crs:
        epsg = frame.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt("WKT1_GDAL")
    return PreparedLayer(pa.table(columns), geom_name, geometry_type, crs, geometry)


def write_prepared(
    prepared: PreparedLayer,
    path: str | Path,
    layer: str,
    layer_options: dict[str, str],
    *,
    index: bool | spatial_index.Plan = True,
) -> None:
    """Write *prepared* as the layer *layer* of the GeoPackage *path*.

    Asked for a spatial index (``SPATIAL_INDEX=YES``, GDAL's default), GDAL writes the rows
    and :mod:`network.io.spatial_index` packs the index from the layer's boxes, in a little
    over half GDAL's time. *index* is that index packed beforehand (:func:`index_plan`), or
    False to write the rows alone and leave the index to the caller
    (:func:`network.io.spatial_index.write`). The file is not synced: the caller syncs it
    whole (a temporary file).
    """
    own_index = wants_index(prepared, layer_options, layer)
    if own_index:
        layer_options = {**layer_options, "SPATIAL_INDEX": "NO"}
    pyogrio.write_arrow(
        prepared.table,
        path,
        layer=layer,
        driver="GPKG",
        geometry_name=prepared.geometry_name,
        geometry_type=prepared.geometry_type,
        crs=prepared.crs,
        layer_options=layer_options,
    )
    if own_index and index is not False:
        if isinstance(index, spatial_index.Plan):
            planned = index
        else:
            planned = index_plan(prepared, layer_options)
        spatial_index.write(path, layer, planned)


def wants_index(prepared: PreparedLayer, layer_options: dict[str, str], layer: str = "") -> bool:
    """Is *prepared* indexed by :mod:`network.io.spatial_index` (``SPATIAL_INDEX`` does not
    say no, GDAL's default being yes; its geometries are known; it names its fids in full
    or not at all)? Else GDAL indexes it, if asked."""
    options = {k.upper(): v for k, v in layer_options.items()}
    wanted = str(options.get("SPATIAL_INDEX", "YES")).strip().upper() in ("YES", "ON", "TRUE", "1")
    if not wanted or prepared.geometry is None or '"' in layer:
        return False
    column = _fid_column(prepared, layer_options)
    return column is None or prepared.table[column].null_count == 0


def _fid_column(prepared: PreparedLayer, layer_options: dict[str, str]) -> str | None:
    """The column of *prepared*'s table that GDAL writes as the fids (``FID``), if any."""
    name = str({k.upper(): v for k, v in layer_options.items()}.get("FID", "fid")).lower()
    return next((c for c in prepared.table.column_names if c.lower() == name), None)


def index_fids(prepared: PreparedLayer, layer_options: dict[str, str]) -> np.ndarray | None:
    """The fids *prepared*'s rows carry, in order; None where GDAL numbers them 1 … n."""
    column = _fid_column(prepared, layer_options)
    if column is None:
        return None
    return np.asarray(prepared.table[column].to_numpy(), dtype=np.int64)


def index_plan(prepared: PreparedLayer, layer_options: dict[str, str]) -> spatial_index.Plan:
    """The spatial index of *prepared*, packed for a new layer."""
    return spatial_index.plan(prepared.boxes(), fids=index_fids(prepared, layer_options))


def write_layer(
    layer: PreparedLayer | gpd.GeoDataFrame,
    path: str | Path,
    name: str,
    layer_options: dict[str, str],
    *,
    index: bool | spatial_index.Plan = True,
) -> None:
    """Write *layer* (prepared, or a frame :func:`prepare_layer` declined and GDAL indexes
    itself) as the layer *name* of the GeoPackage *path*; *index* as for
    :func:`write_prepared`."""
    if isinstance(layer, PreparedLayer):
        write_prepared(layer, path, name, layer_options, index=index)
    else:
        pyogrio.write_dataframe(
            layer, path, layer=name, driver="GPKG", layer_options=layer_options, use_arrow=True
        )


def _geometry_type(geoms: np.ndarray) -> str | None:
    """The layer type pyogrio would choose: the one type present (``Unknown`` for none);
    None for several types or Z coordinates (its general path decides those)."""
    ids = shapely.get_type_id(geoms)
    present = np.unique(ids[ids >= 0])
    if len(present) == 0:
        return "Unknown"
    if len(present) > 1 or int(present[0]) not in _TYPE_NAMES:
        return None
    if shapely.has_z(geoms[ids >= 0]).any():
        return None
    return _TYPE_NAMES[int(present[0])]


def _column(s: pd.Series) -> pyarrow.Array | None:
    """*s* as an Arrow array as ``pa.Table.from_pandas`` makes it (all-missing text as
    strings, as pyogrio writes it); None for a column left to pyogrio."""
    from network.io.fields import all_none

    dtype = s.dtype
    if pd.api.types.is_object_dtype(dtype):  # not Arrow strings, which say kind "O" too
        if all_none(s):
            return pa.nulls(len(s), pa.string())  # a role no source fills: no scan
        if pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
            return None
        arr = pa.array(s.to_numpy(), from_pandas=True)
        return arr.cast(pa.string()) if pa.types.is_null(arr.type) else arr
    if isinstance(dtype, pd.DatetimeTZDtype):
        return None  # pyogrio writes those as text with a note to GDAL
    if isinstance(dtype, pd.CategoricalDtype):
        return None
    arr = pa.array(s, from_pandas=True)
    if pa.types.is_null(arr.type) or pa.types.is_dictionary(arr.type):
        return None
    return arr
