"""Enumerations of ratings and of feedback (phản ánh, kiến nghị). No database here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingSource(models.TextChoices):
    """Where the citizen gave the rating."""

    TRACKING = "tracking", _("Trang tra cứu hồ sơ")
    KIOSK = "kiosk", _("Kiosk")
    TABLET = "tablet", _("Thiết bị đánh giá tại quầy")
    PORTAL = "portal", _("Cổng dịch vụ công")


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("Phản ánh")
    SUGGESTION = "suggestion", _("Kiến nghị")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("Mới tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")


class FeedbackAction(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận")
    ASSIGN = "assign", _("Giao xử lý")
    ANSWER = "answer", _("Trả lời")
    CLOSE = "close", _("Đóng")


# (status, action) → next status. Answering again before closing corrects the answer.
TRANSITIONS: dict[tuple[str, str], str] = {
    (FeedbackStatus.NEW, FeedbackAction.ASSIGN): FeedbackStatus.IN_PROGRESS,
    (FeedbackStatus.IN_PROGRESS, FeedbackAction.ASSIGN): FeedbackStatus.IN_PROGRESS,
    (FeedbackStatus.NEW, FeedbackAction.ANSWER): FeedbackStatus.ANSWERED,
    (FeedbackStatus.IN_PROGRESS, FeedbackAction.ANSWER): FeedbackStatus.ANSWERED,
    (FeedbackStatus.ANSWERED, FeedbackAction.ANSWER): FeedbackStatus.ANSWERED,
    (FeedbackStatus.ANSWERED, FeedbackAction.CLOSE): FeedbackStatus.CLOSED,
    (FeedbackStatus.NEW, FeedbackAction.CLOSE): FeedbackStatus.CLOSED,
    (FeedbackStatus.IN_PROGRESS, FeedbackAction.CLOSE): FeedbackStatus.CLOSED,
}

OPEN_STATUSES = frozenset({FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS})


def available_actions(status: str) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == status]
