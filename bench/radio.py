"""Synthesis speed of a 1,000-word commune radio bulletin (issue 12: "record the synthesis speed
for a 1,000-word bulletin").

Usage:

    PYTHONPATH=src .venv/bin/python bench/radio.py [--words 1000] [--format mp3] [--voice espeak]

The bulletin is built from typical notices (new procedures, temporary residence, a meeting,
vaccination, fees, dates, times, abbreviations), repeated with different numbers until it has
``--words`` written words, in paragraphs. It is rendered with
:func:`motcua.speech.radio.render` (normalization, one synthesis per sentence, pauses, intro and
outro jingles, MP3 encoding) three times in a fresh cache: run 1 uncached, then the same text
again (every sentence cached: only joining and encoding), then with one sentence changed (an
officer's fix). Wall clock; the audio's length from the result.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

NOTICES = [
    "UBND xã Hiền Lương thông báo: từ ngày {d}/7/2025, Bộ phận một cửa tiếp nhận hồ sơ từ "
    "7h30-11h30 và 13h30-17h00 các ngày làm việc trong tuần.",
    "Đề nghị các hộ gia đình có người đến ở từ {n} ngày trở lên đăng ký tạm trú với Công an "
    "xã theo Luật Cư trú năm 2020; lệ phí {fee}.000đ một lần đăng ký, miễn phí khi nộp trực "
    "tuyến.",
    "Thủ tục đăng ký khai sinh được giải quyết ngay trong ngày; nếu nhận hồ sơ sau 15h thì trả "
    "kết quả trong ngày làm việc tiếp theo.",
    "Hội nghị tiếp xúc cử tri của HĐND xã được tổ chức lúc {h}h ngày {d}/7 tại hội trường thôn "
    "{n}, kính mời bà con đến dự đông đủ.",
    "Trạm Y tế xã tổ chức tiêm chủng mở rộng cho trẻ dưới {n} tuổi vào sáng thứ {t}, đề nghị "
    "phụ huynh mang theo sổ tiêm chủng và thẻ BHYT của trẻ.",
    "Năm 2025 toàn xã có {n}.{fee}5 hộ gia đình, tỷ lệ hộ nghèo giảm còn {t},{n}%, thu nhập bình "
    "quân đạt {fee} triệu đồng một người một năm.",
    "MTTQ xã phát động ủng hộ quỹ Vì người nghèo; mọi đóng góp xin gửi về Ban công tác Mặt "
    "trận các thôn trước ngày {d}/8/2025.",
    "Ban chỉ huy Quân sự xã thông báo lịch khám sức khỏe nghĩa vụ quân sự năm 2026 cho thanh "
    "niên sinh năm {y}, có mặt lúc {h}h30 tại Trạm Y tế xã.",
]


def bulletin(words: int) -> str:
    paragraphs, count, i = [], 0, 0
    while count < words:
        values = {"d": 1 + i % 28, "n": 2 + i % 9, "fee": 10 + i % 40, "h": 7 + i % 8,
                  "t": 2 + i % 5, "y": 2001 + i % 6}  # fmt: skip
        text = NOTICES[i % len(NOTICES)].format(**values)
        paragraphs.append(text)
        count += len(text.split())
        i += 1
    return "\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--format", default="mp3")
    parser.add_argument("--voice", default="espeak")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-radio-"))
    os.environ["MOTCUA_VAR_DIR"] = str(tmp)
    os.environ["MOTCUA_SPEECH_CACHE"] = str(tmp / "cache")
    os.environ["MOTCUA_SPEECH_VOICE"] = args.voice
    from motcua.speech import radio

    text = bulletin(args.words)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · "
        f"load average {os.getloadavg()[0]:.1f} · voice {args.voice} · {args.format}"
    )
    print(f"bulletin: {len(text.split())} written words, {len(text)} characters")
    print("\n| run | sentences | spoken words | audio | wall clock | × real time |")
    print("|---|---|---|---|---|---|")
    runs = [("uncached", text), ("same text again (cached)", text),
            ("one sentence changed", text.replace("đông đủ", "đúng giờ", 1))]  # fmt: skip
    for name, body in runs:
        result = radio.render(body, tmp / f"out.{args.format}", fmt=args.format)
        print(
            f"| {name} | {result.sentences} | {result.words} | {result.seconds / 60:.1f} min | "
            f"{result.elapsed:.2f} s | {result.seconds / result.elapsed:.0f}× |"
        )
    print(f"\nfile: {(tmp / f'out.{args.format}').stat().st_size / 1e6:.2f} MB")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
