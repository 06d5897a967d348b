"""CPU time of each kiosk request, in one process, without a web server (issue 10).

Usage (the database is created empty and owned by this script; never the test database):

    .venv/bin/python bench/kiosk_steps_cpu.py --database-url postgres://postgres@127.0.0.1:5432/bench_steps

``bench/kiosk_http_load.py`` gives the server's CPU per dossier under load but cannot say which
request spends it. Here Django's test client (the same middleware and views; no ASGI server, no
HTTP parsing) runs the kiosk flow ``--count`` times (the steps of kiosk_http_load.py: start,
card, form page, form posted with a 200 KB scan, confirmation page, confirmation = the
service call, slip, finish) and times each step by ``time.process_time`` (this process only:
other processes on the machine hardly change it), with the statements each step runs.
``--profile STEP`` adds cProfile of that step.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict

import intake_lock
from kiosk_http_load import FORM, PROCEDURE, QR_PAYLOAD, SCAN, STEPS, SUBMIT_KEY
from setup_db import configure, fresh_database

DOC_FIELD = re.compile(r'name="(doc_\d+)_(paper|file)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--profile", choices=STEPS)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="motcua-kiosk-steps-")
    try:
        run(args, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, var_dir: str) -> None:
    fresh_database(args.database_url)
    configure(args.database_url, var_dir, ALLOWED_HOSTS="testserver,127.0.0.1")
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from motcua.centers.models import Center
    from motcua.kiosk.models import KioskDevice

    intake_lock.prepare()
    device = KioskDevice.objects.create(center=Center.objects.get(), name="Kiosk đo")
    code = device.new_activation_code(now=timezone.now())
    device.save()
    client = Client()
    assert client.post("/kiosk/kich-hoat/", {"code": code}).status_code == 302

    cpu: dict[str, list[float]] = defaultdict(list)
    statements: dict[str, int] = {}
    profiler = cProfile.Profile(time.process_time) if args.profile else None

    def step(name, call, *a, **kw):
        if profiler and name == args.profile:
            profiler.enable()
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            response = call(*a, **kw)
            cpu[name].append((time.process_time() - started) * 1000)
        if profiler and name == args.profile:
            profiler.disable()
        statements[name] = len(queries.captured_queries)
        return response

    def flow() -> None:
        assert step("start", client.get, "/kiosk/").status_code == 200
        assert step("scan", client.post, "/kiosk/the/", {"scan": QR_PAYLOAD}).status_code == 302
        path = f"/kiosk/to-khai/{PROCEDURE}/"
        page = step("form", client.get, path)
        assert page.status_code == 200
        text = page.content.decode()
        fields = dict(FORM, child_sex="Nam")
        docs = sorted({m.group(1) for m in DOC_FIELD.finditer(text)})
        for n, doc in enumerate(docs):
            if n == 0 and f'name="{doc}_file"' in text:
                fields[f"{doc}_file"] = SimpleUploadedFile(
                    "giay-chung-sinh.pdf", SCAN, content_type="application/pdf"
                )
            else:
                fields[f"{doc}_paper"] = "on"
        assert step("fill", client.post, path, fields).status_code == 302
        review = step("review", client.get, "/kiosk/xac-nhan/")
        key = SUBMIT_KEY.search(review.content.decode()).group(1)
        confirmed = step("confirm", client.post, "/kiosk/xac-nhan/", {"submit_key": key})
        assert confirmed.status_code == 302, confirmed.content[:300]
        assert step("slip", client.get, "/kiosk/phieu-hen/").status_code == 200
        assert step("finish", client.post, "/kiosk/ket-thuc/").status_code == 302

    for _ in range(3):  # warm: templates, plans, caches
        flow()
    cpu.clear()
    if profiler:
        profiler = cProfile.Profile(time.process_time)
    for _ in range(args.count):
        flow()

    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load "
        f"{os.getloadavg()[0]:.1f}, {connection.vendor}, {args.count} flows"
    )
    total = 0.0
    for name in STEPS:
        median = statistics.median(cpu[name])
        total += median
        print(f"{name:8s} CPU median {median:6.2f} ms  statements {statements[name]:3d}")
    print(f"{'flow':8s} CPU sum of medians {total:6.2f} ms")
    if profiler:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(35)
            print(out.getvalue())


if __name__ == "__main__":
    main()
