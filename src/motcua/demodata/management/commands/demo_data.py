"""``motcua demo-data``: realistic dossier history for a province's communes, from a seed.

    motcua demo-data --small                          # the README set, once
    motcua demo-data --province 25 --dossiers 1000000 --from 2025-07-01 --to 2026-06-30

See ``motcua.demodata`` for what is generated and why.
"""

from __future__ import annotations

import sys
import time as clock
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.dates import command_day
from motcua.demodata import places, stories, writing
from motcua.dossiers.services import VIETNAM
from motcua.reports.templatetags.vi_numbers import vi_number

DEFAULT_DOSSIERS = 10_000
# One process by default: on a small shared server more processes only compete for the CPU.
DEFAULT_WORKERS = 1
# In the README set the demo center is the busy one: it is the one a first visitor opens.
SMALL_DEMO_CENTER_WEIGHT = 3.0


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Thời điểm --now không hợp lệ: “%(value)s”, ví dụ 2026-01-05T09:00.")
            % {"value": value}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


class Progress:
    """A progress bar on stderr (tqdm), or nothing with --quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar = None
        if not quiet:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, unit=" hồ sơ", file=sys.stderr, dynamic_ncols=True, desc="Tạo hồ sơ"
            )

    def __call__(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def rebuilding(self) -> None:
        if self.bar is not None:
            self.bar.set_description(_("Tính lại chỉ số KPI"))
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = _(
        "Tạo dữ liệu mẫu: trung tâm theo bản đồ hành chính 2025, cán bộ và lịch sử hồ sơ "
        "(kênh nộp, bổ sung, trễ hạn, thanh toán, số hóa, đánh giá), cùng một --seed cho "
        "cùng một kết quả."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            type=int,
            default=places.DEMO_PROVINCE,
            help=_("Mã tỉnh (mặc định 25, Phú Thọ)."),
        )
        parser.add_argument(
            "--communes", type=int, default=None, help=_("Chỉ lấy N xã, phường đầu tiên theo mã.")
        )
        parser.add_argument(
            "--dossiers", type=int, default=None, help=_("Tổng số hồ sơ (mặc định 10.000).")
        )
        parser.add_argument(
            "--from",
            dest="date_from",
            help=_("Ngày đầu kỳ tiếp nhận (mặc định một năm trước --to)."),
        )
        parser.add_argument("--to", dest="date_to", help=_("Ngày cuối kỳ (mặc định hôm nay)."))
        parser.add_argument("--seed", type=int, default=1, help=_("Hạt giống ngẫu nhiên."))
        parser.add_argument(
            "--now", help=_("Thời điểm coi là hiện tại (mặc định: bây giờ), để lặp lại kết quả.")
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help=_("Bộ dữ liệu nhỏ cho bản chạy thử; không làm gì nếu đã có dữ liệu mẫu."),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=_("Số tiến trình dựng hồ sơ song song (mặc định 1)."),
        )
        parser.add_argument("--quiet", action="store_true", help=_("Không in thanh tiến độ."))

    def handle(self, *args, **options) -> None:
        now = _moment(options["now"]) if options["now"] else timezone.now()
        today = now.astimezone(VIETNAM).date()
        quiet = options["quiet"] or options["verbosity"] == 0
        if options["small"]:
            existing = writing.demo_dossiers()
            if existing:
                self.stdout.write(
                    _("Dữ liệu mẫu đã có (%(n)s hồ sơ): không tạo thêm.")
                    % {"n": vi_number(existing)}
                )
                return
            selected = places.small_communes()
            province = places.DEMO_PROVINCE
            total = options["dossiers"] or stories.SMALL_DOSSIERS
            date_to = today
            date_from = today - timedelta(days=stories.SMALL_DAYS)
        else:
            province = options["province"]
            try:
                selected = places.communes(province)
            except places.MapError as exc:
                raise CommandError(str(exc)) from None
            if options["communes"] is not None:
                if options["communes"] < 1:
                    raise CommandError(_("--communes phải từ 1 trở lên."))
                selected = selected[: options["communes"]]
            total = options["dossiers"] if options["dossiers"] is not None else DEFAULT_DOSSIERS
            date_to = command_day(options["date_to"], "--to") if options["date_to"] else today
            date_from = (
                command_day(options["date_from"], "--from")
                if options["date_from"]
                else date_to - timedelta(days=365)
            )
        if total < 0:
            raise CommandError(_("--dossiers không được âm."))
        if options["workers"] < 1:
            raise CommandError(_("--workers phải từ 1 trở lên."))
        if date_to < date_from:
            raise CommandError(_("Ngày cuối kỳ phải không trước ngày đầu kỳ."))
        if date_from > today:
            raise CommandError(_("Kỳ tiếp nhận phải bắt đầu trước thời điểm hiện tại."))

        started = clock.monotonic()
        progress = Progress(total, quiet)
        try:
            with transaction.atomic():
                centers = places.ensure_centers(selected)
                weights = None
                if options["small"]:
                    weights = {
                        c.pk: SMALL_DEMO_CENTER_WEIGHT
                        if c.agency_code == places.DEMO_AGENCY_CODE
                        else 1.0
                        for c in centers
                    }
                catalog = stories.Catalog()
                try:
                    scenarios = stories.plan(
                        centers,
                        dossiers=total,
                        date_from=date_from,
                        date_to=date_to,
                        now=now,
                        seed=options["seed"],
                        province_code=province,
                        center_weights=weights,
                        catalog=catalog,
                    )
                    report = writing.write(
                        scenarios,
                        now=now,
                        catalog=catalog,
                        # Small runs move the bar in tenths; large ones in the writer's batches.
                        batch_size=max(100, min(writing.BATCH, total // 10)),
                        workers=options["workers"],
                        progress=progress,
                        rebuilding=progress.rebuilding,
                    )
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
        finally:
            progress.close()
        elapsed = clock.monotonic() - started
        rate = report.dossiers / elapsed if elapsed else 0
        self.stdout.write(
            _(
                "Đã tạo %(dossiers)s hồ sơ (%(events)s sự kiện) tại %(centers)s trung tâm, "
                "tiếp nhận từ %(from)s đến %(to)s, trong %(seconds)s giây (%(rate)s hồ sơ/giây)."
            )
            % {
                "dossiers": vi_number(report.dossiers),
                "events": vi_number(report.events),
                "centers": len(centers),
                "from": date_from.strftime("%d/%m/%Y"),
                "to": date_to.strftime("%d/%m/%Y"),
                "seconds": f"{elapsed:.1f}".replace(".", ","),
                "rate": vi_number(round(rate)),
            }
        )
