"""Builders for card data in tests: QR payloads and TD1 MRZ lines with correct check digits."""

from __future__ import annotations

import io
from datetime import date

import segno
from PIL import Image, ImageFilter

from motcua.identity.parsing import mrz_check_digit

TODAY = date(2026, 6, 15)

# The public mock from domain.md §2.3; all five check digits verify.
MRZ_EXAMPLE = (
    "IDVNM0930470641001093047064<<2\n9301054M3301052VNM<<<<<<<<<<<8\nUNG<<HOANG<HIEP<<<<<<<<<<<<<<<"
)
QR_EXAMPLE = (
    "001093047064|012345678|Ưng Hoàng Hiệp|05011993|Nam|"
    "Số 12 ngõ 34 phố Nguyễn Trãi, Phường Thanh Xuân Trung, Quận Thanh Xuân, Hà Nội|15042021"
)


def qr_payload(
    id_number: str = "001093047064",
    old_id: str = "012345678",
    name: str = "Ưng Hoàng Hiệp",
    birth: str = "05011993",
    sex: str = "Nam",
    address: str = "Hà Nội",
    issue: str = "15042021",
) -> str:
    return "|".join([id_number, old_id, name, birth, sex, address, issue])


def mrz_lines(
    id_number: str,
    birth: date,
    sex: str,
    expiry: date,
    surname: str,
    given: list[str],
) -> list[str]:
    doc = id_number[3:]
    line1 = "IDVNM" + doc + mrz_check_digit(doc) + id_number + "<<" + mrz_check_digit(id_number)
    dob = birth.strftime("%y%m%d")
    exp = expiry.strftime("%y%m%d")
    line2 = dob + mrz_check_digit(dob) + ("M" if sex == "Nam" else "F")
    line2 += exp + mrz_check_digit(exp) + "VNM" + "<" * 11
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += mrz_check_digit(composite)
    line3 = (surname + "<<" + "<".join(given))[:30].ljust(30, "<")
    return [line1, line2, line3]


BACKGROUND = (205, 195, 175)


def card_photo(
    payload: str = QR_EXAMPLE,
    *,
    angle: float = 20,
    blur: float = 1.5,
    scale: float = 0.35,
    fmt: str = "JPEG",
) -> bytes:
    """The QR (UTF-8, as on the card) on a larger canvas, tilted, blurred, shrunk, compressed."""
    qr = segno.make(payload, encoding="utf-8", error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    code = Image.open(buffer).convert("RGB")
    canvas = Image.new("RGB", (code.width + 800, code.height + 600), BACKGROUND)
    canvas.paste(code, (500, 250))
    canvas = canvas.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=BACKGROUND
    )
    canvas = canvas.filter(ImageFilter.GaussianBlur(blur))
    canvas = canvas.resize(
        (int(canvas.width * scale), int(canvas.height * scale)), Image.Resampling.BILINEAR
    )
    out = io.BytesIO()
    canvas.save(out, fmt, **({"quality": 70} if fmt == "JPEG" else {}))
    return out.getvalue()
