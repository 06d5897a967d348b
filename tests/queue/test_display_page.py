"""The TV page, its JSON state and the loudspeaker's audio: public, numbers only."""

from __future__ import annotations

import re
import shutil
import wave

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.queue import services
from motcua.queue.models import QueueSettings, TicketEvent
from motcua.queue.states import Source
from tests.dossiers.conftest import make_center


def _now():
    return timezone.now()


@pytest.fixture
def busy(queue):
    """Counter 1 has called 1001, counter 2 serves 2001, 1002 and 1003 wait."""
    with transaction.atomic():
        for area in (queue.civil, queue.land, queue.civil, queue.civil):
            services.issue_ticket(
                center=queue.center,
                area=area,
                source=Source.KIOSK,
                now=_now(),
                actor="kiosk:1",
                check_open=False,
            )
        services.open_counter(queue.counter1, officer=queue.officer1, now=_now())
        services.open_counter(queue.counter2, officer=queue.officer2, now=_now())
        queue.counter2.areas.remove(queue.civil)
        queue.first = services.call_next(queue.counter1, officer=queue.officer1, now=_now())
        queue.second = services.call_next(queue.counter2, officer=queue.officer2, now=_now())
        services.act_on_ticket(
            queue.second, "start", counter=queue.counter2, officer=queue.officer2, now=_now()
        )
        QueueSettings.objects.create(
            center=queue.center, display_notice="Trung tâm làm việc sáng thứ Bảy từ 7 giờ 30."
        )
    return queue


def page_url(center) -> str:
    return f"/hang-doi/{center.agency_code}/man-hinh/"


class TestDisplayPage:
    def test_shows_counters_calls_waiting_and_the_notice(self, client, busy):
        response = client.get(page_url(busy.center))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-counter="1"' in html and 'data-counter="2"' in html
        assert re.search(r'data-counter="1">.*?data-counter-number>1001<', html, re.S)
        assert re.search(r'data-counter="2">.*?data-counter-number>2001<', html, re.S)
        assert "Đang phục vụ" in html
        assert re.search(r"Hộ tịch – Chứng thực</span> <b data-area-waiting>2</b>", html)
        assert "Trung tâm làm việc sáng thứ Bảy từ 7 giờ 30." in html
        assert "Bấm để bật loa" in html
        last = TicketEvent.objects.order_by("-pk").first().pk
        assert f'data-last-event="{last}"' in html
        assert f"/hang-doi/{busy.center.agency_code}/man-hinh/su-kien/" in html

    def test_is_public_and_holds_no_personal_data(self, client, busy):
        html = client.get(page_url(busy.center)).content.decode()
        for officer in (busy.officer1, busy.officer2):
            assert officer.username not in html
        assert "Cán bộ" not in html
        # The phone page's secret address never reaches the hall.
        assert busy.first.token not in html and busy.second.token not in html

    def test_no_inline_script_or_style(self, client, busy):
        html = client.get(page_url(busy.center)).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert " style=" not in html and "<style" not in html
        assert re.search(r"\son[a-z]+=", html) is None

    def test_an_unknown_center_is_a_vietnamese_404(self, client, db):
        response = client.get("/hang-doi/KHONG-CO/man-hinh/")
        assert response.status_code == 404
        assert "Không tìm thấy" in response.content.decode()

    def test_a_center_that_is_not_active_says_so(self, client, queue):
        queue.center.is_active = False
        queue.center.save()
        response = client.get(page_url(queue.center))
        assert response.status_code == 503
        assert "không hoạt động" in response.content.decode()

    def test_post_is_refused(self, client, queue):
        assert client.post(page_url(queue.center)).status_code == 405


class TestDisplayState:
    def test_the_json_state_matches_the_page(self, client, busy):
        response = client.get(page_url(busy.center) + "trang-thai/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        state = response.json()
        assert {c["counter"]: (c["number"], c["status"]) for c in state["counters"]} == {
            1: (1001, "called"),
            2: (2001, "serving"),
        }
        assert [(c["number"], c["counter"]) for c in state["calls"]] == [(2001, 2), (1001, 1)]
        assert {w["name"]: w["waiting"] for w in state["waiting"]} == {
            "Hộ tịch – Chứng thực": 2,
            "Đất đai": 0,
        }
        assert state["last_event"] == TicketEvent.objects.order_by("-pk").first().pk
        text = response.content.decode()
        assert busy.officer1.username not in text and busy.first.token not in text


def _has_voice() -> bool:
    return shutil.which("espeak-ng") is not None


class TestAnnouncement:
    @pytest.mark.skipif(not _has_voice(), reason="needs espeak-ng (apt-get install espeak-ng)")
    def test_a_call_is_spoken_as_wav(self, client, busy, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        event = TicketEvent.objects.get(ticket=busy.first, action="call")
        response = client.get(page_url(busy.center) + f"loa/{event.pk}.wav")
        assert response.status_code == 200
        assert response["Content-Type"] == "audio/wav"
        path = tmp_path / "audio.wav"
        path.write_bytes(b"".join(response.streaming_content))
        with wave.open(str(path)) as audio:
            seconds = audio.getnframes() / audio.getframerate()
            frames = audio.readframes(audio.getnframes())
        # "Mời công dân có số thứ tự một nghìn không trăm linh một đến quầy số một": 3–12 s.
        assert 3 <= seconds <= 12
        assert max(frames) > 0  # not silent

    def test_only_calls_of_this_center_are_spoken(self, client, busy):
        issued = TicketEvent.objects.filter(action="issue").first()
        assert client.get(page_url(busy.center) + f"loa/{issued.pk}.wav").status_code == 404
        call = TicketEvent.objects.get(ticket=busy.first, action="call")
        other = make_center("000.00.99.H45", "Xã Khác")
        assert client.get(page_url(other) + f"loa/{call.pk}.wav").status_code == 404
        assert client.get(page_url(busy.center) + "loa/999999.wav").status_code == 404
