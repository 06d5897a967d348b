"""Enumerations of notices to citizens and the retry schedule. No database here."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    GAVE_UP = "gave_up", _("Đã ngừng thử gửi")


class NoticeKind(models.TextChoices):
    """What the notice tells the citizen; one per workflow moment the issue names."""

    ACCEPTED = "accepted", _("Đã tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    REFUSED = "refused", _("Từ chối tiếp nhận hồ sơ")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại")
    # The citizen portal's one-time sign-in code: its body is wiped once sent or expired.
    SIGN_IN_CODE = "sign_in_code", _("Mã đăng nhập một lần")
    # Feedback (phản ánh, kiến nghị) and assisted submission (issue 13, h-feedback).
    FEEDBACK_RECEIVED = "feedback_received", _("Đã tiếp nhận phản ánh, kiến nghị")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    ASSIST_CODE = "assist_code", _("Mã đồng ý được hỗ trợ nộp hồ sơ")


# Kinds whose text is a secret: the body is blanked as soon as it has left (or is useless).
SECRET_KINDS = frozenset({NoticeKind.SIGN_IN_CODE, NoticeKind.ASSIST_CODE})
WIPED_BODY = "—"


# Statuses a worker still has to send ("which notices are still on their way?").
TO_SEND = frozenset({NoticeStatus.PENDING, NoticeStatus.FAILED})

# The wait after the n-th failed attempt; the 6th failure gives up. A mail server or an SMS
# gateway that is down for a couple of hours still gets the message through.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(minutes=120),
    timedelta(minutes=480),
)
MAX_ATTEMPTS = 6

# A worker that claimed a notice and then died (killed, power cut) must not hold it forever:
# after this lease the claim expires and another run sends it again (at least once).
CLAIM_LEASE = timedelta(minutes=10)


def backoff_after(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
