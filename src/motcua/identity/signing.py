"""Card values are locked: signed when read, checked when a form comes back.

Like FormSG's MyInfo prefill: what the kiosk read from the card is shown to the citizen but
may not be edited, and the server must be able to tell if a submission changed it. The token
is ``django.core.signing.dumps`` (HMAC with SECRET_KEY, a salt of our own and a timestamp);
it is signed, not encrypted, so it carries nothing the citizen's browser does not already show.
It is personal data all the same: send it in POST bodies only, never in a URL or a log line.

``IDENTITY_CARD_TOKEN_MAX_AGE`` (seconds, default 30 minutes) bounds how long a reading stays
usable: long enough to fill a form at the kiosk, short enough that a token left on a shared
kiosk expires.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from django.conf import settings
from django.core import signing

from motcua.identity.parsing import CardIdentity, FieldError, IdentityError

LOCKED_FIELDS = (
    "id_number",
    "old_id_number",
    "full_name",
    "birth_date",
    "sex",
    "address",
    "issue_date",
)

DEFAULT_MAX_AGE = 30 * 60
_SALT = "motcua.identity.card"
_VERSION = 1

_MSG_EXPIRED = (
    "Thông tin đọc từ thẻ đã quá thời hạn sử dụng. Vui lòng quét lại mã QR trên thẻ căn cước."
)
_MSG_INVALID = (
    "Thông tin đọc từ thẻ không hợp lệ hoặc đã bị sửa đổi. Vui lòng quét lại mã QR trên thẻ "
    "căn cước."
)


def card_token_max_age() -> int:
    return int(getattr(settings, "IDENTITY_CARD_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def sign_card(identity: CardIdentity) -> str:
    """A token carrying the card values as read (``CardIdentity.as_dict()``)."""
    return signing.dumps({"v": _VERSION, "card": identity.as_dict()}, salt=_SALT, compress=True)


def read_signed_card(token: str, *, max_age: int | None = None) -> dict:
    """The card values signed by ``sign_card``; ``IdentityError`` (field "card_token") if the
    token was altered, signed with another key or salt, or is older than ``max_age`` seconds."""
    if max_age is None:
        max_age = card_token_max_age()
    if not isinstance(token, str) or not token:
        raise IdentityError(FieldError("card_token", _MSG_INVALID))
    try:
        payload = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise IdentityError(FieldError("card_token", _MSG_EXPIRED)) from None
    except (signing.BadSignature, ValueError):
        # ValueError: a token that verifies but does not decompress/decode (never ours).
        raise IdentityError(FieldError("card_token", _MSG_INVALID)) from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise IdentityError(FieldError("card_token", _MSG_INVALID))
    card = payload.get("card")
    if not isinstance(card, dict):
        raise IdentityError(FieldError("card_token", _MSG_INVALID))
    return card


def altered_locked_fields(token: str, submitted: dict) -> list[str]:
    """Names of locked fields present in ``submitted`` whose value differs from the card's.

    Fields the submission leaves out are not compared: the caller takes those values from
    ``read_signed_card``, never from the client. Raises ``IdentityError`` on a bad token.
    """
    card = read_signed_card(token)
    return [
        field
        for field in LOCKED_FIELDS
        if field in submitted and _canonical(submitted[field]) != _canonical(card.get(field))
    ]


def _canonical(value: Any) -> str:
    # A form round trip may change Unicode normalization or whitespace, which no citizen can
    # see: those are not edits. Dates compare as ISO strings, whether given as date or text.
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s+", " ", text).strip()
