"""Child process of ``test_sqlite_writer_queue``: one process of kiosks on a SQLite file.

``python sqlite_writers.py setup DB`` migrates the file and adds a center and a procedure;
``python sqlite_writers.py write DB TAG THREADS COUNT GO`` prints ``ready``, waits for the file
GO, then submits COUNT dossiers from each of THREADS threads and prints one JSON line.
The busy timeout is cut to 200 ms so that a writer left to SQLite's busy handler would fail
with "database is locked" in seconds; queued writers never reach it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
BUSY_MS = 200
NOW = datetime(2025, 7, 7, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def configure(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MOTCUA_VAR_DIR"] = str(Path(database).parent)
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.test_settings"
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from django.conf import settings

    options = settings.DATABASES["default"]["OPTIONS"]
    assert "busy_timeout=10000" in options["init_command"]
    options["init_command"] = options["init_command"].replace(
        "busy_timeout=10000", f"busy_timeout={BUSY_MS}"
    )
    import django

    django.setup()


def setup() -> None:
    from django.core.management import call_command

    from tests.dossiers.conftest import make_center, make_procedure

    call_command("migrate", verbosity=0)
    make_center()
    make_procedure()


def write(tag: str, threads: int, count: int, go: Path) -> None:
    from django.db import connection, transaction

    from motcua.catalog.models import Procedure
    from motcua.centers.models import Center
    from motcua.dossiers.services import Applicant, submit_dossier

    codes: list[str] = []
    errors: list[str] = []

    def kiosk(index: int) -> None:
        try:
            center = Center.objects.get()
            procedure = Procedure.objects.get()
            while not go.exists():
                time.sleep(0.01)
            for n in range(count):
                with transaction.atomic():
                    dossier, _ = submit_dossier(
                        center=center,
                        procedure=procedure,
                        applicant=Applicant(name="Trần Văn Kiốt"),
                        form_data={},
                        form_version=1,
                        documents=[],
                        channel="kiosk",
                        actor=f"kiosk:{tag}-{index}",
                        idempotency_key=f"{tag}-{index}-{n}",
                        now=NOW,
                    )
                codes.append(dossier.code)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    workers = [threading.Thread(target=kiosk, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    print("ready", flush=True)
    for worker in workers:
        worker.join()
    print(json.dumps({"codes": codes, "errors": errors}), flush=True)


if __name__ == "__main__":
    configure(sys.argv[2])
    if sys.argv[1] == "setup":
        setup()
    else:
        tag, threads, count, go = sys.argv[3:7]
        write(tag, int(threads), int(count), Path(go))
