"""The signed webhook: one good confirmation records the payment; every bad one changes nothing."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from motcua.dossiers.models import DossierEvent
from motcua.payments.adapters import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from motcua.payments.models import Payment, WebhookDelivery
from tests.dossiers.conftest import APPLICANT
from tests.payments.conftest import OLD_SECRET, SECRET, submit

pytestmark = pytest.mark.django_db
URL = "/thanh-toan/xac-nhan/hmac-json/"


@pytest.fixture
def fresh(center, procedure, account):
    """A dossier received an hour ago: the webhook runs on the real clock."""
    dossier, _ = submit(center, procedure, key="fresh", now=timezone.now() - timedelta(hours=1))
    return dossier


def body_for(dossier, **overrides) -> bytes:
    data = {
        "transaction_id": "FT25188001",
        "dossier_code": dossier.code,
        "amount_vnd": dossier.fee_vnd,
        "paid_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "channel": "online_provincial",
    }
    data.update(overrides)
    return json.dumps(data).encode()


def post(client, body: bytes, *, secret=SECRET, timestamp=None, signature=None, url=URL):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature if signature is not None else sign(secret, timestamp, body),
    }
    return client.post(url, body, content_type="application/json", headers=headers)


def snapshot():
    return Payment.objects.count(), DossierEvent.objects.filter(action="pay").count()


class TestGoodConfirmation:
    def test_records_payment_event_and_receipt(self, client, fresh):
        response = post(client, body_for(fresh))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "recorded"
        payment = Payment.objects.get(dossier=fresh)
        assert (payment.amount_vnd, payment.method, payment.transaction_id) == (
            15000,
            "online_provincial",
            "FT25188001",
        )
        assert response.json()["receipt"] == payment.receipt_label
        event = DossierEvent.objects.get(dossier=fresh, action="pay")
        assert event.data["online"] == 2 and event.data["reference"] == "FT25188001"
        assert event.actor == "payment:hmac-json"

    def test_old_secret_still_works_during_a_rotation(self, client, fresh):
        assert post(client, body_for(fresh), secret=OLD_SECRET).status_code == 200

    def test_a_retry_of_the_same_transaction_is_idempotent(self, client, fresh):
        assert post(client, body_for(fresh)).status_code == 200
        # The bank retries with a new timestamp, so a new signature: not a replay.
        retry = post(client, body_for(fresh), timestamp=str(int(time.time()) - 1))
        assert retry.status_code == 200 and retry.json()["status"] == "duplicate"
        assert snapshot() == (1, 1)


class TestRefusals:
    @pytest.fixture(autouse=True)
    def _logs(self, caplog):
        caplog.set_level(logging.INFO, logger="motcua.payments")
        self.caplog = caplog

    def refused(self, response, status, reason, before):
        assert response.status_code == status, response.content
        assert response.json()["reason"] == reason
        assert snapshot() == before
        text = self.caplog.text
        assert f"reason={reason}" in text
        # Logged without personal data.
        for secret in (APPLICANT.name, APPLICANT.id_number, APPLICANT.phone):
            assert secret not in text

    def test_forged_signature(self, client, fresh):
        before = snapshot()
        response = post(client, body_for(fresh), secret="k" * 40)
        self.refused(response, 401, "bad_signature", before)

    def test_body_changed_after_signing(self, client, fresh):
        before = snapshot()
        timestamp = str(int(time.time()))
        signature = sign(SECRET, timestamp, body_for(fresh))
        tampered = body_for(fresh, amount_vnd=1000)
        response = post(client, tampered, timestamp=timestamp, signature=signature)
        self.refused(response, 401, "bad_signature", before)

    def test_unsigned(self, client, fresh):
        before = snapshot()
        response = client.post(URL, body_for(fresh), content_type="application/json")
        self.refused(response, 401, "unsigned", before)

    @pytest.mark.parametrize("age", [301, -301, 86400])
    def test_timestamp_outside_the_window(self, client, fresh, age):
        before = snapshot()
        response = post(client, body_for(fresh), timestamp=str(int(time.time()) - age))
        self.refused(response, 401, "stale", before)

    @pytest.mark.parametrize("timestamp", ["abc", "1e9", "-5", "9" * 30, "１２３"])
    def test_malformed_timestamp(self, client, fresh, timestamp):
        before = snapshot()
        self.refused(
            post(client, body_for(fresh), timestamp=timestamp), 401, "bad_timestamp", before
        )

    def test_replayed_request(self, client, fresh):
        timestamp = str(int(time.time()))
        body = body_for(fresh)
        assert post(client, body, timestamp=timestamp).status_code == 200
        before = snapshot()
        self.refused(post(client, body, timestamp=timestamp), 409, "replayed", before)

    def test_replay_of_a_refused_request_is_refused_as_a_replay(self, client, fresh):
        timestamp = str(int(time.time()))
        body = body_for(fresh, amount_vnd=1)
        assert post(client, body, timestamp=timestamp).status_code == 422
        before = snapshot()
        self.refused(post(client, body, timestamp=timestamp), 409, "replayed", before)

    def test_wrong_amount(self, client, fresh):
        before = snapshot()
        self.refused(post(client, body_for(fresh, amount_vnd=14000)), 422, "wrong_amount", before)

    def test_unknown_dossier(self, client, fresh):
        before = snapshot()
        body = body_for(fresh, dossier_code="000.00.25.H45-250101-9999")
        self.refused(post(client, body), 404, "unknown_dossier", before)

    def test_second_payment_with_another_transaction(self, client, fresh):
        assert post(client, body_for(fresh)).status_code == 200
        before = snapshot()
        second = body_for(fresh, transaction_id="FT25188002")
        self.refused(post(client, second), 409, "already_paid", before)

    def test_transaction_id_reused_for_another_dossier(self, client, fresh, center, procedure):
        other, _ = submit(center, procedure, key="other", now=timezone.now() - timedelta(hours=1))
        assert post(client, body_for(fresh)).status_code == 200
        before = snapshot()
        self.refused(post(client, body_for(other)), 409, "already_paid", before)

    def test_free_dossier(self, client, center, procedure, account):
        free, _ = submit(
            center, procedure, key="free", channel="postal", now=timezone.now() - timedelta(hours=1)
        )
        before = snapshot()
        self.refused(post(client, body_for(free, amount_vnd=1)), 409, "not_payable", before)

    def test_paid_before_the_dossier_existed(self, client, fresh):
        before = snapshot()
        body = body_for(fresh, paid_at=datetime(2020, 1, 1, tzinfo=UTC).isoformat())
        self.refused(post(client, body), 422, "bad_time", before)

    def test_paid_in_the_future(self, client, fresh):
        before = snapshot()
        body = body_for(fresh, paid_at=(timezone.now() + timedelta(hours=1)).isoformat())
        self.refused(post(client, body), 422, "bad_time", before)

    @pytest.mark.parametrize(
        "body",
        [
            b"{not json",
            b"",
            b"\xff\xfe",
            b"[]",
            b"null",
            b'{"transaction_id": 5}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": "15000"}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": 1.5}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": true}',
            b'{"transaction_id": "T 1", "dossier_code": "X", "amount_vnd": 1}',
            b'{"transaction_id": "T1", "dossier_code": "<x>", "amount_vnd": 1}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": 1, "paid_at": "yesterday"}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": 1,'
            b' "paid_at": "2025-07-07T09:00:00"}',
            b'{"transaction_id": "T1", "dossier_code": "X", "amount_vnd": 1,'
            b' "paid_at": "2025-07-07T09:00:00+07:00", "channel": "cash"}',
        ],
    )
    def test_malformed_body(self, client, fresh, body):
        before = snapshot()
        self.refused(post(client, body), 400, "malformed", before)

    def test_unknown_provider(self, client, fresh):
        before = snapshot()
        response = post(client, body_for(fresh), url="/thanh-toan/xac-nhan/ngan-hang-la/")
        self.refused(response, 404, "unknown_provider", before)

    def test_get_is_not_allowed(self, client):
        response = client.get(URL)
        assert response.status_code == 405 and response["Allow"] == "POST"

    def test_oversized_body(self, client, fresh):
        before = snapshot()
        big = body_for(fresh, padding="x" * 20_000)
        self.refused(post(client, big), 413, "too_large", before)


def test_every_verified_request_is_remembered_without_personal_data(client, fresh):
    post(client, body_for(fresh, amount_vnd=1, transaction_id="FT2"))
    post(client, body_for(fresh))
    post(client, body_for(fresh, transaction_id="FT3"))
    rows = list(WebhookDelivery.objects.order_by("id").values_list("status_code", "outcome"))
    assert rows == [(422, "wrong_amount"), (200, "recorded"), (409, "already_paid")]
    for row in WebhookDelivery.objects.values():
        assert APPLICANT.name not in json.dumps(row, default=str)
