"""KPI dashboards at province and national scale: how long they take to render.

Usage (PostgreSQL; the database is created if missing and must not be the test database):

    .venv/bin/python bench/kpi_scale.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench \
        --generate --dossiers 1000000            # 148 communes of Phú Thọ, one year of history
    .venv/bin/python bench/kpi_scale.py --database-url ... --national   # + 33 provinces → 10M
    .venv/bin/python bench/kpi_scale.py --database-url sqlite:////tmp/commune.sqlite3 \
        --generate --dossiers 30000 --communes 1   # one commune on SQLite

What is timed (wall clock, after one warm-up, ``--repeat`` times, median and max reported; beside
it the median CPU time of this process and of its PostgreSQL backend, which a shared machine's
load hardly changes):
- the province dashboard page for the province-year, rendered through Django's test client
  as a superuser (the whole view: engine calls, charts, template);
- the center dashboard page of one commune for the year;
- the full KPI set (``kpi.compute``) for one commune-month, over several communes.

``--generate`` runs ``motcua demo-data`` (real dossiers, events, documents, facts and cells
written by the product's generator). ``--national`` adds the other 33 provinces' 3,173
communes without events: each new commune copies a sample of the dossier rows and KPI facts of
one Phú Thọ commune (same distributions, new ids, codes and center), then its cells are
built by ``rollups``. The dashboards read only centers, facts and cells, so the copies load
them exactly as generated history would; the method is stated with the numbers in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCE_CODE = 25  # Phú Thọ: 148 communes, as in the press example "83/148"
PERIOD = (date(2025, 7, 1), date(2026, 6, 30))
MONTH = (date(2025, 10, 1), date(2025, 10, 31))
NATIONAL_TARGET = 10_000_000


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    if database_url.startswith("postgres"):
        _create_database(database_url)
    import django

    django.setup()


def _create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if name in {"test", "test_test"}:
        sys.exit("Không dùng cơ sở dữ liệu test của CI cho benchmark.")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')


def timed(fn, repeat: int) -> dict:
    fn()  # warm-up: first queries pay for plans and cold pages
    samples, cpu = [], []
    for _ in range(repeat):
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_seconds() - cpu_before) * 1000)
    return {
        "median_ms": statistics.median(samples),
        "max_ms": max(samples),
        "cpu_ms": statistics.median(cpu),
        "n": repeat,
    }


def cpu_seconds() -> float:
    """CPU time of this process and of its PostgreSQL backend (user + system): unlike the wall
    time it hardly depends on what else the shared machine runs."""
    from django.db import connection

    own = time.process_time()
    if connection.vendor != "postgresql":
        return own
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine: only this process's share
        return own
    return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def generate(dossiers: int, communes: int | None) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("catalog", "load", verbosity=0)
    call_command("demo_center", verbosity=0)
    args = [
        "--province",
        str(PROVINCE_CODE),
        "--dossiers",
        str(dossiers),
        "--from",
        PERIOD[0].isoformat(),
        "--to",
        PERIOD[1].isoformat(),
        "--seed",
        "1",
    ]
    if communes:
        args += ["--communes", str(communes)]
    started = time.perf_counter()
    call_command("demo_data", *args)
    print(f"demo-data: {dossiers:,} dossiers in {time.perf_counter() - started:.0f} s")


def add_national() -> None:
    """Copy sampled dossier rows and facts of Phú Thọ communes to the other provinces."""
    from django.db import connection, transaction

    from motcua.centers.models import Center
    from motcua.demodata import places
    from motcua.dossiers.models import Dossier
    from motcua.reports.rollups import _rebuild_cells

    templates = list(
        Center.objects.filter(province=places.province_name(PROVINCE_CODE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    have = Dossier.objects.count()
    others = []
    from vietnam_provinces import ProvinceCode

    for code in sorted(int(p) for p in ProvinceCode):
        if code != PROVINCE_CODE:
            others.extend(places.communes(code))
    existing = set(Center.objects.values_list("agency_code", flat=True))
    new = [
        Center(
            agency_code=c.agency_code,
            name=f"Trung tâm Phục vụ hành chính công {c.name[:1].lower()}{c.name[1:]}",
            commune=c.name,
            province=c.province,
        )
        for c in others
        if c.agency_code not in existing
    ]
    Center.objects.bulk_create(new, batch_size=1000)
    targets = list(
        Center.objects.exclude(pk__in=templates).order_by("pk").values_list("pk", flat=True)
    )
    per_template = have / len(templates)
    share = min(1.0, (NATIONAL_TARGET - have) / (len(targets) * per_template))
    percent = max(1, round(share * 100))
    print(f"national: {len(targets)} communes, sampling {percent} % of a template commune each")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("create temporary table center_map (target int primary key, template int)")
        cur.executemany(
            "insert into center_map values (%s, %s)",
            [(t, templates[i % len(templates)]) for i, t in enumerate(targets)],
        )
        cur.execute(
            """
            create temporary table dossier_map as
            select d.id as old_id, m.target as center_id,
                   nextval(pg_get_serial_sequence('dossiers_dossier', 'id')) as new_id
            from center_map m join dossiers_dossier d on d.center_id = m.template
            where d.id %% 100 < %s
            """,
            [percent],
        )
        columns = [
            f.column
            for f in Dossier._meta.concrete_fields
            if f.column not in {"id", "code", "center_id", "idempotency_key"}
        ]
        # The copies carry no declaration and no applicant: the dashboards never read them,
        # and 9M copies of the generated forms would only fill the disk.
        blank = {"form_data": "'{}'::jsonb", "applicant_name": "''", "applicant_address": "''"}
        cur.execute(
            f"""
            insert into dossiers_dossier (id, code, center_id, idempotency_key, {", ".join(columns)})
            select m.new_id, 'BENCH-' || m.new_id, m.center_id, 'bench-' || m.new_id,
                   {", ".join(blank.get(c, "d." + c) for c in columns)}
            from dossier_map m join dossiers_dossier d on d.id = m.old_id
            """
        )
        fact_columns = [
            f.column
            for f in demo_fact_fields()
            if f.column not in {"dossier_id", "center_id", "assignee_id"}
        ]
        cur.execute(
            f"""
            insert into reports_dossierfact (dossier_id, center_id, assignee_id,
                                             {", ".join(fact_columns)})
            select m.new_id, m.center_id, null, {", ".join("f." + c for c in fact_columns)}
            from dossier_map m join reports_dossierfact f on f.dossier_id = m.old_id
            """
        )
        cur.execute("select count(*) from dossier_map")
        copied = cur.fetchone()[0]
        _rebuild_cells({(t, None, None, None) for t in targets}, whole_centers=True)
    cur_count = Dossier.objects.count()
    print(
        f"national: copied {copied:,} dossiers and facts in {time.perf_counter() - started:.0f} s;"
        f" {cur_count:,} dossiers in all"
    )
    with connection.cursor() as cur:
        cur.execute("analyze")


def demo_fact_fields():
    from motcua.reports.models import DossierFact

    return DossierFact._meta.concrete_fields


def measure(repeat: int) -> list[tuple[str, dict]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from motcua.centers.models import Center
    from motcua.demodata import places
    from motcua.reports import kpi

    province = places.province_name(PROVINCE_CODE)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    period = f"tu={PERIOD[0]:%d/%m/%Y}&den={PERIOD[1]:%d/%m/%Y}"
    centers = list(
        Center.objects.filter(province=province)
        .order_by("pk")
        .values_list("agency_code", flat=True)
    )

    from django.db.models import Count

    from motcua.reports.models import DossierFact

    busiest = (
        DossierFact.objects.filter(center__province=province)
        .values("center__agency_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["center__agency_code"]
    )

    def page(url: str):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    results = [
        (
            "province dashboard, province-year (HTTP)",
            timed(page(f"/can-bo/bao-cao/tinh/?tinh={province}&{period}"), repeat),
        ),
        (
            "center dashboard of the busiest commune, commune-year (HTTP)",
            timed(page(f"/can-bo/bao-cao/?trung-tam={busiest}&{period}"), repeat),
        ),
    ]
    sample = centers[:: max(1, len(centers) // 10)][:10]
    month_samples = []
    for code in sample:
        month_samples.append(
            timed(lambda code=code: kpi.compute(*MONTH, slice=kpi.Slice(center=code)), repeat)
        )
    results.append(
        (
            f"kpi.compute, commune-month ({len(sample)} communes)",
            {
                "median_ms": statistics.median(s["median_ms"] for s in month_samples),
                "max_ms": max(s["max_ms"] for s in month_samples),
                "cpu_ms": statistics.median(s["cpu_ms"] for s in month_samples),
                "n": repeat * len(sample),
            },
        )
    )
    results.append(
        (
            "kpi.compute, province-year (engine only)",
            timed(lambda: kpi.compute(*PERIOD, slice=kpi.Slice(province=province)), repeat),
        )
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=None)
    parser.add_argument("--national", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    setup(args.database_url)
    if args.generate:
        generate(args.dossiers, args.communes)
    if args.national:
        add_national()
    if args.generate and args.database_url.startswith("postgres"):
        # What autovacuum does minutes after a bulk load; measuring before it would time the
        # planner's guesses about empty tables, not the dashboards.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("analyze")
    from motcua.dossiers.models import Dossier
    from motcua.reports.models import DossierFact

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.database_url.split(':', 1)[0]}; "
        f"{Dossier.objects.count():,} dossiers, {DossierFact.objects.count():,} facts"
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print("| what | median (ms) | max (ms) | CPU median (ms) | runs |")
    print("|---|---|---|---|---|")
    for name, r in measure(args.repeat):
        print(
            f"| {name} | {r['median_ms']:.0f} | {r['max_ms']:.0f} | {r['cpu_ms']:.0f} | {r['n']} |"
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


if __name__ == "__main__":
    main()
