"""The spoken call: "Mời công dân có số thứ tự … đến quầy số …" as a WAV file.

``motcua.speech`` (text normalization, the clip-set voice, Piper, caching) makes the audio when
it is installed; until then, and whenever it is missing, a plain espeak-ng call from Debian reads
the sentence with the numbers written out in words here. Either way the file holds numbers
only, no personal data, and is cached by its text so a recall costs nothing.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("motcua.queue.loudspeaker")

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


class SpeechUnavailable(Exception):
    """No voice on this machine (neither motcua.speech nor espeak-ng)."""


def _below_hundred(n: int, *, after_hundreds: bool) -> list[str]:
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        return (["linh"] if after_hundreds else []) + [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units:
        words.append(DIGITS[units])
    return words


def number_words(n: int) -> str:
    """0 ≤ n ≤ 9999 read aloud the Vietnamese way: 1015 → "một nghìn không trăm mười lăm"."""
    if not 0 <= n <= 9999:
        raise ValueError("queue numbers and counters are between 0 and 9999")
    if n == 0:
        return DIGITS[0]
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    words: list[str] = []
    if thousands:
        words += [DIGITS[thousands], "nghìn"]
    if hundreds or (thousands and below):
        words += [DIGITS[hundreds], "trăm"]
    words += _below_hundred(below, after_hundreds=bool(thousands or hundreds))
    return " ".join(words)


def call_text(number: int, counter: int) -> str:
    return f"Mời công dân có số thứ tự {number_words(number)} đến quầy số {number_words(counter)}"


def _cache_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "cache" / "loudspeaker"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def espeak_call(number: int, counter: int) -> Path:
    """The fallback voice: espeak-ng's Vietnamese, written once per (number, counter)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SpeechUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")
    text = call_text(number, counter)
    name = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    target = _cache_dir() / f"{name}.wav"
    if not target.exists():
        partial = target.with_suffix(".tmp")
        subprocess.run(
            [espeak, "-v", "vi", "-s", "150", "-w", str(partial), text],
            check=True,
            capture_output=True,
            timeout=20,
        )
        partial.replace(target)  # atomic: a second TV asking meanwhile never reads half a file
    return target


def call_audio(number: int, counter: int) -> Path:
    """A WAV file announcing ``number`` at ``counter``."""
    try:
        from motcua.speech.tts import synthesize_call
    except ImportError:
        return espeak_call(number, counter)
    try:
        return Path(synthesize_call(number, counter, fmt="wav"))
    except Exception as exc:
        # A broken configured voice (a missing Piper model) must not silence the loudspeaker.
        logger.warning("speech failed (%s); the espeak-ng fallback speaks", type(exc).__name__)
        return espeak_call(number, counter)
