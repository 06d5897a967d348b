"""One line of the exchange file: its limits, the portal's names, the schema (pydantic), and
what a history says (``summarize``), shared by the export and the import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from motcua.catalog.states import TimeUnit
from motcua.dossiers.services import VIETNAM
from motcua.dossiers.states import (
    DossierStatus,
    EventAction,
    Sex,
)
from motcua.reports.rollups import END_PRIORITY

BATCH = 500
MAX_LINE_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 1000
MAX_DOCUMENTS = 500
MAX_EVENTS = 2000

# DonViTinh on the portal: "Giờ / Ngày / Ngày làm việc / Tháng" (domain.md §3.3). motcua counts
# hours as working hours and has no month unit, so "Tháng" is refused rather than guessed.
UNIT_NAMES: dict[str, str] = {
    TimeUnit.WORKING_DAYS: "Ngày làm việc",
    TimeUnit.DAYS: "Ngày",
    TimeUnit.HOURS: "Giờ",
}
UNITS_BY_NAME = {name: unit for unit, name in UNIT_NAMES.items()}
SEX_NAMES: dict[str, str] = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
SEX_BY_NAME = {name: sex for sex, name in SEX_NAMES.items()}

# Actions that record a fact without moving the status (absent from TRANSITIONS).
STATUS_KEEPING_ACTIONS = frozenset(
    {EventAction.DIGITIZE, EventAction.REUSE, EventAction.PAY, EventAction.RATE}
)
FIRST_STATUSES = frozenset({DossierStatus.RECEIVED, DossierStatus.SUBMITTED})

USERNAME_PREFIX = "username:"
DANGLING_USER_PREFIX = "user-id:"
IMPORT_KEY_PREFIX = "import:"
_CODE = re.compile(
    r"^(?P<agency>[0-9A-Za-z][0-9A-Za-z.]{1,39})-(?P<day>[0-9]{6})-(?P<number>[0-9]{4,9})$"
)
_ID_NUMBER = r"^[0-9A-Za-z]{6,20}$"
_PHONE = r"^\+?[0-9][0-9 .\-]{6,18}[0-9]$"
_INTERNAL_ID_KEYS = re.compile(r"(_user_id|_unit_id|^citizen_document_id)$")


# --- The schema of one line ---------------------------------------------------------------


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _one_line(value: str) -> str:
    return " ".join(_nfc(value).split())


Text = Annotated[str, AfterValidator(_nfc)]
Line = Annotated[str, AfterValidator(_one_line)]


class Strict(BaseModel):
    # Strict: a "3" is not a 3 and a 1 is not a true; in JSON mode ISO strings still parse as
    # dates and datetimes.
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=100_000)


class ApplicantIn(Strict):
    HoTen: Line = Field(min_length=1, max_length=200)
    SoDinhDanh: str = Field(default="", pattern=r"^$|" + _ID_NUMBER)
    NgaySinh: date | None = None
    GioiTinh: Literal["Nam", "Nữ", ""] = ""
    DiaChi: Line = Field(default="", max_length=500)
    SoDienThoai: str = Field(default="", pattern=r"^$|" + _PHONE)
    Email: str = Field(default="", max_length=254)

    @field_validator("Email")
    @classmethod
    def email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("địa chỉ thư điện tử không hợp lệ") from None
        return value


class FormIn(Strict):
    PhienBan: int = Field(ge=1, le=10_000)
    DuLieu: dict[str, Any] = Field(default_factory=dict)


class FeeIn(Strict):
    Gia: int = Field(ge=0, le=10**12)
    TenPhiLePhi: Text = ""  # accepted for other systems' files; motcua keeps only the total


class DocumentIn(Strict):
    TenGiayTo: Text = Field(min_length=1, max_length=20_000)
    GiayToTheoDanhMuc: Text | None = None
    BatBuoc: Literal["required", "conditional", ""] = ""
    SoBanChinh: int = Field(default=0, ge=0, le=32_767)
    SoBanSao: int = Field(default=0, ge=0, le=32_767)
    NopBanGiay: bool = False
    TenTepDinhKem: str | None = None  # the file itself is not carried (docs/exchange.md)
    LoaiTep: str = Field(default="", max_length=100)
    DungLuong: int | None = Field(default=None, ge=0)
    SHA256: str = Field(default="", pattern=r"^$|^[0-9a-f]{64}$")
    DuocSoHoa: bool = False
    ThoiDiemSoHoa: AwareDatetime | None = None
    NguoiSoHoa: str = Field(default="", max_length=200)
    DuocLayTuKhoDMQG: bool = False


class EventIn(Strict):
    HanhDong: str = Field(min_length=1, max_length=40)
    TuTrangThai: str = Field(default="", max_length=30)
    DenTrangThai: str = Field(min_length=1, max_length=30)
    ThoiDiem: AwareDatetime
    NguoiXuLy: str = Field(min_length=1, max_length=200)
    NoiDung: str = ""
    DuLieu: dict[str, Any] = Field(default_factory=dict)


class RatingIn(Strict):
    MucDo: Literal["very_satisfied", "satisfied", "dissatisfied"]
    PhanAnh: bool = False


if TYPE_CHECKING:
    # A Literal computed from the enum is a run-time value mypy cannot read as a type.
    StatusCode = str
else:
    StatusCode = Literal[tuple(DossierStatus.values)]


class DossierIn(Strict):
    MaHoSo: str = Field(max_length=80, pattern=_CODE.pattern)
    MaCoQuan: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.]{1,39}$")
    MaTTHC: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-_]{2,31}$")
    KenhThucHien: Literal[1, 2, 3]
    HinhThucTiepNhan: Literal["kiosk", "counter", "online", "postal"]
    NguoiTiepNhan: str = Field(min_length=1, max_length=200)
    NhanKetQuaTai: Literal["at_center", "postal", "online"] = "at_center"
    NgayTiepNhan: AwareDatetime
    NgayHenTra: AwareDatetime | None = None
    ThoiGianGiaiQuyet: Decimal | None = Field(default=None, ge=0, max_digits=7, decimal_places=2)
    DonViTinh: Literal["Ngày làm việc", "Ngày", "Giờ", ""] = ""
    DanhSachPhiLePhi: list[FeeIn] = Field(default_factory=list, max_length=50)
    TrangThaiHoSo: StatusCode
    # Summaries of the history: written on export, optional on import, checked when present.
    NgayKetThucXuLy: AwareDatetime | None = None
    DuocThanhToanTrucTuyen: Literal[0, 1, 2] = 0
    HoSoCoThanhPhanSoHoa: bool = False
    CoKetQuaDienTu: bool = False
    MaKetQua: str | None = Field(default=None, max_length=200)  # not kept (docs/exchange.md)
    DonViXuLy: str | None = Field(default=None, max_length=60)
    CanBoXuLy: str | None = Field(default=None, min_length=1, max_length=150)
    ChuHoSo: ApplicantIn
    ToKhai: FormIn
    TaiLieuNop: list[DocumentIn] = Field(default_factory=list, max_length=MAX_DOCUMENTS)
    QuaTrinhXuLy: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)
    DanhGia: RatingIn | None = None


# --- What the history says --------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The portal's summary fields and motcua's derived columns, from the event log."""

    end_at: datetime | None
    online_payment: int
    e_result: bool
    rating: dict[str, Any] | None
    clock_paused_at: datetime | None
    supplement_requests: int


def summarize(events: Iterable[tuple[str, str, datetime, dict]]) -> Summary:
    """``events``: (action, to_status, at, data) in log order."""
    reached: dict[str, datetime] = {}
    online = 0
    e_result = False
    rating = None
    paused_at = None
    requests = 0
    last_status = ""
    for action, to_status, at, data in events:
        reached.setdefault(to_status, at)
        last_status = to_status
        if action == EventAction.PAY:
            online = data.get("online", 0)
        elif action == EventAction.RATE:
            rating = {"MucDo": data.get("rating"), "PhanAnh": bool(data.get("complaint"))}
        elif action == EventAction.SIGN:
            e_result = True
        elif action == EventAction.REQUEST_SUPPLEMENT:
            # motcua.dossiers.actions: a request stops the clock, the supplement restarts it.
            paused_at = at
            requests += 1
        elif action == EventAction.SUBMIT_SUPPLEMENT:
            paused_at = None
    # NgayKetThucXuLy: the first end state reached, by the 766 formula's priority (the same
    # table the KPI facts use); a withdrawn dossier has none.
    end_at = None
    if last_status != DossierStatus.WITHDRAWN:
        for statuses in END_PRIORITY:
            moments = [reached[s] for s in statuses if s in reached]
            if moments:
                end_at = min(moments)
                break
    return Summary(end_at, online, e_result, rating, paused_at, requests)


def all_digitized(flags: list[bool]) -> bool:
    """HoSoCoThanhPhanSoHoa: every component digitized, as KPI 4.2 counts it."""
    return bool(flags) and all(flags)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat() if moment is not None else None
