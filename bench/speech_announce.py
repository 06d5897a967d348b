"""Synthesis time per queue announcement (issue 11 goal: ≤ 200 ms once cached).

Usage:

    PYTHONPATH=src .venv/bin/python bench/speech_announce.py [--calls 30] [--formats wav,mp3]

For each voice (espeak-ng; the clip set, built from stand-in clips that espeak-ng speaks word by
word and imported with ``import_clips``) and format, ``--calls`` different announcements
(ticket numbers 1001…, counters 1–9) are made through ``synthesize_call`` (chime included) in a
fresh cache: the first pass is uncached (synthesis, chime, encoding, atomic write), the second
pass asks for the same calls again (cache lookup). Wall clock per call; p50/p95/max in ms. The
audio of one call per voice is measured (duration, RMS) as a sanity check. No Django database is
touched: settings come from the environment.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def make_stand_in_clips(folder: Path) -> None:
    from motcua.speech.clips import RECORDING_LIST

    folder.mkdir(parents=True, exist_ok=True)
    for spec in RECORDING_LIST:
        if spec.says:
            subprocess.run(
                ["espeak-ng", "-v", "vi", "-w", str(folder / f"{spec.name}.wav"), spec.says],
                check=True,
                capture_output=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--formats", default="wav,mp3")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        sys.exit("Cần espeak-ng (apt-get install espeak-ng).")

    work = Path(tempfile.mkdtemp(prefix="speech-bench-"))
    os.environ["MOTCUA_SPEECH_CLIPS_DIR"] = str(work / "clips")
    from motcua.speech import audio
    from motcua.speech.announce import synthesize_call
    from motcua.speech.clips import import_clips, load_clip_voice
    from motcua.speech.tts import espeak_voice

    make_stand_in_clips(work / "recorded")
    report = import_clips(work / "recorded", work / "clips")
    assert report.ok, (report.missing, report.problems)

    calls = [(1001 + 37 * i, 1 + i % 9) for i in range(args.calls)]
    rows = []
    for kind in ("espeak", "clips"):
        t0 = time.perf_counter()
        voice = espeak_voice() if kind == "espeak" else load_clip_voice(work / "clips")
        load_ms = (time.perf_counter() - t0) * 1000
        for fmt in args.formats.split(","):
            os.environ["MOTCUA_SPEECH_CACHE"] = str(work / f"cache-{kind}-{fmt}")
            timings = {}
            for phase in ("uncached", "cached"):
                times = []
                for number, counter in calls:
                    start = time.perf_counter()
                    path = synthesize_call(number, counter, fmt, voice=voice)
                    times.append((time.perf_counter() - start) * 1000)
                timings[phase] = times
            samples, rate, _ = audio.read_wav(
                synthesize_call(calls[0][0], calls[0][1], "wav", voice=voice)
            )
            rows.append((kind, fmt, load_ms, timings, samples.size / rate, audio.rms(samples)))
            del path

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{args.calls} different announcements per row, chime included, ms per call\n")
    print(
        "| voice | format | uncached p50 | uncached p95 | uncached max | cached p50 | "
        "cached p95 | cached max | voice load | audio (first call) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, fmt, load_ms, timings, seconds, loudness in rows:
        u, c = timings["uncached"], timings["cached"]
        print(
            f"| {kind} | {fmt} | {statistics.median(u):.1f} | {percentile(u, 0.95):.1f} | "
            f"{max(u):.1f} | {statistics.median(c):.2f} | {percentile(c, 0.95):.2f} | "
            f"{max(c):.2f} | {load_ms:.0f} | {seconds:.2f} s, RMS {loudness:.3f} |"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
