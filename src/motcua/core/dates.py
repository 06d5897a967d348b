"""The days a person may ask reports and exports about, and reading one from the command line.

The dossiers this software holds start long after 2000; a day outside these bounds is a typing
mistake, and the year 9999 would overflow the end-of-period arithmetic.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone

EARLIEST_DAY = date(2000, 1, 1)


def latest_day(today: date | None = None) -> date:
    """The last day a period may reach: the end of next year."""
    return date((today or timezone.localdate()).year + 1, 12, 31)


def command_day(value: str, flag: str) -> date:
    """A day given on the command line (ISO), checked and bounded, or a Vietnamese CommandError.

    Call it after argparse: a CommandError raised inside a subparser's ``type=`` escapes
    Django's handling and prints a traceback.
    """
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"Ngày {flag} không hợp lệ: “{value}”. Ghi theo dạng NNNN-TT-NN, ví dụ 2025-07-01."
        ) from None
    last = latest_day()
    if not EARLIEST_DAY <= day <= last:
        raise CommandError(
            f"Ngày {flag} ngoài khoảng cho phép: “{value}”. Chọn một ngày từ "
            f"{EARLIEST_DAY:%d/%m/%Y} đến {last:%d/%m/%Y}."
        )
    return day
