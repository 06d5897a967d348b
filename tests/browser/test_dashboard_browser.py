"""The KPI dashboards in Chromium: the figures a leader and a provincial officer see are the
engine's, in Vietnamese formats. Screenshots at 1366×768 and 1920×1080 are kept as
test-results/browser/dashboard-*.png.

Same scenario as tests/reports/test_dashboard.py (July 2025, the clock at 15 August 2025).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from motcua.reports import kpi, views
from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent
from tests.backoffice.conftest import PASSWORD, Clock
from tests.dossiers.conftest import make_procedure, vn
from tests.reports.test_dashboard import JULY, build_world

from .conftest import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": {"width": 1366, "height": 768}, "1920": {"width": 1920, "height": 1080}}
QUERY = urlencode({"tu": "01/07/2025", "den": "31/07/2025"})


@pytest.fixture
def world(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(views, "clock", Clock(vn(2025, 8, 15, 9, 0)))
    procedure = make_procedure(
        channels=[
            {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
            {"channel": "online", "time_value": 3, "fee_vnd": 0},
        ]
    )
    return build_world(procedure)


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/can-bo/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def shots(page, screenshots, name: str) -> None:
    """The page at both sizes: what fits on a projector, then the whole page."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(screenshots / f"dashboard-{name}-{size}.png"))
        page.screenshot(path=str(screenshots / f"dashboard-{name}-{size}-full.png"), full_page=True)
    page.set_viewport_size(SIZES["1366"])


def test_center_dashboard_shows_the_engine_figures(live_server, browser, screenshots, world):
    expect = sync_api.expect
    context = browser.new_context(viewport=SIZES["1366"], locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/can-bo/bao-cao/?{QUERY}")

    now = views.clock()
    report = kpi.compute(*JULY, slice=kpi.Slice(center=world["home"].agency_code), now=now)
    expect(page.get_by_role("heading", level=1)).to_have_text(world["home"].name)
    expect(page.locator('[data-figure="received"]')).to_have_text(vi_number(report.received))
    expect(page.locator('[data-figure="resolved"]')).to_have_text(vi_number(report.resolved))
    expect(page.locator('[data-figure="on_time"]')).to_have_text(
        vi_percent(report.indices["2.1"].rate)
    )
    expect(page.locator('[data-figure="online"]')).to_have_text(
        vi_percent(report.indices["3.3"].rate)
    )
    expect(page.locator('[data-figure="score"]')).to_have_text(vi_number(report.score.total, 2))
    ranking = kpi.ranking("Tỉnh Phú Thọ", *JULY, now=now)
    mine = next(r for r in ranking if r.center_code == world["home"].agency_code)
    expect(page.locator('[data-figure="rank"]')).to_have_text(f"{mine.rank}/{len(ranking)}")
    for code, index in report.indices.items():
        row = page.locator(f'[data-table="chi-so"] tbody tr[data-key="{code}"]')
        expect(row.locator("td").nth(4)).to_have_text(vi_percent(index.rate))
        if index.missed_target:
            expect(row).to_contain_text("Chưa đạt")
    # The charts are drawn inline, one bar per month with its value.
    expect(page.locator('[data-chart="received"] svg rect.bar')).to_have_count(1)
    expect(page.locator('[data-chart="received"] svg')).to_contain_text(vi_number(report.received))
    shots(page, screenshots, "center")

    # Every table as one workbook.
    with page.expect_download() as download:
        page.get_by_role("link", name="Mọi bảng số liệu (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # A date that cannot be read: a Vietnamese message, not an error page.
    page.fill("#tu", "32/07/2025")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("alert")).to_contain_text("Ngày bắt đầu “32/07/2025” không hợp lệ")
    context.close()


def test_province_dashboard_ranks_the_communes(live_server, browser, screenshots, world):
    expect = sync_api.expect
    context = browser.new_context(viewport=SIZES["1366"], locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "tinh")
    page.goto(f"{live_server.url}/can-bo/bao-cao/tinh/?{QUERY}")

    now = views.clock()
    report = kpi.compute(*JULY, slice=kpi.Slice(province="Tỉnh Phú Thọ"), now=now)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Phú Thọ")
    expect(page.locator('[data-figure="received"]')).to_have_text(vi_number(report.received))
    expect(page.locator('[data-figure="on_time"]')).to_have_text(
        vi_percent(report.indices["2.1"].rate)
    )
    ranking = kpi.ranking("Tỉnh Phú Thọ", *JULY, now=now)
    rows = page.locator('[data-table="xep-hang"] tbody tr')
    expect(rows).to_have_count(len(ranking))
    for position, row in enumerate(ranking):
        cells = rows.nth(position).locator("td")
        expect(cells.nth(0)).to_have_text(str(row.rank))
        expect(cells.nth(1)).to_have_text(row.commune)
        expect(cells.nth(2)).to_have_text(vi_number(row.score.total, 2))
        expect(cells.nth(3)).to_have_text(vi_number(row.report.received))
    expect(page.locator("body")).not_to_contain_text("Xã Lạc Dương")  # another province
    shots(page, screenshots, "province")

    # From the ranking to a commune's own dashboard (no officer names for the province).
    page.get_by_role("link", name="Xã Hiền Lương").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world["home"].name)
    expect(page.locator('[data-figure="received"]')).to_have_text("4")
    expect(page.locator('[data-table="theo-can-bo"]')).to_have_count(0)
    context.close()
