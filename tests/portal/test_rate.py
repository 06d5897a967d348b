"""Rating a dossier from the citizen's page: hers only, once, with a result, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import DossierEvent
from motcua.feedback.models import ServiceRating

from .conftest import OTHER_ID, earlier_dossier
from .journey import finish_with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(known_citizen):
    finish_with_result(known_citizen)
    return known_citizen


class TestRate:
    def test_her_rating_is_the_portals_and_she_comes_back_to_her_dossier(self, lan, returned):
        mine = f"/cong-dan/ho-so/{returned.code}/"
        assert f'action="{mine}danh-gia/"' in lan.get(mine).content.decode()
        response = lan.post(f"{mine}danh-gia/", {"rating": "dissatisfied", "comment": "Chờ lâu."})
        assert response.status_code == 302 and response["Location"] == mine
        stored = ServiceRating.objects.get(dossier=returned)
        assert (stored.rating, stored.source, stored.comment) == (
            "dissatisfied",
            "portal",
            "Chờ lâu.",
        )
        event = DossierEvent.objects.get(dossier=returned, action="rate")
        assert event.actor == "citizen:portal"
        assert "Bạn đã đánh giá hồ sơ này: Không hài lòng" in lan.get(mine).content.decode()

    def test_once(self, lan, returned):
        url = f"/cong-dan/ho-so/{returned.code}/danh-gia/"
        assert lan.post(url, {"rating": "satisfied"}).status_code == 302
        again = lan.post(url, {"rating": "dissatisfied"})
        assert again.status_code == 409
        assert "đã được đánh giá" in again.content.decode()
        assert ServiceRating.objects.get(dossier=returned).rating == "satisfied"

    def test_no_choice_is_a_message_and_nothing_saved(self, lan, returned):
        for data in ({}, {"rating": "5 sao"}, {"rating": "satisfied", "comment": "x" * 1001}):
            response = lan.post(f"/cong-dan/ho-so/{returned.code}/danh-gia/", data)
            assert response.status_code == 400
            assert 'role="alert"' in response.content.decode()
        assert not ServiceRating.objects.exists()

    def test_not_before_the_result(self, lan, known_citizen):
        response = lan.post(
            f"/cong-dan/ho-so/{known_citizen.code}/danh-gia/", {"rating": "satisfied"}
        )
        assert response.status_code in (400, 409)
        assert "chưa thể đánh giá" in response.content.decode()
        assert not ServiceRating.objects.exists()

    def test_another_citizens_dossier_is_404(self, lan, center):
        theirs = earlier_dossier(center, OTHER_ID, email="binh@example.vn", key="binh")
        finish_with_result(theirs)
        response = lan.post(f"/cong-dan/ho-so/{theirs.code}/danh-gia/", {"rating": "satisfied"})
        assert response.status_code == 404
        assert not ServiceRating.objects.exists()

    def test_needs_sign_in_and_post(self, lan, returned):
        url = f"/cong-dan/ho-so/{returned.code}/danh-gia/"
        assert lan.get(url).status_code == 405
        response = Client().post(url, {"rating": "satisfied"})
        assert response.status_code == 302 and "/cong-dan/dang-nhap/" in response["Location"]
        assert not ServiceRating.objects.exists()


def test_an_unreadable_sealed_number_opens_no_strangers_dossier(lan, center):
    """The portal key rotated (MOTCUA_PORTAL_KEY) while her session lived: her sealed number
    unseals to "". "Hers by ID number" must not then mean every dossier with no ID number
    (a walk-in without a card): she could read and rate a stranger's dossier."""
    from motcua.portal.models import Citizen

    theirs = earlier_dossier(center, "", email="la@example.vn", key="no-number")
    finish_with_result(theirs)
    Citizen.objects.update(id_number_sealed="sealed-under-the-old-key")
    assert lan.get(f"/cong-dan/ho-so/{theirs.code}/").status_code == 404
    response = lan.post(f"/cong-dan/ho-so/{theirs.code}/danh-gia/", {"rating": "satisfied"})
    assert response.status_code == 404
    assert not ServiceRating.objects.exists()
