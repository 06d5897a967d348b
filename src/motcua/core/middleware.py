from django.conf import settings
from django.utils import translation


class VietnameseFirstLocaleMiddleware:
    """Vietnamese for everyone unless they chose another language themselves.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show officers
    on an English-language browser an English admin. Here only an explicit choice (the language
    cookie set by Django's ``set_language`` view) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = dict(settings.LANGUAGES)

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class HostileInputMiddleware:
    """A clear 400 for a NUL character in the path or a header, instead of a server error.

    PostgreSQL cannot hold NUL in text, so a dossier or procedure code "%00" in a URL would fail
    at the database (500). Query strings are left to the views: the public search treats
    control characters as spaces (``catalog.views.clean_query``) and the dashboards refuse odd
    codes themselves; form bodies are checked by each form, which can say which field is wrong.

    A body Django could not read (broken multipart, too big, too many fields) already gets 400
    from Django, with the reason from ``core.views.bad_request``; the JSON API catches its own
    exceptions and answers the same way (``motcua.api``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            from django.utils.translation import gettext as _

            from motcua.core.views import error_response

            return error_response(
                request,
                400,
                _("Yêu cầu không hợp lệ"),
                _("Địa chỉ hoặc tiêu đề yêu cầu có ký tự rỗng (NUL), không được phép."),
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in value
        for name, value in request.META.items()
        if name.startswith("HTTP_") and isinstance(value, str)
    )
