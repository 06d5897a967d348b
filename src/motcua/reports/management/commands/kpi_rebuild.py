"""``motcua kpi-rebuild [--center CODE]``: recompute the KPI facts and cells from the event log.

The facts and cells are kept current in the transaction of every event; this command is for
after a direct database repair, a restore, or a change of the rules in ``motcua.reports``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.centers.models import Center
from motcua.reports.rollups import rebuild
from motcua.reports.templatetags.vi_numbers import vi_number


class Command(BaseCommand):
    help = "Tính lại số liệu chỉ số (theo hồ sơ và theo tháng) từ nhật ký hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--center", default="", help="Chỉ tính lại cho một trung tâm (mã).")

    def handle(self, *args, **options) -> None:
        center_ids = None
        if options["center"]:
            center = Center.objects.filter(agency_code=options["center"]).first()
            if center is None:
                raise CommandError(f"Không tìm thấy trung tâm có mã “{options['center']}”.")
            center_ids = [center.pk]
        started = time.perf_counter()
        count = rebuild(center_ids=center_ids)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Đã tính lại số liệu của {vi_number(count)} hồ sơ trong {vi_number(seconds, 1)} giây."
        )
