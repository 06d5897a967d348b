"""The kiosk's card step and form step under hostile input (issue 9): never a server error;
card data with hidden characters is refused with a message."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import has_unsafe_characters
from motcua.dossiers.models import Dossier
from tests.kiosk.conftest import QR_PAYLOAD
from tests.kiosk.test_flow import BIRTH, birth_form_data

from .budget import fuzz

pytestmark = pytest.mark.django_db

FUZZ = fuzz(max_examples=30)


class TestCardStep:
    @pytest.mark.parametrize("char", ["\x00", "\u202e", "\u2067", "\u200b", "\u061c"])
    def test_hidden_characters_in_the_scan_are_refused(self, kiosk_client, char):
        scan = QR_PAYLOAD.replace("Nguyễn Thị Lan", f"Nguyễn{char} Thị Lan")
        response = kiosk_client.post("/kiosk/the/", {"scan": scan})
        assert response.status_code == 400
        assert "ký tự ẩn hoặc ký tự điều khiển" in response.content.decode()
        assert "card" not in kiosk_client.session

    @FUZZ
    @given(scan=st.text(max_size=200))
    def test_random_scans(self, kiosk_client, scan):
        response = kiosk_client.post("/kiosk/the/", {"scan": scan})
        assert response.status_code in (302, 400)


class TestFormStep:
    @FUZZ
    @given(data=st.data())
    def test_random_answers_never_give_a_server_error(self, kiosk_client, data):
        kiosk_client.raise_request_exception = False
        assert kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD}).status_code == 302
        answers = birth_form_data(kiosk_client)
        names = sorted(answers)
        for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3)):
            answers[name] = data.draw(st.text(max_size=40))
        before = Dossier.objects.count()
        with transaction.atomic():
            response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", answers)
            assert response.status_code in (302, 400)
            if response.status_code == 302:
                review = kiosk_client.get("/kiosk/xac-nhan/")
                assert review.status_code in (200, 302)
                if review.status_code == 200:
                    key = review.context["submit_key"]
                    done = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
                    assert done.status_code in (302, 400)
            for dossier in Dossier.objects.all():
                stored = [dossier.applicant_name, *map(str, (dossier.form_data or {}).values())]
                assert not any(has_unsafe_characters(value) for value in stored)
            transaction.set_rollback(True)
        assert Dossier.objects.count() == before
