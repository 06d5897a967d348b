"""Reads for the queue's screens: people ahead, the estimated wait, the display's state."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q

from motcua.centers.models import Center
from motcua.queue.models import Counter, QueueSettings, ServiceArea, Ticket, TicketEvent
from motcua.queue.services import local_day
from motcua.queue.states import TicketAction, TicketStatus

# Until a day has served anyone, an estimate starts from a typical commune counter visit.
DEFAULT_SERVICE = timedelta(minutes=6)
RECENT_CALLS = 8


def people_ahead(ticket: Ticket) -> int:
    if ticket.status != TicketStatus.WAITING:
        return 0
    return (
        Ticket.objects.filter(area=ticket.area_id, day=ticket.day, status=TicketStatus.WAITING)
        .filter(Q(order_at__lt=ticket.order_at) | Q(order_at=ticket.order_at, pk__lt=ticket.pk))
        .count()
    )


def average_service(area: ServiceArea, day) -> timedelta:
    """Today's mean time a counter spends on one number of the area (call to end)."""
    done = Ticket.objects.filter(
        area=area, day=day, status=TicketStatus.DONE, called_at__isnull=False
    ).values_list("called_at", "ended_at")
    spans = [end - called for called, end in done if end and called and end > called]
    if not spans:
        return DEFAULT_SERVICE
    return sum(spans, timedelta(0)) / len(spans)


def open_counters(area: ServiceArea, day) -> int:
    return area.counters.filter(is_active=True, paused=False, staffed_on=day).count()


def estimated_wait(ticket: Ticket) -> timedelta | None:
    """People ahead × today's real service time ÷ counters open for the area; None when no
    counter of the area is open (the page says so rather than inventing a time)."""
    if ticket.status != TicketStatus.WAITING:
        return timedelta(0)
    counters = open_counters(ticket.area, ticket.day)
    if counters == 0:
        return None
    ahead = people_ahead(ticket)
    minutes = average_service(ticket.area, ticket.day).total_seconds() / 60 * ahead / counters
    return timedelta(minutes=math.ceil(minutes))


@dataclass(frozen=True)
class AreaLine:
    area: ServiceArea
    waiting: int


def waiting_by_area(center: Center | int, day) -> list[AreaLine]:
    """Waiting numbers per active area; ``center`` is the row or its primary key."""
    areas = ServiceArea.objects.filter(center=center, is_active=True).annotate(
        waiting=Count("tickets", filter=Q(tickets__day=day, tickets__status=TicketStatus.WAITING))
    )
    return [AreaLine(area, area.waiting) for area in areas]


@dataclass(frozen=True)
class Call:
    number: int
    counter: int
    area: str
    at: datetime
    event_id: int


def recent_calls(center: Center, day, limit: int = RECENT_CALLS) -> list[Call]:
    """The last calls and recalls, newest first: numbers and counters only, never a name."""
    rows = (
        TicketEvent.objects.filter(
            ticket__center=center,
            ticket__day=day,
            action__in=(TicketAction.CALL, TicketAction.RECALL),
            counter__isnull=False,
        )
        .order_by("-at", "-pk")
        .values("pk", "at", number=F("ticket__number"), counter_number=F("counter__number"))
        .annotate(area_name=F("area__name"))[:limit]
    )
    return [
        Call(r["number"], r["counter_number"], r["area_name"] or "", r["at"], r["pk"]) for r in rows
    ]


@dataclass(frozen=True)
class CounterLine:
    counter: Counter
    number: int | None
    status: str


def counter_lines(center: Center, day) -> list[CounterLine]:
    counters = list(Counter.objects.filter(center=center, is_active=True).order_by("number"))
    current = {
        t.counter_id: t
        for t in Ticket.objects.filter(
            center=center,
            day=day,
            status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
            counter__isnull=False,
        ).order_by("called_at")
    }
    lines = []
    for counter in counters:
        ticket = current.get(counter.pk)
        if counter.staffed_on != day:
            status = "closed"
        elif counter.paused:
            status = "paused"
        else:
            status = ticket.status if ticket else "open"
        lines.append(CounterLine(counter, ticket.number if ticket else None, status))
    return lines


@dataclass(frozen=True)
class DisplayState:
    center: Center
    counters: list[CounterLine]
    calls: list[Call]
    areas: list[AreaLine]
    notice: str


def display_state(center: Center, now: datetime) -> DisplayState:
    """What the TV shows: numbers and counters only (no personal data reaches the display)."""
    day = local_day(now)
    return DisplayState(
        center=center,
        counters=counter_lines(center, day),
        calls=recent_calls(center, day),
        areas=waiting_by_area(center, day),
        notice=QueueSettings.for_center(center).display_notice,
    )
