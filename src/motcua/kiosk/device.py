"""Recognising a registered kiosk from its signed, HttpOnly device cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from motcua.core import devices
from motcua.kiosk.models import KioskDevice

COOKIE_NAME = "motcua_kiosk"
COOKIE_SALT = "motcua.kiosk.device"


class KioskRequest(HttpRequest):
    """A request that passed ``kiosk_required``, for the type checker: Django's own request
    object, with the registered device and whether the citizen's session is still alive."""

    kiosk: KioskDevice
    kiosk_alive: bool


def set_device_cookie(response: HttpResponse, device: KioskDevice, secret: str) -> None:
    devices.set_device_cookie(response, device, secret, name=COOKIE_NAME, salt=COOKIE_SALT)


def device_for(request: HttpRequest) -> KioskDevice | None:
    return devices.device_from_cookie(
        request, KioskDevice.objects.all(), name=COOKIE_NAME, salt=COOKIE_SALT
    )


def kiosk_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Kiosk pages answer only on a registered, active device (issue: "work only on a
    registered device"); anything else gets the registration page's explanation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        device = device_for(request)
        if device is None:
            return render(request, "kiosk/unregistered.html", status=403)
        device.mark_seen(now=timezone.now())
        kiosk_request = cast(KioskRequest, request)
        kiosk_request.kiosk = device
        # Every kiosk view, the queue's included, counts as activity and enforces the idle
        # wipe on the server too: a page whose script did not run cannot keep a citizen's data
        # past the device's limit (Nghị định 13/2023/NĐ-CP).
        from motcua.kiosk import session

        kiosk_request.kiosk_alive = session.touch(
            request, idle_seconds=device.idle_seconds, device_id=device.pk
        )
        response = view(kiosk_request, *args, **kwargs)
        # Every kiosk page may show the citizen's data: the Back button of the next citizen
        # must not bring it back from the browser's cache (Nghị định 13/2023/NĐ-CP).
        add_never_cache_headers(response)
        return response

    return wrapper
