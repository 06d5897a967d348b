"""The payment QR at phone size: it renders, scans back to the payload, breaks no CSP rule;
the officer takes cash with one button and the receipt opens."""

from __future__ import annotations

from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from motcua.dossiers.services import tracking_token
from motcua.payments.models import CollectionAccount, Payment
from tests.backoffice.conftest import PASSWORD, make_officer
from tests.dossiers.conftest import make_center, make_procedure, submit
from tests.payments.emvco import decode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def dossier(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    center = make_center()
    CollectionAccount.objects.create(
        center=center, bank_bin="970405", account_number="3600205123456", account_name="UBND XA"
    )
    procedure = make_procedure(channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 8000}])
    dossier, _ = submit(center, procedure, now=timezone.now() - timedelta(hours=1))
    return dossier


def test_tracking_page_qr_scans_at_phone_size(browser, live_server, dossier, screenshots):
    page = browser.new_page(viewport=PHONE)
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    url = f"{live_server.url}/ho-so/tra-cuu/{dossier.code}/?t={tracking_token(dossier.code)}"
    page.goto(url)
    block = page.locator("[data-payment-qr]")
    block.scroll_into_view_if_needed()
    path = screenshots / "payments-track-phone.png"
    page.screenshot(path=str(path), full_page=True)
    assert page.locator(".payment-qr-code svg").bounding_box()["width"] <= PHONE["width"]
    texts = [r.text for r in zxingcpp.read_barcodes(Image.open(path))]
    payments = [t for t in texts if t.startswith("000201")]
    assert len(payments) == 1, texts
    assert (decode(payments[0]).amount, decode(payments[0]).purpose) == (8000, dossier.code)
    assert violations == []
    page.close()


def test_officer_takes_cash_and_opens_the_receipt(browser, live_server, dossier, screenshots):
    make_officer("tiepnhan", "reception", dossier.center)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.fill("input[name=username]", "tiepnhan")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    page.fill("#cash-amount", "8.000")
    page.click("[data-cash-form] button")
    page.wait_for_selector("[data-payment=paid]")
    page.screenshot(path=str(screenshots / "payments-officer-paid.png"), full_page=True)
    assert Payment.objects.get(dossier=dossier).amount_vnd == 8000
    link = page.locator("[data-receipt]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{link}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.close()
