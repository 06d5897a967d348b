"""The assistant's web chat in a real browser: ask, follow up, personal data not shown back,
and no Content-Security-Policy violation (htmx posts the form, no inline script)."""

from __future__ import annotations

import pytest

from .conftest import VIEWPORTS, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_citizen_asks_and_follows_up(live_server, live_catalog, browser, screenshots):
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="vi-VN")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    expect = sync_api.expect

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Hoặc hỏi đáp: lệ phí, thời hạn, giấy tờ cần mang").click()
    page.wait_for_url("**/hoi-dap/")
    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("số em 0987654321, chứng thực di chúc hết bao nhiêu tiền")
    box.press("Enter")
    turns = page.locator("#hoi-dap .chat-turn")
    expect(turns).to_have_count(1, timeout=20_000)
    expect(turns.first).to_contain_text("50.000 đồng")
    expect(turns.first).to_contain_text("không lưu và không nhắc lại")
    expect(page.locator("body")).not_to_contain_text("0987654321")
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("")
    page.screenshot(path=str(screenshots / "assistant-1-fee.png"), full_page=True)

    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("còn thời hạn thì sao?")
    box.press("Enter")
    expect(turns).to_have_count(2, timeout=20_000)
    expect(turns.nth(1)).to_contain_text("Chứng thực di chúc")
    expect(turns.nth(1)).to_contain_text("ngày làm việc")
    page.screenshot(path=str(screenshots / "assistant-2-follow-up.png"), full_page=True)
    assert violations == []
    page.close()
