"""Fifty people take a number at the same moment: every number once, none skipped (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from motcua.queue import services
from motcua.queue.models import Counter, ServiceArea, Ticket
from motcua.queue.states import TicketAction
from tests.queue.conftest import MONDAY_8AM, Setup, make_officer

TAKERS = 50


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL for concurrent writers; this run uses {connection.vendor}")


def _run_together(target, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(index)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
class TestConcurrentTakers:
    def test_fifty_takers_get_fifty_gapless_numbers(self):
        _needs_postgres()
        setup = Setup()
        center_id, civil_id, land_id = setup.center.pk, setup.civil.pk, setup.land.pk

        def take(index: int) -> None:
            area = ServiceArea.objects.select_related("center").get(
                pk=civil_id if index % 5 else land_id
            )
            with transaction.atomic():
                services.issue_ticket(
                    center=area.center, area=area, source="kiosk", now=MONDAY_8AM, actor="k"
                )

        assert _run_together(take, TAKERS) == []
        civil = sorted(Ticket.objects.filter(area=civil_id).values_list("number", flat=True))
        land = sorted(Ticket.objects.filter(area=land_id).values_list("number", flat=True))
        assert civil == list(range(1001, 1001 + 40))
        assert land == list(range(2001, 2001 + 10))
        assert Ticket.objects.filter(center=center_id).count() == TAKERS

    def test_counters_calling_at_once_take_different_numbers(self):
        _needs_postgres()
        setup = Setup()
        counters = []
        for number in range(3, 9):
            counter = Counter.objects.create(center=setup.center, number=number)
            counter.areas.add(setup.civil)
            officer = make_officer(f"quay{number}", setup.center)
            with transaction.atomic():
                services.open_counter(counter, officer=officer, now=MONDAY_8AM)
            counters.append((counter.pk, officer.pk))
        for _ in range(4):
            with transaction.atomic():
                services.issue_ticket(
                    center=setup.center, area=setup.civil, source="desk", now=MONDAY_8AM, actor="k"
                )
        called: list[int | None] = []

        def call(index: int) -> None:
            from django.contrib.auth import get_user_model

            counter_id, officer_id = counters[index]
            with transaction.atomic():
                ticket = services.call_next(
                    Counter.objects.get(pk=counter_id),
                    officer=get_user_model().objects.get(pk=officer_id),
                    now=MONDAY_8AM,
                )
            called.append(ticket.pk if ticket else None)

        assert _run_together(call, len(counters)) == []
        taken = [pk for pk in called if pk is not None]
        assert len(taken) == 4 and len(set(taken)) == 4
        assert called.count(None) == 2
        calls = Ticket.objects.filter(events__action=TicketAction.CALL).count()
        assert calls == 4
