"""The queue section of the center dashboard in Chromium at 1366×768: the figures of the day
in tests/queue/test_reports.py, the heatmap drawn, no horizontal scrolling of the page.
Screenshots kept as test-results/browser/queue-dashboard-*.png."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from motcua.reports import views
from tests.backoffice.conftest import Clock
from tests.queue.conftest import MONDAY_8AM, PASSWORD, Setup
from tests.queue.test_reports import play_day

from .conftest import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 768}
QUERY = urlencode({"tu": "07/07/2025", "den": "07/07/2025"})


@pytest.fixture
def day(monkeypatch):
    monkeypatch.setattr(views, "clock", Clock(MONDAY_8AM.replace(day=8, hour=9)))
    return play_day(Setup())


def test_the_queue_section_reads_well(live_server, browser, screenshots, day):
    expect = sync_api.expect
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/can-bo/dang-nhap/")
    page.fill("#id_username", "quay1")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/can-bo/bao-cao/?{QUERY}")

    section = page.locator("#hang-doi")
    section.scroll_into_view_if_needed()
    expect(section.get_by_role("heading", level=2)).to_have_text("Xếp hàng, gọi số tại quầy")
    expect(section.locator('[data-figure="queue_issued"]')).to_have_text("7")
    expect(section.locator('[data-figure="queue_wait_p90"]')).to_have_text("11,0")
    cell = section.locator('[data-chart="heatmap"] rect[data-weekday="1"][data-hour="8"]')
    expect(cell).to_have_attribute("data-value", "4")
    box = section.locator('[data-chart="heatmap"] svg').bounding_box()
    assert box is not None and box["width"] > 800  # wide enough to read each hour
    expect(section.locator('[data-table="hang-doi-can-bo"]')).to_contain_text("Trần Văn Hùng")
    # The page itself does not scroll sideways at 1366 px (wide tables scroll in their box).
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"]
    section.screenshot(path=str(screenshots / "queue-dashboard-section-1366.png"))
    page.evaluate("document.getElementById('hang-doi').scrollIntoView()")
    page.screenshot(path=str(screenshots / "queue-dashboard-1366.png"))
    context.close()
