"""The real finder over the bundled catalog, built once for the assistant's tests."""

from __future__ import annotations

import json

import pytest

from motcua.catalog.services import bundled_catalog_path
from tests.kiosk.conftest import demo_center, kiosk_client, kiosk_device  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def engine():
    from motcua.search.finder import build_finder

    return build_finder(use_database=False)


@pytest.fixture(autouse=True)
def _real_finder(engine, monkeypatch):
    monkeypatch.setattr("motcua.search.finder.get_finder", lambda *a, **k: engine)
    monkeypatch.setattr(
        "motcua.assistant.pipeline.settings.MOTCUA_ASSISTANT_LLM_URL", "", raising=False
    )


@pytest.fixture(scope="session")
def bundle() -> dict[str, dict]:
    data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    return {p["code"]: p for p in data["procedures"]}


def direct(bundle: dict, code: str) -> dict:
    """The in-person channel of a bundled procedure: the facts an answer must state."""
    return next(c for c in bundle[code]["channels"] if c["channel"] == "direct")
