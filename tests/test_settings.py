"""Settings from the environment: safe defaults, clear errors, optional object storage."""

from __future__ import annotations

import os
import subprocess
import sys


def settings_value(expression: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    ignored = {"SECRET_KEY", "DEBUG", "S3_BUCKET", "DATABASE_URL"}  # the run's own settings
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update({"MOTCUA_VAR_DIR": str(tmp_path), **env})
    code = f"import motcua.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


class TestSecretKey:
    def test_missing_secret_in_production_is_a_clear_error(self, tmp_path):
        result = settings_value("s.SECRET_KEY", {}, tmp_path)
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr

    def test_secret_from_the_environment(self, tmp_path):
        result = settings_value("s.SECRET_KEY, s.DEBUG", {"SECRET_KEY": "abc"}, tmp_path)
        assert result.stdout.strip() == "abc False"

    def test_secret_file_written_by_setup(self, tmp_path):
        (tmp_path / "secret_key").write_text("from-file\n", encoding="utf-8")
        assert settings_value("s.SECRET_KEY", {}, tmp_path).stdout.strip() == "from-file"


class TestDatabase:
    def test_sqlite_in_var_by_default_with_wal(self, tmp_path):
        result = settings_value(
            "s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']['init_command']",
            {"SECRET_KEY": "x"},
            tmp_path,
        )
        assert str(tmp_path / "motcua.sqlite3") in result.stdout
        assert "journal_mode=WAL" in result.stdout and "foreign_keys=ON" in result.stdout

    def test_sqlite_connections_are_kept_like_postgresql_ones(self, tmp_path):
        expression = "s.DATABASES['default']['CONN_MAX_AGE']"
        assert settings_value(expression, {"SECRET_KEY": "x"}, tmp_path).stdout.strip() == "60"
        off = {"SECRET_KEY": "x", "DB_CONN_MAX_AGE": "0"}
        assert settings_value(expression, off, tmp_path).stdout.strip() == "0"

    def test_a_kept_sqlite_connection_reads_what_another_committed(self, tmp_path):
        """Kept between requests (issue 10), a connection must not read an old snapshot."""
        script = """
import threading, django
django.setup()
from django.db import connection, transaction
def write(value):
    with transaction.atomic():
        connection.cursor().execute("insert into t values (%s)", [value])
    connection.close()
connection.cursor().execute("create table t (v integer)")
write_thread = threading.Thread(target=write, args=[1]); write_thread.start(); write_thread.join()
before = connection.cursor().execute("select count(*) from t").fetchone()[0]
write_thread = threading.Thread(target=write, args=[2]); write_thread.start(); write_thread.join()
after = connection.cursor().execute("select count(*) from t").fetchone()[0]
print(before, after)
"""
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
        env.update(
            MOTCUA_VAR_DIR=str(tmp_path),
            SECRET_KEY="x",
            DJANGO_SETTINGS_MODULE="motcua.settings",
        )
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
        )
        assert result.stdout.strip() == "1 2", result.stderr

    def test_postgres_from_database_url(self, tmp_path):
        result = settings_value(
            "s.DATABASES['default']['ENGINE']",
            {"SECRET_KEY": "x", "DATABASE_URL": "postgres://u:p@db:5432/motcua"},
            tmp_path,
        )
        assert result.stdout.strip() == "django.db.backends.postgresql"

    def test_behind_pgbouncer_in_transaction_mode(self, tmp_path):
        expression = (
            "s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'], "
            "s.DATABASES['default']['CONN_MAX_AGE'], s.MOTCUA_LISTEN_DATABASE_URL"
        )
        pooled = {
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgres://u:p@pgbouncer:6432/motcua",
            "DB_DISABLE_SERVER_SIDE_CURSORS": "1",
            "MOTCUA_LISTEN_DATABASE_URL": "postgres://u:p@db:5432/motcua",
        }
        assert settings_value(expression, pooled, tmp_path).stdout.strip() == (
            "True 60 postgres://u:p@db:5432/motcua"
        )
        direct = {"SECRET_KEY": "x", "DATABASE_URL": "postgres://u:p@db:5432/motcua"}
        assert (
            settings_value(expression, direct, tmp_path).stdout.strip() == "False 60"
        )  # no listener URL: the listener uses DATABASE_URL


class TestStorage:
    def test_local_files_by_default_and_s3_when_a_bucket_is_set(self, tmp_path):
        local = settings_value("s.STORAGES['default']['BACKEND']", {"SECRET_KEY": "x"}, tmp_path)
        assert local.stdout.strip() == "django.core.files.storage.FileSystemStorage"
        s3 = settings_value(
            "s.STORAGES['default']['BACKEND']", {"SECRET_KEY": "x", "S3_BUCKET": "ho-so"}, tmp_path
        )
        assert s3.stdout.strip() == "storages.backends.s3.S3Storage"
