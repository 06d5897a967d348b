"""Attached documents: what a file really is, how big it may be, and where it waits.

The type is read from the first bytes of the content, never from the name or the browser's
content type: a kiosk scanner, a phone photo and a citizen's USB stick all name files freely.

A browser cannot put a file back into an <input type="file"> when a page is re-rendered, so a
form that fails validation for another reason would silently lose the scans the citizen already
attached. The store below keeps every accepted upload under a random token; the form carries the
token in a hidden input and picks the file up again on the next submission.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Content signatures. Readers tolerate junk before a PDF header, but we only allow whitespace:
# a text or HTML file that merely contains "%PDF-" somewhere must not pass as a scan.
JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> str | None:
    """The content type from the first bytes, or None if not JPEG, PNG or PDF."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.lstrip(b" \t\r\n\f\x00").startswith(b"%PDF-"):
        return PDF
    return None


@dataclass(frozen=True)
class CheckedFile:
    # An upload, or a stored file checked again (a citizen's kept copy attached to a dossier).
    file: File
    content_type: str
    size: int
    sha256: str


def check_upload(upload: File) -> CheckedFile:
    """Accept a JPEG photo, PNG scan or PDF under the size limit; raise a Vietnamese error."""
    limit = max_upload_bytes()
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": upload.name}, code="empty")
    if size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn (%(size)s MB); mỗi tệp tối đa %(limit)s MB.")
            % {"name": upload.name, "size": megabytes(size), "limit": megabytes(limit)},
            code="too_large",
        )
    upload.seek(0)
    content_type = sniff(upload.read(1024))
    if content_type is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải ảnh chụp (JPEG), ảnh quét (PNG) hoặc PDF. "
                "Vui lòng chụp hoặc quét lại giấy tờ."
            )
            % {"name": upload.name},
            code="bad_type",
        )
    problem = _image_problem(upload) if content_type in (JPEG, PNG) else None
    if problem == "too_many_pixels":
        raise ValidationError(
            _(
                "Ảnh “%(name)s” có độ phân giải quá lớn. Vui lòng chụp hoặc quét lại với độ "
                "phân giải thấp hơn."
            )
            % {"name": upload.name},
            code="too_many_pixels",
        )
    if problem == "broken":
        raise ValidationError(
            _("Ảnh “%(name)s” bị hỏng hoặc không đọc được. Vui lòng chụp lại.")
            % {"name": upload.name},
            code="broken_image",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, content_type, size, digest.hexdigest())


# An A4 page scanned at 600 dpi is 35 megapixels and a phone photo 12 to 50: more is no document
# anyone photographed, but a small file that would take gigabytes to open (a "decompression
# bomb": 30000 × 30000 pixels in 109 KB made Pillow raise and the page answer 500).
MAX_DOCUMENT_PIXELS = 60_000_000


def _image_problem(upload: File) -> str | None:
    """None for a whole image of a sensible size, else "broken" or "too_many_pixels"."""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_DOCUMENT_PIXELS:
                return "too_many_pixels"
            image.verify()
    except Image.DecompressionBombError:
        return "too_many_pixels"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "broken"
    finally:
        upload.seek(0)
    return None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",")


class UploadStore:
    """Accepted uploads kept on disk between submissions of the same form, keyed by token.

    Tokens are 128-bit random values: a kiosk serves one citizen at a time and the token only
    lives in that citizen's page. `purge` removes what was left behind by abandoned sessions.
    """

    def __init__(self, root: Path | str | None = None):
        if root is None:
            root = Path(settings.MEDIA_ROOT) / "eforms-pending"
        self.root = Path(root)

    def keep(self, checked: CheckedFile) -> str:
        token = secrets.token_hex(16)
        self.root.mkdir(parents=True, exist_ok=True)
        checked.file.seek(0)
        with open(self.root / token, "wb") as out:
            for chunk in checked.file.chunks():
                out.write(chunk)
        checked.file.seek(0)
        meta = {"name": Path(checked.file.name or "tep").name, "content_type": checked.content_type}
        (self.root / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        return token

    def get(self, token: str) -> UploadedFile | None:
        if not TOKEN.match(token or ""):
            return None
        path, meta_path = self.root / token, self.root / f"{token}.json"
        if not path.is_file() or not meta_path.is_file():
            return None
        meta = json.loads(meta_path.read_text("utf-8"))
        return SimpleUploadedFile(meta["name"], path.read_bytes(), meta["content_type"])

    def discard(self, token: str) -> None:
        if TOKEN.match(token or ""):
            for path in (self.root / token, self.root / f"{token}.json"):
                path.unlink(missing_ok=True)

    def purge(self, *, older_than_seconds: float, now: float | None = None) -> int:
        """Delete pending uploads older than the given age; returns how many were removed."""
        if not self.root.is_dir():
            return 0
        now = time.time() if now is None else now
        removed = 0
        for path in self.root.iterdir():
            if TOKEN.match(path.name) and now - path.stat().st_mtime > older_than_seconds:
                self.discard(path.name)
                removed += 1
        return removed
