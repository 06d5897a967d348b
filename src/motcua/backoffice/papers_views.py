"""Officer downloads of the paper forms (Mẫu 02–05) and the tracking book (Mẫu 06).

Thin edges: access through ``officer_required`` and ``dossier_for`` (another center's dossier is
a 404, as on the dossier page), the papers are rendered by ``dossiers.papers`` and
``dossiers.book``. They carry personal data (Nghị định 13/2023/NĐ-CP), so no cache keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.backoffice.access import OfficerRequest, dossier_for, officer_required
from motcua.dossiers import book, papers
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import EventAction

# The forms made from one event: the event's action, the renderer, the file name.
EVENT_FORMS: dict[str, tuple[str, Callable[[Dossier, DossierEvent], bytes], str]] = {
    "02": (EventAction.REQUEST_SUPPLEMENT, papers.render_supplement_request, "yeu-cau-bo-sung"),
    "03": (EventAction.REFUSE, papers.render_refusal, "tu-choi-tiep-nhan"),
    "04": (EventAction.RESCHEDULE, papers.render_apology, "xin-loi-hen-lai"),
}
CONTROL_SHEET = "05"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _event(dossier: Dossier, action: str, raw_seq: str | None) -> DossierEvent:
    """The event the paper is made from: ``?su-kien=<seq>``, or the latest of its kind."""
    events = dossier.events.filter(action=action)
    if raw_seq:
        # ASCII digits only ("²".isdigit() is true, int() refuses it) and a sane length.
        if not (raw_seq.isascii() and raw_seq.isdigit() and len(raw_seq) <= 9):
            raise Http404(raw_seq)
        events = events.filter(seq=int(raw_seq))
    event = events.order_by("-seq").first()
    if event is None:
        raise Http404(action)
    return event


@officer_required
@require_GET
def dossier_paper(request: OfficerRequest, code: str, form: str) -> HttpResponse:
    from motcua.backoffice.views import personal_data_hidden

    dossier = dossier_for(request.membership, code)
    if personal_data_hidden(request.membership):
        # The forms print the applicant's name, address and number (NĐ 13/2023/NĐ-CP).
        raise Http404(form)
    if form == CONTROL_SHEET:
        content, slug = papers.render_control_sheet(dossier), "phieu-kiem-soat"
    elif form in EVENT_FORMS:
        action, renderer, slug = EVENT_FORMS[form]
        content = renderer(dossier, _event(dossier, action, request.GET.get("su-kien")))
    else:
        raise Http404(form)
    return _download(
        content, "application/pdf", f"mau-{form}-{slug}-{dossier.code}.pdf", inline=True
    )


class BadBookRequest(Exception):
    pass


def _day(raw: str, what: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadBookRequest(
            _("%(what)s “%(raw)s” không hợp lệ: ghi theo dạng năm-tháng-ngày, ví dụ 2025-07-31.")
            % {"what": what, "raw": raw[:20]}
        ) from None


def _period(request: HttpRequest) -> tuple[date, date]:
    from motcua.backoffice import views
    from motcua.dossiers.services import VIETNAM

    raw_from = request.GET.get("tu", "").strip()
    raw_to = request.GET.get("den", "").strip()
    today = views.clock().astimezone(VIETNAM).date()
    # Without dates: this month so far, the book an officer prints most often.
    date_from = _day(raw_from, _("Ngày bắt đầu")) if raw_from else today.replace(day=1)
    date_to = _day(raw_to, _("Ngày kết thúc")) if raw_to else today
    try:
        book.check_range(date_from, date_to)
    except book.BookRangeError as exc:
        raise BadBookRequest(str(exc)) from None
    return date_from, date_to


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "backoffice/403.html",
        {"title": _("Không lập được sổ theo dõi hồ sơ"), "message": message},
        status=400,
    )


@officer_required
@require_GET
def tracking_book(request: OfficerRequest) -> HttpResponse:
    membership = request.membership
    center = membership.center
    if center is None:
        # A provincial viewer has no center: the book is kept by each center.
        return render(
            request,
            "backoffice/403.html",
            {
                "title": _("Sổ theo dõi hồ sơ lập theo từng trung tâm"),
                "message": _("Tài khoản cán bộ tỉnh không thuộc trung tâm nào."),
            },
            status=403,
        )
    kind = request.GET.get("dinh-dang", "xlsx")
    try:
        if kind not in ("xlsx", "pdf"):
            raise BadBookRequest(_("Định dạng phải là xlsx hoặc pdf."))
        date_from, date_to = _period(request)
    except BadBookRequest as exc:
        return _bad_request(request, str(exc))
    name = f"so-theo-doi-ho-so-{center.agency_code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    if kind == "pdf":
        content = book.tracking_book_pdf(center, date_from, date_to)
        return _download(content, "application/pdf", f"{name}.pdf", inline=True)
    content = book.tracking_book_xlsx(center, date_from, date_to)
    return _download(content, XLSX, f"{name}.xlsx", inline=False)


urlpatterns = [
    path("ho-so/<str:code>/mau/<str:form>.pdf", dossier_paper, name="paper"),
    path("so-theo-doi/", tracking_book, name="tracking_book"),
]
