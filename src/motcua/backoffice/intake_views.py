"""Receiving a dossier at the counter: a walk-in citizen, or a dossier that came by post.

The reception officer does what the kiosk lets a citizen do, with the same pieces
(``motcua.dossiers.intake``): read the chip ID card (the handheld scanner types the QR into a
field) or type the 12-digit number, choose the procedure (finder, popular ones, by field), fill
the procedure's e-form for the citizen, scan or tick each paper really handed in, and submit
through ``submit_dossier`` (channel ``counter``, or ``postal`` without a queue ticket; actor
``user:<id>``, the officer), then print Mẫu 01 from the dossiers app's slip route.

Only an active reception officer of a center receives, and always at their own center: the
workflow table gives receipt to reception alone (``dossiers.states``), and a center
administrator, leader, specialist or provincial viewer acts on no receipt.

The work in progress lives in the officer's server-side session under one key (Nghị định
13/2023/NĐ-CP: no personal data in URLs; the card reading is the signed token of
``identity.signing``, usable 30 minutes). Each showing of the form screen gets its own key: a
double click or a retried request sends it again and ``submit_dossier`` returns the dossier it
already created; a form screen left over from another citizen (another tab, the Back button)
has a key that no longer matches and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.backoffice import intake_hooks, views
from motcua.backoffice.access import CenterOfficerRequest, OfficerRequest, officer_required
from motcua.catalog.fees import Fee
from motcua.catalog.models import Procedure, Sector
from motcua.core.text import first_unsafe_character, unsafe_text_message
from motcua.dossiers import documents as dossier_documents
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import DossierError, appointment_preview, submit_dossier
from motcua.dossiers.states import Channel, ResultDelivery, Role
from motcua.eforms.registry import definition_for
from motcua.eforms.rendering import (
    OFFICER,
    EForm,
    build_form,
    card_values,
    form_data,
    keep_uploads,
    release_uploads,
)
from motcua.eforms.uploads import UploadStore
from motcua.identity.parsing import IdentityError, parse_identity
from motcua.identity.signing import card_token_max_age, sign_card

SESSION_KEY = "counter_intake"
# NĐ 61/2018 Đ.15 (now NĐ 118/2025): the reception officer (cán bộ tiếp nhận) receives; the
# workflow table gives every receipt action to this role alone.
INTAKE_ROLES = frozenset({Role.RECEPTION})
CHANNELS = {Channel.COUNTER.value: Channel.COUNTER, Channel.POSTAL.value: Channel.POSTAL}
DEFAULT_DELIVERY = {
    Channel.COUNTER: ResultDelivery.AT_CENTER,
    Channel.POSTAL: ResultDelivery.POSTAL,
}
DELIVERIES = (ResultDelivery.AT_CENTER, ResultDelivery.POSTAL)
MAX_SCAN_CHARS = 2000
MAX_QUERY_CHARS = 200
MAX_TICKET_DIGITS = 12
POPULAR_COUNT = 8
STEPS = [
    gettext_lazy("Thẻ căn cước"),
    gettext_lazy("Chọn thủ tục"),
    gettext_lazy("Tờ khai và giấy tờ"),
    gettext_lazy("Phiếu hẹn"),
]


class InvalidInput(Exception):
    pass


# Access and state


def intake_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A signed-in reception officer of a center; the pages are never cached (personal data)."""

    @wraps(view)
    def checked(request: OfficerRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        membership = request.membership
        center = membership.center
        if membership.role not in INTAKE_ROLES or center is None:
            return render(
                request,
                "backoffice/403.html",
                {
                    "title": _("Không được tiếp nhận hồ sơ"),
                    "message": _(
                        "Chỉ cán bộ tiếp nhận và trả kết quả của trung tâm được tiếp nhận hồ sơ "
                        "tại quầy hoặc qua bưu chính."
                    ),
                    "membership": membership,
                },
                status=403,
            )
        intake_request = cast(CenterOfficerRequest, request)
        intake_request.center = center
        response = view(intake_request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return officer_required(checked)


def _state(request: OfficerRequest) -> dict[str, Any]:
    """This officer's intake at this center, or {} (a session of another account or center
    is never picked up)."""
    state = request.session.get(SESSION_KEY)
    membership = request.membership
    if (
        not isinstance(state, dict)
        or state.get("user") != request.user.pk
        or state.get("center") != membership.center_id
    ):
        return {}
    return state


def _new_state(request: OfficerRequest, channel: Channel, ticket: int | None) -> dict[str, Any]:
    return {
        "user": request.user.pk,
        "center": request.membership.center_id,
        "channel": channel.value,
        "ticket": ticket,
    }


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _wipe(request: HttpRequest) -> None:
    """Forget the citizen (NĐ 13/2023/NĐ-CP). Scans parked by forms nobody finished are deleted
    once older than a card reading stays usable: no submission can pick them up any more."""
    request.session.pop(SESSION_KEY, None)
    UploadStore().purge(older_than_seconds=card_token_max_age() + 60)


def _today() -> date:
    return timezone.localdate(views.clock())


def _offered():
    return intake.receivable_procedures(_today())


def _ticket(raw: object) -> int | None:
    """The queue ticket being served (an id of the queue app), or None."""
    text = (raw if isinstance(raw, str) else "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_TICKET_DIGITS):
        raise InvalidInput(_("Mã phiếu thứ tự không hợp lệ: chỉ gồm chữ số."))
    return int(text)


def _channel(raw: object) -> Channel:
    channel = CHANNELS.get(raw if isinstance(raw, str) else "")
    if channel is None:
        raise InvalidInput(_("Chọn hồ sơ nhận tại quầy hay nhận qua bưu chính."))
    return channel


def _context(request: OfficerRequest, step: int, state: dict[str, Any], **extra) -> dict[str, Any]:
    channel = state.get("channel") or Channel.COUNTER.value
    return {
        "membership": request.membership,
        "steps": STEPS,
        "step": step,
        "intake": state,
        "channel": channel,
        "channel_label": Channel(channel).label,
        "ticket": state.get("ticket"),
        **extra,
    }


def _card(state: dict[str, Any]) -> dict[str, Any]:
    """The verified card reading; IdentityError when there is none, or it expired."""
    return intake.card_from_token(state.get("card_token", ""))


def _scan_again(request: OfficerRequest, state: dict[str, Any], exc: IdentityError) -> HttpResponse:
    """No card reading, or it expired between steps: ask for the card again."""
    fresh = _new_state(
        request, CHANNELS.get(state.get("channel", ""), Channel.COUNTER), state.get("ticket")
    )
    _wipe(request)
    _save(request, fresh)
    errors = [e.message for e in exc.errors] if state.get("card_token") else []
    return render(
        request, "backoffice/intake_start.html", _context(request, 1, fresh, errors=errors)
    )


# Step 1: the card


@intake_required
@require_http_methods(["GET", "POST"])
def start(request: CenterOfficerRequest) -> HttpResponse:
    """A new intake (GET, optionally ``?ticket=<id>`` from the queue screen), then the card."""
    if request.method == "GET":
        try:
            ticket = _ticket(request.GET.get("ticket"))
        except InvalidInput as exc:
            state = _new_state(request, Channel.COUNTER, None)
            return render(
                request,
                "backoffice/intake_start.html",
                _context(request, 1, state, errors=[str(exc)]),
                status=400,
            )
        # A new intake never shows the previous citizen's data.
        _wipe(request)
        state = _new_state(request, Channel.COUNTER, ticket)
        _save(request, state)
        return render(request, "backoffice/intake_start.html", _context(request, 1, state))

    scan = request.POST.get("scan", "")[:MAX_SCAN_CHARS]
    state = _new_state(request, Channel.COUNTER, None)
    try:
        channel = _channel(request.POST.get("channel"))
        ticket = _ticket(request.POST.get("ticket"))
        state = _new_state(request, channel, ticket)
        if channel == Channel.POSTAL and ticket is not None:
            raise InvalidInput(
                _("Hồ sơ nhận qua bưu chính không có phiếu thứ tự: chọn “Tại quầy” hoặc bỏ phiếu.")
            )
        identity = parse_identity(scan)
    except InvalidInput as exc:
        errors = [str(exc)]
    except IdentityError as exc:
        errors = [e.message for e in exc.errors]
    else:
        _wipe(request)
        state["card_token"] = sign_card(identity)
        _save(request, state)
        return redirect("backoffice:intake_procedure")
    return render(
        request,
        "backoffice/intake_start.html",
        _context(request, 1, state, errors=errors, scan=scan),
        status=400,
    )


# Step 2: the procedure


def _choice_context(request: OfficerRequest, state: dict[str, Any], card: dict, **extra) -> dict:
    offered = _offered()
    popular = offered.exclude(popularity=None).select_related("sector").order_by("popularity")
    return _context(
        request,
        2,
        state,
        card=card,
        popular=popular[:POPULAR_COUNT],
        sectors=intake.sectors_with_counts(offered),
        **extra,
    )


@intake_required
@require_http_methods(["GET", "POST"])
def choose(request: CenterOfficerRequest) -> HttpResponse:
    """Popular procedures, fields, and the finder. The search text travels in the POST body."""
    state = _state(request)
    try:
        card = _card(state)
    except IdentityError as exc:
        return _scan_again(request, state, exc)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        query = " ".join(request.POST.get("q", "").split())[:MAX_QUERY_CHARS]
        char = first_unsafe_character(query)
        if char is not None:
            extra["search_error"] = unsafe_text_message(char, _("Nội dung tìm kiếm"))
        elif not query:
            extra["search_error"] = _("Nhập tên thủ tục hoặc việc công dân cần làm.")
        else:
            results, error = intake.find(query, offered=_offered())
            extra.update(query=query, results=results, search_error=error, searched=True)
        status = 400 if extra.get("search_error") else 200
        if request.headers.get("HX-Request"):
            return render(request, "backoffice/_intake_results.html", extra, status=status)
    return render(
        request,
        "backoffice/intake_procedure.html",
        _choice_context(request, state, card, **extra),
        status=status,
    )


@intake_required
@require_GET
def choose_sector(request: CenterOfficerRequest, sector: str) -> HttpResponse:
    state = _state(request)
    try:
        card = _card(state)
    except IdentityError as exc:
        return _scan_again(request, state, exc)
    field = Sector.objects.filter(code=sector).first()
    procedures = _offered().filter(sector=field).order_by("popularity", "name") if field else None
    if not procedures:
        return render(
            request,
            "backoffice/intake_procedure.html",
            _choice_context(
                request,
                state,
                card,
                search_error=_("Lĩnh vực này không có thủ tục đang tiếp nhận."),
            ),
            status=404,
        )
    return render(
        request,
        "backoffice/intake_sector.html",
        _context(request, 2, state, card=card, sector=field, procedures=procedures),
    )


# Step 3: the e-form and the papers, then the receipt


def _form(procedure: Procedure, card: dict, *, data=None, files=None) -> EForm:
    definition = definition_for(procedure.code)
    locked = card_values(definition, card)
    return build_form(
        definition,
        procedure=procedure,
        data=data,
        files=files,
        initial=locked,
        locked=locked,
        today=_today(),
        wording=OFFICER,
    )


def _form_page(
    request: CenterOfficerRequest,
    state: dict[str, Any],
    card: dict,
    procedure: Procedure,
    form: EForm,
    *,
    delivery: str,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    channel = Channel(state["channel"])
    due, fee = appointment_preview(
        request.center,
        procedure,
        channel,
        views.clock(),
    )
    context = _context(
        request,
        3,
        state,
        card=card,
        procedure=procedure,
        form=form,
        submit_key=state.get("submit_key", ""),
        deliveries=[(d.value, d.label) for d in DELIVERIES],
        delivery=delivery,
        due=due,
        # Before the form is filled the copies are unknown: a per-copy fee is stated per copy.
        fee=fee.text(),
        errors=errors or [],
    )
    return render(request, "backoffice/intake_form.html", context, status=status)


def _stale(request: OfficerRequest, state: dict[str, Any]) -> HttpResponse:
    """A form screen that is not the current one: refused, and the current intake (another tab,
    the next citizen) is left as it is."""
    context = {
        "membership": request.membership,
        "message": _(
            "Hồ sơ trên màn hình này đã được tiếp nhận, hoặc đã bắt đầu tiếp nhận hồ sơ khác sau "
            "khi mở màn hình này. Không có gì được lưu từ màn hình cũ."
        ),
        "current": bool(state.get("card_token")),
        "received": bool(state.get("dossier_code")),
    }
    return render(request, "backoffice/intake_stale.html", context, status=409)


@intake_required
@require_http_methods(["GET", "POST"])
def fill(request: CenterOfficerRequest, code: str) -> HttpResponse:
    state = _state(request)
    key = request.POST.get("submit_key", "") if request.method == "POST" else ""
    if key and key == state.get("done_key") and state.get("dossier_code"):
        # A second click, or a retry whose first answer was lost: the dossier exists.
        return redirect("backoffice:intake_done")
    try:
        card = _card(state)
    except IdentityError as exc:
        if request.method == "POST" and not state.get("card_token"):
            return _stale(request, state)
        return _scan_again(request, state, exc)
    procedure = _offered().filter(code=code[:32]).first()
    if procedure is None:
        return render(
            request,
            "backoffice/intake_procedure.html",
            _choice_context(
                request,
                state,
                card,
                search_error=_(
                    "Thủ tục mã “%(code)s” không có trong các thủ tục đang tiếp nhận tại trung "
                    "tâm (chưa công bố, đã hết hiệu lực hoặc mã không đúng)."
                )
                % {"code": code[:32]},
            ),
            status=404,
        )
    channel = Channel(state["channel"])

    if request.method == "GET":
        # One key per showing of the form screen: the idempotency key of its submission.
        state.update(submit_key=uuid.uuid4().hex, procedure=procedure.code)
        _save(request, state)
        form = _form(procedure, card)
        return _form_page(request, state, card, procedure, form, delivery=DEFAULT_DELIVERY[channel])

    if not key or key != state.get("submit_key") or state.get("procedure") != procedure.code:
        return _stale(request, state)
    form = _form(procedure, card, data=request.POST, files=request.FILES)
    delivery = request.POST.get("delivery", "")
    errors = []
    if delivery not in DELIVERIES:
        errors.append(_("Chọn nơi công dân nhận kết quả."))
        delivery = DEFAULT_DELIVERY[channel]
    if not form.is_valid() or errors:
        if form.is_valid():
            keep_uploads(form)
        return _form_page(
            request, state, card, procedure, form, delivery=delivery, errors=errors, status=400
        )

    actor = f"user:{request.user.pk}"
    now = views.clock()
    written: list[str] = []
    try:
        with transaction.atomic():
            dossier, created = submit_dossier(
                center=request.center,
                procedure=procedure,
                applicant=intake.applicant(card, form),
                form_data=form_data(form),
                form_version=form.definition.version,
                documents=intake.submitted_documents(form, received_by_officer=True),
                channel=channel,
                actor=actor,
                idempotency_key=f"{actor}:{key}",
                now=now,
                result_delivery=delivery,
                copies_requested=intake.copies_asked(form),
            )
            if created:
                written = intake.stored_files(dossier)
                dossier_documents.store_intake_scans(dossier, actor=actor, now=now)
                intake_hooks.after_counter_intake(request, dossier, state.get("ticket"))
    except BaseException as exc:
        # Rolled back after the dossier's files were written: nothing may stay half-saved.
        if written:
            intake.remove_files(dossier.code, written)
        if not isinstance(exc, DossierError):
            raise
        keep_uploads(form)
        return _form_page(
            request,
            state,
            card,
            procedure,
            form,
            delivery=delivery,
            errors=[exc.message],
            status=exc.status_code,
        )
    release_uploads(form)
    # The citizen's card and answers leave the session; the code stays for the slip page.
    _save(
        request,
        {
            **_new_state(request, channel, state.get("ticket")),
            "done_key": key,
            "dossier_code": dossier.code,
        },
    )
    return redirect("backoffice:intake_done")


# Step 4: the slip


@intake_required
@require_GET
def done(request: CenterOfficerRequest) -> HttpResponse:
    state = _state(request)
    code = state.get("dossier_code")
    dossier = (
        Dossier.objects.select_related("procedure", "unit")
        .filter(code=code, center=request.membership.center_id)
        .first()
        if code
        else None
    )
    if dossier is None:
        return redirect("backoffice:intake_start")
    slip = reverse("dossiers:slip", args=[dossier.code])
    return render(
        request,
        "backoffice/intake_done.html",
        _context(
            request,
            4,
            state,
            dossier=dossier,
            documents=list(dossier.documents.order_by("position")),
            fee=Fee.of_dossier(dossier).text(),
            slip_a5=f"{slip}?kho=a5",
            slip_80=f"{slip}?kho=80",
        ),
    )


@intake_required
@require_POST
def cancel(request: CenterOfficerRequest) -> HttpResponse:
    """Stop this intake: nothing was received, the citizen's data leaves the session."""
    received = bool(_state(request).get("dossier_code"))
    _wipe(request)
    if not received:
        messages.info(request, _("Đã hủy phiên tiếp nhận; không có hồ sơ nào được tạo."))
    return redirect("backoffice:inbox")


urlpatterns = [
    path("tiep-nhan/", start, name="intake_start"),
    path("tiep-nhan/thu-tuc/", choose, name="intake_procedure"),
    path("tiep-nhan/thu-tuc/linh-vuc/<slug:sector>/", choose_sector, name="intake_sector"),
    path("tiep-nhan/to-khai/<str:code>/", fill, name="intake_form"),
    path("tiep-nhan/phieu-hen/", done, name="intake_done"),
    path("tiep-nhan/ket-thuc/", cancel, name="intake_cancel"),
]
