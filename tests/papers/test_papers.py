"""Mẫu 02–05 rendered from the event log: text with diacritics, and Mẫu 05 judged step by step."""

from __future__ import annotations

import pytest

from motcua.dossiers.papers import (
    PaperError,
    StepResult,
    control_sheet_rows,
    render_apology,
    render_control_sheet,
    render_refusal,
    render_supplement_request,
)

from .conftest import act, pdf_text, vn

pytestmark = pytest.mark.django_db

APPLICANT = "Nguyễn Thị Ánh Tuyết"
SUPPLEMENT = "Bổ sung bản sao Giấy khai sinh của bên nữ, có chứng thực"


def crafted_history(dossier, staff, unit):
    """Received Mon 7/7/2025 09:05, 3 working days: due Thu 10/7 09:05.

    - Mon 7/7 10:00 reception assigns to the unit (before the due day: trước hạn);
    - Tue 8/7 09:00 the specialist asks for a supplement (trước hạn); the clock stops;
    - Thu 10/7 09:00 the supplement arrives: 15 h of working time paused (Tue 9:00–17:00 = 6 h,
      Wed 7 h 30, Thu 7:30–9:00 = 1 h 30), so the due time moves to Mon 14/7 09:05;
    - Mon 14/7 08:00 submitted for signature (the due day, before 09:05: đúng hạn);
    - Mon 14/7 10:00 the leader signs (after 09:05: quá hạn);
    - Tue 15/7 09:00 the result is returned (quá hạn).
    """
    r, s, lead = staff["reception"], staff["specialist"], staff["leader"]
    act(dossier, r, "reception", "assign", vn(2025, 7, 7, 10, 0), unit_id=unit.pk, user_id=s.pk)
    act(dossier, s, "specialist", "request_supplement", vn(2025, 7, 8, 9, 0), note=SUPPLEMENT)
    act(dossier, r, "reception", "submit_supplement", vn(2025, 7, 10, 9, 0))
    act(dossier, s, "specialist", "submit_for_signature", vn(2025, 7, 14, 8, 0))
    act(dossier, lead, "leader", "sign", vn(2025, 7, 14, 10, 0))
    act(dossier, r, "reception", "return_result", vn(2025, 7, 15, 9, 0), delivery="at_center")


class TestRenderSupplementRequest:
    def test_has_the_code_the_applicant_and_what_to_add(self, dossier, staff):
        event = act(
            dossier,
            staff["reception"],
            "reception",
            "request_supplement",
            vn(2025, 7, 7, 9, 30),
            note=SUPPLEMENT,
        )
        text = pdf_text(render_supplement_request(dossier, event))
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
        assert dossier.code in text
        assert APPLICANT in text
        assert SUPPLEMENT in text
        assert "Trần Thị Lan" in text  # the officer who guides, NGƯỜI HƯỚNG DẪN

    def test_refuses_an_event_of_another_kind(self, dossier):
        with pytest.raises(PaperError):
            render_supplement_request(dossier, dossier.events.get(seq=1))


class TestRenderRefusal:
    def test_has_the_reason(self, dossier, staff):
        reason = "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã"
        event = act(
            dossier, staff["reception"], "reception", "refuse", vn(2025, 7, 7, 9, 20), note=reason
        )
        text = pdf_text(render_refusal(dossier, event))
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
        assert dossier.code in text and APPLICANT in text
        assert reason in text
        assert "ngày 07 tháng 07 năm 2025" in text


class TestRenderApology:
    def test_has_the_reason_the_original_and_the_new_date(self, dossier, staff, unit):
        act(
            dossier,
            staff["reception"],
            "reception",
            "assign",
            vn(2025, 7, 7, 10, 0),
            unit_id=unit.pk,
        )
        reason = "Chờ kết quả xác minh của Ủy ban nhân dân xã nơi cư trú trước đây"
        event = act(
            dossier,
            staff["specialist"],
            "specialist",
            "reschedule",
            vn(2025, 7, 9, 15, 0),
            note=reason,
            new_due_at=vn(2025, 7, 16, 16, 30),
        )
        text = pdf_text(render_apology(dossier, event))
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
        assert dossier.code in text and APPLICANT in text
        assert reason in text
        assert "09 giờ 05 phút, ngày 10 tháng 07 năm 2025" in text  # the original appointment
        assert "16 giờ 30 phút, ngày 16 tháng 07 năm 2025" in text  # the new one
        # A specialist's apology leaves the head of the agency's name to be signed by hand.
        assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and "Nguyễn Văn Minh" not in text

    def test_a_leaders_apology_carries_the_leaders_name(self, dossier, staff, unit):
        event = act(
            dossier,
            staff["leader"],
            "leader",
            "reschedule",
            vn(2025, 7, 9, 15, 0),
            note="Chờ xác minh",
            new_due_at=vn(2025, 7, 16, 16, 30),
        )
        assert "Phạm Quốc Hùng" in pdf_text(render_apology(dossier, event))


class TestControlSheetRows:
    def test_crafted_history_is_judged_step_by_step(self, dossier, staff, unit):
        crafted_history(dossier, staff, unit)
        rows = control_sheet_rows(dossier)
        summary = [(r.sender.name, r.receiver.name if r.receiver else None, r.result) for r in rows]
        assert summary == [
            (f"Ông/Bà {APPLICANT}", "Bộ phận tiếp nhận và trả kết quả", None),
            ("Bộ phận tiếp nhận và trả kết quả", unit.name, StepResult.EARLY),
            (unit.name, f"Ông/Bà {APPLICANT}", StepResult.EARLY),
            (f"Ông/Bà {APPLICANT}", unit.name, None),
            (unit.name, "Lãnh đạo UBND", StepResult.ON_TIME),
            ("Lãnh đạo UBND", "Bộ phận tiếp nhận và trả kết quả", StepResult.LATE),
            ("Bộ phận tiếp nhận và trả kết quả", f"Ông/Bà {APPLICANT}", StepResult.LATE),
        ]
        assert [r.due for r in rows[1:]] == [
            vn(2025, 7, 10, 9, 5),
            vn(2025, 7, 10, 9, 5),
            vn(2025, 7, 14, 9, 5),  # moved by the 15 h paused
            vn(2025, 7, 14, 9, 5),
            vn(2025, 7, 14, 9, 5),
            vn(2025, 7, 14, 9, 5),
        ]
        assert rows[1].sender.person == "Trần Thị Lan"
        assert rows[1].receiver.person == "Nguyễn Văn Minh"
        assert rows[4].receiver.person == "Phạm Quốc Hùng"  # the leader who then signed
        assert "15 giờ làm việc" in rows[3].notes[0]

    def test_a_reschedule_moves_the_due_time_of_later_steps(self, dossier, staff, unit):
        r, s = staff["reception"], staff["specialist"]
        act(dossier, r, "reception", "assign", vn(2025, 7, 10, 9, 0), unit_id=unit.pk)
        act(
            dossier,
            s,
            "specialist",
            "reschedule",
            vn(2025, 7, 10, 9, 1),
            note="Chờ xác minh",
            new_due_at=vn(2025, 7, 15, 17, 0),
        )
        act(dossier, s, "specialist", "submit_for_signature", vn(2025, 7, 11, 10, 0))
        rows = control_sheet_rows(dossier)
        assert rows[1].result == StepResult.ON_TIME  # the due day, 10/7, before 09:05
        assert rows[2].result == StepResult.EARLY and rows[2].due == vn(2025, 7, 15, 17, 0)
        assert "Mẫu 04" in rows[2].notes[0]
        # Still being processed: an open last row with the leader.
        assert rows[-1].receiver is None and rows[-1].sender.name == "Lãnh đạo UBND"


class TestRenderControlSheet:
    def test_rows_with_their_results(self, dossier, staff, unit):
        crafted_history(dossier, staff, unit)
        text = pdf_text(render_control_sheet(dossier))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
        assert dossier.code in text and APPLICANT in text
        assert text.count("Trước hạn") == 2 + 1  # two rows and the column heading
        assert text.count("Đúng hạn") == 1
        assert text.count("Quá hạn") == 2
        assert "Công chức Tư pháp – Hộ tịch" in text
        assert SUPPLEMENT in text
