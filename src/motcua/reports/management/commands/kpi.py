"""``motcua kpi --from 2025-07-01 --to 2025-11-12 [--center CODE] [--json]``: the KPI set."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.reports.kpi import KpiError, Slice, compute


def _date(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"Ngày {flag} không hợp lệ: “{value}”. Ghi theo dạng NNNN-TT-NN, ví dụ 2025-07-01."
        ) from None


class Command(BaseCommand):
    help = "Tính các chỉ số tiếp nhận, giải quyết hồ sơ và chỉ số QĐ 766/QĐ-TTg cho một kỳ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="Ngày đầu kỳ.")
        parser.add_argument("--to", dest="date_to", required=True, help="Ngày cuối kỳ.")
        parser.add_argument("--center", default="", help="Mã định danh trung tâm.")
        parser.add_argument("--province", default="", help="Tên tỉnh, ví dụ “Tỉnh Phú Thọ”.")
        parser.add_argument("--sector", default="", help="Mã lĩnh vực.")
        parser.add_argument("--procedure", default="", help="Mã thủ tục, ví dụ 1.001193.")
        parser.add_argument("--channel", default="", help="kiosk, counter, online hoặc postal.")
        parser.add_argument("--officer", default="", help="Tên đăng nhập của cán bộ xử lý.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options) -> None:
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if options["center"]:
            from motcua.centers.models import Center

            if not Center.objects.filter(agency_code=options["center"]).exists():
                raise CommandError(f"Không tìm thấy trung tâm có mã “{options['center']}”.")
        try:
            part = Slice(
                center=options["center"],
                province=options["province"],
                sector=options["sector"],
                procedure=options["procedure"],
                channel=options["channel"],
                officer=options["officer"],
            )
            report = compute(date_from, date_to, slice=part, now=timezone.now())
        except KpiError as exc:
            raise CommandError(str(exc)) from None
        data = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        labels = [
            ("received", "Tiếp nhận"),
            ("resolved", "Đã giải quyết"),
            ("resolved_early", "  trước hạn"),
            ("resolved_on_time", "  đúng hạn"),
            ("resolved_late", "  trễ hạn"),
            ("in_progress_within_time", "Đang xử lý trong hạn"),
            ("in_progress_overdue", "Đang xử lý quá hạn"),
            ("refused", "Từ chối"),
            ("stopped", "Dừng xử lý"),
            ("withdrawn", "Rút hồ sơ"),
            ("average_processing_days", "Thời gian xử lý trung bình (ngày làm việc)"),
        ]
        self.stdout.write(f"Kỳ báo cáo {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}")
        for key, label in labels:
            value = data[key]
            self.stdout.write(f"{label}: {'—' if value is None else value}")
        for index in data["indices"].values():
            shown = "—" if index["rate"] is None else f"{index['rate']}%"
            extra = f" ({index['note']})" if index["note"] else ""
            self.stdout.write(f"{index['code']} {index['name']}: {shown}{extra}")
