"""The queue in Chromium: a number on a phone that follows the call, and at the kiosk in two
touches. Screenshots go to test-results/browser/."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.kiosk.models import KioskDevice
from motcua.queue import services
from motcua.queue.models import Ticket
from tests.queue.conftest import Setup

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def queue_open_now(settings):
    # The test runs at whatever hour CI runs; the opening hours have their own unit tests.
    settings.MOTCUA_DEMO = True
    settings.MOTCUA_QUEUE_ALWAYS_OPEN = True


def test_a_phone_takes_a_number_and_sees_its_counter_called(browser, live_server, screenshots):
    queue = Setup()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/hang-doi/{queue.center.agency_code}/")
    page.get_by_text("Hộ tịch – Chứng thực").click()
    page.get_by_role("button", name="Lấy số").click()
    page.wait_for_url(re.compile(r"/hang-doi/ve/"))
    assert page.locator(".q-number").inner_text() == "1001"
    assert "Sắp đến lượt ông/bà" in page.locator("#trang-thai").inner_text()
    page.screenshot(path=str(screenshots / "queue-phone-ticket.png"), full_page=True)
    # The page must hold no horizontal scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with transaction.atomic():
        services.open_counter(queue.counter1, officer=queue.officer1, now=timezone.now())
    with transaction.atomic():
        services.call_next(queue.counter1, officer=queue.officer1, now=timezone.now())
    # The status part refreshes itself every 10 s (HTMX): the call shows without a reload.
    page.locator(".q-called").wait_for(timeout=15_000)
    assert "quầy số 1" in page.locator(".q-called").inner_text()
    page.screenshot(path=str(screenshots / "queue-phone-called.png"), full_page=True)
    page.close()


def test_the_kiosk_gives_a_number_in_two_touches(browser, live_server, screenshots):
    queue = Setup()
    device = KioskDevice.objects.create(center=queue.center, name="Kiosk sảnh")
    code = device.new_activation_code(now=timezone.now())
    device.save()
    page = browser.new_page(viewport={"width": 1080, "height": 1920})
    page.goto(f"{live_server.url}/kiosk/kich-hoat/")
    page.fill("input[name=code]", code)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/kiosk/$"))
    touches = 0
    page.get_by_role("link", name="Lấy số thứ tự để đến quầy").click()
    touches += 1
    page.screenshot(path=str(screenshots / "queue-kiosk-areas.png"))
    page.get_by_role("button", name=re.compile("Đất đai")).click()
    touches += 1
    page.wait_for_url(re.compile(r"/kiosk/so-thu-tu/"))
    assert page.locator(".k-queue-number").inner_text() == "2001"
    page.screenshot(path=str(screenshots / "queue-kiosk-ticket.png"))
    assert touches == 2
    assert Ticket.objects.get().source == "kiosk"
    page.close()
