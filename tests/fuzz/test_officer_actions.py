"""Officer action forms under hostile input: every field of every action, never a 500.

Found by fuzzing (issue 9): an impossible date "9999-99-99T99:99" in "Xin lỗi và hẹn lại"
crashed with ValueError, a NUL in the note reached PostgreSQL ("A string literal cannot contain
NUL"), and "²" in an id passed ``str.isdigit`` but not ``int``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import EventAction

pytestmark = pytest.mark.django_db

ACTIONS = [
    a for a in EventAction.values if a not in ("receive", "digitize", "reuse", "pay", "rate")
]
FIELDS = ("note", "unit_id", "user_id", "new_due_at", "delivery", "seen_seq")
GARBAGE = [
    "",
    "9999-99-99T99:99",
    "2026-13-01T10:00",
    "9999-12-31T23:59-23:59",
    "0001-01-01T00:00",
    "x" * 100_000,
    "1" * 400,
    "²",
    "-1",
    "\x00",
    "Nguyễn\u202eVăn",
    "\xff\xfe",
    "' OR 1=1 --",
]


def post_action(client, dossier, action, **fields):
    fields.setdefault("seen_seq", str(dossier.events.order_by("-seq").first().seq))
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", fields)


def in_progress(client, officers, dossier, unit):
    client.force_login(officers["reception"])
    response = post_action(client, dossier, "assign", unit_id=str(unit.pk))
    assert response.status_code == 302
    client.force_login(officers["leader"])


class TestReschedule:
    @pytest.mark.parametrize(
        "raw",
        [
            "9999-99-99T99:99",
            "2026-13-01T10:00",
            "2025-07-10T25:61",
            "9999-12-31T23:59-23:59",
            "2027-07-10T09:00",  # more than a year ahead
            "2025-07-10T09:05+99:00",
            "x" * 100_000,
        ],
    )
    def test_impossible_date_is_refused_with_a_message(
        self, client, clock, officers, dossier, unit, raw
    ):
        in_progress(client, officers, dossier, unit)
        before = DossierEvent.objects.count()
        response = post_action(client, dossier, "reschedule", note="Chờ xác minh", new_due_at=raw)
        assert response.status_code == 422
        assert "Ngày giờ hẹn mới không hợp lệ" in response.content.decode()
        assert DossierEvent.objects.count() == before
        assert Dossier.objects.get(pk=dossier.pk).due_at == dossier.due_at

    def test_a_real_date_still_works(self, client, clock, officers, dossier, unit):
        in_progress(client, officers, dossier, unit)
        response = post_action(
            client, dossier, "reschedule", note="Chờ xác minh", new_due_at="2025-07-15T09:00"
        )
        assert response.status_code == 302
        dossier.refresh_from_db()
        assert dossier.due_at.isoformat() == "2025-07-15T02:00:00+00:00"


class TestUnsafeText:
    @pytest.mark.parametrize("note", ["Thiếu\x00giấy", "Nguyễn \u202eVăn A", "Lý\u200bdo", "a\x07"])
    def test_refused_with_a_message_and_nothing_written(
        self, client, clock, officers, dossier, note
    ):
        client.force_login(officers["reception"])
        before = DossierEvent.objects.count()
        response = post_action(client, dossier, "withdraw", note=note)
        assert response.status_code == 422
        assert "không được phép" in response.content.decode()
        assert DossierEvent.objects.count() == before

    def test_line_breaks_in_a_note_are_fine(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        response = post_action(client, dossier, "withdraw", note="Đơn rút\r\nngày 7/7\tký tên")
        assert response.status_code == 302


class TestIds:
    @pytest.mark.parametrize("raw", ["²", "9" * 400, "-1", "١٢"])
    def test_non_ascii_or_huge_ids_are_not_a_server_error(
        self, client, clock, officers, dossier, raw
    ):
        client.force_login(officers["reception"])
        response = post_action(client, dossier, "assign", unit_id=raw, user_id=raw)
        assert response.status_code == 422
        response = post_action(client, dossier, "assign", unit_id="1", seen_seq=raw)
        assert response.status_code in (409, 422)


# The inputs each action's form has (besides seen_seq, which every form carries).
ACTION_FIELDS = {
    "assign": ("note", "unit_id", "user_id"),
    "reschedule": ("note", "new_due_at"),
    "return_result": ("note", "delivery"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_every_field_of_every_action_with_garbage(client, clock, officers, dossier, unit, action):
    """Each garbage value in all of the action's fields at once: never a server error."""
    client.raise_request_exception = False
    in_progress(client, officers, dossier, unit)
    fields = ACTION_FIELDS.get(action, ("note",))
    for value in GARBAGE:
        with transaction.atomic():
            response = post_action(client, dossier, action, **{name: value for name in fields})
            transaction.set_rollback(True)
        assert response.status_code < 500, (action, value[:40])


def test_garbage_in_the_page_sequence_number(client, clock, officers, dossier):
    client.raise_request_exception = False
    client.force_login(officers["reception"])
    for value in GARBAGE:
        response = post_action(client, dossier, "withdraw", note="Đơn rút", seen_seq=value)
        assert response.status_code == 409, value[:40]


texts = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}\Z"),
    st.integers().map(str),
)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(action=st.sampled_from(ACTIONS), form=st.dictionaries(st.sampled_from(FIELDS), texts))
def test_random_forms_never_give_a_server_error(client, clock, officers, dossier, action, form):
    client.raise_request_exception = False
    client.force_login(officers["leader"])
    with transaction.atomic():
        response = post_action(client, dossier, action, **form)
        transaction.set_rollback(True)
    assert response.status_code < 500


def test_dates_stay_inside_the_horizon(client, clock, officers, dossier, unit):
    in_progress(client, officers, dossier, unit)
    far = (clock.now + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M")
    response = post_action(client, dossier, "reschedule", note="Chờ", new_due_at=far)
    assert response.status_code == 302
