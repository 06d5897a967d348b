"""The queue at the kiosk: take a number with one touch, or check in for an appointment.

Kiosk pages answer only on a registered device (``kiosk_required``); the number is taken for
the device's own center.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.kiosk.device import KioskRequest, kiosk_required
from motcua.queue import selectors, services
from motcua.queue.forms import CheckInForm, TakeNumberForm
from motcua.queue.models import Ticket
from motcua.queue.states import QueueError, Source
from motcua.queue.views import ticket_context


def _actor(request: KioskRequest) -> str:
    return f"kiosk:{request.kiosk.pk}"


@kiosk_required
@require_http_methods(["GET", "POST"])
def take(request: KioskRequest) -> HttpResponse:
    center = request.kiosk.center
    now = timezone.now()
    form = TakeNumberForm(request.POST if request.method == "POST" else None, center=center)
    context = {
        "device": request.kiosk,
        "form": form,
        "areas": selectors.waiting_by_area(center, services.local_day(now)),
        "idle_seconds": request.kiosk.idle_seconds,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "queue/kiosk_take.html", context, status=400)
        try:
            with transaction.atomic():
                ticket = services.issue_ticket(
                    center=center,
                    area=form.cleaned_data["area"],
                    source=Source.KIOSK,
                    now=now,
                    actor=_actor(request),
                    priority=form.cleaned_data["priority"] or "",
                )
        except QueueError as exc:
            context["error"] = exc.message
            return render(request, "queue/kiosk_take.html", context, status=exc.status_code)
        return redirect("kiosk:queue_ticket", ticket_id=ticket.pk)
    return render(request, "queue/kiosk_take.html", context)


@kiosk_required
@require_http_methods(["GET", "POST"])
def check_in(request: KioskRequest) -> HttpResponse:
    form = CheckInForm(request.POST if request.method == "POST" else None)
    context = {"device": request.kiosk, "form": form, "idle_seconds": request.kiosk.idle_seconds}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "queue/kiosk_checkin.html", context, status=400)
        try:
            with transaction.atomic():
                ticket = services.check_in(
                    center=request.kiosk.center,
                    now=timezone.now(),
                    code=form.cleaned_data["code"],
                    id_number=form.cleaned_data["id_number"],
                    source=_actor(request),
                )
        except QueueError as exc:
            context["error"] = exc.message
            return render(request, "queue/kiosk_checkin.html", context, status=exc.status_code)
        return redirect("kiosk:queue_ticket", ticket_id=ticket.pk)
    return render(request, "queue/kiosk_checkin.html", context)


@kiosk_required
def ticket(request: KioskRequest, ticket_id: int) -> HttpResponse:
    """The number just taken at this kiosk, with its print button; only today's, only this
    kiosk's center (a ticket id in the address opens nothing elsewhere)."""
    found = (
        Ticket.objects.select_related("center", "area", "counter")
        .filter(
            pk=ticket_id,
            center=request.kiosk.center,
            day=services.local_day(timezone.now()),
        )
        .first()
    )
    if found is None:
        return render(
            request,
            "queue/kiosk_take.html",
            {"device": request.kiosk, "error": _("Không tìm thấy số thứ tự này.")},
            status=404,
        )
    context = ticket_context(request, found)
    context.update({"device": request.kiosk, "idle_seconds": request.kiosk.idle_seconds})
    return render(request, "queue/kiosk_ticket.html", context)
