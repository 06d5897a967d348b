"""The event spine: other apps follow the dossier log without the dossier app knowing them.

``record_event`` appends an event to a dossier's log and publishes it here. An app that follows
the log registers a handler in its ``AppConfig.ready()`` (reports: the KPI projection; notices:
the outbox row); the dossier app imports none of them, so no call goes up and no import cycle
hides in a function body (style.md, "An event spine with subscribers, not upward calls").

Two phases:

- ``in_transaction``: the handler runs at once, inside the caller's transaction. For what must
  be exactly as durable as the event (a projection, an outbox row): if it raises, the exception
  propagates and the whole write rolls back, event included.
- ``after_commit``: the handler runs after the commit (``transaction.on_commit``) and never
  after a rollback. For what leaves the database (a broadcast to a display). The request has
  already committed, so a failure is logged and swallowed, never a 500.

Handlers run in registration order: ``ready()`` runs in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Literal

from django.db import transaction

if TYPE_CHECKING:
    from motcua.dossiers.models import DossierDocument, DossierEvent

logger = logging.getLogger("motcua.dossiers.events")

Phase = Literal["in_transaction", "after_commit"]
IN_TRANSACTION: Phase = "in_transaction"
AFTER_COMMIT: Phase = "after_commit"
PHASES: tuple[Phase, ...] = (IN_TRANSACTION, AFTER_COMMIT)


@dataclass(frozen=True)
class Recorded:
    """One event just appended to a dossier's log, as the subscribers receive it.

    ``announce`` marks a step of the dossier the applicant is told about: the receipt and an
    officer's action (``submit_dossier``, ``actions.perform``). Log-only entries (a digitized
    or reused component, a payment, a rating) are not announced.
    """

    event: DossierEvent
    announce: bool = False
    # Set only for the receipt of a dossier created in this very transaction (``submit_dossier``):
    # the event is then the dossier's whole log, ``event.dossier`` the row as just inserted and
    # these its only documents, so a follower can derive from them instead of reading them back
    # (issue 10). None for every other event: the log may hold more than the follower knows.
    new_dossier_documents: tuple[DossierDocument, ...] | None = None
    # The moment of the event before this one in the log (None for the first, or when the
    # writer did not read it): with it a follower can tell the log's moments are in order and
    # fold the event into what it kept from the log so far (issue 10, ``reports.rollups``).
    previous_at: datetime | None = None


Handler = Callable[[Recorded], object]


@dataclass(frozen=True)
class Subscription:
    name: str
    handler: Handler
    phase: Phase


_subscriptions: list[Subscription] = []


def on_event(handler: Handler, *, phase: Phase = IN_TRANSACTION, name: str = "") -> Handler:
    """Subscribe ``handler`` to every recorded event; returns it (usable as a decorator).

    A name registered again replaces its handler in place (same position): ``ready()`` may run
    more than once in tests, and a second registration must not count a KPI or queue a notice
    twice.
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; expected one of {PHASES}")
    subscription = Subscription(name or _default_name(handler), handler, phase)
    for index, existing in enumerate(_subscriptions):
        if existing.name == subscription.name:
            _subscriptions[index] = subscription
            return handler
    _subscriptions.append(subscription)
    return handler


def unregister(name: str) -> bool:
    """Remove the handler registered under ``name``; whether there was one."""
    for index, existing in enumerate(_subscriptions):
        if existing.name == name:
            del _subscriptions[index]
            return True
    return False


@contextmanager
def subscribed(
    handler: Handler, *, phase: Phase = IN_TRANSACTION, name: str = ""
) -> Iterator[Handler]:
    """Register ``handler`` for the duration of a ``with`` block (tests)."""
    name = name or _default_name(handler)
    if any(existing.name == name for existing in _subscriptions):
        raise ValueError(f"a handler named {name!r} is already registered")
    on_event(handler, phase=phase, name=name)
    try:
        yield handler
    finally:
        unregister(name)


def subscriptions() -> list[Subscription]:
    """The registered handlers, in the order they run."""
    return list(_subscriptions)


def publish(recorded: Recorded) -> None:
    """Run the in-transaction handlers now, then schedule the after-commit ones."""
    current = list(_subscriptions)
    for subscription in current:
        if subscription.phase == IN_TRANSACTION:
            subscription.handler(recorded)
    for subscription in current:
        if subscription.phase == AFTER_COMMIT:
            transaction.on_commit(partial(_after_commit, subscription, recorded))


def _after_commit(subscription: Subscription, recorded: Recorded) -> None:
    try:
        subscription.handler(recorded)
    except Exception as exc:
        # Ids and the error's type only: a message may quote a name, a phone or an address
        # (NĐ 13/2023/NĐ-CP), and the traceback would print it.
        logger.error(
            "after-commit handler %s failed for event %s of dossier %s: %s",
            subscription.name,
            recorded.event.pk,
            recorded.event.dossier_id,
            type(exc).__name__,
        )


def _default_name(handler: Handler) -> str:
    module = getattr(handler, "__module__", "") or ""
    qualname = getattr(handler, "__qualname__", "") or repr(handler)
    return f"{module}.{qualname}"
