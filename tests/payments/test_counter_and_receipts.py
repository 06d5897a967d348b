"""Cash at the counter, the e-receipt (numbering, PDF text) and who may download it."""

from __future__ import annotations

import io
import time as time_module
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from motcua.dossiers.models import DossierEvent
from motcua.payments.models import CollectionAccount, Payment
from motcua.payments.receipt import amount_in_words
from motcua.payments.services import (
    AlreadyPaid,
    WrongAmount,
    receipt_token,
    record_cash,
)
from tests.dossiers.conftest import APPLICANT
from tests.payments.conftest import submit, vn

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def cash_url(dossier) -> str:
    return reverse("payments_officer:cash", args=[dossier.code])


class TestCashByTheOfficer:
    def test_reception_records_cash_once(self, client, dossier, officers):
        client.force_login(officers["reception"])
        response = client.post(cash_url(dossier), {"so_tien": "15.000"})
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:dossier", args=[dossier.code])
        payment = Payment.objects.get(dossier=dossier)
        assert (payment.method, payment.amount_vnd, payment.transaction_id) == ("cash", 15000, None)
        assert payment.recorded_by == f"user:{officers['reception'].pk}"
        event = DossierEvent.objects.get(dossier=dossier, action="pay")
        assert event.data["method"] == "cash" and event.data["online"] == 0
        # A double click: the same payment, no second event, no second receipt number.
        again = client.post(cash_url(dossier), {"so_tien": "15000"})
        assert again.status_code == 302
        assert Payment.objects.count() == 1
        assert DossierEvent.objects.filter(dossier=dossier, action="pay").count() == 1
        page = client.get(reverse("backoffice:dossier", args=[dossier.code]))
        assert "Khoản thu này đã được ghi nhận trước đó." in page.content.decode()

    @pytest.mark.parametrize(
        ("raw", "status"),
        [("14000", 422), ("", 400), ("15k", 400), ("-15000", 400), ("1" * 30, 400)],
    )
    def test_wrong_or_unreadable_amount_changes_nothing(
        self, client, dossier, officers, raw, status
    ):
        client.force_login(officers["reception"])
        response = client.post(cash_url(dossier), {"so_tien": raw})
        assert response.status_code == status
        assert 'role="alert"' in response.content.decode()
        assert not Payment.objects.exists()
        assert not DossierEvent.objects.filter(action="pay").exists()

    @pytest.mark.parametrize("who", ["specialist", "center_admin"])
    def test_other_roles_of_the_center_are_refused(self, client, dossier, officers, who):
        client.force_login(officers[who])
        assert client.post(cash_url(dossier), {"so_tien": "15000"}).status_code == 403
        assert not Payment.objects.exists()

    @pytest.mark.parametrize("who", ["other_reception", "provincial_viewer"])
    def test_outside_the_center_is_refused(self, client, dossier, officers, who):
        client.force_login(officers[who])
        assert client.post(cash_url(dossier), {"so_tien": "15000"}).status_code in (403, 404)
        assert not Payment.objects.exists()

    def test_other_centers_reception_gets_a_404(self, client, dossier, officers):
        client.force_login(officers["other_reception"])
        assert client.post(cash_url(dossier), {"so_tien": "15000"}).status_code == 404

    def test_anonymous_goes_to_the_login(self, client, dossier):
        response = client.post(cash_url(dossier), {"so_tien": "15000"})
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
        assert not Payment.objects.exists()

    def test_get_is_not_allowed(self, client, dossier, officers):
        client.force_login(officers["reception"])
        assert client.get(cash_url(dossier)).status_code == 405

    def test_the_dossier_page_shows_the_qr_and_the_button(self, client, dossier, officers):
        client.force_login(officers["reception"])
        html = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
        assert "data-payment-qr" in html and "data-cash-form" in html
        client.force_login(officers["specialist"])
        html = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
        assert "data-payment-qr" in html and "data-cash-form" not in html


class TestRecordCashService:
    def test_another_method_already_paid_is_refused(self, dossier):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        Payment.objects.filter(dossier=dossier).update(method="online_national")
        with pytest.raises(AlreadyPaid):
            record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 40))

    def test_wrong_amount(self, dossier):
        with pytest.raises(WrongAmount):
            record_cash(dossier.pk, amount_vnd=15001, actor="user:1", now=vn(2025, 7, 7, 9, 30))


class TestReceiptNumbers:
    def test_gapless_per_center_and_year(self, center, other_center, procedure, account):
        CollectionAccount.objects.create(
            center=other_center, bank_bin="970405", account_number="1234", account_name="UBND"
        )
        labels = []
        moments = [
            (center, vn(2025, 12, 31, 9, 0)),
            (center, vn(2025, 12, 31, 10, 0)),
            (other_center, vn(2025, 12, 31, 11, 0)),
            (center, vn(2026, 1, 2, 8, 0)),  # a new year starts at 1
            (center, vn(2026, 1, 2, 9, 0)),
        ]
        for index, (where, moment) in enumerate(moments):
            dossier, _ = submit(
                where, procedure, key=f"n{index}", now=moment - timedelta(minutes=5)
            )
            outcome = record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=moment)
            labels.append(outcome.payment.receipt_label)
        assert labels == [
            "0000001/2025",
            "0000002/2025",
            "0000001/2025",
            "0000001/2026",
            "0000002/2026",
        ]

    def test_a_refused_payment_takes_no_number(self, dossier, center, procedure):
        with pytest.raises(WrongAmount):
            record_cash(dossier.pk, amount_vnd=1, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        outcome = record_cash(
            dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 31)
        )
        assert outcome.payment.receipt_number == 1


class TestReceiptPdf:
    @pytest.mark.parametrize(
        ("amount", "words"),
        [
            (15000, "Mười lăm nghìn đồng"),
            (105000, "Một trăm linh năm nghìn đồng"),
            (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        ],
    )
    def test_amount_in_words(self, amount, words):
        assert amount_in_words(amount) == words

    def test_prints_what_a_receipt_must_say(self, client, dossier, officers):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        client.force_login(officers["reception"])
        response = client.get(reverse("payments_officer:receipt", args=[dossier.code]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "no-store, private"
        text = pdf_text(response.content)
        for expected in [
            "BIÊN LAI THU PHÍ, LỆ PHÍ",
            "Số: 0000001/2025",
            APPLICANT.name,
            dossier.code,
            dossier.procedure.name,
            "15.000 đồng",
            "Mười lăm nghìn đồng",
            "Tiền mặt tại Trung tâm",
            "09 giờ 30 phút, ngày 07 tháng 07 năm 2025",
            dossier.center.name,
            "UBND XÃ HIỀN LƯƠNG",
        ]:
            assert expected in text, expected


class TestReceiptAccess:
    @pytest.fixture
    def paid(self, dossier):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        return dossier

    def public(self, dossier, token=None):
        url = reverse("payments:receipt", args=[dossier.code])
        return f"{url}?t={token}" if token is not None else url

    @pytest.mark.parametrize("who", ["reception", "specialist", "center_admin"])
    def test_center_staff_read_it(self, client, paid, officers, who):
        client.force_login(officers[who])
        assert client.get(reverse("payments_officer:receipt", args=[paid.code])).status_code == 200
        assert client.get(self.public(paid)).status_code == 200

    @pytest.mark.parametrize("who", ["other_reception", "provincial_viewer"])
    def test_others_do_not(self, client, paid, officers, who):
        client.force_login(officers[who])
        officer = client.get(reverse("payments_officer:receipt", args=[paid.code]))
        assert officer.status_code in (403, 404)
        public = client.get(self.public(paid))
        assert public.status_code == 403
        assert APPLICANT.name.encode() not in officer.content + public.content

    def test_anonymous_needs_the_token(self, client, paid):
        assert client.get(self.public(paid)).status_code == 403
        assert client.get(self.public(paid, "nonsense")).status_code == 403
        other = receipt_token("000.00.25.H45-250707-0002")  # a token for another code
        assert client.get(self.public(paid, other)).status_code == 403
        good = client.get(self.public(paid, receipt_token(paid.code)))
        assert good.status_code == 200
        assert APPLICANT.name in pdf_text(good.content)

    def test_the_token_expires_after_an_hour(self, client, paid, monkeypatch):
        token = receipt_token(paid.code)
        later = time_module.time() + 3601
        monkeypatch.setattr(time_module, "time", lambda: later)
        assert client.get(self.public(paid, token)).status_code == 403

    def test_no_payment_no_receipt(self, client, dossier, officers):
        client.force_login(officers["reception"])
        assert (
            client.get(reverse("payments_officer:receipt", args=[dossier.code])).status_code == 404
        )
        assert client.get(self.public(dossier, receipt_token(dossier.code))).status_code == 404


class TestTrackingPage:
    """The payment block appears only behind the tracking page's second factor."""

    def lookup(self, client, dossier, digits):
        return client.post(reverse("dossiers:track_search"), {"ma": dossier.code, "so": digits})

    def test_unpaid_shows_the_qr_after_the_digits(self, client, dossier):
        html = self.lookup(client, dossier, APPLICANT.id_number[-4:]).content.decode()
        assert 'data-payment="unpaid"' in html and "<svg" in html
        assert "15.000 đồng" in html and dossier.code in html

    def test_nothing_without_the_second_factor(self, client, dossier):
        wrong = self.lookup(client, dossier, "0000").content.decode()
        bare = client.get(reverse("dossiers:track", args=[dossier.code])).content.decode()
        for html in (wrong, bare):
            assert "data-payment" not in html and "0011001234567" not in html

    def test_paid_links_a_receipt_that_opens(self, client, dossier):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        response = self.lookup(client, dossier, APPLICANT.id_number[-4:])
        html = response.content.decode()
        assert 'data-payment="paid"' in html and "<svg" not in html
        start = html.index('href="', html.index("data-receipt") - 200) + len('href="')
        link = html[start : html.index('"', start)].replace("&amp;", "&")
        pdf = client.get(link)
        assert pdf.status_code == 200 and "0000001/2025" in pdf_text(pdf.content)

    def test_the_slip_token_shows_it_too(self, client, dossier):
        from motcua.dossiers.services import tracking_token

        url = reverse("dossiers:track", args=[dossier.code])
        html = client.get(f"{url}?t={tracking_token(dossier.code)}").content.decode()
        assert 'data-payment="unpaid"' in html


def test_free_dossier_has_no_payment_block(client, center, procedure, account, officers):
    dossier, _ = submit(center, procedure, key="free", channel="postal", actor="user:1")
    client.force_login(officers["reception"])
    html = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert "data-payment" not in html
