"""Error pages and the guard for read-only pages.

A citizen sees a short Vietnamese page with a way back, never a traceback or Django's English
default. Requests under ``/api/`` get the same answer as JSON so API clients can parse it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseServerError,
    JsonResponse,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe as django_require_safe

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    request: HttpRequest, status: int, title: str, message: str, **context: object
) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(
        request,
        f"core/{status}.html",
        {"status": status, "title": title, "message": message, **context},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = unreadable_request_message(exception) if exception is not None else None
    return error_response(
        request,
        400,
        _("Yêu cầu không hợp lệ"),
        message or _("Yêu cầu gửi lên không hợp lệ. Xin vui lòng kiểm tra lại và thử lại."),
    )


def unreadable_request_message(exc: Exception) -> str | None:
    """What to tell the sender of a body Django could not read; None for any other error.

    Django answers these with 400 when they escape a view, but the JSON API catches every
    exception itself, so both share this wording (``request_fault_response``).
    """
    if isinstance(exc, RequestDataTooBig):
        return _("Dữ liệu gửi lên quá lớn. Xin gửi tệp nhỏ hơn hoặc ít nội dung hơn.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return _("Yêu cầu có quá nhiều trường hoặc tệp. Xin gửi lại biểu mẫu như trên trang.")
    if isinstance(exc, MultiPartParserError):
        return _(
            "Dữ liệu tải lên bị hỏng hoặc không đầy đủ (thiếu ranh giới multipart hoặc bị cắt "
            "ngang). Xin chọn lại tệp và gửi lại."
        )
    if isinstance(exc, UnreadablePostError):
        return _("Dữ liệu gửi lên bị ngắt giữa chừng. Xin gửi lại.")
    if isinstance(exc, BadRequest):
        return _("Yêu cầu gửi lên không hợp lệ. Xin vui lòng kiểm tra lại và thử lại.")
    return None


def request_fault_response(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """A 400 (JSON under /api/) for a body that could not be read; None for other errors."""
    message = unreadable_request_message(exc)
    if message is None:
        return None
    return error_response(request, 400, _("Yêu cầu không hợp lệ"), message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        404,
        _("Không tìm thấy trang"),
        _("Không tìm thấy trang hoặc thủ tục bạn cần. Địa chỉ có thể đã thay đổi hoặc bị gõ sai."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Hệ thống đang gặp sự cố. Xin vui lòng thử lại sau.")}, status=500
        )
    # Rendered without the request's context processors: the failure may come from them.
    return HttpResponseServerError(loader.get_template("core/500.html").render())


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = error_response(
        request,
        405,
        _("Thao tác không được hỗ trợ"),
        _("Trang này chỉ để xem thông tin, không nhận dữ liệu gửi lên."),
    )
    response["Allow"] = allowed
    return response


def require_safe(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Django's ``require_safe`` with a Vietnamese 405 page instead of an empty body.

    The guarded pages only read, so they are CSRF-exempt: otherwise a POST would be answered
    by the CSRF middleware's 403 before the view could say "405, this page only shows".
    """
    guarded = django_require_safe(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = guarded(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, response["Allow"])
        return response

    return wrapper


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in Vietnamese: usually a form left open too long or cookies off."""
    return error_response(
        request,
        403,
        _("Phiên làm việc đã hết hạn"),
        _(
            "Trang này đã mở quá lâu hoặc trình duyệt đang chặn cookie, nên thông tin gửi đi "
            "không được chấp nhận. Xin tải lại trang rồi thực hiện lại."
        ),
    )
