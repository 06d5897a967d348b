"""The dashboards' queue section with a year of tickets: how long it takes to compute and render.

Usage (the database is created if missing; never the test database):

    PYTHONPATH=src .venv/bin/python bench/queue_reports.py \
        --database-url sqlite:////tmp/queue-bench.sqlite3 --generate --tickets 200000
    PYTHONPATH=src .venv/bin/python bench/queue_reports.py \
        --database-url postgres://postgres@127.0.0.1:5432/motcua_queue_bench --generate

``--generate`` bulk-creates (``bulk_create``, not the services: 200k tickets through one
transaction each would take an hour) one commune center with five service areas, eight
counters and their officers, and ``--tickets`` tickets over the working days from 1 July 2025
to 30 June 2026 with their events (issue, call, start, end, and skip / cancel / transfer), at
realistic times: issued 07:00–16:30 with a morning peak, waits drawn from an exponential
distribution (mean 12 min), services from a log-normal one (median 6 min); 3 % no-shows, 2 %
cancelled, 1 % transferred, a few left waiting at closing; 2 appointments per 100 tickets.

Timed (wall clock, one warm-up, ``--repeat`` runs, median and max):
- ``queue_report`` for the center-year with the per-counter and per-officer tables;
- the center dashboard page for the year, rendered whole through Django's test client as the
  center's leader (KPI engine, queue section, charts, template);
- the same page with the queue section left out (``reports.dashboard.load(queue=False)``), so
  the difference is the queue section's cost;
- the province dashboard page for the year (this center is the province's only one with a
  queue: it reads the same tickets, grouped per center).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = date(2025, 7, 1), date(2026, 6, 30)
AGENCY = "000.00.77.H25"
LEADER = "bench-lanhdao"


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    if database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        if name.startswith("test"):
            sys.exit("Không dùng cơ sở dữ liệu test cho benchmark.")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            found = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if not found:
                conn.execute(f'create database "{name}"')
    import django

    django.setup()


def generate(tickets: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from motcua.centers.models import Center, StaffMembership
    from motcua.queue.models import (
        Appointment,
        Counter,
        ServiceArea,
        Ticket,
        TicketEvent,
    )
    from motcua.workcalendar.services import is_working_day

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    users = get_user_model()
    with transaction.atomic():
        Center.objects.filter(agency_code=AGENCY).delete()
        users.objects.filter(username__startswith="bench-").delete()
        center = Center.objects.create(
            agency_code=AGENCY,
            name="Trung tâm Phục vụ hành chính công xã Thử Tải",
            commune="Xã Thử Tải",
            province="Tỉnh Thử Tải",
        )
        leader = users.objects.create_user(LEADER, password="bench-" + str(seed))
        StaffMembership.objects.create(user=leader, center=center, role="leader")
        names = ["Hộ tịch – Chứng thực", "Đất đai", "Cư trú", "Bảo trợ xã hội", "Kinh tế"]
        areas = [
            ServiceArea.objects.create(
                center=center,
                code=f"kv{i + 1}",
                name=name,
                first_number=(i + 1) * 1000 + 1,
                position=i,
            )
            for i, name in enumerate(names)
        ]
        officers, counters = [], []
        for n in range(1, 9):
            officer = users.objects.create_user(
                f"bench-quay{n}", first_name=f"Cán bộ {n}", last_name="Nguyễn Văn"
            )
            StaffMembership.objects.create(user=officer, center=center, role="reception")
            counter = Counter.objects.create(center=center, number=n)
            counter.areas.add(areas[(n - 1) % len(areas)])
            officers.append(officer)
            counters.append(counter)
    days = [
        FIRST + timedelta(days=i)
        for i in range((LAST - FIRST).days + 1)
        if is_working_day(FIRST + timedelta(days=i))
    ]
    per_day = tickets / len(days)
    weights = [6, 3, 2, 1, 1]  # Hộ tịch is the busiest area
    started = time.perf_counter()
    made = 0
    for day in days:
        count = max(1, round(rng.gauss(per_day, per_day * 0.15)))
        count = min(count, tickets - made)
        if count <= 0:
            break
        _write_day(
            day, count, rng, center, areas, weights, counters, officers, Ticket, TicketEvent,
            Appointment,
        )  # fmt: skip
        made += count
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    print(f"generated {made:,} tickets in {time.perf_counter() - started:.0f} s")


def _write_day(
    day, count, rng, center, areas, weights, counters, officers, Ticket, TicketEvent, Appointment
):
    from django.db import transaction

    opening = datetime.combine(day, datetime.min.time(), VIETNAM).replace(hour=7)
    sequences = dict.fromkeys([a.pk for a in areas], 0)
    rows, stories = [], []
    for _n in range(count):
        area = rng.choices(areas, weights)[0]
        # A morning peak: half the day's numbers before 10:00.
        minutes = rng.triangular(0, 570, 90)
        issued = opening + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        sequences[area.pk] += 1
        index = [a.pk for a in areas].index(area.pk)
        counter, officer = counters[index], officers[index]
        roll = rng.random()
        wait = timedelta(seconds=rng.expovariate(1 / 720))
        service = timedelta(seconds=rng.lognormvariate(5.9, 0.5))
        called = issued + wait
        ticket = Ticket(
            center=center,
            area=area,
            issued_area=area,
            day=day,
            sequence=sequences[area.pk],
            number=area.first_number + sequences[area.pk] - 1,
            source="kiosk",
            issued_at=issued,
            order_at=issued,
        )
        events = [("issue", "", "waiting", issued, None, area)]
        if roll < 0.02:
            ticket.status, ticket.ended_at = "cancelled", issued + wait / 2
            events.append(("cancel", "waiting", "cancelled", ticket.ended_at, None, area))
        elif roll < 0.05:
            ticket.status = "no_show"
            ticket.called_at, ticket.ended_at = called, called + timedelta(minutes=2)
            ticket.counter, ticket.officer = counter, officer
            events += [
                ("call", "waiting", "called", called, counter, area),
                ("skip", "called", "no_show", ticket.ended_at, counter, area),
            ]
        elif roll < 0.06:
            other = areas[(index + 1) % len(areas)]
            moved = called + timedelta(minutes=1)
            again = moved + timedelta(seconds=rng.expovariate(1 / 600))
            ticket.area = other
            ticket.status = "done"
            ticket.called_at, ticket.started_at = again, again
            ticket.ended_at = again + service
            o_index = areas.index(other)
            ticket.counter, ticket.officer = counters[o_index], officers[o_index]
            events += [
                ("call", "waiting", "called", called, counter, area),
                ("transfer", "called", "waiting", moved, counter, other),
                ("call", "waiting", "called", again, counters[o_index], other),
                ("start", "called", "serving", again, counters[o_index], other),
                ("end", "serving", "done", ticket.ended_at, counters[o_index], other),
            ]
        elif roll < 0.065:
            ticket.status = "waiting"  # left waiting at closing
        else:
            ticket.status = "done"
            ticket.called_at, ticket.started_at = called, called + timedelta(seconds=20)
            ticket.ended_at = ticket.started_at + service
            ticket.counter, ticket.officer = counter, officer
            events += [
                ("call", "waiting", "called", called, counter, area),
                ("start", "called", "serving", ticket.started_at, counter, area),
                ("end", "serving", "done", ticket.ended_at, counter, area),
            ]
        rows.append(ticket)
        stories.append((events, officer))
    with transaction.atomic():
        Ticket.objects.bulk_create(rows, batch_size=2000)
        log = []
        for ticket, (events, officer) in zip(rows, stories, strict=True):
            for action, before, after, at, counter, area in events:
                actor = f"officer:{officer.username}" if counter else "kiosk:1"
                log.append(
                    TicketEvent(
                        ticket=ticket,
                        action=action,
                        from_status=before,
                        to_status=after,
                        at=at,
                        actor=actor,
                        counter=counter,
                        area=area,
                    )
                )
        TicketEvent.objects.bulk_create(log, batch_size=2000)
        bookings = []
        for n in range(max(1, count // 50)):
            status = rng.choices(["checked_in", "no_show", "cancelled"], [8, 1, 1])[0]
            bookings.append(
                Appointment(
                    center=center,
                    area=areas[0],
                    starts_at=opening + timedelta(hours=1 + n % 8),
                    code=f"{day:%y%m%d}{n:04d}"[-12:],
                    status=status,
                    booked_at=opening - timedelta(days=2),
                )
            )
        Appointment.objects.bulk_create(bookings)


def timed(fn, repeat: int) -> dict:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(samples), "max_ms": max(samples), "n": repeat}


def measure(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from motcua.centers.models import Center
    from motcua.queue.models import Ticket, TicketEvent
    from motcua.queue.reports import queue_report
    from motcua.reports import dashboard, views

    center = Center.objects.get(agency_code=AGENCY)
    leader = get_user_model().objects.get(username=LEADER)
    superuser, _ = get_user_model().objects.get_or_create(
        username="bench-quantri", defaults={"is_superuser": True, "is_staff": True}
    )
    views.clock = lambda: datetime(2026, 7, 15, 9, 0, tzinfo=VIETNAM)
    period = {"tu": f"{FIRST:%d/%m/%Y}", "den": f"{LAST:%d/%m/%Y}"}
    client = Client()
    client.force_login(leader)
    admin = Client()
    admin.force_login(superuser)

    def engine():
        queue_report(FIRST, LAST, center=center, detail=True)

    def page():
        response = client.get("/can-bo/bao-cao/", period)
        assert response.status_code == 200 and b'id="hang-doi"' in response.content

    original = dashboard.load

    def page_without_queue():
        views.load = lambda *a, **k: original(*a, **{**k, "queue": False})
        try:
            response = client.get("/can-bo/bao-cao/", period)
            assert response.status_code == 200 and b'id="hang-doi"' not in response.content
        finally:
            views.load = original

    def province():
        response = admin.get("/can-bo/bao-cao/tinh/", {**period, "tinh": center.province})
        assert response.status_code == 200 and b'id="hang-doi"' in response.content

    print(
        f"{connection.vendor}, {Ticket.objects.filter(center=center).count():,} tickets, "
        f"{TicketEvent.objects.count():,} events; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores"
    )
    for name, fn in (
        ("queue_report, center-year, with counters and officers", engine),
        ("center dashboard page, year (with the queue section)", page),
        ("center dashboard page, year, queue section left out", page_without_queue),
        ("province dashboard page, year", province),
    ):
        result = timed(fn, repeat)
        print(f"{name}: median {result['median_ms']:.0f} ms, max {result['max_ms']:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup(args.database_url)
    if args.generate:
        generate(args.tickets, args.seed)
    measure(args.repeat)


if __name__ == "__main__":
    main()
