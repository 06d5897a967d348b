"""Django's SQLite backend with writers queued on a file lock before they ask SQLite.

Why: SQLite has one writer at a time. A writer that finds the database locked waits in SQLite's
busy handler, which sleeps and retries on a fixed schedule (up to 100 ms a nap) without any
queue: whoever happens to retry just after a commit wins, so with 4 kiosks writing one unlucky
writer can lose round after round for seconds and, past ``busy_timeout``, fail with "database
is locked" (issue 10: p99 4–400 ms but maxima of 5–10 s).

What: before ``BEGIN IMMEDIATE`` (every ``transaction.atomic()``) and around a write statement
run in autocommit, the connection takes an exclusive ``flock`` on ``<database>-writer.lock``
and holds it until COMMIT/ROLLBACK. A waiter sleeps in the kernel and is woken the moment the
holder releases, so a wait is bounded by the writers ahead × their transaction time instead of
by luck; past ``writer_queue_seconds`` (10 s, the busy timeout) it fails as SQLite would, so a
stuck transaction cannot hang every kiosk behind it. Reads in autocommit (every page that only shows data) never touch it; WAL lets them
read while a writer writes.

Safe with processes and threads: ``flock`` belongs to the open file, and every connection (so
every thread: Django keeps one per thread, the notice courier included) opens its own, so two
threads of one process queue like two processes. A connection carried into a forked child
reopens the file there instead of sharing its parent's lock, and the lock is released with an
explicit unlock, so a child forked while it was held (``signing.limits``) cannot keep it. A
process that dies releases its lock with its files. In-memory databases (the test suite) and a lock file that cannot be opened
(read-only directory) fall back to SQLite's busy handler alone, which stays as the bound for
anything that does not queue here (``sqlite3`` shell, the backup's copy, checkpoints).
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import re
import sqlite3
import threading

from django.db.backends.sqlite3 import base as sqlite3_base
from django.db.utils import OperationalError

logger = logging.getLogger("motcua.core.sqlite_backend")

# Statements that write in autocommit mode (the session save, ``update_last_login`` and raw
# SQL outside ``atomic()``). SELECT and PRAGMA reads do not queue.
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def is_write(query: str) -> bool:
    head = query.lstrip().split(None, 1)
    if not head:
        return False
    verb = head[0].upper()
    # A WITH ... SELECT reads; a WITH ... INSERT/UPDATE/DELETE writes.
    if verb == "WITH":
        return WRITE_IN_WITH.search(query) is not None
    return verb in WRITE_VERBS


# How long a writer waits for its turn before it fails like SQLite would ("database is locked"),
# unless OPTIONS["writer_queue_seconds"] says otherwise: the busy timeout's 10 s.
QUEUE_SECONDS = 10.0


# SQLite checkpoints the WAL into the database inside COMMIT once the WAL holds 1,000 pages, and
# the committing writer still holds its place in the queue then: every queued writer would wait
# for the copy and its fsync (p99 214-234 ms against 64 ms without, bench/intake_load.py, 7 Dec
# 2026). Queued connections turn that off and run the same PASSIVE checkpoint after they have
# left the queue, every CHECKPOINT_EVERY commits of the process (a kiosk dossier writes about 10
# pages, so about as often as SQLite would). Readers and writers go on meanwhile, as with WAL's
# own checkpoints; closing the last connection still checkpoints everything.
CHECKPOINT_EVERY = 100
_commits = itertools.count(1)


def lock_path(database: str) -> str:
    return f"{database}-writer.lock"


class WriterLock:
    """One connection's place in the writers' queue: an exclusive flock on the lock file."""

    def __init__(self, path: str | None, wait_seconds: float = QUEUE_SECONDS) -> None:
        self.path = path
        self.queued = path is not None
        self.wait_seconds = wait_seconds
        self.held = False
        self._fd: int | None = None
        self._pid = 0
        # Counts for tests and diagnosis: how often this connection queued.
        self.acquisitions = 0

    def _open(self) -> int | None:
        if self._fd is not None and self._pid == os.getpid():
            return self._fd
        # A descriptor inherited over fork shares the parent's lock: leave it to the parent.
        self._fd = None
        self.held = False
        if self.path is None:  # not queueing (acquire() does not get here then)
            return None
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            logger.warning(
                "SQLite writer lock %s unavailable (%s): writers wait in SQLite's busy handler",
                self.path,
                exc.strerror,
            )
            self.path = None
            return None
        self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        if self.path is None:
            return
        fd = self._open()
        if fd is None or self.held:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait_in_line(fd)
        self.held = True
        self.acquisitions += 1

    def _wait_in_line(self, fd: int) -> None:
        """Wait for the lock in the kernel's queue, but not longer than ``wait_seconds``.

        ``flock`` has no timeout, so a helper thread blocks in it; if the time runs out first,
        the helper owns this file from then on (it unlocks and closes it when its turn comes)
        and the connection opens a new one for its next transaction."""
        turn = threading.Event()
        guard = threading.Lock()
        gave_up = False

        def wait() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if not gave_up:
                    turn.set()
                    return
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

        threading.Thread(target=wait, name="motcua-sqlite-queue", daemon=True).start()
        if turn.wait(self.wait_seconds):
            return
        with guard:
            if turn.is_set():
                return
            gave_up = True
        self._fd = None
        raise OperationalError(
            f"database is locked (waited {self.wait_seconds:g} s in the writers' queue)"
        )

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self._fd is not None and self._pid == os.getpid():
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


class QueuedCursor(sqlite3_base.SQLiteCursorWrapper):
    """Queues a write statement run in autocommit (outside any transaction) on the lock."""

    writer_lock: WriterLock | None = None

    def execute(self, query, params=None):
        lock = self.writer_lock
        if lock is None or lock.held or self.connection.in_transaction or not is_write(query):
            return super().execute(query, params)
        lock.acquire()
        try:
            return super().execute(query, params)
        finally:
            # A statement that opened a transaction by itself (``BEGIN``/``SAVEPOINT`` are not
            # writes here) keeps nothing open: autocommit committed it.
            if not self.connection.in_transaction:
                lock.release()

    def executemany(self, query, param_list):
        lock = self.writer_lock
        if lock is None or lock.held or self.connection.in_transaction or not is_write(query):
            return super().executemany(query, param_list)
        lock.acquire()
        try:
            return super().executemany(query, param_list)
        finally:
            if not self.connection.in_transaction:
                lock.release()


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.writer_lock: WriterLock | None = None
        self.queue_seconds = QUEUE_SECONDS

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if self.writer_lock is not None:
            self.writer_lock.close()
        name = str(self.settings_dict["NAME"])
        queued = not self.is_in_memory_db() and not name.startswith("file:")
        self.writer_lock = WriterLock(lock_path(name) if queued else None, self.queue_seconds)
        if queued:
            conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    def get_connection_params(self):
        kwargs = super().get_connection_params()
        # Ours, not sqlite3.connect's.
        self.queue_seconds = float(kwargs.pop("writer_queue_seconds", QUEUE_SECONDS))
        return kwargs

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.writer_lock = self.writer_lock
        return cursor

    def _start_transaction_under_autocommit(self):
        # Queue first, then BEGIN IMMEDIATE: SQLite's lock is then free (or about to be) and
        # the busy handler only covers connections that do not queue here.
        lock = self.writer_lock
        if lock is not None:
            lock.acquire()
        try:
            # django-stubs leave out the backends' private hooks that this class wraps.
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    def _commit(self):
        try:
            super()._commit()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            # A failed COMMIT leaves the transaction open; atomic() rolls it back next.
            if self.writer_lock is not None and not self._transaction_open():
                self.writer_lock.release()
        queued = self.writer_lock is not None and self.writer_lock.queued
        if queued and next(_commits) % CHECKPOINT_EVERY == 0:
            self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            # The next one (or SQLite's checkpoint at the last close) copies what this missed.
            logger.warning("SQLite WAL checkpoint failed: %s", exc)

    def _rollback(self):
        try:
            super()._rollback()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            if self.writer_lock is not None and not self._transaction_open():
                self.writer_lock.release()

    def _close(self):
        try:
            super()._close()  # type: ignore[misc]  # (not in django-stubs)
        finally:
            if self.writer_lock is not None:
                self.writer_lock.close()

    def _transaction_open(self) -> bool:
        return self.connection is not None and self.connection.in_transaction
