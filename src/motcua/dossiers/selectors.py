"""Reads of dossiers for pages and the API."""

from __future__ import annotations

import unicodedata

from motcua.dossiers.models import Dossier

MAX_CODE_LENGTH = 80


def normalize_code(raw: str | None) -> str:
    """A code as typed or scanned: trimmed, no inner spaces, letters upper-case (H19, not h19)."""
    return "".join((raw or "").split()).upper()[:MAX_CODE_LENGTH]


def find_by_code(code: str) -> Dossier | None:
    code = normalize_code(code)
    if not code:
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
