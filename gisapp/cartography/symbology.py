"""Styles, default symbols and legends for the map (no Qt here).

The same model serves the Qt canvas (``gisapp.qt.render``) and a matplotlib export: colours are
``"#rrggbb"`` strings, widths and sizes are in pixels at 96 dpi (points for matplotlib after
``* 0.75``), markers, dashes and hatches are short names with matplotlib equivalents in
``MPL_MARKERS``, ``MPL_DASHES`` and ``MPL_HATCHES``.

A :class:`Style` is immutable. It is one of three kinds:

* ``single``: every feature gets ``Style.default``;
* ``categorized``: ``Style.field`` value -> the :class:`StyleClass` with that ``value``;
* ``graduated``: numeric ``Style.field`` in ``[lower, upper)`` -> that class.

A line style may also carry a :class:`WidthRule` (width by diameter class) and flow arrows.
:func:`classify` turns a style and a GeoDataFrame into integer class codes per feature; the
renderer draws one batch per (class, width class).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from network import schema

SINGLE, CATEGORIZED, GRADUATED = "single", "categorized", "graduated"
STYLE_KINDS = (SINGLE, CATEGORIZED, GRADUATED)

MARKERS = (
    "circle",
    "square",
    "triangle",
    "triangle_down",
    "diamond",
    "pentagon",
    "hexagon",
    "star",
    "cross",
)
DASHES = ("solid", "dash", "dot", "dashdot")
HATCHES = ("none", "bdiag", "fdiag", "cross", "diagcross", "horizontal", "vertical")

MPL_MARKERS = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "triangle_down": "v",
    "diamond": "D",
    "pentagon": "p",
    "hexagon": "h",
    "star": "*",
    "cross": "X",
}
MPL_DASHES = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-."}
MPL_HATCHES = {
    "none": None,
    "bdiag": "////",
    "fdiag": "\\\\\\\\",
    "cross": "++",
    "diagcross": "xx",
    "horizontal": "--",
    "vertical": "||",
}

FLOW_FORWARD = "flow_forward"  # bool per pipe: flow runs in digitised order (default True)
CONNECTION_STATUS = "connection_status"  # enterprises: connected / not_connected / unknown
CONNECTION_VALUES = ("connected", "not_connected", "unknown")

# Colours of the default symbols (shared with the map export).
SYSTEM_COLORS = {
    schema.SEWAGE: "#8b4513",  # brown
    schema.RAIN: "#1f6fd1",  # blue
    schema.COMBINED: "#8e44ad",  # purple
    schema.INDUSTRIAL: "#8b0000",  # dark red
}
UNKNOWN_COLOR = "#8c8c8c"
CONNECTION_COLORS = {"connected": "#1e9e3a", "not_connected": "#e01b1b", "unknown": "#9a9a9a"}
ZONE_COLORS = {
    "redline": "#e01b1b",
    "water_source": "#1f78d1",
    "nature_reserve": "#1e9e3a",
    "scenic": "#e69a1e",
    "other": "#7f7f7f",
}
OUTFALL_SYMBOLS = {  # class -> (marker, colour)
    "industrial": ("triangle_down", "#b01010"),
    "municipal_plant": ("square", "#8b4513"),
    "rain": ("triangle", "#1f6fd1"),
    "plant_overflow": ("diamond", "#e67e22"),
    "farmland_return": ("pentagon", "#2e8b57"),
    "rural_domestic": ("hexagon", "#7a5c3a"),
    "other": ("cross", "#555555"),
}
#: Derived outfall columns of the decision map: the status (``surveys.outfalls.status``) and
#: the key ``"<class>|<status>"`` that :func:`outfall_status_style` is categorized on.
OUTFALL_STATUS = "outfall_status"
OUTFALL_SYMBOL = "outfall_symbol"
OUTFALL_STATUS_CODES = ("sealed", "merge", "keep", "undecided")
OUTFALL_STATUS_LABELS = {
    "zh": {
        "sealed": "取缔封堵（已封堵）",
        "merge": "合并至其他排口",
        "keep": "保留并规范",
        "undecided": "待定（未决策）",
    },
    "en": {
        "sealed": "banned and sealed",
        "merge": "merged into another outfall",
        "keep": "kept and standardised",
        "undecided": "no decision yet",
    },
}
#: status -> (marker outline colour, outline width px, overlay); the fill and shape stay the
#: class's, so class × status reads at a glance: sealed ones are crossed out in red.
OUTFALL_STATUS_MARKS = {
    "sealed": ("#202020", 1.0, "x"),
    "merge": ("#e69a1e", 3.0, "none"),
    "keep": ("#1e9e3a", 3.0, "none"),
    "undecided": ("#202020", 1.0, "none"),
}
DIAMETER_BREAKS_MM = (300.0, 600.0, 1000.0)
DIAMETER_WIDTHS_PX = (1.0, 1.8, 2.6, 3.6)

_TEXT = {
    "zh": {
        "unknown": "未知",
        "other": "其他",
        "missing": "无值",
        "flow": "流向",
        "connected": "已接管",
        "not_connected": "未接管",
        "manhole": "检查井",
        "plant": "污水处理厂",
        "boundary": "园区范围",
        "all": "全部",
        "outfall_status": "整治状态",
    },
    "en": {
        "unknown": "unknown",
        "other": "other",
        "missing": "no value",
        "flow": "flow direction",
        "connected": "connected",
        "not_connected": "not connected",
        "manhole": "manhole",
        "plant": "treatment plant",
        "boundary": "park boundary",
        "all": "all",
        "outfall_status": "decision",
    },
}
_EN_SYSTEM = {
    schema.SEWAGE: "sewage",
    schema.RAIN: "rain",
    schema.COMBINED: "combined",
    schema.INDUSTRIAL: "industrial wastewater",
}
_EN_ZONE = {
    "redline": "ecological redline",
    "nature_reserve": "nature reserve",
    "water_source": "drinking-water source",
    "scenic": "scenic area",
    "other": "other",
}

CATEGORY_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
)
MAX_CATEGORIES = 40


@dataclass(frozen=True)
class Symbol:
    """How one class of features is drawn.

    ``color`` is the stroke of lines, the fill of markers and the outline/hatch of polygons.
    ``width`` is the line (or polygon outline) width in px; ``size`` the marker size in px.
    ``outline`` is the marker outline colour (None: none), ``width`` its width for markers.
    ``overlay`` "x" draws a cross in ``overlay_color`` over a marker. ``fill`` is the polygon
    fill colour drawn at ``fill_alpha`` (None: no fill). ``hatch`` a polygon hatch in ``color``.
    """

    color: str = "#808080"
    width: float = 1.0
    size: float = 7.0
    marker: str = "circle"
    outline: str | None = "#303030"
    fill: str | None = None
    fill_alpha: float = 0.2
    hatch: str = "none"
    dash: str = "solid"
    overlay: str = "none"  # "x": a cross drawn over the marker (e.g. a sealed outfall)
    overlay_color: str = "#e01b1b"


@dataclass(frozen=True)
class StyleClass:
    """One legend entry: a value (categorized) or a ``[lower, upper)`` range (graduated)."""

    label: str
    symbol: Symbol
    value: object = None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class WidthRule:
    """Line width by classes of a numeric field (e.g. diameter): ``widths[i]`` applies below
    ``breaks[i]``; the last width applies above the last break and to missing values
    (``missing_width``)."""

    field: str
    breaks: tuple[float, ...]
    widths: tuple[float, ...]
    labels: tuple[str, ...] = ()
    missing_width: float | None = None

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.breaks) + 1:
            raise ValueError(
                "WidthRule needs exactly one more width than breaks; got "
                f"{len(self.widths)} widths for {len(self.breaks)} breaks."
            )


@dataclass(frozen=True)
class Style:
    """A layer style. See the module docstring."""

    kind: str = SINGLE
    field: str | None = None
    classes: tuple[StyleClass, ...] = ()
    default: Symbol | None = Symbol()
    default_label: str = ""
    width_rule: WidthRule | None = None
    arrows: bool = False
    arrow_field: str = FLOW_FORWARD
    arrow_min_px: float = 36.0
    max_mpp: float | None = None  # not drawn above this many map units per pixel

    def __post_init__(self) -> None:
        if self.kind not in STYLE_KINDS:
            raise ValueError(f"Style kind must be one of {STYLE_KINDS}; got {self.kind!r}.")
        if self.kind != SINGLE and not self.field:
            raise ValueError(f"A {self.kind} style needs a field.")

    @property
    def n_widths(self) -> int:
        return len(self.width_rule.widths) if self.width_rule else 1

    @property
    def n_symbols(self) -> int:
        """Number of class codes: the classes plus the default symbol."""
        return len(self.classes) + 1

    def symbol(self, class_code: int, width_code: int = 0) -> Symbol | None:
        """The symbol of a class code (``len(classes)`` = default) and width code."""
        sym = self.classes[class_code].symbol if class_code < len(self.classes) else self.default
        if sym is None or self.width_rule is None:
            return sym
        rule = self.width_rule
        width = rule.missing_width if width_code >= len(rule.widths) else rule.widths[width_code]
        return replace(sym, width=width if width is not None else rule.widths[0])


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: ``geometry`` is "line", "point", "polygon" or "arrow"."""

    label: str
    symbol: Symbol
    geometry: str


# --- classification ---------------------------------------------------------------------------
def classify(style: Style, data: pd.DataFrame) -> np.ndarray:
    """Class code per row: index into ``style.classes``, ``len(classes)`` for the default
    symbol. Rows whose symbol is None are still coded; the renderer skips them."""
    n = len(data)
    default_code = len(style.classes)
    codes = np.full(n, default_code, dtype=np.int32)
    if style.kind == SINGLE or n == 0 or style.field not in data.columns:
        return codes
    col = data[style.field]
    if style.kind == CATEGORIZED:
        # a dict lookup is hashed per value in C; 1 == 1.0 == np.int64(1) hash alike
        lookup = {
            c.value: i for i, c in enumerate(style.classes) if _category_key(c.value) is not None
        }
        mapped = col.map(lookup) if lookup else pd.Series(np.nan, index=col.index)
        ok = mapped.notna().to_numpy()
        codes[ok] = mapped[ok].to_numpy().astype(np.int32)
        missing_class = next(
            (i for i, c in enumerate(style.classes) if _category_key(c.value) is None), None
        )
        if missing_class is not None:
            codes[col.isna().to_numpy()] = missing_class
        return codes
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    for i, cls in enumerate(style.classes):
        lo = -math.inf if cls.lower is None else cls.lower
        hi = math.inf if cls.upper is None else cls.upper
        last = i == len(style.classes) - 1
        inside = (values >= lo) & ((values <= hi) if last else (values < hi))
        codes[inside & (codes == default_code)] = i
    return codes


def width_classes(style: Style, data: pd.DataFrame) -> np.ndarray:
    """Width code per row (0 without a width rule; ``len(widths)`` for missing values)."""
    n = len(data)
    rule = style.width_rule
    if rule is None or rule.field not in data.columns:
        return np.zeros(n, dtype=np.int32)
    values = pd.to_numeric(data[rule.field], errors="coerce").to_numpy(dtype=float)
    codes = np.searchsorted(np.asarray(rule.breaks, dtype=float), values, side="right")
    codes = codes.astype(np.int32)
    codes[np.isnan(values)] = len(rule.widths)
    return codes


def _category_key(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- style builders ----------------------------------------------------------------------------
def base_symbol(geometry: str, color: str) -> Symbol:
    """A plain symbol of a colour for a geometry kind ("line", "point", "polygon")."""
    if geometry == "line":
        return Symbol(color=color, width=1.4)
    if geometry == "polygon":
        return Symbol(color=color, width=1.2, fill=color, fill_alpha=0.3)
    return Symbol(color=color, size=8.0, marker="circle", outline="#303030")


def single_style(geometry: str, color: str = "#3c78b4") -> Style:
    """One symbol for every feature."""
    return Style(kind=SINGLE, default=base_symbol(geometry, color))


def categorized_style(
    data: pd.DataFrame,
    field_name: str,
    geometry: str,
    palette: Sequence[str] = CATEGORY_PALETTE,
    language: str = "zh",
) -> Style:
    """One class per distinct value of ``field_name`` (at most ``MAX_CATEGORIES``; the rest
    and missing values get a grey default symbol)."""
    if field_name not in data.columns:
        raise ValueError(f"No field {field_name!r} in this layer; fields: {list(data.columns)}.")
    counts = data[field_name].dropna().map(_category_key).value_counts()
    values = sorted(counts.index[:MAX_CATEGORIES], key=lambda v: (str(type(v)), v))
    text = _TEXT.get(language, _TEXT["zh"])
    classes = tuple(
        StyleClass(label=str(v), value=v, symbol=base_symbol(geometry, palette[i % len(palette)]))
        for i, v in enumerate(values)
    )
    return Style(
        kind=CATEGORIZED,
        field=field_name,
        classes=classes,
        default=base_symbol(geometry, UNKNOWN_COLOR),
        default_label=text["other"],
    )


def graduated_style(
    data: pd.DataFrame,
    field_name: str,
    geometry: str,
    n_classes: int = 5,
    method: str = "quantile",
    ramp: tuple[str, str] = ("#fde0c5", "#b2182b"),
) -> Style:
    """Classes of a numeric field by ``method`` "quantile" or "equal" interval, coloured along
    a two-colour ramp. Missing values get a grey default symbol."""
    if field_name not in data.columns:
        raise ValueError(f"No field {field_name!r} in this layer; fields: {list(data.columns)}.")
    values = pd.to_numeric(data[field_name], errors="coerce").dropna().to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError(
            f"Field {field_name!r} has no numeric values to classify; choose a "
            "numeric field or a categorized style."
        )
    n_classes = max(1, int(n_classes))
    if method == "quantile":
        edges = np.unique(np.quantile(values, np.linspace(0, 1, n_classes + 1)))
    elif method == "equal":
        edges = np.unique(np.linspace(values.min(), values.max(), n_classes + 1))
    else:
        raise ValueError(f"method must be 'quantile' or 'equal'; got {method!r}.")
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    colors = color_ramp(ramp[0], ramp[1], edges.size - 1)
    classes = tuple(
        StyleClass(
            label=f"{_fmt_num(lo)} – {_fmt_num(hi)}",
            lower=float(lo),
            upper=float(hi),
            symbol=_graduated_symbol(geometry, colors[i], i, edges.size - 1),
        )
        for i, (lo, hi) in enumerate(itertools.pairwise(edges))
    )
    return Style(
        kind=GRADUATED,
        field=field_name,
        classes=classes,
        default=base_symbol(geometry, UNKNOWN_COLOR),
    )


def _graduated_symbol(geometry: str, color: str, i: int, n: int) -> Symbol:
    sym = base_symbol(geometry, color)
    if geometry == "line":
        return replace(sym, width=1.0 + 2.5 * i / max(1, n - 1))
    if geometry == "polygon":
        return replace(sym, fill_alpha=0.55)
    return sym


def color_ramp(start: str, end: str, n: int) -> list[str]:
    """``n`` colours from ``start`` to ``end`` (hex strings), linear in RGB."""
    a = np.array([int(start[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    b = np.array([int(end[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    out = []
    for t in np.linspace(0.0, 1.0, max(n, 1)) if n > 1 else [1.0]:
        r, g, bl = np.round(a + (b - a) * t).astype(int)
        out.append(f"#{r:02x}{g:02x}{bl:02x}")
    return out


def _fmt_num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"


# --- defaults per layer kind -------------------------------------------------------------------
#: Layer kinds bottom to top, the one order of the window, the paper map and every export:
#: areas under lines, lines under points, the enterprises (the subject of a park map) on top.
DRAW_ORDER = (
    schema.ZONES,
    schema.BOUNDARY,
    schema.POPULATION,
    schema.PIPES,
    schema.MANHOLES,
    schema.PLANTS,
    schema.OUTFALLS,
    schema.ENTERPRISES,
    schema.FARMS,
)


def _pipes_style(text: dict[str, str], zh: bool) -> Style:
    """Pipes: colour by ``system``, width by ``diameter_mm`` class, flow arrows."""
    labels = schema.SYSTEM_LABELS_ZH if zh else _EN_SYSTEM
    classes = tuple(
        StyleClass(label=labels[v], value=v, symbol=Symbol(color=c, width=1.4))
        for v, c in SYSTEM_COLORS.items()
    )
    rule = WidthRule(
        field=schema.DIAMETER_MM,
        breaks=DIAMETER_BREAKS_MM,
        widths=DIAMETER_WIDTHS_PX,
        missing_width=DIAMETER_WIDTHS_PX[0],
        labels=("DN < 300", "DN 300–600", "DN 600–1000", "DN ≥ 1000"),
    )
    return Style(
        kind=CATEGORIZED,
        field=schema.SYSTEM,
        classes=classes,
        default=Symbol(color=UNKNOWN_COLOR, width=1.2),
        default_label=text["unknown"],
        width_rule=rule,
        arrows=True,
    )


def _manholes_style(text: dict[str, str], zh: bool) -> Style:
    """Manholes: small white circles, hidden when zoomed far out."""
    return Style(
        kind=SINGLE,
        default=Symbol(color="#ffffff", size=6.0, marker="circle", outline="#404040", width=1.0),
        default_label=text["manhole"],
        max_mpp=4.0,
    )


def _outfalls_style(text: dict[str, str], zh: bool) -> Style:
    """Outfalls: a marker per ``outfall_class``."""
    labels = (
        schema.OUTFALL_CLASS_LABELS_ZH if zh else {k: k.replace("_", " ") for k in OUTFALL_SYMBOLS}
    )
    classes = tuple(
        StyleClass(
            label=labels[k],
            value=k,
            symbol=Symbol(color=c, size=12.0, marker=m, outline="#202020"),
        )
        for k, (m, c) in OUTFALL_SYMBOLS.items()
    )
    return Style(
        kind=CATEGORIZED,
        field=schema.OUTFALL_CLASS,
        classes=classes,
        default=Symbol(color=UNKNOWN_COLOR, size=11.0, marker="cross", outline="#202020"),
        default_label=text["unknown"],
    )


_UNKNOWN_CLASS = "unknown"


def _outfall_class_symbol(outfall_class: str) -> Symbol:
    if outfall_class in OUTFALL_SYMBOLS:
        m, c = OUTFALL_SYMBOLS[outfall_class]
        return Symbol(color=c, size=12.0, marker=m, outline="#202020")
    return Symbol(color=UNKNOWN_COLOR, size=11.0, marker="cross", outline="#202020")


def outfall_status_symbol(outfall_class: str, status: str) -> Symbol:
    """The symbol of an outfall of a class (shape and fill) with a decision status (outline;
    sealed ones crossed out in red). Unknown classes get the grey cross, unknown statuses
    the undecided look."""
    outline, width, overlay = OUTFALL_STATUS_MARKS.get(status, OUTFALL_STATUS_MARKS["undecided"])
    return replace(
        _outfall_class_symbol(outfall_class), outline=outline, width=width, overlay=overlay
    )


def outfall_symbol_keys(classes: Sequence[object], statuses: Sequence[object]) -> np.ndarray:
    """The :data:`OUTFALL_SYMBOL` column: ``"<class>|<status>"`` per outfall (classes outside
    ``OUTFALL_SYMBOLS`` and missing ones as ``unknown``, missing statuses ``undecided``)."""
    out = []
    for c, st in zip(classes, statuses, strict=True):
        c = c if isinstance(c, str) and c in OUTFALL_SYMBOLS else _UNKNOWN_CLASS
        st = st if isinstance(st, str) and st in OUTFALL_STATUS_MARKS else "undecided"
        out.append(f"{c}|{st}")
    return np.array(out, dtype=object)


def outfall_status_style(language: str = "zh") -> Style:
    """Outfalls by class × decision status, categorized on the derived :data:`OUTFALL_SYMBOL`
    column (:func:`outfall_symbol_keys`). The screen (the Outfalls dock sets it on the map
    layer) and the paper map use this one style; its legend lists the classes, then the
    statuses (:func:`legend_entries`)."""
    zh = language == "zh"
    text = _TEXT.get(language, _TEXT["zh"])
    labels = dict(
        schema.OUTFALL_CLASS_LABELS_ZH if zh else {k: k.replace("_", " ") for k in OUTFALL_SYMBOLS}
    )
    labels[_UNKNOWN_CLASS] = text["unknown"]
    status_labels = OUTFALL_STATUS_LABELS["zh" if zh else "en"]
    classes = tuple(
        StyleClass(
            label=f"{labels[c]} · {status_labels[st]}",
            value=f"{c}|{st}",
            symbol=outfall_status_symbol(c, st),
        )
        for c in (*OUTFALL_SYMBOLS, _UNKNOWN_CLASS)
        for st in OUTFALL_STATUS_CODES
    )
    return Style(
        kind=CATEGORIZED,
        field=OUTFALL_SYMBOL,
        classes=classes,
        default=_outfall_class_symbol(_UNKNOWN_CLASS),
        default_label=text["unknown"],
    )


def is_outfall_status_style(style: Style) -> bool:
    """Whether ``style`` is (a language of) :func:`outfall_status_style`."""
    return style.kind == CATEGORIZED and style.field == OUTFALL_SYMBOL


def _outfall_status_legend(
    style: Style, language: str, data: pd.DataFrame | None
) -> list[LegendEntry]:
    """Classes present (their plain symbol), then statuses present (on a white circle)."""
    zh = language == "zh"
    keys: list[tuple[str, str]] = []
    if data is not None and len(data) and OUTFALL_SYMBOL in data.columns:
        for k in pd.unique(data[OUTFALL_SYMBOL].dropna()):
            c, _, st = str(k).partition("|")
            keys.append((c, st))
    else:
        keys = [(c, st) for c in (*OUTFALL_SYMBOLS, _UNKNOWN_CLASS) for st in OUTFALL_STATUS_CODES]
    present_cls = {c for c, _ in keys}
    present_st = {st for _, st in keys}
    labels = {str(cls.value).partition("|")[0]: cls.label.split(" · ")[0] for cls in style.classes}
    entries = [
        LegendEntry(labels.get(c, c), _outfall_class_symbol(c), "point")
        for c in (*OUTFALL_SYMBOLS, _UNKNOWN_CLASS)
        if c in present_cls
    ]
    status_labels = OUTFALL_STATUS_LABELS["zh" if zh else "en"]
    for st in OUTFALL_STATUS_CODES:
        if st in present_st:
            outline, width, overlay = OUTFALL_STATUS_MARKS[st]
            sym = Symbol(
                color="#ffffff",
                size=12.0,
                marker="circle",
                outline=outline,
                width=width,
                overlay=overlay,
            )
            entries.append(LegendEntry(status_labels[st], sym, "point"))
    return entries


def _enterprises_style(text: dict[str, str], zh: bool) -> Style:
    """Enterprises: squares coloured by ``connection_status``."""
    classes = tuple(
        StyleClass(
            label=text[v],
            value=v,
            symbol=Symbol(color=c, size=10.0, marker="square", outline="#202020"),
        )
        for v, c in CONNECTION_COLORS.items()
    )
    return Style(
        kind=CATEGORIZED,
        field=CONNECTION_STATUS,
        classes=classes,
        default=Symbol(
            color=CONNECTION_COLORS["unknown"], size=10.0, marker="square", outline="#202020"
        ),
        default_label=text["unknown"],
    )


def _plants_style(text: dict[str, str], zh: bool) -> Style:
    """Treatment plants: large hexagons."""
    return Style(
        kind=SINGLE,
        default=Symbol(color="#00707a", size=18.0, marker="hexagon", outline="#102020", width=1.5),
        default_label=text["plant"],
    )


def _zones_style(text: dict[str, str], zh: bool) -> Style:
    """Protected zones: hatched, coloured by ``zone_class``."""
    labels = schema.ZONE_CLASS_LABELS_ZH if zh else _EN_ZONE
    classes = tuple(
        StyleClass(
            label=labels[k],
            value=k,
            symbol=Symbol(color=c, width=1.5, fill=c, fill_alpha=0.12, hatch="bdiag"),
        )
        for k, c in ZONE_COLORS.items()
    )
    return Style(
        kind=CATEGORIZED,
        field=schema.ZONE_CLASS,
        classes=classes,
        default=Symbol(
            color=ZONE_COLORS["other"],
            width=1.5,
            fill=ZONE_COLORS["other"],
            fill_alpha=0.12,
            hatch="bdiag",
        ),
        default_label=text["other"],
    )


def _boundary_style(text: dict[str, str], zh: bool) -> Style:
    """The park boundary: a dashed outline."""
    return Style(
        kind=SINGLE,
        default=Symbol(color="#303030", width=2.2, fill=None, dash="dash"),
        default_label=text["boundary"],
    )


_DEFAULT_STYLES = {
    schema.PIPES: _pipes_style,
    schema.MANHOLES: _manholes_style,
    schema.OUTFALLS: _outfalls_style,
    schema.ENTERPRISES: _enterprises_style,
    schema.PLANTS: _plants_style,
    schema.ZONES: _zones_style,
    schema.BOUNDARY: _boundary_style,
}


def default_style(kind: str, language: str = "zh") -> Style:
    """The no-setup style of a canonical layer kind (see ``network.schema.LAYER_KINDS``).

    Pipes: colour by ``system``, width by ``diameter_mm`` class, flow arrows. Manholes: small
    circles. Outfalls: a marker per ``outfall_class``. Enterprises: by ``connection_status``.
    Plants: large hexagons. Zones: hatched, by ``zone_class``. Boundary: dashed outline.
    Unknown kinds get a single grey style for their geometry.
    """
    builder = _DEFAULT_STYLES.get(kind)
    if builder is None:
        return single_style(schema.GEOMETRY_KIND.get(kind, "line"), UNKNOWN_COLOR)
    return builder(_TEXT.get(language, _TEXT["zh"]), language == "zh")


# --- legend --------------------------------------------------------------------------------------
def legend_entries(
    style: Style, geometry: str, language: str = "zh", data: pd.DataFrame | None = None
) -> list[LegendEntry]:
    """Legend rows matching what :func:`classify` draws.

    With ``data``, categories that no feature uses are left out (the default row too).
    A width rule adds one grey row per width class; arrows add a "flow" row.
    """
    if is_outfall_status_style(style):
        return _outfall_status_legend(style, language, data)
    text = _TEXT.get(language, _TEXT["zh"])
    used: set[int] | None = None
    if data is not None and len(data):
        used = set(np.unique(classify(style, data)).tolist())
    entries: list[LegendEntry] = []
    mid_width = style.width_rule.widths[1] if style.width_rule else None
    for i, cls in enumerate(style.classes):
        if used is not None and i not in used:
            continue
        sym = cls.symbol if mid_width is None else replace(cls.symbol, width=mid_width)
        entries.append(LegendEntry(cls.label, sym, geometry))
    if style.default is not None and (
        (used is None and style.kind == SINGLE)
        or (used is not None and len(style.classes) in used)
    ):
        label = style.default_label or (text["all"] if style.kind == SINGLE else text["other"])
        entries.append(LegendEntry(label, style.default, geometry))
    if style.width_rule is not None:
        rule = style.width_rule
        labels = rule.labels or _break_labels(rule.breaks)
        for w, label in zip(rule.widths, labels, strict=False):
            entries.append(LegendEntry(label, Symbol(color="#606060", width=w), "line"))
    if style.arrows:
        entries.append(LegendEntry(text["flow"], Symbol(color="#404040", width=1.4), "arrow"))
    return entries


def _break_labels(breaks: Sequence[float]) -> list[str]:
    edges = [None, *breaks, None]
    out = []
    for lo, hi in itertools.pairwise(edges):
        if lo is None:
            out.append(f"< {_fmt_num(hi)}")
        elif hi is None:
            out.append(f"≥ {_fmt_num(lo)}")
        else:
            out.append(f"{_fmt_num(lo)} – {_fmt_num(hi)}")
    return out
