"""Reading a citizen's identity from what the card gives us: QR payload, typed number or MRZ.

Pure Python (no models, no settings): the kiosk API, the officer desk and the CLI all call
``parse_identity``. Every fault becomes a ``FieldError`` with a Vietnamese message that tells
the citizen what to do; messages never repeat the personal data they complain about, so an
``IdentityError`` can be shown or logged without leaking a name or a number.

Card facts (payload layout, TD1 MRZ, number structure) are in shared/reference/domain.md §2.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua.core.text import has_unsafe_characters

SEX_MALE = "Nam"
SEX_FEMALE = "Nữ"

SOURCE_QR = "qr"
SOURCE_NUMBER = "number"
SOURCE_MRZ = "mrz"

_LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The birth-registration province is `0` + the pre-2025 two-digit GSO code (TT 07/2016/TT-BCA
# Đ.7, restated by TT 59/2021/TT-BCA, Phụ lục). Numbers already issued never change after the
# 2025 merger, so all 63 old codes stay valid.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "TP Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Births registered abroad carry "mã quốc gia nơi công dân đăng ký khai sinh" instead of a
# province code (TT 59/2021/TT-BCA, Phụ lục: danh mục mã quốc gia). ASSUMPTION, not verified
# against the appendix text (no copy was reachable offline): those country codes are 3-digit
# codes outside the province block 001-096, i.e. 100-999; we accept the whole range rather than
# reject a real card. Codes below 100 that are not one of the 63 provinces are rejected.
# Revisit with the appendix of TT 59/2021/TT-BCA and narrow this to its list.
ABROAD_CODE_MIN = 100
ABROAD_PROVINCE_NAME = "Đăng ký khai sinh ở nước ngoài"

# Fourth digit of the number: century of birth and sex (TT 59/2021/TT-BCA; domain.md §2.4).
_CENTURY_BY_GENDER_DIGIT = {g: 1900 + (g // 2) * 100 for g in range(10)}

_MSG = {
    "empty": "Chưa có dữ liệu thẻ. Vui lòng quét mã QR ở mặt trước thẻ căn cước hoặc nhập số "
    "định danh 12 chữ số.",
    "unknown": "Không nhận ra dữ liệu thẻ. Vui lòng quét mã QR ở mặt trước thẻ, nhập số định "
    "danh 12 chữ số, hoặc nhập 3 dòng mã MRZ ở mặt sau thẻ.",
    "id_digits": "Số định danh phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại số in trên thẻ.",
    "id_province": "Ba chữ số đầu của số định danh không phải là mã tỉnh, thành phố hay mã quốc "
    "gia nơi đăng ký khai sinh. Vui lòng kiểm tra lại số in trên thẻ.",
    "id_century": "Chữ số thứ 4 của số định danh (mã thế kỷ sinh) không khớp với năm sinh. "
    "Vui lòng kiểm tra lại số định danh và ngày sinh trên thẻ.",
    "id_year": "Chữ số thứ 5 và 6 của số định danh (năm sinh) không khớp với năm sinh. "
    "Vui lòng kiểm tra lại số định danh và ngày sinh trên thẻ.",
    "id_sex": "Chữ số thứ 4 của số định danh (mã giới tính) không khớp với giới tính. "
    "Vui lòng kiểm tra lại số định danh và giới tính trên thẻ.",
    "id_future": "Số định danh ứng với một năm sinh chưa tới. Vui lòng kiểm tra lại số in "
    "trên thẻ.",
    "old_id": "Số chứng minh nhân dân cũ phải gồm 9 hoặc 12 chữ số. Vui lòng quét lại mã QR.",
    "qr_fields": "Mã QR không đủ thông tin (cần ít nhất 7 mục ngăn cách bởi dấu |). Vui lòng "
    "quét lại mã QR ở góc trên bên phải mặt trước thẻ.",
    "name_missing": "Mã QR không có họ và tên. Vui lòng quét lại mã QR ở mặt trước thẻ.",
    "birth_missing": "Thiếu ngày sinh. Vui lòng quét lại mã QR ở mặt trước thẻ.",
    "birth_format": "Ngày sinh phải có dạng ngày tháng năm gồm 8 chữ số (ví dụ 05011993). "
    "Vui lòng quét lại mã QR.",
    "birth_invalid": "Ngày sinh không phải là ngày có thật. Vui lòng kiểm tra lại ngày sinh "
    "trên thẻ.",
    "birth_future": "Ngày sinh không thể sau ngày hôm nay. Vui lòng kiểm tra lại ngày sinh "
    "trên thẻ.",
    "sex_invalid": "Giới tính phải là “Nam” hoặc “Nữ”. Vui lòng quét lại mã QR.",
    "issue_format": "Ngày cấp phải có dạng ngày tháng năm gồm 8 chữ số (ví dụ 15042021). "
    "Vui lòng quét lại mã QR.",
    "issue_invalid": "Ngày cấp không phải là ngày có thật. Vui lòng kiểm tra lại ngày cấp "
    "trên thẻ.",
    "issue_future": "Ngày cấp không thể sau ngày hôm nay. Vui lòng kiểm tra lại ngày cấp trên thẻ.",
    "issue_before_birth": "Ngày cấp phải sau ngày sinh. Vui lòng kiểm tra lại ngày cấp và "
    "ngày sinh trên thẻ.",
    "mrz_shape": "Mã MRZ phải gồm 3 dòng, mỗi dòng 30 ký tự (chữ in hoa, chữ số và dấu <). "
    "Vui lòng nhập lại đúng 3 dòng ở mặt sau thẻ.",
    "mrz_type": "Mã MRZ không phải của thẻ căn cước Việt Nam (dòng 1 phải bắt đầu bằng "
    "IDVNM). Vui lòng kiểm tra lại dòng 1 ở mặt sau thẻ.",
    "mrz_doc_number": "Số thẻ ở dòng 1 của mã MRZ sai chữ số kiểm tra. Vui lòng kiểm tra lại "
    "dòng 1 ở mặt sau thẻ.",
    "mrz_id_number": "Số định danh ở dòng 1 của mã MRZ sai chữ số kiểm tra. Vui lòng kiểm tra "
    "lại dòng 1 ở mặt sau thẻ.",
    "mrz_id_mismatch": "Số thẻ và số định danh ở dòng 1 của mã MRZ không khớp nhau. Vui lòng "
    "kiểm tra lại dòng 1 ở mặt sau thẻ.",
    "mrz_birth": "Ngày sinh ở dòng 2 của mã MRZ sai chữ số kiểm tra. Vui lòng kiểm tra lại "
    "dòng 2 ở mặt sau thẻ.",
    "mrz_birth_invalid": "Ngày sinh ở dòng 2 của mã MRZ không phải là ngày có thật. Vui lòng "
    "kiểm tra lại dòng 2 ở mặt sau thẻ.",
    "mrz_sex": "Giới tính ở dòng 2 của mã MRZ phải là M hoặc F. Vui lòng kiểm tra lại dòng 2 "
    "ở mặt sau thẻ.",
    "mrz_expiry": "Ngày hết hạn ở dòng 2 của mã MRZ sai chữ số kiểm tra. Vui lòng kiểm tra "
    "lại dòng 2 ở mặt sau thẻ.",
    "mrz_expiry_invalid": "Ngày hết hạn ở dòng 2 của mã MRZ không phải là ngày có thật. Vui "
    "lòng kiểm tra lại dòng 2 ở mặt sau thẻ.",
    "mrz_nationality": "Quốc tịch ở dòng 2 của mã MRZ phải là VNM. Vui lòng kiểm tra lại dòng "
    "2 ở mặt sau thẻ.",
    "mrz_composite": "Chữ số kiểm tra tổng hợp (cuối dòng 2) của mã MRZ không đúng. Vui lòng "
    "kiểm tra lại dòng 1 và dòng 2 ở mặt sau thẻ.",
    "mrz_name": "Dòng 3 của mã MRZ không có họ tên. Vui lòng kiểm tra lại dòng 3 ở mặt sau thẻ.",
    "cross_id": "Số định danh trong mã QR và trong mã MRZ ở mặt sau không khớp nhau. Vui lòng "
    "kiểm tra rằng cả hai được đọc từ cùng một thẻ.",
    "cross_birth": "Ngày sinh trong mã QR và trong mã MRZ ở mặt sau không khớp nhau. Vui lòng "
    "kiểm tra rằng cả hai được đọc từ cùng một thẻ.",
    "cross_sex": "Giới tính trong mã QR và trong mã MRZ ở mặt sau không khớp nhau. Vui lòng "
    "kiểm tra rằng cả hai được đọc từ cùng một thẻ.",
    "cross_name": "Họ tên trong mã QR và trong mã MRZ ở mặt sau không khớp nhau. Vui lòng "
    "kiểm tra rằng cả hai được đọc từ cùng một thẻ.",
    "unsafe": "Dữ liệu thẻ có ký tự ẩn hoặc ký tự điều khiển (ký tự rỗng, ký tự đổi chiều chữ "
    "hoặc ký tự không độ rộng). Thẻ căn cước không có các ký tự này; chúng có thể làm họ tên "
    "trên phiếu hẹn hiển thị sai. Vui lòng quét lại mã QR ở mặt trước thẻ hoặc nhập lại số "
    "định danh bằng bàn phím.",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class IdentityError(ValueError):
    """One or more faults in card data; ``errors`` has one entry per fault, for the UI."""

    def __init__(
        self,
        errors: list[FieldError] | FieldError | str,
        *,
        field: str = "text",
    ) -> None:
        if isinstance(errors, str):
            errors = [FieldError(field, errors)]
        elif isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = list(errors)
        super().__init__(" ".join(e.message for e in self.errors))


@dataclass(frozen=True)
class CardIdentity:
    id_number: str
    old_id_number: str | None
    full_name: str | None
    birth_date: date | None
    sex: str | None
    address: str | None
    issue_date: date | None
    province_code: str
    province_name: str
    source: str

    def as_dict(self) -> dict:
        return {
            "id_number": self.id_number,
            "old_id_number": self.old_id_number,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "address": self.address,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "source": self.source,
        }


def local_today() -> date:
    return datetime.now(_LOCAL_TZ).date()


def province_name(code: str) -> str | None:
    """Name of the place of birth registration for a 3-digit code; None when unknown."""
    if code in PROVINCE_CODES:
        return PROVINCE_CODES[code]
    if len(code) == 3 and code.isdigit() and int(code) >= ABROAD_CODE_MIN:
        return ABROAD_PROVINCE_NAME
    return None


def validate_id_number(
    number: str,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
    field: str = "id_number",
    today: date | None = None,
) -> list[FieldError]:
    """Check a 12-digit personal number; there is no check digit, only its structure.

    ``PPP G YY RRRRRR``: birth-registration province (or country), century+sex digit, last
    two digits of the birth year, random sequence (TT 59/2021/TT-BCA; domain.md §2.4).
    """
    if not re.fullmatch(r"[0-9]{12}", number or "", flags=re.ASCII):
        return [FieldError(field, _MSG["id_digits"])]
    today = today or local_today()
    errors: list[FieldError] = []
    if province_name(number[:3]) is None:
        errors.append(FieldError(field, _MSG["id_province"]))
    gender_digit = int(number[3])
    year_in_century = int(number[4:6])
    century = _CENTURY_BY_GENDER_DIGIT[gender_digit]
    if birth_date is not None:
        if birth_date.year // 100 * 100 != century:
            errors.append(FieldError(field, _MSG["id_century"]))
        if birth_date.year % 100 != year_in_century:
            errors.append(FieldError(field, _MSG["id_year"]))
    elif century + year_in_century > today.year:
        errors.append(FieldError(field, _MSG["id_future"]))
    if sex is not None and sex != (SEX_MALE if gender_digit % 2 == 0 else SEX_FEMALE):
        errors.append(FieldError(field, _MSG["id_sex"]))
    return errors


def parse_identity(text: str, *, today: date | None = None) -> CardIdentity:
    """Read a QR payload, a typed 12-digit number, MRZ lines, or a QR line followed by MRZ lines.

    Raises ``IdentityError`` listing every fault found; never anything else.
    """
    today = today or local_today()
    text = _normalize_text(text if isinstance(text, str) else "")
    if not text.strip():
        raise IdentityError(_MSG["empty"])
    # NUL, control, bidirectional and zero-width characters are never part of a card: refused,
    # not stripped, so that no hidden character reaches the slip or the database.
    if has_unsafe_characters(text):
        raise IdentityError(_MSG["unsafe"])

    if "|" in text:
        qr_text, mrz_lines = _split_qr_and_mrz(text)
        qr, errors = _parse_qr(qr_text, today)
        if mrz_lines:
            mrz, mrz_errors = _parse_mrz(mrz_lines, today)
            errors += mrz_errors
            if qr is not None and mrz is not None:
                errors += _cross_check(qr, mrz)
        if errors:
            raise IdentityError(errors)
        assert qr is not None
        return qr

    compact = re.sub(r"\s+", "", _strip_prefixes(text))
    if re.fullmatch(r"[0-9.\-]+", compact, flags=re.ASCII):
        return _parse_number(compact.replace(".", "").replace("-", ""), today)
    if "<" not in compact and len(re.findall(r"[0-9]", compact)) >= 6:
        # Mostly digits with a slip of the finger: the citizen was typing the number.
        raise IdentityError(FieldError("id_number", _MSG["id_digits"]))

    lines = [re.sub(r"\s+", "", line).upper() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and all(re.fullmatch(r"[A-Z0-9<]+", line) for line in lines) and "<" in text:
        identity, errors = _parse_mrz(lines, today)
        if errors:
            raise IdentityError(errors)
        assert identity is not None
        return identity

    raise IdentityError(_MSG["unknown"])


# --- input clean-up -------------------------------------------------------------------------

# AIM symbology identifier that some scanners prepend: "]Q1" for QR, "]d2" for DataMatrix...
_AIM_PREFIX = re.compile(r"^\s*\][A-Za-z][0-9A-Za-z]")
# Labels that kiosk apps and scanner profiles put before the number: "CCCD:", "Số CCCD: ",
# "ID=" (any short label ending in a separator), or a known label without one ("CCCD 001...").
_LABEL_PREFIX = re.compile(
    r"^\s*(?:[^\W\d][^:=#|\d\n]{0,30}[:=#]"
    r"|(?:s[ốo]\s*)?(?:cccd|cmnd|căn\s*cước(?:\s*công\s*dân)?|định\s*danh)\b)\s*",
    re.IGNORECASE,
)


def _normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # The CLI and some kiosk configs pass MRZ lines joined by a literal backslash-n.
    text = text.replace("\\r", "").replace("\\n", "\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A byte-order mark that some keyboard-wedge scanners send before the payload is not data;
    # any other invisible character is refused by parse_identity.
    return text.strip("\ufeff")


def _strip_prefixes(text: str) -> str:
    text = _AIM_PREFIX.sub("", text)
    return _LABEL_PREFIX.sub("", text)


def _clean_words(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _is_mrz_line(line: str) -> bool:
    compact = re.sub(r"\s+", "", line).upper()
    return len(compact) >= 25 and "<" in compact and bool(re.fullmatch(r"[A-Z0-9<]+", compact))


def _split_qr_and_mrz(text: str) -> tuple[str, list[str]]:
    qr_parts: list[str] = []
    mrz_lines: list[str] = []
    for line in text.split("\n"):
        if "|" not in line and _is_mrz_line(line):
            mrz_lines.append(re.sub(r"\s+", "", line).upper())
        else:
            qr_parts.append(line)
    # A stray Enter inside the payload splits it; join the pieces back with a space, which
    # the per-field clean-up collapses (names, addresses) or removes (digits).
    return " ".join(qr_parts), mrz_lines


# --- QR -------------------------------------------------------------------------------------


def _parse_qr(text: str, today: date) -> tuple[CardIdentity | None, list[FieldError]]:
    fields = text.split("|")
    if len(fields) < 7:
        return None, [FieldError("text", _MSG["qr_fields"])]
    raw_number, raw_old, raw_name, raw_birth, raw_sex, raw_address, raw_issue = fields[:7]
    errors: list[FieldError] = []

    id_number = re.sub(r"\s+", "", _strip_prefixes(raw_number))

    old_id_number: str | None = re.sub(r"\s+", "", _LABEL_PREFIX.sub("", raw_old)) or None
    if old_id_number is not None and not re.fullmatch(
        r"[0-9]{9}|[0-9]{12}", old_id_number, flags=re.ASCII
    ):
        errors.append(FieldError("old_id_number", _MSG["old_id"]))

    full_name = _clean_words(raw_name) or None
    if full_name is None:
        errors.append(FieldError("full_name", _MSG["name_missing"]))

    birth_date = _parse_ddmmyyyy(raw_birth, "birth_date", "birth", errors)
    if birth_date is None and not _clean_words(raw_birth):
        errors.append(FieldError("birth_date", _MSG["birth_missing"]))
    if birth_date is not None and birth_date > today:
        errors.append(FieldError("birth_date", _MSG["birth_future"]))

    sex = _parse_sex(raw_sex)
    if sex is None:
        errors.append(FieldError("sex", _MSG["sex_invalid"]))

    address = _clean_words(raw_address) or None

    issue_date = _parse_ddmmyyyy(raw_issue, "issue_date", "issue", errors)
    if issue_date is not None:
        if issue_date > today:
            errors.append(FieldError("issue_date", _MSG["issue_future"]))
        if birth_date is not None and issue_date <= birth_date:
            errors.append(FieldError("issue_date", _MSG["issue_before_birth"]))

    errors += validate_id_number(id_number, birth_date=birth_date, sex=sex, today=today)
    if errors:
        return None, errors
    return (
        CardIdentity(
            id_number=id_number,
            old_id_number=old_id_number,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            address=address,
            issue_date=issue_date,
            province_code=id_number[:3],
            province_name=province_name(id_number[:3]) or "",
            source=SOURCE_QR,
        ),
        [],
    )


def _parse_ddmmyyyy(raw: str, field: str, kind: str, errors: list[FieldError]) -> date | None:
    value = re.sub(r"[\s/.\-]", "", raw)
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{8}", value, flags=re.ASCII):
        errors.append(FieldError(field, _MSG[f"{kind}_format"]))
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        errors.append(FieldError(field, _MSG[f"{kind}_invalid"]))
        return None


def _parse_sex(raw: str) -> str | None:
    folded = fold(raw).lower().replace(" ", "")
    if folded == "nam":
        return SEX_MALE
    if folded == "nu":
        return SEX_FEMALE
    return None


def fold(text: str) -> str:
    """Strip Vietnamese diacritics (đ→d) and collapse whitespace: the MRZ's view of a name."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _clean_words(stripped)


# --- typed number ---------------------------------------------------------------------------


def _parse_number(number: str, today: date) -> CardIdentity:
    errors = validate_id_number(number, today=today)
    if errors:
        raise IdentityError(errors)
    return CardIdentity(
        id_number=number,
        old_id_number=None,
        full_name=None,
        birth_date=None,
        sex=None,
        address=None,
        issue_date=None,
        province_code=number[:3],
        province_name=province_name(number[:3]) or "",
        source=SOURCE_NUMBER,
    )


# --- MRZ (ICAO 9303 TD1) --------------------------------------------------------------------


def mrz_check_digit(value: str) -> str:
    """ICAO 9303 check digit: weights 7,3,1 repeating; '<'=0, digits as is, A=10 ... Z=35."""
    total = 0
    for index, char in enumerate(value):
        if char.isdigit():
            number = int(char)
        elif "A" <= char <= "Z":
            number = ord(char) - ord("A") + 10
        else:
            number = 0
        total += number * (7, 3, 1)[index % 3]
    return str(total % 10)


def _mrz_lines(lines: list[str]) -> list[str] | None:
    if len(lines) == 1 and len(lines[0]) == 90:
        lines = [lines[0][:30], lines[0][30:60], lines[0][60:]]
    if len(lines) != 3 or any(len(line) != 30 for line in lines):
        return None
    return lines


def _yymmdd(value: str, century: int) -> date | None:
    try:
        return date(century + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None


def _parse_mrz(raw_lines: list[str], today: date) -> tuple[CardIdentity | None, list[FieldError]]:
    lines = _mrz_lines(raw_lines)
    if lines is None:
        return None, [FieldError("mrz", _MSG["mrz_shape"])]
    line1, line2, line3 = lines
    if line1[0] != "I" or line1[2:5] != "VNM":
        return None, [FieldError("mrz", _MSG["mrz_type"])]

    errors: list[FieldError] = []
    # Line 1: document number = last 9 digits of the personal number, its check digit, then the
    # full 12-digit number in the optional data with its own check digit in the last position.
    doc_number, doc_check = line1[5:14], line1[14]
    optional = line1[15:29]
    id_number = optional.rstrip("<")
    id_check = line1[29]
    if not doc_number.isdigit() or mrz_check_digit(doc_number) != doc_check:
        errors.append(FieldError("id_number", _MSG["mrz_doc_number"]))
    if not re.fullmatch(r"[0-9]{12}<*", optional) or mrz_check_digit(id_number) != id_check:
        errors.append(FieldError("id_number", _MSG["mrz_id_number"]))
    elif id_number[3:] != doc_number:
        errors.append(FieldError("id_number", _MSG["mrz_id_mismatch"]))

    # Line 2: birth date YYMMDD + check, sex, expiry YYMMDD + check, nationality, composite.
    birth_raw, birth_check = line2[0:6], line2[6]
    sex_raw = line2[7]
    expiry_raw, expiry_check = line2[8:14], line2[14]
    birth_date: date | None = None
    if not birth_raw.isdigit() or mrz_check_digit(birth_raw) != birth_check:
        errors.append(FieldError("birth_date", _MSG["mrz_birth"]))
    else:
        birth_date = _yymmdd(birth_raw, _mrz_birth_century(birth_raw, id_number, today))
        if birth_date is None:
            errors.append(FieldError("birth_date", _MSG["mrz_birth_invalid"]))
        elif birth_date > today:
            errors.append(FieldError("birth_date", _MSG["birth_future"]))
    sex = {"M": SEX_MALE, "F": SEX_FEMALE}.get(sex_raw)
    if sex is None and sex_raw != "<":
        errors.append(FieldError("sex", _MSG["mrz_sex"]))
    # Cards for citizens past 60 have no expiry; ICAO then fills the date with '<'.
    if expiry_raw != "<<<<<<" or expiry_check not in "<0":
        if not expiry_raw.isdigit() or mrz_check_digit(expiry_raw) != expiry_check:
            errors.append(FieldError("expiry_date", _MSG["mrz_expiry"]))
        elif _yymmdd(expiry_raw, 2000) is None:
            errors.append(FieldError("expiry_date", _MSG["mrz_expiry_invalid"]))
    if line2[15:18] != "VNM":
        errors.append(FieldError("mrz", _MSG["mrz_nationality"]))
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    # A wrong field check digit already implies a wrong composite; report the specific one only.
    if not errors and mrz_check_digit(composite) != line2[29]:
        errors.append(FieldError("mrz", _MSG["mrz_composite"]))

    full_name = _mrz_name(line3)
    if full_name is None:
        errors.append(FieldError("full_name", _MSG["mrz_name"]))

    if not errors:
        errors += validate_id_number(id_number, birth_date=birth_date, sex=sex, today=today)
    if errors:
        return None, errors
    return (
        CardIdentity(
            id_number=id_number,
            old_id_number=None,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            address=None,
            issue_date=None,
            province_code=id_number[:3],
            province_name=province_name(id_number[:3]) or "",
            source=SOURCE_MRZ,
        ),
        [],
    )


def _mrz_birth_century(birth_raw: str, id_number: str, today: date) -> int:
    # The personal number's fourth digit states the century exactly; fall back to "not in the
    # future" only when the number itself is unreadable.
    if re.fullmatch(r"[0-9]{12}", id_number):
        return _CENTURY_BY_GENDER_DIGIT[int(id_number[3])]
    century = today.year // 100 * 100
    return century - 100 if century + int(birth_raw[:2]) > today.year else century


def _mrz_name(line3: str) -> str | None:
    surname, _, given = line3.partition("<<")
    words = (surname + " " + given).replace("<", " ").split()
    if not words or not all(word.isalpha() for word in words):
        return None
    return " ".join(word.capitalize() for word in words)


def _cross_check(qr: CardIdentity, mrz: CardIdentity) -> list[FieldError]:
    errors: list[FieldError] = []
    if qr.id_number != mrz.id_number:
        errors.append(FieldError("id_number", _MSG["cross_id"]))
    if qr.birth_date != mrz.birth_date:
        errors.append(FieldError("birth_date", _MSG["cross_birth"]))
    if mrz.sex is not None and qr.sex != mrz.sex:
        errors.append(FieldError("sex", _MSG["cross_sex"]))
    if qr.full_name and mrz.full_name:
        qr_name = re.sub(r"[^A-Z ]", " ", fold(qr.full_name).upper()).split()
        mrz_name = mrz.full_name.upper().split()
        # TD1 line 3 holds 30 characters; longer names are cut, so compare the visible part.
        truncated = len(_mrz_layout(mrz_name)) >= 30
        if qr_name != mrz_name and not (
            truncated and " ".join(qr_name).startswith(" ".join(mrz_name))
        ):
            errors.append(FieldError("full_name", _MSG["cross_name"]))
    return errors


def _mrz_layout(words: list[str]) -> str:
    if not words:
        return ""
    return words[0] + "<<" + "<".join(words[1:])
