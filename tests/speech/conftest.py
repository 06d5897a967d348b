"""Fixtures for speech: a private cache and clip folder per test, stand-in clips, tool checks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from motcua.speech import audio, clips
from motcua.speech.normalize import reset_cache

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)
needs_sox = pytest.mark.skipif(
    shutil.which("sox") is None, reason="sox is not installed (apt-get install sox)"
)
needs_encoder = pytest.mark.skipif(
    shutil.which("sox") is None and shutil.which("ffmpeg") is None,
    reason="neither sox nor ffmpeg is installed: mp3/ogg cannot be written",
)


@pytest.fixture(autouse=True)
def speech_dirs(settings, tmp_path):
    """Each test gets its own cache and clip folder and the default voice."""
    settings.MOTCUA_SPEECH_CACHE = str(tmp_path / "speech-cache")
    settings.MOTCUA_SPEECH_CLIPS_DIR = str(tmp_path / "speech-clips")
    settings.MOTCUA_SPEECH_VOICE = "espeak"
    settings.MOTCUA_SPEECH_PRONUNCIATIONS = ""
    reset_cache()
    yield tmp_path
    reset_cache()


# One distinct pitch per clip, so a test can tell from the joined audio which clip played where.
CLIP_FREQUENCIES = {
    spec.name: 300.0 + 40.0 * index for index, spec in enumerate(clips.RECORDING_LIST)
}
TONE_SECONDS = 0.3


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> None:
    if channels == 1:
        path.write_bytes(audio.wav_bytes(samples, rate))
        return
    import wave

    pcm = (np.repeat(samples[:, None], channels, axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


@pytest.fixture
def tone_clips(tmp_path) -> Path:
    """A recorded clip set stand-in: every clip a sine tone of its own pitch, with silence
    around it (import must trim it), at 44.1 kHz (import must resample)."""
    folder = tmp_path / "recorded"
    folder.mkdir()
    rate = 44100
    for spec in clips.RECORDING_LIST:
        if spec.name == "trieu":
            continue
        body = tone(CLIP_FREQUENCIES[spec.name], TONE_SECONDS, rate)
        padded = np.concatenate([audio.silence(0.2, rate), body, audio.silence(0.3, rate)])
        write_wav(folder / f"{spec.name}.wav", padded, rate)
    return folder


@pytest.fixture
def espeak_clips(tmp_path) -> Path:
    """Stand-in clips spoken by espeak-ng, named by what they say (một.wav…)."""
    folder = tmp_path / "espeak-recorded"
    folder.mkdir()
    for spec in clips.RECORDING_LIST:
        if not spec.says:
            continue
        subprocess.run(
            ["espeak-ng", "-v", "vi", "-w", str(folder / f"{spec.says}.wav"), spec.says],
            check=True,
            capture_output=True,
        )
    return folder


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


def sounding_segments(samples: np.ndarray, rate: int, floor: float = 0.02) -> list[np.ndarray]:
    """Split audio at silences (10 ms frames under ``floor`` RMS) into its sounding parts."""
    frame = int(0.01 * rate)
    n = samples.size // frame
    loud = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1)) > floor
    segments, start = [], None
    for i, flag in enumerate(loud):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            segments.append(samples[start * frame : i * frame])
            start = None
    if start is not None:
        segments.append(samples[start * frame : n * frame])
    return segments
