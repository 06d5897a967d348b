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
  minutes. So are the counts, sums and p90s (issue 10): the tickets are not read into Python;
  see "the aggregation, in the database" below, and ``nearest_rank`` for the definition the
  database's figures are tested against.

Who sees what is the dashboards' rule (``reports.views``): the per-counter and per-officer
tables only for the center's own staff (``detail=True``); the province gets totals per center.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left, Substr
from django.db.models.lookups import Exact

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

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
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

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        value, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "sqlite":
            # Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, before any
            # period the dashboards accept (from 2000), so a fixed shift is exact.
            return f"CAST(strftime('%%H', {value}, '+7 hours') AS INTEGER)", params
        return (
            f"CAST(EXTRACT(HOUR FROM {value} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS INTEGER)",
            params,
        )


class InIds(Func):
    """``expression IN ids``, with the ids as one parameter however many there are (a year of
    a province may hold more transfers than SQLite takes parameters)."""

    output_field = BooleanField()
    arity = 1
    conditional = True

    def __init__(self, expression, ids: list[int], *, negated: bool = False) -> None:
        super().__init__(expression)
        self.ids = [int(pk) for pk in ids]
        self.negated = negated

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        value, params = compiler.compile(self.source_expressions[0])
        # A subquery the database hashes: PostgreSQL's "= ANY(array)" scans the array per row.
        sql = f"{value} {'NOT IN' if self.negated else 'IN'} ({_list_sql()})"
        return sql, (*params, _list_param(self.ids))


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
        return cls(
            len(millis), sum(millis) / len(millis) / 60000, None if p90 is None else p90 / 60000
        )


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
    per_center = center is None
    groupings = [_TOTAL, _AREAS]
    if detail:
        groupings += [_COUNTERS, _OFFICERS]
    if per_center:
        groupings.append(_CENTERS)
    groups = _aggregate(_ticket_table(tickets, scope, date_from, date_to), groupings)
    (total,) = groups[_TOTAL.name].values() or [_Accumulator(None, "")]
    total.label = "Tổng số"
    appointment_total, appointment_rows = _appointments(scope, date_from, date_to, per_center)
    return QueueReport(
        date_from=date_from,
        date_to=date_to,
        total=total.row(),
        areas=_area_rows(groups[_AREAS.name]),
        counters=_counter_rows(groups[_COUNTERS.name]) if detail else None,
        officers=_officer_rows(groups[_OFFICERS.name]) if detail else None,
        centers=_center_rows(groups[_CENTERS.name]) if per_center else None,
        appointments=appointment_total,
        appointment_rows=appointment_rows,
        heatmap=_heatmap(tickets),
    )


class _Accumulator:
    __slots__ = ("key", "label", "issued", "served", "no_show", "cancelled", "transferred",
                 "unfinished", "waits", "wait_sum", "wait_p90", "services", "service_sum",
                 "service_p90")  # fmt: skip

    def __init__(self, key, label: str) -> None:
        self.key, self.label = key, label
        self.issued = self.served = self.no_show = 0
        self.cancelled = self.transferred = self.unfinished = 0
        self.waits = self.wait_sum = self.services = self.service_sum = 0
        self.wait_p90: int | None = None
        self.service_p90: int | None = None

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
            called=self.waits,
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            transferred=self.transferred,
            unfinished=self.unfinished,
            wait=_durations(self.waits, self.wait_sum, self.wait_p90),
            service=_durations(self.services, self.service_sum, self.service_p90),
        )


def _durations(count: int, total_ms: int, p90_ms: int | None) -> Durations:
    if not count or p90_ms is None:
        return Durations(0, None, None)
    return Durations(count, total_ms / count / 60000, p90_ms / 60000)


# --- the aggregation, in the database ------------------------------------------------------
#
# One statement per report: a table of the period's tickets (``_ticket_table``, one row a
# ticket, as the database computes it) and, over it, counts, sums and the nearest-rank p90 of
# every grouping (``_aggregate``). Only a few rows per group come back: a year of a busy
# center is a few hundred thousand tickets, which cost seconds to read into Python.

_TABLE_COLUMNS = (
    "center",
    "issued_area",
    "area",
    "counter",
    "officer",
    "status",
    "moved",
    "wait_ms",
    "service_ms",
    "first_counter",
    "first_officer",
)


@dataclass(frozen=True)
class _Grouping:
    """Which column keys each side of a table (None: one group, everything)."""

    name: str
    issue: str | None  # issued and transferred; "" for no issue side
    end: str | None  # statuses and service times
    wait: str | None  # waiting times and "called"
    end_statuses: tuple[str, ...] = ()  # only these statuses count (empty: all)


_TOTAL = _Grouping("total", None, None, None)
_AREAS = _Grouping("areas", "issued_area", "area", "issued_area")
_ENDED = (TicketStatus.DONE.value, TicketStatus.NO_SHOW.value)
_COUNTERS = _Grouping("counters", "", "counter", "first_counter", _ENDED)
_OFFICERS = _Grouping("officers", "", "officer", "first_officer", _ENDED)
_CENTERS = _Grouping("centers", "center", "center", "center")


def _ticket_table(tickets, scope: Q, date_from: date, date_to: date) -> tuple[str, tuple]:
    """SQL (and its parameters) of one row per ticket with the columns ``_TABLE_COLUMNS``.

    A transfer clears the row's call and start (the number waits again in its new area), so
    for a transferred ticket the wait, counter and officer of its first call come from its
    ``call`` events: the table is the union of the other tickets' rows and the transferred
    ones' rows with correlated lookups, which run for those few tickets only.
    Transfers are found among the period's events by action, time and the scope's areas, once
    (the event log has no index on the action: a subquery would be scanned for each use)."""
    start = datetime.combine(date_from, time.min, VIETNAM)
    end = datetime.combine(date_to + timedelta(days=2), time.min, VIETNAM)
    transferred = set(
        TicketEvent.objects.filter(
            action=TicketAction.TRANSFER,
            at__gte=start,
            at__lt=end,
            area__in=ServiceArea.objects.filter(scope).values("pk"),
        ).values_list("ticket_id", flat=True)
    )
    ids = sorted(transferred)
    # Only a number served to the end has a service time; start → end, or call → end for one
    # ended without "start".
    service_ms = Case(
        When(
            status=TicketStatus.DONE,
            then=Millis(Coalesce(F("started_at"), F("called_at")), F("ended_at")),
        ),
        default=None,
        output_field=BigIntegerField(),
    )
    # The foreign keys' columns first, then the annotations in the order given: the order
    # Django writes them in the SELECT, the same in both parts of the union.
    columns = (*(f"{name}_id" for name in _TABLE_COLUMNS[:5]), *_TABLE_COLUMNS[5:])
    tickets = tickets.order_by()  # no ORDER BY inside a union
    plain = tickets.filter(InIds(F("pk"), ids, negated=True)) if ids else tickets
    query = plain.annotate(
        moved=Value(0, output_field=IntegerField()),
        wait_ms=Millis(F("issued_at"), F("called_at")),
        service_ms=service_ms,
        first_counter=F("counter_id"),
        first_officer=F("officer_id"),
    ).values_list(*columns)
    if ids:
        calls = TicketEvent.objects.filter(ticket=OuterRef("pk"), action=TicketAction.CALL)
        first_call = calls.order_by("at", "pk")
        # The officer of the first call, from its actor "officer:<username>" (as the log
        # writes it).
        caller = (
            TicketEvent.objects.filter(ticket=OuterRef(OuterRef("pk")), action=TicketAction.CALL)
            .order_by("at", "pk")
            .annotate(
                username=Case(
                    When(Exact(Left("actor", 8), Value("officer:")), then=Substr("actor", 9)),
                    default=F("actor"),
                )
            )
            .values("username")[:1]
        )
        officer = get_user_model().objects.filter(username=Subquery(caller)).values("pk")[:1]
        moved = tickets.filter(InIds(F("pk"), ids)).annotate(
            moved=Value(1, output_field=IntegerField()),
            wait_ms=Millis(F("issued_at"), Subquery(first_call.values("at")[:1])),
            service_ms=service_ms,
            first_counter=Subquery(first_call.values("counter_id")[:1], IntegerField()),
            first_officer=Subquery(officer, IntegerField()),
        )
        query = query.union(moved.values_list(*columns), all=True)
    return query.query.sql_with_params()


# The columns that key a grouping's waiting times, and its statuses and service times.
_WAIT_KEYS = ("center", "issued_area", "first_counter", "first_officer")
_END_KEYS = ("center", "area", "counter", "officer")
_CUBE_KEYS = ("center", "issued_area", "area", "counter", "officer", "first_counter",
              "first_officer")  # fmt: skip
# The p90: minute buckets of the durations (``_p90``).
_BUCKET_MS = 60000


def _aggregate(table: tuple[str, tuple], groupings: list[_Grouping]) -> dict[str, dict]:
    """Accumulators per grouping and key: counts and sums from one GROUP BY over the ticket
    table by every key column at once (a few hundred rows come back, which each grouping then
    adds up), and the p90 of each group's waiting and service times.

    The same GROUP BY also splits by minute buckets of both durations (a few thousand rows):
    the histograms ``_p90`` needs, in the same pass (on SQLite every GROUP BY sorts the
    tickets: one more histogram would be one more sort).

    Every name written into the SQL (columns, tags) is one of this module's constants; the
    only values from outside are parameters."""
    sql, params = table
    keys = ", ".join(_CUBE_KEYS)
    select = (
        f"SELECT {keys}, status, wait_ms / {_BUCKET_MS} AS wait_bucket, "  # noqa: S608
        f"service_ms / {_BUCKET_MS} AS service_bucket, COUNT(*), SUM(moved), COUNT(wait_ms), "
        f"SUM(wait_ms), COUNT(service_ms), SUM(service_ms) FROM t "
        f"GROUP BY {keys}, status, wait_bucket, service_bucket"
    )
    cube = _fetch(_with_table(sql) + select, params)
    groups: dict[str, dict] = {grouping.name: {} for grouping in groupings}
    # (kind, key column, key, minute bucket) → how many durations
    histogram: dict[tuple, int] = defaultdict(int)

    def acc(name: str, key) -> _Accumulator:
        found = groups[name].get(key)
        if found is None:
            found = groups[name][key] = _Accumulator(key, "")
        return found

    for row in cube:
        # Looked up by optional key columns too: None (no breakdown) finds nothing.
        by: dict[str | None, Any] = dict(zip(_CUBE_KEYS, row, strict=False))
        (status, wait_bucket, service_bucket, n, moved, waits, wait_sum, services,
         service_sum) = row[len(_CUBE_KEYS) :]  # fmt: skip
        for grouping in groupings:
            name = grouping.name
            if grouping.issue != "":
                issued = acc(name, by.get(grouping.issue))
                issued.issued += n
                issued.transferred += int(moved)
            end_key = by.get(grouping.end)
            if not grouping.end_statuses or status in grouping.end_statuses:
                acc(name, end_key).add_status(status, n)
            if waits:
                waited = acc(name, by.get(grouping.wait))
                waited.waits += waits
                waited.wait_sum += int(wait_sum)
            if services:
                served = acc(name, end_key)
                served.services += services
                served.service_sum += int(service_sum)
        for column in (None, *_WAIT_KEYS):
            if waits:
                histogram[("wait", column, by.get(column), wait_bucket)] += waits
        for column in (None, *_END_KEYS):
            if services:
                histogram[("service", column, by.get(column), service_bucket)] += services
    wanted = [
        (grouping.name, kind, column)
        for grouping in groupings
        for kind, column in (("wait", grouping.wait), ("service", grouping.end))
    ]
    found = _p90(table, wanted, groups, histogram)
    for (name, kind, key), value in found.items():
        setattr(groups[name][key], f"{kind}_p90", value)
    return groups


def _with_table(sql: str, materialized: bool = False) -> str:
    """The ticket table as the common table ``t`` of a statement, with its columns' names."""
    hint = "MATERIALIZED " if materialized else ""
    return f"WITH t ({', '.join(_TABLE_COLUMNS)}) AS {hint}({sql}) "


def _list_sql() -> str:
    """A subquery of the integers of one parameter (``_list_param``): one parameter however
    many there are, and a set the database hashes rather than scans."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])"
    return "SELECT value FROM json_each(%s)"


def _list_param(values: list[int]):
    numbers = [int(value) for value in values]
    return numbers if connection.vendor == "postgresql" else json.dumps(numbers)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _p90(table, wanted, groups, histogram) -> dict[tuple, int]:
    """The nearest-rank p90 of every group's waiting and service times, exactly, without
    sorting every group's durations: the minute histograms of ``_aggregate`` give each group
    the bucket that holds its rank ⌈0.9·n⌉ and the rank inside that bucket; then only the
    durations in those buckets are read (about 1 % of them, in one pass) and sorted here.

    Measured against the ordered-set aggregates (PostgreSQL's ``percentile_disc(0.9)``, which
    is the nearest rank; ``percentile_cont`` would interpolate a time nobody waited): those
    sort the period's durations once per grouping, 1.3 s for a center-year against 0.1 s here
    (docs/benchmarks.md). SQLite has neither, nor hash aggregation."""
    sql, params = table
    counts: dict[tuple, list] = defaultdict(list)
    for (kind, column, key, bucket), n in histogram.items():
        counts[(kind, column, key)].append((bucket, n))
    targets: dict[tuple, tuple] = {}  # (name, kind, key) → (column, bucket, rank in bucket)
    for name, kind, column in wanted:
        for key in groups[name]:
            ordered = sorted(counts.get((kind, column, key if column else None), []))
            rank = -(-P90 * sum(n for _bucket, n in ordered) // 100)
            for bucket, n in ordered:
                if rank <= n:
                    targets[(name, kind, key)] = (column, bucket, rank)
                    break
                rank -= n
    needed = {
        kind: sorted({bucket for (_n, k, _key), (_c, bucket, _r) in targets.items() if k == kind})
        for kind in ("wait", "service")
    }
    wait_keys, end_keys = ", ".join(_WAIT_KEYS), ", ".join(_END_KEYS)
    select = (
        f"SELECT {wait_keys}, {end_keys}, wait_ms / {_BUCKET_MS}, wait_ms, "  # noqa: S608
        f"service_ms / {_BUCKET_MS}, service_ms FROM t "
        f"WHERE wait_ms / {_BUCKET_MS} IN ({_list_sql()}) "
        f"OR service_ms / {_BUCKET_MS} IN ({_list_sql()})"
    )
    wanted_buckets = {kind: set(found) for kind, found in needed.items()}
    values: dict[tuple, list] = defaultdict(list)  # (kind, column, key, bucket) → durations
    rows = _fetch(
        _with_table(sql) + select,
        (*params, _list_param(needed["wait"]), _list_param(needed["service"])),
    )
    n_wait = len(_WAIT_KEYS)
    for row in rows:
        wait_by: dict[str | None, Any] = dict(zip(_WAIT_KEYS, row[:n_wait], strict=True))
        end_by: dict[str | None, Any] = dict(
            zip(_END_KEYS, row[n_wait : n_wait + len(_END_KEYS)], strict=True)
        )
        wait_bucket, wait, service_bucket, service = row[n_wait + len(_END_KEYS) :]
        for kind, by, bucket, duration in (
            ("wait", wait_by, wait_bucket, wait),
            ("service", end_by, service_bucket, service),
        ):
            if duration is None or bucket not in wanted_buckets[kind]:
                continue
            for column in (None, *by):
                values[(kind, column, by.get(column), bucket)].append(duration)
    found = {}
    for (name, kind, key), (column, bucket, rank) in targets.items():
        in_bucket = sorted(values[(kind, column, key if column else None, bucket)])
        found[(name, kind, key)] = in_bucket[rank - 1]
    return found


def _labelled(groups: dict, labels: dict, sort_key) -> list[QueueRow]:
    """The groups' rows with their labels; unknown keys (no counter, no officer) last, and
    equal labels (two officers of the same name) in the order of their keys."""
    for key, acc in groups.items():
        acc.label = labels.get(key, "")
    ordered = sorted(
        groups, key=lambda k: (k is None, sort_key(k), groups[k].label, k if k is not None else 0)
    )
    return [groups[key].row() for key in ordered]


def _area_rows(groups: dict) -> list[QueueRow]:
    areas = {a.pk: a for a in ServiceArea.objects.filter(pk__in=list(groups))}
    labels = {pk: a.name for pk, a in areas.items()}
    return _labelled(groups, labels, lambda k: areas[k].position if k in areas else 0)


def _counter_rows(groups: dict) -> list[QueueRow]:
    counters = {c.pk: c for c in Counter.objects.filter(pk__in=[k for k in groups if k])}
    labels: dict[int | None, str] = {pk: str(c.label) for pk, c in counters.items()}
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
