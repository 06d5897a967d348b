"""Officer actions on a dossier's components: digitize a scan, or reuse the citizen's stored copy.

Thin edges: access (``officer_required``, ``dossier_for``, the role), parse the form, call one
service of ``motcua.dossiers.documents`` inside ``transaction.atomic()``, redirect back to the
dossier page with a message. The rules live in the service.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice import views
from motcua.backoffice.access import OfficerRequest, dossier_for, officer_required
from motcua.dossiers import documents
from motcua.dossiers.models import CitizenDocument, Dossier, DossierDocument
from motcua.dossiers.states import Role

# Reception scans at the counter; the specialist digitizes what reception could not. Leaders,
# administrators and provincial viewers read only.
DIGITIZING_ROLES = frozenset({Role.RECEPTION, Role.SPECIALIST})


def may_digitize(membership) -> bool:
    return membership is not None and membership.role in DIGITIZING_ROLES


def _component(
    request: OfficerRequest, code: str, position: int
) -> tuple[Dossier, DossierDocument]:
    dossier = dossier_for(request.membership, code)
    document = dossier.documents.filter(position=position).first()
    if document is None:
        raise Http404(position)
    return dossier, document


def _not_allowed(request: OfficerRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/403.html",
        {
            "title": _("Không được số hóa giấy tờ"),
            "message": _(
                "Chỉ cán bộ tiếp nhận và công chức chuyên môn được số hóa hoặc dùng lại giấy tờ."
            ),
            "membership": request.membership,
        },
        status=403,
    )


def _back(dossier: Dossier) -> HttpResponse:
    response = redirect("backoffice:dossier", code=dossier.code)
    response["Location"] += "#giay-to"
    return response


@officer_required
@require_POST
def digitize(request: OfficerRequest, code: str, position: int) -> HttpResponse:
    dossier, document = _component(request, code, position)
    if not may_digitize(request.membership):
        return _not_allowed(request)
    raw_until = request.POST.get("valid_until", "").strip()
    try:
        valid_until = date.fromisoformat(raw_until) if raw_until else None
    except ValueError:
        messages.error(request, _("Ngày hết hiệu lực không hợp lệ."))
        return _back(dossier)
    try:
        with transaction.atomic():
            documents.digitize_component(
                document,
                request.FILES.get("file"),
                actor=f"user:{request.user.pk}",
                now=views.clock(),
                valid_until=valid_until,
            )
    except documents.DocumentError as exc:
        messages.error(request, exc.message)
        return _back(dossier)
    messages.success(request, _("Đã số hóa thành phần “%(name)s”.") % {"name": document.name[:120]})
    return _back(dossier)


@officer_required
@require_POST
def reuse(
    request: OfficerRequest, code: str, position: int, citizen_document_id: int
) -> HttpResponse:
    dossier, document = _component(request, code, position)
    if not may_digitize(request.membership):
        return _not_allowed(request)
    # Only this applicant's store: another citizen's document is "not found", never "forbidden".
    stored = CitizenDocument.objects.filter(
        pk=citizen_document_id, owner_id_number=documents.store_owner(dossier) or None
    ).first()
    if stored is None:
        raise Http404(citizen_document_id)
    try:
        with transaction.atomic():
            documents.reuse_component(
                document, stored, actor=f"user:{request.user.pk}", now=views.clock()
            )
    except documents.NotInStore:
        raise Http404(citizen_document_id) from None
    except documents.DocumentError as exc:
        messages.error(request, exc.message)
        return _back(dossier)
    messages.success(
        request,
        _("Đã dùng lại giấy tờ đã số hóa cho thành phần “%(name)s”, không cần quét lại.")
        % {"name": document.name[:120]},
    )
    return _back(dossier)


@officer_required
@require_GET
def stored_file(request: OfficerRequest, code: str, position: int, citizen_document_id: int):
    """A stored document offered for this component, to look at before attaching it."""
    dossier, document = _component(request, code, position)
    if not may_digitize(request.membership):
        return _not_allowed(request)
    offered = {d.pk: d for d in documents.reusable_for(document, today=_today())}
    stored = offered.get(citizen_document_id)
    if stored is None:
        raise Http404(citizen_document_id)
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        filename=(stored.file.name or "").rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _today() -> date:
    return documents.local_day(views.clock())
