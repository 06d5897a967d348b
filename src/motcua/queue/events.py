"""Ticket events leave the database after the commit: the calling display and the loudspeaker.

The queue's services append a ``TicketEvent`` in the caller's transaction and hand it to
``publish``; handlers registered with ``on_ticket_event`` (the live display's broadcaster) run
only after a commit (``transaction.on_commit``), never after a rollback, and a failing handler
is logged, never a 500: the action itself has already happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

from motcua.queue.models import TicketEvent

logger = logging.getLogger("motcua.queue.events")

Handler = Callable[[TicketEvent], object]
_handlers: dict[str, Handler] = {}


def on_ticket_event(handler: Handler, *, name: str) -> Handler:
    """Register ``handler`` under ``name`` (registering a name again replaces it)."""
    _handlers[name] = handler
    return handler


def unregister(name: str) -> bool:
    return _handlers.pop(name, None) is not None


def publish(event: TicketEvent) -> None:
    for name, handler in list(_handlers.items()):
        transaction.on_commit(partial(_run, name, handler, event))


def _run(name: str, handler: Handler, event: TicketEvent) -> None:
    try:
        handler(event)
    except Exception as exc:
        logger.error(
            "ticket handler %s failed for event %s: %s", name, event.pk, type(exc).__name__
        )
