"""Word error rate and real-time factor of the kiosk's speech recognizer (issue 12 goal:
WER ≤ 15 %, RTF ≤ 0.3).

Usage:

    PYTHONPATH=src .venv/bin/python bench/asr.py [--runs 3] [--shipped | --dir FOLDER] [--espeak]
        [--noise 10]

Clips: ``var/test-data/speech/clips.tsv`` (real Vietnamese speech fetched by
scripts/fetch_speech_clips.py, which says why they are not committed); ``--shipped``: the five
clips committed in ``tests/data/speech`` (MIT, from the chunkformer 1.0.0 package; also the
default when nothing was fetched); or any
folder given with ``--dir`` holding the same ``clips.tsv`` (file, speaker, transcript): record
the kiosk phrases of ``bench/data/kiosk_phrases.tsv`` at the kiosk and measure them with it.
``--espeak`` also speaks those kiosk phrases with espeak-ng and scores them: a check of the
robot voice, not of the recognizer (the recognizer does not understand espeak-ng's Vietnamese).
``--noise SNR`` (repeatable) measures the clips again with white noise added at that SNR.

Each clip goes through :func:`motcua.speech.asr.transcribe` exactly as a kiosk upload does
(read, resample to 16 kHz, speech checks, recognition), after one warm-up call that loads the
model (load time reported apart). RTF = wall-clock seconds / audio seconds, per clip, best of
``--runs`` (the machine is shared); the corpus RTF is total time / total audio. WER: the
reference is normalized by :func:`motcua.speech.normalize.normalize` (digits as the words a
speaker says: "thế kỷ 19" → "thế kỷ mười chín"), both sides lower-cased, punctuation removed,
word-level Levenshtein; corpus WER = all edits / all reference words (``motcua.speech.wer``).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def load(folder: Path) -> list[dict]:
    with (folder / "clips.tsv").open(encoding="utf-8") as f:
        return [dict(row, path=folder / row["file"]) for row in csv.DictReader(f, delimiter="\t")]


def espeak_phrases(folder: Path) -> list[dict]:
    from motcua.speech.tts import espeak_voice

    rows = []
    voice = espeak_voice()
    with (ROOT / "bench" / "data" / "kiosk_phrases.tsv").open(encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f, delimiter="\t")):
            from motcua.speech.normalize import normalize

            path = folder / f"espeak-{i:02d}.wav"
            path.write_bytes(voice.synthesize(normalize(row["transcript"])))
            rows.append({"file": path.name, "speaker": "espeak-ng vi", **row, "path": path})
    return rows


def with_noise(data: bytes, snr_db: float | None) -> bytes:
    """The clip with white noise at ``snr_db`` below the speech's RMS (a busy hall, roughly);
    a fixed seed, so runs compare."""
    if snr_db is None:
        return data
    import numpy as np

    from motcua.speech import audio

    samples, rate, _ = audio.read_wav(data)
    noise = np.random.default_rng(12).standard_normal(samples.size).astype(np.float32)
    noise *= audio.rms(samples) / 10 ** (snr_db / 20)
    return audio.wav_bytes(samples + noise, rate)


def measure(
    rows: list[dict], runs: int, snr_db: float | None = None
) -> tuple[list[dict], float, float]:
    from motcua.speech import asr
    from motcua.speech.wer import errors

    results = []
    for row in rows:
        data = with_noise(row["path"].read_bytes(), snr_db)
        best, cpu, text, seconds, failure = None, None, "", 0.0, ""
        for _ in range(runs):
            cpu_start = time.process_time()
            try:
                t = asr.transcribe(data, "audio/wav")
            except asr.RecognitionError as exc:
                failure = exc.code
                break
            used = time.process_time() - cpu_start
            cpu = used if cpu is None else min(cpu, used)
            best = t.elapsed_seconds if best is None else min(best, t.elapsed_seconds)
            text, seconds = t.text, t.audio_seconds
        edits, n = errors(row["transcript"], text)
        results.append(
            {**row, "text": text or f"({failure})", "seconds": seconds, "elapsed": best or 0.0,
             "cpu": cpu or 0.0, "edits": edits, "words": n}
        )  # fmt: skip
    edits = sum(r["edits"] for r in results)
    words = sum(r["words"] for r in results)
    audio = sum(r["seconds"] for r in results)
    elapsed = sum(r["elapsed"] for r in results)
    return results, edits / words, (elapsed / audio if audio else 0.0)


def report(title: str, results: list[dict], wer: float, rtf: float) -> None:
    print(f"\n### {title}\n")
    print("| clip | s | RTF | CPU s/s | WER | heard |")
    print("|---|---|---|---|---|---|")
    for r in results:
        clip_rtf = r["elapsed"] / r["seconds"] if r["seconds"] else 0
        cpu_rtf = r["cpu"] / r["seconds"] if r["seconds"] else 0
        print(
            f"| {r['file']} | {r['seconds']:.2f} | {clip_rtf:.2f} | {cpu_rtf:.2f} | "
            f"{r['edits']}/{r['words']} | {r['text']} |"
        )
    total = sum(r["seconds"] for r in results)
    cpu = sum(r["cpu"] for r in results) / total if total else 0
    print(
        f"\n**{len(results)} clips, {total:.1f} s of audio: WER {wer:.1%}, RTF {rtf:.2f}** "
        f"(CPU seconds per audio second: {cpu:.2f})"
    )
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    fetched = ROOT / "var" / "test-data" / "speech"
    shipped = ROOT / "tests" / "data" / "speech"
    parser.add_argument(
        "--dir", type=Path, default=fetched if (fetched / "clips.tsv").exists() else shipped
    )
    parser.add_argument(
        "--shipped", action="store_const", dest="dir", const=shipped,
        help="the clips committed in tests/data/speech",
    )  # fmt: skip
    parser.add_argument("--espeak", action="store_true")
    parser.add_argument(
        "--noise", type=float, action="append", default=[], help="also with white noise at SNR dB"
    )
    args = parser.parse_args()

    os.environ.setdefault("MOTCUA_VAR_DIR", tempfile.mkdtemp(prefix="bench-asr-"))
    from motcua.speech import asr

    started = time.perf_counter()
    asr.recognize(asr.decode((args.dir / load(args.dir)[0]["file"]).read_bytes(), "audio/wav"))
    load_seconds = time.perf_counter() - started

    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {platform.processor() or platform.machine()}"
        f" · {cpu} cores · Python {platform.python_version()} · viet-asr 0.1.0.dev11"
    )
    print(f"model load + first call: {load_seconds:.2f} s · load average {os.getloadavg()[0]:.1f}")
    results, wer, rtf = measure(load(args.dir), args.runs)
    report(
        f"Real speech ({args.dir.relative_to(ROOT) if args.dir.is_relative_to(ROOT) else args.dir})",
        results,
        wer,
        rtf,
    )
    for snr in args.noise:
        results, wer, rtf = measure(load(args.dir), 1, snr)
        report(f"Real speech with white noise at {snr:g} dB SNR", results, wer, rtf)
    if args.espeak:
        with tempfile.TemporaryDirectory() as tmp:
            results, wer, rtf = measure(espeak_phrases(Path(tmp)), 1)
        report("Kiosk phrases spoken by espeak-ng (not real speech)", results, wer, rtf)


if __name__ == "__main__":
    main()
