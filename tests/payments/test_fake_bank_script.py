"""tools/fake-bank-callback.sh, the operator's fake bank (docs/payments.md), against a live
server: the documented way to check a deployment's webhook secret and URL really works."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.payments.models import Payment
from tests.dossiers.conftest import make_center, make_procedure, submit
from tests.payments.conftest import SECRET

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "fake-bank-callback.sh"

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl"
)


@pytest.fixture
def dossier(transactional_db, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path / "media"
    center = make_center()
    procedure = make_procedure(channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 15000}])
    # Received a minute ago: the script's paid_at has whole seconds, never before the receipt.
    received = timezone.now() - timedelta(minutes=1)
    return submit(center, procedure, key="k1", now=received)[0]


def run(*args: str, secret: str | None = SECRET) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_PAYMENT_WEBHOOK_SECRET"}
    if secret is not None:
        env["MOTCUA_PAYMENT_WEBHOOK_SECRET"] = secret
    done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


class TestFakeBankScript:
    def test_a_signed_callback_records_the_payment(self, live_server, dossier):
        code, out = run(live_server.url, dossier.code, "15000", "SCRIPT0001")
        assert code == 0, out
        assert "HTTP 200" in out and '"recorded"' in out
        payment = Payment.objects.get(dossier=dossier)
        assert (payment.transaction_id, payment.amount_vnd) == ("SCRIPT0001", 15000)

    def test_the_wrong_secret_is_refused(self, live_server, dossier):
        code, out = run(live_server.url, dossier.code, "15000", secret="sai-" + "x" * 40)
        assert "HTTP 401" in out and "bad_signature" in out
        assert not Payment.objects.exists()

    def test_the_wrong_amount_is_refused(self, live_server, dossier):
        _code, out = run(live_server.url, dossier.code, "1000")
        assert "HTTP 422" in out and "wrong_amount" in out
        assert not Payment.objects.exists()

    @pytest.mark.parametrize("amount", ["15.000", "-1", "abc", ""])
    def test_bad_arguments_stop_before_sending(self, live_server, dossier, amount):
        code, out = run(live_server.url, dossier.code, amount)
        assert code == 2 and "HTTP" not in out
        assert not Payment.objects.exists()

    def test_no_secret_stops_before_sending(self, live_server, dossier):
        code, out = run(live_server.url, dossier.code, "15000", secret=None)
        assert code != 0 and "MOTCUA_PAYMENT_WEBHOOK_SECRET" in out and "HTTP" not in out
