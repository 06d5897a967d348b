"""The citizen's ID number at rest: a keyed hash to find them, an encrypted copy to use it.

Nghị định 13/2023/NĐ-CP counts the personal identification number among basic personal data
(Đ.2 kh.3) and asks the controller for protection measures from the moment data is collected
(Đ.26, Đ.27). The portal's own tables therefore never hold it in clear (docs/decisions/0005):

- ``id_digest``: HMAC-SHA256 of the number with a secret key. It is the lookup key of
  ``Citizen`` and of the rate limits: equal numbers give equal digests, but a copy of the table
  cannot be turned back into numbers by trying all 10^12 of them without the key.
- ``seal`` / ``unseal``: Fernet (AES-128-CBC + HMAC, ``cryptography``) for the number and the
  contact address, which the portal must read back (to match the applicant's dossiers and to
  send codes).

Both keys derive from ``MOTCUA_PORTAL_KEY`` when set, else from ``SECRET_KEY``. A rotated key
makes old sealed values unreadable: ``unseal`` then answers "" and the next sign-in, which
always carries the number, seals it again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _master() -> bytes:
    secret = getattr(settings, "MOTCUA_PORTAL_KEY", "") or settings.SECRET_KEY
    return secret.encode("utf-8")


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(_master())


def id_digest(id_number: str) -> str:
    return hmac.new(
        _derive(b"motcua.portal.id-digest"), id_number.encode(), hashlib.sha256
    ).hexdigest()


def contact_digest(channel: str, address: str) -> str:
    """The rate-limit key of a code's recipient (a phone or an e-mail address), never the address.

    Written forms of one phone (0912 345 678, +84912345678) and one mailbox (Lan@Example.vn) give
    one digest, so a caller cannot dodge the limit by spelling the address differently.
    """
    value = "".join(address.split()).lower()
    if channel != "email":
        digits = "".join(ch for ch in value if ch.isdigit())
        value = "0" + digits[2:] if digits.startswith("84") and len(digits) > 10 else digits
    key = _derive(b"motcua.portal.contact-digest")
    return hmac.new(
        key, f"{'email' if channel == 'email' else 'phone'}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"motcua.portal.seal")))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii") if value else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return ""


def code_digest(code: str, challenge_salt: str) -> str:
    """The stored form of a one-time code: keyed, salted per challenge (never the code)."""
    key = _derive(b"motcua.portal.one-time-code")
    return hmac.new(key, f"{challenge_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison: the time taken says nothing about how much matched."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
