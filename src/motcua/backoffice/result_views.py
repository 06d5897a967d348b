"""The result document in the back office: the draft the leader reads before signing, its pages
as images, and the signed file.

Same access as the dossier page (``officer_required`` + ``dossier_for``: another center's dossier
is a 404) and, like the documents, never for a provincial viewer: the result carries the
applicant's personal data (Nghị định 13/2023/NĐ-CP). URLs hold the dossier code and row ids
only; responses are not cached.
"""

from __future__ import annotations

from typing import TypeVar

from csp.constants import SELF
from csp.decorators import csp_replace
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from motcua.backoffice.access import OfficerRequest, dossier_for, officer_required
from motcua.dossiers.models import Dossier
from motcua.signing import preview
from motcua.signing.services import own_certificates, render_draft


def _readable_dossier(request: OfficerRequest, code: str) -> Dossier:
    from motcua.backoffice.views import personal_data_hidden

    dossier = dossier_for(request.membership, code)
    if personal_data_hidden(request.membership):
        raise Http404(code)
    return dossier


def draft_bytes(request: HttpRequest, dossier: Dossier) -> bytes:
    """The draft as this officer would sign it: their own newest certificate names the signer."""
    from motcua.backoffice.views import clock

    certificates = own_certificates(request.user)
    return render_draft(dossier, certificate=certificates[0] if certificates else None, now=clock())


_Response = TypeVar("_Response", bound=HttpResponseBase)


def _private(response: _Response) -> _Response:
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Framed by the dossier page when no rasterizer is installed: same origin only.
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
@officer_required
@require_GET
def draft_pdf(request: OfficerRequest, code: str) -> HttpResponse:
    dossier = _readable_dossier(request, code)
    response = HttpResponse(draft_bytes(request, dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-ket-qua-{dossier.code}.pdf"'
    return _private(response)


@officer_required
@require_GET
def draft_page(request: OfficerRequest, code: str, page: int) -> HttpResponse:
    dossier = _readable_dossier(request, code)
    try:
        image = preview.page_png(draft_bytes(request, dossier), page)
    except preview.PreviewError:
        raise Http404(page) from None
    return _private(HttpResponse(image, content_type="image/png"))


@officer_required
@require_GET
def signed_file(request: OfficerRequest, code: str, result_id: int) -> FileResponse:
    dossier = _readable_dossier(request, code)
    result = dossier.signed_results.filter(pk=result_id).first()
    if result is None:
        raise Http404(result_id)
    try:
        handle = result.file.open("rb")
    except OSError:
        raise Http404(result_id) from None
    response = FileResponse(
        handle,
        content_type="application/pdf",
        filename=f"ket-qua-{dossier.code}-{result.pk}.pdf",
    )
    return _private(response)


urlpatterns = [
    path("ho-so/<str:code>/ket-qua/du-thao.pdf", draft_pdf, name="result_draft"),
    path("ho-so/<str:code>/ket-qua/du-thao/trang-<int:page>.png", draft_page, name="result_page"),
    path("ho-so/<str:code>/ket-qua/<int:result_id>.pdf", signed_file, name="signed_result"),
]
