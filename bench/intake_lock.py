"""Intake under concurrent writers: dossiers per second, latency and how long the number is locked.

Usage (each run starts from an empty database it owns; never the test database):

    .venv/bin/python bench/intake_lock.py --database-url postgres://postgres@127.0.0.1:5432/numlock
    .venv/bin/python bench/intake_lock.py --database-url sqlite:////tmp/intake.sqlite3

It migrates, loads the bundled catalog and the demo center, then ``--writers`` processes (4)
submit kiosk-style dossiers to the same center for ``--seconds`` (20) through the service call
(``submit_dossier`` in its own ``transaction.atomic()``, as ``kiosk.flow.submit`` does): the
applicant as read from a chip ID card, a phone and an e-mail (a notice is queued), one
component on paper and one scanned file (200 KB). Reported:

- statements per submission (Django's query log of one warm submission) and wall time of one
  submission alone;
- throughput (dossiers/s over all writers), p50/p99/max latency per submission;
- the number lock span: from the start of the number allocation to the end of the commit
  (the counter row is locked from its UPDATE to the commit), p50/p99;
- a check that the day's numbers are 1..N with the counter at N (gapless, unique).

Numbers go to docs/benchmarks.md with the machine and date.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import tempfile
import time

from setup_db import configure, fresh_database

PROCEDURE = "1.001193"  # đăng ký khai sinh, the demo center's busiest procedure
SCAN = b"%PDF-1.4\n% ban chup giay chung sinh\n" + bytes(range(256)) * 800  # ~200 KB


def prepare() -> None:
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("catalog", "load", stdout=io.StringIO())
    call_command("demo_center", stdout=io.StringIO())


def submit_one(key: str):
    from django.db import transaction
    from django.utils import timezone

    from motcua.catalog.models import Procedure
    from motcua.centers.models import Center
    from motcua.dossiers.services import Applicant, SubmittedDocument, submit_dossier

    if not _CACHE:  # the kiosk has both at hand (its device's center, the chosen procedure)
        _CACHE.extend([Center.objects.get(), Procedure.objects.get(code=PROCEDURE)])
    center, procedure = _CACHE
    kiosk = SHAPE == "kiosk"
    documents = [
        # The kiosk takes no paper: the declaration is its e-form (kiosk.flow.submit,
        # dossiers.intake.submitted_documents); the counter shape has the paper in hand.
        SubmittedDocument(name="Tờ khai đăng ký khai sinh", from_eform=True)
        if kiosk
        else SubmittedDocument(
            name="Tờ khai đăng ký khai sinh", originals=1, provided_on_paper=True
        ),
        SubmittedDocument(
            name="Giấy chứng sinh",
            content=SCAN,
            filename="giay-chung-sinh.pdf",
            content_type="application/pdf",
        ),
    ]
    with transaction.atomic():
        dossier, _ = submit_dossier(
            center=center,
            procedure=procedure,
            applicant=Applicant(
                name="Nguyễn Thị Lan",
                id_number="025190012345",
                address="Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
                phone="0912345678",
                email="lan@example.vn",
            ),
            form_data={"child_full_name": "Nguyễn Minh An", "child_sex": "Nam"},
            form_version=1,
            documents=documents,
            channel="kiosk",
            actor="kiosk:bench",
            idempotency_key=key,
            now=timezone.now(),
            # As kiosk.flow.submit: registered until reception checks the papers (no notice yet).
            awaiting_check=kiosk,
        )
    return dossier


# "kiosk": exactly what kiosk.flow.submit passes (awaiting_check, e-form declaration, no paper):
# registered, no KPI fact yet, no notice. "counter": the shape measured before 7 December 2026
# (received at once, a paper component, a notice queued), closer to a counter officer's intake.
SHAPE = "counter"
_LOCK_SPANS: list[float] = []
_CACHE: list = []


def instrument_allocator() -> None:
    """Note when the number allocation starts (old name ``_next_number``, new ``_allocate_number``)."""
    from django.db import transaction

    from motcua.dossiers import services

    name = "_allocate_number" if hasattr(services, "_allocate_number") else "_next_number"
    original = getattr(services, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        number = original(*args, **kwargs)
        # The first on-commit callback of the submission runs right after the commit, before
        # the notice is sent: the end of the lock.
        transaction.on_commit(lambda: _LOCK_SPANS.append(time.perf_counter() - started))
        return number

    setattr(services, name, timed)


def writer(index: int, seconds: float, barrier, queue) -> None:
    from django.db import connection

    instrument_allocator()
    submit_one(f"warm-{index}")  # plans, caches, connection
    latencies: list[float] = []
    barrier.wait(timeout=60)
    _LOCK_SPANS.clear()
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        submit_one(f"w{index}-{n}")
        latencies.append(time.perf_counter() - started)
        n += 1
    connection.close()
    queue.put((latencies, list(_LOCK_SPANS)))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="motcua-intake-bench-")
    fresh_database(args.database_url)
    configure(args.database_url, var_dir)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.models import Dossier, DossierCounter

    prepare()
    submit_one("solo-warm")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        submit_one("solo")
        solo_ms = (time.perf_counter() - started) * 1000
    statements = len(queries.captured_queries)
    solo = []
    for n in range(20):
        started = time.perf_counter()
        submit_one(f"solo-{n}")
        solo.append((time.perf_counter() - started) * 1000)
    connection.close()
    # No courier thread across the fork (see bench/intake_load.py, intake_round).
    from motcua.notices.courier import courier

    courier.stop()

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(args.writers)
    queue = context.Queue()
    workers = [
        context.Process(target=writer, args=(i, args.seconds, barrier, queue))
        for i in range(args.writers)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=args.seconds + 300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    latencies = [s * 1000 for lat, _ in results for s in lat]
    spans = [s * 1000 for _, sp in results for s in sp]
    numbers = sorted(Dossier.objects.values_list("number", flat=True))
    counter = DossierCounter.objects.get()
    gapless = numbers == list(range(1, len(numbers) + 1)) and counter.last_number == len(numbers)
    vendor = connection.vendor
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {vendor}"
    )
    print(f"statements per submission: {statements} (one warm submission alone: {solo_ms:.1f} ms)")
    print(f"alone, 20 submissions: p50 {statistics.median(solo):.1f} ms")
    print(
        f"{args.writers} writers, {args.seconds:.0f} s: {len(latencies)} dossiers, "
        f"{len(latencies) / args.seconds:.1f} dossiers/s; latency p50 {pct(latencies, 50):.1f} ms, "
        f"p99 {pct(latencies, 99):.1f} ms, max {max(latencies):.1f} ms"
    )
    print(
        f"number lock span (allocation start to commit end): p50 {pct(spans, 50):.2f} ms, "
        f"p99 {pct(spans, 99):.2f} ms"
    )
    print(f"gapless and unique: {gapless} ({len(numbers)} numbers, counter {counter.last_number})")


if __name__ == "__main__":
    main()
