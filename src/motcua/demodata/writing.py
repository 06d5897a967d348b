"""Scenarios turned into rows and chained events, in bulk (:func:`write`)."""

from __future__ import annotations

import bisect
import hashlib
import multiprocessing
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from motcua.centers.models import Center, Unit
from motcua.demodata.people import Staff, load_staff
from motcua.demodata.stories import (
    REFUSE_NOTES,
    RESCHEDULE_NOTES,
    STOP_NOTES,
    SUPPLEMENT_NOTES,
    WITHDRAW_NOTES,
    Catalog,
    Outcome,
    Scenario,
)
from motcua.dossiers.models import (
    CitizenDocument,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    event_hash,
)
from motcua.dossiers.services import VIETNAM, dossier_code
from motcua.dossiers.states import (
    Channel,
    DossierStatus,
    EventAction,
    PaymentMethod,
    ResultDelivery,
)
from motcua.workcalendar.services import (
    OfficeHours,
    WorkCalendar,
    load_overrides_from_db,
    local_tz,
)

S, A = DossierStatus, EventAction


# Every generated dossier's idempotency key starts with this: it tells demo rows from real ones.
KEY_PREFIX = "demo:"
BATCH = 2000

# Writing


class _Calendar(WorkCalendar):
    """The project's calendar, with each day's office sessions computed once per run.

    A million dossiers ask for the sessions of the same few hundred days tens of millions of
    times; the answer depends only on the day and the office hours, both immutable here.
    """

    def __init__(self) -> None:
        super().__init__(loader=load_overrides_from_db)
        self._sessions: dict[tuple, list[tuple[datetime, datetime]]] = {}

    def _sessions_on(self, day: date, hours: OfficeHours) -> list[tuple[datetime, datetime]]:
        key = (day, hours)
        sessions = self._sessions.get(key)
        if sessions is None:
            sessions = self._sessions[key] = super()._sessions_on(day, hours)
        return sessions


ONLINE_ACTOR = "portal:dvcqg"  # received through the national portal
KIOSK_ACTOR = "kiosk:demo"
CITIZEN_ACTOR = "citizen"  # the citizen paid or rated on the portal
DAY = 27_000  # seconds of working time in an office day (7 h 30)


class _Clock:
    """Working time of one center as a number line: a moment's index is the working seconds
    since the first day, so "working time between" is a subtraction and "add working time" a
    search, instead of a walk over days for every step of every dossier.

    It answers exactly as ``WorkCalendar.working_time_between`` / ``add_working_time`` do (the
    earliest moment: a count that ends at 11:30 is 11:30, not 13:30); tests compare the two.
    """

    def __init__(self, calendar: _Calendar, hours: OfficeHours, first_day: date) -> None:
        self.calendar, self.hours, self.origin = calendar, hours, first_day
        self.tz = local_tz()
        self.days: list[list[tuple[datetime, datetime, int]]] = []
        self.cum = [0]  # cum[i]: working seconds before day i
        self._memo: dict[datetime, int] = {}

    def _extend(self, last: int) -> None:
        while len(self.days) <= last:
            day = self.origin + timedelta(days=len(self.days))
            sessions = [
                (start, end, int((end - start).total_seconds()))
                for start, end in self.calendar._sessions_on(day, self.hours)
            ]
            self.days.append(sessions)
            self.cum.append(self.cum[-1] + sum(length for _s, _e, length in sessions))

    def index(self, moment: datetime) -> int:
        x = self._memo.get(moment)
        if x is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            x = self._memo[moment] = self._index(moment)
        return x

    def _index(self, moment: datetime) -> int:
        if moment.tzinfo is not self.tz:
            moment = moment.astimezone(self.tz)
        i = (moment.date() - self.origin).days
        if i < 0:
            raise ValueError("moment before the clock's first day")
        self._extend(i)
        x = self.cum[i]
        for start, end, length in self.days[i]:
            if moment >= end:
                x += length
            else:
                if moment > start:
                    x += int((moment - start).total_seconds())
                break
        return x

    def moment(self, x: int) -> datetime:
        """The earliest moment whose index is ``x`` (x > 0)."""
        while self.cum[-1] < x:
            self._extend(len(self.days) + 30)
        i = bisect.bisect_left(self.cum, x) - 1
        rest = x - self.cum[i]
        for start, _end, length in self.days[i]:
            if rest <= length:
                return start + timedelta(seconds=rest)
            rest -= length
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _CenterContext:
    center: Center
    hours: OfficeHours
    staff: Staff
    units_by_sector: dict[int, Unit]
    clock: _Clock


@dataclass
class _Event:
    action: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    note: str = ""
    data: dict = field(default_factory=dict)
    # The due time in force after this event when it fixes or moves one (receive, supplement,
    # reschedule): the dossier's due_at without parsing the data back.
    due: datetime | None = None


@dataclass
class _Story:
    """One dossier as built: its row, its events (cut at now), components and store entry."""

    dossier: dict  # Dossier's column values by attname
    events: list[_Event]
    documents: list[dict]
    stored: dict | None  # the store entry the reused component comes from (CitizenDocument)


@dataclass
class WriteReport:
    dossiers: int = 0
    events: int = 0
    documents: int = 0
    center_ids: set[int] = field(default_factory=set)


class _Timeline:
    """The events of one dossier as they are appended, with the status and the last moment."""

    def __init__(self, first: _Event) -> None:
        self.events = [first]
        self.status = first.to_status
        self.t = first.at

    def add(self, action, to_status, actor, at, note="", data=None, due=None) -> None:
        self.events.append(_Event(action, self.status, to_status, actor, at, note, data or {}, due))
        self.status, self.t = to_status, at

    def note(self, action, actor, at, note="", data=None) -> None:
        """An event that keeps the status (pay, digitize, reuse, rate)."""
        self.add(action, self.status, actor, at, note, data)


class Writer:
    """Turns scenarios into rows in bulk; see :func:`write`."""

    def __init__(self, *, now: datetime, first_day: date, catalog: Catalog | None = None) -> None:
        # In the local zone like every moment built here: same-zone comparisons are the fast ones.
        self.now = now.astimezone(local_tz())
        self.catalog = catalog or Catalog()
        self.calendar = _Calendar()
        # Every year a story can reach, read once (and before any worker process is forked).
        self.calendar.preload(first_day, self.now.date() + timedelta(days=3 * 366))
        self.clocks: dict[OfficeHours, _Clock] = {}
        # The clocks count from here; a moment before it would be a bug in the caller.
        self.first_day = first_day
        self.centers: dict[int, _CenterContext] = {}
        self.counters: dict[tuple[int, date], int] = {}
        self.notes = {
            action: [_(n) for n in notes]
            for action, notes in (
                (A.REFUSE, REFUSE_NOTES),
                (A.REQUEST_SUPPLEMENT, SUPPLEMENT_NOTES),
                (A.STOP, STOP_NOTES),
                (A.WITHDRAW, WITHDRAW_NOTES),
                (A.RESCHEDULE, RESCHEDULE_NOTES),
            )
        }
        self.report = WriteReport()
        self.dossiers = _Insert(Dossier, _DOSSIER_COLUMNS)
        self.stored = _Insert(CitizenDocument, _CITIZEN_COLUMNS)
        self.documents = _Insert(DossierDocument, _DOCUMENT_COLUMNS)
        self.events = _Insert(DossierEvent, _EVENT_COLUMNS)

    def context(self, center_id: int) -> _CenterContext:
        ctx = self.centers.get(center_id)
        if ctx is None:
            center = Center.objects.get(pk=center_id)
            units: dict[int, Unit] = {}
            # As centers.selectors.responsible_unit: the first unit by name with the field.
            for unit in center.units.order_by("name").prefetch_related("sectors"):
                for sector in unit.sectors.all():
                    units.setdefault(sector.pk, unit)
            hours = OfficeHours.from_center(center)
            clock = self.clocks.get(hours)
            if clock is None:
                clock = self.clocks[hours] = _Clock(self.calendar, hours, self.first_day)
            ctx = _CenterContext(center, hours, load_staff(center), units, clock)
            self.centers[center_id] = ctx
            for row in DossierCounter.objects.select_for_update().filter(center=center):
                self.counters[(center_id, row.day)] = row.last_number
        return ctx

    # Time: every back-office step happens inside office hours, on working days.

    def _after(self, ctx, moment: datetime, seconds: int) -> datetime:
        return ctx.clock.moment(ctx.clock.index(moment) + max(int(seconds), 1))

    def _worked(self, ctx, start: datetime, end: datetime) -> int:
        if end <= start:
            return 0
        return ctx.clock.index(end) - ctx.clock.index(start)

    def _between(self, ctx, start: datetime, end: datetime, fraction: float) -> datetime:
        """``fraction`` of the working time from ``start`` to ``end``, strictly after ``start``."""
        worked = self._worked(ctx, start, end)
        if not worked:
            return self._after(ctx, start, 60)
        return self._after(ctx, start, min(max(int(worked * fraction), 1), worked))

    def _step(self, ctx, rng, moment, due, low: int, high: int) -> datetime:
        """A step of a few minutes, never more than a tenth of the time left before the due time."""
        seconds = rng.randint(low * 60, high * 60)
        if due is not None:
            if due <= moment:
                seconds = rng.randint(1, 60)
            else:
                seconds = min(seconds, max(self._worked(ctx, moment, due) // 10, 1))
        return self._after(ctx, moment, seconds)

    # The story of one dossier

    def story(self, s: Scenario, code: str, number: int, citizen_pk: int | None) -> _Story:
        """The dossier's rows and events; ``code``, ``number`` and the store entry's key are the
        caller's (they are handed out in order, see :meth:`prepare`)."""
        ctx = self.context(s.center_id)
        info = self.catalog.get(s.procedure_id)
        terms = info.terms[s.channel]
        rng = random.Random(s.jitter)
        due = None
        if terms.time_value is not None:
            # As services.compute_due_at, with one calendar for the whole run.
            amount = terms.time_value
            value = int(amount) if amount == amount.to_integral_value() else amount
            due = self.calendar.due_at(
                s.received_at,
                value,
                terms.time_unit,
                hours=ctx.hours,
                next_day_after_cutoff=terms.next_day_after_cutoff,
            )
        unit = ctx.units_by_sector.get(info.sector_id)
        reception = rng.choice(ctx.staff.reception)
        actors: dict[str, str] = {Channel.ONLINE: ONLINE_ACTOR, Channel.KIOSK: KIOSK_ACTOR}
        receiver = actors.get(s.channel, reception)
        line = _Timeline(
            _Event(
                A.RECEIVE,
                "",
                S.RECEIVED,
                receiver,
                s.received_at,
                data={
                    "channel": s.channel,
                    "national_channel": Channel(s.channel).national_code,
                    "due_at": due.isoformat() if due else None,
                    "unit": unit.code if unit else None,
                    "documents": len(info.components),
                },
                due=due,
            )
        )
        if s.payment:
            method = PaymentMethod(s.payment)
            line.note(
                A.PAY,
                CITIZEN_ACTOR if method.online_code else reception,
                self._step(ctx, rng, line.t, due, 1, 5),
                data={
                    "method": s.payment,
                    "online": method.online_code,
                    "amount_vnd": info.fee(s.channel),
                    "reference": f"{'TT' if method.online_code else 'BL'}"
                    f"{rng.randrange(10**10):010d}",
                },
            )
        documents, stored = self._components(s, ctx, rng, info, line, due, reception, citizen_pk)
        if s.outcome == Outcome.REFUSED:
            at = self._step(ctx, rng, line.t, due, 5, 90)
            line.add(A.REFUSE, S.NOT_ACCEPTED, reception, at, rng.choice(self.notes[A.REFUSE]))
        else:
            self._process(s, ctx, rng, line, due, unit, reception)
        return self._finish(s, info, unit, line.events, documents, stored, code, number)

    def _components(self, s, ctx, rng, info, line, due, reception, citizen_pk):
        """Component rows; digitized (or one reused from the store) right after receipt."""
        documents, stored = [], None
        for position, component in enumerate(info.components, start=1):
            document = {
                "position": position,
                "name": component.name,
                "required_document_id": component.required_document_id,
                "requirement": component.requirement,
                "originals": component.originals,
                "copies": component.copies,
                "provided_on_paper": s.channel != Channel.ONLINE,
                "file": "",
                "content_type": "",
                "size": None,
                "sha256": "",
                "digitized": False,
                "digitized_at": None,
                "digitized_by": "",
                "reused_from_id": None,
                "reused": False,
            }
            documents.append(document)
            if not s.digitized:
                continue
            at = self._step(ctx, rng, line.t, due, 1, 3)
            size = rng.randint(60_000, 900_000)
            if s.reused and position == 1:
                sha = _fake_sha(s.applicant.id_number, component.type_key)
                created = s.received_at - timedelta(days=rng.randint(20, 700))
                # The copy in the citizen's store, digitized for an earlier dossier elsewhere.
                stored = {
                    "id": citizen_pk,
                    "owner_id_number": s.applicant.id_number,
                    "document_type": component.type_key,
                    "name": component.name,
                    "file": "",
                    "content_type": "application/pdf",
                    "size": size,
                    "sha256": sha,
                    "source_dossier_id": None,
                    "source_document_id": None,
                    "valid_until": None,
                    "created_at": created,
                    "updated_at": created,
                    "digitized_by": "",
                }
                data = {"position": position, "citizen_document_id": citizen_pk, "sha256": sha}
                line.note(A.REUSE, reception, at, component.name[:200], data)
                document["reused"] = True
            else:
                sha = _fake_sha(s.received_at.isoformat(), s.applicant.id_number, str(position))
                data = {
                    "position": position,
                    "source": "scan",
                    "content_type": "application/pdf",
                    "size": size,
                    "sha256": sha,
                    "citizen_document_id": None,
                }
                line.note(A.DIGITIZE, reception, at, component.name[:200], data)
            document.update(
                content_type="application/pdf",
                size=size,
                sha256=sha,
                digitized=True,
                digitized_at=at,
                digitized_by=reception,
            )
        return documents, stored

    def _process(self, s, ctx, rng, line, due, unit, reception) -> None:
        """From the assignment to the result, its return and the rating."""
        specialist = ctx.staff.specialist_for(unit.pk if unit else None, rng)
        specialist_actor = f"user:{specialist}"
        leader = rng.choice(ctx.staff.leaders)
        line.add(
            A.ASSIGN,
            S.IN_PROGRESS,
            reception,
            self._step(ctx, rng, line.t, due, 5, 60),
            data={
                "from_unit_id": unit.pk if unit else None,
                "from_user_id": None,
                "to_unit_id": unit.pk if unit else None,
                "to_user_id": specialist,
            },
        )
        if s.outcome == Outcome.WITHDRAWN:
            horizon = due if due and due > line.t else self._after(ctx, line.t, 2 * DAY)
            at = self._between(ctx, line.t, horizon, 0.2 + 0.6 * s.pace)
            line.add(A.WITHDRAW, S.WITHDRAWN, reception, at, rng.choice(self.notes[A.WITHDRAW]))
            return
        for number in range(1, s.supplements + 1):
            limit = due if due is not None and due > line.t else self._after(ctx, line.t, DAY)
            asked = self._between(ctx, line.t, limit, rng.uniform(0.1, 0.6))
            line.add(
                A.REQUEST_SUPPLEMENT,
                S.SUPPLEMENT_REQUESTED,
                specialist_actor,
                asked,
                rng.choice(self.notes[A.REQUEST_SUPPLEMENT]),
                {"supplement_request": number},
            )
            # The citizen comes back after an hour to about a week of working time.
            answered = self._after(ctx, asked, rng.randint(3_600, 5 * DAY))
            data = {}
            if due is not None:
                # As motcua.dossiers.actions._submit_supplement: the due time moves by the
                # working time the clock was stopped (domain.md §3.3). ``due_before`` is the
                # stored value, read back in UTC, as the action reads it.
                paused = self.calendar.working_time_between(asked, answered, hours=ctx.hours)
                new_due = self.calendar.add_working_time(due, paused, hours=ctx.hours)
                data = {
                    "paused_seconds": int(paused.total_seconds()),
                    "due_before": due.astimezone(UTC).isoformat(),
                    "due_after": new_due.isoformat(),
                }
                due = new_due
            line.add(A.SUBMIT_SUPPLEMENT, S.IN_PROGRESS, reception, answered, data=data, due=due)
        if s.outcome == Outcome.STOPPED:
            horizon = due if due and due > line.t else self._after(ctx, line.t, 2 * DAY)
            at = self._between(ctx, line.t, horizon, 0.2 + 0.6 * s.pace)
            line.add(A.STOP, S.STOPPED, leader, at, rng.choice(self.notes[A.STOP]))
            return
        if s.outcome == Outcome.IN_PROGRESS:
            return

        end = self._end(s, ctx, rng, line.t, due)
        if (
            s.outcome == Outcome.LATE
            and s.supplements < 2
            and due is not None
            and due > line.t
            and rng.random() < 0.5
        ):
            # Mẫu 04, written before the due time passes. It moves the appointment; the KPI
            # still judges against the legal due time.
            at = self._between(ctx, line.t, due, rng.uniform(0.5, 0.9))
            if at < due:
                new_due = self._after(ctx, end, DAY)
                line.add(
                    A.RESCHEDULE,
                    S.IN_PROGRESS,
                    rng.choice((specialist_actor, leader)),
                    at,
                    rng.choice(self.notes[A.RESCHEDULE]),
                    {
                        "due_before": due.astimezone(UTC).isoformat(),
                        "due_after": new_due.isoformat(),
                    },
                    due=new_due,
                )
        end = max(end, line.t + timedelta(seconds=2))
        if s.e_result:
            at = min(self._between(ctx, line.t, end, rng.uniform(0.3, 0.9)), end)
            line.add(A.SUBMIT_FOR_SIGNATURE, S.AWAITING_SIGNATURE, specialist_actor, at)
            line.add(A.SIGN, S.PROCESSED, leader, max(end, at + timedelta(seconds=1)))
        else:
            line.add(A.MARK_RESULT_READY, S.PROCESSED, specialist_actor, end)
        wait = rng.randint(60, 1_800) if s.result_delivery == ResultDelivery.ONLINE else None
        returned = self._after(ctx, line.t, wait or rng.randint(600, 3 * DAY))
        line.add(
            A.RETURN_RESULT, S.RETURNED, reception, returned, data={"delivery": s.result_delivery}
        )
        if s.rating:
            line.note(
                A.RATE,
                CITIZEN_ACTOR,
                self._after(ctx, returned, rng.randint(60, DAY)),
                data={"rating": s.rating, "complaint": bool(s.complaint)},
            )

    def _end(self, s: Scenario, ctx, rng, start: datetime, due: datetime | None) -> datetime:
        """When the result is ready, inside the window the outcome asks for."""
        start = self._step(ctx, rng, start, due, 5, 30)
        if due is None:
            return self._after(ctx, start, int(s.pace * 2 * DAY))
        if s.outcome == Outcome.LATE and s.supplements < 2:
            return self._after(ctx, max(due, start), 600 + int(s.pace * 3 * DAY))
        due_day_opening = datetime.combine(
            due.astimezone(VIETNAM).date(), ctx.hours.morning_start, VIETNAM
        )
        if s.outcome != Outcome.ON_TIME and self._worked(ctx, start, due_day_opening):
            # The working time up to the opening of the due day ends at the close of the working
            # day before it: any fraction of it lands on an earlier day ("trước hạn").
            return self._between(ctx, start, due_day_opening, 0.05 + 0.9 * s.pace)
        if start >= due:
            return start
        return self._between(ctx, max(start, due_day_opening), due, 0.05 + 0.95 * s.pace)

    def _finish(self, s, info, unit, events, documents, stored, code, number) -> _Story:
        """Cut the story at ``now`` and derive the dossier's fields from what is left of it."""
        kept = [e for e in events if e.at < self.now]
        status = kept[-1].to_status
        due = kept[0].due
        assignee = paused_at = None
        requests = 0
        for e in kept:
            if e.due is not None:
                due = e.due
            elif e.action == A.ASSIGN:
                assignee = e.data["to_user_id"]
            elif e.action == A.REQUEST_SUPPLEMENT:
                requests += 1
                paused_at = e.at
        if status != S.SUPPLEMENT_REQUESTED:
            paused_at = None
        for document in documents:
            if document["digitized_at"] is not None and document["digitized_at"] >= self.now:
                document.update(
                    content_type="",
                    size=None,
                    sha256="",
                    digitized=False,
                    digitized_at=None,
                    digitized_by="",
                    reused=False,
                )
        if not any(d["reused"] for d in documents):
            stored = None

        terms = info.terms[s.channel]
        a = s.applicant
        # The row as a dict of Dossier's columns (a model instance per row would cost more than
        # the rest of the story).
        dossier = dict(
            code=code,
            center_id=s.center_id,
            number=number,
            procedure_id=s.procedure_id,
            applicant_name=a.name,
            applicant_id_number=a.id_number,
            applicant_birth_date=a.birth_date,
            applicant_sex=a.sex,
            applicant_address=a.address,
            applicant_phone=a.phone,
            applicant_email=a.email,
            form_data={},
            form_version=1,
            channel=s.channel,
            result_delivery=s.result_delivery,
            received_at=s.received_at,
            time_limit_value=terms.time_value,
            time_limit_unit=terms.time_unit,
            due_at=due,
            fee_vnd=terms.fee_vnd,
            copies_requested=0,
            copy_fee_vnd=terms.copy_fee_vnd,
            fee_unit=terms.fee_unit,
            status=status,
            unit_id=unit.pk if unit else None,
            assignee_id=assignee,
            clock_paused_at=paused_at,
            supplement_requests=requests,
            submitted_by=kept[0].actor,
            idempotency_key=f"{KEY_PREFIX}{code}",
        )
        return _Story(dossier, kept, documents, stored)

    # Bulk insert: prepare (in order) → build (pure, in a worker process or here) → insert

    def prepare(self, scenarios: list[Scenario]) -> list[tuple]:
        """Number the dossiers in the order given and hand out their keys (and the store
        entries'), so that each story can then be built on its own, in any process."""
        reusing = sum(1 for s in scenarios if s.reused)
        dossier_keys = iter(_allocate_keys(Dossier, len(scenarios)))
        citizen_keys = iter(_allocate_keys(CitizenDocument, reusing))
        jobs = []
        for s in scenarios:
            ctx = self.context(s.center_id)
            self.catalog.get(s.procedure_id)  # read here: a worker process has no database
            received_on = s.received_at.astimezone(VIETNAM).date()
            number = self.counters.get((s.center_id, received_on), 0) + 1
            self.counters[(s.center_id, received_on)] = number
            code = dossier_code(ctx.center.agency_code, received_on, number)
            jobs.append(
                (
                    s,
                    code,
                    number,
                    next(dossier_keys),
                    next(citizen_keys, None) if s.reused else None,
                )
            )
        return jobs

    def build(self, job: tuple) -> tuple:
        """The converted rows of one dossier: (dossier, store entry or None, components, events)."""
        s, code, number, dossier_pk, citizen_pk = job
        st = self.story(s, code, number, citizen_pk)
        events = []
        previous = ""
        for seq, e in enumerate(st.events, start=1):
            # The same chain as record_event: each hash covers the previous one.
            digest = event_hash(
                dossier_code=code,
                seq=seq,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                actor=e.actor,
                at=e.at,
                note=e.note,
                data=e.data,
                prev_hash=previous,
            )
            events.append(
                self.events.convert(
                    (
                        dossier_pk,
                        seq,
                        e.action,
                        e.from_status,
                        e.to_status,
                        e.actor,
                        e.at,
                        e.note,
                        e.data,
                        previous,
                        digest,
                    )
                )
            )
            previous = digest
        documents = [
            self.documents.convert(
                (
                    dossier_pk,
                    d["position"],
                    d["name"],
                    d["required_document_id"],
                    d["requirement"],
                    d["originals"],
                    d["copies"],
                    d["provided_on_paper"],
                    False,  # from_eform: the generated stories carry no e-form component
                    d["file"],
                    d["content_type"],
                    d["size"],
                    d["sha256"],
                    d["digitized"],
                    d["digitized_at"],
                    d["digitized_by"],
                    citizen_pk if d["reused"] else None,
                )
            )
            for d in st.documents
        ]
        st.dossier["id"] = dossier_pk
        dossier = self.dossiers.convert([st.dossier[name] for name in _DOSSIER_COLUMNS])
        stored = None
        if st.stored is not None:
            stored = self.stored.convert([st.stored[name] for name in _CITIZEN_COLUMNS])
        return dossier, stored, documents, events

    def write_batch(self, scenarios: list[Scenario]) -> None:
        self.insert(scenarios, [self.build(job) for job in self.prepare(scenarios)])

    def insert(self, scenarios: list[Scenario], built: list[tuple]) -> None:
        # Store entries first: components point at them; then dossiers, then what points at them.
        self.stored.run([b[1] for b in built if b[1] is not None])
        self.dossiers.run([b[0] for b in built])
        documents = [row for b in built for row in b[2]]
        events = [row for b in built for row in b[3]]
        self.documents.run(documents)
        self.events.run(events)
        self.report.dossiers += len(built)
        self.report.events += len(events)
        self.report.documents += len(documents)
        self.report.center_ids.update(s.center_id for s in scenarios)

    def save_counters(self) -> None:
        """Later real receipts continue after the numbers the demo used (no duplicate codes)."""
        existing = {
            (row.center_id, row.day): row
            for row in DossierCounter.objects.filter(center_id__in=self.report.center_ids)
        }
        changed, new = [], []
        for (center_id, day), number in self.counters.items():
            row = existing.get((center_id, day))
            if row is None:
                new.append(DossierCounter(center_id=center_id, day=day, last_number=number))
            elif row.last_number != number:
                row.last_number = number
                changed.append(row)
        DossierCounter.objects.bulk_create(new, batch_size=2000)
        DossierCounter.objects.bulk_update(changed, ["last_number"], batch_size=2000)


# The column order of the tuples write_batch builds.
_DOSSIER_COLUMNS = [f.attname for f in Dossier._meta.concrete_fields]
_CITIZEN_COLUMNS = [f.attname for f in CitizenDocument._meta.concrete_fields]
_DOCUMENT_COLUMNS = (  # noqa: SIM905
    "dossier_id position name required_document_id requirement originals copies "
    "provided_on_paper from_eform file content_type size sha256 digitized digitized_at "
    "digitized_by "
    "reused_from_id"
).split()
_EVENT_COLUMNS = (  # noqa: SIM905
    "dossier_id seq action from_status to_status actor at note data prev_hash hash"
).split()


class _Insert:
    """A plain INSERT run with executemany, for rows built as tuples in ``columns`` order.

    ``bulk_create`` builds and compiles per model instance; at a million dossiers (about eight
    million events) that would be most of the run. Values still go through the backend's own
    adapters for the columns that need one (aware datetimes, JSON, dates, decimals), so both
    databases store exactly what the ORM would.
    """

    def __init__(self, model, columns: list[str]) -> None:
        fields = [model._meta.get_field(name.removesuffix("_id")) for name in columns]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the models, never from input.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        ops = connection.ops
        self.prep: list[tuple[int, Callable]] = []
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                self.prep.append((i, _datetime_adapter()))
            elif kind == "JSONField":
                self.prep.append(
                    (i, lambda value, encoder=f.encoder: ops.adapt_json_value(value, encoder))
                )
            elif kind in {"DateField", "DecimalField"}:
                self.prep.append((i, lambda value, f=f: f.get_db_prep_save(value, connection)))

    def convert(self, row) -> list:
        values = list(row)
        for i, prep in self.prep:
            if values[i] is not None:
                values[i] = prep(values[i])
        return values

    def run(self, rows: list[list]) -> None:
        """Insert rows already converted by :meth:`convert`."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is an order of magnitude faster than INSERTs on PostgreSQL; psycopg
                # adapts the same values (aware datetimes, Jsonb) for it.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in rows:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, rows)


def _allocate_keys(model, count: int) -> list[int]:
    """``count`` primary keys for rows inserted with their key, taken as the database would.

    PostgreSQL: from the column's sequence (other sessions keep taking their own). SQLite: after
    the largest key; the project's transactions are IMMEDIATE, so no other writer can insert
    until this one commits (AUTOINCREMENT then continues after the largest key written).
    """
    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


# The writer of the current run, inherited by forked worker processes (see ``write``).
_WORKER: Writer | None = None


def _build_in_worker(job: tuple) -> tuple:
    assert _WORKER is not None, "write() sets the writer before the workers fork"
    return _WORKER.build(job)


def _datetime_adapter() -> Callable[[datetime], object]:
    """The backend's adapter for aware datetimes; for SQLite the same text, computed directly.

    Django's SQLite adapter makes the value naive in the connection's zone (UTC unless the
    database sets one) and stores ``str()`` of it; here once per event, so it is inlined.
    """
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


def _fake_sha(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def write(
    scenarios: Iterable[Scenario],
    *,
    now: datetime,
    catalog: Catalog | None = None,
    batch_size: int = BATCH,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    rebuilding: Callable[[], None] | None = None,
) -> WriteReport:
    """Write the scenarios' dossiers, components, store entries and events; update the counters.

    Dossiers are numbered in the order given (``plan`` gives them in receipt order), after the
    numbers the center's counters already handed out. Runs inside the caller's
    ``transaction.atomic()`` and ends by rebuilding the KPI rollups of the centers written to,
    in that same transaction. ``progress`` is called with the number of dossiers of each batch
    written, ``rebuilding`` once before the rollups are rebuilt.

    With ``workers`` > 1 the stories and their hashes are built in that many forked processes
    while this one numbers and inserts; the rows are the same as with one. The workers never
    touch the database: everything they read is loaded here before each batch is forked.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write() must run inside transaction.atomic().")
    batch: list[Scenario] = []
    writer = None
    for scenario in scenarios:
        if writer is None:
            # Scenarios come in receipt order per center; a margin covers a golden test's own.
            first_day = scenario.received_at.astimezone(VIETNAM).date() - timedelta(days=400)
            writer = Writer(now=now, first_day=first_day, catalog=catalog)
        if scenario.received_at >= now:
            raise ValueError(f"A scenario is received at {scenario.received_at}, not before now.")
        batch.append(scenario)
        if len(batch) >= batch_size:
            _write_batch(writer, batch, workers)
            if progress:
                progress(len(batch))
            batch = []
    if writer is None:
        return WriteReport()
    if batch:
        _write_batch(writer, batch, workers)
        if progress:
            progress(len(batch))
    writer.save_counters()
    if rebuilding:
        rebuilding()
    _rebuild_rollups(sorted(writer.report.center_ids))
    return writer.report


def _write_batch(writer: Writer, batch: list[Scenario], workers: int) -> None:
    if workers <= 1 or len(batch) < 2 * workers:
        writer.write_batch(batch)
        return
    global _WORKER
    # Forked per batch: the children see the writer as it is now, with every center, procedure
    # and calendar year this batch needs already read (prepare() reads them first).
    jobs = writer.prepare(batch)
    _WORKER = writer
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            built = pool.map(_build_in_worker, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    finally:
        _WORKER = None
    writer.insert(batch, built)


def _rebuild_rollups(center_ids: list[int]) -> None:
    from motcua.reports import rollups

    rollups.rebuild(center_ids=center_ids)


def demo_dossiers(center: Center | None = None) -> int:
    """How many generated dossiers there are (of one center, or in all)."""
    dossiers = Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX)
    if center is not None:
        dossiers = dossiers.filter(center=center)
    return dossiers.count()
