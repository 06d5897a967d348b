"""Every hit of the finder (code, score, reason) for a set of questions, as JSON lines.

Usage: .venv/bin/python bench/finder_outputs.py OUT.jsonl [--queries FILE ...]

For a change meant to make the finder faster without changing what it finds (issue 10): run
it on the tree before and after the change (a ``git archive`` copy of the old commit will do)
and compare the two files, e.g. ``cmp before.jsonl after.jsonl``. The index is built from the
bundled national catalog (no database) with the real embedding model; the questions are the
"q" of each JSON line of the given files (default: queries.dev.jsonl and qa.dev.jsonl beside
it), then a few edge cases (fillers only, denials, ages, no diacritics).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from lookup_load import DEFAULT_QUERIES
from setup_db import configure

EDGE_CASES = [
    "a",
    "khai sinh",
    "khong phai cong tac vien dich thuat",
    "tôi không muốn chuyển đi, muốn chuyển đến",
    "đăng ký kết hôn có yếu tố nước ngoài",
    "khai tử cho bố 70 tuổi",
    "chung thuc ban sao",
    "xin giấy phép xây dựng nhà ở riêng lẻ",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--queries",
        type=Path,
        nargs="*",
        default=[DEFAULT_QUERIES, DEFAULT_QUERIES.with_name("qa.dev.jsonl")],
    )
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="motcua-finder-outputs-")
    configure(f"sqlite:///{var_dir}/db.sqlite3", var_dir)
    from motcua.search.finder import QueryError, build_finder

    engine = build_finder(use_database=False)
    questions = [
        json.loads(line)["q"]
        for path in args.queries
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with args.out.open("w", encoding="utf-8") as out:
        for question in [*questions, *EDGE_CASES]:
            try:
                hits = [[h.code, h.score, h.reason] for h in engine.search(question, k=args.k)]
            except QueryError as exc:
                hits = f"QueryError: {exc.message}"
            out.write(json.dumps([question, hits], ensure_ascii=False) + "\n")
    print(f"{len(questions) + len(EDGE_CASES)} questions → {args.out}")


if __name__ == "__main__":
    main()
