"""Pages of a PDF as PNG images, for the leader's preview of the result before signing.

An image shows the same in every browser: Chromium's PDF viewer is absent from headless and
kiosk builds, and an ``<img>`` needs no change to the strict Content-Security-Policy. The
rasterizer is poppler's ``pdftoppm`` (apt package poppler-utils); without it the page falls back
to the PDF in a same-origin ``<iframe>``.
"""

from __future__ import annotations

import io
import shutil
import subprocess

from pyhanko.pdf_utils.reader import PdfFileReader

RESOLUTION_DPI = 110  # an A4 page 910 px wide: readable in the page column, sharp when zoomed
TIMEOUT_SECONDS = 15
MAX_PAGES = 20


class PreviewError(Exception):
    pass


def rasterizer() -> str | None:
    return shutil.which("pdftoppm")


def page_count(pdf: bytes) -> int:
    count = PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]
    return min(int(count), MAX_PAGES)


def page_png(pdf: bytes, page: int, *, dpi: int = RESOLUTION_DPI) -> bytes:
    """Page ``page`` (from 1) of ``pdf`` as PNG bytes; PreviewError if it cannot be drawn."""
    program = rasterizer()
    if program is None:
        raise PreviewError("pdftoppm is not installed")
    if not 1 <= page <= page_count(pdf):
        raise PreviewError(f"no page {page}")
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, arguments are integers
            [program, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PreviewError(type(exc).__name__) from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise PreviewError(f"pdftoppm exited with {done.returncode}")
    return done.stdout
