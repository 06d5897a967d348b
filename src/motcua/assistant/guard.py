"""Personal data in a citizen's question: found, removed before anything else sees it.

Nghị định 13/2023/NĐ-CP (bảo vệ dữ liệu cá nhân): an assistant that only explains procedures
has no purpose for an ID number, a phone number or a name with a birth date, so it neither
stores, logs nor repeats them. The question is redacted here, first; routing, the finder, the
optional language model and the conversation memory only ever see the redacted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vn_text import fold

# 12 digits (căn cước / CCCD), 9 digits (old CMND); digits may be grouped by spaces or dots.
_ID = re.compile(r"(?<!\d)(?:\d[ .]?){11}\d(?!\d)")
_OLD_ID = re.compile(r"(?<!\d)\d{9}(?!\d)")
# Vietnamese mobile and landline numbers: 0 or +84 then 9–10 digits, grouped or not.
_PHONE = re.compile(r"(?<![\d+])(?:\+84|0084|0)[ .-]?\d{2,3}(?:[ .-]?\d{2,4}){2,3}(?!\d)")
# Dates: 12/03/1985, 5-7-1990, 12.03.1985, "ngày 12 tháng 3 năm 1985", a birth year.
_DATE = re.compile(
    r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}(?!\d)"
    r"|(?i:ng[àa]y\s+\d{1,2}\s+th[áa]ng\s+\d{1,2}(?:\s+n[ăa]m\s+\d{4})?)"
    r"|(?i:(?:sinh|n[ăa]m\s+sinh|sn)\s*(?:n[ăa]m\s*)?)\d{4}(?!\d)"
)
# The 30 most common family names cover about 95 % of Vietnamese people; a capitalised run that
# starts with one of them is treated as a person's name.
_SURNAMES = frozenset(
    [
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "huynh",
        "phan",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "ho",
        "ngo",
        "duong",
        "ly",
        "dinh",
        "trinh",
        "mai",
        "truong",
        "lam",
        "luong",
        "ta",
        "cao",
        "chu",
        "la",
        "quach",
        "thai",
        "ha",
        "kieu",
        "doan",
        "tang",
    ]
)
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Place names that begin like a family name ("Hà Nội", "Thái Nguyên") are not people.
_PLACES = frozenset(
    [
        "ha noi",
        "ha tinh",
        "ha giang",
        "ha nam",
        "ho chi minh",
        "lam dong",
        "cao bang",
        "thai nguyen",
        "thai binh",
        "dong thap",
        "dong nai",
        "le chan",
        "hoang mai",
        "ha dong",
    ]
)
# Middle names common enough to mark "family name + middle name" in a caps-lock question.
_MIDDLE_NAMES = frozenset(
    [
        "van",
        "thi",
        "huu",
        "duc",
        "minh",
        "ngoc",
        "quang",
        "xuan",
        "thanh",
        "kim",
        "hong",
        "anh",
        "gia",
        "bao",
        "phuong",
        "thu",
        "dinh",
        "cong",
        "trong",
        "tuan",
        "manh",
        "hai",
        "thuy",
        "my",
        "khanh",
        "nhu",
        "hoai",
        "bich",
        "diem",
    ]
)
_NAME_CUES = (("ten", "la"), ("ten",), ("ho", "ten"), ("toi", "la"), ("em", "la"), ("chau", "la"))


@dataclass
class Redaction:
    text: str
    kinds: set[str] = field(default_factory=set)
    # The removed strings, kept in memory for this request only so the output can be checked
    # against them (the language model's answer must not repeat them). Never stored or logged.
    removed: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.kinds)


def _redact_names(text: str, result: Redaction) -> str:
    """Remove runs of 2–5 capitalised words that start with a family name or follow a cue."""
    words = list(_WORD_RE.finditer(text))
    folded = [fold(w.group()).lower() for w in words]
    # Typed with caps lock on (elderly users, kiosks), every word is capitalised and "ĐĂNG KÝ
    # KHAI SINH" starts with the family name Đặng: capitals then say little, so a run is a name
    # only after a cue ("tôi là", "tên") or when a common middle name follows the family name
    # ("NGUYỄN VĂN AN", "TRẦN THỊ BÌNH").
    letters = [ch for ch in text if ch.isalpha()]
    caps_lock = len(letters) >= 8 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        j = i
        # With caps lock a run of capitals is the whole sentence: a name is taken as its usual
        # three words (family, middle, given) and looked for at every word.
        longest = 3 if caps_lock else 5
        while (
            j < len(words)
            and j - i < longest
            and words[j].group()[0].isupper()
            and (j == i or text[words[j - 1].end() : words[j].start()].strip() == "")
        ):
            j += 1
        if j - i >= 2:
            cued = any(i >= len(c) and tuple(folded[i - len(c) : i]) == c for c in _NAME_CUES)
            run = " ".join(folded[i:j])
            place = any(run.startswith(p) for p in _PLACES)
            surname = folded[i] in _SURNAMES and (not caps_lock or folded[i + 1] in _MIDDLE_NAMES)
            if (surname or cued) and not place:
                spans.append((words[i].start(), words[j - 1].end()))
                i = j
                continue
        i = i + 1 if caps_lock else max(j, i + 1)
    for start, end in reversed(spans):
        result.kinds.add("name")
        result.removed.append(text[start:end])
        text = text[:start] + " " + text[end:]
    return text


def redact(text: str) -> Redaction:
    """The text with ID numbers, phone numbers, dates and personal names removed."""
    result = Redaction(text=text)

    def cut(kind: str):
        def repl(match: re.Match[str]) -> str:
            result.kinds.add(kind)
            result.removed.append(match.group(0).strip())
            return " "

        return repl

    out = _ID.sub(cut("id"), text)
    out = _PHONE.sub(cut("phone"), out)
    out = _OLD_ID.sub(cut("id"), out)
    out = _DATE.sub(cut("date"), out)

    out = _redact_names(out, result)
    result.text = re.sub(r"\s+", " ", out).strip(" ,;:")
    return result


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def echoes(output: str, removed: list[str]) -> bool:
    """Whether ``output`` repeats any removed value (digits compared without their grouping)."""
    folded = fold(output).lower()
    digits = _digits(output)
    for value in removed:
        value_digits = _digits(value)
        if len(value_digits) >= 6 and value_digits in digits:
            return True
        if not value_digits and fold(value).lower() in folded:
            return True
    return False
