"""Characters that never belong in what a citizen or officer types: one rule for every input.

- NUL (U+0000): PostgreSQL text cannot hold it ("A string literal cannot contain NUL"), so a
  value carrying one would fail at the database with a server error instead of a message.
- Other control characters (C0/C1 except tab, line feed, carriage return) and lone surrogates
  (which cannot even be encoded to UTF-8 for the database).
- Invisible format characters (Unicode category Cf): bidirectional embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069), the direction marks U+200E/U+200F/U+061C, and the
  zero-width characters U+200B–U+200D, U+2060, U+FEFF. Printed on an appointment slip or shown
  to an officer they make "Nguyễn Văn A" read as another name, or hide part of a text (the
  "Trojan Source" trick); the data on a card has none of them.

Values are refused with a message, never cleaned silently: what is stored must be what was sent.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Line breaks and tabs are ordinary in addresses and multi-line answers.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def first_unsafe_character(value: str) -> str | None:
    """The first character of ``value`` that the rule above refuses, or None."""
    for char in value:
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def has_unsafe_characters(value: str) -> bool:
    return first_unsafe_character(value) is not None


def describe(char: str) -> str:
    """Name the offending character for the message, without repeating the rest of the value."""
    if char == "\x00":
        return _("ký tự rỗng (NUL)")
    category = unicodedata.category(char)
    if category == "Cf":
        return _("ký tự ẩn U+%(code)04X (đổi chiều chữ hoặc không độ rộng)") % {"code": ord(char)}
    return _("ký tự điều khiển U+%(code)04X") % {"code": ord(char)}


def unsafe_text_message(char: str, what: str | None = None) -> str:
    if what:
        return _(
            "%(what)s có %(char)s, không được phép. Xin nhập lại bằng bàn phím, không dán từ "
            "nguồn khác."
        ) % {"what": what, "char": describe(char)}
    return _(
        "Dữ liệu có %(char)s, không được phép. Xin nhập lại bằng bàn phím, không dán từ nguồn khác."
    ) % {"char": describe(char)}


@deconstructible
class SafeTextValidator:
    """Django validator: refuses the characters above, for form fields and model fields."""

    code = "unsafe_characters"

    def __call__(self, value: object) -> None:
        if not isinstance(value, str):
            return
        char = first_unsafe_character(value)
        if char is not None:
            raise ValidationError(unsafe_text_message(char), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SafeTextValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_safe_text = SafeTextValidator()
