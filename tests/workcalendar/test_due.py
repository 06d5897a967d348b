"""due_at: the counting rule of motcua.workcalendar.services on known 2025–2026 dates."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from motcua.centers.models import Center
from motcua.workcalendar import services
from motcua.workcalendar.models import CalendarDay, DayKind
from motcua.workcalendar.services import CalendarError, OfficeHours

from .conftest import at


@pytest.fixture
def due(offline_calendar):
    def compute(received, amount, unit="working_days", **kwargs):
        return offline_calendar.due_at(received, amount, unit, **kwargs)

    return compute


class TestDueAtWorkingDays:
    def test_issue_example_crosses_the_tet_2026_break(self, due):
        assert due(at(2026, 2, 13, 10), 3) == at(2026, 2, 25, 10)
        assert due(at(2026, 2, 13, 10), 3).isoformat() == "2026-02-25T10:00:00+07:00"

    def test_tet_2025(self, due):
        assert due(at(2025, 1, 24, 9, 15), 1) == at(2025, 2, 3, 9, 15)

    def test_ordinary_week_skips_the_weekend(self, due):
        assert due(at(2026, 3, 5, 14), 2) == at(2026, 3, 9, 14)

    def test_across_gio_to_2026_on_sunday_with_monday_off(self, due):
        assert due(at(2026, 4, 24, 10), 1) == at(2026, 4, 28, 10)

    def test_across_30_4_and_1_5_2026(self, due):
        assert due(at(2026, 4, 29, 10), 1) == at(2026, 5, 4, 10)

    def test_across_30_4_and_1_5_2025_with_swapped_friday(self, due):
        assert due(at(2025, 4, 29, 10), 1) == at(2025, 5, 5, 10)

    def test_swapped_working_saturday_counts(self, due):
        assert due(at(2025, 4, 25, 10), 1) == at(2025, 4, 26, 10)
        assert due(at(2026, 8, 21, 10), 1) == at(2026, 8, 22, 10)

    def test_across_quoc_khanh_2025(self, due):
        assert due(at(2025, 8, 29, 8), 1) == at(2025, 9, 3, 8)

    def test_across_quoc_khanh_2026_and_its_swap(self, due):
        assert due(at(2026, 8, 28, 8), 1) == at(2026, 9, 3, 8)

    def test_received_on_sunday_counts_from_monday_opening(self, due):
        assert due(at(2026, 3, 8, 10), 1) == at(2026, 3, 9, 17)
        assert due(at(2026, 3, 8, 10), 3) == at(2026, 3, 11, 17)

    def test_received_on_a_holiday_counts_from_the_next_working_day(self, due):
        assert due(at(2026, 2, 17, 9), 1) == at(2026, 2, 23, 17)

    def test_received_in_the_evening_counts_from_next_opening(self, due):
        assert due(at(2026, 3, 9, 18, 30), 1) == at(2026, 3, 10, 17)

    def test_received_before_opening_counts_from_the_same_day(self, due):
        assert due(at(2026, 3, 9, 6, 45), 1) == at(2026, 3, 9, 17)

    def test_received_during_lunch_counts_from_afternoon_opening(self, due):
        assert due(at(2026, 3, 9, 12, 10), 2) == at(2026, 3, 11, 13, 30)

    def test_after_cutoff_without_the_procedure_rule_keeps_the_clock_time(self, due):
        assert due(at(2026, 3, 9, 15, 30), 1) == at(2026, 3, 10, 15, 30)

    def test_after_cutoff_with_the_procedure_rule_counts_from_next_day(self, due):
        assert due(at(2026, 3, 9, 15, 30), 1, next_day_after_cutoff=True) == at(2026, 3, 10, 17)

    def test_at_the_cutoff_exactly_is_not_after_it(self, due):
        assert due(at(2026, 3, 9, 15), 1, next_day_after_cutoff=True) == at(2026, 3, 10, 15)

    def test_after_cutoff_on_friday_before_tet_goes_past_the_break(self, due):
        assert due(at(2026, 2, 13, 15, 5), 1, next_day_after_cutoff=True) == at(2026, 2, 23, 17)

    def test_fraction_of_a_day_is_that_share_of_working_time(self, due):
        # Half of 7 h 30 min is 3 h 45 min: 10:00 → 11:30 (1 h 30) → 13:30 + 2 h 15 = 15:45.
        assert due(at(2026, 3, 9, 10), Decimal("0.5")) == at(2026, 3, 9, 15, 45)
        assert due(at(2026, 3, 9, 10), 1.5) == at(2026, 3, 10, 15, 45)

    def test_naive_datetime_is_refused(self, due):
        with pytest.raises(CalendarError, match="múi giờ"):
            due(datetime(2026, 2, 13, 10), 3)

    def test_other_time_zones_are_converted_to_local_time(self, due):
        received = datetime(2026, 2, 13, 3, tzinfo=UTC)
        assert due(received, 3).isoformat() == "2026-02-25T10:00:00+07:00"

    @pytest.mark.parametrize("amount", [-1, Decimal("-0.5"), float("nan"), "ba", True, 10**6])
    def test_bad_amounts_are_refused(self, due, amount):
        with pytest.raises(CalendarError):
            due(at(2026, 3, 9, 10), amount)

    def test_unknown_unit_is_refused(self, due):
        with pytest.raises(CalendarError, match="Đơn vị"):
            due(at(2026, 3, 9, 10), 1, "months")


class TestDueAtSameDay:
    def test_zero_working_days_is_the_close_of_the_same_day(self, due):
        assert due(at(2026, 3, 9, 9), 0) == at(2026, 3, 9, 17)

    def test_zero_on_sunday_is_the_close_of_monday(self, due):
        assert due(at(2026, 3, 8, 9), 0) == at(2026, 3, 9, 17)

    def test_zero_after_cutoff_with_the_rule_is_the_close_of_the_next_working_day(self, due):
        assert due(at(2026, 3, 13, 16), 0, next_day_after_cutoff=True) == at(2026, 3, 16, 17)

    def test_zero_after_cutoff_without_the_rule_stays_the_same_day(self, due):
        assert due(at(2026, 3, 13, 16), 0) == at(2026, 3, 13, 17)


class TestDueAtCalendarDays:
    def test_lands_on_a_working_day_keeps_the_clock_time(self, due):
        assert due(at(2026, 2, 3, 10), 10, "days") == at(2026, 2, 13, 10)

    def test_lands_on_tet_moves_to_the_close_of_the_next_working_day(self, due):
        assert due(at(2026, 2, 9, 10), 7, "days") == at(2026, 2, 23, 17)

    def test_lands_on_a_weekend(self, due):
        assert due(at(2026, 3, 9, 10), 5, "days") == at(2026, 3, 16, 17)

    def test_lands_on_gio_to_compensatory_monday(self, due):
        assert due(at(2026, 4, 20, 10), 7, "days") == at(2026, 4, 28, 17)

    def test_received_on_sunday_first_day_is_monday(self, due):
        assert due(at(2026, 3, 8, 10), 1, "days") == at(2026, 3, 9, 17)

    def test_fractional_calendar_days_are_refused(self, due):
        with pytest.raises(CalendarError, match="số nguyên"):
            due(at(2026, 3, 9, 10), Decimal("1.5"), "days")


class TestDueAtHours:
    def test_within_a_session(self, due):
        assert due(at(2026, 3, 9, 8), 2, "hours") == at(2026, 3, 9, 10)

    def test_across_lunch(self, due):
        assert due(at(2026, 3, 9, 10, 30), 2, "hours") == at(2026, 3, 9, 14, 30)

    def test_ending_at_a_session_end_stays_there(self, due):
        assert due(at(2026, 3, 9, 10, 30), 1, "hours") == at(2026, 3, 9, 11, 30)

    def test_across_days(self, due):
        assert due(at(2026, 3, 9, 16), 3, "hours") == at(2026, 3, 10, 9, 30)

    def test_across_a_weekend_and_tet(self, due):
        assert due(at(2026, 2, 13, 16, 30), 1, "hours") == at(2026, 2, 23, 8)

    def test_fractional_hours(self, due):
        assert due(at(2026, 3, 9, 8), Decimal("1.25"), "hours") == at(2026, 3, 9, 9, 15)

    def test_received_at_lunch(self, due):
        assert due(at(2026, 3, 9, 12), 1, "hours") == at(2026, 3, 9, 14, 30)

    def test_after_cutoff_rule_applies_to_hours_too(self, due):
        received = at(2026, 3, 9, 16)
        assert due(received, 1, "hours", next_day_after_cutoff=True) == at(2026, 3, 10, 8, 30)


class TestOfficeHours:
    def test_defaults(self):
        hours = OfficeHours()
        assert (hours.morning_start, hours.afternoon_end, hours.cutoff) == (
            time(7, 30),
            time(17),
            time(15),
        )
        assert hours.day_length == timedelta(hours=7, minutes=30)

    def test_from_center(self):
        center = Center(
            morning_start=time(8),
            morning_end=time(12),
            afternoon_start=time(13),
            afternoon_end=time(16, 30),
            cutoff=time(16),
        )
        hours = OfficeHours.from_center(center)
        assert hours == OfficeHours(time(8), time(12), time(13), time(16, 30), time(16))
        assert hours.day_length == timedelta(hours=7, minutes=30)

    def test_center_hours_change_the_due_time(self, due):
        hours = OfficeHours(time(8), time(12), time(13), time(16, 30), time(16))
        assert due(at(2026, 3, 9, 7, 45), 0, hours=hours) == at(2026, 3, 9, 16, 30)
        assert due(at(2026, 3, 9, 16, 45), 1, hours=hours) == at(2026, 3, 10, 16, 30)
        assert due(at(2026, 3, 9, 15, 30), 1, hours=hours, next_day_after_cutoff=True) == at(
            2026, 3, 10, 15, 30
        )

    @pytest.mark.parametrize(
        "bad",
        [
            dict(morning_start=time(12)),
            dict(morning_end=time(14)),
            dict(afternoon_end=time(13)),
            dict(cutoff=time(18)),
        ],
    )
    def test_inconsistent_hours_are_refused(self, bad):
        with pytest.raises(CalendarError):
            OfficeHours(**bad)


@pytest.mark.django_db
class TestDueAtFromDatabase:
    def test_module_function_uses_the_seeded_table(self):
        assert services.due_at(at(2026, 2, 13, 10), 3, "working_days") == at(2026, 2, 25, 10)

    def test_extra_day_off_added_in_admin_pushes_the_due_time(self):
        CalendarDay.objects.create(date=at(2026, 3, 10).date(), kind=DayKind.DAY_OFF, name="x")
        assert services.due_at(at(2026, 3, 9, 10), 1, "working_days") == at(2026, 3, 11, 10)

    def test_swapped_saturday_added_in_admin_pulls_the_due_time(self):
        CalendarDay.objects.create(
            date=at(2026, 3, 14).date(), kind=DayKind.WORKING_DAY, name="Làm bù"
        )
        assert services.due_at(at(2026, 3, 13, 10), 1, "working_days") == at(2026, 3, 14, 10)
