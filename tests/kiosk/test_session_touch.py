"""``kiosk.session.touch``: activity is recorded without rewriting the session on every page."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from motcua.kiosk import session

pytestmark = pytest.mark.django_db


def fresh_request():
    request = RequestFactory().get("/kiosk/")
    request.session = SessionStore()
    return request


def saved(request):
    """The session as the middleware would leave it: saved, then read back by the next request."""
    request.session.save()
    key = request.session.session_key
    following = RequestFactory().get("/kiosk/")
    following.session = SessionStore(session_key=key)
    return following


def test_a_page_soon_after_the_last_leaves_the_session_unmodified():
    request = fresh_request()
    assert session.touch(request, idle_seconds=120, device_id=7, now=1000.0)
    request = saved(request)
    assert session.touch(request, idle_seconds=120, device_id=7, now=1003.0)
    assert request.session.modified is False
    assert request.session["last_seen"] == 1000.0


def test_activity_is_recorded_again_after_the_resolution():
    request = fresh_request()
    session.touch(request, idle_seconds=120, device_id=7, now=1000.0)
    request = saved(request)
    later = 1000.0 + session.TOUCH_RESOLUTION_SECONDS
    assert session.touch(request, idle_seconds=120, device_id=7, now=later)
    assert request.session.modified is True
    assert request.session["last_seen"] == later


def test_idle_limit_still_wipes_with_the_coarser_stamp():
    request = fresh_request()
    session.touch(request, idle_seconds=120, device_id=7, now=1000.0)
    request.session["card"] = {"full_name": "Nguyễn Thị Lan"}
    request = saved(request)
    # Active at 1004 (not written), then idle: past the limit counted from the stored stamp.
    assert session.touch(request, idle_seconds=120, device_id=7, now=1004.0)
    assert not session.touch(request, idle_seconds=120, device_id=7, now=1000.0 + 151)
    assert session.card(request) is None


def test_another_kiosk_s_session_is_wiped():
    request = fresh_request()
    session.touch(request, idle_seconds=120, device_id=7, now=1000.0)
    request.session["card"] = {"full_name": "Nguyễn Thị Lan"}
    request = saved(request)
    assert not session.touch(request, idle_seconds=120, device_id=8, now=1001.0)
    assert session.card(request) is None
    assert request.session["kiosk"] == 8
