"""HTTP flows end to end: receive → assign → supplement → resubmit → sign → return; conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import make_officer, vn

pytestmark = pytest.mark.django_db


def page(client, dossier) -> str:
    return client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()


def act(client, dossier, action, **fields):
    """POST an action as the page would: with the seq of the last event the page showed."""
    fields.setdefault("seen_seq", dossier.events.order_by("-seq").first().seq)
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", fields)


def done(client, response, dossier, label: str) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    html = client.get(response["Location"]).content.decode()
    assert f"Đã “{label}” hồ sơ {dossier.code}." in html


class TestFullFlow:
    def test_receive_to_return(self, client, clock, officers, dossier, unit):
        reception, specialist, leader = (
            officers["reception"],
            officers["specialist"],
            officers["leader"],
        )
        due_at_receipt = dossier.due_at
        assert due_at_receipt == vn(2025, 7, 10, 9, 5)

        clock.now = vn(2025, 7, 7, 10, 0)
        client.force_login(reception)
        response = act(client, dossier, "assign", unit_id=unit.pk, user_id=specialist.pk)
        done(client, response, dossier, "Chuyển, giao xử lý")

        clock.now = vn(2025, 7, 8, 9, 0)
        client.force_login(specialist)
        assert dossier.code in client.get("/can-bo/").content.decode()  # "Giao cho tôi"
        response = act(client, dossier, "request_supplement", note="Thiếu giấy chứng sinh")
        done(client, response, dossier, "Yêu cầu bổ sung (Mẫu 02)")
        dossier.refresh_from_db()
        assert dossier.status == "supplement_requested"
        assert dossier.clock_paused_at == clock.now
        # The citizen is told what to bring, through the outbox (queued with the action).
        from motcua.notices.models import Notice

        notice = Notice.objects.get(dossier=dossier, event__action="request_supplement")
        assert notice.channel == "email" and "Thiếu giấy chứng sinh" in notice.body
        assert dossier.code in notice.body

        # The citizen brings the paper the next morning: one working day (7 h 30) was paused.
        clock.now = vn(2025, 7, 9, 9, 0)
        client.force_login(reception)
        done(client, act(client, dossier, "submit_supplement"), dossier, "Nhận hồ sơ bổ sung")
        dossier.refresh_from_db()
        assert dossier.clock_paused_at is None
        assert dossier.due_at == vn(2025, 7, 11, 9, 5)
        assert "09:05 11/07/2025" in page(client, dossier)

        clock.now = vn(2025, 7, 9, 14, 0)
        client.force_login(specialist)
        done(client, act(client, dossier, "submit_for_signature"), dossier, "Trình ký")

        clock.now = vn(2025, 7, 9, 15, 0)
        client.force_login(leader)
        done(client, act(client, dossier, "sign", note="Đồng ý"), dossier, "Ký duyệt")
        # The leader's act produced a PAdES-signed result that verifies.
        from motcua.signing.services import verify_signed_pdf

        signed = dossier.signed_results.get()
        with signed.file.open("rb") as fh:
            assert verify_signed_pdf(fh.read(), moment=signed.signed_at).ok
        assert "Trang xác thực" in page(client, dossier)

        clock.now = vn(2025, 7, 10, 8, 0)
        client.force_login(reception)
        response = act(client, dossier, "return_result", delivery="postal")
        done(client, response, dossier, "Trả kết quả")

        dossier.refresh_from_db()
        assert dossier.status == "returned"
        assert dossier.unit == unit and dossier.assignee == specialist
        events = list(dossier.events.order_by("seq"))
        assert [(e.action, e.from_status, e.to_status, e.actor) for e in events] == [
            ("receive", "", "received", "kiosk:3"),
            ("assign", "received", "in_progress", f"user:{reception.pk}"),
            (
                "request_supplement",
                "in_progress",
                "supplement_requested",
                f"user:{specialist.pk}",
            ),
            ("submit_supplement", "supplement_requested", "in_progress", f"user:{reception.pk}"),
            ("submit_for_signature", "in_progress", "awaiting_signature", f"user:{specialist.pk}"),
            ("sign", "awaiting_signature", "processed", f"user:{leader.pk}"),
            ("return_result", "processed", "returned", f"user:{reception.pk}"),
        ]
        assert [e.at for e in events[1:]] == [
            vn(2025, 7, 7, 10, 0),
            vn(2025, 7, 8, 9, 0),
            vn(2025, 7, 9, 9, 0),
            vn(2025, 7, 9, 14, 0),
            vn(2025, 7, 9, 15, 0),
            vn(2025, 7, 10, 8, 0),
        ]
        assert events[1].data["to_user_id"] == specialist.pk
        assert events[2].note == "Thiếu giấy chứng sinh"
        assert events[3].data["paused_seconds"] == int(7.5 * 3600)
        assert events[6].data == {"delivery": "postal"}

        # The timeline shows who did what, from which status to which, and the notes.
        html = page(client, dossier)
        for text in [
            "Trần Thị Lan",
            "Nguyễn Văn Minh",
            "Phạm Quốc Hùng",
            "Đang xử lý → Yêu cầu bổ sung",
            "Thiếu giấy chứng sinh",
            "Hẹn trả mới: 09:05 11/07/2025",
            "Qua dịch vụ bưu chính công ích",
        ]:
            assert text in html, text


class TestConflict:
    def test_second_officer_with_a_stale_page_gets_409_and_nothing_is_overwritten(
        self, client, clock, officers, dossier, unit
    ):
        from django.test import Client

        first, second = client, Client()
        first.force_login(officers["reception"])
        second.force_login(officers["leader"])
        # Both open the dossier while it shows only the receipt (seq 1).
        assert 'name="seen_seq" value="1"' in page(first, dossier)
        assert 'name="seen_seq" value="1"' in page(second, dossier)

        done(
            first,
            act(first, dossier, "assign", unit_id=unit.pk, user_id=officers["specialist"].pk),
            dossier,
            "Chuyển, giao xử lý",
        )
        response = second.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/assign/",
            {"seen_seq": 1, "unit_id": unit.pk, "user_id": officers["leader"].pk, "note": "Tôi"},
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "vừa được người khác xử lý" in html
        # The page is the newest state: the next try carries seq 2, and the note is kept.
        assert 'name="seen_seq" value="2"' in html
        assert ">Tôi</textarea>" in html
        dossier.refresh_from_db()
        assert dossier.assignee == officers["specialist"]
        assert dossier.events.count() == 2

    def test_missing_seen_seq_is_a_conflict(self, client, clock, officers, dossier, unit):
        client.force_login(officers["reception"])
        response = client.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/assign/", {"unit_id": unit.pk}
        )
        assert response.status_code == 409
        assert dossier.events.count() == 1


class TestRefusals:
    def test_reason_required_is_422_with_the_message(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        response = act(client, dossier, "request_supplement", note="  ")
        assert response.status_code == 422
        assert "Vui lòng ghi nội dung cần bổ sung" in response.content.decode()
        dossier.refresh_from_db()
        assert dossier.status == "received" and dossier.events.count() == 1

    def test_role_not_allowed_is_409(self, client, clock, officers, dossier):
        client.force_login(officers["specialist"])
        response = act(client, dossier, "refuse", note="Không đủ giấy tờ")
        assert response.status_code == 409
        assert "không được thực hiện" in response.content.decode()
        assert dossier.events.count() == 1

    def test_assign_to_an_officer_of_another_center_is_refused(
        self, client, clock, officers, dossier, other_center
    ):
        stranger = make_officer("nguoila", "specialist", other_center)
        client.force_login(officers["reception"])
        response = act(client, dossier, "assign", user_id=stranger.pk)
        assert response.status_code == 422
        assert "không làm việc tại trung tâm này" in response.content.decode()
        dossier.refresh_from_db()
        assert dossier.assignee is None and dossier.events.count() == 1

    def test_reschedule_before_the_due_time(self, client, clock, officers, dossier, unit):
        client.force_login(officers["reception"])
        act(client, dossier, "assign", unit_id=unit.pk)
        client.force_login(officers["leader"])
        new_due = dossier.due_at + timedelta(days=5)
        response = act(
            client,
            dossier,
            "reschedule",
            note="Chờ xác minh nơi cư trú",
            new_due_at=new_due.astimezone(vn(2025, 1, 1).tzinfo).strftime("%Y-%m-%dT%H:%M"),
        )
        assert response.status_code == 302
        dossier.refresh_from_db()
        assert dossier.due_at == new_due and dossier.status == "in_progress"
        # Once the due time has passed, the apology must be refused (Mẫu 04 comes before).
        clock.now = dossier.due_at + timedelta(hours=1)
        response = act(client, dossier, "reschedule", note="Muộn", new_due_at="2025-08-01T09:00")
        assert response.status_code == 409
        assert "phải lập trước thời hạn" in response.content.decode()

    def test_nothing_written_on_refusal(self, client, clock, officers, dossier):
        before = DossierEvent.objects.count()
        client.force_login(officers["reception"])
        act(client, dossier, "withdraw", note="")
        assert DossierEvent.objects.count() == before
        assert Dossier.objects.get(pk=dossier.pk).status == "received"


@pytest.mark.django_db
def test_leader_without_a_certificate_cannot_sign(client, center, unit, dossier, clock):
    from motcua.dossiers.actions import ActionRequest, perform

    leader = make_officer("lanhdao2", "leader", center)
    with transaction.atomic():
        for action, role in (("assign", "reception"), ("submit_for_signature", "specialist")):
            seq = dossier.events.order_by("-seq").first().seq
            perform(
                dossier.pk,
                ActionRequest(
                    action=action,
                    role=role,
                    actor="user:1",
                    seen_seq=seq,
                    now=clock.now,
                    data={"unit_id": unit.pk} if action == "assign" else {},
                ),
            )
    client.force_login(leader)
    response = act(client, dossier, "sign", note="Đồng ý")
    assert response.status_code == 409
    assert "chưa được khai báo chứng thư số" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_signature" and not dossier.signed_results.exists()
