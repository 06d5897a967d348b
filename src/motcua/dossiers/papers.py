"""The paper forms of TT 01/2018/TT-VPCP that follow the slip, generated from the event log.

- Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — from a ``request_supplement`` event (its
  note is what to add);
- Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ — from a ``refuse`` event (its note is the
  reason);
- Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả — from a ``reschedule`` event (its data
  carries the original and the new due time, its note the reason);
- Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ — every hand-over of the dossier.

Pure rendering: nothing here writes, and nothing reads the clock. Fonts, header and date
helpers are the slip's (``slip.py``), so every paper prints the same Noto Sans with correct
diacritics on any machine.

How a step of Mẫu 05 is judged
------------------------------
The catalog gives one time limit per procedure, not a split per step, so each hand-over is
judged against the dossier's due time *in force at that moment*: the due time fixed at receipt,
moved by a supplement pause (``submit_supplement``: the legal clock stops while the citizen
supplements, Quyết định 766/QĐ-TTg) or by an apology and new appointment (``reschedule``,
Mẫu 04) recorded before the hand-over. The step ending with the hand-over is

- **trước hạn** when handed over on a day before the due day,
- **đúng hạn** on the due day, not after the due time,
- **quá hạn** after the due time,

in Vietnam time. Steps held by the citizen (between a supplement request and the supplement,
or a withdrawal at the citizen's request) are not judged: that time does not count.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.slip import (
    BOLD,
    REGULAR,
    _header,
    _place,
    _register_fonts,
    _Styles,
    _styles,
    _x,
    format_moment,
    nfc,
)
from motcua.dossiers.states import Channel, EventAction, ResultDelivery

RECEPTION = "Bộ phận tiếp nhận và trả kết quả"
LEADER = "Lãnh đạo UBND"
MARGIN = 18 * mm


class StepResult(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class PaperError(ValueError):
    """The event given is not the kind the paper is made from."""


def _vietnam(value: datetime) -> datetime:
    from motcua.dossiers.services import VIETNAM

    return value.astimezone(VIETNAM)


def _parse_moment(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def judge(handed_over_at: datetime, due: datetime | None) -> StepResult | None:
    """The result of a step handed over at ``handed_over_at`` under ``due`` (module docstring)."""
    if due is None:
        return None
    if handed_over_at > due:
        return StepResult.LATE
    if _vietnam(handed_over_at).date() < _vietnam(due).date():
        return StepResult.EARLY
    return StepResult.ON_TIME


def actor_names(actors: Iterable[str]) -> dict[str, str]:
    """Display names for event actors: officers in Vietnamese order, kiosks by number."""
    actors = set(actors)
    ids = {int(a[5:]) for a in actors if a.startswith("user:") and a[5:].isdigit()}
    names = {}
    for user in get_user_model().objects.filter(pk__in=ids):
        full = f"{user.last_name} {user.first_name}".strip()
        names[f"user:{user.pk}"] = nfc(full or user.get_username())
    for actor in actors - names.keys():
        kind, _sep, rest = actor.partition(":")
        names[actor] = f"Kiosk số {rest}" if kind == "kiosk" else actor
    return names


# Mẫu 05


@dataclass(frozen=True)
class Party:
    """Who holds the dossier during a step: an agency or unit, and the person if known."""

    name: str
    person: str = ""
    is_applicant: bool = False

    def __str__(self) -> str:
        return f"{self.name} ({self.person})" if self.person else self.name


@dataclass(frozen=True)
class ControlRow:
    """One row of Mẫu 05: a hand-over from ``sender`` to ``receiver`` at ``at``."""

    sender: Party
    receiver: Party | None  # None: the dossier is still with the sender (the open last row)
    at: datetime | None
    due: datetime | None
    result: StepResult | None
    notes: tuple[str, ...] = ()

    @property
    def result_label(self) -> str:
        return str(self.result.label) if self.result else ""


@dataclass
class _Walk:
    dossier: Dossier
    names: dict[str, str]
    units: dict[int, str]
    applicant: Party
    holder: Party
    assigned: Party | None = None
    due: datetime | None = None
    pending: list[str] = field(default_factory=list)
    rows: list[ControlRow] = field(default_factory=list)

    def hand_over(
        self, event: DossierEvent, receiver: Party, *, judged: bool = True, note: str = ""
    ) -> None:
        sender = self.holder
        if event.actor in self.names and not sender.is_applicant:
            sender = Party(sender.name, self.names[event.actor])
        counted = judged and not self.holder.is_applicant
        notes = [*self.pending, note] if note else list(self.pending)
        self.rows.append(
            ControlRow(
                sender=sender,
                receiver=receiver,
                at=event.at,
                due=self.due,
                result=judge(event.at, self.due) if counted else None,
                notes=tuple(notes),
            )
        )
        self.pending = []
        self.holder = receiver


def _fmt(value: datetime | None) -> str:
    return f"{_vietnam(value):%H:%M %d/%m/%Y}" if value else ""


def _unit_party(walk: _Walk, data: dict) -> Party:
    unit = walk.units.get(data.get("to_unit_id") or 0, "")
    person = walk.names.get(f"user:{data.get('to_user_id')}", "") if data.get("to_user_id") else ""
    return Party(unit or "Công chức chuyên môn", person)


def _leader_for(events: Sequence[DossierEvent], index: int, names: dict[str, str]) -> Party:
    """The leader who acted on the submission at ``index`` (the next sign or rework)."""
    for later in events[index + 1 :]:
        if later.action in (EventAction.SIGN, EventAction.RETURN_FOR_REWORK):
            return Party(LEADER, names.get(later.actor, ""))
        if later.action == EventAction.SUBMIT_FOR_SIGNATURE:
            break
    return Party(LEADER)


def control_sheet_rows(dossier: Dossier) -> list[ControlRow]:
    """Mẫu 05's rows from the event log; the last row is open while the dossier is in process."""
    from motcua.dossiers.states import TERMINAL_STATUSES

    events = list(dossier.events.order_by("seq"))
    names = actor_names({e.actor for e in events})
    user_ids = {e.data.get("to_user_id") for e in events if (e.data or {}).get("to_user_id")}
    names.update(actor_names({f"user:{i}" for i in user_ids}))
    applicant = Party(f"Ông/Bà {nfc(dossier.applicant_name)}", is_applicant=True)
    walk = _Walk(
        dossier=dossier,
        names=names,
        units=dict(dossier.center.units.values_list("id", "name")),
        applicant=applicant,
        holder=applicant,
    )
    walk.due = _initial_due(dossier, events)
    for index, event in enumerate(events):
        data = event.data or {}
        note = nfc(event.note)
        action = event.action
        if action == EventAction.RECEIVE:
            channel = Channel(dossier.channel).label if dossier.channel in Channel.values else ""
            walk.hand_over(
                event,
                Party(RECEPTION, names.get(event.actor, "")),
                judged=False,
                note=f"Tiếp nhận hồ sơ ({channel})" if channel else "Tiếp nhận hồ sơ",
            )
        elif action == EventAction.ASSIGN:
            receiver = _unit_party(walk, data)
            walk.assigned = receiver
            walk.hand_over(event, receiver, note=note)
        elif action == EventAction.REQUEST_SUPPLEMENT:
            walk.hand_over(
                event, applicant, note=f"Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): {note}"
            )
        elif action == EventAction.SUBMIT_SUPPLEMENT:
            text = "Nộp hồ sơ bổ sung qua Bộ phận tiếp nhận và trả kết quả"
            paused = data.get("paused_seconds")
            if paused:
                text += f"; thời gian bổ sung không tính ({_hours(paused)} làm việc)"
            walk.due = _parse_moment(data.get("due_after")) or walk.due
            if walk.due:
                text += f"; hẹn trả mới {_fmt(walk.due)}"
            walk.hand_over(event, walk.assigned or Party(RECEPTION), judged=False, note=text)
        elif action == EventAction.SUBMIT_FOR_SIGNATURE:
            walk.hand_over(event, _leader_for(events, index, names), note=note)
        elif action == EventAction.RETURN_FOR_REWORK:
            walk.hand_over(
                event,
                walk.assigned or Party(RECEPTION),
                note=f"Trả lại để xử lý lại: {note}" if note else "Trả lại để xử lý lại",
            )
        elif action in (EventAction.SIGN, EventAction.MARK_RESULT_READY):
            label = "Đã ký duyệt kết quả" if action == EventAction.SIGN else "Đã có kết quả"
            walk.hand_over(event, Party(RECEPTION), note=f"{label}. {note}".strip(" ."))
        elif action == EventAction.RETURN_RESULT:
            how = data.get("delivery")
            delivery = str(ResultDelivery(how).label) if how in ResultDelivery.values else ""
            text = f"Trả kết quả: {delivery}" if delivery else "Trả kết quả"
            walk.hand_over(event, applicant, note=f"{text}. {note}".strip(" ."))
        elif action == EventAction.REFUSE:
            walk.hand_over(event, applicant, note=f"Từ chối tiếp nhận (Mẫu 03): {note}")
        elif action == EventAction.STOP:
            walk.hand_over(event, applicant, note=f"Dừng xử lý: {note}")
        elif action == EventAction.WITHDRAW:
            walk.hand_over(event, applicant, judged=False, note=f"Rút hồ sơ theo yêu cầu: {note}")
        elif action == EventAction.RESCHEDULE:
            walk.due = _parse_moment(data.get("due_after")) or walk.due
            walk.pending.append(
                f"Xin lỗi và hẹn lại (Mẫu 04) lúc {_fmt(event.at)}: hẹn trả mới "
                f"{_fmt(walk.due)}; lý do: {note}"
            )
        else:
            name = str(EventAction(action).label) if action in EventAction.values else action
            walk.pending.append(f"{name} ({_fmt(event.at)}). {note}".strip(" ."))
    if dossier.status not in TERMINAL_STATUSES or walk.pending:
        walk.rows.append(
            ControlRow(
                sender=walk.holder,
                receiver=None,
                at=None,
                due=walk.due,
                result=None,
                notes=tuple(walk.pending),
            )
        )
    return walk.rows


def _initial_due(dossier: Dossier, events: Sequence[DossierEvent]) -> datetime | None:
    """The due time fixed at receipt: from the receive event (or, for a dossier registered at a
    kiosk, reception's acceptance, which fixes it), else the first move's "before"."""
    accepted = next(
        (e for e in events if e.action == EventAction.ACCEPT and "due_at" in (e.data or {})), None
    )
    if accepted is not None:
        return _parse_moment(accepted.data["due_at"])
    for event in events:
        data = event.data or {}
        if event.action == EventAction.RECEIVE and "due_at" in data:
            return _parse_moment(data["due_at"])
        if "due_before" in data:
            return _parse_moment(data["due_before"])
    return dossier.due_at


def _hours(seconds: int) -> str:
    hours, rest = divmod(int(seconds) // 60, 60)
    return f"{hours} giờ {rest:02d} phút" if rest else f"{hours} giờ"


# Layout shared by the papers


def _dated(dossier: Dossier, moment: datetime) -> str:
    local = _vietnam(moment)
    place = _x(_place(dossier.center.commune))
    return f"{place}, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _plain_table(rows: list[list], widths: list[float], extra: list | None = None) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                *(extra or []),
            ]
        )
    )
    return table


def _opening(dossier: Dossier, s: _Styles, width: float, moment: datetime) -> list[Flowable]:
    return [
        *_header(dossier, s, width, stacked=False),
        Spacer(1, 2 * mm),
        _plain_table(
            [
                [
                    Paragraph(f"Mã hồ sơ: <b>{_x(dossier.code)}</b>", s.body),
                    Paragraph(f"<i>{_dated(dossier, moment)}</i>", s.center),
                ]
            ],
            [width * 0.45, width * 0.55],
        ),
    ]


def _signature(s: _Styles, width: float, title: str, name: str, left: str = "") -> Table:
    right = [
        Paragraph(_x(title), s.center_bold),
        Paragraph("(Ký và ghi rõ họ tên)", s.small_center),
        Spacer(1, 18 * mm),
        Paragraph(f"<b>{_x(name)}</b>" if name else "", s.center),
    ]
    left_cell = [Paragraph(left, s.small)] if left else ""
    return _plain_table([[left_cell, right]], [width * 0.5, width * 0.5])


def _applicant_lines(dossier: Dossier, s: _Styles) -> list[Flowable]:
    lines = [Paragraph(f"Hồ sơ của: <b>Ông/Bà {_x(dossier.applicant_name)}</b>", s.body)]
    if dossier.applicant_address:
        lines.append(Paragraph(f"Địa chỉ: {_x(dossier.applicant_address)}", s.body))
    contact = []
    if dossier.applicant_phone:
        contact.append(f"Số điện thoại: {_x(dossier.applicant_phone)}")
    if dossier.applicant_email:
        contact.append(f"Email: {_x(dossier.applicant_email)}")
    if contact:
        lines.append(Paragraph("; ".join(contact), s.body))
    lines.append(
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{_x(dossier.procedure.name)}</b>", s.body)
    )
    return lines


def _build(dossier: Dossier, title: str, form: str, story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} {dossier.code}",
        author=nfc(dossier.center.name),
        subject=f"{form} – TT 01/2018/TT-VPCP",
        # Without this the canvas declares Helvetica, a font that is not embedded.
        initialFontName=REGULAR,
    )
    doc.build(story)
    return buffer.getvalue()


def _check(event: DossierEvent, dossier: Dossier, action: str) -> None:
    if event.dossier_id != dossier.pk or event.action != action:
        raise PaperError(f"event {event.pk} is not a {action} event of dossier {dossier.code}")


def _width() -> float:
    return A4[0] - 2 * MARGIN


def _styles_a4() -> _Styles:
    _register_fonts()
    return _styles(11)


# Mẫu 02


def render_supplement_request(dossier: Dossier, event: DossierEvent) -> bytes:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, from a ``request_supplement`` event."""
    _check(event, dossier, EventAction.REQUEST_SUPPLEMENT)
    s, width = _styles_a4(), _width()
    guide = actor_names([event.actor]).get(event.actor, "")
    phone = f", số điện thoại {_x(dossier.center.phone)}" if dossier.center.phone else ""
    received = format_moment(dossier.received_at)
    story = [
        *_opening(dossier, s, width, event.at),
        Paragraph("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", s.title),
        *_applicant_lines(dossier, s),
        Paragraph(f"Thời gian tiếp nhận hồ sơ: {received}", s.body),
        Spacer(1, 2 * mm),
        Paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", s.body),
        *[
            Paragraph(f"{number}. {_x(item)}", _indented(s))
            for number, item in enumerate(
                [*((event.data or {}).get("missing") or []), *([event.note] if event.note else [])],
                start=1,
            )
        ],
        Paragraph("Lý do: hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính.", s.body),
        Paragraph(
            "Thời gian bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết. Ngày hẹn "
            "trả kết quả sẽ được tính lại khi Ông/Bà nộp đủ hồ sơ bổ sung.",
            s.body,
        ),
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ "
            f"{_x(guide) or 'cán bộ hướng dẫn'} tại {_x(dossier.center.name)}{phone} để được "
            "hướng dẫn.",
            s.body,
        ),
        Spacer(1, 4 * mm),
        _signature(s, width, "NGƯỜI HƯỚNG DẪN", guide),
    ]
    return _build(dossier, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Mẫu 02", story)


def _indented(s: _Styles) -> ParagraphStyle:
    return ParagraphStyle("indented", parent=s.body, leftIndent=s.body.fontSize)


# Mẫu 03


def render_refusal(dossier: Dossier, event: DossierEvent) -> bytes:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ, from a ``refuse`` event."""
    _check(event, dossier, EventAction.REFUSE)
    s, width = _styles_a4(), _width()
    officer = actor_names([event.actor]).get(event.actor, "")
    bases = [
        nfc(str(item.get("code") or "")).strip()
        for item in (dossier.procedure.legal_basis or [])
        if isinstance(item, dict)
    ]
    bases = [b for b in bases if b]
    basis = ", ".join(bases) if bases else "các văn bản quy phạm pháp luật hiện hành"
    story = [
        *_opening(dossier, s, width, event.at),
        Paragraph("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", s.title),
        *_applicant_lines(dossier, s),
        Paragraph(f"Thời gian nộp hồ sơ: {format_moment(dossier.received_at)}", s.body),
        Spacer(1, 2 * mm),
        Paragraph(
            f"Qua nghiên cứu, đối chiếu với các quy định tại {_x(basis)}, "
            f"{_x(dossier.center.name)} không tiếp nhận, giải quyết hồ sơ này với lý do cụ "
            "thể như sau:",
            s.body,
        ),
        Paragraph(_x(event.note), _indented(s)),
        Paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện./.", s.body),
        Spacer(1, 4 * mm),
        _signature(s, width, "NGƯỜI TIẾP NHẬN HỒ SƠ", officer),
    ]
    return _build(dossier, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Mẫu 03", story)


# Mẫu 04


def _is_leader(actor: str) -> bool:
    from motcua.centers.models import StaffMembership
    from motcua.dossiers.states import Role

    user_id = actor[5:] if actor.startswith("user:") else ""
    return (
        user_id.isdigit()
        and StaffMembership.objects.filter(user_id=int(user_id), role=Role.LEADER).exists()
    )


def render_apology(dossier: Dossier, event: DossierEvent) -> bytes:
    """Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả, from a ``reschedule`` event."""
    _check(event, dossier, EventAction.RESCHEDULE)
    s, width = _styles_a4(), _width()
    data = event.data or {}
    before = _parse_moment(data.get("due_before"))
    after = _parse_moment(data.get("due_after"))
    # Mẫu 04 is signed by the head of the agency: the name is printed only when the leader
    # recorded the apology; a specialist's draft leaves the line for the head to sign.
    signer = actor_names([event.actor]).get(event.actor, "") if _is_leader(event.actor) else ""
    center = _x(dossier.center.name)
    story = [
        *_opening(dossier, s, width, event.at),
        Paragraph("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", s.title),
        Paragraph(f"Kính gửi: <b>Ông/Bà {_x(dossier.applicant_name)}</b>", s.center),
        Spacer(1, 2 * mm),
        Paragraph(
            f"Ngày {_vietnam(dossier.received_at):%d/%m/%Y}, {center} tiếp nhận giải quyết hồ "
            f"sơ của Ông/Bà, đề nghị giải quyết thủ tục <b>{_x(dossier.procedure.name)}</b>, "
            f"mã hồ sơ <b>{_x(dossier.code)}</b>.",
            s.body,
        ),
        Paragraph(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: "
            f"<b>{format_moment(before) if before else 'theo quy định'}</b>.",
            s.body,
        ),
        Paragraph(
            f"Tuy nhiên đến nay, {center} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng "
            "hạn như đã hẹn trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            s.body,
        ),
        Paragraph(f"Lý do: {_x(event.note)}", s.body),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {center} xin lỗi Ông/Bà và hẹn lại "
            f"thời gian trả kết quả giải quyết hồ sơ vào: <b>{format_moment(after)}</b>."
            if after
            else "",
            s.body,
        ),
        Paragraph("Rất mong nhận được sự thông cảm của Ông/Bà./.", s.body),
        Spacer(1, 4 * mm),
        _signature(s, width, "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", signer),
    ]
    return _build(dossier, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Mẫu 04", story)


# Mẫu 05


def render_control_sheet(dossier: Dossier) -> bytes:
    """Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per hand-over."""
    s, width = _styles_a4(), _width()
    small = ParagraphStyle("cell", parent=s.body, fontSize=9, leading=11.5)
    head = ParagraphStyle("head", parent=small, fontName=BOLD, alignment=1)
    centered = ParagraphStyle("cell_center", parent=small, alignment=1)
    rows: list[list] = [
        [
            Paragraph("TÊN CƠ QUAN", head),
            Paragraph("THỜI GIAN GIAO, NHẬN HỒ SƠ", head),
            Paragraph("KẾT QUẢ GIẢI QUYẾT HỒ SƠ<br/>(Trước hạn/đúng hạn/quá hạn)", head),
            Paragraph("GHI CHÚ", head),
        ]
    ]
    for row in control_sheet_rows(dossier):
        if row.receiver is None:
            who = f"Đang giữ hồ sơ: {_x(str(row.sender))}"
            when = "Chưa giao"
        else:
            who = f"1. Giao: {_x(str(row.sender))}<br/>2. Nhận: {_x(str(row.receiver))}"
            moment = format_moment(row.at) if row.at else ""
            when = f"1. Giao: {moment}<br/>2. Nhận: {moment}"
        due = f"<br/>(hạn: {_fmt(row.due)})" if row.due and row.result else ""
        rows.append(
            [
                Paragraph(who, small),
                Paragraph(when, small),
                Paragraph(f"<b>{row.result_label}</b>{due}", centered),
                Paragraph("<br/>".join(_x(n) for n in row.notes), small),
            ]
        )
    table = Table(rows, colWidths=[w * width for w in (0.30, 0.27, 0.17, 0.26)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.5, "#000000"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    due = format_moment(dossier.due_at) if dossier.due_at else "theo quy định"
    story = [
        *_header(dossier, s, width, stacked=False),
        Paragraph("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", s.title),
        Paragraph(f"Mã hồ sơ: <b>{_x(dossier.code)}</b>", s.body),
        Paragraph(f"(Kèm theo hồ sơ của: <b>Ông/Bà {_x(dossier.applicant_name)}</b>)", s.body),
        Paragraph(f"Nội dung yêu cầu giải quyết: {_x(dossier.procedure.name)}", s.body),
        Paragraph(f"Thời gian nhận hồ sơ: {format_moment(dossier.received_at)}", s.body),
        Paragraph(f"Ngày hẹn trả kết quả: <b>{due}</b>", s.body),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 2 * mm),
        Paragraph(
            "Kết quả của mỗi bước được so với thời hạn trả kết quả của hồ sơ tại thời điểm giao "
            "(đã tính thời gian tạm dừng khi bổ sung hồ sơ và ngày hẹn lại, nếu có).",
            s.small,
        ),
    ]
    return _build(dossier, "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Mẫu 05", story)


__all__ = [
    "ControlRow",
    "Party",
    "PaperError",
    "StepResult",
    "actor_names",
    "control_sheet_rows",
    "judge",
    "render_apology",
    "render_control_sheet",
    "render_refusal",
    "render_supplement_request",
]
