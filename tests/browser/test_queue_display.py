"""The calling display in Chromium: an officer calls a number and the TV shows it within 1 s.

The TV's event stream needs an ASGI server (Django's live server cannot stream), so the test
runs uvicorn with ``motcua.asgi`` in a thread of this process, on the test database. The call
is made through the queue's service in a committed transaction, as the officer's screen does.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn
from django.db import transaction
from django.utils import timezone

from motcua.queue import live, services
from motcua.queue.models import QueueSettings
from motcua.queue.states import Source
from tests.queue.conftest import Setup

from .conftest import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TV = {"width": 1920, "height": 1080}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AsgiServer:
    """uvicorn in a thread, which the test may stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from motcua.asgi import application

        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(15)
            self.server = None


@pytest.fixture
def asgi_server(transactional_db):
    server = AsgiServer()
    server.start()
    yield server.url
    server.stop()


def now():
    return timezone.now()


@pytest.fixture
def hall(asgi_server):
    return make_hall(asgi_server)


def make_hall(base_url: str) -> Setup:
    setup = Setup()
    with transaction.atomic():
        for area in (setup.civil, setup.civil, setup.land):
            services.issue_ticket(
                center=setup.center,
                area=area,
                source=Source.KIOSK,
                now=now(),
                actor="kiosk:1",
                check_open=False,
            )
        services.open_counter(setup.counter1, officer=setup.officer1, now=now())
        services.open_counter(setup.counter2, officer=setup.officer2, now=now())
        QueueSettings.objects.create(
            center=setup.center,
            display_notice="Xin mời công dân chú ý nghe gọi số. Trung tâm làm việc sáng thứ Bảy.",
        )
    setup.url = f"{base_url}/hang-doi/{setup.center.agency_code}/man-hinh/"
    return setup


def wait_for_stream(setup, count: int = 1) -> None:
    """The page opens its event stream on load; calls made before would only be replayed."""
    deadline = time.monotonic() + 10
    while live.hub.count(setup.center.pk) < count:
        assert time.monotonic() < deadline, "the TV never opened its event stream"
        time.sleep(0.05)


def call(setup, counter, officer):
    with transaction.atomic():
        return services.call_next(counter, officer=officer, now=now())


def test_the_tv_shows_a_call_within_a_second_and_speaks_it(browser, hall, screenshots):
    context = browser.new_context(viewport=TV)
    tv = context.new_page()
    errors: list[str] = []
    tv.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    audio: list[tuple[str, int, str]] = []
    tv.on(
        "response",
        lambda r: (
            audio.append((r.url, r.status, r.headers.get("content-type", "")))
            if "/loa/" in r.url
            else None
        ),
    )
    tv.goto(hall.url)
    tv.get_by_role("button", name="Bấm để bật loa").click()
    assert tv.locator("[data-unlock]").is_hidden()
    wait_for_stream(hall)

    started = time.monotonic()
    ticket = call(hall, hall.counter2, hall.officer2)
    sync_api.expect(tv.locator("[data-now-number]")).to_have_text(str(ticket.number), timeout=1000)
    shown_after = time.monotonic() - started
    assert shown_after < 1.0, shown_after
    card = tv.locator('[data-counter="2"] [data-counter-number]')
    sync_api.expect(card).to_have_text(str(ticket.number), timeout=1000)
    sync_api.expect(tv.locator("[data-recent] li").first).to_contain_text(str(ticket.number))
    sync_api.expect(tv.locator(".tv-now")).to_have_class("tv-now tv-flash")
    # Hộ tịch had two waiting; one was called.
    waiting = tv.locator(f'[data-area="{hall.civil.pk}"] [data-area-waiting]')
    sync_api.expect(waiting).to_have_text("1")
    tv.screenshot(path=str(screenshots / "queue-display-tv-1920.png"))

    # The loudspeaker asked for the announcement of that call (after the chime).
    deadline = time.monotonic() + 10
    while not audio and time.monotonic() < deadline:
        tv.wait_for_timeout(200)
    assert audio, "the page never asked for the spoken call"
    url, status, content_type = audio[0]
    assert url.endswith(".wav")
    assert (status, content_type) in {(200, "audio/wav"), (503, "text/plain; charset=utf-8")}
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_the_tv_reconnects_after_the_server_is_killed(browser, transactional_db):
    server = AsgiServer()
    server.start()
    try:
        hall_setup = make_hall(server.url)
        context = browser.new_context(viewport=TV)
        tv = context.new_page()
        tv.goto(hall_setup.url)
        tv.get_by_role("button", name="Bấm để bật loa").click()
        wait_for_stream(hall_setup)

        # The server goes away (a restart, a cut cable): the TV says so; a call is made meanwhile.
        server.stop()
        sync_api.expect(tv.locator("[data-offline]")).to_be_visible(timeout=10000)
        first = call(hall_setup, hall_setup.counter1, hall_setup.officer1)
        server.start()
        # EventSource reconnects by itself with Last-Event-ID: the call made offline arrives.
        sync_api.expect(tv.locator("[data-now-number]")).to_have_text(
            str(first.number), timeout=15000
        )
        sync_api.expect(tv.locator("[data-offline]")).to_be_hidden()
        # And the new connection is live.
        wait_for_stream(hall_setup)
        second = call(hall_setup, hall_setup.counter2, hall_setup.officer2)
        sync_api.expect(tv.locator("[data-now-number]")).to_have_text(
            str(second.number), timeout=2000
        )
        context.close()
    finally:
        server.stop()
