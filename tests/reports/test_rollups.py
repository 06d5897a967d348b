"""The facts and monthly cells give exactly what replaying every dossier's log gives.

Random workflows go through the real writers (``perform``, ``record_payment``,
``record_rating``), each step at a random later moment; then every count is compared three ways
for several periods and judgement moments: the cells path, the facts-only path and the replay
oracle (the engine as it was before the facts, ``replay_oracle.py``).
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.centers.models import Unit
from motcua.dossiers import events
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import SubmittedDocument
from motcua.dossiers.settlement import (
    RATEABLE_STATUSES,
    SettlementError,
    record_payment,
    record_rating,
)
from motcua.dossiers.states import TRANSITIONS, DossierStatus
from motcua.reports.kpi import COUNT_NAMES, compute, counts
from motcua.reports.models import DossierFact, KpiCell
from motcua.reports.rollups import _derive_many, rebuild
from tests.dossiers.conftest import make_procedure, submit, vn
from tests.dossiers.test_actions import act
from tests.reports.replay_oracle import replay_counts

pytestmark = pytest.mark.django_db

NOTES = {"refuse", "request_supplement", "stop", "withdraw", "reschedule"}


def random_history(rng: random.Random, center, procedure, unit, n: int) -> None:
    for i in range(n):
        day = date(2025, 7, 1) + timedelta(days=rng.randrange(0, 92))
        at = vn(day.year, day.month, day.day, rng.choice([8, 9, 10, 14, 16]), rng.randrange(60))
        channel = rng.choice(["kiosk", "counter", "online"])
        dossier, _ = submit(center, procedure, key=f"k{i}", now=at, channel=channel)
        for _step in range(rng.randrange(0, 9)):
            at += timedelta(hours=rng.choice([1, 5, 20, 30, 50, 80, 200]))
            dossier.refresh_from_db()
            if rng.random() < 0.15 and dossier.fee_vnd:
                method = rng.choice(["online_national", "cash", "online_provincial"])
                with contextlib.suppress(SettlementError):  # a second payment is refused
                    record_payment(
                        dossier.pk, method=method, amount_vnd=dossier.fee_vnd, actor="t", at=at
                    )
                continue
            if dossier.status in RATEABLE_STATUSES and rng.random() < 0.5:
                rating = rng.choice(["satisfied", "very_satisfied", "dissatisfied"])
                with contextlib.suppress(SettlementError):  # rated already
                    record_rating(
                        dossier.pk, rating=rating, actor="t", at=at, complaint=rng.random() < 0.2
                    )
                continue
            choices = [
                (a, roles) for (s, a), (_, roles) in TRANSITIONS.items() if s == dossier.status
            ]
            if not choices:
                break
            action, roles = rng.choice(choices)
            data = {}
            if action == "assign":
                data["unit_id"] = unit.pk
            if action == "reschedule":
                if dossier.due_at is None or at >= dossier.due_at:
                    continue
                data["new_due_at"] = dossier.due_at + timedelta(days=2)
            if action == "return_result":
                data["delivery"] = "at_center"
            act(
                dossier,
                action,
                sorted(roles)[0],
                at=at,
                note="Ghi chú" if action in NOTES else "",
                **data,
            )


PERIODS = [
    (date(2025, 7, 1), date(2025, 9, 30)),  # whole months: the cells path
    (date(2025, 7, 15), date(2025, 9, 10)),  # partial months at both edges
    (date(2025, 8, 1), date(2025, 8, 31)),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cells_facts_and_replay_agree(seed, center, procedure):
    unit = Unit.objects.create(center=center, code="u", name="Tư pháp")
    random_history(random.Random(seed), center, procedure, unit, 45)
    # A fact per received dossier; an online registration nobody accepted has none yet
    # (docs/decisions/0007).
    registered = Dossier.objects.filter(status="submitted").count()
    assert DossierFact.objects.count() == 45 - registered
    assert Dossier.objects.filter(channel="online").exclude(status="submitted").exists()
    moments = [None, vn(2025, 8, 20, 10, 0), vn(2025, 9, 12, 16, 30), vn(2026, 3, 1, 0, 0)]
    for date_from, date_to in PERIODS:
        for now in moments:
            _, cells = counts(date_from, date_to, now=now)
            _, facts = counts(date_from, date_to, now=now, use_cells=False)
            assert cells == facts, (date_from, date_to, now)
            total = facts.get(())
            oracle = replay_counts(date_from, date_to, now=now)
            for name, value in oracle.items():
                assert getattr(total, name) == value, (name, date_from, date_to, now)
    # Whatever the incremental refreshes left equals a rebuild from scratch.
    before_facts = sorted(DossierFact.objects.values_list(*_fact_columns()))
    before_cells = sorted(KpiCell.objects.values_list(*_cell_columns()))
    rebuild()
    assert sorted(DossierFact.objects.values_list(*_fact_columns())) == before_facts
    assert sorted(KpiCell.objects.values_list(*_cell_columns())) == before_cells


def test_statuses_are_covered_by_the_random_histories(center, procedure):
    """The comparison above is only worth something if the histories reach every end."""
    unit = Unit.objects.create(center=center, code="u", name="Tư pháp")
    random_history(random.Random(7), center, procedure, unit, 60)
    reached = set(DossierFact.objects.values_list("end_status", flat=True))
    assert {DossierStatus.PROCESSED, DossierStatus.NOT_ACCEPTED} <= reached
    report = compute(date(2025, 7, 1), date(2025, 9, 30))
    assert report.resolved and report.in_progress_within_time + report.in_progress_overdue
    assert DossierFact.objects.filter(supplement_requests__gte=1).exists()


def _fact_columns() -> list[str]:
    return [f.attname for f in DossierFact._meta.concrete_fields]


def _cell_columns() -> list[str]:
    return [f.attname for f in KpiCell._meta.concrete_fields if f.name != "id"]


def test_counts_are_additive_names():
    assert "received" in COUNT_NAMES and "processing_days" in COUNT_NAMES


class TestProjectReceipt:
    """The receipt's fact is derived from what ``submit_dossier`` has in memory (issue 10): it
    must be the fact a read of the dossier, its log and its documents gives."""

    @staticmethod
    def _as_read_back(dossier_id: int) -> list:
        fact = _derive_many([dossier_id])[0]
        assert fact is not None
        return [getattr(fact, name) for name in _fact_columns()]

    @pytest.mark.parametrize("channel", ["counter", "kiosk", "postal"])
    def test_a_received_dossier_gets_the_fact_a_read_back_gives(self, center, procedure, channel):
        documents = [
            SubmittedDocument(name="Tờ khai", originals=1, provided_on_paper=True),
            SubmittedDocument(name="Bản chụp", content=b"%PDF scan", filename="a.pdf"),
        ]
        with CaptureQueriesContext(connection) as queries:
            dossier, _ = submit(
                center, procedure, key=f"r-{channel}", channel=channel, documents=documents
            )
        stored = DossierFact.objects.get(pk=dossier.pk)
        assert [getattr(stored, name) for name in _fact_columns()] == self._as_read_back(dossier.pk)
        assert stored.digitized_at is None and not stored.is_closed
        reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert not [s for s in reads if "reports_dossierfact" in s or "dossierevent" in s], reads

    def test_every_component_digitized_at_the_counter_counts_as_digitized(self, center, procedure):
        at = vn(2025, 7, 7, 9, 5)
        documents = [
            SubmittedDocument(name="Tờ khai", from_eform=True, digitized=True),
            SubmittedDocument(name="Bản chụp", content=b"scan", filename="a.pdf", digitized=True),
        ]
        dossier, _ = submit(
            center, procedure, key="dig", channel="counter", now=at, documents=documents
        )
        stored = DossierFact.objects.get(pk=dossier.pk)
        assert stored.digitized_at == at
        assert [getattr(stored, name) for name in _fact_columns()] == self._as_read_back(dossier.pk)

    def test_a_partly_digitized_dossier_is_not_digitized(self, center, procedure):
        documents = [
            SubmittedDocument(name="Tờ khai", originals=1, provided_on_paper=True),
            SubmittedDocument(name="Bản chụp", content=b"scan", filename="a.pdf", digitized=True),
        ]
        dossier, _ = submit(center, procedure, key="half", channel="counter", documents=documents)
        stored = DossierFact.objects.get(pk=dossier.pk)
        assert stored.digitized_at is None
        assert [getattr(stored, name) for name in _fact_columns()] == self._as_read_back(dossier.pk)

    def test_a_procedure_without_time_limit_or_fee(self, center):
        bare = make_procedure("9.000001", channels=[{"channel": "direct"}])
        dossier, _ = submit(center, bare, key="bare", channel="counter")
        stored = DossierFact.objects.get(pk=dossier.pk)
        assert stored.due_at is None and not stored.fee_bearing
        assert [getattr(stored, name) for name in _fact_columns()] == self._as_read_back(dossier.pk)

    def test_a_kiosk_registration_has_no_fact_and_reads_nothing_back(self, center, procedure):
        with CaptureQueriesContext(connection) as queries:
            dossier, _ = submit(
                center,
                procedure,
                key="reg",
                awaiting_check=True,
                documents=[
                    SubmittedDocument(name="Tờ khai", from_eform=True),
                ],
            )
        assert dossier.status == DossierStatus.SUBMITTED
        assert not DossierFact.objects.filter(pk=dossier.pk).exists()
        assert not [q for q in queries.captured_queries if "reports_" in q["sql"]]

    def test_a_rolled_back_receipt_leaves_no_fact(self, center, procedure):
        class Boom(Exception):
            pass

        def fail(recorded):
            raise Boom

        with events.subscribed(fail, name="test.fail"), pytest.raises(Boom):
            submit(center, procedure, key="gone", channel="counter")
        assert not DossierFact.objects.exists()
        assert not KpiCell.objects.exists()
