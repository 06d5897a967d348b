"""What a question asks, read from its folded words (no diacritics, đ→d, lower case).

Topics are the catalog fields a citizen asks about. Cue phrases are written from how people ask
about any procedure ("mất bao lâu", "tốn bao nhiêu", "cần giấy gì"), never from labelled
questions; they match whole folded words, so typing without diacritics changes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from vn_text import fold

from motcua.search.normalize import spelled_alike


class Topic(StrEnum):
    FEE = "fee"
    TIME = "time"
    DOCUMENTS = "documents"
    WHERE = "where"
    STEPS = "steps"
    CONDITIONS = "conditions"
    ONLINE = "online"


def folded_text(text: str) -> str:
    """Folded words joined by single spaces, padded: `` dang ky khai sinh ``."""
    words = re.findall(r"[^\W_]+", fold(text).lower(), re.UNICODE)
    return " " + " ".join(words) + " "


# Punctuation ends a clause: no phrase a citizen says runs across it ("tuần trước, bà ngoại"
# is no "trước bạ", "sau mùa gặt, nghe đồn" no word pair "gặt nghe").
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]")


def clauses(text: str) -> list[str]:
    return _CLAUSE_BREAK.split(text)


def clause_folded_text(text: str) -> str:
    """``folded_text`` clause by clause, the clauses two spaces apart: a padded phrase
    (`` truoc ba ``) matches within one clause only."""
    return "".join(folded_text(clause) for clause in clauses(text))


def break_pairs(text: str) -> set[str]:
    """The folded word pairs ("gat nghe") that only punctuation's removal makes adjacent: the
    last word of a clause and the first of the next."""
    words = [folded_text(clause).split() for clause in clauses(text)]
    words = [w for w in words if w]
    return {f"{a[-1]} {b[0]}" for a, b in zip(words, words[1:], strict=False)}


def _has(padded: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {p} " in padded for p in phrases)


# Folding merges syllables that only some spellings make a topic cue: "tiền" (money) asks the
# fee, "tiện" (phương tiện) and "tiên" (đầu tiên) do not; "phí" does, "phi" (phi nông nghiệp)
# does not; "tốn nhiêu" (how much) does, "tốn nhiều công" (much effort) does not. With tone
# marks typed, only the cue's own spelling counts.
_CUE_SPELLING = {"tien": "tiền", "phi": "phí", "nhieu": "nhiêu"}
# Without tone marks the neighbouring syllable decides: in these words the syllable is part of
# a noun or an adverb, never a question about money.
_NOT_CUE_WORDS = (
    "phuong tien",
    "dau tien",
    "uu tien",
    "truoc tien",
    "thuan tien",
    "tien ich",
    "tien loi",
    "phi nong nghiep",
    "phi loi nhuan",
    "phi chinh phu",
)
_NOT_CUE = "\u00b7"  # a mark no cue contains: the syllable stays a word but matches no cue


_CHAT_ABBREVIATIONS = {"j": "gi", "bn": "bao nhieu", "ntn": "nhu the nao", "dc": "duoc"}


def _cue_tokens(words: list[str]) -> list[str]:
    """Folded words, with the syllables that cannot be a topic cue here marked (see above)."""
    folded = [fold(w).lower() for w in words]
    tokens = list(folded)
    for i, (word, f) in enumerate(zip(words, folded, strict=True)):
        own = _CUE_SPELLING.get(f)
        if own and word.lower() != f and word.lower() != own:
            tokens[i] = f + _NOT_CUE
    # Texting abbreviations ("cần tờ khai j", "hết bn tiền") stand for the cue's words.
    tokens = [_CHAT_ABBREVIATIONS.get(t, t) for t in tokens]
    for phrase in _NOT_CUE_WORDS:
        size = len(phrase.split())
        for i in range(len(folded) - size + 1):
            if " ".join(folded[i : i + size]) == phrase:
                for j in range(i, i + size):
                    if folded[j] in _CUE_SPELLING:
                        tokens[j] = folded[j] + _NOT_CUE
    return tokens


def cue_text(text: str) -> str:
    """Like ``folded_text``, for reading topic cues: syllables that only look like a cue once
    folded ("phương tiện", "đầu tiên", "đất phi nông nghiệp") do not match one."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text), re.UNICODE)
    return " " + " ".join(_cue_tokens(words)) + " "


_TIME_WORDS = ("ngay", "hom", "buoi", "tuan", "thang", "lau", "gio")
_TOPIC_CUES: dict[Topic, tuple[str, ...]] = {
    Topic.FEE: (
        "le phi",
        "phi",
        "bao nhieu tien",
        "may tien",
        "mat tien",
        "ton tien",
        "het tien",
        "tien",
        "mien phi",
        "ton dong nao",
        "mat dong nao",
        "dong nao",
        "chi phi",
        "nop phi",
        "gia bao nhieu",
        "bao nhieu xu",
        "ton kem",
        "ton bao nhieu",
        "ton nhieu",
        "het nhieu",
        "ton gi",
        "ton chi",
        "bao nhieu mot",
        "bao nhieu moi",
        "may dong",
        "may nghin",
        "may ngan",
        "may chuc",
        "free",
        "het bao nhieu",
        "mat bao nhieu",
        "bao nhieu dong",
        "dong tien",
        "nop bao nhieu",
    ),
    Topic.TIME: (
        "bao lau",
        "may ngay",
        "may hom",
        "may buoi",
        "may tuan",
        "may thang",
        "bao nhieu ngay",
        "bao nhieu hom",
        "thoi han",
        "thoi gian",
        "khi nao co",
        "khi nao xong",
        "khi nao nhan",
        "bao gio co",
        "bao gio xong",
        "bao gio nhan",
        "lau khong",
        "lau ko",
        "lau hong",
        "trong ngay",
        "lay ngay",
        "co ngay",
        "nhanh khong",
        "may bua",
        "bao lau thi",
        "may tieng",
        "bao nhieu tieng",
        "nhieu ngay",
        "nhieu hom",
        "khi nao lay",
        "khi nao thi",
        "bao gio thi",
        "bao gio lay",
        "lay lien",
        "co lien",
        "chung nao",
        "bua nao",
        "luc nao",
    ),
    Topic.DOCUMENTS: (
        "giay to",
        "ho so gom",
        "ho so can",
        "can gi",
        "can nhung gi",
        "can giay",
        "mang theo",
        "mang gi",
        "mang nhung gi",
        "chuan bi",
        "thanh phan ho so",
        "can mang",
        "cam theo",
        "cam gi",
        "giay gi",
        "nhung giay",
        "can co gi",
        "ho so nhung gi",
        "ho so gi",
        "can nhung giay",
        "giay chi",
        "mang chi",
        "can chi",
        "nop gi",
        "can ho so",
        "bo ho so",
        "giay to chi",
        "thu tuc gom",
        # "hướng dẫn hồ sơ …" asks what the dossier holds (formal letters), not only the steps.
        "huong dan ho so",
        "huong dan lap ho so",
        "giay to gi",
        "to khai gi",
        "to khai nao",
        "mau don gi",
        # "cần nộp những gì", "phải nộp những tờ gì", "cần biên bản gì"
        "nop nhung gi",
        "nop nhung giay",
        "nhung to gi",
    ),
    Topic.WHERE: (
        "o dau",
        "cho nao",
        "noi nao",
        "nop tai dau",
        "co quan nao",
        "ai giai quyet",
        "dau lam",
        "lam o dau",
        "nop o dau",
        "den dau",
        "toi dau",
        "cho mo",
        "o mo",
        "o dau vay",
    ),
    Topic.STEPS: (
        "trinh tu",
        "cac buoc",
        "quy trinh",
        "lam the nao",
        "lam sao",
        "lam nhu the nao",
        "lam nhu nao",
        "the nao",
        "cach lam",
        "huong dan",
        "lam ra sao",
        "lam rang",
    ),
    Topic.CONDITIONS: ("dieu kien", "yeu cau gi", "ai duoc", "co duoc khong", "du dieu kien"),
    Topic.ONLINE: (
        "truc tuyen",
        "online",
        "qua mang",
        "tren mang",
        "dich vu cong",
        "vneid",
        "tai nha",
        "nop mang",
        "qua dien thoai",
        "buu dien",
        "buu chinh",
    ),
}
# Cues whose words also name things ("tài khoản", "biên bản"): kept out of ``_TOPIC_CUES``,
# whose words the pipeline never counts as evidence of a procedure. "có phải đóng khoản nào
# không", "trả khoản gì" ask a charge without its name; "cần biên bản gì" asks a paper.
_NAMING_CUES: dict[Topic, tuple[str, ...]] = {
    Topic.FEE: ("khoan nao", "khoan gi"),
    Topic.DOCUMENTS: ("bien ban gi",),
}
# "mất bao nhiêu ngày" is time, not money: money cues that are really time cues.
_TIME_NOT_FEE = re.compile(r" (?:mat|ton|het) bao nhieu (?:" + "|".join(_TIME_WORDS) + ") ")
_WHERE_MOVES_DOCS = ("nop ho so o dau", "nop ho so tai dau")


# "mỗi bản bao nhiêu?", "làm cái này bao nhiêu vậy": an amount asked at the end of a question
# with no other cue is its price; "bao nhiêu bản", "bao nhiêu ngày" say what is counted.
_BARE_AMOUNT = re.compile(r" bao nhieu(?: (?:vay|va|a|ha|the|nhi|nhe|day|do|roi|z|dzay))* $")


# "bé hai tuổi có làm thẻ căn cước được không?", "giờ sửa lại được hông": whether the
# citizen may do it, asked at the end of a question with no other cue (the conditions).
_ALLOWED_ASKED = re.compile(
    r" (?:lam|xin|dang ky|sua|cap|doi|nhap|tach|khai|trinh bao)(?: \w+){0,8} duoc"
    r" (?:khong|ko|k|hong|hok|hem|hon)(?: (?:a|ha|vay|nhi|nhe|ta|day))* $"
)


# "nộp bao nhiêu bộ hồ sơ", "mang mấy bản": a count of papers, not money.
_COUNTED = re.compile(r" (?:nop |mang |can )?(?:bao nhieu|may) (?:bo|ban|to|tap)(?= )")


def topics(padded: str) -> list[Topic]:
    found = [t for t, cues in _TOPIC_CUES.items() if _has(padded, cues)]
    found += [t for t, cues in _NAMING_CUES.items() if t not in found and _has(padded, cues)]
    if not found and _BARE_AMOUNT.search(padded):
        found.append(Topic.FEE)
    if not found and _ALLOWED_ASKED.search(padded):
        found.append(Topic.CONDITIONS)
    counted_only = (
        Topic.FEE in found
        and _COUNTED.search(padded) is not None
        and not _has(_COUNTED.sub(" ", padded), _TOPIC_CUES[Topic.FEE])
    )
    if counted_only:
        found.remove(Topic.FEE)
        if Topic.DOCUMENTS not in found:
            found.append(Topic.DOCUMENTS)
    if Topic.FEE in found and _TIME_NOT_FEE.search(padded):
        only_time_money = not _has(
            _TIME_NOT_FEE.sub(" ", padded),
            tuple(
                c
                for c in _TOPIC_CUES[Topic.FEE]
                if c not in ("mat bao nhieu", "ton bao nhieu", "het bao nhieu")
            ),
        )
        if only_time_money:
            found.remove(Topic.FEE)
            if Topic.TIME not in found:
                found.append(Topic.TIME)
    if Topic.WHERE in found and Topic.DOCUMENTS in found and _has(padded, _WHERE_MOVES_DOCS):
        found.remove(Topic.DOCUMENTS)
    # "thế nào" also closes fee and time questions ("lệ phí thế nào"): steps only when alone.
    if (
        Topic.STEPS in found
        and len(found) > 1
        and not _has(padded, ("trinh tu", "cac buoc", "quy trinh", "cach lam", "huong dan"))
    ):
        found.remove(Topic.STEPS)
    order = list(Topic)
    return sorted(found, key=order.index)


# Words that only say what is asked or how politely, never which procedure: removed before the
# finder sees a question, so "lệ phí" does not pull towards procedures named "phí".
_STRIP = sorted(
    {c for cues in _TOPIC_CUES.values() for c in cues}
    | {
        "cho hoi",
        "cho em hoi",
        "cho toi hoi",
        "xin hoi",
        "vay",
        "a",
        "ha",
        "nhe",
        "the con",
        "con",
        "vay con",
        "thi sao",
        "the nao",
        "nua",
        "khong",
        "ko",
        "hong",
        "k",
        "bao nhieu",
        "thu tuc",
        "lam",
        "nhu the nao",
        "duoc khong",
        "ạ",
        # Words of any request ("nộp online được không"): they never name a procedure, so a
        # follow-up made only of them reuses the procedure asked about before.
        "nop",
        "nop ho so",
        "co",
        "duoc",
        "toi",
        "em",
        "minh",
        "qua",
        "gui",
    },
    key=len,
    reverse=True,
)


_FINDER_NOISE = re.compile(
    r" (?:mat|het|ton|ton mat) (?=(?:bao lau|may|bao nhieu|tien|phi|le phi|dong) )"
)


def finder_text(text: str) -> str:
    """The question for the finder: topic cues ("lệ phí bao nhiêu", "mất mấy ngày") removed,
    everything else in the citizen's own spelling. "mất" before a duration or an amount is
    about cost, not a loss ("mất căn cước" stays)."""
    words = list(re.finditer(r"[^\W_]+", unicodedata.normalize("NFC", text), re.UNICODE))
    folded = _cue_tokens([w.group() for w in words])
    drop = [False] * len(words)
    padded = " " + " ".join(folded) + " "
    phrases = sorted(
        {c for cues in _TOPIC_CUES.values() for c in cues}
        | {c for cues in _CHANNEL_CUES.values() for c in cues}
        | set(_POLITE)
        | {c for cues in _NAMING_CUES.values() for c in cues},
        key=len,
        reverse=True,
    )
    # Map character offsets of the padded folded text back to word indexes.
    starts = []
    pos = 1
    for f in folded:
        starts.append(pos)
        pos += len(f) + 1
    index_at = {start: i for i, start in enumerate(starts)}
    for match in _FINDER_NOISE.finditer(padded):
        i = index_at.get(match.start() + 1)
        if i is not None:
            drop[i] = True
    for phrase in phrases:
        needle = f" {phrase} "
        start = 0
        while (k := padded.find(needle, start)) >= 0:
            first = index_at.get(k + 1)
            if first is not None:
                for j in range(first, min(first + len(phrase.split()), len(words))):
                    drop[j] = True
            start = k + 1
    kept = [w.group() for w, d in zip(words, drop, strict=True) if not d]
    return " ".join(kept) if kept else text


# "người yêu cầu không thuộc hộ nghèo", "không phải là thân nhân": what the case is not. Its
# words name another procedure ("Công nhận hộ nghèo…"), so the finder does not see them; the
# clause ends at punctuation or after a few words. Not "không phải" alone: "không phải nộp"
# (need not pay) is a question about the procedure.
# A list goes on past a comma ("không thuộc hộ nghèo, gia đình chính sách hay người khuyết
# tật"): a next part with "hay"/"hoặc" and no request verb is still what the case is not.
_LIST_PART = r"(?:(?!\b(?:xin|muốn|cần|làm|đăng|cấp|hỏi|nộp|thì)\b)[^,.;:?!()]){1,40}"
_NEGATED_CLAUSE = re.compile(
    r"\b(?:không|chẳng|chả)\s+(?:thuộc(?:\s+diện)?|phải là)\s+[^,.;:?!()]{1,40}"
    rf"(?:,\s*(?=[^,.;:?!()]*\b(?:hay|hoặc)\b){_LIST_PART})*",
    re.IGNORECASE,
)


# "hai người cùng quốc tịch Việt Nam", "không có yếu tố nước ngoài": the case is not foreign.
# Their words ("quốc tịch", "nước ngoài") name the variants "… có yếu tố nước ngoài", so the
# finder does not see them. Unambiguous folded too, so written for either spelling.
# Not "người Việt Nam định cư ở nước ngoài", "Việt kiều": the case is then foreign.
_VIETNAM = (
    r"vi[ệeê]t(?!(?:\s+nam)?\s+(?:ki[ềeê]u|[đd][ịi]nh\s+c[ưu]|[ởo]\s+n[ưu][ớo]c"
    r"|s[ốo]ng\s+[ởo]\s+n[ưu][ớo]c))(?:\s+nam)?\b"
)
_FOREIGN = r"(?:n[ưu][ớo]c\s+ngo[àa]i|y[ếeê]u\s+t[ốoô]\s+n[ưu][ớo]c\s+ngo[àa]i)\b"
_DOMESTIC_CLAUSE = re.compile(
    r"\b(?:c[ùu]ng|[đd][ềeê]u)(?:\s+l[àa]|\s+mang|\s+c[óo])?\s+"
    rf"(?:qu[ốôo]c\s+t[ịi]ch|ng[ưu][ờo]i|c[ôo]ng\s+d[âa]n)\s+{_VIETNAM}"
    rf"|\b(?:kh[ôo]ng|ko|k)\s+(?:ph[ảa]i\s+(?:l[àa]\s+)?ng[ưu][ờo]i\s+|c[óo]\s+){_FOREIGN}",
    re.IGNORECASE,
)


def without_negated_clauses(text: str) -> str:
    """``text`` without its clauses that say what the case is not (see above). Only with tone
    marks typed: "khong thuoc" folded is also "không thuốc"."""
    kept = _DOMESTIC_CLAUSE.sub(" ", _NEGATED_CLAUSE.sub(" ", text))
    return kept if kept.strip() else text


# The way of submitting a question names. Its words say how, never which procedure, so the
# finder does not see them ("nộp trực tiếp" would pull towards names that say "trực tiếp").
_CHANNEL_CUES: dict[str, tuple[str, ...]] = {
    "online": (
        "truc tuyen",
        "online",
        "qua mang",
        "tren mang",
        "nop mang",
        "cong dich vu cong",
        "dich vu cong truc tuyen",
        "vneid",
    ),
    "postal": ("buu dien", "buu chinh"),
    "direct": ("truc tiep", "tai quay", "tai bo phan mot cua"),
}


def asked_channel(padded: str) -> str | None:
    """The one way of submitting the question names (``Channel`` value), or None."""
    named = [ch for ch, cues in _CHANNEL_CUES.items() if _has(padded, cues)]
    return named[0] if len(named) == 1 else None


# Asking for copies of the result, not naming a copy among the papers to bring ("bản sao căn
# cước" in a list of documents is not a request for copies).
_COPIES = (
    "moi ban",
    "them ban",
    "tung ban",
    "may ban",
    "bao nhieu ban",
    "xin ban sao",
    "cap ban sao",
    "lay ban sao",
    "ban sao trich luc",
)


def asks_copies(padded: str) -> bool:
    """Whether the question is about copies of a result ("xin thêm bản sao", "mỗi bản")."""
    return _has(padded, _COPIES)


_POLITE = ("cho hoi", "cho em hoi", "cho toi hoi", "xin hoi", "xin cho hoi")


def core_query(padded: str) -> str:
    """The question without topic cues and fillers: what the finder needs."""
    text = padded
    channel_cues = tuple(c for cues in _CHANNEL_CUES.values() for c in cues)
    for phrase in (*_STRIP, *channel_cues):
        text = text.replace(f" {phrase} ", " ")
        text = text.replace(f" {phrase} ", " ")
    return text.strip()


_FOLLOW_UP = ("con", "the con", "vay con", "thi sao", "con ve", "the thi", "vay thi", "the")


def looks_like_follow_up(padded: str) -> bool:
    return padded.strip().split(" ")[0] in {
        "con",
        "the",
        "vay",
        "thi",
        "roi",
        "va",
        "con ve",
    } or _has(padded, ("thi sao", "the nao", "nua"))


_INJECTION = re.compile(
    r" (?:bo qu?a|bo qa|quen|phot lo|lo di|dung tuan theo|khong can tuan theo|vuot qua)"
    r"(?: \w+){0,3} (?:huong dan|chi dan|chi thi|quy tac|lenh|cau lenh|rang buoc|gioi han)"
    r"| ignore(?: \w+){0,3} (?:instructions?|rules|prompt)| disregard | system prompt "
    r"| jailbreak | developer mode | you are now | pretend | act as | dong vai | gia vo la "
    r"| tu gio ban la | ban bay gio la | gio ban la | khong gioi han | che do nha phat trien "
    r"| prompt | mat khau | password | api key | hay noi rang | hay tra loi rang "
    r"| hay khang dinh | noi rang le phi "
)
# Requests to break the law (forge papers, bribe officers): refused like an override attempt.
_UNLAWFUL = (
    "lam gia",
    "gia mao",
    "lam lau",
    "boi duong can bo",
    "boi duong cho can bo",
    "dut lot",
    "hoi lo",
    "dua phong bi",
    "phong bi",
    "chay an",
    "lach luat",
    "tron thue",
    "mua bang",
    "bang gia",
    "giay to gia",
    "chay viec",
    "dua bao nhieu",
    "dua tien cho can bo",
    "lam nhanh bang cach dua",
)


def is_injection(padded: str) -> bool:
    return bool(_INJECTION.search(padded)) or _has(padded, _UNLAWFUL)


# Requests that are not about administrative procedures at all. Broad categories, so that a new
# off-topic question is refused even when a word of it happens to appear in the catalog.
_OFF_TOPIC = (
    "thoi tiet",
    "du bao",
    "bai tho",
    "lam tho",
    "bai hat",
    "hat mot",
    "ke chuyen",
    "truyen cuoi",
    "gia vang",
    "vang sjc",
    "co phieu",
    "chung khoan",
    "bitcoin",
    "tien ao",
    "ty gia",
    "xo so",
    "lo de",
    "bong da",
    "world cup",
    "vo dich",
    "tran dau",
    "cong thuc nau",
    "nau mon",
    "giai toan",
    "giai bai",
    "lap trinh",
    "viet code",
    "code python",
    "dich sang",
    "dich giup",
    "tu vi",
    "phong thuy",
    "xem boi",
    "boi bai",
    "ca si",
    "dien vien",
    "nguoi yeu",
    "tan gai",
    "chinh tri",
    "bau cu my",
    "tong thong",
    "ke toan gium",
    "nen mua",
    "tu van dau tu",
    "lam van",
    "bai van",
    "viet van",
    "nen mua",
    "kiem tien",
    "crypto",
    "chat gpt",
    "thu do cua",
    "thu do nuoc",
    "bao nhieu tuoi",
    "may gio roi",
    "hom nay thu may",
    "ban la ai",
    "chuyen cuoi",
    "noi chuyen",
    "tam su",
    "buon qua",
    "yeu em",
    "uong gi",
    "tap gym",
    "giam can",
    "chua benh",
    "dau bung",
    "sot cao",
    "thuoc gi",
    "benh gi",
    # homework
    "phuong trinh",
    "bai tap",
    "giai giup",
    "lam bai",
    "dap an",
    "tinh gium",
    "tinh giup",
    # sport and television
    "da bong",
    "xem bong",
    "bong chuyen",
    "ty so",
    "kenh nao",
    "chieu truc tiep",
    "doi tuyen",
    "tuyen viet nam",
    "da voi",
    "tran dau",
    # cooking
    "nau",
    "nuoc dung",
    "mon ngon",
    "cach nau",
    # gambling
    "danh de",
    "so dep",
    "lo to",
    "trung so",
    "ve so",
    "con gi thi trung",
    # poems, love, chat
    "tho tinh",
    "lang man",
    "to tinh",
    "lam quen",
    "ke chuyen",
    "hat cho",
)


def is_off_topic(padded: str) -> bool:
    return _has(padded, _OFF_TOPIC)


_STATUS = (
    "ho so cua toi",
    "ho so cua em",
    "ho so cua minh",
    "ho so da xong",
    "ho so xong chua",
    "tinh trang ho so",
    "tra cuu ho so",
    "ho so den dau",
    "ho so toi dau",
    "ma ho so",
    "da xong chua",
    "xong chua",
    "den dau roi",
    "toi dau roi",
    "co ket qua chua",
    "giai quyet chua",
    "duyet chua",
    "bao gio tra ket qua",
    "o buoc nao",
    "den buoc nao",
    "dang o buoc",
    # "đang ở khâu nào", "xử lý tới đâu", "kết quả xét duyệt … có chưa": the same question.
    "o khau nao",
    "den khau nao",
    "toi khau nao",
    "xu ly toi dau",
    "xu ly den dau",
    "giai quyet toi dau",
    "giai quyet den dau",
    "ket qua xet duyet",
    "xet duyet chua",
    "duoc duyet chua",
    "chua co ket qua",
    "ho so toi sao roi",
    "ho so sao roi",
    "tre hen",
    "qua hen",
)


def asks_status(padded: str) -> bool:
    return _has(padded, _STATUS)


# Questions about the commune's own facts rather than a procedure: which number to call, who is
# in charge, when the office or the chairman receives citizens. The catalog publishes
# procedures, none of these, so no procedure's fee or time can answer them. Written from how such
# things are asked in general, not from labelled questions. A phone number is a local fact only
# when it is what is asked ("số điện thoại … là bao nhiêu"), not when a citizen's own number is
# the matter ("đổi số điện thoại thì cập nhật thông tin cư trú thế nào").
_PHONE = r"(?:so dien thoai|sdt|so dt|duong day nong|hotline)"
# When the commune holds an event or a campaign ("bao giờ xã phát gạo", "hiến máu năm nay tổ
# chức hôm nào", "đợt tiêm phòng chừng nào làm"): a date of the local plan, never a
# procedure's time limit ("bao giờ có kết quả" names no event).
_EVENT = (
    r"(?:to chuc|phat gao|phat tien|phat qua|chi tra|hien mau|dot \w+"
    r"|tiem (?:phong|ngua|chung|chich)|kham (?:nghia vu|tuyen|suc khoe|nvqs)"
    r"|hop (?:dan|thon|xom|to dan pho|binh xet)|binh xet|lam (?:con )?duong|sua (?:con )?duong|lam cau)"
)
# "không" typed every way: "ko", "k", "hông", "hôn" (the question's particle, last word).
_NO_Q = r"(?:chua|roi chua|khong|ko|k|kg|hong|hok|hem|hon)"
_WHEN = (
    r"(?:khi nao|bao gio|chung nao|luc nao|ngay nao|hom nao|bua nao|ngay may|thang may"
    r"|thang nao|dip nao)"
)
# The center's own premises: parking, Wi-Fi, photocopying, queue numbers, seats for those who
# wait, wheelchair access, and how fees can be paid there (the catalog gives a fee, not the
# till's means of payment).
_FACILITY = (
    r" (?:cho|bai|noi) (?:gui|de|dau|giu) xe(?= )| giu xe(?= )| wifi(?= )| may photo(?= )"
    r"| cho photo(?= )| nha ve sinh(?= )| may lay so(?= )| lay so thu tu(?= )| cang tin(?= )"
    r"| gui xe(?: may| dap| oto| o to)?(?: o)? (?:dau|cho nao|co mat|mat tien|bao nhieu)(?= )"
    r"| (?:cho ngoi|ghe ngoi|ngoi doi)(?= )| (?:be|nguoi|em|tre|ba|ong|con) ngoi cho(?= )"
    r"| xe lan(?: \w+){0,3} (?:vao|len|di)(?: \w+){0,2} (?:cua|loi|duong|tang|thang)(?= )"
    r"| (?:nhan|cho|chap nhan|duoc|co the) (?:tra|nop|thanh toan|dong)(?: \w+){0,3}"
    r" (?:bang|qua) (?:chuyen khoan|quet ma|ma qr|qr|the ngan hang|the atm|vi dien tu|momo"
    r"|zalopay)(?= )"
)
# What a procedure does, said right after "tổ chức": the commune is asked whether it holds a
# procedure ("tổ chức đăng ký kết hôn lưu động"), not an event of the local plan.
_PROCEDURE_ACT = (
    r"(?:dang ky|xac nhan|chung thuc|trich luc|cap giay|cap lai|cap ban sao|lam giay"
    r"|lam thu tuc|thu tuc|hoa giai)"
)
_LOCAL_FACT = re.compile(
    "|".join(
        (
            rf" {_PHONE}(?: \w+){{0,2}}(?: cua(?: \w+){{1,5}})? (?:la )?(?:bao nhieu|gi|so nao"
            rf"|so may)(?= )",
            # whom to call about a nuisance ("phản ánh thì gọi ai ở xã"): the commune's contact
            r" (?:goi|phan anh voi|lien he) ai(?= )",
            rf" (?:xin|cho (?:em|toi|minh|chau) xin|goi) {_PHONE} ",
            r" (?:chu tich|can bo|cong chuc|truong|bi thu|nguoi phu trach)(?: \w+){0,5} la ai(?= )",
            r" ai phu trach(?= )",
            r" (?:tiep cong dan|tiep dan|lich tiep)(?= )",
            # "hết giờ làm việc nên hỏi qua mạng" tells why the citizen writes, not what is asked
            r"(?<! het)(?<! qua) (?:gio lam viec|may gio mo cua|may gio dong cua)(?= )",
            r" co (?:lam viec|mo cua) khong(?= )",
            # working days and hours said otherwise: "thứ 7 xã làm việc không", "làm việc đến
            # mấy giờ", "giờ nghỉ trưa"
            r" (?:thu (?:hai|ba|tu|nam|sau|bay|[2-7])|chu nhat|ngay le|ngay nghi|buoi trua"
            r"|nghi le|tet)(?: \w+){0,4}"
            r" (?:lam viec|mo cua|nhan ho so|tiep nhan ho so|truc)(?= )",
            r" (?:lam viec|mo cua|nhan ho so) (?:den|tu|luc|toi) may gio(?= )",
            r" (?:gio nghi trua|nghi trua may gio|may gio nghi trua)(?= )",
            # "mấy h mở cửa": the hour typed as "h"
            r" may (?:gio|h)(?: \w+){0,3} (?:mo cua|dong cua|lam viec|tiep dan|nhan ho so)(?= )",
            # the office's bank account, with the purpose in between ("số tài khoản để chuyển
            # khoản nộp lệ phí của ủy ban xã")
            r" so tai khoan(?: \w+){0,8} (?:cua )?(?:uy ban|ubnd|trung tam|xa|phuong"
            r"|bo phan mot cua)(?= )",
            rf" (?:xa|phuong|thon|ap) co (?:phat|chi tra|tang qua|phat qua)(?: \w+){{0,8}}"
            rf" {_NO_Q}(?= )",
            # who an officer is, and whether one is in today
            r" (?:chu tich|pho chu tich|can bo|cong chuc|bi thu)(?: \w+){0,5} ten (?:la )?gi(?= )",
            r" (?:chu tich|pho chu tich|can bo|cong chuc|bi thu)(?: \w+){0,6} co"
            r" (?:o|mat|di lam|truc|hop|tiep dan)(?: \w+){0,3} khong(?= )",
            # whether this month's payment or distribution has happened
            rf" (?:thang nay|dot nay|ky nay|nam nay|tuan nay|he nay|tet nay)(?: \w+){{0,4}}"
            rf" (?:co )?(?:chi tra|phat|to chuc|mo lop|co lop)(?: \w+){{0,8}} {_NO_Q}(?= )",
            # whether the locality holds or opens something ("năm nay xã có tổ chức giải bóng
            # đá không", "xã mình có lớp học bơi hè này không"): the local plan
            # ("xã có tổ chức đăng ký kết hôn lưu động không" asks whether the commune does a
            # procedure: a procedure question)
            rf" (?:xa|phuong|thon|ap|xom|lang)(?: minh| ta| toi| tui| em)?(?: \w+){{0,3}}"
            rf" co (?:to chuc|mo lop|lop|mo dot)(?! {_PROCEDURE_ACT} )(?: \w+){{0,10}} {_NO_Q}(?= )",
            # the locality's schedule, plan or list ("lịch khám sức khỏe nghĩa vụ quân sự năm
            # nay của xã", "kế hoạch thu gom rác tại thôn"): published by the commune, not a
            # procedure of the catalog; "lịch hẹn trả kết quả" is a dossier's
            r" (?:lich(?! hen)|ke hoach)(?: \w+){1,10} (?:cua|tai|o) (?:xa|phuong|thon|ap|xom"
            r"|lang|khu pho|to dan pho|tram y te|uy ban|ubnd)(?= )",
            # elections of the village and the commune (Luật Thực hiện dân chủ ở cơ sở 2022,
            # Điều 14; Luật Bầu cử 2015): no administrative procedure
            r" bau (?:cu|truong thon|truong ap|truong xom|truong ban|to truong|truong khu pho"
            r"|dai bieu|hdnd|hoi dong nhan dan|bi thu)(?= )",
            # the locality as the subject of a "when" ("bao giờ thì thôn tôi họp", "thôn tôi
            # bao giờ có nước sạch"): a date of the local plan, not of the asker's dossier
            rf" (?:thon|xom|ap|lang|khu pho|to dan pho|xa|phuong)(?: toi| tui| minh| ta| em)"
            rf"(?: \w+){{0,3}} {_WHEN}(?! \w+ ket qua)(?= )",
            rf" {_WHEN}(?: \w+){{0,2}} (?:thon|xom|ap|lang|khu pho|to dan pho)"
            rf"(?: toi| tui| minh| ta| em)(?= )",
            rf" {_WHEN}(?: \w+){{0,3}} co (?:nuoc sach|nuoc may|dien luoi|duong nhua"
            rf"|duong be tong|internet|song dien thoai)(?= )",
            # where the office is and how to reach it online
            r" (?:dia chi|tru so)(?: cua)? (?:uy ban|ubnd|trung tam|bo phan mot cua|xa|phuong)"
            r"(?: \w+){0,3} (?:o dau|la gi|cho nao|o cho nao)(?= )",
            r" (?:zalo|facebook|fanpage|email|trang web)(?: cua)? (?:uy ban|ubnd|trung tam|xa"
            r"|phuong|bo phan mot cua)(?= )",
            rf" {_EVENT}(?: \w+){{0,12}} (?:vao )?{_WHEN}(?= )",
            rf" {_WHEN}(?: \w+){{0,4}} {_EVENT}(?= )",
            # a meeting, screening or plan of the locality asked by its date ("lịch hội nghị
            # tiếp xúc cử tri trong quý này", "kế hoạch chiếu phim lưu động tháng tới")
            r" lich (?:hop|hoi nghi|tiep xuc cu tri|sinh hoat|chieu phim|phat|cap phat)(?= )",
            r" (?:lich(?! hen)|ke hoach)(?: \w+){1,12} (?:trong |vao )?(?:thang|quy|tuan|nam"
            r"|dot|dip|ky)(?: \w+)? (?:nay|toi|sau|nua)(?= )",
            # when public works finish ("đường liên thôn bao giờ được trải nhựa"): the local
            # plan, not a dossier
            rf" (?:duong|cau|cong|muong|kenh|nha van hoa|truong hoc|tram y te|cho|den duong)"
            rf"(?: \w+){{0,10}} {_WHEN}(?: \w+){{0,5}} (?:lam xong|xong|hoan thanh|khoi cong"
            rf"|trai nhua|be tong hoa|duoc lam|sua|lam|thi cong)(?= )",
            # local programmes and hand-outs ("chương trình tặng máy lọc nước còn suất không",
            # "trạm y tế có cấp phát thuốc huyết áp không"), fairs and the commune's halls
            r" (?:con suat|het suat)(?= )",
            r" (?:cap phat|phat) thuoc(?= )",
            r" chuong trinh (?:tang|phat|trao tang|tang qua)(?= )",
            r" (?:hoi cho|phien cho|ngay hoi)(?: \w+){0,16} (?:gian hang|quay hang|cho ban)(?= )",
            r" (?:cho thue|thue|muon) (?:hoi truong|san van dong|loa dai|phong hop)(?= )",
            # who is on a local list ("danh sách hộ được hỗ trợ có nhà tôi không", "cho biết
            # danh sách …"), and when and where an event is held; getting onto or off a list
            # ("xin vào danh sách hộ nghèo", "ra khỏi danh sách") is a procedure
            r" co ten (?:trong|o) danh sach(?= )",
            r" (?:cung cap|cho biet|xem|cong bo|niem yet|cong khai) danh sach(?= )",
            r"(?<! vao)(?<! khoi) danh sach(?: \w+){1,12} co(?: \w+){1,3}"
            r" (?:khong|ko|k|hong|chua)(?= )",
            r" (?:thoi gian va dia diem|dia diem va thoi gian|dia diem to chuc)(?= )",
            _FACILITY,
        )
    )
)


# "When" asked outright: a date of the locality's plan, whatever the event is (a flood siren
# test, a pump station letting water in, a ferry's last run). Procedures are asked "how long"
# ("bao lâu", "mấy ngày"); of the labelled development questions (sets 1-12) with such a
# "when", 68 were local facts, 2 fees, 2 time limits and 4 refusals with "never" ("chưa có hộ
# chiếu bao giờ"), each told apart by a word below. An event lexicon (``_EVENT``)
# cannot list every event a citizen brings; the exceptions are few and about the asker's own
# dossier. "tháng nào" is left out: "tháng nào cũng phải đi lĩnh" says "every month".
_ASKED_WHEN = re.compile(
    r" (?:khi nao|bao gio|chung nao|luc nao|ngay nao|hom nao|bua nao|ngay may|dip nao"
    r"|luc may gio)(?= )"
)
# "chưa bao giờ", "không bao giờ", "chưa có hộ chiếu bao giờ" say "never", no question.
_NEVER_BEFORE = frozenset(("chua", "khong", "ko", "cha", "chang"))
# What follows "bao giờ" when it says "ever" or "sometime" ("bao giờ trẻ con cũng làm được",
# "lúc nào không biết").
_WHEN_NOT_ASKED_AFTER = ("khong biet", "chang biet", "ko biet")
# The asker's own dossier: its result, or when to file it ("nộp hồ sơ khi nào", "chừng nào mới
# biết có được công nhận", "bao giờ đến chụp ảnh … xong thì", "lịch hẹn trả kết quả … là
# ngày nào"), in the nine words before or the four after.
_OWN_DOSSIER_WORDS = (
    "ket qua",
    "xong",
    "nop",
    "phai",
    "cong nhan",
    "lay duoc",
    "lay giay",
    "nhan duoc",
    "nhan giay",
    "nhan so",
    "hen",
    "giai quyet",
    "duoc cap",
    "cap giay",
    "cap lai",
    "duyet",
    # "chừng nào mới biết có được …", not "xin cho biết khi nào …"
    "moi biet",
    "biet duoc",
)


def asks_event_date(padded: str) -> bool:
    """Whether the question asks when something happens, not when the asker's dossier is done
    (see ``_ASKED_WHEN``)."""
    for match in _ASKED_WHEN.finditer(padded):
        before = padded[: match.start()].split()[-9:]
        after = padded[match.end() :].split()[:4]
        if _NEVER_BEFORE & set(padded[: match.start()].split()[-6:]) or "cung" in after[:3]:
            continue
        tail = " ".join(after)
        if tail.startswith(_WHEN_NOT_ASKED_AFTER):
            continue
        # "sinh ngày nào": the day someone was born, asked of the asker's own papers
        if before[-1:] == ["sinh"] or _has(f" {' '.join(before + after)} ", _OWN_DOSSIER_WORDS):
            continue
        return True
    return False


def asks_local_fact(padded: str) -> bool:
    return bool(_LOCAL_FACT.search(padded)) or asks_event_date(padded)


# How much the citizen receives ("mỗi hộ được bao nhiêu", "được hỗ trợ mấy triệu"): the level
# of a benefit or a hand-out, set by a decision of the commune or the province, never the fee
# of the procedure that asks for it; the catalog publishes no such amounts.
_RECEIVED_AMOUNT = re.compile(
    r"(?<! chang)(?<! khong)(?<! cha)(?<! ko)(?<! chua)"
    r" (?:duoc|nhan duoc|duoc nhan|duoc ho tro|duoc tro cap|duoc cap|duoc phat|duoc chi"
    r"|duoc boi thuong|duoc den bu|ho tro|tro cap|boi thuong|den bu)(?: (?:tien|cho|la|khoang))?"
    r" (?:bao nhieu|may tram|may trieu|may chuc|nhieu tien|bao nhieu tien)"
    r"(?! (?:ngay|hom|buoi|tuan|thang|lau|gio|ban|bo|to|lan|nguoi|nam))(?= )"
)


def asks_received_amount(padded: str) -> bool:
    """Whether the question asks how much money the citizen receives (see above), and not
    besides what it costs: "thu nhập chẳng được bao nhiêu … có mất phí không" tells a story,
    then asks the fee."""
    return bool(_RECEIVED_AMOUNT.search(padded)) and not _has(padded, _COST_WORDS)


# Words that ask what the citizen pays.
_COST_WORDS = (
    "phi",
    "le phi",
    "chi phi",
    "mien phi",
    "nop tien",
    "mat tien",
    "ton tien",
    "het tien",
    "ton kem",
    "dong tien",
    "tra tien",
)


@dataclass(frozen=True)
class OtherBody:
    id: str
    what: str
    terms: tuple[str, ...]
    unless: tuple[str, ...]
    body: str
    note: str
    sources: tuple[dict, ...]
    # Whether a commune act named in the question (certifying a copy, an extract, a
    # confirmation "để làm hộ chiếu") keeps it at the commune; consular legalization is about
    # certified papers, so it turns this off.
    commune_guard: bool = True
    # Regular expressions on the padded folded text, for matters a fixed phrase cannot say:
    # "người Pháp … nhận con nuôi", "thẻ tạm trú … người nước ngoài" (words in between).
    patterns: tuple[re.Pattern[str], ...] = ()
    # The same for the exceptions: "tòa án Hoa Kỳ công nhận …" (a foreign court's decision,
    # recorded at the commune), a country named after the word.
    unless_patterns: tuple[re.Pattern[str], ...] = ()
    # For matters handled by the mission of the country the citizen names (a visa): the body
    # with a "%(country)s" slot, so that the answer says "Đại sứ quán Hàn Quốc", not "of the
    # country you go to".
    by_country: str = ""

    def excepted(self, padded: str) -> bool:
        return _has(padded, self.unless) or any(p.search(padded) for p in self.unless_patterns)


@cache
def other_bodies() -> tuple[OtherBody, ...]:
    path = Path(__file__).with_name("data") / "other_bodies.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        OtherBody(
            id=b["id"],
            what=b["what"],
            terms=tuple(b["terms"]),
            unless=tuple(b.get("unless", ())),
            body=b["body"],
            note=b.get("note", ""),
            sources=tuple(b.get("sources", ())),
            commune_guard=b.get("commune_guard", True),
            patterns=tuple(re.compile(p) for p in b.get("patterns", ())),
            unless_patterns=tuple(re.compile(p) for p in b.get("unless_patterns", ())),
            by_country=b.get("by_country", ""),
        )
        for b in data["bodies"]
    )


# Procedures the catalog limits to one respondent: the commune's complaint and denunciation
# procedures about the Công an nhân dân ("… đối với lực lượng Công an nhân dân thực hiện tại
# cấp xã"). A complaint about a hospital, a seller, a building's board shares their words
# ("khiếu nại", "tố cáo") and nothing else: unless the question names the respondent, the
# procedure is no answer. (folded words in the procedure's name, words that name the respondent)
_RESPONDENT_LIMITED = (
    (
        "doi voi luc luong cong an",
        ("cong an", "canh sat", "csgt", "ca xa", "ca phuong", "dong chi cong an"),
    ),
)


def respondent_unsaid(procedure_name: str, padded: str) -> bool:
    """Whether the procedure is limited to a respondent (``_RESPONDENT_LIMITED``) the question
    does not name."""
    name = folded_text(procedure_name)
    return any(
        f" {limit} " in name and not _has(padded, said) for limit, said in _RESPONDENT_LIMITED
    )


# Who hears a complaint or a denunciation about anyone but the commune and its police.
COMPLAINT_ELSEWHERE = OtherBody(
    id="complaint_elsewhere",
    what="khiếu nại, tố cáo việc làm của cơ quan, tổ chức, cá nhân không thuộc Ủy ban nhân dân"
    " xã hay Công an xã",
    terms=(),
    unless=(),
    body="người đứng đầu cơ quan, tổ chức đã ra quyết định hoặc quản lý người bị khiếu nại,"
    " tố cáo; không được giải quyết thì cơ quan quản lý cấp trên của cơ quan, tổ chức đó",
    note="Xã giải quyết khiếu nại, tố cáo về quyết định, việc làm của Ủy ban nhân dân xã,"
    " cán bộ xã và Công an xã.",
    sources=(
        {
            "title": "Luật Khiếu nại số 02/2011/QH13, Điều 7 (khiếu nại lần đầu đến người đã ra"
            " quyết định hành chính hoặc cơ quan có người có hành vi hành chính)"
        },
        {
            "title": "Luật Tố cáo số 25/2018/QH14, Điều 12, 13 (người đứng đầu cơ quan, tổ chức"
            " quản lý người bị tố cáo giải quyết)"
        },
    ),
)


# Acts the commune does on papers issued elsewhere: certifying a copy or a signature
# (Nghị định 23/2015/NĐ-CP, Điều 5), extracts and records of civil status (Luật Hộ tịch
# 2014), reporting a lost passport (the commune police). A question that asks one of them
# about another body's paper ("chứng thực bản sao hộ chiếu", "ghi việc ly hôn ở nước ngoài vào
# sổ hộ tịch") is the commune's own procedure.
_COMMUNE_ACTS = (
    "chung thuc",
    "chung thuc ban sao",
    "sao y",
    "sao y ban chinh",
    "ban sao tu ban chinh",
    # Citizens say "công chứng" for a certified copy; contracts on houses and land are
    # certified at the commune too (Nghị định 23/2015/NĐ-CP, Điều 5 khoản 2).
    "cong chung",
    "trich luc",
    "ghi vao so",
    "vao so ho tich",
    "trinh bao mat",
    "chung thuc chu ky",
    # Registering a birth the passport or court case needs is the commune's registration.
    "chua co giay khai sinh",
    "chua co khai sinh",
    "chua lam khai sinh",
    "chua dang ky khai sinh",
)
# A purpose clause: what follows says what the paper is for, not what is asked.
# "đề nghị" folds to "de nghi": a request, not a purpose ("Đề nghị hướng dẫn thủ tục …").
_PURPOSE = re.compile(r" (?:de(?! nghi )|nham|phuc vu|bo sung ho so|nop cho|lam ho so) ")
# What the commune confirms or registers: named before the purpose clause, it is the request
# ("xin xác nhận cư trú để làm hộ chiếu"). A paper merely needed ("cần giấy khai sinh để làm
# hộ chiếu") is not: the purpose is then what is asked.
_COMMUNE_REQUESTS = (
    "xac nhan",
    "dang ky",
    "trich luc",
    "chung thuc",
    "sao y",
    "ban sao",
    "lam giay",
    "xin giay",
    "cap giay",
    "lam the",
    "lam khai sinh",
    "lam can cuoc",
    "tach ho",
    # Declaring a change (military service registration, residence): "mới có bằng lái, phải
    # khai bổ sung với ban chỉ huy quân sự" asks the declaration, not a licence.
    "khai bo sung",
    "bo sung thong tin",
)


# Folded, "làm thế nào" (how) reads as "làm thẻ" (make a card) followed by "nào": the question
# word is no commune request.
_HOW = re.compile(r" lam the nao ")


_PURPOSE_TYPED = re.compile(r"\b(?:để|de|nhằm|nham|phục vụ|phuc vu)\b(?!\s+(?:nghị|nghi)\b)")


def purpose_start(text: str) -> int | None:
    """Where the question's first purpose clause ("để …", "nhằm …") begins in ``text``, or
    None: what follows says what a paper is for, not what is asked."""
    match = _PURPOSE_TYPED.search(unicodedata.normalize("NFC", text).lower())
    return None if match is None else match.start()


def _asks_commune_request(padded: str, extra: tuple[str, ...] = ()) -> bool:
    return _has(_HOW.sub(" lam " + _NOT_CUE + " nao ", padded), (*_COMMUNE_REQUESTS, *extra))


def _after_purpose_only(padded: str, terms: tuple[str, ...]) -> bool:
    """Whether every mention of ``terms`` comes after a purpose clause whose head names a
    commune request: "xác nhận nội dung khai sinh để bổ sung hồ sơ đi lao động nước ngoài"."""
    match = _PURPOSE.search(padded)
    if match is None:
        return False
    head, tail = padded[: match.start() + 1], padded[match.end() - 1 :]
    return not _has(head, terms) and _has(tail, terms) and _asks_commune_request(head)


# A term said right after a negation is what the citizen does not want ("không lập công ty,
# đăng ký hộ kinh doanh"); right after "có" it is what they have ("chưa có hộ chiếu, làm thẻ
# căn cước"). Either only when the question asks a commune request besides: "chưa có hộ
# chiếu, làm ở đâu" still asks for a passport.
_NOT_ASKED = ("khong", "ko", "k", "hong", "hok", "cha", "chang", "khoi", "dung", "co")


# Folding merges "đừng" (don't) with the last syllable of "xây dựng", "sử dụng", "áp dụng",
# "nội dung"…: after one of these first syllables "dung" is a compound, not a negation
# ("giấy phép xây dựng công trình cấp II" names the works).
_DUNG_COMPOUND = ("xay", "su", "ap", "tuyen", "noi", "tin", "vat", "trung", "thu", "cong")


# A term's first syllable may close a compound with the word before it: "đủ điều kiện ở đâu"
# is not "kiện ở đâu" (a lawsuit), "sự kiện", "ý kiến" neither.
_COMPOUNDS = frozenset({"dieu kien", "su kien", "y kien"})


def _negates(before: list[str]) -> bool:
    """Whether the words ``before`` a term end with a negation of it."""
    if before[-1] not in _NOT_ASKED:
        return False
    return not (before[-1] == "dung" and len(before) > 1 and before[-2] in _DUNG_COMPOUND)


def _says_term(padded: str, terms: tuple[str, ...]) -> bool:
    """Whether ``padded`` names one of ``terms`` other than right after a negation that sets
    it against a commune request ("không chốt sổ" with no such request is still the matter)."""
    contrasted = _asks_commune_request(padded, ("ho kinh doanh", "hop tac xa"))
    for term in terms:
        needle = f" {term} "
        start = 0
        while (k := padded.find(needle, start)) >= 0:
            before = padded[:k].split()
            if before and f"{before[-1]} {term.split()[0]}" in _COMPOUNDS:
                start = k + 1
                continue
            if not (contrasted and before and _negates(before)):
                return True
            start = k + 1
    return False


@cache
def _term_spellings() -> dict[tuple[str, ...], frozenset[tuple[str, ...]]]:
    """The spellings, with tone marks, of the other bodies' folded terms of two or more
    syllables, as the table's own Vietnamese text (what, body, note) and the sector words
    write them: "truoc ba" is "trước bạ". A term the texts never spell out has none."""
    texts = [_syllables(f"{b.what} . {b.body} . {b.note}") for b in (*other_bodies(), *sectors())]
    texts += [word for entry in body_vocabulary() for word in entry.words]
    wanted = {tuple(t.split()) for b in other_bodies() for t in b.terms if " " in t}
    found: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for typed in texts:
        folded = [fold(w) for w in typed]
        for size in {len(t) for t in wanted}:
            for i in range(len(typed) - size + 1):
                key = tuple(folded[i : i + size])
                if key in wanted:
                    found.setdefault(key, set()).add(typed[i : i + size])
    return {k: frozenset(v) for k, v in found.items()}


def _typed_as_spelled(text: str, term: str) -> bool:
    """Whether ``term`` is said in ``text`` in a spelling of it (``_term_spellings``), tone
    marks and all where they are typed ("tháng trước bà đã mất" is no "trước bạ"). True when
    the term has no known spelling."""
    spellings = _term_spellings().get(tuple(term.split()))
    if not spellings:
        return True
    size = len(term.split())
    for clause in clauses(text):
        typed = _syllables(clause)
        for i in range(len(typed) - size + 1):
            said = typed[i : i + size]
            if any(
                all(spelled_alike(t, w) for t, w in zip(said, spelled, strict=True))
                for spelled in spellings
            ):
                return True
    return False


def other_body(padded: str, text: str | None = None) -> OtherBody | None:
    """The body that handles what the question asks, when it is not the commune. Given the
    question's ``text``, a term must be said within one clause, and in its own spelling where
    tone marks are typed."""
    said_in = padded if text is None else clause_folded_text(text)
    for body in other_bodies():
        terms = body.terms
        if text is not None:
            terms = tuple(t for t in terms if f" {t} " in said_in and _typed_as_spelled(text, t))
        said = _says_term(said_in, terms) or any(p.search(padded) for p in body.patterns)
        if not said or body.excepted(padded):
            continue
        if body.commune_guard and (
            _has(padded, _COMMUNE_ACTS) or _after_purpose_only(padded, body.terms)
        ):
            continue
        return body
    return None


def said_term_size(body: OtherBody, padded: str) -> int:
    """How many words the longest of ``body``'s terms said in ``padded`` has; a pattern
    (words in between) counts as a long term."""
    if any(p.search(padded) for p in body.patterns):
        return 9
    return max((len(t.split()) for t in body.terms if f" {t} " in padded), default=0)


# Countries citizens go to, folded, with the name the answer gives them. Taiwan has no
# embassy (its Taipei Economic and Cultural Office issues visas), so it is left out.
_COUNTRIES = {
    "han quoc": "Hàn Quốc",
    "han": "Hàn Quốc",
    "nhat ban": "Nhật Bản",
    "nhat": "Nhật Bản",
    "trung quoc": "Trung Quốc",
    "hoa ky": "Hoa Kỳ",
    "my": "Hoa Kỳ",
    "uc": "Úc (Australia)",
    "australia": "Úc (Australia)",
    "canada": "Canada",
    "anh": "Anh (Vương quốc Anh)",
    "phap": "Pháp",
    "duc": "Đức",
    "y": "Ý",
    "nga": "Nga",
    "singapore": "Singapore",
    "malaysia": "Malaysia",
    "thai lan": "Thái Lan",
    "campuchia": "Campuchia",
    "lao": "Lào",
    "an do": "Ấn Độ",
    "new zealand": "New Zealand",
    "ha lan": "Hà Lan",
    "thuy si": "Thụy Sĩ",
    "thuy dien": "Thụy Điển",
    "sec": "Séc",
    "ba lan": "Ba Lan",
    "romania": "Romania",
    "hungary": "Hungary",
}
_COUNTRY = re.compile(
    r" (?:sang|qua|di|den|toi|vao|visa|thi thuc|nuoc|ben) (?:nuoc )?("
    + "|".join(sorted(_COUNTRIES, key=len, reverse=True))
    + ") "
)


def named_country(padded: str) -> str | None:
    """The country the question says the citizen goes to ("sang Hàn", "visa Nhật"), by its
    name in the answer. Only after a word of going or of a visa: "anh", "y", "my" are
    ordinary words elsewhere."""
    match = _COUNTRY.search(padded)
    return _COUNTRIES[match.group(1)] if match else None


# Papers of the commune's most common procedures (civil status, residence, identity, copies).
_COMMUNE_PAPERS = (
    "khai sinh",
    "khai tu",
    "ket hon",
    "tinh trang hon nhan",
    "doc than",
    "cu tru",
    "thuong tru",
    "tam tru",
    "tam vang",
    "can cuoc",
    "ho khau",
    "ban sao",
)


@dataclass(frozen=True)
class UncataloguedMatter:
    id: str
    what: str
    terms: tuple[str, ...]
    unless: tuple[str, ...]
    sources: tuple[dict, ...]
    # As in the other-bodies table: "hỗ trợ … bị bão", words in between.
    patterns: tuple[re.Pattern[str], ...] = ()

    def said(self, padded: str) -> bool:
        return _says_term(padded, self.terms) or any(p.search(padded) for p in self.patterns)


@cache
def uncatalogued_matters() -> tuple[UncataloguedMatter, ...]:
    path = Path(__file__).with_name("data") / "not_in_catalog.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        UncataloguedMatter(
            id=m["id"],
            what=m["what"],
            terms=tuple(m["terms"]),
            unless=tuple(m.get("unless", ())),
            sources=tuple(m.get("sources", ())),
            patterns=tuple(re.compile(p) for p in m.get("patterns", ())),
        )
        for m in data["matters"]
    )


def uncatalogued_matter(padded: str) -> tuple[UncataloguedMatter, str | None] | None:
    """A commune matter the catalog holds no procedure for (``data/not_in_catalog.json``:
    benefits of people with merit, religious activities, school fees, awards, licences of
    conditional trades, pets, disaster relief…), and whether the question says it outright.

    The second item is None when the matter is what is asked; otherwise the matter is only
    the purpose of a request ("xin làm hộ nghèo để con được miễn học phí") and it is the
    request (the padded words before the purpose): it may name a catalog procedure, which
    the finder then decides. A commune act on papers ("chứng thực giấy khen") is the
    commune's own procedure."""
    if _has(padded, _COMMUNE_ACTS):
        return None
    # A matter said in the request itself wins over one said only in its purpose: "xác nhận
    # hoàn cảnh khó khăn để xin học bổng" asks the confirmation, whatever the table's order.
    purpose_only: tuple[UncataloguedMatter, str | None] | None = None
    for matter in uncatalogued_matters():
        if not matter.said(padded) or _has(padded, matter.unless):
            continue
        # A commune paper named besides ("trường đòi bản sao giấy khai sinh", "liệt sĩ … làm
        # giấy khai tử"): the matter may be only the story, the whole question the request.
        if _has(padded, _COMMUNE_PAPERS):
            purpose_only = purpose_only or (matter, padded)
            continue
        match = _PURPOSE.search(padded)
        if match is None or matter.said(padded[: match.start() + 1] + " "):
            return matter, None
        purpose_only = purpose_only or (matter, padded[: match.start() + 1])
    return purpose_only


# Asking for an authorisation, a registration or an assessment: the acts a sector's licensing
# body performs. Without one ("giá xăng hôm nay") a sector word is not a request.
_AUTHORISATION = (
    "giay phep",
    "cap phep",
    "xin phep",
    "phep bay",
    "chung chi",
    "chung nhan",
    "du dieu kien",
    "hanh nghe",
    "giam dinh",
    "dang ky",
    "dang ki",
    "thu tuc",
    "ho so",
    "mo tiem",
    "mo cua hang",
    "mo phong",
    "mo nha",
    "kinh doanh",
)


def _cargo_only(padded: str, term: str) -> bool:
    """Whether ``term`` is only said in a purpose clause ("để …") after the authorisation
    asked: "đăng ký ghe để chở cát" registers a boat, it does not license the sand."""
    cut = padded.find(" de ")
    if cut < 0 or padded.find(f" {term} ") < cut:
        return False
    return _has(padded[: cut + 1], _AUTHORISATION)


@cache
def sectors() -> tuple[OtherBody, ...]:
    """Sectors licensed by a provincial department or a ministry (data/sectors.json)."""
    path = Path(__file__).with_name("data") / "sectors.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        OtherBody(
            id=s["id"],
            what=s["what"],
            terms=tuple(s["terms"]),
            unless=tuple(s.get("unless", ())),
            body=s["body"],
            note=s.get("note", ""),
            sources=tuple(s.get("sources", ())),
        )
        for s in data["sectors"]
    )


def licensing_sector(padded: str) -> tuple[OtherBody, str] | None:
    """The sector whose authorisation the question asks for, and the term that names it.

    The caller decides whether the commune procedure it found covers that term: only when it
    does not is the question another body's. Commune acts on papers ("chứng thực giấy phép")
    and the purpose-only clause keep it with the commune, as in the other-bodies table."""
    if not _has(padded, _AUTHORISATION) or _has(padded, _COMMUNE_ACTS):
        return None
    for sector in sectors():
        for term in sector.terms:
            if f" {term} " in padded and not _has(padded, sector.unless):
                if _after_purpose_only(padded, (term,)) or _cargo_only(padded, term):
                    continue
                return sector, term
    return None


# Asking whether the commune does something ("xã có cấp … không", "nộp ở xã được không",
# "đề nghị Ủy ban nhân dân xã cấp …"): the citizen is not sure the commune is the right place.
# Such a question about a matter no commune procedure names is best answered with the body
# that handles it (see ``vocabulary_body``).
_NO_PARTICLE = r"(?:khong|ko|k|kg|hong|hok|hem|hon|chu|ha)"
_COMMUNE_WHETHER = re.compile(
    "|".join(
        (
            rf" (?:xa|phuong|ubnd|uy ban)(?: \w+){{0,14}} (?:duoc|dc) {_NO_PARTICLE}(?= )",
            r" (?:xa|phuong|ubnd|uy ban)(?: co| minh| ta)?(?: \w+){0,3} (?:cap|lam|giai quyet"
            r"|nhan|xac nhan|ky|duyet|thu ly|tham duyet|kiem dinh|giam dinh|dang ky|cho phep"
            rf"|chung nhan|cong nhan|cu)(?: \w+){{0,14}} {_NO_PARTICLE}(?= )",
            r" nop(?: \w+){0,3} (?:o|tai) (?:ubnd |uy ban |uy ban nhan dan )?(?:xa|phuong)(?= )",
            r" (?:de nghi|kinh gui)(?: \w+){0,6} (?:ubnd|uy ban nhan dan|uy ban|trung tam)"
            r"(?: \w+){0,8} (?:cap|xac nhan|giai quyet|cho phep|huong dan|cong nhan)(?= )",
        )
    )
)


def asks_commune_whether(padded: str) -> bool:
    """Whether the question asks if the commune handles what it names (see above)."""
    return bool(_COMMUNE_WHETHER.search(padded))


# Commune acts as citizens also say them: "xác nhận chữ ký" is a certified signature, "ghi việc
# … vào sổ" records a civil-status event settled elsewhere (Luật Hộ tịch 2014).
_COMMUNE_ACTS_SAID_OTHERWISE = ("xac nhan chu ky", "vao so ho tich", "vao so tai", "ghi viec")


@dataclass(frozen=True)
class SectorWords:
    """General words of a sector and the body that handles its matters
    (``data/body_vocabulary.json``)."""

    id: str
    # Each word as its syllables, lower case with tone marks.
    words: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    # Words that only say who asks or with whom ("công ty", "ngân hàng"): they name the body
    # only when no word of any sector says what is asked.
    weak_words: frozenset[tuple[str, ...]]
    body: OtherBody
    # The other-bodies or sectors entry it refers to: its exceptions apply too.
    referred: OtherBody | None = None

    def excepted(self, padded: str) -> bool:
        return _has(padded, self.unless) or (
            self.referred is not None and self.referred.excepted(padded)
        )


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()))


@cache
def body_vocabulary() -> tuple[SectorWords, ...]:
    path = Path(__file__).with_name("data") / "body_vocabulary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    bodies = {b.id: b for b in (*sectors(), *other_bodies())}
    entries = []
    for item in data["entries"]:
        referred = bodies.get(item.get("refer", ""))
        body = OtherBody(
            id=item["id"],
            what=item["what"],
            terms=(),
            unless=(),
            body=item.get("body") or (referred.body if referred else ""),
            note="",
            sources=tuple(item.get("sources") or (referred.sources if referred else ())),
        )
        # An entry may keep only its own exceptions: the court's table entry excepts "ly hôn
        # rồi" (a question about marital status), not a division of property after it.
        own_only = bool(item.get("own_unless"))
        unless = tuple(item.get("unless", ()))
        weak = tuple(_syllables(w) for w in item.get("weak_words", ()))
        words = tuple(_syllables(w) for w in item["words"]) + weak
        entries.append(
            SectorWords(
                id=item["id"],
                words=words,
                unless=unless,
                weak_words=frozenset(words if item.get("weak") else weak),
                body=body,
                referred=None if own_only else referred,
            )
        )
    return tuple(entries)


@cache
def _vocabulary_index() -> dict[str, list[tuple[int, SectorWords, tuple[str, ...]]]]:
    """Sector words by their first syllable folded: a question is read in one pass."""
    index: dict[str, list[tuple[int, SectorWords, tuple[str, ...]]]] = {}
    for order, entry in enumerate(body_vocabulary()):
        for word in entry.words:
            index.setdefault(fold(word[0]), []).append((order, entry, word))
    return index


def _syllable_said(typed: str, word: str) -> bool:
    """A syllable typed with tone marks must match with them ("nhà bảo sanh" is no "nhà
    báo", "chưa chạy" no "chữa cháy", "căn cước thì" no "cuộc thi"); one typed without any
    matches every spelling that folds to it."""
    return typed == word or (fold(typed) == typed and typed == fold(word))


def vocabulary_body(text: str) -> tuple[OtherBody, str, bool] | None:
    found = vocabulary_match(text)
    return None if found is None else found[:3]


def vocabulary_match(text: str) -> tuple[OtherBody, str, bool, tuple[str, ...]] | None:
    """The body whose sector the question's words belong to, the word that said it (folded)
    and whether that word only says who asks: the longest sector word wins; a word that only says who asks ("công ty", "ngân
    hàng") comes after any word that says what is asked. None when no sector word is said,
    when the question names a commune act on papers (certifying a copy, an extract), or when
    the sector's exceptions (the commune's own procedures in it) are said."""
    padded = folded_text(text)
    if _has(padded, (*_COMMUNE_ACTS, *_COMMUNE_ACTS_SAID_OTHERWISE)):
        return None
    index = _vocabulary_index()
    best: tuple[float, int, SectorWords, tuple[str, ...]] | None = None
    # A sector word is said within one clause: its syllables never run across punctuation.
    said = [(i, typed) for typed in map(_syllables, clauses(text)) for i in range(len(typed))]
    for i, typed in said:
        syllable = typed[i]
        for order, entry, word in index.get(fold(syllable), ()):
            size = len(word)
            if typed[i : i + size] == word or (
                i + size <= len(typed)
                and all(
                    _syllable_said(t, w) for t, w in zip(typed[i : i + size], word, strict=True)
                )
            ):
                score = 0.5 if word in entry.weak_words else float(size)
                # "xác nhận đã đăng ký kết hôn để bổ sung hồ sơ xin visa" asks the
                # confirmation: a sector word said only in the purpose is not the matter.
                if _after_purpose_only(padded, (fold(" ".join(word)),)):
                    continue
                if (best is None or (score, -order) > (best[0], -best[1])) and not entry.excepted(
                    padded
                ):
                    best = (score, order, entry, word)
    if best is None:
        return None
    return best[2].body, fold(" ".join(best[3])), best[0] < 1, best[3]


# What a request asks for is the noun phrase after its verb ("xin **giấy phép bưu chính**",
# "cấp **thẻ nhà báo**", "đòi **tiền bảo hiểm tiền gửi**") or after "thủ tục", "giấy phép".
# A word of another body's remit said there names the matter; said elsewhere in a story ("bán
# cho siêu thị", "có bằng lái") it only sets the scene.
# Written with their tone marks: a syllable typed with marks must match them ("cáp quang"
# is no "cấp", "đang" no "đăng"); one typed without any matches every spelling.
_REQUEST_HEADS = tuple(
    tuple(head.split())
    for head in (
        "xin",
        "cấp",
        "làm",
        "đăng ký",
        "đk",
        "mở",
        "thông báo",
        "đòi",
        "khiếu nại",
        "tố cáo",
        "tố giác",
        "kiện",
        "yêu cầu",
        "kiểm định",
        "thành lập",
        "nhập khẩu",
        "xuất khẩu",
        "thủ tục",
        "giấy phép",
        "cấp phép",
        "mua",
        "vay",
        "trả",
        "nhận",
        "hưởng",
        "lấy",
        "đăng",
        "xét",
    )
)
# Words that end the object: the rest says where, why, to whom or asks back.
# Written with their tone marks too ("tài khoản" goes on, "tại" ends).
_OBJECT_END = (
    "thì",
    "ở",
    "tại",
    "để",
    "được",
    "đc",
    "không",
    "ko",
    "k",
    "hay",
    "nhưng",
    "mà",
    "vì",
    "nếu",
    "khi",
    "rồi",
    "nộp",
    "cần",
    "phải",
    "và",
)
_OBJECT_WORDS = 7


def _pairs(text: str) -> set[tuple[str, ...]]:
    typed = _syllables(text)
    return {tuple(typed[i : i + 2]) for i in range(len(typed) - 1)}


def request_objects(text: str) -> list[tuple[str, ...]]:
    """The folded noun phrases the question's requests ask for (see above), clause by clause
    (punctuation ends a phrase too)."""
    spans: list[tuple[str, ...]] = []
    for clause in re.split(r"[,.;:!?()\n]", unicodedata.normalize("NFC", text).lower()):
        typed = re.findall(r"[^\W_]+", clause)
        for i in range(len(typed)):
            for head in _REQUEST_HEADS:
                said = typed[i : i + len(head)]
                if len(said) < len(head) or not all(
                    _syllable_said(t, h) for t, h in zip(said, head, strict=True)
                ):
                    continue
                # The verb stays in the phrase: a remit word may open with it ("đăng quảng
                # cáo", "xin visa").
                span: list[str] = [fold(h) for h in head]
                for word in typed[i + len(head) : i + len(head) + _OBJECT_WORDS]:
                    if any(_syllable_said(word, end) for end in _OBJECT_END):
                        break
                    span.append(fold(word))
                if len(span) > len(head):
                    spans.append(tuple(span))
    return spans


def in_request_object(text: str, marked: tuple[str, ...]) -> bool:
    """Whether the sector word ``marked`` (its syllables with tone marks, two or more) is said
    inside what a request of the question asks for (``request_objects``)."""
    words = tuple(fold(w) for w in marked)
    if len(words) < 2:
        return False
    size = len(words)
    # Two syllables are too often other words folded alike ("hàng hai" and "hàng hải", "đã
    # cấp" and "đa cấp"): they count only typed as the sector word, tone marks and all.
    if size == 2 and tuple(marked) not in _pairs(text):
        return False
    # The word must reach past the verb: "công ty xuất khẩu" is who, not what is asked.
    return any(
        span[i : i + size] == words and i + size > _head_size(span)
        for span in request_objects(text)
        for i in range(len(span))
    )


def _head_size(span: tuple[str, ...]) -> int:
    return max(
        (len(h) for h in _REQUEST_HEADS if span[: len(h)] == tuple(fold(w) for w in h)),
        default=0,
    )
