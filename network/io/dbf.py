"""A shapefile's attribute table (DBF) read straight into Arrow columns.

GDAL reads a DBF through its generic feature path, one feature and one recoded string at a
time: at a million pipes the attributes take three times as long as the geometry (6.5 s
against 2.3 s). A DBF is a table of fixed-width text records, so numpy maps it in one view
and each column converts in a few vectorised steps.

Only plain tables take this path: character and numeric fields GDAL reads as strings,
integers and reals, no deleted record, every value parses and decodes. Anything else gives
None and the caller reads the file with GDAL as before. The values follow GDAL's rules
(shapelib's, built with ``TRIM_DBF_WHITESPACE``): text trimmed at both ends, a numeric field
that is blank or starts with ``*`` is null; ``tests/network/test_dbf_fast.py`` compares the two
readers value by value.
"""

from __future__ import annotations

import logging
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from network.lazy import lazy_module

pa = lazy_module("pyarrow", globals())
pc = lazy_module("pyarrow.compute", globals())

log = logging.getLogger(__name__)

#: Below this many records GDAL is as quick and nothing is gained.
MIN_RECORDS = 20_000
#: Columns converted at once.
_THREADS = 2
_NUMERIC = ("int32", "int64", "float64")
_SPACE = ord(" ")


def read_dbf_table(dbf: Path, codec: str, names: list[str], dtypes: list[str]) -> Any:
    """The attribute table of ``dbf`` as a ``pyarrow.Table`` with GDAL's column names and
    types, or None when the file is not a plain table (then read it with GDAL).

    Parameters
    ----------
    dbf : the ``.dbf`` file
    codec : Python codec of its text (as chosen by :func:`network.io.encoding.detect_encoding`)
    names, dtypes : the fields as GDAL reports them (``pyogrio.read_info``: ``fields`` and
        ``dtypes``), in file order
    """
    try:
        with dbf.open("rb") as fh:
            head = fh.read(32)
            if len(head) < 32:
                return None
            n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
            desc = fh.read(max(header_len - 32, 0))
        fields = _descriptors(desc)
    except OSError:
        return None
    if (
        fields is None
        or len(fields) != len(names)
        or len(dtypes) != len(names)
        or 1 + sum(f[1] for f in fields) != record_len
    ):
        return None
    size = dbf.stat().st_size
    if size < header_len + n_records * record_len:
        return None  # truncated: GDAL says what is wrong with it
    if n_records == 0:
        return None
    try:
        raw = np.memmap(
            dbf, dtype=np.uint8, mode="r", offset=header_len, shape=(n_records, record_len)
        )
    except (OSError, ValueError):
        return None
    if (raw[:, 0] != _SPACE).any():
        return None  # deleted records ("*"): GDAL skips them
    start = 1
    blank_right, blank_left = _blank_bytes(raw)
    steps = []
    for (ftype, width), name, dtype in zip(fields, names, dtypes, strict=True):
        # only the bytes some record fills are copied: a field of 80 holding ids of 8 is
        # read as a field of 8 (at a million pipes 400 MB less to copy)
        lo, hi = start, start + width
        start += width
        while hi > lo and blank_right[hi - 1]:
            hi -= 1
        while lo < hi and blank_left[lo]:
            lo += 1
        if not (
            (ftype == "C" and dtype == "object") or (ftype in ("N", "F") and dtype in _NUMERIC)
        ):
            return None
        steps.append((raw[:, lo:hi], ftype, dtype, name))

    def column(step: tuple) -> Any:
        cells, ftype, dtype, name = step
        col = _text(cells, codec) if ftype == "C" else _number(cells, dtype)
        if col is None:
            log.info("%s: field %s is not plain; read with GDAL", dbf.name, name)
        return col

    # two columns at a time: numpy and Arrow let go of the GIL while they copy and convert
    with ThreadPoolExecutor(_THREADS) as pool:
        columns = list(pool.map(column, steps))
    if any(col is None for col in columns):
        return None
    return pa.table(columns, names=names)


#: Records per step of :func:`_blank_bytes` (a few MB of the mapped file at a time).
_ROWS_PER_STEP = 1 << 14


def _blank_bytes(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per byte position of the records: is it blank or NUL in every record (trimmed off
    the right of a value, or ended by a NUL before it), and is it blank in every record
    (trimmed off the left)? One pass over the table, OR and AND of each byte column."""
    ored = np.zeros(raw.shape[1], np.uint8)
    anded = np.full(raw.shape[1], 0xFF, np.uint8)
    for at in range(0, raw.shape[0], _ROWS_PER_STEP):
        step = raw[at : at + _ROWS_PER_STEP]
        ored |= np.bitwise_or.reduce(step, axis=0)
        anded &= np.bitwise_and.reduce(step, axis=0)
    # 0x20 & 0xDF == 0x00 & 0xDF == 0; every other byte keeps a bit of 0xDF
    return (ored & 0xDF) == 0, (ored == _SPACE) & (anded == _SPACE)


def _descriptors(desc: bytes) -> list[tuple[str, int]] | None:
    """(type, width) per field descriptor; None when the header is odd."""
    fields = []
    for i in range(0, len(desc) - 31, 32):
        if desc[i] == 0x0D:
            return fields
        ftype = chr(desc[i + 11]).upper()
        fields.append((ftype, desc[i + 16]))
    return fields if desc[-1:] == b"\r" or not desc else None


def _cells_text(cells: np.ndarray) -> Any:
    """Each cell without surrounding blanks as an Arrow binary array, empty cells null.
    A NUL byte ends a value, as in GDAL (Arrow takes numpy's bytes up to the first NUL)."""
    n, width = cells.shape
    block = np.ascontiguousarray(cells)
    if block.min(initial=1) == 0:  # a NUL somewhere (a reduction: no mask of the block)
        values = pa.array(block.view(f"S{width}").ravel(), type=pa.large_binary())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
    else:  # no NUL: the block is the values as they are
        fixed = pa.py_buffer(block)
        values = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), n, [None, fixed])
        values = values.cast(pa.large_binary())
    # blanks are 0x20, never part of a GBK/UTF-8 multibyte character: trimmed byte-wise
    values = pc.ascii_trim(values.view(pa.large_string()), characters=" ").view(pa.large_binary())
    empty = pc.equal(pc.binary_length(values), 0)
    if pc.any(empty).as_py():
        values = pc.if_else(empty, pa.scalar(None, pa.large_binary()), values)
    return values


def _text(cells: np.ndarray, codec: str) -> Any:
    """A character field as an Arrow string array (empty text is null, as GDAL reads it),
    or None when a value does not decode."""
    n, width = cells.shape
    if width == 0:
        return pa.nulls(n, pa.string())
    values = _cells_text(cells)
    data = values.buffers()[2]
    if data is None or np.frombuffer(data, np.uint8).max(initial=0) < 0x80:
        return values.cast(pa.large_string()).cast(pa.string())  # ASCII is UTF-8 as it is
    # decode each distinct value once (a column repeats its materials, types, roads …)
    codes = values.dictionary_encode()
    try:
        words = [b.decode(codec) for b in codes.dictionary.to_pylist()]
    except UnicodeDecodeError:
        return None
    if any("\ufffd" in w for w in words):
        return None
    return pa.array(words, pa.string()).take(codes.indices)


def _number(cells: np.ndarray, dtype: str) -> Any:
    """A numeric field as an Arrow array of ``dtype`` (blank or ``*…`` is null), or None
    when a value does not parse as GDAL would read it."""
    n, width = cells.shape
    arrow_type = getattr(pa, dtype)()
    if width == 0:
        return pa.nulls(n, arrow_type)
    values = _cells_text(cells)
    try:  # Arrow's parsers refuse what atoi/atof would read differently ("1.5" as an integer)
        text = values.cast(pa.large_string())
        stars = pc.starts_with(text, "*")
        if pc.any(stars).as_py():
            text = pc.if_else(stars, pa.scalar(None, pa.large_string()), text)
        return text.cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
