"""KPI cell update per event (issue 10): statements and time of a submission and officer actions
when the month's cell already holds many closed dossiers.

Usage (a throwaway database; never the test database):

    PYTHONPATH=src .venv/bin/python bench/kpi_delta.py --database-url sqlite:////tmp/kpidelta.sqlite3
    PYTHONPATH=src .venv/bin/python bench/kpi_delta.py \
        --database-url postgres://postgres@127.0.0.1:5432/kpidelta_bench

The month July 2025 of one center is filled with ``--closed`` closed dossiers (default 2,000):
one real dossier submitted and withdrawn through the services, then copied row for row
(dossier and KPI fact, new ids and codes) and its cells built by ``rollups``. The cost of the
recount grew with exactly these fact rows, which is why copies are enough. Then ``--samples``
dossiers are submitted in that month through ``submit_dossier`` and each gets two officer
actions through ``actions.perform``: ``assign`` (stays open) and ``withdraw`` (closes it,
so its cell changes). Each step is timed (wall clock) and its statements counted with
``CaptureQueriesContext``; medians are printed.

A second dossier per sample goes the whole way (the later events of issue 10): ``assign``,
``request_supplement``, ``submit_supplement`` (the clock pause moves the legal due time:
calendar), ``submit_for_signature``, ``sign`` (closes it: processing days, calendar),
``return_result``, then the fee's payment and the citizen's rating (settlement events on a
closed dossier). The procedure charges a fee so that the payment is one.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    if database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        if name in {"test", "test_test"}:
            sys.exit("Không dùng cơ sở dữ liệu test cho benchmark.")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}"')
            conn.execute(f'create database "{name}"')
    elif database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    logging.disable(logging.WARNING)  # the notices' failed e-mails to nobody, once per dossier
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="kpidelta-media-")
    call_command("migrate", verbosity=0)


def fill(closed: int):
    from django.db import transaction

    from motcua.dossiers.models import Dossier
    from motcua.reports import rollups
    from motcua.reports.models import DossierFact
    from tests.dossiers.conftest import make_center, make_procedure, submit, vn
    from tests.dossiers.test_actions import act

    center = make_center()
    procedure = make_procedure(channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 15000}])
    template, _ = submit(center, procedure, key="template", now=vn(2025, 7, 1, 8, 0))
    act(template, "withdraw", "reception", at=vn(2025, 7, 1, 9, 0), note="Công dân rút")
    fact = DossierFact.objects.get(pk=template.pk)
    assert fact.is_closed
    with transaction.atomic():
        dossiers = []
        for i in range(closed):
            copy = Dossier.objects.get(pk=template.pk)
            copy.pk = None
            copy.code = f"{template.code}-c{i}"
            copy.idempotency_key = f"copy-{i}"
            dossiers.append(copy)
        dossiers = Dossier.objects.bulk_create(dossiers, batch_size=500)
        facts = []
        for copy in dossiers:
            fact.pk = None
            fact.dossier_id = copy.pk
            facts.append(
                DossierFact(
                    **{f.attname: getattr(fact, f.attname) for f in fact._meta.concrete_fields}
                )
            )
        DossierFact.objects.bulk_create(facts, batch_size=500)
        rollups._rebuild_cells(
            {(fact.center_id, fact.received_month, fact.sector_id, fact.channel)},
            whole_centers=True,
        )
    return center, procedure


# Wall clock by default; ``--cpu`` times this process's CPU instead (``time.process_time``),
# which other processes on a shared machine inflate far less.
CLOCK = time.perf_counter


def measure(center, procedure, samples: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.settlement import record_payment, record_rating
    from tests.dossiers.conftest import submit, vn
    from tests.dossiers.test_actions import act

    results: dict[str, list[tuple[float, int]]] = defaultdict(list)
    from motcua.centers.models import Unit

    unit = Unit.objects.create(center=center, code="u-bench", name="Tư pháp")
    at = vn(2025, 7, 15, 8, 0)
    for i in range(samples + 1):  # the first round is a warm-up
        at += timedelta(minutes=3)
        steps = []
        with CaptureQueriesContext(connection) as queries:
            started = CLOCK()
            dossier, _ = submit(center, procedure, key=f"bench-{i}", now=at)
            steps.append(("submit", CLOCK() - started, len(queries)))
        for action, role, data in (
            ("assign", "reception", {"unit_id": unit.pk}),
            ("withdraw", "reception", {}),
        ):
            dossier.refresh_from_db()
            seq = dossier.events.order_by("-seq").first().seq
            with CaptureQueriesContext(connection) as queries:
                started = CLOCK()
                act(
                    dossier,
                    action,
                    role,
                    at=at + timedelta(minutes=1),
                    note="Ghi chú",
                    seen=seq,
                    **data,
                )
                steps.append((action, CLOCK() - started, len(queries)))
        dossier, _ = submit(center, procedure, key=f"bench-full-{i}", now=at)
        moment = at
        for action, role, data in (
            ("assign", "reception", {"unit_id": unit.pk}),
            ("request_supplement", "specialist", {}),
            ("submit_supplement", "reception", {}),
            ("submit_for_signature", "specialist", {}),
            ("sign", "leader", {}),
            ("return_result", "reception", {"delivery": "at_center"}),
        ):
            moment += timedelta(hours=5)
            dossier.refresh_from_db()
            seq = dossier.events.order_by("-seq").first().seq
            name = action if action != "assign" else "assign (2)"
            with CaptureQueriesContext(connection) as queries:
                started = CLOCK()
                act(dossier, action, role, at=moment, note="Ghi chú", seen=seq, **data)
                steps.append((name, CLOCK() - started, len(queries)))
        for name, write in (
            (
                "pay",
                lambda m, pk=dossier.pk: record_payment(
                    pk, method="online_national", amount_vnd=15000, actor="t", at=m
                ),
            ),
            (
                "rate",
                lambda m, pk=dossier.pk: record_rating(pk, rating="satisfied", actor="t", at=m),
            ),
        ):
            moment += timedelta(hours=1)
            with CaptureQueriesContext(connection) as queries:
                started = CLOCK()
                write(moment)
                steps.append((name, CLOCK() - started, len(queries)))
        if i:
            for name, seconds, statements in steps:
                results[name].append((seconds * 1000, statements))
    return {
        name: {
            "median_ms": round(statistics.median(r[0] for r in rows), 2),
            "statements": statistics.median(r[1] for r in rows),
            "n": len(rows),
        }
        for name, rows in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--closed", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="CPU time of this process, not wall")
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    setup(args.database_url)
    center, procedure = fill(args.closed)
    from django.db import connection

    print(f"{platform.node()} {platform.processor() or platform.machine()} {connection.vendor}")
    print(f"closed dossiers already in the month: {args.closed}")
    print("times: " + ("CPU of this process" if args.cpu else "wall clock"))
    try:
        rows = measure(center, procedure, args.samples)
    finally:
        from django.conf import settings

        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)  # the scans written by submit
    for name, row in rows.items():
        print(
            f"{name:21} median {row['median_ms']:8.2f} ms  statements {row['statements']}  n={row['n']}"
        )


if __name__ == "__main__":
    main()
