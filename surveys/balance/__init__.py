"""The pollutant balance per plant service area (区域水污染物平衡核算, 连水治办〔2021〕8号).

:func:`build_account` makes the account; :mod:`surveys.balance.areas` the service-area
polygons and the store of edited ones; :mod:`surveys.balance.coefficients` the coefficient
table; :mod:`surveys.balance.export` the Excel account and the map.
"""

from surveys.balance.account import (
    AreaAccount,
    BalanceAccount,
    Problem,
    Source,
    build_account,
)
from surveys.balance.areas import AreaStore, ServiceArea, read_edited_areas, service_area_polygons
from surveys.balance.coefficients import BalanceError, Coefficients, load_coefficients

__all__ = [
    "AreaAccount",
    "AreaStore",
    "BalanceAccount",
    "BalanceError",
    "Coefficients",
    "Problem",
    "ServiceArea",
    "Source",
    "build_account",
    "load_coefficients",
    "read_edited_areas",
    "service_area_polygons",
]
