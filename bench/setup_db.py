"""What the intake and queue benchmarks share: a Django set up on a database they own."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configure(database_url: str, var_dir: str, **environment: str) -> None:
    """Django on ``database_url`` with a throw-away var/, as a demo installation."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["MOTCUA_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["MOTCUA_DEMO"] = "1"  # demo-center builds the demo center only on a demo install
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # e.g. a notice's SMTP attempt: no mail server
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def fresh_database(url: str) -> None:
    """An empty database: SQLite files removed, a PostgreSQL database dropped and created.
    Never a test database."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-writer.lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    if name in {"test", "test_test"} or name.startswith("test_"):
        sys.exit("Không dùng cơ sở dữ liệu test cho benchmark.")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
