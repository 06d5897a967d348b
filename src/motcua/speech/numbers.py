"""Vietnamese number reading: the rules a radio announcer follows, not a digit spell-out.

The irregular forms are the whole point (espeak-ng reads "15" as "mười năm"):
- after "mười" (10–19): 5 is "lăm", 1 and 4 stay "một", "bốn" (mười một, mười bốn, mười lăm);
- after "mươi" (20–99): 1 is "mốt", 4 is "tư", 5 is "lăm" (hai mươi mốt, hai mươi tư);
- a zero ten inside a hundred is "linh" (một trăm linh năm), and a group after a higher one
  says its hundreds even when zero (một nghìn không trăm mười lăm).
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
BILLION = 10**9
# Past this a number is a code (an account, a serial), not a quantity: read it digit by digit.
MAX_CARDINAL = 10**15 - 1


def read_digits(digits: str) -> str:
    """ "0912" → "không chín một hai"."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def _read_triple(value: int, full: bool) -> list[str]:
    """One group of three digits; ``full`` when a higher group precedes it (says "không trăm")."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("linh")
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def _read_below_billion(value: int, full: bool) -> list[str]:
    words: list[str] = []
    for scale, name in ((10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        group, value = divmod(value, scale)
        if group:
            words += _read_triple(group, full)
            if name:
                words.append(name)
            full = True
    return words


def read_int(value: int) -> str:
    """Cardinal reading of a non-negative integer: 2025 → "hai nghìn không trăm hai mươi lăm"."""
    if value < 0:
        return "âm " + read_int(-value)
    if value == 0:
        return DIGITS[0]
    if value > MAX_CARDINAL:
        return read_digits(str(value))
    return " ".join(_read(value, full=False))


def _read(value: int, full: bool) -> list[str]:
    if value >= BILLION:
        head, rest = divmod(value, BILLION)
        words = [*_read(head, full), "tỷ"]
        if rest:
            words += _read_below_billion(rest, full=True)
        return words
    return _read_below_billion(value, full)


def read_number_string(digits: str) -> str:
    """A run of digits as written: a leading zero makes a long run a code (phone, ID, account)
    read digit by digit, while a short one is a padded quantity ("03 ngày" → "ba ngày")."""
    if len(digits) > 1 and digits[0] == "0" and len(digits) > 3:
        return read_digits(digits)
    if len(digits) > len(str(MAX_CARDINAL)):
        return read_digits(digits)
    return read_int(int(digits))


def read_fraction_digits(digits: str) -> str:
    """The part after a decimal comma: "63" → "sáu mươi ba", "05" or "14159" digit by digit."""
    if digits.startswith("0") or len(digits) > 3:
        return read_digits(digits)
    return read_int(int(digits))


def read_decimal(integer: str, fraction: str | None) -> str:
    words = read_number_string(integer)
    if fraction:
        words += " phẩy " + read_fraction_digits(fraction)
    return words


def read_ordinal(value: int) -> str:
    """ "thứ 1" is "thứ nhất", "thứ 4" is "thứ tư"; the rest are cardinals."""
    return {1: "nhất", 4: "tư"}.get(value) or read_int(value)


def read_month(value: int) -> str:
    """ "tháng 4" is read "tháng tư"."""
    return "tư" if value == 4 else read_int(value)
