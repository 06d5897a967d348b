from __future__ import annotations

from datetime import date

import pytest
from django.core import signing as django_signing

from motcua.identity.parsing import IdentityError, parse_identity
from motcua.identity.signing import (
    LOCKED_FIELDS,
    altered_locked_fields,
    read_signed_card,
    sign_card,
)

from .helpers import QR_EXAMPLE, TODAY


@pytest.fixture
def card():
    return parse_identity(QR_EXAMPLE, today=TODAY)


@pytest.fixture
def clock(monkeypatch):
    """Django's signer reads time.time(); move it by hand."""
    now = [1_780_000_000.0]
    monkeypatch.setattr(django_signing.time, "time", lambda: now[0])
    return now


def card_token_error(token: str, **kwargs) -> str:
    with pytest.raises(IdentityError) as info:
        read_signed_card(token, **kwargs)
    [error] = info.value.errors
    assert error.field == "card_token"
    return error.message


class TestSignCard:
    def test_round_trip(self, card):
        assert read_signed_card(sign_card(card)) == card.as_dict()

    def test_locked_fields_are_the_card_values(self):
        assert LOCKED_FIELDS == (
            "id_number",
            "old_id_number",
            "full_name",
            "birth_date",
            "sex",
            "address",
            "issue_date",
        )


class TestReadSignedCard:
    def test_tampered_token(self, card):
        token = sign_card(card)
        head, _, signature = token.rpartition(":")
        forged = head + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
        assert "không hợp lệ hoặc đã bị sửa đổi" in card_token_error(forged)

    def test_payload_signed_elsewhere(self, card):
        forged = django_signing.dumps({"v": 1, "card": card.as_dict()}, salt="another.salt")
        assert "không hợp lệ" in card_token_error(forged)

    @pytest.mark.parametrize("token", ["", "garbage", "a:b:c"])
    def test_garbage(self, token):
        assert "không hợp lệ" in card_token_error(token)

    def test_expired_by_default_after_30_minutes(self, card, clock):
        token = sign_card(card)
        clock[0] += 30 * 60
        assert read_signed_card(token)["id_number"] == "001093047064"
        clock[0] += 1
        assert "quá thời hạn" in card_token_error(token)

    def test_max_age_argument(self, card, clock):
        token = sign_card(card)
        clock[0] += 5
        assert "quá thời hạn" in card_token_error(token, max_age=0)

    def test_max_age_setting(self, card, clock, settings):
        settings.IDENTITY_CARD_TOKEN_MAX_AGE = 60
        token = sign_card(card)
        clock[0] += 61
        assert "quá thời hạn" in card_token_error(token)


class TestAlteredLockedFields:
    def test_unchanged_submission(self, card):
        submitted = dict(card.as_dict(), email="a@b.vn")
        assert altered_locked_fields(sign_card(card), submitted) == []

    def test_altered_name(self, card):
        submitted = dict(card.as_dict(), full_name="Ưng Hoàng Hiếu")
        assert altered_locked_fields(sign_card(card), submitted) == ["full_name"]

    def test_several_altered_fields_in_order(self, card):
        submitted = dict(card.as_dict(), address="Khác", id_number="001093047065")
        assert altered_locked_fields(sign_card(card), submitted) == ["id_number", "address"]

    def test_date_objects_and_formatting_noise_are_not_edits(self, card):
        submitted = {
            "full_name": "  Ưng Hoàng   Hiệp ",
            "birth_date": date(1993, 1, 5),
            "issue_date": "2021-04-15",
            "old_id_number": "012345678",
        }
        assert altered_locked_fields(sign_card(card), submitted) == []

    def test_filling_an_empty_card_field_is_an_edit(self):
        typed = parse_identity("001093047064", today=TODAY)
        assert altered_locked_fields(sign_card(typed), {"full_name": "Ai Đó"}) == ["full_name"]

    def test_blank_for_absent_value_is_not_an_edit(self):
        typed = parse_identity("001093047064", today=TODAY)
        assert altered_locked_fields(sign_card(typed), {"address": "", "sex": None}) == []

    def test_bad_token_raises(self, card):
        with pytest.raises(IdentityError):
            altered_locked_fields("forged", card.as_dict())
