"""The event log is tamper-evident: `motcua audit verify` finds the first broken link."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.dossiers.audit import verify_chains
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import record_event

from .conftest import submit


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def chained(center, procedure):
    """A dossier with three events: receive, assign, request supplement."""
    dossier, _ = submit(center, procedure)
    first = dossier.events.get()
    record_event(
        dossier,
        action="assign",
        from_status="received",
        to_status="in_progress",
        actor="user:1",
        at=first.at + timedelta(hours=1),
    )
    record_event(
        dossier,
        action="request_supplement",
        from_status="in_progress",
        to_status="supplement_requested",
        actor="user:2",
        at=first.at + timedelta(hours=2),
        note="Thiếu giấy chứng sinh",
    )
    return dossier


@pytest.mark.django_db
class TestVerify:
    def test_each_event_links_to_the_previous_one(self, chained):
        events = list(chained.events.order_by("seq"))
        assert events[0].prev_hash == ""
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        report = verify_chains()
        assert report.broken is None and report.events == 3

    def test_command_says_intact(self, chained):
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        assert "Nhật ký toàn vẹn: 3 sự kiện của 1 hồ sơ" in out.getvalue()

    def test_changed_note_is_found(self, chained):
        event = chained.events.get(seq=3)
        _sql(f"UPDATE {DossierEvent._meta.db_table} SET note = %s WHERE id = %s", ["", event.pk])
        broken = verify_chains().broken
        assert (broken.dossier_code, broken.seq) == (chained.code, 3)
        assert "thay đổi" in broken.reason

    def test_deleted_event_is_found(self, chained):
        event = chained.events.get(seq=2)
        _sql(f"DELETE FROM {DossierEvent._meta.db_table} WHERE id = %s", [event.pk])
        broken = verify_chains().broken
        assert (broken.dossier_code, broken.seq) == (chained.code, 2)

    def test_rewritten_chain_link_is_found(self, chained):
        event = chained.events.get(seq=2)
        _sql(
            f"UPDATE {DossierEvent._meta.db_table} SET prev_hash = %s WHERE id = %s",
            ["0" * 64, event.pk],
        )
        assert verify_chains().broken.seq == 2

    def test_command_exits_1_and_names_the_first_broken_link(self, chained):
        event = chained.events.get(seq=1)
        _sql(f"UPDATE {DossierEvent._meta.db_table} SET actor = %s WHERE id = %s", ["x", event.pk])
        err = StringIO()
        with pytest.raises(SystemExit) as exit_info:
            call_command("audit", "verify", stdout=StringIO(), stderr=err)
        assert exit_info.value.code == 1
        assert f"Hồ sơ {chained.code}, sự kiện #1" in err.getvalue()

    def test_empty_log_is_intact(self, db):
        assert Dossier.objects.count() == 0
        assert verify_chains().broken is None
