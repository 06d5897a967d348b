"""Shared browser fixtures: Debian's Chromium driven by Playwright, screenshots kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# pytest-django's live_server runs in a thread; Playwright's sync API runs an event loop in this
# one, which makes Django refuse ORM calls from fixtures unless told it is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or shutil.which("chromium"):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _retrying_screenshot(original):
    """Chromium sometimes answers "Unable to capture screenshot" on a loaded machine: the page
    is fine, the capture is not. Screenshots are kept for people to look at, so try again a
    couple of times before calling it a failure."""

    def screenshot(self, *args, **kwargs):
        for attempt in range(3):
            try:
                return original(self, *args, **kwargs)
            except sync_api.Error as exc:
                if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                    raise
                self.wait_for_timeout(500)
        return None  # pragma: no cover - the loop returns or raises

    return screenshot


sync_api.Page.screenshot = _retrying_screenshot(sync_api.Page.screenshot)


def fill_fields(page, values: dict[str, str]) -> None:
    """Fill an e-form as a person would: type into text fields, pick a pick list's option, and
    leave alone what the page shows read-only (card values, the parent filled from the card)."""
    for name, text in values.items():
        fields = page.locator(f"[name={name}]")
        first = fields.first
        kind = (first.get_attribute("type") or "").lower()
        if kind == "radio":
            page.locator(f"[name={name}][value='{text}']").check()
        elif first.evaluate("e => e.tagName") == "SELECT":
            first.select_option(text)
        elif first.get_attribute("readonly") is None and first.is_editable():
            first.fill(text)
