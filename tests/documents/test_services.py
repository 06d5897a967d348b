"""Digitizing components, the citizen's store and reuse, through ``motcua.dossiers.documents``."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from motcua.dossiers.documents import (
    DocumentError,
    FileRefused,
    NotInStore,
    NotReusable,
    digitize_component,
    document_type_key,
    reusable_for,
    reuse_component,
)
from motcua.dossiers.models import CitizenDocument, DossierDocument, DossierEvent
from motcua.dossiers.services import Applicant
from motcua.dossiers.states import DossierStatus
from tests.documents.conftest import (
    CERTIFICATE,
    OTHER_CITIZEN,
    needs_certificate,
    pdf,
    png,
    stored_files,
    vn,
)

ACTOR = "user:7"
NOW = vn(2025, 7, 8, 10, 0)


def digitize(document, upload, **kwargs):
    with transaction.atomic():
        return digitize_component(
            document, upload, actor=ACTOR, now=kwargs.pop("now", NOW), **kwargs
        )


def reuse(document, stored, now=NOW):
    with transaction.atomic():
        return reuse_component(document, stored, actor=ACTOR, now=now)


def component(dossier, position=1) -> DossierDocument:
    return dossier.documents.get(position=position)


class TestDocumentTypeKey:
    @pytest.mark.parametrize(
        "name",
        [
            "Giấy khai sinh",
            "Bản sao Giấy khai sinh (có chứng thực)",
            "01 bản chính giấy khai sinh; hoặc trích lục",
            "GIẤY KHAI SINH hoặc giấy tờ thay thế",
        ],
    )
    def test_qualifiers_brackets_and_accents_do_not_change_the_type(self, name):
        assert document_type_key(name) == "giay-khai-sinh"

    def test_different_papers_are_different_types(self):
        assert document_type_key("Giấy chứng sinh") != document_type_key("Giấy khai sinh")

    def test_the_description_after_the_name_is_cut(self):
        key = document_type_key(
            "Giấy xác nhận tình trạng hôn nhân do Ủy ban nhân dân cấp xã nơi cư trú cấp"
        )
        assert key == document_type_key(CERTIFICATE) == "giay-xac-nhan-tinh-trang-hon-nhan"

    def test_long_names_keep_their_first_eight_words(self):
        key = document_type_key("Sổ hộ khẩu gia đình bản cũ còn lưu giữ tại nhà riêng")
        assert key == "so-ho-khau-gia-dinh-ban-cu-con"


class TestDigitizeComponent:
    def test_a_scan_is_stored_marked_and_added_to_the_citizens_store(self, first, media_root):
        form = component(first, 1)  # handed in on paper at the kiosk
        digitize(form, pdf("to-khai.pdf"))

        form.refresh_from_db()
        assert form.digitized and form.digitized_at == NOW and form.digitized_by == ACTOR
        assert form.content_type == "application/pdf" and form.size > 0 and len(form.sha256) == 64
        assert form.file.name.startswith(f"ho-so/{first.code}/01-to-khai")
        assert (media_root / form.file.name).read_bytes().startswith(b"%PDF-1.4")
        stored = CitizenDocument.objects.get()
        assert stored.owner_id_number == first.applicant_id_number
        assert stored.document_type == "to-khai-dang-ky-ket-hon"
        assert stored.file.name == form.file.name  # the same stored object, no copy
        assert stored.source_dossier == first and stored.source_document == form
        event = first.events.order_by("-seq").first()
        assert event.action == "digitize"
        assert event.from_status == event.to_status == DossierStatus.RECEIVED
        assert event.data["position"] == 1 and event.data["citizen_document_id"] == stored.pk
        assert first.applicant_id_number not in str(event.data)

    def test_the_status_stays_the_same(self, first):
        digitize(component(first, 1), png())
        first.refresh_from_db()
        assert first.status == DossierStatus.RECEIVED

    def test_the_file_already_attached_at_the_kiosk_is_digitized_without_a_new_upload(
        self, first, media_root
    ):
        certificate = component(first, 2)
        before = stored_files(media_root)

        digitize(certificate, None)

        certificate.refresh_from_db()
        assert certificate.digitized and certificate.content_type == "application/pdf"
        assert stored_files(media_root) == before
        assert CitizenDocument.objects.get().file.name == certificate.file.name
        assert first.events.filter(action="digitize").get().data["source"] == "attached_file"

    def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(self, first, media_root):
        before = stored_files(media_root)
        fake = SimpleUploadedFile("scan.pdf", b"hello, I am text", "application/pdf")

        with pytest.raises(FileRefused) as refused:
            digitize(component(first, 1), fake)

        assert "không phải ảnh chụp (JPEG), ảnh quét (PNG) hoặc PDF" in refused.value.message
        assert refused.value.status_code == 422
        assert stored_files(media_root) == before
        assert not component(first, 1).digitized
        assert not CitizenDocument.objects.exists()
        assert not first.events.filter(action="digitize").exists()

    def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
        self, first, media_root, settings
    ):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
        before = stored_files(media_root)

        with pytest.raises(FileRefused) as refused:
            digitize(component(first, 1), pdf(body=b"x" * 2048))

        assert "quá lớn" in refused.value.message
        assert stored_files(media_root) == before
        assert not component(first, 1).digitized
        assert not CitizenDocument.objects.exists()

    def test_a_paper_component_without_a_file_needs_a_scan(self, first):
        with pytest.raises(FileRefused, match="chưa có tệp"):
            digitize(component(first, 1), None)

    def test_the_same_scan_twice_changes_nothing(self, first, media_root):
        digitize(component(first, 1), pdf())
        files = stored_files(media_root)

        digitize(component(first, 1), pdf(), now=vn(2025, 7, 8, 11, 0))

        assert stored_files(media_root) == files
        assert first.events.filter(action="digitize").count() == 1
        assert CitizenDocument.objects.count() == 1

    def test_a_new_scan_of_the_same_component_updates_its_store_entry(self, first):
        digitize(component(first, 1), pdf(body=b"blurred"))
        digitize(component(first, 1), pdf(body=b"sharp"), now=vn(2025, 7, 8, 11, 0))

        stored = CitizenDocument.objects.get()
        assert stored.sha256 == component(first, 1).sha256
        assert first.events.filter(action="digitize").count() == 2

    def test_an_applicant_without_a_12_digit_number_gets_no_store(self, center, procedure):
        dossier = needs_certificate(
            center,
            procedure,
            key="cmnd",
            applicant=Applicant(name="Hà Văn Cũ", id_number="B1234567"),
        )
        digitize(component(dossier), pdf())
        assert component(dossier).digitized
        assert not CitizenDocument.objects.exists()

    def test_an_expiry_in_the_past_is_refused(self, first):
        with pytest.raises(FileRefused, match="hết hiệu lực"):
            digitize(component(first, 1), pdf(), valid_until=date(2025, 7, 7))

    def test_a_returned_dossier_is_not_digitized_any_more(self, first):
        # The end state as the workflow writes it; the event log is not the point here.
        type(first).objects.filter(pk=first.pk).update(status=DossierStatus.RETURNED)
        with pytest.raises(DocumentError) as refused:
            digitize(component(first, 1), pdf())
        assert refused.value.status_code == 409


class TestReusableFor:
    def test_a_second_dossier_of_the_same_citizen_is_offered_the_stored_document(
        self, first, center, procedure
    ):
        digitize(component(first, 2), None)
        second = needs_certificate(center, procedure, key="k-2")

        offered = reusable_for(component(second), today=date(2025, 7, 8))

        assert [d.name for d in offered] == [CERTIFICATE]

    def test_another_citizens_documents_are_never_offered(self, first, center, procedure):
        digitize(component(first, 2), None)
        stranger = needs_certificate(center, procedure, key="k-2", applicant=OTHER_CITIZEN)

        assert reusable_for(component(stranger), today=date(2025, 7, 8)) == []

    def test_expired_documents_are_not_offered(self, first, center, procedure):
        digitize(component(first, 2), None, valid_until=date(2025, 12, 31))
        second = needs_certificate(center, procedure, key="k-2")

        assert reusable_for(component(second), today=date(2025, 12, 31))
        assert reusable_for(component(second), today=date(2026, 1, 1)) == []

    def test_documents_of_another_type_are_not_offered(self, first, center, procedure):
        digitize(component(first, 1), pdf())  # the marriage form, not the certificate
        second = needs_certificate(center, procedure, key="k-2")

        assert reusable_for(component(second), today=date(2025, 7, 8)) == []

    def test_a_components_own_scan_is_not_offered_back(self, first):
        digitize(component(first, 2), None)
        assert reusable_for(component(first, 2), today=date(2025, 7, 8)) == []

    def test_the_store_spans_centers(self, first, other_center, procedure):
        digitize(component(first, 2), None)
        elsewhere = needs_certificate(other_center, procedure, key="k-9")
        assert len(reusable_for(component(elsewhere), today=date(2025, 7, 8))) == 1


class TestReuseComponent:
    @pytest.fixture
    def stored(self, first) -> CitizenDocument:
        digitize(component(first, 2), None)
        return CitizenDocument.objects.get()

    def test_reuse_flags_the_component_and_creates_no_new_file(
        self, stored, center, procedure, media_root
    ):
        second = needs_certificate(center, procedure, key="k-2")
        files = stored_files(media_root)

        reuse(component(second), stored)

        document = component(second)
        assert document.reused_from == stored and document.digitized
        assert document.file.name == stored.file.name and document.sha256 == stored.sha256
        assert stored_files(media_root) == files
        assert CitizenDocument.objects.count() == 1
        event = second.events.order_by("-seq").first()
        assert event.action == "reuse" and event.data["citizen_document_id"] == stored.pk
        assert event.from_status == event.to_status == DossierStatus.RECEIVED

    def test_reusing_twice_records_it_once(self, stored, center, procedure):
        second = needs_certificate(center, procedure, key="k-2")
        reuse(component(second), stored)
        reuse(component(second), stored)
        assert DossierEvent.objects.filter(dossier=second, action="reuse").count() == 1

    def test_another_citizens_document_is_not_found(self, stored, center, procedure):
        stranger = needs_certificate(center, procedure, key="k-2", applicant=OTHER_CITIZEN)
        with pytest.raises(NotInStore) as refused:
            reuse(component(stranger), stored)
        assert refused.value.status_code == 404
        assert component(stranger).reused_from is None

    def test_an_expired_document_is_refused(self, stored, center, procedure):
        CitizenDocument.objects.filter(pk=stored.pk).update(valid_until=date(2025, 7, 7))
        stored.refresh_from_db()
        second = needs_certificate(center, procedure, key="k-2")
        with pytest.raises(NotReusable, match="đã hết hiệu lực từ ngày 07/07/2025"):
            reuse(component(second), stored)

    def test_a_document_of_another_type_is_refused(self, stored, first):
        with pytest.raises(NotReusable, match="không phải loại giấy tờ"):
            reuse(component(first, 1), stored)

    def test_a_new_scan_after_a_reuse_clears_the_flag(self, stored, center, procedure):
        second = needs_certificate(center, procedure, key="k-2")
        reuse(component(second), stored)
        digitize(component(second), pdf(body=b"newer"))
        document = component(second)
        assert document.reused_from is None and document.digitized
        assert CitizenDocument.objects.count() == 2
