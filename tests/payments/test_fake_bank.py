"""A fake bank confirms payments over real HTTP to a live server; KPI 3.6 moves with them.

The live server (pytest-django's, a real socket on the loopback) runs the whole stack: the URL
routing, the middleware, the adapter's signature check, the services and the database. The
bank posts from its own thread with ``urllib``, as a bank's callback would.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import VIETNAM
from motcua.payments.adapters import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from motcua.payments.models import CollectionAccount, Payment
from motcua.payments.qr import payment_qr
from motcua.reports import kpi
from tests.dossiers.conftest import make_center, make_procedure, submit
from tests.payments.conftest import SECRET
from tests.payments.emvco import decode


@dataclass
class FakeBank:
    """Pays what a VietQR asks and calls the center back, signed, like a bank's gateway."""

    base_url: str
    secret: str = SECRET
    sent: list[tuple[int, dict]] = field(default_factory=list)
    _counter: int = 0

    def pay_qr(self, payload: str, *, amount_vnd: int | None = None, secret: str | None = None):
        qr = decode(payload)  # what a banking app reads from the picture
        self._counter += 1
        body = {
            "transaction_id": f"FAKEBANK{self._counter:06d}",
            "dossier_code": qr.purpose,
            "amount_vnd": qr.amount if amount_vnd is None else amount_vnd,
            "paid_at": timezone.now().isoformat(),
            "channel": "online_provincial",
        }
        return self.post(json.dumps(body).encode(), secret=secret)

    def post(self, body: bytes, *, secret: str | None = None, timestamp: str | None = None):
        timestamp = timestamp or str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 (the test's own loopback server)
            f"{self.base_url}/thanh-toan/xac-nhan/hmac-json/",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(secret or self.secret, timestamp, body),
            },
        )
        result: dict = {}

        def call():
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                    result["status"], result["body"] = response.status, response.read()
            except urllib.error.HTTPError as error:
                result["status"], result["body"] = error.code, error.read()

        thread = threading.Thread(target=call)
        thread.start()
        thread.join(timeout=30)
        try:
            answer = (result["status"], json.loads(result["body"]))
        except ValueError:
            answer = (result["status"], {"raw": result["body"][:300]})
        self.sent.append(answer)
        return answer


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    center = make_center()
    CollectionAccount.objects.create(
        center=center, bank_bin="970418", account_number="21510001234567", account_name="UBND XA"
    )
    procedure = make_procedure(channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 15000}])
    received = timezone.now() - timedelta(hours=2)
    dossiers = [
        submit(center, procedure, key=f"k{i}", now=received + timedelta(minutes=i))[0]
        for i in range(2)
    ]
    return center, dossiers


def _kpi_36(center):
    today = timezone.now().astimezone(VIETNAM).date()
    report = kpi.compute(
        today - timedelta(days=1),
        today,
        slice=kpi.Slice(center=center.agency_code),
        now=timezone.now(),
    )
    return report.indices["3.6"]


def test_fake_bank_pays_over_http_and_kpi_36_moves(live_server, world):
    center, (first, second) = world
    bank = FakeBank(live_server.url)
    before = _kpi_36(center)
    assert (before.numerator, before.denominator) == (0, 2)

    status, body = bank.pay_qr(payment_qr(first).payload)
    assert (status, body["status"]) == (200, "recorded")
    payment = Payment.objects.get(dossier=first)
    assert payment.method == "online_provincial" and payment.transaction_id == "FAKEBANK000001"
    after = _kpi_36(center)
    assert (after.numerator, after.denominator) == (1, 2)
    assert after.rate == 50.0

    # A forged callback and a wrong amount for the second dossier change nothing.
    assert bank.pay_qr(payment_qr(second).payload, secret="x" * 40)[0] == 401
    assert bank.pay_qr(payment_qr(second).payload, amount_vnd=1000)[0] == 422
    assert not Payment.objects.filter(dossier=second).exists()
    assert _kpi_36(center).numerator == 1

    # The first dossier cannot be paid twice.
    assert (
        bank.post(
            json.dumps(
                {
                    "transaction_id": "FAKEBANK999999",
                    "dossier_code": first.code,
                    "amount_vnd": 15000,
                    "paid_at": timezone.now().isoformat(),
                }
            ).encode()
        )[0]
        == 409
    )
    assert DossierEvent.objects.filter(dossier=first, action="pay").count() == 1


def test_concurrent_deliveries_of_one_transaction_record_one_payment(live_server, world):
    """A bank that fires its callback twice at once (two workers): one payment, no 500."""
    if connection.vendor != "postgresql":
        # pytest-django's in-memory SQLite shares one cache between threads and answers "table
        # is locked" at once instead of waiting (tests/dossiers/test_concurrency.py).
        pytest.skip(f"needs PostgreSQL for concurrent writers; this run uses {connection.vendor}")
    center, (first, _) = world
    bank = FakeBank(live_server.url)
    body = json.dumps(
        {
            "transaction_id": "FAKEBANK-TWIN",
            "dossier_code": first.code,
            "amount_vnd": 15000,
            "paid_at": timezone.now().isoformat(),
        }
    ).encode()
    stamps = [str(int(time.time())), str(int(time.time()) - 1)]
    threads = [
        threading.Thread(target=bank.post, args=(body,), kwargs={"timestamp": s}) for s in stamps
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(status for status, _ in bank.sent)
    assert len(statuses) == 2, bank.sent
    assert statuses[0] == 200 and all(s in (200, 409) for s in statuses), bank.sent
    assert Payment.objects.filter(dossier=first).count() == 1
    assert DossierEvent.objects.filter(dossier=first, action="pay").count() == 1
