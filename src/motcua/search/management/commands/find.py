"""``motcua find "TEXT"`` and ``motcua find --jsonl`` (one query per stdin line)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.search.finder import QueryError, get_finder


class Command(BaseCommand):
    help = "Tìm thủ tục hành chính theo lời người dân (in 5 kết quả đầu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="*", help="Nội dung cần tìm")
        parser.add_argument(
            "--jsonl", action="store_true", help="Đọc mỗi dòng stdin một câu, in mỗi dòng một JSON"
        )
        parser.add_argument("-k", type=int, default=5, help="Số kết quả (mặc định 5)")

    def handle(self, *args, text: list[str], jsonl: bool, k: int, **options) -> None:
        if not 1 <= k <= 50:
            raise CommandError("-k phải từ 1 đến 50.")
        finder = get_finder()
        if jsonl:
            out = sys.stdout
            for line in sys.stdin:
                query = line.rstrip("\n")
                record: dict = {"q": query, "results": []}
                try:
                    hits = finder.search(query, k=k)
                    record["results"] = [
                        {"code": h.code, "name": h.name, "score": h.score} for h in hits
                    ]
                except QueryError as exc:
                    record["error"] = exc.message
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
            return
        query = " ".join(text)
        try:
            hits = finder.search(query, k=k)
        except QueryError as exc:
            raise CommandError(exc.message) from None
        for rank, hit in enumerate(hits, 1):
            self.stdout.write(f"{rank}. {hit.code}  {hit.name}  [{hit.score:.3f}]  {hit.reason}")
