"""Voice at the kiosk: the "Nói" button's recording → words, the "Nghe" button's prompts.

Only a registered kiosk (device cookie) with a citizen's session on it may call them, so the
recognizer is not a public service; each device has its own rate limits. The texts read aloud
are the kiosk's own fixed prompts and published procedures' names, chosen by id: no text ever
comes from the request.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.catalog.models import Procedure
from motcua.core.ratelimit import Limit
from motcua.kiosk import session
from motcua.kiosk.device import KioskRequest, kiosk_required
from motcua.speech.web import limited, speech_response, transcribe_response

# A citizen tries two or three times; a kiosk serves a citizen every few minutes. 30 in ten
# minutes leaves room for a queue of people and stops a script from using the recognizer.
TRANSCRIBE_LIMIT = Limit("kiosk-voice:device", hits=30, window_seconds=600)
LISTEN_LIMIT = Limit("kiosk-listen:device", hits=120, window_seconds=600)


def prompts() -> dict[str, str]:
    return {
        "chon-thu-tuc": _(
            "Bạn cần làm thủ tục gì? Bấm nút Nói rồi nói việc bạn cần, ví dụ: làm giấy khai "
            "sinh cho con. Hoặc chạm vào một ô thủ tục bên dưới."
        ),
        "huong-dan-noi": _(
            "Bấm nút Nói, nói rõ việc bạn cần trong vài giây, rồi bấm Dừng. Máy sẽ hiện chữ "
            "nghe được để bạn kiểm tra."
        ),
    }


def _citizen_present(request: KioskRequest) -> bool:
    kiosk = request.kiosk
    return session.touch(request, idle_seconds=kiosk.idle_seconds, device_id=kiosk.pk) and bool(
        session.card(request)
    )


def _device(request: KioskRequest) -> str:
    return str(request.kiosk.pk)


def _gone() -> JsonResponse:
    return JsonResponse(
        {"error": _("Phiên làm việc đã kết thúc. Xin bắt đầu lại."), "code": "session"},
        status=403,
    )


@kiosk_required
@require_POST
def transcribe(request: KioskRequest) -> HttpResponseBase:
    if not _citizen_present(request):
        return _gone()
    refused = limited(TRANSCRIBE_LIMIT, _device(request))
    return refused or transcribe_response(request)


@kiosk_required
@require_GET
def listen_prompt(request: KioskRequest, prompt: str) -> HttpResponseBase:
    text = prompts().get(prompt)
    if text is None:
        return JsonResponse({"error": _("Không có lời nhắc này."), "code": "unknown"}, status=404)
    refused = limited(LISTEN_LIMIT, _device(request))
    return refused or speech_response(text)


@kiosk_required
@require_GET
def listen_procedure(request: KioskRequest, code: str) -> HttpResponseBase:
    procedure = get_object_or_404(Procedure.objects.published(), code=code)
    refused = limited(LISTEN_LIMIT, _device(request))
    text = _("Thủ tục %(name)s.") % {"name": procedure.name}
    return refused or speech_response(text)
