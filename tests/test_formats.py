"""Vietnamese input and display formats: day-first dates, dot thousands, comma decimals."""

from datetime import date

from django import forms
from django.utils import formats, translation


class TestVietnameseFormats:
    def test_dates_are_read_day_first(self):
        with translation.override("vi"):
            field = forms.DateField()
            assert field.clean("07/03/2026") == date(2026, 3, 7)
            assert field.clean("2026-03-07") == date(2026, 3, 7)

    def test_numbers_use_vietnamese_separators(self):
        with translation.override("vi"):
            assert formats.number_format(3366, use_l10n=True, force_grouping=True) == "3.366"
            assert formats.number_format(99.63, 2, use_l10n=True) == "99,63"
