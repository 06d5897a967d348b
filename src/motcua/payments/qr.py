"""The VietQR (NAPAS, EMVCo Merchant-Presented Mode) payment QR for a dossier's fee.

The payload is built by ``vietnam-qr-pay`` (MIT, the package domain.md §6 takes its constants
from): a dynamic QR (point of initiation 12) to the center's collection account (field 38: NAPAS
GUID, bank BIN, account number, service QRIBFTTA), in VND (53 = 704), for the fee (54), with the
dossier code as the purpose of the transfer (62/08, "nội dung chuyển khoản"), so that the bank's
confirmation names the dossier it pays. The CRC (63) is CRC-16/CCITT-FALSE over everything
before it, "6304" included. ``tests/payments`` decodes it with a decoder written from the EMVCo
specification, not with this library.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import segno
from django.utils.translation import gettext as _
from vietnam_qr_pay import BanksObject, QRPay

from motcua.dossiers.models import Dossier
from motcua.dossiers.settlement import UNPAYABLE_STATUSES

# EMVCo: a template's value is at most 99 characters; field 62 holds the purpose as a sub-field.
_MAX_PURPOSE = 80
# What every bank app keeps in a transfer's description: ASCII letters, digits, space, . and -.
_PURPOSE_UNSAFE = re.compile(r"[^0-9A-Za-z .\-]")


@cache
def _banks() -> dict[str, tuple[str, str]]:
    return {bank.bin: (bank.short_name, bank.name) for bank in BanksObject.values()}


def bank_name(bank_bin: str) -> str | None:
    """The bank's short name for a NAPAS BIN (``None`` for a BIN VietQR does not know)."""
    found = _banks().get(bank_bin)
    return found[0] if found else None


def bank_choices() -> list[tuple[str, str]]:
    return sorted(((b, f"{b} – {short}") for b, (short, _) in _banks().items()), key=lambda c: c[1])


def transfer_purpose(text: str) -> str:
    """``text`` as a transfer description every bank keeps: no diacritics, no other symbols."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_PURPOSE_UNSAFE.sub(" ", ascii_text).split())[:_MAX_PURPOSE]


def build_payload(*, bank_bin: str, account_number: str, amount_vnd: int, purpose: str) -> str:
    """The EMVCo payload text of a dynamic VietQR; raises ``ValueError`` on impossible input."""
    if not re.fullmatch(r"[0-9]{6}", bank_bin or ""):
        raise ValueError("bank BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Z]{1,19}", account_number or ""):
        raise ValueError("account number must be 1-19 ASCII digits or capitals")
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValueError("amount must be a positive integer of đồng")
    # Field 54 is at most 13 characters.
    if amount_vnd >= 10**13:
        raise ValueError("amount too large for an EMVCo QR")
    purpose = transfer_purpose(purpose)
    qr = QRPay.init_viet_qr(
        bank_bin=bank_bin,
        bank_number=account_number,
        amount=str(amount_vnd),
        purpose=purpose or None,
    )
    return qr.build()


@dataclass(frozen=True)
class PaymentQR:
    """What a page or the slip shows to pay a dossier's fee by bank transfer."""

    payload: str
    dossier_code: str
    amount_vnd: int
    bank_bin: str
    bank_name: str
    account_number: str
    account_name: str
    purpose: str

    def svg(self, *, scale: int = 4) -> str:
        """An inline SVG (no data: URL, no extra request): the pages' CSP allows it as is."""
        return segno.make(self.payload, error="m", micro=False).svg_inline(
            scale=scale, border=2, title=_("Mã QR chuyển khoản nộp phí, lệ phí")
        )

    def png(self, *, scale: int = 6) -> bytes:
        buffer = io.BytesIO()
        segno.make(self.payload, error="m", micro=False).save(
            buffer, kind="png", scale=scale, border=4
        )
        return buffer.getvalue()

    @property
    def amount_text(self) -> str:
        return format_vnd(self.amount_vnd)


def format_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def payment_qr(dossier: Dossier) -> PaymentQR | None:
    """The QR that pays ``dossier``'s fee, or ``None`` when there is nothing to pay this way.

    Nothing to pay: no fee (free or not known, as ``record_payment`` refuses those), already paid,
    a dossier not accepted or withdrawn, or a center without an active collection account.
    """
    from motcua.payments.models import CollectionAccount, Payment

    if not dossier.fee_vnd or dossier.status in UNPAYABLE_STATUSES:
        return None
    if Payment.objects.filter(dossier=dossier).exists():
        return None
    account = CollectionAccount.objects.filter(center_id=dossier.center_id, is_active=True).first()
    if account is None:
        return None
    name = bank_name(account.bank_bin)
    if name is None:
        return None
    purpose = transfer_purpose(dossier.code)
    return PaymentQR(
        payload=build_payload(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            amount_vnd=int(dossier.fee_vnd),
            purpose=purpose,
        ),
        dossier_code=dossier.code,
        amount_vnd=int(dossier.fee_vnd),
        bank_bin=account.bank_bin,
        bank_name=name,
        account_number=account.account_number,
        account_name=account.account_name,
        purpose=purpose,
    )


def slip_block(dossier: Dossier, width: float, base: float) -> list:
    """After the slip (Mẫu 01): the QR that pays the fee and what to check in the bank app."""
    qr = payment_qr(dossier)
    if qr is None:
        return []
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from motcua.dossiers.slip import BOLD, REGULAR, QRCode, _x

    body = ParagraphStyle("pay", fontName=REGULAR, fontSize=base, leading=base * 1.35)
    title = ParagraphStyle(
        "pay_title", parent=body, fontName=BOLD, fontSize=base * 1.15, alignment=TA_CENTER
    )
    lines = [
        Paragraph(f"Mã hồ sơ: <b>{_x(dossier.code)}</b>", body),
        Paragraph(f"Số tiền: <b>{_x(qr.amount_text)}</b>", body),
        Paragraph(f"Ngân hàng: {_x(qr.bank_name)}", body),
        Paragraph(f"Số tài khoản: {_x(qr.account_number)}", body),
        Paragraph(f"Chủ tài khoản: {_x(qr.account_name)}", body),
        Paragraph(f"Nội dung chuyển khoản: <b>{_x(qr.purpose)}</b>", body),
    ]
    size = min(40 * mm, width * 0.4)
    table = Table(
        [[QRCode(qr.payload, size), lines]], colWidths=[size + 2 * mm, width - size - 2 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        Paragraph("NỘP PHÍ, LỆ PHÍ BẰNG CHUYỂN KHOẢN (VIETQR)", title),
        Spacer(1, 1.5 * mm),
        table,
        Spacer(1, 1.5 * mm),
        Paragraph(
            "Quét mã bằng ứng dụng ngân hàng; số tiền và nội dung đã điền sẵn, xin không sửa nội "
            "dung. Hệ thống tự ghi nhận và cấp biên lai điện tử, xem trên trang tra cứu hồ sơ.",
            body,
        ),
    ]
