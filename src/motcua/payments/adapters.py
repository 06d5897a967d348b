"""Bank and payment-platform adapters: a provider's request in, one ``Confirmation`` out.

Every provider signs its callbacks its own way (an HMAC header, a checksum field, a certificate)
and names the fields its own way. An adapter hides that: it verifies the request as the
provider specifies and returns a ``Confirmation`` in motcua's terms, or raises a
``WebhookRejected`` with the HTTP status the provider should see. Everything after that (the
dossier, the amount, the one payment per dossier, the receipt) is ``services.confirm_online``'s
business and the same for every provider. docs/payments.md shows how to write one.

Adapters are configured in ``MOTCUA_PAYMENT_ADAPTERS`` (settings.py) by name; the name is the
last part of the webhook's address (``/thanh-toan/xac-nhan/<name>/``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from motcua.dossiers.states import PaymentMethod

# Methods a bank or platform may confirm: online through the national or the provincial
# platform (KPI 3.6 counts both), or a transfer by QR at the counter (which it does not).
CONFIRMABLE_METHODS = frozenset(
    {PaymentMethod.ONLINE_NATIONAL, PaymentMethod.ONLINE_PROVINCIAL, PaymentMethod.TRANSFER}
)
MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True)
class Confirmation:
    """A provider's word that money for a dossier arrived."""

    transaction_id: str
    dossier_code: str
    amount_vnd: int
    paid_at: datetime
    channel: str  # a ``PaymentMethod`` value from CONFIRMABLE_METHODS


@dataclass(frozen=True)
class Verified:
    """What an adapter returns: the confirmation and the digest that identifies the request.

    ``request_digest`` is remembered for the tolerance window: the same signed request seen
    again is a replay, whatever it says.
    """

    confirmation: Confirmation
    request_digest: str


class WebhookRejected(Exception):
    """A request refused before any data is touched. ``reason`` is a stable code for the log."""

    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


class BankAdapter(Protocol):
    name: str
    tolerance: timedelta

    def verify(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> Verified:
        """Check the request's authenticity and freshness, parse it, or raise WebhookRejected."""
        ...


TIMESTAMP_HEADER = "X-Motcua-Timestamp"
SIGNATURE_HEADER = "X-Motcua-Signature"
_TRANSACTION_ID = re.compile(r"[0-9A-Za-z._:\-]{1,100}")
_CODE = re.compile(r"[0-9A-Za-z.\-]{1,80}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The generic adapter's signature header value: ``sha256=`` HMAC over "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class HmacJsonAdapter:
    """The generic adapter: a JSON body signed with HMAC-SHA256 and a Unix timestamp header.

    The signature covers the timestamp and the raw body bytes, so neither can be changed or
    re-used with another; a timestamp outside ``tolerance`` (either way) is refused, and the
    view remembers every signature seen in the window, so an exact replay is refused too.
    ``secrets`` is a list: during a rotation the old and the new secret are both accepted.
    """

    def __init__(
        self,
        *,
        name: str,
        secrets: list[str],
        tolerance_seconds: int = 300,
        method: str = PaymentMethod.ONLINE_PROVINCIAL,
    ):
        if not secrets or any(len(s) < 32 for s in secrets):
            raise ValueError(f"payment adapter {name!r}: every secret must be 32+ characters")
        if method not in CONFIRMABLE_METHODS:
            raise ValueError(f"payment adapter {name!r}: method {method!r} cannot be confirmed")
        self.name = name
        self.secrets = list(secrets)
        self.tolerance = timedelta(seconds=tolerance_seconds)
        self.method = method

    def verify(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> Verified:
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not timestamp or not signature:
            raise WebhookRejected(401, "unsigned", "Thiếu chữ ký hoặc dấu thời gian.")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise WebhookRejected(401, "bad_timestamp", "Dấu thời gian không hợp lệ.")
        expected = [sign(secret, timestamp, body) for secret in self.secrets]
        # compare_digest for each secret: no early exit telling which bytes matched.
        if not any(hmac.compare_digest(signature, e) for e in expected):
            raise WebhookRejected(401, "bad_signature", "Chữ ký không đúng.")
        sent_at = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
        if abs(now - sent_at) > self.tolerance:
            raise WebhookRejected(401, "stale", "Dấu thời gian nằm ngoài khoảng cho phép.")
        confirmation = self._parse(body)
        digest = hashlib.sha256(f"{self.name}\n{signature}".encode()).hexdigest()
        return Verified(confirmation, digest)

    def _parse(self, body: bytes) -> Confirmation:
        malformed = WebhookRejected(400, "malformed", "Nội dung JSON không hợp lệ.")
        try:
            data: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise malformed from None
        if not isinstance(data, dict):
            raise malformed
        transaction_id = data.get("transaction_id")
        code = data.get("dossier_code")
        amount = data.get("amount_vnd")
        paid_at_raw = data.get("paid_at")
        channel = data.get("channel", self.method)
        if not isinstance(transaction_id, str) or not _TRANSACTION_ID.fullmatch(transaction_id):
            raise WebhookRejected(400, "malformed", "Mã giao dịch không hợp lệ.")
        if not isinstance(code, str) or not _CODE.fullmatch(code.strip()):
            raise WebhookRejected(400, "malformed", "Mã hồ sơ không hợp lệ.")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise WebhookRejected(400, "malformed", "Số tiền phải là số nguyên đồng dương.")
        if channel not in CONFIRMABLE_METHODS:
            raise WebhookRejected(400, "malformed", "Hình thức thanh toán không hợp lệ.")
        paid_at = None
        if isinstance(paid_at_raw, str) and len(paid_at_raw) <= 40:
            try:
                paid_at = datetime.fromisoformat(paid_at_raw)
            except ValueError:
                paid_at = None
        if paid_at is None or paid_at.tzinfo is None:
            raise WebhookRejected(
                400, "malformed", "Thời điểm nộp phải theo ISO 8601 và có múi giờ."
            )
        return Confirmation(
            transaction_id=transaction_id,
            dossier_code=code.strip().upper(),
            amount_vnd=amount,
            paid_at=paid_at,
            channel=channel,
        )


def get_adapter(name: str) -> BankAdapter | None:
    """The adapter configured under ``name`` in ``MOTCUA_PAYMENT_ADAPTERS``, or None."""
    config = dict(getattr(settings, "MOTCUA_PAYMENT_ADAPTERS", {}).get(name) or {})
    if not config:
        return None
    factory = import_string(config.pop("class", "motcua.payments.adapters.HmacJsonAdapter"))
    return factory(name=name, **config)
