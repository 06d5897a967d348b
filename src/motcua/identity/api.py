"""JSON routes for reading a citizen's card at the kiosk: scanned/typed text, or a photo.

Both answer the parsed card plus ``card_token``: the same values signed, to send back with the
form so the server can refuse edits to them (``signing.altered_locked_fields``). Card data
travels in POST bodies only; nothing here logs a payload, and error messages carry none.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.identity.parsing import CardIdentity, IdentityError, parse_identity
from motcua.identity.qrimage import MAX_IMAGE_BYTES, decode_qr_image
from motcua.identity.signing import sign_card

router = Router(tags=["Định danh công dân"])

_MSG_TOO_LARGE = "Ảnh quá lớn (tối đa 8 MB). Vui lòng chụp lại ảnh nhỏ hơn hoặc cắt sát mã QR."


class ParseIn(Schema):
    text: str = Field(
        max_length=2000,
        description="Chuỗi mã QR mặt trước thẻ, số định danh 12 chữ số, hoặc 3 dòng MRZ "
        "mặt sau (ngăn cách bằng xuống dòng); có thể là dòng QR rồi đến 3 dòng MRZ.",
    )


class CardOut(Schema):
    ok: bool = True
    id_number: str = Field(description="Số định danh cá nhân 12 chữ số")
    old_id_number: str | None = Field(description="Số chứng minh nhân dân cũ, nếu có")
    full_name: str | None
    birth_date: date | None
    sex: str | None = Field(description='"Nam" hoặc "Nữ"')
    address: str | None = Field(description="Nơi thường trú / nơi cư trú in trên thẻ")
    issue_date: date | None
    province_code: str = Field(description="Mã nơi đăng ký khai sinh (3 chữ số đầu của số)")
    province_name: str
    source: str = Field(description='"qr", "number" hoặc "mrz"')
    card_token: str = Field(
        description="Các giá trị trên, có chữ ký của máy chủ; gửi kèm biểu mẫu (chỉ trong "
        "thân yêu cầu POST) để máy chủ từ chối mọi sửa đổi."
    )


class FieldErrorOut(Schema):
    field: str
    message: str


class CardErrorOut(Schema):
    ok: bool = False
    detail: str = Field(description="Các thông báo lỗi, nối lại, bằng tiếng Việt")
    errors: list[FieldErrorOut]


class ErrorOut(Schema):
    detail: str


@router.post(
    "/identity/parse",
    response={200: CardOut, 422: CardErrorOut},
    summary="Đọc thông tin thẻ căn cước từ chuỗi quét hoặc nhập tay",
)
def parse_card_text(request: HttpRequest, body: ParseIn):
    try:
        identity = parse_identity(body.text)
    except IdentityError as exc:
        return Status(422, _error_body(exc))
    return Status(200, _card_body(identity))


@router.post(
    "/identity/qr-image",
    response={200: CardOut, 413: ErrorOut, 422: CardErrorOut},
    summary="Đọc mã QR thẻ căn cước từ ảnh chụp (JPEG, PNG, WebP; tối đa 8 MB)",
)
def parse_card_image(request: HttpRequest, image: File[UploadedFile]):
    if image.size is not None and image.size > MAX_IMAGE_BYTES:
        return Status(413, {"detail": _MSG_TOO_LARGE})
    data = image.read(MAX_IMAGE_BYTES + 1)
    try:
        identity = parse_identity(decode_qr_image(data))
    except IdentityError as exc:
        return Status(422, _error_body(exc))
    return Status(200, _card_body(identity))


def _card_body(identity: CardIdentity) -> dict:
    return {"ok": True, **identity.as_dict(), "card_token": sign_card(identity)}


def _error_body(exc: IdentityError) -> dict:
    return {
        "ok": False,
        "detail": str(exc),
        "errors": [{"field": e.field, "message": e.message} for e in exc.errors],
    }
