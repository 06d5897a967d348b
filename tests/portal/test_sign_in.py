"""Sign-in by ID number and one-time code: delivery, single use, expiry, lockout, rate limits."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from motcua.notices.models import Notice
from motcua.notices.states import WIPED_BODY
from motcua.portal.models import Citizen, SignInCode
from motcua.portal.sealing import id_digest

from .conftest import (
    CITIZEN_ID,
    OTHER_ID,
    _capture_sends,
    ask_code,
    earlier_dossier,
    last_code,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=False)


def ask(client, id_number=CITIZEN_ID, **extra):
    return ask_code(client, id_number, **extra)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class TestAskForACode:
    def test_code_goes_to_the_address_of_an_earlier_dossier(self, client, known_citizen):
        response = ask(client)
        assert response.status_code == 302 and response["Location"] == "/cong-dan/dang-nhap/ma/"
        assert [m.to for m in mail.outbox] == [["lan@example.vn"]]
        page = client.get("/cong-dan/dang-nhap/ma/").content.decode()
        assert "la*@example.vn" in page and "lan@example.vn" not in page

    def test_code_is_stored_hashed_and_wiped_from_the_outbox_once_sent(self, client, known_citizen):
        ask(client)
        code = last_code()
        challenge = SignInCode.objects.get()
        assert code not in challenge.code_digest and len(challenge.code_digest) == 64
        assert CITIZEN_ID not in challenge.id_number_sealed
        notice = Notice.objects.get(kind="sign_in_code")
        assert notice.dossier is None and notice.status == "sent"
        assert notice.body == WIPED_BODY

    def test_a_typed_address_does_not_override_the_recorded_one(self, client, known_citizen):
        ask(client, contact="attacker@example.com")
        assert [m.to for m in mail.outbox] == [["lan@example.vn"]]

    def test_unknown_number_asks_for_an_address_then_uses_it(self, client, center):
        response = ask(client)
        assert response.status_code == 200 and not mail.outbox
        assert 'name="contact"' in response.content.decode()
        response = ask(client, contact="moi@example.vn")
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [["moi@example.vn"]]

    @pytest.mark.parametrize("bad", ["", "12345", "abcdefghijkl", "0251900123456", "x" * 5000])
    def test_bad_numbers_get_a_vietnamese_message(self, client, center, bad):
        response = ask(client, bad)
        assert response.status_code == 400
        assert "12 chữ số" in response.content.decode()
        assert not SignInCode.objects.exists()

    def test_bad_address_gets_a_message(self, client, center):
        response = ask(client, contact="không phải địa chỉ")
        assert response.status_code == 400
        assert "số điện thoại" in response.content.decode()

    def test_codes_per_number_are_limited(self, client, known_citizen):
        for _ in range(5):
            assert ask(client).status_code == 302
        response = ask(client)
        assert response.status_code == 429 and response["Retry-After"]
        assert len(mail.outbox) == 5

    def test_codes_per_client_address_are_limited(self, client, center):
        for n in range(20):
            earlier_dossier(center, f"0010000000{n:02d}", email=f"c{n}@example.vn", key=f"k{n}")
            assert ask(client, f"0010000000{n:02d}").status_code == 302
        earlier_dossier(center, OTHER_ID, email="x@example.vn", key="other")
        assert ask(client, OTHER_ID).status_code == 429

    def test_nothing_personal_in_the_logs(self, client, known_citizen, caplog):
        caplog.set_level(logging.DEBUG)
        ask(client)
        code = last_code()
        client.post("/cong-dan/dang-nhap/ma/", {"code": code})
        text = caplog.text
        assert CITIZEN_ID not in text and code not in text and "lan@example.vn" not in text


class TestEnterTheCode:
    def test_right_code_signs_in_and_the_citizen_is_not_a_user(self, client, known_citizen):
        from django.contrib.auth import get_user_model

        sign_in(client)
        citizen = Citizen.objects.get()
        assert citizen.id_digest == id_digest(CITIZEN_ID)
        assert CITIZEN_ID not in citizen.id_number_sealed
        assert not get_user_model().objects.exists()
        assert client.get("/cong-dan/").status_code == 200
        assert client.get("/can-bo/").status_code in (302, 403)

    def test_code_works_once(self, client, known_citizen):
        ask(client)
        code = last_code()
        assert client.post("/cong-dan/dang-nhap/ma/", {"code": code}).status_code == 302
        client.post("/cong-dan/dang-xuat/")
        # The same code again, replayed into a fresh challenge session.
        session = client.session
        session["portal_challenge"] = SignInCode.objects.get().salt
        session.save()
        response = client.post("/cong-dan/dang-nhap/ma/", {"code": code})
        assert response.status_code == 410
        assert client.get("/cong-dan/").status_code == 302

    def test_expired_code_is_refused(self, client, known_citizen):
        ask(client)
        SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = client.post("/cong-dan/dang-nhap/ma/", {"code": last_code()})
        assert response.status_code == 410
        assert "hết hạn" in response.content.decode()

    def test_a_new_code_ends_the_previous_one(self, client, known_citizen):
        ask(client)
        first = last_code()
        first_salt = client.session["portal_challenge"]
        ask(client)
        session = client.session
        session["portal_challenge"] = first_salt
        session.save()
        assert client.post("/cong-dan/dang-nhap/ma/", {"code": first}).status_code == 410

    def test_five_wrong_codes_lock_the_challenge_even_for_the_right_one(
        self, client, known_citizen
    ):
        ask(client)
        code = last_code()
        statuses = [
            client.post("/cong-dan/dang-nhap/ma/", {"code": wrong(code)}).status_code
            for _ in range(5)
        ]
        assert statuses == [400, 400, 400, 400, 429]
        response = client.post("/cong-dan/dang-nhap/ma/", {"code": code})
        assert response.status_code in (410, 429)
        assert client.get("/cong-dan/").status_code == 302

    def test_wrong_codes_across_new_challenges_lock_the_number(self, client, known_citizen):
        tried = 0
        for _ in range(3):
            ask(client)
            code = last_code()
            for _ in range(4):
                response = client.post("/cong-dan/dang-nhap/ma/", {"code": wrong(code)})
                tried += 1
                if response.status_code == 429:
                    break
        assert tried <= 11
        ask(client)
        response = client.post("/cong-dan/dang-nhap/ma/", {"code": last_code()})
        assert response.status_code == 429

    @pytest.mark.parametrize("typed", ["", "abc", "1" * 500, "12 34 56\x00"])
    def test_garbage_codes_never_500(self, client, known_citizen, typed):
        ask(client)
        response = client.post("/cong-dan/dang-nhap/ma/", {"code": typed})
        assert response.status_code == 400

    def test_no_challenge_goes_back_to_the_start(self, client, center):
        assert client.get("/cong-dan/dang-nhap/ma/")["Location"] == "/cong-dan/dang-nhap/"
        assert client.post("/cong-dan/dang-nhap/ma/", {"code": "123456"}).status_code == 302

    def test_session_key_changes_at_sign_in(self, client, known_citizen):
        ask(client)
        before = client.session.session_key
        client.post("/cong-dan/dang-nhap/ma/", {"code": last_code()})
        assert client.session.session_key != before

    def test_idle_session_ends(self, client, known_citizen, settings):
        sign_in(client)
        session = client.session
        session["portal_citizen"]["seen"] -= 31 * 60
        session.save()
        assert client.get("/cong-dan/")["Location"] == "/cong-dan/dang-nhap/"

    def test_no_id_number_in_any_url(self, client, known_citizen):
        response = client.post("/cong-dan/dang-nhap/", {"id_number": CITIZEN_ID}, follow=True)
        for url, _status in response.redirect_chain:
            assert CITIZEN_ID not in url


def ask_from(address: str, id_number: str = CITIZEN_ID, **extra):
    """Ask for a code from a fresh browser (new session) at another client address."""
    from django.test import Client

    browser = Client(REMOTE_ADDR=address)
    with _capture_sends():
        response = browser.post("/cong-dan/dang-nhap/", {"id_number": id_number, **extra})
    return browser, response


def refusal_text(response) -> str:
    return response.context["error"]


class TestLimitsPerRecipientAcrossClients:
    """Per ID number and per recipient, whatever the client address or session."""

    def test_several_addresses_same_number_are_refused_after_the_limit(self, known_citizen):
        statuses = [ask_from(f"198.51.100.{n}")[1].status_code for n in range(1, 7)]
        assert statuses == [302] * 5 + [429]
        assert len(mail.outbox) == 5
        assert SignInCode.objects.count() == 5

    def test_other_numbers_are_not_affected(self, center, known_citizen):
        earlier_dossier(center, OTHER_ID, email="binh@example.vn", key="other")
        for n in range(1, 7):
            ask_from(f"198.51.100.{n}")
        browser, response = ask_from("198.51.100.99", OTHER_ID)
        assert response.status_code == 302
        assert mail.outbox[-1].to == ["binh@example.vn"]

    def test_the_refusal_says_the_same_for_a_number_with_and_without_records(self, center):
        earlier_dossier(center, CITIZEN_ID, email="lan@example.vn")
        known = unknown = None
        for n in range(1, 7):
            _b, known = ask_from(f"198.51.100.{n}", CITIZEN_ID)
            _b, unknown = ask_from(f"203.0.113.{n}", OTHER_ID)
        assert known.status_code == unknown.status_code == 429
        assert refusal_text(known) == refusal_text(unknown)
        assert "quá nhiều lần" in refusal_text(known)
        assert "hồ sơ" not in refusal_text(known) and "tài khoản" not in refusal_text(known)

    def test_one_declared_address_cannot_be_flooded_through_many_numbers(self, center):
        """Unknown numbers, each under its own limit, all naming the victim's phone."""
        statuses = []
        for n in range(7):
            number = f"0790000000{n:02d}"
            _b, response = ask_from(
                f"192.0.2.{n + 1}",
                number,
                contact=" Nan.Nhan@Example.VN " if n % 2 else "nan.nhan@example.vn",
            )
            statuses.append(response.status_code)
        assert statuses == [302] * 5 + [429, 429]
        assert len(mail.outbox) == 5

    def test_another_recipient_is_not_affected(self, center):
        for n in range(6):
            ask_from(f"192.0.2.{n + 1}", f"0790000000{n:02d}", contact="nan@example.vn")
        _b, response = ask_from("192.0.2.50", "079000000099", contact="other@example.vn")
        assert response.status_code == 302
        assert mail.outbox[-1].to == ["other@example.vn"]

    def test_the_recipient_limit_does_not_tell_whose_address_a_number_has_on_record(self, center):
        """Exhausting a victim's address by typing it with unknown numbers must not turn the
        next ask for a number whose *recorded* address it is into a refusal: that refusal would
        tell a stranger that this ID number belongs to the owner of that phone or mailbox (an
        ID-to-contact oracle, NĐ 13/2023). The per-number limit still caps that number's codes."""
        earlier_dossier(center, CITIZEN_ID, email="lan@example.vn")
        for n in range(6):
            ask_from(f"192.0.2.{n + 1}", f"0790000000{n:02d}", contact="lan@example.vn")
        _b, response = ask_from("192.0.2.60", CITIZEN_ID)
        assert response.status_code == 302
        assert mail.outbox[-1].to == ["lan@example.vn"]

    def test_nor_whose_address_a_number_declared_at_an_earlier_sign_in(self, center):
        """The same for an address typed at an earlier first sign-in (kept sealed on the
        citizen): asking with another typed address still sends to the kept one."""
        from motcua.portal.sealing import seal

        Citizen.objects.create(
            id_digest=id_digest(OTHER_ID),
            id_number_sealed=seal(OTHER_ID),
            contact_sealed=seal("binh@example.vn"),
            contact_channel="email",
            created_at=timezone.now(),
        )
        for n in range(6):
            ask_from(f"192.0.2.{n + 1}", f"0790000000{n:02d}", contact="binh@example.vn")
        _b, response = ask_from("192.0.2.71", OTHER_ID, contact="binh@example.vn")
        assert response.status_code == 302
        assert mail.outbox[-1].to == ["binh@example.vn"]

    def test_wrong_codes_from_different_sessions_and_addresses_are_counted_together(
        self, known_citizen
    ):
        tried = 0
        last = None
        for n in range(1, 4):
            browser, _ = ask_from(f"198.51.100.{n}")
            code = last_code()
            for _ in range(4):
                last = browser.post("/cong-dan/dang-nhap/ma/", {"code": wrong(code)})
                tried += 1
                if last.status_code == 429:
                    break
            if last.status_code == 429:
                break
        # 10 wrong codes per number and hour (views.WRONG_CODES_PER_ID): the 11th is refused.
        assert tried == 11 and last.status_code == 429
        browser, _ = ask_from("198.51.100.77")
        response = browser.post("/cong-dan/dang-nhap/ma/", {"code": last_code()})
        assert response.status_code == 429
        assert browser.get("/cong-dan/").status_code == 302

    def test_counter_keys_hold_no_number_and_no_address(self, center, known_citizen):
        from motcua.core.models import RateCounter

        ask_from("198.51.100.1")
        ask_from("198.51.100.2", OTHER_ID, contact="binh@example.vn")
        keys = " ".join(RateCounter.objects.values_list("key", flat=True))
        assert "portal-code:to:" in keys and "portal-code:id:" in keys
        for secret in (CITIZEN_ID, OTHER_ID, "lan@example.vn", "binh@example.vn"):
            assert secret not in keys

    @pytest.mark.parametrize("contact", ["0912345678", "+84 912 345 678", "0912.345.678"])
    def test_spellings_of_one_phone_share_a_digest(self, contact):
        from motcua.portal.sealing import contact_digest

        assert contact_digest("sms", contact) == contact_digest("sms", "0912 345 678")
        assert contact_digest("sms", contact) != contact_digest("sms", "0912345679")
