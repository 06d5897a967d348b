"""Dossier histories in and out: JSON Lines in the vocabulary of Cổng DVCQG's dossier sync.

One line is one dossier, with its applicant, its components and its whole event log
(``docs/exchange.md`` is the reference, with the field table and an example). The field names
are the portal's where the portal has one (MaHoSo, MaTTHC, KenhThucHien, NgayTiepNhan,
NgayHenTra, NgayKetThucXuLy, DuocThanhToanTrucTuyen, TaiLieuNop[].DuocSoHoa…, domain.md §3.3)
and PascalCase Vietnamese where motcua needs more to rebuild a dossier exactly.

- ``export_dossiers`` writes one line per dossier, sorted by receipt time then code, so the same
  database always gives the same bytes.
- ``validate_import`` reads a file once, line by line, checks every line (JSON, fields, types,
  the history against the workflow table) and then every reference against the database, and
  collects every fault as "dòng N, trường X: …". It keeps only codes and references, not the
  dossiers, so a file of any size can be checked.
- ``apply_import`` reads the file a second time and writes it in batches inside the caller's
  ``transaction.atomic()``: dossiers, components, event logs with their hash chain, the day
  counters and the KPI facts. A file with any fault changes nothing.

Internal row ids never leave the database: an officer is written ``username:<tên đăng nhập>``
(``user:<id>`` inside), a unit by its code, so a history moved to another installation keeps
pointing at the same people and units. The applicant's data is personal data (NĐ 13/2023/NĐ-CP):
exporting it is an administrator's explicit act, and nothing here logs it or puts it in an
error message.
"""

from __future__ import annotations

import errno
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.states import TimeUnit
from motcua.centers.models import Center, Unit
from motcua.dossiers.documents import PERSONAL_ID, document_type_key
from motcua.dossiers.models import (
    CitizenDocument,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.services import VIETNAM, dossier_code
from motcua.dossiers.settlement import MAX_AMOUNT_VND, RATEABLE_STATUSES, UNPAYABLE_STATUSES
from motcua.dossiers.states import (
    TRANSITIONS,
    Channel,
    DossierStatus,
    EventAction,
    PaymentMethod,
    Rating,
    Sex,
    TransitionNotAllowed,
)
from motcua.reports import rollups
from motcua.reports.rollups import END_PRIORITY

BATCH = 500
MAX_LINE_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 1000
MAX_DOCUMENTS = 500
MAX_EVENTS = 2000

# DonViTinh on the portal: "Giờ / Ngày / Ngày làm việc / Tháng" (domain.md §3.3). motcua counts
# hours as working hours and has no month unit, so "Tháng" is refused rather than guessed.
UNIT_NAMES = {
    TimeUnit.WORKING_DAYS: "Ngày làm việc",
    TimeUnit.DAYS: "Ngày",
    TimeUnit.HOURS: "Giờ",
}
UNITS_BY_NAME = {name: unit for unit, name in UNIT_NAMES.items()}
SEX_NAMES = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
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


StatusCode = Literal[tuple(DossierStatus.values)]  # type: ignore[valid-type]


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


# --- Export -----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat() if moment is not None else None


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
                "TenTepDinhKem": Path(doc.file.name).name if doc.file else None,
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
    out: TextIO,
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


# --- Import: problems -------------------------------------------------------------------


class DossierFileError(Exception):
    """A file that cannot be imported; ``problems`` has one Vietnamese line per fault."""

    def __init__(self, problems: list[str], total: int | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.total = total if total is not None else len(problems)


class ImportConflict(DossierFileError):
    """The database changed between the check and the write (a dossier code taken meanwhile)."""


_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "không có trong định dạng trao đổi",
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "dict_type": "phải là một đối tượng JSON",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "list_type": "phải là một mảng JSON",
    "decimal_type": "phải là số",
    "decimal_parsing": "phải là số",
    "timezone_aware": "thời điểm phải có múi giờ, ví dụ 2025-07-07T09:05:00+07:00",
    "datetime_type": "thời điểm không hợp lệ (ISO 8601, ví dụ 2025-07-07T09:05:00+07:00)",
    "datetime_parsing": "thời điểm không hợp lệ (ISO 8601, ví dụ 2025-07-07T09:05:00+07:00)",
    "datetime_from_date_parsing": "thời điểm không hợp lệ (ISO 8601, ví dụ 2025-07-07T09:05:00+07:00)",
    "date_type": "ngày không hợp lệ (YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (YYYY-MM-DD)",
    "date_from_datetime_parsing": "ngày không hợp lệ (YYYY-MM-DD)",
    "date_from_datetime_inexact": "ngày không hợp lệ (YYYY-MM-DD)",
    "string_pattern_mismatch": "sai định dạng",
    "string_too_short": "không được để trống",
    "string_too_long": "dài quá {max_length} ký tự",
    "too_short": "phải có ít nhất {min_length} phần tử",
    "too_long": "có quá {max_length} phần tử",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "giá trị không hợp lệ; chấp nhận: {expected}",
    "decimal_max_places": "có quá {decimal_places} chữ số thập phân",
    "decimal_max_digits": "có quá {max_digits} chữ số",
    "decimal_whole_digits": "có quá {whole_digits} chữ số phần nguyên",
}
_FORMAT_HINTS = {
    "MaHoSo": "sai định dạng; phải là <mã cơ quan>-<yyMMdd>-<nnnn>, ví dụ 000.00.25.H45-250707-0001",
    "MaCoQuan": "sai định dạng mã định danh cơ quan, ví dụ 000.00.25.H45",
    "MaTTHC": "sai định dạng mã thủ tục, ví dụ 1.001193",
    "SoDinhDanh": "chỉ gồm chữ số (12 số trên thẻ căn cước) hoặc chữ và số, 6–20 ký tự",
    "SoDienThoai": "số điện thoại không hợp lệ",
    "SHA256": "phải là 64 ký tự 0-9a-f",
}


def _field_path(loc: Iterable[Any]) -> str:
    """("QuaTrinhXuLy", 2, "ThoiDiem") → "QuaTrinhXuLy[3].ThoiDiem" (arrays counted from 1)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_pattern_mismatch":
        last = next((p for p in reversed(err["loc"]) if isinstance(p, str)), "")
        return _FORMAT_HINTS.get(last, _MESSAGES[kind])
    template = _MESSAGES.get(kind)
    if template is None:
        return err["msg"]
    values = {k: str(v).replace(" or ", " hoặc ") for k, v in ctx.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template.split(" {")[0]


@dataclass
class _Problems:
    items: list[tuple[int, str]] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, path: str, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            where = f"dòng {line}, trường {path}" if path else f"dòng {line}"
            self.items.append((line, f"{where}: {message}"))

    def raise_if_any(self) -> None:
        if self.total:
            self.items.sort(key=lambda item: item[0])
            raise DossierFileError([text for _line, text in self.items], self.total)


# --- Import: reading the file -----------------------------------------------------------


_OS_ERRORS = {
    errno.ENOENT: "không có tệp này",
    errno.EACCES: "không có quyền đọc tệp",
    errno.EPERM: "không có quyền đọc tệp",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.ELOOP: "đường dẫn có liên kết vòng",
}


def os_error_message(exc: OSError) -> str:
    """The operating system's refusal in Vietnamese (its own text is English)."""
    known = _OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    if known:
        return known
    return f"lỗi hệ điều hành (mã {exc.errno})" if exc.errno else "lỗi hệ điều hành"


def _lines(path: Path, problems: _Problems | None) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines; undecodable or huge lines go to ``problems``."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DossierFileError([f"không đọc được tệp {path}: {os_error_message(exc)}"]) from None
    with handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                if problems is not None:
                    problems.add(number, "", f"dòng dài quá {MAX_LINE_BYTES // (1024 * 1024)} MB")
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = handle.readline(MAX_LINE_BYTES)
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if problems is not None:
                    problems.add(number, "", f"không phải UTF-8 (byte {exc.start + 1})")
                continue
            if text.strip():
                yield number, text


def _parse(number: int, text: str, problems: _Problems) -> DossierIn | None:
    try:
        return DossierIn.model_validate_json(text)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(err["type"] == "json_invalid" for err in errors):
            try:
                json.loads(text)
            except json.JSONDecodeError as bad:
                problems.add(number, "", f"JSON không hợp lệ ở ký tự thứ {bad.pos + 1}")
            except RecursionError:
                problems.add(number, "", "JSON không hợp lệ (lồng nhau quá sâu)")
            else:
                problems.add(number, "", "JSON không hợp lệ")
            return None
        for err in errors:
            path = _field_path(err["loc"])
            if not path:
                problems.add(number, "", "mỗi dòng phải là một đối tượng JSON (một hồ sơ)")
            else:
                problems.add(number, path, _pydantic_message(err))
        return None


# --- Import: checks on one line ---------------------------------------------------------


def _parse_code(item: DossierIn) -> tuple[date, int] | None:
    match = _CODE.match(item.MaHoSo)
    if match is None:
        return None
    return item.NgayTiepNhan.astimezone(VIETNAM).date(), int(match["number"])


def _status_label(status: str) -> str:
    return str(DossierStatus(status).label) if status in DossierStatus.values else status


def _check_actor(actor: str) -> str | None:
    """The fault of an actor as written in the file, or None."""
    kind, sep, rest = actor.partition(":")
    if kind == "user" and sep:
        return (
            "mã tài khoản nội bộ (user:<số>) không dùng được giữa hai hệ thống; ghi "
            "username:<tên đăng nhập>"
        )
    if actor.startswith(USERNAME_PREFIX):
        return None if actor[len(USERNAME_PREFIX) :].strip() else "thiếu tên đăng nhập"
    if len(actor) > 100:
        return "dài quá 100 ký tự"
    return None


Faults = list[tuple[str, str]]  # (field path, message) of one line


def _check_data(data: dict, path: str, faults: Faults) -> None:
    for key, value in data.items():
        if _INTERNAL_ID_KEYS.search(key):
            faults.append(
                (
                    f"{path}.{key}",
                    "mã nội bộ không dùng được giữa hai hệ thống; ghi tên đăng nhập (…_user) "
                    "hoặc mã đơn vị (…_unit)",
                )
            )
        elif key.endswith(("_user", "_unit")) and not (value is None or isinstance(value, str)):
            faults.append((f"{path}.{key}", "phải là chuỗi ký tự hoặc null"))


def _check_payment(data: dict, path: str, faults: Faults) -> None:
    method = data.get("method")
    if method not in PaymentMethod.values:
        accepted = ", ".join(PaymentMethod.values)
        faults.append(
            (f"{path}.method", f"hình thức thanh toán không hợp lệ; chấp nhận: {accepted}")
        )
    elif data.get("online") != PaymentMethod(method).online_code:
        code = PaymentMethod(method).online_code
        faults.append((f"{path}.online", f"phải là {code} với hình thức {method}"))
    amount = data.get("amount_vnd")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT_VND:
        faults.append(
            (
                f"{path}.amount_vnd",
                "số tiền phải là số nguyên đồng, lớn hơn 0 và không quá 1.000.000.000",
            )
        )


def _check_due_moves(data: dict, path: str, faults: Faults) -> None:
    for key in ("due_before", "due_after"):
        value = data.get(key)
        if value is not None and not _is_aware_iso(value):
            faults.append(
                (f"{path}.{key}", "thời điểm không hợp lệ (ISO 8601 có múi giờ) hoặc null")
            )


def _check_rating(data: dict, path: str, faults: Faults) -> None:
    if data.get("rating") not in Rating.values:
        accepted = ", ".join(Rating.values)
        faults.append((f"{path}.rating", f"mức đánh giá không hợp lệ; chấp nhận: {accepted}"))
    if not isinstance(data.get("complaint", False), bool):
        faults.append((f"{path}.complaint", "phải là true hoặc false"))


def _is_aware_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None


def _is_count(value: Any, low: int, high: int | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return value >= low and (high is None or value <= high)


def _check_first_event(item: DossierIn, faults: Faults) -> None:
    first = item.QuaTrinhXuLy[0]
    if first.HanhDong != EventAction.RECEIVE:
        faults.append(("QuaTrinhXuLy[1].HanhDong", "sự kiện đầu tiên phải là tiếp nhận (receive)"))
    if first.TuTrangThai != "":
        faults.append(
            ("QuaTrinhXuLy[1].TuTrangThai", "sự kiện tiếp nhận không có trạng thái trước")
        )
    if first.DenTrangThai not in FIRST_STATUSES:
        faults.append(
            (
                "QuaTrinhXuLy[1].DenTrangThai",
                "sau tiếp nhận, hồ sơ ở trạng thái received hoặc submitted",
            )
        )
    if first.ThoiDiem != item.NgayTiepNhan:
        faults.append(("QuaTrinhXuLy[1].ThoiDiem", "phải trùng NgayTiepNhan"))
    due = first.DuLieu.get("due_at")
    if due is not None and not _is_aware_iso(due):
        faults.append(
            (
                "QuaTrinhXuLy[1].DuLieu.due_at",
                "thời điểm không hợp lệ (ISO 8601 có múi giờ) hoặc null",
            )
        )


def _check_history(item: DossierIn, faults: Faults) -> None:
    """The log must be one the workflow could have written (``TRANSITIONS``), in time order."""
    _check_first_event(item, faults)
    status = item.QuaTrinhXuLy[0].DenTrangThai
    previous = item.QuaTrinhXuLy[0].ThoiDiem
    paid = rated = False
    positions = len(item.TaiLieuNop)
    fee = sum(f.Gia for f in item.DanhSachPhiLePhi)
    for index, event in enumerate(item.QuaTrinhXuLy, start=1):
        path = f"QuaTrinhXuLy[{index}]"
        problem = _check_actor(event.NguoiXuLy)
        if problem:
            faults.append((f"{path}.NguoiXuLy", problem))
        _check_data(event.DuLieu, f"{path}.DuLieu", faults)
        if event.ThoiDiem < previous:
            faults.append(
                (
                    f"{path}.ThoiDiem",
                    "trước thời điểm của sự kiện liền trước (nhật ký theo thứ tự thời gian)",
                )
            )
        previous = max(previous, event.ThoiDiem)
        if index == 1:
            continue
        action = event.HanhDong
        if event.TuTrangThai != status:
            faults.append(
                (f"{path}.TuTrangThai", f"phải là {status}, trạng thái sau sự kiện liền trước")
            )
        if action == EventAction.RECEIVE:
            faults.append((f"{path}.HanhDong", "chỉ sự kiện đầu tiên là tiếp nhận (receive)"))
            return
        if action not in EventAction.values:
            faults.append(
                (f"{path}.HanhDong", "thao tác không có trong danh mục thao tác của motcua")
            )
            return
        if action in STATUS_KEEPING_ACTIONS:
            expected = status
        elif (status, action) in TRANSITIONS:
            expected = TRANSITIONS[(status, action)][0]
        else:
            faults.append((f"{path}.HanhDong", TransitionNotAllowed(status, action).message))
            return  # what follows cannot be judged from a status that was never reached
        if event.DenTrangThai != expected:
            faults.append((f"{path}.DenTrangThai", f"phải là {expected} sau thao tác {action}"))
        data = event.DuLieu
        if action == EventAction.PAY:
            if paid:
                faults.append((f"{path}.HanhDong", "hồ sơ chỉ ghi nhận thanh toán một lần"))
            if status in UNPAYABLE_STATUSES:
                label = _status_label(status)
                faults.append(
                    (f"{path}.HanhDong", f"không ghi nhận thanh toán khi hồ sơ “{label}”")
                )
            _check_payment(data, f"{path}.DuLieu", faults)
            if not fee:
                faults.append(
                    (
                        "DanhSachPhiLePhi",
                        f"hồ sơ có thanh toán ({path}) nhưng không có phí, lệ phí (tổng Gia "
                        "bằng 0 hoặc để trống): không ghi nhận thanh toán cho hồ sơ miễn phí",
                    )
                )
            paid = True
        elif action == EventAction.RATE:
            if rated:
                faults.append((f"{path}.HanhDong", "hồ sơ chỉ được đánh giá một lần"))
            if status not in RATEABLE_STATUSES:
                label = _status_label(status)
                faults.append((f"{path}.HanhDong", f"chưa thể đánh giá khi hồ sơ “{label}”"))
            _check_rating(data, f"{path}.DuLieu", faults)
            rated = True
        elif action == EventAction.SUBMIT_SUPPLEMENT:
            seconds = data.get("paused_seconds")
            if seconds is not None and not _is_count(seconds, 0):
                faults.append((f"{path}.DuLieu.paused_seconds", "phải là số nguyên giây, không âm"))
            _check_due_moves(data, f"{path}.DuLieu", faults)
        elif action == EventAction.RESCHEDULE:
            _check_due_moves(data, f"{path}.DuLieu", faults)
        elif action in (EventAction.DIGITIZE, EventAction.REUSE):
            position = data.get("position")
            if position is not None and not _is_count(position, 1, positions):
                faults.append(
                    (
                        f"{path}.DuLieu.position",
                        f"phải là số thứ tự của một thành phần (1–{positions})",
                    )
                )
        status = expected
    if status != item.TrangThaiHoSo:
        faults.append(
            (
                "TrangThaiHoSo",
                f"phải là {status}, trạng thái sau sự kiện cuối cùng của QuaTrinhXuLy",
            )
        )


def _check_code(item: DossierIn, faults: Faults) -> None:
    code = _CODE.match(item.MaHoSo)
    if code is None:
        return
    day = item.NgayTiepNhan.astimezone(VIETNAM).date()
    number = int(code["number"])
    if code["agency"] != item.MaCoQuan:
        faults.append(("MaHoSo", "phần mã cơ quan phải trùng MaCoQuan"))
    elif code["day"] != f"{day:%y%m%d}":
        faults.append(("MaHoSo", f"phần ngày phải là {day:%y%m%d}, ngày tiếp nhận (giờ Việt Nam)"))
    elif number < 1 or item.MaHoSo != dossier_code(item.MaCoQuan, day, number):
        faults.append(("MaHoSo", "số thứ tự từ 0001, ít nhất 4 chữ số, không thừa số 0 ở đầu"))


def _check_documents(item: DossierIn, faults: Faults) -> None:
    reused = False
    for index, doc in enumerate(item.TaiLieuNop, start=1):
        path = f"TaiLieuNop[{index}]"
        if doc.DuocSoHoa != (doc.ThoiDiemSoHoa is not None):
            faults.append((f"{path}.ThoiDiemSoHoa", "có khi và chỉ khi DuocSoHoa là true"))
        if doc.DuocLayTuKhoDMQG and not doc.DuocSoHoa:
            faults.append(
                (
                    f"{path}.DuocSoHoa",
                    "giấy tờ lấy từ kho dữ liệu là giấy tờ đã số hóa: phải là true",
                )
            )
        if doc.NguoiSoHoa:
            problem = _check_actor(doc.NguoiSoHoa)
            if problem:
                faults.append((f"{path}.NguoiSoHoa", problem))
        reused = reused or doc.DuocLayTuKhoDMQG
    if reused and not PERSONAL_ID.match(item.ChuHoSo.SoDinhDanh):
        faults.append(
            (
                "ChuHoSo.SoDinhDanh",
                "hồ sơ có giấy tờ lấy từ kho dữ liệu phải có số định danh cá nhân 12 chữ số",
            )
        )


def _check_summaries(item: DossierIn, faults: Faults) -> None:
    """The portal's summary fields are optional on import; when given, the log must agree."""
    summary = summarize(
        (e.HanhDong, e.DenTrangThai, e.ThoiDiem, e.DuLieu) for e in item.QuaTrinhXuLy
    )
    given = item.model_fields_set
    if "NgayKetThucXuLy" in given and item.NgayKetThucXuLy != summary.end_at:
        faults.append(
            ("NgayKetThucXuLy", f"không khớp QuaTrinhXuLy (theo nhật ký: {_iso(summary.end_at)})")
        )
    if "DuocThanhToanTrucTuyen" in given and item.DuocThanhToanTrucTuyen != summary.online_payment:
        faults.append(
            (
                "DuocThanhToanTrucTuyen",
                f"không khớp sự kiện thanh toán (pay) của QuaTrinhXuLy (theo nhật ký: "
                f"{summary.online_payment})",
            )
        )
    if "CoKetQuaDienTu" in given and item.CoKetQuaDienTu != summary.e_result:
        faults.append(
            (
                "CoKetQuaDienTu",
                "không khớp QuaTrinhXuLy (kết quả điện tử là sự kiện ký duyệt, sign)",
            )
        )
    digitized = all_digitized([d.DuocSoHoa for d in item.TaiLieuNop])
    if "HoSoCoThanhPhanSoHoa" in given and item.HoSoCoThanhPhanSoHoa != digitized:
        faults.append(
            (
                "HoSoCoThanhPhanSoHoa",
                "true khi và chỉ khi mọi thành phần trong TaiLieuNop đã số hóa",
            )
        )
    if "DanhGia" in given:
        rating = item.DanhGia.model_dump() if item.DanhGia is not None else None
        if rating != summary.rating:
            faults.append(("DanhGia", "không khớp sự kiện đánh giá (rate) của QuaTrinhXuLy"))


def check_line(item: DossierIn) -> Faults:
    """Every rule of one dossier that needs no database."""
    faults: Faults = []
    _check_code(item, faults)
    national = Channel(item.HinhThucTiepNhan).national_code
    if national != item.KenhThucHien:
        faults.append(
            (
                "KenhThucHien",
                f"phải là {national} với HinhThucTiepNhan {item.HinhThucTiepNhan} "
                "(1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích)",
            )
        )
    problem = _check_actor(item.NguoiTiepNhan)
    if problem:
        faults.append(("NguoiTiepNhan", problem))
    if (item.ThoiGianGiaiQuyet is None) != (item.DonViTinh == ""):
        faults.append(("DonViTinh", "ThoiGianGiaiQuyet và DonViTinh cùng có hoặc cùng để trống"))
    if item.NgayHenTra is not None and item.NgayHenTra < item.NgayTiepNhan:
        faults.append(("NgayHenTra", "không được trước NgayTiepNhan"))
    _check_documents(item, faults)
    before = len(faults)
    _check_history(item, faults)
    if len(faults) == before:
        # With a broken history the summaries would only repeat what is already reported.
        _check_summaries(item, faults)
    return faults


# --- Import: the plan -------------------------------------------------------------------


@dataclass
class _Ref:
    line: int
    path: str
    count: int = 1


@dataclass
class ImportPlan:
    """What a valid file holds and what it points at in the database."""

    path: Path
    dossiers: int = 0
    events: int = 0
    documents: int = 0
    reused: int = 0
    centers: dict[str, Center] = field(default_factory=dict)
    procedures: dict[str, int] = field(default_factory=dict)
    units: dict[tuple[str, str], int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    catalog_documents: dict[tuple[str, str], int] = field(default_factory=dict)
    # (center code, local day) → the highest number imported: the day counter goes at least there
    last_numbers: dict[tuple[str, date], int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    dossiers: int
    events: int
    documents: int
    reused: int
    dossier_ids: list[int]


class _Refs:
    def __init__(self) -> None:
        self.centers: dict[str, _Ref] = {}
        self.procedures: dict[str, _Ref] = {}
        self.units: dict[tuple[str, str], _Ref] = {}
        self.users: dict[str, _Ref] = {}
        self.catalog: dict[tuple[str, str], _Ref] = {}
        self.codes: dict[str, int] = {}

    @staticmethod
    def note(table: dict, key, line: int, path: str) -> None:
        ref = table.get(key)
        if ref is None:
            table[key] = _Ref(line, path)
        else:
            ref.count += 1

    def actor(self, actor: str, line: int, path: str) -> None:
        if actor.startswith(USERNAME_PREFIX):
            self.note(self.users, actor[len(USERNAME_PREFIX) :], line, path)


def _chunks(values: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _others(ref: _Ref) -> str:
    return f" (và {ref.count - 1} chỗ khác)" if ref.count > 1 else ""


def validate_import(path: Path) -> ImportPlan:
    """Check the whole file; return the plan to write it, or raise DossierFileError."""
    problems = _Problems()
    refs = _Refs()
    plan = ImportPlan(path=path)
    seen_line = False
    for number, text in _lines(path, problems):
        seen_line = True
        item = _parse(number, text, problems)
        if item is None:
            continue
        for field_path, message in check_line(item):
            problems.add(number, field_path, message)
        first = refs.codes.setdefault(item.MaHoSo, number)
        if first != number:
            problems.add(number, "MaHoSo", f"trùng mã hồ sơ ở dòng {first}")
        _note_references(item, number, refs)
        parsed = _parse_code(item)
        if parsed is not None:
            key = (item.MaCoQuan, parsed[0])
            plan.last_numbers[key] = max(plan.last_numbers.get(key, 0), parsed[1])
        plan.dossiers += 1
        plan.events += len(item.QuaTrinhXuLy)
        plan.documents += len(item.TaiLieuNop)
        plan.reused += sum(1 for d in item.TaiLieuNop if d.DuocLayTuKhoDMQG)
    if not seen_line and not problems.total:
        raise DossierFileError(["tệp không có hồ sơ nào"])
    _check_references(refs, plan, problems)
    problems.raise_if_any()
    return plan


def _note_references(item: DossierIn, line: int, refs: _Refs) -> None:
    refs.note(refs.centers, item.MaCoQuan, line, "MaCoQuan")
    refs.note(refs.procedures, item.MaTTHC, line, "MaTTHC")
    if item.DonViXuLy:
        refs.note(refs.units, (item.MaCoQuan, item.DonViXuLy), line, "DonViXuLy")
    if item.CanBoXuLy:
        refs.note(refs.users, item.CanBoXuLy, line, "CanBoXuLy")
    refs.actor(item.NguoiTiepNhan, line, "NguoiTiepNhan")
    for index, doc in enumerate(item.TaiLieuNop, start=1):
        if doc.GiayToTheoDanhMuc:
            refs.note(
                refs.catalog,
                (item.MaTTHC, doc.GiayToTheoDanhMuc),
                line,
                f"TaiLieuNop[{index}].GiayToTheoDanhMuc",
            )
        if doc.NguoiSoHoa:
            refs.actor(doc.NguoiSoHoa, line, f"TaiLieuNop[{index}].NguoiSoHoa")
    for index, event in enumerate(item.QuaTrinhXuLy, start=1):
        path = f"QuaTrinhXuLy[{index}]"
        refs.actor(event.NguoiXuLy, line, f"{path}.NguoiXuLy")
        for key, value in event.DuLieu.items():
            if not isinstance(value, str) or not value:
                continue
            if key.endswith("_user"):
                refs.note(refs.users, value, line, f"{path}.DuLieu.{key}")
            elif key.endswith("_unit"):
                refs.note(refs.units, (item.MaCoQuan, value), line, f"{path}.DuLieu.{key}")


def _check_references(refs: _Refs, plan: ImportPlan, problems: _Problems) -> None:
    """Everything the file names must exist here; no dossier code may exist already."""
    for chunk in _chunks(list(refs.centers)):
        for center in Center.objects.filter(agency_code__in=chunk):
            plan.centers[center.agency_code] = center
    for code, ref in refs.centers.items():
        if code not in plan.centers:
            problems.add(
                ref.line, ref.path, f"không có trung tâm mã {code} trong hệ thống{_others(ref)}"
            )

    for chunk in _chunks(list(refs.procedures)):
        plan.procedures.update(Procedure.objects.filter(code__in=chunk).values_list("code", "pk"))
    for code, ref in refs.procedures.items():
        if code not in plan.procedures:
            problems.add(
                ref.line, ref.path, f"không có thủ tục mã {code} trong danh mục{_others(ref)}"
            )

    for unit in Unit.objects.filter(center__agency_code__in=list(plan.centers)).select_related(
        "center"
    ):
        plan.units[(unit.center.agency_code, unit.code)] = unit.pk
    for (center_code, unit_code), ref in refs.units.items():
        if center_code in plan.centers and (center_code, unit_code) not in plan.units:
            problems.add(
                ref.line,
                ref.path,
                f"trung tâm {center_code} không có đơn vị xử lý mã {unit_code}{_others(ref)}",
            )

    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    for chunk in _chunks(list(refs.users)):
        plan.users.update(
            user_model.objects.filter(**{f"{username_field}__in": chunk}).values_list(
                username_field, "pk"
            )
        )
    for name, ref in refs.users.items():
        if name not in plan.users:
            problems.add(
                ref.line,
                ref.path,
                f"không có tài khoản “{name}”: tạo tài khoản cán bộ (có thể để ngừng hoạt động) "
                f"trước khi nhập{_others(ref)}",
            )

    wanted = {code for code, _name in refs.catalog if code in plan.procedures}
    for proc_code, name, pk in (
        RequiredDocument.objects.filter(procedure__code__in=list(wanted))
        .order_by("-position")
        .values_list("procedure__code", "name", "pk")
    ):
        plan.catalog_documents[(proc_code, _nfc(name))] = pk  # the first position wins
    for (proc_code, name), ref in refs.catalog.items():
        if proc_code in plan.procedures and (proc_code, name) not in plan.catalog_documents:
            problems.add(
                ref.line,
                ref.path,
                f"thủ tục {proc_code} không có thành phần này trong danh mục (sửa đúng tên, hoặc để null)"
                f"{_others(ref)}",
            )

    codes = list(refs.codes)
    for chunk in _chunks(codes):
        for code in Dossier.objects.filter(code__in=chunk).values_list("code", flat=True):
            problems.add(
                refs.codes[code],
                "MaHoSo",
                "đã có hồ sơ mang mã này trong hệ thống (nhập lại một hồ sơ không được phép)",
            )


# --- Import: writing --------------------------------------------------------------------


def _local_actor(actor: str, users: dict[str, int]) -> str:
    if actor.startswith(USERNAME_PREFIX):
        return f"user:{users[actor[len(USERNAME_PREFIX) :]]}"
    return actor


def _local_data(
    data: dict, *, users: dict[str, int], units: dict[tuple[str, str], int], center: str
) -> dict:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_user"):
            out[f"{key}_id"] = users[value] if value else None
        elif key.endswith("_unit"):
            out[f"{key}_id"] = units[(center, value)] if value else None
        else:
            out[key] = value
    return out


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a validated file. Runs inside the caller's ``transaction.atomic()``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_import must run inside transaction.atomic().")
    ids: list[int] = []
    batch: list[DossierIn] = []
    events = documents = reused = 0
    for _number, text in _lines(plan.path, None):
        batch.append(DossierIn.model_validate_json(text))
        if len(batch) == BATCH:
            counts = _write_batch(batch, plan, ids)
            events, documents, reused = (
                events + counts[0],
                documents + counts[1],
                reused + counts[2],
            )
            batch = []
    if batch:
        counts = _write_batch(batch, plan, ids)
        events, documents, reused = events + counts[0], documents + counts[1], reused + counts[2]
    _advance_counters(plan)
    return ImportResult(len(ids), events, documents, reused, ids)


def _write_batch(items: list[DossierIn], plan: ImportPlan, ids: list[int]) -> tuple[int, int, int]:
    dossiers = [_dossier(item, plan) for item in items]
    try:
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers)
    except IntegrityError:
        raise ImportConflict(
            [
                "một mã hồ sơ trong tệp vừa được cấp cho hồ sơ khác trong lúc nhập; chạy lại lệnh nhập"
            ]
        ) from None
    if any(d.pk is None for d in dossiers):
        # Databases that cannot return ids from a bulk insert: read them back by code.
        pks = dict(
            Dossier.objects.filter(code__in=[d.code for d in dossiers]).values_list("code", "pk")
        )
        for dossier in dossiers:
            dossier.pk = pks[dossier.code]
    ids.extend(d.pk for d in dossiers)

    # The citizen's store entries behind reused components (see docs/exchange.md, "Dùng lại").
    stored: dict[tuple[int, int], CitizenDocument] = {}
    for item, dossier in zip(items, dossiers, strict=True):
        for position, doc in enumerate(item.TaiLieuNop, start=1):
            if doc.DuocLayTuKhoDMQG:
                stored[(dossier.pk, position)] = _placeholder(item, doc, plan)
    CitizenDocument.objects.bulk_create(list(stored.values()))

    rows: list[DossierDocument] = []
    events: list[DossierEvent] = []
    for item, dossier in zip(items, dossiers, strict=True):
        for position, doc in enumerate(item.TaiLieuNop, start=1):
            rows.append(_component(item, doc, position, dossier, plan, stored))
        events.extend(_events(item, dossier, plan, stored))
    DossierDocument.objects.bulk_create(rows)
    DossierEvent.objects.bulk_create(events)
    # Bulk inserts bypass record_event, which keeps the KPI facts current: rebuild this batch's.
    rollups.rebuild(dossier_ids=[d.pk for d in dossiers])
    return len(events), len(rows), len(stored)


def _dossier(item: DossierIn, plan: ImportPlan) -> Dossier:
    center = plan.centers[item.MaCoQuan]
    summary = summarize(
        (e.HanhDong, e.DenTrangThai, e.ThoiDiem, e.DuLieu) for e in item.QuaTrinhXuLy
    )
    applicant = item.ChuHoSo
    fee = sum(f.Gia for f in item.DanhSachPhiLePhi) if item.DanhSachPhiLePhi else None
    return Dossier(
        code=item.MaHoSo,
        center=center,
        number=int(_CODE.match(item.MaHoSo)["number"]),  # type: ignore[index]
        procedure_id=plan.procedures[item.MaTTHC],
        applicant_name=applicant.HoTen,
        applicant_id_number=applicant.SoDinhDanh,
        applicant_birth_date=applicant.NgaySinh,
        applicant_sex=SEX_BY_NAME.get(applicant.GioiTinh, ""),
        applicant_address=applicant.DiaChi,
        applicant_phone=applicant.SoDienThoai,
        applicant_email=applicant.Email,
        form_data=item.ToKhai.DuLieu,
        form_version=item.ToKhai.PhienBan,
        channel=item.HinhThucTiepNhan,
        result_delivery=item.NhanKetQuaTai,
        received_at=item.NgayTiepNhan,
        time_limit_value=item.ThoiGianGiaiQuyet,
        time_limit_unit=UNITS_BY_NAME.get(item.DonViTinh, ""),
        due_at=item.NgayHenTra,
        fee_vnd=fee,
        status=item.TrangThaiHoSo,
        unit_id=plan.units[(item.MaCoQuan, item.DonViXuLy)] if item.DonViXuLy else None,
        assignee_id=plan.users[item.CanBoXuLy] if item.CanBoXuLy else None,
        clock_paused_at=summary.clock_paused_at,
        supplement_requests=summary.supplement_requests,
        submitted_by=_local_actor(item.NguoiTiepNhan, plan.users),
        # System-assigned: unique per center like a kiosk's key, never exported.
        idempotency_key=f"{IMPORT_KEY_PREFIX}{item.MaHoSo}",
    )


def _placeholder(item: DossierIn, doc: DocumentIn, plan: ImportPlan) -> CitizenDocument:
    """A store entry recording that the component came from the citizen's store.

    The stored file stays in the other system, so the entry has none; its validity ends on the
    day of the reuse so that it is never offered for a new dossier (``reusable_for``).
    """
    catalog_name = doc.GiayToTheoDanhMuc or doc.TenGiayTo
    moment = doc.ThoiDiemSoHoa or item.NgayTiepNhan
    return CitizenDocument(
        owner_id_number=item.ChuHoSo.SoDinhDanh,
        document_type=document_type_key(catalog_name)[:200],
        name=doc.TenGiayTo,
        file="",
        content_type=doc.LoaiTep,
        size=doc.DungLuong or 0,
        sha256=doc.SHA256,
        valid_until=moment.astimezone(VIETNAM).date(),
        created_at=moment,
        updated_at=moment,
        digitized_by=_local_actor(doc.NguoiSoHoa, plan.users) if doc.NguoiSoHoa else "",
    )


def _component(
    item: DossierIn,
    doc: DocumentIn,
    position: int,
    dossier: Dossier,
    plan: ImportPlan,
    stored: dict[tuple[int, int], CitizenDocument],
) -> DossierDocument:
    catalog = (
        plan.catalog_documents[(item.MaTTHC, doc.GiayToTheoDanhMuc)]
        if doc.GiayToTheoDanhMuc
        else None
    )
    reused_from = stored.get((dossier.pk, position))
    return DossierDocument(
        dossier=dossier,
        position=position,
        name=doc.TenGiayTo,
        required_document_id=catalog,
        requirement=doc.BatBuoc,
        originals=doc.SoBanChinh,
        copies=doc.SoBanSao,
        provided_on_paper=doc.NopBanGiay,
        content_type=doc.LoaiTep,
        size=doc.DungLuong,
        sha256=doc.SHA256,
        digitized=doc.DuocSoHoa,
        digitized_at=doc.ThoiDiemSoHoa,
        digitized_by=_local_actor(doc.NguoiSoHoa, plan.users) if doc.NguoiSoHoa else "",
        reused_from_id=reused_from.pk if reused_from is not None else None,
    )


def _events(
    item: DossierIn,
    dossier: Dossier,
    plan: ImportPlan,
    stored: dict[tuple[int, int], CitizenDocument],
) -> list[DossierEvent]:
    """The log with a fresh hash chain: ``motcua audit verify`` checks imported dossiers too."""
    events = []
    previous = ""
    for seq, event in enumerate(item.QuaTrinhXuLy, start=1):
        data = _local_data(event.DuLieu, users=plan.users, units=plan.units, center=item.MaCoQuan)
        if seq == 1 and "due_at" not in data:
            # The KPI engine reads the first due time from here, else from NgayHenTra, which is
            # the time after any reschedule: written down, lateness cannot move with it.
            due = initial_due(item)
            data["due_at"] = due.isoformat() if isinstance(due, datetime) else due
        if event.HanhDong in (EventAction.DIGITIZE, EventAction.REUSE):
            entry = stored.get((dossier.pk, data.get("position") or 0))
            reuse = event.HanhDong == EventAction.REUSE and entry is not None
            data["citizen_document_id"] = entry.pk if reuse else None
        row = DossierEvent(
            dossier=dossier,
            seq=seq,
            action=event.HanhDong,
            from_status=event.TuTrangThai,
            to_status=event.DenTrangThai,
            actor=_local_actor(event.NguoiXuLy, plan.users),
            at=event.ThoiDiem,
            note=event.NoiDung,
            data=data,
            prev_hash=previous,
        )
        row.hash = row.compute_hash(dossier.code)
        previous = row.hash
        events.append(row)
    return events


def initial_due(item: DossierIn) -> datetime | str | None:
    """The due time set at receipt, for a file whose receive event does not carry DuLieu.due_at.

    NgayHenTra is the due time after every reschedule (Mẫu 04) and supplement: the due time
    before the first of those events (its ``due_before``) is the one the receipt set. Without
    such an event NgayHenTra has never moved.
    """
    for event in item.QuaTrinhXuLy[1:]:
        moves = event.HanhDong in (EventAction.RESCHEDULE, EventAction.SUBMIT_SUPPLEMENT)
        if moves and "due_before" in event.DuLieu:
            return event.DuLieu["due_before"]
    return item.NgayHenTra


def _advance_counters(plan: ImportPlan) -> None:
    """New dossiers of an imported day are numbered after the imported ones."""
    for (center_code, day), number in plan.last_numbers.items():
        center = plan.centers[center_code]
        counter, _ = DossierCounter.objects.get_or_create(center=center, day=day)
        counter = DossierCounter.objects.select_for_update().get(pk=counter.pk)
        if counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])


__all__ = [
    "DossierFileError",
    "DossierIn",
    "ImportConflict",
    "ImportPlan",
    "ImportResult",
    "apply_import",
    "dossier_record",
    "export_dossiers",
    "summarize",
    "validate_import",
]
