"""A province on one machine: PgBouncer, two app servers and nginx, all on loopback.

The shape of docs/deploy.md ("A province on several app servers"), started for real:

    nginx (round-robin, X-Forwarded-For) → motcua serve --workers 2 on two ports
        → PgBouncer (transaction mode) → a throwaway PostgreSQL database

Used by tests/deploy/test_province_shape.py and bench/province_load.py. Every process runs in a
session of its own and is stopped in ``close()`` (SIGTERM, then SIGKILL after a bounded wait);
the database and the temporary directories are removed there too, whatever failed before.
nginx adds ``X-Upstream`` (the app server that answered) to every response so a client can tell
which server it reached.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def find_tool(name: str) -> str | None:
    """nginx and pgbouncer live in /usr/sbin, which is not on an ordinary user's PATH."""
    found = shutil.which(name)
    if found:
        return found
    for directory in SBIN:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def missing() -> str:
    """Why the province cannot be started here ("" when it can)."""
    if not postgres_url():
        return "needs PostgreSQL (DATABASE_URL=postgres://…); this run uses SQLite"
    absent = [tool for tool in ("nginx", "pgbouncer") if find_tool(tool) is None]
    if absent:
        return f"{' and '.join(absent)} not installed (scripts/setup --with-browser installs them)"
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "gunicorn not installed"
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited {process.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.args[0]} did not listen on {port}:\n{tail(log)}")
        time.sleep(0.2)


def tail(path: Path, size: int = 3000) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-size:]
    return ""


def _admin(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


# --- configuration files (docs/deploy.md shows the same) ----------------------------------


def pgbouncer_ini(*, database: str, pg_host: str, pg_port: int, port: int, directory: Path) -> str:
    return f"""\
[databases]
{database} = host={pg_host} port={pg_port} dbname={database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
; A server connection serves one transaction at a time, then goes back to the pool.
pool_mode = transaction
; Two app servers x 2 workers x Django's connections per worker thread: many clients,
; few PostgreSQL backends.
max_client_conn = 400
default_pool_size = 12
; psycopg sends it at connect; PgBouncer would refuse the client otherwise.
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
"""


def nginx_conf(*, port: int, upstreams: list[int], directory: Path, user: str = "") -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
{user}worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}

http {{
    log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {directory / "access.log"} upstream;
{temp}

    upstream motcua {{
        # Round-robin (nginx's default): any server answers any request.
{servers}
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;

        location / {{
            proxy_pass http://motcua;
            proxy_http_version 1.1;
            proxy_set_header Connection        "";
            proxy_set_header Host              $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For   $remote_addr;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
        location ~ ^/hang-doi/[^/]+/man-hinh/su-kien/$ {{
            proxy_pass http://motcua;
            proxy_http_version 1.1;
            proxy_set_header Connection        "";
            proxy_set_header Host              $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For   $remote_addr;
            proxy_buffering off;
            proxy_read_timeout 1h;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


# --- the province ---------------------------------------------------------------------------


class Province:
    """Start with ``start()``, always ``close()`` (or use it as a context manager)."""

    def __init__(
        self, *, kiosks: int = 4, workers: int = 2, servers: int = 2, setup_code: str = ""
    ) -> None:
        self.kiosks = kiosks
        # More Python for the set-up process (Django set up, after the demo data): a test's
        # own rows without the seconds of another Django start-up.
        self.setup_code = setup_code
        self.workers = workers
        self.server_count = servers
        self.processes: list[subprocess.Popen] = []
        self.database = f"motcua_province_{os.getpid()}_{secrets.token_hex(3)}"
        self.database_created = False
        # Not pytest's tmp_path: PgBouncer and nginx's workers drop root for "nobody", who must
        # read their files and write nginx's temporary files.
        self.directory = Path(tempfile.mkdtemp(prefix="motcua-province-"))
        self.directory.chmod(0o755)
        self.secret_key = secrets.token_urlsafe(50)
        self.activation_codes: list[str] = []
        self.server_ports: list[int] = []
        self.nginx_port = 0
        self.bouncer_port = 0
        self.extra_env: dict[str, str] = {}
        self.timings: dict[str, float] = {}  # seconds per start-up phase

    def __enter__(self) -> Province:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- URLs and environments

    @property
    def direct_url(self) -> str:
        """PostgreSQL itself, for the display's LISTEN connection (PgBouncer cannot carry it)."""
        return urlunsplit(urlsplit(postgres_url())._replace(path=f"/{self.database}"))

    @property
    def bouncer_url(self) -> str:
        parts = urlsplit(postgres_url())
        user = parts.username or "postgres"
        return f"postgres://{user}@127.0.0.1:{self.bouncer_port}/{self.database}"

    def env(self, name: str = "app") -> dict[str, str]:
        """The same settings on every server (docs/deploy.md); only var/ is the server's own."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
        var_dir = self.directory / f"var-{name}"
        var_dir.mkdir(mode=0o700, exist_ok=True)
        env.update(
            DJANGO_SETTINGS_MODULE="motcua.settings",
            PYTHONPATH=os.pathsep.join([str(SRC), str(ROOT)]),
            PYTHONWARNINGS="ignore",
            LOG_LEVEL="WARNING",
            MOTCUA_DEMO="1",
            MOTCUA_VAR_DIR=str(var_dir),
            # One embedding cache for the run: the second server reads what the first computed.
            MOTCUA_SEARCH_CACHE_DIR=str(self.directory / "search-cache"),
            SECRET_KEY=self.secret_key,
            DATABASE_URL=self.bouncer_url,
            DB_DISABLE_SERVER_SIDE_CURSORS="1",
            MOTCUA_LISTEN_DATABASE_URL=self.direct_url,
            MOTCUA_TRUSTED_PROXIES="127.0.0.1",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # Notices wait for `motcua notices send` (the test runs it on both servers at once).
            MOTCUA_NOTICES_DELIVERY="cron",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.directory / "mail"),
        )
        env.update(self.extra_env)
        return env

    def motcua(self, *args: str, name: str = "app", timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "motcua", *args],
            env=self.env(name),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"motcua {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return done.stdout

    def python(self, code: str, *, extra: dict | None = None, timeout: float = 60) -> str:
        """Run Python with Django set up on the province's settings (through PgBouncer)."""
        done = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            env={**self.env(), **(extra or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"python exited {done.returncode}:\n{done.stderr}")
        return done.stdout

    # -- start and stop

    def _spawn(self, args: list[str], log_name: str, **kwargs) -> tuple[subprocess.Popen, Path]:
        log = self.directory / log_name
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                args,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: close() reaps its children
                **kwargs,
            )
        self.processes.append(process)
        return process, log

    def start(self) -> None:
        began = time.monotonic()

        def phase(name: str) -> None:
            nonlocal began
            self.timings[name] = round(time.monotonic() - began, 1)
            began = time.monotonic()

        with _admin(postgres_url()) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.database_created = True
        self.start_bouncer()
        phase("database and pgbouncer")
        # One process (Django's start-up costs seconds on a busy machine), through PgBouncer:
        # migrate, the national catalog, the demo center, kiosks and a queue with 12 waiting.
        out = self.python(
            "import json, io\n"
            "from django.core.management import call_command\n"
            "from tests.durability.probe import prepare\n"
            f"codes = prepare({self.kiosks})\n"
            "call_command('queue', 'demo', '--waiting', '12', stdout=io.StringIO())\n"
            "print(json.dumps(codes))\n" + self.setup_code,
            timeout=240,
        )
        self.activation_codes = json.loads(out.strip().splitlines()[-1])["activation_codes"]
        phase("migrate, catalog, demo center, kiosks, queue")
        self.server_ports = [free_port() for _ in range(self.server_count)]
        servers = []
        for index, port in enumerate(self.server_ports):
            args = [sys.executable, "-m", "motcua", "serve", "--port", str(port)]
            args += ["--workers", str(self.workers)] if self.workers > 1 else []
            servers.append(
                self._spawn(args, f"server-{index}.log", env=self.env(f"server-{index}"), cwd=ROOT)
            )
        for (process, log), port in zip(servers, self.server_ports, strict=True):
            wait_for_port(port, process, log, START_TIMEOUT)
            wait_for_answer(port, process, log)
        phase("app servers")
        self.start_nginx()
        phase("nginx")

    def start_bouncer(self) -> None:
        pg = urlsplit(postgres_url())
        self.bouncer_port = free_port()
        user = pg.username or "postgres"
        # Clients are trusted on loopback; PgBouncer logs in to PostgreSQL with the suite's
        # password (CI's DATABASE_URL may carry one).
        password = unquote(pg.password or "").replace('"', '""')
        (self.directory / "userlist.txt").write_text(f'"{user}" "{password}"\n')
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(
            pgbouncer_ini(
                database=self.database,
                pg_host=pg.hostname or "127.0.0.1",
                pg_port=pg.port or 5432,
                port=self.bouncer_port,
                directory=self.directory,
            )
        )
        # Readable by PgBouncer once it has dropped root for "nobody"; the directory is ours and
        # removed at close().
        for path in (ini, self.directory / "userlist.txt"):
            path.chmod(0o644)
        args = [find_tool("pgbouncer") or "pgbouncer"]
        if os.geteuid() == 0:
            args += ["-u", "nobody"]  # PgBouncer refuses to run as root
        process, log = self._spawn([*args, str(ini)], "pgbouncer.log")
        wait_for_port(self.bouncer_port, process, log, 15)

    def start_nginx(self) -> None:
        self.nginx_port = free_port()
        directory = self.directory / "nginx"
        directory.mkdir()
        directory.chmod(0o777)  # nginx's worker ("nobody" under root) writes temporary files
        conf = directory / "nginx.conf"
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        conf.write_text(
            nginx_conf(
                port=self.nginx_port, upstreams=self.server_ports, directory=directory, user=user
            )
        )
        args = [find_tool("nginx") or "nginx", "-p", str(directory), "-c", str(conf)]
        process, log = self._spawn([*args, "-e", "stderr", "-g", "daemon off;"], "nginx.log")
        wait_for_port(self.nginx_port, process, log, 15)

    def close(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in reversed(self.processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # The group too: a worker that outlived its master.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self.processes.clear()
        if self.database_created:
            with _admin(postgres_url()) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database_created = False
        shutil.rmtree(self.directory, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{tail(path, 1500)}" for path in sorted(self.directory.glob("*.log"))
        )


def wait_for_answer(port: int, process: subprocess.Popen, log: Path) -> None:
    """The port opens before the workers have built their search index: ask a page."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited {process.returncode}:\n{tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/thu-tuc/?q=khai+sinh")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise RuntimeError(f"server on {port} did not answer:\n{tail(log)}")
        time.sleep(0.3)


# --- a browser through nginx ----------------------------------------------------------------


class Browser:
    """Cookies, CSRF tokens, a source address of its own (127.0.0.x), and the app server that
    answered each request (nginx's X-Upstream)."""

    TIMEOUT = 20

    def __init__(self, port: int, address: str = "127.0.0.1") -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}
        self.upstreams: list[str] = []

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        from http.cookies import SimpleCookie

        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.TIMEOUT, source_address=(self.address, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        self.upstreams.append(response.headers.get("X-Upstream", ""))
        return response.status, response.headers.get("Location", ""), text

    @staticmethod
    def token(html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            raise AssertionError(f"no CSRF token on the page: {html[:300]}")
        return found.group(1)

    def post_form(self, path: str, data: dict, page: str | None = None):
        """GET the page for its CSRF token (from whichever server), then POST to it."""
        status, _, html = self.request("GET", page or path)
        assert status == 200, (status, html[:300])
        return self.request("POST", path, {"csrfmiddlewaretoken": self.token(html), **data})

    def post_again(self, path: str, data: dict, times: int) -> list[int]:
        """One GET for the CSRF token, then ``times`` POSTs with it: the POSTs alone alternate
        between the servers (a GET before each would put every POST on the same one)."""
        status, _, html = self.request("GET", path)
        assert status == 200, (status, html[:300])
        token = self.token(html)
        return [
            self.request("POST", path, {"csrfmiddlewaretoken": token, **data})[0]
            for _ in range(times)
        ]

    def log_in(self, username: str, password: str):
        return self.post_form("/can-bo/dang-nhap/", {"username": username, "password": password})
