"""The counter's rating tablet at 1280×800 and the feedback form on a phone (360×740)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.feedback.device import COOKIE_NAME, COOKIE_SALT
from motcua.feedback.models import RatingDevice, ServiceRating
from tests.feedback.conftest import ended_ticket
from tests.security.tenants import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_rating_tablet_big_faces_and_a_tap(browser, live_server, screenshots, settings, tmp_path):
    from django.core import signing

    from motcua.queue.models import Counter, ServiceArea
    from tests.dossiers.conftest import make_center

    settings.MEDIA_ROOT = tmp_path
    center = make_center()
    officer = make_member("canbo_quay", "reception", center)
    area = ServiceArea.objects.create(center=center, code="ho-tich", name="Hộ tịch")
    counter = Counter.objects.create(center=center, number=3, name="Quầy số 3 – Hộ tịch")
    counter.areas.add(area)
    device = RatingDevice.objects.create(center=center, counter=counter, name="Máy quầy 3")
    secret = device.activate(now=timezone.now())
    device.save()
    ticket = ended_ticket(counter, officer)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.context.add_cookies(
        [
            {
                "name": COOKIE_NAME,
                "value": signing.dumps({"id": device.pk, "s": secret}, salt=COOKIE_SALT),
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/danh-gia/quay/")
    faces = page.locator("button.tb-face")
    assert faces.count() == 3
    for i in range(3):
        box = faces.nth(i).bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48
        # Readable at arm's length: the labels are large.
        size = faces.nth(i).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 28
    page.screenshot(path=str(screenshots / "rating-tablet-1280x800.png"))
    faces.nth(0).click()
    page.wait_for_selector("text=Cảm ơn ông/bà đã đánh giá!")
    assert ServiceRating.objects.get(ticket=ticket).rating == "very_satisfied"
    page.close()


def test_feedback_form_on_a_phone(browser, live_server, screenshots, settings, tmp_path):
    from tests.dossiers.conftest import make_center

    settings.MEDIA_ROOT = tmp_path
    make_center()
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/phan-anh/")
    page.screenshot(path=str(screenshots / "feedback-form-360x740.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_subject", "Nhà vệ sinh khu chờ bị hỏng")
    page.fill("#id_body", "Nhà vệ sinh ở khu chờ tầng 1 hỏng vòi nước từ hôm qua.")
    page.click("button.fb-submit")
    page.wait_for_selector("[data-reference]")
    assert "PAKN-" in page.inner_text("[data-reference]")
    page.screenshot(path=str(screenshots / "feedback-status-360x740.png"), full_page=True)
    page.close()
