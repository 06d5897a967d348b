"""The inbox: soonest due first, marks for overdue / due today / due soon, counts, scopes."""

from __future__ import annotations

import pytest

from motcua.backoffice import selectors
from motcua.backoffice.selectors import Mark, Scope
from motcua.dossiers.models import Dossier
from motcua.workcalendar.services import WorkCalendar

from .conftest import submit, vn

pytestmark = pytest.mark.django_db

# Friday 11 July 2025, 10:00. "Sắp đến hạn" reaches the close of Tuesday 15 July (two working
# days after today, across the weekend).
NOW = vn(2025, 7, 11, 10, 0)
CALENDAR = WorkCalendar()  # no holiday in these weeks; no database overrides needed

# name: (due_at, status, paused, expected mark)
CASES = {
    "yesterday": (vn(2025, 7, 10, 16, 0), "in_progress", False, Mark.OVERDUE),
    "this_morning": (vn(2025, 7, 11, 9, 0), "in_progress", False, Mark.OVERDUE),
    "this_afternoon": (vn(2025, 7, 11, 16, 0), "received", False, Mark.DUE_TODAY),
    "monday": (vn(2025, 7, 14, 10, 0), "in_progress", False, Mark.DUE_SOON),
    "tuesday_close": (vn(2025, 7, 15, 17, 0), "awaiting_signature", False, Mark.DUE_SOON),
    "wednesday": (vn(2025, 7, 16, 8, 0), "in_progress", False, Mark.NONE),
    "no_limit": (None, "in_progress", False, Mark.NONE),
    "paused": (vn(2025, 7, 10, 9, 0), "supplement_requested", True, Mark.PAUSED),
    "result_ready": (vn(2025, 7, 10, 9, 0), "processed", False, Mark.NONE),
    "returned": (vn(2025, 7, 10, 9, 0), "returned", False, None),
}


@pytest.fixture
def dossiers(center, procedure) -> dict[str, Dossier]:
    made = {}
    for n, (name, (due, status, paused, _mark)) in enumerate(CASES.items()):
        dossier, _ = submit(center, procedure, key=f"k-{n}", now=vn(2025, 7, 7, 8, n))
        Dossier.objects.filter(pk=dossier.pk).update(
            due_at=due, status=status, clock_paused_at=vn(2025, 7, 9, 9, 0) if paused else None
        )
        made[name] = Dossier.objects.get(pk=dossier.pk)
    return made


def codes(rows) -> list[str]:
    return [row.dossier.code for row in rows]


class TestDeadlineMark:
    def test_each_case(self, dossiers):
        soon = selectors.soon_limit(NOW, CALENDAR, selectors.OfficeHours())
        assert soon == vn(2025, 7, 15, 17, 0)
        for name, (_due, _status, _paused, expected) in CASES.items():
            if expected is not None:
                assert selectors.deadline_mark(dossiers[name], NOW, soon) == expected, name

    def test_a_holiday_pushes_due_soon_further(self):
        # Thursday 28 August 2025: 1–2 September are the National Day holidays.
        soon = selectors.soon_limit(vn(2025, 8, 28, 9, 0), CALENDAR, selectors.OfficeHours())
        assert soon == vn(2025, 9, 3, 17, 0)


class TestInbox:
    def test_center_sorted_by_due_time_with_marks_and_counts(self, dossiers, officers):
        membership = officers["reception"].membership
        inbox = selectors.inbox(membership, None, now=NOW, calendar=CALENDAR)
        assert inbox.scope == Scope.CENTER
        expected_order = [
            "paused",
            "result_ready",
            "yesterday",
            "this_morning",
            "this_afternoon",
            "monday",
            "tuesday_close",
            "wednesday",
            "no_limit",
        ]
        # Same due time (paused, result_ready at 10/7 09:00): received first comes first.
        assert codes(inbox.rows) == [dossiers[name].code for name in expected_order]
        assert [row.mark for row in inbox.rows] == [CASES[n][3] for n in expected_order]
        assert inbox.counts == {
            Mark.OVERDUE: 2,
            Mark.DUE_TODAY: 1,
            Mark.DUE_SOON: 2,
            Mark.PAUSED: 1,
        }
        assert inbox.total == 9
        assert dossiers["returned"].code not in codes(inbox.rows)

    def test_specialist_sees_own_then_unit(self, dossiers, officers, unit):
        specialist = officers["specialist"]
        Dossier.objects.filter(pk=dossiers["monday"].pk).update(assignee=specialist)
        Dossier.objects.filter(pk=dossiers["wednesday"].pk).update(unit=None)
        membership = specialist.membership
        mine = selectors.inbox(membership, None, now=NOW, calendar=CALENDAR)
        assert mine.scope == Scope.MINE
        assert codes(mine.rows) == [dossiers["monday"].code]
        assert [(t.scope, t.count, t.current) for t in mine.tabs] == [
            (Scope.MINE, 1, True),
            (Scope.UNIT, 8, False),
        ]
        in_unit = selectors.inbox(membership, Scope.UNIT, now=NOW, calendar=CALENDAR)
        assert dossiers["wednesday"].code not in codes(in_unit.rows)
        # A scope the role does not have falls back to the default one.
        assert selectors.inbox(membership, Scope.CENTER, now=NOW, calendar=CALENDAR).scope == "mine"

    def test_other_center_never_listed(self, dossiers, foreign_dossier, officers):
        inbox = selectors.inbox(officers["leader"].membership, None, now=NOW, calendar=CALENDAR)
        assert foreign_dossier.code not in codes(inbox.rows)

    def test_provincial_viewer_sees_the_province(self, dossiers, foreign_dossier, officers):
        inbox = selectors.inbox(
            officers["provincial_viewer"].membership, None, now=NOW, calendar=CALENDAR
        )
        assert inbox.scope == Scope.PROVINCE
        assert foreign_dossier.code in codes(inbox.rows) and len(inbox.rows) == 10


class TestInboxPage:
    def test_marks_and_counts_are_shown(self, client, clock, dossiers, officers):
        clock.now = NOW
        client.force_login(officers["reception"])
        html = client.get("/can-bo/").content.decode()
        assert html.count('class="bo-mark bo-mark-overdue"') == 2
        assert html.count('class="bo-mark bo-mark-due_today"') == 1
        assert html.count('class="bo-mark bo-mark-due_soon"') == 2
        assert '<span class="bo-summary-n" data-count="overdue">2</span>' in html
        assert "Quá hạn" in html and "Đến hạn hôm nay" in html and "Sắp đến hạn" in html
        first, second = html.index(dossiers["yesterday"].code), html.index(dossiers["monday"].code)
        assert first < second

    def test_scope_tab_by_query_string(self, client, clock, dossiers, officers):
        clock.now = NOW
        client.force_login(officers["reception"])
        html = client.get("/can-bo/?xem=mine").content.decode()
        assert "Không có hồ sơ nào đang chờ" in html
