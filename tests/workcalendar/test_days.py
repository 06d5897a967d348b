"""Which days are worked: the holidays package, the seeded official decisions, admin overrides."""

from datetime import date, timedelta

import pytest

from motcua.workcalendar import services
from motcua.workcalendar.models import CalendarDay, DayKind
from motcua.workcalendar.services import CalendarError, WorkCalendar

DAYS_OFF_2025 = [
    (date(2025, 1, 1), "Tết Dương lịch"),
    *[(date(2025, 1, d), "Tết Nguyên đán") for d in range(27, 32)],
    (date(2025, 2, 1), "Tết Nguyên đán, thứ Bảy"),
    (date(2025, 2, 2), "Tết Nguyên đán, Chủ nhật"),
    (date(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
    (date(2025, 4, 30), "Chiến thắng"),
    (date(2025, 5, 1), "Quốc tế Lao động"),
    (date(2025, 5, 2), "hoán đổi với thứ Bảy 26/4"),
    (date(2025, 9, 1), "Quốc khánh, ngày liền kề"),
    (date(2025, 9, 2), "Quốc khánh"),
]
DAYS_OFF_2026 = [
    (date(2026, 1, 1), "Tết Dương lịch"),
    *[(date(2026, 2, d), "Tết Nguyên đán 14–22/2") for d in range(14, 23)],
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương, Chủ nhật"),
    (date(2026, 4, 27), "nghỉ bù Giỗ Tổ"),
    (date(2026, 4, 30), "Chiến thắng"),
    (date(2026, 5, 1), "Quốc tế Lao động"),
    (date(2026, 8, 31), "hoán đổi với thứ Bảy 22/8"),
    (date(2026, 9, 1), "Quốc khánh, ngày liền kề"),
    (date(2026, 9, 2), "Quốc khánh"),
    (date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),
]
WORKING_DAYS = [
    (date(2025, 1, 24), "thứ Sáu trước Tết 2025"),
    (date(2025, 2, 3), "thứ Hai sau Tết 2025"),
    (date(2025, 4, 8), "sau Giỗ Tổ 2025"),
    (date(2025, 4, 26), "thứ Bảy làm bù 2025"),
    (date(2025, 5, 5), "thứ Hai sau 30/4–1/5 2025"),
    (date(2025, 9, 3), "sau Quốc khánh 2025"),
    (date(2026, 2, 13), "thứ Sáu trước Tết 2026"),
    (date(2026, 2, 23), "thứ Hai sau Tết 2026"),
    (date(2026, 4, 24), "thứ Sáu trước Giỗ Tổ 2026"),
    (date(2026, 4, 28), "sau nghỉ bù Giỗ Tổ 2026"),
    (date(2026, 4, 29), "giữa Giỗ Tổ và 30/4"),
    (date(2026, 5, 4), "thứ Hai sau 30/4–1/5 2026"),
    (date(2026, 8, 22), "thứ Bảy làm bù 2026"),
    (date(2026, 9, 3), "sau Quốc khánh 2026"),
]


@pytest.mark.django_db
class TestIsWorkingDay:
    @pytest.mark.parametrize(("day", "why"), DAYS_OFF_2025 + DAYS_OFF_2026)
    def test_known_days_off(self, day, why):
        assert not services.is_working_day(day), why

    @pytest.mark.parametrize(("day", "why"), WORKING_DAYS)
    def test_known_working_days(self, day, why):
        assert services.is_working_day(day), why

    def test_plain_weekend(self):
        assert not services.is_working_day(date(2026, 3, 7))
        assert not services.is_working_day(date(2026, 3, 8))
        assert services.is_working_day(date(2026, 3, 9))

    def test_admin_swapped_saturday_becomes_a_working_day(self):
        CalendarDay.objects.create(
            date=date(2026, 3, 7), kind=DayKind.WORKING_DAY, name="Làm bù (thử)"
        )
        assert services.is_working_day(date(2026, 3, 7))

    def test_admin_extra_day_off_becomes_off(self):
        CalendarDay.objects.create(date=date(2026, 3, 10), kind=DayKind.DAY_OFF, name="Nghỉ thêm")
        assert not services.is_working_day(date(2026, 3, 10))

    def test_admin_row_wins_over_the_holidays_package(self):
        CalendarDay.objects.create(
            date=date(2026, 11, 24), kind=DayKind.WORKING_DAY, name="Không nghỉ (thử)"
        )
        assert services.is_working_day(date(2026, 11, 24))

    def test_admin_edit_is_seen_by_the_next_call(self):
        day = date(2026, 3, 11)
        assert services.is_working_day(day)
        row = CalendarDay.objects.create(date=day, kind=DayKind.DAY_OFF, name="Nghỉ thêm")
        assert not services.is_working_day(day)
        row.kind = DayKind.WORKING_DAY
        row.save()
        assert services.is_working_day(day)


@pytest.mark.django_db
class TestSeedData:
    def test_seed_rows_are_there(self):
        kinds = dict(CalendarDay.objects.values_list("date", "kind"))
        assert kinds[date(2026, 2, 17)] == DayKind.HOLIDAY
        assert kinds[date(2026, 4, 27)] == DayKind.DAY_OFF
        assert kinds[date(2026, 8, 22)] == DayKind.WORKING_DAY
        assert kinds[date(2025, 4, 26)] == DayKind.WORKING_DAY
        assert kinds[date(2025, 5, 2)] == DayKind.DAY_OFF
        assert all(CalendarDay.objects.values_list("note", flat=True))


class TestWorkCalendarWithoutDatabase:
    def test_holidays_package_alone_knows_the_fixed_holidays(self):
        calendar = WorkCalendar()
        assert not calendar.is_working_day(date(2026, 4, 30))
        assert not calendar.is_working_day(date(2026, 4, 27))
        assert calendar.is_working_day(date(2026, 4, 28))

    def test_explicit_overrides_win(self, offline_calendar):
        assert offline_calendar.is_working_day(date(2026, 8, 22))
        assert not offline_calendar.is_working_day(date(2026, 8, 31))


@pytest.mark.django_db
class TestWorkCalendarCaching:
    def test_one_query_per_year_then_none(self, django_assert_num_queries):
        calendar = WorkCalendar.from_db()
        with django_assert_num_queries(1):
            calendar.is_working_day(date(2026, 2, 16))
            calendar.is_working_day(date(2026, 9, 1))
        with django_assert_num_queries(0):
            assert [calendar.is_working_day(date(2026, 2, d)) for d in (13, 16)] == [True, False]

    def test_preload_reads_a_range_of_years_in_one_query(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            calendar = WorkCalendar.from_db(date(2025, 12, 1), date(2026, 12, 31))
        with django_assert_num_queries(0):
            calendar.is_working_day(date(2025, 12, 31))
            calendar.is_working_day(date(2026, 9, 1))


@pytest.mark.django_db
class TestDays:
    def test_lists_reasons(self):
        days = services.calendar_days(date(2026, 2, 13), date(2026, 2, 23))
        assert [d.is_working for d in days] == [True] + [False] * 9 + [True]
        by_day = {d.day: d for d in days}
        assert "Mùng 1" in by_day[date(2026, 2, 17)].reason
        assert by_day[date(2026, 2, 17)].source == "override"
        assert by_day[date(2026, 2, 14)].reason == "Thứ Bảy"
        assert by_day[date(2026, 2, 13)].reason == ""

    def test_package_holiday_name_is_vietnamese(self):
        (info,) = services.calendar_days(date(2026, 4, 30), date(2026, 4, 30))
        assert info.reason == "Ngày Chiến thắng"
        assert info.source == "holidays"

    def test_end_before_start_is_refused(self):
        with pytest.raises(CalendarError):
            services.calendar_days(date(2026, 2, 2), date(2026, 2, 1))

    def test_a_year_of_days_off_is_an_error_not_a_hang(self):
        calendar = WorkCalendar(
            [services.Override(date(2026, 1, 1) + timedelta(n), "day_off", "x") for n in range(400)]
        )
        with pytest.raises(CalendarError, match="hơn một năm"):
            calendar.next_working_day(date(2026, 1, 1))


class TestKinds:
    def test_services_and_model_agree_on_the_kinds(self):
        assert set(services.KINDS) == set(DayKind.values)
