"""``motcua eval-find FILE.jsonl``: top-1/top-3 accuracy per style and latency percentiles."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.search.evaluation import EvalFileError, evaluate, read_cases
from motcua.search.finder import get_finder


class Command(BaseCommand):
    help = "Đo độ chính xác tìm thủ tục trên tệp JSONL {q, codes, style}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
        parser.add_argument("--misses", action="store_true", help="In các câu xếp sai hạng 1")

    def handle(self, *args, file: Path, json: bool, misses: bool, **options) -> None:
        try:
            cases = read_cases(file)
        except OSError as exc:
            raise CommandError(f"Không đọc được {file}: {exc.strerror}") from None
        except EvalFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if not cases:
            raise CommandError(f"{file}: không có câu nào để đánh giá.")
        report = evaluate(get_finder(), cases)
        if json:
            self.stdout.write(_json_dumps(report.as_dict()))
        else:
            o = report.overall
            self.stdout.write(
                f"overall  n={o.total}  top1={o.top1 / o.total:.1%}  top3={o.top3 / o.total:.1%}"
            )
            for style, s in sorted(report.by_style.items()):
                self.stdout.write(
                    f"  {style:<14} n={s.total:<4} top1={s.top1 / s.total:.1%}  "
                    f"top3={s.top3 / s.total:.1%}"
                )
            self.stdout.write(
                f"latency per query: p50={report.percentile(50):.1f} ms  "
                f"p95={report.percentile(95):.1f} ms  "
                f"(CPU p50={report.percentile(50, report.cpu_ms):.1f} ms  "
                f"p95={report.percentile(95, report.cpu_ms):.1f} ms)"
            )
        if misses:
            for miss in report.misses:
                self.stdout.write(_json_dumps(miss))


def _json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
