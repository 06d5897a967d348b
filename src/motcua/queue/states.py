"""Queue tickets: their states, the actions on them and the transition table (no database).

A ticket's periods (waiting, called, serving) are read from its events, never from a clock on
the row alone: every action appends one event in the same transaction as the state change, like
the dossier log, so waiting and service times in the reports are exact.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đã gọi")
    SERVING = "serving", _("Đang phục vụ")
    DONE = "done", _("Đã xong")
    NO_SHOW = "no_show", _("Vắng mặt")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class TicketAction(models.TextChoices):
    ISSUE = "issue", _("Lấy số")
    CALL = "call", _("Gọi số")
    RECALL = "recall", _("Gọi lại")
    START = "start", _("Bắt đầu phục vụ")
    END = "end", _("Kết thúc phục vụ")
    SKIP = "skip", _("Vắng mặt, bỏ qua")
    TRANSFER = "transfer", _("Chuyển sang khu vực khác")
    CANCEL = "cancel", _("Hủy số")
    LINK_DOSSIER = "link_dossier", _("Tiếp nhận hồ sơ")


TRANSITIONS: dict[tuple[str, str], str] = {
    (TicketStatus.WAITING, TicketAction.CALL): TicketStatus.CALLED,
    (TicketStatus.WAITING, TicketAction.CANCEL): TicketStatus.CANCELLED,
    (TicketStatus.CALLED, TicketAction.RECALL): TicketStatus.CALLED,
    (TicketStatus.CALLED, TicketAction.START): TicketStatus.SERVING,
    (TicketStatus.CALLED, TicketAction.SKIP): TicketStatus.NO_SHOW,
    (TicketStatus.CALLED, TicketAction.TRANSFER): TicketStatus.WAITING,
    (TicketStatus.SERVING, TicketAction.END): TicketStatus.DONE,
    (TicketStatus.SERVING, TicketAction.TRANSFER): TicketStatus.WAITING,
    (TicketStatus.SERVING, TicketAction.LINK_DOSSIER): TicketStatus.SERVING,
}


class Priority(models.TextChoices):
    """Who is served first. Người cao tuổi (Luật Người cao tuổi 2009, Điều 10), người khuyết tật
    (Luật Người khuyết tật 2010, Điều 16: ưu tiên khi sử dụng dịch vụ công), phụ nữ có thai,
    người có công với cách mạng (Pháp lệnh Ưu đãi người có công 2020)."""

    NONE = "", _("Không ưu tiên")
    ELDERLY = "elderly", _("Người cao tuổi")
    DISABLED = "disabled", _("Người khuyết tật")
    PREGNANT = "pregnant", _("Phụ nữ có thai, người bế con nhỏ")
    MERIT = "merit", _("Người có công với cách mạng")


class Source(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    PHONE = "phone", _("Điện thoại (mã QR tại cửa)")
    DESK = "desk", _("Bàn hướng dẫn")
    APPOINTMENT = "appointment", _("Lịch hẹn")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Đã đặt")
    CHECKED_IN = "checked_in", _("Đã đến")
    NO_SHOW = "no_show", _("Không đến")
    CANCELLED = "cancelled", _("Đã hủy")


class QueueError(DomainError):
    """A refused queue action, with a Vietnamese message for the person who asked."""


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``, or a QueueError saying why not."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise QueueError(
            _("Không thể “%(action)s” khi số đang ở trạng thái “%(status)s”.")
            % {"action": TicketAction(action).label, "status": TicketStatus(status).label}
        ) from None
