"""Call-to-display latency of the calling display with many TVs connected (issue 11).

Usage (each run starts from an empty database it owns; never the test database):

    .venv/bin/python bench/queue_display.py --database-url sqlite:////tmp/display.sqlite3
    .venv/bin/python bench/queue_display.py --database-url postgres://postgres@127.0.0.1:5432/display_bench
    .venv/bin/python bench/queue_display.py --database-url postgres://… --workers 2

What runs:

- the server: with ``--workers 1`` (default) uvicorn with ``motcua.asgi`` in a thread of this
  process, which is also where the officer's calls are made, as on ``scripts/run`` where the
  officer's request and the TVs' streams share one process (SQLite: in-process fan-out;
  PostgreSQL: NOTIFY to this process's listener). With ``--workers N`` the real
  ``motcua serve --workers N`` in a subprocess (gunicorn, uvicorn workers), the calls made here,
  in another process: every message crosses PostgreSQL's LISTEN/NOTIFY.
- ``--clients`` (50) event-stream connections on loopback, in a separate process (asyncio,
  raw HTTP/1.1), each parsing the stream.
- ``--calls`` (200) calls, one every ``--interval`` s (0.1): ``call_next`` then ``skip`` on a
  counter, each in its own ``transaction.atomic()``, as the counter screen does.

Latency of a call = from just before the officer's transaction starts to the moment a display
connection has parsed the event (wall clock, same machine); p50/p99/max over every (call,
connection) pair, and whether every connection received every call exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.00.77.H45"


def configure(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["MOTCUA_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    if name in {"test", "test_test"} or name.startswith("test_"):
        sys.exit("Không dùng cơ sở dữ liệu test cho benchmark.")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def prepare(calls: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from motcua.centers.models import Center, StaffMembership
    from motcua.queue import services
    from motcua.queue.models import Counter, ServiceArea
    from motcua.queue.states import Source

    call_command("migrate", verbosity=0, interactive=False)
    center = Center.objects.create(
        agency_code=AGENCY,
        name="Trung tâm Phục vụ hành chính công xã Thử Tải",
        commune="Xã Thử Tải",
        province="Tỉnh Phú Thọ",
    )
    area = ServiceArea.objects.create(
        center=center, code="ho-tich", name="Hộ tịch – Chứng thực", first_number=1001
    )
    counter = Counter.objects.create(center=center, number=1)
    counter.areas.add(area)
    officer = get_user_model().objects.create_user("quay1", password=secrets.token_urlsafe(16))
    StaffMembership.objects.create(user=officer, center=center, role="reception")
    with transaction.atomic():
        for _ in range(calls):
            services.issue_ticket(
                center=center,
                area=area,
                source=Source.KIOSK,
                now=timezone.now(),
                actor="bench",
                check_open=False,
            )
        services.open_counter(counter, officer=officer, now=timezone.now())
    return counter, officer


# --- the display connections (a separate process) --------------------------------------------


async def _client(host: str, port: int, path: str, ready, received: list, stop: asyncio.Event):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n", 1)[0], head
    chunked = b"transfer-encoding: chunked" in head.lower()
    buffer = b""
    hello = False
    while not stop.is_set():
        if chunked:
            size_line = await reader.readline()
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                break
            chunk = await reader.readexactly(size + 2)
            buffer += chunk[:-2]
        else:
            data = await reader.read(65536)
            if not data:
                break
            buffer += data
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            if not hello:
                hello = True
                ready()
            if b"event: ticket" not in block:
                continue
            at = time.time()
            for line in block.split(b"\n"):
                if line.startswith(b"data: "):
                    message = json.loads(line[6:])
                    if message["kind"] == "call":
                        received.append((message["id"], at))
    writer.close()


def clients_process(host, port, path, count, conn) -> None:
    async def main():
        received: list[list] = [[] for _ in range(count)]
        stop = asyncio.Event()
        opened = 0

        def ready():
            nonlocal opened
            opened += 1
            if opened == count:
                conn.send("ready")

        tasks = [
            asyncio.ensure_future(_client(host, port, path, ready, received[i], stop))
            for i in range(count)
        ]
        while not conn.poll():
            await asyncio.sleep(0.05)
        conn.recv()
        await asyncio.sleep(1.0)  # the last calls' messages
        stop.set()
        for task in tasks:
            task.cancel()
        conn.send(received)

    asyncio.run(main())


# --- the servers ----------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_thread_server(port: int):
    import uvicorn

    from motcua.asgi import application

    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return lambda: (setattr(server, "should_exit", True), thread.join(10))


def start_process_server(port: int, workers: int):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import http.client

    deadline = time.monotonic() + 120
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"/hang-doi/{AGENCY}/man-hinh/trang-thai/")
            if conn.getresponse().status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            sys.exit("the server did not start")
        time.sleep(0.5)

    def stop():
        import signal

        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)

    return stop


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    fresh_database(args.database_url)
    var_dir = tempfile.mkdtemp(prefix="motcua-display-bench-")
    configure(args.database_url, var_dir)
    from django.db import connection, transaction
    from django.utils import timezone

    from motcua.queue import services

    if args.workers > 1 and connection.vendor != "postgresql":
        sys.exit("--workers > 1 needs PostgreSQL (SQLite runs the display in one process).")
    counter, officer = prepare(args.calls)
    port = free_port()
    if args.workers > 1:
        stop_server = start_process_server(port, args.workers)
    else:
        stop_server = start_thread_server(port)

    parent, child = multiprocessing.Pipe()
    path = f"/hang-doi/{AGENCY}/man-hinh/su-kien/"
    clients = multiprocessing.get_context("spawn").Process(
        target=clients_process, args=("127.0.0.1", port, path, args.clients, child)
    )
    clients.start()
    if not parent.poll(60):
        sys.exit("the display connections did not open")
    parent.recv()
    time.sleep(0.5)

    started: dict[int, float] = {}
    for _ in range(args.calls):
        t0 = time.time()
        with transaction.atomic():
            ticket = services.call_next(counter, officer=officer, now=timezone.now())
        event_id = ticket.events.filter(action="call").values_list("pk", flat=True).get()
        started[event_id] = t0
        with transaction.atomic():
            services.act_on_ticket(
                ticket, "skip", counter=counter, officer=officer, now=timezone.now()
            )
        time.sleep(args.interval)
    parent.send("stop")
    received = parent.recv()
    clients.join(30)
    stop_server()

    latencies = [
        (at - started[event_id]) * 1000
        for per_client in received
        for event_id, at in per_client
        if event_id in started
    ]
    complete = all(sorted(e for e, _ in per_client) == sorted(started) for per_client in received)
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"database: {connection.vendor}, server: {'thread' if args.workers == 1 else 'serve'}")
    print(f"workers: {args.workers}, clients: {args.clients}, calls: {args.calls}")
    print(f"deliveries: {len(latencies)} of {args.clients * args.calls}, complete: {complete}")
    if latencies:
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        print(
            f"call-to-display ms: p50 {p50:.1f}  p99 {p99:.1f}  "
            f"max {max(latencies):.1f}  mean {statistics.mean(latencies):.1f}"
        )


if __name__ == "__main__":
    main()
