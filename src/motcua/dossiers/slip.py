"""The appointment slip, Mẫu 01 "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" (TT 01/2018/TT-VPCP).

Two layouts: A5 for an office printer and a compact 80 mm roll for kiosk receipt printers
(72 mm printable, as long as the content). Noto Sans is shipped in ``fonts/`` and embedded in
every PDF, so diacritics print the same on any machine, whatever fonts it has.

The slip states only what each component row records (docs/decisions/0007): what was received
electronically (each attached file by name, the e-form declaration), what paper an officer
received (with its counts), and, while the dossier is only registered ("Mới đăng ký", a kiosk
has no paper intake), which papers the applicant must still bring to the counter, with the
originals and copies the catalog asks for. A registered dossier's slip is a registration slip:
it says the dossier is not received yet and its appointment is provisional.
"""

from __future__ import annotations

import io
import posixpath
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from motcua.catalog.fees import Fee
from motcua.catalog.states import TimeUnit
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.states import Channel, DossierStatus, ResultDelivery

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "MotcuaNotoSans"
BOLD = "MotcuaNotoSans-Bold"

LAYOUTS = ("a5", "receipt80")
RECEIPT_WIDTH = 80 * mm
RECEIPT_MARGIN = 4 * mm  # 72 mm printable on common 80 mm thermal printers

_COMMUNE_PREFIXES = ("xã ", "phường ", "đặc khu ", "thị trấn ")


def _register_fonts() -> None:
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _x(text: str) -> str:
    """Text for a Paragraph: NFC (precomposed glyphs) and XML-escaped (names may hold "&")."""
    return escape(nfc(text))


def format_date(value: datetime) -> str:
    from motcua.dossiers.services import VIETNAM

    return f"{value.astimezone(VIETNAM):%d/%m/%Y}"


def format_moment(value: datetime) -> str:
    """Mẫu 01 wording: "… giờ … phút, ngày … tháng … năm …", in Vietnam time."""
    from motcua.dossiers.services import VIETNAM

    local = value.astimezone(VIETNAM)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}".replace(".", ",")


def time_limit_text(dossier: Dossier) -> str:
    value, unit = dossier.time_limit_value, dossier.time_limit_unit
    if value is None or not unit:
        return "Theo quy định"
    if value == 0:
        return "Trong ngày làm việc"
    return f"{_number(value)} {TimeUnit(unit).label}"


def format_fee(dossier: Dossier) -> str:
    """The wording of the kiosk's review page and the dossier page (``catalog.fees``)."""
    return Fee.of_dossier(dossier).text()


def _place(commune: str) -> str:
    name = nfc(commune).strip()
    for prefix in _COMMUNE_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :]
    return name


def _ubnd(commune: str) -> str:
    name = nfc(commune).strip()
    if not name.lower().startswith(_COMMUNE_PREFIXES):
        name = f"xã {name}"
    return f"UBND {name}".upper()


def _counts(originals: int, copies: int) -> str:
    parts = []
    if originals:
        parts.append(f"{originals:02d} bản chính")
    if copies:
        parts.append(f"{copies:02d} bản sao")
    return ", ".join(parts)


def file_label(doc: DossierDocument) -> str:
    """The attached file's name as the applicant gave it (stored as ``<nn>-<name>``)."""
    base = posixpath.basename(doc.file.name or "")
    head, _dash, rest = base.partition("-")
    return rest if head.isdigit() and rest else base


def is_eform(doc: DossierDocument) -> bool:
    # The counter marks the declaration it typed as digitized at intake, with no file.
    return doc.from_eform or (doc.digitized and not doc.file and not doc.provided_on_paper)


SHORT_NAME = 70


def short_name(name: str) -> str:
    """A component's name as a list line shows it: the catalog's first clause ("Giấy chứng
    sinh; trường hợp không có …" → "Giấy chứng sinh"), at most about 70 characters, so the A5
    slip stays one page; the officer's page shows the full name."""
    text = " ".join(nfc(name).split(";", 1)[0].split())
    if len(text) <= SHORT_NAME:
        return text
    return text[: text.rfind(" ", 0, SHORT_NAME)].rstrip(" ,(") + "…"


@dataclass(frozen=True)
class PaperLists:
    """The components as the slip lists them, each line ready to print."""

    electronic: list[str]
    on_paper: list[str]
    to_bring: list[str]


def paper_lists(dossier: Dossier) -> PaperLists:
    electronic, on_paper, to_bring = [], [], []
    # An online dossier is checked on its electronic copies (dịch vụ công trực tuyến toàn
    # trình): the citizen has nothing to bring to the counter for it to be received.
    registered = dossier.status == DossierStatus.SUBMITTED and dossier.channel != Channel.ONLINE
    documents = dossier.documents.select_related("required_document").order_by("position")
    for doc in documents:
        name = short_name(doc.name)
        if doc.file:
            electronic.append(f"{name} (tệp: {nfc(file_label(doc))})")
        elif is_eform(doc):
            electronic.append(f"{name} (tờ khai điện tử)")
        if doc.provided_on_paper:
            counts = _counts(doc.originals, doc.copies) or "bản giấy"
            on_paper.append(f"{name} ({counts})")
        elif registered and not is_eform(doc):
            catalog = doc.required_document
            wanted = _counts(catalog.originals, catalog.copies) if catalog else ""
            if wanted or not doc.file:
                to_bring.append(f"{name} ({wanted or 'bản giấy'})")
    return PaperLists(electronic, on_paper, to_bring)


class QRCode(Flowable):
    """A vector QR code: crisp on thermal printers at any resolution."""

    def __init__(self, data: str, size: float, border: int = 2):
        super().__init__()
        self.qr = segno.make(data, error="m", micro=False)
        self.size = size
        self.border = border

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        matrix = self.qr.matrix
        count = len(matrix) + 2 * self.border
        module = self.size / count
        path = self.canv.beginPath()
        for row_index, row in enumerate(matrix):
            y = self.size - (row_index + self.border + 1) * module
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                x = (start + self.border) * module
                path.rect(x, y, (column - start) * module, module)
        self.canv.setFillColorRGB(0, 0, 0)
        self.canv.drawPath(path, stroke=0, fill=1)


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    small_center: ParagraphStyle
    center: ParagraphStyle
    center_bold: ParagraphStyle
    title: ParagraphStyle
    code: ParagraphStyle
    due: ParagraphStyle


def _styles(base: float) -> _Styles:
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=base, leading=base * 1.35, alignment=TA_LEFT
    )
    return _Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=base * 0.85, leading=base * 0.85 * 1.3),
        small_center=ParagraphStyle(
            "small_center",
            parent=body,
            fontSize=base * 0.85,
            leading=base * 0.85 * 1.3,
            alignment=TA_CENTER,
        ),
        center=ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        center_bold=ParagraphStyle("center_bold", parent=body, fontName=BOLD, alignment=TA_CENTER),
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=BOLD,
            fontSize=base * 1.3,
            leading=base * 1.3 * 1.25,
            alignment=TA_CENTER,
            spaceBefore=base * 0.6,
            spaceAfter=base * 0.4,
        ),
        code=ParagraphStyle("code", parent=body, fontName=BOLD, alignment=TA_CENTER),
        due=ParagraphStyle(
            "due", parent=body, fontName=BOLD, fontSize=base * 1.1, alignment=TA_CENTER
        ),
    )


def _fitted(text: str, font: str, largest: float, width: float) -> float:
    """The largest font size up to ``largest`` at which ``text`` fits on one line."""
    size = largest
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _code_paragraph(code: str, styles: _Styles, largest: float, width: float) -> Paragraph:
    size = _fitted(code, BOLD, largest, width)
    style = ParagraphStyle("code_fit", parent=styles.code, fontSize=size, leading=size * 1.25)
    return Paragraph(_x(code), style)


def _body(dossier: Dossier, styles: _Styles) -> list[Flowable]:
    center = dossier.center
    s = styles
    registered = dossier.status == DossierStatus.SUBMITTED
    papers = paper_lists(dossier)
    delivery_names: dict[str, str] = {
        ResultDelivery.AT_CENTER: nfc(center.name),
        ResultDelivery.POSTAL: "Địa chỉ người nộp, qua dịch vụ bưu chính công ích",
        ResultDelivery.ONLINE: "Cổng Dịch vụ công (bản điện tử)",
    }
    delivery = delivery_names.get(dossier.result_delivery, dossier.get_result_delivery_display())
    due = format_moment(dossier.due_at) if dossier.due_at else "Theo quy định"
    online = dossier.channel == Channel.ONLINE
    if registered:
        surface = "Cổng dịch vụ công" if online else "Kiosk tự phục vụ"
        opening = (
            f"{surface} – {_x(center.name)} đã ghi nhận hồ sơ đăng ký của: "
            f"<b>Ông/Bà {_x(dossier.applicant_name)}</b>"
        )
    else:
        opening = (
            f"Bộ phận tiếp nhận và trả kết quả – {_x(center.name)} "
            f"tiếp nhận hồ sơ của: <b>Ông/Bà {_x(dossier.applicant_name)}</b>"
        )
    story: list[Flowable] = [Paragraph(opening, s.body)]
    contact = []
    if dossier.applicant_address:
        contact.append(f"Địa chỉ: {_x(dossier.applicant_address)}")
    if dossier.applicant_phone:
        contact.append(f"Số điện thoại: {_x(dossier.applicant_phone)}")
    if dossier.applicant_email:
        contact.append(f"Email: {_x(dossier.applicant_email)}")
    if contact:
        story.append(Paragraph("; ".join(contact), s.body))
    if registered and online:
        story.append(
            Paragraph(
                "<b>Hồ sơ đã được đăng ký, chưa được tiếp nhận.</b> Cán bộ tiếp nhận sẽ kiểm tra "
                "hồ sơ điện tử; thời hạn giải quyết tính từ khi hồ sơ được tiếp nhận.",
                s.body,
            )
        )
    elif registered:
        story.append(
            Paragraph(
                "<b>Hồ sơ đã được đăng ký, chưa được tiếp nhận.</b> Mời ông/bà mang giấy tờ ở "
                "mục c) đến quầy để cán bộ kiểm tra và tiếp nhận.",
                s.body,
            )
        )
    story += [
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{_x(dossier.procedure.name)}</b>", s.body),
        Paragraph("1. Thành phần hồ sơ:", s.body),
    ]
    indented = ParagraphStyle("indented", parent=s.body, leftIndent=s.body.fontSize)
    sections = [
        ("a) Đã nhận bản điện tử", papers.electronic),
        ("b) Đã nhận bản giấy", papers.on_paper),
    ]
    if registered and not online:
        sections.append(("c) Còn phải mang đến quầy", papers.to_bring))
    for title, lines in sections:
        # One paragraph per list keeps the A5 slip on one page.
        items = "; ".join(f"{i}) {line}" for i, line in enumerate(lines, 1)) or "không có"
        count = f" ({len(lines)})" if lines else ""
        story.append(Paragraph(f"<b>{_x(title)}{count}:</b> {_x(items)}", indented))
    if registered:
        received_line = f"4. Thời gian đăng ký hồ sơ: {format_moment(dossier.received_at)}"
        due_line = f"5. Thời gian trả kết quả dự kiến: <b>{due}</b>"
    else:
        received_line = f"4. Thời gian nhận hồ sơ: {format_moment(dossier.received_at)}"
        due_line = f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{due}</b>"
    story += [
        Paragraph("2. Số lượng hồ sơ: 01 (bộ)", s.body),
        Paragraph(
            f"3. Thời gian giải quyết hồ sơ theo quy định: {_x(time_limit_text(dossier))}", s.body
        ),
        Paragraph(received_line, s.body),
        Paragraph(due_line, s.body),
        Paragraph(f"6. Đăng ký nhận kết quả tại: {_x(delivery)}", s.body),
        Paragraph(f"Phí, lệ phí: {_x(format_fee(dossier))}", s.body),
    ]
    return story


def slip_title(dossier: Dossier) -> str:
    if dossier.status == DossierStatus.SUBMITTED:
        return "PHIẾU ĐĂNG KÝ HỒ SƠ"
    return "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


def _signatures(styles: _Styles, width: float, gap: float) -> Table:
    left = [
        Paragraph("NGƯỜI NỘP HỒ SƠ", styles.center_bold),
        Paragraph("(Ký và ghi rõ họ tên)", styles.small_center),
    ]
    right = [
        Paragraph("NGƯỜI TIẾP NHẬN HỒ SƠ", styles.center_bold),
        Paragraph("(Ký và ghi rõ họ tên)", styles.small_center),
    ]
    table = Table([[left, right], ["", ""]], colWidths=[width / 2] * 2, rowHeights=[None, gap])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _signed(dossier: Dossier, styles: _Styles, width: float, gap: float) -> list[Flowable]:
    # A registration is not received yet: nobody of the center signs it, nor enters it in the
    # Sổ theo dõi hồ sơ (Mẫu 06); the officer's Mẫu 01 after the check carries both.
    if dossier.status == DossierStatus.SUBMITTED:
        return []
    return [_signatures(styles, width, gap)]


def _header(dossier: Dossier, styles: _Styles, width: float, stacked: bool) -> list[Flowable]:
    center = dossier.center
    nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto = "Độc lập - Tự do - Hạnh phúc"
    agency = [
        Paragraph(_x(_ubnd(center.commune)), styles.center),
        Paragraph("TRUNG TÂM PHỤC VỤ<br/>HÀNH CHÍNH CÔNG", styles.center_bold),
    ]
    column = width if stacked else width * 0.55
    nation_size = _fitted(nation, BOLD, styles.body.fontSize, column - 2)
    nation_style = ParagraphStyle(
        "nation", parent=styles.center_bold, fontSize=nation_size, leading=nation_size * 1.35
    )
    republic = [Paragraph(nation, nation_style), Paragraph(f"<u>{motto}</u>", styles.center_bold)]
    if stacked:
        return [*republic, Spacer(1, 2 * mm), *agency]
    table = Table([[agency, republic]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def _dated_place(dossier: Dossier) -> str:
    from motcua.dossiers.services import VIETNAM

    local = dossier.received_at.astimezone(VIETNAM)
    return f"{_x(_place(dossier.center.commune))}, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _a5_story(dossier: Dossier, tracking_url: str, width: float) -> list[Flowable]:
    s = _styles(9.5)
    label = (
        "Ngày hẹn trả (dự kiến)"
        if dossier.status == DossierStatus.SUBMITTED
        else "Ngày hẹn trả kết quả"
    )
    due_line = (
        f"{label}: {format_date(dossier.due_at)}" if dossier.due_at else f"{label}: theo quy định"
    )
    qr_size = 30 * mm
    code_block = [
        Paragraph("Mã hồ sơ", s.center),
        _code_paragraph(dossier.code, s, 17, width - qr_size - 6 * mm),
        Paragraph(_x(due_line), s.due),
        Paragraph("Quét mã QR để tra cứu tình trạng hồ sơ", s.small_center),
    ]
    code_table = Table(
        [[code_block, QRCode(tracking_url, qr_size)]],
        colWidths=[width - qr_size - 2 * mm, qr_size + 2 * mm],
    )
    code_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (0, 0), 0.6, "#000000"),
                ("LEFTPADDING", (1, 0), (1, 0), 2 * mm),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ]
        )
    )
    number_and_date = Table(
        [
            [
                Paragraph(f"Số: {dossier.number:04d}/TNHS", s.body),
                Paragraph(f"<i>{_dated_place(dossier)}</i>", s.center),
            ]
        ],
        colWidths=[width * 0.45, width * 0.55],
    )
    number_and_date.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        *_header(dossier, s, width, stacked=False),
        Spacer(1, 2 * mm),
        number_and_date,
        Paragraph(slip_title(dossier), s.title),
        code_table,
        Spacer(1, 3 * mm),
        *_body(dossier, s),
        *([Spacer(1, 3 * mm)] if dossier.status != DossierStatus.SUBMITTED else []),
        *_signed(dossier, s, width, 16 * mm),
        Paragraph(
            (
                f"Tra cứu hồ sơ: {_x(tracking_url)}"
                if dossier.status == DossierStatus.SUBMITTED
                else f"Vào Sổ theo dõi hồ sơ, Số thứ tự: {dossier.number:04d}. "
                f"Tra cứu hồ sơ: {_x(tracking_url)}"
            ),
            s.small,
        ),
        *_extra_blocks(dossier, width, s.body.fontSize, before=[PageBreak()]),
    ]


def _receipt_story(dossier: Dossier, tracking_url: str, width: float) -> list[Flowable]:
    s = _styles(7.5)
    label = "Hẹn trả (dự kiến)" if dossier.status == DossierStatus.SUBMITTED else "Hẹn trả"
    due_line = (
        f"{label}: {format_date(dossier.due_at)}" if dossier.due_at else f"{label}: theo quy định"
    )
    rule = Table([[""]], colWidths=[width], rowHeights=[1.5 * mm])
    rule.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, "#000000"),
            ]
        )
    )
    qr = QRCode(tracking_url, 34 * mm)
    qr.hAlign = "CENTER"
    return [
        *_header(dossier, s, width, stacked=True),
        Paragraph(slip_title(dossier).replace(" VÀ ", "<br/>VÀ "), s.title),
        Paragraph(f"Số: {dossier.number:04d}/TNHS – {_dated_place(dossier)}", s.small_center),
        rule,
        Spacer(1, 1.5 * mm),
        Paragraph("Mã hồ sơ", s.center),
        _code_paragraph(dossier.code, s, 14, width),
        Paragraph(_x(due_line), ParagraphStyle("due_big", parent=s.due, fontSize=11, leading=14)),
        Spacer(1, 1 * mm),
        qr,
        Paragraph("Quét mã QR để tra cứu tình trạng hồ sơ", s.small_center),
        rule,
        Spacer(1, 1.5 * mm),
        *_body(dossier, s),
        Spacer(1, 2 * mm),
        *_signed(dossier, s, width, 10 * mm),
        Paragraph(f"Tra cứu hồ sơ: {_x(tracking_url)}", s.small_center),
        *_extra_blocks(dossier, width, s.body.fontSize, before=[Spacer(1, 2 * mm), rule]),
    ]


# --- Blocks other apps add after the slip (issue 13: the fee's payment QR) -------------------
# Registered in the other app's ``AppConfig.ready()`` (the dossier app imports none of them, as
# with ``panels.py``); a builder gets the dossier, the text width and the base font size and
# returns the flowables to draw, or [] when it has nothing for this dossier. They come after
# Mẫu 01, never inside it: on A5 on a page of their own (the form fills its page), on the roll
# under a rule.
SlipBlock = Callable[[Dossier, float, float], list[Flowable]]
_slip_blocks: dict[str, SlipBlock] = {}


def on_slip_block(builder: SlipBlock, *, name: str) -> SlipBlock:
    """Register ``builder``; a name registered again replaces its builder in place."""
    _slip_blocks[name] = builder
    return builder


def _extra_blocks(
    dossier: Dossier, width: float, base: float, *, before: list[Flowable]
) -> list[Flowable]:
    blocks = [f for builder in list(_slip_blocks.values()) for f in builder(dossier, width, base)]
    return [*before, *blocks] if blocks else []


# --------------------------------------------------------------------------------------------


def render_slip_pdf(dossier: Dossier, *, layout: str = "a5", tracking_url: str) -> bytes:
    """Mẫu 01 for ``dossier`` as PDF bytes; ``tracking_url`` (absolute) goes into the QR code."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown slip layout {layout!r}; expected one of {LAYOUTS}")
    _register_fonts()
    buffer = io.BytesIO()
    title = f"{slip_title(dossier).capitalize()} {dossier.code}"
    if layout == "a5":
        margin = 11 * mm
        width = A5[0] - 2 * margin
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A5,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            title=title,
            author=nfc(dossier.center.name),
            subject="Mẫu 01 – TT 01/2018/TT-VPCP",
            # Without this the canvas declares Helvetica, a font that is not embedded.
            initialFontName=REGULAR,
        )
        doc.build(_a5_story(dossier, tracking_url, width))
        return buffer.getvalue()

    width = RECEIPT_WIDTH - 2 * RECEIPT_MARGIN
    story = _receipt_story(dossier, tracking_url, width)
    # A roll has no page length: measure the story, then make one page exactly that tall.
    heights = []
    for flowable in story:
        _, height = flowable.wrap(width, 10_000)
        heights.append(height + flowable.getSpaceBefore() + flowable.getSpaceAfter())
    page_height = sum(heights) + 2 * RECEIPT_MARGIN
    canvas = Canvas(buffer, pagesize=(RECEIPT_WIDTH, page_height), initialFontName=REGULAR)
    canvas.setTitle(title)
    canvas.setAuthor(nfc(dossier.center.name))
    canvas.setSubject("Mẫu 01 – TT 01/2018/TT-VPCP")
    y = page_height - RECEIPT_MARGIN
    for flowable, height in zip(story, heights, strict=True):
        y -= height
        x = RECEIPT_MARGIN
        if getattr(flowable, "hAlign", "LEFT") == "CENTER":
            x += (width - flowable.wrap(width, 10_000)[0]) / 2
        flowable.drawOn(canvas, x, y + flowable.getSpaceAfter())
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
