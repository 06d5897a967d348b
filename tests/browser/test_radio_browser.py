"""An officer makes the commune radio bulletin in Chromium: paste the text, check the reading,
start the audio, watch the progress bar (HTMX polling a background thread), play and download."""

from __future__ import annotations

import shutil

import pytest

from motcua.dossiers.states import Role
from tests.backoffice.conftest import PASSWORD, make_officer
from tests.dossiers.conftest import make_center

from .conftest import sync_api

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]

TEXT = (
    "Thông báo của UBND xã Hiền Lương.\n"
    "Từ ngày 01/07/2025, HTX Tân Tiến nhận đăng ký dịch vụ làm đất, giá 150.000đ một sào.\n"
    + "Đề nghị bà con đăng ký tạm trú cho người đến ở từ 30 ngày trở lên. "
    * 12
)


@pytest.fixture(autouse=True)
def radio_settings(settings, tmp_path):
    settings.MOTCUA_SPEECH_RADIO_DIR = str(tmp_path / "radio")
    settings.MOTCUA_SPEECH_CACHE = str(tmp_path / "speech-cache")
    settings.MOTCUA_SPEECH_RADIO_RUNNER = "thread"


def test_bulletin_from_text_to_audio(live_server, browser, screenshots):
    center = make_center()
    make_officer("phat-thanh", Role.RECEPTION, center)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    expect = sync_api.expect
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(live_server.url + "/can-bo/dang-nhap/")
    page.fill("#id_username", "phat-thanh")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Đài truyền thanh").click()

    # The center's own reading of "HTX" first.
    page.get_by_role("link", name="Cách đọc riêng của trung tâm").click()
    page.fill("#id_written", "HTX")
    page.fill("#id_spoken", "hợp tác xã")
    page.get_by_role("button", name="Lưu cách đọc").click()
    expect(page.locator("table")).to_contain_text("hợp tác xã")
    page.get_by_role("link", name="Bản tin").click()

    page.fill("#id_title", "Bản tin sáng thứ hai")
    page.fill("#id_text", TEXT)
    page.get_by_role("button", name="Lưu bản tin").click()
    reading = page.locator("[data-reading]").first
    expect(reading).to_contain_text("ủy ban nhân dân xã Hiền Lương")
    expect(page.locator("[data-reading]").nth(1)).to_contain_text(
        "hợp tác xã Tân Tiến nhận đăng ký dịch vụ làm đất, giá một trăm năm mươi nghìn đồng"
    )

    page.get_by_role("button", name="Tạo âm thanh").click()
    page.screenshot(path=str(screenshots / "radio-progress.png"), full_page=True)
    player = page.locator("#radio-progress audio")
    expect(player).to_be_visible(timeout=60_000)  # the fragment was polled until ready
    page.screenshot(path=str(screenshots / "radio-ready.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp âm thanh về").click()
    assert download.value.suggested_filename.startswith("ban-tin-")
    assert not csp_errors, csp_errors
    context.close()
