"""Small synthetic projects and observations for tests, benchmarks and demos.

:func:`make_pipes_gpkg` writes a PipeAtlas project GeoPackage with a ``pipes`` layer in the
canonical schema (``pipe_id``, ``from_node``, ``to_node``, ``length_m``, ``diameter_mm``),
laid out as a grid of straight pipes in a projected CRS (CGCS2000 / 3-degree GK CM 114E,
EPSG:4547).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import linestrings

from network.io import gpkg
from network.io.project import Project, write_meta

DEFAULT_EPSG = 4547
CREATED = "2024-01-01T00:00:00+00:00"


def make_pipes_gpkg(
    path: str | Path,
    n_pipes: int = 5,
    *,
    length_m: float = 40.0,
    diameter_mm: float = 400.0,
    epsg: int = DEFAULT_EPSG,
    seed: int = 0,
    spatial_index: bool = True,
) -> Path:
    """Write a GeoPackage whose ``pipes`` layer holds ``n_pipes`` chained pipes.

    Pipe ``P{i}`` runs from manhole ``J{i}`` to ``J{i+1}``; lengths vary by ±25 % around
    ``length_m`` (except with ``n_pipes <= 5``: exactly ``length_m``), diameters cycle
    through 300–1600 mm when ``n_pipes > 5``.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> make_pipes_gpkg(tmp / "p.gpkg", 3)                   # doctest: +SKIP
    """
    path = Path(path)
    rng = np.random.default_rng(seed)
    if n_pipes <= 5:
        lengths = np.full(n_pipes, float(length_m))
        diam = np.full(n_pipes, float(diameter_mm))
    else:
        lengths = np.round(length_m * rng.uniform(0.75, 1.25, n_pipes), 2)
        diam = np.array([300, 400, 600, 800, 1000, 1200, 1600], float)[np.arange(n_pipes) % 7]
    x0 = 38500000.0 if epsg in range(4513, 4534) else 500000.0
    row = 100
    ix, iy = np.arange(n_pipes) % row, np.arange(n_pipes) // row
    xs = x0 + ix * 60.0
    ys = 3300000.0 + iy * 60.0
    coords = np.stack([np.stack([xs, ys], 1), np.stack([xs + lengths, ys], 1)], 1)
    geom = linestrings(coords)
    gdf = gpd.GeoDataFrame(
        {
            "pipe_id": [f"P{i + 1}" for i in range(n_pipes)],
            "from_node": [f"J{i + 1}" for i in range(n_pipes)],
            "to_node": [f"J{i + 2}" for i in range(n_pipes)],
            "length_m": lengths,
            "diameter_mm": diam,
            "system": ["sewage"] * n_pipes,
        },
        geometry=geom,
        crs=f"EPSG:{epsg}",
    )
    gdf.to_file(
        path,
        layer="pipes",
        driver="GPKG",
        engine="pyogrio",
        SPATIAL_INDEX="YES" if spatial_index else "NO",
    )
    # a PipeAtlas project, not a plain GeoPackage: the survey store refuses those
    project = Project(path=path, crs=gdf.crs, layers={"pipes": gdf}, created=CREATED)
    con = gpkg.connect(path, write=True)
    try:
        with gpkg.transaction(con, path):
            write_meta(con, project)
    finally:
        con.close()
    return path


def random_observations(
    pipes: pd.DataFrame,
    n: int,
    *,
    seed: int = 0,
    codes: tuple[str, ...] = ("PL", "BX", "CK", "TJ", "SL", "CJ", "ZW", "SG", "QF", "JG"),
) -> pd.DataFrame:
    """Random valid observations on the pipes of ``pipes`` (index ``pipe_id``, ``length_m``).

    Returns
    -------
    DataFrame
        ``pipe_id``, ``code``, ``grade`` (1–4), ``distance_m``, ``length_m`` (NaN for local,
        about one in ten continuous).
    """
    rng = np.random.default_rng(seed)
    ids = pipes.index.to_numpy()
    pick = rng.integers(0, len(ids), n)
    seg_len = pipes["length_m"].to_numpy(float)[pick]
    dist = np.round(rng.uniform(0, 1, n) * seg_len * 0.9, 2)
    cont = rng.uniform(0, 1, n) < 0.1
    olen = np.where(cont, np.round(np.minimum(rng.uniform(0.5, 5, n), seg_len - dist), 2), np.nan)
    return pd.DataFrame(
        {
            "pipe_id": ids[pick],
            "code": rng.choice(list(codes), n),
            "grade": rng.integers(1, 5, n),
            "distance_m": dist,
            "length_m": olen,
        }
    )
