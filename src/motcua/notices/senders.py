"""How a notice leaves the building: one small interface, one sender per channel.

``NOTICE_SENDERS`` maps a channel to the dotted path of its sender class; a province swaps in
its own SMS brandname or Zalo OA gateway by pointing the setting at another class. A sender
that is not configured says so through ``enabled`` and no notice is queued for its channel.

Senders raise ``SendError`` with a message that carries no personal data: it is stored in
``Notice.last_error`` and shown to administrators.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.utils.module_loading import import_string

DEFAULT_SENDERS = {
    "email": "motcua.notices.senders.EmailSender",
    "sms": "motcua.notices.senders.SmsSender",
    "zalo": "motcua.notices.senders.ZaloSender",
}
DEFAULT_TIMEOUT_SECONDS = 10


class SendError(Exception):
    """A send that did not go through; the message must not contain the recipient."""


@runtime_checkable
class Sender(Protocol):
    channel: str

    def send(self, recipient: str, subject: str, body: str) -> None: ...


def _timeout() -> float:
    return float(getattr(settings, "NOTICE_SEND_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))


class EmailSender:
    """Through Django's configured mail backend (SMTP in production, locmem in tests)."""

    channel = "email"
    enabled = True

    def send(self, recipient: str, subject: str, body: str) -> None:
        connection = get_connection(fail_silently=False, timeout=_timeout())
        sent = send_mail(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [recipient],
            connection=connection,
        )
        if sent != 1:
            raise SendError("Máy chủ thư không nhận thư.")


# (url, body, headers, timeout) -> (HTTP status, response body). Tests inject a fake one.
Transport = Callable[[str, bytes, dict[str, str], float], tuple[int, bytes]]


def urllib_transport(url: str, data: bytes, headers: dict[str, str], timeout: float):
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read() if exc.fp else b""


def international_phone(phone: str) -> str:
    """``0912 345 678`` → ``84912345678``: the form SMS brandname and Zalo gateways expect."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


class HttpApiSender:
    """POST a JSON message to a gateway URL with a bearer token.

    The JSON shape (``{"to": "849…", "text": "…"}``) is what a province's SMS/Zalo gateway or a
    small adapter in front of it accepts; a gateway needing another shape gets its own subclass
    overriding ``payload``.
    """

    channel = ""
    gateway_name = ""
    url_setting = ""
    token_setting = ""

    def __init__(self, transport: Transport | None = None, *, url=None, token=None):
        self.url = (url if url is not None else getattr(settings, self.url_setting, "")) or ""
        self.token = (
            token if token is not None else getattr(settings, self.token_setting, "")
        ) or ""
        self.transport = transport or urllib_transport

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def payload(self, recipient: str, subject: str, body: str) -> dict:
        return {"to": international_phone(recipient), "text": body}

    def send(self, recipient: str, subject: str, body: str) -> None:
        if not self.enabled:
            raise SendError(f"Chưa cấu hình cổng {self.gateway_name}.")
        data = json.dumps(self.payload(recipient, subject, body), ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            status, _ = self.transport(self.url, data.encode("utf-8"), headers, _timeout())
        except (OSError, ValueError) as exc:
            # The exception text may echo the request; only its kind is kept.
            # ``from None``: a printed cause chain would carry that text again.
            raise SendError(
                f"Không kết nối được cổng {self.gateway_name} ({type(exc).__name__})."
            ) from None
        if not 200 <= status < 300:
            # The gateway's answer may repeat the phone number: keep only the status code.
            raise SendError(f"Cổng {self.gateway_name} trả lời HTTP {status}.")


class SmsSender(HttpApiSender):
    channel = "sms"
    gateway_name = "SMS"
    url_setting = "NOTICE_SMS_URL"
    token_setting = "NOTICE_SMS_TOKEN"  # noqa: S105 (the name of a setting)


class ZaloSender(HttpApiSender):
    channel = "zalo"
    gateway_name = "Zalo"
    url_setting = "NOTICE_ZALO_URL"
    token_setting = "NOTICE_ZALO_TOKEN"  # noqa: S105 (the name of a setting)

    def payload(self, recipient: str, subject: str, body: str) -> dict:
        return {"phone": international_phone(recipient), "text": body}


def configured_senders() -> dict[str, Sender]:
    """The enabled sender of each channel, built from ``NOTICE_SENDERS``."""
    paths = getattr(settings, "NOTICE_SENDERS", DEFAULT_SENDERS)
    senders: dict[str, Sender] = {}
    for channel, path in paths.items():
        if not path:
            continue
        sender = import_string(path)()
        if getattr(sender, "enabled", True):
            senders[channel] = sender
    return senders
