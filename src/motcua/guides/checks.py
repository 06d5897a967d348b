"""What a center may upload as a guide: the type from the bytes, never from the name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MP4, WEBM, JPEG, PNG = "video/mp4", "video/webm", "image/jpeg", "image/png"
VIDEO_TYPES = frozenset({MP4, WEBM})
MAX_VIDEO_BYTES = 100 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_CAPTIONS_BYTES = 200 * 1024


def sniff_media(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_media(upload) -> str:
    """The sniffed type of a guide's video or image; a Vietnamese ValidationError otherwise."""
    upload.seek(0)
    kind = sniff_media(upload.read(64))
    upload.seek(0)
    if kind is None:
        raise ValidationError(_("Tệp phải là video MP4, WebM hoặc ảnh JPEG, PNG."))
    limit = (
        _limit("MOTCUA_GUIDE_MAX_VIDEO_BYTES", MAX_VIDEO_BYTES)
        if kind in VIDEO_TYPES
        else _limit("MOTCUA_GUIDE_MAX_IMAGE_BYTES", MAX_IMAGE_BYTES)
    )
    if (upload.size or 0) > limit:
        raise ValidationError(_("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    if not upload.size:
        raise ValidationError(_("Tệp rỗng."))
    return kind


def check_captions(upload) -> None:
    """A WebVTT file: UTF-8 text that starts with "WEBVTT" (W3C WebVTT §4.1)."""
    if (upload.size or 0) > MAX_CAPTIONS_BYTES:
        raise ValidationError(_("Tệp phụ đề quá lớn: tối đa 200 KB."))
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Tệp phụ đề phải là văn bản UTF-8.")) from exc
    first = text.split("\n", 1)[0].rstrip("\r")
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(_("Tệp phụ đề phải là định dạng WebVTT (bắt đầu bằng WEBVTT)."))
    if "\x00" in text:
        raise ValidationError(_("Tệp phụ đề có ký tự không hợp lệ."))
