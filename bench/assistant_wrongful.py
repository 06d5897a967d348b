"""Wrongful refusals: commune procedures the assistant sends elsewhere or calls uncatalogued.

Usage: .venv/bin/python bench/assistant_wrongful.py [--list]

Every line of the finder's query files (tests/data/heldout*/queries.jsonl,
tests/data/queries.holdout.jsonl, tests/data/finder.*.jsonl and the shared
queries.dev.jsonl) is a citizen's request for a procedure the commune's catalog holds. Each is
asked through the assistant pipeline without a language model (``ask(q, rephrase=False)``);
an answer that redirects to another body, refuses, or says the catalog holds no such
procedure is a wrongful refusal. Prints the counts per file and in total; ``--list`` prints
each wrongful answer's kind and the question with personal data removed.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

ROOT = Path(__file__).resolve().parents[1]
# What counts as wrongful: a redirect or refusal to answer, or "not in the catalog".
WRONGFUL = {"redirect": "redirect", "refused": "refused", "not_in_catalog": "not_in_catalog"}


def query_files() -> list[Path]:
    data = ROOT / "tests" / "data"
    files = sorted(data.glob("heldout*/queries.jsonl"))
    files += [data / "queries.holdout.jsonl", *sorted(data.glob("finder.*.jsonl"))]
    shared = Path("/work/shared/data/queries.dev.jsonl")
    if shared.exists():
        files.append(shared)
    return [f for f in files if f.exists()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="print each wrongful answer")
    args = parser.parse_args()

    import django

    django.setup()
    from motcua.assistant.guard import redact
    from motcua.assistant.pipeline import QuestionError, ask

    total: Counter[str] = Counter()
    for path in query_files():
        counts: Counter[str] = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            question = json.loads(line)["q"]
            counts["requests"] += 1
            try:
                answer = ask(question, rephrase=False)[0]
            except QuestionError:
                continue
            kind = WRONGFUL.get(answer.kind)
            if kind is None:
                continue
            counts[kind] += 1
            if args.list:
                shown = redact(question).text
                print(f"  {kind:<15} {path.parent.name}/{path.name}: {shown}")
        total.update(counts)
        print(
            f"{path.parent.name}/{path.name}: requests={counts['requests']} "
            f"redirect={counts['redirect']} refused={counts['refused']} "
            f"not_in_catalog={counts['not_in_catalog']}"
        )
    print(
        f"TOTAL requests={total['requests']} redirect={total['redirect']} "
        f"refused={total['refused']} not_in_catalog={total['not_in_catalog']}"
    )


if __name__ == "__main__":
    main()
