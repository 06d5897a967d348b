"""Devices an admin registers and binds with a one-time code: the kiosk (``motcua.kiosk``) and
the counter's rating tablet (``motcua.feedback``).

Both follow one scheme, kept here so the two cannot drift apart: the admin issues an 8-digit
code valid for 30 minutes, a technician types it on the device, the device receives a random
secret in a signed, HttpOnly cookie, and only hashes of the code and the secret are stored, so
a database dump does not let anyone impersonate a device.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from motcua.core.ratelimit import Limit, hit

if TYPE_CHECKING:
    from motcua.centers.models import Center

ACTIVATION_TTL = timedelta(minutes=30)
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
# ``last_seen_at`` is written at most once a minute: a page view must not cost a write.
SEEN_RESOLUTION_SECONDS = 60


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class RegisteredDevice(models.Model):
    """Activation state and secret of a registered device; each concrete model adds its
    center, name and what it does."""

    is_active = models.BooleanField(_("đang dùng"), default=True)
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    activation_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    activation_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(_("kích hoạt lúc"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("hoạt động lần cuối"), null=True, blank=True)

    if TYPE_CHECKING:
        # Each concrete model's own foreign key (KioskDevice.center, RatingDevice.center).
        center: Center

    class Meta:
        abstract = True

    def new_activation_code(self, *, now) -> str:
        """A one-time 8-digit code the technician types on the device within 30 minutes.

        Wrong guesses are limited per client address and in total (the activation views), not
        per code: a code is never used up by strangers' failures.
        """
        code = f"{secrets.randbelow(10**8):08d}"
        self.activation_code_hash = _hash(code)
        self.activation_expires_at = now + ACTIVATION_TTL
        return code

    def activation_code_matches(self, code: str, *, now) -> bool:
        return bool(
            self.activation_code_hash
            and self.activation_expires_at
            and now <= self.activation_expires_at
            and secrets.compare_digest(self.activation_code_hash, _hash(code))
        )

    def activate(self, *, now) -> str:
        """Bind the device: a new secret for its cookie; the activation code is used up."""
        secret = secrets.token_urlsafe(32)
        self.secret_hash = _hash(secret)
        self.activation_code_hash = ""
        self.activation_expires_at = None
        self.activated_at = now
        return secret

    def secret_matches(self, secret: str) -> bool:
        return bool(self.secret_hash) and secrets.compare_digest(self.secret_hash, _hash(secret))

    def mark_seen(self, *, now) -> None:
        """Record that the device is in use, without a write on every request."""
        if (
            self.last_seen_at is None
            or (now - self.last_seen_at).total_seconds() > SEEN_RESOLUTION_SECONDS
        ):
            type(self)._default_manager.filter(pk=self.pk).update(last_seen_at=now)
            self.last_seen_at = now


_Device = TypeVar("_Device", bound=RegisteredDevice)


def activate_with_code(pending: QuerySet[_Device], code: str, *, now) -> tuple[_Device, str] | None:
    """The active device of ``pending`` whose unexpired code is ``code``, activated and saved,
    with its new secret; None if no device matches. Runs inside the caller's transaction: the
    rows are locked so two browsers typing the same code cannot both get a secret."""
    candidates = pending.select_for_update().filter(is_active=True, activation_expires_at__gte=now)
    device = next((d for d in candidates if d.activation_code_matches(code, now=now)), None)
    if device is None:
        return None
    secret = device.activate(now=now)
    device.save()
    return device, secret


def set_device_cookie(
    response: HttpResponse, device: RegisteredDevice, secret: str, *, name: str, salt: str
) -> None:
    response.set_cookie(
        name,
        signing.dumps({"id": device.pk, "s": secret}, salt=salt),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


def device_from_cookie(
    request: HttpRequest, queryset: QuerySet[_Device], *, name: str, salt: str
) -> _Device | None:
    """The active device of an active center whose cookie this request carries, or None."""
    raw = request.COOKIES.get(name)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=salt)
        device = queryset.select_related("center").get(pk=int(data["id"]))
    except (signing.BadSignature, queryset.model.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not device.is_active or not device.center.is_active:
        return None
    if not device.secret_matches(str(data.get("s", ""))):
        return None
    return device


def typed_code(request: HttpRequest) -> str:
    """The activation code as typed: its digits only, at most 8."""
    return "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())[:8]


def charge_attempt(address: str, *, per_address: Limit, total: Limit, now) -> int | None:
    """Count one activation attempt, before the code is compared; the seconds to wait if this
    address or everyone together is over the limit, else None.

    Counted first and refunded when the code was right (``refund_attempt``): a limit checked
    first and charged after the comparison would let parallel requests guess past it. A
    limited address is refused even with the right code; otherwise the limit would stop
    nothing, since the guess that happens to be right would still get through."""
    verdicts = [hit(per_address, address, now=now), hit(total, "all", now=now)]
    refused = [v.retry_after for v in verdicts if not v.allowed]
    return max(refused) if refused else None


def refund_attempt(address: str, *, per_address: Limit, total: Limit, now) -> None:
    hit(per_address, address, now=now, cost=-1)
    hit(total, "all", now=now, cost=-1)
