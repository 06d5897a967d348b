"""``motcua id parse "TEXT" [--json]``: read a QR payload, a 12-digit number or MRZ lines.

Exit status 0 when the card reads cleanly, 1 otherwise (after printing the errors), so kiosk
set-up scripts can test a scanner with it.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from motcua.identity.parsing import CardIdentity, IdentityError, parse_identity

_LABELS = (
    ("id_number", "Số định danh"),
    ("old_id_number", "Số CMND cũ"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("address", "Nơi thường trú/cư trú"),
    ("issue_date", "Ngày cấp"),
)
_SOURCES = {"qr": "mã QR", "number": "số nhập tay", "mrz": "mã MRZ"}


class Command(BaseCommand):
    help = "Đọc thông tin thẻ căn cước từ chuỗi mã QR, số định danh 12 chữ số hoặc các dòng MRZ."
    # Pure parsing: no database, no URLs; a kiosk technician can run it on a half-set-up box.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser(
            "parse",
            help="Phân tích một chuỗi: mã QR, số định danh, hoặc 3 dòng MRZ nối bằng \\n.",
        )
        parse.add_argument("text", help="Chuỗi cần đọc (đặt trong dấu nháy).")
        parse.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, action: str, text: str, **options) -> None:
        as_json = bool(options.get("json"))
        try:
            identity = parse_identity(text)
        except IdentityError as exc:
            if as_json:
                self._write_json(
                    {
                        "ok": False,
                        "errors": [{"field": e.field, "message": e.message} for e in exc.errors],
                    }
                )
            else:
                self.stderr.write("Không đọc được thông tin thẻ:")
                for error in exc.errors:
                    self.stderr.write(f"  - {error.message}")
            raise SystemExit(1) from None
        if as_json:
            self._write_json({"ok": True, **identity.as_dict()})
        else:
            self.stdout.write(_summary(identity))

    def _write_json(self, payload: dict) -> None:
        self.stdout.write(_dumps(payload))


def _dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _summary(identity: CardIdentity) -> str:
    values = identity.as_dict()
    lines = [f"Đọc từ {_SOURCES.get(identity.source, identity.source)}:"]
    for field, label in _LABELS:
        value = values[field]
        if field in ("birth_date", "issue_date") and value:
            value = getattr(identity, field).strftime("%d/%m/%Y")
        lines.append(f"  {label}: {value if value else '(không có)'}")
    lines.append(f"  Nơi đăng ký khai sinh: {identity.province_name} ({identity.province_code})")
    return "\n".join(lines)
