"""The calling display's live feed: every committed ticket event reaches every open TV.

After a commit (``queue.events``) ``broadcast`` turns the event into a small message (numbers,
counter, area name and the waiting counts: never a name or an ID number, the TV is public) and
hands it to the process-wide ``hub``, which puts it on the queue of every display connection of
that center in this process. The event-stream view (``display_views``) reads from the hub only.

On PostgreSQL a province runs several app servers and worker processes: the officer's call is
handled by one process while the TV may be connected to another. ``broadcast`` then sends the
message with ``NOTIFY`` and each process keeps one ``Listener`` thread on its own connection
(``LISTEN``) that feeds its hub, the sending process included; when that connection drops, the
listener reconnects and tells every stream to catch up from the ``TicketEvent`` rows, so a call
made meanwhile is still shown. On the embedded SQLite default there is one process and the
message goes to the hub directly.

LISTEN needs a session of its own: through PgBouncer in transaction mode the listener's server
connection goes back to the pool after each statement and the notifications are lost. The
listener therefore connects to ``MOTCUA_LISTEN_DATABASE_URL`` (PostgreSQL itself) when it is
set, and checks after each (re)connection that a NOTIFY sent from another connection reaches it;
when it does not, it says so in the log and the streams of that process read the event rows
every second instead, so a display behind a misconfigured pooler is late, not blind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections
from django.utils import timezone

from motcua.queue.models import Ticket, TicketEvent
from motcua.queue.services import local_day
from motcua.queue.states import TicketAction

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger("motcua.queue.live")

CHANNEL = "motcua_queue_display"
# A display that stops reading (a frozen TV) must not hold the server's memory: past this many
# unread messages its queue is emptied and it catches up from the event rows instead.
QUEUE_LIMIT = 500
# After this long a replayed call is shown but no longer announced on the loudspeaker.
ANNOUNCE_WITHIN = timedelta(seconds=60)
RESYNC = "resync"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
NOTIFY_LIMIT = 7900


def kind_of(action: str) -> str:
    if action == TicketAction.CALL:
        return "call"
    if action == TicketAction.RECALL:
        return "recall"
    return "other"


def waiting_counts(center_id: int, day) -> list[dict]:
    """Waiting numbers per active area of the center, in the display's order."""
    from motcua.queue.selectors import waiting_by_area

    return [
        {"area": line.area.pk, "name": line.area.name, "waiting": line.waiting}
        for line in waiting_by_area(center_id, day)
    ]


def message_for(
    event: TicketEvent, *, waiting: list[dict] | None = None, now: datetime | None = None
) -> dict:
    """The display's message for one event: numbers, counter and area only."""
    ticket: Ticket = event.ticket
    counter = event.counter
    message = {
        "id": event.pk,
        "kind": kind_of(event.action),
        "action": event.action,
        "number": ticket.number,
        "counter": counter.number if counter is not None else None,
        "area": event.area.name if event.area is not None else "",
        "status": event.to_status,
        "at": event.at.isoformat(),
        "waiting": waiting
        if waiting is not None
        else waiting_counts(ticket.center_id, local_day(event.at)),
    }
    if now is not None and now - event.at > ANNOUNCE_WITHIN:
        message["late"] = True
    return message


def encode(center_id: int, message: dict) -> str:
    return json.dumps({"center": center_id, "message": message}, ensure_ascii=False)


def decode(payload: str) -> tuple[int, dict]:
    data = json.loads(payload)
    return int(data["center"]), data["message"]


# --- the hub: one per process, many display connections -------------------------------------


@dataclass(eq=False)
class Subscription:
    """One open display connection: an asyncio queue on the connection's event loop."""

    center_id: int
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def offer(self, item: dict | str) -> None:
        """Thread-safe: called from the officer's request thread or the listener thread."""
        # RuntimeError: the connection's loop has closed, nothing is left to feed.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: dict | str) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            while not self.queue.empty():
                self.queue.get_nowait()
            item = RESYNC
        self.queue.put_nowait(item)

    async def get(self) -> dict | str:
        return await self.queue.get()


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, set[Subscription]] = {}

    def subscribe(self, center_id: int) -> Subscription:
        """Must be called on the event loop that will read the subscription."""
        subscription = Subscription(center_id, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.setdefault(center_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            found = self._subscriptions.get(subscription.center_id)
            if found is not None:
                found.discard(subscription)
                if not found:
                    del self._subscriptions[subscription.center_id]

    def deliver(self, center_id: int, message: dict) -> int:
        with self._lock:
            targets = list(self._subscriptions.get(center_id, ()))
        for subscription in targets:
            subscription.offer(message)
        return len(targets)

    def resync_all(self) -> None:
        """Every stream re-reads the event rows (after the listener missed some time)."""
        with self._lock:
            targets = [s for group in self._subscriptions.values() for s in group]
        for subscription in targets:
            subscription.offer(RESYNC)

    def count(self, center_id: int | None = None) -> int:
        with self._lock:
            if center_id is not None:
                return len(self._subscriptions.get(center_id, ()))
            return sum(len(group) for group in self._subscriptions.values())


hub = Hub()


# --- PostgreSQL: LISTEN/NOTIFY between processes and servers ---------------------------------


def uses_notify(alias: str = "default") -> bool:
    if not getattr(settings, "MOTCUA_QUEUE_NOTIFY", True):
        return False
    return connections[alias].vendor == "postgresql"


def listener_params(alias: str = "default") -> dict:
    """libpq parameters of the listener's connection, with keepalives so a dead link is noticed:
    ``MOTCUA_LISTEN_DATABASE_URL`` when set (PostgreSQL directly, past a transaction-mode
    pooler), otherwise Django's database."""
    direct = getattr(settings, "MOTCUA_LISTEN_DATABASE_URL", "")
    if direct:
        params: dict = {"conninfo": direct}
    else:
        params = connections[alias].get_connection_params()
        for django_only in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(django_only, None)
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 30)
    params.setdefault("keepalives_interval", 10)
    params.setdefault("keepalives_count", 3)
    params.setdefault("application_name", "motcua-display-listener")
    return params


class Listener(threading.Thread):
    """One LISTEN connection per process, feeding ``target`` (the process's hub).

    The thread reconnects for as long as the process lives; after each (re)connection it asks
    every stream to catch up from the event rows, since notifications sent while nobody
    listened are lost by PostgreSQL.
    """

    POLL_SECONDS = 5.0
    MAX_BACKOFF = 10.0
    # How long the connection check waits for its own notification (loopback or LAN: ms).
    PROBE_SECONDS = 3.0

    def __init__(self, params: dict, target: Hub, *, channel: str = CHANNEL) -> None:
        super().__init__(name="motcua-display-listener", daemon=True)
        self.params = params
        self.target = target
        self.channel = channel
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.connections = 0
        # True when a NOTIFY from another connection did not arrive (a transaction-mode pooler).
        self.deaf = False
        self._conn: psycopg.Connection | None = None

    def run(self) -> None:
        import psycopg
        from psycopg import sql

        backoff = 0.5
        while not self.stopping.is_set():
            try:
                with psycopg.connect(**self.params, autocommit=True) as conn:
                    self._conn = conn
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.connections += 1
                    if self.connections > 1:
                        self.target.resync_all()
                    self.deaf = not self._hears_others(conn)
                    if self.deaf:
                        logger.error(
                            "display listener does not receive notifications from other "
                            "connections (is DATABASE_URL a pooler in transaction mode? set "
                            "MOTCUA_LISTEN_DATABASE_URL to PostgreSQL itself); displays of "
                            "this process read the event rows every second instead"
                        )
                    self.ready.set()
                    backoff = 0.5
                    while not self.stopping.is_set():
                        for notify in conn.notifies(timeout=self.POLL_SECONDS):
                            self._dispatch(notify.payload)
                        # No news for a while: make sure the link is alive (raises if not).
                        conn.execute("SELECT 1")
            except Exception as exc:
                self.ready.clear()
                if self.stopping.is_set():
                    break
                logger.warning(
                    "display listener lost its connection (%s); reconnecting", type(exc).__name__
                )
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, self.MAX_BACKOFF)
            finally:
                self._conn = None

    def _hears_others(self, conn) -> bool:
        """Send a probe from a second connection, as another server would, and wait for it."""
        import psycopg

        probe = json.dumps({"probe": secrets.token_hex(8)})
        params = {**self.params, "application_name": "motcua-display-probe"}
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_notify(%s, %s)", [self.channel, probe])
        for notify in conn.notifies(timeout=self.PROBE_SECONDS):
            if notify.payload == probe:
                return True
            self._dispatch(notify.payload)
        return False

    def _dispatch(self, payload: str) -> None:
        if payload.startswith('{"probe"'):
            return  # a listener's connection check (this one's or another process's)
        try:
            center_id, message = decode(payload)
        except (ValueError, KeyError, TypeError):
            logger.warning("display listener ignored a malformed notification")
            return
        self.target.deliver(center_id, message)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        conn = self._conn
        if conn is not None:
            # Wakes the blocking notifies() at once instead of after POLL_SECONDS.
            with contextlib.suppress(Exception):
                conn.cancel_safe()
        self.join(timeout)


_listener_lock = threading.Lock()
_listener: Listener | None = None
_listener_pid: int | None = None


def ensure_listener(timeout: float = 5.0) -> Listener | None:
    """Start this process's listener if the database is PostgreSQL (once per process: a worker
    forked from a master that had one starts its own, the thread does not survive the fork)."""
    global _listener, _listener_pid
    if not uses_notify():
        return None
    with _listener_lock:
        if _listener is None or _listener_pid != os.getpid() or not _listener.is_alive():
            _listener = Listener(listener_params(), hub)
            _listener_pid = os.getpid()
            _listener.start()
        listener = _listener
    listener.ready.wait(timeout)
    return listener


def stop_listener() -> None:
    global _listener
    with _listener_lock:
        listener, _listener = _listener, None
    if listener is not None:
        listener.stop()


# --- the after-commit handler ----------------------------------------------------------------


def broadcast(event: TicketEvent) -> None:
    """Registered with ``queue.events.on_ticket_event``: runs after the commit only."""
    event = TicketEvent.objects.select_related("ticket", "counter", "area").get(pk=event.pk)
    center_id = event.ticket.center_id
    message = message_for(event)
    if uses_notify():
        payload = encode(center_id, message)
        if len(payload.encode("utf-8")) > NOTIFY_LIMIT:
            # Many long area names: the TV re-reads the counts with its next state refresh.
            payload = encode(center_id, {**message, "waiting": None})
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])
    else:
        hub.deliver(center_id, message)


# --- reading back from the rows (Last-Event-ID, resync) --------------------------------------

REPLAY_LIMIT = 300
# Two transactions may commit in the opposite order of their event ids: a replay looks a little
# further back than the last id seen and the stream (and the page) skip ids already sent.
REPLAY_OVERLAP = timedelta(seconds=3)


def replay(center_id: int, after_id: int, *, now: datetime | None = None) -> list[dict]:
    """The center's events of today after ``after_id`` (and a short overlap before it), oldest
    first, with today's waiting counts on each."""
    now = now or timezone.now()
    day = local_day(now)
    events = TicketEvent.objects.filter(ticket__center_id=center_id, ticket__day=day)
    anchor = TicketEvent.objects.filter(pk=after_id).values_list("at", flat=True).first()
    if anchor is not None:
        events = events.filter(at__gte=anchor - REPLAY_OVERLAP).exclude(pk=after_id)
    else:
        events = events.filter(pk__gt=after_id)
    rows = list(
        events.select_related("ticket", "counter", "area").order_by("-at", "-pk")[:REPLAY_LIMIT]
    )
    rows.reverse()
    if not rows:
        return []
    waiting = waiting_counts(center_id, day)
    return [message_for(row, waiting=waiting, now=now) for row in rows]


def has_events_after(center_id: int, after_id: int) -> bool:
    return TicketEvent.objects.filter(ticket__center_id=center_id, pk__gt=after_id).exists()


# SQLite served by several worker processes (``motcua serve --workers N`` sets the variable
# below): a call handled by one worker never reaches the hub of another, so each stream looks
# at the event rows this often instead. PostgreSQL has NOTIFY; one process needs neither.
POLL_SECONDS = 1.0
WORKERS_VARIABLE = "MOTCUA_SERVE_WORKERS"


def needs_polling() -> bool:
    if uses_notify():
        # A listener that cannot hear other connections (a transaction-mode pooler, see above).
        listener = _listener
        return listener is not None and listener.deaf
    return os.environ.get(WORKERS_VARIABLE, "1") != "1"


def latest_event_id(center_id: int, day) -> int:
    return (
        TicketEvent.objects.filter(ticket__center_id=center_id, ticket__day=day)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )
