"""The assistant's pages: a public chat on the lookup site and a page on the kiosk.

Server-rendered; on the lookup site htmx posts the form and appends the answer (no inline
script, the strict CSP holds). Without JavaScript the same form posts and the page comes back
with the answer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.assistant import services
from motcua.kiosk.device import kiosk_required

MAX_FIELD_CHARS = 2000


def _turn_context(request: HttpRequest) -> tuple[dict, int]:
    question = request.POST.get("question", "")[:MAX_FIELD_CHARS]
    try:
        turn = services.answer_request(request, question)
    except services.TooManyQuestions as exc:
        return {"error": exc.message}, 429
    except services.QuestionError as exc:
        return {"error": exc.message}, 400
    return {"turn": turn}, 200


@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("reset"):
        services.forget(request)
        return render(request, "assistant/chat.html", {})
    if request.method == "GET":
        return render(request, "assistant/chat.html", {})
    context, status = _turn_context(request)
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers; the message belongs in the conversation.
        # The answer is appended; the emptied question box replaces the old one out of band.
        return render(request, "assistant/_turn.html", {**context, "htmx": True})
    return render(request, "assistant/chat.html", context, status=status)


@kiosk_required
@require_http_methods(["GET", "POST"])
def kiosk_chat(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    status = 200
    if request.method == "POST":
        context, status = _turn_context(request)
    return render(request, "assistant/kiosk.html", context, status=status)
