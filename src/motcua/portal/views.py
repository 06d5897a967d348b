"""The citizen portal's pages (/cong-dan/): sign-in, the citizen's page, submitting online.

Thin views: parse, count the rate limits, call one service in ``transaction.atomic()``, render.
No personal data in URLs: the ID number and the code travel in POST bodies only, a dossier is
named by its public code and opened only for its owner (another's is a 404).
"""

from __future__ import annotations

import logging
import math

from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.assist.services import current_assistance
from motcua.core.ratelimit import Limit, client_address, hit
from motcua.dossiers import intake
from motcua.dossiers.models import CitizenDocument, Dossier
from motcua.dossiers.panels import render_panels
from motcua.dossiers.services import DossierError, appointment_preview
from motcua.dossiers.states import Channel, DossierStatus, EventAction
from motcua.eforms.rendering import documents
from motcua.feedback import services as feedback
from motcua.feedback.forms import RatingForm
from motcua.feedback.models import ServiceRating
from motcua.feedback.states import RatingSource
from motcua.kiosk.flow import _summary, format_moment
from motcua.notices.models import Notice
from motcua.portal import oidc, services, session, submission
from motcua.portal.sealing import contact_digest, id_digest
from motcua.portal.session import CitizenRequest, citizen_required

logger = logging.getLogger("motcua.portal")

# Asking for codes is limited per ID number and per recipient address, whatever the client
# address or session (a stranger rotating addresses must not flood someone's phone with codes),
# and per client address. The recipient limit matters where the ID number's does not: typing
# many unknown numbers with one victim's phone as the declared address. Wrong codes: per
# challenge (services.max_wrong_codes) and per ID number across challenges and sessions, so
# asking for new codes from elsewhere does not reset the guessing budget. Keys are keyed hashes
# (sealing.id_digest, sealing.contact_digest), never the number or the address (NĐ 13/2023).
# Every refusal says the same "try again in N minutes", so it tells nothing about the number.
CODES_PER_ID = Limit("portal-code:id", hits=5, window_seconds=3600)
CODES_PER_RECIPIENT = Limit("portal-code:to", hits=5, window_seconds=3600)
CODES_PER_CLIENT = Limit("portal-code:ip", hits=20, window_seconds=3600)
WRONG_CODES_PER_ID = Limit("portal-wrong:id", hits=10, window_seconds=3600)
CHECKS_PER_CLIENT = Limit("portal-check:ip", hits=60, window_seconds=900)
MAX_FIELD = 300


def _refused(request: HttpRequest, template: str, context: dict, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    context["error"] = _("Bạn đã thử quá nhiều lần. Xin đợi %(minutes)d phút rồi thử lại.") % {
        "minutes": minutes
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _sign_in_context(**extra) -> dict:
    return {"vneid": oidc.config() is not None, "error": "", "ask_contact": False, **extra}


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if session.current(request) is not None:
            return redirect("portal:home")
        return render(request, "portal/sign_in.html", _sign_in_context())
    raw_contact = request.POST.get("contact", "")[:MAX_FIELD]
    context = _sign_in_context(ask_contact=bool(raw_contact))
    try:
        number = services.clean_id_number(request.POST.get("id_number", "")[:MAX_FIELD])
    except services.PortalError as exc:
        context["error"] = exc.message
        return render(request, "portal/sign_in.html", context, status=400)
    now = timezone.now()
    digest = id_digest(number)
    for limit, key in ((CODES_PER_CLIENT, client_address(request)), (CODES_PER_ID, digest)):
        verdict = hit(limit, key, now=now)
        if not verdict.allowed:
            return _refused(request, "portal/sign_in.html", context, verdict.retry_after)
    with transaction.atomic():
        services.purge_expired(now=now)
    try:
        destination = services.destination_for(number, raw_contact)
    except services.ContactNeeded as exc:
        context.update(error=exc.message, ask_contact=True)
        return render(request, "portal/sign_in.html", context, status=200)
    except services.PortalError as exc:
        context["error"] = exc.message
        return render(request, "portal/sign_in.html", context, status=exc.status_code)
    recipient = contact_digest(destination.channel, destination.recipient)
    verdict = hit(CODES_PER_RECIPIENT, recipient, now=now)
    # Refused only for the address typed now: refusing one known for the number (recorded, or
    # typed at an earlier sign-in) would tell a stranger who exhausted that address with unknown
    # numbers that this ID number is its owner's. A known address is still counted (it uses up
    # the typed-address budget) and CODES_PER_ID caps its codes.
    if not verdict.allowed and destination.typed:
        return _refused(request, "portal/sign_in.html", context, verdict.retry_after)
    try:
        with transaction.atomic():
            challenge = services.issue_code(number, destination=destination, now=now)
    except services.PortalError as exc:
        context["error"] = exc.message
        return render(request, "portal/sign_in.html", context, status=exc.status_code)
    request.session[session.CHALLENGE_KEY] = challenge.salt
    return redirect("portal:sign_in_code")


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    from motcua.portal.models import SignInCode

    salt = request.session.get(session.CHALLENGE_KEY, "")
    challenge = SignInCode.objects.filter(salt=salt).first() if salt else None
    if challenge is None:
        return redirect("portal:sign_in")
    context = {"masked": challenge.recipient_masked, "channel": challenge.channel, "error": ""}
    if request.method != "POST":
        return render(request, "portal/code.html", context)
    now = timezone.now()
    verdict = hit(CHECKS_PER_CLIENT, client_address(request), now=now)
    if not verdict.allowed:
        return _refused(request, "portal/code.html", context, verdict.retry_after)
    # Counted before the comparison and refunded when right: parallel guesses cannot slip past.
    wrong = hit(WRONG_CODES_PER_ID, challenge.id_digest, now=now)
    if not wrong.allowed:
        return _refused(request, "portal/code.html", context, wrong.retry_after)
    refusal = None
    with transaction.atomic():
        # Caught inside: a wrong code's count must be committed, not rolled back with the error.
        try:
            verified = services.verify_code(salt, request.POST.get("code", "")[:20], now=now)
        except services.PortalError as exc:
            refusal = exc
    if refusal is not None:
        context["error"] = refusal.message
        return render(request, "portal/code.html", context, status=refusal.status_code)
    hit(WRONG_CODES_PER_ID, challenge.id_digest, now=now, cost=-1)
    session.start(request, verified.citizen, verified.assurance)
    return redirect("portal:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.end(request)
    return redirect("portal:sign_in")


@require_GET
def vneid_begin(request: HttpRequest) -> HttpResponse:
    try:
        return oidc.begin(request)
    except oidc.SignInFailed as exc:
        logger.warning("VNeID sign-in could not start: %s", exc.reason)
        # Not configured: the page does not exist here. Configured but unreachable: 503.
        status = 404 if exc.reason == "off" else 503
        return render(
            request, "portal/sign_in.html", _sign_in_context(error=exc.message), status=status
        )


@require_GET
def vneid_callback(request: HttpRequest) -> HttpResponse:
    try:
        number = oidc.finish(request)
    except oidc.SignInFailed as exc:
        logger.warning("VNeID sign-in refused: %s", exc.reason)
        return render(
            request, "portal/sign_in.html", _sign_in_context(error=exc.message), status=400
        )
    with transaction.atomic():
        citizen = services.sign_in(number, now=timezone.now(), assurance="vneid")
    session.start(request, citizen, "vneid")
    return redirect("portal:home")


# --- the citizen's page --------------------------------------------------------------------


def _own_dossiers(signed_in: session.SignedIn):
    """Theirs: by ID number once the sign-in vouches for it, else only what they submitted
    here (a self-declared address must not open a stranger's earlier dossiers)."""
    mine = Q(online_submission__citizen=signed_in.citizen)
    number = services.id_number_of(signed_in.citizen)
    # An unreadable sealed number (the portal key rotated) is "": it must not match every
    # dossier that has no ID number.
    if signed_in.sees_records and services.PERSONAL_ID.match(number):
        mine |= Q(applicant_id_number=number)
    return Dossier.objects.filter(mine).select_related("procedure", "center")


def _own_papers(signed_in: session.SignedIn):
    number = services.id_number_of(signed_in.citizen)
    if not (signed_in.sees_records and services.PERSONAL_ID.match(number)):
        return CitizenDocument.objects.none()
    return CitizenDocument.objects.filter(owner_id_number=number).order_by("-created_at", "-id")


@require_GET
@citizen_required
def home(request: CitizenRequest) -> HttpResponse:
    signed_in = request.citizen
    dossiers = list(_own_dossiers(signed_in).order_by("-received_at")[:50])
    notices = list(
        Notice.objects.filter(dossier__in=[d.pk for d in dossiers])
        .select_related("dossier")
        .order_by("-created_at")[:20]
    )
    drafts = list(
        signed_in.citizen.drafts.filter(expires_at__gt=timezone.now()).select_related("procedure")
    )
    return render(
        request,
        "portal/home.html",
        {
            "signed_in": signed_in,
            "dossiers": dossiers,
            "papers": list(_own_papers(signed_in)[:50]),
            "notices": notices,
            "drafts": drafts,
        },
    )


def _own_dossier_or_404(request: CitizenRequest, code: str) -> Dossier:
    dossier = _own_dossiers(request.citizen).filter(code=code[:80]).first()
    if dossier is None:
        raise Http404
    return dossier


def _dossier_page(
    request: CitizenRequest,
    dossier: Dossier,
    *,
    rating_form: RatingForm | None = None,
    rating_error: str = "",
    status: int = 200,
) -> HttpResponse:
    events = [(event.at, _event_label(event)) for event in dossier.events.order_by("seq")]
    return render(
        request,
        "portal/dossier.html",
        {
            "signed_in": request.citizen,
            "dossier": dossier,
            "events": events,
            # The citizen signed in owns the dossier: what the tracking page shows after its
            # second factor (the payment QR or receipt) is theirs to see here.
            "panels": render_panels("track", request, dossier),
            "my_rating": ServiceRating.objects.filter(dossier=dossier).first(),
            "rating_form": rating_form,
            "rating_error": rating_error,
        },
        status=status,
    )


@require_GET
@citizen_required
def dossier_detail(request: CitizenRequest, code: str) -> HttpResponse:
    return _dossier_page(request, _own_dossier_or_404(request, code))


@require_POST
@citizen_required
def rate(request: CitizenRequest, code: str) -> HttpResponse:
    """The citizen rates her own dossier from her page (KPI 5.4), once, and comes back to it.
    Signed in and the owner: no tracking token needed, and the rating is the portal's."""
    dossier = _own_dossier_or_404(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _dossier_page(request, dossier, rating_form=form, status=400)
    try:
        with transaction.atomic():
            feedback.rate_dossier(
                dossier,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                source=RatingSource.PORTAL,
                actor="citizen:portal",
                now=timezone.now(),
            )
    except (DossierError, feedback.FeedbackError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        status = getattr(exc, "status_code", 409)
        return _dossier_page(request, dossier, rating_error=message, status=status)
    return redirect("portal:dossier", code=dossier.code)


def _event_label(event) -> str:
    if event.action == EventAction.RECEIVE and event.to_status == DossierStatus.SUBMITTED:
        return _("Nộp hồ sơ trực tuyến")
    if event.action in EventAction.values:
        return str(EventAction(event.action).label)
    return event.action


@require_GET
@citizen_required
def paper_file(request: CitizenRequest, citizen_document_id: int) -> FileResponse:
    paper = _own_papers(request.citizen).filter(pk=citizen_document_id).first()
    if paper is None or not paper.file:
        raise Http404
    try:
        handle = paper.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=paper.content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


# --- submitting online ---------------------------------------------------------------------


@require_GET
@citizen_required
def choose(request: CitizenRequest) -> HttpResponse:
    today = submission.local_today(timezone.now())
    offered = submission.online_procedures(today)
    query = request.GET.get("q", "")[:MAX_FIELD].strip()
    results, error = intake_find(query, offered) if query else ([], "")
    return render(
        request,
        "portal/choose.html",
        {
            "signed_in": request.citizen,
            "query": query,
            "results": results,
            "search_error": error,
            "procedures": offered.order_by("popularity", "name")[:30],
            "centers": list(submission.online_centers()),
        },
        status=400 if error else 200,
    )


def intake_find(query: str, offered):
    return intake.find(query, offered=offered)


@require_POST
@citizen_required
def start(request: CitizenRequest, code: str) -> HttpResponse:
    now = timezone.now()
    today = submission.local_today(now)
    procedure = submission.online_procedures(today).filter(code=code[:40]).first()
    if procedure is None:
        raise Http404
    centers = submission.online_centers()
    agency = request.POST.get("center", "")[:40]
    center = centers.filter(agency_code=agency).first() if agency else None
    if center is None:
        only = list(centers[:2])
        if len(only) != 1:
            return redirect("portal:choose")
        center = only[0]
    with transaction.atomic():
        draft = submission.new_draft(request.citizen, procedure, center, now=now)
    return redirect("portal:fill", draft=draft.pk)


def _draft_or_404(request: CitizenRequest, draft):
    found = submission.owned_draft(request.citizen, draft, now=timezone.now())
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@citizen_required
def fill(request: CitizenRequest, draft) -> HttpResponse:
    draft = _draft_or_404(request, draft)
    now = timezone.now()
    signed_in = request.citizen
    form = submission.stored_form(draft, signed_in)
    offers = submission.store_offers(signed_in, form, today=submission.local_today(now))
    status = 200
    saved = False
    if request.method == "POST":
        action = request.POST.get("action", "")[:40]
        undo = submission.undo_target(action, offers)
        data = submission.apply_reuse(request.POST, request.FILES, offers, undo=undo)
        form = submission.build(draft, signed_in, data=data, files=request.FILES)
        valid = form.is_valid()
        with transaction.atomic():
            submission.save(draft, form, now=now)
        if action == "save":
            saved = True
        elif undo is not None:
            pass  # the row asks again; nothing else to say
        elif valid:
            return redirect("portal:review", draft=draft.pk)
        else:
            status = 400
    form.stored = submission.stored_choices(form, offers)
    return render(
        request,
        "portal/fill.html",
        {"signed_in": signed_in, "draft": draft, "form": form, "saved": saved},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@citizen_required
def review(request: CitizenRequest, draft) -> HttpResponse:
    signed_in = request.citizen
    if request.method == "POST":
        key = request.POST.get("submit_key", "")[:64]
        done = submission.already_submitted(signed_in, key)
        if done is not None:
            return redirect("portal:dossier", code=done.code)
    draft = _draft_or_404(request, draft)
    now = timezone.now()
    form = submission.stored_form(draft, signed_in)
    if not form.is_bound or not form.is_valid():
        return redirect("portal:fill", draft=draft.pk)
    error = ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                dossier = submission.submit(
                    draft, signed_in, key=key, now=now, assistance=current_assistance(request)
                )
        except services.PortalError as exc:
            error = exc.message
        else:
            submission.discard(draft)
            return redirect("portal:dossier", code=dossier.code)
    # Read as _record_reuses reads it at submission (KPI 4.3): what the review says is reused is
    # what the dossier will record as reused.
    reused = submission.applied_reuses(draft.data or {})
    due, fee = appointment_preview(
        draft.center, draft.procedure, Channel.ONLINE, now, intake.copies_asked(form)
    )
    return render(
        request,
        "portal/review.html",
        {
            "signed_in": signed_in,
            "draft": draft,
            "summary": _summary(form),
            "attached": [
                (d["name"], d["document_id"] in reused)
                for d in documents(form)
                if d["file"] is not None
            ],
            "due_text": format_moment(due) if due else _("Theo quy định của thủ tục"),
            "fee_text": fee.text(),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
@citizen_required
def delete_draft(request: CitizenRequest, draft) -> HttpResponse:
    draft = _draft_or_404(request, draft)
    submission.discard(draft)
    return redirect("portal:home")
