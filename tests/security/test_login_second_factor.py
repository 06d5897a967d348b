"""The optional second factor (TOTP) for leaders, center admins and superusers."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.conftest import CODE, LOGIN, PASSWORD, add_device, current_code, log_in

ENROLL = "/can-bo/bao-mat/xac-thuc-hai-buoc/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    # django-otp waits longer after each wrong code; these tests type the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def signed_in(client) -> bool:
    return client.get("/can-bo/").status_code == 200


@pytest.mark.django_db
class TestEnrollment:
    def test_page_shows_a_server_drawn_qr_code_and_the_secret(self, client, officers):
        client.force_login(officers["leader"])
        response = client.get(ENROLL)
        body = response.content.decode()
        assert response.status_code == 200
        assert '<svg width="' in body and 'class="segno"' in body
        device = TOTPDevice.objects.get(user=officers["leader"], confirmed=False)
        from base64 import b32encode

        secret = b32encode(device.bin_key).decode()
        shown = re.search(r"data-secret>([A-Z2-7 ]+)<", body).group(1).replace(" ", "")
        assert shown == secret

    def test_reload_keeps_the_same_secret(self, client, officers):
        client.force_login(officers["leader"])
        client.get(ENROLL)
        client.get(ENROLL)
        assert TOTPDevice.objects.filter(user=officers["leader"]).count() == 1

    def test_wrong_first_code_does_not_turn_it_on(self, client, officers):
        client.force_login(officers["leader"])
        client.get(ENROLL)
        response = client.post(ENROLL, {"action": "confirm", "otp_token": "000000"})
        assert response.status_code == 400
        assert "Mã xác thực không đúng" in response.content.decode()
        assert not TOTPDevice.objects.filter(confirmed=True).exists()

    def test_right_first_code_turns_it_on_and_keeps_the_session(self, client, officers):
        client.force_login(officers["center_admin"])
        client.get(ENROLL)
        device = TOTPDevice.objects.get(user=officers["center_admin"])
        response = client.post(ENROLL, {"action": "confirm", "otp_token": current_code(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        # The session that enrolled counts as verified: it is not thrown out.
        assert signed_in(client)

    def test_reception_officer_is_not_offered_it(self, client, officers):
        client.force_login(officers["reception"])
        assert client.get(ENROLL).status_code == 403
        assert not TOTPDevice.objects.exists()

    def test_superuser_without_membership_may_enroll(self, client, superuser):
        client.force_login(superuser)
        assert client.get(ENROLL).status_code == 200

    def test_removing_needs_a_right_code(self, client, officers, settings):
        leader = officers["leader"]
        device = add_device(leader)
        client.post(LOGIN, {"username": "lanhdao", "password": PASSWORD})
        client.post(CODE, {"otp_token": current_code(device)})
        assert client.post(ENROLL, {"action": "remove", "otp_token": "123456"}).status_code == 400
        assert TOTPDevice.objects.filter(user=leader).exists()


@pytest.mark.django_db
class TestLoginWithCode:
    def test_without_a_device_the_password_is_enough(self, client, officers):
        assert log_in(client, "lanhdao")["Location"] == "/can-bo/"
        assert signed_in(client)

    def test_password_alone_does_not_sign_in(self, client, officers):
        add_device(officers["leader"])
        response = log_in(client, "lanhdao")
        assert response["Location"] == CODE
        assert not signed_in(client)

    def test_right_code_signs_in_and_keeps_next(self, client, officers):
        device = add_device(officers["leader"])
        client.post(
            LOGIN, {"username": "lanhdao", "password": PASSWORD, "next": "/can-bo/?xem=tre"}
        )
        response = client.post(CODE, {"otp_token": current_code(device)})
        assert response["Location"] == "/can-bo/?xem=tre"
        assert signed_in(client)

    def test_wrong_code_is_refused_in_vietnamese(self, client, officers):
        add_device(officers["leader"])
        log_in(client, "lanhdao")
        response = client.post(CODE, {"otp_token": "000000"})
        assert response.status_code == 400
        assert "Mã xác thực không đúng" in response.content.decode()
        assert not signed_in(client)

    def test_wrong_codes_lock_the_account_like_wrong_passwords(self, client, officers):
        device = add_device(officers["leader"])
        log_in(client, "lanhdao")
        for _ in range(4):
            assert client.post(CODE, {"otp_token": "000000"}).status_code == 400
        locked = client.post(CODE, {"otp_token": "000000"})
        assert locked.status_code == 429
        assert "Tài khoản tạm thời bị khóa đăng nhập" in locked.content.decode()
        # Neither the right code nor the right password gets in now.
        after = client.post(CODE, {"otp_token": current_code(device)})
        assert after.status_code == 429 or after["Location"] == LOGIN
        assert log_in(client, "lanhdao").status_code == 429
        assert not signed_in(client)

    def test_code_page_without_the_password_step_sends_back_to_login(self, client, officers):
        add_device(officers["leader"])
        response = client.post(CODE, {"otp_token": "123456"})
        assert response["Location"] == LOGIN

    def test_pending_password_step_expires(self, client, officers):
        device = add_device(officers["leader"])
        log_in(client, "lanhdao")
        session = client.session
        session["motcua_second_factor_pending"]["until"] = 0
        session.save()
        response = client.post(CODE, {"otp_token": current_code(device)})
        assert response["Location"] == LOGIN
        assert not signed_in(client)

    def test_a_used_code_cannot_be_replayed(self, client, officers):
        device = add_device(officers["leader"])
        log_in(client, "lanhdao")
        code = current_code(device)
        client.post(CODE, {"otp_token": code})
        other = client.__class__()
        log_in(other, "lanhdao")
        assert other.post(CODE, {"otp_token": code}).status_code == 400


@pytest.mark.django_db
class TestNoWayAround:
    def test_admin_login_post_does_not_skip_the_code(self, client, superuser):
        add_device(superuser)
        client.post("/admin/login/", {"username": "sieuquantri", "password": PASSWORD})
        assert client.get("/admin/").status_code == 302
        assert "_auth_user_id" not in client.session

    def test_unverified_session_is_thrown_out_of_the_admin(self, client, superuser):
        add_device(superuser)
        client.force_login(superuser)  # a session made without the code
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in client.session

    def test_unverified_session_is_thrown_out_of_the_back_office(self, client, officers):
        add_device(officers["leader"])
        client.force_login(officers["leader"])
        assert client.get("/can-bo/").status_code == 302
        assert "_auth_user_id" not in client.session

    def test_verified_superuser_reaches_the_admin(self, client, superuser):
        device = add_device(superuser)
        client.post(LOGIN, {"username": "sieuquantri", "password": PASSWORD, "next": "/admin/"})
        response = client.post(CODE, {"otp_token": current_code(device)})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200

    def test_unverified_session_is_ended_on_any_page(self, client, officers):
        add_device(officers["leader"])
        client.force_login(officers["leader"])
        assert client.get("/").status_code == 200
        assert "_auth_user_id" not in client.session

    def test_session_of_an_officer_without_a_device_is_left_alone(self, client, officers):
        client.force_login(officers["leader"])
        assert client.get("/can-bo/").status_code == 200
        assert client.get("/").status_code == 200
        assert "_auth_user_id" in client.session
