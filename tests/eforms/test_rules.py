"""Helpers of the rule checks that the form tests do not reach directly."""

from datetime import date

import pytest

from motcua.eforms.rules import NAME, age_on, normalize_phone


class TestAgeOn:
    def test_birthday_reached(self):
        assert age_on(date(2005, 9, 15), date(2025, 9, 15)) == 20

    def test_day_before_birthday(self):
        assert age_on(date(2005, 9, 16), date(2025, 9, 15)) == 19

    def test_born_on_29_february(self):
        assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
        assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


class TestNormalizePhone:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("+84 912 345 678", "0912345678"),
            ("84912345678", "0912345678"),
            ("0912.345.678", "0912345678"),
            ("(091) 234-5678", "0912345678"),
        ],
    )
    def test_common_ways_of_writing(self, raw, expected):
        assert normalize_phone(raw) == expected


class TestPersonName:
    """Bộ luật Dân sự 2015, Điều 26: a name is made of letters, not digits or signs."""

    @pytest.mark.parametrize(
        "name", ["Nguyễn Thị Lan", "K'Sor H'Mai", "Hơ-Mông Y", "Nguyễn Văn A.", "Lê  Văn  Tám"]
    )
    def test_names_pass(self, name):
        assert NAME.match(" ".join(name.split()))

    @pytest.mark.parametrize("name", ["Trần 2", "An1", "Trần_Minh", "@@", "- -", "Lan!"])
    def test_digits_and_signs_fail(self, name):
        assert not NAME.match(name)
