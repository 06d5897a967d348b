"""Mẫu 06 Sổ theo dõi hồ sơ (TT 01/2018/TT-VPCP): one row per dossier received, from the events.

The book covers the dossiers a center received between two days (Vietnam dates, both
included), in receipt order. Its dates are read from the event log, never typed:

- Ngày nhận hồ sơ: the receipt;
- Ngày hẹn trả: the due time now in force (moved by supplements and Mẫu 04 re-appointments);
- Ngày chuyển hồ sơ: the first hand-over to a processing unit or officer (``assign``);
- Ngày nhận kết quả: the last time the result came back to the counter (``sign`` or
  ``mark_result_ready``);
- Ngày trả kết quả: the return to the citizen (``return_result``).

"Ký nhận" is left empty for the citizen's signature on the printed book.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from motcua.centers.models import Center
from motcua.core.spreadsheet import text_safe_cell
from motcua.dossiers.models import Dossier
from motcua.dossiers.slip import (
    _COMMUNE_PREFIXES,
    BOLD,
    REGULAR,
    _register_fonts,
    _styles,
    _ubnd,
    _x,
    nfc,
)
from motcua.dossiers.states import DossierStatus, EventAction

COLUMNS: tuple[tuple[str, float], ...] = (
    # (heading, Excel column width in characters)
    ("STT", 7),
    ("Mã hồ sơ", 26),
    ("Tên TTHC", 40),
    ("Số lượng hồ sơ", 10),
    ("Tên cá nhân, tổ chức", 24),
    ("Địa chỉ, số điện thoại", 32),
    ("Cơ quan chủ trì giải quyết", 26),
    ("Ngày nhận hồ sơ", 17),
    ("Ngày hẹn trả", 17),
    ("Ngày chuyển hồ sơ", 17),
    ("Ngày nhận kết quả", 17),
    ("Ngày trả kết quả", 17),
    ("Ký nhận", 12),
    ("Ghi chú", 36),
)
HEADINGS = tuple(heading for heading, _width in COLUMNS)
DATE_FORMAT = "dd/mm/yyyy hh:mm"
MAX_DAYS = 366
TITLE = "SỔ THEO DÕI HỒ SƠ"
HEADER_ROW = 4  # title, period, blank line, then the column headings

_NOTED_ACTIONS: dict[str, str] = {
    EventAction.REFUSE: "Từ chối tiếp nhận (Mẫu 03)",
    EventAction.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung (Mẫu 02)",
    EventAction.RESCHEDULE: "Xin lỗi, hẹn lại (Mẫu 04)",
    EventAction.STOP: "Dừng xử lý",
    EventAction.WITHDRAW: "Công dân rút hồ sơ",
}


class BookRangeError(ValueError):
    """A period the book cannot cover: the end before the start, or longer than a year."""


@dataclass(frozen=True)
class BookRow:
    number: int
    code: str
    procedure: str
    count: int
    applicant: str
    address_phone: str
    lead_agency: str
    received_at: datetime
    due_at: datetime | None
    transferred_at: datetime | None
    result_received_at: datetime | None
    returned_at: datetime | None
    note: str

    def values(self) -> list[object]:
        return [
            self.number,
            self.code,
            self.procedure,
            self.count,
            self.applicant,
            self.address_phone,
            self.lead_agency,
            self.received_at,
            self.due_at,
            self.transferred_at,
            self.result_received_at,
            self.returned_at,
            "",
            self.note,
        ]


def _vietnam(value: datetime) -> datetime:
    from motcua.dossiers.services import VIETNAM

    return value.astimezone(VIETNAM)


def check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise BookRangeError("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise BookRangeError(f"Sổ theo dõi chỉ lập cho tối đa {MAX_DAYS} ngày mỗi lần.")


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    from motcua.dossiers.services import VIETNAM

    start = datetime.combine(date_from, time.min, tzinfo=VIETNAM)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VIETNAM)
    return start, end


def _commune_committee(commune: str) -> str:
    """ "Xã Hiền Lương" → "Ủy ban nhân dân xã Hiền Lương": the agency that decides by default."""
    name = nfc(commune).strip()
    if name.lower().startswith(_COMMUNE_PREFIXES):
        name = name[0].lower() + name[1:]
    else:
        name = f"xã {name}"
    return f"Ủy ban nhân dân {name}"


def tracking_book_rows(center: Center, date_from: date, date_to: date) -> list[BookRow]:
    """Mẫu 06's rows: the center's dossiers received from ``date_from`` to ``date_to``."""
    check_range(date_from, date_to)
    start, end = _bounds(date_from, date_to)
    dossiers = (
        Dossier.objects.filter(center=center, received_at__gte=start, received_at__lt=end)
        .select_related("procedure", "unit", "center")
        .prefetch_related("events")
        .order_by("received_at", "id")
    )
    default_agency = _commune_committee(center.commune)
    rows = []
    for number, dossier in enumerate(dossiers, start=1):
        events = sorted(dossier.events.all(), key=lambda e: e.seq)
        transferred = next((e.at for e in events if e.action == EventAction.ASSIGN), None)
        result_back = [
            e.at for e in events if e.action in (EventAction.SIGN, EventAction.MARK_RESULT_READY)
        ]
        returned = next((e.at for e in events if e.action == EventAction.RETURN_RESULT), None)
        notes = []
        for event in events:
            label = _NOTED_ACTIONS.get(event.action)
            if label:
                when = f"{_vietnam(event.at):%d/%m/%Y}"
                notes.append(f"{label} {when}: {nfc(event.note)}" if event.note else label)
        notes.insert(0, str(DossierStatus(dossier.status).label))
        contact = ", ".join(
            part for part in (nfc(dossier.applicant_address), dossier.applicant_phone) if part
        )
        rows.append(
            BookRow(
                number=number,
                code=dossier.code,
                procedure=nfc(dossier.procedure.name),
                count=1,
                applicant=nfc(dossier.applicant_name),
                address_phone=contact,
                lead_agency=nfc(dossier.unit.name) if dossier.unit else default_agency,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                transferred_at=transferred,
                result_received_at=result_back[-1] if result_back else None,
                returned_at=returned,
                note="; ".join(notes),
            )
        )
    return rows


def _period(date_from: date, date_to: date) -> str:
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


def tracking_book_xlsx(center: Center, date_from: date, date_to: date) -> bytes:
    """The book as an Excel workbook: bold bordered headings, frozen, dates as real dates."""
    rows = tracking_book_rows(center, date_from, date_to)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi hồ sơ"
    last_column = get_column_letter(len(COLUMNS))
    sheet["A1"] = f"{TITLE} – {nfc(center.name)}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _period(date_from, date_to)
    sheet["A2"].font = Font(italic=True)
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.merge_cells(f"A2:{last_column}2")

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (heading, width) in enumerate(COLUMNS, start=1):
        cell = text_safe_cell(sheet, row=HEADER_ROW, column=index, value=heading)
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for offset, row in enumerate(rows, start=1):
        for index, value in enumerate(row.values(), start=1):
            if isinstance(value, datetime):
                # Excel has no time zones: the book is read in Vietnam time.
                value = _vietnam(value).replace(tzinfo=None)
            cell = text_safe_cell(sheet, row=HEADER_ROW + offset, column=index, value=value)
            cell.border = border
            cell.alignment = wrap
            if isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_date(value: datetime | None) -> str:
    return f"{_vietnam(value):%d/%m/%Y %H:%M}" if value else ""


def tracking_book_pdf(center: Center, date_from: date, date_to: date) -> bytes:
    """The book as an A4 landscape PDF, headings repeated on every page."""
    rows = tracking_book_rows(center, date_from, date_to)
    _register_fonts()
    s = _styles(9)
    cell = ParagraphStyle("cell", parent=s.body, fontSize=7, leading=8.6)
    head = ParagraphStyle("head", parent=cell, fontName=BOLD, alignment=1)
    page = landscape(A4)
    margin = 10 * mm
    width = page[0] - 2 * margin
    # The code never wraps (it is typed back into look-ups): its column fits the longest one.
    code_width = max([pdfmetrics.stringWidth(r.code, REGULAR, 7) + 6 for r in rows] + [60])
    rest = [w for index, (_h, w) in enumerate(COLUMNS) if index != 1]
    widths = [(width - code_width) * w / sum(rest) for w in rest]
    widths.insert(1, code_width)
    data: list[list] = [[Paragraph(_x(h), head) for h in HEADINGS]]
    for row in rows:
        values = row.values()
        data.append(
            [
                Paragraph(
                    _x(_cell_date(v) if isinstance(v, datetime) or v is None else str(v)), cell
                )
                for v in values
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.4, "#000000"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story = [
        Paragraph(_x(_ubnd(center.commune)), s.center),
        Paragraph(_x(nfc(center.name)).upper(), s.center_bold),
        Paragraph(TITLE, s.title),
        Paragraph(_period(date_from, date_to), s.center),
        Spacer(1, 3 * mm),
        table,
    ]
    if not rows:
        story.append(Paragraph("Không có hồ sơ tiếp nhận trong thời gian này.", s.body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Sổ theo dõi hồ sơ {center.agency_code} {date_from:%d/%m/%Y}–{date_to:%d/%m/%Y}",
        author=nfc(center.name),
        subject="Mẫu 06 – TT 01/2018/TT-VPCP",
        initialFontName=REGULAR,
    )
    doc.build(story)
    return buffer.getvalue()


__all__ = [
    "HEADINGS",
    "BookRangeError",
    "BookRow",
    "check_range",
    "tracking_book_pdf",
    "tracking_book_rows",
    "tracking_book_xlsx",
]
