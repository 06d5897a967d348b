"""Back-office actions through the one service: status, events, the supplement pause, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.centers.models import Unit
from motcua.dossiers.actions import ActionError, ActionRequest, StaleDossier, perform
from motcua.dossiers.models import Dossier

from .conftest import submit, vn

pytestmark = pytest.mark.django_db


def act(dossier, action, role, *, at, note="", seen=None, **data):
    dossier.refresh_from_db()
    seq = dossier.events.order_by("-seq").first().seq if seen is None else seen
    with transaction.atomic():
        return perform(
            dossier.pk,
            ActionRequest(
                action=action, role=role, actor="user:7", seen_seq=seq, now=at, note=note, data=data
            ),
        )


@pytest.fixture
def dossier(center, procedure):
    # Received Monday 7 July 2025 09:05; the procedure's time limit gives the due time.
    dossier, _ = submit(center, procedure)
    return dossier


@pytest.fixture
def unit(center):
    return Unit.objects.create(center=center, code="tp-ht", name="Tư pháp – Hộ tịch")


class TestFullPath:
    def test_assign_supplement_sign_return(self, dossier, unit):
        officer = get_user_model().objects.create_user("cb1", password="x-Pass-123")
        due_before = dossier.due_at
        act(
            dossier,
            "assign",
            "reception",
            at=vn(2025, 7, 7, 10, 0),
            unit_id=unit.pk,
            user_id=officer.pk,
        )
        act(
            dossier,
            "request_supplement",
            "specialist",
            at=vn(2025, 7, 8, 9, 0),
            note="Thiếu giấy chứng sinh",
        )
        dossier.refresh_from_db()
        assert dossier.status == "supplement_requested" and dossier.clock_paused_at is not None
        # The citizen comes back the next morning: one working day (7.5 h) was paused.
        event = act(dossier, "submit_supplement", "reception", at=vn(2025, 7, 9, 9, 0))
        dossier.refresh_from_db()
        assert event.data["paused_seconds"] == int(7.5 * 3600)
        assert dossier.due_at > due_before and dossier.clock_paused_at is None
        act(dossier, "submit_for_signature", "specialist", at=vn(2025, 7, 9, 14, 0))
        act(dossier, "sign", "leader", at=vn(2025, 7, 9, 15, 0))
        act(dossier, "return_result", "reception", at=vn(2025, 7, 10, 8, 0), delivery="at_center")
        dossier.refresh_from_db()
        assert dossier.status == "returned" and dossier.unit == unit and dossier.assignee == officer
        events = list(
            dossier.events.order_by("seq").values_list("action", "from_status", "to_status")
        )
        assert events == [
            ("receive", "", "received"),
            ("assign", "received", "in_progress"),
            ("request_supplement", "in_progress", "supplement_requested"),
            ("submit_supplement", "supplement_requested", "in_progress"),
            ("submit_for_signature", "in_progress", "awaiting_signature"),
            ("sign", "awaiting_signature", "processed"),
            ("return_result", "processed", "returned"),
        ]


class TestGuards:
    def test_second_officer_on_a_stale_page_gets_a_conflict(self, dossier, unit):
        seen = dossier.events.get().seq
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), seen=seen, unit_id=unit.pk)
        with pytest.raises(StaleDossier) as conflict:
            act(dossier, "refuse", "reception", at=vn(2025, 7, 7, 10, 1), seen=seen, note="x")
        assert conflict.value.status_code == 409 and dossier.code in conflict.value.message
        dossier.refresh_from_db()
        assert dossier.status == "in_progress" and dossier.events.count() == 2

    def test_wrong_role_changes_nothing(self, dossier):
        with pytest.raises(ActionError) as denied:
            act(dossier, "stop", "reception", at=vn(2025, 7, 7, 10, 0), note="x")
        assert denied.value.status_code == 409
        assert Dossier.objects.get(pk=dossier.pk).status == "received"

    @pytest.mark.parametrize("action", ["refuse", "request_supplement", "withdraw"])
    def test_reasons_are_required(self, dossier, action):
        role = "reception"
        with pytest.raises(ActionError, match="Vui lòng ghi"):
            act(dossier, action, role, at=vn(2025, 7, 7, 10, 0), note="  ")
        assert dossier.events.count() == 1

    def test_assign_to_another_centers_unit_is_refused(self, dossier):
        from .conftest import make_center

        other = Unit.objects.create(center=make_center("000.00.99.H99"), code="x", name="Khác")
        with pytest.raises(ActionError, match="không thuộc trung tâm"):
            act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=other.pk)


class TestReschedule:
    def test_before_the_due_time_moves_it(self, dossier):
        new_due = dossier.due_at + timedelta(days=2)
        event = act(
            dossier,
            "reschedule",
            "specialist",
            at=dossier.due_at - timedelta(hours=1),
            note="Chờ xác minh",
            new_due_at=new_due,
        )
        dossier.refresh_from_db()
        assert dossier.due_at == new_due and dossier.status == "received"
        assert event.data["due_after"] == new_due.isoformat()

    def test_after_the_due_time_is_refused(self, dossier):
        with pytest.raises(ActionError, match="trước thời hạn"):
            act(
                dossier,
                "reschedule",
                "specialist",
                at=dossier.due_at + timedelta(minutes=1),
                note="Chậm",
                new_due_at=dossier.due_at + timedelta(days=3),
            )

    def test_new_date_must_be_later(self, dossier):
        with pytest.raises(ActionError, match="phải sau"):
            act(
                dossier,
                "reschedule",
                "leader",
                at=dossier.due_at - timedelta(hours=2),
                note="Chậm",
                new_due_at=dossier.due_at - timedelta(hours=1),
            )
