"""Back-office actions on a dossier: the only code that changes a dossier's status.

Every action goes through ``perform``: it locks the dossier row, refuses a stale page (another
officer acted since: HTTP 409, nothing overwritten), checks the transition table, applies the
action's own rule, changes the status and appends the event — all in the caller's transaction
(the view or command wraps it in ``transaction.atomic()``). The event is announced on the spine
(``dossiers.events``), where the notices app queues what the applicant is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import record_event
from motcua.dossiers.states import (
    Channel,
    DossierStatus,
    EventAction,
    Role,
    TransitionNotAllowed,
    guard,
)

MAX_NOTE = 4000


class ActionError(DomainError):
    """A request the rules refuse, with a Vietnamese message and an HTTP status."""

    status_code = 422


class StaleDossier(ActionError):
    """Another officer acted on the dossier after this page was loaded."""

    status_code = 409


@dataclass(frozen=True)
class ActionRequest:
    action: str
    role: str
    actor: str  # "user:<id>"
    seen_seq: int  # the last event the officer's page showed (optimistic concurrency)
    now: datetime
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def perform(dossier_id: int, request: ActionRequest) -> DossierEvent:
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    last_seq = dossier.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    if request.seen_seq != last_seq:
        raise StaleDossier(
            _(
                "Hồ sơ %(code)s vừa được người khác xử lý. Trang đã được tải lại với trạng thái "
                "mới nhất; xin kiểm tra rồi thao tác lại."
            )
            % {"code": dossier.code}
        )
    try:
        next_status = guard(dossier.status, request.action, request.role)
    except TransitionNotAllowed as exc:
        raise ActionError(exc.message, 409) from None
    note = " ".join((request.note or "").split())[:MAX_NOTE]
    rule = _RULES.get(request.action)
    data = rule(dossier, request, note) if rule else {}
    from_status = dossier.status
    dossier.status = next_status
    dossier.save()
    event = record_event(
        dossier,
        action=request.action,
        from_status=from_status,
        to_status=next_status,
        actor=request.actor,
        at=request.now,
        note=note,
        data=data,
        announce=True,
    )
    return event


def _require_note(note: str, what: str) -> None:
    if not note:
        raise ActionError(_("Vui lòng ghi %(what)s.") % {"what": what})


def _accept(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    """Reception has checked a registered dossier ("Mới đăng ký") and receives it.

    The dossier is received now, not when it was registered (NĐ 61/2018 Đ.15, now NĐ 118/2025:
    only a checked, complete dossier is received), so the KPI of QĐ 766 counts it from now and
    the legal clock starts now: the receipt moment and the due time are fixed here, and the
    event carries the due time as the receive event does (docs/decisions/0007). At a kiosk the
    citizen could hand in no paper; accepting the dossier is the officer's statement that the
    papers the catalog asks for were presented at the counter, so they are recorded as received
    on paper now (and the slip printed from here on lists them as received).
    """
    from motcua.dossiers.services import receipt_terms

    # An online dossier sent after office hours or on a day off is taken as received on the
    # next working day (Nghị định 45/2020/NĐ-CP on electronic procedures; article not
    # confirmed, docs/portal.md). Here the clock starts later still, at the acceptance, and the
    # calendar moves an acceptance outside office hours to the next opening (rule 1 of
    # workcalendar.services), so no day off is ever counted.
    registered_at = dossier.received_at
    dossier.received_at = request.now
    dossier.due_at = receipt_terms(dossier, request.now)
    data: dict[str, Any] = {
        "registered_at": registered_at.isoformat(),
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
    }
    if dossier.channel == Channel.KIOSK:
        data["papers_received"] = _record_papers_presented(dossier)
    return data


def _record_papers_presented(dossier: Dossier) -> list[int]:
    positions = []
    for document in dossier.documents.select_related("required_document").order_by("position"):
        catalog = document.required_document
        wanted = (catalog.originals, catalog.copies) if catalog else (0, 0)
        awaited = not document.file and not document.from_eform
        if document.provided_on_paper or document.from_eform or not (any(wanted) or awaited):
            continue
        document.provided_on_paper = True
        document.originals, document.copies = wanted
        document.save(update_fields=["provided_on_paper", "originals", "copies"])
        positions.append(document.position)
    return positions


def _refuse(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    # Mẫu 03: the refusal states the specific reasons.
    _require_note(note, _("lý do từ chối tiếp nhận (sẽ in trên Mẫu 03)"))
    return {}


MAX_MISSING_ITEMS = 50


def _request_supplement(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    # Mẫu 02 lists what to add and why; the legal clock stops until the supplement arrives.
    # The missing components (``missing``, names of the checklist's items) and the note reach
    # the applicant on every channel and the tracking page.
    missing = [
        " ".join(str(item).split())[:500]
        for item in (request.data.get("missing") or [])[:MAX_MISSING_ITEMS]
        if str(item).strip()
    ]
    if not missing:
        _require_note(note, _("nội dung cần bổ sung, hoàn thiện (sẽ in trên Mẫu 02)"))
    dossier.clock_paused_at = request.now
    dossier.supplement_requests += 1
    data: dict[str, Any] = {"supplement_request": dossier.supplement_requests}
    if missing:
        data["missing"] = missing
    return data


def _submit_supplement(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    from motcua.workcalendar.services import OfficeHours, add_working_time, working_time_between

    data: dict[str, Any] = {}
    if dossier.clock_paused_at is not None and dossier.due_at is not None:
        hours = OfficeHours.from_center(dossier.center)
        paused = working_time_between(dossier.clock_paused_at, request.now, hours=hours)
        new_due = add_working_time(dossier.due_at, paused, hours=hours)
        data = {
            "paused_seconds": int(paused.total_seconds()),
            "due_before": dossier.due_at.isoformat(),
            "due_after": new_due.isoformat(),
        }
        dossier.due_at = new_due
    dossier.clock_paused_at = None
    return data


def _assign(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    from django.contrib.auth import get_user_model

    from motcua.centers.models import Unit

    unit_id, user_id = request.data.get("unit_id"), request.data.get("user_id")
    if not unit_id and not user_id:
        raise ActionError(_("Chọn đơn vị hoặc cán bộ nhận hồ sơ."))
    data: dict[str, Any] = {"from_unit_id": dossier.unit_id, "from_user_id": dossier.assignee_id}
    # Reception hands a dossier over once; moving it after that corrects a wrong assignment,
    # which the log must explain (who, from whom to whom, why).
    correction = request.role == Role.RECEPTION and dossier.status == DossierStatus.IN_PROGRESS
    if correction:
        _require_note(note, _("lý do điều chỉnh phân công"))
        data["correction"] = True
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id, center=dossier.center_id).first()
        if unit is None:
            raise ActionError(_("Đơn vị nhận không thuộc trung tâm này."))
        dossier.unit = unit
    if user_id:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise ActionError(_("Không tìm thấy cán bộ nhận hồ sơ."))
        dossier.assignee = user
    data.update({"to_unit_id": dossier.unit_id, "to_user_id": dossier.assignee_id})
    if correction and (data["to_unit_id"], data["to_user_id"]) == (
        data["from_unit_id"],
        data["from_user_id"],
    ):
        raise ActionError(
            _("Hồ sơ đang được giao đúng đơn vị và cán bộ này: không có gì thay đổi.")
        )
    return data


def _reschedule(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    # Mẫu 04: an apology with the reason and a new date, written before the due time passes.
    _require_note(note, _("lý do chậm và lời xin lỗi (sẽ in trên Mẫu 04)"))
    new_due = request.data.get("new_due_at")
    if not isinstance(new_due, datetime) or new_due.tzinfo is None:
        raise ActionError(_("Chọn ngày, giờ hẹn trả kết quả mới."))
    if dossier.due_at is not None and request.now >= dossier.due_at:
        raise ActionError(
            _("Đã quá hạn trả kết quả: phiếu xin lỗi và hẹn lại phải lập trước thời hạn."), 409
        )
    if new_due <= (dossier.due_at or request.now):
        raise ActionError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại."))
    data = {"due_before": dossier.due_at.isoformat() if dossier.due_at else None}
    dossier.due_at = new_due
    data["due_after"] = new_due.isoformat()
    return data


def _stop(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    _require_note(note, _("lý do dừng xử lý"))
    return {}


def _return_result(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    how = request.data.get("delivery", "at_center")
    if how not in {"at_center", "postal", "online"}:
        raise ActionError(_("Hình thức trả kết quả không hợp lệ."))
    return {"delivery": how}


def _withdraw(dossier: Dossier, request: ActionRequest, note: str) -> dict:
    _require_note(note, _("nội dung đơn rút hồ sơ của công dân"))
    return {}


_RULES: dict[str, Callable[[Dossier, ActionRequest, str], dict]] = {
    EventAction.ACCEPT: _accept,
    EventAction.REFUSE: _refuse,
    EventAction.REQUEST_SUPPLEMENT: _request_supplement,
    EventAction.SUBMIT_SUPPLEMENT: _submit_supplement,
    EventAction.ASSIGN: _assign,
    EventAction.RESCHEDULE: _reschedule,
    EventAction.STOP: _stop,
    EventAction.RETURN_RESULT: _return_result,
    EventAction.WITHDRAW: _withdraw,
}

__all__ = ["ActionError", "ActionRequest", "StaleDossier", "perform", "DossierStatus"]
