"""``motcua kpi --from 2025-07-01 --to 2025-11-12 [--center CODE] [--json]``: the KPI set."""

from __future__ import annotations

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.core.dates import command_day
from motcua.reports.kpi import KpiError, Slice, compute
from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent


def _check_slice(options: dict) -> None:
    """An unknown center, province, sector, procedure or officer is an error, not zeros."""
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure, Sector
    from motcua.centers.models import Center

    checks = [
        ("center", Center.objects.filter(agency_code=options["center"]), "trung tâm có mã"),
        ("province", Center.objects.filter(province=options["province"]), "tỉnh"),
        ("sector", Sector.objects.filter(code=options["sector"]), "lĩnh vực có mã"),
        ("procedure", Procedure.objects.filter(code=options["procedure"]), "thủ tục có mã"),
        (
            "officer",
            get_user_model().objects.filter(username=options["officer"]),
            "cán bộ có tên đăng nhập",
        ),
    ]
    for key, rows, what in checks:
        if options[key] and not rows.exists():
            raise CommandError(f"Không tìm thấy {what} “{options[key]}”.")


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
        date_from = command_day(options["date_from"], "--from")
        date_to = command_day(options["date_to"], "--to")
        for key in ("center", "province", "sector", "procedure", "officer"):
            options[key] = unicodedata.normalize("NFC", options[key]).strip()
        _check_slice(options)
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
            ("online", "  trực tuyến"),
            ("resolved", "Đã giải quyết"),
            ("resolved_early", "  trước hạn"),
            ("resolved_on_time", "  đúng hạn"),
            ("resolved_late", "  trễ hạn"),
            ("in_progress_within_time", "Đang xử lý trong hạn"),
            ("in_progress_overdue", "Đang xử lý quá hạn"),
            ("refused", "Từ chối"),
            ("stopped", "Dừng xử lý"),
            ("withdrawn", "Rút hồ sơ"),
            ("fee_bearing", "Hồ sơ có phí, lệ phí"),
            ("paid_online", "  thanh toán trực tuyến"),
        ]
        self.stdout.write(f"Kỳ báo cáo {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}")
        for key, label in labels:
            self.stdout.write(f"{label}: {vi_number(data[key])}")
        self.stdout.write(
            "Thời gian xử lý trung bình (ngày làm việc): "
            f"{vi_number(data['average_processing_days'], 2)}"
        )
        for index in data["indices"].values():
            extra = f" ({index['note']})" if index["note"] else ""
            self.stdout.write(
                f"{index['code']} {index['name']}: {vi_percent(index['rate'])}{extra}"
            )
        score = data["score"]
        if score is None:
            return
        for group in score["groups"]:
            self.stdout.write(
                f"Nhóm {group['code']} {group['name']}: {vi_number(group['points'], 2)}/"
                f"{vi_number(group['max_points'], 2)} điểm"
            )
        self.stdout.write(
            f"Tổng điểm: {vi_number(score['total'], 2)}/100 ({vi_number(score['points'], 2)}/"
            f"{vi_number(score['max_points'], 2)} điểm đo được)"
        )
