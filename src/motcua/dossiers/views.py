"""Public dossier tracking and the appointment slip download. Thin: read, check, render.

The tracking page is public (a citizen scans the QR on the slip), so it shows no personal data
beyond masked initials, and only to someone holding the slip or knowing the last four digits of
the applicant's ID or phone number (Nghị định 13/2023/NĐ-CP). The slip PDF carries the applicant's name,
address and phone, so it opens only for staff or with a short-lived signed link.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.centers.models import StaffMembership
from motcua.core.framing import printable_in_same_origin_frame
from motcua.core.ratelimit import Limit, client_address, hashed, hit
from motcua.core.views import bad_request, error_response, require_safe
from motcua.dossiers.models import Dossier
from motcua.dossiers.panels import render_panels
from motcua.dossiers.selectors import (
    SECOND_FACTOR_PATTERN,
    find_by_code,
    find_for_tracking,
    is_valid_code,
    mask_name,
    normalize_code,
    open_supplement_request,
)
from motcua.dossiers.services import check_slip_token, check_tracking_token, tracking_token
from motcua.dossiers.slip import render_slip_pdf
from motcua.dossiers.states import Role

SLIP_LAYOUTS = {"a5": "a5", "80": "receipt80"}


def tracking_url(request: HttpRequest, dossier: Dossier) -> str:
    """The absolute address printed in the QR code, with the token that stands for the slip.

    A kiosk talks to the server on the local network; the citizen's phone must reach the public
    address, so ``MOTCUA_PUBLIC_URL`` (e.g. https://motcua.example.gov.vn) wins when set. The
    token lets the holder of the paper skip the second factor (see ``track``).
    """
    path = reverse("dossiers:track", args=[dossier.code])
    path = f"{path}?{urlencode({'t': tracking_token(dossier.code)})}"
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "").rstrip("/")
    return f"{public}{path}" if public else request.build_absolute_uri(path)


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    return error_response(
        request,
        404,
        _("Không tìm thấy hồ sơ"),
        _(
            "Không tìm thấy hồ sơ có mã “%(code)s”. Xin kiểm tra lại mã hồ sơ in trên giấy "
            "tiếp nhận hồ sơ và hẹn trả kết quả."
        )
        % {"code": code},
    )


# Public tracking (issue 9): a typed lookup needs the code and the last four digits of the
# applicant's ID or phone number. Four digits are only 10,000 values, so lookups are limited per
# address, and wrong digits per code: 5 an hour from one address, 50 a day from everywhere.
# The per-code counters are keyed by the hash of the code as typed, whether or not such a
# dossier exists, so a lock gives nothing away either. The daily cap stops a guesser with many
# addresses; it can lock a code's typed lookup for a day, and the citizen still has the QR on
# the slip (its token skips these limits) and the center's officers.
TRACK_LOOKUPS_PER_ADDRESS = Limit("track:ip", hits=20, window_seconds=10 * 60)
TRACK_MISSES_PER_CODE_AND_ADDRESS = Limit("track:code-ip", hits=5, window_seconds=3600)
TRACK_MISSES_PER_CODE = Limit("track:code", hits=50, window_seconds=24 * 3600)


def _track_form(
    request: HttpRequest, *, code: str = "", errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "dossiers/track_search.html",
        {"code": code if is_valid_code(code) else "", "errors": errors or []},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _track_result(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    response = render(
        request,
        "dossiers/track.html",
        {
            "dossier": dossier,
            "masked_name": mask_name(dossier.applicant_name),
            "status_label": dossier.get_status_display(),
            "supplement": open_supplement_request(dossier),
            "panels": render_panels("track", request, dossier),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    # The answer to a lookup with a second factor: not kept by shared or browser caches.
    response["Cache-Control"] = "no-store, private"
    return response


def _may_print_slip(user, dossier) -> bool:
    """Officers of the dossier's own center (and superusers) print its slip.

    Being staff elsewhere is no reason to read a citizen's slip (NĐ 13/2023/NĐ-CP); a provincial
    viewer gets no printed forms either, since the slip carries the whole identity.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        StaffMembership.objects.filter(user=user, is_active=True, center_id=dossier.center_id)
        .exclude(role__in=[Role.PROVINCIAL_VIEWER, Role.DIGITAL_TEAM])
        .exists()
    )


def _format_errors(code: str, last_four: str) -> list[str]:
    errors = []
    if not code:
        errors.append(_("Vui lòng nhập mã hồ sơ."))
    elif not is_valid_code(code):
        errors.append(
            _(
                "Mã hồ sơ chỉ gồm chữ cái không dấu, chữ số, dấu chấm và dấu gạch ngang, "
                "ví dụ 000.00.25.H45-250701-0001."
            )
        )
    if not SECOND_FACTOR_PATTERN.fullmatch(last_four):
        errors.append(
            _("Vui lòng nhập đúng 4 chữ số cuối của số định danh cá nhân hoặc số điện thoại.")
        )
    return errors


def _too_many(request: HttpRequest, code: str, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    message = _("Thử sai quá nhiều lần, xin đợi %(minutes)d phút rồi tra cứu lại.") % {
        "minutes": minutes
    }
    response = _track_form(request, code=code, errors=[message], status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def track_search(request: HttpRequest) -> HttpResponse:
    """The lookup form (GET, the code may come prefilled as ``?ma=``) and the lookup (POST).

    The four digits travel only in the POST body, never in an address that ends up in logs and
    browser history (Nghị định 13/2023/NĐ-CP).
    """
    if request.method != "POST":
        if "ma" not in request.GET:
            return _track_form(request)
        code = normalize_code(request.GET["ma"])
        if not code:
            return _track_form(request, errors=[_("Vui lòng nhập mã hồ sơ.")])
        if not is_valid_code(code):
            return _track_form(request, errors=_format_errors(code, "0000"), status=400)
        return _track_form(request, code=code)
    code = normalize_code(request.POST.get("ma"))
    last_four = "".join(request.POST.get("so", "").split())[:20]
    errors = _format_errors(code, last_four)
    if errors:
        return _track_form(request, code=code, errors=errors, status=400)
    # Counted before the lookup and outside any transaction (motcua.core.ratelimit); a right
    # answer gives its two misses back, so only wrong answers use up a code's allowance.
    now = timezone.now()
    address = client_address(request)
    code_key = hashed(code)
    verdicts = [
        hit(TRACK_LOOKUPS_PER_ADDRESS, address, now=now),
        hit(TRACK_MISSES_PER_CODE_AND_ADDRESS, f"{code_key}:{address}", now=now),
        hit(TRACK_MISSES_PER_CODE, code_key, now=now),
    ]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        return _too_many(request, code, max(v.retry_after for v in refused))
    dossier = find_for_tracking(code, last_four)
    if dossier is None:
        # One answer for an unknown code and for wrong digits, so codes cannot be enumerated.
        message = _(
            "Không tìm thấy hồ sơ, hoặc 4 chữ số cuối không khớp với số định danh cá nhân hay "
            "số điện thoại đã khai khi nộp hồ sơ. Xin kiểm tra lại mã in trên giấy tiếp nhận "
            "hồ sơ và hẹn trả kết quả."
        )
        return _track_form(request, code=code, errors=[message], status=404)
    hit(TRACK_MISSES_PER_CODE_AND_ADDRESS, f"{code_key}:{address}", now=now, cost=-1)
    hit(TRACK_MISSES_PER_CODE, code_key, now=now, cost=-1)
    return _track_result(request, dossier)


@require_safe
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The address the slip's QR and the notices point to.

    With the slip's token (``?t=``) it shows the dossier; without it, the lookup form with the
    code filled in, which asks for the second factor. The token is checked before the dossier is
    read, so a wrong token says nothing about whether the code exists.
    """
    code = normalize_code(code)
    if not is_valid_code(code):
        return _track_form(request, errors=_format_errors(code, "0000"), status=400)
    token = request.GET.get("t", "")
    if not token:
        return _track_form(request, code=code)
    dossier = find_by_code(code) if check_tracking_token(token[:200], code) else None
    if dossier is None:
        return _track_form(
            request,
            code=code,
            errors=[
                _(
                    "Đường dẫn tra cứu không hợp lệ. Xin nhập 4 chữ số cuối của số định danh "
                    "cá nhân hoặc số điện thoại để xem hồ sơ."
                )
            ],
            status=400,
        )
    return _track_result(request, dossier)


@require_safe
@printable_in_same_origin_frame
def slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    dossier = find_by_code(code)
    token = request.GET.get("t", "")
    if dossier is None or not (
        _may_print_slip(request.user, dossier)
        or (token and check_slip_token(token, dossier, now=timezone.now()))
    ):
        # One answer for a code that does not exist and for a slip this visitor may not open:
        # codes are sequential per center and day, so a different answer for existing codes
        # would let anyone count a center's dossiers (found by review, 2026-12-07).
        return error_response(
            request,
            404,
            _("Không mở được giấy hẹn"),
            _(
                "Không có giấy hẹn mở được bằng đường dẫn này: mã hồ sơ không đúng, hoặc đường "
                "dẫn in ra tại kiosk đã hết hiệu lực (15 phút). Giấy tiếp nhận hồ sơ có thông tin "
                "cá nhân nên chỉ mở được bằng đường dẫn đó hoặc khi cán bộ của trung tâm đã đăng "
                "nhập. Để xem tình trạng hồ sơ, xin dùng trang tra cứu."
            ),
        )
    layout = SLIP_LAYOUTS.get(request.GET.get("kho", "a5"))
    if layout is None:
        return bad_request(request)
    pdf = render_slip_pdf(dossier, layout=layout, tracking_url=tracking_url(request, dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-hen-{dossier.code}.pdf"'
    # Personal data: never kept by a shared cache or the kiosk browser's disk cache.
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response
