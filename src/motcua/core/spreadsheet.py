"""Excel cells that never run what a citizen typed.

openpyxl stores any text starting with "=" as a formula. A name or address typed at the kiosk
reaches the officers' registers and reports, so "=HYPERLINK(…)" there became a live formula
that could send other rows' names and ID numbers to a stranger's address when an officer opened
the file (found by the black-box review of issue 9). Every value a person entered is written as
text; the files carry no formulas of their own.
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet


def text_safe_cell(sheet: Worksheet, *, row: int, column: int, value: object) -> Cell:
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell
