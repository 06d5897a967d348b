"""The kiosk's microphone in Chromium, fed a real recording: press "Nói", speak (Chromium's fake
microphone plays a clip of real Vietnamese speech shipped in tests/data/speech), press "Dừng",
see the words heard, confirm, and the finder runs with them. Without a recognizer the page says
so and typing works.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, sync_api
from .test_kiosk_browser import QR_PAYLOAD, activate_kiosk

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# 6.7 s: "bà vừa mất tối hôm qua và chúng tôi đã quyết định sẽ đưa ông vào viện dưỡng lão"
CLIP = Path(__file__).resolve().parents[1] / "data" / "speech" / "chunkformer-2.wav"


@pytest.fixture(autouse=True)
def demo_installation(settings, tmp_path):
    settings.MOTCUA_DEMO = True
    settings.MOTCUA_SPEECH_CACHE = str(tmp_path / "speech-cache")


@pytest.fixture(scope="module")
def mic_browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",  # allow the microphone without a prompt
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={CLIP}",
            ],
        )
        yield browser
        browser.close()


def open_choose_step(page, base_url: str) -> None:
    activate_kiosk(page, base_url)
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text("thẻ căn cước")
    page.keyboard.type(QR_PAYLOAD)
    page.keyboard.press("Enter")
    sync_api.expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Lan")


@pytest.mark.skipif(
    importlib.util.find_spec("vietasr") is None,
    reason='viet-asr is not installed (pip install "viet-asr==0.1.0.dev11")',
)
def test_speak_confirm_and_find(live_server, live_catalog, mic_browser, screenshots):
    context = mic_browser.new_context(viewport={"width": 1080, "height": 1920}, locale="vi-VN")
    page = context.new_page()
    expect = sync_api.expect
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_choose_step(page, live_server.url)

    mic = page.locator("[data-voice-mic]")
    expect(mic).to_be_enabled()
    mic.click()
    expect(page.locator("[data-voice-status]")).to_contain_text("Mời bạn nói")
    page.wait_for_timeout(7500)  # the clip is 6.7 s long
    mic.click()
    status = page.locator("[data-voice-status]")
    expect(status).to_contain_text("Máy nghe được", timeout=30_000)
    expect(status).to_contain_text("viện dưỡng lão")
    heard = page.locator("#id_q").input_value()
    assert "đưa ông vào viện dưỡng lão" in heard, heard
    page.screenshot(path=str(screenshots / "kiosk-voice-heard.png"))

    # The citizen corrects the words, then confirms: the finder runs with them.
    page.get_by_role("button", name="Sửa lại chữ").click()
    page.locator("#id_q").fill("nhận nuôi con nuôi")
    page.get_by_role("button", name="Đúng, tìm thủ tục").click()
    expect(page.locator(".k-results a").first).to_be_visible()
    assert "q=nh%E1%BA%ADn+nu%C3%B4i+con+nu%C3%B4i" in page.url
    page.screenshot(path=str(screenshots / "kiosk-voice-results.png"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_no_recognizer_keeps_typing_working(
    live_server, live_catalog, mic_browser, screenshots, monkeypatch
):
    from motcua.speech import asr

    asr.reset_model()

    def missing():
        raise ImportError("not installed")

    monkeypatch.setattr(asr, "_import_vietasr", missing)
    context = mic_browser.new_context(viewport={"width": 1080, "height": 1920}, locale="vi-VN")
    page = context.new_page()
    try:
        open_choose_step(page, live_server.url)
        mic = page.locator("[data-voice-mic]")
        mic.click()
        page.wait_for_timeout(1500)
        mic.click()
        sync_api.expect(page.locator("[data-voice-status]")).to_contain_text(
            "chưa cài bộ nhận dạng giọng nói", timeout=20_000
        )
        page.screenshot(path=str(screenshots / "kiosk-voice-no-model.png"))
        page.locator("#id_q").fill("khai sinh")
        page.get_by_role("button", name="Tìm", exact=True).click()
        sync_api.expect(page.locator(".k-results a").first).to_be_visible()
    finally:
        context.close()
        asr.reset_model()
