"""``motcua audit verify``: check the hash chains of every dossier's event log."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.audit import verify_chains


class Command(BaseCommand):
    help = "Kiểm tra nhật ký hồ sơ có bị sửa, xóa hay không (chuỗi mã băm)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Kiểm tra toàn bộ nhật ký; báo mắt xích hỏng đầu tiên.")

    def handle(self, *args, action: str, **options) -> None:
        report = verify_chains()
        if report.broken is None:
            self.stdout.write(
                f"Nhật ký toàn vẹn: {report.events} sự kiện của {report.dossiers} hồ sơ."
            )
            return
        self.stderr.write(f"Nhật ký bị can thiệp: {report.broken}")
        sys.exit(1)
