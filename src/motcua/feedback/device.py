"""Recognising a counter's rating tablet from its signed, HttpOnly device cookie."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from motcua.core import devices
from motcua.feedback.models import RatingDevice

COOKIE_NAME = "motcua_rating_tablet"
COOKIE_SALT = "motcua.feedback.tablet"


def set_device_cookie(response: HttpResponse, device: RatingDevice, secret: str) -> None:
    devices.set_device_cookie(response, device, secret, name=COOKIE_NAME, salt=COOKIE_SALT)


def device_for(request: HttpRequest) -> RatingDevice | None:
    device = devices.device_from_cookie(
        request,
        RatingDevice.objects.select_related("counter"),
        name=COOKIE_NAME,
        salt=COOKIE_SALT,
    )
    # A counter moved to another center (or a device edited to point across centers) is dead.
    if device is None or device.counter.center_id != device.center_id:
        return None
    return device
