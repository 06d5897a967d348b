"""Ratings of the service (per dossier and per counter visit), the counters' rating tablets,
and feedback (phản ánh, kiến nghị) with its handling log and attachments.

The dossier's rating itself is the dossier's ``rate`` event (``dossiers.settlement``): KPI 5.4
counts from it. ``ServiceRating`` keeps what the event does not: the comment, where it was
given, and the counter and officer of a visit, which no dossier may carry (a visit to ask a
question has none).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.core.devices import RegisteredDevice
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import Rating
from motcua.feedback.states import FeedbackAction, FeedbackKind, FeedbackStatus, RatingSource
from motcua.queue.models import Counter, Ticket


def _token() -> str:
    return secrets.token_urlsafe(24)


class RatingDevice(RegisteredDevice):
    """A tablet at one counter, registered like a kiosk (one-time activation code, then a
    device cookie whose secret only the hash of is stored)."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="rating_devices", verbose_name=_("trung tâm")
    )
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, related_name="rating_devices", verbose_name=_("quầy")
    )
    name = models.CharField(_("tên thiết bị"), max_length=100)

    class Meta:
        verbose_name = _("thiết bị đánh giá tại quầy")
        verbose_name_plural = _("thiết bị đánh giá tại quầy")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.name} – {self.center}"

    @property
    def actor(self) -> str:
        return f"rating-tablet:{self.pk}"


class ServiceRating(models.Model):
    """One rating: of a dossier (with its ``rate`` event), of a counter visit, or both."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="+", verbose_name=_("trung tâm")
    )
    rating = models.CharField(_("mức đánh giá"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("góp ý"), blank=True)
    source = models.CharField(_("nơi đánh giá"), max_length=20, choices=RatingSource.choices)
    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    event = models.OneToOneField(
        DossierEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A visit to a counter: one rating per ticket, of that counter and that officer.
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("số thứ tự"),
    )
    counter = models.ForeignKey(
        Counter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quầy"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ"),
    )
    device = models.ForeignKey(
        RatingDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dossier__isnull=False) | models.Q(ticket__isnull=False),
                name="rating_of_a_dossier_or_a_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} ({self.get_source_display()})"


class Feedback(models.Model):
    """A citizen's phản ánh or kiến nghị, with its deadline and the officer's answer."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="+", verbose_name=_("trung tâm")
    )
    reference = models.CharField(_("số tham chiếu"), max_length=30, unique=True)
    # The status page's address: random, so the reference (which a citizen may read out) does
    # not open the answer, and no personal data ever stands in a URL.
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=FeedbackKind.choices)
    subject = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ liên quan"),
    )
    contact_name = models.CharField(_("họ tên người gửi"), max_length=100, blank=True)
    contact_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.NEW,
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    triage_due_at = models.DateTimeField(_("hạn phân loại"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ xử lý"),
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["center", "status", "due_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone or self.contact_email)


class FeedbackEvent(models.Model):
    """Append-only log of what happened to a feedback: who, what, when."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=FeedbackAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("feedback events are append-only")
        super().save(*args, **kwargs)


def attachment_path(instance: FeedbackAttachment, filename: str) -> str:
    # The citizen's file name is never used on disk (it may hold a name, or "../").
    return f"feedback/{instance.feedback.center_id}/{secrets.token_hex(16)}"


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.feedback_id}/{self.pk}"
