"""A center with a counter, a dossier with its result, and helpers for the rating and feedback tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.centers.models import StaffMembership
from motcua.dossiers.models import Dossier
from motcua.queue.models import Counter, ServiceArea, Ticket
from tests.dossiers.conftest import make_center, make_procedure, submit
from tests.security.tenants import make_member


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def center(db):
    return make_center()


@pytest.fixture
def other_center(db):
    return make_center("000.00.26.H45", commune="Xã Tân Sơn")


@pytest.fixture
def procedure(db):
    return make_procedure(channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 15000}])


def with_result(dossier: Dossier) -> Dossier:
    """The real workflow to "Đã trả kết quả", so the KPI facts follow the events."""
    from django.contrib.auth import get_user_model

    from motcua.centers.models import Unit
    from tests.dossiers.conftest import vn
    from tests.dossiers.test_actions import act

    unit = Unit.objects.filter(center=dossier.center).first() or Unit.objects.create(
        center=dossier.center, code="tp-ht", name="Tư pháp – Hộ tịch"
    )
    user = get_user_model().objects.create_user(f"xl{dossier.pk}", password="x-Pass-123")
    act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=unit.pk, user_id=user.pk)
    act(dossier, "submit_for_signature", "specialist", at=vn(2025, 7, 8, 14, 0))
    act(dossier, "sign", "leader", at=vn(2025, 7, 8, 15, 0))
    act(dossier, "return_result", "reception", at=vn(2025, 7, 9, 8, 0), delivery="at_center")
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    return dossier


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure, key="fb-1")
    return dossier


@pytest.fixture
def officer(center):
    return make_member("canbo_quay", "reception", center, last_name="Trần Văn Quầy")


@pytest.fixture
def counter(center, officer):
    area = ServiceArea.objects.create(center=center, code="ho-tich", name="Hộ tịch")
    counter = Counter.objects.create(center=center, number=3, name="Quầy 3")
    counter.areas.add(area)
    return counter


def ended_ticket(counter, officer, *, dossier=None, minutes_ago=1, number=1001):
    now = timezone.now()
    area = counter.areas.first()
    return Ticket.objects.create(
        center=counter.center,
        area=area,
        issued_area=area,
        day=timezone.localdate(),
        sequence=number - 1000,
        number=number,
        source="kiosk",
        status="done",
        issued_at=now - timedelta(minutes=30),
        order_at=now - timedelta(minutes=30),
        called_at=now - timedelta(minutes=10),
        started_at=now - timedelta(minutes=9),
        ended_at=now - timedelta(minutes=minutes_ago),
        counter=counter,
        officer=officer,
        dossier=dossier,
    )


def membership(user) -> StaffMembership:
    return StaffMembership.objects.get(user=user)
