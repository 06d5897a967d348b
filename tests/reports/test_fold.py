"""Later events fold into the old fact instead of reading the log back (issue 10).

``rollups.project_event`` steps the stored fact through the new event (``fold_event``) and
falls back to ``_derive_many`` only where the fold cannot be exact. Random event sequences go
through the real writers (actions, supplements with their clock pause, signature and return,
payments, ratings, digitized and reused components, same-instant and out-of-order moments, a
holiday added half-way); after every event the stored fact must equal, column by column, the
one ``_derive_many`` derives from the log, and most events must have been folded.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.centers.models import Unit
from motcua.dossiers.documents import DocumentError, digitize_component, reusable_for
from motcua.dossiers.documents import reuse_component as reuse
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import DossierError, SubmittedDocument
from motcua.dossiers.settlement import (
    RATEABLE_STATUSES,
    record_payment,
    record_rating,
)
from motcua.dossiers.states import TRANSITIONS
from motcua.reports import rollups
from motcua.reports.models import DossierFact
from motcua.workcalendar.models import CalendarDay
from tests.documents.conftest import pdf
from tests.dossiers.conftest import make_procedure, submit, vn
from tests.dossiers.test_actions import act

pytestmark = pytest.mark.django_db

NOTES = {"refuse", "request_supplement", "stop", "withdraw", "reschedule"}
# A registration (kiosk, online) carries no paper: nobody of the center has taken any.
REGISTRATION = [
    SubmittedDocument(name="Tờ khai", from_eform=True),
    SubmittedDocument(
        name="Giấy xác nhận tình trạng hôn nhân",
        content=b"%PDF-1.4 scanned",
        filename="xac-nhan.pdf",
        content_type="application/pdf",
    ),
]
ENDS_EARLY = {"refuse", "stop", "withdraw"}
COLUMNS = [f.attname for f in DossierFact._meta.concrete_fields]


def stored(dossier_id: int) -> list:
    fact = DossierFact.objects.filter(pk=dossier_id).first()
    return [getattr(fact, name) for name in COLUMNS] if fact else []


def derived(dossier_id: int) -> list:
    fact = rollups._derive_many([dossier_id])[0]
    return [getattr(fact, name) for name in COLUMNS] if fact else []


def assert_fact_is_the_logs(dossier_id: int, what: str) -> None:
    left, right = stored(dossier_id), derived(dossier_id)
    differ = [(n, a, b) for n, a, b in zip(COLUMNS, left, right, strict=False) if a != b]
    assert left == right, (what, differ)


@pytest.fixture
def folds(monkeypatch):
    """Counts, per action, the events folded and those derived from the log again."""
    counts: Counter = Counter()
    fold = rollups.fold_event

    def counting(old, event, *args):
        fact = fold(old, event, *args)
        counts[(event.action, "folded" if fact is not None else "read back")] += 1
        return fact

    monkeypatch.setattr(rollups, "fold_event", counting)
    return counts


def random_event(rng: random.Random, dossier: Dossier, units: list[Unit], at) -> bool:
    """One random event the rules allow on ``dossier`` at ``at``; whether one was recorded."""
    roll = rng.random()
    if roll < 0.1 and dossier.fee_vnd:
        method = rng.choice(["online_national", "cash", "online_provincial"])
        with contextlib.suppress(DossierError):  # a second payment, or too early
            record_payment(dossier.pk, method=method, amount_vnd=dossier.fee_vnd, actor="t", at=at)
            return True
        return False
    if roll < 0.35 and dossier.status in RATEABLE_STATUSES:
        rating = rng.choice(["satisfied", "very_satisfied", "dissatisfied"])
        with contextlib.suppress(DossierError):  # rated already, or too early
            record_rating(dossier.pk, rating=rating, actor="t", at=at, complaint=rng.random() < 0.3)
            return True
        return False
    if roll < 0.5:
        document = rng.choice(list(dossier.documents.all()))
        offered = reusable_for(document)
        with contextlib.suppress(DocumentError), transaction.atomic():
            if offered and rng.random() < 0.6:
                reuse(document, offered[0], actor="t", now=at)
            else:
                upload = None if document.file else pdf(body=f"{dossier.pk}-{at}".encode())
                digitize_component(document, upload, actor="t", now=at)
            return True
        return False
    choices = [(a, roles) for (s, a), (_, roles) in TRANSITIONS.items() if s == dossier.status]
    if not choices:
        return False
    onward = [(a, roles) for a, roles in choices if a not in ENDS_EARLY]
    if onward and rng.random() < 0.85:
        choices = onward  # mostly on to a result, so that supplements and signatures happen
    action, roles = rng.choice(choices)
    data: dict = {}
    note = "Ghi chú" if action in NOTES else ""
    if action == "assign":
        # Another unit: reception's correction of an assignment must change something.
        data["unit_id"] = next(u.pk for u in units if u.pk != dossier.unit_id)
        note = "Điều chỉnh phân công"
    if action == "reschedule":
        if dossier.due_at is None or at >= dossier.due_at:
            return False
        data["new_due_at"] = dossier.due_at + timedelta(days=2)
    if action == "return_result":
        data["delivery"] = "at_center"
    act(dossier, action, sorted(roles)[0], at=at, note=note, **data)
    return True


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_every_event_leaves_the_fact_its_log_gives(seed, center, folds):
    rng = random.Random(seed)
    units = [
        Unit.objects.create(center=center, code="u1", name="Tư pháp"),
        Unit.objects.create(center=center, code="u2", name="Địa chính"),
    ]
    procedures = [
        make_procedure(
            channels=[
                {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
                {"channel": "online", "time_value": 3, "fee_vnd": 0},
            ]
        ),
        make_procedure(code="9.000004", sector="Chứng thực", channels=[{"channel": "direct"}]),
    ]
    clock: dict[int, object] = {}
    dossiers: list[int] = []
    holiday_added = False
    for step in range(220):
        if step == 110 and not holiday_added:
            # The holiday table changes half-way: the per-process calendar must follow it.
            CalendarDay.objects.create(date=date(2025, 8, 20), kind="holiday", name="Nghỉ lễ")
            holiday_added = True
        if rng.random() < 0.12 or not dossiers:
            day = date(2025, 7, 1) + timedelta(days=rng.randrange(0, 60))
            at = vn(day.year, day.month, day.day, rng.choice([8, 10, 14, 16]), rng.randrange(60))
            channel = rng.choice(["kiosk", "counter", "online"])
            dossier, _ = submit(
                center,
                rng.choice(procedures),
                key=f"k{step}",
                now=at,
                channel=channel,
                **(
                    {"awaiting_check": True, "documents": REGISTRATION}
                    if channel != "counter" and rng.random() < 0.5
                    else {}
                ),
            )
            dossiers.append(dossier.pk)
            clock[dossier.pk] = at
            continue
        dossier = Dossier.objects.get(pk=rng.choice(dossiers))
        # Same instant, out of order (an officer's clock behind), or later.
        hours = rng.choice([0, -1, 1, 5, 30, 80, 200]) if rng.random() < 0.3 else 20
        at = clock[dossier.pk] + timedelta(hours=hours)
        if random_event(rng, dossier, units, at):
            clock[dossier.pk] = max(clock[dossier.pk], at)
            assert_fact_is_the_logs(dossier.pk, (step, dossier.status))
    folded = sum(n for (_, path), n in folds.items() if path == "folded")
    assert folded > 2 * sum(folds.values()) // 3, folds
    actions = {action for action, path in folds if path == "folded"}
    assert {
        "assign",
        "request_supplement",
        "submit_supplement",
        "digitize",
        "reuse",
        "rate",
        "return_result",
    } <= actions, folds
    assert actions & {"sign", "mark_result_ready", "stop", "refuse"}, folds  # an end folded


class TestFoldFallsBack:
    """Where the fact cannot say what the log would, the log is read (and the fact is exact)."""

    def test_a_fact_written_before_the_supplement_clock_was_kept_is_derived_again(
        self, center, procedure, unit, folds
    ):
        dossier, _ = submit(center, procedure, channel="counter")
        DossierFact.objects.filter(pk=dossier.pk).update(paused=None)
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=unit.pk)
        assert folds == {("assign", "read back"): 1}
        assert DossierFact.objects.get(pk=dossier.pk).paused == timedelta()
        act(dossier, "request_supplement", "specialist", at=vn(2025, 7, 8, 10, 0), note="Thiếu")
        assert folds[("request_supplement", "folded")] == 1
        assert_fact_is_the_logs(dossier.pk, "after")

    def test_an_event_before_the_previous_one_is_derived_again(
        self, center, procedure, unit, folds
    ):
        dossier, _ = submit(center, procedure, channel="counter", now=vn(2025, 7, 7, 9, 5))
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 8, 0), unit_id=unit.pk)
        assert folds == {("assign", "read back"): 1}
        assert_fact_is_the_logs(dossier.pk, "out of order")

    def test_an_event_at_the_overdue_moment_is_derived_again(self, center, procedure, unit, folds):
        dossier, _ = submit(center, procedure, channel="counter")
        due = DossierFact.objects.get(pk=dossier.pk).late_since
        assert due == dossier.due_at
        act(dossier, "assign", "reception", at=due, unit_id=unit.pk)
        assert folds == {("assign", "read back"): 1}
        assert_fact_is_the_logs(dossier.pk, "tie")


class TestStatementBudget:
    """A later event reads back nothing of its dossier: the read-back would break the bound."""

    def test_an_assignment_costs_the_fold_only(self, center, procedure, unit):
        dossier, _ = submit(center, procedure, channel="counter")
        with CaptureQueriesContext(connection) as queries:
            act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=unit.pk)
        statements = [q["sql"] for q in queries.captured_queries]
        event_insert = next(
            i
            for i, s in enumerate(statements)
            if s.startswith('INSERT INTO "dossiers_dossierevent"')
        )
        projection = statements[event_insert + 1 :]
        # Lock and read the old fact (with the sector and the calendar's version), write it.
        # The read-back was 4 more: the dossier, its events, its documents, (the calendar).
        reports = [s for s in projection if "reports_" in s]
        assert len(reports) == 2, reports
        assert reports[0].startswith("SELECT") and reports[1].startswith("UPDATE")
        read_back = [
            s
            for s in projection
            if s.startswith("SELECT")
            and ('FROM "dossiers_dossierevent"' in s or 'FROM "dossiers_dossier"' in s)
        ]
        assert not read_back, read_back
        # The whole action: 12 statements with the fold, 15 with the read-back (before issue 10).
        assert len(statements) <= 12, statements

    def test_a_signature_reads_the_calendar_once_per_process(self, center, procedure, unit):
        def sign_one(key: str, day: int) -> list[str]:
            dossier, _ = submit(center, procedure, key=key, channel="counter")
            act(dossier, "assign", "reception", at=vn(2025, 7, day, 10, 0), unit_id=unit.pk)
            act(dossier, "submit_for_signature", "specialist", at=vn(2025, 7, day, 11, 0))
            with CaptureQueriesContext(connection) as queries:
                act(dossier, "sign", "leader", at=vn(2025, 7, day, 14, 0))
            assert_fact_is_the_logs(dossier.pk, key)
            return [q["sql"] for q in queries.captured_queries]

        rollups._calendar_cache = None
        first = sign_one("k-1", 8)
        second = sign_one("k-2", 9)
        calendar_reads = [
            s for s in second if s.startswith('SELECT "workcalendar_calendarday"."id"')
        ]
        assert not calendar_reads, calendar_reads
        assert len(second) < len(first)


class TestCalendarCache:
    def test_a_holiday_added_after_the_calendar_was_cached_is_seen(self, center, procedure, unit):
        def sign(key: str):
            dossier, _ = submit(center, procedure, key=key, channel="counter")
            act(dossier, "assign", "reception", at=vn(2025, 7, 8, 10, 0), unit_id=unit.pk)
            act(dossier, "submit_for_signature", "specialist", at=vn(2025, 7, 8, 11, 0))
            act(dossier, "sign", "leader", at=vn(2025, 7, 9, 10, 0))
            assert_fact_is_the_logs(dossier.pk, key)
            return DossierFact.objects.get(pk=dossier.pk).processing_days

        before = sign("k-1")  # the calendar is cached here
        CalendarDay.objects.create(date=date(2025, 7, 8), kind="holiday", name="Nghỉ đột xuất")
        after = sign("k-2")
        assert after < before  # Tuesday 8 July no longer counts

    def test_a_holiday_deleted_after_the_calendar_was_cached_is_seen(self, center, procedure, unit):
        day = CalendarDay.objects.create(date=date(2025, 7, 8), kind="holiday", name="Nghỉ")

        def stop(key: str):
            dossier, _ = submit(center, procedure, key=key, channel="counter")
            act(dossier, "stop", "leader", at=vn(2025, 7, 9, 10, 0), note="Dừng")
            assert_fact_is_the_logs(dossier.pk, key)
            return DossierFact.objects.get(pk=dossier.pk).processing_days

        before = stop("k-1")
        day.delete()
        assert stop("k-2") > before
