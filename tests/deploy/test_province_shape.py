"""The province shape of docs/deploy.md, started for real on loopback (issue 10).

nginx balances round-robin over two app servers (``motcua serve --workers 2`` each, the same
SECRET_KEY and settings), which reach a throwaway PostgreSQL database through PgBouncer in
transaction mode (tests/deploy/province.py). Every check goes through nginx and asserts that its
requests reached both servers (nginx's ``X-Upstream`` header), so nothing here passes because one
server answered everything. Runs in CI's PostgreSQL pass; skips on SQLite and where nginx or
pgbouncer is missing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

from tests.deploy.province import ROOT, Browser, Province, _admin, missing
from tests.durability.kiosk_client import KioskClient

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "runs")

AGENCY = "000.00.25.H45"  # motcua demo-center
PASSWORD = "motcua-demo-2026"  # the demo password (MOTCUA_DEMO=1 installations only)
SUBMISSIONS_PER_KIOSK = 3
NOTICES = 40
SSE_WAIT = 10.0


PHONES = [f"09123{n:05d}" for n in range(NOTICES)]
# Queued at set-up, waiting for `motcua notices send` (MOTCUA_NOTICES_DELIVERY=cron).
QUEUE_NOTICES = f"""
from django.db import transaction
from django.utils import timezone
from motcua.notices.services import queue_message
with transaction.atomic():
    for phone in {PHONES!r}:
        queue_message(kind="accepted", channel="sms", recipient=phone, subject="Thử",
                      body="Hồ sơ đã được tiếp nhận.", now=timezone.now())
"""


@pytest.fixture(scope="module")
def province():
    province = Province(kiosks=4, setup_code=QUEUE_NOTICES)
    # The SMS channel must be configured to queue; the servers never send (cron delivery) and
    # the test's `notices send` processes point it at the test's gateway.
    province.extra_env["NOTICE_SMS_URL"] = "http://127.0.0.1:9/"
    with province as started:
        yield started


def servers(province: Province) -> set[str]:
    return {f"127.0.0.1:{port}" for port in province.server_ports}


class KioskBrowser(Browser, KioskClient):
    """The kiosk flow of tests/durability/kiosk_client.py, through nginx from its own address."""


class TestSessions:
    def test_an_officer_logged_in_on_one_server_is_logged_in_on_the_other(self, province):
        officer = Browser(province.nginx_port, "127.0.0.2")
        status, location, _ = officer.log_in("tiepnhan", PASSWORD)
        assert (status, location) == (302, "/can-bo/"), officer.upstreams
        logged_in_on = officer.upstreams[-1]
        pages = [officer.request("GET", "/can-bo/") for _ in range(4)]
        assert [status for status, _, _ in pages] == [200] * 4
        assert all("tiepnhan" in html or "Lan" in html for _, _, html in pages)
        answered = set(officer.upstreams[-4:])
        assert answered == servers(province), officer.upstreams
        assert answered - {logged_in_on}  # the other server read the session


class TestDossierNumbers:
    def test_kiosks_on_both_servers_get_gapless_unique_numbers(self, province):
        def kiosk(index: int) -> tuple[list[str], list[str]]:
            client = KioskBrowser(province.nginx_port, f"127.0.0.{10 + index}")
            client.activate(province.activation_codes[index])
            codes, confirmed_on = [], []
            for _ in range(SUBMISSIONS_PER_KIOSK):
                client.fill_in()
                codes.append(client.confirm())
                confirmed_on.append(client.upstreams[-2])  # the POST that took the number
            return codes, confirmed_on

        with ThreadPoolExecutor(len(province.activation_codes)) as pool:
            results = list(pool.map(kiosk, range(len(province.activation_codes))))
        codes = [code for kiosk_codes, _ in results for code in kiosk_codes]
        numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
        assert numbers == list(range(1, len(codes) + 1)), codes
        confirmed_on = {server for _, on in results for server in on}
        assert confirmed_on == servers(province)

        stored = province_json(province, "dossiers")
        assert sorted(stored["codes"]) == sorted(codes)
        assert list(stored["counters"].values()) == [len(codes)]
        assert stored["audit_broken"] is None


class TestLoginLockout:
    def test_failures_on_both_servers_lock_the_account(self, province):
        attacker = Browser(province.nginx_port, "127.0.0.3")
        wrong = {"username": "hotich", "password": "sai-mat-khau-123"}
        failures = attacker.post_again("/can-bo/dang-nhap/", wrong, 5)
        # AXES_FAILURE_LIMIT = 5: the fifth failure locks, wherever the first four were made.
        assert failures == [200, 200, 200, 200, 429]  # the form again, with an error; locked
        assert set(attacker.upstreams[1:]) == servers(province), attacker.upstreams
        # The right password is refused on both servers now.
        assert attacker.post_again("/can-bo/dang-nhap/", {**wrong, "password": PASSWORD}, 2) == [
            429,
            429,
        ]
        assert set(attacker.upstreams[-2:]) == servers(province), attacker.upstreams

        # Locked by username, not by address: a colleague on the same address still logs in.
        colleague = Browser(province.nginx_port, "127.0.0.3")
        assert colleague.log_in("lanhdao", PASSWORD)[:2] == (302, "/can-bo/")


class TestRateLimits:
    def test_misses_on_both_servers_count_against_one_address(self, province):
        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
        code = f"{AGENCY}-{today:%y%m%d}-9999"  # well formed, never issued
        guess = {"ma": code, "so": "0000"}
        walker = Browser(province.nginx_port, "127.0.0.4")
        # TRACK_MISSES_PER_CODE_AND_ADDRESS: 5 wrong answers per code and address an hour.
        assert walker.post_again("/ho-so/tra-cuu/", guess, 7) == [404] * 5 + [429] * 2
        assert set(walker.upstreams[1:6]) == servers(province), walker.upstreams
        assert set(walker.upstreams[6:]) == servers(province), walker.upstreams

        # X-Forwarded-For from nginx: another address has its own allowance.
        neighbour = Browser(province.nginx_port, "127.0.0.5")
        assert neighbour.post_form("/ho-so/tra-cuu/", guess)[0] == 404


class Gateway(BaseHTTPRequestHandler):
    """An SMS gateway that holds the first message until a second one arrives at the same time:
    a sender sends one message at a time, so both `notices send` processes are then sending."""

    received: list[str] = []
    active = 0
    gave_up = False
    both_sending = threading.Event()
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            Gateway.active += 1
            if Gateway.active >= 2:
                Gateway.both_sending.set()
        if not Gateway.both_sending.wait(0 if Gateway.gave_up else 30):
            Gateway.gave_up = True  # one sender alone: the test fails below, without waiting
        with self.lock:
            Gateway.active -= 1
            Gateway.received.append(body["to"])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class TestNotices:
    def test_notices_send_on_both_servers_at_once_sends_each_once(self, province):
        gateway = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
        Gateway.received, Gateway.active, Gateway.gave_up = [], 0, False
        Gateway.both_sending.clear()
        threading.Thread(target=gateway.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{gateway.server_address[1]}/sms"
        try:
            senders = [
                subprocess.Popen(
                    [sys.executable, "-m", "motcua", "notices", "send"],
                    env={**province.env(f"server-{n}"), "NOTICE_SMS_URL": url},
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for n in range(2)
            ]
            outputs = [sender.communicate(timeout=60) for sender in senders]
        finally:
            gateway.shutdown()
            gateway.server_close()
        assert [sender.returncode for sender in senders] == [0, 0], outputs
        sent = [int(re.search(r"Đã gửi (\d+)", out).group(1)) for out, _ in outputs]
        assert sum(sent) == NOTICES
        assert sorted(Gateway.received) == sorted("84" + phone[1:] for phone in PHONES)
        assert Gateway.both_sending.is_set()  # the two processes were sending at the same time
        assert min(sent) > 0, sent


def province_json(province: Province, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.durability.probe", *args],
        env=province.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


class EventStream(threading.Thread):
    """The calling display's event stream through nginx, read line by line in a thread."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SSE_WAIT + 20)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.socket = self.connection.sock
        self.response = self.connection.getresponse()
        self.upstream = self.response.headers.get("X-Upstream", "")
        self.messages: queue.Queue[dict] = queue.Queue()

    def run(self) -> None:
        try:
            while line := self.response.readline():
                if line.startswith(b"data: "):
                    self.messages.put(json.loads(line[6:]))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by close() (http.client drops its file: AttributeError)

    def next_call(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message.get("kind") == "call":
                return message
        return None

    def close(self) -> None:
        # Wakes the reader blocked in readline() at once (closing the file alone waits for it,
        # until the next heartbeat).
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.join(5)


class TestCallingDisplay:
    def test_a_display_on_one_server_shows_a_call_made_on_the_other(self, province):
        officer = Browser(province.nginx_port, "127.0.0.6")
        assert officer.log_in("tiepnhan", PASSWORD)[0] == 302
        assert officer.post_form("/can-bo/quay/nhan-quay/1/", {}, page="/can-bo/quay/")[0] == 302

        stream = EventStream(province.nginx_port, f"/hang-doi/{AGENCY}/man-hinh/su-kien/")
        assert stream.response.status == 200
        stream.start()
        try:
            display_on = stream.upstream
            assert display_on in servers(province)
            # nginx alternates: within a few calls one is handled by the other server.
            called_on: list[str] = []
            for _ in range(4):
                status, _, board = officer.request("GET", "/can-bo/quay/")
                assert status == 200
                act = {"csrfmiddlewaretoken": officer.token(board), "counter": "1"}
                current = re.search(r'name="ticket" value="(\d+)"', board)
                if current:  # the number called before: absent, next one
                    skip = {**act, "action": "skip", "ticket": current.group(1)}
                    assert officer.request("POST", "/can-bo/quay/thao-tac/", skip)[0] == 302
                call = {**act, "action": "call", "ticket": ""}
                assert officer.request("POST", "/can-bo/quay/thao-tac/", call)[0] == 302
                called_on.append(officer.upstreams[-1])
                shown = stream.next_call(SSE_WAIT)
                assert shown is not None, (
                    f"the display on {display_on} did not show the call made on "
                    f"{called_on[-1]}\n{province.logs()}"
                )
                assert shown["counter"] == 1
                if called_on[-1] != display_on:
                    break
            assert called_on[-1] != display_on, called_on
        finally:
            stream.close()


class TestDisplayListener:
    def test_through_the_pooler_the_listener_knows_it_is_deaf(self, province):
        from motcua.queue import live

        hub = live.Hub()
        heard = {}
        for name, url in (("pgbouncer", province.bouncer_url), ("direct", province.direct_url)):
            listener = live.Listener({"conninfo": url}, hub)
            listener.PROBE_SECONDS = 2.0
            # Through the pooler a cancel cannot wake the idle listener: stop() waits a poll.
            listener.POLL_SECONDS = 0.5
            listener.start()
            try:
                assert listener.ready.wait(15), name
                heard[name] = not listener.deaf
            finally:
                listener.stop()
        # Transaction mode returns the LISTEN session to the pool after each statement.
        assert heard == {"pgbouncer": False, "direct": True}

    def test_the_servers_listen_on_postgresql_itself(self, province):
        assert "does not receive notifications" not in province.logs()


def table_counts(url: str) -> dict[str, int]:
    """Rows per table of the public schema, read on PostgreSQL itself."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


class TestBackup:
    def test_a_backup_taken_through_the_pooler_restores_every_row(self, province, tmp_path):
        # docs/deploy.md tells provinces to give `motcua backup` the direct URL; this checks that
        # a backup taken with the servers' own settings (PgBouncer in transaction mode) is whole
        # too: pg_dump reads everything in one transaction, which the pooler keeps on one backend.
        archive = tmp_path / "province.tar.gz"
        province.motcua("backup", "--output", str(archive), "--include-env-secret", timeout=300)
        source = table_counts(province.direct_url)
        assert source["catalog_procedure"] > 300 and source["centers_center"] > 0

        restored_db = f"{province.database}_restored"
        admin = _admin(province.direct_url)
        admin.execute(f'CREATE DATABASE "{restored_db}"')
        try:
            restored_url = urlunsplit(
                urlsplit(province.direct_url)._replace(path=f"/{restored_db}")
            )
            env = {
                **province.env("restore"),
                "DATABASE_URL": restored_url,
                "MOTCUA_LISTEN_DATABASE_URL": "",
                "DB_DISABLE_SERVER_SIDE_CURSORS": "",
            }
            done = subprocess.run(
                [sys.executable, "-m", "motcua", "restore", str(archive)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            assert table_counts(restored_url) == source
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
            admin.close()
