"""``motcua backup``: one archive with the database, documents, signing keys and secret key.

See ``motcua.core.backup`` for what the archive holds and docs/deploy.md ("Sao lưu và khôi
phục") for the routine and the restore drill.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core import backup
from motcua.core.management.passphrase import add_passphrase_arguments, read_passphrase


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu, tài liệu (media), khóa ký số (var/pki) và khóa bí mật vào một "
        "tệp duy nhất (chỉ chủ sở hữu đọc được), có thể mã hóa bằng mật khẩu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            help="Tệp sao lưu sẽ tạo (mặc định var/backups/motcua-NGÀY-GIỜ.tar.gz[.enc]).",
        )
        add_passphrase_arguments(parser, confirm=True)
        parser.add_argument(
            "--include-env-secret",
            action="store_true",
            help="Khi SECRET_KEY đặt bằng biến môi trường: vẫn chép khóa vào bản sao lưu "
            "(nên dùng cùng mật khẩu mã hóa).",
        )

    def handle(self, *args, output: Path | None, include_env_secret: bool, **options) -> None:
        passphrase = read_passphrase(options, confirm=True)
        now = timezone.localtime()
        target = output or backup.default_output(now, encrypted=passphrase is not None)
        try:
            report = backup.create_backup(
                target, now=now, passphrase=passphrase, include_env_secret=include_env_secret
            )
        except backup.BackupError as exc:
            raise CommandError(exc.message) from None
        manifest = report.manifest
        self.stdout.write(f"Đã sao lưu vào {report.path} ({report.path.stat().st_size} byte).")
        self.stdout.write(
            f"  Cơ sở dữ liệu: {manifest['database']['engine']}; "
            f"{report.file_count} tệp; mã hóa: {'có' if report.encrypted else 'không'}."
        )
        secret = manifest["secret_key"]
        if secret["source"] == "env" and not secret["included"]:
            self.stdout.write(
                "  Lưu ý: SECRET_KEY lấy từ biến môi trường nên KHÔNG có trong bản sao lưu; "
                "hãy cất giữ riêng (hoặc dùng --include-env-secret)."
            )
        if not manifest["media"]["included"]:
            self.stdout.write(
                "  Lưu ý: tài liệu nằm trong kho đối tượng (S3), không có trong bản sao lưu."
            )
        if not report.encrypted:
            self.stdout.write(
                "  Lưu ý: bản sao lưu chứa dữ liệu cá nhân và KHÔNG được mã hóa; chỉ cất ở nơi "
                "an toàn (Nghị định 13/2023/NĐ-CP)."
            )
