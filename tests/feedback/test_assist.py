"""Assisted submission: the digital team's consent step, and what the portal attaches."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from motcua.assist.models import AssistanceConsent
from motcua.assist.services import (
    SESSION_KEY,
    assisted_actor,
    attach_to_dossier,
    current_assistance,
)
from motcua.notices.models import Notice
from tests.security.tenants import make_member

pytestmark = pytest.mark.django_db
ID = "001190012345"


@pytest.fixture
def helper(center):
    return make_member("tocns_lan", "digital_team", center)


def sent_code() -> str:
    notice = Notice.objects.filter(kind="assist_code").latest("pk")
    return re.search(r"\b(\d{6})\b", notice.body).group(1)


def start(client, **extra):
    data = {"so_dinh_danh": ID, "lien_he": "dan@example.vn", "dong_y": "1", **extra}
    return client.post("/ho-tro/", data)


class TestConsent:
    def test_anonymous_goes_to_sign_in_and_officers_are_refused(self, client, center):
        assert client.get("/ho-tro/").status_code == 302
        client.force_login(make_member("tiepnhan", "reception", center))
        assert client.get("/ho-tro/").status_code == 403

    def test_digital_team_member_is_no_officer(self, client, helper, dossier):
        client.force_login(helper)
        assert client.get("/can-bo/").status_code == 403
        assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 403
        assert client.get("/admin/").status_code == 302  # not staff: the admin's sign-in
        # Refused like an unknown code (sequential codes must not be countable).
        assert client.get(f"/ho-so/{dossier.code}/phieu-hen.pdf").status_code == 404

    def test_full_consent_then_current_assistance(self, client, helper, dossier):
        client.force_login(helper)
        response = start(client)
        assert response.status_code == 302 and response["Location"] == "/ho-tro/ma-xac-nhan/"
        consent = AssistanceConsent.objects.get()
        assert ID not in consent.citizen_id_hash and consent.verified_at is None
        assert consent.contact_masked == "da*@example.vn"
        assert client.post("/ho-tro/ma-xac-nhan/", {"ma": sent_code()}).status_code == 302
        consent.refresh_from_db()
        assert consent.verified_at is not None
        request = RequestFactory().get("/")
        request.user, request.session = helper, client.session
        assistance = current_assistance(request)
        assert assistance is not None and assistance.consent == consent
        assert assistance.covers(ID) and not assistance.covers("001190099999")
        assert assistance.actor == assisted_actor(helper) == "assist:tocns_lan"
        attach_to_dossier(consent, dossier, now=timezone.now())
        assert current_assistance(request) is None  # one consent, one dossier
        assert "Chưa có sự đồng ý còn hiệu lực" in client.get("/ho-tro/san-sang/").content.decode()

    def test_wrong_code_is_refused_and_attempts_are_limited(self, client, helper):
        client.force_login(helper)
        start(client)
        right = sent_code()
        wrong = f"{(int(right) + 1) % 10**6:06d}"
        for _ in range(5):
            response = client.post("/ho-tro/ma-xac-nhan/", {"ma": wrong})
            assert response.status_code == 400
        blocked = client.post("/ho-tro/ma-xac-nhan/", {"ma": right})
        assert blocked.status_code == 409
        assert AssistanceConsent.objects.get().verified_at is None
        request = RequestFactory().get("/")
        request.user, request.session = helper, client.session
        assert current_assistance(request) is None

    def test_expired_code_is_refused(self, client, helper):
        client.force_login(helper)
        start(client)
        AssistanceConsent.objects.update(code_expires_at=timezone.now() - timedelta(seconds=1))
        assert client.post("/ho-tro/ma-xac-nhan/", {"ma": sent_code()}).status_code == 409

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            ({"dong_y": ""}, "đánh dấu đồng ý"),
            ({"so_dinh_danh": "12345"}, "12 chữ số"),
            ({"lien_he": "khong-phai"}, "số điện thoại"),
        ],
    )
    def test_bad_start(self, client, helper, extra, message):
        client.force_login(helper)
        response = start(client, **extra)
        assert response.status_code == 400 and message in response.content.decode()
        assert not AssistanceConsent.objects.exists() and not Notice.objects.exists()

    def test_another_members_consent_is_not_theirs(self, client, helper, center):
        client.force_login(helper)
        start(client)
        client.post("/ho-tro/ma-xac-nhan/", {"ma": sent_code()})
        other = make_member("tocns_khac", "digital_team", center)
        request = RequestFactory().get("/")
        request.user, request.session = other, client.session
        assert request.session[SESSION_KEY]
        assert current_assistance(request) is None
