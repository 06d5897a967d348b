"""Finding the card's QR in a camera photo or an uploaded picture (zxing-cpp).

Kiosk cameras give tilted, slightly blurred, often small pictures of the card: zxing searches
all orientations itself, and when nothing is found we retry on a 2× bicubic upscale (the QR on
the card is dense, 7 fields with an address, and its modules fall below a few pixels in a
photo of the whole card) and then with the global binarizer, which copes better with blur.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from motcua.identity.parsing import FieldError, IdentityError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
# A phone photo is ~12-50 Mpx; far above that is a decompression bomb, not a card.
MAX_IMAGE_PIXELS = 60_000_000
# Upscaling a big picture helps nothing and costs seconds on a kiosk.
_MAX_UPSCALE_SIDE = 2500

_MSG_TOO_LARGE = "Ảnh quá lớn (tối đa 8 MB). Vui lòng chụp lại ảnh nhỏ hơn hoặc cắt sát mã QR."
_MSG_TOO_MANY_PIXELS = (
    "Ảnh có độ phân giải quá lớn. Vui lòng chụp lại ảnh nhỏ hơn hoặc cắt sát mã QR."
)
_MSG_NOT_IMAGE = (
    "Tệp tải lên không phải là ảnh JPEG, PNG hoặc WebP. Vui lòng chụp hoặc chọn lại ảnh mặt "
    "trước thẻ căn cước."
)
_MSG_BROKEN = "Không mở được ảnh (tệp bị hỏng hoặc chưa tải lên hết). Vui lòng chụp lại ảnh."
_MSG_NO_QR = (
    "Không tìm thấy mã QR trong ảnh. Vui lòng chụp lại mặt trước thẻ căn cước, giữ thẻ thẳng, "
    "đủ sáng, không bị lóa và để mã QR ở góc trên bên phải nằm trọn trong khung hình."
)


def image_kind(data: bytes) -> str | None:
    """The format named by the file's first bytes (not by its name or declared type)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_qr_image(data: bytes) -> str:
    """The QR payload text from a JPEG/PNG/WebP picture; raises ``IdentityError`` (field "image")."""
    if len(data) > MAX_IMAGE_BYTES:
        raise IdentityError(FieldError("image", _MSG_TOO_LARGE))
    kind = image_kind(data)
    if kind is None:
        raise IdentityError(FieldError("image", _MSG_NOT_IMAGE))
    image = _open(data, kind)
    for candidate, binarizer in _attempts(image):
        text = _read(candidate, binarizer)
        if text is not None:
            return text
    raise IdentityError(FieldError("image", _MSG_NO_QR))


def _open(data: bytes, kind: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=[kind])
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise IdentityError(FieldError("image", _MSG_TOO_MANY_PIXELS))
            image.load()
            image = ImageOps.exif_transpose(image)
            return image.convert("L")
    except IdentityError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise IdentityError(FieldError("image", _MSG_TOO_MANY_PIXELS)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise IdentityError(FieldError("image", _MSG_BROKEN)) from None


def _attempts(image: Image.Image):
    yield image, zxingcpp.Binarizer.LocalAverage
    upscaled = None
    if max(image.size) <= _MAX_UPSCALE_SIDE:
        upscaled = image.resize(
            (image.width * 2, image.height * 2), resample=Image.Resampling.BICUBIC
        )
        yield upscaled, zxingcpp.Binarizer.LocalAverage
    yield image, zxingcpp.Binarizer.GlobalHistogram
    if upscaled is not None:
        yield upscaled, zxingcpp.Binarizer.GlobalHistogram


def _read(image: Image.Image, binarizer: zxingcpp.Binarizer) -> str | None:
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode), binarizer=binarizer
    )
    texts = [_payload_text(result) for result in results if result.valid]
    if not texts:
        return None
    # A picture may also catch another code (a queue ticket, a poster): prefer the card's.
    return next((text for text in texts if "|" in text), texts[0])


def _payload_text(result: zxingcpp.Barcode) -> str:
    # The card encodes UTF-8 in byte mode, usually without an ECI marker; zxing may then guess
    # another charset (Shift_JIS, Latin-1) and garble the diacritics. Decode the bytes ourselves.
    raw = bytes(result.bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return result.text
