"""Payment pages: the bank webhook, the cash button, the receipt downloads and the page panels.

Thin: parse, check who asks, call one service in ``transaction.atomic()``, render. The webhook
answers JSON with a stable ``reason`` for every refusal and never a 500; each refusal is logged
with the provider, the reason and the transaction id, never a name or an ID number.
"""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.backoffice.access import OfficerRequest, dossier_for, officer_required
from motcua.centers.models import StaffMembership
from motcua.core.views import error_response, require_safe
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import find_by_code, normalize_code
from motcua.dossiers.services import DossierError
from motcua.dossiers.states import OFFICER_ROLES, PaymentMethod, Role
from motcua.payments.adapters import MAX_BODY_BYTES, WebhookRejected, get_adapter
from motcua.payments.models import Payment, WebhookDelivery
from motcua.payments.qr import format_vnd, payment_qr
from motcua.payments.receipt import render_receipt_pdf
from motcua.payments.services import (
    PaymentError,
    check_receipt_token,
    confirm_online,
    receipt_token,
    record_cash,
)

logger = logging.getLogger("motcua.payments")

# Roles that take cash at the counter (TT 01/2018/TT-VPCP: the reception and result desk).
CASH_ROLES = frozenset({Role.RECEPTION})


def _refuse(provider: str, status: int, reason: str, message: str, tx: str = "") -> JsonResponse:
    logger.warning(
        "payment webhook refused: provider=%s status=%s reason=%s transaction=%s",
        provider[:50],
        status,
        reason,
        tx[:100],
    )
    return JsonResponse(
        {"status": "rejected", "reason": reason, "detail": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A bank's or payment platform's confirmation (docs/payments.md, "The webhook contract")."""
    provider = provider[:50]
    if request.method != "POST":
        response = _refuse(provider, 405, "method", "Chỉ nhận POST.")
        response["Allow"] = "POST"
        return response
    adapter = get_adapter(provider)
    if adapter is None:
        return _refuse(provider, 404, "unknown_provider", "Không có cổng thanh toán này.")
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _refuse(provider, 413, "too_large", "Nội dung quá lớn.")
    now = timezone.now()
    body = request.body
    if len(body) > MAX_BODY_BYTES:  # a chunked request declares no length
        return _refuse(provider, 413, "too_large", "Nội dung quá lớn.")
    try:
        verified = adapter.verify(body=body, headers=request.headers, now=now)
    except WebhookRejected as exc:
        return _refuse(provider, exc.status, exc.reason, exc.message)
    confirmation = verified.confirmation
    tx = confirmation.transaction_id
    # Remembered before anything else, in its own transaction: the unique digest makes a second
    # delivery of the same signed request fail here, even when both arrive at the same moment.
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                provider=provider,
                signature_digest=verified.request_digest,
                received_at=now,
                transaction_id=tx,
                status_code=0,
                outcome="received",
            )
    except IntegrityError:
        return _refuse(provider, 409, "replayed", "Yêu cầu này đã được nhận trước đó.", tx)
    status, reason, message, receipt = 200, "recorded", "", ""
    try:
        with transaction.atomic():
            outcome = confirm_online(confirmation, provider=provider, now=now)
        receipt = outcome.payment.receipt_label
        if not outcome.created:
            reason = "duplicate"
    except PaymentError as exc:
        status, reason, message = exc.status_code, exc.reason, exc.message
    except DossierError as exc:
        status, reason, message = 409, "refused", exc.message
    except IntegrityError:
        # The same transaction id committed by a concurrent delivery: the bank retries later
        # and gets "duplicate" then.
        status, reason, message = 409, "conflict", "Giao dịch đang được ghi nhận, xin gửi lại sau."
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status_code=status, outcome=reason)
    if status != 200:
        return _refuse(provider, status, reason, message, tx)
    logger.info(
        "payment webhook %s: provider=%s transaction=%s receipt=%s", reason, provider, tx, receipt
    )
    return JsonResponse({"status": reason, "receipt": receipt})


def _may_read_receipts(user, dossier: Dossier) -> bool:
    """Staff of the dossier's center (and superusers): the receipt names the payer."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Officers only: a provincial viewer reads masked data, and a member of the community
    # digital team is no officer (motcua.assist) and must not read other people's receipts.
    return StaffMembership.objects.filter(
        user=user,
        is_active=True,
        center_id=dossier.center_id,
        role__in=OFFICER_ROLES - {Role.PROVINCIAL_VIEWER},
    ).exists()


def _receipt_response(payment: Payment) -> HttpResponse:
    response = HttpResponse(render_receipt_pdf(payment), content_type="application/pdf")
    name = f"bien-lai-{payment.receipt_year}-{payment.receipt_number:07d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response


def _no_receipt(request: HttpRequest, code: str) -> HttpResponse:
    return error_response(
        request,
        404,
        _("Không có biên lai"),
        _("Không có biên lai thu phí, lệ phí của hồ sơ “%(code)s”.") % {"code": code},
    )


@require_safe
def public_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen's receipt: the link on the tracking page (a short-lived token) or staff."""
    code = normalize_code(code)
    token = request.GET.get("t", "")
    # The token is checked before the dossier is read: a wrong one says nothing about the code.
    by_token = check_receipt_token(token, code)
    dossier = find_by_code(code) if by_token or request.user.is_authenticated else None
    if dossier is None or not (by_token or _may_read_receipts(request.user, dossier)):
        return error_response(
            request,
            403,
            _("Không có quyền xem biên lai"),
            _(
                "Biên lai có tên người nộp tiền nên chỉ mở được từ trang tra cứu hồ sơ (sau khi "
                "nhập 4 chữ số cuối hoặc quét mã QR trên giấy hẹn; đường dẫn có hiệu lực 1 giờ) "
                "hoặc khi cán bộ của trung tâm đã đăng nhập."
            ),
        )
    payment = Payment.objects.filter(dossier=dossier).select_related("dossier", "center").first()
    if payment is None:
        return _no_receipt(request, code)
    return _receipt_response(payment)


@officer_required
@require_safe
def officer_receipt(request: OfficerRequest, code: str) -> HttpResponse:
    dossier = dossier_for(request.membership, code)
    if request.membership.role == Role.PROVINCIAL_VIEWER:
        return _forbidden(request, _("Cán bộ tỉnh không xem biên lai có tên người nộp tiền."))
    payment = Payment.objects.filter(dossier=dossier).select_related("dossier", "center").first()
    if payment is None:
        return _no_receipt(request, dossier.code)
    return _receipt_response(payment)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "backoffice/403.html",
        {"title": _("Không thực hiện được"), "message": message},
        status=403,
    )


_AMOUNT = re.compile(r"[0-9]{1,3}(?:[.,\s]?[0-9]{3})*")


def parse_amount(raw: str) -> int | None:
    """ "15000", "15.000" or "15 000" đồng; anything else is None."""
    raw = (raw or "").strip().removesuffix("đồng").removesuffix("đ").strip()
    if len(raw) > 20 or not raw.isascii() or not _AMOUNT.fullmatch(raw):
        return None
    return int(re.sub(r"[.,\s]", "", raw))


@officer_required
@require_POST
def cash(request: OfficerRequest, code: str) -> HttpResponse:
    """The reception officer took the fee in cash: one button, the amount typed as a check."""
    from motcua.backoffice.views import _dossier_context

    membership = request.membership
    dossier = dossier_for(membership, code)

    def refused(message: str, status: int) -> HttpResponse:
        context = _dossier_context(request, dossier, error=message)
        return render(request, "backoffice/dossier.html", context, status=status)

    if membership.role not in CASH_ROLES:
        return refused(_("Chỉ cán bộ tiếp nhận và trả kết quả ghi nhận thu tiền mặt."), 403)
    amount = parse_amount(request.POST.get("so_tien", ""))
    if amount is None:
        return refused(_("Số tiền đã thu phải là số nguyên đồng, ví dụ 15000 hoặc 15.000."), 400)
    try:
        with transaction.atomic():
            outcome = record_cash(
                dossier.pk, amount_vnd=amount, actor=f"user:{request.user.pk}", now=timezone.now()
            )
    except DossierError as exc:
        return refused(exc.message, getattr(exc, "status_code", 409))
    payment = outcome.payment
    if outcome.created:
        messages.success(
            request,
            _("Đã ghi nhận thu tiền mặt %(amount)s, biên lai số %(number)s.")
            % {"amount": format_vnd(payment.amount_vnd), "number": payment.receipt_label},
        )
    else:
        messages.info(request, _("Khoản thu này đã được ghi nhận trước đó."))
    return redirect("backoffice:dossier", code=dossier.code)


def track_panel(request: HttpRequest, dossier: Dossier) -> str:
    """The tracking page (after the second factor): the QR to pay, or the paid receipt."""
    payment = Payment.objects.filter(dossier=dossier).first()
    if payment is not None:
        return render_to_string(
            "payments/_track_paid.html",
            {
                "payment": payment,
                "amount": format_vnd(payment.amount_vnd),
                "method": PaymentMethod(payment.method).label,
                "receipt_token": receipt_token(dossier.code),
                "dossier": dossier,
            },
            request=request,
        )
    qr = payment_qr(dossier)
    if qr is None:
        return ""
    return render_to_string("payments/_track_pay.html", {"qr": qr}, request=request)


def officer_panel(request: HttpRequest, dossier: Dossier) -> str:
    membership = getattr(request, "membership", None)
    if membership is None or not dossier.fee_vnd:
        return ""
    payment = Payment.objects.filter(dossier=dossier).first()
    qr = None if payment is not None else payment_qr(dossier)
    return render_to_string(
        "payments/_officer_panel.html",
        {
            "dossier": dossier,
            "payment": payment,
            "method": PaymentMethod(payment.method).label if payment else "",
            "amount": format_vnd(payment.amount_vnd if payment else dossier.fee_vnd),
            "qr": qr,
            "may_take_cash": (
                payment is None and membership.role in CASH_ROLES and _payable(dossier)
            ),
            "may_read_receipt": membership.role != Role.PROVINCIAL_VIEWER,
        },
        request=request,
    )


def _payable(dossier: Dossier) -> bool:
    from motcua.dossiers.settlement import UNPAYABLE_STATUSES

    return bool(dossier.fee_vnd) and dossier.status not in UNPAYABLE_STATUSES
