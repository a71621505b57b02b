"""Validation of the park record: zone codes, unified social credit codes, dates.

The unified social credit code (统一社会信用代码, GB 32100-2015) has 18 characters from a
31-character set (digits and capitals without I, O, S, V, Z); the 18th is a check character
computed from the first 17 with the weights :data:`CREDIT_WEIGHTS`.
"""

from __future__ import annotations

import datetime as dt
import re

from surveys.errors import SurveyError

#: The 31 characters of GB 32100-2015, in the order of their values 0–30.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of characters 1–17 (3^(i-1) mod 31).
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: Development-zone code of the catalogue: G (national) or S (provincial) and six digits;
#: ※ marks a zone not in the catalogue.
ZONE_CODE_RE = re.compile(r"^[GS]\d{6}$")
NOT_IN_CATALOGUE = "※"


class DossierError(SurveyError):
    """A value of the park record or the dossier is not acceptable (names the field)."""


def credit_check_char(first17: str) -> str:
    """The check character (18th) of a unified social credit code.

    Parameters
    ----------
    first17 : str
        The first 17 characters (capitals from :data:`CREDIT_CHARSET`).

    Raises
    ------
    ValueError
        A character is not in the code set or the length is not 17.

    Examples
    --------
    >>> credit_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str, field: str = "产权单位统一社会信用代码") -> str:
    """Check a unified social credit code and return it normalised (upper case, no spaces).

    Raises
    ------
    DossierError
        Wrong length, a character outside the code set (named with its position), or a wrong
        check character (saying which character is wrong and what it should be).

    Examples
    --------
    >>> validate_credit_code("91350100m000100y43")
    '91350100M000100Y43'
    >>> try:
    ...     validate_credit_code("91350100M000100Y44")
    ... except DossierError as exc:
    ...     print(exc.data["position"], exc.data["expected"])
    18 3
    """
    code = re.sub(r"\s+", "", str(value)).upper()
    if len(code) != 18:
        raise DossierError(
            f"{field} {code!r} has {len(code)} characters; a unified social credit code "
            "(GB 32100-2015) has 18.",
            field=field,
            found=code,
        )
    for i, ch in enumerate(code, start=1):
        if ch not in CREDIT_CHARSET:
            raise DossierError(
                f"{field} {code}: character {i} is {ch!r}, which a unified social credit code "
                "never uses (digits and capitals except I, O, S, V, Z).",
                field=field,
                found=code,
                position=i,
            )
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise DossierError(
            f"{field} {code}: character 18 (the check character) is {code[17]!r}; it should "
            f"be {expected!r} (GB 32100-2015).",
            field=field,
            found=code,
            position=18,
            expected=expected,
        )
    return code


def validate_zone_code(value: str, field: str = "园区级别（代码）") -> str:
    """Check a development-zone code (``G432128``, ``S437047`` or ``※``); return it.

    Raises
    ------
    DossierError
        Not G/S followed by six digits, nor ※.

    Examples
    --------
    >>> validate_zone_code("s437047"), validate_zone_code("※")
    ('S437047', '※')
    """
    code = str(value).strip().upper()
    if code in (NOT_IN_CATALOGUE, "*"):
        return NOT_IN_CATALOGUE
    if not ZONE_CODE_RE.match(code):
        raise DossierError(
            f"{field} {value!r} is not a development-zone code: expected G (national) or S "
            "(provincial) and six digits as in 《中国开发区审核公告目录》, e.g. S437047, or ※ "
            "for a zone not in the catalogue.",
            field=field,
            found=str(value),
        )
    return code


_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: str, field: str = "日期") -> dt.date:
    """Read a date written ``2024-06-30``, ``2024/6/30``, ``2024.6.30`` or ``2024年6月30日``.

    Raises
    ------
    DossierError
        Not a date (or an impossible one such as 2024-02-30).

    Examples
    --------
    >>> parse_date("2024年6月30日")
    datetime.date(2024, 6, 30)
    """
    m = _DATE_RE.match(str(value))
    try:
        if not m:
            raise ValueError(value)
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DossierError(
            f"{field} {value!r} is not a date; write it as 2024-06-30 or 2024年6月30日.",
            field=field,
            found=str(value),
        ) from None
