"""The citizen's side of the queue: take a number on a phone, follow it, book a time.

Public pages: no login. A ticket or a booking is reached only through its random token (a QR
on the printed ticket or the phone's own page), never through its number or the citizen's ID,
and the pages show no personal data (Nghị định 13/2023/NĐ-CP).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import segno
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.centers.models import Center
from motcua.core.framing import printable_in_same_origin_frame
from motcua.core.ratelimit import Limit, client_address, hit
from motcua.queue import selectors, services
from motcua.queue.forms import BookingForm, TakeNumberForm, parse_day
from motcua.queue.models import Appointment, ServiceArea, Ticket
from motcua.queue.states import AppointmentStatus, QueueError, Source
from motcua.workcalendar.services import is_working_day

# A phone takes a handful of numbers in a morning (itself, a parent); a script taking hundreds
# would empty the day's queue for everyone.
PHONE_TICKETS = Limit("queue-phone:ip", hits=6, window_seconds=30 * 60)
BOOKINGS = Limit("queue-book:ip", hits=6, window_seconds=60 * 60)
BOOKING_DAYS = 14


def center_for(agency: str) -> Center:
    center = Center.objects.filter(agency_code=agency).first()
    if center is None:
        raise Http404(_("Không có trung tâm với mã này."))
    return center


def qr_svg(url: str, scale: int = 4) -> str:
    return mark_safe(  # noqa: S308 - segno's own SVG of our own URL
        segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#111", light="#fff")
    )


def _refused(request: HttpRequest, template: str, context: dict, exc: QueueError) -> HttpResponse:
    context["error"] = exc.message
    return render(request, template, context, status=exc.status_code)


def _too_many(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    response = render(
        request,
        "queue/message.html",
        {
            "title": _("Đã lấy nhiều số"),
            "message": _(
                "Máy này đã lấy nhiều số trong thời gian ngắn. Xin đợi %(minutes)d phút, hoặc "
                "lấy số tại kiosk hay bàn hướng dẫn."
            )
            % {"minutes": minutes},
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def take_number(request: HttpRequest, agency: str) -> HttpResponse:
    """The page a QR at the door opens: choose the area, get a number on the phone."""
    center = center_for(agency)
    now = timezone.now()
    form = TakeNumberForm(request.POST if request.method == "POST" else None, center=center)
    context = {
        "center": center,
        "form": form,
        "areas": selectors.waiting_by_area(center, services.local_day(now)),
    }
    if request.method == "POST" and form.is_valid():
        verdict = hit(PHONE_TICKETS, client_address(request), now=now)
        if not verdict.allowed:
            return _too_many(request, verdict.retry_after)
        try:
            with transaction.atomic():
                ticket = services.issue_ticket(
                    center=center,
                    area=form.cleaned_data["area"],
                    source=Source.PHONE,
                    now=now,
                    actor="phone",
                    priority=form.cleaned_data["priority"] or "",
                )
        except QueueError as exc:
            return _refused(request, "queue/take.html", context, exc)
        return redirect("queue:ticket", token=ticket.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "queue/take.html", context, status=status)


def _ticket(token: str) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("center", "area", "counter"), token=token[:32]
    )


def ticket_context(request: HttpRequest, ticket: Ticket) -> dict:
    wait = selectors.estimated_wait(ticket)
    url = request.build_absolute_uri(reverse("queue:ticket", kwargs={"token": ticket.token}))
    return {
        "ticket": ticket,
        "center": ticket.center,
        "ahead": selectors.people_ahead(ticket),
        "wait_minutes": None if wait is None else int(wait.total_seconds() // 60),
        "is_today": ticket.day == services.local_day(timezone.now()),
        "follow_url": url,
        "qr": qr_svg(url),
    }


@never_cache
def ticket_page(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket(token)
    return render(request, "queue/ticket.html", ticket_context(request, ticket))


@never_cache
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """The ticket page's live part, fetched again by HTMX every few seconds."""
    ticket = _ticket(token)
    return render(request, "queue/_ticket_status.html", ticket_context(request, ticket))


@never_cache
@printable_in_same_origin_frame
def ticket_print(request: HttpRequest, token: str) -> HttpResponse:
    """The 80 mm paper ticket (kiosk and reception printers print this page)."""
    ticket = _ticket(token)
    return render(request, "queue/ticket_print.html", ticket_context(request, ticket))


@never_cache
def ticket_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The same ticket as an 80 mm PDF (printers fed from a PDF spool)."""
    from motcua.queue.ticket_pdf import ticket_pdf as render_pdf

    ticket = _ticket(token)
    context = ticket_context(request, ticket)
    pdf = render_pdf(
        ticket,
        follow_url=context["follow_url"],
        ahead=context["ahead"],
        wait_minutes=context["wait_minutes"],
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-thu-tu-{ticket.number}.pdf"'
    return response


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket(token)
    try:
        with transaction.atomic():
            services.cancel_ticket(ticket, now=timezone.now(), actor="phone")
    except QueueError as exc:
        context = ticket_context(request, ticket)
        return _refused(request, "queue/ticket.html", context, exc)
    return redirect("queue:ticket", token=ticket.token)


@never_cache
def door_poster(request: HttpRequest, agency: str) -> HttpResponse:
    """The A4 sign for the door: scan to take a number, scan to book."""
    center = center_for(agency)
    take_url = request.build_absolute_uri(reverse("queue:take", kwargs={"agency": agency}))
    book_url = request.build_absolute_uri(reverse("queue:book", kwargs={"agency": agency}))
    return render(
        request,
        "queue/poster.html",
        {
            "center": center,
            "take_url": take_url,
            "book_url": book_url,
            "take_qr": qr_svg(take_url, scale=8),
            "book_qr": qr_svg(book_url, scale=5),
        },
    )


# --- appointments --------------------------------------------------------------------------


def _bookable_days(now) -> list[date]:
    today = services.local_day(now)
    days: list[date] = []
    day = today
    while len(days) < BOOKING_DAYS and day <= today + timedelta(days=30):
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def free_slots(area: ServiceArea, day, now) -> list[tuple]:
    """(start, places left) of the area's slots on ``day`` that are still ahead."""
    capacity = services.slot_capacity(area)
    taken: dict = {}
    for start in Appointment.objects.filter(
        area=area,
        starts_at__date=day,
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
    ).values_list("starts_at", flat=True):
        taken[start] = taken.get(start, 0) + 1
    return [
        (start, capacity - taken.get(start, 0))
        for start in services.slot_starts(area, day)
        if start > now and capacity - taken.get(start, 0) > 0
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, agency: str) -> HttpResponse:
    """Book a time slot for an area (đặt lịch hẹn) from a phone."""
    center = center_for(agency)
    now = timezone.now()
    days = _bookable_days(now)
    areas = list(
        ServiceArea.objects.filter(center=center, is_active=True, appointments_per_counter__gt=0)
    )
    area = None
    area_id = request.GET.get("khu-vuc", "")
    if area_id.isdigit():
        area = next((a for a in areas if a.pk == int(area_id)), None)
    day = parse_day(request.GET.get("ngay"), first=days[0], last=days[-1]) if days else None
    form = BookingForm(request.POST if request.method == "POST" else None, center=center)
    context = {
        "center": center,
        "areas": areas,
        "area": area,
        "days": days,
        "day": day,
        "slots": free_slots(area, day, now) if area and day else [],
        "form": form,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "queue/book.html", context, status=400)
        verdict = hit(BOOKINGS, client_address(request), now=now)
        if not verdict.allowed:
            return _too_many(request, verdict.retry_after)
        try:
            with transaction.atomic():
                appointment = services.book_appointment(
                    area=form.cleaned_data["area"],
                    starts_at=form.cleaned_data["slot"],
                    now=now,
                    id_number=form.cleaned_data["id_number"],
                )
        except QueueError as exc:
            return _refused(request, "queue/book.html", context, exc)
        return redirect("queue:appointment", token=appointment.token)
    return render(request, "queue/book.html", context)


def _appointment(token: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("center", "area", "ticket"), token=token[:32]
    )


@never_cache
def appointment_page(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(token)
    return render(request, "queue/appointment.html", {"appointment": appointment})


@require_POST
def appointment_cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(token)
    try:
        with transaction.atomic():
            services.cancel_appointment(appointment, now=timezone.now())
    except QueueError as exc:
        return render(
            request,
            "queue/appointment.html",
            {"appointment": appointment, "error": exc.message},
            status=exc.status_code,
        )
    return redirect("queue:appointment", token=appointment.token)
