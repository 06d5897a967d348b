"""``motcua pki demo`` and ``motcua pki register``: certificates for signing results.

``demo`` makes a local CA and a .p12 per demo leader (idempotent; ``--force`` starts over) and,
with ``--user``, declares them for existing accounts. ``register`` declares any .p12, e.g. one
issued by a licensed trust service provider.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.signing import pki
from motcua.signing.services import SigningError, register_certificate


class Command(BaseCommand):
    help = "Chứng thư số để lãnh đạo ký kết quả: tạo bộ dùng thử, khai báo chứng thư."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser(
            "demo",
            help="Tạo CA dùng thử và chứng thư .p12 cho lãnh đạo dùng thử (KHÔNG DÙNG THẬT).",
        )
        demo.add_argument("--dir", type=Path, default=None, help="Thư mục (mặc định var/pki).")
        demo.add_argument("--force", action="store_true", help="Tạo lại toàn bộ, kể cả CA.")
        demo.add_argument(
            "--organisation", default=pki.DEMO_ORGANISATION, help="Tên cơ quan (O) trên chứng thư."
        )
        demo.add_argument(
            "--user",
            action="append",
            default=[],
            metavar="TÊN_ĐĂNG_NHẬP",
            help="Gán chứng thư lãnh đạo dùng thử cho tài khoản (lặp lại theo thứ tự lãnh đạo).",
        )
        register = sub.add_parser("register", help="Khai báo tệp .p12 cho một tài khoản lãnh đạo.")
        register.add_argument("--user", required=True, metavar="TÊN_ĐĂNG_NHẬP")
        register.add_argument(
            "--p12", required=True, help="Đường dẫn tệp .p12 (ngoài thư mục công khai)."
        )
        register.add_argument("--label", default="")
        register.add_argument(
            "--passphrase-env",
            default="",
            help=f"Biến môi trường chứa mật khẩu (mặc định {pki.PASSPHRASE_ENV} hoặc var/pki/passphrase).",
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "demo":
            self._demo(options)
        else:
            self._register(
                options["user"], options["p12"], options["label"], options["passphrase_env"]
            )

    def _demo(self, options: dict) -> None:
        directory = (options["dir"] or pki.pki_dir()).resolve()
        try:
            result = pki.create_demo_pki(
                directory,
                now=timezone.now(),
                force=options["force"],
                organisation=options["organisation"],
            )
        except pki.PkiError as exc:
            raise CommandError(exc.message) from None
        state = "đã tạo" if result.ca_created else "đã có"
        self.stdout.write(f"CA dùng thử ({state}): {result.ca_path}")
        self.stdout.write(f"  “{pki.DEMO_CA_NAME}” – chỉ để chạy thử, không dùng cho văn bản thật.")
        for leader, path, created in result.leaders:
            state = "đã tạo" if created else "đã có"
            self.stdout.write(f"Chứng thư {leader.name} ({leader.title}, {state}): {path}")
        self.stdout.write(f"Mật khẩu các tệp .p12: {result.passphrase_source}.")
        self.stdout.write(
            "Tin cậy CA này khi kiểm tra chữ ký: mặc định đã dùng "
            f"{result.ca_path} (hoặc đặt MOTCUA_PKI_TRUST_ROOTS)."
        )
        users = options["user"]
        if users and directory != pki.pki_dir().resolve():
            # Signing reads the passphrase file of the configured directory, not of --dir.
            raise CommandError(
                "Để gán chứng thư cho tài khoản, đặt MOTCUA_PKI_DIR thay cho --dir "
                f"(thư mục đang cấu hình: {pki.pki_dir()})."
            )
        if len(users) > len(result.leaders):
            raise CommandError(f"Chỉ có {len(result.leaders)} lãnh đạo dùng thử để gán.")
        for username, (leader, path, _created) in zip(users, result.leaders, strict=False):
            self._register(
                username, str(path.relative_to(directory)), f"{leader.name} (dùng thử)", ""
            )

    def _register(self, username: str, p12: str, label: str, passphrase_env: str) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        try:
            with transaction.atomic():
                certificate, created = register_certificate(
                    user=user, p12_path=p12, label=label, passphrase_env=passphrase_env
                )
        except SigningError as exc:
            raise CommandError(exc.message) from None
        state = "đã khai báo" if created else "đã cập nhật"
        self.stdout.write(
            f"Chứng thư “{certificate.label}” {state} cho {username} "
            f"(số hiệu {certificate.serial}, hiệu lực đến {certificate.not_after:%d/%m/%Y})."
        )
