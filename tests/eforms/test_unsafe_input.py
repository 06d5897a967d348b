"""E-form fields under hostile text: NUL, control and invisible characters are refused with a
Vietnamese message; random text in any field never raises (issue 9)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.text import has_unsafe_characters
from motcua.eforms.rendering import form_data

from .conftest import CODES, VALID

pytestmark = pytest.mark.django_db


def errors_of(form, name):
    return " ".join(form.errors.get(name, []))


class TestUnsafeCharacters:
    @pytest.mark.parametrize(
        "value",
        ["Nguyễn\x00Minh Khang", "Nguyễn \u202eMinh Khang", "Nguyễn\u200bMinh", "Khang\x1b[2J"],
    )
    def test_name_is_refused_with_a_vietnamese_message(self, submit, value):
        form = submit("1.001193", {**VALID["1.001193"], "child_full_name": value})
        assert not form.is_valid()
        message = errors_of(form, "child_full_name")
        assert "không được phép" in message
        assert "Null characters" not in message  # Django's English message is replaced

    def test_nul_in_an_id_number_phone_and_textarea(self, submit):
        data = {
            **VALID["1.001612"],
            "owner_id_number": "0790880\x0001234",
            "owner_phone": "0987\x00654321",
            "business_lines": "Bán lẻ\x00",
        }
        form = submit("1.001612", data)
        assert not form.is_valid()
        for name in ("owner_id_number", "owner_phone", "business_lines"):
            assert errors_of(form, name), name

    @pytest.mark.parametrize("capital", ["²", "50.000.000²", "١٢٣"])
    def test_non_ascii_digits_in_money_are_a_message_not_a_crash(self, submit, capital):
        form = submit("1.001612", {**VALID["1.001612"], "capital": capital})
        assert not form.is_valid()
        assert "Nhập số tiền bằng chữ số" in errors_of(form, "capital")

    def test_line_breaks_in_a_textarea_are_fine(self, submit):
        form = submit("1.001612", VALID["1.001612"])  # business_lines has "\n"
        assert form.is_valid(), form.errors.as_json()


hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="\x00\u202e\u2066\u200b\ufeff\x07 aĂ0/-.", max_size=20),
    st.sampled_from(["9999-99-99", "31/02/2025", "-1", "1" * 300, "²", "on", ""]),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=st.sampled_from(CODES), data=st.data())
def test_random_text_in_any_field_never_raises(submit, code, data):
    answers = dict(VALID[code])
    names = sorted(answers)
    for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
        answers[name] = data.draw(hostile)
    form = submit(code, answers)
    if form.is_valid():
        stored = form_data(form)
        json.dumps(stored, ensure_ascii=False)
        assert not any(has_unsafe_characters(v) for v in stored.values() if isinstance(v, str))
