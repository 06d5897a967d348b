"""Text to speech behind one interface, cached by text.

A voice is anything with an ``id`` and ``synthesize(reading_text) -> WAV bytes``. The voices:
``espeak`` (Debian's espeak-ng: robotic but always there, the fallback), ``clips`` (the center's
recorded announcer, :mod:`motcua.speech.clips`), ``piper`` (a Piper voice file) and ``http`` (any
TTS server: POST the text, get audio back). ``MOTCUA_SPEECH_VOICE`` chooses; an optional voice
that fails falls back to espeak-ng with a warning that names the voice, never the text.

Audio is cached under ``MOTCUA_SPEECH_CACHE`` by (voice id, reading text, chime, format): a
queue repeats the same few hundred calls every day, so after the first call of a number the
announcement is a file lookup.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from motcua.speech import audio
from motcua.speech.conf import cache_dir, clips_dir, setting
from motcua.speech.errors import SpeechError, TextNotCovered, VoiceError
from motcua.speech.normalize import Pronunciations, normalize

logger = logging.getLogger(__name__)

VOICE_KINDS = ("espeak", "clips", "piper", "http")
MAX_TEXT_CHARS = 5000
SYNTH_TIMEOUT = 60


@runtime_checkable
class Voice(Protocol):
    id: str
    kind: str

    def synthesize(self, text: str) -> bytes:
        """WAV bytes for an already normalized reading text."""
        ...


class EspeakVoice:
    kind = "espeak"

    def __init__(self, voice: str = "vi", rate: int = 150):
        self.voice, self.rate = voice, int(rate)
        self.id = f"espeak:{voice}:{self.rate}"

    def synthesize(self, text: str) -> bytes:
        exe = shutil.which("espeak-ng")
        if not exe:
            raise VoiceError("không có espeak-ng (apt-get install espeak-ng)")
        # Text on standard input, not argv: it may begin with "-" and argv is visible in ps.
        run = subprocess.run(
            [exe, "-v", self.voice, "-s", str(self.rate), "-b", "1", "--stdin", "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=SYNTH_TIMEOUT,
        )
        if run.returncode != 0 or not run.stdout.startswith(b"RIFF"):
            raise VoiceError(f"espeak-ng lỗi (mã {run.returncode})")
        # espeak-ng streams a WAV whose header sizes are placeholders: rewrite it cleanly.
        samples, rate, _ = audio.read_wav(run.stdout)
        return audio.wav_bytes(samples, rate)


class PiperVoice:
    kind = "piper"

    def __init__(self, model: str):
        path = Path(model)
        if not path.is_file():
            raise VoiceError("không tìm thấy tệp giọng Piper (MOTCUA_SPEECH_PIPER_MODEL)")
        self.model = path
        if shutil.which("piper"):
            self.command = [shutil.which("piper") or "piper"]
        elif importlib.util.find_spec("piper") is not None:
            self.command = [sys.executable, "-m", "piper"]
        else:
            raise VoiceError("chưa cài piper (pip install piper-tts)")
        stat = path.stat()
        self.id = f"piper:{path.name}:{stat.st_size}:{int(stat.st_mtime)}"

    def synthesize(self, text: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.wav"
            run = subprocess.run(
                [*self.command, "-m", str(self.model), "-f", str(out)],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=SYNTH_TIMEOUT,
            )
            if run.returncode != 0 or not out.exists():
                raise VoiceError(f"piper lỗi (mã {run.returncode})")
            samples, rate, _ = audio.read_wav(out.read_bytes())
        return audio.wav_bytes(samples, rate)


class HttpVoice:
    """POST the reading text (UTF-8 plain text) to a URL; the answer is audio (WAV, or any
    format sox reads)."""

    kind = "http"

    def __init__(self, url: str, timeout: float = 10):
        if not url.startswith(("http://", "https://")):
            raise VoiceError("MOTCUA_SPEECH_HTTP_URL phải bắt đầu bằng http:// hoặc https://")
        self.url, self.timeout = url, float(timeout)
        # The URL may carry a key: the id (part of cache file names) holds only its hash.
        self.id = "http:" + hashlib.sha256(url.encode()).hexdigest()[:16]

    def synthesize(self, text: str) -> bytes:
        # The scheme was checked in __init__ (http or https only).
        request = urllib.request.Request(  # noqa: S310
            self.url,
            data=text.encode("utf-8"),
            headers={"Content-Type": "text/plain; charset=utf-8", "Accept": "audio/wav, audio/*"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(50 * 1024 * 1024)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise VoiceError(f"máy chủ TTS không trả lời ({type(exc).__name__})") from exc
        try:
            samples, rate, _ = audio.read_wav(body)
        except audio.AudioError as exc:
            raise VoiceError("máy chủ TTS trả về dữ liệu không phải âm thanh") from exc
        if samples.size == 0:
            raise VoiceError("máy chủ TTS trả về âm thanh rỗng")
        return audio.wav_bytes(samples, rate)


def espeak_voice() -> EspeakVoice:
    return EspeakVoice(
        str(setting("MOTCUA_SPEECH_ESPEAK_VOICE")), int(setting("MOTCUA_SPEECH_ESPEAK_RATE"))
    )


def get_voice(kind: str | None = None) -> Voice:
    """The configured voice. Raises VoiceError when an optional voice is not usable here."""
    kind = (kind or str(setting("MOTCUA_SPEECH_VOICE")) or "espeak").strip().lower()
    if kind == "espeak":
        return espeak_voice()
    if kind == "clips":
        from motcua.speech.clips import load_clip_voice

        return load_clip_voice(clips_dir())
    if kind == "piper":
        return PiperVoice(str(setting("MOTCUA_SPEECH_PIPER_MODEL")))
    if kind == "http":
        return HttpVoice(
            str(setting("MOTCUA_SPEECH_HTTP_URL")), float(setting("MOTCUA_SPEECH_HTTP_TIMEOUT"))
        )
    raise VoiceError(f"giọng “{kind}” không có; chọn một trong {', '.join(VOICE_KINDS)}")


def _voices(voice: Voice | None) -> list[Voice]:
    if voice is None:
        try:
            voice = get_voice()
        except VoiceError as exc:
            logger.warning("Giọng đã cấu hình không dùng được (%s); dùng espeak-ng.", exc)
            voice = espeak_voice()
    voices = [voice]
    if voice.kind != "espeak":
        voices.append(espeak_voice())
    return voices


def cache_path(voice_id: str, reading: str, fmt: str, chime: bool) -> Path:
    key = hashlib.sha256(f"{voice_id}\0{int(chime)}\0{fmt}\0{reading}".encode()).hexdigest()
    return cache_dir() / key[:2] / f"{key}.{fmt}"


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _with_chime(wav: bytes, voice: Voice) -> bytes:
    samples, rate, _ = audio.read_wav(wav)
    make_chime = getattr(voice, "chime", None)
    bell = make_chime(rate) if callable(make_chime) else audio.chime(rate)
    return audio.wav_bytes(np.concatenate([bell, samples]), rate)


_prune_lock = threading.Lock()


def prune_cache(max_bytes: int | None = None) -> int:
    """Delete the least recently used files past the size limit; returns files deleted."""
    if max_bytes is None:
        max_bytes = int(float(setting("MOTCUA_SPEECH_CACHE_MAX_MB")) * 1024 * 1024)
    root = cache_dir()
    if not root.is_dir():
        return 0
    with _prune_lock:
        files = []
        for path in root.glob("*/*"):
            if path.name.startswith(".tmp-"):
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        deleted = 0
        for _, size, path in sorted(files):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            deleted += 1
    return deleted


def synthesize(
    text: str,
    fmt: str = "wav",
    *,
    voice: Voice | None = None,
    chime: bool = False,
    pronunciations: Pronunciations | None = None,
) -> Path:
    """A cached audio file saying ``text`` (normalized first) in wav, mp3 or ogg.

    ``pronunciations`` replaces the configured dictionary (a center's own entries merged in,
    :func:`motcua.speech.radio.center_pronunciations`); the cache key is the reading text, so a
    changed entry makes new audio."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in audio.FORMATS:
        raise SpeechError(
            f"Định dạng “{fmt}” không được hỗ trợ: chỉ có {', '.join(audio.FORMATS)}."
        )
    if len(text) > MAX_TEXT_CHARS:
        raise SpeechError(f"Văn bản quá dài (tối đa {MAX_TEXT_CHARS} ký tự).")
    reading = normalize(text, pronunciations=pronunciations)
    if not any(ch.isalpha() for ch in reading):
        raise SpeechError("Văn bản trống: không có gì để đọc.")
    failures = []
    for candidate in _voices(voice):
        path = cache_path(candidate.id, reading, fmt, chime)
        if path.exists():
            os.utime(path)  # most recently used: kept longest by prune_cache
            return path
        try:
            wav = candidate.synthesize(reading)
        except VoiceError as exc:
            failures.append(f"{candidate.kind}: {exc}")
            if candidate.kind != "espeak":
                level = logging.INFO if isinstance(exc, TextNotCovered) else logging.WARNING
                logger.log(level, "Giọng %s lỗi (%s); dùng espeak-ng.", candidate.kind, exc)
            continue
        if chime:
            wav = _with_chime(wav, candidate)
        try:
            _atomic_write(path, lambda tmp, wav=wav: audio.encode(wav, fmt, tmp))
        except audio.AudioError as exc:
            raise SpeechError(str(exc)) from exc
        prune_cache()
        return path
    raise SpeechError("Không có giọng đọc nào dùng được: " + "; ".join(failures))
