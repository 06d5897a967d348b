"""Kiosk activation: wrong codes are limited per client address, never per pending code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.core.ratelimit import Limit
from motcua.kiosk import views
from motcua.kiosk.device import COOKIE_NAME
from motcua.kiosk.models import KioskDevice

pytestmark = pytest.mark.django_db

A = "203.0.113.7"
B = "198.51.100.20"


def wrong_code(right: str, n: int) -> str:
    code = f"{n:08d}"
    return code if code != right else f"{n + 1:08d}"


def post(client, code: str, address: str):
    return client.post("/kiosk/kich-hoat/", {"code": code}, REMOTE_ADDR=address)


@pytest.fixture
def pending(kiosk_device) -> tuple[KioskDevice, str]:
    code = kiosk_device.new_activation_code(now=timezone.now())
    kiosk_device.save()
    return kiosk_device, code


@pytest.fixture
def clock(monkeypatch):
    """The server's clock, movable: the views and the rate limiter read ``timezone.now``."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


class TestStrangersCannotCancelAPendingCode:
    def test_twenty_wrong_codes_from_one_address_then_the_right_code_from_another(
        self, client, pending
    ):
        device, code = pending
        for n in range(20):
            assert post(client, wrong_code(code, n), A).status_code in (400, 429)
        device.refresh_from_db()
        assert device.activation_code_hash  # still pending
        response = post(client, code, B)
        assert response.status_code == 302
        assert COOKIE_NAME in response.cookies
        device.refresh_from_db()
        assert device.activated_at is not None

    def test_failures_spread_over_many_addresses_leave_the_code_pending(self, client, pending):
        device, code = pending
        for n in range(30):
            post(client, wrong_code(code, n), f"192.0.2.{n}")
        device.refresh_from_db()
        assert device.activation_code_hash and device.activation_expires_at
        assert post(client, code, A).status_code == 302


class TestPerAddressLimit:
    def test_limited_address_is_refused_even_with_the_right_code(self, client, pending):
        device, code = pending
        for n in range(views.ACTIVATION_FAILURES_PER_ADDRESS.hits):
            assert post(client, wrong_code(code, n), A).status_code == 400
        response = post(client, code, A)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Thử sai quá nhiều lần, xin đợi" in html
        assert "phút" in html
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        assert COOKIE_NAME not in response.cookies
        device.refresh_from_db()
        assert device.activated_at is None and device.activation_code_hash

    def test_the_limit_ends_with_its_window(self, client, pending, clock):
        device, code = pending
        for n in range(views.ACTIVATION_FAILURES_PER_ADDRESS.hits):
            post(client, wrong_code(code, n), A)
        assert post(client, code, A).status_code == 429
        clock["now"] += timedelta(minutes=15)
        assert post(client, code, A).status_code == 302

    def test_message_counts_the_minutes_left(self, client, pending, clock):
        _device, code = pending
        window = views.ACTIVATION_FAILURES_PER_ADDRESS.window_seconds
        # At the start of a fixed window: the whole 15 minutes are left.
        epoch = int(clock["now"].timestamp())
        clock["now"] = clock["now"].fromtimestamp(
            epoch - epoch % window + 1, tz=clock["now"].tzinfo
        )
        for n in range(views.ACTIVATION_FAILURES_PER_ADDRESS.hits):
            post(client, wrong_code(code, n), A)
        response = post(client, code, A)
        assert "xin đợi 15 phút" in response.content.decode()

    def test_successful_activations_do_not_count(self, client, demo_center):
        # A technician sets up a whole hall of kiosks from the center's one public address.
        for n in range(views.ACTIVATION_FAILURES_PER_ADDRESS.hits + 2):
            device = KioskDevice.objects.create(center=demo_center, name=f"Kiosk {n}")
            code = device.new_activation_code(now=timezone.now())
            device.save()
            assert post(client, code, A).status_code == 302
        assert post(client, "00000000", A).status_code == 400

    def test_other_addresses_are_not_limited(self, client, pending):
        _device, code = pending
        for n in range(views.ACTIVATION_FAILURES_PER_ADDRESS.hits + 1):
            post(client, wrong_code(code, n), A)
        assert post(client, wrong_code(code, 99), B).status_code == 400


class TestTotalCap:
    def test_reaching_the_cap_delays_but_does_not_cancel(self, client, pending, clock, monkeypatch):
        device, code = pending
        # A small cap with a 10-minute window, so the code (30 minutes) outlives the window.
        monkeypatch.setattr(views, "ACTIVATION_FAILURES_TOTAL", Limit("kiosk-activate:all", 3, 600))
        for n in range(3):
            assert post(client, wrong_code(code, n), f"192.0.2.{n}").status_code == 400
        response = post(client, code, B)
        assert response.status_code == 429
        assert "Thử sai quá nhiều lần" in response.content.decode()
        device.refresh_from_db()
        assert device.activation_code_hash and device.activated_at is None
        clock["now"] += timedelta(minutes=10)
        assert post(client, code, B).status_code == 302
