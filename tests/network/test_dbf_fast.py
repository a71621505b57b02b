"""The fast attribute reader of large shapefiles gives exactly what GDAL gives.

Real shapefiles are written with GDAL (GBK text, no .cpg), then cells of their DBF are
overwritten with what surveyors' software leaves in them (blanks, leading spaces, NUL
padding, ``****`` for no value, deleted records, an integer field holding ``1.5``, bytes that
are not GBK), and every file is read both ways: the frames must be equal, and a file the fast
reader cannot take exactly must go to GDAL.
"""

from __future__ import annotations

import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from network.io import dbf as dbfmod
from network.io import read

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
N = 300


def _write(folder: Path, name: str = "管线") -> Path:
    rng = np.random.default_rng(3)
    gdf = gpd.GeoDataFrame(
        {
            "编号": [f"WS{i:05d}" for i in range(N)],
            "材质": rng.choice(["钢筋混凝土", "HDPE", "球墨铸铁", ""], N),
            "道路": rng.choice(["中山路", "Park Rd", "东环路 "], N),
            "管径": rng.integers(200, 1600, N).astype(np.int32),
            "长度": rng.integers(0, 5_000_000_000, N).astype(np.int64),
            "管底": rng.normal(3.0, 2.0, N).round(3),
        },
        geometry=shapely.linestrings(
            np.stack([rng.uniform(0, 1000, (N, 2)), rng.uniform(0, 1000, (N, 2))], axis=1)
        ),
        crs="EPSG:4547",
    )
    shp = folder / f"{name}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    return shp


def _cells(shp: Path) -> tuple[dict[str, tuple[int, int]], int, int]:
    """{field: (offset in record, width)}, header length, record length of the DBF."""
    raw = shp.with_suffix(".dbf").read_bytes()
    header_len, record_len = struct.unpack("<HH", raw[8:12])
    fields, pos = {}, 1
    for i in range(32, header_len - 1, 32):
        if raw[i] == 0x0D:
            break
        name = raw[i : i + 11].split(b"\0", 1)[0].decode("gbk")
        fields[name] = (pos, raw[i + 16])
        pos += raw[i + 16]
    return fields, header_len, record_len


def _poke(shp: Path, row: int, field: str | None, value: bytes) -> None:
    """Overwrite one cell (``field`` None: the record's deletion flag)."""
    fields, header_len, record_len = _cells(shp)
    off, width = (0, 1) if field is None else fields[field]
    assert len(value) <= width
    with shp.with_suffix(".dbf").open("r+b") as fh:
        fh.seek(header_len + row * record_len + off)
        fh.write(value.ljust(width, b" ") if field is not None else value)


def _both(shp: Path, monkeypatch: pytest.MonkeyPatch, encoding: str = "auto"):
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    calls = []
    real = dbfmod.read_dbf_table

    def spy(*a, **kw):
        out = real(*a, **kw)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(dbfmod, "read_dbf_table", spy)
    fast, engine, _ = read.read_vector(shp, encoding=encoding)
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 10**12)
    slow, _, _ = read.read_vector(shp, encoding=encoding)
    assert engine == "pyogrio"
    return fast, slow, calls[0]


def test_plain_gbk_table_is_read_fast_and_equals_gdal(tmp_path, monkeypatch):
    shp = _write(tmp_path)
    fast, slow, took = _both(shp, monkeypatch)
    assert took, "a plain GBK table goes the fast way"
    assert_geodataframe_equal(fast, slow)
    assert fast.attrs == slow.attrs
    assert set(fast["材质"].dropna()) <= {"钢筋混凝土", "HDPE", "球墨铸铁"}
    assert fast["长度"].dtype == np.int64 and fast["管径"].dtype == slow["管径"].dtype


def test_surveyors_cells_read_as_gdal_reads_them(tmp_path, monkeypatch):
    shp = _write(tmp_path)
    _poke(shp, 0, "编号", b"   WS-lead")  # leading blanks
    _poke(shp, 1, "材质", b"")  # blank text
    _poke(shp, 2, "道路", "  东环路".encode("gbk"))
    _poke(shp, 3, "管径", b"")  # blank number
    _poke(shp, 4, "管底", b"*****")  # "no value" as dBase writes it
    _poke(shp, 5, "管底", b"  -12.5")
    _poke(shp, 6, "编号", b"NUL\0\0\0\0")  # NUL padding after the text
    _poke(shp, 7, "长度", b"         -42")
    _poke(shp, 8, "编号", b"A\0B")  # a NUL ends the value
    _poke(shp, 9, "道路", b"\0  x")
    fast, slow, took = _both(shp, monkeypatch)
    assert took
    assert_geodataframe_equal(fast, slow)
    assert fast["编号"].iloc[0] == "WS-lead" and fast["道路"].iloc[2] == "东环路"
    assert fast["管径"].isna().iloc[3] and fast["管底"].isna().iloc[4]
    assert fast["管底"].iloc[5] == -12.5 and fast["编号"].iloc[6] == "NUL"
    assert fast["编号"].iloc[8] == "A" and fast["道路"].isna().iloc[9]


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        (None, b"*", "a deleted record"),
        ("管径", b"1.5", "an integer field holding a decimal"),
        ("材质", b"\x81\x20\xff", "bytes that are not GBK (the user said GBK)"),
    ],
)
def test_tables_it_cannot_read_exactly_go_to_gdal(tmp_path, monkeypatch, field, value, why):
    shp = _write(tmp_path)
    _poke(shp, 10, field, value)
    try:
        slow_first, _, _ = read.read_vector(shp, encoding="gbk")
    except Exception:  # noqa: BLE001 - GDAL refuses it: then so must the fast way
        slow_first = None
    monkeypatch.setattr(dbfmod, "MIN_RECORDS", 1)
    if slow_first is None:
        with pytest.raises(Exception):  # noqa: B017,PT011
            read.read_vector(shp, encoding="gbk")
        return
    fast, slow, took = _both(shp, monkeypatch, encoding="gbk")
    assert not took, why
    assert_geodataframe_equal(fast, slow)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data folder not present")
@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.rglob("*.shp")))
def test_public_shapefiles_read_the_same_both_ways(name, monkeypatch):
    shp = next(SHARED.rglob(name))
    fast, slow, _took = _both(shp, monkeypatch)
    assert_geodataframe_equal(fast, slow)


@pytest.mark.parametrize("rows_per_step", [1, 7, 1 << 14])
def test_only_the_filled_bytes_of_wide_fields_are_read(tmp_path, monkeypatch, rows_per_step):
    """GDAL writes text fields 80 bytes wide; the fast reader copies only the bytes some
    record fills. Values touching either edge of a field, a field no record fills and NUL
    padding all read as GDAL reads them, however many records each step of the pass takes."""
    monkeypatch.setattr(dbfmod, "_ROWS_PER_STEP", rows_per_step)
    shp = _write(tmp_path)
    fields, _, _ = _cells(shp)
    width = fields["道路"][1]
    for row in range(N):
        _poke(shp, row, "材质", b"")  # a field no record fills: all null
        _poke(shp, row, "道路", b"\0" * width if row % 2 else b" x")  # NUL-padded or blank-led
    _poke(shp, 5, "编号", b"E" * fields["编号"][1])  # a value filling the field to its edge
    _poke(shp, 6, "道路", b" " * (width - 1) + b"z")  # a value at the far right of the field
    _poke(shp, 8, "道路", b"\0x")  # a NUL first: no value, though "x" follows it
    fast, slow, took = _both(shp, monkeypatch)
    assert took
    assert_geodataframe_equal(fast, slow)
    assert fast["材质"].isna().all()
    assert fast["编号"].iloc[5] == "E" * fields["编号"][1]
    assert fast["道路"].iloc[6] == "z" and fast["道路"].iloc[0] == "x"
    assert fast["道路"].iloc[1:6:2].isna().all() and pd.isna(fast["道路"].iloc[8])
