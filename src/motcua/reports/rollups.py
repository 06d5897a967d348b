"""Keeping the KPI facts and monthly cells current, from the event log.

``follow_event`` runs inside the transaction of every event (subscribed to the dossier event
spine in ``ReportsConfig.ready()``), so a report read after a commit includes that event: the
receipt's fact is derived from what the submission holds (``project_receipt``), a later event
is folded into the old fact (``project_event``, ``fold_event``), and the monthly cell moves by
the difference between the old and the new fact, at a constant cost (docs/kpi.md).
``refresh_dossier`` derives one dossier from its log again (a correction outside the log);
``rebuild`` recomputes facts and cells in bulk: after an import or generated history, and from
``motcua kpi-rebuild`` should anyone suspect a drift. All of them judge with the same rules,
``LogState.step``: ``derive`` steps it through a whole log, the fold through one event.

How a dossier is judged (the rules of the 766 formula and the choices the sources leave open)
is written once in ``motcua.reports.kpi``'s docstring; ``derive`` turns those rules into
moments so that the judgement "as of T" becomes a comparison with T.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Model, Q, Subquery, Value
from django.db.models.functions import Greatest

from motcua.catalog.models import Procedure
from motcua.dossiers.events import Recorded
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.dossiers.states import TRANSITIONS, Channel, DossierStatus, EventAction
from motcua.reports.models import DossierFact, KpiCell, Outcome
from motcua.workcalendar.models import CalendarDay
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

    @property
    def digitized_at(self) -> datetime | None:
        """When the last component was digitized, if every one is (KPI 4.2)."""
        if self.total and self.digitized == self.total:
            return self.last_digitized_at
        return None


def month_of(moment: datetime) -> date:
    local = moment.astimezone(local_tz())
    return date(local.year, local.month, 1)


@dataclass
class LogState:
    """What the log establishes up to the last event stepped in: ``derive``'s running state.

    ``derive`` starts it from the dossier and steps it through the whole log; ``fold_event``
    starts it from the stored fact, which keeps every field of it, and steps it through one new
    event (issue 10). Both go through the same ``step``, so the rules below are written once.
    """

    due: datetime | None
    requests: int = 0
    paused_since: datetime | None = None
    paused_total: timedelta = timedelta()
    late_since: datetime | None = None
    withdrawn_at: datetime | None = None
    closed_at: datetime | None = None  # the first end state or withdrawal, whatever it is
    e_result_at: datetime | None = None
    paid_online_at: datetime | None = None
    rated_at: datetime | None = None
    rating: str = ""
    complaint: bool = False
    previous: datetime | None = None  # the moment of the last event stepped in

    def overdue_from(self, start: datetime, stop: datetime | None) -> datetime | None:
        """Within (start, stop] the state is fixed: the first T there that judges it overdue."""
        if self.requests > 1:
            return start  # a second supplement request counts as late [766 formula]
        if self.due is None:
            return None
        if self.paused_since is not None:
            # Clock stopped: judged at the request moment, as the formula ends it there.
            return start if self.paused_since > self.due else None
        moment = max(self.due, start)
        return moment if stop is None or moment < stop else None

    def step(self, event: EventRow, calendar: WorkCalendar, hours: Callable[[], OfficeHours]):
        if self.closed_at is None and self.previous is not None and self.late_since is None:
            self.late_since = self.overdue_from(self.previous, event.at)
        self.previous = event.at
        # A registered dossier ("Mới đăng ký") is received, and its due time fixed, when
        # reception accepts it: the accept event carries the due time then.
        if event.action in _RECEIPTS and "due_at" in event.data:
            due = event.data["due_at"]
            self.due = datetime.fromisoformat(due) if due else None
        elif event.action == EventAction.REQUEST_SUPPLEMENT and self.closed_at is None:
            self.requests += 1
            self.paused_since = event.at
        elif event.action == EventAction.SUBMIT_SUPPLEMENT and self.closed_at is None:
            seconds = event.data.get("paused_seconds")
            if seconds and self.due is not None:
                delta = timedelta(seconds=seconds)
                # Move the *legal* due time by the working time paused. Not the event's
                # "due_after": that moved the appointment, which a reschedule (Mẫu 04) may have
                # pushed already, and a reschedule must not excuse lateness.
                self.due = calendar.add_working_time(self.due, delta, hours=hours())
                self.paused_total += delta
            self.paused_since = None
        elif event.action == EventAction.SIGN or event.data.get("electronic_result") is True:
            self.e_result_at = self.e_result_at or event.at
        elif event.action == EventAction.PAY:
            if event.data.get("online") in ONLINE_PAYMENT_CODES and self.paid_online_at is None:
                self.paid_online_at = event.at
        elif event.action == EventAction.RATE and self.rated_at is None:
            self.rated_at = event.at
            self.rating = event.data.get("rating", "")
            self.complaint = bool(event.data.get("complaint"))
        if self.closed_at is None:
            if event.to_status == DossierStatus.WITHDRAWN:
                self.withdrawn_at = self.closed_at = event.at
            elif event.to_status in END_STATUSES:
                self.closed_at = event.at

    def finish(self) -> None:
        """After the last event: from then on the state holds, so the first overdue T after it."""
        if self.closed_at is None and self.previous is not None and self.late_since is None:
            self.late_since = self.overdue_from(self.previous, None)

    def judge(
        self,
        end_at: datetime | None,
        received_at: datetime,
        calendar: WorkCalendar,
        hours: OfficeHours,
    ) -> tuple[str, Decimal | None]:
        """Outcome and processing days of a dossier that ended at ``end_at``."""
        if end_at is None:
            return "", None
        # Ended while a supplement was pending (stopped, refused, withdrawn by the officer): the
        # clock stopped at the request [766 formula], so that moment is what is judged.
        clock_end = self.paused_since if self.paused_since is not None else end_at
        worked = calendar.working_time_between(received_at, clock_end, hours=hours)
        worked = max(worked - self.paused_total, timedelta())
        days = (
            Decimal(worked.total_seconds()) / Decimal(hours.day_length.total_seconds())
        ).quantize(Decimal("0.000001"), ROUND_HALF_UP)
        return _outcome(clock_end, self.due, self.requests), days


def derive(
    dossier: Dossier,
    events: Sequence[EventRow],
    documents: DocumentSummary,
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> DossierFact:
    """The fact of one dossier from its whole log (events sorted by seq)."""
    state = LogState(due=dossier.due_at)
    reached: dict[str, datetime] = {}
    for event in events:
        state.step(event, calendar, lambda: hours)
        reached.setdefault(event.to_status, event.at)
    state.finish()
    end_at = end_status = None
    if state.withdrawn_at is None:
        for statuses in END_PRIORITY:
            moments = [(reached[s], s) for s in statuses if s in reached]
            if moments:
                end_at, end_status = min(moments)
                break
    outcome, processing_days = state.judge(end_at, dossier.received_at, calendar, hours)
    return _fact(
        dossier,
        dossier.procedure.sector_id,
        state,
        end_at,
        end_status or "",
        outcome,
        processing_days,
        documents.digitized_at,
        documents.first_reused_at,
    )


def _fact(
    dossier: Dossier,
    sector_id: int,
    state: LogState,
    end_at: datetime | None,
    end_status: str,
    outcome: str,
    processing_days: Decimal | None,
    digitized_at: datetime | None,
    reused_at: datetime | None,
) -> DossierFact:
    result_at = end_at if end_status in RESULT_STATUSES else None
    fee_bearing = bool(dossier.fee_vnd)
    paid_online_at = state.paid_online_at if fee_bearing else None
    is_closed = end_at is not None or state.withdrawn_at is not None
    milestones = [
        m
        for m in (
            end_at,
            state.withdrawn_at,
            state.e_result_at,
            digitized_at,
            reused_at,
            paid_online_at,
            state.rated_at,
        )
        if m is not None
    ]
    return DossierFact(
        dossier_id=dossier.pk,
        center_id=dossier.center_id,
        sector_id=sector_id,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        assignee_id=dossier.assignee_id,
        received_at=dossier.received_at,
        received_month=month_of(dossier.received_at),
        due_at=state.due,
        end_at=end_at,
        end_status=end_status,
        outcome=outcome,
        processing_days=processing_days,
        withdrawn_at=state.withdrawn_at,
        late_since=state.late_since,
        supplement_requests=state.requests,
        paused_since=state.paused_since,
        paused=state.paused_total,
        result_at=result_at,
        e_result_at=state.e_result_at,
        digitized_at=digitized_at,
        reused_at=reused_at,
        fee_bearing=fee_bearing,
        paid_online_at=paid_online_at,
        rated_at=state.rated_at,
        rating=state.rating,
        complaint=state.complaint,
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
        project_event(recorded.event, recorded.previous_at)


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


# The workflow actions write no document row but accept's paper flags, which the summary does
# not count; payments and ratings write none. Any other event (digitize, reuse, or one added
# later) reads the documents' summary again.
_LEAVES_DOCUMENTS = frozenset(
    {action for _status, action in TRANSITIONS} | {EventAction.PAY, EventAction.RATE}
)
_END_GROUP: dict[str, int] = {
    status: rank for rank, group in enumerate(END_PRIORITY) for status in group
}


def project_event(event: DossierEvent, previous_at: datetime | None) -> DossierFact | None:
    """Fold a later event into its dossier's fact and move the cell by the difference.

    The old fact is locked (``SELECT … FOR UPDATE``: two transactions following events of one
    dossier take turns, and the second folds into the first one's fact) and read with the two
    things the event does not carry: the sector of the dossier's procedure as the catalog has
    it now, and the version of the holiday table (for the per-process calendar). The new fact
    is the old one stepped through the event (``fold_event``); where that cannot be exact the
    dossier is derived again from its log (``_derive_many``), the way every event did before
    issue 10. ``event.dossier`` is the row as the writer locked and changed it, which is what a
    read-back would find.
    """
    dossier = event.dossier
    old = (
        DossierFact.objects.select_for_update()
        .filter(pk=dossier.pk)
        .annotate(
            current_sector=Subquery(
                Procedure.objects.filter(pk=dossier.procedure_id).order_by().values("sector_id")
            ),
            calendar_days=_whole_table(CalendarDay, Count("pk")),
            calendar_edited=_whole_table(CalendarDay, Max("updated_at")),
        )
        .first()
    )
    if old is None and dossier.status == DossierStatus.SUBMITTED:
        return None  # registered, not received yet: no fact (see _derive_many)
    fact = None
    if old is not None:
        calendar = cached_calendar((old.calendar_days, old.calendar_edited))
        fact = fold_event(old, event, previous_at, old.current_sector, calendar)
    if fact is None:
        fact = _derive_many([dossier.pk])[0]
        if fact is None:
            return None  # registered, not received yet: no dossier goes back to that status
    if old is None:
        fact.save(force_insert=True)
    else:
        fact.save(force_update=True)
    _move_cells(old, fact)
    return fact


def _whole_table(model: type[Model], aggregate: Any) -> Subquery:
    """``(SELECT aggregate FROM table)``: grouped by a constant, which Django leaves out."""
    rows = model._default_manager.order_by().annotate(whole=Value(1)).values("whole")
    return Subquery(rows.annotate(value=aggregate).values("value"))


def fold_event(
    old: DossierFact,
    event: DossierEvent,
    previous_at: datetime | None,
    sector_id: int | None,
    calendar: WorkCalendar,
) -> DossierFact | None:
    """The fact ``derive`` would give for the log that gave ``old`` plus ``event``, or None.

    The fact keeps all of ``LogState`` but two things, and the event brings the rest: the
    dossier row it changed (``event.dossier``), the moment of the previous event
    (``previous_at``). None means the fold cannot be exact and the caller derives from the log;
    each such case says why. The calendar is used only by a supplement's return (the legal due
    time moves) and by an end that changes the judgement (processing days); the documents are
    read only for an event that touches them.
    """
    dossier = event.dossier
    if old.paused is None:
        return None  # written before the fact kept the supplement clock: not known
    if sector_id is None or previous_at is None:
        return None  # the procedure is gone, or the writer did not say where the log stood
    if dossier.received_at != old.received_at or bool(dossier.fee_vnd) != old.fee_bearing:
        # A new receipt moment changes the month and every working time; a fee appearing needs
        # the first online payment, which the fact does not keep while there is no fee.
        return None
    at = event.at
    if at < previous_at:
        # The log's moments are out of order: the fact's moments (first overdue moment, first
        # end in a priority group) no longer say where the new event falls among them.
        return None
    late_since = old.late_since
    if not old.is_closed and late_since is not None and late_since >= at:
        # ``late_since`` after the last event came from the tail ("overdue from T as things
        # stand"), which the new event replaces; strictly before this event it is final. At
        # exactly this moment it may be either (events in the same instant): the log decides.
        if late_since == at:
            return None
        late_since = None
    state = LogState(
        due=old.due_at,
        requests=old.supplement_requests,
        paused_since=old.paused_since,
        paused_total=old.paused,
        late_since=late_since,
        withdrawn_at=old.withdrawn_at,
        # Only "closed or not" matters to the rules (see LogState.step).
        closed_at=(old.withdrawn_at or old.end_at) if old.is_closed else None,
        e_result_at=old.e_result_at,
        # Without a fee the fact holds no online payment, and none is needed: fee_bearing did
        # not change (above), so none will be shown.
        paid_online_at=old.paid_online_at,
        rated_at=old.rated_at,
        rating=old.rating,
        complaint=old.complaint,
        previous=previous_at,
    )
    hours = _Hours(dossier)
    state.step(EventRow(event.action, event.to_status, at, event.data or {}), calendar, hours)
    state.finish()
    end = _fold_end(old, state, event.to_status, at)
    if end is None:
        return None
    end_at, end_status = end
    unchanged = (old.end_at, old.end_status, old.paused_since, old.due_at) == (
        end_at,
        end_status,
        state.paused_since,
        state.due,
    ) and (old.supplement_requests, old.paused) == (state.requests, state.paused_total)
    if unchanged:
        outcome, processing_days = old.outcome, old.processing_days
    else:
        outcome, processing_days = state.judge(end_at, dossier.received_at, calendar, hours())
    if event.action in _LEAVES_DOCUMENTS:
        digitized_at, reused_at = old.digitized_at, old.reused_at
    else:
        documents = _document_summaries([dossier.pk]).get(dossier.pk, DocumentSummary())
        digitized_at, reused_at = documents.digitized_at, documents.first_reused_at
    return _fact(
        dossier,
        sector_id,
        state,
        end_at,
        end_status,
        outcome,
        processing_days,
        digitized_at,
        reused_at,
    )


def _fold_end(
    old: DossierFact, state: LogState, status: str, at: datetime
) -> tuple[datetime | None, str] | None:
    """The end (766 priority, first moment each state was reached) after one more event.

    ``derive`` takes, in the first priority group any reached state falls in, the earliest
    first arrival. The fact keeps only the winner; that is enough but for one case: another
    state of the winner's group reached at or before the winner's moment, which needs the
    moments of the log (None).
    """
    if state.withdrawn_at is not None:
        return None, ""  # withdrawn first: no end counts [766 formula, withdrawn left out]
    current: tuple[datetime | None, str] = (old.end_at, old.end_status)
    if status not in END_STATUSES or status == old.end_status:
        return current
    if not old.end_status:
        return at, status  # no end state reached before (it would be the end)
    rank, current_rank = _END_GROUP[status], _END_GROUP[old.end_status]
    if rank < current_rank:
        return at, status  # never reached before: it would have been the end
    if rank > current_rank:
        return current
    assert old.end_at is not None
    return current if at > old.end_at else None


class _Hours:
    """The center's office hours, read only when a working time is computed."""

    def __init__(self, dossier: Dossier) -> None:
        self._dossier = dossier
        self._hours: OfficeHours | None = None

    def __call__(self) -> OfficeHours:
        if self._hours is None:
            self._hours = OfficeHours.from_center(self._dossier.center)
        return self._hours


_calendar_cache: tuple[tuple, WorkCalendar] | None = None


def cached_calendar(version: tuple) -> WorkCalendar:
    """This process's calendar, loaded again when the holiday table is not as it was.

    ``version`` (the table's row count and latest ``updated_at``) is read with the fact's lock,
    in the event's transaction, so an edit committed by any process (the admin, ``motcua
    calendar``) or made earlier in this transaction is seen by the next event: adding or
    deleting a row changes the count, saving one (``auto_now``) the latest moment. A calendar
    loaded in a transaction that rolled back an edit is dropped the same way (the version read
    next differs). Years are loaded on first use and kept; the ``holidays`` package is static.
    """
    global _calendar_cache
    cached = _calendar_cache
    if cached is None or cached[0] != version:
        cached = _calendar_cache = (version, WorkCalendar.from_db())
    return cached[1]


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
    documents = _document_summaries(ids)
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


def _document_summaries(ids: list[int]) -> dict[int, DocumentSummary]:
    return {
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
