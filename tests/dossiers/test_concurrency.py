"""Several kiosks submitting at once: consecutive numbers, no gaps, no duplicates, one dossier per key.

Runs against PostgreSQL (``DATABASE_URL=postgres://...``). pytest-django gives SQLite an
in-memory test database shared between threads through SQLite's shared cache, which reports
"database table is locked" immediately instead of waiting like the WAL + IMMEDIATE file
database of a real install does, so the SQLite variant only runs on a file database.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from motcua.catalog.models import Procedure
from motcua.centers.models import Center
from motcua.dossiers.models import Dossier, DossierCounter, DossierEvent
from motcua.dossiers.services import Applicant, submit_dossier

from .conftest import AGENCY, make_center, make_procedure, vn

NOW = vn(2025, 7, 7, 9, 30)


def _submit_many(
    center_id: int, procedure_id: int, keys: list[str], barrier, results, errors
) -> None:
    try:
        center = Center.objects.get(pk=center_id)
        procedure = Procedure.objects.get(pk=procedure_id)
        barrier.wait(timeout=30)
        for key in keys:
            with transaction.atomic():
                dossier, created = submit_dossier(
                    center=center,
                    procedure=procedure,
                    applicant=Applicant(name="Trần Văn Kiốt"),
                    form_data={},
                    form_version=1,
                    documents=[],
                    channel="kiosk",
                    actor=f"kiosk:{threading.get_ident() % 100}",
                    idempotency_key=key,
                    now=NOW,
                )
            results.append((dossier.code, created))
    except Exception as exc:  # reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


def _run(threads: int, keys_per_thread) -> tuple[list, list]:
    center = make_center()
    procedure = make_procedure()
    barrier = threading.Barrier(threads)
    results: list = []
    errors: list = []
    workers = [
        threading.Thread(
            target=_submit_many,
            args=(center.pk, procedure.pk, keys_per_thread(i), barrier, results, errors),
        )
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []
    return results, center


def _assert_consecutive(results, center, expected: int) -> None:
    codes = sorted({code for code, _ in results})
    assert codes == [f"{AGENCY}-250707-{n:04d}" for n in range(1, expected + 1)]
    assert Dossier.objects.filter(center=center).count() == expected
    assert DossierEvent.objects.filter(dossier__center=center).count() == expected
    assert DossierCounter.objects.get(center=center).last_number == expected


def _skip_unless_shared_database(vendor: str) -> None:
    if connection.vendor != vendor:
        pytest.skip(f"needs {vendor}; this run uses {connection.vendor}")
    if vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the SQLite test database is in memory (shared cache): concurrent writers fail with "
            "'table is locked' instead of waiting as on the WAL + IMMEDIATE file database"
        )


@pytest.mark.django_db(transaction=True)
class TestConcurrentNumberingPostgres:
    def test_8_kiosks_10_dossiers_each_are_numbered_0001_to_0080(self):
        _skip_unless_shared_database("postgresql")
        results, center = _run(8, lambda i: [f"kiosk{i}-{n}" for n in range(10)])
        assert len(results) == 80
        assert all(created for _, created in results)
        _assert_consecutive(results, center, 80)

    def test_8_kiosks_racing_with_the_same_key_make_one_dossier(self):
        _skip_unless_shared_database("postgresql")
        results, center = _run(8, lambda i: ["double-tap"])
        assert len(results) == 8
        assert sum(created for _, created in results) == 1
        assert {code for code, _ in results} == {f"{AGENCY}-250707-0001"}
        _assert_consecutive(results, center, 1)


@pytest.mark.django_db(transaction=True)
class TestIdempotencyRacePostgres:
    def test_twin_blocked_on_the_counter_returns_the_winners_dossier(self):
        """The twin misses the first dossier (not yet committed), waits on the counter lock,
        then hits the unique key: it must roll its number back and return the winner's dossier."""
        _skip_unless_shared_database("postgresql")
        center = make_center()
        procedure = make_procedure()
        first_submitted = threading.Event()
        release_first = threading.Event()
        outcome: dict = {}
        errors: list = []

        def submit_once(name: str, hold: bool) -> None:
            try:
                with transaction.atomic():
                    dossier, created = submit_dossier(
                        center=Center.objects.get(pk=center.pk),
                        procedure=Procedure.objects.get(pk=procedure.pk),
                        applicant=Applicant(name="Lê Thị Hai"),
                        form_data={},
                        form_version=1,
                        documents=[],
                        channel="kiosk",
                        actor=f"kiosk:{name}",
                        idempotency_key="retry-1",
                        now=NOW,
                    )
                    if hold:
                        first_submitted.set()
                        release_first.wait(timeout=30)
                outcome[name] = (dossier.pk, created)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        winner = threading.Thread(target=submit_once, args=("a", True))
        winner.start()
        assert first_submitted.wait(timeout=30)
        twin = threading.Thread(target=submit_once, args=("b", False))
        twin.start()
        twin.join(timeout=1)
        assert twin.is_alive(), "the twin should be waiting for the counter row lock"
        release_first.set()
        winner.join(timeout=30)
        twin.join(timeout=30)
        assert errors == []
        assert outcome["a"][1] is True
        assert outcome["b"] == (outcome["a"][0], False)
        assert Dossier.objects.count() == 1
        assert DossierEvent.objects.count() == 1
        assert DossierCounter.objects.get(center=center).last_number == 1


@pytest.mark.django_db(transaction=True)
class TestConcurrentNumberingSqlite:
    def test_4_kiosks_10_dossiers_each_are_numbered_0001_to_0040(self):
        _skip_unless_shared_database("sqlite")
        results, center = _run(4, lambda i: [f"kiosk{i}-{n}" for n in range(10)])
        assert len(results) == 40
        _assert_consecutive(results, center, 40)
