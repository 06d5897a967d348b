"""The public verification pages: by code (QR) and by uploading a copy; no personal data."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.signing import services, views

from .conftest import APPLICANT
from .test_services import flip_byte_in_signed_range, stored_bytes


def page(response) -> str:
    return unicodedata.normalize("NFC", response.content.decode())


def assert_no_personal_data(html: str) -> None:
    assert APPLICANT.name not in html
    assert APPLICANT.id_number not in html
    assert APPLICANT.address not in html
    assert APPLICANT.phone not in html
    assert APPLICANT.email not in html


class TestVerifyPage:
    def test_shows_valid_code_procedure_date_and_signer_without_personal_data(
        self, client, signed, dossier
    ):
        response = client.get(reverse("signing:verify", args=[signed.verification_code]))
        assert response.status_code == 200
        html = page(response)
        assert "Chữ ký số hợp lệ" in html
        assert dossier.code in html
        assert dossier.procedure.name in html
        assert "Giấy chứng nhận kết hôn" in html
        assert "Trần Văn Lãnh Đạo" in html
        assert "Trung tâm Phục vụ hành chính công xã Hiền Lương" in html
        assert "KHÔNG DÙNG THẬT" in html  # the demo CA says what it is
        assert_no_personal_data(html)
        assert response["X-Robots-Tag"] == "noindex"

    def test_the_code_is_read_case_insensitively(self, client, signed):
        response = client.get(reverse("signing:verify", args=[signed.verification_code.lower()]))
        assert response.status_code == 200

    def test_an_unknown_code_is_a_vietnamese_404(self, client, db):
        response = client.get(reverse("signing:verify", args=["KHONGCOMANAY"]))
        assert response.status_code == 404
        assert "Không tìm thấy văn bản" in page(response)

    def test_a_stored_file_changed_on_the_server_shows_invalid(self, client, signed):
        path = signed.file.path
        with open(path, "rb") as handle:
            data = handle.read()
        with open(path, "wb") as handle:
            handle.write(flip_byte_in_signed_range(data))
        html = page(client.get(reverse("signing:verify", args=[signed.verification_code])))
        assert "Chữ ký số không hợp lệ" in html
        assert "Chữ ký số hợp lệ" not in html.replace("Chữ ký số không hợp lệ", "")

    def test_reverifies_at_most_every_five_minutes_for_the_same_file(
        self, client, signed, monkeypatch
    ):
        calls = []
        real = services.verify_signed_pdf

        def counting(data, **kwargs):
            calls.append(1)
            return real(data, **kwargs)

        monkeypatch.setattr(services, "verify_signed_pdf", counting)
        url = reverse("signing:verify", args=[signed.verification_code])
        client.get(url)
        client.get(url)
        assert len(calls) == 1

    def test_refuses_post(self, client, signed):
        response = client.post(reverse("signing:verify", args=[signed.verification_code]))
        assert response.status_code == 405


def upload(client, data: bytes, name: str = "ket-qua.pdf"):
    return client.post(
        reverse("signing:check_upload"),
        {"tep": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


class TestCheckUpload:
    def test_the_form_is_public(self, client, db):
        response = client.get(reverse("signing:check_upload"))
        assert response.status_code == 200
        assert 'type="file"' in page(response)

    def test_a_genuine_copy_is_valid_and_shows_the_case(self, client, signed, dossier):
        response = upload(client, stored_bytes(signed))
        assert response.status_code == 200
        html = page(response)
        assert "Chữ ký số hợp lệ" in html
        assert dossier.code in html
        assert dossier.procedure.name in html
        assert "Trần Văn Lãnh Đạo" in html
        assert_no_personal_data(html)

    def test_a_tampered_copy_is_invalid(self, client, signed, dossier):
        response = upload(client, flip_byte_in_signed_range(stored_bytes(signed)))
        assert response.status_code == 200
        html = page(response)
        assert "Chữ ký không hợp lệ: tài liệu đã bị sửa sau khi ký" in html
        assert dossier.code not in html

    def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(self, client, db):
        response = upload(client, b"\x89PNG\r\n\x1a\n not a pdf", name="gia.pdf")
        assert response.status_code == 400
        assert "không phải văn bản PDF" in page(response)

    def test_a_file_over_the_limit_is_refused(self, client, db, monkeypatch):
        monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 10)
        response = upload(client, b"%PDF-1.7 " + b"x" * 100)
        assert response.status_code == 400
        assert "quá lớn" in page(response)

    def test_no_file_is_asked_for_again(self, client, db):
        response = client.post(reverse("signing:check_upload"), {})
        assert response.status_code == 400
        assert "Xin chọn tệp PDF" in page(response)


@pytest.mark.parametrize("public_url", ["https://dichvu.example.gov.vn", ""])
def test_public_base_url_prefers_the_configured_address(rf, settings, public_url):
    settings.MOTCUA_PUBLIC_URL = public_url
    settings.ALLOWED_HOSTS = ["kiosk.local"]
    request = rf.get("/", HTTP_HOST="kiosk.local")
    expected = public_url or "http://kiosk.local"
    assert services.public_base_url(request) == expected
