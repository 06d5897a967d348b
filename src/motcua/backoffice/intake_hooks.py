"""What happens right after a dossier is received at the counter, in the same transaction.

``after_counter_intake`` is the one place the queue links the ticket being served to the
dossier just received (issue 11). It runs inside the intake's ``transaction.atomic()``, only
when this submission created the dossier (a double click or a retried request that returns the
dossier of the first one does not call it again). Raising a ``DossierError`` (or any subclass,
with its Vietnamese message) refuses the intake: the dossier, its files and its first event are
rolled back and the officer reads the message. Postal dossiers have no ticket: ``ticket_id`` is
None.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from motcua.dossiers.models import Dossier

Handler = Callable[[HttpRequest, Dossier, "int | None"], None]
_handlers: dict[str, Handler] = {}


def on_counter_intake(handler: Handler, *, name: str) -> Handler:
    """Register ``handler`` (the queue does, in its ``ready()``): the back office does not
    import the queue. A name registered again replaces its handler."""
    _handlers[name] = handler
    return handler


def after_counter_intake(request: HttpRequest, dossier: Dossier, ticket_id: int | None) -> None:
    for handler in list(_handlers.values()):
        handler(request, dossier, ticket_id)
