"""Where one kiosk submission spends its statements and its Python CPU (issue 10).

Usage (the database is created empty and owned by this script; never the test database):

    .venv/bin/python bench/intake_profile.py --database-url postgres://postgres@127.0.0.1:5432/bench_prof
    .venv/bin/python bench/intake_profile.py --database-url sqlite:////tmp/prof.sqlite3 --shape counter

One process submits ``--count`` dossiers (200) through the same call as bench/intake_lock.py
(``--shape kiosk``: exactly what ``kiosk.flow.submit`` passes; ``counter``: received at once,
with a paper component and a notice). Reported:

- statements per submission (``CaptureQueriesContext`` over one warm submission, the
  after-commit callbacks included), and with ``--show`` the statements themselves;
- CPU time of this process per submission (``time.process_time``: the Python side, which other
  processes on the machine do not inflate the way they inflate wall time), median and mean;
- with ``--profile``, the cProfile functions with the most own and cumulative CPU time
  (the profiler clocks ``time.process_time``, so waiting on the database does not count).

Numbers go to docs/benchmarks.md with the machine, date and load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import tempfile
import time

import intake_lock
from setup_db import configure, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--shape", choices=["kiosk", "counter"], default="kiosk")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--show", action="store_true", help="print the statements of one")
    parser.add_argument("--profile", action="store_true", help="cProfile the submissions")
    parser.add_argument(
        "--callees",
        nargs="*",
        default=["submit_dossier"],
        help="with --profile: the functions whose callees to print",
    )
    args = parser.parse_args()
    intake_lock.SHAPE = args.shape

    var_dir = tempfile.mkdtemp(prefix="motcua-intake-profile-")
    try:
        run(args, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)  # the scans the submissions wrote


def run(args: argparse.Namespace, var_dir: str) -> None:
    fresh_database(args.database_url)
    configure(args.database_url, var_dir)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    intake_lock.prepare()
    for n in range(5):
        intake_lock.submit_one(f"warm-{n}")
    with CaptureQueriesContext(connection) as queries:
        intake_lock.submit_one("counted")
    statements = [q["sql"] for q in queries.captured_queries]

    backend = _backend_pid(connection)
    backend_cpu_started = _proc_cpu_ms(backend)
    cpu: list[float] = []
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    wall_started = time.perf_counter()
    for n in range(args.count):
        started = time.process_time()
        if profiler:
            profiler.enable()
        intake_lock.submit_one(f"p-{n}")
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - started) * 1000)
    wall = (time.perf_counter() - wall_started) * 1000 / args.count
    backend_cpu = (_proc_cpu_ms(backend) - backend_cpu_started) / args.count if backend else None

    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}, "
        f"{connection.vendor}, shape {args.shape}, {args.count} submissions"
    )
    print(f"statements per submission: {len(statements)}")
    if args.show:
        for number, sql in enumerate(statements, start=1):
            print(f"  {number:2d}. {sql[:160]}")
    profiled = " (under cProfile: inflated)" if profiler else ""
    print(
        f"CPU per submission{profiled}: median {statistics.median(cpu):.2f} ms, "
        f"mean {statistics.fmean(cpu):.2f} ms; wall mean {wall:.2f} ms"
    )
    if backend_cpu is not None:
        # The PostgreSQL backend serving this process shares the 2 cores with it: the intake
        # goal (a ratio to pgbench TPS) pays for both.
        print(f"PostgreSQL backend CPU per submission: mean {backend_cpu:.2f} ms")
    if profiler:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(30)
            print(out.getvalue())
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        for function in args.callees:
            stats.print_callees(function)
        print(out.getvalue())


def _backend_pid(connection) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _proc_cpu_ms(pid: int | None) -> float:
    """User + system CPU of a local process from /proc (the server runs on this machine)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
