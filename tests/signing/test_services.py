"""Signing a result with PAdES and verifying it with pyHanko, including one changed byte."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from motcua.dossiers.states import DossierStatus
from motcua.signing import pki
from motcua.signing.models import SignedResult, SigningCertificate
from motcua.signing.services import (
    SIGNATURE_FIELD,
    TAMPERED,
    Signer,
    SigningError,
    register_certificate,
    render_result_pdf,
    sign_result,
    verify_signed_pdf,
)

from .conftest import APPLICANT, BASE_URL


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def stored_bytes(result: SignedResult) -> bytes:
    with result.file.open("rb") as handle:
        return handle.read()


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """Change one byte inside the first content stream, which the signature covers."""
    start, length = (int(n) for n in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data).groups())
    offset = data.index(b"stream", start) + 20
    assert start <= offset < start + length
    tampered = bytearray(data)
    tampered[offset] ^= 0x01
    return bytes(tampered)


def sign(dossier, certificate, user, **kwargs):
    with transaction.atomic():
        return sign_result(
            dossier,
            certificate=certificate,
            signer_user=user,
            now=kwargs.pop("now", timezone.now()),
            base_url=BASE_URL,
            **kwargs,
        )


def nothing_written() -> bool:
    return not SignedResult.objects.exists() and not default_storage.exists("ket-qua")


class TestRenderResultPdf:
    def test_has_the_title_code_procedure_result_and_the_verification_address(self, dossier):
        url = f"{BASE_URL}/xac-thuc/ABC/"
        pdf = render_result_pdf(
            dossier,
            verification_url=url,
            verification_code="ABC",
            signer=Signer("Trần Văn Lãnh Đạo", "Chủ tịch UBND xã", "UBND xã Hiền Lương"),
            now=timezone.now(),
        )
        text = text_of(pdf)
        assert "VĂN BẢN TRẢ LỜI KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
        assert dossier.code in text
        assert "Giấy chứng nhận kết hôn" in text
        assert "Trần Văn Lãnh Đạo" in text
        assert "CHỦ TỊCH UBND XÃ" in text
        assert url in text


class TestSignResult:
    def test_the_signed_pdf_verifies_with_pyhanko_intact_valid_trusted_whole_file(
        self, signed, dossier, demo_pki
    ):
        data = stored_bytes(signed)
        ca = pki.load_trust_roots([demo_pki.ca_path])
        embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
        assert [s.field_name for s in embedded] == [SIGNATURE_FIELD]
        status = validate_pdf_signature(
            embedded[0], ValidationContext(trust_roots=ca, allow_fetching=False)
        )
        assert status.intact and status.valid and status.trusted
        assert status.coverage.name == "ENTIRE_FILE"
        assert status.signing_cert.subject.native["common_name"] == "Trần Văn Lãnh Đạo"
        assert embedded[0].sig_object["/Reason"] == "Ký duyệt kết quả giải quyết TTHC"

        result = verify_signed_pdf(data)
        assert result.ok
        assert (result.intact, result.valid, result.trusted) == (True, True, True)
        assert result.coverage == "entire_file"
        assert result.signer == "Trần Văn Lãnh Đạo"
        assert result.organisation == pki.DEMO_ORGANISATION

    def test_stores_the_file_with_its_hash_and_leaves_the_status_alone(self, signed, dossier):
        data = stored_bytes(signed)
        assert signed.sha256 == hashlib.sha256(data).hexdigest()
        assert signed.size == len(data)
        assert signed.file.name == f"ket-qua/{dossier.code}/{signed.verification_code}.pdf"
        assert signed.signer_name == "Trần Văn Lãnh Đạo"
        assert signed.result_name == "Giấy chứng nhận kết hôn"
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.RECEIVED

    def test_the_qr_address_with_the_code_is_inside_the_signed_bytes(self, signed):
        data = stored_bytes(signed)
        assert len(signed.verification_code) >= 24
        assert f"{BASE_URL}/xac-thuc/{signed.verification_code}/" in text_of(data)
        assert verify_signed_pdf(data).coverage == "entire_file"

    def test_the_qr_code_decodes_to_the_verification_address(self, signed, tmp_path):
        from tests.dossiers.test_slip import decode_qr

        assert decode_qr(stored_bytes(signed), tmp_path) == [
            f"{BASE_URL}/xac-thuc/{signed.verification_code}/"
        ]

    def test_each_signature_gets_its_own_code(self, dossier, certificate, leader, signed):
        again = sign(dossier, certificate, leader)
        assert again.verification_code != signed.verification_code

    def test_fails_after_one_byte_is_changed(self, signed):
        tampered = flip_byte_in_signed_range(stored_bytes(signed))
        result = verify_signed_pdf(tampered)
        assert not result.intact
        assert not result.ok
        assert result.message == TAMPERED

    def test_a_signature_from_an_unknown_ca_is_not_trusted(self, signed):
        result = verify_signed_pdf(stored_bytes(signed), trust_roots=[])
        assert result.intact and result.valid
        assert not result.trusted and not result.ok
        assert "tin cậy" in result.message

    def test_is_checked_at_the_given_moment_so_stored_results_outlive_the_certificate(self, signed):
        data = stored_bytes(signed)
        ten_years_on = signed.signed_at + timedelta(days=3650)
        assert not verify_signed_pdf(data, moment=ten_years_on).trusted
        assert verify_signed_pdf(data, moment=signed.signed_at).ok

    def test_names_the_issuing_ca(self, signed):
        assert verify_signed_pdf(stored_bytes(signed)).issuer == pki.DEMO_CA_NAME

    def test_a_trust_list_that_cannot_be_read_trusts_nothing(self, signed, settings):
        settings.MOTCUA_PKI_TRUST_ROOTS = ["/khong/co/ca.pem"]
        result = verify_signed_pdf(stored_bytes(signed))
        assert result.intact and result.valid and not result.trusted

    def test_appending_an_update_after_signing_is_reported_as_a_change(self, signed):
        from pyhanko.pdf_utils.generic import NameObject, TextStringObject
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        writer = IncrementalPdfFileWriter(io.BytesIO(stored_bytes(signed)))
        info = writer.trailer["/Info"].get_object()
        info[NameObject("/Title")] = TextStringObject("Đã sửa")
        writer.update_container(info)
        out = io.BytesIO()
        writer.write(out)
        result = verify_signed_pdf(out.getvalue())
        assert not result.ok
        assert result.message == TAMPERED

    def test_a_pdf_without_signature_is_reported(self, dossier):
        pdf = render_result_pdf(
            dossier,
            verification_url="x",
            verification_code="X",
            signer=Signer(""),
            now=timezone.now(),
        )
        assert verify_signed_pdf(pdf).message == "Tệp không có chữ ký số."

    def test_garbage_is_not_a_signed_pdf(self):
        result = verify_signed_pdf(b"%PDF-1.7 not really")
        assert not result.ok
        assert "Không đọc được" in result.message


class TestSignResultRefusals:
    def test_an_expired_certificate_is_refused_in_vietnamese_and_nothing_is_written(
        self, dossier, leader, demo_pki
    ):
        now = timezone.now()
        ca_key, ca_cert = pki._load_ca(demo_pki.directory, pki.read_passphrase())
        key, cert = pki.issue_signing_certificate(
            ca_key,
            ca_cert,
            common_name="Trần Văn Lãnh Đạo",
            organisation="UBND xã",
            now=now,
            not_before=now - timedelta(days=400),
            not_after=now - timedelta(days=1),
        )
        path = demo_pki.directory / "het-han.p12"
        pki.write_private(
            path,
            pki.pkcs12_bytes(
                key, cert, [ca_cert], passphrase=pki.read_passphrase(), friendly_name="het-han"
            ),
        )
        with transaction.atomic():
            certificate, _ = register_certificate(user=leader, p12_path="het-han.p12")
        with pytest.raises(SigningError, match="đã hết hạn ngày"):
            sign(dossier, certificate, leader, now=now)
        assert nothing_written()

    def test_a_wrong_passphrase_is_refused(self, dossier, certificate, leader, monkeypatch):
        monkeypatch.setenv("MAT_KHAU_LANH_DAO", "sai-mat-khau")
        certificate.passphrase_env = "MAT_KHAU_LANH_DAO"
        certificate.save()
        with pytest.raises(SigningError, match="mật khẩu không đúng"):
            sign(dossier, certificate, leader)
        assert nothing_written()

    def test_a_passphrase_variable_that_is_not_set_is_refused(self, dossier, certificate, leader):
        certificate.passphrase_env = "MOTCUA_TEST_KHONG_DAT"
        certificate.save()
        with pytest.raises(SigningError, match="Chưa đặt biến môi trường MOTCUA_TEST_KHONG_DAT"):
            sign(dossier, certificate, leader)
        assert nothing_written()

    def test_a_missing_file_is_refused(self, dossier, leader):
        certificate = SigningCertificate.objects.create(
            user=leader, label="Mất tệp", p12_path="lanh-dao/khong-co.p12"
        )
        with pytest.raises(SigningError, match="Không tìm thấy tệp chứng thư số"):
            sign(dossier, certificate, leader)
        assert nothing_written()

    def test_a_file_replaced_by_another_certificate_is_refused(self, dossier, certificate, leader):
        certificate.p12_path = "lanh-dao/le-thi-pho-chu-tich.p12"
        certificate.save()
        with pytest.raises(SigningError, match="không khớp"):
            sign(dossier, certificate, leader)
        assert nothing_written()

    def test_an_inactive_certificate_is_refused(self, dossier, certificate, leader):
        certificate.is_active = False
        certificate.save()
        with pytest.raises(SigningError, match="ngừng sử dụng"):
            sign(dossier, certificate, leader)
        assert nothing_written()

    def test_another_users_certificate_is_refused_with_403(
        self, dossier, certificate, django_user_model
    ):
        other = django_user_model.objects.create_user(username="khac")
        with pytest.raises(SigningError) as error:
            sign(dossier, certificate, other)
        assert error.value.status_code == 403
        assert nothing_written()


def test_applicant_is_in_the_signed_document_itself(signed):
    # The citizen's own copy names them; the public page (test_views) must not.
    assert APPLICANT.name in text_of(stored_bytes(signed))
