"""Reads of dossiers for pages and the API."""

from __future__ import annotations

import hmac
import re
import unicodedata

from motcua.dossiers.models import Dossier

MAX_CODE_LENGTH = 80
# What a dossier code can hold (``<agency code>-<yyMMdd>-<nnnn>``, agency codes of letters,
# digits and dots). Anything else ("/", NUL, other scripts) is not looked up at all: PostgreSQL
# refuses NUL in a query and "/" cannot be put back into the page's address.
CODE_PATTERN = re.compile(r"[0-9A-Z][0-9A-Z.\-]*")
SECOND_FACTOR_PATTERN = re.compile(r"[0-9]{4}")


def normalize_code(raw: str | None) -> str:
    """A code as typed or scanned: trimmed, no inner spaces, letters upper-case (H19, not h19)."""
    # One character past the limit is kept, so an over-long code stays invalid, not cut to fit.
    return "".join((raw or "").split()).upper()[: MAX_CODE_LENGTH + 1]


def is_valid_code(code: str) -> bool:
    return len(code) <= MAX_CODE_LENGTH and bool(CODE_PATTERN.fullmatch(code))


def find_by_code(code: str) -> Dossier | None:
    code = normalize_code(code)
    if not is_valid_code(code):
        return None
    return Dossier.objects.select_related("procedure", "center").filter(code=code).first()


def mask_name(name: str) -> str:
    """The applicant's name as the public tracking page may show it: "Nguyễn Văn An" → "N*** V*** A".

    Nghị định 13/2023/NĐ-CP: the page is public and the code is guessable, so it shows only
    initials, enough for the applicant to recognise their dossier. The stars do not reveal the
    length of each word.
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    masked = [word[0].upper() + "***" for word in words[:-1]]
    masked.append(words[-1][0].upper())
    return " ".join(masked)


def _last_four_digits(value: str) -> str:
    digits = "".join(ch for ch in value or "" if ch in "0123456789")
    # A value with fewer than four digits can match nothing: "-" is never typed as a digit.
    return digits[-4:] if len(digits) >= 4 else "----"


def find_for_tracking(code: str, last_four: str) -> Dossier | None:
    """The dossier with ``code`` whose applicant's ID number or phone ends in ``last_four``.

    The second factor the public tracking page asks for, because codes are sequential and a
    code alone would let anyone walk a day's dossiers (Nghị định 13/2023/NĐ-CP). A wrong code
    and wrong digits give the same ``None``, and both comparisons always run, in constant time
    (hmac.compare_digest), so neither the answer nor its timing tells a code exists.
    """
    if not SECOND_FACTOR_PATTERN.fullmatch(last_four or ""):
        return None
    dossier = find_by_code(code)
    id_suffix = _last_four_digits(dossier.applicant_id_number if dossier else "")
    phone_suffix = _last_four_digits(dossier.applicant_phone if dossier else "")
    by_id = hmac.compare_digest(id_suffix, last_four)
    by_phone = hmac.compare_digest(phone_suffix, last_four)
    return dossier if dossier is not None and (by_id | by_phone) else None


def open_supplement_request(dossier: Dossier) -> dict | None:
    """What the applicant must still add, while the dossier waits for it (Mẫu 02): the missing
    components and the officer's note of the latest request, or None when nothing is asked."""
    from motcua.dossiers.states import DossierStatus, EventAction

    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        return None
    event = dossier.events.filter(action=EventAction.REQUEST_SUPPLEMENT).order_by("-seq").first()
    if event is None:
        return None
    return {
        "missing": list((event.data or {}).get("missing") or []),
        "note": event.note,
        "at": event.at,
    }
