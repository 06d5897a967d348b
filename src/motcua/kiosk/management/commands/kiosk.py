"""``motcua kiosk code NAME [--center AGENCY_CODE]``: register a kiosk and print a one-time
activation code (what the admin action does, for set-up scripts and technicians)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from motcua.centers.models import Center
from motcua.kiosk.models import KioskDevice


class Command(BaseCommand):
    help = "Đăng ký kiosk cho trung tâm và in mã kích hoạt dùng một lần."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        code = sub.add_parser("code", help="Tạo (nếu chưa có) kiosk và in mã kích hoạt.")
        code.add_argument("name", help="Tên kiosk, ví dụ “Kiosk sảnh 1”")
        code.add_argument("--center", help="Mã định danh trung tâm (mặc định: trung tâm duy nhất)")

    def handle(self, *args, action: str, name: str, center: str | None, **options) -> None:
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise CommandError("Tên kiosk phải có từ 1 đến 100 ký tự.")
        centers = Center.objects.filter(is_active=True)
        if center:
            centers = centers.filter(agency_code=center)
        found = list(centers[:2])
        if not found:
            raise CommandError(
                "Không tìm thấy trung tâm. Tạo trung tâm trong trang quản trị trước."
            )
        if len(found) > 1:
            raise CommandError("Có nhiều trung tâm: chỉ rõ --center MÃ_ĐỊNH_DANH.")
        now = timezone.now()
        with transaction.atomic():
            device, _ = KioskDevice.objects.get_or_create(center=found[0], name=name)
            code = device.new_activation_code(now=now)
            device.save()
        until = timezone.localtime(device.activation_expires_at).strftime("%H:%M")
        self.stdout.write(
            f"Kiosk “{device.name}” ({device.center.name}): mở /kiosk/kich-hoat/ trên máy kiosk "
            f"và nhập mã {code} trước {until}."
        )
