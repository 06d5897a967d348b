"""Receiving a dossier at the counter (or by post) over HTTP, as the reception officer does it:
card → procedure → e-form and papers → submit → Mẫu 01 slip; then its guards."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from motcua.backoffice import intake_views
from motcua.catalog.models import Procedure
from motcua.dossiers.models import CitizenDocument, Dossier, DossierDocument, DossierEvent
from motcua.dossiers.services import DossierError
from motcua.reports import kpi
from motcua.reports.models import DossierFact

from .conftest import make_officer, vn

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"
START = "/can-bo/tiep-nhan/"
CHOOSE = "/can-bo/tiep-nhan/thu-tuc/"
FORM = f"/can-bo/tiep-nhan/to-khai/{BIRTH}/"
DONE = "/can-bo/tiep-nhan/phieu-hen/"
# A real-format QR payload of a chip ID card (fictitious person).
QR_PAYLOAD = (
    "025190012345|123456789|Nguyễn Thị Lan|15031990|Nữ|Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ|20042021"
)
ID_NUMBER = "025190012345"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def desk(client, center, officers, tiny_catalog, fake_finder, clock):
    """The reception officer of the center, signed in at the counter on Monday 7/7/2025."""
    client.force_login(officers["reception"])
    return client


@pytest.fixture
def hook_calls(monkeypatch) -> list:
    calls = []

    def record(request, dossier, ticket_id):
        calls.append((dossier.code, ticket_id, request.user.username))

    monkeypatch.setattr(intake_views.intake_hooks, "after_counter_intake", record)
    return calls


def checklist() -> dict[str, int]:
    procedure = Procedure.objects.get(code=BIRTH)
    return {d.name: d.pk for d in procedure.documents.all()}


def birth_answers(**overrides) -> dict:
    """What the officer types for a birth registration (the card fills the requester)."""
    data = {
        "requester_relationship": "Mẹ",
        "requester_phone": "0912 345 678",
        "child_full_name": "Nguyễn Minh An",
        "child_birth_date": "01/07/2025",
        "child_sex": "Nam",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Trạm Y tế xã Hiền Lương, tỉnh Phú Thọ",
        "child_hometown": "Phú Thọ",
        "mother_full_name": "Nguyễn Thị Lan",
        "mother_birth_date": "15/03/1990",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        "mother_id_number": ID_NUMBER,
        "pledge": "on",
        "delivery": "at_center",
    }
    data.update(overrides)
    return data


def scan(client, text=QR_PAYLOAD, channel="counter", ticket=""):
    return client.post(START, {"scan": text, "channel": channel, "ticket": ticket})


def open_form(client) -> str:
    page = client.get(FORM)
    assert page.status_code == 200
    return page.context["submit_key"]


def certificate_upload(name="giay-chung-sinh.pdf", content=PDF, kind="application/pdf"):
    return SimpleUploadedFile(name, content, kind)


def submit_birth(client, key, *, certificate="file", **overrides):
    """Post the form; the birth certificate scanned ("file"), ticked on paper, or both."""
    docs = checklist()
    data = birth_answers(submit_key=key, **overrides)
    if certificate in ("file", "both"):
        data[f"doc_{docs['Giấy chứng sinh']}_file"] = certificate_upload()
    if certificate in ("paper", "both"):
        data[f"doc_{docs['Giấy chứng sinh']}_paper"] = "on"
    return client.post(FORM, data)


def pdf_text(response) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


class TestWalkInDossier:
    def test_birth_registration_from_card_to_slip(self, desk, officers, center, hook_calls):
        inbox = desk.get("/can-bo/").content.decode()
        assert "Tiếp nhận hồ sơ tại quầy" in inbox and START in inbox

        assert desk.get(START, {"ticket": "41"}).status_code == 200
        response = scan(desk, ticket="41")
        assert response.status_code == 302 and response["Location"] == CHOOSE
        found = desk.post(CHOOSE, {"q": "khai sinh"})
        assert FORM in found.content.decode()
        form_page = desk.get(FORM)
        body = form_page.content.decode()
        assert "Nguyễn Thị Lan" in body  # prefilled from the card
        assert "Đã nhận bản giấy" in body  # the officer's wording of the checklist

        response = submit_birth(desk, form_page.context["submit_key"])
        assert response.status_code == 302, response.context["form"].errors
        assert response["Location"] == DONE

        dossier = Dossier.objects.get()
        officer = officers["reception"]
        actor = f"user:{officer.pk}"
        assert dossier.center == center
        assert dossier.channel == "counter" and dossier.status == "received"
        assert dossier.submitted_by == actor
        assert dossier.applicant_name == "Nguyễn Thị Lan"
        assert dossier.applicant_id_number == ID_NUMBER
        assert dossier.applicant_phone == "0912345678"
        assert dossier.form_data["child_full_name"] == "Nguyễn Minh An"
        assert dossier.received_at == vn(2025, 7, 7, 9, 30)
        assert dossier.result_delivery == "at_center"

        documents = list(dossier.documents.order_by("position"))
        # Only what was handed in: the conditional power of attorney was not.
        assert [d.name for d in documents] == ["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]
        certificate, declaration = documents
        assert certificate.file and certificate.content_type == "application/pdf"
        assert certificate.digitized and certificate.digitized_by == actor
        assert certificate.digitized_at == vn(2025, 7, 7, 9, 30)
        assert not certificate.provided_on_paper
        assert declaration.digitized and not declaration.file and not declaration.provided_on_paper

        event = DossierEvent.objects.get(dossier=dossier)
        assert event.seq == 1 and event.action == "receive" and event.actor == actor
        assert event.data["channel"] == "counter" and event.data["national_channel"] == 1
        assert hook_calls == [(dossier.code, 41, officer.username)]

        done = desk.get(DONE)
        page = done.content.decode()
        assert dossier.code in page
        assert "no-store" in done["Cache-Control"]
        assert f'href="{START}?ticket=41"' in page  # another dossier for the same citizen
        links = re.findall(r'href="([^"]+phieu-hen\.pdf\?kho=(?:a5|80))"', page)
        assert len(links) == 2
        for link in links:
            slip = desk.get(link)
            assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
            text = " ".join(pdf_text(slip).split())
            assert dossier.code in text and "Giấy chứng sinh" in text
            assert "ủy quyền" not in text  # never a paper nobody handed in
            assert "a) Đã nhận bản điện tử (2): 1) Giấy chứng sinh (tệp: " in text
            assert "2) Tờ khai đăng ký khai sinh (tờ khai điện tử)" in text
            assert "b) Đã nhận bản giấy: không có" in text  # scanned, not kept on paper
            assert "Còn phải mang" not in text  # received by an officer: nothing to bring

    def test_scans_at_intake_count_as_digitized_for_kpi_4_2(self, desk):
        scan(desk)
        assert submit_birth(desk, open_form(desk)).status_code == 302
        dossier = Dossier.objects.get()
        fact = DossierFact.objects.get(dossier=dossier)
        assert fact.digitized_at == vn(2025, 7, 7, 9, 30)
        report = kpi.compute(date(2025, 7, 1), date(2025, 7, 31), now=vn(2025, 7, 7, 12, 0))
        assert report.received == 1 and report.digitized == 1
        assert report.indices["4.2"].rate == 100.0
        # The scan joins the citizen's store, to be reused by the next dossier (KPI 4.3).
        stored = CitizenDocument.objects.get(owner_id_number=ID_NUMBER)
        assert stored.source_dossier == dossier and stored.name == "Giấy chứng sinh"

    def test_paper_only_component_is_marked_and_not_digitized(self, desk):
        scan(desk)
        assert submit_birth(desk, open_form(desk), certificate="paper").status_code == 302
        dossier = Dossier.objects.get()
        certificate = dossier.documents.get(name="Giấy chứng sinh")
        assert certificate.provided_on_paper and not certificate.file
        assert not certificate.digitized and certificate.digitized_at is None
        assert DossierFact.objects.get(dossier=dossier).digitized_at is None
        assert (certificate.originals, certificate.copies) == (1, 0)  # as the catalog asks
        slip = desk.get(f"/ho-so/{dossier.code}/phieu-hen.pdf?kho=a5")
        text = " ".join(pdf_text(slip).split())
        assert "b) Đã nhận bản giấy (1): 1) Giấy chứng sinh (01 bản chính)" in text

    def test_paper_and_scan_of_the_same_component(self, desk):
        scan(desk)
        assert submit_birth(desk, open_form(desk), certificate="both").status_code == 302
        certificate = DossierDocument.objects.get(name="Giấy chứng sinh")
        assert certificate.provided_on_paper and certificate.digitized and certificate.file
        slip = desk.get(f"/ho-so/{certificate.dossier.code}/phieu-hen.pdf?kho=a5")
        text = " ".join(pdf_text(slip).split())
        assert "a) Đã nhận bản điện tử (2): 1) Giấy chứng sinh (tệp: " in text
        assert "b) Đã nhận bản giấy (1): 1) Giấy chứng sinh (01 bản chính)" in text

    def test_typed_number_and_details(self, desk):
        assert scan(desk, text="0251 9001 2345").status_code == 302
        key = open_form(desk)
        response = submit_birth(
            desk,
            key,
            requester_full_name="Nguyễn Thị Lan",
            requester_birth_date="15/03/1990",
            requester_address="Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        )
        assert response.status_code == 302, response.context["form"].errors
        dossier = Dossier.objects.get()
        assert dossier.applicant_name == "Nguyễn Thị Lan"
        assert dossier.applicant_id_number == ID_NUMBER
        assert dossier.applicant_birth_date == date(1990, 3, 15)

    def test_mrz_typed_by_an_ocr_scanner_on_one_line(self, desk):
        from tests.identity.helpers import mrz_lines

        lines = mrz_lines(ID_NUMBER, date(1990, 3, 15), "Nữ", date(2030, 3, 15), "NGUYEN", ["LAN"])
        assert scan(desk, text="".join(lines)).status_code == 302
        response = submit_birth(
            desk, open_form(desk), requester_address="Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ"
        )
        assert response.status_code == 302, response.context["form"].errors
        dossier = Dossier.objects.get()
        assert dossier.applicant_id_number == ID_NUMBER
        assert dossier.applicant_birth_date == date(1990, 3, 15)
        assert dossier.applicant_sex == "female"

    def test_typed_number_needs_the_typed_name(self, desk):
        scan(desk, text=ID_NUMBER)
        response = submit_birth(desk, open_form(desk))
        assert response.status_code == 400
        assert "Chưa điền." in response.content.decode()  # beside the field, naming it
        assert not Dossier.objects.exists()

    def test_choice_by_field(self, desk):
        scan(desk)
        page = desk.get(CHOOSE).content.decode()
        sectors = re.findall(r'href="(/can-bo/tiep-nhan/thu-tuc/linh-vuc/[^"]+/)"', page)
        pages = {url: desk.get(url).content.decode() for url in sectors}
        assert [url for url, body in pages.items() if FORM in body] == [
            "/can-bo/tiep-nhan/thu-tuc/linh-vuc/ho-tich/"
        ]
        assert desk.get("/can-bo/tiep-nhan/thu-tuc/linh-vuc/khong-co/").status_code == 404

    def test_search_answers_htmx_with_the_results_only(self, desk):
        scan(desk)
        response = desk.post(CHOOSE, {"q": "khai sinh"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert response.status_code == 200 and FORM in body and "<html" not in body


class TestIdempotency:
    def test_double_click_creates_one_dossier(self, desk, hook_calls):
        scan(desk, ticket="7")
        key = open_form(desk)
        first = submit_birth(desk, key)
        second = submit_birth(desk, key)
        assert first["Location"] == DONE and second["Location"] == DONE
        assert Dossier.objects.count() == 1
        assert DossierEvent.objects.count() == 1
        assert len(hook_calls) == 1

    def test_same_key_after_a_lost_answer_returns_the_same_dossier(self, desk, officers):
        """The first request committed but the browser never saw it, and the session kept the
        form: the service answers with the dossier of the key, not a second one."""
        scan(desk)
        key = open_form(desk)
        session = desk.session
        saved = dict(session[intake_views.SESSION_KEY])
        assert submit_birth(desk, key).status_code == 302
        session = desk.session
        session[intake_views.SESSION_KEY] = saved
        session.save()
        assert submit_birth(desk, key)["Location"] == DONE
        assert Dossier.objects.count() == 1

    def test_a_new_form_screen_is_a_new_dossier(self, desk):
        scan(desk)
        assert submit_birth(desk, open_form(desk)).status_code == 302
        scan(desk)
        assert submit_birth(desk, open_form(desk)).status_code == 302
        assert Dossier.objects.count() == 2


class TestPostal:
    def test_postal_dossier_has_no_ticket_and_the_postal_channel(self, desk, hook_calls):
        assert scan(desk, channel="postal").status_code == 302
        page = desk.get(FORM)
        assert page.context["delivery"] == "postal"
        response = submit_birth(desk, page.context["submit_key"], delivery="postal")
        assert response.status_code == 302
        dossier = Dossier.objects.get()
        assert dossier.channel == "postal" and dossier.result_delivery == "postal"
        event = dossier.events.get()
        assert event.data["channel"] == "postal" and event.data["national_channel"] == 3
        assert hook_calls == [(dossier.code, None, "tiepnhan")]

    def test_postal_with_a_ticket_is_refused(self, desk):
        response = scan(desk, channel="postal", ticket="12")
        assert response.status_code == 400
        assert "bưu chính không có phiếu thứ tự" in response.content.decode()
        assert desk.get(CHOOSE).status_code == 200  # shows the card step again
        assert "card_token" not in desk.session.get(intake_views.SESSION_KEY, {})


class TestAccess:
    @pytest.mark.parametrize("role", ["specialist", "leader", "center_admin", "provincial_viewer"])
    def test_other_roles_are_refused(self, client, officers, tiny_catalog, role):
        client.force_login(officers[role])
        for url in (START, CHOOSE, FORM, DONE):
            response = client.get(url)
            assert response.status_code == 403, (role, url)
            assert "Không được tiếp nhận hồ sơ" in response.content.decode()
        assert client.post(START, {"scan": QR_PAYLOAD, "channel": "counter"}).status_code == 403
        assert "Tiếp nhận hồ sơ tại quầy" not in client.get("/can-bo/").content.decode()
        assert not Dossier.objects.exists()

    def test_anonymous_goes_to_the_login(self, client, tiny_catalog):
        response = client.get(START)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]

    def test_inactive_membership_is_refused(self, client, officers, tiny_catalog):
        membership = officers["reception"].membership
        membership.is_active = False
        membership.save()
        client.force_login(officers["reception"])
        assert client.get(START).status_code == 403

    def test_officer_of_another_center_files_at_their_own(
        self, client, center, other_center, tiny_catalog, fake_finder, clock
    ):
        officer_b = make_officer("tiepnhan_b", "reception", other_center)
        client.force_login(officer_b)
        scan(client)
        assert submit_birth(client, open_form(client)).status_code == 302
        dossier = Dossier.objects.get()
        assert dossier.center == other_center and dossier.submitted_by == f"user:{officer_b.pk}"

    def test_a_session_pointing_at_another_centers_dossier_shows_nothing(
        self, desk, client, center, other_center, officers
    ):
        scan(desk)
        assert submit_birth(desk, open_form(desk)).status_code == 302
        dossier_a = Dossier.objects.get()
        officer_b = make_officer("tiepnhan_b", "reception", other_center)
        client.force_login(officer_b)
        session = client.session
        session[intake_views.SESSION_KEY] = {
            "user": officer_b.pk,
            "center": other_center.pk,
            "channel": "counter",
            "done_key": "x",
            "dossier_code": dossier_a.code,
        }
        session.save()
        response = client.get(DONE)
        assert response.status_code == 302 and response["Location"] == START
        # And another officer's intake in the same browser is never picked up.
        session = client.session
        session[intake_views.SESSION_KEY] = {**desk.session[intake_views.SESSION_KEY]}
        session.save()
        assert client.get(DONE)["Location"] == START

    def test_no_personal_data_in_urls(self, desk):
        locations = [scan(desk)["Location"]]
        locations.append(submit_birth(desk, open_form(desk))["Location"])
        page = desk.get(DONE).content.decode()
        hrefs = re.findall(r'(?:href|action|hx-post)="([^"]+)"', page)
        for url in locations + hrefs:
            assert ID_NUMBER not in url and "Nguy" not in url


class TestBadInput:
    def test_invalid_card_number(self, desk):
        response = scan(desk, text="12345")
        assert response.status_code == 400
        assert "12 chữ số" in response.content.decode()
        assert "card_token" not in desk.session.get(intake_views.SESSION_KEY, {})

    def test_unknown_channel_and_bad_ticket(self, desk):
        response = scan(desk, channel="fax")
        assert response.status_code == 400
        assert "tại quầy hay nhận qua bưu chính" in response.content.decode()
        response = desk.get(START, {"ticket": "12a"})
        assert response.status_code == 400
        assert "Mã phiếu thứ tự không hợp lệ" in response.content.decode()
        assert scan(desk, ticket="²").status_code == 400

    def test_missing_required_fields_keep_the_scan_and_save_nothing(self, desk, media_root):
        scan(desk)
        key = open_form(desk)
        response = submit_birth(desk, key, child_full_name="", pledge="")
        assert response.status_code == 400
        body = response.content.decode()
        assert "Chưa điền." in body
        assert "Đã nhận tệp “giay-chung-sinh.pdf”" in body  # the scan waits for the next try
        assert not Dossier.objects.exists() and not DossierDocument.objects.exists()
        # The next try sends the parked scan's token instead of the file.
        token = response.context["form"].data[f"doc_{checklist()['Giấy chứng sinh']}_token"]
        data = birth_answers(submit_key=key)
        data[f"doc_{checklist()['Giấy chứng sinh']}_token"] = token
        assert desk.post(FORM, data).status_code == 302
        assert Dossier.objects.get().documents.get(name="Giấy chứng sinh").digitized

    def test_required_paper_missing(self, desk):
        scan(desk)
        response = submit_birth(desk, open_form(desk), certificate="none")
        assert response.status_code == 400
        assert "Giấy tờ bắt buộc chưa có" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_file_too_large(self, desk, settings):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 20
        scan(desk)
        response = submit_birth(desk, open_form(desk))
        assert response.status_code == 400
        assert "quá lớn" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_file_of_the_wrong_type(self, desk):
        scan(desk)
        key = open_form(desk)
        data = birth_answers(submit_key=key)
        data[f"doc_{checklist()['Giấy chứng sinh']}_file"] = SimpleUploadedFile(
            "giay.pdf", b"<html>not a scan</html>", "application/pdf"
        )
        response = desk.post(FORM, data)
        assert response.status_code == 400
        assert "không phải ảnh chụp (JPEG), ảnh quét (PNG) hoặc PDF" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_draft_procedure_is_not_received(self, desk):
        scan(desk)
        response = desk.get("/can-bo/tiep-nhan/to-khai/1.004194/")
        assert response.status_code == 404
        assert "không có trong các thủ tục đang tiếp nhận" in response.content.decode()
        found = desk.post(CHOOSE, {"q": "tạm trú"}).content.decode()
        assert "/to-khai/1.004194/" not in found

    def test_procedure_no_longer_in_force_is_not_received(self, desk):
        scan(desk)
        key = open_form(desk)
        Procedure.objects.filter(code=BIRTH).update(valid_to=date(2025, 6, 30))
        response = submit_birth(desk, key)
        assert response.status_code == 404
        assert not Dossier.objects.exists()

    def test_stale_form_from_an_earlier_intake_changes_nothing(self, desk):
        scan(desk)
        old_key = open_form(desk)
        # The officer starts over for the next citizen; the first tab is still open.
        desk.get(START)
        scan(desk, text="0251 9001 2345")
        open_form(desk)
        response = submit_birth(desk, old_key)
        assert response.status_code == 409
        assert "Màn hình tiếp nhận này đã cũ" in response.content.decode()
        assert not Dossier.objects.exists()
        # The intake of the next citizen is still open and goes through.
        new_key = desk.session[intake_views.SESSION_KEY]["submit_key"]
        response = submit_birth(
            desk,
            new_key,
            requester_full_name="Trần Thị Hoa",
            requester_address="Thôn 2, Xã Hiền Lương, Tỉnh Phú Thọ",
        )
        assert response.status_code == 302, response.context["form"].errors
        assert Dossier.objects.get().applicant_name == "Trần Thị Hoa"

    def test_forged_or_missing_key(self, desk):
        scan(desk)
        open_form(desk)
        assert submit_birth(desk, "").status_code == 409
        assert submit_birth(desk, "0" * 32).status_code == 409
        assert not Dossier.objects.exists()

    def test_post_without_any_intake_changes_nothing(self, desk):
        assert submit_birth(desk, "abc").status_code == 409
        assert not Dossier.objects.exists()

    def test_card_reading_expired_asks_for_the_card_again(self, desk, settings):
        scan(desk)
        key = open_form(desk)
        settings.IDENTITY_CARD_TOKEN_MAX_AGE = -1
        response = submit_birth(desk, key)
        assert response.status_code == 200
        assert "quét lại" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_bad_result_delivery(self, desk):
        scan(desk)
        response = submit_birth(desk, open_form(desk), delivery="by-pigeon")
        assert response.status_code == 400
        assert "Chọn nơi công dân nhận kết quả" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_hidden_characters_in_search(self, desk):
        scan(desk)
        response = desk.post(CHOOSE, {"q": "khai\u200bsinh"})
        assert response.status_code == 400
        assert not response.context.get("results")

    def test_closed_center_refuses_with_a_message(self, desk, center):
        scan(desk)
        key = open_form(desk)
        center.is_active = False
        center.save()
        response = submit_birth(desk, key)
        assert response.status_code == 409
        assert "không tiếp nhận hồ sơ" in response.content.decode()
        assert not Dossier.objects.exists()

    def test_hook_refusal_rolls_everything_back(self, desk, monkeypatch, media_root):
        def refuse(request, dossier, ticket_id):
            raise DossierError("Phiếu thứ tự này không còn được phục vụ tại quầy.")

        monkeypatch.setattr(intake_views.intake_hooks, "after_counter_intake", refuse)
        scan(desk, ticket="5")
        response = submit_birth(desk, open_form(desk))
        assert response.status_code == 400
        assert "không còn được phục vụ" in response.content.decode()
        assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
        assert not CitizenDocument.objects.exists()
        assert list(media_root.glob("ho-so/**/*.pdf")) == []
