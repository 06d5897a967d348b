"""The spoken call: "Mời công dân có số thứ tự … đến quầy số …" as a WAV file.

``motcua.speech`` reads the numbers the Vietnamese way, speaks with the configured voice (the
center's recorded clips, Piper, an HTTP voice, espeak-ng by default; a failing voice falls back
to espeak-ng there) and caches the file by its text, so a recall costs nothing. The TV page
plays its own chime first, so the file has none. Numbers only, no personal data.
"""

from __future__ import annotations

from pathlib import Path

from motcua.speech.announce import synthesize_call
from motcua.speech.errors import SpeechError


class SpeechUnavailable(Exception):
    """No voice could speak the call on this machine (espeak-ng missing, say)."""


def call_audio(number: int, counter: int) -> Path:
    """A WAV file announcing ``number`` at ``counter``."""
    try:
        return Path(synthesize_call(number, counter, fmt="wav", chime=False))
    except SpeechError as exc:
        raise SpeechUnavailable(type(exc).__name__) from exc
