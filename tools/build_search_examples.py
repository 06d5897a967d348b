"""Rebuild the finder's example requests (src/motcua/search/data/examples.jsonl).

Usage: .venv/bin/python tools/build_search_examples.py FILE.jsonl [FILE.jsonl ...]

Reads the writers' files (``{"code", "q", "style"}`` per line, written from the catalog only,
see src/motcua/search/data/README.md), keeps the valid lines (NFC, a code of the bundled
catalog, a known style, no repeats) and writes them sorted by code. Then run
tools/build_search_cache.py so the shipped cache holds their vectors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from motcua.search.examples import bundled_examples_path, clean_lines

# The bundled national catalog (motcua.catalog.services.bundled_catalog_path, without Django).
CATALOG = (
    Path(__file__).resolve().parents[1] / "src" / "motcua" / "catalog" / "data" / "procedures.json"
)


def main(paths: list[Path]) -> None:
    codes = {p["code"] for p in json.loads(CATALOG.read_text(encoding="utf-8"))["procedures"]}
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    items = clean_lines(lines, codes)
    out = bundled_examples_path()
    out.write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8"
    )
    covered = len({item["code"] for item in items})
    print(
        f"wrote {len(items)} of {sum(1 for x in lines if x.strip())} lines "
        f"({covered} procedures) to {out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
