"""Two officers acting on the same dossier at the same moment (PostgreSQL: real row locks).

Both loaded the page at the same event; both press a button at once. Exactly one action is
applied; the other gets the conflict message, and nothing of the first is overwritten.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from motcua.centers.models import Unit
from motcua.dossiers.actions import ActionError, ActionRequest, StaleDossier, perform
from motcua.dossiers.models import Dossier

from .conftest import make_center, make_procedure, submit, vn


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_one_wins_one_gets_a_conflict():
    if connection.vendor != "postgresql":
        pytest.skip(f"needs postgresql; this run uses {connection.vendor}")
    center = make_center()
    procedure = make_procedure()
    dossier, _ = submit(center, procedure)
    unit = Unit.objects.create(center=center, code="u", name="Tư pháp – Hộ tịch")
    seen = dossier.events.get().seq
    requests = {
        "assign": ActionRequest(
            action="assign",
            role="reception",
            actor="user:1",
            seen_seq=seen,
            now=vn(2025, 7, 7, 10, 0),
            data={"unit_id": unit.pk},
        ),
        "refuse": ActionRequest(
            action="refuse",
            role="reception",
            actor="user:2",
            seen_seq=seen,
            now=vn(2025, 7, 7, 10, 0),
            note="Hồ sơ không thuộc thẩm quyền",
        ),
    }
    barrier = threading.Barrier(len(requests))
    outcomes: dict[str, str] = {}

    def officer(name: str) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                perform(dossier.pk, requests[name])
            outcomes[name] = "applied"
        except StaleDossier:
            outcomes[name] = "conflict"
        except ActionError as exc:  # pragma: no cover - would be a defect
            outcomes[name] = f"error: {exc.message}"
        finally:
            connection.close()

    threads = [threading.Thread(target=officer, args=(name,)) for name in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["applied", "conflict"], outcomes
    winner = next(name for name, result in outcomes.items() if result == "applied")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == {"assign": "in_progress", "refuse": "not_accepted"}[winner]
    assert list(dossier.events.order_by("seq").values_list("action", flat=True)) == [
        "receive",
        winner,
    ]
