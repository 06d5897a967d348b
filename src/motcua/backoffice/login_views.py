"""Officer sign-in in two steps, the second-factor enrollment and the center admin's unlock page.

The password step (``OfficerLoginView``) signs in an officer without a second factor at once.
For an officer with a confirmed TOTP device it only remembers, in the anonymous session and for
a few minutes, who passed the password; the session is signed in after the right code
(``login_code``). Wrong passwords and wrong codes count toward the same lockout
(``security``). The Django admin has no login of its own: ``admin_login`` sends it here.
"""

from __future__ import annotations

import time
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.backoffice import security
from motcua.backoffice.access import membership_of
from motcua.core import ratelimit

PENDING_KEY = "motcua_second_factor_pending"
# Time to open the authenticator app and type the code after the password was right.
PENDING_SECONDS = 5 * 60
# Codes tried while enrolling or removing a device, per account (the login step is counted by
# the lockout instead).
ENROLL_CODES = ratelimit.Limit("otp-enroll", hits=10, window_seconds=15 * 60)


def _forbidden(request: HttpRequest, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "backoffice/403.html",
        {"title": title, "message": message, "membership": membership_of(request.user)},
        status=403,
    )


class OfficerLoginView(LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True
    next_page = "backoffice:inbox"

    def post(self, request, *args, **kwargs):
        if security.address_locked(request):
            return security.lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.data.get("username") or form.data.get("password"):
            security.count_address_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if not security.needs_second_factor(user):
            return super().form_valid(form)
        # Not signed in yet: the session only remembers who passed the password, until when.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "until": time.time() + PENDING_SECONDS,
            "next": self.get_success_url(),
        }
        return redirect("backoffice:login_code")


class OfficerLogoutView(LogoutView):
    next_page = "backoffice:login"


def _pending(request: HttpRequest):
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return pending, user


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the 6-digit code from the officer's authenticator app."""
    pending, user = _pending(request)
    if user is None:
        messages.info(request, _("Phiên đăng nhập đã hết hạn. Xin đăng nhập lại."))
        return redirect("backoffice:login")
    error = ""
    if request.method == "POST":
        username = user.get_username()
        if security.address_locked(request) or not security.account_allowed(request, username):
            request.session.pop(PENDING_KEY, None)
            return security.lockout_response(request)
        token = "".join(request.POST.get("otp_token", "").split())
        device = security.confirmed_device(user)
        if (
            device is not None
            and token.isdigit()
            and len(token) == 6
            and device.verify_token(token)
        ):
            request.session.pop(PENDING_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            return redirect(pending["next"])
        security.record_failed_code(request, username)
        if not security.account_allowed(request, username):
            request.session.pop(PENDING_KEY, None)
            return security.lockout_response(request)
        error = _("Mã xác thực không đúng hoặc đã hết hạn. Xin nhập mã mới trên ứng dụng.")
    return render(
        request, "backoffice/login_code.html", {"error": error}, status=400 if error else 200
    )


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the officer login, so lockout and codes apply there too."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        return _forbidden(
            request,
            _("Không có quyền quản trị"),
            _(
                "Tài khoản của bạn không được vào trang quản trị hệ thống. "
                "Xin liên hệ quản trị trung tâm nếu bạn cần quyền này."
            ),
        )
    return redirect(f"{reverse('backoffice:login')}?{urlencode({'next': next_url})}")


# Second factor enrollment


def _qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG QR code, drawn on the server (no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Turn on (or off) the authenticator-app code for a leader, center admin or superuser."""
    user = request.user
    if not security.second_factor_offered(user):
        return _forbidden(
            request,
            _("Không dùng được xác thực hai bước"),
            _("Xác thực hai bước dành cho lãnh đạo, quản trị trung tâm và quản trị hệ thống."),
        )
    confirmed = security.confirmed_device(user)
    error = ""
    if request.method == "POST":
        if not ratelimit.hit(ENROLL_CODES, f"user:{user.pk}").allowed:
            error = _("Bạn đã nhập sai quá nhiều lần. Xin thử lại sau 15 phút.")
        else:
            token = "".join(request.POST.get("otp_token", "").split())
            action = request.POST.get("action", "")
            if action == "confirm" and confirmed is None:
                device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
                if device is not None and token.isdigit() and device.verify_token(token):
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                    django_otp.login(request, device)
                    ratelimit.reset(ENROLL_CODES, f"user:{user.pk}")
                    messages.success(request, _("Đã bật xác thực hai bước cho tài khoản của bạn."))
                    return redirect("backoffice:second_factor")
                error = _("Mã xác thực không đúng. Xin nhập mã đang hiện trên ứng dụng.")
            elif action == "remove" and confirmed is not None:
                if token.isdigit() and confirmed.verify_token(token):
                    TOTPDevice.objects.filter(user=user).delete()
                    messages.success(request, _("Đã tắt xác thực hai bước."))
                    return redirect("backoffice:second_factor")
                error = _("Mã xác thực không đúng. Xin nhập mã đang hiện trên ứng dụng.")
            else:
                error = _("Yêu cầu không hợp lệ. Xin tải lại trang.")
    context = {"membership": membership_of(user), "confirmed": confirmed, "error": error}
    if confirmed is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=_("Ứng dụng xác thực"), confirmed=False
            )
        context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 - segno's own SVG
        context["secret"] = _grouped(b32encode(device.bin_key).decode("ascii"))
        context["issuer"] = settings.OTP_TOTP_ISSUER
    return render(request, "backoffice/second_factor.html", context, status=400 if error else 200)


# The center admin's unlock page


@login_required
@require_http_methods(["GET", "POST"])
def locked_accounts(request: HttpRequest) -> HttpResponse:
    """Accounts of the admin's own center locked by failed logins, each with an unlock button."""
    if not security.may_unlock_accounts(request.user):
        return _forbidden(
            request,
            _("Không có quyền mở khóa tài khoản"),
            _("Chỉ quản trị trung tâm mở khóa được tài khoản cán bộ của trung tâm mình."),
        )
    if request.method == "POST":
        username = request.POST.get("username", "")
        if not username or not security.unlock(request.user, username):
            raise Http404(_("Không có tài khoản này trong trung tâm của bạn."))
        messages.success(request, _("Đã mở khóa tài khoản %(username)s.") % {"username": username})
        return redirect("backoffice:locked_accounts")
    return render(
        request,
        "backoffice/locked_accounts.html",
        {
            "membership": membership_of(request.user),
            "accounts": security.locked_accounts(request.user),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(security.cool_off().total_seconds() // 60),
        },
    )
