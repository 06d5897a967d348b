"""Fixtures for dossier tests: a center with units, procedures with known terms, a submitter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from motcua.catalog.models import Procedure, ProcedureChannel, Sector
from motcua.centers.models import Center, Unit
from motcua.dossiers.services import Applicant, SubmittedDocument, submit_dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY = "000.00.25.H45"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_center(agency_code: str = AGENCY, commune: str = "Xã Hiền Lương") -> Center:
    return Center.objects.create(
        agency_code=agency_code,
        name=f"Trung tâm Phục vụ hành chính công {commune[0].lower()}{commune[1:]}",
        commune=commune,
        province="Tỉnh Phú Thọ",
    )


def make_procedure(
    code: str = "9.000003",
    name: str = "Thủ tục thử: đăng ký kết hôn",
    sector: str = "Hộ tịch",
    channels: list[dict] | None = None,
) -> Procedure:
    sector_obj, _ = Sector.objects.get_or_create(
        name=sector, defaults={"code": sector.lower().replace(" ", "-")}
    )
    procedure = Procedure.objects.create(code=code, name=name, sector=sector_obj)
    for row in channels if channels is not None else [{"channel": "direct", "time_value": 3}]:
        ProcedureChannel.objects.create(
            procedure=procedure,
            channel=row["channel"],
            time_value=None if row.get("time_value") is None else Decimal(row["time_value"]),
            time_unit=row.get(
                "time_unit", "working_days" if row.get("time_value") is not None else ""
            ),
            time_note=row.get("time_note", ""),
            fee_vnd=row.get("fee_vnd"),
        )
    return procedure


@pytest.fixture
def center(db) -> Center:
    center = make_center()
    unit = Unit.objects.create(
        center=center, code="tu-phap-ho-tich", name="Công chức Tư pháp – Hộ tịch"
    )
    unit.sectors.add(Sector.objects.get_or_create(name="Hộ tịch", defaults={"code": "ho-tich"})[0])
    return center


@pytest.fixture
def procedure(db) -> Procedure:
    """Direct: 3 working days, 15.000 đ; online: 3 working days, free."""
    return make_procedure(
        channels=[
            {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
            {"channel": "online", "time_value": 3, "fee_vnd": 0},
        ]
    )


APPLICANT = Applicant(
    name="Nguyễn Thị Ánh Tuyết",
    id_number="001190012345",
    address="Thôn Đồng Xuân, xã Hiền Lương, tỉnh Phú Thọ",
    phone="0912345678",
    email="tuyet@example.vn",
)

DOCUMENTS = [
    SubmittedDocument(name="Tờ khai đăng ký kết hôn", originals=1, provided_on_paper=True),
    SubmittedDocument(
        name="Giấy xác nhận tình trạng hôn nhân",
        content=b"%PDF-1.4 scanned",
        filename="xac-nhan.pdf",
        content_type="application/pdf",
    ),
]


def submit(center, procedure, *, key="k-1", now=None, channel="kiosk", actor="kiosk:3", **kwargs):
    params = {
        "center": center,
        "procedure": procedure,
        "applicant": APPLICANT,
        "form_data": {"ho_ten": APPLICANT.name},
        "form_version": 1,
        "documents": DOCUMENTS,
        "channel": channel,
        "actor": actor,
        "idempotency_key": key,
        "now": now or vn(2025, 7, 7, 9, 5),
    }
    params.update(kwargs)
    with transaction.atomic():
        return submit_dossier(**params)


def submit_received(center, procedure, *, key="k-1", now=None, channel="kiosk", **kwargs):
    """``submit``, then reception's check of a registration (an online dossier): the dossier
    is received, as the KPI tests mean it (docs/decisions/0007)."""
    from datetime import timedelta

    from tests.dossiers.test_actions import act

    dossier, created = submit(center, procedure, key=key, now=now, channel=channel, **kwargs)
    if created and dossier.status == "submitted":
        act(dossier, "accept", "reception", at=dossier.received_at + timedelta(minutes=1))
        dossier.refresh_from_db()
    return dossier, created
