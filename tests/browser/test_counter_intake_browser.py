"""The reception officer receives a walk-in birth registration in Chromium at 1366×768:
inbox → card (the handheld scanner types the QR and Enter) → procedure → e-form with the scan
of the birth certificate → receipt → Mẫu 01. Screenshots: test-results/browser/intake-*.png."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.catalog import services
from motcua.catalog.schema import CatalogFile
from motcua.dossiers.models import Dossier
from tests.conftest import TINY_CATALOG

from .conftest import fill_fields, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PASSWORD = "motcua-demo-2026"  # noqa: S105 (the published demo password)
QR_PAYLOAD = (
    "025190012345|123456789|Nguyễn Thị Lan|15031990|Nữ|Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ|20042021"
)
# What the officer types for the child and the mother (the card fills the requester).
TYPED = {
    "requester_relationship": "Mẹ",
    "requester_phone": "0912345678",
    "child_full_name": "Nguyễn Minh An",
    "child_birth_date": "01/12/2026",
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
}


@pytest.fixture
def seeded(settings, tmp_path, fake_finder):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_DEMO = True  # the demo officers and password
    with transaction.atomic():
        services.import_catalog(CatalogFile.model_validate(TINY_CATALOG))
    call_command("demo_center", stdout=StringIO())


def test_officer_receives_a_walk_in_birth_registration(
    live_server, browser, screenshots, seeded, tmp_path
):
    expect = sync_api.expect
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    # CSP refusals (inline code) and script errors; the missing favicon is not one.
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    def shot(name: str, full: bool = False) -> None:
        page.screenshot(path=str(screenshots / f"intake-{name}.png"), full_page=full)

    page.goto(live_server.url + "/can-bo/dang-nhap/")
    page.fill("#id_username", "tiepnhan")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")
    shot("1-inbox")

    click(page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy"))
    expect(page.locator("#id_scan")).to_be_focused()
    shot("2-card")
    # The handheld scanner types the QR payload and presses Enter: no click.
    page.locator("#id_scan").fill(QR_PAYLOAD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Tìm thủ tục")).to_be_visible()
    expect(page.locator(".bo-intake-person")).to_contain_text("Nguyễn Thị Lan")

    # The finder over HTMX: type, Enter, the results replace the list in place.
    page.locator("#id_q").fill("khai sinh")
    page.keyboard.press("Enter")
    result = page.locator("#intake-results").get_by_role("link", name="Thủ tục đăng ký khai sinh")
    expect(result).to_be_visible()
    shot("3-procedure")
    click(result)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Thủ tục đăng ký khai sinh")
    expect(page.locator("#id_requester_full_name")).to_have_value("Nguyễn Thị Lan")
    shot("4-form")
    fill_fields(page, TYPED)
    click(page.get_by_label("Nam", exact=True))
    click(page.locator("#id_pledge"))
    scan = Path(tmp_path / "giay-chung-sinh.pdf")
    scan.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    upload = page.locator('input[type="file"][name$="_file"]').first
    clicks += 1  # the file dialog: one click to choose the scanner's file
    upload.set_input_files(str(scan))
    shot("5-form-filled", full=True)
    click(page.get_by_role("button", name="Tiếp nhận hồ sơ"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã tiếp nhận hồ sơ")
    dossier = Dossier.objects.get()
    expect(page.locator("[data-code]")).to_have_text(dossier.code)
    shot("6-done")
    slip = page.get_by_role("link", name="In phiếu hẹn (Mẫu 01, khổ A5)")
    response = page.request.get(live_server.url + slip.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    clicks += 1  # printing the slip

    assert dossier.channel == "counter"
    assert dossier.submitted_by.startswith("user:")
    assert all(d.digitized for d in dossier.documents.all())
    assert errors == []
    # Reported: what the officer does for a birth registration.
    print(f"\nintake clicks={clicks} typed_fields={len(TYPED)} keystroke_submits=2")
    context.close()
