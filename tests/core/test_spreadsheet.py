"""Cells written from what people typed are text, never formulas."""

from __future__ import annotations

from openpyxl import Workbook

from motcua.core.spreadsheet import text_safe_cell


class TestTextSafeCell:
    def test_a_leading_equals_sign_stays_text(self):
        sheet = Workbook().active
        cell = text_safe_cell(sheet, row=1, column=1, value="=1+1")
        assert (cell.value, cell.data_type) == ("=1+1", "s")

    def test_numbers_and_dates_keep_their_type(self):
        sheet = Workbook().active
        assert text_safe_cell(sheet, row=1, column=1, value=42).data_type == "n"
        assert text_safe_cell(sheet, row=1, column=2, value="Nguyễn Văn A").data_type == "s"
