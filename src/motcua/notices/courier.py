"""Sending notices outside the request: a courier thread per server process (issue 10).

The outbox row is written in the action's transaction; after the commit the request only hands
the row ids to this process's courier and returns. The courier sends them on its own database
connection, and every ``SWEEP_SECONDS`` also sends whatever else is due (retries after a failed
attempt, rows another process queued before it stopped), so ``motcua notices send`` in cron is
a safety net rather than the only sender. Several processes or servers may run couriers at
once: each attempt first claims its row (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL,
IMMEDIATE transactions on SQLite), so a notice is sent once.

``MOTCUA_NOTICES_DELIVERY`` chooses: ``background`` (the default), ``inline`` (send after the
commit inside the request, as before: the test suite uses it to read mail.outbox at once) or
``cron`` (only ``motcua notices send`` sends).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger("motcua.notices.courier")

SWEEP_SECONDS = 60.0
DELIVERY_MODES = ("background", "inline", "cron")


def delivery_mode() -> str:
    mode = getattr(settings, "MOTCUA_NOTICES_DELIVERY", "background")
    return mode if mode in DELIVERY_MODES else "background"


class Courier:
    def __init__(self) -> None:
        self._inbox: queue.SimpleQueue[tuple[list[int], datetime] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self.idle = threading.Event()

    def submit(self, ids: list[int], event_at: datetime) -> None:
        self._ensure_running()
        self.idle.clear()
        self._inbox.put((list(ids), event_at))

    def _ensure_running(self) -> None:
        # A gunicorn worker is forked from a master that may have started nothing: each process
        # starts its own courier on first use.
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._inbox = queue.SimpleQueue()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="motcua-notices", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        from motcua.notices.services import describe_error, dispatch_pending

        while True:
            try:
                item = self._inbox.get(timeout=SWEEP_SECONDS)
            except queue.Empty:
                item = ([], timezone.now())  # the periodic sweep: everything due
                sweep = True
            else:
                if item is None:
                    connection.close()
                    return
                sweep = False
            ids, event_at = item
            try:
                dispatch_pending(None if sweep else ids, now=max(timezone.now(), event_at))
            except Exception as exc:
                logger.error("courier: sending notices failed: %s", describe_error(exc))
            finally:
                # The thread's own connection: closed between batches so a restarted database
                # or a changed SQLite file never leaves it stale.
                connection.close()
                if self._inbox.empty():
                    self.idle.set()

    def stop(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._inbox.put(None)
            thread.join(timeout)
        self._thread = None


courier = Courier()
