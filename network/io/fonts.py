"""Chinese text in every figure PipeAtlas draws with matplotlib (maps, reports, profiles).

The paper map, the survey report PDFs, the protected-area report and the profile view all take
their font from here, so they agree with each other and with the window
(:data:`resources.fonts.CJK_FAMILIES`, one list for all).

Fonts are always asked for **by family name**, never by file: Noto Sans CJK is one ``.ttc``
collection whose first face is Japanese; the family ``"Noto Sans CJK SC"`` is face 2 of the
same file, and matplotlib keeps that face index only when it finds the font by family
(:func:`cjk_font_file` shows which file and face that is).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from matplotlib import font_manager, rc_context

from resources.fonts import CJK_FAMILIES, first_installed

log = logging.getLogger(__name__)
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's own font: Latin text and digits always render


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of the best installed font with Chinese glyphs (``None`` if there is none).

    Returns
    -------
    str or None
        The first of :data:`resources.fonts.CJK_FAMILIES` that matplotlib knows; when there
        is none a warning is logged once and Chinese text will show as boxes.
    """
    name = first_installed(f.name for f in font_manager.fontManager.ttflist)
    if name is None:
        log.warning(
            "No CJK font found (tried %s); Chinese text will show as boxes",
            ", ".join(CJK_FAMILIES),
        )
    return name


def cjk_font_file(weight: str = "normal") -> font_manager.FontPath | None:
    """The file and face matplotlib draws :func:`cjk_font` from.

    Parameters
    ----------
    weight : str
        ``"normal"`` or ``"bold"``.

    Returns
    -------
    matplotlib.font_manager.FontPath or None
        A path (a ``str``) with ``face_index``: for ``NotoSansCJK-Regular.ttc`` face 2, the
        Simplified-Chinese face.
    """
    name = cjk_font()
    if name is None:
        return None
    return font_manager.findfont(
        font_manager.FontProperties(family=name, weight=weight), fallback_to_default=False
    )


def cjk_font_properties(
    size: float | None = None, weight: str = "normal"
) -> font_manager.FontProperties:
    """Font properties for Chinese text (the CJK family, then matplotlib's own font).

    Parameters
    ----------
    size : float, optional
        Size in points; matplotlib's default when omitted.
    weight : str
        ``"normal"`` or ``"bold"``.

    Returns
    -------
    matplotlib.font_manager.FontProperties
    """
    name = cjk_font()
    family = [name, FALLBACK_FAMILY] if name else [FALLBACK_FAMILY]
    return font_manager.FontProperties(family=family, size=size, weight=weight)


@contextmanager
def cjk_rc() -> Iterator[str | None]:
    """Matplotlib settings for Chinese text, scoped (no global state is changed).

    Yields
    ------
    str or None
        The CJK family in use (see :func:`cjk_font`).
    """
    name = cjk_font()
    family = [name, FALLBACK_FAMILY] if name else [FALLBACK_FAMILY]
    with rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": family,
            "axes.unicode_minus": False,
            "pdf.fonttype": 42,
        }
    ):
        yield name
