"""The public verification pages: by the code in the QR, or by uploading a copy of the PDF.

No login: anyone holding the paper or the file may check it. The pages show what the signed
document itself shows about the case (code, procedure, result, date, signer) and nothing about
the applicant: no name, ID number, address or phone (Nghị định 13/2023/NĐ-CP).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.ratelimit import Limit, client_address, hit
from motcua.core.views import error_response, require_safe
from motcua.signing import limits, services
from motcua.signing.services import find_by_code, find_by_content, verify_stored_result

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A citizen checks a file or two; ten uploads per address in ten minutes leaves room for an
# office behind one address while bounding what a script can make the server do.
UPLOAD_LIMIT = Limit("signing-check", hits=10, window_seconds=600)


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    result = find_by_code(code)
    if result is None:
        return error_response(
            request,
            404,
            _("Không tìm thấy văn bản"),
            _(
                "Không tìm thấy văn bản đã ký số có mã xác thực này. Xin kiểm tra lại mã in cạnh "
                "mã QR trên văn bản, hoặc tải tệp PDF lên trang kiểm tra chữ ký số."
            ),
        )
    stored = verify_stored_result(result)
    return _private(
        render(
            request,
            "signing/verify.html",
            {
                "result": result,
                "verification": stored.verification,
                "ok": stored.verification.ok and stored.file_matches,
                "file_matches": stored.file_matches,
            },
        )
    )


def _upload_error(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return _private(render(request, "signing/check_upload.html", {"error": message}, status=status))


def _verify_within_limits(data: bytes, moment) -> tuple[str, int | services.VerificationResult]:
    """Runs in the forked child (``limits.run_with_deadline``): shape checks, then validation."""
    shape = limits.pdf_shape(data)
    if shape is not None and shape.pages > limits.MAX_PAGES:
        return "pages", shape.pages
    if shape is not None and shape.revisions > limits.MAX_REVISIONS:
        return "revisions", shape.revisions
    return "checked", services.verify_signed_pdf(data, moment=moment)


@require_http_methods(["GET", "HEAD", "POST"])
def check_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _private(render(request, "signing/check_upload.html", {}))
    # Counted before anything is read: every attempt costs the server, valid or not.
    verdict = hit(UPLOAD_LIMIT, client_address(request))
    if not verdict.allowed:
        response = _upload_error(
            request,
            _(
                "Bạn đã gửi quá nhiều tệp để kiểm tra trong thời gian ngắn. Xin thử lại sau "
                "%(minutes)s phút."
            )
            % {"minutes": max(1, -(-verdict.retry_after // 60))},
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response
    upload = request.FILES.get("tep")
    if upload is None:
        return _upload_error(request, _("Xin chọn tệp PDF cần kiểm tra."))
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        return _upload_error(request, _("Tệp quá lớn (tối đa 20 MB)."))
    data = upload.read()
    # The content decides, not the name or the browser's declared type.
    if b"%PDF-" not in data[:1024]:
        return _upload_error(request, _("Tệp tải lên không phải văn bản PDF."))
    # An exact copy of a result signed here is checked at its recorded signing time, like the
    # page behind its QR; any other file at the present time.
    known = find_by_content(data)
    too_complex = _(
        "Tệp quá phức tạp để kiểm tra trên trang này (quá nhiều trang, quá nhiều lần sửa đổi "
        "hoặc cần quá nhiều thời gian). Văn bản do trung tâm ký số chỉ có vài trang: xin "
        "kiểm tra bằng mã xác thực in cạnh mã QR trên văn bản."
    )
    try:
        outcome, value = limits.run_with_deadline(
            _verify_within_limits,
            data,
            known.signed_at if known else None,
            seconds=limits.TIME_BUDGET_SECONDS,
        )
    except limits.TooComplex:
        logger.warning("signature check stopped after %ss", limits.TIME_BUDGET_SECONDS)
        return _upload_error(request, too_complex, status=422)
    if outcome == "pages":
        return _upload_error(
            request,
            _("Tệp có %(pages)s trang, quá số trang được kiểm tra ở đây (tối đa %(limit)s).")
            % {"pages": value, "limit": limits.MAX_PAGES},
            status=422,
        )
    if outcome == "revisions":
        return _upload_error(request, too_complex, status=422)
    # "checked": the value is what verify_signed_pdf answered (back from the child, unpickled).
    assert isinstance(value, services.VerificationResult)
    verification = value
    result = known if verification.ok else None
    return _private(
        render(
            request,
            "signing/check_upload.html",
            {
                "checked": True,
                "verification": verification,
                "result": result,
                "ok": verification.ok,
            },
        )
    )
