"""Queue KPIs for the dashboards: counts, waiting and service times, appointments, a heatmap.

Reads only. Every figure is counted from the tickets of the period (``Ticket.day``, the queue
day in Vietnam) and their event log:

- **Where the times come from.** The services set a ticket's ``issued_at``, ``called_at``,
  ``started_at`` and ``ended_at`` in the same transaction, and from the same ``now``, as the
  ``TicketEvent`` they append for that action (``queue.services``), so the row's timestamps equal
  the events' ``at``; the reports read the row, one query for the whole period. One exception:
  a transfer clears ``called_at`` and ``started_at`` (the number waits again in the new area),
  so for a transferred ticket the first call — its time, counter and officer — is read from its
  ``call`` events.
- **Waiting time** is issue → first call (a recall is not a new call). Tickets never called
  (cancelled while waiting, or left waiting at closing) have no waiting time.
- **Service time** is start → end, or call → end for a ticket ended without "start", counted
  for tickets served to the end (status ``done``) only; the segment before a transfer is not a
  service.
- **Percentile**: the nearest-rank method. The p-th percentile of n sorted values is the value
  at rank ⌈p·n/100⌉ (1-based): an actual waiting time someone had, "90% waited this long or
  less". ``nearest_rank`` below; ``tests/queue/test_reports.py`` checks it on a small table
  worked by hand.
- **Attribution.** Per area: numbers issued, transfers and waiting time count in the area the
  number was taken for (``issued_area``: where the citizen waited); served, no-show, cancelled
  and service time in the area the number ended in. Per counter and per officer: waiting time
  and "called" by the first call; served, no-show and service time by the counter and officer
  that ended the number.
- Durations are computed by the database in whole milliseconds (``Millis``) and shown in
  minutes.

Who sees what is the dashboards' rule (``reports.views``): the per-counter and per-officer
tables only for the center's own staff (``detail=True``); the province gets totals per center.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, IntegerField, Q
from django.db.models.functions import Coalesce

from motcua.centers.models import Center
from motcua.queue.models import Appointment, Counter, ServiceArea, Ticket, TicketEvent
from motcua.queue.states import AppointmentStatus, TicketAction, TicketStatus

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
P90 = 90
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday … Sunday
WEEKDAY_NAMES = {
    1: "Thứ Hai",
    2: "Thứ Ba",
    3: "Thứ Tư",
    4: "Thứ Năm",
    5: "Thứ Sáu",
    6: "Thứ Bảy",
    7: "Chủ nhật",
}
# The heatmap always shows office hours, and any hour outside them that had a ticket.
OFFICE_HOURS = range(7, 17)


# --- database helpers ---------------------------------------------------------------------


class Millis(Func):
    """Whole milliseconds from the first datetime to the second (NULL if either is NULL)."""

    output_field = BigIntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            # julianday reads Django's stored "YYYY-MM-DD HH:MM:SS.ffffff" to the millisecond.
            sql = f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400000.0) AS INTEGER)"
        else:
            sql = f"CAST(ROUND(EXTRACT(EPOCH FROM ({end}) - ({start})) * 1000) AS BIGINT)"
        return sql, (*end_params, *start_params)


class LocalHour(Func):
    """The hour (0–23) of a datetime on Vietnam's clock."""

    output_field = IntegerField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        value, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            # Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, before any
            # period the dashboards accept (from 2000), so a fixed shift is exact.
            return f"CAST(strftime('%%H', {value}, '+7 hours') AS INTEGER)", params
        return (
            f"CAST(EXTRACT(HOUR FROM {value} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS INTEGER)",
            params,
        )


# --- figures -------------------------------------------------------------------------------


def nearest_rank(ordered: Sequence[float], p: int) -> float | None:
    """The p-th percentile (0 < p ≤ 100) of ``ordered`` (sorted ascending), nearest rank:
    the value at 1-based rank ⌈p·n/100⌉. None for no values."""
    if not ordered:
        return None
    rank = max(1, -(-p * len(ordered) // 100))  # integer ceiling: no float rounding at 0.9·n
    return ordered[rank - 1]


@dataclass(frozen=True)
class Durations:
    """Waiting or service times of one group, in minutes."""

    count: int
    average: float | None
    p90: float | None

    @classmethod
    def of(cls, millis: list[int]) -> Durations:
        if not millis:
            return cls(0, None, None)
        millis.sort()
        p90 = nearest_rank(millis, P90)
        return cls(len(millis), sum(millis) / len(millis) / 60000, p90 / 60000)


@dataclass
class QueueRow:
    """One area, counter, officer or center (or the total) of the period."""

    key: str
    label: str
    issued: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    unfinished: int = 0  # still waiting, called or in service when the figures were read
    wait: Durations = Durations(0, None, None)
    service: Durations = Durations(0, None, None)


@dataclass
class AppointmentRow:
    key: str
    label: str
    booked: int = 0  # every booking of the period but the cancelled ones
    kept: int = 0  # checked in
    no_show: int = 0
    cancelled: int = 0
    pending: int = 0  # booked, not yet due or not yet released

    @property
    def kept_rate(self) -> float | None:
        """Kept among the bookings that came due (kept + no-show), in percent."""
        due = self.kept + self.no_show
        return 100 * self.kept / due if due else None


@dataclass
class Heatmap:
    """Tickets issued per (ISO weekday, hour) on Vietnam's clock."""

    cells: dict[tuple[int, int], int]
    hours: list[int]

    def count(self, weekday: int, hour: int) -> int:
        return self.cells.get((weekday, hour), 0)

    @property
    def total(self) -> int:
        return sum(self.cells.values())


@dataclass
class QueueReport:
    date_from: date
    date_to: date
    total: QueueRow
    areas: list[QueueRow]
    counters: list[QueueRow] | None  # None: not shown to this viewer
    officers: list[QueueRow] | None
    centers: list[QueueRow] | None  # province only
    appointments: AppointmentRow
    appointment_rows: list[AppointmentRow]  # per area (center) or per center (province)
    heatmap: Heatmap = field(default_factory=lambda: Heatmap({}, list(OFFICE_HOURS)))


def uses_queue(*, center: Center | None = None, province: str = "") -> bool:
    """Whether the center (or any center of the province) has set up a queue at all."""
    areas = ServiceArea.objects.all()
    areas = (
        areas.filter(center=center)
        if center is not None
        else areas.filter(center__province=province)
    )
    return areas.exists()


def queue_report(
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


def _labelled(groups: dict, labels: dict, sort_key) -> list[QueueRow]:
    """The groups' rows with their labels; unknown keys (no counter, no officer) last."""
    for key, acc in groups.items():
        acc.label = labels.get(key, "")
    ordered = sorted(groups, key=lambda k: (k is None, sort_key(k), groups[k].label))
    return [groups[key].row() for key in ordered]


def _area_rows(groups: dict) -> list[QueueRow]:
    areas = {a.pk: a for a in ServiceArea.objects.filter(pk__in=list(groups))}
    labels = {pk: a.name for pk, a in areas.items()}
    return _labelled(groups, labels, lambda k: areas[k].position if k in areas else 0)


def _counter_rows(groups: dict) -> list[QueueRow]:
    counters = {c.pk: c for c in Counter.objects.filter(pk__in=[k for k in groups if k])}
    labels = {pk: str(c.label) for pk, c in counters.items()}
    labels[None] = "Chưa rõ quầy"
    return _labelled(groups, labels, lambda k: counters[k].number if k in counters else 0)


def _officer_rows(groups: dict) -> list[QueueRow]:
    # Vietnamese order, family name first, as everywhere in the back office (reports.kpi).
    labels: dict = {None: "Chưa rõ cán bộ"}
    for user in get_user_model().objects.filter(pk__in=[k for k in groups if k]):
        labels[user.pk] = f"{user.last_name} {user.first_name}".strip() or user.get_username()
    return _labelled(groups, labels, lambda k: 0)


def _center_rows(groups: dict) -> list[QueueRow]:
    labels = dict(Center.objects.filter(pk__in=list(groups)).values_list("pk", "commune"))
    return _labelled(groups, labels, lambda k: 0)


def _appointments(
    scope: Q, date_from: date, date_to: date, per_center: bool
) -> tuple[AppointmentRow, list[AppointmentRow]]:
    """Bookings whose slot falls in the period, by status, per area (or per center)."""
    start = datetime.combine(date_from, time.min, VIETNAM)
    end = datetime.combine(date_to + timedelta(days=1), time.min, VIETNAM)
    key = "center" if per_center else "area"
    counted = (
        Appointment.objects.filter(scope, starts_at__gte=start, starts_at__lt=end)
        .values_list(key, "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = AppointmentRow("", "Tổng số")
    rows: dict[int, AppointmentRow] = {}
    for group_key, status, n in counted:
        row = rows.setdefault(group_key, AppointmentRow(str(group_key), ""))
        for target in (total, row):
            _count_appointment(target, status, n)
    if per_center:
        labels = dict(Center.objects.filter(pk__in=list(rows)).values_list("pk", "commune"))
        ordered = sorted(rows.items(), key=lambda item: labels.get(item[0], ""))
    else:
        areas = {a.pk: a for a in ServiceArea.objects.filter(pk__in=list(rows))}
        labels = {pk: a.name for pk, a in areas.items()}
        ordered = sorted(rows.items(), key=lambda item: (areas[item[0]].position, labels[item[0]]))
    for group_key, row in ordered:
        row.label = labels.get(group_key, "")
    return total, [row for _key, row in ordered]


def _count_appointment(row: AppointmentRow, status: str, n: int) -> None:
    if status == AppointmentStatus.CANCELLED:
        row.cancelled += n
        return
    row.booked += n
    if status == AppointmentStatus.CHECKED_IN:
        row.kept += n
    elif status == AppointmentStatus.NO_SHOW:
        row.no_show += n
    else:
        row.pending += n


def _heatmap(tickets) -> Heatmap:
    counted = (
        tickets.annotate(hour=LocalHour(F("issued_at")))
        .values_list("day", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: dict[tuple[int, int], int] = defaultdict(int)
    for day, hour, n in counted:
        cells[(day.isoweekday(), hour)] += n
    hours = sorted(set(OFFICE_HOURS) | {hour for _weekday, hour in cells})
    return Heatmap(dict(cells), hours)
