"""The e-receipt (biên lai điện tử) of a payment, as a PDF.

It shows what a receipt for a fee or charge carries under NĐ 123/2020/NĐ-CP (invoices and
documents, receipts for fees and charges; the exact article and the official template with its
"ký hiệu" are still to be checked, domain.md has no copy): the collecting organization, the
receipt's number, the payer, what was paid for, the amount in digits and in words, how, and
when. The number runs per center and per calendar year without gaps (``services._record``).
Fonts are the slip's (Noto Sans, embedded), so diacritics print the same everywhere.
"""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from motcua.dossiers.slip import BOLD, REGULAR, _register_fonts, _ubnd, _x, format_moment, nfc
from motcua.dossiers.states import PaymentMethod
from motcua.payments.models import Payment
from motcua.payments.qr import format_vnd
from motcua.speech.numbers import read_int


def amount_in_words(amount_vnd: int) -> str:
    """ "Mười lăm nghìn đồng": the amount as the receipt's "Số tiền bằng chữ" line reads it."""
    words = read_int(amount_vnd)
    return f"{words[:1].upper()}{words[1:]} đồng"


def render_receipt_pdf(payment: Payment) -> bytes:
    _register_fonts()
    dossier = payment.dossier
    center = payment.center
    buffer = io.BytesIO()
    margin = 12 * mm
    width = A5[0] - 2 * margin
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Biên lai thu phí, lệ phí {payment.receipt_label}",
        author=nfc(center.name),
        subject=f"Hồ sơ {dossier.code}",
        initialFontName=REGULAR,
    )
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14)
    center_style = ParagraphStyle("c", parent=body, alignment=TA_CENTER)
    center_bold = ParagraphStyle("cb", parent=center_style, fontName=BOLD)
    title = ParagraphStyle("t", parent=center_bold, fontSize=14, leading=18, spaceBefore=8)
    method = PaymentMethod(payment.method).label
    rows = [
        ("Người nộp tiền", payment.payer_name),
        ("Mã hồ sơ", dossier.code),
        ("Nội dung thu", f"Phí, lệ phí thủ tục: {dossier.procedure.name}"),
        ("Số tiền", format_vnd(payment.amount_vnd)),
        ("Bằng chữ", amount_in_words(payment.amount_vnd)),
        ("Hình thức nộp", str(method)),
        ("Thời điểm nộp", format_moment(payment.paid_at)),
    ]
    if payment.transaction_id:
        rows.append(("Mã giao dịch", payment.transaction_id))
    table = Table(
        [[Paragraph(_x(k), body), Paragraph(_x(v), body)] for k, v in rows],
        colWidths=[width * 0.32, width * 0.68],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#999999"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        Paragraph(_x(_ubnd(center.commune)), center_style),
        Paragraph(_x(center.name), center_bold),
        Paragraph(f"Mã cơ quan: {_x(center.agency_code)}", center_style),
        Paragraph("BIÊN LAI THU PHÍ, LỆ PHÍ", title),
        Paragraph("(Biên lai điện tử)", center_style),
        Paragraph(f"Số: <b>{_x(payment.receipt_label)}</b>", center_style),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 5 * mm),
        Paragraph(
            f"Ghi nhận lúc {format_moment(payment.recorded_at)} bởi hệ thống một cửa "
            f"của {_x(center.name)}.",
            ParagraphStyle("small", parent=body, fontSize=8, leading=11),
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
