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

from .conftest import CITIZEN_ID, OTHER_ID, ask_code, earlier_dossier, last_code, sign_in

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
