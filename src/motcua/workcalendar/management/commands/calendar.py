"""``motcua calendar due --received T (--working-days N | --days N | --hours N)`` and
``motcua calendar days --from D --to D``."""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.workcalendar.services import (
    CalendarError,
    OfficeHours,
    WorkCalendar,
    local_tz,
    to_amount,
)

UNIT_OPTIONS = {"working_days": "--working-days", "days": "--days", "hours": "--hours"}
MAX_LISTED_DAYS = 3660


class Command(BaseCommand):
    help = "Lịch làm việc: tính thời hạn trả kết quả, xem ngày làm việc và ngày nghỉ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser(
            "due",
            help="In thời điểm hẹn trả kết quả (ISO 8601, giờ Việt Nam).",
        )
        due.add_argument(
            "--received",
            help="Thời điểm tiếp nhận, ví dụ 2026-02-13T10:00 (giờ Việt Nam nếu không ghi múi"
            " giờ); bỏ trống là lúc này.",
        )
        due.add_argument("--working-days", dest="working_days", help="Số ngày làm việc.")
        due.add_argument("--days", dest="days", help="Số ngày (theo lịch).")
        due.add_argument("--hours", dest="hours", help="Số giờ làm việc.")
        due.add_argument(
            "--after-cutoff-next-day",
            action="store_true",
            help="Thủ tục quy định tiếp nhận sau giờ chốt (15 giờ) thì tính từ ngày làm việc sau.",
        )
        due.add_argument(
            "--center",
            help="Mã định danh trung tâm: dùng giờ làm việc và giờ chốt của trung tâm đó.",
        )
        days = sub.add_parser("days", help="Liệt kê từng ngày: làm việc hay nghỉ, và lý do.")
        days.add_argument("--from", dest="start", required=True, help="Từ ngày, ví dụ 2026-02-10.")
        days.add_argument("--to", dest="end", required=True, help="Đến ngày, ví dụ 2026-02-28.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "due":
                self._due(options)
            else:
                self._days(options)
        except CalendarError as exc:
            raise CommandError(str(exc)) from None

    def _due(self, options: dict) -> None:
        given = [(unit, options[unit]) for unit in UNIT_OPTIONS if options.get(unit) is not None]
        if not given:
            raise CommandError("Cần ghi thời hạn: một trong --working-days, --days hoặc --hours.")
        if len(given) > 1:
            names = ", ".join(UNIT_OPTIONS[unit] for unit, _ in given)
            raise CommandError(f"Chỉ ghi một đơn vị thời hạn, đang có: {names}.")
        unit, raw_amount = given[0]
        try:
            amount = to_amount(raw_amount)
        except CalendarError:
            raise CommandError(
                f"{UNIT_OPTIONS[unit]} phải là một số không âm, ví dụ 3 hoặc 0.5;"
                f" nhận được {raw_amount!r}."
            ) from None
        received = parse_moment(options["received"]) if options.get("received") else timezone.now()
        hours = center_hours(options["center"]) if options.get("center") else None
        due = WorkCalendar.from_db().due_at(
            received,
            amount,
            unit,
            hours=hours,
            next_day_after_cutoff=options["after_cutoff_next_day"],
        )
        self.stdout.write(format_moment(due))

    def _days(self, options: dict) -> None:
        start = parse_day(options["start"], "--from")
        end = parse_day(options["end"], "--to")
        if end < start:
            raise CommandError("--to phải là ngày sau hoặc trùng --from.")
        if (end - start).days >= MAX_LISTED_DAYS:
            raise CommandError(f"Chỉ liệt kê tối đa {MAX_LISTED_DAYS} ngày mỗi lần.")
        for info in WorkCalendar.from_db(start, end).days(start, end):
            status = "làm việc" if info.is_working else "nghỉ"
            line = f"{info.day.isoformat()}  {info.weekday_name:<8}  {status:<8}  {info.reason}"
            self.stdout.write(line.rstrip())


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"Không đọc được thời điểm tiếp nhận {text!r}; ghi theo dạng 2026-02-13T10:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz())
    return moment


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"Không đọc được ngày {option} {text!r}; ghi theo dạng 2026-02-10."
        ) from None


def center_hours(agency_code: str) -> OfficeHours:
    from motcua.centers.models import Center

    center = Center.objects.filter(agency_code=agency_code).first()
    if center is None:
        raise CommandError(f"Không có trung tâm có mã định danh {agency_code!r}.")
    return OfficeHours.from_center(center)


def format_moment(moment: datetime) -> str:
    """ISO 8601 in local time, without seconds when they are zero (2026-02-25T10:00+07:00)."""
    local = moment.astimezone(local_tz())
    whole_minute = local.second == 0 and local.microsecond == 0
    return local.isoformat(timespec="minutes" if whole_minute else "seconds")
