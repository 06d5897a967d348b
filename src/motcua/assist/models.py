"""The citizen's recorded consent to be helped by a member of the community digital team.

A member (``Role.DIGITAL_TEAM``) submits online on behalf of a citizen who is present. The
consent holds who assisted, a keyed hash of the citizen's ID number (never the number), when
the citizen ticked the consent box and when they read back the one-time code sent to their own
phone or e-mail: the proof that the citizen, not only the member, wanted the submission.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.dossiers.models import Dossier


def _token() -> str:
    return secrets.token_urlsafe(24)


class AssistanceConsent(models.Model):
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="+", verbose_name=_("trung tâm")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thành viên hỗ trợ"),
    )
    citizen_id_hash = models.CharField(_("mã băm số định danh"), max_length=64, db_index=True)
    contact_masked = models.CharField(_("nơi nhận mã"), max_length=100)
    consent_text = models.TextField(_("nội dung đồng ý"))
    consent_checked_at = models.DateTimeField(_("đánh dấu đồng ý lúc"))
    code_hash = models.CharField(max_length=64, editable=False)
    code_expires_at = models.DateTimeField(editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(_("xác nhận mã lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ đã nộp"),
    )
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đồng ý được hỗ trợ nộp hồ sơ")
        verbose_name_plural = _("đồng ý được hỗ trợ nộp hồ sơ")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} – {self.created_at:%Y-%m-%d %H:%M}"
