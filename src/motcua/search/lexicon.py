"""The maintained table of everyday words, life situations and variant markers.

The data lives in ``data/lexicon.json`` (see ``data/README.md``); this module turns it into
folded word lists once, so matching a query is a handful of list comparisons.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from motcua.search.normalize import contains_phrase, folded_words, words


@dataclass(frozen=True)
class Synonym:
    terms: tuple[tuple[str, ...], ...]
    expand: str
    display_terms: tuple[str, ...]

    @property
    def padded_terms(self) -> tuple[str, ...]:
        return tuple(f" {' '.join(t)} " for t in self.terms)


@dataclass(frozen=True)
class Qualifier:
    """A variant of a procedure that the query must give a sign of, and signs that rule it out.

    Siblings that differ by one qualifier ("chuyển đi"/"chuyển đến", "nhận cha" with or without
    the birth registration, a household business closing for good or for a while) share almost
    every word, so neither BM25 nor the embedding tells them apart: the words that do are listed
    here, as ``evidence`` (the variant is meant) and ``against`` (a sibling is meant).
    """

    name_contains: tuple[str, ...]
    evidence: tuple[tuple[str, ...], ...]
    against: tuple[tuple[str, ...], ...] = ()
    # "^…" in the data: the name must start with the phrase ("đăng ký nhận cha, mẹ, con" and
    # not "đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con").
    anchored: bool = False
    padded_evidence: tuple[str, ...] = ()
    padded_against: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "padded_evidence", tuple(f" {' '.join(e)} " for e in self.evidence)
        )
        object.__setattr__(self, "padded_against", tuple(f" {' '.join(e)} " for e in self.against))

    def applies_to(self, folded_name: list[str]) -> bool:
        if self.anchored:
            return tuple(folded_name[: len(self.name_contains)]) == self.name_contains
        return contains_phrase(folded_name, list(self.name_contains))

    def evidenced_by(self, padded_query: str, marked_query: str | None = None) -> bool:
        """``padded_query`` is the folded query joined by spaces with a space at each end.

        A qualifier with no evidence list needs none: it only has words against it. Given
        ``marked_query`` (the same words with " | " at the clause breaks), a word the citizen
        denies ("tôi không phải cộng tác viên", "chưa đăng ký nghĩa vụ") is neither evidence
        nor against.
        """

        if any(_occurs(padded_query, a, marked_query) for a in self.padded_against):
            return False
        return not self.padded_evidence or any(
            _occurs(padded_query, e, marked_query) for e in self.padded_evidence
        )

    def evidenced_in(self, found: AbstractSet[str]) -> bool:
        """``evidenced_by`` given the phrases that occur in the query (``PhraseIndex.found``)."""
        if not found.isdisjoint(self.padded_against):
            return False
        return not self.padded_evidence or not found.isdisjoint(self.padded_evidence)


def _occurs(padded_query: str, phrase: str, marked_query: str | None) -> bool:
    if phrase not in padded_query:
        return False
    if marked_query is None or phrase not in marked_query:
        return True  # no clause marks given, or the phrase spans a clause break
    return occurs_affirmed(marked_query, phrase)


class PhraseIndex:
    """The evidence and against phrases of many qualifiers, looked up by their first word.

    Scoring a query asks every qualifier whether it is evidenced (about 150 of them, 40 phrases
    each): scanning the query for every phrase of every qualifier was the largest CPU cost of a
    lookup (issue 10). A padded phrase " a b " can only occur in the padded query if "a" is one
    of the query's words, so ``found`` checks only the phrases whose first word the query has,
    each once, with the same test as ``evidenced_by``.
    """

    def __init__(self, qualifiers: Iterable[Qualifier]):
        self.by_first: dict[str, list[str]] = {}
        # Phrases not of the form " word word ... " (none in today's data) are always checked.
        self.unindexed: list[str] = []
        seen: set[str] = set()
        for qual in qualifiers:
            for phrase in (*qual.padded_evidence, *qual.padded_against):
                if phrase in seen:
                    continue
                seen.add(phrase)
                parts = phrase.split(" ")
                if len(parts) >= 3 and parts[0] == parts[-1] == "" and all(parts[1:-1]):
                    self.by_first.setdefault(parts[1], []).append(phrase)
                else:
                    self.unindexed.append(phrase)

    def found(self, padded_query: str, marked_query: str | None = None) -> frozenset[str]:
        """The phrases that occur in the query (affirmed, when ``marked_query`` is given)."""
        candidates = list(self.unindexed)
        for word in set(padded_query.split(" ")):
            candidates.extend(self.by_first.get(word, ()))
        return frozenset(p for p in candidates if _occurs(padded_query, p, marked_query))


# Words that deny what follows, folded: không, chưa, chẳng and the chat spellings of không.
# Folded "chua" is also "chùa" and "chang" "chàng": a pagoda or a young man right before a
# variant's marker is rare enough.
NEGATORS = frozenset(["khong", "chua", "chang", "ko", "khg", "hok"])
# A denial reaches over the next few words ("không phải cộng tác viên dịch thuật của xã"), but
# not past a clause break ("|"), a new request or a turn ("muốn", "nhưng", "giờ"), nor when it
# denies knowing rather than the thing ("không biết", "không nhớ").
_DENIAL_REACH = 5
_DENIAL_STOPS = frozenset(
    ["|", "muon", "can", "xin", "nhung", "ma", "nen", "gio", "thi", "roi", "vi", "sau", "nay"]
)
_NOT_DENYING = frozenset(["biet", "nho", "ro", "hieu", "sao", "duoc"])


def occurs_affirmed(padded_query: str, padded_phrase: str) -> bool:
    """Whether the phrase occurs in the query at least once without a denial before it.

    A phrase that itself starts with a denial ("không còn", "chưa đăng ký") is taken as it is.
    """
    first = padded_phrase.split(None, 1)[0] if padded_phrase.strip() else ""
    start = padded_query.find(padded_phrase)
    while start >= 0:
        if first in NEGATORS or not _denied(padded_query[: start + 1].split()):
            return True
        start = padded_query.find(padded_phrase, start + 1)
    return False


def _denied(before: list[str]) -> bool:
    """Whether a denial in the last few words ``before`` a phrase reaches it."""
    after = ""
    for word in reversed(before[-_DENIAL_REACH:]):
        if word in _DENIAL_STOPS:
            return False
        if word in NEGATORS:
            return after not in _NOT_DENYING
        after = word
    return False


def foreign_phrases(table: dict) -> dict[str, list[str]]:
    """The phrases "@nationality" and "@abroad" stand for in a qualifier's evidence.

    A foreign element is named by a country after a word of nationality ("người Pháp", "quốc
    tịch Úc", "lai Hàn") or of place ("ở Nhật", "sang Đài Loan"). Listing every pair by hand
    missed most of them ("công dân Pháp", "người đàn ông Pháp" got the domestic procedure), so
    they are made from the country table; ``not_after`` drops pairs whose folded form is
    everyday Vietnamese ("chống Pháp" folds like "chồng Pháp", "ở ngã ba" like "ở Nga",
    "quá hạn" like "qua Hàn", "Mỹ Đình", "Đức" and "Nga" as given names).
    """
    countries = table.get("countries", [])
    skip = table.get("not_after", {})
    return {
        f"@{kind}": [
            f"{lead} {country}"
            for country in countries
            for lead in table.get(f"{kind}_leads", [])
            if lead not in skip.get(country, [])
        ]
        for kind in ("nationality", "abroad")
    }


def _expand_sets(texts: list[str], sets: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for text in texts:
        out.extend(sets.get(text, [text]) if text.startswith("@") else [text])
    return list(dict.fromkeys(out))


def _folded_phrases(texts: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(f) for f in (folded_words(t) for t in texts) if f)


@dataclass
class Lexicon:
    synonyms: list[Synonym] = field(default_factory=list)
    qualifiers: list[Qualifier] = field(default_factory=list)
    phrases: dict[str, list[str]] = field(default_factory=dict)
    # How citizens frame a question ("cần những giấy tờ gì", "mất bao lâu", "ở đâu"): words
    # that say what they want to know, not which procedure, folded.
    question_frames: list[tuple[str, ...]] = field(default_factory=list)
    # Regional words typed or heard as they are ("hổng" → không, "tía" → bố, "mần" → làm),
    # replaced before anything else, matched on the exact lowercase spelling so "hong" (hồng,
    # sổ hồng) typed without diacritics is left alone.
    dialect: dict[str, list[str]] = field(default_factory=dict)
    # Standard compounds with a regional word in them ("giấy má", papers, not "giấy mẹ"; "quy
    # mô"; "đeo hông"): accented word pairs, left as written.
    dialect_compounds: frozenset[tuple[str, str]] = frozenset()
    # The accented evidence and frame texts, for the vocabulary (word pairs, diacritics).
    evidence_texts: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        synonyms = []
        for item in data.get("synonyms", []):
            pairs = [(t, tuple(folded_words(t))) for t in item["terms"]]
            pairs = [(t, f) for t, f in pairs if f]
            synonyms.append(
                Synonym(
                    terms=tuple(f for _, f in pairs),
                    expand=item["expand"],
                    display_terms=tuple(t for t, _ in pairs),
                )
            )
        sets = foreign_phrases(data.get("foreign", {}))
        qualifiers = [
            Qualifier(
                name_contains=tuple(folded_words(item["name_contains"])),
                evidence=_folded_phrases(_expand_sets(item.get("evidence", []), sets)),
                against=_folded_phrases(item.get("against", [])),
                anchored=item["name_contains"].startswith("^"),
            )
            for item in data.get("qualifiers", [])
        ]
        phrases = {code: list(items) for code, items in data.get("procedures", {}).items()}
        frames = [tuple(folded_words(f)) for f in data.get("question_frames", [])]
        # Longest first, so "cần những giấy tờ gì" goes before "giấy tờ gì" can split it.
        frames = sorted({f for f in frames if f}, key=lambda f: (-len(f), f))
        texts = [
            e
            for item in data.get("qualifiers", [])
            for e in [*item.get("evidence", []), *item.get("against", [])]
            if not e.startswith("@")
        ]
        texts += list(data.get("question_frames", []))
        return cls(
            synonyms=synonyms,
            qualifiers=qualifiers,
            phrases=phrases,
            question_frames=frames,
            dialect={
                k.lower(): v.lower().split()
                for k, v in data.get("dialect", {}).items()
                if v.strip()
            },
            dialect_compounds=frozenset(
                (ws[0], ws[1])
                for c in data.get("dialect_compounds", [])
                if len(ws := words(c)) == 2
            ),
            evidence_texts=list(dict.fromkeys(texts)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        if path is None:
            path = Path(str(resources.files("motcua.search") / "data" / "lexicon.json"))
        if not path.is_file():
            return cls()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def expansions(self, folded_query: list[str]) -> list[tuple[str, str]]:
        """(matched everyday term, official wording) for every synonym the query uses."""
        padded = f" {' '.join(folded_query)} "
        # Only the synonyms with a term that starts with one of the query's words can match
        # (a padded term " a b " occurs only where the query has "a"), in the lexicon's order.
        # Per synonym, the first of its terms (in its order) that occurs is the one shown.
        candidates = list(self._unindexed)
        for word in set(folded_query):
            candidates.extend(self._by_first_word.get(word, ()))
        first_term: dict[int, int] = {}
        for index, position in candidates:
            padded_term = self._compiled[index][1][position]
            if position < first_term.get(index, position + 1) and padded_term in padded:
                first_term[index] = position
        found: list[tuple[str, str]] = []
        for index in sorted(first_term):
            shown_terms, _, expand = self._compiled[index]
            found.append((shown_terms[first_term[index]], expand))
        return found

    def standardize(self, raw_words: list[str], keep: Collection[int] = ()) -> list[str]:
        """Regional words replaced by the standard ones (``raw_words`` lowercase).

        ``keep``: indexes of words to leave as written (a regional word that is part of a
        standard pair, such as "mô" in "mô tô").
        """
        if not self.dialect:
            return raw_words
        out: list[str] = []
        for i, word in enumerate(raw_words):
            out.extend((word,) if i in keep else self.dialect.get(word, (word,)))
        return out

    def content_mask(self, folded_query: list[str]) -> list[bool]:
        """False for the syllables of the query that only frame the question."""
        keep = [True] * len(folded_query)
        n = len(folded_query)
        present = set(folded_query)
        for frame in self.question_frames:
            # Most of the frames have a word the query lacks: no position to try.
            if not present.issuperset(frame):
                continue
            size = len(frame)
            for start in range(n - size + 1):
                if tuple(folded_query[start : start + size]) == frame and all(
                    keep[start : start + size]
                ):
                    keep[start : start + size] = [False] * size
        return keep

    def __post_init__(self) -> None:
        self._compiled = [(s.display_terms, s.padded_terms, s.expand) for s in self.synonyms]
        # (synonym, term) under the term's first word; a term with an empty word (none in
        # today's data) cannot be indexed so, and is always checked.
        self._by_first_word: dict[str, list[tuple[int, int]]] = {}
        self._unindexed: list[tuple[int, int]] = []
        for index, synonym in enumerate(self.synonyms):
            # Only the terms that have a display form are ever shown (and so looked for).
            shown = len(synonym.display_terms)
            for position, term in enumerate(synonym.terms[:shown]):
                if all(term):
                    self._by_first_word.setdefault(term[0], []).append((index, position))
                else:
                    self._unindexed.append((index, position))
