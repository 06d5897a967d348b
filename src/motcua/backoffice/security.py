"""Login protection for officers: lockout after failed logins, the second factor, who may unlock.

django-axes counts failed logins per account (settings: AXES_*); this module adapts it to
motcua: the client address behind the trusted proxy (``core.ratelimit.client_address``), a
looser limit per address (``ADDRESS_FAILURES``), a Vietnamese lockout page, log lines without
usernames or addresses, and the list of locked accounts a center admin may see and unlock.
django-otp holds the TOTP devices; ``SecondFactorRequiredMiddleware`` refuses a session that
skipped the code for an officer who has one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.backoffice.templatetags.backoffice import officer_name
from motcua.centers.models import StaffMembership
from motcua.core import ratelimit
from motcua.dossiers.states import Role

# Failed logins (password or code) from one address. Looser than the per-account limit: a
# commune office shares one public address, so it takes many officers' typos to reach it.
ADDRESS_FAILURES = ratelimit.Limit("login-fail-ip", hits=30, window_seconds=15 * 60)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come from an HTTP request.

    ``authenticate()`` without a request (a management command, the test client's ``login()``)
    is not a login form an attacker can reach; axes would refuse it outright.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for axes (``core.ratelimit.client_address``), or None.

    axes stores it in an IP-address column, which PostgreSQL refuses for anything else (a test
    request's "unknown", a proxy's malformed X-Forwarded-For): a login must never fail on that.
    """
    address = ratelimit.client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_log_string(username, ip_address, user_agent, path_info, request) -> str:
    """What axes writes in the log about a login: a keyed hash, never the username or address.

    Usernames are often officers' names and addresses are personal data (Nghị định
    13/2023/NĐ-CP); the hash still lets an operator see that failures come from one account.
    """
    return (
        f"account={ratelimit.hashed(username or '')} "
        f"address={ratelimit.hashed(ip_address or '')} path={path_info}"
    )


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(minutes=15)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The Vietnamese page shown instead of the login form while an account is locked."""
    minutes = int(cool_off().total_seconds() // 60)
    return render(
        request,
        "backoffice/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def address_locked(request: HttpRequest) -> bool:
    """Whether this address has used up its failed logins for the current window."""
    address = ratelimit.client_address(request)
    return ratelimit.peek(ADDRESS_FAILURES, address) >= ADDRESS_FAILURES.hits


def count_address_failure(request: HttpRequest) -> None:
    ratelimit.hit(ADDRESS_FAILURES, ratelimit.client_address(request))


def account_allowed(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_allowed(request, {"username": username})


def record_failed_code(request: HttpRequest, username: str) -> None:
    """A wrong second-factor code counts like a wrong password, for the account and address."""
    count_address_failure(request)
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


# The center admin's unlock page


@dataclass(frozen=True)
class LockedAccount:
    username: str
    full_name: str
    failures: int
    last_attempt: datetime
    unlocks_at: datetime


def may_unlock_accounts(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(
        user=user, is_active=True, role=Role.CENTER_ADMIN, center__isnull=False
    ).exists()


def _unlockable_usernames(user) -> set[str] | None:
    """Usernames this admin may unlock: their center's staff, never a superuser; ``None`` means
    any (the admin is a superuser)."""
    if user.is_superuser:
        return None
    centers = StaffMembership.objects.filter(
        user=user, is_active=True, role=Role.CENTER_ADMIN, center__isnull=False
    ).values("center_id")
    # A superuser may hold a membership at the center, but their account is provincial IT's:
    # lifting its lock would let a center administrator keep guessing its password, five tries
    # per unlock.
    return set(
        get_user_model()
        .objects.filter(membership__center_id__in=centers, is_superuser=False)
        .values_list("username", flat=True)
    )


def locked_accounts(user, *, now: datetime | None = None) -> list[LockedAccount]:
    """The accounts locked right now that ``user`` may unlock (never another center's)."""
    now = now or timezone.now()
    allowed = _unlockable_usernames(user)
    attempts = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off()).exclude(
        username__isnull=True
    )
    if allowed is not None:
        attempts = attempts.filter(username__in=allowed)
    rows = (
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
    )
    names = {
        account.username: officer_name(account)
        for account in get_user_model().objects.filter(
            username__in=[row["username"] for row in rows]
        )
    }
    return [
        LockedAccount(
            username=row["username"],
            full_name=names.get(row["username"], ""),
            failures=row["failures"],
            last_attempt=row["last"],
            unlocks_at=row["last"] + cool_off(),
        )
        for row in rows
    ]


def unlock(user, username: str) -> bool:
    """Clear the failed logins of ``username`` if ``user`` may; whether anything was allowed."""
    allowed = _unlockable_usernames(user)
    if allowed is not None and username not in allowed:
        return False
    axes_reset(username=username)
    return True


# The second factor


def second_factor_offered(user) -> bool:
    """Leaders, center admins and superusers may protect their account with a TOTP app."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(
        user=user, is_active=True, role__in=settings.MOTCUA_SECOND_FACTOR_ROLES
    ).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs_second_factor(user) -> bool:
    return user.is_authenticated and confirmed_device(user) is not None


# Officer areas: a session thrown out there is sent to the login; elsewhere (the slip PDF, the
# API) the request simply goes on as anonymous.
_GUARDED_PREFIXES = ("/admin/", "/can-bo/")


class SecondFactorRequiredMiddleware:
    """End any signed-in session that skipped the second factor of an officer who has one.

    The officer login asks for the code before it signs anyone in, but a session can exist
    without it: one opened before the officer turned the factor on (on another computer), or
    one made by a login path other than ours. It is ended on its next request, whatever page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and needs_second_factor(user)
        ):
            logout(request)
            if request.path_info.startswith(_GUARDED_PREFIXES):
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
