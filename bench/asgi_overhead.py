"""CPU of one request through Django's ASGIHandler and through motcua's (issue 10).

Usage: .venv/bin/python bench/asgi_overhead.py [--path /kiosk/kich-hoat/] [--count 300]

Both handlers run in this process on a throw-away SQLite installation (no server, no HTTP
parsing: the ASGI application is called with a scope, as uvicorn calls it). A small page that
runs every middleware and needs no database is asked ``--count`` times per round, three rounds,
alternating the handlers; the median CPU time (``time.process_time``, every thread of this
process) per request of each round is printed. The difference is what the handler itself
costs: thread hand-offs, the middleware chain's mode, a new thread per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from setup_db import configure


async def call(app, path: str, *, host: str = "testserver") -> int:
    """One GET through ``app`` as uvicorn would call it (``path`` may carry a query string);
    the response's status. Also used by bench/lookup_cpu.py."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", host.encode()), (b"accept-encoding", b"identity")],
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
    }
    status = []
    done = False

    async def receive():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def measure(app, path: str, count: int) -> float:
    cpu = []
    for _ in range(count):
        started = time.process_time()
        assert await call(app, path) == 200
        cpu.append((time.process_time() - started) * 1000)
    return statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/kiosk/kich-hoat/")
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="motcua-asgi-overhead-")
    configure(f"sqlite:///{var_dir}/db.sqlite3", var_dir, ALLOWED_HOSTS="testserver")
    from django.core.handlers.asgi import ASGIHandler

    from motcua.core.asgi_handler import MotcuaASGIHandler

    handlers = {"django ASGIHandler": ASGIHandler(), "MotcuaASGIHandler": MotcuaASGIHandler()}
    results: dict[str, list[float]] = {name: [] for name in handlers}
    for _ in range(3):
        for name, app in handlers.items():
            asyncio.run(measure(app, args.path, 50))  # warm
            results[name].append(asyncio.run(measure(app, args.path, args.count)))
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}, "
        f"GET {args.path}, {args.count} requests per round"
    )
    for name, values in results.items():
        print(
            f"{name:20s} CPU ms per request (median of each round): "
            + ", ".join(f"{v:.2f}" for v in values)
        )


if __name__ == "__main__":
    main()
