"""``motcua restore FILE``: bring a ``motcua backup`` archive back into an empty installation.

Everything is checked before anything is written: the passphrase, the archive's integrity, the
SHA-256 of every member and that the target database, documents and keys are empty.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import backup
from motcua.core.management.passphrase import add_passphrase_arguments, read_passphrase


class Command(BaseCommand):
    help = (
        "Khôi phục bản sao lưu của motcua backup vào cơ sở dữ liệu, thư mục tài liệu, khóa ký "
        "số và khóa bí mật đang cấu hình (phải trống, trừ khi dùng --force)."
    )
    # The checks would open the database that is about to be replaced.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp sao lưu (.tar.gz hoặc .tar.gz.enc).")
        add_passphrase_arguments(parser, confirm=False)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ghi đè cơ sở dữ liệu, tài liệu và khóa đang có (mất dữ liệu hiện tại).",
        )

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        passphrase = read_passphrase(options, confirm=False)
        try:
            report = backup.restore_backup(file, passphrase=passphrase, force=force)
        except backup.BackupError as exc:
            raise CommandError(exc.message) from None
        manifest = report.manifest
        names = {
            "database": "cơ sở dữ liệu",
            "media": "tài liệu",
            "pki": "khóa ký số",
            "secret_key": "khóa bí mật",
        }
        self.stdout.write(
            f"Đã khôi phục bản sao lưu ngày {manifest['created_at']}: "
            + ", ".join(names[item] for item in report.restored)
            + "."
        )
        for warning in report.warnings:
            self.stderr.write(f"Lưu ý: {warning}")
        self.stdout.write("Hãy chạy “motcua migrate” rồi “motcua audit verify” để kiểm tra.")
