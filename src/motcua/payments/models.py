"""The center's collection account, payments with their e-receipts, and webhook deliveries.

A payment is also a ``pay`` event in the dossier's log (``dossiers.settlement``), written in the
same transaction as the ``Payment`` row: the event is what KPI 3.6 counts, the row is what the
receipt (biên lai điện tử) prints and what makes a bank's transaction id count once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import PaymentMethod

_bin = RegexValidator(r"^[0-9]{6}$", _("Mã BIN ngân hàng gồm đúng 6 chữ số, ví dụ 970436."))
# NAPAS account numbers are digits; some banks add letters to virtual accounts (e.g. "99MM…").
_account = RegexValidator(
    r"^[0-9A-Z]{4,19}$",
    _("Số tài khoản gồm 4 đến 19 chữ số hoặc chữ cái in hoa không dấu, không có khoảng trắng."),
)


class CollectionAccount(models.Model):
    """The account a center collects fees on (often its State Treasury or a bank account).

    One per center: the VietQR on the slip, the tracking page and the counter screen pays into it.
    Only a superuser or the center's own administrator changes it (``CenterScopedAdmin``).
    """

    center = models.OneToOneField(
        Center,
        on_delete=models.CASCADE,
        related_name="collection_account",
        verbose_name=_("trung tâm"),
    )
    bank_bin = models.CharField(_("mã BIN ngân hàng"), max_length=6, validators=[_bin])
    account_number = models.CharField(_("số tài khoản"), max_length=19, validators=[_account])
    account_name = models.CharField(
        _("tên chủ tài khoản"),
        max_length=70,
        help_text=_("In dưới mã QR để người nộp đối chiếu, ví dụ UBND XA HIEN LUONG."),
    )
    is_active = models.BooleanField(
        _("đang dùng"),
        default=True,
        help_text=_("Bỏ chọn để ngừng hiện mã QR thanh toán (ví dụ khi đổi tài khoản)."),
    )

    class Meta:
        verbose_name = _("tài khoản thu phí, lệ phí")
        verbose_name_plural = _("tài khoản thu phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.center} – {self.bank_bin} {self.account_number}"

    def clean(self) -> None:
        from motcua.payments.qr import bank_name

        self.account_number = (self.account_number or "").replace(" ", "").upper()
        if self.bank_bin and bank_name(self.bank_bin) is None:
            raise ValidationError(
                {
                    "bank_bin": _("Mã BIN %(bin)s không thuộc ngân hàng nào hỗ trợ VietQR.")
                    % {"bin": self.bank_bin}
                }
            )


class Payment(models.Model):
    """One dossier's fee, paid once: online (confirmed by a bank) or in cash at the counter."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="payment", verbose_name=_("hồ sơ")
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="payments", verbose_name=_("trung tâm")
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức"), max_length=30, choices=PaymentMethod.choices)
    # The bank's or platform's id of the transfer; None for cash. Unique: a bank that sends the
    # same confirmation twice (a retry) pays once.
    transaction_id = models.CharField(
        _("mã giao dịch"), max_length=100, unique=True, null=True, blank=True
    )
    provider = models.CharField(_("nguồn xác nhận"), max_length=50, blank=True)
    paid_at = models.DateTimeField(_("thời điểm nộp"))
    recorded_at = models.DateTimeField(_("thời điểm ghi nhận"))
    recorded_by = models.CharField(_("người, hệ thống ghi nhận"), max_length=100)
    # The payer as the receipt names them: the applicant, copied when the payment is recorded.
    payer_name = models.CharField(_("người nộp tiền"), max_length=200)
    receipt_year = models.PositiveSmallIntegerField(_("năm biên lai"))
    receipt_number = models.PositiveIntegerField(_("số biên lai"))

    class Meta:
        verbose_name = _("khoản nộp phí, lệ phí")
        verbose_name_plural = _("các khoản nộp phí, lệ phí")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "receipt_year", "receipt_number"], name="receipt_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_label} – {self.dossier.code}"

    @property
    def receipt_label(self) -> str:
        """ "Số" of the receipt: the number in the center's year, e.g. 0000012/2025."""
        return f"{self.receipt_number:07d}/{self.receipt_year}"

    @property
    def is_online(self) -> bool:
        return PaymentMethod(self.method).online_code != 0


class ReceiptCounter(models.Model):
    """The last receipt number of a center in a year (``core.sequences.next_number``)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="receipt_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.year}: {self.last_number}"


class WebhookDelivery(models.Model):
    """A signed webhook request that passed the signature check, remembered against replays.

    The signature covers the timestamp, and requests older than the tolerance window are refused,
    so remembering the signatures of the window is enough to refuse an exact replay. No personal
    data: the provider, the signature's digest, the transaction id and the outcome.
    """

    provider = models.CharField(max_length=50)
    signature_digest = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    transaction_id = models.CharField(max_length=100, blank=True)
    status_code = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("lượt xác nhận thanh toán từ ngân hàng")
        verbose_name_plural = _("các lượt xác nhận thanh toán từ ngân hàng")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.transaction_id} {self.outcome}"
