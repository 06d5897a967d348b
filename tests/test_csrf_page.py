"""A refused form (CSRF) gets a Vietnamese page that says what to do."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_csrf_failure_is_explained_in_vietnamese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Phiên làm việc đã hết hạn" in body and "tải lại trang" in body
