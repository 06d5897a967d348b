"""The project's JSON API (``/api/v1/``), its OpenAPI schema and docs.

Every answer is JSON, errors included, with a Vietnamese ``detail``: clients (kiosks, the
provincial portal) show it as is. Malformed parameters give 422 with one entry per fault.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer

from motcua.assistant.api import router as assistant_router
from motcua.catalog.api import router as catalog_router
from motcua.core.views import unreadable_request_message
from motcua.identity.api import router as identity_router

logger = logging.getLogger(__name__)


def _json_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a wrong method with a plain-text 405; turn it into the JSON error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            json_response = api.create_response(
                request,
                {
                    "detail": _("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.")
                    % {"method": request.method}
                },
                status=405,
            )
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    return wrapper


class ReadableJSONRenderer(JSONRenderer):
    # Vietnamese text as UTF-8 rather than \\u escapes: readable in logs and curl, fewer bytes.
    json_dumps_params = {"ensure_ascii": False}


class ErrorOut(Schema):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt")


class ParamErrorOut(Schema):
    loc: list[str] = Field(description='Vị trí của tham số, ví dụ ["query", "limit"]')
    type: str
    msg: str = Field(description="Lỗi của tham số, bằng tiếng Việt")


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ParamErrorOut]


# Answers every route can give, whatever it declares itself: a body or URL that cannot be read
# (400, ``core.views.unreadable_request_message`` and the NUL guard) and malformed parameters
# (422, ``validation_error``). Documenting them here keeps the schema honest for every route.
_COMMON_ERRORS: dict[str, tuple[type[Schema], str]] = {
    "400": (ErrorOut, "Yêu cầu không đọc được (dữ liệu tải lên hỏng, quá lớn, ký tự NUL)"),
    "422": (ValidationErrorOut, "Tham số hoặc dữ liệu gửi lên không hợp lệ"),
}


def _document_common_errors(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model, _description in _COMMON_ERRORS.values():
        json_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(json_schema.pop("$defs", {}))
        components[model.__name__] = json_schema
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            # Ninja keys responses by int; the JSON document has strings. One key per status.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status, (model, description) in _COMMON_ERRORS.items():
                ref = {"$ref": f"#/components/schemas/{model.__name__}"}
                declared = responses.get(status)
                if declared is None:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
                    continue
                # The route's own error body (e.g. a card's field errors) or ninja's.
                content = declared.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                if own is not None and own != ref:
                    content["schema"] = {"anyOf": [own, ref]}


class MotcuaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        _document_common_errors(schema)
        return schema

    # _get_urls is Ninja's internal hook (stable across 1.x, pinned <2 in pyproject); it is the
    # one place every route's view passes through, so no route can answer a 405 in plain text.
    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        for pattern in patterns:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                pattern.callback = _json_not_allowed(callback)
        return patterns


api = MotcuaAPI(
    title="motcua API",
    version="1",
    description="Tra cứu thủ tục hành chính cấp xã: tìm kiếm, chi tiết thủ tục, lĩnh vực.",
    urls_namespace="api",
    docs_url="/docs",
    renderer=ReadableJSONRenderer(),
)
api.add_router("/", catalog_router)
api.add_router("/", identity_router)
api.add_router("/", assistant_router)

_FIELD_MESSAGES = {
    "missing": gettext_noop("thiếu giá trị bắt buộc"),
    "int_parsing": gettext_noop("phải là số nguyên"),
    "int_type": gettext_noop("phải là số nguyên"),
    "float_parsing": gettext_noop("phải là số"),
    "string_type": gettext_noop("phải là chuỗi ký tự"),
    "string_too_long": gettext_noop("quá dài"),
    "greater_than_equal": gettext_noop("phải lớn hơn hoặc bằng {ge}"),
    "greater_than": gettext_noop("phải lớn hơn {gt}"),
    "less_than_equal": gettext_noop("phải nhỏ hơn hoặc bằng {le}"),
    "less_than": gettext_noop("phải nhỏ hơn {lt}"),
}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    template = _(_FIELD_MESSAGES.get(error.get("type", ""), gettext_noop("giá trị không hợp lệ")))
    try:
        message = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        message = template
    # loc is ("query", "limit") and the like; the last part names the parameter.
    loc = [str(part) for part in error.get("loc", ())]
    return {"loc": loc, "type": error.get("type", ""), "msg": message}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(e) for e in exc.errors]
    names = ", ".join(dict.fromkeys(e["loc"][-1] for e in errors if e["loc"]))
    detail = (
        _("Tham số không hợp lệ: %(names)s.") % {"names": names}
        if names
        else _("Dữ liệu gửi lên không hợp lệ.")
    )
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Không tìm thấy thủ tục hoặc dữ liệu được yêu cầu.")}, status=404
    )


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body Django could not read (no multipart boundary, a truncated upload, too many fields)
    # is the sender's fault: 400 with the reason, as Django's own pages answer it.
    unreadable = unreadable_request_message(exc)
    if unreadable is not None:
        return api.create_response(request, {"detail": unreadable}, status=400)
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": _("Hệ thống đang gặp sự cố. Xin vui lòng thử lại sau.")}, status=500
    )
