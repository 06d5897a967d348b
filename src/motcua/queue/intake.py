"""The walk-in intake links the ticket being served to the dossier just received (issue 11).

Registered on the back office's intake hook; runs in the intake's transaction. The intake page
carries the ticket only as an integer, so the ticket must be the one this officer is serving
now at their counter; anything else refuses the intake with a Vietnamese message, and the
dossier is rolled back with it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import DossierError
from motcua.queue import services
from motcua.queue.models import Ticket
from motcua.queue.states import QueueError, TicketStatus


class TicketRefused(DossierError):
    """The ticket named by the intake page cannot take this dossier."""


def link_ticket(request: HttpRequest, dossier: Dossier, ticket_id: int | None) -> None:
    if ticket_id is None:
        return
    now = timezone.now()
    ticket = (
        Ticket.objects.select_for_update()
        .filter(pk=ticket_id, center=dossier.center_id, day=services.local_day(now))
        .first()
    )
    if (
        ticket is None
        or ticket.status != TicketStatus.SERVING
        or ticket.officer_id != request.user.pk
    ):
        raise TicketRefused(
            _(
                "Số thứ tự này không phải số bạn đang phục vụ. Bấm “Bắt đầu” cho số đó ở màn "
                "hình quầy, hoặc tiếp nhận không kèm số thứ tự."
            )
        )
    try:
        services.link_dossier(ticket, dossier, officer=request.user, now=now)
    except QueueError as exc:
        raise TicketRefused(exc.message) from exc
