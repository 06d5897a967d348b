"""Which procedures the lexicon reaches only by their official wording.

For every procedure of the bundled catalog, counts the lexicon phrases that describe a life
situation rather than repeat the name: a phrase is *situational* when at most half of its
folded syllables occur in the procedure's name. Prints the procedures with fewer than
``--min`` such phrases, the sectors citizens bring most often first.

Usage: PYTHONPATH=src .venv/bin/python tools/lexicon_coverage.py [--min 3] [--all]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from motcua.search.normalize import folded_words

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "src/motcua/catalog/data/procedures.json"
LEXICON = ROOT / "src/motcua/search/data/lexicon.json"

# Sectors of the matters citizens bring most often to a commune desk (issue 12 brief).
FREQUENT = (
    "Hộ tịch",
    "Chứng thực",
    "cư trú",
    "Bảo trợ xã hội",
    "Đất đai",
    "xây dựng",
    "hộ kinh doanh",
    "Nghĩa vụ quân sự",
    "Giảm nghèo",
    "Hòa giải",
    "Nuôi con nuôi",
    "căn cước",
    "Chính sách",
)


def situational(phrase: str, name_words: set[str]) -> bool:
    words = folded_words(phrase)
    if not words:
        return False
    shared = sum(1 for w in words if w in name_words)
    return shared / len(words) <= 0.5


def coverage() -> list[tuple[int, int, str, str, str]]:
    procedures = json.loads(CATALOG.read_text(encoding="utf-8"))["procedures"]
    phrases = json.loads(LEXICON.read_text(encoding="utf-8"))["procedures"]
    rows = []
    for p in procedures:
        name_words = set(folded_words(p["name"]))
        own = phrases.get(p["code"], [])
        count = sum(1 for ph in own if situational(ph, name_words))
        frequent = any(f.lower() in p["sector"].lower() for f in FREQUENT)
        rows.append((0 if frequent else 1, count, p["code"], p["sector"], p["name"]))
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also the rarely asked sectors")
    args = parser.parse_args()
    rows = coverage()
    shown = [r for r in rows if r[1] < args.min and (args.all or r[0] == 0)]
    for _, count, code, sector, name in shown:
        print(f"{count:2d}  {code}  [{sector}]  {name}")
    total = sum(1 for r in rows if r[1] < args.min)
    print(f"{total} of {len(rows)} procedures have fewer than {args.min} situational phrases")


if __name__ == "__main__":
    main()
