"""Benchmark of the assistant without a language model: pass rates and latency per question.

Usage: .venv/bin/python bench/assistant_bench.py [QA.jsonl ...] [--repeat N]

For each file it answers every question N times in one process through the same pipeline as
``motcua ask`` (guard, routing with the real finder over the bundled catalog, composed answer),
and prints the pass rates per kind (``motcua eval-ask`` scoring), wall-clock latency p50/p95/max
and the process's CPU time per question p50/p95 (on a shared machine wall time also measures the
neighbours), with the load average. Numbers go to docs/benchmarks.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "qa.dev.jsonl"
    parser.add_argument("files", nargs="*", type=Path, default=[default])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from motcua.assistant.evaluation import evaluate, read_cases

    print(f"python {sys.version.split()[0]} on {platform.machine()}, load {os.getloadavg()}")
    for path in args.files:
        cases = read_cases(path)
        wall: list[float] = []
        cpu: list[float] = []
        report = None
        for _ in range(max(1, args.repeat)):
            report = evaluate(cases)
            wall += report.latencies_ms
            cpu += report.cpu_ms
        assert report is not None
        report.latencies_ms, report.cpu_ms = wall, cpu
        summary = report.as_dict()
        summary["latency_ms"]["max"] = round(max(wall), 2)
        print(path.name, json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
