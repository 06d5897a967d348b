"""Fees paid and the citizen's rating: two facts about a dossier that do not move its status.

Both are appended to the dossier's event log (``pay``, ``rate``) so that KPI 3.6 (online
payment) and 5.4 (satisfaction) of QĐ 766/QĐ-TTg come from the log like every other index,
and an imported history carries them the same way. Each dossier has at most one of each: a
second payment or rating is refused rather than silently overwriting what the report counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import DossierError, record_event
from motcua.dossiers.states import DossierStatus, EventAction, PaymentMethod, Rating

# The largest fee a commune procedure could carry, with room to spare: a typo guard.
MAX_AMOUNT_VND = 1_000_000_000

# A rating is given on what the citizen received: a result, a refusal or a stop.
RATEABLE_STATUSES = frozenset(
    {
        DossierStatus.PROCESSED,
        DossierStatus.RETURNED,
        DossierStatus.NOT_ACCEPTED,
        DossierStatus.STOPPED,
    }
)
UNPAYABLE_STATUSES = frozenset({DossierStatus.NOT_ACCEPTED, DossierStatus.WITHDRAWN})


class SettlementError(DossierError):
    status_code = 409


def record_payment(
    dossier_id: int,
    *,
    method: str,
    amount_vnd: int,
    actor: str,
    at: datetime,
    reference: str = "",
) -> DossierEvent:
    """Record that the dossier's fee was paid (once), by ``method``, for ``amount_vnd`` đồng."""
    if method not in PaymentMethod.values:
        raise DossierError(_("Hình thức thanh toán không hợp lệ."))
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise DossierError(_("Số tiền phải là số nguyên đồng."))
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise DossierError(_("Số tiền phải lớn hơn 0 và không quá 1.000.000.000 đồng."))
    reference = " ".join((reference or "").split())[:100]

    def refusal(dossier: Dossier) -> str | None:
        if dossier.status in UNPAYABLE_STATUSES:
            return _("Hồ sơ đang ở trạng thái “%(status)s”: không ghi nhận thanh toán.") % {
                "status": dossier.get_status_display()
            }
        if not dossier.fee_vnd:
            # A free dossier (fee 0) or one whose fee is not known has nothing to pay: a payment
            # would be money taken without a fee, and KPI 3.6 counts only dossiers with a fee.
            # The amount itself may differ from the fee (a fee charged per copy).
            return _("Hồ sơ %(code)s không có phí, lệ phí: không ghi nhận thanh toán.") % {
                "code": dossier.code
            }
        return None

    return _append_once(
        dossier_id,
        EventAction.PAY,
        actor=actor,
        at=at,
        data={
            "method": method,
            "online": PaymentMethod(method).online_code,
            "amount_vnd": amount_vnd,
            "reference": reference,
        },
        refusal=refusal,
        already=_("Hồ sơ %(code)s đã ghi nhận thanh toán."),
    )


def record_rating(
    dossier_id: int,
    *,
    rating: str,
    actor: str,
    at: datetime,
    complaint: bool = False,
) -> DossierEvent:
    """Record the citizen's rating (once) and whether they lodged a complaint (phản ánh)."""
    if rating not in Rating.values:
        raise DossierError(_("Mức đánh giá không hợp lệ."))

    def refusal(dossier: Dossier) -> str | None:
        if dossier.status in RATEABLE_STATUSES:
            return None
        return _("Hồ sơ chưa có kết quả (trạng thái “%(status)s”): chưa thể đánh giá.") % {
            "status": dossier.get_status_display()
        }

    return _append_once(
        dossier_id,
        EventAction.RATE,
        actor=actor,
        at=at,
        data={"rating": rating, "complaint": bool(complaint)},
        refusal=refusal,
        already=_("Hồ sơ %(code)s đã được đánh giá."),
    )


def _append_once(
    dossier_id: int,
    action: str,
    *,
    actor: str,
    at: datetime,
    data: dict,
    refusal: Callable[[Dossier], str | None],
    already: str,
) -> DossierEvent:
    """Append the dossier's one ``action`` event, under its row lock, after the checks."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        message = refusal(dossier)
        if message:
            raise SettlementError(message)
        _check_time(dossier, at)
        if dossier.events.filter(action=action).exists():
            raise SettlementError(already % {"code": dossier.code})
        return record_event(
            dossier,
            action=action,
            from_status=dossier.status,
            to_status=dossier.status,
            actor=actor,
            at=at,
            data=data,
        )


def _check_time(dossier: Dossier, at: datetime) -> None:
    last = dossier.events.order_by("-seq").values_list("at", flat=True).first()
    if at < dossier.received_at or (last is not None and at < last):
        raise DossierError(_("Thời điểm ghi nhận không được trước sự kiện cuối cùng của hồ sơ."))
