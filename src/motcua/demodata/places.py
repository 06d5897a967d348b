"""The administrative map: the province's communes and wards (``vietnam-provinces``) and their centers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.centers.models import Center
from motcua.demodata.people import ensure_staff, lower_first

DEMO_AGENCY_CODE = "000.00.25.H45"  # the center of ``motcua demo-center``
DEMO_PROVINCE = 25  # Phú Thọ: 148 communes and wards on the 2025 map
DEMO_WARD = 8110  # Xã Hiền Lương
SMALL_NEIGHBOURS = 5

# The administrative map


@dataclass(frozen=True)
class Commune:
    code: int  # GSO code of the commune, ward or special zone
    name: str  # "Xã Hiền Lương"
    province_code: int
    province: str  # "Tỉnh Phú Thọ"

    @property
    def agency_code(self) -> str:
        if self.province_code == DEMO_PROVINCE and self.code == DEMO_WARD:
            return DEMO_AGENCY_CODE
        return f"000.00.{self.code:05d}.H{self.province_code:02d}"


class MapError(ValueError):
    """A province code the map does not have."""


def province_name(province_code: int) -> str:
    """The display name of a province of the 2025 map: "Tỉnh Phú Thọ", "Thành phố Hà Nội"."""
    from vietnam_provinces import Province, ProvinceCode

    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        raise MapError(
            _("Không có tỉnh, thành phố mã %(code)s.") % {"code": province_code}
        ) from None
    if province.name.startswith("Thành phố"):
        return province.name
    return f"Tỉnh {province.name}"


def communes(province_code: int = DEMO_PROVINCE) -> list[Commune]:
    """Every commune, ward and special zone of the province, by GSO code."""
    from vietnam_provinces import ProvinceCode, Ward

    province = province_name(province_code)
    wards = sorted(Ward.iter_by_province(ProvinceCode(province_code)), key=lambda w: int(w.code))
    return [Commune(int(w.code), w.name, province_code, province) for w in wards]


def small_communes() -> list[Commune]:
    """The README set: Xã Hiền Lương and its nearest neighbours by code (the same old district)."""
    every = communes(DEMO_PROVINCE)
    demo = next(c for c in every if c.code == DEMO_WARD)
    others = sorted(
        (c for c in every if c is not demo), key=lambda c: (abs(c.code - DEMO_WARD), c.code)
    )
    return [demo, *sorted(others[:SMALL_NEIGHBOURS], key=lambda c: c.code)]


def ensure_centers(selected: list[Commune]) -> list[Center]:
    """One center per commune, created if missing (an existing center is left as it is)."""
    centers = []
    for commune in selected:
        center, _created = Center.objects.get_or_create(
            agency_code=commune.agency_code,
            defaults={
                "name": f"Trung tâm Phục vụ hành chính công {lower_first(commune.name)}",
                "commune": commune.name,
                "province": commune.province,
                "address": f"Trụ sở UBND {lower_first(commune.name)}, "
                f"{lower_first(commune.province)}",
            },
        )
        ensure_staff(center)
        centers.append(center)
    return centers
