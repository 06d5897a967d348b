"""The officer's counter screen: take a counter, call the next number, serve, hand on.

Thin views: each POST runs one queue service in one transaction. A refused action (a stale
screen, a double call, a counter that is not the officer's) shows the service's Vietnamese
message and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.backoffice.access import OfficerRequest, officer_required
from motcua.centers.models import Center
from motcua.dossiers.states import Role
from motcua.payments.qr import payment_qr
from motcua.queue import selectors, services
from motcua.queue.forms import TakeNumberForm
from motcua.queue.models import Counter, ServiceArea, Ticket
from motcua.queue.states import QueueError, Source, TicketAction, TicketStatus

TICKET_ACTIONS = {
    TicketAction.RECALL,
    TicketAction.START,
    TicketAction.END,
    TicketAction.SKIP,
    TicketAction.TRANSFER,
}
COUNTER_ACTIONS = {"call", "pause", "resume", "leave"}
UPCOMING = 10


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/403.html",
        {
            "title": _("Không dùng được màn hình quầy"),
            "message": _("Màn hình quầy dành cho cán bộ của trung tâm."),
        },
        status=403,
    )


def _home_center(request: OfficerRequest) -> Center | None:
    """The center whose counters the officer works at; None for a provincial viewer."""
    membership = request.membership
    if membership.role == Role.PROVINCIAL_VIEWER:
        return None
    return membership.center


def _my_counter(request: OfficerRequest) -> Counter | None:
    return (
        Counter.objects.filter(
            center=request.membership.center_id,
            officer=request.user,
            staffed_on=services.local_day(timezone.now()),
            is_active=True,
        )
        .prefetch_related("areas")
        .first()
    )


def intake_url(ticket: Ticket) -> str | None:
    """The walk-in intake for the ticket being served (not one still only called)."""
    if ticket.status != TicketStatus.SERVING:
        return None
    return reverse("backoffice:intake_start") + f"?ticket={ticket.pk}"


def board_context(request: OfficerRequest, center: Center, counter: Counter | None) -> dict:
    now = timezone.now()
    day = services.local_day(now)
    context: dict = {
        "membership": request.membership,
        "counter": counter,
        "center": center,
        "today": day,
    }
    if counter is None:
        context["counters"] = Counter.objects.filter(center=center, is_active=True).select_related(
            "officer"
        )
        return context
    areas = list(counter.areas.filter(is_active=True))
    current = services.current_ticket(counter)
    other_areas = ServiceArea.objects.filter(center=center, is_active=True)
    if current:
        other_areas = other_areas.exclude(pk=current.area_id)
    context.update(
        {
            "areas": areas,
            "current": current,
            "intake_url": intake_url(current) if current else None,
            # The fee of the dossier just received, payable by QR at the counter (issue 13).
            "qr": payment_qr(current.dossier) if current and current.dossier else None,
            "other_areas": other_areas,
            "waiting": [
                line
                for line in selectors.waiting_by_area(center, day)
                if line.area.pk in {a.pk for a in areas}
            ],
            "upcoming": Ticket.objects.filter(
                center=center, day=day, status=TicketStatus.WAITING, area__in=areas
            )
            .select_related("area")
            .order_by("order_at", "issued_at", "pk")[:UPCOMING],
            "served_today": Ticket.objects.filter(
                counter=counter, day=day, status=TicketStatus.DONE
            ).count(),
        }
    )
    return context


@officer_required
def board(request: OfficerRequest) -> HttpResponse:
    center = _home_center(request)
    if center is None:
        return _forbidden(request)
    return render(
        request, "queue/counter.html", board_context(request, center, _my_counter(request))
    )


@officer_required
def waiting_panel(request: OfficerRequest) -> HttpResponse:
    """The waiting list of the counter screen, refreshed by HTMX."""
    center = _home_center(request)
    if center is None:
        return _forbidden(request)
    return render(
        request, "queue/_counter_waiting.html", board_context(request, center, _my_counter(request))
    )


@officer_required
@require_POST
def take_counter(request: OfficerRequest, number: int) -> HttpResponse:
    center = _home_center(request)
    if center is None:
        return _forbidden(request)
    counter = Counter.objects.filter(center=center, number=number).first()
    if counter is None:
        messages.error(request, _("Không có quầy số %(n)s ở trung tâm.") % {"n": number})
        return redirect("queue_counter:board")
    try:
        with transaction.atomic():
            mine = _my_counter(request)
            if mine is not None and mine.pk != counter.pk:
                services.leave_counter(mine, officer=request.user, now=timezone.now())
            services.open_counter(counter, officer=request.user, now=timezone.now())
    except QueueError as exc:
        messages.error(request, exc.message)
    return redirect("queue_counter:board")


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@officer_required
@require_POST
def act(request: OfficerRequest) -> HttpResponse:
    """One button of the counter screen. The form carries the counter and the ticket the screen
    showed, so a screen that is behind cannot act on a number it never saw."""
    center = _home_center(request)
    if center is None:
        return _forbidden(request)
    counter = Counter.objects.filter(
        center=center, number=_int(request.POST.get("counter")) or 0
    ).first()
    action = request.POST.get("action", "")
    shown = _int(request.POST.get("ticket"))
    if counter is None or action not in (TICKET_ACTIONS | COUNTER_ACTIONS):
        messages.error(request, _("Thao tác không hợp lệ. Tải lại trang."))
        return redirect("queue_counter:board")
    now = timezone.now()
    try:
        with transaction.atomic():
            if action == "call":
                called = services.call_next(
                    counter, officer=request.user, now=now, expected_current=shown
                )
                if called is None:
                    messages.info(request, _("Không còn ai chờ ở các khu vực của quầy."))
            elif action in ("pause", "resume"):
                services.set_paused(
                    counter, officer=request.user, paused=action == "pause", now=now
                )
            elif action == "leave":
                services.leave_counter(counter, officer=request.user, now=now)
            else:
                ticket = (
                    Ticket.objects.filter(pk=shown, center=counter.center_id).first()
                    if shown is not None
                    else None
                )
                if ticket is None:
                    raise QueueError(_("Màn hình đã cũ: số này không còn ở quầy. Tải lại trang."))
                to_area = None
                if action == TicketAction.TRANSFER:
                    to_area = ServiceArea.objects.filter(
                        pk=_int(request.POST.get("to_area")) or 0, center=counter.center_id
                    ).first()
                services.act_on_ticket(
                    ticket, action, counter=counter, officer=request.user, now=now, to_area=to_area
                )
    except QueueError as exc:
        context = board_context(request, center, _my_counter(request))
        context["error"] = exc.message
        return render(request, "queue/counter.html", context, status=exc.status_code)
    return redirect("queue_counter:board")


@officer_required
@require_http_methods(["GET", "POST"])
def desk(request: OfficerRequest) -> HttpResponse:
    """The reception desk hands out a number (for a citizen without a phone or at the kiosk's
    side), and prints it."""
    center = _home_center(request)
    if center is None:
        return _forbidden(request)
    form = TakeNumberForm(request.POST if request.method == "POST" else None, center=center)
    context = {"membership": request.membership, "form": form, "center": center}
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    ticket = services.issue_ticket(
                        center=center,
                        area=form.cleaned_data["area"],
                        source=Source.DESK,
                        now=timezone.now(),
                        actor=services.officer_actor(request.user),
                        priority=form.cleaned_data["priority"] or "",
                    )
            except QueueError as exc:
                context["error"] = exc.message
                return render(request, "queue/desk.html", context, status=exc.status_code)
            return redirect(reverse("queue:ticket_print", kwargs={"token": ticket.token}) + "?in=1")
        return render(request, "queue/desk.html", context, status=400)
    return render(request, "queue/desk.html", context)
