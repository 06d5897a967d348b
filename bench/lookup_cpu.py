"""CPU time of one public lookup, and where it goes (issue 10).

Usage: .venv/bin/python bench/lookup_cpu.py [--rounds 3] [--profile 30]

In this process, on a throw-away SQLite installation (migrated, national catalog loaded), the
120 citizen questions of queries.dev.jsonl are asked as ``motcua serve`` is asked them by
``lookup_load.py``: the lookup page ``/thu-tuc/?q=...`` and the JSON API
``/api/v1/procedures?q=...``, through motcua's ASGI handler (a scope, as uvicorn calls it; no
HTTP parsing, no socket). One warm-up pass fills the finder's query-vector cache, as the load
bench's warm-up does; then each round prints the median CPU time (``time.process_time``: every
thread of the process) of a page and an API request through the ASGI handler and through
Django's test client (same middleware and views, one thread, no ASGI hop), and of its parts
called alone: the finder with the ORM (``find_published``), the engine's search, and a trivial
page (every middleware, no database).

``--profile N`` then runs N passes through the test client under cProfile and prints the
cumulative time of each phase (URL, finder, ORM, template, API items, JSON), each function's
own time summed by package, and ``--top`` functions by cumulative time. cProfile slows
pure-Python code far more than C code, so its milliseconds are larger than the real ones and
say where to look, not what a request costs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

from asgi_overhead import call
from lookup_load import DEFAULT_QUERIES
from setup_db import configure


async def measure(app, paths: list[str]) -> list[float]:
    cpu = []
    for path in paths:
        started = time.process_time()
        status = await call(app, path, host="127.0.0.1")
        cpu.append((time.process_time() - started) * 1000)
        assert status == 200, (path, status)
    return cpu


# Where a function's own time is counted, by the path of its file (first match wins).
BUCKETS = [
    ("motcua.search (finder, engine)", "/motcua/search/"),
    ("motcua other", "/motcua/"),
    ("django templates", "/django/template"),
    ("django ORM + sqlite3", "/django/db/"),
    ("django middleware, auth, sessions", "/django/contrib/"),
    ("django middleware, auth, sessions", "/django/middleware/"),
    ("django urls", "/django/urls/"),
    ("django i18n, utils", "/django/utils/"),
    ("django http, handlers, core", "/django/"),
    ("ninja + pydantic", "/ninja/"),
    ("ninja + pydantic", "/pydantic"),
    ("csp, axes, otp, whitenoise", "/csp/"),
    ("csp, axes, otp, whitenoise", "/axes/"),
    ("csp, axes, otp, whitenoise", "/django_otp/"),
    ("csp, axes, otp, whitenoise", "/whitenoise/"),
    ("numpy, tokenizer, onnx", "/numpy/"),
    ("numpy, tokenizer, onnx", "/tokenizers/"),
    ("numpy, tokenizer, onnx", "/onnxruntime/"),
    ("sqlite3 C calls", "sqlite3.Cursor"),
    ("sqlite3 C calls", "sqlite3.Connection"),
]


def tally(stats: pstats.Stats, requests: int) -> None:
    buckets: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        where = f"{filename}:{name}"
        bucket = next((b for b, key in BUCKETS if key in where), "python stdlib, builtins")
        buckets[bucket] = buckets.get(bucket, 0.0) + tottime
    total = sum(buckets.values())
    print(f"own time by package, ms per request (total {1000 * total / requests:.2f}):")
    for bucket, seconds in sorted(buckets.items(), key=lambda item: -item[1]):
        print(f"  {1000 * seconds / requests:6.2f}  {bucket}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="passes under cProfile")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="motcua-lookup-cpu-")
    configure(f"sqlite:///{var_dir}/db.sqlite3", var_dir, ALLOWED_HOSTS="127.0.0.1,testserver")
    os.environ.pop("MOTCUA_DEMO", None)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("catalog", "load")

    from motcua.core.asgi_handler import MotcuaASGIHandler

    queries = [json.loads(line)["q"] for line in args.queries.read_text().splitlines() if line]
    pages = [f"/thu-tuc/?q={quote_plus(q)}" for q in queries]
    apis = [f"/api/v1/procedures?q={quote_plus(q)}" for q in queries]
    app = MotcuaASGIHandler()
    asyncio.run(measure(app, pages + apis))  # warm: query vectors cached, templates compiled
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}, "
        f"{len(queries)} questions; CPU ms per call, median of each round:"
    )
    from django.test import Client

    from motcua.catalog.views import SEARCH_RESULTS, find_published
    from motcua.search.finder import get_finder

    client = Client(HTTP_HOST="127.0.0.1")
    engine = get_finder()
    parts = {
        "page, ASGI handler": lambda: asyncio.run(measure(app, pages)),
        "API, ASGI handler": lambda: asyncio.run(measure(app, apis)),
        "page, test client": lambda: timed(client.get, pages),
        "API, test client": lambda: timed(client.get, apis),
        "finder + ORM (find_published)": lambda: timed(
            lambda q: find_published(q, k=SEARCH_RESULTS), queries
        ),
        "engine.search alone": lambda: timed(lambda q: engine.search(q, k=SEARCH_RESULTS), queries),
        # Every middleware, a small template, no database: what any page costs.
        "trivial page, test client": lambda: timed(client.get, ["/kiosk/kich-hoat/"] * 120),
    }
    medians: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(args.rounds):
        for name, run in parts.items():
            medians[name].append(statistics.median(run()))
    for name, values in medians.items():
        print(f"  {name:32s}" + "".join(f"{v:7.2f}" for v in values))
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        count = 0
        profiler.enable()
        for _ in range(args.profile):
            for path in pages + apis:
                client.get(path)
                count += 1
        profiler.disable()
        stats = pstats.Stats(profiler)
        phases(stats, count)
        tally(stats, count)
        if args.top:
            stats.sort_stats("cumulative").print_stats(args.top)


def timed(call_one, items) -> list[float]:
    cpu = []
    for item in items:
        started = time.process_time()
        call_one(item)
        cpu.append((time.process_time() - started) * 1000)
    return cpu


# Cumulative time of the functions that mark a lookup's phases (file ending, function name).
PHASES = [
    ("whole request (handler.get_response)", "django/core/handlers/base.py", "get_response"),
    ("  view (url, view, template)", "django/core/handlers/base.py", "_get_response"),
    ("    url resolving", "django/urls/resolvers.py", "resolve"),
    ("    finder + ORM (find_published)", "motcua/catalog/views.py", "find_published"),
    ("      finder's catalog check", "motcua/search/finder.py", "get_finder"),
    ("      engine.search", "motcua/search/engine.py", "search"),
    ("      ORM (in_bulk)", "django/db/models/query.py", "in_bulk"),
    ("    page template (render)", "django/shortcuts.py", "render"),
    ("    API items (pydantic)", "motcua/catalog/api.py", "_item"),
    ("    API JSON (ninja create_response)", "ninja/main.py", "create_response"),
]


def phases(stats: pstats.Stats, requests: int) -> None:
    print(f"phases, cumulative ms per request under cProfile ({requests} requests):")
    for label, file_end, function in PHASES:
        seconds = sum(
            cumulative
            for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in (
                stats.stats.items()
            )
            if filename.endswith(file_end) and name == function
        )
        print(f"  {1000 * seconds / requests:6.2f}  {label}")


if __name__ == "__main__":
    main()
