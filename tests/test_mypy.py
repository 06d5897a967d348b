"""mypy on the domain code listed in pyproject.toml ([tool.mypy] files), so a type error fails CI."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
pytest.importorskip("mypy_django_plugin", reason="django-stubs is not installed (dev extra)")


def _checked_files() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["mypy"]["files"]


def test_the_configuration_names_the_domain_files():
    files = _checked_files()
    assert "src/motcua/dossiers/states.py" in files
    assert all((ROOT / name).is_file() for name in files)


def test_the_domain_code_type_checks():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", os.devnull, "--no-error-summary"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reports_a_type_error(tmp_path):
    """The check can fail: the same mypy finds an error in a deliberately wrong file."""
    wrong = tmp_path / "wrong.py"
    wrong.write_text('def days() -> int:\n    return "ba"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", os.devnull, "--config-file", "", str(wrong)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Incompatible return value type" in result.stdout
