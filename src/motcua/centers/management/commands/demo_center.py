"""``motcua demo-center``: one demo center with units per field and demo officers, idempotently."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.catalog.models import Sector
from motcua.centers.models import Center, StaffMembership, Unit
from motcua.core.demo import DEMO_PASSWORD, require_demo_installation
from motcua.dossiers.states import Role

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
# Demo officers: (username, first name, last name, role, unit code). For trying the back office
# only: a real center creates its own accounts in the admin. They share the published
# DEMO_PASSWORD, so the command runs only on a demo installation (MOTCUA_DEMO).
DEMO_OFFICERS = [
    ("tiepnhan", "Lan", "Trần Thị", Role.RECEPTION, None),
    ("hotich", "Minh", "Nguyễn Văn", Role.SPECIALIST, "tu-phap-ho-tich"),
    ("lanhdao", "Hùng", "Phạm Quốc", Role.LEADER, None),
    # The center's own administrator: the admin pages scoped to this center only.
    ("quantrixa", "Hoa", "Vũ Thị", Role.CENTER_ADMIN, None),
]


class Command(BaseCommand):
    help = "Tạo trung tâm dùng thử (xã Hiền Lương, tỉnh Phú Thọ) và các đơn vị xử lý."

    def handle(self, *args, **options) -> None:
        require_demo_installation()
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
            officers = [self._officer(center, *row) for row in DEMO_OFFICERS]
            officers.append(self._provincial_viewer(center.province))
        self.stdout.write(f"Trung tâm dùng thử {'đã tạo' if created else 'đã có'}: {center.name}")
        self.stdout.write("Tài khoản cán bộ dùng thử (đăng nhập tại /can-bo/dang-nhap/):")
        for username, membership in officers:
            unit_name = f", {membership.unit.name}" if membership.unit else ""
            self.stdout.write(
                f"  {username} / {DEMO_PASSWORD}: {membership.get_role_display()}{unit_name}"
            )

    def _provincial_viewer(self, province: str):
        """``tinh``: a provincial officer who reads the province's dashboard and ranking."""
        from motcua.backoffice.services import sync_role_groups

        user, created = get_user_model().objects.get_or_create(
            username="tinh", defaults={"first_name": "Hạnh", "last_name": "Đỗ Thị"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        membership, _ = StaffMembership.objects.update_or_create(
            user=user,
            defaults={
                "center": None,
                "province": province,
                "role": Role.PROVINCIAL_VIEWER,
                "unit": None,
                "is_active": True,
            },
        )
        sync_role_groups(user)
        return "tinh", membership

    def _officer(self, center, username, first_name, last_name, role, unit_code):
        from motcua.backoffice.services import sync_role_groups

        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        unit = center.units.get(code=unit_code) if unit_code else None
        membership, _ = StaffMembership.objects.update_or_create(
            user=user, defaults={"center": center, "role": role, "unit": unit, "is_active": True}
        )
        sync_role_groups(user)
        return username, membership
