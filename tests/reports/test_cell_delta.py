"""The monthly cells move by deltas (issue 10): after any sequence of events they equal a rebuild.

Random interleavings of submissions, officer actions, payments, ratings and corrections that
move a dossier to another receipt month, channel or field (a closed one too) go through the
real writers; every few steps the cells left by the deltas are compared with ``rebuild()``.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.centers.models import Unit
from motcua.dossiers.models import Dossier
from motcua.dossiers.settlement import (
    RATEABLE_STATUSES,
    SettlementError,
    record_payment,
    record_rating,
)
from motcua.dossiers.states import TRANSITIONS
from motcua.reports.models import DossierFact, KpiCell
from motcua.reports.rollups import rebuild, refresh_dossier
from tests.dossiers.conftest import make_procedure, submit, submit_received, vn
from tests.dossiers.test_actions import act
from tests.reports.test_fold import assert_fact_is_the_logs

pytestmark = pytest.mark.django_db

NOTES = {"refuse", "request_supplement", "stop", "withdraw", "reschedule"}


def cells() -> list[tuple]:
    columns = [f.attname for f in KpiCell._meta.concrete_fields if f.name != "id"]
    return sorted(KpiCell.objects.values_list(*columns))


def assert_cells_equal_rebuild() -> None:
    incremental = cells()
    rebuild()
    assert incremental == cells()


def random_moment(rng: random.Random):
    day = date(2025, 7, 1) + timedelta(days=rng.randrange(0, 92))
    return vn(day.year, day.month, day.day, rng.choice([8, 10, 14, 16]), rng.randrange(60))


def act_randomly(rng: random.Random, dossier: Dossier, unit: Unit, at) -> None:
    if rng.random() < 0.1 and dossier.fee_vnd:
        with contextlib.suppress(SettlementError):
            method = rng.choice(["online_national", "cash"])
            record_payment(dossier.pk, method=method, amount_vnd=dossier.fee_vnd, actor="t", at=at)
        return
    if dossier.status in RATEABLE_STATUSES and rng.random() < 0.4:
        with contextlib.suppress(SettlementError):
            rating = rng.choice(["satisfied", "dissatisfied"])
            record_rating(dossier.pk, rating=rating, actor="t", at=at, complaint=rng.random() < 0.3)
        return
    choices = [(a, roles) for (s, a), (_, roles) in TRANSITIONS.items() if s == dossier.status]
    if not choices:
        return
    action, roles = rng.choice(choices)
    data: dict = {}
    if action == "assign":
        data["unit_id"] = unit.pk
    if action == "reschedule":
        if dossier.due_at is None or at >= dossier.due_at:
            return
        data["new_due_at"] = dossier.due_at + timedelta(days=2)
    if action == "return_result":
        data["delivery"] = "at_center"
    note = "Ghi chú" if action in NOTES else ""
    act(dossier, action, sorted(roles)[0], at=at, note=note, **data)


def move(rng: random.Random, dossier: Dossier, procedures) -> None:
    """A correction (an import, a hand fix) puts the dossier in another cell, then its fact follows."""
    change = rng.choice(["month", "channel", "field"])
    with transaction.atomic():
        rows = Dossier.objects.filter(pk=dossier.pk)
        if change == "month":
            # Earlier only: a receipt after its own events is no log at all.
            rows.update(received_at=dossier.received_at + timedelta(days=rng.choice([-31, -45])))
        elif change == "channel":
            rows.update(channel="counter" if dossier.channel != "counter" else "kiosk")
        else:
            other = procedures[1] if dossier.procedure_id == procedures[0].pk else procedures[0]
            rows.update(procedure=other)
        refresh_dossier(dossier.pk)


@pytest.mark.parametrize("seed", [11, 12])
def test_cells_moved_by_deltas_equal_a_rebuild(seed, center, procedure):
    rng = random.Random(seed)
    unit = Unit.objects.create(center=center, code="u", name="Tư pháp")
    procedures = [
        procedure,
        make_procedure(
            code="9.000004",
            sector="Chứng thực",
            channels=[
                {"channel": "direct", "time_value": 1, "fee_vnd": 10000},
                {"channel": "online", "time_value": 1, "fee_vnd": 0},
            ],
        ),
    ]
    dossiers: list[int] = []
    clock: dict[int, object] = {}
    moved_closed = 0
    for step in range(110):
        roll = rng.random()
        if roll < 0.25 or not dossiers:
            at = random_moment(rng)
            channel = rng.choice(["kiosk", "counter", "online"])
            dossier, _ = submit_received(
                center, rng.choice(procedures), key=f"k{step}", now=at, channel=channel
            )
            dossiers.append(dossier.pk)
            clock[dossier.pk] = at
            continue
        dossier = Dossier.objects.get(pk=rng.choice(dossiers))
        if roll < 0.35:
            moved_closed += DossierFact.objects.get(pk=dossier.pk).is_closed
            move(rng, dossier, procedures)
            continue
        clock[dossier.pk] += timedelta(hours=rng.choice([1, 5, 30, 80, 200]))
        act_randomly(rng, dossier, unit, clock[dossier.pk])
        # The event was folded into the old fact (issue 10): it must be what the log gives.
        assert_fact_is_the_logs(dossier.pk, step)
        if step % 37 == 36:
            assert_cells_equal_rebuild()
    assert KpiCell.objects.exists() and moved_closed, "the sequence must move closed dossiers"
    assert_cells_equal_rebuild()


def test_a_rolled_back_event_leaves_the_cell_as_it_was(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    act(dossier, "withdraw", "reception", at=vn(2025, 7, 7, 10, 0), note="Công dân rút")
    before = cells()
    assert before and before[0][4] == 1  # received: the withdrawn dossier is in its cell
    other, _ = submit(center, procedure, key="k-2", now=vn(2025, 7, 8, 9, 5))
    with contextlib.suppress(RuntimeError), transaction.atomic():
        act(other, "withdraw", "reception", at=vn(2025, 7, 8, 10, 0), note="Công dân rút")
        assert cells() != before  # inside the transaction the cell has it
        raise RuntimeError
    assert cells() == before


def test_a_drifted_cell_does_not_fail_the_event_and_a_rebuild_makes_it_exact(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    act(dossier, "withdraw", "reception", at=vn(2025, 7, 7, 10, 0), note="Công dân rút")
    KpiCell.objects.update(received=0, withdrawn=0)  # a hand edit: the cell lost its dossier
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(channel="counter")
        refresh_dossier(dossier.pk)  # takes it out of the kiosk cell: floored at 0, no error
    assert not KpiCell.objects.filter(channel="kiosk").exists()
    assert KpiCell.objects.get(channel="counter").received == 1
    assert_cells_equal_rebuild()


def test_a_closing_action_costs_the_same_whatever_the_month_holds(center, procedure):
    def close_one(key: str) -> list[str]:
        dossier, _ = submit(center, procedure, key=key, now=vn(2025, 7, 7, 9, 5))
        with CaptureQueriesContext(connection) as queries:
            act(dossier, "withdraw", "reception", at=vn(2025, 7, 7, 10, 0), note="Công dân rút")
        return [q["sql"] for q in queries]

    close_one("k-0")  # the cell row exists from here on
    few = close_one("k-1")
    for i in range(12):
        close_one(f"k-{i + 2}")
    many = close_one("k-last")
    assert len(few) == len(many)
    assert KpiCell.objects.get().received == 15
    # Only the dossier's own fact row is read (and locked): no aggregate over the month's facts.
    fact_reads = [s for s in many if "reports_dossierfact" in s and s.upper().startswith("SELECT")]
    assert len(fact_reads) == 1
    assert connection.vendor == "sqlite" or "FOR UPDATE" in fact_reads[0].upper()
    cell_writes = [s for s in many if "reports_kpicell" in s]
    assert len(cell_writes) == 1 and cell_writes[0].upper().startswith("UPDATE")


@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_dossiers_of_a_new_cell_at_once_both_count(center, procedure):
    """The insert race on PostgreSQL: the second transaction waits for the first's cell row."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the row-level race needs PostgreSQL")
    first, _ = submit(center, procedure, key="k-1", now=vn(2025, 7, 7, 9, 5))
    second, _ = submit(center, procedure, key="k-2", now=vn(2025, 7, 7, 9, 10))
    assert not KpiCell.objects.exists()
    acted = threading.Event()
    errors: list[BaseException] = []

    def close(dossier, wait: threading.Event | None) -> None:
        try:
            if wait is not None:
                assert wait.wait(10)
            with transaction.atomic():
                act(dossier, "withdraw", "reception", at=vn(2025, 7, 7, 10, 0), note="Rút")
                if wait is None:
                    acted.set()  # the cell row is inserted, uncommitted: the other one starts
                    time.sleep(0.5)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=close, args=(first, None)),
        threading.Thread(target=close, args=(second, acted)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert KpiCell.objects.get().received == 2
