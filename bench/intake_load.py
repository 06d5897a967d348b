"""Intake under load, measured against pgbench TPC-B in the same run (issue 10).

Usage: .venv/bin/python bench/intake_load.py [--seconds 15] [--shape kiosk|counter]
           [--pg postgres://postgres@127.0.0.1:5432]

One run, loopback/local only, bounded in time, cleans up after itself:

1. pgbench TPC-B on this machine's PostgreSQL: a scratch database ``bench_pgbench_<pid>``,
   ``pgbench -i -s 1``, then ``pgbench -c 4 -j 2 -T SECONDS``; the TPS "without initial
   connection time" is the yardstick. The database is dropped.
2. Intake through the kiosk's service call (``submit_dossier`` in its own
   ``transaction.atomic()``, built as in bench/intake_lock.py: the demo center, procedure
   1.001193, a chip-card applicant with phone and e-mail, the e-form declaration and one 200 KB
   scanned component, registered until reception checks it, as ``kiosk.flow.submit`` passes;
   ``--shape counter``: received at once with a paper component and a notice queued, the shape
   measured before 7 December 2026) on a scratch PostgreSQL database ``bench_intake_<pid>`` (migrated here, dropped
   afterwards): 4 writer processes for SECONDS, then 8 writers on the same (only) center.
3. The same with 4 writers on SQLite: a temporary file database, WAL, IMMEDIATE transactions
   and the writers' queue (motcua.core.sqlite_backend) as settings configure them.

Each engine runs in a child process of this script (Django binds to one database per process);
its writers are forked from it. Goals (issue 10, 2-core machine): PostgreSQL 4 writers
dossiers/s >= 0.15 x pgbench TPS; PostgreSQL 8 writers p99 <= 150 ms; SQLite 4 writers
p99 <= 500 ms. Prints a table and a Markdown block for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake_lock  # noqa: E402  (the same center, procedure, applicant and call)
from pgbench_ratio import PG_DEFAULT, admin_sql, pgbench_tps  # noqa: E402  (the yardstick)

CHILD_TIMEOUT = 900


# --- intake (child process, one engine) ---------------------------------------------------


def writer(tag: str, index: int, seconds: float, barrier, queue) -> None:
    from django.db import connection

    intake_lock.submit_one(f"{tag}-warm-{index}")  # plans, caches, connection
    latencies: list[float] = []
    barrier.wait(timeout=120)
    deadline = time.perf_counter() + seconds
    n = 0
    failures: list[str] = []
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            intake_lock.submit_one(f"{tag}-w{index}-{n}")  # unique: never an idempotent replay
        except Exception as exc:
            # A failed submission (SQLite's "database is locked" after the busy timeout) is a
            # result to report, not a writer that dies and leaves the round waiting.
            failures.append(f"{type(exc).__name__}: {exc}")
            connection.close()
        else:
            latencies.append(time.perf_counter() - started)
        n += 1
    connection.close()
    queue.put((latencies, failures))


def intake_round(tag: str, writers: int, seconds: float) -> dict:
    from django.db import connection

    from motcua.notices.courier import courier

    connection.close()  # the forked writers open their own connections
    # The warm submission may have started this process's notice courier (a thread with its
    # own connection). A fork copies the locks that thread holds (SQLite's memory mutex among
    # them) but not the thread: a writer could wait on them forever. Each writer starts its own.
    courier.stop()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers)
    queue = context.Queue()
    processes = [
        context.Process(target=writer, args=(tag, i, seconds, barrier, queue))
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    latencies = [s * 1000 for batch, _ in results for s in batch]
    failures = [f for _, batch in results for f in batch]
    return {
        "writers": writers,
        "failed": len(failures),
        "failures": sorted(set(failures))[:3],
        "dossiers": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50": intake_lock.pct(latencies, 50),
        "p99": intake_lock.pct(latencies, 99),
        "max": max(latencies),
    }


def child(database_url: str, rounds: list[int], seconds: float) -> None:
    var_dir = tempfile.mkdtemp(prefix="motcua-intake-load-")
    try:
        intake_lock.fresh_database(database_url)
        intake_lock.configure(database_url, var_dir)
        from django.db import connection

        from motcua.dossiers.models import Dossier, DossierCounter

        intake_lock.prepare()
        intake_lock.submit_one("solo-warm")
        vendor = connection.vendor
        journal = ""
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                journal = cursor.execute("pragma journal_mode").fetchone()[0]
        out = [intake_round(f"r{i}", writers, seconds) for i, writers in enumerate(rounds)]
        numbers = sorted(Dossier.objects.values_list("number", flat=True))
        counter = DossierCounter.objects.get().last_number
        gapless = numbers == list(range(1, len(numbers) + 1)) and counter == len(numbers)
        connection.close()
        print(
            "RESULT "
            + json.dumps({"vendor": vendor, "journal": journal, "rounds": out, "gapless": gapless})
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run_child(database_url: str, rounds: list[int], seconds: float) -> dict:
    command = [sys.executable, __file__, "--child", database_url, "--seconds", str(seconds)]
    command += ["--shape", intake_lock.SHAPE]
    command += ["--rounds", ",".join(map(str, rounds))]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MOTCUA_VAR_DIR"}}
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=CHILD_TIMEOUT, env=env, check=False
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    if run.returncode or not lines:
        sys.exit(f"intake child failed ({database_url}):\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


# --- report -------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {ram:.0f} GiB RAM, Python {platform.python_version()}"
    )


def verdict(met: bool, detail: str) -> str:
    return f"met ({detail})" if met else f"**missed** ({detail})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server, without a database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", help=argparse.SUPPRESS)
    parser.add_argument(
        "--shape",
        choices=["kiosk", "counter"],
        default="kiosk",
        help="kiosk: what kiosk.flow.submit passes (registered, no notice); counter: received at "
        "once with a paper and a notice (the shape measured before 7 December 2026)",
    )
    args = parser.parse_args()
    intake_lock.SHAPE = args.shape
    if args.child:
        child(args.child, [int(n) for n in args.rounds.split(",")], args.seconds)
        return

    load_before = os.getloadavg()
    started = time.gmtime()
    tps, pgbench_version = pgbench_tps(args.pg, args.seconds)
    pg_name = f"bench_intake_{os.getpid()}"
    try:
        pg = run_child(f"{args.pg}/{pg_name}", [4, 8], args.seconds)
    finally:
        admin_sql(args.pg, f'drop database if exists "{pg_name}" with (force)')
    sqlite_dir = tempfile.mkdtemp(prefix="motcua-intake-sqlite-")
    try:
        lite = run_child(f"sqlite:///{sqlite_dir}/intake.sqlite3", [4], args.seconds)
    finally:
        shutil.rmtree(sqlite_dir, ignore_errors=True)
    load_after = os.getloadavg()

    pg4, pg8 = pg["rounds"]
    (lite4,) = lite["rounds"]
    ratio = pg4["per_second"] / tps
    goals = [
        # A round with failed submissions meets no goal, whatever its numbers.
        verdict(ratio >= 0.15 and not pg4["failed"], f"{ratio:.3f} × pgbench, goal ≥ 0.15"),
        verdict(pg8["p99"] <= 150 and not pg8["failed"], f"p99 {pg8['p99']:.0f} ms, goal ≤ 150 ms"),
        verdict(
            lite4["p99"] <= 500 and not lite4["failed"],
            f"p99 {lite4['p99']:.0f} ms, goal ≤ 500 ms",
        ),
    ]
    rows = [
        ("pgbench TPC-B -s 1 -c 4 -j 2", f"{tps:.0f} TPS", "", "", "", "1", "yardstick"),
        ("PostgreSQL, 4 writers", *cells(pg4), f"{ratio:.3f}", goals[0]),
        (
            "PostgreSQL, 8 writers, one center",
            *cells(pg8),
            f"{pg8['per_second'] / tps:.3f}",
            goals[1],
        ),
        (f"SQLite ({lite['journal']}), 4 writers", *cells(lite4), "", goals[2]),
    ]
    when = time.strftime("%Y-%m-%d %H:%M UTC", started)
    print(f"date: {when}; {machine()}; {pgbench_version}")
    print(f"load average before {fmt_load(load_before)}, after {fmt_load(load_after)}")
    print(
        f"seconds per measurement: {args.seconds}; shape {args.shape}; "
        f"gapless numbers: PG {pg['gapless']}, SQLite {lite['gapless']}"
    )
    header = ("measurement", "throughput", "dossiers", "p50", "p99", "÷ pgbench", "goal")
    print()
    for row in (header, *rows):
        print(" | ".join(str(c) for c in row))
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def cells(result: dict) -> tuple[str, str, str, str]:
    failed = (
        f" ({result['failed']} failed: {'; '.join(result['failures'])})" if result["failed"] else ""
    )
    return (
        f"{result['per_second']:.1f} dossiers/s",
        f"{result['dossiers']}{failed}",
        f"{result['p50']:.0f} ms",
        f"{result['p99']:.0f} ms (max {result['max']:.0f})",
    )


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    main()
