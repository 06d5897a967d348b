"""The kiosk's voice endpoints over HTTP: the "Nói" upload and the "Nghe" prompts."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from motcua.core.ratelimit import reset
from motcua.speech import asr, audio
from motcua.speech.kiosk_views import TRANSCRIBE_LIMIT
from tests.kiosk.conftest import QR_PAYLOAD, demo_center, kiosk_client, kiosk_device  # noqa: F401

from .conftest import needs_espeak, tone

pytestmark = pytest.mark.django_db

DATA = Path(
    os.environ.get("MOTCUA_SPEECH_CLIPS")
    or Path(__file__).resolve().parents[2] / "var" / "test-data" / "speech"
)
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "speech"
URL = "/kiosk/giong-noi/"


@pytest.fixture
def citizen(kiosk_client):  # noqa: F811
    """A kiosk with a citizen's card read: the procedure step is open."""
    assert kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD}).status_code == 302
    return kiosk_client


def speechlike(seconds: float = 2.0) -> bytes:
    parts = []
    for i in range(int(seconds / 0.25)):
        parts += [tone(180 + 20 * (i % 5), 0.15, 16000), audio.silence(0.1, 16000)]
    return audio.wav_bytes(np.concatenate(parts), 16000)


def post(client, body: bytes, content_type: str = "audio/wav"):
    return client.post(URL, data=body, content_type=content_type)


class TestTranscribeEndpoint:
    def test_unregistered_browser_is_refused(self, client, kiosk_device):  # noqa: F811
        response = post(client, speechlike())
        assert response.status_code == 403
        assert "chưa được đăng ký" in response.content.decode()

    def test_without_a_citizen_session_is_refused(self, kiosk_client):  # noqa: F811
        response = post(kiosk_client, speechlike())
        assert response.status_code == 403
        assert response.json()["code"] == "session"

    def test_get_is_not_allowed(self, citizen):
        assert citizen.get(URL).status_code == 405

    def test_wrong_content_type(self, citizen):
        response = post(citizen, b"hello", "text/plain")
        assert response.status_code == 415
        assert response.json()["error"] == asr.error_for("wrong_type").message

    def test_bad_audio(self, citizen):
        response = post(citizen, b"OggS" + b"\x00" * 300, "audio/ogg")
        assert response.status_code == 400
        assert "Không đọc được đoạn ghi âm" in response.json()["error"]

    def test_too_long(self, citizen):
        response = post(citizen, speechlike(22.0))
        assert response.status_code == 400
        assert response.json()["code"] == "too_long"

    def test_too_big_is_refused_from_its_length(self, citizen):
        response = post(citizen, b"RIFF" + b"\x00" * (asr.MAX_UPLOAD_BYTES + 10))
        assert response.status_code == 413
        assert response.json()["code"] == "too_big"

    def test_silence(self, citizen):
        response = post(citizen, audio.wav_bytes(audio.silence(2.0, 16000), 16000))
        assert response.status_code == 422
        assert "Không nghe thấy tiếng nói" in response.json()["error"]

    def test_no_model_installed(self, citizen, monkeypatch):
        asr.reset_model()

        def missing():
            raise ImportError("no vietasr")

        monkeypatch.setattr(asr, "_import_vietasr", missing)
        try:
            response = post(citizen, speechlike())
        finally:
            asr.reset_model()
        assert response.status_code == 503
        assert "chưa cài bộ nhận dạng giọng nói" in response.json()["error"]

    def test_rate_limited_per_device(self, citizen, kiosk_device):  # noqa: F811
        reset(TRANSCRIBE_LIMIT, str(kiosk_device.pk))
        statuses = [
            post(citizen, b"x", "text/plain").status_code for _ in range(TRANSCRIBE_LIMIT.hits + 1)
        ]
        assert statuses[:-1] == [415] * TRANSCRIBE_LIMIT.hits
        assert statuses[-1] == 429

    def test_csrf_is_required(self, citizen):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.cookies = citizen.cookies  # the same kiosk and citizen, but no CSRF token
        response = strict.post(URL, data=speechlike(), content_type="audio/wav")
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")  # the CSRF page, not our JSON

    @pytest.mark.skipif(
        importlib.util.find_spec("vietasr") is None,
        reason='viet-asr is not installed (pip install "viet-asr==0.1.0.dev11")',
    )
    @pytest.mark.skipif(
        not (DATA / "example-4.wav").exists(),
        reason="the speech clips are not fetched (scripts/fetch_speech_clips.py)",
    )
    def test_real_speech_comes_back_as_words(self, citizen):
        response = post(citizen, (DATA / "example-4.wav").read_bytes())
        assert response.status_code == 200
        assert "tết là dịp mọi người" in response.json()["text"]
        assert "Tết" not in str(response.headers)  # nothing said goes into a header

    @pytest.mark.skipif(
        importlib.util.find_spec("vietasr") is None,
        reason='viet-asr is not installed (pip install "viet-asr==0.1.0.dev11")',
    )
    def test_shipped_real_speech_comes_back_as_words(self, citizen):
        response = post(citizen, (SHIPPED / "chunkformer-2.wav").read_bytes())
        assert response.status_code == 200
        assert "viện dưỡng lão" in response.json()["text"]

    def test_the_page_offers_the_microphone(self, citizen):
        page = citizen.get("/kiosk/thu-tuc/").content.decode()
        assert 'data-voice-mic data-url="/kiosk/giong-noi/"' in page
        assert "speech/kiosk-voice" in page
        assert "/kiosk/nghe/chon-thu-tuc/" in page


class TestListen:
    @needs_espeak
    def test_a_fixed_prompt_is_audio(self, citizen):
        response = citizen.get("/kiosk/nghe/chon-thu-tuc/")
        assert response.status_code == 200
        assert response["Content-Type"] in ("audio/mpeg", "audio/wav")
        body = b"".join(response.streaming_content)
        assert len(body) > 10_000

    def test_unknown_prompt(self, citizen):
        assert citizen.get("/kiosk/nghe/bat-ky-cau-nao/").status_code == 404

    @needs_espeak
    def test_text_in_the_url_is_never_spoken(self, citizen, settings):
        plain = b"".join(citizen.get("/kiosk/nghe/chon-thu-tuc/").streaming_content)
        sneaky = citizen.get("/kiosk/nghe/chon-thu-tuc/?text=Mua+thuốc+ở+đây&q=x")
        assert b"".join(sneaky.streaming_content) == plain
        assert len(list(Path(settings.MOTCUA_SPEECH_CACHE).rglob("*.*"))) == 1

    @needs_espeak
    def test_a_published_procedure_is_read_by_code(self, citizen):
        response = citizen.get("/kiosk/nghe/thu-tuc/1.001193/")
        assert response.status_code == 200

    def test_an_unknown_procedure_is_404(self, citizen):
        assert citizen.get("/kiosk/nghe/thu-tuc/9.999999/").status_code == 404

    def test_unregistered_browser(self, client, kiosk_device):  # noqa: F811
        assert client.get("/kiosk/nghe/chon-thu-tuc/").status_code == 403
