"""The kiosk: card → procedure → checked e-form → confirm → appointment slip.

Views are thin: they read the step's input, call one service and render. The whole flow keeps
its state in the server-side session (see ``session.py``).
"""

from __future__ import annotations

import math
import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog.models import Procedure, Sector
from motcua.core.devices import activate_with_code, charge_attempt, refund_attempt, typed_code
from motcua.core.ratelimit import Limit, client_address
from motcua.identity.parsing import IdentityError, parse_identity
from motcua.identity.qrimage import decode_qr_image
from motcua.identity.signing import sign_card
from motcua.kiosk import flow, session
from motcua.kiosk.device import KioskRequest, kiosk_required, set_device_cookie
from motcua.kiosk.models import KioskDevice

MAX_SCAN_CHARS = 2000
MAX_IMAGE_BYTES = 8 * 1024 * 1024
POPULAR_COUNT = 8


def _context(request: KioskRequest, step: int, **extra) -> dict:
    return {
        "device": request.kiosk,
        "step": step,
        "steps": flow.STEPS,
        "idle_seconds": request.kiosk.idle_seconds,
        "card": session.card(request),
        **extra,
    }


def _alive(request: HttpRequest) -> bool:
    """Whether the session was still fresh when this request came (``kiosk_required``)."""
    return bool(getattr(request, "kiosk_alive", False))


def _restart(request: KioskRequest) -> None:
    """Wipe the citizen's data and start a fresh session on this device."""
    session.wipe(request)
    session.touch(request, idle_seconds=request.kiosk.idle_seconds, device_id=request.kiosk.pk)


def _scan_again(request: KioskRequest, exc: IdentityError) -> HttpResponse:
    """The card reading expired (or is not ours) between steps: wipe it and ask for the card."""
    _restart(request)
    errors = [e.message for e in exc.errors]
    return render(request, "kiosk/start.html", _context(request, 1, errors=errors))


# Guessing an 8-digit activation code. Codes are stored hashed and a wrong guess matches no
# device, so a failure cannot be charged to "its" code; charging it to every pending code (as
# before) let any stranger cancel a technician's activation with 20 wrong tries. Failures are
# therefore counted per client address, plus one total cap that bounds a guesser spread over
# many addresses: at most 5,000 guesses an hour against 10^8 codes, i.e. a chance of 1 in
# 20,000 per pending code per hour. Nothing a stranger does ends a pending code; reaching the
# total cap (about 125 busy addresses) only delays activation until the hour ends.
ACTIVATION_FAILURES_PER_ADDRESS = Limit("kiosk-activate:ip", hits=10, window_seconds=15 * 60)
ACTIVATION_FAILURES_TOTAL = Limit("kiosk-activate:all", hits=5000, window_seconds=3600)


def _too_many_failures(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    error = _("Thử sai quá nhiều lần, xin đợi %(minutes)d phút rồi nhập lại mã.") % {
        "minutes": minutes
    }
    response = render(request, "kiosk/activate.html", {"error": error}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """A technician binds this browser to a kiosk with the one-time code from the admin."""
    if request.method != "POST":
        return render(request, "kiosk/activate.html", {"error": ""})
    code, now, address = typed_code(request), timezone.now(), client_address(request)
    limits = {"per_address": ACTIVATION_FAILURES_PER_ADDRESS, "total": ACTIVATION_FAILURES_TOTAL}
    wait = charge_attempt(address, **limits, now=now)  # before the comparison (see there)
    if wait is not None:
        return _too_many_failures(request, wait)
    with transaction.atomic():
        activated = activate_with_code(KioskDevice.objects.all(), code, now=now)
    if activated is None:
        error = _("Mã kích hoạt không đúng hoặc đã hết hạn. Xin tạo mã mới trong trang quản trị.")
        return render(request, "kiosk/activate.html", {"error": error}, status=400)
    refund_attempt(address, **limits, now=now)
    response = redirect("kiosk:start")
    set_device_cookie(response, *activated)
    return response


@kiosk_required
@require_http_methods(["GET"])
def start(request: KioskRequest) -> HttpResponse:
    # A fresh start never shows the previous citizen's data.
    _restart(request)
    return render(request, "kiosk/start.html", _context(request, 1))


@kiosk_required
@require_POST
def identify(request: KioskRequest) -> HttpResponse:
    """The scanner types the card's QR (or the citizen types the number) and presses Enter."""
    if not _alive(request):
        return redirect("kiosk:start")
    errors: list[str] = []
    upload = request.FILES.get("image")
    try:
        if upload is not None:
            if (upload.size or 0) > MAX_IMAGE_BYTES:
                raise IdentityError(_("Ảnh quá lớn (tối đa 8 MB)."), field="image")
            text = decode_qr_image(upload.read())
        else:
            text = request.POST.get("scan", "")[:MAX_SCAN_CHARS]
        identity = parse_identity(text)
    except IdentityError as exc:
        errors = [e.message for e in exc.errors]
        return render(request, "kiosk/start.html", _context(request, 1, errors=errors), status=400)
    request.session["card"] = identity.as_dict()
    request.session["card_token"] = sign_card(identity)
    return redirect("kiosk:choose")


@kiosk_required
@require_http_methods(["GET"])
def choose(request: KioskRequest) -> HttpResponse:
    if not _alive(request) or not session.card(request):
        return redirect("kiosk:start")
    query = request.GET.get("q", "").strip()
    results, error = flow.find(query) if query else ([], "")
    popular = Procedure.objects.published().exclude(popularity=None).order_by("popularity")
    sectors = flow.sectors_with_counts()
    return render(
        request,
        "kiosk/choose.html",
        _context(
            request,
            2,
            query=query,
            results=results,
            search_error=error,
            popular=popular[:POPULAR_COUNT],
            sectors=sectors,
        ),
        status=400 if error else 200,
    )


@kiosk_required
@require_http_methods(["GET"])
def choose_sector(request: KioskRequest, sector: str) -> HttpResponse:
    if not _alive(request) or not session.card(request):
        return redirect("kiosk:start")
    sector_obj = get_object_or_404(Sector, code=sector)
    procedures = (
        Procedure.objects.published().filter(sector=sector_obj).order_by("popularity", "name")
    )
    return render(
        request,
        "kiosk/sector.html",
        _context(request, 2, sector=sector_obj, procedures=procedures),
    )


@kiosk_required
@require_http_methods(["GET"])
def choose_all(request: KioskRequest) -> HttpResponse:
    """Every published procedure, A to Z: the last resort after tiles and fields."""
    if not _alive(request) or not session.card(request):
        return redirect("kiosk:start")
    procedures = Procedure.objects.published().select_related("sector").order_by("name")
    return render(
        request,
        "kiosk/sector.html",
        _context(request, 2, sector=None, procedures=procedures),
    )


@kiosk_required
@require_http_methods(["GET", "POST"])
def fill(request: KioskRequest, code: str) -> HttpResponse:
    if not _alive(request) or not session.card(request):
        return redirect("kiosk:start")
    procedure = get_object_or_404(Procedure.objects.published(), code=code)
    try:
        step = flow.FormStep(request, procedure)
    except IdentityError as exc:
        return _scan_again(request, exc)
    if request.method == "POST" and step.accept(request.POST, request.FILES):
        return redirect("kiosk:review")
    return render(
        request,
        "kiosk/fill.html",
        _context(request, 3, procedure=procedure, form=step.form, definition=step.definition),
        status=400 if request.method == "POST" else 200,
    )


def _already_submitted(request: HttpRequest) -> bool:
    """A second tap, or a retry whose first response was lost, of the confirmation that
    already created the dossier: the form is gone from the session, the key is the same."""
    key = request.POST.get("submit_key", "")
    return bool(
        request.method == "POST"
        and key
        and key == request.session.get("submit_key")
        and request.session.get("dossier_code")
    )


@kiosk_required
@require_http_methods(["GET", "POST"])
def review(request: KioskRequest) -> HttpResponse:
    if not _alive(request) or not session.card(request):
        return redirect("kiosk:start")
    confirming = request.method == "POST"
    try:
        # Confirming needs the checked form, not the screen's summary (unless it fails).
        pending = flow.PendingSubmission.from_session(request, describe=not confirming)
    except IdentityError as exc:
        return _scan_again(request, exc)
    if pending is None:
        if _already_submitted(request):
            return redirect("kiosk:done")
        return redirect("kiosk:choose")
    if confirming:
        outcome = flow.submit(request, pending, key=request.POST.get("submit_key", ""))
        if outcome.dossier is not None:
            return redirect("kiosk:done")
        pending.describe(request)
        return render(
            request,
            "kiosk/review.html",
            _context(request, 4, pending=pending, submit_key=outcome.key, errors=outcome.errors),
            status=400,
        )
    # One key per confirmation screen: a double tap or a network retry resubmits the same key,
    # and the dossier service returns the dossier already created for it.
    key = request.session.setdefault("submit_key", uuid.uuid4().hex)
    return render(
        request, "kiosk/review.html", _context(request, 4, pending=pending, submit_key=key)
    )


@kiosk_required
@require_http_methods(["GET"])
def done(request: KioskRequest) -> HttpResponse:
    if not _alive(request):
        return redirect("kiosk:start")
    receipt = flow.receipt(request)
    if receipt is None:
        return redirect("kiosk:start")
    return render(request, "kiosk/done.html", _done_context(request, receipt))


def _done_context(request: KioskRequest, receipt: flow.Receipt, **extra) -> dict:
    qr = None
    if not request.kiosk.has_printer:
        from motcua.queue.views import qr_svg

        qr = qr_svg(receipt.tracking_url, scale=6)
    return _context(request, 5, receipt=receipt, slip_qr=qr, **extra)


@kiosk_required
@require_POST
def send_slip(request: KioskRequest) -> HttpResponse:
    """At a kiosk without a printer: send the slip's link to the phone or e-mail typed."""
    if not _alive(request):
        return redirect("kiosk:start")
    receipt = flow.receipt(request)
    if receipt is None:
        return redirect("kiosk:start")
    sent, error = flow.send_slip_link(request, receipt, request.POST.get("contact", ""))
    return render(
        request,
        "kiosk/done.html",
        _done_context(request, receipt, slip_sent=sent, slip_error=error),
        status=400 if error else 200,
    )


@kiosk_required
@require_POST
def finish(request: KioskRequest) -> HttpResponseRedirect:
    """Start over, finish or idle timeout: wipe everything the citizen entered."""
    session.wipe(request)
    return HttpResponseRedirect(reverse("kiosk:start"))
