"""Card data with NUL, control, bidirectional or zero-width characters is refused (issue 9).

A right-to-left override inside the name makes "Ưng Hoàng Hiệp" print as another name on the
slip; NUL cannot be stored by PostgreSQL. A real card has none of them.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.identity.parsing import IdentityError, parse_identity

from .helpers import QR_EXAMPLE, TODAY, qr_payload

UNSAFE = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\ud800",
]


def refused(text: str) -> IdentityError:
    with pytest.raises(IdentityError) as caught:
        parse_identity(text, today=TODAY)
    return caught.value


class TestParseIdentity:
    @pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
    def test_inside_the_name_is_refused(self, char):
        error = refused(qr_payload(name=f"Ưng Hoàng{char} Hiệp"))
        assert "ký tự ẩn hoặc ký tự điều khiển" in str(error)
        assert "Hiệp" not in str(error)  # the message never repeats the card's data

    @pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b"])
    def test_inside_a_typed_number_is_refused(self, char):
        assert "ký tự ẩn" in str(refused(f"001093{char}047064"))

    def test_a_leading_byte_order_mark_from_the_scanner_is_still_accepted(self):
        assert parse_identity("\ufeff" + QR_EXAMPLE, today=TODAY).id_number == "001093047064"

    def test_tabs_and_line_breaks_are_still_accepted(self):
        card = parse_identity(qr_payload(name="Ưng\tHoàng\r\nHiệp"), today=TODAY)
        assert card.full_name == "Ưng Hoàng Hiệp"

    @settings(database=None, deadline=None, max_examples=200)
    @given(
        position=st.integers(min_value=0, max_value=len(QR_EXAMPLE)),
        char=st.sampled_from(UNSAFE),
    )
    def test_anywhere_in_a_valid_payload(self, position, char):
        if char == "\ufeff" and position in (0, len(QR_EXAMPLE)):
            return  # a scanner's byte-order mark before or after the payload is not data
        text = QR_EXAMPLE[:position] + char + QR_EXAMPLE[position:]
        assert "ký tự ẩn" in str(refused(text))


@pytest.mark.django_db
class TestApi:
    @pytest.mark.parametrize("char", ["\x00", "\u202e", "\u2066", "\u200b"])
    def test_parse_answers_422_with_the_message(self, client, char):
        body = json.dumps({"text": qr_payload(name=f"Ưng{char}Hiệp")})  # "\\u0000" in JSON
        response = client.post("/api/v1/identity/parse", body, content_type="application/json")
        assert response.status_code == 422
        payload = response.json()
        assert payload["ok"] is False
        assert "ký tự ẩn" in payload["detail"]

    def test_a_lone_surrogate_is_refused_by_the_schema(self, client):
        body = '{"text": "001093\\ud800047064"}'
        response = client.post("/api/v1/identity/parse", body, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][-1] == "text"
