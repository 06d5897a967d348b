"""The public verification pages: by the code in the QR, or by uploading a copy of the PDF.

No login: anyone holding the paper or the file may check it. The pages show what the signed
document itself shows about the case (code, procedure, result, date, signer) and nothing about
the applicant: no name, ID number, address or phone (Nghị định 13/2023/NĐ-CP).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.views import error_response, require_safe
from motcua.signing.services import (
    find_by_code,
    find_by_content,
    verify_signed_pdf,
    verify_stored_result,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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


def _upload_error(request: HttpRequest, message: str) -> HttpResponse:
    return _private(render(request, "signing/check_upload.html", {"error": message}, status=400))


@require_http_methods(["GET", "HEAD", "POST"])
def check_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _private(render(request, "signing/check_upload.html", {}))
    upload = request.FILES.get("tep")
    if upload is None:
        return _upload_error(request, _("Xin chọn tệp PDF cần kiểm tra."))
    if upload.size > MAX_UPLOAD_BYTES:
        return _upload_error(request, _("Tệp quá lớn (tối đa 20 MB)."))
    data = upload.read()
    # The content decides, not the name or the browser's declared type.
    if b"%PDF-" not in data[:1024]:
        return _upload_error(request, _("Tệp tải lên không phải văn bản PDF."))
    # An exact copy of a result signed here is checked at its recorded signing time, like the
    # page behind its QR; any other file at the present time.
    known = find_by_content(data)
    verification = verify_signed_pdf(data, moment=known.signed_at if known else None)
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
