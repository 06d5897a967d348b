"""Optional rephrasing by an OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama), under a
guardrail: the model may reword the composed answer, never add to it.

Every number (fees, time limits, counts, codes, dates), office name, document and link in the
model's text must already be in the composed answer, and nothing it says may repeat personal
data removed from the question. On any mismatch, an error, a timeout or an empty reply, the
composed answer is returned unchanged: a citizen never sees a fact the catalog does not hold.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import replace

from django.conf import settings
from vn_text import fold

from motcua.assistant.compose import Answer
from motcua.assistant.guard import echoes

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "Bạn là trợ lý của Trung tâm Phục vụ hành chính công cấp xã. Hãy viết lại câu trả lời dưới "
    "đây cho dễ hiểu, lịch sự, ngắn gọn, bằng tiếng Việt có dấu. Chỉ dùng thông tin có trong câu "
    "trả lời: không thêm số tiền, thời hạn, giấy tờ, cơ quan hay đường dẫn nào khác. Giữ nguyên "
    "đường dẫn."
)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Words that open the name of an office or a document: what follows them must be in the facts.
_OFFICE_HEADS = (
    "uy ban",
    "ubnd",
    "cong an",
    "so ",
    "phong ",
    "bo ",
    "toa an",
    "bao hiem xa hoi",
    "trung tam",
    "cuc ",
    "chi cuc",
    "co quan",
)
_DOCUMENT_HEADS = (
    "giay ",
    "to khai",
    "don ",
    "ban sao",
    "ban chinh",
    "van ban",
    "phieu ",
    "ho chieu",
    "the can cuoc",
    "so ho khau",
    "hop dong",
    "chung tu",
    "bien ban",
    "quyet dinh",
    "anh ",
)
_URL = re.compile(r"https?://\S+|/[a-z][a-z0-9\-]*/[\w.\-/]*")


def _folded(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", fold(text).lower())) + " "


_QUANTITY = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(ngay lam viec|ngay|gio|thang|nam|dong|nghin|ngan|trieu|ban|tuoi|lan)\b"
)
_SPELLED = re.compile(
    r"\b(mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|muoi lam|hai muoi|ba muoi)\s+"
    r"(ngay|gio|thang|tuan|nghin|ngan|trieu)\b"
)


def _without_urls(text: str) -> str:
    return _URL.sub(" ", text)


def _numbers(text: str) -> set[str]:
    text = _without_urls(text)
    return {re.sub(r"[.,]", "", n).lstrip("0") or "0" for n in _NUMBER.findall(text)}


def _quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs, folded: "2 ngày" and "10.000 đồng" must match the facts as pairs."""
    folded = " ".join(fold(_without_urls(text)).lower().split())
    found = {
        (re.sub(r"[.,]", "", n).lstrip("0") or "0", unit) for n, unit in _QUANTITY.findall(folded)
    }
    found |= {(word, unit) for word, unit in _SPELLED.findall(folded)}
    return found


def check(rephrased: str, composed: Answer, removed: list[str]) -> str | None:
    """The first reason to reject ``rephrased``, or None when it only restates ``composed``."""
    if not rephrased.strip():
        return "empty"
    if len(rephrased) > 3 * len(composed.text) + 200:
        return "too long"
    if echoes(rephrased, removed):
        return "personal data"
    if _numbers(rephrased) - _numbers(composed.text):
        return "number"
    if _quantities(rephrased) - _quantities(composed.text):
        return "quantity"
    source = _folded(composed.text)
    out = _folded(rephrased)
    for heads, reason in ((_OFFICE_HEADS, "office"), (_DOCUMENT_HEADS, "document")):
        for head in heads:
            start = 0
            while (i := out.find(" " + head, start)) >= 0:
                # The head and the two words after it must appear together in the facts.
                phrase = " ".join(out[i + 1 :].split()[: len(head.split()) + 2])
                if f" {phrase} " not in source and f" {phrase}" not in source:
                    return reason
                start = i + 1
    for url in _URL.findall(rephrased):
        if url.rstrip(".,;)") not in composed.text:
            return "link"
    if composed.link and composed.link not in rephrased:
        return "link missing"
    if (
        "miễn phí" in rephrased.lower()
        and composed.fee_vnd != 0
        and "miễn phí" not in composed.text.lower()
    ):
        return "fee"
    return None


def _call(url: str, model: str, question: str, composed: str, timeout: float) -> str:
    body = json.dumps(
        {
            "model": model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {
                    "role": "user",
                    "content": f"Câu hỏi: {question}\n\nCâu trả lời cần viết lại:\n{composed}",
                },
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked in maybe_rephrase
        url.rstrip("/") + "/v1/chat/completions",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data = json.loads(response.read(1_000_000).decode("utf-8"))
    return str(data["choices"][0]["message"]["content"])


def maybe_rephrase(answer: Answer, *, question: str, removed: list[str]) -> Answer:
    url = getattr(settings, "MOTCUA_ASSISTANT_LLM_URL", "")
    if not url or not url.startswith(("http://", "https://")):
        return answer
    model = getattr(settings, "MOTCUA_ASSISTANT_LLM_MODEL", "local")
    timeout = float(getattr(settings, "MOTCUA_ASSISTANT_LLM_TIMEOUT", 8.0))
    try:
        text = _call(url, model, question, answer.text, timeout)
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning(
            "assistant language model unavailable (%s); composed answer kept", type(exc).__name__
        )
        return answer
    reason = check(text, answer, removed)
    if reason is not None:
        log.warning("assistant guardrail rejected the rephrased answer (%s)", reason)
        return answer
    return replace(answer, text=text.strip(), rephrased=True)
