"""The commune radio bulletin: a day's text → one audio file, read sentence by sentence.

A bulletin is split into paragraphs (lines) and sentences; each sentence is normalized (numbers,
dates, abbreviations in words, with the center's own pronunciation entries) and spoken by the
configured voice through the cached :func:`motcua.speech.tts.synthesize`, so re-reading a
bulletin after fixing one word only speaks the changed sentence again. The parts are joined
with a pause between sentences and a longer one between paragraphs, an optional jingle before
and after, and written as MP3 (or Ogg/WAV).

No database here: :mod:`motcua.speech.bulletins` runs this for the back-office page, the shell
command ``motcua speech broadcast`` runs it directly.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motcua.speech import audio
from motcua.speech.conf import setting
from motcua.speech.errors import SpeechError
from motcua.speech.normalize import Pronunciations, normalize
from motcua.speech.tts import Voice, synthesize

MAX_BULLETIN_CHARS = 30_000  # about 5,000 words, half an hour on air
MAX_SENTENCE_CHARS = 600
DEFAULT_PAUSE = 0.7
MIN_PAUSE, MAX_PAUSE = 0.2, 3.0

# A sentence ends at . ! ? … (and any closing quote or bracket) followed by a space, unless the
# word before the dot is a short capitalized abbreviation ("TP. Hà Nội", "ThS. Lan").
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’»)\]]*\s+")
_ABBREVIATION_BEFORE_DOT = re.compile(r"(?:^|\s)[A-ZĐ][A-Za-zĐđ]{0,3}\.$")


@dataclass(frozen=True)
class Sentence:
    text: str  # as the officer wrote it
    reading: str  # what the voice says


@dataclass(frozen=True)
class RenderResult:
    path: Path
    fmt: str
    seconds: float  # audio length
    sentences: int
    words: int
    elapsed: float  # wall-clock seconds to make it


def clean_text(text: str) -> str:
    """NFC, Windows and old-Mac line ends, control characters (but tabs and line ends) as
    spaces: a pasted bulletin from a word processor carries them."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\t" else ch for ch in text
    )


def split_sentences(paragraph: str) -> list[str]:
    pieces, current = [], ""
    last = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[last : match.start()].strip()
        current = f"{current} {candidate}".strip() if current else candidate
        if _ABBREVIATION_BEFORE_DOT.search(candidate):
            last = match.end()
            continue
        pieces.append(current)
        current, last = "", match.end()
    tail = paragraph[last:].strip()
    current = f"{current} {tail}".strip() if current else tail
    if current:
        pieces.append(current)
    out = []
    for piece in pieces:
        # A run-on "sentence" (a list pasted without full stops) is cut at commas so no single
        # synthesis call gets an unbounded text.
        while len(piece) > MAX_SENTENCE_CHARS:
            cut = piece.rfind(",", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > 0 else piece.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            out.append(piece[: cut + 1].strip())
            piece = piece[cut + 1 :].strip()
        if piece:
            out.append(piece)
    return out


def script(text: str, pronunciations: Pronunciations | None = None) -> list[list[Sentence]]:
    """Paragraphs of sentences, each with its reading text; empty paragraphs dropped."""
    paragraphs = []
    for line in clean_text(text).split("\n"):
        sentences = []
        for sentence in split_sentences(line):
            reading = normalize(sentence, pronunciations=pronunciations)
            if any(ch.isalpha() for ch in reading):
                sentences.append(Sentence(sentence, reading))
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def check_text(text: str) -> str:
    """The cleaned bulletin text, or SpeechError with the officer's message."""
    text = clean_text(text).strip()
    if not text:
        raise SpeechError("Bản tin trống: không có gì để đọc.")
    if len(text) > MAX_BULLETIN_CHARS:
        raise SpeechError(
            f"Bản tin quá dài ({len(text):,} ký tự; tối đa {MAX_BULLETIN_CHARS:,}). "
            "Xin chia thành nhiều bản tin.".replace(",", ".")
        )
    return text


def jingle(rate: int) -> np.ndarray:
    """A short bright signature tune (C–E–G–C, then the chord), about 2.5 s; or the center's
    own jingle file (``MOTCUA_SPEECH_RADIO_JINGLE``, a WAV) when set."""
    own = str(setting("MOTCUA_SPEECH_RADIO_JINGLE", "") or "")
    if own:
        try:
            samples, src_rate, _ = audio.read_wav(Path(own))
            return audio.resample(samples, src_rate, rate)
        except (OSError, audio.AudioError) as exc:
            raise SpeechError(f"Không đọc được tệp nhạc hiệu {own}: {exc}") from exc
    notes = [(523.25, 0.22), (659.25, 0.22), (783.99, 0.22), (1046.5, 0.4)]
    parts = []
    for freq, length in notes:
        t = np.arange(int(length * rate), dtype=np.float32) / rate
        env = np.exp(-4.0 * t) * np.minimum(1.0, t / 0.01)
        parts.append(0.35 * env * np.sin(2 * np.pi * freq * t))
    t = np.arange(int(1.2 * rate), dtype=np.float32) / rate
    env = np.exp(-2.5 * t) * np.minimum(1.0, t / 0.02)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (523.25, 659.25, 783.99)) / 3
    parts.append(0.4 * env * chord)
    return np.concatenate(parts).astype(np.float32)


def render(
    text: str,
    dest: Path,
    *,
    fmt: str = "mp3",
    intro: bool = True,
    outro: bool = True,
    pause: float = DEFAULT_PAUSE,
    voice: Voice | None = None,
    pronunciations: Pronunciations | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Speak a whole bulletin into ``dest``. ``progress(done, total)`` is called after each
    sentence (and may raise to stop the work)."""
    started = time.perf_counter()
    fmt = fmt.lower().lstrip(".")
    if fmt not in audio.FORMATS:
        raise SpeechError(
            f"Định dạng “{fmt}” không được hỗ trợ: chỉ có {', '.join(audio.FORMATS)}."
        )
    if not MIN_PAUSE <= pause <= MAX_PAUSE:
        raise SpeechError(
            f"Khoảng nghỉ giữa các câu phải từ {MIN_PAUSE:g} đến {MAX_PAUSE:g} giây.".replace(
                ".", ","
            )
        )
    paragraphs = script(check_text(text), pronunciations)
    total = sum(len(p) for p in paragraphs)
    if total == 0:
        raise SpeechError("Bản tin không có câu nào đọc được.")
    rate: int | None = None
    pieces: list[np.ndarray] = []
    done = 0
    if progress:
        progress(0, total)
    for p_index, paragraph in enumerate(paragraphs):
        for s_index, sentence in enumerate(paragraph):
            path = synthesize(sentence.text, "wav", voice=voice, pronunciations=pronunciations)
            samples, src_rate, _ = audio.read_wav(path)
            if rate is None:
                rate = src_rate
            samples = audio.resample(samples, src_rate, rate)
            if pieces:
                gap = pause * (2 if s_index == 0 and p_index > 0 else 1)
                pieces.append(audio.silence(gap, rate))
            pieces.append(samples)
            done += 1
            if progress:
                progress(done, total)
    assert rate is not None
    body = np.concatenate(pieces)
    parts = []
    if intro:
        parts += [jingle(rate), audio.silence(0.6, rate)]
    parts.append(body)
    if outro:
        parts += [audio.silence(0.8, rate), jingle(rate)]
    parts.append(audio.silence(0.3, rate))
    samples = np.concatenate(parts)
    # One level for the whole programme: voices differ, and a village loudspeaker clips easily.
    peak = float(np.max(np.abs(samples))) or 1.0
    samples = samples * (0.89 / peak)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".tmp-{dest.name}")
    try:
        audio.encode(audio.wav_bytes(samples, rate), fmt, tmp)
        tmp.replace(dest)
    except audio.AudioError as exc:
        tmp.unlink(missing_ok=True)
        raise SpeechError(str(exc)) from exc
    words = sum(len(s.reading.split()) for p in paragraphs for s in p)
    return RenderResult(
        path=dest,
        fmt=fmt,
        seconds=samples.size / rate,
        sentences=total,
        words=words,
        elapsed=time.perf_counter() - started,
    )


def preferred_format() -> str:
    """MP3 when sox or ffmpeg can write it, else WAV (always possible)."""
    return "mp3" if audio.sox_path() or audio.ffmpeg_path() else "wav"
