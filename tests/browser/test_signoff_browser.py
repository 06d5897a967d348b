"""The leader reads the result in the page before signing, signs, and opens the signed file; the
inbox filters. Screenshots kept as test-results/browser/signoff-*.png."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.actions import ActionRequest, perform
from motcua.signing import preview

from .conftest import sync_api
from .test_backoffice_browser import (  # noqa: F401 - fixtures
    DESKTOP,
    media_root_for_browser,
    seeded,
    sign_in,
    take,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def to_signature(dossier) -> None:
    unit = dossier.center.units.get(code="tu-phap-ho-tich")
    with transaction.atomic():
        for action, role in (("assign", "reception"), ("submit_for_signature", "specialist")):
            perform(
                dossier.pk,
                ActionRequest(
                    action=action,
                    role=role,
                    actor="user:1",
                    seen_seq=dossier.events.order_by("-seq").first().seq,
                    now=timezone.now(),
                    data={"unit_id": unit.pk} if action == "assign" else {},
                ),
            )


@pytest.mark.skipif(preview.rasterizer() is None, reason="pdftoppm is not installed")
def test_the_leader_reads_the_result_then_signs_and_opens_the_signed_file(
    live_server,
    browser,
    screenshots,
    seeded,  # noqa: F811 - the imported fixture
):
    dossier = seeded
    dossier.procedure.result = "Giấy khai sinh"
    dossier.procedure.save()
    to_signature(dossier)
    expect = sync_api.expect
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    sign_in(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    expect(page.locator("[data-status]")).to_have_text("Chờ ký")
    section = page.locator("[data-preview]")
    expect(section.get_by_role("heading", name="Văn bản sẽ ký")).to_be_visible()
    image = section.locator("img.bo-preview-page").first
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 800", arg=image.element_handle()
    )
    expect(page.locator("[data-certificate]")).to_contain_text("Trần Văn Lãnh Đạo")
    page.screenshot(path=str(screenshots / "signoff-1-preview.png"), full_page=False)
    section.screenshot(path=str(screenshots / "signoff-2-preview-document.png"))

    take(page, "sign")
    expect(page.locator("[data-status]")).to_have_text("Đã xử lý xong")
    link = page.locator("[data-signed-file]")
    expect(link).to_have_text("Mở tệp đã ký (PDF)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.locator("[data-signed-result]").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "signoff-3-signed.png"), full_page=False)

    # The three other dossiers of the seed are new; the signed one is no longer "mới".
    page.goto(f"{live_server.url}/can-bo/?trang-thai=moi&kenh=kiosk")
    expect(page.locator('[data-filter-state="moi"]')).to_have_attribute("aria-current", "true")
    expect(page.locator(".bo-row")).to_have_count(3)
    expect(page.locator(f'.bo-row[data-code="{dossier.code}"]')).to_have_count(0)
    page.screenshot(path=str(screenshots / "signoff-4-inbox-filters.png"), full_page=False)
    assert violations == []
    context.close()
