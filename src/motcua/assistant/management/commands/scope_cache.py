"""``motcua scope-cache``: embed the other-body check's examples into its shipped cache."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from motcua.assistant import scope


class Command(BaseCommand):
    help = "Nhúng các câu ví dụ của phép kiểm tra cơ quan khác (scope.py) vào tệp đệm đi kèm."

    def handle(self, *args, **options) -> None:
        from motcua.search.finder import build_finder

        count = scope.build_cache(build_finder(use_database=False))
        self.stdout.write(f"{scope.CACHE_FILE}: {count} ví dụ")
