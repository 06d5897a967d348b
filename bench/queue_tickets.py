"""Queue numbers under concurrent takers: tickets per second and latency, with a gapless check.

Usage (each run starts from an empty database it owns; never the test database):

    .venv/bin/python bench/queue_tickets.py --database-url postgres://postgres@127.0.0.1:5432/qbench
    .venv/bin/python bench/queue_tickets.py --database-url sqlite:////tmp/qbench.sqlite3

It migrates, loads the demo center and its queue (``motcua queue demo``), then ``--takers``
processes (8) take numbers for ``--seconds`` (10) through the service call a kiosk, a phone or
the desk makes (``issue_ticket`` in its own ``transaction.atomic()``), all at one center, spread
over its areas the way a Monday morning is (half of them at civil status). Reported: tickets/s
over all takers, p50/p99/max latency per ticket, and a check that every area's numbers of the
day are first..first+N-1 with the sequence at N (unique and gapless). Goal (issue 11): ≥ 200
tickets/s on PostgreSQL with 8 takers on this 2-core machine.

The yardstick (issue 10, ``pgbench_ratio.py``): pgbench TPC-B runs first, on the database's
PostgreSQL server, or on ``--pg`` when the database is SQLite and that server answers; the
tickets/s are also given as a ratio to its TPS. ``--pg ""`` leaves it out for SQLite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time

from pgbench_ratio import PG_DEFAULT, measure_yardstick, server_of
from setup_db import configure, fresh_database


def prepare() -> None:
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo_center", stdout=io.StringIO())
    call_command("queue", "demo", "--waiting", "0", stdout=io.StringIO())


def taker(index: int, database_url: str, var_dir: str, seconds: float, barrier, out):
    configure(database_url, var_dir, MOTCUA_QUEUE_ALWAYS_OPEN="1")
    from django.db import transaction
    from django.utils import timezone

    from motcua.queue import services
    from motcua.queue.models import ServiceArea

    areas = list(ServiceArea.objects.select_related("center").order_by("position"))
    weights = [areas[0], areas[0], areas[1], areas[2]]  # half at civil status
    latencies = []
    barrier.wait()  # every process set up (Django loaded, areas read) before the clock starts
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        area = weights[(n + index) % len(weights)]
        began = time.perf_counter()
        with transaction.atomic():
            services.issue_ticket(
                center=area.center, area=area, source="kiosk", now=timezone.now(), actor="bench"
            )
        latencies.append(time.perf_counter() - began)
        n += 1
    out.put(latencies)


def check_gapless() -> list[str]:
    from motcua.queue.models import ServiceArea, Ticket, TicketSequence

    problems = []
    for area in ServiceArea.objects.all():
        for seq in TicketSequence.objects.filter(area=area):
            numbers = sorted(
                Ticket.objects.filter(issued_area=area, day=seq.day).values_list(
                    "number", flat=True
                )
            )
            expected = list(range(area.first_number, area.first_number + seq.last_number))
            if numbers != expected:
                problems.append(f"{area.code} {seq.day}: {len(numbers)} vé, dãy số không liền")
    return problems


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--takers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server for pgbench (SQLite)")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    # First, alone on the machine: pgbench and the takers must not share the cores.
    server = server_of(args.database_url) or args.pg or None
    yardstick = measure_yardstick(server, args.pgbench_seconds)
    var_dir = tempfile.mkdtemp(prefix="qbench-")
    fresh_database(args.database_url)
    configure(args.database_url, var_dir, MOTCUA_QUEUE_ALWAYS_OPEN="1")
    prepare()
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(args.takers)
    procs = [
        ctx.Process(target=taker, args=(i, args.database_url, var_dir, args.seconds, barrier, out))
        for i in range(args.takers)
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    for _ in procs:
        latencies.extend(out.get())
    for p in procs:
        p.join()
    problems = check_gapless()
    ms = [v * 1000 for v in latencies]
    engine = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"máy: {platform.node()} · {os.cpu_count()} lõi · Python {platform.python_version()}")
    print(f"{engine}, {args.takers} người lấy số, {args.seconds:.0f} s")
    print(f"vé: {len(ms)} · {len(ms) / args.seconds:.0f} vé/s")
    print(
        f"độ trễ: p50 {statistics.median(ms):.1f} ms · p99 {percentile(ms, 0.99):.1f} ms"
        f" · max {max(ms):.1f} ms"
    )
    if yardstick is not None:
        print(yardstick.line())
        print(f"vé/s ÷ pgbench TPS: {yardstick.ratio(len(ms) / args.seconds):.3f}")
    print("dãy số: liền, không trùng" if not problems else "LỖI: " + "; ".join(problems))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
