"""The courier: after the commit the request hands the notice over and returns; the courier
thread sends it on its own connection, once (issue 10)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail

from motcua.notices import courier as courier_module
from motcua.notices.courier import Courier
from motcua.notices.models import Notice
from tests.dossiers.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


class BlockingSender:
    """An e-mail gateway that answers only when the test lets it."""

    channel = "email"
    enabled = True

    def __init__(self):
        self.entered = threading.Event()
        self.release = threading.Event()
        self.sent: list[str] = []

    def send(self, recipient, subject, body):
        self.entered.set()
        assert self.release.wait(10)
        self.sent.append(recipient)


@pytest.fixture
def fresh_courier(monkeypatch, settings):
    settings.MOTCUA_NOTICES_DELIVERY = "background"
    courier = Courier()
    monkeypatch.setattr(courier_module, "courier", courier)
    yield courier
    courier.stop()


def test_the_request_returns_before_the_gateway_answers(
    center, procedure, fresh_courier, monkeypatch
):
    sender = BlockingSender()
    monkeypatch.setattr("motcua.notices.services.configured_senders", lambda: {"email": sender})
    dossier, created = submit(center, procedure)  # commits: the after-commit hook has run
    assert created
    # The submission is done while the gateway still holds the courier's attempt.
    assert sender.entered.wait(10)
    assert sender.sent == []
    sender.release.set()
    assert fresh_courier.idle.wait(10)
    notice = dossier.notices.get()
    assert (notice.status, notice.attempts) == ("sent", 1)
    assert sender.sent == [notice.recipient]


def test_the_courier_sends_through_the_configured_mail_backend(
    center, procedure, fresh_courier, settings
):
    submit(center, procedure)
    assert fresh_courier.idle.wait(10)
    assert len(mail.outbox) == 1
    assert Notice.objects.get().status == "sent"


def test_cron_mode_leaves_the_row_for_the_command(center, procedure, settings):
    settings.MOTCUA_NOTICES_DELIVERY = "cron"
    submit(center, procedure)
    assert Notice.objects.get().status == "pending"
    assert mail.outbox == []
