"""The KPI engine as it was before facts and cells: a replay of every dossier's events.

Kept only as a test oracle: ``tests/reports/test_rollups.py`` checks that the facts and the
monthly cells give the same counts as replaying each dossier's log up to the judgement moment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import Channel, DossierStatus, EventAction
from motcua.reports.kpi import VIETNAM, period_bounds
from motcua.workcalendar.services import OfficeHours, WorkCalendar

END_PRIORITY = (
    (DossierStatus.PROCESSED,),
    (DossierStatus.RETURNED,),
    (DossierStatus.STOPPED, DossierStatus.NOT_ACCEPTED),
)


@dataclass
class Judgement:
    """How one dossier stands at the judgement moment (see the module docstring)."""

    status: str
    end_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    supplement_requests: int
    paused: timedelta

    @property
    def resolved(self) -> bool:
        return self.end_at is not None

    def timeliness(self, judged_at: datetime) -> str:
        """early / on_time / late for a resolved dossier; within / overdue for an open one."""
        if self.resolved:
            if self.supplement_requests > 1:
                return "late"
            if self.due_at is None:
                return "on_time"  # no legal time limit ("Theo quy định"): cannot be late
            end = self.paused_at or self.end_at  # ended while a supplement was pending
            if end > self.due_at:
                return "late"
            if end.astimezone(VIETNAM).date() < self.due_at.astimezone(VIETNAM).date():
                return "early"
            return "on_time"
        if self.supplement_requests > 1:
            return "overdue"
        moment = self.paused_at or judged_at
        if self.due_at is not None and moment > self.due_at:
            return "overdue"
        return "within"


def judge(
    dossier: Dossier,
    events: list[DossierEvent],
    judged_at: datetime,
    calendar: WorkCalendar,
) -> Judgement:
    """Replay the dossier's events up to ``judged_at`` (events sorted by seq)."""
    hours = OfficeHours.from_center(dossier.center)
    status = DossierStatus.RECEIVED
    due = dossier.due_at
    reached: dict[str, datetime] = {}
    paused_at: datetime | None = None
    requests = 0
    paused = timedelta()
    for event in events:
        if event.at >= judged_at:
            continue
        status = event.to_status
        reached.setdefault(event.to_status, event.at)
        # Reception's acceptance of a registered dossier fixes its due time (decision 0005).
        if event.action in (EventAction.RECEIVE, EventAction.ACCEPT) and "due_at" in event.data:
            due = datetime.fromisoformat(event.data["due_at"]) if event.data["due_at"] else None
        elif event.action == EventAction.REQUEST_SUPPLEMENT:
            requests += 1
            paused_at = event.at
        elif event.action == EventAction.SUBMIT_SUPPLEMENT:
            # The clock stops while the citizen supplements [CT]: the due time moves by the
            # working time paused, exactly as the action moved it (motcua.dossiers.actions).
            seconds = event.data.get("paused_seconds")
            if seconds and due is not None:
                delta = timedelta(seconds=seconds)
                due = calendar.add_working_time(due, delta, hours=hours)
                paused += delta
            paused_at = None
    end_at = None
    for statuses in END_PRIORITY:
        moments = [reached[s] for s in statuses if s in reached]
        if moments:
            end_at = min(moments)
            break
    if status == DossierStatus.WITHDRAWN:
        end_at = None
    return Judgement(status, end_at, due, paused_at, requests, paused)


def replay_counts(date_from: date, date_to: date, *, now: datetime | None = None) -> dict:
    """received / early / on time / late / within / overdue / refused / stopped / withdrawn."""
    start, end = period_bounds(date_from, date_to)
    judged_at = min(end, now) if now is not None else end
    dossiers = list(
        Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
        # Only registered, never accepted: not received (docs/decisions/0005).
        .exclude(status=DossierStatus.SUBMITTED)
        .select_related("center")
        .order_by("pk")
    )
    events: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in DossierEvent.objects.filter(dossier__in=dossiers).order_by("dossier_id", "seq"):
        events[event.dossier_id].append(event)
    calendar = WorkCalendar.from_db(start.date(), end.date())
    result = defaultdict(int)
    result["received"] = len(dossiers)
    for dossier in dossiers:
        j = judge(dossier, events[dossier.pk], judged_at, calendar)
        if dossier.channel == Channel.ONLINE:
            result["online"] += 1
        if j.status == DossierStatus.WITHDRAWN:
            result["withdrawn"] += 1
            continue
        if j.status == DossierStatus.NOT_ACCEPTED:
            result["refused"] += 1
        elif j.status == DossierStatus.STOPPED:
            result["stopped"] += 1
        verdict = j.timeliness(judged_at)
        if j.resolved:
            result["resolved"] += 1
            result[f"resolved_{verdict}"] += 1
        elif verdict == "within":
            result["in_progress_within_time"] += 1
        else:
            result["in_progress_overdue"] += 1
    return dict(result)
