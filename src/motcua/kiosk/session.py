"""The citizen's kiosk session: everything lives server-side and is wiped at the end.

Nghị định 13/2023/NĐ-CP: personal data is kept only as long as needed. The browser holds just
the session cookie (no localStorage, no personal data in URLs); finishing, starting over or
going idle flushes the server-side session.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from motcua.eforms.uploads import UploadStore
from motcua.identity.signing import card_token_max_age

KEYS = (
    "card",
    "card_token",
    "procedure",
    "form",
    "submit_key",
    "dossier_code",
    "slip_links",
    "last_seen",
    "kiosk",
)
# ``last_seen`` is rewritten at most this often: a kiosk request that changes nothing else then
# leaves the session row alone (no UPDATE and commit per page view). The server wipes after the
# device's idle limit plus a 30 s margin, so the coarser stamp can only bring that wipe forward
# by these seconds; it still comes after the browser's own wipe (idle limit + 15 s).
TOUCH_RESOLUTION_SECONDS = 5


def touch(
    request: HttpRequest, *, idle_seconds: int, device_id: int, now: float | None = None
) -> bool:
    """Record activity; return False (and wipe) when the previous activity is too old or
    happened on another kiosk (a session cookie carried over must not show that citizen)."""
    now = time.time() if now is None else now
    if request.session.get("kiosk", device_id) != device_id:
        wipe(request)
        request.session["kiosk"] = device_id
        request.session["last_seen"] = now
        return False
    if request.session.get("kiosk") != device_id:  # assigning the same value would save
        request.session["kiosk"] = device_id
    last = request.session.get("last_seen")
    # The browser warns at idle_seconds and wipes 15 s later; the server enforces the same
    # limit (plus a margin for a slow network) in case the page script did not run.
    if last is not None and now - float(last) > idle_seconds + 30:
        wipe(request)
        request.session["last_seen"] = now
        return False
    if last is None or now - float(last) >= TOUCH_RESOLUTION_SECONDS:
        request.session["last_seen"] = now
    return True


def wipe(request: HttpRequest) -> None:
    """Flush the session and delete the scans it parked for the confirmation. Scans parked by
    sessions nobody finished are deleted here too once older than a card reading stays usable
    (no submission can still pick them up)."""
    store = UploadStore()
    stored = request.session.get("form") or {}
    for name, values in (stored.get("data") or {}).items():
        if name.startswith("doc_") and name.endswith("_token"):
            for token in values:
                store.discard(token)
    store.purge(older_than_seconds=card_token_max_age() + 60)
    request.session.flush()


def card(request: HttpRequest) -> dict | None:
    return request.session.get("card")
