"""Small audio toolkit: WAV in and out as mono float samples, silence, a chime, trimming,
resampling, loudness, and conversion to MP3/Ogg through sox or ffmpeg.

WAV is read with the standard library (16/24/32-bit and 8-bit PCM); anything else a recorder
writes (float WAV, WAVE_FORMAT_EXTENSIBLE, FLAC…) goes through sox first. numpy does the
arithmetic; sox, when present, does resampling properly (numpy's fallback is linear).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

FORMATS = ("wav", "mp3", "ogg")
TOOL_TIMEOUT = 60


class AudioError(Exception):
    """Audio that cannot be read, converted or written (message in Vietnamese)."""


def sox_path() -> str | None:
    return shutil.which("sox")


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


def _decode_pcm(raw: bytes, width: int) -> np.ndarray:
    if width == 1:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value.astype(np.float32) / float(1 << 23)
    if width == 4:
        return np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    raise AudioError(f"Độ sâu mẫu {width * 8} bit không được hỗ trợ.")


def read_wav(source: bytes | Path) -> tuple[np.ndarray, int, int]:
    """(mono float32 samples in [-1, 1], sample rate, channels in the file)."""
    data = source.read_bytes() if isinstance(source, Path) else source
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        if sox_path():
            return _read_with_sox(data)
        raise AudioError(f"Không đọc được tệp WAV ({exc}); cài sox để đọc các dạng khác.") from exc
    samples = _decode_pcm(raw[: len(raw) - len(raw) % (width * channels)], width)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples.astype(np.float32), rate, channels


def _read_with_sox(data: bytes) -> tuple[np.ndarray, int, int]:
    sox = sox_path()
    assert sox
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.write_bytes(data)
        info = subprocess.run(
            [sox, "--i", "-c", str(src)], capture_output=True, text=True, timeout=TOOL_TIMEOUT
        )
        if info.returncode != 0:
            raise AudioError("Không đọc được tệp âm thanh (không phải định dạng sox hiểu).")
        channels = int(info.stdout.strip() or 1)
        out = Path(tmp) / "out.wav"
        conv = subprocess.run(
            [sox, str(src), "-b", "16", "-e", "signed-integer", str(out), "remix", "-"],
            capture_output=True,
            timeout=TOOL_TIMEOUT,
        )
        if conv.returncode != 0:
            raise AudioError("Không chuyển được tệp âm thanh sang WAV 16 bit.")
        samples, rate, _ = read_wav(out.read_bytes())
    return samples, rate, channels


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(round(seconds * rate)), dtype=np.float32)


def chime(rate: int) -> np.ndarray:
    """A two-note "ding-dong" (E5 then C5) with a soft decay, like a station chime."""
    parts = []
    for freq, length in ((659.25, 0.45), (523.25, 0.65)):
        t = np.arange(int(length * rate), dtype=np.float32) / rate
        envelope = np.exp(-3.5 * t) * np.minimum(1.0, t / 0.01)
        tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2 * freq * t)
        parts.append((0.45 * envelope * tone / 1.3).astype(np.float32))
    return np.concatenate([parts[0], parts[1], silence(0.25, rate)])


def trim_silence(
    samples: np.ndarray, rate: int, threshold_db: float = -40.0, margin: float = 0.02
) -> np.ndarray:
    """Cut the quiet head and tail of a recording (relative to its own peak), keeping a short
    margin so a word's first consonant is not clipped."""
    if samples.size == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    if peak == 0.0:
        return samples[:0]
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (threshold_db / 20))
    keep = int(margin * rate)
    return samples[max(0, loud[0] - keep) : min(samples.size, loud[-1] + 1 + keep)]


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst or samples.size == 0:
        return samples
    sox = sox_path()
    if sox:
        run = subprocess.run(
            [sox, "-t", "f32", "-r", str(src), "-c", "1", "-", "-t", "f32", "-r", str(dst), "-"],
            input=samples.astype("<f4").tobytes(),
            capture_output=True,
            timeout=TOOL_TIMEOUT,
        )
        if run.returncode == 0:
            return np.frombuffer(run.stdout, dtype="<f4").astype(np.float32)
    n = int(round(samples.size * dst / src))
    positions = np.arange(n, dtype=np.float64) * src / dst
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0


def encode(wav: bytes, fmt: str, dest: Path) -> None:
    """Write ``wav`` to ``dest`` as wav, mp3 or ogg (sox first, then ffmpeg)."""
    if fmt not in FORMATS:
        raise AudioError(f"Định dạng “{fmt}” không được hỗ trợ: chỉ có {', '.join(FORMATS)}.")
    if fmt == "wav":
        dest.write_bytes(wav)
        return
    attempts = []
    if sox := sox_path():
        attempts.append([sox, "-t", "wav", "-", "-t", fmt, str(dest)])
    if ffmpeg := ffmpeg_path():
        codec = ["-c:a", "libmp3lame", "-q:a", "4"] if fmt == "mp3" else ["-c:a", "libvorbis"]
        attempts.append(
            [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-f", "wav", "-i", "-"]
            + codec
            + ["-f", fmt, str(dest)]
        )
    if not attempts:
        raise AudioError(f"Cần sox hoặc ffmpeg để tạo tệp {fmt}; máy này không có.")
    for command in attempts:
        run = subprocess.run(command, input=wav, capture_output=True, timeout=TOOL_TIMEOUT)
        if run.returncode == 0 and dest.exists() and dest.stat().st_size > 0:
            return
    raise AudioError(f"Không tạo được tệp {fmt} bằng sox/ffmpeg.")
