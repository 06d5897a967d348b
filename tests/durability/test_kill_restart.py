"""Acknowledged means stored: kiosks submit through the real server, which is killed with
SIGKILL under load and restarted.

Every dossier code a kiosk showed the citizen must be in the database afterwards, codes stay
unique and gapless per center and day (a number handed out by a transaction that died with the
server is handed out again, never skipped), and the audit chain verifies. Runs on the suite's
engine: a file SQLite database in its own var/ (WAL, as installed), or a fresh PostgreSQL
database when DATABASE_URL points to PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import defaultdict

import pytest

from .conftest import ROOT, UMASK, backup_tools_missing
from .kiosk_client import KioskClient, Refused, Unavailable

KIOSKS = 4
BEFORE_KILL = 8  # acknowledged dossiers before the kill
AFTER_RESTART = 2  # per kiosk, after the restart
CODE = re.compile(r"^(?P<day>.+-\d{6})-(?P<number>\d{4})$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, installation, port: int, log_path):
        self.installation = installation
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept by the child process)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "motcua",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.installation.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            umask=UMASK,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text(errors="replace")[-2000:]
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise AssertionError(f"the server did not start within {timeout} s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Kiosk(threading.Thread):
    """Submits dossiers in a loop; after an outage it retries the interrupted confirmation with
    the same key (what the kiosk page does), then carries on."""

    def __init__(self, client: KioskClient, stop: threading.Event, restarted: threading.Event):
        super().__init__(daemon=True)
        self.client = client
        self.stop = stop
        self.restarted = restarted
        self.acknowledged: list[str] = []
        self.after_restart = 0
        self.outages = 0
        self.retried = 0  # confirmations cut by the kill and sent again after the restart
        self.confirming = False
        self.errors: list[str] = []

    def _wait_for_server(self) -> bool:
        self.outages += 1
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not self.stop.is_set():
            if self.restarted.is_set():
                return True
            time.sleep(0.05)
        return False

    def _acknowledge(self, code: str) -> None:
        self.acknowledged.append(code)
        if self.restarted.is_set():
            self.after_restart += 1

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.client.fill_in()
                except Unavailable:
                    if not self._wait_for_server():
                        return
                    continue
                try:
                    self.confirming = True
                    self._acknowledge(self.client.confirm())
                except Unavailable:
                    # The confirmation may or may not have been stored: ask again, same key.
                    if not self._wait_for_server():
                        return
                    self.retried += 1
                    with contextlib.suppress(Refused, Unavailable):
                        self._acknowledge(self.client.confirm())
                finally:
                    self.confirming = False
        except Exception as exc:  # reported by the test
            self.errors.append(repr(exc))


def assert_gapless(stored: dict) -> None:
    """Codes ``<agency>-<yyMMdd>-<nnnn>`` run 1..n per center and day; the counter says n."""
    assert len(set(stored["codes"])) == len(stored["codes"]), "duplicate dossier codes"
    numbers: dict[str, list[int]] = defaultdict(list)
    for code in stored["codes"]:
        match = CODE.match(code)
        assert match, code
        numbers[match["day"]].append(int(match["number"]))
    assert numbers, "no dossiers"
    for day, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), f"gap or duplicate on {day}"
        assert stored["counters"][day] == len(taken)


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_sigkill_under_load_loses_no_acknowledged_dossier(make_installation, tmp_path):
    installation = make_installation()
    installation.set_up()
    codes = installation.probe("prepare", str(KIOSKS))["activation_codes"]
    server = Server(installation, free_port(), tmp_path / "server.log")
    stop, restarted = threading.Event(), threading.Event()
    kiosks: list[Kiosk] = []
    try:
        server.start()
        for code in codes:
            client = KioskClient(server.port)
            client.activate(code)
            kiosks.append(Kiosk(client, stop, restarted))
        for kiosk in kiosks:
            kiosk.start()

        def acknowledged() -> int:
            return sum(len(k.acknowledged) for k in kiosks)

        _wait(lambda: acknowledged() >= BEFORE_KILL, 30, f"{BEFORE_KILL} dossiers")
        # Aim the kill at a submission in flight: its transaction may be open on the server.
        _wait(lambda: any(k.confirming for k in kiosks), 10, "a confirmation in flight")
        server.kill()
        before_restart = acknowledged()
        server.start()
        restarted.set()
        # A backup taken while the kiosks keep writing must be a consistent snapshot.
        _wait(lambda: acknowledged() >= before_restart + 2, 20, "dossiers after the restart")
        archive = tmp_path / "under-load.tar.gz"
        can_back_up = not backup_tools_missing(installation)
        if can_back_up:
            installation.motcua("backup", "--output", str(archive))
        _wait(
            lambda: all(k.after_restart >= AFTER_RESTART for k in kiosks),
            30,
            f"{AFTER_RESTART} dossiers per kiosk after the restart",
        )
    finally:
        stop.set()
        for kiosk in kiosks:
            kiosk.join(timeout=15)
        server.kill()
    assert not any(k.is_alive() for k in kiosks)
    if installation.engine == "sqlite":
        # Killed servers leave the -wal and -shm files behind: private like the database.
        for name in ("motcua.sqlite3", "motcua.sqlite3-wal", "motcua.sqlite3-shm"):
            path = installation.var_dir / name
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    print(
        f"{installation.engine}: {sum(len(k.acknowledged) for k in kiosks)} acknowledged, "
        f"{before_restart} before the kill, outages {[k.outages for k in kiosks]}, "
        f"confirmations retried {sum(k.retried for k in kiosks)}"
    )
    assert all(k.outages >= 1 for k in kiosks), "the kill did not interrupt the kiosks"
    assert [e for k in kiosks for e in k.errors] == []

    shown = [code for k in kiosks for code in k.acknowledged]
    assert len(shown) >= before_restart + KIOSKS * AFTER_RESTART
    assert len(set(shown)) == len(shown), "two citizens were shown the same dossier code"

    stored = installation.probe("dossiers")
    missing = set(shown) - set(stored["codes"])
    assert not missing, f"acknowledged but lost: {sorted(missing)}"

    assert_gapless(stored)
    audit = installation.motcua("audit", "verify")
    assert "Nhật ký toàn vẹn" in audit.stdout

    # The backup taken under load restores to a consistent installation: a prefix of the
    # final one, gapless, with its audit chain intact.
    if not can_back_up:
        pytest.skip(f"the rest needs motcua backup: {backup_tools_missing(installation)}")
    restored = make_installation()
    restored.motcua("restore", str(archive))
    snapshot = restored.probe("dossiers")
    assert_gapless(snapshot)
    assert set(snapshot["codes"]) <= set(stored["codes"])
    assert len(snapshot["codes"]) >= before_restart
    assert snapshot["audit_broken"] is None
