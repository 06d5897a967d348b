"""Benchmark of procedure finding: accuracy, latency per query and peak memory.

Usage: .venv/bin/python bench/find_bench.py [QUERIES.jsonl] [--repeat N] [--no-need-clause]

It builds the finder the way the product does (bundled catalog + lexicon + e5 model, the
embedding cache warm), answers every query of the file N times in one process, and prints
top-1/top-3, p50/p95/max latency per query and the process's peak resident memory. Numbers
go to docs/benchmarks.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "queries.dev.jsonl"
    parser.add_argument("queries", nargs="?", type=Path, default=default)
    parser.add_argument("--repeat", type=int, default=3)
    # The need-clause embedding query is on in the product since held-out set 2 decided it
    # (docs/benchmarks.md, "Third pass"); --no-need-clause measures the engine without it.
    parser.add_argument("--need-clause", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from motcua.search.embedding import E5Embedder
    from motcua.search.engine import Engine, Weights
    from motcua.search.evaluation import evaluate, read_cases
    from motcua.search.finder import _docs_from_bundle
    from motcua.search.lexicon import Lexicon

    start = time.perf_counter()
    engine = Engine(
        _docs_from_bundle(),
        Lexicon.load(),
        E5Embedder(cache_dir=settings.MOTCUA_SEARCH_CACHE_DIR),
        Weights(need_clause=args.need_clause),
    )
    build_s = time.perf_counter() - start
    cases = read_cases(args.queries)
    reports = []
    for _ in range(args.repeat):
        # Every repeat starts with an empty query-vector cache: a repeat must cost what the
        # first asking costs, not a dictionary look-up.
        getattr(engine.embedder, "_queries", {}).clear()
        reports.append(evaluate(engine, cases))
    latencies = sorted(ms for r in reports for ms in r.latencies_ms)
    cpu = sorted(ms for r in reports for ms in r.cpu_ms)

    def pct(p: float, data: list[float] = latencies) -> float:
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]

    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "queries": str(args.queries.name),
        "n": len(cases),
        "repeat": args.repeat,
        "need_clause": args.need_clause,
        "procedures": len(engine.docs),
        "passages": len(engine.passage_texts),
        "build_s": round(build_s, 2),
        "accuracy": reports[0].as_dict()["overall"],
        "by_style": reports[0].as_dict()["by_style"],
        "latency_ms": {
            "p50": round(pct(50), 1),
            "p95": round(pct(95), 1),
            "max": round(latencies[-1], 1),
        },
        # Process CPU time per query (all encoder threads): the load of other programs on a
        # shared machine inflates the wall clock, not this.
        "cpu_ms": {"p50": round(pct(50, cpu), 1), "p95": round(pct(95, cpu), 1)},
        "encoder_threads": os.environ.get("MOTCUA_SEARCH_THREADS") or "default",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
