"""Synthesis through the voices, measured: duration, loudness, format, cache, fallbacks."""

from __future__ import annotations

import http.server
import logging
import os
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

from motcua.speech import audio, tts
from motcua.speech.announce import call_text, synthesize_call
from motcua.speech.errors import SpeechError, VoiceError
from motcua.speech.tts import EspeakVoice, HttpVoice, PiperVoice, get_voice, synthesize

from .conftest import needs_encoder, needs_espeak, needs_sox, tone

CALL = "Mời công dân có số thứ tự một nghìn không trăm mười lăm đến quầy số hai"
RMS_FLOOR = 0.02  # speech from espeak-ng measures about 0.1; silence is 0


def measure(path):
    samples, rate, channels = audio.read_wav(path.read_bytes())
    return samples.size / rate, audio.rms(samples), rate, channels


def soxi(path, flag):
    return subprocess.run(["soxi", flag, str(path)], capture_output=True, text=True).stdout.strip()


class CountingVoice:
    """A voice that records each synthesis (a tone per call), to see the cache at work."""

    kind = "counting"

    def __init__(self, id="counting:1"):
        self.id = id
        self.calls = 0

    def synthesize(self, text):
        self.calls += 1
        return audio.wav_bytes(tone(440, 0.5, 16000), 16000)


class BrokenVoice:
    kind = "broken"
    id = "broken:1"

    def synthesize(self, text):
        raise VoiceError("hỏng")


class TestCallText:
    def test_reads_the_numbers_in_words(self):
        assert call_text(number=1015, counter=2) == CALL
        assert call_text(21, 14).endswith("hai mươi mốt đến quầy số mười bốn")

    @pytest.mark.parametrize("bad", [0, -3, 1_000_000, "12", 1.5, True])
    def test_refuses_bad_numbers(self, bad):
        with pytest.raises(SpeechError, match="Số thứ tự"):
            call_text(bad, 1)


@needs_espeak
class TestEspeak:
    def test_announcement_is_audible_speech_of_plausible_length(self):
        path = synthesize(CALL)
        seconds, loudness, rate, channels = measure(path)
        assert 3.0 < seconds < 8.0
        assert loudness > RMS_FLOOR
        assert (rate, channels) == (22050, 1)

    def test_digits_are_read_as_words_not_spelled_by_espeak(self):
        # "15" through espeak directly says "mười năm"; normalized it is the same audio as the
        # written-out words.
        assert synthesize("số 15").read_bytes() == synthesize("số mười lăm").read_bytes()

    def test_chime_comes_first_and_lengthens_the_call(self):
        plain = synthesize(CALL)
        with_chime = synthesize(CALL, chime=True)
        plain_s, *_ = measure(plain)
        chime_s, *_ = measure(with_chime)
        assert 1.0 < chime_s - plain_s < 1.6
        samples, rate, _ = audio.read_wav(with_chime.read_bytes())
        first = samples[: int(0.3 * rate)]
        spectrum = np.abs(np.fft.rfft(first))
        assert abs(np.fft.rfftfreq(first.size, 1 / rate)[np.argmax(spectrum)] - 659) < 10

    @needs_sox
    def test_sox_agrees_on_the_wav(self):
        path = synthesize_call(1015, 2)
        assert soxi(path, "-r") == "22050"
        assert soxi(path, "-c") == "1"
        assert 4.0 < float(soxi(path, "-D")) < 9.0
        stat_out = subprocess.run(
            ["sox", str(path), "-n", "stat"], capture_output=True, text=True
        ).stderr
        rms_line = next(line for line in stat_out.splitlines() if line.startswith("RMS     amp"))
        assert float(rms_line.split()[-1]) > RMS_FLOOR

    @needs_encoder
    @pytest.mark.parametrize("fmt", ["mp3", "ogg"])
    def test_compressed_formats_are_valid_audio(self, fmt):
        path = synthesize(CALL, fmt)
        assert path.suffix == f".{fmt}"
        head = path.read_bytes()[:4]
        if fmt == "ogg":
            assert head == b"OggS"
        else:
            assert head[:3] == b"ID3" or (head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
        if audio.sox_path():
            assert 3.0 < float(soxi(path, "-D")) < 8.0


class TestCache:
    def test_a_hit_returns_the_same_file_without_synthesizing_again(self):
        voice = CountingVoice()
        first = synthesize("Xin chào", voice=voice)
        mtime = first.stat().st_mtime_ns
        second = synthesize("Xin chào", voice=voice)
        assert second == first and voice.calls == 1
        assert second.read_bytes() == first.read_bytes()
        assert first.stat().st_mtime_ns >= mtime

    def test_key_is_voice_text_chime_and_format(self):
        a, b = CountingVoice("counting:a"), CountingVoice("counting:b")
        paths = {
            synthesize("Xin chào", voice=a),
            synthesize("Xin chào", voice=b),
            synthesize("Xin chào 2", voice=a),
            synthesize("Xin chào", voice=a, chime=True),
        }
        assert len(paths) == 4

    def test_texts_with_the_same_reading_share_one_file(self):
        voice = CountingVoice()
        assert synthesize("quầy 2", voice=voice) == synthesize("quầy hai", voice=voice)
        assert voice.calls == 1

    def test_files_live_under_the_configured_cache(self, settings, tmp_path):
        path = synthesize("Xin chào", voice=CountingVoice())
        assert str(path).startswith(settings.MOTCUA_SPEECH_CACHE)
        assert not list(path.parent.glob(".tmp-*"))

    def test_prune_keeps_the_cache_under_its_limit_oldest_first(self):
        voice = CountingVoice()
        paths = [synthesize(f"Câu số {i}", voice=voice) for i in range(5)]
        for age, path in enumerate(paths):
            os.utime(path, (1_000_000 + age, 1_000_000 + age))
        size = paths[0].stat().st_size
        assert tts.prune_cache(max_bytes=size * 2) == 3
        assert [p.exists() for p in paths] == [False, False, False, True, True]


class TestInput:
    @pytest.mark.parametrize("text", ["", "   ", "...", "\n"])
    def test_empty_text_is_refused(self, text):
        with pytest.raises(SpeechError, match="Văn bản trống"):
            synthesize(text, voice=CountingVoice())

    def test_unknown_format_is_refused(self):
        with pytest.raises(SpeechError, match="không được hỗ trợ"):
            synthesize("Xin chào", "flac", voice=CountingVoice())


class TestFallback:
    @needs_espeak
    def test_a_failing_voice_falls_back_to_espeak_and_logs_no_text(self, caplog):
        with caplog.at_level(logging.WARNING, logger="motcua.speech.tts"):
            path = synthesize("Nguyễn Văn An số 0912345678", voice=BrokenVoice())
        assert measure(path)[1] > RMS_FLOOR
        assert "broken" in caplog.text
        assert "Nguyễn" not in caplog.text and "chín một hai" not in caplog.text

    @needs_espeak
    def test_an_unusable_configured_voice_falls_back(self, settings, caplog):
        settings.MOTCUA_SPEECH_VOICE = "piper"
        settings.MOTCUA_SPEECH_PIPER_MODEL = "/nonexistent/vi.onnx"
        with caplog.at_level(logging.WARNING, logger="motcua.speech.tts"):
            path = synthesize("Xin chào")
        assert measure(path)[1] > RMS_FLOOR
        assert "Piper" in caplog.text

    def test_unknown_voice_kind(self):
        with pytest.raises(VoiceError, match="không có"):
            get_voice("festival")

    def test_no_voice_at_all_is_a_clear_error(self, monkeypatch):
        monkeypatch.setattr(tts.shutil, "which", lambda name: None)
        with pytest.raises(SpeechError, match="Không có giọng đọc nào"):
            synthesize("Xin chào", voice=BrokenVoice())

    def test_espeak_id_names_voice_and_rate(self):
        assert EspeakVoice("vi", 140).id == "espeak:vi:140"


class _FakeTTS(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        _FakeTTS.received.append(body)
        if self.path == "/broken":
            self.send_response(500)
            self.end_headers()
            return
        data = audio.wav_bytes(tone(300, 0.1 * len(body.split()), 24000), 24000)
        if self.path == "/not-audio":
            data = b"<html>oops</html>"
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_tts_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeTTS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeTTS.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class TestHttpVoice:
    def test_posts_the_normalized_text_and_caches_the_audio(self, settings, fake_tts_server):
        settings.MOTCUA_SPEECH_VOICE = "http"
        settings.MOTCUA_SPEECH_HTTP_URL = fake_tts_server + "/tts"
        path = synthesize("Mời số 15")
        assert _FakeTTS.received == ["Mời số mười lăm"]
        seconds, loudness, rate, _ = measure(path)
        assert rate == 24000 and abs(seconds - 0.4) < 0.01 and loudness > RMS_FLOOR
        assert synthesize("Mời số 15") == path and len(_FakeTTS.received) == 1

    def test_id_does_not_reveal_the_url(self):
        voice = HttpVoice("https://tts.example/api?key=secret")
        assert "secret" not in voice.id and voice.id.startswith("http:")

    @pytest.mark.parametrize("route", ["/broken", "/not-audio"])
    def test_a_bad_server_is_a_voice_error(self, fake_tts_server, route):
        with pytest.raises(VoiceError):
            HttpVoice(fake_tts_server + route, timeout=5).synthesize("xin chào")

    def test_refuses_other_schemes(self):
        with pytest.raises(VoiceError, match="http"):
            HttpVoice("file:///etc/passwd")

    @needs_espeak
    def test_an_unreachable_server_falls_back_to_espeak(self, settings):
        settings.MOTCUA_SPEECH_VOICE = "http"
        settings.MOTCUA_SPEECH_HTTP_URL = "http://127.0.0.1:9/"
        path = synthesize("Xin chào")
        assert path == tts.cache_path(tts.espeak_voice().id, "Xin chào", "wav", False)
        assert measure(path)[2] == 22050


@pytest.fixture
def fake_piper(tmp_path, monkeypatch):
    """A ``piper`` executable on PATH that writes a tone as long as the text has words."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "piper"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, wave, math\n"
        "args = sys.argv[1:]\n"
        "out = args[args.index('-f') + 1]\n"
        "assert args[args.index('-m') + 1].endswith('.onnx')\n"
        "words = sys.stdin.read().split()\n"
        "n = 16000 * len(words) // 10\n"
        "with wave.open(out, 'wb') as w:\n"
        "    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)\n"
        "    w.writeframes(b''.join(int(8000*math.sin(i/5)).to_bytes(2,'little',signed=True)"
        " for i in range(n)))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    model = tmp_path / "vi_VN-test.onnx"
    model.write_bytes(b"stand-in model")
    return model


class TestPiperVoice:
    def test_runs_piper_with_the_model(self, settings, fake_piper):
        settings.MOTCUA_SPEECH_VOICE = "piper"
        settings.MOTCUA_SPEECH_PIPER_MODEL = str(fake_piper)
        voice = get_voice()
        assert isinstance(voice, PiperVoice) and voice.id.startswith("piper:vi_VN-test.onnx")
        seconds, loudness, rate, _ = measure(synthesize("Mời số 15"))
        assert rate == 16000 and abs(seconds - 0.4) < 0.01 and loudness > RMS_FLOOR

    def test_missing_model_is_a_voice_error(self, tmp_path):
        with pytest.raises(VoiceError, match="Piper"):
            PiperVoice(str(tmp_path / "none.onnx"))
