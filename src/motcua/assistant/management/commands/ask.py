"""``motcua ask "câu hỏi"`` prints the answer; ``motcua ask --jsonl`` answers one question per
line of standard input with one JSON object per line (the issue's exact interface)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.assistant.pipeline import QuestionError, ask


class Command(BaseCommand):
    help = "Hỏi đáp thủ tục hành chính: in câu trả lời (hoặc JSONL với --jsonl)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question", nargs="?", help="Câu hỏi")
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help="Đọc mỗi dòng stdin một câu hỏi, in mỗi dòng một đối tượng JSON",
        )

    def handle(self, *args, question: str | None, jsonl: bool, **options) -> None:
        if jsonl:
            if question:
                raise CommandError("Dùng --jsonl thì câu hỏi đọc từ stdin, không kèm tham số.")
            self._jsonl()
            return
        if not question:
            raise CommandError('Thiếu câu hỏi. Ví dụ: motcua ask "đăng ký khai sinh cần gì?"')
        try:
            answer, _memory = ask(question)
        except QuestionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(answer.text)

    def _jsonl(self) -> None:
        stdin = sys.stdin
        for line in stdin:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            try:
                answer, _memory = ask(line)
                out = answer.as_json()
            except QuestionError as exc:
                # One line of bad input must not end the batch: an answer that says why.
                out = {
                    "answer": exc.message,
                    "code": None,
                    "refused": True,
                    "facts": {"fee_vnd": None, "time": None, "documents": []},
                }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            self.stdout.flush()
