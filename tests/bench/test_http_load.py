"""bench/http_load.py still drives every kind of request without an error (times nothing).

A real ``motcua serve`` on a throwaway SQLite installation, 8 clients for about two seconds:
the harness must sign officers in, activate its kiosks, and get only 2xx/3xx answers from the
kiosk flow, the officers' pages and forms, the dashboards and the public lookup. Its numbers
belong to docs/benchmarks.md, never to a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("kiosk", "officer", "dashboard", "lookup")


@pytest.mark.slow  # the server loads the search model
def test_two_seconds_of_the_mix_make_every_kind_of_request_without_error(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "http_load.py"),
            "--engines",
            "sqlite",
            "--pg",
            "",
            "--workers",
            "1",
            "--clients",
            "8",
            "--seconds",
            "2",
            "--warmup",
            "0.5",
            "--demo-dossiers",
            "0",
            "--seed-dossiers",
            "2",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (result,) = json.loads(out.read_text())["results"]
    assert result["engine"] == "sqlite"
    assert result["errors"] == 0 and result["warmup_errors"] == 0, result["error_samples"]
    for kind in KINDS:
        assert result["kinds"][kind]["requests"] > 0, (kind, result["kinds"])
    assert result["server_cpu_s"] > 0
