"""Issue 14, "papers that tell the truth": the leader reads what they sign, signs with their own
certificate, the paper names them and follows the catalog's result form, and the signed file
opens from the dossier page for the center's own staff only."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.db import transaction
from pypdf import PdfReader

from motcua.catalog.models import Procedure
from motcua.dossiers.actions import ActionRequest, perform
from motcua.dossiers.models import DossierEvent
from motcua.signing import preview
from motcua.signing.models import SignedResult, SigningCertificate
from motcua.signing.services import register_certificate

from .conftest import make_officer, submit, vn
from .test_flow import act

pytestmark = pytest.mark.django_db

BIRTH_FORM = {
    "requester_full_name": "Nguyễn Thị Ánh Tuyết",
    "requester_relationship": "Mẹ",
    "child_full_name": "Trần Minh Khôi",
    "child_birth_date": "2025-06-30",
    "child_sex": "Nam",
    "child_ethnicity": "Kinh",
    "child_nationality": "Việt Nam",
    "child_birth_place": "Trạm y tế xã Hiền Lương, tỉnh Phú Thọ",
    "child_hometown": "Xã Hiền Lương, tỉnh Phú Thọ",
    "mother_full_name": "Nguyễn Thị Ánh Tuyết",
    "mother_birth_date": "1990-03-12",
    "mother_ethnicity": "Kinh",
    "mother_nationality": "Việt Nam",
    "mother_address": "Thôn Đồng Xuân, xã Hiền Lương, tỉnh Phú Thọ",
}


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in reader.pages))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def to_signature(dossier, unit, now) -> None:
    """Reception hands the dossier over, the specialist submits it for signature."""
    with transaction.atomic():
        for action, role in (("assign", "reception"), ("submit_for_signature", "specialist")):
            seq = dossier.events.order_by("-seq").first().seq
            perform(
                dossier.pk,
                ActionRequest(
                    action=action,
                    role=role,
                    actor="user:1",
                    seen_seq=seq,
                    now=now,
                    data={"unit_id": unit.pk} if action == "assign" else {},
                ),
            )


@pytest.fixture
def waiting(dossier, unit, clock):
    to_signature(dossier, unit, clock.now)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def stranger(other_center):
    """An officer of the neighbouring center: every page of center A's dossier is a 404."""
    return make_officer("nguoingoai", "leader", other_center)


needs_pdftoppm = pytest.mark.skipif(
    preview.rasterizer() is None, reason="pdftoppm (poppler-utils) is not installed"
)


class TestPreviewBeforeSigning:
    @needs_pdftoppm
    def test_the_leader_sees_the_pages_of_the_document_in_the_page(self, client, officers, waiting):
        client.force_login(officers["leader"])
        html = client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()
        assert "data-preview" in html and "Văn bản sẽ ký" in html
        src = f"/can-bo/ho-so/{waiting.code}/ket-qua/du-thao/trang-1.png"
        assert f'src="{src}"' in html
        image = client.get(src)
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
        assert image["Cache-Control"] == "no-store, private"
        assert client.get(src.replace("trang-1", "trang-9")).status_code == 404

    def test_the_draft_is_the_result_with_the_leaders_name_marked_unsigned(
        self, client, officers, waiting
    ):
        client.force_login(officers["leader"])
        response = client.get(f"/can-bo/ho-so/{waiting.code}/ket-qua/du-thao.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = text_of(response.content)
        assert "BẢN XEM TRƯỚC – CHƯA KÝ SỐ" in text
        assert waiting.code in text and waiting.procedure.name in text
        # The demo certificate's subject: the leader who will sign, with their title.
        assert "Trần Văn Lãnh Đạo" in text and "CHỦ TỊCH UBND XÃ" in text
        assert "(Chưa ký)" in text
        # Framed by the dossier page when no rasterizer is installed: same origin only.
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
        # Reading the draft changes nothing.
        assert not SignedResult.objects.exists()
        assert waiting.events.count() == 3

    def test_without_pdftoppm_the_draft_is_framed_from_the_same_origin(
        self, client, officers, waiting, monkeypatch
    ):
        monkeypatch.setattr(preview, "rasterizer", lambda: None)
        client.force_login(officers["leader"])
        html = client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()
        assert (
            f'<iframe class="bo-preview-frame" src="/can-bo/ho-so/{waiting.code}/ket-qua/du-thao.pdf"'
            in html
        )
        assert "trang-1.png" not in html

    def test_the_page_of_another_officer_has_no_preview(self, client, officers, waiting):
        client.force_login(officers["reception"])
        assert "data-preview" not in client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()

    @pytest.mark.parametrize("path", ["ket-qua/du-thao.pdf", "ket-qua/du-thao/trang-1.png"])
    def test_only_the_dossiers_center_gets_the_draft(
        self, client, officers, waiting, stranger, path
    ):
        url = f"/can-bo/ho-so/{waiting.code}/{path}"
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        client.force_login(officers["provincial_viewer"])
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302


class TestSignWithOwnCertificateOnly:
    def test_a_leader_without_a_certificate_is_told_and_nothing_changes(
        self, client, center, officers, waiting
    ):
        # ``officers`` gives the other leader a certificate: it must not be used instead.
        leader = make_officer("phochutich", "leader", center)
        client.force_login(leader)
        html = client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()
        assert "data-no-certificate" in html and "chưa được khai báo chứng thư số" in html
        events = waiting.events.count()
        response = act(client, waiting, "sign", note="Đồng ý")
        assert response.status_code == 409
        assert "Bạn chưa được khai báo chứng thư số để ký kết quả" in response.content.decode()
        waiting.refresh_from_db()
        assert waiting.status == "awaiting_signature"
        assert waiting.events.count() == events
        assert not SignedResult.objects.exists()
        assert not waiting.notices.filter(event__action="sign").exists()

    def test_another_leaders_certificate_cannot_be_chosen(self, client, center, officers, waiting):
        deputy = make_officer("phochutich", "leader", center)
        with transaction.atomic():
            register_certificate(user=deputy, p12_path="lanh-dao/le-thi-pho-chu-tich.p12")
        theirs = SigningCertificate.objects.get(user=officers["leader"])
        client.force_login(deputy)
        html = client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()
        # Only the deputy's own certificate is offered.
        assert f'name="certificate_id" value="{theirs.pk}"' not in html
        response = act(client, waiting, "sign", note="Đồng ý", certificate_id=theirs.pk)
        assert response.status_code == 403
        assert "Chỉ được ký bằng chứng thư số của chính mình" in response.content.decode()
        waiting.refresh_from_db()
        assert waiting.status == "awaiting_signature"
        assert not waiting.events.filter(action="sign").exists()
        assert not SignedResult.objects.exists()

    def test_the_signed_pdf_names_the_signer_title_and_time(self, client, officers, waiting, clock):
        clock.now = vn(2025, 7, 9, 15, 42)
        client.force_login(officers["leader"])
        mine = SigningCertificate.objects.get(user=officers["leader"])
        response = act(client, waiting, "sign", note="Đồng ý", certificate_id=mine.pk)
        assert response.status_code == 302
        signed = waiting.signed_results.get()
        assert (signed.signer_name, signed.signer_title) == (
            "Trần Văn Lãnh Đạo",
            "Chủ tịch UBND xã",
        )
        assert signed.signer_id == officers["leader"].pk and signed.certificate == mine
        with signed.file.open("rb") as handle:
            text = text_of(handle.read())
        assert "Trần Văn Lãnh Đạo" in text
        assert "CHỦ TỊCH UBND XÃ" in text
        assert "(Đã ký số)" in text
        assert "Ký số lúc 15:42 ngày 09/07/2025" in text
        assert "BẢN XEM TRƯỚC" not in text


class TestResultFormFromTheCatalog:
    def sign(self, client, leader, dossier, unit, now) -> str:
        to_signature(dossier, unit, now)
        client.force_login(leader)
        assert act(client, dossier, "sign").status_code == 302
        with dossier.signed_results.get().file.open("rb") as handle:
            return text_of(handle.read())

    def test_a_birth_registration_gives_the_birth_certificate_filled_from_the_declaration(
        self, client, officers, center, unit, clock
    ):
        procedure = Procedure.objects.create(
            code="1.001193",
            name="Thủ tục đăng ký khai sinh",
            sector=unit.sectors.first(),
            result="Giấy khai sinh",
        )
        dossier, _ = submit(center, procedure, key="ks-1", form_data=BIRTH_FORM)
        text = self.sign(client, officers["leader"], dossier, unit, clock.now)
        assert "GIẤY KHAI SINH" in text
        assert "VĂN BẢN TRẢ LỜI" not in text
        for value in ("Trần Minh Khôi", "30/06/2025", "Nam", "Trạm y tế xã Hiền Lương"):
            assert value in text
        # The mother's year of birth, as the form prints it; no father was declared.
        assert "Người mẹ" in text and "1990" in text
        assert "Người cha" not in text
        assert "Ủy ban nhân dân xã Hiền Lương" in text
        assert dossier.code in text and "1.001193" in text

    def test_any_other_result_is_a_generic_answer_naming_the_catalogs_result(
        self, client, officers, dossier, unit, clock
    ):
        dossier.procedure.result = "Giấy chứng nhận kết hôn"
        dossier.procedure.save()
        text = self.sign(client, officers["leader"], dossier, unit, clock.now)
        assert "VĂN BẢN TRẢ LỜI KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
        assert "Giấy chứng nhận kết hôn" in text
        assert "Nguyễn Thị Ánh Tuyết" in text  # the applicant, from the dossier

    def test_a_birth_result_without_a_declaration_invents_nothing(
        self, client, officers, dossier, unit, clock
    ):
        dossier.procedure.result = "Giấy khai sinh"
        dossier.procedure.save()
        text = self.sign(client, officers["leader"], dossier, unit, clock.now)
        assert "GIẤY KHAI SINH" not in text
        assert "VĂN BẢN TRẢ LỜI" in text and "Giấy khai sinh" in text


class TestSignedFileFromTheDossierPage:
    @pytest.fixture
    def signed(self, client, officers, waiting):
        client.force_login(officers["leader"])
        assert act(client, waiting, "sign").status_code == 302
        return waiting.signed_results.get()

    def test_the_centers_staff_open_it_from_the_dossier_page(
        self, client, officers, waiting, signed
    ):
        url = f"/can-bo/ho-so/{waiting.code}/ket-qua/{signed.pk}.pdf"
        client.force_login(officers["reception"])
        assert f'href="{url}"' in client.get(f"/can-bo/ho-so/{waiting.code}/").content.decode()
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "no-store, private"
        with signed.file.open("rb") as handle:
            assert body_of(response) == handle.read()
        # The address holds the dossier code and a row number, no personal data.
        assert waiting.applicant_id_number not in url and "Tuy" not in url

    def test_nobody_else_gets_it(
        self, client, officers, waiting, signed, stranger, foreign_dossier
    ):
        url = f"/can-bo/ho-so/{waiting.code}/ket-qua/{signed.pk}.pdf"
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        client.force_login(officers["provincial_viewer"])
        assert client.get(url).status_code == 404
        client.force_login(officers["reception"])
        # Another dossier's code with this result's number: not its result.
        other = submit(waiting.center, waiting.procedure, key="k-2")[0]
        assert client.get(f"/can-bo/ho-so/{other.code}/ket-qua/{signed.pk}.pdf").status_code == 404
        client.logout()
        assert client.get(url).status_code == 302


class TestReceptionCorrectsAnAssignment:
    def test_reassign_to_another_unit_and_officer_with_the_reason_in_the_log(
        self, client, officers, center, dossier, unit
    ):
        other_unit = center.units.get(code="kinh-te")
        colleague = make_officer("kinhte", "specialist", center, unit=other_unit)
        client.force_login(officers["reception"])
        assert (
            act(
                client, dossier, "assign", unit_id=unit.pk, user_id=officers["specialist"].pk
            ).status_code
            == 302
        )
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "Lý do điều chỉnh phân công (bắt buộc)" in html

        response = act(
            client,
            dossier,
            "assign",
            unit_id=other_unit.pk,
            user_id=colleague.pk,
            note="Nhầm lĩnh vực: hồ sơ đăng ký hộ kinh doanh",
        )
        assert response.status_code == 302
        dossier.refresh_from_db()
        assert (dossier.unit, dossier.assignee) == (other_unit, colleague)
        event = dossier.events.order_by("-seq").first()
        assert event.action == "assign" and event.actor == f"user:{officers['reception'].pk}"
        assert event.note == "Nhầm lĩnh vực: hồ sơ đăng ký hộ kinh doanh"
        assert event.data["correction"] is True
        assert (event.data["from_unit_id"], event.data["from_user_id"]) == (
            unit.pk,
            officers["specialist"].pk,
        )
        assert (event.data["to_unit_id"], event.data["to_user_id"]) == (other_unit.pk, colleague.pk)
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "Điều chỉnh phân công xử lý" in html
        assert f"Trước đó: {unit.name}, Nguyễn Văn Minh" in html

    def test_a_correction_without_reason_is_refused_and_nothing_changes(
        self, client, officers, center, dossier, unit
    ):
        client.force_login(officers["reception"])
        act(client, dossier, "assign", unit_id=unit.pk, user_id=officers["specialist"].pk)
        events = dossier.events.count()
        other_unit = center.units.get(code="kinh-te")
        response = act(client, dossier, "assign", unit_id=other_unit.pk)
        assert response.status_code == 422
        assert "Vui lòng ghi lý do điều chỉnh phân công" in response.content.decode()
        dossier.refresh_from_db()
        assert dossier.unit == unit and dossier.events.count() == events

    def test_an_officer_of_another_center_cannot_be_chosen(
        self, client, officers, dossier, unit, stranger
    ):
        client.force_login(officers["reception"])
        act(client, dossier, "assign", unit_id=unit.pk, user_id=officers["specialist"].pk)
        response = act(client, dossier, "assign", user_id=stranger.pk, note="Chuyển")
        assert response.status_code == 422
        dossier.refresh_from_db()
        assert dossier.assignee == officers["specialist"]


class TestInboxFilters:
    @pytest.fixture
    def mix(self, center, procedure, unit, clock):
        """One dossier per state and channel; the clock is 9:30 on Monday 7 July 2025."""
        new, _ = submit(center, procedure, key="new", channel="kiosk", now=vn(2025, 7, 7, 9, 0))
        online, _ = submit(
            center, procedure, key="online", channel="online", now=vn(2025, 7, 7, 9, 1)
        )
        working, _ = submit(
            center, procedure, key="work", channel="counter", now=vn(2025, 7, 7, 9, 2)
        )
        late, _ = submit(center, procedure, key="late", channel="postal", now=vn(2025, 6, 2, 9, 0))
        done, _ = submit(center, procedure, key="done", channel="counter", now=vn(2025, 7, 7, 9, 3))
        with transaction.atomic():
            for dossier in (working, late, done):
                perform(
                    dossier.pk,
                    ActionRequest(
                        "assign",
                        "reception",
                        "user:1",
                        dossier.events.get().seq,
                        clock.now,
                        data={"unit_id": unit.pk},
                    ),
                )
            perform(
                done.pk,
                ActionRequest(
                    "mark_result_ready",
                    "specialist",
                    "user:1",
                    done.events.order_by("-seq").first().seq,
                    clock.now,
                ),
            )
        return {"new": new, "online": online, "working": working, "late": late, "done": done}

    def codes(self, client, query: str) -> set[str]:
        response = client.get(f"/can-bo/{query}")
        assert response.status_code == 200
        html = response.content.decode()
        return {code for code in self.all_codes if f'data-code="{code}"' in html}

    def test_state_and_channel_filters(self, client, officers, mix):
        self.all_codes = {d.code: name for name, d in mix.items()}
        client.force_login(officers["reception"])

        def names(query):
            return {self.all_codes[c] for c in self.codes(client, query)}

        assert names("") == {"new", "online", "working", "late", "done"}  # processed, not returned
        assert names("?trang-thai=moi") == {"new", "online"}
        assert names("?trang-thai=dang-xu-ly") == {"working", "late"}
        assert names("?trang-thai=den-han") == {"late"}
        assert names("?trang-thai=da-xong") == {"done"}
        assert names("?kenh=kiosk") == {"new"}
        assert names("?kenh=truc-tuyen") == {"online"}
        assert names("?kenh=quay") == {"working", "done"}
        assert names("?kenh=buu-chinh") == {"late"}
        assert names("?trang-thai=dang-xu-ly&kenh=quay") == {"working"}
        # Unknown values are "all", never an error.
        assert names("?trang-thai=xyz&kenh=fax") == set(self.all_codes.values())

    def test_the_chips_keep_the_other_filter_and_mark_the_current_one(self, client, officers, mix):
        client.force_login(officers["reception"])
        html = client.get("/can-bo/?xem=center&kenh=quay").content.decode()
        assert 'href="?xem=center&amp;trang-thai=moi&amp;kenh=quay"' in html
        assert 'data-filter-channel="quay" aria-current="true"' in html


class MemoryGateway:
    """Stands in for the e-mail server, the SMS and the Zalo gateways."""

    sent: list[tuple[str, str, str, str]] = []
    channel = ""
    enabled = True

    def send(self, recipient: str, subject: str, body: str) -> None:
        MemoryGateway.sent.append((self.channel, recipient, subject, body))


class MemoryEmail(MemoryGateway):
    channel = "email"


class MemorySms(MemoryGateway):
    channel = "sms"


class MemoryZalo(MemoryGateway):
    channel = "zalo"


class TestSupplementRequest:
    @pytest.fixture
    def gateways(self, settings):
        MemoryGateway.sent = []
        settings.NOTICE_SENDERS = {
            channel: f"{__name__}.Memory{name}"
            for channel, name in (("email", "Email"), ("sms", "Sms"), ("zalo", "Zalo"))
        }
        return MemoryGateway.sent

    @pytest.fixture
    def checklist(self, procedure):
        first = procedure.documents.create(
            position=1, name="Giấy chứng sinh (bản chính)", originals=1
        )
        second = procedure.documents.create(
            position=2, name="Tờ khai đăng ký khai sinh", originals=1
        )
        return first, second

    def test_the_missing_items_reach_every_channel_and_the_tracking_page(
        self, client, officers, dossier, checklist, gateways, django_capture_on_commit_callbacks
    ):
        birth_paper, form = checklist
        client.force_login(officers["reception"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert f'name="missing" value="c{birth_paper.pk}"' in html
        with django_capture_on_commit_callbacks(execute=True):
            response = act(
                client,
                dossier,
                "request_supplement",
                missing=[f"c{birth_paper.pk}"],
                note="Bản chính, mang đến quầy số 2",
            )
        assert response.status_code == 302
        event = dossier.events.get(action="request_supplement")
        assert event.data["missing"] == ["Giấy chứng sinh (bản chính)"]

        by_channel = {channel: (recipient, body) for channel, recipient, _s, body in gateways}
        assert set(by_channel) == {"email", "sms", "zalo"}
        assert by_channel["email"][0] == dossier.applicant_email
        assert by_channel["sms"][0] == by_channel["zalo"][0] == dossier.applicant_phone
        for _recipient, body in by_channel.values():
            assert "Giấy chứng sinh (bản chính)" in body
            assert "Bản chính, mang đến quầy số 2" in body
            assert "Tờ khai đăng ký khai sinh" not in body
        assert "- Giấy chứng sinh (bản chính)" in by_channel["email"][1]

        # Mẫu 02 lists it too.
        paper = client.get(f"/can-bo/ho-so/{dossier.code}/mau/02.pdf")
        assert "1. Giấy chứng sinh (bản chính)" in text_of(paper.content)

        client.logout()
        tracked = client.post(
            "/ho-so/tra-cuu/", {"ma": dossier.code, "so": dossier.applicant_phone[-4:]}
        ).content.decode()
        assert "Hồ sơ cần bổ sung, hoàn thiện" in tracked
        assert "<li data-missing>Giấy chứng sinh (bản chính)</li>" in tracked
        assert "Bản chính, mang đến quầy số 2" in tracked

    def test_an_item_of_another_procedure_is_refused(self, client, officers, dossier, checklist):
        client.force_login(officers["reception"])
        response = act(client, dossier, "request_supplement", missing=["c999999"])
        assert response.status_code == 422
        assert not dossier.events.filter(action="request_supplement").exists()

    def test_neither_items_nor_note_is_refused(self, client, officers, dossier, checklist):
        client.force_login(officers["reception"])
        response = act(client, dossier, "request_supplement")
        assert response.status_code == 422
        assert "nội dung cần bổ sung" in response.content.decode()
        assert DossierEvent.objects.filter(dossier=dossier).count() == 1

    def test_the_tracking_page_says_nothing_is_missing_once_it_is_handed_in(
        self, client, officers, dossier, checklist
    ):
        client.force_login(officers["reception"])
        act(client, dossier, "request_supplement", missing=[f"c{checklist[0].pk}"])
        act(client, dossier, "submit_supplement")
        client.logout()
        tracked = client.post(
            "/ho-so/tra-cuu/", {"ma": dossier.code, "so": dossier.applicant_phone[-4:]}
        ).content.decode()
        assert "data-supplement" not in tracked
