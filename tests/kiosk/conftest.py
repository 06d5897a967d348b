"""A registered kiosk in a demo center, with the bundled catalog loaded."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.kiosk.device import COOKIE_NAME
from motcua.kiosk.models import KioskDevice

# A real-format QR payload of a chip ID card (fictitious person).
QR_PAYLOAD = (
    "025190012345|123456789|Nguyễn Thị Lan|15031990|Nữ|Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ|20042021"
)


@pytest.fixture
def demo_center(catalog, settings):
    from io import StringIO

    settings.MOTCUA_DEMO = True  # demo-center runs only on a demo installation
    call_command("demo_center", stdout=StringIO())
    from motcua.centers.models import Center

    return Center.objects.get()


@pytest.fixture
def kiosk_device(demo_center) -> KioskDevice:
    return KioskDevice.objects.create(center=demo_center, name="Kiosk thử")


@pytest.fixture
def kiosk_client(client, kiosk_device):
    """A browser that went through activation with the one-time code."""
    code = kiosk_device.new_activation_code(now=timezone.now())
    kiosk_device.save()
    response = client.post("/kiosk/kich-hoat/", {"code": code})
    assert response.status_code == 302
    assert COOKIE_NAME in response.cookies
    return client
