"""The only writers of payments: a bank's confirmation, cash at the counter, the receipt number.

Each runs inside the caller's ``transaction.atomic()`` and does, under the dossier's row lock:
the checks (a known dossier with a fee, the exact fee, no payment yet), the ``pay`` event
through ``dossiers.settlement.record_payment`` (KPI 3.6 reads it), the receipt number (taken
last: ``core.sequences`` keeps the counter row locked to the commit, numbers stay gapless) and
the ``Payment`` row. A refusal raises a ``PaymentError`` carrying its HTTP status and a stable
reason code for the log, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils.translation import gettext as _

from motcua.core.sequences import next_number
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import find_by_code
from motcua.dossiers.services import VIETNAM, DossierError
from motcua.dossiers.settlement import UNPAYABLE_STATUSES, record_payment
from motcua.dossiers.states import PaymentMethod
from motcua.payments.adapters import Confirmation
from motcua.payments.models import Payment, ReceiptCounter

# A bank's clock may run a little ahead of ours; a payment further in the future is an error.
CLOCK_SKEW = timedelta(minutes=5)
# How long the receipt link on the tracking page works after the second factor was given.
RECEIPT_LINK_MAX_AGE = 60 * 60
_RECEIPT_SALT = "motcua.payments.receipt"


class PaymentError(DossierError):
    status_code = 409
    reason = "refused"


class UnknownDossier(PaymentError):
    status_code = 404
    reason = "unknown_dossier"


class WrongAmount(PaymentError):
    status_code = 422
    reason = "wrong_amount"


class AlreadyPaid(PaymentError):
    status_code = 409
    reason = "already_paid"


class NotPayable(PaymentError):
    status_code = 409
    reason = "not_payable"


class BadTime(PaymentError):
    status_code = 422
    reason = "bad_time"


@dataclass(frozen=True)
class Outcome:
    payment: Payment
    created: bool  # False: the same payment was reported again (a retry, a double click)


def confirm_online(confirmation: Confirmation, *, provider: str, now: datetime) -> Outcome:
    """Record the payment a bank or platform confirmed, once per transaction and per dossier."""
    reported = Payment.objects.filter(transaction_id=confirmation.transaction_id).first()
    if reported is not None:
        return _same_or_refuse(reported, confirmation)
    found = find_by_code(confirmation.dossier_code)
    if found is None:
        raise UnknownDossier(_("Không có hồ sơ mã %(code)s.") % {"code": confirmation.dossier_code})
    dossier = Dossier.objects.select_for_update().select_related("center").get(pk=found.pk)
    existing = Payment.objects.filter(dossier=dossier).first()
    if existing is not None:
        # A concurrent twin of this confirmation may have committed while we waited for the lock.
        return _same_or_refuse(existing, confirmation)
    _check_payable(dossier, confirmation.amount_vnd)
    if confirmation.paid_at > now + CLOCK_SKEW or confirmation.paid_at < dossier.received_at:
        raise BadTime(
            _("Thời điểm nộp tiền không hợp lệ với hồ sơ %(code)s.") % {"code": dossier.code}
        )
    return Outcome(
        _record(
            dossier,
            method=confirmation.channel,
            amount_vnd=confirmation.amount_vnd,
            actor=f"payment:{provider}"[:100],
            now=now,
            paid_at=confirmation.paid_at,
            transaction_id=confirmation.transaction_id,
            provider=provider,
        ),
        created=True,
    )


def record_cash(dossier_id: int, *, amount_vnd: int, actor: str, now: datetime) -> Outcome:
    """Cash taken at the counter by a reception officer; a second click returns the first."""
    dossier = Dossier.objects.select_for_update().select_related("center").get(pk=dossier_id)
    existing = Payment.objects.filter(dossier=dossier).first()
    if existing is not None:
        if existing.method == PaymentMethod.CASH and existing.amount_vnd == amount_vnd:
            return Outcome(existing, created=False)
        raise AlreadyPaid(_("Hồ sơ %(code)s đã ghi nhận nộp phí, lệ phí.") % {"code": dossier.code})
    _check_payable(dossier, amount_vnd)
    payment = _record(
        dossier,
        method=PaymentMethod.CASH,
        amount_vnd=amount_vnd,
        actor=actor,
        now=now,
        paid_at=now,
        transaction_id=None,
        provider="",
    )
    return Outcome(payment, created=True)


def _same_or_refuse(payment: Payment, confirmation: Confirmation) -> Outcome:
    same = (
        payment.transaction_id == confirmation.transaction_id
        and payment.dossier.code == confirmation.dossier_code
        and payment.amount_vnd == confirmation.amount_vnd
    )
    if same:
        return Outcome(payment, created=False)
    if payment.transaction_id == confirmation.transaction_id:
        raise AlreadyPaid(_("Mã giao dịch này đã được dùng cho một khoản nộp khác."))
    raise AlreadyPaid(
        _("Hồ sơ %(code)s đã ghi nhận nộp phí, lệ phí.") % {"code": payment.dossier.code}
    )


def _check_payable(dossier: Dossier, amount_vnd: int) -> None:
    if not dossier.fee_vnd or dossier.status in UNPAYABLE_STATUSES:
        raise NotPayable(
            _("Hồ sơ %(code)s không có khoản phí, lệ phí cần nộp.") % {"code": dossier.code}
        )
    # The QR carries the fee fixed at receipt; a different amount is a mistake or a trick, and
    # the center must not issue a receipt for money it did not ask for.
    if amount_vnd != dossier.fee_vnd:
        raise WrongAmount(
            _("Số tiền %(paid)s đồng không đúng mức phí, lệ phí %(fee)s đồng của hồ sơ %(code)s.")
            % {
                "paid": f"{amount_vnd:,}".replace(",", "."),
                "fee": f"{dossier.fee_vnd:,}".replace(",", "."),
                "code": dossier.code,
            }
        )


def _record(
    dossier: Dossier,
    *,
    method: str,
    amount_vnd: int,
    actor: str,
    now: datetime,
    paid_at: datetime,
    transaction_id: str | None,
    provider: str,
) -> Payment:
    # The event is dated when the center learns of the payment: the log stays in order even
    # when a bank's confirmation arrives after a later officer action. The bank's own time is
    # kept on the Payment row and printed on the receipt.
    record_payment(
        dossier.pk,
        method=method,
        amount_vnd=amount_vnd,
        actor=actor,
        at=now,
        reference=transaction_id or "",
    )
    year = now.astimezone(VIETNAM).year
    number = next_number(ReceiptCounter, {"center": dossier.center, "year": year})
    return Payment.objects.create(
        dossier=dossier,
        center=dossier.center,
        amount_vnd=amount_vnd,
        method=method,
        transaction_id=transaction_id,
        provider=provider,
        paid_at=paid_at,
        recorded_at=now,
        recorded_by=actor,
        payer_name=dossier.applicant_name,
        receipt_year=year,
        receipt_number=number,
    )


def receipt_token(code: str) -> str:
    """A short-lived token for the receipt link the tracking page shows after the second factor."""
    signed = signing.TimestampSigner(salt=_RECEIPT_SALT).sign(code)
    return signed[len(code) + 1 :]


def check_receipt_token(token: str, code: str) -> bool:
    if not token or not code or len(token) > 200:
        return False
    try:
        signer = signing.TimestampSigner(salt=_RECEIPT_SALT)
        return signer.unsign(f"{code}:{token}", max_age=RECEIPT_LINK_MAX_AGE) == code
    except signing.BadSignature:
        return False
