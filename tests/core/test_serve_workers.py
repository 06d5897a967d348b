"""``motcua serve --workers N``: several gunicorn worker processes answer the public lookup.

The end-to-end test starts the real command on a fresh SQLite installation (its own var/), asks
the lookup page and the JSON API concurrently, checks that the master has exactly N workers, and
stops it with SIGTERM as a service manager would.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.core.management.commands.serve import (
    gunicorn_options,
    gunicorn_proxy_options,
    uvicorn_options,
)
from tests.durability.conftest import ROOT, UMASK, Installation

START_TIMEOUT = 40.0
STOP_TIMEOUT = 25.0


class TestWorkersOption:
    @pytest.mark.parametrize("workers", ["0", "33", "-2"])
    def test_out_of_range_is_refused_in_vietnamese(self, workers):
        with pytest.raises(CommandError, match="Số tiến trình"):
            call_command("serve", "--workers", workers)

    def test_workers_run_uvicorn_and_share_the_loaded_application(self):
        options = gunicorn_options(host="127.0.0.1", port=8000, workers=3)
        assert options["bind"] == ["127.0.0.1:8000"]
        assert (options["workers"], options["worker_class"]) == (
            3,
            "motcua.core.management.commands.serve.MotcuaUvicornWorker",
        )
        assert "threads" not in options  # uvicorn workers: no thread count to set
        assert options["preload_app"] is True
        assert options["post_worker_init"].__name__ == "build_finder_in_worker"

    def test_an_ipv6_host_is_bracketed(self):
        options = gunicorn_options(host="::1", port=8000, workers=2)
        assert options["bind"] == ["[::1]:8000"]


class TestGunicornProxyTrust:
    def test_without_a_proxy_nobody_may_set_the_scheme(self, settings):
        # gunicorn's own default trusts 127.0.0.1.
        settings.MOTCUA_BEHIND_PROXY = False
        settings.MOTCUA_TRUSTED_PROXIES = ["10.0.0.5"]
        assert gunicorn_proxy_options() == {"forwarded_allow_ips": ""}

    def test_behind_the_proxy_only_the_listed_proxies_are_trusted(self, settings):
        settings.MOTCUA_BEHIND_PROXY = True
        settings.MOTCUA_TRUSTED_PROXIES = ["10.0.0.5", "*", "10.0.0.6"]
        assert gunicorn_proxy_options() == {"forwarded_allow_ips": "10.0.0.5,10.0.0.6"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The command may contain spaces and parentheses: the ppid follows the last ')'.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def get(port: int, path: str, *, proto: str = "https") -> tuple[int, bytes]:
    """A request as the documented reverse proxy forwards it (X-Forwarded-Proto)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": proto})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the worker processes")
def test_two_workers_serve_the_lookup_and_stop_on_sigterm(tmp_path):
    pytest.importorskip("gunicorn", reason="gunicorn not installed (pip install gunicorn)")
    installation = Installation(tmp_path / "var")
    installation.set_up()
    installation.motcua("migrate", "--verbosity", "0")
    installation.motcua("catalog", "load")
    # Behind the proxy, as docs/deploy.md sets it up: gunicorn must pass X-Forwarded-Proto on to
    # Django, or HTTPS=1 would redirect every request forever.
    installation.env.update(HTTPS="1", MOTCUA_TRUSTED_PROXIES="127.0.0.1")
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "motcua", "serve", "--workers", "2", "--port", str(port)],
            env=installation.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            umask=UMASK,
            start_new_session=True,  # its own process group: the finally below reaps the workers
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, log_path.read_text(errors="replace")[-3000:]
            try:
                status, _ = get(port, "/thu-tuc/?q=khai+sinh")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.25)
        assert status == 200

        paths = ["/thu-tuc/?q=khai+sinh", "/api/v1/procedures?q=khai%20sinh"] * 6
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda path: get(port, path), paths))
        assert [status for status, _ in answers] == [200] * len(paths)
        page, api = answers[0][1].decode(), json.loads(answers[1][1])
        assert "1.001193" in page  # Thủ tục đăng ký khai sinh
        assert api["items"][0]["code"] == "1.001193"

        assert get(port, "/thu-tuc/", proto="http")[0] == 301  # plain HTTP is sent to HTTPS

        workers = children(server.pid)
        assert len(workers) == 2, workers

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=STOP_TIMEOUT) == 0
        gone = time.monotonic() + 5
        while any(Path(f"/proc/{worker}").exists() for worker in workers):
            assert time.monotonic() < gone, f"workers {workers} outlived the master"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


class TestUvicornProxyTrust:
    """uvicorn must not rewrite the client's address or scheme: Django decides whom to believe."""

    def test_one_process_never_rewrites_forwarded_headers(self):
        options = uvicorn_options(host="127.0.0.1", port=8000)
        assert options["proxy_headers"] is False
        assert options["forwarded_allow_ips"] == ""

    def test_the_workers_run_uvicorn_with_the_same_options(self):
        from motcua.core.management.commands.serve import MotcuaUvicornWorker

        assert MotcuaUvicornWorker.CONFIG_KWARGS["proxy_headers"] is False
        assert MotcuaUvicornWorker.CONFIG_KWARGS["lifespan"] == "off"
