"""Speech over HTTP for any surface (the kiosk, the assistant): a recording in, words out as
JSON; a text the server produced, out as audio.

``transcribe_response`` and ``speech_response`` hold the limits and the messages so every
endpoint behaves alike; the view around them decides who may call (the kiosk's device cookie,
the assistant's session) and which text may be spoken. Never pass them text taken from the URL
or the request: a public "read this aloud" endpoint would let anyone use the server as a free
speech synthesizer, and fill its cache.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, HttpRequest, JsonResponse

from motcua.core.ratelimit import Limit, hit
from motcua.speech import asr
from motcua.speech.errors import SpeechError
from motcua.speech.radio import preferred_format
from motcua.speech.tts import synthesize

logger = logging.getLogger(__name__)

MAX_SPOKEN_CHARS = 1500
AUDIO_TYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav"}


def _error(code: str, message: str, status: int, retry_after: int = 0) -> JsonResponse:
    response = JsonResponse({"error": message, "code": code}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def limited(limit: Limit, key: str) -> JsonResponse | None:
    """A 429 JSON answer when ``key`` has used up ``limit``, else None (and the call counted)."""
    verdict = hit(limit, key)
    if verdict.allowed:
        return None
    return _error(
        "rate_limited",
        "Bạn đã dùng giọng nói quá nhiều lần. Xin đợi một lát hoặc gõ, chạm để tiếp tục.",
        429,
        verdict.retry_after,
    )


def transcribe_response(request: HttpRequest) -> JsonResponse:
    """The body of a POST (a MediaRecorder blob, its content type in the header) as
    ``{"text", "seconds"}``, or ``{"error", "code"}`` with a Vietnamese message."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > asr.MAX_UPLOAD_BYTES:
        exc = asr.error_for("too_big")
        return _error(exc.code, exc.message, exc.status)
    try:
        body = request.body
    except RequestDataTooBig:
        exc = asr.error_for("too_big")
        return _error(exc.code, exc.message, exc.status)
    try:
        transcript = asr.transcribe(body, request.content_type or "")
    except asr.RecognitionError as exc:
        return _error(exc.code, exc.message, exc.status)
    return JsonResponse(
        {"text": transcript.text, "seconds": round(transcript.audio_seconds, 2)},
        json_dumps_params={"ensure_ascii": False},
    )


def speech_response(text: str) -> FileResponse | JsonResponse:
    """A server-made text as audio (MP3 when an encoder exists), from the speech cache."""
    text = text[:MAX_SPOKEN_CHARS]
    fmt = preferred_format()
    try:
        path = synthesize(text, fmt)
    except SpeechError as exc:
        logger.warning("Không đọc được lời nhắc (%s).", type(exc).__name__)
        return _error("no_voice", "Máy này chưa đọc được thành tiếng. Xin đọc trên màn hình.", 503)
    response = FileResponse(path.open("rb"), content_type=AUDIO_TYPES[fmt])
    response["Content-Length"] = str(path.stat().st_size)
    return response
