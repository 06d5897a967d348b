"""Papers that tell the truth (issue 14): what the kiosk, the slip and the officer's page say.

A kiosk takes no paper, so a kiosk dossier is registered ("Mới đăng ký"), not received, until
reception has checked the papers (docs/decisions/0005). The slip lists what was received
electronically, by file name, and what the citizen must still bring; a counter dossier lists the
paper an officer received. Fees agree on the review page, the slip and the dossier page.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.centers.models import StaffMembership
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import Applicant, SubmittedDocument, submit_dossier
from motcua.notices.models import Notice
from motcua.reports.models import DossierFact
from tests.backoffice.conftest import make_officer

from .conftest import QR_PAYLOAD
from .test_flow import BIRTH, birth_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    # Every test's first dossier has the same code: files must not meet an earlier test's.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CERTIFICATE = "Giấy chứng sinh"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    return " ".join(nfc(text).split())


def pdf_text(content: bytes) -> str:
    return flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def html_text(response) -> str:
    return flat(re.sub(r"<[^>]+>", " ", response.content.decode()))


def certificate(procedure_code: str = BIRTH) -> RequiredDocument:
    return RequiredDocument.objects.get(
        procedure__code=procedure_code, name__startswith=CERTIFICATE
    )


def submit_birth_with_one_scan(kiosk_client, **overrides) -> Dossier:
    """Khai sinh at the kiosk: the giấy chứng sinh scanned; the ID paper, the other required
    one, ticked "Tôi nộp bản giấy tại quầy" (the citizen will show it at the counter)."""
    kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
    data = birth_form_data(kiosk_client, **overrides)
    identity = RequiredDocument.objects.get(procedure__code=BIRTH, name__startswith="Hộ chiếu/")
    data = {k: v for k, v in data.items() if not k.endswith("_paper")}
    data[f"doc_{identity.pk}_paper"] = "on"
    pk = certificate().pk
    data[f"doc_{pk}_file"] = SimpleUploadedFile("giay-chung-sinh.pdf", PDF_BYTES, "application/pdf")
    response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data)
    assert response.status_code == 302, response.context["form"].errors
    review = kiosk_client.get("/kiosk/xac-nhan/")
    kiosk_client.review_html = review
    response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": review.context["submit_key"]})
    assert response["Location"] == "/kiosk/phieu-hen/"
    return Dossier.objects.get()


def kiosk_slip_pdf(kiosk_client) -> bytes:
    done = kiosk_client.get("/kiosk/phieu-hen/").content.decode()
    url = re.search(r'href="([^"]+phieu-hen\.pdf\?kho=a5[^"]*)"', done).group(1)
    return kiosk_client.get(url.replace("&amp;", "&")).content


def kiosk_slip(kiosk_client) -> str:
    return pdf_text(kiosk_slip_pdf(kiosk_client))


@pytest.fixture
def reception(demo_center):
    return make_officer("le-tan", "reception", demo_center)


class TestKioskDossierWithOneScanAndNoPaper:
    def test_recorded_as_registered_with_the_scan_and_no_paper(self, kiosk_client):
        dossier = submit_birth_with_one_scan(kiosk_client)
        assert dossier.status == "submitted"
        assert dossier.events.get().to_status == "submitted"
        rows = list(dossier.documents.order_by("position"))
        assert not any(row.provided_on_paper for row in rows)
        assert all(row.originals == 0 and row.copies == 0 for row in rows)
        scanned = [row for row in rows if row.file]
        assert [row.required_document_id for row in scanned] == [certificate().pk]
        # The declaration is the e-form itself: received electronically, not on paper.
        declaration = [row for row in rows if row.from_eform]
        assert declaration and all(not row.file for row in declaration)

    def test_done_page_says_registered_and_what_to_bring(self, kiosk_client):
        submit_birth_with_one_scan(kiosk_client)
        page = html_text(kiosk_client.get("/kiosk/phieu-hen/"))
        assert "Hồ sơ của bạn đã được đăng ký" in page
        assert "đã được tiếp nhận" not in page
        assert "cán bộ tiếp nhận sẽ kiểm tra giấy tờ tại quầy" in page
        assert "Mời bạn mang đến quầy để cán bộ kiểm tra" in page
        assert re.search(r"Giấy chứng sinh[^(]*\(01 bản chính\)", page)
        assert re.search(r"Hộ chiếu/Thẻ căn cước.*?\(01 bản chính\)", page)
        assert "(tệp: giay-chung-sinh.pdf)" in page

    def test_slip_lists_the_scan_by_name_no_paper_and_the_original_to_bring(self, kiosk_client):
        submit_birth_with_one_scan(kiosk_client)
        text = kiosk_slip(kiosk_client)
        assert "PHIẾU ĐĂNG KÝ HỒ SƠ" in text
        assert "GIẤY TIẾP NHẬN" not in text
        assert "Hồ sơ đã được đăng ký, chưa được tiếp nhận." in text
        assert len(PdfReader(io.BytesIO(kiosk_slip_pdf(kiosk_client))).pages) == 1
        electronic = re.search(r"a\) Đã nhận bản điện tử \((\d+)\): (.*?) b\)", text)
        assert electronic, text
        assert "Giấy chứng sinh" in electronic.group(2)
        assert "(tệp: giay-chung-sinh.pdf)" in electronic.group(2)
        assert "(tờ khai điện tử)" in electronic.group(2)
        assert "b) Đã nhận bản giấy: không có" in text
        to_bring = re.search(r"c\) Còn phải mang đến quầy \(2\): 1\) (.*?); 2\) (.*?) 2\. Số", text)
        assert to_bring, text
        assert to_bring.group(1).startswith("Giấy chứng sinh")
        assert to_bring.group(1).endswith("(01 bản chính)")
        assert to_bring.group(2).startswith("Hộ chiếu/Thẻ căn cước")
        assert "Thời gian trả kết quả dự kiến" in text

    def test_tracking_page_says_registered(self, kiosk_client, client):
        from motcua.dossiers.services import tracking_token

        dossier = submit_birth_with_one_scan(kiosk_client)
        token = tracking_token(dossier.code)
        page = html_text(client.get(f"/ho-so/tra-cuu/{dossier.code}/", {"t": token}))
        assert "Mới đăng ký" in page
        assert "Ngày đăng ký (chưa được tiếp nhận)" in page
        assert "Ngày hẹn trả kết quả (dự kiến)" in page

    def test_a_paper_ticked_at_the_kiosk_is_to_bring_not_received(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", birth_form_data(kiosk_client))
        assert response.status_code == 302
        key = kiosk_client.get("/kiosk/xac-nhan/").context["submit_key"]
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        dossier = Dossier.objects.get()
        assert not dossier.documents.filter(provided_on_paper=True).exists()
        text = kiosk_slip(kiosk_client)
        assert "b) Đã nhận bản giấy: không có" in text
        to_bring = re.search(r"c\) Còn phải mang đến quầy \((\d+)\): (.*?) 2\. Số lượng", text)
        assert to_bring and "Giấy chứng sinh" in to_bring.group(2), text

    def test_the_applicant_hears_received_only_when_accepted(self, demo_center, catalog):
        from tests.dossiers.conftest import APPLICANT, submit
        from tests.dossiers.test_actions import act

        procedure = Procedure.objects.get(code=BIRTH)
        scan = SubmittedDocument(name=CERTIFICATE, content=PDF_BYTES, filename="cs.pdf")
        dossier, _ = submit(
            demo_center, procedure, documents=[scan], awaiting_check=True, now=timezone.now()
        )
        assert APPLICANT.email and not Notice.objects.filter(dossier=dossier).exists()
        act(dossier, "accept", "reception", at=timezone.now())
        notice = Notice.objects.get(dossier=dossier)
        assert notice.event.action == "accept" and "đã được tiếp nhận" in notice.subject


class TestReceptionChecksTheKioskDossier:
    def test_accept_receives_it_then_the_papers_and_the_counts_follow(
        self, kiosk_client, client, reception
    ):
        dossier = submit_birth_with_one_scan(kiosk_client)
        registered_at = dossier.received_at
        # Not received yet: outside the KPI population of QĐ 766.
        assert not DossierFact.objects.filter(pk=dossier.pk).exists()

        client.force_login(reception)
        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "Mới đăng ký" in page
        assert "Chờ mang bản giấy đến quầy" in page  # the ID paper, ticked at the kiosk
        counts = re.findall(r"<td data-paper-counts>([^<]*)</td>", page)
        assert counts and set(counts) == {"—"}  # nothing on paper yet

        seq = dossier.events.order_by("-seq").first().seq
        response = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/accept/", {"seen_seq": seq})
        assert response.status_code == 302, response.content.decode()[:1000]
        dossier.refresh_from_db()
        assert dossier.status == "received"
        assert dossier.received_at > registered_at
        event = dossier.events.get(action="accept")
        assert event.data["registered_at"] == registered_at.isoformat()
        assert datetime.fromisoformat(event.data["due_at"]) == dossier.due_at
        scan = dossier.documents.get(required_document=certificate())
        assert (scan.provided_on_paper, scan.originals, scan.copies) == (True, 1, 0)
        papers = dossier.documents.filter(provided_on_paper=True)
        assert event.data["papers_received"] == sorted(d.position for d in papers)
        assert scan.position in event.data["papers_received"] and papers.count() == 2
        fact = DossierFact.objects.get(pk=dossier.pk)
        assert (fact.received_at, fact.due_at) == (dossier.received_at, dossier.due_at)

        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        counts = re.findall(r"<td data-paper-counts>([^<]*)</td>", page)
        on_paper = dossier.documents.filter(provided_on_paper=True).count()
        assert sorted(counts) == sorted(["1 / 0"] * on_paper + ["—"] * (len(counts) - on_paper))

        slip = pdf_text(client.get(f"/ho-so/{dossier.code}/phieu-hen.pdf?kho=a5").content)
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip
        assert "Còn phải mang" not in slip
        assert re.search(
            r"b\) Đã nhận bản giấy \(2\): 1\) Giấy chứng sinh.*?\(01 bản chính\)", slip
        )


class TestCounterDossierWithPapersHandedIn:
    def test_slip_lists_the_paper_received_and_nothing_to_bring(self, client, demo_center, catalog):
        procedure = Procedure.objects.get(code=BIRTH)
        cert = certificate()
        with transaction.atomic():
            dossier, _ = submit_dossier(
                center=demo_center,
                procedure=procedure,
                applicant=Applicant(name="Nguyễn Thị Lan", id_number="025190012345"),
                form_data={},
                form_version=1,
                documents=[
                    SubmittedDocument(
                        name="Tờ khai đăng ký khai sinh", originals=1, provided_on_paper=True
                    ),
                    SubmittedDocument(
                        name=cert.name,
                        required_document_id=cert.pk,
                        originals=1,
                        provided_on_paper=True,
                        content=PDF_BYTES,
                        filename="chung-sinh-quet.pdf",
                    ),
                ],
                channel="counter",
                actor="user:1",
                idempotency_key="quay-1",
                now=timezone.now(),
            )
        assert dossier.status == "received"
        client.force_login(make_officer("quay", "reception", demo_center))
        slip = pdf_text(client.get(f"/ho-so/{dossier.code}/phieu-hen.pdf?kho=a5").content)
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip
        assert "a) Đã nhận bản điện tử (1): 1) Giấy chứng sinh" in slip
        assert "(tệp: chung-sinh-quet.pdf)" in slip
        assert "b) Đã nhận bản giấy (2): 1) Tờ khai đăng ký khai sinh (01 bản chính); 2) Giấy" in (
            slip
        )
        assert "Còn phải mang" not in slip
        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert re.findall(r"<td data-paper-counts>([^<]*)</td>", page) == ["1 / 0", "1 / 0"]


class TestRegisteredDossierOutsideTheKpiUntilAccepted:
    def test_refusing_a_registration_counts_it_as_refused(self, kiosk_client, client, reception):
        from motcua.reports.kpi import compute

        dossier = submit_birth_with_one_scan(kiosk_client)
        today = timezone.localdate()
        assert compute(today, today).received == 0
        client.force_login(reception)
        seq = dossier.events.order_by("-seq").first().seq
        client.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/refuse/",
            {"seen_seq": seq, "note": "Không mang giấy chứng sinh bản chính"},
        )
        report = compute(today, today, now=timezone.now() + timedelta(minutes=1))
        assert (report.received, report.refused) == (1, 1)


# --- fees ----------------------------------------------------------------------------------

COPY_DATA = {
    "subject_full_name": "Nguyễn Minh An",
    "subject_birth_date": "10/11/2020",
    "record_type": "Khai sinh",
    "registration_office": "UBND xã Hiền Lương, tỉnh Phú Thọ",
    "pledge": "on",
}
RESIDENCE_DATA = {
    "phone": "0912345678",
    "household_head_name": "Nguyễn Văn Bình",
    "household_relation": "Chủ hộ",
    "household_head_id_number": "025190012345",
    "request": "Đăng ký tạm trú",
    "new_address": "Thôn 2, xã Hiền Lương, tỉnh Phú Thọ",
    "residence_basis": "Ở cùng người thân",
    "pledge": "on",
}


def fill(kiosk_client, code: str, data: dict) -> dict:
    page = kiosk_client.get(f"/kiosk/to-khai/{code}/")
    assert page.status_code == 200
    data = dict(data)
    for name in page.context["form"].fields:
        if name.endswith("_paper"):
            data.setdefault(name, "on")
    if code == "1.004194":
        data["stay_until"] = (timezone.localdate() + timedelta(days=180)).strftime("%d/%m/%Y")
    return data


def three_surfaces(kiosk_client, client, code: str, data: dict) -> tuple[str, str, str]:
    """The fee as the review page, the slip and the officer's dossier page print it."""
    kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
    response = kiosk_client.post(f"/kiosk/to-khai/{code}/", fill(kiosk_client, code, data))
    assert response.status_code == 302, response.context["form"].errors
    review = kiosk_client.get("/kiosk/xac-nhan/")
    review_fee = re.search(r"<dd data-fee>([^<]*)</dd>", review.content.decode()).group(1)
    kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": review.context["submit_key"]})
    slip = kiosk_slip(kiosk_client)
    slip_fee = re.search(r"Phí, lệ phí: (.*?)(?: NGƯỜI NỘP| Vào Sổ| Tra cứu|$)", slip).group(1)
    dossier = Dossier.objects.get(procedure__code=code)
    officer = StaffMembership.objects.filter(center=dossier.center, role="reception").first()
    user = officer.user if officer else make_officer("phi", "reception", dossier.center)
    client.force_login(user)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    page_fee = re.search(r"<dt>Phí, lệ phí</dt><dd>([^<]*)</dd>", page).group(1)
    return nfc(review_fee.strip()), nfc(slip_fee.strip()), nfc(page_fee.strip())


def direct_channel(code: str):
    return Procedure.objects.get(code=code).channels.get(channel="direct")


class TestFeesAgreeWithTheCatalog:
    def test_free_birth_registration_without_copies(self, kiosk_client, client):
        channel = direct_channel(BIRTH)
        assert (channel.fee_vnd, channel.copy_fee_vnd) == (0, 8000)
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client, copies="0")
        review, slip, page = three_surfaces(kiosk_client, client, BIRTH, data)
        assert review == slip == page == "Miễn phí; bản sao (nếu yêu cầu): 8.000 đồng/bản"
        assert Dossier.objects.get().fee_vnd == 0

    def test_birth_registration_with_two_extract_copies(self, kiosk_client, client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client, copies="2")
        review, slip, page = three_surfaces(kiosk_client, client, BIRTH, data)
        assert review == slip == page == "16.000 đồng (2 bản sao × 8.000 đồng/bản)"
        dossier = Dossier.objects.get()
        assert (dossier.fee_vnd, dossier.copies_requested, dossier.copy_fee_vnd) == (16000, 2, 8000)

    def test_extract_copies_are_charged_per_copy(self, kiosk_client, client):
        channel = direct_channel("2.000635")
        assert (channel.fee_vnd, channel.copy_fee_vnd) == (0, 8000)
        data = {**COPY_DATA, "copies": "3"}
        review, slip, page = three_surfaces(kiosk_client, client, "2.000635", data)
        assert review == slip == page == "24.000 đồng (3 bản sao × 8.000 đồng/bản)"
        assert Dossier.objects.get().fee_vnd == 3 * channel.copy_fee_vnd

    def test_fixed_fee(self, kiosk_client, client):
        channel = direct_channel("1.004194")
        assert (channel.fee_vnd, channel.copy_fee_vnd, channel.fee_unit) == (10000, None, "")
        review, slip, page = three_surfaces(kiosk_client, client, "1.004194", RESIDENCE_DATA)
        assert review == slip == page == "10.000 đồng"
        assert Dossier.objects.get().fee_vnd == 10000

    def test_catalog_page_says_the_same_per_copy_fee(self, client, catalog):
        page = html_text(client.get("/thu-tuc/2.000635/"))
        assert "8.000 đồng/bản" in page


class TestDocumentRecordingGuards:
    def test_a_registration_cannot_claim_paper(self, demo_center, catalog):
        from motcua.dossiers.services import InvalidSubmission

        with pytest.raises(InvalidSubmission), transaction.atomic():
            submit_dossier(
                center=demo_center,
                procedure=Procedure.objects.get(code=BIRTH),
                applicant=Applicant(name="Nguyễn Thị Lan"),
                form_data={},
                form_version=1,
                documents=[SubmittedDocument(name=CERTIFICATE, provided_on_paper=True)],
                channel="kiosk",
                actor="kiosk:1",
                idempotency_key="k",
                now=timezone.now(),
                awaiting_check=True,
            )
        assert not DossierDocument.objects.exists()
