"""Short-lived proof that a page already checked the second factor for a dossier.

The tracking page and the kiosk open a dossier only with the last four digits or the slip's
signed QR token; the rating form they then show carries this token, so the rating POST needs
no second factor again and cannot be sent for a dossier whose factor was never given.
"""

from __future__ import annotations

from django.core import signing

SALT = "motcua.feedback.rate"
MAX_AGE_SECONDS = 30 * 60


def rating_token(code: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(code)


def code_from_token(token: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token[:200], max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
