"""The fonts PipeAtlas asks for when it writes Chinese: one preference list for every output.

The window (Qt), the paper maps, the survey reports and the protected-area report all pick the
first installed family of :data:`CJK_FAMILIES`, so a park prints in the same font it shows in.
Simplified-Chinese families come first: Noto Sans CJK / Source Han Sans ship one collection
(``.ttc``) with a Japanese, Korean, Simplified and Traditional Chinese face, and the same
character is drawn differently in each (直, 骨, 令 …). Asking for the family
``"Noto Sans CJK SC"`` selects the Simplified-Chinese face; asking for the file alone gives the
collection's first, Japanese, face.

Only the standard library is used here: the Qt side matches the list against
``QFontDatabase.families()``, the matplotlib side (:mod:`network.io.fonts`) against its font list.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Families with Chinese glyphs, best first (Simplified Chinese before anything else).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)


def first_installed(
    installed: Iterable[str], preferred: Iterable[str] = CJK_FAMILIES
) -> str | None:
    """The first family of ``preferred`` that is among ``installed`` (``None`` if none is).

    Parameters
    ----------
    installed : iterable of str
        The family names the drawing library knows.
    preferred : iterable of str
        The families to try, best first.

    Returns
    -------
    str or None

    Examples
    --------
    >>> first_installed(["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "SimHei"])
    'Noto Sans CJK SC'
    >>> first_installed(["DejaVu Sans"]) is None
    True
    """
    have = set(installed)
    return next((fam for fam in preferred if fam in have), None)
