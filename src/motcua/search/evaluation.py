"""Measuring procedure finding on labeled requests (``{"q", "codes", "style"}`` per line)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from motcua.search.engine import Engine, QueryError


@dataclass
class Score:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, rank: int | None) -> None:
        self.total += 1
        self.top1 += rank == 1
        self.top3 += rank is not None and rank <= 3

    def as_dict(self) -> dict:
        return {
            "n": self.total,
            "top1": round(self.top1 / self.total, 4) if self.total else None,
            "top3": round(self.top3 / self.total, 4) if self.total else None,
        }


@dataclass
class Report:
    overall: Score = field(default_factory=Score)
    by_style: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    latencies_ms: list[float] = field(default_factory=list)
    # CPU time of the whole process (every encoder thread) per query: on a shared machine the
    # wall clock measures the neighbours as much as the finder.
    cpu_ms: list[float] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        data = sorted(self.latencies_ms if values is None else values)
        if not data:
            return 0.0
        idx = min(len(data) - 1, max(0, round(p / 100 * (len(data) - 1))))
        return data[idx]

    def as_dict(self) -> dict:
        return {
            "overall": self.overall.as_dict(),
            "by_style": {k: v.as_dict() for k, v in sorted(self.by_style.items())},
            "latency_ms": {
                "p50": round(self.percentile(50), 2),
                "p95": round(self.percentile(95), 2),
            },
            "cpu_ms": {
                "p50": round(self.percentile(50, self.cpu_ms), 2),
                "p95": round(self.percentile(95, self.cpu_ms), 2),
            },
        }


class EvalFileError(ValueError):
    pass


def read_cases(path: Path) -> list[dict]:
    cases = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"dòng {lineno}: JSON không hợp lệ ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise EvalFileError(f'dòng {lineno}: thiếu trường "q" (chuỗi)')
        codes = item.get("codes")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            raise EvalFileError(f'dòng {lineno}: "codes" phải là danh sách mã thủ tục (chuỗi)')
        cases.append(item)
    return cases


def evaluate(engine: Engine, cases: list[dict], k: int = 5) -> Report:
    report = Report()
    engine.search("khai sinh", k=k)  # warm-up: first call pays one-off allocation costs
    for case in cases:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            hits = engine.search(case["q"], k=k)
        except QueryError:
            hits = []
        report.latencies_ms.append((time.perf_counter() - start) * 1000)
        report.cpu_ms.append((time.process_time() - cpu_start) * 1000)
        codes = [h.code for h in hits]
        rank = next((i + 1 for i, c in enumerate(codes) if c in case["codes"]), None)
        report.overall.add(rank)
        report.by_style[case.get("style") or "-"].add(rank)
        if rank != 1:
            report.misses.append({"q": case["q"], "want": case["codes"], "got": codes[:3]})
    return report
