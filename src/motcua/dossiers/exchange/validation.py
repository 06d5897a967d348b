"""``validate_import``: every line checked (JSON, fields, the history against the workflow
table), then every reference against the database; every fault collected, nothing written.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from pydantic import ValidationError as PydanticValidationError

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.centers.models import Center, Unit
from motcua.dossiers.documents import PERSONAL_ID
from motcua.dossiers.exchange.format import (
    _CODE,
    _INTERNAL_ID_KEYS,
    BATCH,
    FIRST_STATUSES,
    MAX_LINE_BYTES,
    MAX_PROBLEMS,
    STATUS_KEEPING_ACTIONS,
    USERNAME_PREFIX,
    DossierIn,
    _iso,
    _nfc,
    all_digitized,
    summarize,
)
from motcua.dossiers.models import (
    Dossier,
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
    TransitionNotAllowed,
)

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


def _pydantic_message(err: Mapping[str, Any]) -> str:
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
