"""The confirmation (the kiosk's service call) checks the form again but computes the screen's
summary, papers and due-time preview only when it has to show the screen again."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from motcua.kiosk import flow

from .conftest import QR_PAYLOAD
from .test_flow import BIRTH, birth_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def previews(monkeypatch):
    calls = []
    original = flow.appointment_preview

    def counted(*args, **kwargs):
        calls.append(args[1].code)
        return original(*args, **kwargs)

    monkeypatch.setattr(flow, "appointment_preview", counted)
    return calls


def to_confirmation(client) -> str:
    client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
    response = client.post(f"/kiosk/to-khai/{BIRTH}/", birth_form_data(client))
    assert response.status_code == 302
    return client.get("/kiosk/xac-nhan/").context["submit_key"]


def test_a_successful_confirmation_skips_the_screen_preview(kiosk_client, previews):
    key = to_confirmation(kiosk_client)
    assert previews == [BIRTH]  # the confirmation screen showed its due time
    response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
    assert response["Location"] == "/kiosk/phieu-hen/"
    assert Dossier.objects.count() == 1
    assert previews == [BIRTH]  # not computed again for a redirect


def test_a_refused_confirmation_shows_the_whole_screen_again(kiosk_client, previews):
    to_confirmation(kiosk_client)
    response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": "not-the-key"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nguyễn Minh An" in page  # the answers' summary
    assert "Dự kiến trả kết quả" in page  # the due-time preview
    assert response.context["pending"].fee_text
    assert previews == [BIRTH, BIRTH]
    assert not Dossier.objects.exists()
