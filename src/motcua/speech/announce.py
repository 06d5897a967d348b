"""The queue call: "Mời công dân có số thứ tự … đến quầy số …", as text and as audio."""

from __future__ import annotations

from pathlib import Path

from motcua.speech.errors import SpeechError
from motcua.speech.numbers import read_int
from motcua.speech.tts import Voice, synthesize

MAX_TICKET = 999_999
MAX_COUNTER = 999


def _check(value: object, upper: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= upper:
        raise SpeechError(f"{what} phải là số nguyên từ 1 đến {upper}.")
    return value


def call_text(number: int, counter: int) -> str:
    """call_text(1015, 2) → "Mời công dân có số thứ tự một nghìn không trăm mười lăm đến quầy
    số hai". Words, not digits, so every voice (and the clip set) reads it the same way."""
    number = _check(number, MAX_TICKET, "Số thứ tự")
    counter = _check(counter, MAX_COUNTER, "Số quầy")
    return f"Mời công dân có số thứ tự {read_int(number)} đến quầy số {read_int(counter)}"


def synthesize_call(
    number: int,
    counter: int,
    fmt: str = "wav",
    *,
    chime: bool = True,
    voice: Voice | None = None,
) -> Path:
    """The call as a cached audio file, chime first. With ``MOTCUA_SPEECH_VOICE=clips`` the
    center's recorded clips are joined; a clip set missing a word falls back to espeak-ng."""
    return synthesize(call_text(number, counter), fmt, voice=voice, chime=chime)
