"""Public dossier tracking and the appointment slip download. Thin: read, check, render.

The tracking page is public (a citizen scans the QR on the slip), so it shows no personal data
beyond masked initials (Nghị định 13/2023/NĐ-CP). The slip PDF carries the applicant's name,
address and phone, so it opens only for staff or with a short-lived signed link.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.centers.models import StaffMembership
from motcua.core.views import bad_request, error_response, require_safe
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import find_by_code, mask_name, normalize_code
from motcua.dossiers.services import check_slip_token
from motcua.dossiers.slip import render_slip_pdf
from motcua.dossiers.states import Role

SLIP_LAYOUTS = {"a5": "a5", "80": "receipt80"}


def tracking_url(request: HttpRequest, dossier: Dossier) -> str:
    """The absolute address printed in the QR code.

    A kiosk talks to the server on the local network; the citizen's phone must reach the public
    address, so ``MOTCUA_PUBLIC_URL`` (e.g. https://motcua.example.gov.vn) wins when set.
    """
    path = reverse("dossiers:track", args=[dossier.code])
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "").rstrip("/")
    return f"{public}{path}" if public else request.build_absolute_uri(path)


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    return error_response(
        request,
        404,
        _("Không tìm thấy hồ sơ"),
        _(
            "Không tìm thấy hồ sơ có mã “%(code)s”. Xin kiểm tra lại mã hồ sơ in trên giấy "
            "tiếp nhận hồ sơ và hẹn trả kết quả."
        )
        % {"code": code},
    )


@require_safe
def track_search(request: HttpRequest) -> HttpResponse:
    code = normalize_code(request.GET.get("ma"))
    if code:
        return redirect("dossiers:track", code=code)
    return render(request, "dossiers/track_search.html", {"submitted": "ma" in request.GET})


@require_safe
def track(request: HttpRequest, code: str) -> HttpResponse:
    dossier = find_by_code(code)
    if dossier is None:
        return _not_found(request, normalize_code(code))
    response = render(
        request,
        "dossiers/track.html",
        {
            "dossier": dossier,
            "masked_name": mask_name(dossier.applicant_name),
            "status_label": dossier.get_status_display(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _may_print_slip(user, dossier) -> bool:
    """Officers of the dossier's own center (and superusers) print its slip.

    Being staff elsewhere is no reason to read a citizen's slip (NĐ 13/2023/NĐ-CP); a provincial
    viewer gets no printed forms either, since the slip carries the whole identity.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        StaffMembership.objects.filter(user=user, is_active=True, center_id=dossier.center_id)
        .exclude(role=Role.PROVINCIAL_VIEWER)
        .exists()
    )


@require_safe
def slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    dossier = find_by_code(code)
    if dossier is None:
        return _not_found(request, normalize_code(code))
    layout = SLIP_LAYOUTS.get(request.GET.get("kho", "a5"))
    if layout is None:
        return bad_request(request)
    token = request.GET.get("t", "")
    if not _may_print_slip(request.user, dossier) and not (
        token and check_slip_token(token, dossier, now=timezone.now())
    ):
        return render(
            request,
            "core/error.html",
            {
                "status": 403,
                "title": _("Không có quyền xem giấy hẹn"),
                "message": _(
                    "Giấy tiếp nhận hồ sơ có thông tin cá nhân nên chỉ mở được bằng đường dẫn "
                    "in ra tại kiosk (có hiệu lực 15 phút) hoặc khi cán bộ đã đăng nhập. "
                    "Để xem tình trạng hồ sơ, xin dùng trang tra cứu."
                ),
            },
            status=403,
        )
    pdf = render_slip_pdf(dossier, layout=layout, tracking_url=tracking_url(request, dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-hen-{dossier.code}.pdf"'
    # Personal data: never kept by a shared cache or the kiosk browser's disk cache.
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response
