"""``motcua catalog load | import FILE | export FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from motcua.catalog import services


class Command(BaseCommand):
    help = "Nạp, nhập hoặc xuất danh mục thủ tục hành chính (định dạng JSON motcua.catalog)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp danh mục quốc gia đi kèm gói (chạy lại nhiều lần được).")
        imp = sub.add_parser("import", help="Nhập danh mục từ tệp JSON; lỗi thì không thay đổi gì.")
        imp.add_argument("file", type=Path)
        exp = sub.add_parser("export", help="Xuất toàn bộ danh mục ra tệp JSON.")
        exp.add_argument("file", type=Path)

    def handle(self, *args, action: str, **options) -> None:
        if action == "export":
            path: Path = options["file"]
            text = services.export_catalog_text()
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Không ghi được tệp {path}: {exc.strerror}") from None
            count = text.count("\n") - 1
            self.stdout.write(f"Đã xuất {count} thủ tục ra {path}")
            return
        path = services.bundled_catalog_path() if action == "load" else options["file"]
        try:
            catalog = services.read_catalog_file(path)
        except services.CatalogFileError as exc:
            for problem in exc.problems[:50]:
                self.stderr.write(f"{path}: {problem}")
            if len(exc.problems) > 50:
                self.stderr.write(f"... và {len(exc.problems) - 50} lỗi khác")
            raise CommandError("Tệp không hợp lệ; danh mục không thay đổi.") from None
        with transaction.atomic():
            report = services.import_catalog(catalog)
        self.stdout.write(
            f"Danh mục: {report.total} thủ tục ({report.created} mới, "
            f"{report.updated} cập nhật, {report.unchanged} không đổi)."
        )
