"""Procedure finding: hybrid lexical + semantic retrieval tuned for how citizens ask.

Pipeline for a query (each step is there because citizens' requests break the naive one):
1. clean: NFC, control characters out, length limited; regional words standardized and number
   words written as digits ("mười tám tuổi" → "18 tuổi");
2. syllables folded (no diacritics, đ→d) and Telex leftovers repaired against the catalog's
   vocabulary ("dduowcj" → "duoc", "đăng kí" → "đăng ký");
3. everyday terms expanded to official wording from the maintained lexicon ("sổ đỏ" →
   "giấy chứng nhận quyền sử dụng đất");
4. BM25 over folded syllables and syllable pairs of each procedure's name, result and the
   lexicon's life-situation phrases;
5. multilingual-e5-small over the name and each phrase (max per procedure), queried with
   diacritics restored when the citizen typed without them;
6. fused scores, a small popularity prior, and a penalty for special variants (foreign
   element, border area, re-registration...) the query gives no sign of (a sign the citizen
   denies, "tôi không phải cộng tác viên", is none) or whose age range the stated age is not in.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import bm25s
import numpy as np

from motcua.search.lexicon import Lexicon, PhraseIndex, Qualifier
from motcua.search.normalize import (
    MAX_QUERY_CHARS,
    Vocabulary,
    clean,
    fold,
    folded_words,
    has_diacritics,
    numerals,
    typed_otherwise,
    words,
)

# bm25s sets its own logger to DEBUG on import; an index build is not worth a log line.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Pronouns, particles and fillers that carry no information about the procedure, folded.
# Folding merges words, so a syllable is listed only if none of its accented forms matters to
# a procedure: "do" (đỏ), "tu" (tử), "con", "de" (đẻ), "the" (thẻ), "sao" (bản sao), "nha"
# (nhà), "cai" (cải chính), "can" (căn cước), "vay" (vay vốn), "dang" (đăng) stay searchable.
STOPWORDS = frozenset(
    [
        *("a", "ah", "ak", "u", "uh", "um", "ua", "ne", "nhe", "nhi", "oi", "ha", "hay"),
        *("toi", "em", "minh", "ta", "cac", "cua", "day", "kia", "nay", "nao"),
        *("di", "duoc", "gi", "giup", "hoi", "khong", "la", "lam", "luon", "muon", "o"),
        *("ra", "roi", "se", "thi", "va", "ve", "voi", "vui", "long", "xin", "biet", "phai"),
    ]
)
# Where a citizen's sentence breaks: the need of a long story is usually its last clause.
_CLAUSE_BREAK = re.compile(r"[.,;:!?…\n]+")
# Words that say what the citizen asks for. Accented forms only, since folded "can" is also
# "căn" (căn cước, căn nhà) and "dinh" is "đính" (đính chính); "muon" and "xin" are safe.
_REQUEST_WORDS = frozenset(["muốn", "cần", "xin", "định", "nhờ", "mong", "muon"])
# Words that turn a story to the present need: "giờ tôi muốn...", "nay cháu đủ tuổi nên...".
_PIVOT_WORDS = frozenset(["giờ", "nay", "chừ", "nên", "gio", "nen"])
_NAME_PREFIX = re.compile(r"^\s*thủ tục\s+", re.IGNORECASE)
# Age ranges a procedure's name sets, on the folded name: "dưới 14 tuổi", "từ đủ 14 tuổi trở
# lên", "trên 75 tuổi".
_AGE_BELOW = re.compile(r"\bduoi (\d+) tuoi\b")
_AGE_FROM = re.compile(r"\b(?:tu du|du|tu) (\d+) tuoi tro len\b")
_AGE_ABOVE = re.compile(r"\btren (\d+) tuoi\b")
_QUERY_AGE = re.compile(
    r"\b(?:(duoi|tren|hon|qua|chua du|chua toi|chua den|chua tron) )?(\d{1,3}) tuoi\b"
)


def age_range(folded_name: str) -> tuple[int, int] | None:
    """[low, high) of the ages a procedure's name is for, or None when it names no age."""
    low, high = 0, 1000
    if m := _AGE_BELOW.search(folded_name):
        high = int(m.group(1))
    if m := _AGE_FROM.search(folded_name):
        low = int(m.group(1))
    if m := _AGE_ABOVE.search(folded_name):
        low = int(m.group(1)) + 1
    return None if (low, high) == (0, 1000) else (low, high)


def query_ages(padded_query: str) -> list[int]:
    """The ages a request states; "dưới 14 tuổi" stands for 13, "trên 75 tuổi" for 76."""
    shift = {"tren": 1, "hon": 1, "qua": 1}
    return [
        int(n) + (shift.get(mod, 0) if mod in shift else -1 if mod else 0)
        for mod, n in _QUERY_AGE.findall(padded_query)
    ]


class Embedder(Protocol):
    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class QueryError(ValueError):
    """A query that cannot be searched; ``message`` is shown to the citizen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProcedureDoc:
    code: str
    name: str
    sector: str = ""
    result: str = ""
    popularity: int | None = None


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    score: float
    reason: str


@dataclass(frozen=True)
class Weights:
    # The lexical side carries the lexicon, the variant markers and every word of the request;
    # the embedding sees ten of its words. On long stories and misheard requests the words
    # decided more often: 0.45/0.55 → 0.55/0.45 took the development files from 1,968 to
    # 1,980 first places (sets 5, 6, 8 and 9 +3 to +4 each; the old set −2) and a synthetic
    # misheard set from 1,147 to 1,167 of 1,282; 0.6 and 0.65 gained less (docs/benchmarks.md,
    # "Ninth pass").
    lexical: float = 0.55
    dense: float = 0.45
    popularity: float = 0.04
    qualifier_penalty: float = 0.2
    name_repeat: int = 2
    # The embedding model's cost grows with every token (about 3 ms each on 2 cores), so the
    # query it sees keeps only the most informative syllables, in their original order.
    dense_words: int = 10
    dense_expansions: bool = False
    # When the lexical score (with the prior and the variant penalties) puts one procedure this
    # far ahead of the next, the embedding is not computed: it never changed such a first place
    # on the development or held-out sets (about a fifth of the requests), and it is ~90 % of a
    # search's CPU. 0.15 skipped 61 % but lost first places on unseen requests
    # (docs/benchmarks.md, "Finding, raised"). None: always embed. Set at 0.25 for a lexical
    # weight of 0.45; 0.3 keeps the same lead in lexical terms at 0.55 (0.25 made "thời tiết
    # ngày mai" decisive for a maritime protest, whose name holds "thời tiết").
    decisive_margin: float | None = 0.3
    # In a long request, the embedding query takes up to ``need_words`` words from the clause
    # that says what the citizen asks for ("giờ tôi muốn ..."), the rest from the story. Better
    # on the development sets, the story probes and the stress sets, level on the held-out check
    # halves; held-out set 2, which neither the finder's writers nor this choice had seen,
    # decided it: top-1 94.0 → 95.0 %, top-3 99.0 → 100 % (docs/benchmarks.md, "Third pass").
    need_clause: bool = True
    need_words: int = 6
    # Three readings of what a request says, each better on held-out sets 2 and 3 and the
    # development files and not worse anywhere, then confirmed on set 4 by its totals alone
    # (docs/benchmarks.md, "Fourth pass"): number words read as digits ("mười tám tuổi" → "18
    # tuổi", as the catalog writes ages); a variant marker the citizen denies ("tôi không phải
    # cộng tác viên") is no evidence for the variant; an age in the request ("con 2 tuổi")
    # rules out a procedure whose name sets another range ("từ đủ 14 tuổi trở lên").
    numerals: bool = True
    negation: bool = True
    ages: bool = True
    # A request that gives a sign of a variant (a foreign element, a border area, a mobile
    # registration, a re-registration) speaks against the plain sibling whose name is the
    # variant's without it: the variant was only spared its penalty, and the plain procedure,
    # shorter and more asked for, still took first place (held-out set 5, docs/benchmarks.md,
    # "Fifth pass"); no line lost on any set. 0.2 lost first places on sets 2 and 3. With the
    # lexical weight at 0.55, 0.15: four more first places (a foreign re-registration, border
    # deaths and marriages), none lost (docs/benchmarks.md, "Ninth pass").
    sibling_penalty: float = 0.15
    # A civil-status request names its event (a birth, a marriage, a death, a recognition, an
    # adoption, a guardianship), in its own words or through the lexicon ("báo tử" → khai
    # tử); the procedures of the same kind for *another* event (the re-registration, border
    # or foreign variant of a sibling event) are demoted by this much (docs/benchmarks.md,
    # "Seventh pass").
    event_penalty: float = 0.1
    # A request written with diacritics has its misheard words repaired by their written form:
    # a sound-alike keeps the vowel and the tone ("thường chú" → trú) and pairs, with its
    # marks, with a neighbour. Folded, a catalog word was read as a sound-alike in 7 % of the
    # development requests, mostly wrongly ("sai một chữ" → trú, "văn bằng" → dân, "có lại
    # tờ" → nại; docs/benchmarks.md, "Ninth pass").
    typed_repair: bool = True
    # Example requests per procedure (data/examples.jsonl, eight per procedure written from
    # the catalog by writers who saw no evaluation line): how citizens tell the story of each
    # need. ``examples``: the embedding part of the score becomes (1 − examples) × the names'
    # and phrases' similarity + examples × the similarity to the procedure's examples, both
    # normalized the same way; ``example_pool`` makes one similarity of a procedure's examples:
    # "soft", a log-sum-exp at ``example_temperature`` (the best, lifted by a second close
    # one), "max" or "top2" (the mean of the best two). On the 2,944 development requests, at
    # 0.2: top-1 2,656 → 2,682, top-3 2,863 → 2,873, colloquial 948 → 960 of 1,118, wrongful
    # refusals level. 0.3 found 2,694 but 2 more wrongful refusals; 0.5–0.7 found 2,702 but
    # the assistant routed fewer of its questions right (95.2 → 92.6 %): the examples of the
    # dispute decision all say "hòa giải không thành" and drew the conciliation's questions
    # (docs/decisions/0002-procedure-finding.md, "Example requests"). After 33 stories were
    # rewritten to state their own fact instead of a sibling's key words, 0.3 gave 3,061 of
    # 3,344 first places against 3,045 at 0.2, wrongful refusals and eval-ask level; 0.4 gave
    # 3,064 but 7 fewer eval-ask passes (docs/benchmarks.md, "Examples without a sibling's
    # words").
    # ``example_bm25`` (their words in the procedure's BM25 document) reached 2,793 but made
    # the assistant route worse: a story's distinguishing fact names the sibling ("hòa giải
    # không thành" for the dispute decision took every "hòa giải" question), so it is off.
    # ``example_query`` "full" compares the examples with every content word instead of the
    # ten salient ones: +50 first places, but a second encoding that doubles the CPU of a
    # search (p95 ~75 ms), so not used. ``example_as_query``: examples are encoded on e5's
    # query side (a request against a request is symmetric).
    example_bm25: bool = False
    examples: float = 0.3
    example_pool: str = "soft"
    example_temperature: float = 0.02
    example_query: str = "dense"
    example_as_query: bool = True
    # The mixed channel is scaled so that its best procedure gets the whole embedding part, as
    # before the examples: the assistant's thresholds (MIN_SCORE, COVERED_SCORE) read the
    # score, and a first place whose names and examples disagreed scored lower than it used to
    # (more wrongful refusals without it; the ranking is level).
    example_rescale: bool = True


# The civil-status events a procedure's name can be about (Luật Hộ tịch 2014, Điều 3), folded.
CIVIL_EVENTS: tuple[tuple[str, ...], ...] = (
    ("khai", "sinh"),
    ("ket", "hon"),
    ("khai", "tu"),
    ("nhan", "cha"),
    ("nuoi", "con", "nuoi"),
    ("giam", "ho"),
)


def events_in(padded_text: str) -> frozenset[tuple[str, ...]]:
    """The civil-status events a folded, space-padded text names."""
    return frozenset(e for e in CIVIL_EVENTS if f" {' '.join(e)} " in padded_text)


# Words that only join a qualifying phrase to a name ("... tại khu vực biên giới").
_JOINERS = frozenset(["tai", "o"])


def _sibling_key(folded_name: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in folded_name if t not in _JOINERS)


def _replaced(
    folded_name: Sequence[str], phrase: Sequence[str], new: Sequence[str] = ()
) -> tuple[str, ...]:
    """The name with ``phrase`` replaced by ``new`` (joiners ignored); () if it has none."""
    n, k = list(folded_name), len(phrase)
    for i in range(len(n) - k + 1):
        if tuple(n[i : i + k]) == tuple(phrase):
            return _sibling_key(n[:i] + list(new) + n[i + k :])
    return ()


def display_name(name: str) -> str:
    """ "Thủ tục đăng ký khai sinh" → "Đăng ký khai sinh"."""
    stripped = _NAME_PREFIX.sub("", name).strip()
    return stripped[:1].upper() + stripped[1:] if stripped else name


def features(tokens: Sequence[str]) -> list[str]:
    """Folded syllables (without fillers) and adjacent syllable pairs."""
    unigrams = [t for t in tokens if t not in STOPWORDS]
    pairs = [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return unigrams + pairs


def _typed_as_correction(typed: Sequence[str], term: str, expand: str) -> bool:
    """Whether ``term`` is a misspelling inside its correction ("căn cuoc" in "thẻ căn cước",
    "dăng ký" for "đăng ký") and the request types the correction's words as spelled."""
    want = [fold(w) for w in words(term)]
    official = words(expand)
    for i in range(len(official) - len(want) + 1):
        part = official[i : i + len(want)]
        if [fold(w) for w in part] == want:
            return not typed_otherwise(typed, " ".join(part))
    return False


def need_clause_start(raw: Sequence[str], clause_ids: Sequence[int]) -> int:
    """Index of the first word of the request's need: the clause of its last request word.

    0 (the whole request) when no request word is found, or when it stands in the first
    clause without a pivot ("giờ", "nên") before it: then there is no story to set apart.
    """
    last = next((i for i in range(len(raw) - 1, -1, -1) if raw[i] in _REQUEST_WORDS), None)
    if last is None:
        return 0
    clause = clause_ids[last]
    start = next(i for i, c in enumerate(clause_ids) if c == clause)
    pivots = [i for i in range(start, last) if raw[i] in _PIVOT_WORDS]
    if pivots:
        start = pivots[-1]
    return start


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    folded: list[str]
    expansions: list[tuple[str, str]]
    dense_text: str
    # The folded syllables that say which procedure: question frames ("cần giấy tờ gì", "ở
    # đâu") removed. Runs of adjacent syllables, so no pair is made across a removed frame.
    segments: tuple[tuple[str, ...], ...] = ()
    # The clause each folded syllable stands in (punctuation breaks clauses).
    clause_ids: tuple[int, ...] = ()
    # Every content word, diacritics restored like ``dense_text`` (for the examples channel).
    full_text: str = ""
    # The words as typed (lowercase, one per folded syllable) when the request carries
    # diacritics; empty when it was typed without them.
    typed: tuple[str, ...] = ()

    def marked(self) -> str:
        """The folded query, padded, with " | " where a clause ends."""
        out: list[str] = []
        for i, tok in enumerate(self.folded):
            if i and self.clause_ids and self.clause_ids[i] != self.clause_ids[i - 1]:
                out.append("|")
            out.append(tok)
        return f" {' '.join(out)} "

    @property
    def content(self) -> list[str]:
        return [t for seg in self.segments for t in seg] if self.segments else self.folded

    def features(self) -> list[str]:
        if not self.segments:
            return features(self.folded)
        return [f for seg in self.segments for f in features(list(seg))]


def _normalized(per_doc: np.ndarray, floor: float | None = None) -> np.ndarray:
    """Similarities mapped to [0, 1]: the median procedure and below 0, the best 1."""
    if floor is None:
        floor = float(np.partition(per_doc, len(per_doc) // 2)[len(per_doc) // 2])
    span = float(per_doc.max()) - floor
    if span <= 0:
        return np.zeros_like(per_doc)
    return np.clip((per_doc - floor) / span, 0, 1)


class Engine:
    def __init__(
        self,
        docs: Iterable[ProcedureDoc],
        lexicon: Lexicon,
        embedder: Embedder | None,
        weights: Weights | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
    ):
        self.docs = list(docs)
        if not self.docs:
            raise ValueError("the finder needs at least one procedure")
        self.lexicon = lexicon
        self.embedder = embedder
        self.weights = weights or Weights()
        names = [display_name(d.name) for d in self.docs]
        phrases = [lexicon.phrases.get(d.code, []) for d in self.docs]

        corpus: list[str] = names + [d.result for d in self.docs]
        corpus += [p for ps in phrases for p in ps]
        for syn in lexicon.synonyms:
            corpus.append(syn.expand)
            corpus.extend(syn.display_terms)
        # Variant markers and question frames are how citizens talk too: their word pairs let
        # a misheard "hết hạng" be read as "hết hạn".
        corpus.extend(lexicon.evidence_texts)
        self.vocab = Vocabulary(corpus)

        examples = examples or {}
        doc_examples = [list(dict.fromkeys(examples.get(d.code, []))) for d in self.docs]
        doc_tokens = []
        for doc, name, extra in zip(self.docs, names, phrases, strict=True):
            toks = features(folded_words(name)) * self.weights.name_repeat
            for text in [doc.result, *extra]:
                toks += features(folded_words(text))
            doc_tokens.append(toks)
        # The idf of the catalog's own words (names, results, phrases): it picks the words the
        # embedding sees and, in the assistant, says how specifically a question names a
        # procedure. The examples' story words ("con", "xã", "giờ") would make every word
        # common; they join the BM25 documents only.
        df: dict[str, int] = {}
        for toks in doc_tokens:
            for tok in set(toks):
                df[tok] = df.get(tok, 0) + 1
        n_docs = len(doc_tokens)
        self.idf = {tok: math.log((n_docs + 1) / (count + 0.5)) for tok, count in df.items()}
        if self.weights.example_bm25:
            for toks, told in zip(doc_tokens, doc_examples, strict=True):
                for text in told:
                    toks += features(folded_words(text))
        self.bm25 = bm25s.BM25(k1=1.2, b=0.6)
        self.bm25.index(doc_tokens, show_progress=False)

        folded_names = [folded_words(n) for n in names]
        # Word pairs of the catalog's names as written ("mô tô", "nước ngoài") and the
        # lexicon's compounds ("giấy má"): a regional or chat word is read as the standard one
        # only outside such a pair ("mô" is "đâu" in the Central dialect, not in "xe mô tô").
        self.name_pairs = (
            frozenset(pair for n in names for pair in zip(words(n), words(n)[1:], strict=False))
            | lexicon.dialect_compounds
        )
        # Everything a procedure is known by, folded, to tell which expansion explains a hit.
        self.doc_padded = [
            " " + " | ".join(" ".join(folded_words(t)) for t in [name, *extra]) + " "
            for name, extra in zip(names, phrases, strict=True)
        ]
        self.qualified_docs: list[tuple[Qualifier, np.ndarray]] = []
        for qual in lexicon.qualifiers:
            hits = [i for i, fn in enumerate(folded_names) if qual.applies_to(fn)]
            if hits:
                self.qualified_docs.append((qual, np.array(hits)))
        # For each qualifier with evidence: the procedures named like its variants without the
        # qualifying phrase ("đăng ký khai sinh" for "đăng ký khai sinh có yếu tố nước ngoài").
        by_name: dict[tuple[str, ...], list[int]] = {}
        for i, fn in enumerate(folded_names):
            by_name.setdefault(_sibling_key(fn), []).append(i)
        self.plain_siblings: list[tuple[Qualifier, np.ndarray]] = []
        for qual, doc_indexes in self.qualified_docs:
            if not qual.evidence or qual.anchored:
                continue
            # A re-registration ("đăng ký lại khai tử", Nghị định 123/2015/NĐ-CP, Điều 24-27)
            # stands against the first registration too: the same name without "lại".
            replacements: list[tuple[str, ...]] = [()]
            if "lai" in qual.name_contains:
                replacements.append(tuple(t for t in qual.name_contains if t != "lai"))
            sibs = {
                j
                for i in doc_indexes
                for new in replacements
                for j in by_name.get(_replaced(folded_names[i], qual.name_contains, new), [])
                if j not in doc_indexes
            }
            if sibs:
                self.plain_siblings.append((qual, np.array(sorted(sibs))))
        name_events = [events_in(f" {' '.join(fn)} ") for fn in folded_names]
        # Per event, which names are about it; a boolean mask per event keeps the check to a
        # few array operations per search.
        self.event_names = {
            e: np.array([e in named for named in name_events]) for e in CIVIL_EVENTS
        }
        self.names_an_event = np.array([bool(named) for named in name_events])
        # The plain siblings' qualifiers are among these.
        self.qualifier_phrases = PhraseIndex(qual for qual, _ in self.qualified_docs)
        # The qualifiers as arrays, so a search counts each procedure's penalties at once
        # instead of subtracting per qualifier (~150 indexed subtractions per search): which
        # procedures each one names, which need evidence (the penalized ones when the query
        # has none of their phrases), which name an age, and which phrases can change one.
        self._qualifier_docs = np.zeros((len(self.qualified_docs), len(self.docs)), dtype=bool)
        for j, (_, doc_indexes) in enumerate(self.qualified_docs):
            self._qualifier_docs[j, doc_indexes] = True
        self._needs_evidence = np.array(
            [bool(qual.padded_evidence) for qual, _ in self.qualified_docs], dtype=bool
        )
        self._age_qualifiers = np.array(
            [("tuoi" in qual.name_contains) for qual, _ in self.qualified_docs], dtype=bool
        )
        self._qualifiers_of_phrase: dict[str, list[int]] = {}
        for j, (qual, _) in enumerate(self.qualified_docs):
            for phrase in dict.fromkeys((*qual.padded_evidence, *qual.padded_against)):
                self._qualifiers_of_phrase.setdefault(phrase, []).append(j)
        self.age_ranges = [
            (i, rng)
            for i, fn in enumerate(folded_names)
            if (rng := age_range(" ".join(fn))) is not None
        ]
        ranks = [d.popularity for d in self.docs if d.popularity]
        worst = max(ranks) if ranks else 1
        self.prior = np.array(
            [
                1.0 - math.log(d.popularity) / math.log(worst + 1) if d.popularity else 0.0
                for d in self.docs
            ],
            dtype=np.float32,
        )

        self.passage_texts: list[str] = []
        owners: list[int] = []
        for i, (name, extra) in enumerate(zip(names, phrases, strict=True)):
            for text in dict.fromkeys([name, *extra]):
                self.passage_texts.append(text)
                owners.append(i)
        self.passage_owner = np.array(owners)
        self._passage_word_sets: list[frozenset[str]] | None = None
        self.group_starts = np.searchsorted(self.passage_owner, np.arange(len(self.docs)))
        self.passage_vectors = (
            embedder.passages(self.passage_texts) if embedder is not None else None
        )
        # The examples, grouped per procedure in a [procedures × most examples] table so one
        # matrix product and a sort along rows pool them; empty places point at a zero row.
        self.example_texts = [t for told in doc_examples for t in told]
        self.has_examples = np.array([bool(told) for told in doc_examples])
        width = max((len(told) for told in doc_examples), default=0)
        slots = np.full((len(self.docs), width), len(self.example_texts), dtype=np.int64)
        n = 0
        for i, told in enumerate(doc_examples):
            slots[i, : len(told)] = np.arange(n, n + len(told))
            n += len(told)
        self.example_slots = slots
        # The empty places, and each procedure's number of examples (at least 1), made once.
        self._example_padding = slots == len(self.example_texts)
        self._example_counts = np.maximum((~self._example_padding).sum(axis=1), 1)
        self.example_vectors: np.ndarray | None = None
        if embedder is not None and self.example_texts:
            encode = getattr(embedder, "requests", None) if self.weights.example_as_query else None
            vectors = (encode or embedder.passages)(self.example_texts)
            self.example_vectors = np.vstack([vectors, np.zeros((1, vectors.shape[1]))]).astype(
                np.float32
            )

    def parse(self, query: str) -> ParsedQuery:
        text = clean(query)
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(
                f"Nội dung tìm kiếm quá dài ({len(text)} ký tự). "
                f"Vui lòng nhập ngắn gọn, tối đa {MAX_QUERY_CHARS} ký tự."
            )
        # A lone combining mark (U+0301 typed after a space) folds to nothing: it carries no word,
        # and as an empty token it pointed bm25s past its index (a 500 found by fuzzing).
        raw, clause_ids = self._standardized_clauses(text)
        if not raw:
            raise QueryError("Vui lòng nhập tên thủ tục hoặc việc bạn cần làm.")
        # A request written with diacritics is repaired by its words as written (same vowel
        # and tone, pairs with their marks); one typed without them by folded syllables.
        typed = raw if self.weights.typed_repair and has_diacritics(text) else None
        folded = self.vocab.repair_all([fold(w) for w in raw], typed)
        mask = self.lexicon.content_mask(folded)
        if not any(mask):  # the question is all frame ("thủ tục ở đâu"): keep every word
            mask = [True] * len(folded)
        segments: list[tuple[str, ...]] = []
        run: list[str] = []
        for tok, keep in zip(folded, mask, strict=True):
            if keep:
                run.append(tok)
            elif run:
                segments.append(tuple(run))
                run = []
        if run:
            segments.append(tuple(run))
        content = [t for seg in segments for t in seg]
        expansions = self.lexicon.expansions(content)
        if typed is not None:
            # Folded, "mấy con rồi" is "con rơi" and "ghế chờ" is "ghe": a synonym whose every
            # occurrence is typed with other marks was not said. A misspelling's entry
            # ("dăng ký" for "đăng ký") stays when the words are typed as its correction.
            expansions = [
                (term, expand)
                for term, expand in expansions
                if not typed_otherwise(raw, term) or _typed_as_correction(raw, term, expand)
            ]
        restored = self.vocab.restore(folded)
        dense_words = [
            w if self._keep_accented(w, f, restored, i, typed is not None) else r
            for i, (w, f, r) in enumerate(zip(raw, folded, restored, strict=True))
        ]
        kept = [i for i, keep in enumerate(mask) if keep]
        need_start = need_clause_start(raw, clause_ids) if self.weights.need_clause else 0
        dense_text = " ".join(
            self._salient(
                [dense_words[i] for i in kept],
                [folded[i] for i in kept],
                [i >= need_start for i in kept],
            )
        )
        if expansions and self.weights.dense_expansions:
            dense_text += " (" + "; ".join(dict.fromkeys(e for _, e in expansions)) + ")"
        return ParsedQuery(
            text=text,
            folded=folded,
            expansions=expansions,
            dense_text=dense_text,
            segments=tuple(segments),
            clause_ids=tuple(clause_ids),
            full_text=" ".join(dense_words[i] for i in kept),
            typed=tuple(raw) if typed is not None else (),
        )

    def _keep_accented(
        self, word: str, folded: str, restored: list[str], index: int, typed: bool = False
    ) -> bool:
        """Whether the embedding model should see the citizen's own accented spelling.

        Repaired, or in a request typed without diacritics: no. A word without marks in a
        request written with them (``typed``) was meant so ("ba" a father, "ban" a board) when
        the catalog writes it so too; restored by the catalog's counts it became "bà", "bản".
        Accented but wrong ("khai tủ" for khai tử, "chứng thưc"): the catalog's form when that
        form pairs with a neighbour in the catalog; a word the catalog never uses ("mạ",
        "nghiêng") is kept as typed.
        """
        if fold(word) != folded:
            return False
        if not has_diacritics(word):
            return typed and word.lower() in self.vocab.accented
        lower = word.lower()
        if lower in self.vocab.accented or restored[index] == lower:
            return True
        return not self.vocab.in_context(restored, index)

    def _standardized_clauses(self, text: str) -> tuple[list[str], list[int]]:
        """The standardized words and, for each, the number of the clause it stands in."""
        raw: list[str] = []
        clause_ids: list[int] = []
        plain = not has_diacritics(text)
        for n, clause in enumerate(_CLAUSE_BREAK.split(text)):
            ws = [w for w in words(clause) if fold(w)]
            standard = self.lexicon.standardize(ws, keep=self._in_name_pair(ws))
            if self.weights.numerals:
                standard = numerals(standard, plain=plain)
            for word in standard:
                raw.append(word)
                clause_ids.append(n)
        return raw, clause_ids

    def _in_name_pair(self, ws: Sequence[str]) -> set[int]:
        """Indexes of the regional words that stand in a pair of the catalog's names."""
        pairs = self.name_pairs
        return {
            i
            for i, w in enumerate(ws)
            if w in self.lexicon.dialect
            and ((i + 1 < len(ws) and (w, ws[i + 1]) in pairs) or (i and (ws[i - 1], w) in pairs))
        }

    def _salient(
        self, dense_words: list[str], folded: list[str], in_need: list[bool] | None = None
    ) -> list[str]:
        """The query's most informative words (by catalog IDF), at most ``dense_words``.

        ``in_need`` marks the words of the need clause: they take up to ``need_words`` places
        and the story fills the rest, so its words (a death, land, children) cannot crowd out
        what is asked for.
        """
        limit = self.weights.dense_words
        keep = [i for i, f in enumerate(folded) if f not in STOPWORDS] or list(range(len(folded)))
        if len(keep) > limit:
            # Words the catalog never uses say little about which procedure is meant.
            def rank(i: int) -> float:
                return -self.idf.get(folded[i], -1.0)

            marks = in_need or [False] * len(folded)
            need = [i for i in keep if marks[i]]
            if need and len(need) < len(keep):
                story = [i for i in keep if not marks[i]]
                chosen = sorted(need, key=rank)[: min(limit, self.weights.need_words)]
                keep = sorted(chosen + sorted(story, key=rank)[: limit - len(chosen)])
            else:
                keep = sorted(sorted(keep, key=rank)[:limit])
        return [dense_words[i] for i in keep]

    def score(self, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray | None]:
        """Fused score per procedure, and the similarity of every passage (for explanations)."""
        tokens = parsed.features()
        for _, expand in parsed.expansions:
            tokens += features(folded_words(expand))
        # Only fillers ("a", "và"): no lexical evidence. bm25s cannot score an empty query (it
        # reads tokens[0]), which made the public search answer 500 to "a" (issue 9).
        if tokens:
            lexical = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        else:
            lexical = np.zeros(len(self.docs), dtype=np.float32)
        top = float(lexical.max()) if lexical.size else 0.0
        lexical = lexical / top if top > 0 else lexical

        w = self.weights
        fused = w.lexical * lexical + w.popularity * self.prior
        padded = f" {' '.join(parsed.folded)} "
        marked = parsed.marked() if w.negation else None
        ages = query_ages(padded) if w.ages else []
        found = self.qualifier_phrases.found(padded, marked)
        penalized = self._unevidenced(found)
        if ages:
            # A stated age decides between age variants, not the words that hint at one.
            penalized &= ~self._age_qualifiers
        counts = self._qualifier_docs[penalized].sum(axis=0)
        # A procedure named by n unevidenced qualifiers loses the penalty n times, one
        # subtraction after another as when each qualifier subtracted its own (same floats).
        for times in range(1, int(counts.max(initial=0)) + 1):
            fused[counts >= times] -= w.qualifier_penalty
        if w.sibling_penalty:
            for qual, sibs in self.plain_siblings:
                if qual.evidenced_in(found):
                    fused[sibs] -= w.sibling_penalty
        if w.event_penalty:
            expanded = " ".join(" ".join(folded_words(e)) for _, e in parsed.expansions)
            said = events_in(f"{padded}{expanded} ")
            if said:
                same = np.logical_or.reduce([self.event_names[e] for e in said])
                fused[self.names_an_event & ~same] -= w.event_penalty
        if ages:
            for i, (low, high) in self.age_ranges:
                if not any(low <= a < high for a in ages):
                    fused[i] -= w.qualifier_penalty
        if self.embedder is None or self.passage_vectors is None:
            return fused, None
        if self._decisive(fused):
            # The lexical ranking stands in for the dense one, so the score keeps its scale
            # (the assistant's thresholds read it): the leader gets the dense part's maximum.
            return fused + w.dense * lexical, None

        qv = self.embedder.query(parsed.dense_text)
        sims = self.passage_vectors @ qv
        dense = _normalized(np.maximum.reduceat(sims, self.group_starts))
        if w.examples and self.example_vectors is not None:
            if w.example_query == "full" and parsed.full_text != parsed.dense_text:
                qv = self.embedder.query(parsed.full_text)
            told = self._example_similarity(qv)
            # A procedure without examples keeps its names' similarity.
            told = np.where(self.has_examples, told, dense)
            dense = (1 - w.examples) * dense + w.examples * told
            if w.example_rescale and (top := float(dense.max())) > 0:
                dense = dense / top
        fused += w.dense * dense
        return fused, sims

    def _unevidenced(self, found: frozenset[str]) -> np.ndarray:
        """Per qualifier (``qualified_docs``), whether the query gives no sign of it.

        Without any of its phrases in the query a qualifier is unevidenced exactly when it
        needs evidence; only the qualifiers of the phrases found are asked.
        """
        penalized = self._needs_evidence.copy()
        touched = {j for phrase in found for j in self._qualifiers_of_phrase.get(phrase, ())}
        for j in touched:
            penalized[j] = not self.qualified_docs[j][0].evidenced_in(found)
        return penalized

    def _example_similarity(self, query_vector: np.ndarray) -> np.ndarray:
        """Per procedure, how near the request is to its examples, normalized to [0, 1]."""
        assert self.example_vectors is not None
        sims = (self.example_vectors @ query_vector)[self.example_slots]
        # Empty places (all of a procedure's without examples) count as -1.
        sims[self._example_padding] = -1.0
        pool = self.weights.example_pool
        if pool == "top2" and sims.shape[1] > 1:
            best = -np.partition(-sims, 1, axis=1)[:, :2]
            per_doc = np.where(best[:, 1] > -1, best.mean(axis=1), best[:, 0])
        elif pool == "soft":
            t = self.weights.example_temperature
            top = sims.max(axis=1, keepdims=True)
            count = self._example_counts
            per_doc = top[:, 0] + t * np.log(np.exp((sims - top) / t).sum(axis=1) / count)
        else:
            per_doc = sims.max(axis=1)
        per_doc = np.where(self.has_examples, per_doc, np.nan)
        floor = float(np.nanmedian(per_doc))
        return _normalized(np.nan_to_num(per_doc, nan=floor), floor)

    def _decisive(self, lexical_fused: np.ndarray) -> bool:
        margin = self.weights.decisive_margin
        if margin is None or len(lexical_fused) < 2:
            return False
        first, second = np.partition(-lexical_fused, 1)[:2]
        return float(second - first) >= margin

    def search(self, query: str, k: int = 5) -> list[Hit]:
        parsed = self.parse(query)
        fused, sims = self.score(parsed)
        order = np.argsort(-fused, kind="stable")[: max(1, k)]
        return [
            Hit(
                code=self.docs[i].code,
                name=self.docs[i].name,
                score=round(float(fused[i]), 4),
                reason=self._reason(parsed, i, self._best_passage(i, sims, parsed.content)),
            )
            for i in order
        ]

    def _best_passage(
        self, doc_index: int, sims: np.ndarray | None, content: Sequence[str] = ()
    ) -> int:
        start = int(self.group_starts[doc_index])
        end = (
            int(self.group_starts[doc_index + 1])
            if doc_index + 1 < len(self.group_starts)
            else len(self.passage_texts)
        )
        if sims is not None:
            return start + int(np.argmax(sims[start:end]))
        # Not embedded (the lexical evidence was decisive): the passage sharing the most
        # syllables with the query explains the hit; the name on a tie.
        words = set(content)
        shared = [len(words & passage) for passage in self._passage_words()[start:end]]
        return start + int(np.argmax(shared)) if shared else start

    def _passage_words(self) -> list[frozenset[str]]:
        """Each passage's folded syllables, made on first use: the passages never change."""
        if self._passage_word_sets is None:
            self._passage_word_sets = [frozenset(folded_words(t)) for t in self.passage_texts]
        return self._passage_word_sets

    def _reason(self, parsed: ParsedQuery, doc_index: int, passage_index: int) -> str:
        for term, expand in parsed.expansions:
            if f" {' '.join(folded_words(expand))} " in self.doc_padded[doc_index]:
                return f"Hiểu “{term}” là “{expand}”."
        passage = self.passage_texts[passage_index]
        content = [f for f in parsed.content if f not in STOPWORDS]
        name_words = set(self.doc_padded[doc_index].split(" | ", 1)[0].split())
        if passage == display_name(self.docs[doc_index].name) or (
            content and all(f in name_words for f in content)
        ):
            return "Khớp với tên thủ tục."
        return f"Gần với: “{passage}”."
