"""The queue report as it was computed before issue 10: every ticket of the period read into
Python and grouped there. Kept only to check that the database's aggregation
(``motcua.queue.reports``) gives the same figures; labels, appointments and the heatmap were not
changed and come from the module itself."""

from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from motcua.centers.models import Center
from motcua.queue.models import ServiceArea, Ticket, TicketEvent
from motcua.queue.reports import (
    VIETNAM,
    Durations,
    Millis,
    QueueReport,
    QueueRow,
    _appointments,
    _area_rows,
    _center_rows,
    _counter_rows,
    _heatmap,
    _officer_rows,
)
from motcua.queue.states import TicketAction, TicketStatus


def old_queue_report(
    date_from: date,
    date_to: date,
    *,
    center: Center | None = None,
    province: str = "",
    detail: bool = False,
) -> QueueReport:
    """The queue figures of one center, or of a province (totals per center, no names).

    ``detail``: the per-counter and per-officer tables (the center's own staff only)."""
    if center is None and not province:
        raise ValueError("queue_report needs a center or a province")
    scope = Q(center=center) if center is not None else Q(center__province=province)
    tickets = Ticket.objects.filter(scope, day__gte=date_from, day__lte=date_to)
    rows = _ticket_rows(tickets)
    per_center = center is None
    # Column by column: the counting below runs in C (Tally, zip), not a Python loop per
    # ticket; a year of a busy center is a few hundred thousand tickets.
    if rows:
        pks, centers_, issued_areas, areas_, counters_, officers_, statuses, waits, services = (
            list(column) for column in zip(*rows, strict=True)
        )
    else:
        pks = centers_ = issued_areas = areas_ = counters_ = officers_ = statuses = []
        waits = services = []
    first_counters, first_officers = counters_[:], officers_[:]
    transferred = [False] * len(pks)
    first_calls = _first_calls_of_transferred(scope, date_from, date_to, set(pks))
    if first_calls:
        for index, pk in enumerate(pks):
            call = first_calls.get(pk)
            if call is not None:
                transferred[index] = True
                waits[index], first_counters[index], first_officers[index] = call
    services = [
        s if st == TicketStatus.DONE else None for s, st in zip(services, statuses, strict=True)
    ]

    def rows_of(issue_keys, end_keys, wait_keys=None, end_filter=None) -> dict:
        """Accumulators per key: issue side by ``issue_keys``, end side by ``end_keys``."""
        groups: dict = {}

        def acc(key) -> _Accumulator:
            found = groups.get(key)
            if found is None:
                found = groups[key] = _Accumulator(key, "")
            return found

        if issue_keys is not None:
            for key, n in Tally(issue_keys).items():
                acc(key).issued += n
            for key, n in Tally(
                k for k, t in zip(issue_keys, transferred, strict=True) if t
            ).items():
                acc(key).transferred += n
        wait_keys = issue_keys if wait_keys is None else wait_keys
        waited: defaultdict = defaultdict(list)
        for key, wait in zip(wait_keys, waits, strict=True):
            if wait is not None:
                waited[key].append(wait)
        for key, values in waited.items():
            acc(key).waits = values
        for (key, status), n in Tally(zip(end_keys, statuses, strict=True)).items():
            if end_filter is None or status in end_filter:
                acc(key).add_status(status, n)
        served: defaultdict = defaultdict(list)
        for key, service in zip(end_keys, services, strict=True):
            if service is not None:
                served[key].append(service)
        for key, values in served.items():
            acc(key).services = values
        return groups

    everyone = [None] * len(pks)
    (total,) = rows_of(everyone, everyone).values() or [_Accumulator(None, "")]
    total.label = "Tổng số"
    areas = _area_rows(rows_of(issued_areas, areas_))
    counters = officers = None
    if detail:
        ended = (TicketStatus.DONE, TicketStatus.NO_SHOW)
        counters = _counter_rows(rows_of(None, counters_, first_counters, ended))
        officers = _officer_rows(rows_of(None, officers_, first_officers, ended))
    centers = _center_rows(rows_of(centers_, centers_)) if per_center else None
    appointment_total, appointment_rows = _appointments(scope, date_from, date_to, per_center)
    return QueueReport(
        date_from=date_from,
        date_to=date_to,
        total=total.row(),
        areas=areas,
        counters=counters,
        officers=officers,
        centers=centers,
        appointments=appointment_total,
        appointment_rows=appointment_rows,
        heatmap=_heatmap(tickets),
    )


class _Accumulator:
    __slots__ = ("key", "label", "issued", "called", "served", "no_show", "cancelled",
                 "transferred", "unfinished", "waits", "services")  # fmt: skip

    def __init__(self, key, label: str) -> None:
        self.key, self.label = key, label
        self.issued = self.called = self.served = self.no_show = 0
        self.cancelled = self.transferred = self.unfinished = 0
        self.waits: list[int] = []
        self.services: list[int] = []

    def add_status(self, status: str, n: int) -> None:
        if status == TicketStatus.DONE:
            self.served += n
        elif status == TicketStatus.NO_SHOW:
            self.no_show += n
        elif status == TicketStatus.CANCELLED:
            self.cancelled += n
        else:
            self.unfinished += n

    def row(self) -> QueueRow:
        return QueueRow(
            key="" if self.key is None else str(self.key),
            label=self.label,
            issued=self.issued,
            called=len(self.waits),
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            transferred=self.transferred,
            unfinished=self.unfinished,
            wait=Durations.of(self.waits),
            service=Durations.of(self.services),
        )


def _ticket_rows(tickets) -> list[tuple]:
    """(pk, center, issued area, area, counter, officer, status, wait ms, service ms) per
    ticket, read with one query straight from the cursor (a dashboard year holds hundreds of
    thousands of tickets: model instances would cost seconds)."""
    query = tickets.annotate(
        wait_ms=Millis(F("issued_at"), F("called_at")),
        service_ms=Millis(Coalesce(F("started_at"), F("called_at")), F("ended_at")),
    ).values_list(
        "pk",
        "center_id",
        "issued_area_id",
        "area_id",
        "counter_id",
        "officer_id",
        "status",
        "wait_ms",
        "service_ms",
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _first_calls_of_transferred(
    scope: Q, date_from: date, date_to: date, tickets: set[int]
) -> dict[int, tuple[int | None, int | None, int | None]]:
    """(wait ms, counter, officer) of the first call of each transferred ticket, from the event
    log (a transfer resets the row). Transfers are few: they are found among the period's
    events by action and time, then their calls are read by ticket."""
    areas = list(ServiceArea.objects.filter(scope).values_list("pk", flat=True))
    start = datetime.combine(date_from, time.min, VIETNAM)
    end = datetime.combine(date_to + timedelta(days=2), time.min, VIETNAM)
    moved = set(
        TicketEvent.objects.filter(
            action=TicketAction.TRANSFER, at__gte=start, at__lt=end, area__in=areas
        ).values_list("ticket_id", flat=True)
    )
    moved &= tickets
    found: dict[int, tuple] = {}
    usernames: dict[int, str] = {}
    ids = sorted(moved)
    for chunk in range(0, len(ids), 5000):
        calls = (
            TicketEvent.objects.filter(
                ticket_id__in=ids[chunk : chunk + 5000], action=TicketAction.CALL
            )
            .order_by("ticket_id", "at", "pk")
            .values_list("ticket_id", "at", "counter_id", "actor", "ticket__issued_at")
        )
        for ticket_id, at, counter_id, actor, issued_at in calls:
            if ticket_id not in found:
                found[ticket_id] = (round((at - issued_at).total_seconds() * 1000), counter_id)
                usernames[ticket_id] = actor.removeprefix("officer:")
    users = dict(
        get_user_model()
        .objects.filter(username__in=set(usernames.values()))
        .values_list("username", "pk")
    )
    result = {
        ticket_id: (wait, counter_id, users.get(usernames[ticket_id]))
        for ticket_id, (wait, counter_id) in found.items()
    }
    # Transferred before any call (not possible today, but the log decides): no waiting time.
    for ticket_id in moved - found.keys():
        result[ticket_id] = (None, None, None)
    return result
