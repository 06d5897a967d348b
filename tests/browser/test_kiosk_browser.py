"""A citizen at the kiosk in Chromium: scan the card, find "khai sinh", fill, submit, get the slip.

Touches are counted (typing into the form's own fields is not a touch, as the issue asks) and
the count is written to test-results/browser/kiosk-touches.txt. Screenshots of every step in
portrait (1080×1920) and landscape (1920×1080) are kept.
"""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from motcua.dossiers.models import Dossier

from .conftest import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QR_PAYLOAD = (
    "025190012345|123456789|Nguyễn Thị Lan|15031990|Nữ|Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ|20042021"
)
ORIENTATIONS = {
    "portrait": {"width": 1080, "height": 1920},
    "landscape": {"width": 1920, "height": 1080},
}
MAX_TOUCHES = 12


class Touches:
    def __init__(self):
        self.count = 0
        self.log: list[str] = []

    def tap(self, locator, what: str) -> None:
        self.count += 1
        self.log.append(what)
        locator.click()


@pytest.fixture(autouse=True)
def demo_installation(settings):
    """``activate_kiosk`` sets up the demo center, which only a demo installation may do."""
    settings.MOTCUA_DEMO = True


def activate_kiosk(page, base_url: str) -> None:
    """The technician's one-time step (not part of the citizen's touches)."""
    from motcua.centers.models import Center
    from motcua.kiosk.models import KioskDevice

    call_command("demo_center", stdout=StringIO())
    device = KioskDevice.objects.create(center=Center.objects.get(), name="Kiosk sảnh")
    code = device.new_activation_code(now=timezone.now())
    device.save()
    page.goto(base_url + "/kiosk/kich-hoat/")
    page.fill("#id_code", code)
    page.click("button[type=submit]")


def type_into(page, name: str, text: str) -> None:
    page.locator(f"[name={name}]").fill(text)


@pytest.mark.parametrize("orientation", list(ORIENTATIONS))
def test_birth_registration_from_scan_to_slip(
    live_server, live_catalog, browser, screenshots, orientation
):
    context = browser.new_context(viewport=ORIENTATIONS[orientation], locale="vi-VN")
    page = context.new_page()
    expect = sync_api.expect
    shot = lambda name: page.screenshot(path=str(screenshots / f"kiosk-{orientation}-{name}.png"))  # noqa: E731
    activate_kiosk(page, live_server.url)
    touches = Touches()

    # 1. The scanner types the card's QR and presses Enter: no touch.
    expect(page.get_by_role("heading", level=1)).to_contain_text("thẻ căn cước")
    shot("1-start")
    page.keyboard.type(QR_PAYLOAD)
    page.keyboard.press("Enter")

    # 2. Find the procedure by text.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Lan")
    touches.tap(page.locator("#id_q"), "search box")
    page.keyboard.type("khai sinh")
    touches.tap(page.get_by_role("button", name="Tìm"), "search button")
    shot("2-choose")
    touches.tap(
        page.locator(".k-results a", has_text="Thủ tục đăng ký khai sinh").first,
        "result: đăng ký khai sinh",
    )

    # 3. The form: the card's fields are locked and prefilled.
    expect(page.locator("[name=requester_full_name]")).to_have_value("Nguyễn Thị Lan")
    for name, text in {
        "requester_relationship": "Mẹ",
        "requester_phone": "0912345678",
        "child_full_name": "Nguyễn Minh An",
        "child_birth_date": "10/11/2026",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Trạm Y tế xã Hiền Lương, tỉnh Phú Thọ",
        "child_hometown": "Phú Thọ",
        "mother_full_name": "Nguyễn Thị Lan",
        "mother_birth_date": "15/03/1990",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        "mother_id_number": "025190012345",
    }.items():
        type_into(page, name, text)
    page.locator("[name=child_sex]").first.check()  # a field of the form itself
    page.locator("[name=pledge]").check()  # the declaration's own pledge field
    for box in page.locator(".ef-field--required input[type=checkbox][name$=_paper]").all():
        touches.tap(box, "required document ticked: brought on paper")
    shot("3-form")
    touches.tap(page.get_by_role("button", name="Kiểm tra và tiếp tục"), "check and continue")

    # 4. Confirm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin kiểm tra lại trước khi nộp")
    shot("4-review")
    touches.tap(page.get_by_role("button", name="Nộp hồ sơ"), "submit")

    # 5. The slip: code large on screen, PDF with the code and the due date.
    errors = page.locator(".k-errors")
    assert errors.count() == 0, errors.first.inner_text()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của bạn đã được đăng ký")
    code = page.locator("[data-dossier-code]").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert re.fullmatch(r"000\.00\.25\.H45-\d{6}-0001", code)
    due_text = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y")
    expect(page.locator("[data-due]")).to_contain_text(due_text)
    shot("5-done")
    slip_link = page.locator("[data-print-slip]")
    slip_url = slip_link.get_attribute("href")
    with context.expect_page() as opened:
        touches.tap(slip_link, "print slip")
    opened.value.close()
    pdf = page.request.get(live_server.url + slip_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert code in text and due_text in text and "Nguyễn Thị Lan" in text

    touches.tap(page.get_by_role("button", name="Xong, kết thúc"), "finish")
    expect(page.get_by_role("heading", level=1)).to_contain_text("thẻ căn cước")
    assert "Nguyễn Thị Lan" not in page.content()

    (screenshots / f"kiosk-touches-{orientation}.txt").write_text(
        f"{touches.count} touches: " + ", ".join(touches.log) + "\n", encoding="utf-8"
    )
    assert touches.count <= MAX_TOUCHES, touches.log
    context.close()


def test_idle_kiosk_warns_then_wipes(live_server, live_catalog, browser, screenshots):
    from motcua.kiosk.models import KioskDevice

    context = browser.new_context(viewport=ORIENTATIONS["portrait"], locale="vi-VN")
    page = context.new_page()
    activate_kiosk(page, live_server.url)
    KioskDevice.objects.update(idle_seconds=2)
    page.goto(live_server.url + "/kiosk/")
    page.keyboard.type(QR_PAYLOAD)
    page.keyboard.press("Enter")
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Lan")
    warning = page.get_by_role("alertdialog")
    sync_api.expect(warning).to_be_visible(timeout=5000)
    page.screenshot(path=str(screenshots / "kiosk-idle-warning.png"))
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text(
        "thẻ căn cước", timeout=25000
    )
    assert "Nguyễn Thị Lan" not in page.content()
    assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0
    context.close()
