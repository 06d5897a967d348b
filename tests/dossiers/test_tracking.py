"""Public tracking with a second factor: code + last four digits, or the slip's QR token.

Codes are sequential (``<agency>-<yyMMdd>-<nnnn>``); the code alone must not show a dossier,
wrong codes and wrong digits must look the same, and guessing is limited per address and code.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers import views
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import find_for_tracking
from motcua.dossiers.services import Applicant, check_tracking_token, tracking_token

from .conftest import APPLICANT, submit, vn

pytestmark = pytest.mark.urls("tests.dossiers.urls")

ID_DIGITS = "2345"  # APPLICANT.id_number = 001190012345
PHONE_DIGITS = "5678"  # APPLICANT.phone = 0912345678
SHOWN = "N*** T*** Á*** T"  # the masked name: only on a successful lookup
A = "203.0.113.7"
B = "198.51.100.20"


@pytest.fixture
def dossier(center, procedure) -> Dossier:
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, movable: the views and the rate limiter read ``timezone.now``."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


def look_up(client, code, digits, address=A):
    return client.post("/ho-so/tra-cuu/", {"ma": code, "so": digits}, REMOTE_ADDR=address)


def alert_text(response) -> str:
    """The page's messages, without the code echoed in the form."""
    html = response.content.decode()
    return " ".join(re.findall(r'role="alert">(.*?)</p>', html, flags=re.S))


class TestSecondFactor:
    @pytest.mark.parametrize("digits", [ID_DIGITS, PHONE_DIGITS, " 23 45 "])
    def test_last_four_digits_of_the_id_or_the_phone_show_the_dossier(
        self, client, dossier, digits
    ):
        response = look_up(client, dossier.code, digits)
        assert response.status_code == 200
        assert SHOWN in response.content.decode()

    def test_wrong_digits_and_unknown_code_give_the_same_answer(self, client, dossier):
        wrong_digits = look_up(client, dossier.code, "0000")
        unknown_code = look_up(client, "000.00.25.H45-250707-0002", ID_DIGITS, address=B)
        assert wrong_digits.status_code == unknown_code.status_code == 404
        assert alert_text(wrong_digits) == alert_text(unknown_code)
        assert "4 chữ số cuối không khớp" in alert_text(wrong_digits)
        assert SHOWN not in wrong_digits.content.decode()

    def test_the_code_alone_shows_nothing(self, client, dossier):
        response = client.get(f"/ho-so/tra-cuu/{dossier.code}/")
        assert response.status_code == 200
        assert SHOWN not in response.content.decode()
        # Digits in the address are ignored: they never travel in a URL.
        response = client.get("/ho-so/tra-cuu/", {"ma": dossier.code, "so": ID_DIGITS})
        assert SHOWN not in response.content.decode()

    @pytest.mark.parametrize("digits", ["", "234", "23456", "abcd", "٢٣٤٥", "2345\x00"])
    def test_malformed_digits_are_a_400_with_a_message(self, client, dossier, digits):
        response = look_up(client, dossier.code, digits)
        assert response.status_code == 400
        assert "4 chữ số cuối" in alert_text(response)

    def test_an_applicant_without_phone_or_id_cannot_be_looked_up_by_digits(
        self, client, center, procedure
    ):
        bare = Applicant(name="Lê Văn Ba", id_number="", phone="")
        dossier, _ = submit(center, procedure, key="bare", applicant=bare)
        assert find_for_tracking(dossier.code, "0000") is None
        Dossier.objects.filter(pk=dossier.pk).update(applicant_phone="012")
        assert find_for_tracking(dossier.code, "0012") is None
        assert look_up(client, dossier.code, "0012").status_code == 404

    def test_with_csrf_checks_the_form_round_trip_works(self, dossier):
        browser = Client(enforce_csrf_checks=True)
        assert (
            browser.post("/ho-so/tra-cuu/", {"ma": dossier.code, "so": ID_DIGITS}).status_code
            == 403
        )
        form = browser.get(f"/ho-so/tra-cuu/{dossier.code}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
        response = browser.post(
            "/ho-so/tra-cuu/",
            {"ma": dossier.code, "so": ID_DIGITS, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 200 and SHOWN in response.content.decode()


class TestLimits:
    def test_twenty_lookups_per_address_in_ten_minutes(self, client, dossier, clock):
        for _ in range(views.TRACK_LOOKUPS_PER_ADDRESS.hits):
            assert look_up(client, dossier.code, ID_DIGITS).status_code == 200
        response = look_up(client, dossier.code, ID_DIGITS)
        assert response.status_code == 429
        assert "Thử sai quá nhiều lần, xin đợi" in alert_text(response)
        assert 0 < int(response["Retry-After"]) <= 600
        assert SHOWN not in response.content.decode()
        assert look_up(client, dossier.code, ID_DIGITS, address=B).status_code == 200
        clock["now"] += timedelta(minutes=10)
        assert look_up(client, dossier.code, ID_DIGITS).status_code == 200

    def test_five_wrong_digits_lock_the_code_for_that_address(self, client, dossier, clock):
        for n in range(views.TRACK_MISSES_PER_CODE_AND_ADDRESS.hits):
            assert look_up(client, dossier.code, f"{n:04d}").status_code == 404
        # Even the right digits: otherwise the lucky guess would still get through.
        assert look_up(client, dossier.code, ID_DIGITS).status_code == 429
        assert look_up(client, dossier.code, ID_DIGITS, address=B).status_code == 200
        clock["now"] += timedelta(hours=1)
        assert look_up(client, dossier.code, ID_DIGITS).status_code == 200

    def test_right_answers_do_not_use_up_the_allowance(self, client, dossier):
        for n in range(4):
            look_up(client, dossier.code, f"{n:04d}")
        for _ in range(3):
            assert look_up(client, dossier.code, PHONE_DIGITS).status_code == 200
        assert look_up(client, dossier.code, "0009").status_code == 404  # the fifth miss
        assert look_up(client, dossier.code, "0010").status_code == 429

    def test_an_unknown_code_locks_the_same_way(self, client, db):
        code = "000.00.25.H45-250707-0042"
        answers = [look_up(client, code, f"{n:04d}").status_code for n in range(6)]
        assert answers == [404] * 5 + [429]

    def test_misses_from_many_addresses_lock_typed_lookups_but_not_the_qr(
        self, client, dossier, monkeypatch
    ):
        monkeypatch.setattr(views, "TRACK_MISSES_PER_CODE", views.Limit("track:code", 3, 86400))
        for n in range(3):
            look_up(client, dossier.code, f"{n:04d}", address=f"192.0.2.{n}")
        assert look_up(client, dossier.code, ID_DIGITS, address=B).status_code == 429
        url = f"/ho-so/tra-cuu/{dossier.code}/?t={tracking_token(dossier.code)}"
        assert SHOWN in client.get(url, REMOTE_ADDR=B).content.decode()


class TestSlipQrToken:
    def test_the_token_stands_in_for_the_second_factor(self, client, dossier):
        response = client.get(
            f"/ho-so/tra-cuu/{dossier.code}/", {"t": tracking_token(dossier.code)}
        )
        assert response.status_code == 200
        assert SHOWN in response.content.decode()
        assert "no-store" in response["Cache-Control"]

    def test_lowercase_code_with_its_token(self, client, dossier):
        token = tracking_token(dossier.code)
        response = client.get(f"/ho-so/tra-cuu/{dossier.code.lower()}/", {"t": token})
        assert response.status_code == 200

    @pytest.mark.parametrize("kind", ["tampered", "other dossier", "other salt", "junk"])
    def test_a_bad_token_shows_the_form_only(self, client, center, procedure, dossier, kind):
        from django.core import signing

        other, _ = submit(center, procedure, key="other")
        token = {
            "tampered": tracking_token(dossier.code)[:-1] + "A",
            "other dossier": tracking_token(other.code),
            "other salt": signing.Signer(salt="motcua.dossiers.slip").sign(dossier.code),
            "junk": "x" * 5000,
        }[kind]
        if kind == "tampered" and token == tracking_token(dossier.code):
            token = token[:-1] + "B"
        response = client.get(f"/ho-so/tra-cuu/{dossier.code}/", {"t": token})
        assert response.status_code == 400
        html = response.content.decode()
        assert SHOWN not in html and "Đường dẫn tra cứu không hợp lệ" in html

    def test_a_valid_token_for_a_code_that_does_not_exist(self, client, db):
        code = "000.00.25.H45-250707-0777"
        response = client.get(f"/ho-so/tra-cuu/{code}/", {"t": tracking_token(code)})
        assert response.status_code == 400

    def test_token_is_bound_to_the_code(self):
        token = tracking_token("000.00.25.H45-250707-0001")
        assert check_tracking_token(token, "000.00.25.H45-250707-0001")
        assert not check_tracking_token(token, "000.00.25.H45-250707-0002")
        assert not check_tracking_token("", "000.00.25.H45-250707-0001")

    def test_the_slip_qr_carries_the_token(self, dossier):
        from django.test import RequestFactory

        url = views.tracking_url(RequestFactory().get("/"), dossier)
        assert (
            url
            == f"http://testserver/ho-so/tra-cuu/{dossier.code}/?t={tracking_token(dossier.code)}"
        )


JUNK_CODES = [
    "000.00.25.H45/250707-0001",
    "a/b",
    "/",
    "..%2F..",
    "000.00.25.H45-250707-0001\x00",
    "\x00",
    "x" * 100_000,
    "HỒ SƠ SỐ 1",
    "\u202e1000-707052-54H.52.00.000",
    "000.00.25.H45-250707-0001\u200b",
    "<script>alert(1)</script>",
]


class TestNoServerError:
    @pytest.mark.parametrize("code", JUNK_CODES)
    def test_junk_code_in_the_query_is_a_400(self, client, db, code):
        response = client.get("/ho-so/tra-cuu/", {"ma": code})
        assert response.status_code == 400
        assert "Mã hồ sơ chỉ gồm" in alert_text(response)

    @pytest.mark.parametrize("code", JUNK_CODES)
    def test_junk_code_in_the_lookup_is_a_400(self, client, db, code):
        response = look_up(client, code, ID_DIGITS)
        assert response.status_code == 400
        assert "<script>" not in response.content.decode()

    @pytest.mark.parametrize("path", ["%00", "a%2Fb", "%E2%80%AE", "H%E1%BB%92"])
    def test_junk_code_in_the_path(self, client, db, path):
        # "%2F" is decoded before routing: "a/b" matches no page at all (404).
        assert client.get(f"/ho-so/tra-cuu/{path}/").status_code in (400, 404)
        # A NUL anywhere in the path is refused before routing (core.middleware): 400.
        assert client.get(f"/ho-so/{path}/phieu-hen.pdf").status_code in (400, 404)

    @settings(
        max_examples=60,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(code=st.text(max_size=120), digits=st.text(max_size=8))
    def test_any_input_is_answered_without_a_server_error(self, client, dossier, code, digits):
        assert client.get("/ho-so/tra-cuu/", {"ma": code}).status_code in (200, 400)
        assert look_up(client, code, digits).status_code in (200, 400, 404, 429)


def test_applicant_digits_are_those_of_the_fixture():
    # Guards the constants above against a change of the shared fixture.
    assert APPLICANT.id_number.endswith(ID_DIGITS) and APPLICANT.phone.endswith(PHONE_DIGITS)
