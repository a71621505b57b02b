"""Spreadsheets for people: text stays text, percentages look like percentages, columns fit.

Every Excel file PipeAtlas writes (connection register, ledger, grade report, overlap report,
dossier tables …) goes through :func:`write_table`, so three rules hold everywhere:

- **Text is never a formula.** A name, remark or problem that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is written as a text cell with Excel's quote prefix (the
  usual CSV/XLSX-injection defence), so opening the file runs nothing and reading it back gives
  the exact string that was written.
- **Fractions given as percentages are shown as such** (``0.7`` → ``70.0%``), the stored value
  staying the number.
- **Columns are wide enough** for their header and contents (CJK characters count double), and
  the header row is bold and frozen.

Examples
--------
>>> from openpyxl import Workbook
>>> wb = Workbook()
>>> ws = wb.active
>>> write_table(ws, ["名称", "纳管率"], [["=HYPERLINK(1)", 0.7]], percent={"纳管率"})
>>> ws["A2"].data_type, ws["A2"].value, ws["B2"].number_format
('s', '=HYPERLINK(1)', '0.0%')
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
MIN_WIDTH = 6


def is_formula_like(value: object) -> bool:
    """Whether *value* is text a spreadsheet would run as a formula.

    >>> is_formula_like("=1+1"), is_formula_like("-3 号井"), is_formula_like("WS-01")
    (True, True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def display_width(value: object) -> int:
    """Width of *value* in Excel character units (East Asian wide characters count 2).

    >>> display_width("污水"), display_width("DN600")
    (4, 5)
    """
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def set_cell(cell: Any, value: object) -> None:
    """Write *value* into an openpyxl *cell*: text that looks like a formula stays text.

    NaN and infinities become empty cells.
    """
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_table(
    ws: Any,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    percent: Collection[str] = (),
    start_row: int = 1,
    freeze: bool = True,
) -> None:
    """Write a header row and data rows into worksheet *ws*, formatted for people.

    Parameters
    ----------
    ws : openpyxl worksheet
        The sheet to write into.
    headers : sequence of str
        Column titles (the Chinese titles the regulations use).
    rows : iterable of sequences
        One sequence of values per row, in header order.
    percent : collection of str
        Titles of columns holding fractions (0–1) to show as percentages.
    start_row : int
        The row of the header (1-based).
    freeze : bool
        Freeze the panes below the header.
    """
    from openpyxl.styles import Font

    widths = [display_width(h) for h in headers]
    pct = {i for i, h in enumerate(headers) if h in percent}
    for j, title in enumerate(headers, start=1):
        cell = ws.cell(row=start_row, column=j)
        set_cell(cell, title)
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row):
            cell = ws.cell(row=r, column=j + 1)
            set_cell(cell, value)
            if j in pct and isinstance(value, int | float):
                cell.number_format = "0.0%"
                shown = 6
            else:
                shown = display_width(value) if not isinstance(value, float) else 10
            if j < len(widths):
                widths[j] = max(widths[j], shown)
    fit_columns(ws, widths)
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)


def fit_columns(ws: Any, widths: Sequence[int]) -> None:
    """Set the column widths of *ws* from character widths (clamped to a sensible range)."""
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, w + 2))
