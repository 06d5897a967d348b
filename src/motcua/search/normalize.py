"""Vietnamese text normalization for procedure finding.

Citizens type without diacritics, with Telex leftovers ("dduowcj", "nhưngx"), in mixed case,
or speak through a recognizer that drops punctuation. Everything here works on plain strings
and has no Django dependency, so the kiosk, the lookup page and the assistant share it.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from vn_text import fold as _vn_fold

log = logging.getLogger(__name__)
# Conversational syllables (folded) never taken for a misheard word and never used as the
# neighbour that vouches for a correction: "giờ muốn" must not become "đỏ muốn".
FILLERS = frozenset(
    [
        *("toi", "em", "minh", "ta", "cac", "cua", "day", "kia", "nay", "nao", "di", "duoc"),
        *("gi", "giup", "hoi", "khong", "la", "lam", "luon", "muon", "o", "ra", "roi", "se"),
        *("thi", "va", "ve", "voi", "vui", "long", "xin", "biet", "phai", "gio", "nam", "con"),
        *("anh", "ong", "ba", "vao", "nua", "ma", "cho", "co", "cung", "de", "da", "vi", "chi"),
        "dang",
    ]
)
# "do" is đó, đỏ and do: too common to be taken for a misheard word, too useful ("sổ đỏ") to
# be ignored as a neighbour.
_NEVER_MISHEARD = FILLERS | {"do"}
# The same words as written with their marks, for a request typed with diacritics: there
# "chợ cấp" (trợ cấp misheard) is no "cho", and only the filler's own spelling is spared.
_FILLER_FORMS = frozenset(
    [
        *("tôi", "em", "mình", "ta", "các", "của", "đây", "đấy", "kia", "này", "nay", "nào"),
        *("đi", "được", "gì", "giúp", "hỏi", "không", "là", "làm", "luôn", "muốn", "ở", "ra"),
        *("rồi", "sẽ", "thì", "và", "về", "với", "vui", "lòng", "xin", "biết", "phải", "giờ"),
        *("năm", "con", "anh", "ông", "bà", "ba", "vào", "nữa", "mà", "cho", "có", "cũng"),
        *("để", "đã", "vì", "chỉ", "chị", "đang", "đó", "đỏ", "do"),
    ]
)
# How often a word pair must occur in the catalog to stand against a sound-alike reading, and
# how much more often the sound-alike's pair must occur to win over a rare one.
_RARE_PAIR = 2
_CLEARLY_MORE = 4
_COMMON_PAIR = 8

MAX_QUERY_CHARS = 500

# Syllables spelled with a final i or y alike (kí/ký, lí/lý, mĩ/mỹ, tí/tỷ, hi/hy, sĩ/sỹ, qui/quy).
_I_OR_Y = re.compile(r"(k|l|m|t|h|s|qu)([iy])")
_WORD_RE = re.compile(r"[0-9a-zà-ỹđ]+", re.IGNORECASE)
_TONE_KEYS = "sfrxj"
_VOWELS = set("aeiouy")


def clean(text: str) -> str:
    """NFC, control and format characters removed, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in text
    )
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lowercase, diacritics removed, đ→d: the key used for lexical matching."""
    if len(text) <= _FOLD_CACHED_CHARS:
        return _fold_word(text)
    return _fold(text)


def _fold(text: str) -> str:
    return _vn_fold(unicodedata.normalize("NFC", text)).lower()


# A lookup folds each query word and the words of every passage it explains a hit with, about
# 700 folds a request, nearly all of a few thousand catalog syllables (issue 10). Folding is a
# pure function of the text, so short texts are remembered; the bound and the length cap keep
# the memory small (at most about 8 MB) whatever citizens type.
_FOLD_CACHED_CHARS = 40
_fold_word = functools.lru_cache(maxsize=16384)(_fold)


def words(text: str) -> list[str]:
    """Lowercase syllables (Vietnamese letters and digits), punctuation dropped."""
    return [w.lower() for w in _WORD_RE.findall(unicodedata.normalize("NFC", text))]


def folded_words(text: str) -> list[str]:
    return [fold(w) for w in words(text)]


def has_diacritics(text: str) -> bool:
    """Whether a word of ``text`` carries a diacritic (or is spelt with đ).

    Word by word: folding drops punctuation, so comparing whole texts found marks in every
    request with a comma, and a request typed without diacritics was read as typed with them.
    """
    return any(fold(w) != w for w in words(text))


# Tone marks by their combining characters; hỏi and ngã are one (often typed for each other).
_TONES = {"\u0300": "huyen", "\u0301": "sac", "\u0303": "hoi", "\u0309": "hoi", "\u0323": "nang"}


def tone_and_shape(syllable: str) -> tuple[str | None, str]:
    """A syllable's tone mark (None when none is typed) and its letters without it, whatever
    vowel carries the mark ("hoá" and "hóa" alike)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((_TONES[ch] for ch in decomposed if ch in _TONES), None)
    shape = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return tone, shape


def spelled_alike(typed: str, spelled: str) -> bool:
    """Whether a typed syllable may be ``spelled``: the marks typed must be its marks (a tone
    left out, or no marks at all, match any), hỏi and ngã one ("kiễm" for "kiểm"); "đi" is
    never "di", "rồi" never "rơi"."""
    if fold(typed) != fold(spelled):
        return False
    tone, shape = tone_and_shape(typed)
    want_tone, want_shape = tone_and_shape(spelled)
    if shape != fold(shape) and shape != want_shape:
        return False
    return tone is None or tone == want_tone


def typed_otherwise(typed: Sequence[str], term: str) -> bool:
    """Whether every place where the folded ``term`` occurs in the ``typed`` syllables spells it
    with other marks ("mấy con rồi" is no "con rơi", "có đi" no "có di sản"). False when the
    term is nowhere as typed (it was matched through a repaired or standardized word)."""
    want = words(term)
    size = len(want)
    folded_want = [fold(w) for w in want]
    seen = False
    for i in range(len(typed) - size + 1):
        said = typed[i : i + size]
        if [fold(w) for w in said] != folded_want:
            continue
        seen = True
        if all(spelled_alike(t, w) for t, w in zip(said, want, strict=True)):
            return False
    return seen


def contains_phrase(haystack: list[str], needle: list[str]) -> bool:
    """Whole-syllable containment of ``needle`` in ``haystack`` (both folded word lists)."""
    if not needle or len(needle) > len(haystack):
        return False
    return f" {' '.join(needle)} " in f" {' '.join(haystack)} "


def _telex_variants(token: str) -> list[str]:
    """Folded spellings a Telex typist may have meant: dd→d, w and doubled vowels, tone keys."""
    variants: list[str] = []
    base = token
    if base.startswith("dd"):
        base = base[1:]
    base = re.sub(r"(?<=[aou])w", "", base)
    base = base.replace("w", "u")  # a lone w is ư in Telex: "ngwng" → ngưng
    base = re.sub(r"([aeo])\1", r"\1", base)
    variants.append(base)
    # A tone key typed at the end or right after the vowel cluster: "dduowcj", "tieengs", "lafm".
    for key in _TONE_KEYS:
        for candidate in (base, token):
            if key in candidate[1:]:
                idx = candidate.rfind(key)
                if idx > 0 and candidate[idx - 1] in _VOWELS | set("cghmnpt"):
                    variants.append(candidate[:idx] + candidate[idx + 1 :])
    return [v for v in dict.fromkeys(variants) if v and v != token]


# Initials and finals that speech recognizers and regional accents confuse (s/x, tr/ch, d/gi/r,
# l/n, final n/ng, c/t). Tried only for a syllable the catalog never uses.
_INITIAL_SWAPS = (
    ("s", "x"),
    ("x", "s"),
    ("tr", "ch"),
    ("ch", "tr"),
    ("gi", "d"),
    ("d", "gi"),
    ("r", "d"),
    ("d", "r"),
    ("r", "gi"),
    ("l", "n"),
    ("n", "l"),
    ("v", "d"),
    ("d", "v"),
    ("d", "y"),
    ("y", "d"),
    ("qu", "h"),
    ("h", "qu"),
)
_FINAL_SWAPS = (
    ("ng", "n"),
    ("n", "ng"),
    ("c", "t"),
    ("t", "c"),
    ("nh", "n"),
    ("n", "nh"),
    ("ch", "t"),
    ("t", "ch"),
    ("m", "n"),
    ("n", "m"),
)


def _sound_alikes(token: str) -> list[str]:
    out: list[str] = []
    for old, new in _INITIAL_SWAPS:
        if token.startswith(old) and not (old == "d" and token.startswith("dd")):
            out.append(new + token[len(old) :])
    for old, new in _FINAL_SWAPS:
        if token.endswith(old) and len(token) > len(old):
            out.append(token[: -len(old)] + new)
    return out


# ``restore``'s transition score of a word pair the catalog never uses.
_UNSEEN_PAIR = 2.0 * math.log(0 + 0.05)


@functools.cache
def dictionary_syllables() -> frozenset[str]:
    """Every syllable of underthesea's Viet74K word list (74,000 words), lowercase NFC.

    It tells a real Vietnamese word the catalog happens not to use ("nghiêng", "tủ") from a
    typing slip ("sihn", "đăg"): only the latter may be repaired freely.
    """
    # find_spec locates the package without importing it: underthesea's __init__ loads its
    # models and costs about 70 MB of memory per process for a word list.
    spec = importlib.util.find_spec("underthesea")
    try:
        if spec is None or spec.origin is None:
            raise OSError("underthesea is not installed")
        path = Path(spec.origin).parent / "corpus" / "data" / "Viet74K.txt"
        # Line by line: the whole file as one list of words would add ~10 MB to peak memory.
        with path.open(encoding="utf-8") as lines:
            syllables = {w for line in lines for w in words(line) if len(w) <= 7}
    except OSError as exc:  # pragma: no cover - underthesea is pinned in pyproject.toml
        log.warning("no Vietnamese word list (%s); typo repair is less careful", exc)
        return frozenset()
    return frozenset(syllables)


@functools.cache
def dictionary_folded() -> frozenset[str]:
    return frozenset(fold(w) for w in dictionary_syllables())


class Vocabulary:
    """Syllables and their accented forms seen in the catalog, for repair and restoration.

    ``repair`` maps an unknown folded token to a known one (Telex leftovers, misheard initials
    and finals); ``restore`` puts diacritics back on a query typed without them, choosing each
    syllable's accented form by a bigram model of the corpus (Viterbi), so the embedding model
    sees real Vietnamese.
    """

    def __init__(self, texts: Iterable[str]):
        self.unigrams: dict[str, Counter[str]] = defaultdict(Counter)
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.folded_bigrams: Counter[tuple[str, str]] = Counter()
        for text in texts:
            ws = words(text)
            for w in ws:
                self.unigrams[fold(w)][w] += 1
            for a, b in zip(ws, ws[1:], strict=False):
                self.bigrams[(a, b)] += 1
                self.folded_bigrams[(fold(a), fold(b))] += 1
        self.known = set(self.unigrams)
        self.accented = {w for forms in self.unigrams.values() for w in forms}
        self._tops: dict[tuple[str, int], list[tuple[str, int]]] = {}
        # ``restore``'s transition scores of the pairs seen, computed once (a few hundred
        # logarithms per query otherwise); an unseen pair scores ``_UNSEEN_PAIR``.
        self._transitions = {
            pair: 2.0 * math.log(count + 0.05) for pair, count in self.bigrams.items()
        }

    def repair(
        self,
        token: str,
        before: str = "",
        after: str = "",
        typed: tuple[str, str, str] | None = None,
    ) -> str:
        """A known spelling for ``token`` (folded); ``before``/``after`` are its neighbours.

        A real Vietnamese syllable the catalog does not use ("nghieng", a tree leaning) is only
        replaced by a sound-alike when the result makes a pair the catalog uses with a
        neighbour ("tam chu" → "tam tru"); otherwise "nghiêng" became "nghiện" (drug
        rehabilitation). Non-words (typing slips) are repaired without that check.

        ``typed``: the word and its neighbours as the citizen wrote them (lowercase), when the
        request carries diacritics. A recognizer mishears the consonants of a syllable and
        keeps its vowel and tone ("thường chú", "khai xinh", "căn cướt", "hết hạng",
        "nghĩa dụ"); a typed real word is only read as a sound-alike with the same vowel and
        tone that pairs, as written, with a neighbour. Folded, "chữ" was "trú", "văn bằng"
        "dân bằng", "hữu hạn" "hữu hạng" and "có lại tờ" "có nại tờ" (khiếu nại, tố cáo).
        """
        if token.isdigit():
            return token
        spelled = self._other_spelling(token, before, after)
        if spelled is not None:
            return spelled
        if typed is not None and typed[1] in dictionary_syllables():
            # A real word as written: compare spellings with their marks.
            word_before, word, word_after = typed
            if word in self.accented:
                return fold(self._misheard(word_before, word, word_after, self.bigrams))
            for variant in _sound_alikes(word):
                if variant in self.accented and self._fits(
                    word_before, variant, word_after, self.bigrams
                ):
                    return fold(variant)
            return token
        if token in self.known:
            return self._misheard(before, token, after, self.folded_bigrams)
        real = token in dictionary_folded()
        if not real:
            for variant in _telex_variants(token):
                if variant in self.known:
                    return variant
        for variant in _sound_alikes(token):
            if variant not in self.known:
                continue
            if not real or self._fits(before, variant, after, self.folded_bigrams):
                return variant
        return token

    def _other_spelling(self, token: str, before: str, after: str) -> str | None:
        """The catalog's spelling of a syllable written both ways: "kí"/"ký", "lí"/"lý".

        Both spellings are correct Vietnamese (the 1980s rules prefer i, the catalog keeps
        y), so "đăng kí" is not a slip the sound-alike repair would touch; the catalog's pairs
        tell which one it writes.
        """
        match = _I_OR_Y.fullmatch(token)
        if match is None:
            return None
        other = match.group(1) + ("y" if match.group(2) == "i" else "i")
        if other not in self.known:
            return None
        pairs = self.folded_bigrams
        if self._pair_count(before, other, after, pairs) > self._pair_count(
            before, token, after, pairs
        ):
            return other
        return None

    def _misheard(
        self, before: str, token: str, after: str, pairs: Counter[tuple[str, str]]
    ) -> str:
        """A catalog word that fits neither neighbour, when a sound-alike fits one.

        Recognizers and Southern speech turn "hết hạn" into "hết hạng", "thông tin" into
        "thôn tin", "nghĩa vụ" into "nghĩa dụ": every syllable is a real word the catalog also
        uses, so only the pairs tell the slip. ``pairs`` counts the catalog's word pairs in
        the spelling of the three words (folded, or as written with their marks).
        """
        typed = pairs is self.bigrams
        if (token in _FILLER_FORMS if typed else token in _NEVER_MISHEARD) or not (before or after):
            return token
        known = self.accented if typed else self.known
        # A pair seen once or twice ("già hàng" in one long name) does not stop "gia hạng" from
        # being "gia hạn", which a dozen names use; a common pair does ("hàng hóa").
        seen = self._pair_count(before, token, after, pairs)
        if seen > _RARE_PAIR:
            return token
        for variant in _sound_alikes(token):
            if variant not in known or not self._fits_firmly(before, variant, after, pairs):
                continue
            firm = self._firm_count(before, variant, after, pairs)
            # Written with its marks, a catalog word is only read as another when that one's
            # pair is more than rare: "ra chợ mua" is no "trợ mua" (two names' "hỗ trợ mua").
            if (not seen and (not typed or firm > _RARE_PAIR)) or firm >= max(
                _CLEARLY_MORE * seen, _COMMON_PAIR
            ):
                return variant
        return token

    @staticmethod
    def _pair_count(before: str, token: str, after: str, pairs: Counter[tuple[str, str]]) -> int:
        return pairs.get((before, token), 0) + pairs.get((token, after), 0)

    @staticmethod
    def _firm_count(before: str, token: str, after: str, pairs: Counter[tuple[str, str]]) -> int:
        """How often ``token`` pairs with a neighbour that is not a filler."""
        count = 0
        if fold(before) not in FILLERS:
            count += pairs.get((before, token), 0)
        if fold(after) not in FILLERS:
            count += pairs.get((token, after), 0)
        return count

    @staticmethod
    def _fits_firmly(before: str, token: str, after: str, pairs: Counter[tuple[str, str]]) -> bool:
        """A pair the catalog uses, with a neighbour that is not a filler."""
        return (fold(before) not in FILLERS and (before, token) in pairs) or (
            fold(after) not in FILLERS and (token, after) in pairs
        )

    @staticmethod
    def _fits(before: str, token: str, after: str, pairs: Counter[tuple[str, str]]) -> bool:
        return (before, token) in pairs or (token, after) in pairs

    def repair_all(self, tokens: list[str], typed: list[str] | None = None) -> list[str]:
        """``tokens`` repaired; ``typed``: the same words as written, when they carry marks."""
        padded = ["", *tokens, ""]
        written = ["", *typed, ""] if typed is not None else None
        return [
            self.repair(
                tok,
                padded[i],
                padded[i + 2],
                None if written is None else (written[i], written[i + 1], written[i + 2]),
            )
            for i, tok in enumerate(tokens)
        ]

    def in_context(self, accented: list[str], index: int) -> bool:
        """Whether ``accented[index]`` forms a pair the catalog uses with a neighbour."""
        word = accented[index]
        before = accented[index - 1] if index > 0 else ""
        after = accented[index + 1] if index + 1 < len(accented) else ""
        return self.bigrams.get((before, word), 0) > 0 or self.bigrams.get((word, after), 0) > 0

    def restore(self, folded_tokens: list[str]) -> list[str]:
        """Most likely accented spelling of a folded token sequence (unknown tokens kept)."""
        if not folded_tokens:
            return []
        candidates = [self._top(t) for t in folded_tokens]
        # Viterbi over accented candidates: emission = log unigram count, transition rewards
        # pairs seen in the corpus.
        scores: list[dict[str, float]] = []
        back: list[dict[str, str]] = []
        for i, cands in enumerate(candidates):
            layer: dict[str, float] = {}
            pointers: dict[str, str] = {}
            for cand, count in cands:
                emit = math.log(count + 1)
                if i == 0:
                    layer[cand] = emit
                    continue
                best_prev, best = "", -math.inf
                for prev, prev_score in scores[-1].items():
                    s = prev_score + self._transitions.get((prev, cand), _UNSEEN_PAIR)
                    if s > best:
                        best_prev, best = prev, s
                layer[cand] = best + emit
                pointers[cand] = best_prev
            scores.append(layer)
            back.append(pointers)
        final = scores[-1]
        last = max(final, key=final.__getitem__)
        out = [last]
        for i in range(len(candidates) - 1, 0, -1):
            last = back[i][last]
            out.append(last)
        return out[::-1]

    def _top(self, token: str, limit: int = 6) -> list[tuple[str, int]]:
        # The counts never change after the build: each catalog syllable's ranking is made
        # once (sorting a Counter per syllable per query was a fifth of ``restore``). Unknown
        # tokens are not kept, so what citizens type cannot grow the table.
        key = (token, limit)
        top = self._tops.get(key)
        if top is None:
            forms = self.unigrams.get(token)
            if not forms:
                return [(token, 0)]
            top = self._tops[key] = forms.most_common(limit)
        return top


# Vietnamese number words, as citizens type and recognizers write them ("mười tám tuổi", "tám
# mươi hai", "hai lăm tuổi"). "năm" is also a year and "ba" a father, so a run of them becomes
# digits only when it has a ten-word ("mười", "mươi") or an age ("tuổi") right after it.
_UNITS = {
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
# Units that only follow a ten ("hai mốt", "ba lăm", "bốn tư"): never a number's first word.
_TRAILING_ONLY = frozenset(["mốt", "lăm", "nhăm", "tư"])
_AGE_WORD = "tuổi"


def _read_number(ws: list[str], i: int) -> tuple[int, int] | None:
    """(value, words used) for a number of 1–99 spelled in words from ``ws[i]``, or None."""
    first = ws[i]
    nxt = ws[i + 1] if i + 1 < len(ws) else ""
    after = ws[i + 2] if i + 2 < len(ws) else ""
    if first == "mười":
        # "mười năm" is ten years unless an age follows ("mười năm tuổi").
        if nxt in _UNITS and nxt not in {"mốt", "tư"} and (nxt != "năm" or _age_follows(ws, i + 2)):
            return 10 + _UNITS[nxt], 2
        return 10, 1
    if first not in _UNITS or first in _TRAILING_ONLY:
        return None
    tens = _UNITS[first]
    if nxt == "mươi":
        if after in _UNITS and (after != "năm" or _age_follows(ws, i + 3)):
            return tens * 10 + _UNITS[after], 3
        return tens * 10, 2
    # Spoken shorthand for an age: "hai lăm tuổi" (25), "ba mốt tuổi" (31).
    if nxt in _UNITS and tens > 1 and _age_follows(ws, i + 2):
        return tens * 10 + _UNITS[nxt], 2
    if _age_follows(ws, i + 1):
        return tens, 1
    return None


def _age_follows(ws: list[str], i: int) -> bool:
    return i < len(ws) and ws[i] == _AGE_WORD


# Number words typed without diacritics, read as their accented forms ("muoi" is mười after
# nothing and mươi after a unit). Only used when the whole request has no diacritics.
_PLAIN_UNITS = {
    "mot": "một",
    "hai": "hai",
    "ba": "ba",
    "bon": "bốn",
    "nam": "năm",
    "lam": "lăm",
    "sau": "sáu",
    "bay": "bảy",
    "tam": "tám",
    "chin": "chín",
    "tuoi": _AGE_WORD,
}


def _plain_reading(ws: list[str]) -> list[str]:
    out: list[str] = []
    for i, word in enumerate(ws):
        if word == "muoi":
            after_unit = i > 0 and ws[i - 1] in _PLAIN_UNITS and ws[i - 1] != "tuoi"
            nxt = ws[i + 1] if i + 1 < len(ws) else ""
            # "muối" (salt) stays a word unless a unit or an age follows it.
            if after_unit:
                out.append("mươi")
            elif nxt in _PLAIN_UNITS:
                out.append("mười")
            else:
                out.append(word)
        else:
            out.append(_PLAIN_UNITS.get(word, word))
    return out


def numerals(ws: list[str], *, plain: bool = False) -> list[str]:
    """Number words (lowercase) written as digits: "đủ mười tám tuổi" → "đủ 18 tuổi".

    The catalog and the variant markers write ages and counts in digits ("dưới 14 tuổi",
    "đủ 18 tuổi"); a request spoken to the kiosk or typed as said spells them out. ``plain``:
    the request has no diacritics, so "du muoi tam tuoi" is read as well.
    """
    reading = _plain_reading(ws) if plain else ws
    out: list[str] = []
    i = 0
    while i < len(ws):
        read = _read_number(reading, i)
        if read is None:
            out.append(ws[i])
            i += 1
        else:
            value, used = read
            out.append(str(value))
            i += used
    return out
