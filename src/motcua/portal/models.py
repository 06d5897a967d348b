"""The citizen portal's tables. Rows are written only by ``motcua.portal.services``.

A citizen is not a Django user: officers sign in through ``django.contrib.auth`` (with lockout
and a second factor) and hold staff rights; a citizen holds none and signs in by a one-time code
or VNeID. Keeping them apart means no citizen account can ever be given an officer's permission
by mistake, and the officer login's protections are not weakened for citizens.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.centers.models import Center
from motcua.dossiers.models import Dossier
from motcua.portal.states import Assurance, ContactSource


class Citizen(models.Model):
    # sealing.id_digest of the 12-digit personal identification number (docs/decisions/0005).
    id_digest = models.CharField(_("mã băm số định danh"), max_length=64, unique=True)
    id_number_sealed = models.TextField(_("số định danh (mã hóa)"))
    # The address the citizen gave on a first sign-in with no address in the records.
    contact_sealed = models.TextField(_("địa chỉ nhận mã (mã hóa)"), blank=True)
    contact_channel = models.CharField(_("kênh nhận mã"), max_length=10, blank=True)
    contact_source = models.CharField(
        _("nguồn địa chỉ"), max_length=10, choices=ContactSource.choices, blank=True
    )
    created_at = models.DateTimeField(_("thời điểm tạo"))
    last_sign_in_at = models.DateTimeField(_("lần đăng nhập cuối"), null=True, blank=True)
    last_assurance = models.CharField(
        _("cách đăng nhập cuối"), max_length=10, choices=Assurance.choices, blank=True
    )

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")

    def __str__(self) -> str:
        return f"citizen {self.pk}"


class SignInCode(models.Model):
    """One one-time code sent to one address; single use, short-lived, a few tries."""

    # Extension point: assisted submission asks the citizen's consent by a code too.
    purpose = models.CharField(_("mục đích"), max_length=20, default="sign_in")
    id_digest = models.CharField(_("mã băm số định danh"), max_length=64, db_index=True)
    id_number_sealed = models.TextField(_("số định danh (mã hóa)"))
    channel = models.CharField(_("kênh"), max_length=10)
    recipient_masked = models.CharField(_("người nhận (che bớt)"), max_length=254)
    contact_source = models.CharField(
        _("nguồn địa chỉ"), max_length=10, choices=ContactSource.choices
    )
    declared_contact_sealed = models.TextField(_("địa chỉ tự khai (mã hóa)"), blank=True)
    # The random value that salts this challenge's code digest and names it in the session.
    salt = models.CharField(_("muối"), max_length=64, unique=True)
    code_digest = models.CharField(_("mã băm của mã"), max_length=64)
    failed_attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    created_at = models.DateTimeField(_("thời điểm tạo"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã đăng nhập một lần")
        verbose_name_plural = _("mã đăng nhập một lần")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"code {self.pk}"


class Draft(models.Model):
    """An online dossier being written: the form's data and parked uploads, the owner's only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("công dân")
    )
    center = models.ForeignKey(Center, on_delete=models.CASCADE, verbose_name=_("trung tâm"))
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, verbose_name=_("thủ tục"))
    # The form's fields as lists of strings (a QueryDict), upload tokens included.
    data = models.JSONField(_("nội dung đã nhập"), default=dict, blank=True)
    # One key per draft: a double tap or a retried submission gives the same dossier.
    submit_key = models.CharField(_("khóa chống gửi trùng"), max_length=32)
    created_at = models.DateTimeField(_("thời điểm tạo"))
    updated_at = models.DateTimeField(_("thời điểm lưu"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.pk}"


class OnlineSubmission(models.Model):
    """Which citizen account submitted which online dossier (and how sure we were of them).

    Extension point: payments, ratings and assisted submission (who helped) hang off this row.
    """

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("công dân")
    )
    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="online_submission", verbose_name=_("hồ sơ")
    )
    assurance = models.CharField(_("cách đăng nhập"), max_length=10, choices=Assurance.choices)
    submitted_at = models.DateTimeField(_("thời điểm nộp"))

    class Meta:
        verbose_name = _("hồ sơ nộp trực tuyến")
        verbose_name_plural = _("hồ sơ nộp trực tuyến")

    def __str__(self) -> str:
        return f"online {self.dossier_id}"
