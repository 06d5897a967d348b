"""``motcua portal-purge``: delete expired drafts (and their parked uploads) and sign-in codes.

Run it daily from cron or a systemd timer: a draft is kept 30 days after its last save
(NĐ 13/2023/NĐ-CP: personal data no longer than its purpose needs).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from motcua.portal import services, submission


class Command(BaseCommand):
    help = "Xóa hồ sơ nháp và mã đăng nhập đã hết hạn của cổng công dân."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        with transaction.atomic():
            codes = services.purge_expired(now=now)
            drafts = submission.purge_expired(now=now)
        self.stdout.write(f"Đã xóa {drafts} hồ sơ nháp và {codes} mã đăng nhập hết hạn.")
