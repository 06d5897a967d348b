"""Serving a stored file with HTTP range requests (RFC 9110 §14): a phone seeks in a guide video
without downloading it whole. Django's FileResponse sends the whole file; this answers one
byte range with 206 Partial Content, a range it cannot satisfy (or cannot parse) with 416."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class BadRange(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, of a single-range header; None without a header."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise BadRange(header)
    first, last = match.group(1), match.group(2)
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise BadRange(header)
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise BadRange(header)
    return start, end


def _chunks(handle, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_response(request, field_file, content_type: str) -> HttpResponseBase:
    size = field_file.size
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except BadRange:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(end - start + 1, 0)
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(status=206 if wanted else 200, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _chunks(field_file.open("rb"), start, length),
            status=206 if wanted else 200,
            content_type=content_type,
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    # Public, unchanging files (a new upload gets a new name): cacheable for a day.
    response["Cache-Control"] = "public, max-age=86400"
    return response
