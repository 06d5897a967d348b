"""The officers' feedback queue: their own center's feedback only, with assign, answer, close.

Access as in the back office (``backoffice.access.officer_required``): a signed-in member of a
center. A provincial viewer gets a 403 (feedback carries contacts, personal data under NĐ
13/2023/NĐ-CP); another center's feedback is a 404, like a reference that does not exist.
"""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.backoffice.access import OfficerRequest, officer_required
from motcua.core.views import require_safe
from motcua.dossiers.states import Role
from motcua.feedback import services
from motcua.feedback.models import Feedback
from motcua.feedback.states import OPEN_STATUSES, FeedbackAction, available_actions


def _refuse_viewer(request: OfficerRequest) -> HttpResponse | None:
    if request.membership.role == Role.PROVINCIAL_VIEWER or request.membership.center_id is None:
        return render(
            request,
            "backoffice/403.html",
            {
                "title": _("Không có quyền xem phản ánh, kiến nghị"),
                "message": _("Phản ánh, kiến nghị do cán bộ của trung tâm tiếp nhận xử lý."),
                "membership": request.membership,
            },
            status=403,
        )
    return None


def _feedback_for(request: OfficerRequest, reference: str) -> Feedback:
    feedback = (
        Feedback.objects.select_related("center", "dossier", "assignee")
        .filter(center=request.membership.center_id, reference=reference[:30])
        .first()
    )
    if feedback is None:
        raise Http404(reference)
    return feedback


@officer_required
@require_safe
def queue(request: OfficerRequest) -> HttpResponse:
    refused = _refuse_viewer(request)
    if refused:
        return refused
    rows = Feedback.objects.filter(center=request.membership.center_id).select_related("assignee")
    show_all = request.GET.get("tat-ca") == "1"
    if not show_all:
        rows = rows.filter(status__in=OPEN_STATUSES)
    return render(
        request,
        "feedback/officer_queue.html",
        {
            "membership": request.membership,
            "rows": rows.order_by("due_at", "pk")[:200],
            "show_all": show_all,
            "now": timezone.now(),
        },
    )


@officer_required
@require_safe
def detail(request: OfficerRequest, reference: str) -> HttpResponse:
    refused = _refuse_viewer(request)
    if refused:
        return refused
    feedback = _feedback_for(request, reference)
    return _detail(request, feedback)


def _detail(request, feedback, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "feedback/officer_detail.html",
        {
            "membership": request.membership,
            "feedback": feedback,
            "events": feedback.events.all(),
            "attachments": feedback.attachments.all(),
            "actions": available_actions(feedback.status),
            "handlers": services.handlers(feedback.center_id),
            "error": error,
            "now": timezone.now(),
        },
        status=status,
    )


@officer_required
@require_POST
def act(request: OfficerRequest, reference: str, action: str) -> HttpResponse:
    refused = _refuse_viewer(request)
    if refused:
        return refused
    feedback = _feedback_for(request, reference)
    now = timezone.now()
    try:
        with transaction.atomic():
            if action == FeedbackAction.ASSIGN:
                assignee = request.POST.get("assignee", "")
                services.assign(
                    feedback,
                    int(assignee) if assignee.isdigit() else None,
                    by=request.user,
                    now=now,
                )
            elif action == FeedbackAction.ANSWER:
                services.answer(feedback, request.POST.get("answer", ""), by=request.user, now=now)
            elif action == FeedbackAction.CLOSE:
                services.close(
                    feedback, by=request.user, now=now, note=request.POST.get("note", "")
                )
            else:
                raise Http404(action)
    except services.FeedbackError as exc:
        feedback.refresh_from_db()
        return _detail(request, feedback, error=exc.message, status=exc.status_code)
    return redirect("feedback:officer_detail", reference=feedback.reference)


@officer_required
@require_safe
def attachment(request: OfficerRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    refused = _refuse_viewer(request)
    if refused:
        return refused
    feedback = _feedback_for(request, reference)
    row = feedback.attachments.filter(pk=attachment_id).first()
    if row is None:
        raise Http404(attachment_id)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="{feedback.reference}-{row.pk}"'
    response["Cache-Control"] = "no-store, private"
    return response
