"""The coefficients of the pollutant balance: per-person and per-head COD, targets.

They live in ``resources/balance/coefficients.json`` with their source noted beside every
value; :func:`load_coefficients` reads that table (or a user's copy of it) and the account
prints the ones it used. Nothing is hidden in code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.errors import SurveyError


class BalanceError(SurveyError):
    """Bad input to the pollutant balance (a coefficient table, an area, a year)."""


@dataclass(frozen=True)
class Coefficient:
    """One source coefficient: COD g/d and wastewater t/d per person or head."""

    code: str
    label_zh: str
    label_en: str
    cod_g_per_day: float
    flow_t_per_day: float | None
    source: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coefficients:
    """The coefficient table of one account."""

    domestic: Coefficient
    livestock: tuple[Coefficient, ...]
    days_per_year: float
    rate_2025: float
    rate_2030: float
    low_influent_cod_mgl: float
    online_monitoring_tpd: float
    targets_source: str
    path: str = ""

    def livestock_for(self, kind: Any) -> Coefficient | None:
        """The livestock coefficient whose code or synonym names *kind* (None if none)."""
        if kind is None or (isinstance(kind, float) and math.isnan(kind)):
            return None
        k = str(kind).strip().lower()
        if not k:
            return None
        for c in self.livestock:
            if k == c.code or k in (s.lower() for s in c.synonyms):
                return c
        for c in self.livestock:  # "生猪养殖" contains 生猪
            if any(s.lower() in k for s in c.synonyms if len(s) > 1):
                return c
        return None

    def rows(self) -> list[dict[str, Any]]:
        """One row per coefficient and target, as the report prints them."""
        out = []
        for c in (self.domestic, *self.livestock):
            out.append(
                {
                    "code": c.code,
                    "label_zh": c.label_zh,
                    "label_en": c.label_en,
                    "cod_g_per_day": c.cod_g_per_day,
                    "flow_t_per_day": c.flow_t_per_day,
                    "source": c.source,
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "path": self.path,
            "days_per_year": self.days_per_year,
            "sources": self.rows(),
            "targets": {
                "collection_rate_2025": self.rate_2025,
                "collection_rate_2030": self.rate_2030,
                "low_influent_cod_mgl": self.low_influent_cod_mgl,
                "online_monitoring_tpd": self.online_monitoring_tpd,
                "source": self.targets_source,
            },
        }


def default_path() -> Path:
    """The shipped coefficient table."""
    from resources import resource_path

    return resource_path("balance", "coefficients.json")


def _number(d: dict[str, Any], key: str, where: str, file: str, *, optional: bool = False) -> Any:
    v = d.get(key)
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        raise BalanceError(
            f"{file}: {where} field {key!r} must be a number ≥ 0, found {v!r}.",
            file=file,
            field=key,
        )
    return float(v)


def _coefficient(d: Any, where: str, file: str) -> Coefficient:
    if not isinstance(d, dict) or not d.get("code"):
        raise BalanceError(f"{file}: {where} must be an object with a 'code'.", file=file)
    if not str(d.get("source", "")).strip():
        raise BalanceError(
            f"{file}: {where} ({d['code']}) has no 'source'; note where the figure comes from.",
            file=file,
            field="source",
        )
    return Coefficient(
        code=str(d["code"]),
        label_zh=str(d.get("label_zh", d["code"])),
        label_en=str(d.get("label_en", d["code"])),
        cod_g_per_day=_number(d, "cod_g_per_day", f"{where} ({d['code']})", file),
        flow_t_per_day=_number(d, "flow_t_per_day", f"{where} ({d['code']})", file, optional=True),
        source=str(d["source"]),
        synonyms=tuple(str(s) for s in d.get("synonyms", ())),
    )


def load_coefficients(path: str | Path | None = None) -> Coefficients:
    """Read a coefficient table (the shipped one by default).

    Raises
    ------
    BalanceError
        The file cannot be read, is not JSON, or a coefficient lacks a number or a source.

    Examples
    --------
    >>> c = load_coefficients()
    >>> c.domestic.cod_g_per_day, c.livestock_for("生猪").code, c.rate_2025
    (60.0, 'pig', 0.8)
    """
    p = Path(path) if path is not None else default_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BalanceError(f"Cannot read the coefficient table {p}: {exc}", file=str(p)) from exc
    except json.JSONDecodeError as exc:
        raise BalanceError(f"{p.name} is not valid JSON: {exc}", file=str(p)) from exc
    t = data.get("targets") or {}
    return Coefficients(
        domestic=_coefficient(data.get("domestic"), "domestic", p.name),
        livestock=tuple(
            _coefficient(d, f"livestock[{i}]", p.name)
            for i, d in enumerate(data.get("livestock") or ())
        ),
        days_per_year=_number(data, "days_per_year", "the table", p.name),
        rate_2025=_number(t, "collection_rate_2025", "targets", p.name),
        rate_2030=_number(t, "collection_rate_2030", "targets", p.name),
        low_influent_cod_mgl=_number(t, "low_influent_cod_mgl", "targets", p.name),
        online_monitoring_tpd=_number(t, "online_monitoring_tpd", "targets", p.name),
        targets_source=str(t.get("source", "")),
        path=str(p),
    )
