"""Recognising a counter's rating tablet from its signed, HttpOnly device cookie."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from motcua.feedback.models import RatingDevice

COOKIE_NAME = "motcua_rating_tablet"
COOKIE_SALT = "motcua.feedback.tablet"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def set_device_cookie(response: HttpResponse, device: RatingDevice, secret: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps({"id": device.pk, "s": secret}, salt=COOKIE_SALT),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


def device_for(request: HttpRequest) -> RatingDevice | None:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=COOKIE_SALT)
        device = RatingDevice.objects.select_related("center", "counter").get(pk=int(data["id"]))
    except (signing.BadSignature, RatingDevice.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not device.is_active or not device.center.is_active:
        return None
    # A counter moved to another center (or a device edited to point across centers) is dead.
    if device.counter.center_id != device.center_id:
        return None
    if not device.secret_matches(str(data.get("s", ""))):
        return None
    return device
