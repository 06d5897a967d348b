"""Drive the ASGI application directly: an event-stream client without a network or a server.

``AsgiStream`` calls ``motcua.asgi.application`` with an HTTP scope, reads what it sends and
parses the server-sent events; ``close`` sends ``http.disconnect`` as a browser that goes away.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from motcua.queue import services
from motcua.queue.states import Source


@dataclass
class ServerEvent:
    id: str | None = None
    event: str | None = None
    data: str = ""
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def message(self) -> dict:
        return json.loads(self.data)


def parse_block(block: str) -> ServerEvent:
    found = ServerEvent()
    data_lines = []
    for line in block.split("\n"):
        if line.startswith(":"):
            found.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            found.id = value
        elif name == "event":
            found.event = value
        elif name == "data":
            data_lines.append(value)
        elif name == "retry":
            found.retry = int(value)
    found.data = "\n".join(data_lines)
    return found


class AsgiStream:
    def __init__(self, path: str, *, query: str = "", headers: dict[str, str] | None = None):
        self.path = path
        self.query = query
        self.headers = headers or {}
        self.sent: asyncio.Queue = asyncio.Queue()
        self.disconnect = asyncio.Event()
        self.status: int | None = None
        self.response_headers: dict[str, str] = {}
        self.buffer = ""
        self.body = b""
        self.task: asyncio.Task | None = None

    async def _receive(self) -> dict:
        if not hasattr(self, "_requested"):
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:
        await self.sent.put(message)

    async def open(self, timeout: float = 10.0) -> int:
        from motcua.asgi import application

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1")]
            + [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        self.task = asyncio.ensure_future(application(scope, self._receive, self._send))
        start = await asyncio.wait_for(self.sent.get(), timeout)
        assert start["type"] == "http.response.start", start
        self.status = start["status"]
        self.response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return self.status

    async def read_body(self, timeout: float = 10.0) -> bytes:
        while True:
            message = await asyncio.wait_for(self.sent.get(), timeout)
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                return self.body

    async def next_event(self, timeout: float = 5.0, *, skip_comments: bool = True):
        """The next server-sent event, or None when nothing came within ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while "\n\n" in self.buffer:
                block, self.buffer = self.buffer.split("\n\n", 1)
                event = parse_block(block)
                if skip_comments and event.id is None and event.retry is None and not event.data:
                    continue
                return event
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                message = await asyncio.wait_for(self.sent.get(), remaining)
            except TimeoutError:
                return None
            self.buffer += message.get("body", b"").decode("utf-8")

    async def ticket_events(self, count: int, timeout: float = 5.0) -> list[ServerEvent]:
        found = []
        while len(found) < count:
            event = await self.next_event(timeout)
            if event is None:
                break
            if event.event == "ticket":
                found.append(event)
        return found

    async def close(self) -> None:
        self.disconnect.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 10)
            except (TimeoutError, asyncio.CancelledError):
                self.task.cancel()


def issue(setup, area=None):
    with transaction.atomic():
        return services.issue_ticket(
            center=setup.center,
            area=area or setup.civil,
            source=Source.KIOSK,
            now=timezone.now(),
            actor="kiosk:1",
            check_open=False,
        )


def open_counters(setup) -> None:
    with transaction.atomic():
        services.open_counter(setup.counter1, officer=setup.officer1, now=timezone.now())
        services.open_counter(setup.counter2, officer=setup.officer2, now=timezone.now())


def call(setup, counter=None, officer=None):
    with transaction.atomic():
        return services.call_next(
            counter or setup.counter1, officer=officer or setup.officer1, now=timezone.now()
        )


class Rollback(Exception):
    pass


def call_then_roll_back(setup) -> None:
    try:
        with transaction.atomic():
            services.call_next(setup.counter1, officer=setup.officer1, now=timezone.now())
            raise Rollback
    except Rollback:
        pass
