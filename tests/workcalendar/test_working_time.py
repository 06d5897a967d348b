"""working_time_between and add_working_time: the arithmetic behind the supplement pause."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workcalendar import services
from motcua.workcalendar.services import CalendarError, OfficeHours, WorkCalendar

from .conftest import SEEDED, VN, at

H = timedelta(hours=1)
M = timedelta(minutes=1)


class TestWorkingTimeBetween:
    def test_inside_one_session(self, offline_calendar):
        assert offline_calendar.working_time_between(at(2026, 3, 9, 8), at(2026, 3, 9, 10)) == 2 * H

    def test_lunch_break_does_not_count(self, offline_calendar):
        elapsed = offline_calendar.working_time_between(at(2026, 3, 9, 11), at(2026, 3, 9, 14))
        assert elapsed == H

    def test_evening_and_night_do_not_count(self, offline_calendar):
        elapsed = offline_calendar.working_time_between(at(2026, 3, 9, 16), at(2026, 3, 10, 8))
        assert elapsed == H + 30 * M

    def test_whole_working_day(self, offline_calendar):
        elapsed = offline_calendar.working_time_between(at(2026, 3, 9), at(2026, 3, 10))
        assert elapsed == 7 * H + 30 * M

    def test_weekend_and_tet_do_not_count(self, offline_calendar):
        elapsed = offline_calendar.working_time_between(at(2026, 2, 13, 16, 30), at(2026, 2, 23, 8))
        assert elapsed == H

    def test_same_moment_is_zero(self, offline_calendar):
        moment = at(2026, 3, 9, 9)
        assert offline_calendar.working_time_between(moment, moment) == timedelta()

    def test_end_before_start_is_refused(self, offline_calendar):
        with pytest.raises(CalendarError):
            offline_calendar.working_time_between(at(2026, 3, 9, 10), at(2026, 3, 9, 9))

    def test_naive_datetime_is_refused(self, offline_calendar):
        with pytest.raises(CalendarError, match="múi giờ"):
            offline_calendar.working_time_between(datetime(2026, 3, 9, 9), at(2026, 3, 9, 10))


class TestAddWorkingTime:
    def test_zero_returns_the_start(self, offline_calendar):
        assert offline_calendar.add_working_time(at(2026, 3, 8, 20), timedelta()) == at(
            2026, 3, 8, 20
        )

    def test_from_outside_office_hours_starts_at_next_opening(self, offline_calendar):
        assert offline_calendar.add_working_time(at(2026, 3, 8, 20), H) == at(2026, 3, 9, 8, 30)

    def test_negative_is_refused(self, offline_calendar):
        with pytest.raises(CalendarError):
            offline_calendar.add_working_time(at(2026, 3, 9, 9), -H)

    def test_custom_office_hours(self, offline_calendar):
        hours = OfficeHours(time(8), time(12), time(13), time(17), time(15))
        assert offline_calendar.add_working_time(at(2026, 3, 9, 11), 2 * H, hours=hours) == at(
            2026, 3, 9, 14
        )

    def test_supplement_pause_moves_the_due_time(self, offline_calendar):
        # Received Fri 13/2/2026 10:00, 3 working days → due Wed 25/2 10:00. The officer asks
        # for a supplement Mon 23/2 14:00; it arrives Tue 24/2 9:00: 3 h + 1 h 30 paused.
        due = offline_calendar.due_at(at(2026, 2, 13, 10), 3, "working_days")
        paused = offline_calendar.working_time_between(at(2026, 2, 23, 14), at(2026, 2, 24, 9))
        assert paused == 4 * H + 30 * M
        assert offline_calendar.add_working_time(due, paused) == at(2026, 2, 25, 16, 30)

    @pytest.mark.django_db
    def test_module_functions_use_the_database_calendar(self):
        paused = services.working_time_between(at(2026, 2, 13, 17), at(2026, 2, 23, 9))
        assert paused == 90 * M
        assert services.add_working_time(at(2026, 2, 13, 16), paused) == at(2026, 2, 23, 8)


# Property tests run on a database-free calendar with the seeded decisions.
CALENDAR = WorkCalendar(SEEDED)
HOURS = OfficeHours()
FIRST = date(2025, 1, 1)
WORKING = [d for d in (FIRST + timedelta(n) for n in range(730)) if CALENDAR.is_working_day(d)]

any_moment = st.builds(
    lambda day, minute: (
        datetime.combine(FIRST + timedelta(day), time(), VN) + timedelta(minutes=minute)
    ),
    st.integers(0, 729),
    st.integers(0, 24 * 60 - 1),
)


@st.composite
def office_moment(draw):
    """A moment strictly after a session opens and no later than it closes, on a working day."""
    day = draw(st.sampled_from(WORKING))
    start, end = draw(st.sampled_from(HOURS.sessions))
    opening = datetime.combine(day, start, VN)
    length = int((datetime.combine(day, end, VN) - opening) / M)
    return opening + draw(st.integers(1, length)) * M


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(office_moment(), st.integers(0, 60 * 24 * 60))
    def test_adding_the_elapsed_working_time_lands_on_the_end(self, end, minutes_before):
        start = end - minutes_before * M
        elapsed = CALENDAR.working_time_between(start, end)
        assert CALENDAR.add_working_time(start, elapsed) == end

    @settings(max_examples=300, deadline=None)
    @given(office_moment(), st.integers(0, 60 * 100))
    def test_working_time_between_inverts_add_working_time(self, start, minutes):
        delta = minutes * M
        assert CALENDAR.working_time_between(start, CALENDAR.add_working_time(start, delta)) == (
            delta
        )

    @settings(max_examples=200, deadline=None)
    @given(any_moment, st.integers(1, 15))
    def test_n_working_days_is_n_days_of_working_time_from_the_counting_start(self, received, n):
        start = CALENDAR.counting_start(received)
        due = CALENDAR.due_at(received, n, "working_days")
        assert CALENDAR.working_time_between(start, due) == n * HOURS.day_length

    @settings(max_examples=200, deadline=None)
    @given(any_moment, any_moment, st.integers(0, 10), st.booleans())
    def test_due_time_never_goes_back_when_received_later(self, first, second, n, cutoff):
        early, late = sorted((first, second))
        due_early = CALENDAR.due_at(early, n, "working_days", next_day_after_cutoff=cutoff)
        due_late = CALENDAR.due_at(late, n, "working_days", next_day_after_cutoff=cutoff)
        assert due_early <= due_late
