"""The clip-set voice: a center's own announcer, recorded once, joined word by word.

Commercial queue systems ship "voice packs" the same way: a queue call only ever needs two
phrases and about twenty number words, so a few minutes in a quiet room give a human voice that
no offline synthesizer for Vietnamese matches. The voice says any text made only of the words it
has (the announcement is); for anything else it refuses, and the caller falls back to espeak-ng.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from motcua.speech import audio
from motcua.speech.errors import TextNotCovered, VoiceError

DEFAULT_RATE = 22050
MANIFEST = "manifest.json"
SOURCE_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
# Pauses: a number flows ("một nghìn không trăm mười lăm"); a phrase gets a breath around it.
WORD_GAP = 0.04
PHRASE_GAP = 0.25
COMMA_GAP = 0.2
TARGET_RMS = 0.1  # every clip at the same loudness, so no word jumps out of a sentence
MIN_SECONDS = 0.08
SILENCE_RMS = 0.003


@dataclass(frozen=True)
class ClipSpec:
    name: str
    says: str | None
    hint: str = ""
    required: bool = True


RECORDING_LIST: tuple[ClipSpec, ...] = (
    ClipSpec("moi-cong-dan", "mời công dân có số thứ tự", "đọc liền, rõ, như khi gọi loa"),
    ClipSpec("den-quay-so", "đến quầy số", "đọc liền"),
    ClipSpec("khong", "không", "như trong “một nghìn không trăm”"),
    ClipSpec("mot", "một"),
    ClipSpec("hai", "hai"),
    ClipSpec("ba", "ba"),
    ClipSpec("bon", "bốn"),
    ClipSpec("nam", "năm"),
    ClipSpec("sau", "sáu"),
    ClipSpec("bay", "bảy"),
    ClipSpec("tam", "tám"),
    ClipSpec("chin", "chín"),
    ClipSpec("muoi", "mười", "số mười, như trong “mười lăm”"),
    ClipSpec("muoi-ngang", "mươi", "hàng chục, như trong “hai mươi”"),
    ClipSpec("mot-sac", "mốt", "như trong “hai mươi mốt”"),
    ClipSpec("tu", "tư", "như trong “hai mươi tư”"),
    ClipSpec("lam", "lăm", "như trong “mười lăm”"),
    ClipSpec("linh", "linh", "như trong “một trăm linh năm”"),
    ClipSpec("tram", "trăm"),
    ClipSpec("nghin", "nghìn"),
    ClipSpec("trieu", "triệu", "chỉ cần khi số thứ tự từ một triệu trở lên", required=False),
    ClipSpec(
        "chime",
        None,
        "tiếng chuông trước lời gọi (không bắt buộc; thiếu thì dùng chuông tổng hợp)",
        required=False,
    ),
)
SPECS = {spec.name: spec for spec in RECORDING_LIST}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _words(text: str) -> list[str]:
    """Lowercase words and commas (a comma is a pause); other punctuation is not said."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.findall(r"[^\W\d_]+|,", text)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    missing: list[ClipSpec] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.problems


def _find_source(src: Path, spec: ClipSpec) -> Path | None:
    """A clip may be named by its code (``mot.wav``) or by what it says (``một.wav``)."""
    wanted = {spec.name.lower()}
    if spec.says:
        wanted.add(_key(spec.says))
    for path in sorted(src.iterdir()):
        if path.suffix.lower() in SOURCE_EXTENSIONS and _key(path.stem) in wanted:
            return path
    return None


def import_clips(src: Path, dest: Path, rate: int = DEFAULT_RATE) -> ImportReport:
    """Check, clean and install a recorded clip set. Nothing is replaced unless every required
    clip is present and usable: a half-imported voice would fail mid-announcement."""
    report = ImportReport()
    if not src.is_dir():
        report.problems.append(f"Không tìm thấy thư mục {src}.")
        return report
    if not 8000 <= rate <= 48000:
        report.problems.append("Tần số lấy mẫu phải từ 8000 đến 48000 Hz.")
        return report
    cleaned: dict[str, np.ndarray] = {}
    for spec in RECORDING_LIST:
        path = _find_source(src, spec)
        if path is None:
            if spec.required:
                report.missing.append(spec)
            continue
        try:
            samples, src_rate, channels = audio.read_wav(path)
        except audio.AudioError as exc:
            report.problems.append(f"{path.name}: {exc}")
            continue
        if channels > 1:
            report.notes.append(f"{path.name}: {channels} kênh, đã trộn thành một kênh (mono).")
        if src_rate != rate:
            report.notes.append(f"{path.name}: đổi tần số {src_rate} → {rate} Hz.")
            samples = audio.resample(samples, src_rate, rate)
        if spec.name != "chime":
            samples = audio.trim_silence(samples, rate)
        loudness = audio.rms(samples)
        if samples.size < MIN_SECONDS * rate or loudness < SILENCE_RMS:
            report.problems.append(f"{path.name}: gần như im lặng hoặc quá ngắn, hãy thu lại.")
            continue
        if spec.name != "chime":
            samples = samples * (TARGET_RMS / loudness)
        peak = float(np.max(np.abs(samples)))
        if peak > 0.98:
            samples = samples * (0.98 / peak)
        cleaned[spec.name] = samples.astype(np.float32)
    if not report.ok:
        return report
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".clips-", dir=dest.parent))
    manifest: dict = {"rate": rate, "clips": {}}
    for name, samples in cleaned.items():
        data = audio.wav_bytes(samples, rate)
        (staging / f"{name}.wav").write_bytes(data)
        manifest["clips"][name] = {
            "says": SPECS[name].says,
            "seconds": round(samples.size / rate, 3),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    (staging / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    old = dest.with_name(dest.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)
    report.imported = sorted(cleaned)
    return report


class ClipVoice:
    """Joins the clips of ``directory`` (as written by :func:`import_clips`)."""

    kind = "clips"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        manifest_path = self.directory / MANIFEST
        try:
            raw = manifest_path.read_bytes()
            manifest = json.loads(raw)
            self.rate = int(manifest["rate"])
            names = list(manifest["clips"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VoiceError("chưa nhập bộ giọng thu âm (motcua speech clips import)") from exc
        self.id = "clips:" + hashlib.sha256(raw).hexdigest()[:16]
        self._clips: dict[str, np.ndarray] = {}
        for name in names:
            samples, rate, _ = audio.read_wav(self.directory / f"{name}.wav")
            if rate != self.rate:
                raise VoiceError("bộ giọng thu âm hỏng: tần số không khớp, hãy nhập lại")
            self._clips[name] = samples
        self._phrases = {
            tuple(_words(SPECS[n].says or "")): n
            for n in self._clips
            if n in SPECS and SPECS[n].says
        }
        self._longest = max((len(k) for k in self._phrases), default=1)

    def plan(self, text: str) -> list[str]:
        """Clip names and pauses (``,`` / ``|``) for ``text``; VoiceError if a word is missing."""
        words = _words(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            if words[i] == ",":
                out.append(",")
                i += 1
                continue
            for size in range(min(self._longest, len(words) - i), 0, -1):
                name = self._phrases.get(tuple(words[i : i + size]))
                if name:
                    out.append(name)
                    i += size
                    break
            else:
                raise TextNotCovered("bộ giọng thu âm không có đủ từ để đọc câu này")
        return out

    def synthesize(self, text: str) -> bytes:
        plan = self.plan(text)
        if not plan:
            raise VoiceError("không có gì để đọc")
        pieces: list[np.ndarray] = []
        previous_phrase = False
        for index, name in enumerate(plan):
            if name == ",":
                pieces.append(audio.silence(COMMA_GAP, self.rate))
                continue
            phrase = " " in (SPECS[name].says or "")
            if index and plan[index - 1] != ",":
                gap = PHRASE_GAP if phrase or previous_phrase else WORD_GAP
                pieces.append(audio.silence(gap, self.rate))
            pieces.append(self._clips[name])
            previous_phrase = phrase
        return audio.wav_bytes(np.concatenate(pieces), self.rate)

    def chime(self, rate: int) -> np.ndarray:
        clip = self._clips.get("chime")
        if clip is None:
            return audio.chime(rate)
        return np.concatenate([audio.resample(clip, self.rate, rate), audio.silence(0.2, rate)])


_loaded: dict[tuple[str, float], ClipVoice] = {}
_lock = threading.Lock()


def load_clip_voice(directory: Path) -> ClipVoice:
    """One loaded voice per directory and manifest version (the clips stay in memory)."""
    try:
        stamp = (directory / MANIFEST).stat().st_mtime
    except OSError as exc:
        raise VoiceError("chưa nhập bộ giọng thu âm (motcua speech clips import)") from exc
    key = (str(directory), stamp)
    with _lock:
        voice = _loaded.get(key)
        if voice is None:
            voice = ClipVoice(directory)
            _loaded.clear()
            _loaded[key] = voice
    return voice
