"""``motcua demo-center``: one demo center with units per field, created idempotently."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.catalog.models import Sector
from motcua.centers.models import Center, Unit

DEMO_AGENCY_CODE = "000.00.25.H45"
UNITS = {
    "tu-phap-ho-tich": (
        "Công chức Tư pháp – Hộ tịch",
        ["Hộ tịch", "Chứng thực", "Nuôi con nuôi", "Hòa giải ở cơ sở"],
    ),
    "cong-an-xa": (
        "Công an xã",
        [
            "Đăng ký, quản lý cư trú",
            "Cấp, quản lý căn cước",
            "Quản lý xuất nhập cảnh",
            "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng",
        ],
    ),
    "kinh-te": (
        "Phòng Kinh tế",
        [
            "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
            "Đất đai",
            "Tài chính đất đai",
            "Hoạt động xây dựng",
            "Nhà ở và công sở",
        ],
    ),
    "van-hoa-xa-hoi": (
        "Phòng Văn hóa – Xã hội",
        [
            "Bảo trợ xã hội",
            "Giảm nghèo",
            "Thực hiện chính sách BHXH",
            "Chi trả các chế độ BHXH",
            "Thực hiện chính sách BHYT",
        ],
    ),
    "quan-su": ("Ban Chỉ huy quân sự xã", ["Nghĩa vụ quân sự"]),
}


class Command(BaseCommand):
    help = "Tạo trung tâm dùng thử (xã Hiền Lương, tỉnh Phú Thọ) và các đơn vị xử lý."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            center, created = Center.objects.get_or_create(
                agency_code=DEMO_AGENCY_CODE,
                defaults={
                    "name": "Trung tâm Phục vụ hành chính công xã Hiền Lương",
                    "commune": "Xã Hiền Lương",
                    "province": "Tỉnh Phú Thọ",
                    "address": "Trụ sở UBND xã Hiền Lương, tỉnh Phú Thọ",
                },
            )
            for code, (name, sector_names) in UNITS.items():
                unit, _ = Unit.objects.get_or_create(
                    center=center, code=code, defaults={"name": name}
                )
                unit.sectors.add(*Sector.objects.filter(name__in=sector_names))
        self.stdout.write(f"Trung tâm dùng thử {'đã tạo' if created else 'đã có'}: {center.name}")
