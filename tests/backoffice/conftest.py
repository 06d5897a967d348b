"""Fixtures for the back office: two centers, officers of every role, dossiers, a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.backoffice.services import sync_role_groups
from motcua.catalog.models import Sector
from motcua.centers.models import Center, StaffMembership, Unit
from motcua.dossiers.services import Applicant
from tests.dossiers.conftest import make_center, make_procedure, submit, vn

PASSWORD = "motcua-test-2026"  # noqa: S105

__all__ = ["PASSWORD", "make_officer", "submit", "vn", "Clock"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_officer(
    username: str,
    role: str,
    center: Center | None,
    *,
    unit: Unit | None = None,
    province: str = "",
    first_name: str = "",
    last_name: str = "",
):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    with transaction.atomic():
        StaffMembership.objects.create(
            user=user, center=center, role=role, unit=unit, province=province
        )
        sync_role_groups(user)
    return user


class Clock:
    """Stands in for ``motcua.backoffice.views.clock``: the moment the test says it is."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock(vn(2025, 7, 7, 9, 30))
    monkeypatch.setattr("motcua.backoffice.views.clock", frozen)
    return frozen


@pytest.fixture
def center(db) -> Center:
    center = make_center()
    unit = Unit.objects.create(
        center=center, code="tu-phap-ho-tich", name="Công chức Tư pháp – Hộ tịch"
    )
    unit.sectors.add(Sector.objects.get_or_create(name="Hộ tịch", defaults={"code": "ho-tich"})[0])
    Unit.objects.create(center=center, code="kinh-te", name="Phòng Kinh tế")
    return center


@pytest.fixture
def other_center(db) -> Center:
    """A center of another commune in the same province."""
    return make_center("000.00.26.H45", commune="Xã Tân Sơn")


@pytest.fixture
def procedure(db):
    return make_procedure(
        channels=[
            {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
            {"channel": "online", "time_value": 3, "fee_vnd": 0},
        ]
    )


@pytest.fixture
def unit(center) -> Unit:
    return center.units.get(code="tu-phap-ho-tich")


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory):
    """A demo CA and leader certificates valid over the 2025 dates these tests use."""
    from motcua.signing import pki

    return pki.create_demo_pki(tmp_path_factory.mktemp("pki"), now=datetime(2025, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def pki_settings(settings, demo_pki, monkeypatch):
    from motcua.signing import pki

    settings.MOTCUA_PKI_DIR = demo_pki.directory
    settings.MOTCUA_PKI_TRUST_ROOTS = None
    monkeypatch.delenv(pki.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv("MOTCUA_PKI_TRUST_ROOTS", raising=False)


def give_certificate(user) -> None:
    from motcua.signing.services import register_certificate

    with transaction.atomic():
        register_certificate(
            user=user, p12_path="lanh-dao/tran-van-lanh-dao.p12", label="Chữ ký số lãnh đạo"
        )


@pytest.fixture
def officers(center, unit) -> dict:
    leader = make_officer("lanhdao", "leader", center, last_name="Phạm Quốc", first_name="Hùng")
    give_certificate(leader)
    return {
        "reception": make_officer(
            "tiepnhan", "reception", center, last_name="Trần Thị", first_name="Lan"
        ),
        "specialist": make_officer(
            "hotich", "specialist", center, unit=unit, last_name="Nguyễn Văn", first_name="Minh"
        ),
        "leader": leader,
        "center_admin": make_officer("quantri", "center_admin", center),
        "provincial_viewer": make_officer(
            "tinh", "provincial_viewer", None, province="Tỉnh Phú Thọ"
        ),
    }


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier


@pytest.fixture
def foreign_dossier(other_center, procedure):
    """A dossier of the other center, with an applicant who must never show up here."""
    dossier, _ = submit(
        other_center,
        procedure,
        key="other-1",
        now=vn(2025, 7, 7, 9, 10),
        applicant=Applicant(name="Lê Văn Bí Mật", id_number="036099001122"),
    )
    return dossier
