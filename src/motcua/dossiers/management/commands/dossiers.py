"""``motcua dossiers export --output FILE|- …`` and ``motcua dossiers import FILE|- [--dry-run]``.

The format is described in docs/exchange.md. An export holds the applicants' personal data
(NĐ 13/2023/NĐ-CP): it is written only where the administrator names it, a file readable by its
owner only, and this command prints counts, never contents.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from motcua.centers.models import Center
from motcua.core.dates import command_day
from motcua.dossiers import exchange

MAX_SHOWN_PROBLEMS = 50


def _day(value: str | None, flag: str) -> date | None:
    return None if value is None else command_day(value, flag)


class Command(BaseCommand):
    help = (
        "Xuất, nhập lịch sử hồ sơ theo định dạng JSON Lines đồng bộ Cổng Dịch vụ công quốc gia "
        "(docs/exchange.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser(
            "export",
            help="Xuất hồ sơ (mỗi dòng một hồ sơ, có dữ liệu cá nhân của người nộp).",
        )
        exp.add_argument(
            "--output",
            required=True,
            help="Tệp ghi ra, hoặc - để in ra màn hình. Bắt buộc: tệp chứa dữ liệu cá nhân.",
        )
        exp.add_argument("--center", default="", help="Mã định danh cơ quan của trung tâm.")
        exp.add_argument("--from", dest="date_from", help="Tiếp nhận từ ngày.")
        exp.add_argument("--to", dest="date_to", help="Tiếp nhận đến hết ngày.")
        imp = sub.add_parser(
            "import", help="Nhập hồ sơ; kiểm tra toàn bộ tệp trước, có lỗi thì không ghi gì."
        )
        imp.add_argument("file", help="Tệp JSON Lines, hoặc - để đọc từ đầu vào chuẩn.")
        imp.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi vào cơ sở dữ liệu."
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "export":
            self._export(options)
        else:
            self._import(options["file"], dry_run=options["dry_run"])

    def _export(self, options) -> None:
        center = options["center"]
        date_from = _day(options["date_from"], "--from")
        date_to = _day(options["date_to"], "--to")
        if center and not Center.objects.filter(agency_code=center).exists():
            raise CommandError(f"Không có trung tâm mã {center}.")
        if date_from and date_to and date_to < date_from:
            raise CommandError("Ngày kết thúc phải không trước ngày bắt đầu.")
        filters = {"center": center, "date_from": date_from, "date_to": date_to}
        output = options["output"]
        if output == "-":
            count = exchange.export_dossiers(self.stdout, **filters)
            self.stderr.write(f"Đã xuất {count} hồ sơ.")
            return
        path = Path(output)
        # Written beside the target and renamed: a failed export leaves no half file, and the
        # file is created readable by its owner only since it holds personal data.
        try:
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dossiers-")
        except OSError as exc:
            raise CommandError(
                f"Không ghi được vào thư mục của {path}: {exchange.os_error_message(exc)}"
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                count = exchange.export_dossiers(handle, **filters)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Đã xuất {count} hồ sơ ra {path}.")

    def _import(self, name: str, *, dry_run: bool) -> None:
        if name == "-":
            # The file is read twice (check, then write): standard input is kept aside first.
            with tempfile.NamedTemporaryFile(prefix="motcua-import-", suffix=".jsonl") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool)
                spool.flush()
                self._import_path(Path(spool.name), "-", dry_run=dry_run)
            return
        self._import_path(Path(name), name, dry_run=dry_run)

    def _import_path(self, path: Path, shown: str, *, dry_run: bool) -> None:
        try:
            plan = exchange.validate_import(path)
            if dry_run:
                self.stdout.write(
                    f"Tệp hợp lệ: {plan.dossiers} hồ sơ, {plan.events} sự kiện, "
                    f"{plan.documents} thành phần. Chạy thử: không ghi gì."
                )
                return
            with transaction.atomic():
                result = exchange.apply_import(plan)
        except exchange.DossierFileError as exc:
            for problem in exc.problems[:MAX_SHOWN_PROBLEMS]:
                self.stderr.write(f"{shown}: {problem}")
            if exc.total > MAX_SHOWN_PROBLEMS:
                self.stderr.write(f"... và {exc.total - MAX_SHOWN_PROBLEMS} lỗi khác")
            raise CommandError("Tệp không được nhập; cơ sở dữ liệu không thay đổi.") from None
        self.stdout.write(
            f"Đã nhập {result.dossiers} hồ sơ, {result.events} sự kiện, {result.documents} "
            f"thành phần ({result.reused} dùng lại từ kho dữ liệu)."
        )
