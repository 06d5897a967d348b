"""The reverse-proxy deployment (docs/deploy.md): HTTPS seen through X-Forwarded-Proto, the
client's address through X-Forwarded-For,."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.test_settings import settings_value

SETTINGS = "s.MOTCUA_BEHIND_PROXY, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)"


class TestSettings:
    def test_direct_by_default(self, tmp_path):
        result = settings_value(SETTINGS, {"SECRET_KEY": "x"}, tmp_path)
        assert result.stdout.strip() == "False None"

    def test_https_means_a_tls_proxy_in_front(self, tmp_path):
        result = settings_value(SETTINGS, {"SECRET_KEY": "x", "HTTPS": "1"}, tmp_path)
        assert result.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https')"

    def test_listed_proxies_mean_a_proxy_in_front(self, tmp_path):
        result = settings_value(
            SETTINGS, {"SECRET_KEY": "x", "MOTCUA_TRUSTED_PROXIES": "10.0.0.1"}, tmp_path
        )
        assert result.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https')"

    def test_can_be_turned_off(self, tmp_path):
        result = settings_value(
            SETTINGS, {"SECRET_KEY": "x", "HTTPS": "1", "MOTCUA_BEHIND_PROXY": "0"}, tmp_path
        )
        assert result.stdout.strip() == "False None"

    def test_https_settings_together(self, tmp_path):
        result = settings_value(
            "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.MOTCUA_TRUSTED_PROXIES, getattr(s, 'USE_X_FORWARDED_HOST', False)",
            {"SECRET_KEY": "x", "HTTPS": "1", "MOTCUA_TRUSTED_PROXIES": "127.0.0.1"},
            tmp_path,
        )
        assert result.stdout.strip() == "True True True ['127.0.0.1'] False"


@pytest.mark.django_db
class TestBehindTheProxy:
    @override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
    def test_without_the_setting_https_redirects_forever(self, client):
        response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 301

    @override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    )
    def test_with_it_the_proxys_https_is_believed(self, client):
        assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
        plain = client.get("/", HTTP_X_FORWARDED_PROTO="http")
        assert plain.status_code == 301
        assert plain["Location"].startswith("https://")
