"""Public pages: rating a dossier (tracking page, kiosk), the counter's rating tablet, and the
feedback form with its status page. Thin: parse, check, call one service, render."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.devices import activate_with_code, charge_attempt, refund_attempt, typed_code
from motcua.core.ratelimit import Limit, Verdict, client_address, hashed, hit
from motcua.core.views import require_safe
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import find_by_code, find_for_tracking, is_valid_code, normalize_code
from motcua.dossiers.services import DossierError as SettlementError
from motcua.dossiers.services import check_tracking_token
from motcua.dossiers.views import (
    TRACK_LOOKUPS_PER_ADDRESS,
    TRACK_MISSES_PER_CODE,
    TRACK_MISSES_PER_CODE_AND_ADDRESS,
)
from motcua.eforms.uploads import check_upload
from motcua.feedback import services
from motcua.feedback.device import device_for, set_device_cookie
from motcua.feedback.forms import FeedbackForm, LookupForm, RatingForm
from motcua.feedback.models import Feedback, RatingDevice
from motcua.feedback.states import RatingSource
from motcua.feedback.tokens import code_from_token, rating_token
from motcua.kiosk.device import KioskRequest, kiosk_required

# Feedback is free to send, but not in a loop: 5 an hour from one address, 500 a day in all.
FEEDBACK_PER_ADDRESS = Limit("feedback:ip", hits=5, window_seconds=3600)
FEEDBACK_TOTAL = Limit("feedback:all", hits=500, window_seconds=24 * 3600)
ACTIVATION_FAILURES_PER_ADDRESS = Limit("rating-activate:ip", hits=10, window_seconds=15 * 60)
ACTIVATION_FAILURES_TOTAL = Limit("rating-activate:all", hits=5000, window_seconds=3600)
# A tap is one request; a stuck finger or a script must not flood the table.
TABLET_TAPS = Limit("rating-tablet:device", hits=120, window_seconds=3600)


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store, private"
    return response


def _retry(seconds: int) -> str:
    return _("Thử quá nhiều lần, xin đợi %(minutes)d phút rồi thử lại.") % {
        "minutes": max(1, math.ceil(seconds / 60))
    }


def _second_factor(
    request: HttpRequest, code: str, last_four: str
) -> tuple[Dossier | None, Verdict | None]:
    """The tracking page's check with the tracking page's counters: the same guesser budget
    whichever page asks (dossiers.views), a right answer refunds its misses."""
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
        return None, max(refused, key=lambda v: v.retry_after)
    dossier = find_for_tracking(code, last_four)
    if dossier is not None:
        hit(TRACK_MISSES_PER_CODE_AND_ADDRESS, f"{code_key}:{address}", now=now, cost=-1)
        hit(TRACK_MISSES_PER_CODE, code_key, now=now, cost=-1)
    return dossier, None


# --- rating from the tracking page ---------------------------------------------------------


def _rate(request: HttpRequest, template: str, context: dict, source: str, actor: str):
    """Shared by the tracking page and the kiosk: the token, the form, the one service call."""
    code = code_from_token(request.POST.get("t", ""))
    dossier = find_by_code(code) if code else None
    if dossier is None:
        context.update(
            error=_("Phiên đánh giá đã hết hạn. Xin tra cứu lại hồ sơ rồi đánh giá."), status=400
        )
        return _private(render(request, template, context, status=400))
    form = RatingForm(request.POST)
    context.update(dossier=dossier, form=form, token=rating_token(dossier.code))
    if not form.is_valid():
        return _private(render(request, template, context, status=400))
    try:
        with transaction.atomic():
            services.rate_dossier(
                dossier,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                source=source,
                actor=actor,
                now=timezone.now(),
            )
    except (SettlementError, services.FeedbackError) as exc:
        context.update(error=getattr(exc, "message", None) or str(exc))
        return _private(render(request, template, context, status=409))
    context.update(done=True)
    return _private(render(request, template, context))


@require_POST
def track_rate(request: HttpRequest) -> HttpResponse:
    return _rate(request, "feedback/rate_done.html", {}, RatingSource.TRACKING, "citizen:tracking")


# --- rating at the kiosk --------------------------------------------------------------------

_TRACK_PATH = re.compile(r"/ho-so/tra-cuu/(?P<code>[^/]+)/?$")


def _from_scan(scan: str) -> Dossier | None:
    """The slip's QR holds the tracking address with its signed token (docs/decisions/0003)."""
    parsed = urlparse(scan.strip())
    match = _TRACK_PATH.search(parsed.path or "")
    if not match:
        return None
    code = normalize_code(match.group("code"))
    token = (parse_qs(parsed.query).get("t") or [""])[0]
    if not is_valid_code(code) or not check_tracking_token(token[:200], code):
        return None
    return find_by_code(code)


@kiosk_required
@require_http_methods(["GET", "POST"])
def kiosk_rate(request: KioskRequest) -> HttpResponse:
    """The kiosk's "Đánh giá": find the dossier (QR or code + 4 digits), then the faces."""
    context = {"device": request.kiosk, "idle_seconds": request.kiosk.idle_seconds}
    template = "feedback/kiosk_rate.html"
    if request.method != "POST":
        return render(request, template, {**context, "lookup": LookupForm()})
    if "t" in request.POST:
        context["stage"] = "rate"
        return _rate(request, template, context, RatingSource.KIOSK, request.kiosk.actor)
    lookup = LookupForm(request.POST)
    lookup.is_valid()
    data = lookup.cleaned_data if hasattr(lookup, "cleaned_data") else {}
    scan, code = data.get("scan", ""), normalize_code(data.get("code", ""))
    last_four = "".join((data.get("last_four") or "").split())
    dossier = None
    if scan:
        dossier = _from_scan(scan)
        error = _("Không đọc được mã QR trên giấy hẹn. Xin nhập mã hồ sơ và 4 chữ số cuối.")
    elif not is_valid_code(code) or not re.fullmatch(r"\d{4}", last_four):
        error = _("Xin nhập mã hồ sơ và đúng 4 chữ số cuối của số định danh hoặc số điện thoại.")
    else:
        dossier, refused = _second_factor(request, code, last_four)
        error = (
            _retry(refused.retry_after)
            if refused
            else _("Không tìm thấy hồ sơ, hoặc 4 chữ số cuối không khớp.")
        )
        if refused:
            response = render(
                request, template, {**context, "lookup": lookup, "error": error}, status=429
            )
            response["Retry-After"] = str(refused.retry_after)
            return response
    if dossier is None:
        return render(request, template, {**context, "lookup": lookup, "error": error}, status=400)
    context.update(
        stage="rate", dossier=dossier, token=rating_token(dossier.code), form=RatingForm()
    )
    if not services.can_rate(dossier):
        context["error"] = _(
            "Hồ sơ này chưa có kết quả hoặc đã được đánh giá: chưa thể đánh giá lúc này."
        )
    return render(request, template, context)


# --- the counter's rating tablet -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tablet_activate(request: HttpRequest) -> HttpResponse:
    """Bind this browser to a rating tablet with the admin's one-time code (like a kiosk)."""
    template = "feedback/tablet_activate.html"
    if request.method != "POST":
        return render(request, template, {"error": ""})
    code, now, address = typed_code(request), timezone.now(), client_address(request)
    limits = {"per_address": ACTIVATION_FAILURES_PER_ADDRESS, "total": ACTIVATION_FAILURES_TOTAL}
    wait = charge_attempt(address, **limits, now=now)
    if wait is not None:
        response = render(request, template, {"error": _retry(wait)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    with transaction.atomic():
        activated = activate_with_code(RatingDevice.objects.all(), code, now=now)
    if activated is None:
        error = _("Mã kích hoạt không đúng hoặc đã hết hạn. Xin tạo mã mới trong trang quản trị.")
        return render(request, template, {"error": error}, status=400)
    refund_attempt(address, **limits, now=now)
    response = redirect("feedback:tablet")
    set_device_cookie(response, *activated)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def tablet(request: HttpRequest) -> HttpResponse:
    """Three big faces after a visit ends at this tablet's counter; a thank-you otherwise."""
    device = device_for(request)
    if device is None:
        return render(request, "feedback/tablet_unregistered.html", status=403)
    now = timezone.now()
    device.mark_seen(now=now)
    context = {"device": device, "faces": FACES}
    status = 200
    if request.method == "POST":
        verdict = hit(TABLET_TAPS, str(device.pk), now=now)
        ticket_id = request.POST.get("ticket", "")
        rating = request.POST.get("rating", "")
        if not verdict.allowed:
            context["error"] = _retry(verdict.retry_after)
            status = 429
        elif not ticket_id.isdigit():
            context["error"] = _("Lượt phục vụ không hợp lệ.")
            status = 400
        else:
            try:
                with transaction.atomic():
                    services.rate_visit(device, int(ticket_id), rating=rating, now=now)
                context["thanked"] = True
            except (services.FeedbackError, SettlementError) as exc:
                context["error"] = getattr(exc, "message", None) or str(exc)
                status = getattr(exc, "status_code", 409)
    if "thanked" not in context:
        context["ticket"] = services.pending_visit(device, now=now)
    response = render(request, "feedback/tablet.html", context, status=status)
    add_never_cache_headers(response)
    return response


FACES = [
    ("very_satisfied", _("Rất hài lòng"), "face-happy"),
    ("satisfied", _("Hài lòng"), "face-ok"),
    ("dissatisfied", _("Không hài lòng"), "face-sad"),
]


# --- feedback (phản ánh, kiến nghị) ----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_form(request: HttpRequest) -> HttpResponse:
    template = "feedback/form.html"
    if request.method != "POST":
        return _private(render(request, template, {"form": FeedbackForm()}))
    form = FeedbackForm(request.POST, request.FILES)
    now = timezone.now()
    address = client_address(request)
    verdicts = [hit(FEEDBACK_PER_ADDRESS, address, now=now), hit(FEEDBACK_TOTAL, "all", now=now)]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        seconds = max(v.retry_after for v in refused)
        response = render(request, template, {"form": form, "error": _retry(seconds)}, status=429)
        response["Retry-After"] = str(seconds)
        return _private(response)
    if not form.is_valid():
        return _private(render(request, template, {"form": form}, status=400))
    data = form.cleaned_data
    checked = []
    uploads = list(data.get("files") or [])
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            form.add_error("files", exc)
    if len(uploads) > services.MAX_ATTACHMENTS:
        form.add_error("files", _("Đính kèm tối đa %(n)d tệp.") % {"n": services.MAX_ATTACHMENTS})
    dossier = None
    if data["dossier_code"] and not form.errors:
        code = normalize_code(data["dossier_code"])
        if not is_valid_code(code):
            form.add_error("dossier_code", _("Mã hồ sơ không đúng dạng."))
        else:
            dossier, limited = _second_factor(request, code, data["last_four"])
            if limited:
                form.add_error(None, _retry(limited.retry_after))
                return _private(render(request, template, {"form": form}, status=429))
            if dossier is None:
                form.add_error(
                    "dossier_code",
                    _("Không tìm thấy hồ sơ, hoặc 4 chữ số cuối không khớp với hồ sơ."),
                )
    if form.errors:
        return _private(render(request, template, {"form": form}, status=400))
    center = dossier.center if dossier is not None else data["center"]
    try:
        with transaction.atomic():
            feedback = services.submit_feedback(
                center=center,
                kind=data["kind"],
                subject=data["subject"],
                body=data["body"],
                dossier=dossier,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                files=checked,
                now=now,
            )
    except services.FeedbackError as exc:
        form.add_error(None, exc.message)
        return _private(render(request, template, {"form": form}, status=exc.status_code))
    return redirect("feedback:status", token=feedback.token)


@require_safe
def feedback_status(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen's view of their feedback, reached only by its random token."""
    feedback = get_object_or_404(
        Feedback.objects.select_related("center", "dossier"), token=token[:60]
    )
    return _private(render(request, "feedback/status.html", {"feedback": feedback}))
