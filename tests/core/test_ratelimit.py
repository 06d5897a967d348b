"""The database rate limiter: counts per key and window, shared by every process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from motcua.core import ratelimit
from motcua.core.ratelimit import Limit

LIMIT = Limit("test", hits=3, window_seconds=60)
T0 = datetime(2026, 1, 5, 9, 0, 10, tzinfo=UTC)


@pytest.mark.django_db
class TestHit:
    def test_allows_up_to_the_limit_then_refuses_with_retry_after(self):
        verdicts = [ratelimit.hit(LIMIT, "a", now=T0) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[-1].count == 4
        assert verdicts[-1].retry_after == 50

    def test_keys_are_counted_apart(self):
        for _ in range(3):
            ratelimit.hit(LIMIT, "a", now=T0)
        assert ratelimit.hit(LIMIT, "b", now=T0).allowed

    def test_a_new_window_starts_from_zero_and_drops_the_old_row(self):
        for _ in range(4):
            ratelimit.hit(LIMIT, "a", now=T0)
        later = T0 + timedelta(seconds=60)
        assert ratelimit.hit(LIMIT, "a", now=later).count == 1
        assert ratelimit.peek(LIMIT, "a", now=later) == 1
        assert ratelimit.peek(LIMIT, "a", now=T0) == 0

    def test_reset_forgets_the_key(self):
        for _ in range(4):
            ratelimit.hit(LIMIT, "a", now=T0)
        ratelimit.reset(LIMIT, "a")
        assert ratelimit.hit(LIMIT, "a", now=T0).allowed

    def test_purge_expired(self):
        ratelimit.hit(LIMIT, "a", now=T0)
        assert ratelimit.purge_expired(now=T0 + timedelta(days=2)) == 1


class TestClientAddress:
    def test_forwarded_header_ignored_from_an_untrusted_peer(self, settings):
        settings.MOTCUA_TRUSTED_PROXIES = []
        request = RequestFactory().get(
            "/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4"
        )
        assert ratelimit.client_address(request) == "198.51.100.9"

    def test_right_most_untrusted_hop_behind_a_trusted_proxy(self, settings):
        settings.MOTCUA_TRUSTED_PROXIES = ["10.0.0.2"]
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
        )
        assert ratelimit.client_address(request) == "203.0.113.7"

    def test_hashed_is_stable_and_hides_the_value(self):
        assert ratelimit.hashed("001099012345") == ratelimit.hashed("001099012345")
        assert "001099012345" not in ratelimit.hashed("001099012345")
