"""Build a flow network from canonical layers.

The result is a :class:`Network`: compact numpy arrays (nodes, pipe pieces, directed edges,
CSR adjacency in both directions) plus a lazily built networkx ``MultiDiGraph`` of the same
graph. The networkx graph is the public model (what a notebook user walks); the CSR arrays are
the engine: hot traversals (see ``network.trace``) and the checks run on them. A network is
only the graph: the check findings and the connection register that go with it live in
:class:`network.state.CheckedNetwork`.

Vocabulary
----------
piece
    One row of the pipe layer after exploding multi-part lines (a pipe id may own several).
edge
    One directed graph edge, oriented in flow direction. A piece is split into several edges
    where other pipes join it mid-way (side connections, CJJ 181 code AJ 支管暗接); all of
    them keep the pipe id and carry a part number.
node
    A manhole, or a group of pipe ends within the snap tolerance of each other.
"""

from __future__ import annotations

import gc
import logging
import math
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from network import packed as packedmod
from network import schema as S
from network.errors import NetworkError, UnknownIdError
from network.issues import ERROR, INFO, WARNING, Issue
from network.lazy import lazy_module
from network.progress import Progress, drain

if TYPE_CHECKING:  # networkx loads only when the graph is asked for
    import geopandas as gpd
    import networkx as nx
    from scipy.spatial import cKDTree

# loaded on first use: a trace on the stored network needs none of the build's libraries
pd = lazy_module("pandas", globals())
shapely = lazy_module("shapely", globals())
sparse = lazy_module("scipy.sparse", globals())
csgraph = lazy_module("scipy.sparse.csgraph", globals())
spatial = lazy_module("scipy.spatial", globals())
pa = lazy_module("pyarrow", globals())
pc_arrow = lazy_module("pyarrow.compute", globals())

log = logging.getLogger(__name__)


DEFAULT_SNAP_TOLERANCE_M = 0.05
DEFAULT_ATTACH_DISTANCE_M = 50.0
DEFAULT_CONTACT_MAX_DROP_M = 3.0
NEAR_MISS_FACTOR = 10.0

# why a geometric contact (pipe end at a manhole or another pipe end, a node on a pipe) was
# not joined: the ids deny it, it joins the rain and the sewage system (a *suspected*
# misconnection until a user confirms it), or the inverts differ by more than a plausible drop
CONTACT_IDS, CONTACT_CROSS_SYSTEM, CONTACT_INVERTS = "ids", "cross_system", "inverts"
# strict system classes for contacts: rain and sewage/industrial must not meet by geometry
# alone; combined and unknown systems meet anything
_CLS_NONE, _CLS_RAIN, _CLS_FOUL = 0, 1, 2

# direction sources, strongest first
DIR_FROMTO, DIR_FLOWDIR, DIR_INVERT, DIR_DIGITISED = "from_to", "flow_dir", "invert", "digitised"
DIR_SOURCE_LABELS_ZH = {
    DIR_FROMTO: "起止井号",
    DIR_FLOWDIR: "流向字段",
    DIR_INVERT: "管底高程",
    DIR_DIGITISED: "数字化方向",
}
BARRIER_STATUS = ("blocked", "closed")
FOUL_SYSTEMS = (S.SEWAGE, S.INDUSTRIAL, S.COMBINED)

NODE_MANHOLE, NODE_JUNCTION = "manhole", "junction"

# id kinds a user may name, in lookup order
ID_KINDS = ("node", "pipe", "enterprise", "outfall", "plant")
_KIND_ALIASES = {
    "node": "node",
    "manhole": "node",
    "mh": "node",
    S.MANHOLES: "node",
    "pipe": "pipe",
    S.PIPES: "pipe",
    "enterprise": "enterprise",
    "ent": "enterprise",
    S.ENTERPRISES: "enterprise",
    "outfall": "outfall",
    S.OUTFALLS: "outfall",
    "plant": "plant",
    S.PLANTS: "plant",
}


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def get_setting(settings: Any, name: str, default: Any) -> Any:
    """Return ``settings[name]`` (mapping) or ``settings.name`` (object), else *default*."""
    if settings is None:
        return default
    value = (
        settings.get(name, default)
        if isinstance(settings, Mapping)
        else getattr(settings, name, default)
    )
    return default if value is None else value


def crs_unit_m(crs: Any) -> float:
    """Return how many metres one unit of *crs* is (1.0 when unknown).

    Geographic CRSs get an approximate 111,320 m per degree; projects should be projected.

    Examples
    --------
    >>> round(crs_unit_m("EPSG:2284"), 6)
    0.304801
    """
    if crs is None:
        return 1.0
    import pyproj

    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic:
        return 111_320.0
    try:
        factor = crs.axis_info[0].unit_conversion_factor
    except (IndexError, AttributeError):
        return 1.0
    return float(factor) if factor else 1.0


def object_full(n: int, value: Any) -> np.ndarray:
    """An object array of *n* references to *value* itself. (``np.full(n, "text",
    dtype=object)`` makes a new ``str`` per element: at a million pipes 50 MB and half a
    second.)"""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def str_array(df: pd.DataFrame, column: str) -> np.ndarray:
    """Column as an object array of stripped ``str`` with None for missing/blank values."""
    n = len(df)
    if column not in df.columns or n == 0:
        return np.full(n, None, dtype=object)
    s = df[column]
    if s.dtype == object:
        out = _stripped_object_texts(s.to_numpy())
        if out is not None:
            return out
    elif _arrow_backed_text(s):
        return _stripped_arrow_texts(s)
    notna = s.notna().to_numpy()
    out = np.full(n, None, dtype=object)
    if not notna.any():
        return out
    vals = s[notna]
    if pd.api.types.is_float_dtype(vals.dtype):
        fv = vals.to_numpy(float)
        txt = np.where(fv == np.round(fv), fv.astype(np.int64).astype(str), fv.astype(str))
        vals = pd.Series(txt, index=vals.index)
    txt = vals.astype(str).str.strip()
    good = (txt != "").to_numpy()
    idx = np.flatnonzero(notna)
    out[idx[good]] = txt.to_numpy(object)[good]
    return out


def _stripped_object_texts(values: np.ndarray) -> np.ndarray | None:
    """``v.strip()`` of an object array whose values are all ``str`` or missing, blanks and
    missing values as None; None when some value is something else (a number …).

    A value with nothing to strip stays the very same object (a million ids are not copied),
    and only the values that start or end with white space, or are empty, are looked at one
    by one (:func:`_texts_to_strip` finds them without a Python loop).
    """
    texts = values.tolist() if len(values) and type(values[0]) is str else None
    if texts is not None and set(map(type, texts)) == {str}:  # nothing missing (no str is NA)
        notna = None
    else:
        notna = ~pd.isna(values)
        texts = values[notna].tolist() if texts is None or not notna.all() else texts
        if not set(map(type, texts)) <= {str}:
            return None
    out = values.copy()
    if notna is not None:
        out[~notna] = None
    if not texts:
        return out
    hits = _texts_to_strip(texts)
    for i in (hits if notna is None else np.flatnonzero(notna)[hits]).tolist():
        t = out[i].strip()
        out[i] = t if t else None
    return out


# the characters ``str.strip()`` removes (``str.isspace``); a test checks the list
PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_IS_SPACE = np.zeros(0x3001, dtype=bool)
_IS_SPACE[[ord(c) for c in PY_SPACE]] = True
_ASCII_SPACE = "".join(c for c in PY_SPACE if c.isascii()).encode("ascii")


def _texts_to_strip(texts: list[str]) -> np.ndarray:
    """Positions of the values of *texts* that are empty or start or end with a character
    Python's ``str.strip`` removes.

    The values are joined by NUL and read as code points in numpy: the first and last
    character of every value, without a Python loop (a million ids in some 50 ms).
    """
    if not texts:
        return np.empty(0, dtype=np.int64)
    joined = "\x00".join(texts)
    if joined.isascii():  # one byte a character: the same code points, a quarter the bytes
        raw = joined.encode("ascii")
        if (
            raw
            and raw[0] != 0
            and raw[-1] != 0
            and b"\x00\x00" not in raw
            and len(raw.translate(None, _ASCII_SPACE)) == len(raw)
        ):  # no white space anywhere and no empty value (two NULs, or one at an end)
            return np.empty(0, dtype=np.intp)
        cps = np.frombuffer(raw, np.uint8)
    else:
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    sep = np.flatnonzero(cps == 0)
    if len(sep) != len(texts) - 1:  # some value holds a NUL itself: one by one
        hit = [not v or v[0].isspace() or v[-1].isspace() for v in texts]
        return np.flatnonzero(np.asarray(hit, dtype=bool))
    begin = np.concatenate([[0], sep + 1])
    end = np.concatenate([sep, [len(cps)]])
    if not len(cps):  # every value empty
        return np.arange(len(texts))
    first_cp = cps[np.minimum(begin, len(cps) - 1)]
    last_cp = cps[np.maximum(end - 1, 0)]
    if cps.dtype == np.uint8:  # ASCII: every code point is in the table
        return np.flatnonzero((begin == end) | _IS_SPACE[first_cp] | _IS_SPACE[last_cp])
    top = len(_IS_SPACE) - 1
    hit = (
        (begin == end)
        | ((first_cp <= top) & _IS_SPACE[np.minimum(first_cp, top)])
        | ((last_cp <= top) & _IS_SPACE[np.minimum(last_cp, top)])
    )
    return np.flatnonzero(hit)


def _arrow_backed_text(s: pd.Series) -> bool:
    """True for pandas' Arrow-backed text (``str``/``string[pyarrow]``) columns."""
    dtype = s.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _stripped_arrow_texts(s: pd.Series) -> np.ndarray:
    """:func:`str_array` of an Arrow-backed text column, trimmed as pandas' ``str.strip``
    trims it there (Arrow's ``utf8_trim_whitespace``), in Arrow."""
    arr = _arrow_of(s)
    trimmed = pc_arrow.utf8_trim_whitespace(arr)
    blank = pc_arrow.equal(pc_arrow.binary_length(trimmed), 0)
    trimmed = pc_arrow.if_else(blank, pa.scalar(None, pa.string()), trimmed)
    out = np.asarray(trimmed.to_numpy(zero_copy_only=False), dtype=object)
    out[pd.isna(out)] = None
    return out


def _arrow_of(s: pd.Series) -> pa.ChunkedArray:
    """The Arrow data of an Arrow-backed pandas column (no copy)."""
    data = pa.array(s.array)
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _lower(values: np.ndarray) -> np.ndarray:
    """Lower-case an object array of few distinct strings (None kept)."""
    codes, uniques = pd.factorize(values)
    low = np.array(
        [u.lower() if isinstance(u, str) else None for u in uniques] + [None], dtype=object
    )
    return low[codes]


def float_array(df: pd.DataFrame, column: str) -> np.ndarray:
    """Column as float64 with NaN for missing or unparseable values."""
    if column not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column], errors="coerce").to_numpy(float, na_value=np.nan)


def _dedupe_ids(ids: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Make ids unique by appending ``~2``, ``~3``; return new ids and the duplicated ones."""
    s = pd.Series(ids, dtype=object)  # not pandas' Arrow text: the ids stay as they are
    dup = s.duplicated(keep="first").to_numpy()
    if not dup.any():
        return ids, []
    out = ids.copy()
    rank = s.groupby(s).cumcount().to_numpy()
    for i in np.flatnonzero(dup):
        out[i] = f"{ids[i]}~{rank[i] + 1}"
    return out, sorted(set(ids[dup].tolist()))


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (indptr, order) so that ``order[indptr[k]:indptr[k+1]]`` lists items with key k."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    counts = np.bincount(keys, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, order


# --------------------------------------------------------------------------------------------
# the network
# --------------------------------------------------------------------------------------------
def _empty(dtype: Any) -> np.ndarray:
    """An empty 1-d array of *dtype* (attachment arrays before the attachment step)."""
    return np.empty(0, dtype=dtype)


def contact_key(a: str, b: str) -> str:
    """The key of a contact between two features, as ``confirmed_contacts`` lists it.

    The two ids sorted and joined by ``|``, so either order names the same contact.

    Examples
    --------
    >>> contact_key("YJ-7", "WS-3")
    'WS-3|YJ-7'
    """
    return "|".join(sorted((str(a), str(b))))


def _confirmed_keys(value: Any) -> frozenset[str]:
    """Normalise the ``confirmed_contacts`` setting: ``"A|B"`` strings or ``[A, B]`` pairs."""
    if isinstance(value, str):
        value = [value]
    out = set()
    for v in value or ():
        parts = v.split("|") if isinstance(v, str) else list(v)
        parts = [str(x).strip() for x in parts if str(x).strip()]
        if len(parts) == 2:
            out.add(contact_key(*parts))
    return frozenset(out)


@dataclass(frozen=True)
class Contact:
    """A geometric contact the build did not join (see :func:`build_network`).

    Attributes
    ----------
    key : str
        :func:`contact_key` of the two features; list it in the ``confirmed_contacts`` setting
        to join them.
    reason : str
        ``ids`` (the from/to ids say they are not connected), ``cross_system`` (rain meets
        sewage with no ids to vouch for it: a suspected misconnection) or ``inverts`` (the
        inverts differ by more than ``contact_max_drop_m``).
    where : str
        ``end`` (a pipe end at a manhole or another pipe's end) or ``side`` (a manhole or
        pipe end on a pipe's interior).
    pipe : str
        The pipe whose end (``end``) or interior (``side``) is in contact.
    other : str
        The manhole or pipe id on the other side.
    other_layer : str
        ``manholes`` or ``pipes``.
    node : int
        The node index at the contact (the unjoined end's own node, or the node on the pipe).
    xy : (float, float)
        Where (CRS units).
    distance_m : float
        The gap between the two in metres.
    systems : (str or None, str or None)
        System of *pipe* and of *other*.
    inverts : (float, float)
        Invert of *pipe* at the contact and of *other* (NaN when unknown).
    direction : str or None
        ``rain->sewage`` or ``sewage->rain`` when the unjoined end is a pipe's downstream or
        upstream end across systems; None otherwise.
    other_node : int
        For an end contact, the node on the other side (the manhole, or the other end's
        node); else -1.
    """

    key: str
    reason: str
    where: str
    pipe: str
    other: str
    other_layer: str
    node: int
    xy: tuple[float, float]
    distance_m: float
    systems: tuple[str | None, str | None]
    inverts: tuple[float, float]
    direction: str | None = None
    other_node: int = -1


class IdIndex(Mapping):
    """Read-only mapping id -> position in an id array, without a dict until it pays.

    A command resolves one or two ids: each is found by one vectorised comparison over the
    array (milliseconds for a million ids) instead of a million-entry dict (a second and
    100 MB). After :attr:`SCANS` look-ups, or on iteration, the dict is built once.
    *first* picks the first position of a repeated id (else the last, as ``dict(zip())``).

    >>> ix = IdIndex(np.array(["A", "B", "A"], dtype=object), first=True)
    >>> ix.get("A"), ix.get("C"), "B" in ix, len(ix)
    (0, None, True, 2)
    """

    SCANS = 8

    def __init__(self, ids: np.ndarray, *, first: bool = False) -> None:
        self._ids = np.asarray(ids, dtype=object)
        self._first = first
        self._dict: dict[Any, int] | None = None
        self._scans = 0

    def _as_dict(self) -> dict[Any, int]:
        if self._dict is None:
            pairs = zip(self._ids.tolist(), range(len(self._ids)), strict=True)
            self._dict = dict(reversed(list(pairs))) if self._first else dict(pairs)
        return self._dict

    def __getitem__(self, key: Any) -> int:
        if self._dict is None and self._scans < self.SCANS:
            self._scans += 1
            if not isinstance(key, str):
                raise KeyError(key)  # ids are text; a dict would not match 1 to "1" either
            hits = np.flatnonzero(self._ids == key)
            if not len(hits):
                raise KeyError(key)
            return int(hits[0] if self._first else hits[-1])
        return self._as_dict()[key]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def positions(self, keys: Iterable[Any]) -> dict[Any, int]:
        """Position of each of *keys* found (as :meth:`get` answers), in one pass over the
        ids however many keys: the findings of a check name thousands of features."""
        wanted = {k for k in keys if isinstance(k, str)}
        if self._dict is not None or len(wanted) <= self.SCANS - self._scans:
            return {k: i for k in wanted if (i := self.get(k)) is not None}
        if not wanted or not len(self._ids):
            return {}
        hit = np.frompyfunc(wanted.__contains__, 1, 1)(self._ids).astype(bool)
        idx = np.flatnonzero(hit)
        pairs = zip(self._ids[idx].tolist(), idx.tolist(), strict=True)
        return dict(reversed(list(pairs))) if self._first else dict(pairs)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())


class PipeEdges(Mapping):
    """Read-only mapping pipe id -> edge indices (parts), built lazily from arrays."""

    def __init__(self, edge_pipe_id: np.ndarray) -> None:
        self._ids = edge_pipe_id
        codes, uniques = pd.factorize(edge_pipe_id)
        self.codes = codes.astype(np.int64)
        self.uniques = np.asarray(uniques, dtype=object)
        self._lookup: dict[str, int] | None = None
        self._scan: IdIndex | None = None
        self._csr: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_codes(cls, codes: np.ndarray, uniques: np.ndarray) -> PipeEdges:
        """The mapping from its parts: pipe code per edge and the pipe ids (a stored network)."""
        self = cls.__new__(cls)
        self.codes = np.asarray(codes, dtype=np.int64)
        self.uniques = np.asarray(uniques, dtype=object)
        self._ids = None
        self._lookup = None
        self._scan = None
        self._csr = None
        return self

    @property
    def one_edge_each(self) -> bool:
        """Every pipe is one edge, in edge order (``codes`` is ``0 … n-1``): an edge index is
        then its pipe's code (checked once)."""
        known = getattr(self, "_one_each", None)
        if known is None:
            c = self.codes
            known = len(c) == len(self.uniques) and bool(
                (c == np.arange(len(c), dtype=c.dtype)).all()
            )
            self._one_each = known
        return known

    def lookup(self) -> dict[str, int]:
        """Pipe id -> pipe code (built once)."""
        if self._lookup is None:
            self._lookup = dict(zip(self.uniques.tolist(), range(len(self.uniques)), strict=True))
        return self._lookup

    def edges_of(self, k: int) -> list[int]:
        """Edge indices of the pipe with code *k*."""
        if self._csr is None:
            self._csr = _csr(self.codes, len(self.uniques))
        indptr, order = self._csr
        return order[indptr[k] : indptr[k + 1]].tolist()

    def _index(self) -> Mapping[str, int]:
        if self._lookup is not None:
            return self._lookup
        if self._scan is None:
            self._scan = IdIndex(self.uniques, first=True)
        return self._scan

    def __getitem__(self, pipe_id: str) -> list[int]:
        k = self._index().get(pipe_id)
        if k is None:
            raise KeyError(pipe_id)
        return self.edges_of(k)

    def __contains__(self, pipe_id: object) -> bool:
        return pipe_id in self._index()

    def edges_of_ids(self, pipe_ids: Iterable[str]) -> dict[str, list[int]]:
        """Edge indices of each of *pipe_ids* found, resolved in one pass (see
        :meth:`IdIndex.positions`)."""
        index = self._index()
        pos = (
            index.positions(pipe_ids)
            if isinstance(index, IdIndex)
            else {p: index[p] for p in pipe_ids if p in index}
        )
        return {p: self.edges_of(k) for p, k in pos.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self.uniques.tolist())

    def __len__(self) -> int:
        return len(self.uniques)


@dataclass(frozen=True)
class Target:
    """A user-given id resolved to graph elements.

    Attributes
    ----------
    kind : str
        ``node``, ``pipe``, ``enterprise``, ``outfall`` or ``plant``.
    id : str
        The id as given (without a ``kind:`` prefix).
    nodes : tuple of int
        Node indices to start a trace from (downstream seeds for pipes: their outflow node).
    edges : tuple of int
        Edge indices belonging to the feature (pipe parts; the pipe an enterprise joins).
    up_nodes : tuple of int
        Node indices to start an upstream trace from.
    """

    kind: str
    id: str
    nodes: tuple[int, ...]
    edges: tuple[int, ...] = ()
    up_nodes: tuple[int, ...] = ()


@dataclass(eq=False)
class Network:
    """A directed pipe network (flow direction) in array form, with a networkx view.

    Build it with :func:`build_network`. Arrays are indexed by node, piece or edge number.

    Two faces of one graph:

    * :attr:`graph` is the public model: a networkx ``MultiDiGraph`` (nodes keyed by node id,
      edges keyed by pipe id, edge attributes ``pipe_id``, ``part``, ``length_m``,
      ``dir_source`` …), built on first use.
    * the arrays (``edge_u``/``edge_v``, :attr:`out_csr`, :attr:`in_csr`, :attr:`adjacency`,
      :attr:`reverse_open_csr`) are the engine the traces and checks run on.

    Everything below the fields is derived from them alone and computed lazily
    (``functools.cached_property``): it never depends on what ran before. A network holds no
    check findings; :class:`network.state.CheckedNetwork` pairs it with them.
    """

    layers: dict[str, gpd.GeoDataFrame]
    settings: dict[str, Any]
    crs: Any
    unit_m: float
    snap_tolerance_m: float
    attach_distance_m: float
    # nodes
    node_ids: np.ndarray
    node_xy: np.ndarray
    node_kind: np.ndarray
    node_manhole_row: np.ndarray
    node_barrier: np.ndarray
    node_index: Mapping[str, int]
    # pieces (rows of the pipe layer, multi-parts exploded)
    piece_pipe_id: np.ndarray
    piece_row: np.ndarray
    piece_geom: np.ndarray
    piece_length_m: np.ndarray
    piece_start_node: np.ndarray
    piece_end_node: np.ndarray
    piece_reversed: np.ndarray
    piece_dir_source: np.ndarray
    piece_system: np.ndarray
    piece_diameter_mm: np.ndarray
    piece_status: np.ndarray
    piece_up_invert: np.ndarray
    piece_down_invert: np.ndarray
    piece_slope_conflict: np.ndarray
    piece_fields_mismatch: np.ndarray
    piece_flowdir_conflict: np.ndarray
    piece_multipart: np.ndarray
    piece_feature: np.ndarray
    # edges (flow direction)
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_piece: np.ndarray
    edge_part: np.ndarray
    edge_length_m: np.ndarray
    edge_frac0: np.ndarray
    edge_frac1: np.ndarray
    edge_open: np.ndarray
    # side connections: (node index, host piece index, distance along host in m)
    side_connections: list[tuple[int, int, float]]
    # geometric contacts not joined (ids deny them, suspected misconnections, ruled out)
    contacts: list[Contact] = field(default_factory=list)
    # attachments (filled by the build's last step; empty until then)
    ent_ids: np.ndarray = field(default_factory=lambda: _empty(object))
    ent_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    ent_node: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    ent_edge: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    ent_method: np.ndarray = field(default_factory=lambda: _empty(object))
    ent_distance_m: np.ndarray = field(default_factory=lambda: _empty(float))
    ent_flow_tpd: np.ndarray = field(default_factory=lambda: _empty(float))
    ent_cod_mgl: np.ndarray = field(default_factory=lambda: _empty(float))
    plant_ids: np.ndarray = field(default_factory=lambda: _empty(object))
    plant_node: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    outfall_ids: np.ndarray = field(default_factory=lambda: _empty(object))
    outfall_node: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    outfall_class: np.ndarray = field(default_factory=lambda: _empty(object))
    build_issues: list[Issue] = field(default_factory=list)
    # per-user-id lookups
    pipe_edges: PipeEdges = field(default=None)  # type: ignore[assignment]
    pipe_alias: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ent_index: Mapping[str, int] = field(default_factory=dict)
    plant_index: Mapping[str, int] = field(default_factory=dict)
    outfall_index: Mapping[str, int] = field(default_factory=dict)

    # ---- sizes ------------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (pipe parts)."""
        return len(self.edge_u)

    @property
    def tolerance_units(self) -> float:
        """Snap tolerance in CRS units."""
        return self.snap_tolerance_m / self.unit_m

    # ---- adjacency --------------------------------------------------------------------------
    @cached_property
    def out_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, edge_order)`` of out-edges per node."""
        return _csr(self.edge_u, self.n_nodes)

    @cached_property
    def in_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, edge_order)`` of in-edges per node."""
        return _csr(self.edge_v, self.n_nodes)

    @cached_property
    def out_lists(self) -> tuple[list[int], list[int], list[int], list[bool], list[float]]:
        """Python-list copies (indptr, edges, edge_v, edge_open, edge_length) for fast walks."""
        indptr, order = self.out_csr
        return (
            indptr.tolist(),
            order.tolist(),
            self.edge_v.tolist(),
            self.edge_open.tolist(),
            self.edge_length_m.tolist(),
        )

    @cached_property
    def adjacency(self) -> sparse.csr_matrix:
        """scipy CSR adjacency of open edges (flow direction), for ``scipy.sparse.csgraph``."""
        m = self.edge_open
        n = self.n_nodes
        return sparse.csr_matrix(
            (np.ones(int(m.sum()), dtype=np.int8), (self.edge_u[m], self.edge_v[m])), shape=(n, n)
        )

    @cached_property
    def node_is_plant(self) -> np.ndarray:
        """Bool per node: a plant is attached."""
        out = np.zeros(self.n_nodes, dtype=bool)
        out[self.plant_node[self.plant_node >= 0]] = True
        return out

    @cached_property
    def node_is_outfall(self) -> np.ndarray:
        """Bool per node: an outfall is attached."""
        out = np.zeros(self.n_nodes, dtype=bool)
        out[self.outfall_node[self.outfall_node >= 0]] = True
        return out

    @cached_property
    def node_plants(self) -> dict[int, list[int]]:
        """Node index -> plant indices attached there."""
        return _group_by_node(self.plant_node)

    @cached_property
    def node_outfalls(self) -> dict[int, list[int]]:
        """Node index -> outfall indices attached there."""
        return _group_by_node(self.outfall_node)

    @cached_property
    def node_enterprises(self) -> dict[int, list[int]]:
        """Node index -> enterprise indices attached there."""
        return _group_by_node(self.ent_node)

    @cached_property
    def node_has_enterprise(self) -> np.ndarray:
        """Bool per node: an enterprise is attached (its water enters there)."""
        out = np.zeros(self.n_nodes, dtype=bool)
        out[self.ent_node[self.ent_node >= 0]] = True
        return out

    @cached_property
    def edge_pipe_id(self) -> np.ndarray:
        """Pipe id per edge."""
        return self.piece_pipe_id[self.edge_piece]

    @cached_property
    def edge_system(self) -> np.ndarray:
        """System per edge (object array, None when unknown)."""
        return self.piece_system[self.edge_piece]

    @cached_property
    def edge_system_factors(self) -> tuple[np.ndarray, np.ndarray]:
        """``pd.factorize`` of :attr:`edge_system`: a code per edge (-1 where unknown) and the
        distinct systems, hashed once for the several checks that ask by system."""
        codes, uniques = pd.factorize(pd.Series(self.edge_system, dtype=object))
        return codes, np.asarray(uniques, dtype=object)

    @cached_property
    def edge_diameter_mm(self) -> np.ndarray:
        """Diameter per edge in mm (NaN when unknown)."""
        return self.piece_diameter_mm[self.edge_piece]

    @cached_property
    def piece_geom_length_m(self) -> np.ndarray:
        """Length of each piece's line in metres (the build hands over the one it measured)."""
        return shapely.length(self.piece_geom) * self.unit_m

    @cached_property
    def pipe_tree(self) -> shapely.STRtree:
        """STRtree over the piece geometries (the build hands over the one it made)."""
        return shapely.STRtree(self.piece_geom)

    @cached_property
    def plant_nodes(self) -> frozenset[int]:
        """Node indices where a plant is attached (downstream walks stop there)."""
        return frozenset(np.flatnonzero(self.node_is_plant).tolist())

    @cached_property
    def barrier_nodes(self) -> frozenset[int]:
        """Node indices of manholes whose status makes them barriers (``blocked``/``closed``)."""
        return frozenset(np.flatnonzero(self.node_barrier).tolist())

    @cached_property
    def reverse_open_csr(self) -> tuple[sparse.csr_matrix, np.ndarray]:
        """``(matrix, passable)``: CSR adjacency against the flow over passable edges.

        ``matrix[v, u]`` is set for each open edge ``u -> v`` whose upstream node is no
        barrier manhole; ``passable`` is that bool mask per edge. For single-seed upstream
        searches with ``scipy.sparse.csgraph``.
        """
        good = self.edge_open & ~self.node_barrier[self.edge_u]
        e = np.flatnonzero(good)
        n = self.n_nodes
        mat = sparse.csr_matrix(
            (np.ones(len(e), dtype=np.int8), (self.edge_v[e], self.edge_u[e])), shape=(n, n)
        )
        return mat, good

    # ---- networkx -----------------------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx ``MultiDiGraph`` (flow direction).

        Nodes are keyed by node id with attributes ``kind``, ``x``, ``y``, ``enterprises``,
        ``plants``, ``outfalls``; edges are keyed by pipe id (``pipe_id#part`` where a pipe has
        several parts between the same two nodes) with ``pipe_id``, ``part``, ``length_m``,
        ``dir_source`` and ``edge`` (the index into the edge arrays, where system, diameter,
        status … are: ``net.edge_system[edge]``).
        """
        return to_networkx(self)

    # ---- ids ----------------------------------------------------------------------------------
    def resolve(self, feature_id: str) -> Target:
        """Resolve a manhole, pipe, enterprise, outfall or plant id.

        A ``kind:`` prefix (``pipe:``, ``node:``, ``enterprise:``, ``outfall:``, ``plant:``)
        picks one kind when ids are shared between layers.

        Raises
        ------
        UnknownIdError
            The id names nothing in the network.
        """
        raw = str(feature_id).strip()
        kinds: tuple[str, ...] = ID_KINDS
        fid = raw
        if ":" in raw:
            prefix, rest = raw.split(":", 1)
            if prefix.lower() in _KIND_ALIASES and rest:
                kinds = (_KIND_ALIASES[prefix.lower()],)
                fid = rest.strip()
        for kind in kinds:
            target = self._resolve_kind(kind, fid)
            if target is not None:
                return target
        raise UnknownIdError(
            f"Unknown id {raw!r}: it names no manhole, pipe, enterprise, outfall or plant in "
            f"this network ({self.n_nodes} nodes, {len(self.pipe_edges)} pipes, "
            f"{len(self.ent_ids)} enterprises, {len(self.outfall_ids)} outfalls, "
            f"{len(self.plant_ids)} plants). Check the spelling or prefix it with its kind, "
            f"e.g. pipe:{fid}.",
            feature=raw,
        )

    def _resolve_kind(self, kind: str, fid: str) -> Target | None:
        if kind == "node":
            i = self.node_index.get(fid)
            return None if i is None else Target("node", fid, (i,), (), (i,))
        if kind == "pipe":
            edges = self.pipe_edges.get(fid)
            if not edges and fid in self.pipe_alias:
                edges = [e for a in self.pipe_alias[fid] for e in self.pipe_edges.get(a, ())]
            if not edges:
                return None
            es = set(edges)
            # downstream seeds: outflow nodes of parts not feeding another part of the pipe
            us = {int(self.edge_u[e]) for e in es}
            vs = {int(self.edge_v[e]) for e in es}
            down = tuple(sorted(vs - us)) or tuple(sorted(vs))
            up = tuple(sorted(us))
            return Target("pipe", fid, down, tuple(edges), up)
        if kind == "enterprise":
            i = self.ent_index.get(fid)
            if i is None:
                return None
            n = int(self.ent_node[i])
            e = int(self.ent_edge[i])
            return Target("enterprise", fid, (n,) if n >= 0 else (), (e,) if e >= 0 else (), ())
        if kind == "outfall":
            i = self.outfall_index.get(fid)
            if i is None:
                return None
            n = int(self.outfall_node[i])
            return Target("outfall", fid, (n,) if n >= 0 else (), (), (n,) if n >= 0 else ())
        if kind == "plant":
            i = self.plant_index.get(fid)
            if i is None:
                return None
            n = int(self.plant_node[i])
            return Target("plant", fid, (n,) if n >= 0 else (), (), (n,) if n >= 0 else ())
        return None

    def edge_xy(self, e: int) -> tuple[float, float]:
        """A point in the middle of edge *e* (CRS units)."""
        frac = 0.5 * (self.edge_frac0[e] + self.edge_frac1[e])
        p = shapely.line_interpolate_point(
            self.piece_geom[self.edge_piece[e]], frac, normalized=True
        )
        return float(shapely.get_x(p)), float(shapely.get_y(p))

    def piece_xy(self, p: int) -> tuple[float, float]:
        """The middle point of piece *p* (CRS units)."""
        q = shapely.line_interpolate_point(self.piece_geom[p], 0.5, normalized=True)
        return float(shapely.get_x(q)), float(shapely.get_y(q))

    def node_xy_of(self, n: int) -> tuple[float, float]:
        """Coordinates of node *n*."""
        return float(self.node_xy[n, 0]), float(self.node_xy[n, 1])

    def summary(self) -> dict[str, int]:
        """Counts of the main elements."""
        return {
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "pipes": len(self.pipe_edges),
            "enterprises": len(self.ent_ids),
            "plants": len(self.plant_ids),
            "outfalls": len(self.outfall_ids),
            "side_connections": len(self.side_connections),
        }


@contextmanager
def _no_gc() -> Generator[None, None, None]:
    """Pause the cyclic garbage collector while millions of small objects are made."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _group_by_node(node_of: np.ndarray) -> dict[int, list[int]]:
    """Node index -> the indices of the items attached there (-1 = not attached)."""
    d: dict[int, list[int]] = {}
    for i, n in enumerate(node_of.tolist()):
        if n >= 0:
            d.setdefault(n, []).append(i)
    return d


def to_networkx(net: Network) -> nx.MultiDiGraph:
    """Return the networkx ``MultiDiGraph`` of *net* (see :attr:`Network.graph`)."""
    with _no_gc():
        return _to_networkx(net)


def _to_networkx(net: Network) -> nx.MultiDiGraph:
    import networkx as nx

    g = nx.MultiDiGraph(crs=net.crs, snap_tolerance_m=net.snap_tolerance_m)
    ids = net.node_ids
    ent_at = net.node_enterprises
    plants_at = net.node_plants
    outf_at = net.node_outfalls
    xs = net.node_xy[:, 0].tolist()
    ys = net.node_xy[:, 1].tolist()
    kinds = net.node_kind.tolist()
    g.add_nodes_from(
        (ids[i], {"kind": kinds[i], "x": xs[i], "y": ys[i]}) for i in range(net.n_nodes)
    )
    for mapping, attr, arr in (
        (ent_at, "enterprises", net.ent_ids),
        (plants_at, "plants", net.plant_ids),
        (outf_at, "outfalls", net.outfall_ids),
    ):
        for n, rows in mapping.items():
            g.nodes[ids[n]][attr] = tuple(arr[r] for r in rows)
    pid = net.edge_pipe_id
    keys = pid.astype(object)
    dup = pd.DataFrame({"u": net.edge_u, "v": net.edge_v, "k": net.pipe_edges.codes}).duplicated(
        keep=False
    )
    if dup.any():
        idx = np.flatnonzero(dup.to_numpy())
        keys = keys.copy()
        for i in idx:
            keys[i] = f"{pid[i]}#{net.edge_part[i]}"
    src = net.piece_dir_source[net.edge_piece].tolist()
    part = net.edge_part.tolist()
    length = net.edge_length_m.tolist()
    u = ids[net.edge_u].tolist()
    v = ids[net.edge_v].tolist()
    pids = pid.tolist()
    keys = keys.tolist()
    g.add_edges_from(
        (
            u[e],
            v[e],
            keys[e],
            {
                "pipe_id": pids[e],
                "part": part[e],
                "length_m": length[e],
                "dir_source": src[e],
                "edge": e,
            },
        )
        for e in range(len(u))
    )
    return g


# --------------------------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------------------------
def build_network(
    layers: Mapping[str, gpd.GeoDataFrame], settings: Any = None, crs: Any = None
) -> Network:
    """Build the flow network from canonical layers.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by kind (``pipes`` required; ``manholes``, ``enterprises``, ``plants``,
        ``outfalls`` optional), with canonical columns from :mod:`network.schema`.
    settings : mapping or object, optional
        ``snap_tolerance_m`` (default 0.05) and ``attach_distance_m`` (default 50), in metres
        whatever the CRS unit; ``contact_max_drop_m`` (default 3): inverts further apart
        than this rule a geometric contact out; ``confirmed_contacts`` (default none): the
        keys (``"P12|YJ-7"``, see :func:`contact_key`) of contacts a user confirmed.

    Notes
    -----
    Ids over geometry. A pipe end whose from/to id names a manhole of the manhole layer joins
    that manhole, wherever it is drawn (a gap beyond the tolerance is a ``near_miss`` or
    ``fields_mismatch`` finding); an id naming no manhole is an ``unknown_node`` finding and
    the end joins by geometry. A pipe with from/to ids is never split at a manhole lying on
    it, nor at a pipe end whose id says it ends elsewhere: such contacts are findings
    (``contact_not_connected``). Without ids, ends snap to manholes and to each other and
    nodes on a pipe split it (side connections), except where rain meets sewage or
    industrial (combined and unknown systems meet anything): that contact is a
    ``suspected_misconnection`` and carries no flow until its key is listed in
    ``confirmed_contacts``; where both inverts are known and differ by more than
    ``contact_max_drop_m`` a contact on a pipe's interior (or across systems) is ruled out
    (``contact_ruled_out``). The contacts not joined are in :attr:`Network.contacts`.
    crs : optional
        CRS of the layers; defaults to the pipe layer's CRS.

    Returns
    -------
    Network

    Raises
    ------
    NetworkError
        There is no pipe layer.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> pipes = gpd.GeoDataFrame({"pipe_id": ["P1", "P2"]},
    ...     geometry=[LineString([(0, 0), (10, 0)]), LineString([(10, 0), (20, 0)])])
    >>> net = build_network({"pipes": pipes})
    >>> sorted(net.graph.edges(keys=True))
    [('P1@end', 'P2@end', 'P2'), ('P1@start', 'P1@end', 'P1')]
    """
    gen = iter_build_network(layers, settings, crs)
    with _no_gc():
        return drain(gen)


def iter_build_network(
    layers: Mapping[str, gpd.GeoDataFrame], settings: Any = None, crs: Any = None
) -> Generator[Progress, None, Network]:
    """Generator version of :func:`build_network` yielding ``(fraction, message)``."""
    pipes = layers.get(S.PIPES)
    if pipes is None:
        raise NetworkError(
            "The project has no pipe layer; import pipes before building the network.",
            layer=S.PIPES,
        )
    crs = pipes.crs if crs is None else crs
    unit_m = crs_unit_m(crs)
    tol_m = float(get_setting(settings, "snap_tolerance_m", DEFAULT_SNAP_TOLERANCE_M))
    attach_m = float(get_setting(settings, "attach_distance_m", DEFAULT_ATTACH_DISTANCE_M))
    max_drop_m = float(get_setting(settings, "contact_max_drop_m", DEFAULT_CONTACT_MAX_DROP_M))
    confirmed = _confirmed_keys(get_setting(settings, "confirmed_contacts", ()))
    tol = tol_m / unit_m
    issues: list[Issue] = []

    yield 0.0, "Reading pipes"
    pc = _pipe_pieces(pipes, unit_m, issues)

    yield 0.15, "Reading manholes"
    mh = _manholes(layers.get(S.MANHOLES), issues)

    yield 0.2, "Joining pipe ends to the manholes their ids name"
    ends = _end_arrays(pc, mh, tol, unit_m, issues)

    yield 0.25, "Snapping pipe ends"
    end_xy = np.empty((2 * len(pc["pipe_id"]), 2))
    end_xy[0::2] = pc["start_xy"]
    end_xy[1::2] = pc["end_xy"]
    end_node, n_clusters, cluster_xy, raw_contacts = _snap_ends(end_xy, mh, tol, ends, confirmed)
    del end_xy
    _drop(ends, "forced", "id", "f", "t")
    _drop(pc, "start_xy", "end_xy", "src_fid")
    if len(mh["ids"]) > 1:
        _duplicate_manholes(mh, tol, tol_m, issues)

    yield 0.4, "Naming junctions"
    nodes = _node_arrays(mh, end_node, n_clusters, cluster_xy, pc)
    start_node = end_node[0::2].copy()
    end_node_p = end_node[1::2].copy()

    yield 0.5, "Finding flow directions"
    dirs = _directions(
        pc,
        nodes["node_ids"][start_node],
        nodes["node_ids"][end_node_p],
        (ends["has_f"], ends["has_t"]),
    )
    dirs["fields_mismatch"] &= ~ends["unknown_id"]  # reported as "X does not exist"
    _drop(pc, "from_node", "to_node", "flow_dir", "from_invert", "to_invert")
    ctx = _ContactContext(pc, mh, ends, end_node, nodes, dirs["reversed"], unit_m, max_drop_m)
    contacts = _end_contacts(ctx, raw_contacts)
    del raw_contacts
    _drop(ends, "cls", "inv", "id_known")  # the side contacts read has_ids and pid

    yield 0.6, "Finding side connections"
    made: list[shapely.STRtree] = []  # the spatial tree, made only when a step asks for it

    def pipe_tree() -> shapely.STRtree:
        if not made:
            made.append(shapely.STRtree(pc["geom"]))
        return made[0]

    splits, side_contacts = _side_connections(
        pipe_tree,
        pc["geom"],
        nodes["node_xy"],
        start_node,
        end_node_p,
        tol,
        ctx,
        confirmed,
        pc["two_point"],
    )
    contacts.extend(side_contacts)
    del ctx, ends, end_node, side_contacts
    pc.pop("two_point")

    yield 0.7, "Making edges"
    edges = _make_edges(pc, start_node, end_node_p, dirs["reversed"], splits)
    pipe_edges = PipeEdges.from_codes(edges.pop("pipe_codes"), edges.pop("pipe_uniques"))
    net = Network(
        layers=dict(layers),
        settings=dict(settings)
        if isinstance(settings, Mapping)
        else {
            "snap_tolerance_m": tol_m,
            "attach_distance_m": attach_m,
            "contact_max_drop_m": max_drop_m,
            "confirmed_contacts": sorted(confirmed),
        },
        crs=crs,
        unit_m=unit_m,
        snap_tolerance_m=tol_m,
        attach_distance_m=attach_m,
        **nodes,
        **_piece_arrays(pc, start_node, end_node_p, dirs),
        **{f"edge_{k}": v for k, v in edges.items()},
        edge_open=~_is_barrier_status(pc["status"])[edges["piece"]],
        side_connections=splits,
        contacts=contacts,
        build_issues=issues,
        pipe_edges=pipe_edges,
        pipe_alias=_multipart_aliases(pc),
    )
    if made:
        net.pipe_tree = made[0]  # fills the cached property with the tree made above
    net.piece_geom_length_m = pc["geom_length_m"]  # the same sum, measured while reading

    yield 0.85, "Attaching enterprises, plants and outfalls"
    _attach_all(net, layers, issues)
    yield 1.0, "Network built"
    return net


def _drop(arrays: dict, *keys: str) -> None:
    """Free the arrays of *keys* no later step of the build reads (at a million pipes each
    holds 8 to 16 MB)."""
    for key in keys:
        del arrays[key]


def _node_arrays(
    mh: dict, end_node: np.ndarray, n_clusters: int, cluster_xy: np.ndarray, pc: dict
) -> dict[str, Any]:
    """The node fields of :class:`Network`: manholes first, then the junction clusters."""
    n_mh = len(mh["ids"])
    node_ids = np.empty(n_mh + n_clusters, dtype=object)
    node_ids[:n_mh] = mh["ids"]
    node_ids[n_mh:] = _name_clusters(end_node, mh["ids"], n_clusters, pc)
    node_barrier = np.zeros(len(node_ids), dtype=bool)
    node_barrier[:n_mh] = mh["barrier"]
    return {
        "node_ids": node_ids,
        "node_xy": np.vstack([mh["xy"].reshape(-1, 2), cluster_xy.reshape(-1, 2)]),
        "node_kind": np.array([NODE_MANHOLE] * n_mh + [NODE_JUNCTION] * n_clusters, dtype=object),
        "node_manhole_row": np.concatenate([mh["row"], np.full(n_clusters, -1)]).astype(np.int64),
        "node_barrier": node_barrier,
        "node_index": IdIndex(node_ids),  # a dict only once many ids are looked up
    }


def _piece_arrays(
    pc: dict, start_node: np.ndarray, end_node: np.ndarray, dirs: dict
) -> dict[str, np.ndarray]:
    """The piece fields of :class:`Network` (pipe rows with multi-parts exploded)."""
    return {
        "piece_pipe_id": pc["pipe_id"],
        "piece_row": pc["row"],
        "piece_geom": pc["geom"],
        "piece_length_m": pc["length_m"],
        "piece_start_node": start_node,
        "piece_end_node": end_node,
        "piece_reversed": dirs["reversed"],
        "piece_dir_source": dirs["source"],
        "piece_system": pc["system"],
        "piece_diameter_mm": pc["diameter_mm"],
        "piece_status": pc["status"],
        "piece_up_invert": dirs["up_invert"],
        "piece_down_invert": dirs["down_invert"],
        "piece_slope_conflict": dirs["slope_conflict"],
        "piece_fields_mismatch": dirs["fields_mismatch"],
        "piece_flowdir_conflict": dirs["flowdir_conflict"],
        "piece_multipart": pc["multipart"],
        "piece_feature": pd.factorize(pc["feature_key"])[0].astype(np.int64),
    }


# ---- pieces ---------------------------------------------------------------------------------
def _pipe_pieces(pipes: gpd.GeoDataFrame, unit_m: float, issues: list[Issue]) -> dict:
    """The usable pipe rows as pieces (multi-lines exploded), in row order, as arrays."""
    n = len(pipes)
    # a packed layer's lines stay coordinates (network.packed)
    geoms = packedmod.geometries(pipes.geometry) if n else np.empty(0, dtype=object)
    src_fid = pipes[S.SRC_FID].to_numpy() if S.SRC_FID in pipes.columns else np.arange(n)
    pid = _pipe_ids(pipes, src_fid, issues)
    multipart, feature_key = _source_features(pipes, src_fid)
    keep = _usable_lines(geoms, pid, src_fid, issues)
    geoms, rows, keep = _explode_multilines(geoms, keep, multipart)
    sel = np.flatnonzero(keep)
    rows = rows[sel]
    geoms = geoms[sel]
    if len(rows) and not (rows[1:] >= rows[:-1]).all():
        order = np.argsort(rows, kind="stable")
        rows, geoms = rows[order], geoms[order]
    whole = np.array_equal(rows, np.arange(n))  # every row one piece: columns need no take

    def take(values: np.ndarray) -> np.ndarray:
        if not whole:
            return values[rows]
        # text arrays are made here; numbers may be the layer's own memory: copied
        return values if values.dtype == object else values.copy()

    coords_all = packedmod.coordinates(geoms)
    ncoords = packedmod.num_coordinates(geoms)
    ends = np.cumsum(ncoords)
    geom_len_m = packedmod.lengths(geoms) * unit_m
    length_m = geom_len_m
    if S.LENGTH_M in pipes.columns:
        given = take(float_array(pipes, S.LENGTH_M))
        count_by_row = np.bincount(rows, minlength=n)[rows]
        use = np.isfinite(given) & (count_by_row == 1)
        length_m = np.where(use, given, geom_len_m)
    two_point = None  # as _two_point_coords(geoms) answers, from the coordinates read above
    if len(geoms) and (ncoords == 2).all() and (packedmod.type_ids(geoms) == 1).all():
        two_point = coords_all[:, :2].reshape(-1, 4)
    return {
        "row": rows,
        "geom": geoms,
        "two_point": two_point,
        "pipe_id": take(pid),
        "src_fid": take(src_fid),
        "multipart": take(multipart),
        "feature_key": take(feature_key),
        "start_xy": coords_all[ends - ncoords][:, :2],
        "end_xy": coords_all[ends - 1][:, :2],
        "length_m": np.asarray(length_m, float),
        "geom_length_m": geom_len_m,
        "from_node": take(str_array(pipes, S.FROM_NODE)),
        "to_node": take(str_array(pipes, S.TO_NODE)),
        "flow_dir": take(str_array(pipes, S.FLOW_DIR)),
        "from_invert": take(float_array(pipes, S.FROM_INVERT_M)),
        "to_invert": take(float_array(pipes, S.TO_INVERT_M)),
        "system": take(str_array(pipes, S.SYSTEM)),
        "diameter_mm": take(float_array(pipes, S.DIAMETER_MM)),
        "status": _lower(take(str_array(pipes, S.STATUS))),
    }


def _pipe_ids(pipes: gpd.GeoDataFrame, src_fid: np.ndarray, issues: list[Issue]) -> np.ndarray:
    """Pipe id per row; rows without one are named ``pipes#<feature number>`` (one finding)."""
    pid = str_array(pipes, S.PIPE_ID)
    missing = np.flatnonzero(pd.isna(pid))
    for i in missing:
        pid[i] = f"pipes#{src_fid[i]}"
    if len(missing):
        ids = pid[missing].tolist()
        issues.append(
            Issue.make(
                "hygiene",
                "missing_id",
                WARNING,
                ids,
                S.PIPES,
                None,
                f"{len(ids)} 条管线缺少编号，已按要素序号临时编号（如 {ids[0]}）。",
                f"{len(ids)} pipe(s) have no id; named after their feature number "
                f"(e.g. {ids[0]}).",
                count=len(ids),
            )
        )
    return pid


def _source_features(
    pipes: gpd.GeoDataFrame, src_fid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: part of a multi-part source feature? and a key of that source feature.

    Rows exploded at import from one multi-line share ``src_fid`` (and ``src_file``) and have
    ``src_part > 0``; every other row is its own feature.
    """
    n = len(pipes)
    multipart = np.zeros(n, dtype=bool)
    feature_key = np.arange(n)
    if S.SRC_PART in pipes.columns:
        sp = pd.to_numeric(pipes[S.SRC_PART], errors="coerce").fillna(0).to_numpy()
        if (sp > 0).any():
            key = pd.Series(src_fid).astype(str)
            if "src_file" in pipes.columns:
                key = pipes["src_file"].astype(str).reset_index(drop=True) + "\x00" + key
            key = key.to_numpy(object)
            multi_key = set(key[sp > 0].tolist())
            multipart = pd.Series(key).isin(multi_key).to_numpy()
            feature_key = pd.factorize(key)[0]
    return multipart, feature_key


def _usable_lines(
    geoms: np.ndarray, pid: np.ndarray, src_fid: np.ndarray, issues: list[Issue]
) -> np.ndarray:
    """Bool per row: a line geometry; empty and non-line rows get an error finding."""
    if len(geoms) == 0:
        return np.zeros(0, dtype=bool)
    is_none = packedmod.missing_or_empty(geoms)
    gtype = packedmod.type_ids(geoms)
    bad_type = ~is_none & ~np.isin(gtype, (1, 2, 5))  # LineString, LinearRing, Multi
    for i in np.flatnonzero(is_none | bad_type):
        what = "empty" if is_none[i] else "not_a_line"
        issues.append(
            Issue.make(
                "geometry",
                what,
                ERROR,
                [pid[i]],
                S.PIPES,
                None,
                f"管线 {pid[i]} 几何为空，未纳入管网。"
                if is_none[i]
                else f"管线 {pid[i]} 不是线要素，未纳入管网。",
                f"Pipe {pid[i]} has {'no' if is_none[i] else 'a non-line'} geometry; it is left "
                f"out of the network.",
                reason=what,
                src_fid=int(src_fid[i]) if pd.notna(src_fid[i]) else None,
            )
        )
    return ~(is_none | bad_type)


def _explode_multilines(
    geoms: np.ndarray, keep: np.ndarray, multipart: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge, then explode the multi-lines still left: ``(geoms, row per geom, keep)``.

    The first part stays in its row; further parts are appended with their row number, and
    *multipart* is set for rows that really had several parts.
    """
    rows = np.arange(len(geoms))
    multi = keep & (packedmod.type_ids(geoms) == 5) if len(geoms) else keep
    if not multi.any():
        return geoms, rows, keep
    geoms = geoms.copy()  # the layer's own geometry array: its multi-lines stay whole
    extra_geom, extra_row = [], []
    for i in np.flatnonzero(multi):
        parts = shapely.get_parts(shapely.line_merge(geoms[i]))
        if not len(parts):  # a zero-length line merges to nothing: its parts as they are
            parts = shapely.get_parts(geoms[i])
        geoms[i] = parts[0]
        multipart[i] = multipart[i] or len(parts) > 1
        for p in parts[1:]:
            extra_geom.append(p)
            extra_row.append(i)
    if extra_geom:
        geoms = np.concatenate([geoms, np.array(extra_geom, dtype=object)])
        rows = np.concatenate([rows, np.array(extra_row)])
        keep = np.concatenate([keep, np.ones(len(extra_geom), dtype=bool)])
    return geoms, rows, keep


def multipart_base_id(ids: list[str]) -> str | None:
    """The original id of the parts of an exploded feature (``P1#1``, ``P1#2`` -> ``P1``)."""
    bases = {re.sub(r"#\d+$", "", x) for x in ids}
    return bases.pop() if len(bases) == 1 else None


def _multipart_aliases(pc: dict) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    mp = np.flatnonzero(pc["multipart"])
    if not len(mp):
        return out
    groups: dict[str, list[str]] = {}
    for p in mp.tolist():
        groups.setdefault(pc["feature_key"][p], []).append(pc["pipe_id"][p])
    for ids in groups.values():
        ids = list(dict.fromkeys(ids))
        base = multipart_base_id(ids)
        if base is not None and base not in ids:
            out[base] = tuple(ids)
    return out


def _manholes(manholes: gpd.GeoDataFrame | None, issues: list[Issue]) -> dict:
    if manholes is None or len(manholes) == 0:
        return {
            "ids": np.empty(0, dtype=object),
            "xy": np.empty((0, 2)),
            "barrier": np.empty(0, dtype=bool),
            "row": np.empty(0, np.int64),
            "cls": np.empty(0, np.int8),
            "invert": np.empty(0),
        }
    geoms = packedmod.geometries(manholes.geometry)  # packed points stay coordinates
    ok = ~packedmod.missing_or_empty(geoms)
    ids = str_array(manholes, S.NODE_ID)
    src_fid = (
        manholes[S.SRC_FID].to_numpy()
        if S.SRC_FID in manholes.columns
        else np.arange(len(manholes))
    )
    for i in np.flatnonzero(~ok):
        issues.append(
            Issue.make(
                "geometry",
                "empty",
                ERROR,
                [ids[i] or f"manholes#{src_fid[i]}"],
                S.MANHOLES,
                None,
                f"检查井 {ids[i]} 没有坐标，未纳入管网。",
                f"Manhole {ids[i]} has no location; it is left out of the network.",
            )
        )
    rows = np.flatnonzero(ok)
    ids = ids[rows]
    for k in np.flatnonzero(pd.isna(ids)):
        ids[k] = f"manholes#{src_fid[rows[k]]}"
    ids, dups = _dedupe_ids(ids)
    if dups:
        issues.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                WARNING,
                dups,
                S.MANHOLES,
                None,
                f"检查井编号重复：{'、'.join(dups[:10])}（后出现者加后缀 ~2 …）。",
                f"Duplicate manhole id(s): {', '.join(dups[:10])} (later ones get ~2, ~3 …).",
                count=len(dups),
            )
        )
    g = geoms[rows]
    if not np.all(packedmod.type_ids(g) == 0):
        g = shapely.centroid(np.asarray(g, dtype=object))
    xy = packedmod.coordinates(g)[:, :2]
    barrier = _is_barrier_status(str_array(manholes, S.STATUS)[rows])
    # the manhole's own system decides which pipes may join it by geometry alone; its invert
    # (ground level less depth) can rule a contact out
    invert = (float_array(manholes, S.GROUND_M) - float_array(manholes, S.DEPTH_M))[rows]
    cls = _strict_class(str_array(manholes, S.SYSTEM)[rows])
    return {"ids": ids, "xy": xy, "barrier": barrier, "row": rows, "cls": cls, "invert": invert}


def _manhole_tree(mh: dict) -> cKDTree:
    """The KD-tree over the manholes, made once per build (snapping and the duplicate
    check both ask it)."""
    if "tree" not in mh:
        mh["tree"] = spatial.cKDTree(mh["xy"])
    return mh["tree"]


def _duplicate_manholes(mh: dict, tol: float, tol_m: float, issues: list[Issue]) -> None:
    if not _may_have_close_pair(mh["xy"], tol):
        return  # no two manholes within tol: the tree would find no pair
    pairs = _manhole_tree(mh).query_pairs(tol, output_type="ndarray")
    for a, b in pairs.tolist():
        ia, ib = mh["ids"][a], mh["ids"][b]
        issues.append(
            Issue.make(
                "geometry",
                "duplicate_manhole",
                WARNING,
                [ia, ib],
                S.MANHOLES,
                tuple(mh["xy"][a]),
                f"检查井 {ia} 与 {ib} 相距不足 {tol_m:g} m，疑似重复。",
                f"Manholes {ia} and {ib} lie within {tol_m:g} m of each other (duplicate?).",
            )
        )


def _may_have_close_pair(xy: np.ndarray, tol: float) -> bool:
    """False only when no two of the points *xy* lie within *tol* of each other.

    The points are binned on a grid of cells ``2 * tol`` wide: two points within *tol* lie in
    one cell or in two neighbouring ones, so when no cell holds two points and no occupied
    cell has an occupied neighbour there is certainly no pair (without a KD-tree over a
    million manholes). True whenever that cannot be shown (then ask the tree).
    """
    if len(xy) < 2:
        return False
    if not (tol > 0 and np.isfinite(tol)) or not np.isfinite(xy).all():
        return True
    cell = 2.0 * tol
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    x0, y0 = x.min(), y.min()
    if not ((x.max() - x0) / cell < 2**30 and (y.max() - y0) / cell < 2**30):
        return True  # cell keys would overflow
    ix = np.floor((x - x0) / cell).astype(np.int64) + 1
    iy = np.floor((y - y0) / cell).astype(np.int64) + 1
    ny = int(iy.max()) + 2  # a column's keys ix * ny + 1 … ix * ny + ny - 2: no wrapping
    key = np.sort(ix * ny + iy, kind="stable")  # timsort: the points come in long runs
    step = np.diff(key)
    if (step <= 1).any():  # two points in one cell, or in a cell and the one above it
        return True
    # the cells right of a cell, down-right to up-right: keys k + ny - 1 … k + ny + 1
    at = np.searchsorted(key, key + (ny - 1))
    inside = at < len(key)
    return bool((key[at[inside]] <= key[inside] + (ny + 1)).any())


def _is_barrier_status(status: np.ndarray) -> np.ndarray:
    """Per value: a ``str`` whose lower case is a barrier status (``blocked``/``closed``);
    decided once per distinct value."""
    codes, uniques = pd.factorize(np.asarray(status, dtype=object))
    lut = np.array(
        [isinstance(u, str) and u.lower() in BARRIER_STATUS for u in uniques] + [False],
        dtype=bool,
    )
    return lut[codes]


def _strict_class(system: np.ndarray) -> np.ndarray:
    """Per value: 1 rain, 2 sewage or industrial, 0 combined or unknown (int8)."""
    codes, uniques = pd.factorize(pd.Series(system, dtype=object))
    lut = np.array(
        [
            _CLS_RAIN if u == S.RAIN else _CLS_FOUL if u in (S.SEWAGE, S.INDUSTRIAL) else 0
            for u in uniques
        ]
        + [0],
        dtype=np.int8,
    )
    return lut[codes]


def _conflict(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise: one side rain, the other sewage/industrial."""
    return (a.astype(np.int16) * b) == _CLS_RAIN * _CLS_FOUL


def _keys(a: np.ndarray, b: np.ndarray) -> list[str]:
    return [contact_key(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]


def _end_arrays(pc: dict, mh: dict, tol: float, unit_m: float, issues: list[Issue]) -> dict:
    """Per pipe end (``2 * piece + 0`` start, ``+ 1`` end): the manhole its from/to id names.

    When a pipe's from/to ids name manholes of the manhole layer, the ids define where it
    joins: its ends go to those manholes whatever the geometry says (the from id to the end
    nearer that manhole). A gap beyond the snap tolerance becomes a finding (``near_miss``
    within ten times the tolerance, ``fields_mismatch`` beyond); an id naming no manhole
    becomes ``unknown_node``. Parts of multi-part pipes, pipes without ids and projects
    without a manhole layer join by geometry.

    Returns a dict of per-end arrays: ``forced`` (manhole index or -1), ``id`` (the id of that
    end, None when not known), ``cls`` (strict system class), ``inv`` (invert, NaN when not
    known) and ``id_known`` per end (``id`` is not None); per piece (end ``e`` is piece
    ``e >> 1``): ``f``/``t`` (its from/to ids, for ids vouching for a contact), ``pid``,
    ``has_ids``, ``unknown_id`` and ``has_f``/``has_t`` (the from/to id is not None).
    """
    n = len(pc["pipe_id"])
    f, t = pc["from_node"], pc["to_node"]
    has_f, has_t = ~pd.isna(f), ~pd.isna(t)
    n_mh = len(mh["ids"])
    forced = np.full(2 * n, -1, dtype=np.int64)
    swap = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    if n_mh and n:
        fi, ti = _positions_in(mh["ids"], f, t)
        fi = np.where(has_f, fi, -1)
        ti = np.where(has_t, ti, -1)
        unknown_f = has_f & (fi < 0)
        unknown_t = has_t & (ti < 0)
        unknown = unknown_f | unknown_t
        _unknown_ids(pc, unknown_f, unknown_t, issues)
        mp = pc["multipart"]
        fi[mp] = -1
        ti[mp] = -1
        s_xy, e_xy = pc["start_xy"], pc["end_xy"]

        def dist(xy: np.ndarray, k: np.ndarray) -> np.ndarray:
            d = np.hypot(*(xy - mh["xy"][np.maximum(k, 0)]).T) if n_mh else np.zeros(n)
            return np.where(k >= 0, d, 0.0)

        d_fs, d_fe, d_ts, d_te = dist(s_xy, fi), dist(e_xy, fi), dist(s_xy, ti), dist(e_xy, ti)
        swap = d_fe + d_ts < d_fs + d_te
        swap &= (fi >= 0) | (ti >= 0)
        forced[0::2] = np.where(swap, ti, fi)
        forced[1::2] = np.where(swap, fi, ti)
        gap = np.empty(2 * n)  # each end's distance to its manhole, measured just above
        gap[0::2] = np.where(swap, d_ts, d_fs)
        gap[1::2] = np.where(swap, d_fe, d_te)
        _id_gaps(pc, mh, forced, swap, tol, unit_m, issues, gap)
    fv = np.where(has_f, f, None).astype(object)
    tv = np.where(has_t, t, None).astype(object)
    end_id = np.empty(2 * n, dtype=object)
    end_id[0::2] = np.where(swap, tv, fv)
    end_id[1::2] = np.where(swap, fv, tv)
    id_known = np.empty(2 * n, dtype=bool)  # ~pd.isna(end_id), from what is known already
    id_known[0::2] = np.where(swap, has_t, has_f)
    id_known[1::2] = np.where(swap, has_f, has_t)
    fiv, tiv = pc["from_invert"], pc["to_invert"]
    inv = np.empty(2 * n)
    inv[0::2] = np.where(swap, tiv, fiv)
    inv[1::2] = np.where(swap, fiv, tiv)
    cls = np.repeat(_strict_class(pc["system"]), 2)
    return {
        "forced": forced,
        "id": end_id,
        "id_known": id_known,
        "has_f": has_f,
        "has_t": has_t,
        "cls": cls,
        "inv": inv,
        "f": fv,  # per piece, as "t" and "pid": an end e is piece e >> 1
        "t": tv,
        "pid": pc["pipe_id"],
        "has_ids": has_f | has_t,
        "unknown_id": unknown,
    }


def _positions_in(ids: np.ndarray, *queries: np.ndarray) -> list[np.ndarray]:
    """Per array of *queries* (``str`` or None): the position of each value in the unique
    ``str`` array *ids*, -1 where absent or None (hashed by Arrow, no Python objects)."""
    try:
        value_set = pa.array(ids, type=pa.string())
        # one look-up for all queries: Arrow hashes the value set once per call
        allq = pa.array(np.concatenate(queries) if len(queries) > 1 else queries[0], pa.string())
        # with no null among the ids a null query finds nothing either way: skipped, faster
        opts = pc_arrow.SetLookupOptions(value_set, skip_nulls=value_set.null_count == 0)
        pos = pc_arrow.index_in(allq, options=opts)
        pos = np.asarray(pos.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        return np.split(pos, np.cumsum([len(q) for q in queries[:-1]]))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: pandas hashes anything
        index = pd.Index(ids, dtype=object)
        return [
            np.where(pd.isna(q), -1, index.get_indexer(pd.Series(q, dtype=object).fillna("")))
            for q in queries
        ]


def _unknown_ids(
    pc: dict, unknown_f: np.ndarray, unknown_t: np.ndarray, issues: list[Issue]
) -> None:
    """One finding per pipe end whose from/to id names no manhole of the manhole layer."""
    seen: set[tuple[str, str]] = set()
    for field_name, mask, col, zh_end in (
        (S.FROM_NODE, unknown_f, "from_node", "起点"),
        (S.TO_NODE, unknown_t, "to_node", "终点"),
    ):
        for p in np.flatnonzero(mask).tolist():
            pid, x = pc["pipe_id"][p], pc[col][p]
            if (pid, field_name) in seen:
                continue  # another part of the same multi-part pipe
            seen.add((pid, field_name))
            xy = pc["start_xy"][p]
            issues.append(
                Issue.make(
                    "connectivity",
                    "unknown_node",
                    WARNING,
                    [pid],
                    S.PIPES,
                    (float(xy[0]), float(xy[1])),
                    f"管线 {pid} 的{zh_end}编号 {x} 不存在：检查井图层中没有该井（按图形连接）。",
                    f"Pipe {pid}: {field_name} {x} does not exist: no manhole of the manhole "
                    f"layer has that id (joined by geometry instead).",
                    id=f"connectivity.unknown_node:{pid}:{field_name}",
                    field=field_name,
                    node=x,
                    src_fid=int(pc["src_fid"][p]) if pd.notna(pc["src_fid"][p]) else None,
                )
            )


def _id_gaps(
    pc: dict,
    mh: dict,
    forced: np.ndarray,
    swap: np.ndarray,
    tol: float,
    unit_m: float,
    issues: list[Issue],
    gaps: np.ndarray | None = None,
) -> None:
    """Findings for pipe ends joined by their id to a manhole farther than the tolerance.

    *gaps* (per end, optional) are the distances from each end to its manhole where the
    caller measured them already (``np.hypot`` of the same differences: the same numbers).
    """
    ends = np.flatnonzero(forced >= 0)
    if not len(ends):
        return
    if gaps is None:
        ends_xy = np.where(
            (ends % 2 == 0)[:, None], pc["start_xy"][ends >> 1], pc["end_xy"][ends >> 1]
        )
        gap = np.hypot(*(ends_xy - mh["xy"][forced[ends]]).T)
    else:
        gap = gaps[ends]
    far = gap > tol * (1 + 1e-9)
    tol_m = tol * unit_m
    for e, g in zip(ends[far].tolist(), (gap[far] * unit_m).tolist(), strict=True):
        p, side = divmod(e, 2)
        pid, target = pc["pipe_id"][p], mh["ids"][forced[e]]
        is_from = (side == 0) != bool(swap[p])
        end_en, end_zh = ("upstream", "上游") if is_from else ("downstream", "下游")
        field_name, field_zh = ("from_node", "起点编号") if is_from else ("to_node", "终点编号")
        at = (pc["start_xy"] if side == 0 else pc["end_xy"])[p]
        where = (float(at[0]), float(at[1]))
        if g <= tol_m * NEAR_MISS_FACTOR:
            issues.append(
                Issue.make(
                    "connectivity",
                    "near_miss",
                    WARNING,
                    [pid],
                    S.PIPES,
                    where,
                    f"管线 {pid} 的{end_zh}端点距检查井 {target} {g:.3f} m（捕捉容差 "
                    f"{tol_m:g} m），已按{field_zh}连接；请修正图形。",
                    f"The {end_en} end of pipe {pid} misses manhole {target} by {g:.3f} m "
                    f"(snap tolerance {tol_m:g} m); joined by its {field_name} id. Fix the "
                    f"drawing.",
                    node=target,
                    end=end_en,
                    target=target,
                    target_kind="manhole",
                    distance_m=round(g, 4),
                    joined_by="ids",
                )
            )
        else:
            issues.append(
                Issue.make(
                    "connectivity",
                    "fields_mismatch",
                    WARNING,
                    [pid],
                    S.PIPES,
                    where,
                    f"管线 {pid} 的{field_zh}为 {target}，但图形端点距该井 {g:.1f} m；"
                    f"已按编号连接，请核对编号或图形。",
                    f"Pipe {pid}: its {field_name} is {target} but its drawn {end_en} end lies "
                    f"{g:.1f} m from that manhole; joined by the id. Check the id or the drawing.",
                    node=target,
                    end=end_en,
                    field=field_name,
                    distance_m=round(g, 3),
                    joined_by="ids",
                )
            )


def _manhole_classes(
    own: np.ndarray, node: np.ndarray, cls: np.ndarray, ends: np.ndarray, near: np.ndarray
) -> np.ndarray:
    """Strict class per manhole: its own system field, else that of the pipes joined to it by
    id (the majority), else that of the pipe ends lying at it (the majority; sewage on a tie).
    """
    n_mh = len(own)
    out = own.copy()
    if not n_mh:
        return out

    def votes(where: np.ndarray, c: np.ndarray) -> np.ndarray:
        rain = np.bincount(where[c == _CLS_RAIN], minlength=n_mh)
        foul = np.bincount(where[c == _CLS_FOUL], minlength=n_mh)
        return np.where(rain + foul == 0, 0, np.where(rain > foul, _CLS_RAIN, _CLS_FOUL))

    by_id = np.flatnonzero(node >= 0)
    v_id = votes(node[by_id], cls[by_id])
    v_geo = votes(near, cls[ends])
    fill = np.where(v_id > 0, v_id, v_geo).astype(np.int8)
    out[out == 0] = fill[out == 0]
    return out


def _snap_ends(
    end_xy: np.ndarray, mh: dict, tol: float, ends: dict, confirmed: frozenset[str]
) -> tuple[np.ndarray, int, np.ndarray, list[tuple[np.ndarray, str, np.ndarray, np.ndarray]]]:
    """Node index per pipe end (manholes first, then junction clusters), the cluster count and
    coordinates, and the geometric contacts refused: ``(ends, 'manhole' or 'end', other
    manhole or end indices, distances in CRS units)``.

    Ends joined by their ids (``ends["forced"]``) keep their manhole. The others join the
    nearest manhole within *tol*, or an end within *tol* of one, or each other — except
    across the rain and sewage systems (unless their ids agree or the contact is confirmed).
    """
    n_ends = len(end_xy)
    mh_xy = mh["xy"]
    n_mh = len(mh_xy)
    node = ends["forced"].copy()
    cls, pid = ends["cls"], ends["pid"]
    refused: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]] = []

    def allowed(e: np.ndarray, m: np.ndarray, mcls: np.ndarray) -> np.ndarray:
        ok = ~_conflict(cls[e], mcls[m])
        if confirmed and not ok.all():
            bad = np.flatnonzero(~ok)
            keys = _keys(pid[e[bad] >> 1], mh["ids"][m[bad]])
            ok[bad] = [k in confirmed for k in keys]
        return ok

    if n_mh and n_ends:
        loose = np.flatnonzero(node < 0)
        if len(loose):
            d, idx = _manhole_tree(mh).query(end_xy[loose], distance_upper_bound=tol)
        else:  # every end joined by its ids: nothing to ask the tree (made only if needed)
            d, idx = np.empty(0), np.empty(0, dtype=np.intp)
        hit = idx < n_mh
        le, li, ld = loose[hit], idx[hit], d[hit]
        mcls = _manhole_classes(mh["cls"], node, cls, le, li)
        mh["cls_used"] = mcls
        ok = allowed(le, li, mcls)
        node[le[ok]] = li[ok]
        refused.append((le[~ok], "manhole", li[~ok], ld[~ok]))
        # ends within tolerance of an end lying at a manhole join that manhole too (the ends
        # at manholes are measured only when some end is still loose)
        loose = np.flatnonzero(node < 0)
        at = np.flatnonzero(node >= 0) if len(loose) else np.empty(0, dtype=np.int64)
        at = at[np.hypot(*(end_xy[at] - mh_xy[node[at]]).T) <= tol]
        if len(loose) and len(at):
            d2, j = spatial.cKDTree(end_xy[at]).query(end_xy[loose], distance_upper_bound=tol)
            hit = j < len(at)
            le, m2, d2 = loose[hit], node[at[j[hit]]], d2[hit]
            ok = allowed(le, m2, mcls)
            node[le[ok]] = m2[ok]
            refused.append((le[~ok], "manhole", m2[~ok], d2[~ok]))
    else:
        mh["cls_used"] = mh["cls"]
    loose = np.flatnonzero(node < 0)
    if len(loose) == 0:
        return node, 0, np.empty((0, 2)), refused
    pts = end_xy[loose]
    pairs = spatial.cKDTree(pts).query_pairs(tol, output_type="ndarray")
    m = len(loose)
    if len(pairs):
        a, b = loose[pairs[:, 0]], loose[pairs[:, 1]]
        bad = np.flatnonzero(_conflict(cls[a], cls[b]))
        if len(bad):
            fa, ta, fb, tb = (
                ends["f"][a[bad] >> 1],
                ends["t"][a[bad] >> 1],
                ends["f"][b[bad] >> 1],
                ends["t"][b[bad] >> 1],
            )
            vouch = np.zeros(len(bad), dtype=bool)
            for x, y in ((fa, fb), (fa, tb), (ta, fb), (ta, tb)):
                vouch |= ~pd.isna(x) & (x == y)
            if confirmed:
                vouch |= np.array(
                    [k in confirmed for k in _keys(pid[a[bad] >> 1], pid[b[bad] >> 1])],
                    dtype=bool,
                )
            drop = bad[~vouch]
            if len(drop):
                dist = np.hypot(*(end_xy[a[drop]] - end_xy[b[drop]]).T)
                refused.append((a[drop], "end", b[drop], dist))
                pairs = np.delete(pairs, drop, axis=0)
    if len(pairs):
        adj = sparse.coo_matrix(
            (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
        )
        n_c, labels = csgraph.connected_components(adj, directed=False)
    else:
        n_c, labels = m, np.arange(m)
    # number clusters in order of first appearance (stable ids)
    first = np.full(n_c, m, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(m))
    rank = np.empty(n_c, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(n_c)
    labels = rank[labels]
    node[loose] = n_mh + labels
    cx = np.bincount(labels, weights=pts[:, 0], minlength=n_c)
    cy = np.bincount(labels, weights=pts[:, 1], minlength=n_c)
    cnt = np.bincount(labels, minlength=n_c)
    return node, n_c, np.column_stack([cx / cnt, cy / cnt]), refused


def _name_clusters(
    end_node: np.ndarray, mh_ids: np.ndarray, n_clusters: int, pc: dict
) -> np.ndarray:
    """Name junction nodes after the pipes' from/to fields where they agree, else generate."""
    names = np.full(n_clusters, None, dtype=object)
    if n_clusters == 0:
        return names
    n_mh = len(mh_ids)
    taken = set(mh_ids.tolist())
    loose = np.flatnonzero(end_node >= n_mh)
    cl = end_node[loose] - n_mh
    piece = loose // 2
    side = loose % 2
    f = pc["from_node"][piece]
    t = pc["to_node"][piece]
    has_fields = ~(pd.isna(f) & pd.isna(t))
    if has_fields.any():
        df = (
            pd.DataFrame(
                {
                    "end": np.concatenate([loose, loose]),
                    "cl": np.concatenate([cl, cl]),
                    "cand": np.concatenate([f, t]),
                }
            )
            .dropna()
            .drop_duplicates(["end", "cand"])
        )
        n_ends = np.bincount(cl, minlength=n_clusters)
        cnt = df.groupby(["cl", "cand"], sort=False).size().reset_index(name="k")
        cnt = cnt[
            (cnt["k"].to_numpy() == n_ends[cnt["cl"].to_numpy()])
            & (n_ends[cnt["cl"].to_numpy()] >= 2)
        ]
        uniq = cnt.groupby("cl")["cand"].agg(list)
        for c, cands in uniq.items():
            if len(cands) == 1:
                names[c] = cands[0]
        # single ends: the field opposite to the name of the other end, else digitised order
        other = end_node[loose ^ 1]
        for k in np.flatnonzero(np.bincount(cl, minlength=n_clusters)[cl] == 1):
            c = cl[k]
            if names[c] is not None:
                continue
            fk, tk = f[k], t[k]
            o = other[k]
            oname = mh_ids[o] if o < n_mh else names[o - n_mh]
            names[c] = (
                (fk if side[k] == 0 else tk)
                if oname is None
                else (tk if oname == fk else fk if oname == tk else (fk if side[k] == 0 else tk))
            )
    # ids must be unique and not shadow manholes
    seen = set(taken)
    first_end = np.full(n_clusters, -1, dtype=np.int64)
    first_end[cl[::-1]] = loose[::-1]
    pid = pc["pipe_id"]
    for c in range(n_clusters):
        nm = names[c]
        if nm is None or nm in seen:
            e = first_end[c]
            nm = f"{pid[e // 2]}@{'start' if e % 2 == 0 else 'end'}"
            while nm in seen:
                nm += "'"
        names[c] = nm
        seen.add(nm)
    return names


def _directions(
    pc: dict,
    a_id: np.ndarray,
    b_id: np.ndarray,
    has: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict:
    """Decide the flow direction of every piece and the conflicts between the sources.

    *has* is ``(~pd.isna(from_node), ~pd.isna(to_node))`` when the caller knows it.
    """
    n = len(a_id)
    f, t = pc["from_node"], pc["to_node"]
    has_f, has_t = (~pd.isna(f), ~pd.isna(t)) if has is None else has
    has_ft = has_f | has_t
    fa = has_f & (f == a_id)
    fb = has_f & (f == b_id)
    ta = has_t & (t == a_id)
    tb = has_t & (t == b_id)
    ft_fwd = (fa | tb) & ~(fb | ta)
    ft_rev = (fb | ta) & ~(fa | tb)
    ft_known = ft_fwd | ft_rev
    fields_mismatch = has_ft & ~(
        (fa & tb & has_f & has_t)
        | (fb & ta & has_f & has_t)
        | (fa & ~has_t)
        | (fb & ~has_t)
        | (ta & ~has_f)
        | (tb & ~has_f)
    )
    # a part of a multi-part pipe has only one of the pipe's end manholes
    fields_mismatch &= ~(pc["multipart"] & (fa | fb | ta | tb))

    fd = pc["flow_dir"]
    fd_low = _lower(fd)
    fd_fwd = fd_low == "forward"
    fd_rev = fd_low == "reverse"
    fd_known = fd_fwd | fd_rev

    fi, ti = pc["from_invert"], pc["to_invert"]
    inv_known = np.isfinite(fi) & np.isfinite(ti)
    # inverts belong to the from (起点) / to (终点) ends: the from/to manholes when the fields
    # match the geometry, the digitised start/end otherwise
    start_inv = np.where(ft_rev, ti, fi)
    end_inv = np.where(ft_rev, fi, ti)
    inv_fwd = inv_known & (start_inv > end_inv)
    inv_rev = inv_known & (start_inv < end_inv)

    source = object_full(n, DIR_DIGITISED)
    rev = np.zeros(n, dtype=bool)
    m = inv_fwd | inv_rev
    source[m] = DIR_INVERT
    rev[m] = inv_rev[m]
    source[fd_known] = DIR_FLOWDIR
    rev[fd_known] = fd_rev[fd_known]
    source[ft_known] = DIR_FROMTO
    rev[ft_known] = ft_rev[ft_known]

    slope_conflict = (source != DIR_INVERT) & ((inv_fwd & rev) | (inv_rev & ~rev))
    flowdir_conflict = ft_known & fd_known & (fd_rev != ft_rev)
    up_inv = np.where(rev, end_inv, start_inv)
    down_inv = np.where(rev, start_inv, end_inv)
    return {
        "reversed": rev,
        "source": source,
        "slope_conflict": slope_conflict,
        "fields_mismatch": fields_mismatch,
        "flowdir_conflict": flowdir_conflict,
        "up_invert": up_inv,
        "down_invert": down_inv,
    }


_CLS_NAME = {_CLS_RAIN: "rain", _CLS_FOUL: "sewage"}


@dataclass
class _ContactContext:
    """What deciding and reporting contacts needs about nodes and pieces (build internal)."""

    pc: dict
    mh: dict
    ends: dict
    end_node: np.ndarray
    nodes: dict
    rev: np.ndarray
    unit_m: float
    max_drop_m: float

    def __post_init__(self) -> None:
        n = len(self.nodes["node_ids"])
        n_mh = len(self.mh["ids"])
        en, cls, inv = self.end_node, self.ends["cls"], self.ends["inv"]
        rain = np.bincount(en[cls == _CLS_RAIN], minlength=n)
        foul = np.bincount(en[cls == _CLS_FOUL], minlength=n)
        node_cls = np.where(rain + foul == 0, 0, np.where(rain > foul, _CLS_RAIN, _CLS_FOUL))
        node_cls[:n_mh] = self.mh.get("cls_used", self.mh["cls"])
        self.node_cls = node_cls.astype(np.int8)
        low = np.full(n, np.inf)
        ok = np.isfinite(inv)
        np.minimum.at(low, en[ok], inv[ok])
        low[~np.isfinite(low)] = np.nan
        own = np.full(n, np.nan)
        own[:n_mh] = self.mh["invert"]
        self.node_inv = np.where(np.isfinite(own), own, low)
        known = self.ends.get("id_known")
        known = ~pd.isna(self.ends["id"]) if known is None else known
        self.node_has_ids = np.bincount(en[known], minlength=n) > 0
        first = np.full(n, -1, dtype=np.int64)
        first[en[::-1]] = np.arange(len(en))[::-1]
        self.node_first_end = first
        self.piece_cls = cls[0::2]
        self.piece_inv = (inv[0::2], inv[1::2])

    def ruled_out(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Both inverts known and further apart than a plausible drop."""
        with np.errstate(invalid="ignore"):
            return np.isfinite(a) & np.isfinite(b) & (np.abs(a - b) > self.max_drop_m)

    def system_of(self, cls: int, system: Any) -> str | None:
        return system if isinstance(system, str) else _CLS_NAME.get(int(cls))


def _end_contacts(
    ctx: _ContactContext, refused: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]]
) -> list[Contact]:
    """The refused end contacts of :func:`_snap_ends` as :class:`Contact` (one per key)."""
    out: dict[str, Contact] = {}
    pc, mh, ends = ctx.pc, ctx.mh, ctx.ends
    xy_of = ctx.nodes["node_xy"]
    for e_arr, kind, o_arr, d_arr in refused:
        for e, o, d in zip(e_arr.tolist(), o_arr.tolist(), d_arr.tolist(), strict=True):
            p = e // 2
            pipe = pc["pipe_id"][p]
            if kind == "manhole":
                other, layer = mh["ids"][o], S.MANHOLES
                o_cls, o_sys, o_inv = int(ctx.node_cls[o]), None, float(ctx.node_inv[o])
            else:
                op = o // 2
                other, layer = pc["pipe_id"][op], S.PIPES
                o_cls, o_sys, o_inv = int(ends["cls"][o]), pc["system"][op], float(ends["inv"][o])
            key = contact_key(pipe, other)
            if key in out:
                continue
            inv = float(ends["inv"][e])
            a = _CLS_NAME.get(int(ends["cls"][e]), "")
            b = _CLS_NAME.get(o_cls, "")
            downstream = (e % 2 == 1) != bool(ctx.rev[p])
            ruled = bool(ctx.ruled_out(np.array([inv]), np.array([o_inv]))[0])
            n = int(ctx.end_node[e])
            out[key] = Contact(
                key=key,
                reason=CONTACT_INVERTS if ruled else CONTACT_CROSS_SYSTEM,
                where="end",
                pipe=pipe,
                other=other,
                other_layer=layer,
                node=n,
                xy=(float(xy_of[n, 0]), float(xy_of[n, 1])),
                distance_m=float(d) * ctx.unit_m,
                systems=(pc["system"][p], ctx.system_of(o_cls, o_sys)),
                inverts=(inv, o_inv),
                direction=(f"{a}->{b}" if downstream else f"{b}->{a}") if a and b else None,
                other_node=int(ctx.end_node[o]) if kind == "end" else int(o),
            )
    return list(out.values())


def _side_connections(
    tree: shapely.STRtree | Callable[[], shapely.STRtree],
    geoms: np.ndarray,
    node_xy: np.ndarray,
    start_node: np.ndarray,
    end_node: np.ndarray,
    tol: float,
    ctx: _ContactContext | None = None,
    confirmed: frozenset[str] = frozenset(),
    two_point: np.ndarray | bool | None = False,
) -> tuple[list[tuple[int, int, float]], list[Contact]]:
    """Nodes lying on the interior of a piece: ``(node, piece, distance along in CRS units)``
    for the pipes split there, and the contacts refused.

    A pipe with from/to ids is never split at a manhole (its ids name its two ends), nor at
    the end of a pipe whose id at that end names something (the ids say they do not meet). A
    pipe without ids is split, unless rain meets sewage there (a suspected misconnection) or
    the inverts differ by more than a plausible drop. A confirmed contact is always split.
    *two_point* is :func:`_two_point_coords` of *geoms* when the caller has it (False: not).
    """
    if len(geoms) == 0 or len(node_xy) == 0 or not tol >= 0:  # no tolerance, no contact
        return [], []
    used = np.zeros(len(node_xy), dtype=bool)
    used[start_node] = True
    used[end_node] = True
    cand = np.flatnonzero(used)
    if two_point is False:
        near = _near_other_pieces(geoms, node_xy, cand, start_node, end_node, tol)
    else:
        near = _near_other_pieces(geoms, node_xy, cand, start_node, end_node, tol, two_point)
    if near is not None:
        cand = cand[near]  # the others touch no piece but their own: nothing to ask the tree
    if not len(cand):
        return [], []
    pts = shapely.points(node_xy[cand])
    # the pieces within the tolerance straight from the tree (no million query boxes)
    tree = tree() if callable(tree) else tree
    pi, gi = tree.query(pts, predicate="dwithin", distance=tol)
    if len(pi) == 0:
        return [], []
    nodes = cand[pi]
    keep = (start_node[gi] != nodes) & (end_node[gi] != nodes)
    nodes, gi, pi = nodes[keep], gi[keep], pi[keep]
    dist = shapely.distance(pts[pi], geoms[gi])
    keep = dist <= tol
    nodes, gi, pi, dist = nodes[keep], gi[keep], pi[keep], dist[keep]
    if len(nodes) == 0:
        return [], []
    along = shapely.line_locate_point(geoms[gi], pts[pi])
    length = shapely.length(geoms[gi])
    keep = (along > tol) & (along < length - tol)
    nodes, gi, along, dist, length = nodes[keep], gi[keep], along[keep], dist[keep], length[keep]
    contacts: list[Contact] = []
    if ctx is not None and len(nodes):
        split, contacts = _judge_side_contacts(ctx, nodes, gi, along, dist, length, confirmed)
        nodes, gi, along = nodes[split], gi[split], along[split]
    return sorted(
        zip(nodes.tolist(), gi.tolist(), along.tolist(), strict=True),
        key=lambda r: (r[1], r[2]),
    ), contacts


# a node on a piece's interior lies in the piece's box grown by the tolerance; the boxes are
# binned on a grid of about half a typical piece, so a node meets only the few pieces passing
# its cell. Beyond this many (piece, cell) entries per piece the spatial tree is cheaper.
_GRID_ENTRIES_PER_PIECE = 12


def _near_other_pieces(
    geoms: np.ndarray,
    node_xy: np.ndarray,
    cand: np.ndarray,
    start_node: np.ndarray,
    end_node: np.ndarray,
    tol: float,
    two_point: np.ndarray | bool | None = False,
) -> np.ndarray | None:
    """Per node of *cand*: may it lie within *tol* of a piece it does not end? (bool mask).

    A superset, found without a spatial query per node: the nodes it leaves out are certainly
    within *tol* of no piece but their own, so :func:`_side_connections` asks the spatial tree
    only about the others and finds the very same pairs. Straight two-point pieces are
    measured exactly (with a margin for rounding); other pieces count by their box. None when
    the pieces are too unequal for a grid (the tree then takes every node).
    """
    n_p = len(geoms)
    if not len(cand) or not np.isfinite(tol):
        return None
    box = packedmod.bounds(geoms)  # grown below into (x0, y0, x1, y1) - pad … + pad
    xy = node_xy[cand]
    if not np.isfinite(box).all() or not np.isfinite(xy).all():
        return None
    # the largest magnitude, without an array of magnitudes: max(max, -min) (all finite)
    scale = max(float(box.max(initial=0.0)), -float(box.min(initial=0.0))) + max(
        float(xy.max(initial=0.0)), -float(xy.min(initial=0.0))
    )
    pad = tol * (1 + 1e-9) + 1e-9 * scale  # dwithin's rounding never beats this
    box[:, :2] -= pad
    box[:, 2:] += pad
    cell = float(np.median(np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]))) / 2
    origin = np.minimum(box[:, :2].min(axis=0), xy.min(axis=0))
    extent = float(max(box[:, 2:].max() - origin.min(), 0.0))
    if not cell > 0 or extent / cell > 1e8:  # no usable grid (cell keys would overflow)
        return None
    i0 = np.floor((box[:, :2] - origin) / cell).astype(np.int64)
    span = np.floor((box[:, 2:] - origin) / cell).astype(np.int64) - i0 + 1
    total = int((span[:, 0] * span[:, 1]).sum())
    if total > _GRID_ENTRIES_PER_PIECE * n_p + 1024:
        return None
    ny = int(max((i0[:, 1] + span[:, 1]).max(), np.floor((xy[:, 1] - origin[1]) / cell).max())) + 2
    key, ent_piece = _grid_entries(i0, span, ny)
    del i0, span
    # the order within a cell does not matter (a node is near if any box is); the keys come
    # in long sorted runs, which the stable sort (timsort) merges several times faster
    order = np.argsort(key, kind="stable")
    key = key[order]
    ent_piece = ent_piece[order]
    del order
    nkey = np.floor((xy[:, 0] - origin[0]) / cell).astype(np.int64) * ny + np.floor(
        (xy[:, 1] - origin[1]) / cell
    ).astype(np.int64)
    first = np.searchsorted(key, nkey, side="left")
    n_hits = np.searchsorted(key, nkey, side="right") - first
    del key, nkey
    coords = _two_point_coords(geoms) if two_point is False else two_point
    near = np.zeros(len(cand), dtype=bool)
    # the j-th box of every node's cell, for j = 0, 1, … (few per cell): no pair arrays;
    # nodes by the chunk, so that the boxes and segments fetched stay a few MB
    with_hits = np.flatnonzero(n_hits)
    ends = (start_node, end_node)
    for c0 in range(0, len(with_hits), _NODES_PER_CHUNK):
        chunk = with_hits[c0 : c0 + _NODES_PER_CHUNK]
        _mark_near(near, chunk, cand, xy, (first, n_hits, ent_piece), box, coords, pad, ends)
    return near


#: Nodes whose nearby boxes :func:`_near_other_pieces` fetches at once.
_NODES_PER_CHUNK = 1 << 17


def _mark_near(
    near: np.ndarray,
    k: np.ndarray,
    cand: np.ndarray,
    xy: np.ndarray,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    box: np.ndarray,
    coords: np.ndarray | None,
    pad: float,
    ends: tuple[np.ndarray, np.ndarray],
) -> None:
    """Set ``near[k]`` for the nodes *k* (positions in *cand*, coordinates *xy*) within
    *pad* of a piece they do not end (*ends*: start and end node per piece) whose box lies
    in their grid cell (*grid*: each node's first entry and count, the entries' pieces)."""
    first, n_hits, ent_piece = grid
    start_node, end_node = ends
    j = 0
    while len(k):
        p = ent_piece[first[k] + j]
        # a node's own pieces first (most boxes in its cell are of the pipes it ends: then
        # the boxes of the few others are fetched), then whether it lies in the box
        node = cand[k]
        m = (start_node[p] != node) & (end_node[p] != node)
        kk, p = k[m], p[m]
        b = box[p]
        q = xy[kk]
        m = (
            (q[:, 0] >= b[:, 0])
            & (q[:, 0] <= b[:, 2])
            & (q[:, 1] >= b[:, 1])
            & (q[:, 1] <= b[:, 3])
        )
        kk, p, q = kk[m], p[m], q[m]
        if coords is not None and len(kk):
            d = _segment_distance(coords[p], q[:, 0], q[:, 1])
            kk = kk[~(d > pad)]  # NaN (a degenerate piece) stays a candidate
        near[kk] = True
        j += 1
        k = k[n_hits[k] > j]


def _grid_entries(i0: np.ndarray, span: np.ndarray, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (cell key, piece) of the pieces' cell ranges ``i0 … i0 + span - 1``.

    Pieces of one shape (columns x rows) are expanded together, a few shapes in all; very
    varied shapes are expanded one entry at a time.
    """
    shape = span[:, 0] * (int(span[:, 1].max()) + 1) + span[:, 1]
    top = int(shape.max(initial=0))
    shapes = np.flatnonzero(np.bincount(shape)) if top < 1 << 16 else np.unique(shape)
    keys, pieces = [], []
    index = np.int32 if len(span) < 1 << 31 else np.int64  # half the memory of the entries
    if len(shapes) <= 64:
        for s in shapes.tolist():
            sel = np.flatnonzero(shape == s).astype(index)
            sx, sy = int(span[sel[0], 0]), int(span[sel[0], 1])
            base = i0[sel, 0] * ny + i0[sel, 1]
            for dx in range(sx):
                for dy in range(sy):
                    keys.append(base + (dx * ny + dy))
                    pieces.append(sel)
        return np.concatenate(keys), np.concatenate(pieces)
    count = span[:, 0] * span[:, 1]
    rep = np.repeat(np.arange(len(span), dtype=index), count)
    off = np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    sy = span[rep, 1]
    return (i0[rep, 0] + off // sy) * ny + i0[rep, 1] + off % sy, rep


def _two_point_coords(geoms: np.ndarray) -> np.ndarray | None:
    """``(n, 4)`` x0, y0, x1, y1 when every piece is a plain two-point line, else None."""
    if not len(geoms) or not (packedmod.type_ids(geoms) == 1).all():
        return None
    if not (packedmod.num_coordinates(geoms) == 2).all():
        return None
    return packedmod.coordinates(geoms).reshape(-1, 4)


def _segment_distance(seg: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Distance from each point to its segment (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = seg.T
    dx, dy = x1 - x0, y1 - y0
    ll = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(((px - x0) * dx + (py - y0) * dy) / ll, 0.0, 1.0)
    r = np.where(ll > 0, r, 0.0)
    return np.hypot(x0 + r * dx - px, y0 + r * dy - py)


def _judge_side_contacts(
    ctx: _ContactContext,
    nodes: np.ndarray,
    pieces: np.ndarray,
    along: np.ndarray,
    dist: np.ndarray,
    length: np.ndarray,
    confirmed: frozenset[str],
) -> tuple[np.ndarray, list[Contact]]:
    """Which node-on-pipe contacts split the pipe (bool mask), and the others as contacts."""
    n_mh = len(ctx.mh["ids"])
    pid = ctx.pc["pipe_id"]
    is_mh = nodes < n_mh
    ids_deny = ctx.ends["has_ids"][pieces] & (is_mh | ctx.node_has_ids[nodes])
    cross = _conflict(ctx.piece_cls[pieces], ctx.node_cls[nodes])
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(length > 0, along / length, 0.0)
    s_inv, e_inv = ctx.piece_inv
    host_inv = s_inv[pieces] + (e_inv[pieces] - s_inv[pieces]) * frac
    node_inv = ctx.node_inv[nodes]
    ruled = ctx.ruled_out(host_inv, node_inv)
    split = ~(ids_deny | cross | ruled)
    refuse = np.flatnonzero(~split)
    if not len(refuse):
        return split, []
    first_end = ctx.node_first_end[nodes[refuse]]
    other = np.where(
        is_mh[refuse],
        ctx.nodes["node_ids"][nodes[refuse]],
        ctx.ends["pid"][np.maximum(first_end, 0) >> 1],
    )
    keys = _keys(pid[pieces[refuse]], other)
    out: dict[str, Contact] = {}
    node_xy = ctx.nodes["node_xy"]
    pairs = zip(refuse.tolist(), keys, other.tolist(), first_end.tolist(), strict=True)
    for k, key, oth, other_end in pairs:
        if key in confirmed:
            split[k] = True
            continue
        if key in out:
            continue
        p, n = int(pieces[k]), int(nodes[k])
        reason = (
            CONTACT_IDS if ids_deny[k] else CONTACT_INVERTS if ruled[k] else CONTACT_CROSS_SYSTEM
        )
        o_sys = ctx.system_of(int(ctx.node_cls[n]), None)
        if not is_mh[k]:
            o_sys = ctx.pc["system"][other_end // 2]
        out[key] = Contact(
            key=key,
            reason=reason,
            where="side",
            pipe=pid[p],
            other=oth,
            other_layer=S.MANHOLES if is_mh[k] else S.PIPES,
            node=n,
            xy=(float(node_xy[n, 0]), float(node_xy[n, 1])),
            distance_m=float(dist[k]) * ctx.unit_m,
            systems=(ctx.pc["system"][p], o_sys),
            inverts=(float(host_inv[k]), float(node_inv[k])),
            direction=None,
        )
    return split, list(out.values())


def _make_edges(
    pc: dict,
    start_node: np.ndarray,
    end_node: np.ndarray,
    rev: np.ndarray,
    splits: list[tuple[int, int, float]],
) -> dict:
    n = len(start_node)
    split_of: dict[int, list[tuple[float, int]]] = {}
    for node, piece, along in splits:
        split_of.setdefault(piece, []).append((along, node))
    plain = np.ones(n, dtype=bool)
    plain[list(split_of)] = False
    pl = np.flatnonzero(plain)
    u = np.where(rev[pl], end_node[pl], start_node[pl])
    v = np.where(rev[pl], start_node[pl], end_node[pl])
    cols: dict[str, list] = {
        "u": [u],
        "v": [v],
        "piece": [pl],
        "part": [np.zeros(len(pl))],
        "length_m": [pc["length_m"][pl]],
        "frac0": [np.zeros(len(pl))],
        "frac1": [np.ones(len(pl))],
    }
    if split_of:
        eu, ev, ep, epart, elen, ef0, ef1 = [], [], [], [], [], [], []
        glen = packedmod.lengths(pc["geom"])
        for piece, lst in split_of.items():
            lst = sorted(set(lst))
            fr = [0.0] + [a / glen[piece] if glen[piece] > 0 else 0.0 for a, _ in lst] + [1.0]
            nd = [int(start_node[piece])] + [nd for _, nd in lst] + [int(end_node[piece])]
            segs = [(nd[i], nd[i + 1], fr[i], fr[i + 1]) for i in range(len(nd) - 1)]
            if rev[piece]:
                segs = [(b, a, f0, f1) for a, b, f0, f1 in reversed(segs)]
            for k, (a, b, f0, f1) in enumerate(segs):
                eu.append(a)
                ev.append(b)
                ep.append(piece)
                epart.append(k)
                elen.append(pc["length_m"][piece] * abs(f1 - f0))
                ef0.append(f0)
                ef1.append(f1)
        for key, vals in (
            ("u", eu),
            ("v", ev),
            ("piece", ep),
            ("part", epart),
            ("length_m", elen),
            ("frac0", ef0),
            ("frac1", ef1),
        ):
            cols[key].append(np.asarray(vals))
    out = {k: np.concatenate(v) for k, v in cols.items()}
    if split_of:  # else every piece is one edge, already in (piece, part) order
        order = np.lexsort((out["part"], out["piece"]))
        out = {k: v[order] for k, v in out.items()}
    for k in ("u", "v", "piece", "part"):
        out[k] = out[k].astype(np.int64)
    out["length_m"] = out["length_m"].astype(float)
    # pieces of one multipart pipe id: number parts across pieces (the pipe codes are the
    # network's PipeEdges, made here from the one factorisation of the edge pipe ids)
    codes, uniques = pd.factorize(pc["pipe_id"][out["piece"]])
    out["pipe_codes"] = codes.astype(np.int64)
    out["pipe_uniques"] = np.asarray(uniques, dtype=object)
    if len(uniques) < len(codes):
        dup = np.bincount(codes, minlength=len(uniques))[codes] > 1
        ranks = pd.Series(codes[dup]).groupby(codes[dup]).cumcount().to_numpy()
        out["part"][dup] = ranks
    return out


# ---- attachments ------------------------------------------------------------------------------
def _point_xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    if len(gdf) == 0:
        return np.empty((0, 2))
    g = np.asarray(gdf.geometry.array, dtype=object)
    xy = np.full((len(g), 2), np.nan)
    ok = ~(pd.isna(g) | shapely.is_empty(g))
    if ok.any():
        pts = g[ok]
        nonpt = shapely.get_type_id(pts) != 0
        if nonpt.any():
            pts = pts.copy()
            pts[nonpt] = shapely.point_on_surface(pts[nonpt])
        xy[ok] = shapely.get_coordinates(pts)[:, :2]
    return xy


def _attach_all(net: Network, layers: Mapping[str, gpd.GeoDataFrame], issues: list[Issue]) -> None:
    """Attach enterprises (to the nearest pipe or node), then plants and outfalls (to sinks)."""
    ents = layers.get(S.ENTERPRISES)
    find = _NodePositions(net.node_ids)
    if ents is not None and len(ents):
        _attach_enterprises(net, ents, issues, find)
    sinks = _free_sinks(net, layers, find)
    for kind, id_col in ((S.PLANTS, S.PLANT_ID), (S.OUTFALLS, S.OUTFALL_ID)):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):
            _attach_to_sinks(net, gdf, kind, id_col, sinks, issues, find)


def _feature_ids(gdf: gpd.GeoDataFrame, column: str, kind: str) -> np.ndarray:
    """Ids of a point layer; rows without one are named ``<kind>#<row>``."""
    ids = str_array(gdf, column)
    for k in np.flatnonzero(pd.isna(ids)):
        ids[k] = f"{kind}#{k}"
    return ids


class _NodePositions:
    """Node index of each id of an array (``str`` or None; -1 where it names no node), as
    ``net.node_index.get`` answers one by one: hashed by Arrow, the node ids once per build."""

    def __init__(self, node_ids: np.ndarray) -> None:
        self._ids = node_ids
        self._set: Any = None

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        out = np.full(len(ids), -1, dtype=np.int64)
        has = np.flatnonzero(~pd.isna(ids))
        if not len(has) or not len(self._ids):
            return out
        q = np.asarray(ids, dtype=object)[has]
        if self._set is None:
            try:
                self._set = pa.array(self._ids, type=pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids not all text
                self._set = False
        try:
            if self._set is False:
                raise pa.ArrowInvalid("node ids are not all text")
            qa = pa.array(q, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            out[has] = _positions_in(self._ids, q)[0]
            return out
        # Arrow hashes the value set on every call: hash the few distinct queries and run
        # the million node ids through them, not the other way round
        wanted = pc_arrow.unique(qa)
        # no null among the node ids nor the queries: skipping nulls changes nothing, faster
        opts = pc_arrow.SetLookupOptions(wanted, skip_nulls=True)
        hit = pc_arrow.index_in(self._set, options=opts)
        hit = np.asarray(hit.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        nodes = np.flatnonzero(hit >= 0)
        node_of = np.full(len(wanted), -1, dtype=np.int64)
        node_of[hit[nodes]] = nodes  # ids are unique; else the last, as a dict keeps it
        which = pc_arrow.index_in(qa, value_set=wanted).to_numpy(zero_copy_only=False)
        out[has] = node_of[np.asarray(which, dtype=np.int64)]
        return out


def _finite_xy(xy: np.ndarray) -> tuple[float, float] | None:
    return tuple(xy) if np.isfinite(xy).all() else None


def _attach_enterprises(
    net: Network, ents: gpd.GeoDataFrame, issues: list[Issue], find: _NodePositions
) -> None:
    """Enterprises join their connection manhole, else the nearest (foul) pipe or node."""
    ids, dups = _dedupe_ids(_feature_ids(ents, S.ENT_ID, S.ENTERPRISES))
    if dups:
        issues.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                WARNING,
                dups,
                S.ENTERPRISES,
                None,
                f"企业编号重复：{'、'.join(dups[:10])}。",
                f"Duplicate enterprise id(s): {', '.join(dups[:10])}.",
            )
        )
    # pipes that carry foul water (sewage/industrial/combined) are preferred attach targets;
    # the trees are made when the first enterprise is attached by distance (most name their
    # manhole: a tree over a million nodes would be made for nothing)
    trees: dict[str, Any] = {}
    dist_u = net.attach_distance_m / net.unit_m
    xy = _point_xy(ents)
    conn = str_array(ents, S.CONNECT_NODE)
    conn_node = find(conn)
    node = np.full(len(ids), -1, dtype=np.int64)
    edge = np.full(len(ids), -1, dtype=np.int64)
    method = np.full(len(ids), None, dtype=object)
    dist = np.full(len(ids), np.nan)
    # joined by the field: all at once
    by_field = conn_node >= 0
    node[by_field] = conn_node[by_field]
    method[by_field] = "field"
    known = by_field & np.isfinite(xy).all(axis=1)
    dist[known] = np.hypot(*(net.node_xy[conn_node[known]] - xy[known]).T) * net.unit_m
    for i in np.flatnonzero(~by_field).tolist():
        c = conn[i]
        if c is not None:
            issues.append(
                Issue.make(
                    "attach",
                    "unknown_connect_node",
                    WARNING,
                    [ids[i], c],
                    S.ENTERPRISES,
                    _finite_xy(xy[i]),
                    f"企业 {ids[i]} 的接入井 {c} 不在管网中，改按距离就近接入。",
                    f"Enterprise {ids[i]}: connection manhole {c} is not in the network; "
                    f"attaching by distance instead.",
                    connect_node=c,
                )
            )
        if not np.isfinite(xy[i]).all():
            continue
        if not trees:
            trees["all"] = spatial.cKDTree(net.node_xy) if net.n_nodes else None
        n_i, e_i, d_i, how = _nearest_attach(net, xy[i], dist_u, trees, prefer_foul=True)
        node[i], edge[i], dist[i], method[i] = n_i, e_i, d_i, how
    net.ent_ids, net.ent_xy, net.ent_node, net.ent_edge = ids, xy, node, edge
    net.ent_method, net.ent_distance_m = method, dist
    net.ent_flow_tpd = np.nan_to_num(float_array(ents, S.FLOW_TPD), nan=0.0)
    net.ent_cod_mgl = float_array(ents, S.COD_MGL)
    net.ent_index = {e: i for i, e in enumerate(ids.tolist())}
    for i in np.flatnonzero(node < 0):
        issues.append(
            Issue.make(
                "attach",
                "enterprise_unattached",
                ERROR,
                [ids[i]],
                S.ENTERPRISES,
                _finite_xy(xy[i]),
                f"企业 {ids[i]} 无法接入管网：无有效接入井，"
                f"{net.attach_distance_m:g} m 内也没有检查井或管线。",
                f"Enterprise {ids[i]} cannot be attached: no valid connection manhole and no "
                f"node or pipe within {net.attach_distance_m:g} m.",
            )
        )


def _free_sinks(
    net: Network, layers: Mapping[str, gpd.GeoDataFrame], find: _NodePositions
) -> tuple[np.ndarray, cKDTree | None]:
    """Sinks (pipe ends that only receive water) not named by a plant's or outfall's node
    field: ``(node indices, KD-tree over them)``. Plants and outfalls without a node field
    attach to the nearest of them, never to a manhole in the middle of the network."""
    deg_in = np.bincount(net.edge_v, minlength=net.n_nodes)
    deg_out = np.bincount(net.edge_u, minlength=net.n_nodes)
    sink = (deg_in > 0) & (deg_out == 0)
    for kind in (S.PLANTS, S.OUTFALLS):
        gdf = layers.get(kind)
        if gdf is not None and len(gdf):
            j = find(str_array(gdf, S.NODE_ID))
            sink[j[j >= 0]] = False
    sink_idx = np.flatnonzero(sink)
    return sink_idx, spatial.cKDTree(net.node_xy[sink_idx]) if len(sink_idx) else None


_POINT_LABELS = {S.PLANTS: ("污水处理厂", "Plant"), S.OUTFALLS: ("排放口", "Outfall")}


def _duplicate_point_ids(
    kind: str, before: np.ndarray, after: np.ndarray, xy: np.ndarray
) -> list[Issue]:
    """One error per plant or outfall whose id an earlier feature already has.

    The later feature stays in the network under the id ``<id>~2`` (``~3`` …); the finding
    names both (the original id and the renamed one) and their row numbers.
    """
    label_zh, label_en = _POINT_LABELS[kind]
    first: dict[str, int] = {}
    out = []
    for i, (a, b) in enumerate(zip(before.tolist(), after.tolist(), strict=True)):
        if a == b:
            first.setdefault(a, i)
            continue
        j = first.get(a, -1)
        out.append(
            Issue.make(
                "hygiene",
                "duplicate_id",
                ERROR,
                [a, b],
                kind,
                _finite_xy(xy[i]),
                f"{label_zh}编号 {a} 重复：第 {j + 1} 个与第 {i + 1} 个要素同号，后者暂记为 {b}。",
                f"{label_en} id {a} is used twice (features {j + 1} and {i + 1}); the second "
                f"is kept as {b}. Give each {label_en.lower()} its own id.",
                duplicate_of=a,
                renamed=b,
                rows=[j, i],
            )
        )
    return out


def _attach_to_sinks(
    net: Network,
    gdf: gpd.GeoDataFrame,
    kind: str,
    id_col: str,
    sinks: tuple[np.ndarray, cKDTree | None],
    issues: list[Issue],
    find: _NodePositions,
) -> None:
    """Plants or outfalls join their node field's manhole, else the nearest free sink."""
    attr = "plant" if kind == S.PLANTS else "outfall"
    label_zh, label_en = _POINT_LABELS[kind]
    raw = _feature_ids(gdf, id_col, kind)
    ids, _ = _dedupe_ids(raw)
    xy = _point_xy(gdf)
    issues.extend(_duplicate_point_ids(kind, raw, ids, xy))
    sink_idx, sink_tree = sinks
    dist_u = net.attach_distance_m / net.unit_m
    field_node = str_array(gdf, S.NODE_ID)
    field_pos = find(field_node)
    node = np.full(len(ids), -1, dtype=np.int64)
    for i in range(len(ids)):
        c = field_node[i]
        if c is not None:
            j = int(field_pos[i]) if field_pos[i] >= 0 else None
            if j is not None:
                node[i] = j
                continue
            issues.append(
                Issue.make(
                    "attach",
                    f"unknown_{attr}_node",
                    WARNING,
                    [ids[i], c],
                    kind,
                    _finite_xy(xy[i]),
                    f"{label_zh} {ids[i]} 的接入井 {c} 不在管网中，改为就近接入管线末端。",
                    f"{label_en} {ids[i]}: node {c} is not in the network; "
                    f"attaching to the nearest pipe end instead.",
                    node_id=c,
                )
            )
        if np.isfinite(xy[i]).all() and sink_tree is not None:
            _, j = sink_tree.query(xy[i], distance_upper_bound=dist_u)
            if j < len(sink_idx):
                node[i] = int(sink_idx[j])
    issues.extend(_unattached_points(net, kind, ids, xy, node, field_node))
    if attr == "plant":
        net.plant_ids, net.plant_node = ids, node
        net.plant_index = {e: i for i, e in enumerate(ids.tolist())}
    else:
        net.outfall_ids, net.outfall_node = ids, node
        net.outfall_class = str_array(gdf, S.OUTFALL_CLASS)
        net.outfall_index = {e: i for i, e in enumerate(ids.tolist())}


def _unattached_points(
    net: Network,
    kind: str,
    ids: np.ndarray,
    xy: np.ndarray,
    node: np.ndarray,
    field_node: np.ndarray,
) -> list[Issue]:
    """Findings for the plants or outfalls that found no node."""
    attr = "plant" if kind == S.PLANTS else "outfall"
    label_zh, label_en = _POINT_LABELS[kind]
    d_m = net.attach_distance_m
    out = []
    for i in np.flatnonzero(node < 0):
        where = _finite_xy(xy[i])
        if attr == "outfall" and field_node[i] is None:
            # outfalls of farmland return, rural domestic … often have no pipe network
            out.append(
                Issue.make(
                    "attach",
                    "outfall_without_network",
                    INFO,
                    [ids[i]],
                    kind,
                    where,
                    f"排放口 {ids[i]} 无接入井，{d_m:g} m 内也无管线末端，视为不接管网。",
                    f"Outfall {ids[i]} has no node and no pipe end within "
                    f"{d_m:g} m: it is not part of the pipe network.",
                )
            )
            continue
        out.append(
            Issue.make(
                "attach",
                f"{attr}_unattached",
                ERROR if attr == "plant" else WARNING,
                [ids[i]],
                kind,
                where,
                f"{label_zh} {ids[i]} 无法接入管网（接入井无效，{d_m:g} m 内也无管线末端）。",
                f"{label_en} {ids[i]} cannot be attached to the network (no valid "
                f"node, no pipe end within {d_m:g} m).",
            )
        )
    return out


def _nearest_attach(
    net: Network, xy: np.ndarray, dist_u: float, trees: dict, prefer_foul: bool
) -> tuple[int, int, float, str | None]:
    """Nearest pipe (foul-water pipes first) within *dist_u* CRS units, else nearest node.

    Returns (node, edge, distance in m, method); the node is the downstream end of the pipe
    part nearest to the point.
    """
    pt = shapely.points(xy)
    piece = -1
    dist = math.nan
    if len(net.piece_geom):
        if prefer_foul and "foul_pieces" not in trees:
            foul = pd.Series(net.piece_system).isin(FOUL_SYSTEMS).to_numpy()
            idx = np.flatnonzero(foul)
            trees["foul_pieces"] = (
                (shapely.STRtree(net.piece_geom[idx]), idx) if len(idx) else None
            )
        if prefer_foul and trees["foul_pieces"] is not None:
            tree, idx = trees["foul_pieces"]
            hit, d_arr = tree.query_nearest(pt, max_distance=dist_u, return_distance=True)
            if len(hit):
                piece, dist = int(idx[hit[0]]), float(d_arr[0])
        if piece < 0:
            hit, d_arr = net.pipe_tree.query_nearest(pt, max_distance=dist_u, return_distance=True)
            if len(hit):
                piece, dist = int(hit[0]), float(d_arr[0])
    if piece < 0:
        if trees["all"] is not None:
            d, j = trees["all"].query(xy, distance_upper_bound=dist_u)
            if j < net.n_nodes:
                return int(j), -1, float(d) * net.unit_m, "nearest_node"
        return -1, -1, math.nan, None
    frac = float(shapely.line_locate_point(net.piece_geom[piece], pt, normalized=True))
    edges = np.flatnonzero(net.edge_piece == piece)
    e = int(edges[0])
    for cand in edges:
        lo, hi = sorted((net.edge_frac0[cand], net.edge_frac1[cand]))
        if lo <= frac <= hi:
            e = int(cand)
            break
    return int(net.edge_v[e]), e, dist * net.unit_m, "nearest_pipe"
