"""The VietQR payload, read back by an independent EMVCo decoder and from the rendered image."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image

from motcua.dossiers.slip import render_slip_pdf
from motcua.payments.qr import build_payload, payment_qr, transfer_purpose
from motcua.payments.services import record_cash
from tests.payments.conftest import submit, vn
from tests.payments.emvco import DecodeError, crc16_ccitt_false, decode

# domain.md §6: built and CRC-checked by hand there, from another tool.
WORKED_EXAMPLE = (
    "00020101021238540010A00000072701240006970436011001234567890208QRIBFTTA53037045405200005802VN"
    "62200816HS 001193 LE PHI6304C3D0"
)


class TestDecoder:
    def test_crc_check_value(self):
        assert crc16_ccitt_false(b"123456789") == 0x29B1

    def test_reads_the_worked_example(self):
        qr = decode(WORKED_EXAMPLE)
        assert (qr.bank_bin, qr.account, qr.amount, qr.purpose) == (
            "970436",
            "0123456789",
            20000,
            "HS 001193 LE PHI",
        )

    @pytest.mark.parametrize("index", [10, 60, 95, len(WORKED_EXAMPLE) - 1])
    def test_a_changed_character_fails_the_crc(self, index):
        changed = WORKED_EXAMPLE[:index] + ("7" if WORKED_EXAMPLE[index] != "7" else "8")
        changed += WORKED_EXAMPLE[index + 1 :]
        with pytest.raises(DecodeError):
            decode(changed)


class TestBuildPayload:
    def test_reproduces_the_worked_example_byte_for_byte(self):
        payload = build_payload(
            bank_bin="970436",
            account_number="0123456789",
            amount_vnd=20000,
            purpose="HS 001193 LE PHI",
        )
        assert payload == WORKED_EXAMPLE

    def test_dynamic_qr_fields(self):
        payload = build_payload(
            bank_bin="970415",
            account_number="113000006100",
            amount_vnd=1_250_000,
            purpose="000.00.25.H45-250707-0001",
        )
        qr = decode(payload)
        assert qr.point_of_initiation == "12"  # dynamic: the amount is fixed
        assert qr.guid == "A000000727"  # NAPAS
        assert qr.service == "QRIBFTTA"  # transfer to an account
        assert (qr.bank_bin, qr.account) == ("970415", "113000006100")
        assert (qr.currency, qr.country, qr.amount) == ("704", "VN", 1_250_000)
        assert qr.purpose == "000.00.25.H45-250707-0001"

    def test_purpose_loses_diacritics_and_symbols(self):
        assert transfer_purpose("Lệ phí hồ sơ #12 – Đăng ký") == "Le phi ho so 12 Dang ky"

    @pytest.mark.parametrize(
        "overrides",
        [
            {"bank_bin": "97043"},
            {"bank_bin": "97043A"},
            {"account_number": "0011 001"},
            {"account_number": ""},
            {"amount_vnd": 0},
            {"amount_vnd": -1},
            {"amount_vnd": 1.5},
            {"amount_vnd": True},
            {"amount_vnd": 10**13},
        ],
    )
    def test_impossible_input_is_refused(self, overrides):
        values = {"bank_bin": "970436", "account_number": "123", "amount_vnd": 1, "purpose": "x"}
        with pytest.raises(ValueError):
            build_payload(**{**values, **overrides})


@pytest.mark.django_db
class TestPaymentQr:
    def test_carries_the_fee_of_the_channel_and_the_dossier_code(self, dossier):
        qr = payment_qr(dossier)
        decoded = decode(qr.payload)
        assert dossier.fee_vnd == 15000  # the catalog's direct-channel fee
        assert decoded.amount == 15000
        assert decoded.purpose == dossier.code
        assert (decoded.bank_bin, decoded.account) == ("970436", "0011001234567")
        assert qr.bank_name == "Vietcombank"

    def test_online_dossier_gets_the_online_fee(self, center, procedure, account):
        dossier, _ = submit(center, procedure, key="online-1", channel="online", actor="portal")
        assert decode(payment_qr(dossier).payload).amount == 10000

    def test_none_for_a_free_dossier(self, center, procedure, account):
        dossier, _ = submit(center, procedure, key="postal-1", channel="postal", actor="user:1")
        assert dossier.fee_vnd == 0
        assert payment_qr(dossier) is None

    def test_none_without_an_active_account(self, dossier, account):
        account.is_active = False
        account.save()
        assert payment_qr(dossier) is None

    def test_none_once_paid(self, dossier):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        assert payment_qr(dossier) is None


def _decode_image(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.django_db
class TestQrImage:
    def test_png_decodes_back_to_the_payload(self, dossier):
        qr = payment_qr(dossier)
        texts = _decode_image(Image.open(io.BytesIO(qr.png())))
        assert texts == [qr.payload]
        assert decode(texts[0]).purpose == dossier.code

    def test_inline_svg_is_a_qr(self, dossier):
        svg = payment_qr(dossier).svg()
        assert svg.startswith("<svg") and "Mã QR chuyển khoản" in svg

    @pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
    @pytest.mark.parametrize("layout", ["a5", "receipt80"])
    def test_the_slip_prints_a_scannable_payment_qr(self, dossier, layout, tmp_path):
        pdf = render_slip_pdf(dossier, layout=layout, tracking_url="https://motcua.example/ho-so/x")
        (tmp_path / "slip.pdf").write_bytes(pdf)
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-r", "300", "-png", str(tmp_path / "slip.pdf"), str(tmp_path / "page")],
            check=True,
        )
        texts = []
        for page in sorted(tmp_path.glob("page*.png")):
            texts += _decode_image(Image.open(page))
        payments = [t for t in texts if t.startswith("000201")]
        assert len(payments) == 1, texts
        decoded = decode(payments[0])
        assert (decoded.amount, decoded.purpose) == (15000, dossier.code)
        assert "https://motcua.example/ho-so/x" in texts  # the tracking QR is still there


@pytest.mark.django_db
class TestSlipLayout:
    def pages(self, dossier):
        from pypdf import PdfReader

        pdf = render_slip_pdf(dossier, layout="a5", tracking_url="https://motcua.example/x")
        return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]

    def test_a5_keeps_mau_01_whole_and_pays_on_its_own_page(self, dossier):
        first, *rest = self.pages(dossier)
        assert "NGƯỜI NỘP HỒ SƠ" in first and "VIETQR" not in first
        assert len(rest) == 1
        assert "NỘP PHÍ, LỆ PHÍ BẰNG CHUYỂN KHOẢN (VIETQR)" in rest[0]
        assert "15.000 đồng" in rest[0] and dossier.code in rest[0]

    def test_no_payment_page_for_a_paid_dossier(self, dossier):
        record_cash(dossier.pk, amount_vnd=15000, actor="user:1", now=vn(2025, 7, 7, 9, 30))
        assert len(self.pages(dossier)) == 1
