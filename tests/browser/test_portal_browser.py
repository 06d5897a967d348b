"""The citizen portal on a phone (360×740): sign in with the code from the mail file, submit a
birth registration with a photo of the birth certificate, find it on the citizen's page; every
page under 200 KB transferred (a slow 3G connection), screenshots kept for people to look at."""

from __future__ import annotations

import io
import re

import pytest
from django.db import transaction
from PIL import Image

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from tests.dossiers.conftest import make_center, submit, vn

from .conftest import fill_fields, sync_api

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
PAGE_BUDGET = 200 * 1024
CITIZEN_ID = "025190012345"


@pytest.fixture
def portal_site(live_server, transactional_db, settings, tmp_path):
    from motcua.catalog import services
    from motcua.catalog.models import Procedure
    from motcua.catalog.schema import CatalogFile
    from tests.conftest import TINY_CATALOG

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.NOTICE_SENDERS = {"email": "motcua.notices.senders.EmailSender"}
    settings.MOTCUA_VNEID = {}
    with transaction.atomic():
        services.import_catalog(CatalogFile.model_validate(TINY_CATALOG))
        center = make_center()
        submit(
            center,
            Procedure.objects.get(code="2.000815"),
            key="earlier",
            now=vn(2026, 11, 2, 9, 0),
            applicant=Applicant(
                name="Nguyễn Thị Lan", id_number=CITIZEN_ID, email="lan@example.vn"
            ),
        )
    return tmp_path / "mail"


def code_from_mail(folder) -> str:
    """The newest message the file backend wrote (as in the demo's var/mail)."""
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime)
    assert files, "no mail was written"
    text = files[-1].read_text("utf-8", errors="replace")
    return re.search(r"\b(\d{6})\b", text.split("\n\n", 1)[-1]).group(1)


class Transfer:
    """Bytes on the wire per page: headers and bodies of every response the page loaded."""

    def __init__(self, page):
        self.total = 0
        page.on("requestfinished", self.add)

    def add(self, request) -> None:
        sizes = request.sizes()
        self.total += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def take(self) -> int:
        total, self.total = self.total, 0
        return total


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (240, 240, 230)).save(out, "JPEG", quality=70)
    return out.getvalue()


def test_sign_in_submit_and_follow_on_a_phone(portal_site, live_server, browser, screenshots):
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    expect = sync_api.expect
    transfer = Transfer(page)
    sizes: dict[str, int] = {}

    def shot(name: str) -> None:
        page.wait_for_load_state("networkidle")
        sizes[name] = transfer.take()
        page.screenshot(path=str(screenshots / f"portal-360-{name}.png"), full_page=True)

    page.goto(live_server.url + "/cong-dan/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng nhập")
    shot("1-sign-in")
    page.fill("#id_number", CITIZEN_ID)
    page.get_by_role("button", name="Gửi mã đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã đăng nhập")
    assert CITIZEN_ID not in page.url
    shot("2-code")
    page.fill("#code", code_from_mail(portal_site))
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    shot("3-home")

    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    shot("4-choose")
    page.locator(".p-cards li", has_text="Thủ tục đăng ký khai sinh").get_by_role(
        "button", name="Nộp hồ sơ này"
    ).click()
    expect(page.locator("[name=requester_id_number]")).to_have_value(CITIZEN_ID)
    for name, text in {
        "requester_full_name": "Nguyễn Thị Lan",
        "requester_birth_date": "15/03/1990",
        "requester_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
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
        "mother_id_number": CITIZEN_ID,
    }.items():
        fill_fields(page, {name: text})
    page.locator("[name=child_sex]").first.check()
    page.locator("[name=pledge]").check()
    # The birth certificate: a photo from the phone's camera.
    page.locator(".ef-field--required input[type=file]").first.set_input_files(
        files=[{"name": "giay-chung-sinh.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    # The button is the page's own, in Vietnamese, thumb-sized; the chosen file is named under it.
    row = page.locator(".ef-field--required", has=page.locator("input[type=file]")).first
    button = row.locator(".ef-file-button")
    expect(button).to_have_text("Chụp ảnh hoặc chọn tệp")
    assert button.bounding_box()["height"] >= 44
    expect(row.locator(".ef-file-chosen")).to_have_text("Đã chọn: giay-chung-sinh.jpg")
    # Above the sticky buttons, so the picture shows the name.
    button.evaluate("b => b.scrollIntoView({block: 'center'})")
    row.screenshot(path=str(screenshots / "portal-360-5a-file-chosen.png"))
    # The hidden input is still reached from the keyboard, and the button shows the focus.
    row.locator("input[type=checkbox]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "file"
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"
    # Save the draft first: it comes back with the photo kept.
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".p-ok")).to_contain_text("Đã lưu hồ sơ nháp")
    expect(page.locator(".ef-upload-kept")).to_contain_text("giay-chung-sinh.jpg")
    shot("5-form-saved")
    # Every button a thumb must hit is at least 44 px high.
    for button in page.locator("button.p-btn").all():
        assert button.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Kiểm tra và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra trước khi nộp")
    shot("6-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    dossier = Dossier.objects.get(channel="online")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
    expect(page.locator(".p-facts .p-status")).to_have_text("Mới đăng ký")
    shot("7-dossier")
    page.get_by_role("link", name="Trang của tôi").click()
    expect(page.locator(".p-list a", has_text=dossier.code)).to_be_visible()
    shot("8-home-with-dossier")

    assert (
        dossier.status == "submitted" and dossier.documents.filter(file__endswith=".jpg").exists()
    )
    over = {name: size for name, size in sizes.items() if size >= PAGE_BUDGET}
    assert over == {}, sizes
    assert all(size > 0 for size in sizes.values()), sizes
    (screenshots / "portal-360-sizes.txt").write_text(
        "\n".join(f"{name}\t{size}" for name, size in sizes.items()) + "\n"
    )
    context.close()
