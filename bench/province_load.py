"""The province shape under a short load: kiosk submissions and public lookups through nginx.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/province_load.py
           [--kiosks 4] [--lookups 4] [--seconds 20] [--workers 2] [--servers 2]

Starts what tests/deploy/province.py starts (issue 10, docs/deploy.md): a throwaway database on
the PostgreSQL server of DATABASE_URL behind PgBouncer in transaction mode, two app servers
(``motcua serve --workers N``; ``--servers 1`` for the comparison) and nginx balancing
round-robin, all on loopback. Then, for
SECONDS, KIOSKS closed-loop kiosk clients (each its own activated kiosk, the five steps of the
kiosk flow: card, procedure, form, confirmation, slip) and LOOKUPS closed-loop clients asking
the lookup page ``/thu-tuc/?q=…`` and the API with the citizen questions of queries.dev.jsonl,
all through nginx. Prints dossiers/s and the time of a whole submission, lookups/s and their
latency, errors, how the requests spread over the two servers, the dossier numbers' check (gapless
and unique), and the CPU seconds of the app servers, PgBouncer and nginx (user + system: the
cost, which depends little on what else runs on the machine, unlike wall time). Everything is
stopped and the database dropped at the end. Numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

# The kiosk client's card payload lives beside the kiosk tests, which import Django models.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
import django  # noqa: E402

django.setup()

from tests.deploy.province import Browser, Province, missing  # noqa: E402
from tests.durability.kiosk_client import KioskClient  # noqa: E402

DEFAULT_QUERIES = ROOT.parents[1] / "shared" / "data" / "queries.dev.jsonl"


class KioskBrowser(Browser, KioskClient):
    pass


def group_cpu(pgid: int) -> float:
    """User + system seconds of the live processes of one process group (a server's master and
    its workers)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(share * len(values)))]


def kiosk_loop(province: Province, index: int, stop_at: float, out: dict) -> None:
    client = KioskBrowser(province.nginx_port, f"127.0.0.{10 + index}")
    client.activate(province.activation_codes[index])
    codes, times, errors = [], [], []
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        try:
            client.fill_in()
            codes.append(client.confirm())
        except Exception as exc:  # a failed submission is a result, not a dead client
            errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
            continue
        times.append(time.perf_counter() - began)
    out[index] = {"codes": codes, "times": times, "errors": errors, "upstreams": client.upstreams}


def lookup_loop(port: int, paths: list[str], start: int, stop_at: float, out: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors, upstreams = [], 0, Counter()
    n = start
    while time.monotonic() < stop_at:
        path = paths[n % len(paths)]
        n += 1
        began = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        upstreams[response.headers.get("X-Upstream", "")] += 1
        if response.status == 200:
            latencies.append(time.perf_counter() - began)
        else:
            errors += 1
    connection.close()
    out[start] = {"latencies": latencies, "errors": errors, "upstreams": upstreams}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--lookups", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--servers", type=int, default=2, help="app servers behind nginx")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"cannot run: {reason}")
    queries = [json.loads(line)["q"] for line in args.queries.read_text().splitlines() if line]
    paths = [
        path
        for q in queries
        for path in (f"/thu-tuc/?q={quote_plus(q)}", f"/api/v1/procedures?q={quote_plus(q)}")
    ]

    started = time.monotonic()
    with Province(kiosks=args.kiosks, workers=args.workers, servers=args.servers) as province:
        print(f"province started in {time.monotonic() - started:.0f} s", file=sys.stderr)
        servers = [p.pid for p in province.processes if "serve" in p.args]
        bouncer = next(p.pid for p in province.processes if "pgbouncer" in p.args[0])
        nginx = next(p.pid for p in province.processes if "nginx" in p.args[0])
        cpu_before = {
            "servers": sum(group_cpu(pid) for pid in servers),
            "pgbouncer": group_cpu(bouncer),
            "nginx": group_cpu(nginx),
        }
        load_before = os.getloadavg()
        stop_at = time.monotonic() + args.seconds
        kiosks: dict = {}
        lookups: dict = {}
        threads = [
            threading.Thread(target=kiosk_loop, args=(province, i, stop_at, kiosks))
            for i in range(args.kiosks)
        ] + [
            threading.Thread(
                target=lookup_loop,
                args=(province.nginx_port, paths, i * len(paths) // args.lookups, stop_at, lookups),
            )
            for i in range(args.lookups)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - began
        cpu = {
            "servers": sum(group_cpu(pid) for pid in servers) - cpu_before["servers"],
            "pgbouncer": group_cpu(bouncer) - cpu_before["pgbouncer"],
            "nginx": group_cpu(nginx) - cpu_before["nginx"],
        }
        load_after = os.getloadavg()
        timings = dict(province.timings)

    codes = [code for k in kiosks.values() for code in k["codes"]]
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    submit_times = [t for k in kiosks.values() for t in k["times"]]
    lookup_times = [t for r in lookups.values() for t in r["latencies"]]
    spread: Counter = Counter()
    for k in kiosks.values():
        spread.update(k["upstreams"])
    for r in lookups.values():
        spread.update(r["upstreams"])
    result = {
        "seconds": round(elapsed, 1),
        "dossiers": len(codes),
        "dossiers_per_s": round(len(codes) / elapsed, 2),
        "numbers_gapless_unique": numbers == list(range(1, len(codes) + 1)),
        "submit_p50_ms": round(1000 * percentile(submit_times, 0.5)),
        "submit_p95_ms": round(1000 * percentile(submit_times, 0.95)),
        "kiosk_errors": sum(len(k["errors"]) for k in kiosks.values()),
        "kiosk_error_samples": [e for k in kiosks.values() for e in k["errors"]][:3],
        "lookups": len(lookup_times),
        "lookups_per_s": round(len(lookup_times) / elapsed, 1),
        "lookup_p50_ms": round(1000 * percentile(lookup_times, 0.5), 1),
        "lookup_p95_ms": round(1000 * percentile(lookup_times, 0.95), 1),
        "lookup_p99_ms": round(1000 * percentile(lookup_times, 0.99), 1),
        "lookup_errors": sum(r["errors"] for r in lookups.values()),
        "requests_per_server": dict(spread),
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "server_cpu_ms_per_request": round(1000 * cpu["servers"] / max(1, sum(spread.values()))),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "servers": args.servers,
        "start_up_s": timings,
        "workers_per_server": args.workers,
        "machine": f"{platform.node()} {os.cpu_count()} cores {platform.machine()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
