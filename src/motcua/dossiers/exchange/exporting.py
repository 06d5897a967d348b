"""``export_dossiers``: one line per dossier, in a stable order, so one database gives one file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from motcua.centers.models import Unit
from motcua.dossiers.exchange.format import (
    BATCH,
    DANGLING_USER_PREFIX,
    SEX_NAMES,
    UNIT_NAMES,
    USERNAME_PREFIX,
    _iso,
    all_digitized,
    summarize,
)
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.services import VIETNAM
from motcua.dossiers.states import (
    Channel,
)

if TYPE_CHECKING:
    # A file or a management command's stdout (an OutputWrapper, not a TextIO).
    from _typeshed import SupportsWrite


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _sorted(value: Any) -> Any:
    """Free-form JSON with its keys sorted at every level: PostgreSQL's jsonb reorders keys."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


@dataclass
class _Names:
    """Internal ids → portable names, loaded once per export."""

    usernames: dict[int, str]
    unit_codes: dict[int, str]

    @classmethod
    def load(cls) -> _Names:
        user_model = get_user_model()
        return cls(
            usernames=dict(user_model.objects.values_list("pk", user_model.USERNAME_FIELD)),
            unit_codes=dict(Unit.objects.values_list("pk", "code")),
        )

    def actor(self, actor: str) -> str:
        kind, _sep, rest = actor.partition(":")
        if kind == "user" and rest.isdigit():
            name = self.usernames.get(int(rest))
            # A deleted account: kept as a plain label, never as an id another database reuses.
            return (
                f"{USERNAME_PREFIX}{name}" if name is not None else f"{DANGLING_USER_PREFIX}{rest}"
            )
        return actor

    def data(self, data: dict) -> dict:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key == "citizen_document_id":
                continue  # a row of this database's store; the import links its own
            if key.endswith("_user_id") and (value is None or isinstance(value, int)):
                out[key[:-3]] = self.usernames.get(value) if value is not None else None
            elif key.endswith("_unit_id") and (value is None or isinstance(value, int)):
                out[key[:-3]] = self.unit_codes.get(value) if value is not None else None
            else:
                out[key] = value
        return _sorted(out)


def dossier_record(dossier: Dossier, names: _Names) -> dict[str, Any]:
    """One line of the exchange file (``dossier`` with its events and documents prefetched)."""
    events = list(dossier.events.all())
    documents = list(dossier.documents.all())
    summary = summarize((e.action, e.to_status, e.at, e.data or {}) for e in events)
    return {
        "MaHoSo": dossier.code,
        "MaCoQuan": dossier.center.agency_code,
        "MaTTHC": dossier.procedure.code,
        "KenhThucHien": Channel(dossier.channel).national_code,
        "HinhThucTiepNhan": dossier.channel,
        "NguoiTiepNhan": names.actor(dossier.submitted_by),
        "NhanKetQuaTai": dossier.result_delivery,
        "NgayTiepNhan": _iso(dossier.received_at),
        "NgayHenTra": _iso(dossier.due_at),
        "ThoiGianGiaiQuyet": _number(dossier.time_limit_value),
        "DonViTinh": UNIT_NAMES.get(dossier.time_limit_unit, ""),
        "DanhSachPhiLePhi": [] if dossier.fee_vnd is None else [{"Gia": dossier.fee_vnd}],
        "TrangThaiHoSo": dossier.status,
        "NgayKetThucXuLy": _iso(summary.end_at),
        "DuocThanhToanTrucTuyen": summary.online_payment,
        "HoSoCoThanhPhanSoHoa": all_digitized([d.digitized for d in documents]),
        "CoKetQuaDienTu": summary.e_result,
        "MaKetQua": None,
        "DonViXuLy": dossier.unit.code if dossier.unit else None,
        "CanBoXuLy": dossier.assignee.get_username() if dossier.assignee else None,
        "ChuHoSo": {
            "HoTen": dossier.applicant_name,
            "SoDinhDanh": dossier.applicant_id_number,
            "NgaySinh": dossier.applicant_birth_date.isoformat()
            if dossier.applicant_birth_date
            else None,
            "GioiTinh": SEX_NAMES.get(dossier.applicant_sex, ""),
            "DiaChi": dossier.applicant_address,
            "SoDienThoai": dossier.applicant_phone,
            "Email": dossier.applicant_email,
        },
        "ToKhai": {"PhienBan": dossier.form_version, "DuLieu": _sorted(dossier.form_data or {})},
        "TaiLieuNop": [
            {
                "TenGiayTo": doc.name,
                "GiayToTheoDanhMuc": doc.required_document.name if doc.required_document else None,
                "BatBuoc": doc.requirement,
                "SoBanChinh": doc.originals,
                "SoBanSao": doc.copies,
                "NopBanGiay": doc.provided_on_paper,
                "TenTepDinhKem": Path(doc.file.name).name if doc.file.name else None,
                "LoaiTep": doc.content_type,
                "DungLuong": doc.size,
                "SHA256": doc.sha256,
                "DuocSoHoa": doc.digitized,
                "ThoiDiemSoHoa": _iso(doc.digitized_at),
                "NguoiSoHoa": names.actor(doc.digitized_by) if doc.digitized_by else "",
                "DuocLayTuKhoDMQG": doc.reused_from_id is not None,
            }
            for doc in documents
        ],
        "QuaTrinhXuLy": [
            {
                "HanhDong": e.action,
                "TuTrangThai": e.from_status,
                "DenTrangThai": e.to_status,
                "ThoiDiem": _iso(e.at),
                "NguoiXuLy": names.actor(e.actor),
                "NoiDung": e.note,
                "DuLieu": names.data(e.data or {}),
            }
            for e in events
        ],
        "DanhGia": summary.rating,
    }


def export_dossiers(
    out: SupportsWrite[str],
    *,
    center: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> int:
    """Write the dossiers received at ``center`` in [date_from, date_to] (local dates), one per
    line, sorted by receipt time then code; return how many."""
    dossiers = Dossier.objects.all()
    if center:
        dossiers = dossiers.filter(center__agency_code=center)
    if date_from is not None:
        dossiers = dossiers.filter(
            received_at__gte=datetime.combine(date_from, time.min, tzinfo=VIETNAM)
        )
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VIETNAM)
        dossiers = dossiers.filter(received_at__lt=end)
    ids = list(dossiers.order_by("received_at", "code").values_list("pk", flat=True))
    names = _Names.load()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = (
            Dossier.objects.filter(pk__in=chunk)
            .select_related("center", "procedure", "unit", "assignee")
            .prefetch_related(
                Prefetch("events", queryset=DossierEvent.objects.order_by("seq")),
                Prefetch(
                    "documents",
                    queryset=DossierDocument.objects.select_related("required_document").order_by(
                        "position"
                    ),
                ),
            )
        )
        by_pk = {row.pk: row for row in rows}
        for pk in chunk:
            record = dossier_record(by_pk[pk], names)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(ids)
