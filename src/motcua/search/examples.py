"""Example requests per procedure (``data/examples.jsonl``): how citizens tell their story.

Each line is ``{"code", "q", "style"}``: a request a citizen could say for that procedure,
written by writers who read only the catalog (see ``data/README.md``). The finder embeds them
with the same model as the names and phrases and compares a request with a procedure's
examples: an indirect story ("bố tôi vừa mất ở nhà, giờ nhà tôi phải làm gì") is nearer to
other stories of the same need than to the official name or a short phrase.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Iterable
from importlib import resources
from pathlib import Path

STYLES = frozenset(["colloquial", "question", "dialect", "no_diacritics", "typo"])
# A request shorter than this says too little to stand for a procedure; a longer one is not
# how a citizen talks (and costs the build more than it brings).
MIN_CHARS, MAX_CHARS = 8, 400
_SPACES = re.compile(r"\s+")


def bundled_examples_path() -> Path:
    return Path(str(resources.files("motcua.search") / "data" / "examples.jsonl"))


def normalized(text: str) -> str:
    """NFC, control characters out, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def clean_lines(lines: Iterable[str], codes: Collection[str] | None = None) -> list[dict[str, str]]:
    """Valid, normalized, deduplicated example lines; the others are dropped.

    Dropped: blank or unparsable lines, a code not in ``codes`` (when given), an unknown
    style, a request too short or too long, and a repeat of an earlier request (compared
    case-insensitively, whatever its code: a request two procedures share tells neither).
    """
    seen: dict[str, int] = {}
    out: list[dict[str, str]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(item, dict):
            continue
        code, q, style = item.get("code"), item.get("q"), item.get("style")
        if not (isinstance(code, str) and isinstance(q, str) and style in STYLES):
            continue
        code, q = code.strip(), normalized(q)
        if (codes is not None and code not in codes) or not MIN_CHARS <= len(q) <= MAX_CHARS:
            continue
        key = q.lower()
        if key in seen:
            first = seen[key]
            if first >= 0 and out[first]["code"] != code:
                out[first]["code"] = ""  # shared by two procedures: drop both
                seen[key] = -1
            continue
        seen[key] = len(out)
        out.append({"code": code, "q": q, "style": str(style)})
    return sorted((o for o in out if o["code"]), key=lambda o: o["code"])


def load_examples(path: Path | None = None) -> dict[str, list[str]]:
    """The example requests per procedure code (empty when the file is absent)."""
    path = bundled_examples_path() if path is None else path
    if not path.is_file():
        return {}
    by_code: dict[str, list[str]] = {}
    for item in clean_lines(path.read_text(encoding="utf-8").splitlines()):
        by_code.setdefault(item["code"], []).append(item["q"])
    return by_code
