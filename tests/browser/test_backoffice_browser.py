"""Officers in Chromium at 1366×768: reception assigns from the inbox, the specialist submits for
signature, the leader signs. Screenshots kept as test-results/browser/backoffice-*.png."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from motcua.dossiers.states import available_actions
from tests.dossiers.conftest import DOCUMENTS, make_procedure
from tests.dossiers.conftest import submit as submit_dossier

from .conftest import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PASSWORD = "motcua-demo-2026"  # noqa: S105 (the published demo password)
APPLICANTS = [
    "Nguyễn Thị Lan",
    "Trần Văn Hải",
    "Lê Thị Hoa",
    "Phạm Minh Tuấn",
]


@pytest.fixture
def seeded(media_root_for_browser, settings):
    # The demo officers and their published password work only on a demo installation.
    settings.MOTCUA_DEMO = True
    procedure = make_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", sector="Hộ tịch")
    call_command("demo_center", stdout=StringIO())
    from motcua.centers.models import Center

    center = Center.objects.get()
    give_leader_certificate()
    now = timezone.now()
    made = []
    for n, name in enumerate(APPLICANTS):
        dossier, _ = submit_dossier(
            center,
            procedure,
            key=f"browser-{n}",
            now=now - timedelta(minutes=10 * (len(APPLICANTS) - n)),
            applicant=Applicant(name=name, id_number=f"02519001234{n}", phone="0912345678"),
            form_data={
                "child_full_name": "Nguyễn Minh An",
                "child_birth_date": "2025-06-30",
                "child_ethnicity": "Kinh",
                "mother_full_name": name,
                "pledge": True,
            },
            documents=DOCUMENTS,
        )
        made.append(dossier)
    # Some urgency in the inbox: one overdue, one due today.
    with transaction.atomic():
        Dossier.objects.filter(pk=made[1].pk).update(due_at=now - timedelta(hours=2))
        Dossier.objects.filter(pk=made[2].pk).update(due_at=now + timedelta(minutes=30))
    return made[0]


@pytest.fixture
def media_root_for_browser(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The leader signs with a certificate of a throwaway demo CA.
    from motcua.signing import pki

    demo = pki.create_demo_pki(tmp_path / "pki", now=timezone.now())
    settings.MOTCUA_PKI_DIR = demo.directory
    settings.MOTCUA_PKI_TRUST_ROOTS = None
    monkeypatch.delenv(pki.PASSPHRASE_ENV, raising=False)


def give_leader_certificate() -> None:
    from django.contrib.auth import get_user_model

    from motcua.signing.services import register_certificate

    with transaction.atomic():
        register_certificate(
            user=get_user_model().objects.get(username="lanhdao"),
            p12_path="lanh-dao/tran-van-lanh-dao.p12",
            label="Chữ ký số lãnh đạo",
        )


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/can-bo/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def take(page, action: str, note: str = "") -> None:
    box = page.locator(f'details[data-action="{action}"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    if note:
        box.locator("textarea").fill(note)
    box.get_by_role("button").click()


def test_officers_take_a_dossier_from_inbox_to_signed(live_server, browser, screenshots, seeded):
    dossier = seeded
    expect = sync_api.expect
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()

    def shot(name: str) -> None:
        page.screenshot(path=str(screenshots / f"backoffice-{name}.png"), full_page=False)

    # Reception: sign in, the whole center's inbox, open the dossier, assign it.
    page.goto(live_server.url + "/can-bo/")
    expect(page).to_have_url(live_server.url + "/can-bo/dang-nhap/?next=/can-bo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập dành cho cán bộ")
    shot("1-login")
    sign_in(page, live_server.url, "tiepnhan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")
    expect(page.locator(".bo-row")).to_have_count(4)
    expect(page.locator('[data-count="overdue"]')).to_have_text("1")
    expect(page.locator(".bo-row").first).to_contain_text("Quá hạn")
    shot("2-inbox-reception")

    page.get_by_role("link", name=dossier.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.locator("[data-status]")).to_have_text("Được tiếp nhận")
    expect(page.locator("details.bo-action")).to_have_count(
        len(available_actions("received", "reception"))
    )
    shot("3-dossier-reception")
    box = page.locator('details[data-action="assign"]')
    box.locator("select[name=unit_id]").select_option(label="Công chức Tư pháp – Hộ tịch")
    box.locator("select[name=user_id]").select_option(
        label="Nguyễn Văn Minh (Công chức chuyên môn, Công chức Tư pháp – Hộ tịch)"
    )
    take(page, "assign", "Giao đồng chí Minh xử lý")
    expect(page.locator(".bo-flash-success")).to_contain_text("Đã “Chuyển, giao xử lý”")
    expect(page.locator("[data-status]")).to_have_text("Đang xử lý")
    shot("4-assigned")
    sign_out(page)

    # Specialist: "Giao cho tôi" lists it; submit for signature.
    sign_in(page, live_server.url, "hotich")
    expect(page.locator(".bo-tab-current")).to_contain_text("Giao cho tôi")
    expect(page.locator(".bo-row")).to_have_count(1)
    shot("5-inbox-specialist")
    page.get_by_role("link", name=dossier.code).click()
    take(page, "submit_for_signature", "Đủ điều kiện, trình lãnh đạo ký")
    expect(page.locator("[data-status]")).to_have_text("Chờ ký")
    shot("6-submitted-for-signature")
    sign_out(page)

    # Leader: signs; the dossier is processed.
    sign_in(page, live_server.url, "lanhdao")
    page.get_by_role("link", name=dossier.code).click()
    take(page, "sign")
    expect(page.locator("[data-status]")).to_have_text("Đã xử lý xong")
    expect(page.locator("[data-signed-result]")).to_contain_text("Trần Văn Lãnh Đạo")
    expect(page.locator(".bo-event")).to_have_count(4)
    shot("7-signed")
    page.locator(".bo-timeline").scroll_into_view_if_needed()
    shot("8-timeline")

    dossier.refresh_from_db()
    assert dossier.status == "processed"
    assert list(dossier.events.order_by("seq").values_list("action", flat=True)) == [
        "receive",
        "assign",
        "submit_for_signature",
        "sign",
    ]
    context.close()
