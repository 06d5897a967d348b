"""The outbox of notices to citizens. Rows are written only by ``motcua.notices.services``.

A notice is queued in the same transaction as the officer's action (so a rolled-back action
sends nothing) and sent after the commit by a worker; ``recipient`` is personal data
(NĐ 13/2023/NĐ-CP): it is shown masked and never written to a log or to ``last_error``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notices.states import NoticeChannel, NoticeKind, NoticeStatus


def mask_recipient(value: str) -> str:
    """``0912345678`` → ``09******78``; ``tuyet@example.vn`` → ``tu***@example.vn``."""
    value = (value or "").strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:2]}{'*' * max(len(local) - 2, 1)}@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


class Notice(models.Model):
    # Empty for a message about no dossier: the citizen portal's sign-in code (issue 13).
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("hồ sơ"),
    )
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("sự kiện"),
    )
    kind = models.CharField(_("loại thông báo"), max_length=30, choices=NoticeKind.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=NoticeChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần đã gửi"), default=0)
    # Why the last attempt failed, without personal data (addresses are scrubbed).
    last_error = models.CharField(_("lỗi lần gửi cuối"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("lần gửi tiếp theo"))
    created_at = models.DateTimeField(_("thời điểm tạo"))
    sent_at = models.DateTimeField(_("thời điểm gửi được"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo cho công dân")
        verbose_name_plural = _("thông báo cho công dân")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One message per event and channel, even if an event were queued twice.
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(event__isnull=False),
                name="notice_once_per_event_channel",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.channel} {self.status}"

    @property
    def masked_recipient(self) -> str:
        return mask_recipient(self.recipient)
