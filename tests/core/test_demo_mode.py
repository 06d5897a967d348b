"""The published demo password works only on an installation marked as a demo (MOTCUA_DEMO)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.centers.models import Center
from motcua.core.auth import DemoPasswordRefused
from motcua.core.checks import demo_installation_check
from motcua.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

REFUSED = "Mật khẩu dùng thử không dùng được trên hệ thống thật"
OFFICER_LOGIN = "/can-bo/dang-nhap/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def real(settings):
    settings.MOTCUA_DEMO = False
    return settings


@pytest.fixture
def demo(settings):
    settings.MOTCUA_DEMO = True
    return settings


def make_user(username="tiepnhan", password=DEMO_PASSWORD, **fields):
    return get_user_model().objects.create_user(username, password=password, **fields)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


class TestOfficerLogin:
    def test_demo_password_is_refused_with_a_message(self, client, real):
        make_user()
        response = client.post(OFFICER_LOGIN, {"username": "tiepnhan", "password": DEMO_PASSWORD})
        assert response.status_code == 200
        assert REFUSED in response.content.decode()
        assert not logged_in(client)

    def test_refused_whatever_the_account(self, client, real):
        response = client.post(OFFICER_LOGIN, {"username": "khongco", "password": DEMO_PASSWORD})
        assert REFUSED in response.content.decode()

    def test_demo_password_works_on_a_demo_installation(self, client, demo):
        make_user()
        response = client.post(OFFICER_LOGIN, {"username": "tiepnhan", "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert logged_in(client)

    def test_a_real_password_is_not_affected(self, client, real):
        make_user(password="mot-mat-khau-that-dai-2026")
        response = client.post(
            OFFICER_LOGIN, {"username": "tiepnhan", "password": "mot-mat-khau-that-dai-2026"}
        )
        assert response.status_code == 302 and logged_in(client)


class TestAdminLogin:
    """The admin signs in through the officer login (next=/admin/), where the guard stands."""

    def test_demo_password_is_refused_with_a_message(self, client, real):
        make_user("quantri", is_staff=True, is_superuser=True)
        assert client.get(ADMIN_LOGIN).status_code == 302
        response = client.post(
            f"{OFFICER_LOGIN}?next=/admin/", {"username": "quantri", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200
        assert REFUSED in response.content.decode()
        assert not logged_in(client)
        assert client.get("/admin/").status_code == 302

    def test_demo_password_works_on_a_demo_installation(self, client, demo):
        make_user("quantri", is_staff=True, is_superuser=True)
        response = client.post(
            f"{OFFICER_LOGIN}?next=/admin/", {"username": "quantri", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302 and logged_in(client)
        assert client.get("/admin/").status_code == 200


class TestAuthenticate:
    def test_raises_a_validation_error_off_demo(self, real):
        make_user()
        with pytest.raises(DemoPasswordRefused):
            authenticate(username="tiepnhan", password=DEMO_PASSWORD)

    def test_returns_the_user_on_a_demo_installation(self, demo):
        user = make_user()
        assert authenticate(username="tiepnhan", password=DEMO_PASSWORD) == user

    def test_the_guard_never_holds_a_session(self, client, real):
        # force_login binds the session to the first backend that can load a user.
        user = make_user(password="mot-mat-khau-that-dai-2026", is_staff=True)
        client.force_login(user)
        assert client.session["_auth_user_backend"] != "motcua.core.auth.DemoPasswordGuard"
        assert client.get("/admin/").wsgi_request.user == user


class TestDemoCommands:
    @pytest.mark.parametrize("command", ["demo_accounts", "demo_center"])
    def test_refuse_off_demo(self, real, command):
        with pytest.raises(CommandError, match="MOTCUA_DEMO=1"):
            call_command(command, stdout=StringIO())
        assert not get_user_model().objects.exists()
        assert not Center.objects.exists()

    def test_demo_accounts_on_a_demo_installation(self, demo):
        call_command("demo_accounts", stdout=StringIO())
        assert get_user_model().objects.get(username="quantri").check_password(DEMO_PASSWORD)


def warning_ids() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("motcua.")}


class TestDeployCheck:
    def test_quiet_on_a_clean_installation(self, real):
        make_user(password="mot-mat-khau-that-dai-2026")
        make_user("cu", is_active=False)  # inactive: cannot log in
        get_user_model().objects.create_user("khong-mat-khau")  # unusable password
        assert demo_installation_check() == []
        assert warning_ids() == set()

    def test_warns_about_active_accounts_with_the_demo_password(self, real):
        make_user()
        make_user("hotich")
        [warning] = demo_installation_check()
        assert warning.id == "motcua.W001"
        assert "2 tài khoản đang hoạt động" in warning.msg and "hotich, tiepnhan" in warning.msg
        assert warning_ids() == {"motcua.W001"}

    def test_warns_while_demo_mode_is_on(self, demo):
        assert warning_ids() == {"motcua.W002"}

    def test_only_with_deploy(self, demo):
        make_user()
        assert not {m.id for m in run_checks() if m.id.startswith("motcua.")}

    def test_command_line(self, real, monkeypatch):
        # The browser tests set this for Playwright; Django's deploy check rightly calls it an
        # error, which would hide the warning under test when the whole suite runs.
        monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
        make_user()
        err = StringIO()
        call_command("check", "--deploy", stdout=StringIO(), stderr=err)
        assert "motcua.W001" in err.getvalue()


class TestPooledListenerCheck:
    """Not the demo mode, but the same checks module: PgBouncer in transaction mode."""

    def test_warns_behind_a_transaction_pooler_without_a_listen_url(self):
        from motcua.core.checks import pooled_listener_warnings

        [warning] = pooled_listener_warnings(
            vendor="postgresql", server_side_cursors_disabled=True, listen_url=""
        )
        assert warning.id == "motcua.W003"
        assert "MOTCUA_LISTEN_DATABASE_URL" in warning.msg

    @pytest.mark.parametrize(
        ("vendor", "disabled", "url"),
        [
            ("postgresql", True, "postgres://db:5432/motcua"),  # the documented set-up
            ("postgresql", False, ""),  # no pooler, or session mode
            ("sqlite", True, ""),  # no LISTEN at all
        ],
    )
    def test_quiet_otherwise(self, vendor, disabled, url):
        from motcua.core.checks import pooled_listener_warnings

        assert (
            pooled_listener_warnings(
                vendor=vendor, server_side_cursors_disabled=disabled, listen_url=url
            )
            == []
        )

    def test_registered_with_the_system_checks(self):
        from django.core.checks.registry import registry

        from motcua.core.checks import pooled_listener_check

        assert pooled_listener_check in registry.get_checks()
