"""Fixtures for payments: a center with a collection account, a dossier with a fee, officers."""

from __future__ import annotations

import pytest

from motcua.payments.models import CollectionAccount
from tests.backoffice.conftest import make_officer
from tests.dossiers.conftest import make_center, make_procedure, submit, vn

SECRET = "thu-nghiem-bi-mat-dung-cho-kiem-thu-0123456789"  # noqa: S105 (a test secret)
OLD_SECRET = "bi-mat-cu-truoc-khi-doi-khoa-0123456789abcdef"  # noqa: S105

__all__ = ["SECRET", "OLD_SECRET", "make_officer", "submit", "vn"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def adapters(settings):
    settings.MOTCUA_PAYMENT_ADAPTERS = {
        "hmac-json": {
            "class": "motcua.payments.adapters.HmacJsonAdapter",
            "secrets": [SECRET, OLD_SECRET],
            "tolerance_seconds": 300,
            "method": "online_provincial",
        }
    }
    return settings.MOTCUA_PAYMENT_ADAPTERS


@pytest.fixture
def center(db):
    return make_center()


@pytest.fixture
def other_center(db):
    return make_center("000.00.26.H45", commune="Xã Tân Sơn")


@pytest.fixture
def account(center):
    return CollectionAccount.objects.create(
        center=center,
        bank_bin="970436",
        account_number="0011001234567",
        account_name="UBND XA HIEN LUONG",
    )


@pytest.fixture
def procedure(db):
    """Direct: 15.000 đ; online: 10.000 đ (the reduced online fee); postal: free."""
    return make_procedure(
        channels=[
            {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
            {"channel": "online", "time_value": 3, "fee_vnd": 10000},
            {"channel": "postal", "time_value": 3, "fee_vnd": 0},
        ]
    )


@pytest.fixture
def dossier(center, procedure, account):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier


@pytest.fixture
def officers(center, other_center):
    return {
        "reception": make_officer("tiepnhan", "reception", center),
        "specialist": make_officer("chuyenmon", "specialist", center),
        "center_admin": make_officer("quantri", "center_admin", center),
        "other_reception": make_officer("tiepnhan_khac", "reception", other_center),
        "provincial_viewer": make_officer(
            "tinh", "provincial_viewer", None, province="Tỉnh Phú Thọ"
        ),
    }
