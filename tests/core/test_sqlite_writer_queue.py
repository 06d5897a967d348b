"""The embedded database's writers' queue (motcua.core.sqlite_backend, issue 10)."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import OperationalError

from motcua.core.sqlite_backend import base as sqlite_backend
from motcua.core.sqlite_backend.base import DatabaseWrapper, is_write, lock_path

CHILD = Path(__file__).with_name("sqlite_writers.py")


def probe(tmp_path, name: str = "probe.sqlite3", queue_seconds: float = 10) -> DatabaseWrapper:
    """A connection of the project's SQLite backend on a file, outside the test database."""
    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / name)}
    settings_dict["ENGINE"] = "motcua.core.sqlite_backend"
    settings_dict["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "writer_queue_seconds": queue_seconds,
    }
    wrapper = DatabaseWrapper(settings_dict, alias=f"probe-{name}")
    wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS note (id integer primary key, body text)")
    return wrapper


def someone_else_can_lock(path: str) -> bool:
    """Whether another open file (as another process or thread would hold) gets the lock now."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def helpers_alive() -> bool:
    return any(thread.name == "motcua-sqlite-queue" for thread in threading.enumerate())


class TestIsWrite:
    @pytest.mark.parametrize(
        "query",
        ["INSERT INTO t VALUES (1)", "  update t set a = 1", "DELETE FROM t", "REPLACE INTO t"],
    )
    def test_data_changes_queue(self, query):
        assert is_write(query)

    @pytest.mark.parametrize(
        "query", ["SELECT 1", "PRAGMA journal_mode", "WITH x AS (SELECT 1) SELECT * FROM x", ""]
    )
    def test_reads_do_not_queue(self, query):
        assert not is_write(query)

    def test_a_with_that_inserts_queues(self):
        assert is_write("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")
        assert is_write("WITH x AS (SELECT 1)\nDELETE FROM t WHERE id IN x")


# django_db only lifts pytest-django's block on connections; the probes use their own files.
@pytest.mark.django_db
class TestWriterLock:
    def test_reads_in_autocommit_never_take_the_lock(self, tmp_path):
        wrapper = probe(tmp_path)
        try:
            taken = wrapper.writer_lock.acquisitions  # the CREATE TABLE above
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM note")
                assert cursor.fetchone() == (0,)
                cursor.execute("SELECT id FROM note WHERE id = %s", [1])
            assert wrapper.writer_lock.acquisitions == taken
            assert not wrapper.writer_lock.held
            assert someone_else_can_lock(lock_path(wrapper.settings_dict["NAME"]))
        finally:
            wrapper.close()

    def test_a_read_waits_for_no_writer(self, tmp_path):
        """An officer's page keeps reading while a kiosk holds the queue (WAL)."""
        writer, reader = probe(tmp_path), probe(tmp_path)
        try:
            writer._start_transaction_under_autocommit()
            with writer.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('x')")
            started = time.monotonic()
            with reader.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM note")
                assert cursor.fetchone() == (0,)  # the uncommitted row is not seen
            assert time.monotonic() - started < 1
            assert reader.writer_lock.acquisitions == 1  # its own CREATE TABLE only
            writer.commit()
        finally:
            writer.close()
            reader.close()

    def test_a_transaction_holds_the_lock_until_commit(self, tmp_path):
        wrapper = probe(tmp_path)
        path = lock_path(wrapper.settings_dict["NAME"])
        try:
            wrapper._start_transaction_under_autocommit()
            assert wrapper.writer_lock.held
            assert not someone_else_can_lock(path)
            with wrapper.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('x')")
            assert not someone_else_can_lock(path)
            wrapper.commit()
            assert not wrapper.writer_lock.held
            assert someone_else_can_lock(path)
        finally:
            wrapper.close()

    def test_a_rollback_and_a_close_release_it(self, tmp_path):
        wrapper = probe(tmp_path)
        path = lock_path(wrapper.settings_dict["NAME"])
        try:
            wrapper._start_transaction_under_autocommit()
            wrapper.rollback()
            assert someone_else_can_lock(path)
            wrapper._start_transaction_under_autocommit()
            wrapper.close()
            assert someone_else_can_lock(path)
        finally:
            wrapper.close()

    def test_a_write_in_autocommit_queues_for_its_statement_only(self, tmp_path):
        wrapper = probe(tmp_path)
        try:
            before = wrapper.writer_lock.acquisitions
            with wrapper.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES (%s)", ["y"])
            assert wrapper.writer_lock.acquisitions == before + 1
            assert not wrapper.writer_lock.held
        finally:
            wrapper.close()

    def test_a_second_thread_waits_its_turn_then_writes(self, tmp_path):
        """Two threads of one process queue like two processes (one open file each)."""
        first = probe(tmp_path)
        first._start_transaction_under_autocommit()
        entered = threading.Event()
        errors: list[Exception] = []

        def second_writer() -> None:
            second = probe(tmp_path)  # its CREATE TABLE IF NOT EXISTS queues too
            try:
                second._start_transaction_under_autocommit()
                entered.set()
                with second.cursor() as cursor:
                    cursor.execute("INSERT INTO note (body) VALUES ('second')")
                second.commit()
            except Exception as exc:
                errors.append(exc)
            finally:
                second.close()

        thread = threading.Thread(target=second_writer)
        thread.start()
        try:
            assert not entered.wait(0.5), "the second writer must wait for the first's commit"
            with first.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('first')")
            first.commit()
            thread.join(timeout=30)
            assert not thread.is_alive() and errors == []
            with first.cursor() as cursor:
                cursor.execute("SELECT body FROM note ORDER BY id")
                assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
        finally:
            first.close()

    def test_a_writer_gives_up_after_its_queue_time_and_queues_again_later(self, tmp_path):
        """A stuck transaction makes the next writer fail as SQLite would, not hang; once it
        ends, the same connection writes again (its abandoned place is given back)."""
        stuck = probe(tmp_path)
        waiting = probe(tmp_path, queue_seconds=0.3)
        path = lock_path(stuck.settings_dict["NAME"])
        try:
            stuck._start_transaction_under_autocommit()
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                waiting._start_transaction_under_autocommit()
            assert 0.25 < time.monotonic() - started < 5
            assert not waiting.writer_lock.held
            stuck.commit()
            waiting._start_transaction_under_autocommit()
            assert waiting.writer_lock.held
            with waiting.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('later')")
            waiting.commit()
            # The abandoned place: its helper takes its turn, unlocks and ends.
            deadline = time.monotonic() + 5
            while helpers_alive() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert not helpers_alive()
            assert someone_else_can_lock(path)
        finally:
            stuck.close()
            waiting.close()

    def test_the_wal_is_checkpointed_after_the_queue_every_so_many_commits(
        self, tmp_path, monkeypatch
    ):
        """SQLite's own checkpoint inside COMMIT is off; ours copies the WAL into the database
        file after the lock is released."""
        database = tmp_path / "probe.sqlite3"
        wrapper = probe(tmp_path)
        try:
            monkeypatch.setattr(sqlite_backend, "CHECKPOINT_EVERY", 10**9)
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint")
                assert cursor.fetchone() == (0,)
            wrapper._start_transaction_under_autocommit()
            with wrapper.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('kept-in-the-wal')")
            wrapper.commit()
            assert b"kept-in-the-wal" not in database.read_bytes()
            monkeypatch.setattr(sqlite_backend, "CHECKPOINT_EVERY", 1)
            wrapper._start_transaction_under_autocommit()
            with wrapper.cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('copied-after-commit')")
            wrapper.commit()
            content = database.read_bytes()
            assert b"kept-in-the-wal" in content and b"copied-after-commit" in content
        finally:
            wrapper.close()

    def test_the_in_memory_test_database_does_not_queue(self):
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            pytest.skip("the test database here is not SQLite in memory")
        connection.ensure_connection()
        assert connection.writer_lock.path is None


def run_child(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class TestWritersInSeveralProcesses:
    def test_3_processes_of_2_kiosks_number_gapless_with_no_locked_database(self, tmp_path):
        """6 kiosks in 3 processes, 15 dossiers each, busy timeout 200 ms: no "database is
        locked", numbers 1..90 each once, the counter at 90."""
        database = str(tmp_path / "motcua.sqlite3")
        setup = run_child("setup", database)
        assert setup.returncode == 0, setup.stderr[-2000:]
        go = tmp_path / "go"
        processes = [
            subprocess.Popen(
                [sys.executable, str(CHILD), "write", database, f"p{i}", "2", "15", str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(3)
        ]
        try:
            for process in processes:
                assert process.stdout.readline().strip() == "ready", process.stderr.read()[-2000:]
            go.touch()
            results = []
            for process in processes:
                out, err = process.communicate(timeout=300)
                assert process.returncode == 0, err[-2000:]
                results.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
        assert [error for result in results for error in result["errors"]] == []
        codes = [code for result in results for code in result["codes"]]
        assert len(codes) == len(set(codes)) == 90
        db = sqlite3.connect(database)
        try:
            numbers = sorted(n for (n,) in db.execute("SELECT number FROM dossiers_dossier"))
            (last,) = db.execute("SELECT last_number FROM dossiers_dossiercounter").fetchone()
        finally:
            db.close()
        assert numbers == list(range(1, 91))
        assert last == 90
