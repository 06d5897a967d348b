"""The backup passphrase: from a named environment variable or typed at a prompt, never on the
command line (where ``ps`` and the shell history would show it)."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import CommandError, CommandParser

MIN_LENGTH = 12


def add_passphrase_arguments(parser: CommandParser, *, confirm: bool) -> None:
    what = "Mã hóa" if confirm else "Giải mã"
    parser.add_argument(
        "--passphrase-env",
        default="",
        metavar="TÊN_BIẾN",
        help=f"{what} bằng mật khẩu đặt trong biến môi trường này, ví dụ MOTCUA_BACKUP_PASSPHRASE.",
    )
    parser.add_argument(
        "--ask-passphrase",
        action="store_true",
        help=f"{what} bằng mật khẩu nhập từ bàn phím.",
    )


def read_passphrase(options: dict, *, confirm: bool) -> bytes | None:
    name = options.get("passphrase_env") or ""
    if name and options.get("ask_passphrase"):
        raise CommandError("Chọn một trong --passphrase-env hoặc --ask-passphrase.")
    if name:
        value = os.environ.get(name, "")
        if not value:
            raise CommandError(f"Biến môi trường {name} chưa đặt hoặc trống.")
    elif options.get("ask_passphrase"):
        try:
            value = getpass.getpass("Mật khẩu bản sao lưu: ")
            if confirm and getpass.getpass("Nhập lại mật khẩu: ") != value:
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Chưa nhập mật khẩu.") from None
    else:
        return None
    if confirm and len(value) < MIN_LENGTH:
        raise CommandError(f"Mật khẩu mã hóa phải có ít nhất {MIN_LENGTH} ký tự.")
    return value.encode()
