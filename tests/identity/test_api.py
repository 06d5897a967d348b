"""The JSON routes, through ninja's test client on the identity router alone."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja.testing import TestClient

from motcua.identity.api import router
from motcua.identity.signing import altered_locked_fields, read_signed_card

from .helpers import QR_EXAMPLE, card_photo


@pytest.fixture(scope="module")
def client():
    return TestClient(router)


class TestParseCardText:
    def test_qr(self, client):
        response = client.post("/identity/parse", json={"text": QR_EXAMPLE})
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True
        assert body["full_name"] == "Ưng Hoàng Hiệp"
        assert body["birth_date"] == "1993-01-05"
        card = read_signed_card(body["card_token"])
        assert card["full_name"] == "Ưng Hoàng Hiệp"
        assert altered_locked_fields(body["card_token"], body) == []

    def test_invalid_text(self, client, caplog):
        caplog.set_level(logging.DEBUG)
        response = client.post(
            "/identity/parse", json={"text": "001293047064|x|Tên|05011993|Nam|A|1"}
        )
        assert response.status_code == 422
        body = response.json()
        assert body["ok"] is False
        assert {e["field"] for e in body["errors"]} >= {"id_number", "issue_date"}
        assert body["detail"]
        assert "001293047064" not in caplog.text

    def test_missing_text(self, client):
        assert client.post("/identity/parse", json={}).status_code == 422


class TestParseCardImage:
    def test_photo(self, client):
        upload = SimpleUploadedFile("the.jpg", card_photo(), content_type="image/jpeg")
        response = client.post("/identity/qr-image", FILES={"image": upload})
        assert response.status_code == 200
        body = response.json()
        assert body["full_name"] == "Ưng Hoàng Hiệp"
        assert read_signed_card(body["card_token"])["address"] == body["address"]

    def test_type_is_checked_by_content_not_by_name(self, client):
        upload = SimpleUploadedFile("card.jpg", b"<html>not a picture</html>", "image/jpeg")
        response = client.post("/identity/qr-image", FILES={"image": upload})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "image"

    def test_too_large(self, client):
        upload = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (8 * 1024 * 1024))
        response = client.post("/identity/qr-image", FILES={"image": upload})
        assert response.status_code == 413
        assert "8 MB" in response.json()["detail"]
