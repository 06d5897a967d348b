"""Keeping the KPI facts and monthly cells current, from the event log.

``refresh_dossier`` runs inside the transaction of every event (``follow_event``, subscribed to
the dossier event spine in ``ReportsConfig.ready()``), so a report read after a commit includes
that event; it moves the monthly cell by the difference between the old and the new fact, at a
constant cost (docs/kpi.md). ``rebuild`` recomputes facts and cells in
bulk: after an import or generated history, and from ``motcua kpi-rebuild`` should anyone
suspect a drift. Both derive everything from the same function, ``derive``.

How a dossier is judged (the rules of the 766 formula and the choices the sources leave open)
is written once in ``motcua.reports.kpi``'s docstring; ``derive`` turns those rules into
moments so that the judgement "as of T" becomes a comparison with T.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Value
from django.db.models.functions import Greatest

from motcua.dossiers.events import Recorded
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.dossiers.states import Channel, DossierStatus, EventAction
from motcua.reports.models import DossierFact, KpiCell, Outcome
from motcua.workcalendar.services import OfficeHours, WorkCalendar, local_tz

# The 766 formula: the end states in priority order; the first one found is NgayKetThucXuLy.
END_PRIORITY = (
    (DossierStatus.PROCESSED,),
    (DossierStatus.RETURNED,),
    (DossierStatus.STOPPED, DossierStatus.NOT_ACCEPTED),
)
END_STATUSES = frozenset(s for group in END_PRIORITY for s in group)
RESULT_STATUSES = frozenset({DossierStatus.PROCESSED, DossierStatus.RETURNED})
# The events that receive a dossier and fix its due time: the receipt itself, or reception's
# acceptance of a registered one (docs/decisions/0007).
_RECEIPTS = frozenset({EventAction.RECEIVE, EventAction.ACCEPT})
ONLINE_PAYMENT_CODES = frozenset({1, 2})  # DuocThanhToanTrucTuyen
BATCH = 2000
ANALYZE_FROM = 20_000


@dataclass(frozen=True)
class EventRow:
    action: str
    to_status: str
    at: datetime
    data: dict


@dataclass(frozen=True)
class DocumentSummary:
    total: int = 0
    digitized: int = 0
    last_digitized_at: datetime | None = None
    first_reused_at: datetime | None = None


def month_of(moment: datetime) -> date:
    local = moment.astimezone(local_tz())
    return date(local.year, local.month, 1)


def derive(
    dossier: Dossier,
    events: Sequence[EventRow],
    documents: DocumentSummary,
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> DossierFact:
    """The fact of one dossier from its whole log (events sorted by seq)."""
    due = dossier.due_at
    reached: dict[str, datetime] = {}
    requests = 0
    paused_since: datetime | None = None
    paused_total = timedelta()
    late_since: datetime | None = None
    withdrawn_at: datetime | None = None
    closed_at: datetime | None = None  # the first end state or withdrawal, whatever it is
    e_result_at = paid_online_at = rated_at = None
    rating, complaint = "", False
    previous: datetime | None = None

    def overdue_from(start: datetime, stop: datetime | None) -> datetime | None:
        """Within (start, stop] the state is fixed: the first T there that judges it overdue."""
        if requests > 1:
            return start  # a second supplement request counts as late [766 formula]
        if due is None:
            return None
        if paused_since is not None:
            # Clock stopped: judged at the request moment, as the formula ends it there.
            return start if paused_since > due else None
        moment = max(due, start)
        return moment if stop is None or moment < stop else None

    for event in events:
        if closed_at is None and previous is not None and late_since is None:
            late_since = overdue_from(previous, event.at)
        previous = event.at
        reached.setdefault(event.to_status, event.at)
        # A registered dossier ("Mới đăng ký") is received, and its due time fixed, when
        # reception accepts it: the accept event carries the due time then.
        if event.action in _RECEIPTS and "due_at" in event.data:
            due = datetime.fromisoformat(event.data["due_at"]) if event.data["due_at"] else None
        elif event.action == EventAction.REQUEST_SUPPLEMENT and closed_at is None:
            requests += 1
            paused_since = event.at
        elif event.action == EventAction.SUBMIT_SUPPLEMENT and closed_at is None:
            seconds = event.data.get("paused_seconds")
            if seconds and due is not None:
                delta = timedelta(seconds=seconds)
                # Move the *legal* due time by the working time paused. Not the event's
                # "due_after": that moved the appointment, which a reschedule (Mẫu 04) may have
                # pushed already, and a reschedule must not excuse lateness.
                due = calendar.add_working_time(due, delta, hours=hours)
                paused_total += delta
            paused_since = None
        elif event.action == EventAction.SIGN or event.data.get("electronic_result") is True:
            e_result_at = e_result_at or event.at
        elif event.action == EventAction.PAY:
            if event.data.get("online") in ONLINE_PAYMENT_CODES and paid_online_at is None:
                paid_online_at = event.at
        elif event.action == EventAction.RATE and rated_at is None:
            rated_at = event.at
            rating = event.data.get("rating", "")
            complaint = bool(event.data.get("complaint"))
        if closed_at is None:
            if event.to_status == DossierStatus.WITHDRAWN:
                withdrawn_at = closed_at = event.at
            elif event.to_status in END_STATUSES:
                closed_at = event.at
    if closed_at is None and previous is not None and late_since is None:
        late_since = overdue_from(previous, None)

    end_at = end_status = None
    if withdrawn_at is None:
        for statuses in END_PRIORITY:
            moments = [(reached[s], s) for s in statuses if s in reached]
            if moments:
                end_at, end_status = min(moments)
                break
    outcome = ""
    processing_days = None
    if end_at is not None:
        # Ended while a supplement was pending (stopped, refused, withdrawn by the officer): the
        # clock stopped at the request [766 formula], so that moment is what is judged.
        clock_end = paused_since if paused_since is not None else end_at
        outcome = _outcome(clock_end, due, requests)
        worked = calendar.working_time_between(dossier.received_at, clock_end, hours=hours)
        worked = max(worked - paused_total, timedelta())
        processing_days = (
            Decimal(worked.total_seconds()) / Decimal(hours.day_length.total_seconds())
        ).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    result_at = end_at if end_status in RESULT_STATUSES else None
    digitized_at = (
        documents.last_digitized_at
        if documents.total and documents.digitized == documents.total
        else None
    )
    fee_bearing = bool(dossier.fee_vnd)
    if not fee_bearing:
        paid_online_at = None
    is_closed = end_at is not None or withdrawn_at is not None
    milestones = [
        m
        for m in (
            end_at,
            withdrawn_at,
            e_result_at,
            digitized_at,
            documents.first_reused_at,
            paid_online_at,
            rated_at,
        )
        if m is not None
    ]
    return DossierFact(
        dossier_id=dossier.pk,
        center_id=dossier.center_id,
        sector_id=dossier.procedure.sector_id,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        assignee_id=dossier.assignee_id,
        received_at=dossier.received_at,
        received_month=month_of(dossier.received_at),
        due_at=due,
        end_at=end_at,
        end_status=end_status or "",
        outcome=outcome,
        processing_days=processing_days,
        withdrawn_at=withdrawn_at,
        late_since=late_since,
        supplement_requests=requests,
        result_at=result_at,
        e_result_at=e_result_at,
        digitized_at=digitized_at,
        reused_at=documents.first_reused_at,
        fee_bearing=fee_bearing,
        paid_online_at=paid_online_at,
        rated_at=rated_at,
        rating=rating,
        complaint=complaint,
        is_closed=is_closed,
        settled_at=max(milestones) if is_closed else None,
    )


def _outcome(end_at: datetime, due: datetime | None, requests: int) -> str:
    """Early / on time / late for a finished dossier (rules in motcua.reports.kpi)."""
    if requests > 1:
        return Outcome.LATE
    if due is None:
        return Outcome.ON_TIME  # no legal time limit ("Theo quy định"): cannot be late
    if end_at > due:
        return Outcome.LATE
    tz = local_tz()
    if end_at.astimezone(tz).date() < due.astimezone(tz).date():
        return Outcome.EARLY
    return Outcome.ON_TIME


# Writing facts and cells

FACT_FIELDS = [
    f.name for f in DossierFact._meta.concrete_fields if f.name != "dossier"
]  # everything but the key


def follow_event(recorded: Recorded) -> None:
    """The spine's KPI projection: every recorded event refreshes its dossier's fact and cell."""
    if recorded.new_dossier_documents is not None:
        project_receipt(recorded.event, recorded.new_dossier_documents)
    else:
        refresh_dossier(recorded.event.dossier_id)


def project_receipt(
    event: DossierEvent, documents: Sequence[DossierDocument]
) -> DossierFact | None:
    """The fact of a dossier created in this transaction, from its receipt alone (no read).

    ``submit_dossier`` publishes the receipt with the dossier row as inserted and its documents:
    they are everything ``_derive_many`` would read back (no other transaction can see the
    dossier before the commit, so no fact, event or document of it exists elsewhere). The same
    ``derive`` judges it; the calendar loads only if ``derive`` asks (a receipt never does).
    ``test_rollups`` checks that the fact equals a replay of the log.
    """
    dossier = event.dossier
    if dossier.status == DossierStatus.SUBMITTED:
        return None  # registered, not received yet: not in the KPI population (see _derive_many)
    fact = derive(
        dossier,
        [EventRow(event.action, event.to_status, event.at, event.data or {})],
        summarize_documents(documents),
        WorkCalendar.from_db(),
        OfficeHours.from_center(dossier.center),
    )
    fact.save(force_insert=True)
    _move_cells(None, fact)
    return fact


def summarize_documents(documents: Sequence[DossierDocument]) -> DocumentSummary:
    """``DocumentSummary`` of documents in memory: the aggregate ``_derive_many`` runs in SQL."""
    if not documents:
        return DocumentSummary()
    digitized_moments = [d.digitized_at for d in documents if d.digitized_at is not None]
    reused_moments = [
        d.digitized_at
        for d in documents
        if d.reused_from_id is not None and d.digitized_at is not None
    ]
    return DocumentSummary(
        total=len(documents),
        digitized=sum(1 for d in documents if d.digitized and d.digitized_at is not None),
        last_digitized_at=max(digitized_moments, default=None),
        first_reused_at=min(reused_moments, default=None),
    )


def refresh_dossier(dossier_id: int) -> DossierFact | None:
    """Recompute one dossier's fact and move its cell by the difference (caller's transaction).

    The old fact row is locked before the log is read: two transactions following events of one
    dossier then take turns, and the second reads the first one's fact and events, so each
    applies its own difference once. The cell update is a constant-cost delta (``_move_cells``),
    whatever the month's volume.
    """
    old = DossierFact.objects.select_for_update().filter(pk=dossier_id).first()
    fact = _derive_many([dossier_id])[0]
    if fact is None:
        return None  # registered, not received yet: no dossier goes back to that status
    if old is None:
        fact.save(force_insert=True)
    else:
        fact.save(force_update=True)
    _move_cells(old, fact)
    return fact


def rebuild(
    *, dossier_ids: Iterable[int] | None = None, center_ids: Iterable[int] | None = None
) -> int:
    """Recompute facts (all, or those of some dossiers or centers) and their cells."""
    with transaction.atomic():
        dossiers = Dossier.objects.all()
        if dossier_ids is not None:
            dossiers = dossiers.filter(pk__in=list(dossier_ids))
        if center_ids is not None:
            dossiers = dossiers.filter(center_id__in=list(center_ids))
        ids = list(dossiers.order_by("pk").values_list("pk", flat=True))
        if len(ids) > ANALYZE_FROM and connection.vendor == "postgresql":
            # Rows bulk-written in this very transaction are unknown to the planner's statistics:
            # without this it scans the whole documents table for every batch.
            with connection.cursor() as cursor:
                cursor.execute(
                    "analyze dossiers_dossier, dossiers_dossierevent, dossiers_dossierdocument"
                )
        keys: set[tuple] = set()
        for offset in range(0, len(ids), BATCH):
            chunk = ids[offset : offset + BATCH]
            facts = [fact for fact in _derive_many(chunk) if fact is not None]
            DossierFact.objects.filter(pk__in=chunk).delete()
            DossierFact.objects.bulk_create(facts, batch_size=BATCH)
            keys.update((f.center_id, f.received_month, f.sector_id, f.channel) for f in facts)
        _rebuild_cells(keys, whole_centers=center_ids is not None or dossier_ids is None)
        return len(ids)


def _derive_many(ids: list[int]) -> list[DossierFact | None]:
    """The facts of these dossiers, None for one only registered ("Mới đăng ký"): the KPI of
    QĐ 766 counts dossiers received, and a registration nobody has checked is not received yet
    (it enters the population when reception accepts it, docs/decisions/0007)."""
    dossiers = {
        d.pk: d for d in Dossier.objects.filter(pk__in=ids).select_related("center", "procedure")
    }
    events: dict[int, list[EventRow]] = defaultdict(list)
    rows = (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "action", "to_status", "at", "data")
    )
    for dossier_id, action, to_status, at, data in rows:
        events[dossier_id].append(EventRow(action, to_status, at, data or {}))
    documents = {
        row["dossier_id"]: DocumentSummary(
            total=row["total"],
            digitized=row["digitized_count"],
            last_digitized_at=row["last"],
            first_reused_at=row["reused"],
        )
        for row in DossierDocument.objects.filter(dossier_id__in=ids)
        .values("dossier_id")
        .annotate(
            total=Count("pk"),
            digitized_count=Count("pk", filter=Q(digitized=True, digitized_at__isnull=False)),
            last=Max("digitized_at"),
            reused=Min("digitized_at", filter=Q(reused_from__isnull=False)),
        )
    }
    first = min((d.received_at for d in dossiers.values()), default=None)
    calendar = WorkCalendar.from_db()
    if first is not None and len(ids) > 1:
        # One query for a batch. One dossier (an event's refresh) loads a year only when derive
        # needs it (a pause or an end): most events need none.
        calendar.preload(first.date(), date.today() + timedelta(days=366))
    hours_by_center: dict[int, OfficeHours] = {}
    facts: list[DossierFact | None] = []
    for dossier_id in ids:
        dossier = dossiers[dossier_id]
        if dossier.status == DossierStatus.SUBMITTED:
            facts.append(None)
            continue
        hours = hours_by_center.get(dossier.center_id)
        if hours is None:
            hours = hours_by_center[dossier.center_id] = OfficeHours.from_center(dossier.center)
        facts.append(
            derive(
                dossier,
                events[dossier_id],
                documents.get(dossier_id, DocumentSummary()),
                calendar,
                hours,
            )
        )
    return facts


# Cells: the sums of the closed facts, as they stand (judged after their last milestone).

CELL_SUMS = (
    "received",
    "online",
    "withdrawn",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "refused",
    "stopped",
    "with_result",
    "e_results",
    "digitized",
    "reused",
    "fee_bearing",
    "paid_online",
    "rated",
    "dissatisfied",
    "complaints",
    "unhappy",
    "processing_days",
)


def cell_key(fact: DossierFact) -> dict[str, Any]:
    return {
        "center_id": fact.center_id,
        "month": fact.received_month,
        "sector_id": fact.sector_id,
        "channel": fact.channel,
    }


def cell_counts(fact: DossierFact | None) -> dict[str, int | Decimal]:
    """What one fact adds to its cell: ``kpi._expressions`` judged as the fact stands.

    Every cell column is a sum (counts and the total of processing days; the average is divided
    at read time), so a cell is the plain sum of these over its closed facts. Open facts are
    not in the cells. ``test_rollups`` checks this against the SQL aggregates through rebuild.
    """
    if fact is None or not fact.is_closed:
        return {}
    ended = fact.end_at is not None
    rated = fact.rated_at is not None
    dissatisfied = fact.rating == "dissatisfied"
    with_result = fact.result_at is not None
    counts: dict[str, int | Decimal] = {
        "received": 1,
        "online": fact.channel == Channel.ONLINE,
        "withdrawn": fact.withdrawn_at is not None,
        "resolved": ended,
        "resolved_early": ended and fact.outcome == Outcome.EARLY,
        "resolved_on_time": ended and fact.outcome == Outcome.ON_TIME,
        "resolved_late": ended and fact.outcome == Outcome.LATE,
        "refused": ended and fact.end_status == DossierStatus.NOT_ACCEPTED,
        "stopped": ended and fact.end_status == DossierStatus.STOPPED,
        "with_result": with_result,
        "e_results": with_result and fact.e_result_at is not None,
        "digitized": fact.digitized_at is not None,
        "reused": fact.reused_at is not None,
        "fee_bearing": fact.fee_bearing,
        "paid_online": fact.fee_bearing and fact.paid_online_at is not None,
        "rated": rated,
        "dissatisfied": rated and dissatisfied,
        "complaints": rated and fact.complaint,
        "unhappy": rated and (dissatisfied or fact.complaint),
    }
    counts = {name: int(value) for name, value in counts.items()}
    counts["processing_days"] = Decimal(fact.processing_days or 0) if ended else Decimal(0)
    return counts


def _move_cells(old: DossierFact | None, new: DossierFact) -> None:
    """Take the old fact out of its cell and put the new one in, by ``col = col + delta``."""
    before, after = cell_counts(old), cell_counts(new)
    if not before and not after:
        return  # open before and after (most events): no cell holds it
    old_key = cell_key(old) if old is not None else None
    new_key = cell_key(new)
    if old_key == new_key:
        delta = {n: after.get(n, 0) - before.get(n, 0) for n in CELL_SUMS}
        _add_to_cell(new_key, delta)
        return
    if before:
        assert old_key is not None
        _add_to_cell(old_key, {n: -value for n, value in before.items()})
    if after:
        _add_to_cell(new_key, after)


def _add_to_cell(key: dict[str, Any], delta: dict[str, int | Decimal]) -> None:
    """One UPDATE on the cell row; the row is created first when the cell has none yet.

    The UPDATE takes the row lock, so two dossiers of one cell changed at once add up instead of
    one overwriting the other. A missing row is inserted with ON CONFLICT DO NOTHING (a
    concurrent insert of the same cell waits for the other transaction, then does nothing) and
    the UPDATE is repeated. Counts never go below zero even if a cell had drifted (a hand edit):
    the citizen's transaction must not fail on derived data; ``motcua kpi-rebuild`` makes the
    cells exact again.
    """
    changes: dict[str, Any] = {}
    for name, value in delta.items():
        if not value:
            continue
        if value < 0 and name != "processing_days":
            changes[name] = Greatest(F(name) + value, Value(0))
        else:
            changes[name] = F(name) + value
    if not changes:
        return
    cells = KpiCell.objects.filter(**key)
    if not cells.update(**changes):
        KpiCell.objects.bulk_create([KpiCell(**key)], ignore_conflicts=True)
        cells.update(**changes)
    if delta.get("received", 0) < 0:
        # A closed dossier left this cell (its receipt month, field or channel changed): an
        # emptied cell goes, as a rebuild would not write it.
        cells.filter(received=0).delete()


def _rebuild_cells(keys: set[tuple], *, whole_centers: bool) -> None:
    from motcua.reports.kpi import aggregate_facts

    centers = {k[0] for k in keys}
    if whole_centers:
        KpiCell.objects.filter(center_id__in=centers).delete()
        facts = DossierFact.objects.filter(center_id__in=centers, is_closed=True)
        wanted = None
    else:
        for center_id, month, sector_id, channel in keys:
            KpiCell.objects.filter(
                center_id=center_id, month=month, sector_id=sector_id, channel=channel
            ).delete()
        facts = DossierFact.objects.filter(center_id__in=centers, is_closed=True)
        wanted = keys
    groups = aggregate_facts(facts, judged_at=None, keys=("center", "month", "sector", "channel"))
    cells = []
    for key, sums in groups.items():
        if wanted is not None and key not in wanted:
            continue
        center_id, month, sector_id, channel = key
        cell: dict[str, Any] = {name: getattr(sums, name) for name in CELL_SUMS}
        cells.append(
            KpiCell(center_id=center_id, month=month, sector_id=sector_id, channel=channel, **cell)
        )
    KpiCell.objects.bulk_create(cells, batch_size=BATCH)
