"""The one assistant pipeline behind the web chat, the kiosk, the JSON API and the CLI.

guard (personal data out) → routing (injection, dossier status, other bodies, which procedure,
what is asked, follow-up from memory) → retrieval (catalog facts) → composed answer → optional
rephrasing by a language model, checked by the guardrail (``llm.py``).

Logs carry the procedure code, the answer kind and the latency only: never the question.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from vn_text import fold

from motcua.assistant import compose, intents
from motcua.assistant.compose import Answer
from motcua.assistant.facts import center_phone, procedure_facts
from motcua.assistant.guard import redact
from motcua.assistant.intents import Topic
from motcua.search.engine import STOPWORDS, Engine, QueryError, features
from motcua.search.normalize import folded_words, spelled_alike
from motcua.search.normalize import words as text_words

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
# A pair of syllables shared with the best procedure and rarer than this (BM25 idf, about one
# procedure in seven) is evidence the question is about that procedure.
PAIR_EVIDENCE_IDF = 1.9
# A lone syllable must be rarer (about one procedure in twenty) to count on its own.
WORD_EVIDENCE_IDF = 2.9
# Below this fused score the finder's best guess is not worth an answer.
MIN_SCORE = 0.55
# Two procedures closer than this, with different facts for what is asked: ask which one.
# Candidates within this much of the first are offered with it (see ``Routed.close``).
OFFER_MARGIN = 0.15
CLARIFY_MARGIN = 0.03
# A procedure named more precisely than the finder's first (its name is the first's and more,
# every word of it in the question) is taken when it scores within this of the first.
SPECIFIC_MARGIN = 0.15
# The same for a procedure whose opening words (what it does) the question says, when it says
# none of the first's.
ACTION_MARGIN = 0.12
# The same for a procedure whose opening phrase (its name up to the first comma, semicolon or
# word that narrows it) the question says word for word, when it says less of the first's.
VERBATIM_MARGIN = 0.2
# An opening phrase this short ("Cấp", "Đăng ký") is no name.
VERBATIM_SYLLABLES = 3
# Two sibling procedures (their names share words) this close, the question saying a word
# only the second's name has and none only the first's has: the second is taken.
SIBLING_MARGIN = 0.08
# A question with no topic cue must name a procedure clearly to be answered.
NAME_ONLY_SCORE = 0.85
NAME_ONLY_EVIDENCE = 1.5
# A question that names a matter in a word pair the catalog never uses ("rượu bia", "gạo cứu
# đói"), neither word of which the chosen procedure knows, is about something the catalog does
# not hold, unless the finder names the procedure clearly all the same: evidence (the scale
# above) or fused score at least these. Calibrated on tests/data/assistant.coverage.jsonl and
# the two development sets (docs/benchmarks.md, 7 December 2026): the in-catalog questions
# answered right that have such a pair ("tưới vườn rau" for a well, "xóm núi" for a mobile
# marriage registration) all clear one of them; the margin on the score is thin (0.89 / 0.98).
COVERED_EVIDENCE = 2.0
COVERED_SCORE = 0.95
# A word counts towards such a pair when at most about one procedure in twelve uses it.
FOREIGN_WORD_IDF = 2.5
# Words that say who asks or how many, never which matter: numerals, kin and persons, a few
# adverbs. Everyday words the formal catalog never uses, so they must not count as a matter.
_NUMERALS = ("mot", "hai", "ba", "bon", "tu", "nam", "sau", "bay", "tam", "chin", "muoi")
_PERSONS = ("ong", "anh", "chi", "em", "chau", "bac", "chu", "co", "di", "cau", "thang", "be")
_PERSONAL_WORDS = frozenset(
    (*_NUMERALS, "tram", "nghin", *_PERSONS, "no", "ut", "gai", "trai")
    + ("vua", "tron", "nhau", "dua", "hon", "lon", "gan", "nua")
    # Words that say how things are in the story ("đường xấu", "tuổi cao", "ghi trật tên"),
    # never which matter is asked: a pair with one of them is not a matter the catalog lacks.
    + ("xau", "tot", "cao", "thap", "trat", "yeu", "kem", "hu", "nat", "cu")
)


class QuestionError(ValueError):
    """A question that cannot be answered as sent; ``message`` is Vietnamese, safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_question(raw: object) -> str:
    if not isinstance(raw, str):
        raise QuestionError(_("Câu hỏi phải là một chuỗi ký tự."))
    if "\x00" in raw:
        raise QuestionError(_("Câu hỏi có ký tự không hợp lệ (NUL). Xin nhập lại."))
    if len(raw) > MAX_QUESTION_CHARS:
        raise QuestionError(
            _("Câu hỏi quá dài: tối đa %(max)d ký tự. Xin hỏi ngắn gọn hơn.")
            % {"max": MAX_QUESTION_CHARS}
        )
    # NFKC, not only NFC: full-width letters from East Asian phone keyboards ("ｋｈａｉ ｓｉｎｈ")
    # become plain ones; Vietnamese letters come out composed either way.
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError(_("Xin nhập câu hỏi về thủ tục bạn cần làm."))
    return text


@dataclass
class Memory:
    """What a session remembers between two questions: codes and topics only, never text."""

    code: str | None = None
    topics: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    at: float = 0.0

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "topics": self.topics,
            "candidates": self.candidates,
            "at": self.at,
        }

    @classmethod
    def from_dict(cls, data: object, *, now: float) -> Memory:
        idle = getattr(settings, "MOTCUA_ASSISTANT_IDLE_SECONDS", 300)
        if not isinstance(data, dict) or now - float(data.get("at") or 0) > idle:
            return cls()
        code = data.get("code")
        return cls(
            code=code if isinstance(code, str) else None,
            topics=[t for t in data.get("topics", []) if t in Topic.__members__.values()],
            candidates=[c for c in data.get("candidates", []) if isinstance(c, str)][:3],
            at=float(data.get("at") or 0),
        )


_features_lock = threading.Lock()
_doc_features: weakref.WeakKeyDictionary[Engine, list[frozenset[str]]] = weakref.WeakKeyDictionary()


def _doc_texts(engine: Engine, doc) -> list[str]:
    """What names a procedure: its name, its result and the lexicon's phrases for it."""
    from motcua.search.engine import display_name

    return [display_name(doc.name), doc.result, *engine.lexicon.phrases.get(doc.code, [])]


def _features_of(engine: Engine) -> list[frozenset[str]]:
    with _features_lock:
        cached = _doc_features.get(engine)
        if cached is None:
            cached = []
            for doc in engine.docs:
                toks: set[str] = set()
                for text in _doc_texts(engine, doc):
                    toks.update(features(folded_words(text)))
                cached.append(frozenset(toks))
            _doc_features[engine] = cached
        return cached


_doc_spellings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _spellings_of(engine: Engine) -> list[dict[str, set[tuple[str, ...]]]]:
    """Per procedure, each folded feature of ``_features_of`` with the spellings its texts give
    it (lowercase, with their marks)."""
    with _features_lock:
        cached = _doc_spellings.get(engine)
        if cached is None:
            cached = []
            for doc in engine.docs:
                found: dict[str, set[tuple[str, ...]]] = {}
                for text in _doc_texts(engine, doc):
                    said, keys = text_words(text), folded_words(text)
                    for i, word in enumerate(said):
                        found.setdefault(keys[i], set()).add((word,))
                        if i + 1 < len(said):
                            pair = f"{keys[i]}_{keys[i + 1]}"
                            found.setdefault(pair, set()).add((word, said[i + 1]))
                cached.append(found)
            _doc_spellings[engine] = cached
        return cached


_TOPIC_WORDS = frozenset(
    w for cues in intents._TOPIC_CUES.values() for cue in cues for w in cue.split()
)


def _evidence(engine: Engine, parsed, doc_index: int) -> tuple[float, float]:
    """How specifically the question names the procedure: (pairs, single words) it shares
    with it, each as the best idf over its threshold (1.0 = just enough)."""
    doc = _features_of(engine)[doc_index]
    tokens = list(parsed.folded)
    for _term, expand in parsed.expansions:
        tokens += ["|", *folded_words(expand)]
    typed = parsed.typed
    spellings = _spellings_of(engine)[doc_index] if typed else {}

    def as_typed(start: int, feature: str) -> bool:
        # Folded, "có đi" is "có di [sản]" and "chị" is "chi [trả]": a question typed with
        # diacritics names a procedure only by words spelled as its own are.
        if start + feature.count("_") >= len(typed) or feature not in spellings:
            return True  # a synonym's official words, or no spelling known
        said = typed[start : start + feature.count("_") + 1]
        if "_".join(fold(w) for w in said) != feature:
            return True  # a repaired word ("kết hôm"): its spelling says nothing
        return any(
            all(spelled_alike(t, w) for t, w in zip(said, spelled, strict=True))
            for spelled in spellings[feature]
        )

    pairs = words = 0.0
    for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False)):
        if "|" in (a, b) or (a in STOPWORDS and b in STOPWORDS):
            continue
        if a in _TOPIC_WORDS and b in _TOPIC_WORDS:
            continue
        pair = f"{a}_{b}"
        if pair in doc and (not typed or as_typed(i, pair)):
            pairs = max(pairs, engine.idf.get(pair, 0.0) / PAIR_EVIDENCE_IDF)
    for i, tok in enumerate(tokens):
        if tok in STOPWORDS or tok in _TOPIC_WORDS or tok == "|":
            continue
        if tok in doc and (not typed or as_typed(i, tok)):
            words = max(words, engine.idf.get(tok, 0.0) / WORD_EVIDENCE_IDF)
    return pairs, words


def _asked_words(parsed) -> set[str]:
    asked = set(parsed.folded)
    for _term, expand in parsed.expansions:
        asked.update(folded_words(expand))
    return asked


def _name_words(engine: Engine, doc_index: int) -> set[str]:
    from motcua.search.engine import display_name

    name = folded_words(display_name(engine.docs[doc_index].name))
    return {w for w in name if w not in STOPWORDS}


def _unexplained(engine: Engine, parsed, doc_index: int) -> int:
    """Words of the procedure's name the question does not contain: "đăng ký lại kết hôn" has
    one ("lại") for "đăng ký kết hôn", so that question names the plain procedure better."""
    return len(_name_words(engine, doc_index) - _asked_words(parsed))


# A procedure's name opens with what is done ("Đăng ký thường trú", "Xác nhận về …", "Cấp
# giấy phép hoạt động của …"); what follows these words only narrows it.
_HEAD_END = frozenset({"đối", "của", "để", "về", "cho", "tại", "trong", "theo", "khi", "từ"})


def _head_words(engine: Engine, doc_index: int) -> list[str]:
    """The opening words of a procedure's name, lower case with their tone marks."""
    from motcua.search.engine import display_name

    name = display_name(engine.docs[doc_index].name)
    head = re.split(r"[;(]", name, maxsplit=1)[0]
    words: list[str] = []
    for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", head.lower())):
        if word in _HEAD_END and words:
            break
        if fold(word) not in STOPWORDS:
            words.append(word)
    return words


def _names_the_action(engine: Engine, text: str, top: int, other: int) -> bool:
    """Whether the question says what ``other`` does and nothing of what ``top`` does: "đăng
    ký thường trú vào nhà thuê" is the registration, not "Xác nhận về điều kiện diện tích …
    để đăng ký thường trú vào chỗ ở do thuê", whose words it shares further on. A syllable
    typed with tone marks must match with them ("đóng" a boat is not "hoạt động")."""
    typed = set(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()))
    plain = {w for w in typed if fold(w) == w}

    def said(word: str) -> bool:
        return word in typed or fold(word) in plain

    top_head, other_head = _head_words(engine, top), _head_words(engine, other)
    return (
        bool(top_head)
        and bool(other_head)
        and all(said(w) for w in other_head)
        and not any(said(w) for w in top_head)
    )


def _opening_words(engine: Engine, doc_index: int, breaks: str) -> list[str]:
    """A procedure's name up to the first of the characters ``breaks`` or a word that narrows
    it (``_HEAD_END``); lower case, with tone marks, stopwords kept (they are said too)."""
    from motcua.search.engine import display_name

    name = display_name(engine.docs[doc_index].name)
    first = re.split(f"[{breaks}]", name, maxsplit=1)[0]
    words: list[str] = []
    for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", first.lower())):
        if word in _HEAD_END and words:
            break
        words.append(word)
    return words


def _opening_phrase(engine: Engine, doc_index: int) -> list[str]:
    """Up to the first comma too: "Chứng thực việc sửa đổi" of "Chứng thực việc sửa đổi, bổ
    sung, hủy bỏ giao dịch"."""
    return _opening_words(engine, doc_index, ";(,")


def _same_syllable(typed: str, word: str) -> bool:
    """Tone-aware: a syllable typed without marks matches every spelling; "đóng" is no
    "động"."""
    return typed == word or (fold(typed) == typed and typed == fold(word))


def _longest_run(typed: list[str], words: list[str]) -> int:
    """The most consecutive words of ``words`` the question says in a row (tone-aware)."""
    same = _same_syllable
    best = 0
    for i in range(len(typed)):
        for j in range(len(words)):
            k = 0
            while i + k < len(typed) and j + k < len(words) and same(typed[i + k], words[j + k]):
                k += 1
            best = max(best, k)
    return best


def _says_name_whole(engine: Engine, text: str, top: int, other: int) -> bool:
    """Whether the question says ``other``'s opening phrase word for word ("đăng ký kết hôn
    lưu động", "đăng ký thường trú"), outside a purpose clause ("… để đăng ký kết hôn" asks
    the paper, not the registration), and says fewer of ``top``'s opening words in a row: a
    story's words ("cho người khuyết tật", "vào nhà thuê") then drew the finder to ``top``.
    "đăng ký kết hôn với người nước ngoài" says as much of "Đăng ký kết hôn có yếu tố nước
    ngoài" as of "Đăng ký kết hôn", and keeps the first. Nor when the question says
    ``top``'s action (its first two words) elsewhere: "xác nhận là con tôi đã được đăng ký
    khai sinh" asks the confirmation ("Xác nhận thông tin hộ tịch")."""
    phrase = _opening_phrase(engine, other)
    if len(phrase) < VERBATIM_SYLLABLES:
        return False
    head = text
    if (purpose := intents.purpose_start(text)) is not None:
        head = text[:purpose]
    typed = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", head).lower())
    if _longest_run(typed, phrase) < len(phrase):
        return False
    top_words = _head_words_all(engine, top)
    if _longest_run(typed, top_words) >= len(phrase):
        return False
    # The words outside every saying of the phrase, a gap where it was said.
    rest: list[str] = list(typed)
    for i in range(len(typed) - len(phrase) + 1):
        if all(_same_syllable(t, w) for t, w in zip(typed[i:], phrase, strict=False)):
            rest[i : i + len(phrase)] = [""] * len(phrase)
    action = top_words[:2]
    return _longest_run(rest, action) < len(action)


def _head_words_all(engine: Engine, doc_index: int) -> list[str]:
    """Up to a semicolon or a bracket: "Cấp Giấy xác nhận tình trạng hôn nhân"."""
    return _opening_words(engine, doc_index, ";(")


def _name_syllables(engine: Engine, doc_index: int) -> set[str]:
    from motcua.search.engine import display_name

    name = unicodedata.normalize("NFC", display_name(engine.docs[doc_index].name).lower())
    return {w for w in re.findall(r"[^\W_]+", name) if fold(w) not in STOPWORDS}


def _siblings_apart(engine: Engine, text: str, top: int, other: int) -> bool:
    """Whether ``top`` and ``other`` are siblings (two or more words of their names shared:
    "Công bố hoạt động bến thủy nội địa", "Công bố đóng cảng, bến thủy nội địa") and the
    question says a word only ``other``'s name has ("đóng") and none only ``top``'s has
    ("hoạt động"): the words they share drew the finder, the word apart names the procedure.
    The question must say what they share in a word pair rarer than ``PAIR_EVIDENCE_IDF``
    ("bến thủy", "hộ kinh"): "đăng ký" alone makes no siblings. Tone-aware as in
    ``_names_the_action``."""
    from motcua.search.engine import display_name

    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())
    typed = set(words)
    plain = {w for w in typed if fold(w) == w}

    def said(word: str) -> bool:
        return word in typed or fold(word) in plain

    top_words, other_words = _name_syllables(engine, top), _name_syllables(engine, other)
    shared = top_words & other_words
    name = re.findall(
        r"[^\W_]+",
        unicodedata.normalize("NFC", display_name(engine.docs[other].name).lower()),
    )
    said_pairs = {(fold(a), fold(b)) for a, b in zip(words, words[1:], strict=False)}
    if not any(
        a in shared
        and b in shared
        and (fold(a), fold(b)) in said_pairs
        and engine.idf.get(f"{fold(a)}_{fold(b)}", 0.0) >= PAIR_EVIDENCE_IDF
        for a, b in zip(name, name[1:], strict=False)
    ):
        return False
    top_only, other_only = top_words - other_words, other_words - top_words
    return (
        bool(top_only) and any(said(w) for w in other_only) and not any(said(w) for w in top_only)
    )


def _more_specific(engine: Engine, parsed, top: int, other: int) -> bool:
    """Whether ``other`` is named more precisely than ``top``: the question says every word of
    both names, and ``other``'s name is ``top``'s and more ("đăng ký kết hôn lưu động" over
    "đăng ký kết hôn" when the question says "lưu động"). The finder may rank the shorter name
    first (it matches with fewer words); the citizen named the longer one."""
    asked = _asked_words(parsed)
    top_name, other_name = _name_words(engine, top), _name_words(engine, other)
    return bool(top_name) and top_name <= asked and other_name <= asked and top_name < other_name


def _uncovered_pairs(engine: Engine, parsed, doc_index: int) -> list[str]:
    """Adjacent word pairs of the question that name something the catalog does not hold: the
    pair appears in no procedure, and neither word is known to the chosen one (its name, result
    and lexicon phrases, or a lexicon expansion of the question) nor common in the catalog."""
    doc = _features_of(engine)[doc_index]
    explained: set[str] = set()
    for term, expand in parsed.expansions:
        explained.update(folded_words(term))
        explained.update(folded_words(expand))

    def foreign(tok: str) -> bool:
        return (
            tok not in STOPWORDS
            and tok not in _TOPIC_WORDS
            and tok not in _PERSONAL_WORDS
            and not tok.isdigit()
            and tok not in doc
            and tok not in explained
            and engine.idf.get(tok, FOREIGN_WORD_IDF) >= FOREIGN_WORD_IDF
        )

    found = []
    for segment in parsed.segments or (tuple(parsed.folded),):
        for a, b in zip(segment, segment[1:], strict=False):
            if foreign(a) and foreign(b) and f"{a}_{b}" not in engine.idf:
                found.append(f"{a} {b}")
    return found


def _request_names(engine: Engine, request: str, code: str) -> bool:
    """Whether ``request`` (padded folded words) says an adjacent word pair of the procedure
    ``code`` (its name, result or lexicon phrases) that is not two stopwords or topic cues."""
    if not isinstance(engine, Engine):
        return True
    index = next((i for i, doc in enumerate(engine.docs) if doc.code == code), None)
    if index is None:
        return False
    doc = _features_of(engine)[index]
    tokens = request.split()
    for a, b in zip(tokens, tokens[1:], strict=False):
        if (a in STOPWORDS and b in STOPWORDS) or (a in _TOPIC_WORDS and b in _TOPIC_WORDS):
            continue
        if f"{a}_{b}" in doc:
            return True
    return False


def _runs_said(tokens: list[str], words: list[str], size: int = 3) -> set[str]:
    """The word pairs inside runs of at least ``size`` consecutive words that the question
    and a procedure name share: a phrase of the name said whole ("đang khai thác", "thành
    lập tổ hợp tác"), not two words that a story happens to use ("vỉa hè", "khai sinh")."""
    pairs: set[str] = set()
    text = " " + " ".join(tokens) + " "
    for start in range(len(words) - size + 1):
        if f" {' '.join(words[start : start + size])} " in text:
            run = words[start : start + size]
            pairs.update(f"{a}_{b}" for a, b in zip(run, run[1:], strict=False))
    return pairs


def _only_one_named(engine: Engine, parsed, indexes: list[int]) -> int | None:
    """Among sibling procedures named about equally well, the one whose name alone has a word
    pair the question says within a phrase of the name ("phương tiện **đang khai** thác" against "… chưa khai thác";
    "thành **lập tổ** hợp tác" against "thành lập/thay đổi tổ hợp tác"), when exactly one has
    such a pair: the question has then said which one it is, and asking back is of no use."""
    from motcua.search.engine import display_name

    tokens = list(parsed.folded)
    names = []
    said_runs = []
    for index in indexes:
        words = folded_words(display_name(engine.docs[index].name))
        names.append({f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)})
        said_runs.append(_runs_said(tokens, words))
    said = set().union(*said_runs)
    named = []
    for k, index in enumerate(indexes):
        others = set().union(*(n for j, n in enumerate(names) if j != k))
        if (names[k] - others) & said:
            named.append(index)
    return named[0] if len(named) == 1 else None


def _one_said_apart(engine: Engine, question: str, codes: list[str]) -> str | None:
    """Among procedures the finder cannot tell apart, the one whose name alone has a word
    pair the question says ("chủ tịch xã **giải quyết**" for "Giải quyết tranh chấp đất đai
    thuộc thẩm quyền của Chủ tịch …" against "Hòa giải tranh chấp đất đai"; "xin **bản sao**
    chứng thực hợp đồng" for "Cấp bản sao có chứng thực từ bản chính giao dịch …"), when
    exactly one has such a pair and the others none: the question has said which it is."""
    if not isinstance(engine, Engine):
        return None
    from motcua.search.engine import display_name

    words = folded_words(question)
    said = set(zip(words, words[1:], strict=False))
    pairs = {}
    for code in codes:
        name = folded_words(display_name(_procedure_name(engine, code)))
        pairs[code] = {
            (a, b)
            for a, b in zip(name, name[1:], strict=False)
            if not (a in STOPWORDS and b in STOPWORDS)
        }
    named = [
        code
        for code in codes
        if (pairs[code] - set().union(*(pairs[c] for c in codes if c != code))) & said
    ]
    return named[0] if len(named) == 1 else None


def _procedure_name(engine: Engine, code: str) -> str:
    if not isinstance(engine, Engine):
        return ""
    return next((doc.name for doc in engine.docs if doc.code == code), "")


def _procedure_says(engine: Engine, routed: Routed, term: str) -> bool:
    """Whether the procedure the finder ranks first has every word pair of ``term`` (or the
    word, for a one-word term) in its name or result. Not its lexicon phrases: they tie a
    citizen's words to the nearest commune procedure ("khai thác cát" to the settlement of a
    mining licence's fee), which is not the authorisation asked for."""
    if not isinstance(engine, Engine):
        return True
    first = routed.code or next(iter(c for c, _n in routed.nearest or routed.candidates), None)
    index = next((i for i, doc in enumerate(engine.docs) if doc.code == first), None)
    if index is None:
        return False
    from motcua.search.engine import display_name

    found = engine.docs[index]
    doc = set(features(folded_words(display_name(found.name))))
    doc.update(features(folded_words(found.result)))
    words = term.split()
    if len(words) == 1:
        return words[0] in doc
    return all(f"{a}_{b}" in doc for a, b in zip(words, words[1:], strict=False))


def _named_body(text: str) -> intents.OtherBody | None:
    """The body a sector word of the question names (one that says what is asked), said
    anywhere: used only once the question is refused or found outside the catalog, so that
    the citizen is told where to go rather than only that the commune has nothing."""
    found = intents.vocabulary_body(text)
    return None if found is None or found[2] else found[0]


# Asked up to four times while one question is answered (each branch that would answer or
# refuse checks it); a pure function of the text and the bundled tables.
@functools.lru_cache(maxsize=64)
def _remit_body(text: str) -> tuple[intents.OtherBody, str, bool] | None:
    """The body whose remit a word said in what the question's request asks for names
    (``intents.in_request_object``), whatever else the question asks."""
    found = intents.vocabulary_match(text)
    if found is None or found[2] or not intents.in_request_object(text, found[3]):
        return None
    return found[0], found[1], found[2]


def _term_pairs(term: str) -> list[str]:
    words = term.split()
    if len(words) == 1:
        return words
    return [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def _outside_procedure(engine: Engine, routed: Routed, term: str) -> bool:
    """Whether ``term`` (folded words of another body's remit) names a matter outside the
    procedure ``code``: the procedure knows none of its word pairs (name, result, lexicon
    phrases) and at least one of them is rare in the whole catalog (about one procedure in
    twelve uses it, or none does). A remit word the catalog uses often ("bảo hiểm xã hội",
    "hợp tác xã") is also the commune's, and says nothing on its own."""
    if not isinstance(engine, Engine):
        return False
    pairs = _term_pairs(term)
    # The finder's first, named clearly or not: a procedure it only ranks first may still be
    # the one whose words the citizen used.
    first = routed.code or next(iter(c for c, _n in routed.nearest or routed.candidates), None)
    index = next((i for i, doc in enumerate(engine.docs) if doc.code == first), None)
    known = _features_of(engine)[index] if index is not None else frozenset()
    return any(
        pair not in known and engine.idf.get(pair, FOREIGN_WORD_IDF) >= FOREIGN_WORD_IDF
        for pair in pairs
    )


def _within(terms: tuple[str, ...], padded: str, word: str) -> bool:
    """Whether a term of ``terms`` said in the question is part of the longer ``word``: "tiêm
    chủng" of a commune's vaccination day within "chứng nhận tiêm chủng quốc tế"."""
    inner = f" {word} "
    return any(
        f" {term} " in padded and f" {term} " in inner and len(term.split()) < len(word.split())
        for term in terms
    )


def _sector_body(
    text: str, padded: str, topics: list[Topic]
) -> tuple[intents.OtherBody, str, bool] | None:
    """The body a question's sector words point to (``intents.vocabulary_body``), when the
    question asks whether the commune handles it or where to go: the other-bodies table names
    matters one by one and cannot list every matter a citizen brings, but the sector of a
    matter it has never seen is usually plain from its words ("thẻ nhà báo", "vàng miếng")."""
    if not (intents.asks_commune_whether(padded) or Topic.WHERE in topics):
        return None
    return intents.vocabulary_body(text)


@dataclass
class Routed:
    code: str | None
    candidates: list[tuple[str, str]]
    evidence: float
    score: float
    pair_evidence: float = 0.0
    # The finder's first three, kept to offer as links when the catalog does not hold the matter.
    nearest: list[tuple[str, str]] = field(default_factory=list)
    # Word pairs of the question that the catalog does not hold (``_uncovered_pairs``).
    uncovered: list[str] = field(default_factory=list)
    # The first and those scored near it: what a request that asks nothing in particular is
    # offered to choose from (a far third, "khai tử" for a story about an old mother, is not).
    close: list[tuple[str, str]] = field(default_factory=list)
    # The finder's lexical ranking alone decided (it skipped the embedding): the question names
    # the procedure too clearly for the other-body check (``_other_body``) to overrule.
    decisive: bool = False


def _route(engine: Engine, text: str) -> Routed:
    if not isinstance(engine, Engine):
        return _route_by_hits(engine, text)
    try:
        parsed = engine.parse(text)
    except QueryError:
        return Routed(None, [], 0.0, 0.0)
    import numpy as np

    fused, dense_sims = engine.score(parsed)
    decisive = dense_sims is None
    order = np.argsort(-fused, kind="stable")[:3]
    top = int(order[0])
    pair_evidence, word_evidence = _evidence(engine, parsed, top)
    evidence = max(pair_evidence, word_evidence)
    candidates = [(engine.docs[int(i)].code, engine.docs[int(i)].name) for i in order]
    score = float(fused[top])
    code = engine.docs[top].code if evidence >= 1.0 and score >= MIN_SCORE else None
    promoted = False
    if code is not None:
        for raw in order[1:]:
            other = int(raw)
            gap = float(fused[top]) - float(fused[other])
            if (
                (gap < SPECIFIC_MARGIN and _more_specific(engine, parsed, top, other))
                or (gap < ACTION_MARGIN and _names_the_action(engine, text, top, other))
                or (gap < VERBATIM_MARGIN and _says_name_whole(engine, text, top, other))
                or (gap < SIBLING_MARGIN and _siblings_apart(engine, text, top, other))
            ):
                top, code = other, engine.docs[other].code
                order = np.array([top, *(int(i) for i in order if int(i) != top)])
                pair_evidence, word_evidence = _evidence(engine, parsed, top)
                evidence = max(pair_evidence, word_evidence)
                candidates = [(engine.docs[int(i)].code, engine.docs[int(i)].name) for i in order]
                score = float(fused[top])
                promoted = True
                break
    # A procedure promoted over the first was named better than it: nothing to ask.
    if code is not None and len(order) > 1 and not promoted:
        second = int(order[1])
        # Ask only when the question names both procedures about equally well: a story that
        # matches one name and drifts towards another by its other words gets the first.
        if (
            float(fused[top]) - float(fused[second]) < CLARIFY_MARGIN
            and _evidence(engine, parsed, second)[0] >= max(1.0, 0.8 * evidence)
            and _unexplained(engine, parsed, second) <= _unexplained(engine, parsed, top)
            and not _more_specific(engine, parsed, second, top)
        ):
            alone = _only_one_named(engine, parsed, [top, second])
            if alone is None:
                return Routed(
                    None, candidates[:3], evidence, score, pair_evidence, decisive=decisive
                )
            if alone != top:
                top, code = alone, engine.docs[alone].code
                pair_evidence, word_evidence = _evidence(engine, parsed, top)
                evidence = max(pair_evidence, word_evidence)
                score = float(fused[top])
    close = [
        (engine.docs[int(i)].code, engine.docs[int(i)].name)
        for i in order
        if int(i) == top or float(fused[top]) - float(fused[int(i)]) < OFFER_MARGIN
    ]
    return Routed(
        code,
        candidates if code is None else [],
        evidence,
        score,
        pair_evidence,
        nearest=candidates[:3],
        uncovered=_uncovered_pairs(engine, parsed, top),
        close=close,
        decisive=decisive,
    )


def _other_body(
    engine: Engine, question: str, routed: Routed, *, answering: bool = False
) -> Answer | None:
    """A redirect when the question's nearest labelled examples are another body's
    (``scope.py``): where the pipeline would refuse without naming a body, or would answer with
    a procedure the finder did not decide by its words alone (it always finds some commune
    procedure that shares a word with a question). None when the check is off or not
    decisive."""
    from motcua.assistant import scope

    # Where it would answer, the check needs the finder's query vector: when the finder's
    # lexical lead was decisive it computed none (and the question named the procedure).
    if answering and routed.decisive:
        return None
    decision = scope.decide(engine, question, routed.code)
    if decision is None or not decision.other_body(answering=answering):
        return None
    return compose.redirect(scope.other_body(decision))


def _refusal(
    text: str, engine: Engine, question: str, routed: Routed, otherwise: Callable[[], Answer]
) -> Answer:
    """Where the pipeline finds no commune procedure to answer with: the body a sector word of
    the question names, else the learned check's body, else ``otherwise()`` (out of scope, or
    not in the catalog)."""
    named = _named_body(text)
    if named is not None:
        return compose.redirect(named)
    return _other_body(engine, question, routed) or otherwise()


def _route_by_hits(finder, text: str) -> Routed:
    """Any finder with ``search`` (a stand-in in tests of other parts): its first hit counts
    as named when it scores at all; no evidence beyond that is available."""
    try:
        hits = finder.search(text, k=3)
    except QueryError:
        hits = []
    if not hits:
        return Routed(None, [], 0.0, 0.0)
    return Routed(hits[0].code, [], NAME_ONLY_EVIDENCE, max(hits[0].score, NAME_ONLY_SCORE))


def _pick_candidate(padded: str, memory: Memory) -> str | None:
    if not memory.candidates:
        return None
    words = padded.split()
    ordinals = {"1": 0, "mot": 0, "nhat": 0, "dau": 0, "2": 1, "hai": 1, "3": 2, "ba": 2}
    if 0 < len(words) <= 3:
        for word in reversed(words):
            if word in ordinals and ordinals[word] < len(memory.candidates):
                return memory.candidates[ordinals[word]]
    return None


def _facts_differ(
    codes: list[str], topics: list[Topic], *, channel: str | None, copies: bool
) -> bool:
    """Whether the candidates' answers to what is asked would state different facts (fee,
    time, documents, for the channel and copies the question names): when they would not,
    asking back which one is of no use to the citizen."""
    asked = list(topics) or [Topic.FEE, Topic.TIME]
    if set(asked) - {Topic.FEE, Topic.TIME, Topic.DOCUMENTS}:
        return True
    seen: set[tuple] = set()
    for code in codes:
        facts = procedure_facts(code)
        if facts is None:
            seen.add(("missing", code))
            continue
        stated = compose.compose(facts, asked, channel=channel, copies=copies)
        time_key = tuple(sorted(stated.time.items())) if stated.time else None
        seen.add((stated.fee_vnd, time_key, tuple(stated.documents)))
    return len(seen) > 1


def ask(
    question: object,
    *,
    memory: Memory | None = None,
    engine: Engine | None = None,
    now: float | None = None,
    rephrase: bool = True,
) -> tuple[Answer, Memory]:
    """Answer one question. Raises ``QuestionError`` for input that cannot be read."""
    now = time.time() if now is None else now
    started = time.perf_counter()
    memory = memory or Memory()
    text = clean_question(question)
    redaction = redact(text)
    padded = intents.folded_text(redaction.text)
    cues = intents.cue_text(redaction.text)
    topics = intents.topics(cues)
    answer = _answer(redaction.text, padded, cues, topics, memory, engine)
    if rephrase and answer.code and answer.kind in ("facts", "overview"):
        from motcua.assistant import llm

        answer = llm.maybe_rephrase(answer, question=redaction.text, removed=redaction.removed)
    if redaction.found:
        answer.pii_removed = True
        answer.text = _(compose.PII_NOTE) + "\n" + answer.text
    new_memory = Memory(
        code=answer.code or (memory.code if answer.kind == "follow_up_unknown" else None),
        topics=answer.topics,
        candidates=[c["code"] for c in answer.candidates],
        at=now,
    )
    log.debug(
        "assistant answer kind=%s code=%s topics=%s pii=%s ms=%.1f",
        answer.kind,
        answer.code,
        ",".join(answer.topics),
        answer.pii_removed,
        (time.perf_counter() - started) * 1000,
    )
    return answer, new_memory


def _answer(
    text: str,
    padded: str,
    cues: str,
    topics: list[Topic],
    memory: Memory,
    engine: Engine | None,
) -> Answer:
    if intents.is_injection(padded):
        return compose.injection()
    channel = intents.asked_channel(cues)
    copies = intents.asks_copies(cues)

    def answer_from(facts, asked: list[Topic]) -> Answer:
        return compose.compose(facts, asked, channel=channel, copies=copies)

    picked = _pick_candidate(padded, memory)
    if picked:
        facts = procedure_facts(picked)
        if facts:
            return answer_from(facts, topics or [Topic(t) for t in memory.topics])
    if intents.asks_status(padded) and not topics:
        return compose.status()
    body = intents.other_body(padded, text)
    if body is not None:
        # A table row found by a short term ("điện lực" for a household's supply) gives way
        # to a longer sector word of another body ("hoạt động điện lực", a licence) when the
        # question asks whether the commune handles it: the longer words say the matter.
        sector_word = _sector_body(text, padded, topics) or _remit_body(text)
        if (
            sector_word is not None
            and not sector_word[2]
            and sector_word[0].body != body.body
            and len(sector_word[1].split()) > intents.said_term_size(body, padded)
        ):
            return compose.redirect(sector_word[0])
        return compose.redirect(body, country=intents.named_country(padded))
    # "hồ sơ của tôi bao lâu nữa xong" is about a dossier; "hồ sơ gồm gì", "lệ phí" are not.
    about_procedure = {Topic.FEE, Topic.DOCUMENTS, Topic.STEPS, Topic.CONDITIONS, Topic.ONLINE}
    if intents.asks_status(padded) and not about_procedure & set(topics):
        return compose.status()
    if intents.asks_local_fact(padded) and not intents.is_off_topic(padded):
        # "thành lập công đoàn cơ sở thì liên hệ ai" asks who handles another body's matter,
        # not who at the commune is in charge.
        remit = _remit_body(text)
        if remit is not None:
            return compose.redirect(remit[0])
        return compose.not_in_catalog([], phone=center_phone(), local_fact=True)
    # A matter the catalog holds no procedure for (data/not_in_catalog.json). Said outright it
    # is answered so whatever the finder ranks first: the lexicon knows some of its words
    # ("học phí", "karaoke") from other procedures, whose facts would answer another question.
    uncatalogued = intents.uncatalogued_matter(padded)

    core = intents.core_query(cues)
    if engine is None:
        from motcua.search.finder import get_finder

        engine = get_finder()
    finder_question = intents.finder_text(intents.without_negated_clauses(text))
    routed = _route(engine, finder_question) if core else Routed(None, [], 0.0, 0.0)
    # The finder reads the question without its punctuation: a pair across a clause break
    # ("sau mùa gặt, nghe đồn") was never said together and names no matter.
    if routed.uncovered:
        breaks = intents.break_pairs(text)
        routed.uncovered = [pair for pair in routed.uncovered if pair not in breaks]
    # An authorisation in a sector licensed by a provincial department or a ministry
    # (data/sectors.json): another body's, unless the commune procedure the finder ranks first
    # names the sector's words itself ("đăng ký khai thác nước dưới đất" is the commune's).
    sector = intents.licensing_sector(padded)
    if sector is not None and not _procedure_says(engine, routed, sector[1]):
        return compose.redirect(sector[0])
    if uncatalogued is not None and uncatalogued[1] is None:
        # The commune's uncatalogued matter shares a word with another body's remit named in
        # the request ("tiêm chủng" and "giấy chứng nhận tiêm chủng quốc tế"): the longer
        # remit word says the matter, and the citizen is told where to go.
        remit = _remit_body(text)
        if (
            remit is not None
            and _within(uncatalogued[0].terms, padded, remit[1])
            and _outside_procedure(engine, routed, remit[1])
        ):
            return compose.redirect(remit[0])
        return compose.not_in_catalog(
            routed.nearest, phone=center_phone(), what=uncatalogued[0].what
        )
    follow_up = memory.code and (
        not core or (routed.code is None and intents.looks_like_follow_up(padded))
    )
    if follow_up and topics and memory.code:
        facts = procedure_facts(memory.code)
        if facts:
            # "còn nộp online thì sao?" after a fee question asks that fee for that channel.
            if channel and set(topics) <= {Topic.ONLINE}:
                remembered = [Topic(t) for t in memory.topics if t in (Topic.FEE, Topic.TIME)]
                topics = remembered + [t for t in topics if t not in remembered]
            return answer_from(facts, topics)
    # An off-topic request ("giá vàng", "cổ phiếu") may share a rare word with some procedure;
    # only a procedure's own word pair ("khai sinh") in a question about it outweighs the cue.
    sector_body = _sector_body(text, padded, topics)
    if intents.is_off_topic(padded) and not (topics and routed.pair_evidence >= 1.5):
        # Folded, an off-topic cue may be a sector's word ("đá vôi" reads as "đá với"): a
        # question whether the commune handles a sector's matter is no chat.
        if sector_body is not None and not sector_body[2] and intents.asks_commune_whether(padded):
            return compose.redirect(sector_body[0])
        return compose.out_of_scope()
    # Without "how much / how long / what papers", only a clear name of a procedure is a
    # question about it; chatter that brushes a procedure's words is out of scope.
    weak_name = routed.score < NAME_ONLY_SCORE or routed.evidence < NAME_ONLY_EVIDENCE
    follows = memory.code and intents.looks_like_follow_up(padded) and routed.code is None
    if not topics and weak_name and not follows:
        if sector_body is not None:
            return compose.redirect(sector_body[0])
        # A request told as a story ("tôi muốn chuyển đất vườn sang đất ở để cất nhà") names
        # no procedure outright, yet says a procedure's words together: the citizen is offered
        # the finder's first candidates to choose from rather than told that the assistant only
        # answers questions about procedures (which it had wrongly said to 149 of 2,344
        # development requests, every one a commune procedure).
        offered = routed.candidates or routed.close
        if offered and routed.evidence >= COVERED_EVIDENCE:
            # Offering commune procedures for a lawyer or a court is no help: the learned
            # check, at its stricter "answering" margin, may send the story elsewhere first.
            if scoped := _other_body(engine, finder_question, routed, answering=True):
                return scoped
            return compose.clarify(offered)
        return _refusal(text, engine, finder_question, routed, compose.out_of_scope)
    if routed.code is None and routed.candidates:
        # Two commune procedures named about equally well, neither of which knows the other
        # body's remit word the request asks for: offering them would send the citizen astray.
        remit = _remit_body(text)
        if remit is not None and _outside_procedure(engine, routed, remit[1]):
            return compose.redirect(remit[0])
        codes = [c for c, _n in routed.candidates]
        if routed.evidence >= 1.0 and _facts_differ(codes, topics, channel=channel, copies=copies):
            if scoped := _other_body(engine, finder_question, routed, answering=True):
                return scoped
            alone = _one_said_apart(engine, finder_question, codes)
            if alone is None:
                answer = compose.clarify(routed.candidates)
                answer.topics = [str(t) for t in topics]
                return answer
            codes = [alone]
        if routed.evidence >= 1.0:
            routed.code = codes[0]
    if routed.code is None:
        if not core and topics:
            return compose.which_procedure(topics)
        if sector_body is not None:
            return compose.redirect(sector_body[0])
        return _refusal(text, engine, finder_question, routed, compose.out_of_scope)
    # The matter only the purpose of a request: the request is answered when the finder names
    # a procedure clearly and the request itself says a word pair of it ("xin làm hộ nghèo để
    # con được miễn học phí"); "xác nhận hoàn cảnh khó khăn để xin học bổng" names none.
    # (The request is never None here: a matter said outright was answered above.)
    if (
        uncatalogued is not None
        and (request_words := uncatalogued[1]) is not None
        and not (
            (routed.evidence >= COVERED_EVIDENCE or routed.score >= COVERED_SCORE)
            and _request_names(engine, request_words, routed.code)
        )
    ):
        return compose.not_in_catalog(
            routed.nearest, phone=center_phone(), what=uncatalogued[0].what
        )
    # A procedure limited to a respondent the question does not name ("khiếu nại … đối với
    # lực lượng Công an" for a complaint about a hospital): the sector's body when its words
    # say it, else whoever manages the respondent.
    if intents.respondent_unsaid(_procedure_name(engine, routed.code), padded):
        vocabulary = intents.vocabulary_body(text)
        if vocabulary is not None and not vocabulary[2]:
            return compose.redirect(vocabulary[0])
        return compose.redirect(intents.COMPLAINT_ELSEWHERE)
    if routed.uncovered and routed.evidence < COVERED_EVIDENCE and routed.score < COVERED_SCORE:
        if sector_body is not None:
            return compose.redirect(sector_body[0])
        return _refusal(
            text,
            engine,
            finder_question,
            routed,
            lambda: compose.not_in_catalog(routed.nearest, phone=center_phone()),
        )
    # The question asks whether the commune handles a matter of another body's sector (or
    # where to go, and the finder names no procedure clearly), and the procedure found does
    # not say the sector's words: the finder matched the story's other words, which is no
    # evidence that the commune handles the matter.
    if (
        sector_body is not None
        and not sector_body[2]
        and (intents.asks_commune_whether(padded) or routed.evidence < COVERED_EVIDENCE)
        and not _procedure_says(engine, routed, sector_body[1])
    ):
        return compose.redirect(sector_body[0])
    # The matter asked for (the object of the request: "xin giấy phép bưu chính", "cấp thẻ
    # nhà báo") is in another body's remit and the procedure found knows none of its words.
    remit = _remit_body(text)
    if remit is not None and _outside_procedure(engine, routed, remit[1]):
        return compose.redirect(remit[0])
    # "Mỗi hộ được bao nhiêu" asks a benefit's amount: the procedure's fee would answer
    # another question, and the catalog states no benefit levels.
    if set(topics) <= {Topic.FEE} and intents.asks_received_amount(padded):
        return compose.not_in_catalog(
            routed.nearest,
            phone=center_phone(),
            what=_("mức tiền được hỗ trợ, trợ cấp, bồi thường: danh mục không ghi mức hưởng"),
        )
    if scoped := _other_body(engine, finder_question, routed, answering=True):
        return scoped
    facts = procedure_facts(routed.code)
    if facts is None:
        return compose.out_of_scope()
    if not topics and memory.code and memory.topics and intents.looks_like_follow_up(padded):
        topics = [Topic(t) for t in memory.topics]
    return answer_from(facts, topics)
