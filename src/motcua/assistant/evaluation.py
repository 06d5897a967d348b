"""Scoring the assistant on labelled questions (the format of ``qa.dev.jsonl``).

One JSON object per line: ``q``, ``kind`` (fee, time, documents, pii, out_of_scope, no_answer),
``code`` (the procedure, or null), ``style`` and ``expect``:
- fee: ``{"fee_vnd": int}`` — the answer's fee must be exactly that;
- time: ``{"days": number, "unit": "working_days"|"days"|"hours"}`` — exactly that;
- documents: ``{"must_mention_any": [str]}`` — the answer names at least one of them;
- pii: ``{"must_not_echo": [str]}`` — the answer repeats none of them;
- out_of_scope / no_answer: ``{"refuse": true, "redirect_hint"?: str}`` — refused, and the
  answer names the body (the hint, compared without diacritics);
- not_in_catalog: ``{"no_facts": true}`` — a commune matter the catalog does not hold: the
  answer states no fee, no time limit and no document (nothing invented).
Routing (the answer's code equals ``code``) is reported beside the pass rates.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from vn_text import fold

from motcua.assistant.compose import Answer
from motcua.assistant.guard import echoes, redact
from motcua.assistant.pipeline import QuestionError, ask
from motcua.search.evaluation import EvalFileError

KINDS = ("fee", "time", "documents", "pii", "out_of_scope", "no_answer", "not_in_catalog")


@dataclass
class Tally:
    n: int = 0
    passed: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.passed += ok

    def as_dict(self) -> dict:
        return {"n": self.n, "pass": round(self.passed / self.n, 4) if self.n else None}


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    routing: Tally = field(default_factory=Tally)
    pii_echoed: int = 0
    # Answers that asked back which procedure: a clear question asked back is a miss too.
    clarified: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    # CPU time of this process per question: on a shared machine wall time also measures the
    # neighbours; both are reported.
    cpu_ms: list[float] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def percentile(self, p: float, *, cpu: bool = False) -> float:
        data = sorted(self.cpu_ms if cpu else self.latencies_ms)
        if not data:
            return 0.0
        return data[min(len(data) - 1, max(0, round(p / 100 * (len(data) - 1))))]

    def as_dict(self) -> dict:
        return {
            "overall": self.overall.as_dict(),
            "by_kind": {k: v.as_dict() for k, v in sorted(self.by_kind.items())},
            "by_style": {k: v.as_dict() for k, v in sorted(self.by_style.items())},
            "routing": self.routing.as_dict(),
            "pii_echoed": self.pii_echoed,
            "clarified": self.clarified,
            "latency_ms": {
                "p50": round(self.percentile(50), 2),
                "p95": round(self.percentile(95), 2),
            },
            "cpu_ms": {
                "p50": round(self.percentile(50, cpu=True), 2),
                "p95": round(self.percentile(95, cpu=True), 2),
            },
        }


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
        if item.get("kind") not in KINDS:
            raise EvalFileError(f'dòng {lineno}: "kind" phải là một trong {", ".join(KINDS)}')
        if not isinstance(item.get("expect"), dict):
            raise EvalFileError(f'dòng {lineno}: thiếu "expect" (đối tượng)')
        cases.append(item)
    return cases


def _folded(text: str) -> str:
    return " ".join(fold(text).lower().split())


def judge(case: dict, answer: Answer | None) -> tuple[bool, str]:
    """Whether ``answer`` meets the case's expectation, and why not."""
    expect = case["expect"]
    kind = case["kind"]
    if answer is None:
        return False, "no answer (input refused)"
    if kind == "fee":
        if answer.fee_vnd != expect.get("fee_vnd"):
            return False, f"fee {answer.fee_vnd} != {expect.get('fee_vnd')}"
        return True, ""
    if kind == "time":
        want = {"value": expect.get("days"), "unit": expect.get("unit")}
        if answer.time != want:
            return False, f"time {answer.time} != {want}"
        return True, ""
    if kind == "documents":
        text = _folded(answer.text)
        if any(_folded(d) in text for d in expect.get("must_mention_any", [])):
            return True, ""
        return False, "no expected document named"
    if kind == "pii":
        if echoes(answer.text, list(expect.get("must_not_echo", []))):
            return False, "personal data echoed"
        return True, ""
    if kind == "not_in_catalog":
        stated = [
            name
            for name, value in (
                ("fee", answer.fee_vnd),
                ("time", answer.time),
                ("documents", answer.documents),
            )
            if value
        ]
        # A fee of 0 is a statement too ("miễn phí"), hence the explicit None check.
        if answer.fee_vnd is not None and "fee" not in stated:
            stated.insert(0, "fee")
        if stated:
            return False, "stated " + ", ".join(stated) + " for a matter not in the catalog"
        return True, ""
    # out_of_scope, no_answer
    if expect.get("refuse") and not answer.refused:
        return False, "not refused"
    hint = expect.get("redirect_hint")
    if hint and _folded(hint) not in _folded(answer.text):
        return False, f"body not named ({hint})"
    return True, ""


def evaluate(cases: list[dict]) -> Report:
    report = Report()
    ask("khai sinh", rephrase=False)  # warm-up: the finder and the catalog load once
    for case in cases:
        start = time.perf_counter()
        cpu_start = time.process_time()
        try:
            answer: Answer | None = ask(case["q"], rephrase=False)[0]
        except QuestionError:
            answer = None
        report.latencies_ms.append((time.perf_counter() - start) * 1000)
        report.cpu_ms.append((time.process_time() - cpu_start) * 1000)
        ok, why = judge(case, answer)
        report.overall.add(ok)
        report.by_kind[case["kind"]].add(ok)
        report.by_style[case.get("style") or "-"].add(ok)
        if answer is not None and answer.kind == "clarify":
            report.clarified += 1
        if case["kind"] == "pii" and not ok:
            report.pii_echoed += 1
        if case.get("code"):
            report.routing.add(answer is not None and answer.code == case["code"])
        if not ok:
            report.misses.append(
                {
                    # The question as the assistant saw it: personal data removed.
                    "q": redact(case["q"]).text,
                    "kind": case["kind"],
                    "want_code": case.get("code"),
                    "got_code": answer.code if answer else None,
                    "why": why,
                }
            )
    return report
