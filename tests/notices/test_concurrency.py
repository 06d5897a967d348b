"""Two workers at once on PostgreSQL: a row another worker holds is skipped, not sent twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from motcua.notices.models import Notice
from motcua.notices.services import dispatch_pending
from tests.dossiers.conftest import submit, vn


class RecordingSender:
    channel = "email"

    def __init__(self):
        self.sent = []

    def send(self, recipient, subject, body):
        self.sent.append(recipient)


@pytest.mark.django_db(transaction=True)
def test_a_locked_notice_is_skipped_by_the_second_worker(center, procedure):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs postgresql (SKIP LOCKED); this run uses {connection.vendor}")
    dossier, _ = submit(center, procedure)
    notice = dossier.notices.get()
    # Sent right after the commit already: put it back in the queue for the two workers.
    Notice.objects.filter(pk=notice.pk).update(
        status="pending", attempts=0, next_attempt_at=vn(2025, 7, 7, 9, 5)
    )
    locked, release = threading.Event(), threading.Event()

    def first_worker():
        try:
            with transaction.atomic():
                Notice.objects.select_for_update().get(pk=notice.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert locked.wait(10)
        sender = RecordingSender()
        report = dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={"email": sender})
        assert (report.sent, report.skipped, sender.sent) == (0, 1, [])
    finally:
        release.set()
        thread.join()
    assert dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={"email": sender}).sent == 1
