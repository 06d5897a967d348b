from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_http_methods

from motcua.guides.models import ProcedureGuide
from motcua.guides.ranges import ranged_response


def _published(guide_id: int) -> ProcedureGuide:
    guide = (
        ProcedureGuide.objects.filter(pk=guide_id, is_published=True, center__is_active=True)
        .select_related("center")
        .first()
    )
    if guide is None:
        raise Http404(guide_id)
    return guide


@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, guide_id: int) -> HttpResponseBase:
    guide = _published(guide_id)
    return ranged_response(request, guide.media, guide.media_type or "application/octet-stream")


@require_http_methods(["GET", "HEAD"])
def captions(request: HttpRequest, guide_id: int) -> HttpResponseBase:
    guide = _published(guide_id)
    if not guide.captions:
        raise Http404(guide_id)
    return ranged_response(request, guide.captions, "text/vtt; charset=utf-8")
