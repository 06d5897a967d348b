"""The yardstick of every bench (issue 10): pgbench TPC-B measured in the same run.

A throughput alone says little on a shared 2-core machine whose load changes by the minute;
divided by what this machine's PostgreSQL does with pgbench's TPC-B in the same run, it can be
compared across runs and machines. One run: a scratch database ``bench_pgbench_<pid>``,
``pgbench -i -s 1``, then ``pgbench -c 4 -j 2 -T SECONDS``; the TPS "without initial
connection time" is the yardstick; the database is dropped. Loopback only, bounded in time.

    from pgbench_ratio import measure_yardstick
    yardstick = measure_yardstick(PG_DEFAULT, seconds=10)  # None: no PostgreSQL or no pgbench
    print(yardstick.line(), yardstick.ratio(tickets_per_second))
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432"
TPS_LINE = re.compile(r"tps = ([0-9.]+) \(without initial connection time\)")
_SERVER = re.compile(r"(postgres(?:ql)?://[^@/]+@[^:/]+:\d+)(?:/.*)?")


def pg_args(base: str) -> list[str]:
    match = re.fullmatch(r"postgres(?:ql)?://([^@/]+)@([^:/]+):(\d+)", base)
    if not match:
        sys.exit(f"the PostgreSQL server must look like {PG_DEFAULT}")
    user, host, port = match.groups()
    return ["-h", host, "-p", port, "-U", user]


def server_of(database_url: str) -> str | None:
    """``postgres://user@host:port`` of a PostgreSQL database URL; None for another engine."""
    match = _SERVER.fullmatch(database_url)
    return match.group(1) if match else None


def admin_sql(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def reachable(base: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{base}/postgres", connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception:  # noqa: BLE001 (any failure means: no yardstick in this run)
        return False
    return True


def pgbench_tps(base: str, seconds: int) -> tuple[float, str]:
    """TPC-B transactions per second of pgbench on ``base``, and pgbench's version line."""
    name = f"bench_pgbench_{os.getpid()}"
    conn = pg_args(base)
    admin_sql(base, f'drop database if exists "{name}" with (force)')
    admin_sql(base, f'create database "{name}"')
    try:
        subprocess.run(
            ["pgbench", *conn, "-i", "-s", "1", "-q", name],
            check=True,
            capture_output=True,
            timeout=300,
        )
        run = subprocess.run(
            ["pgbench", *conn, "-c", "4", "-j", "2", "-T", str(seconds), name],
            check=True,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    finally:
        admin_sql(base, f'drop database if exists "{name}" with (force)')
    match = TPS_LINE.search(run.stdout)
    if not match:
        sys.exit(f"pgbench output without TPS:\n{run.stdout}\n{run.stderr}")
    version = subprocess.run(
        ["pgbench", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return float(match.group(1)), version


@dataclass(frozen=True)
class Yardstick:
    tps: float
    version: str
    seconds: int

    def ratio(self, per_second: float) -> float:
        return per_second / self.tps

    def line(self) -> str:
        return (
            f"pgbench TPC-B -s 1 -c 4 -j 2 -T {self.seconds}: {self.tps:.0f} TPS ({self.version})"
        )


def measure_yardstick(base: str | None, seconds: int) -> Yardstick | None:
    """pgbench on ``base`` now, or None (with the reason on stderr) when there is no pgbench
    or no PostgreSQL to run it on: the bench still runs, without the ratio."""
    if base is None:
        print("pgbench: no PostgreSQL server given, no ratio in this run", file=sys.stderr)
        return None
    if shutil.which("pgbench") is None:
        print("pgbench: not installed, no ratio in this run", file=sys.stderr)
        return None
    if not reachable(base):
        print(f"pgbench: {base} does not answer, no ratio in this run", file=sys.stderr)
        return None
    tps, version = pgbench_tps(base, seconds)
    return Yardstick(tps, version, seconds)


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
