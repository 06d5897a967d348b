"""Whether a question belongs to another body: a learned nearest-neighbour check.

The tables of ``intents`` (other bodies, sectors, body vocabulary) know the matters they were
written for and nothing else; the finder always finds *some* commune procedure that shares a
word with a question. This module compares the question with labelled examples instead:
citizens' requests and remit items of bodies other than the commune
(``data/scope_bodies.json``), and citizens' requests for each commune procedure, the
procedures' names and the lexicon's phrases (``search/data/examples.jsonl``, the bundled catalog,
``search/data/lexicon.json``). The question's nearest examples of each side decide.

Every example is embedded once, when the data is written (``motcua scope-cache``), into
``data/scope_embeddings.npz`` keyed by a hash of the model and the text, as the finder's
passages are: nothing is embedded at server start, and a question costs the finder's query
vector (already computed, or one more encoding) and one matrix product. An absent, unreadable
or partial cache leaves the examples it lacks out; with none, ``decide`` returns None and the
assistant answers as it did without this check.

Examples are embedded as queries, through the finder's own reading of a request
(``Engine.parse(...).dense_text``, the salient words it gives the embedding model), so that
a question and an example are compared in the same form.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from motcua.search.embedding import text_key
from motcua.search.normalize import folded_words

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("data")
BODIES_FILE = DATA / "scope_bodies.json"
# The commune's examples are the finder's (one file, written by the catalog-only writers).
COMMUNE_FILE = Path(__file__).parents[1] / "search" / "data" / "examples.jsonl"
CACHE_FILE = DATA / "scope_embeddings.npz"
COMMUNE = "commune"
FORMAL_LETTER = (
    "Kính gửi Trung tâm Phục vụ hành chính công xã, tôi đề nghị được hướng dẫn thủ tục %(name)s."
)

# Nearest examples of each side averaged, and the margins by which the other side must lead:
# where the pipeline would refuse without naming a body (REFUSE_MARGIN), and where it would
# answer with the procedure the finder chose (ANSWER_MARGIN over all commune examples and
# PROCEDURE_MARGIN over that procedure's own). Tuned on the development files so that no
# commune request of the finder's query files and no fee, time or documents question that
# passed is sent away; the commune requests came as close as 0.020 / 0.020, other bodies'
# questions passed from 0.021 (docs/assistant.md, "Other bodies, learned").
K = 3
REFUSE_MARGIN = 0.018
ANSWER_MARGIN = 0.02
PROCEDURE_MARGIN = 0.025


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    short: str
    remit: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    text: str
    # A body's id, or COMMUNE.
    label: str
    # A remit item says what the body does in a few words: it names the matter in an answer.
    remit: bool = False
    # The procedure a commune example asks for.
    code: str = ""


@dataclass(frozen=True)
class Decision:
    """The question's nearest examples: ``other`` and ``commune`` are the mean similarity of
    the ``K`` nearest of each side, ``procedure`` the same over the examples of the procedure
    the finder chose (None without one), ``body`` the body of the nearest other-body examples
    and ``what`` that body's remit item nearest to the question."""

    body: Body
    what: str
    other: float
    commune: float
    procedure: float | None = None

    @property
    def margin(self) -> float:
        return self.other - self.commune

    def other_body(self, *, answering: bool) -> bool:
        """Whether the other side wins: by ``REFUSE_MARGIN`` where the pipeline would refuse
        anyway, by both answer margins where it would answer with the chosen procedure."""
        if not answering:
            return self.margin >= REFUSE_MARGIN
        return self.margin >= ANSWER_MARGIN and self.procedure_margin >= PROCEDURE_MARGIN

    @property
    def procedure_margin(self) -> float:
        """How far the other side is ahead of the chosen procedure's own examples: the finder
        chose it for a shared word, and its citizens' requests tell whether the question is
        about it at all."""
        return self.other - (self.commune if self.procedure is None else self.procedure)


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@cache
def bodies() -> dict[str, Body]:
    if not BODIES_FILE.is_file():
        return {}
    data = json.loads(BODIES_FILE.read_text(encoding="utf-8"))
    return {
        b["id"]: Body(b["id"], b["name"], b["short"], tuple(b["remit"])) for b in data["bodies"]
    }


def commune_requests() -> list[dict]:
    """The commune examples: ``{"code", "q", "style"}`` lines of the finder's examples file."""
    if not COMMUNE_FILE.is_file():
        return []
    lines = COMMUNE_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def examples() -> list[Example]:
    """Every labelled example, in a fixed order (the data files', then the catalog's)."""
    found: list[Example] = []
    if BODIES_FILE.is_file():
        data = json.loads(BODIES_FILE.read_text(encoding="utf-8"))
        for b in data["bodies"]:
            found.extend(Example(_nfc(item), b["id"], remit=True) for item in b["remit"])
        found.extend(Example(_nfc(r["q"]), r["body"]) for r in data["requests"])
    for request in commune_requests():
        found.append(Example(_nfc(request["q"]), COMMUNE, code=request["code"]))
    from motcua.catalog.services import bundled_catalog_path
    from motcua.search.engine import display_name

    catalog = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    for p in catalog["procedures"]:
        name = _nfc(display_name(p["name"]))
        found.append(Example(name, COMMUNE, code=p["code"]))
        # The same procedure asked in a letter's words: the other bodies' examples include
        # formal letters ("Kính gửi …, đề nghị hướng dẫn …"), and without commune letters the
        # form alone would vote for another body.
        found.append(
            Example(FORMAL_LETTER % {"name": name[:1].lower() + name[1:]}, COMMUNE, code=p["code"])
        )
    lexicon_path = Path(__file__).parents[1] / "search" / "data" / "lexicon.json"
    lexicon = json.loads(lexicon_path.read_text(encoding="utf-8"))
    for code, phrases in lexicon.get("procedures", {}).items():
        found.extend(Example(_nfc(p), COMMUNE, code=code) for p in phrases)
    # The same text under two labels would vote for both sides: the first label keeps it.
    seen: set[str] = set()
    unique = []
    for example in found:
        if example.text and example.text not in seen:
            seen.add(example.text)
            unique.append(example)
    return unique


@dataclass
class Index:
    vectors: np.ndarray
    examples: list[Example]
    is_commune: np.ndarray
    missing: int
    # Rows of each procedure's examples, and of each body's remit items.
    by_code: dict[str, np.ndarray] = field(default_factory=dict)
    remit_rows: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes: dict[str, list[int]] = {}
        remit: dict[str, list[int]] = {}
        for i, example in enumerate(self.examples):
            if example.code:
                codes.setdefault(example.code, []).append(i)
            if example.remit:
                remit.setdefault(example.label, []).append(i)
        self.by_code = {code: np.array(rows) for code, rows in codes.items()}
        self.remit_rows = {body: np.array(rows) for body, rows in remit.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> Index | None:
        path = path or CACHE_FILE
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, matrix = data["keys"].tolist(), data["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            log.warning("scope check off: no readable cache %s (%s)", path, exc)
            return None
        row = {str(k): i for i, k in enumerate(keys)}
        kept, rows = [], []
        for example in examples():
            i = row.get(text_key(example.text))
            if i is not None:
                kept.append(example)
                rows.append(i)
        missing = len(examples()) - len(kept)
        if missing:
            log.warning("scope cache lacks %d examples: run `motcua scope-cache`", missing)
        is_commune = np.array([e.label == COMMUNE for e in kept], dtype=bool)
        if not kept or is_commune.all() or not is_commune.any():
            return None
        vectors = np.asarray(matrix[rows], dtype=np.float32)
        return cls(vectors, kept, is_commune, missing)

    def decide(
        self, query_vector: np.ndarray, code: str | None = None, k: int = K
    ) -> Decision | None:
        sims = self.vectors @ query_vector
        other_sims = np.where(self.is_commune, -np.inf, sims)
        commune_sims = np.where(self.is_commune, sims, -np.inf)
        near_other = np.argpartition(-other_sims, k)[:k]
        near_commune = np.argpartition(-commune_sims, k)[:k]
        # The body whose examples among the nearest weigh most; the remit item of that body
        # nearest to the question names the matter.
        weight: dict[str, float] = {}
        for i in near_other:
            label = self.examples[int(i)].label
            weight[label] = weight.get(label, 0.0) + float(sims[i])
        body = bodies().get(max(weight, key=lambda b: weight[b]))
        if body is None:
            return None
        remit = self.remit_rows.get(body.id)
        what = (
            body.name if remit is None else self.examples[int(remit[np.argmax(sims[remit])])].text
        )
        own = sims[self.by_code[code]] if code in self.by_code else None
        return Decision(
            body=body,
            what=what,
            other=float(np.mean(sims[near_other])),
            commune=float(np.mean(sims[near_commune])),
            procedure=float(np.mean(np.sort(own)[-k:])) if own is not None else None,
        )


def other_body(decision: Decision):
    """The decision as a row of the other-bodies table, for ``compose.redirect``."""
    from motcua.assistant.intents import OtherBody

    return OtherBody(
        id=decision.body.id,
        what=decision.what,
        terms=(),
        unless=(),
        body=decision.body.name,
        note="",
        sources=(),
    )


_lock = threading.Lock()
_index: Index | None = None
_loaded = False


def index() -> Index | None:
    global _index, _loaded
    with _lock:
        if not _loaded:
            _index = Index.load()
            _loaded = True
        return _index


def reset() -> None:
    """Forget the loaded index (tests, and after ``scope-cache`` rewrites it)."""
    global _index, _loaded
    with _lock:
        _index, _loaded = None, False
    bodies.cache_clear()
    _short_names.cache_clear()


def decide(engine, text: str, code: str | None = None) -> Decision | None:
    """The nearest examples' verdict on ``text`` (the finder's reading of the question), or
    None when the check cannot run: no cache, no embedding model, a query the finder refuses."""
    from motcua.search.engine import Engine, QueryError

    if not isinstance(engine, Engine) or engine.embedder is None:
        return None
    found = index()
    if found is None:
        return None
    try:
        parsed = engine.parse(text)
    except QueryError:
        return None
    # The finder's own query vector: cached by the embedder when the finder computed it.
    vector = engine.embedder.query(parsed.dense_text)
    decision = found.decide(vector, code)
    named = named_body(text)
    if decision is None or named is None or named.id == decision.body.id:
        return decision
    # The citizen named the body ("vay ngân hàng nông nghiệp"): its neighbours' vote decides
    # whether the matter is another body's, the citizen's own words which one.
    remit = found.remit_rows.get(named.id)
    what = (
        named.name
        if remit is None
        else found.examples[int(remit[np.argmax(found.vectors[remit] @ vector)])].text
    )
    return Decision(
        body=named,
        what=what,
        other=decision.other,
        commune=decision.commune,
        procedure=decision.procedure,
    )


@cache
def _short_names() -> list[tuple[str, str]]:
    """(padded folded short name, body id), longest first: "ngân hàng chính sách" before
    "ngân hàng"."""
    names = []
    for body in bodies().values():
        for short in body.short.split("/"):
            said = " ".join(folded_words(short))
            if said:
                names.append((f" {said} ", body.id))
    return sorted(names, key=lambda n: -len(n[0]))


def named_body(text: str) -> Body | None:
    """The body the question names by its short name, if any (the longest)."""
    padded = f" {' '.join(folded_words(text))} "
    for name, body_id in _short_names():
        if name in padded:
            return bodies()[body_id]
    return None


def build_cache(engine, path: Path = CACHE_FILE, batch: int = 32) -> int:
    """Embed every example (as the finder reads it) into ``path``; returns how many."""
    wanted = examples()
    old: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as data:
            old = dict(zip(data["keys"].tolist(), data["vectors"], strict=False))
    keys = [text_key(e.text) for e in wanted]
    todo = [e.text for e, key in zip(wanted, keys, strict=True) if key not in old]
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        dense = [_dense(engine, t) for t in chunk]
        for text, d in zip(chunk, dense, strict=True):
            old[text_key(text)] = engine.embedder.query(d)
        log.info("scope cache: %d of %d embedded", start + len(chunk), len(todo))
    matrix = np.stack([old[k] for k in keys]).astype(np.float16)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, keys=np.array(keys), vectors=matrix)
    tmp.replace(path)
    reset()
    return len(keys)


def _dense(engine, text: str) -> str:
    from motcua.search.engine import QueryError

    try:
        return engine.parse(text).dense_text or text
    except QueryError:
        return text
