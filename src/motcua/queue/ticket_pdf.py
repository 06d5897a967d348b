"""The 80 mm queue ticket as a PDF, for thermal printers driven from a PDF spool (the same
fonts and vector QR as the Mẫu 01 slip). Numbers and the area only: no personal data."""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from motcua.dossiers.slip import (
    BOLD,
    RECEIPT_MARGIN,
    RECEIPT_WIDTH,
    REGULAR,
    QRCode,
    _register_fonts,
    _x,
)
from motcua.queue.models import Ticket
from motcua.queue.services import VIETNAM


def ticket_pdf(ticket: Ticket, *, follow_url: str, ahead: int, wait_minutes: int | None) -> bytes:
    _register_fonts()
    center = ParagraphStyle("c", fontName=REGULAR, fontSize=9, leading=11, alignment=TA_CENTER)
    bold = ParagraphStyle("b", parent=center, fontName=BOLD, fontSize=11, leading=14)
    number = ParagraphStyle("n", parent=center, fontName=BOLD, fontSize=48, leading=54)
    small = ParagraphStyle("s", parent=center, fontSize=7.5, leading=9)
    local = ticket.issued_at.astimezone(VIETNAM)
    story = [
        Paragraph(_x(ticket.center.name), bold),
        Spacer(1, 2 * mm),
        Paragraph("SỐ THỨ TỰ", center),
        Paragraph(str(ticket.number), number),
        Paragraph(_x(ticket.area.name), bold),
    ]
    if ticket.priority:
        story.append(Paragraph(_x(f"Ưu tiên: {ticket.get_priority_display()}"), center))
    wait = f" · chờ khoảng {wait_minutes} phút" if wait_minutes is not None and ahead else ""
    story += [
        Spacer(1, 2 * mm),
        Paragraph(_x(f"Trước ông/bà: {ahead} người{wait}"), center),
        Paragraph(_x(local.strftime("Lấy số lúc %H:%M ngày %d/%m/%Y")), center),
        Spacer(1, 2 * mm),
        QRCode(follow_url, 28 * mm),
        Paragraph(
            _x("Quét mã để xem còn bao nhiêu người trước mình. Số chỉ dùng trong ngày."), small
        ),
    ]
    for flowable in story:
        if isinstance(flowable, QRCode):
            flowable.hAlign = "CENTER"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=(RECEIPT_WIDTH, 100 * mm),
        leftMargin=RECEIPT_MARGIN,
        rightMargin=RECEIPT_MARGIN,
        topMargin=RECEIPT_MARGIN,
        bottomMargin=RECEIPT_MARGIN,
        title=f"So thu tu {ticket.number}",
        author="motcua",
    )
    document.build(story)
    return buffer.getvalue()
