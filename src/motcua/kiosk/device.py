"""Recognising a registered kiosk from its signed, HttpOnly device cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from motcua.kiosk.models import KioskDevice

COOKIE_NAME = "motcua_kiosk"
COOKIE_SALT = "motcua.kiosk.device"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def set_device_cookie(response: HttpResponse, device: KioskDevice, secret: str) -> None:
    value = signing.dumps({"id": device.pk, "s": secret}, salt=COOKIE_SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=request_is_secure(response),
    )


def request_is_secure(response: HttpResponse) -> bool:
    from django.conf import settings

    return bool(getattr(settings, "SESSION_COOKIE_SECURE", False))


def device_for(request: HttpRequest) -> KioskDevice | None:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=COOKIE_SALT)
        device = KioskDevice.objects.select_related("center").get(pk=int(data["id"]))
    except (signing.BadSignature, KioskDevice.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not device.is_active or not device.center.is_active:
        return None
    if not device.secret_matches(str(data.get("s", ""))):
        return None
    return device


def kiosk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Kiosk pages answer only on a registered, active device (issue: "work only on a
    registered device"); anything else gets the registration page's explanation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        device = device_for(request)
        if device is None:
            return render(request, "kiosk/unregistered.html", status=403)
        now = timezone.now()
        if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
            KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        request.kiosk = device
        # Every kiosk view, the queue's included, counts as activity and enforces the idle
        # wipe on the server too: a page whose script did not run cannot keep a citizen's data
        # past the device's limit (Nghị định 13/2023/NĐ-CP).
        from motcua.kiosk import session

        request.kiosk_alive = session.touch(
            request, idle_seconds=device.idle_seconds, device_id=device.pk
        )
        response = view(request, *args, **kwargs)
        # Every kiosk page may show the citizen's data: the Back button of the next citizen
        # must not bring it back from the browser's cache (Nghị định 13/2023/NĐ-CP).
        add_never_cache_headers(response)
        return response

    return wrapper
