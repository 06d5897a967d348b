"""``motcua speech``: normalize, say, call, clips list / import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.speech import audio, clips

from .conftest import needs_encoder, needs_espeak

REPO = Path(__file__).resolve().parents[2]


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("speech", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


class TestNormalizeCommand:
    def test_one_reading_line_per_input_line(self):
        out = run("normalize", stdin="Phí 50.000đ\n\nUBND xã 0912 345 678\n")
        assert out.splitlines() == [
            "Phí năm mươi nghìn đồng",
            "",
            "ủy ban nhân dân xã không chín một hai, ba bốn năm, sáu bảy tám",
        ]

    def test_through_the_real_command_line(self, tmp_path):
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SECRET_KEY": "test"}
        done = subprocess.run(
            [sys.executable, "-m", "motcua", "speech", "normalize"],
            input="Mời số 1015 đến quầy 2\n8h30 ngày 01/07/2025\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == [
            "Mời số một nghìn không trăm mười lăm đến quầy hai",
            "tám giờ ba mươi phút ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm",
        ]


class TestSayCommand:
    @needs_espeak
    def test_writes_a_wav(self, tmp_path):
        target = tmp_path / "out.wav"
        assert "Đã ghi" in run("say", "Mời số 15 đến quầy 2", "-o", str(target))
        samples, rate, _ = audio.read_wav(target.read_bytes())
        assert 2.0 < samples.size / rate < 6.0 and audio.rms(samples) > 0.02

    @needs_espeak
    @needs_encoder
    def test_writes_an_mp3_with_a_chime(self, tmp_path):
        target = tmp_path / "out.mp3"
        run("say", "Xin chào", "-o", str(target), "--chime")
        assert target.stat().st_size > 1000

    def test_unknown_format_is_a_vietnamese_error(self, tmp_path):
        with pytest.raises(CommandError, match="đuôi tệp phải là .wav, .mp3 hoặc .ogg"):
            run("say", "Xin chào", "-o", str(tmp_path / "out.flac"))
        assert not (tmp_path / "out.flac").exists()

    @pytest.mark.parametrize("text", ["", "   ", "?!"])
    def test_empty_text_is_a_vietnamese_error(self, tmp_path, text):
        with pytest.raises(CommandError, match="Văn bản trống"):
            run("say", text, "-o", str(tmp_path / "out.wav"))
        assert not (tmp_path / "out.wav").exists()

    def test_an_unusable_chosen_voice_is_reported(self, tmp_path, settings):
        settings.MOTCUA_SPEECH_PIPER_MODEL = ""
        with pytest.raises(CommandError, match="Giọng “piper” không dùng được"):
            run("say", "Xin chào", "-o", str(tmp_path / "o.wav"), "--voice", "piper")


class TestCallCommand:
    @needs_espeak
    def test_writes_the_announcement(self, tmp_path):
        target = tmp_path / "call.wav"
        run("call", "1015", "2", "-o", str(target))
        samples, rate, _ = audio.read_wav(target.read_bytes())
        assert 4.0 < samples.size / rate < 10.0

    def test_a_bad_number_is_refused(self, tmp_path):
        with pytest.raises(CommandError, match="Số thứ tự phải là số nguyên"):
            run("call", "0", "2", "-o", str(tmp_path / "call.wav"))


class TestClipsCommands:
    def test_list_names_every_clip_and_what_to_say(self):
        out = run("clips", "list")
        for spec in clips.RECORDING_LIST:
            assert f"{spec.name}.wav" in out
            if spec.says:
                assert f"“{spec.says}”" in out
        assert "mono" in out

    def test_import_installs_the_set(self, tone_clips, settings):
        out = run("clips", "import", str(tone_clips))
        assert "Đã nhập 21 đoạn" in out
        assert (Path(settings.MOTCUA_SPEECH_CLIPS_DIR) / "manifest.json").exists()

    def test_import_lists_missing_clips_in_vietnamese(self, tone_clips):
        (tone_clips / "tu.wav").unlink()
        with pytest.raises(CommandError) as caught:
            run("clips", "import", str(tone_clips))
        assert "Thiếu tu.wav: lời đọc “tư”" in str(caught.value)
        assert "bộ cũ vẫn giữ nguyên" in str(caught.value)
