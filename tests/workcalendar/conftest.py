"""Helpers for the calendar tests: local datetimes and a calendar that never touches the DB."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.workcalendar.services import Override, WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# The seeded official decisions (migration 0002), as plain data for tests without a database.
SEEDED = [Override(datetime(2025, 1, d).date(), "holiday", "Tết Ất Tỵ") for d in range(27, 32)] + [
    Override(datetime(2025, 4, 26).date(), "working_day", "Làm bù 02/5/2025"),
    Override(datetime(2025, 5, 2).date(), "day_off", "Nghỉ hoán đổi"),
    Override(datetime(2025, 9, 1).date(), "holiday", "Quốc khánh (ngày liền kề)"),
    *[Override(datetime(2026, 2, d).date(), "holiday", "Tết Bính Ngọ") for d in range(16, 21)],
    Override(datetime(2026, 4, 27).date(), "day_off", "Nghỉ bù Giỗ Tổ"),
    Override(datetime(2026, 8, 22).date(), "working_day", "Làm bù 31/8/2026"),
    Override(datetime(2026, 8, 31).date(), "day_off", "Nghỉ hoán đổi"),
    Override(datetime(2026, 9, 1).date(), "holiday", "Quốc khánh (ngày liền kề)"),
]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def offline_calendar() -> WorkCalendar:
    return WorkCalendar(SEEDED)
