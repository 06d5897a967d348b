"""Officer pages: sign-in, the inbox with search, the dossier page and its action forms.

Thin edges: each view parses the request, checks access (``access``), reads through
``selectors`` or calls the one workflow writer (``dossiers.actions.perform``) inside
``transaction.atomic()``, and renders. The rules live in the workflow table and the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.backoffice import selectors
from motcua.backoffice.access import OfficerRequest, dossier_for, officer_required
from motcua.backoffice.templatetags.backoffice import officer_name
from motcua.catalog.fees import Fee
from motcua.centers.models import StaffMembership
from motcua.core.text import first_unsafe_character, unsafe_text_message
from motcua.dossiers.actions import ActionError, ActionRequest, StaleDossier, perform
from motcua.dossiers.models import Dossier
from motcua.dossiers.panels import render_panels
from motcua.dossiers.selectors import mask_name
from motcua.dossiers.states import (
    DossierStatus,
    EventAction,
    ResultDelivery,
    Role,
    available_actions,
)
from motcua.workcalendar.services import OfficeHours, WorkCalendar, local_tz

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


def clock() -> datetime:
    """The current moment; the only place the back office reads the clock (tests replace it)."""
    return timezone.now()


# Personal data


def personal_data_hidden(membership: StaffMembership) -> bool:
    """Whether the applicants' personal data is kept from this officer (NĐ 13/2023/NĐ-CP).

    A provincial viewer oversees the province's centers and acts on no dossier: they read the
    procedure, the status and the deadlines, and the applicant only as the masked name of the
    public tracking page ("N*** V*** A"). Identity number, birth date, phone, email, address,
    the declaration and the document files are for the center's staff who handle the dossier.
    """
    return membership.role == Role.PROVINCIAL_VIEWER


def _mask_rows(rows) -> None:
    """Mask the applicant's name on this page's copies of the rows (nothing is saved)."""
    for row in rows or ():
        row.dossier.applicant_name = mask_name(row.dossier.applicant_name)


# Inbox


@officer_required
@require_http_methods(["GET", "POST"])
def inbox(request: OfficerRequest) -> HttpResponse:
    membership = request.membership
    now = clock()
    calendar = WorkCalendar.from_db()
    context: dict[str, Any] = {
        "membership": membership,
        "inbox": selectors.inbox(
            membership,
            request.GET.get("xem"),
            now=now,
            calendar=calendar,
            state=request.GET.get("trang-thai"),
            channel=request.GET.get("kenh"),
        ),
        "mark_labels": selectors.MARK_LABELS,
        "now": now,
    }
    if request.method == "POST":
        # Search text may be a personal ID number (Nghị định 13/2023/NĐ-CP): it travels in the
        # POST body, never in a URL that ends up in access logs or browser history.
        query = " ".join(request.POST.get("q", "").split())[:200]
        char = first_unsafe_character(query)
        if char is not None:
            # PostgreSQL refuses NUL in a query; no code, name or number has hidden characters.
            context["search_error"] = unsafe_text_message(char, _("Nội dung tìm kiếm"))
        else:
            context["query"] = query
            context["results"] = selectors.search(membership, query, now=now, calendar=calendar)
            context["searched"] = True
    if personal_data_hidden(membership):
        _mask_rows(context["inbox"].rows)
        _mask_rows(context.get("results"))
    return render(
        request, "backoffice/inbox.html", context, status=400 if "search_error" in context else 200
    )


# Dossier page


@dataclass(frozen=True)
class ActionSpec:
    """How the form of one action looks; whether a reason is required is the service's rule."""

    action: str
    note_label: _StrOrPromise
    note_required: bool = False
    tone: str = "primary"

    @property
    def label(self) -> str:
        return str(EventAction(self.action).label)


TONE_ORDER = {"primary": 0, "secondary": 1, "danger": 2}
_NOTE = gettext_lazy("Ghi chú (không bắt buộc)")
ACTION_SPECS = {
    spec.action: spec
    for spec in [
        ActionSpec(EventAction.ACCEPT, _NOTE),
        ActionSpec(
            EventAction.REFUSE,
            gettext_lazy("Lý do không tiếp nhận (in trên Mẫu 03)"),
            note_required=True,
            tone="danger",
        ),
        ActionSpec(EventAction.ASSIGN, _NOTE),
        ActionSpec(
            EventAction.REQUEST_SUPPLEMENT,
            # The ticked components or this text (or both): the service requires one of them.
            gettext_lazy("Nội dung cần bổ sung, hoàn thiện khác, hướng dẫn (in trên Mẫu 02)"),
            tone="secondary",
        ),
        ActionSpec(EventAction.SUBMIT_SUPPLEMENT, _NOTE),
        ActionSpec(EventAction.REQUEST_PAYMENT, _NOTE, tone="secondary"),
        ActionSpec(EventAction.CONFIRM_PAYMENT, _NOTE),
        ActionSpec(EventAction.SUBMIT_FOR_SIGNATURE, _NOTE),
        ActionSpec(EventAction.SIGN, _NOTE),
        ActionSpec(
            EventAction.RETURN_FOR_REWORK,
            gettext_lazy("Nội dung cần xử lý lại"),
            tone="secondary",
        ),
        ActionSpec(EventAction.MARK_RESULT_READY, _NOTE),
        ActionSpec(EventAction.RETURN_RESULT, _NOTE),
        ActionSpec(
            EventAction.RESCHEDULE,
            gettext_lazy("Lý do chậm và lời xin lỗi (in trên Mẫu 04)"),
            note_required=True,
            tone="secondary",
        ),
        ActionSpec(
            EventAction.STOP,
            gettext_lazy("Lý do dừng xử lý"),
            note_required=True,
            tone="danger",
        ),
        ActionSpec(
            EventAction.WITHDRAW,
            gettext_lazy("Nội dung đơn rút hồ sơ của công dân"),
            note_required=True,
            tone="danger",
        ),
    ]
}


def _actor_names(actors: set[str]) -> dict[str, str]:
    user_ids = {int(a[5:]) for a in actors if a.startswith("user:") and a[5:].isdigit()}
    users = get_user_model().objects.filter(pk__in=user_ids)
    names = {f"user:{u.pk}": officer_name(u) for u in users}
    for actor in actors - names.keys():
        kind, _sep, rest = actor.partition(":")
        names[actor] = _("Kiosk số %(n)s") % {"n": rest} if kind == "kiosk" else actor
    return names


def _event_label(event) -> str:
    if event.action == EventAction.ASSIGN and (event.data or {}).get("correction"):
        return str(REASSIGN_LABEL)
    if event.action in EventAction.values:
        return str(EventAction(event.action).label)
    return event.action


REASSIGN_LABEL = gettext_lazy("Điều chỉnh phân công xử lý")


def _event_details(event, units: dict[int, str], users: dict[str, str]) -> list[str]:
    data: dict[str, Any] = event.data or {}
    details = []
    if event.action == EventAction.ASSIGN and data.get("correction"):
        before = [units.get(data.get("from_unit_id", 0), "")]
        before.append(users.get(f"user:{data.get('from_user_id')}", ""))
        shown = ", ".join(b for b in before if b) or "—"
        details.append(_("Trước đó: %(b)s") % {"b": shown})
    if event.action == EventAction.ASSIGN:
        if data.get("to_unit_id"):
            details.append(_("Đơn vị: %(u)s") % {"u": units.get(data["to_unit_id"], "?")})
        if data.get("to_user_id"):
            details.append(_("Cán bộ: %(u)s") % {"u": users.get(f"user:{data['to_user_id']}", "?")})
    if data.get("due_after"):
        moved = datetime.fromisoformat(data["due_after"]).astimezone(local_tz())
        details.append(_("Hẹn trả mới: %(d)s") % {"d": moved.strftime("%H:%M %d/%m/%Y")})
    if data.get("delivery") in ResultDelivery.values:
        details.append(str(ResultDelivery(data["delivery"]).label))
    if data.get("missing"):
        details.append(_("Cần bổ sung: %(items)s") % {"items": "; ".join(data["missing"])})
    return details


def supplement_choices(dossier: Dossier) -> list[tuple[str, str]]:
    """The components an officer may tick as missing: the catalog's list, then any other
    component the dossier holds. Values are ids, never names (a name is a long free text)."""
    choices = [
        (f"c{pk}", " ".join(name.split()))
        for pk, name in dossier.procedure.documents.order_by("position", "id").values_list(
            "id", "name"
        )
    ]
    choices += [
        (f"d{position}", " ".join(name.split()))
        for position, name in dossier.documents.filter(required_document__isnull=True)
        .order_by("position")
        .values_list("position", "name")
    ]
    return choices


def _money(amount: int | None) -> str:
    if amount is None:
        return _("Theo quy định")
    if amount == 0:
        return _("Miễn phí")
    return _("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


def _display_value(field, value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if field is not None and field.choices:
        labels = {c.value: c.label for c in field.choices}
        return labels.get(value, str(value))
    if field is not None and field.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if field is not None and field.type == "money" and isinstance(value, int):
        return _money(value)
    return str(value)


# A label longer than this (a pledge, a declaration) takes the whole row, label above value.
LONG_LABEL = 60


def _form_sections(dossier: Dossier) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The declaration as the officer reads it: the form's own sections and labels."""
    from motcua.eforms.registry import definition_for

    answers = dict(dossier.form_data or {})
    sections = []
    try:
        definition = definition_for(dossier.procedure.code)
    except Exception:  # noqa: BLE001 - a broken definition must not hide the dossier
        definition = None
    if definition is not None:
        for section in definition.sections:
            rows = []
            for field in section.fields:
                shown = _display_value(field, answers.pop(field.name, None))
                if shown:
                    rows.append((field.label, shown, len(field.label) > LONG_LABEL))
            if rows:
                sections.append((section.title, rows))
    rest = [(key, _display_value(None, value), False) for key, value in answers.items()]
    rest = [row for row in rest if row[1]]
    if rest:
        sections.append((_("Thông tin khác"), rest))
    return sections


def _dossier_context(
    request: OfficerRequest,
    dossier: Dossier,
    *,
    error: str = "",
    failed_action: str = "",
    posted: dict[str, str] | None = None,
) -> dict[str, Any]:
    membership = request.membership
    now = clock()
    events = list(dossier.events.order_by("seq"))
    actor_names = _actor_names({e.actor for e in events})
    assigned_ids = {
        f"user:{(e.data or {}).get(key)}"
        for e in events
        for key in ("to_user_id", "from_user_id")
        if (e.data or {}).get(key)
    }
    user_names = {**_actor_names(assigned_ids), **actor_names}
    units = dict(dossier.center.units.values_list("id", "name"))
    calendar = WorkCalendar.from_db()
    soon = selectors.soon_limit(now, calendar, OfficeHours.from_center(dossier.center))
    mark = selectors.deadline_mark(dossier, now, soon)
    timeline = [
        {
            "event": e,
            "actor": actor_names.get(e.actor, e.actor),
            "label": _event_label(e),
            "from": DossierStatus(e.from_status).label if e.from_status else "",
            "to": DossierStatus(e.to_status).label,
            "details": _event_details(e, units, user_names),
        }
        for e in events
    ]
    candidates = (
        StaffMembership.objects.filter(
            center=dossier.center_id,
            is_active=True,
            role__in=[Role.SPECIALIST, Role.LEADER],
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("unit__name", "user__first_name", "user__username")
    )
    # Specialists first: they are the ones dossiers are usually handed to.
    staff = sorted(candidates, key=lambda m: m.role != Role.SPECIALIST)
    # The table decides which actions; the page puts the ones that move the dossier forward
    # first and opens the first of them, so a refusal is never one stray click away.
    actions = sorted(
        (ACTION_SPECS[a] for a in available_actions(dossier.status, membership.role)),
        key=lambda spec: TONE_ORDER[spec.tone],
    )
    default_open = next((s.action for s in actions if s.tone == "primary"), "")
    signed_results = list(dossier.signed_results.order_by("-signed_at"))
    hidden = personal_data_hidden(membership)
    action_names = {spec.action for spec in actions}
    return {
        "signing": _signing_context(request, dossier) if EventAction.SIGN in action_names else None,
        "supplement_choices": (
            supplement_choices(dossier) if EventAction.REQUEST_SUPPLEMENT in action_names else []
        ),
        "assign_is_correction": (
            membership.role == Role.RECEPTION and dossier.status == DossierStatus.IN_PROGRESS
        ),
        "personal_hidden": hidden,
        "applicant_name": mask_name(dossier.applicant_name) if hidden else dossier.applicant_name,
        "signed_results": signed_results,
        "membership": membership,
        "dossier": dossier,
        "mark": mark,
        "mark_label": selectors.MARK_LABELS[mark],
        # The wording of the kiosk and the slip (per copy, per page): ``catalog.fees``.
        "fee": Fee.of_dossier(dossier).text(),
        "applicant_sex": "" if hidden else dossier.get_applicant_sex_display(),
        "form_sections": [] if hidden else _form_sections(dossier),
        "documents": list(dossier.documents.all()),
        "timeline": timeline,
        "seen_seq": events[-1].seq if events else 0,
        "actions": actions,
        "units": dossier.center.units.order_by("name"),
        "staff": staff,
        "deliveries": ResultDelivery.choices,
        "error": error,
        "failed_action": failed_action,
        "posted": posted or {},
        "read_only": not actions,
        "default_open": default_open,
        "panels": render_panels("officer", request, dossier),
    }


def _signing_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """What the leader reads before signing: the draft's pages and their own certificates."""
    from motcua.backoffice.result_views import draft_bytes
    from motcua.signing import preview
    from motcua.signing.services import own_certificates

    pages: list[int] = []
    if preview.rasterizer() is not None:
        pages = list(range(1, preview.page_count(draft_bytes(request, dossier)) + 1))
    return {"pages": pages, "certificates": own_certificates(request.user)}


@officer_required
@require_GET
def dossier_page(request: OfficerRequest, code: str) -> HttpResponse:
    dossier = dossier_for(request.membership, code)
    return render(request, "backoffice/dossier.html", _dossier_context(request, dossier))


# Ids and sequence numbers: ASCII digits only ("²".isdigit() is true but int() refuses it), and
# short enough for the database's integer columns.
_MAX_ID_DIGITS = 12
# A new appointment (Mẫu 04) is days or weeks away; a year bounds what a typing slip can set
# and keeps every later date computation (working time, the slip) inside datetime's range.
RESCHEDULE_HORIZON = timedelta(days=366)
_ACTION_TEXT_FIELDS = {
    "note": gettext_lazy("Ghi chú, lý do"),
    "new_due_at": gettext_lazy("Ngày giờ hẹn mới"),
    "delivery": gettext_lazy("Hình thức trả kết quả"),
}


def _int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= _MAX_ID_DIGITS:
        return int(raw)
    return None


class InvalidInput(Exception):
    pass


def _new_due_at(raw: str, now: datetime) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    invalid = InvalidInput(
        _(
            "Ngày giờ hẹn mới không hợp lệ. Chọn một ngày, giờ có thật trong vòng một năm tới, "
            "ví dụ 10/07/2025 09:00."
        )
    )
    try:
        moment = parse_datetime(raw) if len(raw) <= 40 else None
    except ValueError:  # well formed but impossible: "9999-99-99T99:99"
        raise invalid from None
    if moment is None:
        raise invalid
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, local_tz())
    if not now - RESCHEDULE_HORIZON <= moment <= now + RESCHEDULE_HORIZON:
        raise invalid
    return moment.astimezone(local_tz())


def _check_text_fields(post) -> None:
    """Refuse NUL, control and invisible characters before anything reaches the database."""
    for name, label in _ACTION_TEXT_FIELDS.items():
        char = first_unsafe_character(post.get(name, "") or "")
        if char is not None:
            raise InvalidInput(unsafe_text_message(char, str(label)))


def _action_data(action: str, post, dossier: Dossier, now: datetime) -> dict[str, Any]:
    """The action's own inputs, parsed; choices outside this center are refused here."""
    _check_text_fields(post)
    if action == EventAction.ASSIGN:
        unit_id, user_id = _int_or_none(post.get("unit_id")), _int_or_none(post.get("user_id"))
        if (
            user_id is not None
            and not StaffMembership.objects.filter(
                user_id=user_id, center=dossier.center_id, is_active=True
            ).exists()
        ):
            raise InvalidInput(_("Cán bộ được chọn không làm việc tại trung tâm này."))
        return {"unit_id": unit_id, "user_id": user_id}
    if action == EventAction.RESCHEDULE:
        return {"new_due_at": _new_due_at(post.get("new_due_at") or "", now)}
    if action == EventAction.RETURN_RESULT:
        return {"delivery": post.get("delivery") or dossier.result_delivery}
    if action == EventAction.REQUEST_SUPPLEMENT:
        names = dict(supplement_choices(dossier))
        chosen = post.getlist("missing")
        if any(value not in names for value in chosen):
            raise InvalidInput(_("Thành phần hồ sơ được chọn không thuộc hồ sơ này."))
        return {"missing": [names[value] for value in dict.fromkeys(chosen)]}
    return {}


@officer_required
@require_POST
def dossier_action(request: OfficerRequest, code: str, action: str) -> HttpResponse:
    membership = request.membership
    dossier = dossier_for(membership, code)
    if action not in EventAction.values or action == EventAction.RECEIVE:
        raise Http404(action)
    posted: dict[str, Any] = {
        k: request.POST.get(k, "") for k in ("note", "unit_id", "user_id", "new_due_at")
    }
    posted["missing"] = request.POST.getlist("missing")

    def refused(message: str, status: int, *, keep_input: bool = True) -> HttpResponse:
        dossier.refresh_from_db()
        context = _dossier_context(
            request,
            dossier,
            error=message,
            failed_action=action if keep_input else "",
            posted=posted if keep_input else {},
        )
        return render(request, "backoffice/dossier.html", context, status=status)

    now = clock()
    try:
        data = _action_data(action, request.POST, dossier, now)
    except InvalidInput as exc:
        return refused(str(exc), 422)
    try:
        with transaction.atomic():
            perform(
                dossier.pk,
                ActionRequest(
                    action=action,
                    role=membership.role,
                    actor=f"user:{request.user.pk}",
                    seen_seq=_int_or_none(request.POST.get("seen_seq")) or 0,
                    now=now,
                    note=request.POST.get("note", ""),
                    data=data,
                ),
            )
            if action == EventAction.SIGN:
                # Signing the result PDF is part of the leader's act: without a valid signature
                # the status change rolls back too.
                _sign_result_pdf(request, dossier, now)
    except StaleDossier as exc:
        # The page is shown again with the newest state and timeline; what the officer typed
        # is kept so that they can re-send it once they have checked.
        return refused(exc.message, exc.status_code)
    except ActionError as exc:
        return refused(exc.message, exc.status_code)
    messages.success(
        request,
        _("Đã “%(action)s” hồ sơ %(code)s.")
        % {"action": EventAction(action).label, "code": dossier.code},
    )
    return redirect("backoffice:dossier", code=dossier.code)


def _sign_result_pdf(request: HttpRequest, dossier: Dossier, now: datetime) -> None:
    from motcua.signing.services import SigningError, own_certificates, public_base_url, sign_result

    # Only the signer's own certificates are ever looked up: an id of another leader's
    # certificate finds nothing here, so it can be neither chosen nor used.
    own = own_certificates(request.user)
    if not own:
        raise ActionError(
            _(
                "Bạn chưa được khai báo chứng thư số để ký kết quả. Xin quản trị viên khai báo "
                "trong trang quản trị (Chứng thư số) hoặc chạy “motcua pki demo” khi dùng thử."
            ),
            409,
        )
    raw_choice = request.POST.get("certificate_id", "")
    certificate = own[0]
    if raw_choice:
        chosen = _int_or_none(raw_choice)
        picked = next((c for c in own if c.pk == chosen), None)
        if picked is None:
            raise ActionError(
                _("Chỉ được ký bằng chứng thư số của chính mình. Xin chọn lại chứng thư số."),
                403,
            )
        certificate = picked
    dossier.refresh_from_db()
    try:
        sign_result(
            dossier,
            certificate=certificate,
            signer_user=request.user,
            now=now,
            base_url=public_base_url(request),
        )
    except SigningError as exc:
        raise ActionError(exc.message, exc.status_code) from None


@officer_required
@require_GET
def document_file(request: OfficerRequest, code: str, position: int) -> FileResponse:
    dossier = dossier_for(request.membership, code)
    if personal_data_hidden(request.membership):
        raise Http404(position)  # the files carry the applicant's personal data
    document = dossier.documents.filter(position=position).exclude(file="").first()
    if document is None:
        raise Http404(position)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type or "application/octet-stream",
        filename=(document.file.name or "").rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response
