"""The assistant behind a web request: rate limit, session memory, one call to the pipeline."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.assistant.compose import Answer
from motcua.assistant.guard import redact
from motcua.assistant.pipeline import Memory, QuestionError, ask
from motcua.core.ratelimit import Limit, client_address, hit

# The finder costs tens of milliseconds of CPU per question: a person asks a few questions a
# minute; a loop from one address is cut off after this many.
QUESTIONS_PER_ADDRESS = Limit("assistant:ip", hits=30, window_seconds=60)
SESSION_KEY = "assistant"


class TooManyQuestions(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.message = _(
            "Bạn đã hỏi quá nhiều trong một phút. Xin đợi %(seconds)d giây rồi hỏi tiếp."
        ) % {"seconds": retry_after}


@dataclass
class Turn:
    answer: Answer
    # The question as the assistant kept it: personal data removed, safe to show back.
    question_shown: str


def answer_request(request: HttpRequest, question: object) -> Turn:
    """Raises ``TooManyQuestions`` or ``QuestionError``; the session keeps codes only."""
    verdict = hit(QUESTIONS_PER_ADDRESS, client_address(request))
    if not verdict.allowed:
        raise TooManyQuestions(verdict.retry_after)
    now = time.time()
    memory = Memory.from_dict(request.session.get(SESSION_KEY), now=now)
    answer, new_memory = ask(question, memory=memory, now=now)
    request.session[SESSION_KEY] = new_memory.as_dict()
    return Turn(answer=answer, question_shown=redact(str(question)).text)


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


__all__ = ["QuestionError", "TooManyQuestions", "Turn", "answer_request", "forget"]
