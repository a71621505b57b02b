"""Find the text encoding of a shapefile's DBF the way a careful person would.

Order: the ``.cpg`` file if present (checked against the bytes); else the DBF language-driver
byte; else try UTF-8, then GBK/GB18030, rejecting any decoding that fails. GeoPackage and
GeoJSON are UTF-8 by definition.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from pathlib import Path

from network.errors import EncodingError, InputFileError

# DBF language driver ids (byte 29 of the header) -> Python codec. From the ESRI/GDAL tables.
LDID_CODECS = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x4D: "gbk",  # 936 Chinese (PRC, GBK)
    0x4E: "cp949",
    0x4F: "big5",
    0x57: "cp1252",  # "ANSI": in practice Western Windows data
    0x7A: "gbk",  # 936 PRC GBK (ESRI)
    0x7B: "cp932",
    0x7D: "cp1255",
    0xC8: "cp1250",
    0xC9: "cp1251",
}

CPG_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "65001": "utf-8",
    "gbk": "gbk",
    "936": "gbk",
    "cp936": "gbk",
    "ansi 936": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "54936": "gb18030",
    "big5": "big5",
    "950": "big5",
    "88591": "latin-1",
    "8859_1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin1": "latin-1",
    "1252": "cp1252",
    "ansi 1252": "cp1252",
    "cp1252": "cp1252",
}

# GDAL/iconv names for the codecs above (what pyogrio/fiona are told)
GDAL_NAMES = {"utf-8": "UTF-8", "gbk": "CP936", "gb18030": "GB18030", "latin-1": "ISO-8859-1"}

SAMPLE_BYTES = 32 * 1024 * 1024  # enough to be sure, cheap on a 1M-record file


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding used for a layer and why.

    ``codec`` is a Python codec name (``utf-8``, ``gbk``, ``gb18030`` …); ``source`` is one of
    ``user``, ``cpg``, ``ldid``, ``detected``, ``format`` (UTF-8 by format definition).
    """

    codec: str
    source: str
    reason: str

    @property
    def gdal_name(self) -> str:
        """Name to hand to GDAL/iconv."""
        return GDAL_NAMES.get(self.codec, self.codec.upper())


def normalise_codec(name: str) -> str:
    """Return a Python codec name for a user- or file-given encoding name.

    Raises
    ------
    EncodingError
        The name is not an encoding Python knows.

    Examples
    --------
    >>> normalise_codec("GBK"), normalise_codec("936"), normalise_codec("UTF8")
    ('gbk', 'gbk', 'utf-8')
    """
    key = name.strip().lower()
    if key in CPG_ALIASES:
        return CPG_ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError as exc:
        raise EncodingError(
            f"Unknown text encoding {name!r}; use e.g. 'gbk', 'gb18030' or 'utf-8'."
        ) from exc


def _sibling(path: Path, ext: str) -> Path | None:
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


class _Sample:
    """Field names and a sample of records of a DBF; names may be cut mid-character."""

    def __init__(self, names: list[bytes], body: bytes) -> None:
        self.names, self.body = names, body

    def isascii(self) -> bool:
        return self.body.isascii() and all(n.isascii() for n in self.names)

    def decode(self, codec: str) -> str:
        # DBF cuts field names at 10 bytes, often inside a multibyte character: allow that
        out = []
        for n in self.names:
            for cut in range(4):
                try:
                    out.append(n[: len(n) - cut].decode(codec))
                    break
                except UnicodeDecodeError:
                    if cut == 3 or len(n) - cut <= 0:
                        raise
        return "\n".join(out) + self.body.decode(codec)


def _dbf_text_sample(dbf: Path) -> tuple[_Sample, int]:
    """Return (field names + record bytes sample, language driver byte)."""
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            raise InputFileError(
                f"{dbf.name} is too short to be a DBF file ({len(head)} bytes).", file=str(dbf)
            )
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        ldid = head[29]
        descriptors = fh.read(max(header_len - 32, 0))
        names = []
        for i in range(0, len(descriptors) - 31, 32):
            if descriptors[i] == 0x0D:
                break
            names.append(descriptors[i : i + 11].split(b"\0", 1)[0])
        if record_len <= 0:
            return _Sample(names, b""), ldid
        n = min(n_records, max(SAMPLE_BYTES // record_len, 1))
        fh.seek(header_len)
        body = fh.read(n * record_len)
    return _Sample(names, body), ldid


def _decodes(data: _Sample, codec: str) -> bool:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    return "\ufffd" not in text


def detect_encoding(path: str | Path, override: str | None = None) -> EncodingChoice:
    """Decide the text encoding of a vector file.

    Parameters
    ----------
    path : path to a ``.shp`` / ``.dbf`` (other formats are UTF-8 by definition)
    override : str, optional
        A user choice (``"gbk"``, ``"utf-8"`` …) or ``None``/``"auto"`` to detect.

    Raises
    ------
    EncodingError
        The override names no known encoding.

    Examples
    --------
    >>> detect_encoding("park.geojson").codec
    'utf-8'
    """
    path = Path(path)
    if override and override.lower() != "auto":
        codec = normalise_codec(override)
        return EncodingChoice(codec, "user", f"chosen by the user ({override})")
    if path.suffix.lower() not in (".shp", ".dbf"):
        return EncodingChoice("utf-8", "format", f"{path.suffix or 'this format'} is UTF-8")
    dbf = _sibling(path, ".dbf")
    if dbf is None:
        return EncodingChoice("utf-8", "format", "no .dbf file: no text to decode")
    sample, ldid = _dbf_text_sample(dbf)
    ascii_only = sample.isascii()

    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        declared = cpg.read_text("ascii", errors="replace").strip()
        try:
            codec = normalise_codec(declared)
        except EncodingError:
            codec = None
        if codec and (ascii_only or _decodes(sample, codec)):
            if codec == "latin-1" and not ascii_only and _decodes(sample, "utf-8"):
                pass  # a 8859-1 .cpg on UTF-8 text: fall through to detection
            else:
                return EncodingChoice(codec, "cpg", f"{cpg.name} says {declared}")
        wrong = f"{cpg.name} says {declared!r} but the text is not valid {declared}"
    else:
        wrong = ""

    if not wrong and ldid in LDID_CODECS and not ascii_only:
        codec = LDID_CODECS[ldid]
        if _decodes(sample, codec):
            return EncodingChoice(
                codec, "ldid", f"DBF language driver byte 0x{ldid:02X} means {codec.upper()}"
            )

    prefix = f"{wrong}; " if wrong else ("no .cpg file; " if cpg is None else "")
    if ascii_only:
        return EncodingChoice("utf-8", "detected", f"{prefix}the text is plain ASCII")
    if _decodes(sample, "utf-8"):
        return EncodingChoice("utf-8", "detected", f"{prefix}the text decodes as UTF-8")
    for codec in ("gbk", "gb18030"):
        if _decodes(sample, codec):
            return EncodingChoice(
                codec,
                "detected",
                f"{prefix}the text is not valid UTF-8 and decodes cleanly as {codec.upper()}",
            )
    return EncodingChoice(
        "latin-1",
        "detected",
        f"{prefix}the text is neither UTF-8 nor GBK/GB18030; read as ISO-8859-1 — "
        "choose the right encoding if names look wrong",
    )
