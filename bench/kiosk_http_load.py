"""Kiosk intake over HTTP: the whole flow through ``motcua serve`` on PostgreSQL (issue 10).

Usage: .venv/bin/python bench/kiosk_http_load.py [--workers 4] [--kiosks 4,8] [--seconds 20]
           [--pg postgres://postgres@127.0.0.1:5432] [--pgbench-seconds 10] [--py-spy FILE]

``bench/intake_load.py`` calls the service (``submit_dossier``) in-process; a real kiosk reaches
it through the web server, its middleware, the device cookie, the session and the pages around
it. This bench measures that path, loopback only, bounded in time, cleaning up after itself:

1. pgbench TPC-B on the same server (``pgbench_ratio.py``), alone, as the yardstick.
2. A scratch database ``bench_kioskhttp_<pid>`` (migrated, catalog and demo center loaded,
   one registered kiosk per client, dropped afterwards) served by the real
   ``motcua serve --workers N``.
3. KIOSKS closed-loop clients, each a browser bound to its own kiosk with the one-time code (CSRF
   token and cookies as a browser keeps them, one keep-alive connection), run the citizen's flow
   for SECONDS: start page, card scan, the birth registration form (procedure 1.001193), the form
   posted with one 200 KB scan attached, the confirmation page, **the confirmation (the service
   call)**, the slip page, finish. Dossiers/s, latency per step (p50/p95/p99) and the CPU time of
   the server processes per dossier (user + system from /proc: it hardly depends on what else
   runs) and of PostgreSQL (every postgres process of the server, exited backends included via
   the postmaster's children times; other databases' work on a shared server counts too).

With ``--py-spy FILE`` the first round is sampled by py-spy (all worker processes, idle threads
left out) into a collapsed-stack file for ``flamegraph``-style reading.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk_citizen import BIRTH, BIRTH_ANSWERS, QR_PAYLOAD  # noqa: E402
from lookup_load import cpu_seconds, free_port, process_tree  # noqa: E402
from pgbench_ratio import PG_DEFAULT, admin_sql, measure_yardstick  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROCEDURE = BIRTH
SCAN = b"%PDF-1.4\n% ban chup giay chung sinh\n" + bytes(range(256)) * 800  # ~200 KB
FORM = {**BIRTH_ANSWERS, "pledge": "on"}
STEPS = ("start", "scan", "form", "fill", "review", "confirm", "slip", "finish")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMIT_KEY = re.compile(r'name="submit_key" value="([^"]+)"')
DOC_FIELD = re.compile(r'name="(doc_\d+)_(paper|file)"')


def server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        DATABASE_URL=database_url,
        MOTCUA_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT / "src"),
        PYTHONWARNINGS="ignore",
        LOG_LEVEL="WARNING",
        MOTCUA_DEMO="1",
    )
    env.pop("DEBUG", None)
    return env


SETUP = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0, interactive=False)
call_command("catalog", "load", stdout=io.StringIO())
call_command("demo_center", stdout=io.StringIO())
from motcua.centers.models import Center
from motcua.kiosk.models import KioskDevice
center = Center.objects.get()
codes = []
for n in range(int(sys.argv[1])):
    device = KioskDevice.objects.create(center=center, name=f"Kiosk đo {n}")
    codes.append(device.new_activation_code(now=timezone.now()))
    device.save()
print("CODES " + json.dumps(codes))
"""


class Browser:
    """One kiosk's browser: cookies, one keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, ctype: str = ""):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if ctype:
            headers["Content-Type"] = ctype
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if "expires=Thu, 01 Jan 1970" in value or val in ('""', ""):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        return response.status, text

    def post_form(self, path: str, fields: dict[str, str]):
        from urllib.parse import urlencode

        return self.request(
            "POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded"
        )

    def post_multipart(self, path: str, fields: dict[str, str], files: dict[str, bytes]):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, content in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="giay-chung-sinh.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    def csrf(self, html: str) -> str:
        match = CSRF_INPUT.search(html)
        return match.group(1) if match else self.cookies.get("csrftoken", "")


def expect(status: int, wanted: int, step: str, text: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{step}: HTTP {status} (wanted {wanted}): {text[:300]!r}")


class Kiosk(threading.Thread):
    def __init__(self, port: int, code: str, stop_at: float):
        super().__init__(daemon=True)
        self.browser = Browser(port)
        self.code, self.stop_at = code, stop_at
        self.latencies: dict[str, list[float]] = {step: [] for step in STEPS}
        self.dossiers = 0
        self.errors: list[str] = []
        self.ready = threading.Event()
        self.go = threading.Event()

    def activate(self) -> None:
        status, html = self.browser.request("GET", "/kiosk/kich-hoat/")
        expect(status, 200, "activation page", html)
        fields = {"csrfmiddlewaretoken": self.browser.csrf(html), "code": self.code}
        status, text = self.browser.post_form("/kiosk/kich-hoat/", fields)
        expect(status, 302, "activation", text)

    def timed(self, step: str, call, *args):
        began = time.perf_counter()
        result = call(*args)
        self.latencies[step].append(time.perf_counter() - began)
        return result

    def flow(self) -> None:
        b = self.browser
        status, html = self.timed("start", b.request, "GET", "/kiosk/")
        expect(status, 200, "start", html)
        token = b.csrf(html)
        status, text = self.timed(
            "scan", b.post_form, "/kiosk/the/", {"csrfmiddlewaretoken": token, "scan": QR_PAYLOAD}
        )
        expect(status, 302, "scan", text)
        path = f"/kiosk/to-khai/{PROCEDURE}/"
        status, html = self.timed("form", b.request, "GET", path)
        expect(status, 200, "form", html)
        fields = dict(FORM, csrfmiddlewaretoken=b.csrf(html))
        fields["child_sex"] = "Nam"
        docs = sorted({m.group(1) for m in DOC_FIELD.finditer(html)})
        files = {}
        for n, doc in enumerate(docs):
            if n == 0 and f'name="{doc}_file"' in html:
                files[f"{doc}_file"] = SCAN  # one scan attached, the rest on paper
            else:
                fields[f"{doc}_paper"] = "on"
        status, text = self.timed("fill", b.post_multipart, path, fields, files)
        expect(status, 302, "fill", text)
        status, html = self.timed("review", b.request, "GET", "/kiosk/xac-nhan/")
        expect(status, 200, "review", html)
        key = SUBMIT_KEY.search(html)
        if key is None:
            raise RuntimeError("review: no submit_key")
        fields = {"csrfmiddlewaretoken": b.csrf(html), "submit_key": key.group(1)}
        status, text = self.timed("confirm", b.post_form, "/kiosk/xac-nhan/", fields)
        expect(status, 302, "confirm", text)
        self.dossiers += 1
        status, html = self.timed("slip", b.request, "GET", "/kiosk/phieu-hen/")
        expect(status, 200, "slip", html)
        status, text = self.timed(
            "finish", b.post_form, "/kiosk/ket-thuc/", {"csrfmiddlewaretoken": b.csrf(html)}
        )
        expect(status, 302, "finish", text)

    def run(self) -> None:
        try:
            self.activate()
            self.flow()  # warm: this worker's templates, plans, caches
        except Exception as exc:  # noqa: BLE001 - reported, not fatal to the others
            self.errors.append(f"warm-up: {exc}")
        for values in self.latencies.values():
            values.clear()
        self.dossiers = 0
        self.ready.set()
        self.go.wait(timeout=120)
        while time.monotonic() < self.stop_at:
            try:
                self.flow()
            except Exception as exc:  # noqa: BLE001
                self.errors.append(str(exc)[:200])
                if len(self.errors) > 50:
                    return


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def pg_cpu_seconds() -> float:
    """All postgres processes, plus what the postmaster's exited children used."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            comm = stat.split("(", 1)[1].rsplit(")", 1)[0]
            if comm != "postgres":
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            if int(fields[1]) == 1:  # the postmaster: its reaped backends' time
                total += int(fields[13]) + int(fields[14])
    return total / tick


def round_of(port: int, codes: list[str], seconds: float, tree_pid: int, spy: str | None):
    stop_at = time.monotonic() + 3600
    kiosks = [Kiosk(port, code, stop_at) for code in codes]
    for kiosk in kiosks:
        kiosk.start()
    for kiosk in kiosks:
        kiosk.ready.wait(timeout=180)
    tree = process_tree(tree_pid)
    spy_process = None
    if spy:
        spy_process = subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(tree_pid)]
            + ["--subprocesses", "--format", "raw", "--output", spy, "--rate", "200"]
            + ["--duration", str(int(seconds))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
    load_before = os.getloadavg()[0]
    cpu_before, pg_before = cpu_seconds(tree), pg_cpu_seconds()
    began = time.monotonic()
    for kiosk in kiosks:
        kiosk.stop_at = began + seconds
        kiosk.go.set()
    for kiosk in kiosks:
        kiosk.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began
    cpu_used, pg_used = cpu_seconds(tree) - cpu_before, pg_cpu_seconds() - pg_before
    if spy_process is not None:
        spy_process.wait(timeout=120)
    dossiers = sum(k.dossiers for k in kiosks)
    steps = {}
    for step in STEPS:
        values = [x for k in kiosks for x in k.latencies[step]]
        steps[step] = {
            "p50": round(pct(values, 0.50), 1),
            "p95": round(pct(values, 0.95), 1),
            "p99": round(pct(values, 0.99), 1),
        }
    requests = sum(len(v) for k in kiosks for v in k.latencies.values())
    errors = [e for k in kiosks for e in k.errors]
    return {
        "kiosks": len(codes),
        "dossiers": dossiers,
        "dossiers_per_s": round(dossiers / elapsed, 1),
        "requests_per_s": round(requests / elapsed, 1),
        "server_cpu_ms_per_dossier": round(1000 * cpu_used / max(1, dossiers), 1),
        "server_cpu_ms_per_request": round(1000 * cpu_used / max(1, requests), 2),
        "postgres_cpu_ms_per_dossier": round(1000 * pg_used / max(1, dossiers), 1),
        "loadavg_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:3],
        "steps_ms": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kiosks", default="4,8")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--py-spy", dest="spy", help="collapsed stacks of the first round")
    args = parser.parse_args()
    rounds = [int(n) for n in args.kiosks.split(",")]
    if not 1 <= args.seconds <= 120 or not all(1 <= n <= 32 for n in rounds):
        parser.error("--seconds 1..120 and --kiosks 1..32 (the bench is bounded)")

    yardstick = measure_yardstick(args.pg, args.pgbench_seconds) if args.pgbench_seconds else None
    if yardstick is not None:
        print(json.dumps({"pgbench_tps": round(yardstick.tps, 1), "pgbench": yardstick.line()}))
    name = f"bench_kioskhttp_{os.getpid()}"
    admin_sql(args.pg, f'drop database if exists "{name}" with (force)')
    admin_sql(args.pg, f'create database "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="motcua-kiosk-http-") as tmp:
            var_dir = Path(tmp) / "var"
            var_dir.mkdir(mode=0o700)
            env = server_env(f"{args.pg}/{name}", var_dir)
            setup = subprocess.run(
                [sys.executable, "-c", SETUP, str(sum(rounds))],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            )
            line = next(x for x in setup.stdout.splitlines() if x.startswith("CODES "))
            codes = json.loads(line.removeprefix("CODES "))
            port = free_port()
            with open(Path(tmp) / "serve.log", "wb") as log:
                server = subprocess.Popen(
                    [sys.executable, "-m", "motcua", "serve", "--port", str(port)]
                    + ["--workers", str(args.workers)],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                try:
                    wait_for(server, port)
                    used = 0
                    for n, kiosks in enumerate(rounds):
                        result = round_of(
                            port,
                            codes[used : used + kiosks],
                            args.seconds,
                            server.pid,
                            args.spy if n == 0 else None,
                        )
                        used += kiosks
                        result["workers"] = args.workers
                        if yardstick is not None:
                            result["pgbench_tps"] = round(yardstick.tps, 1)
                            result["per_pgbench_tps"] = round(
                                yardstick.ratio(result["dossiers_per_s"]), 4
                            )
                        print(json.dumps(result), flush=True)
                finally:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        os.killpg(server.pid, signal.SIGKILL)
                        server.wait(timeout=10)
            tail = (Path(tmp) / "serve.log").read_text(errors="replace")[-2000:]
            if "Traceback" in tail:
                print(tail, file=sys.stderr)
    finally:
        admin_sql(args.pg, f'drop database if exists "{name}" with (force)')


def wait_for(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 180
    while True:
        if server.poll() is not None:
            raise SystemExit(f"motcua serve exited {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/kiosk/kich-hoat/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer in time") from None
            time.sleep(0.5)


if __name__ == "__main__":
    main()
