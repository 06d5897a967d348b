"""Vietnamese number formats, one helper for every page, chart label and PDF of the reports.

Vietnamese write thousands with "." and decimals with ",": 3.366 hồ sơ, 99,63%. Django's
``floatformat`` and ``intcomma`` follow the active locale only when localization is on and can
give "99.63" or "3,366" in a thread without it (PDF rendering, tests), so the reports format
numbers here, the same everywhere, whatever the request's language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

MISSING = "—"  # a rate with a zero denominator (N/A): never printed as 0


def vi_number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """3366 → "3.366"; 2.994 with 2 decimals → "2,99"; None → "—". Rounded half up."""
    if value is None or value == "":
        return MISSING
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    if fraction:
        text = f"{text},{fraction}"
    return sign + text


def vi_percent(value: float | int | Decimal | None) -> str:
    """A percentage (99.63 means 99,63%) with 2 decimals, ",00" dropped: "99,63%", "100%"."""
    if value is None or value == "":
        return MISSING
    text = vi_number(value, 2)
    if text.endswith(",00"):
        text = text[:-3]
    return f"{text}%"


@register.filter(name="vi_number")
def vi_number_filter(value, decimals=0) -> str:
    return vi_number(value, int(decimals))


@register.filter(name="vi_percent")
def vi_percent_filter(value) -> str:
    return vi_percent(value)
