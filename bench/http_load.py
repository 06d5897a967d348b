"""The whole server under a mixed load over HTTP, against pgbench TPC-B in the same run (issue 10).

Usage: .venv/bin/python bench/http_load.py [--engines sqlite,postgresql] [--workers 2]
           [--clients 8] [--seconds 30] [--pg postgres://postgres@127.0.0.1:5432]

One run, loopback only, bounded in time, cleans up after itself:

1. **Yardstick:** pgbench TPC-B on ``--pg`` (``pgbench_ratio.py``), alone, before any server
   starts; ``--pg ""`` leaves it out (no ratios).
2. For each engine, a throwaway installation: a temporary var/ (SQLite file database there) or
   a scratch PostgreSQL database ``bench_http_<pid>`` (never a test database), migrated, the
   bundled catalog, the demo center and its officers, ``--demo-dossiers`` of generated history
   (``motcua demo-data --small``), the demo signing certificates (``motcua pki demo``), one
   kiosk device per kiosk client, and ``--seed-dossiers`` kiosk dossiers of the demo center at
   each step of the workflow (submitted as ``bench/intake_lock.py`` does, moved on by the
   workflow service), so that every officer has work from the first second.
3. The real server, ``motcua serve --workers N`` on a free loopback port, and CLIENTS
   closed-loop clients (threads, each its own cookies, CSRF tokens and connection), in a fixed
   mix; officers sign in once through ``/can-bo/dang-nhap/`` with the right password (no failed
   login, so django-axes never locks anyone), kiosks activate with their one-time code:

   - ``kiosk``: a citizen's whole submission at a kiosk, page by page: start, card (the QR of a
     chip ID card), birth registration form (1.001193, the request of intake_load.py: one 200 KB
     scanned PDF, the other papers ticked), confirmation, slip. Each dossier made goes to
     reception.
   - ``officer``: reception (tiepnhan) accepts registered dossiers and returns results, the
     leader (lanhdao) assigns received dossiers to the civil-status officer and signs (approves)
     the results submitted to them, the civil-status officer (hotich) submits processed
     dossiers for signature. Each action: the inbox, the dossier page (its action form, CSRF
     token and ``seen_seq``), the POST of the form, the page it redirects to. Each dossier is
     held by one client at a time, so no action is stale. An officer with nothing to do opens
     the inbox and waits 0.2 s.
   - ``dashboard``: the leader's center dashboard and the provincial officer's (tinh) province
     dashboard, this year, alternately.
   - ``lookup``: the public lookup page and the JSON API alternately, over the citizen
     questions of queries.dev.jsonl (as bench/lookup_load.py).

   After ``--warmup`` seconds (not counted) the mix runs for SECONDS. Per kind: requests,
   errors (any status but 2xx/3xx, a refused or timed-out connection, or a page that lacks what
   the step needs), requests/s, p50/p99 per request, completed operations (submissions,
   actions), each throughput also as a ratio to the pgbench TPS and each latency as a multiple
   of pgbench's (4 clients / TPS); for the whole server the CPU time (user + system of master
   and workers) and on PostgreSQL its own counters for the database (sessions opened, time
   spent executing statements, from ``pg_stat_database``).

Why threads and http.client rather than locust: nothing to install (the smoke test in
tests/bench runs wherever the suite runs, so the harness cannot rot unnoticed), exact
percentiles rather than locust's rounded ones, and the load generator stays small beside the
server on a 2-core machine (0.2–0.4 s of CPU in a 30 s run).

The server is stopped with SIGTERM (its process group killed if it lingers), the database
dropped and the temporary directory removed, whatever happens. Prints one JSON line per engine
and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote_plus, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kiosk_citizen import BIRTH, BIRTH_ANSWERS, QR_PAYLOAD  # noqa: E402
from lookup_load import cpu_seconds, paths_for, process_tree  # noqa: E402
from pgbench_ratio import PG_DEFAULT, admin_sql, machine, measure_yardstick  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# The shared data sit beside the checkout (../shared/data, the developers' guide); a git
# worktree one level deeper finds them one level further up.
DEFAULT_QUERIES = next(
    (
        base / "shared" / "data" / "queries.dev.jsonl"
        for base in ROOT.parents
        if (base / "shared" / "data" / "queries.dev.jsonl").exists()
    ),
    ROOT.parent / "shared" / "data" / "queries.dev.jsonl",
)
FALLBACK_QUERIES = ["đăng ký khai sinh", "làm căn cước", "chứng thực bản sao", "đăng ký kết hôn"]
KINDS = ("kiosk", "officer", "dashboard", "lookup")
DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 (the published demo password, README)
CODE_ON_SLIP = re.compile(r"data-dossier-code>\s*([0-9A-Z.]+-\d{6}-\d{4})\s*<")
TIMEOUT = 30.0  # one request
START_TIMEOUT = 120.0  # the server builds its search index before it answers
SETUP_TIMEOUT = 1800
MAX_SECONDS, MAX_CLIENTS, MAX_WORKERS = 600, 64, 8
IDLE_SECONDS = 0.2
IDLE_RECONNECT_SECONDS = 2.0
# Which role moves a dossier on from each status, with what, and where it goes next.
STEPS = {
    "submitted": ("reception", "accept", "received"),
    "received": ("leader", "assign", "in_progress"),
    "in_progress": ("specialist", "submit_for_signature", "awaiting_signature"),
    "awaiting_signature": ("leader", "sign", "processed"),
    "processed": ("reception", "return_result", "returned"),
}
OFFICERS = {"reception": "tiepnhan", "specialist": "hotich", "leader": "lanhdao"}
# The order clients are handed out: 8 clients are 2 kiosks, one officer of each role, one
# dashboard viewer and 2 lookups; fewer take the first ones (each kind from 4 clients on).
ROSTER = [
    "kiosk",
    "officer:reception",
    "dashboard",
    "lookup",
    "officer:leader",
    "officer:specialist",
    "kiosk",
    "lookup",
]


# --- the installation (child process with Django) -------------------------------------------


def installation_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
    env.pop("DATABASE_URL", None)
    env.pop("DEBUG", None)  # the production settings: DEBUG changes what a request costs
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT / "src"),
        PYTHONWARNINGS="ignore",
        LOG_LEVEL="WARNING",
        # A demo installation: the demo accounts and their published password work.
        MOTCUA_DEMO="1",
        # Notices to citizens become files under var/mail: no mail server is reached.
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(var_dir / "mail"),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def setup_child(options: dict) -> None:
    """Build the installation (runs with the installation's environment) and print what the
    clients need: activation codes, the unit and officer to assign to, the seeded dossiers."""
    import io

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("catalog", "load", stdout=quiet)
    call_command("demo_center", stdout=quiet)
    call_command("demo_accounts", stdout=quiet)
    if options["demo_dossiers"]:
        call_command("demo_data", "--small", "--dossiers", str(options["demo_dossiers"]), "--quiet")
    call_command("pki", "demo", "--user", "lanhdao", stdout=quiet)

    import intake_lock

    from motcua.catalog.models import Procedure
    from motcua.centers.management.commands.demo_center import DEMO_AGENCY_CODE
    from motcua.centers.models import Center
    from motcua.dossiers.actions import ActionRequest, perform
    from motcua.kiosk.models import KioskDevice

    center = Center.objects.get(agency_code=DEMO_AGENCY_CODE)
    unit = center.units.get(code="tu-phap-ho-tich")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=OFFICERS.values())}
    now = timezone.now()
    codes = []
    for i in range(options["kiosks"]):
        with transaction.atomic():
            device, _ = KioskDevice.objects.get_or_create(center=center, name=f"Kiosk đo tải {i}")
            codes.append(device.new_activation_code(now=now))
            device.save()

    # The kiosk's own submission (intake_lock.submit_one, shape "kiosk"), then the workflow.
    intake_lock.SHAPE = "kiosk"
    intake_lock._CACHE[:] = [center, Procedure.objects.get(code=BIRTH)]
    route = ["submitted", "received", "in_progress", "awaiting_signature", "processed"]
    by_action = {
        "accept": ("reception", {}),
        "assign": ("leader", {"unit_id": unit.pk, "user_id": users["hotich"].pk}),
        "submit_for_signature": ("specialist", {}),
        # Seeded results are marked ready (the specialist's way without a signature): signing
        # here would bypass the leader's page, which the load exercises.
        "mark_result_ready": ("specialist", {}),
    }
    seeded: dict[str, list[str]] = {status: [] for status in route}
    for depth, status in enumerate(route):
        actions = ["accept", "assign", "submit_for_signature"][:depth]
        if status == "processed":
            actions = ["accept", "assign", "mark_result_ready"]
        for n in range(options["seed_dossiers"]):
            dossier = intake_lock.submit_one(f"bench-seed-{status}-{n}-{uuid.uuid4().hex}")
            for seq, action in enumerate(actions, start=1):
                role, data = by_action[action]
                with transaction.atomic():
                    perform(
                        dossier.pk,
                        ActionRequest(
                            action=action,
                            role=role,
                            actor=f"user:{users[OFFICERS[role]].pk}",
                            seen_seq=seq,
                            now=timezone.now(),
                            note="",
                            data=data,
                        ),
                    )
            seeded[status].append(dossier.code)
    from motcua.dossiers.models import Dossier

    print(
        "SETUP "
        + json.dumps(
            {
                "activation_codes": codes,
                "unit_id": unit.pk,
                "specialist_id": users["hotich"].pk,
                "seeded": seeded,
                "dossiers": Dossier.objects.count(),
                "province": center.province,
            }
        ),
        flush=True,
    )


# --- a browser over plain HTTP -----------------------------------------------------------------


class StepFailed(Exception):
    """The server answered, but not what the step needs (a wrong status or a missing form)."""


class Recorder:
    """Latencies and errors per kind; only while ``on``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.on = False
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: dict[str, int] = collections.Counter()
        self.operations: dict[str, int] = collections.Counter()
        self.samples: dict[str, list[str]] = collections.defaultdict(list)
        self.warmup_errors = 0

    def request(self, kind: str, seconds: float, write: str = "") -> None:
        if self.on:
            with self.lock:
                self.latencies[kind].append(seconds)
                if write:  # the request that writes (a submission, an action): also apart
                    self.latencies[f"{kind}: {write}"].append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            if len(self.samples[kind]) < 3:
                self.samples[kind].append(what[:300])
            if self.on:
                self.errors[kind] += 1
            else:
                self.warmup_errors += 1

    def operation(self, name: str) -> None:
        if self.on:
            with self.lock:
                self.operations[name] += 1


class Browser:
    """One client: its own cookies and keep-alive connection; every request timed under a kind."""

    def __init__(self, port: int, kind: str, recorder: Recorder):
        self.port, self.kind, self.recorder = port, kind, recorder
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0

    def _connection(self) -> http.client.HTTPConnection:
        # uvicorn closes a keep-alive connection idle for 5 s; a browser then opens a new one
        # without showing an error. A client idle that long (between the set-up and the first
        # phase) does the same instead of writing into a closed socket.
        if self.conn is not None and time.monotonic() - self.used > IDLE_RECONNECT_SECONDS:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        files: dict | None = None,
        expect: int | tuple[int, ...] = 200,
        write: str = "",
    ) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: bytes | None = None
        if files:
            boundary = uuid.uuid4().hex
            body = multipart(form or {}, files, boundary)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            self.recorder.error(self.kind, f"{method} {path}: {type(exc).__name__}: {exc}")
            raise StepFailed(str(exc)) from exc
        elapsed = time.perf_counter() - began
        self.used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                if morsel.value:
                    self.cookies[key] = morsel.value
                else:
                    self.cookies.pop(key, None)
        text = content.decode("utf-8", "replace")
        wanted = (expect,) if isinstance(expect, int) else expect
        if not 200 <= response.status < 400 or response.status not in wanted:
            self.recorder.error(
                self.kind, f"{method} {path.split('?')[0]} → {response.status}: {text[:200]}"
            )
            raise StepFailed(f"{method} {path} → {response.status}")
        self.recorder.request(self.kind, elapsed, write)
        return response.status, response.headers.get("Location", ""), text

    def fail(self, what: str) -> StepFailed:
        self.recorder.error(self.kind, what)
        return StepFailed(what)

    def token(self, html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            raise self.fail("no CSRF token on the page")
        return found.group(1)

    def login(self, username: str) -> None:
        _, _, page = self.request("GET", "/can-bo/dang-nhap/")
        form = {"csrfmiddlewaretoken": self.token(page), "username": username}
        form["password"] = DEMO_PASSWORD
        _, location, _ = self.request("POST", "/can-bo/dang-nhap/", form=form, expect=302)
        if "dang-nhap" in location:
            raise self.fail(f"login of {username} went to {location}")


def multipart(fields: dict, files: dict, boundary: str) -> bytes:
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + str(item).encode()
                + b"\r\n"
            )
    for name, (filename, content_type, content) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class FormFields(HTMLParser):
    """Every field of a page's form with a plausible answer, and its file inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.files: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if name == "pledge" or name.endswith("_paper"):
                    self.fields[name] = a.get("value") or "on"
            elif kind == "radio":
                self.fields.setdefault(name, a.get("value", ""))
            elif kind == "file":
                self.files.append(name)
            else:
                self.fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.fields.setdefault(self._select, a["value"])
        elif tag == "textarea" and name:
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


# --- the clients -------------------------------------------------------------------------------


class Work:
    """Dossiers waiting for each workflow step; one client holds a dossier at a time."""

    def __init__(self, seeded: dict[str, list[str]]):
        self.lock = threading.Lock()
        self.waiting = {status: collections.deque(codes) for status, codes in seeded.items()}

    def put(self, status: str, code: str) -> None:
        with self.lock:
            self.waiting.setdefault(status, collections.deque()).append(code)

    def take(self, statuses: list[str]) -> tuple[str, str] | None:
        with self.lock:
            for status in statuses:
                if self.waiting.get(status):
                    return status, self.waiting[status].popleft()
        return None


SCAN = b"%PDF-1.4\n% ban chup giay chung sinh\n" + bytes(range(256)) * 800  # as intake_lock


class Client:
    def __init__(self, role: str, port: int, recorder: Recorder, context: dict, index: int):
        self.role, self.context, self.index = role, context, index
        kind = role.split(":")[0]
        self.kind = kind
        self.browser = Browser(port, kind, recorder)
        self.second: Browser | None = None  # the dashboard client's provincial officer
        self.recorder = recorder
        self.turn = index

    # Before the clock: sign in, activate.
    def prepare(self) -> None:
        if self.kind == "officer":
            self.browser.login(OFFICERS[self.role.split(":")[1]])
        elif self.kind == "dashboard":
            self.browser.login("lanhdao")
            self.second = Browser(self.browser.port, "dashboard", self.recorder)
            self.second.login("tinh")
        elif self.kind == "kiosk":
            page = self.browser.request("GET", "/kiosk/kich-hoat/")[2]
            code = self.context["activation_codes"][self.context["kiosk_numbers"][self.index]]
            form = {"csrfmiddlewaretoken": self.browser.token(page), "code": code}
            self.browser.request("POST", "/kiosk/kich-hoat/", form=form, expect=302)

    def run(self, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            try:
                getattr(self, f"step_{self.kind}")()
            except StepFailed:
                time.sleep(0.05)  # the error is recorded; a refused connection must not spin
            self.turn += 1
        self.browser.close()
        if self.second is not None:
            self.second.close()

    def step_lookup(self) -> None:
        paths = self.context["lookup_paths"]
        self.browser.request("GET", paths[self.turn % len(paths)])

    def step_dashboard(self) -> None:
        if self.turn % 2:
            self.browser.request("GET", "/can-bo/bao-cao/")
        else:
            self.second.request("GET", "/can-bo/bao-cao/tinh/")
        self.recorder.operation("dashboard pages")

    def step_kiosk(self) -> None:
        b = self.browser
        page = b.request("GET", "/kiosk/")[2]
        scan = {"csrfmiddlewaretoken": b.token(page), "scan": QR_PAYLOAD}
        b.request("POST", "/kiosk/the/", form=scan, expect=302)
        b.request("GET", "/kiosk/thu-tuc/?q=" + quote_plus("khai sinh"))
        form_path = f"/kiosk/to-khai/{BIRTH}/"
        parser = FormFields()
        parser.feed(b.request("GET", form_path)[2])
        if not parser.files:
            raise b.fail("no file input on the birth registration form")
        fields = {**parser.fields, **BIRTH_ANSWERS}
        # The first component arrives as the scan, the others are ticked as brought on paper.
        fields.pop(parser.files[0].replace("_file", "_paper"), None)
        files = {parser.files[0]: ("giay-chung-sinh.pdf", "application/pdf", SCAN)}
        _, location, _ = b.request("POST", form_path, form=fields, files=files, expect=302)
        if not location.endswith("/kiosk/xac-nhan/"):
            raise b.fail(f"the form went to {location}, not to the confirmation")
        review = b.request("GET", "/kiosk/xac-nhan/")[2]
        key = re.search(r'name="submit_key" value="([0-9a-f]+)"', review)
        if not key:
            raise b.fail("no submit key on the confirmation screen")
        confirm = {"csrfmiddlewaretoken": b.token(review), "submit_key": key.group(1)}
        b.request("POST", "/kiosk/xac-nhan/", form=confirm, expect=302, write="confirmation POST")
        done = b.request("GET", "/kiosk/phieu-hen/")[2]
        code = CODE_ON_SLIP.search(done)
        if not code:
            raise b.fail("no dossier code on the slip")
        self.context["work"].put("submitted", code.group(1))
        self.recorder.operation("kiosk submissions")
        b.request(
            "POST", "/kiosk/ket-thuc/", form={"csrfmiddlewaretoken": b.token(done)}, expect=302
        )

    def step_officer(self) -> None:
        b, role = self.browser, self.role.split(":")[1]
        statuses = [s for s, (who, _, _) in STEPS.items() if who == role]
        # Alternate which of the role's queues comes first, so neither starves.
        if self.turn % 2:
            statuses.reverse()
        b.request("GET", "/can-bo/")
        taken = self.context["work"].take(statuses)
        if taken is None:
            time.sleep(IDLE_SECONDS)
            return
        status, code = taken
        _, action, next_status = STEPS[status]
        page_path = f"/can-bo/ho-so/{code}/"
        try:
            page = b.request("GET", page_path)[2]
            action_path = f"/can-bo/ho-so/{code}/thao-tac/{action}/"
            form_at = page.find(f'action="{action_path}"')
            if form_at < 0:
                raise b.fail(f"no “{action}” form for a dossier in status {status}")
            seen = re.search(r'name="seen_seq" value="(\d+)"', page[form_at:])
            form = {"csrfmiddlewaretoken": b.token(page[form_at:]), "note": ""}
            form["seen_seq"] = seen.group(1) if seen else "0"
            if action == "assign":
                form.update(unit_id=self.context["unit_id"], user_id=self.context["specialist_id"])
            if action == "return_result":
                form["delivery"] = "at_center"
            _, location, _ = b.request(
                "POST", action_path, form=form, expect=302, write="action POST"
            )
            if not location.endswith(page_path):
                raise b.fail(f"“{action}” went to {location}")
            b.request("GET", page_path)
        except StepFailed:
            self.context["work"].put(status, code)  # another try later, by whoever comes
            raise
        self.recorder.operation(f"{action}")
        self.recorder.operation("officer actions")
        if next_status in STEPS:
            self.context["work"].put(next_status, code)


# --- one engine --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def roster(clients: int) -> list[str]:
    return [ROSTER[i % len(ROSTER)] for i in range(clients)]


def run_phase(clients: list[Client], seconds: float) -> float:
    """All clients for SECONDS; an operation under way at the end is finished, not cut."""
    began = time.monotonic()
    threads = [
        threading.Thread(target=c.run, args=(began + seconds,), daemon=True) for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 5 * TIMEOUT)
    return time.monotonic() - began


def start_server(env: dict, workers: int, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            raise SystemExit(f"motcua serve --workers {workers} exited {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            conn.request("GET", "/thu-tuc/?q=khai+sinh")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not answer in time")
        time.sleep(0.25)


def stop_server(server: subprocess.Popen) -> float:
    stopped = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        server.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    return time.monotonic() - stopped


def database_activity(base: str, database: str) -> dict[str, float]:
    """PostgreSQL's own counters for the database: sessions opened (ended ones included) and
    the time its backends spent executing statements."""
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("select pg_stat_clear_snapshot()")
        sessions, active_ms, commits = conn.execute(
            "select sessions, active_time, xact_commit from pg_stat_database where datname = %s",
            [database],
        ).fetchone()
    return {"sessions": sessions, "active_s": active_ms / 1000, "commits": commits}


def setup_installation(env: dict, options: dict) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--setup-child", json.dumps(options)],
        env={**env, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT / 'bench'}"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("SETUP ")]
    if run.returncode or not lines:
        sys.exit(f"set-up failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("SETUP "))


def run_engine(engine: str, args, lookup_paths: list[str]) -> dict:
    kinds = roster(args.clients)
    kiosks = [i for i, role in enumerate(kinds) if role == "kiosk"]
    tmp = Path(tempfile.mkdtemp(prefix=f"motcua-http-{engine}-"))
    database = ""
    server = None
    try:
        var_dir = tmp / "var"
        var_dir.mkdir(mode=0o700)
        if engine == "postgresql":
            name = f"bench_http_{os.getpid()}"
            admin_sql(args.pg, f'drop database if exists "{name}" with (force)')
            admin_sql(args.pg, f'create database "{name}"')
            database = name
        env = installation_env(var_dir, f"{args.pg}/{database}" if database else "")
        started = time.monotonic()
        setup = setup_installation(
            env,
            {
                "kiosks": len(kiosks),
                "seed_dossiers": args.seed_dossiers,
                "demo_dossiers": args.demo_dossiers,
            },
        )
        setup_seconds = time.monotonic() - started
        recorder = Recorder()
        context = {
            **setup,
            "work": Work(setup["seeded"]),
            "lookup_paths": lookup_paths,
            "kiosk_numbers": {index: n for n, index in enumerate(kiosks)},
        }
        port = free_port()
        with open(tmp / "serve.log", "wb") as log:
            server = start_server(env, args.workers, port, log)
            clients = [Client(role, port, recorder, context, i) for i, role in enumerate(kinds)]
            for client in clients:
                client.prepare()
            run_phase(clients, args.warmup)  # caches, plans, every worker's first requests
            tree = process_tree(server.pid)
            cpu_before = cpu_seconds(tree)
            db_before = database_activity(args.pg, database) if database else {}
            own_before = resource.getrusage(resource.RUSAGE_SELF)
            load_before = os.getloadavg()
            recorder.on = True
            elapsed = run_phase(clients, args.seconds)
            recorder.on = False
            server_cpu = cpu_seconds(tree) - cpu_before
            if database:
                time.sleep(1.0)  # backends report their statistics at most once a second
                db_after = database_activity(args.pg, database)
                db = {k: round(db_after[k] - db_before[k], 1) for k in db_after}
            own_after = resource.getrusage(resource.RUSAGE_SELF)
            load_after = os.getloadavg()
            stop_seconds = stop_server(server)
            server = None
        total = sum(len(v) for v in recorder.latencies.values())
        result = {
            "engine": engine,
            "workers": args.workers,
            "clients": dict(collections.Counter(k.split(":")[0] for k in kinds)),
            "seconds": round(elapsed, 1),
            "setup_seconds": round(setup_seconds),
            "dossiers_before": setup["dossiers"],
            "kinds": {},
            "operations": dict(recorder.operations),
            "errors": sum(recorder.errors.values()),
            "warmup_errors": recorder.warmup_errors,
            "error_samples": dict(recorder.samples),
            "requests": total,
            "server_cpu_s": round(server_cpu, 1),
            "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, total), 1),
            "postgresql": db if database else None,
            "client_cpu_s": round(
                own_after.ru_utime + own_after.ru_stime - own_before.ru_utime - own_before.ru_stime,
                1,
            ),
            "loadavg_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            "stop_s": round(stop_seconds, 1),
        }
        for kind in sorted(recorder.latencies, key=lambda k: (KINDS.index(k.split(":")[0]), k)):
            values = sorted(recorder.latencies[kind])
            result["kinds"][kind] = {
                "requests": len(values),
                "errors": recorder.errors.get(kind, 0),
                "rps": round(len(values) / elapsed, 2),
                "p50_ms": round(1000 * percentile(values, 0.50), 1),
                "p99_ms": round(1000 * percentile(values, 0.99), 1),
                "max_ms": round(1000 * values[-1], 1),
            }
        for kind in KINDS:  # a kind that made no request is a result too (the smoke test's)
            result["kinds"].setdefault(
                kind, {"requests": 0, "errors": recorder.errors.get(kind, 0)}
            )
        return result
    finally:
        if server is not None:
            stop_server(server)
        if database:
            admin_sql(args.pg, f'drop database if exists "{database}" with (force)')
        shutil.rmtree(tmp, ignore_errors=True)


# --- report ------------------------------------------------------------------------------------


# What one operation of each kind is, for the throughput column.
UNITS = {
    "kiosk": "kiosk submissions",
    "officer": "officer actions",
    "dashboard": "dashboard pages",
    "lookup": "lookups",
}


def pgbench_latency_ms(yardstick) -> float:
    """pgbench's own "latency average" with its 4 clients and no rate limit: 4 / TPS."""
    return 1000 * PGBENCH_CLIENTS / yardstick.tps


PGBENCH_CLIENTS = 4  # pgbench_ratio.py runs -c 4


def markdown(results: list[dict], yardstick) -> list[str]:
    def ratio(per_second: float) -> str:
        return f"{yardstick.ratio(per_second):.4f}" if yardstick else "–"

    def times(ms: float) -> str:
        return f"{ms / pgbench_latency_ms(yardstick):.0f}×" if yardstick else "–"

    lines = [
        "| engine | kind | clients | requests | errors | req/s | ÷ TPS | p50 | p99 | "
        "p50, p99 ÷ pgbench latency | operations/s | ÷ TPS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, k in r["kinds"].items():
            if not k["requests"]:
                lines.append(f"| {r['engine']} | {kind} | | 0 | {k['errors']} | | | | | | | |")
                continue
            clients, ops = "", ""
            if kind in UNITS:
                clients = r["clients"].get(kind, 0)
                count = r["operations"].get(UNITS[kind], k["requests"])
                per_second = count / r["seconds"]
                ops = f"{per_second:.2f} {UNITS[kind]}/s | {ratio(per_second)}"
            else:
                ops = " | "
            lines.append(
                f"| {r['engine']} | {kind} | {clients} | {k['requests']:,} | {k['errors']} | "
                f"{k['rps']:.1f} | {ratio(k['rps'])} | {k['p50_ms']:,.0f} ms | "
                f"{k['p99_ms']:,.0f} ms | {times(k['p50_ms'])}, {times(k['p99_ms'])} | {ops} |"
            )
        all_rps = r["requests"] / r["seconds"]
        pg_cpu = ""
        if r.get("postgresql"):
            pg = r["postgresql"]
            pg_cpu = (
                f"; PostgreSQL: {pg['sessions']:,.0f} sessions opened, "
                f"{pg['active_s']} s executing statements"
            )
        lines.append(
            f"| {r['engine']} | **all** | {sum(r['clients'].values())} | {r['requests']:,} | "
            f"{r['errors']} | {all_rps:.1f} | {ratio(all_rps)} | | | | server CPU "
            f"{r['server_cpu_s']} s in {r['seconds']} s, {r['server_cpu_ms_per_request']} "
            f"ms/request{pg_cpu} | |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--pg", default=PG_DEFAULT, help='PostgreSQL server; "" for none')
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--demo-dossiers", type=int, default=1500, help="0: no history")
    parser.add_argument("--seed-dossiers", type=int, default=20, help="per workflow step")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--setup-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_child:
        setup_child(json.loads(args.setup_child))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not set(engines) <= {"sqlite", "postgresql"} or not engines:
        parser.error("--engines: sqlite, postgresql or both")
    if "postgresql" in engines and not args.pg:
        parser.error("--engines postgresql needs --pg")
    if not (
        1 <= args.clients <= MAX_CLIENTS
        and 1 <= args.seconds <= MAX_SECONDS
        and 0 <= args.warmup <= 60
        and 1 <= args.workers <= MAX_WORKERS
        and 0 <= args.demo_dossiers <= 100_000
        and 1 <= args.seed_dossiers <= 1000
    ):
        parser.error(
            f"bounded: --clients 1..{MAX_CLIENTS}, --seconds 1..{MAX_SECONDS}, --warmup 0..60, "
            f"--workers 1..{MAX_WORKERS}, --demo-dossiers 0..100000, --seed-dossiers 1..1000"
        )
    if args.queries.exists():
        queries = [json.loads(line)["q"] for line in args.queries.read_text().splitlines() if line]
    else:
        queries = FALLBACK_QUERIES
    lookup_paths = paths_for(queries)
    random.Random(1).shuffle(lookup_paths)

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = os.getloadavg()
    yardstick = measure_yardstick(args.pg or None, args.pgbench_seconds)
    results = []
    for engine in engines:
        result = run_engine(engine, args, lookup_paths)
        if yardstick is not None:
            result["pgbench_tps"] = round(yardstick.tps, 1)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    load_end = os.getloadavg()
    print()
    print(f"date: {when}; {machine()}")
    if yardstick:
        print(f"{yardstick.line()}; latency {pgbench_latency_ms(yardstick):.2f} ms")
    else:
        print("pgbench: none in this run")
    print(
        f"load average at the start {' / '.join(f'{x:.2f}' for x in load_start)}, "
        f"at the end {' / '.join(f'{x:.2f}' for x in load_end)}"
    )
    print(
        f"motcua serve --workers {args.workers}; {args.clients} clients; {args.seconds:g} s "
        f"after {args.warmup:g} s warm-up"
    )
    print()
    print("\n".join(markdown(results, yardstick)))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": when,
                    "pgbench_tps": yardstick.tps if yardstick else None,
                    "pgbench_latency_ms": pgbench_latency_ms(yardstick) if yardstick else None,
                    "results": results,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    if any(r["errors"] or r["warmup_errors"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
