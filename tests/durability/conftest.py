"""Real installations for durability tests: their own var/ (SQLite) or their own PostgreSQL
database, driven through the ``motcua`` command in subprocesses.

The engine follows the suite: DATABASE_URL set to PostgreSQL → each installation gets a fresh
database ``motcua_durability_<pid>_<n>`` on that server, dropped afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
_numbers = itertools.count(1)
# A usual server umask: files are world-readable unless motcua makes them private itself.
UMASK = 0o022


def suite_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


class Installation:
    def __init__(self, var_dir: Path, database_url: str = ""):
        self.var_dir = var_dir
        self.database_url = database_url
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
        # The production settings, not the test settings (which fix a throwaway key).
        env.pop("SECRET_KEY", None)
        env.pop("DATABASE_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="motcua.settings",
            MOTCUA_VAR_DIR=str(var_dir),
            PYTHONPATH=os.pathsep.join([str(SRC), str(ROOT)]),
            PYTHONWARNINGS="ignore",
            MOTCUA_DEMO="1",  # the probe builds the demo center (demo-center needs it)
            LOG_LEVEL="WARNING",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        self.env = env

    def set_up(self) -> None:
        """What scripts/setup does for var/: a private directory with a random secret key."""
        self.var_dir.mkdir(mode=0o700)
        key = self.var_dir / "secret_key"
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")

    @property
    def engine(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def motcua(self, *args: str, timeout: float = 60, check: bool = True, env=None):
        done = subprocess.run(
            [sys.executable, "-m", "motcua", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            umask=UMASK,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"motcua {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def probe(self, *args: str, timeout: float = 60) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "tests.durability.probe", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            umask=UMASK,
        )
        if done.returncode != 0:
            raise AssertionError(f"probe {args} exited {done.returncode}:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def backup_tools_missing(installation: Installation) -> str:
    """Why ``motcua backup``/``restore`` cannot run here ("" when they can)."""
    if installation.engine == "postgresql":
        missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
        if missing:
            return f"{' and '.join(missing)} not installed (package postgresql-client)"
    return ""


def _admin_connect(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


@pytest.fixture
def make_installation(tmp_path):
    """``make_installation()`` → an empty installation on the suite's database engine."""
    server = suite_database_url()
    created: list[str] = []

    def make() -> Installation:
        number = next(_numbers)
        var_dir = tmp_path / f"var{number}"
        if not server:
            return Installation(var_dir)
        name = f"motcua_durability_{os.getpid()}_{number}"
        with _admin_connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return Installation(var_dir, urlunsplit(urlsplit(server)._replace(path=f"/{name}")))

    yield make
    if created:
        with _admin_connect(server) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
