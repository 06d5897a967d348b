"""The dashboard's tables, defined once, and their Excel and PDF exports.

A table here is what the page shows, what the Excel sheet holds and what the PDF prints: the
same columns, headings and figures, so a leader comparing the screen, the spreadsheet and the
printed report never finds two numbers for one thing. Nothing here computes a KPI: every figure
comes from the engine's reports (``motcua.reports.kpi``), read from a ``Dashboard``.

Excel keeps numbers as numbers (so they can be summed and charted) with the formats ``#,##0``
and ``0.00%``; Excel draws the separators from the reader's regional settings, which on a
Vietnamese Windows gives 3.366 and 99,63%. The PDF and the pages print the Vietnamese format
themselves (``vi_numbers``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from motcua.core.spreadsheet import text_safe_cell
from motcua.dossiers.slip import BOLD, REGULAR, _register_fonts, _x, nfc
from motcua.reports.dashboard import Dashboard
from motcua.reports.templatetags.vi_numbers import MISSING, vi_number, vi_percent

REPORT_TITLE = "Báo cáo tình hình tiếp nhận, giải quyết TTHC"

MET = "met"
MISSED = "missed"
NO_DATA = "no_data"
VERDICT_TEXT = {
    MET: "✓ Đạt",
    MISSED: "✗ Chưa đạt",
    NO_DATA: "— Chưa có số liệu",
}

VERDICT_WORDS = {MET: "Đạt", MISSED: "Chưa đạt", NO_DATA: "Chưa có số liệu"}

INT, PERCENT, DECIMAL, TEXT, VERDICT = "int", "percent", "decimal", "text", "verdict"
MINUTES = "minutes"  # a duration in minutes, one decimal: 7,7 phút
AUTO = "auto"  # a count (int) or a figure with decimals (float), decided by the value


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = INT
    width: float = 13  # Excel column width, in characters
    on_page: bool = True  # wide tables keep their secondary columns for Excel only


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str
    value: Any


@dataclass(frozen=True)
class PageRow:
    key: str  # what the row is about, for links and tests (e.g. a center's agency code)
    cells: list[Cell]


@dataclass
class Table:
    key: str  # the ?bang= value, also the Excel sheet's file name
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""
    row_keys: list[str] = field(default_factory=list)
    empty: str = "Không có hồ sơ trong kỳ báo cáo."

    def page_columns(self) -> list[Column]:
        return [c for c in self.columns if c.on_page]

    def _cells(self, row: Sequence[Any], page: bool) -> list[Cell]:
        return [
            Cell(format_value(value, column.kind), column.kind, value)
            for column, value in zip(self.columns, row, strict=True)
            if column.on_page or not page
        ]

    def page_rows(self) -> list[PageRow]:
        keys = self.row_keys or [str(row[0]) for row in self.rows]
        return [
            PageRow(key, self._cells(row, True)) for key, row in zip(keys, self.rows, strict=True)
        ]

    def page_total(self) -> list[Cell] | None:
        return self._cells(self.total, True) if self.total else None


def format_value(value: Any, kind: str) -> str:
    if kind == AUTO:
        kind = _auto_kind(value)
    if kind == VERDICT:
        return VERDICT_TEXT.get(value, "")
    if kind == TEXT:
        return "" if value is None else str(value)
    if kind == PERCENT:
        return vi_percent(value)
    if kind == DECIMAL:
        return vi_number(value, 2)
    if kind == MINUTES:
        return vi_number(value, 1)
    return vi_number(value)


def _auto_kind(value: Any) -> str:
    return DECIMAL if isinstance(value, float) else INT


def verdict(rate: float | None, target: float | None) -> str | None:
    """Whether an index meets its target; None when it has no target to meet."""
    if target is None:
        return None
    if rate is None:
        return NO_DATA
    return MET if rate >= target else MISSED


# The tables


def _index_rate(report, code: str) -> float | None:
    index = report.indices.get(code)
    return index.rate if index is not None else None


BREAKDOWN_COLUMNS = [
    Column("Tiếp nhận", INT, 11),
    Column("Đã giải quyết", INT, 12),
    Column("Trước hạn", INT, 11),
    Column("Đúng hạn", INT, 11),
    Column("Trễ hạn", INT, 10),
    Column("Đang xử lý trong hạn", INT, 13),
    Column("Đang xử lý quá hạn", INT, 13),
    Column("Tỷ lệ trước hạn, đúng hạn (2.1)", PERCENT, 15),
    Column("Tỷ lệ trực tuyến (3.3)", PERCENT, 13),
    Column("Tỷ lệ thanh toán trực tuyến (3.6)", PERCENT, 14, on_page=False),
    Column("Tỷ lệ số hóa (4.2)", PERCENT, 12),
    Column("Tỷ lệ dùng lại dữ liệu số (4.3)", PERCENT, 14, on_page=False),
    Column("Mức độ hài lòng (5.4)", PERCENT, 13, on_page=False),
]


def breakdown_values(report) -> list[Any]:
    return [
        report.received,
        report.resolved,
        report.resolved_early,
        report.resolved_on_time,
        report.resolved_late,
        report.in_progress_within_time,
        report.in_progress_overdue,
        _index_rate(report, "2.1"),
        _index_rate(report, "3.3"),
        _index_rate(report, "3.6"),
        _index_rate(report, "4.2"),
        _index_rate(report, "4.3"),
        _index_rate(report, "5.4"),
    ]


def headline_rows(report) -> list[list[Any]]:
    """(label, count) for every count of the report, in the order a leader reads them."""
    rows: list[tuple[str, Any]] = [
        ("Hồ sơ tiếp nhận", report.received),
        ("Hồ sơ nộp trực tuyến", report.online),
        ("Hồ sơ đã giải quyết", report.resolved),
        ("– giải quyết trước hạn", report.resolved_early),
        ("– giải quyết đúng hạn", report.resolved_on_time),
        ("– giải quyết trễ hạn", report.resolved_late),
        ("Hồ sơ đang xử lý trong hạn", report.in_progress_within_time),
        ("Hồ sơ đang xử lý quá hạn", report.in_progress_overdue),
        ("Hồ sơ từ chối tiếp nhận", report.refused),
        ("Hồ sơ dừng xử lý", report.stopped),
        ("Hồ sơ rút theo yêu cầu", report.withdrawn),
        ("Hồ sơ của TTHC có phí, lệ phí", report.fee_bearing),
        ("– thanh toán trực tuyến", report.paid_online),
        ("Hồ sơ đã có kết quả", report.with_result),
        ("– có kết quả điện tử", report.e_results),
        ("Hồ sơ số hóa đầy đủ", report.digitized),
        ("Hồ sơ dùng lại dữ liệu số hóa", report.reused),
        ("Hồ sơ được đánh giá", report.rated),
        ("– không hài lòng", report.dissatisfied),
        ("Phản ánh, kiến nghị", report.complaints),
        ("Thời gian giải quyết bình quân (ngày làm việc)", report.average_processing_days),
    ]
    return [[label, value] for label, value in rows]


def _summary_table(report) -> Table:
    # Counts print without decimals; only the average (a float) has them.
    table = Table(
        "tong-hop", "Số liệu tổng hợp", [Column("Chỉ tiêu", TEXT, 46), Column("Số lượng", AUTO, 14)]
    )
    table.rows = headline_rows(report)
    return table


def full_score_at(code: str, index) -> float | None:
    """The rate from which an index earns its full points (the engine's indicator carries it:
    QĐ 766's where published, else the 100% the group score uses)."""
    return index.full_score_at


def _indices_table(report) -> Table:
    table = Table(
        "chi-so",
        "Chỉ số theo Quyết định 766/QĐ-TTg",
        [
            Column("Mã", TEXT, 6),
            Column("Chỉ số", TEXT, 44),
            Column("Tử số", INT, 10),
            Column("Mẫu số", INT, 10),
            Column("Tỷ lệ", PERCENT, 11),
            Column("Mục tiêu", PERCENT, 11),
            Column("Mức đạt điểm tối đa", PERCENT, 14),
            Column("Đánh giá", VERDICT, 18),
            Column("Ghi chú", TEXT, 40, on_page=False),
        ],
        note="Tỷ lệ làm tròn 2 chữ số thập phân; mẫu số bằng 0 thì không tính (—).",
    )
    for code, index in report.indices.items():
        table.rows.append(
            [
                code,
                index.name,
                index.numerator,
                index.denominator,
                index.rate,
                index.target,
                full_score_at(code, index),
                verdict(index.rate, index.target),
                index.note,
            ]
        )
    return table


def _score_table(score) -> Table:
    table = Table(
        "diem",
        "Điểm đánh giá theo Quyết định 766/QĐ-TTg",
        [
            Column("Nhóm", TEXT, 8),
            Column("Nhóm chỉ số", TEXT, 40),
            Column("Chỉ số tính", TEXT, 18),
            Column("Điểm", DECIMAL, 10),
            Column("Điểm tối đa", DECIMAL, 12),
        ],
        note="Tổng điểm quy về thang 100 trên các chỉ số hệ thống tính được.",
    )
    for group in score.groups:
        table.rows.append(
            [group.code, group.name, ", ".join(group.indices), group.points, group.max_points]
        )
    table.total = ["", "Tổng điểm (thang 100)", "", score.total, 100]
    return table


def _breakdown_table(key: str, title: str, first: str, rows, width: float = 28) -> Table:
    table = Table(key, title, [Column(first, TEXT, width), *BREAKDOWN_COLUMNS])
    for row in rows:
        table.rows.append([row.label, *breakdown_values(row.report)])
        table.row_keys.append(str(row.key))
    return table


def _ranking_table(ranking) -> Table:
    table = Table(
        "xep-hang",
        "Xếp hạng xã, phường theo điểm Quyết định 766/QĐ-TTg",
        [
            Column("Hạng", INT, 7),
            Column("Xã, phường", TEXT, 26),
            Column("Trung tâm", TEXT, 36, on_page=False),
            Column("Điểm 766", DECIMAL, 10),
            Column("Tiếp nhận", INT, 11),
            Column("Đúng hạn (2.1)", PERCENT, 12),
            Column("Trực tuyến (3.3)", PERCENT, 12),
            Column("Thanh toán trực tuyến (3.6)", PERCENT, 14),
            Column("Số hóa (4.2)", PERCENT, 12),
            Column("Hài lòng (5.4)", PERCENT, 12),
        ],
    )
    for row in ranking:
        report = row.report
        table.rows.append(
            [
                row.rank,
                row.commune,
                row.center_name,
                row.score.total,
                report.received,
                _index_rate(report, "2.1"),
                _index_rate(report, "3.3"),
                _index_rate(report, "3.6"),
                _index_rate(report, "4.2"),
                _index_rate(report, "5.4"),
            ]
        )
        table.row_keys.append(row.center_code)
    return table


def tables(dashboard: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard, by its ``?bang=`` key, in page order."""
    report = dashboard.report
    made = [
        _summary_table(report),
        _indices_table(report),
        _score_table(report.score),
        _breakdown_table("theo-thang", "Theo tháng", "Tháng", dashboard.months, 20),
        _breakdown_table("theo-linh-vuc", "Theo lĩnh vực", "Lĩnh vực", dashboard.sectors, 34),
    ]
    if dashboard.officers is not None:
        made.append(
            _breakdown_table("theo-can-bo", "Theo cán bộ xử lý", "Cán bộ", dashboard.officers)
        )
    if dashboard.scope == "province":
        made.append(_ranking_table(dashboard.ranking))
    if dashboard.queue is not None:
        made += queue_tables(dashboard.queue, dashboard.scope)
    return {table.key: table for table in made}


# The queue (issue 11): numbers issued and served, waiting and service times, appointments.

QUEUE_EMPTY = "Không có số thứ tự trong kỳ báo cáo."
QUEUE_NOTE = (
    "Thời gian tính bằng phút: chờ là từ lúc lấy số đến lần gọi đầu tiên; phục vụ là từ lúc "
    "bắt đầu đến lúc kết thúc, chỉ tính số đã phục vụ xong. P90: 90% số thứ tự không quá thời "
    "gian này (phương pháp hạng gần nhất)."
)
AREA_NOTE = (
    " Số cấp, chuyển và thời gian chờ tính theo khu vực lấy số; phục vụ, vắng mặt, hủy và thời "
    "gian phục vụ tính theo khu vực cuối cùng của số."
)
COUNTER_NOTE = (
    " “Đã gọi” và thời gian chờ tính theo quầy gọi số lần đầu; phục vụ, vắng mặt và thời gian "
    "phục vụ theo quầy kết thúc số."
)
TIME_COLUMNS = [
    Column("Chờ trung bình (phút)", MINUTES, 11),
    Column("Chờ P90 (phút)", MINUTES, 10),
    Column("Phục vụ trung bình (phút)", MINUTES, 11),
    Column("Phục vụ P90 (phút)", MINUTES, 10),
]


def _times(row) -> list[Any]:
    return [row.wait.average, row.wait.p90, row.service.average, row.service.p90]


def _queue_counts_table(key: str, title: str, first: str, rows, total, note: str) -> Table:
    table = Table(
        key,
        title,
        [
            Column(first, TEXT, 28),
            Column("Số đã cấp", INT, 10),
            Column("Đã phục vụ xong", INT, 11),
            Column("Vắng mặt", INT, 10),
            Column("Đã hủy", INT, 9),
            Column("Chuyển khu vực", INT, 10),
            *TIME_COLUMNS,
            Column("Chưa phục vụ xong", INT, 11, on_page=False),
        ],
        note=QUEUE_NOTE + note,
        empty=QUEUE_EMPTY,
    )
    for row in rows:
        table.rows.append(
            [
                row.label,
                row.issued,
                row.served,
                row.no_show,
                row.cancelled,
                row.transferred,
                *_times(row),
                row.unfinished,
            ]
        )
        table.row_keys.append(row.key)
    if rows:
        table.total = [
            "Tổng số",
            total.issued,
            total.served,
            total.no_show,
            total.cancelled,
            total.transferred,
            *_times(total),
            total.unfinished,
        ]
    return table


def _queue_people_table(key: str, title: str, first: str, rows) -> Table:
    table = Table(
        key,
        title,
        [
            Column(first, TEXT, 28),
            Column("Đã gọi", INT, 9),
            Column("Đã phục vụ xong", INT, 11),
            Column("Vắng mặt", INT, 10),
            *TIME_COLUMNS,
        ],
        note=QUEUE_NOTE + COUNTER_NOTE,
        empty=QUEUE_EMPTY,
    )
    for row in rows:
        table.rows.append([row.label, row.called, row.served, row.no_show, *_times(row)])
        table.row_keys.append(row.key)
    return table


def _appointments_table(queue, first: str) -> Table:
    table = Table(
        "lich-hen",
        "Lịch hẹn",
        [
            Column(first, TEXT, 28),
            Column("Đã đặt", INT, 9),
            Column("Đến theo hẹn", INT, 10),
            Column("Không đến", INT, 10),
            Column("Chưa đến giờ hẹn", INT, 11),
            Column("Tỷ lệ đến theo hẹn", PERCENT, 12),
            Column("Đã hủy", INT, 9),
        ],
        note=(
            "Lịch hẹn có giờ hẹn trong kỳ báo cáo; “đã đặt” không gồm lịch đã hủy. Tỷ lệ đến "
            "theo hẹn: số đến trên số đã đến giờ hẹn (đến và không đến)."
        ),
        empty="Không có lịch hẹn trong kỳ báo cáo.",
    )

    def values(row) -> list[Any]:
        return [
            row.booked,
            row.kept,
            row.no_show,
            row.pending,
            row.kept_rate,
            row.cancelled,
        ]

    for row in queue.appointment_rows:
        table.rows.append([row.label, *values(row)])
        table.row_keys.append(row.key)
    if queue.appointment_rows:
        table.total = ["Tổng số", *values(queue.appointments)]
    return table


def heatmap_table(heatmap) -> Table:
    """Tickets issued per weekday and hour, Vietnam time: the heatmap's figures."""
    from motcua.queue.reports import WEEKDAY_NAMES

    table = Table(
        "gio-cao-diem",
        "Số thứ tự cấp theo thứ và giờ",
        [
            Column("Thứ", TEXT, 11),
            *[Column(f"{hour}h", INT, 6) for hour in heatmap.hours],
            Column("Cộng", INT, 8),
        ],
        note="Giờ Việt Nam; cột 8h là các số cấp từ 8:00 đến 8:59.",
        empty=QUEUE_EMPTY,
    )
    for weekday in heatmap_weekdays(heatmap):
        counts = [heatmap.count(weekday, hour) for hour in heatmap.hours]
        table.rows.append([WEEKDAY_NAMES[weekday], *counts, sum(counts)])
        table.row_keys.append(str(weekday))
    return table


def heatmap_weekdays(heatmap) -> list[int]:
    """Monday to Friday always; Saturday and Sunday when a number was issued on them."""
    return [d for d in range(1, 8) if d <= 5 or any(w == d for w, _h in heatmap.cells)]


def queue_tables(queue, scope: str) -> list[Table]:
    made = []
    if scope == "province":
        made.append(
            _queue_counts_table(
                "hang-doi-trung-tam",
                "Hàng đợi theo xã, phường",
                "Xã, phường",
                queue.centers or [],
                queue.total,
                "",
            )
        )
    else:
        made.append(
            _queue_counts_table(
                "hang-doi-khu-vuc",
                "Hàng đợi theo khu vực",
                "Khu vực",
                queue.areas,
                queue.total,
                AREA_NOTE,
            )
        )
    if queue.counters is not None:
        made.append(
            _queue_people_table("hang-doi-quay", "Hàng đợi theo quầy", "Quầy", queue.counters)
        )
    if queue.officers is not None:
        made.append(
            _queue_people_table("hang-doi-can-bo", "Hàng đợi theo cán bộ", "Cán bộ", queue.officers)
        )
    made.append(_appointments_table(queue, "Xã, phường" if scope == "province" else "Khu vực"))
    made.append(heatmap_table(queue.heatmap))
    return made


# Excel


# Excel allows at most 31 characters and none of []:*?/\ in a sheet name.
SHEET_NAMES = {
    "tong-hop": "Tổng hợp",
    "chi-so": "Chỉ số QĐ 766",
    "diem": "Điểm QĐ 766",
    "theo-thang": "Theo tháng",
    "theo-linh-vuc": "Theo lĩnh vực",
    "theo-can-bo": "Theo cán bộ",
    "xep-hang": "Xếp hạng",
    "hang-doi-trung-tam": "Hàng đợi theo trung tâm",
    "hang-doi-khu-vuc": "Hàng đợi theo khu vực",
    "hang-doi-quay": "Hàng đợi theo quầy",
    "hang-doi-can-bo": "Hàng đợi theo cán bộ",
    "lich-hen": "Lịch hẹn",
    "gio-cao-diem": "Giờ cao điểm",
}

EXCEL_FORMATS = {INT: "#,##0", DECIMAL: "#,##0.00", PERCENT: "0.00%", MINUTES: "#,##0.0"}


def _excel_value(value: Any, kind: str) -> Any:
    if kind == VERDICT:
        return VERDICT_TEXT.get(value, "")
    if value is None:
        return MISSING if kind != TEXT else ""
    if kind == PERCENT:
        # Excel percentages are fractions: 99.63 % is 0.9963 (rounded: no 0.84620000000000001).
        return round(value / 100, 6)
    return value


def _write_sheet(sheet, table: Table, dashboard: Dashboard) -> None:
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(table.columns))
    sheet["A1"] = f"{REPORT_TITLE} – {table.title}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{dashboard.subject} · {dashboard.period_text}"
    sheet["A2"].font = Font(italic=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    header_row = 4
    for index, column in enumerate(table.columns, start=1):
        cell = text_safe_cell(sheet, row=header_row, column=index, value=column.heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F0")
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[header_row].height = 45
    rows = list(table.rows) + ([table.total] if table.total else [])
    for offset, row in enumerate(rows, start=1):
        is_total = table.total is not None and offset == len(rows)
        for index, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            kind = _auto_kind(value) if column.kind == AUTO else column.kind
            cell = text_safe_cell(
                sheet, row=header_row + offset, column=index, value=_excel_value(value, kind)
            )
            cell.border = border
            if kind in EXCEL_FORMATS and value is not None:
                cell.number_format = EXCEL_FORMATS[kind]
            if kind in EXCEL_FORMATS:
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if is_total:
                cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    note_row = header_row + len(rows) + 2
    if table.note:
        text_safe_cell(sheet, row=note_row, column=1, value=table.note).font = Font(italic=True)
        note_row += 1
    text_safe_cell(sheet, row=note_row, column=1, value=dashboard.judged_text).font = Font(
        italic=True
    )
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def workbook(dashboard: Dashboard, keys: Sequence[str]) -> bytes:
    """An .xlsx with one sheet per table asked for, in the order given."""
    all_tables = tables(dashboard)
    book = Workbook()
    book.remove(book.active)
    for key in keys:
        table = all_tables[key]
        _write_sheet(book.create_sheet(SHEET_NAMES[key]), table, dashboard)
    book.properties.title = REPORT_TITLE
    book.properties.creator = "motcua"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_stem(dashboard: Dashboard, what: str) -> str:
    return f"{what}-{dashboard.code}-{dashboard.date_from:%Y%m%d}-{dashboard.date_to:%Y%m%d}"


# PDF


def _pdf_table(table: Table, width: float, body_style, head_style):
    columns = table.page_columns()
    total_width = sum(c.width for c in columns)
    widths = [width * c.width / total_width for c in columns]
    numeric = {INT, PERCENT, DECIMAL, AUTO, MINUTES}
    data: list[list[Any]] = [[Paragraph(_x(c.heading), head_style) for c in columns]]
    missed: list[tuple[int, int]] = []
    for row_index, row in enumerate(table.page_rows(), start=1):
        line = []
        for column_index, cell in enumerate(row.cells):
            if cell.kind == VERDICT:
                # Noto Sans has no ✓ ✗: the PDF says it in words, and in bold when missed.
                text = VERDICT_WORDS.get(cell.value, "")
                if cell.value == MISSED:
                    missed.append((column_index, row_index))
                    text = f"<b>{text}</b>"
                line.append(Paragraph(text, body_style))
            else:
                line.append(Paragraph(_x(cell.text), body_style))
        data.append(line)
    if not table.rows:
        data.append([Paragraph(_x(table.empty), body_style)] + [""] * (len(columns) - 1))
    total = table.page_total()
    if total:
        data.append([Paragraph(f"<b>{_x(cell.text)}</b>", body_style) for cell in total])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.4, "#555555"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), "#dce6f0"),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if not table.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    style += [("BACKGROUND", cell, cell, "#f8d7d5") for cell in missed]
    pdf_table = PdfTable(data, colWidths=widths, repeatRows=1)
    pdf_table.setStyle(TableStyle(style))
    # Numbers align right, as in the page and the spreadsheet.
    for index, column in enumerate(columns):
        if column.kind in numeric:
            for paragraph_row in data[1:]:
                cell = paragraph_row[index]
                if hasattr(cell, "style"):
                    cell.style = _right(cell.style)
    return pdf_table


_RIGHT_STYLES: dict[str, Any] = {}


def _right(style):
    if style.name not in _RIGHT_STYLES:
        _RIGHT_STYLES[style.name] = ParagraphStyle(
            f"{style.name}-right", parent=style, alignment=TA_RIGHT
        )
    return _RIGHT_STYLES[style.name]


def _month_chart(dashboard: Dashboard, width: float) -> Drawing | None:
    """Dossiers received per month, each bar labelled with its count (Vietnamese format)."""
    months = dashboard.months
    if not any(r.report.received for r in months):
        return None
    height = 55 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 28, 22
    chart.width, chart.height = width - 36, height - 40
    chart.data = [[r.report.received for r in months]]
    chart.bars[0].fillColor = colors.HexColor("#0b4f8a")
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: vi_number(v)
    chart.categoryAxis.categoryNames = [
        f"{int(r.key[5:])}/{r.key[:4]}" if len(r.key) == 7 else r.label for r in months
    ]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.barLabels.fontName = BOLD
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.barLabelFormat = lambda v: vi_number(v)
    drawing.add(chart)
    drawing.add(String(0, height - 8, "Hồ sơ tiếp nhận theo tháng", fontName=BOLD, fontSize=9))
    return drawing


def report_pdf(dashboard: Dashboard) -> bytes:
    """ "Báo cáo tình hình tiếp nhận, giải quyết TTHC" of the period, A4 portrait.

    Aggregates only: no officer table, no personal data; the document may leave the center."""
    _register_fonts()
    body = ParagraphStyle("rp-body", fontName=REGULAR, fontSize=10.5, leading=14)
    cell = ParagraphStyle("rp-cell", parent=body, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("rp-head", parent=cell, fontName=BOLD, alignment=TA_CENTER)
    center = ParagraphStyle("rp-center", parent=body, alignment=TA_CENTER)
    center_bold = ParagraphStyle("rp-center-bold", parent=center, fontName=BOLD)
    title = ParagraphStyle(
        "rp-title", parent=center_bold, fontSize=15, leading=20, spaceBefore=8, spaceAfter=2
    )
    section = ParagraphStyle(
        "rp-section",
        parent=body,
        fontName=BOLD,
        fontSize=12,
        leading=16,
        spaceBefore=10,
        spaceAfter=4,
        keepWithNext=1,
    )
    margin = 15 * mm
    width = A4[0] - 2 * margin
    report = dashboard.report
    all_tables = tables(dashboard)

    issuer = (
        f"UBND {nfc(dashboard.province).upper()}"
        if dashboard.scope == "province"
        else nfc(dashboard.subject).upper()
    )
    heading = PdfTable(
        [
            [
                Paragraph(_x(issuer), center_bold),
                Paragraph(
                    "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>Độc lập – Tự do – Hạnh phúc",
                    center,
                ),
            ]
        ],
        colWidths=[width * 0.45, width * 0.55],
    )
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    on_time = _index_rate(report, "2.1")
    online = _index_rate(report, "3.3")
    facts = [
        f"Hồ sơ tiếp nhận: <b>{vi_number(report.received)}</b>; trong đó nộp trực tuyến "
        f"<b>{vi_number(report.online)}</b> (tỷ lệ {vi_percent(online)}).",
        f"Đã giải quyết: <b>{vi_number(report.resolved)}</b> (trước hạn "
        f"{vi_number(report.resolved_early)}, đúng hạn {vi_number(report.resolved_on_time)}, "
        f"trễ hạn {vi_number(report.resolved_late)}); đang xử lý trong hạn "
        f"{vi_number(report.in_progress_within_time)}, quá hạn "
        f"{vi_number(report.in_progress_overdue)}.",
        f"Tỷ lệ giải quyết trước hạn, đúng hạn: <b>{vi_percent(on_time)}</b>.",
        f"Điểm đánh giá theo QĐ 766/QĐ-TTg: <b>{vi_number(report.score.total, 2)}</b>/100.",
    ]
    position = dashboard.position
    if position is not None:
        facts.append(
            f"Xếp hạng trong {_x(nfc(dashboard.province))}: <b>{vi_number(position.rank)}/"
            f"{vi_number(len(dashboard.ranking))}</b>."
        )

    story: list[Any] = [
        heading,
        Paragraph(_x(REPORT_TITLE), title),
        Paragraph(_x(nfc(dashboard.subject)), center_bold),
        Paragraph(_x(dashboard.period_text), center),
        Spacer(1, 4 * mm),
        Paragraph("I. Số liệu chính", section),
        *[Paragraph(f"– {fact}", body) for fact in facts],
    ]
    chart = _month_chart(dashboard, width)
    if chart is not None:
        story += [Spacer(1, 3 * mm), chart]
    sections = [
        ("II", "chi-so"),
        ("III", "diem"),
        ("IV", "theo-thang"),
        ("V", "theo-linh-vuc"),
        ("VI", "xep-hang"),
    ]
    for number, key in sections:
        if key not in all_tables:
            continue
        table = all_tables[key]
        story.append(Paragraph(f"{number}. {_x(table.title)}", section))
        story.append(_pdf_table(table, width, cell, head))
        if table.note:
            story.append(Paragraph(_x(table.note), cell))
    story += [Spacer(1, 4 * mm), Paragraph(_x(dashboard.judged_text), cell)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{REPORT_TITLE} – {nfc(dashboard.subject)}",
        author=nfc(dashboard.subject),
        subject=dashboard.period_text,
        # Without this the canvas declares Helvetica, a font that is not embedded.
        initialFontName=REGULAR,
    )
    doc.build(story)
    return buffer.getvalue()
