"""``motcua eval-ask FILE.jsonl``: the assistant's pass rates per kind and style, and latency."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.assistant.evaluation import evaluate, read_cases
from motcua.search.evaluation import EvalFileError


class Command(BaseCommand):
    help = "Đo chất lượng trợ lý hỏi đáp trên tệp JSONL {q, kind, code, expect, style}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
        parser.add_argument("--misses", action="store_true", help="In các câu trả lời chưa đạt")

    def handle(self, *args, file: Path, json: bool, misses: bool, **options) -> None:
        try:
            cases = read_cases(file)
        except OSError as exc:
            raise CommandError(f"Không đọc được {file}: {exc.strerror}") from None
        except EvalFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if not cases:
            raise CommandError(f"{file}: không có câu nào để đánh giá.")
        report = evaluate(cases)
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            o = report.overall
            self.stdout.write(f"overall  n={o.n}  pass={o.passed / o.n:.1%}")
            self.stdout.write("by kind:")
            for kind, t in sorted(report.by_kind.items()):
                self.stdout.write(f"  {kind:<14} n={t.n:<4} pass={t.passed / t.n:.1%}")
            self.stdout.write("by style:")
            for style, t in sorted(report.by_style.items()):
                self.stdout.write(f"  {style:<14} n={t.n:<4} pass={t.passed / t.n:.1%}")
            r = report.routing
            if r.n:
                self.stdout.write(f"routing (code right) n={r.n}  {r.passed / r.n:.1%}")
            self.stdout.write(f"personal data echoed: {report.pii_echoed}")
            self.stdout.write(f"asked back (clarifying question): {report.clarified}")
            self.stdout.write(
                f"latency per question: p50={report.percentile(50):.1f} ms  "
                f"p95={report.percentile(95):.1f} ms  (CPU p50={report.percentile(50, cpu=True):.1f}"
                f" ms  p95={report.percentile(95, cpu=True):.1f} ms)"
            )
        if misses:
            for miss in report.misses:
                self.stdout.write(_dumps(miss))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
