"""The officer's digitize and reuse forms over HTTP: access, messages, rows and files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from motcua.backoffice.access import membership_of
from motcua.dossiers.documents import digitize_component
from motcua.dossiers.models import CitizenDocument
from tests.documents.conftest import (
    OTHER_CITIZEN,
    needs_certificate,
    pdf,
    stored_files,
    vn,
)


def digitize_url(dossier, position):
    return reverse("backoffice:digitize_document", args=[dossier.code, position])


def reuse_url(dossier, position, stored):
    return reverse("backoffice:reuse_document", args=[dossier.code, position, stored.pk])


def dossier_url(dossier):
    return reverse("backoffice:dossier", args=[dossier.code]) + "#giay-to"


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("backoffice:inbox"))  # sets the CSRF cookie
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(
        url,
        {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        follow=False,
    )


def flash(client: Client, url: str) -> str:
    return client.get(url).content.decode()


@pytest.fixture
def stored(first) -> CitizenDocument:
    with transaction.atomic():
        digitize_component(
            first.documents.get(position=2), None, actor="kiosk:3", now=vn(2025, 7, 7, 9, 6)
        )
    return CitizenDocument.objects.get()


@pytest.fixture
def second(center, procedure):
    return needs_certificate(center, procedure, key="k-2")


class TestDigitizeView:
    def test_reception_uploads_a_scan_and_comes_back_to_the_dossier(
        self, officers, first, clock, media_root
    ):
        client = signed_in(officers["reception"])

        response = post(client, digitize_url(first, 1), {"file": pdf("to-khai.pdf")})

        assert response.status_code == 302 and response["Location"] == dossier_url(first)
        document = first.documents.get(position=1)
        assert document.digitized and document.digitized_by == f"user:{officers['reception'].pk}"
        assert document.digitized_at == clock.now
        assert (media_root / document.file.name).is_file()
        assert "Đã số hóa thành phần “Tờ khai đăng ký kết hôn”" in flash(
            client, response["Location"]
        )

    def test_a_specialist_may_digitize_the_file_attached_at_the_kiosk(self, officers, first, clock):
        response = post(signed_in(officers["specialist"]), digitize_url(first, 2))
        assert response.status_code == 302
        assert first.documents.get(position=2).digitized

    def test_a_text_file_named_pdf_is_refused_with_a_vietnamese_message(
        self, officers, first, clock, media_root
    ):
        client = signed_in(officers["reception"])
        before = stored_files(media_root)
        fake = SimpleUploadedFile("scan.pdf", b"just text", "application/pdf")

        response = post(client, digitize_url(first, 1), {"file": fake})

        assert response.status_code == 302
        page = flash(client, response["Location"])
        assert "không phải ảnh chụp (JPEG), ảnh quét (PNG) hoặc PDF" in page
        assert stored_files(media_root) == before
        assert not first.documents.get(position=1).digitized

    def test_an_oversize_file_is_refused_and_nothing_is_stored(
        self, officers, first, clock, media_root, settings
    ):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
        client = signed_in(officers["reception"])
        before = stored_files(media_root)

        response = post(client, digitize_url(first, 1), {"file": pdf(body=b"x" * 4096)})

        assert "quá lớn" in flash(client, response["Location"])
        assert stored_files(media_root) == before
        assert not CitizenDocument.objects.exists()

    def test_a_bad_expiry_date_is_refused(self, officers, first, clock):
        client = signed_in(officers["reception"])
        response = post(client, digitize_url(first, 1), {"file": pdf(), "valid_until": "31/12"})
        assert "Ngày hết hiệu lực không hợp lệ" in flash(client, response["Location"])
        assert not first.documents.get(position=1).digitized

    def test_anonymous_is_sent_to_the_login_page(self, first):
        response = Client().post(digitize_url(first, 1), {"file": pdf()})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("backoffice:login"))
        assert not first.documents.get(position=1).digitized

    def test_an_officer_of_another_center_gets_404(self, officers, first, clock):
        response = post(signed_in(officers["other_reception"]), digitize_url(first, 1))
        assert response.status_code == 404

    def test_an_unknown_component_is_404(self, officers, first, clock):
        response = post(signed_in(officers["reception"]), digitize_url(first, 9))
        assert response.status_code == 404

    def test_a_leader_may_not_digitize(self, officers, first, clock):
        response = post(signed_in(officers["leader"]), digitize_url(first, 1), {"file": pdf()})
        assert response.status_code == 403
        assert not first.documents.get(position=1).digitized

    def test_get_is_not_allowed(self, officers, first, clock):
        client = signed_in(officers["reception"])
        assert client.get(digitize_url(first, 1)).status_code == 405

    def test_csrf_is_required(self, officers, first, clock):
        client = signed_in(officers["reception"])
        response = client.post(digitize_url(first, 1), {"file": pdf()})
        assert response.status_code == 403
        assert not first.documents.get(position=1).digitized


class TestReuseView:
    def test_reception_reuses_the_stored_document_without_a_new_file(
        self, officers, stored, second, clock, media_root
    ):
        client = signed_in(officers["reception"])
        files = stored_files(media_root)

        response = post(client, reuse_url(second, 1, stored))

        assert response.status_code == 302 and response["Location"] == dossier_url(second)
        document = second.documents.get(position=1)
        assert document.reused_from == stored and document.digitized
        assert stored_files(media_root) == files
        assert "không cần quét lại" in flash(client, response["Location"])
        assert second.events.filter(action="reuse").count() == 1

    def test_another_citizens_document_is_404(self, officers, stored, center, procedure, clock):
        stranger = needs_certificate(center, procedure, key="k-3", applicant=OTHER_CITIZEN)
        response = post(signed_in(officers["reception"]), reuse_url(stranger, 1, stored))
        assert response.status_code == 404
        assert stranger.documents.get(position=1).reused_from is None

    def test_an_officer_of_another_center_gets_404(self, officers, stored, second, clock):
        response = post(signed_in(officers["other_reception"]), reuse_url(second, 1, stored))
        assert response.status_code == 404

    def test_anonymous_is_sent_to_the_login_page(self, stored, second):
        response = Client().post(reuse_url(second, 1, stored))
        assert response["Location"].startswith(reverse("backoffice:login"))

    def test_an_expired_document_is_refused_with_a_message(self, officers, stored, second, clock):
        CitizenDocument.objects.filter(pk=stored.pk).update(valid_until=vn(2025, 7, 1).date())
        client = signed_in(officers["reception"])
        response = post(client, reuse_url(second, 1, stored))
        assert "đã hết hiệu lực" in flash(client, response["Location"])
        assert second.documents.get(position=1).reused_from is None


class TestStoredFileView:
    def test_an_offered_document_can_be_looked_at(self, officers, stored, second, clock):
        client = signed_in(officers["reception"])
        url = reverse("backoffice:stored_document", args=[second.code, 1, stored.pk])
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    def test_another_citizens_document_is_404(self, officers, stored, center, procedure, clock):
        stranger = needs_certificate(center, procedure, key="k-3", applicant=OTHER_CITIZEN)
        url = reverse("backoffice:stored_document", args=[stranger.code, 1, stored.pk])
        assert signed_in(officers["reception"]).get(url).status_code == 404


class TestDocumentsInclude:
    """``backoffice/_documents.html`` as the dossier page will include it."""

    def render(self, dossier, user) -> str:
        return render_to_string(
            "backoffice/_documents.html",
            {"dossier": dossier, "membership": membership_of(user)},
        )

    def test_the_stored_document_is_offered_with_a_reuse_form(
        self, officers, stored, second, clock
    ):
        html = self.render(second, officers["reception"])
        assert 'data-state="not_digitized"' in html
        assert f'data-citizen-document="{stored.pk}"' in html
        assert reuse_url(second, 1, stored) in html
        assert digitize_url(second, 1) in html
        assert "Đã có trong kho dữ liệu của công dân" in html

    def test_states_are_shown_after_digitizing_and_reusing(
        self, officers, stored, first, second, clock
    ):
        client = signed_in(officers["reception"])
        post(client, reuse_url(second, 1, stored))

        assert 'data-state="reused"' in self.render(second, officers["reception"])
        html = self.render(first, officers["reception"])
        assert 'data-state="digitized"' in html and 'data-digitized="1"' in html

    def test_another_citizen_is_offered_nothing(self, officers, stored, center, procedure, clock):
        stranger = needs_certificate(center, procedure, key="k-3", applicant=OTHER_CITIZEN)
        html = self.render(stranger, officers["reception"])
        assert "data-citizen-document" not in html
        assert "Đã có trong kho dữ liệu" not in html

    def test_a_leader_sees_the_states_but_no_forms(self, officers, stored, second, clock):
        html = self.render(second, officers["leader"])
        assert 'data-state="not_digitized"' in html
        assert "<form" not in html
