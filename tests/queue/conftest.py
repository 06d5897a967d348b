"""A center with two areas and two counters, an officer per counter, at a working moment."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.centers.models import StaffMembership
from motcua.queue.models import Counter, ServiceArea
from tests.dossiers.conftest import make_center

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 7 July 2025, 08:00 in Vietnam: a working morning.
MONDAY_8AM = datetime(2025, 7, 7, 8, 0, tzinfo=VIETNAM)
PASSWORD = "mat-khau-thu-nghiem-2025"


def make_officer(username: str, center, role: str = "reception"):
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name="Cán bộ")
    StaffMembership.objects.create(user=user, center=center, role=role)
    return user


class Setup:
    def __init__(self) -> None:
        self.center = make_center()
        self.civil = ServiceArea.objects.create(
            center=self.center, code="ho-tich", name="Hộ tịch – Chứng thực", first_number=1001
        )
        self.land = ServiceArea.objects.create(
            center=self.center, code="dat-dai", name="Đất đai", first_number=2001
        )
        self.counter1 = Counter.objects.create(center=self.center, number=1)
        self.counter1.areas.add(self.civil)
        self.counter2 = Counter.objects.create(center=self.center, number=2)
        self.counter2.areas.add(self.civil, self.land)
        self.officer1 = make_officer("quay1", self.center)
        self.officer2 = make_officer("quay2", self.center)


@pytest.fixture
def queue(db) -> Setup:
    return Setup()


@pytest.fixture
def atomic():
    with transaction.atomic():
        yield
