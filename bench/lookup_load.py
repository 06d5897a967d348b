"""Public lookup under load: requests/s and latency of ``motcua serve`` with 1, 2, 4 workers.

Usage: .venv/bin/python bench/lookup_load.py [--workers 1,2,4] [--clients 8] [--seconds 20]

For each worker count it starts the real server (``motcua serve --workers N``) on a loopback
port of a fresh SQLite installation (a temporary var/, migrated, national catalog loaded),
warms it up, then runs CLIENTS closed-loop clients (threads, or with ``--client-processes`` one
process each, as separate phones would be; one keep-alive connection each)
for SECONDS: each client alternates the lookup page ``/thu-tuc/?q=...`` and the JSON API
``/api/v1/procedures?q=...`` with the citizen questions of queries.dev.jsonl. It prints
requests/s, p50/p95/p99 latency, errors, the resident memory of master + workers and the
server's CPU time per request (user + system of master and workers: unlike requests/s, it hardly
depends on what else the machine runs), then stops the server with SIGTERM. Loopback only and
bounded in time; numbers go to docs/benchmarks.md.

The yardstick (issue 10, ``pgbench_ratio.py``): when the PostgreSQL server ``--pg`` answers,
pgbench TPC-B runs first for ``--pgbench-seconds``, and each result also gives requests/s as a
ratio to its TPS. ``--pg ""`` leaves it out.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgbench_ratio import PG_DEFAULT, measure_yardstick  # noqa: E402

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
START_TIMEOUT = 60.0


def installation_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT / "src"),
        PYTHONWARNINGS="ignore",
        LOG_LEVEL="WARNING",
    )
    return env


def motcua(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "motcua", *args], env=env, cwd=ROOT, check=True, timeout=300
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry.name))
    return pids


def memory_kib(pids: list[int]) -> dict[str, int]:
    """RSS counts pages shared copy-on-write in every process; PSS divides them fairly."""
    total = {"rss": 0, "pss": 0}
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name.lower() in total:
                    total[name.lower()] += int(value.split()[0])
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the server processes: what a request costs, whatever else runs."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def request(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def paths_for(queries: list[str]) -> list[str]:
    paths = []
    for query in queries:
        paths.append(f"/thu-tuc/?q={quote_plus(query)}")
        paths.append(f"/api/v1/procedures?q={quote_plus(query)}")
    return paths


class Client(threading.Thread):
    def __init__(self, port: int, paths: list[str], start: int, stop_at: float):
        super().__init__(daemon=True)
        self.port, self.paths, self.index, self.stop_at = port, paths, start, stop_at
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.stop_at:
            path = self.paths[self.index % len(self.paths)]
            self.index += 1
            began = time.perf_counter()
            try:
                status = request(conn, path)
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            if status == 200:
                self.latencies.append(time.perf_counter() - began)
            else:
                self.errors += 1
        conn.close()


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def client_process(port: int, paths: list[str], start: int, stop_at: float) -> tuple:
    """One client alone in its own process (``--client-processes``): its clock reads are not
    delayed by the other clients holding the generator's GIL."""
    client = Client(port, paths, start, stop_at)
    client.run()
    return client.latencies, client.errors


def load(
    port: int, paths: list[str], clients: int, seconds: float, processes: bool = False
) -> dict:
    stop_at = time.monotonic() + seconds
    # Clients start at different questions so they do not ask the same thing in lockstep.
    starts = [i * len(paths) // clients for i in range(clients)]
    began = time.monotonic()
    if processes:
        # fork: CLOCK_MONOTONIC is system-wide, so stop_at means the same in every child.
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            results = pool.starmap(client_process, [(port, paths, s, stop_at) for s in starts])
        per_client = [latencies for latencies, _ in results]
        errors = sum(errors for _, errors in results)
    else:
        threads = [Client(port, paths, s, stop_at) for s in starts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
        per_client = [thread.latencies for thread in threads]
        errors = sum(thread.errors for thread in threads)
    elapsed = time.monotonic() - began
    latencies = sorted(x for client in per_client for x in client)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
    }


def serve_and_measure(
    env, workers: int, paths, clients, seconds, log, processes: bool = False
) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--port", str(port)]
        + ["--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise SystemExit(f"motcua serve --workers {workers} exited {server.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                request(conn, "/thu-tuc/?q=khai+sinh")
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer in time") from None
                time.sleep(0.25)
        load(port, paths, clients, 3.0)  # warm-up: every worker built, caches filled
        tree = process_tree(server.pid)
        memory = memory_kib(tree)
        cpu_before, load_before = cpu_seconds(tree), os.getloadavg()[0]
        result = load(port, paths, clients, seconds, processes)
        cpu_used = cpu_seconds(tree) - cpu_before
        result.update(
            workers=workers,
            processes=len(tree),
            server_cpu_ms_per_request=round(1000 * cpu_used / max(1, result["requests"]), 1),
            clients_as="processes" if processes else "threads",
            loadavg_before_after=[round(load_before, 2), round(os.getloadavg()[0], 2)],
            rss_mib=round(memory["rss"] / 1024),
            pss_mib=round(memory["pss"] / 1024),
        )
        server.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        server.wait(timeout=30)
        result["stop_s"] = round(time.monotonic() - stopped, 1)
        return result
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server for pgbench")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument(
        "--client-processes",
        action="store_true",
        help="each client in its own process, as separate citizens' phones would be",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 120:
        parser.error("--clients 1..64 and --seconds 1..120 (the bench is bounded)")

    queries = [json.loads(line)["q"] for line in args.queries.read_text().splitlines() if line]
    # Before the server starts: pgbench and the server must not share the cores.
    yardstick = measure_yardstick(args.pg or None, args.pgbench_seconds)
    if yardstick is not None:
        print(json.dumps({"pgbench_tps": round(yardstick.tps, 1), "pgbench": yardstick.line()}))
    paths = paths_for(queries)
    with tempfile.TemporaryDirectory(prefix="motcua-lookup-") as tmp:
        var_dir = Path(tmp) / "var"
        var_dir.mkdir(mode=0o700)
        env = installation_env(var_dir)
        motcua(env, "migrate", "--verbosity", "0")
        motcua(env, "catalog", "load")
        with open(Path(tmp) / "serve.log", "wb") as log:
            for workers in [int(n) for n in args.workers.split(",")]:
                result = serve_and_measure(
                    env, workers, paths, args.clients, args.seconds, log, args.client_processes
                )
                if yardstick is not None:
                    result["per_pgbench_tps"] = round(yardstick.ratio(result["rps"]), 4)
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
