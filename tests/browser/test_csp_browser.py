"""Every kind of page under the Content-Security-Policy in Chromium: no violation, HTMX works.

The policy (settings: CONTENT_SECURITY_POLICY) allows only this site's own scripts, styles and
images, and no inline code. A page that still has an inline script, an ``onclick`` or a
``style=`` attribute shows up here as a violation the browser reports; the test fails on any.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.centers.models import Center
from tests.dossiers.conftest import DOCUMENTS
from tests.dossiers.conftest import submit as submit_dossier

from .conftest import sync_api
from .test_kiosk_browser import QR_PAYLOAD, activate_kiosk

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 (the published demo password)
DESKTOP = {"width": 1366, "height": 768}

# Reports every violation to the console, where the listener below collects it; Chromium's own
# "Refused to ..." console errors are collected as well.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("Content Security Policy violation: " + e.violatedDirective + " " +
                e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Violations:
    """Every CSP message the browser printed on this page's console, with the page's address."""

    def __init__(self, page):
        self.page = page
        self.seen: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.seen.append(f"{self.page.url} {message.text}")

    def check(self, where: str) -> None:
        assert not self.seen, f"{where}: {self.seen}"


@pytest.fixture
def world(settings, tmp_path, live_catalog):
    settings.MOTCUA_DEMO = True  # the demo center and its demo logins
    settings.MEDIA_ROOT = tmp_path / "media"
    procedure = Procedure.objects.get(code="1.001193")
    call_command("demo_center", stdout=StringIO())
    center = Center.objects.get()
    dossier, _ = submit_dossier(
        center,
        procedure,
        key="csp-1",
        now=timezone.now() - timedelta(minutes=30),
        documents=DOCUMENTS,
    )
    get_user_model().objects.create_superuser("sieuquantri", "qt@example.vn", DEMO_PASSWORD)
    return dossier


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def visit(page, violations: Violations, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    violations.check(url)


def sign_in(page, base: str, username: str, next_path: str = "") -> None:
    page.goto(base + "/can-bo/dang-nhap/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("networkidle")


def test_public_pages_and_htmx_search(live_server, world, page):
    expect = sync_api.expect
    base = live_server.url
    violations = Violations(page)
    visit(page, violations, base + "/")
    # HTMX live search: typing fills the results without a page load.
    page.get_by_label("Nhập tên thủ tục hoặc việc bạn cần làm").fill("khai sinh")
    expect(page.locator("#ket-qua")).to_contain_text("Thủ tục đăng ký khai sinh")
    # hx-replace-url: HTMX itself put the query in the address bar.
    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=khai(\+|%20)sinh$"))
    violations.check("live search")
    visit(page, violations, base + "/thu-tuc/1.001193/")
    visit(page, violations, base + "/ho-so/tra-cuu/")
    visit(page, violations, base + "/xac-thuc/kiem-tra/")
    violations.check("public pages")


def test_kiosk_pages(live_server, world, page):
    expect = sync_api.expect
    base = live_server.url
    violations = Violations(page)
    activate_kiosk(page, base)
    page.wait_for_load_state("networkidle")
    violations.check("activation")
    visit(page, violations, base + "/kiosk/")
    scan = page.locator("[data-scan]")
    expect(scan).to_be_focused()  # kiosk.js ran and put the focus in the scan field
    scan.fill(QR_PAYLOAD)
    scan.press("Enter")
    page.wait_for_load_state("networkidle")
    violations.check("card scan")
    visit(page, violations, base + "/kiosk/thu-tuc/")
    visit(page, violations, base + "/kiosk/thu-tuc/tat-ca/")
    violations.check("kiosk")


def test_back_office_dashboards_and_admin(live_server, world, page):
    expect = sync_api.expect
    base = live_server.url
    violations = Violations(page)
    visit(page, violations, base + "/can-bo/dang-nhap/")
    sign_in(page, base, "tiepnhan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")
    violations.check("inbox")
    visit(page, violations, f"{base}/can-bo/ho-so/{world.code}/")
    # Opening an action form (details/summary) and the search form post.
    page.locator("details.bo-action summary").first.click()
    violations.check("dossier actions")
    # The counter intake: card, the finder over HTMX, the e-form.
    visit(page, violations, base + "/can-bo/tiep-nhan/")
    page.locator("#id_scan").fill(QR_PAYLOAD)
    page.locator("#id_scan").press("Enter")
    page.locator("#id_q").fill("khai sinh")
    page.locator("#id_q").press("Enter")
    expect(page.locator("#intake-results")).to_contain_text("Thủ tục đăng ký khai sinh")
    visit(page, violations, base + "/can-bo/tiep-nhan/to-khai/1.001193/")
    violations.check("counter intake")

    visit(page, violations, base + "/can-bo/dai-truyen-thanh/")
    visit(page, violations, base + "/can-bo/dai-truyen-thanh/cach-doc/?thu=HTX+5+s%C3%A0o")
    violations.check("commune radio")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, base, "lanhdao")
    visit(page, violations, base + "/can-bo/bao-cao/")
    expect(page.locator("figure.rp-chart svg").first).to_be_visible()
    visit(page, violations, base + "/can-bo/bao-mat/xac-thuc-hai-buoc/")
    expect(page.locator(".bo-qr svg")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, base, "sieuquantri", "/admin/")
    expect(page).to_have_url(base + "/admin/")
    visit(page, violations, base + "/admin/")
    visit(page, violations, base + "/admin/auth/user/")
    visit(page, violations, base + "/admin/auth/user/add/")
    violations.check("admin")


def test_api_docs(live_server, world, page):
    expect = sync_api.expect
    violations = Violations(page)
    visit(page, violations, live_server.url + "/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_be_visible()
    violations.check("swagger")
