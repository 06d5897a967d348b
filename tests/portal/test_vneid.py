"""VNeID sign-in (OpenID Connect) against a real local provider over HTTP, and its attacks."""

from __future__ import annotations

import pytest
import requests

from motcua.portal import oidc
from motcua.portal.models import Citizen
from motcua.portal.sealing import id_digest

from .provider import Provider, query_of

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/cong-dan/vneid/ve/"


@pytest.fixture
def provider():
    op = Provider().start()
    op.register(CALLBACK)
    oidc._clients.clear()
    yield op
    op.stop()
    oidc._clients.clear()


@pytest.fixture
def vneid(settings, provider, center):
    settings.MOTCUA_VNEID = {
        "ISSUER": provider.issuer,
        "CLIENT_ID": provider.client.client_id,
        "CLIENT_SECRET": provider.client.client_secret,
        "ID_CLAIM": "personal_identification_number",
    }
    return provider


def to_provider(client) -> str:
    """Start at the portal; follow the browser to the provider; return the callback URL."""
    start = client.get("/cong-dan/vneid/")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(client_provider_issuer(client))
    asked = query_of(authorize)
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def client_provider_issuer(client) -> str:
    return oidc.config().issuer


def callback(client, url: str):
    return client.get("/cong-dan/vneid/ve/", query_of(url))


class TestVneidSignIn:
    def test_the_whole_flow_signs_the_citizen_in(self, client, vneid):
        back = to_provider(client)
        assert back.startswith(CALLBACK)
        response = callback(client, back)
        assert response.status_code == 302 and response["Location"] == "/cong-dan/"
        citizen = Citizen.objects.get()
        assert citizen.id_digest == id_digest("025190012345")
        assert citizen.last_assurance == "vneid"
        page = client.get("/cong-dan/")
        assert page.status_code == 200
        assert "địa chỉ tự khai" not in page.content.decode()

    def test_signature_by_a_key_not_in_the_jwks_is_refused(self, client, vneid, caplog):
        vneid.sign_with_foreign_key = True
        response = callback(client, to_provider(client))
        assert response.status_code == 400
        assert "Không xác thực được" in response.content.decode()
        assert not Citizen.objects.exists()
        assert vneid.token_requests == 1

        assert "refused: " in caplog.text and "BadSignatureError" in caplog.text

    def test_token_altered_after_signing_is_refused(self, client, vneid, caplog):
        vneid.tamper = True
        response = callback(client, to_provider(client))
        assert response.status_code == 400
        assert not Citizen.objects.exists()

        assert "refused: " in caplog.text and "BadSignatureError" in caplog.text

    def test_nonce_mismatch_is_refused(self, client, vneid, caplog):
        vneid.nonce_override = "not-the-nonce-we-sent"
        response = callback(client, to_provider(client))
        assert response.status_code == 400
        assert not Citizen.objects.exists()

        assert "refused: " in caplog.text and "InvalidClaimError" in caplog.text

    def test_replayed_state_is_refused(self, client, vneid, caplog):
        back = to_provider(client)
        assert callback(client, back)["Location"] == "/cong-dan/"
        client.post("/cong-dan/dang-xuat/")
        response = callback(client, back)
        assert response.status_code == 400
        assert "Phiên đăng nhập VNeID" in response.content.decode()
        assert client.get("/cong-dan/").status_code == 302

        assert "refused: " in caplog.text and "mismatching_state" in caplog.text

    def test_state_from_another_browser_is_refused(self, client, vneid, django_user_model):
        from django.test import Client

        back = to_provider(client)
        stranger = Client()
        response = callback(stranger, back)
        assert response.status_code == 400
        assert not Citizen.objects.exists()

    def test_missing_or_forged_parameters_never_500(self, client, vneid):
        for params in ({}, {"state": "x"}, {"code": "x", "state": "y"}, {"error": "access_denied"}):
            assert client.get("/cong-dan/vneid/ve/", params).status_code == 400

    def test_the_id_claim_name_is_configurable(self, client, vneid, settings):
        vneid.user = {"sub": "abc", "so_dinh_danh": "036099001122"}
        settings.MOTCUA_VNEID = {**settings.MOTCUA_VNEID, "ID_CLAIM": "so_dinh_danh"}
        response = callback(client, to_provider(client))
        assert response["Location"] == "/cong-dan/"
        assert Citizen.objects.get().id_digest == id_digest("036099001122")

    def test_a_token_without_the_number_signs_nobody_in(self, client, vneid):
        vneid.user = {"sub": "abc"}
        response = callback(client, to_provider(client))
        assert response.status_code == 400
        assert "không cung cấp số định danh" in response.content.decode()

    def test_issuer_in_discovery_must_be_the_configured_one(self, client, vneid, settings):
        settings.MOTCUA_VNEID = {**settings.MOTCUA_VNEID, "ISSUER": vneid.issuer + "/khac"}
        response = client.get("/cong-dan/vneid/")
        assert response.status_code == 503

    def test_off_when_not_configured(self, client, center):
        page = client.get("/cong-dan/dang-nhap/").content.decode()
        assert "VNeID" not in page
        assert client.get("/cong-dan/vneid/").status_code == 404
