"""Offline Vietnamese speech recognition: what a citizen says at the kiosk, as words.

The recognizer is ``viet-asr`` (``import vietasr``), whose wheel embeds its ONNX model (about
69 MB), so nothing is fetched at run time. It is an optional extra (``pip install
"motcua[voice]"``): without it every call raises :class:`RecognitionError` with a Vietnamese
message and the kiosk's touch path keeps working.

The engine reads 16-bit PCM mono at 16 kHz. A browser's MediaRecorder sends WebM/Opus (Chrome,
Firefox), Ogg/Opus or MP4/AAC (Safari); ffmpeg turns any of them into that. A plain WAV is read
without ffmpeg. The model is loaded once per process, on first use, and calls are serialized:
the native engine is not documented as thread-safe, and a kiosk utterance takes about a second.

Nothing here logs what was said (a citizen may say a name or an ID number): only durations.
"""

from __future__ import annotations

import atexit
import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from motcua.speech import audio
from motcua.speech.errors import SpeechError

logger = logging.getLogger(__name__)

RATE = 16000
MAX_SECONDS = 20.0
MIN_SECONDS = 0.4
MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # 20 s of 48 kHz stereo WAV is 3.8 MB; Opus is ~100 KB
# Loudest 30 ms frame below this (about -46 dBFS) is a silent room, not speech.
SILENCE_RMS = 0.005
# Speech rises and falls between syllables and words; a fan, a crowd or a hiss stays level.
# Less than this many dB between the quiet and the loud frames is noise, not a voice.
MIN_DYNAMIC_DB = 8.0
DECODE_TIMEOUT = 30

# Content types a browser's MediaRecorder (or a file upload) sends, with the bytes their
# container starts with: a body that claims one type and holds another is refused.
CONTENT_TYPES = {
    "audio/webm": "webm",
    "video/webm": "webm",  # Chrome labels audio-only recordings so at times
    "audio/ogg": "ogg",
    "application/ogg": "ogg",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/mp4": "mp4",
    "audio/x-m4a": "mp4",
    "audio/aac": "aac",
}


class RecognitionError(SpeechError):
    """Audio that cannot be turned into words; ``message`` is for the citizen, ``status`` is
    the HTTP status a web endpoint answers with, ``code`` a stable name for the page's script."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_for(code: str) -> RecognitionError:
    """The refusal named ``code``, with its message for the citizen and its HTTP status."""
    messages = {
        "no_model": (
            "Máy này chưa cài bộ nhận dạng giọng nói. Xin gõ hoặc chạm để chọn thủ tục.",
            503,
        ),
        "wrong_type": ("Tệp gửi lên không phải âm thanh ghi âm được hỗ trợ.", 415),
        "unreadable": ("Không đọc được đoạn ghi âm. Xin bấm nút Nói và nói lại.", 400),
        "too_big": ("Đoạn ghi âm quá lớn. Xin nói ngắn gọn, dưới 20 giây.", 413),
        "too_long": ("Đoạn ghi âm dài quá 20 giây. Xin nói ngắn gọn việc bạn cần.", 400),
        "too_short": ("Đoạn ghi âm quá ngắn. Xin bấm nút Nói rồi nói rõ việc bạn cần.", 400),
        "silence": (
            "Không nghe thấy tiếng nói. Xin nói to, rõ, gần micrô hơn rồi thử lại.",
            422,
        ),
        "noise": (
            "Chỉ nghe thấy tiếng ồn. Xin nói gần micrô hơn, hoặc gõ việc bạn cần.",
            422,
        ),
        "no_words": (
            "Không nhận ra được lời nói. Xin nói chậm, rõ từng tiếng, hoặc gõ việc bạn cần.",
            422,
        ),
        "busy": ("Bộ nhận dạng giọng nói đang bận. Xin thử lại sau giây lát.", 503),
    }
    message, status = messages[code]
    return RecognitionError(code, message, status)


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    elapsed_seconds: float

    @property
    def rtf(self) -> float:
        """Real-time factor: seconds of work per second of audio (decoding included)."""
        return self.elapsed_seconds / self.audio_seconds if self.audio_seconds else 0.0


# ---------------------------------------------------------------------------------------------
# The model: loaded once per process, lazily


_model_lock = threading.Lock()
_run_lock = threading.Lock()
_pipeline: Any = None
_load_error: str | None = None


def _import_vietasr():
    import vietasr  # optional extra "voice"

    return vietasr


def available() -> bool:
    """Whether the recognizer can be loaded here (it loads it)."""
    try:
        _model()
    except RecognitionError:
        return False
    return True


def _model():
    global _pipeline, _load_error
    if _pipeline is not None:
        return _pipeline
    with _model_lock:
        if _pipeline is not None:
            return _pipeline
        if _load_error is not None:
            raise error_for("no_model")
        started = time.perf_counter()
        try:
            vietasr = _import_vietasr()
            pipeline = vietasr.Pipeline.preset("transcribe")
        except Exception as exc:  # ImportError, a missing native library, a broken model
            # Remembered: a kiosk pressing the button again must not retry a 1 s load each time.
            _load_error = type(exc).__name__
            logger.warning("Không nạp được bộ nhận dạng giọng nói (%s).", _load_error)
            raise error_for("no_model") from exc
        _pipeline = pipeline
        # Free the native engine before the interpreter tears cffi down, or its __del__ prints
        # a TypeError at every exit.
        atexit.register(reset_model)
        logger.info("Đã nạp bộ nhận dạng giọng nói (%.2f s).", time.perf_counter() - started)
        return _pipeline


def reset_model() -> None:
    """Forget the loaded model and any load failure (tests; after installing the extra)."""
    global _pipeline, _load_error
    with _model_lock:
        if _pipeline is not None and hasattr(_pipeline, "close"):
            _pipeline.close()
        _pipeline, _load_error = None, None


# ---------------------------------------------------------------------------------------------
# Audio in: any browser recording → 16 kHz mono float samples


def _container(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return "aac"
    return None


def media_type(content_type: str) -> str:
    """``audio/webm;codecs=opus`` → ``audio/webm``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _decode_ffmpeg(data: bytes) -> np.ndarray:
    ffmpeg = audio.ffmpeg_path()
    if not ffmpeg:
        raise error_for("unreadable")
    # Decode one second past the limit only: a long upload is refused without decoding it all.
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
        "-t", str(MAX_SECONDS + 1), "-vn", "-ac", "1", "-ar", str(RATE),
        "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1",
    ]  # fmt: skip
    try:
        run = subprocess.run(command, input=data, capture_output=True, timeout=DECODE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise error_for("unreadable") from exc
    if run.returncode != 0 or not run.stdout:
        raise error_for("unreadable")
    return np.frombuffer(run.stdout, dtype="<i2").astype(np.float32) / 32768.0


def decode(data: bytes, content_type: str) -> np.ndarray:
    """16 kHz mono float samples of a recording, or RecognitionError (wrong type, unreadable,
    too big)."""
    kind = CONTENT_TYPES.get(media_type(content_type))
    if kind is None:
        raise error_for("wrong_type")
    if len(data) > MAX_UPLOAD_BYTES:
        raise error_for("too_big")
    found = _container(data)
    if found is None:
        raise error_for("unreadable") if data else error_for("too_short")
    if found != kind and {found, kind} != {"mp4", "aac"}:
        raise error_for("wrong_type")
    if found == "wav":
        try:
            samples, rate, _ = audio.read_wav(data)
        except audio.AudioError:
            return _decode_ffmpeg(data)
        if samples.size > (MAX_SECONDS + 1) * rate:
            raise error_for("too_long")
        return audio.resample(samples, rate, RATE)
    return _decode_ffmpeg(data)


def check_speech(samples: np.ndarray) -> float:
    """The duration in seconds, after refusing what cannot be speech."""
    seconds = samples.size / RATE
    if seconds > MAX_SECONDS:
        raise error_for("too_long")
    if seconds < MIN_SECONDS:
        raise error_for("too_short")
    frame = int(0.03 * RATE)
    n = samples.size // frame
    levels = np.sqrt(np.mean(np.square(samples[: n * frame].reshape(n, frame)), axis=1))
    if float(levels.max()) < SILENCE_RMS:
        raise error_for("silence")
    db = 20 * np.log10(np.maximum(levels, 1e-6))
    if float(np.percentile(db, 95) - np.percentile(db, 10)) < MIN_DYNAMIC_DB:
        raise error_for("noise")
    return seconds


def recognize(samples: np.ndarray) -> str:
    """The words in 16 kHz mono float samples (already checked), lower case, no punctuation."""
    pipeline = _model()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype(np.int16)
    # One utterance at a time: a second kiosk waits about a second rather than doubling the
    # memory of a native engine that is not documented as thread-safe.
    if not _run_lock.acquire(timeout=15):
        raise error_for("busy")
    try:
        result = pipeline.transcribe(pcm, float(RATE))
    except Exception as exc:
        logger.warning("Bộ nhận dạng giọng nói lỗi (%s).", type(exc).__name__)
        raise error_for("unreadable") from exc
    finally:
        _run_lock.release()
    return " ".join(str(result.text or "").split())


def transcribe(audio_bytes: bytes, content_type: str) -> Transcript:
    """What is said in a recording (a browser upload or a file), or RecognitionError with a
    message for the citizen. The one function every surface uses (kiosk, assistant, CLI)."""
    started = time.perf_counter()
    samples = decode(audio_bytes, content_type)
    seconds = check_speech(samples)
    text = recognize(samples)
    elapsed = time.perf_counter() - started
    logger.info("Nhận dạng %.1f s âm thanh trong %.2f s.", seconds, elapsed)
    if not text:
        raise error_for("no_words")
    return Transcript(text=text, audio_seconds=seconds, elapsed_seconds=elapsed)


def content_type_for(filename: str) -> str:
    """A content type from a file name (the CLI and the benchmark read files)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {
        "wav": "audio/wav",
        "webm": "audio/webm",
        "ogg": "audio/ogg",
        "opus": "audio/ogg",
        "oga": "audio/ogg",
        "m4a": "audio/mp4",
        "mp4": "audio/mp4",
        "aac": "audio/aac",
    }.get(suffix, "application/octet-stream")


__all__ = [
    "RecognitionError",
    "Transcript",
    "available",
    "check_speech",
    "decode",
    "recognize",
    "reset_model",
    "transcribe",
]
