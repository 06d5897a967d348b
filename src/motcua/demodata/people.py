"""Invented people: officers for each generated center, citizens with plausible names and numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from motcua.catalog.models import Sector
from motcua.centers.models import Center, StaffMembership, Unit
from motcua.dossiers.services import Applicant
from motcua.dossiers.states import (
    Role,
    Sex,
)

# Where people born in the province were registered at birth (the first 3 digits of the
# personal number, domain.md §2.4): mostly the province itself, else anywhere.
OLD_PROVINCE_CODES = (  # noqa: SIM905 (a table of codes reads better as text)
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
).split()
FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Phan", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hà", 2),
    ("Đinh", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Đào", 1),
    ("Trịnh", 1),
    ("Lương", 1),
    ("Cao", 1),
)
MIDDLE_NAMES = {
    Sex.MALE: ("Văn", "Văn", "Đức", "Quang", "Minh", "Hữu", "Công", "Xuân", "Ngọc", "Tiến"),
    Sex.FEMALE: ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Bích"),
}
GIVEN_NAMES = {
    Sex.MALE: (  # noqa: SIM905
        "Anh Bình Cường Dũng Đạt Đức Hải Hiếu Hoàng Hùng Huy Khánh Kiên Long Minh Nam "
        "Phong Phúc Quân Sơn Thắng Thành Trung Tuấn Tùng Việt Vinh Hưng Lâm Toàn"
    ).split(),
    Sex.FEMALE: (  # noqa: SIM905
        "Anh Chi Dung Giang Hà Hằng Hạnh Hoa Hồng Huyền Hương Lan Linh Loan Mai My Nga "
        "Ngân Ngọc Nhung Oanh Phương Quỳnh Thảo Thủy Trang Uyên Vân Yến Hiền"
    ).split(),
}
MOBILE_PREFIXES = (  # noqa: SIM905 (a table of codes reads better as text)
    "032 033 034 035 036 037 038 039 056 058 070 076 077 078 079 081 082 083 084 085 086 088 "
    "089 090 091 093 094 096 097 098 099"
).split()


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# Staff

# (suffix, role, unit code): the officers each generated center gets. Two at the tư pháp – hộ
# tịch desk, where most of a commune's dossiers go.
STAFF_PLAN = (
    ("tiepnhan1", Role.RECEPTION, None),
    ("tiepnhan2", Role.RECEPTION, None),
    ("hotich1", Role.SPECIALIST, "tu-phap-ho-tich"),
    ("hotich2", Role.SPECIALIST, "tu-phap-ho-tich"),
    ("congan", Role.SPECIALIST, "cong-an-xa"),
    ("kinhte", Role.SPECIALIST, "kinh-te"),
    ("vanhoa", Role.SPECIALIST, "van-hoa-xa-hoi"),
    ("quansu", Role.SPECIALIST, "quan-su"),
    ("chutich", Role.LEADER, None),
    ("phochutich", Role.LEADER, None),
)


def ensure_staff(center: Center) -> None:
    """Units by field as ``motcua demo-center`` makes them, and officers with unusable passwords.

    The generated officers exist so that "by officer" reports have people to show; nobody can
    sign in with them (``make_password(None)``).
    """
    from motcua.backoffice.services import ensure_role_groups
    from motcua.centers.management.commands.demo_center import UNITS

    units = {u.code: u for u in center.units.all()}
    sectors = {s.name: s for s in Sector.objects.all()}
    for code, (name, sector_names) in UNITS.items():
        if code not in units:
            units[code] = Unit.objects.create(center=center, code=code, name=name)
            units[code].sectors.add(*(sectors[n] for n in sector_names if n in sectors))
    User = get_user_model()
    usernames = [f"{center.agency_code}.{suffix}" for suffix, _role, _unit in STAFF_PLAN]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    missing = [row for row in STAFF_PLAN if f"{center.agency_code}.{row[0]}" not in existing]
    if not missing:
        return
    groups = ensure_role_groups()
    for suffix, role, unit_code in missing:
        username = f"{center.agency_code}.{suffix}"
        rng = random.Random(username)
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        family, middle, given = _name_parts(rng, sex)
        user = User.objects.create(
            username=username,
            first_name=given,
            last_name=f"{family} {middle}",
            password=make_password(None),
        )
        StaffMembership.objects.create(
            user=user, center=center, role=role, unit=units.get(unit_code) if unit_code else None
        )
        user.groups.add(groups[role])


@dataclass
class Staff:
    """The actors of one center, as ``user:<id>`` strings, by role and unit."""

    reception: list[str]
    leaders: list[str]
    specialists: list[tuple[int, int | None]]  # (user id, unit id)

    def specialist_for(self, unit_id: int | None, rng: random.Random) -> int:
        own = [user for user, unit in self.specialists if unit == unit_id]
        return rng.choice(own or [user for user, _unit in self.specialists])


def load_staff(center: Center) -> Staff:
    memberships = list(
        StaffMembership.objects.filter(center=center, is_active=True, user__is_active=True)
        .order_by("user__username")
        .values_list("user_id", "role", "unit_id")
    )
    staff = Staff(
        reception=[f"user:{u}" for u, role, _ in memberships if role == Role.RECEPTION],
        leaders=[f"user:{u}" for u, role, _ in memberships if role == Role.LEADER],
        specialists=[(u, unit) for u, role, unit in memberships if role == Role.SPECIALIST],
    )
    if not (staff.reception and staff.leaders and staff.specialists):
        ensure_staff(center)
        return load_staff(center)
    return staff


# Fake people


def _name_parts(rng: random.Random, sex: Sex) -> tuple[str, str, str]:
    family = rng.choices([n for n, _w in FAMILY_NAMES], [w for _n, w in FAMILY_NAMES])[0]
    return family, rng.choice(MIDDLE_NAMES[sex]), rng.choice(GIVEN_NAMES[sex])


def fake_applicant(
    rng: random.Random, province_code: int, commune: str, province: str
) -> Applicant:
    """A well-formed but invented person: 12-digit number ``PPP G YY RRRRRR`` (domain.md §2.4)."""
    sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
    family, middle, given = _name_parts(rng, sex)
    year = rng.randint(1950, 2007)
    birth = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if rng.random() < 0.75:
        birth_province = f"{province_code:03d}"
    else:
        birth_province = rng.choice(OLD_PROVINCE_CODES)
    # Century and sex: 1900s male 0 / female 1, 2000s male 2 / female 3.
    century_sex = (0 if year < 2000 else 2) + (1 if sex == Sex.FEMALE else 0)
    id_number = f"{birth_province}{century_sex}{year % 100:02d}{rng.randrange(10**6):06d}"
    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    hamlet = (
        f"Tổ dân phố {rng.randint(1, 25)}"
        if commune.startswith("Phường")
        else f"Thôn {rng.randint(1, 18)}"
    )
    return Applicant(
        name=f"{family} {middle} {given}",
        id_number=id_number,
        birth_date=birth,
        sex=sex,
        address=f"{hamlet}, {lower_first(commune)}, {lower_first(province)}",
        phone=phone,
    )
