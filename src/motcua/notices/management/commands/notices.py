"""``motcua notices send`` (every minute from cron or a systemd timer) and ``notices list``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from motcua.notices.models import Notice
from motcua.notices.services import dispatch_pending, format_local
from motcua.notices.states import NoticeStatus


class Command(BaseCommand):
    help = "Gửi thông báo cho công dân đang chờ gửi; xem các thông báo gửi lỗi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Gửi các thông báo đến hạn gửi (kể cả gửi lại).")
        send.add_argument("--limit", type=int, default=200, help="Tối đa bao nhiêu thông báo.")
        listing = sub.add_parser("list", help="Liệt kê thông báo (người nhận được che bớt).")
        listing.add_argument(
            "--failed", action="store_true", help="Chỉ thông báo gửi lỗi hoặc đã ngừng thử."
        )
        listing.add_argument("--limit", type=int, default=50)

    def handle(self, *args, action: str, **options) -> None:
        if action == "send":
            report = dispatch_pending(now=timezone.now(), limit=options["limit"])
            self.stdout.write(
                f"Đã gửi {report.sent}, lỗi sẽ thử lại {report.failed}, "
                f"ngừng thử {report.gave_up}, bỏ qua {report.skipped}."
            )
            return
        notices = Notice.objects.select_related("dossier").order_by("-created_at", "-id")
        if options["failed"]:
            notices = notices.filter(status__in=[NoticeStatus.FAILED, NoticeStatus.GAVE_UP])
        rows = list(notices[: options["limit"]])
        if not rows:
            self.stdout.write("Không có thông báo nào.")
            return
        for notice in rows:
            self.stdout.write(
                "\t".join(
                    [
                        str(notice.pk),
                        # A sign-in or assistance code belongs to no dossier.
                        notice.dossier.code if notice.dossier else "–",
                        notice.kind,
                        notice.channel,
                        notice.masked_recipient,
                        notice.status,
                        f"lần {notice.attempts}",
                        format_local(notice.next_attempt_at),
                        notice.last_error,
                    ]
                )
            )
