"""The only writers of ratings and feedback. Callers run each call inside ``transaction.atomic()``.

Ratings: a dossier's rating goes through ``dossiers.settlement.record_rating`` (once per dossier,
only after a result, a refusal or a stop), which appends the ``rate`` event KPI 5.4 counts; the
comment and where it was given are kept beside it in ``ServiceRating``. A rating tablet rates
the visit that just ended at its counter (one rating per ticket), and the dossier too when the
ticket brought one that already has its result.

Feedback (phản ánh, kiến nghị): deadlines per kind in working days from ``motcua.workcalendar``;
see ``ANSWER_WORKING_DAYS`` for the rule and what the law could not be confirmed to say.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.centers.models import Center
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.dossiers.settlement import RATEABLE_STATUSES, record_rating
from motcua.dossiers.states import EventAction, Rating, Role
from motcua.eforms.uploads import CheckedFile
from motcua.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackEvent,
    RatingDevice,
    ServiceRating,
)
from motcua.feedback.states import (
    TRANSITIONS,
    FeedbackAction,
    FeedbackKind,
    RatingSource,
)
from motcua.queue.models import Ticket
from motcua.queue.states import TicketStatus
from motcua.workcalendar.services import WorkCalendar

logger = logging.getLogger("motcua.feedback")

MAX_COMMENT = 1000
MAX_SUBJECT = 200
MAX_BODY = 4000
MAX_ATTACHMENTS = 3
# A tablet offers the faces for the visit that ended at its counter in the last minutes only:
# the next citizen must not rate the previous one's visit an hour later.
TABLET_WINDOW = timedelta(minutes=10)

# Deadlines of feedback, in working days (motcua.workcalendar: weekends, holidays, overrides).
# What the law says could not be read: Nghị định 20/2008/NĐ-CP (phản ánh, kiến nghị về quy định
# hành chính, amended by NĐ 92/2017/NĐ-CP, which added feedback on the conduct of officials
# handling procedures) and Luật Tiếp công dân 2013 set the legal limits, but their article text
# was not in the reference material searched on 2026-12-07 (docs/feedback.md), so no figure from
# them is claimed here. The defaults are the thresholds QĐ 766/QĐ-TTg index 5.2 ("PAKN được xử
# lý đúng hạn", docs/kpi.md) measures: refusal or transfer within 2 working days, handling
# within 15. A province sets its own per kind with MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS (one
# number for every kind, or {"complaint": n, "suggestion": m}).
# A khiếu nại is not a kind here: Luật Khiếu nại 2011 gives it its own procedure and limits
# (counted in days from its acceptance, not in working days from receipt), decided by the
# authority whose decision or act is contested, not by the center's feedback queue.
TRIAGE_WORKING_DAYS = 2
ANSWER_WORKING_DAYS: dict[str, int] = {FeedbackKind.COMPLAINT: 15, FeedbackKind.SUGGESTION: 15}
MAX_ANSWER_WORKING_DAYS = 90


class FeedbackError(DomainError):
    """A refused rating or feedback action, with its HTTP status and a Vietnamese message."""


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("feedback services run inside the caller's transaction.atomic()")


def clean_text(text: str) -> str:
    """NFC, trimmed. Unsafe characters are refused earlier, by the forms (core.text)."""
    return unicodedata.normalize("NFC", text or "").strip()


def _comment(text: str) -> str:
    return clean_text(text)[:MAX_COMMENT]


# --- ratings ------------------------------------------------------------------------------


def can_rate(dossier: Dossier) -> bool:
    """Whether the tracking page and the kiosk offer the faces for this dossier."""
    return (
        dossier.status in RATEABLE_STATUSES
        and not dossier.events.filter(action=EventAction.RATE).exists()
    )


def rate_dossier(
    dossier: Dossier,
    *,
    rating: str,
    comment: str = "",
    source: str,
    actor: str,
    now: datetime,
) -> ServiceRating:
    """The citizen's one rating of a dossier; ``SettlementError`` (409) when refused."""
    _require_atomic()
    if rating not in Rating.values:
        raise FeedbackError(_("Xin chọn một mức đánh giá."), 400)
    event = record_rating(dossier.pk, rating=rating, actor=actor, at=now)
    return ServiceRating.objects.create(
        center_id=dossier.center_id,
        rating=rating,
        comment=_comment(comment),
        source=source,
        dossier=dossier,
        event=event,
        created_at=now,
    )


def pending_visit(device: RatingDevice, *, now: datetime) -> Ticket | None:
    """The visit the tablet asks about: the last ticket its counter finished, not yet rated."""
    ticket = (
        Ticket.objects.filter(
            counter_id=device.counter_id,
            center_id=device.center_id,
            status=TicketStatus.DONE,
            ended_at__gte=now - TABLET_WINDOW,
            ended_at__lte=now,
        )
        .order_by("-ended_at", "-pk")
        .first()
    )
    if ticket is None or ServiceRating.objects.filter(ticket=ticket).exists():
        return None
    return ticket


def rate_visit(
    device: RatingDevice, ticket_id: int, *, rating: str, now: datetime
) -> ServiceRating:
    """A tap on the tablet: the visit's rating, and the dossier's when it can be rated."""
    _require_atomic()
    if rating not in Rating.values:
        raise FeedbackError(_("Xin chọn một mức đánh giá."), 400)
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    pending = pending_visit(device, now=now)
    # Only the visit the tablet shows may be rated from it: a ticket of another counter or
    # center, an old one or one already rated are all the same refusal.
    if ticket is None or pending is None or pending.pk != ticket.pk:
        raise FeedbackError(_("Lượt phục vụ này đã được đánh giá hoặc đã hết thời gian."))
    row = ServiceRating(
        center_id=device.center_id,
        rating=rating,
        source=RatingSource.TABLET,
        ticket=ticket,
        counter_id=ticket.counter_id,
        officer_id=ticket.officer_id,
        device=device,
        created_at=now,
    )
    if ticket.dossier_id is not None:
        dossier = Dossier.objects.get(pk=ticket.dossier_id)
        already = ServiceRating.objects.filter(dossier=dossier).exists()
        if can_rate(dossier) and not already and now >= dossier.received_at:
            row.event = record_rating(dossier.pk, rating=rating, actor=device.actor, at=now)
            row.dossier = dossier
    row.save()
    return row


# --- feedback -----------------------------------------------------------------------------

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_reference(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%y%m%d")
    while True:
        tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        reference = f"PAKN-{day}-{tail}"
        if not Feedback.objects.filter(reference=reference).exists():
            return reference


def answer_working_days(kind: str) -> int:
    """The working days to answer feedback of ``kind``; ImproperlyConfigured for a bad setting
    (the system check ``feedback.E001`` reports it at start-up, before any citizen meets it)."""
    if kind not in ANSWER_WORKING_DAYS:
        raise ValueError(f"unknown feedback kind {kind!r}")
    configured = getattr(settings, "MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS", None)
    if isinstance(configured, dict):
        unknown = set(configured) - set(ANSWER_WORKING_DAYS)
        if unknown:
            raise ImproperlyConfigured(
                f"MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS: unknown kind(s) {sorted(unknown)}"
            )
        value = configured.get(kind, ANSWER_WORKING_DAYS[kind])
    else:
        value = ANSWER_WORKING_DAYS[kind] if configured is None else configured
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImproperlyConfigured(
            f"MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS[{kind}] must be a whole number of working days"
        )
    if not 1 <= value <= MAX_ANSWER_WORKING_DAYS:
        raise ImproperlyConfigured(
            f"MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS[{kind}] must be 1 to {MAX_ANSWER_WORKING_DAYS}"
        )
    return value


def deadlines(received_at: datetime, kind: str, *, calendar: WorkCalendar | None = None):
    """(triage due, answer due) for feedback of ``kind`` received at ``received_at``."""
    calendar = calendar or WorkCalendar.from_db()
    return (
        calendar.due_at(received_at, TRIAGE_WORKING_DAYS, "working_days"),
        calendar.due_at(received_at, answer_working_days(kind), "working_days"),
    )


def submit_feedback(
    *,
    center: Center,
    kind: str,
    subject: str,
    body: str,
    dossier: Dossier | None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    files: Sequence[CheckedFile] = (),
    actor: str = "citizen",
    now: datetime,
) -> Feedback:
    _require_atomic()
    if kind not in FeedbackKind.values:
        raise FeedbackError(_("Xin chọn loại: phản ánh hoặc kiến nghị."), 400)
    if dossier is not None and dossier.center_id != center.pk:
        raise FeedbackError(_("Hồ sơ không thuộc trung tâm đã chọn."), 400)
    if len(files) > MAX_ATTACHMENTS:
        raise FeedbackError(_("Đính kèm tối đa %(n)d tệp.") % {"n": MAX_ATTACHMENTS}, 400)
    triage_due, due = deadlines(now, kind)
    feedback = Feedback.objects.create(
        center=center,
        reference=_new_reference(now),
        kind=kind,
        subject=clean_text(subject)[:MAX_SUBJECT],
        body=clean_text(body)[:MAX_BODY],
        dossier=dossier,
        contact_name=clean_text(contact_name)[:100],
        contact_phone=contact_phone,
        contact_email=contact_email,
        received_at=now,
        triage_due_at=triage_due,
        due_at=due,
    )
    for checked in files:
        attachment = FeedbackAttachment(
            feedback=feedback,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        checked.file.seek(0)
        attachment.file.save("upload", checked.file, save=False)
        attachment.save()
    _log(feedback, FeedbackAction.RECEIVE, "", actor=actor, now=now)
    _notify(feedback, received=True, now=now)
    return feedback


def _log(feedback: Feedback, action: str, previous: str, *, actor: str, now, note="", data=None):
    FeedbackEvent.objects.create(
        feedback=feedback,
        action=action,
        from_status=previous,
        to_status=feedback.status,
        actor=actor,
        at=now,
        note=note,
        data=data or {},
    )


def _move(feedback: Feedback, action: str) -> str:
    previous = feedback.status
    following = TRANSITIONS.get((previous, action))
    if following is None:
        raise FeedbackError(
            _("Không thể “%(action)s” khi phản ánh đang ở trạng thái “%(status)s”.")
            % {
                "action": FeedbackAction(action).label,
                "status": feedback.get_status_display(),
            }
        )
    feedback.status = following
    return previous


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


def officer_actor(user) -> str:
    return f"user:{user.pk}"


def handlers(center_id: int):
    """Officers of the center who may be given a feedback to handle."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__center_id=center_id,
            membership__is_active=True,
            membership__role__in=[Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CENTER_ADMIN],
        )
        .order_by("last_name", "first_name", "username")
    )


def assign(feedback: Feedback, assignee_id, *, by, now: datetime) -> Feedback:
    _require_atomic()
    feedback = _locked(feedback)
    assignee = handlers(feedback.center_id).filter(pk=assignee_id).first()
    if assignee is None:
        raise FeedbackError(_("Xin chọn một cán bộ của trung tâm."), 400)
    previous = _move(feedback, FeedbackAction.ASSIGN)
    feedback.assignee = assignee
    feedback.save(update_fields=["status", "assignee"])
    _log(
        feedback,
        FeedbackAction.ASSIGN,
        previous,
        actor=officer_actor(by),
        now=now,
        data={"assignee": assignee.pk},
    )
    return feedback


def answer(feedback: Feedback, text: str, *, by, now: datetime) -> Feedback:
    _require_atomic()
    text = clean_text(text or "").strip()[:MAX_BODY]
    if len(text) < 10:
        raise FeedbackError(_("Xin viết nội dung trả lời (ít nhất 10 ký tự)."), 400)
    feedback = _locked(feedback)
    previous = _move(feedback, FeedbackAction.ANSWER)
    feedback.answer = text
    feedback.answered_at = now
    feedback.save(update_fields=["status", "answer", "answered_at"])
    _log(
        feedback,
        FeedbackAction.ANSWER,
        previous,
        actor=officer_actor(by),
        now=now,
        data={"on_time": now <= feedback.due_at},
    )
    _notify(feedback, received=False, now=now)
    return feedback


def close(feedback: Feedback, *, by, now: datetime, note: str = "") -> Feedback:
    _require_atomic()
    feedback = _locked(feedback)
    previous = _move(feedback, FeedbackAction.CLOSE)
    feedback.closed_at = now
    feedback.save(update_fields=["status", "closed_at"])
    _log(
        feedback,
        FeedbackAction.CLOSE,
        previous,
        actor=officer_actor(by),
        now=now,
        note=clean_text(note or "")[:500],
    )
    return feedback


def status_url(feedback: Feedback) -> str:
    path = reverse("feedback:status", args=[feedback.token])
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "").rstrip("/")
    return f"{public}{path}"


def _notify(feedback: Feedback, *, received: bool, now: datetime) -> None:
    """A message to the contact the citizen gave, if any; a channel without a sender is skipped
    (the citizen still has the status page), and a failure never costs the officer's action."""
    from motcua.notices.senders import SendError
    from motcua.notices.services import queue_message
    from motcua.notices.states import NoticeChannel, NoticeKind

    if not feedback.has_contact:
        return
    url = status_url(feedback)
    if received:
        kind = NoticeKind.FEEDBACK_RECEIVED
        subject = _("Đã tiếp nhận phản ánh, kiến nghị %(ref)s") % {"ref": feedback.reference}
        body = _(
            "%(center)s đã tiếp nhận phản ánh, kiến nghị số %(ref)s. Hạn trả lời: %(due)s. "
            "Xem tình trạng tại %(url)s"
        ) % {
            "center": feedback.center.name,
            "ref": feedback.reference,
            "due": timezone.localtime(feedback.due_at).strftime("%d/%m/%Y"),
            "url": url,
        }
    else:
        kind = NoticeKind.FEEDBACK_ANSWERED
        subject = _("Trả lời phản ánh, kiến nghị %(ref)s") % {"ref": feedback.reference}
        body = _("%(center)s đã trả lời phản ánh, kiến nghị số %(ref)s. Xem tại %(url)s") % {
            "center": feedback.center.name,
            "ref": feedback.reference,
            "url": url,
        }
    targets = []
    if feedback.contact_email:
        targets.append((NoticeChannel.EMAIL, feedback.contact_email))
    if feedback.contact_phone:
        targets += [(c, feedback.contact_phone) for c in (NoticeChannel.SMS, NoticeChannel.ZALO)]
    for channel, recipient in targets:
        try:
            with transaction.atomic():
                queue_message(
                    kind=kind,
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    now=now,
                )
        except SendError:
            continue
        except Exception:
            logger.exception("feedback %s: queueing a notice failed", feedback.pk)


def file_digest(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
