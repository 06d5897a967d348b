"""The consent step of assisted submission: member signs in → citizen's ID and contact, the
ticked consent → a code sent to the citizen → the citizen reads it out → consent recorded.

The ID number and contact travel in POST bodies only; the session holds the consent's id."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.assist import services
from motcua.assist.models import AssistanceConsent
from motcua.centers.models import StaffMembership
from motcua.core.ratelimit import Limit, hit
from motcua.portal import sealing
from motcua.portal import services as portal_services
from motcua.portal import session as portal_session
from motcua.portal.states import Assurance

PENDING_KEY = "assist_pending"
PENDING_ID_KEY = "assist_pending_id"
# Each start sends an SMS or e-mail: a member's session must not be a free SMS cannon.
STARTS_PER_MEMBER = Limit("assist:start", hits=20, window_seconds=3600)


class MemberRequest(HttpRequest):
    """A request that passed ``member_required``, for the type checker: Django's own request
    object with the signed-in member of the digital team and their membership."""

    user: User
    member: StaffMembership


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: MemberRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = services.member_of(request.user)
        if member is None:
            return render(
                request,
                "assist/403.html",
                {
                    "message": _(
                        "Trang này dành cho thành viên tổ công nghệ số cộng đồng đã được trung "
                        "tâm cấp tài khoản."
                    )
                },
                status=403,
            )
        member_request = cast(MemberRequest, request)
        member_request.member = member
        response = view(member_request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


@member_required
@require_http_methods(["GET", "POST"])
def start(request: MemberRequest) -> HttpResponse:
    context = {"member": request.member, "consent_text": services.CONSENT_TEXT}
    if request.method != "POST":
        return render(request, "assist/start.html", context)
    now = timezone.now()
    verdict = hit(STARTS_PER_MEMBER, str(request.user.pk), now=now)
    if not verdict.allowed:
        context["error"] = _("Đã gửi quá nhiều mã trong một giờ, xin đợi rồi thử lại.")
        return render(request, "assist/start.html", context, status=429)
    try:
        with transaction.atomic():
            consent = services.start_consent(
                request.member,
                id_number=request.POST.get("so_dinh_danh", "")[:40],
                contact=request.POST.get("lien_he", "")[:254],
                consent=request.POST.get("dong_y") == "1",
                now=now,
            )
    except services.AssistError as exc:
        context["error"] = exc.message
        return render(request, "assist/start.html", context, status=exc.status_code)
    request.session[PENDING_KEY] = consent.pk
    # Sealed (portal.sealing), never the number itself: the portal opens for this citizen once
    # the code is verified.
    request.session[PENDING_ID_KEY] = sealing.seal(
        "".join(request.POST.get("so_dinh_danh", "")[:40].split())
    )
    request.session.pop(services.SESSION_KEY, None)
    return redirect("assist:code")


@member_required
@require_http_methods(["GET", "POST"])
def code(request: MemberRequest) -> HttpResponse:
    pending_id = request.session.get(PENDING_KEY)
    consent = (
        AssistanceConsent.objects.filter(pk=pending_id, member=request.user).first()
        if isinstance(pending_id, int)
        else None
    )
    if consent is None:
        return redirect("assist:start")
    context: dict[str, object] = {"member": request.member, "consent": consent}
    if request.method != "POST":
        return render(request, "assist/code.html", context)
    try:
        with transaction.atomic():
            wrong = services.verify_code(
                consent, request.POST.get("ma", "")[:20], now=timezone.now()
            )
    except services.AssistError as exc:
        context["error"] = exc.message
        return render(request, "assist/code.html", context, status=exc.status_code)
    if wrong:
        context["error"] = wrong
        return render(request, "assist/code.html", context, status=400)
    request.session.pop(PENDING_KEY, None)
    sealed = request.session.pop(PENDING_ID_KEY, "")
    id_number = sealing.unseal(sealed) if sealed else ""
    if not id_number:
        return redirect("assist:start")
    now = timezone.now()
    citizen = portal_services.sign_in(id_number, now=now, assurance=Assurance.ASSISTED)
    portal_session.start(request, citizen, Assurance.ASSISTED)
    request.session[services.SESSION_KEY] = consent.pk
    return redirect("assist:ready")


@member_required
@require_http_methods(["GET"])
def ready(request: MemberRequest) -> HttpResponse:
    assistance = services.current_assistance(request)
    return render(
        request, "assist/ready.html", {"member": request.member, "assistance": assistance}
    )
