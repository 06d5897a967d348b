"""``motcua.asgi``: sync views run with their middleware in one call on a reused request thread.

The application is driven directly (an HTTP scope, no server), as uvicorn calls it.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from motcua.core.asgi_handler import ExecutorPool, MotcuaASGIHandler, _view_is_sync


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> dict:
        return json.loads(self.body)


async def call(app, method: str, path: str, body: bytes = b"", headers=()) -> Reply:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []
    request_sent = False

    async def receive():
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # no disconnect while the response is produced

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers_out = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Reply(start["status"], headers_out, content)


@pytest.fixture
def app(settings):
    settings.ROOT_URLCONF = "tests.core.asgi_urls"
    handler = MotcuaASGIHandler()
    yield handler
    handler.executors.close()


pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_view_runs_every_middleware_and_reuses_its_thread(app):
    async def scenario():
        first = await call(app, "GET", "/sync/")
        second = await call(app, "GET", "/sync/")
        return first, second, threading.get_ident()

    first, second, loop_thread = asyncio.run(scenario())
    assert first.status == second.status == 200
    for reply in (first, second):
        # Headers set by the last middleware (axes is after csp) and the first ones.
        assert reply.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in reply.headers["content-security-policy"]
        assert reply.headers["content-language"] == "vi"
        assert reply.headers["x-content-type-options"] == "nosniff"
    # The view ran off the event loop, on the same kept thread both times.
    assert first.json()["thread"] != loop_thread
    assert first.json()["thread"] == second.json()["thread"]
    assert app.executors.created == 1 and app.executors.idle() == 1


def test_persistent_connection_is_kept_by_the_request_thread(app, settings):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

    async def scenario():
        return [await call(app, "GET", "/sync/") for _ in range(3)]

    replies = asyncio.run(scenario())
    assert len({r.json()["thread"] for r in replies}) == 1
    assert [r.json()["was_open"] for r in replies] == [False, True, True]


def test_without_persistence_each_request_closes_its_connection(app, settings):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Django never closes the in-memory SQLite test database")
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0

    async def scenario():
        return [await call(app, "GET", "/sync/") for _ in range(2)]

    first, second = asyncio.run(scenario())
    assert first.json()["thread"] == second.json()["thread"]
    assert [first.json()["was_open"], second.json()["was_open"]] == [False, False]


def test_a_kept_connection_killed_by_the_server_is_replaced_before_the_next_request(app, settings):
    """A PostgreSQL restart (or a pooler's idle cut) kills the kept connections; the next
    request on that thread must get a new one, not a 500 (CONN_HEALTH_CHECKS in settings.py;
    measured by hand without it: the first request on each kept thread answered 500)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("terminating a server backend needs PostgreSQL")
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60

    async def one():
        return await call(app, "GET", "/pid/")

    first = asyncio.run(one())
    with connection.cursor() as cursor:  # this thread's own connection, not the kept one
        cursor.execute("SELECT pg_terminate_backend(%s)", [first.json()["pid"]])
    second = asyncio.run(one())
    assert first.status == second.status == 200
    assert second.json()["pid"] != first.json()["pid"]


def test_coroutine_view_keeps_the_async_chain_and_its_middleware(app):
    async def scenario():
        return await call(app, "GET", "/async/"), threading.get_ident()

    reply, loop_thread = asyncio.run(scenario())
    assert reply.status == 200
    assert reply.json()["thread"] == loop_thread
    assert reply.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in reply.headers["content-security-policy"]


def test_concurrent_requests_get_their_own_threads(app):
    async def scenario():
        return await asyncio.gather(*(call(app, "GET", "/sync/") for _ in range(4)))

    replies = asyncio.run(scenario())
    assert all(r.status == 200 for r in replies)
    # Each request took an executor before any finished: four threads, all kept afterwards.
    assert len({r.json()["thread"] for r in replies}) == 4
    assert app.executors.created == 4 and app.executors.idle() == 4


def test_post_without_csrf_token_is_refused(settings):
    handler = MotcuaASGIHandler()  # the project's own URLconf: a kiosk activation form
    try:
        reply = asyncio.run(
            call(
                handler,
                "POST",
                "/kiosk/kich-hoat/",
                b"code=12345678",
                [(b"content-type", b"application/x-www-form-urlencoded")],
            )
        )
    finally:
        handler.executors.close()
    assert reply.status == 403
    assert "default-src 'self'" in reply.headers["content-security-policy"]


def test_view_kind_is_read_from_the_urlconf():
    assert _view_is_sync("tests.core.asgi_urls", "/sync/") is True
    assert _view_is_sync("tests.core.asgi_urls", "/async/") is False
    assert _view_is_sync("tests.core.asgi_urls", "/nothing-here/") is True  # the 404 page


def test_the_display_stream_keeps_the_async_chain_and_pages_do_not():
    from django.urls import reverse

    stream = reverse("queue:display_events", args=["X"])
    assert _view_is_sync("motcua.urls", stream) is False
    assert _view_is_sync("motcua.urls", "/kiosk/xac-nhan/") is True
    assert _view_is_sync("motcua.urls", "/api/v1/procedures") is True


class TestExecutorPool:
    def test_idle_executors_are_reused_last_in_first_out(self):
        pool = ExecutorPool(keep_idle=2)
        a, b = pool.take(), pool.take()
        assert a is not b and pool.created == 2
        pool.give_back(a)
        pool.give_back(b)
        assert pool.take() is b
        pool.give_back(b)
        pool.close()

    def test_executors_beyond_the_idle_limit_are_shut_down(self):
        pool = ExecutorPool(keep_idle=1)
        a, b = pool.take(), pool.take()
        a.submit(lambda: None).result()
        b.submit(lambda: None).result()
        pool.give_back(a)
        pool.give_back(b)
        assert pool.idle() == 1
        assert b._shutdown is True
        pool.close()
        assert a._shutdown is True
