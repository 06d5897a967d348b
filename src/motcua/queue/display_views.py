"""The calling display (TV) of a center: the page, its live event stream and the loudspeaker.

Public, no login: everything here shows queue numbers, counters and area names only (the TV
hangs in the waiting hall). The event stream is an async view: a TV keeps its connection open
all day, which only an ASGI server (``motcua serve`` runs uvicorn) can afford.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from motcua.centers.models import Center
from motcua.core.views import method_not_allowed, require_safe
from motcua.queue import live, loudspeaker
from motcua.queue.models import TicketEvent
from motcua.queue.selectors import DisplayState, display_state
from motcua.queue.services import local_day
from motcua.queue.states import TicketAction

# EventSource reconnects after this many milliseconds when the connection drops.
RETRY_MS = 3000
SENT_MEMORY = 1000


def heartbeat_seconds() -> float:
    # A comment line this often keeps proxies and home routers from closing an idle stream.
    return float(getattr(settings, "MOTCUA_DISPLAY_HEARTBEAT", 15))


def _center_or_404(agency_code: str) -> Center:
    center = Center.objects.filter(agency_code=agency_code).first()
    if center is None:
        raise Http404(_("Không có trung tâm với mã này."))
    return center


def _closed(request: HttpRequest, center: Center) -> HttpResponse:
    return render(
        request,
        "queue/display_closed.html",
        {"center": center},
        status=503,
    )


def state_json(state: DisplayState, last_event: int) -> dict:
    return {
        "last_event": last_event,
        "counters": [
            {"counter": line.counter.number, "number": line.number, "status": line.status}
            for line in state.counters
        ],
        "calls": [
            {"id": call.event_id, "number": call.number, "counter": call.counter, "area": call.area}
            for call in state.calls
        ],
        "waiting": [
            {"area": line.area.pk, "name": line.area.name, "waiting": line.waiting}
            for line in state.areas
        ],
        "notice": state.notice,
    }


@require_safe
def display(request: HttpRequest, agency_code: str) -> HttpResponse:
    center = _center_or_404(agency_code)
    if not center.is_active:
        return _closed(request, center)
    now = timezone.now()
    state = display_state(center, now)
    last_event = live.latest_event_id(center.pk, local_day(now))
    return render(
        request,
        "queue/display.html",
        {"state": state, "center": center, "last_event": last_event, "newest": state.calls[:1]},
    )


@require_safe
def display_state_view(request: HttpRequest, agency_code: str) -> HttpResponse:
    """The whole display as JSON: the page re-reads it after a reconnect and every minute (a
    counter opened or paused is not a ticket event)."""
    center = _center_or_404(agency_code)
    if not center.is_active:
        return JsonResponse(
            {"detail": _("Trung tâm này hiện không hoạt động.")},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    now = timezone.now()
    last_event = live.latest_event_id(center.pk, local_day(now))
    response = JsonResponse(
        state_json(display_state(center, now), last_event),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def announcement(request: HttpRequest, agency_code: str, event_id: int) -> HttpResponseBase:
    """The spoken call of one call/recall event of this center, as WAV."""
    center = _center_or_404(agency_code)
    event = (
        TicketEvent.objects.filter(
            pk=event_id,
            ticket__center=center,
            action__in=(TicketAction.CALL, TicketAction.RECALL),
            counter__isnull=False,
        )
        .select_related("ticket", "counter")
        .first()
    )
    # The filter asks for a counter; the second test says so to the type checker.
    if event is None or event.counter is None:
        raise Http404(_("Không có lượt gọi số này."))
    try:
        path = loudspeaker.call_audio(event.ticket.number, event.counter.number)
    except (loudspeaker.SpeechUnavailable, OSError, ValueError) as exc:
        return HttpResponse(
            _("Máy chủ chưa có giọng đọc (%(reason)s).") % {"reason": type(exc).__name__},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- the event stream ------------------------------------------------------------------------


def frame(message: dict) -> str:
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return f"id: {message['id']}\nevent: ticket\ndata: {data}\n\n"


def _parse_id(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _release_connection() -> None:
    # A TV holds its stream for hours: its database connection is given back between reads.
    if not connection.in_atomic_block:
        connection.close()


def _replay(center_id: int, after_id: int) -> list[dict]:
    try:
        return live.replay(center_id, after_id)
    finally:
        _release_connection()


def _news(center_id: int, after_id: int) -> bool:
    try:
        return live.has_events_after(center_id, after_id)
    finally:
        _release_connection()


def _latest(center_id: int) -> int:
    try:
        return live.latest_event_id(center_id, local_day(timezone.now()))
    finally:
        _release_connection()


async def _stream(center_id: int, after_id: int | None, *, endless: bool = True):
    # Subscribed before reading the rows: a call committed meanwhile arrives twice at worst
    # (skipped by id below), never not at all.
    subscription = live.hub.subscribe(center_id)
    sent: deque[int] = deque(maxlen=SENT_MEMORY)
    seen: set[int] = set()

    def fresh(message: dict) -> bool:
        if message["id"] in seen:
            return False
        if len(sent) == sent.maxlen:
            seen.discard(sent[0])
        sent.append(message["id"])
        seen.add(message["id"])
        return True

    try:
        yield f"retry: {RETRY_MS}\n: {_('màn hình gọi số')}\n\n"
        if after_id is None:
            last = await sync_to_async(_latest)(center_id)
        else:
            last = after_id
            for message in await sync_to_async(_replay)(center_id, after_id):
                if fresh(message):
                    last = max(last, message["id"])
                    yield frame(message)
        if not endless:
            return
        polling = live.needs_polling()
        wait = live.POLL_SECONDS if polling else heartbeat_seconds()
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while True:
            item: dict | str | None
            try:
                item = await asyncio.wait_for(subscription.get(), wait)
            except TimeoutError:
                item = live.RESYNC if polling else None
            if item is None or (
                polling and item == live.RESYNC and not await sync_to_async(_news)(center_id, last)
            ):
                if loop.time() - quiet_since >= heartbeat_seconds() * 0.9:
                    quiet_since = loop.time()
                    yield ": ping\n\n"
                continue
            if isinstance(item, str):  # live.RESYNC, the only text the hub sends
                messages = await sync_to_async(_replay)(center_id, last)
            else:
                messages = [item]
            quiet_since = loop.time()
            for message in messages:
                if fresh(message):
                    last = max(last, message["id"])
                    yield frame(message)
    finally:
        live.hub.unsubscribe(subscription)


@csrf_exempt
async def display_events(request: HttpRequest, agency_code: str) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        return await sync_to_async(method_not_allowed)(request, "GET, HEAD")
    center = await Center.objects.filter(agency_code=agency_code).afirst()
    if center is None:
        raise Http404(_("Không có trung tâm với mã này."))
    if not center.is_active:
        return HttpResponse(
            _("Trung tâm này hiện không hoạt động."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    # The browser sends Last-Event-ID when it reconnects; the page's first connection names the
    # last event it rendered in ?sau= (EventSource cannot set the header itself).
    after_id = _parse_id(request.headers.get("Last-Event-ID"))
    if after_id is None:
        after_id = _parse_id(request.GET.get("sau"))
    # Under a WSGI server (or Django's test client) a response that never ends would hold a
    # thread forever and never reach the browser: the stream then ends after the replay and the
    # browser comes back after the retry delay, polling every few seconds instead.
    if isinstance(request, ASGIRequest):
        await sync_to_async(live.ensure_listener, thread_sensitive=False)()
        response: HttpResponseBase = StreamingHttpResponse(
            _stream(center.pk, after_id), content_type="text/event-stream; charset=utf-8"
        )
    else:
        chunks = [chunk async for chunk in _stream(center.pk, after_id, endless=False)]
        response = HttpResponse("".join(chunks), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx: pass each event on at once instead of buffering the stream.
    response["X-Accel-Buffering"] = "no"
    return response
