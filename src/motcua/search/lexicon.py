"""The maintained table of everyday words, life situations and variant markers.

The data lives in ``data/lexicon.json`` (see ``data/README.md``); this module turns it into
folded word lists once, so matching a query is a handful of list comparisons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from motcua.search.normalize import contains_phrase, folded_words


@dataclass(frozen=True)
class Synonym:
    terms: tuple[tuple[str, ...], ...]
    expand: str
    display_terms: tuple[str, ...]


@dataclass(frozen=True)
class Qualifier:
    name_contains: tuple[str, ...]
    evidence: tuple[tuple[str, ...], ...]

    def applies_to(self, folded_name: list[str]) -> bool:
        return contains_phrase(folded_name, list(self.name_contains))

    def evidenced_by(self, folded_query: list[str]) -> bool:
        return any(contains_phrase(folded_query, list(e)) for e in self.evidence)


@dataclass
class Lexicon:
    synonyms: list[Synonym] = field(default_factory=list)
    qualifiers: list[Qualifier] = field(default_factory=list)
    phrases: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        synonyms = [
            Synonym(
                terms=tuple(tuple(folded_words(t)) for t in item["terms"] if folded_words(t)),
                expand=item["expand"],
                display_terms=tuple(item["terms"]),
            )
            for item in data.get("synonyms", [])
        ]
        qualifiers = [
            Qualifier(
                name_contains=tuple(folded_words(item["name_contains"])),
                evidence=tuple(tuple(folded_words(e)) for e in item["evidence"] if folded_words(e)),
            )
            for item in data.get("qualifiers", [])
        ]
        phrases = {code: list(items) for code, items in data.get("procedures", {}).items()}
        return cls(synonyms=synonyms, qualifiers=qualifiers, phrases=phrases)

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        if path is None:
            path = Path(str(resources.files("motcua.search") / "data" / "lexicon.json"))
        if not path.is_file():
            return cls()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def expansions(self, folded_query: list[str]) -> list[tuple[str, str]]:
        """(matched everyday term, official wording) for every synonym the query uses."""
        found: list[tuple[str, str]] = []
        for syn in self.synonyms:
            for term, shown in zip(syn.terms, syn.display_terms, strict=False):
                if contains_phrase(folded_query, list(term)):
                    found.append((shown, syn.expand))
                    break
        return found
