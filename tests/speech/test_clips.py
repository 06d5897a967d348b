"""The clip-set voice on stand-in recordings: import checks, and joining in the right order."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from motcua.speech import audio, clips, tts
from motcua.speech.announce import call_text, synthesize_call
from motcua.speech.clips import ClipVoice, import_clips, load_clip_voice
from motcua.speech.errors import VoiceError

from .conftest import (
    CLIP_FREQUENCIES,
    TONE_SECONDS,
    dominant_frequency,
    needs_espeak,
    sounding_segments,
    tone,
    write_wav,
)


def installed(tone_clips, settings, rate=22050):
    dest = tmp_dest(settings)
    report = import_clips(tone_clips, dest, rate)
    assert report.ok, (report.missing, report.problems)
    return dest


def tmp_dest(settings):
    from pathlib import Path

    return Path(settings.MOTCUA_SPEECH_CLIPS_DIR)


class TestImport:
    def test_imports_trims_and_resamples_every_clip(self, tone_clips, settings):
        dest = installed(tone_clips, settings)
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["rate"] == 22050
        required = {s.name for s in clips.RECORDING_LIST if s.required}
        assert required <= set(manifest["clips"]) and "chime" in manifest["clips"]
        for name in required:
            samples, rate, channels = audio.read_wav(dest / f"{name}.wav")
            assert (rate, channels) == (22050, 1)
            # 0.5 s of silence around each tone was trimmed to 20 ms margins.
            assert TONE_SECONDS <= samples.size / rate <= TONE_SECONDS + 0.05
            assert abs(audio.rms(samples) - clips.TARGET_RMS) < 0.01

    def test_reports_missing_clips_in_vietnamese_and_keeps_the_old_set(self, tone_clips, settings):
        dest = installed(tone_clips, settings)
        before = (dest / "manifest.json").read_bytes()
        (tone_clips / "lam.wav").unlink()
        (tone_clips / "den-quay-so.wav").unlink()
        report = import_clips(tone_clips, dest)
        assert not report.ok
        assert {s.name for s in report.missing} == {"lam", "den-quay-so"}
        assert {s.says for s in report.missing} == {"lăm", "đến quầy số"}
        assert (dest / "manifest.json").read_bytes() == before

    def test_rejects_a_silent_or_unreadable_clip(self, tone_clips, settings):
        write_wav(tone_clips / "hai.wav", audio.silence(1.0, 16000), 16000)
        (tone_clips / "ba.wav").write_bytes(b"not a wave file at all")
        report = import_clips(tone_clips, tmp_dest(settings))
        assert not report.ok
        assert any("hai.wav" in p and "im lặng" in p for p in report.problems)
        assert any("ba.wav" in p for p in report.problems)
        assert not tmp_dest(settings).exists()

    def test_stereo_and_vietnamese_file_names_are_accepted(self, tone_clips, settings):
        (tone_clips / "mot.wav").unlink()
        write_wav(tone_clips / "Một.wav", tone(500, 0.3, 48000), 48000, channels=2)
        report = import_clips(tone_clips, tmp_dest(settings))
        assert report.ok
        assert any("Một.wav" in n and "mono" in n for n in report.notes)
        assert any("48000 → 22050" in n for n in report.notes)

    def test_a_missing_folder(self, tmp_path, settings):
        report = import_clips(tmp_path / "nope", tmp_dest(settings))
        assert not report.ok and "Không tìm thấy thư mục" in report.problems[0]


class TestJoining:
    def test_the_call_plays_the_clips_in_reading_order(self, tone_clips, settings):
        voice = ClipVoice(installed(tone_clips, settings))
        text = call_text(1015, 2)
        plan = voice.plan(text)
        assert plan == [
            "moi-cong-dan",
            "mot",
            "nghin",
            "khong",
            "tram",
            "muoi",
            "lam",
            "den-quay-so",
            "hai",
        ]
        samples, rate, _ = audio.read_wav(voice.synthesize(text))
        segments = sounding_segments(samples, rate)
        assert len(segments) == len(plan)
        for segment, name in zip(segments, plan, strict=True):
            assert abs(dominant_frequency(segment, rate) - CLIP_FREQUENCIES[name]) < 8
        # A breath before "một", before "đến quầy số" and after it; short gaps inside numbers.
        gaps = 3 * clips.PHRASE_GAP + 5 * clips.WORD_GAP
        clip_time = len(plan) * (TONE_SECONDS + 0.04)
        assert abs(samples.size / rate - clip_time - gaps) < 0.05

    @pytest.mark.parametrize(
        ("number", "words"),
        [
            (21, ["hai", "muoi-ngang", "mot-sac"]),
            (24, ["hai", "muoi-ngang", "tu"]),
            (105, ["mot", "tram", "linh", "nam"]),
            (10, ["muoi"]),
        ],
    )
    def test_irregular_number_words_use_their_own_clips(self, tone_clips, settings, number, words):
        voice = ClipVoice(installed(tone_clips, settings))
        assert voice.plan(call_text(number, 1))[1:-2] == words

    def test_text_outside_the_clip_set_is_refused(self, tone_clips, settings):
        voice = ClipVoice(installed(tone_clips, settings))
        with pytest.raises(VoiceError):
            voice.plan("Xin mời ông Nguyễn")
        with pytest.raises(VoiceError):
            voice.plan("mời công dân có số thứ tự hai triệu")  # "triệu" is optional, not here

    def test_without_an_import_the_voice_is_unavailable(self, settings):
        with pytest.raises(VoiceError, match="clips import"):
            load_clip_voice(tmp_dest(settings))


class TestSynthesizeCall:
    def test_uses_the_clip_set_and_its_chime_when_configured(self, tone_clips, settings):
        installed(tone_clips, settings)
        settings.MOTCUA_SPEECH_VOICE = "clips"
        path = synthesize_call(1015, 2)
        voice = tts.get_voice()
        assert voice.kind == "clips"
        assert path == tts.cache_path(voice.id, call_text(1015, 2), "wav", True)
        samples, rate, _ = audio.read_wav(path)
        first = sounding_segments(samples, rate)[0]
        assert abs(dominant_frequency(first, rate) - CLIP_FREQUENCIES["chime"]) < 8
        assert synthesize_call(1015, 2) == path  # cached

    def test_reimporting_changes_the_voice_id(self, tone_clips, settings):
        dest = installed(tone_clips, settings)
        first = load_clip_voice(dest).id
        write_wav(tone_clips / "hai.wav", tone(1234, 0.3, 44100), 44100)
        installed(tone_clips, settings)
        assert load_clip_voice(dest).id != first

    @needs_espeak
    def test_falls_back_to_espeak_when_no_clips_are_imported(self, settings, caplog):
        settings.MOTCUA_SPEECH_VOICE = "clips"
        with caplog.at_level(logging.WARNING, logger="motcua.speech.tts"):
            path = synthesize_call(7, 3)
        assert path == tts.cache_path(tts.espeak_voice().id, call_text(7, 3), "wav", True)
        assert "dùng espeak-ng" in caplog.text

    @needs_espeak
    def test_other_text_is_read_by_espeak_without_a_warning(self, tone_clips, settings, caplog):
        installed(tone_clips, settings)
        settings.MOTCUA_SPEECH_VOICE = "clips"
        with caplog.at_level(logging.INFO, logger="motcua.speech.tts"):
            path = tts.synthesize("Thông báo lịch tiếp công dân")
        assert path == tts.cache_path(
            tts.espeak_voice().id, "Thông báo lịch tiếp công dân", "wav", False
        )
        assert [r.levelno for r in caplog.records] == [logging.INFO]

    @needs_espeak
    def test_espeak_spoken_stand_in_clips_make_an_audible_call(self, espeak_clips, settings):
        report = import_clips(espeak_clips, tmp_dest(settings))
        assert report.ok, (report.missing, report.problems)
        settings.MOTCUA_SPEECH_VOICE = "clips"
        samples, rate, _ = audio.read_wav(synthesize_call(1015, 2, chime=False))
        seconds = samples.size / rate
        assert 2.5 < seconds < 8.0 and audio.rms(samples) > 0.03
        assert np.max(np.abs(samples)) <= 1.0
