"""The one working-day calendar: every due time in motcua is computed here.

Nothing here reads the clock: callers pass the moments they mean (``received_at``, the start
and end of a pause). All datetimes must be timezone-aware; results are in local time
(``settings.TIME_ZONE``, Asia/Ho_Chi_Minh).

Which days are working days
---------------------------
Monday to Friday, except public holidays and days off. Weekly rest on Saturday and Sunday
follows the 40-hour week for state agencies (Quyết định 188/1999/QĐ-TTg). Public holidays and
the compensatory day after a holiday that falls on a rest day (Bộ luật Lao động 2019 Điều 111
khoản 3, Điều 112) come from the ``holidays`` package; the yearly Government decisions (Tết
days, the day next to 2/9, swaps that make a Saturday a working day) are rows of
:class:`~motcua.workcalendar.models.CalendarDay`, which always win over the package.

Office hours are two sessions (default 7:30–11:30 and 13:30–17:00). Working time is the time
inside those sessions on working days; the lunch break, evenings and days off do not count.

How a due time is counted
-------------------------
Legal basis: Bộ luật Dân sự 2015 Điều 147–148 (a period in days starts on the day after the
event, ends at the end of its last day, and a period whose last day is a weekly rest day or a
holiday ends at the end of the next working day; a period in hours starts at the stated moment);
the appointment slip (Phiếu tiếp nhận hồ sơ và hẹn trả kết quả, Nghị định 61/2018/NĐ-CP,
now Nghị định 118/2025/NĐ-CP) gives the return moment; procedures of the hộ tịch family say
"nếu tiếp nhận hồ sơ sau 15 giờ thì ... trả kết quả ... trong ngày làm việc tiếp theo"
(portal record 1.001193 and its siblings). Chosen rule:

1. The count starts at the *counting start*: the receipt moment if it is inside office hours
   on a working day; otherwise the next opening (received at lunch → 13:30 the same day;
   in the evening, on a Saturday, Sunday or holiday → opening of the next working day).
   If the procedure says so (``next_day_after_cutoff``) and the dossier is received on a
   working day after the cut-off (15:00 by default), the count starts at the opening of the
   next working day.
2. ``working_days``, N ≥ 1: N working days after the counting start, at the same clock time
   (Friday 13/2/2026 10:00 + 3 → Wednesday 25/2/2026 10:00, across the Tết break). The receipt
   day itself is not one of the N (Điều 147); ending at the receipt's clock time rather than at
   24:00 gives exactly N days of working time, which is what the appointment slip and the KPI
   (Quyết định 766/QĐ-TTg: on time means finished ≤ NgayHenTra) measure, and it is never later
   than the civil-code end of the period. When the count starts at an opening (rule 1 shifted
   it), the N days are the N whole working days from that opening, so the due time is the
   close of the N-th one (received on Sunday + 1 → Monday 17:00, not Tuesday 7:30).
   A fraction of a day (0.5 ngày làm việc) is that fraction of the office day's working time.
3. ``working_days`` with N = 0 ("trong ngày", same-day procedures): the close of office hours
   of the counting start's day, so a same-day dossier received after the cut-off of a
   procedure that applies it is due at the close of the next working day.
4. ``days`` (calendar days): N calendar days after the counting start, same clock time
   (or the close of the N-th day when the count starts at an opening); if that day is not a
   working day the period ends at the close of the next working day (Điều 148).
5. ``hours``: N hours of working time from the counting start (Điều 147: periods in hours start
   at the moment itself), skipping the lunch break, evenings and days off.

A due time that lands exactly on a day boundary is reported as the earlier moment (17:00, not
7:30 the next morning); both have the same working time elapsed. A count that starts at 13:30
(received during the lunch break) keeps 13:30 as its clock time.

For the supplement pause (the legal clock stops while the citizen supplements, Quyết định
766/QĐ-TTg) use :func:`working_time_between` for the paused working time and
:func:`add_working_time` to move the due time by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

UNITS = ("working_days", "days", "hours")
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKLY_REST_DAYS = frozenset({5, 6})
# A run of days off longer than a year means the table is wrong; stop instead of looping forever.
MAX_DAYS_OFF_IN_A_ROW = 366
# No procedure is counted in ten years; a bigger amount is a typing error (and a long loop).
MAX_AMOUNT = Decimal(3660)

KIND_HOLIDAY = "holiday"
KIND_DAY_OFF = "day_off"
KIND_WORKING_DAY = "working_day"
KINDS = (KIND_HOLIDAY, KIND_DAY_OFF, KIND_WORKING_DAY)


class CalendarError(ValueError):
    """Bad input to the calendar (naive datetime, negative amount, unknown unit...)."""


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a center: two sessions and the cut-off for "received after 15:00"."""

    morning_start: time = time(7, 30)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)
    cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise CalendarError(
                "Giờ làm việc không hợp lệ: cần giờ bắt đầu sáng < kết thúc sáng ≤ bắt đầu chiều"
                " < kết thúc chiều."
            )
        if not self.morning_start <= self.cutoff <= self.afternoon_end:
            raise CalendarError("Giờ tiếp nhận tính sang ngày sau phải nằm trong giờ làm việc.")

    @classmethod
    def from_center(cls, center: Any) -> OfficeHours:
        return cls(
            morning_start=center.morning_start,
            morning_end=center.morning_end,
            afternoon_start=center.afternoon_start,
            afternoon_end=center.afternoon_end,
            cutoff=center.cutoff,
        )

    @property
    def sessions(self) -> tuple[tuple[time, time], tuple[time, time]]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day (7 h 30 min with the defaults)."""
        return sum(
            (_clock_delta(start, end) for start, end in self.sessions),
            timedelta(),
        )


@dataclass(frozen=True)
class Override:
    """One row of the project table, detached from the database."""

    day: date
    kind: str
    name: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CalendarError(f"Loại ngày không hợp lệ: {self.kind!r}.")


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_working: bool
    # Why the day is off (holiday name, "Thứ Bảy"...) or why a rest day is worked; "" otherwise.
    reason: str
    # "override" (project table), "holidays" (the package), "weekend", or "" for a plain weekday.
    source: str

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.day.weekday()]


OverrideLoader = Callable[[int, int], Iterable[Override]]


def load_overrides_from_db(first_year: int, last_year: int) -> list[Override]:
    """The project table's rows for the years ``first_year``..``last_year``, one query."""
    from motcua.workcalendar.models import CalendarDay

    rows = CalendarDay.objects.filter(date__year__gte=first_year, date__year__lte=last_year)
    return [Override(day=r.date, kind=r.kind, name=r.name) for r in rows]


@cache
def _package_holidays(year: int) -> dict[date, str]:
    # The package data is static for a given installed version, so caching it for the life of
    # the process is safe; the admin-editable table is never cached across calendars.
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class WorkCalendar:
    """Working days from the ``holidays`` package overlaid with the project table.

    Overrides are loaded once per year on first use and cached in the object, so one due-time
    computation costs one query per calendar year it touches. Build a new calendar per unit of
    work (request, command) so that admin edits are seen; pass ``overrides`` for a calendar that
    never touches the database.
    """

    def __init__(
        self, overrides: Iterable[Override] = (), *, loader: OverrideLoader | None = None
    ) -> None:
        self._explicit = {o.day: o for o in overrides}
        self._loader = loader
        self._loaded: dict[date, Override] = {}
        self._loaded_years: set[int] = set()
        self._days: dict[date, DayInfo] = {}

    @classmethod
    def from_db(cls, start: date | None = None, end: date | None = None) -> WorkCalendar:
        calendar = cls(loader=load_overrides_from_db)
        if start is not None and end is not None:
            calendar.preload(start, end)
        return calendar

    def preload(self, start: date, end: date) -> None:
        """Load the overrides of every year from ``start`` to ``end`` in one query."""
        years = [y for y in range(start.year, end.year + 1) if y not in self._loaded_years]
        if not years or self._loader is None:
            return
        for override in self._loader(years[0], years[-1]):
            self._loaded[override.day] = override
        self._loaded_years.update(range(years[0], years[-1] + 1))

    def _override(self, day: date) -> Override | None:
        if day in self._explicit:
            return self._explicit[day]
        if self._loader is not None and day.year not in self._loaded_years:
            self.preload(day, day)
        return self._loaded.get(day)

    # Days

    def day_info(self, day: date) -> DayInfo:
        info = self._days.get(day)
        if info is None:
            info = self._classify(day)
            self._days[day] = info
        return info

    def _classify(self, day: date) -> DayInfo:
        override = self._override(day)
        if override is not None:
            return DayInfo(day, override.kind == KIND_WORKING_DAY, override.name, "override")
        holiday_name = _package_holidays(day.year).get(day)
        if holiday_name is not None:
            return DayInfo(day, False, holiday_name, "holidays")
        if day.weekday() in WEEKLY_REST_DAYS:
            return DayInfo(day, False, WEEKDAY_NAMES[day.weekday()], "weekend")
        return DayInfo(day, True, "", "")

    def is_working_day(self, day: date) -> bool:
        return self.day_info(day).is_working

    def days(self, start: date, end: date) -> list[DayInfo]:
        if end < start:
            raise CalendarError("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.")
        self.preload(start, end)
        return [self.day_info(start + timedelta(n)) for n in range((end - start).days + 1)]

    def _days_from(self, day: date) -> Iterator[date]:
        """``day`` and the following days, stopping with an error after a year of days off."""
        days_off = 0
        while True:
            if self.is_working_day(day):
                days_off = 0
            else:
                days_off += 1
                if days_off > MAX_DAYS_OFF_IN_A_ROW:
                    raise CalendarError(
                        "Không tìm thấy ngày làm việc nào trong hơn một năm; kiểm tra lại bảng"
                        " lịch nghỉ."
                    )
            yield day
            day += timedelta(days=1)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for candidate in self._days_from(day + timedelta(days=1)):
            if self.is_working_day(candidate):
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
        if count < 0:
            raise CalendarError("Số ngày làm việc không được âm.")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    # Moments

    def _sessions_on(self, day: date, hours: OfficeHours) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        tz = local_tz()
        return [
            (datetime.combine(day, start, tz), datetime.combine(day, end, tz))
            for start, end in hours.sessions
        ]

    def next_office_moment(self, moment: datetime, hours: OfficeHours | None = None) -> datetime:
        """``moment`` if it is inside office hours on a working day, else the next opening."""
        hours = hours or OfficeHours()
        moment = to_local(moment)
        for day in self._days_from(moment.date()):
            for start, end in self._sessions_on(day, hours):
                if moment < end:
                    return max(start, moment)
        raise AssertionError("unreachable")  # pragma: no cover

    def counting_start(
        self,
        received_at: datetime,
        hours: OfficeHours | None = None,
        *,
        next_day_after_cutoff: bool = False,
    ) -> datetime:
        """Rule 1 of the module docstring: the moment the legal clock starts."""
        hours = hours or OfficeHours()
        received = to_local(received_at, "received_at")
        if (
            next_day_after_cutoff
            and self.is_working_day(received.date())
            and _clock(received) > hours.cutoff
        ):
            opening = self.next_working_day(received.date())
            return datetime.combine(opening, hours.morning_start, local_tz())
        return self.next_office_moment(received, hours)

    def due_at(
        self,
        received_at: datetime,
        amount: Decimal | int | float,
        unit: str,
        *,
        hours: OfficeHours | None = None,
        next_day_after_cutoff: bool = False,
    ) -> datetime:
        hours = hours or OfficeHours()
        quantity = to_amount(amount)
        if unit not in UNITS:
            raise CalendarError(
                f"Đơn vị thời hạn không hợp lệ: {unit!r} (chỉ nhận {', '.join(UNITS)})."
            )
        start = self.counting_start(received_at, hours, next_day_after_cutoff=next_day_after_cutoff)
        if unit == "hours":
            return self.add_working_time(start, _scale(timedelta(hours=1), quantity), hours=hours)
        whole = int(quantity)
        fraction = quantity - whole
        if unit == "days":
            if fraction:
                raise CalendarError("Thời hạn tính theo ngày (lịch) phải là số nguyên.")
            return self._add_calendar_days(start, whole, hours)
        if whole == 0 and fraction:
            return self.add_working_time(start, _scale(hours.day_length, fraction), hours=hours)
        due = self._add_whole_working_days(start, whole, hours)
        if fraction:
            due = self.add_working_time(due, _scale(hours.day_length, fraction), hours=hours)
        return due

    def _add_whole_working_days(self, start: datetime, count: int, hours: OfficeHours) -> datetime:
        tz = local_tz()
        if count == 0:
            return datetime.combine(start.date(), hours.afternoon_end, tz)
        if _is_opening(start, hours):
            last = self.add_working_days(start.date(), count - 1)
            return datetime.combine(last, hours.afternoon_end, tz)
        last = self.add_working_days(start.date(), count)
        return datetime.combine(last, _clock(start), tz)

    def _add_calendar_days(self, start: datetime, count: int, hours: OfficeHours) -> datetime:
        tz = local_tz()
        if count == 0:
            return datetime.combine(start.date(), hours.afternoon_end, tz)
        if _is_opening(start, hours):
            last, clock = start.date() + timedelta(days=count - 1), hours.afternoon_end
        else:
            last, clock = start.date() + timedelta(days=count), _clock(start)
        if not self.is_working_day(last):
            # Bộ luật Dân sự 2015 Điều 148: ends at the end of the next working day.
            last, clock = self.next_working_day(last), hours.afternoon_end
        return datetime.combine(last, clock, tz)

    def working_time_between(
        self, start: datetime, end: datetime, *, hours: OfficeHours | None = None
    ) -> timedelta:
        """Working time inside office hours from ``start`` to ``end``."""
        hours = hours or OfficeHours()
        start, end = to_local(start, "start"), to_local(end, "end")
        if end < start:
            raise CalendarError("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
        self.preload(start.date(), end.date())
        total = timedelta()
        day = start.date()
        while day <= end.date():
            for session_start, session_end in self._sessions_on(day, hours):
                overlap = min(session_end, end) - max(session_start, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total

    def add_working_time(
        self, start: datetime, delta: timedelta, *, hours: OfficeHours | None = None
    ) -> datetime:
        """The earliest moment at which ``delta`` of working time has passed since ``start``."""
        hours = hours or OfficeHours()
        start = to_local(start, "start")
        if delta < timedelta():
            raise CalendarError("Khoảng thời gian làm việc cộng thêm không được âm.")
        if not delta:
            return start
        remaining = delta
        for day in self._days_from(start.date()):
            for session_start, session_end in self._sessions_on(day, hours):
                if session_end <= start:
                    continue
                begin = max(session_start, start)
                available = session_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover


def to_local(value: datetime, what: str = "datetime") -> datetime:
    """``value`` in local time; naive datetimes are refused (their zone would be a guess)."""
    if not isinstance(value, datetime):
        raise CalendarError(f"{what} phải là datetime, không phải {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{what} phải có múi giờ (timezone-aware datetime), nhận được {value.isoformat()};"
            " dùng django.utils.timezone.make_aware() hoặc tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')."
        )
    return value.astimezone(local_tz())


def to_amount(amount: Decimal | int | float | str) -> Decimal:
    if isinstance(amount, bool):
        raise CalendarError("Thời hạn phải là một số.")
    try:
        quantity = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise CalendarError(f"Thời hạn phải là một số, không phải {amount!r}.") from None
    if not quantity.is_finite():
        raise CalendarError("Thời hạn phải là một số hữu hạn.")
    if quantity < 0:
        raise CalendarError("Thời hạn không được âm.")
    if quantity > MAX_AMOUNT:
        raise CalendarError(f"Thời hạn quá lớn (tối đa {MAX_AMOUNT}).")
    return quantity


def _clock(moment: datetime) -> time:
    return moment.timetz().replace(tzinfo=None)


def _clock_delta(start: time, end: time) -> timedelta:
    day = date(2000, 1, 1)
    return datetime.combine(day, end) - datetime.combine(day, start)


def _is_opening(moment: datetime, hours: OfficeHours) -> bool:
    return _clock(moment) == hours.morning_start


def _scale(unit: timedelta, factor: Decimal) -> timedelta:
    """``unit * factor`` rounded to the second (timedelta does not multiply by Decimal)."""
    seconds = (Decimal(unit.total_seconds()) * factor).quantize(Decimal(1), ROUND_HALF_UP)
    return timedelta(seconds=int(seconds))


# Module-level entry points: each builds a fresh database-backed calendar unless one is passed,
# so an edit in the admin is seen by the next call.


def is_working_day(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or WorkCalendar.from_db()).is_working_day(day)


def due_at(
    received_at: datetime,
    amount: Decimal | int | float,
    unit: str,
    *,
    hours: OfficeHours | None = None,
    next_day_after_cutoff: bool = False,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """The due time of a dossier received at ``received_at``; see the module docstring."""
    return (calendar or WorkCalendar.from_db()).due_at(
        received_at, amount, unit, hours=hours, next_day_after_cutoff=next_day_after_cutoff
    )


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    hours: OfficeHours | None = None,
    calendar: WorkCalendar | None = None,
) -> timedelta:
    """Working time elapsed from ``start`` to ``end`` (e.g. while waiting for a supplement)."""
    return (calendar or WorkCalendar.from_db()).working_time_between(start, end, hours=hours)


def add_working_time(
    start: datetime,
    delta: timedelta,
    *,
    hours: OfficeHours | None = None,
    calendar: WorkCalendar | None = None,
) -> datetime:
    """``start`` moved by ``delta`` of working time (e.g. a due time after a supplement pause)."""
    return (calendar or WorkCalendar.from_db()).add_working_time(start, delta, hours=hours)


def calendar_days(start: date, end: date, *, calendar: WorkCalendar | None = None) -> list[DayInfo]:
    """Every day from ``start`` to ``end`` with whether it is worked and why."""
    return (calendar or WorkCalendar.from_db(start, end)).days(start, end)
