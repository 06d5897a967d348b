"""``motcua demo-accounts``: the demo login of the embedded default, created idempotently."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.core.demo import DEMO_PASSWORD, require_demo_installation

DEMO_USERNAME = "quantri"


class Command(BaseCommand):
    help = "Tạo tài khoản quản trị dùng thử (chỉ dùng cho bản cài thử, không dùng khi triển khai)."

    def handle(self, *args, **options) -> None:
        require_demo_installation()
        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=DEMO_USERNAME,
                defaults={"is_staff": True, "is_superuser": True, "first_name": "Quản trị"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        state = "đã tạo" if created else "đã có"
        self.stdout.write(
            f"Tài khoản quản trị dùng thử {state}: {DEMO_USERNAME} / {DEMO_PASSWORD} "
            "(đổi mật khẩu hoặc xóa trước khi dùng thật)."
        )
