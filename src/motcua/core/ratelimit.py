"""Fixed-window rate limits kept in the database, so they hold across processes and servers.

Public pages that a stranger can call in a loop (dossier tracking, signature verification, kiosk
activation) must not let one address walk the day's dossiers or burn the server's CPU. Each
limit is a key (what is limited and for whom, e.g. ``"track:ip:203.0.113.7"``), a number of
hits and a window. The counter row is updated with one ``UPDATE … SET count = count + 1``, which
is atomic on SQLite and PostgreSQL, so concurrent workers never lose a hit.

Keys hold addresses or hashes, never personal data (Nghị định 13/2023/NĐ-CP): callers pass a
hash of anything else (``hashed``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from motcua.core.models import RateCounter


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` calls per ``window_seconds`` for one key."""

    name: str
    hits: int
    window_seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when trusted.

    Behind the documented reverse proxy (docs/deploy.md), REMOTE_ADDR is the proxy; the client is
    the right-most address the proxy appended. Only addresses listed in ``MOTCUA_TRUSTED_PROXIES``
    are believed, so a client cannot choose its own address by sending the header itself.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "MOTCUA_TRUSTED_PROXIES", ()) or ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        while hops and hops[-1] in trusted:
            hops.pop()
        if hops:
            return hops[-1][:64]
    return remote[:64]


def hashed(value: str) -> str:
    """A short keyed hash for key parts that would otherwise be personal data."""
    digest = hashlib.blake2b(
        value.encode("utf-8"), key=settings.SECRET_KEY.encode("utf-8")[:64], digest_size=12
    )
    return digest.hexdigest()


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, tz=now.tzinfo)


def hit(limit: Limit, key: str, *, now: datetime | None = None, cost: int = 1) -> Verdict:
    """Count one call for ``key`` under ``limit`` and say whether it is allowed.

    Call it before the request's own transaction: the count is committed on its own, so a
    request that fails afterwards still counts. A race on a window's first insert is retried.
    """
    now = now or timezone.now()
    start = _window_start(now, limit.window_seconds)
    full_key = f"{limit.name}:{key}"[:200]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                updated = RateCounter.objects.filter(key=full_key, window_start=start).update(
                    count=F("count") + cost
                )
                if not updated:
                    # A new window: drop the key's old windows, then start counting.
                    RateCounter.objects.filter(key=full_key).delete()
                    RateCounter.objects.create(key=full_key, window_start=start, count=cost)
                count = (
                    RateCounter.objects.filter(key=full_key, window_start=start)
                    .values_list("count", flat=True)
                    .first()
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - three lost races in a row
        count = limit.hits + 1
    count = count or 0
    allowed = count <= limit.hits
    retry_after = 0
    if not allowed:
        end = start + timedelta(seconds=limit.window_seconds)
        retry_after = max(1, int((end - now).total_seconds()))
    return Verdict(allowed=allowed, count=count, retry_after=retry_after)


def peek(limit: Limit, key: str, *, now: datetime | None = None) -> int:
    """How many calls ``key`` has made in the current window, without counting one."""
    now = now or timezone.now()
    start = _window_start(now, limit.window_seconds)
    return (
        RateCounter.objects.filter(key=f"{limit.name}:{key}"[:200], window_start=start)
        .values_list("count", flat=True)
        .first()
        or 0
    )


def reset(limit: Limit, key: str) -> None:
    RateCounter.objects.filter(key=f"{limit.name}:{key}"[:200]).delete()


def purge_expired(*, now: datetime | None = None, older_than_seconds: int = 86400) -> int:
    """Delete windows that ended long ago (run from a daily job or any command)."""
    now = now or timezone.now()
    deleted, _ = RateCounter.objects.filter(
        window_start__lt=now - timedelta(seconds=older_than_seconds)
    ).delete()
    return deleted
