"""Attached files: type by content, size limit, the pending store."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.eforms.uploads import JPEG, PDF, PNG, UploadStore, check_upload, sniff


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, fmt)
    return buffer.getvalue()


class TestSniff:
    def test_recognizes_the_three_accepted_types(self):
        assert sniff(image_bytes("JPEG")) == JPEG
        assert sniff(image_bytes("PNG")) == PNG
        assert sniff(b"%PDF-1.7\n") == PDF
        assert sniff(b"\r\n%PDF-1.4\n") == PDF

    def test_rejects_everything_else(self):
        assert sniff(b"GIF89a") is None
        assert sniff(b"PK\x03\x04 docx") is None
        assert sniff(b"<html>%PDF-1.4") is None
        assert sniff(b"text mentioning %PDF-1.4") is None


class TestCheckUpload:
    def test_photo_named_like_a_document_is_still_a_photo(self):
        checked = check_upload(SimpleUploadedFile("giay.docx", image_bytes("JPEG"), "x/y"))
        assert checked.content_type == JPEG

    def test_png_scan_is_accepted(self):
        assert check_upload(SimpleUploadedFile("scan.png", image_bytes("PNG"))).content_type == PNG

    def test_truncated_image_is_refused(self):
        broken = image_bytes("PNG")[:40]
        with pytest.raises(ValidationError, match="bị hỏng"):
            check_upload(SimpleUploadedFile("scan.png", broken))

    @pytest.mark.parametrize("side", [12000, 30000])
    def test_decompression_bomb_is_refused_with_a_message(self, side):
        """Found by the black-box review: a 109 KB 1-bit PNG of 30000 × 30000 pixels made Pillow
        raise DecompressionBombError (a 500 at the kiosk and in the back office); 12000 × 12000
        slipped under Pillow's own limit and was stored."""
        buffer = io.BytesIO()
        Image.new("1", (side, side), 1).save(buffer, "PNG", optimize=True)
        with pytest.raises(ValidationError, match="độ phân giải quá lớn"):
            check_upload(SimpleUploadedFile("bomb.png", buffer.getvalue()))

    def test_an_a4_scan_at_600_dpi_is_accepted(self):
        buffer = io.BytesIO()
        Image.new("1", (4960, 7016), 1).save(buffer, "PNG")
        assert check_upload(SimpleUploadedFile("a4.png", buffer.getvalue())).content_type == PNG

    def test_empty_file_is_refused(self):
        with pytest.raises(ValidationError, match="rỗng"):
            check_upload(SimpleUploadedFile("scan.pdf", b""))

    def test_size_limit_comes_from_settings(self, settings):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
        big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
        with pytest.raises(ValidationError, match="tối đa 10 MB"):
            check_upload(SimpleUploadedFile("big.pdf", big))


class TestUploadStore:
    def test_keeps_and_returns_a_file(self, tmp_path):
        store = UploadStore(tmp_path)
        checked = check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
        token = store.keep(checked)
        kept = store.get(token)
        assert kept.name == "a.pdf" and kept.read() == b"%PDF-1.4 x"
        assert kept.content_type == PDF
        store.discard(token)
        assert store.get(token) is None

    def test_rejects_tokens_that_are_not_its_own(self, tmp_path):
        store = UploadStore(tmp_path)
        assert store.get("../secret") is None
        assert store.get("0" * 32) is None

    def test_purge_removes_abandoned_files(self, tmp_path):
        store = UploadStore(tmp_path)
        token = store.keep(check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")))
        assert store.purge(older_than_seconds=3600) == 0
        assert store.purge(older_than_seconds=3600, now=1e12) == 1
        assert store.get(token) is None
