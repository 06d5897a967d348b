"""``motcua queue``: the queue from a shell.

- ``motcua queue demo``: areas and counters at the demo center and a few waiting numbers today
  (demo installations only);
- ``motcua queue release-no-shows``: mark appointments past their grace period (cron, every
  few minutes; safe to run on several servers at once: an UPDATE of the rows still booked);
- ``motcua queue status AGENCY``: waiting numbers per area and each counter's current number.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Sector
from motcua.centers.models import Center
from motcua.core.demo import require_demo_installation
from motcua.queue import selectors, services
from motcua.queue.models import Counter, ServiceArea

DEMO_AREAS = [
    # (code, name, first number, sectors)
    ("ho-tich", "Hộ tịch – Chứng thực", 1001, ["Hộ tịch", "Chứng thực", "Nuôi con nuôi"]),
    ("dat-dai", "Đất đai – Xây dựng", 2001, ["Đất đai", "Tài chính đất đai", "Hoạt động xây dựng"]),
    ("cu-tru", "Cư trú – Căn cước", 3001, ["Đăng ký, quản lý cư trú", "Cấp, quản lý căn cước"]),
    (
        "xa-hoi",
        "Bảo trợ xã hội – Chính sách",
        4001,
        ["Bảo trợ xã hội", "Giảm nghèo", "Thực hiện chính sách BHYT"],
    ),
]
# (counter number, name, area codes)
DEMO_COUNTERS = [
    (1, "Quầy 1 – Hộ tịch, chứng thực", ["ho-tich"]),
    (2, "Quầy 2 – Hộ tịch, cư trú", ["ho-tich", "cu-tru"]),
    (3, "Quầy 3 – Đất đai, xây dựng", ["dat-dai"]),
    (4, "Quầy 4 – Chính sách xã hội", ["xa-hoi", "cu-tru"]),
]


class Command(BaseCommand):
    help = "Xếp hàng, gọi số: dữ liệu dùng thử, giải phóng lịch hẹn quá giờ, xem tình hình."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="Khu vực, quầy và vài số đang chờ ở trung tâm dùng thử.")
        demo.add_argument("--waiting", type=int, default=6)
        sub.add_parser("release-no-shows", help="Đánh dấu lịch hẹn quá giờ giữ chỗ.")
        status = sub.add_parser("status", help="Số đang chờ và số đang gọi của một trung tâm.")
        status.add_argument("agency")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "demo":
            self._demo(options["waiting"])
        elif action == "release-no-shows":
            with transaction.atomic():
                count = services.release_no_shows(now=timezone.now())
            self.stdout.write(f"Đã đánh dấu {count} lịch hẹn không đến.")
        else:
            self._status(options["agency"])

    def _demo(self, waiting: int) -> None:
        from motcua.centers.management.commands.demo_center import DEMO_AGENCY_CODE

        require_demo_installation()
        if not 0 <= waiting <= 50:
            raise CommandError("--waiting phải từ 0 đến 50.")
        center = Center.objects.filter(agency_code=DEMO_AGENCY_CODE).first()
        if center is None:
            raise CommandError("Chưa có trung tâm dùng thử: chạy “motcua demo-center” trước.")
        now = timezone.now()
        with transaction.atomic():
            areas = {}
            for position, (code, name, first, sectors) in enumerate(DEMO_AREAS):
                area, _ = ServiceArea.objects.get_or_create(
                    center=center,
                    code=code,
                    defaults={"name": name, "first_number": first, "position": position},
                )
                area.sectors.add(*Sector.objects.filter(name__in=sectors))
                areas[code] = area
            for number, name, codes in DEMO_COUNTERS:
                counter, _ = Counter.objects.get_or_create(
                    center=center, number=number, defaults={"name": name}
                )
                counter.areas.add(*(areas[c] for c in codes))
            day = services.local_day(now)
            already = center.tickets.filter(day=day).count()
            order = list(areas.values())
            for index in range(max(0, waiting - already)):
                services.issue_ticket(
                    center=center,
                    area=order[index % 3 if index % 4 else 0],
                    source="desk",
                    now=now,
                    actor="demo",
                    priority="elderly" if index == 3 else "",
                    check_open=False,
                )
        self.stdout.write(
            f"Xếp hàng dùng thử: {len(areas)} khu vực, {len(DEMO_COUNTERS)} quầy, "
            f"{center.tickets.filter(day=day, status='waiting').count()} số đang chờ."
        )

    def _status(self, agency: str) -> None:
        center = Center.objects.filter(agency_code=agency).first()
        if center is None:
            raise CommandError(f"Không có trung tâm mã “{agency}”.")
        state = selectors.display_state(center, timezone.now())
        for line in state.areas:
            self.stdout.write(f"{line.area.name}: {line.waiting} đang chờ")
        for counter_line in state.counters:
            shown = counter_line.number if counter_line.number is not None else "–"
            self.stdout.write(
                f"Quầy {counter_line.counter.number}: {shown} ({counter_line.status})"
            )
