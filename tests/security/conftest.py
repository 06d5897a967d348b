"""Fixtures of the security tests: the tenants of the scoping tests; for login protection,
two centers with their officers and a way to fail logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.backoffice.conftest import PASSWORD, make_officer
from tests.dossiers.conftest import make_center

from .tenants import tenants  # noqa: F401  (fixture)

LOGIN = "/can-bo/dang-nhap/"
CODE = "/can-bo/dang-nhap/ma-xac-thuc/"

__all__ = ["PASSWORD", "LOGIN", "CODE", "current_code", "fail_login", "log_in"]


@pytest.fixture
def center(db):
    return make_center()


@pytest.fixture
def other_center(db):
    return make_center("000.00.26.H45", commune="Xã Tân Sơn")


@pytest.fixture
def officers(center, other_center) -> dict:
    return {
        "reception": make_officer("tiepnhan", "reception", center, last_name="Trần Thị"),
        "leader": make_officer("lanhdao", "leader", center, last_name="Phạm Quốc"),
        "center_admin": make_officer("quantri", "center_admin", center),
        "other_reception": make_officer("tiepnhan-khac", "reception", other_center),
        "other_admin": make_officer("quantri-khac", "center_admin", other_center),
    }


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("sieuquantri", "qt@example.vn", PASSWORD)


def log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail_login(client, username: str, times: int, **extra) -> None:
    for _ in range(times):
        response = log_in(client, username, "sai-mat-khau-roi", **extra)
        assert response.status_code in (200, 429)


def add_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"
