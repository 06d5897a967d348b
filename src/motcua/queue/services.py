"""The only writers of the queue: issue a number, call, recall, serve, skip, transfer, book.

Every function runs inside the caller's ``transaction.atomic()`` (the view, the API route or the
command opens it), changes one ticket under a row lock, appends one ``TicketEvent`` and
publishes it after the commit (``queue.events``): one writer, one transaction per action, like
the dossiers. A refused action raises ``QueueError`` with a Vietnamese message and changes
nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from motcua.centers.models import Center
from motcua.core.sequences import next_number
from motcua.queue import events
from motcua.queue.models import (
    Appointment,
    Counter,
    QueueSettings,
    ServiceArea,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from motcua.queue.states import (
    AppointmentStatus,
    Priority,
    QueueError,
    Source,
    TicketAction,
    TicketStatus,
    next_status,
)
from motcua.workcalendar.services import is_working_day

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Codes a citizen reads out or types: no 0/O or 1/I look-alikes.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 6


def local_day(now: datetime) -> date:
    """The queue day of ``now``: numbers restart at midnight in Vietnam, whatever the server's
    clock zone (a server in UTC would otherwise restart at 07:00)."""
    return now.astimezone(VIETNAM).date()


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue services must run inside transaction.atomic().")


def _check_open(center: Center, rules: QueueSettings, now: datetime) -> None:
    if not center.is_active:
        raise QueueError(_("Trung tâm này hiện không hoạt động."), status_code=400)
    if getattr(settings, "MOTCUA_QUEUE_ALWAYS_OPEN", False):
        return
    local = now.astimezone(VIETNAM)
    if not rules.open_on_days_off and not is_working_day(local.date()):
        raise QueueError(
            _("Hôm nay là ngày nghỉ, trung tâm không cấp số. Mời ông/bà quay lại ngày làm việc."),
            status_code=400,
        )
    opens = datetime.combine(local.date(), center.morning_start, VIETNAM) - timedelta(
        minutes=rules.open_before_minutes
    )
    closes = datetime.combine(local.date(), center.afternoon_end, VIETNAM)
    if not opens <= local < closes:
        raise QueueError(
            _("Trung tâm cấp số từ %(opens)s đến %(closes)s. Mời ông/bà quay lại trong giờ đó.")
            % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
            status_code=400,
        )


def _append(
    ticket: Ticket,
    action: str,
    *,
    from_status: str,
    actor: str,
    at: datetime,
    counter: Counter | None = None,
    data: dict | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        at=at,
        actor=actor,
        counter=counter,
        area=ticket.area,
        data=data or {},
    )
    events.publish(event)
    return event


def officer_actor(officer) -> str:
    return f"officer:{officer.get_username()}"


# --- taking a number -----------------------------------------------------------------------


def issue_ticket(
    *,
    center: Center,
    area: ServiceArea,
    source: str,
    now: datetime,
    actor: str,
    priority: str = "",
    check_open: bool = True,
) -> Ticket:
    """Hand out the area's next number of the day."""
    _require_atomic()
    if area.center_id != center.pk:
        raise QueueError(_("Khu vực này không thuộc trung tâm."), status_code=404)
    if not area.is_active:
        raise QueueError(_("Khu vực này đang tạm ngừng cấp số."), status_code=400)
    if source not in Source.values:
        raise QueueError(_("Nơi lấy số không hợp lệ."), status_code=400)
    if priority not in Priority.values:
        raise QueueError(_("Loại ưu tiên không hợp lệ."), status_code=400)
    rules = QueueSettings.for_center(center)
    if check_open:
        _check_open(center, rules, now)
    boost = timedelta(minutes=rules.priority_minutes) if priority else timedelta(0)
    day = local_day(now)
    # The number last: the sequence row stays locked only for the insert that follows.
    sequence = next_number(TicketSequence, {"center": center, "area": area, "day": day})
    if area.first_number + sequence - 1 > 9999:
        raise QueueError(_("Khu vực này đã cấp hết số của hôm nay."), status_code=400)
    ticket = Ticket.objects.create(
        center=center,
        area=area,
        issued_area=area,
        day=day,
        sequence=sequence,
        number=area.first_number + sequence - 1,
        priority=priority,
        source=source,
        status=TicketStatus.WAITING,
        issued_at=now,
        order_at=now - boost,
    )
    _append(
        ticket,
        TicketAction.ISSUE,
        from_status="",
        actor=actor,
        at=now,
        data={"source": source, "priority": priority},
    )
    return ticket


def cancel_ticket(ticket: Ticket, *, now: datetime, actor: str) -> Ticket:
    """The citizen gives up a number they no longer need (from the phone page)."""
    ticket = _locked(ticket)
    previous = ticket.status
    ticket.status = next_status(previous, TicketAction.CANCEL)
    ticket.ended_at = now
    ticket.save(update_fields=["status", "ended_at"])
    _append(ticket, TicketAction.CANCEL, from_status=previous, actor=actor, at=now)
    return ticket


# --- the counter ---------------------------------------------------------------------------


def open_counter(counter: Counter, *, officer, now: datetime) -> Counter:
    """``officer`` staffs ``counter`` today; refused while a colleague staffs it."""
    _require_atomic()
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    _check_member(counter, officer)
    if not counter.is_active:
        raise QueueError(_("Quầy này đang không dùng."), status_code=400)
    today = local_day(now)
    if (
        counter.officer_id not in (None, officer.pk)
        and counter.staffed_on == today
        and current_ticket(counter) is not None
    ):
        raise QueueError(
            _("Quầy %(counter)s đang phục vụ một công dân của cán bộ khác.")
            % {"counter": counter.number}
        )
    counter.officer = officer
    counter.staffed_on = today
    counter.paused = False
    counter.save(update_fields=["officer", "staffed_on", "paused"])
    return counter


def set_paused(counter: Counter, *, officer, paused: bool, now: datetime) -> Counter:
    counter = _own_counter(counter, officer, now)
    counter.paused = paused
    counter.save(update_fields=["paused"])
    return counter


def leave_counter(counter: Counter, *, officer, now: datetime) -> Counter:
    counter = _own_counter(counter, officer, now)
    if current_ticket(counter) is not None:
        raise QueueError(_("Hãy kết thúc số đang phục vụ trước khi rời quầy."))
    counter.officer = None
    counter.staffed_on = None
    counter.save(update_fields=["officer", "staffed_on"])
    return counter


def current_ticket(counter: Counter) -> Ticket | None:
    """The number the counter has called or is serving, if any."""
    return (
        Ticket.objects.filter(
            counter=counter, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)
        )
        .order_by("-called_at")
        .first()
    )


def call_next(
    counter: Counter, *, officer, now: datetime, expected_current: int | None = None
) -> Ticket | None:
    """Call the first waiting number of the counter's areas; None when nobody waits.

    Order: ``order_at`` (issue time moved earlier for priority and appointments), then issue
    order. ``expected_current`` is the ticket the officer's screen shows as current: a screen
    that is behind (another tab called already) is refused rather than calling twice.
    """
    counter = _own_counter(counter, officer, now)
    if counter.paused:
        raise QueueError(_("Quầy đang tạm dừng. Mở lại quầy trước khi gọi số."))
    current = current_ticket(counter)
    if current is not None:
        raise QueueError(
            _("Quầy đang có số %(number)s. Kết thúc hoặc bỏ qua số đó trước khi gọi số mới.")
            % {"number": current.number}
        )
    if expected_current is not None:
        raise QueueError(_("Màn hình đã cũ: số này đã được xử lý. Tải lại trang."))
    waiting = Ticket.objects.filter(
        center=counter.center_id,
        day=local_day(now),
        status=TicketStatus.WAITING,
        area__in=counter.areas.filter(is_active=True),
    ).order_by("order_at", "issued_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # Two counters calling at once take two different numbers instead of waiting.
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    ticket = waiting.first()
    if ticket is None:
        return None
    previous = ticket.status
    ticket.status = next_status(previous, TicketAction.CALL)
    ticket.counter = counter
    ticket.officer = officer
    ticket.called_at = now
    ticket.save(update_fields=["status", "counter", "officer", "called_at"])
    _append(
        ticket,
        TicketAction.CALL,
        from_status=previous,
        actor=officer_actor(officer),
        at=now,
        counter=counter,
    )
    return ticket


def act_on_ticket(
    ticket: Ticket,
    action: str,
    *,
    counter: Counter,
    officer,
    now: datetime,
    to_area: ServiceArea | None = None,
) -> Ticket:
    """Recall, start, end, skip or transfer the counter's current ticket."""
    counter = _own_counter(counter, officer, now)
    ticket = _locked(ticket)
    if ticket.counter_id != counter.pk or ticket.status not in (
        TicketStatus.CALLED,
        TicketStatus.SERVING,
    ):
        raise QueueError(_("Số này không còn ở quầy của bạn. Tải lại trang."))
    previous = ticket.status
    ticket.status = next_status(previous, action)
    fields = ["status"]
    data: dict = {}
    if action == TicketAction.RECALL:
        ticket.recalls += 1
        fields.append("recalls")
        data["recall"] = ticket.recalls
    elif action == TicketAction.START:
        ticket.started_at = now
        fields.append("started_at")
    elif action in (TicketAction.END, TicketAction.SKIP):
        ticket.ended_at = now
        fields.append("ended_at")
    elif action == TicketAction.TRANSFER:
        if to_area is None or to_area.center_id != ticket.center_id or not to_area.is_active:
            raise QueueError(_("Chọn một khu vực đang phục vụ của trung tâm."), status_code=400)
        if to_area.pk == ticket.area_id:
            raise QueueError(_("Số này đã ở khu vực đó."), status_code=400)
        data = {"from_area": ticket.area_id, "to_area": to_area.pk}
        # It keeps its place in line: the citizen has already waited once.
        ticket.area = to_area
        ticket.counter = None
        ticket.officer = None
        ticket.called_at = None
        ticket.started_at = None
        fields += ["area", "counter", "officer", "called_at", "started_at"]
    else:
        raise QueueError(_("Thao tác không hợp lệ."), status_code=400)
    ticket.save(update_fields=fields)
    _append(
        ticket,
        action,
        from_status=previous,
        actor=officer_actor(officer),
        at=now,
        counter=counter,
        data=data,
    )
    return ticket


def link_dossier(ticket: Ticket, dossier, *, officer, now: datetime) -> Ticket:
    """Record that the dossier was received from this ticket (walk-in intake at the counter)."""
    ticket = _locked(ticket)
    if ticket.center_id != dossier.center_id:
        raise QueueError(_("Hồ sơ và số thứ tự không cùng trung tâm."), status_code=400)
    previous = ticket.status
    ticket.status = next_status(previous, TicketAction.LINK_DOSSIER)
    ticket.dossier = dossier
    ticket.save(update_fields=["status", "dossier"])
    _append(
        ticket,
        TicketAction.LINK_DOSSIER,
        from_status=previous,
        actor=officer_actor(officer),
        at=now,
        counter=ticket.counter,
        data={"dossier": dossier.code},
    )
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    _require_atomic()
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _check_member(counter: Counter, officer) -> None:
    membership = getattr(officer, "membership", None)
    if membership is None or not membership.is_active or membership.center_id != counter.center_id:
        raise QueueError(_("Quầy này không thuộc trung tâm của bạn."), status_code=404)


def _own_counter(counter: Counter, officer, now: datetime) -> Counter:
    _require_atomic()
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    _check_member(counter, officer)
    if counter.officer_id != officer.pk or counter.staffed_on != local_day(now):
        raise QueueError(
            _("Quầy %(counter)s không phải quầy bạn đang trực hôm nay. Chọn “Nhận quầy” trước.")
            % {"counter": counter.number},
            status_code=403,
        )
    return counter


# --- appointments --------------------------------------------------------------------------


def id_number_hash(id_number: str) -> str:
    """A keyed hash of an ID number: enough to match a check-in, useless if the table leaks."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, b"appointment:" + id_number.encode("ascii"), hashlib.sha256).hexdigest()


def slot_capacity(area: ServiceArea) -> int:
    counters = area.counters.filter(is_active=True).count()
    return area.appointments_per_counter * max(counters, 1) if counters else 0


def slot_starts(area: ServiceArea, day: date) -> list[datetime]:
    """The slots of ``day`` within the center's office hours, morning and afternoon."""
    center = area.center
    step = timedelta(minutes=area.appointment_slot_minutes)
    slots = []
    for start, end in (
        (center.morning_start, center.morning_end),
        (center.afternoon_start, center.afternoon_end),
    ):
        moment = datetime.combine(day, start, VIETNAM)
        finish = datetime.combine(day, end, VIETNAM)
        while moment + step <= finish:
            slots.append(moment)
            moment += step
    return slots


def book_appointment(
    *, area: ServiceArea, starts_at: datetime, now: datetime, id_number: str = ""
) -> Appointment:
    """Book ``starts_at`` in ``area``; refused when the slot is full, past or not a slot."""
    _require_atomic()
    # Lock the area: two citizens taking the last place of a slot are served one after the other.
    area = ServiceArea.objects.select_for_update().select_related("center").get(pk=area.pk)
    if not area.is_active or not area.center.is_active or area.appointments_per_counter == 0:
        raise QueueError(_("Khu vực này không nhận đặt lịch hẹn."), status_code=400)
    local = starts_at.astimezone(VIETNAM)
    if local <= now.astimezone(VIETNAM):
        raise QueueError(_("Giờ hẹn đã qua. Chọn một giờ khác."), status_code=400)
    if local.date() > local_day(now) + timedelta(days=30):
        raise QueueError(_("Chỉ đặt lịch trong 30 ngày tới."), status_code=400)
    if not is_working_day(local.date()) or local not in slot_starts(area, local.date()):
        raise QueueError(_("Giờ này không phải một khung giờ hẹn của khu vực."), status_code=400)
    taken = Appointment.objects.filter(
        area=area,
        starts_at=local,
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
    ).count()
    if taken >= slot_capacity(area):
        raise QueueError(_("Khung giờ này đã kín chỗ. Chọn một giờ khác."), status_code=409)
    id_hash = ""
    if id_number:
        id_hash = id_number_hash(id_number)
        if Appointment.objects.filter(
            area=area,
            starts_at__date=local.date(),
            id_number_hash=id_hash,
            status=AppointmentStatus.BOOKED,
        ).exists():
            raise QueueError(
                _("Ông/bà đã có lịch hẹn ở khu vực này trong ngày đó."), status_code=409
            )
    for _attempt in range(5):
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        if not Appointment.objects.filter(center=area.center, code=code).exists():
            break
    return Appointment.objects.create(
        center=area.center,
        area=area,
        starts_at=local,
        code=code,
        id_number_hash=id_hash,
        booked_at=now,
    )


def check_in(
    *, center: Center, now: datetime, code: str = "", id_number: str = "", source: str = ""
) -> Ticket:
    """Turn today's booking into a ticket on arrival (by code or by ID number)."""
    _require_atomic()
    bookings = Appointment.objects.select_for_update().filter(
        center=center, status=AppointmentStatus.BOOKED, starts_at__date=local_day(now)
    )
    code = code.strip().upper()
    if code:
        bookings = bookings.filter(code=code)
    elif id_number:
        bookings = bookings.filter(id_number_hash=id_number_hash(id_number))
    else:
        raise QueueError(_("Nhập mã lịch hẹn hoặc số căn cước."), status_code=400)
    appointment = bookings.order_by("starts_at").first()
    if appointment is None:
        raise QueueError(
            _("Không tìm thấy lịch hẹn hôm nay với thông tin này, hoặc lịch đã quá giờ."),
            status_code=404,
        )
    rules = QueueSettings.for_center(center)
    if now > appointment.starts_at + timedelta(minutes=rules.no_show_grace_minutes):
        raise QueueError(
            _("Lịch hẹn lúc %(time)s đã quá giờ giữ chỗ. Mời ông/bà lấy số thường.")
            % {"time": appointment.starts_at.astimezone(VIETNAM).strftime("%H:%M")},
            status_code=409,
        )
    ticket = issue_ticket(
        center=center,
        area=appointment.area,
        source=Source.APPOINTMENT,
        now=now,
        actor=source or "appointment",
    )
    # Served at the booked time: ordered as if taken earlier by the appointment weight, never
    # later than the booked time itself.
    weight = timedelta(minutes=rules.appointment_minutes)
    ticket.order_at = min(now, appointment.starts_at) - weight
    ticket.save(update_fields=["order_at"])
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.checked_in_at = now
    appointment.ticket = ticket
    appointment.save(update_fields=["status", "checked_in_at", "ticket"])
    return ticket


def cancel_appointment(appointment: Appointment, *, now: datetime) -> Appointment:
    _require_atomic()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise QueueError(_("Lịch hẹn này không còn để hủy."))
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    return appointment


def release_no_shows(*, now: datetime) -> int:
    """Mark bookings past their grace period as no-shows, freeing nothing twice."""
    _require_atomic()
    released = 0
    for rules_center, grace in _grace_by_center():
        cutoff = now - timedelta(minutes=grace)
        query = Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__lt=cutoff)
        if rules_center is not None:
            query = query.filter(center_id=rules_center)
        else:
            query = query.exclude(center__queue_settings__isnull=False)
        released += query.update(status=AppointmentStatus.NO_SHOW)
    return released


def _grace_by_center() -> list[tuple[int | None, int]]:
    rows = [(s.center_id, s.no_show_grace_minutes) for s in QueueSettings.objects.all()]
    default = QueueSettings._meta.get_field("no_show_grace_minutes").default
    return [*rows, (None, default)]
