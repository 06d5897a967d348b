"""Written Vietnamese → the words an announcer says, for any voice (espeak-ng reads "15" as
"mười năm" and "UBND" letter by letter, so nothing reaches a voice without this).

One pass per kind of token, most specific first, each turning its digits into words so a later
pass cannot read them again: phone numbers, document numbers (61/2018/NĐ-CP), dates, ranges,
times, money, percentages, units, ordinals, fractions, then any number left. A last pass reads
whatever digit is still there (a digit in another script, a superscript), so the output never
holds a digit: a voice that meets one would improvise.

The abbreviations and units are data (``data/pronunciations.json``); a center adds its own with
``MOTCUA_SPEECH_PRONUNCIATIONS`` (a JSON file of the same shape whose entries win).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from motcua.speech.numbers import (
    DIGITS,
    read_decimal,
    read_digits,
    read_int,
    read_month,
    read_number_string,
    read_ordinal,
)

logger = logging.getLogger(__name__)

BUNDLED_PRONUNCIATIONS = Path(__file__).resolve().parent / "data" / "pronunciations.json"
SECTIONS = ("abbreviations", "code_parts", "units")

# A number as written in Vietnamese: "." between thousands, "," before decimals; also "1,250,000".
NUM = r"\d+(?:[.,]\d+)*"
_NUM_TOKEN = re.compile(r"(?<![\d.,])" + NUM)
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3}){2,}")
_DECIMAL = re.compile(r"\d+(?:,\d+)?")


def read_numeric(token: str) -> str:
    """ "1.250.000" → một triệu hai trăm năm mươi nghìn; "99,63" → chín mươi chín phẩy sáu mươi
    ba; "1.001193" (a code, not thousands) → its parts joined by "chấm"."""
    if _THOUSANDS_DOT.fullmatch(token):
        integer, _, fraction = token.partition(",")
        return read_decimal(integer.replace(".", ""), fraction or None)
    if _THOUSANDS_COMMA.fullmatch(token):
        return read_number_string(token.replace(",", ""))
    if _DECIMAL.fullmatch(token):
        integer, _, fraction = token.partition(",")
        return read_decimal(integer, fraction or None)
    words = []
    for index, part in enumerate(re.split(r"([.,])", token)):
        if part == ".":
            words.append("chấm")
        elif part == ",":
            words.append("phẩy")
        elif index and part.startswith("0"):
            words.append(read_digits(part))  # "Phòng 2.01": hai chấm không một
        elif part:
            words.append(read_number_string(part))
    return " ".join(words)


@dataclass(frozen=True, eq=False)
class Pronunciations:
    abbreviations: dict[str, str]
    code_parts: dict[str, str]
    units: dict[str, str]


class PronunciationFileError(ValueError):
    """The center's pronunciation file cannot be used (the message is Vietnamese)."""


def _load_file(path: Path) -> dict[str, dict[str, str]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PronunciationFileError(f"Không tìm thấy tệp cách đọc {path}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PronunciationFileError(f"Tệp cách đọc {path} không đọc được: {exc}") from None
    if not isinstance(raw, dict):
        raise PronunciationFileError(f"Tệp cách đọc {path} phải là một đối tượng JSON.")
    out: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        entries = raw.get(section, {})
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() for k, v in entries.items()
        ):
            raise PronunciationFileError(
                f"Mục “{section}” trong {path} phải ánh xạ chữ viết → cách đọc (chuỗi)."
            )
        out[section] = {
            unicodedata.normalize("NFC", k.strip()): unicodedata.normalize("NFC", v.strip())
            for k, v in entries.items()
        }
    return out


def extra_pronunciations_path() -> str:
    from motcua.speech.conf import setting

    return str(setting("MOTCUA_SPEECH_PRONUNCIATIONS", ""))


@lru_cache(maxsize=4)
def load_pronunciations(extra: str = "") -> Pronunciations:
    merged = _load_file(BUNDLED_PRONUNCIATIONS)
    if extra:
        for section, entries in _load_file(Path(extra)).items():
            merged[section].update(entries)
    return Pronunciations(**merged)


def _alternation(keys: list[str], *, lead: bool = True) -> str:
    """Longest key first (UBMTTQ before MTTQ); a word boundary only where the key has a word
    character at that edge, so "TP." and "&" still match. Units follow a digit directly
    ("5km"), so they take no leading boundary."""
    parts = []
    for key in sorted(keys, key=len, reverse=True):
        pattern = re.escape(key)
        if lead and re.match(r"\w", key):
            pattern = r"(?<!\w)" + pattern
        if re.search(r"\w$", key):
            pattern += r"(?!\w)"
        parts.append(pattern)
    return "|".join(parts)


@lru_cache(maxsize=4)
def _compiled(p: Pronunciations) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    abbr = re.compile(_alternation(list(p.abbreviations))) if p.abbreviations else None
    units = (
        re.compile(r"(?<![\d.,])(" + NUM + r")\s?(" + _alternation(list(p.units), lead=False) + ")")
        if p.units
        else None
    )
    return abbr, units


def _expand_code(code: str, p: Pronunciations) -> str | None:
    """ "NĐ-CP" → "nghị định chính phủ", "QH15" → "quốc hội 15"; None when no part is known."""
    if code in p.abbreviations:
        return p.abbreviations[code]
    known = False
    words = []
    for part in re.split(r"[-–/]", code):
        split = re.fullmatch(r"(\D*)(\d*)", part)
        if split is None:
            # Letters after digits ("VP2a"): no code part; the later steps read it as written.
            words.append(part)
            continue
        letters, digits = split.groups()
        reading = p.code_parts.get(letters) or p.abbreviations.get(letters)
        if reading:
            known = True
            words.append(reading)
        elif letters:
            words.append(letters)
        if digits:
            words.append(digits)
    return " ".join(words) if known else None


def _sub(pattern: str, flags: int = 0) -> Callable[[Callable[[re.Match[str]], str], str], str]:
    regex = re.compile(pattern, flags)

    def apply(repl: Callable[[re.Match[str]], str], text: str) -> str:
        return regex.sub(lambda m: f" {repl(m)} ", text)

    return apply


# Mobile (10 digits) and landline (11 digits) numbers, with or without spaces, dots or dashes.
_phone = _sub(r"(?<![\d.,+])(\+84 ?|0)(\d{2,3})[ .-]?(\d{3,4})[ .-]?(\d{3,4})(?![\d])")


def _read_phone(m: re.Match[str]) -> str:
    prefix, *groups = m.groups()
    digits = "".join(groups)
    total = len(digits) + 1
    if total not in (10, 11):
        return m.group(0)
    if not re.search(r"[ .-]", m.group(0)[len(prefix) :]):
        # Written in one run: group as people say it, 4-3-3 (mobile) or 3-4-4 (landline).
        whole = "0" + digits
        cuts = (4, 7) if total == 10 else (3, 7)
        groups = [whole[: cuts[0]], whole[cuts[0] : cuts[1]], whole[cuts[1] :]]
        groups[0] = groups[0][1:]
    head = "cộng tám bốn " if prefix.startswith("+") else "không "
    spoken = [read_digits(g) for g in groups]
    return (head + ", ".join(spoken)).replace("  ", " ")


# Hotlines 1800/1900 xxxx (xxxxxx): service numbers, read digit by digit like phones.
_hotline = _sub(r"(?<![\d.,])(1[89]00)[ .]?(\d{4}|\d{3}[ .]?\d{3})(?![\d])")
_doc_with_year = _sub(r"(?<![\d/])(\d+)/(\d{4})/([A-ZĐ][\wĐđ]*(?:[-–/][\wĐđ]+)*)")
_doc_without_year = _sub(r"(?<![\d/])(\d+)/([A-ZĐ][\wĐđ]*(?:[-–][\wĐđ]+)+)")
_code_token = _sub(r"(?<![\w])[A-ZĐ][A-Za-zĐđ]*\d*(?:[-/][A-ZĐ][A-Za-zĐđ]*\d*)+(?![\w])")

_full_date = _sub(r"(?:\b(ngày|Ngày|NGÀY)\s+)?(?<!\d)(\d{1,2})([/.-])(\d{1,2})\3(\d{4})(?!\d)")
_short_date = _sub(r"\b(ngày|Ngày|NGÀY|hôm|Hôm)\s+(\d{1,2})[/-](\d{1,2})(?![\d/.,-])")
_padded_date = _sub(r"(?<![\d/.,])(\d{2})/(\d{2})(?![\d/.,])")
_month_year = _sub(r"(?:\b(tháng|Tháng|THÁNG)\s+)?(?<![\d/])(\d{1,2})/(\d{4})(?![\d/])")

_range = re.compile(r"(\d(?:[hHg]\d{0,2})?)\s*[-–—]\s*(?=\d)")
_time_h = _sub(r"(?<![\d.,])(\d{1,2})(?:[hH](\d{2})?|g(\d{2}))(?:'|p(?!\w)|ph(?!\w))?(?!\w)")
_time_g = _sub(r"\b(lúc|Lúc|từ|Từ|đến)\s+(\d{1,2})g(?!\w)")
_per = re.compile(r"\b(đồng)\s*/\s*(?=[^\W\d_])")
_time_colon = _sub(r"(?<![\d:.,])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_money = _sub(r"(?<![\d.,])(" + NUM + r")\s?(?:đồng|đ|₫|[Vv][Nn][DdĐđ])(?!\w)")
_percent = _sub(r"(?<![\d.,])(" + NUM + r")\s?%")
_ordinal = _sub(r"\b(thứ|Thứ|THỨ|hạng|Hạng)\s+(\d{1,3})(?![\d.,/])")
_month = _sub(r"\b(tháng|Tháng|THÁNG)\s+(\d{1,2})(?![\d.,/])")
_roman = _sub(
    r"\b(quý|Quý|chương|Chương|phần|Phần|mục|Mục|khóa|Khóa|khoá|Khoá|thế kỷ|Thế kỷ|kỳ họp|Kỳ họp)"
    r"\s+([IVXLC]+)\b"
)
_fraction = _sub(r"(?<![\d/.,])(" + NUM + r")/(" + NUM + r")(?![\d/])")
_negative = re.compile(r"(?:(?<=\s)|^)[-−](?=\d)")

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_value(s: str) -> int | None:
    total = 0
    for i, ch in enumerate(s):
        value = _ROMAN[ch]
        total += -value if i + 1 < len(s) and _ROMAN[s[i + 1]] > value else value
    return total if 0 < total < 400 else None


def _valid_date(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _read_full_date(m: re.Match[str]) -> str:
    word, day, _, month, year = m.groups()
    if not _valid_date(int(day), int(month)):
        return m.group(0)
    return (
        f"{word or 'ngày'} {read_int(int(day))} tháng {read_month(int(month))} "
        f"năm {read_int(int(year))}"
    )


def _read_short_date(m: re.Match[str]) -> str:
    word, day, month = m.groups()
    if not _valid_date(int(day), int(month)):
        return m.group(0)
    return f"{word} {read_int(int(day))} tháng {read_month(int(month))}"


def _read_padded_date(m: re.Match[str]) -> str:
    # "01/07" is a date; "12/10" or "83/14" is left for the fraction pass ("trên").
    day, month = int(m.group(1)), int(m.group(2))
    if not _valid_date(day, month) or "0" not in (m.group(1)[0], m.group(2)[0]):
        return m.group(0)
    return f"ngày {read_int(day)} tháng {read_month(month)}"


def _read_month_year(m: re.Match[str]) -> str:
    word, month, year = m.groups()
    if not 1 <= int(month) <= 12 or not (word or month.startswith("0")):
        return m.group(0)
    return f"{word or 'tháng'} {read_month(int(month))} năm {read_int(int(year))}"


def _read_time_h(m: re.Match[str]) -> str:
    hour, minutes_h, minutes_g = m.groups()
    return _time_words(m, hour, minutes_h or minutes_g, None)


def _read_time_colon(m: re.Match[str]) -> str:
    return _time_words(m, *m.groups())


def _time_words(m: re.Match[str], hour: str, minutes: str | None, seconds: str | None) -> str:
    h, mi, s = int(hour), int(minutes or 0), int(seconds or 0)
    if h > 24 or mi > 59 or s > 59:
        return m.group(0)
    words = f"{read_int(h)} giờ"
    if mi:
        words += f" {read_int(mi)} phút"
    if s:
        words += f" {read_int(s)} giây"
    return words


def _read_special_char(ch: str) -> str:
    """A numeric character no earlier pass understood (², ½, Ⅳ…)."""
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return DIGITS[digit]
    value = Fraction(unicodedata.numeric(ch)).limit_denominator(10_000)
    if value.denominator == 1:
        return read_int(value.numerator)
    return f"{read_int(value.numerator)} phần {read_int(value.denominator)}"


def normalize(text: str, *, pronunciations: Pronunciations | None = None) -> str:
    """Reading text for a voice: NFC, every number in words, abbreviations expanded."""
    p = pronunciations or load_pronunciations(extra_pronunciations_path())
    abbr_re, units_re = _compiled(p)
    text = unicodedata.normalize("NFC", text)
    # Digits of other scripts (fullwidth, Arabic-Indic…) count like ASCII ones.
    text = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf"} else ch for ch in text)

    text = _phone(_read_phone, text)
    text = _hotline(
        lambda m: ", ".join(read_digits(g) for g in [m[1], *re.split(r"[ .]", m[2])]), text
    )
    text = _doc_with_year(
        lambda m: (
            f"{read_int(int(m[1]))} năm {read_int(int(m[2]))} {_expand_code(m[3], p) or m[3]}"
        ),
        text,
    )
    text = _doc_without_year(lambda m: f"{m[1]} {_expand_code(m[2], p) or m[2]}", text)
    text = _code_token(lambda m: _expand_code(m[0], p) or m[0], text)
    if abbr_re:
        text = abbr_re.sub(lambda m: f" {p.abbreviations[m[0]]} ", text)

    text = _full_date(_read_full_date, text)
    text = _short_date(_read_short_date, text)
    text = _month_year(_read_month_year, text)
    text = _padded_date(_read_padded_date, text)
    text = _range.sub(r"\1 đến ", text)
    text = _negative.sub("âm ", text)
    text = _time_h(_read_time_h, text)
    text = _time_g(lambda m: f"{m[1]} {read_int(int(m[2]))} giờ" if int(m[2]) <= 24 else m[0], text)
    text = _time_colon(_read_time_colon, text)
    text = _money(lambda m: f"{read_numeric(m[1])} đồng", text)
    text = _per.sub(r"\1 một ", text)  # "8.000 đồng/bản": tám nghìn đồng một bản
    text = _percent(lambda m: f"{read_numeric(m[1])} phần trăm", text)
    if units_re:
        text = units_re.sub(lambda m: f" {read_numeric(m[1])} {p.units[m[2]]} ", text)
    text = _ordinal(lambda m: f"{m[1]} {read_ordinal(int(m[2]))}", text)
    text = _month(
        lambda m: f"{m[1]} {read_month(int(m[2]))}" if 1 <= int(m[2]) <= 12 else m[0], text
    )
    text = _roman(lambda m: f"{m[1]} {read_int(v)}" if (v := _roman_value(m[2])) else m[0], text)
    text = _fraction(lambda m: f"{read_numeric(m[1])} trên {read_numeric(m[2])}", text)
    text = re.sub(NUM, lambda m: f" {read_numeric(m[0])} ", text)
    text = "".join(f" {_read_special_char(ch)} " if ch.isnumeric() else ch for ch in text)
    return _tidy(text)


def _tidy(text: str) -> str:
    # A dash standing alone is a pause; one joining two words ("Covid-19") is not read.
    text = re.sub(r"\s+[-–—]+\s+", ", ", text)
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = " ".join(text.split())
    return unicodedata.normalize("NFC", text)


def normalize_lines(lines: list[str]) -> list[str]:
    return [normalize(line) for line in lines]


def reset_cache() -> None:
    """Forget loaded dictionaries (after a center edits its file, and in tests)."""
    load_pronunciations.cache_clear()
    _compiled.cache_clear()


__all__ = ["normalize", "read_numeric", "load_pronunciations", "Pronunciations", "reset_cache"]
