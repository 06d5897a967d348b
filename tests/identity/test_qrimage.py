from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from motcua.identity.parsing import FieldError, IdentityError, parse_identity
from motcua.identity.qrimage import MAX_IMAGE_BYTES, decode_qr_image

from .helpers import BACKGROUND, QR_EXAMPLE, TODAY, card_photo


def image_error(data: bytes) -> FieldError:
    with pytest.raises(IdentityError) as info:
        decode_qr_image(data)
    assert len(info.value.errors) == 1
    return info.value.errors[0]


class TestDecodeQrImage:
    def test_tilted_blurred_small_jpeg_keeps_diacritics(self):
        assert decode_qr_image(card_photo()) == QR_EXAMPLE

    @pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
    def test_png_and_webp(self, fmt):
        assert decode_qr_image(card_photo(angle=-15, fmt=fmt)) == QR_EXAMPLE

    def test_tiny_blurred_photo_is_read_after_upscaling(self):
        # At this size and blur the first pass finds nothing; the 2x bicubic retry does.
        assert decode_qr_image(card_photo(angle=20, blur=3, scale=0.27)) == QR_EXAMPLE

    def test_decoded_payload_parses(self):
        card = parse_identity(decode_qr_image(card_photo()), today=TODAY)
        assert card.full_name == "Ưng Hoàng Hiệp"

    def test_another_code_in_the_picture_is_ignored(self):
        ticket = segno.make("A-042", micro=False)
        buffer = io.BytesIO()
        ticket.save(buffer, kind="png", scale=10, border=4)
        buffer.seek(0)
        photo = Image.open(io.BytesIO(card_photo(angle=0, blur=0.5, scale=1, fmt="PNG")))
        photo.paste(Image.open(buffer).convert("RGB"), (20, 20))
        out = io.BytesIO()
        photo.save(out, "PNG")
        assert decode_qr_image(out.getvalue()) == QR_EXAMPLE

    def test_not_an_image(self):
        error = image_error(b"%PDF-1.7\n" + b"0" * 100)
        assert error.field == "image"
        assert "không phải là ảnh JPEG, PNG hoặc WebP" in error.message

    def test_image_named_by_extension_only(self):
        assert image_error(b"GIF89a" + b"\x00" * 100).field == "image"

    def test_truncated_image(self):
        data = card_photo()
        error = image_error(data[: len(data) // 3])
        assert error.field == "image"
        assert "Không mở được ảnh" in error.message

    def test_image_without_qr(self):
        image = Image.new("RGB", (640, 480), BACKGROUND)
        out = io.BytesIO()
        image.save(out, "JPEG")
        error = image_error(out.getvalue())
        assert error.field == "image"
        assert error.message.startswith("Không tìm thấy mã QR trong ảnh.")

    def test_too_large(self):
        error = image_error(b"\xff\xd8\xff" + b"\x00" * MAX_IMAGE_BYTES)
        assert "tối đa 8 MB" in error.message

    def test_decompression_bomb(self):
        image = Image.new("1", (10_000, 10_000))
        out = io.BytesIO()
        image.save(out, "PNG")
        assert "độ phân giải quá lớn" in image_error(out.getvalue()).message
