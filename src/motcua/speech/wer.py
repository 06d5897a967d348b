"""Word error rate of a recognizer's output against a reference transcript.

Both sides are brought to the form the recognizer writes before counting: the reference goes
through :func:`motcua.speech.normalize.normalize` (so "Ví dụ 2." is "ví dụ hai" and "thế kỷ
19" is "thế kỷ mười chín", the words a speaker says), then both are NFC, lower case, without
punctuation, split on spaces. WER = (substitutions + deletions + insertions) / reference words,
by word-level Levenshtein distance; a corpus WER sums the edits and the words over all clips.
"""

from __future__ import annotations

import re
import unicodedata

from motcua.speech.normalize import normalize

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalize_words(text: str, *, spoken: bool = True) -> list[str]:
    """Words for scoring; ``spoken`` writes numbers and abbreviations out first."""
    if spoken:
        text = normalize(text)
    text = unicodedata.normalize("NFC", text).lower()
    return _PUNCT.sub(" ", text).split()


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
    ref = normalize_words(reference)
    hyp = normalize_words(hypothesis, spoken=False)
    return edit_distance(ref, hyp), len(ref)


def wer(reference: str, hypothesis: str) -> float:
    edits, n = errors(reference, hypothesis)
    return edits / n if n else float(bool(normalize_words(hypothesis, spoken=False)))
