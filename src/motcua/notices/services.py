"""The only writers of notices: queue them with the officer's action, send them after commit.

``queue_for_event`` runs inside the caller's transaction (the action's ``transaction.atomic()``),
so a rolled-back action leaves no notice behind; it registers an attempt to send right after
the commit, and ``motcua notices send`` (cron or a systemd timer, every minute) retries the
rest with backoff. A notice must never cost the officer their action: queueing works in a
savepoint and swallows its own failures, sending happens after the commit.

Nothing here logs a recipient, a name or a message body (NĐ 13/2023/NĐ-CP): logs carry notice
and dossier ids only, and error texts are scrubbed of addresses and phone numbers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.dossiers.events import Recorded
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import DossierStatus, EventAction, ResultDelivery
from motcua.notices.models import Notice
from motcua.notices.senders import Sender, SendError, configured_senders
from motcua.notices.states import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    SECRET_KINDS,
    TO_SEND,
    WIPED_BODY,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
    backoff_after,
)

logger = logging.getLogger("motcua.notices")

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_ERROR = 500
# An SMS is read on a small screen and billed per segment: the officer's note is cut there.
SHORT_NOTE = 160
# A supplement request's list of missing components may take a few more segments: it is what
# the applicant must bring. The e-mail and the tracking page always carry the whole list.
SHORT_MISSING = 320

KIND_BY_ACTION: dict[str, str] = {
    EventAction.RECEIVE: NoticeKind.ACCEPTED,
    EventAction.ACCEPT: NoticeKind.ACCEPTED,
    EventAction.REQUEST_SUPPLEMENT: NoticeKind.SUPPLEMENT_REQUESTED,
    EventAction.REFUSE: NoticeKind.REFUSED,
    EventAction.MARK_RESULT_READY: NoticeKind.RESULT_READY,
    EventAction.SIGN: NoticeKind.RESULT_READY,
    EventAction.RESCHEDULE: NoticeKind.APOLOGY,
}

# Both phone channels read the applicant's phone number.
PHONE_CHANNELS = (NoticeChannel.SMS, NoticeChannel.ZALO)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # the full letter, for e-mail
    short: str  # one paragraph, for SMS and Zalo


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0  # claimed by another worker meanwhile


# --- queueing -----------------------------------------------------------------------------


def follow_event(recorded: Recorded) -> None:
    """The spine's outbox subscriber: queue notices for the steps the applicant is told about.

    Only announced events (the receipt and an officer's action) may notify; a digitized or
    reused component, a payment or a rating never does, and neither does an imported history
    (exchange writes its events in bulk, without the spine).
    """
    if recorded.announce:
        # The spine publishes an event right after inserting it, in the same transaction: no
        # notice can point at it yet, so the duplicate check has nothing to find.
        queue_for_event(recorded.event, just_recorded=True)


def queue_for_event(
    event: DossierEvent,
    *,
    senders: dict[str, Sender] | None = None,
    just_recorded: bool = False,
) -> list[Notice]:
    """Queue the notices an event calls for; never raises (the officer's action comes first).

    Queueing an event again queues only the channels it has no notice for yet, unless
    ``just_recorded`` says the event was inserted in this transaction a moment ago.
    """
    kind = KIND_BY_ACTION.get(event.action)
    if kind is None or (
        # A registration nobody has checked yet ("Mới đăng ký", the kiosk's) is not received:
        # the applicant hears "đã được tiếp nhận" when reception accepts it.
        event.action == EventAction.RECEIVE and event.to_status == DossierStatus.SUBMITTED
    ):
        return []
    try:
        # A savepoint: a failure here rolls back our rows only, not the caller's action.
        with transaction.atomic():
            notices = _queue(
                event,
                kind,
                configured_senders() if senders is None else senders,
                just_recorded=just_recorded,
            )
    except Exception as exc:
        logger.error(
            "notices for event %s of dossier %s were not queued: %s",
            event.pk,
            event.dossier_id,
            describe_error(exc),
        )
        return []
    if notices:
        ids = [notice.pk for notice in notices]
        transaction.on_commit(partial(_dispatch_after_commit, ids, event.at), robust=True)
        logger.info(
            "queued %s notice(s) %s for dossier %s (%s)", len(ids), ids, event.dossier_id, kind
        )
    return notices


def _queue(
    event: DossierEvent, kind: str, senders: dict[str, Sender], *, just_recorded: bool
) -> list[Notice]:
    dossier = event.dossier
    targets: list[tuple[str, str]] = []
    if dossier.applicant_email and NoticeChannel.EMAIL in senders:
        targets.append((NoticeChannel.EMAIL, dossier.applicant_email))
    if dossier.applicant_phone:
        targets += [(ch, dossier.applicant_phone) for ch in PHONE_CHANNELS if ch in senders]
    if not targets:
        return []
    already = (
        set()
        if just_recorded
        else set(Notice.objects.filter(event=event).values_list("channel", flat=True))
    )
    message = compose(kind, dossier, event)
    notices = []
    for channel, recipient in targets:
        if channel in already:
            continue
        notices.append(
            Notice.objects.create(
                dossier=dossier,
                event=event,
                kind=kind,
                channel=channel,
                recipient=recipient,
                subject=message.subject[:255],
                body=message.body if channel == NoticeChannel.EMAIL else message.short,
                status=NoticeStatus.PENDING,
                next_attempt_at=event.at,
                created_at=event.at,
            )
        )
    return notices


def queue_message(
    *,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
) -> Notice:
    """Queue one message that belongs to no dossier (the portal's sign-in code), sent after the
    commit like every notice. Runs in the caller's transaction; raises ``SendError`` when the
    channel has no configured sender (the caller tells the citizen to use another address).
    A secret body (a one-time code) is wiped once sent, or by ``wipe_expired_secrets``.
    """
    if channel not in configured_senders():
        raise SendError(_("Kênh %(channel)s chưa được cấu hình.") % {"channel": channel})
    notice = Notice.objects.create(
        dossier=None,
        event=None,
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=subject[:255],
        body=body,
        status=NoticeStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(partial(_dispatch_after_commit, [notice.pk], now), robust=True)
    logger.info("queued notice %s (%s, %s)", notice.pk, kind, channel)
    return notice


def wipe_expired_secrets(*, older_than: datetime) -> int:
    """Blank the body of secret notices created before ``older_than`` and stop retrying them:
    a sign-in code that could not be sent in its lifetime is of no use to anybody."""
    return (
        Notice.objects.filter(kind__in=SECRET_KINDS, created_at__lt=older_than)
        .exclude(body=WIPED_BODY)
        .update(
            body=WIPED_BODY,
            status=models.Case(
                models.When(status=NoticeStatus.SENT, then=models.Value(NoticeStatus.SENT)),
                default=models.Value(NoticeStatus.GAVE_UP),
            ),
        )
    )


# --- the messages -------------------------------------------------------------------------


def queue_slip_link(
    dossier: Dossier,
    *,
    channel: str,
    recipient: str,
    link: str,
    now: datetime,
) -> Notice:
    """The slip's link for a citizen at a kiosk without a printer, sent after the commit.

    Runs in the caller's transaction like the other notices; the citizen typed the recipient
    on the kiosk for this one message (it is not stored on the dossier).
    """
    with translation.override("vi"):
        c = {
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "due": format_local(dossier.due_at),
            "link": link,
        }
        subject = _("Phiếu hẹn hồ sơ %(code)s") % c
        short = _("Hồ sơ %(code)s đã nộp tại kiosk. Phiếu hẹn và tình trạng: %(link)s") % c
        paragraphs = [
            _("Hồ sơ %(code)s (%(procedure)s) đã được nộp tại kiosk.") % c,
            (_("Hẹn trả kết quả: %(due)s.") % c) if c["due"] else "",
            _("Xem phiếu hẹn và tình trạng hồ sơ: %(link)s") % c,
        ]
        body = "\n\n".join(p for p in paragraphs if p) + "\n"
    notice = Notice.objects.create(
        dossier=dossier,
        kind=NoticeKind.SLIP_LINK,
        channel=channel,
        recipient=recipient,
        subject=subject[:255],
        body=body if channel == NoticeChannel.EMAIL else short,
        status=NoticeStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(partial(_dispatch_after_commit, [notice.pk], now), robust=True)
    logger.info("queued slip link notice %s for dossier %s", notice.pk, dossier.pk)
    return notice


# --- the messages -------------------------------------------------------------------------


def format_local(moment: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam's time, whatever the server's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def tracking_url(code: str) -> str:
    public = (getattr(settings, "MOTCUA_PUBLIC_URL", "") or "").rstrip("/")
    return f"{public}{reverse('dossiers:track', args=[code])}" if public else ""


def _parse(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compose(kind: str, dossier: Dossier, event: DossierEvent) -> Message:
    """The Vietnamese text of a notice; always in Vietnamese, whatever the request's language."""
    with translation.override("vi"):
        return _COMPOSERS[kind](dossier, event, _context(dossier, event))


def _context(dossier: Dossier, event: DossierEvent) -> dict[str, str]:
    url = tracking_url(dossier.code)
    return {
        "code": dossier.code,
        "name": dossier.applicant_name,
        "procedure": dossier.procedure.name,
        "center": dossier.center.name,
        "received": format_local(dossier.received_at),
        "due": format_local(dossier.due_at),
        "note": " ".join((event.note or "").split()),
        "short_note": _cut(event.note or "", SHORT_NOTE),
        "track_line": (_("Tra cứu tình trạng hồ sơ: %(url)s") % {"url": url}) if url else "",
        "track_short": (_(" Tra cứu: %(url)s") % {"url": url}) if url else "",
    }


def _letter(c: dict[str, str], *paragraphs: str) -> str:
    parts = [_("Kính gửi ông/bà %(name)s,") % c, *paragraphs]
    if c["track_line"]:
        parts.append(c["track_line"])
    parts.append(
        _("%(center)s\nThư này được gửi tự động, xin ông/bà vui lòng không trả lời thư.") % c
    )
    return "\n\n".join(p for p in parts if p) + "\n"


def _accepted(dossier: Dossier, event: DossierEvent, c: dict[str, str]) -> Message:
    due = (
        _("Hẹn trả kết quả: %(due)s.") % c
        if c["due"]
        else _("Thời hạn giải quyết: theo quy định của thủ tục.")
    )
    return Message(
        subject=_("Hồ sơ %(code)s đã được tiếp nhận") % c,
        body=_letter(
            c,
            _(
                "Hồ sơ %(code)s (thủ tục “%(procedure)s”) đã được tiếp nhận lúc %(received)s "
                "tại %(center)s."
            )
            % c,
            due,
        ),
        short=(
            _("Hồ sơ %(code)s đã được tiếp nhận, hẹn trả kết quả %(due)s.") % c
            if c["due"]
            else _("Hồ sơ %(code)s đã được tiếp nhận.") % c
        )
        + c["track_short"],
    )


def _supplement(dossier: Dossier, event: DossierEvent, c: dict[str, str]) -> Message:
    # Mẫu 02: the applicant is told each missing component, by name, on every channel.
    missing = [" ".join(str(item).split()) for item in (event.data or {}).get("missing") or []]
    listed = "\n".join(f"- {item}" for item in missing)
    what = []
    if missing:
        what.append(_("Thành phần hồ sơ cần bổ sung, hoàn thiện:") + "\n" + listed)
    if c["note"]:
        what.append(
            (
                _("Nội dung cần bổ sung khác, hướng dẫn: %(note)s")
                if missing
                else _("Nội dung cần bổ sung: %(note)s")
            )
            % c
        )
    short_what = "; ".join([*missing, *([c["note"]] if c["note"] else [])])
    return Message(
        subject=_("Hồ sơ %(code)s cần bổ sung, hoàn thiện") % c,
        body=_letter(
            c,
            _("Hồ sơ %(code)s (thủ tục “%(procedure)s”) cần được bổ sung, hoàn thiện.") % c,
            *what,
            _(
                "Kính mời ông/bà nộp bổ sung tại %(center)s. Thời gian chờ bổ sung không tính "
                "vào thời hạn giải quyết; ngày hẹn trả kết quả được tính lại khi nhận đủ hồ sơ."
            )
            % c,
        ),
        short=_(
            "Hồ sơ %(code)s cần bổ sung: %(short_note)s. Mời ông/bà nộp bổ sung tại %(center)s."
        )
        % {**c, "short_note": _cut(short_what, SHORT_MISSING if missing else SHORT_NOTE)}
        + c["track_short"],
    )


def _refused(dossier: Dossier, event: DossierEvent, c: dict[str, str]) -> Message:
    return Message(
        subject=_("Hồ sơ %(code)s không được tiếp nhận") % c,
        body=_letter(
            c,
            _(
                "%(center)s thông báo: hồ sơ %(code)s (thủ tục “%(procedure)s”) không được "
                "tiếp nhận, giải quyết."
            )
            % c,
            _("Lý do: %(note)s") % c,
            _("Ông/bà có thể liên hệ Trung tâm để được hướng dẫn."),
        ),
        short=_("Hồ sơ %(code)s không được tiếp nhận. Lý do: %(short_note)s") % c
        + c["track_short"],
    )


def _result_ready(dossier: Dossier, event: DossierEvent, c: dict[str, str]) -> Message:
    if dossier.result_delivery == ResultDelivery.POSTAL:
        how = _("Kết quả sẽ được gửi đến ông/bà qua dịch vụ bưu chính công ích.")
        how_short = _("Kết quả sẽ được gửi qua bưu chính.")
    elif dossier.result_delivery == ResultDelivery.ONLINE:
        how = _("Kết quả được trả trực tuyến theo hình thức ông/bà đã đăng ký.")
        how_short = _("Kết quả được trả trực tuyến.")
    else:
        how = (
            _(
                "Kính mời ông/bà đến nhận kết quả tại %(center)s trong giờ làm việc, mang theo "
                "Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
            )
            % c
        )
        how_short = _("Kính mời ông/bà đến nhận kết quả tại %(center)s.") % c
    return Message(
        subject=_("Hồ sơ %(code)s đã có kết quả") % c,
        body=_letter(c, _("Hồ sơ %(code)s (thủ tục “%(procedure)s”) đã có kết quả.") % c, how),
        short=_("Hồ sơ %(code)s đã có kết quả.") % c + " " + how_short + c["track_short"],
    )


def _apology(dossier: Dossier, event: DossierEvent, c: dict[str, str]) -> Message:
    # Mẫu 04: the apology states the reason for the delay and the new appointment.
    old = format_local(_parse((event.data or {}).get("due_before")))
    new = format_local(_parse((event.data or {}).get("due_after")) or dossier.due_at)
    c = {**c, "old": old, "new": new}
    late = (
        _(
            "%(center)s thành thật xin lỗi ông/bà: hồ sơ %(code)s (thủ tục “%(procedure)s”) "
            "chưa giải quyết xong theo hẹn %(old)s."
        )
        if old
        else _(
            "%(center)s thành thật xin lỗi ông/bà: hồ sơ %(code)s (thủ tục “%(procedure)s”) "
            "chưa giải quyết xong theo hẹn."
        )
    ) % c
    return Message(
        subject=_("Xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s") % c,
        body=_letter(
            c,
            late,
            _("Lý do: %(note)s") % c,
            _("Thời gian hẹn trả kết quả mới: %(new)s.") % c,
            _("Mong ông/bà thông cảm."),
        ),
        short=_(
            "Xin lỗi ông/bà: hồ sơ %(code)s chưa có kết quả đúng hẹn. Hẹn trả kết quả mới: %(new)s."
        )
        % c
        + c["track_short"],
    )


_COMPOSERS: dict[str, Callable[[Dossier, DossierEvent, dict[str, str]], Message]] = {
    NoticeKind.ACCEPTED: _accepted,
    NoticeKind.SUPPLEMENT_REQUESTED: _supplement,
    NoticeKind.REFUSED: _refused,
    NoticeKind.RESULT_READY: _result_ready,
    NoticeKind.APOLOGY: _apology,
}


# --- sending ------------------------------------------------------------------------------


def dispatch_pending(
    ids: Iterable[int] | None = None,
    *,
    now: datetime,
    senders: dict[str, Sender] | None = None,
    limit: int = 200,
) -> DispatchReport:
    """Send the notices due at ``now`` (only ``ids`` when given), each attempt on its own.

    An attempt is two small transactions around the send: the first claims the notice (counts
    the attempt and moves ``next_attempt_at`` past a lease, under ``SELECT … FOR UPDATE SKIP
    LOCKED`` on PostgreSQL so two workers never take the same row), the second records the
    outcome. The network call itself holds no lock: on SQLite a write lock held during a slow
    SMTP exchange would stall every officer's action.
    """
    senders = configured_senders() if senders is None else senders
    due = Notice.objects.filter(status__in=TO_SEND, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    report = DispatchReport()
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        notice = _claim(pk, now)
        if notice is None:
            report.skipped += 1
            continue
        outcome = _attempt(notice, senders, now)
        if outcome == NoticeStatus.SENT:
            report.sent += 1
        elif outcome == NoticeStatus.GAVE_UP:
            report.gave_up += 1
        else:
            report.failed += 1
    return report


def _claim(pk: int, now: datetime) -> Notice | None:
    with transaction.atomic():
        rows = Notice.objects.filter(pk=pk, status__in=TO_SEND, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        notice = rows.first()
        if notice is None:
            return None
        notice.attempts += 1
        notice.next_attempt_at = now + CLAIM_LEASE
        notice.save(update_fields=["attempts", "next_attempt_at"])
        return notice


def _attempt(notice: Notice, senders: dict[str, Sender], now: datetime) -> str:
    sender = senders.get(notice.channel)
    try:
        if sender is None:
            raise SendError(_("Kênh %(channel)s chưa được cấu hình.") % {"channel": notice.channel})
        sender.send(notice.recipient, notice.subject, notice.body)
    except Exception as exc:
        error = describe_error(exc, notice.recipient)
        status = NoticeStatus.GAVE_UP if notice.attempts >= MAX_ATTEMPTS else NoticeStatus.FAILED
        with transaction.atomic():
            Notice.objects.filter(pk=notice.pk).update(
                status=status,
                last_error=error,
                next_attempt_at=now + backoff_after(notice.attempts),
            )
        logger.warning(
            "notice %s (dossier %s, %s) attempt %s failed, %s: %s",
            notice.pk,
            notice.dossier_id,
            notice.channel,
            notice.attempts,
            status,
            error,
        )
        return status
    with transaction.atomic():
        sent = {"status": NoticeStatus.SENT, "sent_at": now, "last_error": ""}
        if notice.kind in SECRET_KINDS:
            # A one-time code must not wait in the outbox once it has left.
            sent["body"] = WIPED_BODY
        Notice.objects.filter(pk=notice.pk).update(**sent)
    logger.info(
        "notice %s (dossier %s, %s) sent on attempt %s",
        notice.pk,
        notice.dossier_id,
        notice.channel,
        notice.attempts,
    )
    return NoticeStatus.SENT


def _dispatch_after_commit(ids: list[int], event_at: datetime) -> None:
    """After the commit: hand the rows to this process's courier (``courier.py``), or send them
    here (``inline``), or leave them to ``motcua notices send`` (``cron``)."""
    from motcua.notices.courier import courier, delivery_mode

    mode = delivery_mode()
    if mode == "cron":
        return
    if mode == "background":
        courier.submit(ids, event_at)
        return
    # The first moment after the commit is this callback's "now" (an edge, like a cron run);
    # an event stamped ahead of the wall clock still gets its first try.
    try:
        dispatch_pending(ids, now=max(timezone.now(), event_at))
    except Exception as exc:
        logger.error("sending notices %s after commit failed: %s", ids, describe_error(exc))


def retry_now(ids: Iterable[int], *, now: datetime) -> int:
    """Put unsent notices back in the queue for an immediate try (the admin's "Gửi lại ngay")."""
    ids = list(ids)
    count = (
        Notice.objects.filter(pk__in=ids)
        .exclude(status=NoticeStatus.SENT)
        .update(status=NoticeStatus.PENDING, next_attempt_at=now)
    )
    if count:
        transaction.on_commit(partial(_dispatch_after_commit, ids, now), robust=True)
    return count


# --- errors without personal data ---------------------------------------------------------

_EMAIL = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+")
_PHONE = re.compile(r"\+?\d[\d .\-]{6,}\d")


def describe_error(exc: BaseException, recipient: str = "") -> str:
    """A short error text with any address or phone number replaced by ``***``."""
    text = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
    if recipient:
        text = text.replace(recipient, "***")
    text = _PHONE.sub("***", _EMAIL.sub("***", text))
    text = " ".join(text.split())
    return text[:MAX_ERROR] or type(exc).__name__
