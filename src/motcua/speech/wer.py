"""Word error rate of a recognizer's output against a reference transcript.

Both sides are brought to the form the recognizer writes before counting: the reference goes
through :func:`motcua.speech.normalize.normalize` (so "Ví dụ 2." is "ví dụ hai" and "thế kỷ
19" is "thế kỷ mười chín", the words a speaker says), then both are NFC, lower case, without
punctuation, split on spaces. Two spellings of one syllable that differ only in where the tone mark
sits ("hoá"/"hóa", "thuý"/"thúy": the old and the new placement, both in use) count as the same
word. WER = (substitutions + deletions + insertions) / reference words,
by word-level Levenshtein distance; a corpus WER sums the edits and the words over all clips.
"""

from __future__ import annotations

import re
import unicodedata

from motcua.speech.normalize import normalize

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# The five tone marks as combining characters (huyền, sắc, ngã, hỏi, nặng). A syllable carries
# at most one; the vowel marks (circumflex, breve, horn) are not tones and stay.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def normalize_words(text: str, *, spoken: bool = True) -> list[str]:
    """Words for scoring; ``spoken`` writes numbers and abbreviations out first."""
    if spoken:
        text = normalize(text)
    text = unicodedata.normalize("NFC", text).lower()
    return _PUNCT.sub(" ", text).split()


def syllable_key(word: str) -> str:
    """The word with its tone mark moved to the end: equal for "hoá" and "hóa", different for
    "hoa" and "hóa" (a syllable has one tone, so where it is written does not change the word)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in decomposed if c in _TONES)
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", base) + tones


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words)."""
    ref = [syllable_key(w) for w in normalize_words(reference)]
    hyp = [syllable_key(w) for w in normalize_words(hypothesis, spoken=False)]
    return edit_distance(ref, hyp), len(ref)


def wer(reference: str, hypothesis: str) -> float:
    edits, n = errors(reference, hypothesis)
    return edits / n if n else float(bool(normalize_words(hypothesis, spoken=False)))
