"""A citizen's path through the public catalog in a real browser (Debian Chromium).

Home → type "khai sinh" → results → the birth registration page with its documents. Screenshots
at phone and desktop widths go to test-results/browser/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import VIEWPORTS, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def snap(page, folder: Path, name: str) -> None:
    """What the first screen shows, and the whole page."""
    page.screenshot(path=str(folder / f"{name}.png"))
    page.screenshot(path=str(folder / f"{name}-full.png"), full_page=True)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_citizen_finds_birth_registration_and_its_documents(
    live_server, live_catalog, browser, screenshots, device
):
    page = browser.new_page(viewport=VIEWPORTS[device], locale="vi-VN")
    expect = sync_api.expect

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Bạn cần làm thủ tục gì?")).to_be_visible()
    snap(page, screenshots, f"{device}-1-home")

    search_box = page.get_by_label("Nhập tên thủ tục hoặc việc bạn cần làm")
    search_box.fill("khai sinh")
    search_box.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=*")
    first_result = page.locator("ol.results a.card").first
    expect(first_result).to_contain_text("Thủ tục đăng ký khai sinh")
    snap(page, screenshots, f"{device}-2-results")

    page.get_by_role("link", name="Thủ tục đăng ký khai sinh").first.click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    documents = page.locator("ol.documents")
    expect(documents).to_be_visible()
    expect(documents).to_contain_text("Giấy chứng sinh")
    snap(page, screenshots, f"{device}-3-procedure")
    documents.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"{device}-3-procedure-documents.png"))
    page.close()


def test_live_search_shows_results_while_typing(live_server, live_catalog, browser, screenshots):
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="vi-VN")
    page.goto(live_server.url + "/")
    page.get_by_label("Nhập tên thủ tục hoặc việc bạn cần làm").press_sequentially("khai sinh")
    sync_api.expect(page.locator("#ket-qua ol.results a.card").first).to_contain_text(
        "Thủ tục đăng ký khai sinh", timeout=15_000
    )
    page.screenshot(path=str(screenshots / "phone-4-live-search.png"))
    page.close()


def test_unknown_procedure_shows_the_vietnamese_404(
    live_server, live_catalog, browser, screenshots
):
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="vi-VN")
    response = page.goto(live_server.url + "/thu-tuc/9.999999/")
    assert response is not None and response.status == 404
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    page.screenshot(path=str(screenshots / "phone-5-not-found.png"))
    page.close()
